//! The REPL (`flow` with no arguments): rustyline editing with history, multi-line input,
//! highlighting, hints and completion; lazy values shown as their type and cost; `:` commands;
//! Ctrl-C that stops a computation and keeps the session; background jobs.

use crate::builtins;
use crate::completion::{complete, is_word, refresh, type_text, Completion, Known, KEYWORDS};
use crate::eval::Value;
use crate::frontend::{report_diagnostics, Options};
use crate::session::Session;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;

/// The `:` commands, with what they do (for `:help` and completion).
const COMMANDS: &[(&str, &str)] = &[
    (
        ":help",
        "[name]  builtins, or one builtin / stdlib function with its example",
    ),
    (
        ":type",
        "expr  the type of an expression, without computing it",
    ),
    (
        ":explain",
        "expr  shapes, chunks, tasks, bytes and peak memory of computing it",
    ),
    (":graph", "expr [file.dot] [--tasks]  its graph as DOT"),
    (
        ":time",
        "expr  compute it and report wall time, tasks and peak memory",
    ),
    (":load", "file.flow  run a script in this session"),
    (":vars", "the names bound so far, with their types"),
    (
        ":jobs",
        "background jobs (`f = submit(x)`) and their progress",
    ),
    (":set", "threads N | progress on|off"),
    (":reset", "forget every binding"),
    (":quit", "leave (or Ctrl-D)"),
];

struct FlowHelper {
    known: Rc<RefCell<Known>>,
    files: FilenameCompleter,
    hinter: HistoryHinter,
    color: bool,
}

impl Helper for FlowHelper {}

impl Completer for FlowHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        context: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let commands: Vec<&str> = COMMANDS.iter().map(|(c, _)| *c).collect();
        match complete(&self.known.borrow(), line, pos, &commands) {
            Completion::Path => self.files.complete(line, pos, context),
            Completion::Items(start, candidates) => Ok((
                start,
                candidates
                    .into_iter()
                    .map(|c| Pair {
                        display: c.display,
                        replacement: c.replacement,
                    })
                    .collect(),
            )),
        }
    }
}

impl Hinter for FlowHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, context: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, context)
    }
}

impl Validator for FlowHelper {
    fn validate(&self, context: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = context.input();
        if !input.trim_start().starts_with(':') && crate::syntax::layout::needs_more_input(input) {
            return Ok(ValidationResult::Incomplete);
        }
        Ok(ValidationResult::Valid(None))
    }
}

impl Highlighter for FlowHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color || line.is_empty() {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight_line(line, matching_bracket(line, pos)))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// The position of the bracket matching the one at or just before the cursor.
fn matching_bracket(line: &str, pos: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let at = [pos, pos.wrapping_sub(1)]
        .into_iter()
        .find(|&p| p < bytes.len() && b"()[]{}".contains(&bytes[p]))?;
    let (open, close, forward) = match bytes[at] {
        b'(' => (b'(', b')', true),
        b'[' => (b'[', b']', true),
        b'{' => (b'{', b'}', true),
        b')' => (b'(', b')', false),
        b']' => (b'[', b']', false),
        _ => (b'{', b'}', false),
    };
    let mut depth = 0i32;
    let range: Box<dyn Iterator<Item = usize>> = if forward {
        Box::new(at..bytes.len())
    } else {
        Box::new((0..=at).rev())
    };
    for i in range {
        if bytes[i] == open {
            depth += if forward { 1 } else { -1 };
        } else if bytes[i] == close {
            depth += if forward { -1 } else { 1 };
        }
        if depth == 0 {
            return Some(i);
        }
    }
    None
}

