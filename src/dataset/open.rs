//! Datasets from netCDF files: one file (`open_dataset`) or many concatenated along their record
//! dimension (`open_mfdataset`). Only headers and coordinate values are read; each variable
//! becomes a lazy array whose tasks read hyperslabs (across files where a block spans several).

use super::{Coord, Dataset, Labelled};
use crate::array::build::{self, AxisChunks, ChunkSpec};
use crate::array::chunk::ChunkData;
use crate::array::chunks::Chunks;
use crate::array::node::{ArrayNode, ArrayOp};
use crate::array::source::{FileFormat, FileSource};
use crate::diagnostic::Diagnostic;
use crate::io::layout::{FileHeader, HeaderError, VarHeader};
use crate::source::Span;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a dataset cannot be opened: a diagnostic about argument `arg` of the call.
pub struct OpenError {
    pub code: &'static str,
    pub message: String,
    pub arg: usize,
    pub help: String,
}

fn fail(code: &'static str, message: String, arg: usize, help: impl Into<String>) -> OpenError {
    OpenError {
        code,
        message,
        arg,
        help: help.into(),
    }
}

/// Attributes that say how values are stored, not what they mean: applied on read, not shown.
const ENCODING: &[&str] = &[
    "_FillValue",
    "missing_value",
    "scale_factor",
    "add_offset",
    "_Unsigned",
    "dtype",
    "coordinates",
];

/// What the call asked for: chunks by dimension name (none: the defaults) and the dimension to
/// concatenate along.
pub struct Request {
    pub chunks: Option<Vec<(String, AxisChunks)>>,
    pub concat_dim: Option<String>,
    /// Where the chunks were given, for errors about them.
    pub chunks_span: Span,
    pub span: Span,
}

pub fn header(path: &Path) -> Result<Arc<FileHeader>, OpenError> {
    let shown = path.display();
    crate::io::format(FileFormat::NetCdf)
        .describe(path)
        .map_err(|error| match error {
            HeaderError::Missing => {
                let (message, help) = crate::io::no_file(path, &shown.to_string());
                fail("flow::check::missing_file", message, 0, help)
            }
            HeaderError::Truncated { length, promised } => fail(
                "flow::check::truncated_file",
                crate::io::truncated_message(&shown.to_string(), length, promised),
                0,
                crate::io::TRUNCATED_HELP,
            ),
            HeaderError::Unreadable(m) => fail(
                "flow::check::not_netcdf",
                format!("`{shown}` is not a netCDF file ({m})"),
                0,
                "open_dataset reads netCDF files (classic or netCDF-4, .nc)",
            ),
        })
}

