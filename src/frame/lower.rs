//! Lowering a frame plan to tasks of the task graph: one task per partition for the reading and
//! the row-wise steps fused into it, one combining task per aggregation or whole-frame step, and
//! a head task that reads partitions only until it has its rows. The executor then runs them
//! like array tasks (in parallel, results freed when used, within the memory limit).

use super::plan::{JoinStep, JoinStrategy, PlanOp, PlanRef, Step};
use super::task::{Appender, Base, FrameWork};
use crate::graph::{Task, TaskGraph, TaskId, TaskKind};
use crate::runtime::executor::{RuntimeError, Statistics};
use crate::runtime::ComputeOptions;
use polars::prelude::DataFrame;
use std::collections::HashMap;
use std::sync::Arc;

/// A partition on its way to becoming a task: where its rows start and the row-wise steps
/// that are to run over them, not yet given a task so later steps fuse into it.
#[derive(Clone)]
enum Pending {
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

struct Lowering<'g> {
    graph: &'g mut TaskGraph,
    lowered: HashMap<u64, Vec<Pending>>,
}

/// A task doing `work` for plan node `node`, named `operation` in graphs.
fn frame_task(work: FrameWork, inputs: Vec<TaskId>, node: &PlanRef, operation: &str) -> Task {
    Task {
        kind: TaskKind::Frame(work),
        inputs,
        span: node.span,
        operation: Arc::from(operation),
        node: node.id,
    }
}

/// The tasks computing `plans`: each plan's partitions are an output of the graph.
pub fn lower(plans: &[PlanRef]) -> TaskGraph {
    let mut graph = TaskGraph::default();
    let mut lowering = Lowering {
        graph: &mut graph,
        lowered: HashMap::new(),
    };
    let outputs: Vec<Vec<TaskId>> = plans.iter().map(|plan| lowering.tasks(plan)).collect();
    graph.outputs = outputs;
    graph
}

/// Add the tasks computing `plan` to `graph` (beside array tasks); its partitions' tasks.
pub fn lower_into(graph: &mut TaskGraph, plan: &PlanRef) -> Vec<TaskId> {
    Lowering {
        graph,
        lowered: HashMap::new(),
    }
    .tasks(plan)
}

