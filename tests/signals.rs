//! Signals end a run cleanly (src/signals.rs): SIGINT, SIGTERM and SIGHUP stop the computation,
//! the save in flight removes its temporary file, `flow::eval::interrupted` is printed and the
//! exit code is 128 + the signal; a second signal ends the program at once, still removing the
//! temporary. Only SIGKILL leaves a temporary behind, and the next save to that path removes it.
//! The REPL keeps its history when a signal ends it.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn directory(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("signals")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A save that takes seconds: 3.2 GB of values computed and written to HDF5.
const SLOW_SAVE: &str = "x = random.normal(0, 1, size=(20000, 20000), seed=1)\n\
                         save(cos(x) ** 2, \"big.h5\")\nprint(\"finished\")\n";

fn start(dir: &Path, script: &str) -> Child {
    std::fs::write(dir.join("s.flow"), script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["run", "s.flow", "--threads", "2"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The hidden temporary files flow writes beside its targets.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".flow-"))
        .collect()
}

/// Wait until the save has begun writing (its temporary file exists).
fn wait_for_temporary(dir: &Path, child: &mut Child) {
    let started = Instant::now();
    while temporaries(dir).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "flow ended before its save began"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, signal: i32) {
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

#[test]
fn a_signal_stops_a_save_and_leaves_nothing_behind() {
    for (sig, name, code) in [
        (libc::SIGINT, "SIGINT", 130),
        (libc::SIGTERM, "SIGTERM", 143),
        (libc::SIGHUP, "SIGHUP", 129),
    ] {
        let dir = directory(name);
        let mut child = start(&dir, SLOW_SAVE);
        wait_for_temporary(&dir, &mut child);
        let asked = Instant::now();
        signal(&child, sig);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{name}: {stderr}");
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "{name}: stopping took {:?}",
            asked.elapsed()
        );
        assert!(stderr.contains("flow::eval::interrupted"), "{stderr}");
        assert!(stderr.contains(name), "{name} is named: {stderr}");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("finished"));
        assert_eq!(temporaries(&dir), Vec::<String>::new(), "{name}");
        assert!(!dir.join("big.h5").exists());
    }
}

#[test]
fn a_second_signal_ends_at_once_and_still_removes_the_temporary() {
    let dir = directory("twice");
    let mut child = start(&dir, SLOW_SAVE);
    wait_for_temporary(&dir, &mut child);
    signal(&child, libc::SIGTERM);
    signal(&child, libc::SIGTERM);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("flow::eval::interrupted"), "{stderr}");
    assert_eq!(temporaries(&dir), Vec::<String>::new());
}

#[test]
fn only_sigkill_leaves_a_temporary_and_the_next_save_removes_it() {
    let dir = directory("killed");
    let mut child = start(&dir, SLOW_SAVE);
    wait_for_temporary(&dir, &mut child);
    signal(&child, libc::SIGKILL);
    child.wait().unwrap();
    let left = temporaries(&dir);
    assert_eq!(left.len(), 1, "SIGKILL cannot be handled: {left:?}");
    let output = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["-e", "save(ones(3), \"big.h5\")"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(temporaries(&dir), Vec::<String>::new());
    assert!(dir.join("big.h5").is_file());
}
