//! Reading frames: the schema of CSV files from every file's header and sampled rows, unified
//! across files (so a column that is missing in the early files, or integer in some and float in
//! others, gets one type before anything runs — the trap that makes Dask fail mid-compute), and
//! of Parquet files from their metadata; then the files' partitions (a large CSV file is split in
//! blocks at line ends), each read with that schema.

use super::frame_scan::csv_reader;
use super::Stamp;
use crate::frame::plan::{CsvFormat, Partition, PlanNode, PlanOp, Reader};
use crate::frame::{ColType, Frame, Schema};
use crate::source::Span;
use crate::text::first_line;
use polars::prelude as pl;
use polars::prelude::LazyFileListReader;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Text pandas reads as missing by default (`NA` in the flights files among them).
pub const DEFAULT_NULLS: &[&str] = &[
    "", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "NULL", "null", "None", "#N/A", "<NA>",
];

/// Rows sampled from each file to type its columns.
const SAMPLE_ROWS: usize = 2_000;

/// CSV files larger than this are read as several partitions (Dask's default `blocksize`).
pub const BLOCK_SIZE: u64 = 64 * 1024 * 1024;

pub struct CsvOptions {
    /// Files larger than this many bytes are split into partitions of about this size.
    pub block_size: u64,
    pub separator: u8,
    pub null_values: Vec<String>,
    /// Types given by the user, by column name.
    pub dtypes: Vec<(String, ColType)>,
    pub columns: Option<Vec<String>>,
}

/// Why files cannot be read as one frame (the call's argument `arg` is to blame).
pub struct ReadError {
    pub code: &'static str,
    pub message: String,
    pub arg: usize,
    pub help: String,
}

fn fail(code: &'static str, message: String, arg: usize, help: &str) -> ReadError {
    ReadError {
        code,
        message,
        arg,
        help: help.into(),
    }
}

fn path_of(file: &Path) -> pl::PlRefPath {
    pl::PlRefPath::from(file.to_string_lossy().as_ref())
}

impl CsvOptions {
    fn format(&self) -> CsvFormat {
        CsvFormat {
            separator: self.separator,
            nulls: self.null_values.clone(),
        }
    }
}

/// A file's columns and types, from its header and first rows; kept for the rest of the
/// process while the file is the same, so checking and then running samples each file once.
fn sample_schema(file: &Path, options: &CsvOptions) -> Result<Schema, ReadError> {
    type Key = (PathBuf, u8, Vec<String>);
    static SCHEMAS: std::sync::OnceLock<std::sync::Mutex<HashMap<Key, (Stamp, Schema)>>> =
        std::sync::OnceLock::new();
    let shown = file.display();
    let Some(stamp) = Stamp::of(file) else {
        let (message, help) = super::no_file(file, &shown.to_string());
        return Err(fail("flow::check::missing_file", message, 0, help));
    };
    let key = (
        file.to_path_buf(),
        options.separator,
        options.null_values.clone(),
    );
    let cache = SCHEMAS.get_or_init(Default::default);
    if let Some((known, schema)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        if *known == stamp {
            return Ok(schema.clone());
        }
    }
    let schema = read_sample_schema(file, options)?;
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, (stamp, schema.clone()));
    Ok(schema)
}

/// Files up to this size are scanned whole for an unclosed quote while checking (about 1 GB/s;
/// larger files are found out when read).
const QUOTE_SCAN_LIMIT: u64 = 64 << 20;

/// The line (from 1) where a quoted field opens that is never closed, if one does: the rest of
/// the file would be one field. A quote opens a field only at its start (`12"` is text); inside,
/// `""` is a quote.
fn unclosed_quote(bytes: &[u8], separator: u8) -> Option<usize> {
    let (mut line, mut opened) = (1, 0);
    let (mut quoted, mut field_start) = (false, true);
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if quoted {
            if b == b'"' {
                if bytes.get(at + 1) == Some(&b'"') {
                    at += 1;
                } else {
                    quoted = false;
                }
            } else if b == b'\n' {
                line += 1;
            }
        } else if b == b'"' && field_start {
            quoted = true;
            opened = line;
        } else if b == b'\n' {
            line += 1;
        }
        field_start = !quoted && (b == separator || b == b'\n');
        at += 1;
    }
    quoted.then_some(opened)
}

