//! How labelled arrays and datasets take part in the language: operators aligned by dimension
//! name, members (`ds.adt`, `x.dims`, coordinates, attributes), items (`ds["adt"]`), indexing by
//! position, and builtins applied to a labelled array's values with its labels kept.

use super::ValueKind;
use crate::array::build::IndexItem;
use crate::dataset::{self, Coord, Dataset, Labelled, Side};
use crate::diagnostic::Diagnostic;
use crate::eval::builtin::{Args, Builtin};
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::value::{Env, Type, Value};
use crate::io::layout::Attr;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Ident, Subscript, UnaryOp};
use std::sync::Arc;

pub fn wrap(l: Labelled) -> Value {
    Value::Labelled(Arc::new(l))
}

pub fn attr_value(attr: &Attr) -> Value {
    match attr {
        Attr::Str(s) => Value::str(s),
        Attr::Int(i) => Value::Int(*i),
        Attr::Float(f) => Value::Float(*f),
        Attr::Ints(v) => Value::tuple(v.iter().map(|&i| Value::Int(i)).collect()),
        Attr::Floats(v) => Value::tuple(v.iter().map(|&f| Value::Float(f)).collect()),
    }
}

pub fn attrs_record(attrs: &dataset::Attrs) -> Value {
    Value::Record(Arc::new(
        attrs
            .iter()
            .map(|(k, v)| (k.clone(), attr_value(v)))
            .collect(),
    ))
}

/// `name` is no variable or coordinate of `ds` (nor a property, for `ds.name`).
pub fn unknown_variable(ds: &Dataset, name: &str, span: Span, properties: bool) -> Box<Diagnostic> {
    let extra: &[&str] = if properties { DATASET_PROPERTIES } else { &[] };
    let candidates: Vec<&str> = ds
        .variable_names()
        .chain(ds.coords.iter().map(|c| c.name.as_str()))
        .chain(extra.iter().copied())
        .collect();
    Box::new(
        Diagnostic::error(
            "flow::check::unknown_variable",
            format!("the dataset has no variable or coordinate `{name}`"),
            span,
        )
        .with_label("not in the dataset")
        .with_help(crate::text::did_you_mean(
            name,
            candidates.iter().copied(),
            if properties {
                "variables, coordinates and properties"
            } else {
                "variables and coordinates"
            },
        )),
    )
}

pub const DATASET_PROPERTIES: &[&str] =
    &["dims", "sizes", "coords", "attrs", "data_vars", "nbytes"];

pub fn coords_record(coords: &[Arc<Coord>], span: Span) -> Value {
    Value::Record(Arc::new(
        coords
            .iter()
            .map(|c| (c.name.clone(), wrap(c.to_labelled(span))))
            .collect(),
    ))
}

pub fn side_of(value: &Value) -> Side {
    match value {
        Value::Labelled(l) => Side::Labelled((**l).clone()),
        Value::Array(a) => Side::Array(a.clone()),
        _ => Side::Other,
    }
}

/// Does the builtin take arrays without knowing labels (so labelled arguments are unwrapped)?
pub fn unwraps_labels(builtin: &Builtin) -> bool {
    matches!(
        builtin.category,
        "math" | "arrays" | "reductions" | "array methods"
    ) || matches!(
        builtin.name,
        "sum"
            | "min"
            | "max"
            | "any"
            | "all"
            | "abs"
            | "round"
            | "len"
            | "save_image"
            | "int"
            | "float"
    )
}
impl Interpreter {
    /// While checking, a netCDF file the program saves before opening it is the dataset saved;
    /// many files of which some are still to be written make a dataset known only when run.
    pub fn planned_dataset(&self, files: &[std::path::PathBuf]) -> Option<Value> {
        if !self.is_checking() {
            return None;
        }
        match files {
            [file] => self.planned.datasets.get(file).map(|planned| {
                planned.clone().map_or(
                    Value::Unknown(crate::eval::value::Type::Dataset),
                    Value::Dataset,
                )
            }),
            _ if files.iter().any(|f| self.planned.datasets.contains_key(f)) => {
                Some(Value::Unknown(crate::eval::value::Type::Dataset))
            }
            _ => None,
        }
    }

