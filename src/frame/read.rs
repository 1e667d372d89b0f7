//! Reading frames: the schema of CSV files from every file's header and sampled rows, unified
//! across files (so a column that is missing in the early files, or integer in some and float in
//! others, gets one type before anything runs — the trap that makes Dask fail mid-compute), and
//! of Parquet files from their metadata; then one lazy scan per file with that schema.

use super::{ColType, Frame, Schema};
use crate::io::Stamp;
use crate::source::Span;
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

pub struct CsvOptions {
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

fn csv_reader(file: &Path, options: &CsvOptions) -> pl::LazyCsvReader {
    configured(pl::LazyCsvReader::new(path_of(file)), options)
}

fn configured(reader: pl::LazyCsvReader, options: &CsvOptions) -> pl::LazyCsvReader {
    let nulls: Vec<pl::PlSmallStr> = options
        .null_values
        .iter()
        .map(|v| v.as_str().into())
        .collect();
    reader
        .with_separator(options.separator)
        .with_null_values(Some(pl::NullValues::AllColumns(nulls)))
}

/// A file's columns and types, from its header and first rows; kept for the rest of the
/// process while the file is the same, so checking and then running samples each file once.
fn sample_schema(file: &Path, options: &CsvOptions) -> Result<Schema, ReadError> {
    type Key = (PathBuf, u8, Vec<String>);
    static SCHEMAS: std::sync::OnceLock<std::sync::Mutex<HashMap<Key, (Stamp, Schema)>>> =
        std::sync::OnceLock::new();
    let shown = file.display();
    let Some(stamp) = Stamp::of(file) else {
        return Err(fail(
            "flow::check::missing_file",
            format!("no file `{shown}`"),
            0,
            "paths are relative to the script's directory",
        ));
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

fn read_sample_schema(file: &Path, options: &CsvOptions) -> Result<Schema, ReadError> {
    let shown = file.display();
    let schema = csv_reader(file, options)
        .with_infer_schema_length(Some(SAMPLE_ROWS))
        .finish()
        .and_then(|mut lf| lf.collect_schema())
        .map_err(|e| {
            fail(
                "flow::check::bad_csv",
                format!("cannot read `{shown}` as CSV: {}", one_line(&e.to_string())),
                0,
                "check the separator (separator=\";\") and that every row has the header's columns",
            )
        })?;
    Ok(schema
        .iter()
        .map(|(name, dtype)| (name.to_string(), ColType::of(dtype)))
        .collect())
}

fn one_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
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
                    &crate::check::did_you_mean(
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
    let polars_schema: pl::Schema = schema
        .iter()
        .map(|(n, t)| (pl::PlSmallStr::from(n.as_str()), t.polars()))
        .collect();
    let polars_schema = Arc::new(polars_schema);
    let scans = files
        .iter()
        .map(|f| {
            csv_reader(f, options)
                .with_schema(Some(polars_schema.clone()))
                .finish()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail("flow::check::bad_csv", e.to_string(), 0, "check the files"))?;
    let sources = sources_of(files, &scans);
    // One scan over all the files: polars reads them in parallel and pushes the query's
    // columns and filters into the reading (the per-file scans find a failing file).
    let paths: Vec<pl::PlRefPath> = files.iter().map(|f| path_of(f)).collect();
    let lazy = configured(pl::LazyCsvReader::new_paths(paths.into()), options)
        .with_schema(Some(polars_schema.clone()))
        .finish()
        .map_err(|e| fail("flow::check::bad_csv", e.to_string(), 0, "check the files"))?;
    let frame = Frame {
        schema,
        lazy,
        sources,
        computed: None,
        span,
    };
    select_columns(frame, options.columns.as_deref(), span)
}

/// Each file with its own scan.
fn sources_of(files: &[PathBuf], scans: &[pl::LazyFrame]) -> Vec<super::Source> {
    files
        .iter()
        .zip(scans)
        .map(|(path, scan)| super::Source {
            path: path.clone(),
            scan: scan.clone(),
        })
        .collect()
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

fn union(scans: Vec<pl::LazyFrame>) -> Result<pl::LazyFrame, ReadError> {
    if scans.len() == 1 {
        return Ok(scans.into_iter().next().expect("one scan"));
    }
    pl::concat(scans, pl::UnionArgs::default()).map_err(|e| {
        fail(
            "flow::check::mismatched_files",
            e.to_string(),
            0,
            "check the files",
        )
    })
}

fn select_columns(
    frame: Frame,
    columns: Option<&[String]>,
    span: Span,
) -> Result<Frame, ReadError> {
    let Some(columns) = columns else {
        return Ok(frame);
    };
    let exprs: Vec<Arc<super::expr::Expr>> = columns
        .iter()
        .map(|c| super::expr::Expr::new(super::expr::Node::Column(c.clone()), span))
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
    let mut scans = Vec::new();
    let mut schema: Option<Schema> = None;
    for file in files {
        let shown = file.display();
        if !file.is_file() {
            return Err(fail(
                "flow::check::missing_file",
                format!("no file `{shown}`"),
                0,
                "paths are relative to the script's directory",
            ));
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
        scans.push(lf);
    }
    let schema = schema.unwrap_or_default();
    let casts: Vec<pl::Expr> = schema
        .iter()
        .map(|(n, t)| pl::col(n.as_str()).cast(t.polars()))
        .collect();
    let scans: Vec<pl::LazyFrame> = scans
        .into_iter()
        .map(|lf| lf.select(casts.clone()))
        .collect();
    let sources = sources_of(files, &scans);
    let frame = Frame {
        schema,
        lazy: union(scans)?,
        sources,
        computed: None,
        span,
    };
    select_columns(frame, columns, span)
}

fn not_parquet(file: &Path, message: &str) -> ReadError {
    fail(
        "flow::check::not_parquet",
        format!(
            "`{}` is not a Parquet file ({})",
            file.display(),
            one_line(message)
        ),
        0,
        "read_parquet reads Parquet files; is the file complete?",
    )
}
