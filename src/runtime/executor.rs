//! The executor: runs a task graph on worker threads, each task as soon as its
//! inputs are ready. Ready tasks are taken in depth-first order from the outputs, so work that
//! lets memory be freed (finishing a reduction) comes before work that creates more; a result is
//! freed as soon as its last consumer has run. A panicking kernel becomes a runtime error naming
//! the source span of the operation; the process never aborts.

use crate::array::chunk::ChunkData;
use crate::graph::TaskKind;
use crate::graph::{TaskGraph, TaskId};
use crate::io::Handles;
use crate::kernels::output::TaskOutput;
use crate::source::Span;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

#[derive(Debug)]
pub struct RuntimeError {
    pub span: Span,
    pub message: String,
    pub cause: Cause,
}

/// Why a computation stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A bug inside a kernel.
    Kernel,
    /// The data made a kernel fail.
    Data,
    /// A file could not be read (damaged, truncated, or changed since it was checked).
    Read,
    /// Ctrl-C or a cancelled job, not a failure.
    Interrupted,
    /// The computation would need more tasks than fit in the memory limit.
    TooManyTasks,
}

thread_local! {
    static RUNNING_KERNEL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Is this thread inside a kernel, whose panics the executor catches and reports itself?
pub fn running_kernel() -> bool {
    RUNNING_KERNEL.with(|flag| flag.get())
}

#[derive(Clone, Debug, Default)]
pub struct Statistics {
    pub computations: usize,
    pub tasks: usize,
    /// Tasks the optimiser removed (fused into consumers, folded, culled).
    pub tasks_removed: usize,
    pub fused_operators: usize,
    pub bytes_produced: usize,
    pub peak_held_bytes: usize,
    pub lower_seconds: f64,
    pub optimise_seconds: f64,
    pub execute_seconds: f64,
}

impl Statistics {
    /// Add another computation's figures (peaks take the maximum).
    pub fn add(&mut self, other: &Statistics) {
        self.computations += other.computations;
        self.tasks += other.tasks;
        self.tasks_removed += other.tasks_removed;
        self.fused_operators += other.fused_operators;
        self.bytes_produced += other.bytes_produced;
        self.peak_held_bytes = self.peak_held_bytes.max(other.peak_held_bytes);
        self.lower_seconds += other.lower_seconds;
        self.optimise_seconds += other.optimise_seconds;
        self.execute_seconds += other.execute_seconds;
    }
}

pub struct Execution {
    /// For each output of the graph, what its tasks made (chunks in grid order, or partitions
    /// in order); nothing for a streamed output.
    pub outputs: Vec<Vec<Arc<TaskOutput>>>,
    pub statistics: Statistics,
}

impl Execution {
    /// The outputs, owned (copied only where a result is shared by two outputs).
    pub fn into_outputs(self) -> Vec<Vec<TaskOutput>> {
        self.outputs
            .into_iter()
            .map(|output| {
                output
                    .into_iter()
                    .map(|result| {
                        Arc::try_unwrap(result).unwrap_or_else(|shared| shared.duplicate())
                    })
                    .collect()
            })
            .collect()
    }
}

/// Priorities: the order of a depth-first walk from the outputs that visits a task after all
/// its inputs (post-order). Taking the smallest ready priority finishes subtrees first.
fn priorities(graph: &TaskGraph) -> Vec<u32> {
    let mut priority = vec![u32::MAX; graph.tasks.len()];
    let mut next = 0u32;
    let mut visited = vec![false; graph.tasks.len()];
    for &root in graph.outputs.iter().flatten() {
        let mut stack: Vec<(TaskId, usize)> = vec![(root, 0)];
        while let Some((task, child)) = stack.pop() {
            if child == 0 {
                if visited[task] {
                    continue;
                }
                visited[task] = true;
            }
            let inputs = &graph.tasks[task].inputs;
            if child < inputs.len() {
                stack.push((task, child + 1));
                if !visited[inputs[child]] {
                    stack.push((inputs[child], 0));
                }
            } else {
                priority[task] = next;
                next += 1;
            }
        }
    }
    priority
}

/// Tasks ready to run, smallest priority first, and how many are running.
#[derive(Default)]
struct Ready {
    /// Tasks that read nothing and produce new chunks (generators, reads).
    sources: BinaryHeap<Reverse<(u32, TaskId)>>,
    others: BinaryHeap<Reverse<(u32, TaskId)>>,
    running: usize,
}

struct Shared<'g> {
    graph: &'g TaskGraph,
    results: Vec<Mutex<Option<Arc<TaskOutput>>>>,
    waiting: Vec<AtomicUsize>,
    remaining_consumers: Vec<AtomicUsize>,
    dependents: Vec<Vec<TaskId>>,
    is_output: Vec<bool>,
    priority: Vec<u32>,
    ready: Mutex<Ready>,
    memory_limit: usize,
    wake: Condvar,
    finished: AtomicUsize,
    stop: AtomicBool,
    error: Mutex<Option<RuntimeError>>,
    held: AtomicUsize,
    peak: AtomicUsize,
    produced: AtomicUsize,
    progress: Option<&'g super::progress::Progress>,
    /// A job's own cancel flag.
    cancel: Option<&'g AtomicBool>,
    sink: Option<Sink<'g>>,
    /// For streamed outputs: which blocks of the output a task makes (several when the same
    /// values fill several blocks, as `tile` and `concatenate([a, a])` make them).
    block_of: Vec<Vec<usize>>,
    /// The files the tasks read and write, open.
    handles: Handles,
}

