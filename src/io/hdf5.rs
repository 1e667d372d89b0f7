//! HDF5 files: the header of a dataset (read while checking: dtype, shape, on-disk chunks),
//! one block read as a hyperslab per task, and arrays written chunk by chunk into a chunked
//! dataset. HDF5 itself serialises its calls; decoding and computing stay outside it.

use super::layout::{BlockWriter, FileHeader, FileLayout, HeaderError, VarHeader};
use super::Handles;
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::source::FileSource;
use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use hdf5::{Hyperslab, Selection, SliceOrIndex};
use ndarray::IxDyn;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// HDF5 in the table of formats (`io::format`).
pub struct Hdf5;

impl super::ArrayFormat for Hdf5 {
    /// The file's datasets (by path, `/group/name`), each with dimensions `dim_0`, `dim_1`, …
    fn describe(&self, path: &Path) -> Result<Arc<FileHeader>, HeaderError> {
        if !path.is_file() {
            return Err(HeaderError::Missing);
        }
        let length = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let promised = super::promised::promised_length(path);
        if let Some(promised) = promised.filter(|&promised| length < promised) {
            return Err(HeaderError::Truncated { length, promised });
        }
        let length = Some(promised.unwrap_or(length));
        let file = hdf5::File::open(path).map_err(|e| HeaderError::Unreadable(e.to_string()))?;
        let variables = dataset_names(&file)
            .into_iter()
            .filter_map(|name| {
                let dataset = file.dataset(&name).ok()?;
                let dtype = dataset
                    .dtype()
                    .and_then(|t| t.to_descriptor())
                    .map_err(|e| e.to_string())
                    .and_then(|descriptor| dtype_of(&descriptor));
                let shape = dataset.shape();
                Some(VarHeader {
                    name,
                    dims: (0..shape.len()).map(|k| format!("dim_{k}")).collect(),
                    shape,
                    dtype,
                    decode: Default::default(),
                    chunk: dataset.chunk(),
                    attrs: Vec::new(),
                    values: None,
                })
            })
            .collect();
        Ok(Arc::new(FileHeader {
            dims: Vec::new(),
            variables,
            attrs: Vec::new(),
            length,
        }))
    }

    fn create(&self, path: &Path, layout: &FileLayout) -> Result<Box<dyn BlockWriter>, String> {
        Ok(Box::new(Writer::create(path, layout)?))
    }

    fn read_block(
        &self,
        source: &FileSource,
        start: &[usize],
        shape: &[usize],
        handles: &Handles,
    ) -> Result<ChunkData, String> {
        let [path] = source.files.as_slice() else {
            return Err(format!(
                "an HDF5 source reads one file, not {}",
                source.files.len()
            ));
        };
        let name = &source.variable;
        let dataset = handles.hdf5.open(path, name)?;
        let block = read_block(path, name, &dataset, start, shape, source.dtype);
        drop(dataset);
        handles.hdf5.read(path, name);
        block
    }
}

/// The datasets a computation reads, each opened by its first block read and kept for the
/// others (an open costs ~40 µs, as much as reading a small block), then closed after its last
/// block, so a pattern over thousands of files holds only the files being read. They belong to
/// the process running the graph, never to a task; the next computation opens the files afresh
/// (a failed open is not remembered, a file `save`d over since is read anew).
#[derive(Default)]
pub struct OpenDatasets {
    open: Mutex<HashMap<(PathBuf, String), Opened>>,
}

struct Opened {
    /// Blocks still to read.
    unread: usize,
    dataset: Option<hdf5::Dataset>,
}

impl OpenDatasets {
    /// For a graph whose reads are `blocks`: how many blocks of each dataset there are.
    pub fn for_reads<'a>(blocks: impl Iterator<Item = &'a FileSource>) -> OpenDatasets {
        let mut open = HashMap::new();
        for source in blocks.filter(|s| s.format == crate::array::source::FileFormat::Hdf5) {
            for path in &source.files {
                open.entry((path.clone(), source.variable.clone()))
                    .or_insert(Opened {
                        unread: 0,
                        dataset: None,
                    })
                    .unread += 1;
            }
        }
        OpenDatasets {
            open: Mutex::new(open),
        }
    }

    /// The dataset, open; kept open only when more blocks of it are to be read.
    fn open(&self, path: &Path, name: &str) -> Result<hdf5::Dataset, String> {
        let key = (path.to_path_buf(), name.to_string());
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dataset) = open.get(&key).and_then(|o| o.dataset.clone()) {
            return Ok(dataset);
        }
        let file =
            hdf5::File::open(path).map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        let dataset = file
            .dataset(name)
            .map_err(|e| format!("no dataset `{name}`: {e}"))?;
        if let Some(opened) = open.get_mut(&key).filter(|o| o.unread > 1) {
            opened.dataset = Some(dataset.clone());
        }
        Ok(dataset)
    }

    /// One block of the dataset is read: after the last, the dataset is closed.
    fn read(&self, path: &Path, name: &str) {
        let key = (path.to_path_buf(), name.to_string());
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(opened) = open.get_mut(&key) {
            opened.unread = opened.unread.saturating_sub(1);
            if opened.unread == 0 {
                open.remove(&key);
            }
        }
    }
}

