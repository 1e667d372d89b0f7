//! Saves never delete what flow did not write: a save onto a directory, or a partitioned save
//! onto a file, is refused before anything runs unless `overwrite=true`, and even then only a
//! directory a partitioned save made (its parts and its manifest, nothing else) is replaced.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn directory(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("saves")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, script: &str) -> Output {
    std::fs::write(dir.join("s.flow"), script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["run", "s.flow"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn refused(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("flow::check::destination"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing ran: {output:?}");
    stderr
}

const FRAME: &str = "df = frame({a: [1, 2, 3], b: [0.5, 1.5, 2.5]})\nprint(\"ran\")\n";

#[test]
fn a_directory_flow_did_not_write_is_never_written_over() {
    let dir = directory("foreign");
    std::fs::create_dir(dir.join("d.parquet")).unwrap();
    std::fs::write(dir.join("d.parquet/notes.txt"), "mine").unwrap();
    for save in [
        "save(df, \"d.parquet\")",
        "save(df, \"d.parquet\", overwrite=true)",
        "save(df, \"d.parquet\", partitioned=true, overwrite=true)",
        "save(ones((3,)), \"d.parquet\", format=\"h5\", overwrite=true)",
    ] {
        refused(&run(&dir, &format!("{FRAME}{save}\n")));
        assert_eq!(
            std::fs::read_to_string(dir.join("d.parquet/notes.txt")).unwrap(),
            "mine"
        );
    }
}

#[test]
fn a_partitioned_save_replaces_only_its_own_output_and_only_when_asked() {
    let dir = directory("own");
    let save = "save(df, \"parts.csv\", partitioned=true";
    let output = run(&dir, &format!("{FRAME}{save})\n"));
    assert!(output.status.success(), "{output:?}");
    assert!(dir.join("parts.csv/.flow-parts").is_file());
    // Again, without overwrite=true: refused; with it: replaced.
    refused(&run(&dir, &format!("{FRAME}{save})\n")));
    let output = run(
        &dir,
        &format!("{FRAME}{save}, overwrite=true)\nprint(len(read_csv(\"parts.csv\")))\n"),
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ran\n3\n");
    // A file put in it since makes it no longer flow's own: never replaced.
    std::fs::write(dir.join("parts.csv/added.txt"), "mine").unwrap();
    refused(&run(&dir, &format!("{FRAME}{save}, overwrite=true)\n")));
    assert!(dir.join("parts.csv/added.txt").is_file());
    // A single file may replace flow's own directory, when asked.
    std::fs::remove_file(dir.join("parts.csv/added.txt")).unwrap();
    let output = run(
        &dir,
        &format!("{FRAME}save(df, \"parts.csv\", overwrite=true)\n"),
    );
    assert!(output.status.success(), "{output:?}");
    assert!(dir.join("parts.csv").is_file());
}

#[test]
fn a_partitioned_save_onto_a_file_needs_overwrite() {
    let dir = directory("file");
    std::fs::write(dir.join("out.parquet"), "not yet parquet").unwrap();
    refused(&run(
        &dir,
        &format!("{FRAME}save(df, \"out.parquet\", partitioned=true)\n"),
    ));
    assert_eq!(
        std::fs::read_to_string(dir.join("out.parquet")).unwrap(),
        "not yet parquet"
    );
    let output = run(
        &dir,
        &format!("{FRAME}save(df, \"out.parquet\", partitioned=true, overwrite=true)\n"),
    );
    assert!(output.status.success(), "{output:?}");
    assert!(dir.join("out.parquet/part.0.parquet").is_file());
    // Nothing of the old file or of the temporary names stays behind.
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}
