//! NumPy functions made of elementwise maps that exist already: `round(x, decimals)`,
//! `nan_to_num` and `reciprocal`, with NumPy's types and values.

use super::build::{cast, error, map, Built};
use super::dtype::DType;
use super::node::{ArrayRef, BinaryFunction, MapFunction, Operand, Scalar, UnaryFunction};
use crate::source::Span;

fn apply(function: MapFunction, operands: Vec<Operand>, span: Span) -> Built {
    let mut warnings = Vec::new();
    map(function, operands, span, &mut warnings)
}

fn binary(function: BinaryFunction, a: Operand, b: Operand, span: Span) -> Built {
    apply(MapFunction::Binary(function), vec![a, b], span)
}

/// `round(x, decimals)`, as NumPy's: `rint(x * 10**d) / 10**d` (or `rint(x / 10**-d) * 10**-d`
/// for negative `d`), halves to even; integers are kept for `d >= 0` and rounded to tens,
/// hundreds, … for negative `d` (computed in floats, exact below 2**53).
pub fn round(input: &ArrayRef, decimals: i64, span: Span) -> Built {
    let is_int = !input.dtype.is_float() && input.dtype != DType::Bool;
    if input.dtype == DType::Bool || (is_int && decimals >= 0) {
        return Ok(input.clone());
    }
    let floats = if is_int {
        cast(input, DType::F64, span)
    } else {
        input.clone()
    };
    let scale = Operand::Scalar(Scalar::Float(
        10f64.powi(decimals.unsigned_abs().min(400) as i32),
    ));
    let (inward, outward) = if decimals >= 0 {
        (BinaryFunction::Multiply, BinaryFunction::Divide)
    } else {
        (BinaryFunction::Divide, BinaryFunction::Multiply)
    };
    let scaled = if decimals == 0 {
        floats
    } else {
        binary(inward, Operand::Array(floats), scale.clone(), span)?
    };
    let whole = apply(
        MapFunction::Unary(UnaryFunction::Rint),
        vec![Operand::Array(scaled)],
        span,
    )?;
    let rounded = if decimals == 0 {
        whole
    } else {
        binary(outward, Operand::Array(whole), scale, span)?
    };
    Ok(if is_int {
        cast(&rounded, input.dtype, span)
    } else {
        rounded
    })
}

/// `nan_to_num(x, nan=0.0, posinf=none, neginf=none)`: NaN, +inf and -inf replaced by the
/// numbers given (the largest and smallest finite values of the dtype by default); integers and
/// bools are returned as they are.
pub fn nan_to_num(
    input: &ArrayRef,
    nan: f64,
    posinf: Option<f64>,
    neginf: Option<f64>,
    span: Span,
) -> Built {
    if !input.dtype.is_float() {
        return Ok(input.clone());
    }
    let largest = if input.dtype == DType::F32 {
        f32::MAX as f64
    } else {
        f64::MAX
    };
    let replace = |x: ArrayRef, test: ArrayRef, value: f64| -> Built {
        apply(
            MapFunction::Where,
            vec![
                Operand::Array(test),
                Operand::Scalar(Scalar::Float(value)),
                Operand::Array(x),
            ],
            span,
        )
    };
    let is_nan = apply(
        MapFunction::Unary(UnaryFunction::IsNan),
        vec![Operand::Array(input.clone())],
        span,
    )?;
    let compare = |function: BinaryFunction, bound: f64| {
        binary(
            function,
            Operand::Array(input.clone()),
            Operand::Scalar(Scalar::Float(bound)),
            span,
        )
    };
    let is_posinf = compare(BinaryFunction::Equal, f64::INFINITY)?;
    let is_neginf = compare(BinaryFunction::Equal, f64::NEG_INFINITY)?;
    let out = replace(input.clone(), is_nan, nan)?;
    let out = replace(out, is_posinf, posinf.unwrap_or(largest))?;
    replace(out, is_neginf, neginf.unwrap_or(-largest))
}

/// `reciprocal(x)`: `1 / x` for floats. NumPy's integer reciprocal truncates (0 for every
/// integer but ±1, and undefined at 0), so integers are refused with advice.
pub fn reciprocal(input: &ArrayRef, span: Span) -> Built {
    if !input.dtype.is_float() {
        return Err(error(
            "flow::check::dtype",
            format!(
                "reciprocal of {} values (NumPy's truncates to 0 for all but ±1)",
                input.dtype
            ),
            span,
            "here",
            "convert first: `reciprocal(x.astype(\"f64\"))`, or write `1 / x`",
        ));
    }
    binary(
        BinaryFunction::Divide,
        Operand::Scalar(Scalar::Float(1.0)),
        Operand::Array(input.clone()),
        span,
    )
}
