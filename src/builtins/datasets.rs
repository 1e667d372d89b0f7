//! The dataset builtins and how labelled values take part in the language: `open_dataset`,
//! `open_mfdataset`, members (`ds.adt`, `x.lat`, `x.dims`), reductions by dimension name,
//! `isel`/`sel`, `weighted`, and elementwise operations lined up by dimension name. The labels
//! themselves live in `crate::dataset`; this module turns arguments into their terms and their
//! errors into diagnostics at the right spans.

use crate::array::build::{self, AxisChunks, IndexItem};
use crate::array::node::{BinaryFunction, MapFunction, Operand, Reduction, Scalar, UnaryFunction};
use crate::dataset::save::Blocks;
use crate::dataset::select::{Label, LabelValue, Selector};
use crate::dataset::{self, open, Coord, Dataset, Labelled, Side};
use crate::diagnostic::Diagnostic;
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::kinds::dataset::*;
use crate::eval::value::Value;
use crate::io::layout::Attr;
use crate::source::Span;
use std::sync::Arc;

// ------------------------------------------------------------------------------------ opening

/// The chunks asked for one dimension: a positive size, -1 (the whole dimension) or "auto".
fn dim_chunks(args: &Args, index: usize, dim: &str, value: &Value) -> Eval<AxisChunks> {
    match value {
        Value::Int(-1) => Ok(AxisChunks::Whole),
        Value::Str(s) if &**s == "auto" => Ok(AxisChunks::Auto),
        other => match super::arrays::size_of(other) {
            Some(n) if n > 0 => Ok(AxisChunks::Size(n)),
            _ => Err(args.rejected(
                "flow::check::chunks",
                format!(
                    "chunks along `{dim}` must be a positive size, -1 or \"auto\", not {}",
                    other.repr()
                ),
                index,
                "{time: 30} for blocks of 30, {time: -1} for the whole dimension",
            )),
        },
    }
}

/// `chunks=` of an open: none, or a record of sizes by dimension name (`{time: 30}`).
fn requested_chunks(args: &Args, index: usize) -> Eval<Option<Vec<(String, AxisChunks)>>> {
    match args.value(index) {
        Value::None => Ok(None),
        Value::Record(fields) => fields
            .iter()
            .map(|(dim, value)| {
                let chunk = dim_chunks(args, index, dim, value)?;
                Ok((dim.clone(), chunk))
            })
            .collect::<Eval<Vec<_>>>()
            .map(Some),
        _ => Err(args.wrong_type(
            index,
            "a record of chunk sizes by dimension, e.g. {time: 30}",
        )),
    }
}

fn open_files(
    interpreter: &mut Interpreter,
    args: &Args,
    concat_dim: Option<String>,
) -> Eval<Value> {
    let files = super::files::files_of(args, interpreter)?;
    if let Some(planned) = interpreter.planned_dataset(&files) {
        return Ok(planned);
    }
    let request = open::Request {
        chunks: requested_chunks(args, 1)?,
        concat_dim,
        chunks_span: args.spans[1],
        span: args.call,
    };
    match open::open(&files, &request) {
        Ok(ds) => Ok(Value::Dataset(Arc::new(ds))),
        Err(error) => Err(args.rejected(error.code, error.message, error.arg, &error.help)),
    }
}

/// `open_dataset(path, chunks=none)`
pub fn open_dataset(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    open_files(interpreter, args, None)
}

/// `open_mfdataset(paths, chunks=none, concat_dim=none)`
pub fn open_mfdataset(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let concat_dim = match args.value(2) {
        Value::None => None,
        _ => Some(args.str(2)?.to_string()),
    };
    open_files(interpreter, args, concat_dim)
}

/// `slice(start=none, stop=none, step=none)`
pub fn slice(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    for k in 0..3 {
        if !matches!(
            args.value(k),
            Value::None | Value::Int(_) | Value::Float(_) | Value::Str(_)
        ) {
            return Err(args.wrong_type(k, "a number, a date string or none"));
        }
    }
    if !matches!(args.value(2), Value::None | Value::Int(_)) {
        return Err(args.wrong_type(2, "an int or none"));
    }
    Ok(Value::Slice(Arc::new([
        args.value(0).clone(),
        args.value(1).clone(),
        args.value(2).clone(),
    ])))
}

// ------------------------------------------------------------------------------------ members

/// The labelled array a method is called on; datasets have no such method.
fn receiver_labelled(args: &Args) -> Eval<Arc<Labelled>> {
    match &args.receiver {
        Some(Value::Labelled(l)) => Ok(l.clone()),
        _ => Err(Box::new(
            Diagnostic::error(
                "flow::check::unknown_method",
                format!(
                    "`{}` applies to a variable, not to a whole dataset",
                    args.builtin.name
                ),
                args.call,
            )
            .with_label("called on a dataset")
            .with_help(format!(
                "take a variable first: ds.adt.{}(…)",
                args.builtin.name
            )),
        )),
    }
}

// ------------------------------------------------------------------------------------ methods

/// The reduction to run: the NaN-skipping one for floats unless `skipna=false` (xarray's
/// default).
pub(super) fn with_skipna(
    reduction: Reduction,
    skipna: Option<bool>,
    dtype: crate::array::dtype::DType,
) -> Reduction {
    if !skipna.unwrap_or(dtype.is_float()) {
        return reduction;
    }
    match reduction {
        Reduction::Sum => Reduction::NanSum,
        Reduction::Mean => Reduction::NanMean,
        Reduction::Min => Reduction::NanMin,
        Reduction::Max => Reduction::NanMax,
        Reduction::Var => Reduction::NanVar,
        Reduction::Std => Reduction::NanStd,
        Reduction::Prod => Reduction::NanProd,
        Reduction::First => Reduction::NanFirst,
        Reduction::Last => Reduction::NanLast,
        other => other,
    }
}

pub(super) fn parameter(args: &Args, name: &str) -> Option<usize> {
    args.signature.params.iter().position(|p| p.name == name)
}

/// `keep_attrs=` (true unless given false, as xarray's default).
pub(super) fn keep_attrs(args: &Args) -> Eval<bool> {
    match parameter(args, "keep_attrs") {
        Some(k) => args.bool(k),
        None => Ok(true),
    }
}

