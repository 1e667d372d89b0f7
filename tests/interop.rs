//! Interoperability with the Python stack, in both directions (docs/files.md, "Interoperability"):
//!
//! - flow → Python: `tests/interop/write.flow` writes HDF5 and netCDF files, and
//!   `tests/interop/check.py check-outputs` opens them with h5py, netCDF4 and xarray and checks
//!   values, dtypes, chunks, dimensions, coordinates, attributes and CF time.
//! - Python → flow: `check.py write-inputs` writes files with h5py, xarray and netCDF4 together
//!   with the values Python computes from them (`expected.txt`); `tests/interop/read.flow` reads
//!   them and prints `@key value` lines, compared here number by number.
//! - flow ⇄ pandas: `tests/interop/frames_vs_pandas.py` writes random tables as CSV and Parquet
//!   (and CSV files as other programs write them), makes random frame pipelines (seed 7, 300 of
//!   them; `FLOW_FRAMES_CASES` sets how many), runs each as a flow script and as its pandas 3
//!   twin, and compares the results: column names and kinds, values, missing values, and row
//!   order where it is defined. It reports each case as agreeing, mismatching, rejected by
//!   flow's checker or failing in flow at run time.
//! - flow ⇄ NumPy: `tests/interop/arrays_vs_numpy.py` makes random array programs (seed 7, 300 of
//!   them; `FLOW_ARRAYS_CASES` sets how many) — creation, odd chunks, slicing, broadcasting
//!   arithmetic, elementwise functions, reductions, concatenation, histograms — runs each as a
//!   flow script and as its NumPy 2 twin, and compares shapes and dtypes exactly, values (exactly
//!   or within a float tolerance), printed text and refusals. It reports each case as agreeing,
//!   mismatching (values, types or printing), rejected by flow's checker, failing in flow at run
//!   time, an internal error of flow, or refused by NumPy alone.
//! - flow ⇄ xarray: `tests/interop/datasets_vs_xarray.py` writes random netCDF sets (1–4 dims,
//!   ascending and descending coordinates, CF times in several units, some with a UTC offset,
//!   packed and plain integers, fills, 1–4 files a set) and random dataset pipelines (seed 7,
//!   300 of them; `FLOW_DATASETS_CASES` sets how many) — sel/isel, reductions by name with and
//!   without skipna, arithmetic broadcasting by name, weighted reductions, where, rechunk, save —
//!   runs each as a flow script and as its xarray twin, and compares dims, coordinates, names,
//!   attributes, dtypes and values of the files each writes.
//!
//! - flow in Jupyter: `tests/interop/kernel_in_jupyter.py` installs flow's kernel and drives it
//!   with jupyter_client and nbclient (a notebook, completion, inspection, interrupt, shutdown).
//!
//! The Python side runs in a venv under `target/interop-venv` with numpy, h5py, netCDF4, xarray,
//! pandas, pyarrow, jupyter_client, nbclient and nbformat from PyPI, made once and reused while those import. Without Python or PyPI
//! the tests fail and say why; `FLOW_SKIP_INTEROP=1` skips them on purpose.
//! `FLOW_INTEROP_PYTHON` names the Python that makes the venv (default `python3`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

/// The venv's packages, pinned: reference values must not move under the tests.
const PACKAGES: &[&str] = &[
    "numpy==2.4.6",
    "h5py==3.16.0",
    "netCDF4==1.7.5.1.post1",
    "xarray==2026.9.0",
    "pandas==3.1.1",
    "pyarrow==26.0.1",
    "jupyter_client==8.10.0",
    "nbclient==0.11.0",
    "nbformat==5.11.1",
    "ipykernel==7.4.0",
    "ipython==9.19.1",
    "polars==2.2.0",
];
/// Imports the packages and checks their pinned versions (a venv with others is made anew).
const IMPORTS: &str =
    "import numpy, h5py, netCDF4, xarray, pandas, pyarrow, jupyter_client, nbclient, nbformat\n\
import ipykernel, IPython, polars\n\
import importlib.metadata as m\n\
pins = dict(p.split('==') for p in PINS.split())\n\
wrong = [f'{n} {m.version(n)} (not {v})' for n, v in pins.items() if m.version(n) != v]\n\
assert not wrong, wrong";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory: the flow binary is `<target>/<profile>/flow`.
fn target_dir() -> PathBuf {
    let flow = Path::new(env!("CARGO_BIN_EXE_flow"));
    flow.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root().join("target"))
}

