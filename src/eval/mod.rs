//! Evaluation: the interpreter (check and run modes), values, operators, argument binding, how
//! each kind of lazy value takes part in the language (`kinds/`), forcing lazy values, delayed
//! calls and their scheduling, and background jobs. The builtins it runs are given to it (see
//! `builtin::Library`); they live above it, in `crate::builtins`.

pub mod builtin;
pub mod delayed;
pub mod format;
pub mod interpreter;
pub mod jobs;
pub mod kinds;
pub mod modules;
pub mod operators;
pub mod sandbox;
pub mod schedule;
pub mod signature;
pub mod value;

pub use interpreter::{Eval, Interpreter, Mode};
pub use value::{Type, Value};
