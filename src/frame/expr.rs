//! Column expressions (`col("DepDelay") > 20`, `mean("DepDelay")`): a small tree that the
//! checker types against a frame's schema — an unknown column or a comparison of text with a
//! number is an error with the place it was written, before any row is read — and that becomes
//! a polars expression when the frame is computed.

use super::{ColType, Schema};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use polars::prelude as pl;
use polars::prelude::NamedFrom;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The operators expressions take: arithmetic, comparisons, and `&`/`|` (also written `and`/`or`).
pub use crate::syntax::ast::BinaryOp;

fn is_comparison(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual
    )
}

fn is_logical(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::And | BinaryOp::Or | BinaryOp::Both | BinaryOp::Either
    )
}

/// Does a column expression take this operator?
pub fn supported(op: BinaryOp) -> bool {
    use BinaryOp::*;
    is_comparison(op) || is_logical(op) || matches!(op, Add | Subtract | Multiply | Divide)
}

/// Aggregations of a column within groups (or over the whole frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    Sum,
    Mean,
    Min,
    Max,
    Count,
    Std,
    Var,
    NUnique,
    First,
    Last,
}

impl Agg {
    pub const ALL: &'static [Agg] = &[
        Agg::Sum,
        Agg::Mean,
        Agg::Min,
        Agg::Max,
        Agg::Count,
        Agg::Std,
        Agg::Var,
        Agg::NUnique,
        Agg::First,
        Agg::Last,
    ];

    pub fn name(self) -> &'static str {
        use Agg::*;
        match self {
            Sum => "sum",
            Mean => "mean",
            Min => "min",
            Max => "max",
            Count => "count",
            Std => "std",
            Var => "var",
            NUnique => "n_unique",
            First => "first",
            Last => "last",
        }
    }

    pub fn from_name(name: &str) -> Option<Agg> {
        use Agg::*;
        Some(match name {
            "sum" => Sum,
            "mean" => Mean,
            "min" => Min,
            "max" => Max,
            "count" => Count,
            "std" => Std,
            "var" => Var,
            "n_unique" => NUnique,
            "first" => First,
            "last" => Last,
            _ => return None,
        })
    }

    /// The type of the aggregate of a column of `input`.
    pub fn result(self, input: ColType) -> ColType {
        use Agg::*;
        match self {
            Count | NUnique => ColType::Int,
            Mean | Std | Var => ColType::Float,
            Sum if input == ColType::Bool => ColType::Int,
            _ => input,
        }
    }

    /// The aggregation of the values of `a` (within a group, or all of them).
    pub fn to_polars(self, a: pl::Expr) -> pl::Expr {
        use Agg::*;
        match self {
            Sum => a.sum(),
            Mean => missing_nan(a.mean()),
            Min => a.min(),
            Max => a.max(),
            Count => a.count().cast(pl::DataType::Int64),
            Std => missing_nan(a.std(1)),
            Var => missing_nan(a.var(1)),
            // Missing values are skipped, as pandas' `nunique`, `first` and `last` do.
            NUnique => a.drop_nulls().n_unique().cast(pl::DataType::Int64),
            First => a.drop_nulls().first(),
            Last => a.drop_nulls().last(),
        }
    }

    fn needs_numbers(self) -> bool {
        matches!(self, Agg::Sum | Agg::Mean | Agg::Std | Agg::Var)
    }
}

/// A float result with NaN (a mean or spread of infinities) made missing, as pandas takes NaN.
pub fn missing_nan(x: pl::Expr) -> pl::Expr {
    x.fill_nan(pl::lit(pl::NULL).cast(pl::DataType::Float64))
}

/// A literal in an expression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Literal {
    Int(i64),
    Float(#[serde(with = "crate::text::float")] f64),
    Str(String),
    Bool(bool),
}

impl Literal {
    fn col_type(&self) -> ColType {
        match self {
            Literal::Int(_) => ColType::Int,
            Literal::Float(_) => ColType::Float,
            Literal::Str(_) => ColType::Str,
            Literal::Bool(_) => ColType::Bool,
        }
    }

