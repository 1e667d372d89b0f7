//! flow: a typed dataflow language for lazy, chunked arrays, datasets and dataframes.
//!
//! The pipeline, one public function per stage:
//!
//! ```text
//!  source text ──parse──▶ AST ──check──▶ diagnostics (nothing has run)
//!                                   │
//!                                   └──run──▶ evaluation; lazy values become task graphs that
//!                                             are lowered, optimised and executed when forced
//! ```
//!
//! - [`parse`]: [`syntax`] — layout pass, pest grammar (`grammar/flow.pest`), AST with spans.
//! - [`check`]: [`check`] — names, then types/arity/values by abstract evaluation.
//! - [`run`]: [`eval`] — the interpreter in run mode.
//!
//! Every stage returns its result together with diagnostics instead of stopping at the first
//! problem; rendering them is left to the edges (the CLI and the REPL).

pub mod array;
pub mod builtins;
pub mod check;
pub mod cli;
pub mod completion;
pub mod dataset;
pub mod diagnostic;
pub mod embed;
pub mod eval;
pub mod frame;
pub mod frontend;
pub mod graph;
pub mod io;
pub mod kernel;
pub mod kernels;
pub mod key;
pub mod opt;
pub mod repl;
pub mod runtime;
pub mod session;
pub mod signals;
pub mod source;
pub mod syntax;
pub mod text;

pub use session::Session;

use diagnostic::Diagnostic;
use source::SourceId;
use syntax::ast::Program;

/// Stage 1: parse a loaded source into an AST, with every syntax problem found.
pub fn parse(session: &Session, source: SourceId) -> (Program, Vec<Diagnostic>) {
    let file = session.sources.get(source);
    syntax::parse_program(&file.text, source)
}

/// Stage 2: check a program before anything runs. Returns every problem found (errors and
/// warnings); the session remembers the program's bindings for later input (the REPL).
pub fn check(session: &mut Session, program: &Program) -> Vec<Diagnostic> {
    session.check(program)
}

/// Stage 3: run a checked program. Returns the value of its last statement when that is an
/// expression (what the REPL and `flow -e` show).
pub fn run(session: &mut Session, program: &Program) -> Result<Option<eval::Value>, Diagnostic> {
    session.run(program)
}
