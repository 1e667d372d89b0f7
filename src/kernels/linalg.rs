//! Matrix products of chunks: the sum of the products of pairs of 2-d blocks. Floats go through
//! the `gemm` crate (packed, cache-blocked kernels for AVX-512, AVX2+FMA, SSE2 and NEON, chosen
//! at run time); integers through a plain loop, wrapping on overflow, which NumPy does not
//! accelerate either.

use crate::array::chunk::{ChunkData, Element};
use crate::array::dtype::DType;
use ndarray::{Array2, ArrayView2, Ix2, IxDyn, LinalgScalar};

/// The sum over k of `inputs[2k] @ inputs[2k + 1]`, a chunk of `shape` and `dtype`.
pub fn sum_of_products(inputs: &[&ChunkData], shape: &[usize], dtype: DType) -> ChunkData {
    let (rows, columns) = (shape[0], shape[1]);
    match dtype {
        DType::F64 => f64::chunk_of(products::<f64>(inputs, rows, columns)),
        DType::F32 => f32::chunk_of(products::<f32>(inputs, rows, columns)),
        // Integers wrap around on overflow, as NumPy's do (in every build).
        DType::I32 => i64::chunk_of(integer_products(inputs, rows, columns)).into_dtype(DType::I32),
        // Bools are multiplied as integers, then any nonzero sum is true (or of ands).
        DType::I64 | DType::Bool => {
            i64::chunk_of(integer_products(inputs, rows, columns)).into_dtype(dtype)
        }
    }
}

/// The integer sum of products, wrapping around as NumPy's int64 arithmetic does (an i32
/// product wraps the same way once its low 32 bits are kept).
fn integer_products(inputs: &[&ChunkData], rows: usize, columns: usize) -> ndarray::ArrayD<i64> {
    let mut total = Array2::<i64>::zeros((rows, columns));
    for pair in inputs.chunks(2) {
        let (a, b) = (i64::values_of(pair[0]), i64::values_of(pair[1]));
        let (a, b) = (matrix(&a), matrix(&b));
        for i in 0..rows {
            for k in 0..a.ncols() {
                let x = a[[i, k]];
                if x == 0 {
                    continue;
                }
                for j in 0..columns {
                    total[[i, j]] = total[[i, j]].wrapping_add(x.wrapping_mul(b[[k, j]]));
                }
            }
        }
    }
    total.into_dimensionality::<IxDyn>().expect("2-d")
}

fn products<T: Element + LinalgScalar>(
    inputs: &[&ChunkData],
    rows: usize,
    columns: usize,
) -> ndarray::ArrayD<T> {
    let mut total = Array2::<T>::zeros((rows, columns));
    for pair in inputs.chunks(2) {
        let (a, b) = (T::values_of(pair[0]), T::values_of(pair[1]));
        add_product(&mut total, matrix(&a), matrix(&b));
    }
    total.into_dimensionality::<IxDyn>().expect("2-d")
}

/// `total += a @ b`, one thread (the blocks of a product are already tasks run in parallel).
fn add_product<T: LinalgScalar>(total: &mut Array2<T>, a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert_eq!(
        b.nrows(),
        k,
        "the contracted lengths of a block product agree"
    );
    assert_eq!(total.dim(), (m, n), "a block product fills its chunk");
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    let (total_rs, total_cs) = (total.strides()[0], total.strides()[1]);
    // SAFETY: the three pointers and their element strides describe live ndarray storage of the
    // sizes asserted above; `total` is borrowed mutably and aliases neither input.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            total.as_mut_ptr(),
            total_cs,
            total_rs,
            true,
            a.as_ptr(),
            a.strides()[1],
            a.strides()[0],
            b.as_ptr(),
            b.strides()[1],
            b.strides()[0],
            T::one(),
            T::one(),
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

fn matrix<T>(values: &ndarray::ArrayD<T>) -> ArrayView2<'_, T> {
    values
        .view()
        .into_dimensionality::<Ix2>()
        .expect("matrix product blocks are 2-d")
}
