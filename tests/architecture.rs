//! The house keeps its layers: ARCHITECTURE.md names the order of the modules of `src/`, lowest
//! first, and no module may use one above it (`crate::…` paths, in `use` or in code). There is no
//! list of exceptions. The same test keeps the module table honest: every room of `src/` is in
//! the order, and nothing in the order is missing from `src/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layer line of ARCHITECTURE.md: "layers: a < b, c < d …" — modules separated by `<`
/// (each above the ones before), and by `,` within one layer (which may not use each other).
/// `lib` stands for the stage functions of `src/lib.rs` (`crate::parse`, `crate::check`, …).
fn layers() -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let line = text
        .lines()
        .find_map(|l| l.trim().trim_matches('`').strip_prefix("layers:"))
        .expect("ARCHITECTURE.md has a line `layers: source < …`");
    line.split('<')
        .map(|layer| {
            layer
                .split(',')
                .map(|m| m.trim().trim_end_matches('`').to_string())
                .filter(|m| !m.is_empty())
                .collect()
        })
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/graph/lower.rs` → `graph`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The modules a file's code names as `crate::module` (comments left out).
fn used_modules(text: &str) -> Vec<(usize, String)> {
    let mut used = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // `crate::{a, b}` names several.
            if after.starts_with('{') {
                let list = after[1..].split('}').next().unwrap_or("");
                for item in list.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        used.push((number + 1, name));
                    }
                }
            } else if !name.is_empty() {
                // `crate::check(…)` calls a stage function of lib.rs; `crate::check::x` is
                // the module.
                let called = after[name.len()..].starts_with('(');
                used.push((number + 1, if called { "lib".to_string() } else { name }));
            }
            rest = after;
        }
    }
    used
}

#[test]
fn no_module_uses_a_layer_above_it() {
    let layers = layers();
    let level: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(k, layer)| layer.iter().map(move |m| (m.as_str(), k)))
        .collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(&own) = level.get(module.as_str()) else {
            problems.push(format!(
                "src/{module} is not in the layers of ARCHITECTURE.md"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, used) in used_modules(&text) {
            if used == module {
                continue;
            }
            match level.get(used.as_str()) {
                Some(&theirs) if theirs < own => {}
                Some(&theirs) => problems.push(format!(
                    "{}:{line}: `{module}` uses `{used}`, which is {} it",
                    file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap()
                        .display(),
                    if theirs == own {
                        "in the same layer as"
                    } else {
                        "above"
                    }
                )),
                None => problems.push(format!(
                    "{}:{line}: `crate::{used}` is not a module in the layers",
                    file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap()
                        .display()
                )),
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_module_is_in_the_layers() {
    let layers = layers();
    let listed: Vec<&String> = layers.iter().flatten().collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut rooms: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.trim_end_matches(".rs").to_string()
        })
        .filter(|n| n != "lib" && n != "main")
        .collect();
    rooms.push("lib".into());
    rooms.sort();
    for room in &rooms {
        assert!(
            listed.contains(&room),
            "src/{room} is not in the layers of ARCHITECTURE.md"
        );
    }
    for name in listed {
        assert!(
            rooms.contains(name),
            "the layers name `{name}`, which is not in src/"
        );
    }
}

#[test]
fn no_function_is_longer_than_150_lines() {
    // Tables (the builtin table, the golden list of formats) are data, not logic: a function
    // may run long only when it is one table literal, which it says by its name ending in
    // `table`.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim_start();
            let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn "]
                .iter()
                .any(|p| trimmed.starts_with(p));
            let one_line = trimmed.ends_with('}')
                && trimmed.matches('{').count() == trimmed.matches('}').count();
            if is_fn && !trimmed.ends_with(';') && !one_line {
                let name: String = trimmed
                    .split("fn ")
                    .nth(1)
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let end = (i..lines.len())
                    .find(|&j| {
                        let l = lines[j];
                        l.len() - l.trim_start().len() == indent && l.trim_start().starts_with('}')
                    })
                    .unwrap_or(i);
                let length = end - i + 1;
                if length > 150 && !name.ends_with("table") {
                    long.push(format!(
                        "{}:{}: `{name}` is {length} lines",
                        file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                            .unwrap()
                            .display(),
                        i + 1
                    ));
                }
            }
            i += 1;
        }
    }
    assert!(
        long.is_empty(),
        "functions over 150 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn eval_is_at_most_a_quarter_of_the_code() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let lines = |f: &PathBuf| std::fs::read_to_string(f).unwrap().lines().count();
    let total: usize = files.iter().map(lines).sum();
    let eval: usize = files
        .iter()
        .filter(|f| module_of(&src, f) == "eval")
        .map(lines)
        .sum();
    assert!(
        eval * 4 <= total,
        "src/eval holds {eval} of {total} lines ({:.0} %)",
        100.0 * eval as f64 / total as f64
    );
}
