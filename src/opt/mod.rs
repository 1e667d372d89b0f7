//! Optimisation passes over the task graph, one per file. They only make things faster: each
//! has a test proving results are unchanged.

pub mod cull;
pub mod fold;
pub mod fuse;

use crate::graph::TaskGraph;

/// Run the passes in order: constant chunks through slices, fuse elementwise chains into their
/// consumers, fold constant subexpressions, then drop every task no output needs.
pub fn optimise(graph: TaskGraph) -> TaskGraph {
    let graph = fold::fold_constant_gathers(graph);
    let graph = fuse::fuse(graph);
    let graph = fold::fold_constant_kernels(graph);
    cull::cull(graph)
}
