//! How frames, their columns, column expressions and groupings take part in the language:
//! operators on column expressions (`df.x > 20`), members (`df.x`, `df.groupby(…).DepDelay`),
//! items (`df["x"]`, `df[df.x > 20]`), computing them (their rows, their counts), and a frame's
//! column used where an array is wanted.

use super::ValueKind;
use crate::diagnostic::{Diagnostic, Phase};
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::value::{Env, Type, Value};
use crate::frame::column::{Column, GroupBy};
use crate::frame::expr::{Agg, Expr, Literal, Node};
use crate::frame::{ColType, Frame};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Ident, Subscript, UnaryOp};
use std::sync::Arc;

/// The column `expr` of `frame`, checked against the frame's schema (an unknown column or a
/// type error is found before anything runs).
pub fn column_value(frame: &Arc<Frame>, expr: Arc<Expr>) -> Eval<Value> {
    expr.check(&frame.schema)?;
    Ok(Value::Column(Arc::new(Column {
        frame: frame.clone(),
        expr,
    })))
}

/// The expression of a column expression or of a frame's column.
pub fn expr_of(value: &Value) -> Option<&Arc<Expr>> {
    match value {
        Value::Expr(e) => Some(e),
        Value::Column(c) => Some(&c.expr),
        _ => None,
    }
}

pub fn frame_value(frame: Frame) -> Value {
    Value::Frame(Arc::new(frame))
}

// ------------------------------------------------------------------------------- expressions

/// A value as part of a column expression: an expression, a column name where a column is
/// meant, or a literal.
pub fn as_expr(value: &Value, span: Span) -> Option<Arc<Expr>> {
    let literal = match value {
        Value::Expr(_) | Value::Column(_) => return expr_of(value).cloned(),
        Value::Int(i) => Literal::Int(*i),
        Value::Float(f) => Literal::Float(*f),
        Value::Bool(b) => Literal::Bool(*b),
        Value::Str(s) => Literal::Str(s.to_string()),
        _ => return None,
    };
    Some(Expr::new(Node::Literal(literal), span))
}

pub fn index_error(value: &Value, span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "flow::check::index_type",
            format!("cannot index a frame with {}", value.type_name()),
            span,
        )
        .with_label("not a column name or a condition")
        .with_help("df[\"col\"], df[[\"a\", \"b\"]] or df[col(\"x\") > 20]"),
    )
}

/// A frame that failed to compute (a value that does not parse as its column's type, a file
/// changed or damaged since it was checked).
pub fn frame_failure(message: &str, span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "flow::eval::frame_error",
            format!("computing the frame failed: {}", message.trim()),
            span,
        )
        .with_label("in the computation of this")
        .with_help(if message.contains("more fields than") {
            "a row with more fields than the header: fix the file, or give the right separator"
        } else if message.contains("not UTF-8") {
            "flow reads CSV text as UTF-8: convert the file first (e.g. iconv -f latin1 -t utf-8)"
        } else if message.contains("CSV malformed") {
            "the file's quotes do not parse as CSV: a quote inside an unquoted field (12\") or a quoted field never closed; quote such fields whole (\"12\"\"\"), or fix the file"
        } else if message.contains("could not parse") {
            "a value that does not fit its column's type: read the column as text (dtypes={col: \"str\"}) or list the value in null_values"
        } else {
            "the file may have changed or been damaged since the script was checked"
        })
        .in_phase(Phase::Runtime),
    )
}

pub const FRAME_PROPERTIES: &[&str] = &["columns", "schema", "dtypes", "partitions"];

/// `mean("DepDelay")`: an aggregation of a column, for `agg` and `select`; `None` when the
/// builtin is called with something else (an array: the array reduction).
pub fn aggregation_call(
    builtin: &crate::eval::builtin::Builtin,
    args: &Args,
) -> Option<Eval<Value>> {
    let agg = Agg::from_name(builtin.name)?;
    let first = args.values.first()?;
    let first = match first {
        Value::Tuple(items) if items.len() == 1 => &items[0],
        other => other,
    };
    let column = match first {
        Value::Str(name) => Expr::new(Node::Column(name.to_string()), args.spans[0]),
        other => expr_of(other)?.clone(),
    };
    let aggregated = Expr::new(Node::Agg(agg, column), args.call);
    Some(match first {
        Value::Column(c) => column_value(&c.frame, aggregated),
        _ => Ok(Value::Expr(aggregated)),
    })
}

