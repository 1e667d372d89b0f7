//! The frame graph: one node per operation on a dataframe (read, filter, groupby, join, …), each
//! knowing its input nodes and the source that wrote it — the frame counterpart of the array
//! graph. Nothing here runs: `lower.rs` turns a plan into per-partition tasks of the task graph.
//!
//! Operations differ in how they treat partitions:
//! - row-wise steps (`Each`: filter, select, with_columns, rename, drop) run within each
//!   partition, fused into the task that reads it;
//! - aggregations (`Aggregate`) compute a partial result per partition (sums, counts, M2) and
//!   combine them exactly in one task;
//! - whole-frame steps (`Whole`: sort, a full join) run over all partitions at once;
//! - `Head` reads partitions in order only until it has its rows.

use super::csv_block::{CsvBlock, Text};
use crate::source::Span;
use polars::prelude as pl;
use polars::prelude::LazyFileListReader;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A change to a polars lazy frame (one operation's work on one partition or on the whole).
pub type Step = Arc<dyn Fn(pl::LazyFrame) -> pl::LazyFrame + Send + Sync>;

/// A join of a left lazy frame with a right one.
pub type JoinStep = Arc<dyn Fn(pl::LazyFrame, pl::LazyFrame) -> pl::LazyFrame + Send + Sync>;

pub type PlanRef = Arc<PlanNode>;

pub struct PlanNode {
    /// Unique per node (graphs draw each shared node once).
    pub id: u64,
    pub op: PlanOp,
    pub span: Span,
    /// The operation, for graphs and task names: `filter`, `groupby(Origin)`.
    pub label: String,
}

impl std::fmt::Debug for PlanNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} #{}", self.label, self.id)
    }
}

pub enum PlanOp {
    /// Partitions of files.
    Scan(Vec<Arc<Partition>>),
    /// Rows in memory (a computed frame, or one built from arrays).
    Rows(Arc<pl::DataFrame>),
    /// Row by row within each partition.
    Each { input: PlanRef, step: Step },
    /// Over all the rows at once (one partition out).
    Whole { input: PlanRef, step: Step },
    /// A partial result per partition, then their combination (one partition out).
    Aggregate {
        input: PlanRef,
        partial: Step,
        combine: Step,
    },
    /// The first `n` rows.
    Head { input: PlanRef, n: usize },
    /// The partitions of each input, one after another.
    Concat(Vec<PlanRef>),
    /// Rows of `left` matched with `right` on `keys` (each with the type both sides' keys are
    /// hashed as), as [`JoinStrategy`] says. A `full` join keeps unmatched rows of both sides.
    Join {
        left: PlanRef,
        right: PlanRef,
        join: JoinStep,
        keys: Vec<(String, pl::DataType)>,
        full: bool,
    },
}

/// How a join runs, from its sides' partition counts (as Dask decides). A right side of one
/// partition is matched with each left partition on its own (broadcast) — for a full join only
/// when the left is one partition too, as the right side's unmatched rows must appear once.
/// Otherwise both sides are split by a hash of the keys into as many buckets as the larger side
/// has partitions, and bucket k of the left is joined with bucket k of the right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinStrategy {
    Broadcast,
    Buckets(usize),
}

impl JoinStrategy {
    pub fn of(left: usize, right: usize, full: bool) -> JoinStrategy {
        if right == 1 && (!full || left == 1) {
            JoinStrategy::Broadcast
        } else {
            JoinStrategy::Buckets(left.max(right))
        }
    }
}

impl PlanNode {
    pub fn new(op: PlanOp, label: impl Into<String>, span: Span) -> PlanRef {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Arc::new(PlanNode {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            op,
            span,
            label: label.into(),
        })
    }

    pub fn inputs(&self) -> Vec<PlanRef> {
        match &self.op {
            PlanOp::Scan(_) | PlanOp::Rows(_) => Vec::new(),
            PlanOp::Each { input, .. }
            | PlanOp::Whole { input, .. }
            | PlanOp::Aggregate { input, .. }
            | PlanOp::Head { input, .. } => vec![input.clone()],
            PlanOp::Concat(inputs) => inputs.clone(),
            PlanOp::Join { left, right, .. } => vec![left.clone(), right.clone()],
        }
    }

    /// How many partitions the node's result has (what its tasks number).
    pub fn partitions(&self) -> usize {
        match &self.op {
            PlanOp::Scan(parts) => parts.len(),
            PlanOp::Rows(_) | PlanOp::Whole { .. } | PlanOp::Aggregate { .. } => 1,
            PlanOp::Head { .. } => 1,
            PlanOp::Each { input, .. } => input.partitions(),
            PlanOp::Concat(inputs) => inputs.iter().map(|i| i.partitions()).sum(),
            PlanOp::Join {
                left, right, full, ..
            } => match JoinStrategy::of(left.partitions(), right.partitions(), *full) {
                JoinStrategy::Broadcast => left.partitions(),
                JoinStrategy::Buckets(n) => n,
            },
        }
    }

    /// The files the plan reads, in order, each once.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        self.collect_files(&mut files);
        files
    }

    fn collect_files(&self, files: &mut Vec<PathBuf>) {
        if let PlanOp::Scan(parts) = &self.op {
            for file in files_of(parts) {
                if !files.iter().any(|f| f == file) {
                    files.push(file.to_path_buf());
                }
            }
        }
        for input in self.inputs() {
            input.collect_files(files);
        }
    }
}

