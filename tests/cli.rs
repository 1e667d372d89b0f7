//! Command-line behaviour whose output varies between runs (timings), so it cannot be golden.

use std::process::Command;

fn flow(args: &[&str], script: &str) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("flow-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "script-{}.flow",
        args.join("-").replace(['/', ' '], "_")
    ));
    std::fs::write(&file, script).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into(),
        String::from_utf8_lossy(&output.stderr).into(),
    )
}

#[test]
fn stats_report_phases_tasks_and_memory() {
    let (code, stdout, stderr) = flow(
        &["run", "--stats"],
        "x = ones((100, 100), chunks=10)\nprint((sin(x) * 2).sum())\n",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("16829.4196961579"), "{stdout}");
    for needle in [
        "stats: parse",
        "check",
        "lower",
        "optimise",
        "execute",
        "tasks run",
        "removed by the optimiser",
        "peak held",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in {stderr}");
    }
}

#[test]
fn forced_progress_prints_lines_off_a_terminal() {
    let (code, _, stderr) = flow(
        &["run", "--progress"],
        "print(random.normal(size=1e6, chunks=1e4, seed=1).mean() < 1)\n",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("computing:") && stderr.contains("(100%)"),
        "{stderr}"
    );
}

#[test]
fn no_progress_by_default_off_a_terminal() {
    let (_, _, stderr) = flow(
        &["run"],
        "print(random.normal(size=1e6, chunks=1e4, seed=1).mean() < 1)\n",
    );
    assert!(!stderr.contains("computing:"), "{stderr}");
}

#[test]
fn memory_limit_takes_sizes() {
    let (code, stdout, _) = flow(
        &["run", "--memory-limit", "1MB"],
        "print(random.uniform(size=1e6, chunks=1e4, seed=2).sum() > 0)\n",
    );
    assert_eq!((code, stdout.trim()), (0, "true"));
    let (code, _, stderr) = flow(&["run", "--memory-limit", "lots"], "print(1)\n");
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a size"), "{stderr}");
}

#[test]
fn threads_give_the_same_results() {
    let script = "r = random.normal(size=(1e6,), chunks=(1e4,), seed=3)\nprint(r.std(), r.argmax(), histogram(r, bins=7, range=(-2, 2))[0])\n";
    let one = flow(&["run", "--threads", "1"], script);
    let two = flow(&["run", "--threads", "2"], script);
    let four = flow(&["run", "--threads", "4"], script);
    assert_eq!(one.1, two.1);
    assert_eq!(one.1, four.1);
}