/// `x.mean(dim=none, skipna=none)` and the other reductions, on a labelled array or a dataset.
pub fn reduce(_: &mut Interpreter, args: &mut Args, reduction: Reduction) -> Eval<Value> {
    let dims = args.names(0, "a dimension name, a tuple of names, or none")?;
    let skipna = match parameter(args, "skipna").map(|k| args.value(k)) {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::None) | None => None,
        Some(_) => {
            return Err(args.wrong_type(parameter(args, "skipna").unwrap_or(0), "a bool or none"))
        }
    };
    let ddof = match parameter(args, "ddof") {
        Some(k) => args.size(k)?,
        None => 0,
    };
    let keep_attrs = keep_attrs(args)?;
    let one = |l: &Labelled, dims: Option<&[String]>| {
        let reduction = with_skipna(reduction, skipna, l.array.dtype);
        let mut reduced = l.reduce(reduction, dims, ddof, args.call, args.spans[0])?;
        if !keep_attrs {
            reduced.attrs.clear();
        }
        Ok(reduced)
    };
    match args.receiver.clone() {
        Some(Value::Labelled(l)) => one(&l, dims.as_deref()).map(wrap),
        Some(Value::Dataset(ds)) => {
            if let Some(dims) = &dims {
                for dim in dims {
                    if !ds.has_dim(dim) {
                        return Err(ds.unknown_dim(dim, args.spans[0]));
                    }
                }
            }
            // The reduced dimensions go, with their coordinates.
            let mut source = (*ds).clone();
            source.coords.retain(|c| {
                c.is_scalar() || dims.as_ref().is_some_and(|dims| !dims.contains(&c.dim))
            });
            // A variable without the named dimensions is reduced over none of its own, as
            // xarray does (its std is 0, its mean a float).
            let reduced = source.map_variables(|v| match &dims {
                None => one(v, None),
                Some(dims) => {
                    let own: Vec<String> = dims
                        .iter()
                        .filter(|d| v.dims.contains(d))
                        .cloned()
                        .collect();
                    one(v, Some(&own))
                }
            })?;
            Ok(Value::Dataset(Arc::new(reduced)))
        }
        _ => unreachable!("reductions are called on labelled arrays and datasets"),
    }
}

/// The record of indexers of `isel`/`sel`: the `indexers` argument and/or keywords.
pub(super) fn indexers(args: &Args) -> Eval<Vec<(String, Value, Span)>> {
    let mut out = Vec::new();
    match args.value(0) {
        Value::None => {}
        Value::Record(fields) => out.extend(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone(), args.spans[0])),
        ),
        _ => return Err(args.wrong_type(0, "a record such as {time: 0}")),
    }
    let last = args.values.len() - 1;
    if let Value::Record(fields) = args.value(last) {
        for (k, v) in fields.iter() {
            let span = args
                .keyword_spans
                .iter()
                .find(|(name, _)| name == k)
                .map_or(args.spans[last], |(_, s)| *s);
            out.push((k.clone(), v.clone(), span));
        }
    }
    Ok(out)
}

fn position_item(value: &Value, span: Span) -> Eval<IndexItem> {
    let int = |v: &Value| -> Eval<Option<i64>> {
        match v {
            Value::None => Ok(None),
            Value::Int(i) => Ok(Some(*i)),
            other => Err(Box::new(
                Diagnostic::error(
                    "flow::check::index_type",
                    format!("isel takes positions (ints), not {}", other.type_name()),
                    span,
                )
                .with_label("not a position")
                .with_help("select by coordinate value with .sel"),
            )),
        }
    };
    match value {
        Value::Slice(parts) => Ok(IndexItem::Slice {
            start: int(&parts[0])?,
            stop: int(&parts[1])?,
            step: int(&parts[2])?,
        }),
        other => Ok(IndexItem::Int(int(other)?.ok_or_else(|| {
            Box::new(
                Diagnostic::error(
                    "flow::check::index_type",
                    "isel needs a position, not none",
                    span,
                )
                .with_label("none")
                .with_help("give an int or slice(start, stop)"),
            )
        })?)),
    }
}

/// Apply per-dimension selections to a labelled array or every variable of a dataset.
fn select(
    args: &Args,
    choose: &dyn Fn(&Labelled, usize, &Value, Span) -> Eval<IndexItem>,
) -> Eval<Value> {
    let indexers = indexers(args)?;
    let one = |l: &Labelled, strict: bool| -> Eval<Labelled> {
        let mut items = Vec::new();
        for (dim, value, span) in &indexers {
            let axis = match l.axis(dim, *span) {
                Ok(axis) => axis,
                Err(error) if strict => return Err(error),
                Err(_) => continue,
            };
            items.push((axis, choose(l, axis, value, *span)?));
        }
        l.isel(&items, args.call)
    };
    match args.receiver.clone() {
        Some(Value::Labelled(l)) => one(&l, true).map(wrap),
        Some(Value::Dataset(ds)) => {
            for (dim, _, span) in &indexers {
                if !ds.has_dim(dim) {
                    return Err(ds.unknown_dim(dim, *span));
                }
            }
            let variables = ds
                .variables
                .iter()
                .map(|v| one(v, false))
                .collect::<Eval<Vec<Labelled>>>()?;
            // Coordinates no variable uses are selected too.
            let mut coords = Vec::new();
            for c in &ds.coords {
                let used = variables
                    .iter()
                    .any(|v| v.coords.iter().any(|k| k.name == c.name));
                if !used {
                    let picked = one(&c.to_labelled(args.call), false)?;
                    coords.extend(picked.coords.first().cloned());
                }
            }
            Ok(Value::Dataset(Arc::new(Dataset::from_variables(
                variables,
                ds.attrs.clone(),
                &coords,
            ))))
        }
        _ => unreachable!("isel/sel are called on labelled arrays and datasets"),
    }
}

