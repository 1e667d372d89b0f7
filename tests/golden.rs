//! Golden tests: every `tests/golden/<group>/NAME.flow` is run through the real `flow` binary and
//! its output compared with `NAME.stdout` and `NAME.stderr` beside it. Each expected file starts
//! with a header line naming the command that rewrites it; no file means no output.
//!
//! Directives in the script's leading comments:
//! - `# args: check` — the subcommand and flags (default `run`); the file name is appended unless
//!   the arguments contain `{file}`.
//! - `# exit: N` — the expected exit code (default 0).
//!
//! Every case runs twice, one run after the other (scripts write files): as it is, and with
//! `FLOW_TASKS_ROUND_TRIP=1`, which writes every task graph out and reads it back before it runs
//! — the outputs must be the same bytes, proving every task is plain data.
//!
//! A missing or different expected file fails the case. `FLOW_BLESS=1 cargo test --test golden`
//! writes them all (or `-- NAME` some); review the diff before committing.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut trials = Vec::new();
    for file in files {
        let name = file
            .strip_prefix(&root)
            .unwrap()
            .with_extension("")
            .display()
            .to_string();
        trials.push(Trial::test(name, move || {
            run_case(&file, false)?;
            run_case(&file, true).map_err(|failed| {
                let message = failed.message().unwrap_or_default();
                format!("with every task graph written out and read back:\n{message}").into()
            })
        }));
    }
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("tests/golden exists") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // `lib/` holds the modules cases `use`, not cases.
            if !path.ends_with("lib") {
                collect(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "flow") {
            out.push(path);
        }
    }
}

struct Directives {
    args: Vec<String>,
    exit: i32,
}

fn directives(script: &str, file_name: &str) -> Directives {
    let mut args: Option<Vec<String>> = None;
    let mut exit = 0;
    for line in script.lines().take_while(|l| l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("# args:") {
            args = Some(split_arguments(rest.trim()));
        } else if let Some(rest) = line.strip_prefix("# exit:") {
            exit = rest.trim().parse().expect("# exit: takes a number");
        }
    }
    let mut args = args.unwrap_or_else(|| vec!["run".to_string()]);
    if args.iter().any(|a| a.contains("{file}")) {
        args = args
            .into_iter()
            .map(|a| a.replace("{file}", file_name))
            .collect();
    } else {
        args.push(file_name.to_string());
    }
    Directives { args, exit }
}

/// Split on spaces, keeping single-quoted pieces together.
fn split_arguments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn run_case(file: &Path, round_trip: bool) -> Result<(), Failed> {
    let script = std::fs::read_to_string(file).unwrap_or_default();
    let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
    let directives = directives(&script, &file_name);
    let mut command = Command::new(env!("CARGO_BIN_EXE_flow"));
    command
        .args(&directives.args)
        .current_dir(file.parent().unwrap())
        .env("NO_COLOR", "1")
        .env_remove("FLOW_BLESS")
        .env_remove("FLOW_TASKS_ROUND_TRIP");
    if round_trip {
        command.env("FLOW_TASKS_ROUND_TRIP", "1");
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot start flow: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut problems = Vec::new();
    let code = output.status.code().unwrap_or(-1);
    if code != directives.exit {
        problems.push(format!("exit code {code}, expected {}", directives.exit));
    }
    for (extension, actual) in [("stdout", &stdout), ("stderr", &stderr)] {
        // The round trip compares with the same files, and never writes them.
        if let Some(problem) = compare(file, extension, actual, !round_trip) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n--- stdout ---\n{stdout}--- stderr ---\n{stderr}\n(FLOW_BLESS=1 cargo test --test golden rewrites the expected files)",
            problems.join("\n")
        )
        .into())
    }
}

/// The first line of every expected file.
fn header(file: &Path) -> String {
    let name = file
        .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden"))
        .unwrap_or(file)
        .with_extension("");
    format!(
        "# expected output of {}.flow; rewrite: FLOW_BLESS=1 cargo test --test golden -- {}\n",
        name.display(),
        name.display()
    )
}

fn compare(file: &Path, extension: &str, actual: &str, may_bless: bool) -> Option<String> {
    let expected_path = file.with_extension(extension);
    let bless = may_bless && std::env::var_os("FLOW_BLESS").is_some();
    let header = header(file);
    let written = std::fs::read_to_string(&expected_path).ok();
    let expected = written
        .as_deref()
        .map(|text| text.strip_prefix(&header).unwrap_or(text));
    match expected {
        Some(expected)
            if expected == actual && written.as_deref().is_some_and(|w| w.starts_with(&header)) =>
        {
            None
        }
        None if actual.is_empty() => None,
        _ if bless => {
            if actual.is_empty() {
                let _ = std::fs::remove_file(&expected_path);
            } else {
                std::fs::write(&expected_path, format!("{header}{actual}"))
                    .expect("write expected output");
            }
            None
        }
        None => Some(format!(
            "{} is missing; the output was:\n{actual}",
            expected_path.display()
        )),
        Some(expected) if expected == actual => Some(format!(
            "{} does not start with its header line",
            expected_path.display()
        )),
        Some(expected) => Some(format!(
            "{} differs:\n{}",
            expected_path.display(),
            diff(expected, actual)
        )),
    }
}

fn diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..expected.len().max(actual.len()) {
        match (expected.get(i), actual.get(i)) {
            (Some(e), Some(a)) if e == a => {}
            (e, a) => {
                if let Some(e) = e {
                    out.push_str(&format!("-{e}\n"));
                }
                if let Some(a) = a {
                    out.push_str(&format!("+{a}\n"));
                }
            }
        }
    }
    out
}
