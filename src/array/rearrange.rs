//! The type rules of NumPy's rearrangements — `squeeze`, `expand_dims`, `moveaxis`, `swapaxes`,
//! `flip`, `roll`, `broadcast_to`, `tile`, `repeat` and `pad` — each made of the nodes that
//! exist already (slices, transposes, concatenations, reshapes and a broadcasting `where`), so
//! they cost no new task kinds and keep the input's chunks wherever the result has the same
//! axis: a flip reverses the blocks, a roll or a pad adds pieces at the ends of an axis.

use super::build::{
    axis_index, broadcast_shapes, concatenate, error, full, map, normalise_axes, ordered_axes,
    shape_text, slice, transpose, AxisChunks, Built, ChunkSpec, IndexItem,
};
use super::dtype::DType;
use super::node::{ArrayRef, MapFunction, Operand, Scalar};
use super::reshape::reshape;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

const WHOLE: IndexItem = IndexItem::Slice {
    start: None,
    stop: None,
    step: None,
};

/// `input[start:stop]` along `axis`, the other axes whole.
fn part(input: &ArrayRef, axis: usize, start: usize, stop: usize, span: Span) -> Built {
    let mut items = vec![WHOLE; input.ndim()];
    items[axis] = IndexItem::Slice {
        start: Some(start as i64),
        stop: Some(stop as i64),
        step: None,
    };
    slice(input, &items, span)
}

/// `squeeze(x, axis=none)`: the length-1 axes (or the ones named, which must have length 1)
/// taken out.
pub fn squeeze(input: &ArrayRef, axes: Option<&[i64]>, span: Span) -> Built {
    let axes = match axes {
        None => (0..input.ndim()).filter(|&a| input.shape[a] == 1).collect(),
        Some(given) => normalise_axes(Some(given), input.ndim(), span)?,
    };
    if let Some(&a) = axes.iter().find(|&&a| input.shape[a] != 1) {
        return Err(error(
            "flow::check::axis",
            format!(
                "axis {a} has length {}, so it cannot be squeezed out (shape {})",
                input.shape[a],
                shape_text(&input.shape)
            ),
            span,
            "not a length-1 axis",
            "squeeze only axes of length 1, or select one position with x[..., 0]",
        ));
    }
    if axes.is_empty() {
        return Ok(input.clone());
    }
    let items: Vec<IndexItem> = (0..input.ndim())
        .map(|a| {
            if axes.contains(&a) {
                IndexItem::Int(0)
            } else {
                WHOLE
            }
        })
        .collect();
    slice(input, &items, span)
}

/// `expand_dims(x, axis)`: new length-1 axes at the positions `axes` take in the result.
pub fn expand_dims(input: &ArrayRef, axes: &[i64], span: Span) -> Built {
    let ndim = input.ndim() + axes.len();
    let new = normalise_axes(Some(axes), ndim, span)?;
    let items: Vec<IndexItem> = (0..ndim)
        .map(|a| {
            if new.contains(&a) {
                IndexItem::NewAxis
            } else {
                WHOLE
            }
        })
        .collect();
    slice(input, &items, span)
}

/// `moveaxis(x, source, destination)`: the axes `source` moved to the positions `destination`,
/// the others keeping their order.
pub fn moveaxis(input: &ArrayRef, source: &[i64], destination: &[i64], span: Span) -> Built {
    if source.len() != destination.len() {
        return Err(error(
            "flow::check::axis",
            format!(
                "{} source axes but {} destinations",
                source.len(),
                destination.len()
            ),
            span,
            "here",
            "give as many destinations as source axes",
        ));
    }
    let ndim = input.ndim();
    let source = ordered_axes(source, ndim, span)?;
    let destination = ordered_axes(destination, ndim, span)?;
    let mut order: Vec<usize> = (0..ndim).filter(|a| !source.contains(a)).collect();
    let mut moves: Vec<(usize, usize)> = destination.into_iter().zip(source).collect();
    moves.sort_unstable();
    for (to, from) in moves {
        order.insert(to, from);
    }
    let order: Vec<i64> = order.into_iter().map(|a| a as i64).collect();
    transpose(input, Some(&order), span)
}

/// `swapaxes(x, a, b)`: axes `a` and `b` exchanged.
pub fn swapaxes(input: &ArrayRef, a: i64, b: i64, span: Span) -> Built {
    let (a, b) = (
        axis_index(a, input.ndim(), span)?,
        axis_index(b, input.ndim(), span)?,
    );
    let mut order: Vec<i64> = (0..input.ndim() as i64).collect();
    order.swap(a, b);
    transpose(input, Some(&order), span)
}

