//! Permissions for shared scripts (`flow run --sandbox`, as Deno's `--allow-read` and
//! `--allow-write`): a sandboxed program reads only under its script's directory and the
//! directories given with `--allow-read`, and writes only under those given with
//! `--allow-write` (which it may read back too). Every path a program names — files it reads,
//! patterns it lists, files it saves or draws, scripts it `use`s — is checked while checking,
//! so a denied path is a diagnostic before anything runs. Paths are compared after resolving
//! `..` and symbolic links, so neither leads outside.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::path::{Component, Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

#[derive(Clone, Debug)]
pub struct Sandbox {
    /// Directories (resolved) read from.
    read: Vec<PathBuf>,
    /// Directories (resolved) written to, and read from.
    write: Vec<PathBuf>,
}

impl Sandbox {
    /// The sandbox of a program whose script is in `home`, with further directories allowed.
    /// `Err` names a directory that cannot be allowed (it does not exist).
    pub fn new(home: &Path, read: &[PathBuf], write: &[PathBuf]) -> Result<Sandbox, String> {
        let resolve = |dir: &Path, flag: &str| {
            std::fs::canonicalize(dir)
                .ok()
                .filter(|d| d.is_dir())
                .ok_or_else(|| format!("{flag} `{}`: no such directory", dir.display()))
        };
        let mut readable = vec![resolve(home, "the script's directory")?];
        for dir in read {
            readable.push(resolve(dir, "--allow-read")?);
        }
        let writable = write
            .iter()
            .map(|dir| resolve(dir, "--allow-write"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Sandbox {
            read: readable,
            write: writable,
        })
    }

    /// May the program read or write `path`? Standard output (`-`) is always written.
    pub fn permits(&self, path: &Path, access: Access) -> bool {
        if access == Access::Write && path.as_os_str() == "-" {
            return true;
        }
        let resolved = resolved(path);
        let within = |dirs: &[PathBuf]| dirs.iter().any(|d| resolved.starts_with(d));
        match access {
            Access::Read => within(&self.read) || within(&self.write),
            Access::Write => within(&self.write),
        }
    }

    /// `Ok` when `access` to `path` is allowed, else the diagnostic that says what to allow.
    pub fn check(&self, path: &Path, access: Access, span: Span) -> Result<(), Box<Diagnostic>> {
        if self.permits(path, access) {
            return Ok(());
        }
        let (verb, flag, dirs): (_, _, Vec<&PathBuf>) = match access {
            Access::Read => (
                "reading",
                "--allow-read",
                self.read.iter().chain(&self.write).collect(),
            ),
            Access::Write => ("writing", "--allow-write", self.write.iter().collect()),
        };
        let allowed = match dirs.is_empty() {
            true => "nothing".to_string(),
            false => dirs.iter().map(|d| shown(d)).collect::<Vec<_>>().join(", "),
        };
        let directory = resolved(path)
            .parent()
            .map_or_else(|| "DIR".to_string(), shown);
        Err(Box::new(
            Diagnostic::error(
                "flow::check::permission_denied",
                format!("{verb} `{}` is not allowed in the sandbox", path.display()),
                span,
            )
            .with_label("outside the allowed directories")
            .with_help(format!(
                "allowed for {verb}: {allowed}; to allow this, run with {flag} {directory}"
            )),
        ))
    }
}

/// A resolved directory as the user would type it: relative to the working directory (`.`,
/// `../data`) when they share more than the root, else as it is.
fn shown(dir: &Path) -> String {
    let Ok(here) = std::env::current_dir().and_then(std::fs::canonicalize) else {
        return dir.display().to_string();
    };
    let common = here
        .components()
        .zip(dir.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return dir.display().to_string();
    }
    let mut relative = PathBuf::new();
    for _ in common..here.components().count() {
        relative.push("..");
    }
    for part in dir.components().skip(common) {
        relative.push(part);
    }
    match relative.as_os_str().is_empty() {
        true => ".".into(),
        false => relative.display().to_string(),
    }
}

/// `path` with `..` and symbolic links resolved: the longest part that exists is resolved by the
/// system, the rest (a file about to be written) lexically.
fn resolved(path: &Path) -> PathBuf {
    let absolute = match path.is_absolute() {
        true => path.to_path_buf(),
        false => std::env::current_dir().unwrap_or_default().join(path),
    };
    let mut existing = absolute.as_path();
    let mut rest: Vec<Component> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut out = real;
            for component in rest.into_iter().rev() {
                match component {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other),
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_resolved_before_they_are_compared() {
        let root = std::env::temp_dir().join(format!("flow-sandbox-{}", std::process::id()));
        let (home, out, secret) = (root.join("home"), root.join("out"), root.join("secret"));
        for dir in [&home, &out, &secret] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(secret.join("key"), "k").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(secret.join("key"), home.join("link")).unwrap();
        let sandbox = Sandbox::new(&home, &[], std::slice::from_ref(&out)).unwrap();
        assert!(sandbox.permits(&home.join("data.csv"), Access::Read));
        assert!(sandbox.permits(&home.join("sub/../data.csv"), Access::Read));
        assert!(!sandbox.permits(&home.join("../secret/key"), Access::Read));
        assert!(!sandbox.permits(&home.join("new/../../secret/key"), Access::Read));
        #[cfg(unix)]
        assert!(!sandbox.permits(&home.join("link"), Access::Read));
        assert!(!sandbox.permits(&home.join("x.h5"), Access::Write));
        assert!(sandbox.permits(&out.join("new/x.h5"), Access::Write));
        assert!(sandbox.permits(&out.join("x.h5"), Access::Read));
        assert!(sandbox.permits(Path::new("-"), Access::Write));
        assert!(Sandbox::new(&home, &[root.join("missing")], &[]).is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
