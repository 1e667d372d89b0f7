//! Moving windows along one axis of a chunk that holds a block and its halo (the `window - 1`
//! values after it): value `i` of the result reduces `input[i .. i + window]`. NaN is skipped
//! and a window with fewer than `min_periods` other values gives NaN, as xarray's rolling
//! reductions do. The chunk is walked row by row along the axis, each row a contiguous run of
//! the lanes beside it, so every lane advances at once and memory is read in order: sums and
//! means are running (compensated) sums, variances two passes over each window up to 64 long
//! (as NumPy: a constant window is exactly 0) and Welford's running update beyond, minima and
//! maxima van Herk and Gil-Werman's prefix and suffix extremes of window-long blocks.

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::Moving;
use ndarray::{ArrayD, IxDyn};

pub fn rolling(
    chunk: &ChunkData,
    axis: usize,
    window: usize,
    min_periods: usize,
    how: Moving,
    ddof: usize,
    dtype: DType,
) -> ChunkData {
    let values = chunk.to_f64();
    let values = values.as_standard_layout();
    let data = values.as_slice().expect("standard layout");
    let shape = values.shape();
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let length = shape[axis];
    let kept = length.saturating_sub(window - 1);
    let mut out = vec![0.0f64; outer * kept * inner];
    if kept > 0 && inner > 0 {
        for o in 0..outer {
            let lanes = Lanes {
                rows: &data[o * length * inner..(o + 1) * length * inner],
                length,
                inner,
                window,
                min_periods,
            };
            let into = &mut out[o * kept * inner..(o + 1) * kept * inner];
            match how {
                Moving::Sum | Moving::Mean => lanes.sums(how == Moving::Mean, into),
                Moving::Min | Moving::Max => lanes.extremes(how == Moving::Max, into),
                Moving::Var | Moving::Std => {
                    if window <= DIRECT_VARIANCE {
                        lanes.spreads_directly(ddof, into);
                    } else {
                        lanes.spreads(ddof, into);
                    }
                    if how == Moving::Std {
                        into.iter_mut().for_each(|v| *v = v.sqrt());
                    }
                }
            }
        }
    }
    let mut out_shape = shape.to_vec();
    out_shape[axis] = kept;
    let out = ArrayD::from_shape_vec(IxDyn(&out_shape), out).expect("one value per window");
    ChunkData::F64(out).into_dtype(dtype)
}

/// Windows up to this long have their variance taken from their values (two passes, as NumPy:
/// a constant window is exactly 0); longer ones by Welford's running update.
const DIRECT_VARIANCE: usize = 64;

/// `length` rows of `inner` values (the lanes side by side) for windows of `window` rows.
struct Lanes<'a> {
    rows: &'a [f64],
    length: usize,
    inner: usize,
    window: usize,
    min_periods: usize,
}

/// What the windows of each lane hold: finite values (their compensated sum, or Welford's
/// mean and M2), +inf and -inf; NaN is not counted.
struct Held {
    finite: Vec<usize>,
    plus_inf: Vec<usize>,
    minus_inf: Vec<usize>,
}

impl Held {
    fn new(inner: usize) -> Held {
        Held {
            finite: vec![0; inner],
            plus_inf: vec![0; inner],
            minus_inf: vec![0; inner],
        }
    }

    /// Count `x` in (or out of) lane `c`; true when it is finite.
    fn change(&mut self, c: usize, x: f64, entering: bool) -> bool {
        let count = if x.is_finite() {
            &mut self.finite[c]
        } else if x == f64::INFINITY {
            &mut self.plus_inf[c]
        } else if x == f64::NEG_INFINITY {
            &mut self.minus_inf[c]
        } else {
            return false;
        };
        if entering {
            *count += 1;
        } else {
            *count -= 1;
        }
        x.is_finite()
    }

    fn valid(&self, c: usize) -> usize {
        self.finite[c] + self.plus_inf[c] + self.minus_inf[c]
    }

    /// The sum of lane `c`'s window when it holds an infinity: inf, -inf, or NaN for both.
    fn infinite(&self, c: usize) -> Option<f64> {
        match (self.plus_inf[c] > 0, self.minus_inf[c] > 0) {
            (true, true) => Some(f64::NAN),
            (true, false) => Some(f64::INFINITY),
            (false, true) => Some(f64::NEG_INFINITY),
            (false, false) => None,
        }
    }
}

