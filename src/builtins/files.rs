//! The file builtins: `read_hdf5` (a lazy array over one dataset, or over the same dataset in
//! many files, stacked) and `save` (an array streamed chunk by chunk into an HDF5 file). The
//! file formats themselves live in `crate::io`.

use crate::array::build;
use crate::array::dtype::DType;
use crate::array::node::{ArrayNode, ArrayOp, ArrayRef};
use crate::array::source::{Decode, FileFormat, FileSource};
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::sandbox::Access;
use crate::eval::value::Value;
use crate::io::layout::{
    DimHeader, FileHeader, FileLayout, HeaderError, VarHeader, VariableLayout,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn is_pattern(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// A file name's order key with its numbers compared as numbers (`part.2` before `part.10`).
fn natural_key(path: &Path) -> Vec<(String, u64)> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut key = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    key.push((text, digits.parse().unwrap_or(0)));
    key
}

/// The files argument 0 names: a directory's files (in natural order), a file, every match of a
/// glob pattern in sorted order, or a list of paths (in the order given, as xarray and pandas
/// take them) — each one the sandbox (if any) lets the program read.
pub(super) fn files_of(args: &Args, interpreter: &Interpreter) -> Eval<Vec<PathBuf>> {
    let files = match args.value(0) {
        Value::List(items) | Value::Tuple(items) if items.is_empty() => {
            return Err(args.rejected(
                "flow::check::no_files",
                "an empty list of files".into(),
                0,
                "give at least one path",
            ))
        }
        Value::List(items) | Value::Tuple(items) => {
            let script = interpreter.sources.get(args.call.source).name.clone();
            items
                .iter()
                .map(|item| match item {
                    Value::Str(path) => Ok(crate::eval::modules::resolve_path(&script, path)),
                    _ => Err(args.wrong_type(0, "a path, a pattern, or a list of paths")),
                })
                .collect::<Eval<Vec<_>>>()?
        }
        _ => files_named(args, interpreter)?,
    };
    for file in &files {
        interpreter.permit(file, Access::Read, args.spans[0])?;
    }
    Ok(files)
}

fn files_named(args: &Args, interpreter: &Interpreter) -> Eval<Vec<PathBuf>> {
    let text = args.str(0)?;
    let path =
        crate::eval::modules::resolve_path(&interpreter.sources.get(args.call.source).name, &text);
    if path.is_dir() && !interpreter.planned.frames.contains_key(&path) {
        // Listing a directory reads it.
        interpreter.permit(&path, Access::Read, args.spans[0])?;
        // A directory (such as one `save(…, partitioned=true)` writes): the files in it.
        let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .filter(|p| {
                        !p.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by_key(|p| natural_key(p));
        if !files.is_empty() {
            return Ok(files);
        }
    }
    if !is_pattern(&text) {
        return Ok(vec![path]);
    }
    let pattern = path.to_string_lossy().to_string();
    let matches = glob::glob(&pattern).map_err(|e| {
        args.rejected(
            "flow::check::bad_pattern",
            format!("`{text}` is not a valid file pattern: {}", e.msg),
            0,
            "`*` matches any name part, `?` one character, `[0-9]` one of a set",
        )
    })?;
    let mut files: Vec<PathBuf> = matches
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .collect();
    if interpreter.is_checking() {
        // Files the program saves before this point match too.
        if let Ok(pattern) = glob::Pattern::new(&pattern) {
            files.extend(
                interpreter
                    .planned
                    .files
                    .keys()
                    .chain(interpreter.planned.datasets.keys())
                    .chain(interpreter.planned.frames.keys())
                    .filter(|p| pattern.matches_path(p))
                    .cloned(),
            );
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(args.rejected(
            "flow::check::no_files",
            format!("no file matches `{text}`"),
            0,
            "patterns are relative to the script's directory; check the directory and the pattern",
        ));
    }
    Ok(files)
}

/// The header of `dataset` in `file` and the file's length (see `FileHeader::length`); while
/// checking, a file the program saves earlier is described by that `save`.
fn open(
    interpreter: &Interpreter,
    args: &Args,
    file: &Path,
    dataset: &str,
) -> Eval<(VarHeader, Option<u64>)> {
    let shown = file.display();
    let same = |a: &str, b: &str| a.trim_start_matches('/') == b.trim_start_matches('/');
    let planned = interpreter
        .planned
        .files
        .get(file)
        .filter(|_| interpreter.is_checking());
    let header = match planned {
        Some(header) => Ok(Arc::new(FileHeader {
            dims: Vec::new(),
            variables: vec![header.clone()],
            attrs: Vec::new(),
            length: None,
        })),
        None => crate::io::format(FileFormat::Hdf5).describe(file),
    };
    let header = header.map_err(|error| match error {
        HeaderError::Missing => {
            let (message, help) = crate::io::no_file(file, &shown.to_string());
            args.rejected("flow::check::missing_file", message, 0, help)
        }
        HeaderError::Truncated { length, promised } => args.rejected(
            "flow::check::truncated_file",
            crate::io::truncated_message(&shown.to_string(), length, promised),
            0,
            crate::io::TRUNCATED_HELP,
        ),
        HeaderError::Unreadable(m) => args.rejected(
            "flow::check::not_hdf5",
            format!("`{shown}` is not an HDF5 file ({m})"),
            0,
            "read_hdf5 reads HDF5 files (.h5, .hdf5)",
        ),
    })?;
    let Some(variable) = header.variables.iter().find(|v| same(&v.name, dataset)) else {
        let names: Vec<&str> = header.variables.iter().map(|v| v.name.as_str()).collect();
        let help = match crate::text::closest(dataset, names.iter().copied()) {
            Some(name) => format!("did you mean \"{name}\"?"),
            None if names.is_empty() => "the file holds no datasets".to_string(),
            None => format!("the file holds: {}", names.join(", ")),
        };
        return Err(args.rejected(
            "flow::check::unknown_dataset",
            format!("`{shown}` has no dataset `{dataset}`"),
            1,
            &help,
        ));
    };
    if let Err(kind) = &variable.dtype {
        return Err(args.rejected(
            "flow::check::unsupported_dtype",
            format!(
                "dataset `{dataset}` of `{shown}` holds {kind}, which flow cannot read as an array"
            ),
            1,
            "flow reads float, integer and bool datasets",
        ));
    }
    Ok((variable.clone(), header.length))
}

/// `read_hdf5(path, dataset, chunks=none)`
pub fn read_hdf5(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let files = files_of(args, interpreter)?;
    let dataset = args.str(1)?.to_string();
    let requested = match args.value(2) {
        Value::None => None,
        _ => Some(args.chunks(2)?),
    };
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(files.len());
    let mut first: Option<(PathBuf, DType, Vec<usize>)> = None;
    for file in &files {
        let (header, file_length) = open(interpreter, args, file, &dataset)?;
        let dtype = header
            .dtype
            .clone()
            .expect("open refuses what cannot be read");
        if let Some((first_file, first_dtype, shape)) = &first {
            if *first_dtype != dtype || *shape != header.shape {
                return Err(args.rejected("flow::check::mismatched_files", format!(
                        "`{dataset}` is {} {} in `{}` but {} {} in `{}`",
                        first_dtype.name(),
                        build::shape_text(shape),
                        first_file.display(),
                        dtype.name(),
                        build::shape_text(&header.shape),
                        file.display()
                    ), 0,
                    "the files a pattern matches are stacked, so each must hold the dataset with the same shape and dtype",
                ));
            }
        } else {
            first = Some((file.clone(), dtype, header.shape.clone()));
        }
        let spec = match &requested {
            Some(spec) => spec.clone(),
            None => build::default_file_chunks(&header.shape, header.chunk.as_deref(), dtype),
        };
        let chunks = build::resolve_chunks(&spec, &header.shape, dtype, args.spans[2])?;
        let source = Arc::new(FileSource::single(
            FileFormat::Hdf5,
            file.clone(),
            dataset.clone(),
            header.shape.first().copied().unwrap_or(1),
            Decode::default(),
            dtype,
            file_length,
        ));
        arrays.push(ArrayNode::new(
            ArrayOp::Read(source),
            dtype,
            header.shape,
            chunks,
            args.call,
        ));
    }
    // One file named alone is an array; a pattern or a list (even of one) stacks.
    if files.len() == 1 && matches!(args.value(0), Value::Str(text) if !is_pattern(text)) {
        return Ok(Value::Array(arrays.remove(0)));
    }
    interpreter.built(build::stack(&arrays, 0, args.call), vec![])
}

/// `save(x, path, name="x", compression=none)`: HDF5 for `.h5`, netCDF for `.nc`.
pub fn save(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let text = args.str(1)?;
    let extension = match args.value(6) {
        Value::None => Path::new(&*text)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase(),
        _ => args.str(6)?.to_ascii_lowercase(),
    };
    let target = output_path(interpreter, args, &text)?;
    let target = destination_of(args, &text, &target, &extension)?;
    if let Value::Frame(frame) = args.value(0) {
        let frame = frame.clone();
        let parquet = match extension.as_str() {
            "parquet" | "pq" => true,
            "csv" => false,
            _ => {
                return Err(args.rejected(
                    "flow::check::file_format",
                    format!("a frame is saved as Parquet or CSV, not to `{text}`"),
                    1,
                    "give a path ending in .parquet or .csv",
                ))
            }
        };
        return super::frames::save_frame(interpreter, args, &frame, &target, parquet);
    }
    let netcdf = match extension.as_str() {
        // Known only when run (a frame from a file saved earlier, while checking).
        "parquet" | "pq" | "csv" if args.value(0).is_unknown() => {
            if interpreter.is_checking() {
                interpreter.planned.frames.insert(target, None);
            }
            return Ok(Value::None);
        }
        "h5" | "hdf5" => false,
        "nc" | "nc4" => true,
        _ => {
            return Err(args.rejected(
                "flow::check::file_format",
                format!("cannot tell the file format of `{text}`"),
                1,
                "save writes HDF5 (.h5, .hdf5) or netCDF (.nc)",
            ))
        }
    };
    let value = args.value(0).clone();
    let array = match &value {
        Value::Array(a) => Some(a.clone()),
        Value::Labelled(l) => Some(l.array.clone()),
        Value::Dataset(_) if netcdf => None,
        Value::Dataset(_) => {
            return Err(args.rejected(
                "flow::check::file_format",
                format!("a dataset is saved as netCDF, not to `{text}`"),
                1,
                "give a path ending in .nc, or save one variable (ds.adt) to HDF5",
            ))
        }
        Value::Unknown(_) => None,
        other => {
            return Err(args.rejected(
                "flow::check::argument_type",
                format!(
                    "save writes {}, not {}",
                    if netcdf {
                        "an array or a dataset"
                    } else {
                        "an array"
                    },
                    other.type_name()
                ),
                0,
                if netcdf {
                    "save(x, \"out.nc\") with x an array, a labelled array or a dataset"
                } else {
                    "save(x, \"out.h5\") with x an array (datasets go to .nc files)"
                },
            ))
        }
    };
    let name = args.str(2)?.to_string();
    if name.trim_matches('/').is_empty() {
        return Err(args.rejected(
            "flow::check::argument_value",
            "the dataset needs a name".into(),
            2,
            "name=\"x\"",
        ));
    }
    let gzip = match args.value(3) {
        Value::None => false,
        Value::Str(s) if &**s == "gzip" => true,
        _ => {
            return Err(args.rejected(
                "flow::check::argument_value",
                "compression is none or \"gzip\"".into(),
                3,
                "compression=\"gzip\"",
            ))
        }
    };
    if netcdf {
        return super::datasets::save_netcdf(interpreter, args, value, &target, &name, gzip);
    }
    let Some(array) = array else {
        return Ok(Value::None);
    };
    if interpreter.is_checking() {
        interpreter.check_task_count(std::slice::from_ref(&array), args.call)?;
        let header = VarHeader {
            name: format!("/{}", name.trim_start_matches('/')),
            dims: Vec::new(),
            shape: array.shape.clone(),
            dtype: Ok(array.dtype),
            decode: Decode::default(),
            chunk: Some(array.chunks.largest_block()),
            attrs: Vec::new(),
            values: None,
        };
        interpreter.planned.files.insert(target, header);
        return Ok(Value::None);
    }
    let written = |path: &Path| write(interpreter, &array, path, &name, gzip, args);
    crate::io::write_over(&target, written, |e| args.write_error(1, e.to_string()))?;
    Ok(Value::None)
}

/// Where a save goes, checked before anything runs: its directory exists, it is not written over
/// a directory, and a device, FIFO or standard output takes only a format that streams. Through
/// a symlink, the file it points to (what is saved, and read back while checking).
fn destination_of(args: &Args, text: &str, target: &Path, extension: &str) -> Eval<PathBuf> {
    let directory = target.parent().filter(|d| !d.as_os_str().is_empty());
    if directory.is_some_and(|d| !d.is_dir()) {
        return Err(args.rejected(
            "flow::check::missing_directory",
            format!("the directory of `{text}` does not exist"),
            1,
            "create the directory first; paths are relative to the script's directory",
        ));
    }
    let destination = crate::io::Destination::of(target);
    let partitioned = args.bool(5)?;
    let overwrite = args.bool(7)?;
    let refuse = |message: String, help: &str| {
        Err(args.rejected("flow::check::destination", message, 1, help))
    };
    match &destination {
        crate::io::Destination::Directory(dir) if !crate::io::is_own_output(dir) => {
            return refuse(
                format!("{}, not one flow wrote: it is not written over", destination.describe(text)),
                "give another path; a directory is replaced only when a partitioned save made it (overwrite=true)",
            );
        }
        crate::io::Destination::Directory(_) if !overwrite => {
            return refuse(
                format!(
                    "{} a partitioned save wrote: overwrite=true replaces it",
                    destination.describe(text)
                ),
                "save(…, overwrite=true), or give another path",
            );
        }
        crate::io::Destination::File(file) if partitioned && file.exists() && !overwrite => {
            return refuse(
                format!(
                    "{}: a partitioned save writes a directory there only with overwrite=true",
                    destination.describe(text)
                ),
                "save(…, partitioned=true, overwrite=true), or give another path",
            );
        }
        _ => {}
    }
    let streams = matches!(extension, "csv") && !partitioned;
    if destination.is_stream() && !streams {
        let why = match extension {
            _ if partitioned => "a partitioned save writes a directory, not a stream",
            "parquet" | "pq" => "a Parquet file is written with seeks, not as a stream",
            "nc" | "nc4" => "a netCDF file is written with seeks, not as a stream",
            "h5" | "hdf5" => "an HDF5 file is written with seeks, not as a stream",
            _ => "give the format it is written in",
        };
        return Err(args.rejected(
            "flow::check::unseekable_destination",
            format!("{}: {why}", destination.describe(text)),
            1,
            "save to a regular file (and copy it where it goes), or write CSV there: format=\"csv\"",
        ));
    }
    Ok(crate::io::link_target(target))
}

/// The path an output argument (argument 1) names: relative to the script's directory, or `-`
/// (standard output) as it is — if the sandbox (if any) lets the program write it.
pub(super) fn output_path(interpreter: &Interpreter, args: &Args, text: &str) -> Eval<PathBuf> {
    let path = match text {
        "-" => PathBuf::from("-"),
        _ => crate::eval::modules::resolve_path(
            &interpreter.sources.get(args.call.source).name,
            text,
        ),
    };
    interpreter.permit(&path, Access::Write, args.spans[1])?;
    Ok(path)
}

fn write(
    interpreter: &mut Interpreter,
    array: &ArrayRef,
    path: &Path,
    name: &str,
    gzip: bool,
    args: &Args,
) -> Eval<()> {
    let dims: Vec<DimHeader> = array
        .shape
        .iter()
        .enumerate()
        .map(|(k, &len)| DimHeader {
            name: format!("dim_{k}"),
            len,
            unlimited: false,
        })
        .collect();
    let layout = FileLayout {
        variables: vec![VariableLayout {
            name: name.to_string(),
            dims: dims.iter().map(|d| d.name.clone()).collect(),
            dtype: array.dtype,
            chunk: Some(array.chunks.largest_block()),
            gzip,
            attrs: Vec::new(),
        }],
        dims,
        attrs: Vec::new(),
    };
    let writer = crate::io::format(FileFormat::Hdf5)
        .create(path, &layout)
        .map_err(|m| args.write_error(1, m))?;
    stream_blocks(interpreter, array, args, &|start, block| {
        writer.write(name, start, block)
    })?;
    writer.finish().map_err(|m| args.write_error(1, m))
}

/// Compute `array` and hand each block, with where it starts, to `write` as it is made; the
/// first write error is reported against the path argument.
pub(super) fn stream_blocks(
    interpreter: &mut Interpreter,
    array: &ArrayRef,
    args: &Args,
    write: &(dyn Fn(&[usize], &crate::array::chunk::ChunkData) -> Result<(), String> + Sync),
) -> Eval<()> {
    let offsets: Vec<Vec<usize>> = (0..array.ndim()).map(|a| array.chunks.offsets(a)).collect();
    let blocks = crate::array::chunks::grid_indices(&array.chunks.grid());
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let sink = |block: usize, data: &crate::array::chunk::ChunkData| {
        let start: Vec<usize> = blocks[block]
            .iter()
            .enumerate()
            .map(|(axis, &i)| offsets[axis][i])
            .collect();
        write(&start, data).map_err(|message| {
            failure
                .lock()
                .expect("failure slot")
                .get_or_insert(message.clone());
            message
        })
    };
    let streamed = interpreter.stream_array(array, &sink);
    if let Some(message) = failure.lock().expect("failure slot").take() {
        return Err(args.write_error(1, message));
    }
    streamed
}

/// `glob(pattern)`: the paths matching a pattern, sorted, as the pattern was written (relative
/// to the script's directory when it is).
pub fn glob(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let text = args.str(0)?;
    let files = if is_pattern(&text) {
        files_of(args, interpreter)?
    } else {
        let path = crate::eval::modules::resolve_path(
            &interpreter.sources.get(args.call.source).name,
            &text,
        );
        interpreter.permit(&path, Access::Read, args.spans[0])?;
        if path.exists() {
            vec![path]
        } else {
            Vec::new()
        }
    };
    let base =
        crate::eval::modules::resolve_path(&interpreter.sources.get(args.call.source).name, "");
    let shown = files
        .iter()
        .map(|f| {
            let relative = if Path::new(&*text).is_absolute() {
                f.as_path()
            } else {
                f.strip_prefix(&base).unwrap_or(f)
            };
            Value::str(&relative.to_string_lossy())
        })
        .collect();
    Ok(Value::list(shown))
}
