//! Tree reductions: a partial per chunk, combined a few at a time, then finalised. Means,
//! variances and standard deviations carry (count, mean, M2) partials combined with Chan's
//! formula — never means of means or naive sums of squares.

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::Reduction;
use ndarray::{ArrayD, Dimension, IxDyn};

/// A reduction's result over some chunks, before the final step. Plain data: it ships between
/// processes (see `TaskOutput::to_bytes`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Partial {
    Float(#[serde(with = "crate::array::chunk::as_chunk")] ArrayD<f64>),
    Int(#[serde(with = "crate::array::chunk::as_chunk")] ArrayD<i64>),
    Moments {
        #[serde(with = "crate::array::chunk::as_chunk")]
        count: ArrayD<f64>,
        #[serde(with = "crate::array::chunk::as_chunk")]
        mean: ArrayD<f64>,
        #[serde(with = "crate::array::chunk::as_chunk")]
        m2: ArrayD<f64>,
    },
    Arg {
        #[serde(with = "crate::array::chunk::as_chunk")]
        value: ArrayD<f64>,
        #[serde(with = "crate::array::chunk::as_chunk")]
        index: ArrayD<i64>,
    },
    Counts(Vec<i64>),
    /// A t-digest of values (approximate quantiles), see `sketch.rs`.
    Digest(super::sketch::Digest),
    /// The partial of some groups along `axis` (sorted ids, one slot each), see `group.rs`.
    Grouped {
        axis: usize,
        groups: Vec<u32>,
        inner: Box<Partial>,
    },
}

impl Partial {
    pub fn nbytes(&self) -> usize {
        match self {
            Partial::Float(a) => a.len() * 8,
            Partial::Int(a) => a.len() * 8,
            Partial::Moments { count, .. } => count.len() * 24,
            Partial::Arg { value, .. } => value.len() * 16,
            Partial::Counts(c) => c.len() * 8,
            Partial::Digest(d) => d.nbytes(),
            Partial::Grouped { inner, groups, .. } => inner.nbytes() + groups.len() * 4,
        }
    }
}

/// The histogram partial of the chunk `kernel` makes: random samples are counted as they are
/// drawn, never stored as a chunk.
pub fn histogram_of_kernel(
    kernel: &super::elementwise::Kernel,
    inputs: &[&ChunkData],
    shape: &[usize],
    bins: usize,
    low: f64,
    high: f64,
) -> Partial {
    if let super::elementwise::Kernel::Random {
        distribution,
        seed,
        shape: global,
        origin,
    } = kernel
    {
        let mut histogram = Histogram::new(bins, low, high);
        super::random::stream(*distribution, *seed, global, origin, shape, &mut |block| {
            histogram.add(block)
        });
        return histogram.into_partial();
    }
    let chunk = super::elementwise::evaluate(kernel, inputs, shape);
    histogram_partial(&chunk, bins, low, high)
}

/// Where a chunk sits, for arg-reductions' global indices.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub origin: Vec<usize>,
    pub array_shape: std::sync::Arc<[usize]>,
}

/// The flat values of a chunk with the reduced axes innermost: (outer, reduced, inner) sizes.
struct Arranged<'a> {
    floats: Option<std::borrow::Cow<'a, [f64]>>,
    ints: Option<std::borrow::Cow<'a, [i64]>>,
    outer: usize,
    reduced: usize,
    inner: usize,
    /// For arg-reductions: the chunk-local coordinates' order after arranging.
    permuted_shape: Vec<usize>,
    axis_order: Vec<usize>,
}

