//! Dataframes: lazy tables over CSV and Parquet files (one partition per file), on polars.
//! The schema is known while checking — read from every file's header and sampled rows and
//! unified across files — so unknown columns and type mistakes are errors before any row is
//! read. Each operation types its result and adds to a polars lazy plan, which runs (in parallel
//! over the files, with polars' own pushdowns) when a value is needed.

pub mod expr;
pub mod read;

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use expr::Expr;
use polars::prelude as pl;
use polars::prelude::IntoLazy;
use std::path::PathBuf;
use std::sync::Arc;

/// The type of a column, as the checker knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    Int,
    Float,
    Str,
    Bool,
    Date,
    Datetime,
    /// No value seen yet (an all-missing column): becomes what other files say, else text.
    Null,
    Other,
}

impl ColType {
    pub fn name(self) -> &'static str {
        match self {
            ColType::Int => "i64",
            ColType::Float => "f64",
            ColType::Str => "str",
            ColType::Bool => "bool",
            ColType::Date => "date",
            ColType::Datetime => "datetime",
            ColType::Null => "null",
            ColType::Other => "other",
        }
    }

    pub fn describe(self) -> String {
        match self {
            ColType::Str => "text (str)".into(),
            ColType::Int | ColType::Float => format!("numbers ({})", self.name()),
            other => format!("{} values", other.name()),
        }
    }

    pub fn parse(name: &str) -> Option<ColType> {
        Some(match name {
            "i64" | "int" | "i32" | "int64" | "int32" => ColType::Int,
            "f64" | "float" | "f32" | "float64" | "float32" => ColType::Float,
            "str" | "string" | "object" => ColType::Str,
            "bool" => ColType::Bool,
            "date" => ColType::Date,
            "datetime" => ColType::Datetime,
            _ => return None,
        })
    }

    pub fn of(dtype: &pl::DataType) -> ColType {
        use pl::DataType as D;
        match dtype {
            D::Int8
            | D::Int16
            | D::Int32
            | D::Int64
            | D::UInt8
            | D::UInt16
            | D::UInt32
            | D::UInt64 => ColType::Int,
            D::Float32 | D::Float64 => ColType::Float,
            D::String => ColType::Str,
            D::Boolean => ColType::Bool,
            D::Date => ColType::Date,
            D::Datetime(..) => ColType::Datetime,
            D::Null => ColType::Null,
            _ => ColType::Other,
        }
    }

    /// The polars type a column of this type is read as.
    pub fn polars(self) -> pl::DataType {
        match self {
            ColType::Int => pl::DataType::Int64,
            ColType::Float => pl::DataType::Float64,
            ColType::Bool => pl::DataType::Boolean,
            ColType::Date => pl::DataType::Date,
            ColType::Datetime => pl::DataType::Datetime(pl::TimeUnit::Microseconds, None),
            ColType::Str | ColType::Null | ColType::Other => pl::DataType::String,
        }
    }

    /// One type for a column that is `self` in some files and `other` in others: integers and
    /// floats make floats, a column missing everywhere so far takes the other's type, anything
    /// else mixed is text.
    pub fn unify(self, other: ColType) -> ColType {
        use ColType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Null, t) | (t, Null) => t,
            (Int, Float) | (Float, Int) => Float,
            (Bool, Int) | (Int, Bool) => Int,
            _ => Str,
        }
    }
}

pub type Schema = Vec<(String, ColType)>;

/// One file a frame reads, with its own scan (to find which file a failure comes from).
#[derive(Clone)]
pub struct Source {
    pub path: PathBuf,
    pub scan: pl::LazyFrame,
}

/// A lazy (or computed) dataframe.
#[derive(Clone)]
pub struct Frame {
    pub schema: Schema,
    pub lazy: pl::LazyFrame,
    /// The files it reads (its partitions).
    pub sources: Vec<Source>,
    /// The rows, once computed.
    pub computed: Option<Arc<pl::DataFrame>>,
    pub span: Span,
}

