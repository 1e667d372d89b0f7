//! Source text → AST. Parsing never fails as a whole: it returns the statements it could build
//! and a diagnostic for each one it could not.

use super::ast::*;
use super::layout::layout;
use super::pythonisms::python_habit;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::sync::{Arc, OnceLock};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/flow.pest"]
struct FlowGrammar;

/// Deepest expression tree accepted (later stages recurse over it).
pub const MAX_EXPRESSION_DEPTH: usize = 1500;

/// Parse a whole file: every top-level statement that parses, and a diagnostic for each that does
/// not (the others are still returned, so later stages can report their own problems too).
pub fn parse_program(text: &str, source: SourceId) -> (Program, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let layout = layout(text, source);
    let mut diagnostics = layout.diagnostics;
    // Statements are parsed on their own (the layout pass split them), so a long script is
    // parsed on every core; what follows keeps their order.
    let parse_one = |range: &std::ops::Range<usize>| {
        let statement_text = &layout.text[range.clone()];
        let builder = Builder {
            source,
            offset: range.start,
        };
        let parsed = match FlowGrammar::parse(Rule::statement_line, statement_text) {
            Ok(mut pairs) => {
                let line = pairs.next().expect("statement_line");
                let statement = line.into_inner().next().expect("statement");
                builder.statement(statement).and_then(|statement| {
                    match too_deep_statement(&statement) {
                        Some(span) => Err(too_deep_expression(span)),
                        None => Ok(statement),
                    }
                })
            }
            Err(error) => Err(python_habit(statement_text, source, range.start)
                .unwrap_or_else(|| syntax_error(error, statement_text, source, range.start))),
        };
        let opens_block = parsed.is_err() && statement_text.trim_end().ends_with(':');
        (parsed, opens_block, indentation(text, range.start))
    };
    let parsed: Vec<_> = if layout.statements.len() >= PARALLEL_STATEMENTS {
        layout.statements.par_iter().map(parse_one).collect()
    } else {
        layout.statements.iter().map(parse_one).collect()
    };
    let mut statements = Vec::with_capacity(parsed.len());
    // After a rejected Python-style `…:` line, its indented body is skipped: its lines would only
    // add confusing errors (names bound by the rejected line look unknown).
    let mut rejected_block_indent: Option<usize> = None;
    for (parsed, opens_block, indent) in parsed {
        match rejected_block_indent {
            Some(block) if indent > block => continue,
            _ => rejected_block_indent = None,
        }
        if opens_block {
            rejected_block_indent = Some(indent);
        }
        match parsed {
            Ok(statement) => statements.push(statement),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    (Program { statements }, diagnostics)
}

/// Scripts of at least this many statements are parsed in parallel.
const PARALLEL_STATEMENTS: usize = 256;

/// Columns of whitespace before `position` on its line.
fn indentation(text: &str, position: usize) -> usize {
    let line_start = text[..position].rfind('\n').map_or(0, |p| p + 1);
    text[line_start..position]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .count()
}

/// Parse a single expression (used for the defaults in builtin signatures).
pub fn parse_expression(text: &str, source: SourceId) -> Result<Expr, Diagnostic> {
    let layout = layout(text, source);
    if let Some(diagnostic) = layout.diagnostics.into_iter().next() {
        return Err(diagnostic);
    }
    let builder = Builder { source, offset: 0 };
    match FlowGrammar::parse(Rule::expression_only, &layout.text) {
        Ok(mut pairs) => builder.expr(pairs.next().unwrap().into_inner().next().unwrap()),
        Err(error) => Err(syntax_error(error, &layout.text, source, 0)),
    }
}

fn too_deep_expression(span: Span) -> Diagnostic {
    Diagnostic::error(
        "flow::parse::too_deep",
        "expression nested too deeply",
        span,
    )
    .with_label(format!(
        "more than {MAX_EXPRESSION_DEPTH} levels of operators and calls"
    ))
    .with_help("split the expression into named steps")
}

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::pipe, Assoc::Left))
            .op(Op::infix(Rule::or_op, Assoc::Left))
            .op(Op::infix(Rule::and_op, Assoc::Left))
            .op(Op::prefix(Rule::not_op))
            .op(Op::infix(Rule::either, Assoc::Left))
            .op(Op::infix(Rule::xor, Assoc::Left))
            .op(Op::infix(Rule::both, Assoc::Left))
            .op(Op::infix(Rule::eq, Assoc::Left)
                | Op::infix(Rule::ne, Assoc::Left)
                | Op::infix(Rule::lt, Assoc::Left)
                | Op::infix(Rule::le, Assoc::Left)
                | Op::infix(Rule::gt, Assoc::Left)
                | Op::infix(Rule::ge, Assoc::Left)
                | Op::infix(Rule::in_op, Assoc::Left)
                | Op::infix(Rule::not_in, Assoc::Left))
            .op(Op::infix(Rule::shl, Assoc::Left) | Op::infix(Rule::shr, Assoc::Left))
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::multiply, Assoc::Left)
                | Op::infix(Rule::divide, Assoc::Left)
                | Op::infix(Rule::floor_divide, Assoc::Left)
                | Op::infix(Rule::modulo, Assoc::Left)
                | Op::infix(Rule::matmul, Assoc::Left))
            .op(Op::prefix(Rule::negate) | Op::prefix(Rule::plus) | Op::prefix(Rule::invert))
            .op(Op::infix(Rule::power, Assoc::Right))
            .op(Op::postfix(Rule::call) | Op::postfix(Rule::index) | Op::postfix(Rule::attribute))
    })
}