fn arrange<'a>(chunk: &'a ChunkData, axes: &[usize], as_float: bool) -> Arranged<'a> {
    let shape = chunk.shape().to_vec();
    let ndim = shape.len();
    let contiguous = axes.windows(2).all(|w| w[1] == w[0] + 1);
    let (order, outer, reduced, inner) = if contiguous && !axes.is_empty() {
        let (i, j) = (axes[0], axes[axes.len() - 1] + 1);
        (
            (0..ndim).collect::<Vec<_>>(),
            shape[..i].iter().product(),
            shape[i..j].iter().product(),
            shape[j..].iter().product(),
        )
    } else if axes.is_empty() {
        ((0..ndim).collect(), 1, 1, shape.iter().product())
    } else {
        let mut order: Vec<usize> = (0..ndim).filter(|a| !axes.contains(a)).collect();
        order.extend_from_slice(axes);
        let outer = (0..ndim)
            .filter(|a| !axes.contains(a))
            .map(|a| shape[a])
            .product();
        let reduced = axes.iter().map(|&a| shape[a]).product();
        (order, outer, reduced, 1)
    };
    let permuted = order != (0..ndim).collect::<Vec<_>>();
    // The values in row-major order of the arranged axes.
    fn in_order<T: Copy>(a: &ArrayD<T>, order: &[usize], permuted: bool) -> Vec<T> {
        if permuted {
            a.view()
                .permuted_axes(IxDyn(order))
                .iter()
                .copied()
                .collect()
        } else {
            a.iter().copied().collect()
        }
    }
    let floats_of = |a: &ArrayD<f64>| in_order(a, &order, permuted);
    let ints_of = |a: &ArrayD<i64>| in_order(a, &order, permuted);
    let (floats, ints) = if as_float {
        // A contiguous f64 chunk in the right order is read in place.
        let values = match chunk {
            ChunkData::F64(a) if !permuted && a.as_slice().is_some() => {
                std::borrow::Cow::Borrowed(a.as_slice().unwrap())
            }
            ChunkData::F64(a) => std::borrow::Cow::Owned(floats_of(a)),
            other => std::borrow::Cow::Owned(floats_of(&other.to_f64())),
        };
        (Some(values), None)
    } else {
        let values = match chunk {
            ChunkData::I64(a) => ints_of(a),
            other => ints_of(
                &crate::array::chunk::with_chunk!(other, a => a.mapv(crate::array::chunk::to_i64)),
            ),
        };
        (None, Some(std::borrow::Cow::Owned(values)))
    };
    let permuted_shape = order.iter().map(|&a| shape[a]).collect();
    Arranged {
        floats,
        ints,
        outer,
        reduced,
        inner,
        permuted_shape,
        axis_order: order,
    }
}

fn keepdims_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .map(|(a, &n)| if axes.contains(&a) { 1 } else { n })
        .collect()
}

/// Sum of a slice by pairwise summation (as NumPy), accurate to O(log n) rounding errors.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    if values.len() <= 128 {
        let mut acc = [0.0f64; 8];
        let mut chunks = values.chunks_exact(8);
        for c in &mut chunks {
            for k in 0..8 {
                acc[k] += c[k];
            }
        }
        let mut total =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for &x in chunks.remainder() {
            total += x;
        }
        return total;
    }
    let half = (values.len() / 2) & !7;
    pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
}

fn float_input(reduction: Reduction, dtype: DType) -> bool {
    reduction.uses_moments() || reduction.is_arg() || dtype.is_float()
}

/// The partial of one chunk, reducing `axes` (kept as length-1 axes).
pub fn partial(
    chunk: &ChunkData,
    reduction: Reduction,
    axes: &[usize],
    position: &Position,
) -> Partial {
    let out_shape = IxDyn(&keepdims_shape(chunk.shape(), axes));
    let as_float = float_input(reduction, chunk.dtype());
    // Reducing an axis of length 1 changes nothing but the layout: leaving it out keeps more
    // reductions over contiguous axes, which need no reordering copy (a (1, 180, 360) chunk
    // reduced over (0, 2) is reduced over 2). Arg-reductions keep their axes for the indices.
    let mut axes: Vec<usize> = axes.to_vec();
    axes.sort_unstable();
    if !reduction.is_arg() {
        axes.retain(|&a| chunk.shape()[a] != 1);
    }
    let arranged = arrange(chunk, &axes, as_float);
    if reduction.uses_moments() {
        let (count, mean, m2) = moments_of(&arranged, reduction.skips_nan());
        let build = |v| ArrayD::from_shape_vec(out_shape.clone(), v).unwrap();
        return Partial::Moments {
            count: build(count),
            mean: build(mean),
            m2: build(m2),
        };
    }
    if reduction.is_arg() {
        let (best, index) = arg_of(&arranged, reduction, position, &axes);
        return Partial::Arg {
            value: ArrayD::from_shape_vec(out_shape.clone(), best).unwrap(),
            index: ArrayD::from_shape_vec(out_shape, index).unwrap(),
        };
    }
    if let Some(values) = &arranged.floats {
        let out = floats_of(&arranged, values, reduction);
        return Partial::Float(ArrayD::from_shape_vec(out_shape, out).unwrap());
    }
    let out = ints_of_arranged(&arranged, reduction);
    Partial::Int(ArrayD::from_shape_vec(out_shape, out).unwrap())
}

