//! The type rules of order statistics along an axis — `median`, `percentile`, `quantile` and
//! their NaN-skipping variants — exact as NumPy's: the axis is made one chunk (as Dask's
//! `median` does; the other axes stay chunked), and each block finds its lanes' quantiles.
//! No axis means the flattened array, in one chunk — or, with `approx`, a streaming t-digest
//! of all the values that never holds more than a chunk (`kernels/sketch.rs`).

use super::build::{error, normalise_axes, rechunked, Built};
use super::chunks::Chunks;
use super::dtype::DType;
use super::node::{ArrayNode, ArrayOp, ArrayRef, QuantileMethod, Sorting};
use super::reshape::reshape;
use crate::source::Span;

/// Which order statistic: quantiles `q` in units of `scale` (1: quantiles, 100: percentiles);
/// `q_axis`: `q` was a list, so the result has a leading axis of its length (as NumPy's);
/// `median`: the median (NaN of an empty axis, where NumPy's percentile refuses); `approx`:
/// estimated over all axes by a t-digest instead of sorting them in one chunk.
pub struct OrderStatistic {
    pub q: Vec<f64>,
    pub scale: f64,
    pub q_axis: bool,
    pub method: QuantileMethod,
    pub skip_nan: bool,
    pub median: bool,
    pub approx: bool,
}

pub fn quantile(
    input: &ArrayRef,
    statistic: OrderStatistic,
    axis: Option<i64>,
    span: Span,
) -> Built {
    let OrderStatistic {
        q,
        scale,
        q_axis,
        method,
        skip_nan,
        median,
        approx,
    } = statistic;
    let what = if scale == 100.0 {
        "percentile"
    } else {
        "quantile"
    };
    if let Some(bad) = q.iter().find(|q| !(0.0..=scale).contains(*q)) {
        return Err(error(
            "flow::check::argument_value",
            format!("{what} {bad} is outside [0, {scale}]"),
            span,
            "q",
            "give quantiles in [0, 1], or percentiles in [0, 100]",
        ));
    }
    let q: Vec<f64> = q.iter().map(|q| q / scale).collect();
    if approx {
        return sketch(input, q, q_axis, method, skip_nan, axis, span);
    }
    let (input, axis) = match axis {
        None => (reshape(input, &[-1], span)?, 0),
        Some(a) => (
            input.clone(),
            normalise_axes(Some(&[a]), input.ndim(), span)?[0],
        ),
    };
    // NumPy: the median (and the NaN-skipping statistics) of nothing is NaN; a percentile of
    // nothing is refused.
    if input.shape[axis] == 0 && !(median || skip_nan) {
        return Err(error(
            "flow::check::empty_reduction",
            "a quantile of an empty axis".into(),
            span,
            "no values",
            "check the slice that made the axis empty",
        ));
    }
    let mut whole_axis = input.chunks.0.clone();
    whole_axis[axis] = vec![input.shape[axis]];
    let source = rechunked(&input, Chunks(whole_axis), span);
    let mut shape: Vec<usize> = Vec::new();
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    if q_axis {
        shape.push(q.len());
        chunks.push(vec![q.len()]);
    }
    for a in (0..input.ndim()).filter(|&a| a != axis) {
        shape.push(input.shape[a]);
        chunks.push(source.chunks.0[a].clone());
    }
    // NumPy's types: a method that picks a value keeps the input's type; one that computes
    // between two is a float (f32 stays f32, but a list of q makes f64, as NumPy's array of q
    // promotes it).
    let dtype = match (method, input.dtype) {
        (QuantileMethod::Lower | QuantileMethod::Higher | QuantileMethod::Nearest, d) => d,
        (_, DType::F32) if !q_axis => DType::F32,
        _ => DType::F64,
    };
    Ok(ArrayNode::new(
        ArrayOp::Quantile {
            input: source,
            axis,
            q,
            q_axis,
            method,
            skip_nan,
        },
        dtype,
        shape,
        Chunks(chunks),
        span,
    ))
}

