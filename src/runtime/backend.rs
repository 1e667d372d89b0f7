//! The seam between a computation and where it runs: a [`Backend`] is handed an optimised task
//! graph and gives back its outputs. The local threaded executor is the one backend today; a
//! cluster backend ships the same graph (every task is data, `graph::codec`) instead.

use super::executor::{self, Execution, RuntimeError, Sink};
use super::progress::Progress;
use super::ComputeOptions;
use crate::graph::TaskGraph;

pub trait Backend: Send + Sync + std::fmt::Debug {
    /// Run `graph` with the options' threads, memory limit and cancel flag, advancing
    /// `progress` as tasks finish; with a `sink`, the (single) output's chunks go to it as they
    /// are made instead of being kept.
    fn execute(
        &self,
        graph: &TaskGraph,
        options: &ComputeOptions,
        progress: &Progress,
        sink: Option<Sink>,
    ) -> Result<Execution, RuntimeError>;
}

/// This process's worker threads (see `executor`).
#[derive(Debug)]
pub struct LocalThreads;

impl Backend for LocalThreads {
    fn execute(
        &self,
        graph: &TaskGraph,
        options: &ComputeOptions,
        progress: &Progress,
        sink: Option<Sink>,
    ) -> Result<Execution, RuntimeError> {
        executor::execute_with_sink(
            graph,
            options.threads,
            options.memory_limit,
            Some(progress),
            options.cancel.as_deref(),
            sink,
        )
    }
}
