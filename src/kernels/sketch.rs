//! Approximate quantiles of all of an array's values in one streaming pass: a merging t-digest
//! (Dunning & Ertl, "Computing extremely accurate quantiles using t-digests", 2019) per chunk,
//! merged a few at a time up the reduction tree, then read at the quantiles asked for.
//!
//! A digest is a list of centroids (a mean and a weight, sorted by mean) whose weights the
//! scale function `k₁(q) = δ/2π · asin(2q − 1)` bounds: a centroid spans at most one unit of
//! `k₁`, so centroids are small near q = 0 and q = 1 (the extremes are kept exactly) and larger
//! near the median. With δ = [`COMPRESSION`] a digest holds at most about δ centroids whatever
//! the number of values, and the rank error is a small fraction of 1/δ near the middle, far
//! less in the tails (docs/arrays.md quotes measured errors).

use crate::array::chunk::ChunkData;
use ndarray::{ArrayD, IxDyn};
use std::f64::consts::PI;

/// δ: the number of `k₁` units, about the number of centroids a digest keeps.
pub const COMPRESSION: f64 = 1000.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    /// Centroid means, ascending.
    means: Vec<f64>,
    weights: Vec<f64>,
    min: f64,
    max: f64,
    /// NaNs seen (kept apart: a quantile of values with a NaN is NaN unless NaNs are skipped).
    nans: u64,
}

impl Digest {
    /// The digest of one chunk's values.
    pub fn of_chunk(chunk: &ChunkData) -> Digest {
        let values = chunk.to_f64();
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        let nans = (values.len() - sorted.len()) as u64;
        sorted.sort_unstable_by(f64::total_cmp);
        let weights = vec![1.0; sorted.len()];
        let extremes = (
            sorted.first().copied().unwrap_or(f64::NAN),
            sorted.last().copied().unwrap_or(f64::NAN),
        );
        Digest::compressed(sorted, weights, extremes, nans)
    }

    /// One digest of the values of all of `digests`.
    pub fn merge(digests: &[&Digest]) -> Digest {
        let mut centroids: Vec<(f64, f64)> = digests
            .iter()
            .flat_map(|d| d.means.iter().copied().zip(d.weights.iter().copied()))
            .collect();
        centroids.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (means, weights) = centroids.into_iter().unzip();
        let nans = digests.iter().map(|d| d.nans).sum();
        // f64::min and max skip the NaN extremes of digests without values.
        let extremes = digests.iter().fold((f64::NAN, f64::NAN), |(min, max), d| {
            (min.min(d.min), max.max(d.max))
        });
        Digest::compressed(means, weights, extremes, nans)
    }

    /// Centroids `means` (ascending) with `weights` merged greedily, left to right, while a
    /// centroid stays within one unit of `k₁`; `(min, max)` are the values' extremes.
    fn compressed(means: Vec<f64>, weights: Vec<f64>, (min, max): (f64, f64), nans: u64) -> Digest {
        let total: f64 = weights.iter().sum();
        let mut digest = Digest {
            means: Vec::new(),
            weights: Vec::new(),
            min,
            max,
            nans,
        };
        let mut pairs = means.into_iter().zip(weights);
        let Some((mut mean, mut weight)) = pairs.next() else {
            return digest;
        };
        let mut before = 0.0;
        let mut limit = total * k_inverse(k(0.0) + 1.0);
        for (next_mean, next_weight) in pairs {
            if before + weight + next_weight <= limit {
                // Sum-weighted mean, kept inside [mean, next_mean] against rounding.
                let merged = mean + (next_mean - mean) * next_weight / (weight + next_weight);
                mean = merged.clamp(mean, next_mean);
                weight += next_weight;
            } else {
                digest.means.push(mean);
                digest.weights.push(weight);
                before += weight;
                limit = total * k_inverse(k(before / total) + 1.0);
                (mean, weight) = (next_mean, next_weight);
            }
        }
        digest.means.push(mean);
        digest.weights.push(weight);
        digest
    }

