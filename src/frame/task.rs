//! What one frame task does when the executor runs it: read a partition and run the row-wise
//! steps fused into it, combine its inputs' rows (partial aggregates, all partitions for a
//! whole-frame step), take the first rows of partitions read in order, or join two inputs.

use super::plan::{first_line, JoinStep, Partition, Step};
use polars::prelude as pl;
use polars::prelude::IntoLazy;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a task's rows start, before its steps.
#[derive(Clone)]
pub enum Base {
    /// Read from a partition of a file.
    Read(Arc<Partition>),
    /// Rows in memory.
    Rows(Arc<pl::DataFrame>),
}

impl Base {
    fn lazy(&self) -> Result<pl::LazyFrame, String> {
        match self {
            Base::Read(partition) => partition.scan().map_err(|m| partition.locate(&m)),
            Base::Rows(rows) => Ok((**rows).clone().lazy()),
        }
    }

    /// A failure of a task starting here, said with the file and line where there is one.
    fn locate(&self, message: &str) -> String {
        match self {
            Base::Read(partition) => partition.locate(message),
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

pub enum FrameWork {
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
    Join { join: JoinStep },
    /// The input's rows in buckets by a hash of `keys` (see `shuffle`).
    Split {
        keys: Vec<(String, pl::DataType)>,
        buckets: usize,
    },
    /// Bucket `bucket` of the first `left` (split) inputs joined with that of the others.
    BucketJoin {
        join: JoinStep,
        bucket: u32,
        left: usize,
    },
    /// The input appended to a file (after the partitions before it, whose writing is the
    /// task's second input), which the `last` partition finishes; no rows out.
    Write { file: Arc<Appender>, last: bool },
}

/// One file (Parquet or CSV) written a partition at a time, in order.
pub struct Appender {
    path: PathBuf,
    parquet: bool,
    /// Writes a partition's rows, or (given none) finishes the file; made on the first rows.
    writer: std::sync::Mutex<Option<AppendFn>>,
}

type AppendFn = Box<dyn FnMut(Option<&pl::DataFrame>) -> Result<(), String> + Send>;

impl Appender {
    pub fn new(path: PathBuf, parquet: bool) -> Appender {
        Appender {
            path,
            parquet,
            writer: std::sync::Mutex::new(None),
        }
    }

    /// Append `rows`; after the `last` rows, finish the file (synced before it is used).
    fn write(&self, rows: &pl::DataFrame, last: bool) -> Result<(), String> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if writer.is_none() {
            *writer = Some(self.open(rows.schema())?);
        }
        let write = writer.as_mut().expect("opened");
        write(Some(rows))?;
        if last {
            write(None)?;
        }
        Ok(())
    }

    fn open(&self, schema: &pl::Schema) -> Result<AppendFn, String> {
        use polars::prelude::SerWriter;
        let text = |e: pl::PolarsError| e.to_string();
        let file = std::fs::File::create(&self.path).map_err(|e| e.to_string())?;
        let synced = file.try_clone().map_err(|e| e.to_string())?;
        if self.parquet {
            let mut batched = pl::ParquetWriter::new(file).batched(schema).map_err(text)?;
            Ok(Box::new(move |rows| match rows {
                Some(rows) => batched.write_batch(rows).map_err(text),
                None => {
                    batched.finish().map_err(text)?;
                    synced.sync_all().map_err(|e| e.to_string())
                }
            }))
        } else {
            let mut file = file;
            let mut first = true;
            Ok(Box::new(move |rows| match rows {
                Some(rows) => {
                    let header = std::mem::replace(&mut first, false);
                    pl::CsvWriter::new(&mut file)
                        .include_header(header)
                        .finish(&mut rows.clone())
                        .map_err(text)
                }
                None => synced.sync_all().map_err(|e| e.to_string()),
            }))
        }
    }
}

fn apply(lazy: pl::LazyFrame, steps: &[Step]) -> pl::LazyFrame {
    steps.iter().fold(lazy, |lf, step| step(lf))
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

impl FrameWork {
    pub fn run(&self, inputs: &[&pl::DataFrame]) -> Result<pl::DataFrame, String> {
        match self {
            FrameWork::Start { base, steps } => apply(base.lazy()?, steps)
                .collect()
                .map_err(|e| base.locate(&e.to_string())),
            FrameWork::Combine { steps } => apply(stacked(inputs)?, steps)
                .collect()
                .map_err(|e| first_line(&e.to_string())),
            FrameWork::Head { parts, n } => {
                let mut taken: Vec<pl::DataFrame> = Vec::new();
                let mut rows = 0;
                for (base, steps) in parts {
                    if rows >= *n {
                        break;
                    }
                    let limit = (*n - rows) as pl::IdxSize;
                    let part = apply(base.lazy()?, steps)
                        .limit(limit)
                        .collect()
                        .map_err(|e| base.locate(&e.to_string()))?;
                    rows += part.height();
                    taken.push(part);
                }
                let refs: Vec<&pl::DataFrame> = taken.iter().collect();
                match refs.is_empty() {
                    true => Err("no partitions to take rows from".into()),
                    false => stacked(&refs)?
                        .collect()
                        .map_err(|e| first_line(&e.to_string())),
                }
            }
            FrameWork::Join { join } => {
                let (left, right) = (stacked(&inputs[..1])?, stacked(&inputs[1..])?);
                join(left, right)
                    .collect()
                    .map_err(|e| first_line(&e.to_string()))
            }
            FrameWork::Split { keys, buckets } => super::shuffle::split(inputs[0], keys, *buckets),
            FrameWork::BucketJoin { join, bucket, left } => {
                let (lefts, rights) = inputs.split_at(*left);
                let lefts = super::shuffle::bucket(lefts, *bucket)?;
                let rights = super::shuffle::bucket(rights, *bucket)?;
                join(lefts.lazy(), rights.lazy())
                    .collect()
                    .map_err(|e| first_line(&e.to_string()))
            }
            FrameWork::Write { file, last } => {
                file.write(inputs[0], *last)?;
                Ok(pl::DataFrame::empty())
            }
        }
    }

    /// A short description for task graphs.
    pub fn describe(&self) -> String {
        match self {
            FrameWork::Start { base, steps } => match steps.len() {
                0 => base.label(),
                n => format!("{} + {n} fused step{}", base.label(), plural(n)),
            },
            FrameWork::Combine { steps } => format!("{} step{}", steps.len(), plural(steps.len())),
            FrameWork::Head { parts, n } => {
                format!(
                    "{n} rows from up to {} partition{}",
                    parts.len(),
                    plural(parts.len())
                )
            }
            FrameWork::Join { .. } => "join".into(),
            FrameWork::Split { buckets, .. } => format!("split into {buckets} buckets by key"),
            FrameWork::BucketJoin { bucket, .. } => format!("join bucket {bucket}"),
            FrameWork::Write { file, .. } => file
                .path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into(),
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            FrameWork::Start { .. } => "partition",
            FrameWork::Combine { .. } => "combine",
            FrameWork::Head { .. } => "head",
            FrameWork::Join { .. } | FrameWork::BucketJoin { .. } => "join",
            FrameWork::Split { .. } => "split",
            FrameWork::Write { .. } => "write",
        }
    }
}

/// The values of a partition's only column (f64, missing values NaN) as a 1-d chunk; its
/// length was counted before, and a different one means the files changed since.
pub fn column_chunk(
    rows: &pl::DataFrame,
    length: usize,
) -> Result<crate::kernels::chunk::ChunkData, String> {
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
    Ok(crate::kernels::chunk::ChunkData::F64(
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[length]), values)
            .expect("a 1-d shape of the values' length"),
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
