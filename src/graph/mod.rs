//! The task graph: per-chunk and per-partition tasks in an arena addressed by index. Every task
//! is data — its kind says what to do with plain parameters (no open files, no closures), so a
//! graph can be written out (`codec.rs`), run in another process, and keyed by content (`Key`).
//! Each task also knows, for this process only, the source span and operation that made it.
//! Lowering (`lower.rs`, `lower_frame.rs`) builds graphs from arrays and frame plans; `dot.rs`
//! draws both levels.

pub mod codec;
pub mod dot;
pub mod lower;
pub mod lower_frame;
pub mod task;

use crate::key::{Key, KeyBuilder};
use crate::source::Span;
use std::sync::Arc;
pub use task::TaskKind;

pub type TaskId = usize;

pub struct Task {
    pub kind: TaskKind,
    pub inputs: Vec<TaskId>,
    /// The source of the operation that made this task (runtime errors point here).
    pub span: Span,
    /// The high-level operation, for graphs and statistics.
    pub operation: Arc<str>,
    /// The content key of the array or frame node it was lowered from.
    pub node: Key,
}

impl Task {
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }
}

#[derive(Default)]
pub struct TaskGraph {
    /// In topological order: a task's inputs come before it.
    pub tasks: Vec<Task>,
    /// For each requested value: the tasks of its chunks (in row-major grid order) or
    /// partitions.
    pub outputs: Vec<Vec<TaskId>>,
}

impl TaskGraph {
    pub fn add(&mut self, task: Task) -> TaskId {
        self.tasks.push(task);
        self.tasks.len() - 1
    }

    /// How many tasks read each task's result (an input listed twice counts twice).
    pub fn consumer_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.tasks.len()];
        for task in &self.tasks {
            for &input in &task.inputs {
                counts[input] += 1;
            }
        }
        counts
    }

    pub fn is_output(&self) -> Vec<bool> {
        let mut flags = vec![false; self.tasks.len()];
        for output in &self.outputs {
            for &task in output {
                flags[task] = true;
            }
        }
        flags
    }

    /// Every task's content key: a hash of its kind, its parameters and its inputs' keys (see
    /// `crate::key`). Computed when the graph leaves the process (shipping, JSON), not to run it
    /// here.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = Vec::with_capacity(self.tasks.len());
        for task in &self.tasks {
            let mut key = KeyBuilder::new(task.kind.name());
            task.kind.key_material(&mut key);
            for &input in &task.inputs {
                key.key(keys[input]);
            }
            keys.push(key.finish());
        }
        keys
    }
}