/// `flip(x, axis=none)`: the elements in reverse order along the axes (all when none).
pub fn flip(input: &ArrayRef, axes: Option<&[i64]>, span: Span) -> Built {
    let axes = normalise_axes(axes, input.ndim(), span)?;
    let items: Vec<IndexItem> = (0..input.ndim())
        .map(|a| {
            if axes.contains(&a) {
                IndexItem::Slice {
                    start: None,
                    stop: None,
                    step: Some(-1),
                }
            } else {
                WHOLE
            }
        })
        .collect();
    slice(input, &items, span)
}

/// `roll(x, shift, axis=none)`: elements shifted along the axes, those pushed past the end
/// coming back at the start; without axes the flattened array is rolled and the shape kept.
/// One shift for every axis, or one per axis (an axis named twice is rolled twice, as NumPy).
pub fn roll(input: &ArrayRef, shifts: &[i64], axes: Option<&[i64]>, span: Span) -> Built {
    let Some(axes) = axes else {
        if shifts.len() != 1 {
            return Err(error(
                "flow::check::axis",
                format!("{} shifts but no axes", shifts.len()),
                span,
                "here",
                "give one shift to roll the flattened array, or the axes to roll",
            ));
        }
        let flat = reshape(input, &[-1], span)?;
        let rolled = roll(&flat, shifts, Some(&[0]), span)?;
        let shape: Vec<i64> = input.shape.iter().map(|&n| n as i64).collect();
        return reshape(&rolled, &shape, span);
    };
    let shifts: Vec<i64> = match (shifts.len(), axes.len()) {
        (1, n) => vec![shifts[0]; n],
        (s, a) if s == a => shifts.to_vec(),
        (s, a) => {
            return Err(error(
                "flow::check::axis",
                format!("{s} shifts for {a} axes"),
                span,
                "here",
                "give one shift, or one per axis",
            ))
        }
    };
    let mut out = input.clone();
    for (&a, shift) in axes.iter().zip(shifts) {
        let axis = axis_index(a, input.ndim(), span)?;
        let n = out.shape[axis];
        if n == 0 {
            continue;
        }
        let s = shift.rem_euclid(n as i64) as usize;
        if s == 0 {
            continue;
        }
        let tail = part(&out, axis, n - s, n, span)?;
        let head = part(&out, axis, 0, n - s, span)?;
        out = concatenate(&[tail, head], axis as i64, span)?;
    }
    Ok(out)
}

/// `broadcast_to(x, shape)`: the array repeated along new leading axes and along its length-1
/// axes, as NumPy broadcasts it; the axes it has keep their chunks.
pub fn broadcast_to(input: &ArrayRef, shape: &[usize], span: Span) -> Built {
    let fits = input.ndim() <= shape.len()
        && broadcast_shapes(&[&input.shape, shape]).is_ok_and(|s| s == shape);
    if !fits {
        return Err(error(
            "flow::check::broadcast",
            format!(
                "an array of shape {} cannot be broadcast to {}",
                shape_text(&input.shape),
                shape_text(shape)
            ),
            span,
            "here",
            "each axis must have the target's length or 1; new axes go in front",
        ));
    }
    if input.shape == shape {
        return Ok(input.clone());
    }
    let offset = shape.len() - input.ndim();
    let chunks: Vec<AxisChunks> = (0..shape.len())
        .map(|a| match a.checked_sub(offset) {
            Some(k) if input.shape[k] == shape[a] => AxisChunks::Blocks(input.chunks.0[k].clone()),
            _ => AxisChunks::Auto,
        })
        .collect();
    let everywhere = full(
        shape.to_vec(),
        &ChunkSpec::PerAxis(chunks),
        Scalar::Bool(true),
        DType::Bool,
        span,
    )?;
    let mut warnings = Vec::new();
    map(
        MapFunction::Where,
        vec![
            Operand::Array(everywhere),
            Operand::Array(input.clone()),
            Operand::Array(input.clone()),
        ],
        span,
        &mut warnings,
    )
}

fn counts(values: &[i64], what: &str, span: Span) -> Result<Vec<usize>, Box<Diagnostic>> {
    values
        .iter()
        .map(|&r| {
            usize::try_from(r).map_err(|_| {
                error(
                    "flow::check::argument_value",
                    format!("{what} must not be negative, not {r}"),
                    span,
                    "a negative count",
                    "give counts of 0 or more",
                )
            })
        })
        .collect()
}

