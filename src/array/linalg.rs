//! Matrix products: the type rules of `a @ b` (NumPy's `matmul` for 1-d and 2-d operands). A
//! 1-d operand is a row (left) or column (right) and that axis is dropped from the result, as
//! NumPy does. The contracted axis is chunked alike on both sides; each block of the result is
//! the sum over that axis's blocks of block products (`graph/lower.rs`).

use super::build::{error, rechunked, shape_text, slice, Built, IndexItem};
use super::chunks::{refine_axis, Chunks};
use super::dtype::DType;
use super::node::{ArrayNode, ArrayOp, ArrayRef};
use crate::source::Span;

pub fn matmul(lhs: &ArrayRef, rhs: &ArrayRef, span: Span) -> Built {
    for (side, array) in [("left", lhs), ("right", rhs)] {
        if !(1..=2).contains(&array.ndim()) {
            return Err(error(
                "flow::check::shape",
                format!(
                    "`@` takes 1-d and 2-d arrays; the {side} one has shape {}",
                    shape_text(&array.shape)
                ),
                span,
                "matrix product",
                "take 2-d slices first (stacks of matrices are not supported yet)",
            ));
        }
    }
    let whole = || IndexItem::Slice {
        start: None,
        stop: None,
        step: None,
    };
    // A vector as a one-row or one-column matrix.
    let a = match lhs.ndim() {
        1 => slice(lhs, &[IndexItem::NewAxis, whole()], span)?,
        _ => lhs.clone(),
    };
    let b = match rhs.ndim() {
        1 => slice(rhs, &[whole(), IndexItem::NewAxis], span)?,
        _ => rhs.clone(),
    };
    if a.shape[1] != b.shape[0] {
        return Err(error(
            "flow::check::shape",
            format!(
                "`@` of shapes {} and {}: {} columns against {} rows",
                shape_text(&lhs.shape),
                shape_text(&rhs.shape),
                a.shape[1],
                b.shape[0]
            ),
            span,
            "matrix product",
            "the left operand's last axis must be as long as the right one's first (transpose one: x @ y.T)",
        ));
    }
    // As NumPy: the operands' common type (bool with bool stays bool: or of ands).
    let dtype = DType::promote(lhs.dtype, rhs.dtype);
    // The contracted axis in the same blocks on both sides.
    let inner = refine_axis(&a.chunks.0[1], &b.chunks.0[0]);
    let a = rechunked(&a, Chunks(vec![a.chunks.0[0].clone(), inner.clone()]), span);
    let b = rechunked(&b, Chunks(vec![inner, b.chunks.0[1].clone()]), span);
    let shape = vec![a.shape[0], b.shape[1]];
    let chunks = Chunks(vec![a.chunks.0[0].clone(), b.chunks.0[1].clone()]);
    let product = ArrayNode::new(
        ArrayOp::MatMul {
            lhs: a.clone(),
            rhs: b.clone(),
        },
        dtype,
        shape,
        chunks,
        span,
    );
    // Drop the axes the vectors gained.
    let index = |rows: bool, columns: bool| -> Vec<IndexItem> {
        let pick = |dropped: bool| if dropped { IndexItem::Int(0) } else { whole() };
        vec![pick(rows), pick(columns)]
    };
    match (lhs.ndim(), rhs.ndim()) {
        (2, 2) => Ok(product),
        (l, r) => slice(&product, &index(l == 1, r == 1), span),
    }
}

/// `diagonal(x, offset=0, axis1=0, axis2=1)`, as NumPy's: the elements `x[..., i, i + offset]`
/// of the two axes, which are taken out, as a new last axis. The two axes are moved last and
/// merged, and the diagonal is every `m + 1`-th element of the merged axis.
pub fn diagonal(input: &ArrayRef, offset: i64, axis1: i64, axis2: i64, span: Span) -> Built {
    if input.ndim() < 2 {
        return Err(error(
            "flow::check::shape",
            format!(
                "a diagonal needs two axes; the array has shape {}",
                shape_text(&input.shape)
            ),
            span,
            "here",
            "give a 2-d (or larger) array",
        ));
    }
    let moved = super::rearrange::moveaxis(input, &[axis1, axis2], &[-2, -1], span)?;
    let ndim = moved.ndim();
    let (n, m) = (moved.shape[ndim - 2] as i64, moved.shape[ndim - 1] as i64);
    let length = if offset >= 0 {
        n.min(m - offset)
    } else {
        (n + offset).min(m)
    }
    .max(0);
    let start = if offset >= 0 { offset } else { -offset * m };
    let mut merged: Vec<i64> = moved.shape[..ndim - 2].iter().map(|&k| k as i64).collect();
    merged.push(n * m);
    let flat = super::reshape::reshape(&moved, &merged, span)?;
    let mut items = vec![
        IndexItem::Slice {
            start: None,
            stop: None,
            step: None,
        };
        ndim - 2
    ];
    items.push(if length == 0 {
        IndexItem::Slice {
            start: Some(0),
            stop: Some(0),
            step: None,
        }
    } else {
        IndexItem::Slice {
            start: Some(start),
            stop: Some(start + (length - 1) * (m + 1) + 1),
            step: Some(m + 1),
        }
    });
    slice(&flat, &items, span)
}

/// `trace(x, offset=0, axis1=0, axis2=1)`: the sums of the diagonals (sums of ints are i64).
pub fn trace(input: &ArrayRef, offset: i64, axis1: i64, axis2: i64, span: Span) -> Built {
    let diagonal = diagonal(input, offset, axis1, axis2, span)?;
    let last = diagonal.ndim() - 1;
    super::build::reduce(
        &diagonal,
        super::node::Reduction::Sum,
        vec![last],
        false,
        0,
        span,
    )
}
