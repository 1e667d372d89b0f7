//! Files in and out. Everything written goes to a temporary file beside the target and is
//! renamed into place only when complete, so a failure never leaves a half-written file.

pub mod hdf5;
pub mod netcdf;
pub mod plot;

use std::io::Write;
use std::path::{Path, PathBuf};

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
