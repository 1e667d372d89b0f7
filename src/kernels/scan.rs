//! Cumulative sums and products of a chunk along one axis, continued from the previous chunk
//! along that axis: its last slice is the carry added (or multiplied) into every slice of this
//! one, so a scan over chunks is one pass, O(n), each chunk waiting only for its predecessor.

use crate::array::chunk::ChunkData;
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
    let values = chunk.cast(dtype).into_owned();
    let previous = previous.map(|p| p.cast(dtype).into_owned());
    match (values, previous) {
        (ChunkData::I64(a), p) => ChunkData::I64(scanned(a, p.map(i64_values), how, axis)),
        (ChunkData::F32(a), p) => ChunkData::F32(scanned(a, p.map(f32_values), how, axis)),
        (ChunkData::F64(a), p) => ChunkData::F64(scanned(a, p.map(f64_values), how, axis)),
        (other, _) => unreachable!("scans run in i64, f32 or f64, not {}", other.dtype()),
    }
}

fn i64_values(c: ChunkData) -> ArrayD<i64> {
    match c {
        ChunkData::I64(a) => a,
        _ => unreachable!("cast to i64"),
    }
}

fn f32_values(c: ChunkData) -> ArrayD<f32> {
    match c {
        ChunkData::F32(a) => a,
        _ => unreachable!("cast to f32"),
    }
}

fn f64_values(c: ChunkData) -> ArrayD<f64> {
    match c {
        ChunkData::F64(a) => a,
        _ => unreachable!("cast to f64"),
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
    values.accumulate_axis_inplace(Axis(axis), |&before, x| *x = combine(*x, before));
    if let Some(previous) = previous {
        let length = previous.shape()[axis];
        if length > 0 {
            let carry = previous.index_axis(Axis(axis), length - 1).to_owned();
            for mut lane in values.axis_iter_mut(Axis(axis)) {
                lane.zip_mut_with(&carry, |x, &c| *x = combine(*x, c));
            }
        }
    }
    values
}
