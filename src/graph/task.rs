//! The kinds of task, as data: what each task does and with which parameters. This is the one
//! table of kinds; each kind's work lives in the room that knows how to do it (array kernels in
//! `kernels`, reads in `io`, frame work in `kernels::frame`), and [`TaskKind::run`] only hands
//! the task to it.

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::{Moving, QuantileMethod, Reduction, Scan, Sorting, Stored};
use crate::io::{Handles, ReadBlock};
use crate::kernels::elementwise::{self, Kernel};
use crate::kernels::frame::FrameTask;
use crate::kernels::gather::{self, Piece};
use crate::kernels::output::TaskOutput;
use crate::kernels::reduce::{self, Partial, Position};
use crate::kernels::sketch::{self, Digest};
use crate::key::{Key, KeyBuilder};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Evaluate a fused elementwise kernel into a chunk of `shape`.
    Map {
        kernel: Kernel,
        shape: Vec<usize>,
    },
    /// Read a block of a variable of one or more files (boxed: the largest kind, and rare).
    Read(Box<ReadBlock>),
    /// A chunk that is already in memory.
    Data(StoredChunk),
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
    /// The scan of the first input along `axis`, continued from the second (the scanned chunk
    /// before it), if there is one.
    Scan {
        scan: Scan,
        axis: usize,
        dtype: DType,
    },
    /// Quantiles `q` along `axis` of the input's lanes (see `ArrayOp::Quantile`).
    Quantile {
        axis: usize,
        q: Vec<f64>,
        q_axis: bool,
        method: QuantileMethod,
        skip_nan: bool,
        dtype: DType,
    },
    /// The sum of the matrix products of the input pairs (0 with 1, 2 with 3, …), a chunk of
    /// `shape`.
    MatMul {
        shape: Vec<usize>,
        dtype: DType,
    },
    /// The partial reduction of the chunk the kernel computes (fused: the chunk is not kept).
    Partial {
        kernel: Kernel,
        shape: Vec<usize>,
        reduction: Reduction,
        axes: Vec<usize>,
        position: Position,
    },
    /// The counts in `bins` equal bins over [low, high] of the chunk the kernel computes.
    HistogramPartial {
        kernel: Kernel,
        shape: Vec<usize>,
        bins: usize,
        #[serde(with = "crate::text::float")]
        low: f64,
        #[serde(with = "crate::text::float")]
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
    /// Work on a dataframe's partitions (reading one, combining several, joining, writing).
    Frame(FrameTask),
    /// A moving window along `axis` over the input (a block and its halo), see
    /// `ArrayOp::Rolling`.
    Rolling {
        axis: usize,
        window: usize,
        min_periods: usize,
        how: Moving,
        ddof: usize,
        dtype: DType,
    },
    /// The partial per group of the chunk the kernel computes: `groups` gives each position's
    /// group along `axis` (see `ArrayOp::GroupReduce`).
    GroupPartial {
        kernel: Kernel,
        shape: Vec<usize>,
        reduction: Reduction,
        axis: usize,
        groups: Vec<u32>,
        /// The chunk's first position along the axis (for first and last).
        origin: usize,
    },
    /// The input's lanes along `axis` sorted (see `ArrayOp::Sort`).
    Sort {
        axis: usize,
        sorting: Sorting,
        dtype: DType,
    },
    /// A t-digest of the values of the chunk the kernel computes (fused: the chunk is not kept).
    DigestPartial {
        kernel: Kernel,
        shape: Vec<usize>,
    },
    /// The quantiles `q` (in [0, 1]) a merged t-digest estimates, a chunk of `shape`
    /// (`[q.len()]`, or `[]` for one) in `dtype`.
    SketchQuantiles {
        q: Vec<f64>,
        method: QuantileMethod,
        skip_nan: bool,
        dtype: DType,
        shape: Vec<usize>,
    },
}

/// Chunk `index` of chunks in memory (shared with the array they belong to, never copied into
/// the task); written out as its key and values, read back as a chunk of its own.
#[derive(Clone, Debug)]
pub struct StoredChunk {
    stored: Arc<Stored>,
    index: usize,
    /// What the chunk is known by: its array's key and its place in it.
    content: Key,
}

impl StoredChunk {
    pub fn new(stored: Arc<Stored>, index: usize) -> StoredChunk {
        let content = KeyBuilder::new("chunk")
            .key(stored.key)
            .value(&index)
            .finish();
        StoredChunk {
            stored,
            index,
            content,
        }
    }

    pub fn chunk(&self) -> &ChunkData {
        &self.stored.chunks[self.index]
    }

    pub fn content_key(&self) -> Key {
        self.content
    }
}

