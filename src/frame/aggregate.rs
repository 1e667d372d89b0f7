//! Aggregations over partitions, combined exactly: each partition computes partial results
//! (sums, counts, minima, first values; for variances the count, mean and M2 of Chan et al.),
//! one task combines the partials of every partition and finishes the aggregation. A mean is a
//! sum over a count, never a mean of means; a variance combines the partitions' M2 with the
//! spread of their means.

use super::expr::{Agg, Expr};
use super::Schema;
use polars::prelude as pl;
use std::sync::Arc;

/// The three stages of aggregating over partitions.
pub struct Decomposed {
    /// Per partition (within each group).
    pub partial: Vec<pl::Expr>,
    /// Over the partials of all partitions (within each group).
    pub combine: Vec<pl::Expr>,
    /// From the combined columns to the aggregations asked for.
    pub finish: Vec<pl::Expr>,
}

/// How to aggregate `aggs` over partitions, or none when one of them cannot be combined from
/// partial results (`n_unique`, an aggregation of an aggregation).
pub fn decompose(aggs: &[Arc<Expr>], schema: &Schema) -> Option<Decomposed> {
    let mut parts = Decomposed {
        partial: Vec::new(),
        combine: Vec::new(),
        finish: Vec::new(),
    };
    let mut next = 0usize;
    for e in aggs {
        let finished = e.to_polars_with(&mut |agg, inner| {
            let k = next;
            next += 1;
            split(agg, inner, schema, k, &mut parts)
        })?;
        parts.finish.push(finished.alias(e.output_name().as_str()));
    }
    Some(parts)
}

/// Add aggregation `k` (of `inner`) to the partial and combining stages; its finished value.
fn split(
    agg: Agg,
    inner: &Expr,
    schema: &Schema,
    k: usize,
    parts: &mut Decomposed,
) -> Option<pl::Expr> {
    if inner.is_aggregation() {
        return None;
    }
    let result = agg.result(inner.check(schema).ok()?).polars();
    let x = inner.to_polars();
    let float = || x.clone().cast(pl::DataType::Float64);
    let name = |part: &str| format!("__flow_{k}_{part}");
    let column = |part: &str| pl::col(name(part).as_str());
    let mut stage = |part: &str, partial: pl::Expr, combine: fn(pl::Expr) -> pl::Expr| {
        parts.partial.push(partial.alias(name(part).as_str()));
        parts
            .combine
            .push(combine(pl::col(name(part).as_str())).alias(name(part).as_str()));
    };
    let missing = || pl::lit(pl::NULL).cast(pl::DataType::Float64);
    Some(match agg {
        Agg::Sum => {
            stage("sum", x.clone().sum(), |c| c.sum());
            column("sum").cast(result)
        }
        Agg::Count => {
            stage("count", x.clone().count().cast(pl::DataType::Int64), |c| {
                c.sum()
            });
            column("count").cast(result)
        }
        Agg::Min => {
            stage("min", x.clone().min(), |c| c.min());
            column("min")
        }
        Agg::Max => {
            stage("max", x.clone().max(), |c| c.max());
            column("max")
        }
        Agg::First => {
            // Missing values are skipped (as pandas does), and so is a partition without a value.
            stage("first", x.clone().drop_nulls().first(), |c| {
                c.drop_nulls().first()
            });
            column("first")
        }
        Agg::Last => {
            stage("last", x.clone().drop_nulls().last(), |c| {
                c.drop_nulls().last()
            });
            column("last")
        }
        Agg::Mean => {
            stage("sum", float().sum(), |c| c.sum());
            stage("count", float().count().cast(pl::DataType::Float64), |c| {
                c.sum()
            });
            super::expr::missing_nan(
                pl::when(column("count").gt(pl::lit(0.0)))
                    .then(column("sum") / column("count"))
                    .otherwise(missing()),
            )
        }
        Agg::Var | Agg::Std => {
            let (n, mean, m2) = (name("n"), name("mean"), name("m2"));
            let count = float().count().cast(pl::DataType::Float64);
            parts.partial.push(count.clone().alias(n.as_str()));
            parts.partial.push(float().mean().alias(mean.as_str()));
            parts.partial.push(
                (float().var(0) * count)
                    .fill_null(pl::lit(0.0))
                    .alias(m2.as_str()),
            );
            let total = pl::col(n.as_str()).sum();
            let grand_mean = (pl::col(n.as_str()) * pl::col(mean.as_str())).sum() / total.clone();
            let spread = pl::col(n.as_str()) * (pl::col(mean.as_str()) - grand_mean).pow(2);
            parts.combine.push(total.alias(n.as_str()));
            parts
                .combine
                .push((pl::col(m2.as_str()).sum() + spread.sum()).alias(m2.as_str()));
            let variance = pl::when(pl::col(n.as_str()).gt(pl::lit(1.0)))
                .then(pl::col(m2.as_str()) / (pl::col(n.as_str()) - pl::lit(1.0)))
                .otherwise(missing());
            super::expr::missing_nan(match agg {
                Agg::Std => variance.sqrt(),
                _ => variance,
            })
        }
        Agg::NUnique => return None,
    })
}
