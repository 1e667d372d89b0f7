//! The task graph: per-chunk tasks in an arena addressed by index, each knowing its inputs and
//! the source span of the operation that created it. Lowering (`lower.rs`) builds it from the
//! high-level array graph; `dot.rs` draws both.

pub mod dot;
pub mod explain;
pub mod lower;

use crate::array::dtype::DType;
use crate::array::node::Reduction;
use crate::kernels::chunk::ChunkData;
use crate::kernels::elementwise::Kernel;
use crate::kernels::gather::Piece;
use crate::kernels::reduce::Position;
use crate::source::Span;
use std::sync::Arc;

pub type TaskId = usize;

pub enum TaskKind {
    /// Evaluate a fused elementwise kernel into a chunk of `shape`.
    Map {
        kernel: Kernel,
        shape: Vec<usize>,
    },
    /// Read a block of an HDF5 dataset.
    ReadHdf5 {
        reader: Arc<crate::io::hdf5::Reader>,
        start: Vec<usize>,
        shape: Vec<usize>,
        dtype: DType,
    },
    /// Read a block of a netCDF variable (from one or several files).
    ReadNetCdf {
        source: Arc<crate::io::netcdf::Source>,
        start: Vec<usize>,
        shape: Vec<usize>,
    },
    /// A chunk that is already computed.
    Data {
        chunks: Arc<Vec<ChunkData>>,
        index: usize,
    },
    /// Copy pieces of the inputs into a chunk of `gathered` shape, then view it as `shape`.
    Gather {
        pieces: Vec<Piece>,
        gathered: Vec<usize>,
        shape: Vec<usize>,
        dtype: DType,
    },
    Transpose {
        axes: Vec<usize>,
    },
    /// The partial reduction of the chunk the kernel computes (fused: the chunk is not kept).
    Partial {
        kernel: Kernel,
        shape: Vec<usize>,
        reduction: Reduction,
        axes: Vec<usize>,
        position: Position,
    },
    HistogramPartial {
        kernel: Kernel,
        shape: Vec<usize>,
        bins: usize,
        low: f64,
        high: f64,
    },
    Combine {
        reduction: Reduction,
    },
    Finalize {
        reduction: Reduction,
        ddof: usize,
        dtype: DType,
        shape: Vec<usize>,
    },
    /// The (single, f64) column of a frame partition as a 1-d chunk of `length` values.
    FrameColumn {
        length: usize,
    },
    /// Work on a dataframe's partitions (reading one, combining several, joining).
    Frame(crate::frame::task::FrameWork),
}

pub struct Task {
    pub kind: TaskKind,
    pub inputs: Vec<TaskId>,
    /// The source of the operation that made this task (runtime errors point here).
    pub span: Span,
    /// The high-level operation, for graphs and statistics.
    pub operation: Arc<str>,
    /// The id of the array node it was lowered from.
    pub node: u64,
}

impl Task {
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            TaskKind::Map { .. } => "map",
            TaskKind::Data { .. } => "data",
            TaskKind::ReadHdf5 { .. } | TaskKind::ReadNetCdf { .. } => "read",
            TaskKind::Gather { .. } => "gather",
            TaskKind::Transpose { .. } => "transpose",
            TaskKind::Partial { .. } => "partial",
            TaskKind::HistogramPartial { .. } => "histogram-partial",
            TaskKind::Combine { .. } => "combine",
            TaskKind::Finalize { .. } => "finalize",
            TaskKind::Frame(work) => work.kind_name(),
            TaskKind::FrameColumn { .. } => "column",
        }
    }
}

#[derive(Default)]
pub struct TaskGraph {
    pub tasks: Vec<Task>,
    /// For each requested array: the tasks of its chunks, in row-major grid order.
    pub outputs: Vec<Vec<TaskId>>,
}

impl TaskGraph {
    pub fn add(&mut self, task: Task) -> TaskId {
        self.tasks.push(task);
        self.tasks.len() - 1
    }

    /// How many tasks read each task's result (an input listed twice counts twice).
    pub fn consumer_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.tasks.len()];
        for task in &self.tasks {
            for &input in &task.inputs {
                counts[input] += 1;
            }
        }
        counts
    }

    pub fn is_output(&self) -> Vec<bool> {
        let mut flags = vec![false; self.tasks.len()];
        for output in &self.outputs {
            for &task in output {
                flags[task] = true;
            }
        }
        flags
    }
}
