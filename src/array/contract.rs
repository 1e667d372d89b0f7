//! Contractions: `tensordot` and `einsum`, as NumPy's. A tensordot moves the contracted axes
//! of `a` last and of `b` first, reshapes both to matrices (rechunking only what the reshape
//! needs) and multiplies them with the blocked matrix product; `einsum` with two operands and
//! no index shared by both and the output is such a tensordot, then a transpose; every other
//! form (batch indices, one operand, sums, outer products) lines the operands up on one axis
//! per index, multiplies them elementwise and sums the indices the output leaves out — lazy
//! and fused, so the broadcast product is never held whole.

use super::build::{
    error, lined_up, map, normalise_axes, reduce, shape_text, slice, transpose, Built,
};
use super::linalg::{diagonal, matmul};
use super::node::{ArrayRef, BinaryFunction, MapFunction, Operand, Reduction};
use super::reshape::reshape;
use crate::source::Span;

/// `tensordot(a, b, axes)`: `axes` pairs of axes (of `a`, of `b`) summed over.
pub fn tensordot(a: &ArrayRef, b: &ArrayRef, axes_a: &[i64], axes_b: &[i64], span: Span) -> Built {
    if axes_a.len() != axes_b.len() {
        return Err(error(
            "flow::check::axis",
            format!(
                "{} axes of the first array against {} of the second",
                axes_a.len(),
                axes_b.len()
            ),
            span,
            "axes",
            "pair the axes: tensordot(a, b, axes=([1, 2], [0, 1]))",
        ));
    }
    // Each axis on its own: their order pairs them (normalise_axes sorts).
    let each =
        |axes: &[i64], ndim: usize| -> Result<Vec<usize>, Box<crate::diagnostic::Diagnostic>> {
            let mut out: Vec<usize> = Vec::new();
            for &x in axes {
                let axis = normalise_axes(Some(&[x]), ndim, span)?[0];
                if out.contains(&axis) {
                    return Err(error(
                        "flow::check::axis",
                        format!("axis {x} is given twice"),
                        span,
                        "axes",
                        "name each axis once",
                    ));
                }
                out.push(axis);
            }
            Ok(out)
        };
    let (ca, cb) = (each(axes_a, a.ndim())?, each(axes_b, b.ndim())?);
    for (&x, &y) in ca.iter().zip(&cb) {
        if a.shape[x] != b.shape[y] {
            return Err(error(
                "flow::check::shape",
                format!(
                    "axis {x} of {} is {} long, axis {y} of {} is {}",
                    shape_text(&a.shape),
                    a.shape[x],
                    shape_text(&b.shape),
                    b.shape[y]
                ),
                span,
                "contracted axes",
                "contract axes of the same length",
            ));
        }
    }
    let free_a: Vec<usize> = (0..a.ndim()).filter(|x| !ca.contains(x)).collect();
    let free_b: Vec<usize> = (0..b.ndim()).filter(|y| !cb.contains(y)).collect();
    let order_a: Vec<i64> = free_a.iter().chain(&ca).map(|&x| x as i64).collect();
    let order_b: Vec<i64> = cb.iter().chain(&free_b).map(|&y| y as i64).collect();
    let rows: usize = free_a.iter().map(|&x| a.shape[x]).product();
    let inner: usize = ca.iter().map(|&x| a.shape[x]).product();
    let columns: usize = free_b.iter().map(|&y| b.shape[y]).product();
    let ma = reshape(
        &transpose(a, Some(&order_a), span)?,
        &[rows as i64, inner as i64],
        span,
    )?;
    let mb = reshape(
        &transpose(b, Some(&order_b), span)?,
        &[inner as i64, columns as i64],
        span,
    )?;
    let product = matmul(&ma, &mb, span)?;
    let shape: Vec<i64> = free_a
        .iter()
        .map(|&x| a.shape[x] as i64)
        .chain(free_b.iter().map(|&y| b.shape[y] as i64))
        .collect();
    reshape(&product, &shape, span)
}

/// One operand's subscripts, its array, and the output's.
struct Parsed {
    inputs: Vec<Vec<char>>,
    output: Vec<char>,
}

fn parse(
    spec: &str,
    operands: usize,
    span: Span,
) -> Result<Parsed, Box<crate::diagnostic::Diagnostic>> {
    let bad = |why: String| {
        error(
            "flow::check::argument_value",
            format!("einsum subscripts {spec:?}: {why}"),
            span,
            "subscripts",
            "write them as NumPy does: \"ij,jk->ik\", \"ii\", \"ij->\"",
        )
    };
    let spec_clean: String = spec.chars().filter(|c| !c.is_whitespace()).collect();
    let (left, right) = match spec_clean.split_once("->") {
        Some((l, r)) => (l.to_string(), Some(r.to_string())),
        None => (spec_clean.clone(), None),
    };
    let inputs: Vec<Vec<char>> = left.split(',').map(|s| s.chars().collect()).collect();
    if inputs.len() != operands {
        return Err(bad(format!(
            "{} operands named, {operands} given",
            inputs.len()
        )));
    }
    if let Some(c) = left
        .chars()
        .chain(right.iter().flat_map(|r| r.chars()))
        .find(|c| *c != ',' && !c.is_ascii_alphabetic())
    {
        return Err(bad(format!(
            "`{c}` is no index (letters only; `...` is not supported)"
        )));
    }
    let output: Vec<char> = match right {
        Some(r) => {
            let out: Vec<char> = r.chars().collect();
            for (k, c) in out.iter().enumerate() {
                if out[..k].contains(c) {
                    return Err(bad(format!("`{c}` is twice in the output")));
                }
                if !inputs.iter().any(|i| i.contains(c)) {
                    return Err(bad(format!("`{c}` of the output is in no operand")));
                }
            }
            out
        }
        // NumPy's implicit output: the indices that appear once, in alphabetical order.
        None => {
            let mut once: Vec<char> = inputs
                .iter()
                .flatten()
                .copied()
                .filter(|c| inputs.iter().flatten().filter(|d| *d == c).count() == 1)
                .collect();
            once.sort_unstable();
            once
        }
    };
    Ok(Parsed { inputs, output })
}

