//! What a builtin is — its signature, summary, example and implementation — and how the
//! interpreter finds builtins: a [`Library`] of them is given to every interpreter. The table
//! itself (the language's builtin functions and methods) lives above the interpreter, in
//! `builtins`, and is the one table the REPL's `:help`, the docs and the example tests read.

use super::interpreter::{Eval, Interpreter};
use super::signature::{ParamSpec, Signature};
use super::value::{Type, Value};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span};
use std::sync::{Arc, OnceLock};

#[derive(Clone)]
pub struct Builtin {
    pub name: &'static str,
    /// For methods: the kind of value they are called on (`"str".upper()`).
    pub receiver: Option<Receiver>,
    /// Parameters as flow source, defaults included: `(start, stop=none, step=1)`.
    pub params: &'static str,
    pub category: &'static str,
    pub summary: &'static str,
    pub example: &'static str,
    /// What `flow -e EXAMPLE` prints.
    pub example_output: &'static str,
    /// The result type while checking, when an argument is not known yet.
    pub returns: Type,
    /// Has effects or must see unknown arguments itself (`print`, `error`, …).
    pub effects: bool,
    /// Waits on the outside world (`sleep`, file reads): user functions that call it run as
    /// parallel tasks.
    pub blocking: bool,
    pub run: fn(&mut Interpreter, &mut Args) -> Eval<Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    Str,
    Array,
    /// A labelled array or a dataset (`ds.adt.mean(dim="time")`, `ds.isel(time=0)`); array
    /// methods without a labelled version apply to a labelled array's values and keep the labels
    /// when the shape stays.
    Labelled,
    /// `x.weighted(w)`
    Weighted,
    /// `x.coarsen(lat=2)`
    Coarsen,
    /// `x.rolling(time=7)`
    Rolling,
    /// `x.groupby("time.month")`, `x.resample(time="MS")`
    Grouping,
    Frame,
    /// `df.groupby(keys)`
    GroupBy,
    /// A column expression (`col("x").mean()`), or a frame's column (`df.x.mean()`).
    Expr,
    /// A frame's column (`df.Origin.unique()`).
    Column,
    /// Any value (`x.compute()`).
    Any,
}

impl Builtin {
    pub fn qualified_name(&self) -> String {
        match self.receiver {
            Some(Receiver::Str) => format!("str.{}", self.name),
            Some(Receiver::Any) => format!("x.{}", self.name),
            Some(Receiver::Array) => format!("array.{}", self.name),
            Some(Receiver::Labelled) => format!("labelled.{}", self.name),
            Some(Receiver::Weighted) => format!("weighted.{}", self.name),
            Some(Receiver::Coarsen) => format!("coarsen.{}", self.name),
            Some(Receiver::Rolling) => format!("rolling.{}", self.name),
            Some(Receiver::Grouping) => format!("grouping.{}", self.name),
            Some(Receiver::Frame) => format!("frame.{}", self.name),
            Some(Receiver::GroupBy) => format!("groupby.{}", self.name),
            Some(Receiver::Expr) => format!("expr.{}", self.name),
            Some(Receiver::Column) => format!("column.{}", self.name),
            None => self.name.to_string(),
        }
    }

    pub fn signature_text(&self) -> String {
        format!("{}{}", self.qualified_name(), self.params)
    }
}

/// A builtin's bound arguments.
pub struct Args {
    pub receiver: Option<Value>,
    pub values: Vec<Value>,
    pub spans: Vec<Span>,
    /// The span of each keyword a `**` parameter collected.
    pub keyword_spans: Vec<(String, Span)>,
    pub call: Span,
    pub builtin: &'static Builtin,
    pub signature: &'static Signature,
}

impl Args {
    pub fn any_unknown(&self) -> bool {
        self.values.iter().any(Value::is_unknown)
            || self.receiver.as_ref().is_some_and(Value::is_unknown)
    }

    pub fn value(&self, index: usize) -> &Value {
        &self.values[index]
    }

    fn param_name(&self, index: usize) -> String {
        self.signature.params[index].name.clone()
    }

    /// A type error about argument `index`.
    pub fn wrong_type(&self, index: usize, expected: &str) -> Box<Diagnostic> {
        let value = &self.values[index];
        Box::new(
            Diagnostic::error(
                "flow::check::argument_type",
                format!(
                    "argument `{}` of `{}` must be {expected}, not {}",
                    self.param_name(index),
                    self.builtin.qualified_name(),
                    value.type_name()
                ),
                self.spans[index],
            )
            .with_label(format!("this is {}", value.type_name()))
            .with_help(format!("call it as {}", self.builtin.signature_text())),
        )
    }

