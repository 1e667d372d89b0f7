//! Matrix products of chunks: the sum of the products of pairs of 2-d blocks, with ndarray's
//! blocked multiplication (`general_mat_mul`: cache-blocked, vectorised kernels for f32 and f64;
//! a generic loop for integers, which NumPy does not accelerate either).

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Ix2, IxDyn, LinalgScalar};

/// The sum over k of `inputs[2k] @ inputs[2k + 1]`, a chunk of `shape` and `dtype`.
pub fn sum_of_products(inputs: &[&ChunkData], shape: &[usize], dtype: DType) -> ChunkData {
    let (rows, columns) = (shape[0], shape[1]);
    match dtype {
        DType::F64 => ChunkData::F64(products::<f64>(
            inputs,
            rows,
            columns,
            DType::F64,
            |c| match c {
                ChunkData::F64(a) => a,
                _ => unreachable!("cast to f64"),
            },
        )),
        DType::F32 => ChunkData::F32(products::<f32>(
            inputs,
            rows,
            columns,
            DType::F32,
            |c| match c {
                ChunkData::F32(a) => a,
                _ => unreachable!("cast to f32"),
            },
        )),
        DType::I32 => ChunkData::I32(products::<i32>(
            inputs,
            rows,
            columns,
            DType::I32,
            |c| match c {
                ChunkData::I32(a) => a,
                _ => unreachable!("cast to i32"),
            },
        )),
        // Bools are multiplied as integers, then any nonzero sum is true (or of ands).
        DType::I64 | DType::Bool => {
            let sums = products::<i64>(inputs, rows, columns, DType::I64, |c| match c {
                ChunkData::I64(a) => a,
                _ => unreachable!("cast to i64"),
            });
            ChunkData::I64(sums).into_dtype(dtype)
        }
    }
}

fn products<T: LinalgScalar>(
    inputs: &[&ChunkData],
    rows: usize,
    columns: usize,
    computed_as: DType,
    values: fn(&ChunkData) -> &ndarray::ArrayD<T>,
) -> ndarray::ArrayD<T> {
    let mut total = Array2::<T>::zeros((rows, columns));
    for pair in inputs.chunks(2) {
        let (a, b) = (pair[0].cast(computed_as), pair[1].cast(computed_as));
        general_mat_mul(
            T::one(),
            &matrix(values(&a)),
            &matrix(values(&b)),
            T::one(),
            &mut total,
        );
    }
    total.into_dimensionality::<IxDyn>().expect("2-d")
}

fn matrix<T>(values: &ndarray::ArrayD<T>) -> ArrayView2<'_, T> {
    values
        .view()
        .into_dimensionality::<Ix2>()
        .expect("matrix product blocks are 2-d")
}
