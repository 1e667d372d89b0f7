//! Reading a block of CSV rows — a whole file, or a byte range of it starting at a line — into
//! polars columns, for text without quotes (the common case for numeric data).
//!
//! polars' own CSV reader, built without its nightly-only `simd` feature, walks every byte
//! twice with scalar loops: once to count lines, once to split fields. This reader finds the
//! separators and line ends of 64 bytes at a time as one bit mask (a loop the compiler turns
//! into vector compares), and parses only the columns the query asks for, with the same number
//! parsers as polars (`atoi_simd`, `fast-float2`) and the same rules: leading spaces and tabs
//! before a number are skipped, an empty field and a listed null value are missing, a short
//! row's missing fields are missing, a trailing `\r` ends a line. It is stricter in one way: a
//! row with more fields than the header is an error even when those columns are not read.
//!
//! Text holding a quote character, and files with date or datetime columns, are read by polars.

use crate::frame::plan::CsvFormat;
use polars::prelude as pl;
use polars::prelude::{ChunkedBuilder, IntoColumn, IntoSeries};
use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

/// The rows of one block, ready to be scanned by a polars query.
pub struct CsvBlock {
    path: PathBuf,
    /// Where the block starts in the file (0: it starts with the header line).
    start: u64,
    /// The block's bytes, and where its rows start in them (after the header line).
    pub bytes: Text,
    rows_from: usize,
    schema: Arc<pl::Schema>,
    separator: u8,
    nulls: Nulls,
}

/// A block's bytes: mapped from the file (no copy, no fresh pages to clear), or owned.
pub enum Text {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Text {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Text::Mapped(map) => map,
            Text::Owned(bytes) => bytes,
        }
    }
}

impl Text {
    /// The bytes of `range` of a file (to its end at most), mapped.
    pub fn map(path: &std::path::Path, range: &std::ops::Range<u64>) -> std::io::Result<Text> {
        let file = std::fs::File::open(path)?;
        let end = range.end.min(file.metadata()?.len());
        let len = end.saturating_sub(range.start) as usize;
        if len == 0 {
            return Ok(Text::Owned(Vec::new()));
        }
        // SAFETY: the map is read-only and dropped with the block. A file truncated by another
        // process while it is read would fault, as it would under polars' reader, which maps
        // CSV files the same way.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(range.start)
                .len(len)
                .map(&file)?
        };
        Ok(Text::Mapped(map))
    }
}

/// The values read as missing, with the first bytes they start with for a quick refusal.
struct Nulls {
    values: Vec<Box<[u8]>>,
    first_bytes: [bool; 256],
    /// Bit n: a value of length n (a value of 64 bytes or more sets bit 63).
    lengths: u64,
    empty: bool,
    /// Some value reads as a number other than NaN (a user's `-999`): a number must then be
    /// looked up too.
    numbers: bool,
}

impl Nulls {
    fn new<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Nulls {
        let values: Vec<Box<[u8]>> = values.into_iter().map(Box::from).collect();
        let mut first_bytes = [false; 256];
        let mut lengths = 0u64;
        for value in &values {
            if let Some(&b) = value.first() {
                first_bytes[b as usize] = true;
            }
            lengths |= Self::length_bit(value);
        }
        let number = |v: &[u8]| {
            matches!(parse_int(v), Parsed::Value(_))
                || matches!(parse_float(v), Parsed::Value(x) if !x.is_nan())
        };
        Nulls {
            empty: values.iter().any(|v| v.is_empty()),
            numbers: values.iter().any(|v| number(v)),
            values,
            first_bytes,
            lengths,
        }
    }

    #[inline]
    fn length_bit(value: &[u8]) -> u64 {
        1 << value.len().min(63)
    }

    /// Whether `value` is a missing-value marker. Most fields are ruled out by their first byte
    /// and length without a comparison (`1.#IND` is a marker, `1.5` is not).
    #[inline]
    fn contains(&self, value: &[u8]) -> bool {
        match value.first() {
            None => self.empty,
            Some(&b) => {
                self.first_bytes[b as usize]
                    && self.lengths & Self::length_bit(value) != 0
                    && self.values.iter().any(|v| **v == *value)
            }
        }
    }
}