impl Frame {
    pub fn column_type(&self, name: &str) -> Option<ColType> {
        self.schema.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    pub fn check_column(&self, name: &str, span: Span) -> Result<ColType, Box<Diagnostic>> {
        self.column_type(name)
            .ok_or_else(|| expr::unknown_column(name, &self.schema, span))
    }

    /// A new lazy frame from this one by `step`, with `schema`.
    fn then(&self, schema: Schema, step: impl FnOnce(pl::LazyFrame) -> pl::LazyFrame) -> Frame {
        Frame {
            schema,
            lazy: step(self.lazy.clone()),
            sources: self.sources.clone(),
            computed: None,
            span: self.span,
        }
    }

    /// The computed frame (from the same plan; `Frame::computed` set).
    pub fn with_rows(&self, rows: pl::DataFrame) -> Frame {
        let lazy = rows.clone().lazy();
        Frame {
            schema: self.schema.clone(),
            lazy,
            sources: self.sources.clone(),
            computed: Some(Arc::new(rows)),
            span: self.span,
        }
    }

    pub fn collect(&self) -> Result<pl::DataFrame, String> {
        match &self.computed {
            Some(rows) => Ok((**rows).clone()),
            None => self
                .lazy
                .clone()
                .collect()
                .map_err(|e| self.locate_failure(&e.to_string())),
        }
    }

    /// A failure said in flow's terms: which file (each is read again on its own to find it),
    /// at which line when polars gives a byte offset, and polars' first line.
    fn locate_failure(&self, message: &str) -> String {
        let first_line = message.lines().next().unwrap_or(message).trim().to_string();
        let culprit = self
            .sources
            .iter()
            .find(|s| s.scan.clone().collect().is_err());
        let Some(source) = culprit else {
            return first_line;
        };
        let line = unparsed_value(message).and_then(|(value, column)| {
            let text = std::fs::read_to_string(&source.path).ok()?;
            // The first row holding the value in that column (or anywhere, if fields are
            // quoted or separated otherwise).
            let row = text.lines().position(|l| {
                l.split([',', ';', '\t', '|'])
                    .nth(column)
                    .is_some_and(|f| f.trim_matches('"') == value)
            });
            row.or_else(|| text.lines().position(|l| l.contains(&value)))
                .map(|r| r + 1)
        });
        match line {
            Some(line) => format!("`{}` line {line}: {first_line}", source.path.display()),
            None => format!("`{}`: {first_line}", source.path.display()),
        }
    }

    pub fn filter(&self, condition: &Expr) -> Result<Frame, Box<Diagnostic>> {
        match condition.check(&self.schema)? {
            ColType::Bool | ColType::Null => {}
            other => {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::column_type",
                        format!("a filter needs a condition, not {}", other.describe()),
                        condition.span,
                    )
                    .with_label(format!("{} values", other.name()))
                    .with_help("compare a column: col(\"x\") > 20"),
                ))
            }
        }
        let predicate = condition.to_polars();
        Ok(self.then(self.schema.clone(), |lf| lf.filter(predicate)))
    }

    /// Columns by expression (a name is `col(name)`); aggregations make one row.
    pub fn select(&self, exprs: &[Arc<Expr>]) -> Result<Frame, Box<Diagnostic>> {
        let mut schema = Vec::new();
        for e in exprs {
            schema.push((e.output_name(), e.check(&self.schema)?));
        }
        duplicate_names(&schema, exprs)?;
        let polars: Vec<pl::Expr> = exprs.iter().map(|e| e.to_polars()).collect();
        Ok(self.then(schema, |lf| lf.select(polars)))
    }

    /// New or replaced columns, computed from the others.
    pub fn with_columns(&self, exprs: &[Arc<Expr>]) -> Result<Frame, Box<Diagnostic>> {
        let mut schema = self.schema.clone();
        for e in exprs {
            let ty = e.check(&self.schema)?;
            let name = e.output_name();
            match schema.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = ty,
                None => schema.push((name, ty)),
            }
        }
        let polars: Vec<pl::Expr> = exprs.iter().map(|e| e.to_polars()).collect();
        Ok(self.then(schema, |lf| lf.with_columns(polars)))
    }

    pub fn rename(&self, pairs: &[(String, String)], span: Span) -> Result<Frame, Box<Diagnostic>> {
        let mut schema = self.schema.clone();
        for (old, new) in pairs {
            self.check_column(old, span)?;
            if let Some(slot) = schema.iter_mut().find(|(n, _)| n == old) {
                slot.0 = new.clone();
            }
        }
        let (old, new): (Vec<String>, Vec<String>) = pairs.iter().cloned().unzip();
        Ok(self.then(schema, |lf| lf.rename(old, new, true)))
    }

    /// The frame without the columns `names`.
    pub fn without(&self, names: &[(String, Span)]) -> Result<Frame, Box<Diagnostic>> {
        for (name, span) in names {
            self.check_column(name, *span)?;
        }
        let schema = self
            .schema
            .iter()
            .filter(|(n, _)| !names.iter().any(|(d, _)| d == n))
            .cloned()
            .collect();
        let dropped: Vec<pl::PlSmallStr> = names.iter().map(|(n, _)| n.as_str().into()).collect();
        Ok(self.then(schema, |lf| {
            lf.drop(pl::Selector::ByName {
                names: dropped.into(),
                strict: true,
            })
        }))
    }

    pub fn sort(&self, by: &[(String, Span)], descending: bool) -> Result<Frame, Box<Diagnostic>> {
        for (name, span) in by {
            self.check_column(name, *span)?;
        }
        let names: Vec<pl::PlSmallStr> = by.iter().map(|(n, _)| n.as_str().into()).collect();
        let options = pl::SortMultipleOptions::default()
            .with_order_descending(descending)
            .with_nulls_last(true)
            .with_maintain_order(true);
        Ok(self.then(self.schema.clone(), |lf| lf.sort(names, options)))
    }

    /// The first `n` rows: only as many rows as that are read.
    pub fn head(&self, n: usize) -> Frame {
        self.then(self.schema.clone(), |lf| lf.limit(n as pl::IdxSize))
    }

    pub fn unique(&self, subset: &[(String, Span)]) -> Result<Frame, Box<Diagnostic>> {
        for (name, span) in subset {
            self.check_column(name, *span)?;
        }
        let selector = (!subset.is_empty()).then(|| pl::Selector::ByName {
            names: subset
                .iter()
                .map(|(n, _)| pl::PlSmallStr::from(n.as_str()))
                .collect::<Vec<_>>()
                .into(),
            strict: true,
        });
        Ok(self.then(self.schema.clone(), |lf| {
            lf.unique_stable(selector, pl::UniqueKeepStrategy::First)
        }))
    }

    /// Group by `keys` and aggregate: one row per group, ordered by the keys (as pandas does).
    pub fn group_by(
        &self,
        keys: &[(String, Span)],
        aggs: &[Arc<Expr>],
    ) -> Result<Frame, Box<Diagnostic>> {
        let mut schema = Vec::new();
        for (key, span) in keys {
            schema.push((key.clone(), self.check_column(key, *span)?));
        }
        for e in aggs {
            let ty = e.check(&self.schema)?;
            if !e.is_aggregation() {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::not_an_aggregation",
                        format!("`{}` is not an aggregation", e.text()),
                        e.span,
                    )
                    .with_label("one value per row, not per group")
                    .with_help("aggregate it: mean(\"x\"), col(\"x\").max(), count(\"x\")"),
                ));
            }
            schema.push((e.output_name(), ty));
        }
        duplicate_names(&schema, aggs)?;
        let key_exprs: Vec<pl::Expr> = keys.iter().map(|(k, _)| pl::col(k.as_str())).collect();
        let key_names: Vec<pl::PlSmallStr> = keys.iter().map(|(k, _)| k.as_str().into()).collect();
        let polars: Vec<pl::Expr> = aggs.iter().map(|e| e.to_polars()).collect();
        let options = pl::SortMultipleOptions::default().with_nulls_last(true);
        Ok(self.then(schema, |lf| {
            lf.group_by(key_exprs).agg(polars).sort(key_names, options)
        }))
    }

    /// Rows of both with equal `on` columns (`how`: inner, left, full).
    pub fn join(
        &self,
        other: &Frame,
        on: &[(String, Span)],
        how: pl::JoinType,
    ) -> Result<Frame, Box<Diagnostic>> {
        for (key, span) in on {
            let (a, b) = (
                self.check_column(key, *span)?,
                other.check_column(key, *span)?,
            );
            if a.unify(b) == ColType::Str && a != b {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::column_type",
                        format!(
                            "join key `{key}` is {} on the left and {} on the right",
                            a.describe(),
                            b.describe()
                        ),
                        *span,
                    )
                    .with_label("keys of different types")
                    .with_help("cast one side first so the keys compare"),
                ));
            }
        }
        let mut schema = self.schema.clone();
        for (name, ty) in &other.schema {
            if on.iter().any(|(k, _)| k == name) {
                continue;
            }
            let name = if schema.iter().any(|(n, _)| n == name) {
                format!("{name}_right")
            } else {
                name.clone()
            };
            schema.push((name, *ty));
        }
        let keys: Vec<pl::Expr> = on.iter().map(|(k, _)| pl::col(k.as_str())).collect();
        let right = other.lazy.clone();
        let mut sources = self.sources.clone();
        sources.extend(other.sources.iter().cloned());
        let mut joined = self.then(schema, |lf| {
            lf.join(right, keys.clone(), keys, pl::JoinArgs::new(how))
        });
        joined.sources = sources;
        Ok(joined)
    }

    /// The number of rows, as a lazy one-row frame.
    pub fn count_rows(&self) -> pl::LazyFrame {
        // Cast: polars 0.55 fails to add up the per-file counts of a union in its own index type.
        self.lazy
            .clone()
            .select([pl::len().cast(pl::DataType::Int64)])
    }

    /// A one-line summary: `frame[10 files] (Year: i64, Origin: str, …) · lazy`.
    pub fn summary(&self) -> String {
        let columns: Vec<String> = self
            .schema
            .iter()
            .map(|(n, t)| format!("{n}: {}", t.name()))
            .collect();
        let shown = if columns.len() > 8 {
            format!("{}, … ({} columns)", columns[..6].join(", "), columns.len())
        } else {
            columns.join(", ")
        };
        let state = match &self.computed {
            Some(rows) => format!("{} rows · computed", rows.height()),
            None => "lazy".into(),
        };
        let parts = match self.sources.len() {
            0 => String::new(),
            1 => "[1 file] ".into(),
            n => format!("[{n} files] "),
        };
        format!("frame{parts}({shown}) · {state}")
    }
}