impl Lowering<'_> {
    /// The tasks of the partitions of `plan`.
    fn tasks(&mut self, plan: &PlanRef) -> Vec<TaskId> {
        let pending = self.lower(plan);
        pending.into_iter().map(|p| self.task_of(p, plan)).collect()
    }

    fn add(&mut self, work: FrameWork, inputs: Vec<TaskId>, node: &PlanRef) -> TaskId {
        self.graph
            .add(frame_task(work, inputs, node, node.label.as_str()))
    }

    /// A partition made by a new task doing `work` (later steps go into a task after it).
    fn added(&mut self, work: FrameWork, inputs: Vec<TaskId>, node: &PlanRef) -> Pending {
        Pending::Task {
            task: self.add(work, inputs, node),
            steps: Vec::new(),
        }
    }

    /// The task computing a pending partition (its steps fused into the task).
    fn task_of(&mut self, pending: Pending, node: &PlanRef) -> TaskId {
        match pending {
            Pending::Start { base, steps } => {
                self.add(FrameWork::Start { base, steps }, vec![], node)
            }
            Pending::Task { task, steps } if steps.is_empty() => task,
            Pending::Task { task, steps } => {
                self.add(FrameWork::Combine { steps }, vec![task], node)
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
        self.added(FrameWork::Combine { steps }, inputs, node)
    }

    fn lower(&mut self, node: &PlanRef) -> Vec<Pending> {
        if let Some(done) = self.lowered.get(&node.id) {
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
                .lower(input)
                .into_iter()
                .map(|p| p.then(step.clone()))
                .collect(),
            PlanOp::Whole { input, step } => {
                let parts = self.lower(input);
                vec![self.combine(parts, vec![step.clone()], node)]
            }
            PlanOp::Aggregate {
                input,
                partial,
                combine,
            } => {
                let parts: Vec<Pending> = self
                    .lower(input)
                    .into_iter()
                    .map(|p| p.then(partial.clone()))
                    .collect();
                vec![self.combine(parts, vec![combine.clone()], node)]
            }
            PlanOp::Head { input, n } => {
                let parts = self.lower(input);
                let limit: Step = {
                    let n = *n as polars::prelude::IdxSize;
                    Arc::new(move |lf| lf.limit(n))
                };
                if parts.iter().all(|p| matches!(p, Pending::Start { .. })) && parts.len() > 1 {
                    // Read in order, each partition only if the ones before fell short.
                    let parts = parts
                        .into_iter()
                        .map(|p| match p {
                            Pending::Start { base, steps } => (base, steps),
                            Pending::Task { .. } => unreachable!("all start from a base"),
                        })
                        .collect();
                    vec![self.added(FrameWork::Head { parts, n: *n }, vec![], node)]
                } else {
                    let parts = parts.into_iter().map(|p| p.then(limit.clone())).collect();
                    vec![self.combine(parts, vec![limit], node)]
                }
            }
            PlanOp::Concat(inputs) => inputs.iter().flat_map(|i| self.lower(i)).collect(),
            PlanOp::Join {
                left,
                right,
                join,
                keys,
                full,
            } => {
                let (lefts, rights) = (self.lower(left), self.lower(right));
                self.join(lefts, rights, join, keys, *full, node)
            }
        };
        self.lowered.insert(node.id, pending.clone());
        pending
    }

    /// The partitions of a join, as [`JoinStrategy`] says: each left partition with the whole
    /// right side, or bucket k of every split left partition with that of every right one.
    fn join(
        &mut self,
        lefts: Vec<Pending>,
        rights: Vec<Pending>,
        join: &JoinStep,
        keys: &[(String, polars::prelude::DataType)],
        full: bool,
        node: &PlanRef,
    ) -> Vec<Pending> {
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
                        let work = FrameWork::Join { join: join.clone() };
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
                            let keys = keys.to_vec();
                            self.add(FrameWork::Split { keys, buckets }, vec![part], node)
                        })
                        .collect()
                };
                let (lefts, rights) = (split(lefts), split(rights));
                (0..buckets)
                    .map(|bucket| {
                        let work = FrameWork::BucketJoin {
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

type Computed<T> = Result<(T, Statistics), RuntimeError>;

/// Compute a plan: the rows of each of its partitions.
pub fn compute_partitions(plan: &PlanRef, options: ComputeOptions) -> Computed<Vec<DataFrame>> {
    let started = std::time::Instant::now();
    let graph = lower(std::slice::from_ref(plan));
    let lowered = started.elapsed().as_secs_f64();
    let mut execution = crate::runtime::execute_graph(&graph, &options, None)?;
    execution.statistics.lower_seconds = lowered;
    let parts = execution.frames.pop().unwrap_or_default();
    Ok((parts, execution.statistics))
}

/// Compute a plan, writing each partition to its own file in `directory` (`part.N.parquet` or
/// `.csv`) as soon as it is computed, keeping none: partitions are never held all at once.
pub fn write_partitions(
    plan: &PlanRef,
    directory: &std::path::Path,
    parquet: bool,
    options: ComputeOptions,
) -> Computed<()> {
    let extension = if parquet { "parquet" } else { "csv" };
    write(plan, options, |k, _| {
        let path = directory.join(format!("part.{k}.{extension}"));
        (Arc::new(Appender::new(path, parquet)), true)
    })
}

/// Compute a plan, appending each partition to one file at `path` in order as soon as it and
/// the partitions before it are computed: the frame is never held whole.
pub fn write_file(
    plan: &PlanRef,
    path: &std::path::Path,
    parquet: bool,
    options: ComputeOptions,
) -> Computed<()> {
    let file = Arc::new(Appender::new(path.to_path_buf(), parquet));
    write(plan, options, |k, count| (file.clone(), k + 1 == count))
}

/// Compute a plan with a write task after each partition: `file(k, count)` gives the file
/// partition `k` goes to and whether it is the file's last. Writes to one file run in order.
fn write(
    plan: &PlanRef,
    options: ComputeOptions,
    file: impl Fn(usize, usize) -> (Arc<Appender>, bool),
) -> Computed<()> {
    let mut graph = TaskGraph::default();
    let parts = lower_into(&mut graph, plan);
    let count = parts.len();
    let mut writes: Vec<TaskId> = Vec::new();
    let mut before: Option<(Arc<Appender>, TaskId)> = None;
    for (k, part) in parts.into_iter().enumerate() {
        let (file, last) = file(k, count);
        // A write waits for the write before it to the same file.
        let previous = before
            .as_ref()
            .filter(|(f, _)| Arc::ptr_eq(f, &file))
            .map(|(_, t)| *t);
        let inputs = std::iter::once(part).chain(previous).collect();
        let task = graph.add(frame_task(
            FrameWork::Write {
                file: file.clone(),
                last,
            },
            inputs,
            plan,
            "save",
        ));
        writes.push(task);
        before = Some((file, task));
    }
    graph.outputs.push(writes);
    let execution = crate::runtime::execute_graph(&graph, &options, None)?;
    Ok(((), execution.statistics))
}

/// Compute a plan: its partitions' rows, one after another.
pub fn compute(plan: &PlanRef, options: ComputeOptions) -> Computed<DataFrame> {
    let (parts, statistics) = compute_partitions(plan, options)?;
    let rows = stack(parts).map_err(|message| RuntimeError {
        span: plan.span,
        message,
        caused_by_data: true,
        read_failed: false,
        interrupted: false,
    })?;
    Ok((rows, statistics))
}

/// Rows of partitions one after another, as one frame.
fn stack(parts: Vec<DataFrame>) -> Result<DataFrame, String> {
    let mut parts = parts.into_iter();
    let Some(mut rows) = parts.next() else {
        return Err("a frame without partitions".into());
    };
    for part in parts {
        rows.vstack_mut_owned(part).map_err(|e| e.to_string())?;
    }
    Ok(rows)
}
