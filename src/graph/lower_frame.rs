//! Lowering a frame plan to tasks of the task graph: one task per partition for the reading and
//! the row-wise steps fused into it, one combining task per aggregation or whole-frame step, a
//! head task that reads partitions only until it has its rows, and write tasks appending
//! partitions to files in order. The executor then runs them like array tasks (in parallel,
//! results freed when used, within the memory limit).

use super::lower::Lowering;
use super::{Task, TaskId, TaskKind};
use crate::frame::plan::{JoinStrategy, PlanOp, PlanRef};
use crate::frame::step::{JoinSpec, Step};
use crate::io::frame_write::{FileSink, TableFormat};
use crate::kernels::frame::{Base, FrameTask};
use std::path::Path;
use std::sync::Arc;

/// A partition on its way to becoming a task: where its rows start and the row-wise steps
/// that are to run over them, not yet given a task so later steps fuse into it.
#[derive(Clone)]
pub(super) enum Pending {
    Start { base: Base, steps: Vec<Step> },
    Task { task: TaskId, steps: Vec<Step> },
}

impl Pending {
    fn then(mut self, step: Step) -> Pending {
        match &mut self {
            Pending::Start { steps, .. } | Pending::Task { steps, .. } => steps.push(step),
        }
        self
    }
}

/// A task doing `work` for plan node `node`, named `operation` in graphs.
fn frame_task(work: FrameTask, inputs: Vec<TaskId>, node: &PlanRef, operation: &str) -> Task {
    Task {
        kind: TaskKind::Frame(work),
        inputs,
        span: node.span,
        operation: Arc::from(operation),
        node: node.content_key(),
    }
}

