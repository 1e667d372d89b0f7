//! Temporary files and directories that saves write before renaming them into place. Each is
//! listed while it exists, so a signal that ends the program removes it ([`remove_all`]), and
//! removed when dropped (after a rename there is nothing left to remove). Only SIGKILL can leave
//! one behind: the next save to the same path removes those of processes that no longer run.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Paths of the temporaries that exist now.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file or directory, removed when dropped.
pub struct Temporary {
    path: PathBuf,
}

impl Temporary {
    /// The hidden name a file is written under beside `target` before it is renamed to it:
    /// `.name.flow-PID.ext`, keeping the extension (picture backends choose the format by it).
    /// Temporaries of `target` left by processes that no longer run are removed first.
    pub fn beside(target: &Path) -> Temporary {
        remove_stale(target);
        Temporary::listed(target.with_file_name(format!(
            ".{}{}{}.{}",
            stem(target),
            MARK,
            std::process::id(),
            extension(target)
        )))
    }

    /// A temporary file for a stream's contents, in the system's temporary directory (not
    /// beside a device), keeping the extension.
    pub fn for_stream(target: &Path) -> Temporary {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Temporary::listed(std::env::temp_dir().join(format!(
            "flow-{}-{n}.{}",
            std::process::id(),
            extension(target)
        )))
    }

    fn listed(path: PathBuf) -> Temporary {
        lock().push(path.clone());
        Temporary { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        remove(&self.path);
        let mut live = lock();
        if let Some(at) = live.iter().position(|p| *p == self.path) {
            live.swap_remove(at);
        }
    }
}

/// What sits between a target's name and the process id in its temporaries' names.
const MARK: &str = ".flow-";

fn stem(target: &Path) -> String {
    target
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn extension(target: &Path) -> String {
    target
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tmp".into())
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

fn remove(path: &Path) {
    let _ = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    };
}

/// Remove every temporary that exists now: the program is ending on a signal.
pub fn remove_all() {
    for path in lock().drain(..) {
        remove(&path);
    }
}

/// Remove the temporaries of `target` (`.name.flow-PID.ext`) whose process no longer runs: what
/// a SIGKILL, or a machine that went down, left behind.
fn remove_stale(target: &Path) {
    let prefix = format!(".{}{MARK}", stem(target));
    let suffix = format!(".{}", extension(target));
    let directory = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(&suffix))
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !runs(pid) {
                remove(&entry.path());
            }
        }
    }
}

/// Is process `pid` running (or there but not ours to signal)?
fn runs(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks without sending: ESRCH means there is no such process.
        let sent = unsafe { libc::kill(pid, 0) };
        sent == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_is_removed_when_dropped_and_stale_ones_of_dead_processes_by_the_next() {
        let dir = std::env::temp_dir().join(format!("flow-temporary-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.h5");
        // A process id that runs (ours: left alone as our own) and one that cannot run.
        let dead = dir.join(".out.flow-4294967295.h5");
        let other_target = dir.join(".other.flow-4294967295.h5");
        std::fs::write(&dead, b"left by a killed save").unwrap();
        std::fs::write(&other_target, b"another target's").unwrap();
        let temporary = Temporary::beside(&target);
        assert!(
            !dead.exists(),
            "a dead process's temporary of the target is removed"
        );
        assert!(other_target.exists(), "another target's temporary is left");
        std::fs::write(temporary.path(), b"half written").unwrap();
        assert!(lock().contains(&temporary.path().to_path_buf()));
        let path = temporary.path().to_path_buf();
        drop(temporary);
        assert!(!path.exists() && !lock().contains(&path));
        // remove_all removes a directory too.
        let partitioned = Temporary::beside(&dir.join("parts.parquet"));
        std::fs::create_dir_all(partitioned.path().join("x")).unwrap();
        remove_all();
        assert!(!partitioned.path().exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