/// Count, mean and M2 of each cell (Welford's update along the reduced axis; NaN skipped when
/// `skip`).
fn moments_of(arranged: &Arranged, skip: bool) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (outer, reduced, inner) = (arranged.outer, arranged.reduced, arranged.inner);
    let cells = outer * inner;
    let values = arranged.floats.as_ref().unwrap();
    let mut count = vec![0.0; cells];
    let mut mean = vec![0.0; cells];
    let mut m2 = vec![0.0; cells];
    for o in 0..outer {
        let block = &values[o * reduced * inner..(o + 1) * reduced * inner];
        if inner == 1 {
            let kept: Vec<f64>;
            let data: &[f64] = if skip {
                kept = block.iter().copied().filter(|x| !x.is_nan()).collect();
                &kept
            } else {
                block
            };
            let n = data.len() as f64;
            let m = if n > 0.0 {
                pairwise_sum(data) / n
            } else {
                f64::NAN
            };
            let deviations: Vec<f64> = data.iter().map(|x| (x - m) * (x - m)).collect();
            count[o] = n;
            mean[o] = if n > 0.0 { m } else { 0.0 };
            m2[o] = pairwise_sum(&deviations);
        } else if reduced == 1 {
            // One value per cell: its own mean, nothing to spread.
            for (c, &x) in block.iter().enumerate() {
                if !(skip && x.is_nan()) {
                    let cell = o * inner + c;
                    count[cell] = 1.0;
                    mean[cell] = x;
                    // An infinite value's deviation from itself is NaN, as in NumPy.
                    m2[cell] = if x.is_finite() { 0.0 } else { f64::NAN };
                }
            }
        } else {
            for r in 0..reduced {
                let row = &block[r * inner..(r + 1) * inner];
                for c in 0..inner {
                    let x = row[c];
                    if skip && x.is_nan() {
                        continue;
                    }
                    let cell = o * inner + c;
                    count[cell] += 1.0;
                    let delta = x - mean[cell];
                    mean[cell] += delta / count[cell];
                    m2[cell] += delta * (x - mean[cell]);
                }
            }
            // The running update makes NaN of an infinity (inf - inf): such cells are taken
            // again, after the loop so it stays branch-free for finite data.
            for c in 0..inner {
                let cell = o * inner + c;
                if !mean[cell].is_finite() {
                    let lane = (0..reduced).map(|r| block[r * inner + c]);
                    (mean[cell], m2[cell]) = moments_with_infinities(lane, skip);
                }
            }
        }
    }
    (count, mean, m2)
}

/// The mean and M2 of values with an infinity or NaN among them, as NumPy's: the mean is the
/// sum's (inf, or NaN for inf - inf) and the spread NaN.
fn moments_with_infinities(values: impl Iterator<Item = f64>, skip_nan: bool) -> (f64, f64) {
    let kept: Vec<f64> = values.filter(|x| !(skip_nan && x.is_nan())).collect();
    let sum: f64 = kept.iter().sum();
    let mean = sum / kept.len() as f64;
    (mean, f64::NAN)
}

/// The best value (smallest for argmin, largest for argmax; NaN wins) of each cell and its
/// global index.
fn arg_of(
    arranged: &Arranged,
    reduction: Reduction,
    position: &Position,
    axes: &[usize],
) -> (Vec<f64>, Vec<i64>) {
    let (outer, reduced, inner) = (arranged.outer, arranged.reduced, arranged.inner);
    let cells = outer * inner;
    let values = arranged.floats.as_ref().unwrap();
    let mut best = vec![f64::NAN; cells];
    let mut index = vec![-1i64; cells];
    let want_min = reduction == Reduction::ArgMin;
    for o in 0..outer {
        for r in 0..reduced {
            for c in 0..inner {
                let x = values[(o * reduced + r) * inner + c];
                let cell = o * inner + c;
                let better = index[cell] < 0
                    || (!best[cell].is_nan()
                        && (x.is_nan()
                            || if want_min {
                                x < best[cell]
                            } else {
                                x > best[cell]
                            }));
                if better {
                    best[cell] = x;
                    index[cell] = global_index(arranged, position, axes, o, r, c) as i64;
                }
            }
        }
    }
    (best, index)
}

