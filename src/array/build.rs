//! Building array nodes: the type rules of arrays. Each function checks its operands (shapes that
//! broadcast, axes in range, chunks that fit, dtypes that combine) and returns the new node with
//! its dtype, shape and chunks, or a diagnostic. These run while checking, before any data exists.

use super::chunk::ChunkData;
use super::chunks::{refine_axis, Chunks};
use super::dtype::DType;
use super::node::*;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub type Built = Result<ArrayRef, Box<Diagnostic>>;

pub(super) fn error(
    code: &'static str,
    message: String,
    span: Span,
    label: &str,
    help: &str,
) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(code, message, span)
            .with_label(label.to_string())
            .with_help(help.to_string()),
    )
}

pub fn shape_text(shape: &[usize]) -> String {
    if shape.len() == 1 {
        format!("({},)", shape[0])
    } else {
        format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// How the user asked for chunks.
#[derive(Clone, Debug, PartialEq)]
pub enum ChunkSpec {
    Auto,
    /// One request for every axis.
    Every(AxisChunks),
    PerAxis(Vec<AxisChunks>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum AxisChunks {
    Size(usize),
    /// `-1`: the whole axis in one block.
    Whole,
    Auto,
    /// Explicit block lengths.
    Blocks(Vec<usize>),
}

impl ChunkSpec {
    /// Resolve against a shape; the error says why the chunks do not fit.
    pub fn resolve(&self, shape: &[usize], dtype: DType) -> Result<Chunks, String> {
        let auto = Chunks::auto_sizes(shape, dtype);
        let axes: Vec<AxisChunks> = match self {
            ChunkSpec::Auto => vec![AxisChunks::Auto; shape.len()],
            ChunkSpec::Every(axis) => vec![axis.clone(); shape.len()],
            ChunkSpec::PerAxis(axes) => {
                if axes.len() != shape.len() {
                    return Err(format!(
                        "{} chunk sizes for a {}-d array of shape {}",
                        axes.len(),
                        shape.len(),
                        shape_text(shape)
                    ));
                }
                axes.clone()
            }
        };
        let mut out = Vec::with_capacity(shape.len());
        for (axis, (spec, &length)) in axes.iter().zip(shape).enumerate() {
            out.push(match spec {
                AxisChunks::Size(0) => return Err(format!("chunk size 0 on axis {axis}")),
                AxisChunks::Size(_) | AxisChunks::Auto => {
                    let size = match spec {
                        AxisChunks::Size(size) => *size,
                        _ => auto[axis],
                    };
                    let blocks = length.div_ceil(size);
                    if blocks > MAX_BLOCKS_PER_AXIS {
                        return Err(too_many_blocks(axis, blocks));
                    }
                    Chunks::regular_axis(length, size)
                }
                AxisChunks::Whole => vec![length],
                AxisChunks::Blocks(blocks) => {
                    let total: usize = blocks.iter().sum();
                    if total != length {
                        return Err(format!("blocks on axis {axis} add up to {total}, but the axis has length {length}"));
                    }
                    if blocks.contains(&0) && length > 0 {
                        return Err(format!("a block of length 0 on axis {axis}"));
                    }
                    blocks.clone()
                }
            });
        }
        Ok(Chunks(out))
    }
}

/// Most blocks along one axis: a computation over that many is beyond any memory (each block
/// is a task), and the list of block lengths alone would take hundreds of megabytes.
pub const MAX_BLOCKS_PER_AXIS: usize = 1 << 24;

fn too_many_blocks(axis: usize, blocks: usize) -> String {
    format!("{blocks} blocks along axis {axis}, more than the {MAX_BLOCKS_PER_AXIS} an axis may have; use larger chunks")
}

fn chunks_error(message: String, span: Span) -> Box<Diagnostic> {
    error(
        "flow::check::chunks",
        format!("chunks do not fit: {message}"),
        span,
        "these chunks",
        "give one size per axis (`chunks=(1000, 1000)`), one size for all (`chunks=1000`), -1 for a whole axis, or \"auto\"",
    )
}

/// The number of elements of `shape`, or a diagnostic when its bytes cannot be addressed.
pub fn element_count(shape: &[usize], dtype: DType, span: Span) -> Result<usize, Box<Diagnostic>> {
    shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&count| {
            count
                .checked_mul(dtype.itemsize())
                .is_some_and(|bytes| bytes <= isize::MAX as usize)
        })
        .ok_or_else(|| {
            error(
                "flow::check::too_large",
                format!(
                    "an array of shape {} is too large to address",
                    shape_text(shape)
                ),
                span,
                "this shape",
                "its size in bytes does not fit in 64 bits; check the sizes",
            )
        })
}

pub fn resolve_chunks(
    spec: &ChunkSpec,
    shape: &[usize],
    dtype: DType,
    span: Span,
) -> Result<Chunks, Box<Diagnostic>> {
    element_count(shape, dtype, span)?;
    spec.resolve(shape, dtype)
        .map_err(|m| chunks_error(m, span))
}

// ---------------------------------------------------------------------- creation

/// Default chunks for an array stored in a file: its chunks on disk, grown (last axes first, by whole on-disk
/// chunks) toward 64 MiB per block so tasks are few and reads aligned; "auto" if not chunked.
pub fn default_file_chunks(shape: &[usize], disk: Option<&[usize]>, dtype: DType) -> ChunkSpec {
    let Some(disk) = disk else {
        return ChunkSpec::Auto;
    };
    if disk.len() != shape.len() || disk.contains(&0) {
        return ChunkSpec::Auto;
    }
    let target = (64usize << 20) / dtype.itemsize().max(1);
    let mut block: Vec<usize> = disk
        .iter()
        .zip(shape)
        .map(|(&c, &n)| c.min(n.max(1)))
        .collect();
    for axis in (0..shape.len()).rev() {
        let others: usize = block
            .iter()
            .enumerate()
            .filter(|(a, _)| *a != axis)
            .map(|(_, &b)| b)
            .product();
        let room = (target / others.max(1)).max(block[axis]);
        let grown = (room / block[axis]).max(1) * block[axis];
        block[axis] = grown.min(shape[axis].max(1));
    }
    ChunkSpec::PerAxis(block.into_iter().map(AxisChunks::Size).collect())
}

pub fn full(
    shape: Vec<usize>,
    chunks: &ChunkSpec,
    value: Scalar,
    dtype: DType,
    span: Span,
) -> Built {
    let chunks = resolve_chunks(chunks, &shape, dtype, span)?;
    Ok(ArrayNode::new(
        ArrayOp::Full(value),
        dtype,
        shape,
        chunks,
        span,
    ))
}

/// How many elements `arange(start, stop, step)` has: exact for integers (NumPy computes it in
/// integers too), `ceil((stop - start) / step)` otherwise; never negative.
pub fn arange_length(start: Scalar, stop: Scalar, step: Scalar) -> usize {
    match (start, stop, step) {
        (Scalar::Int(start), Scalar::Int(stop), Scalar::Int(step)) => {
            let (span, step) = (stop as i128 - start as i128, step as i128);
            let length = if (span > 0) == (step > 0) && span != 0 {
                (span.abs() + step.abs() - 1) / step.abs()
            } else {
                0
            };
            usize::try_from(length).unwrap_or(usize::MAX)
        }
        // `as usize` saturates: NaN is 0, a huge length is refused by the chunk cap.
        _ => ((stop.as_f64() - start.as_f64()) / step.as_f64())
            .ceil()
            .max(0.0) as usize,
    }
}

/// `start + i * step` for i in 0..length (exact when both are integers); linspace uses it for all
/// but its last element, which is exactly `stop`.
pub fn arange(
    start: Scalar,
    step: Scalar,
    length: usize,
    dtype: DType,
    chunks: &ChunkSpec,
    span: Span,
) -> Built {
    let shape = vec![length];
    let chunks = resolve_chunks(chunks, &shape, dtype, span)?;
    // NumPy fills a float arange from its first two values: the step is their difference,
    // `(start + step) - start`, which may differ from `step` in the last bit
    // (arange(-1, 1, 0.2)[5] is -2.2e-16, not 0).
    let step = match (dtype.is_float(), start, step) {
        (true, Scalar::Float(_), _) | (true, _, Scalar::Float(_)) => {
            let first = start.as_f64();
            Scalar::Float((first + step.as_f64()) - first)
        }
        _ => step,
    };
    Ok(ArrayNode::new(
        ArrayOp::Arange { start, step },
        dtype,
        shape,
        chunks,
        span,
    ))
}

pub fn random(
    distribution: Distribution,
    seed: u64,
    shape: Vec<usize>,
    chunks: &ChunkSpec,
    span: Span,
) -> Built {
    let dtype = match distribution {
        Distribution::Integers { .. } => DType::I64,
        _ => DType::F64,
    };
    let chunks = resolve_chunks(chunks, &shape, dtype, span)?;
    Ok(ArrayNode::new(
        ArrayOp::Random { distribution, seed },
        dtype,
        shape,
        chunks,
        span,
    ))
}

// ---------------------------------------------------------------------- elementwise

/// The broadcast shape of several shapes (NumPy rules: align from the right; each pair equal
/// or 1).
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Result<Vec<usize>, String> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1; ndim];
    for shape in shapes {
        for (k, &length) in shape.iter().enumerate() {
            let axis = ndim - shape.len() + k;
            if out[axis] == 1 {
                out[axis] = length;
            } else if length != 1 && length != out[axis] {
                return Err(format!(
                    "axis {axis} has length {} in one operand and {length} in another",
                    out[axis]
                ));
            }
        }
    }
    Ok(out)
}

/// The dtype of an elementwise operation on these operands, or why it is not allowed.
fn negative_integer_exponent(exponent: &Operand) -> bool {
    matches!(exponent, Operand::Scalar(Scalar::Int(i)) if *i < 0)
}

/// NEP 50: a Python float meets f32 arrays as an f32, so `x > 280.0001678466797` on the f32
/// value 280.00018 compares 280.00018 with itself (false), as NumPy and xarray do, and
/// `x + 0.1` adds the f32 nearest 0.1.
fn round_weak_floats(operands: Vec<Operand>) -> Vec<Operand> {
    let arrays = operands.iter().filter_map(|o| match o {
        Operand::Array(a) => Some(a.dtype),
        Operand::Scalar(_) => None,
    });
    if arrays.reduce(DType::promote) != Some(DType::F32) {
        return operands;
    }
    operands
        .into_iter()
        .map(|operand| match operand {
            Operand::Scalar(Scalar::Float(v)) => Operand::Scalar(Scalar::Float(v as f32 as f64)),
            other => other,
        })
        .collect()
}

fn map_dtype(function: MapFunction, operands: &[Operand]) -> Result<DType, String> {
    let array_dtype = |o: &Operand| match o {
        Operand::Array(a) => Some(a.dtype),
        Operand::Scalar(_) => None,
    };
    let arrays: Vec<DType> = operands.iter().filter_map(array_dtype).collect();
    let mut common = arrays
        .iter()
        .copied()
        .reduce(DType::promote)
        .unwrap_or(DType::F64);
    for operand in operands {
        if let Operand::Scalar(s) = operand {
            common = DType::promote_with_scalar(
                common,
                matches!(s, Scalar::Float(_)),
                matches!(s, Scalar::Bool(_)),
            );
        }
    }
    // A weak integer scalar must fit the array's integer type (NumPy 2 raises; it would wrap).
    if common == DType::I32 {
        for operand in operands {
            if let Operand::Scalar(Scalar::Int(v)) = operand {
                if i32::try_from(*v).is_err() {
                    return Err(format!(
                        "the integer {v} is out of range for the i32 array (NumPy 2 refuses it too)"
                    ));
                }
            }
        }
    }
    match function {
        MapFunction::Unary(UnaryFunction::Not) => {
            if common != DType::Bool {
                return Err(format!("`not` needs a bool array, not {common}"));
            }
            Ok(DType::Bool)
        }
        MapFunction::Unary(UnaryFunction::Invert) if common.is_float() => Err(format!(
            "`~` inverts the bits of integers or bools, not {common}"
        )),
        MapFunction::Unary(UnaryFunction::Sign) if common == DType::Bool => {
            Err("NumPy has no sign of bools; convert first: `x.astype(\"i64\")`".into())
        }
        MapFunction::Unary(UnaryFunction::Negate) if common == DType::Bool => {
            Err("cannot negate a bool array; use `x == false`".into())
        }
        MapFunction::Unary(f) => Ok(f.result(common)),
        MapFunction::Binary(f) => {
            use BinaryFunction::*;
            match f {
                ShiftLeft | ShiftRight if common == DType::Bool || common.is_float() => {
                    Err(format!("`{}` shifts integers, not {common}", f.symbol()))
                }
                And | Or | Xor => {
                    if common.is_float() {
                        Err(format!(
                            "`{}` needs bool or integer arrays, not {common}",
                            f.symbol()
                        ))
                    } else {
                        Ok(common)
                    }
                }
                Subtract if arrays.iter().all(|&d| d == DType::Bool) && common == DType::Bool => {
                    Err("cannot subtract bool arrays; use `a != b` or `a & (b == false)`".into())
                }
                Divide => Ok(common.float_result()),
                // NumPy: bool + bool and bool * bool are logical (or, and), still bool.
                Add | Multiply
                    if common == DType::Bool && arrays.iter().all(|&d| d == DType::Bool) =>
                {
                    Ok(DType::Bool)
                }
                Add | Multiply | FloorDivide | Modulo | Power if common == DType::Bool => {
                    Ok(DType::I64)
                }
                // NumPy refuses the values, so an empty array is no mistake.
                Power
                    if common.is_integer()
                        && negative_integer_exponent(&operands[1])
                        && !operands
                            .iter()
                            .any(|o| matches!(o, Operand::Array(a) if a.size() == 0)) =>
                {
                    Err("integers to negative integer powers are not allowed".into())
                }
                Add | Subtract | Multiply | FloorDivide | Modulo | Power => Ok(common),
                Maximum | Minimum | Fmax | Fmin | ShiftLeft | ShiftRight => Ok(common),
                Arctan2 | Hypot | Copysign | Logaddexp => Ok(common.float_result()),
                _ => Ok(DType::Bool),
            }
        }
        MapFunction::Where => {
            let values: Vec<&Operand> = operands[1..].iter().collect();
            let arrays: Vec<DType> = values.iter().filter_map(|o| array_dtype(o)).collect();
            let mut dtype = arrays
                .iter()
                .copied()
                .reduce(DType::promote)
                .unwrap_or(DType::F64);
            let scalars = values.iter().filter_map(|o| match o {
                Operand::Scalar(s) => Some(s),
                Operand::Array(_) => None,
            });
            if arrays.is_empty() {
                // Both branches scalars: NumPy's result_type of the two (0.5 and 0 make f64,
                // 2 and true make i64).
                let kind = |s: &Scalar| match s {
                    Scalar::Bool(_) => DType::Bool,
                    Scalar::Int(_) => DType::I64,
                    Scalar::Float(_) => DType::F64,
                };
                return Ok(scalars.map(kind).max().unwrap_or(DType::F64));
            }
            for s in scalars {
                dtype = DType::promote_with_scalar(
                    dtype,
                    matches!(s, Scalar::Float(_)),
                    matches!(s, Scalar::Bool(_)),
                );
            }
            Ok(dtype)
        }
        // NumPy's clip is minimum(maximum(x, low), high): the result type of all three.
        MapFunction::Clip => Ok(common),
        MapFunction::Cast => unreachable!("cast is built by `cast`"),
    }
}

/// An elementwise operation with broadcasting. Operands whose chunks differ along an axis are
/// rechunked to the common refinement (visible in the graph); when that multiplies the number
/// of chunks, a warning is pushed to `warnings`.
pub fn map(
    function: MapFunction,
    operands: Vec<Operand>,
    span: Span,
    warnings: &mut Vec<Diagnostic>,
) -> Built {
    let shapes: Vec<&[usize]> = operands
        .iter()
        .filter_map(|o| match o {
            Operand::Array(a) => Some(a.shape.as_slice()),
            Operand::Scalar(_) => None,
        })
        .collect();
    let shape = broadcast_shapes(&shapes).map_err(|reason| {
        let listed: Vec<String> = shapes.iter().map(|s| shape_text(s)).collect();
        error(
            "flow::check::broadcast",
            format!("shapes {} cannot be broadcast together", listed.join(" and ")),
            span,
            &reason,
            "shapes are matched from the last axis; each pair of lengths must be equal or 1 (add an axis with `x[:, none]`)",
        )
    })?;
    let operands = round_weak_floats(operands);
    let dtype = map_dtype(function, &operands).map_err(|reason| {
        let help = match function {
            _ if reason.starts_with("the integer") => "widen the array first: `x.astype(\"i64\")`",
            MapFunction::Binary(BinaryFunction::And | BinaryFunction::Or | BinaryFunction::Xor) => {
                "compare first to get bool arrays, e.g. `(x > 0) & (y < 1)`"
            }
            MapFunction::Binary(BinaryFunction::Power) => {
                "use a float exponent (`x ** -1.0`) or convert first (`x.astype(\"f64\") ** -1`)"
            }
            _ => "convert with `.astype(\"f64\")` first",
        };
        error(
            "flow::check::dtype",
            format!("cannot apply `{}`: {reason}", function.name()),
            span,
            "here",
            help,
        )
    })?;
    let ndim = shape.len();
    // Per output axis: the chunking every full-length operand must have.
    let mut target: Vec<Vec<usize>> = vec![Vec::new(); ndim];
    for operand in &operands {
        if let Operand::Array(a) = operand {
            for (k, blocks) in a.chunks.0.iter().enumerate() {
                let axis = ndim - a.ndim() + k;
                if a.shape[k] == shape[axis] && shape[axis] != 1
                    || (shape[axis] == 1 && target[axis].is_empty())
                {
                    target[axis] = if target[axis].is_empty() {
                        blocks.clone()
                    } else {
                        refine_axis(&target[axis], blocks)
                    };
                }
            }
        }
    }
    for (axis, blocks) in target.iter_mut().enumerate() {
        if blocks.is_empty() {
            *blocks = vec![shape[axis]];
        }
    }
    let output_chunks = Chunks(target.clone());
    let largest_operand = operands
        .iter()
        .filter_map(|o| match o {
            Operand::Array(a) => Some(a.chunks.count()),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let mut aligned = Vec::with_capacity(operands.len());
    let mut rechunked = false;
    for operand in operands {
        aligned.push(match operand {
            Operand::Array(a) => {
                let wanted: Vec<Vec<usize>> = a
                    .chunks
                    .0
                    .iter()
                    .enumerate()
                    .map(|(k, blocks)| {
                        let axis = ndim - a.ndim() + k;
                        if a.shape[k] == shape[axis] {
                            target[axis].clone()
                        } else {
                            blocks.clone()
                        }
                    })
                    .collect();
                if wanted != a.chunks.0 {
                    rechunked = true;
                    Operand::Array(ArrayNode::new(
                        ArrayOp::Rechunk { input: a.clone() },
                        a.dtype,
                        a.shape.clone(),
                        Chunks(wanted),
                        span,
                    ))
                } else {
                    Operand::Array(a)
                }
            }
            scalar => scalar,
        });
    }
    if rechunked && output_chunks.count() > 2 * largest_operand {
        warnings.push(
            Diagnostic::warning(
                "flow::check::chunk_alignment",
                format!(
                    "aligning the operands' chunks makes {} chunks (the largest operand has {})",
                    output_chunks.count(),
                    largest_operand
                ),
                span,
            )
            .with_label("the operands are chunked differently")
            .with_help("rechunk one operand to match the other first, e.g. `b.rechunk(a.chunks)`"),
        );
    }
    Ok(ArrayNode::new(
        ArrayOp::Map {
            function,
            operands: aligned,
        },
        dtype,
        shape,
        output_chunks,
        span,
    ))
}

/// Values in memory as an array of one chunk, of their own dtype and shape.
pub fn in_memory(chunk: ChunkData, span: Span) -> ArrayRef {
    let (dtype, shape) = (chunk.dtype(), chunk.shape().to_vec());
    ArrayNode::new(
        ArrayOp::Data(super::node::Stored::of_values(vec![chunk])),
        dtype,
        shape.clone(),
        Chunks::single(&shape),
        span,
    )
}

pub fn cast(input: &ArrayRef, dtype: DType, span: Span) -> ArrayRef {
    ArrayNode::new(
        ArrayOp::Map {
            function: MapFunction::Cast,
            operands: vec![Operand::Array(input.clone())],
        },
        dtype,
        input.shape.clone(),
        input.chunks.clone(),
        span,
    )
}

// ---------------------------------------------------------------------- slicing

/// One item of an index expression, as written.
#[derive(Clone, Debug)]
pub enum IndexItem {
    Int(i64),
    /// Positions along the axis, in order and repeated as given (NumPy's index array): the
    /// axis keeps its place with their number of values.
    Positions(Vec<i64>),
    /// A boolean index along one axis (as long as it): the positions where it is true.
    Mask(Vec<bool>),
    /// A boolean index of another shape than 1-d (its shape, its values in row-major order):
    /// a mask of the array's whole shape, taken by `Interpreter::array_index`.
    ShapedMask(Vec<usize>, Vec<bool>),
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
    },
    Ellipsis,
    NewAxis,
}

/// The output axis of index item `at` of `items` on an `ndim`-d array: the axes the items
/// before it make (an int none, `...` the axes no item names, others one).
pub fn axis_of_item(items: &[IndexItem], at: usize, ndim: usize) -> usize {
    let named = items
        .iter()
        .filter(|i| !matches!(i, IndexItem::NewAxis | IndexItem::Ellipsis))
        .count();
    items[..at]
        .iter()
        .map(|i| match i {
            IndexItem::Int(_) => 0,
            IndexItem::Ellipsis => ndim.saturating_sub(named),
            _ => 1,
        })
        .sum()
}

/// An index that keeps the axes where `keep` is true and adds a length-1 axis where it is
/// false (lining an array up with more dimensions).
pub fn lined_up(keep: impl Iterator<Item = bool>) -> Vec<IndexItem> {
    keep.map(|k| {
        if k {
            IndexItem::Slice {
                start: None,
                stop: None,
                step: None,
            }
        } else {
            IndexItem::NewAxis
        }
    })
    .collect()
}

/// `items` with `...` replaced by the whole slices it stands for and whole slices added for the
/// axes no item names: one item per input axis (and the new axes).
fn expand_items(
    input: &ArrayRef,
    items: &[IndexItem],
    span: Span,
) -> Result<Vec<IndexItem>, Box<Diagnostic>> {
    let ellipses = items
        .iter()
        .filter(|i| matches!(i, IndexItem::Ellipsis))
        .count();
    if ellipses > 1 {
        return Err(error(
            "flow::check::array_index",
            "an index can have only one `...`".into(),
            span,
            "two `...`",
            "use `...` once",
        ));
    }
    let consuming = items
        .iter()
        .filter(|i| {
            matches!(
                i,
                IndexItem::Int(_)
                    | IndexItem::Slice { .. }
                    | IndexItem::Positions(_)
                    | IndexItem::Mask(_)
            )
        })
        .count();
    if consuming > input.ndim() {
        return Err(error(
            "flow::check::array_index",
            format!("{consuming} indices for a {}-d array", input.ndim()),
            span,
            &format!("shape {}", shape_text(&input.shape)),
            "give at most one index per axis",
        ));
    }
    let mut expanded: Vec<IndexItem> = Vec::new();
    for item in items {
        if let IndexItem::Ellipsis = item {
            for _ in 0..input.ndim() - consuming {
                expanded.push(IndexItem::Slice {
                    start: None,
                    stop: None,
                    step: None,
                });
            }
        } else {
            expanded.push(item.clone());
        }
    }
    while expanded
        .iter()
        .filter(|i| !matches!(i, IndexItem::NewAxis))
        .count()
        < input.ndim()
    {
        expanded.push(IndexItem::Slice {
            start: None,
            stop: None,
            step: None,
        });
    }
    Ok(expanded)
}

pub fn slice(input: &ArrayRef, items: &[IndexItem], span: Span) -> Built {
    if let Some(IndexItem::ShapedMask(shape, _)) = items
        .iter()
        .find(|i| matches!(i, IndexItem::ShapedMask(..)))
    {
        return Err(error(
            "flow::check::array_index",
            format!(
                "a boolean index of shape {} for an array of shape {}",
                shape_text(shape),
                shape_text(&input.shape)
            ),
            span,
            "shapes differ",
            "a mask of several dimensions must have the array's shape, alone in the index: x[x > 0]",
        ));
    }
    if let Some(at) = items
        .iter()
        .position(|i| matches!(i, IndexItem::Positions(_) | IndexItem::Mask(_)))
    {
        return slice_with_positions(input, items, at, span);
    }
    let expanded = expand_items(input, items, span)?;
    let mut selection = Vec::new();
    let mut shape = Vec::new();
    let mut chunks = Vec::new();
    let mut axis = 0;
    for item in &expanded {
        match *item {
            IndexItem::NewAxis => {
                selection.push(AxisSelection::NewAxis);
                shape.push(1);
                chunks.push(vec![1]);
            }
            IndexItem::Int(i) => {
                let length = input.shape[axis] as i64;
                let position = if i < 0 { i + length } else { i };
                if !(0..length).contains(&position) {
                    return Err(error(
                        "flow::check::array_index",
                        format!("index {i} is out of range for axis {axis} of length {length}"),
                        span,
                        &format!("shape {}", shape_text(&input.shape)),
                        &format!(
                            "valid indices on axis {axis} are -{length} to {}",
                            length - 1
                        ),
                    ));
                }
                selection.push(AxisSelection::Index(position as usize));
                axis += 1;
            }
            IndexItem::Slice { start, stop, step } => {
                let step = step.unwrap_or(1);
                if step == 0 {
                    return Err(error(
                        "flow::check::array_index",
                        "slice step cannot be zero".into(),
                        span,
                        "step 0",
                        "use 1, or -1 to reverse",
                    ));
                }
                let length = input.shape[axis];
                let positions = slice_range(length, start, stop, step);
                let (first, count) = positions;
                selection.push(AxisSelection::Range {
                    start: first,
                    step: step as isize,
                    count,
                });
                shape.push(count);
                chunks.push(sliced_chunks(
                    &input.chunks.0[axis],
                    first,
                    step as isize,
                    count,
                ));
                axis += 1;
            }
            IndexItem::Ellipsis => unreachable!("expanded"),
            IndexItem::Positions(_) | IndexItem::Mask(_) | IndexItem::ShapedMask(..) => {
                unreachable!("taken by slice_with_positions")
            }
        }
    }
    if selection.iter().all(|s| {
        matches!(
            s,
            AxisSelection::Range {
                start: 0,
                step: 1,
                ..
            }
        )
    }) && shape == input.shape
    {
        return Ok(input.clone());
    }
    Ok(ArrayNode::new(
        ArrayOp::Slice {
            input: input.clone(),
            selection,
        },
        input.dtype,
        shape,
        Chunks(chunks),
        span,
    ))
}

/// Output blocks of a sliced axis: the selected positions grouped by the input block they fall
/// in, in selection order.
fn sliced_chunks(blocks: &[usize], start: usize, step: isize, count: usize) -> Vec<usize> {
    if count == 0 {
        return vec![0];
    }
    let mut offsets = Vec::with_capacity(blocks.len() + 1);
    let mut total = 0;
    offsets.push(0);
    for &b in blocks {
        total += b;
        offsets.push(total);
    }
    let block_of = |position: usize| offsets.partition_point(|&o| o <= position) - 1;
    let mut out: Vec<usize> = Vec::new();
    let mut current_block = usize::MAX;
    for k in 0..count {
        let position = (start as isize + k as isize * step) as usize;
        let block = block_of(position);
        if block == current_block {
            *out.last_mut().unwrap() += 1;
        } else {
            out.push(1);
            current_block = block;
        }
    }
    out
}

// ---------------------------------------------------------------------- reductions

/// Normalise `axis=` (none, an int or a tuple of ints, negative from the end).
/// `input[items]` where item `at` is an index array: the other items first (that item a whole
/// slice), then the positions taken along the axis it became, as NumPy does for one index
/// array.
fn slice_with_positions(input: &ArrayRef, items: &[IndexItem], at: usize, span: Span) -> Built {
    if items[at + 1..]
        .iter()
        .any(|i| matches!(i, IndexItem::Positions(_) | IndexItem::Mask(_)))
    {
        return Err(error(
            "flow::check::array_index",
            "one index array at a time".into(),
            span,
            "two index arrays",
            "index by one array, then by the next: x[[0, 2]][:, [1, 3]]",
        ));
    }
    let whole = IndexItem::Slice {
        start: None,
        stop: None,
        step: None,
    };
    let mut plain = items.to_vec();
    plain[at] = whole;
    let sliced = slice(input, &plain, span)?;
    let axis = axis_of_item(items, at, input.ndim());
    let positions: Vec<i64> = match &items[at] {
        IndexItem::Positions(p) => p.clone(),
        IndexItem::Mask(mask) => {
            let length = sliced.shape[axis];
            if mask.len() != length {
                return Err(error(
                    "flow::check::array_index",
                    format!(
                        "a boolean index of {} values for axis {axis} of length {length}",
                        mask.len()
                    ),
                    span,
                    "lengths differ",
                    "give one bool per position along the axis",
                ));
            }
            (0..length as i64).filter(|&i| mask[i as usize]).collect()
        }
        _ => unreachable!("an index array"),
    };
    let taken = super::rearrange::take(&sliced, &positions, Some(axis as i64), span)?;
    // As NumPy: ints are index arrays too, and index arrays apart from each other (a slice,
    // `none` or `...` between them) put their axis first.
    let advanced: Vec<usize> = (0..items.len())
        .filter(|&k| {
            matches!(
                items[k],
                IndexItem::Int(_) | IndexItem::Positions(_) | IndexItem::Mask(_)
            )
        })
        .collect();
    if axis > 0 && advanced.windows(2).any(|w| w[1] != w[0] + 1) {
        return super::rearrange::moveaxis(&taken, &[axis as i64], &[0], span);
    }
    Ok(taken)
}

pub fn normalise_axes(
    axes: Option<&[i64]>,
    ndim: usize,
    span: Span,
) -> Result<Vec<usize>, Box<Diagnostic>> {
    let Some(axes) = axes else {
        return Ok((0..ndim).collect());
    };
    let mut out = ordered_axes(axes, ndim, span)?;
    out.sort_unstable();
    Ok(out)
}

/// Axes in the order given (not sorted), each once, counted from the end when negative.
pub(super) fn ordered_axes(
    axes: &[i64],
    ndim: usize,
    span: Span,
) -> Result<Vec<usize>, Box<Diagnostic>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let axis = axis_index(a, ndim, span)?;
        if out.contains(&axis) {
            return Err(error(
                "flow::check::axis",
                format!("axis {a} is given twice"),
                span,
                "repeated axis",
                "give each axis once",
            ));
        }
        out.push(axis);
    }
    Ok(out)
}

