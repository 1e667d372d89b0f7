//! Diagnostics shared by every stage: a code, a message, the span, a label and a help line.
//!
//! Stages never stop at the first problem: they return their result together with a
//! `Vec<Diagnostic>`. Rendering (through miette) happens only at the edge, in the CLI and REPL.

use crate::source::{SourceMap, Span};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// Which stage found the problem; decides the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reading the input file itself (missing, a directory, not UTF-8).
    Input,
    /// Parse and check: everything that is known before anything runs.
    Compile,
    /// Evaluation and execution.
    Runtime,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub phase: Phase,
    /// Stable code such as `flow::parse::unexpected`; documented in docs/diagnostics.md.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    pub label: String,
    pub help: Option<String>,
    /// Further places that explain the error, outermost last: e.g. the calls that led to it.
    pub notes: Vec<(Span, String)>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            phase: Phase::Compile,
            code,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// An error with no place in any source (a missing input file, a bad flag).
    pub fn error_without_span(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span: None,
            ..Diagnostic::error(code, message, Span::default())
        }
    }

    pub fn warning_without_span(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span: None,
            ..Diagnostic::warning(code, message, Span::default())
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.notes.push((span, note.into()));
        self
    }

    pub fn in_phase(mut self, phase: Phase) -> Diagnostic {
        self.phase = phase;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// How diagnostics are drawn.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
}

impl RenderOptions {
    /// Colour only on a terminal and when `NO_COLOR` is unset; a fixed width otherwise so output
    /// is the same everywhere (golden tests depend on it).
    pub fn for_stderr() -> RenderOptions {
        use std::io::IsTerminal;
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        RenderOptions { color, width: 100 }
    }

    /// For a notebook (flow's kernel, `%%flow` cells): colour, which Jupyter draws, unless
    /// `NO_COLOR` is set.
    pub fn for_notebook() -> RenderOptions {
        let color = std::env::var_os("NO_COLOR").is_none();
        RenderOptions { color, width: 100 }
    }
}

/// Render diagnostics as text, as `flow` prints them on stderr.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap, options: RenderOptions) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render_one(diagnostic, sources, options));
    }
    out
}

