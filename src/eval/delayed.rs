//! Delayed values: calls that become tasks. When the program runs, a call of a user function
//! that waits on the outside world (it calls `sleep` or reads files, directly or through other
//! functions), or whose arguments are themselves delayed, does not run at once: it becomes a node
//! of a graph, and so does everything computed from it. Forcing (`print`, `compute`) runs the
//! graph, independent calls in parallel. While checking, calls run as usual (nothing waits), so
//! their mistakes are found before anything runs.

use super::builtin::Library;
use super::interpreter::{Eval, Interpreter, Mode};
use super::signature::ArgumentValue;
use super::value::{Closure, Env, Value};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Function, StatementKind, UnaryOp};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub type DelayedRef = Arc<DelayedNode>;

#[derive(Debug)]
pub struct DelayedNode {
    pub id: u64,
    pub op: DelayedOp,
    /// The source that made it: errors while computing it point here.
    pub span: Span,
}

/// A delayed call is what a `from_delayed` chunk waits for.
impl crate::array::node::PendingCall for DelayedNode {
    fn id(&self) -> u64 {
        self.id
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync> {
        self
    }
}

pub enum DelayedOp {
    Call {
        function: Value,
        args: Vec<ArgumentValue>,
        callee_span: Span,
    },
    Binary {
        op: BinaryOp,
        lhs: Value,
        rhs: Value,
    },
    Unary {
        op: UnaryOp,
        operand: Value,
    },
    Index {
        object: Value,
        index: Value,
    },
    /// `if c then a else b` on a delayed `c`: only the chosen branch runs.
    Condition {
        condition: Value,
        then: Arc<Expr>,
        otherwise: Arc<Expr>,
        env: Env,
    },
}

impl std::fmt::Debug for DelayedOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.label())
    }
}

impl DelayedOp {
    pub fn label(&self) -> String {
        match self {
            DelayedOp::Call { function, .. } => match function {
                Value::Function(closure) => closure.name().to_string(),
                Value::Builtin(builtin) => builtin.name.to_string(),
                Value::Method(method) => method.1.name.to_string(),
                other => other.type_name(),
            },
            DelayedOp::Binary { op, .. } => op.symbol().to_string(),
            DelayedOp::Unary { op, .. } => op.symbol().to_string(),
            DelayedOp::Index { .. } => "getitem".into(),
            DelayedOp::Condition { .. } => "if".into(),
        }
    }

    /// The delayed values this one reads.
    pub fn inputs(&self) -> Vec<DelayedRef> {
        let mut out = Vec::new();
        match self {
            DelayedOp::Call { function, args, .. } => {
                collect(function, &mut out);
                args.iter().for_each(|a| collect(&a.value, &mut out));
            }
            DelayedOp::Binary { lhs, rhs, .. } => {
                collect(lhs, &mut out);
                collect(rhs, &mut out);
            }
            DelayedOp::Unary { operand, .. } => collect(operand, &mut out),
            DelayedOp::Index { object, index } => {
                collect(object, &mut out);
                collect(index, &mut out);
            }
            DelayedOp::Condition { condition, .. } => collect(condition, &mut out),
        }
        out
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub fn delayed(op: DelayedOp, span: Span) -> Value {
    Value::Delayed(Arc::new(DelayedNode {
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        op,
        span,
    }))
}

/// The delayed values inside a value (lists, tuples, records too), each once.
pub fn collect(value: &Value, out: &mut Vec<DelayedRef>) {
    match value {
        Value::Delayed(node) => {
            if !out.iter().any(|d| d.id == node.id) {
                out.push(node.clone());
            }
        }
        Value::Tuple(items) | Value::List(items) => items.iter().for_each(|i| collect(i, out)),
        Value::Record(fields) => fields.iter().for_each(|(_, v)| collect(v, out)),
        _ => {}
    }
}

pub fn contains_delayed(value: &Value) -> bool {
    match value {
        Value::Delayed(_) => true,
        Value::Tuple(items) | Value::List(items) => items.iter().any(contains_delayed),
        Value::Record(fields) => fields.iter().any(|(_, v)| contains_delayed(v)),
        _ => false,
    }
}

/// `value` with every delayed value replaced by its result.
pub fn substitute(value: &Value, results: &HashMap<u64, Value>) -> Value {
    match value {
        Value::Delayed(node) => results
            .get(&node.id)
            .cloned()
            .unwrap_or_else(|| value.clone()),
        Value::Tuple(items) => Value::tuple(items.iter().map(|i| substitute(i, results)).collect()),
        Value::List(items) => Value::list(items.iter().map(|i| substitute(i, results)).collect()),
        Value::Record(fields) => Value::Record(Arc::new(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), substitute(v, results)))
                .collect(),
        )),
        other => other.clone(),
    }
}

