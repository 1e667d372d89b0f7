//! A frame's column taken as a value (`df.x`, and expressions over it) and a grouping waiting
//! for its aggregation (`df.groupby(keys)`): frame values besides the frame itself.

use super::expr::{Expr, Node};
use super::Frame;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::sync::Arc;

/// `df.groupby(keys)`, waiting for its aggregation; `column` after `.DepDelay` / `["DepDelay"]`.
pub struct GroupBy {
    pub frame: Arc<Frame>,
    pub keys: Vec<(String, Span)>,
    pub column: Option<(String, Span)>,
    /// Rows with a missing key are in no group (pandas' `dropna=True`).
    pub dropna: bool,
}

/// `df.x`, `df["x"]`, and what is built from them (`df.x * 2`, `df.x > 20`, `df.x.max()`): a
/// column expression that keeps the frame it was taken from. Inside frame operations it is the
/// expression (`df[df.x > 20]`); printed or computed it is the column's values (a number when
/// aggregated); where an array is wanted it is a lazy 1-d array, one chunk per partition.
pub struct Column {
    pub frame: Arc<Frame>,
    pub expr: Arc<Expr>,
}

impl Column {
    /// "column `x`", or the expression's text.
    pub fn describe(&self) -> String {
        match &self.expr.node {
            Node::Column(name) => format!("column `{name}`"),
            _ => format!("`{}`", self.expr.text()),
        }
    }

    /// What the REPL shows: `<column `DepDelay`: f64 of frame[…] (…) · lazy>`.
    pub fn summary(&self) -> String {
        let ty = self
            .expr
            .check(&self.frame.schema)
            .map_or("?", |t| t.name());
        format!("<{}: {ty} of {}>", self.describe(), self.frame.summary())
    }

    /// The frame of the column's values alone.
    pub fn values(&self) -> Result<Frame, Box<Diagnostic>> {
        self.frame.select(std::slice::from_ref(&self.expr))
    }
}

impl GroupBy {
    /// One row per group with `aggs` of it (see `Frame::group_by`).
    pub fn aggregate(&self, aggs: &[Arc<Expr>]) -> Result<Frame, Box<Diagnostic>> {
        self.frame.group_by(&self.keys, aggs, self.dropna)
    }
}
