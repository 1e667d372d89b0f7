//! A stable text form of the AST: one node per line, indented by depth, with its byte span.
//! `flow parse FILE` prints it; golden tests assert on it.

use super::ast::*;
use crate::source::Span;
use std::fmt::Write;

pub fn dump_program(program: &Program) -> String {
    let mut out = Dumper {
        out: String::new(),
        depth: 0,
    };
    for statement in &program.statements {
        out.statement(statement);
    }
    out.out
}

/// A one-line S-expression form of an expression, for unit tests and messages.
pub fn sexpr(expr: &Expr) -> String {
    let mut out = String::new();
    write_sexpr(&mut out, expr);
    out
}

struct Dumper {
    out: String,
    depth: usize,
}

impl Dumper {
    fn line(&mut self, text: &str, span: Span) {
        let _ = writeln!(
            self.out,
            "{}{} @{}..{}",
            "  ".repeat(self.depth),
            text,
            span.start,
            span.end
        );
    }

    fn nested(&mut self, f: impl FnOnce(&mut Dumper)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn statement(&mut self, statement: &Statement) {
        match &statement.kind {
            StatementKind::Use { target, alias } => {
                let target = match target {
                    UseTarget::Module(ident) => ident.name.clone(),
                    UseTarget::Path { path, .. } => format!("{path:?}"),
                };
                let alias = alias
                    .as_ref()
                    .map(|a| format!(" as {}", a.name))
                    .unwrap_or_default();
                self.line(&format!("use {target}{alias}"), statement.span);
            }
            StatementKind::Function(function) => self.function(function),
            StatementKind::Assign { pattern, value } => {
                self.line("assign", statement.span);
                self.nested(|d| {
                    d.pattern(pattern);
                    d.expr(value);
                });
            }
            StatementKind::Expr(expr) => self.expr(expr),
        }
    }

    fn pattern(&mut self, pattern: &Pattern) {
        match pattern {
            Pattern::Name(ident) => self.line(&format!("bind {}", ident.name), ident.span),
            Pattern::Tuple { items, span } => {
                self.line("unpack", *span);
                self.nested(|d| items.iter().for_each(|p| d.pattern(p)));
            }
        }
    }

    fn function(&mut self, function: &Function) {
        let name = function
            .name
            .as_ref()
            .map(|n| format!("fn {}", n.name))
            .unwrap_or_else(|| "lambda".into());
        self.line(&name, function.span);
        self.nested(|d| {
            for param in &function.params {
                d.line(&format!("param {}", param.name.name), param.name.span);
                if let Some(default) = &param.default {
                    d.nested(|d| d.expr(default));
                }
            }
            d.expr(&function.body);
        });
    }

    fn expr(&mut self, expr: &Expr) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(v) => self.line(&format!("int {v}"), span),
            ExprKind::Float(v) => self.line(&format!("float {v:?}"), span),
            ExprKind::Str(v) => self.line(&format!("str {v:?}"), span),
            ExprKind::Bool(v) => self.line(&format!("bool {v}"), span),
            ExprKind::None => self.line("none", span),
            ExprKind::Ellipsis => self.line("ellipsis", span),
            ExprKind::Name(name) => self.line(&format!("name {name}"), span),
            ExprKind::FormatString(parts) => {
                self.line("format-string", span);
                self.nested(|d| {
                    for part in parts {
                        match part {
                            FormatPart::Text(text) => d.line(&format!("text {text:?}"), span),
                            FormatPart::Hole { value, spec } => {
                                d.line(
                                    &format!(
                                        "hole{}",
                                        spec.as_ref().map(|s| format!(" :{s}")).unwrap_or_default()
                                    ),
                                    value.span,
                                );
                                d.nested(|d| d.expr(value));
                            }
                        }
                    }
                });
            }
            ExprKind::Tuple(items) => self.list("tuple", items, span),
            ExprKind::List(items) => self.list("list", items, span),
            ExprKind::Record(fields) => {
                self.line("record", span);
                self.nested(|d| {
                    for (key, value) in fields {
                        d.line(&format!("field {}", key.name), key.span);
                        d.nested(|d| d.expr(value));
                    }
                });
            }
            ExprKind::Comprehension { element, clauses } => {
                self.line("comprehension", span);
                self.nested(|d| {
                    d.expr(element);
                    for clause in clauses {
                        match clause {
                            Clause::For { pattern, iterable } => {
                                d.line("for", pattern.span().to(iterable.span));
                                d.nested(|d| {
                                    d.pattern(pattern);
                                    d.expr(iterable);
                                });
                            }
                            Clause::If(condition) => {
                                d.line("if", condition.span);
                                d.nested(|d| d.expr(condition));
                            }
                        }
                    }
                });
            }
            ExprKind::Unary { op, operand } => {
                self.line(&format!("unary {}", op.symbol()), span);
                self.nested(|d| d.expr(operand));
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.line(&format!("binary {}", op.symbol()), span);
                self.nested(|d| {
                    d.expr(lhs);
                    d.expr(rhs);
                });
            }
            ExprKind::Call { callee, args } => {
                self.line("call", span);
                self.nested(|d| {
                    d.expr(callee);
                    for arg in args {
                        match &arg.name {
                            Some(name) => {
                                d.line(&format!("keyword {}", name.name), name.span);
                                d.nested(|d| d.expr(&arg.value));
                            }
                            None => d.expr(&arg.value),
                        }
                    }
                });
            }
            ExprKind::Attribute { object, name } => {
                self.line(&format!("attribute {}", name.name), span);
                self.nested(|d| d.expr(object));
            }
            ExprKind::Index { object, subscripts } => {
                self.line("index", span);
                self.nested(|d| {
                    d.expr(object);
                    for subscript in subscripts {
                        match subscript {
                            Subscript::Index(i) => d.expr(i),
                            Subscript::Slice {
                                start,
                                stop,
                                step,
                                span,
                            } => {
                                d.line("slice", *span);
                                d.nested(|d| {
                                    for (name, part) in
                                        [("start", start), ("stop", stop), ("step", step)]
                                    {
                                        if let Some(part) = part {
                                            d.line(name, part.span);
                                            d.nested(|d| d.expr(part));
                                        }
                                    }
                                });
                            }
                        }
                    }
                });
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                self.line("if", span);
                self.nested(|d| {
                    d.expr(condition);
                    d.expr(then);
                    d.expr(otherwise);
                });
            }
            ExprKind::Lambda(function) => self.function(function),
            ExprKind::Block { statements, value } => {
                self.line("block", span);
                self.nested(|d| {
                    statements.iter().for_each(|s| d.statement(s));
                    d.expr(value);
                });
            }
        }
    }

    fn list(&mut self, what: &str, items: &[Expr], span: Span) {
        self.line(what, span);
        self.nested(|d| items.iter().for_each(|i| d.expr(i)));
    }
}

