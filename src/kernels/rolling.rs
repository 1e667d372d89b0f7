//! Moving windows along one axis of a chunk that holds a block and its halo (the `window - 1`
//! values after it): value `i` of the result reduces `input[i .. i + window]`. NaN is skipped
//! and a window with fewer than `min_periods` other values gives NaN, as xarray's rolling
//! reductions do. Sums and means are running (compensated) sums, minima and maxima monotonic
//! queues — O(n) whatever the window — and variances are taken window by window for short
//! windows (exact, as NumPy's) and by Welford's running update for long ones.

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::Moving;
use ndarray::{ArrayD, Axis, IxDyn};
use std::collections::VecDeque;

/// Windows up to this long have their variance taken from their values directly.
const DIRECT_VARIANCE: usize = 64;

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
    let mut shape = values.shape().to_vec();
    shape[axis] = shape[axis].saturating_sub(window - 1);
    let mut out = ArrayD::<f64>::zeros(IxDyn(&shape));
    let mut lane: Vec<f64> = Vec::new();
    let mut result: Vec<f64> = Vec::new();
    for (input, mut output) in values
        .lanes(Axis(axis))
        .into_iter()
        .zip(out.lanes_mut(Axis(axis)))
    {
        lane.clear();
        lane.extend(input.iter().copied());
        result.clear();
        moving(&lane, window, min_periods, how, ddof, &mut result);
        for (slot, value) in output.iter_mut().zip(&result) {
            *slot = *value;
        }
    }
    ChunkData::F64(out).into_dtype(dtype)
}

/// The moving `how` of one lane, into `out` (one value per full window).
fn moving(
    lane: &[f64],
    window: usize,
    min_periods: usize,
    how: Moving,
    ddof: usize,
    out: &mut Vec<f64>,
) {
    if lane.len() < window {
        return;
    }
    match how {
        Moving::Sum | Moving::Mean => sums(lane, window, min_periods, how == Moving::Mean, out),
        Moving::Min | Moving::Max => extremes(lane, window, min_periods, how == Moving::Max, out),
        Moving::Var | Moving::Std => {
            spreads(lane, window, min_periods, ddof, out);
            if how == Moving::Std {
                out.iter_mut().for_each(|v| *v = v.sqrt());
            }
        }
    }
}

/// A running sum with Neumaier's compensation, so values leaving the window leave no error.
#[derive(Default)]
struct Compensated {
    sum: f64,
    carry: f64,
}

impl Compensated {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.carry += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.carry
    }
}

/// What a window holds: its finite values' count, and how many are +inf and -inf.
#[derive(Default)]
struct Held {
    finite: usize,
    plus_inf: usize,
    minus_inf: usize,
}

impl Held {
    fn change(&mut self, x: f64, entering: bool) {
        let count = if x == f64::INFINITY {
            &mut self.plus_inf
        } else if x == f64::NEG_INFINITY {
            &mut self.minus_inf
        } else if x.is_nan() {
            return;
        } else {
            &mut self.finite
        };
        if entering {
            *count += 1;
        } else {
            *count -= 1;
        }
    }

    fn valid(&self) -> usize {
        self.finite + self.plus_inf + self.minus_inf
    }

    /// The sum of the window when it holds an infinity: inf, -inf, or NaN for both.
    fn infinite(&self) -> Option<f64> {
        match (self.plus_inf > 0, self.minus_inf > 0) {
            (true, true) => Some(f64::NAN),
            (true, false) => Some(f64::INFINITY),
            (false, true) => Some(f64::NEG_INFINITY),
            (false, false) => None,
        }
    }
}

fn sums(lane: &[f64], window: usize, min_periods: usize, mean: bool, out: &mut Vec<f64>) {
    let mut total = Compensated::default();
    let mut held = Held::default();
    for (i, &x) in lane.iter().enumerate() {
        held.change(x, true);
        if x.is_finite() {
            total.add(x);
        }
        if i >= window {
            let leaving = lane[i - window];
            held.change(leaving, false);
            if leaving.is_finite() {
                total.add(-leaving);
            }
        }
        if i + 1 < window {
            continue;
        }
        let valid = held.valid();
        out.push(if valid < min_periods || valid == 0 {
            f64::NAN
        } else {
            let sum = held.infinite().unwrap_or_else(|| total.value());
            if mean {
                sum / valid as f64
            } else {
                sum
            }
        });
        if held.finite == 0 {
            // Nothing finite left: start the running sum afresh (no rounding carried on).
            total = Compensated::default();
        }
    }
}

