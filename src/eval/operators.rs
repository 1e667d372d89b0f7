//! Arithmetic, comparison and boolean operators on scalar and container values, and the types
//! they give when the checker does not know the values yet.

use super::value::{Type, Value};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use std::cmp::Ordering;
use std::sync::Arc;

/// Why an operator could not be applied.
pub struct OpError {
    pub code: &'static str,
    pub message: String,
    pub help: String,
    /// A type error is known from types alone (reported even in code that may not run); a value
    /// error depends on the values (division by zero, overflow).
    pub is_type_error: bool,
}

fn type_error(op: &str, lhs: &str, rhs: &str, help: &str) -> OpError {
    OpError {
        code: "flow::check::operand_types",
        message: format!("cannot apply `{op}` to {lhs} and {rhs}"),
        help: help.to_string(),
        is_type_error: true,
    }
}

fn value_error(code: &'static str, message: &str, help: &str) -> OpError {
    OpError {
        code,
        message: message.to_string(),
        help: help.to_string(),
        is_type_error: false,
    }
}

fn overflow() -> OpError {
    value_error(
        "flow::eval::overflow",
        "integer overflow",
        "use floats for values beyond ±9.2e18 (write `2.0 ** 70`)",
    )
}

fn division_by_zero() -> OpError {
    value_error(
        "flow::eval::division_by_zero",
        "division by zero",
        "check the divisor first: `if d == 0 then … else x / d`",
    )
}

fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn is_number(t: &Type) -> bool {
    matches!(t, Type::Int | Type::Float | Type::Any)
}

pub fn unary(op: UnaryOp, operand: &Value) -> Result<Value, OpError> {
    let bad = || OpError {
        code: "flow::check::operand_types",
        message: format!("cannot apply `{}` to {}", op.symbol(), operand.type_name()),
        help: match op {
            UnaryOp::Not => "`not` takes a bool; compare first, e.g. `not (n == 0)`".into(),
            UnaryOp::Invert => "`~` takes an int (bitwise not) or a bool".into(),
            _ => "only numbers can be negated".into(),
        },
        is_type_error: true,
    };
    match (op, operand) {
        (_, Value::Unknown(t)) => match (op, t) {
            (UnaryOp::Not, Type::Bool | Type::Any) => Ok(Value::Unknown(Type::Bool)),
            (UnaryOp::Invert, Type::Bool | Type::Int | Type::Any) => Ok(Value::Unknown(t.clone())),
            (UnaryOp::Negate | UnaryOp::Plus, t) if is_number(t) => Ok(Value::Unknown(t.clone())),
            _ => Err(bad()),
        },
        (UnaryOp::Negate, Value::Int(i)) => i.checked_neg().map(Value::Int).ok_or_else(overflow),
        (UnaryOp::Negate, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOp::Plus, Value::Int(_) | Value::Float(_)) => Ok(operand.clone()),
        (UnaryOp::Not | UnaryOp::Invert, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnaryOp::Invert, Value::Int(i)) => Ok(Value::Int(!i)),
        _ => Err(bad()),
    }
}