    /// The number of values (NaNs aside).
    pub fn count(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// The quantile `q` (in [0, 1]) as NumPy's "linear" method defines it on the sorted
    /// values (position `q (n − 1)`), estimated by interpolating between the centroids, each
    /// standing at the middle of the ranks it holds; the minimum and maximum are exact.
    pub fn quantile(&self, q: f64, skip_nan: bool) -> f64 {
        if (self.nans > 0 && !skip_nan) || self.means.is_empty() {
            return f64::NAN;
        }
        let n = self.count();
        let rank = q * (n - 1.0);
        // (rank, value) knots: the minimum, each centroid's middle rank, the maximum.
        let mut previous = (0.0, self.min);
        let mut start = 0.0;
        for (&mean, &weight) in self.means.iter().zip(&self.weights) {
            let middle = start + (weight - 1.0) / 2.0;
            start += weight;
            let knot = (middle, mean);
            if rank <= knot.0 {
                return interpolate(previous, knot, rank);
            }
            previous = knot;
        }
        interpolate(previous, (n - 1.0, self.max), rank)
    }

    pub fn nbytes(&self) -> usize {
        self.means.len() * 16 + 32
    }
}

/// The value at `rank` on the line through two (rank, value) knots.
fn interpolate(low: (f64, f64), high: (f64, f64), rank: f64) -> f64 {
    if high.0 <= low.0 {
        return high.1;
    }
    let t = ((rank - low.0) / (high.0 - low.0)).clamp(0.0, 1.0);
    low.1 + (high.1 - low.1) * t
}

/// The scale function `k₁`.
fn k(q: f64) -> f64 {
    COMPRESSION / (2.0 * PI) * (2.0 * q.clamp(0.0, 1.0) - 1.0).asin()
}

fn k_inverse(k: f64) -> f64 {
    let angle = (k * 2.0 * PI / COMPRESSION).clamp(-PI / 2.0, PI / 2.0);
    (angle.sin() + 1.0) / 2.0
}

/// The quantiles `q` of a digest as a chunk of `shape` (`[q.len()]`, or `[]` for one).
pub fn quantiles(digest: &Digest, q: &[f64], skip_nan: bool, shape: &[usize]) -> ArrayD<f64> {
    let values = q.iter().map(|&q| digest.quantile(q, skip_nan)).collect();
    ArrayD::from_shape_vec(IxDyn(shape), values).expect("one value per quantile")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(values: Vec<f64>) -> ChunkData {
        ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&[values.len()]), values).unwrap())
    }

    #[test]
    fn few_values_are_exact() {
        let digest = Digest::of_chunk(&chunk(vec![5.0, 1.0, 3.0, 2.0, 4.0]));
        for (q, expected) in [(0.0, 1.0), (0.25, 2.0), (0.5, 3.0), (0.9, 4.6), (1.0, 5.0)] {
            assert!(
                (digest.quantile(q, false) - expected).abs() < 1e-12,
                "q={q}"
            );
        }
    }

    #[test]
    fn merged_chunks_stay_within_the_documented_rank_error() {
        // A deterministic spread of 200,000 values in 20 chunks, merged four at a time.
        let values: Vec<f64> = (0..200_000u64)
            .map(|i| ((i.wrapping_mul(2_654_435_761) % 1_000_003) as f64).sqrt())
            .collect();
        let digests: Vec<Digest> = values
            .chunks(10_000)
            .map(|c| Digest::of_chunk(&chunk(c.to_vec())))
            .collect();
        let level: Vec<Digest> = digests
            .chunks(4)
            .map(|g| Digest::merge(&g.iter().collect::<Vec<_>>()))
            .collect();
        let digest = Digest::merge(&level.iter().collect::<Vec<_>>());
        assert!(digest.means.len() <= COMPRESSION as usize);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [
            0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0,
        ] {
            let estimate = digest.quantile(q, false);
            let rank = sorted.partition_point(|&v| v < estimate) as f64 / sorted.len() as f64;
            assert!((rank - q).abs() < 1e-3, "q={q}: rank {rank}");
        }
        assert_eq!(digest.quantile(0.0, false), sorted[0]);
        assert_eq!(digest.quantile(1.0, false), sorted[sorted.len() - 1]);
    }

    #[test]
    fn nans_make_nan_unless_skipped() {
        let digest = Digest::of_chunk(&chunk(vec![1.0, f64::NAN, 3.0]));
        assert!(digest.quantile(0.5, false).is_nan());
        assert_eq!(digest.quantile(0.5, true), 2.0);
        assert!(Digest::of_chunk(&chunk(vec![f64::NAN]))
            .quantile(0.5, true)
            .is_nan());
    }
}