fn extremes(lane: &[f64], window: usize, min_periods: usize, max: bool, out: &mut Vec<f64>) {
    // Positions of candidates, their values monotonic (decreasing for max, increasing for min).
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut valid = 0usize;
    let beaten = |candidate: f64, x: f64| if max { candidate <= x } else { candidate >= x };
    for (i, &x) in lane.iter().enumerate() {
        if !x.is_nan() {
            valid += 1;
            while queue.back().is_some_and(|&j| beaten(lane[j], x)) {
                queue.pop_back();
            }
            queue.push_back(i);
        }
        if i >= window {
            if !lane[i - window].is_nan() {
                valid -= 1;
            }
            while queue.front().is_some_and(|&j| j + window <= i) {
                queue.pop_front();
            }
        }
        if i + 1 < window {
            continue;
        }
        out.push(match queue.front() {
            Some(&j) if valid >= min_periods => lane[j],
            _ => f64::NAN,
        });
    }
}

fn spreads(lane: &[f64], window: usize, min_periods: usize, ddof: usize, out: &mut Vec<f64>) {
    let variance = |count: usize, m2: f64| {
        if count < min_periods || count == 0 || count <= ddof {
            f64::NAN
        } else {
            (m2 / (count - ddof) as f64).max(0.0)
        }
    };
    if window <= DIRECT_VARIANCE {
        for values in lane.windows(window) {
            let kept: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
            let n = kept.len();
            if n == 0 {
                out.push(f64::NAN);
                continue;
            }
            if kept.iter().any(|x| x.is_infinite()) {
                out.push(f64::NAN);
                continue;
            }
            let mean = kept.iter().sum::<f64>() / n as f64;
            let m2: f64 = kept.iter().map(|x| (x - mean) * (x - mean)).sum();
            out.push(variance(n, m2));
        }
        return;
    }
    // Welford's update, adding the value entering and taking out the one leaving.
    let (mut count, mut mean, mut m2) = (0usize, 0.0f64, 0.0f64);
    let mut held = Held::default();
    for (i, &x) in lane.iter().enumerate() {
        held.change(x, true);
        if x.is_finite() {
            count += 1;
            let delta = x - mean;
            mean += delta / count as f64;
            m2 += delta * (x - mean);
        }
        if i >= window {
            let y = lane[i - window];
            held.change(y, false);
            if y.is_finite() {
                count -= 1;
                if count == 0 {
                    (mean, m2) = (0.0, 0.0);
                } else {
                    let delta = y - mean;
                    mean -= delta / count as f64;
                    m2 -= delta * (y - mean);
                }
            }
        }
        if i + 1 < window {
            continue;
        }
        out.push(if held.infinite().is_some() {
            f64::NAN
        } else {
            variance(count, m2)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lane: &[f64], window: usize, min_periods: usize, how: Moving) -> Vec<f64> {
        let mut out = Vec::new();
        moving(lane, window, min_periods, how, 0, &mut out);
        out
    }

    #[test]
    fn long_windows_agree_with_short_ones_computed_directly() {
        let lane: Vec<f64> = (0..500)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) * 1.7 + 280.0)
            .collect();
        let window = 100;
        let mut running = Vec::new();
        spreads(&lane, window, 1, 1, &mut running);
        for (i, got) in running.iter().enumerate() {
            let values = &lane[i..i + window];
            let mean = values.iter().sum::<f64>() / window as f64;
            let want = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 99.0;
            assert!((got - want).abs() <= 1e-9 * want, "{i}: {got} {want}");
        }
        let maxima = run(&lane, window, 1, Moving::Max);
        for (i, got) in maxima.iter().enumerate() {
            let want = lane[i..i + window].iter().cloned().fold(f64::MIN, f64::max);
            assert_eq!(*got, want);
        }
    }

    #[test]
    fn nan_and_infinities_as_xarray() {
        let nan = f64::NAN;
        let lane = [1.0, 2.0, nan, 4.0, f64::INFINITY, 6.0];
        let sums = run(&lane, 2, 1, Moving::Sum);
        assert_eq!(sums[..3], [3.0, 2.0, 4.0]);
        assert_eq!(sums[3], f64::INFINITY);
        assert!(run(&lane, 2, 2, Moving::Mean)[1].is_nan());
        assert_eq!(run(&lane, 3, 1, Moving::Min), vec![1.0, 2.0, 4.0, 4.0]);
    }
}
