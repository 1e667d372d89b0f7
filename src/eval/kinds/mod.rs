//! How each kind of lazy value takes part in the language's operations: a [`ValueKind`] says
//! what its values do with operators, members (`x.name`), items (`x[i]`) and conditions; the
//! interpreter asks a value's kind ([`kind_of`]) and knows no kind itself. A new kind of value
//! is a `Value` variant, a file here with its `ValueKind`, and a line in `kind_of`.

pub mod array;
pub mod dataset;
pub mod frame;

use super::builtin::{Args, Builtin};
use super::interpreter::{Eval, Interpreter};
use super::value::{Env, Type, Value};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Ident, Subscript, UnaryOp};

pub trait ValueKind: Sync {
    /// Which of two operands' kinds takes a binary operation: the higher (a frame's column
    /// over a column expression over a labelled array over an array).
    fn rank(&self) -> u8;

    /// `left op right`, one of which is of this kind.
    fn binary(
        &self,
        interpreter: &mut Interpreter,
        op: BinaryOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Eval<Value> {
        interpreter.plain_binary(op, &left, &right, span)
    }

    fn unary(
        &self,
        interpreter: &mut Interpreter,
        op: UnaryOp,
        value: Value,
        span: Span,
    ) -> Eval<Value> {
        interpreter.plain_unary(op, &value, span)
    }

    /// `value.name`: a member of the value, or a builtin method of its kind.
    fn attribute(&self, interpreter: &mut Interpreter, value: Value, name: &Ident) -> Eval<Value> {
        interpreter.method_or_error(value, name)
    }

    /// `value[subscripts]`.
    fn index(
        &self,
        interpreter: &mut Interpreter,
        value: Value,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        interpreter.plain_index(value, subscripts, span, env)
    }

    /// The value as a condition: `Some` when known, `None` when known only when run.
    fn condition(
        &self,
        _interpreter: &mut Interpreter,
        value: &Value,
        span: Span,
    ) -> Eval<Option<bool>> {
        Err(condition_error(value, span))
    }
}

/// The kind of a lazy value (none for plain values: numbers, strings, lists, records, …).
pub fn kind_of(value: &Value) -> Option<&'static dyn ValueKind> {
    Some(match value {
        Value::Array(_) | Value::Unknown(Type::Array) => &array::ArrayKind,
        Value::Labelled(_) => &dataset::LabelledKind,
        Value::Dataset(_) => &dataset::DatasetKind,
        Value::Grouping(_) => &dataset::GroupingKind,
        Value::Frame(_) => &frame::FrameKind,
        Value::GroupBy(_) => &frame::GroupByKind,
        Value::Expr(_) => &frame::ExprKind,
        Value::Column(_) => &frame::ColumnKind,
        _ => return None,
    })
}

/// What a builtin called with values unknown while checking gives: its declared result, but
/// an array where a builtin that also takes arrays (`any`, `sum`, `abs`, …) is given one (an
/// array of a length known only when run, as `x[x > 0]`).
pub fn unknown_result(builtin: &Builtin, args: &Args) -> Type {
    let array_given = args
        .receiver
        .iter()
        .chain(args.values.iter())
        .any(|v| matches!(v, Value::Unknown(Type::Array)));
    let scalar_result = matches!(
        builtin.returns,
        Type::Bool | Type::Int | Type::Float | Type::Any
    );
    if array_given && scalar_result && builtin.name != "len" && dataset::unwraps_labels(builtin) {
        Type::Array
    } else {
        builtin.returns.clone()
    }
}

/// `value[key]` with one key (a dataset's variable, a frame's column or rows, a grouping's
/// column): `item` is given the key's value; a key known only when run gives an unknown value of
/// `unknown`; anything else is plain indexing.
pub fn keyed_item(
    interpreter: &mut Interpreter,
    value: Value,
    subscripts: &[Subscript],
    (span, env): (Span, &Env),
    unknown: Type,
    item: impl FnOnce(&mut Interpreter, &Value, Value, Span) -> Eval<Value>,
) -> Eval<Value> {
    let [Subscript::Index(expr)] = subscripts else {
        return interpreter.plain_index(value, subscripts, span, env);
    };
    let key = interpreter.eval(expr, env)?;
    if key.is_unknown() {
        return Ok(Value::Unknown(unknown));
    }
    item(interpreter, &value, key, expr.span)
}

pub fn condition_error(value: &Value, span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "flow::check::condition_type",
            format!("a condition must be a bool, not {}", value.type_name()),
            span,
        )
        .with_label(format!("this is {}", value.type_name()))
        .with_help("compare explicitly, e.g. `n != 0` or `len(xs) > 0`"),
    )
}

/// A builtin call that lazy arguments change: an aggregation of a column (`mean("x")`), an
/// array function applied to labelled arrays' values with the labels kept (`cos(ds.adt)`), or
/// to a frame's column as an array (`histogram(df.x, …)`). `None`: the builtin runs as it is.
pub fn take_call(
    interpreter: &mut Interpreter,
    builtin: &'static Builtin,
    args: &mut Args,
) -> Option<Eval<Value>> {
    if args.receiver.is_none() {
        if let Some(aggregation) = frame::aggregation_call(builtin, args) {
            return Some(aggregation);
        }
    }
    let labelled_receiver = matches!(args.receiver, Some(Value::Labelled(_)))
        && builtin.receiver == Some(super::builtin::Receiver::Array);
    let unwraps = args.receiver.is_none() && dataset::unwraps_labels(builtin);
    if labelled_receiver || (unwraps && args.values.iter().any(|v| matches!(v, Value::Labelled(_))))
    {
        return Some(interpreter.call_with_labels(builtin, args));
    }
    if unwraps && builtin.name != "len" && args.values.iter().any(|v| matches!(v, Value::Column(_)))
    {
        // `histogram(df.x, …)`, `nanmean(df.x)`: a frame's column as an array.
        for (value, span) in args.values.iter_mut().zip(&args.spans) {
            let taken = std::mem::replace(value, Value::None);
            match frame::columns_as_arrays(interpreter, taken, *span) {
                Ok(array) => *value = array,
                Err(error) => return Some(Err(error)),
            }
        }
        if interpreter.is_checking() && !builtin.effects && args.any_unknown() {
            return Some(Ok(Value::Unknown(unknown_result(builtin, args))));
        }
    }
    None
}
