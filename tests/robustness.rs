//! Parse + check must never panic, whatever the input, and must stay fast: thousands of random
//! and mutated programs, deep nesting, odd characters.

use flow::Session;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Programs the mutations start from: every construct of the language.
const SEEDS: &[&str] = &[
    "x = 1 + 2 * 3 ** -4 // 5 % 6\nprint(x)",
    "fn slowinc(x, delay=1) {\n  sleep(delay)\n  x + 1\n}\ntotal = sum([slowinc(i, delay=0) for i in range(8)])",
    "lo, hi = compute(total - 1, total + 1)",
    "fn process(x) = if x % 2 == 0 then x // 2 else 3 * x + 1\nprint([process(i) for i in range(10) if i > 2])",
    "r = {time: 30, \"lat lon\": (1, 2.5)}\nprint(r.time, r[\"lat lon\"][1:], len(r))",
    "xs = [1, 2, 3][::-1]\nys = xs |> sorted(reverse=true)\nprint(f\"{ys[0]:>8.3f} {'a'}\")",
    "use stats\nprint(stats.zscore([1.0, 2.0, 3.0]), stats.corr([1, 2], [2, 4]))",
    "square = fn(x) = x * x\nprint(square(3), abs(-2), round(2.5), \"a,b\".split(\",\"))",
    "a = not true and false or 1 < 2\nb = 3 in [1, 2, 3] & (4 not in [5])\nc = x[..., none, 1:2:-1]",
    "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nprint(fib(20))",
    "s = r\"raw\\path\" + \"\\u{e9}\\n\\t\"\nassert(len(s) > 3, \"length\")\nerror(\"boom\")",
    "fn f(x) = g(x) + 1\nfn g(y) = y * 2\nprint(f(2)); z = f(\"a\")",
    "data = range(10)\n  |> sum\n  |> str\nprint(data\n  .upper())",
    "def f(x):\n    return x\nimport numpy as np\nx += 1\nif a && b: pass",
    "x = ones((1000, 4000), chunks=(1000, 1000))\ny = (x * x[::-1, ::-1]).mean()\nprint(y)\ngraph(y, \"/dev/null\")",
    "big = ones((200000, 4000), chunks=(1000, 1000))\nm = (cos(big) ** 2).mean(axis=0)\nz = big[..., none, 3] + m.T",
    "r = random.normal(size=(2e8,), chunks=(1e6,), seed=42)\ncounts, edges = histogram(r, bins=100, range=(-5, 5))",
    "a = array([[1, 2], [3, 4]], chunks=1).astype(\"f32\")\nb = concatenate([a, a.T], axis=1).rechunk((2, -1))\nc = where(b > 2, b, 0).std(axis=(0, 1), ddof=1)",
];

/// Tokens the mutations insert.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    "\n",
    " ",
    "=",
    "==",
    "+",
    "-",
    "*",
    "**",
    "/",
    "//",
    "%",
    "@",
    "|>",
    "&",
    "|",
    "<",
    ">=",
    "!",
    ".",
    "...",
    "fn",
    "if",
    "then",
    "else",
    "for",
    "in",
    "and",
    "or",
    "not",
    "true",
    "none",
    "use",
    "as",
    "x",
    "f",
    "range",
    "print",
    "sum",
    "0",
    "1",
    "-1",
    "2e8",
    "1.5",
    "\"s\"",
    "f\"{x}\"",
    "r\"\\\"",
    "'",
    "\"",
    "#",
    "\\",
    "é",
    "\u{0}",
    "\t",
    "1_000",
    "99999999999999999999",
    "stats",
    "lambda",
    "def",
];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn mutate(random: &mut Random, program: &str) -> String {
    let mut text = program.to_string();
    for _ in 0..=random.below(4) {
        let at = char_boundary(&text, random.below(text.len() + 1));
        match random.below(5) {
            0 => {
                let end = char_boundary(&text, at + random.below(12));
                text.replace_range(at..end, "");
            }
            1 | 2 => text.insert_str(at, TOKENS[random.below(TOKENS.len())]),
            3 => {
                let end = char_boundary(&text, at + random.below(30));
                let piece = text[at..end].to_string();
                text.insert_str(at, &piece);
            }
            _ => {
                let other = SEEDS[random.below(SEEDS.len())];
                let cut = char_boundary(other, random.below(other.len()));
                text.insert_str(at, &other[cut..]);
            }
        }
    }
    text
}