    fn to_polars(&self) -> pl::Expr {
        match self {
            Literal::Int(i) => pl::lit(*i),
            Literal::Float(f) => pl::lit(*f),
            Literal::Str(s) => pl::lit(s.as_str()),
            Literal::Bool(b) => pl::lit(*b),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Literal::Int(i) => i.to_string(),
            Literal::Float(f) => crate::text::float_repr(*f),
            Literal::Str(s) => crate::text::quote(s),
            Literal::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    Column(String),
    Literal(Literal),
    Binary(BinaryOp, Arc<Expr>, Arc<Expr>),
    Not(Arc<Expr>),
    Negate(Arc<Expr>),
    IsNull(Arc<Expr>),
    IsIn(Arc<Expr>, Vec<Literal>),
    Agg(Agg, Arc<Expr>),
    Alias(Arc<Expr>, String),
}

/// An expression and the source span that wrote it. The span is where it was written, not
/// what it computes: it is neither compared nor written out.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "Node", into = "Node")]
pub struct Expr {
    pub node: Node,
    pub span: Span,
}

impl From<Node> for Expr {
    fn from(node: Node) -> Expr {
        Expr {
            node,
            span: Span::default(),
        }
    }
}

impl From<Expr> for Node {
    fn from(expr: Expr) -> Node {
        expr.node
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        self.node == other.node
    }
}

impl Expr {
    pub fn new(node: Node, span: Span) -> Arc<Expr> {
        Arc::new(Expr { node, span })
    }

    /// The name of the column the expression makes (polars' rule: the leftmost column's).
    pub fn output_name(&self) -> String {
        match &self.node {
            Node::Column(name) | Node::Alias(_, name) => name.clone(),
            Node::Literal(l) => match l {
                Literal::Str(_) => "literal".into(),
                other => other.text(),
            },
            Node::Binary(_, a, _) => a.output_name(),
            Node::Not(a)
            | Node::Negate(a)
            | Node::IsNull(a)
            | Node::IsIn(a, _)
            | Node::Agg(_, a) => a.output_name(),
        }
    }

    pub fn is_aggregation(&self) -> bool {
        match &self.node {
            Node::Agg(..) => true,
            Node::Alias(a, _) | Node::Not(a) | Node::Negate(a) => a.is_aggregation(),
            Node::Binary(_, a, b) => a.is_aggregation() || b.is_aggregation(),
            _ => false,
        }
    }

    /// Flow source text of the expression, for displays and messages.
    pub fn text(&self) -> String {
        match &self.node {
            Node::Column(name) => format!("col({})", crate::text::quote(name)),
            Node::Literal(l) => l.text(),
            Node::Binary(op, a, b) => format!("({} {} {})", a.text(), op.symbol(), b.text()),
            Node::Not(a) => format!("not {}", a.text()),
            Node::Negate(a) => format!("-{}", a.text()),
            Node::IsNull(a) => format!("{}.is_null()", a.text()),
            Node::IsIn(a, values) => format!(
                "{}.is_in([{}])",
                a.text(),
                values
                    .iter()
                    .map(Literal::text)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Node::Agg(agg, a) => format!("{}.{}()", a.text(), agg.name()),
            Node::Alias(a, name) => {
                format!("{}.alias({})", a.text(), crate::text::quote(name))
            }
        }
    }

    /// The type of the expression's values in a frame of `schema`; every mistake is reported
    /// with the span of the part that makes it.
    pub fn check(&self, schema: &Schema) -> Result<ColType, Box<Diagnostic>> {
        match &self.node {
            Node::Column(name) => match schema.iter().find(|(n, _)| n == name) {
                Some((_, ty)) => Ok(*ty),
                None => Err(unknown_column(name, schema, self.span)),
            },
            Node::Literal(l) => Ok(l.col_type()),
            Node::Binary(op, a, b) => {
                let (ta, tb) = (a.check(schema)?, b.check(schema)?);
                binary_type(*op, ta, tb).ok_or_else(|| {
                    Box::new(
                        Diagnostic::error(
                            "flow::check::column_type",
                            format!(
                                "cannot apply `{}` to {} and {}",
                                op.symbol(),
                                ta.describe(),
                                tb.describe()
                            ),
                            self.span,
                        )
                        .with_label(format!("{} {} {}", ta.name(), op.symbol(), tb.name()))
                        .with_help(if is_logical(*op) {
                            "`&` and `|` combine conditions (bool columns)"
                        } else {
                            "compare text with text and numbers with numbers"
                        }),
                    )
                })
            }
            Node::Not(a) => match a.check(schema)? {
                ColType::Bool => Ok(ColType::Bool),
                other => Err(type_error(a, "a condition (bool)", other)),
            },
            Node::Negate(a) => match a.check(schema)? {
                t @ (ColType::Int | ColType::Float) => Ok(t),
                other => Err(type_error(a, "a number", other)),
            },
            Node::IsNull(a) => a.check(schema).map(|_| ColType::Bool),
            Node::IsIn(a, values) => {
                let ta = a.check(schema)?;
                for v in values {
                    if binary_type(BinaryOp::Equal, ta, v.col_type()).is_none() {
                        return Err(type_error(a, &format!("comparable with {}", v.text()), ta));
                    }
                }
                Ok(ColType::Bool)
            }
            Node::Agg(agg, a) => {
                let ta = a.check(schema)?;
                if agg.needs_numbers()
                    && !matches!(ta, ColType::Int | ColType::Float | ColType::Bool)
                {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::column_type",
                            format!("cannot take the {} of {}", agg.name(), ta.describe()),
                            self.span,
                        )
                        .with_label(format!("{} column", ta.name()))
                        .with_help("sum, mean, std and var take numbers; count, min, max, first, last and n_unique take any column"),
                    ));
                }
                Ok(agg.result(ta))
            }
            Node::Alias(a, _) => a.check(schema),
        }
    }