fn read_sample_schema(file: &Path, options: &CsvOptions) -> Result<Schema, ReadError> {
    let shown = file.display();
    if std::fs::metadata(file).is_ok_and(|m| m.len() <= QUOTE_SCAN_LIMIT) {
        let bytes = std::fs::read(file).unwrap_or_default();
        if let Some(line) = unclosed_quote(&bytes, options.separator) {
            return Err(fail(
                "flow::check::bad_csv",
                format!("`{shown}` line {line}: a quoted field opens here and is never closed"),
                0,
                "close the quote (a quote inside a quoted field is written twice: \"\")",
            ));
        }
    }
    let reader = || csv_reader(&options.format(), pl::LazyCsvReader::new(path_of(file)));
    let schema =
        reader()
            .with_infer_schema_length(Some(SAMPLE_ROWS))
            .finish()
            .and_then(|mut lf| lf.collect_schema())
            .map_err(|e| {
                fail(
                "flow::check::bad_csv",
                format!("cannot read `{shown}` as CSV: {}", first_line(&e.to_string())),
                0,
                "check the separator (separator=\";\") and that every row has the header's columns",
            )
            })?;
    // A text column with no value in the sampled rows (all missing, or a file of only a header,
    // such as an empty partition written out) says nothing of its type: other files decide.
    // (A second, limited read: collecting the sample in the first would parse far past it.)
    let text: Vec<pl::Expr> = schema
        .iter()
        .filter(|(_, t)| ColType::of(t) == ColType::Str)
        .map(|(n, _)| pl::col(n.clone()).is_null().all(false).alias(n.clone()))
        .collect();
    let mut missing: Vec<String> = Vec::new();
    if !text.is_empty() {
        let sampled = reader()
            .with_schema(Some(schema.clone()))
            .finish()
            .and_then(|lf| lf.limit(SAMPLE_ROWS as pl::IdxSize).select(text).collect());
        if let Ok(flags) = sampled {
            for column in flags.columns() {
                if column.get(0).ok().and_then(|v| v.extract_bool()) == Some(true) {
                    missing.push(column.name().to_string());
                }
            }
        }
    }
    Ok(schema
        .iter()
        .map(|(name, dtype)| {
            let ty = match missing.iter().any(|m| m == name.as_str()) {
                true => ColType::Null,
                false => ColType::of(dtype),
            };
            (name.to_string(), ty)
        })
        .collect())
}

/// Read CSV files as one frame: their schemas unified, the user's `dtypes` on top.
pub fn csv(files: &[PathBuf], options: &CsvOptions, span: Span) -> Result<Frame, ReadError> {
    let mut schema: Option<Schema> = None;
    for file in files {
        let own = sample_schema(file, options)?;
        match &mut schema {
            None => schema = Some(own),
            Some(known) => unify(known, own, file, &files[0])?,
        }
    }
    let mut schema = schema.unwrap_or_default();
    for (name, ty) in &options.dtypes {
        match schema.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = *ty,
            None => {
                return Err(fail(
                    "flow::check::unknown_column",
                    format!("dtypes names `{name}`, which is not a column of the files"),
                    3,
                    &crate::text::did_you_mean(
                        name,
                        schema.iter().map(|(n, _)| n.as_str()),
                        "columns",
                    ),
                ))
            }
        }
    }
    // Columns missing in every file sampled are read as text, as polars and pandas do.
    for slot in schema.iter_mut() {
        if slot.1 == ColType::Null || slot.1 == ColType::Other {
            slot.1 = ColType::Str;
        }
    }
    let reader = Arc::new(Reader::Csv {
        format: options.format(),
        schema: schema.clone(),
    });
    let mut partitions = Vec::new();
    for file in files {
        let blocks = blocks(file, options.block_size).map_err(|e| {
            fail(
                "flow::check::bad_csv",
                format!("cannot read `{}`: {e}", file.display()),
                0,
                "check the files",
            )
        })?;
        partitions.extend(blocks.into_iter().map(|bytes| {
            Arc::new(Partition {
                path: file.clone(),
                bytes,
                reader: reader.clone(),
            })
        }));
    }
    let frame = scanned(schema, partitions, "read_csv", span);
    select_columns(frame, options.columns.as_deref(), span)
}

/// The frame reading `partitions`.
fn scanned(schema: Schema, partitions: Vec<Arc<Partition>>, reading: &str, span: Span) -> Frame {
    let label = match crate::frame::plan::files_of(&partitions).as_slice() {
        [one] => format!(
            "{reading}({})",
            one.file_name().unwrap_or_default().to_string_lossy()
        ),
        many => format!("{reading}({} files)", many.len()),
    };
    Frame {
        schema,
        plan: PlanNode::new(PlanOp::Scan(partitions), label, span),
        computed: None,
        span,
    }
}