/// Keywords, strings, numbers and comments in colour; the matching bracket in bold.
fn highlight_line(line: &str, bracket: Option<usize>) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        let run_end = |pred: &dyn Fn(char) -> bool, from: usize| -> usize {
            let mut j = from;
            while j < chars.len() && pred(chars[j].1) {
                j += 1;
            }
            j
        };
        let slice = |from: usize, to: usize| -> &str {
            let start = chars[from].0;
            let end = if to < chars.len() {
                chars[to].0
            } else {
                line.len()
            };
            &line[start..end]
        };
        if c == '#' {
            out.push_str(&format!("\x1b[2m{}\x1b[0m", &line[i..]));
            break;
        } else if c == '"' || c == '\'' {
            let mut j = k + 1;
            while j < chars.len() && chars[j].1 != c {
                if chars[j].1 == '\\' {
                    j += 1;
                }
                j += 1;
            }
            let end = (j + 1).min(chars.len());
            out.push_str(&format!("\x1b[32m{}\x1b[0m", slice(k, end)));
            k = end;
        } else if c.is_ascii_digit() {
            let end = run_end(
                &|c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_',
                k,
            );
            out.push_str(&format!("\x1b[33m{}\x1b[0m", slice(k, end)));
            k = end;
        } else if is_word(c) {
            let end = run_end(&is_word, k);
            let word = slice(k, end);
            if KEYWORDS.contains(&word) {
                out.push_str(&format!("\x1b[1;35m{word}\x1b[0m"));
            } else {
                out.push_str(word);
            }
            k = end;
        } else {
            if Some(i) == bracket {
                out.push_str(&format!("\x1b[1;36m{c}\x1b[0m"));
            } else {
                out.push(c);
            }
            k += 1;
        }
    }
    out
}

fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local").join("share"))
        })?;
    Some(base.join("flow").join("history"))
}

struct Repl {
    session: Session,
    known: Rc<RefCell<Known>>,
    count: usize,
    /// `--sandbox`, kept for `:reset`.
    sandbox: Option<crate::frontend::SandboxFlags>,
}

impl Repl {
    /// `Err`: the sandbox asked for cannot be made (a directory that does not exist).
    fn new(options: &Options) -> Result<Repl, crate::diagnostic::Diagnostic> {
        let mut session = Session::new(Box::new(std::io::stdout()));
        crate::frontend::apply_run_options(&mut session, options);
        crate::frontend::apply_sandbox(&mut session, options, std::path::Path::new("."))?;
        let known = Rc::new(RefCell::new(Known::default()));
        refresh(&mut known.borrow_mut(), &session);
        Ok(Repl {
            session,
            known,
            count: 0,
            sandbox: options.sandbox.clone(),
        })
    }

    fn next_name(&mut self) -> String {
        self.count += 1;
        format!("<repl:{}>", self.count)
    }

    /// Run one input; show the value of a final expression.
    fn evaluate(&mut self, text: &str) {
        let name = self.next_name();
        if let Ok(value) = crate::frontend::evaluate_in(&mut self.session, &name, text) {
            if !matches!(value, Value::None) {
                println!("{}", value.repr());
                self.session.bind("_", value);
            }
        }
        crate::runtime::clear_interrupt();
        refresh(&mut self.known.borrow_mut(), &self.session);
    }

    fn check(&mut self, text: &str) -> Option<Value> {
        let name = self.next_name();
        match self.session.check_expression(&name, text) {
            Ok(value) => Some(value),
            Err(diagnostics) => {
                report_diagnostics(&self.session, &diagnostics);
                None
            }
        }
    }

