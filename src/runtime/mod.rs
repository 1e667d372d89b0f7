//! Running task graphs: the parallel executor, and forcing lazy arrays (lower → optimise →
//! execute → computed arrays).

pub mod executor;
pub mod progress;

use crate::array::node::{ArrayNode, ArrayOp, ArrayRef};
use crate::kernels::chunk::{assemble, ChunkData};
use executor::{RuntimeError, Statistics};
use std::sync::Arc;

/// Compute arrays, sharing the work their graphs have in common. Each result is an array of the
/// same type whose chunks are in memory.
pub fn compute(
    arrays: &[ArrayRef],
    threads: usize,
    mode: progress::ProgressMode,
) -> Result<(Vec<ArrayRef>, Statistics), RuntimeError> {
    let started = std::time::Instant::now();
    let lowered = crate::graph::lower::lower(arrays);
    let lowered_at = std::time::Instant::now();
    let lowered_tasks = lowered.tasks.len();
    let graph = crate::opt::optimise(lowered);
    let optimised_at = std::time::Instant::now();
    let counters = Arc::new(progress::Progress::default());
    let reporter = progress::start(mode, counters.clone(), graph.tasks.len());
    let execution = executor::execute(&graph, threads, Some(&counters));
    counters
        .done
        .store(true, std::sync::atomic::Ordering::Release);
    if let Some(reporter) = reporter {
        let _ = reporter.join();
    }
    let mut execution = execution?;
    execution.statistics.lower_seconds = (lowered_at - started).as_secs_f64();
    execution.statistics.tasks_removed = lowered_tasks - graph.tasks.len();
    execution.statistics.optimise_seconds = (optimised_at - lowered_at).as_secs_f64();
    execution.statistics.execute_seconds = optimised_at.elapsed().as_secs_f64();
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

/// Threads to use when none are asked for: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
