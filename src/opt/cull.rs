//! Cull: keep only the tasks the outputs need (slicing one chunk of a huge array computes one
//! chunk), renumbered densely in their original (topological) order.

use crate::graph::{TaskGraph, TaskId};

pub fn cull(graph: TaskGraph) -> TaskGraph {
    let mut needed = vec![false; graph.tasks.len()];
    let mut stack: Vec<TaskId> = graph.outputs.iter().flatten().copied().collect();
    while let Some(task) = stack.pop() {
        if std::mem::replace(&mut needed[task], true) {
            continue;
        }
        stack.extend(graph.tasks[task].inputs.iter().copied());
    }
    let mut new_id = vec![usize::MAX; graph.tasks.len()];
    let mut tasks = Vec::with_capacity(needed.iter().filter(|&&n| n).count());
    for (id, task) in graph.tasks.into_iter().enumerate() {
        if needed[id] {
            new_id[id] = tasks.len();
            let mut task = task;
            for input in &mut task.inputs {
                *input = new_id[*input];
            }
            tasks.push(task);
        }
    }
    let outputs = graph
        .outputs
        .into_iter()
        .map(|o| o.into_iter().map(|t| new_id[t]).collect())
        .collect();
    TaskGraph { tasks, outputs }
}
