//! Lowering: what a computation asks for → per-chunk and per-partition tasks. Each array node
//! becomes one task per output chunk (or reuses its input's tasks, for concatenation),
//! reductions become trees of partial → combine → finalize tasks; frame plans become partition
//! tasks (`lower_frame.rs`). Nodes with equal content keys — the same computation, written once
//! or twice — are lowered once.

use super::task::StoredChunk;
use super::{Task, TaskGraph, TaskId, TaskKind};
use crate::array::build::DEFAULT_SPLIT_EVERY;
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::*;
use crate::frame::plan::PlanRef;
use crate::io::frame_write::TableFormat;
use crate::io::ReadBlock;
use crate::kernels::elementwise::Kernel;
use crate::kernels::gather::Piece;
use crate::kernels::reduce::Position;
use crate::key::Key;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What a computation asks for; each request is an output of the graph.
#[derive(Clone)]
pub enum Request {
    /// An array's chunks.
    Array(ArrayRef),
    /// A frame's partitions.
    Frame(PlanRef),
    /// A frame written as its partitions are computed, into one file or a directory of a file
    /// per partition; the output is the write tasks.
    Write {
        plan: PlanRef,
        path: PathBuf,
        format: TableFormat,
        partitioned: bool,
    },
}

/// Lowering stopped: the graph would need more tasks than it may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyTasks {
    /// Most tasks the graph may have.
    pub budget: usize,
    /// The operation whose tasks went over.
    pub span: crate::source::Span,
}

type Lowered<T> = Result<T, TooManyTasks>;

/// Lower the requests (and everything they need, and nothing else: a block no request reaches
/// is never lowered) to a task graph of at most `budget` tasks; `made` holds the chunks of
/// `from_delayed` arrays already made (by node id).
pub fn lower(
    requests: &[Request],
    made: &HashMap<u64, ChunkData>,
    budget: usize,
) -> Lowered<TaskGraph> {
    let mut lowering = Lowering {
        graph: TaskGraph::default(),
        arrays: HashMap::new(),
        frames: HashMap::new(),
        labels: HashMap::new(),
        made,
        // Slots hold task ids in 32 bits.
        budget: budget.min(NO_TASK as usize),
    };
    for request in requests {
        let tasks = match request {
            Request::Array(array) => lowering.node(array)?,
            Request::Frame(plan) => lowering.partitions(plan),
            Request::Write {
                plan,
                path,
                format,
                partitioned,
            } => lowering.writes(plan, path, *format, *partitioned),
        };
        lowering.graph.outputs.push(tasks);
    }
    Ok(lowering.graph)
}

/// Lower arrays alone, without a limit (tests, benchmarks).
pub fn lower_arrays(arrays: &[ArrayRef]) -> TaskGraph {
    let requests: Vec<Request> = arrays.iter().cloned().map(Request::Array).collect();
    lower(&requests, &HashMap::new(), usize::MAX).expect("no limit")
}

/// The fewest tasks computing `arrays` can take: the blocks of every node whose blocks are all
/// needed (what is asked for, and what elementwise operations, transposes, rechunks,
/// concatenations and reductions of whole arrays need whole), and a partial per block reduced.
/// Slices are not followed (a slice may need a few blocks of a huge array), so this never counts
/// more than lowering would make: what lets the checker refuse a computation before it runs.
pub fn least_tasks(arrays: &[ArrayRef]) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<ArrayRef> = arrays.to_vec();
    let mut total = 0usize;
    while let Some(node) = stack.pop() {
        if !seen.insert(node.content_key()) {
            continue;
        }
        let own = match &node.op {
            ArrayOp::Concatenate { .. } => 0,
            ArrayOp::Reduce { input, .. }
            | ArrayOp::GroupReduce { input, .. }
            | ArrayOp::Histogram { input, .. }
            | ArrayOp::Sketch { input, .. } => {
                input.chunks.count().saturating_add(node.chunks.count())
            }
            // A gather of the block and its halo, then the window.
            ArrayOp::Rolling { .. } => node.chunks.count().saturating_mul(2),
            _ => node.chunks.count(),
        };
        total = total.saturating_add(own);
        match &node.op {
            ArrayOp::Map { operands, .. } => {
                stack.extend(operands.iter().filter_map(|o| match o {
                    Operand::Array(a) => Some(a.clone()),
                    Operand::Scalar(_) => None,
                }))
            }
            ArrayOp::Transpose { input, .. }
            | ArrayOp::Reshape { input, .. }
            | ArrayOp::Scan { input, .. }
            | ArrayOp::Quantile { input, .. }
            | ArrayOp::Rechunk { input }
            | ArrayOp::Reduce { input, .. }
            | ArrayOp::Rolling { input, .. }
            | ArrayOp::Take { input, .. }
            | ArrayOp::GroupReduce { input, .. }
            | ArrayOp::Sort { input, .. }
            | ArrayOp::Histogram { input, .. }
            | ArrayOp::Sketch { input, .. } => stack.push(input.clone()),
            ArrayOp::Concatenate { inputs, .. } => stack.extend(inputs.iter().cloned()),
            ArrayOp::MatMul { lhs, rhs } => stack.extend([lhs.clone(), rhs.clone()]),
            _ => {}
        }
    }
    total
}

