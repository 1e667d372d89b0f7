//! The grouping builtins of labelled arrays and datasets: `groupby`, `groupby_bins`,
//! `resample`, and the reductions of a grouping. The groups themselves are made in
//! `crate::dataset::groupby`; this module turns arguments into keys, bins and frequencies, and
//! their errors into diagnostics at the right spans.

use super::datasets::{finish_windows, indexers, keep_attrs, parameter, subject_of, with_skipna};
use crate::array::node::Reduction;
use crate::dataset::groupby::{Grouping, Key};
use crate::dataset::resample::{Frequency, KNOWN};
use crate::dataset::Subject;
use crate::diagnostic::Diagnostic;
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::value::Value;
use crate::source::Span;
use std::sync::Arc;

/// Resampling to more periods than this is refused (a typo such as `"s"` for `"MS"`).
const MAX_PERIODS: usize = 10_000_000;

fn refuse(code: &'static str, message: String, span: Span, help: String) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(code, message, span)
            .with_label("here")
            .with_help(help),
    )
}

/// What a grouping is by: `"lat"` (a coordinate), `"time.month"` (a calendar field of a time
/// coordinate) or a 1-d labelled array whose values are known (`ds.time.dt.month`).
fn key_of(subject: &Subject, value: &Value, span: Span) -> Eval<(Key, String)> {
    match value {
        Value::Str(text) => {
            let (name, field) = match text.split_once('.') {
                Some((name, field)) => (name, Some(field)),
                None => (&**text, None),
            };
            let Some(coord) = subject
                .coord_named(name)
                .filter(|c| !c.is_scalar())
                .cloned()
            else {
                let names: Vec<String> = subject
                    .coords()
                    .iter()
                    .filter(|c| !c.is_scalar())
                    .map(|c| c.name.clone())
                    .collect();
                return Err(refuse(
                    "flow::check::unknown_variable",
                    format!("no coordinate `{name}` to group by"),
                    span,
                    crate::text::did_you_mean(
                        name,
                        names.iter().map(String::as_str),
                        "coordinates",
                    ),
                ));
            };
            let Some(field) = field else {
                let key = Key {
                    dim: coord.dim.clone(),
                    name: coord.name.clone(),
                    values: coord.values.clone(),
                    attrs: coord.attrs.clone(),
                    index: coord.name == coord.dim,
                };
                return Ok((key, text.to_string()));
            };
            let Some(units) = coord.time_units() else {
                return Err(refuse(
                    "flow::check::not_time",
                    format!("`{name}` holds numbers, not CF times, so it has no `.{field}`"),
                    span,
                    format!("group by the coordinate itself: groupby(\"{name}\")"),
                ));
            };
            if !crate::io::cftime::DATE_FIELDS.contains(&field) {
                let help = crate::text::did_you_mean(
                    field,
                    crate::io::cftime::DATE_FIELDS.iter().copied(),
                    "fields",
                );
                return Err(refuse(
                    "flow::check::not_time",
                    format!("times have no field `{field}`"),
                    span,
                    help,
                ));
            }
            let key = Key {
                dim: coord.dim.clone(),
                name: field.to_string(),
                values: crate::dataset::time_field(&coord.values, &units, field),
                attrs: crate::dataset::time_field_attrs(field),
                index: false,
            };
            Ok((key, text.to_string()))
        }
        Value::Labelled(l) => {
            let values = match (&l.dims[..], l.array.whole()) {
                ([_], Some(values)) => values,
                ([_], None) => {
                    return Err(refuse(
                        "flow::check::argument_value",
                        "the values to group by are computed only when run".into(),
                        span,
                        "group by a coordinate, or by a field of one: groupby(\"time.month\") or groupby(ds.time.dt.month)".into(),
                    ))
                }
                _ => {
                    return Err(refuse(
                        "flow::check::argument_value",
                        format!(
                            "the values to group by must be 1-d, not {}",
                            l.describe_dims()
                        ),
                        span,
                        "group by values along one dimension".into(),
                    ))
                }
            };
            let dim = l.dims[0].clone();
            let name = l.name.clone().unwrap_or_else(|| "group".into());
            let key = Key {
                index: name == dim,
                dim,
                name: name.clone(),
                values,
                attrs: l.attrs.clone(),
            };
            Ok((key, name))
        }
        other => Err(refuse(
            "flow::check::argument_type",
            format!(
                "group by a coordinate's name or a labelled array, not {}",
                other.type_name()
            ),
            span,
            "x.groupby(\"time.month\"), x.groupby(\"lat\") or x.groupby(ds.time.dt.month)".into(),
        )),
    }
}