/// Does calling `closure` wait on the outside world — does its body call a blocking builtin
/// such as `sleep` itself? Only such calls become tasks: a function that merely calls them
/// (a tree of `slowadd`s) runs at once and builds the graph of their tasks. Answered once per
/// function.
pub fn blocks(
    closure: &Closure,
    library: &Library,
    memo: &mut HashMap<*const Function, bool>,
) -> bool {
    let key = Arc::as_ptr(&closure.function);
    if let Some(&known) = memo.get(&key) {
        return known;
    }
    let mut found = false;
    visit_calls(&closure.function.body, &mut |name: &str| {
        let shadowed = matches!(closure.env.lookup(name), Some(Value::Function(_)));
        found |= !shadowed && library.function(name).is_some_and(|b| b.blocking);
    });
    memo.insert(key, found);
    found
}

/// Call `visit` with the name of every function called by name in `expr`.
fn visit_calls(expr: &Expr, visit: &mut dyn FnMut(&str)) {
    let mut stack: Vec<&Expr> = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Call { callee, args } => {
                if let ExprKind::Name(name) = &callee.kind {
                    visit(name);
                }
                stack.push(callee);
                stack.extend(args.iter().map(|a| &a.value));
            }
            ExprKind::Block { statements, value } => {
                for statement in statements {
                    match &statement.kind {
                        StatementKind::Assign { value, .. } | StatementKind::Expr(value) => {
                            stack.push(value)
                        }
                        StatementKind::Function(f) => stack.push(&f.body),
                        StatementKind::Use { .. } => {}
                    }
                }
                stack.push(value);
            }
            other => children(other, &mut stack),
        }
    }
}

fn children<'a>(kind: &'a ExprKind, stack: &mut Vec<&'a Expr>) {
    use crate::syntax::ast::{Clause, FormatPart, Subscript};
    match kind {
        ExprKind::FormatString(parts) => {
            for part in parts {
                if let FormatPart::Hole { value, .. } = part {
                    stack.push(value);
                }
            }
        }
        ExprKind::Tuple(items) | ExprKind::List(items) => stack.extend(items.iter()),
        ExprKind::Record(fields) => stack.extend(fields.iter().map(|(_, v)| v)),
        ExprKind::Comprehension { element, clauses } => {
            stack.push(element);
            for clause in clauses {
                match clause {
                    Clause::For { iterable, .. } => stack.push(iterable),
                    Clause::If(condition) => stack.push(condition),
                }
            }
        }
        ExprKind::Unary { operand, .. } => stack.push(operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            stack.push(lhs);
            stack.push(rhs);
        }
        ExprKind::Attribute { object, .. } => stack.push(object),
        ExprKind::Index { object, subscripts } => {
            stack.push(object);
            for subscript in subscripts {
                match subscript {
                    Subscript::Index(i) => stack.push(i),
                    Subscript::Slice {
                        start, stop, step, ..
                    } => stack.extend([start, stop, step].into_iter().flatten()),
                }
            }
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            stack.push(condition);
            stack.push(then);
            stack.push(otherwise);
        }
        ExprKind::Lambda(f) => stack.push(&f.body),
        _ => {}
    }
}