/// True (after saying why) when the stage is skipped on purpose.
fn skipped(test: &str) -> bool {
    let skip = std::env::var("FLOW_SKIP_INTEROP").is_ok_and(|v| v == "1");
    if skip {
        // Straight to stderr, not through the test harness's capture: a skip is always shown.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "interop: {test} SKIPPED because FLOW_SKIP_INTEROP=1 is set; nothing was checked \
             against h5py/netCDF4/xarray/pandas"
        );
    }
    skip
}

/// What a command printed, for failure messages.
fn transcript(what: &str, output: &std::process::Output) -> String {
    format!(
        "{what}: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout).trim_end(),
        String::from_utf8_lossy(&output.stderr).trim_end()
    )
}

/// Run a command to completion: its output, or a message with everything it printed.
fn output_of(what: &str, command: &mut Command) -> Result<std::process::Output, String> {
    let started = Instant::now();
    let output = command
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("{what}: could not start {command:?}: {e}"))?;
    eprintln!(
        "interop: {what}: {} in {:.1}s",
        if output.status.success() {
            "ok"
        } else {
            "FAILED"
        },
        started.elapsed().as_secs_f64()
    );
    if output.status.success() {
        Ok(output)
    } else {
        Err(transcript(what, &output))
    }
}

/// The Python that imports the packages and checks their versions.
fn import_check() -> String {
    IMPORTS.replace("PINS", &format!("{:?}", PACKAGES.join(" ")))
}

fn has_packages(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", &import_check()])
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .output()
            .is_ok_and(|o| o.status.success())
}