/// `x.isel(time=0, lat=slice(10, 20))`
pub fn isel(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    select(args, &|l, axis, value, span| {
        let item = position_item(value, span)?;
        let length = l.array.shape[axis] as i64;
        if let IndexItem::Int(i) = item {
            if i >= length || i < -length {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::array_index",
                        format!(
                            "position {i} is out of range for `{}` of length {length}",
                            l.dims[axis]
                        ),
                        span,
                    )
                    .with_label("no such position")
                    .with_help(format!(
                        "positions along `{}` are -{length} to {}",
                        l.dims[axis],
                        length - 1
                    )),
                ));
            }
        }
        Ok(item)
    })
}

/// `x.sel(time="2010-03-01", lat=slice(-10, 10), method=none)`
pub fn sel(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let nearest = match args.value(1) {
        Value::None => false,
        Value::Str(s) if &**s == "nearest" => true,
        _ => {
            return Err(args.rejected(
                "flow::check::argument_value",
                "method is none (exact) or \"nearest\"".into(),
                1,
                "method=\"nearest\"",
            ))
        }
    };
    select(args, &|l, axis, value, span| {
        let dim = &l.dims[axis];
        let Some(coord) = l.coord(dim) else {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::no_coordinate",
                    format!("dimension `{dim}` has no coordinate to select by"),
                    span,
                )
                .with_label("no coordinate values")
                .with_help(format!("select by position: .isel({dim}=…)")),
            ));
        };
        coord.position_of(&selector_of(coord, value, span)?, nearest, span)
    })
}

/// What `sel` is given along a dimension, as the coordinate's selector: a number, a date
/// string, or `slice(low, high, step)` of them.
fn selector_of(coord: &Coord, value: &Value, span: Span) -> Eval<Selector> {
    let label = |value: &Value| -> Eval<Label> {
        let shown = value.display();
        Ok(match value {
            Value::Int(i) => Label {
                value: LabelValue::Number(*i as f64),
                shown,
            },
            Value::Float(f) => Label {
                value: LabelValue::Number(*f),
                shown,
            },
            Value::Str(text) => Label {
                value: LabelValue::Text(text.to_string()),
                shown,
            },
            other => {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::index_type",
                        format!("cannot select `{}` by {}", coord.name, other.type_name()),
                        span,
                    )
                    .with_label("not a coordinate value")
                    .with_help("give a number, a date string, or slice(start, stop)"),
                ))
            }
        })
    };
    let Value::Slice(parts) = value else {
        return Ok(Selector::Value(label(value)?));
    };
    let bound = |value: &Value| match value {
        Value::None => Ok(None),
        other => label(other).map(Some),
    };
    let step = match &parts[2] {
        Value::Int(s) if *s > 0 => Some(*s),
        Value::None => None,
        _ => {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::index_type",
                    "a selection's step must be a positive int",
                    span,
                )
                .with_label("this step")
                .with_help("slice(start, stop, 2)"),
            ))
        }
    };
    Ok(Selector::Range {
        low: bound(&parts[0])?,
        high: bound(&parts[1])?,
        step,
    })
}

/// `x.transpose("lon", "lat")`
pub fn transpose(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let l = receiver_labelled(args)?;
    let order: Vec<String> = match args.value(0) {
        Value::Tuple(items) if items.is_empty() => l.dims.iter().rev().cloned().collect(),
        Value::Tuple(items) => items
            .iter()
            .map(|v| match v {
                Value::Str(s) => Ok(s.to_string()),
                _ => Err(args.wrong_type(0, "dimension names")),
            })
            .collect::<Eval<_>>()?,
        _ => return Err(args.wrong_type(0, "dimension names")),
    };
    l.transpose(&order, args.spans[0]).map(wrap)
}

/// `x.rechunk({time: 30})` (or positional chunks as for arrays).
pub fn rechunk(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let rechunk_one = |l: &Labelled, fields: &[(String, Value)], strict: bool| -> Eval<Labelled> {
        let mut per_axis: Vec<AxisChunks> = l
            .array
            .chunks
            .0
            .iter()
            .map(|blocks| AxisChunks::Blocks(blocks.clone()))
            .collect();
        for (dim, value) in fields {
            let axis = match l.axis(dim, args.spans[0]) {
                Ok(axis) => axis,
                Err(e) if strict => return Err(e),
                Err(_) => continue,
            };
            per_axis[axis] = dim_chunks(args, 0, dim, value)?;
        }
        let array = build::rechunk(
            &l.array,
            &build::ChunkSpec::PerAxis(per_axis),
            args.spans[0],
        )?;
        let mut out = l.with_array(array);
        out.attrs = l.attrs.clone();
        Ok(out)
    };
    match (args.receiver.clone(), args.value(0).clone()) {
        (Some(Value::Labelled(l)), Value::Record(fields)) => {
            rechunk_one(&l, &fields, true).map(wrap)
        }
        (Some(Value::Labelled(l)), _) => {
            let spec = args.chunks(0)?;
            let array = build::rechunk(&l.array, &spec, args.spans[0])?;
            let mut out = l.with_array(array);
            out.attrs = l.attrs.clone();
            Ok(wrap(out))
        }
        (Some(Value::Dataset(ds)), Value::Record(fields)) => {
            for (dim, _) in fields.iter() {
                if !ds.has_dim(dim) {
                    return Err(ds.unknown_dim(dim, args.spans[0]));
                }
            }
            let out = ds.map_variables(|v| rechunk_one(v, &fields, false))?;
            Ok(Value::Dataset(Arc::new(out)))
        }
        (Some(Value::Dataset(_)), _) => {
            Err(args.wrong_type(0, "chunk sizes by dimension, e.g. {time: 30}"))
        }
        _ => unreachable!("rechunk on labelled values"),
    }
}

/// `x.weighted(w)`: weights for a following `.mean(dim)` or `.sum(dim)`.
pub fn weighted(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let l = receiver_labelled(args)?;
    let Value::Labelled(w) = args.value(0) else {
        return Err(args.wrong_type(0, "a labelled array of weights (e.g. cos(deg2rad(ds.lat)))"));
    };
    for dim in &w.dims {
        l.axis(dim, args.spans[0]).map_err(|mut e| {
            e.message = format!("the weights have dimension `{dim}`, which the array does not");
            e
        })?;
    }
    Ok(Value::Weighted(Arc::new(((*l).clone(), (**w).clone()))))
}