/// Sums, products, minima and maxima of float cells (sums along a contiguous axis pairwise).
fn floats_of(arranged: &Arranged, values: &[f64], reduction: Reduction) -> Vec<f64> {
    use Reduction::*;
    let (outer, reduced, inner) = (arranged.outer, arranged.reduced, arranged.inner);
    let cells = outer * inner;
    let mut out = vec![identity_f64(reduction); cells];
    for o in 0..outer {
        let block = &values[o * reduced * inner..(o + 1) * reduced * inner];
        if inner == 1 && matches!(reduction, Sum | NanSum) {
            out[o] = if reduction == NanSum {
                pairwise_sum(
                    &block
                        .iter()
                        .copied()
                        .filter(|x| !x.is_nan())
                        .collect::<Vec<_>>(),
                )
            } else {
                pairwise_sum(block)
            };
            continue;
        }
        for r in 0..reduced {
            for c in 0..inner {
                let cell = o * inner + c;
                out[cell] = combine_f64(reduction, out[cell], block[r * inner + c]);
            }
        }
    }
    out
}

/// The same of integer cells (and any/all of bools).
fn ints_of_arranged(arranged: &Arranged, reduction: Reduction) -> Vec<i64> {
    use Reduction::*;
    let (outer, reduced, inner) = (arranged.outer, arranged.reduced, arranged.inner);
    let cells = outer * inner;
    let values = arranged.ints.as_ref().unwrap();
    let mut out = vec![identity_i64(reduction); cells];
    for o in 0..outer {
        for r in 0..reduced {
            for c in 0..inner {
                let cell = o * inner + c;
                let x = values[(o * reduced + r) * inner + c];
                let x = if matches!(reduction, Any | All) {
                    (x != 0) as i64
                } else {
                    x
                };
                out[cell] = combine_i64(reduction, out[cell], x);
            }
        }
    }
    out
}

/// The global index an arg-reduction reports for element (o, r, c) of an arranged chunk: the
/// position along the reduced axis, or the flat index in the whole array.
fn global_index(
    arranged: &Arranged,
    position: &Position,
    axes: &[usize],
    o: usize,
    r: usize,
    c: usize,
) -> usize {
    let ndim = arranged.permuted_shape.len();
    let flat = (o * arranged.reduced + r) * arranged.inner + c;
    // Local coordinates in the arranged order, then back to the chunk's axes.
    let mut local = vec![0usize; ndim];
    let mut rest = flat;
    for k in (0..ndim).rev() {
        local[k] = rest % arranged.permuted_shape[k].max(1);
        rest /= arranged.permuted_shape[k].max(1);
    }
    let mut coords = vec![0usize; ndim];
    for (k, &axis) in arranged.axis_order.iter().enumerate() {
        coords[axis] = local[k] + position.origin[axis];
    }
    if axes.len() == 1 && axes.len() < ndim {
        return coords[axes[0]];
    }
    coords
        .iter()
        .zip(position.array_shape.iter())
        .fold(0, |acc, (&i, &n)| acc * n + i)
}

pub fn identity_f64(reduction: Reduction) -> f64 {
    use Reduction::*;
    match reduction {
        Prod | NanProd | All => 1.0,
        Min => f64::INFINITY,
        Max => f64::NEG_INFINITY,
        // NaN, so an all-NaN cell stays NaN (f64::min and max skip a NaN operand).
        NanMin | NanMax => f64::NAN,
        _ => 0.0,
    }
}

pub fn identity_i64(reduction: Reduction) -> i64 {
    use Reduction::*;
    match reduction {
        Prod | NanProd | All => 1,
        Min | NanMin => i64::MAX,
        Max | NanMax => i64::MIN,
        _ => 0,
    }
}

