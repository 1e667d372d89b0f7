//! Friendly answers for habits people bring from Python. Consulted only when a statement does
//! not parse, so valid flow is never second-guessed.

use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span};

/// What to say about a habit found at a range of the statement.
struct Habit {
    code: &'static str,
    message: String,
    label: String,
    help: &'static str,
}

fn habit(code: &'static str, message: &str, label: &str, help: &'static str) -> Habit {
    Habit {
        code,
        message: message.into(),
        label: label.into(),
        help,
    }
}

/// A statement that did not parse, with its strings blanked and split into words.
struct Statement<'t> {
    text: &'t str,
    words: Vec<(usize, usize, &'t str)>,
}

impl Statement<'_> {
    fn first(&self) -> &str {
        self.words.first().map(|w| w.2).unwrap_or("")
    }

    /// Where the word `name` first is.
    fn word(&self, name: &str) -> Option<(usize, usize)> {
        self.words.iter().find(|w| w.2 == name).map(|w| (w.0, w.1))
    }

    /// The first word, or from the first word to the end.
    fn first_word(&self) -> (usize, usize) {
        (self.words[0].0, self.words[0].1)
    }

    fn whole(&self) -> (usize, usize) {
        (self.words[0].0, self.text.trim_end().len())
    }
}

type Found = Option<((usize, usize), Habit)>;

/// The habits looked for, in order: the first found is reported.
const HABITS: &[fn(&Statement) -> Found] = &[
    def,
    import,
    lambda,
    elif,
    return_statement,
    colon_block,
    while_loop,
    star_arguments,
    c_logical_operator,
    bang_operator,
    in_place_update,
    python2_print,
    python_ternary,
];

/// A diagnostic for the first Python habit found in a statement that failed to parse.
pub fn python_habit(statement: &str, source: SourceId, offset: usize) -> Option<Diagnostic> {
    let text = blank_strings(statement);
    let statement = Statement {
        text: &text,
        words: words(&text),
    };
    let ((start, end), habit) = HABITS.iter().find_map(|find| find(&statement))?;
    Some(
        Diagnostic::error(
            habit.code,
            habit.message,
            Span::new(source, offset + start, offset + end),
        )
        .with_label(habit.label)
        .with_help(habit.help),
    )
}

fn def(s: &Statement) -> Found {
    (s.first() == "def").then(|| {
        let h = habit(
            "flow::parse::python_def",
            "`def` is Python; flow defines functions with `fn`",
            "write `fn` here",
            "fn name(x, y=1) = x + y      or      fn name(x) { y = x * 2; y + 1 }",
        );
        (s.first_word(), h)
    })
}

fn import(s: &Statement) -> Found {
    let first = s.first();
    (first == "import" || (first == "from" && s.word("import").is_some())).then(|| {
        let h = habit(
            "flow::parse::python_import",
            "flow needs no imports",
            "arrays, datasets and dataframes are built in",
            "call functions directly (`ones`, `read_csv`, `open_mfdataset`); `use stats` loads a flow library module",
        );
        (s.whole(), h)
    })
}

fn lambda(s: &Statement) -> Found {
    let h = habit(
        "flow::parse::python_lambda",
        "`lambda` is Python; flow writes anonymous functions with `fn`",
        "write `fn(x) = …` here",
        "fn(x) = x + 1",
    );
    s.word("lambda").map(|at| (at, h))
}

fn elif(s: &Statement) -> Found {
    let h = habit(
        "flow::parse::python_elif",
        "`elif` is Python; flow writes `else if`",
        "write `else if` here",
        "if x < 0 then \"negative\" else if x == 0 then \"zero\" else \"positive\"",
    );
    s.word("elif").map(|at| (at, h))
}

fn return_statement(s: &Statement) -> Found {
    let h = habit(
        "flow::parse::python_return",
        "flow has no `return`: a function's value is its last expression",
        "remove `return`",
        "fn f(x) { y = x * 2; y + 1 }   returns y + 1",
    );
    s.word("return").map(|at| (at, h))
}

fn colon_block(s: &Statement) -> Found {
    let first = s.first();
    let block = matches!(
        first,
        "if" | "for" | "while" | "with" | "try" | "else" | "class"
    );
    if !(block && s.text.trim_end().ends_with(':')) {
        return None;
    }
    let help = match first {
        "if" | "else" => "`if` is an expression: y = if c then a else b",
        "for" => "use a comprehension: ys = [f(x) for x in xs if x > 0]",
        "while" => "flow has no loops: use a comprehension, a reduction or recursion",
        _ => "flow has statements and expressions, not indented blocks",
    };
    let h = habit(
        "flow::parse::python_block",
        "flow has no `:` blocks",
        "Python-style block",
        help,
    );
    Some((s.whole(), h))
}

fn while_loop(s: &Statement) -> Found {
    let h = habit(
        "flow::parse::python_block",
        "flow has no `while` loops",
        "not flow",
        "use a comprehension, a reduction or recursion",
    );
    s.word("while").map(|at| (at, h))
}

fn star_arguments(s: &Statement) -> Found {
    if s.first() != "fn" {
        return None;
    }
    let at = find_symbol(s.text, "**").or_else(|| star_parameter(s.text))?;
    let h = habit(
        "flow::parse::python_star_args",
        "flow functions have no `*args` or `**kwargs`",
        "not a parameter",
        "name each parameter, with a default where it is optional: fn f(x, scale=1.0) = x * scale",
    );
    Some((at, h))
}

fn c_logical_operator(s: &Statement) -> Found {
    [("&&", "and"), ("||", "or")]
        .into_iter()
        .find_map(|(symbol, replacement)| {
            let at = find_symbol(s.text, symbol)?;
            let h = Habit {
                code: "flow::parse::c_operator",
                message: format!("`{symbol}` is not a flow operator; write `{replacement}`"),
                label: format!("write `{replacement}`"),
                help: "flow's boolean operators are `and`, `or` and `not`",
            };
            Some((at, h))
        })
}

fn bang_operator(s: &Statement) -> Found {
    let h = habit(
        "flow::parse::c_operator",
        "`!` is not a flow operator; write `not`",
        "write `not`",
        "flow's boolean operators are `and`, `or` and `not`",
    );
    bang(s.text).map(|at| (at, h))
}

fn in_place_update(s: &Statement) -> Found {
    let at = ["+=", "-=", "*=", "/="]
        .iter()
        .find_map(|symbol| find_symbol(s.text, symbol))?;
    let h = habit(
        "flow::parse::in_place_update",
        "flow has no in-place update",
        "not an operator",
        "bind the new value: x = x + 1",
    );
    Some((at, h))
}

fn python2_print(s: &Statement) -> Found {
    let bare = s.first() == "print"
        && s.words
            .get(1)
            .is_some_and(|w| !s.text[w.0..].starts_with('('))
        && !s.text.contains("print(");
    bare.then(|| {
        let h = habit(
            "flow::parse::python2_print",
            "`print` is a function",
            "add parentheses",
            "print(x)",
        );
        (s.first_word(), h)
    })
}

fn python_ternary(s: &Statement) -> Found {
    let at_if = s.words.iter().skip(1).find(|w| w.2 == "if")?;
    let ternary = s.word("else").is_some()
        && s.word("then").is_none()
        && s.first() != "if"
        && s.word("for").is_none();
    ternary.then(|| {
        let h = habit(
            "flow::parse::python_ternary",
            "flow writes conditional expressions as `if c then a else b`",
            "Python's `a if c else b`",
            "y = if x > 0 then x else 0",
        );
        ((at_if.0, at_if.1), h)
    })
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