/// `einsum(spec, *operands)`.
pub fn einsum(spec: &str, operands: &[ArrayRef], span: Span) -> Built {
    let Parsed { inputs, output } = parse(spec, operands.len(), span)?;
    // Each operand with its repeated indices taken as diagonals, and its indices' lengths.
    let mut arrays = Vec::new();
    let mut subscripts: Vec<Vec<char>> = Vec::new();
    let mut lengths: Vec<(char, usize)> = Vec::new();
    for (k, (names, array)) in inputs.iter().zip(operands).enumerate() {
        if names.len() != array.ndim() {
            return Err(error(
                "flow::check::argument_value",
                format!(
                    "einsum operand {k} has {} dimensions, its subscripts `{}` name {}",
                    array.ndim(),
                    names.iter().collect::<String>(),
                    names.len()
                ),
                span,
                "subscripts",
                "one letter per dimension",
            ));
        }
        let (mut array, mut names) = (array.clone(), names.clone());
        while let Some((i, j)) = repeated(&names) {
            // diagonal() puts the diagonal last.
            array = diagonal(&array, 0, i as i64, j as i64, span)?;
            let c = names[i];
            names.remove(j);
            names.remove(i);
            names.push(c);
        }
        for (c, &n) in names.iter().zip(&array.shape) {
            match lengths.iter().find(|(d, _)| d == c) {
                Some(&(_, m)) if m != n => {
                    return Err(error(
                        "flow::check::shape",
                        format!("index `{c}` is {m} long in one operand and {n} in another"),
                        span,
                        "subscripts",
                        "an index has one length in every operand",
                    ))
                }
                Some(_) => {}
                None => lengths.push((*c, n)),
            }
        }
        arrays.push(array);
        subscripts.push(names);
    }
    // Two operands, nothing shared by both and the output: a matrix product.
    if let ([a, b], [na, nb]) = (&arrays[..], &subscripts[..]) {
        let shared: Vec<char> = na.iter().copied().filter(|c| nb.contains(c)).collect();
        let summed_alone = na
            .iter()
            .chain(nb)
            .any(|c| !output.contains(c) && !shared.contains(c));
        if !shared.is_empty() && !summed_alone && shared.iter().all(|c| !output.contains(c)) {
            let axes_a: Vec<i64> = shared
                .iter()
                .map(|c| na.iter().position(|d| d == c).unwrap() as i64)
                .collect();
            let axes_b: Vec<i64> = shared
                .iter()
                .map(|c| nb.iter().position(|d| d == c).unwrap() as i64)
                .collect();
            let product = tensordot(a, b, &axes_a, &axes_b, span)?;
            let have: Vec<char> = na
                .iter()
                .chain(nb)
                .copied()
                .filter(|c| !shared.contains(c))
                .collect();
            return order_as(&product, &have, &output, span);
        }
    }
    // Every index an axis of one common order; each operand transposed and given the indices it
    // lacks as length-1 axes, then multiplied and summed.
    let all: Vec<char> = lengths.iter().map(|(c, _)| *c).collect();
    let mut product: Option<ArrayRef> = None;
    let mut warnings = Vec::new();
    for (array, names) in arrays.iter().zip(&subscripts) {
        let order: Vec<i64> = all
            .iter()
            .filter_map(|c| names.iter().position(|d| d == c).map(|p| p as i64))
            .collect();
        let moved = if order.iter().enumerate().all(|(k, &p)| k as i64 == p) {
            array.clone()
        } else {
            transpose(array, Some(&order), span)?
        };
        let items = lined_up(all.iter().map(|c| names.contains(c)));
        let lined = slice(&moved, &items, span)?;
        product = Some(match product {
            None => lined,
            Some(p) => map(
                MapFunction::Binary(BinaryFunction::Multiply),
                vec![Operand::Array(p), Operand::Array(lined)],
                span,
                &mut warnings,
            )?,
        });
    }
    let product = product.expect("at least one operand");
    let summed: Vec<usize> = (0..all.len())
        .filter(|&k| !output.contains(&all[k]))
        .collect();
    let reduced = if summed.is_empty() {
        product
    } else {
        reduce(&product, Reduction::Sum, summed, false, 0, span)?
    };
    let kept: Vec<char> = all.iter().copied().filter(|c| output.contains(c)).collect();
    order_as(&reduced, &kept, &output, span)
}

/// The first pair of positions holding one index twice.
fn repeated(names: &[char]) -> Option<(usize, usize)> {
    (0..names.len()).find_map(|i| {
        (i + 1..names.len())
            .find(|&j| names[j] == names[i])
            .map(|j| (i, j))
    })
}

/// `array` (with axes named `have`) with its axes in the order `want`.
fn order_as(array: &ArrayRef, have: &[char], want: &[char], span: Span) -> Built {
    let order: Vec<i64> = want
        .iter()
        .map(|c| have.iter().position(|d| d == c).expect("an output index") as i64)
        .collect();
    if order.iter().enumerate().all(|(k, &p)| k as i64 == p) {
        return Ok(array.clone());
    }
    transpose(array, Some(&order), span)
}