/// The key's dimension must be the subject's, and as long.
fn check_key(subject: &Subject, key: &Key, span: Span) -> Eval<()> {
    match subject.dim_length(&key.dim, span).ok() {
        Some(n) if n == key.values.len() => Ok(()),
        Some(n) => Err(refuse(
            "flow::check::dim_mismatch",
            format!(
                "the values to group by are {} long along `{}`, which is {n} long here",
                key.values.len(),
                key.dim
            ),
            span,
            "group by values along the whole dimension".into(),
        )),
        None => Err(refuse(
            "flow::check::unknown_dim",
            format!(
                "the values to group by run along `{}`, which is no dimension here",
                key.dim
            ),
            span,
            "group by values along one of the dimensions".into(),
        )),
    }
}

/// `x.groupby("time.month")`, `x.groupby("lat")`, `x.groupby(ds.time.dt.month)` (also of a
/// dataset): groups for a following reduction, or for arithmetic with a grouped result.
pub fn groupby(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let subject = subject_of(args);
    let (key, what) = key_of(&subject, args.value(0), args.spans[0])?;
    check_key(&subject, &key, args.spans[0])?;
    Ok(Value::Grouping(Arc::new(Grouping::by_values(
        subject, key, what,
    ))))
}

/// The numbers of a list argument (`bins=[0, 10, 20]`).
fn numbers(args: &Args, index: usize, what: &str) -> Eval<Vec<f64>> {
    let items = match args.value(index) {
        Value::List(items) | Value::Tuple(items) => items,
        _ => return Err(args.wrong_type(index, what)),
    };
    items
        .iter()
        .map(|v| match v {
            Value::Int(i) => Ok(*i as f64),
            Value::Float(f) => Ok(*f),
            _ => Err(args.wrong_type(index, what)),
        })
        .collect()
}