impl CsvBlock {
    /// The block of file `path` starting at byte `start` (a line start), holding `bytes`, of
    /// files with `schema` written in `format`.
    pub fn new(
        path: PathBuf,
        start: u64,
        bytes: Text,
        schema: Arc<pl::Schema>,
        format: &CsvFormat,
    ) -> CsvBlock {
        let rows_from = match start {
            0 => memchr::memchr(b'\n', &bytes).map_or(bytes.len(), |end| end + 1),
            _ => 0,
        };
        CsvBlock {
            path,
            start,
            bytes,
            rows_from,
            schema,
            separator: format.separator,
            nulls: Nulls::new(format.nulls.iter().map(|n| n.as_bytes())),
        }
    }

    fn rows(&self) -> &[u8] {
        &self.bytes[self.rows_from..]
    }

    /// Can this reader read the block? (No quote character in its rows; only numbers, text and
    /// booleans in its columns.)
    pub fn readable(&self) -> bool {
        self.schema.iter_values().all(|t| {
            matches!(
                t,
                pl::DataType::Int64
                    | pl::DataType::Float64
                    | pl::DataType::String
                    | pl::DataType::Boolean
            )
        }) && memchr::memchr(b'"', self.rows()).is_none()
    }

    /// The block as a lazy frame whose scan reads only the columns the query needs.
    pub fn scan(self) -> pl::PolarsResult<pl::LazyFrame> {
        let args = pl::ScanArgsAnonymous {
            schema: Some(self.schema.clone()),
            name: "CSV BLOCK",
            ..Default::default()
        };
        pl::LazyFrame::anonymous_scan(Arc::new(self), args)
    }

    /// The columns named (all when none) of the first `limit` rows (all when none).
    pub fn read(
        &self,
        names: Option<&[pl::PlSmallStr]>,
        limit: Option<usize>,
    ) -> Result<pl::DataFrame, String> {
        let width = self.schema.len();
        let wanted: Vec<usize> = match names {
            None => (0..width).collect(),
            Some(names) => names
                .iter()
                .map(|n| {
                    self.schema
                        .index_of(n)
                        .ok_or_else(|| format!("no column `{n}` in the CSV block"))
                })
                .collect::<Result<_, _>>()?,
        };
        // The builder of each column of the file, if it is read.
        let mut slot = vec![None; width];
        let rows = self.rows();
        let capacity = rows.len() / (16 * width.max(1)) + 16;
        let mut columns: Vec<ColumnBuilder> = Vec::with_capacity(wanted.len());
        for (i, &index) in wanted.iter().enumerate() {
            slot[index] = Some(i);
            let (name, dtype) = self
                .schema
                .get_at_index(index)
                .expect("index of the schema");
            columns.push(ColumnBuilder::new(name.clone(), dtype, capacity));
        }

        let limit = limit.unwrap_or(usize::MAX);
        let mut height = 0usize;
        // Blank lines are skipped, as pandas does; they still count for a failure's line.
        let mut blank = 0usize;
        let mut field = 0usize;
        let mut field_start = 0usize;
        let mut ends = Boundaries::new(rows, self.separator);
        while height < limit {
            // The end of the next field: a separator, a line end, or the end of the text.
            let (end, line_ends) = match ends.next() {
                Some(end) => (end, rows[end] == b'\n'),
                // The last row, when no line end follows it.
                None if field_start < rows.len() || field > 0 => (rows.len(), true),
                None => break,
            };
            if field >= width {
                let line_end = memchr::memchr(b'\n', &rows[field_start..])
                    .map_or(rows.len(), |n| field_start + n);
                let extra = rows[field_start..line_end]
                    .iter()
                    .filter(|&&b| b == self.separator)
                    .count();
                return Err(self.fail(
                    height,
                    format!(
                        "found more fields than the header has: {} against {width}",
                        width + 1 + extra
                    ),
                ));
            }
            let mut value = &rows[field_start..end];
            if line_ends {
                value = value.strip_suffix(b"\r").unwrap_or(value);
                if field == 0 && value.is_empty() && end < rows.len() {
                    blank += 1;
                    field_start = end + 1;
                    continue;
                }
            }
            if let Some(i) = slot[field] {
                if !columns[i].push(value, &self.nulls) {
                    let row = height + blank;
                    return Err(self.fail(row, self.unparsed(value, &columns[i], field)));
                }
            }
            field += 1;
            field_start = end + 1;
            if line_ends {
                // Fields missing from a short row are missing values.
                for &i in slot[field.min(width)..].iter().flatten() {
                    columns[i].push_null();
                }
                field = 0;
                height += 1;
            }
        }
        let columns = columns
            .into_iter()
            .map(ColumnBuilder::finish)
            .collect::<Vec<_>>();
        pl::DataFrame::new(height, columns).map_err(|e| e.to_string())
    }

