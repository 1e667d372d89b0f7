//! Reading frames: the schema of CSV files from every file's header and sampled rows, unified
//! across files (so a column that is missing in the early files, or integer in some and float in
//! others, gets one type before anything runs — the trap that makes Dask fail mid-compute), and
//! of Parquet files from their metadata; then the files' partitions (a large CSV file is split in
//! blocks at line ends), each read with that schema.

use super::Stamp;
use crate::frame::plan::{CsvFormat, Partition, PlanNode, PlanOp, Reader};
use crate::frame::{ColType, Frame, Schema};
use crate::source::Span;
use crate::text::first_line;
use polars::prelude as pl;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Text pandas reads as missing by default (`NA` in the flights files among them): pandas'
/// `STR_NA_VALUES`.
pub const DEFAULT_NULLS: &[&str] = &[
    "", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "NULL", "null", "None", "#N/A", "<NA>",
    "#NA", "#N/A N/A", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN",
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
/// A CSV file's schema from its sampled rows, and whether the sample was the whole file.
#[derive(Clone)]
struct Sampled {
    schema: Schema,
    whole: bool,
    /// Lines end in a bare `\r`.
    carriage_returns: bool,
}

fn sample_schema(file: &Path, options: &CsvOptions) -> Result<Sampled, ReadError> {
    type Key = (PathBuf, u8, Vec<String>);
    static SCHEMAS: std::sync::OnceLock<std::sync::Mutex<HashMap<Key, (Stamp, Sampled)>>> =
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
    if let Some((known, sampled)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        if *known == stamp {
            return Ok(sampled.clone());
        }
    }
    let sampled = read_sample_schema(file, options)?;
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, (stamp, sampled.clone()));
    Ok(sampled)
}

/// Files up to this size (hand-made tables, small partitions) are read whole while checking, for
/// an unclosed quote; in larger ones (re-reading gigabytes to check would cost more than the read)
/// it is found when read, and the error says what to do about quotes.
const QUOTE_SCAN_LIMIT: u64 = 4 << 20;

/// How much of a larger file is read for its sample of rows.
const LARGE_FILE_SAMPLE: u64 = 8 << 20;

/// A walk over CSV text, fed in pieces: where its records end and whether a quoted field is left
/// open. A quote opens a field only at its start (`12"` is text); inside, `""` is a quote and
/// line breaks belong to the field. Pieces without a quote (most files have none) are only
/// searched for line ends.
struct QuoteScan {
    separator: u8,
    /// Bytes fed so far.
    offset: usize,
    quoted: bool,
    field_start: bool,
    /// The line (from 1) being read, and the one where the open quoted field opened.
    line: usize,
    opened: usize,
    records: usize,
    /// The records to find the end of, and where the last of them ends once found.
    rows: usize,
    rows_end: Option<usize>,
}

impl QuoteScan {
    fn new(separator: u8, rows: usize) -> QuoteScan {
        QuoteScan {
            separator,
            offset: 0,
            quoted: false,
            field_start: true,
            line: 1,
            opened: 0,
            records: 0,
            rows,
            rows_end: None,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        if !self.quoted && memchr::memchr(b'"', bytes).is_none() {
            for at in memchr::memchr_iter(b'\n', bytes) {
                self.line += 1;
                self.end_record(at);
            }
            if let Some(&last) = bytes.last() {
                self.field_start = last == self.separator || last == b'\n';
            }
            self.offset += bytes.len();
            return;
        }
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if self.quoted {
                if b == b'"' {
                    // A doubled quote split between two pieces reads as a close then an open:
                    // the same state either way.
                    if bytes.get(at + 1) == Some(&b'"') {
                        at += 1;
                    } else {
                        self.quoted = false;
                    }
                } else if b == b'\n' {
                    self.line += 1;
                }
            } else if b == b'"' && self.field_start {
                self.quoted = true;
                self.opened = self.line;
            } else if b == b'\n' {
                self.line += 1;
                self.end_record(at);
            }
            self.field_start = !self.quoted && (b == self.separator || b == b'\n');
            at += 1;
        }
        self.offset += bytes.len();
    }

    fn end_record(&mut self, at: usize) {
        self.records += 1;
        if self.records == self.rows && self.rows_end.is_none() {
            self.rows_end = Some(self.offset + at + 1);
        }
    }

