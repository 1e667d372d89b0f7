//! The dataframe builtins and how frames take part in the language: `read_csv`,
//! `read_parquet`, `col`, frame methods (`filter`, `select`, `groupby(…).agg(…)`, …), column
//! expressions built with operators, `df.col` / `df["col"]`, `len(df)`, printing and `save`.
//! The frames themselves live in `crate::frame`.

use crate::diagnostic::Diagnostic;
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::kinds::frame::*;
use crate::eval::value::{Type, Value};
use crate::frame::column::{Column, GroupBy};
use crate::frame::expr::{Agg, BinaryOp, Expr, Literal, Node};
use crate::frame::{ColType, Frame};
use crate::io::frame_read::{self as read, CsvOptions};
use crate::source::Span;
use std::sync::Arc;

/// A new expression built on a method's receiver, kept on the receiver's frame if it has one.
fn on_receiver(args: &Args, expr: Arc<Expr>) -> Eval<Value> {
    match &args.receiver {
        Some(Value::Column(c)) => column_value(&c.frame, expr),
        _ => Ok(Value::Expr(expr)),
    }
}

fn receiver_expr(args: &Args) -> Arc<Expr> {
    match args.receiver.as_ref().and_then(expr_of) {
        Some(e) => e.clone(),
        None => unreachable!("expression methods are called on expressions"),
    }
}

fn read_failed(args: &Args, error: read::ReadError) -> Box<Diagnostic> {
    args.rejected(error.code, error.message, error.arg, &error.help)
}

/// `read_csv(paths, separator=",", null_values=none, dtypes=none, columns=none)`
/// While checking, a file the program saves before reading it is the frame saved; several
/// files of which some are still to be written make a frame known only when run.
fn planned_frame(interpreter: &Interpreter, files: &[std::path::PathBuf]) -> Option<Value> {
    if !interpreter.is_checking() {
        return None;
    }
    match files {
        [file] => interpreter.planned.frames.get(file).map(|planned| {
            planned
                .clone()
                .map_or(Value::Unknown(Type::Frame), Value::Frame)
        }),
        _ if files
            .iter()
            .any(|f| interpreter.planned.frames.contains_key(f)) =>
        {
            Some(Value::Unknown(Type::Frame))
        }
        _ => None,
    }
}

pub fn read_csv(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let files = super::files::files_of(args, interpreter)?;
    if let Some(planned) = planned_frame(interpreter, &files) {
        return Ok(planned);
    }
    let separator = match args.str(1)?.as_bytes() {
        [one] => *one,
        _ => {
            return Err(args.rejected(
                "flow::check::argument_value",
                "the separator is one character".into(),
                1,
                "separator=\";\"",
            ))
        }
    };
    let null_values = args
        .names(2, "a string or a list of strings")?
        .unwrap_or_else(|| read::DEFAULT_NULLS.iter().map(|s| s.to_string()).collect());
    let dtypes = match args.value(3) {
        Value::None => Vec::new(),
        Value::Record(fields) => fields
            .iter()
            .map(|(name, ty)| {
                let parsed = match ty {
                    Value::Str(t) => ColType::parse(t),
                    _ => None,
                };
                parsed.map(|t| (name.clone(), t)).ok_or_else(|| {
                    args.rejected(
                        "flow::check::dtype",
                        format!("column `{name}`: {} is not a column type", ty.repr()),
                        3,
                        "column types are \"i64\", \"f64\", \"str\", \"bool\", \"date\"",
                    )
                })
            })
            .collect::<Eval<Vec<_>>>()?,
        _ => return Err(args.wrong_type(3, "a record of column types, e.g. {TailNum: \"str\"}")),
    };
    let block_size = match args.value(5) {
        Value::None => read::BLOCK_SIZE,
        Value::Int(n) if *n > 0 => *n as u64,
        Value::Int(n) => {
            return Err(args.rejected(
                "flow::check::argument_value",
                format!("a block size of {n} bytes: blocks need at least one byte"),
                5,
                "blocksize=64_000_000 or blocksize=\"64MB\"",
            ))
        }
        Value::Str(text) => match crate::runtime::parse_size(text) {
            Some(n) if n > 0 => n as u64,
            _ => return Err(args.wrong_type(5, "a size such as \"64MB\"")),
        },
        _ => return Err(args.wrong_type(5, "a size in bytes or such as \"64MB\"")),
    };
    let options = CsvOptions {
        block_size,
        separator,
        null_values,
        dtypes,
        columns: args.names(4, "a list of column names")?,
    };
    read::csv(&files, &options, args.call)
        .map(frame_value)
        .map_err(|e| read_failed(args, e))
}