impl Shared<'_> {
    fn done(&self) -> bool {
        self.stop.load(Ordering::Acquire)
            || self.finished.load(Ordering::Acquire) == self.graph.tasks.len()
    }

    /// The next task to run: one whose inputs are computed if any; a task that produces new
    /// input (no inputs) only while the chunks held are under the memory limit, or when nothing
    /// else is running (so the computation always moves on).
    fn next_task(&self) -> Option<TaskId> {
        let mut ready = self.ready.lock().expect("ready queue");
        loop {
            if self.done() {
                return None;
            }
            if super::interrupted() || self.cancel.is_some_and(|c| c.load(Ordering::Acquire)) {
                let mut error = self.error.lock().expect("error slot");
                error.get_or_insert(RuntimeError {
                    span: Default::default(),
                    message: "interrupted".into(),
                    cause: Cause::Interrupted,
                });
                self.stop.store(true, Ordering::Release);
                self.wake.notify_all();
                return None;
            }
            if let Some(Reverse((_, task))) = ready.others.pop() {
                ready.running += 1;
                return Some(task);
            }
            let under_limit = self.held.load(Ordering::Relaxed) <= self.memory_limit;
            if !ready.sources.is_empty() && (under_limit || ready.running == 0) {
                let Reverse((_, task)) = ready.sources.pop().expect("not empty");
                ready.running += 1;
                return Some(task);
            }
            ready = self.wake.wait(ready).expect("ready queue");
        }
    }

    fn run(&self, id: TaskId) {
        let task = &self.graph.tasks[id];
        let held: Vec<Arc<TaskOutput>> = task
            .inputs
            .iter()
            .map(|&i| {
                self.results[i]
                    .lock()
                    .expect("result slot")
                    .clone()
                    .expect("inputs are ready")
            })
            .collect();
        let inputs: Vec<&TaskOutput> = held.iter().map(|i| &**i).collect();
        RUNNING_KERNEL.with(|flag| flag.set(true));
        let outcome = catch_unwind(AssertUnwindSafe(|| task.kind.run(&inputs, &self.handles)));
        RUNNING_KERNEL.with(|flag| flag.set(false));
        drop(inputs);
        drop(held);
        let output = match outcome {
            Ok(Ok(output)) => output,
            failed => {
                let (message, caused_by_data) = match failed {
                    Err(panic) => {
                        let data = panic
                            .downcast_ref::<crate::kernels::DataError>()
                            .map(|e| e.0.clone());
                        let caused_by_data = data.is_some();
                        let message = data
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "a kernel failed".into());
                        (message, caused_by_data)
                    }
                    Ok(Err(message)) => (message, true),
                    Ok(Ok(_)) => unreachable!("matched above"),
                };
                let mut error = self.error.lock().expect("error slot");
                let cause = match caused_by_data {
                    true if task.kind.reads_a_file() => Cause::Read,
                    true => Cause::Data,
                    false => Cause::Kernel,
                };
                error.get_or_insert(RuntimeError {
                    span: task.span,
                    message,
                    cause,
                });
                self.stop.store(true, Ordering::Release);
                self.wake.notify_all();
                return;
            }
        };
        let bytes = output.nbytes();
        self.produced.fetch_add(bytes, Ordering::Relaxed);
        let sunk = self.sink.map_or(Ok(()), |sink| {
            self.block_of[id]
                .iter()
                .try_for_each(|&block| sink(block, output.chunk()))
        });
        if let Err(message) = sunk {
            let mut error = self.error.lock().expect("error slot");
            error.get_or_insert(RuntimeError {
                span: task.span,
                message,
                cause: Cause::Data,
            });
            self.stop.store(true, Ordering::Release);
            self.wake.notify_all();
            return;
        }
        let kept = !(!self.block_of[id].is_empty()
            && self.remaining_consumers[id].load(Ordering::Acquire) == 0);
        if kept {
            let held = self.held.fetch_add(bytes, Ordering::Relaxed) + bytes;
            self.peak.fetch_max(held, Ordering::Relaxed);
            *self.results[id].lock().expect("result slot") = Some(Arc::new(output));
        }
        for &input in &task.inputs {
            if self.remaining_consumers[input].fetch_sub(1, Ordering::AcqRel) == 1
                && !self.is_output[input]
            {
                if let Some(freed) = self.results[input].lock().expect("result slot").take() {
                    self.held.fetch_sub(freed.nbytes(), Ordering::Relaxed);
                }
            }
        }
        let mut newly_ready = Vec::new();
        for &dependent in &self.dependents[id] {
            if self.waiting[dependent].fetch_sub(1, Ordering::AcqRel) == 1 {
                newly_ready.push(dependent);
            }
        }
        let all_done = self.finished.fetch_add(1, Ordering::AcqRel) + 1 == self.graph.tasks.len();
        if let Some(progress) = self.progress {
            progress.finished.fetch_add(1, Ordering::Relaxed);
        }
        let mut ready = self.ready.lock().expect("ready queue");
        ready.running -= 1;
        for task in &newly_ready {
            ready.others.push(Reverse((self.priority[*task], *task)));
        }
        let waiting_for_memory = !ready.sources.is_empty() && ready.others.is_empty();
        drop(ready);
        if all_done || newly_ready.len() > 1 || waiting_for_memory {
            self.wake.notify_all();
        } else if !newly_ready.is_empty() {
            self.wake.notify_one();
        }
    }

    fn work(&self) {
        while let Some(task) = self.next_task() {
            self.run(task);
        }
    }
}