    /// The line where a quoted field opens that is never closed, once everything was fed.
    fn unclosed(&self) -> Option<usize> {
        self.quoted.then_some(self.opened)
    }
}

fn read_sample_schema(file: &Path, options: &CsvOptions) -> Result<Sampled, ReadError> {
    use pl::SerReader;
    let shown = file.display();
    // Small files are read whole and scanned for an unclosed quote; of larger ones, only the
    // start is read. Either way the sample is parsed from memory.
    let unreadable = |e: std::io::Error| {
        fail(
            "flow::check::bad_csv",
            format!("cannot read `{shown}`: {e}"),
            0,
            "check the file's permissions",
        )
    };
    let mut opened = std::fs::File::open(file).map_err(unreadable)?;
    let length = opened.metadata().map_or(0, |m| m.len());
    let small = length <= QUOTE_SCAN_LIMIT;
    // Read in pieces: the start is kept until it holds the header and the sampled rows (at most
    // LARGE_FILE_SAMPLE bytes); a small file is read on to its end for an unclosed quote.
    let mut scan = QuoteScan::new(options.separator, SAMPLE_ROWS + 1);
    let mut bytes: Vec<u8> = Vec::new();
    // A small file in one piece (a zeroed 1 MiB buffer per file would cost more than reading it).
    let mut piece = vec![0u8; (length as usize).saturating_add(1).clamp(4096, 1 << 20)];
    loop {
        let keeping = scan.rows_end.is_none() && bytes.len() < LARGE_FILE_SAMPLE as usize;
        if !keeping && !small {
            break;
        }
        let n = std::io::Read::read(&mut opened, &mut piece).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        scan.feed(&piece[..n]);
        if keeping {
            bytes.extend_from_slice(&piece[..n]);
        }
    }
    if let (true, Some(line)) = (small, scan.unclosed()) {
        return Err(fail(
            "flow::check::bad_csv",
            format!("`{shown}` line {line}: a quoted field opens here and is never closed"),
            0,
            "close the quote (a quote inside a quoted field is written twice: \"\")",
        ));
    }
    // Lines ending in a bare `\r` (no `\n` in the file's start): read as if they ended in `\n`.
    let carriage_returns =
        memchr::memchr(b'\n', &bytes).is_none() && memchr::memchr(b'\r', &bytes).is_some();
    if carriage_returns {
        as_line_feeds(&mut bytes);
        scan = QuoteScan::new(options.separator, SAMPLE_ROWS + 1);
        scan.feed(&bytes);
    }
    // The header and the sampled rows: up to the end of the last sampled record, or (a large
    // file's start) of its last whole line.
    let end = match (scan.rows_end, small) {
        (Some(end), _) => end.min(bytes.len()),
        (None, true) => bytes.len(),
        (None, false) => bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1),
    };
    bytes.truncate(end);
    // The first rows, read eagerly (a lazy query per file costs ~1 ms of polars' executor
    // starting up: a pattern of 10,000 small files took seconds): their types are the file's,
    // and a text column with no value in them (all missing, or a file of only a header, such as
    // an empty partition written out) says nothing of its type — other files decide. Values
    // that do not parse, rows too long and bytes that are not UTF-8 are left for the read to
    // report, with their line and advice.
    let format = options.format();
    let nulls: Vec<pl::PlSmallStr> = format.nulls.iter().map(|v| v.as_str().into()).collect();
    // Every column is read as text and typed here, by the rules flow's reader parses with.
    let sample =
        pl::CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_ignore_errors(true)
            .map_parse_options(|parse| {
                parse
                    .with_separator(format.separator)
                    .with_null_values(Some(pl::NullValues::AllColumns(nulls.clone())))
                    .with_truncate_ragged_lines(true)
                    .with_encoding(pl::CsvEncoding::LossyUtf8)
            })
            .into_reader_with_file_handle(std::io::Cursor::new(bytes))
            .finish()
            .map_err(|e| {
                fail(
            "flow::check::bad_csv",
            format!("cannot read `{shown}` as CSV: {}", first_line(&e.to_string())),
            0,
            "check the separator (separator=\";\") and that every row has the header's columns",
        )
            })?;
    let names = pandas_names(
        sample
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect(),
    );
    let schema = sample
        .columns()
        .iter()
        .zip(names)
        .map(|(column, name)| (name, sampled_type(column)))
        .collect();
    Ok(Sampled {
        schema,
        whole: end as u64 >= length,
        carriage_returns,
    })
}