/// The value and (0-based) column of a CSV parse error: "could not parse `x` as dtype `i64`
/// at column 'value' (column number 2)".
fn unparsed_value(message: &str) -> Option<(String, usize)> {
    let (_, rest) = message.split_once("could not parse `")?;
    let (value, rest) = rest.split_once('`')?;
    let (_, rest) = rest.split_once("(column number ")?;
    let column: usize = rest.split(')').next()?.trim().parse().ok()?;
    Some((value.to_string(), column.checked_sub(1)?))
}

fn duplicate_names(schema: &Schema, exprs: &[Arc<Expr>]) -> Result<(), Box<Diagnostic>> {
    for (k, (name, _)) in schema.iter().enumerate() {
        if schema[..k].iter().any(|(n, _)| n == name) {
            let span = exprs.iter().find(|e| e.output_name() == *name).map_or(
                crate::source::Span::new(crate::source::SourceId(0), 0, 0),
                |e| e.span,
            );
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::duplicate_column",
                    format!("two columns would be named `{name}`"),
                    span,
                )
                .with_label("a second column of this name")
                .with_help("name one differently: col(\"x\").mean().alias(\"x_mean\")"),
            ));
        }
    }
    Ok(())
}

/// All the frames one after another (their columns must agree in name; types unify).
pub fn concat(frames: &[Frame], span: Span) -> Result<Frame, Box<Diagnostic>> {
    let first = &frames[0];
    let mut schema = first.schema.clone();
    for f in &frames[1..] {
        let names = |s: &Schema| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        if names(&f.schema) != names(&schema) {
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::mismatched_columns",
                    format!(
                        "frames with different columns cannot be concatenated: ({}) and ({})",
                        names(&schema).join(", "),
                        names(&f.schema).join(", ")
                    ),
                    span,
                )
                .with_label("these frames")
                .with_help("select the same columns of each first"),
            ));
        }
        for (slot, (_, t)) in schema.iter_mut().zip(&f.schema) {
            slot.1 = slot.1.unify(*t);
        }
    }
    let casts: Vec<pl::Expr> = schema
        .iter()
        .map(|(n, t)| pl::col(n.as_str()).cast(t.polars()))
        .collect();
    let lazies: Vec<pl::LazyFrame> = frames
        .iter()
        .map(|f| f.lazy.clone().select(casts.clone()))
        .collect();
    let lazy = pl::concat(lazies, pl::UnionArgs::default()).map_err(|e| {
        Box::new(
            Diagnostic::error("flow::check::mismatched_columns", e.to_string(), span)
                .with_label("these frames"),
        )
    })?;
    Ok(Frame {
        schema,
        lazy,
        sources: frames
            .iter()
            .flat_map(|f| f.sources.iter().cloned())
            .collect(),
        computed: None,
        span,
    })
}