/// `read_parquet(paths, columns=none)`
pub fn read_parquet(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let files = super::files::files_of(args, interpreter)?;
    if let Some(planned) = planned_frame(interpreter, &files) {
        return Ok(planned);
    }
    let columns = args.names(1, "a list of column names")?;
    read::parquet(&files, columns.as_deref(), args.call)
        .map(frame_value)
        .map_err(|e| read_failed(args, e))
}

/// `col(name)`
pub fn col(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let name = args.str(0)?;
    Ok(Value::Expr(Expr::new(
        Node::Column(name.to_string()),
        args.spans[0],
    )))
}

fn receiver_frame(args: &Args) -> Arc<Frame> {
    match &args.receiver {
        Some(Value::Frame(f)) => f.clone(),
        _ => unreachable!("frame methods are called on frames"),
    }
}

/// Column names given as strings (each with its span), from a variadic argument.
fn column_names(args: &Args, index: usize) -> Eval<Vec<(String, Span)>> {
    let Value::Tuple(items) = args.value(index) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|v| match v {
            Value::Str(s) => Ok((s.to_string(), args.spans[index])),
            Value::List(names) | Value::Tuple(names)
                if names.iter().all(|n| matches!(n, Value::Str(_))) =>
            {
                Err(args.wrong_type(index, "column names (not a list: give them one by one)"))
            }
            _ => Err(args.wrong_type(index, "column names")),
        })
        .collect()
}

/// Expressions from a variadic argument: names become columns.
fn expressions(args: &Args, index: usize) -> Eval<Vec<Arc<Expr>>> {
    let Value::Tuple(items) = args.value(index) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|v| match v {
            Value::Str(s) => Ok(Expr::new(Node::Column(s.to_string()), args.spans[index])),
            other => match expr_of(other) {
                Some(e) => Ok(e.clone()),
                None => Err(args.wrong_type(index, "column names or column expressions")),
            },
        })
        .collect()
}

pub fn select(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    receiver_frame(args)
        .select(&expressions(args, 0)?)
        .map(frame_value)
}

pub fn filter(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(condition) = expr_of(args.value(0)) else {
        return Err(args.wrong_type(0, "a condition on columns, e.g. col(\"x\") > 20"));
    };
    receiver_frame(args).filter(condition).map(frame_value)
}

/// `df.with_columns(name=expr, …)`
pub fn with_columns(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let mut exprs = expressions(args, 0)?;
    if let Value::Record(fields) = args.value(1) {
        for (name, value) in fields.iter() {
            let span = args
                .keyword_spans
                .iter()
                .find(|(k, _)| k == name)
                .map_or(args.call, |(_, s)| *s);
            let e = as_expr(value, span).ok_or_else(|| args.wrong_type(1, "column expressions"))?;
            exprs.push(Expr::new(Node::Alias(e, name.clone()), span));
        }
    }
    receiver_frame(args).with_columns(&exprs).map(frame_value)
}

