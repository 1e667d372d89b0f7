//! The type rules of order statistics along an axis — `median`, `percentile`, `quantile` and
//! their NaN-skipping variants — exact as NumPy's: the axis is made one chunk (as Dask's
//! `median` does; the other axes stay chunked), and each block finds its lanes' quantiles.
//! No axis means the flattened array, in one chunk.

use super::build::{error, normalise_axes, rechunked, Built};
use super::chunks::Chunks;
use super::dtype::DType;
use super::node::{ArrayNode, ArrayOp, ArrayRef, QuantileMethod};
use super::reshape::reshape;
use crate::source::Span;

/// Which order statistic: quantiles `q` in units of `scale` (1: quantiles, 100: percentiles);
/// `q_axis`: `q` was a list, so the result has a leading axis of its length (as NumPy's);
/// `median`: the median (NaN of an empty axis, where NumPy's percentile refuses).
pub struct OrderStatistic {
    pub q: Vec<f64>,
    pub scale: f64,
    pub q_axis: bool,
    pub method: QuantileMethod,
    pub skip_nan: bool,
    pub median: bool,
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