    /// `x.name` on a labelled array: its labels, a coordinate, or an array property.
    pub fn labelled_member(
        &mut self,
        l: &Arc<Labelled>,
        name: &str,
        span: Span,
    ) -> Option<Eval<Value>> {
        let names = |items: &mut dyn Iterator<Item = &String>| {
            Value::tuple(items.map(|d| Value::str(d)).collect())
        };
        Some(Ok(match name {
            "dims" => names(&mut l.dims.iter()),
            "sizes" => Value::Record(Arc::new(
                l.dims
                    .iter()
                    .zip(&l.array.shape)
                    .map(|(d, &n)| (d.clone(), Value::Int(n as i64)))
                    .collect(),
            )),
            "coords" => coords_record(&l.coords, span),
            "attrs" => attrs_record(&l.attrs),
            "name" => l.name.as_deref().map_or(Value::None, Value::str),
            "values" | "data" => Value::Array(l.array.clone()),
            "dt" => return Some(date_fields(l, span)),
            "T" => {
                let order: Vec<String> = l.dims.iter().rev().cloned().collect();
                return Some(l.transpose(&order, span).map(wrap));
            }
            _ => {
                if let Some(coord) = l.coord_named(name) {
                    return Some(Ok(wrap(coord.to_labelled(span))));
                }
                let array = l.array.clone();
                return self.array_property(&array, name, span);
            }
        }))
    }

