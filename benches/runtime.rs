//! Micro-benchmarks of the runtime: per-task overhead of the executor, graph construction
//! (lowering and optimising), and fused elementwise throughput.
//! Run with `cargo bench --bench runtime`; compare figures within one run, as ratios.

use flow::array::build::{self, AxisChunks, ChunkSpec};
use flow::array::chunk::ChunkData;
use flow::array::dtype::DType;
use flow::array::node::*;
use flow::graph::lower::lower_arrays as lower;
use flow::kernels::elementwise::{evaluate, Kernel};
use flow::runtime::executor::execute;
use flow::source::Span;

fn main() {
    divan::main();
}

/// `random.uniform(size=n, chunks=1).sum()`: n trivial chunk tasks plus the combine tree.
fn sum_of_tiny_chunks(n: usize) -> ArrayRef {
    let span = Span::default();
    let chunks = ChunkSpec::Every(AxisChunks::Size(1));
    let x = build::random(
        Distribution::Uniform {
            low: 0.0,
            high: 1.0,
        },
        1,
        vec![n],
        &chunks,
        span,
    )
    .unwrap();
    build::reduce(&x, Reduction::Sum, vec![0], false, 0, span).unwrap()
}

/// Executor overhead per task: divide the time by the task count printed in the name.
#[divan::bench(args = [10_000, 100_000])]
fn execute_tasks(bencher: divan::Bencher, n: usize) {
    let graph = flow::opt::optimise(lower(&[sum_of_tiny_chunks(n)]));
    bencher
        .counter(divan::counter::ItemsCount::new(graph.tasks.len()))
        .bench(|| execute(&graph, 2, usize::MAX, None, None).unwrap());
}

/// Lowering and optimising a graph of about 1.14 tasks per chunk.
#[divan::bench(args = [100_000, 1_000_000])]
fn build_graph(bencher: divan::Bencher, n: usize) {
    let array = sum_of_tiny_chunks(n);
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| flow::opt::optimise(lower(std::slice::from_ref(&array))));
}

/// Writing a graph out as it would be shipped: every task's content key, then postcard.
#[divan::bench(args = [10_000, 100_000])]
fn encode_graph(bencher: divan::Bencher, n: usize) {
    let graph = flow::opt::optimise(lower(&[sum_of_tiny_chunks(n)]));
    bencher
        .counter(divan::counter::ItemsCount::new(graph.tasks.len()))
        .bench(|| flow::graph::codec::encode(&graph));
}

/// `cos(x) ** 2 + 1` over a 1e6-element chunk in one fused kernel.
#[divan::bench]
fn fused_elementwise(bencher: divan::Bencher) {
    let data = ChunkData::F64(ndarray::ArrayD::from_shape_fn(
        ndarray::IxDyn(&[1_000_000]),
        |i| i[0] as f64 * 1e-6,
    ));
    let cos = Kernel::Map {
        function: MapFunction::Unary(UnaryFunction::Cos),
        args: vec![Kernel::Input(0)],
        dtype: DType::F64,
    };
    let square = Kernel::Map {
        function: MapFunction::Binary(BinaryFunction::Power),
        args: vec![cos, Kernel::Constant(Scalar::Float(2.0), DType::F64)],
        dtype: DType::F64,
    };
    let kernel = Kernel::Map {
        function: MapFunction::Binary(BinaryFunction::Add),
        args: vec![square, Kernel::Constant(Scalar::Float(1.0), DType::F64)],
        dtype: DType::F64,
    };
    bencher
        .counter(divan::counter::ItemsCount::new(1_000_000usize))
        .bench(|| evaluate(&kernel, &[&data], &[1_000_000]));
}
