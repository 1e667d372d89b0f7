//! Common subexpressions: two array nodes that compute the same thing (the same operation and
//! parameters on the same inputs) get the same key, so lowering makes their tasks once —
//! `compute(x.sum(), x.sum() / 2)` sums `x` once even though the script wrote it twice.

use crate::array::node::{ArrayOp, ArrayRef, Operand};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Structural keys of array nodes, memoised by node id.
#[derive(Default)]
pub struct StructuralKeys {
    keys: HashMap<u64, u64>,
}

impl StructuralKeys {
    /// The key of `node`: equal for nodes that compute the same values in the same chunks.
    pub fn key(&mut self, node: &ArrayRef) -> u64 {
        if let Some(&key) = self.keys.get(&node.id) {
            return key;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        node.dtype.hash(&mut hasher);
        node.shape.hash(&mut hasher);
        node.chunks.hash(&mut hasher);
        match &node.op {
            // Computed data is only the same as itself; a delayed chunk is the same as its call.
            ArrayOp::Data(chunks) => (std::sync::Arc::as_ptr(chunks) as usize).hash(&mut hasher),
            ArrayOp::Hdf5(source) => source.hash(&mut hasher),
            ArrayOp::NetCdf(source) => source.hash(&mut hasher),
            ArrayOp::FrameColumn { plan, parts } => {
                "frame column".hash(&mut hasher);
                plan.id.hash(&mut hasher);
                parts.hash(&mut hasher);
            }
            ArrayOp::FromDelayed(call) => {
                "from_delayed".hash(&mut hasher);
                call.as_ref().map_or(node.id, |c| c.id).hash(&mut hasher);
            }
            ArrayOp::Map { function, operands } => {
                format!("map {function:?}").hash(&mut hasher);
                for operand in operands {
                    match operand {
                        Operand::Array(a) => self.key(a).hash(&mut hasher),
                        Operand::Scalar(s) => format!("{s:?}").hash(&mut hasher),
                    }
                }
            }
            other => {
                // The operation's own parameters (its Debug text without the inputs' subtrees,
                // which are keyed separately below).
                operation_parameters(other).hash(&mut hasher);
                for input in node.inputs() {
                    self.key(&input).hash(&mut hasher);
                }
            }
        }
        let key = hasher.finish();
        self.keys.insert(node.id, key);
        key
    }
}

fn operation_parameters(op: &ArrayOp) -> String {
    match op {
        ArrayOp::Full(value) => format!("full {value:?}"),
        ArrayOp::Arange { start, step } => format!("arange {start:?} {step:?}"),
        ArrayOp::Random { distribution, seed } => format!("random {distribution:?} {seed}"),
        ArrayOp::Slice { selection, .. } => format!("slice {selection:?}"),
        ArrayOp::Reduce {
            reduction,
            axes,
            keepdims,
            ddof,
            split_every,
            ..
        } => {
            format!("reduce {reduction:?} {axes:?} {keepdims} {ddof} {split_every}")
        }
        ArrayOp::Rechunk { .. } => "rechunk".into(),
        ArrayOp::Concatenate { axis, .. } => format!("concatenate {axis}"),
        ArrayOp::Transpose { axes, .. } => format!("transpose {axes:?}"),
        ArrayOp::Histogram {
            bins, low, high, ..
        } => format!("histogram {bins} {low:?} {high:?}"),
        ArrayOp::Data(_)
        | ArrayOp::Map { .. }
        | ArrayOp::FromDelayed(_)
        | ArrayOp::FrameColumn { .. }
        | ArrayOp::Hdf5(_)
        | ArrayOp::NetCdf(_) => {
            unreachable!("keyed by the caller")
        }
    }
}
