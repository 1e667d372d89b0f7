//! Files in and out. Everything written goes to a temporary file beside the target and is
//! renamed into place only when complete, so a failure never leaves a half-written file.

pub mod hdf5;
pub mod plot;

use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary name a file is written under before it is renamed to `target`.
pub fn temporary_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.flow-{}.tmp", std::process::id()))
}

/// Write `bytes` to `target` atomically.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = temporary_path(target);
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