    pub fn int(&self, index: usize) -> Eval<i64> {
        match &self.values[index] {
            Value::Int(i) => Ok(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(*f as i64),
            _ => Err(self.wrong_type(index, "an int")),
        }
    }

    pub fn float(&self, index: usize) -> Eval<f64> {
        match &self.values[index] {
            Value::Int(i) => Ok(*i as f64),
            Value::Float(f) => Ok(*f),
            _ => Err(self.wrong_type(index, "a number")),
        }
    }

    pub fn str(&self, index: usize) -> Eval<Arc<str>> {
        match &self.values[index] {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(self.wrong_type(index, "a str")),
        }
    }

    /// Names: none, one string, or a tuple or list of strings (`dim=`, `columns=`, `on=`).
    pub fn names(&self, index: usize, expected: &str) -> Eval<Option<Vec<String>>> {
        match &self.values[index] {
            Value::None => Ok(None),
            Value::Str(s) => Ok(Some(vec![s.to_string()])),
            Value::Tuple(items) | Value::List(items) => items
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Ok(s.to_string()),
                    _ => Err(self.wrong_type(index, expected)),
                })
                .collect::<Eval<Vec<_>>>()
                .map(Some),
            _ => Err(self.wrong_type(index, expected)),
        }
    }

    pub fn bool(&self, index: usize) -> Eval<bool> {
        match &self.values[index] {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.wrong_type(index, "a bool")),
        }
    }

    pub fn receiver_str(&self) -> Arc<str> {
        match &self.receiver {
            Some(Value::Str(s)) => s.clone(),
            _ => Arc::from(""),
        }
    }

    /// The items of an iterable argument.
    pub fn items(&self, interpreter: &mut Interpreter, index: usize) -> Eval<Vec<Value>> {
        match interpreter.iterate(&self.values[index], self.spans[index])? {
            Some(items) => Ok(items),
            None => Err(self.wrong_type(index, "a list, tuple or str")),
        }
    }

    /// `min(xs)` or `min(a, b, c)`: the items of a lone iterable argument, or the arguments.
    pub fn items_or_values(&self, interpreter: &mut Interpreter) -> Eval<Vec<Value>> {
        match &self.values[0] {
            Value::Tuple(values)
                if values.len() == 1
                    && matches!(values[0], Value::List(_) | Value::Tuple(_) | Value::Str(_)) =>
            {
                Ok(interpreter
                    .iterate(&values[0], self.spans[0])?
                    .unwrap_or_default())
            }
            Value::Tuple(values) => Ok(values.to_vec()),
            _ => Ok(vec![]),
        }
    }

    /// An argument that cannot be used, found while checking: the diagnostic points at it.
    pub fn rejected(
        &self,
        code: &'static str,
        message: String,
        index: usize,
        help: &str,
    ) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(code, message, self.spans[index])
                .with_label("here")
                .with_help(help.to_string()),
        )
    }

    /// The file named by argument `index` could not be written (`flow::output::write`).
    pub fn write_error(&self, index: usize, message: String) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(
                "flow::output::write",
                format!("cannot write `{}`: {message}", self.value(index).display()),
                self.spans[index],
            )
            .with_label("this file")
            .with_help("check that the directory exists and is writable")
            .in_phase(crate::diagnostic::Phase::Runtime),
        )
    }

    pub fn value_error(
        &self,
        interpreter: &mut Interpreter,
        code: &'static str,
        message: String,
        help: &str,
    ) -> Eval<Value> {
        interpreter.value_error(
            Diagnostic::error(code, message, self.call)
                .with_label("in this call")
                .with_help(help),
        )
    }
}

/// The builtins an interpreter knows.
pub struct Library {
    pub builtins: &'static [Builtin],
    /// Named constants: name, value, summary.
    pub constants: &'static [(&'static str, f64, &'static str)],
    /// Each builtin's parsed signature, by its place in `builtins` (parsed once).
    signatures: OnceLock<Vec<Signature>>,
}

impl Library {
    pub const fn new(
        builtins: &'static [Builtin],
        constants: &'static [(&'static str, f64, &'static str)],
    ) -> Library {
        Library {
            builtins,
            constants,
            signatures: OnceLock::new(),
        }
    }

    /// `random` and other namespaces of builtins (`random.normal`) as module values.
    pub fn namespace(&self, name: &str) -> Option<Value> {
        let prefix = format!("{name}.");
        let members: Vec<&'static Builtin> = self
            .builtins
            .iter()
            .filter(|b| b.receiver.is_none() && b.name.starts_with(&prefix))
            .collect();
        if members.is_empty() {
            return None;
        }
        let module = super::value::Module::new(name);
        for member in members {
            module.set(&member.name[prefix.len()..], Value::Builtin(member));
        }
        Some(Value::Module(module))
    }

