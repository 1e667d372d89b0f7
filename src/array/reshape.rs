//! `x.reshape(shape)` as Dask does it: only what the reshape needs is rechunked. The axes of
//! the input and the output (ignoring axes of length 1) fall into segments of equal size —
//! an axis kept, axes merged, an axis split, or several into several — and within a segment the
//! input is chunked along its first axis only, in blocks whose elements are a whole number of
//! the output segment's trailing rows. Each output block is then one input block in another
//! shape (the row-major order is the same), so a reshape is one copy-free task per block.

use super::build::{error, rechunked, shape_text, Built};
use super::chunks::Chunks;
use super::node::{ArrayNode, ArrayOp, ArrayRef};
use crate::source::Span;

/// The output shape `spec` asks for (one entry may be -1: the rest of the elements).
pub fn resolve_shape(
    size: usize,
    spec: &[i64],
    from: &[usize],
    span: Span,
) -> Result<Vec<usize>, Box<crate::diagnostic::Diagnostic>> {
    let wrong = |why: String| {
        error(
            "flow::check::shape",
            format!(
                "cannot reshape an array of shape {} into ({}): {why}",
                shape_text(from),
                spec.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            span,
            "reshape",
            "the new shape must hold as many elements as the old one; one length may be -1",
        )
    };
    let unknown: Vec<usize> = (0..spec.len()).filter(|&k| spec[k] == -1).collect();
    if unknown.len() > 1 {
        return Err(wrong("only one length can be -1".into()));
    }
    if let Some(bad) = spec.iter().find(|&&n| n < -1) {
        return Err(wrong(format!("{bad} is not a length")));
    }
    let known: usize = spec
        .iter()
        .filter(|&&n| n >= 0)
        .map(|&n| n as usize)
        .product();
    let mut shape: Vec<usize> = spec.iter().map(|&n| n.max(0) as usize).collect();
    if let Some(&k) = unknown.first() {
        if known == 0 || size % known != 0 {
            return Err(wrong(format!(
                "{size} elements do not divide into the other lengths"
            )));
        }
        shape[k] = size / known;
    }
    if shape.iter().product::<usize>() != size {
        return Err(wrong(format!(
            "{size} elements, but the new shape holds {}",
            shape.iter().product::<usize>()
        )));
    }
    Ok(shape)
}

pub fn reshape(input: &ArrayRef, spec: &[i64], span: Span) -> Built {
    let shape = resolve_shape(input.size(), spec, &input.shape, span)?;
    if shape == input.shape {
        return Ok(input.clone());
    }
    let (in_chunks, out_chunks, block_of) = plan(input, &shape);
    let source = rechunked(input, Chunks(in_chunks), span);
    Ok(ArrayNode::new(
        ArrayOp::Reshape {
            input: source,
            block_of,
        },
        input.dtype,
        shape,
        Chunks(out_chunks),
        span,
    ))
}

/// Input chunks, output chunks, and for each input axis the output axis whose block index it
/// takes (none: the input axis is one block).
#[allow(clippy::type_complexity)]
fn plan(
    input: &ArrayRef,
    shape: &[usize],
) -> (Vec<Vec<usize>>, Vec<Vec<usize>>, Vec<Option<usize>>) {
    let whole = |n: usize| vec![n];
    if input.size() == 0 {
        return (
            input.shape.iter().map(|&n| whole(n)).collect(),
            shape.iter().map(|&n| whole(n)).collect(),
            vec![None; input.ndim()],
        );
    }
    let mut in_chunks: Vec<Vec<usize>> = input.shape.iter().map(|&n| whole(n)).collect();
    let mut out_chunks: Vec<Vec<usize>> = shape.iter().map(|&n| whole(n)).collect();
    let mut block_of = vec![None; input.ndim()];
    let ins: Vec<usize> = (0..input.ndim()).filter(|&a| input.shape[a] > 1).collect();
    let outs: Vec<usize> = (0..shape.len()).filter(|&a| shape[a] > 1).collect();
    let (mut i, mut o) = (0, 0);
    while i < ins.len() && o < outs.len() {
        // The next segment: input axes ins[i..i2] hold as many elements as outs[o..o2].
        let (first_in, first_out) = (ins[i], outs[o]);
        let (mut size_in, mut size_out) = (input.shape[first_in], shape[first_out]);
        let (mut i2, mut o2) = (i + 1, o + 1);
        while size_in != size_out {
            if size_in < size_out {
                size_in *= input.shape[ins[i2]];
                i2 += 1;
            } else {
                size_out *= shape[outs[o2]];
                o2 += 1;
            }
        }
        // Elements per row of the first axis, within the segment, on each side.
        let row_in: usize = ins[i + 1..i2].iter().map(|&a| input.shape[a]).product();
        let row_out: usize = outs[o + 1..o2].iter().map(|&a| shape[a]).product();
        // Input blocks along the first axis: a multiple of `unit` rows is whole output rows.
        let unit = row_out / gcd(row_out, row_in);
        let blocks = round_blocks(&input.chunks.0[first_in], unit);
        out_chunks[first_out] = blocks.iter().map(|&b| b * row_in / row_out).collect();
        in_chunks[first_in] = blocks;
        block_of[first_in] = Some(first_out);
        (i, o) = (i2, o2);
    }
    (in_chunks, out_chunks, block_of)
}

/// Blocks whose boundaries are the given ones rounded to multiples of `unit` (at least one unit
/// each); the axis length is a multiple of `unit`.
fn round_blocks(blocks: &[usize], unit: usize) -> Vec<usize> {
    let length: usize = blocks.iter().sum();
    let mut rounded = Vec::new();
    let (mut at, mut previous) = (0usize, 0usize);
    for &b in blocks {
        at += b;
        let boundary = ((at + unit / 2) / unit * unit).min(length);
        if boundary > previous {
            rounded.push(boundary - previous);
            previous = boundary;
        }
    }
    if previous < length {
        rounded.push(length - previous);
    }
    rounded
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_block_boundaries_to_whole_rows() {
        assert_eq!(round_blocks(&[5, 5, 2], 4), vec![4, 8]);
        assert_eq!(round_blocks(&[1, 1, 1, 1, 1, 1], 3), vec![3, 3]);
        assert_eq!(round_blocks(&[10], 5), vec![10]);
        assert_eq!(gcd(12, 18), 6);
    }
}