/// An elementwise function of labelled arrays (or plain arrays) lined up by dimension name;
/// a side that is no array is the number 0.
pub fn elementwise(function: MapFunction, sides: Vec<Side>, span: Span) -> Eval<Labelled> {
    let spans = vec![span; sides.len()];
    let (aligned, arrays) = dataset::align(&sides, span, &spans)?;
    let operands: Vec<Operand> = arrays
        .into_iter()
        .map(|a| match a {
            Some(a) => Operand::Array(a),
            None => Operand::Scalar(Scalar::Float(0.0)),
        })
        .collect();
    let mut warnings = Vec::new();
    let array = build::map(function, operands, span, &mut warnings)?;
    Ok(aligned.wrap(array))
}

/// `x.weighted(w).mean(dim)` / `.sum(dim)`, skipping NaN in `x` as xarray does: the sum of
/// `x * w` over valid points, and for the mean divided by the sum of the weights of those points.
pub fn weighted_reduce(_: &mut Interpreter, args: &mut Args, mean: bool) -> Eval<Value> {
    let Some(Value::Weighted(pair)) = &args.receiver else {
        unreachable!("weighted reductions are called on weighted values")
    };
    let (x, w) = (&pair.0, &pair.1);
    let dims = args.names(0, "a dimension name, a tuple of names, or none")?;
    let span = args.call;
    let map = |function: MapFunction, sides: Vec<Side>| elementwise(function, sides, span);
    let product = map(
        MapFunction::Binary(BinaryFunction::Multiply),
        vec![Side::Labelled(x.clone()), Side::Labelled(w.clone())],
    )?;
    let numerator = product.reduce(Reduction::NanSum, dims.as_deref(), 0, span, args.spans[0])?;
    // As xarray: the result is the array's, by its name and attributes (not the weights').
    let keep_attrs = keep_attrs(args)?;
    let as_weighted_result = |mut result: Labelled| {
        result.name = x.name.clone();
        result.attrs = if keep_attrs {
            x.computed_attrs()
        } else {
            Vec::new()
        };
        result
    };
    if !mean {
        return Ok(wrap(as_weighted_result(numerator)));
    }
    let missing = map(
        MapFunction::Unary(UnaryFunction::IsNan),
        vec![Side::Labelled(x.clone())],
    )?;
    // where(isnan(x), 0, w): the weight of each valid point.
    let valid_weights = map(
        MapFunction::Where,
        vec![
            Side::Labelled(missing),
            Side::Other,
            Side::Labelled(w.clone()),
        ],
    )?;
    let denominator =
        valid_weights.reduce(Reduction::Sum, dims.as_deref(), 0, span, args.spans[0])?;
    let quotient = map(
        MapFunction::Binary(BinaryFunction::Divide),
        vec![Side::Labelled(numerator), Side::Labelled(denominator)],
    )?;
    Ok(wrap(as_weighted_result(quotient)))
}

// ------------------------------------------------------------------------------------ saving

/// Is this labelled array one of its own coordinates, unchanged (`ds.lat`)?
fn is_coordinate_itself(l: &Labelled) -> bool {
    let (Some(name), Some(data)) = (&l.name, l.array.whole()) else {
        return false;
    };
    l.coord_named(name).is_some_and(|c| {
        let other = Coord {
            name: name.clone(),
            dim: c.dim.clone(),
            values: data,
            attrs: Vec::new(),
        };
        c.values.dtype() == other.values.dtype() && c.first_difference(&other).is_none()
    })
}

/// `save(x, "out.nc")`: an array, a labelled array or a dataset as a netCDF-4 file, with
/// dimensions, coordinates and attributes; variables are streamed block by block into a
/// temporary file renamed into place at the end.
pub fn save_netcdf(
    interpreter: &mut Interpreter,
    args: &Args,
    value: Value,
    target: &std::path::Path,
    name: &str,
    gzip: bool,
) -> Eval<Value> {
    let named = args.spans[2] != args.call;
    let unlimited: Option<Vec<String>> = match args.value(4) {
        Value::None => None,
        Value::Str(s) => Some(vec![s.to_string()]),
        Value::Tuple(items) | Value::List(items) => Some(
            items
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Ok(s.to_string()),
                    _ => Err(args.wrong_type(4, "dimension names")),
                })
                .collect::<Eval<_>>()?,
        ),
        _ => return Err(args.wrong_type(4, "a dimension name or a tuple of names")),
    };
    let ds = match value {
        Value::Dataset(ds) => ds,
        Value::Labelled(l) => {
            let mut l = (*l).clone();
            // A computed array named like one of its coordinates (`ds.lat * 2`) must not be
            // written over that coordinate: it takes the `name` argument's name.
            let clashes = l.name.as_ref().is_some_and(|n| {
                l.coords.iter().any(|c| c.name == *n) && !is_coordinate_itself(&l)
            });
            if named || l.name.is_none() || clashes {
                l.name = Some(name.to_string());
            }
            let coords = l.coords.clone();
            Arc::new(Dataset::from_variables(vec![l], Vec::new(), &coords))
        }
        Value::Array(a) => {
            let dims = (0..a.ndim()).map(|k| format!("dim_{k}")).collect();
            let mut l = Labelled::new(a, dims);
            l.name = Some(name.to_string());
            Arc::new(Dataset::from_variables(vec![l], Vec::new(), &[]))
        }
        // Known only when run: the file is planned as a dataset of unknown variables.
        _ => {
            if interpreter.is_checking() {
                interpreter
                    .planned
                    .datasets
                    .insert(target.to_path_buf(), None);
            }
            return Ok(Value::None);
        }
    };
    let ds = match unlimited {
        Some(dims) => {
            for dim in &dims {
                if !ds.has_dim(dim) {
                    return Err(ds.unknown_dim(dim, args.spans[4]));
                }
            }
            let mut with = (*ds).clone();
            with.unlimited = dims;
            Arc::new(with)
        }
        None => ds,
    };
    if interpreter.is_checking() {
        for variable in &ds.variables {
            interpreter.check_task_count(std::slice::from_ref(&variable.array), args.call)?;
        }
        interpreter
            .planned
            .datasets
            .insert(target.to_path_buf(), Some(ds));
        return Ok(Value::None);
    }
    let written = |path: &std::path::Path| {
        let mut stream = |array: &crate::array::node::ArrayRef, write: &Blocks| {
            super::files::stream_blocks(interpreter, array, args, write)
        };
        crate::dataset::save::write_netcdf(&ds, path, gzip, &mut stream, |m| args.write_error(1, m))
    };
    crate::io::write_over(target, written, |e| args.write_error(1, e.to_string()))?;
    Ok(Value::None)
}

