//! Running computations: the pipeline's last stages (lower → optimise → execute, in [`plan`],
//! [`execute`] and [`run`], which every computation goes through), the seam where a task graph
//! is handed to a [`Backend`] — today the local threaded executor — and what computing arrays
//! and frames gives back.

pub mod backend;
pub mod executor;
pub mod progress;
pub mod report;

use crate::array::chunk::ChunkData;
use crate::array::node::{ArrayNode, ArrayOp, ArrayRef, Stored};
use crate::frame::plan::PlanRef;
use crate::graph::lower::{Request, TooManyTasks};
use crate::graph::TaskGraph;
use crate::io::frame_write::TableFormat;
use crate::kernels::output::TaskOutput;
pub use backend::{Backend, LocalThreads};
use executor::{Cause, Execution, RuntimeError, Sink, Statistics};
use polars::prelude::DataFrame;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Set by Ctrl-C in the REPL or a signal: running computations stop at the next task.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What ended the program, when a signal that ends it stopped the computation.
static ENDING: std::sync::Mutex<Option<&'static str>> = std::sync::Mutex::new(None);

pub fn interrupt() {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::Release);
}

/// Stop running computations because the program is ending on `signal` (its name).
pub fn interrupt_to_end(signal: &'static str) {
    *ENDING.lock().unwrap_or_else(|e| e.into_inner()) = Some(signal);
    interrupt();
}

/// The signal the program is ending on, if it is.
pub fn ending() -> Option<&'static str> {
    *ENDING.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::Acquire)
}

pub fn clear_interrupt() {
    INTERRUPTED.store(false, std::sync::atomic::Ordering::Release);
}

/// How computations run.
#[derive(Clone, Debug)]
pub struct ComputeOptions {
    pub threads: usize,
    pub progress: progress::ProgressMode,
    /// Where the progress bar is drawn instead of stderr (a notebook's cell).
    pub progress_display: Option<Arc<dyn progress::ProgressDisplay>>,
    /// While the chunks held exceed this many bytes, no new input-producing task starts.
    pub memory_limit: usize,
    /// A background job's cancel flag.
    pub cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
    /// A background job's task counters (for `:jobs`).
    pub counters: Option<Arc<progress::Progress>>,
    /// Where task graphs run.
    pub backend: Arc<dyn Backend>,
}

impl Default for ComputeOptions {
    fn default() -> ComputeOptions {
        ComputeOptions {
            threads: default_threads(),
            progress: Default::default(),
            progress_display: None,
            memory_limit: default_memory_limit(),
            cancel: None,
            counters: None,
            backend: Arc::new(LocalThreads),
        }
    }
}

/// Half of the machine's physical memory (4 GiB when it cannot be read).
pub fn default_memory_limit() -> usize {
    let total_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
        });
    total_kib.map_or(4 << 30, |kib| kib * 1024 / 2)
}

/// Parse a memory size: `512MB`, `2GiB`, `1.5GB`, `1000000` (bytes).
pub fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().ok()?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0f64.powi(4),
        _ => return None,
    };
    (number >= 0.0 && number.is_finite()).then(|| (number * scale) as usize)
}

/// What lowering and optimising made, and how long each took.
pub struct Planned {
    pub graph: TaskGraph,
    /// Tasks before optimisation.
    pub lowered_tasks: usize,
    pub lower_seconds: f64,
    pub optimise_seconds: f64,
}

/// Memory a task takes from lowering to the end of its computation (the task, its inputs, its
/// place in the scheduler and the optimiser's maps): 480 bytes measured lowering `(x + 1).sum()`
/// over 10⁶ blocks (3.1 × 10⁶ tasks, 1.5 GB at its peak). What
/// bounds how many tasks a computation may have under the memory limit.
pub const BYTES_PER_TASK: usize = 500;

/// Fewest tasks a computation may have, however small the memory limit (which is mostly about
/// chunks held).
const MIN_TASK_BUDGET: usize = 10_000;

/// Most tasks a computation may have under `memory_limit`.
pub fn task_budget(memory_limit: usize) -> usize {
    (memory_limit / BYTES_PER_TASK).max(MIN_TASK_BUDGET)
}

/// Why a computation is refused before it runs.
pub fn too_many_tasks_message(error: &TooManyTasks, memory_limit: usize) -> String {
    format!(
        "computing this takes more than {} tasks, the most the memory limit ({}) allows",
        error.budget,
        crate::text::human_bytes(memory_limit)
    )
}

/// What to do when a computation needs too many tasks.
pub const TOO_MANY_TASKS_HELP: &str = "use larger chunks (`chunks=` where the array is made, or `rechunk`), select the part you need before computing, or raise --memory-limit";

/// A computation refused for its task count, while checking or before it runs (`code`).
pub fn too_many_tasks(
    code: &'static str,
    message: String,
    span: crate::source::Span,
) -> crate::diagnostic::Diagnostic {
    crate::diagnostic::Diagnostic::error(code, message, span)
        .with_label("this computation")
        .with_help(TOO_MANY_TASKS_HELP)
}