/// Axis `a` of an `ndim`-d array, counting from the end when negative.
pub(super) fn axis_index(a: i64, ndim: usize, span: Span) -> Result<usize, Box<Diagnostic>> {
    let axis = if a < 0 { a + ndim as i64 } else { a };
    if (0..ndim as i64).contains(&axis) {
        return Ok(axis as usize);
    }
    Err(error(
        "flow::check::axis",
        format!("axis {a} is out of range for a {ndim}-d array"),
        span,
        "this axis",
        &if ndim == 0 {
            "a 0-d array has no axes".to_string()
        } else {
            format!("axes run from 0 to {} (or -{ndim} to -1)", ndim - 1)
        },
    ))
}

pub const DEFAULT_SPLIT_EVERY: usize = 8;

pub fn reduce(
    input: &ArrayRef,
    reduction: Reduction,
    axes: Vec<usize>,
    keepdims: bool,
    ddof: usize,
    span: Span,
) -> Built {
    // NumPy: without NaN to skip (integers, bools), nanvar and nanstd are var and std (so
    // no degrees of freedom left is inf, not nan).
    let reduction = match (reduction, input.dtype.is_float()) {
        (Reduction::NanVar, false) => Reduction::Var,
        (Reduction::NanStd, false) => Reduction::Std,
        (other, _) => other,
    };
    if reduction.is_arg() && axes.len() > 1 && axes.len() != input.ndim() {
        return Err(error(
            "flow::check::axis",
            format!("`{}` takes one axis or none", reduction.name()),
            span,
            "several axes",
            "give one axis, or none for the flat index",
        ));
    }
    // A reduction without an identity fails when the reduced axes are empty, as NumPy's does
    // (even with no lanes); an empty axis kept is no mistake (ones((0, 3)).min(axis=1) has
    // shape (0,)).
    let lane: usize = axes.iter().map(|&a| input.shape[a]).product();
    if lane == 0
        && matches!(
            reduction,
            Reduction::Min
                | Reduction::Max
                | Reduction::NanMin
                | Reduction::NanMax
                | Reduction::ArgMin
                | Reduction::ArgMax
        )
    {
        return Err(error(
            "flow::check::empty_reduction",
            format!("`{}` of an empty array", reduction.name()),
            span,
            &format!("shape {}", shape_text(&input.shape)),
            "there is no identity for this reduction; check the slice that made the array empty",
        ));
    }
    let mut shape = Vec::new();
    let mut chunks = Vec::new();
    for axis in 0..input.ndim() {
        if axes.contains(&axis) {
            if keepdims {
                shape.push(1);
                chunks.push(vec![1]);
            }
        } else {
            shape.push(input.shape[axis]);
            chunks.push(input.chunks.0[axis].clone());
        }
    }
    let dtype = reduction.result(input.dtype);
    Ok(ArrayNode::new(
        ArrayOp::Reduce {
            input: input.clone(),
            reduction,
            axes,
            keepdims,
            ddof,
            split_every: DEFAULT_SPLIT_EVERY,
        },
        dtype,
        shape,
        Chunks(chunks),
        span,
    ))
}