    /// `ds.name`: a variable, a coordinate, or one of the dataset's properties.
    pub fn dataset_member(&mut self, ds: &Arc<Dataset>, name: &str, span: Span) -> Eval<Value> {
        if let Some(v) = ds.variable(name) {
            // With the dataset's scalar coordinates, as xarray's `ds.isel(lat=0).sst` has `lat`.
            let mut v = v.clone();
            for c in ds.coords.iter().filter(|c| c.is_scalar()) {
                if v.coord_named(&c.name).is_none() {
                    v.coords.push(c.clone());
                }
            }
            return Ok(wrap(v));
        }
        if let Some(c) = ds.coord(name) {
            return Ok(wrap(c.to_labelled(span)));
        }
        match name {
            "dims" | "sizes" => {
                return Ok(Value::Record(Arc::new(
                    ds.dims
                        .iter()
                        .map(|(d, n)| (d.clone(), Value::Int(*n as i64)))
                        .collect(),
                )))
            }
            "coords" => return Ok(coords_record(&ds.coords, span)),
            "nbytes" => {
                let bytes: usize = ds.variables.iter().map(|v| v.array.nbytes()).sum::<usize>()
                    + ds.coords.iter().map(|c| c.values.nbytes()).sum::<usize>();
                return Ok(Value::Int(bytes as i64));
            }
            "attrs" => return Ok(attrs_record(&ds.attrs)),
            "data_vars" => return Ok(Value::list(ds.variable_names().map(Value::str).collect())),
            _ => {}
        }
        if let Some(method) = self.library.method(&Value::Dataset(ds.clone()), name) {
            return Ok(Value::Method(Arc::new((
                Value::Dataset(ds.clone()),
                method,
            ))));
        }
        if let Some((_, kind)) = ds.unreadable.iter().find(|(n, _)| n == name) {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::unsupported_dtype",
                    format!("variable `{name}` holds {kind} values, which flow does not read"),
                    span,
                )
                .with_label("not readable as an array")
                .with_help(
                    "flow reads numeric netCDF variables (integers, floats; packed ones decoded)",
                ),
            ));
        }
        Err(unknown_variable(ds, name, span, true))
    }

    /// `ds["adt"]`
    pub fn dataset_item(&mut self, ds: &Arc<Dataset>, key: &Value, span: Span) -> Eval<Value> {
        if let Value::List(names) = key {
            return self.dataset_subset(ds, names, span);
        }
        let Value::Str(name) = key else {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::index_type",
                    format!(
                        "a dataset is indexed by variable name, not {}",
                        key.type_name()
                    ),
                    span,
                )
                .with_label("not a name")
                .with_help("ds[\"adt\"], or ds.isel(time=0) to index by position"),
            ));
        };
        let unreadable = ds.unreadable.iter().any(|(n, _)| **n == **name);
        if ds.variable(name).is_none() && ds.coord(name).is_none() && !unreadable {
            return Err(unknown_variable(ds, name, span, false));
        }
        self.dataset_member(ds, name, span)
    }

    /// `ds[["adt", "sla"]]`: a dataset of those variables (in that order), with the coordinates
    /// along their dimensions and the dataset's attributes.
    fn dataset_subset(&mut self, ds: &Arc<Dataset>, names: &[Value], span: Span) -> Eval<Value> {
        let mut variables: Vec<dataset::Labelled> = Vec::new();
        for name in names {
            let Value::Str(name) = name else {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::index_type",
                        format!(
                            "a dataset's variables are named by strs, not {}",
                            name.type_name()
                        ),
                        span,
                    )
                    .with_label("not a name")
                    .with_help("ds[[\"adt\", \"sla\"]]"),
                ));
            };
            let Some(v) = ds.variable(name) else {
                return Err(unknown_variable(ds, name, span, false));
            };
            if variables.iter().any(|w| w.name == v.name) {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::index_type",
                        format!("variable `{name}` is named twice"),
                        span,
                    )
                    .with_label("repeated")
                    .with_help("name each variable once"),
                ));
            }
            variables.push(v.clone());
        }
        let coords: Vec<Arc<Coord>> = ds
            .coords
            .iter()
            .filter(|c| c.is_scalar())
            .cloned()
            .collect();
        let mut out = Dataset::from_variables(variables, ds.attrs.clone(), &coords);
        out.unlimited = ds.unlimited.clone();
        Ok(Value::Dataset(Arc::new(out)))
    }

    /// `ds op other` or `other op ds`: variable by variable, as xarray — with another dataset,
    /// the variables both have (by name); with a labelled array, an array or a number, every
    /// variable. Attributes are the dataset's (those both datasets agree on).
    pub fn dataset_binary(
        &mut self,
        op: crate::syntax::ast::BinaryOp,
        lhs: Value,
        rhs: Value,
        span: Span,
    ) -> Eval<Value> {
        let (ds, other, dataset_left) = match (&lhs, &rhs) {
            (Value::Dataset(ds), other) => (ds.clone(), other.clone(), true),
            (other, Value::Dataset(ds)) => (ds.clone(), other.clone(), false),
            _ => unreachable!("one side is a dataset"),
        };
        let mut variables = Vec::new();
        for v in &ds.variables {
            let operand = match &other {
                Value::Dataset(o) => match v.name.as_deref().and_then(|n| o.variable(n)) {
                    Some(w) => wrap(w.clone()),
                    None => continue,
                },
                other => other.clone(),
            };
            let (l, r) = if dataset_left {
                (wrap(v.clone()), operand)
            } else {
                (operand, wrap(v.clone()))
            };
            match self.apply_binary(op, l, r, span)? {
                Value::Labelled(out) => {
                    let mut out = (*out).clone();
                    out.name = v.name.clone();
                    variables.push(out);
                }
                other => {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::operand_types",
                            format!(
                                "`{}` of a dataset's variable gave {}, not a labelled array",
                                op.symbol(),
                                other.type_name()
                            ),
                            span,
                        )
                        .with_label("here")
                        .with_help(
                            "datasets combine with numbers, arrays, labelled arrays and datasets",
                        ),
                    ))
                }
            }
        }
        let (attrs, mut coords) = match &other {
            Value::Dataset(o) => (
                dataset::drop_conflicts([ds.attrs.clone(), o.attrs.clone()].into_iter()),
                ds.coords
                    .iter()
                    .chain(&o.coords)
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            // As xarray: the attributes the dataset and the array agree on (drop_conflicts).
            Value::Labelled(l) => (
                dataset::drop_conflicts([ds.attrs.clone(), l.computed_attrs()].into_iter()),
                ds.coords.clone(),
            ),
            _ => (ds.attrs.clone(), ds.coords.clone()),
        };
        coords.dedup_by(|a, b| a.name == b.name);
        let mut out = Dataset::from_variables(variables, attrs, &coords);
        out.unlimited = ds.unlimited.clone();
        Ok(Value::Dataset(Arc::new(out)))
    }

    /// `grouping op value` (or `value op grouping`): the value, which has the groups' dimension,
    /// spread over the grouped positions and combined with the grouped values — anomalies against
    /// a climatology.
    pub fn grouping_binary(
        &mut self,
        op: crate::syntax::ast::BinaryOp,
        grouping: &crate::dataset::groupby::Grouping,
        other: &Value,
        grouping_left: bool,
        span: Span,
    ) -> Eval<Value> {
        let refuse = |message: String| -> Eval<Value> {
            Err(Box::new(
                Diagnostic::error("flow::check::operand_types", message, span)
                    .with_label("here")
                    .with_help(format!(
                        "combine the grouping with a grouped result over `{}`, e.g. x.groupby(…) - x.groupby(…).mean()",
                        grouping.coord.name
                    )),
            ))
        };
        match other {
            Value::Labelled(_) => {}
            Value::Dataset(ds) if ds.has_dim(&grouping.coord.name) => {}
            Value::Dataset(_) => {
                return refuse(format!(
                    "the dataset combined with the grouping has no dimension `{}`",
                    grouping.coord.name
                ))
            }
            other => {
                return refuse(format!(
                    "a grouping combines with a labelled array or a dataset, not {}",
                    other.type_name()
                ))
            }
        }
        let spread = match other {
            Value::Labelled(l) => wrap(grouping.spread(l, span)?),
            Value::Dataset(ds) => Value::Dataset(Arc::new(grouping.spread_dataset(ds, span)?)),
            other => other.clone(),
        };
        let subject = match &grouping.subject {
            crate::dataset::Subject::Labelled(l) => wrap(l.clone()),
            crate::dataset::Subject::Dataset(ds) => Value::Dataset(ds.clone()),
        };
        let (left, right) = if grouping_left {
            (subject, spread)
        } else {
            (spread, subject)
        };
        Ok(match self.apply_binary(op, left, right, span)? {
            Value::Dataset(after) => {
                Value::Dataset(Arc::new(grouping.dim_first_where_new(&after, span)?))
            }
            other => other,
        })
    }

    /// `l op r` where at least one side is a labelled array.
    pub fn labelled_binary(
        &mut self,
        op: crate::syntax::ast::BinaryOp,
        lhs: Value,
        rhs: Value,
        span: Span,
    ) -> Eval<Value> {
        let spans = [span, span];
        let sides = [side_of(&lhs), side_of(&rhs)];
        let (aligned, arrays) = dataset::align(&sides, span, &spans)?;
        let operand = |value: Value, array: &Option<crate::array::node::ArrayRef>| match array {
            Some(a) => Value::Array(a.clone()),
            None => value,
        };
        let result =
            self.array_binary(op, operand(lhs, &arrays[0]), operand(rhs, &arrays[1]), span)?;
        Ok(match result {
            Value::Array(array) => wrap(aligned.wrap(array)),
            other => other,
        })
    }

    /// A builtin that knows nothing of labels, called with labelled arguments: it sees their
    /// values, and a result of the same shape as the first labelled argument keeps its labels
    /// (`cos(ds.lat)`, `x.astype("f64")`). `where` and `clip` line their operands up by name.
    pub fn call_with_labels(&mut self, builtin: &'static Builtin, args: &mut Args) -> Eval<Value> {
        if matches!(builtin.name, "where" | "clip") && args.receiver.is_none() {
            let sides: Vec<Side> = args.values[..3].iter().map(side_of).collect();
            let (mut aligned, arrays) = dataset::align(&sides, args.call, &args.spans[..3])?;
            // As xarray: the attributes of the values chosen from (`where`'s `x`, `clip`'s
            // array), none when that is a number.
            let values = usize::from(builtin.name == "where");
            aligned.attrs = match &args.values[values] {
                Value::Labelled(l) => l.computed_attrs(),
                _ => Vec::new(),
            };
            for (k, array) in arrays.into_iter().enumerate() {
                if let Some(array) = array {
                    args.values[k] = Value::Array(array);
                }
            }
            return Ok(match (builtin.run)(self, args)? {
                Value::Array(array) => wrap(aligned.wrap(array)),
                other => other,
            });
        }
        let first = args
            .receiver
            .iter()
            .chain(args.values.iter())
            .find_map(|v| match v {
                Value::Labelled(l) => Some(l.clone()),
                _ => None,
            })
            .expect("called with a labelled argument");
        let unwrap = |v: &mut Value| {
            if let Value::Labelled(l) = v {
                *v = Value::Array(l.array.clone());
            }
        };
        if let Some(receiver) = args.receiver.as_mut() {
            unwrap(receiver);
        }
        args.values.iter_mut().for_each(unwrap);
        let keeps_attrs = builtin.name == "astype";
        Ok(match (builtin.run)(self, args)? {
            Value::Array(array) if array.shape == first.array.shape => {
                let mut l = first.with_array(array);
                if keeps_attrs {
                    l.attrs = first.attrs.clone();
                }
                wrap(l)
            }
            other => other,
        })
    }

    /// `x[…]` on a labelled array: by position, keeping the labels of what stays.
    pub fn labelled_index(
        &mut self,
        l: &Labelled,
        items: Vec<IndexItem>,
        span: Span,
    ) -> Eval<Value> {
        l.index(&items, span).map(wrap)
    }
}