/// Stages lower → optimise: the task graph computing `requests` (`made`: the chunks of
/// `from_delayed` arrays already made, by node id), of at most `budget` tasks. `inspect` sees
/// the graph as lowered, before the optimiser changes it.
pub fn plan(
    requests: &[Request],
    made: &HashMap<u64, ChunkData>,
    budget: usize,
    inspect: Option<&mut dyn FnMut(&TaskGraph)>,
) -> Result<Planned, TooManyTasks> {
    let started = std::time::Instant::now();
    let lowered = crate::graph::lower::lower(requests, made, budget)?;
    if let Some(inspect) = inspect {
        inspect(&lowered);
    }
    let lowered_at = std::time::Instant::now();
    let lowered_tasks = lowered.tasks.len();
    let graph = crate::opt::optimise(lowered);
    Ok(Planned {
        graph,
        lowered_tasks,
        lower_seconds: (lowered_at - started).as_secs_f64(),
        optimise_seconds: lowered_at.elapsed().as_secs_f64(),
    })
}

/// Stages lower → optimise → execute, on the options' backend.
pub fn run(
    requests: &[Request],
    options: &ComputeOptions,
    made: &HashMap<u64, ChunkData>,
    sink: Option<Sink>,
) -> Result<Execution, RuntimeError> {
    let budget = task_budget(options.memory_limit);
    let planned = plan(requests, made, budget, None).map_err(|error| RuntimeError {
        span: error.span,
        message: too_many_tasks_message(&error, options.memory_limit),
        cause: Cause::TooManyTasks,
    })?;
    let mut execution = execute(&planned.graph, options, sink)?;
    execution.statistics.lower_seconds = planned.lower_seconds;
    execution.statistics.optimise_seconds = planned.optimise_seconds;
    execution.statistics.tasks_removed = planned.lowered_tasks - planned.graph.tasks.len();
    Ok(execution)
}

/// Stage execute: run a task graph on the options' backend, with its threads, memory limit,
/// progress display and cancel flag. With `FLOW_TASKS_ROUND_TRIP=1` in the environment, the
/// graph is first written out and read back (as shipping it to another process would), so
/// tests prove every task is plain data.
pub fn execute(
    graph: &TaskGraph,
    options: &ComputeOptions,
    sink: Option<Sink>,
) -> Result<Execution, RuntimeError> {
    let shipped;
    let graph = match std::env::var_os("FLOW_TASKS_ROUND_TRIP") {
        Some(_) => {
            let bytes = crate::graph::codec::encode(graph);
            shipped = crate::graph::codec::decode(&bytes)
                .and_then(|g| g.into_graph(Some(graph)))
                .expect("a task graph reads back");
            assert!(
                crate::graph::codec::encode(&shipped) == bytes,
                "a task graph reads back as it was written (the same tasks and keys)"
            );
            &shipped
        }
        None => graph,
    };
    let started = std::time::Instant::now();
    let counters = options.counters.clone().unwrap_or_default();
    counters.total.store(graph.tasks.len(), Ordering::Relaxed);
    counters.finished.store(0, Ordering::Relaxed);
    counters.done.store(false, Ordering::Relaxed);
    let reporter = progress::start(
        options.progress,
        options.progress_display.clone(),
        counters.clone(),
        graph.tasks.len(),
    );
    let execution = options.backend.execute(graph, options, &counters, sink);
    counters.done.store(true, Ordering::Release);
    if let Some(reporter) = reporter {
        let _ = reporter.join();
    }
    let mut execution = execution?;
    execution.statistics.execute_seconds = started.elapsed().as_secs_f64();
    Ok(execution)
}

/// Compute arrays, sharing the work their graphs have in common. Each result is an array of the
/// same type whose chunks are in memory.
pub fn compute(
    arrays: &[ArrayRef],
    options: ComputeOptions,
    made: &HashMap<u64, ChunkData>,
) -> Result<(Vec<ArrayRef>, Statistics), RuntimeError> {
    let requests: Vec<Request> = arrays.iter().cloned().map(Request::Array).collect();
    let execution = run(&requests, &options, made, None)?;
    let statistics = execution.statistics.clone();
    let computed = arrays
        .iter()
        .zip(execution.into_outputs())
        .map(|(array, outputs)| {
            let chunks = outputs.into_iter().map(TaskOutput::into_chunk).collect();
            ArrayNode::new(
                ArrayOp::Data(Stored::computed(chunks, array.content_key())),
                array.dtype,
                array.shape.clone(),
                array.chunks.clone(),
                array.span,
            )
        })
        .collect();
    Ok((computed, statistics))
}

