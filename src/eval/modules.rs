//! Modules for `use`: the standard library written in flow (stdlib/*.flow, embedded in the
//! binary) and files next to the script.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The stdlib modules, by name.
static STDLIB: &[(&str, &str)] = &[("stats", include_str!("../../stdlib/stats.flow"))];

pub fn stdlib_source(name: &str) -> Option<&'static str> {
    STDLIB
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

pub fn stdlib_names() -> Vec<&'static str> {
    STDLIB.iter().map(|(n, _)| *n).collect()
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

/// `use "lib/helpers.flow"` binds `helpers`.
pub fn module_name_of_path(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
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
