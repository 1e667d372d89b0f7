//! Fold constants: a chunk that is one value everywhere (from `ones`, `zeros`, `full`) stays a
//! constant through slices and rechunks, and an elementwise kernel whose leaves are all constants
//! is evaluated once instead of once per element (`cos(ones(…)) ** 2` is one `cos` per chunk).

use crate::array::chunk::ChunkData;
use crate::array::node::{BinaryFunction, MapFunction, Scalar};
use crate::graph::{TaskGraph, TaskKind};
use crate::kernels::elementwise::{evaluate, Kernel};

/// Gathers (slices, rechunks) whose inputs are all the same constant become that constant.
pub fn fold_constant_gathers(mut graph: TaskGraph) -> TaskGraph {
    for id in 0..graph.tasks.len() {
        let TaskKind::Gather { shape, dtype, .. } = &graph.tasks[id].kind else {
            continue;
        };
        let constants: Vec<Option<(Scalar, crate::array::dtype::DType)>> = graph.tasks[id]
            .inputs
            .iter()
            .map(|&input| match &graph.tasks[input].kind {
                TaskKind::Map {
                    kernel: Kernel::Constant(value, dtype),
                    ..
                } if graph.tasks[input].inputs.is_empty() => Some((*value, *dtype)),
                _ => None,
            })
            .collect();
        let Some(Some(first)) = constants.first().copied() else {
            continue;
        };
        if constants.iter().all(|c| *c == Some(first)) {
            let kernel = Kernel::Constant(first.0, *dtype);
            graph.tasks[id].kind = TaskKind::Map {
                kernel,
                shape: shape.clone(),
            };
            graph.tasks[id].inputs.clear();
        }
    }
    graph
}

/// Replace every subtree of constants in every kernel by its value.
pub fn fold_constant_kernels(mut graph: TaskGraph) -> TaskGraph {
    for task in &mut graph.tasks {
        match &mut task.kind {
            TaskKind::Map { kernel, .. }
            | TaskKind::Partial { kernel, .. }
            | TaskKind::GroupPartial { kernel, .. }
            | TaskKind::HistogramPartial { kernel, .. }
            | TaskKind::DigestPartial { kernel, .. }
                if matches!(kernel, Kernel::Map { .. }) =>
            {
                *kernel = fold(kernel);
            }
            _ => {}
        }
    }
    graph
}

fn fold(kernel: &Kernel) -> Kernel {
    let Kernel::Map {
        function,
        args,
        dtype,
    } = kernel
    else {
        return kernel.clone();
    };
    let args: Vec<Kernel> = args.iter().map(fold).collect();
    let folded = Kernel::Map {
        function: *function,
        args,
        dtype: *dtype,
    };
    let Kernel::Map { args, .. } = &folded else {
        unreachable!()
    };
    if !args.iter().all(|a| matches!(a, Kernel::Constant(..))) {
        return folded;
    }
    // An integer to a negative power fails on each value: left for the values (an empty
    // array has none, and is no mistake).
    if let (MapFunction::Binary(BinaryFunction::Power), [_, Kernel::Constant(Scalar::Int(e), _)]) =
        (function, &args[..])
    {
        if *e < 0 && dtype.is_integer() {
            return folded;
        }
    }
    let value = match evaluate(&folded, &[], &[]) {
        ChunkData::Bool(a) => Scalar::Bool(a.into_iter().next().unwrap_or(false)),
        ChunkData::I32(a) => Scalar::Int(a.into_iter().next().unwrap_or(0) as i64),
        ChunkData::I64(a) => Scalar::Int(a.into_iter().next().unwrap_or(0)),
        ChunkData::F32(a) => Scalar::Float(a.into_iter().next().unwrap_or(0.0) as f64),
        ChunkData::F64(a) => Scalar::Float(a.into_iter().next().unwrap_or(0.0)),
    };
    Kernel::Constant(value, *dtype)
}
