//! Name resolution: every name used must be bound — by a parameter, an earlier binding in the
//! same block, a comprehension variable, a top-level binding or `use`, or a builtin. Top-level
//! code must bind a name before using it; function bodies may use any top-level name (they run
//! later). All unknown names are reported, each with a "did you mean" where one is close.

use super::closest;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::*;
use std::collections::HashMap;

/// Resolve every name in `program`. `known` are names bound before it (earlier REPL lines).
pub fn resolve_names(program: &Program, known: &[String], builtins: &[&str]) -> Vec<Diagnostic> {
    let mut all_globals: HashMap<String, Span> = HashMap::new();
    for statement in &program.statements {
        for (name, span) in statement_binds(statement) {
            all_globals.entry(name).or_insert(span);
        }
    }
    let mut resolver = Resolver {
        scopes: Vec::new(),
        all_globals,
        bound: known.iter().cloned().collect(),
        function_depth: 0,
        diagnostics: Vec::new(),
        builtins,
    };
    for statement in &program.statements {
        resolver.statement(statement);
    }
    resolver.diagnostics
}

fn statement_binds(statement: &Statement) -> Vec<(String, Span)> {
    match &statement.kind {
        StatementKind::Use { target, alias } => {
            let (name, span) = match (alias, target) {
                (Some(alias), _) => (alias.name.clone(), alias.span),
                (None, UseTarget::Module(ident)) => (ident.name.clone(), ident.span),
                (None, UseTarget::Path { path, span }) => {
                    (crate::syntax::ast::module_name_of_path(path), *span)
                }
            };
            vec![(name, span)]
        }
        StatementKind::Function(function) => function
            .name
            .iter()
            .map(|n| (n.name.clone(), n.span))
            .collect(),
        StatementKind::Assign { pattern, .. } => pattern
            .names()
            .into_iter()
            .map(|i| (i.name.clone(), i.span))
            .collect(),
        StatementKind::Expr(_) => vec![],
    }
}

struct Resolver<'b> {
    /// The names of builtin functions and constants.
    builtins: &'b [&'b str],
    /// Local scopes, innermost last.
    scopes: Vec<Vec<String>>,
    /// Every name bound anywhere at top level, with where.
    all_globals: HashMap<String, Span>,
    /// Top-level names bound so far.
    bound: std::collections::HashSet<String>,
    function_depth: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn bind_local(&mut self, name: &str) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(name.to_string());
        } else {
            self.bound.insert(name.to_string());
        }
    }

    fn statement(&mut self, statement: &Statement) {
        match &statement.kind {
            StatementKind::Use { .. } => {
                for (name, _) in statement_binds(statement) {
                    self.bind_local(&name);
                }
            }
            StatementKind::Function(function) => {
                if let Some(name) = &function.name {
                    self.bind_local(&name.name);
                }
                self.function(function);
            }
            StatementKind::Assign { pattern, value } => {
                self.expr(value);
                for ident in pattern.names() {
                    self.bind_local(&ident.name);
                }
            }
            StatementKind::Expr(expr) => self.expr(expr),
        }
    }

    fn function(&mut self, function: &Function) {
        for param in &function.params {
            if let Some(default) = &param.default {
                self.expr(default);
            }
        }
        self.scopes.push(
            function
                .params
                .iter()
                .map(|p| p.name.name.clone())
                .collect(),
        );
        self.function_depth += 1;
        self.expr(&function.body);
        self.function_depth -= 1;
        self.scopes.pop();
    }

    fn name(&mut self, name: &str, span: Span) {
        if self
            .scopes
            .iter()
            .any(|scope| scope.iter().any(|n| n == name))
            || self.bound.contains(name)
            || self.builtins.contains(&name)
        {
            return;
        }
        if let Some(bound_at) = self.all_globals.get(name) {
            if self.function_depth > 0 {
                return;
            }
            self.diagnostics.push(
                Diagnostic::error(
                    "flow::check::used_before_bound",
                    format!("`{name}` is used before it is bound"),
                    span,
                )
                .with_label("used here")
                .with_note(*bound_at, "bound later, here")
                .with_help("move the binding above its first use"),
            );
            return;
        }
        self.diagnostics
            .push(unknown_name(name, span, self.candidates()));
    }

    fn candidates(&self) -> Vec<String> {
        let mut names: Vec<String> = self.scopes.iter().flatten().cloned().collect();
        names.extend(self.all_globals.keys().cloned());
        names.extend(self.bound.iter().cloned());
        names.extend(self.builtins.iter().map(|b| b.to_string()));
        names.sort();
        names.dedup();
        names
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Ellipsis => {}
            ExprKind::Name(name) => self.name(name, expr.span),
            ExprKind::FormatString(parts) => {
                for part in parts {
                    if let FormatPart::Hole { value, .. } = part {
                        self.expr(value);
                    }
                }
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().for_each(|i| self.expr(i))
            }
            ExprKind::Record(fields) => fields.iter().for_each(|(_, v)| self.expr(v)),
            ExprKind::Comprehension { element, clauses } => {
                self.scopes.push(Vec::new());
                for clause in clauses {
                    match clause {
                        Clause::For { pattern, iterable } => {
                            self.expr(iterable);
                            for ident in pattern.names() {
                                self.scopes.last_mut().unwrap().push(ident.name.clone());
                            }
                        }
                        Clause::If(condition) => self.expr(condition),
                    }
                }
                self.expr(element);
                self.scopes.pop();
            }
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                args.iter().for_each(|a| self.expr(&a.value));
            }
            ExprKind::Attribute { object, .. } => self.expr(object),
            ExprKind::Index { object, subscripts } => {
                self.expr(object);
                for subscript in subscripts {
                    match subscript {
                        Subscript::Index(i) => self.expr(i),
                        Subscript::Slice {
                            start, stop, step, ..
                        } => {
                            for part in [start, stop, step].into_iter().flatten() {
                                self.expr(part);
                            }
                        }
                    }
                }
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                self.expr(condition);
                self.expr(then);
                self.expr(otherwise);
            }
            ExprKind::Lambda(function) => self.function(function),
            ExprKind::Block { statements, value } => {
                self.scopes.push(Vec::new());
                for statement in statements {
                    self.statement(statement);
                }
                self.expr(value);
                self.scopes.pop();
            }
        }
    }
}

fn unknown_name(name: &str, span: Span, candidates: Vec<String>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "flow::check::unknown_name",
        format!("unknown name `{name}`"),
        span,
    )
    .with_label("not bound");
    let python = match name {
        "True" => Some("flow's booleans are `true` and `false`; did you mean `true`?".to_string()),
        "False" => {
            Some("flow's booleans are `true` and `false`; did you mean `false`?".to_string())
        }
        "None" | "null" | "nil" => Some("did you mean `none`?".to_string()),
        "np" | "numpy" | "da" | "dask" | "xr" | "xarray" | "pd" | "pandas" | "pl" | "polars"
        | "math" | "plt" => Some(format!(
            "flow has no `{name}.` prefix: its functions are built in, e.g. `mean(x)` or `x.mean()`"
        )),
        _ => None,
    };
    if let Some(help) = python {
        return diagnostic.with_help(help);
    }
    match closest(name, candidates.iter().map(String::as_str)) {
        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
        None => diagnostic.with_help("bind it first (`name = …`), or check the spelling"),
    }
}
