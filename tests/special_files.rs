//! Writes never replace what is not a regular file: a FIFO or a device is written into (or, for
//! formats that need seeking, refused before anything runs), a symlink writes its target, `-` is
//! standard output. Each test checks the special file is still what it was, and that the bytes
//! went where they should.
#![cfg(unix)]

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn directory(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("special_files")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn flow(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system entry.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn is_fifo(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// Read everything written into a FIFO, on another thread (opening it waits for a writer).
fn drain(fifo: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let fifo = fifo.to_path_buf();
    std::thread::spawn(move || std::fs::read(fifo).unwrap())
}

const SCRIPT: &str = "x = ones((4,), chunks=2)\ny = x.sum()\n";

#[test]
fn a_fifo_is_written_into_and_stays_a_fifo() {
    let dir = directory("fifo");
    std::fs::write(dir.join("g.flow"), SCRIPT).unwrap();
    // The DOT of `flow graph -o`.
    let fifo = dir.join("graph.dot");
    mkfifo(&fifo);
    let reader = drain(&fifo);
    let output = flow(&dir, &["graph", "g.flow", "-o", "graph.dot"]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8(reader.join().unwrap())
        .unwrap()
        .starts_with("digraph flow {"));
    assert!(is_fifo(&fifo));
    // A frame saved as CSV, and a picture.
    let rows = dir.join("rows.csv");
    let picture = dir.join("picture.png");
    mkfifo(&rows);
    mkfifo(&picture);
    std::fs::write(
        dir.join("s.flow"),
        "save(frame({a: [1, 2], b: [0.5, 1.5]}), \"rows.csv\")\nplot(array([1.0, 3.0, 2.0]), \"picture.png\")\n",
    )
    .unwrap();
    let (csv, png) = (drain(&rows), drain(&picture));
    let output = flow(&dir, &["run", "s.flow"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(csv.join().unwrap()).unwrap(),
        "a,b\n1,0.5\n2,1.5\n"
    );
    assert!(png.join().unwrap().starts_with(b"\x89PNG"));
    assert!(is_fifo(&rows) && is_fifo(&picture));
}

#[test]
fn formats_that_seek_are_refused_before_anything_runs() {
    let dir = directory("seek");
    for name in ["x.h5", "x.nc", "x.parquet"] {
        mkfifo(&dir.join(name));
    }
    std::fs::write(
        dir.join("s.flow"),
        "print(\"ran\")\nsave(ones((3,)), \"x.h5\")\nsave(ones((3,)), \"x.nc\")\nsave(frame({a: [1]}), \"x.parquet\")\n",
    )
    .unwrap();
    let output = flow(&dir, &["run", "s.flow"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr
            .matches("flow::check::unseekable_destination")
            .count(),
        3,
        "{stderr}"
    );
    assert!(stderr.contains("`x.h5` is a FIFO"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing ran");
    for name in ["x.h5", "x.nc", "x.parquet"] {
        assert!(is_fifo(&dir.join(name)));
    }
}

#[test]
fn a_symlink_writes_its_target() {
    let dir = directory("symlink");
    std::fs::write(dir.join("g.flow"), SCRIPT).unwrap();
    std::os::unix::fs::symlink("real.dot", dir.join("link.dot")).unwrap();
    std::fs::write(dir.join("real.dot"), "old").unwrap();
    let output = flow(&dir, &["graph", "g.flow", "-o", "link.dot"]);
    assert!(output.status.success(), "{output:?}");
    let link = std::fs::symlink_metadata(dir.join("link.dot")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let written = std::fs::read_to_string(dir.join("real.dot")).unwrap();
    assert!(written.starts_with("digraph flow {"), "{written}");
    // A dangling link: its target is made.
    std::os::unix::fs::symlink("made.h5", dir.join("dangling.h5")).unwrap();
    std::fs::write(
        dir.join("s.flow"),
        "save(ones((3,)), \"dangling.h5\")\nprint(read_hdf5(\"made.h5\", \"x\").sum())\n",
    )
    .unwrap();
    let output = flow(&dir, &["run", "s.flow"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "3.0\n");
    assert!(std::fs::symlink_metadata(dir.join("dangling.h5"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_symlink_to_a_directory_is_not_written_over() {
    let dir = directory("symlink_directory");
    std::fs::create_dir(dir.join("kept")).unwrap();
    std::fs::write(dir.join("kept/file.txt"), "mine").unwrap();
    std::os::unix::fs::symlink("kept", dir.join("out.h5")).unwrap();
    std::fs::write(dir.join("s.flow"), "save(ones((3,)), \"out.h5\")\n").unwrap();
    let output = flow(&dir, &["run", "s.flow"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("flow::check::destination"));
    std::fs::write(dir.join("g.flow"), SCRIPT).unwrap();
    let output = flow(&dir, &["graph", "g.flow", "-o", "out.h5"]);
    assert!(!output.status.success());
    assert!(std::fs::symlink_metadata(dir.join("out.h5"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(dir.join("kept/file.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_dash_is_standard_output() {
    let dir = directory("dash");
    std::fs::write(dir.join("g.flow"), SCRIPT).unwrap();
    let output = flow(&dir, &["graph", "g.flow", "-o", "-"]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("digraph flow {"));
    assert!(!dir.join("-").exists());
    std::fs::write(
        dir.join("s.flow"),
        "save(frame({a: [1, 2]}), \"-\", format=\"csv\")\n",
    )
    .unwrap();
    let output = flow(&dir, &["run", "s.flow"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "a\n1\n2\n");
    assert!(!dir.join("-").exists());
}

/// As root (CI containers, many HPC images): a character device of its own (the null device's
/// numbers), written into and still a device afterwards.
#[test]
fn a_device_is_written_into_and_stays_a_device() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: no device node can be made; skipped");
        return;
    }
    let dir = directory("device");
    std::fs::write(dir.join("g.flow"), SCRIPT).unwrap();
    let node = dir.join("null.dot");
    let name = std::ffi::CString::new(node.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid path; makes a character device with the null device's numbers.
    let made = unsafe { libc::mknod(name.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    assert_eq!(made, 0, "mknod");
    let is_device =
        || std::fs::symlink_metadata(&node).is_ok_and(|m| m.file_type().is_char_device());
    let output = flow(&dir, &["graph", "g.flow", "-o", "null.dot"]);
    assert!(output.status.success(), "{output:?}");
    assert!(is_device(), "still a character device");
    std::fs::write(
        dir.join("s.flow"),
        "save(ones((3,)), \"null.dot\", format=\"nc\")\n",
    )
    .unwrap();
    let output = flow(&dir, &["run", "s.flow"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("is a character device"));
    assert!(is_device());
}