fn token_soup(random: &mut Random) -> String {
    (0..random.below(40))
        .map(|_| TOKENS[random.below(TOKENS.len())])
        .collect::<Vec<_>>()
        .join(if random.below(2) == 0 { " " } else { "" })
}

/// Parse and check one program; `Err` with the panic message if anything panicked.
fn parse_and_check(text: &str) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut session = Session::new(Box::new(std::io::sink()));
        let source = session.load("fuzz.flow", text);
        let (program, _) = flow::parse(&session, source);
        let _ = flow::check(&mut session, &program);
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// Run `f` on a thread with a large stack, as the `flow` binary does.
fn with_large_stack(f: impl FnOnce() + Send + 'static) {
    if let Err(panic) = std::thread::Builder::new()
        .stack_size(1 << 29)
        .spawn(f)
        .unwrap()
        .join()
    {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn ten_thousand_random_and_mutated_programs_never_panic() {
    with_large_stack(|| {
        std::panic::set_hook(Box::new(|_| {}));
        // FLOW_FUZZ_SEED and FLOW_FUZZ_CASES explore further than CI does.
        let seed = std::env::var("FLOW_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_f10e);
        let cases = std::env::var("FLOW_FUZZ_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10_000);
        let mut random = Random(seed);
        let mut failures = Vec::new();
        for case in 0..cases {
            let program = if case % 5 == 0 {
                token_soup(&mut random)
            } else {
                mutate(&mut random, SEEDS[case % SEEDS.len()])
            };
            if let Err(message) = parse_and_check(&program) {
                failures.push(format!("case {case}: {message}\n{program:?}"));
            }
        }
        let _ = std::panic::take_hook();
        assert!(
            failures.is_empty(),
            "{} programs panicked:\n{}",
            failures.len(),
            failures[..failures.len().min(5)].join("\n\n")
        );
    });
}

fn first_code(text: &str) -> Vec<&'static str> {
    let mut session = Session::new(Box::new(std::io::sink()));
    // A list of 10⁹ ints (24 GB) is refused under a smaller memory limit; these tests are about
    // the checker's speed, the same on every machine.
    session.compute_options().memory_limit = 64 << 30;
    let source = session.load("deep.flow", text.to_string());
    let (program, mut diagnostics) = flow::parse(&session, source);
    diagnostics.extend(flow::check(&mut session, &program));
    diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn ten_thousand_nested_parentheses_are_a_diagnostic() {
    with_large_stack(|| {
        let text = format!("x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(first_code(&text), ["flow::parse::too_deep"]);
    });
}

#[test]
fn very_long_operator_chains_are_a_diagnostic_not_a_crash() {
    with_large_stack(|| {
        let negations = format!("x = {}1", "-".repeat(100_000));
        assert_eq!(first_code(&negations), ["flow::parse::too_deep"]);
        let sum = format!("x = 1{}", " + 1".repeat(100_000));
        assert_eq!(first_code(&sum), ["flow::parse::too_deep"]);
        let powers = format!("x = 2{}", " ** 2".repeat(50_000));
        assert_eq!(first_code(&powers), ["flow::parse::too_deep"]);
    });
}

#[test]
fn empty_and_blank_programs_are_fine() {
    with_large_stack(|| {
        for text in ["", "\n\n", "   ", "# only a comment", ";;;", "\r\n"] {
            assert!(first_code(text).is_empty(), "{text:?}");
        }
    });
}

#[test]
fn expensive_programs_are_checked_quickly() {
    with_large_stack(|| {
        let start = std::time::Instant::now();
        let text = "fn f(n) = if n == 0 then 0 else f(n - 1) + f(n - 1)\nx = f(40)\ny = [i for i in range(1_000_000_000)]";
        assert!(first_code(text).is_empty());
        assert!(
            start.elapsed().as_secs() < 20,
            "checking took {:?}",
            start.elapsed()
        );
    });
}

/// Numbers that have broken programs: huge sizes, sizes of one, zero, negatives.
const HOSTILE_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "1e9",
    "1e12",
    "1e18",
    "99999999999999999999",
    "-1e9",
    "0.5",
    "1e-300",
    "1e308",
    "9007199254740993",
    "100000",
    "4000000",
];

/// `program` with some of its numbers replaced by hostile ones: still a program that parses,
/// and often one that checks, so it runs with sizes no one meant.
fn hostile_numbers(random: &mut Random, program: &str) -> String {
    let mut out = String::new();
    let mut rest = program;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let preceded_by_name = rest[..start]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let length = rest[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(rest.len() - start);
        out.push_str(&rest[..start]);
        let number = &rest[start..start + length];
        if !preceded_by_name && random.below(3) == 0 {
            out.push_str(HOSTILE_NUMBERS[random.below(HOSTILE_NUMBERS.len())]);
        } else {
            out.push_str(number);
        }
        rest = &rest[start + length..];
    }
    out.push_str(rest);
    out
}

/// How one program ended when run by the `flow` binary.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Clone, Copy)]
enum Ending {
    Exit(i32),
    /// Killed by a signal of its own (an abort is SIGABRT).
    Signal(i32),
    /// Still running at the time budget (stopped by the test).
    OverTime,
}

/// Run `program` with the `flow` binary in `dir` under a small memory limit, stopping it at
/// `budget`.
fn run_program(dir: &std::path::Path, program: &str, budget: std::time::Duration) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("fuzz.flow");
    std::fs::write(&file, program).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flow"))
        .args([
            "run",
            "--memory-limit",
            "64MB",
            "--threads",
            "2",
            "fuzz.flow",
        ])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return match (status.code(), status.signal()) {
                (Some(code), _) => Ending::Exit(code),
                (None, Some(signal)) => Ending::Signal(signal),
                _ => Ending::Exit(-1),
            };
        }
        if started.elapsed() > budget {
            let _ = child.kill();
            let _ = child.wait();
            return Ending::OverTime;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn random_and_mutated_programs_run_without_an_abort_or_an_internal_error() {
    // FLOW_FUZZ_RUN_CASES runs more than CI does (FLOW_FUZZ_SEED as above).
    let seed: u64 = std::env::var("FLOW_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f10e);
    let cases: usize = std::env::var("FLOW_FUZZ_RUN_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let mut random = Random(seed ^ 0x0f10_ad5e);
    // Seeds that write files write them beside the program, in a directory of the test's own.
    let programs: Vec<String> = (0..cases)
        .map(|case| {
            let seed = SEEDS[case % SEEDS.len()].replace("/dev/null", "out.dot");
            match case % 5 {
                0 => token_soup(&mut random),
                1 => mutate(&mut random, &seed),
                _ => hostile_numbers(&mut random, &seed),
            }
        })
        .collect();
    let root = std::env::temp_dir().join(format!("flow-fuzz-run-{}", std::process::id()));
    let budget = std::time::Duration::from_secs(5);
    let endings: Vec<Ending> = std::thread::scope(|scope| {
        let halves: Vec<_> = (0..2)
            .map(|half| {
                let (programs, root) = (&programs, &root);
                scope.spawn(move || {
                    let dir = root.join(half.to_string());
                    programs
                        .iter()
                        .skip(half)
                        .step_by(2)
                        .map(|program| run_program(&dir, program, budget))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let _ = std::fs::remove_dir_all(&root);
    let mut counts = std::collections::BTreeMap::new();
    for ending in &endings {
        *counts.entry(*ending).or_insert(0) += 1;
    }
    eprintln!("{cases} programs run: {counts:?}");
    let bad: Vec<String> = endings
        .iter()
        .zip(&programs)
        .filter(|(ending, _)| {
            matches!(
                ending,
                Ending::Signal(_) | Ending::Exit(70) | Ending::Exit(-1)
            )
        })
        .map(|(ending, program)| format!("{ending:?}: {program:?}"))
        .collect();
    assert!(
        bad.is_empty(),
        "{} programs aborted or failed inside flow:\n{}",
        bad.len(),
        bad[..bad.len().min(5)].join("\n\n")
    );
}
