//! DOT text of the high-level graph (one node per array operation, like `dask.visualize`'s
//! high-level view) and of the task graph (one node per chunk task).

use super::TaskGraph;
use crate::array::node::ArrayOp;
use crate::array::node::{ArrayRef, Operand};
use std::collections::HashSet;
use std::fmt::Write;

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The DOT text of named arrays: their operations, or with `tasks` the optimised chunk tasks
/// that would compute them.
pub fn graph_text(outputs: &[(String, ArrayRef)], tasks: bool) -> String {
    if tasks {
        let nodes: Vec<ArrayRef> = outputs.iter().map(|(_, a)| a.clone()).collect();
        task_graph(&crate::opt::optimise(crate::graph::lower::lower(&nodes)))
    } else {
        array_graph(outputs)
    }
}

/// One node per operation, with its shape, dtype and chunks; edges from inputs to results.
pub fn array_graph(outputs: &[(String, ArrayRef)]) -> String {
    let mut out = String::from(
        "digraph flow {\n  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n",
    );
    let mut seen = HashSet::new();
    let mut stack: Vec<ArrayRef> = outputs.iter().map(|(_, a)| a.clone()).collect();
    let mut nodes: Vec<ArrayRef> = Vec::new();
    while let Some(node) = stack.pop() {
        if !seen.insert(node.id) {
            continue;
        }
        stack.extend(node.inputs());
        nodes.push(node);
    }
    nodes.sort_by_key(|n| n.id);
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
    for node in &nodes {
        for input in node.inputs() {
            let _ = writeln!(out, "  n{} -> n{};", input.id, node.id);
        }
    }
    for (name, node) in outputs {
        let _ = writeln!(
            out,
            "  \"{}\" [shape=plaintext];\n  n{} -> \"{}\";",
            escape(name),
            node.id,
            escape(name)
        );
    }
    out.push_str("}\n");
    out
}

/// One node per task, labelled with its kind and operation.
pub fn task_graph(graph: &TaskGraph) -> String {
    let mut out = String::from(
        "digraph tasks {\n  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (id, task) in graph.tasks.iter().enumerate() {
        let detail = match &task.kind {
            super::TaskKind::Map { kernel, .. } => format!("\\n{}", escape(&kernel.describe())),
            super::TaskKind::Partial {
                kernel, reduction, ..
            } if kernel.operator_count() > 0 => {
                format!("\\n{} of {}", reduction.name(), escape(&kernel.describe()))
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  t{id} [label=\"{} #{id}\\n{}{}\"];",
            task.kind_name(),
            escape(&task.operation),
            detail
        );
    }
    for (id, task) in graph.tasks.iter().enumerate() {
        for input in &task.inputs {
            let _ = writeln!(out, "  t{input} -> t{id};");
        }
    }
    out.push_str("}\n");
    out
}
