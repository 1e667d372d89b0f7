//! Reading a frame partition's rows at run time: a CSV partition's bytes are mapped and read by
//! flow's own reader when they hold no quotes (see `csv_block`), else by polars; a Parquet file
//! by polars, each column cast to the frame's type. Failures are said in flow's terms: the file,
//! and the line where a value did not parse.

use super::csv_block::{self, CsvBlock, Text};
use crate::frame::plan::{CsvFormat, Partition, Reader};
use crate::frame::{ColType, Schema};
use crate::text::first_line;
use polars::prelude as pl;
use polars::prelude::LazyFileListReader;
use std::ops::Range;
use std::sync::Arc;

/// The polars schema a frame schema is read as.
pub fn polars_schema(schema: &Schema) -> Arc<pl::Schema> {
    Arc::new(
        schema
            .iter()
            .map(|(n, t)| (pl::PlSmallStr::from(n.as_str()), t.polars()))
            .collect(),
    )
}

/// A CSV reader set to the format's separator and missing values.
pub fn csv_reader(format: &CsvFormat, reader: pl::LazyCsvReader) -> pl::LazyCsvReader {
    let nulls = format.nulls.iter().map(|v| v.as_str().into()).collect();
    reader
        .with_separator(format.separator)
        .with_null_values(Some(pl::NullValues::AllColumns(nulls)))
}

/// The partition's rows as a polars lazy frame; a failure names the file (and line).
pub fn scan(partition: &Partition) -> Result<pl::LazyFrame, String> {
    scan_unlocated(partition).map_err(|message| locate(partition, &message))
}

fn scan_unlocated(partition: &Partition) -> Result<pl::LazyFrame, String> {
    let path = pl::PlRefPath::from(partition.path.to_string_lossy().as_ref());
    match &*partition.reader {
        Reader::Csv { format, schema } => {
            let schema = polars_schema(schema);
            let range = partition.bytes.clone().unwrap_or(0..u64::MAX);
            let mut text = Text::map(&partition.path, &range)
                .map_err(|e| format!("cannot read `{}`: {e}", partition.path.display()))?;
            if partition.carriage_returns {
                let mut bytes = text.to_vec();
                super::frame_read::as_line_feeds(&mut bytes);
                text = Text::Owned(bytes);
            }
            let block = CsvBlock::new(
                partition.path.clone(),
                range.start,
                text,
                schema.clone(),
                format,
            );
            if block.readable() {
                return block.scan().map_err(|e| e.to_string());
            }
            // polars reads the rest: a whole file from its path, a block from its bytes.
            // Blank lines are skipped, as pandas and flow's reader do (polars reads a row of
            // missing values).
            let unblanked = csv_block::without_blank_lines(&block.bytes);
            let reader = match (&partition.bytes, unblanked) {
                (None, None) if !partition.carriage_returns => pl::LazyCsvReader::new(path),
                (_, unblanked) => {
                    let bytes = unblanked.unwrap_or_else(|| block.bytes.to_vec());
                    let buffers = pl::ScanSources::Buffers(Arc::from(vec![bytes.into()]));
                    pl::LazyCsvReader::new_with_sources(buffers)
                }
            };
            // Numbers are read as text and parsed by flow's reader's rules (spaces around a
            // number allowed, as pandas reads them; polars' parsers refuse a trailing space).
            let as_text: pl::Schema = schema
                .iter()
                .map(|(n, t)| match t {
                    pl::DataType::Int64 | pl::DataType::Float64 => {
                        (n.clone(), pl::DataType::String)
                    }
                    _ => (n.clone(), t.clone()),
                })
                .collect();
            let numbers: Vec<pl::Expr> = schema
                .iter()
                .enumerate()
                .filter(|(_, (_, t))| matches!(t, pl::DataType::Int64 | pl::DataType::Float64))
                .map(|(k, (n, t))| csv_block::numbers_from_text(n, t, k))
                .collect();
            csv_reader(format, reader)
                .with_has_header(range.start == 0)
                .with_schema(Some(Arc::new(as_text)))
                .finish()
                .map(|rows| match numbers.is_empty() {
                    true => rows,
                    false => rows.with_columns(numbers),
                })
                .map_err(|e| e.to_string())
        }
        Reader::Parquet { schema } => {
            // A float NaN is a missing value, as pandas reads it.
            let casts: Vec<pl::Expr> = schema
                .iter()
                .map(|(n, t)| match t {
                    ColType::Float => {
                        crate::frame::expr::missing_nan(pl::col(n.as_str()).cast(t.polars()))
                    }
                    _ => pl::col(n.as_str()).cast(t.polars()),
                })
                .collect();
            pl::LazyFrame::scan_parquet(path, pl::ScanArgsParquet::default())
                .map(|lf| lf.select(casts))
                .map_err(|e| e.to_string())
        }
    }
}

/// A failure in flow's terms: the file, the line (when polars names a value it could not
/// parse, the first line of this partition holding it), and polars' first line.
pub fn locate(partition: &Partition, message: &str) -> String {
    let first_line = first_line(message);
    let path = &partition.path;
    if first_line.starts_with(&format!("`{}`", path.display())) {
        return first_line; // located already (by flow's own reader, `CsvBlock::fail`)
    }
    let line = unparsed_value(message).and_then(|(value, column)| {
        let range = partition.bytes.clone().unwrap_or(0..u64::MAX);
        let bytes = read_range(path, &range).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        // The first row holding the value in that column (or anywhere, if fields are
        // quoted or separated otherwise).
        let row = text.lines().position(|l| {
            l.split([',', ';', '\t', '|'])
                .nth(column)
                .is_some_and(|f| f.trim_matches('"') == value)
        });
        let row = row.or_else(|| text.lines().position(|l| l.contains(&value)))?;
        let before = match range.start {
            0 => 0,
            start => {
                let head = read_range(path, &(0..start)).ok()?;
                head.iter().filter(|&&b| b == b'\n').count()
            }
        };
        Some(before + row + 1)
    });
    match line {
        Some(line) => format!("`{}` line {line}: {first_line}", path.display()),
        None => format!("`{}`: {first_line}", path.display()),
    }
}

/// The bytes of `range` of a file (to its end at most).
pub fn read_range(path: &std::path::Path, range: &Range<u64>) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(range.start))?;
    let mut bytes = Vec::new();
    file.take(range.end.saturating_sub(range.start))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
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
