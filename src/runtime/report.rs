//! What a computation would be, before anything runs: its graphs (DOT, and the task graph as
//! JSON, as it would be shipped) and `flow explain`'s report — per operation its shape, chunks,
//! task count and bytes; for the whole, the tasks after optimisation, an estimate of peak memory
//! and of scheduler overhead; and the chunk-size advice of the Dask docs (seed 004) as warnings:
//! chunks under 1 MiB make the per-task overhead dominate, chunks over 1 GiB make memory the
//! limit. All of them plan through the one pipeline (`super::plan`).

use crate::array::build::shape_text;
use crate::array::node::{ArrayNode, ArrayOp, ArrayRef};
use crate::diagnostic::Diagnostic;
use crate::frame::plan::PlanRef;
use crate::graph::lower::Request;
use crate::key::Key;
use crate::text::human_bytes;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The requests computing named arrays and frames.
fn requests(arrays: &[(String, ArrayRef)], frames: &[(String, PlanRef)]) -> Vec<Request> {
    let arrays = arrays.iter().map(|(_, a)| Request::Array(a.clone()));
    let frames = frames.iter().map(|(_, p)| Request::Frame(p.clone()));
    arrays.chain(frames).collect()
}

/// Plan `requests` for a report: a diagnostic when they need more tasks than `memory_limit`
/// allows.
fn planned(
    requests: &[Request],
    memory_limit: usize,
    inspect: Option<&mut dyn FnMut(&crate::graph::TaskGraph)>,
) -> Result<super::Planned, Diagnostic> {
    let budget = super::task_budget(memory_limit);
    super::plan(requests, &HashMap::new(), budget, inspect).map_err(|error| {
        super::too_many_tasks(
            "flow::eval::too_many_tasks",
            super::too_many_tasks_message(&error, memory_limit),
            error.span,
        )
        .in_phase(crate::diagnostic::Phase::Runtime)
    })
}

/// DOT text: the operations of named arrays and frames, or with `tasks` the optimised tasks
/// that would compute them (as many as `memory_limit` allows).
pub fn dot(
    arrays: &[(String, ArrayRef)],
    frames: &[(String, PlanRef)],
    tasks: bool,
    memory_limit: usize,
) -> Result<String, Diagnostic> {
    Ok(match tasks {
        true => {
            let planned = planned(&requests(arrays, frames), memory_limit, None)?;
            crate::graph::dot::task_graph(&planned.graph)
        }
        false => crate::graph::dot::graph_text(arrays, frames),
    })
}

/// The optimised task graph computing named arrays and frames, as JSON (see `graph::codec`).
pub fn json(
    arrays: &[(String, ArrayRef)],
    frames: &[(String, PlanRef)],
    memory_limit: usize,
) -> Result<String, Diagnostic> {
    let planned = planned(&requests(arrays, frames), memory_limit, None)?;
    Ok(crate::graph::codec::to_json(&planned.graph))
}

const SMALL_CHUNK: usize = 1 << 20;
const LARGE_CHUNK: usize = 1 << 30;
/// The executor's cost per task: whole-process W9b (100,000 chunk tasks) takes ~2 µs per task;
/// `execute_tasks` in `benches/runtime.rs` measures the scheduling alone at ~0.65 µs.
const SECONDS_PER_TASK: f64 = 2e-6;

pub struct Explanation {
    pub text: String,
    pub warnings: Vec<Diagnostic>,
}

fn chunk_bytes(node: &ArrayNode) -> usize {
    node.chunks.largest_chunk() * node.dtype.itemsize()
}

/// Operations that bring data in (creation, reading): where chunk sizes are chosen.
fn makes_chunks(node: &ArrayNode) -> bool {
    matches!(
        node.op,
        ArrayOp::Full(_)
            | ArrayOp::Arange { .. }
            | ArrayOp::Random { .. }
            | ArrayOp::Data(_)
            | ArrayOp::FromDelayed(_)
            | ArrayOp::FrameColumn { .. }
            | ArrayOp::Read(_)
            | ArrayOp::Rechunk { .. }
    )
}

