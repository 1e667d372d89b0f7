//! Quantiles of a chunk's lanes along one axis, as NumPy computes them: the lane sorted, the
//! quantile's position `q * (n - 1)` between two neighbours taken by `method`. A lane holding
//! NaN gives NaN, unless NaN is skipped (`nanmedian`, `nanpercentile`); a lane of only NaN
//! then gives NaN.

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::{QuantileMethod, Sorting};
use ndarray::{ArrayD, Axis, IxDyn};

pub fn quantiles(
    chunk: &ChunkData,
    axis: usize,
    q: &[f64],
    q_axis: bool,
    method: QuantileMethod,
    skip_nan: bool,
    dtype: DType,
) -> ChunkData {
    let values = chunk.to_f64();
    let lanes = values.lanes(Axis(axis));
    let kept_shape: Vec<usize> = (0..values.ndim())
        .filter(|&a| a != axis)
        .map(|a| values.shape()[a])
        .collect();
    let lane_count: usize = kept_shape.iter().product();
    // Per quantile, per lane (row-major over the kept axes, as `lanes` walks them).
    let mut out = vec![0.0f64; q.len() * lane_count];
    let mut sorted: Vec<f64> = Vec::new();
    for (k, lane) in lanes.into_iter().enumerate() {
        sorted.clear();
        sorted.extend(lane.iter().copied().filter(|x| !(skip_nan && x.is_nan())));
        let has_nan = sorted.iter().any(|x| x.is_nan());
        sorted.sort_by(f64::total_cmp);
        for (j, &p) in q.iter().enumerate() {
            out[j * lane_count + k] = if has_nan || sorted.is_empty() {
                f64::NAN
            } else {
                quantile_of_sorted(&sorted, p, method)
            };
        }
    }
    let mut shape = kept_shape;
    if q_axis {
        shape.insert(0, q.len());
    }
    let result = ArrayD::from_shape_vec(IxDyn(&shape), out).expect("one value per lane and q");
    ChunkData::F64(result).into_dtype(dtype)
}

/// NumPy's quantile of sorted values at `q` in [0, 1].
fn quantile_of_sorted(sorted: &[f64], q: f64, method: QuantileMethod) -> f64 {
    quantile_of(sorted.len(), |i| sorted[i], q, method)
}

/// NumPy's quantile at `q` in [0, 1] of `len` sorted values, the `i`-th being `value(i)`.
pub fn quantile_of(
    len: usize,
    value: impl Fn(usize) -> f64,
    q: f64,
    method: QuantileMethod,
) -> f64 {
    let last = len - 1;
    let position = q * last as f64;
    let below = position.floor() as usize;
    let ceiling = (position.ceil() as usize).min(last);
    let fraction = position - below as f64;
    // NumPy interpolates towards the next value even at an exact position (with weight 0, so
    // an infinite neighbour gives NaN, as NumPy's does).
    let (low, high) = (value(below), value((below + 1).min(last)));
    // NumPy's interpolation, in the form it uses (exact at both ends; infinities give NaN).
    let between = |t: f64| {
        if t >= 0.5 {
            high - (high - low) * (1.0 - t)
        } else {
            low + (high - low) * t
        }
    };
    match method {
        QuantileMethod::Linear => between(fraction),
        QuantileMethod::Lower => low,
        QuantileMethod::Higher => value(ceiling),
        QuantileMethod::Midpoint => between(if fraction == 0.0 { 0.0 } else { 0.5 }),
        // np.median: the mean of the middle values (of [1, inf] inf, where interpolating
        // gives NaN).
        QuantileMethod::MiddleMean => (low + value(ceiling)) / 2.0,
        // Halves round to the even index, as NumPy's `around`.
        QuantileMethod::Nearest => value((position.round_ties_even() as usize).min(last)),
    }
}

/// The lanes of `chunk` along `axis` sorted as `sorting` says (see `ArrayOp::Sort`): values
/// compared in their own type (NaN last, as NumPy), indices by a stable sort.
pub fn sort(chunk: &ChunkData, axis: usize, sorting: Sorting, dtype: DType) -> ChunkData {
    crate::array::chunk::with_chunk!(chunk, a => sort_lanes(a, axis, sorting, nan_last))
        .into_dtype(dtype)
}

/// Ascending with NaN after every number (NumPy's sort order), for any element type.
#[allow(clippy::eq_op)]
pub fn nan_last<T: PartialOrd>(x: &T, y: &T) -> std::cmp::Ordering {
    // Only NaN is unequal to itself.
    x.partial_cmp(y).unwrap_or_else(|| (x != x).cmp(&(y != y)))
}

fn sort_lanes<T>(
    a: &ArrayD<T>,
    axis: usize,
    sorting: Sorting,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> ChunkData
where
    T: crate::array::chunk::Element,
{
    let length = a.shape()[axis];
    let kept = match sorting {
        Sorting::Values | Sorting::Indices => length,
        Sorting::Top(k) => (k.unsigned_abs() as usize).min(length),
    };
    let mut shape = a.shape().to_vec();
    shape[axis] = kept;
    let Some(&first) = a.first() else {
        return match sorting {
            Sorting::Indices => ChunkData::I64(ArrayD::zeros(IxDyn(&shape))),
            _ => T::chunk_of(ArrayD::from_shape_vec(IxDyn(&shape), vec![]).expect("empty")),
        };
    };
    let mut values: ArrayD<T> = ArrayD::from_elem(IxDyn(&shape), first);
    let mut indices: ArrayD<i64> = ArrayD::zeros(IxDyn(&shape));
    let mut positions: Vec<usize> = Vec::with_capacity(length);
    for ((lane, mut out_values), mut out_indices) in a
        .lanes(Axis(axis))
        .into_iter()
        .zip(values.lanes_mut(Axis(axis)))
        .zip(indices.lanes_mut(Axis(axis)))
    {
        positions.clear();
        positions.extend(0..length);
        // Stable: equal values keep their order (NumPy's kind="stable").
        match sorting {
            Sorting::Top(k) if k > 0 => {
                positions.sort_by(|&i, &j| order(&lane[j], &lane[i]));
            }
            _ => positions.sort_by(|&i, &j| order(&lane[i], &lane[j])),
        }
        for (slot, &p) in positions.iter().take(kept).enumerate() {
            out_values[slot] = lane[p];
            out_indices[slot] = p as i64;
        }
    }
    match sorting {
        Sorting::Indices => ChunkData::I64(indices),
        _ => T::chunk_of(values),
    }
}
