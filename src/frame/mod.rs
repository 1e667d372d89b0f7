//! Dataframes: lazy tables over CSV and Parquet files (a partition per file, or per block of a
//! large file), on polars. The schema is known while checking — read from every file's header
//! and sampled rows and unified across files — so unknown columns and type mistakes are errors
//! before any row is read. Each operation types its result and adds a node to the frame's plan
//! (`plan.rs`): its work on rows is data (`step.rs`), lowered to per-partition tasks by
//! `graph::lower_frame` when a value is needed. Reading and writing files is `io`'s work.

pub mod aggregate;
pub mod column;
pub mod expr;
pub mod plan;
pub mod rows;
pub mod step;

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use expr::Expr;
use plan::{PlanNode, PlanOp, PlanRef};
use polars::prelude as pl;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use step::{JoinHow, JoinSpec, Step};

/// The type of a column, as the checker knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// else mixed is text (bools and integers too: a CSV's `true` is no integer, and pandas
    /// makes such a column objects).
    pub fn unify(self, other: ColType) -> ColType {
        use ColType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Null, t) | (t, Null) => t,
            (Int, Float) | (Float, Int) => Float,
            _ => Str,
        }
    }
}

pub type Schema = Vec<(String, ColType)>;

/// How a join matches and names: which rows it keeps, whether missing keys match, and the
/// suffixes of columns both sides have.
pub struct JoinOptions {
    pub how: JoinHow,
    pub nulls_equal: bool,
    pub suffixes: (String, String),
}

/// A join whose suffixed names meet another column's name is refused (pandas would make two
/// columns of one name).
fn duplicate_join_names(schema: &Schema, on: &[(String, Span)]) -> Result<(), Box<Diagnostic>> {
    for (k, (name, _)) in schema.iter().enumerate() {
        if schema[..k].iter().any(|(n, _)| n == name) {
            let span = on.first().map(|(_, s)| *s).unwrap_or_default();
            return Err(Box::new(
                Diagnostic::error(
                    "flow::check::duplicate_column",
                    format!("the joined frame would have two columns named `{name}`"),
                    span,
                )
                .with_label("joined here")
                .with_help(
                    "rename a column first, or give other suffixes: suffixes=(\"_l\", \"_r\")",
                ),
            ));
        }
    }
    Ok(())
}

/// A lazy (or computed) dataframe: its schema, known while checking, and the plan computing
/// its partitions.
#[derive(Clone)]
pub struct Frame {
    pub schema: Schema,
    pub plan: PlanRef,
    /// The rows, once computed.
    pub computed: Option<Arc<rows::Rows>>,
    pub span: Span,
}

impl Frame {
    /// A frame over rows in memory.
    pub fn of_rows(schema: Schema, rows: pl::DataFrame, span: Span) -> Frame {
        let rows = rows::Rows::new(rows);
        Frame {
            schema,
            plan: PlanNode::new(PlanOp::Rows(rows.clone()), "rows", span),
            computed: Some(rows),
            span,
        }
    }

