//! Task graphs as data: `flow graph --tasks --json` prints the optimised graph as it would be
//! shipped, and its keys name content — the same in every run, unchanged by unrelated
//! statements, equal for equal work — and the JSON reads back as the same graph.

use std::path::PathBuf;
use std::process::Command;

/// The task graph JSON of a script (written to a temporary file).
fn graph_json(name: &str, script: &str) -> serde_json::Value {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tasks");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.flow"));
    std::fs::write(&file, script).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["graph", "--tasks", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the output is JSON")
}

fn outputs(graph: &serde_json::Value) -> Vec<Vec<String>> {
    serde_json::from_value(graph["outputs"].clone()).unwrap()
}

fn keys(graph: &serde_json::Value) -> Vec<String> {
    graph["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_string())
        .collect()
}

const SCRIPT: &str = "x = random.normal(size=(1000, 40), chunks=(100, 40), seed=3)\n\
                      y = (cos(x) ** 2).mean(axis=0)\n";

#[test]
fn keys_are_the_same_in_every_run() {
    let first = graph_json("run_1", SCRIPT);
    let second = graph_json("run_2", SCRIPT);
    assert_eq!(first, second);
    assert!(keys(&first).len() > 10, "{first}");
}

#[test]
fn an_unrelated_statement_leaves_the_keys_unchanged() {
    let plain = graph_json("plain", SCRIPT);
    // Another binding, other names and lines above: the mean is the same work.
    let edited = graph_json(
        "edited",
        "note = \"unrelated\"\nz = ones((3,))\n\n\
         data = random.normal(size=(1000, 40), chunks=(100, 40), seed=3)\n\
         result = (cos(data) ** 2).mean(axis=0)\n",
    );
    let mean = &outputs(&plain)[1];
    assert!(
        outputs(&edited).contains(mean),
        "{mean:?} not among {:?}",
        outputs(&edited)
    );
    // A different seed is different work.
    let other = graph_json("other", &SCRIPT.replace("seed=3", "seed=4"));
    assert!(!outputs(&other).contains(mean));
}

#[test]
fn equal_work_shares_keys() {
    let graph = graph_json(
        "twice",
        "x = ones((100,), chunks=10)\na = (x * 2).sum()\nb = (x * 2).sum()\n",
    );
    let outputs = outputs(&graph);
    let (a, b) = (&outputs[1], &outputs[2]);
    assert_eq!(a, b, "the same sum written twice has the same key");
    let keys = keys(&graph);
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "each task is written once");
}

#[test]
fn every_task_names_its_inputs_before_it() {
    let graph = graph_json(
        "order",
        "x = arange(20, chunks=5)\ny = (x[::-1] + x).rechunk(10).sum()\n",
    );
    let mut seen = std::collections::HashSet::new();
    for task in graph["tasks"].as_array().unwrap() {
        for input in task["inputs"].as_array().unwrap() {
            assert!(seen.contains(input.as_str().unwrap()), "{task}");
        }
        seen.insert(task["key"].as_str().unwrap().to_string());
    }
}