pub(super) struct Lowering<'m> {
    made: &'m HashMap<u64, ChunkData>,
    pub(super) graph: TaskGraph,
    /// The blocks of each array node lowered so far, by content key.
    arrays: HashMap<Key, NodeBlocks>,
    /// The partitions of each frame node lowered, by content key.
    pub(super) frames: HashMap<Key, Vec<super::lower_frame::Pending>>,
    /// The label of each node lowered, shared by its tasks.
    labels: HashMap<Key, Arc<str>>,
    /// Most tasks the graph may have.
    budget: usize,
}

/// Grids up to this many blocks keep their tasks in a slot per block (4 bytes each); larger
/// ones (arrays of which a computation can only touch some blocks) in a map.
const SLOTTED_BLOCKS: usize = 1 << 22;

/// The input bytes of one task of a matrix product (pairs of blocks it multiplies and adds).
const MATMUL_TASK_BYTES: usize = 256 << 20;

/// An empty slot.
const NO_TASK: u32 = u32::MAX;

/// An array node's blocks: where they start along each axis, and the tasks of those lowered.
struct NodeBlocks {
    grid: Vec<usize>,
    offsets: Arc<[Vec<usize>]>,
    tasks: BlockTasks,
}

enum BlockTasks {
    Slots(Vec<u32>),
    Map(HashMap<Vec<usize>, TaskId>),
}

impl NodeBlocks {
    fn new(node: &ArrayNode) -> NodeBlocks {
        let grid = node.chunks.grid();
        let tasks = match node.chunks.count() {
            count if count <= SLOTTED_BLOCKS => BlockTasks::Slots(vec![NO_TASK; count]),
            _ => BlockTasks::Map(HashMap::new()),
        };
        NodeBlocks {
            offsets: (0..node.ndim()).map(|a| node.chunks.offsets(a)).collect(),
            grid,
            tasks,
        }
    }

    fn get(&self, index: &[usize]) -> Option<TaskId> {
        match &self.tasks {
            BlockTasks::Slots(slots) => {
                let task = slots[flat(index, &self.grid)];
                (task != NO_TASK).then_some(task as TaskId)
            }
            BlockTasks::Map(map) => map.get(index).copied(),
        }
    }

    fn set(&mut self, index: &[usize], task: TaskId) {
        match &mut self.tasks {
            BlockTasks::Slots(slots) => {
                slots[flat(index, &self.grid)] = u32::try_from(task).expect("fewer than 2³² tasks")
            }
            BlockTasks::Map(map) => {
                map.insert(index.to_vec(), task);
            }
        }
    }

    /// Where the block at `index` starts.
    fn origin(&self, index: &[usize]) -> Vec<usize> {
        index
            .iter()
            .enumerate()
            .map(|(a, &i)| self.offsets[a][i])
            .collect()
    }
}

/// A reduction's parameters.
struct Reduce<'a> {
    reduction: Reduction,
    axes: &'a [usize],
    keepdims: bool,
    ddof: usize,
    split_every: usize,
}

/// Row-major position of a grid index.
fn flat(index: &[usize], grid: &[usize]) -> usize {
    index.iter().zip(grid).fold(0, |acc, (&i, &n)| acc * n + i)
}

/// The grid index after `index` in row-major order; false after the last.
fn advance(index: &mut [usize], grid: &[usize]) -> bool {
    for axis in (0..grid.len()).rev() {
        index[axis] += 1;
        if index[axis] < grid[axis] {
            return true;
        }
        index[axis] = 0;
    }
    false
}

