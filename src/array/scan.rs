//! The type rules of cumulative sums and products (`cumsum`, `cumprod`, `nancumsum`,
//! `nancumprod`) and of `diff`, as NumPy: no axis scans the flattened array; bools and
//! integers scan in i64, floats in their own type. `diff` is `x[1:] - x[:-1]` along the axis,
//! `n` times, the second operand chunked as the first so no extra chunks are made.

use super::build::{error, map, normalise_axes, rechunked, slice, Built, IndexItem};
use super::dtype::DType;
use super::node::{ArrayNode, ArrayOp, ArrayRef, BinaryFunction, MapFunction, Operand, Scan};
use super::reshape::reshape;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub fn scan(input: &ArrayRef, how: Scan, axis: Option<i64>, span: Span) -> Built {
    let (input, axis) = match axis {
        None => (reshape(input, &[-1], span)?, 0),
        Some(a) => (
            input.clone(),
            normalise_axes(Some(&[a]), input.ndim(), span)?[0],
        ),
    };
    let dtype = match input.dtype {
        DType::Bool | DType::I32 | DType::I64 => DType::I64,
        float => float,
    };
    Ok(ArrayNode::new(
        ArrayOp::Scan {
            input: input.clone(),
            scan: how,
            axis,
        },
        dtype,
        input.shape.clone(),
        input.chunks.clone(),
        span,
    ))
}

pub fn diff(
    input: &ArrayRef,
    n: usize,
    axis: i64,
    span: Span,
    warnings: &mut Vec<Diagnostic>,
) -> Built {
    // As NumPy: no differences to take is the input itself (even of a 0-d array).
    if n == 0 {
        return Ok(input.clone());
    }
    if input.ndim() == 0 {
        return Err(error(
            "flow::check::axis",
            "diff needs an array of at least one axis".into(),
            span,
            "a 0-d array",
            "give a 1-d or larger array",
        ));
    }
    let axis = normalise_axes(Some(&[axis]), input.ndim(), span)?[0];
    let mut x = input.clone();
    for _ in 0..n {
        let length = x.shape[axis] as i64;
        let along = |start: Option<i64>, stop: Option<i64>| -> Vec<IndexItem> {
            (0..x.ndim())
                .map(|a| IndexItem::Slice {
                    start: if a == axis { start } else { None },
                    stop: if a == axis { stop } else { None },
                    step: None,
                })
                .collect()
        };
        let later = slice(&x, &along(Some(1.min(length)), None), span)?;
        let earlier = slice(&x, &along(None, Some((length - 1).max(0))), span)?;
        let earlier = rechunked(&earlier, later.chunks.clone(), span);
        // NumPy: the difference of bools is their inequality.
        let function = match x.dtype {
            DType::Bool => BinaryFunction::NotEqual,
            _ => BinaryFunction::Subtract,
        };
        x = map(
            MapFunction::Binary(function),
            vec![Operand::Array(later), Operand::Array(earlier)],
            span,
            warnings,
        )?;
    }
    Ok(x)
}