// ------------------------------------------------------------------------------------ building

/// An attribute value from a flow value: text, numbers, or tuples/lists of numbers.
fn attr_of(value: &Value) -> Option<Attr> {
    Some(match value {
        Value::Str(s) => Attr::Str(s.to_string()),
        Value::Int(i) => Attr::Int(*i),
        Value::Bool(b) => Attr::Int(*b as i64),
        Value::Float(f) => Attr::Float(*f),
        Value::Tuple(items) | Value::List(items) => {
            if items.iter().all(|v| matches!(v, Value::Int(_))) {
                Attr::Ints(
                    items
                        .iter()
                        .filter_map(|v| match v {
                            Value::Int(i) => Some(*i),
                            _ => None,
                        })
                        .collect(),
                )
            } else {
                Attr::Floats(
                    items
                        .iter()
                        .map(|v| crate::eval::kinds::array::scalar_of(v).map(|s| s.as_f64()))
                        .collect::<Option<Vec<_>>>()?,
                )
            }
        }
        _ => return None,
    })
}

fn attrs_argument(args: &Args, index: usize) -> Eval<dataset::Attrs> {
    match args.value(index) {
        Value::None => Ok(Vec::new()),
        Value::Record(fields) => fields
            .iter()
            .map(|(k, v)| {
                attr_of(v).map(|a| (k.clone(), a)).ok_or_else(|| {
                    args.wrong_type(index, "a record of text, numbers or tuples of numbers")
                })
            })
            .collect(),
        _ => Err(args.wrong_type(index, "a record of attributes, e.g. {units: \"m\"}")),
    }
}

/// Coordinates are values the checker must know: small arrays computed now, in check mode too.
const MAX_COORDINATE: usize = 10_000_000;

pub(super) fn coordinate(
    interpreter: &mut Interpreter,
    args: &Args,
    index: usize,
    dim: &str,
    value: &Value,
) -> Eval<Arc<Coord>> {
    let (array, attrs) = match value {
        Value::Labelled(l) => (l.array.clone(), l.attrs.clone()),
        Value::Array(a) => (a.clone(), Vec::new()),
        Value::List(_) | Value::Tuple(_) => {
            let chunk = crate::eval::kinds::array::chunk_of_literal(value).map_err(|reason| {
                args.rejected(
                    "flow::check::array_literal",
                    format!("coordinate `{dim}`: {reason}"),
                    index,
                    "give a list of numbers",
                )
            })?;
            let _shape = chunk.shape().to_vec();
            let node = build::in_memory(chunk, args.spans[index]);
            (node, Vec::new())
        }
        other => {
            return Err(args.rejected(
                "flow::check::argument_type",
                format!(
                    "coordinate `{dim}` must be a 1-d array or a list, not {}",
                    other.type_name()
                ),
                index,
                "coords={lat: linspace(-89.5, 89.5, 180)}",
            ))
        }
    };
    if array.ndim() != 1 || array.size() > MAX_COORDINATE {
        return Err(args.rejected(
            "flow::check::argument_value",
            format!("coordinate `{dim}` must be 1-d (and at most {MAX_COORDINATE} values), not of shape {}", build::shape_text(&array.shape)),
            index,
            "one value per position along the dimension",
        ));
    }
    let values = match array.whole() {
        Some(values) => values,
        None => {
            let options = interpreter.compute_options.clone();
            let computed =
                crate::runtime::compute(std::slice::from_ref(&array), options, &Default::default())
                    .map_err(|_| {
                        args.rejected(
                        "flow::check::argument_value",
                        format!("coordinate `{dim}` cannot be computed before running"),
                        index,
                        "coordinates are made from literals, arange/linspace or other coordinates",
                    )
                    })?;
            computed.0[0].whole().expect("computed")
        }
    };
    Ok(Arc::new(Coord {
        name: dim.to_string(),
        dim: dim.to_string(),
        values,
        attrs,
    }))
}

/// `label(values, dims, coords=none, attrs=none, name=none)`: an array with named dimensions.
pub fn label(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let array = match args.value(0) {
        Value::Array(a) => a.clone(),
        Value::Labelled(l) => l.array.clone(),
        _ => return Err(args.wrong_type(0, "an array")),
    };
    let dims: Vec<String> = match args.value(1) {
        Value::Str(s) => vec![s.to_string()],
        Value::Tuple(items) | Value::List(items) => items
            .iter()
            .map(|v| match v {
                Value::Str(s) => Ok(s.to_string()),
                _ => Err(args.wrong_type(1, "dimension names")),
            })
            .collect::<Eval<_>>()?,
        _ => return Err(args.wrong_type(1, "a dimension name or a tuple of names")),
    };
    if dims.len() != array.ndim() {
        return Err(args.rejected(
            "flow::check::dim_mismatch",
            format!(
                "{} dimension names for a {}-d array",
                dims.len(),
                array.ndim()
            ),
            1,
            "name every axis once, in order",
        ));
    }
    for (k, dim) in dims.iter().enumerate() {
        if dims[..k].contains(dim) {
            return Err(args.rejected(
                "flow::check::unknown_dim",
                format!("dimension `{dim}` is named twice"),
                1,
                "name each axis differently",
            ));
        }
    }
    let mut l = Labelled::new(array, dims);
    if let Value::Record(fields) = args.value(2) {
        for (dim, value) in fields.iter() {
            let axis = l.axis(dim, args.spans[2])?;
            let coord = coordinate(interpreter, args, 2, dim, value)?;
            if coord.len() != l.array.shape[axis] {
                return Err(args.rejected(
                    "flow::check::dim_mismatch",
                    format!(
                        "coordinate `{dim}` has {} values for a dimension of length {}",
                        coord.len(),
                        l.array.shape[axis]
                    ),
                    2,
                    "one coordinate value per position",
                ));
            }
            l.coords.push(coord);
        }
    } else if !matches!(args.value(2), Value::None) {
        return Err(args.wrong_type(
            2,
            "a record of coordinates by dimension, e.g. {lat: [10, 20]}",
        ));
    }
    l.attrs = attrs_argument(args, 3)?;
    l.name = match args.value(4) {
        Value::None => None,
        _ => Some(args.str(4)?.to_string()),
    };
    Ok(wrap(l))
}