// ---------------------------------------------------------------------- reshaping

/// The same values in `chunks` (the input itself when it has them).
pub fn rechunked(input: &ArrayRef, chunks: Chunks, span: Span) -> ArrayRef {
    if chunks == input.chunks {
        return input.clone();
    }
    ArrayNode::new(
        ArrayOp::Rechunk {
            input: input.clone(),
        },
        input.dtype,
        input.shape.clone(),
        chunks,
        span,
    )
}

pub fn rechunk(input: &ArrayRef, spec: &ChunkSpec, span: Span) -> Built {
    let chunks = resolve_chunks(spec, &input.shape, input.dtype, span)?;
    Ok(rechunked(input, chunks, span))
}

pub fn transpose(input: &ArrayRef, axes: Option<&[i64]>, span: Span) -> Built {
    let axes: Vec<usize> = match axes {
        Some(axes) => axes
            .iter()
            .map(|&a| axis_index(a, input.ndim(), span))
            .collect::<Result<_, _>>()?,
        None => (0..input.ndim()).rev().collect(),
    };
    let mut sorted = axes.clone();
    sorted.sort_unstable();
    if sorted != (0..input.ndim()).collect::<Vec<_>>() {
        return Err(error(
            "flow::check::axis",
            format!(
                "transpose axes {axes:?} are not a permutation of the {} axes",
                input.ndim()
            ),
            span,
            "these axes",
            "name every axis once, e.g. `x.transpose((1, 0))`",
        ));
    }
    if input.ndim() < 2 {
        return Ok(input.clone());
    }
    let shape = axes.iter().map(|&a| input.shape[a]).collect();
    let chunks = Chunks(axes.iter().map(|&a| input.chunks.0[a].clone()).collect());
    Ok(ArrayNode::new(
        ArrayOp::Transpose {
            input: input.clone(),
            axes,
        },
        input.dtype,
        shape,
        chunks,
        span,
    ))
}

