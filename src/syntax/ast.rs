//! The abstract syntax tree. Every node carries the span it came from.

use crate::source::Span;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Program {
    pub statements: Vec<Statement>,
}

#[derive(Clone, Debug)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StatementKind {
    /// `use stats`, `use "path/to/file.flow" as helpers`
    Use {
        target: UseTarget,
        alias: Option<Ident>,
    },
    /// `fn name(params) = expr` or `fn name(params) { … }`
    Function(Arc<Function>),
    /// `x = expr`, `lo, hi = expr`
    Assign {
        pattern: Pattern,
        value: Expr,
    },
    Expr(Expr),
}

#[derive(Clone, Debug)]
pub enum UseTarget {
    Module(Ident),
    Path { path: String, span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Pattern {
    Name(Ident),
    Tuple { items: Vec<Pattern>, span: Span },
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Name(ident) => ident.span,
            Pattern::Tuple { span, .. } => *span,
        }
    }

    /// Every name the pattern binds, left to right.
    pub fn names(&self) -> Vec<&Ident> {
        match self {
            Pattern::Name(ident) => vec![ident],
            Pattern::Tuple { items, .. } => items.iter().flat_map(Pattern::names).collect(),
        }
    }
}

/// A named function or a lambda. The body of `{ … }` functions is an [`ExprKind::Block`].
#[derive(Debug)]
pub struct Function {
    pub name: Option<Ident>,
    pub params: Vec<Param>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: Ident,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    /// `f"…{x:.3f}…"`
    FormatString(Vec<FormatPart>),
    Bool(bool),
    None,
    /// `...` in an index
    Ellipsis,
    Name(String),
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Record(Vec<(Ident, Expr)>),
    Comprehension {
        element: Box<Expr>,
        clauses: Vec<Clause>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `f(a, b=1)`; `x |> f(a)` is parsed to `f(x, a)`.
    Call {
        callee: Box<Expr>,
        args: Vec<Argument>,
    },
    Attribute {
        object: Box<Expr>,
        name: Ident,
    },
    Index {
        object: Box<Expr>,
        subscripts: Vec<Subscript>,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Lambda(Arc<Function>),
    /// `{ statements; value }`, the body of a `fn … { … }`.
    Block {
        statements: Vec<Statement>,
        value: Box<Expr>,
    },
}

#[derive(Clone, Debug)]
pub enum FormatPart {
    Text(String),
    Hole { value: Expr, spec: Option<String> },
}

#[derive(Clone, Debug)]
pub enum Clause {
    For { pattern: Pattern, iterable: Expr },
    If(Expr),
}

#[derive(Clone, Debug)]
pub struct Argument {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Clone, Debug)]
pub enum Subscript {
    Index(Expr),
    Slice {
        start: Option<Expr>,
        stop: Option<Expr>,
        step: Option<Expr>,
        span: Span,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Negate,
    Plus,
    Not,
    /// `~`: bitwise not of ints, not of bools
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Modulo,
    Power,
    MatMul,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    In,
    NotIn,
    And,
    Or,
    /// `&`: elementwise and, for masks and frame filters
    Both,
    /// `|`: elementwise or
    Either,
    /// `^`: exclusive or (bitwise for ints)
    Xor,
    /// `<<`, `>>`: bit shifts of ints
    ShiftLeft,
    ShiftRight,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "+",
            Subtract => "-",
            Multiply => "*",
            Divide => "/",
            FloorDivide => "//",
            Modulo => "%",
            Power => "**",
            MatMul => "@",
            Equal => "==",
            NotEqual => "!=",
            Less => "<",
            LessEqual => "<=",
            Greater => ">",
            GreaterEqual => ">=",
            In => "in",
            NotIn => "not in",
            And => "and",
            Or => "or",
            Both => "&",
            Either => "|",
            Xor => "^",
            ShiftLeft => "<<",
            ShiftRight => ">>",
        }
    }

    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(
            self,
            Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual | In | NotIn
        )
    }
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Negate => "-",
            UnaryOp::Plus => "+",
            UnaryOp::Not => "not",
            UnaryOp::Invert => "~",
        }
    }
}

/// `use "lib/helpers.flow"` binds `helpers`.
pub fn module_name_of_path(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}