impl Interpreter {
    /// Should this call become a task? Only when running, outside tasks, for functions that
    /// block or arguments that are delayed.
    pub fn delays_call(&mut self, function: &Value, args: &[ArgumentValue]) -> bool {
        if self.mode != Mode::Run || self.inside_task {
            return false;
        }
        // Builtins that only rearrange containers (`len`, `zip`, …) do not need the values
        // inside them: only a delayed argument itself delays them.
        let shallow = matches!(function, Value::Builtin(b) if matches!(b.name, "len" | "zip" | "enumerate" | "list" | "reversed" | "type_of"));
        let delayed_argument = |a: &ArgumentValue| {
            if shallow {
                matches!(a.value, Value::Delayed(_))
            } else {
                contains_delayed(&a.value)
            }
        };
        // A user function given delayed values runs at once: its body builds the graph (its
        // operations on those values become delayed nodes). A builtin given delayed values
        // becomes a node itself.
        if args.iter().any(delayed_argument) {
            match function {
                Value::Builtin(builtin) => return !builtin.effects,
                Value::Method(method) => return !method.1.effects,
                _ => {}
            }
        }
        match function {
            Value::Function(closure) => {
                let closure = closure.clone();
                blocks(&closure, self.library, &mut self.blocking_memo)
            }
            _ => false,
        }
    }

    /// Compute every delayed value inside `value` (one graph, independent calls in parallel).
    /// A delayed value is computed once: its result is kept and reused by later forcing.
    pub fn force_delayed(&mut self, value: Value) -> Eval<Value> {
        let mut roots = Vec::new();
        collect(&value, &mut roots);
        if roots.is_empty() {
            return Ok(value);
        }
        roots.retain(|r| !self.delayed_results.contains_key(&r.id));
        if !roots.is_empty() {
            let _ = self.flush_output();
            let results = crate::eval::schedule::compute(
                &roots,
                &self.sources,
                self.library,
                self.compute_options.threads,
                &self.cancel,
            )?;
            self.delayed_results.extend(results);
        }
        Ok(substitute(&value, &self.delayed_results))
    }
}

/// Run one delayed node, its inputs' results given, on a task's interpreter.
pub fn run_node(
    interpreter: &mut Interpreter,
    node: &DelayedNode,
    results: &HashMap<u64, Value>,
) -> Eval<Value> {
    let value_of = |v: &Value| substitute(v, results);
    match &node.op {
        DelayedOp::Call {
            function,
            args,
            callee_span,
        } => {
            let args = args
                .iter()
                .map(|a| ArgumentValue {
                    name: a.name.clone(),
                    value: value_of(&a.value),
                    span: a.span,
                })
                .collect();
            interpreter.call_value(value_of(function), args, node.span, *callee_span)
        }
        DelayedOp::Binary { op, lhs, rhs } => {
            interpreter.apply_binary(*op, value_of(lhs), value_of(rhs), node.span)
        }
        DelayedOp::Unary { op, operand } => {
            interpreter.apply_unary(*op, value_of(operand), node.span)
        }
        DelayedOp::Index { object, index } => {
            interpreter.apply_index(value_of(object), value_of(index), node.span)
        }
        DelayedOp::Condition {
            condition,
            then,
            otherwise,
            env,
        } => match value_of(condition) {
            Value::Bool(true) => interpreter.eval(then, env),
            Value::Bool(false) => interpreter.eval(otherwise, env),
            other => Err(Box::new(
                crate::diagnostic::Diagnostic::error(
                    "flow::eval::condition_type",
                    format!("a condition must be a bool, not {}", other.type_name()),
                    node.span,
                )
                .with_label("this condition")
                .with_help("compare explicitly, e.g. `n != 0`"),
            )),
        },
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Value>();
}