pub fn concatenate(inputs: &[ArrayRef], axis: i64, span: Span) -> Built {
    let Some(first) = inputs.first() else {
        return Err(error(
            "flow::check::concatenate",
            "nothing to concatenate".into(),
            span,
            "empty list",
            "give at least one array",
        ));
    };
    let ndim = first.ndim();
    let axis = normalise_axes(Some(&[axis]), ndim, span)?[0];
    for (k, array) in inputs.iter().enumerate() {
        let same = array.ndim() == ndim
            && (0..ndim).all(|a| a == axis || array.shape[a] == first.shape[a]);
        if !same {
            return Err(error(
                "flow::check::concatenate",
                format!(
                    "array {k} has shape {}, which does not fit {} along axis {axis}",
                    shape_text(&array.shape),
                    shape_text(&first.shape)
                ),
                span,
                "these arrays",
                "all arrays must have the same shape except along the concatenation axis",
            ));
        }
    }
    let dtype = inputs
        .iter()
        .map(|a| a.dtype)
        .reduce(DType::promote)
        .unwrap();
    let mut target: Vec<Vec<usize>> = first.chunks.0.clone();
    for array in inputs {
        for a in (0..ndim).filter(|&a| a != axis) {
            target[a] = refine_axis(&target[a], &array.chunks.0[a]);
        }
    }
    let mut aligned = Vec::new();
    let mut axis_blocks = Vec::new();
    for array in inputs {
        let mut array = if array.dtype != dtype {
            cast(array, dtype, span)
        } else {
            array.clone()
        };
        let mut wanted = target.clone();
        wanted[axis] = array.chunks.0[axis].clone();
        if wanted != array.chunks.0 {
            array = ArrayNode::new(
                ArrayOp::Rechunk {
                    input: array.clone(),
                },
                array.dtype,
                array.shape.clone(),
                Chunks(wanted),
                span,
            );
        }
        axis_blocks.extend(array.chunks.0[axis].iter().copied().filter(|&b| b > 0));
        aligned.push(array);
    }
    let mut shape = first.shape.clone();
    shape[axis] = inputs.iter().map(|a| a.shape[axis]).sum();
    if axis_blocks.is_empty() {
        axis_blocks.push(0);
    }
    target[axis] = axis_blocks;
    Ok(ArrayNode::new(
        ArrayOp::Concatenate {
            inputs: aligned,
            axis,
        },
        dtype,
        shape,
        Chunks(target),
        span,
    ))
}