    pub fn column_type(&self, name: &str) -> Option<ColType> {
        self.schema.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    pub fn check_column(&self, name: &str, span: Span) -> Result<ColType, Box<Diagnostic>> {
        self.column_type(name)
            .ok_or_else(|| expr::unknown_column(name, &self.schema, span))
    }

    /// A new frame from this one by operation `op` (on its plan), with `schema`.
    fn with_plan(&self, schema: Schema, op: PlanOp, label: impl Into<String>) -> Frame {
        Frame {
            schema,
            plan: PlanNode::new(op, label, self.span),
            computed: None,
            span: self.span,
        }
    }

    /// A new frame by a row-wise `step`, run within each partition.
    fn then(&self, schema: Schema, label: impl Into<String>, step: Step) -> Frame {
        let op = PlanOp::Each {
            input: self.plan.clone(),
            step,
        };
        self.with_plan(schema, op, label)
    }

    /// A new frame by a `step` over all the rows at once.
    fn whole(&self, schema: Schema, label: impl Into<String>, step: Step) -> Frame {
        let op = PlanOp::Whole {
            input: self.plan.clone(),
            step,
        };
        self.with_plan(schema, op, label)
    }

    /// A new frame by a `partial` step within each partition and a `combine` step over the
    /// partials of all of them.
    fn aggregate(
        &self,
        schema: Schema,
        label: impl Into<String>,
        partial: Step,
        combine: Step,
    ) -> Frame {
        let op = PlanOp::Aggregate {
            input: self.plan.clone(),
            partial,
            combine,
        };
        self.with_plan(schema, op, label)
    }

    /// The computed frame (`Frame::computed` set).
    pub fn with_rows(&self, rows: pl::DataFrame) -> Frame {
        Frame::of_rows(self.schema.clone(), rows, self.span)
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
        let step = Step::Filter(Arc::new(condition.clone()));
        Ok(self.then(self.schema.clone(), "filter", step))
    }

    /// Columns by expression (a name is `col(name)`); aggregations make one row.
    pub fn select(&self, exprs: &[Arc<Expr>]) -> Result<Frame, Box<Diagnostic>> {
        let mut schema = Vec::new();
        for e in exprs {
            schema.push((e.output_name(), e.check(&self.schema)?));
        }
        duplicate_names(&schema, exprs)?;
        let label = format!("select({})", names_of(&schema));
        if exprs.iter().all(|e| e.is_aggregation()) {
            return Ok(self.aggregated(&[], exprs, schema, label, false));
        }
        let step = Step::Select(exprs.to_vec());
        if exprs.iter().any(|e| e.is_aggregation()) {
            // Aggregates beside row values are broadcast over all the rows.
            return Ok(self.whole(schema, label, step));
        }
        Ok(self.then(schema, label, step))
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
        let outputs: Vec<String> = exprs.iter().map(|e| e.output_name()).collect();
        let label = format!("with_columns({})", listed(outputs.iter()));
        let step = Step::WithColumns(exprs.to_vec());
        if exprs.iter().any(|e| e.is_aggregation()) {
            return Ok(self.whole(schema, label, step));
        }
        Ok(self.then(schema, label, step))
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
        Ok(self.then(schema, "rename", Step::Rename { old, new }))
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
        let dropped: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
        let label = format!("drop({})", listed(dropped.iter()));
        Ok(self.then(schema, label, Step::Drop(dropped)))
    }

    pub fn sort(&self, by: &[(String, Span)], descending: bool) -> Result<Frame, Box<Diagnostic>> {
        for (name, span) in by {
            self.check_column(name, *span)?;
        }
        let by: Vec<String> = by.iter().map(|(n, _)| n.clone()).collect();
        let label = format!("sort({})", listed(by.iter()));
        let step = Step::Sort { by, descending };
        Ok(self.whole(self.schema.clone(), label, step))
    }

    /// The first `n` rows: only as many rows as that are read.
    pub fn head(&self, n: usize) -> Frame {
        let op = PlanOp::Head {
            input: self.plan.clone(),
            n,
        };
        self.with_plan(self.schema.clone(), op, format!("head({n})"))
    }

    pub fn unique(&self, subset: &[(String, Span)]) -> Result<Frame, Box<Diagnostic>> {
        for (name, span) in subset {
            self.check_column(name, *span)?;
        }
        // Unique within each partition, then over those (the first of each kept, in order).
        let unique = Step::Unique {
            subset: subset.iter().map(|(n, _)| n.clone()).collect(),
        };
        Ok(self.aggregate(self.schema.clone(), "unique", unique.clone(), unique))
    }

    /// Group by `keys` and aggregate: one row per group, ordered by the keys (as pandas does).
    /// One row per group of `keys` with `aggs` of it; rows with a missing key are in no group
    /// when `dropna` (pandas' default).
    pub fn group_by(
        &self,
        keys: &[(String, Span)],
        aggs: &[Arc<Expr>],
        dropna: bool,
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
        let keys: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        let label = format!(
            "groupby({}).agg({})",
            keys.join(", "),
            names_of(&schema[keys.len()..])
        );
        Ok(self.aggregated(&keys, aggs, schema, label, dropna))
    }

    /// Aggregations `aggs` (within groups of `keys`, ordered by them; or of all rows when there
    /// are no keys): combined exactly from per-partition partials where they can be, else over
    /// all the rows at once.
    fn aggregated(
        &self,
        keys: &[String],
        aggs: &[Arc<Expr>],
        schema: Schema,
        label: String,
        dropna: bool,
    ) -> Frame {
        let (keys, aggs) = (keys.to_vec(), aggs.to_vec());
        if aggregate::decompose(&aggs, &self.schema).is_none() {
            let step = Step::Aggregate { keys, aggs, dropna };
            return self.whole(schema, label, step);
        }
        let input = self.schema.clone();
        let partial = Step::PartialAggregate {
            keys: keys.clone(),
            aggs: aggs.clone(),
            schema: input.clone(),
        };
        let combine = Step::CombineAggregate {
            keys,
            aggs,
            schema: input,
            dropna,
        };
        self.aggregate(schema, label, partial, combine)
    }

    /// Rows of both with equal `on` columns, as pandas' merge joins them.
    pub fn join(
        &self,
        other: &Frame,
        on: &[(String, Span)],
        options: JoinOptions,
    ) -> Result<Frame, Box<Diagnostic>> {
        let JoinOptions {
            how,
            nulls_equal,
            suffixes,
        } = options;
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
        let is_key = |name: &str| on.iter().any(|(k, _)| k == name);
        let overlap: Vec<String> = self
            .schema
            .iter()
            .filter(|(n, _)| !is_key(n) && other.column_type(n).is_some())
            .map(|(n, _)| n.clone())
            .collect();
        let suffixed = |name: &str, suffix: &str| match overlap.iter().any(|o| o == name) {
            true => format!("{name}{suffix}"),
            false => name.to_string(),
        };
        let mut schema: Schema = self
            .schema
            .iter()
            .map(|(n, t)| (suffixed(n, &suffixes.0), *t))
            .collect();
        for (name, ty) in &other.schema {
            if !is_key(name) {
                schema.push((suffixed(name, &suffixes.1), *ty));
            }
        }
        duplicate_join_names(&schema, on)?;
        // Keys compare as their unified type (an integer key against a float one as floats),
        // and are hashed as it to split both sides into buckets. An inner or left join gives
        // the left side's keys, in its type (as pandas does); a full join the unified type.
        let key_type = |k: &str| {
            let (a, b) = (self.column_type(k), other.column_type(k));
            a.expect("checked").unify(b.expect("checked"))
        };
        if how == JoinHow::Full {
            for (name, ty) in schema.iter_mut() {
                if is_key(name) {
                    *ty = key_type(name);
                }
            }
        }
        let cast_keys: Vec<&String> = on
            .iter()
            .map(|(k, _)| k)
            .filter(|k| self.column_type(k) != other.column_type(k))
            .collect();
        let casts = cast_keys
            .iter()
            .map(|k| ((*k).clone(), key_type(k)))
            .collect();
        let restore = match how {
            JoinHow::Full => Vec::new(),
            _ => cast_keys
                .iter()
                .map(|k| ((*k).clone(), self.column_type(k).expect("checked")))
                .collect(),
        };
        let hashed = on
            .iter()
            .map(|(k, _)| {
                let hashed = match key_type(k) {
                    ColType::Int | ColType::Date | ColType::Datetime => ColType::Int,
                    ColType::Float => ColType::Float,
                    ColType::Bool => ColType::Bool,
                    _ => ColType::Str,
                };
                (k.clone(), hashed)
            })
            .collect();
        let label = format!(
            "join({}, {})",
            listed(on.iter().map(|(k, _)| k)),
            how.name()
        );
        let op = PlanOp::Join {
            left: self.plan.clone(),
            right: other.plan.clone(),
            join: JoinSpec {
                keys: on.iter().map(|(k, _)| k.clone()).collect(),
                how,
                casts,
                hashed,
                nulls_equal,
                overlap,
                suffixes,
                restore,
            },
        };
        Ok(self.with_plan(schema, op, label))
    }

    /// The number of rows, as a lazy one-row frame (counted per partition, then added up);
    /// `count_in` reads it.
    pub fn count_rows(&self) -> Frame {
        // Rows made by an aggregation are few and in memory: counting them on a column keeps
        // polars from pruning the aggregation (`select(n_unique(k))` counted the input's rows).
        let count = match (&self.plan.op, self.schema.first()) {
            (PlanOp::Whole { .. } | PlanOp::Aggregate { .. }, Some((first, _))) => {
                Step::CountRowsOf(first.clone())
            }
            _ => Step::CountRows,
        };
        self.aggregate(count_schema(), "len", count, Step::SumCounts)
    }

    /// The values of numeric column `name` as one f64 column, in each partition.
    pub fn column_values(&self, name: &str) -> Frame {
        let schema = vec![(name.to_string(), ColType::Float)];
        let step = Step::AsFloat(name.to_string());
        self.then(schema, format!("to_array({name})"), step)
    }

    /// The rows of each partition counted on its own (`count_in` reads each partition's count).
    pub fn partition_counts(&self) -> Frame {
        self.then(count_schema(), "count rows", Step::CountRows)
    }

    /// How many partitions the frame has.
    pub fn partitions(&self) -> usize {
        self.plan.partitions()
    }

    /// A one-line summary: `frame[10 files · 289.3 MB] (Year: i64, Origin: str, …) · lazy`.
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
        let files = self.plan.files();
        let bytes: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        let size = crate::text::human_bytes(bytes as usize);
        let parts = match (files.len(), self.partitions()) {
            (0, _) => String::new(),
            (1, 1) => format!("[1 file · {size}] "),
            (files, partitions) if files == partitions => format!("[{files} files · {size}] "),
            (files, partitions) => format!(
                "[{files} file{} · {partitions} partition{} · {size}] ",
                crate::text::plural(files),
                crate::text::plural(partitions)
            ),
        };
        format!("frame{parts}({shown}) · {state}")
    }
}

fn count_schema() -> Schema {
    vec![("len".into(), ColType::Int)]
}

/// The count in a frame of one count (`count_rows`, or a partition's `count_step`).
pub fn count_in(rows: &pl::DataFrame) -> usize {
    rows.columns()
        .first()
        .and_then(|c| c.get(0).ok())
        .and_then(|v| v.extract::<i64>())
        .unwrap_or(0) as usize
}

/// Column names, for labels: `a, b, c`.
fn names_of(schema: &[(String, ColType)]) -> String {
    listed(schema.iter().map(|(n, _)| n))
}

/// Names joined for a label: `a, b, c`.
fn listed<'a>(names: impl Iterator<Item = &'a String>) -> String {
    names.map(String::as_str).collect::<Vec<_>>().join(", ")
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
    let inputs: Vec<PlanRef> = frames
        .iter()
        .map(|f| {
            f.then(schema.clone(), "cast", Step::Cast(schema.clone()))
                .plan
        })
        .collect();
    Ok(Frame {
        schema,
        plan: PlanNode::new(PlanOp::Concat(inputs), "concat", span),
        computed: None,
        span,
    })
}