/// `df.rename({old: new})`
pub fn rename(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Value::Record(fields) = args.value(0) else {
        return Err(args.wrong_type(0, "a record of new names, e.g. {DepDelay: \"delay\"}"));
    };
    let pairs = fields
        .iter()
        .map(|(old, new)| match new {
            Value::Str(n) => Ok((old.clone(), n.to_string())),
            _ => Err(args.wrong_type(0, "a record of new names (strings)")),
        })
        .collect::<Eval<Vec<_>>>()?;
    receiver_frame(args)
        .rename(&pairs, args.spans[0])
        .map(frame_value)
}

pub fn drop_columns(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    receiver_frame(args)
        .without(&column_names(args, 0)?)
        .map(frame_value)
}

pub fn sort(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let by = match args.names(0, "a column name or a list of names")? {
        Some(names) => names
            .into_iter()
            .map(|n| (n, args.spans[0]))
            .collect::<Vec<_>>(),
        None => Vec::new(),
    };
    receiver_frame(args)
        .sort(&by, args.bool(1)?)
        .map(frame_value)
}

pub fn head(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    Ok(frame_value(receiver_frame(args).head(args.size(0)?)))
}

pub fn unique(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let subset = match args.names(0, "a column name or a list of names")? {
        Some(names) => names
            .into_iter()
            .map(|n| (n, args.spans[0]))
            .collect::<Vec<_>>(),
        None => Vec::new(),
    };
    receiver_frame(args).unique(&subset).map(frame_value)
}

/// `df.Origin.unique()`: the distinct values of a frame's column.
pub fn column_unique(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(Value::Column(column)) = &args.receiver else {
        unreachable!("column methods are called on columns")
    };
    let name = column.expr.output_name();
    column
        .values()?
        .unique(&[(name, column.expr.span)])
        .map(frame_value)
}

/// `df.groupby("Origin")` or several keys.
pub fn groupby(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let frame = receiver_frame(args);
    let keys = column_names(args, 0)?;
    if keys.is_empty() {
        return Err(args.rejected(
            "flow::check::missing_argument",
            "groupby needs at least one key column".into(),
            0,
            "df.groupby(\"Origin\")",
        ));
    }
    for (key, span) in &keys {
        frame.check_column(key, *span)?;
    }
    Ok(Value::GroupBy(Arc::new(GroupBy {
        frame,
        keys,
        column: None,
        dropna: args.bool(1)?,
    })))
}

fn receiver_group(args: &Args) -> Arc<GroupBy> {
    match &args.receiver {
        Some(Value::GroupBy(g)) => g.clone(),
        _ => unreachable!("group methods are called on groupings"),
    }
}

/// `g.agg(mean("DepDelay"), max("x"), …)`
pub fn agg(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let group = receiver_group(args);
    let aggs = expressions(args, 0)?;
    if aggs.is_empty() {
        return Err(args.rejected(
            "flow::check::missing_argument",
            "agg needs at least one aggregation".into(),
            0,
            "g.agg(mean(\"DepDelay\"), count(\"DepDelay\"))",
        ));
    }
    group.aggregate(&aggs).map(frame_value)
}

/// `g.mean()`, `g.DepDelay.max()`, …: the aggregation of the chosen column, or of every
/// column that is not a key.
pub fn group_aggregate(_: &mut Interpreter, args: &mut Args, agg: Agg) -> Eval<Value> {
    let group = receiver_group(args);
    let columns: Vec<(String, Span)> = match &group.column {
        Some(column) => vec![column.clone()],
        None => group
            .frame
            .schema
            .iter()
            .filter(|(n, t)| {
                !group.keys.iter().any(|(k, _)| k == n)
                    && (!matches!(agg, Agg::Sum | Agg::Mean | Agg::Std | Agg::Var)
                        || matches!(t, ColType::Int | ColType::Float | ColType::Bool))
            })
            .map(|(n, _)| (n.clone(), args.call))
            .collect(),
    };
    let aggs: Vec<Arc<Expr>> = columns
        .into_iter()
        .map(|(name, span)| {
            Expr::new(
                Node::Agg(agg, Expr::new(Node::Column(name), span)),
                args.call,
            )
        })
        .collect();
    group.aggregate(&aggs).map(frame_value)
}