/// `dataset(variables, attrs=none)`: labelled arrays by name as one dataset.
pub fn make_dataset(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Value::Record(fields) = args.value(0) else {
        return Err(args.wrong_type(0, "a record of labelled arrays, e.g. {adt: x}"));
    };
    let mut variables = Vec::new();
    let mut coords: Vec<Arc<Coord>> = Vec::new();
    for (name, value) in fields.iter() {
        let Value::Labelled(l) = value else {
            return Err(args.rejected(
                "flow::check::argument_type",
                format!(
                    "variable `{name}` must be a labelled array (see `label`), not {}",
                    value.type_name()
                ),
                0,
                "label(x, (\"lat\", \"lon\"))",
            ));
        };
        let sides: Vec<Side> = variables
            .iter()
            .cloned()
            .map(Side::Labelled)
            .chain([Side::Labelled((**l).clone())])
            .collect();
        let spans = vec![args.spans[0]; sides.len()];
        dataset::align(&sides, args.spans[0], &spans)?;
        let mut l = (**l).clone();
        l.name = Some(name.clone());
        for c in &l.coords {
            if !coords.iter().any(|k| k.dim == c.dim) {
                coords.push(c.clone());
            }
        }
        variables.push(l);
    }
    let attrs = attrs_argument(args, 1)?;
    Ok(Value::Dataset(Arc::new(Dataset::from_variables(
        variables, attrs, &coords,
    ))))
}

// ------------------------------------------------------------------------------------ coarsen

/// The length of a window given by dimension (`lat=2`).
fn window_length(dim: &str, value: &Value, span: Span) -> Eval<usize> {
    super::arrays::size_of(value).ok_or_else(|| {
        Box::new(
            Diagnostic::error(
                "flow::check::argument_type",
                format!(
                    "the window along `{dim}` must be a whole number, not {}",
                    value.type_name()
                ),
                span,
            )
            .with_label("not a window length")
            .with_help(format!("give the window as {dim}=2")),
        )
    })
}

/// `x.coarsen(lat=2, lon=2, boundary="exact", side="left")` (or `ds.coarsen(…)`): windows for a
/// following reduction (`.mean()`, `.max()`, …).
pub fn coarsen(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    use crate::dataset::coarsen::{Boundary, Coarsen};
    use crate::dataset::Subject;
    let mut windows = Vec::new();
    for (dim, value, span) in indexers(args)? {
        let window = window_length(&dim, &value, span)?;
        windows.push((dim, window));
    }
    if windows.is_empty() {
        return Err(args.rejected(
            "flow::check::missing_argument",
            "coarsen needs a window along at least one dimension".into(),
            0,
            "give windows by dimension: x.coarsen(lat=2, lon=2)",
        ));
    }
    let boundary_name = args.str(1)?;
    let boundary = Boundary::from_name(&boundary_name).ok_or_else(|| {
        args.rejected(
            "flow::check::argument_value",
            format!("no boundary {boundary_name:?}"),
            1,
            "boundary is \"exact\", \"trim\" or \"pad\"",
        )
    })?;
    let from_right = match &*args.str(2)? {
        "left" => false,
        "right" => true,
        other => {
            return Err(args.rejected(
                "flow::check::argument_value",
                format!("no side {other:?}"),
                2,
                "side is \"left\" or \"right\"",
            ))
        }
    };
    let source = match args.receiver.clone() {
        Some(Value::Labelled(l)) => Subject::Labelled((*l).clone()),
        Some(Value::Dataset(ds)) => Subject::Dataset(ds),
        _ => unreachable!("coarsen is called on labelled arrays and datasets"),
    };
    let coarsen = Coarsen {
        source,
        windows,
        boundary,
        from_right,
    };
    coarsen.check(args.call)?;
    Ok(Value::Coarsen(Arc::new(coarsen)))
}

/// `x.coarsen(…).mean(skipna=none, keep_attrs=true)` and the other reductions.
pub fn coarsen_reduce(_: &mut Interpreter, args: &mut Args, reduction: Reduction) -> Eval<Value> {
    let Some(Value::Coarsen(coarsen)) = &args.receiver else {
        unreachable!("coarsened reductions are called on coarsened values")
    };
    let skipna = match args.value(0) {
        Value::Bool(b) => Some(*b),
        Value::None => None,
        _ => return Err(args.wrong_type(0, "a bool or none")),
    };
    let ddof = match parameter(args, "ddof") {
        Some(k) => args.size(k)?,
        None => 0,
    };
    let keep_attrs = keep_attrs(args)?;
    let reduced = coarsen.reduce(
        |dtype| with_skipna(reduction, skipna, dtype),
        ddof,
        args.call,
    )?;
    finish_windows(reduced, keep_attrs)
}

// ------------------------------------------------------------------------------------ rolling

/// `x.rolling(time=7, center=false, min_periods=none)` (or `ds.rolling(…)`): a moving window
/// along one dimension, for a following reduction.
pub fn rolling(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    use crate::array::rolling::Window;
    use crate::dataset::rolling::Rolling;
    let windows = indexers(args)?;
    let (dim, value, span) = match &windows[..] {
        [one] => one.clone(),
        [] => {
            return Err(args.rejected(
                "flow::check::missing_argument",
                "rolling needs a window along a dimension".into(),
                0,
                "give the window by dimension: x.rolling(time=7)",
            ))
        }
        [_, (_, _, span), ..] => {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::argument_value",
                    "rolling takes one dimension at a time",
                    *span,
                )
                .with_label("a second dimension")
                .with_help("roll along one dimension, then along the next"),
            ))
        }
    };
    let length = window_length(&dim, &value, span)?;
    let center = args.bool(1)?;
    let min_periods = match args.value(2) {
        Value::None => None,
        _ => Some(args.size(2)?),
    };
    let subject = subject_of(args);
    subject.dim_length(&dim, span)?;
    let rolling = Rolling {
        subject,
        dim,
        window: Window {
            length,
            min_periods,
            center,
        },
    };
    rolling.window.check(args.call)?;
    Ok(Value::Rolling(Arc::new(rolling)))
}