/// Explain computing `arrays` (in as many tasks as `memory_limit` allows); `bound` names the intermediate
/// arrays the script binds.
pub fn explain(
    arrays: &[(String, ArrayRef)],
    bound: &[(String, ArrayRef)],
    threads: usize,
    memory_limit: usize,
) -> Result<Explanation, Diagnostic> {
    let mut nodes: Vec<ArrayRef> = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<ArrayRef> = arrays.iter().map(|(_, a)| a.clone()).collect();
    while let Some(node) = stack.pop() {
        if seen.insert(node.id) {
            stack.extend(node.inputs());
            nodes.push(node);
        }
    }
    nodes.sort_by_key(|n| n.id);
    let outputs: Vec<ArrayRef> = arrays.iter().map(|(_, a)| a.clone()).collect();
    let mut tasks_per_node: HashMap<Key, usize> = HashMap::new();
    let planned = planned(
        &requests(arrays, &[]),
        memory_limit,
        Some(&mut |lowered| {
            for task in &lowered.tasks {
                *tasks_per_node.entry(task.node).or_default() += 1;
            }
        }),
    )?;
    let (lowered_count, optimised) = (planned.lowered_tasks, planned.graph);

    let mut text = String::new();
    let names: HashMap<u64, &str> = bound
        .iter()
        .chain(arrays)
        .map(|(n, a)| (a.id, n.as_str()))
        .collect();
    let _ = writeln!(
        text,
        "{:<14} {:<10} {:<20} {:<5} {:<16} {:>10} {:>7} {:>9}",
        "operation", "name", "shape", "dtype", "chunks", "chunk", "tasks", "bytes"
    );
    for node in &nodes {
        let _ = writeln!(
            text,
            "{:<14} {:<10} {:<20} {:<5} {:<16} {:>10} {:>7} {:>9}",
            node.label(),
            names.get(&node.id).copied().unwrap_or(""),
            shape_text(&node.shape),
            node.dtype.name(),
            node.chunks.describe(),
            human_bytes(chunk_bytes(node)),
            tasks_per_node
                .get(&node.content_key())
                .copied()
                .unwrap_or(0),
            human_bytes(node.nbytes()),
        );
    }
    // The largest chunk any remaining task works on (a fused reduction evaluates its chunk too).
    let largest_live = optimised
        .tasks
        .iter()
        .map(|t| t.kind.working_bytes())
        .max()
        .unwrap_or(0);
    let results: usize = outputs.iter().map(|a| a.nbytes()).sum();
    let peak = threads * 2 * largest_live + results;
    let _ = writeln!(
        text,
        "\n{lowered_count} tasks lowered, {} after optimisation (fusion, constant folding, culling)",
        optimised.tasks.len()
    );
    let _ = writeln!(
        text,
        "peak memory ≈ {} ({threads} thread{} × 2 chunks of up to {} + {} of results)",
        human_bytes(peak),
        if threads == 1 { "" } else { "s" },
        human_bytes(largest_live),
        human_bytes(results)
    );
    let _ = writeln!(
        text,
        "scheduler overhead ≈ {:.1} ms ({} tasks × {} µs)",
        optimised.tasks.len() as f64 * SECONDS_PER_TASK * 1e3,
        optimised.tasks.len(),
        SECONDS_PER_TASK * 1e6
    );

    let mut warnings = Vec::new();
    for node in nodes.iter().filter(|n| makes_chunks(n)) {
        let bytes = chunk_bytes(node);
        if bytes < SMALL_CHUNK && node.chunks.count() > 1 {
            warnings.push(
                Diagnostic::warning(
                    "flow::explain::small_chunks",
                    format!("chunks of `{}` are {}: {} tasks where few would do", node.label(), human_bytes(bytes), node.chunks.count()),
                    node.span,
                )
                .with_label(format!("chunks {}", node.chunks.describe()))
                .with_help("chunks of 1 MiB to 1 GiB keep the per-task overhead small; try larger chunks or chunks=\"auto\""),
            );
        } else if bytes > LARGE_CHUNK {
            warnings.push(
                Diagnostic::warning(
                    "flow::explain::large_chunks",
                    format!("chunks of `{}` are {}: each of the {threads} workers holds at least one", node.label(), human_bytes(bytes)),
                    node.span,
                )
                .with_label(format!("chunks {}", node.chunks.describe()))
                .with_help("chunks over 1 GiB make memory the limit; use smaller chunks or chunks=\"auto\" (64 MiB)"),
            );
        }
    }
    Ok(Explanation { text, warnings })
}