/// `col("x").mean()` and the other aggregations as expression methods.
pub fn expr_aggregate(_: &mut Interpreter, args: &mut Args, agg: Agg) -> Eval<Value> {
    let e = receiver_expr(args);
    on_receiver(args, Expr::new(Node::Agg(agg, e), args.call))
}

pub fn is_null(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let e = receiver_expr(args);
    on_receiver(args, Expr::new(Node::IsNull(e), args.call))
}

pub fn is_in(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let e = receiver_expr(args);
    let items = match args.value(0) {
        Value::List(items) | Value::Tuple(items) => items.clone(),
        _ => return Err(args.wrong_type(0, "a list of values")),
    };
    let literals = items
        .iter()
        .map(|v| match v {
            Value::Int(i) => Ok(Literal::Int(*i)),
            Value::Float(f) => Ok(Literal::Float(*f)),
            Value::Bool(b) => Ok(Literal::Bool(*b)),
            Value::Str(s) => Ok(Literal::Str(s.to_string())),
            _ => Err(args.wrong_type(0, "a list of numbers, strings or bools")),
        })
        .collect::<Eval<Vec<_>>>()?;
    on_receiver(args, Expr::new(Node::IsIn(e, literals), args.call))
}

pub fn alias(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let e = receiver_expr(args);
    let name = args.str(0)?.to_string();
    on_receiver(args, Expr::new(Node::Alias(e, name), args.call))
}

/// `df.join(other, on, how="inner")`
pub fn join(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Value::Frame(other) = args.value(0) else {
        return Err(args.wrong_type(0, "a frame"));
    };
    let on: Vec<(String, Span)> = args
        .names(1, "a column name or a list of names")?
        .unwrap_or_default()
        .into_iter()
        .map(|n| (n, args.spans[1]))
        .collect();
    let how = match crate::frame::step::JoinHow::parse(&args.str(2)?) {
        Some(how) => how,
        None => {
            let other = args.str(2)?;
            return Err(args.rejected(
                "flow::check::argument_value",
                format!("unknown join `{other}`"),
                2,
                "how is \"inner\", \"left\" or \"full\"",
            ));
        }
    };
    let nulls_equal = args.bool(3)?;
    let suffixes = match args.value(4) {
        Value::None => ("_x".to_string(), "_y".to_string()),
        Value::Tuple(items) | Value::List(items) => match &items[..] {
            [Value::Str(left), Value::Str(right)] if left != right => {
                (left.to_string(), right.to_string())
            }
            [Value::Str(same), Value::Str(_)] => {
                return Err(args.rejected(
                    "flow::check::argument_value",
                    format!("both suffixes are `{same}`: the columns would have one name"),
                    4,
                    "give two different suffixes: suffixes=(\"_x\", \"_y\")",
                ))
            }
            _ => return Err(args.wrong_type(4, "two different suffixes, (\"_x\", \"_y\")")),
        },
        _ => return Err(args.wrong_type(4, "two different suffixes, (\"_x\", \"_y\")")),
    };
    let options = crate::frame::JoinOptions {
        how,
        nulls_equal,
        suffixes,
    };
    receiver_frame(args)
        .join(other, &on, options)
        .map(frame_value)
}

/// `concat_frames([a, b])`
pub fn concat(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let items = args.items(interpreter, 0)?;
    let frames = items
        .iter()
        .map(|v| match v {
            Value::Frame(f) => Ok((**f).clone()),
            _ => Err(args.wrong_type(0, "a list of frames")),
        })
        .collect::<Eval<Vec<_>>>()?;
    if frames.is_empty() {
        return Err(args.wrong_type(0, "a non-empty list of frames"));
    }
    crate::frame::concat(&frames, args.call).map(frame_value)
}