fn combine_f64(reduction: Reduction, acc: f64, x: f64) -> f64 {
    use Reduction::*;
    match reduction {
        Sum => acc + x,
        NanSum => {
            if x.is_nan() {
                acc
            } else {
                acc + x
            }
        }
        Prod => acc * x,
        NanProd => {
            if x.is_nan() {
                acc
            } else {
                acc * x
            }
        }
        Min => {
            if acc.is_nan() || x.is_nan() {
                f64::NAN
            } else {
                acc.min(x)
            }
        }
        Max => {
            if acc.is_nan() || x.is_nan() {
                f64::NAN
            } else {
                acc.max(x)
            }
        }
        NanMin => acc.min(x),
        NanMax => acc.max(x),
        Any => acc.max((x != 0.0) as i64 as f64),
        All => acc.min((x != 0.0) as i64 as f64),
        _ => unreachable!("{reduction:?} is not a value reduction"),
    }
}

fn combine_i64(reduction: Reduction, acc: i64, x: i64) -> i64 {
    use Reduction::*;
    match reduction {
        Sum | NanSum => acc.wrapping_add(x),
        Prod | NanProd => acc.wrapping_mul(x),
        Min | NanMin | All => acc.min(x),
        Max | NanMax | Any => acc.max(x),
        _ => unreachable!("{reduction:?} is not a value reduction"),
    }
}

/// Combine partials of the same cells.
pub fn combine(reduction: Reduction, partials: &[&Partial]) -> Partial {
    match partials[0] {
        Partial::Grouped { .. } => return super::group::combine(reduction, partials),
        Partial::Digest(_) => {
            let digests: Vec<_> = partials
                .iter()
                .map(|p| match p {
                    Partial::Digest(d) => d,
                    _ => unreachable!("partials of one reduction have one kind"),
                })
                .collect();
            return Partial::Digest(super::sketch::Digest::merge(&digests));
        }
        _ => {}
    }
    let mut iter = partials.iter();
    let mut acc = (*iter.next().expect("at least one partial")).clone();
    for next in iter {
        match (&mut acc, next) {
            (Partial::Float(a), Partial::Float(b)) => a.zip_mut_with(b, |x, &y| {
                *x = match reduction {
                    Reduction::Sum | Reduction::NanSum => *x + y,
                    Reduction::Prod | Reduction::NanProd => *x * y,
                    other => combine_f64(other, *x, y),
                }
            }),
            (Partial::Int(a), Partial::Int(b)) => {
                a.zip_mut_with(b, |x, &y| *x = combine_i64(reduction, *x, y))
            }
            (
                Partial::Moments { count, mean, m2 },
                Partial::Moments {
                    count: nb,
                    mean: mb,
                    m2: m2b,
                },
            ) => {
                let standard = "partials are in standard layout";
                let (count, mean, m2) = (
                    count.as_slice_mut().expect(standard),
                    mean.as_slice_mut().expect(standard),
                    m2.as_slice_mut().expect(standard),
                );
                let (nb, mb, m2b) = (
                    nb.as_slice().expect(standard),
                    mb.as_slice().expect(standard),
                    m2b.as_slice().expect(standard),
                );
                for k in 0..count.len() {
                    let b = nb[k];
                    if b == 0.0 {
                        continue;
                    }
                    let a = count[k];
                    let n = a + b;
                    if a > 0.0 && !(mean[k].is_finite() && mb[k].is_finite()) {
                        // Infinities: the mean is the sum's, the spread NaN (as above).
                        mean[k] += mb[k];
                        m2[k] = f64::NAN;
                        count[k] = n;
                        continue;
                    }
                    let share = b / n;
                    let delta = mb[k] - mean[k];
                    mean[k] += delta * share;
                    m2[k] += m2b[k] + delta * delta * a * share;
                    count[k] = n;
                }
            }
            (
                Partial::Arg { value, index },
                Partial::Arg {
                    value: vb,
                    index: ib,
                },
            ) if reduction.is_positional() => {
                // The earlier (first) or later (last) position; none is `group::NONE`.
                let last = matches!(reduction, Reduction::Last | Reduction::NanLast);
                let (value, index) = (
                    value.as_slice_mut().expect("standard layout"),
                    index.as_slice_mut().expect("standard layout"),
                );
                let (vb, ib) = (
                    vb.as_slice().expect("standard layout"),
                    ib.as_slice().expect("standard layout"),
                );
                for k in 0..value.len() {
                    let none = super::group::NONE;
                    let take = ib[k] != none && (index[k] == none || (ib[k] > index[k]) == last);
                    if take {
                        value[k] = vb[k];
                        index[k] = ib[k];
                    }
                }
            }
            (
                Partial::Arg { value, index },
                Partial::Arg {
                    value: vb,
                    index: ib,
                },
            ) => {
                let want_min = reduction == Reduction::ArgMin;
                for k in 0..value.len() {
                    let (a, b) = (value.as_slice().unwrap()[k], vb.as_slice().unwrap()[k]);
                    let (ia, ibk) = (index.as_slice().unwrap()[k], ib.as_slice().unwrap()[k]);
                    let take = if a.is_nan() || b.is_nan() {
                        b.is_nan() && (!a.is_nan() || ibk < ia)
                    } else if a == b {
                        ibk < ia
                    } else if want_min {
                        b < a
                    } else {
                        b > a
                    };
                    if take {
                        value.as_slice_mut().unwrap()[k] = b;
                        index.as_slice_mut().unwrap()[k] = ibk;
                    }
                }
            }
            (Partial::Counts(a), Partial::Counts(b)) => {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
            }
            _ => unreachable!("partials of one reduction have one kind"),
        }
    }
    acc
}