    fn unparsed(&self, value: &[u8], column: &ColumnBuilder, field: usize) -> String {
        let (name, _) = self
            .schema
            .get_at_index(field)
            .expect("field of the schema");
        if let ColumnBuilder::Str(_) = column {
            return format!(
                "the value at column '{name}' (column number {}) is not UTF-8 text",
                field + 1
            );
        }
        format!(
            "could not parse `{}` as dtype `{}` at column '{name}' (column number {})",
            String::from_utf8_lossy(value),
            column.dtype_name(),
            field + 1
        )
    }

    /// A failure in row `row` of the block, located in the file: "`path` line N: what".
    fn fail(&self, row: usize, what: String) -> String {
        // The header is line 1 of the file.
        let first_line = match self.start {
            0 => Some(2),
            _ => self.lines_before_start().map(|n| n + 1),
        };
        // Rows hold no line breaks (no quotes), so a row is a line.
        match first_line {
            Some(first) => format!(
                "`{}` line {}: {what}",
                self.path.display(),
                first + row as u64
            ),
            None => format!("`{}`: {what}", self.path.display()),
        }
    }

    fn lines_before_start(&self) -> Option<u64> {
        let head = super::frame_scan::read_range(&self.path, &(0..self.start)).ok()?;
        Some(memchr::memchr_iter(b'\n', &head).count() as u64)
    }
}

impl pl::AnonymousScan for CsvBlock {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn scan(&self, args: pl::AnonymousScanArgs) -> pl::PolarsResult<pl::DataFrame> {
        self.read(args.with_columns.as_deref(), args.n_rows)
            .map_err(|e| pl::PolarsError::ComputeError(e.into()))
    }

    fn allows_projection_pushdown(&self) -> bool {
        true
    }
}

/// One column being read, by type.
enum ColumnBuilder {
    Int(pl::PrimitiveChunkedBuilder<pl::Int64Type>),
    Float(pl::PrimitiveChunkedBuilder<pl::Float64Type>),
    Bool(pl::BooleanChunkedBuilder),
    Str(pl::StringChunkedBuilder),
}

impl ColumnBuilder {
    fn new(name: pl::PlSmallStr, dtype: &pl::DataType, capacity: usize) -> Self {
        match dtype {
            pl::DataType::Int64 => Self::Int(pl::PrimitiveChunkedBuilder::new(name, capacity)),
            pl::DataType::Float64 => Self::Float(pl::PrimitiveChunkedBuilder::new(name, capacity)),
            pl::DataType::Boolean => Self::Bool(pl::BooleanChunkedBuilder::new(name, capacity)),
            _ => Self::Str(pl::StringChunkedBuilder::new(name, capacity)),
        }
    }

