//! Golden tests: every `tests/golden/<group>/NAME.flow` is run through the real `flow` binary and
//! its output compared with `NAME.stdout` and `NAME.stderr` beside it.
//!
//! Directives in the script's leading comments:
//! - `# args: check` — the subcommand and flags (default `run`); the file name is appended unless
//!   the arguments contain `{file}`.
//! - `# exit: N` — the expected exit code (default 0).
//!
//! A missing expected file is created from the actual output. `FLOW_BLESS=1 cargo test --test
//! golden` rewrites them all; review the diff before committing.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let trials = files
        .into_iter()
        .map(|file| {
            let name = file
                .strip_prefix(&root)
                .unwrap()
                .with_extension("")
                .display()
                .to_string();
            Trial::test(name, move || run_case(&file))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("tests/golden exists") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
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

fn run_case(file: &Path) -> Result<(), Failed> {
    let script = std::fs::read_to_string(file).unwrap_or_default();
    let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
    let directives = directives(&script, &file_name);
    let output = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(&directives.args)
        .current_dir(file.parent().unwrap())
        .env("NO_COLOR", "1")
        .env_remove("FLOW_BLESS")
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
        if let Some(problem) = compare(&file.with_extension(extension), actual) {
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

fn compare(expected_path: &Path, actual: &str) -> Option<String> {
    let bless = std::env::var_os("FLOW_BLESS").is_some();
    let expected = std::fs::read_to_string(expected_path).ok();
    match expected {
        Some(expected) if expected == actual => None,
        None if actual.is_empty() => None,
        _ if bless || !expected_path.exists() => {
            if actual.is_empty() {
                let _ = std::fs::remove_file(expected_path);
            } else {
                std::fs::write(expected_path, actual).expect("write expected output");
            }
            None
        }
        Some(expected) => Some(format!(
            "{} differs:\n{}",
            expected_path.display(),
            diff(&expected, actual)
        )),
        None => None,
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
