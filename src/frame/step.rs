//! What an operation does to rows, as data: a [`Step`] names the operation and holds flow's own
//! column expressions, never a closure, so a task holding steps can be written out, keyed by its
//! content and run in another process. [`Step::apply`] is the one place a step becomes polars
//! work; [`JoinSpec`] is the same for joins.

use super::aggregate;
use super::expr::Expr;
use super::{ColType, Schema};
use polars::prelude as pl;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One operation's work on a partition's rows (row-wise steps), on all rows at once, or on
/// partial results (aggregations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Filter(Arc<Expr>),
    Select(Vec<Arc<Expr>>),
    WithColumns(Vec<Arc<Expr>>),
    Rename {
        old: Vec<String>,
        new: Vec<String>,
    },
    Drop(Vec<String>),
    /// Rows ordered by columns (missing values last; equal rows keep their order).
    Sort {
        by: Vec<String>,
        descending: bool,
    },
    /// The first `n` rows.
    Limit(usize),
    /// Rows whose `subset` columns (all when empty) were not seen before: the first kept.
    Unique {
        subset: Vec<String>,
    },
    /// Aggregations of the groups of `keys` (of all rows when there are none), ordered by the
    /// keys, computed over all the rows at once.
    Aggregate {
        keys: Vec<String>,
        aggs: Vec<Arc<Expr>>,
        /// The group of a missing key is dropped (pandas' `dropna=True`).
        dropna: bool,
    },
    /// Within each partition: the partial results of aggregations that combine exactly (sums,
    /// counts, M2; see `aggregate.rs`) of a frame of `schema`.
    PartialAggregate {
        keys: Vec<String>,
        aggs: Vec<Arc<Expr>>,
        schema: Schema,
    },
    /// Over the partials of every partition: their combination, then the aggregations asked
    /// for, ordered by the keys.
    CombineAggregate {
        keys: Vec<String>,
        aggs: Vec<Arc<Expr>>,
        schema: Schema,
        dropna: bool,
    },
    /// One row: the number of rows, as column `len`.
    CountRows,
    /// One row: the number of rows, counted on the named column. After an aggregation, where
    /// polars would otherwise prune the aggregation away and count the rows before it.
    CountRowsOf(String),
    /// One row: the sum of the counts in column `len` (of partitions' `CountRows`).
    SumCounts,
    /// Every column cast to its type in the schema (frames of unified types, concatenated).
    Cast(Schema),
    /// The numeric column as the only one, in f64.
    AsFloat(String),
}

impl Step {
    pub fn apply(&self, rows: pl::LazyFrame) -> pl::LazyFrame {
        let exprs = |list: &[Arc<Expr>]| list.iter().map(|e| e.to_polars()).collect::<Vec<_>>();
        match self {
            Step::Filter(condition) => rows.filter(condition.to_polars()),
            Step::Select(list) => rows.select(exprs(list)),
            Step::WithColumns(list) => rows.with_columns(exprs(list)),
            Step::Rename { old, new } => rows.rename(old.clone(), new.clone(), true),
            Step::Drop(names) => rows.drop(by_name(names)),
            Step::Sort { by, descending } => rows.sort(
                names(by),
                pl::SortMultipleOptions::default()
                    .with_order_descending(*descending)
                    .with_nulls_last(true)
                    .with_maintain_order(true),
            ),
            Step::Limit(n) => rows.limit(*n as pl::IdxSize),
            Step::Unique { subset } => rows.unique_stable(
                (!subset.is_empty()).then(|| by_name(subset)),
                pl::UniqueKeepStrategy::First,
            ),
            Step::Aggregate { keys, aggs, dropna } => present(
                sorted(grouped(rows, keys, exprs(aggs)), keys),
                keys,
                *dropna,
            ),
            Step::PartialAggregate { keys, aggs, schema } => {
                let parts = decomposed(aggs, schema);
                grouped(rows, keys, parts.partial)
            }
            Step::CombineAggregate {
                keys,
                aggs,
                schema,
                dropna,
            } => {
                let parts = decomposed(aggs, schema);
                let mut finish: Vec<pl::Expr> = keys.iter().map(|k| pl::col(k.as_str())).collect();
                finish.extend(parts.finish);
                let rows = sorted(grouped(rows, keys, parts.combine).select(finish), keys);
                present(rows, keys, *dropna)
            }
            Step::CountRows => rows.select([pl::len().cast(pl::DataType::Int64).alias("len")]),
            Step::CountRowsOf(name) => rows.select([pl::col(name.as_str())
                .len()
                .cast(pl::DataType::Int64)
                .alias("len")]),
            Step::SumCounts => rows.select([pl::col("len").sum()]),
            Step::Cast(schema) => rows.select(
                schema
                    .iter()
                    .map(|(n, t)| pl::col(n.as_str()).cast(t.polars()))
                    .collect::<Vec<_>>(),
            ),
            Step::AsFloat(name) => {
                rows.select([pl::col(name.as_str()).cast(pl::DataType::Float64)])
            }
        }
    }

    /// Steps in order.
    pub fn apply_all(steps: &[Step], rows: pl::LazyFrame) -> pl::LazyFrame {
        steps.iter().fold(rows, |rows, step| step.apply(rows))
    }
}

