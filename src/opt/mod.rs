//! Optimisation passes over the task graph, one per file. They only make things faster: each
//! has a test proving results are unchanged.

pub mod cull;
pub mod fuse;

use crate::graph::TaskGraph;

/// Run the passes in order: fuse elementwise chains into their consumers, then drop every task
/// no output needs.
pub fn optimise(graph: TaskGraph) -> TaskGraph {
    cull::cull(fuse::fuse(graph))
}