/// The children of a pair without keyword tokens.
fn children(pair: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pair.into_inner().filter(|p| {
        !matches!(
            p.as_rule(),
            Rule::kw_fn
                | Rule::kw_if
                | Rule::kw_then
                | Rule::kw_else
                | Rule::kw_for
                | Rule::kw_in
                | Rule::kw_use
                | Rule::kw_as
        )
    })
}

/// Turns pest pairs of one statement into AST nodes, shifting spans by the statement's offset.
struct Builder {
    source: SourceId,
    offset: usize,
}

type Built<T> = Result<T, Diagnostic>;

/// An operand while operators are being resolved: remembers whether it was written in
/// parentheses, so `a < b < c` can be refused while `(a < b) == c` is accepted.
struct Operand {
    expr: Expr,
    parenthesized: bool,
}

impl Builder {
    /// The pair's span, without the whitespace pest may have consumed after it (before an
    /// optional element that then did not match).
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let end = s.start() + pair.as_str().trim_end().len();
        Span::new(self.source, s.start() + self.offset, end + self.offset)
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn statement(&self, pair: Pair<Rule>) -> Built<Statement> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::use_stmt => {
                let mut inner = children(pair);
                let target = inner.next().unwrap();
                let target = match target.as_rule() {
                    Rule::ident => UseTarget::Module(self.ident(target)),
                    _ => {
                        let span = self.span(&target);
                        UseTarget::Path {
                            path: self.string(target)?,
                            span,
                        }
                    }
                };
                StatementKind::Use {
                    target,
                    alias: inner.next().map(|p| self.ident(p)),
                }
            }
            Rule::fn_def => StatementKind::Function(Arc::new(self.function(pair)?)),
            Rule::assign => {
                let mut inner = pair.into_inner();
                let pattern = self.pattern(inner.next().unwrap());
                let mut value = self.expr(inner.next().unwrap())?;
                if let Some(rest) = inner.next() {
                    let mut items = vec![value];
                    for item in rest.into_inner() {
                        items.push(self.expr(item)?);
                    }
                    let span = items[0].span.to(items[items.len() - 1].span);
                    value = Expr {
                        kind: ExprKind::Tuple(items),
                        span,
                    };
                }
                StatementKind::Assign { pattern, value }
            }
            _ => StatementKind::Expr(self.expr(pair)?),
        };
        Ok(Statement { kind, span })
    }

    fn pattern(&self, pair: Pair<Rule>) -> Pattern {
        let span = self.span(&pair);
        let trailing_comma = pair.as_str().trim_end().ends_with(',');
        let mut items: Vec<Pattern> = pair
            .into_inner()
            .map(|p| match p.as_rule() {
                Rule::ident => Pattern::Name(self.ident(p)),
                _ => self.pattern(p),
            })
            .collect();
        if items.len() == 1 && !trailing_comma {
            items.pop().unwrap()
        } else {
            Pattern::Tuple { items, span }
        }
    }

    /// `fn name(params) body` (named) or `fn(params) body` (lambda).
    fn function(&self, pair: Pair<Rule>) -> Built<Function> {
        let span = self.span(&pair);
        let mut inner = children(pair).peekable();
        let name = match inner.peek().map(|p| p.as_rule()) {
            Some(Rule::ident) => Some(self.ident(inner.next().unwrap())),
            _ => None,
        };
        let mut params: Vec<Param> = Vec::new();
        for param in inner.next().unwrap().into_inner() {
            let mut parts = param.into_inner();
            let name = self.ident(parts.next().unwrap());
            if let Some(previous) = params.iter().find(|p| p.name.name == name.name) {
                return Err(Diagnostic::error(
                    "flow::parse::duplicate_parameter",
                    format!("parameter `{}` is declared twice", name.name),
                    name.span,
                )
                .with_label("second declaration")
                .with_note(previous.name.span, "first declared here")
                .with_help("give each parameter its own name"));
            }
            let default = parts.next().map(|p| self.expr(p)).transpose()?;
            if default.is_none() {
                if let Some(with_default) = params.iter().find(|p| p.default.is_some()) {
                    return Err(Diagnostic::error(
                        "flow::parse::parameter_order",
                        format!(
                            "parameter `{}` has no default but follows one that has",
                            name.name
                        ),
                        name.span,
                    )
                    .with_label("needs a default")
                    .with_note(with_default.name.span, "this parameter has a default")
                    .with_help("put parameters without defaults first"));
                }
            }
            params.push(Param { name, default });
        }
        let body_pair = inner.next().unwrap();
        let body = match body_pair.as_rule() {
            Rule::block => self.block(body_pair)?,
            _ => self.expr(body_pair)?,
        };
        Ok(Function {
            name,
            params,
            body,
            span,
        })
    }

    fn block(&self, pair: Pair<Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let mut statements = pair
            .into_inner()
            .map(|p| self.statement(p))
            .collect::<Built<Vec<_>>>()?;
        let last = statements.pop().expect("grammar: a block has a statement");
        let value = match last.kind {
            StatementKind::Expr(expr) => expr,
            _ => {
                return Err(Diagnostic::error(
                    "flow::parse::block_without_value",
                    "a function body must end with an expression",
                    last.span,
                )
                .with_label("the last line binds a name but gives no value")
                .with_help("end the body with the expression the function returns"))
            }
        };
        Ok(Expr {
            kind: ExprKind::Block {
                statements,
                value: Box::new(value),
            },
            span,
        })
    }

    fn expr(&self, pair: Pair<Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::if_expr => {
                let mut inner = children(pair);
                let condition = Box::new(self.expr(inner.next().unwrap())?);
                let then = Box::new(self.expr(inner.next().unwrap())?);
                let otherwise = Box::new(self.expr(inner.next().unwrap())?);
                Ok(Expr {
                    kind: ExprKind::If {
                        condition,
                        then,
                        otherwise,
                    },
                    span,
                })
            }
            Rule::lambda => Ok(Expr {
                kind: ExprKind::Lambda(Arc::new(self.function(pair)?)),
                span,
            }),
            Rule::operation => Ok(self.operation(pair.into_inner())?.expr),
            _ => Ok(self.primary(pair)?.expr),
        }
    }

    fn operation(&self, pairs: Pairs<Rule>) -> Built<Operand> {
        pratt()
            .map_primary(|primary| self.primary(primary))
            .map_prefix(|op, operand| {
                let operand = operand?.expr;
                let span = self.span(&op).to(operand.span);
                let op = match op.as_rule() {
                    Rule::negate => UnaryOp::Negate,
                    Rule::invert => UnaryOp::Invert,
                    Rule::plus => UnaryOp::Plus,
                    _ => UnaryOp::Not,
                };
                Ok(plain(Expr {
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                    span,
                }))
            })
            .map_postfix(|operand, op| {
                let operand = operand?.expr;
                let span = operand.span.to(self.span(&op));
                let object = Box::new(operand);
                let kind = match op.as_rule() {
                    Rule::call => ExprKind::Call {
                        callee: object,
                        args: self.arguments(op)?,
                    },
                    Rule::attribute => ExprKind::Attribute {
                        object,
                        name: self.ident(op.into_inner().next().unwrap()),
                    },
                    _ => ExprKind::Index {
                        object,
                        subscripts: self.subscripts(op)?,
                    },
                };
                Ok(plain(Expr { kind, span }))
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op_span = self.span(&op);
                let op = match op.as_rule() {
                    Rule::pipe => return self.pipe(lhs.expr, rhs.expr, op_span).map(plain),
                    Rule::or_op => BinaryOp::Or,
                    Rule::and_op => BinaryOp::And,
                    Rule::either => BinaryOp::Either,
                    Rule::both => BinaryOp::Both,
                    Rule::xor => BinaryOp::Xor,
                    Rule::shl => BinaryOp::ShiftLeft,
                    Rule::shr => BinaryOp::ShiftRight,
                    Rule::eq => BinaryOp::Equal,
                    Rule::ne => BinaryOp::NotEqual,
                    Rule::lt => BinaryOp::Less,
                    Rule::le => BinaryOp::LessEqual,
                    Rule::gt => BinaryOp::Greater,
                    Rule::ge => BinaryOp::GreaterEqual,
                    Rule::in_op => BinaryOp::In,
                    Rule::not_in => BinaryOp::NotIn,
                    Rule::add => BinaryOp::Add,
                    Rule::sub => BinaryOp::Subtract,
                    Rule::multiply => BinaryOp::Multiply,
                    Rule::divide => BinaryOp::Divide,
                    Rule::floor_divide => BinaryOp::FloorDivide,
                    Rule::modulo => BinaryOp::Modulo,
                    Rule::matmul => BinaryOp::MatMul,
                    _ => BinaryOp::Power,
                };
                if op.is_comparison() && !lhs.parenthesized {
                    if let ExprKind::Binary { op: first, .. } = &lhs.expr.kind {
                        if first.is_comparison() {
                            return Err(Diagnostic::error(
                                "flow::parse::chained_comparison",
                                "comparisons cannot be chained",
                                lhs.expr.span.to(rhs.expr.span),
                            )
                            .with_label(format!("`{}` after `{}`", op.symbol(), first.symbol()))
                            .with_help(
                                "write `a < b and b < c`, or add parentheses to compare the result",
                            ));
                        }
                    }
                }
                let span = lhs.expr.span.to(rhs.expr.span);
                Ok(plain(Expr {
                    kind: ExprKind::Binary {
                        op,
                        lhs: Box::new(lhs.expr),
                        rhs: Box::new(rhs.expr),
                    },
                    span,
                }))
            })
            .parse(pairs)
    }

    /// `x |> f(a)` is `f(x, a)`; `x |> f` is `f(x)`.
    fn pipe(&self, input: Expr, target: Expr, op_span: Span) -> Built<Expr> {
        let span = input.span.to(target.span);
        match target.kind {
            ExprKind::Call { callee, mut args } => {
                args.insert(
                    0,
                    Argument {
                        name: None,
                        value: input,
                    },
                );
                Ok(Expr {
                    kind: ExprKind::Call { callee, args },
                    span,
                })
            }
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Lambda(_) => Ok(Expr {
                kind: ExprKind::Call {
                    callee: Box::new(target),
                    args: vec![Argument {
                        name: None,
                        value: input,
                    }],
                },
                span,
            }),
            _ => Err(Diagnostic::error(
                "flow::parse::bad_pipe",
                "the right side of `|>` must be a function or a call",
                target.span,
            )
            .with_label("not a function")
            .with_note(op_span, "the pipe")
            .with_help("write `x |> f(a)`, which means `f(x, a)`")),
        }
    }

    fn arguments(&self, pair: Pair<Rule>) -> Built<Vec<Argument>> {
        let mut args: Vec<Argument> = Vec::new();
        for arg in pair.into_inner() {
            let argument = if arg.as_rule() == Rule::keyword_argument {
                let mut inner = arg.into_inner();
                let name = self.ident(inner.next().unwrap());
                if let Some(previous) = args
                    .iter()
                    .filter_map(|a| a.name.as_ref())
                    .find(|n| n.name == name.name)
                {
                    return Err(Diagnostic::error(
                        "flow::parse::duplicate_argument",
                        format!("keyword argument `{}` is given twice", name.name),
                        name.span,
                    )
                    .with_label("second time")
                    .with_note(previous.span, "first given here")
                    .with_help("give each argument once"));
                }
                Argument {
                    name: Some(name),
                    value: self.expr(inner.next().unwrap())?,
                }
            } else {
                let value = self.expr(arg)?;
                if let Some(keyword) = args.iter().rev().find_map(|a| a.name.as_ref()) {
                    return Err(Diagnostic::error(
                        "flow::parse::positional_after_keyword",
                        "positional argument after a keyword argument",
                        value.span,
                    )
                    .with_label("positional")
                    .with_note(keyword.span, "keyword argument given before it")
                    .with_help("put positional arguments first"));
                }
                Argument { name: None, value }
            };
            args.push(argument);
        }
        Ok(args)
    }

    fn subscripts(&self, pair: Pair<Rule>) -> Built<Vec<Subscript>> {
        pair.into_inner()
            .map(|subscript| {
                let span = self.span(&subscript);
                let mut start = None;
                let mut tail = None;
                for part in subscript.into_inner() {
                    match part.as_rule() {
                        Rule::slice_tail => tail = Some(part),
                        _ => start = Some(self.expr(part)?),
                    }
                }
                let Some(tail) = tail else {
                    return Ok(Subscript::Index(start.expect("grammar: index or slice")));
                };
                let (mut stop, mut step) = (None, None);
                for part in tail.into_inner() {
                    let value = self.expr(part.clone().into_inner().next().unwrap())?;
                    match part.as_rule() {
                        Rule::slice_stop => stop = Some(value),
                        _ => step = Some(value),
                    }
                }
                Ok(Subscript::Slice {
                    start,
                    stop,
                    step,
                    span,
                })
            })
            .collect()
    }

    fn primary(&self, pair: Pair<Rule>) -> Built<Operand> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::integer => {
                let digits = pair.as_str().replace('_', "");
                match digits.parse::<i64>() {
                    Ok(value) => ExprKind::Int(value),
                    Err(_) => {
                        return Err(Diagnostic::error(
                            "flow::parse::integer_too_large",
                            "integer literal does not fit in 64 bits",
                            span,
                        )
                        .with_label("too large")
                        .with_help("write it as a float, e.g. `1e20`"))
                    }
                }
            }
            Rule::float => ExprKind::Float(
                pair.as_str()
                    .replace('_', "")
                    .parse::<f64>()
                    .unwrap_or(f64::NAN),
            ),
            Rule::string | Rule::raw_string => ExprKind::Str(self.string(pair)?),
            Rule::fstring => ExprKind::FormatString(self.format_string(pair)?),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_none => ExprKind::None,
            Rule::ellipsis => ExprKind::Ellipsis,
            Rule::ident => ExprKind::Name(pair.as_str().to_string()),
            Rule::operation => return self.operation(pair.into_inner()),
            Rule::if_expr | Rule::lambda => return Ok(plain(self.expr(pair)?)),
            Rule::parenthesized => {
                let mut inner = pair.into_inner();
                let Some(first) = inner.next() else {
                    return Ok(plain(Expr {
                        kind: ExprKind::Tuple(vec![]),
                        span,
                    }));
                };
                let first = self.expr(first)?;
                match inner.next() {
                    None => {
                        return Ok(Operand {
                            expr: Expr {
                                kind: first.kind,
                                span,
                            },
                            parenthesized: true,
                        });
                    }
                    Some(rest) => {
                        let mut items = vec![first];
                        for item in rest.into_inner() {
                            items.push(self.expr(item)?);
                        }
                        ExprKind::Tuple(items)
                    }
                }
            }
            Rule::list => {
                let mut inner = pair.into_inner();
                let Some(first) = inner.next() else {
                    return Ok(plain(Expr {
                        kind: ExprKind::List(vec![]),
                        span,
                    }));
                };
                let first = self.expr(first)?;
                let mut clauses = Vec::new();
                let mut items = vec![];
                for part in inner {
                    match part.as_rule() {
                        Rule::list_rest => {
                            for item in part.into_inner() {
                                items.push(self.expr(item)?);
                            }
                        }
                        Rule::comprehension_for => {
                            let mut parts = children(part);
                            let pattern = self.pattern(parts.next().unwrap());
                            let iterable = self.expr(parts.next().unwrap())?;
                            clauses.push(Clause::For { pattern, iterable });
                        }
                        _ => clauses.push(Clause::If(self.expr(children(part).next().unwrap())?)),
                    }
                }
                if clauses.is_empty() {
                    items.insert(0, first);
                    ExprKind::List(items)
                } else {
                    ExprKind::Comprehension {
                        element: Box::new(first),
                        clauses,
                    }
                }
            }
            Rule::record => {
                let mut fields: Vec<(Ident, Expr)> = Vec::new();
                for field in pair.into_inner() {
                    let mut parts = field.into_inner();
                    let key = parts.next().unwrap();
                    let key = match key.as_rule() {
                        Rule::ident => self.ident(key),
                        _ => {
                            let span = self.span(&key);
                            Ident {
                                name: self.string(key)?,
                                span,
                            }
                        }
                    };
                    if let Some((previous, _)) = fields.iter().find(|(k, _)| k.name == key.name) {
                        return Err(Diagnostic::error(
                            "flow::parse::duplicate_field",
                            format!("field `{}` appears twice in the record", key.name),
                            key.span,
                        )
                        .with_label("second time")
                        .with_note(previous.span, "first here")
                        .with_help("give each field once"));
                    }
                    fields.push((key, self.expr(parts.next().unwrap())?));
                }
                ExprKind::Record(fields)
            }
            rule => unreachable!("primary {rule:?}"),
        };
        Ok(plain(Expr { kind, span }))
    }

    /// The value of a string literal, escapes resolved.
    fn string(&self, pair: Pair<Rule>) -> Built<String> {
        let raw = pair.as_rule() == Rule::raw_string;
        let body = pair.into_inner().next().expect("string body");
        if raw {
            return Ok(body.as_str().to_string());
        }
        let start = self.span(&body).start as usize;
        unescape(body.as_str(), self.source, start)
    }

    fn format_string(&self, pair: Pair<Rule>) -> Built<Vec<FormatPart>> {
        let mut parts = Vec::new();
        for piece in pair.into_inner() {
            match piece.as_rule() {
                Rule::fstring_hole => {
                    let mut inner = piece.into_inner();
                    let value = self.expr(inner.next().unwrap())?;
                    let spec = inner
                        .next()
                        .and_then(|s| s.into_inner().next())
                        .map(|s| s.as_str().to_string());
                    parts.push(FormatPart::Hole { value, spec });
                }
                _ => {
                    let start = self.span(&piece).start as usize;
                    let text = unescape(
                        &piece.as_str().replace("{{", "{").replace("}}", "}"),
                        self.source,
                        start,
                    )?;
                    parts.push(FormatPart::Text(text));
                }
            }
        }
        Ok(parts)
    }
}