/// The frames in a value (top level and inside tuples and lists), named for graphs.
pub fn frames_in(value: &Value) -> Vec<(String, crate::frame::plan::PlanRef)> {
    let mut out = Vec::new();
    let mut stack = vec![value.clone()];
    while let Some(v) = stack.pop() {
        match v {
            Value::Frame(f) => out.push((format!("frame {}", out.len() + 1), f.plan.clone())),
            Value::Tuple(items) | Value::List(items) => stack.extend(items.iter().rev().cloned()),
            _ => {}
        }
    }
    out
}

/// Compute the frames in a value (printing, `compute`): top level and inside tuples and lists.
pub fn force_frames(interpreter: &mut Interpreter, value: Value) -> Eval<Value> {
    Ok(match value {
        Value::Frame(f) if f.computed.is_none() => frame_value(interpreter.compute_frame(&f)?),
        // A column's values: a one-column frame, or the number an aggregation makes.
        Value::Column(c) => {
            let values = interpreter.compute_frame(&c.values()?)?;
            match (c.expr.is_aggregation(), &values.computed) {
                (true, Some(rows)) if rows.height() == 1 => {
                    any_value(rows.columns()[0].get(0).expect("one row"))
                }
                _ => frame_value(values),
            }
        }
        Value::Tuple(items) => Value::tuple(
            items
                .iter()
                .map(|v| force_frames(interpreter, v.clone()))
                .collect::<Eval<Vec<_>>>()?,
        ),
        Value::List(items) => Value::list(
            items
                .iter()
                .map(|v| force_frames(interpreter, v.clone()))
                .collect::<Eval<Vec<_>>>()?,
        ),
        other => other,
    })
}

pub fn any_value(value: polars::prelude::AnyValue) -> Value {
    use polars::prelude::AnyValue as A;
    match value {
        A::Null => Value::None,
        A::Boolean(b) => Value::Bool(b),
        A::Int8(i) => Value::Int(i.into()),
        A::Int16(i) => Value::Int(i.into()),
        A::Int32(i) => Value::Int(i.into()),
        A::Int64(i) => Value::Int(i),
        A::UInt8(i) => Value::Int(i.into()),
        A::UInt16(i) => Value::Int(i.into()),
        A::UInt32(i) => Value::Int(i.into()),
        A::UInt64(i) => Value::Int(i as i64),
        A::Float32(f) => Value::Float(f.into()),
        A::Float64(f) => Value::Float(f),
        A::String(s) => Value::str(s),
        A::StringOwned(s) => Value::str(s.as_str()),
        other => Value::str(&other.to_string()),
    }
}

/// A column's values as a lazy array: 1-d with one chunk per partition that has rows (the rows
/// are counted when the array is made, as an array's chunks are known before it computes), or
/// 0-d when the column is aggregated (`df.x.max()`). Missing values become NaN; only numbers
/// and bools make arrays.
pub fn column_array(interpreter: &mut Interpreter, column: &Column, span: Span) -> Eval<Value> {
    let ty = column.expr.check(&column.frame.schema)?;
    if !matches!(ty, ColType::Int | ColType::Float | ColType::Bool) {
        return Err(Box::new(
            Diagnostic::error(
                "flow::check::column_type",
                format!("{} holds {}, not numbers", column.describe(), ty.describe()),
                column.expr.span,
            )
            .with_label("used as an array here")
            .with_help("arrays hold numbers and bools; text stays in frames (print it, select it, group by it)"),
        ));
    }
    if interpreter.is_checking() {
        return Ok(Value::Unknown(Type::Array));
    }
    let values = column.values()?.column_values(&column.expr.output_name());
    let aggregated = column.expr.is_aggregation();
    let lengths = if aggregated {
        vec![1]
    } else {
        let _ = interpreter.flush_output();
        let counted = crate::runtime::compute_partitions(
            &values.partition_counts().plan,
            interpreter.compute_options.clone(),
        );
        let counts = interpreter.frame_outcome(counted, column.frame.span)?;
        counts.iter().map(crate::frame::count_in).collect()
    };
    let parts: Vec<usize> = (0..lengths.len()).filter(|&k| lengths[k] > 0).collect();
    let sizes: Vec<usize> = parts.iter().map(|&k| lengths[k]).collect();
    let shape = vec![sizes.iter().sum::<usize>()];
    use crate::array::node::{ArrayNode, ArrayOp};
    let (op, chunks) = if parts.is_empty() {
        let empty =
            crate::array::chunk::ChunkData::F64(ndarray::ArrayD::zeros(ndarray::IxDyn(&[0])));
        (
            ArrayOp::Data(crate::array::node::Stored::of_values(vec![empty])),
            crate::array::chunks::Chunks(vec![vec![0]]),
        )
    } else {
        (
            ArrayOp::FrameColumn {
                plan: values.plan.clone(),
                parts,
            },
            crate::array::chunks::Chunks(vec![sizes]),
        )
    };
    let array = ArrayNode::new(op, crate::array::dtype::DType::F64, shape, chunks, span);
    match aggregated {
        // The one value of a one-row column.
        true => crate::array::build::slice(&array, &[crate::array::build::IndexItem::Int(0)], span)
            .map(Value::Array),
        false => Ok(Value::Array(array)),
    }
}