    fn dtype_name(&self) -> &'static str {
        match self {
            Self::Int(_) => "i64",
            Self::Float(_) => "f64",
            Self::Bool(_) => "bool",
            Self::Str(_) => "str",
        }
    }

    /// Add a field's value; false when it does not parse as the column's type.
    fn push(&mut self, value: &[u8], nulls: &Nulls) -> bool {
        // A number (not NaN) is no missing-value marker unless some marker is a number: most
        // values of a numeric column are parsed without looking them up.
        match self {
            Self::Int(b) if !nulls.numbers => {
                if let Parsed::Value(v) = parse_int(value) {
                    b.append_value(v);
                    return true;
                }
            }
            Self::Float(b) if !nulls.numbers => {
                if let Parsed::Value(v) = parse_float(value) {
                    if !v.is_nan() {
                        b.append_value(v);
                        return true;
                    }
                }
            }
            _ => {}
        }
        if nulls.contains(value) {
            self.push_null();
            return true;
        }
        match self {
            Self::Int(b) => match parse_int(value) {
                Parsed::Missing => b.append_null(),
                Parsed::Value(v) => b.append_value(v),
                Parsed::Not => return false,
            },
            Self::Float(b) => match parse_float(value) {
                Parsed::Missing => b.append_null(),
                Parsed::Value(v) => b.append_value(v),
                Parsed::Not => return false,
            },
            Self::Bool(b) => match parse_bool(value) {
                Parsed::Missing => b.append_null(),
                Parsed::Value(v) => b.append_value(v),
                Parsed::Not => return false,
            },
            Self::Str(b) => match value {
                [] => b.append_null(),
                text => match std::str::from_utf8(text) {
                    Ok(s) => b.append_value(s),
                    Err(_) => return false,
                },
            },
        }
        true
    }

    fn push_null(&mut self) {
        match self {
            Self::Int(b) => b.append_null(),
            Self::Float(b) => b.append_null(),
            Self::Bool(b) => b.append_null(),
            Self::Str(b) => b.append_null(),
        }
    }

    fn finish(self) -> pl::Column {
        match self {
            Self::Int(b) => b.finish().into_series().into_column(),
            Self::Float(b) => b.finish().into_series().into_column(),
            Self::Bool(b) => b.finish().into_series().into_column(),
            Self::Str(b) => b.finish().into_series().into_column(),
        }
    }
}

/// A field's value read as a type: missing (blank), the value, or not of the type.
#[derive(Debug, PartialEq)]
pub enum Parsed<T> {
    Missing,
    Value(T),
    Not,
}

/// A number's text without the spaces and tabs around it (pandas reads ` 3` and `1.5 ` as
/// numbers).
fn number_text(value: &[u8]) -> &[u8] {
    value.trim_ascii()
}

/// A field as a 64-bit integer (`+` and leading zeros allowed, as pandas and polars read them).
pub fn parse_int(value: &[u8]) -> Parsed<i64> {
    match number_text(value) {
        [] => Parsed::Missing,
        text => match atoi_simd::parse::<i64, true, true>(text) {
            Ok(v) => Parsed::Value(v),
            Err(_) => Parsed::Not,
        },
    }
}

/// A field as a 64-bit float (`inf`, `1e5` and integers too).
pub fn parse_float(value: &[u8]) -> Parsed<f64> {
    match number_text(value) {
        [] => Parsed::Missing,
        text => match fast_float2::parse::<f64, _>(text) {
            Ok(v) => Parsed::Value(v),
            Err(_) => Parsed::Not,
        },
    }
}

/// A field as a bool: `true` or `false` in any case.
pub fn parse_bool(value: &[u8]) -> Parsed<bool> {
    if value.eq_ignore_ascii_case(b"true") {
        Parsed::Value(true)
    } else if value.eq_ignore_ascii_case(b"false") {
        Parsed::Value(false)
    } else if value.is_empty() {
        Parsed::Missing
    } else {
        Parsed::Not
    }
}

/// An expression parsing text column `name` (number `position` in the file, from 0) as `dtype`
/// (Int64 or Float64) by the rules above; a value that does not parse fails as polars' reader
/// says it, so the failure is located the same way.
pub fn numbers_from_text(name: &pl::PlSmallStr, dtype: &pl::DataType, position: usize) -> pl::Expr {
    let (named, int) = (name.clone(), *dtype == pl::DataType::Int64);
    let output = dtype.clone();
    pl::col(name.clone()).map(
        move |column| {
            let texts = column.str()?;
            let unparsed = |text: &str| {
                let dtype = if int { "i64" } else { "f64" };
                pl::polars_err!(ComputeError:
                    "could not parse `{text}` as dtype `{dtype}` at column '{named}' (column number {})",
                    position + 1
                )
            };
            let parsed = match int {
                true => parse_texts::<pl::Int64Type>(texts, parse_int).map_err(unparsed)?,
                false => parse_texts::<pl::Float64Type>(texts, parse_float).map_err(unparsed)?,
            };
            Ok(parsed.into_column())
        },
        move |_, field| Ok(pl::Field::new(field.name().clone(), output.clone())),
    )
}