fn venv_python_in(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// The venv's Python, making the venv first if there is none with the packages. It is made
/// under a name of its own and renamed into place when complete, so concurrent test runs never
/// see half a venv: the first to finish wins and the others use its venv.
fn venv_python() -> PathBuf {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(make_venv) {
        Ok(python) => python.clone(),
        Err(message) => panic!(
            "\ninterop: no Python environment with {} could be made.\n{message}\n\n\
             This stage needs Python 3 (with venv or pip) and PyPI. To skip it on purpose, set \
             FLOW_SKIP_INTEROP=1.\n",
            PACKAGES.join(", ")
        ),
    }
}

fn make_venv() -> Result<PathBuf, String> {
    let target = target_dir();
    let venv = target.join("interop-venv");
    let python = venv_python_in(&venv);
    if has_packages(&python) {
        return Ok(python);
    }
    std::fs::create_dir_all(&target).map_err(|e| format!("cannot create {target:?}: {e}"))?;
    let base = std::env::var("FLOW_INTEROP_PYTHON").unwrap_or_else(|_| "python3".into());
    let started = Instant::now();
    eprintln!(
        "interop: making {} with {} from PyPI (once)",
        venv.display(),
        PACKAGES.join(" ")
    );
    let building = target.join(format!("interop-venv.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    let building_python = venv_python_in(&building);
    let pip_args = [
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
    ];
    // A Python without ensurepip (Debian's python3 without python3-venv) can still make a venv
    // without pip and install into it with its own pip.
    let made = match output_of(
        "python3 -m venv",
        Command::new(&base).arg("-m").arg("venv").arg(&building),
    ) {
        Ok(_) => output_of(
            "pip install (PyPI)",
            Command::new(&building_python)
                .args(["-m", "pip"])
                .args(pip_args)
                .args(PACKAGES),
        ),
        Err(first) => {
            let _ = std::fs::remove_dir_all(&building);
            output_of(
                "python3 -m venv --without-pip",
                Command::new(&base)
                    .args(["-m", "venv", "--without-pip"])
                    .arg(&building),
            )
            .and_then(|_| {
                output_of(
                    "python3 -m pip --python VENV install (PyPI)",
                    Command::new(&base)
                        .args(["-m", "pip", "--python"])
                        .arg(&building_python)
                        .args(pip_args)
                        .args(PACKAGES),
                )
            })
            .map_err(|second| format!("{first}\n\nand then, without ensurepip:\n{second}"))
        }
    };
    if let Err(message) = made {
        let _ = std::fs::remove_dir_all(&building);
        return Err(message);
    }
    if !has_packages(&building_python) {
        let _ = std::fs::remove_dir_all(&building);
        return Err(format!(
            "the packages were installed but `{}` fails in {}",
            import_check(),
            building.display()
        ));
    }
    // A venv that is there but broken (an older Python, say) is moved aside first.
    if venv.exists() && !has_packages(&python) {
        let old = target.join(format!("interop-venv.old-{}", std::process::id()));
        if std::fs::rename(&venv, &old).is_ok() {
            let _ = std::fs::remove_dir_all(&old);
        }
    }
    match std::fs::rename(&building, &venv) {
        Ok(()) => {}
        Err(_) if has_packages(&python) => {
            eprintln!(
                "interop: another run made {} first; using it",
                venv.display()
            );
            let _ = std::fs::remove_dir_all(&building);
            return Ok(python);
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&building);
            return Err(format!(
                "cannot move the new venv into {}: {e}",
                venv.display()
            ));
        }
    }
    eprintln!(
        "interop: {} ready in {:.1}s",
        venv.display(),
        started.elapsed().as_secs_f64()
    );
    if has_packages(&python) {
        Ok(python)
    } else {
        Err(format!("{} does not import the packages", venv.display()))
    }
}

/// A fresh directory for one test of one run (several runs may share a checkout).
fn work_dir(name: &str) -> PathBuf {
    let dir = target_dir()
        .join("interop")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
    dir
}

fn copy_in(from: &str, dir: &Path) {
    let from = root().join(from);
    let to = dir.join(from.file_name().unwrap());
    std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("cannot copy {from:?} to {to:?}: {e}"));
}

fn check_py(python: &Path, command: &str, dir: &Path) -> Result<String, String> {
    output_of(
        &format!("check.py {command}"),
        Command::new(python)
            .arg(root().join("tests/interop/check.py"))
            .arg(command)
            .arg(dir),
    )
    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

fn flow_run(script: &Path) -> Result<String, String> {
    output_of(
        &format!("flow run {}", script.file_name().unwrap().to_string_lossy()),
        Command::new(env!("CARGO_BIN_EXE_flow"))
            .arg("run")
            .arg(script),
    )
    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

// ------------------------------------------------------------------------ comparing printed values

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Text(String),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Number(x) => write!(f, "{x:?}"),
            Token::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// The numbers, quoted strings and words of a printed value; brackets, commas, colons and
/// spacing are left out, so `(50, 40)` and `[50, 40]`, or `"f64"` and `f64`, are the same.
fn tokens(text: &str) -> Vec<Token> {
    const PUNCTUATION: &str = ",()[]{}:";
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || PUNCTUATION.contains(c) {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => s.extend(chars.next()),
                    '"' => break,
                    c => s.push(c),
                }
            }
            out.push(Token::Text(s));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || PUNCTUATION.contains(c) || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(match word.parse::<f64>() {
                Ok(x) => Token::Number(x),
                Err(_) => Token::Text(word),
            });
        }
    }
    out
}

fn close(got: f64, want: f64, rtol: f64, atol: f64) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= atol + rtol * want.abs()
}

/// Why `got` is not `want` within the tolerance, if it is not.
fn difference(got: &str, want: &str, rtol: f64, atol: f64) -> Option<String> {
    let (g, w) = (tokens(got), tokens(want));
    if g.len() != w.len() {
        return Some(format!("{} items, want {}", g.len(), w.len()));
    }
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        let same = match (a, b) {
            (Token::Number(x), Token::Number(y)) => close(*x, *y, rtol, atol),
            _ => a == b,
        };
        if !same {
            let tolerance = match (a, b) {
                (Token::Number(_), Token::Number(_)) => format!(" (rtol {rtol:e}, atol {atol:e})"),
                _ => String::new(),
            };
            return Some(format!("item {i}: {a}, want {b}{tolerance}"));
        }
    }
    None
}

/// `@key value` entries of flow's output; a value may go on over several lines.
fn printed(stdout: &str) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix('@') {
            let (key, value) = rest.split_once(' ').unwrap_or((rest, ""));
            entries.push((key.to_string(), value.to_string()));
        } else if let Some((_, value)) = entries.last_mut() {
            value.push('\n');
            value.push_str(line);
        }
    }
    entries
}

struct Expectation {
    key: String,
    rtol: f64,
    atol: f64,
    text: String,
}