/// Apply a binary operator (`and`/`or` short-circuit in the interpreter, not here).
pub fn binary(op: BinaryOp, lhs: &Value, rhs: &Value) -> Result<Value, OpError> {
    if matches!(lhs, Value::Unknown(_)) || matches!(rhs, Value::Unknown(_)) {
        return binary_type(op, &lhs.type_of(), &rhs.type_of()).map(Value::Unknown);
    }
    use BinaryOp::*;
    let mismatch = |help: &str| type_error(op.symbol(), &lhs.type_name(), &rhs.type_name(), help);
    match op {
        Add | Subtract | Multiply | Divide | FloorDivide | Modulo | Power => arithmetic(op, lhs, rhs).unwrap_or_else(|| {
            Err(match (op, lhs, rhs) {
                (Add, Value::Str(_), _) | (Add, _, Value::Str(_)) => {
                    mismatch("convert first: `\"n = \" + str(n)`, or use an f-string: `f\"n = {n}\"`")
                }
                _ => mismatch("both sides must be numbers (or, for `+`, two strings, lists or tuples)"),
            })
        }),
        MatMul => Err(mismatch("`@` multiplies matrices: both sides must be 2-d arrays")),
        Equal => Ok(Value::Bool(equal(lhs, rhs))),
        NotEqual => Ok(Value::Bool(!equal(lhs, rhs))),
        Less | LessEqual | Greater | GreaterEqual => match compare(lhs, rhs) {
            Some(ordering) => Ok(Value::Bool(match op {
                Less => ordering == Ordering::Less,
                LessEqual => ordering != Ordering::Greater,
                Greater => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            })),
            None if (as_float(lhs).is_some_and(f64::is_nan) || as_float(rhs).is_some_and(f64::is_nan)) => Ok(Value::Bool(false)),
            None => Err(mismatch("only numbers with numbers, and strings, lists or tuples with their own kind, can be ordered")),
        },
        In | NotIn => {
            let found = contains(rhs, lhs).ok_or_else(|| mismatch("`in` looks in a list, tuple, string or record"))?;
            Ok(Value::Bool(found == (op == In)))
        }
        And | Or | Both | Either => match (lhs, rhs) {
            (Value::Bool(a), Value::Bool(b)) => Ok(Value::Bool(if matches!(op, And | Both) { *a && *b } else { *a || *b })),
            (Value::Int(a), Value::Int(b)) if matches!(op, Both | Either) => {
                Ok(Value::Int(if op == Both { a & b } else { a | b }))
            }
            _ => Err(mismatch("both sides must be bools; compare first, e.g. `n > 0 and n < 10`")),
        },
        Xor => match (lhs, rhs) {
            (Value::Bool(a), Value::Bool(b)) => Ok(Value::Bool(a != b)),
            (Value::Int(a), Value::Int(b)) => Ok(Value::Int(a ^ b)),
            _ => Err(mismatch("`^` is exclusive or of two bools or two ints (powers are `**`)")),
        },
        ShiftLeft | ShiftRight => match (lhs, rhs) {
            (Value::Int(_), Value::Int(b)) if *b < 0 => Err(value_error(
                "flow::eval::negative_shift",
                "a shift by a negative number of bits",
                "shift by 0 or more bits",
            )),
            (Value::Int(a), Value::Int(b)) => Ok(Value::Int(shift(*a, *b, op == ShiftLeft))),
            _ => Err(mismatch("shifts take two ints")),
        },
    }
}

/// `a << b` or `a >> b` within 64 bits, as NumPy's i64 (bits shifted past the left end are
/// lost; a shift by 64 or more leaves 0, or -1 for a negative number shifted right).
pub fn shift(a: i64, b: i64, left: bool) -> i64 {
    match (left, b >= 64) {
        (true, true) => 0,
        (true, false) => a.wrapping_shl(b as u32),
        (false, true) => {
            if a < 0 {
                -1
            } else {
                0
            }
        }
        (false, false) => a >> b,
    }
}

fn arithmetic(op: BinaryOp, lhs: &Value, rhs: &Value) -> Option<Result<Value, OpError>> {
    use BinaryOp::*;
    Some(match (lhs, rhs) {
        (Value::Int(a), Value::Int(b)) => integer_arithmetic(op, *a, *b),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            float_arithmetic(op, as_float(lhs)?, as_float(rhs)?)
        }
        (Value::Str(a), Value::Str(b)) if op == Add => Ok(Value::Str(Arc::from(format!("{a}{b}")))),
        (Value::List(a), Value::List(b)) if op == Add => {
            Ok(Value::list(a.iter().chain(b.iter()).cloned().collect()))
        }
        (Value::Tuple(a), Value::Tuple(b)) if op == Add => {
            Ok(Value::tuple(a.iter().chain(b.iter()).cloned().collect()))
        }
        (Value::Str(s), Value::Int(n)) | (Value::Int(n), Value::Str(s)) if op == Multiply => {
            repeat_count(*n, s.len()).map(|n| Value::Str(Arc::from(s.repeat(n))))
        }
        (Value::List(items), Value::Int(n)) | (Value::Int(n), Value::List(items))
            if op == Multiply =>
        {
            repeat_count(*n, items.len()).map(|n| {
                Value::list(
                    items
                        .iter()
                        .cloned()
                        .cycle()
                        .take(items.len() * n)
                        .collect(),
                )
            })
        }
        _ => return None,
    })
}