/// `x.rolling(time=7).mean(keep_attrs=true)` and the other moving reductions.
pub fn rolling_reduce(
    _: &mut Interpreter,
    args: &mut Args,
    how: crate::array::node::Moving,
) -> Eval<Value> {
    let Some(Value::Rolling(rolling)) = &args.receiver else {
        unreachable!("moving reductions are called on rolling windows")
    };
    let ddof = match parameter(args, "ddof") {
        Some(k) => args.size(k)?,
        None => 0,
    };
    let keep_attrs = keep_attrs(args)?;
    finish_windows(rolling.reduce(how, ddof, args.call)?, keep_attrs)
}

/// The labelled array or dataset a windowed reduction made, without attributes unless kept.
pub(super) fn finish_windows(result: crate::dataset::Subject, keep_attrs: bool) -> Eval<Value> {
    use crate::dataset::Subject;
    let drop_attrs = |mut l: Labelled| {
        if !keep_attrs {
            l.attrs.clear();
        }
        l
    };
    Ok(match result {
        Subject::Labelled(l) => wrap(drop_attrs(l)),
        Subject::Dataset(ds) => {
            let mut ds = (*ds).clone();
            ds.variables = ds.variables.into_iter().map(drop_attrs).collect();
            if !keep_attrs {
                ds.attrs.clear();
            }
            Value::Dataset(Arc::new(ds))
        }
    })
}

// ------------------------------------------------------------------------- dataset as values

/// The labelled array or dataset a method is called on.
pub(super) fn subject_of(args: &Args) -> crate::dataset::Subject {
    match args.receiver.clone() {
        Some(Value::Labelled(l)) => crate::dataset::Subject::Labelled((*l).clone()),
        Some(Value::Dataset(ds)) => crate::dataset::Subject::Dataset(ds),
        _ => unreachable!("called on labelled arrays and datasets"),
    }
}

/// `x.where(cond, other=none)` (also of a dataset, variable by variable): the values where
/// `cond` is true, `other` elsewhere, lined up by name as xarray's `where`; the attributes are
/// the array's.
pub fn where_method(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let side = |v: &Value, k: usize| -> Eval<Side> {
        Ok(match v {
            Value::Labelled(l) => Side::Labelled((**l).clone()),
            Value::Array(a) => Side::Array(a.clone()),
            Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => Side::Other,
            _ => return Err(args.wrong_type(k, "a labelled array, an array or a number")),
        })
    };
    let condition = side(args.value(0), 0)?;
    let other = args.value(1).clone();
    let scalar = match &other {
        Value::None => Some(Scalar::Float(f64::NAN)),
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Int(i) => Some(Scalar::Int(*i)),
        Value::Float(f) => Some(Scalar::Float(*f)),
        _ => None,
    };
    let other_side = side(&other, 1)?;
    let one = |x: &Labelled| -> Eval<Labelled> {
        // The array's dimensions first, as xarray orders them.
        let sides = vec![
            Side::Labelled(x.clone()),
            condition.clone(),
            other_side.clone(),
        ];
        let spans = [args.call, args.spans[0], args.spans[1]];
        let (mut aligned, arrays) = dataset::align(&sides, args.call, &spans)?;
        let mut arrays = arrays.into_iter();
        let (values, cond, other) = (arrays.next(), arrays.next(), arrays.next());
        let operand = |array: Option<Option<_>>, fallback: Scalar| match array.flatten() {
            Some(a) => Operand::Array(a),
            None => Operand::Scalar(fallback),
        };
        let operands = vec![
            operand(
                cond,
                Scalar::Bool(matches!(args.value(0), Value::Bool(true))),
            ),
            operand(values, Scalar::Float(f64::NAN)),
            operand(other, scalar.unwrap_or(Scalar::Float(f64::NAN))),
        ];
        let mut warnings = Vec::new();
        let array = build::map(MapFunction::Where, operands, args.call, &mut warnings)?;
        aligned.attrs = x.attrs.clone();
        aligned.name = x.name.clone();
        Ok(aligned.wrap(array))
    };
    Ok(match subject_of(args) {
        dataset::Subject::Labelled(l) => wrap(one(&l)?),
        dataset::Subject::Dataset(ds) => Value::Dataset(Arc::new(ds.map_variables(one)?)),
    })
}

/// `x.assign_attrs({…}, **attrs)`: the attributes merged with new ones.
pub fn assign_attrs(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let mut new = attrs_argument(args, 0)?;
    if let Value::Record(fields) = args.value(1) {
        for (k, v) in fields.iter() {
            let attr = attr_of(v)
                .ok_or_else(|| args.wrong_type(1, "text, numbers or tuples of numbers"))?;
            new.push((k.clone(), attr));
        }
    }
    let merge = |attrs: &mut dataset::Attrs| {
        for (k, v) in &new {
            match attrs.iter_mut().find(|(name, _)| name == k) {
                Some(slot) => slot.1 = v.clone(),
                None => attrs.push((k.clone(), v.clone())),
            }
        }
    };
    Ok(match subject_of(args) {
        dataset::Subject::Labelled(mut l) => {
            merge(&mut l.attrs);
            wrap(l)
        }
        dataset::Subject::Dataset(ds) => {
            let mut ds = (*ds).clone();
            merge(&mut ds.attrs);
            Value::Dataset(Arc::new(ds))
        }
    })
}