impl Lowering<'_> {
    /// The tasks of the partitions of `plan`.
    pub(super) fn partitions(&mut self, plan: &PlanRef) -> Vec<TaskId> {
        let pending = self.lower_plan(plan);
        pending.into_iter().map(|p| self.task_of(p, plan)).collect()
    }

    /// The tasks writing `plan`'s partitions as they are computed: each appended to the one
    /// file at `path` in order (a write waits for the write before it), or each to a file of its
    /// own in the directory `path` (`part.N.ext`).
    pub(super) fn writes(
        &mut self,
        plan: &PlanRef,
        path: &Path,
        format: TableFormat,
        partitioned: bool,
    ) -> Vec<TaskId> {
        let parts = self.partitions(plan);
        let count = parts.len();
        let mut writes: Vec<TaskId> = Vec::with_capacity(count);
        for (k, part) in parts.into_iter().enumerate() {
            let (sink, last, previous) = match partitioned {
                true => {
                    let file = path.join(format!("part.{k}.{}", format.extension()));
                    (file, true, None)
                }
                false => (path.to_path_buf(), k + 1 == count, writes.last().copied()),
            };
            let work = FrameTask::Write {
                sink: FileSink { path: sink, format },
                last,
            };
            let inputs = std::iter::once(part).chain(previous).collect();
            writes.push(self.graph.add(frame_task(work, inputs, plan, "save")));
        }
        writes
    }

    fn add(&mut self, work: FrameTask, inputs: Vec<TaskId>, node: &PlanRef) -> TaskId {
        self.graph
            .add(frame_task(work, inputs, node, node.label.as_str()))
    }

    /// A partition made by a new task doing `work` (later steps go into a task after it).
    fn added(&mut self, work: FrameTask, inputs: Vec<TaskId>, node: &PlanRef) -> Pending {
        Pending::Task {
            task: self.add(work, inputs, node),
            steps: Vec::new(),
        }
    }

    /// The task computing a pending partition (its steps fused into the task).
    fn task_of(&mut self, pending: Pending, node: &PlanRef) -> TaskId {
        match pending {
            Pending::Start { base, steps } => {
                self.add(FrameTask::Start { base, steps }, vec![], node)
            }
            Pending::Task { task, steps } if steps.is_empty() => task,
            Pending::Task { task, steps } => {
                self.add(FrameTask::Combine { steps }, vec![task], node)
            }
        }
    }

    /// One task over all of `pending` (their rows one after another), then `steps`.
    fn combine(&mut self, pending: Vec<Pending>, steps: Vec<Step>, node: &PlanRef) -> Pending {
        if pending.len() == 1 {
            let mut only = pending.into_iter().next().expect("one");
            for step in steps {
                only = only.then(step);
            }
            return only;
        }
        let inputs = pending.into_iter().map(|p| self.task_of(p, node)).collect();
        self.added(FrameTask::Combine { steps }, inputs, node)
    }

    fn lower_plan(&mut self, node: &PlanRef) -> Vec<Pending> {
        let key = node.content_key();
        if let Some(done) = self.frames.get(&key) {
            return done.clone();
        }
        let pending = match &node.op {
            PlanOp::Scan(parts) => parts
                .iter()
                .map(|p| Pending::Start {
                    base: Base::Read(p.clone()),
                    steps: Vec::new(),
                })
                .collect(),
            PlanOp::Rows(rows) => vec![Pending::Start {
                base: Base::Rows(rows.clone()),
                steps: Vec::new(),
            }],
            PlanOp::Each { input, step } => self
                .lower_plan(input)
                .into_iter()
                .map(|p| p.then(step.clone()))
                .collect(),
            PlanOp::Whole { input, step } => {
                let parts = self.lower_plan(input);
                vec![self.combine(parts, vec![step.clone()], node)]
            }
            PlanOp::Aggregate {
                input,
                partial,
                combine,
            } => {
                let parts: Vec<Pending> = self
                    .lower_plan(input)
                    .into_iter()
                    .map(|p| p.then(partial.clone()))
                    .collect();
                vec![self.combine(parts, vec![combine.clone()], node)]
            }
            PlanOp::Head { input, n } => {
                let parts = self.lower_plan(input);
                let limit = Step::Limit(*n);
                if parts.iter().all(|p| matches!(p, Pending::Start { .. })) && parts.len() > 1 {
                    // Read in order, each partition only if the ones before fell short.
                    let parts = parts
                        .into_iter()
                        .map(|p| match p {
                            Pending::Start { base, steps } => (base, steps),
                            Pending::Task { .. } => unreachable!("all start from a base"),
                        })
                        .collect();
                    vec![self.added(FrameTask::Head { parts, n: *n }, vec![], node)]
                } else {
                    let parts = parts.into_iter().map(|p| p.then(limit.clone())).collect();
                    vec![self.combine(parts, vec![limit], node)]
                }
            }
            PlanOp::Concat(inputs) => inputs.iter().flat_map(|i| self.lower_plan(i)).collect(),
            PlanOp::Join { left, right, join } => {
                let (lefts, rights) = (self.lower_plan(left), self.lower_plan(right));
                self.join(lefts, rights, join, node)
            }
        };
        self.frames.insert(key, pending.clone());
        pending
    }

    /// The partitions of a join, as [`JoinStrategy`] says: each left partition with the whole
    /// right side, or bucket k of every split left partition with that of every right one.
    fn join(
        &mut self,
        lefts: Vec<Pending>,
        rights: Vec<Pending>,
        join: &JoinSpec,
        node: &PlanRef,
    ) -> Vec<Pending> {
        let full = join.is_full();
        match JoinStrategy::of(lefts.len(), rights.len(), full) {
            JoinStrategy::Broadcast => {
                let right = self.combine(rights, Vec::new(), node);
                let right = self.task_of(right, node);
                let lefts = match full {
                    true => vec![self.combine(lefts, Vec::new(), node)],
                    false => lefts,
                };
                lefts
                    .into_iter()
                    .map(|l| {
                        let l = self.task_of(l, node);
                        let work = FrameTask::Join { join: join.clone() };
                        self.added(work, vec![l, right], node)
                    })
                    .collect()
            }
            JoinStrategy::Buckets(buckets) => {
                let mut split = |parts: Vec<Pending>| -> Vec<TaskId> {
                    parts
                        .into_iter()
                        .map(|p| {
                            let part = self.task_of(p, node);
                            let keys = join.hashed.clone();
                            self.add(FrameTask::Split { keys, buckets }, vec![part], node)
                        })
                        .collect()
                };
                let (lefts, rights) = (split(lefts), split(rights));
                (0..buckets)
                    .map(|bucket| {
                        let work = FrameTask::BucketJoin {
                            join: join.clone(),
                            bucket: bucket as u32,
                            left: lefts.len(),
                        };
                        let inputs = lefts.iter().chain(&rights).copied().collect();
                        self.added(work, inputs, node)
                    })
                    .collect()
            }
        }
    }
}