/// A value with its frame columns made arrays (for array operations and functions).
pub fn columns_as_arrays(interpreter: &mut Interpreter, value: Value, span: Span) -> Eval<Value> {
    match value {
        Value::Column(c) => column_array(interpreter, &c, span),
        other => Ok(other),
    }
}
impl Interpreter {
    /// `a op b` where a side is a column expression.
    pub fn expr_binary(
        &mut self,
        op: crate::syntax::ast::BinaryOp,
        lhs: Value,
        rhs: Value,
        span: Span,
    ) -> Eval<Value> {
        if !crate::frame::expr::supported(op) {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::operand_types",
                    format!("`{}` does not apply to column expressions", op.symbol()),
                    span,
                )
                .with_label("column expression")
                .with_help("columns take + - * / comparisons and & | (conditions)"),
            ));
        }
        let (Some(a), Some(b)) = (as_expr(&lhs, span), as_expr(&rhs, span)) else {
            let other = if expr_of(&lhs).is_some() { &rhs } else { &lhs };
            if other.is_unknown() {
                return Ok(Value::Unknown(Type::Any));
            }
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::operand_types",
                    format!(
                        "cannot combine a column expression with {}",
                        other.type_name()
                    ),
                    span,
                )
                .with_label("here")
                .with_help("columns combine with columns, numbers, strings and bools"),
            ));
        };
        let expr = Expr::new(Node::Binary(op, a, b), span);
        let frames: Vec<&Arc<Frame>> = [&lhs, &rhs]
            .into_iter()
            .filter_map(|v| match v {
                Value::Column(c) => Some(&c.frame),
                _ => None,
            })
            .collect();
        match frames[..] {
            [] => Ok(Value::Expr(expr)),
            [frame] => column_value(frame, expr),
            [f, g] if Arc::ptr_eq(f, g) || f.plan.id == g.plan.id => column_value(f, expr),
            _ => Err(Box::new(
                Diagnostic::error(
                    "flow::check::operand_types",
                    "these columns belong to different frames".to_string(),
                    span,
                )
                .with_label("columns of two frames")
                .with_help("join the frames first (a.join(b, on=…)), then combine their columns"),
            )),
        }
    }

    pub fn expr_unary(
        &mut self,
        op: crate::syntax::ast::UnaryOp,
        e: &Arc<Expr>,
        span: Span,
    ) -> Eval<Value> {
        use crate::syntax::ast::UnaryOp as U;
        Ok(Value::Expr(match op {
            U::Plus => return Ok(Value::Expr(e.clone())),
            U::Negate => Expr::new(Node::Negate(e.clone()), span),
            // A condition's `~` is its negation (pandas' `~mask`).
            U::Not | U::Invert => Expr::new(Node::Not(e.clone()), span),
        }))
    }

    /// `df.name`: a column as an expression, or a property of the frame.
    pub fn frame_member(&mut self, frame: &Arc<Frame>, name: &str, span: Span) -> Eval<Value> {
        if frame.column_type(name).is_some() {
            return column_value(frame, Expr::new(Node::Column(name.to_string()), span));
        }
        match name {
            "columns" => {
                return Ok(Value::list(
                    frame.schema.iter().map(|(n, _)| Value::str(n)).collect(),
                ))
            }
            "schema" | "dtypes" => {
                return Ok(Value::Record(Arc::new(
                    frame
                        .schema
                        .iter()
                        .map(|(n, t)| (n.clone(), Value::str(t.name())))
                        .collect(),
                )))
            }
            "partitions" => return Ok(Value::Int(frame.partitions() as i64)),
            _ => {}
        }
        let value = Value::Frame(frame.clone());
        if let Some(method) = self.library.method(&value, name) {
            return Ok(Value::Method(Arc::new((value, method))));
        }
        let methods = self.library.method_names(&value);
        let candidates: Vec<&str> = frame
            .schema
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(methods.iter().copied())
            .chain(FRAME_PROPERTIES.iter().copied())
            .collect();
        Err(Box::new(
            Diagnostic::error(
                "flow::check::unknown_column",
                format!("the frame has no column, method or property `{name}`"),
                span,
            )
            .with_label("not a column")
            .with_help(crate::text::did_you_mean(
                name,
                candidates.iter().copied(),
                "columns, methods and properties",
            )),
        ))
    }

    /// `df["col"]` (a column), `df[["a", "b"]]` (those columns), `df[condition]` (the rows
    /// where it holds).
    pub fn frame_item(&mut self, frame: &Arc<Frame>, key: &Value, span: Span) -> Eval<Value> {
        match key {
            Value::Str(name) => {
                frame.check_column(name, span)?;
                column_value(frame, Expr::new(Node::Column(name.to_string()), span))
            }
            Value::List(items) => {
                let exprs = items
                    .iter()
                    .map(|v| match v {
                        Value::Str(n) => Ok(Expr::new(Node::Column(n.to_string()), span)),
                        other => Err(index_error(other, span)),
                    })
                    .collect::<Eval<Vec<_>>>()?;
                frame.select(&exprs).map(frame_value)
            }
            other => match expr_of(other) {
                Some(condition) => frame.filter(condition).map(frame_value),
                None => Err(index_error(other, span)),
            },
        }
    }

    /// `df.groupby("k")["col"]` and `.col`.
    pub fn groupby_member(&mut self, group: &Arc<GroupBy>, name: &str, span: Span) -> Eval<Value> {
        let value = Value::GroupBy(group.clone());
        if let Some(method) = self.library.method(&value, name) {
            return Ok(Value::Method(Arc::new((value, method))));
        }
        group.frame.check_column(name, span)?;
        Ok(Value::GroupBy(Arc::new(GroupBy {
            frame: group.frame.clone(),
            keys: group.keys.clone(),
            column: Some((name.to_string(), span)),
            dropna: group.dropna,
        })))
    }

    /// Compute a frame: its rows in memory (runtime errors name the span that made it).
    pub fn compute_frame(&mut self, frame: &Frame) -> Eval<Frame> {
        self.frame_rows(frame).map(|rows| frame.with_rows(rows))
    }

    /// The rows of a frame, computed by its tasks (or as they were computed).
    pub fn frame_rows(&mut self, frame: &Frame) -> Eval<polars::prelude::DataFrame> {
        let _ = self.flush_output();
        if let Some(rows) = &frame.computed {
            return Ok(rows.frame().clone());
        }
        let computed = crate::runtime::compute_frame(&frame.plan, self.compute_options.clone());
        self.frame_outcome(computed, frame.span)
    }

    /// What a frame computation gives, its figures added to the session's; a failure said as a
    /// diagnostic at `span`.
    pub fn frame_outcome<T>(
        &mut self,
        outcome: Result<
            (T, crate::runtime::executor::Statistics),
            crate::runtime::executor::RuntimeError,
        >,
        span: Span,
    ) -> Eval<T> {
        match outcome {
            Ok((value, statistics)) => {
                self.statistics.add(&statistics);
                Ok(value)
            }
            Err(error) if error.cause == crate::runtime::executor::Cause::Interrupted => {
                Err(crate::eval::jobs::interrupted(span))
            }
            Err(error) => Err(frame_failure(&error.message, span)),
        }
    }
}