/// `x.rename("new")` names a labelled array; `ds.rename({old: new})` (or `old="new"`) renames a
/// dataset's variables, coordinates and dimensions.
pub fn rename(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let (Some(Value::Labelled(l)), Value::Str(name)) = (&args.receiver, args.value(0)) {
        let mut l = (**l).clone();
        l.name = Some(name.to_string());
        return Ok(wrap(l));
    }
    let mut names: Vec<(String, String, Span)> = Vec::new();
    for (old, value, span) in indexers(args)? {
        let Value::Str(new) = value else {
            return Err(args.wrong_type(0, "a record of new names, e.g. {adt: \"ssh\"}"));
        };
        names.push((old, new.to_string(), span));
    }
    // A new name must not be one that stays (xarray: "the new name … conflicts").
    let taken: Vec<String> = match args.receiver.as_ref() {
        Some(Value::Labelled(l)) => l
            .dims
            .iter()
            .cloned()
            .chain(l.coords.iter().map(|c| c.name.clone()))
            .collect(),
        Some(Value::Dataset(ds)) => ds
            .variable_names()
            .map(str::to_string)
            .chain(ds.coords.iter().map(|c| c.name.clone()))
            .chain(ds.dims.iter().map(|(d, _)| d.clone()))
            .collect(),
        _ => Vec::new(),
    };
    for (k, (old, new, span)) in names.iter().enumerate() {
        let stays = |n: &String| !names.iter().any(|(o, _, _)| o == n);
        let twice = names[..k].iter().any(|(_, earlier, _)| earlier == new);
        if new != old && (taken.iter().any(|t| t == new && stays(t)) || twice) {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::rename_conflict",
                    format!("the new name `{new}` for `{old}` is taken"),
                    *span,
                )
                .with_label("a name already there")
                .with_help("choose another name, or rename (or drop) the other one too"),
            ));
        }
    }
    let renamed = |name: &str| -> String {
        names
            .iter()
            .find(|(old, _, _)| old == name)
            .map_or_else(|| name.to_string(), |(_, new, _)| new.clone())
    };
    let coord = |c: &Arc<Coord>| -> Arc<Coord> {
        Arc::new(Coord {
            name: renamed(&c.name),
            dim: if c.dim.is_empty() {
                String::new()
            } else {
                renamed(&c.dim)
            },
            values: c.values.clone(),
            attrs: c.attrs.clone(),
        })
    };
    let relabel = |l: &Labelled| -> Labelled {
        let mut l = l.clone();
        l.dims = l.dims.iter().map(|d| renamed(d)).collect();
        l.coords = l.coords.iter().map(coord).collect();
        l.name = l.name.as_deref().map(renamed);
        l
    };
    match subject_of(args) {
        dataset::Subject::Labelled(l) => {
            for (old, _, span) in &names {
                if !l.dims.contains(old) && l.coord_named(old).is_none() {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::unknown_dim",
                            format!("no dimension or coordinate `{old}` to rename"),
                            *span,
                        )
                        .with_label("not here")
                        .with_help("name the array itself with x.rename(\"new\")"),
                    ));
                }
            }
            Ok(wrap(relabel(&l)))
        }
        dataset::Subject::Dataset(ds) => {
            for (old, _, span) in &names {
                let known =
                    ds.variable(old).is_some() || ds.coord(old).is_some() || ds.has_dim(old);
                if !known {
                    return Err(unknown_variable(&ds, old, *span, false));
                }
            }
            let variables = ds.variables.iter().map(relabel).collect();
            let coords: Vec<Arc<Coord>> = ds.coords.iter().map(coord).collect();
            let mut out = Dataset::from_variables(variables, ds.attrs.clone(), &coords);
            out.unlimited = ds.unlimited.iter().map(|d| renamed(d)).collect();
            Ok(Value::Dataset(Arc::new(out)))
        }
    }
}

/// `ds.drop_vars("a")` or `ds.drop_vars(["a", "b"])`: the dataset without those variables (or
/// coordinates).
pub fn drop_vars(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(Value::Dataset(ds)) = args.receiver.clone() else {
        return Err(args.wrong_type(0, "a dataset's variable names"));
    };
    let names = args
        .names(0, "a variable name or a list of them")?
        .unwrap_or_default();
    for name in &names {
        if ds.variable(name).is_none() && ds.coord(name).is_none() {
            return Err(unknown_variable(&ds, name, args.spans[0], false));
        }
    }
    let variables = ds
        .variables
        .iter()
        .filter(|v| !v.name.as_ref().is_some_and(|n| names.contains(n)))
        .map(|v| {
            let mut v = v.clone();
            v.coords.retain(|c| !names.contains(&c.name));
            v
        })
        .collect();
    let coords: Vec<Arc<Coord>> = ds
        .coords
        .iter()
        .filter(|c| !names.contains(&c.name))
        .cloned()
        .collect();
    let mut out = Dataset::from_variables(variables, ds.attrs.clone(), &coords);
    out.unlimited = ds.unlimited.clone();
    Ok(Value::Dataset(Arc::new(out)))
}

/// `ds.assign(name=x, …)`: the dataset with those variables added or replaced; their shared
/// dimensions must agree.
pub fn assign(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(Value::Dataset(ds)) = args.receiver.clone() else {
        unreachable!("assign is called on datasets")
    };
    let mut variables = ds.variables.clone();
    for (name, value, span) in indexers(args)? {
        let Value::Labelled(l) = value else {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::argument_type",
                    format!(
                        "`{name}` must be a labelled array, not {}",
                        value.type_name()
                    ),
                    span,
                )
                .with_label("not a labelled array")
                .with_help("name the axes first: label(x, (\"time\", \"lat\"))"),
            ));
        };
        let mut l = (*l).clone();
        l.name = Some(name.clone());
        let existing = variables
            .iter()
            .position(|v| v.name.as_deref() == Some(name.as_str()));
        // As dataset({…}): shared dimensions must have the same lengths and coordinates.
        let sides: Vec<Side> = variables
            .iter()
            .enumerate()
            .filter(|(k, _)| Some(*k) != existing)
            .map(|(_, v)| Side::Labelled(v.clone()))
            .chain([Side::Labelled(l.clone())])
            .collect();
        dataset::align(&sides, span, &vec![span; sides.len()])?;
        // A variable replaced keeps its place, as in xarray.
        match existing {
            Some(at) => variables[at] = l,
            None => variables.push(l),
        }
    }
    let mut out = Dataset::from_variables(variables, ds.attrs.clone(), &ds.coords);
    out.unlimited = ds.unlimited.clone();
    Ok(Value::Dataset(Arc::new(out)))
}
