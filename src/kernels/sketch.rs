//! Approximate quantiles of all of an array's values in one streaming pass: a merging t-digest
//! (Dunning & Ertl, "Computing extremely accurate quantiles using t-digests", 2019) per chunk,
//! merged a few at a time up the reduction tree, then read at the quantiles asked for.
//!
//! A digest is a list of centroids (sorted by mean; each with its weight, smallest and largest
//! value) whose weights the scale function `k₁(q) = δ/2π · asin(2q − 1)` bounds: a centroid
//! spans at most one unit of `k₁`, so centroids are small near q = 0 and q = 1 and largest
//! (π/δ of the values) at the median. Up to [`EXACT_VALUES`] values nothing is merged, so small
//! arrays get NumPy's exact answer. NaNs and infinities are counted apart, so they behave as in
//! NumPy's sorted values. docs/arrays.md quotes the measured errors.

use super::reduce::Partial;
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::QuantileMethod;
use ndarray::{ArrayD, IxDyn};
use std::f64::consts::PI;

/// δ: the number of `k₁` units, about the number of centroids a digest keeps.
pub const COMPRESSION: f64 = 2000.0;

/// A digest of at most this many values keeps each one (exact quantiles).
pub const EXACT_VALUES: usize = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Centroid {
    mean: f64,
    weight: f64,
    min: f64,
    max: f64,
}

impl Centroid {
    fn of(value: f64) -> Centroid {
        Centroid {
            mean: value,
            weight: 1.0,
            min: value,
            max: value,
        }
    }

