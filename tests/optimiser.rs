//! The optimiser only makes things faster: each pass leaves results unchanged (the graphs are
//! run before and after), fusion removes intermediate tasks, culling drops what no output needs,
//! and lowering makes a computation written twice once.

use flow::array::build::{self, AxisChunks, ChunkSpec, IndexItem};
use flow::array::dtype::DType;
use flow::array::node::*;
use flow::graph::lower::lower_arrays as lower;
use flow::runtime::executor::execute;
use flow::source::Span;

/// A graph with elementwise chains, a slice, a reduction and a shared subexpression.
fn workload() -> Vec<ArrayRef> {
    let span = Span::default();
    let chunks = ChunkSpec::PerAxis(vec![AxisChunks::Size(7), AxisChunks::Size(5)]);
    let x = build::random(
        Distribution::Uniform {
            low: -1.0,
            high: 1.0,
        },
        3,
        vec![20, 12],
        &chunks,
        span,
    )
    .unwrap();
    let mut warnings = Vec::new();
    let cos = build::map(
        MapFunction::Unary(UnaryFunction::Cos),
        vec![Operand::Array(x.clone())],
        span,
        &mut warnings,
    )
    .unwrap();
    let squared = build::map(
        MapFunction::Binary(BinaryFunction::Power),
        vec![
            Operand::Array(cos.clone()),
            Operand::Scalar(Scalar::Float(2.0)),
        ],
        span,
        &mut warnings,
    )
    .unwrap();
    let reversed = build::slice(
        &x,
        &[
            IndexItem::Slice {
                start: None,
                stop: None,
                step: Some(-1),
            },
            IndexItem::Slice {
                start: None,
                stop: None,
                step: Some(-2),
            },
        ],
        span,
    )
    .unwrap();
    let product = build::map(
        MapFunction::Binary(BinaryFunction::Multiply),
        vec![Operand::Array(squared.clone()), Operand::Array(cos)],
        span,
        &mut warnings,
    )
    .unwrap();
    let mean = build::reduce(&squared, Reduction::Mean, vec![0], false, 0, span).unwrap();
    let total = build::reduce(&product, Reduction::Sum, vec![0, 1], false, 0, span).unwrap();
    let _ = DType::F64;
    vec![mean, total, reversed]
}

fn run(optimised: bool) -> Vec<Vec<f64>> {
    let graph = lower(&workload());
    let graph = if optimised {
        flow::opt::optimise(graph)
    } else {
        graph
    };
    let execution = execute(&graph, 2, usize::MAX, None, None).unwrap();
    execution
        .outputs
        .iter()
        .map(|chunks| {
            chunks
                .iter()
                .flat_map(|c| c.chunk().to_f64().into_iter())
                .collect()
        })
        .collect()
}

#[test]
fn optimising_leaves_results_unchanged() {
    assert_eq!(run(false), run(true));
}

#[test]
fn fusion_removes_intermediate_tasks_and_cull_drops_unneeded_ones() {
    let unoptimised = lower(&workload());
    let fused = flow::opt::fuse::fuse(lower(&workload()));
    let culled = flow::opt::cull::cull(fused);
    assert!(
        culled.tasks.len() < unoptimised.tasks.len(),
        "{} vs {}",
        culled.tasks.len(),
        unoptimised.tasks.len()
    );
}

#[test]
fn slicing_one_chunk_computes_one_chunk() {
    let span = Span::default();
    let chunks = ChunkSpec::Every(AxisChunks::Size(100));
    let big = build::random(
        Distribution::Uniform {
            low: 0.0,
            high: 1.0,
        },
        1,
        vec![100_000, 100],
        &chunks,
        span,
    )
    .unwrap();
    let corner = build::slice(
        &big,
        &[IndexItem::Slice {
            start: Some(0),
            stop: Some(10),
            step: None,
        }],
        span,
    )
    .unwrap();
    let graph = flow::opt::optimise(lower(&[corner]));
    assert_eq!(graph.tasks.len(), 2, "one generator and one gather");
    let ones = build::full(
        vec![100_000, 100],
        &chunks,
        Scalar::Float(1.0),
        DType::F64,
        span,
    )
    .unwrap();
    let corner = build::slice(
        &ones,
        &[IndexItem::Slice {
            start: Some(0),
            stop: Some(10),
            step: None,
        }],
        span,
    )
    .unwrap();
    assert_eq!(
        flow::opt::optimise(lower(&[corner])).tasks.len(),
        1,
        "a slice of a constant is a constant"
    );
}

#[test]
fn the_same_computation_written_twice_is_made_once() {
    let span = Span::default();
    let chunks = ChunkSpec::Every(AxisChunks::Size(10));
    let random = || {
        build::random(
            Distribution::Normal {
                mean: 0.0,
                std: 1.0,
            },
            7,
            vec![100],
            &chunks,
            span,
        )
        .unwrap()
    };
    let (a, b) = (random(), random());
    assert_ne!(a.id, b.id);
    let sum_a = build::reduce(&a, Reduction::Sum, vec![0], false, 0, span).unwrap();
    let sum_b = build::reduce(&b, Reduction::Sum, vec![0], false, 0, span).unwrap();
    let other = build::reduce(&a, Reduction::Max, vec![0], false, 0, span).unwrap();
    let shared = lower(&[sum_a.clone(), sum_b.clone()]);
    let single = lower(&[sum_a.clone()]);
    assert_eq!(
        shared.tasks.len(),
        single.tasks.len(),
        "the second sum reuses the first's tasks"
    );
    assert_eq!(shared.outputs[0], shared.outputs[1]);
    let different = lower(&[sum_a, other]);
    assert!(
        different.tasks.len() > single.tasks.len(),
        "a different reduction is not merged"
    );
    let results = execute(&shared, 2, usize::MAX, None, None).unwrap();
    assert_eq!(
        results.outputs[0][0].chunk().to_f64(),
        results.outputs[1][0].chunk().to_f64()
    );
}