fn expectations(text: &str) -> Vec<Expectation> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut fields = line.splitn(4, '\t');
            let mut next = || fields.next().unwrap_or_else(|| panic!("bad line {line:?}"));
            let key = next().trim_start_matches('@').to_string();
            let rtol = next().parse().expect("rtol");
            let atol = next().parse().expect("atol");
            Expectation {
                key,
                rtol,
                atol,
                text: next().to_string(),
            }
        })
        .collect()
}

/// Every difference between flow's printed values and Python's, one line each.
fn compare(stdout: &str, expected: &str) -> Vec<String> {
    let got = printed(stdout);
    let want = expectations(expected);
    let mut problems = Vec::new();
    for e in &want {
        match got.iter().find(|(k, _)| *k == e.key) {
            None => problems.push(format!("{}: flow printed nothing for it", e.key)),
            Some((_, value)) => {
                if let Some(why) = difference(value, &e.text, e.rtol, e.atol) {
                    problems.push(format!(
                        "{}: {why}\n    flow:   {}\n    Python: {}",
                        e.key,
                        value.replace('\n', "\n            "),
                        e.text
                    ));
                }
            }
        }
    }
    for (key, _) in &got {
        if !want.iter().any(|e| &e.key == key) {
            problems.push(format!("{key}: printed by flow but Python expects nothing"));
        }
    }
    problems
}

// ------------------------------------------------------------------------------------ the tests

/// flow writes HDF5 and netCDF; h5py, netCDF4 and xarray read the same values, dtypes, chunks,
/// dimensions, coordinates, attributes and CF times.
#[test]
fn files_written_by_flow_open_in_python() {
    if skipped("files_written_by_flow_open_in_python") {
        return;
    }
    let python = venv_python();
    let dir = work_dir("flow-writes");
    copy_in("tests/interop/write.flow", &dir);
    copy_in("tests/data/ssh_small.nc", &dir);
    std::fs::create_dir_all(dir.join("flights")).unwrap();
    for year in ["1990", "1991"] {
        std::fs::copy(
            root().join(format!("tests/data/flights/{year}.csv")),
            dir.join(format!("flights/{year}.csv")),
        )
        .unwrap();
    }
    let result =
        flow_run(&dir.join("write.flow")).and_then(|_| check_py(&python, "check-outputs", &dir));
    match result {
        Ok(report) => {
            eprintln!("interop: {}", report.trim_end());
            let _ = std::fs::remove_dir_all(&dir);
        }
        Err(message) => panic!(
            "\nfiles written by flow do not read back in Python as they should \
             (files kept in {}):\n{message}\n",
            dir.display()
        ),
    }
}