/// Labelled arrays.
pub struct LabelledKind;

impl ValueKind for LabelledKind {
    fn rank(&self) -> u8 {
        3
    }

    fn binary(
        &self,
        interpreter: &mut Interpreter,
        op: BinaryOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Eval<Value> {
        if left.is_unknown() || right.is_unknown() {
            return Ok(Value::Unknown(Type::Array));
        }
        interpreter.labelled_binary(op, left, right, span)
    }

    fn unary(
        &self,
        interpreter: &mut Interpreter,
        op: UnaryOp,
        value: Value,
        span: Span,
    ) -> Eval<Value> {
        let Value::Labelled(l) = value else {
            unreachable!("labelled arrays only")
        };
        Ok(match interpreter.array_unary(op, &l.array, span)? {
            Value::Array(array) => wrap(l.with_array(array)),
            other => other,
        })
    }

    fn attribute(&self, interpreter: &mut Interpreter, value: Value, name: &Ident) -> Eval<Value> {
        let Value::Labelled(l) = &value else {
            unreachable!("labelled arrays only")
        };
        if interpreter.library.method(&value, &name.name).is_some() {
            return interpreter.method_or_error(value, name);
        }
        let l = l.clone();

        match interpreter.labelled_member(&l, &name.name, name.span) {
            Some(result) => result,
            None => {
                let methods = interpreter.library.method_names(&value);
                let properties = [
                    "dims", "sizes", "coords", "attrs", "name", "values", "shape", "dtype", "ndim",
                    "size", "nbytes", "chunks", "T", "dt",
                ];
                let candidates = methods
                    .iter()
                    .copied()
                    .chain(properties)
                    .chain(l.coords.iter().map(|c| c.name.as_str()));
                Err(Box::new(
                    Diagnostic::error(
                        "flow::check::unknown_method",
                        format!(
                            "labelled array has no method, coordinate or attribute `{}`",
                            name.name
                        ),
                        name.span,
                    )
                    .with_label("not a member")
                    .with_help(crate::text::did_you_mean(&name.name, candidates, "members")),
                ))
            }
        }
    }

    fn index(
        &self,
        interpreter: &mut Interpreter,
        value: Value,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        let Value::Labelled(l) = &value else {
            unreachable!("labelled arrays only")
        };
        match super::array::ArrayKind::index_items(interpreter, subscripts, span, env)? {
            Some(items) => interpreter.labelled_index(l, items, span),
            None => Ok(Value::Unknown(Type::Array)),
        }
    }

    fn condition(
        &self,
        interpreter: &mut Interpreter,
        value: &Value,
        span: Span,
    ) -> Eval<Option<bool>> {
        match value {
            Value::Labelled(l) if l.dims.is_empty() => {
                interpreter.condition(&Value::Array(l.array.clone()), span)
            }
            other => Err(super::condition_error(other, span)),
        }
    }
}

/// Datasets.
pub struct DatasetKind;

impl ValueKind for DatasetKind {
    /// Above labelled arrays: `ds - x` is the dataset's variables minus `x`.
    fn rank(&self) -> u8 {
        4
    }

