//! The evaluator. One interpreter, two modes:
//!
//! - **Check**: runs the program abstractly before anything is computed. Values that are known
//!   from the source (scalars, lists, shapes, file headers) are computed exactly; values that
//!   depend on data read at run time are [`Value::Unknown`] with their type. Side effects are
//!   skipped, work is bounded by fuel, and every problem found is collected, not just the first.
//! - **Run**: evaluates for real, stopping at the first runtime error.
//!
//! Lazy values (arrays, frames, delayed calls) are graph nodes in both modes; only forcing them
//! (`print`, `compute`, `save`) executes the graph, and only in run mode.

use super::builtin::{Args, Builtin, Library};
use super::format::format_value;
use super::kinds::{condition_error, kind_of};
use super::modules;
use super::operators::{self, OpError};
use super::signature::{bind_arguments, ArgumentValue, Signature};
use super::value::{Closure, Env, Module, Type, Value};
use crate::diagnostic::{Diagnostic, Phase};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::*;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::Arc;

pub type Eval<T> = Result<T, Box<Diagnostic>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Check,
    Run,
}

/// Deepest chain of user-function calls.
pub const MAX_CALL_DEPTH: usize = 1000;
/// Evaluation steps the checker spends on concrete values before it treats further calls as
/// unknown (checking must stay fast whatever the program computes).
const CHECK_FUEL: u64 = 2_000_000;
/// Longest list the checker builds from `range`; longer ones are checked as unknown lists.
pub const CHECK_MAX_MATERIALISED: usize = 100_000;
/// What to do about a list or string too large for memory.
pub const LIST_HELP: &str =
    "use an array for many values (`arange(n)`, `zeros(n)` are lazy and chunked), or raise --memory-limit";
/// Call-chain notes kept on an error (the innermost ones).
const MAX_TRACEBACK: usize = 8;

pub struct Interpreter {
    pub mode: Mode,
    pub sources: SourceMap,
    pub main: Arc<Module>,
    output: Box<dyn Write>,
    /// Modules loaded by `use`, by stdlib name or canonical path.
    modules: HashMap<String, Arc<Module>>,
    loading: Vec<String>,
    call_stack: Vec<(*const Function, Span)>,
    fuel: u64,
    /// Above zero while checking code that may not run (a branch of an `if` on an unknown
    /// condition, the body of a function no one calls): value errors there are not certain.
    speculative: u32,
    /// Check mode: functions created, and which of them were called.
    created: Vec<Arc<Closure>>,
    called: HashSet<*const Function>,
    /// Problems found while checking (deduplicated by code and span).
    pub diagnostics: Vec<Diagnostic>,
    reported: HashSet<(&'static str, Span)>,
    /// How lazy values are computed: threads, progress bar, memory limit.
    pub compute_options: crate::runtime::ComputeOptions,
    /// Running a delayed task: calls inside run at once.
    pub inside_task: bool,
    /// Flags that stop this computation when set: a failure elsewhere in the same graph, or the
    /// cancel of the job it runs in.
    pub cancel: Vec<Arc<std::sync::atomic::AtomicBool>>,
    /// Background jobs started with `submit`, in order.
    pub jobs: Vec<Arc<crate::eval::jobs::Job>>,
    /// Results of delayed values already computed, by node id.
    pub delayed_results: HashMap<u64, Value>,
    /// Which functions block (call `sleep` or read files), by function.
    pub blocking_memo: HashMap<*const Function, bool>,
    /// Check mode: the arrays the program forces (prints, computes), in order.
    pub forced: Vec<crate::array::node::ArrayRef>,
    /// Figures of every computation run so far (`--stats`).
    pub statistics: crate::runtime::executor::Statistics,
    /// Check mode: the files `save` will have written by now, so a program may read back what
    /// it saves.
    pub planned: Planned,
    /// The builtins it knows.
    pub library: &'static Library,
    /// What a sandboxed program may read and write (`flow run --sandbox`); `None`: anything.
    pub sandbox: Option<Arc<crate::eval::sandbox::Sandbox>>,
    /// Where pictures drawn without a path (`plot(x)`, `graph(x)`) go as they are drawn, for a
    /// notebook to show; `None` where nothing shows pictures (a script, the REPL): a path is then
    /// required.
    pub inline_pictures: Option<PictureSink>,
}

/// A picture drawn without a path, for a notebook to show where it was drawn: PNG bytes, SVG
/// text, or both (a front end shows the one it prefers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    pub png: Option<Vec<u8>>,
    pub svg: Option<String>,
}

/// What takes pictures drawn without a path (a notebook cell's display, or a count of them).
pub type PictureSink = Arc<dyn Fn(Picture) + Send + Sync>;

/// Check mode: what the program's saves will have written by now, by file — so a program may
/// read back what it saves, typed as it was saved.
#[derive(Clone, Default)]
pub struct Planned {
    /// HDF5 files: the header of the dataset saved.
    pub files: HashMap<std::path::PathBuf, crate::io::layout::VarHeader>,
    /// netCDF files, as the datasets saved (`None`: a dataset known only when run).
    pub datasets: HashMap<std::path::PathBuf, Option<Arc<crate::dataset::Dataset>>>,
    /// Parquet and CSV files, as their frames (`None`: a frame known only when run).
    pub frames: HashMap<std::path::PathBuf, Option<Arc<crate::frame::Frame>>>,
}

impl Planned {
    /// Will a save have written `path`?
    pub fn contains(&self, path: &std::path::Path) -> bool {
        self.files.contains_key(path)
            || self.datasets.contains_key(path)
            || self.frames.contains_key(path)
    }
}

impl Interpreter {
    pub fn new(
        mode: Mode,
        sources: SourceMap,
        output: Box<dyn Write>,
        library: &'static Library,
    ) -> Interpreter {
        Interpreter {
            mode,
            sources,
            main: Module::new("main"),
            output,
            modules: HashMap::new(),
            loading: Vec::new(),
            call_stack: Vec::new(),
            fuel: CHECK_FUEL,
            speculative: 0,
            created: Vec::new(),
            called: HashSet::new(),
            diagnostics: Vec::new(),
            reported: HashSet::new(),
            compute_options: Default::default(),
            statistics: Default::default(),
            forced: Vec::new(),
            inside_task: false,
            cancel: Vec::new(),
            blocking_memo: HashMap::new(),
            delayed_results: HashMap::new(),
            jobs: Vec::new(),
            planned: Planned::default(),
            sandbox: None,
            inline_pictures: None,
            library,
        }
    }

