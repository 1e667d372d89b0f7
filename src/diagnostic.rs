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
    source: Option<miette::NamedSource<String>>,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> Report {
        let mut report = Report {
            code: diagnostic.code,
            message: diagnostic.message.clone(),
            severity: diagnostic.severity,
            help: diagnostic.help.clone(),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        if let Some(span) = diagnostic.span {
            let file = sources.get(span.source);
            report.source = Some(miette::NamedSource::new(
                file.name.clone(),
                file.text.to_string(),
            ));
            let label = if diagnostic.label.is_empty() {
                None
            } else {
                Some(diagnostic.label.clone())
            };
            report
                .labels
                .push(miette::LabeledSpan::new_primary_with_span(
                    label,
                    span.range(),
                ));
        }
        for (span, note) in &diagnostic.notes {
            let file = sources.get(span.source);
            report.related.push(Report {
                code: "",
                message: note.clone(),
                severity: Severity::Warning,
                help: None,
                source: Some(miette::NamedSource::new(
                    file.name.clone(),
                    file.text.to_string(),
                )),
                labels: vec![miette::LabeledSpan::new_primary_with_span(
                    None,
                    span.range(),
                )],
                related: Vec::new(),
            });
        }
        report
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