    fn binary(
        &self,
        interpreter: &mut Interpreter,
        op: BinaryOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Eval<Value> {
        if left.is_unknown() || right.is_unknown() {
            return Ok(Value::Unknown(Type::Dataset));
        }
        interpreter.dataset_binary(op, left, right, span)
    }

    fn unary(
        &self,
        interpreter: &mut Interpreter,
        op: UnaryOp,
        value: Value,
        span: Span,
    ) -> Eval<Value> {
        let Value::Dataset(ds) = value else {
            unreachable!("datasets only")
        };
        let variables = ds
            .variables
            .iter()
            .map(
                |v| match interpreter.apply_unary(op, wrap(v.clone()), span)? {
                    Value::Labelled(out) => Ok((*out).clone()),
                    other => {
                        unreachable!("a labelled array's operation gave {}", other.type_name())
                    }
                },
            )
            .collect::<Eval<Vec<_>>>()?;
        let mut out = Dataset::from_variables(variables, ds.attrs.clone(), &ds.coords);
        out.unlimited = ds.unlimited.clone();
        Ok(Value::Dataset(Arc::new(out)))
    }

    fn attribute(&self, interpreter: &mut Interpreter, value: Value, name: &Ident) -> Eval<Value> {
        let Value::Dataset(ds) = &value else {
            unreachable!("datasets only")
        };
        interpreter.dataset_member(ds, &name.name, name.span)
    }

    fn index(
        &self,
        interpreter: &mut Interpreter,
        value: Value,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        let item = |interpreter: &mut Interpreter, value: &Value, key: Value, span| match value {
            Value::Dataset(ds) => interpreter.dataset_item(ds, &key, span),
            _ => unreachable!("datasets only"),
        };
        super::keyed_item(
            interpreter,
            value,
            subscripts,
            (span, env),
            Type::Array,
            item,
        )
    }
}

/// `x.dt`: the calendar fields of CF times (`x.dt.month`, `ds.time.dt.dayofyear`), as a record
/// of labelled arrays with `x`'s labels, computed now from the values in memory (coordinates
/// are). i64, or f64 with NaN where a time is missing.
fn date_fields(l: &Labelled, span: Span) -> Eval<Value> {
    let refuse = |message: String, help: &str| -> Eval<Value> {
        Err(Box::new(
            Diagnostic::error("flow::check::not_time", message, span)
                .with_label("`.dt`")
                .with_help(help.to_string()),
        ))
    };
    let Some(units) = l.time_units() else {
        return refuse(
            format!(
                "`{}` holds numbers, not CF times (no time units)",
                l.name.as_deref().unwrap_or("the array")
            ),
            "take .dt of a time coordinate, e.g. ds.time.dt.month",
        );
    };
    let Some(values) = l.array.whole() else {
        return refuse(
            "`.dt` of times computed while running is not supported".into(),
            "take .dt of the time coordinate (ds.time.dt.month), whose values are known",
        );
    };
    let record = crate::io::cftime::DATE_FIELDS
        .iter()
        .map(|&name| {
            let chunk = dataset::time_field(&values, &units, name);
            let array = crate::array::build::in_memory(chunk, span);
            // The time's attributes but its encoding, as xarray's `.dt` fields keep them.
            let mut field = l.with_array(array);
            field.name = Some(name.to_string());
            field.attrs.extend(dataset::time_field_attrs(name));
            (name.to_string(), wrap(field))
        })
        .collect();
    Ok(Value::Record(Arc::new(record)))
}

/// Groupings (`x.groupby("time.month")`): arithmetic with a grouped result spreads it over the
/// groups' positions (`x.groupby("time.month") - clim`).
pub struct GroupingKind;

impl ValueKind for GroupingKind {
    /// Above every other kind: the grouping decides what the other operand means.
    fn rank(&self) -> u8 {
        6
    }

    fn binary(
        &self,
        interpreter: &mut Interpreter,
        op: BinaryOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Eval<Value> {
        match (&left, &right) {
            (Value::Grouping(_), Value::Grouping(_)) => Err(Box::new(
                Diagnostic::error(
                    "flow::check::operand_types",
                    format!("cannot apply `{}` to two groupings", op.symbol()),
                    span,
                )
                .with_label("here")
                .with_help("reduce one first: x.groupby(\"time.month\") - x.groupby(\"time.month\").mean()"),
            )),
            (Value::Grouping(g), other) => {
                interpreter.grouping_binary(op, g, other, true, span)
            }
            (other, Value::Grouping(g)) => {
                interpreter.grouping_binary(op, g, other, false, span)
            }
            _ => unreachable!("one side is a grouping"),
        }
    }
}
