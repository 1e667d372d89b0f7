//! How an array is split into blocks: per axis, the list of block lengths.

use super::dtype::DType;

/// Target bytes of one chunk for `chunks="auto"`.
pub const AUTO_CHUNK_BYTES: usize = 64 << 20;

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Chunks(pub Vec<Vec<usize>>);

impl Chunks {
    /// The largest block along each axis (at least 1): the chunks a file is written with.
    pub fn largest_block(&self) -> Vec<usize> {
        self.0
            .iter()
            .map(|blocks| blocks.iter().copied().max().unwrap_or(1).max(1))
            .collect()
    }

    /// Regular blocks of `size` along an axis of `length` (the last one may be shorter).
    pub fn regular_axis(length: usize, size: usize) -> Vec<usize> {
        if length == 0 {
            return vec![0];
        }
        let size = size.max(1).min(length);
        let mut blocks = vec![size; length / size];
        if length % size != 0 {
            blocks.push(length % size);
        }
        blocks
    }

    pub fn regular(shape: &[usize], sizes: &[usize]) -> Chunks {
        Chunks(
            shape
                .iter()
                .zip(sizes)
                .map(|(&n, &s)| Chunks::regular_axis(n, s))
                .collect(),
        )
    }

    /// The whole array as one chunk.
    pub fn single(shape: &[usize]) -> Chunks {
        Chunks(shape.iter().map(|&n| vec![n]).collect())
    }

    /// `"auto"`: about [`AUTO_CHUNK_BYTES`] per chunk, shrinking the largest block first so
    /// chunks stay close to square.
    pub fn auto(shape: &[usize], dtype: DType) -> Chunks {
        Chunks::regular(shape, &Chunks::auto_sizes(shape, dtype))
    }

    /// The block size along each axis `"auto"` picks.
    pub fn auto_sizes(shape: &[usize], dtype: DType) -> Vec<usize> {
        let target = (AUTO_CHUNK_BYTES / dtype.itemsize()).max(1);
        let mut sizes: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
        while sizes.iter().product::<usize>() > target {
            let (axis, _) = sizes.iter().enumerate().max_by_key(|(_, &s)| s).unwrap();
            sizes[axis] = sizes[axis].div_ceil(2);
        }
        sizes
    }

    pub fn ndim(&self) -> usize {
        self.0.len()
    }

    /// Number of blocks along each axis.
    pub fn grid(&self) -> Vec<usize> {
        self.0.iter().map(Vec::len).collect()
    }

    /// The number of blocks (saturating: a grid may have more than a usize counts).
    pub fn count(&self) -> usize {
        self.0
            .iter()
            .try_fold(1usize, |acc, axis| acc.checked_mul(axis.len()))
            .unwrap_or(usize::MAX)
    }

    /// Start offsets of the blocks of one axis (with the total at the end).
    pub fn offsets(&self, axis: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.0[axis].len() + 1);
        let mut total = 0;
        out.push(0);
        for &b in &self.0[axis] {
            total += b;
            out.push(total);
        }
        out
    }

    /// Largest chunk, in elements.
    pub fn largest_chunk(&self) -> usize {
        self.0
            .iter()
            .map(|axis| axis.iter().copied().max().unwrap_or(0))
            .product()
    }

    /// Shape of the block at grid position `index`.
    pub fn block_shape(&self, index: &[usize]) -> Vec<usize> {
        self.0.iter().zip(index).map(|(axis, &i)| axis[i]).collect()
    }

    /// `(1000, 1000)` for regular chunks, `((1000, 500), 10)` when an axis is irregular.
    pub fn describe(&self) -> String {
        let axes: Vec<String> = self
            .0
            .iter()
            .map(|axis| {
                let first = axis[0];
                let regular = axis[..axis.len() - 1].iter().all(|&b| b == first)
                    && axis[axis.len() - 1] <= first;
                if regular {
                    first.to_string()
                } else if axis.len() <= 6 {
                    format!(
                        "({})",
                        axis.iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    format!("({}, …, {})", axis[0], axis[axis.len() - 1])
                }
            })
            .collect();
        if axes.len() == 1 {
            format!("({},)", axes[0])
        } else {
            format!("({})", axes.join(", "))
        }
    }
}

/// Iterate over every grid index of a block grid, in row-major order.
pub fn grid_indices(grid: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = grid.iter().product();
    let mut out = Vec::with_capacity(total);
    if total == 0 {
        return out;
    }
    let mut index = vec![0; grid.len()];
    for _ in 0..total {
        out.push(index.clone());
        for axis in (0..grid.len()).rev() {
            index[axis] += 1;
            if index[axis] < grid[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    out
}

/// The common refinement of two chunkings of one axis: every boundary of either.
pub fn refine_axis(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut boundaries: Vec<usize> = Vec::new();
    for blocks in [a, b] {
        let mut total = 0;
        for &size in blocks {
            total += size;
            boundaries.push(total);
        }
    }
    boundaries.sort_unstable();
    boundaries.dedup();
    let mut out = Vec::with_capacity(boundaries.len());
    let mut previous = 0;
    for boundary in boundaries {
        if boundary > previous {
            out.push(boundary - previous);
            previous = boundary;
        }
    }
    if out.is_empty() {
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_chunks_end_with_the_remainder() {
        assert_eq!(Chunks::regular_axis(10, 4), [4, 4, 2]);
        assert_eq!(Chunks::regular_axis(3, 10), [3]);
    }

    #[test]
    fn auto_chunks_stay_under_the_target() {
        let chunks = Chunks::auto(&[200_000, 4000], DType::F64);
        assert!(chunks.largest_chunk() * 8 <= AUTO_CHUNK_BYTES);
        assert_eq!(Chunks::auto(&[100], DType::F64).0, vec![vec![100]]);
    }

    #[test]
    fn refinement_keeps_every_boundary() {
        assert_eq!(refine_axis(&[5, 5], &[3, 7]), [3, 2, 5]);
    }
}