/// `tile(x, reps)`: the array repeated `reps` times along each axis (reps shorter than the
/// array's axes repeat the last ones; longer ones add leading axes).
pub fn tile(input: &ArrayRef, reps: &[i64], span: Span) -> Built {
    let reps = counts(reps, "repetitions", span)?;
    let mut out = input.clone();
    if reps.len() > out.ndim() {
        let new: Vec<i64> = (0..(reps.len() - out.ndim()) as i64).collect();
        out = expand_dims(&out, &new, span)?;
    }
    let offset = out.ndim() - reps.len();
    for (k, &r) in reps.iter().enumerate() {
        let axis = offset + k;
        out = match r {
            1 => out,
            0 => part(&out, axis, 0, 0, span)?,
            r => concatenate(&vec![out.clone(); r], axis as i64, span)?,
        };
    }
    Ok(out)
}

/// `repeat(x, repeats, axis=none)`: each element `repeats` times in a row along `axis` (of the
/// flattened array when none).
pub fn repeat(input: &ArrayRef, repeats: i64, axis: Option<i64>, span: Span) -> Built {
    let repeats = counts(&[repeats], "repeats", span)?[0];
    let (input, axis) = match axis {
        None => (reshape(input, &[-1], span)?, 0),
        Some(a) => (input.clone(), axis_index(a, input.ndim(), span)?),
    };
    if repeats == 1 {
        return Ok(input);
    }
    // Each element gets a new axis after `axis` of length `repeats`; merging the two puts the
    // copies one after another.
    let expanded = expand_dims(&input, &[axis as i64 + 1], span)?;
    let mut wide = expanded.shape.clone();
    wide[axis + 1] = repeats;
    let copies = broadcast_to(&expanded, &wide, span)?;
    let mut shape: Vec<i64> = input.shape.iter().map(|&n| n as i64).collect();
    shape[axis] *= repeats as i64;
    reshape(&copies, &shape, span)
}

/// How `pad` fills the new elements.
#[derive(Clone, Copy, Debug)]
pub enum PadMode {
    /// One value (`constant_values=`).
    Constant(Scalar),
    /// The edge value repeated.
    Edge,
    /// Mirrored without the edge: `[1 2 3]` padded by 2 is `[3 2 1 2 3 2 1]`.
    Reflect,
    /// Mirrored with the edge: `[1 2 3]` padded by 2 is `[2 1 1 2 3 3 2]`.
    Symmetric,
    /// Wrapped around from the other end: `[1 2 3]` padded by 2 is `[2 3 1 2 3 1 2]`.
    Wrap,
}

impl PadMode {
    pub fn from_name(name: &str, value: Scalar) -> Option<PadMode> {
        Some(match name {
            "constant" => PadMode::Constant(value),
            "edge" => PadMode::Edge,
            "reflect" => PadMode::Reflect,
            "symmetric" => PadMode::Symmetric,
            "wrap" => PadMode::Wrap,
            _ => return None,
        })
    }
}

/// `pad(x, pad_width, mode=)`: `widths[axis]` elements before and after along every axis.
pub fn pad(input: &ArrayRef, widths: &[(usize, usize)], mode: PadMode, span: Span) -> Built {
    if widths.len() != input.ndim() {
        return Err(error(
            "flow::check::argument_value",
            format!("{} pad widths for a {}-d array", widths.len(), input.ndim()),
            span,
            "here",
            "give one width, one (before, after) pair, or a pair per axis",
        ));
    }
    let mut out = input.clone();
    for (axis, &(before, after)) in widths.iter().enumerate() {
        if before == 0 && after == 0 {
            continue;
        }
        if out.shape[axis] == 0 && !matches!(mode, PadMode::Constant(_)) {
            return Err(error(
                "flow::check::argument_value",
                format!("axis {axis} is empty, so there is nothing to extend it with"),
                span,
                "here",
                "pad an empty axis with mode=\"constant\"",
            ));
        }
        out = match mode {
            PadMode::Constant(value) => {
                let piece = |width: usize| -> Built {
                    let mut shape = out.shape.clone();
                    shape[axis] = width;
                    let chunks = (0..shape.len())
                        .map(|a| {
                            if a == axis {
                                AxisChunks::Whole
                            } else {
                                AxisChunks::Blocks(out.chunks.0[a].clone())
                            }
                        })
                        .collect();
                    full(shape, &ChunkSpec::PerAxis(chunks), value, out.dtype, span)
                };
                let mut pieces = Vec::with_capacity(3);
                if before > 0 {
                    pieces.push(piece(before)?);
                }
                pieces.push(out.clone());
                if after > 0 {
                    pieces.push(piece(after)?);
                }
                concatenate(&pieces, axis as i64, span)?
            }
            PadMode::Edge => {
                let n = out.shape[axis];
                let spread = |from: usize, width: usize| -> Built {
                    let mut shape = out.shape.clone();
                    shape[axis] = width;
                    broadcast_to(&part(&out, axis, from, from + 1, span)?, &shape, span)
                };
                concatenate(
                    &[spread(0, before)?, out.clone(), spread(n - 1, after)?],
                    axis as i64,
                    span,
                )?
            }
            PadMode::Reflect | PadMode::Symmetric => {
                mirrored(&out, axis, before, after, mode, span)?
            }
            PadMode::Wrap => wrapped(&out, axis, before, after, span)?,
        };
    }
    Ok(out)
}