/// CSV text without its blank lines (outside quoted fields), or none when it has none.
pub fn without_blank_lines(text: &[u8]) -> Option<Vec<u8>> {
    let blank =
        |t: &[u8]| memchr::memmem::find(t, b"\n\n").or_else(|| memchr::memmem::find(t, b"\n\r\n"));
    blank(text)?;
    let mut kept = Vec::with_capacity(text.len());
    let (mut quoted, mut line_start) = (false, true);
    let mut at = 0;
    while at < text.len() {
        let b = text[at];
        if !quoted && line_start && (b == b'\n' || (b == b'\r' && text.get(at + 1) == Some(&b'\n')))
        {
            at += if b == b'\r' { 2 } else { 1 };
            continue;
        }
        if b == b'"' {
            quoted = !quoted;
        }
        line_start = !quoted && b == b'\n';
        kept.push(b);
        at += 1;
    }
    Some(kept)
}

/// Text values parsed as numbers of type `T`; a value that does not parse is the error.
fn parse_texts<T: pl::PolarsNumericType>(
    texts: &pl::StringChunked,
    parse: fn(&[u8]) -> Parsed<T::Native>,
) -> Result<pl::Series, &str> {
    let mut values = pl::PrimitiveChunkedBuilder::<T>::new(texts.name().clone(), texts.len());
    for text in texts.iter() {
        match text.map(|t| (t, parse(t.as_bytes()))) {
            None | Some((_, Parsed::Missing)) => values.append_null(),
            Some((_, Parsed::Value(v))) => values.append_value(v),
            Some((text, Parsed::Not)) => return Err(text),
        }
    }
    Ok(values.finish().into_series())
}

/// Whether a field is written as an integer (digits after an optional sign), whatever its size.
pub fn integer_syntax(value: &[u8]) -> bool {
    let text = number_text(value);
    let digits = text
        .strip_prefix(b"-")
        .or_else(|| text.strip_prefix(b"+"))
        .unwrap_or(text);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// The positions of separators and line ends in text, in order, found 64 bytes at a time.
struct Boundaries<'a> {
    text: &'a [u8],
    separator: u8,
    /// Where the next 64 bytes start; the bit mask of the current 64 bytes (bit i: byte
    /// `base + i` ends a field) with the positions already given cleared.
    next: usize,
    base: usize,
    mask: u64,
}

impl<'a> Boundaries<'a> {
    fn new(text: &'a [u8], separator: u8) -> Self {
        Boundaries {
            text,
            separator,
            next: 0,
            base: 0,
            mask: 0,
        }
    }
}

impl Iterator for Boundaries<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.next >= self.text.len() {
                return None;
            }
            let end = (self.next + 64).min(self.text.len());
            self.mask = boundary_mask(&self.text[self.next..end], self.separator);
            self.base = self.next;
            self.next = end;
        }
        let bit = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + bit)
    }
}