/// h5py, xarray and netCDF4 write files; flow reads them and prints what Python computed; the
/// datasets flow saves again read in xarray as the originals do.
#[test]
fn files_written_by_python_open_in_flow() {
    if skipped("files_written_by_python_open_in_flow") {
        return;
    }
    let python = venv_python();
    let dir = work_dir("python-writes");
    copy_in("tests/interop/read.flow", &dir);
    let result =
        check_py(&python, "write-inputs", &dir).and_then(|_| flow_run(&dir.join("read.flow")));
    let stdout = result.unwrap_or_else(|message| {
        panic!(
            "\nreading files written by Python failed (files kept in {}):\n{message}\n",
            dir.display()
        )
    });
    let expected = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
    let total = expectations(&expected).len();
    let mut failures = Vec::new();
    let problems = compare(&stdout, &expected);
    if !problems.is_empty() {
        failures.push(format!(
            "flow reads {} of {total} values differently from Python:\n\n{}\n\n\
             --- flow's whole output ---\n{stdout}",
            problems.len(),
            problems.join("\n")
        ));
    } else {
        eprintln!("interop: flow printed all {total} values Python expects");
    }
    match check_py(&python, "check-roundtrip", &dir) {
        Ok(report) => eprintln!("interop: round trip: {}", report.trim_end()),
        Err(message) => failures.push(format!(
            "datasets flow opened and saved again differ from the originals:\n{message}"
        )),
    }
    if !failures.is_empty() {
        panic!(
            "\n(files kept in {})\n\n{}\n",
            dir.display(),
            failures.join("\n\n")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Random frame pipelines give in flow what their pandas twins give (see the module comment and
/// `tests/interop/frames_vs_pandas.py`). `FLOW_FRAMES_CASES=3000` runs more cases by hand.
#[test]
fn frames_agree_with_pandas() {
    differential_test(
        "frames_agree_with_pandas",
        "frames_vs_pandas",
        "FLOW_FRAMES_CASES",
        "frames and pandas",
    );
}

/// Random array programs give in flow what their NumPy twins give (see the module comment and
/// `tests/interop/arrays_vs_numpy.py`). `FLOW_ARRAYS_CASES=3000` runs more cases by hand.
#[test]
fn arrays_agree_with_numpy() {
    differential_test(
        "arrays_agree_with_numpy",
        "arrays_vs_numpy",
        "FLOW_ARRAYS_CASES",
        "arrays and NumPy",
    );
}

/// Random dataset pipelines over random netCDF sets give in flow what their xarray twins give
/// (see `tests/interop/datasets_vs_xarray.py`). `FLOW_DATASETS_CASES=3000` runs more by hand.
#[test]
fn datasets_agree_with_xarray() {
    differential_test(
        "datasets_agree_with_xarray",
        "datasets_vs_xarray",
        "FLOW_DATASETS_CASES",
        "datasets and xarray",
    );
}

/// Run `tests/interop/SCRIPT.py` against flow with seed 7 and 300 cases (or `cases_variable`'s
/// count); a disagreement fails the test with the script's report, the cases kept.
fn differential_test(test: &str, script: &str, cases_variable: &str, what: &str) {
    if skipped(test) {
        return;
    }
    let cases = match std::env::var(cases_variable) {
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => panic!("{cases_variable}={text:?} is not a positive number of cases"),
        },
        Err(_) => 300,
    };
    let count = cases.to_string();
    let python = venv_python();
    let dir = work_dir(&script.replace('_', "-"));
    let result = output_of(
        &format!("{script}.py ({cases} cases)"),
        Command::new(&python)
            .arg(root().join(format!("tests/interop/{script}.py")))
            .arg("--flow")
            .arg(env!("CARGO_BIN_EXE_flow"))
            .arg("--dir")
            .arg(&dir)
            .args(["--seed", "7", "--cases", count.as_str(), "--jobs", "2"]),
    );
    match result {
        Ok(output) => {
            eprintln!("{}", String::from_utf8_lossy(&output.stdout).trim_end());
            let _ = std::fs::remove_dir_all(&dir);
        }
        Err(message) => panic!(
            "\nflow's {what} disagree (the cases, case_NNN.flow with their twins, are kept in \
             {}):\n{message}\n",
            dir.display()
        ),
    }
}

/// flow's notebook kernel, installed and driven by Jupyter's own clients: the notebooks of
/// `examples/notebooks` and a test notebook run by nbclient, and kernel_info, is_complete, complete, inspect, interrupt, heartbeat and shutdown
/// through jupyter_client (see `tests/interop/kernel_in_jupyter.py`).
#[test]
fn kernel_serves_jupyter_clients() {
    if skipped("kernel_serves_jupyter_clients") {
        return;
    }
    let python = venv_python();
    let dir = work_dir("kernel");
    // FLOW_BLESS=1 saves the example notebooks with their new outputs.
    let bless: &[&str] = match std::env::var("FLOW_BLESS").is_ok_and(|v| v == "1") {
        true => &["--bless"],
        false => &[],
    };
    let examples = root().join("examples/notebooks");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--flow".as_ref(),
        env!("CARGO_BIN_EXE_flow").as_ref(),
        "--dir".as_ref(),
        dir.as_os_str(),
        "--examples".as_ref(),
        examples.as_os_str(),
    ];
    args.extend(bless.iter().map(|b| std::ffi::OsStr::new(b)));
    run_jupyter_script(
        &python,
        "kernel_in_jupyter.py",
        &args,
        &dir,
        "flow's kernel failed a Jupyter client",
    );
}

/// Run the script `tests/interop/NAME` with `args`, Jupyter's and IPython's settings under
/// `dir` (the user's own stay out of the test); print its checks, or fail with `failure` and
/// everything it printed. `dir` is removed when it passes.
fn run_jupyter_script(
    python: &Path,
    name: &str,
    args: &[&std::ffi::OsStr],
    dir: &Path,
    failure: &str,
) {
    let result = output_of(
        name,
        Command::new(python)
            .arg(root().join("tests/interop").join(name))
            .args(args)
            .env("JUPYTER_CONFIG_DIR", dir.join("config"))
            .env("JUPYTER_DATA_DIR", dir.join("data"))
            .env("JUPYTER_RUNTIME_DIR", dir.join("runtime"))
            .env("IPYTHONDIR", dir.join("ipython")),
    );
    match result {
        Ok(output) => {
            eprintln!("{}", String::from_utf8_lossy(&output.stdout).trim_end());
            let _ = std::fs::remove_dir_all(dir);
        }
        Err(message) => panic!("\n{failure}:\n{message}\n"),
    }
}

/// The Python package (`python/`) built from this workspace with the same profile as the tests
/// (so on the same dependency artifacts: nothing is built twice), staged as an importable
/// `flowrt` package under `dir`.
fn staged_python_package(dir: &Path) -> Result<PathBuf, String> {
    let target = target_dir();
    let profile_dir = Path::new(env!("CARGO_BIN_EXE_flow"))
        .parent()
        .expect("the binary is in a profile's folder")
        .to_path_buf();
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some(other) => other,
        None => "dev",
    }
    .to_string();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    // What `cargo test` sets for its tests (this package's name, manifest, paths) must not
    // reach the build: a build script that reruns when such a variable changes (ring's does)
    // would rebuild it and everything above it — polars — on every run.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME") || key == "OUT_DIR" {
            build.env_remove(&*key);
        }
    }
    output_of(
        "cargo build -p flowrt",
        build
            .args(["build", "--quiet", "-p", "flowrt", "--profile", &profile])
            .arg("--manifest-path")
            .arg(root().join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target),
    )?;
    let package = dir.join("package").join("flowrt");
    std::fs::create_dir_all(&package).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(root().join("python/flowrt")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "py") {
            std::fs::copy(&path, package.join(path.file_name().expect("a file")))
                .map_err(|e| e.to_string())?;
        }
    }
    std::fs::copy(
        profile_dir.join("lib_native.so"),
        package.join("_native.abi3.so"),
    )
    .map_err(|e| format!("the built module: {e}"))?;
    Ok(dir.join("package"))
}

