//! Counter-based random numbers: the value at global element index `i` is a hash of
//! `(seed, i)`, so an array has the same values whatever its chunking and however many threads
//! compute it.

use crate::array::chunk::ChunkData;
use crate::array::node::Distribution;
use ndarray::{ArrayD, IxDyn};

/// SplitMix64's finaliser: a strong 64-bit mixing function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// A stream of random 64-bit words keyed by a seed: word `counter` is a hash of both.
#[derive(Clone, Copy)]
struct Stream {
    key: u64,
}

impl Stream {
    fn new(seed: u64) -> Stream {
        Stream {
            key: mix(seed ^ GOLDEN),
        }
    }

    /// wyrand's output function on the state it has after `counter` steps: one 128-bit multiply.
    #[inline(always)]
    fn word(self, counter: u64) -> u64 {
        let state = self
            .key
            .wrapping_add(counter.wrapping_mul(0xa076_1d64_78bd_642f));
        let product = (state as u128).wrapping_mul((state ^ 0xe703_7ed1_a0b4_28db) as u128);
        ((product >> 64) as u64) ^ (product as u64)
    }
}

/// Uniform on [0, 1) with 53 random bits.
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The ziggurat's tables (Marsaglia & Tsang, 128 layers), scaled for 53-bit magnitudes.
struct Ziggurat {
    /// Acceptance thresholds of each layer (integers below 2^53).
    k: [u64; 128],
    /// Layer widths: magnitude × w is the sample.
    w: [f64; 128],
    /// The density at each layer's edge.
    f: [f64; 128],
}

const ZIGGURAT_R: f64 = 3.442619855899;
const SCALE: f64 = (1u64 << 53) as f64;

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let (mut d, vn) = (ZIGGURAT_R, 9.91256303526217e-3f64);
        let mut t = d;
        let q = vn / (-0.5 * d * d).exp();
        let mut z = Ziggurat {
            k: [0; 128],
            w: [0.0; 128],
            f: [0.0; 128],
        };
        z.k[0] = ((d / q) * SCALE) as u64;
        z.k[1] = 0;
        z.w[0] = q / SCALE;
        z.w[127] = d / SCALE;
        z.f[0] = 1.0;
        z.f[127] = (-0.5 * d * d).exp();
        for i in (1..127).rev() {
            d = (-2.0 * (vn / d + (-0.5 * d * d).exp()).ln()).sqrt();
            z.k[i + 1] = ((d / t) * SCALE) as u64;
            t = d;
            z.f[i] = (-0.5 * d * d).exp();
            z.w[i] = d / SCALE;
        }
        z
    })
}

/// Draws the values of one array: element `index` depends on `(seed, index)` alone.
struct Sampler {
    distribution: Distribution,
    main: Stream,
    /// Further words for the rare ziggurat rejections, per element.
    extra: Stream,
    tables: &'static Ziggurat,
}

impl Sampler {
    fn new(distribution: Distribution, seed: u64) -> Sampler {
        Sampler {
            distribution,
            main: Stream::new(seed),
            extra: Stream::new(seed ^ 0x5851_f42d_4c95_7f2d),
            tables: ziggurat(),
        }
    }

    fn value(&self, index: u64) -> f64 {
        match self.distribution {
            Distribution::Uniform { low, high } => low + (high - low) * unit(self.main.word(index)),
            Distribution::Normal { mean, std } => mean + std * self.standard_normal(index),
            Distribution::Integers { low, high } => {
                let range = (high - low) as u64;
                let scaled = ((self.main.word(index) as u128 * range as u128) >> 64) as i64;
                (low + scaled) as f64
            }
        }
    }

    /// Values of elements `first..first + count`, appended to `out`: one `match` per row.
    fn fill(&self, first: u64, count: u64, out: &mut Vec<f64>) {
        match self.distribution {
            Distribution::Normal { mean, std } => {
                let z = self.tables;
                let start = out.len();
                out.resize(start + count as usize, 0.0);
                for (slot, index) in out[start..].iter_mut().zip(first..) {
                    let bits = self.main.word(index);
                    let layer = (bits & 0x7f) as usize;
                    let magnitude = bits >> 11;
                    let x = if magnitude < z.k[layer] {
                        // The sign bit flips the sign without a branch.
                        f64::from_bits(
                            (magnitude as f64 * z.w[layer]).to_bits() ^ ((bits & 0x80) << 56),
                        )
                    } else {
                        self.standard_normal(index)
                    };
                    *slot = mean + std * x;
                }
            }
            _ => out.extend((first..first + count).map(|index| self.value(index))),
        }
    }

