//! Runtime values, and the types the checker reasons with when a value is not known yet.

use super::builtin::Builtin;
use super::format::float_repr;
use super::signature::Signature;
use crate::array::node::ArrayRef;
use crate::syntax::ast::Function;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, RwLock};

#[derive(Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    Tuple(Arc<Vec<Value>>),
    List(Arc<Vec<Value>>),
    Record(Arc<Vec<(String, Value)>>),
    /// `...` in an index.
    Ellipsis,
    Function(Arc<Closure>),
    Builtin(&'static Builtin),
    /// `"a,b".split` before it is called: a builtin method with its receiver.
    Method(Arc<(Value, &'static Builtin)>),
    Module(Arc<Module>),
    /// Only while checking: a value whose type is known (or `Any`) but whose data is not, because
    /// it depends on data that is only read when the program runs.
    Unknown(Type),
    /// A lazy chunked array (or, once computed, one whose chunks are in memory).
    Array(ArrayRef),
    /// A call (or a value computed from one) that runs as a task when it is forced.
    Delayed(super::delayed::DelayedRef),
    /// A computation running in the background (`submit`).
    Job(Arc<super::jobs::Job>),
    /// A lazy array with named dimensions, coordinates and attributes.
    Labelled(Arc<crate::dataset::Labelled>),
    /// Named labelled arrays over shared dimensions (`open_mfdataset`).
    Dataset(Arc<crate::dataset::Dataset>),
    /// `x.weighted(w)`, waiting for its reduction (`.mean(dim)`, `.sum(dim)`).
    Weighted(Arc<(crate::dataset::Labelled, crate::dataset::Labelled)>),
    /// `x.coarsen(lat=2)`, waiting for its reduction (`.mean()`, `.max()`, …).
    Coarsen(Arc<crate::dataset::coarsen::Coarsen>),
    /// `x.rolling(time=7)`, waiting for its reduction.
    Rolling(Arc<crate::dataset::rolling::Rolling>),
    /// `x.groupby("time.month")`, `x.resample(time="MS")`, waiting for its reduction.
    Grouping(Arc<crate::dataset::groupby::Grouping>),
    /// `slice(start, stop, step)`, for selecting ranges by coordinate value or position.
    Slice(Arc<[Value; 3]>),
    /// A lazy (or computed) dataframe.
    Frame(Arc<crate::frame::Frame>),
    /// `df.groupby(keys)`, waiting for an aggregation.
    GroupBy(Arc<crate::frame::column::GroupBy>),
    /// A column expression: `col("x") > 20`, `mean("DepDelay")`.
    Expr(Arc<crate::frame::expr::Expr>),
    /// A frame's column, or an expression over it: `df.x`, `df["x"] > 20`, `df.x.max()`.
    Column(Arc<crate::frame::column::Column>),
}

/// What the checker knows about a value it cannot compute before running.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Any,
    None,
    Bool,
    Int,
    Float,
    Str,
    Tuple,
    List(Box<Type>),
    Record,
    Function,
    Module,
    Array,
    Dataset,
    Frame,
}

impl Type {
    pub fn name(&self) -> String {
        match self {
            Type::Any => "any".into(),
            Type::None => "none".into(),
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Str => "str".into(),
            Type::Tuple => "tuple".into(),
            Type::List(element) if **element == Type::Any => "list".into(),
            Type::List(element) => format!("list[{}]", element.name()),
            Type::Record => "record".into(),
            Type::Function => "function".into(),
            Type::Module => "module".into(),
            Type::Array => "array".into(),
            Type::Dataset => "dataset".into(),
            Type::Frame => "frame".into(),
        }
    }

    /// The type of a value that is one of `self` or `other`.
    pub fn join(&self, other: &Type) -> Type {
        match (self, other) {
            (a, b) if a == b => a.clone(),
            (Type::Int, Type::Float) | (Type::Float, Type::Int) => Type::Float,
            (Type::List(a), Type::List(b)) => Type::List(Box::new(a.join(b))),
            _ => Type::Any,
        }
    }
}

/// A user function (named or lambda) with the scope it was defined in. Defaults are evaluated
/// once, where the function is defined.
pub struct Closure {
    pub function: Arc<Function>,
    pub signature: Signature,
    pub env: Env,
}

impl Closure {
    pub fn name(&self) -> &str {
        self.function
            .name
            .as_ref()
            .map(|n| n.name.as_str())
            .unwrap_or("<lambda>")
    }
}

/// A module's global scope: the main script, a `use`d file or a stdlib module.
pub struct Module {
    pub name: String,
    pub globals: RwLock<HashMap<String, Value>>,
    /// Names in the order they were first bound, for listing.
    pub order: RwLock<Vec<String>>,
}

impl Module {
    pub fn new(name: impl Into<String>) -> Arc<Module> {
        Arc::new(Module {
            name: name.into(),
            globals: RwLock::new(HashMap::new()),
            order: RwLock::new(Vec::new()),
        })
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.globals.read().expect("module lock").get(name).cloned()
    }

    pub fn set(&self, name: &str, value: Value) {
        let mut globals = self.globals.write().expect("module lock");
        if globals.insert(name.to_string(), value).is_none() {
            self.order
                .write()
                .expect("module lock")
                .push(name.to_string());
        }
    }

    /// The bindings and their order, to put back with `restore`.
    pub fn snapshot(&self) -> (HashMap<String, Value>, Vec<String>) {
        (
            self.globals.read().expect("module lock").clone(),
            self.order.read().expect("module lock").clone(),
        )
    }

    pub fn restore(&self, (globals, order): (HashMap<String, Value>, Vec<String>)) {
        *self.globals.write().expect("module lock") = globals;
        *self.order.write().expect("module lock") = order;
    }

    pub fn names(&self) -> Vec<String> {
        self.order.read().expect("module lock").clone()
    }
}

/// Lexical environment: local bindings (an immutable linked list, cheap to capture) over the
/// module's globals, which are looked up when used, so functions may call functions defined
/// further down the file.
#[derive(Clone)]
pub struct Env {
    pub locals: Option<Arc<Local>>,
    pub module: Arc<Module>,
}

pub struct Local {
    pub name: String,
    pub value: Value,
    pub parent: Option<Arc<Local>>,
}

impl Env {
    pub fn global(module: Arc<Module>) -> Env {
        Env {
            locals: None,
            module,
        }
    }

    pub fn bind(&self, name: &str, value: Value) -> Env {
        Env {
            locals: Some(Arc::new(Local {
                name: name.to_string(),
                value,
                parent: self.locals.clone(),
            })),
            module: self.module.clone(),
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Value> {
        let mut local = self.locals.as_deref();
        while let Some(frame) = local {
            if frame.name == name {
                return Some(frame.value.clone());
            }
            local = frame.parent.as_deref();
        }
        self.module.get(name)
    }
}

impl Value {
    pub fn str(text: &str) -> Value {
        Value::Str(Arc::from(text))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Arc::new(items))
    }

    pub fn type_of(&self) -> Type {
        match self {
            Value::None => Type::None,
            Value::Bool(_) => Type::Bool,
            Value::Int(_) => Type::Int,
            Value::Float(_) => Type::Float,
            Value::Str(_) => Type::Str,
            Value::Tuple(_) => Type::Tuple,
            Value::List(items) => {
                let element = items
                    .iter()
                    .map(Value::type_of)
                    .reduce(|a, b| a.join(&b))
                    .unwrap_or(Type::Any);
                Type::List(Box::new(element))
            }
            Value::Record(_) => Type::Record,
            Value::Ellipsis => Type::Any,
            Value::Function(_) | Value::Builtin(_) | Value::Method(_) => Type::Function,
            Value::Module(_) => Type::Module,
            Value::Unknown(t) => t.clone(),
            Value::Array(_) | Value::Labelled(_) => Type::Array,
            Value::Dataset(_) => Type::Dataset,
            Value::Frame(_) => Type::Frame,
            Value::GroupBy(_) | Value::Expr(_) | Value::Column(_) => Type::Any,
            Value::Delayed(_)
            | Value::Job(_)
            | Value::Weighted(_)
            | Value::Coarsen(_)
            | Value::Rolling(_)
            | Value::Grouping(_)
            | Value::Slice(_) => Type::Any,
        }
    }

    /// The name of the value's type, as diagnostics say it.
    pub fn type_name(&self) -> String {
        match self {
            Value::List(_) => "list".into(),
            Value::Ellipsis => "ellipsis".into(),
            Value::Delayed(_) => "delayed".into(),
            Value::Job(_) => "job".into(),
            Value::Weighted(_) => "weighted array".into(),
            Value::Coarsen(_) => "coarsened array".into(),
            Value::Labelled(_) => "labelled array".into(),
            Value::Rolling(_) => "rolling window".into(),
            Value::Grouping(_) => "grouping".into(),
            Value::Slice(_) => "slice".into(),
            Value::GroupBy(_) => "grouped frame".into(),
            Value::Expr(_) => "column expression".into(),
            Value::Column(_) => "frame column".into(),
            other => other.type_of().name(),
        }
    }

    /// Is anything in this value unknown until run time?
    pub fn is_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::Tuple(items) | Value::List(items) => items.iter().any(Value::is_unknown),
            Value::Record(fields) => fields.iter().any(|(_, v)| v.is_unknown()),
            _ => false,
        }
    }

    /// The text `print` shows: strings without quotes, everything else as [`Value::repr`].
    pub fn display(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            other => other.repr(),
        }
    }

    /// The text the REPL shows for a value, and `print` for values inside containers.
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            Value::None => out.push_str("none"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => out.push_str(&quote(s)),
            Value::Tuple(items) => {
                out.push('(');
                write_items(out, items);
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Value::List(items) => {
                out.push('[');
                write_items(out, items);
                out.push(']');
            }
            Value::Record(fields) => {
                out.push('{');
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if is_plain_name(name) {
                        out.push_str(name);
                    } else {
                        out.push_str(&quote(name));
                    }
                    out.push_str(": ");
                    value.write_repr(out);
                }
                out.push('}');
            }
            Value::Ellipsis => out.push_str("..."),
            Value::Function(closure) => {
                let _ = write!(out, "<fn {}>", closure.name());
            }
            Value::Builtin(builtin) => {
                let _ = write!(out, "<builtin {}>", builtin.name);
            }
            Value::Method(method) => {
                let _ = write!(out, "<method {}.{}>", method.0.type_name(), method.1.name);
            }
            Value::Module(module) => {
                let _ = write!(out, "<module {}>", module.name);
            }
            Value::Unknown(t) => {
                let _ = write!(out, "<{} known at run time>", t.name());
            }
            Value::Job(job) => {
                let _ = write!(out, "<job {}: {}>", job.number, job.status());
            }
            Value::Delayed(node) => {
                let _ = write!(out, "<delayed {} · lazy>", node.op.label());
            }
            Value::Labelled(l) => out.push_str(&crate::dataset::display::labelled(l)),
            Value::Dataset(ds) => out.push_str(&crate::dataset::display::dataset(ds)),
            Value::Rolling(r) => {
                let _ = write!(out, "<rolling {}>", r.describe());
            }
            Value::Grouping(g) => {
                let _ = write!(out, "<groupby {}>", g.describe());
            }
            Value::Coarsen(c) => {
                let windows: Vec<String> =
                    c.windows.iter().map(|(d, w)| format!("{d}: {w}")).collect();
                let _ = write!(out, "<coarsen by {{{}}}>", windows.join(", "));
            }
            Value::Weighted(w) => {
                let _ = write!(
                    out,
                    "<weighted {} by {}>",
                    crate::dataset::display::type_text(&w.0),
                    crate::dataset::display::type_text(&w.1)
                );
            }
            Value::Frame(frame) => match &frame.computed {
                Some(rows) => {
                    let _ = write!(out, "{rows}");
                }
                None => out.push_str(&frame.summary()),
            },
            Value::GroupBy(group) => {
                let keys: Vec<&str> = group.keys.iter().map(|(k, _)| k.as_str()).collect();
                let _ = write!(
                    out,
                    "<{} grouped by {}>",
                    group.frame.summary(),
                    keys.join(", ")
                );
            }
            Value::Expr(e) => out.push_str(&e.text()),
            Value::Column(c) => out.push_str(&c.summary()),
            Value::Slice(parts) => {
                out.push_str("slice(");
                write_items(out, &parts[..]);
                out.push(')');
            }
            Value::Array(array) => match array.whole() {
                Some(data) => out.push_str(&crate::kernels::print::format_chunk(&data)),
                None => out.push_str(&array.summary()),
            },
        }
    }
}

fn write_items(out: &mut String, items: &[Value]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.write_repr(out);
    }
}

fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

pub use crate::text::quote;