/// Bit i set where `bytes[i]` is the separator or a line end (at most 64 bytes).
#[inline]
fn boundary_mask(bytes: &[u8], separator: u8) -> u64 {
    let flag = |b: u8| ((b == separator) | (b == b'\n')) as u64;
    match <&[u8; 64]>::try_from(bytes) {
        // A fixed-length loop without branches: compiled to vector compares.
        Ok(block) => {
            let mut mask = 0u64;
            for (i, &b) in block.iter().enumerate() {
                mask |= flag(b) << i;
            }
            mask
        }
        Err(_) => bytes
            .iter()
            .enumerate()
            .fold(0, |mask, (i, &b)| mask | flag(b) << i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::LazyFileListReader;

    fn schema() -> Arc<pl::Schema> {
        Arc::new(
            [
                ("n", pl::DataType::Int64),
                ("x", pl::DataType::Float64),
                ("s", pl::DataType::String),
                ("b", pl::DataType::Boolean),
            ]
            .into_iter()
            .map(|(n, t)| (pl::PlSmallStr::from(n), t))
            .collect(),
        )
    }

    /// A block of rows starting at byte `start` of a file (its header first when it is 0).
    fn block(rows: &str, start: u64) -> CsvBlock {
        let text = match start {
            0 => format!("n,x,s,b\n{rows}"),
            _ => rows.to_string(),
        };
        CsvBlock::new(
            "t.csv".into(),
            start,
            Text::Owned(text.into_bytes()),
            schema(),
            &format(),
        )
    }

    /// Commas, and the default missing values.
    fn format() -> CsvFormat {
        CsvFormat {
            separator: b',',
            nulls: crate::io::frame_read::DEFAULT_NULLS
                .iter()
                .map(|&n| n.into())
                .collect(),
        }
    }

    /// The same rows read by polars' CSV reader, with the same schema and missing values.
    fn by_polars(rows: &str, columns: Option<&[&str]>) -> Result<pl::DataFrame, String> {
        let nulls = crate::io::frame_read::DEFAULT_NULLS
            .iter()
            .map(|&n| n.into())
            .collect();
        let buffers = pl::ScanSources::Buffers(Arc::from(vec![rows.as_bytes().to_vec().into()]));
        let mut lf = pl::LazyCsvReader::new_with_sources(buffers)
            .with_has_header(false)
            .with_null_values(Some(pl::NullValues::AllColumns(nulls)))
            .with_schema(Some(schema()))
            .finish()
            .map_err(|e| e.to_string())?;
        if let Some(columns) = columns {
            lf = lf.select(columns.iter().map(|&c| pl::col(c)).collect::<Vec<_>>());
        }
        lf.collect().map_err(|e| e.to_string())
    }

    fn by_flow(rows: &str, columns: Option<&[&str]>) -> Result<pl::DataFrame, String> {
        let names: Option<Vec<pl::PlSmallStr>> =
            columns.map(|c| c.iter().map(|&n| n.into()).collect());
        block(rows, 0).read(names.as_deref(), None)
    }

    #[test]
    fn reads_what_polars_reads() {
        let cases = [
            "1,2.5,a,true\n3,,b,FALSE\n",
            " 4,\t5.5,c,\n-12,-0.0,,True\n",
            "5,NA,NA,NA\n6,nan,null,\n",
            "6,1e3,x y,true\r\n7,inf,z,false\r\n",
            "10,1.5,a,true",
            "007,+1.5,é ü,True\n11,-inf,-,false\n",
            "12,3,,\n",
        ];
        for rows in cases {
            for columns in [None, Some(&["x", "n"][..]), Some(&["s"][..])] {
                let ours = by_flow(rows, columns).unwrap_or_else(|e| panic!("{rows:?}: {e}"));
                let theirs = by_polars(rows, columns).unwrap_or_else(|e| panic!("{rows:?}: {e}"));
                assert!(
                    ours.equals_missing(&theirs),
                    "{rows:?} {columns:?}:\nflow {ours}\npolars {theirs}"
                );
            }
        }
    }

    /// Where flow reads as pandas does and polars does not: blank lines are skipped, spaces
    /// after a number are allowed, a bare `\r` before a line end is dropped.
    #[test]
    fn skips_blank_lines_and_spaces_around_numbers_as_pandas_does() {
        let frame = by_flow("1,2,a,true\n\n3 ,4.5 ,b,false\n\r\n5,6,c,true\n", None).unwrap();
        assert_eq!(frame.height(), 3);
        let n: Vec<Option<i64>> = frame.column("n").unwrap().i64().unwrap().iter().collect();
        assert_eq!(n, [Some(1), Some(3), Some(5)]);
        let x: Vec<Option<f64>> = frame.column("x").unwrap().f64().unwrap().iter().collect();
        assert_eq!(x, [Some(2.0), Some(4.5), Some(6.0)]);
        // A failure after a blank line still names the file's line.
        let message = by_flow("1,2,a,true\n\nx,2,a,true\n", None).unwrap_err();
        assert!(
            message.starts_with("`t.csv` line 4: could not parse `x`"),
            "{message}"
        );
    }

    #[test]
    fn blank_lines_outside_quotes_are_removed_for_polars() {
        assert_eq!(without_blank_lines(b"a\n1\n2\n"), None);
        let kept = without_blank_lines(b"\na,s\n1,\"x\n\ny\"\n\n\r\n2,z\n").unwrap();
        assert_eq!(kept, b"a,s\n1,\"x\n\ny\"\n2,z\n");
    }

    #[test]
    fn a_short_row_has_missing_values_as_in_pandas() {
        let frame = by_flow("8\n9,1.5\n", None).unwrap();
        assert_eq!(frame.height(), 2);
        assert_eq!(frame.column("n").unwrap().null_count(), 0);
        assert_eq!(frame.column("x").unwrap().null_count(), 1);
        assert_eq!(frame.column("s").unwrap().null_count(), 2);
    }

    #[test]
    fn refuses_what_polars_refuses_and_names_the_line() {
        for (rows, line) in [
            (
                "1,2,a,true\n1.5,2,a,true\n",
                "line 3: could not parse `1.5` as dtype `i64` at column 'n' (column number 1)",
            ),
            (
                "1,x2,a,true\n",
                "line 2: could not parse `x2` as dtype `f64` at column 'x' (column number 2)",
            ),
            (
                "1,2,a,yes\n",
                "line 2: could not parse `yes` as dtype `bool` at column 'b' (column number 4)",
            ),
            (
                "1,2,a,true,5\n",
                "line 2: found more fields than the header has: 5 against 4",
            ),
        ] {
            assert!(by_polars(rows, None).is_err(), "{rows:?}");
            let message = by_flow(rows, None).unwrap_err();
            assert!(message.starts_with(&format!("`t.csv` {line}")), "{message}");
        }
    }

    #[test]
    fn a_block_within_a_file_names_the_line_in_the_file() {
        let dir = std::env::temp_dir().join(format!("flow-csv-block-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        let file = "n,x,s,b\n1,2,a,true\n3,4,b,false\n5,bad,c,true\n";
        std::fs::write(&path, file).unwrap();
        let start = file.find("3,4").unwrap() as u64;
        let mut block = block(&file[start as usize..], start);
        block.path = path.clone();
        let message = block.read(None, None).unwrap_err();
        assert!(
            message.ends_with(
                "line 4: could not parse `bad` as dtype `f64` at column 'x' (column number 2)"
            ),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_only_the_rows_asked_for() {
        let frame = block("1,2,a,true\n3,4,b,false\n5,6,c,true\n", 0)
            .read(None, Some(2))
            .unwrap();
        assert_eq!(frame.height(), 2);
        assert_eq!(block("", 0).read(None, None).unwrap().height(), 0);
    }

    #[test]
    fn quotes_and_dates_are_left_to_polars() {
        assert!(block("1,2,a,true\n", 0).readable());
        assert!(!block("1,2,\"a,b\",true\n", 0).readable());
        // Quotes in the header alone do not matter: the header is not read here.
        let quoted_header = CsvBlock::new(
            "t.csv".into(),
            0,
            Text::Owned(b"\"n\",x,s,b\n1,2,a,true\n".to_vec()),
            schema(),
            &format(),
        );
        assert!(quoted_header.readable());
        let dated: pl::Schema = [(pl::PlSmallStr::from("d"), pl::DataType::Date)]
            .into_iter()
            .collect();
        let dates = CsvBlock::new(
            "t.csv".into(),
            0,
            Text::Owned(b"d\n2024-01-01\n".to_vec()),
            Arc::new(dated),
            &format(),
        );
        assert!(!dates.readable());
    }
}