/// The edges of `bins` equal bins over the values' range, as pandas' `cut` makes them (the
/// range widened by 0.1% on the open side, so the extreme value is in a bin).
fn equal_edges(values: &[f64], bins: usize, right: bool) -> Vec<f64> {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (low, high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if !low.is_finite() {
        return (0..=bins).map(|i| i as f64).collect();
    }
    // numpy.linspace: start + i * step, the last edge `stop` itself.
    let linspace = |start: f64, stop: f64| -> Vec<f64> {
        let step = (stop - start) / bins as f64;
        (0..=bins)
            .map(|i| {
                if i == bins {
                    stop
                } else {
                    i as f64 * step + start
                }
            })
            .collect()
    };
    if low == high {
        let pad = if low == 0.0 { 0.001 } else { 0.001 * low.abs() };
        return linspace(low - pad, high + pad);
    }
    let mut edges = linspace(low, high);
    let widen = (high - low) * 0.001;
    if right {
        edges[0] -= widen;
    } else {
        edges[bins] += widen;
    }
    edges
}

/// `x.groupby_bins("lat", bins, right=true, labels=none, include_lowest=false)`: groups of the
/// values in each bin (a number of equal bins, or their edges).
pub fn groupby_bins(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let subject = subject_of(args);
    let (key, what) = key_of(&subject, args.value(0), args.spans[0])?;
    check_key(&subject, &key, args.spans[0])?;
    let right = args.bool(2)?;
    let edges = match args.value(1) {
        Value::Int(n) if *n > 0 => {
            let values: Vec<f64> = key.values.to_f64().iter().copied().collect();
            equal_edges(&values, *n as usize, right)
        }
        Value::Int(_) => {
            return Err(args.rejected(
                "flow::check::argument_value",
                "the number of bins must be positive".into(),
                1,
                "bins=10, or the edges: bins=[0, 10, 20]",
            ))
        }
        _ => numbers(args, 1, "an int or a list of edges")?,
    };
    if edges.len() < 2 || edges.windows(2).any(|w| !(w[0] < w[1])) {
        return Err(args.rejected(
            "flow::check::argument_value",
            "bin edges must increase, at least two of them".into(),
            1,
            "bins=[0, 10, 20] makes the bins (0, 10] and (10, 20]",
        ));
    }
    let labels = match args.value(3) {
        Value::None => None,
        _ => Some(numbers(args, 3, "a list of numbers")?),
    };
    if let Some(labels) = &labels {
        if labels.len() != edges.len() - 1 {
            return Err(args.rejected(
                "flow::check::argument_value",
                format!("{} labels for {} bins", labels.len(), edges.len() - 1),
                3,
                "give one label per bin",
            ));
        }
    }
    let include_lowest = args.bool(4)?;
    Ok(Value::Grouping(Arc::new(Grouping::by_bins(
        subject,
        key,
        &edges,
        right,
        include_lowest,
        labels,
        format!("{what} bins"),
    ))))
}

/// `x.resample(time="MS")`: groups of the periods of a time dimension, every period from the
/// first time's to the last one's (empty ones give NaN).
pub fn resample(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let subject = subject_of(args);
    let given = indexers(args)?;
    let (dim, value, span) = match &given[..] {
        [one] => one.clone(),
        [] => {
            return Err(args.rejected(
                "flow::check::missing_argument",
                "resample needs a frequency for a time dimension".into(),
                0,
                "x.resample(time=\"MS\")",
            ))
        }
        [_, (_, _, span), ..] => {
            return Err(refuse(
                "flow::check::argument_value",
                "resample takes one dimension".into(),
                *span,
                "resample along one time dimension".into(),
            ))
        }
    };
    let Value::Str(text) = &value else {
        return Err(refuse(
            "flow::check::argument_type",
            format!("the frequency must be a str, not {}", value.type_name()),
            span,
            format!("frequencies are {KNOWN}"),
        ));
    };
    let Some(frequency) = Frequency::parse(text) else {
        return Err(refuse(
            "flow::check::argument_value",
            format!("no frequency {text:?}"),
            span,
            format!("frequencies are {KNOWN}"),
        ));
    };
    let Some(coord) = subject.dim_coord(&dim).cloned() else {
        return Err(match subject.dim_length(&dim, span).ok() {
            Some(_) => refuse(
                "flow::check::not_time",
                format!("dimension `{dim}` has no coordinate of times to resample"),
                span,
                "resample a dimension with a CF time coordinate".into(),
            ),
            None => refuse(
                "flow::check::unknown_dim",
                format!("no dimension `{dim}` to resample"),
                span,
                "resample a time dimension: x.resample(time=\"MS\")".into(),
            ),
        });
    };
    let Some(units) = coord.time_units() else {
        return Err(refuse(
            "flow::check::not_time",
            format!("`{}` holds numbers, not CF times", coord.name),
            span,
            "resample a dimension with a CF time coordinate (units such as \"days since 2000-01-01\")".into(),
        ));
    };
    let what = format!("{dim}: {text}");
    let Some(grouping) =
        Grouping::by_periods(subject, &coord, &units, &frequency, MAX_PERIODS, what)
    else {
        return Err(refuse(
            "flow::check::argument_value",
            format!("resampling to {text:?} makes more than {MAX_PERIODS} periods"),
            span,
            "resample to a coarser frequency".into(),
        ));
    };
    Ok(Value::Grouping(Arc::new(grouping)))
}

/// The grouping a reduction is called on, after checking its `dim=`: none, `...`, or the
/// grouped dimension (what xarray's `groupby(…).mean("time")` names; a group reduces over it
/// alone).
fn grouping(args: &Args) -> Eval<&Grouping> {
    let Some(Value::Grouping(g)) = &args.receiver else {
        unreachable!("grouped reductions are called on groupings")
    };
    let Some(k) = parameter(args, "dim") else {
        return Ok(g);
    };
    let named = |v: &Value| matches!(v, Value::Str(s) if **s == *g.dim);
    match args.value(k) {
        Value::None | Value::Ellipsis => Ok(g),
        Value::Tuple(items) | Value::List(items) if items.len() == 1 && named(&items[0]) => Ok(g),
        value if named(value) => Ok(g),
        Value::Unknown(_) => Ok(g),
        _ => Err(args.rejected(
            "flow::check::argument_value",
            format!("a grouping by {} reduces over `{}` only", g.what, g.dim),
            k,
            &format!(
                "leave dim out, or give dim=\"{}\"; reduce other dimensions after",
                g.dim
            ),
        )),
    }
}

/// `g.mean(skipna=none, keep_attrs=true)` and the other reductions of each group.
pub fn reduce(_: &mut Interpreter, args: &mut Args, reduction: Reduction) -> Eval<Value> {
    let grouping = grouping(args)?;
    let skipna = skipna(args)?;
    let ddof = match parameter(args, "ddof") {
        Some(k) => args.size(k)?,
        None => 0,
    };
    let keep = keep_attrs(args)?;
    let reduced = grouping.reduce(
        |dtype| with_skipna(reduction, skipna, dtype),
        ddof,
        args.call,
    )?;
    finish_windows(reduced, keep)
}

fn skipna(args: &Args) -> Eval<Option<bool>> {
    match parameter(args, "skipna").map(|k| (k, args.value(k))) {
        None | Some((_, Value::None)) => Ok(None),
        Some((_, Value::Bool(b))) => Ok(Some(*b)),
        Some((k, _)) => Err(args.wrong_type(k, "a bool or none")),
    }
}

/// `g.count(keep_attrs=true)`: the values that are not NaN in each group.
pub fn count(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let grouping = grouping(args)?;
    let keep = keep_attrs(args)?;
    finish_windows(grouping.count(args.call)?, keep)
}

/// `g.median(skipna=none, keep_attrs=true)`.
pub fn median(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let grouping = grouping(args)?;
    let skip = skipna(args)?.unwrap_or(true);
    let keep = keep_attrs(args)?;
    finish_windows(grouping.median(skip, args.call)?, keep)
}