impl Lanes<'_> {
    fn row(&self, r: usize) -> &[f64] {
        &self.rows[r * self.inner..(r + 1) * self.inner]
    }

    /// Running sums with Neumaier's compensation, so values leaving a window leave no error.
    fn sums(&self, mean: bool, out: &mut [f64]) {
        let inner = self.inner;
        let (mut sum, mut carry) = (vec![0.0f64; inner], vec![0.0f64; inner]);
        let mut held = Held::new(inner);
        let add = |c: usize, x: f64, sum: &mut [f64], carry: &mut [f64]| {
            let t = sum[c] + x;
            carry[c] += if sum[c].abs() >= x.abs() {
                (sum[c] - t) + x
            } else {
                (x - t) + sum[c]
            };
            sum[c] = t;
        };
        for r in 0..self.length {
            for (c, &x) in self.row(r).iter().enumerate() {
                if held.change(c, x, true) {
                    add(c, x, &mut sum, &mut carry);
                }
            }
            if r >= self.window {
                for (c, &x) in self.row(r - self.window).iter().enumerate() {
                    if held.change(c, x, false) {
                        add(c, -x, &mut sum, &mut carry);
                    }
                }
            }
            if r + 1 < self.window {
                continue;
            }
            let at = (r + 1 - self.window) * inner;
            for c in 0..inner {
                let valid = held.valid(c);
                out[at + c] = if valid < self.min_periods || valid == 0 {
                    f64::NAN
                } else {
                    let total = held.infinite(c).unwrap_or(sum[c] + carry[c]);
                    if mean {
                        total / valid as f64
                    } else {
                        total
                    }
                };
                if held.finite[c] == 0 {
                    // Nothing finite left: start afresh, with no rounding carried on.
                    (sum[c], carry[c]) = (0.0, 0.0);
                }
            }
        }
    }

    /// Each window's mean, then the squares of its deviations, row by row.
    fn spreads_directly(&self, ddof: usize, out: &mut [f64]) {
        let inner = self.inner;
        let (mut sum, mut m2) = (vec![0.0f64; inner], vec![0.0f64; inner]);
        let (mut finite, mut valid) = (vec![0usize; inner], vec![0usize; inner]);
        let mut infinite = vec![false; inner];
        for first in 0..=self.length - self.window {
            sum.fill(0.0);
            m2.fill(0.0);
            finite.fill(0);
            valid.fill(0);
            infinite.fill(false);
            let rows = first..first + self.window;
            for r in rows.clone() {
                for (c, &x) in self.row(r).iter().enumerate() {
                    if x.is_finite() {
                        sum[c] += x;
                        finite[c] += 1;
                    }
                    valid[c] += usize::from(!x.is_nan());
                    infinite[c] |= x.is_infinite();
                }
            }
            for (c, total) in sum.iter_mut().enumerate() {
                *total /= finite[c].max(1) as f64;
            }
            for r in rows {
                for (c, &x) in self.row(r).iter().enumerate() {
                    if x.is_finite() {
                        m2[c] += (x - sum[c]) * (x - sum[c]);
                    }
                }
            }
            let at = first * inner;
            for c in 0..inner {
                out[at + c] = if valid[c] < self.min_periods
                    || valid[c] == 0
                    || infinite[c]
                    || finite[c] <= ddof
                {
                    f64::NAN
                } else {
                    m2[c] / (finite[c] - ddof) as f64
                };
            }
        }
    }

    /// Welford's update, adding the row entering and taking out the row leaving.
    fn spreads(&self, ddof: usize, out: &mut [f64]) {
        let inner = self.inner;
        let (mut mean, mut m2) = (vec![0.0f64; inner], vec![0.0f64; inner]);
        let mut held = Held::new(inner);
        for r in 0..self.length {
            for (c, &x) in self.row(r).iter().enumerate() {
                if held.change(c, x, true) {
                    let n = held.finite[c] as f64;
                    let delta = x - mean[c];
                    mean[c] += delta / n;
                    m2[c] += delta * (x - mean[c]);
                }
            }
            if r >= self.window {
                for (c, &y) in self.row(r - self.window).iter().enumerate() {
                    if held.change(c, y, false) {
                        let n = held.finite[c];
                        if n == 0 {
                            (mean[c], m2[c]) = (0.0, 0.0);
                        } else {
                            let delta = y - mean[c];
                            mean[c] -= delta / n as f64;
                            m2[c] -= delta * (y - mean[c]);
                        }
                    }
                }
            }
            if r + 1 < self.window {
                continue;
            }
            let at = (r + 1 - self.window) * inner;
            for c in 0..inner {
                let (valid, n) = (held.valid(c), held.finite[c]);
                out[at + c] = if valid < self.min_periods
                    || valid == 0
                    || held.infinite(c).is_some()
                    || n <= ddof
                {
                    f64::NAN
                } else {
                    (m2[c] / (n - ddof) as f64).max(0.0)
                };
            }
        }
    }

    /// van Herk and Gil-Werman: over blocks of `window` rows, the running extreme from each
    /// block's start (`from_start`) and to its end (`to_end`); the window from row i is
    /// `to_end[i]` and `from_start[i + window - 1]`. NaN counts as the losing infinity.
    fn extremes(&self, max: bool, out: &mut [f64]) {
        let (inner, window, length) = (self.inner, self.window, self.length);
        let loser = if max {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        let pick = |a: f64, b: f64| if max { a.max(b) } else { a.min(b) };
        let value = |x: f64| if x.is_nan() { loser } else { x };
        let mut from_start = vec![0.0f64; length * inner];
        let mut to_end = vec![0.0f64; length * inner];
        for r in 0..length {
            for (c, &x) in self.row(r).iter().enumerate() {
                let k = r * inner + c;
                from_start[k] = if r % window == 0 {
                    value(x)
                } else {
                    pick(from_start[k - inner], value(x))
                };
            }
        }
        for r in (0..length).rev() {
            for (c, &x) in self.row(r).iter().enumerate() {
                let k = r * inner + c;
                to_end[k] = if r % window == window - 1 || r == length - 1 {
                    value(x)
                } else {
                    pick(to_end[k + inner], value(x))
                };
            }
        }
        let mut valid = vec![0usize; inner];
        for r in 0..length {
            for (c, &x) in self.row(r).iter().enumerate() {
                valid[c] += usize::from(!x.is_nan());
            }
            if r >= window {
                for (c, &x) in self.row(r - window).iter().enumerate() {
                    valid[c] -= usize::from(!x.is_nan());
                }
            }
            if r + 1 < window {
                continue;
            }
            let first = r + 1 - window;
            for c in 0..inner {
                out[first * inner + c] = if valid[c] < self.min_periods || valid[c] == 0 {
                    f64::NAN
                } else {
                    pick(to_end[first * inner + c], from_start[r * inner + c])
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lane: &[f64], window: usize, min_periods: usize, how: Moving, ddof: usize) -> Vec<f64> {
        let chunk =
            ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&[lane.len()]), lane.to_vec()).unwrap());
        match rolling(&chunk, 0, window, min_periods, how, ddof, DType::F64) {
            ChunkData::F64(a) => a.iter().copied().collect(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn long_windows_agree_with_values_computed_directly() {
        let lane: Vec<f64> = (0..500)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) * 1.7 + 280.0)
            .collect();
        let window = 100;
        let variances = run(&lane, window, 1, Moving::Var, 1);
        let maxima = run(&lane, window, 1, Moving::Max, 0);
        let minima = run(&lane, window, 1, Moving::Min, 0);
        for i in 0..lane.len() - window + 1 {
            let values = &lane[i..i + window];
            let mean = values.iter().sum::<f64>() / window as f64;
            let want = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 99.0;
            assert!(
                (variances[i] - want).abs() <= 1e-9 * want,
                "{i}: {} {want}",
                variances[i]
            );
            assert_eq!(maxima[i], values.iter().cloned().fold(f64::MIN, f64::max));
            assert_eq!(minima[i], values.iter().cloned().fold(f64::MAX, f64::min));
        }
    }

    #[test]
    fn constant_windows_have_no_spread() {
        assert_eq!(
            run(&[1.0, 1.1, 1.1, 1.1], 2, 2, Moving::Std, 0)[1..],
            [0.0, 0.0]
        );
        assert_eq!(run(&[0.3, 0.1, 0.7], 1, 1, Moving::Var, 0), [0.0, 0.0, 0.0]);
    }

    #[test]
    fn nan_and_infinities_as_xarray() {
        let nan = f64::NAN;
        let lane = [1.0, 2.0, nan, 4.0, f64::INFINITY, 6.0];
        let sums = run(&lane, 2, 1, Moving::Sum, 0);
        assert_eq!(sums[..3], [3.0, 2.0, 4.0]);
        assert_eq!(sums[3], f64::INFINITY);
        assert!(run(&lane, 2, 2, Moving::Mean, 0)[1].is_nan());
        assert_eq!(run(&lane, 3, 1, Moving::Min, 0), vec![1.0, 2.0, 4.0, 4.0]);
        assert!(run(&[nan, nan, 1.0], 2, 1, Moving::Max, 0)[0].is_nan());
    }

    #[test]
    fn lanes_side_by_side_are_independent() {
        // Two lanes along axis 0 of a (4, 2) chunk: [1 2 3 4] and [10 nan 30 40].
        let data = vec![1.0, 10.0, 2.0, f64::NAN, 3.0, 30.0, 4.0, 40.0];
        let chunk = ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&[4, 2]), data).unwrap());
        let ChunkData::F64(sums) = rolling(&chunk, 0, 2, 1, Moving::Sum, 0, DType::F64) else {
            unreachable!()
        };
        let got: Vec<f64> = sums.iter().copied().collect();
        assert_eq!(got, vec![3.0, 10.0, 5.0, 30.0, 7.0, 70.0]);
    }
}