/// `df.describe()`: count, mean, std, min and max of every numeric column.
pub fn describe(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let frame = receiver_frame(args);
    let numeric: Vec<&String> = frame
        .schema
        .iter()
        .filter(|(_, t)| matches!(t, ColType::Int | ColType::Float))
        .map(|(n, _)| n)
        .collect();
    let stats = [Agg::Count, Agg::Mean, Agg::Std, Agg::Min, Agg::Max];
    let mut rows = Vec::new();
    for agg in stats {
        let exprs: Vec<Arc<Expr>> = numeric
            .iter()
            .map(|n| {
                let column = Expr::new(Node::Column((*n).clone()), args.call);
                let cast = Expr::new(
                    Node::Binary(
                        BinaryOp::Multiply,
                        Expr::new(Node::Agg(agg, column), args.call),
                        Expr::new(Node::Literal(Literal::Float(1.0)), args.call),
                    ),
                    args.call,
                );
                Expr::new(Node::Alias(cast, (*n).clone()), args.call)
            })
            .collect();
        let mut row = frame.select(&exprs)?;
        let label = Expr::new(Node::Literal(Literal::Str(agg.name().into())), args.call);
        row = row.with_columns(&[Expr::new(Node::Alias(label, "statistic".into()), args.call)])?;
        let mut order = vec![Expr::new(Node::Column("statistic".into()), args.call)];
        order.extend(
            numeric
                .iter()
                .map(|n| Expr::new(Node::Column((*n).clone()), args.call)),
        );
        rows.push(row.select(&order)?);
    }
    crate::frame::concat(&rows, args.call).map(frame_value)
}

/// `count("x")`, `n_unique("x")`, `first("x")`, `last("x")`: aggregations of a column.
pub fn aggregation_function(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    aggregation_call(args.builtin, args)
        .unwrap_or_else(|| Err(args.wrong_type(0, "a column name or a column expression")))
}

/// `len(df)`: the number of rows (computed; reads only what counting needs).
pub fn frame_len(interpreter: &mut Interpreter, frame: &Frame) -> Eval<Value> {
    if interpreter.is_checking() {
        return Ok(Value::Unknown(Type::Int));
    }
    if let Some(rows) = &frame.computed {
        return Ok(Value::Int(rows.height() as i64));
    }
    let counted = interpreter.frame_rows(&frame.count_rows())?;
    Ok(Value::Int(crate::frame::count_in(&counted) as i64))
}

/// `save(df, "out.parquet" | "out.csv", partitioned=false)`: written as its partitions are
/// computed, under a temporary name renamed into place.
pub fn save_frame(
    interpreter: &mut Interpreter,
    args: &Args,
    frame: &Frame,
    target: &std::path::Path,
    parquet: bool,
) -> Eval<Value> {
    let partitioned = args.bool(5)?;
    if interpreter.is_checking() {
        interpreter
            .planned
            .frames
            .insert(target.to_path_buf(), Some(Arc::new(frame.clone())));
        return Ok(Value::None);
    }
    let _ = interpreter.flush_output();
    let options = interpreter.compute_options.clone();
    let format = match parquet {
        true => crate::io::frame_write::TableFormat::Parquet,
        false => crate::io::frame_write::TableFormat::Csv,
    };
    // A device, a FIFO or standard output is written into as the partitions come (CSV only:
    // the check refused the rest), never replaced.
    let target = match crate::io::Destination::of(target) {
        crate::io::Destination::Stdout => std::path::PathBuf::from("-"),
        crate::io::Destination::Special { path, .. } => {
            let written = crate::runtime::write_frame(&frame.plan, &path, format, false, options);
            return interpreter
                .frame_outcome(written, frame.span)
                .map(|()| Value::None);
        }
        // Through a symlink, the file it points to.
        crate::io::Destination::File(path) | crate::io::Destination::Directory(path) => path,
    };
    let target = target.as_path();
    if target.as_os_str() == "-" {
        let written = crate::runtime::write_frame(&frame.plan, target, format, false, options);
        return interpreter
            .frame_outcome(written, frame.span)
            .map(|()| Value::None);
    }
    // Written under a temporary name as the partitions are computed (one file, appended in
    // order; or a directory of a file per partition), renamed into place when complete.
    let temporary = crate::io::Temporary::beside(target);
    let temporary = temporary.path();
    if partitioned {
        std::fs::create_dir_all(temporary).map_err(|e| args.write_error(1, e.to_string()))?;
    }
    let written = crate::runtime::write_frame(&frame.plan, temporary, format, partitioned, options);
    let written = interpreter.frame_outcome(written, frame.span);
    let placed = written.and_then(|()| {
        // A partitioned save marks its directory as flow's own output; what was at `target`
        // (a file, or flow's own output: the check allowed no other) is replaced.
        let marked = match partitioned {
            true => crate::io::write_parts_manifest(temporary),
            false => Ok(()),
        };
        marked
            .and_then(|()| crate::io::replace(temporary, target))
            .map_err(|e| args.write_error(1, e.to_string()))
    });
    // What was not put in place is removed with the temporary.
    placed.map(|()| Value::None)
}

