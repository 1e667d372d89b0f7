//! Counter-based random numbers: the value at global element index `i` is a hash of
//! `(seed, i)`, so an array has the same values whatever its chunking and however many threads
//! compute it.

use super::chunk::ChunkData;
use crate::array::node::Distribution;
use ndarray::{ArrayD, IxDyn};

/// SplitMix64's finaliser: a strong 64-bit mixing function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `counter`-th random 64-bit word of stream `seed`.
fn word(seed: u64, counter: u64) -> u64 {
    mix(mix(seed ^ 0x9e37_79b9_7f4a_7c15).wrapping_add(counter.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

/// Uniform on [0, 1) with 53 random bits.
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The value of element `index`.
pub fn value_at(distribution: Distribution, seed: u64, index: u64) -> f64 {
    match distribution {
        Distribution::Uniform { low, high } => low + (high - low) * unit(word(seed, index)),
        Distribution::Normal { mean, std } => {
            // Box–Muller on two words of this element; 1 - u keeps the logarithm finite.
            let u1 = 1.0 - unit(word(seed, 2 * index));
            let u2 = unit(word(seed, 2 * index + 1));
            mean + std * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        }
        Distribution::Integers { low, high } => {
            let range = (high - low) as u64;
            let scaled = ((word(seed, index) as u128 * range as u128) >> 64) as i64;
            (low + scaled) as f64
        }
    }
}

/// The chunk at `origin` (global coordinates of its first element) of shape `chunk_shape`, from
/// an array of `shape`.
pub fn generate(
    distribution: Distribution,
    seed: u64,
    shape: &[usize],
    origin: &[usize],
    chunk_shape: &[usize],
) -> ChunkData {
    let size: usize = chunk_shape.iter().product();
    let ndim = shape.len();
    // Row-major strides of the whole array.
    let mut strides = vec![1u64; ndim];
    for axis in (0..ndim.saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1] as u64;
    }
    let row = chunk_shape.last().copied().unwrap_or(1).max(1);
    let rows = if size == 0 { 0 } else { size / row };
    let mut values: Vec<f64> = Vec::with_capacity(size);
    let mut index = vec![0usize; ndim.saturating_sub(1)];
    for _ in 0..rows {
        let mut first: u64 = 0;
        for axis in 0..ndim.saturating_sub(1) {
            first += (origin[axis] + index[axis]) as u64 * strides[axis];
        }
        if ndim > 0 {
            first += origin[ndim - 1] as u64;
        }
        for j in 0..row as u64 {
            values.push(value_at(distribution, seed, first + j));
        }
        for axis in (0..ndim.saturating_sub(1)).rev() {
            index[axis] += 1;
            if index[axis] < chunk_shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    let shape = IxDyn(chunk_shape);
    match distribution {
        Distribution::Integers { .. } => ChunkData::I64(
            ArrayD::from_shape_vec(shape, values.into_iter().map(|v| v as i64).collect())
                .expect("chunk length"),
        ),
        _ => ChunkData::F64(ArrayD::from_shape_vec(shape, values).expect("chunk length")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_agree_with_the_whole() {
        let d = Distribution::Normal {
            mean: 0.0,
            std: 1.0,
        };
        let whole = generate(d, 7, &[4, 6], &[0, 0], &[4, 6]).to_f64();
        let part = generate(d, 7, &[4, 6], &[1, 2], &[2, 3]).to_f64();
        assert_eq!(part[[0, 0]], whole[[1, 2]]);
        assert_eq!(part[[1, 2]], whole[[2, 4]]);
    }

    #[test]
    fn normals_have_mean_zero_and_unit_variance() {
        let d = Distribution::Normal {
            mean: 0.0,
            std: 1.0,
        };
        let n = 200_000u64;
        let values: Vec<f64> = (0..n).map(|i| value_at(d, 1, i)).collect();
        let mean = values.iter().sum::<f64>() / n as f64;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((variance - 1.0).abs() < 0.01, "{variance}");
    }
}