#[derive(Serialize, Deserialize)]
struct EncodedChunk {
    content: Key,
    chunk: ChunkData,
}

impl Serialize for StoredChunk {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EncodedChunk {
            content: self.content_key(),
            chunk: self.chunk().clone(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StoredChunk {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<StoredChunk, D::Error> {
        let encoded = EncodedChunk::deserialize(deserializer)?;
        Ok(StoredChunk {
            stored: Arc::new(Stored {
                chunks: vec![encoded.chunk],
                key: encoded.content,
            }),
            index: 0,
            content: encoded.content,
        })
    }
}

impl TaskKind {
    pub fn name(&self) -> &'static str {
        match self {
            TaskKind::Map { .. } => "map",
            TaskKind::Data(_) => "data",
            TaskKind::Read(_) => "read",
            TaskKind::Gather { .. } => "gather",
            TaskKind::Transpose { .. } => "transpose",
            TaskKind::MatMul { .. } => "matmul",
            TaskKind::Scan { .. } => "scan",
            TaskKind::Quantile { .. } => "quantile",
            TaskKind::Partial { .. } => "partial",
            TaskKind::HistogramPartial { .. } => "histogram-partial",
            TaskKind::Combine { .. } => "combine",
            TaskKind::Finalize { .. } => "finalize",
            TaskKind::Frame(work) => work.kind_name(),
            TaskKind::FrameColumn { .. } => "column",
            TaskKind::Rolling { .. } => "rolling",
            TaskKind::GroupPartial { .. } => "group-partial",
            TaskKind::Sort { .. } => "sort",
            TaskKind::DigestPartial { .. } => "digest-partial",
            TaskKind::SketchQuantiles { .. } => "sketch-quantiles",
        }
    }

    /// What the task's key is a hash of (besides its kind's name and its inputs' keys): its
    /// parameters, with data in memory by its own key rather than its bytes.
    pub fn key_material(&self, key: &mut KeyBuilder) {
        match self {
            TaskKind::Data(stored) => key.key(stored.content_key()),
            TaskKind::Frame(work) => {
                work.key_material(key);
                key
            }
            other => key.value(other),
        };
    }

    /// Does the task read a file (so a failure may be a damaged or changed file)?
    pub fn reads_a_file(&self) -> bool {
        match self {
            TaskKind::Read(_) => true,
            TaskKind::Frame(work) => work.reads_a_file(),
            _ => false,
        }
    }

    /// The elementwise kernel the task evaluates, if any (fusion rewrites it).
    pub fn kernel_mut(&mut self) -> Option<(&mut Kernel, &[usize])> {
        match self {
            TaskKind::Map { kernel, shape }
            | TaskKind::Partial { kernel, shape, .. }
            | TaskKind::GroupPartial { kernel, shape, .. }
            | TaskKind::HistogramPartial { kernel, shape, .. }
            | TaskKind::DigestPartial { kernel, shape } => Some((kernel, shape)),
            _ => None,
        }
    }

    pub fn kernel(&self) -> Option<&Kernel> {
        match self {
            TaskKind::Map { kernel, .. }
            | TaskKind::Partial { kernel, .. }
            | TaskKind::GroupPartial { kernel, .. }
            | TaskKind::HistogramPartial { kernel, .. }
            | TaskKind::DigestPartial { kernel, .. } => Some(kernel),
            _ => None,
        }
    }

    /// Run the task on its inputs' results. A failure the data causes (a value that does not
    /// parse, a damaged file) is an `Err`; a bug panics.
    pub fn run(&self, inputs: &[&TaskOutput], handles: &Handles) -> Result<TaskOutput, String> {
        let chunks = || inputs.iter().map(|i| i.chunk()).collect::<Vec<_>>();
        Ok(match self {
            TaskKind::Map { kernel, shape } => {
                TaskOutput::Chunk(elementwise::evaluate(kernel, &chunks(), shape))
            }
            TaskKind::Read(block) => TaskOutput::Chunk(crate::io::read_block(block, handles)?),
            TaskKind::Data(stored) => TaskOutput::Chunk(stored.chunk().clone()),
            TaskKind::Gather {
                pieces,
                gathered,
                shape,
                dtype,
            } => TaskOutput::Chunk(
                gather::gather(&chunks(), pieces, gathered, *dtype).reshape(shape),
            ),
            TaskKind::Transpose { axes } => {
                TaskOutput::Chunk(gather::transpose(inputs[0].chunk(), axes))
            }
            TaskKind::Scan { scan, axis, dtype } => TaskOutput::Chunk(crate::kernels::scan::scan(
                inputs[0].chunk(),
                inputs.get(1).map(|p| p.chunk()),
                *scan,
                *axis,
                *dtype,
            )),
            TaskKind::Quantile {
                axis,
                q,
                q_axis,
                method,
                skip_nan,
                dtype,
            } => TaskOutput::Chunk(crate::kernels::order::quantiles(
                inputs[0].chunk(),
                *axis,
                q,
                *q_axis,
                *method,
                *skip_nan,
                *dtype,
            )),
            TaskKind::Rolling {
                axis,
                window,
                min_periods,
                how,
                ddof,
                dtype,
            } => TaskOutput::Chunk(crate::kernels::rolling::rolling(
                inputs[0].chunk(),
                *axis,
                *window,
                *min_periods,
                *how,
                *ddof,
                *dtype,
            )),
            TaskKind::MatMul { shape, dtype } => TaskOutput::Chunk(
                crate::kernels::linalg::sum_of_products(&chunks(), shape, *dtype),
            ),
            TaskKind::Partial {
                kernel,
                shape,
                reduction,
                axes,
                position,
            } => {
                let chunk = elementwise::evaluate(kernel, &chunks(), shape);
                TaskOutput::Partial(reduce::partial(&chunk, *reduction, axes, position))
            }
            TaskKind::Sort {
                axis,
                sorting,
                dtype,
            } => TaskOutput::Chunk(crate::kernels::order::sort(
                inputs[0].chunk(),
                *axis,
                *sorting,
                *dtype,
            )),
            TaskKind::GroupPartial {
                kernel,
                shape,
                reduction,
                axis,
                groups,
                origin,
            } => {
                let chunk = elementwise::evaluate(kernel, &chunks(), shape);
                TaskOutput::Partial(crate::kernels::group::partial(
                    &chunk, *reduction, *axis, groups, *origin,
                ))
            }
            TaskKind::HistogramPartial {
                kernel,
                shape,
                bins,
                low,
                high,
            } => TaskOutput::Partial(reduce::histogram_of_kernel(
                kernel,
                &chunks(),
                shape,
                *bins,
                *low,
                *high,
            )),
            TaskKind::DigestPartial { kernel, shape } => TaskOutput::Partial(Partial::Digest(
                Digest::of_chunk(&elementwise::evaluate(kernel, &chunks(), shape)),
            )),
            TaskKind::SketchQuantiles {
                q,
                method,
                skip_nan,
                dtype,
                shape,
            } => TaskOutput::Chunk(sketch::quantiles(
                inputs[0].partial(),
                (q, *method, *skip_nan),
                *dtype,
                shape,
            )),
            TaskKind::Combine { reduction } => {
                let partials: Vec<&Partial> = inputs.iter().map(|i| i.partial()).collect();
                TaskOutput::Partial(reduce::combine(*reduction, &partials))
            }
            TaskKind::Finalize {
                reduction,
                ddof,
                dtype,
                shape,
            } => TaskOutput::Chunk(reduce::finalize(
                inputs[0].partial(),
                *reduction,
                *ddof,
                *dtype,
                shape,
            )),
            TaskKind::FrameColumn { length } => TaskOutput::Chunk(
                crate::kernels::frame::column_chunk(inputs[0].rows(), *length)?,
            ),
            TaskKind::Frame(work) => {
                let rows: Vec<&polars::prelude::DataFrame> =
                    inputs.iter().map(|i| i.rows()).collect();
                TaskOutput::Rows(work.run(&rows, &handles.sinks)?)
            }
        })
    }

    /// Bytes the task works on at once (8 bytes an element: kernels compute in 64-bit lanes).
    pub fn working_bytes(&self) -> usize {
        match self {
            TaskKind::Map { shape, .. }
            | TaskKind::Partial { shape, .. }
            | TaskKind::GroupPartial { shape, .. }
            | TaskKind::HistogramPartial { shape, .. }
            | TaskKind::DigestPartial { shape, .. }
            | TaskKind::SketchQuantiles { shape, .. }
            | TaskKind::Gather { shape, .. }
            | TaskKind::Finalize { shape, .. } => shape.iter().product::<usize>() * 8,
            // The output, and one pair's operands converted to its type.
            TaskKind::MatMul { shape, .. } => shape.iter().product::<usize>() * 8 * 3,
            TaskKind::Read(block) => block.shape.iter().product::<usize>() * 8,
            TaskKind::Data(stored) => stored.chunk().nbytes(),
            TaskKind::FrameColumn { length } => length * 8,
            TaskKind::Transpose { .. }
            | TaskKind::Rolling { .. }
            | TaskKind::Sort { .. }
            | TaskKind::Scan { .. }
            | TaskKind::Quantile { .. }
            | TaskKind::Combine { .. }
            | TaskKind::Frame(_) => 0,
        }
    }
}
