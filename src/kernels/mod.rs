//! Array kernels on chunks in memory (ndarray): fused elementwise evaluation, reductions,
//! region copies, random generation and printing.

pub mod arithmetic;
pub mod chunk;
pub mod elementwise;
pub mod gather;
pub mod print;
pub mod random;
pub mod reduce;