/// The bytes of the list or string `lhs op rhs` makes (`+` joining, `*` repeating) and what it
/// is; `None` for any other result, a number or a value no larger than its operands.
pub fn result_bytes(op: BinaryOp, lhs: &Value, rhs: &Value) -> Option<(usize, &'static str)> {
    let item = std::mem::size_of::<Value>();
    let times = |n: &i64| n.max(&0).unsigned_abs() as usize;
    Some(match (op, lhs, rhs) {
        (BinaryOp::Multiply, Value::List(items), Value::Int(n))
        | (BinaryOp::Multiply, Value::Int(n), Value::List(items)) => (
            times(n).saturating_mul(items.len() * item),
            "the repeated list",
        ),
        (BinaryOp::Multiply, Value::Str(s), Value::Int(n))
        | (BinaryOp::Multiply, Value::Int(n), Value::Str(s)) => {
            (times(n).saturating_mul(s.len()), "the repeated string")
        }
        (BinaryOp::Add, Value::List(a), Value::List(b)) => {
            ((a.len() + b.len()) * item, "the joined list")
        }
        (BinaryOp::Add, Value::Str(a), Value::Str(b)) => (a.len() + b.len(), "the joined string"),
        _ => return None,
    })
}

/// Refuses repetitions that would not fit in memory.
fn repeat_count(n: i64, item_len: usize) -> Result<usize, OpError> {
    let n = n.max(0) as usize;
    if n.saturating_mul(item_len.max(1)) > 1 << 32 {
        return Err(value_error(
            "flow::eval::too_large",
            "the repeated value would be too large",
            "repeat fewer times",
        ));
    }
    Ok(n)
}

fn integer_arithmetic(op: BinaryOp, a: i64, b: i64) -> Result<Value, OpError> {
    use BinaryOp::*;
    let result = match op {
        Add => a.checked_add(b),
        Subtract => a.checked_sub(b),
        Multiply => a.checked_mul(b),
        Divide => {
            if b == 0 {
                return Err(division_by_zero());
            }
            return Ok(Value::Float(a as f64 / b as f64));
        }
        FloorDivide | Modulo => {
            if b == 0 {
                return Err(division_by_zero());
            }
            let (q, r) = crate::kernels::arithmetic::floor_divmod_i64(a, b).ok_or_else(overflow)?;
            Some(if op == FloorDivide { q } else { r })
        }
        Power => {
            if b < 0 {
                return Ok(Value::Float((a as f64).powf(b as f64)));
            }
            u32::try_from(b).ok().and_then(|b| a.checked_pow(b))
        }
        _ => unreachable!("integer_arithmetic {op:?}"),
    };
    result.map(Value::Int).ok_or_else(overflow)
}

fn float_arithmetic(op: BinaryOp, a: f64, b: f64) -> Result<Value, OpError> {
    use BinaryOp::*;
    Ok(Value::Float(match op {
        Add => a + b,
        Subtract => a - b,
        Multiply => a * b,
        Divide | FloorDivide | Modulo if b == 0.0 => return Err(division_by_zero()),
        Divide => a / b,
        FloorDivide => crate::kernels::arithmetic::floor_divide_f64(a, b),
        Modulo => crate::kernels::arithmetic::modulo_f64(a, b),
        Power => a.powf(b),
        _ => unreachable!("float_arithmetic {op:?}"),
    }))
}

/// Structural equality; ints and floats compare by value.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            as_float(a) == as_float(b)
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) | (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        (Value::Record(x), Value::Record(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && equal(v, v2)))
        }
        (Value::Function(x), Value::Function(y)) => Arc::ptr_eq(x, y),
        (Value::Builtin(x), Value::Builtin(y)) => std::ptr::eq(*x, *y),
        (Value::Module(x), Value::Module(y)) => Arc::ptr_eq(x, y),
        (Value::Ellipsis, Value::Ellipsis) => true,
        _ => false,
    }
}

/// Ordering for `<` and friends, `sorted`, `min` and `max`; `None` when the values cannot be
/// ordered against each other.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            as_float(a)?.partial_cmp(&as_float(b)?)
        }
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Tuple(x), Value::Tuple(y)) | (Value::List(x), Value::List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                match compare(p, q)? {
                    Ordering::Equal => continue,
                    other => return Some(other),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => None,
    }
}

