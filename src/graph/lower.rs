//! Lowering: what a computation asks for → per-chunk and per-partition tasks. Each array node
//! becomes one task per output chunk (or reuses its input's tasks, for concatenation),
//! reductions become trees of partial → combine → finalize tasks; frame plans become partition
//! tasks (`lower_frame.rs`). Nodes with equal content keys — the same computation, written once
//! or twice — are lowered once.

use super::task::StoredChunk;
use super::{Task, TaskGraph, TaskId, TaskKind};
use crate::array::chunk::ChunkData;
use crate::array::chunks::grid_indices;
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

/// Lower the requests (and everything they need) to a task graph; `made` holds the chunks of
/// `from_delayed` arrays already made (by node id).
pub fn lower(requests: &[Request], made: &HashMap<u64, ChunkData>) -> TaskGraph {
    let mut lowering = Lowering {
        graph: TaskGraph::default(),
        arrays: HashMap::new(),
        frames: HashMap::new(),
        labels: HashMap::new(),
        made,
    };
    for request in requests {
        let tasks = match request {
            Request::Array(array) => lowering.node(array),
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
    lowering.graph
}

/// Lower arrays alone (tests, and graphs drawn before anything runs).
pub fn lower_arrays(arrays: &[ArrayRef]) -> TaskGraph {
    let requests: Vec<Request> = arrays.iter().cloned().map(Request::Array).collect();
    lower(&requests, &HashMap::new())
}

pub(super) struct Lowering<'m> {
    made: &'m HashMap<u64, ChunkData>,
    pub(super) graph: TaskGraph,
    /// The tasks of each array node lowered, by content key.
    arrays: HashMap<Key, Vec<TaskId>>,
    /// The partitions of each frame node lowered, by content key.
    pub(super) frames: HashMap<Key, Vec<super::lower_frame::Pending>>,
    /// The label of each node lowered, shared by its tasks.
    labels: HashMap<Key, Arc<str>>,
}

fn scalar_dtype(scalar: Scalar) -> DType {
    match scalar {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) => DType::I64,
        Scalar::Float(_) => DType::F64,
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

impl Lowering<'_> {
    fn task(&mut self, node: &ArrayNode, kind: TaskKind, inputs: Vec<TaskId>) -> TaskId {
        let key = node.content_key();
        let operation = self
            .labels
            .entry(key)
            .or_insert_with(|| Arc::from(node.label()))
            .clone();
        self.graph.add(Task {
            kind,
            inputs,
            node: key,
            span: node.span,
            operation,
        })
    }

    /// The tasks of `node`'s chunks; nodes that compute the same thing share them.
    fn node(&mut self, node: &ArrayRef) -> Vec<TaskId> {
        let key = node.content_key();
        if let Some(tasks) = self.arrays.get(&key) {
            return tasks.clone();
        }
        let tasks = self.lower_node(node);
        self.arrays.insert(key, tasks.clone());
        tasks
    }

    fn lower_node(&mut self, node: &ArrayRef) -> Vec<TaskId> {
        match &node.op {
            ArrayOp::Full(value) => self.each_block(node, |_, shape| TaskKind::Map {
                kernel: Kernel::Constant(*value, node.dtype),
                shape,
            }),
            ArrayOp::Arange { start, step } => self.each_block(node, |origin, shape| {
                let kernel = Kernel::Arange {
                    start: *start,
                    step: *step,
                    offset: origin[0],
                    dtype: node.dtype,
                };
                TaskKind::Map { kernel, shape }
            }),
            ArrayOp::Random { distribution, seed } => self.each_block(node, |origin, shape| {
                let kernel = Kernel::Random {
                    distribution: *distribution,
                    seed: *seed,
                    shape: node.shape.clone(),
                    origin,
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
            }),
            ArrayOp::Read(source) => self.each_block(node, |origin, shape| {
                TaskKind::Read(Box::new(ReadBlock::new(source, &origin, &shape)))
            }),
            ArrayOp::Data(stored) => {
                let mut index = 0;
                self.each_block(node, |_, _| {
                    index += 1;
                    TaskKind::Data(StoredChunk::new(stored.clone(), index - 1))
                })
            }
            ArrayOp::FromDelayed(_) => self.lower_from_delayed(node),
            ArrayOp::FrameColumn { plan, parts } => self.lower_frame_column(node, plan, parts),
            ArrayOp::Map { function, operands } => self.lower_map(node, *function, operands),
            ArrayOp::Slice { input, selection } => {
                let input_tasks = self.node(input);
                self.lower_slice(node, input, &input_tasks, selection)
            }
            ArrayOp::Rechunk { input } => {
                let input_tasks = self.node(input);
                let whole: Vec<AxisSelection> = input
                    .shape
                    .iter()
                    .map(|&n| AxisSelection::Range {
                        start: 0,
                        step: 1,
                        count: n,
                    })
                    .collect();
                self.lower_slice(node, input, &input_tasks, &whole)
            }
            ArrayOp::Concatenate { inputs, axis } => self.lower_concatenate(node, inputs, *axis),
            ArrayOp::Transpose { input, axes } => self.lower_transpose(node, input, axes),
            ArrayOp::Reduce {
                input,
                reduction,
                axes,
                keepdims,
                ddof,
                split_every,
            } => {
                let input_tasks = self.node(input);
                let reduce = Reduce {
                    reduction: *reduction,
                    axes,
                    keepdims: *keepdims,
                    ddof: *ddof,
                    split_every: *split_every,
                };
                self.lower_reduce(node, input, &input_tasks, &reduce)
            }
            ArrayOp::Histogram {
                input,
                bins,
                low,
                high,
            } => self.lower_histogram(node, input, *bins, *low, *high),
        }
    }

    /// One task per block of `node`, made by `kind(origin, shape)` of the block, with no inputs.
    fn each_block(
        &mut self,
        node: &ArrayRef,
        mut kind: impl FnMut(Vec<usize>, Vec<usize>) -> TaskKind,
    ) -> Vec<TaskId> {
        let offsets: Vec<Vec<usize>> = (0..node.ndim()).map(|a| node.chunks.offsets(a)).collect();
        grid_indices(&node.chunks.grid())
            .iter()
            .map(|index| {
                let origin = index
                    .iter()
                    .enumerate()
                    .map(|(a, &i)| offsets[a][i])
                    .collect();
                let kind = kind(origin, node.chunks.block_shape(index));
                self.task(node, kind, vec![])
            })
            .collect()
    }

    /// A chunk a delayed call made (or, drawing or explaining before anything runs, a
    /// stand-in of its shape).
    fn lower_from_delayed(&mut self, node: &ArrayRef) -> Vec<TaskId> {
        let kind = match self.made.get(&node.id) {
            Some(chunk) => {
                TaskKind::Data(StoredChunk::new(Stored::of_values(vec![chunk.clone()]), 0))
            }
            None => TaskKind::Map {
                kernel: Kernel::Constant(Scalar::Float(0.0), node.dtype),
                shape: node.shape.clone(),
            },
        };
        vec![self.task(node, kind, vec![])]
    }

    /// A frame's column: a chunk per partition that has rows.
    fn lower_frame_column(
        &mut self,
        node: &ArrayRef,
        plan: &PlanRef,
        parts: &[usize],
    ) -> Vec<TaskId> {
        let partitions = self.partitions(plan);
        let blocks = grid_indices(&node.chunks.grid());
        parts
            .iter()
            .zip(&blocks)
            .map(|(&part, index)| {
                let kind = TaskKind::FrameColumn {
                    length: node.chunks.block_shape(index)[0],
                };
                self.task(node, kind, vec![partitions[part]])
            })
            .collect()
    }

    /// Elementwise: each block reads the blocks of its operands it overlaps (broadcast axes
    /// of length 1 read their one block).
    fn lower_map(
        &mut self,
        node: &ArrayRef,
        function: MapFunction,
        operands: &[Operand],
    ) -> Vec<TaskId> {
        let lowered: Vec<Option<(ArrayRef, Vec<TaskId>)>> = operands
            .iter()
            .map(|o| match o {
                Operand::Array(a) => Some((a.clone(), self.node(a))),
                Operand::Scalar(_) => None,
            })
            .collect();
        let ndim = node.ndim();
        grid_indices(&node.chunks.grid())
            .iter()
            .map(|index| {
                let mut inputs = Vec::new();
                let mut args = Vec::new();
                for (operand, lowered) in operands.iter().zip(&lowered) {
                    match (operand, lowered) {
                        (Operand::Scalar(s), _) => {
                            args.push(Kernel::Constant(*s, scalar_dtype(*s)))
                        }
                        (_, Some((array, tasks))) => {
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
                            inputs.push(tasks[flat(&input_index, &array.chunks.grid())]);
                            args.push(Kernel::Input(inputs.len() - 1));
                        }
                        _ => unreachable!("array operands are lowered"),
                    }
                }
                let kernel = Kernel::Map {
                    function,
                    args,
                    dtype: node.dtype,
                };
                let shape = node.chunks.block_shape(index);
                self.task(node, TaskKind::Map { kernel, shape }, inputs)
            })
            .collect()
    }

    /// Concatenation makes no tasks: each block is a block of one of the inputs.
    fn lower_concatenate(
        &mut self,
        node: &ArrayRef,
        inputs: &[ArrayRef],
        axis: usize,
    ) -> Vec<TaskId> {
        let lowered: Vec<Vec<TaskId>> = inputs.iter().map(|i| self.node(i)).collect();
        grid_indices(&node.chunks.grid())
            .iter()
            .map(|index| {
                let mut block = index[axis];
                for (array, tasks) in inputs.iter().zip(&lowered) {
                    let count = array.chunks.0[axis].iter().filter(|&&b| b > 0).count();
                    if block < count {
                        let mut input_index = index.clone();
                        input_index[axis] = block;
                        return tasks[flat(&input_index, &array.chunks.grid())];
                    }
                    block -= count;
                }
                unreachable!("concatenated chunks come from the inputs")
            })
            .collect()
    }

    fn lower_transpose(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        axes: &[usize],
    ) -> Vec<TaskId> {
        let input_tasks = self.node(input);
        let input_grid = input.chunks.grid();
        grid_indices(&node.chunks.grid())
            .iter()
            .map(|index| {
                let mut input_index = vec![0; index.len()];
                for (k, &axis) in axes.iter().enumerate() {
                    input_index[axis] = index[k];
                }
                let source = input_tasks[flat(&input_index, &input_grid)];
                let kind = TaskKind::Transpose {
                    axes: axes.to_vec(),
                };
                self.task(node, kind, vec![source])
            })
            .collect()
    }

    /// Counts per chunk (random samples counted as they are drawn), added up in a tree.
    fn lower_histogram(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        bins: usize,
        low: f64,
        high: f64,
    ) -> Vec<TaskId> {
        let input_tasks = self.node(input);
        let input_blocks = grid_indices(&input.chunks.grid());
        let partials: Vec<TaskId> = input_blocks
            .iter()
            .zip(&input_tasks)
            .map(|(index, &task)| {
                let kind = TaskKind::HistogramPartial {
                    kernel: Kernel::Input(0),
                    shape: input.chunks.block_shape(index),
                    bins,
                    low,
                    high,
                };
                self.task(node, kind, vec![task])
            })
            .collect();
        let root = self.combine_tree(
            node,
            partials,
            Reduction::Sum,
            crate::array::build::DEFAULT_SPLIT_EVERY,
        );
        let kind = TaskKind::Finalize {
            reduction: Reduction::Sum,
            ddof: 0,
            dtype: DType::I64,
            shape: vec![bins],
        };
        vec![self.task(node, kind, vec![root])]
    }

    /// Slicing and rechunking: each output chunk gathers pieces of the input chunks it overlaps.
    fn lower_slice(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        input_tasks: &[TaskId],
        selection: &[AxisSelection],
    ) -> Vec<TaskId> {
        let blocks = grid_indices(&node.chunks.grid());
        let input_offsets: Vec<Vec<usize>> =
            (0..input.ndim()).map(|a| input.chunks.offsets(a)).collect();
        let output_offsets: Vec<Vec<usize>> =
            (0..node.ndim()).map(|a| node.chunks.offsets(a)).collect();
        let input_grid = input.chunks.grid();
        blocks
            .iter()
            .map(|index| {
                // Per input axis: the pieces (input block, source range, target range).
                let mut per_axis: Vec<Vec<(usize, (usize, usize, isize), (usize, usize))>> =
                    Vec::new();
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
                let mut inputs: Vec<TaskId> = Vec::new();
                let mut pieces = Vec::new();
                for combination in cartesian(&per_axis) {
                    let input_index: Vec<usize> = combination.iter().map(|p| p.0).collect();
                    let task = input_tasks[flat(&input_index, &input_grid)];
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
                let shape = node.chunks.block_shape(index);
                let kind = TaskKind::Gather {
                    pieces,
                    gathered,
                    shape,
                    dtype: node.dtype,
                };
                self.task(node, kind, inputs)
            })
            .collect()
    }

    fn lower_reduce(
        &mut self,
        node: &ArrayRef,
        input: &ArrayRef,
        input_tasks: &[TaskId],
        reduce: &Reduce,
    ) -> Vec<TaskId> {
        let Reduce {
            reduction,
            axes,
            keepdims,
            ddof,
            split_every,
        } = *reduce;
        let input_grid = input.chunks.grid();
        let input_offsets: Vec<Vec<usize>> =
            (0..input.ndim()).map(|a| input.chunks.offsets(a)).collect();
        let array_shape: std::sync::Arc<[usize]> = input.shape.as_slice().into();
        // Group the partials by the position of their chunk along the kept axes.
        let mut groups: Vec<(Vec<usize>, Vec<TaskId>)> = Vec::new();
        let mut group_of: HashMap<Vec<usize>, usize> = HashMap::new();
        for (index, &task) in grid_indices(&input_grid).iter().zip(input_tasks) {
            let position = Position {
                origin: index
                    .iter()
                    .enumerate()
                    .map(|(a, &i)| input_offsets[a][i])
                    .collect(),
                array_shape: array_shape.clone(),
            };
            let kind = TaskKind::Partial {
                kernel: Kernel::Input(0),
                shape: input.chunks.block_shape(index),
                reduction,
                axes: axes.to_vec(),
                position,
            };
            let partial = self.task(node, kind, vec![task]);
            let kept: Vec<usize> = index
                .iter()
                .enumerate()
                .map(|(a, &i)| if axes.contains(&a) { 0 } else { i })
                .collect();
            let group = *group_of.entry(kept.clone()).or_insert_with(|| {
                groups.push((kept, Vec::new()));
                groups.len() - 1
            });
            groups[group].1.push(partial);
        }
        let mut outputs = Vec::with_capacity(groups.len());
        for (kept, partials) in groups {
            let root = self.combine_tree(node, partials, reduction, split_every);
            let shape: Vec<usize> = (0..input.ndim())
                .filter_map(|a| {
                    if axes.contains(&a) {
                        keepdims.then_some(1)
                    } else {
                        Some(input.chunks.0[a][kept[a]])
                    }
                })
                .collect();
            let kind = TaskKind::Finalize {
                reduction,
                ddof,
                dtype: node.dtype,
                shape,
            };
            outputs.push(self.task(node, kind, vec![root]));
        }
        outputs
    }

    /// Combine `tasks` at most `split_every` at a time until one is left.
    fn combine_tree(
        &mut self,
        node: &ArrayRef,
        mut tasks: Vec<TaskId>,
        reduction: Reduction,
        split_every: usize,
    ) -> TaskId {
        while tasks.len() > 1 {
            tasks = tasks
                .chunks(split_every.max(2))
                .map(|group| {
                    if group.len() == 1 {
                        group[0]
                    } else {
                        self.task(node, TaskKind::Combine { reduction }, group.to_vec())
                    }
                })
                .collect();
        }
        tasks[0]
    }
}

/// The pieces of the output positions `p0..p1` of a selection `start + p * step`, split by the
/// input blocks (with `offsets`) they fall in: (block, source range in the block in ndarray's
/// slice convention, target range in the output block).
fn range_pieces(
    offsets: &[usize],
    start: usize,
    step: isize,
    p0: usize,
    p1: usize,
) -> Vec<(usize, (usize, usize, isize), (usize, usize))> {
    let mut out = Vec::new();
    if p1 <= p0 {
        return out;
    }
    let position = |p: usize| (start as isize + p as isize * step) as usize;
    let blocks = offsets.len() - 1;
    let magnitude = step.unsigned_abs();
    for block in 0..blocks {
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
