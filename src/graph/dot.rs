//! DOT text of the high-level graph (one node per array or frame operation, like
//! `dask.visualize`'s high-level view) and of the task graph (one node per chunk or partition
//! task).

use super::TaskGraph;
use crate::array::node::ArrayOp;
use crate::array::node::{ArrayRef, Operand};
use crate::frame::plan::PlanRef;
use std::collections::HashSet;
use std::fmt::Write;

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The DOT text of named arrays and frames: one node per operation.
pub fn graph_text(outputs: &[(String, ArrayRef)], frames: &[(String, PlanRef)]) -> String {
    let mut text = array_graph(outputs);
    if !frames.is_empty() {
        // Frames drawn in the same digraph, after the arrays.
        text.truncate(text.trim_end().len() - 1);
        frame_graph_into(&mut text, frames);
        text.push_str("}\n");
    }
    text
}

/// One node per frame operation, with how many partitions its result has.
fn frame_graph_into(out: &mut String, outputs: &[(String, PlanRef)]) {
    let nodes = reachable(outputs, |n| n.id, |n| n.inputs());
    for node in &nodes {
        let partitions = node.partitions();
        let _ = writeln!(
            out,
            "  f{} [label=\"{}\\n{} partition{}\", style=rounded];",
            node.id,
            escape(&node.label),
            partitions,
            if partitions == 1 { "" } else { "s" }
        );
    }
    edges_and_names(out, "f", &nodes, outputs, |n| n.id, |n| n.inputs());
}

/// Every node reachable from the outputs, once each, in the order they were made.
fn reachable<T: Clone>(
    outputs: &[(String, T)],
    id: impl Fn(&T) -> u64,
    inputs: impl Fn(&T) -> Vec<T>,
) -> Vec<T> {
    let mut seen = HashSet::new();
    let mut stack: Vec<T> = outputs.iter().map(|(_, n)| n.clone()).collect();
    let mut nodes: Vec<T> = Vec::new();
    while let Some(node) = stack.pop() {
        if !seen.insert(id(&node)) {
            continue;
        }
        stack.extend(inputs(&node));
        nodes.push(node);
    }
    nodes.sort_by_key(|n| id(n));
    nodes
}

/// Edges from each node's inputs to it, and the outputs' names pointing at their nodes.
fn edges_and_names<T>(
    out: &mut String,
    prefix: &str,
    nodes: &[T],
    outputs: &[(String, T)],
    id: impl Fn(&T) -> u64,
    inputs: impl Fn(&T) -> Vec<T>,
) {
    for node in nodes {
        for input in inputs(node) {
            let _ = writeln!(out, "  {prefix}{} -> {prefix}{};", id(&input), id(node));
        }
    }
    for (name, node) in outputs {
        let _ = writeln!(
            out,
            "  \"{}\" [shape=plaintext];\n  {prefix}{} -> \"{}\";",
            escape(name),
            id(node),
            escape(name)
        );
    }
}

/// One node per operation, with its shape, dtype and chunks; edges from inputs to results.
pub fn array_graph(outputs: &[(String, ArrayRef)]) -> String {
    let mut out = String::from(
        "digraph flow {\n  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n",
    );
    let nodes = reachable(outputs, |n| n.id, |n| n.inputs());
    for node in &nodes {
        let shape: Vec<String> = node.shape.iter().map(usize::to_string).collect();
        let scalars = match &node.op {
            ArrayOp::Map { operands, .. } => operands
                .iter()
                .filter(|o| matches!(o, Operand::Scalar(_)))
                .count(),
            _ => 0,
        };
        let _ = writeln!(
            out,
            "  n{} [label=\"{}\\n{}[{}]\\nchunks {} · {} task{}{}\"];",
            node.id,
            escape(&node.label()),
            node.dtype,
            shape.join(", "),
            escape(&node.chunks.describe()),
            node.chunks.count(),
            if node.chunks.count() == 1 { "" } else { "s" },
            if scalars > 0 {
                format!(
                    "\\n{scalars} scalar operand{}",
                    if scalars == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        );
    }
    edges_and_names(&mut out, "n", &nodes, outputs, |n| n.id, |n| n.inputs());
    out.push_str("}\n");
    out
}

/// One node per task, labelled with its kind and operation.
pub fn task_graph(graph: &TaskGraph) -> String {
    let mut out = String::from(
        "digraph tasks {\n  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\", fontsize=9];\n",
    );
    tasks_into(&mut out, graph, "t");
    out.push_str("}\n");
    out
}

/// The tasks of `graph` as DOT nodes named `{prefix}{id}`, and their edges.
fn tasks_into(out: &mut String, graph: &TaskGraph, prefix: &str) {
    for (id, task) in graph.tasks.iter().enumerate() {
        let detail = match &task.kind {
            super::TaskKind::Map { kernel, .. } => format!("\\n{}", escape(&kernel.describe())),
            super::TaskKind::Partial {
                kernel, reduction, ..
            } if kernel.operator_count() > 0 => {
                format!("\\n{} of {}", reduction.name(), escape(&kernel.describe()))
            }
            super::TaskKind::Frame(work) => format!("\\n{}", escape(&work.describe())),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {prefix}{id} [label=\"{} #{id}\\n{}{}\"];",
            task.kind_name(),
            escape(&task.operation),
            detail
        );
    }
    for (id, task) in graph.tasks.iter().enumerate() {
        for input in &task.inputs {
            let _ = writeln!(out, "  {prefix}{input} -> {prefix}{id};");
        }
    }
}