fn write_sexpr(out: &mut String, expr: &Expr) {
    match &expr.kind {
        ExprKind::Int(v) => {
            let _ = write!(out, "(int {v})");
        }
        ExprKind::Float(v) => {
            let _ = write!(out, "(float {v:?})");
        }
        ExprKind::Name(n) => {
            let _ = write!(out, "(name {n})");
        }
        ExprKind::Unary { op, operand } => {
            let name = match op {
                UnaryOp::Negate => "negate",
                UnaryOp::Plus => "plus",
                UnaryOp::Not => "not",
                UnaryOp::Invert => "invert",
            };
            let _ = write!(out, "({name} ");
            write_sexpr(out, operand);
            out.push(')');
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let _ = write!(out, "({} ", op.symbol());
            write_sexpr(out, lhs);
            out.push(' ');
            write_sexpr(out, rhs);
            out.push(')');
        }
        ExprKind::Call { callee, args } => {
            out.push_str("(call ");
            write_sexpr(out, callee);
            for arg in args {
                out.push(' ');
                if let Some(name) = &arg.name {
                    let _ = write!(out, "{}=", name.name);
                }
                write_sexpr(out, &arg.value);
            }
            out.push(')');
        }
        _ => {
            let mut dumper = Dumper {
                out: String::new(),
                depth: 0,
            };
            dumper.expr(expr);
            out.push_str(dumper.out.lines().next().unwrap_or(""));
        }
    }
}
