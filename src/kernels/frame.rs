//! What a frame task does when it runs: read a partition and run the row-wise steps fused into
//! it, combine its inputs' rows (partial aggregates, all partitions for a whole-frame step), take
//! the first rows of partitions read in order, join two inputs, split rows into buckets by key,
//! or append rows to a file. Every frame task is data (steps, partitions, rows in memory).

use crate::frame::plan::Partition;
use crate::frame::rows::Rows;
use crate::frame::step::{JoinSpec, Step};
use crate::frame::ColType;
use crate::io::frame_scan;
use crate::io::frame_write::{FileSink, Sinks};
use crate::key::KeyBuilder;
use crate::text::{first_line, plural};
use polars::prelude as pl;
use polars::prelude::IntoLazy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where a task's rows start, before its steps.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// Read from a partition of a file.
    Read(Arc<Partition>),
    /// Rows in memory.
    Rows(Arc<Rows>),
}

impl Base {
    fn lazy(&self) -> Result<pl::LazyFrame, String> {
        match self {
            Base::Read(partition) => frame_scan::scan(partition),
            Base::Rows(rows) => Ok(rows.frame().clone().lazy()),
        }
    }

    /// A failure of a task starting here, said with the file and line where there is one.
    fn locate(&self, message: &str) -> String {
        match self {
            Base::Read(partition) => frame_scan::locate(partition, message),
            Base::Rows(_) => first_line(message),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Base::Read(partition) => partition.label(),
            Base::Rows(rows) => format!("{} row{} in memory", rows.height(), plural(rows.height())),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameTask {
    /// Rows from `base`, then `steps`.
    Start { base: Base, steps: Vec<Step> },
    /// The inputs' rows one after another, then `steps`.
    Combine { steps: Vec<Step> },
    /// The first `n` rows of the parts, read in order until there are `n`.
    Head {
        parts: Vec<(Base, Vec<Step>)>,
        n: usize,
    },
    /// The first input joined with the second.
    Join { join: JoinSpec },
    /// The input's rows in buckets by a hash of `keys` (see `shuffle`).
    Split {
        keys: Vec<(String, ColType)>,
        buckets: usize,
    },
    /// Bucket `bucket` of the first `left` (split) inputs joined with that of the others.
    BucketJoin {
        join: JoinSpec,
        bucket: u32,
        left: usize,
    },
    /// The input appended to a file (after the partitions before it, whose writing is the
    /// task's second input), which the `last` partition finishes; no rows out. It runs where
    /// the computation's driver holds the file open.
    Write { sink: FileSink, last: bool },
}

fn stacked(inputs: &[&pl::DataFrame]) -> Result<pl::LazyFrame, String> {
    match inputs {
        [] => Err("nothing to combine".into()),
        [one] => Ok((*one).clone().lazy()),
        many => {
            let lazies: Vec<pl::LazyFrame> = many.iter().map(|d| (*d).clone().lazy()).collect();
            pl::concat(
                lazies,
                pl::UnionArgs {
                    parallel: false,
                    rechunk: false,
                    ..Default::default()
                },
            )
            .map_err(|e| e.to_string())
        }
    }
}

fn collected(rows: pl::LazyFrame) -> Result<pl::DataFrame, String> {
    rows.collect().map_err(|e| first_line(&e.to_string()))
}

impl FrameTask {
    pub fn run(&self, inputs: &[&pl::DataFrame], sinks: &Sinks) -> Result<pl::DataFrame, String> {
        match self {
            FrameTask::Start { base, steps } => Step::apply_all(steps, base.lazy()?)
                .collect()
                .map_err(|e| base.locate(&e.to_string())),
            FrameTask::Combine { steps } => collected(Step::apply_all(steps, stacked(inputs)?)),
            FrameTask::Head { parts, n } => {
                let mut taken: Vec<pl::DataFrame> = Vec::new();
                let mut rows = 0;
                for (base, steps) in parts {
                    // The first part is always read, so `head(0)` has the columns and types.
                    if rows >= *n && !taken.is_empty() {
                        break;
                    }
                    let limit = (*n - rows) as pl::IdxSize;
                    let part = Step::apply_all(steps, base.lazy()?)
                        .limit(limit)
                        .collect()
                        .map_err(|e| base.locate(&e.to_string()))?;
                    rows += part.height();
                    taken.push(part);
                }
                let refs: Vec<&pl::DataFrame> = taken.iter().collect();
                match refs.is_empty() {
                    true => Err("no partitions to take rows from".into()),
                    false => collected(stacked(&refs)?),
                }
            }
            FrameTask::Join { join } => {
                let (left, right) = (stacked(&inputs[..1])?, stacked(&inputs[1..])?);
                collected(join.apply(left, right))
            }
            FrameTask::Split { keys, buckets } => super::shuffle::split(inputs[0], keys, *buckets),
            FrameTask::BucketJoin { join, bucket, left } => {
                let (lefts, rights) = inputs.split_at(*left);
                let lefts = super::shuffle::bucket(lefts, *bucket)?;
                let rights = super::shuffle::bucket(rights, *bucket)?;
                collected(join.apply(lefts.lazy(), rights.lazy()))
            }
            FrameTask::Write { sink, last } => {
                sinks.append(sink, inputs[0], *last)?;
                Ok(pl::DataFrame::empty())
            }
        }
    }

    /// A short description for task graphs.
    pub fn describe(&self) -> String {
        match self {
            FrameTask::Start { base, steps } => match steps.len() {
                0 => base.label(),
                n => format!("{} + {n} fused step{}", base.label(), plural(n)),
            },
            FrameTask::Combine { steps } => format!("{} step{}", steps.len(), plural(steps.len())),
            FrameTask::Head { parts, n } => {
                format!(
                    "{n} rows from up to {} partition{}",
                    parts.len(),
                    plural(parts.len())
                )
            }
            FrameTask::Join { .. } => "join".into(),
            FrameTask::Split { buckets, .. } => format!("split into {buckets} buckets by key"),
            FrameTask::BucketJoin { bucket, .. } => format!("join bucket {bucket}"),
            FrameTask::Write { sink, .. } => sink
                .path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into(),
        }
    }

    /// What the task's key is a hash of: its parameters, with rows in memory by their own key
    /// rather than their bytes.
    pub fn key_material(&self, key: &mut KeyBuilder) {
        fn base(key: &mut KeyBuilder, base: &Base) {
            match base {
                Base::Read(partition) => key.value("read").value(&**partition),
                Base::Rows(rows) => key.value("rows").key(rows.content_key()),
            };
        }
        match self {
            FrameTask::Start { base: start, steps } => {
                base(key, start);
                key.value(steps);
            }
            FrameTask::Head { parts, n } => {
                for (start, steps) in parts {
                    base(key, start);
                    key.value(steps);
                }
                key.value(n);
            }
            other => {
                key.value(other);
            }
        }
    }

    /// Does the task read a file?
    pub fn reads_a_file(&self) -> bool {
        match self {
            FrameTask::Start { base, .. } => matches!(base, Base::Read(_)),
            FrameTask::Head { parts, .. } => parts.iter().any(|(b, _)| matches!(b, Base::Read(_))),
            _ => false,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            FrameTask::Start { .. } => "partition",
            FrameTask::Combine { .. } => "combine",
            FrameTask::Head { .. } => "head",
            FrameTask::Join { .. } | FrameTask::BucketJoin { .. } => "join",
            FrameTask::Split { .. } => "split",
            FrameTask::Write { .. } => "write",
        }
    }
}

/// The values of a partition's only column (f64, missing values NaN) as a 1-d chunk; its
/// length was counted before, and a different one means the files changed since.
pub fn column_chunk(
    rows: &pl::DataFrame,
    length: usize,
) -> Result<crate::array::chunk::ChunkData, String> {
    let column = rows
        .columns()
        .first()
        .ok_or("a partition without columns")?
        .cast(&pl::DataType::Float64)
        .map_err(|e| first_line(&e.to_string()))?;
    let values: Vec<f64> = column
        .f64()
        .map_err(|e| first_line(&e.to_string()))?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    if values.len() != length {
        return Err(format!(
            "a partition has {} rows where {length} were counted: did the files change?",
            values.len()
        ));
    }
    Ok(crate::array::chunk::ChunkData::F64(
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[length]), values)
            .expect("a 1-d shape of the values' length"),
    ))
}
