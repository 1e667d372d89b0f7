//! `interp` of labelled arrays and datasets: arguments turned into target coordinate values
//! (numbers, lists, known arrays, dates on a time coordinate); the interpolation is in
//! `crate::dataset::interp`.

use super::datasets::{indexers, subject_of};
use crate::dataset::interp::{interp_one, Target};
use crate::dataset::{Coord, Labelled, Subject};
use crate::diagnostic::Diagnostic;
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::kinds::dataset::wrap;
use crate::eval::value::Value;
use crate::source::Span;
use std::sync::Arc;

fn refused(message: String, span: Span, help: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error("flow::check::argument_value", message, span)
            .with_label("here")
            .with_help(help.to_string()),
    )
}

/// One target value: a number, or a date on a time coordinate.
fn number(value: &Value, coord: &Coord, span: Span) -> Eval<f64> {
    match value {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        Value::Str(text) => match coord.time_units().and_then(|u| u.encode(text)) {
            Some((v, _)) => Ok(v),
            None => Err(refused(
                format!("{text:?} is not a date of `{}`", coord.name),
                span,
                "interpolate times to dates (\"2010-01-01T12:00\") and other coordinates to numbers",
            )),
        },
        other => Err(refused(
            format!("cannot interpolate `{}` to {}", coord.name, other.type_name()),
            span,
            "give a number, a list of numbers, or an array whose values are known",
        )),
    }
}

/// The values to interpolate to along `dim`: a number or date (one), or a list, array or
/// coordinate (several; computed now if they are not yet, as `label`'s coordinates are).
fn target(
    interpreter: &mut Interpreter,
    args: &Args,
    dim: String,
    value: &Value,
    coord: &Coord,
    span: Span,
) -> Eval<Target> {
    let (values, scalar) = match value {
        Value::Int(_) | Value::Float(_) | Value::Str(_) => {
            (vec![number(value, coord, span)?], true)
        }
        Value::List(items) | Value::Tuple(items)
            if items.iter().any(|v| matches!(v, Value::Str(_))) =>
        {
            let values = items
                .iter()
                .map(|v| number(v, coord, span))
                .collect::<Eval<_>>()?;
            (values, false)
        }
        Value::Labelled(l) if l.dims.is_empty() => match l.array.whole() {
            Some(values) => (values.to_f64().iter().copied().collect(), true),
            None => {
                return Err(refused(
                    "the value to interpolate to is known only when run".into(),
                    span,
                    "give a number, a date, a list or a coordinate",
                ))
            }
        },
        other => {
            let last = args.values.len() - 1;
            let made = super::datasets::coordinate(interpreter, args, last, &dim, other)?;
            (made.f64_values(), false)
        }
    };
    Ok(Target {
        dim,
        values,
        scalar,
    })
}

/// `x.interp(lat=10.5, lon=[1, 2, 3], method="linear")` (also of a dataset).
pub fn interp(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let method = args.str(1)?;
    if &*method != "linear" {
        return Err(args.rejected(
            "flow::check::argument_value",
            format!("no interpolation method {method:?} (flow interpolates linearly)"),
            1,
            "method=\"linear\"",
        ));
    }
    let subject = subject_of(args);
    let given = indexers(args)?;
    if given.is_empty() {
        return Err(args.rejected(
            "flow::check::missing_argument",
            "interp needs new coordinate values along a dimension".into(),
            0,
            "x.interp(lat=[10.5, 20.5])",
        ));
    }
    let coord_of = |dim: &str, span: Span| -> Eval<Arc<Coord>> {
        subject.dim_length(dim, span)?;
        subject.dim_coord(dim).cloned().ok_or_else(|| {
            refused(
                format!("dimension `{dim}` has no coordinate to interpolate along"),
                span,
                "give the dimension a coordinate first: label(…, coords={…})",
            )
        })
    };
    let mut targets = Vec::new();
    for (dim, value, span) in given {
        let coord = coord_of(&dim, span)?;
        targets.push((target(interpreter, args, dim, &value, &coord, span)?, span));
    }
    let one = |l: &Labelled| -> Eval<Labelled> {
        let mut out = l.clone();
        for (t, span) in &targets {
            if out.dims.contains(&t.dim) {
                out = interp_one(&out, t, *span)?;
            }
        }
        Ok(out)
    };
    Ok(match subject {
        Subject::Labelled(ref l) => wrap(one(l)?),
        Subject::Dataset(ref ds) => Value::Dataset(Arc::new(ds.map_variables(one)?)),
    })
}
