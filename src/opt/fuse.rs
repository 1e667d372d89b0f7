//! Fuse: an elementwise task whose only consumer is another elementwise task or a partial
//! reduction is inlined into that consumer's kernel, so a chain like `cos(x) ** 2` then `mean`
//! runs as one task per chunk that never stores the intermediate chunks. Chunks that are cheap to
//! make from nothing (constants, aranges) are made again inside every consumer instead of being
//! kept until the last one has run.

use crate::graph::{TaskGraph, TaskKind};
use crate::kernels::elementwise::Kernel;

fn producer_kernel_slot(kind: &mut TaskKind) -> &mut Kernel {
    match kind {
        TaskKind::Map { kernel, .. } => kernel,
        _ => unreachable!("producers are map tasks"),
    }
}

pub fn fuse(mut graph: TaskGraph) -> TaskGraph {
    let mut consumers = graph.consumer_counts();
    let is_output = graph.is_output();
    for id in 0..graph.tasks.len() {
        loop {
            let target_shape: &[usize] = match &graph.tasks[id].kind {
                TaskKind::Map { shape, .. }
                | TaskKind::Partial { shape, .. }
                | TaskKind::GroupPartial { shape, .. }
                | TaskKind::HistogramPartial { shape, .. }
                | TaskKind::DigestPartial { shape, .. } => shape,
                _ => break,
            };
            // An input made by a Map task of the same shape that nothing else reads.
            let fusable = graph.tasks[id].inputs.iter().position(|&input| {
                let cheap_generator = graph.tasks[input].inputs.is_empty()
                    && matches!(&graph.tasks[input].kind, TaskKind::Map { kernel: Kernel::Constant(..) | Kernel::Arange { .. }, .. });
                (consumers[input] == 1 || cheap_generator)
                    && !is_output[input]
                    && matches!(&graph.tasks[input].kind, TaskKind::Map { shape, .. } if *shape == target_shape)
            });
            let Some(position) = fusable else { break };
            let producer = graph.tasks[id].inputs[position];
            let TaskKind::Map {
                kernel: producer_kernel,
                ..
            } = &graph.tasks[producer].kind
            else {
                unreachable!()
            };
            // The last consumer takes the producer's kernel; earlier ones (of a cheap generator) copy it.
            let producer_kernel = if consumers[producer] == 1 {
                std::mem::replace(
                    producer_kernel_slot(&mut graph.tasks[producer].kind),
                    Kernel::Input(0),
                )
            } else {
                producer_kernel.clone()
            };
            let producer_inputs = graph.tasks[producer].inputs.clone();
            let task = &mut graph.tasks[id];
            let mut inputs = task.inputs.clone();
            inputs.remove(position);
            let base = inputs.len();
            inputs.extend(producer_inputs.iter().copied());
            let inlined = producer_kernel.substitute(&|k| Kernel::Input(base + k));
            let replace = |k: usize| {
                if k < position {
                    Kernel::Input(k)
                } else if k == position {
                    inlined.clone()
                } else {
                    Kernel::Input(k - 1)
                }
            };
            match &mut task.kind {
                TaskKind::Map { kernel, .. }
                | TaskKind::Partial { kernel, .. }
                | TaskKind::GroupPartial { kernel, .. }
                | TaskKind::HistogramPartial { kernel, .. }
                | TaskKind::DigestPartial { kernel, .. } => {
                    *kernel = kernel.substitute(&replace);
                }
                _ => unreachable!(),
            }
            task.inputs = inputs;
            consumers[producer] -= 1;
        }
    }
    graph
}