/// Frames.
pub struct FrameKind;

impl ValueKind for FrameKind {
    fn rank(&self) -> u8 {
        1
    }

    fn attribute(&self, interpreter: &mut Interpreter, value: Value, name: &Ident) -> Eval<Value> {
        let Value::Frame(frame) = &value else {
            unreachable!("frames only")
        };
        interpreter.frame_member(frame, &name.name, name.span)
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
            Value::Frame(frame) => interpreter.frame_item(frame, &key, span),
            _ => unreachable!("frames only"),
        };
        super::keyed_item(interpreter, value, subscripts, (span, env), Type::Any, item)
    }
}

/// `df.groupby(keys)`, waiting for its aggregation.
pub struct GroupByKind;

impl ValueKind for GroupByKind {
    fn rank(&self) -> u8 {
        1
    }

    fn attribute(&self, interpreter: &mut Interpreter, value: Value, name: &Ident) -> Eval<Value> {
        let Value::GroupBy(group) = &value else {
            unreachable!("groupings only")
        };
        interpreter.groupby_member(group, &name.name, name.span)
    }

    fn index(
        &self,
        interpreter: &mut Interpreter,
        value: Value,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        let item = |interpreter: &mut Interpreter, value: &Value, key: Value, span| {
            let Value::GroupBy(group) = value else {
                unreachable!("groupings only")
            };
            match key {
                Value::Str(name) => interpreter.groupby_member(group, &name, span),
                other => Err(Box::new(
                    Diagnostic::error(
                        "flow::check::index_type",
                        format!(
                            "a grouping is indexed by a column name, not {}",
                            other.type_name()
                        ),
                        span,
                    )
                    .with_label("not a column name")
                    .with_help("df.groupby(\"code\")[\"rain\"].max()"),
                )),
            }
        };
        super::keyed_item(interpreter, value, subscripts, (span, env), Type::Any, item)
    }
}