fn dtype_of(descriptor: &TypeDescriptor) -> Result<DType, String> {
    Ok(match descriptor {
        TypeDescriptor::Float(FloatSize::U8) => DType::F64,
        TypeDescriptor::Float(_) => DType::F32,
        TypeDescriptor::Integer(IntSize::U8)
        | TypeDescriptor::Unsigned(IntSize::U4 | IntSize::U8) => DType::I64,
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) => DType::I32,
        TypeDescriptor::Boolean => DType::Bool,
        other => return Err(format!("{other:?}")),
    })
}

/// The names of the datasets in a file, for "did you mean".
fn dataset_names(file: &hdf5::File) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), file.as_group().ok())];
    while let Some((prefix, Some(group))) = stack.pop() {
        for name in group.member_names().unwrap_or_default() {
            let full = format!("{prefix}/{name}");
            if group.dataset(&name).is_ok() {
                out.push(full);
            } else if let Ok(inner) = group.group(&name) {
                stack.push((full, Some(inner)));
            }
        }
    }
    out
}

fn hyperslab(start: &[usize], shape: &[usize]) -> Selection {
    let parts: Vec<SliceOrIndex> = start
        .iter()
        .zip(shape)
        .map(|(&s, &n)| SliceOrIndex::SliceCount {
            start: s,
            step: 1,
            count: n,
            block: 1,
        })
        .collect();
    Selection::from(Hyperslab::from(parts))
}

/// Read the block at `start` of `shape`, converted to `dtype`.
fn read_block(
    path: &Path,
    name: &str,
    dataset: &hdf5::Dataset,
    start: &[usize],
    shape: &[usize],
    dtype: DType,
) -> Result<ChunkData, String> {
    let selection = hyperslab(start, shape);
    let read = |e: hdf5::Error| {
        format!(
            "cannot read a block of `{name}` in `{}`: {e}",
            path.display()
        )
    };
    Ok(match dtype {
        DType::F64 => ChunkData::F64(
            dataset
                .read_slice::<f64, _, IxDyn>(selection)
                .map_err(read)?,
        ),
        DType::F32 => ChunkData::F32(
            dataset
                .read_slice::<f32, _, IxDyn>(selection)
                .map_err(read)?,
        ),
        DType::I64 => ChunkData::I64(
            dataset
                .read_slice::<i64, _, IxDyn>(selection)
                .map_err(read)?,
        ),
        DType::I32 => ChunkData::I32(
            dataset
                .read_slice::<i32, _, IxDyn>(selection)
                .map_err(read)?,
        ),
        DType::Bool => ChunkData::Bool(
            dataset
                .read_slice::<bool, _, IxDyn>(selection)
                .map_err(read)?,
        ),
    })
}

/// An HDF5 file being written: its datasets created first, then written block by block.
pub struct Writer {
    file: hdf5::File,
    datasets: Vec<(String, hdf5::Dataset)>,
}

impl Writer {
    /// A new file at `path` holding the layout's variables (each chunked as asked, or as one
    /// chunk), replacing any file there. HDF5 datasets have no named dimensions: the layout's
    /// give only the lengths.
    pub fn create(path: &Path, layout: &FileLayout) -> Result<Writer, String> {
        let file = hdf5::File::create(path).map_err(|e| e.to_string())?;
        let mut datasets = Vec::new();
        for v in &layout.variables {
            let shape: Vec<usize> = v
                .dims
                .iter()
                .map(|d| {
                    layout
                        .dims
                        .iter()
                        .find(|l| l.name == *d)
                        .map_or(1, |l| l.len)
                })
                .collect();
            let chunk = v.chunk.clone().unwrap_or_else(|| shape.clone());
            let name = v.name.trim_start_matches('/');
            macro_rules! build {
                ($t:ty) => {{
                    let mut builder = file.new_dataset::<$t>();
                    builder = builder.chunk(chunk.clone());
                    if v.gzip {
                        builder = builder.deflate(4);
                    }
                    builder
                        .shape(shape.clone())
                        .create(name)
                        .map_err(|e| e.to_string())?
                }};
            }
            let dataset = match v.dtype {
                DType::F64 => build!(f64),
                DType::F32 => build!(f32),
                DType::I64 => build!(i64),
                DType::I32 => build!(i32),
                DType::Bool => build!(bool),
            };
            datasets.push((v.name.clone(), dataset));
        }
        Ok(Writer { file, datasets })
    }
}

impl BlockWriter for Writer {
    /// Write one block of `variable` at `start`.
    fn write(&self, variable: &str, start: &[usize], block: &ChunkData) -> Result<(), String> {
        let (_, dataset) = self
            .datasets
            .iter()
            .find(|(name, _)| name == variable)
            .ok_or_else(|| format!("no dataset `{variable}` is being written"))?;
        let selection = hyperslab(start, block.shape());
        let error = |e: hdf5::Error| e.to_string();
        match block {
            ChunkData::F64(a) => dataset.write_slice(a, selection).map_err(error),
            ChunkData::F32(a) => dataset.write_slice(a, selection).map_err(error),
            ChunkData::I64(a) => dataset.write_slice(a, selection).map_err(error),
            ChunkData::I32(a) => dataset.write_slice(a, selection).map_err(error),
            ChunkData::Bool(a) => dataset.write_slice(a, selection).map_err(error),
        }
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        let Writer { file, datasets } = *self;
        drop(datasets);
        file.close().map_err(|e| e.to_string())
    }
}