    pub fn to_polars(&self) -> pl::Expr {
        self.to_polars_with(&mut |agg, inner| Some(agg.to_polars(inner.to_polars())))
            .expect("every aggregation has a polars expression")
    }

    /// The polars expression, with `aggregate` making the expression of each aggregation (of
    /// an inner expression); none when it makes none.
    pub fn to_polars_with(
        &self,
        aggregate: &mut dyn FnMut(Agg, &Expr) -> Option<pl::Expr>,
    ) -> Option<pl::Expr> {
        Some(match &self.node {
            Node::Column(name) => pl::col(name.as_str()),
            Node::Literal(l) => l.to_polars(),
            Node::Binary(op, a, b) => {
                let (a, b) = (a.to_polars_with(aggregate)?, b.to_polars_with(aggregate)?);
                use BinaryOp::*;
                match op {
                    Add => a + b,
                    Subtract => a - b,
                    Multiply => a * b,
                    Divide => true_division(a, b),
                    // Comparisons with a missing value are false (`!=` true), as pandas'
                    // are, so conditions never hold a missing value: `col("x") != 1` keeps
                    // the rows where x is missing.
                    Equal => a.eq(b).fill_null(pl::lit(false)),
                    NotEqual => a.neq(b).fill_null(pl::lit(true)),
                    Less => a.lt(b).fill_null(pl::lit(false)),
                    LessEqual => a.lt_eq(b).fill_null(pl::lit(false)),
                    Greater => a.gt(b).fill_null(pl::lit(false)),
                    GreaterEqual => a.gt_eq(b).fill_null(pl::lit(false)),
                    And | Both => a.and(b),
                    Or | Either => a.or(b),
                    other => unreachable!(
                        "`{}` is refused when the expression is built",
                        other.symbol()
                    ),
                }
            }
            Node::Not(a) => a.to_polars_with(aggregate)?.not(),
            Node::Negate(a) => pl::lit(0) - a.to_polars_with(aggregate)?,
            Node::IsNull(a) => a.to_polars_with(aggregate)?.is_null(),
            Node::IsIn(a, values) => {
                let name: pl::PlSmallStr = "values".into();
                let series = if values.iter().all(|v| matches!(v, Literal::Int(_))) {
                    let ints: Vec<i64> = values
                        .iter()
                        .map(|v| if let Literal::Int(i) = v { *i } else { 0 })
                        .collect();
                    pl::Series::new(name, ints)
                } else if values
                    .iter()
                    .all(|v| matches!(v, Literal::Int(_) | Literal::Float(_)))
                {
                    let floats: Vec<f64> = values
                        .iter()
                        .map(|v| match v {
                            Literal::Int(i) => *i as f64,
                            Literal::Float(f) => *f,
                            _ => f64::NAN,
                        })
                        .collect();
                    pl::Series::new(name, floats)
                } else if values.iter().all(|v| matches!(v, Literal::Bool(_))) {
                    let bools: Vec<bool> = values
                        .iter()
                        .map(|v| matches!(v, Literal::Bool(true)))
                        .collect();
                    pl::Series::new(name, bools)
                } else {
                    let texts: Vec<String> = values
                        .iter()
                        .map(|v| match v {
                            Literal::Str(s) => s.clone(),
                            other => other.text(),
                        })
                        .collect();
                    pl::Series::new(name, texts)
                };
                a.to_polars_with(aggregate)?
                    .is_in(pl::lit(series).implode(false), false)
                    .fill_null(pl::lit(false))
            }
            Node::Agg(agg, a) => aggregate(*agg, a)?,
            Node::Alias(a, name) => a.to_polars_with(aggregate)?.alias(name.as_str()),
        })
    }
}

