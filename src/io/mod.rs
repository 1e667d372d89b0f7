//! Files in and out. Array formats sit behind one trait ([`ArrayFormat`]) in one table
//! ([`format`]); frames are read and written as CSV and Parquet (`frame_*`). Everything written
//! goes to a temporary file beside the target and is renamed into place only when complete, so
//! a failure never leaves a half-written file.

pub mod cftime;
pub mod csv_block;
pub mod frame_read;
pub mod frame_scan;
pub mod frame_write;
pub mod hdf5;
pub mod layout;
pub mod netcdf;
pub mod plot;

use crate::array::chunk::ChunkData;
use crate::array::source::{FileFormat, FileSource};
use layout::{BlockWriter, FileHeader, FileLayout, HeaderError};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file format arrays are read from and written to: one file of `io/` each, and an entry in
/// [`format`].
pub trait ArrayFormat: Sync {
    /// What the file at `path` holds, read while checking (headers, and the values of small
    /// coordinates; no data).
    fn describe(&self, path: &Path) -> Result<Arc<FileHeader>, HeaderError>;

    /// A new file at `path` laid out as `layout`, to write its variables' blocks into.
    fn create(&self, path: &Path, layout: &FileLayout) -> Result<Box<dyn BlockWriter>, String>;

    /// Read the block at `start` of `shape` of the source's variable, decoded to its dtype,
    /// with the files the computation holds open.
    fn read_block(
        &self,
        source: &FileSource,
        start: &[usize],
        shape: &[usize],
        handles: &Handles,
    ) -> Result<ChunkData, String>;
}

/// What the process running a graph holds open for its tasks: files being read (shared by
/// their blocks) and files being written (by frame saves). Tasks only name files; their
/// handles live here, for one computation.
#[derive(Default)]
pub struct Handles {
    pub hdf5: hdf5::OpenDatasets,
    pub sinks: frame_write::Sinks,
}

impl Handles {
    /// The handles of a computation whose reads are `blocks`.
    pub fn for_reads<'a>(blocks: impl Iterator<Item = &'a ReadBlock>) -> Handles {
        Handles {
            hdf5: hdf5::OpenDatasets::for_reads(blocks.map(|b| &b.source)),
            sinks: Default::default(),
        }
    }
}

/// The table of array formats: one entry per format.
pub fn format(format: FileFormat) -> &'static dyn ArrayFormat {
    match format {
        FileFormat::Hdf5 => &hdf5::Hdf5,
        FileFormat::NetCdf => &netcdf::NetCdf,
    }
}

/// A block of a variable to read: what a read task carries (the files it touches, the block's
/// place and shape), and nothing open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadBlock {
    pub source: FileSource,
    pub start: Vec<usize>,
    pub shape: Vec<usize>,
}

impl ReadBlock {
    /// The block at `start` of `shape` of `source`, with only the files it touches.
    pub fn new(source: &FileSource, start: &[usize], shape: &[usize]) -> ReadBlock {
        let (source, start) = source.for_block(start, shape);
        ReadBlock {
            source,
            start,
            shape: shape.to_vec(),
        }
    }
}

/// Read a block, in whichever format its source is.
pub fn read_block(block: &ReadBlock, handles: &Handles) -> Result<ChunkData, String> {
    format(block.source.format).read_block(&block.source, &block.start, &block.shape, handles)
}

/// The hidden name a file is written under beside `target` before it is renamed to it:
/// `.name.flow-PID.ext`, keeping the extension (picture backends choose the format by it).
pub fn temporary_path(target: &Path) -> PathBuf {
    let stem = target
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = target
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tmp".into());
    target.with_file_name(format!(".{stem}.flow-{}.{extension}", std::process::id()))
}

/// Put a file written at `temporary` in place at `target` if writing it succeeded; otherwise
/// (or if the rename fails) remove it, so nothing half-written stays behind.
pub fn put_in_place<E>(
    written: Result<(), E>,
    temporary: &Path,
    target: &Path,
    rename_error: impl FnOnce(std::io::Error) -> E,
) -> Result<(), E> {
    let result = written.and_then(|()| std::fs::rename(temporary, target).map_err(rename_error));
    if result.is_err() {
        let _ = std::fs::remove_file(temporary);
    }
    result
}

/// Write `bytes` to `target` atomically.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = temporary_path(target);
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    put_in_place(written, &temporary, target, |e| e)
}

/// What tells one version of a file from another: headers and schemas read once are kept for
/// the rest of the process under it, so a file replaced since (a `save` renames a new file into
/// place) is read again.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    /// `None` when there is no file at `path`.
    pub fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        #[cfg(unix)]
        let (device, inode) = {
            use std::os::unix::fs::MetadataExt;
            (metadata.dev(), metadata.ino())
        };
        #[cfg(not(unix))]
        let (device, inode) = (0, 0);
        Some(Stamp {
            device,
            inode,
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
}