fn contains(container: &Value, item: &Value) -> Option<bool> {
    match container {
        Value::List(items) | Value::Tuple(items) => Some(items.iter().any(|i| equal(i, item))),
        Value::Str(text) => match item {
            Value::Str(needle) => Some(text.contains(&**needle)),
            _ => None,
        },
        Value::Record(fields) => match item {
            Value::Str(key) => Some(fields.iter().any(|(k, _)| **k == **key)),
            _ => None,
        },
        _ => None,
    }
}

/// The result type of `lhs op rhs` when at least one side is not known yet.
fn binary_type(op: BinaryOp, lhs: &Type, rhs: &Type) -> Result<Type, OpError> {
    use BinaryOp::*;
    let mismatch = |help: &str| Err(type_error(op.symbol(), &lhs.name(), &rhs.name(), help));
    let any = matches!(lhs, Type::Any) || matches!(rhs, Type::Any);
    match op {
        Add | Subtract | Multiply | Divide | FloorDivide | Modulo | Power => {
            if is_number(lhs) && is_number(rhs) {
                return Ok(match (op, lhs, rhs) {
                    (_, Type::Any, _) | (_, _, Type::Any) => Type::Any,
                    (Divide, _, _) => Type::Float,
                    (Power, Type::Int, Type::Int) => Type::Any,
                    (_, Type::Int, Type::Int) => Type::Int,
                    _ => Type::Float,
                });
            }
            if any {
                return Ok(Type::Any);
            }
            match (op, lhs, rhs) {
                (Add, Type::Str, Type::Str)
                | (Multiply, Type::Str, Type::Int)
                | (Multiply, Type::Int, Type::Str) => Ok(Type::Str),
                (Add, Type::List(a), Type::List(b)) => Ok(Type::List(Box::new(a.join(b)))),
                (Multiply, Type::List(a), Type::Int) | (Multiply, Type::Int, Type::List(a)) => {
                    Ok(Type::List(a.clone()))
                }
                (Add, Type::Tuple, Type::Tuple) => Ok(Type::Tuple),
                _ => mismatch(
                    "both sides must be numbers (or, for `+`, two strings, lists or tuples)",
                ),
            }
        }
        MatMul => {
            if any {
                Ok(Type::Any)
            } else {
                mismatch("`@` multiplies matrices: both sides must be 2-d arrays")
            }
        }
        Equal | NotEqual | In | NotIn => Ok(Type::Bool),
        Less | LessEqual | Greater | GreaterEqual => {
            let orderable = any
                || (is_number(lhs) && is_number(rhs))
                || lhs == rhs
                    && matches!(lhs, Type::Str | Type::Bool | Type::Tuple | Type::List(_));
            if orderable || matches!((lhs, rhs), (Type::List(_), Type::List(_))) {
                Ok(Type::Bool)
            } else {
                mismatch("only numbers with numbers, and strings, lists or tuples with their own kind, can be ordered")
            }
        }
        And | Or | Both | Either => {
            let boolish = |t: &Type| matches!(t, Type::Bool | Type::Any);
            if boolish(lhs) && boolish(rhs) {
                Ok(Type::Bool)
            } else if matches!(op, Both | Either)
                && matches!(lhs, Type::Int | Type::Any)
                && matches!(rhs, Type::Int | Type::Any)
            {
                Ok(Type::Int)
            } else {
                mismatch("both sides must be bools; compare first, e.g. `n > 0 and n < 10`")
            }
        }
        Xor => match (lhs, rhs) {
            (Type::Bool | Type::Any, Type::Bool | Type::Any) if lhs != &Type::Int => Ok(Type::Bool),
            (Type::Int | Type::Any, Type::Int | Type::Any) => Ok(Type::Int),
            _ => mismatch("`^` is exclusive or of two bools or two ints (powers are `**`)"),
        },
        ShiftLeft | ShiftRight => match (lhs, rhs) {
            (Type::Int | Type::Any, Type::Int | Type::Any) => Ok(Type::Int),
            _ => mismatch("shifts take two ints"),
        },
    }
}