/// `df.rows()`: the computed rows as a list of tuples.
pub fn rows(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let frame = receiver_frame(args);
    if interpreter.is_checking() {
        return Ok(Value::Unknown(Type::List(Box::new(Type::Tuple))));
    }
    let rows = interpreter.frame_rows(&frame)?;
    let columns = rows.columns();
    let mut out = Vec::with_capacity(rows.height());
    for i in 0..rows.height() {
        let row: Vec<Value> = columns
            .iter()
            .map(|c| c.get(i).map(any_value).unwrap_or(Value::None))
            .collect();
        out.push(Value::tuple(row));
    }
    Ok(Value::list(out))
}

/// `df.to_array("x")`: a numeric column as a lazy 1-d array (see [`column_array`]).
pub fn to_array(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let frame = receiver_frame(args);
    let name = args.str(0)?.to_string();
    frame.check_column(&name, args.spans[0])?;
    let column = Column {
        frame,
        expr: Expr::new(Node::Column(name), args.spans[0]),
    };
    column_array(interpreter, &column, args.call)
}

/// `frame({name: values, …})`: a computed frame from lists or 1-d arrays of equal length.
pub fn make_frame(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Value::Record(fields) = args.value(0).clone() else {
        return Err(args.wrong_type(0, "a record of columns, e.g. {x: [1, 2], y: arange(2.0)}"));
    };
    let mut columns = Vec::new();
    let mut schema = Vec::new();
    let mut length: Option<usize> = None;
    for (name, value) in fields.iter() {
        let bad = |what: &str| {
            args.rejected(
                "flow::check::argument_type",
                format!("column `{name}`: {what}"),
                0,
                "give each column as a list of numbers, strings or bools, or a 1-d array",
            )
        };
        // An array column: 1-d (known while checking), computed when run; a frame's column
        // as its array.
        let value = &columns_as_arrays(interpreter, value.clone(), args.spans[0])?;
        let array = match value {
            Value::Array(a) => Some(a.clone()),
            Value::Labelled(l) => Some(l.array.clone()),
            Value::Unknown(Type::Array) => return Ok(Value::Unknown(Type::Frame)),
            _ => None,
        };
        let value = match array {
            Some(a) if a.ndim() != 1 => return Err(bad("arrays must be 1-d")),
            Some(_) if interpreter.is_checking() => return Ok(Value::Unknown(Type::Frame)),
            Some(a) => interpreter.force_value(Value::Array(a))?,
            None => value.clone(),
        };
        let pname: polars::prelude::PlSmallStr = name.as_str().into();
        let (series, ty) = match &value {
            Value::Array(a) if a.ndim() == 1 => array_series(pname, a),
            Value::List(items) | Value::Tuple(items) => match list_series(pname, items) {
                Some(column) => column,
                None if value.is_unknown() => return Ok(Value::Unknown(Type::Frame)),
                None => {
                    return Err(bad(
                        "values of one kind (numbers, strings or bools) are needed",
                    ))
                }
            },
            other if other.is_unknown() => return Ok(Value::Unknown(Type::Frame)),
            other => return Err(bad(&format!("{} is not a column", other.type_name()))),
        };
        match length {
            Some(n) if n != series.len() => {
                return Err(bad(&format!(
                    "{} values where the other columns have {n}",
                    series.len()
                )))
            }
            _ => length = Some(series.len()),
        }
        schema.push((name.clone(), ty));
        columns.push(series.into());
    }
    let rows = polars::prelude::DataFrame::new_infer_height(columns).map_err(|e| {
        args.rejected(
            "flow::check::argument_value",
            e.to_string(),
            0,
            "columns of equal length",
        )
    })?;
    Ok(frame_value(Frame::of_rows(schema, rows, args.call)))
}