impl Lowering<'_> {
    fn task(&mut self, node: &ArrayNode, kind: TaskKind, inputs: Vec<TaskId>) -> Lowered<TaskId> {
        if self.graph.tasks.len() >= self.budget {
            return Err(TooManyTasks {
                budget: self.budget,
                span: node.span,
            });
        }
        let key = node.content_key();
        let operation = self
            .labels
            .entry(key)
            .or_insert_with(|| Arc::from(node.label()))
            .clone();
        Ok(self.graph.add(Task {
            kind,
            inputs,
            node: key,
            span: node.span,
            operation,
        }))
    }

    fn blocks(&mut self, node: &ArrayNode) -> &mut NodeBlocks {
        self.arrays
            .entry(node.content_key())
            .or_insert_with(|| NodeBlocks::new(node))
    }

    /// Where the blocks of `node` start along each axis.
    fn offsets(&mut self, node: &ArrayNode) -> Arc<[Vec<usize>]> {
        self.blocks(node).offsets.clone()
    }

    /// The tasks of all of `node`'s chunks, in row-major grid order.
    fn node(&mut self, node: &ArrayRef) -> Lowered<Vec<TaskId>> {
        let grid = node.chunks.grid();
        if grid.iter().product::<usize>() > self.budget {
            return Err(TooManyTasks {
                budget: self.budget,
                span: node.span,
            });
        }
        let mut tasks = Vec::new();
        let mut index = vec![0; grid.len()];
        if grid.contains(&0) {
            return Ok(tasks);
        }
        loop {
            tasks.push(self.block(node, &index)?);
            if !advance(&mut index, &grid) {
                return Ok(tasks);
            }
        }
    }

    /// The task of `node`'s block at grid position `index` (lowered once; nodes that compute the
    /// same thing share it).
    fn block(&mut self, node: &ArrayRef, index: &[usize]) -> Lowered<TaskId> {
        if let Some(task) = self
            .arrays
            .get(&node.content_key())
            .and_then(|blocks| blocks.get(index))
        {
            return Ok(task);
        }
        let task = self.lower_block(node, index)?;
        self.blocks(node).set(index, task);
        Ok(task)
    }

    fn lower_block(&mut self, node: &ArrayRef, index: &[usize]) -> Lowered<TaskId> {
        let mut origin = || self.blocks(node).origin(index);
        let shape = node.chunks.block_shape(index);
        let kind = match &node.op {
            ArrayOp::Full(value) => TaskKind::Map {
                kernel: Kernel::Constant(*value, node.dtype),
                shape,
            },
            ArrayOp::Arange { start, step } => {
                let kernel = Kernel::Arange {
                    start: *start,
                    step: *step,
                    offset: origin()[0],
                    dtype: node.dtype,
                };
                TaskKind::Map { kernel, shape }
            }
            ArrayOp::Random { distribution, seed } => {
                let kernel = Kernel::Random {
                    distribution: *distribution,
                    seed: *seed,
                    shape: node.shape.clone(),
                    origin: origin(),
                };
                let kernel = if node.dtype == kernel.dtype(&[]) {
                    kernel
                } else {
                    Kernel::Map {
                        function: MapFunction::Cast,
                        args: vec![kernel],
                        dtype: node.dtype,
                    }
                };
                TaskKind::Map { kernel, shape }
            }
            ArrayOp::Read(source) => {
                TaskKind::Read(Box::new(ReadBlock::new(source, &origin(), &shape)))
            }
            ArrayOp::Data(stored) => {
                let position = flat(index, &node.chunks.grid());
                TaskKind::Data(StoredChunk::new(stored.clone(), position))
            }
            ArrayOp::FromDelayed(_) => return self.lower_from_delayed(node),
            ArrayOp::FrameColumn { plan, parts } => {
                return self.lower_frame_column(node, plan, parts, index)
            }
            ArrayOp::Map { function, operands } => {
                return self.lower_map(node, *function, operands, index)
            }
            ArrayOp::Slice { input, selection } => {
                return self.lower_slice(node, input, selection, index)
            }
            ArrayOp::Rechunk { input } => {
                let whole: Vec<AxisSelection> = input
                    .shape
                    .iter()
                    .map(|&n| AxisSelection::Range {
                        start: 0,
                        step: 1,
                        count: n,
                    })
                    .collect();
                return self.lower_slice(node, input, &whole, index);
            }
            ArrayOp::Concatenate { inputs, axis } => {
                return self.lower_concatenate(inputs, *axis, index)
            }
            ArrayOp::Transpose { input, axes } => {
                return self.lower_transpose(node, input, axes, index)
            }
            ArrayOp::MatMul { lhs, rhs } => return self.lower_matmul(node, lhs, rhs, index),
            ArrayOp::Scan { input, scan, axis } => {
                return self.lower_scan(node, input, *scan, *axis, index)
            }
            ArrayOp::Rolling { input, axis, .. } => {
                return self.lower_rolling(node, input, *axis, index)
            }
            ArrayOp::Quantile { input, axis, .. } => {
                return self.lower_quantile(node, input, *axis, index)
            }
            ArrayOp::Take {
                input,
                axis,
                positions,
            } => return self.lower_take(node, input, *axis, positions, index),
            ArrayOp::GroupReduce { input, .. } => {
                return self.lower_group_reduce(node, input, index)
            }
            ArrayOp::Sort {
                input,
                axis,
                sorting,
            } => {
                let source = self.block(input, index)?;
                let kind = TaskKind::Sort {
                    axis: *axis,
                    sorting: *sorting,
                    dtype: node.dtype,
                };
                return self.task(node, kind, vec![source]);
            }
            ArrayOp::Reshape { input, block_of } => {
                return self.lower_reshape(node, input, block_of, index, shape)
            }
            ArrayOp::Reduce {
                input,
                reduction,
                axes,
                keepdims,
                ddof,
                split_every,
            } => {
                let reduce = Reduce {
                    reduction: *reduction,
                    axes,
                    keepdims: *keepdims,
                    ddof: *ddof,
                    split_every: *split_every,
                };
                return self.lower_reduce(node, input, &reduce, index);
            }
            ArrayOp::Histogram {
                input,
                bins,
                low,
                high,
            } => return self.lower_histogram(node, input, *bins, *low, *high),
            ArrayOp::Sketch {
                input,
                q,
                method,
                skip_nan,
                ..
            } => return self.lower_sketch(node, input, q, *method, *skip_nan),
        };
        self.task(node, kind, vec![])
    }

    /// A chunk a delayed call made (or, drawing or explaining before anything runs, a
    /// stand-in of its shape).
    fn lower_from_delayed(&mut self, node: &ArrayRef) -> Lowered<TaskId> {
        let kind = match self.made.get(&node.id) {
            Some(chunk) => {
                TaskKind::Data(StoredChunk::new(Stored::of_values(vec![chunk.clone()]), 0))
            }
            None => TaskKind::Map {
                kernel: Kernel::Constant(Scalar::Float(0.0), node.dtype),
                shape: node.shape.clone(),
            },
        };
        self.task(node, kind, vec![])
    }

    /// A frame's column: a chunk per partition that has rows. The frame's partitions are lowered
    /// together, so the first block asked for lowers them all.
    fn lower_frame_column(
        &mut self,
        node: &ArrayRef,
        plan: &PlanRef,
        parts: &[usize],
        index: &[usize],
    ) -> Lowered<TaskId> {
        let partitions = self.partitions(plan);
        let mut wanted = None;
        for (block, &part) in parts.iter().enumerate() {
            let kind = TaskKind::FrameColumn {
                length: node.chunks.0[0][block],
            };
            let task = self.task(node, kind, vec![partitions[part]])?;
            self.blocks(node).set(&[block], task);
            if block == index[0] {
                wanted = Some(task);
            }
        }
        Ok(wanted.expect("a column has a block per partition with rows"))
    }

    /// Elementwise: a block reads the blocks of its operands it overlaps (broadcast axes of
    /// length 1 read their one block).
    fn lower_map(
        &mut self,
        node: &ArrayRef,
        function: MapFunction,
        operands: &[Operand],
        index: &[usize],
    ) -> Lowered<TaskId> {
        let ndim = node.ndim();
        let mut inputs = Vec::new();
        let mut args = Vec::new();
        for operand in operands {
            match operand {
                Operand::Scalar(s) => args.push(Kernel::Constant(*s, Scalar::dtype(*s))),
                Operand::Array(array) => {
                    let offset = ndim - array.ndim();
                    let input_index: Vec<usize> = (0..array.ndim())
                        .map(|k| {
                            if array.shape[k] == 1 && node.shape[offset + k] != 1 {
                                0
                            } else {
                                index[offset + k]
                            }
                        })
                        .collect();
                    inputs.push(self.block(array, &input_index)?);
                    args.push(Kernel::Input(inputs.len() - 1));
                }
            }
        }
        let kernel = Kernel::Map {
            function,
            args,
            dtype: node.dtype,
        };
        let shape = node.chunks.block_shape(index);
        self.task(node, TaskKind::Map { kernel, shape }, inputs)
    }

    /// Concatenation makes no tasks: each block is a block of one of the inputs.
    fn lower_concatenate(
        &mut self,
        inputs: &[ArrayRef],
        axis: usize,
        index: &[usize],
    ) -> Lowered<TaskId> {
        let mut block = index[axis];
        for array in inputs {
            let count = array.chunks.0[axis].iter().filter(|&&b| b > 0).count();
            if block < count {
                let mut input_index = index.to_vec();
                input_index[axis] = block;
                return self.block(array, &input_index);
            }
            block -= count;
        }
        // Every input is empty along the axis: the one (empty) block is the first input's.
        let mut input_index = index.to_vec();
        input_index[axis] = 0;
        self.block(&inputs[0], &input_index)
    }

    /// Block `index` of a scan: the input block, continued from this scan's block before it
    /// along the axis.
    fn lower_scan(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        scan: Scan,
        axis: usize,
        index: &[usize],
    ) -> Lowered<TaskId> {
        let mut inputs = vec![self.block(input, index)?];
        if index[axis] > 0 {
            let mut before = index.to_vec();
            before[axis] -= 1;
            inputs.push(self.block(node, &before)?);
        }
        let kind = TaskKind::Scan {
            scan,
            axis,
            dtype: node.dtype,
        };
        self.task(node, kind, inputs)
    }

    /// Block `index` of a moving window along `axis`: the input's values from this block's start
    /// through the `window - 1` after its end (the halo, from the following blocks) gathered,
    /// then the window run over them.
    fn lower_rolling(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        axis: usize,
        index: &[usize],
    ) -> Lowered<TaskId> {
        let ArrayOp::Rolling {
            window,
            min_periods,
            how,
            ddof,
            ..
        } = &node.op
        else {
            unreachable!("a rolling node")
        };
        let output_offsets = self.offsets(node);
        let input_offsets = self.offsets(input);
        let mut per_axis = Vec::new();
        let mut gathered = Vec::new();
        for a in 0..node.ndim() {
            let (p0, p1) = (output_offsets[a][index[a]], output_offsets[a][index[a] + 1]);
            let length = if a == axis {
                p1 - p0 + window - 1
            } else {
                p1 - p0
            };
            per_axis.push(range_pieces(&input_offsets[a], p0, 1, 0, length));
            gathered.push(length);
        }
        let region = self.gather(node, input, &per_axis, gathered.clone(), gathered)?;
        let kind = TaskKind::Rolling {
            axis,
            window: *window,
            min_periods: *min_periods,
            how: *how,
            ddof: *ddof,
            dtype: node.dtype,
        };
        self.task(node, kind, vec![region])
    }

    /// Block `index` of a take along `axis`: runs of consecutive positions within one input
    /// block are copied as one piece.
    fn lower_take(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        axis: usize,
        positions: &[usize],
        index: &[usize],
    ) -> Lowered<TaskId> {
        let output_offsets = self.offsets(node);
        let input_offsets = self.offsets(input);
        let mut per_axis = Vec::new();
        let mut gathered = Vec::new();
        for a in 0..node.ndim() {
            let (p0, p1) = (output_offsets[a][index[a]], output_offsets[a][index[a] + 1]);
            gathered.push(p1 - p0);
            if a != axis {
                per_axis.push(range_pieces(&input_offsets[a], p0, 1, 0, p1 - p0));
                continue;
            }
            let offsets = &input_offsets[a];
            let block_of = |p: usize| offsets.partition_point(|&o| o <= p) - 1;
            let mut pieces: AxisPieces = Vec::new();
            let mut k = p0;
            while k < p1 {
                let (first, block) = (positions[k], block_of(positions[k]));
                let mut end = k + 1;
                while end < p1
                    && positions[end] == positions[end - 1] + 1
                    && positions[end] < offsets[block + 1]
                {
                    end += 1;
                }
                let start = first - offsets[block];
                pieces.push((block, (start, start + end - k, 1), (k - p0, end - p0)));
                k = end;
            }
            per_axis.push(pieces);
        }
        let shape = node.chunks.block_shape(index);
        self.gather(node, input, &per_axis, gathered, shape)
    }

    /// Block `index` of a grouped reduction: a partial per input block along the grouped axis
    /// (of the groups that block holds), combined in a tree and finalized over every group.
    fn lower_group_reduce(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        index: &[usize],
    ) -> Lowered<TaskId> {
        let ArrayOp::GroupReduce {
            axis,
            groups,
            reduction,
            ddof,
            ..
        } = &node.op
        else {
            unreachable!("a grouped reduction")
        };
        let input_offsets = self.offsets(input);
        let mut partials = Vec::new();
        for k in 0..input.chunks.grid()[*axis] {
            let mut block = index.to_vec();
            block[*axis] = k;
            let task = self.block(input, &block)?;
            let (start, end) = (input_offsets[*axis][k], input_offsets[*axis][k + 1]);
            let kind = TaskKind::GroupPartial {
                kernel: Kernel::Input(0),
                shape: input.chunks.block_shape(&block),
                reduction: *reduction,
                axis: *axis,
                groups: groups[start..end].to_vec(),
                origin: start,
            };
            partials.push(self.task(node, kind, vec![task])?);
        }
        let finalize = TaskKind::Finalize {
            reduction: *reduction,
            ddof: *ddof,
            dtype: node.dtype,
            shape: node.chunks.block_shape(index),
        };
        self.combine_and_finalize(node, partials, DEFAULT_SPLIT_EVERY, finalize)
    }

    /// Block `index` of quantiles along `axis` (one chunk long in the input).
    fn lower_quantile(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        axis: usize,
        index: &[usize],
    ) -> Lowered<TaskId> {
        let ArrayOp::Quantile {
            q,
            q_axis,
            method,
            skip_nan,
            ..
        } = &node.op
        else {
            unreachable!("a quantile node")
        };
        // The input block: this block's index without the quantile axis, 0 along `axis`.
        let mut kept = index[usize::from(*q_axis)..].iter().copied();
        let input_index: Vec<usize> = (0..input.ndim())
            .map(|a| {
                if a == axis {
                    0
                } else {
                    kept.next().unwrap_or(0)
                }
            })
            .collect();
        let source = self.block(input, &input_index)?;
        let kind = TaskKind::Quantile {
            axis,
            q: q.clone(),
            q_axis: *q_axis,
            method: *method,
            skip_nan: *skip_nan,
            dtype: node.dtype,
        };
        self.task(node, kind, vec![source])
    }

    /// Block `index` of a reshape: one input block in this block's shape.
    fn lower_reshape(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        block_of: &[Option<usize>],
        index: &[usize],
        shape: Vec<usize>,
    ) -> Lowered<TaskId> {
        let input_index: Vec<usize> = block_of
            .iter()
            .map(|axis| axis.map_or(0, |a| index[a]))
            .collect();
        let source = self.block(input, &input_index)?;
        let gathered = input.chunks.block_shape(&input_index);
        let kind = TaskKind::Gather {
            pieces: vec![Piece {
                input: 0,
                source: gathered.iter().map(|&n| (0, n, 1)).collect(),
                target: gathered.iter().map(|&n| (0, n)).collect(),
            }],
            gathered,
            shape,
            dtype: node.dtype,
        };
        self.task(node, kind, vec![source])
    }

    /// Block (i, j) of a matrix product: the products of blocks (i, k) and (k, j), summed over
    /// k, in tasks of a few pairs each (their inputs within `MATMUL_TASK_BYTES`), added up.
    fn lower_matmul(
        &mut self,
        node: &ArrayRef,
        lhs: &ArrayRef,
        rhs: &ArrayRef,
        index: &[usize],
    ) -> Lowered<TaskId> {
        let (i, j) = (index[0], index[1]);
        let inner = &lhs.chunks.0[1];
        let shape = node.chunks.block_shape(index);
        let pair_bytes = |k: usize| (lhs.chunks.0[0][i] + rhs.chunks.0[1][j]) * inner[k] * 8;
        let mut partials = Vec::new();
        let mut pairs: Vec<TaskId> = Vec::new();
        let mut bytes = 0;
        for k in 0..inner.len().max(1) {
            if !pairs.is_empty() && bytes + pair_bytes(k) > MATMUL_TASK_BYTES {
                let kind = TaskKind::MatMul {
                    shape: shape.clone(),
                    dtype: node.dtype,
                };
                partials.push(self.task(node, kind, std::mem::take(&mut pairs))?);
                bytes = 0;
            }
            pairs.push(self.block(lhs, &[i, k])?);
            pairs.push(self.block(rhs, &[k, j])?);
            bytes += pair_bytes(k);
        }
        let kind = TaskKind::MatMul {
            shape: shape.clone(),
            dtype: node.dtype,
        };
        partials.push(self.task(node, kind, pairs)?);
        if partials.len() == 1 {
            return Ok(partials[0]);
        }
        // The partial products added in one elementwise task (bools: or).
        let kernel = (1..partials.len()).fold(Kernel::Input(0), |total, k| Kernel::Map {
            function: MapFunction::Binary(BinaryFunction::Add),
            args: vec![total, Kernel::Input(k)],
            dtype: node.dtype,
        });
        self.task(node, TaskKind::Map { kernel, shape }, partials)
    }

    fn lower_transpose(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        axes: &[usize],
        index: &[usize],
    ) -> Lowered<TaskId> {
        let mut input_index = vec![0; index.len()];
        for (k, &axis) in axes.iter().enumerate() {
            input_index[axis] = index[k];
        }
        let source = self.block(input, &input_index)?;
        let kind = TaskKind::Transpose {
            axes: axes.to_vec(),
        };
        self.task(node, kind, vec![source])
    }

    /// Counts per chunk (random samples counted as they are drawn), added up in a tree.
    fn lower_histogram(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        bins: usize,
        low: f64,
        high: f64,
    ) -> Lowered<TaskId> {
        let partials = self.per_block(node, input, |shape| TaskKind::HistogramPartial {
            kernel: Kernel::Input(0),
            shape,
            bins,
            low,
            high,
        })?;
        let finalize = TaskKind::Finalize {
            reduction: Reduction::Sum,
            ddof: 0,
            dtype: DType::I64,
            shape: vec![bins],
        };
        self.combine_and_finalize(node, partials, DEFAULT_SPLIT_EVERY, finalize)
    }

    /// A t-digest per chunk, merged in a tree, read at the quantiles.
    fn lower_sketch(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        q: &[f64],
        method: QuantileMethod,
        skip_nan: bool,
    ) -> Lowered<TaskId> {
        let partials = self.per_block(node, input, |shape| TaskKind::DigestPartial {
            kernel: Kernel::Input(0),
            shape,
        })?;
        let root = self.combine_tree(node, partials, Reduction::Sketch, DEFAULT_SPLIT_EVERY)?;
        let kind = TaskKind::SketchQuantiles {
            q: q.to_vec(),
            method,
            skip_nan,
            dtype: node.dtype,
            shape: node.shape.clone(),
        };
        self.task(node, kind, vec![root])
    }

    /// One task per block of `input`, of the kind `kind` makes from the block's shape.
    fn per_block(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        kind: impl Fn(Vec<usize>) -> TaskKind,
    ) -> Lowered<Vec<TaskId>> {
        let input_grid = input.chunks.grid();
        let mut tasks = Vec::new();
        let mut index = vec![0; input_grid.len()];
        while !input_grid.contains(&0) {
            let block = self.block(input, &index)?;
            tasks.push(self.task(node, kind(input.chunks.block_shape(&index)), vec![block])?);
            if !advance(&mut index, &input_grid) {
                break;
            }
        }
        Ok(tasks)
    }

    /// Slicing and rechunking: an output chunk gathers pieces of the input chunks it overlaps.
    fn lower_slice(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        selection: &[AxisSelection],
        index: &[usize],
    ) -> Lowered<TaskId> {
        let input_offsets = self.offsets(input);
        let output_offsets = self.offsets(node);
        // Per input axis: the pieces (input block, source range, target range).
        let mut per_axis: Vec<AxisPieces> = Vec::new();
        let mut gathered = Vec::new();
        let mut output_axis = 0;
        for selected in selection {
            match *selected {
                AxisSelection::NewAxis => output_axis += 1,
                AxisSelection::Index(i) => {
                    let axis = per_axis.len();
                    let offsets = &input_offsets[axis];
                    let block = offsets.partition_point(|&o| o <= i) - 1;
                    per_axis.push(vec![(
                        block,
                        (i - offsets[block], i - offsets[block] + 1, 1),
                        (0, 1),
                    )]);
                    gathered.push(1);
                }
                AxisSelection::Range {
                    start,
                    step,
                    count: _,
                } => {
                    let axis = per_axis.len();
                    let (p0, p1) = (
                        output_offsets[output_axis][index[output_axis]],
                        output_offsets[output_axis][index[output_axis] + 1],
                    );
                    per_axis.push(range_pieces(&input_offsets[axis], start, step, p0, p1));
                    gathered.push(p1 - p0);
                    output_axis += 1;
                }
            }
        }
        let shape = node.chunks.block_shape(index);
        self.gather(node, input, &per_axis, gathered, shape)
    }

    /// A task assembling the pieces of `input`'s blocks `per_axis` names (per axis: input block,
    /// source range, target range) into one chunk of `shape`.
    fn gather(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        per_axis: &[AxisPieces],
        gathered: Vec<usize>,
        shape: Vec<usize>,
    ) -> Lowered<TaskId> {
        let mut inputs: Vec<TaskId> = Vec::new();
        let mut pieces = Vec::new();
        for combination in cartesian(per_axis) {
            let input_index: Vec<usize> = combination.iter().map(|p| p.0).collect();
            let task = self.block(input, &input_index)?;
            let position = match inputs.iter().position(|&t| t == task) {
                Some(p) => p,
                None => {
                    inputs.push(task);
                    inputs.len() - 1
                }
            };
            pieces.push(Piece {
                input: position,
                source: combination.iter().map(|p| p.1).collect(),
                target: combination.iter().map(|p| p.2).collect(),
            });
        }
        let kind = TaskKind::Gather {
            pieces,
            gathered,
            shape,
            dtype: node.dtype,
        };
        self.task(node, kind, inputs)
    }

    /// A block of a reduction: a partial per input block along the reduced axes (the kept axes
    /// at this block's position), combined in a tree and finalized.
    fn lower_reduce(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        reduce: &Reduce,
        index: &[usize],
    ) -> Lowered<TaskId> {
        let Reduce {
            reduction,
            axes,
            keepdims,
            ddof,
            split_every,
        } = *reduce;
        let input_grid = input.chunks.grid();
        // The input's block position along the kept axes; the reduced axes are walked below.
        let mut kept = vec![0; input.ndim()];
        let mut output_axis = 0;
        for (axis, position) in kept.iter_mut().enumerate() {
            if !axes.contains(&axis) {
                *position = index[output_axis];
                output_axis += 1;
            } else if keepdims {
                output_axis += 1;
            }
        }
        let walked: Vec<usize> = (0..input.ndim())
            .map(|a| if axes.contains(&a) { input_grid[a] } else { 1 })
            .collect();
        let array_shape: Arc<[usize]> = input.shape.as_slice().into();
        let input_offsets = self.offsets(input);
        let mut partials = Vec::new();
        let mut step = vec![0; input.ndim()];
        while !walked.contains(&0) {
            let block: Vec<usize> = kept.iter().zip(&step).map(|(k, s)| k + s).collect();
            let task = self.block(input, &block)?;
            let position = Position {
                origin: block
                    .iter()
                    .enumerate()
                    .map(|(a, &i)| input_offsets[a][i])
                    .collect(),
                array_shape: array_shape.clone(),
            };
            let kind = TaskKind::Partial {
                kernel: Kernel::Input(0),
                shape: input.chunks.block_shape(&block),
                reduction,
                axes: axes.to_vec(),
                position,
            };
            partials.push(self.task(node, kind, vec![task])?);
            if !advance(&mut step, &walked) {
                break;
            }
        }
        let finalize = TaskKind::Finalize {
            reduction,
            ddof,
            dtype: node.dtype,
            shape: node.chunks.block_shape(index),
        };
        self.combine_and_finalize(node, partials, split_every, finalize)
    }

    /// `partials` combined in a tree and the root finalized by `finalize` (a `Finalize` task).
    fn combine_and_finalize(
        &mut self,
        node: &ArrayRef,
        partials: Vec<TaskId>,
        split_every: usize,
        finalize: TaskKind,
    ) -> Lowered<TaskId> {
        let TaskKind::Finalize { reduction, .. } = finalize else {
            unreachable!("a Finalize task")
        };
        let root = self.combine_tree(node, partials, reduction, split_every)?;
        self.task(node, finalize, vec![root])
    }

    /// Combine `tasks` at most `split_every` at a time until one is left.
    fn combine_tree(
        &mut self,
        node: &ArrayRef,
        mut tasks: Vec<TaskId>,
        reduction: Reduction,
        split_every: usize,
    ) -> Lowered<TaskId> {
        while tasks.len() > 1 {
            let mut next = Vec::with_capacity(tasks.len().div_ceil(split_every.max(2)));
            for group in tasks.chunks(split_every.max(2)) {
                next.push(if group.len() == 1 {
                    group[0]
                } else {
                    self.task(node, TaskKind::Combine { reduction }, group.to_vec())?
                });
            }
            tasks = next;
        }
        Ok(tasks[0])
    }
}

