//! Files in and out. Array formats sit behind one trait ([`ArrayFormat`]) in one table
//! ([`format`]); frames are read and written as CSV and Parquet (`frame_*`). Everything written
//! goes to a temporary file beside the target and is renamed into place only when complete, so
//! a failure never leaves a half-written file.

pub mod cftime;
pub mod csv_block;
pub mod dot_svg;
pub mod frame_read;
pub mod frame_scan;
pub mod frame_write;
pub mod hdf5;
pub mod layout;
pub mod netcdf;
pub mod plot;
pub mod promised;
pub mod temporary;

use crate::array::chunk::ChunkData;
use crate::array::source::{FileFormat, FileSource};
use layout::{BlockWriter, FileHeader, FileLayout, HeaderError};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use temporary::Temporary;

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

/// Read a block, in whichever format its source is. Libraries read past the end of a file that
/// was truncated after it was checked as zeros (classic netCDF, HDF5's default driver), so the
/// files' lengths are compared with what their headers promised once the block is read: if a
/// file is shorter now, what was read cannot be trusted.
pub fn read_block(block: &ReadBlock, handles: &Handles) -> Result<ChunkData, String> {
    let source = &block.source;
    let read = format(source.format).read_block(source, &block.start, &block.shape, handles);
    check_lengths(source)?;
    read
}

/// Every file of `source` at least as long as its header promised.
fn check_lengths(source: &FileSource) -> Result<(), String> {
    for (path, &promised) in source.files.iter().zip(&source.lengths) {
        let length = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if length < promised {
            return Err(format!(
                "{} (it changed after the script was checked)",
                truncated_message(&path.display().to_string(), length, promised)
            ));
        }
    }
    Ok(())
}

/// What is said of a path with no file to read (`flow::check::missing_file`): the message and
/// the help. A directory is named as one (a partitioned save's directory with nothing in it, or
/// a directory where a file was meant).
pub fn no_file(path: &Path, shown: &str) -> (String, &'static str) {
    if path.is_dir() {
        (
            format!("`{shown}` is a directory, not a file"),
            "give a file in it, or a pattern such as `dir/*.nc` (read_csv and read_parquet read the files of a directory that holds some)",
        )
    } else {
        (
            format!("no file `{shown}`"),
            "paths are relative to the script's directory",
        )
    }
}

/// What a truncated file is told as.
pub fn truncated_message(shown: &str, length: u64, promised: u64) -> String {
    format!("`{shown}` is truncated: it has {length} bytes and its header describes {promised}")
}

pub const TRUNCATED_HELP: &str =
    "the file was cut short (an interrupted copy or download?): fetch or write it again";

/// Where a write goes, decided before anything is written. A path that names something other
/// than a regular file is never replaced: writing renames a finished file onto a regular file
/// only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A new path or a regular file — through a symlink, the file it points to: written under a
    /// temporary name beside it and renamed into place, so a failure leaves nothing behind.
    File(PathBuf),
    /// An existing device, FIFO or socket (`/dev/null`, a pipe): written into, never replaced.
    Special { path: PathBuf, kind: &'static str },
    /// An existing directory.
    Directory(PathBuf),
    /// `-`: standard output.
    Stdout,
}

impl Destination {
    pub fn of(path: &Path) -> Destination {
        if path.as_os_str() == "-" {
            return Destination::Stdout;
        }
        // A symlink stands for its target (as `cp` writes through one); a dangling one for the
        // path it names, created.
        let target = link_target(path);
        let Ok(metadata) = std::fs::metadata(&target) else {
            return Destination::File(target);
        };
        let file_type = metadata.file_type();
        if file_type.is_file() {
            return Destination::File(target);
        }
        if file_type.is_dir() {
            return Destination::Directory(target);
        }
        #[cfg(unix)]
        let kind = {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_char_device() {
                "a character device"
            } else if file_type.is_block_device() {
                "a block device"
            } else if file_type.is_fifo() {
                "a FIFO"
            } else if file_type.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            }
        };
        #[cfg(not(unix))]
        let kind = "not a regular file";
        Destination::Special { path: target, kind }
    }

    /// Is it written as a stream only (no seeking back, no rename)?
    pub fn is_stream(&self) -> bool {
        matches!(self, Destination::Special { .. } | Destination::Stdout)
    }

    /// What it is, for messages: "`/dev/null` is a character device".
    pub fn describe(&self, shown: &str) -> String {
        match self {
            Destination::File(_) => format!("`{shown}` is a file"),
            Destination::Special { kind, .. } => format!("`{shown}` is {kind}"),
            Destination::Directory(_) => format!("`{shown}` is a directory"),
            Destination::Stdout => "`-` is standard output".into(),
        }
    }
}

/// The path a symlink leads to (through links to links; a relative target against the link's
/// directory, so the path keeps the form it was given in); the path itself when it is no link.
pub fn link_target(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    // Links deeper than the kernel follows are left as they are (writing them then fails).
    for _ in 0..40 {
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        let Some(target) = is_link.then(|| std::fs::read_link(&path).ok()).flatten() else {
            break;
        };
        path = match target.is_relative() {
            true => path.parent().map_or(target.clone(), |d| d.join(&target)),
            false => target,
        };
    }
    path
}

