//! Stage 1: source text → AST with spans (pest grammar in grammar/flow.pest).

pub mod ast;
pub mod dump;
pub mod layout;
pub mod parser;
mod pythonisms;

pub use parser::{parse_expression, parse_program};