fn plain(expr: Expr) -> Operand {
    Operand {
        expr,
        parenthesized: false,
    }
}

fn unescape(body: &str, source: SourceId, start: usize) -> Built<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, escaped)) = chars.next() else {
            break;
        };
        match escaped {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            '{' => out.push('{'),
            '}' => out.push('}'),
            'u' => {
                let rest = &body[i + 2..];
                let code = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .and_then(|(hex, _)| {
                        u32::from_str_radix(hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .map(|c| (c, hex.len()))
                    });
                match code {
                    Some((c, len)) => {
                        out.push(c);
                        for _ in 0..len + 2 {
                            chars.next();
                        }
                    }
                    None => {
                        return Err(Diagnostic::error(
                            "flow::parse::bad_escape",
                            "invalid unicode escape",
                            Span::new(source, start + i, start + i + 2),
                        )
                        .with_label("here")
                        .with_help("write a code point as `\\u{1F600}`"))
                    }
                }
            }
            other => {
                return Err(Diagnostic::error(
                    "flow::parse::bad_escape",
                    format!("unknown escape `\\{other}`"),
                    Span::new(source, start + i, start + i + 1 + other.len_utf8()),
                )
                .with_label("not an escape")
                .with_help(
                    "known escapes: \\n \\t \\r \\0 \\\\ \\\" \\' \\u{…}; use r\"…\" for raw text",
                ))
            }
        }
    }
    Ok(out)
}

