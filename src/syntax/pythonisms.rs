//! Friendly answers for habits people bring from Python. Consulted only when a statement does
//! not parse, so valid flow is never second-guessed.

use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span};

struct Habit {
    code: &'static str,
    message: &'static str,
    label: &'static str,
    help: &'static str,
}

/// A diagnostic for the first Python habit found in a statement that failed to parse.
pub fn python_habit(statement: &str, source: SourceId, offset: usize) -> Option<Diagnostic> {
    let text = blank_strings(statement);
    let words = words(&text);
    let first = words.first().map(|w| w.2).unwrap_or("");
    let found = |range: (usize, usize), habit: Habit| {
        Some(
            Diagnostic::error(
                habit.code,
                habit.message,
                Span::new(source, offset + range.0, offset + range.1),
            )
            .with_label(habit.label)
            .with_help(habit.help),
        )
    };
    let word = |name: &str| words.iter().find(|w| w.2 == name).map(|w| (w.0, w.1));
    let ends_with_colon = text.trim_end().ends_with(':');

    if first == "def" {
        return found(
            (words[0].0, words[0].1),
            Habit {
                code: "flow::parse::python_def",
                message: "`def` is Python; flow defines functions with `fn`",
                label: "write `fn` here",
                help: "fn name(x, y=1) = x + y      or      fn name(x) { y = x * 2; y + 1 }",
            },
        );
    }
    if first == "import" || (first == "from" && word("import").is_some()) {
        return found((words[0].0, text.trim_end().len()), Habit {
            code: "flow::parse::python_import",
            message: "flow needs no imports",
            label: "arrays, datasets and dataframes are built in",
            help: "call functions directly (`ones`, `read_csv`, `open_mfdataset`); `use stats` loads a flow library module",
        });
    }
    if let Some(at) = word("lambda") {
        return found(
            at,
            Habit {
                code: "flow::parse::python_lambda",
                message: "`lambda` is Python; flow writes anonymous functions with `fn`",
                label: "write `fn(x) = …` here",
                help: "fn(x) = x + 1",
            },
        );
    }
    if let Some(at) = word("elif") {
        return found(
            at,
            Habit {
                code: "flow::parse::python_elif",
                message: "`elif` is Python; flow writes `else if`",
                label: "write `else if` here",
                help: "if x < 0 then \"negative\" else if x == 0 then \"zero\" else \"positive\"",
            },
        );
    }
    if let Some(at) = word("return") {
        return found(
            at,
            Habit {
                code: "flow::parse::python_return",
                message: "flow has no `return`: a function's value is its last expression",
                label: "remove `return`",
                help: "fn f(x) { y = x * 2; y + 1 }   returns y + 1",
            },
        );
    }
    if ends_with_colon
        && matches!(
            first,
            "if" | "for" | "while" | "with" | "try" | "else" | "class"
        )
    {
        let help = match first {
            "if" | "else" => "`if` is an expression: y = if c then a else b",
            "for" => "use a comprehension: ys = [f(x) for x in xs if x > 0]",
            "while" => "flow has no loops: use a comprehension, a reduction or recursion",
            _ => "flow has statements and expressions, not indented blocks",
        };
        return found(
            (words[0].0, text.trim_end().len()),
            Habit {
                code: "flow::parse::python_block",
                message: "flow has no `:` blocks",
                label: "Python-style block",
                help,
            },
        );
    }
    if let Some(at) = words.iter().find(|w| w.2 == "while").map(|w| (w.0, w.1)) {
        return found(
            at,
            Habit {
                code: "flow::parse::python_block",
                message: "flow has no `while` loops",
                label: "not flow",
                help: "use a comprehension, a reduction or recursion",
            },
        );
    }
    if first == "fn" {
        if let Some(at) = find_symbol(&text, "**").or_else(|| star_parameter(&text)) {
            return found(at, Habit {
                code: "flow::parse::python_star_args",
                message: "flow functions have no `*args` or `**kwargs`",
                label: "not a parameter",
                help: "name each parameter, with a default where it is optional: fn f(x, scale=1.0) = x * scale",
            });
        }
    }
    for (symbol, replacement) in [("&&", "and"), ("||", "or")] {
        if let Some(at) = find_symbol(&text, symbol) {
            return Some(
                Diagnostic::error(
                    "flow::parse::c_operator",
                    format!("`{symbol}` is not a flow operator; write `{replacement}`"),
                    Span::new(source, offset + at.0, offset + at.1),
                )
                .with_label(format!("write `{replacement}`"))
                .with_help("flow's boolean operators are `and`, `or` and `not`"),
            );
        }
    }
    if let Some(at) = bang(&text) {
        return found(
            at,
            Habit {
                code: "flow::parse::c_operator",
                message: "`!` is not a flow operator; write `not`",
                label: "write `not`",
                help: "flow's boolean operators are `and`, `or` and `not`",
            },
        );
    }
    for symbol in ["+=", "-=", "*=", "/="] {
        if let Some(at) = find_symbol(&text, symbol) {
            return found(
                at,
                Habit {
                    code: "flow::parse::in_place_update",
                    message: "flow has no in-place update",
                    label: "not an operator",
                    help: "bind the new value: x = x + 1",
                },
            );
        }
    }
    if first == "print"
        && words.get(1).is_some_and(|w| !text[w.0..].starts_with('('))
        && !text.contains("print(")
    {
        return found(
            (words[0].0, words[0].1),
            Habit {
                code: "flow::parse::python2_print",
                message: "`print` is a function",
                label: "add parentheses",
                help: "print(x)",
            },
        );
    }
    if let (Some(at_if), Some(_), None) = (
        words.iter().skip(1).find(|w| w.2 == "if"),
        word("else"),
        word("then"),
    ) {
        if first != "if" && word("for").is_none() {
            return found(
                (at_if.0, at_if.1),
                Habit {
                    code: "flow::parse::python_ternary",
                    message: "flow writes conditional expressions as `if c then a else b`",
                    label: "Python's `a if c else b`",
                    help: "y = if x > 0 then x else 0",
                },
            );
        }
    }
    None
}

/// `text` with the contents of string literals replaced by spaces, so habits inside strings
/// are not mistaken for code.
fn blank_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    out.push(c);
                    continue;
                }
                for _ in 0..c.len_utf8() {
                    out.push(' ');
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

fn words(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let is_word = c.is_alphanumeric() || c == '_';
        match (start, is_word) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((s, i, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn find_symbol(text: &str, symbol: &str) -> Option<(usize, usize)> {
    text.find(symbol).map(|at| (at, at + symbol.len()))
}

/// A `*name` parameter (but not `**`, handled separately, nor multiplication).
fn star_parameter(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find_map(|i| {
        // `*` is ASCII, so `i` is a char boundary when it matches.
        (bytes[i] == b'*' && text[..i].trim_end().ends_with(['(', ','])).then_some((i, i + 1))
    })
}

/// A `!` that is not part of `!=`.
fn bang(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b'!' && bytes.get(i + 1) != Some(&b'='))
        .map(|i| (i, i + 1))
}