    fn command(&mut self, line: &str) -> bool {
        let (command, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match command {
            ":quit" | ":q" | ":exit" => return false,
            ":help" | ":h" => self.help(rest),
            ":vars" => {
                for name in self.session.bound_names() {
                    let value = self.session.checked_value(&name).unwrap_or(Value::None);
                    let kind = type_text(&value);
                    println!("{name:<16} {kind}");
                }
            }
            ":type" => {
                if let Some(value) = self.check(rest) {
                    println!("{}", type_text(&value));
                }
            }
            ":explain" => {
                if let Some(value) = self.check(rest) {
                    let arrays = arrays_in(&value);
                    if arrays.is_empty() {
                        println!("nothing lazy to explain: {}", value.type_name());
                    } else {
                        let threads = self.session.compute_options().threads;
                        let memory_limit = self.session.compute_options().memory_limit;
                        match crate::runtime::report::explain(
                            &arrays,
                            &self.session.bound_arrays(),
                            threads,
                            memory_limit,
                        ) {
                            Ok(explanation) => {
                                print!("{}", explanation.text);
                                report_diagnostics(&self.session, &explanation.warnings);
                            }
                            Err(diagnostic) => report_diagnostics(&self.session, &[diagnostic]),
                        }
                    }
                }
            }
            ":graph" => self.graph(rest),
            ":time" => self.time(rest),
            ":load" => match crate::frontend::read_source(std::path::Path::new(rest)) {
                Ok(text) => {
                    let name = rest.to_string();
                    if crate::frontend::evaluate_in(&mut self.session, &name, &text).is_ok() {
                        println!("loaded {rest}");
                    }
                    refresh(&mut self.known.borrow_mut(), &self.session);
                }
                Err(diagnostic) => report_diagnostics(&self.session, &[diagnostic]),
            },
            ":jobs" => {
                if self.session.jobs().is_empty() {
                    println!("no jobs; start one with `f = submit(x)`");
                }
                for job in self.session.jobs() {
                    println!(
                        "job {} · {} · {}",
                        job.number,
                        job.status(),
                        job.description
                    );
                }
            }
            ":set" => self.set(rest),
            ":reset" => {
                let mut options = Options::from_session(&mut self.session);
                options.sandbox = self.sandbox.clone();
                // The sandbox was made once from these flags; it can be made again.
                if let Ok(repl) = Repl::new(&options) {
                    *self = repl;
                }
                println!("every binding is gone");
            }
            other => {
                let names = COMMANDS.iter().map(|(c, _)| *c);
                match crate::text::closest(other, names) {
                    Some(close) => println!("unknown command `{other}`; did you mean `{close}`?"),
                    None => println!("unknown command `{other}`; :help lists the commands"),
                }
            }
        }
        true
    }

    fn help(&self, name: &str) {
        if name.is_empty() {
            println!("commands:");
            for (command, what) in COMMANDS {
                println!("  {command:<9} {what}");
            }
            println!("{}", builtins::help_index());
            println!(
                "stdlib modules: {} (`:help stats.zscore`)",
                crate::eval::modules::stdlib_names().join(", ")
            );
            return;
        }
        match builtins::help(name).or_else(|| crate::eval::modules::stdlib_help(name)) {
            Some(text) => println!("{text}"),
            None => match crate::text::closest(name, builtins::table().iter().map(|b| b.name)) {
                Some(close) => println!("no builtin named `{name}`; did you mean `{close}`?"),
                None => println!("no builtin named `{name}`"),
            },
        }
    }

    fn graph(&mut self, rest: &str) {
        let tasks = rest.contains("--tasks");
        let rest = rest.replace("--tasks", "");
        let mut words: Vec<&str> = rest.split_whitespace().collect();
        let file = words
            .last()
            .filter(|w| w.ends_with(".dot"))
            .map(|w| w.to_string());
        if file.is_some() {
            words.pop();
        }
        let expression = words.join(" ");
        let Some(value) = self.check(&expression) else {
            return;
        };
        let arrays = arrays_in(&value);
        let frames = crate::eval::kinds::frame::frames_in(&value);
        let memory_limit = self.session.compute_options().memory_limit;
        let dot = match crate::runtime::report::dot(&arrays, &frames, tasks, memory_limit) {
            Ok(dot) => dot,
            Err(diagnostic) => return report_diagnostics(&self.session, &[diagnostic]),
        };
        match file {
            Some(path) => {
                match crate::io::write_atomically(std::path::Path::new(&path), dot.as_bytes()) {
                    Ok(()) => println!("wrote {path}"),
                    Err(error) => println!("cannot write {path}: {error}"),
                }
            }
            None => print!("{dot}"),
        }
    }

    fn time(&mut self, text: &str) {
        let before = self.session.statistics().clone();
        let started = Instant::now();
        let name = self.next_name();
        let Ok(value) = crate::frontend::evaluate_in(&mut self.session, &name, text) else {
            crate::runtime::clear_interrupt();
            return;
        };
        match self.session.force(value) {
            Ok(value) => {
                let elapsed = started.elapsed().as_secs_f64();
                if !matches!(value, Value::None) {
                    println!("{}", value.repr());
                }
                let after = self.session.statistics();
                println!(
                    "time {:.3} s · {} tasks · peak {} held",
                    elapsed,
                    after.tasks - before.tasks,
                    crate::text::human_bytes(after.peak_held_bytes)
                );
                self.session.bind("_", value);
            }
            Err(diagnostic) => report_diagnostics(&self.session, &[diagnostic]),
        }
        crate::runtime::clear_interrupt();
    }

    fn set(&mut self, rest: &str) {
        let words: Vec<&str> = rest.split_whitespace().collect();
        match words.as_slice() {
            ["threads", n] => match n.parse::<usize>() {
                Ok(n) if n > 0 => {
                    self.session.compute_options().threads = n;
                    println!("threads: {n}");
                }
                _ => println!("threads takes a whole number above 0"),
            },
            ["progress", "on"] => {
                self.session.compute_options().progress =
                    crate::runtime::progress::ProgressMode::Always
            }
            ["progress", "off"] => {
                self.session.compute_options().progress =
                    crate::runtime::progress::ProgressMode::Never
            }
            _ => println!(":set threads N | :set progress on|off"),
        }
    }
}

/// The arrays inside a value, named for graphs.
fn arrays_in(value: &Value) -> Vec<(String, crate::array::node::ArrayRef)> {
    let mut out = Vec::new();
    let mut stack = vec![value.clone()];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) => out.push((format!("value {}", out.len() + 1), a)),
            Value::Labelled(l) => out.push((
                l.name
                    .clone()
                    .unwrap_or_else(|| format!("value {}", out.len() + 1)),
                l.array.clone(),
            )),
            Value::Dataset(ds) => out.extend(
                ds.variables
                    .iter()
                    .map(|v| (v.name.clone().unwrap_or_default(), v.array.clone())),
            ),
            Value::Tuple(items) | Value::List(items) => stack.extend(items.iter().rev().cloned()),
            _ => {}
        }
    }
    out
}