/// The span of the first expression deeper than [`MAX_EXPRESSION_DEPTH`], if any. Recurses at
/// most that deep, so it is safe on any tree the parser builds.
fn too_deep_statement(top: &Statement) -> Option<Span> {
    fn expr(e: &Expr, budget: usize) -> bool {
        if budget == 0 {
            return true;
        }
        let b = budget - 1;
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Ellipsis
            | ExprKind::Name(_) => false,
            ExprKind::FormatString(parts) => parts
                .iter()
                .any(|p| matches!(p, FormatPart::Hole { value, .. } if expr(value, b))),
            ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().any(|i| expr(i, b)),
            ExprKind::Record(fields) => fields.iter().any(|(_, v)| expr(v, b)),
            ExprKind::Comprehension { element, clauses } => {
                expr(element, b)
                    || clauses.iter().any(|c| match c {
                        Clause::For { iterable, .. } => expr(iterable, b),
                        Clause::If(condition) => expr(condition, b),
                    })
            }
            ExprKind::Unary { operand, .. } => expr(operand, b),
            ExprKind::Binary { lhs, rhs, .. } => expr(lhs, b) || expr(rhs, b),
            ExprKind::Call { callee, args } => {
                expr(callee, b) || args.iter().any(|a| expr(&a.value, b))
            }
            ExprKind::Attribute { object, .. } => expr(object, b),
            ExprKind::Index { object, subscripts } => {
                expr(object, b)
                    || subscripts.iter().any(|s| match s {
                        Subscript::Index(i) => expr(i, b),
                        Subscript::Slice {
                            start, stop, step, ..
                        } => [start, stop, step]
                            .iter()
                            .any(|p| p.as_ref().is_some_and(|p| expr(p, b))),
                    })
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => expr(condition, b) || expr(then, b) || expr(otherwise, b),
            ExprKind::Lambda(function) => function_too_deep(function, b),
            ExprKind::Block { statements, value } => {
                statements.iter().any(|s| statement(s, b)) || expr(value, b)
            }
        }
    }
    fn function_too_deep(function: &Function, budget: usize) -> bool {
        function
            .params
            .iter()
            .any(|p| p.default.as_ref().is_some_and(|d| expr(d, budget)))
            || expr(&function.body, budget)
    }
    fn statement(s: &Statement, budget: usize) -> bool {
        match &s.kind {
            StatementKind::Use { .. } => false,
            StatementKind::Function(function) => function_too_deep(function, budget),
            StatementKind::Assign { value, .. } => expr(value, budget),
            StatementKind::Expr(value) => expr(value, budget),
        }
    }
    statement(top, MAX_EXPRESSION_DEPTH).then_some(top.span)
}