    pub fn function(&self, name: &str) -> Option<&'static Builtin> {
        self.builtins
            .iter()
            .find(|b| b.receiver.is_none() && b.name == name)
    }

    pub fn constant(&self, name: &str) -> Option<Value> {
        self.constants
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, v, _)| Value::Float(*v))
    }

    /// Names of builtin functions and constants (what the name checker accepts).
    pub fn global_names(&self) -> impl Iterator<Item = &'static str> {
        self.builtins
            .iter()
            .filter(|b| b.receiver.is_none())
            // `random.normal` is reached through the name `random`.
            .map(|b| b.name.split('.').next().unwrap_or(b.name))
            .chain(self.constants.iter().map(|c| c.0))
    }

    /// The builtin method `name` of `value`: the one whose receiver fits it best.
    pub fn method(&self, value: &Value, name: &str) -> Option<&'static Builtin> {
        self.builtins
            .iter()
            .filter(|b| b.name == name)
            .filter_map(|b| Some((receiver_fit(b.receiver?, value), b)))
            .filter(|(fit, _)| *fit > 0)
            .max_by_key(|(fit, _)| *fit)
            .map(|(_, b)| b)
    }

    pub fn method_names(&self, value: &Value) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .builtins
            .iter()
            .filter(|b| b.receiver.is_some_and(|r| receiver_fit(r, value) > 0))
            .map(|b| b.name)
            .collect();
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(*n));
        names
    }

    /// The parsed signature of a builtin of this library (from its `params` text, once).
    pub fn signature(&'static self, builtin: &'static Builtin) -> &'static Signature {
        let signatures = self
            .signatures
            .get_or_init(|| self.builtins.iter().map(parse_params).collect());
        let index = self
            .builtins
            .iter()
            .position(|b| std::ptr::eq(b, builtin))
            .expect("builtin from the table");
        &signatures[index]
    }
}

/// How closely a method's receiver fits a value: 0 does not apply; higher wins (a labelled
/// array's own `mean` over the array one, that over `x.compute`).
fn receiver_fit(receiver: Receiver, value: &Value) -> u8 {
    match receiver {
        Receiver::Any => 1,
        Receiver::Str => 3 * matches!(value, Value::Str(_) | Value::Unknown(Type::Str)) as u8,
        Receiver::Array => match value {
            Value::Array(_) | Value::Unknown(Type::Array) => 3,
            Value::Labelled(_) => 2,
            _ => 0,
        },
        Receiver::Labelled => {
            3 * matches!(
                value,
                Value::Labelled(_) | Value::Dataset(_) | Value::Unknown(Type::Dataset)
            ) as u8
        }
        Receiver::Weighted => 3 * matches!(value, Value::Weighted(_)) as u8,
        Receiver::Coarsen => 3 * matches!(value, Value::Coarsen(_)) as u8,
        Receiver::Rolling => 3 * matches!(value, Value::Rolling(_)) as u8,
        Receiver::Grouping => 3 * matches!(value, Value::Grouping(_)) as u8,
        Receiver::Frame => 3 * matches!(value, Value::Frame(_) | Value::Unknown(Type::Frame)) as u8,
        Receiver::GroupBy => 3 * matches!(value, Value::GroupBy(_)) as u8,
        Receiver::Expr => match value {
            Value::Expr(_) => 3,
            Value::Column(_) => 2,
            _ => 0,
        },
        Receiver::Column => 3 * matches!(value, Value::Column(_)) as u8,
    }
}

fn parse_params(builtin: &Builtin) -> Signature {
    let inner = builtin
        .params
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')');
    let mut params = Vec::new();
    for part in split_top_level(inner) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if let Some(name) = part.strip_prefix("**") {
            params.push(ParamSpec {
                name: name.to_string(),
                default: None,
                variadic: false,
                keywords: true,
            });
        } else if let Some(name) = part.strip_prefix('*') {
            params.push(ParamSpec {
                name: name.to_string(),
                default: None,
                variadic: true,
                keywords: false,
            });
        } else if let Some((name, default)) = part.split_once('=') {
            let expr = crate::syntax::parse_expression(default, SourceId(0))
                .unwrap_or_else(|_| panic!("default of {} in the builtin table", builtin.name));
            let default = literal_value(&expr)
                .unwrap_or_else(|| panic!("literal default of {}", builtin.name));
            params.push(ParamSpec {
                name: name.trim().to_string(),
                default: Some(default),
                variadic: false,
                keywords: false,
            });
        } else {
            params.push(ParamSpec {
                name: part.to_string(),
                default: None,
                variadic: false,
                keywords: false,
            });
        }
    }
    Signature { params }
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut quote) = (0i32, 0, None);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The value of a literal expression (defaults in the builtin table).
fn literal_value(expr: &crate::syntax::ast::Expr) -> Option<Value> {
    use crate::syntax::ast::{ExprKind, UnaryOp};
    Some(match &expr.kind {
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::Str(s) => Value::str(s),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::None => Value::None,
        ExprKind::Tuple(items) => {
            Value::tuple(items.iter().map(literal_value).collect::<Option<_>>()?)
        }
        ExprKind::Unary {
            op: UnaryOp::Negate,
            operand,
        } => match literal_value(operand)? {
            Value::Int(i) => Value::Int(-i),
            Value::Float(f) => Value::Float(-f),
            _ => return None,
        },
        _ => return None,
    })
}
