//! Evaluation: the interpreter (check and run modes), values, operators and builtins.

pub mod arrays;
pub mod builtins;
pub mod datasets;
pub mod delayed;
pub mod files;
pub mod format;
pub mod frames;
pub mod interpreter;
pub mod jobs;
pub mod modules;
pub mod operators;
pub mod pictures;
pub mod signature;
pub mod value;

pub use interpreter::{Eval, Interpreter, Mode};
pub use value::{Type, Value};