/// Run `graph` on `threads` workers.
pub fn execute(
    graph: &TaskGraph,
    threads: usize,
    memory_limit: usize,
    progress: Option<&super::progress::Progress>,
    cancel: Option<&AtomicBool>,
) -> Result<Execution, RuntimeError> {
    execute_with_sink(graph, threads, memory_limit, progress, cancel, None)
}

/// Hands each chunk of the (single) output to a writer as soon as it is computed, instead of
/// keeping it: `save` streams an array this way, never holding it whole.
pub type Sink<'a> = &'a (dyn Fn(usize, &ChunkData) -> Result<(), String> + Sync);

pub fn execute_with_sink(
    graph: &TaskGraph,
    threads: usize,
    memory_limit: usize,
    progress: Option<&super::progress::Progress>,
    cancel: Option<&AtomicBool>,
    sink: Option<Sink>,
) -> Result<Execution, RuntimeError> {
    let count = graph.tasks.len();
    let mut dependents: Vec<Vec<TaskId>> = vec![Vec::new(); count];
    for (id, task) in graph.tasks.iter().enumerate() {
        for &input in &task.inputs {
            dependents[input].push(id);
        }
    }
    let priority = priorities(graph);
    let consumers = graph.consumer_counts();
    let mut ready = Ready::default();
    for (id, task) in graph.tasks.iter().enumerate() {
        if task.inputs.is_empty() {
            ready.sources.push(Reverse((priority[id], id)));
        }
    }
    let shared = Shared {
        graph,
        results: (0..count).map(|_| Mutex::new(None)).collect(),
        waiting: graph
            .tasks
            .iter()
            .map(|t| AtomicUsize::new(t.inputs.len()))
            .collect(),
        remaining_consumers: consumers.into_iter().map(AtomicUsize::new).collect(),
        dependents,
        // Streamed outputs are not kept: they go to the sink and are freed like any chunk.
        is_output: if sink.is_some() {
            vec![false; count]
        } else {
            graph.is_output()
        },
        block_of: {
            let mut block_of = vec![Vec::new(); count];
            if sink.is_some() {
                for (block, &task) in graph
                    .outputs
                    .first()
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                {
                    block_of[task].push(block);
                }
            }
            block_of
        },
        sink,
        handles: Handles::for_reads(graph.tasks.iter().filter_map(|t| match &t.kind {
            TaskKind::Read(block) => Some(&**block),
            _ => None,
        })),
        priority,
        ready: Mutex::new(ready),
        memory_limit,
        wake: Condvar::new(),
        finished: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        error: Mutex::new(None),
        held: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
        produced: AtomicUsize::new(0),
        progress,
        cancel,
    };
    if count > 0 {
        let workers = threads.max(1).min(count);
        if workers == 1 {
            shared.work();
        } else {
            // Plain threads, not jobs of a rayon pool: a task that waits on another pool (polars
            // runs frame partitions on its own) would let rayon start a second worker loop on
            // the waiting thread, under the task it has not finished — a deadlock.
            // A thread the system will not give (a process limit reached) is one fewer worker;
            // with none at all, this thread does the work.
            std::thread::scope(|scope| {
                let spawned = (0..workers)
                    .map_while(|_| {
                        std::thread::Builder::new()
                            .spawn_scoped(scope, || shared.work())
                            .ok()
                    })
                    .count();
                if spawned == 0 {
                    shared.work();
                }
            });
        }
    }
    if let Some(error) = shared.error.lock().expect("error slot").take() {
        return Err(error);
    }
    let kept_outputs: &[Vec<TaskId>] = if shared.sink.is_some() {
        &[]
    } else {
        &graph.outputs
    };
    let outputs: Vec<Vec<Arc<TaskOutput>>> = kept_outputs
        .iter()
        .map(|tasks| {
            tasks
                .iter()
                .map(|&t| {
                    shared.results[t]
                        .lock()
                        .expect("result slot")
                        .clone()
                        .expect("outputs are kept")
                })
                .collect()
        })
        .collect();
    // Only the outputs' results are held now: the rest were freed when their consumers ran.
    drop(shared.results);
    let fused_operators = graph
        .tasks
        .iter()
        .filter_map(|t| t.kind.kernel())
        .map(|kernel| kernel.operator_count())
        .sum();
    Ok(Execution {
        outputs,
        statistics: Statistics {
            computations: 1,
            tasks: count,
            fused_operators,
            bytes_produced: shared.produced.load(Ordering::Relaxed),
            peak_held_bytes: shared.peak.load(Ordering::Relaxed),
            ..Statistics::default()
        },
    })
}
