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

/// The `q` quantiles (in [0, 1]) of `input` along `axis`; `q_axis`: `q` was a list, so the
/// result has a leading axis of its length (as NumPy's).
pub fn quantile(
    input: &ArrayRef,
    q: Vec<f64>,
    q_axis: bool,
    axis: Option<i64>,
    method: QuantileMethod,
    skip_nan: bool,
    span: Span,
) -> Built {
    if let Some(bad) = q.iter().find(|q| !(0.0..=1.0).contains(*q)) {
        return Err(error(
            "flow::check::argument_value",
            format!("quantile {bad} is outside [0, 1] (percentiles are within [0, 100])"),
            span,
            "q",
            "give quantiles in [0, 1], or percentiles in [0, 100]",
        ));
    }
    let (input, axis) = match axis {
        None => (reshape(input, &[-1], span)?, 0),
        Some(a) => (
            input.clone(),
            normalise_axes(Some(&[a]), input.ndim(), span)?[0],
        ),
    };
    if input.shape[axis] == 0 {
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
    let dtype = match input.dtype {
        DType::F32 => DType::F32,
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
