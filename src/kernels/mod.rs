//! Array kernels on chunks in memory (ndarray): fused elementwise evaluation, reductions,
//! region copies, random generation and printing.

/// A failure the data causes in a kernel (not a bug): raised as a panic with this payload, which
/// the executor turns into a runtime error naming the operation.
#[derive(Debug)]
pub struct DataError(pub String);

/// Stop the current kernel because of its data.
pub fn fail(message: &str) -> ! {
    std::panic::panic_any(DataError(message.to_string()))
}

pub mod arithmetic;
pub mod elementwise;
pub mod frame;
pub mod gather;
pub mod group;
pub mod linalg;
pub mod order;
pub mod output;
pub mod print;
pub mod random;
pub mod reduce;
pub mod rolling;
pub mod scan;
pub mod shuffle;
pub mod sketch;
