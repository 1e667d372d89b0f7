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

use super::rows::Rows;
use super::step::{JoinSpec, Step};
use super::Schema;
use crate::key::{Key, KeyBuilder};
use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

pub type PlanRef = Arc<PlanNode>;

pub struct PlanNode {
    /// Unique per node (graphs draw each shared node once).
    pub id: u64,
    pub op: PlanOp,
    pub span: Span,
    /// The operation, for graphs and task names: `filter`, `groupby(Origin)`.
    pub label: String,
    /// What the node computes (see [`PlanNode::content_key`]).
    content: OnceLock<Key>,
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
    Rows(Arc<Rows>),
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
    /// Rows of `left` matched with `right` as `join` says, in partitions as [`JoinStrategy`]
    /// says.
    Join {
        left: PlanRef,
        right: PlanRef,
        join: JoinSpec,
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
            content: OnceLock::new(),
        })
    }

    /// A hash of the operation, its parameters and its inputs' keys: equal for nodes that compute
    /// the same rows in the same partitions, whatever wrote them where.
    pub fn content_key(&self) -> Key {
        *self.content.get_or_init(|| {
            let mut key = KeyBuilder::new("frame");
            match &self.op {
                PlanOp::Scan(parts) => key.value("scan").value(parts),
                PlanOp::Rows(rows) => key.value("rows").key(rows.content_key()),
                PlanOp::Each { step, .. } => key.value("each").value(step),
                PlanOp::Whole { step, .. } => key.value("whole").value(step),
                PlanOp::Aggregate {
                    partial, combine, ..
                } => key.value("aggregate").value(partial).value(combine),
                PlanOp::Head { n, .. } => key.value("head").value(n),
                PlanOp::Concat(_) => key.value("concat"),
                PlanOp::Join { join, .. } => key.value("join").value(join),
            };
            for input in self.inputs() {
                key.key(input.content_key());
            }
            key.finish()
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
            PlanOp::Join { left, right, join } => {
                match JoinStrategy::of(left.partitions(), right.partitions(), join.is_full()) {
                    JoinStrategy::Broadcast => left.partitions(),
                    JoinStrategy::Buckets(n) => n,
                }
            }
        }
    }

    /// The files the plan reads, in order, each once.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        self.collect_files(&mut files, &mut std::collections::HashSet::new());
        files
    }

    fn collect_files(
        &self,
        files: &mut Vec<PathBuf>,
        seen: &mut std::collections::HashSet<PathBuf>,
    ) {
        if let PlanOp::Scan(parts) = &self.op {
            for file in files_of(parts) {
                if seen.insert(file.to_path_buf()) {
                    files.push(file.to_path_buf());
                }
            }
        }
        for input in self.inputs() {
            input.collect_files(files, seen);
        }
    }
}

/// The files partitions read, in order, each once (a file's partitions are next to each other).
pub fn files_of(parts: &[Arc<Partition>]) -> Vec<&std::path::Path> {
    let mut seen = std::collections::HashSet::new();
    parts
        .iter()
        .map(|part| part.path.as_path())
        .filter(|path| seen.insert(*path))
        .collect()
}

/// How CSV text is split and which values are missing: the same for sampling a file's schema
/// and for reading its partitions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsvFormat {
    pub separator: u8,
    pub nulls: Vec<String>,
}

/// How a partition's rows are read: each column as the frame's type for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reader {
    Csv { format: CsvFormat, schema: Schema },
    Parquet { schema: Schema },
}

/// One partition of a file: the whole file, or a range of its bytes (a large CSV file is split
/// at line ends into blocks, as Dask's `blocksize` does). Reading it is `io`'s work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    pub path: PathBuf,
    pub bytes: Option<Range<u64>>,
    pub reader: Arc<Reader>,
    /// A CSV file whose lines end in a bare `\r` (classic Mac OS), read as if they ended in
    /// `\n`; such a file is one partition.
    pub carriage_returns: bool,
}

impl Partition {
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
}