/// The result chunk of a combined partial, in `dtype` and `shape` (reduced axes dropped unless
/// kept).
pub fn finalize(
    partial: &Partial,
    reduction: Reduction,
    ddof: usize,
    dtype: DType,
    shape: &[usize],
) -> ChunkData {
    use Reduction::*;
    if matches!(partial, Partial::Grouped { .. }) {
        return super::group::finalize(partial, reduction, ddof, dtype, shape);
    }
    let shape = IxDyn(shape);
    let chunk = match partial {
        Partial::Float(a) => ChunkData::F64(a.clone()),
        Partial::Int(a) => ChunkData::I64(a.clone()),
        Partial::Counts(c) => {
            ChunkData::I64(ArrayD::from_shape_vec(IxDyn(&[c.len()]), c.clone()).unwrap())
        }
        Partial::Arg { value, .. } if reduction.is_positional() => ChunkData::F64(value.clone()),
        Partial::Arg { index, .. } => ChunkData::I64(index.clone()),
        Partial::Grouped { .. } => unreachable!("finalized by group.rs"),
        Partial::Digest(_) => unreachable!("read by a SketchQuantiles task"),
        Partial::Moments { count, mean, m2 } => {
            let values: Vec<f64> = (0..count.len())
                .map(|k| {
                    let (n, m, s) = (
                        count.as_slice().unwrap()[k],
                        mean.as_slice().unwrap()[k],
                        m2.as_slice().unwrap()[k],
                    );
                    match reduction {
                        Mean | NanMean => {
                            if n == 0.0 {
                                f64::NAN
                            } else {
                                m
                            }
                        }
                        _ => {
                            // As NumPy: no degrees of freedom left divides by zero (inf, or
                            // nan for 0/0) in var and std; nanvar and nanstd give nan.
                            let freedom = n - ddof as f64;
                            let variance = match reduction {
                                NanVar | NanStd if freedom <= 0.0 => f64::NAN,
                                _ => s / freedom.max(0.0),
                            };
                            if matches!(reduction, Std | NanStd) {
                                variance.sqrt()
                            } else {
                                variance
                            }
                        }
                    }
                })
                .collect();
            ChunkData::F64(ArrayD::from_shape_vec(count.raw_dim(), values).unwrap())
        }
    };
    chunk.into_dtype(dtype).reshape(shape.slice())
}

/// Histogram counts with NumPy's algorithm for equal bins, including its edge corrections, so
/// counts match `numpy.histogram` exactly.
pub struct Histogram {
    counts: Vec<i64>,
    edges: Vec<f64>,
    low: f64,
    high: f64,
    norm: f64,
}

impl Histogram {
    pub fn new(bins: usize, low: f64, high: f64) -> Histogram {
        // The edges exactly as numpy.linspace makes them: low + i * step, the last one `high`.
        let step = (high - low) / bins as f64;
        let edges = (0..=bins)
            .map(|i| {
                if i == bins {
                    high
                } else {
                    i as f64 * step + low
                }
            })
            .collect();
        Histogram {
            counts: vec![0; bins],
            edges,
            low,
            high,
            norm: bins as f64 / (high - low),
        }
    }

