//! Modules for `use`: the standard library written in flow (stdlib/*.flow, embedded in the
//! binary) and files next to the script.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The stdlib modules, by name.
static STDLIB: &[(&str, &str)] = &[
    ("frames", include_str!("../../stdlib/frames.flow")),
    ("grid", include_str!("../../stdlib/grid.flow")),
    ("stats", include_str!("../../stdlib/stats.flow")),
];

pub fn stdlib_source(name: &str) -> Option<&'static str> {
    STDLIB
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

pub fn stdlib_names() -> Vec<&'static str> {
    STDLIB.iter().map(|(n, _)| *n).collect()
}

/// `:help stats.zscore`: the signature and doc comment of a stdlib function.
pub fn stdlib_help(name: &str) -> Option<String> {
    let (module, function) = name.split_once('.')?;
    let text = stdlib_source(module)?;
    let doc = doc_comments(text).remove(function)?;
    let signature = text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("fn ")?;
        let name_end = rest.find('(')?;
        (rest[..name_end].trim() == function).then(|| {
            let close = rest.find(')').map_or(rest.len(), |p| p + 1);
            format!("{module}.{}", &rest[..close])
        })
    })?;
    Some(format!("{signature}\n  {}", doc.replace('\n', "\n  ")))
}

/// docs/stdlib.md, generated from the modules' doc comments (a test keeps the file current).
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# The standard library\n\nModules written in flow (`stdlib/*.flow`, embedded in the binary), loaded with \
         `use NAME`. Generated from their doc comments (`FLOW_BLESS=1 cargo test --test docs` rewrites it); the REPL's \
         `:help module.function` shows the same.\n",
    );
    for name in stdlib_names() {
        let text = stdlib_source(name).expect("listed");
        let intro: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim())
            .collect();
        out.push_str(&format!("\n## {name}\n\n{}\n\n", intro.join(" ")));
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("fn ") else {
                continue;
            };
            let function: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if let Some(help) = stdlib_help(&format!("{name}.{function}")) {
                let (signature, doc) = help.split_once('\n').unwrap_or((&help, ""));
                out.push_str(&format!(
                    "- `{signature}` — {}\n",
                    doc.trim().replace("\n  ", " ")
                ));
            }
        }
    }
    out
}

/// Why `path` cannot be used as a module, if it cannot: `use` reads only flow scripts (a `.flow`
/// name; not a directory or device), so no other file is ever parsed and echoed in errors.
pub fn not_a_script(path: &Path) -> Option<&'static str> {
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Some("is a directory, not a flow script");
    }
    if !path.extension().is_some_and(|e| e == "flow") {
        return Some("is not a flow script (its name does not end in .flow)");
    }
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Some("is not a regular file"),
        _ => None,
    }
}

/// A `use "path"` relative to the directory of the file that contains it.
pub fn resolve_path(using_file: &str, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match Path::new(using_file).parent() {
        Some(dir) if !using_file.starts_with('<') => dir.join(path),
        _ => path.to_path_buf(),
    }
}

/// The `#` comment lines directly above each `fn name`, joined: what `:help module.name` shows.
pub fn doc_comments(text: &str) -> HashMap<String, String> {
    let mut docs = HashMap::new();
    let mut pending: Vec<&str> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(comment) = trimmed.strip_prefix('#') {
            pending.push(comment.trim());
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !pending.is_empty() {
                docs.insert(name, pending.join("\n"));
            }
        }
        pending.clear();
    }
    docs
}
