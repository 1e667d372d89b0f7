//! The REPL driven through a pseudo-terminal, as a person would: multi-line input, completion,
//! lazy display, computing, Ctrl-C during a long computation, background jobs, errors.

use expectrl::{ControlCode, Session};
use std::process::Command;
use std::time::Duration;

/// A fresh, empty prompt as rustyline draws it on an xterm (the prompt text alone also appears
/// while a line is being edited).
const PROMPT: &str = "flow> \r\x1b[6C";

fn start() -> Session {
    start_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// The REPL working in `dir` (paths are relative to it).
fn start_in(dir: &std::path::Path) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flow"));
    command
        .current_dir(dir)
        .arg("--no-history")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut session = Session::spawn(command).expect("start flow in a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session.expect(PROMPT).expect("the prompt");
    session
}

/// Send a line, wait for `expected`, then for the next fresh prompt (so each line's output is
/// matched before the next line is sent).
fn run(session: &mut Session, line: &str, expected: &str) {
    session.send_line(line).unwrap();
    session
        .expect(expected)
        .unwrap_or_else(|e| panic!("after `{line}`: expected {expected:?}: {e}"));
    if expected != PROMPT {
        session
            .expect(PROMPT)
            .unwrap_or_else(|e| panic!("after `{line}`: no prompt: {e}"));
    }
}

/// Lines that continue an input (no evaluation between them).
fn type_lines(session: &mut Session, lines: &[&str]) {
    for line in lines {
        session.send_line(line).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_session_of_work() {
    let mut s = start();
    // A value defined over two lines: the open bracket continues the input.
    type_lines(&mut s, &["x = ones((1000, 4000),"]);
    run(&mut s, "  chunks=(1000, 1000))", PROMPT);
    // A bare lazy value shows its type and cost, not its data.
    run(
        &mut s,
        "x",
        "array<f64>[1000, 4000] chunks (1000, 1000) · 4 chunks · 32.0 MB · lazy",
    );
    // Completing a method of the value's type.
    s.send("x.me").unwrap();
    s.send(ControlCode::HorizontalTabulation).unwrap();
    s.expect("x.mean").unwrap();
    run(
        &mut s,
        "()",
        "array<f64>[] chunks () · 1 chunk · 8 B · lazy",
    );
    run(&mut s, "print(_)", "1.0");
    // Computing.
    run(&mut s, "print((x * x[::-1, ::-1]).sum())", "4000000.0");
    // An error shows as in scripts and the session goes on.
    run(&mut s, "y = x.meen()", "did you mean `mean`?");
    run(&mut s, "x.shape", "(1000, 4000)");
    s.send_line(":quit").unwrap();
}

#[test]
fn datasets_complete_and_display() {
    let mut s = start();
    run(
        &mut s,
        "ds = open_mfdataset(\"tests/data/ssh/*.nc\")",
        PROMPT,
    );
    // A dataset shows its dimensions, coordinates and variables, without reading data.
    run(
        &mut s,
        "ds",
        "adt  (time, lat, lon)  array<f32>[time: 3, lat: 4, lon: 5]",
    );
    // Completing a variable of the dataset, then a dimension-aware method.
    s.send("ds.ad").unwrap();
    s.send(ControlCode::HorizontalTabulation).unwrap();
    s.expect("ds.adt").unwrap();
    s.send(".is").unwrap();
    s.send(ControlCode::HorizontalTabulation).unwrap();
    s.expect("ds.adt.isel").unwrap();
    run(&mut s, "(time=0).dims", "(\"lat\", \"lon\")");
    run(
        &mut s,
        ":type ds.adt.mean(\"time\")",
        "array<f32>[lat: 4, lon: 5]",
    );
    run(&mut s, "ds.adt.mean(dim=\"tiem\")", "did you mean `time`?");
    s.send_line(":quit").unwrap();
}

#[test]
fn ctrl_c_stops_a_computation_and_keeps_the_bindings() {
    let mut s = start();
    run(&mut s, "kept = 41", PROMPT);
    type_lines(&mut s, &["fn slow(x) {", "  sleep(30)", "  x + 1"]);
    run(&mut s, "}", PROMPT);
    s.send_line("print(slow(kept))").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let started = std::time::Instant::now();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("computation interrupted").unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "interrupting took {:?}",
        started.elapsed()
    );
    run(&mut s, "kept + 1", "42");
}

/// A file cut short after it was opened (checked) is a read error naming it, never zeros: for
/// classic netCDF (whose library reads a missing part as zeros) and HDF5.
#[test]
fn a_file_truncated_after_it_was_opened_is_a_read_error() {
    let dir = std::env::temp_dir().join(format!("flow-repl-truncated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // tests/data/truncated_classic.nc lacks the last 40 bytes its header describes: whole again.
    let mut classic = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/truncated_classic.nc"
    ))
    .unwrap();
    let short = classic.len() as u64;
    classic.extend([0u8; 40]);
    std::fs::write(dir.join("classic.nc"), &classic).unwrap();
    let mut s = start_in(&dir);
    run(&mut s, "ds = open_dataset(\"classic.nc\")", PROMPT);
    run(&mut s, "print(ds.v.sum())", "30.0");
    run(
        &mut s,
        "save(arange(100000.0).rechunk(10000), \"x.h5\")",
        PROMPT,
    );
    run(&mut s, "x = read_hdf5(\"x.h5\", \"x\")", PROMPT);
    run(&mut s, "print(x.sum())", "4999950000.0");
    let cut = |name: &str, length: u64| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(dir.join(name))
            .unwrap()
            .set_len(length)
            .unwrap()
    };
    cut("classic.nc", short);
    run(&mut s, "print(ds.v.sum())", "flow::eval::read_error");
    let x_length = std::fs::metadata(dir.join("x.h5")).unwrap().len();
    cut("x.h5", x_length / 2);
    run(&mut s, "print(x.sum())", "`x.h5` is truncated");
    s.send_line(":quit").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGHUP (the terminal went away) and SIGTERM end the REPL with its history on disk, at the
/// prompt and during a computation, exiting 128 + the signal.
#[test]
fn a_signal_ends_the_session_and_keeps_its_history() {
    for (signal, code) in [(libc::SIGHUP, 129), (libc::SIGTERM, 143)] {
        let data =
            std::env::temp_dir().join(format!("flow-repl-history-{}-{signal}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut command = Command::new(env!("CARGO_BIN_EXE_flow"));
        command
            .env("XDG_DATA_HOME", &data)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm");
        let mut s = Session::spawn(command).expect("start flow in a pseudo-terminal");
        s.set_expect_timeout(Some(Duration::from_secs(20)));
        s.expect(PROMPT).unwrap();
        run(&mut s, "first = 1", PROMPT);
        run(&mut s, "second = first + 1", PROMPT);
        let busy = signal == libc::SIGTERM;
        if busy {
            // Signalled while computing: the computation stops, then the session ends.
            s.send_line("print(random.normal(0, 1, size=(20000, 20000)).sum())")
                .unwrap();
            std::thread::sleep(Duration::from_millis(500));
        }
        let pid = s.get_process().pid().as_raw();
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let status = s.get_process().wait().unwrap();
        assert_eq!(
            status,
            expectrl::WaitStatus::Exited(s.get_process().pid(), code),
            "signal {signal}"
        );
        let history = std::fs::read_to_string(data.join("flow/history")).unwrap();
        assert!(
            history.contains("first = 1") && history.contains("second = first + 1"),
            "{history}"
        );
        if busy {
            assert!(history.contains("random.normal"), "{history}");
        }
        let _ = std::fs::remove_dir_all(&data);
    }
}

/// Lines typed ahead while one runs, and text pasted without bracketed paste (every line a
/// keypress of Enter), are queued and run in order: none is dropped, and a definition over
/// several lines stays one input.
#[test]
fn type_ahead_and_unbracketed_paste_are_run_in_order() {
    let mut s = start();
    let mut pasted = String::from("sleep(0.5)\n");
    for k in 0..300 {
        pasted.push_str(&format!("v{k} = {k}\n"));
    }
    pasted.push_str("fn twice(x) {\n  y = x * 2\n  y\n}\n");
    pasted.push_str("print(sum([v0, v150, v299]), twice(21))\n");
    // One write: the terminal holds it all while the first line sleeps.
    s.send(&pasted).unwrap();
    s.expect("449 42")
        .unwrap_or_else(|e| panic!("the queued lines did not all run: {e}"));
    run(&mut s, "print(v299)", "299");
}

#[test]
fn background_jobs() {
    let mut s = start();
    type_lines(&mut s, &["fn slowinc(x) {", "  sleep(0.3)", "  x + 1"]);
    run(&mut s, "}", PROMPT);
    run(&mut s, "f = submit(slowinc(1) + slowinc(2))", PROMPT);
    run(&mut s, ":jobs", "job 1");
    run(&mut s, "print(result(f))", "5");
    run(&mut s, ":jobs", "done in");
    type_lines(&mut s, &["fn slowest(x) {", "  sleep(10)", "  x"]);
    run(&mut s, "}", PROMPT);
    run(&mut s, "g = submit(slowest(100))", PROMPT);
    run(&mut s, "cancel(g)", PROMPT);
    run(&mut s, "result(g)", "computation interrupted");
    run(&mut s, "1 + 1", "2");
}

#[test]
fn commands_help_and_unknown_commands() {
    let mut s = start();
    run(&mut s, ":help mean", "mean(x, axis=none, keepdims=false)");
    run(
        &mut s,
        ":help stats.zscore",
        "mean 0 and standard deviation 1",
    );
    run(
        &mut s,
        ":type ones((3, 4), chunks=2).sum(axis=0)",
        "array<f64>[4] chunks (2,)",
    );
    run(&mut s, ":hlep", "did you mean `:help`?");
    run(&mut s, ":set threads 2", "threads: 2");
    run(&mut s, "z = 5", PROMPT);
    run(&mut s, ":vars", "z");
}

#[test]
fn frames_complete_columns_and_show_their_schema() {
    let mut s = start();
    run(
        &mut s,
        "df = read_csv(\"tests/data/flights/*.csv\")",
        PROMPT,
    );
    // A lazy frame shows its files and columns, not its rows.
    run(&mut s, "df", "frame[2 files · 299 B] (Year: i64, Origin: str, DepDelay: f64, TailNum: str, Cancelled: i64) · lazy");
    // Columns complete after `df.` and inside `col("`.
    s.send("df.DepD").unwrap();
    s.send(ControlCode::HorizontalTabulation).unwrap();
    s.expect("df.DepDelay").unwrap();
    s.send_line("").unwrap();
    // A frame's column shows its type and its frame, not its rows.
    s.expect("<column `DepDelay`: f64 of frame[2 files · 299 B]")
        .unwrap();
    s.expect(PROMPT).unwrap();
    s.send("len(df.filter(col(\"Orig").unwrap();
    s.send(ControlCode::HorizontalTabulation).unwrap();
    s.expect("col(\"Origin\"").unwrap();
    run(&mut s, ") == \"JFK\"))", "4");
    run(
        &mut s,
        "df.groupby(\"Origin\").agg(mean(\"DepDelai\"))",
        "did you mean `DepDelay`?",
    );
    s.send_line(":quit").unwrap();
}

/// A function whose body saves to a path made from its parameters is checked when it is
/// defined (the path is not known yet) and runs when called: the file is written.
#[test]
fn a_function_saving_to_a_path_from_its_parameters() {
    let dir = std::env::temp_dir().join(format!("flow-repl-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = start_in(&dir);
    type_lines(
        &mut s,
        &[
            "fn year_file(y) {",
            "  save(arange(3) * 1.0, \"year\" + str(y) + \".h5\")",
        ],
    );
    run(&mut s, "}", PROMPT);
    run(&mut s, "year_file(2001)", PROMPT);
    run(
        &mut s,
        "print(read_hdf5(\"year2001.h5\", \"x\").sum())",
        "3.0",
    );
    s.send_line(":quit").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
