//! Writing a frame a partition at a time: each partition's rows are appended to one Parquet file
//! (a batched writer) or CSV file, in order, and the last one finishes the file. A write task
//! says only where and how ([`FileSink`]); the open files live in the [`Sinks`] of the driver
//! running the computation, never in a task.

use polars::prelude as pl;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    Parquet,
    Csv,
}

impl TableFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Parquet => "parquet",
            TableFormat::Csv => "csv",
        }
    }
}

/// A file partitions are appended to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileSink {
    pub path: PathBuf,
    pub format: TableFormat,
}

/// The files a computation is writing, each opened by its first partition's rows.
#[derive(Default)]
pub struct Sinks {
    open: Mutex<HashMap<PathBuf, Arc<Mutex<Appender>>>>,
}

impl Sinks {
    /// Append `rows` to the sink's file; after the `last` rows, finish it (synced before it is
    /// used). Writes to one file arrive in order (each write task waits for the one before).
    pub fn append(&self, sink: &FileSink, rows: &pl::DataFrame, last: bool) -> Result<(), String> {
        let appender = {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            match open.get(&sink.path) {
                Some(appender) => appender.clone(),
                None => {
                    let appender = Arc::new(Mutex::new(Appender::open(sink, rows.schema())?));
                    open.insert(sink.path.clone(), appender.clone());
                    appender
                }
            }
        };
        let mut appender = appender.lock().unwrap_or_else(|e| e.into_inner());
        appender.write(rows)?;
        if last {
            appender.finish()?;
            self.open
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&sink.path);
        }
        Ok(())
    }
}

enum Appender {
    Parquet {
        writer: Option<polars::io::parquet::write::BatchedWriter<std::fs::File>>,
        synced: std::fs::File,
    },
    Csv {
        file: Box<dyn std::io::Write + Send>,
        /// Synced when finished (a regular file; a device or FIFO has nothing to sync).
        synced: Option<std::fs::File>,
        first: bool,
    },
}

fn text(error: pl::PolarsError) -> String {
    error.to_string()
}

impl Appender {
    /// The file at the sink's path, created (or a device or FIFO, opened); `-` is standard
    /// output.
    fn open(sink: &FileSink, schema: &pl::Schema) -> Result<Appender, String> {
        if sink.path.as_os_str() == "-" {
            return match sink.format {
                TableFormat::Csv => Ok(Appender::Csv {
                    file: Box::new(std::io::stdout()),
                    synced: None,
                    first: true,
                }),
                TableFormat::Parquet => Err("Parquet is not written to standard output".into()),
            };
        }
        let file = std::fs::File::create(&sink.path).map_err(|e| e.to_string())?;
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        Ok(match sink.format {
            TableFormat::Parquet => {
                let synced = file.try_clone().map_err(|e| e.to_string())?;
                let writer = pl::ParquetWriter::new(file).batched(schema).map_err(text)?;
                Appender::Parquet {
                    writer: Some(writer),
                    synced,
                }
            }
            TableFormat::Csv => Appender::Csv {
                synced: match regular {
                    true => Some(file.try_clone().map_err(|e| e.to_string())?),
                    false => None,
                },
                file: Box::new(file),
                first: true,
            },
        })
    }

    fn write(&mut self, rows: &pl::DataFrame) -> Result<(), String> {
        use polars::prelude::SerWriter;
        match self {
            Appender::Parquet { writer, .. } => {
                let writer = writer.as_mut().ok_or("the file is finished")?;
                // The writer takes record batches: columns chunked alike (a left join's are
                // not, and polars' writer panics on them).
                if rows.should_rechunk() {
                    let mut aligned = rows.clone();
                    aligned.align_chunks_par();
                    writer.write_batch(&aligned).map_err(text)
                } else {
                    writer.write_batch(rows).map_err(text)
                }
            }
            Appender::Csv { file, first, .. } => {
                let header = std::mem::replace(first, false);
                // A missing value of a one-column frame is `""`, as pandas writes it: a blank
                // line would be skipped when read back.
                let missing = match rows.width() {
                    1 => "\"\"",
                    _ => "",
                };
                pl::CsvWriter::new(file)
                    .include_header(header)
                    .with_null_value(missing.into())
                    .finish(&mut rows.clone())
                    .map_err(text)
            }
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        match self {
            Appender::Parquet { writer, synced } => {
                if let Some(writer) = writer.take() {
                    writer.finish().map_err(text)?;
                }
                synced.sync_all().map_err(|e| e.to_string())
            }
            Appender::Csv { file, synced, .. } => {
                file.flush().map_err(|e| e.to_string())?;
                match synced {
                    Some(synced) => synced.sync_all().map_err(|e| e.to_string()),
                    None => Ok(()),
                }
            }
        }
    }
}
