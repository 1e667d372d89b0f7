//! Lazy chunked arrays: dtypes, chunkings, the high-level graph of array operations and the
//! rules (in `build`) that type each operation before anything runs.

pub mod build;
pub mod chunk;
pub mod chunks;
pub mod contract;
pub mod dtype;
pub mod group;
pub mod linalg;
pub mod node;
pub mod numeric;
pub mod order;
pub mod rearrange;
pub mod reshape;
pub mod rolling;
pub mod scan;
pub mod source;