    pub fn is_checking(&self) -> bool {
        self.mode == Mode::Check
    }

    pub fn cancelled(&self) -> bool {
        crate::runtime::interrupted()
            || self
                .cancel
                .iter()
                .any(|c| c.load(std::sync::atomic::Ordering::Acquire))
    }

    /// Check mode: record a problem and go on. Duplicates (the same code at the same span, e.g.
    /// from a function called twice) are dropped.
    /// `Ok` when the sandbox (if any) lets the program `access` `path`, named at `span`.
    pub fn permit(
        &self,
        path: &std::path::Path,
        access: crate::eval::sandbox::Access,
        span: Span,
    ) -> Eval<()> {
        match &self.sandbox {
            Some(sandbox) => sandbox.check(path, access, span),
            None => Ok(()),
        }
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        let key = (diagnostic.code, diagnostic.span.unwrap_or_default());
        if self.reported.insert(key) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// A failure that depends on values. In code that may not run, while checking, it is not
    /// certain, so it becomes an unknown value instead of an error.
    pub fn value_error(&mut self, diagnostic: Diagnostic) -> Eval<Value> {
        if self.mode == Mode::Check && self.speculative > 0 {
            Ok(Value::Unknown(Type::Any))
        } else {
            Err(Box::new(diagnostic))
        }
    }

    /// Write program output (`print`). Nothing is written while checking.
    pub fn write_output(&mut self, text: &str) -> Eval<()> {
        if self.mode == Mode::Check {
            return Ok(());
        }
        output_result(self.output.write_all(text.as_bytes()))
    }

    /// Push buffered output out; on the way (before a computation, between delayed tasks) the
    /// result is not needed, as the final flush (`Session::run`) reports a failure.
    pub fn flush_output(&mut self) -> Eval<()> {
        output_result(self.output.flush())
    }

    // ------------------------------------------------------------------ statements

    /// Execute top-level statements in `module`. Check mode reports each failing statement and
    /// goes on with the next; run mode stops at the first error. Returns the value of the last
    /// statement when it is an expression (what the REPL and `flow -e` show).
    pub fn exec_program(
        &mut self,
        statements: &[Statement],
        module: &Arc<Module>,
    ) -> Eval<Option<Value>> {
        let env = Env::global(module.clone());
        let mut last = None;
        for statement in statements {
            last = None;
            match self.exec_top_level(statement, &env) {
                Ok(value) => last = value,
                Err(diagnostic) if self.mode == Mode::Check => {
                    self.report(*diagnostic);
                    for name in bound_names(statement) {
                        module.set(&name, Value::Unknown(Type::Any));
                    }
                }
                Err(diagnostic) => return Err(self.at_runtime(diagnostic)),
            }
        }
        Ok(last)
    }

    fn at_runtime(&self, diagnostic: Box<Diagnostic>) -> Box<Diagnostic> {
        let mut diagnostic = diagnostic;
        diagnostic.phase = Phase::Runtime;
        diagnostic
    }

    fn exec_top_level(&mut self, statement: &Statement, env: &Env) -> Eval<Option<Value>> {
        match &statement.kind {
            StatementKind::Use { target, alias } => {
                let module = self.use_module(target, statement.span)?;
                let name = match (alias, target) {
                    (Some(alias), _) => alias.name.clone(),
                    (None, UseTarget::Module(ident)) => ident.name.clone(),
                    (None, UseTarget::Path { path, .. }) => {
                        crate::syntax::ast::module_name_of_path(path)
                    }
                };
                env.module.set(&name, Value::Module(module));
                Ok(None)
            }
            StatementKind::Function(function) => {
                let closure = self.make_closure(function, env)?;
                if let Some(name) = &function.name {
                    env.module.set(&name.name, closure);
                }
                Ok(None)
            }
            StatementKind::Assign { pattern, value } => {
                let value = self.eval(value, env)?;
                self.destructure(pattern, value, &mut |name, value| {
                    env.module.set(name, value)
                })?;
                Ok(None)
            }
            StatementKind::Expr(expr) => self.eval(expr, env).map(Some),
        }
    }

    fn use_module(&mut self, target: &UseTarget, span: Span) -> Eval<Arc<Module>> {
        let (key, name, text) = match target {
            UseTarget::Module(ident) => match modules::stdlib_source(&ident.name) {
                Some(text) => (
                    format!("stdlib:{}", ident.name),
                    ident.name.clone(),
                    text.to_string(),
                ),
                None => {
                    let mut diagnostic = Diagnostic::error(
                        "flow::check::unknown_module",
                        format!("no standard module named `{}`", ident.name),
                        ident.span,
                    )
                    .with_label("not a stdlib module");
                    diagnostic = match crate::text::closest(&ident.name, modules::stdlib_names()) {
                        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
                        None => diagnostic.with_help(format!(
                            "standard modules: {}; a file is used with `use \"path/to/file.flow\"`",
                            modules::stdlib_names().join(", ")
                        )),
                    };
                    return Err(Box::new(diagnostic));
                }
            },
            UseTarget::Path {
                path,
                span: path_span,
            } => {
                let base = self.sources.get(span.source).name.clone();
                let resolved = modules::resolve_path(&base, path);
                self.permit(&resolved, crate::eval::sandbox::Access::Read, *path_span)?;
                // Only flow scripts are read: another file's lines would be echoed in errors.
                if let Some(why) = modules::not_a_script(&resolved) {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::use_not_flow",
                            format!("`{path}` {why}"),
                            *path_span,
                        )
                        .with_label("this file")
                        .with_help("`use` loads flow scripts: files ending in .flow"),
                    ));
                }
                match std::fs::read_to_string(&resolved) {
                    Ok(text) => {
                        let key = std::fs::canonicalize(&resolved)
                            .unwrap_or(resolved.clone())
                            .display()
                            .to_string();
                        (key, resolved.display().to_string(), text)
                    }
                    Err(error) => {
                        return Err(Box::new(
                            Diagnostic::error(
                                "flow::check::use_not_found",
                                format!("cannot read `{path}`: {error}"),
                                *path_span,
                            )
                            .with_label("this file")
                            .with_help("paths in `use` are relative to the file that uses them"),
                        ))
                    }
                }
            }
        };
        if let Some(module) = self.modules.get(&key) {
            return Ok(module.clone());
        }
        if self.loading.contains(&key) {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::circular_use",
                    format!("`{name}` uses itself (through `use`)"),
                    span,
                )
                .with_label("circular")
                .with_help("move what both files need into a third module"),
            ));
        }
        let source = self.sources.add(name.clone(), text.as_str());
        let (program, parse_diagnostics) =
            crate::syntax::parse_program(&self.sources.get(source).text, source);
        let module = Arc::new(Module {
            name: crate::syntax::ast::module_name_of_path(&name),
            globals: Default::default(),
            order: Default::default(),
        });
        if self.mode == Mode::Check {
            for diagnostic in parse_diagnostics {
                self.report(diagnostic);
            }
            for diagnostic in crate::check::resolve_names(
                &program,
                &[],
                &self.library.global_names().collect::<Vec<_>>(),
            ) {
                self.report(diagnostic);
            }
        }
        self.loading.push(key.clone());
        let result = self.exec_program(&program.statements, &module);
        self.loading.pop();
        result?;
        self.modules.insert(key, module.clone());
        Ok(module)
    }

    fn make_closure(&mut self, function: &Arc<Function>, env: &Env) -> Eval<Value> {
        let mut defaults = Vec::with_capacity(function.params.len());
        for param in &function.params {
            defaults.push(match &param.default {
                Some(default) => Some(self.eval(default, env)?),
                None => None,
            });
        }
        let signature = Signature::of_function(function, defaults);
        let closure = Arc::new(Closure {
            function: function.clone(),
            signature,
            env: env.clone(),
        });
        if self.mode == Mode::Check {
            self.created.push(closure.clone());
        }
        Ok(Value::Function(closure))
    }

    /// Bind the names of a pattern: `x = v`, `lo, hi = (1, 2)`.
    fn destructure(
        &mut self,
        pattern: &Pattern,
        value: Value,
        bind: &mut dyn FnMut(&str, Value),
    ) -> Eval<()> {
        match pattern {
            Pattern::Name(ident) => {
                bind(&ident.name, value);
                Ok(())
            }
            Pattern::Tuple { items, span } => {
                // Unpacking needs the values: a delayed tuple is computed here.
                let value = if let Value::Delayed(_) = value {
                    self.force_delayed(value)?
                } else {
                    value
                };
                let values: Vec<Value> = match &value {
                    Value::Tuple(values) | Value::List(values) => values.to_vec(),
                    Value::Unknown(Type::Any | Type::Tuple | Type::List(_)) => {
                        for item in items {
                            self.destructure(item, Value::Unknown(Type::Any), bind)?;
                        }
                        return Ok(());
                    }
                    other => {
                        return Err(Box::new(
                            Diagnostic::error(
                                "flow::check::unpack",
                                format!(
                                    "cannot unpack {} into {} names",
                                    other.type_name(),
                                    items.len()
                                ),
                                *span,
                            )
                            .with_label(format!("{} names", items.len()))
                            .with_help("only tuples and lists can be unpacked"),
                        ))
                    }
                };
                if values.len() != items.len() {
                    let diagnostic = Diagnostic::error(
                        "flow::eval::unpack_length",
                        format!(
                            "cannot unpack {} values into {} names",
                            values.len(),
                            items.len()
                        ),
                        *span,
                    )
                    .with_label(format!("{} names", items.len()))
                    .with_help("give one name per value");
                    self.value_error(diagnostic)?;
                    for item in items {
                        self.destructure(item, Value::Unknown(Type::Any), bind)?;
                    }
                    return Ok(());
                }
                for (item, value) in items.iter().zip(values) {
                    self.destructure(item, value, bind)?;
                }
                Ok(())
            }
        }
    }

    // ------------------------------------------------------------------ expressions

    pub fn eval(&mut self, expr: &Expr, env: &Env) -> Eval<Value> {
        match &expr.kind {
            ExprKind::Int(v) => Ok(Value::Int(*v)),
            ExprKind::Float(v) => Ok(Value::Float(*v)),
            ExprKind::Str(v) => Ok(Value::str(v)),
            ExprKind::Bool(v) => Ok(Value::Bool(*v)),
            ExprKind::None => Ok(Value::None),
            ExprKind::Ellipsis => Ok(Value::Ellipsis),
            ExprKind::Name(name) => self.lookup(name, expr.span, env),
            ExprKind::FormatString(parts) => self.format_string(parts, env),
            ExprKind::Tuple(items) => Ok(Value::tuple(self.eval_all(items, env)?)),
            ExprKind::List(items) => Ok(Value::list(self.eval_all(items, env)?)),
            ExprKind::Record(fields) => {
                let mut values = Vec::with_capacity(fields.len());
                for (key, value) in fields {
                    values.push((key.name.clone(), self.eval(value, env)?));
                }
                Ok(Value::Record(Arc::new(values)))
            }
            ExprKind::Comprehension { element, clauses } => {
                self.comprehension(element, clauses, env)
            }
            ExprKind::Unary { op, operand } => {
                let value = self.eval(operand, env)?;
                self.apply_unary(*op, value, expr.span)
            }
            ExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                lhs,
                rhs,
            } => self.logical(*op, lhs, rhs, expr.span, env),
            ExprKind::Binary { op, lhs, rhs } => {
                let left = self.eval(lhs, env)?;
                let right = self.eval(rhs, env)?;
                self.apply_binary(*op, left, right, expr.span)
            }
            ExprKind::Call { callee, args } => self.call_expression(callee, args, expr.span, env),
            ExprKind::Attribute { object, name } => {
                let object = self.eval(object, env)?;
                self.attribute(object, name)
            }
            ExprKind::Index { object, subscripts } => {
                let object = self.eval(object, env)?;
                self.index(object, subscripts, expr.span, env)
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let condition_value = self.eval(condition, env)?;
                if let Value::Delayed(_) = condition_value {
                    // A conditional task: only the branch chosen when it runs is evaluated.
                    let op = crate::eval::delayed::DelayedOp::Condition {
                        condition: condition_value,
                        then: Arc::new((**then).clone()),
                        otherwise: Arc::new((**otherwise).clone()),
                        env: env.clone(),
                    };
                    return Ok(crate::eval::delayed::delayed(op, expr.span));
                }
                match self.condition(&condition_value, condition.span)? {
                    Some(true) => self.eval(then, env),
                    Some(false) => self.eval(otherwise, env),
                    None => {
                        let (a, b) =
                            self.speculate(|i| Ok((i.eval(then, env)?, i.eval(otherwise, env)?)))?;
                        Ok(Value::Unknown(a.type_of().join(&b.type_of())))
                    }
                }
            }
            ExprKind::Lambda(function) => self.make_closure(function, env),
            ExprKind::Block { statements, value } => {
                let mut env = env.clone();
                for statement in statements {
                    match &statement.kind {
                        StatementKind::Assign { pattern, value } => {
                            let value = self.eval(value, &env)?;
                            let mut bindings = Vec::new();
                            self.destructure(pattern, value, &mut |name, value| {
                                bindings.push((name.to_string(), value))
                            })?;
                            for (name, value) in bindings {
                                env = env.bind(&name, value);
                            }
                        }
                        StatementKind::Function(function) => {
                            let closure = self.make_closure(function, &env)?;
                            if let Some(name) = &function.name {
                                env = env.bind(&name.name, closure);
                            }
                        }
                        StatementKind::Expr(expr) => {
                            self.eval(expr, &env)?;
                        }
                        StatementKind::Use { .. } => unreachable!("grammar: no `use` in blocks"),
                    }
                }
                self.eval(value, &env)
            }
        }
    }

    fn eval_all(&mut self, items: &[Expr], env: &Env) -> Eval<Vec<Value>> {
        items.iter().map(|item| self.eval(item, env)).collect()
    }

    /// Run `f` as code that may not run: value errors inside become unknown values.
    fn speculate<T>(&mut self, f: impl FnOnce(&mut Interpreter) -> Eval<T>) -> Eval<T> {
        self.speculative += 1;
        let result = f(self);
        self.speculative -= 1;
        result
    }

    fn lookup(&mut self, name: &str, span: Span, env: &Env) -> Eval<Value> {
        if let Some(value) = env.lookup(name) {
            return Ok(value);
        }
        if let Some(builtin) = self.library.function(name) {
            return Ok(Value::Builtin(builtin));
        }
        if let Some(value) = self.library.constant(name) {
            return Ok(value);
        }
        if let Some(namespace) = self.library.namespace(name) {
            return Ok(namespace);
        }
        if self.mode == Mode::Check {
            // The name pass has reported it already.
            return Ok(Value::Unknown(Type::Any));
        }
        Err(Box::new(
            Diagnostic::error(
                "flow::eval::unbound_name",
                format!("`{name}` is not bound yet"),
                span,
            )
            .with_label("used here before it has a value")
            .with_help("bind the name before this statement runs"),
        ))
    }

    fn operator_error(&mut self, error: OpError, span: Span) -> Eval<Value> {
        let diagnostic = Diagnostic::error(error.code, error.message, span)
            .with_label("here")
            .with_help(error.help);
        if error.is_type_error {
            Err(Box::new(diagnostic))
        } else {
            self.value_error(diagnostic)
        }
    }

    /// `lhs op rhs` on evaluated operands: delayed values make delayed nodes; otherwise the
    /// operands' kind of the highest rank (arrays, labelled arrays, frame columns, …) takes the
    /// operation, and plain values are computed.
    pub fn apply_binary(
        &mut self,
        op: BinaryOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Eval<Value> {
        if matches!(left, Value::Delayed(_)) || matches!(right, Value::Delayed(_)) {
            let op = crate::eval::delayed::DelayedOp::Binary {
                op,
                lhs: left,
                rhs: right,
            };
            return Ok(crate::eval::delayed::delayed(op, span));
        }
        let kind = match (kind_of(&left), kind_of(&right)) {
            (Some(a), Some(b)) => Some(if b.rank() > a.rank() { b } else { a }),
            (a, b) => a.or(b),
        };
        match kind {
            Some(kind) => kind.binary(self, op, left, right, span),
            None => self.plain_binary(op, &left, &right, span),
        }
    }

    /// `lhs op rhs` on plain values (numbers, strings, lists, …).
    pub fn plain_binary(
        &mut self,
        op: BinaryOp,
        left: &Value,
        right: &Value,
        span: Span,
    ) -> Eval<Value> {
        if let Some((bytes, what)) = operators::result_bytes(op, left, right) {
            self.check_fits(bytes, what, LIST_HELP, span)?;
        }
        operators::binary(op, left, right).or_else(|e| self.operator_error(e, span))
    }

    /// Refuse a list or string of `bytes` (`what`, at `span`) larger than the memory limit:
    /// plain values count toward it as chunks do.
    pub fn check_fits(&mut self, bytes: usize, what: &str, help: &str, span: Span) -> Eval<()> {
        let limit = self.compute_options.memory_limit;
        if bytes <= limit {
            return Ok(());
        }
        let diagnostic = Diagnostic::error(
            "flow::eval::too_large",
            format!(
                "{what} would take {}, more than the memory limit ({})",
                crate::text::human_bytes(bytes),
                crate::text::human_bytes(limit)
            ),
            span,
        )
        .with_label("this value")
        .with_help(help);
        self.value_error(diagnostic).map(|_| ())
    }

    pub fn apply_unary(&mut self, op: UnaryOp, value: Value, span: Span) -> Eval<Value> {
        if let Value::Delayed(_) = value {
            return Ok(crate::eval::delayed::delayed(
                crate::eval::delayed::DelayedOp::Unary { op, operand: value },
                span,
            ));
        }
        match kind_of(&value) {
            Some(kind) => kind.unary(self, op, value, span),
            None => self.plain_unary(op, &value, span),
        }
    }

    pub fn plain_unary(&mut self, op: UnaryOp, value: &Value, span: Span) -> Eval<Value> {
        operators::unary(op, value).or_else(|e| self.operator_error(e, span))
    }

    /// `object[index]` with one index.
    pub fn apply_index(&mut self, object: Value, index: Value, span: Span) -> Eval<Value> {
        if matches!(object, Value::Delayed(_)) || matches!(index, Value::Delayed(_)) {
            let op = crate::eval::delayed::DelayedOp::Index { object, index };
            return Ok(crate::eval::delayed::delayed(op, span));
        }
        self.index_one(object, index, span)
    }

    /// A condition's truth: `Some` when known, `None` when it is an unknown bool.
    pub fn condition(&mut self, value: &Value, span: Span) -> Eval<Option<bool>> {
        if let Value::Delayed(_) = value {
            let value = self.force_delayed(value.clone())?;
            return self.condition(&value, span);
        }
        match value {
            Value::Bool(b) => Ok(Some(*b)),
            Value::Unknown(Type::Bool | Type::Any) => Ok(None),
            other => match kind_of(other) {
                Some(kind) => kind.condition(self, other, span),
                None => Err(condition_error(other, span)),
            },
        }
    }

    fn logical(
        &mut self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        let left = self.eval(lhs, env)?;
        if matches!(
            left,
            Value::Array(_) | Value::Labelled(_) | Value::Expr(_) | Value::Column(_)
        ) {
            let right = self.eval(rhs, env)?;
            return self.apply_binary(op, left, right, span);
        }
        let not_bool = |value: &Value, span: Span| {
            Box::new(
                Diagnostic::error(
                    "flow::check::operand_types",
                    format!("`{}` needs bools, not {}", op.symbol(), value.type_name()),
                    span,
                )
                .with_label(format!("this is {}", value.type_name()))
                .with_help("compare first, e.g. `n > 0 and n < 10`"),
            )
        };
        let known = match left {
            Value::Bool(b) => Some(b),
            Value::Unknown(Type::Bool | Type::Any) => None,
            ref other => return Err(not_bool(other, lhs.span)),
        };
        match (op, known) {
            (BinaryOp::And, Some(false)) => return Ok(Value::Bool(false)),
            (BinaryOp::Or, Some(true)) => return Ok(Value::Bool(true)),
            _ => {}
        }
        let right = match known {
            Some(_) => self.eval(rhs, env)?,
            None => self.speculate(|i| i.eval(rhs, env))?,
        };
        match right {
            Value::Bool(b) if known.is_some() => Ok(Value::Bool(b)),
            Value::Bool(_) | Value::Unknown(Type::Bool | Type::Any) => {
                Ok(Value::Unknown(Type::Bool))
            }
            ref other => Err(not_bool(other, rhs.span)),
        }
    }

    fn format_string(&mut self, parts: &[FormatPart], env: &Env) -> Eval<Value> {
        let mut out = String::new();
        let mut unknown = false;
        for part in parts {
            match part {
                FormatPart::Text(text) => out.push_str(text),
                FormatPart::Hole { value, spec } => {
                    let mut v = self.eval(value, env)?;
                    if let Value::Labelled(l) = &v {
                        if l.dims.is_empty() {
                            v = Value::Array(l.array.clone());
                        }
                    }
                    if let Value::Array(_)
                    | Value::Delayed(_)
                    | Value::Labelled(_)
                    | Value::Column(_) = v
                    {
                        if self.is_checking() {
                            unknown = true;
                            continue;
                        }
                        v = self.force_value(v)?;
                        // A full reduction formats as the number it is.
                        if let Value::Array(array) = &v {
                            if array.ndim() == 0 {
                                let array = array.clone();
                                v = self.array_scalar(&array)?;
                            }
                        }
                    }
                    if v.is_unknown() {
                        unknown = true;
                        continue;
                    }
                    match format_value(&v, spec.as_deref().unwrap_or("")) {
                        Ok(text) => out.push_str(&text),
                        Err(message) => {
                            return Err(Box::new(
                                Diagnostic::error("flow::check::format_spec", format!("bad format spec: {message}"), value.span)
                                    .with_label(format!("formatting {} with `{}`", v.type_name(), spec.as_deref().unwrap_or("")))
                                    .with_help("specs look like `.3f`, `>8`, `,d`, `.1%`, `.2e` (see docs/language.md)"),
                            ))
                        }
                    }
                }
            }
        }
        Ok(if unknown {
            Value::Unknown(Type::Str)
        } else {
            Value::str(&out)
        })
    }

    fn comprehension(&mut self, element: &Expr, clauses: &[Clause], env: &Env) -> Eval<Value> {
        let mut out = Vec::new();
        let mut unknown = false;
        self.comprehension_clauses(element, clauses, env, &mut out, &mut unknown)?;
        if unknown {
            let element = out
                .iter()
                .map(Value::type_of)
                .reduce(|a, b| a.join(&b))
                .unwrap_or(Type::Any);
            return Ok(Value::Unknown(Type::List(Box::new(element))));
        }
        Ok(Value::list(out))
    }

    fn comprehension_clauses(
        &mut self,
        element: &Expr,
        clauses: &[Clause],
        env: &Env,
        out: &mut Vec<Value>,
        unknown: &mut bool,
    ) -> Eval<()> {
        let Some((clause, rest)) = clauses.split_first() else {
            let value = self.eval(element, env)?;
            out.push(value);
            return Ok(());
        };
        match clause {
            Clause::If(condition) => {
                let value = self.eval(condition, env)?;
                match self.condition(&value, condition.span)? {
                    Some(true) => self.comprehension_clauses(element, rest, env, out, unknown),
                    Some(false) => Ok(()),
                    None => {
                        *unknown = true;
                        self.speculate(|i| {
                            i.comprehension_clauses(element, rest, env, out, unknown)
                        })
                    }
                }
            }
            Clause::For { pattern, iterable } => {
                let items = self.eval(iterable, env)?;
                match self.iterate(&items, iterable.span)? {
                    Some(items) => {
                        for item in items {
                            self.spend_fuel();
                            let mut inner = env.clone();
                            self.destructure(pattern, item, &mut |name, value| {
                                inner = inner.bind(name, value)
                            })?;
                            self.comprehension_clauses(element, rest, &inner, out, unknown)?;
                            if *unknown
                                && self.mode == Mode::Check
                                && out.len() > CHECK_MAX_MATERIALISED
                            {
                                break;
                            }
                        }
                        Ok(())
                    }
                    None => {
                        *unknown = true;
                        let element_type = match items.type_of() {
                            Type::List(t) => *t,
                            _ => Type::Any,
                        };
                        let mut inner = env.clone();
                        self.destructure(
                            pattern,
                            Value::Unknown(element_type),
                            &mut |name, value| inner = inner.bind(name, value),
                        )?;
                        self.speculate(|i| {
                            i.comprehension_clauses(element, rest, &inner, out, unknown)
                        })
                    }
                }
            }
        }
    }

    /// The items of an iterable value; `None` for an unknown one (check mode).
    pub fn iterate(&mut self, value: &Value, span: Span) -> Eval<Option<Vec<Value>>> {
        if let Value::Delayed(_) = value {
            let value = self.force_delayed(value.clone())?;
            return self.iterate(&value, span);
        }
        match value {
            Value::List(items) | Value::Tuple(items) => Ok(Some(items.to_vec())),
            Value::Str(text) => Ok(Some(
                text.chars()
                    .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
                    .collect(),
            )),
            Value::Record(fields) => Ok(Some(fields.iter().map(|(k, _)| Value::str(k)).collect())),
            Value::Unknown(Type::Any | Type::List(_) | Type::Tuple | Type::Str | Type::Record) => {
                Ok(None)
            }
            other => Err(Box::new(
                Diagnostic::error(
                    "flow::check::not_iterable",
                    format!("cannot iterate over {}", other.type_name()),
                    span,
                )
                .with_label(format!("this is {}", other.type_name()))
                .with_help("iterate over a list, tuple, string or `range(n)`"),
            )),
        }
    }

    fn spend_fuel(&mut self) {
        self.fuel = self.fuel.saturating_sub(1);
    }

    // ------------------------------------------------------------------ calls

    fn call_expression(
        &mut self,
        callee: &Expr,
        args: &[Argument],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        let function = match &callee.kind {
            ExprKind::Attribute { object, name } => {
                let object = self.eval(object, env)?;
                self.attribute(object, name)?
            }
            _ => self.eval(callee, env)?,
        };
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(ArgumentValue {
                name: arg.name.clone(),
                value: self.eval(&arg.value, env)?,
                span: arg.value.span,
            });
        }
        if self.delays_call(&function, &values) {
            let op = crate::eval::delayed::DelayedOp::Call {
                function,
                args: values,
                callee_span: callee.span,
            };
            return Ok(crate::eval::delayed::delayed(op, span));
        }
        self.call_value(function, values, span, callee.span)
    }

    /// Call a function value with evaluated arguments.
    pub fn call_value(
        &mut self,
        function: Value,
        args: Vec<ArgumentValue>,
        span: Span,
        callee_span: Span,
    ) -> Eval<Value> {
        match function {
            Value::Builtin(builtin) => self.call_builtin(builtin, None, args, span),
            Value::Method(method) => {
                let (receiver, builtin) = (method.0.clone(), method.1);
                self.call_builtin(builtin, Some(receiver), args, span)
            }
            Value::Function(closure) => self.call_closure(&closure, args, span),
            Value::Unknown(Type::Any | Type::Function) => Ok(Value::Unknown(Type::Any)),
            other => Err(Box::new(
                Diagnostic::error(
                    "flow::check::not_callable",
                    format!("{} is not a function", other.type_name()),
                    callee_span,
                )
                .with_label(format!("this is {}", other.type_name()))
                .with_help("only functions can be called"),
            )),
        }
    }

    fn call_builtin(
        &mut self,
        builtin: &'static Builtin,
        receiver: Option<Value>,
        args: Vec<ArgumentValue>,
        span: Span,
    ) -> Eval<Value> {
        let signature = self.library.signature(builtin);
        let bound = bind_arguments(signature, &builtin.qualified_name(), args, span)?;
        let mut args = Args {
            receiver,
            values: bound.values,
            spans: bound.spans,
            keyword_spans: bound.keyword_spans,
            call: span,
            builtin,
            signature,
        };
        if self.mode == Mode::Check && !builtin.effects && args.any_unknown() {
            return Ok(Value::Unknown(super::kinds::unknown_result(builtin, &args)));
        }
        // A file a function makes from its parameters (`save(x, name + ".nc")` in a body checked
        // before it is called) is known only when it runs: there, it is checked.
        if self.mode == Mode::Check && builtin.effects && unknown_path(signature, &args) {
            return Ok(Value::Unknown(builtin.returns.clone()));
        }
        if let Some(result) = super::kinds::take_call(self, builtin, &mut args) {
            return result;
        }
        (builtin.run)(self, &mut args)
    }

    fn call_closure(
        &mut self,
        closure: &Arc<Closure>,
        args: Vec<ArgumentValue>,
        span: Span,
    ) -> Eval<Value> {
        let bound = bind_arguments(&closure.signature, closure.name(), args, span)?;
        let function_id = Arc::as_ptr(&closure.function);
        if self.mode == Mode::Check {
            self.called.insert(function_id);
            self.spend_fuel();
            let recursing = self.call_stack.iter().any(|(f, _)| *f == function_id);
            if self.fuel == 0 || (recursing && bound.values.iter().any(Value::is_unknown)) {
                return Ok(Value::Unknown(Type::Any));
            }
        }
        if self.call_stack.len() >= MAX_CALL_DEPTH {
            let diagnostic = Diagnostic::error(
                "flow::eval::recursion_limit",
                format!("more than {MAX_CALL_DEPTH} nested calls"),
                span,
            )
            .with_label(format!("the call to `{}` that went too deep", closure.name()))
            .with_help("recursion must reach its base case sooner; use a comprehension or a reduction for long loops");
            return self.value_error(diagnostic);
        }
        let mut env = closure.env.clone();
        if let Some(name) = &closure.function.name {
            env = env.bind(&name.name, Value::Function(closure.clone()));
        }
        for (param, value) in closure.function.params.iter().zip(bound.values) {
            env = env.bind(&param.name.name, value);
        }
        self.call_stack.push((function_id, span));
        let result = self.eval(&closure.function.body, &env);
        self.call_stack.pop();
        result.map_err(|mut diagnostic| {
            if diagnostic.notes.len() < MAX_TRACEBACK
                && diagnostic.code != "flow::eval::recursion_limit"
            {
                diagnostic
                    .notes
                    .push((span, format!("in this call to `{}`", closure.name())));
            }
            diagnostic
        })
    }

    /// Check mode, after the program: check the bodies of functions that were never called,
    /// with unknown arguments, so their type errors are found too.
    /// Start checking a new program of a session: fresh fuel, and only this program's functions
    /// left to check if no one calls them.
    pub fn begin_check(&mut self) {
        self.fuel = CHECK_FUEL;
        self.created.clear();
        self.called.clear();
    }

    pub fn check_uncalled_functions(&mut self) {
        let mut checked = 0;
        while checked < self.created.len() {
            let closure = self.created[checked].clone();
            checked += 1;
            let function_id = Arc::as_ptr(&closure.function);
            if !self.called.insert(function_id) {
                continue;
            }
            let mut env = closure.env.clone();
            if let Some(name) = &closure.function.name {
                env = env.bind(&name.name, Value::Function(closure.clone()));
            }
            for param in &closure.function.params {
                env = env.bind(&param.name.name, Value::Unknown(Type::Any));
            }
            self.call_stack.push((function_id, closure.function.span));
            let result = self.speculate(|i| i.eval(&closure.function.body, &env));
            self.call_stack.pop();
            if let Err(diagnostic) = result {
                self.report(*diagnostic);
            }
        }
    }

    // ------------------------------------------------------------------ attributes and indexing

    pub fn attribute(&mut self, object: Value, name: &Ident) -> Eval<Value> {
        let object = if let Value::Delayed(_) = object {
            self.force_delayed(object)?
        } else {
            object
        };
        match &object {
            Value::Module(module) => match module.get(&name.name) {
                Some(value) => Ok(value),
                None => {
                    let names = module.names();
                    let mut diagnostic = Diagnostic::error(
                        "flow::check::unknown_member",
                        format!("module `{}` has no `{}`", module.name, name.name),
                        name.span,
                    )
                    .with_label("not in the module");
                    diagnostic =
                        match crate::text::closest(&name.name, names.iter().map(String::as_str)) {
                            Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
                            None => diagnostic.with_help(format!(
                                "`{}` defines: {}",
                                module.name,
                                names.join(", ")
                            )),
                        };
                    Err(Box::new(diagnostic))
                }
            },
            Value::Record(fields) => match fields.iter().find(|(k, _)| *k == name.name) {
                Some((_, value)) => Ok(value.clone()),
                None => {
                    let mut diagnostic = Diagnostic::error(
                        "flow::check::unknown_field",
                        format!("record has no field `{}`", name.name),
                        name.span,
                    )
                    .with_label("no such field");
                    let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                    diagnostic = match crate::text::closest(&name.name, keys.iter().copied()) {
                        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
                        None => diagnostic.with_help(format!("its fields: {}", keys.join(", "))),
                    };
                    Err(Box::new(diagnostic))
                }
            },
            // An array known only when run (`x[x > 0]`): `.T` and its methods are arrays too.
            Value::Unknown(Type::Array) => match kind_of(&object) {
                Some(kind) => kind.attribute(self, object, name),
                None => Ok(Value::Unknown(Type::Any)),
            },
            Value::Unknown(
                Type::Any | Type::Record | Type::Module | Type::Dataset | Type::Frame,
            ) => Ok(Value::Unknown(Type::Any)),
            _ => match kind_of(&object) {
                Some(kind) => kind.attribute(self, object, name),
                None => self.method_or_error(object, name),
            },
        }
    }

    /// `object.name` as a builtin method of `object`, or the error naming its methods.
    pub fn method_or_error(&mut self, object: Value, name: &Ident) -> Eval<Value> {
        match self.library.method(&object, &name.name) {
            Some(method) => Ok(Value::Method(Arc::new((object, method)))),
            None => {
                let type_name = object.type_name();
                let methods = self.library.method_names(&object);
                let mut diagnostic = Diagnostic::error(
                    "flow::check::unknown_method",
                    format!("{type_name} has no method or attribute `{}`", name.name),
                    name.span,
                )
                .with_label(format!("not a {type_name} method"));
                diagnostic = match crate::text::closest(&name.name, methods.iter().copied()) {
                    Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
                    None if methods.is_empty() => {
                        diagnostic.with_help(format!("{type_name} values have no methods"))
                    }
                    None => {
                        diagnostic.with_help(format!("{type_name} methods: {}", methods.join(", ")))
                    }
                };
                Err(Box::new(diagnostic))
            }
        }
    }

    fn index(
        &mut self,
        object: Value,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        match kind_of(&object) {
            Some(kind) => kind.index(self, object, subscripts, span, env),
            None => self.plain_index(object, subscripts, span, env),
        }
    }

    /// `object[subscripts]` on plain values (lists, tuples, strings, records).
    pub fn plain_index(
        &mut self,
        object: Value,
        subscripts: &[Subscript],
        span: Span,
        env: &Env,
    ) -> Eval<Value> {
        if subscripts.len() != 1 {
            if matches!(object, Value::Unknown(Type::Any)) {
                return Ok(Value::Unknown(Type::Any));
            }
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::index_arity",
                    format!(
                        "{} takes one index, not {}",
                        object.type_name(),
                        subscripts.len()
                    ),
                    span,
                )
                .with_label("several indices")
                .with_help("several indices (`x[i, j]`) are for arrays"),
            ));
        }
        match &subscripts[0] {
            Subscript::Index(index_expr) => {
                let index = self.eval(index_expr, env)?;
                self.apply_index(object, index, index_expr.span)
            }
            Subscript::Slice {
                start,
                stop,
                step,
                span: slice_span,
            } => {
                let part = |i: &mut Interpreter, e: &Option<Expr>| -> Eval<Option<Value>> {
                    e.as_ref().map(|e| i.eval(e, env)).transpose()
                };
                let (start, stop, step) =
                    (part(self, start)?, part(self, stop)?, part(self, step)?);
                self.slice(object, [start, stop, step], *slice_span)
            }
        }
    }

    fn index_one(&mut self, object: Value, index: Value, span: Span) -> Eval<Value> {
        match (&object, &index) {
            (Value::List(items) | Value::Tuple(items), Value::Int(i)) => match normalise_index(*i, items.len()) {
                Some(i) => Ok(items[i].clone()),
                None => self.index_out_of_range(*i, items.len(), span),
            },
            (Value::Str(text), Value::Int(i)) => {
                let count = text.chars().count();
                match normalise_index(*i, count) {
                    Some(i) => Ok(Value::str(&text.chars().nth(i).unwrap().to_string())),
                    None => self.index_out_of_range(*i, count, span),
                }
            }
            (Value::Record(fields), Value::Str(key)) => match fields.iter().find(|(k, _)| **k == **key) {
                Some((_, value)) => Ok(value.clone()),
                None => {
                    let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                    let diagnostic = Diagnostic::error("flow::eval::missing_key", format!("record has no field {}", index.repr()), span)
                        .with_label("no such field")
                        .with_help(match crate::text::closest(key, keys.iter().copied()) {
                            Some(close) => format!("did you mean `{close}`?"),
                            None => format!("its fields: {}", keys.join(", ")),
                        });
                    self.value_error(diagnostic)
                }
            },
            (Value::Unknown(_), _) | (_, Value::Unknown(Type::Any | Type::Int | Type::Str)) => Ok(Value::Unknown(match &object {
                Value::Unknown(Type::List(element)) => (**element).clone(),
                Value::List(items) => items.iter().map(Value::type_of).reduce(|a, b| a.join(&b)).unwrap_or(Type::Any),
                Value::Str(_) | Value::Unknown(Type::Str) => Type::Str,
                _ => Type::Any,
            })),
            _ => Err(Box::new(
                Diagnostic::error(
                    "flow::check::index_type",
                    format!("cannot index {} with {}", object.type_name(), index.type_name()),
                    span,
                )
                .with_label(format!("this is {}", index.type_name()))
                .with_help("lists, tuples and strings take an int index or a slice; records take a field name"),
            )),
        }
    }

    fn index_out_of_range(&mut self, index: i64, len: usize, span: Span) -> Eval<Value> {
        let diagnostic = Diagnostic::error(
            "flow::eval::index_out_of_range",
            format!("index {index} is out of range"),
            span,
        )
        .with_label(format!("the length is {len}"))
        .with_help(if len == 0 {
            "it is empty".to_string()
        } else {
            format!("valid indices are -{len} to {}", len - 1)
        });
        self.value_error(diagnostic)
    }

    fn slice(&mut self, object: Value, parts: [Option<Value>; 3], span: Span) -> Eval<Value> {
        let mut bounds = [None; 3];
        for (k, part) in parts.iter().enumerate() {
            match part {
                None | Some(Value::None) => {}
                Some(Value::Int(i)) => bounds[k] = Some(*i),
                Some(Value::Unknown(_)) => return Ok(Value::Unknown(object.type_of())),
                Some(other) => {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::index_type",
                            format!("slice bounds must be ints, not {}", other.type_name()),
                            span,
                        )
                        .with_label("in this slice")
                        .with_help("write `xs[1:10:2]`"),
                    ))
                }
            }
        }
        let step = bounds[2].unwrap_or(1);
        if step == 0 {
            let diagnostic =
                Diagnostic::error("flow::eval::zero_step", "slice step cannot be zero", span)
                    .with_label("step 0")
                    .with_help("use 1 for every element or -1 to reverse");
            return self.value_error(diagnostic);
        }
        let take = |len: usize| -> Vec<usize> {
            crate::array::build::slice_indices(len, bounds[0], bounds[1], step)
        };
        match &object {
            Value::List(items) => Ok(Value::list(
                take(items.len())
                    .into_iter()
                    .map(|i| items[i].clone())
                    .collect(),
            )),
            Value::Tuple(items) => Ok(Value::tuple(
                take(items.len())
                    .into_iter()
                    .map(|i| items[i].clone())
                    .collect(),
            )),
            Value::Str(text) => {
                let chars: Vec<char> = text.chars().collect();
                Ok(Value::str(
                    &take(chars.len())
                        .into_iter()
                        .map(|i| chars[i])
                        .collect::<String>(),
                ))
            }
            Value::Unknown(t) => Ok(Value::Unknown(t.clone())),
            other => Err(Box::new(
                Diagnostic::error(
                    "flow::check::index_type",
                    format!("cannot slice {}", other.type_name()),
                    span,
                )
                .with_label("slice")
                .with_help("lists, tuples and strings can be sliced"),
            )),
        }
    }
}

