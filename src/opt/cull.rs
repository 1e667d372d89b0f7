//! Cull: keep only the tasks the outputs need (slicing one chunk of a huge array computes one
//! chunk), renumbered densely in their original (topological) order.

use crate::graph::{TaskGraph, TaskId};

pub fn cull(mut graph: TaskGraph) -> TaskGraph {
    let mut needed = vec![false; graph.tasks.len()];
    let mut stack: Vec<TaskId> = graph.outputs.iter().flatten().copied().collect();
    while let Some(task) = stack.pop() {
        if std::mem::replace(&mut needed[task], true) {
            continue;
        }
        stack.extend(graph.tasks[task].inputs.iter().copied());
    }
    let mut new_id = vec![usize::MAX; graph.tasks.len()];
    let mut next = 0;
    for (id, keep) in needed.iter().enumerate() {
        if *keep {
            new_id[id] = next;
            next += 1;
        }
    }
    // Compact in place (no second copy of the arena), then renumber the inputs.
    let mut position = 0;
    graph.tasks.retain(|_| {
        position += 1;
        needed[position - 1]
    });
    for task in &mut graph.tasks {
        for input in &mut task.inputs {
            *input = new_id[*input];
        }
    }
    let tasks = graph.tasks;
    let outputs = graph
        .outputs
        .into_iter()
        .map(|o| o.into_iter().map(|t| new_id[t]).collect())
        .collect();
    TaskGraph { tasks, outputs }
}