    fn absorb(&mut self, other: &Centroid) {
        let total = self.weight + other.weight;
        // The weighted mean, kept within the values against rounding.
        let mean = self.mean + (other.mean - self.mean) * other.weight / total;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.mean = mean.clamp(self.min, self.max);
        self.weight = total;
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Digest {
    /// Finite values, ascending by mean.
    centroids: Vec<Centroid>,
    /// Values seen apart: NaN (a quantile of values with a NaN is NaN unless NaNs are skipped),
    /// −∞ (the lowest ranks) and +∞ (the highest).
    nans: u64,
    negative_infinities: u64,
    positive_infinities: u64,
}

impl Digest {
    /// The digest of one chunk's values.
    pub fn of_chunk(chunk: &ChunkData) -> Digest {
        let values = chunk.to_f64();
        let mut digest = Digest {
            centroids: Vec::new(),
            nans: 0,
            negative_infinities: 0,
            positive_infinities: 0,
        };
        let mut finite = Vec::with_capacity(values.len());
        for &v in values.iter() {
            match v {
                v if v.is_nan() => digest.nans += 1,
                f64::NEG_INFINITY => digest.negative_infinities += 1,
                f64::INFINITY => digest.positive_infinities += 1,
                v => finite.push(v),
            }
        }
        finite.sort_unstable_by(f64::total_cmp);
        digest.centroids = finite.into_iter().map(Centroid::of).collect();
        digest.compress();
        digest
    }

    /// One digest of the values of all of `digests`.
    pub fn merge(digests: &[&Digest]) -> Digest {
        let mut centroids: Vec<Centroid> = digests
            .iter()
            .flat_map(|d| d.centroids.iter().copied())
            .collect();
        centroids.sort_by(|a, b| a.mean.total_cmp(&b.mean));
        let mut digest = Digest {
            centroids,
            nans: digests.iter().map(|d| d.nans).sum(),
            negative_infinities: digests.iter().map(|d| d.negative_infinities).sum(),
            positive_infinities: digests.iter().map(|d| d.positive_infinities).sum(),
        };
        digest.compress();
        digest
    }

    /// Merge neighbouring centroids greedily, left to right, while a centroid stays within one
    /// unit of `k₁` — once the digest holds more than [`EXACT_VALUES`] values. (Merged digests
    /// are always compressed again: their centroids overlap, which reading cannot undo.)
    fn compress(&mut self) {
        let total: f64 = self.centroids.iter().map(|c| c.weight).sum();
        if total <= EXACT_VALUES as f64 {
            return;
        }
        let mut merged = Vec::with_capacity(COMPRESSION as usize);
        let mut centroids = std::mem::take(&mut self.centroids).into_iter();
        let mut current = centroids.next().expect("more than EXACT_VALUES values");
        let mut before = 0.0;
        let mut limit = total * k_inverse(k(0.0) + 1.0);
        for next in centroids {
            // Equal values merge whatever their weight (nothing is lost): ties stay exact, and
            // a centroid of mixed values never swallows part of a tie.
            let tie = current.min == current.max && next.min == next.max && current.min == next.min;
            if tie || before + current.weight + next.weight <= limit {
                current.absorb(&next);
            } else {
                before += current.weight;
                merged.push(current);
                limit = total * k_inverse(k(before / total) + 1.0);
                current = next;
            }
        }
        merged.push(current);
        self.centroids = merged;
    }

    /// The number of finite values.
    fn finite(&self) -> usize {
        self.centroids.iter().map(|c| c.weight as usize).sum()
    }

    /// The estimate of the `rank`-th smallest value (0-based, NaNs aside): exact for a value of
    /// its own centroid, for a centroid of equal values and for the infinities; else the line
    /// through the centroids' means at their middle ranks, kept within the centroid's values.
    fn value_at(&self, rank: usize) -> f64 {
        let negative = self.negative_infinities as usize;
        if rank < negative {
            return f64::NEG_INFINITY;
        }
        let rank = (rank - negative) as f64;
        let mut start = 0.0;
        let mut previous: Option<(f64, f64)> = None;
        for (i, c) in self.centroids.iter().enumerate() {
            let end = start + c.weight - 1.0;
            if rank <= end {
                if c.min == c.max {
                    return c.min;
                }
                // Knots (middle rank, mean) on both sides of `rank`, the extremes at the ends.
                let middle = start + (c.weight - 1.0) / 2.0;
                let (low, high) = if rank <= middle {
                    let low = previous.unwrap_or((start, c.min));
                    (low, (middle, c.mean))
                } else {
                    let high = match self.centroids.get(i + 1) {
                        Some(n) => (end + 1.0 + (n.weight - 1.0) / 2.0, n.mean),
                        None => (end, c.max),
                    };
                    ((middle, c.mean), high)
                };
                return interpolate(low, high, rank).clamp(c.min, c.max);
            }
            previous = Some((start + (c.weight - 1.0) / 2.0, c.mean));
            start = end + 1.0;
        }
        f64::INFINITY
    }

    /// The quantile `q` (in [0, 1]) by NumPy's `method` (linear, or the median's mean of the
    /// middle values) over the estimated sorted values.
    pub fn quantile(&self, q: f64, method: QuantileMethod, skip_nan: bool) -> f64 {
        let count = self.finite() + (self.negative_infinities + self.positive_infinities) as usize;
        if (self.nans > 0 && !skip_nan) || count == 0 {
            return f64::NAN;
        }
        super::order::quantile_of(count, |rank| self.value_at(rank), q, method)
    }

    pub fn nbytes(&self) -> usize {
        self.centroids.len() * std::mem::size_of::<Centroid>() + 24
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

/// The quantiles `q` (read by `method`, NaNs skipped or not) of a merged digest, as a chunk of
/// `dtype` and `shape` (`[q.len()]`, or `[]` for one).
pub fn quantiles(
    partial: &Partial,
    (q, method, skip_nan): (&[f64], QuantileMethod, bool),
    dtype: DType,
    shape: &[usize],
) -> ChunkData {
    let Partial::Digest(digest) = partial else {
        unreachable!("a sketch reads a merged digest")
    };
    let values = q
        .iter()
        .map(|&q| digest.quantile(q, method, skip_nan))
        .collect();
    let values = ArrayD::from_shape_vec(IxDyn(shape), values).expect("one value per quantile");
    ChunkData::F64(values).cast(dtype).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(values: Vec<f64>) -> ChunkData {
        ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&[values.len()]), values).unwrap())
    }

    fn linear(digest: &Digest, q: f64) -> f64 {
        digest.quantile(q, QuantileMethod::Linear, false)
    }

    #[test]
    fn few_values_are_exact() {
        let digest = Digest::of_chunk(&chunk(vec![5.0, 1.0, 3.0, 2.0, 4.0]));
        for (q, expected) in [(0.0, 1.0), (0.25, 2.0), (0.5, 3.0), (0.9, 4.6), (1.0, 5.0)] {
            assert!((linear(&digest, q) - expected).abs() < 1e-12, "q={q}");
        }
    }

    #[test]
    fn merged_chunks_stay_within_the_documented_rank_error() {
        // A deterministic spread of 400,000 values in 40 chunks, merged four at a time.
        let values: Vec<f64> = (0..400_000u64)
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
        assert!(digest.centroids.len() <= COMPRESSION as usize);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [
            0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0,
        ] {
            let estimate = linear(&digest, q);
            let rank = sorted.partition_point(|&v| v < estimate) as f64 / sorted.len() as f64;
            assert!((rank - q).abs() < 1e-3, "q={q}: rank {rank}");
        }
        assert_eq!(linear(&digest, 0.0), sorted[0]);
        assert_eq!(linear(&digest, 1.0), sorted[sorted.len() - 1]);
    }

    #[test]
    fn ties_across_chunks_are_exact() {
        // The NumPy differential test's case: ((i * 3) % 100) over 167,655 values in two chunks;
        // 61 covers ranks [0.61004, 0.62004), so its 0.618 quantile is 61 (a centroid of 61s
        // and 62s from one chunk used to absorb the other chunk's 61s: 61.028).
        let values: Vec<f64> = (0..167_655u64).map(|i| (i * 3 % 100) as f64).collect();
        let digest = Digest::merge(&[
            &Digest::of_chunk(&chunk(values[..83_828].to_vec())),
            &Digest::of_chunk(&chunk(values[83_828..].to_vec())),
        ]);
        assert_eq!(linear(&digest, 0.618), 61.0);
        let sevens: Vec<f64> = (0..148_891u64).map(|i| (i * 3 % 7) as f64 * 0.5).collect();
        let digests: Vec<Digest> = sevens
            .chunks(18_612)
            .map(|c| Digest::of_chunk(&chunk(c.to_vec())))
            .collect();
        let digest = Digest::merge(&digests.iter().collect::<Vec<_>>());
        assert_eq!(linear(&digest, 0.57), 1.5);
    }

    #[test]
    fn ties_are_exact() {
        // 60,000 values (compressed) of 50 distinct ones: each is 2% of the values, far more
        // than a centroid, so the median is one of them exactly.
        let values: Vec<f64> = (0..60_000u64).map(|i| (i * 7919 % 50) as f64).collect();
        let digest = Digest::merge(&[
            &Digest::of_chunk(&chunk(values[..30_000].to_vec())),
            &Digest::of_chunk(&chunk(values[30_000..].to_vec())),
        ]);
        assert!(digest.centroids.len() < values.len());
        assert_eq!(linear(&digest, 0.51), 25.0);
        assert_eq!(linear(&digest, 0.31), 15.0);
    }

    #[test]
    fn nans_and_infinities_as_numpy() {
        let digest = Digest::of_chunk(&chunk(vec![1.0, f64::NAN, 3.0]));
        assert!(linear(&digest, 0.5).is_nan());
        assert_eq!(digest.quantile(0.5, QuantileMethod::Linear, true), 2.0);
        assert!(Digest::of_chunk(&chunk(vec![f64::NAN]))
            .quantile(0.5, QuantileMethod::Linear, true)
            .is_nan());
        // NumPy: percentile([1, 2, inf], [0, 50, 100]) is [1, nan, nan] (inf − inf).
        let digest = Digest::of_chunk(&chunk(vec![1.0, f64::INFINITY, 2.0]));
        assert_eq!(linear(&digest, 0.0), 1.0);
        assert!(linear(&digest, 0.5).is_nan());
        assert!(linear(&digest, 1.0).is_nan());
        // np.median([1, inf]) is inf.
        let digest = Digest::of_chunk(&chunk(vec![1.0, f64::INFINITY]));
        assert_eq!(
            digest.quantile(0.5, QuantileMethod::MiddleMean, false),
            f64::INFINITY
        );
    }
}