    /// For values of an f32 array: the edges as f32 (NumPy's edges of f32 input are f32) and
    /// each value's bin found in f32 arithmetic, as NumPy computes it, so a value equal to an
    /// f32 edge lands where NumPy puts it.
    pub fn add_single(&mut self, values: &[f32]) {
        let bins = self.counts.len();
        let (low, high) = (self.low as f32, self.high as f32);
        let norm = self.norm as f32;
        let edges: Vec<f32> = self.edges.iter().map(|&e| e as f32).collect();
        for &x in values {
            if !(x >= low && x <= high) {
                continue;
            }
            let mut index = (((x - low) * norm) as usize).min(bins - 1);
            if x < edges[index] {
                index = index.saturating_sub(1);
            } else if index + 1 < bins && x >= edges[index + 1] {
                index += 1;
            }
            self.counts[index] += 1;
        }
    }

    pub fn add(&mut self, values: &[f64]) {
        let bins = self.counts.len();
        for &x in values {
            if !(x >= self.low && x <= self.high) {
                continue;
            }
            let mut index = ((x - self.low) * self.norm) as usize;
            if index == bins {
                index -= 1;
            }
            if x < self.edges[index] {
                index -= 1;
            } else if index + 1 < bins && x >= self.edges[index + 1] {
                index += 1;
            }
            self.counts[index] += 1;
        }
    }

    pub fn into_partial(self) -> Partial {
        Partial::Counts(self.counts)
    }
}

/// Histogram counts of one chunk.
pub fn histogram_partial(chunk: &ChunkData, bins: usize, low: f64, high: f64) -> Partial {
    let mut histogram = Histogram::new(bins, low, high);
    match chunk {
        ChunkData::F64(a) if a.as_slice().is_some() => histogram.add(a.as_slice().unwrap()),
        ChunkData::F32(a) => match a.as_slice() {
            Some(values) => histogram.add_single(values),
            None => histogram.add_single(&a.iter().copied().collect::<Vec<f32>>()),
        },
        other => histogram.add(other.to_f64().as_slice().expect("to_f64 is contiguous")),
    }
    histogram.into_partial()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(shape: &[usize]) -> Position {
        Position {
            origin: vec![0; shape.len()],
            array_shape: shape.into(),
        }
    }

    #[test]
    fn chunked_variance_equals_whole_variance() {
        let values: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 7.0)
            .collect();
        let whole = ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&[1000]), values.clone()).unwrap());
        let expected = finalize(
            &partial(&whole, Reduction::Var, &[0], &position(&[1000])),
            Reduction::Var,
            0,
            DType::F64,
            &[],
        );
        let parts: Vec<Partial> = values
            .chunks(77)
            .map(|c| {
                let chunk =
                    ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&[c.len()]), c.to_vec()).unwrap());
                partial(&chunk, Reduction::Var, &[0], &position(&[c.len()]))
            })
            .collect();
        let combined = combine(Reduction::Var, &parts.iter().collect::<Vec<_>>());
        let got = finalize(&combined, Reduction::Var, 0, DType::F64, &[]);
        let (a, b) = (expected.to_f64().sum(), got.to_f64().sum());
        assert!((a - b).abs() < 1e-9 * a.abs(), "{a} {b}");
    }

    #[test]
    fn reduce_axis_zero_of_a_matrix() {
        let chunk = ChunkData::F64(
            ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1., 2., 3., 4., 5., 6.]).unwrap(),
        );
        let p = partial(&chunk, Reduction::Sum, &[0], &position(&[2, 3]));
        let out = finalize(&p, Reduction::Sum, 0, DType::F64, &[3]);
        assert_eq!(out.to_f64().as_slice().unwrap(), &[5., 7., 9.]);
        let p = partial(&chunk, Reduction::ArgMax, &[1], &position(&[2, 3]));
        let out = finalize(&p, Reduction::ArgMax, 0, DType::I64, &[2]);
        assert_eq!(out.to_f64().as_slice().unwrap(), &[2., 2.]);
    }
}