/// The byte ranges a CSV file is read in: the whole file (none) when it is at most `size`
/// bytes, else blocks of about `size` bytes, each ending at a line end. (A quoted field holding
/// a line break at a block boundary would be cut, as in Dask: give a larger `blocksize`.)
fn blocks(file: &Path, size: u64) -> std::io::Result<Vec<Option<std::ops::Range<u64>>>> {
    use std::io::{Read, Seek, SeekFrom};
    let length = std::fs::metadata(file)?.len();
    if length <= size || size == 0 {
        return Ok(vec![None]);
    }
    let mut handle = std::fs::File::open(file)?;
    let mut starts = vec![0u64];
    let mut window = vec![0u8; 64 * 1024];
    let mut at = size;
    while at < length {
        // The block ends after the first line end at or past `at`.
        handle.seek(SeekFrom::Start(at))?;
        let mut end = None;
        let mut position = at;
        while end.is_none() && position < length {
            let read = handle.read(&mut window)?;
            if read == 0 {
                break;
            }
            end = window[..read]
                .iter()
                .position(|&b| b == b'\n')
                .map(|k| position + k as u64 + 1);
            position += read as u64;
        }
        match end {
            Some(end) if end < length => {
                starts.push(end);
                at = end + size;
            }
            _ => break,
        }
    }
    let mut ranges: Vec<Option<std::ops::Range<u64>>> =
        starts.windows(2).map(|w| Some(w[0]..w[1])).collect();
    ranges.push(Some(*starts.last().expect("a start")..length));
    Ok(ranges)
}

/// Fold a file's schema into the schema of the files before it: the same column names, types
/// unified.
fn unify(known: &mut Schema, own: Schema, file: &Path, first: &Path) -> Result<(), ReadError> {
    let names = |s: &Schema| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    if names(known) != names(&own) {
        return Err(fail(
            "flow::check::mismatched_files",
            format!(
                "`{}` has columns ({}) but `{}` has ({})",
                file.display(),
                names(&own).join(", "),
                first.display(),
                names(known).join(", ")
            ),
            0,
            "the files a pattern matches are one table: each needs the same columns",
        ));
    }
    for (slot, (_, t)) in known.iter_mut().zip(&own) {
        slot.1 = slot.1.unify(*t);
    }
    Ok(())
}

fn select_columns(
    frame: Frame,
    columns: Option<&[String]>,
    span: Span,
) -> Result<Frame, ReadError> {
    let Some(columns) = columns else {
        return Ok(frame);
    };
    use crate::frame::expr::{Expr, Node};
    let exprs: Vec<Arc<Expr>> = columns
        .iter()
        .map(|c| Expr::new(Node::Column(c.clone()), span))
        .collect();
    frame.select(&exprs).map_err(|d| ReadError {
        code: d.code,
        message: d.message,
        arg: 4,
        help: d.help.unwrap_or_default(),
    })
}

/// Read Parquet files as one frame (their schemas must agree; types unify).
pub fn parquet(
    files: &[PathBuf],
    columns: Option<&[String]>,
    span: Span,
) -> Result<Frame, ReadError> {
    let mut schema: Option<Schema> = None;
    for file in files {
        let shown = file.display();
        if !file.is_file() {
            let (message, help) = super::no_file(file, &shown.to_string());
            return Err(fail("flow::check::missing_file", message, 0, help));
        }
        let mut lf = pl::LazyFrame::scan_parquet(path_of(file), pl::ScanArgsParquet::default())
            .map_err(|e| not_parquet(file, &e.to_string()))?;
        let own: Schema = lf
            .collect_schema()
            .map_err(|e| not_parquet(file, &e.to_string()))?
            .iter()
            .map(|(n, t)| (n.to_string(), ColType::of(t)))
            .collect();
        match &mut schema {
            None => schema = Some(own),
            Some(known) => unify(known, own, file, &files[0])?,
        }
    }
    let schema = schema.unwrap_or_default();
    let reader = Arc::new(Reader::Parquet {
        schema: schema.clone(),
    });
    let partitions = files
        .iter()
        .map(|file| {
            Arc::new(Partition {
                path: file.clone(),
                bytes: None,
                reader: reader.clone(),
            })
        })
        .collect();
    let frame = scanned(schema, partitions, "read_parquet", span);
    select_columns(frame, columns, span)
}

fn not_parquet(file: &Path, message: &str) -> ReadError {
    fail(
        "flow::check::not_parquet",
        format!(
            "`{}` is not a Parquet file ({})",
            file.display(),
            first_line(message)
        ),
        0,
        "read_parquet reads Parquet files; is the file complete?",
    )
}