/// `%%flow` cells in Python notebooks: the `flowrt` package (built from `python/`) against
/// NumPy, xarray, pandas and polars values, a notebook run by nbclient on ipykernel, and an
/// interrupt through jupyter_client (see `tests/interop/flow_cells_in_python.py`).
#[test]
fn flow_cells_run_in_python_notebooks() {
    if skipped("flow_cells_run_in_python_notebooks") {
        return;
    }
    let python = venv_python();
    let dir = work_dir("python-package");
    let package = match staged_python_package(&dir) {
        Ok(package) => package,
        Err(message) => panic!("\nthe Python package did not build:\n{message}\n"),
    };
    let work = dir.join("work");
    let args = [
        "--package".as_ref(),
        package.as_os_str(),
        "--dir".as_ref(),
        work.as_os_str(),
    ];
    run_jupyter_script(
        &python,
        "flow_cells_in_python.py",
        &args,
        &dir,
        "flow cells in Python failed",
    );
}

#[test]
fn comparison_ignores_punctuation_and_respects_tolerances() {
    assert_eq!(difference("(50, 40)", "[50, 40]", 0.0, 0.0), None);
    assert_eq!(difference("f64", "\"f64\"", 0.0, 0.0), None);
    assert_eq!(
        difference(
            "[[ 0.  nan]\n [ 1.5 2. ]]",
            "[[0.0, nan], [1.5, 2.0]]",
            0.0,
            0.0
        ),
        None
    );
    assert_eq!(
        difference("{units: \"m\"}", "{units: \"m\"}", 0.0, 0.0),
        None
    );
    assert!(difference("{units: \"cm\"}", "{units: \"m\"}", 0.0, 0.0).is_some());
    assert!(difference("[1. 2.]", "[1.0, 2.0, 3.0]", 0.0, 0.0).is_some());
    assert!(difference("1.0000001", "1.0", 1e-12, 0.0).is_some());
    assert_eq!(difference("1.0000001", "1.0", 1e-6, 0.0), None);
    assert!(difference("nan", "1.0", 1.0, 1.0).is_some());
    assert_eq!(
        printed("@a 1\n@b [[1 2]\n [3 4]]\n"),
        vec![
            ("a".into(), "1".into()),
            ("b".into(), "[[1 2]\n [3 4]]".into())
        ]
    );
}