/// A pest error as a diagnostic: "unexpected X", labelled with what was expected.
fn syntax_error(
    error: pest::error::Error<Rule>,
    text: &str,
    source: SourceId,
    offset: usize,
) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let position = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = token_at(text, position);
    let end = position + found.len().max(if position < text.len() { 1 } else { 0 });
    let span = Span::new(
        source,
        offset + position,
        offset + end.min(text.len()).max(position),
    );
    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let message = match found.chars().next() {
        None => "unexpected end of statement".to_string(),
        Some(c) if is_invisible(c) => format!("unexpected {}", invisible_name(c)),
        Some(_) => format!("unexpected `{found}`"),
    };
    Diagnostic::error("flow::parse::unexpected", message, span)
        .with_label(if expected.is_empty() {
            "not understood here".to_string()
        } else {
            format!("expected {expected}")
        })
        .with_help(HELP_FOR_SYNTAX)
}

const HELP_FOR_SYNTAX: &str = "see docs/language.md for the syntax";

/// A character that shows as nothing (or as a space) where a diagnostic quotes it.
fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\n')
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}')
}

/// An invisible character named so it can be found: `character U+0000 (NUL)`.
fn invisible_name(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\t' => " (tab)",
        '\r' => " (carriage return)",
        '\u{a0}' => " (no-break space)",
        '\u{200b}' => " (zero-width space)",
        '\u{feff}' => " (byte order mark)",
        _ => "",
    };
    format!("character U+{:04X}{name}", c as u32)
}