/// Quantiles `q` of all of `input`'s values, estimated by merging t-digests of its chunks
/// (NumPy's "linear" definition; the error is documented in docs/arrays.md).
fn sketch(
    input: &ArrayRef,
    q: Vec<f64>,
    q_axis: bool,
    method: QuantileMethod,
    skip_nan: bool,
    axis: Option<i64>,
    span: Span,
) -> Built {
    if axis.is_some() {
        return Err(error(
            "flow::check::argument_value",
            "approx=true estimates quantiles of all the values, not along an axis".into(),
            span,
            "axis and approx",
            "drop axis= for the sketch, or approx= for exact quantiles along the axis",
        ));
    }
    if !matches!(method, QuantileMethod::Linear | QuantileMethod::MiddleMean) {
        return Err(error(
            "flow::check::argument_value",
            "the sketch (approx=true) reads its quantiles by the linear method only".into(),
            span,
            "method and approx",
            "drop method= (linear), or approx= for exact quantiles with another method",
        ));
    }
    if input.size() == 0 {
        return Err(error(
            "flow::check::empty_reduction",
            "a quantile sketch of no values".into(),
            span,
            "no values",
            "check the slice that made the array empty",
        ));
    }
    let shape = if q_axis { vec![q.len()] } else { vec![] };
    // As the exact quantiles' types: f32 stays f32 for one q.
    let dtype = match input.dtype {
        DType::F32 if !q_axis => DType::F32,
        _ => DType::F64,
    };
    Ok(ArrayNode::new(
        ArrayOp::Sketch {
            input: input.clone(),
            q,
            q_axis,
            method,
            skip_nan,
        },
        dtype,
        shape.clone(),
        Chunks::single(&shape),
        span,
    ))
}

/// `sort(x, axis)`, `argsort(x, axis)` and `topk(x, k, axis)`. Sorting needs the axis in one
/// chunk (as NumPy's sort of a block; Dask has no sort across blocks): an axis in several is
/// refused with the rechunk that would do. `topk` works on any chunks, as Dask's: each block
/// keeps its `k` candidates, and one more sort of the candidates picks the result.
pub fn sort(input: &ArrayRef, axis: i64, sorting: Sorting, span: Span) -> Built {
    let axis = normalise_axes(Some(&[axis]), input.ndim().max(1), span)?[0];
    if input.ndim() == 0 {
        return Err(error(
            "flow::check::axis",
            "a 0-d array has no axis to sort along".into(),
            span,
            "0-d",
            "sort arrays of at least one dimension",
        ));
    }
    let length = input.shape[axis];
    let dtype = match sorting {
        Sorting::Indices => DType::I64,
        _ => input.dtype,
    };
    let node = |input: &ArrayRef, sizes: Vec<usize>| {
        let mut chunks = input.chunks.0.clone();
        chunks[axis] = sizes;
        let mut shape = input.shape.clone();
        shape[axis] = chunks[axis].iter().sum();
        ArrayNode::new(
            ArrayOp::Sort {
                input: input.clone(),
                axis,
                sorting,
            },
            dtype,
            shape,
            Chunks(chunks),
            span,
        )
    };
    let Sorting::Top(k) = sorting else {
        if input.chunks.0[axis].len() > 1 {
            return Err(error(
                "flow::check::axis_chunks",
                format!(
                    "sorting along axis {axis} needs it in one chunk, and it is in {}",
                    input.chunks.0[axis].len()
                ),
                span,
                "chunked along the axis",
                &format!("rechunk it first: x.rechunk({}) puts all {length} values of the axis in one chunk", {
                    let parts: Vec<String> = (0..input.ndim())
                        .map(|a| if a == axis { "-1".to_string() } else { input.chunks.0[a].iter().copied().max().unwrap_or(1).to_string() })
                        .collect();
                    if parts.len() == 1 { format!("({},)", parts[0]) } else { format!("({})", parts.join(", ")) }
                }),
            ));
        }
        return Ok(node(input, vec![length]));
    };
    let wanted = k.unsigned_abs() as usize;
    if k == 0 || wanted > length {
        return Err(error(
            "flow::check::argument_value",
            format!("topk of {k} values along an axis of {length}"),
            span,
            "k",
            "k is from 1 to the axis' length (negative for the smallest)",
        ));
    }
    if input.chunks.0[axis].len() == 1 {
        return Ok(node(input, vec![wanted]));
    }
    let candidates = node(
        input,
        input.chunks.0[axis]
            .iter()
            .map(|&n| n.min(wanted))
            .collect(),
    );
    let mut whole = candidates.chunks.0.clone();
    whole[axis] = vec![candidates.shape[axis]];
    let merged = rechunked(&candidates, Chunks(whole), span);
    Ok(node(&merged, vec![wanted]))
}