pub fn stack(inputs: &[ArrayRef], axis: i64, span: Span) -> Built {
    let Some(first) = inputs.first() else {
        return Err(error(
            "flow::check::concatenate",
            "nothing to stack".into(),
            span,
            "empty list",
            "give at least one array",
        ));
    };
    let ndim = first.ndim() + 1;
    let axis = normalise_axes(Some(&[axis]), ndim, span)?[0];
    for (k, array) in inputs.iter().enumerate() {
        if array.shape != first.shape {
            return Err(error(
                "flow::check::concatenate",
                format!(
                    "array {k} has shape {}, not {} like the first",
                    shape_text(&array.shape),
                    shape_text(&first.shape)
                ),
                span,
                "these arrays",
                "stacked arrays must all have the same shape",
            ));
        }
    }
    let mut expanded = Vec::new();
    for array in inputs {
        let mut items: Vec<IndexItem> = vec![
            IndexItem::Slice {
                start: None,
                stop: None,
                step: None
            };
            axis
        ];
        items.push(IndexItem::NewAxis);
        expanded.push(slice(array, &items, span)?);
    }
    concatenate(&expanded, axis as i64, span)
}

pub fn histogram(
    input: &ArrayRef,
    bins: usize,
    low: f64,
    high: f64,
    span: Span,
) -> Result<(ArrayRef, ArrayRef), Box<Diagnostic>> {
    if bins == 0 {
        return Err(error(
            "flow::check::histogram",
            "a histogram needs at least one bin".into(),
            span,
            "bins=0",
            "give bins=10 or more",
        ));
    }
    if low > high || !low.is_finite() || !high.is_finite() {
        return Err(error(
            "flow::check::histogram",
            format!("histogram range ({low}, {high}) is reversed or not finite"),
            span,
            "this range",
            "give range=(low, high) with low <= high",
        ));
    }
    // As NumPy: a range of one value is widened by a half on each side.
    let (low, high) = match low == high {
        true => (low - 0.5, high + 0.5),
        false => (low, high),
    };
    let counts = ArrayNode::new(
        ArrayOp::Histogram {
            input: input.clone(),
            bins,
            low,
            high,
        },
        DType::I64,
        vec![bins],
        Chunks::single(&[bins]),
        span,
    );
    let edges = linspace(
        low,
        high,
        bins + 1,
        &ChunkSpec::Every(AxisChunks::Whole),
        span,
    )?;
    // NumPy's edges take the input's float type (f32 values, f32 edges).
    let edges = match input.dtype {
        DType::F32 => cast(&edges, DType::F32, span),
        _ => edges,
    };
    Ok((counts, edges))
}

