//! What the REPL and the notebook kernel complete and describe: the names, members, keyword
//! arguments, frame columns and dataset variables a session knows (refreshed after each input),
//! and the candidates for the text before a cursor.

use crate::builtins;
use crate::eval::Value;
use crate::session::Session;
use std::collections::HashMap;

pub const KEYWORDS: &[&str] = &[
    "fn", "if", "then", "else", "for", "in", "and", "or", "not", "true", "false", "none", "use",
    "as",
];

/// What completion knows about the session, refreshed after each input.
#[derive(Default)]
pub struct Known {
    pub names: Vec<String>,
    /// Members after `name.`: methods and properties, module members, record fields.
    pub members: HashMap<String, Vec<String>>,
    /// Parameters of callable names, for `name(keyword=`.
    pub parameters: HashMap<String, Vec<String>>,
    /// Columns of the frames bound, for `col("` and `df["`.
    pub columns: Vec<String>,
}

fn members_of(value: &Value) -> Vec<String> {
    let mut out: Vec<String> = builtins::LIBRARY
        .method_names(value)
        .into_iter()
        .map(String::from)
        .collect();
    match value {
        Value::Array(_) => out
            .extend(["shape", "dtype", "ndim", "size", "nbytes", "chunks", "T"].map(String::from)),
        Value::Labelled(l) => {
            out.extend(
                [
                    "shape", "dtype", "ndim", "size", "nbytes", "chunks", "T", "dims", "sizes",
                    "coords", "attrs", "name", "values", "data",
                ]
                .map(String::from),
            );
            out.extend(l.coords.iter().map(|c| c.name.clone()));
        }
        Value::Dataset(ds) => {
            out.extend(ds.variable_names().map(String::from));
            out.extend(ds.coords.iter().map(|c| c.name.clone()));
            out.extend(
                ["dims", "sizes", "coords", "attrs", "data_vars", "nbytes"].map(String::from),
            );
        }
        Value::Frame(frame) => {
            out.extend(frame.schema.iter().map(|(n, _)| n.clone()));
            out.extend(["columns", "schema", "dtypes", "partitions"].map(String::from));
        }
        Value::Module(module) => out.extend(module.names()),
        Value::Record(fields) => out.extend(fields.iter().map(|(k, _)| k.clone())),
        _ => {}
    }
    out.sort();
    out.dedup();
    out
}

fn parameters_of(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Function(closure) => Some(
            closure
                .signature
                .params
                .iter()
                .map(|p| p.name.clone())
                .collect(),
        ),
        Value::Builtin(builtin) => Some(
            builtins::LIBRARY
                .signature(builtin)
                .params
                .iter()
                .filter(|p| !p.variadic && !p.keywords)
                .map(|p| p.name.clone())
                .collect(),
        ),
        _ => None,
    }
}

/// What completion knows of `session` now (after each input).
pub fn refresh(known: &mut Known, session: &Session) {
    let bound = session.bound_names();
    known.members.clear();
    known.parameters.clear();
    known.columns.clear();
    for name in &bound {
        if let Some(value) = session.checked_value(name) {
            let members = members_of(&value);
            if !members.is_empty() {
                known.members.insert(name.clone(), members);
            }
            if let Value::Frame(frame) = &value {
                known
                    .columns
                    .extend(frame.schema.iter().map(|(n, _)| n.clone()));
            }
            // `ds.adt.` completes too: the members of each variable and coordinate.
            if let Value::Dataset(ds) = &value {
                let span = crate::source::Span::new(crate::source::SourceId(0), 0, 0);
                for v in &ds.variables {
                    let member = Value::Labelled(std::sync::Arc::new(v.clone()));
                    let path = format!("{name}.{}", v.name.as_deref().unwrap_or(""));
                    known.members.insert(path, members_of(&member));
                }
                for c in &ds.coords {
                    let member = Value::Labelled(std::sync::Arc::new(c.to_labelled(span)));
                    known
                        .members
                        .insert(format!("{name}.{}", c.name), members_of(&member));
                }
            }
            if let Some(params) = parameters_of(&value) {
                known.parameters.insert(name.clone(), params);
            }
        }
    }
    for builtin in builtins::table().iter().filter(|b| b.receiver.is_none()) {
        let params = builtins::LIBRARY
            .signature(builtin)
            .params
            .iter()
            .filter(|p| !p.variadic && !p.keywords)
            .map(|p| p.name.clone())
            .collect();
        known
            .parameters
            .entry(builtin.name.to_string())
            .or_insert(params);
    }
    if let Some(Value::Module(random)) = builtins::LIBRARY.namespace("random") {
        known.members.insert("random".into(), random.names());
    }
    let mut names: Vec<String> = bound;
    names.extend(builtins::LIBRARY.global_names().map(String::from));
    names.extend(KEYWORDS.iter().map(|k| k.to_string()));
    names.sort();
    names.dedup();
    known.names = names;
}