pub fn run(options: &Options) -> ExitCode {
    use std::io::IsTerminal;
    // Ctrl-C while computing stops the computation (src/signals.rs, installed by main); at the
    // prompt, the editor handles it.
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut repl = match Repl::new(options) {
        Ok(repl) => repl,
        Err(diagnostic) => {
            eprint!(
                "{}",
                crate::diagnostic::render(
                    &[diagnostic],
                    &Default::default(),
                    crate::diagnostic::RenderOptions::for_stderr()
                )
            );
            return ExitCode::from(crate::frontend::EXIT_USAGE);
        }
    };
    let helper = FlowHelper {
        known: repl.known.clone(),
        files: FilenameCompleter::new(),
        hinter: HistoryHinter::new(),
        color,
    };
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .color_mode(if color {
            rustyline::ColorMode::Enabled
        } else {
            rustyline::ColorMode::Disabled
        })
        .build();
    let mut editor: Editor<FlowHelper, FileHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(error) => {
            eprintln!("flow: cannot start the prompt: {error}");
            return ExitCode::from(crate::frontend::EXIT_USAGE);
        }
    };
    editor.set_helper(Some(helper));
    let history = if options.no_history {
        None
    } else {
        history_path()
    };
    if let Some(path) = &history {
        let _ = editor.load_history(path);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    println!(
        "flow {} · :help for commands and builtins · Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match editor.readline("flow> ") {
            Ok(line) => {
                // On disk before the line runs: a session ended by a signal keeps its history.
                if let Some(path) = &history {
                    let _ = editor.append_history(path);
                }
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let busy = crate::signals::Busy::start();
                if trimmed.starts_with(':') {
                    if !repl.command(trimmed) {
                        break;
                    }
                } else {
                    repl.evaluate(&line);
                }
                drop(busy);
                let _ = std::io::stdout().flush();
                if crate::signals::exit_code().is_some() {
                    break;
                }
            }
            // Ctrl-C at the prompt clears the line.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                eprintln!("flow: {error}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.append_history(path);
    }
    ExitCode::SUCCESS
}