/// Write a file at `target` with `write`, which writes a whole file at the path it is given:
/// for a regular file (or a symlink's target) a temporary beside it, renamed into place when
/// complete; for a device, FIFO or standard output, a temporary file copied into it, so it is
/// never replaced. A directory is refused.
pub fn write_file<E>(
    target: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
    io_error: impl Fn(std::io::Error) -> E,
) -> Result<(), E> {
    write_into(target, false, write, io_error)
}

/// [`write_file`], where a directory that is flow's own output (a partitioned save) may be
/// replaced too: what `save(…, overwrite=true)` does once its check allowed it.
pub fn write_over<E>(
    target: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
    io_error: impl Fn(std::io::Error) -> E,
) -> Result<(), E> {
    write_into(target, true, write, io_error)
}

fn write_into<E>(
    target: &Path,
    over_own_output: bool,
    write: impl FnOnce(&Path) -> Result<(), E>,
    io_error: impl Fn(std::io::Error) -> E,
) -> Result<(), E> {
    match Destination::of(target) {
        Destination::Directory(_) if !over_own_output => Err(io_error(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        ))),
        // Put in place once written (see `replace`); otherwise removed with the temporary.
        Destination::File(path) | Destination::Directory(path) => {
            let temporary = Temporary::beside(&path);
            let temporary = temporary.path();
            write(temporary).and_then(|()| replace(temporary, &path).map_err(&io_error))
        }
        destination => {
            let temporary = Temporary::for_stream(target);
            let temporary = temporary.path();
            write(temporary).and_then(|()| copy_into(temporary, &destination).map_err(&io_error))
        }
    }
}

/// Copy a finished file into a stream: a device, a FIFO or standard output.
fn copy_into(file: &Path, destination: &Destination) -> std::io::Result<()> {
    let mut source = std::fs::File::open(file)?;
    match destination {
        Destination::Stdout => {
            let mut stdout = std::io::stdout().lock();
            std::io::copy(&mut source, &mut stdout)?;
            stdout.flush()
        }
        Destination::Special { path, .. } => {
            let mut sink = std::fs::OpenOptions::new().write(true).open(path)?;
            std::io::copy(&mut source, &mut sink)?;
            sink.flush()
        }
        _ => unreachable!("streams only"),
    }
}

/// The file a partitioned save leaves in its directory, listing the part files it wrote: what
/// marks the directory as flow's own output, which a later save may replace (`overwrite=true`).
/// Hidden, so reading the directory back skips it.
pub const PARTS_MANIFEST: &str = ".flow-parts";

/// Mark a directory of part files as flow's own output (see [`PARTS_MANIFEST`]).
pub fn write_parts_manifest(directory: &Path) -> std::io::Result<()> {
    let mut parts: Vec<String> = std::fs::read_dir(directory)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != PARTS_MANIFEST)
        .collect();
    parts.sort();
    let mut text = parts.join("\n");
    text.push('\n');
    std::fs::write(directory.join(PARTS_MANIFEST), text)
}

/// Is `directory` flow's own output — a partitioned save's parts and its manifest, nothing else?
pub fn is_own_output(directory: &Path) -> bool {
    let Ok(listed) = std::fs::read_to_string(directory.join(PARTS_MANIFEST)) else {
        return false;
    };
    let listed: std::collections::HashSet<&str> = listed.lines().collect();
    std::fs::read_dir(directory).is_ok_and(|entries| {
        entries.filter_map(Result::ok).all(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            is_file && (name == PARTS_MANIFEST || listed.contains(name.as_str()))
        })
    })
}

/// Put a finished file or directory at `temporary` in place at `target`: renamed over a regular
/// file; a directory at `target` — only flow's own output, checked again now — is moved aside
/// first and removed once the new one is in place (or put back if that fails). Anything else at
/// `target` is refused.
pub fn replace(temporary: &Path, target: &Path) -> std::io::Result<()> {
    let refuse = |why: &str| Err(std::io::Error::other(why.to_string()));
    let Ok(existing) = std::fs::symlink_metadata(target) else {
        return std::fs::rename(temporary, target);
    };
    let is_dir = existing.file_type().is_dir();
    if is_dir && !is_own_output(target) {
        return refuse("it is a directory flow did not write");
    }
    if !is_dir && !existing.file_type().is_file() {
        return refuse("it is not a regular file");
    }
    if !is_dir && !temporary.is_dir() {
        return std::fs::rename(temporary, target);
    }
    let aside = temporary.with_extension("old");
    std::fs::rename(target, &aside)?;
    if let Err(error) = std::fs::rename(temporary, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(error);
    }
    match is_dir {
        true => std::fs::remove_dir_all(&aside),
        false => std::fs::remove_file(&aside),
    }
}

/// Write `bytes` to `target` (see [`write_file`]).
pub fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file(
        target,
        |path| {
            let mut file = std::fs::File::create(path)?;
            file.write_all(bytes)?;
            file.sync_all()
        },
        |e| e,
    )
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
