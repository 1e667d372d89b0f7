//! The type rules of positional gathers and grouped reductions along one axis: `take` with an
//! index array, and a reduction per group of positions (what `groupby` and `resample` lower
//! to). Both know their positions while checking (from coordinate values in memory), so the
//! graph reads each input chunk once, whatever the number of groups.

use super::build::{error, Built};
use super::chunks::Chunks;
use super::node::{ArrayNode, ArrayOp, ArrayRef, Reduction, NO_GROUP};
use crate::source::Span;
use std::sync::Arc;

/// The positions `positions` of `input` along `axis`, chunked along it by `sizes` (by default
/// as long as the input's largest chunk there).
pub fn take(
    input: &ArrayRef,
    axis: usize,
    positions: Vec<usize>,
    sizes: Option<Vec<usize>>,
    span: Span,
) -> Built {
    let length = input.shape[axis];
    if let Some(&bad) = positions.iter().find(|&&p| p >= length) {
        return Err(error(
            "flow::check::array_index",
            format!("index {bad} is out of range for axis {axis} of length {length}"),
            span,
            "here",
            "indices run from -n to n - 1",
        ));
    }
    let sizes = sizes.unwrap_or_else(|| {
        let size = input.chunks.0[axis]
            .iter()
            .copied()
            .max()
            .unwrap_or(1)
            .max(1);
        Chunks::regular_axis(positions.len(), size)
    });
    debug_assert_eq!(sizes.iter().sum::<usize>(), positions.len());
    let mut shape = input.shape.clone();
    shape[axis] = positions.len();
    let mut chunks = input.chunks.0.clone();
    chunks[axis] = sizes;
    Ok(ArrayNode::new(
        ArrayOp::Take {
            input: input.clone(),
            axis,
            positions: positions.into(),
        },
        input.dtype,
        shape,
        Chunks(chunks),
        span,
    ))
}

/// `reduction` of each of `count` groups along `axis`, position `i` in group `groups[i]`
/// (`NO_GROUP` for none). A group no position belongs to (an empty bin of a resample) is NaN,
/// and makes the result float, as xarray's.
pub fn group_reduce(
    input: &ArrayRef,
    axis: usize,
    groups: Arc<[u32]>,
    count: usize,
    reduction: Reduction,
    ddof: usize,
    span: Span,
) -> Built {
    debug_assert_eq!(groups.len(), input.shape[axis]);
    if reduction.is_arg() || matches!(reduction, Reduction::Any | Reduction::All) {
        return Err(error(
            "flow::check::argument_value",
            format!("`{}` is not a grouped reduction", reduction.name()),
            span,
            "here",
            "group with mean, sum, min, max, std, var, prod, median, count, first or last",
        ));
    }
    let mut seen = vec![false; count];
    for &g in groups.iter().filter(|&&g| g != NO_GROUP) {
        seen[g as usize] = true;
    }
    let mut dtype = reduction.result(input.dtype);
    if seen.contains(&false) {
        dtype = dtype.float_result();
    }
    let mut shape = input.shape.clone();
    shape[axis] = count;
    let mut chunks = input.chunks.0.clone();
    chunks[axis] = vec![count];
    Ok(ArrayNode::new(
        ArrayOp::GroupReduce {
            input: input.clone(),
            axis,
            groups,
            reduction,
            ddof,
        },
        dtype,
        shape,
        Chunks(chunks),
        span,
    ))
}
