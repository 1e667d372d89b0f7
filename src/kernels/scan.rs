//! Cumulative sums and products of a chunk along one axis, continued from the previous chunk
//! along that axis: its last slice is the carry the running update starts from, so a scan over
//! chunks is one pass, O(n), each chunk waiting only for its predecessor.

use crate::array::chunk::{ChunkData, Element};
use crate::array::dtype::DType;
use crate::array::node::Scan;
use ndarray::{ArrayD, Axis};

trait Scanned: Copy {
    fn plus(self, other: Self) -> Self;
    fn times(self, other: Self) -> Self;
    fn zero() -> Self;
    fn one() -> Self;
    fn is_nan(self) -> bool;
}

macro_rules! scanned_int {
    ($t:ty) => {
        impl Scanned for $t {
            // NumPy's integer scans wrap around on overflow.
            fn plus(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            fn times(self, other: Self) -> Self {
                self.wrapping_mul(other)
            }
            fn zero() -> Self {
                0
            }
            fn one() -> Self {
                1
            }
            fn is_nan(self) -> bool {
                false
            }
        }
    };
}

macro_rules! scanned_float {
    ($t:ty) => {
        impl Scanned for $t {
            fn plus(self, other: Self) -> Self {
                self + other
            }
            fn times(self, other: Self) -> Self {
                self * other
            }
            fn zero() -> Self {
                0.0
            }
            fn one() -> Self {
                1.0
            }
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
        }
    };
}

scanned_int!(i64);
scanned_float!(f32);
scanned_float!(f64);

/// The scan of `chunk` along `axis` as `dtype`, continued from `previous` (the scanned chunk
/// before it along the axis), if any.
pub fn scan(
    chunk: &ChunkData,
    previous: Option<&ChunkData>,
    how: Scan,
    axis: usize,
    dtype: DType,
) -> ChunkData {
    fn typed<T: Scanned + Element>(
        chunk: &ChunkData,
        previous: Option<&ChunkData>,
        how: Scan,
        axis: usize,
    ) -> ChunkData {
        let scanned = scanned(T::values_of(chunk), previous.map(T::values_of), how, axis);
        T::chunk_of(scanned)
    }
    match dtype {
        DType::I64 => typed::<i64>(chunk, previous, how, axis),
        DType::F32 => typed::<f32>(chunk, previous, how, axis),
        DType::F64 => typed::<f64>(chunk, previous, how, axis),
        other => unreachable!("scans run in i64, f32 or f64, not {other}"),
    }
}

fn scanned<T: Scanned>(
    mut values: ArrayD<T>,
    previous: Option<ArrayD<T>>,
    how: Scan,
    axis: usize,
) -> ArrayD<T> {
    let product = matches!(how, Scan::Prod | Scan::NanProd);
    let combine = move |a: T, b: T| if product { a.times(b) } else { a.plus(b) };
    if matches!(how, Scan::NanSum | Scan::NanProd) {
        let identity = if product { T::one() } else { T::zero() };
        values.mapv_inplace(|x| if x.is_nan() { identity } else { x });
    }
    // The carry goes into the first slice before the running update, so every value is made
    // in NumPy's order, ((carry + x0) + x1) + …: the same rounding, and a carry of 0 times a
    // product that overflows later in this chunk stays 0 (not 0 × inf).
    if let Some(previous) = previous {
        let length = previous.shape()[axis];
        if length > 0 && values.shape()[axis] > 0 {
            let carry = previous.index_axis(Axis(axis), length - 1).to_owned();
            values
                .index_axis_mut(Axis(axis), 0)
                .zip_mut_with(&carry, |x, &c| *x = combine(c, *x));
        }
    }
    values.accumulate_axis_inplace(Axis(axis), |&before, x| *x = combine(before, *x));
    values
}
