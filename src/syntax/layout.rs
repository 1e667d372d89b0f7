//! The layout pass: decides where statements end, before pest sees the text.
//!
//! Newlines end statements, except inside `(…)`, `[…]` and record braces, after a line that
//! ends in a binary operator or `,`, and before a line that starts with `|>`, `.name`, `then` or
//! `else`. Such newlines, and every comment, are replaced by spaces of the same byte length, so
//! spans into the normalised text are spans into the original. The pass also splits the file
//! into top-level statements (so one bad statement does not hide the next one's errors), checks
//! that brackets balance, and refuses nesting deeper than [`MAX_NESTING`] (instead of letting a
//! recursive parser overflow its stack).

use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span};
use std::ops::Range;

/// Deepest bracket nesting accepted.
pub const MAX_NESTING: usize = 200;

pub struct Layout {
    /// The source with comments blanked and continuation newlines turned into spaces.
    pub text: String,
    /// Byte ranges of the top-level statements that are worth parsing.
    pub statements: Vec<Range<usize>>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy)]
struct Open {
    bracket: u8,
    at: usize,
    /// A `{` right after `)` opens a function body: newlines inside it separate statements.
    is_block: bool,
}

pub fn layout(source: &str, source_id: SourceId) -> Layout {
    let bytes = source.as_bytes();
    let mut scan = Scan {
        bytes,
        out: bytes.to_vec(),
        stack: Vec::new(),
        diagnostics: Vec::new(),
        statements: Vec::new(),
        statement_start: 0,
        statement_broken: false,
        source_id,
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = scan.comment(i);
                continue;
            }
            quote @ (b'"' | b'\'') => {
                i = scan.string(i, quote);
                continue;
            }
            byte @ (b'(' | b'[' | b'{') => scan.open(i, byte),
            byte @ (b')' | b']' | b'}') => scan.close(i, byte),
            b'\n' => scan.newline(i),
            b';' if scan.stack.is_empty() => scan.end_statement(i),
            _ => {}
        }
        i += 1;
    }
    scan.unclosed();
    scan.end_statement(bytes.len());
    // Only ASCII bytes and whole comments were replaced by ASCII spaces: still valid UTF-8.
    let text = String::from_utf8(scan.out).unwrap_or_else(|_| source.to_string());
    Layout {
        text,
        statements: scan.statements,
        diagnostics: scan.diagnostics,
    }
}

/// The layout pass's state as it walks the source.
struct Scan<'s> {
    bytes: &'s [u8],
    /// The normalised text so far.
    out: Vec<u8>,
    /// The brackets open.
    stack: Vec<Open>,
    diagnostics: Vec<Diagnostic>,
    statements: Vec<Range<usize>>,
    statement_start: usize,
    /// The statement holds a bracket error: not worth parsing.
    statement_broken: bool,
    source_id: SourceId,
}

