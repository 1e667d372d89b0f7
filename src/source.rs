//! Source files and byte spans into them.

use std::sync::{Arc, RwLock};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A byte range in one source file. Every AST node and every diagnostic carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub source: SourceId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(source: SourceId, start: usize, end: usize) -> Span {
        Span {
            source,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One loaded source text: a script, a `use`d module, a REPL line or an embedded stdlib module.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
}

/// All source texts of one session. Cheap to clone and shared between stages.
#[derive(Clone, Default, Debug)]
pub struct SourceMap {
    files: Arc<RwLock<Vec<Arc<SourceFile>>>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Add a source; a UTF-8 byte order mark (which some Windows editors write) is dropped,
    /// so spans count from the first character of the program.
    pub fn add(&self, name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceId {
        let mut text: Arc<str> = text.into();
        if let Some(rest) = text.strip_prefix('\u{feff}') {
            text = rest.into();
        }
        let mut files = self.files.write().expect("source map lock");
        files.push(Arc::new(SourceFile {
            name: name.into(),
            text,
        }));
        SourceId((files.len() - 1) as u32)
    }

    pub fn get(&self, id: SourceId) -> Arc<SourceFile> {
        self.files.read().expect("source map lock")[id.0 as usize].clone()
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> String {
        let file = self.get(span.source);
        file.text.get(span.range()).unwrap_or("").to_string()
    }

    /// 1-based line and column of a span's start.
    pub fn line_column(&self, span: Span) -> (usize, usize) {
        let file = self.get(span.source);
        let before = &file.text[..(span.start as usize).min(file.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, column)
    }
}