#[test]
fn a_failed_save_leaves_the_previous_file_untouched() {
    // Distinct arguments give each step its own script file (tests run in parallel).
    let (code, _, stderr) = flow(
        &["run", "--memory-limit", "101MB"],
        "save(arange(4.0), \"kept.h5\")\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let failing = "base = arange(1, 5, chunks=2)\n\
                   save(base ** array([2, 1, -1, 3], chunks=2), \"kept.h5\")\n";
    let (code, _, stderr) = flow(&["run", "--memory-limit", "102MB"], failing);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("flow::eval::data_error"), "{stderr}");
    let (code, stdout, stderr) = flow(
        &["run", "--memory-limit", "103MB"],
        "print(read_hdf5(\"kept.h5\", \"x\"))\n",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.trim(), "[0. 1. 2. 3.]");
    let dir = std::env::temp_dir().join(format!("flow-cli-test-{}", std::process::id()));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".flow-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_file(dir.join("kept.h5"));
}

#[test]
fn graph_of_a_frame_in_a_script_draws_its_operations_and_tasks() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/flights/*.csv");
    let dir = std::env::temp_dir().join(format!("flow-cli-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ops, tasks) = (dir.join("ops.dot"), dir.join("tasks.dot"));
    let script = format!(
        "means = read_csv(\"{data}\").filter(col(\"DepDelay\") > 0).groupby(\"Origin\").agg(mean(\"DepDelay\"))\n\
         graph(means, \"{}\")\ngraph((means, ones(3)), \"{}\", tasks=true)\n",
        ops.display(),
        tasks.display()
    );
    let (code, _, stderr) = flow(&["run"], &script);
    assert_eq!(code, 0, "{stderr}");
    let ops = std::fs::read_to_string(&ops).unwrap();
    assert!(ops.contains("read_csv(2 files)\\n2 partitions"), "{ops}");
    assert!(
        ops.contains("groupby(Origin).agg(DepDelay)\\n1 partition"),
        "{ops}"
    );
    let tasks = std::fs::read_to_string(&tasks).unwrap();
    assert_eq!(tasks.matches("label=\"partition #").count(), 2, "{tasks}");
    assert_eq!(tasks.matches("label=\"combine #").count(), 1, "{tasks}");
    assert!(
        tasks.contains("ones"),
        "the array is drawn beside the frame: {tasks}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_frame_save_leaves_no_file_or_directory_behind() {
    // A frame whose last partition holds a value that does not parse: the partitions before it
    // are already written when it fails, to a temporary file or directory that must go.
    let dir = std::env::temp_dir().join(format!("flow-cli-frames-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::from("key,value\n");
    for k in 0..2000 {
        text.push_str(&format!("k{},{k}\n", k % 7));
    }
    text.push_str("k1,not-a-number\n");
    std::fs::write(dir.join("late.csv"), text).unwrap();
    for (target, partitioned) in [
        ("one.parquet", "false"),
        ("one.csv", "false"),
        ("parts.parquet", "true"),
    ] {
        let script = dir.join("save.flow");
        std::fs::write(
            &script,
            format!(
                "df = read_csv(\"late.csv\", dtypes={{value: \"i64\"}}, blocksize=4000)\n\
                 save(df, \"{target}\", partitioned={partitioned})\n"
            ),
        )
        .unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_flow"))
            .args(["run"])
            .arg(&script)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("late.csv` line 2002"), "{stderr}");
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "late.csv" && n != "save.flow")
            .collect();
        assert!(
            left.is_empty(),
            "left behind by a failed save to {target}: {left:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_that_cannot_be_written_is_an_error_but_a_closed_pipe_is_not() {
    let dir = std::env::temp_dir().join(format!("flow-cli-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("lines.flow");
    std::fs::write(&script, "lines = [print(i) for i in range(20000)]\n").unwrap();
    if let Ok(full) = std::fs::File::create("/dev/full") {
        let output = Command::new(env!("CARGO_BIN_EXE_flow"))
            .args(["run"])
            .arg(&script)
            .env("NO_COLOR", "1")
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("flow::eval::output"), "{stderr}");
    }
    // A reader that stops early (`| head -1`) ends the pipeline quietly.
    let mut child = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["run"])
        .arg(&script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every example runs on a fresh clone (they write what they read under `target/`), so the
/// README's quick start and the examples in the docs stay true.
#[test]
fn every_example_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(root.join("target")).unwrap();
    let mut scripts = vec![root.join("examples/tour.flow")];
    let mut seeds: Vec<_> = std::fs::read_dir(root.join("examples/seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "flow"))
        .collect();
    seeds.sort();
    scripts.extend(seeds);
    for script in scripts {
        let output = Command::new(env!("CARGO_BIN_EXE_flow"))
            .arg("run")
            .arg(script.file_name().unwrap())
            .current_dir(script.parent().unwrap())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}:\n{}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn threads_beyond_the_bound_are_capped_with_a_warning() {
    // It used to start 100,000 threads, for minutes.
    let (code, stdout, stderr) = flow(
        &["run", "--threads", "100000"],
        "print(ones((1000,), chunks=10).sum())\n",
    );
    assert_eq!((code, stdout.trim()), (0, "1000.0"), "{stderr}");
    assert!(stderr.contains("flow::input::threads"), "{stderr}");
    assert!(
        stderr.contains("--threads 100000 is more than flow runs"),
        "{stderr}"
    );
    let (code, _, stderr) = flow(&["run", "--threads", "4"], "print(1)\n");
    assert_eq!(code, 0);
    assert!(!stderr.contains("flow::input::threads"), "{stderr}");
}

/// `--sandbox` confines a program before anything runs: a symlink out of the script's
/// directory is followed before it is judged; `-e` (and the REPL) are at home in the working
/// directory; a flag naming no directory is a usage error.
#[test]
fn the_sandbox_follows_links_and_refuses_before_running() {
    let root = std::env::temp_dir().join(format!("flow-cli-sandbox-{}", std::process::id()));
    let (home, secret) = (root.join("home"), root.join("secret"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&secret).unwrap();
    std::fs::write(secret.join("keys.csv"), "k,v\n1,2\n").unwrap();
    std::fs::write(home.join("mine.csv"), "k,v\n3,4\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(secret.join("keys.csv"), home.join("link.csv")).unwrap();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_flow"))
            .args(args)
            .current_dir(&home)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&[
        "--sandbox",
        "-e",
        "print(\"ran\"); read_csv(\"mine.csv\").rows()",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("ran") && stdout.contains("(3, 4)"),
        "{stdout}"
    );
    #[cfg(unix)]
    {
        let (code, stdout, stderr) = run(&[
            "--sandbox",
            "-e",
            "print(\"ran\"); read_csv(\"link.csv\").rows()",
        ]);
        assert_eq!(code, 1, "{stderr}");
        assert!(stdout.is_empty(), "nothing ran: {stdout}");
        assert!(
            stderr.contains("flow::check::permission_denied"),
            "{stderr}"
        );
        let (code, _, stderr) = run(&[
            "--allow-read",
            "../secret",
            "-e",
            "read_csv(\"link.csv\").rows()",
        ]);
        assert_eq!(code, 0, "{stderr}");
    }
    let (code, _, stderr) = run(&["--allow-write", "../nowhere", "-e", "1"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("flow::input::sandbox"), "{stderr}");
    let _ = std::fs::remove_dir_all(&root);
}

/// When the thread flow runs on (with its large stack) cannot be made — here the address space
/// is too small for its stack — the program runs on the main thread instead of failing.
#[cfg(unix)]
#[test]
fn a_thread_that_cannot_be_made_is_not_a_failure() {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_flow"));
    command.args(["-e", "print(1 + 1)"]);
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 300 << 20,
                rlim_max: 300 << 20,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "2\n");
}

/// `flow kernel install` writes where Jupyter looks (`$JUPYTER_DATA_DIR/kernels/flow`, a whole
/// kernelspec naming this binary), again over an old one; with no place to find (no HOME, and
/// the Jupyter and XDG variables empty) it is `flow::input::kernel_install` and writes nothing.
#[test]
fn kernel_install_writes_the_kernelspec_or_says_why_not() {
    let dir = std::env::temp_dir().join(format!("flow-kernel-install-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let install = |data_dir: &str| {
        Command::new(env!("CARGO_BIN_EXE_flow"))
            .args(["kernel", "install"])
            .current_dir(&dir)
            .env("JUPYTER_DATA_DIR", data_dir)
            .env("XDG_DATA_HOME", "")
            .env("HOME", "")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let data = dir.join("data");
    for _ in 0..2 {
        let output = install(data.to_str().unwrap());
        assert!(output.status.success(), "{output:?}");
    }
    let spec = std::fs::read_to_string(data.join("kernels/flow/kernel.json")).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    assert_eq!(spec["interrupt_mode"], "message");
    assert_eq!(spec["argv"][1], "kernel");
    let mut files: Vec<String> = std::fs::read_dir(data.join("kernels"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["flow"], "no staging directory is left behind");

    let output = install("");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("flow::input::kernel_install"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(
        left.len(),
        1,
        "only the data directory made above: {left:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