fn render_one(diagnostic: &Diagnostic, sources: &SourceMap, options: RenderOptions) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let report = Report::new(diagnostic, sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Adapts a [`Diagnostic`] to miette: the primary report plus one related report per note file.
struct Report {
    code: &'static str,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> Report {
        let mut report = Report {
            code: diagnostic.code,
            message: shortened(&diagnostic.message),
            severity: diagnostic.severity,
            help: diagnostic.help.as_deref().map(shortened),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        if let Some(span) = diagnostic.span {
            let file = sources.get(span.source);
            let excerpt = Excerpt::new(&file.name, &file.text, span.range());
            let label = if diagnostic.label.is_empty() {
                None
            } else {
                Some(diagnostic.label.clone())
            };
            report
                .labels
                .push(miette::LabeledSpan::new_primary_with_span(
                    label,
                    excerpt.span.clone(),
                ));
            report.source = Some(excerpt);
        }
        for (span, note) in &diagnostic.notes {
            let file = sources.get(span.source);
            let excerpt = Excerpt::new(&file.name, &file.text, span.range());
            report.related.push(Report {
                code: "",
                message: note.clone(),
                severity: Severity::Warning,
                help: None,
                labels: vec![miette::LabeledSpan::new_primary_with_span(
                    None,
                    excerpt.span.clone(),
                )],
                source: Some(excerpt),
                related: Vec::new(),
            });
        }
        report
    }
}

/// The part of a source miette shows for one label: the label's lines and one line either side
/// (miette's context), each cut to [`EXCERPT_WIDTH`] characters around the label when longer, so
/// a diagnostic on a 2 MB line prints a line's worth, and no source is copied whole. Line numbers
/// and the label's column stay those of the source.
struct Excerpt {
    name: String,
    text: String,
    /// The line number (from 0) of the excerpt's first line in the source.
    first_line: usize,
    /// The label's span in the excerpt.
    span: std::ops::Range<usize>,
    /// The label's column (in characters, from 0) in the source.
    column: usize,
}

/// The most characters of a message or help a diagnostic shows (a message may quote a value from
/// a file: a 10 MB CSV field).
const MESSAGE_WIDTH: usize = 1000;

/// `text`, its middle left out when longer than [`MESSAGE_WIDTH`] characters.
fn shortened(text: &str) -> String {
    let count = text.chars().count();
    if count <= MESSAGE_WIDTH {
        return text.to_string();
    }
    let half = MESSAGE_WIDTH / 2;
    let head: String = text.chars().take(half).collect();
    let tail: String = text.chars().skip(count - half).collect();
    format!(
        "{head} … ({} characters left out) … {tail}",
        count - 2 * half
    )
}

/// The most characters of a source line a diagnostic shows.
const EXCERPT_WIDTH: usize = 120;

/// Characters shown before the label on a line that is cut.
const EXCERPT_LEAD: usize = 40;

impl Excerpt {
    fn new(name: &str, source: &str, span: std::ops::Range<usize>) -> Excerpt {
        let floor = |mut at: usize| {
            at = at.min(source.len());
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (start, end) = (floor(span.start), floor(span.end.max(span.start)));
        let line_start = |at: usize| source[..at].rfind('\n').map_or(0, |p| p + 1);
        let line_end = |at: usize| source[at..].find('\n').map_or(source.len(), |p| at + p);
        // The label's lines, and one line either side.
        let first = line_start(start);
        let last = line_end(end);
        let from = if first == 0 { 0 } else { line_start(first - 1) };
        let to = if last == source.len() {
            last
        } else {
            line_end(last + 1)
        };
        let first_line = memchr::memchr_iter(b'\n', &source.as_bytes()[..from]).count();
        let column = source[first..start].chars().count();
        let mut text = String::with_capacity((to - from).min(8 * EXCERPT_WIDTH));
        // Where the label's start and end land in the excerpt.
        let (mut at_start, mut at_end) = (0, 0);
        let mut line_from = from;
        loop {
            let line_to = line_end(line_from);
            let line = &source[line_from..line_to];
            // The part of the line kept: around the label's start on its first line, else the
            // beginning.
            let anchor = if (line_from..=line_to).contains(&start) {
                start - line_from
            } else {
                0
            };
            let (keep_from, keep_to) = window(line, anchor);
            let cut_before = keep_from > 0;
            if cut_before {
                text.push('…');
            }
            let kept_at = text.len();
            text.push_str(&line[keep_from..keep_to]);
            let place = |offset: usize| {
                let inside = offset.clamp(line_from + keep_from, line_from + keep_to);
                kept_at + inside - (line_from + keep_from)
            };
            if (line_from..=line_to).contains(&start) {
                at_start = place(start);
            }
            if (line_from..=line_to).contains(&end) {
                at_end = place(end).max(at_start);
            }
            if keep_to < line.len() {
                text.push('…');
            }
            if line_to >= to {
                break;
            }
            text.push('\n');
            line_from = line_to + 1;
        }
        Excerpt {
            name: name.to_string(),
            text,
            first_line,
            span: at_start..at_end,
            column,
        }
    }
}

/// The byte range of `line` to show: all of it when short, else [`EXCERPT_WIDTH`] characters
/// starting [`EXCERPT_LEAD`] before `anchor` (a byte offset in the line).
fn window(line: &str, anchor: usize) -> (usize, usize) {
    if line.len() <= EXCERPT_WIDTH || line.chars().nth(EXCERPT_WIDTH).is_none() {
        return (0, line.len());
    }
    let before: Vec<usize> = line[..anchor]
        .char_indices()
        .rev()
        .take(EXCERPT_LEAD)
        .map(|(i, _)| i)
        .collect();
    let keep_from = before.last().copied().unwrap_or(anchor);
    let keep_to = line[keep_from..]
        .char_indices()
        .nth(EXCERPT_WIDTH)
        .map_or(line.len(), |(i, _)| keep_from + i);
    (keep_from, keep_to)
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // The header names the label's place in the source, not in the excerpt.
        let column = if before == 0 && span.offset() == self.span.start {
            self.column
        } else {
            inner.column()
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(self.code))
        }
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning if self.code.is_empty() => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str, start: usize, end: usize) -> String {
        let sources = SourceMap::new();
        let id = sources.add("t.flow", text);
        let diagnostic =
            Diagnostic::error("flow::test", "bad", Span::new(id, start, end)).with_label("here");
        render(
            &[diagnostic],
            &sources,
            RenderOptions {
                color: false,
                width: 100,
            },
        )
    }

    #[test]
    fn long_lines_are_cut_around_the_span_and_places_stay_those_of_the_file() {
        let line = format!("x = [{}] + é", "é, ".repeat(5000));
        let text = format!("a = 1\n{line}\nb = 2\n");
        let at = text.find('+').unwrap();
        let out = rendered(&text, at, at + 1);
        assert!(out.len() < 1500, "{}", out.len());
        assert!(out.contains("t.flow:2:15008"), "{out}");
        assert!(out.contains('…') && out.contains("a = 1") && out.contains("b = 2"));
        // A span at the very end, on an empty source, and over several long lines.
        let _ = rendered(&text, text.len(), text.len());
        let _ = rendered("", 0, 0);
        let twice = format!("{line}\r\n{line}\r\n");
        let out = rendered(&twice, 10, twice.len() - 10);
        assert!(out.len() < 3000, "{out}");
    }

    #[test]
    fn long_messages_keep_their_beginning_and_end() {
        let long = format!("start {} end", "v".repeat(10_000_000));
        let short = shortened(&long);
        assert!(short.starts_with("start ") && short.ends_with(" end"));
        assert!(short.len() < 1200 && short.contains("characters left out"));
    }
}