    /// A standard normal by the ziggurat method (as NumPy): one word almost always.
    #[cold]
    fn standard_normal(&self, index: u64) -> f64 {
        let z = self.tables;
        let mut draw = 0u64;
        let mut next = || {
            draw += 1;
            self.extra.word(index.wrapping_mul(64).wrapping_add(draw))
        };
        let mut bits = self.main.word(index);
        loop {
            let layer = (bits & 0x7f) as usize;
            let negative = bits & 0x80 != 0;
            let magnitude = bits >> 11;
            let x = magnitude as f64 * z.w[layer];
            let sign = |v: f64| if negative { -v } else { v };
            if magnitude < z.k[layer] {
                return sign(x);
            }
            if layer == 0 {
                // The tail beyond R, by Marsaglia's exponential method.
                loop {
                    let tail = -(1.0 - unit(next())).ln() / ZIGGURAT_R;
                    let y = -(1.0 - unit(next())).ln();
                    if y + y >= tail * tail {
                        return sign(ZIGGURAT_R + tail);
                    }
                }
            }
            if z.f[layer] + unit(next()) * (z.f[layer - 1] - z.f[layer]) < (-0.5 * x * x).exp() {
                return sign(x);
            }
            bits = next();
        }
    }
}

/// The value of element `index` (for tests: the kernels fill whole blocks).
#[cfg(test)]
pub fn value_at(distribution: Distribution, seed: u64, index: u64) -> f64 {
    Sampler::new(distribution, seed).value(index)
}

/// Call `visit` with the values of the chunk at `origin` (global coordinates of its first element)
/// of shape `chunk_shape`, from an array of `shape`, in row-major order, a few thousand at a time.
pub fn stream(
    distribution: Distribution,
    seed: u64,
    shape: &[usize],
    origin: &[usize],
    chunk_shape: &[usize],
    visit: &mut dyn FnMut(&[f64]),
) {
    const BLOCK: usize = 4096;
    let size: usize = chunk_shape.iter().product();
    let ndim = shape.len();
    let sampler = Sampler::new(distribution, seed);
    // Row-major strides of the whole array.
    let mut strides = vec![1u64; ndim];
    for axis in (0..ndim.saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1] as u64;
    }
    let row = chunk_shape.last().copied().unwrap_or(1).max(1);
    let rows = if size == 0 { 0 } else { size / row };
    let mut buffer: Vec<f64> = Vec::with_capacity(BLOCK.min(row));
    let mut index = vec![0usize; ndim.saturating_sub(1)];
    for _ in 0..rows {
        let mut first: u64 = 0;
        for axis in 0..ndim.saturating_sub(1) {
            first += (origin[axis] + index[axis]) as u64 * strides[axis];
        }
        if ndim > 0 {
            first += origin[ndim - 1] as u64;
        }
        let mut done = 0;
        while done < row {
            let count = BLOCK.min(row - done);
            buffer.clear();
            sampler.fill(first + done as u64, count as u64, &mut buffer);
            visit(&buffer);
            done += count;
        }
        for axis in (0..ndim.saturating_sub(1)).rev() {
            index[axis] += 1;
            if index[axis] < chunk_shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}

/// The chunk at `origin` of shape `chunk_shape`, from an array of `shape`.
pub fn generate(
    distribution: Distribution,
    seed: u64,
    shape: &[usize],
    origin: &[usize],
    chunk_shape: &[usize],
) -> ChunkData {
    let mut values: Vec<f64> = Vec::with_capacity(chunk_shape.iter().product());
    stream(
        distribution,
        seed,
        shape,
        origin,
        chunk_shape,
        &mut |block| values.extend_from_slice(block),
    );
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
    fn normal_tails_have_the_right_mass() {
        let d = Distribution::Normal {
            mean: 0.0,
            std: 1.0,
        };
        let n = 2_000_000u64;
        let beyond =
            |k: f64| (0..n).filter(|&i| value_at(d, 9, i).abs() > k).count() as f64 / n as f64;
        // P(|Z| > 1) = 0.3173, P(|Z| > 3) = 0.0026998, P(|Z| > 3.5) = 0.000465 (beyond R = 3.44).
        assert!((beyond(1.0) - 0.3173).abs() < 0.002, "{}", beyond(1.0));
        assert!((beyond(3.0) - 0.0026998).abs() < 0.0002, "{}", beyond(3.0));
        assert!((beyond(3.5) - 0.000465).abs() < 0.00006, "{}", beyond(3.5));
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