/// A computed 1-d array as a column: NaN, an array's missing value, is a frame's missing value
/// (as in pandas).
pub(super) fn array_series(
    name: polars::prelude::PlSmallStr,
    array: &crate::array::node::ArrayNode,
) -> (polars::prelude::Series, ColType) {
    use polars::prelude::{NamedFrom, Series};
    let data = array.whole().expect("computed");
    let values: Vec<f64> = data.to_f64().iter().copied().collect();
    match array.dtype {
        d if d.is_float() => {
            let values: Vec<Option<f64>> =
                values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect();
            (Series::new(name, values), ColType::Float)
        }
        crate::array::dtype::DType::Bool => {
            let values: Vec<bool> = values.iter().map(|v| *v != 0.0).collect();
            (Series::new(name, values), ColType::Bool)
        }
        _ => {
            let values: Vec<i64> = values.iter().map(|v| *v as i64).collect();
            (Series::new(name, values), ColType::Int)
        }
    }
}

/// A list of values of one kind (ints, numbers, bools or strings; `none` missing) as a column;
/// none for a list of mixed kinds.
fn list_series(
    name: polars::prelude::PlSmallStr,
    items: &[Value],
) -> Option<(polars::prelude::Series, ColType)> {
    use polars::prelude::{NamedFrom, Series};
    let all = |fits: fn(&Value) -> bool| items.iter().all(|v| fits(v) || matches!(v, Value::None));
    if all(|v| matches!(v, Value::Int(_))) {
        let values: Vec<Option<i64>> = items
            .iter()
            .map(|v| match v {
                Value::Int(i) => Some(*i),
                _ => None,
            })
            .collect();
        Some((Series::new(name, values), ColType::Int))
    } else if all(|v| matches!(v, Value::Int(_) | Value::Float(_))) {
        let values: Vec<Option<f64>> = items
            .iter()
            .map(|v| match v {
                Value::Int(i) => Some(*i as f64),
                Value::Float(f) => Some(*f),
                _ => None,
            })
            .collect();
        Some((Series::new(name, values), ColType::Float))
    } else if all(|v| matches!(v, Value::Bool(_))) {
        let values: Vec<Option<bool>> = items
            .iter()
            .map(|v| match v {
                Value::Bool(b) => Some(*b),
                _ => None,
            })
            .collect();
        Some((Series::new(name, values), ColType::Bool))
    } else if all(|v| matches!(v, Value::Str(_))) {
        let values: Vec<Option<String>> = items
            .iter()
            .map(|v| match v {
                Value::Str(s) => Some(s.to_string()),
                _ => None,
            })
            .collect();
        Some((Series::new(name, values), ColType::Str))
    } else {
        None
    }
}