fn normalise_index(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 { index + len } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

/// The names a top-level statement binds (to mark them unknown when the statement fails).
fn bound_names(statement: &Statement) -> Vec<String> {
    match &statement.kind {
        StatementKind::Assign { pattern, .. } => pattern
            .names()
            .into_iter()
            .map(|i| i.name.clone())
            .collect(),
        StatementKind::Function(function) => function.name.iter().map(|n| n.name.clone()).collect(),
        StatementKind::Use { target, alias } => match (alias, target) {
            (Some(alias), _) => vec![alias.name.clone()],
            (None, UseTarget::Module(ident)) => vec![ident.name.clone()],
            (None, UseTarget::Path { path, .. }) => {
                vec![crate::syntax::ast::module_name_of_path(path)]
            }
        },
        StatementKind::Expr(_) => vec![],
    }
}

/// Output that cannot be written is an error (a full disk), except a reader that went away
/// (`flow run x.flow | head`), which is how pipelines end.
fn output_result(written: std::io::Result<()>) -> Eval<()> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Box::new(
            Diagnostic::error_without_span(
                "flow::eval::output",
                format!("cannot write output: {e}"),
            )
            .in_phase(Phase::Runtime),
        )),
        _ => Ok(()),
    }
}

/// Is a `path` argument known only when the program runs?
fn unknown_path(signature: &Signature, args: &Args) -> bool {
    signature
        .params
        .iter()
        .zip(&args.values)
        .any(|(param, value)| param.name == "path" && matches!(value, Value::Unknown(_)))
}