/// Column expressions (`col("x") > 20`).
pub struct ExprKind;

impl ValueKind for ExprKind {
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
        interpreter.expr_binary(op, left, right, span)
    }

    fn unary(
        &self,
        interpreter: &mut Interpreter,
        op: UnaryOp,
        value: Value,
        span: Span,
    ) -> Eval<Value> {
        let Value::Expr(e) = value else {
            unreachable!("expressions only")
        };
        interpreter.expr_unary(op, &e, span)
    }
}

/// A frame's column (`df.x`), and expressions over it.
pub struct ColumnKind;

impl ValueKind for ColumnKind {
    fn rank(&self) -> u8 {
        5
    }

    fn binary(
        &self,
        interpreter: &mut Interpreter,
        op: BinaryOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Eval<Value> {
        let is_array = |v: &Value| {
            matches!(
                v,
                Value::Array(_) | Value::Labelled(_) | Value::Unknown(Type::Array)
            )
        };
        if is_array(&left) || is_array(&right) {
            // A frame's column beside an array is the column's values as an array.
            let left = columns_as_arrays(interpreter, left, span)?;
            let right = columns_as_arrays(interpreter, right, span)?;
            return interpreter.apply_binary(op, left, right, span);
        }
        interpreter.expr_binary(op, left, right, span)
    }

    fn unary(
        &self,
        interpreter: &mut Interpreter,
        op: UnaryOp,
        value: Value,
        span: Span,
    ) -> Eval<Value> {
        let Value::Column(c) = value else {
            unreachable!("columns only")
        };
        match interpreter.expr_unary(op, &c.expr, span)? {
            Value::Expr(e) => column_value(&c.frame, e),
            other => Ok(other),
        }
    }

    fn attribute(&self, interpreter: &mut Interpreter, value: Value, name: &Ident) -> Eval<Value> {
        let Value::Column(column) = &value else {
            unreachable!("columns only")
        };
        if interpreter.library.method(&value, &name.name).is_some() {
            return interpreter.method_or_error(value, name);
        }
        let column = column.clone();

        // Other members are those of the column's values: as a one-column frame
        // (`df.x.head(3)`, `df.x.rows()`), else as an array (`df.x.chunks`).
        let values = Value::Frame(Arc::new(column.values()?));
        if let Some(method) = interpreter.library.method(&values, &name.name) {
            return Ok(Value::Method(Arc::new((values, method))));
        }
        let array = column_array(interpreter, &column, name.span)?;
        interpreter.attribute(array, name)
    }

    fn condition(
        &self,
        interpreter: &mut Interpreter,
        value: &Value,
        span: Span,
    ) -> Eval<Option<bool>> {
        // `if df.x.max() > 100`: decided by the column's value when it is computed.
        if interpreter.is_checking() {
            return Ok(None);
        }
        let value = force_frames(interpreter, value.clone())?;
        interpreter.condition(&value, span)
    }
}