/// Compute one array, handing each of its chunks (by block number) to `sink` as soon as it is
/// made and keeping none: how `save` writes arrays larger than memory.
pub fn stream(
    array: &ArrayRef,
    options: ComputeOptions,
    made: &HashMap<u64, ChunkData>,
    sink: Sink,
) -> Result<Statistics, RuntimeError> {
    let requests = [Request::Array(array.clone())];
    Ok(run(&requests, &options, made, Some(sink))?.statistics)
}

type Computed<T> = Result<(T, Statistics), RuntimeError>;

/// Compute a frame plan: the rows of each of its partitions.
pub fn compute_partitions(plan: &PlanRef, options: ComputeOptions) -> Computed<Vec<DataFrame>> {
    let execution = run(
        &[Request::Frame(plan.clone())],
        &options,
        &HashMap::new(),
        None,
    )?;
    let statistics = execution.statistics.clone();
    let parts = execution.into_outputs().pop().unwrap_or_default();
    let rows = parts.into_iter().map(TaskOutput::into_rows).collect();
    Ok((rows, statistics))
}

/// Compute a frame plan: its partitions' rows, one after another.
pub fn compute_frame(plan: &PlanRef, options: ComputeOptions) -> Computed<DataFrame> {
    let (parts, statistics) = compute_partitions(plan, options)?;
    let rows = stack(parts).map_err(|message| RuntimeError {
        span: plan.span,
        message,
        cause: Cause::Data,
    })?;
    Ok((rows, statistics))
}

/// Compute a frame plan, writing its partitions as they are computed — appended in order to the
/// one file at `path`, or `partitioned` each to its own file in the directory `path` — never
/// holding the frame whole.
pub fn write_frame(
    plan: &PlanRef,
    path: &Path,
    format: TableFormat,
    partitioned: bool,
    options: ComputeOptions,
) -> Computed<()> {
    let request = Request::Write {
        plan: plan.clone(),
        path: path.to_path_buf(),
        format,
        partitioned,
    };
    let execution = run(&[request], &options, &HashMap::new(), None)?;
    Ok(((), execution.statistics))
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

/// Keep freed chunk memory in the process instead of handing it back to the kernel after every
/// chunk. glibc returns freed blocks above its trim threshold with `madvise`, so each new chunk of
/// the same size faults its pages in again: reading 800 MB of HDF5 in 8 MB chunks cost 580,000
/// page faults and 1 s of system time, against 20,000 and 0.15 s with these settings. Chunks up
/// to 32 MiB come from the heap and are reused; memory above 256 MiB of free space is returned.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called once at startup, before threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Threads to use when none are asked for: one per core.
/// Most worker threads per core `--threads` may ask for.
pub const THREADS_PER_CORE: usize = 8;

/// Most worker threads a computation runs with (at least 32, for waiting on slow storage).
pub fn max_threads() -> usize {
    (default_threads() * THREADS_PER_CORE).max(32)
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::executor::execute;
    use crate::array::build::{self, AxisChunks, ChunkSpec};
    use crate::array::node::{Distribution, Reduction};
    use crate::source::Span;

    /// Two reductions of one random array: depth-first order alone finishes the first reduction
    /// over every chunk while each chunk waits, in memory, for the second.
    fn two_reductions() -> crate::graph::TaskGraph {
        let span = Span::default();
        let chunks = ChunkSpec::Every(AxisChunks::Size(10_000));
        let x = build::random(
            Distribution::Uniform {
                low: 0.0,
                high: 1.0,
            },
            5,
            vec![2_000_000],
            &chunks,
            span,
        )
        .unwrap();
        let sum = build::reduce(&x, Reduction::Sum, vec![0], false, 0, span).unwrap();
        let mean = build::reduce(&x, Reduction::Mean, vec![0], false, 0, span).unwrap();
        crate::opt::optimise(crate::graph::lower::lower_arrays(&[sum, mean]))
    }

    #[test]
    fn the_memory_limit_bounds_the_chunks_held() {
        let chunk_bytes = 10_000 * 8;
        let threads = 2;
        // Far less than the 16 MB of data: only the partials (a few kB) may be held besides the
        // chunks being worked on.
        let limit = 16_000;
        let unbounded = execute(&two_reductions(), threads, usize::MAX, None, None).unwrap();
        let bounded = execute(&two_reductions(), threads, limit, None, None).unwrap();
        let peak = bounded.statistics.peak_held_bytes;
        assert!(
            peak <= limit + threads * chunk_bytes,
            "peak {peak} over {limit} + {threads} × {chunk_bytes}"
        );
        let sum = |e: &super::executor::Execution| e.outputs[0][0].chunk().to_f64().sum();
        assert_eq!(
            sum(&bounded),
            sum(&unbounded),
            "the limit changes the order, not the results"
        );
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(super::parse_size("512MB"), Some(512_000_000));
        assert_eq!(super::parse_size("2GiB"), Some(2 << 30));
        assert_eq!(super::parse_size("1000"), Some(1000));
        assert_eq!(super::parse_size("lots"), None);
    }
}
