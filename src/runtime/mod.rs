//! Running task graphs: the parallel executor, and forcing lazy arrays (lower → optimise →
//! execute → computed arrays).

pub mod delayed;
pub mod executor;
pub mod progress;

use crate::array::node::{ArrayNode, ArrayOp, ArrayRef};
use crate::kernels::chunk::{assemble, ChunkData};
use executor::{RuntimeError, Statistics};
use std::sync::Arc;

/// Set by Ctrl-C in the REPL: running computations stop at the next task.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn interrupt() {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::Release);
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
    /// While the chunks held exceed this many bytes, no new input-producing task starts.
    pub memory_limit: usize,
    /// A background job's cancel flag.
    pub cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
    /// A background job's task counters (for `:jobs`).
    pub counters: Option<Arc<progress::Progress>>,
}

impl Default for ComputeOptions {
    fn default() -> ComputeOptions {
        ComputeOptions {
            threads: default_threads(),
            progress: Default::default(),
            memory_limit: default_memory_limit(),
            cancel: None,
            counters: None,
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

/// Compute arrays, sharing the work their graphs have in common. Each result is an array of the
/// same type whose chunks are in memory.
pub fn compute(
    arrays: &[ArrayRef],
    options: ComputeOptions,
    made: &std::collections::HashMap<u64, ChunkData>,
) -> Result<(Vec<ArrayRef>, Statistics), RuntimeError> {
    let execution = run(arrays, options, made, None)?;
    let computed = arrays
        .iter()
        .zip(execution.outputs)
        .map(|(array, chunks)| {
            ArrayNode::new(
                ArrayOp::Data(Arc::new(chunks)),
                array.dtype,
                array.shape.clone(),
                array.chunks.clone(),
                array.span,
            )
        })
        .collect();
    Ok((computed, execution.statistics))
}

/// Compute one array, handing each of its chunks (by block number) to `sink` as soon as it is
/// made and keeping none: how `save` writes arrays larger than memory.
pub fn stream(
    array: &ArrayRef,
    options: ComputeOptions,
    made: &std::collections::HashMap<u64, ChunkData>,
    sink: executor::Sink,
) -> Result<Statistics, RuntimeError> {
    Ok(run(std::slice::from_ref(array), options, made, Some(sink))?.statistics)
}

fn run(
    arrays: &[ArrayRef],
    options: ComputeOptions,
    made: &std::collections::HashMap<u64, ChunkData>,
    sink: Option<executor::Sink>,
) -> Result<executor::Execution, RuntimeError> {
    let started = std::time::Instant::now();
    let lowered = crate::graph::lower::lower_with(arrays, made);
    let lowered_at = std::time::Instant::now();
    let lowered_tasks = lowered.tasks.len();
    let graph = crate::opt::optimise(lowered);
    let optimised_at = std::time::Instant::now();
    let mut execution = execute_graph(&graph, &options, sink)?;
    execution.statistics.lower_seconds = (lowered_at - started).as_secs_f64();
    execution.statistics.tasks_removed = lowered_tasks - graph.tasks.len();
    execution.statistics.optimise_seconds = (optimised_at - lowered_at).as_secs_f64();
    Ok(execution)
}

/// Run a task graph with the options' threads, memory limit, progress display and cancel flag.
pub fn execute_graph(
    graph: &crate::graph::TaskGraph,
    options: &ComputeOptions,
    sink: Option<executor::Sink>,
) -> Result<executor::Execution, RuntimeError> {
    let (threads, mode) = (options.threads, options.progress);
    let started = std::time::Instant::now();
    let counters = options.counters.clone().unwrap_or_default();
    counters
        .total
        .store(graph.tasks.len(), std::sync::atomic::Ordering::Relaxed);
    counters
        .finished
        .store(0, std::sync::atomic::Ordering::Relaxed);
    counters
        .done
        .store(false, std::sync::atomic::Ordering::Relaxed);
    let reporter = progress::start(mode, counters.clone(), graph.tasks.len());
    let execution = executor::execute_with_sink(
        graph,
        threads,
        options.memory_limit,
        Some(&counters),
        options.cancel.as_deref(),
        sink,
    );
    counters
        .done
        .store(true, std::sync::atomic::Ordering::Release);
    if let Some(reporter) = reporter {
        let _ = reporter.join();
    }
    let mut execution = execution?;
    execution.statistics.execute_seconds = started.elapsed().as_secs_f64();
    Ok(execution)
}

/// The whole of a computed array as one chunk (for printing and conversion).
pub fn whole(array: &ArrayNode) -> Option<ChunkData> {
    let ArrayOp::Data(chunks) = &array.op else {
        return None;
    };
    let offsets: Vec<Vec<usize>> = (0..array.ndim()).map(|a| array.chunks.offsets(a)).collect();
    Some(assemble(
        chunks,
        &array.chunks.grid(),
        &offsets,
        &array.shape,
        array.dtype,
    ))
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
        crate::opt::optimise(crate::graph::lower::lower(&[sum, mean]))
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
        let sum = |e: &super::executor::Execution| e.outputs[0][0].to_f64().sum();
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