impl Scan<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source_id, start, end)
    }

    /// Blank a comment from `i` to the end of its line; where the scan goes on.
    fn comment(&mut self, mut i: usize) -> usize {
        while i < self.bytes.len() && self.bytes[i] != b'\n' {
            self.out[i] = b' ';
            i += 1;
        }
        i
    }

    /// Skip a string literal opened by `quote` at `i`; where the scan goes on.
    fn string(&mut self, mut i: usize, quote: u8) -> usize {
        let bytes = self.bytes;
        let raw = i > 0 && bytes[i - 1] == b'r' && !(i > 1 && is_ident_byte(bytes[i - 2]));
        i += 1;
        while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
            if bytes[i] == b'\\' && !raw && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                i += 1;
            }
            i += 1;
        }
        if i < bytes.len() && bytes[i] == quote {
            i += 1;
        }
        i
    }

    fn open(&mut self, i: usize, byte: u8) {
        let is_block = byte == b'{' && previous_significant(&self.out, i) == Some(b')');
        self.stack.push(Open {
            bracket: byte,
            at: i,
            is_block,
        });
        if self.stack.len() == MAX_NESTING + 1 {
            let diagnostic = Diagnostic::error(
                "flow::parse::too_deep",
                "nesting too deep",
                self.span(i, i + 1),
            )
            .with_label(format!("more than {MAX_NESTING} brackets are open here"))
            .with_help("split the expression into named steps");
            self.diagnostics.push(diagnostic);
            self.statement_broken = true;
        }
    }

    fn close(&mut self, i: usize, byte: u8) {
        let opener = match byte {
            b')' => b'(',
            b']' => b'[',
            _ => b'{',
        };
        match self.stack.last().copied() {
            Some(open) if open.bracket == opener => {
                self.stack.pop();
            }
            Some(open) => {
                let diagnostic = Diagnostic::error(
                    "flow::parse::mismatched_bracket",
                    format!(
                        "`{}` does not close `{}`",
                        byte as char, open.bracket as char
                    ),
                    self.span(i, i + 1),
                )
                .with_label("this bracket")
                .with_note(
                    self.span(open.at, open.at + 1),
                    "the bracket still open is here",
                )
                .with_help(format!(
                    "close `{}` with `{}` first",
                    open.bracket as char,
                    closer(open.bracket) as char
                ));
                self.diagnostics.push(diagnostic);
                self.statement_broken = true;
                // Close the matching bracket if one is open; otherwise take this as the
                // (mistyped) close of the innermost one, so it is not reported again.
                match self.stack.iter().rposition(|o| o.bracket == opener) {
                    Some(depth) => self.stack.truncate(depth),
                    None => {
                        self.stack.pop();
                    }
                }
            }
            None => {
                let diagnostic = Diagnostic::error(
                    "flow::parse::unopened_bracket",
                    format!("`{}` closes nothing", byte as char),
                    self.span(i, i + 1),
                )
                .with_label("no bracket is open here")
                .with_help("remove it, or add the opening bracket it belongs to");
                self.diagnostics.push(diagnostic);
                self.statement_broken = true;
            }
        }
    }

    /// A newline at `i`: a continuation (blanked) or the end of a statement.
    fn newline(&mut self, i: usize) {
        let inside_expression = self.stack.last().is_some_and(|open| !open.is_block);
        if let Some(backslash) = explicit_continuation(&self.out, i) {
            self.out[backslash] = b' ';
            blank_newline(&mut self.out, i);
        } else if inside_expression || ends_with_operator(&self.out, i) {
            blank_newline(&mut self.out, i);
        } else if let Some(next) = leading_continuation(self.bytes, i + 1) {
            for k in i..next {
                if self.out[k] == b'\n' || self.out[k] == b'\r' {
                    self.out[k] = b' ';
                }
            }
            // Comments in the skipped lines are blanked when the loop reaches them.
        } else if self.stack.is_empty() {
            self.end_statement(i);
        }
    }

    /// The statement being read ends at `end`.
    fn end_statement(&mut self, end: usize) {
        end_statement(
            &mut self.statements,
            &self.out,
            self.statement_start,
            end,
            &mut self.statement_broken,
        );
        self.statement_start = end + 1;
    }

    /// Brackets still open at the end of the source.
    fn unclosed(&mut self) {
        let (Some(open), Some(innermost)) =
            (self.stack.first().copied(), self.stack.last().copied())
        else {
            return;
        };
        let mut diagnostic = Diagnostic::error(
            "flow::parse::unclosed_bracket",
            format!("`{}` is never closed", innermost.bracket as char),
            self.span(innermost.at, innermost.at + 1),
        )
        .with_label("opened here")
        .with_help(format!(
            "add `{}` where the expression ends",
            closer(innermost.bracket) as char
        ));
        if open.at != innermost.at {
            diagnostic = diagnostic.with_note(
                self.span(open.at, open.at + 1),
                "inside this bracket, also never closed",
            );
        }
        self.diagnostics.push(diagnostic);
        self.statement_broken = true;
    }
}