/// Open `files` (sorted) as one dataset. One file is opened as it is; several are concatenated
/// along `concat_dim` (default: the first file's unlimited dimension), and every other
/// coordinate must agree across the files.
pub fn open(files: &[PathBuf], request: &Request) -> Result<Dataset, OpenError> {
    let headers = files
        .iter()
        .map(|f| header(f))
        .collect::<Result<Vec<_>, _>>()?;
    let concat = concat_dim(files, &headers, request)?;
    let (files, headers, along) = in_order(files, headers, concat.as_deref())?;
    let files = &files[..];
    let first = &headers[0];
    for (file, header) in files.iter().zip(&headers).skip(1) {
        agree(&files[0], first, file, header, concat.as_deref())?;
    }
    let (dims, starts) = dims_and_starts(&headers, concat.as_deref());
    check_chunk_dims(&dims, request)?;
    let coords = coordinates(files, first, concat.as_deref(), &along)?;
    let scalars = scalar_coordinates(first);
    let lengths: Option<Vec<u64>> = headers.iter().map(|h| h.length).collect();
    let layout = Layout {
        files,
        lengths: lengths.as_deref().unwrap_or_default(),
        starts: &starts,
        dims: &dims,
        concat: concat.as_deref(),
    };
    let variables = first
        .variables
        .iter()
        .filter(|var| !is_coordinate(var) && !scalars.iter().any(|c| c.name == var.name))
        .filter_map(|var| {
            let dtype = var.dtype.clone().ok()?;
            Some(variable(var, dtype, &layout, &coords, &scalars, request))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let unreadable = first
        .variables
        .iter()
        .filter_map(|v| {
            v.dtype
                .as_ref()
                .err()
                .map(|kind| (v.name.clone(), kind.clone()))
        })
        .collect();
    let unlimited = match &concat {
        Some(dim) => vec![dim.clone()],
        None => first
            .dims
            .iter()
            .filter(|d| d.unlimited)
            .map(|d| d.name.clone())
            .collect(),
    };
    Ok(Dataset {
        dims,
        coords,
        variables,
        attrs: first.attrs.clone(),
        unlimited,
        unreadable,
    })
}

/// The dimension several files are concatenated along: the one asked for, the first file's
/// unlimited one, or the one whose coordinate differs between the files; none for one file.
fn concat_dim(
    files: &[PathBuf],
    headers: &[Arc<FileHeader>],
    request: &Request,
) -> Result<Option<String>, OpenError> {
    Ok(if files.len() == 1 {
        None
    } else {
        let first = &headers[0];
        let dim = match &request.concat_dim {
            Some(dim) => dim.clone(),
            None => match first.dims.iter().find(|d| d.unlimited) {
                Some(d) => d.name.clone(),
                None => differing_dim(files, &headers).ok_or_else(|| {
                    fail(
                        "flow::check::no_record_dim",
                        format!(
                            "`{}` has no unlimited dimension, and no one coordinate differs between the files, to concatenate them along",
                            files[0].display()
                        ),
                        0,
                        "name the dimension: open_mfdataset(pattern, concat_dim=\"time\")",
                    )
                })?,
            },
        };
        if !first.dims.iter().any(|d| d.name == dim) {
            let known: Vec<&str> = first.dims.iter().map(|d| d.name.as_str()).collect();
            return Err(fail(
                "flow::check::unknown_dim",
                format!("`{}` has no dimension `{dim}`", files[0].display()),
                2,
                crate::text::did_you_mean(&dim, known.iter().copied(), "dimensions"),
            ));
        }
        Some(dim)
    })
}

/// The files in the order of their values along the concatenation dimension (as xarray's
/// combine_by_coords puts them), with their headers and those values, in the time units of the
/// file that comes first (xarray writes each daily file as "days since <that day>").
#[allow(clippy::type_complexity)]
fn in_order(
    files: &[PathBuf],
    headers: Vec<Arc<FileHeader>>,
    concat: Option<&str>,
) -> Result<(Vec<PathBuf>, Vec<Arc<FileHeader>>, Vec<Option<ChunkData>>), OpenError> {
    // Each file's values along the concatenation dimension, in the first file's time units
    // (xarray writes each daily file as "days since <that day>"); the files then go in the
    // order of those values, as xarray's combine_by_coords puts them.
    let mut along: Vec<Option<ChunkData>> = match concat {
        Some(dim) => files
            .iter()
            .zip(&headers)
            .map(|(f, h)| concat_values(f, h, &headers[0], dim))
            .collect::<Result<_, _>>()?,
        None => vec![None; files.len()],
    };
    let mut order: Vec<usize> = (0..files.len()).collect();
    if along
        .iter()
        .all(|v| v.as_ref().is_some_and(|v| !v.is_empty()))
    {
        let first_value = |k: usize| along[k].as_ref().map_or(f64::NAN, |v| v.to_f64()[[0]]);
        order.sort_by(|&a, &b| first_value(a).total_cmp(&first_value(b)));
    }
    let files: Vec<PathBuf> = order.iter().map(|&k| files[k].clone()).collect();
    let headers: Vec<Arc<FileHeader>> = order.iter().map(|&k| headers[k].clone()).collect();
    if let Some(dim) = concat {
        // Now in the units of the file that comes first.
        along = files
            .iter()
            .zip(&headers)
            .map(|(f, h)| concat_values(f, h, &headers[0], dim))
            .collect::<Result<_, _>>()?;
    }
    Ok((files, headers, along))
}

/// The dataset's dimensions (the concatenation dimension as long as the files together) and
/// where each file starts along the concatenation dimension.
fn dims_and_starts(
    headers: &[Arc<FileHeader>],
    concat: Option<&str>,
) -> (Vec<(String, usize)>, Vec<usize>) {
    let length_of =
        |h: &FileHeader, dim: &str| h.dims.iter().find(|d| d.name == dim).map_or(0, |d| d.len);
    // Where each file starts along the concatenation dimension.
    let starts: Vec<usize> = match concat {
        Some(dim) => {
            let mut starts = vec![0];
            for h in headers {
                starts.push(starts.last().copied().unwrap_or(0) + length_of(h, dim));
            }
            starts
        }
        None => vec![0, 0],
    };
    let dims: Vec<(String, usize)> = headers[0]
        .dims
        .iter()
        .map(|d| {
            let n = match concat {
                Some(c) if c == d.name => *starts.last().expect("starts"),
                _ => d.len,
            };
            (d.name.clone(), n)
        })
        .collect();
    (dims, starts)
}

/// `chunks=` names only dimensions of the dataset.
fn check_chunk_dims(dims: &[(String, usize)], request: &Request) -> Result<(), OpenError> {
    if let Some(chunks) = &request.chunks {
        for (dim, _) in chunks {
            if !dims.iter().any(|(d, _)| d == dim) {
                return Err(fail(
                    "flow::check::unknown_dim",
                    format!("chunks name `{dim}`, which is not a dimension of the dataset"),
                    1,
                    crate::text::did_you_mean(
                        dim,
                        dims.iter().map(|(d, _)| d.as_str()),
                        "dimensions",
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Coordinates: 1-d variables named after their dimension, read now (they are small); along
/// the concatenation dimension, every file's values one after another.
fn coordinates(
    files: &[PathBuf],
    first: &FileHeader,
    concat: Option<&str>,
    along: &[Option<ChunkData>],
) -> Result<Vec<Arc<Coord>>, OpenError> {
    let mut coords: Vec<Arc<Coord>> = Vec::new();
    for var in &first.variables {
        if !is_coordinate(var) || var.dtype.is_err() {
            continue;
        }
        let along_concat = concat == Some(var.dims[0].as_str());
        let values = if along_concat {
            let parts: Vec<ChunkData> = along.iter().map(|v| v.clone().expect("read")).collect();
            concatenate(parts)
        } else {
            coordinate_values(&files[0], var)?
        };
        coords.push(Arc::new(Coord {
            name: var.name.clone(),
            dim: var.dims[0].clone(),
            values,
            attrs: shown_attrs(var),
        }));
    }

    Ok(coords)
}

/// Scalar coordinates: 0-d variables that variables name in their `coordinates` attribute (as
/// xarray writes a selected time), read with the header.
fn scalar_coordinates(first: &FileHeader) -> Vec<Arc<Coord>> {
    let scalar_names: Vec<String> = first
        .variables
        .iter()
        .filter_map(|v| match v.attrs.iter().find(|(k, _)| k == "coordinates") {
            Some((_, crate::io::layout::Attr::Str(names))) => Some(names.clone()),
            _ => None,
        })
        .flat_map(|names| {
            names
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut scalars: Vec<Arc<Coord>> = Vec::new();
    for var in &first.variables {
        if var.dims.is_empty() && scalar_names.contains(&var.name) {
            if let Some(values) = &var.values {
                scalars.push(Arc::new(Coord {
                    name: var.name.clone(),
                    dim: String::new(),
                    values: values.clone().reshape(&[1]),
                    attrs: shown_attrs(var),
                }));
            }
        }
    }
    scalars
}

/// Where a dataset's variables are: its files, where each starts along the concatenation
/// dimension, its dimensions.
struct Layout<'a> {
    files: &'a [PathBuf],
    /// The length each file must keep (empty: unknown).
    lengths: &'a [u64],
    starts: &'a [usize],
    dims: &'a [(String, usize)],
    concat: Option<&'a str>,
}

/// A data variable as a lazy labelled array read from the files.
fn variable(
    var: &VarHeader,
    dtype: crate::array::dtype::DType,
    layout: &Layout,
    coords: &[Arc<Coord>],
    scalars: &[Arc<Coord>],
    request: &Request,
) -> Result<Labelled, OpenError> {
    let axis = layout
        .concat
        .and_then(|c| var.dims.iter().position(|d| d == c));
    let shape: Vec<usize> = var
        .dims
        .iter()
        .map(|d| {
            layout
                .dims
                .iter()
                .find(|(n, _)| n == d)
                .map_or(0, |(_, n)| *n)
        })
        .collect();
    let (source_files, source_starts, lengths) = match axis {
        Some(_) => (
            layout.files.to_vec(),
            layout.starts.to_vec(),
            layout.lengths.to_vec(),
        ),
        None => (
            vec![layout.files[0].clone()],
            vec![0, shape.first().copied().unwrap_or(0)],
            layout.lengths.first().copied().into_iter().collect(),
        ),
    };
    let source = FileSource {
        format: FileFormat::NetCdf,
        files: source_files,
        starts: source_starts,
        axis: axis.unwrap_or(0),
        variable: var.name.clone(),
        decode: var.decode,
        dtype,
        lengths,
    };
    let chunks = chunks_for(var, &shape, axis, layout.starts, request)?;
    let array = ArrayNode::new(
        ArrayOp::Read(Arc::new(source)),
        dtype,
        shape,
        chunks,
        request.span,
    );
    let var_coords = coords
        .iter()
        .filter(|c| var.dims.contains(&c.dim))
        .chain(scalars.iter())
        .cloned()
        .collect();
    Ok(Labelled {
        array,
        dims: var.dims.clone(),
        coords: var_coords,
        attrs: shown_attrs(var),
        name: Some(var.name.clone()),
    })
}

fn is_coordinate(var: &VarHeader) -> bool {
    var.dims.len() == 1 && var.dims[0] == var.name
}

fn shown_attrs(var: &VarHeader) -> super::Attrs {
    var.attrs
        .iter()
        .filter(|(name, _)| !ENCODING.contains(&name.as_str()))
        .cloned()
        .collect()
}

/// The dimension whose coordinate values differ between the files (combine-by-coordinates),
/// when exactly one does.
fn differing_dim(files: &[PathBuf], headers: &[Arc<FileHeader>]) -> Option<String> {
    let (first, second) = (&headers[0], &headers[1]);
    let differing: Vec<String> = first
        .variables
        .iter()
        .filter(|v| is_coordinate(v))
        .filter(|v| {
            let a = concat_values(&files[0], first, first, &v.name)
                .ok()
                .flatten();
            let b = concat_values(&files[1], second, first, &v.name)
                .ok()
                .flatten();
            match (a, b) {
                (Some(a), Some(b)) => {
                    a.len() != b.len()
                        || a.to_f64()
                            .iter()
                            .zip(b.to_f64().iter())
                            .any(|(x, y)| x != y)
                }
                _ => false,
            }
        })
        .map(|v| v.name.clone())
        .collect();
    match differing.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// A file's coordinate values along the concatenation dimension, converted to the first file's
/// time units when both are CF times in different units; `None` if it has no such coordinate.
fn concat_values(
    file: &Path,
    header: &FileHeader,
    first: &FileHeader,
    dim: &str,
) -> Result<Option<ChunkData>, OpenError> {
    let Some(var) = header
        .variables
        .iter()
        .find(|v| v.name == dim && is_coordinate(v))
    else {
        return Ok(None);
    };
    let values = coordinate_values(file, var)?;
    let units_of = |v: &VarHeader| {
        let text = |key: &str| match v.attrs.iter().find(|(k, _)| k == key) {
            Some((_, crate::io::layout::Attr::Str(s))) => Some(s.clone()),
            _ => None,
        };
        let units = text("units")?;
        crate::io::cftime::TimeUnits::parse(&units, text("calendar").as_deref())
    };
    let first_var = first.variables.iter().find(|v| v.name == dim);
    match (units_of(var), first_var.and_then(units_of)) {
        (Some(own), Some(target)) if own != target => {
            let converted = values.to_f64().mapv(|v| {
                (own.epoch + v * own.seconds_per_unit - target.epoch) / target.seconds_per_unit
            });
            let converted = ChunkData::F64(converted).into_dtype(
                first_var
                    .and_then(|v| v.dtype.clone().ok())
                    .filter(|d| d.is_float())
                    .unwrap_or(crate::array::dtype::DType::F64),
            );
            Ok(Some(converted))
        }
        _ => Ok(Some(values)),
    }
}

/// The values of a coordinate variable, read with the file's header.
fn coordinate_values(
    file: &Path,
    var: &VarHeader,
) -> Result<crate::array::chunk::ChunkData, OpenError> {
    var.values.clone().ok_or_else(|| {
        fail(
            "flow::check::unreadable_file",
            format!(
                "cannot read coordinate `{}` of `{}`",
                var.name,
                file.display()
            ),
            0,
            "the file's coordinates cannot be read: is it complete?",
        )
    })
}

fn concatenate(parts: Vec<crate::array::chunk::ChunkData>) -> crate::array::chunk::ChunkData {
    let dtype = parts[0].dtype();
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let shape = vec![total];
    let grid = vec![parts.len()];
    let mut offsets = vec![0];
    for p in &parts {
        offsets.push(offsets.last().copied().unwrap_or(0) + p.len());
    }
    crate::array::chunk::assemble(&parts, &grid, &[offsets], &shape, dtype)
}

/// Every file after the first must have the same variables with the same dimensions and dtypes,
/// the same dimension lengths except along the concatenation dimension, and the same coordinate
/// values along the other dimensions.
fn agree(
    first_file: &Path,
    first: &FileHeader,
    file: &Path,
    header: &FileHeader,
    concat: Option<&str>,
) -> Result<(), OpenError> {
    let mismatch = |what: String| {
        fail(
            "flow::check::mismatched_files",
            format!(
                "`{}` does not match `{}`: {what}",
                file.display(),
                first_file.display()
            ),
            0,
            "the files are concatenated along one dimension, so everything else must agree",
        )
    };
    for d in &first.dims {
        if Some(d.name.as_str()) == concat {
            continue;
        }
        match header.dims.iter().find(|h| h.name == d.name) {
            None => return Err(mismatch(format!("it has no dimension `{}`", d.name))),
            Some(h) if h.len != d.len => {
                return Err(mismatch(format!(
                    "dimension `{}` has length {} there and {} here",
                    d.name, d.len, h.len
                )))
            }
            Some(_) => {}
        }
    }
    for v in &first.variables {
        let Some(h) = header.variables.iter().find(|h| h.name == v.name) else {
            return Err(mismatch(format!("it has no variable `{}`", v.name)));
        };
        if h.dims != v.dims || h.dtype != v.dtype {
            return Err(mismatch(format!(
                "variable `{}` is {} over ({}) there and {} over ({}) here",
                v.name,
                type_name(&v.dtype),
                v.dims.join(", "),
                type_name(&h.dtype),
                h.dims.join(", ")
            )));
        }
        if is_coordinate(v) && Some(v.dims[0].as_str()) != concat && v.dtype.is_ok() {
            let (a, b) = (
                coordinate_values(first_file, v)?,
                coordinate_values(file, h)?,
            );
            let (a, b) = (a.to_f64(), b.to_f64());
            if let Some(at) = a
                .iter()
                .zip(b.iter())
                .position(|(x, y)| x != y && !(x.is_nan() && y.is_nan()))
            {
                let show = |x: f64| crate::text::float_repr(x);
                return Err(mismatch(format!(
                    "coordinate `{}` differs at position {at}: {} in `{}`, {} in `{}`",
                    v.name,
                    show(a.iter().nth(at).copied().unwrap_or(f64::NAN)),
                    first_file.display(),
                    show(b.iter().nth(at).copied().unwrap_or(f64::NAN)),
                    file.display()
                )));
            }
        }
    }
    Ok(())
}

fn type_name(dtype: &Result<crate::array::dtype::DType, String>) -> String {
    match dtype {
        Ok(d) => d.name().to_string(),
        Err(kind) => kind.clone(),
    }
}

/// A variable's chunks: the requested sizes by dimension name; otherwise its on-disk chunks
/// grown toward 64 MiB, with one block per file along the concatenation dimension.
fn chunks_for(
    var: &VarHeader,
    shape: &[usize],
    concat_axis: Option<usize>,
    starts: &[usize],
    request: &Request,
) -> Result<Chunks, OpenError> {
    let default = build::default_file_chunks(
        &var.shape,
        var.chunk.as_deref(),
        var.dtype.clone().unwrap_or(crate::array::dtype::DType::F64),
    );
    let mut per_axis: Vec<AxisChunks> = match default {
        ChunkSpec::PerAxis(axes) => axes,
        _ => vec![AxisChunks::Auto; shape.len()],
    };
    if let Some(axis) = concat_axis {
        per_axis[axis] = AxisChunks::Blocks(starts.windows(2).map(|w| w[1] - w[0]).collect());
    }
    if let Some(requested) = &request.chunks {
        for (dim, chunk) in requested {
            if let Some(axis) = var.dims.iter().position(|d| d == dim) {
                per_axis[axis] = chunk.clone();
            }
        }
    }
    let dtype = var.dtype.clone().unwrap_or(crate::array::dtype::DType::F64);
    build::resolve_chunks(
        &ChunkSpec::PerAxis(per_axis),
        shape,
        dtype,
        request.chunks_span,
    )
    .map_err(|d| fail(d.code, d.message, 1, d.help.unwrap_or_default()))
}

/// Convert a diagnostic-free open error into a diagnostic at `span`.
pub fn diagnostic(error: OpenError, span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(error.code, error.message, span)
            .with_label("here")
            .with_help(error.help),
    )
}