/// Wrap padding of one axis, as NumPy's: the `before` values ending the axis (repeating it
/// whole as often as needed), the axis, and the `after` values starting it.
fn wrapped(input: &ArrayRef, axis: usize, before: usize, after: usize, span: Span) -> Built {
    let n = input.shape[axis];
    let mut pieces = Vec::new();
    if before % n > 0 {
        pieces.push(part(input, axis, n - before % n, n, span)?);
    }
    pieces.extend(std::iter::repeat_n(
        input.clone(),
        before / n + 1 + after / n,
    ));
    if after % n > 0 {
        pieces.push(part(input, axis, 0, after % n, span)?);
    }
    concatenate(&pieces, axis as i64, span)
}

/// Reflect or symmetric padding of one axis, by rounds as NumPy pads: each round mirrors at
/// most the original length (less the edge for reflect), taken from the array padded so far.
fn mirrored(
    input: &ArrayRef,
    axis: usize,
    before: usize,
    after: usize,
    mode: PadMode,
    span: Span,
) -> Built {
    let edge = usize::from(matches!(mode, PadMode::Reflect));
    let period = input.shape[axis].saturating_sub(edge);
    if period == 0 {
        // One element reflects to itself: as edge padding.
        return pad_axis_edge(input, axis, before, after, span);
    }
    let (mut left, mut right) = (before, after);
    let mut out = input.clone();
    while left > 0 || right > 0 {
        let n = out.shape[axis];
        let take_left = left.min(period);
        let take_right = right.min(period);
        let mut pieces = Vec::new();
        if take_left > 0 {
            let source = part(&out, axis, edge, edge + take_left, span)?;
            pieces.push(flip(&source, Some(&[axis as i64]), span)?);
        }
        pieces.push(out.clone());
        if take_right > 0 {
            let source = part(&out, axis, n - edge - take_right, n - edge, span)?;
            pieces.push(flip(&source, Some(&[axis as i64]), span)?);
        }
        out = concatenate(&pieces, axis as i64, span)?;
        left -= take_left;
        right -= take_right;
    }
    Ok(out)
}

fn pad_axis_edge(input: &ArrayRef, axis: usize, before: usize, after: usize, span: Span) -> Built {
    let mut widths = vec![(0, 0); input.ndim()];
    widths[axis] = (before, after);
    pad(input, &widths, PadMode::Edge, span)
}

/// `take(x, indices, axis=none)`: the elements at `indices` (known now: a list, or a computed
/// array of ints) along `axis`, in their order and repeated as given; the flattened array when
/// no axis. One run of consecutive indices is a slice; others a gather (`group::take`) that
/// copies each run within an input block as one piece.
pub fn take(input: &ArrayRef, indices: &[i64], axis: Option<i64>, span: Span) -> Built {
    let (input, axis) = match axis {
        None => (reshape(input, &[-1], span)?, 0),
        Some(a) => (input.clone(), axis_index(a, input.ndim(), span)?),
    };
    let n = input.shape[axis] as i64;
    let mut positions = Vec::with_capacity(indices.len());
    for &i in indices {
        let at = if i < 0 { i + n } else { i };
        if !(0..n).contains(&at) {
            return Err(error(
                "flow::check::array_index",
                format!("index {i} is out of range for axis {axis} of length {n}"),
                span,
                "here",
                "indices run from -n to n - 1",
            ));
        }
        positions.push(at as usize);
    }
    if positions.is_empty() {
        return part(&input, axis, 0, 0, span);
    }
    let consecutive = positions.windows(2).all(|w| w[1] == w[0] + 1);
    if consecutive {
        let (first, last) = (positions[0], positions[positions.len() - 1]);
        return part(&input, axis, first, last + 1, span);
    }
    super::group::take(&input, axis, positions, None, span)
}