/// The files partitions read, in order, each once.
pub fn files_of(parts: &[Arc<Partition>]) -> Vec<&std::path::Path> {
    let mut files: Vec<&std::path::Path> = Vec::new();
    for part in parts {
        if !files.contains(&part.path.as_path()) {
            files.push(&part.path);
        }
    }
    files
}

/// How CSV text is split and which values are missing: the same for sampling a file's schema
/// and for reading its partitions.
pub struct CsvFormat {
    pub separator: u8,
    pub nulls: Vec<pl::PlSmallStr>,
}

impl CsvFormat {
    pub fn apply(&self, reader: pl::LazyCsvReader) -> pl::LazyCsvReader {
        reader
            .with_separator(self.separator)
            .with_null_values(Some(pl::NullValues::AllColumns(self.nulls.clone())))
    }
}

/// How a partition's rows are read.
pub enum Reader {
    Csv {
        format: CsvFormat,
        schema: Arc<pl::Schema>,
    },
    /// Parquet, each column cast to the frame's type for it.
    Parquet { casts: Vec<pl::Expr> },
}

/// One partition of a file: the whole file, or a range of its bytes (a large CSV file is split
/// at line ends into blocks, as Dask's `blocksize` does).
pub struct Partition {
    pub path: PathBuf,
    pub bytes: Option<Range<u64>>,
    pub reader: Arc<Reader>,
}

impl Partition {
    /// The partition as a polars lazy frame. A CSV partition's bytes are loaded here, and read
    /// by flow's own reader when they hold no quotes (see `csv_block`), else by polars.
    pub fn scan(&self) -> Result<pl::LazyFrame, String> {
        let path = pl::PlRefPath::from(self.path.to_string_lossy().as_ref());
        match &*self.reader {
            Reader::Csv { format, schema } => {
                let range = self.bytes.clone().unwrap_or(0..u64::MAX);
                let text = Text::map(&self.path, &range)
                    .map_err(|e| format!("cannot read `{}`: {e}", self.path.display()))?;
                let block =
                    CsvBlock::new(self.path.clone(), range.start, text, schema.clone(), format);
                if block.readable() {
                    return block.scan().map_err(|e| e.to_string());
                }
                // polars reads the rest: a whole file from its path, a block from its bytes.
                let reader = match &self.bytes {
                    None => pl::LazyCsvReader::new(path),
                    Some(_) => {
                        let bytes = block.bytes.to_vec();
                        let buffers = pl::ScanSources::Buffers(Arc::from(vec![bytes.into()]));
                        pl::LazyCsvReader::new_with_sources(buffers)
                    }
                };
                format
                    .apply(reader)
                    .with_has_header(range.start == 0)
                    .with_schema(Some(schema.clone()))
                    .finish()
                    .map_err(|e| e.to_string())
            }
            Reader::Parquet { casts } => {
                pl::LazyFrame::scan_parquet(path, pl::ScanArgsParquet::default())
                    .map(|lf| lf.select(casts.clone()))
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// The file's name, and its bytes when it is a block of the file.
    pub fn label(&self) -> String {
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        match &self.bytes {
            None => name,
            Some(range) => format!("{name} bytes {}–{}", range.start, range.end),
        }
    }

    /// A failure in flow's terms: the file, the line (when polars names a value it could not
    /// parse, the first line of this partition holding it), and polars' first line.
    pub fn locate(&self, message: &str) -> String {
        let first_line = first_line(message);
        if first_line.starts_with(&format!("`{}`", self.path.display())) {
            return first_line; // located by flow's own reader (`CsvBlock::fail`)
        }
        let line = unparsed_value(message).and_then(|(value, column)| {
            let range = self.bytes.clone().unwrap_or(0..u64::MAX);
            let bytes = read_range(&self.path, &range).ok()?;
            let text = String::from_utf8_lossy(&bytes);
            // The first row holding the value in that column (or anywhere, if fields are
            // quoted or separated otherwise).
            let row = text.lines().position(|l| {
                l.split([',', ';', '\t', '|'])
                    .nth(column)
                    .is_some_and(|f| f.trim_matches('"') == value)
            });
            let row = row.or_else(|| text.lines().position(|l| l.contains(&value)))?;
            let before = match range.start {
                0 => 0,
                start => {
                    let head = read_range(&self.path, &(0..start)).ok()?;
                    head.iter().filter(|&&b| b == b'\n').count()
                }
            };
            Some(before + row + 1)
        });
        match line {
            Some(line) => format!("`{}` line {line}: {first_line}", self.path.display()),
            None => format!("`{}`: {first_line}", self.path.display()),
        }
    }
}

/// The first line of a (polars) message.
pub fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().into()
}

/// The bytes of `range` of a file (to its end at most).
pub(super) fn read_range(path: &std::path::Path, range: &Range<u64>) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(range.start))?;
    let mut bytes = Vec::new();
    file.take(range.end.saturating_sub(range.start))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The value and (0-based) column of a CSV parse error: "could not parse `x` as dtype `i64`
/// at column 'value' (column number 2)".
fn unparsed_value(message: &str) -> Option<(String, usize)> {
    let (_, rest) = message.split_once("could not parse `")?;
    let (value, rest) = rest.split_once('`')?;
    let (_, rest) = rest.split_once("(column number ")?;
    let column: usize = rest.split(')').next()?.trim().parse().ok()?;
    Some((value.to_string(), column.checked_sub(1)?))
}