fn token_at(text: &str, position: usize) -> &str {
    let rest = &text[position.min(text.len())..];
    let rest = rest.split(['\n']).next().unwrap_or("");
    let first = match rest.chars().next() {
        None => return "",
        Some(c) => c,
    };
    let end = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    &rest[..end]
}

fn describe_expected(rules: &[Rule]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for rule in rules {
        let name = match rule {
            Rule::EOI => "the end of the statement",
            Rule::expr
            | Rule::operation
            | Rule::primary
            | Rule::if_expr
            | Rule::lambda
            | Rule::integer
            | Rule::float
            | Rule::string
            | Rule::raw_string
            | Rule::fstring
            | Rule::ident
            | Rule::list
            | Rule::record
            | Rule::parenthesized
            | Rule::kw_true
            | Rule::kw_false
            | Rule::kw_none
            | Rule::ellipsis
            | Rule::prefix
            | Rule::negate
            | Rule::invert
            | Rule::plus
            | Rule::not_op
            | Rule::subscript
            | Rule::slice_tail => "an expression",
            Rule::infix
            | Rule::pipe
            | Rule::or_op
            | Rule::and_op
            | Rule::either
            | Rule::both
            | Rule::xor
            | Rule::shl
            | Rule::shr
            | Rule::eq
            | Rule::ne
            | Rule::lt
            | Rule::le
            | Rule::gt
            | Rule::ge
            | Rule::in_op
            | Rule::not_in
            | Rule::add
            | Rule::sub
            | Rule::multiply
            | Rule::divide
            | Rule::floor_divide
            | Rule::modulo
            | Rule::matmul
            | Rule::power => "an operator",
            Rule::postfix | Rule::call | Rule::index | Rule::attribute => "`(`, `[` or `.`",
            Rule::params => "a parameter list `(…)`",
            Rule::param => "a parameter name",
            Rule::block => "`{`",
            Rule::keyword_argument | Rule::argument => "an argument",
            Rule::pattern => "a name",
            Rule::field => "a field `name: value`",
            Rule::comprehension_for => "`for`",
            Rule::comprehension_if => "`if`",
            Rule::tuple_rest | Rule::list_rest => "`,`",
            Rule::fstring_hole | Rule::fstring_text_double | Rule::fstring_text_single => {
                "text or `{`"
            }
            Rule::format_spec => "a format spec",
            _ => "something else",
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.len() {
        0 => String::new(),
        1 => names[0].to_string(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(text: &str) -> Program {
        let (program, diagnostics) = parse_program(text, SourceId(0));
        assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
        program
    }

    fn expression_sexpr(text: &str) -> String {
        match &parses(text).statements[0].kind {
            StatementKind::Expr(e) => super::super::dump::sexpr(e),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn power_binds_tighter_than_unary_minus_and_is_right_associative() {
        let dump = expression_sexpr("-x ** 2 ** 3");
        assert!(
            dump.contains("(negate (** (name x) (** (int 2) (int 3))))"),
            "{dump}"
        );
    }

    #[test]
    fn pipe_becomes_a_call_with_the_input_first() {
        let dump = expression_sexpr("x |> f(1)");
        assert!(dump.contains("(call (name f) (name x) (int 1))"), "{dump}");
    }

    #[test]
    fn one_bad_statement_does_not_hide_the_next() {
        let (program, diagnostics) = parse_program("x = (1 +)\ny = 2\nz = ]", SourceId(0));
        assert_eq!(program.statements.len(), 1);
        assert_eq!(diagnostics.len(), 2);
    }
}