/// `a / b` in f64, correctly rounded (polars divides by a single value as a multiplication
/// by its reciprocal: 248 / 3 came out one ulp low), with NaN (0 / 0) a missing value, as
/// pandas takes it.
fn true_division(a: pl::Expr, b: pl::Expr) -> pl::Expr {
    let float = |e: pl::Expr| e.cast(pl::DataType::Float64);
    float(a).map_many(
        |columns| {
            let (a, b) = (columns[0].f64()?, columns[1].f64()?);
            let quotient = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => Some(x / y).filter(|q| !q.is_nan()),
                _ => None,
            };
            let values: pl::Float64Chunked = match (a.len(), b.len()) {
                (n, 1) if n != 1 => {
                    let y = b.get(0);
                    a.iter().map(|x| quotient(x, y)).collect()
                }
                (1, n) if n != 1 => {
                    let x = a.get(0);
                    b.iter().map(|y| quotient(x, y)).collect()
                }
                _ => a
                    .iter()
                    .zip(b.iter())
                    .map(|(x, y)| quotient(x, y))
                    .collect(),
            };
            Ok(pl::IntoColumn::into_column(
                values.with_name(a.name().clone()),
            ))
        },
        &[float(b)],
        |_, fields| {
            Ok(pl::Field::new(
                fields[0].name().clone(),
                pl::DataType::Float64,
            ))
        },
    )
}

fn type_error(expr: &Expr, expected: &str, found: ColType) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "flow::check::column_type",
            format!("expected {expected}, found {}", found.describe()),
            expr.span,
        )
        .with_label(format!("{} values", found.name()))
        .with_help("check the column's type in the frame's schema"),
    )
}

/// The type of `a op b`, or none when they do not combine.
fn binary_type(op: BinaryOp, a: ColType, b: ColType) -> Option<ColType> {
    use ColType::*;
    let numeric = |t: ColType| matches!(t, Int | Float | Bool);
    if is_comparison(op) {
        let comparable = (numeric(a) && numeric(b))
            || a == b
            || a == Null
            || b == Null
            || matches!((a, b), (Date | Datetime, Str) | (Str, Date | Datetime));
        return comparable.then_some(Bool);
    }
    match op {
        _ if is_logical(op) => (a == Bool && b == Bool).then_some(Bool),
        BinaryOp::Divide => (numeric(a) && numeric(b)).then_some(Float),
        _ if numeric(a) && numeric(b) => Some(if a == Float || b == Float { Float } else { Int }),
        BinaryOp::Add if a == Str && b == Str => Some(Str),
        _ => None,
    }
}

pub fn unknown_column(name: &str, schema: &Schema, span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "flow::check::unknown_column",
            format!("no column `{name}` in the frame"),
            span,
        )
        .with_label("not a column")
        .with_help(crate::text::did_you_mean(
            name,
            schema.iter().map(|(n, _)| n.as_str()),
            "columns",
        )),
    )
}