fn names(list: &[String]) -> Vec<pl::PlSmallStr> {
    list.iter().map(|n| n.as_str().into()).collect()
}

fn by_name(list: &[String]) -> pl::Selector {
    pl::Selector::ByName {
        names: names(list).into(),
        strict: true,
    }
}

/// The aggregations' three stages; a step holds only aggregations that decompose (the frame
/// checked it when it chose the step).
fn decomposed(aggs: &[Arc<Expr>], schema: &Schema) -> aggregate::Decomposed {
    aggregate::decompose(aggs, schema).expect("partial aggregations decompose")
}

fn grouped(rows: pl::LazyFrame, keys: &[String], exprs: Vec<pl::Expr>) -> pl::LazyFrame {
    match keys.is_empty() {
        true => rows.select(exprs),
        false => rows
            .group_by(keys.iter().map(|k| pl::col(k.as_str())).collect::<Vec<_>>())
            .agg(exprs),
    }
}

/// The groups whose keys are all present, when `dropna` (one group is dropped at most: this
/// costs nothing beside the aggregation, where a filter before it would pass over every row).
fn present(groups: pl::LazyFrame, keys: &[String], dropna: bool) -> pl::LazyFrame {
    let condition = keys
        .iter()
        .map(|k| pl::col(k.as_str()).is_not_null())
        .reduce(|a, b| a.and(b));
    match (dropna, condition) {
        (true, Some(condition)) => groups.filter(condition),
        _ => groups,
    }
}

fn sorted(rows: pl::LazyFrame, keys: &[String]) -> pl::LazyFrame {
    match keys.is_empty() {
        true => rows,
        false => rows.sort(
            names(keys),
            pl::SortMultipleOptions::default().with_nulls_last(true),
        ),
    }
}

/// Which rows a join keeps besides the matched ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinHow {
    Inner,
    Left,
    /// Unmatched rows of both sides.
    Full,
}

impl JoinHow {
    pub fn name(self) -> &'static str {
        match self {
            JoinHow::Inner => "inner",
            JoinHow::Left => "left",
            JoinHow::Full => "full",
        }
    }

    pub fn parse(name: &str) -> Option<JoinHow> {
        Some(match name {
            "inner" => JoinHow::Inner,
            "left" => JoinHow::Left,
            "full" | "outer" => JoinHow::Full,
            _ => return None,
        })
    }
}

/// A join of two frames on equal `keys`, as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinSpec {
    pub keys: Vec<String>,
    pub how: JoinHow,
    /// Keys of different types on the two sides, cast to the type they compare as first.
    pub casts: Vec<(String, ColType)>,
    /// Each key with the type both sides hash it as, to split them into buckets alike (int,
    /// float, bool or str).
    pub hashed: Vec<(String, ColType)>,
    /// Whether missing keys match each other (pandas' merge pairs them).
    pub nulls_equal: bool,
    /// Columns (not keys) on both sides, renamed with the left and right suffixes.
    pub overlap: Vec<String>,
    pub suffixes: (String, String),
    /// Keys cast for comparing that the result gives as the left side's type (an inner or
    /// left join's keys are the left side's values).
    pub restore: Vec<(String, ColType)>,
}

impl JoinSpec {
    /// `left` joined with `right`; the keys appear once, as pandas' merge gives them.
    pub fn apply(&self, left: pl::LazyFrame, right: pl::LazyFrame) -> pl::LazyFrame {
        let (left, right) = match self.casts.is_empty() {
            true => (left, right),
            false => {
                let casts: Vec<pl::Expr> = self
                    .casts
                    .iter()
                    .map(|(k, t)| pl::col(k.as_str()).cast(t.polars()))
                    .collect();
                (left.with_columns(casts.clone()), right.with_columns(casts))
            }
        };
        let (left, right) = match self.overlap.is_empty() {
            true => (left, right),
            false => {
                let suffixed = |suffix: &str| -> Vec<String> {
                    self.overlap
                        .iter()
                        .map(|n| format!("{n}{suffix}"))
                        .collect()
                };
                (
                    left.rename(&self.overlap, suffixed(&self.suffixes.0), true),
                    right.rename(&self.overlap, suffixed(&self.suffixes.1), true),
                )
            }
        };
        let keys: Vec<pl::Expr> = self.keys.iter().map(|k| pl::col(k.as_str())).collect();
        let how = match self.how {
            JoinHow::Inner => pl::JoinType::Inner,
            JoinHow::Left => pl::JoinType::Left,
            JoinHow::Full => pl::JoinType::Full,
        };
        let mut args = pl::JoinArgs::new(how).with_coalesce(pl::JoinCoalesce::CoalesceColumns);
        args.nulls_equal = self.nulls_equal;
        let joined = left.join(right, keys.clone(), keys, args);
        match self.restore.is_empty() {
            true => joined,
            false => joined.with_columns(
                self.restore
                    .iter()
                    .map(|(k, t)| pl::col(k.as_str()).cast(t.polars()))
                    .collect::<Vec<_>>(),
            ),
        }
    }

    pub fn is_full(&self) -> bool {
        self.how == JoinHow::Full
    }
}