/// Does this input go on in a next line (an open bracket, a trailing operator or `\\`)? The
/// REPL keeps reading while it does.
pub fn needs_more_input(text: &str) -> bool {
    let layout = layout(text, SourceId(0));
    if layout
        .diagnostics
        .iter()
        .any(|d| d.code == "flow::parse::unclosed_bracket")
    {
        return true;
    }
    let bytes = layout.text.as_bytes();
    let end = trim_end(bytes).len();
    end > 0 && (ends_with_operator(bytes, end) || bytes[end - 1] == b'\\')
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn end_statement(
    statements: &mut Vec<Range<usize>>,
    out: &[u8],
    start: usize,
    end: usize,
    broken: &mut bool,
) {
    let mut start = start;
    let mut end = end;
    while start < end && out[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && out[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if start < end && !*broken {
        statements.push(start..end);
    }
    *broken = false;
}

fn blank_newline(out: &mut [u8], i: usize) {
    out[i] = b' ';
    if i > 0 && out[i - 1] == b'\r' {
        out[i - 1] = b' ';
    }
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The last byte before `i` that is not whitespace (comments are already blanked in `out`).
fn previous_significant(out: &[u8], i: usize) -> Option<u8> {
    out[..i]
        .iter()
        .rev()
        .copied()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r'))
}

/// Does the line that ends at `newline` end in a binary operator, `,` or `=`, so that the
/// expression goes on in the next line?
fn ends_with_operator(out: &[u8], newline: usize) -> bool {
    let line_start = out[..newline]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = &out[line_start..newline];
    let trimmed = trim_end(line);
    let Some(&last) = trimmed.last() else {
        return false;
    };
    if matches!(
        last,
        b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'=' | b'<' | b'>' | b',' | b'|' | b'&'
    ) {
        return true;
    }
    let word_start = trimmed
        .iter()
        .rposition(|&b| !is_ident_byte(b))
        .map_or(0, |p| p + 1);
    matches!(
        &trimmed[word_start..],
        b"and" | b"or" | b"not" | b"then" | b"else" | b"in"
    )
}

/// The position of a `\` that ends the line at `newline` (an explicit continuation).
fn explicit_continuation(out: &[u8], newline: usize) -> Option<usize> {
    let end = if newline > 0 && out[newline - 1] == b'\r' {
        newline - 1
    } else {
        newline
    };
    let position = out[..end]
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))?;
    (out[position] == b'\\').then_some(position)
}

fn trim_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &line[..end]
}

/// If the next non-blank, non-comment line starts with `|>`, `.name`, `then` or `else`, the
/// position of that start.
fn leading_continuation(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        break;
    }
    let rest = &bytes[i.min(bytes.len())..];
    let starts_word = |word: &[u8]| {
        rest.starts_with(word) && !rest.get(word.len()).is_some_and(|&b| is_ident_byte(b))
    };
    let method =
        rest.len() > 1 && rest[0] == b'.' && (rest[1].is_ascii_alphabetic() || rest[1] == b'_');
    (rest.starts_with(b"|>") || method || starts_word(b"then") || starts_word(b"else")).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(source: &str) -> Vec<String> {
        let layout = layout(source, SourceId(0));
        layout
            .statements
            .iter()
            .map(|r| layout.text[r.clone()].to_string())
            .collect()
    }

    #[test]
    fn newlines_split_statements_except_inside_brackets() {
        assert_eq!(
            statements("x = 1\ny = (2,\n 3)\n"),
            ["x = 1", "y = (2,  3)"]
        );
    }

    #[test]
    fn trailing_operator_and_leading_pipe_continue_a_statement() {
        assert_eq!(
            statements("x = 1 +\n  2\ny = x\n  |> f()"),
            ["x = 1 +   2", "y = x   |> f()"]
        );
    }

    #[test]
    fn backslash_continues_a_line() {
        assert_eq!(
            statements("v = 1 \\\n  + 2\nw = 3"),
            ["v = 1     + 2", "w = 3"]
        );
    }

    #[test]
    fn function_bodies_keep_their_newlines() {
        let layout = layout("fn f(x) {\n  y = x\n  y\n}\nz = 1", SourceId(0));
        assert_eq!(layout.statements.len(), 2);
        assert!(layout.text.contains("y = x\n"));
    }

    #[test]
    fn comments_are_blanked_with_the_same_length() {
        let source = "x = [1, # one é\n 2]";
        let layout = layout(source, SourceId(0));
        assert_eq!(layout.text.len(), source.len());
        assert_eq!(statements(source), ["x = [1,           2]"]);
    }

    #[test]
    fn semicolons_split_statements() {
        assert_eq!(statements("a = 1; b = 2"), ["a = 1", "b = 2"]);
    }

    #[test]
    fn too_deep_nesting_is_a_diagnostic() {
        let source = "(".repeat(10_000) + &")".repeat(10_000);
        let layout = layout(&source, SourceId(0));
        assert_eq!(layout.diagnostics[0].code, "flow::parse::too_deep");
        assert!(layout.statements.is_empty());
    }
}