/// Text with line ends `\r` made `\n`.
pub fn as_line_feeds(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
}

/// The type the sampled values of a column (read as text) say, as pandas types a column: all
/// integers (within 64 bits) make an integer column, all numbers a float one, all `true` and
/// `false` a bool one; anything else is text, and so are integers beyond 64 bits (pandas makes
/// them unsigned or objects; flow has no unsigned type, and floats would lose digits). A column
/// with no value in the sample is `Null`: other files decide.
fn sampled_type(column: &pl::Column) -> ColType {
    use super::csv_block::{integer_syntax, parse_bool, parse_float, parse_int, Parsed};
    let Ok(texts) = column.str() else {
        return ColType::of(column.dtype());
    };
    let (mut ints, mut floats, mut bools, mut any) = (true, true, true, false);
    for text in texts.iter().flatten() {
        let text = text.as_bytes();
        let int = parse_int(text);
        if int == Parsed::Missing {
            continue;
        }
        any = true;
        let float = match int {
            Parsed::Value(_) => true,
            // An integer too large for 64 bits is not read as a float.
            _ => !integer_syntax(text) && matches!(parse_float(text), Parsed::Value(_)),
        };
        ints &= matches!(int, Parsed::Value(_));
        floats &= float;
        bools &= matches!(parse_bool(text), Parsed::Value(_));
        if !(ints || floats || bools) {
            return ColType::Str;
        }
    }
    match (any, ints, floats, bools) {
        (false, ..) => ColType::Null,
        (true, true, ..) => ColType::Int,
        (true, _, true, _) => ColType::Float,
        (true, _, _, true) => ColType::Bool,
        _ => ColType::Str,
    }
}

/// Column names as pandas makes them unique: a repeated `a` is `a.1`, then `a.2` (polars would
/// say `a_duplicated_0`).
fn pandas_names(polars_names: Vec<&str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(polars_names.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for name in polars_names {
        // polars renames the k-th repeat of `a` to `a_duplicated_k`.
        let original = match name.rsplit_once("_duplicated_") {
            Some((base, k)) if k.parse::<usize>().is_ok() && seen.contains_key(base) => base,
            _ => name,
        };
        let mut repeat = seen.get(original).copied().unwrap_or(0);
        let mut unique = match repeat {
            0 => original.to_string(),
            k => format!("{original}.{k}"),
        };
        while names.contains(&unique) {
            repeat += 1;
            unique = format!("{original}.{repeat}");
        }
        seen.insert(original.to_string(), repeat + 1);
        names.push(unique);
    }
    names
}

/// Read CSV files as one frame: their schemas unified, the user's `dtypes` on top.
pub fn csv(files: &[PathBuf], options: &CsvOptions, span: Span) -> Result<Frame, ReadError> {
    let mut schema: Option<Schema> = None;
    let mut all_sampled_whole = true;
    let mut carriage_returns = Vec::with_capacity(files.len());
    for file in files {
        let own = sample_schema(file, options)?;
        all_sampled_whole &= own.whole;
        carriage_returns.push(own.carriage_returns);
        match &mut schema {
            None => schema = Some(own.schema),
            Some(known) => unify(known, own.schema, file, &files[0])?,
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
    // A column missing in every row of every file is floats, as pandas makes it (its mean is
    // missing, not an error). Missing only in the rows sampled, it is read as text, which any
    // value the rest of a file holds fits.
    for slot in schema.iter_mut() {
        if slot.1 == ColType::Null && all_sampled_whole {
            slot.1 = ColType::Float;
        } else if slot.1 == ColType::Null || slot.1 == ColType::Other {
            slot.1 = ColType::Str;
        }
    }
    let reader = Arc::new(Reader::Csv {
        format: options.format(),
        schema: schema.clone(),
    });
    let mut partitions = Vec::new();
    for (file, carriage_returns) in files.iter().zip(carriage_returns) {
        // A file of `\r` line ends is not split (its blocks would be found by `\n`).
        let block_size = if carriage_returns {
            0
        } else {
            options.block_size
        };
        let blocks = blocks(file, block_size).map_err(|e| {
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
                carriage_returns,
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
                carriage_returns: false,
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