pub fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Is `pos` inside a string literal of `line`?
fn in_string(line: &str, pos: usize) -> bool {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line[..pos].chars() {
        match quote {
            Some(q) if !escaped && c == q => quote = None,
            Some(_) => escaped = !escaped && c == '\\',
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    quote.is_some()
}

/// The function whose call the cursor is in: the name before the innermost open `(`.
fn enclosing_call(before: &str) -> Option<&str> {
    let mut depth = 0i32;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '[' | '{' if depth > 0 => depth -= 1,
            '(' if depth > 0 => depth -= 1,
            '(' => {
                let name_start = before[..i]
                    .rfind(|c: char| !is_word(c))
                    .map_or(0, |p| p + 1);
                let name = &before[name_start..i];
                return (!name.is_empty()).then_some(name);
            }
            '[' | '{' => return None,
            _ => {}
        }
    }
    None
}

/// The type of a value as `:type` and `:vars` show it.
pub fn type_text(value: &Value) -> String {
    match value {
        Value::Array(array) => array.type_text(),
        Value::Labelled(l) => crate::dataset::display::type_text(l),
        Value::Dataset(ds) => format!("dataset {}", ds.describe_dims()),
        Value::Frame(frame) => frame.summary(),
        other => other.type_name(),
    }
}

/// What may follow the text before a cursor.
pub enum Completion {
    /// Candidates replacing the text from a byte offset to the cursor.
    Items(usize, Vec<Candidate>),
    /// The cursor is in a string that is no column name: a file path.
    Path,
}

pub struct Candidate {
    pub display: String,
    pub replacement: String,
}

/// The candidates at byte `pos` of `line`: members after `name.`, keyword arguments inside a
/// call, columns in `col("` and `df["`, stdlib modules after `use`, `commands` after a leading
/// `:`, else names.
pub fn complete(known: &Known, line: &str, pos: usize, commands: &[&str]) -> Completion {
    if in_string(line, pos) {
        // `col("` and `df["`: the columns of the frames bound; elsewhere, file paths.
        let before = &line[..pos];
        if let Some(quote) = before.rfind('"') {
            let opener = before[..quote].trim_end();
            if opener.ends_with("col(") || opener.ends_with('[') {
                let typed = &before[quote + 1..];
                let mut columns: Vec<Candidate> = known
                    .columns
                    .iter()
                    .filter(|c| c.starts_with(typed))
                    .map(|c| Candidate {
                        display: c.clone(),
                        replacement: format!("{c}\""),
                    })
                    .collect();
                columns.dedup_by(|a, b| a.display == b.display);
                if !columns.is_empty() {
                    return Completion::Items(quote + 1, columns);
                }
            }
        }
        return Completion::Path;
    }
    let before = &line[..pos];
    let start = before
        .rfind(|c: char| !is_word(c) && c != ':')
        .map_or(0, |p| p + 1);
    let word = &before[start..];
    let candidates = |items: &mut dyn Iterator<Item = String>| -> Vec<Candidate> {
        items
            .filter(|c| c.starts_with(word))
            .map(|c| Candidate {
                display: c.clone(),
                replacement: c,
            })
            .collect()
    };
    if start == 0 && word.starts_with(':') {
        return Completion::Items(0, candidates(&mut commands.iter().map(|c| c.to_string())));
    }
    if start > 0 && before[..start].ends_with('.') {
        let object_end = start - 1;
        let object_start = before[..object_end]
            .rfind(|c: char| !is_word(c) && c != '.')
            .map_or(0, |p| p + 1);
        let object = &before[object_start..object_end];
        let members = known.members.get(object).cloned().unwrap_or_default();
        return Completion::Items(start, candidates(&mut members.into_iter()));
    }
    let mut found = Vec::new();
    if before[..start].trim_end().ends_with("use") {
        let modules = crate::eval::modules::stdlib_names()
            .into_iter()
            .map(String::from);
        return Completion::Items(start, candidates(&mut modules.into_iter()));
    }
    if let Some(function) = enclosing_call(before) {
        if let Some(params) = known.parameters.get(function) {
            found.extend(candidates(&mut params.iter().map(|p| format!("{p}="))));
        }
    }
    found.extend(candidates(&mut known.names.iter().cloned()));
    Completion::Items(start, found)
}