/// `num` values from `start` to `stop` inclusive, spaced evenly (NumPy's linspace: the last is
/// exactly `stop`).
pub fn linspace(start: f64, stop: f64, num: usize, chunks: &ChunkSpec, span: Span) -> Built {
    let step = if num > 1 {
        (stop - start) / (num - 1) as f64
    } else {
        0.0
    };
    let shape = vec![num];
    let chunks = resolve_chunks(chunks, &shape, DType::F64, span)?;
    if num > 1 {
        // The last element must be `stop` exactly; a one-element slice-free concat keeps it lazy.
        let body = ArrayNode::new(
            ArrayOp::Arange {
                start: Scalar::Float(start),
                step: Scalar::Float(step),
            },
            DType::F64,
            vec![num - 1],
            Chunks(vec![Chunks::regular_axis(num - 1, chunks.0[0][0])]),
            span,
        );
        let last = ArrayNode::new(
            ArrayOp::Full(Scalar::Float(stop)),
            DType::F64,
            vec![1],
            Chunks::single(&[1]),
            span,
        );
        let joined = concatenate(&[body, last], 0, span)?;
        return rechunk(
            &joined,
            &ChunkSpec::PerAxis(vec![AxisChunks::Blocks(chunks.0[0].clone())]),
            span,
        );
    }
    Ok(ArrayNode::new(
        ArrayOp::Full(Scalar::Float(start)),
        DType::F64,
        shape,
        chunks,
        span,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(
            broadcast_shapes(&[&[1000, 4000], &[4000]]).unwrap(),
            [1000, 4000]
        );
        assert_eq!(broadcast_shapes(&[&[3, 1], &[1, 5]]).unwrap(), [3, 5]);
        assert!(broadcast_shapes(&[&[1000, 4000], &[3]]).is_err());
    }

    #[test]
    fn reversed_slices_reverse_the_chunks() {
        assert_eq!(sliced_chunks(&[4, 4, 2], 9, -1, 10), [2, 4, 4]);
        assert_eq!(sliced_chunks(&[4, 4, 2], 1, 2, 5), [2, 2, 1]);
    }

    fn sizes(spec: ChunkSpec) -> Vec<usize> {
        match spec {
            ChunkSpec::PerAxis(axes) => axes
                .into_iter()
                .map(|a| match a {
                    AxisChunks::Size(n) => n,
                    _ => panic!("sizes expected"),
                })
                .collect(),
            _ => panic!("per-axis chunks expected"),
        }
    }

    #[test]
    fn default_chunks_grow_whole_disk_chunks_toward_64_mib() {
        // 8 MiB of f64 per row block of (1000, 1000): grown along the last axis to the whole
        // row (4000), then along the first by whole disk chunks while under 64 MiB.
        let spec = default_file_chunks(&[100_000, 4000], Some(&[1000, 1000]), DType::F64);
        assert_eq!(sizes(spec), vec![2000, 4000]);
        // Small datasets become one block; contiguous ones get "auto".
        assert_eq!(
            sizes(default_file_chunks(
                &[600, 400],
                Some(&[150, 200]),
                DType::F64
            )),
            vec![600, 400]
        );
        assert!(matches!(
            default_file_chunks(&[10], None, DType::F64),
            ChunkSpec::Auto
        ));
    }
}

/// The first position and the count a Python slice `[start:stop:step]` selects from a
/// sequence of `len` items (`step` is not zero).
pub fn slice_range(len: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> (usize, usize) {
    // In i128, so no step or bound (±2^63) overflows.
    let len = len as i128;
    let (start, stop, step) = (
        start.map(i128::from),
        stop.map(i128::from),
        i128::from(step),
    );
    let clamp = |value: i128, low: i128, high: i128| value.max(low).min(high);
    let resolve = |bound: i128, low: i128, high: i128| {
        clamp(if bound < 0 { bound + len } else { bound }, low, high)
    };
    if step > 0 {
        let start = start.map_or(0, |s| resolve(s, 0, len));
        let stop = stop.map_or(len, |s| resolve(s, 0, len));
        let count = if stop > start {
            (stop - start + step - 1) / step
        } else {
            0
        };
        (start as usize, count as usize)
    } else {
        let start = start.map_or(len - 1, |s| resolve(s, -1, len - 1));
        let stop = stop.map_or(-1, |s| resolve(s, -1, len - 1));
        let count = if start > stop {
            (start - stop + (-step) - 1) / (-step)
        } else {
            0
        };
        (start.max(0) as usize, count as usize)
    }
}

/// The positions a Python slice selects, in order.
pub fn slice_indices(len: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<usize> {
    let (first, count) = slice_range(len, start, stop, step);
    (0..count as i64)
        .map(|k| (first as i64 + k * step) as usize)
        .collect()
}

#[cfg(test)]
mod slice_tests {
    use super::slice_indices;

    #[test]
    fn slices_follow_python() {
        assert_eq!(slice_indices(5, None, None, -1), [4, 3, 2, 1, 0]);
        assert_eq!(slice_indices(5, Some(1), Some(-1), 1), [1, 2, 3]);
        assert_eq!(slice_indices(5, Some(-2), None, 1), [3, 4]);
        assert_eq!(slice_indices(5, None, None, 2), [0, 2, 4]);
        assert_eq!(slice_indices(5, Some(3), Some(0), -2), [3, 1]);
        assert_eq!(slice_indices(5, Some(10), None, -1), [4, 3, 2, 1, 0]);
        assert!(slice_indices(0, None, None, -1).is_empty());
    }
}