/// The pieces of the output positions `p0..p1` of a selection `start + p * step`, split by the
/// input blocks (with `offsets`) they fall in: (block, source range in the block in ndarray's
/// slice convention, target range in the output block).
/// The pieces of one axis of a gather: (input block, source range with step, target range).
type AxisPieces = Vec<(usize, (usize, usize, isize), (usize, usize))>;

fn range_pieces(offsets: &[usize], start: usize, step: isize, p0: usize, p1: usize) -> AxisPieces {
    let mut out = Vec::new();
    if p1 <= p0 {
        return out;
    }
    let position = |p: usize| (start as isize + p as isize * step) as usize;
    let magnitude = step.unsigned_abs();
    // Only the blocks between the first and last position selected can hold pieces.
    let (low, high) = {
        let (a, b) = (position(p0), position(p1 - 1));
        (a.min(b), a.max(b))
    };
    let block_of = |at: usize| offsets.partition_point(|&o| o <= at).max(1) - 1;
    for block in block_of(low)..=block_of(high).min(offsets.len() - 2) {
        let (lo, hi) = (offsets[block], offsets[block + 1]);
        if hi == lo {
            continue;
        }
        let (first, last) = if step > 0 {
            let first = if lo <= start {
                0
            } else {
                (lo - start).div_ceil(magnitude)
            };
            if hi - 1 < start {
                continue;
            }
            let last = (hi - 1 - start) / magnitude;
            (first.max(p0), last.min(p1 - 1))
        } else {
            if lo > start {
                continue;
            }
            let first = if hi - 1 >= start {
                0
            } else {
                (start - (hi - 1)).div_ceil(magnitude)
            };
            let last = (start - lo) / magnitude;
            (first.max(p0), last.min(p1 - 1))
        };
        if first > last {
            continue;
        }
        let (a, b) = (position(first) - lo, position(last) - lo);
        let source = if step > 0 {
            (a, b + 1, step)
        } else {
            (b, a + 1, step)
        };
        out.push((block, source, (first - p0, last - p0 + 1)));
    }
    if step < 0 {
        // Blocks were visited in increasing position; the output wants them in selection order.
        out.sort_by_key(|piece| piece.2 .0);
    }
    out
}

fn cartesian<T: Clone>(lists: &[Vec<T>]) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::with_capacity(out.len() * list.len());
        for prefix in &out {
            for item in list {
                let mut combination = prefix.clone();
                combination.push(item.clone());
                next.push(combination);
            }
        }
        out = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::range_pieces;

    #[test]
    fn reversed_ranges_split_by_blocks() {
        // Blocks [0,4) [4,8) [8,10); positions 9 down to 0.
        let pieces = range_pieces(&[0, 4, 8, 10], 9, -1, 0, 10);
        assert_eq!(
            pieces,
            vec![
                (2, (0, 2, -1), (0, 2)),
                (1, (0, 4, -1), (2, 6)),
                (0, (0, 4, -1), (6, 10))
            ]
        );
    }

    #[test]
    fn stepped_ranges_split_by_blocks() {
        let pieces = range_pieces(&[0, 4, 8, 10], 1, 3, 0, 3);
        // positions 1, 4, 7
        assert_eq!(pieces, vec![(0, (1, 2, 3), (0, 1)), (1, (0, 4, 3), (1, 3))]);
    }
}
