//! A session: the sources loaded so far and the bindings made so far, for checking and for
//! running. A script is one session; the REPL keeps one across lines.

use crate::check::resolve_names;
use crate::diagnostic::{has_errors, Diagnostic};
use crate::eval::{Interpreter, Mode, Value};
use crate::source::{SourceId, SourceMap};
use crate::syntax::ast::Program;
use std::io::Write;

pub struct Session {
    pub sources: SourceMap,
    checker: Interpreter,
    runner: Interpreter,
}

impl Session {
    /// A session whose program output (`print`) goes to `output`.
    pub fn new(output: Box<dyn Write>) -> Session {
        let sources = SourceMap::new();
        Session {
            checker: Interpreter::new(
                Mode::Check,
                sources.clone(),
                Box::new(std::io::sink()),
                &crate::builtins::LIBRARY,
            ),
            runner: Interpreter::new(
                Mode::Run,
                sources.clone(),
                output,
                &crate::builtins::LIBRARY,
            ),
            sources,
        }
    }

    pub fn load(&self, name: impl Into<String>, text: impl Into<std::sync::Arc<str>>) -> SourceId {
        self.sources.add(name, text)
    }

    /// Let `plot(x)` and `graph(x)` without a path draw inline: each picture goes to `sink` as
    /// it is drawn (a notebook shows it there, between the cell's printed lines).
    pub fn show_pictures_inline(&mut self, sink: crate::eval::interpreter::PictureSink) {
        self.checker.inline_pictures = Some(sink.clone());
        self.runner.inline_pictures = Some(sink);
    }

    /// Confine what the program may read and write (`--sandbox`).
    pub fn set_sandbox(&mut self, sandbox: crate::eval::sandbox::Sandbox) {
        let sandbox = std::sync::Arc::new(sandbox);
        self.checker.sandbox = Some(sandbox.clone());
        self.runner.sandbox = Some(sandbox);
    }

    /// How lazy values are computed (threads, progress bar, memory limit).
    pub fn compute_options(&mut self) -> &mut crate::runtime::ComputeOptions {
        &mut self.runner.compute_options
    }

    /// The value the checker knows for a bound name (its type, shape, members; not its data).
    pub fn checked_value(&self, name: &str) -> Option<Value> {
        self.checker.main.get(name)
    }

    /// Check `text` as an expression against the session, binding nothing: the value the
    /// checker finds (arrays with their types, delayed calls not made), or the diagnostics.
    pub fn check_expression(&mut self, name: &str, text: &str) -> Result<Value, Vec<Diagnostic>> {
        let source = self.load(name, text.to_string());
        let (program, mut diagnostics) = crate::syntax::parse_program(text, source);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let (checked, value) = self.check_program(&program, false);
        diagnostics.extend(checked);
        if has_errors(&diagnostics) {
            Err(diagnostics)
        } else {
            Ok(value.unwrap_or(Value::None))
        }
    }

    /// The value bound to `name` at top level (lazy values not computed).
    pub fn value(&self, name: &str) -> Option<Value> {
        self.runner.main.get(name)
    }

    /// Bind `name` in the session (the REPL's `_`).
    pub fn bind(&mut self, name: &str, value: Value) {
        self.checker.main.set(name, value.clone());
        self.runner.main.set(name, value);
    }

    /// Compute every lazy value inside `value`.
    pub fn force(&mut self, value: Value) -> Result<Value, Diagnostic> {
        let result = self.runner.force_value(value);
        let flushed = self.runner.flush_output();
        result
            .and_then(|value| flushed.map(|()| value))
            .map_err(|d| *d)
    }

    /// The background jobs started so far.
    pub fn jobs(&self) -> &[std::sync::Arc<crate::eval::jobs::Job>] {
        &self.runner.jobs
    }

    /// Figures of the computations run so far.
    pub fn statistics(&self) -> &crate::runtime::executor::Statistics {
        &self.runner.statistics
    }

    /// The arrays bound at top level, as the checker knows them (types and graphs; no data).
    pub fn bound_arrays(&self) -> Vec<(String, crate::array::node::ArrayRef)> {
        self.checker
            .main
            .names()
            .into_iter()
            .filter_map(|name| match self.checker.main.get(&name) {
                Some(Value::Array(array)) => Some((name, array)),
                Some(Value::Labelled(l)) => Some((name, l.array.clone())),
                _ => None,
            })
            .collect()
    }

    /// The frames bound at top level, by name (their plans, as the checker built them).
    pub fn bound_frames(&self) -> Vec<(String, crate::frame::plan::PlanRef)> {
        self.checker
            .main
            .names()
            .into_iter()
            .filter_map(|name| match self.checker.main.get(&name) {
                Some(Value::Frame(frame)) => Some((name, frame.plan.clone())),
                _ => None,
            })
            .collect()
    }

    /// The arrays the program computes (prints, `compute`, `save`), as the checker saw them,
    /// named by the binding they come from where there is one; the bound arrays when nothing is
    /// computed.
    pub fn computed_arrays(&self) -> Vec<(String, crate::array::node::ArrayRef)> {
        let bound = self.bound_arrays();
        if self.checker.forced.is_empty() {
            return bound;
        }
        self.checker
            .forced
            .iter()
            .enumerate()
            .map(|(k, array)| {
                let name = bound
                    .iter()
                    .find(|(_, b)| b.id == array.id)
                    .map_or_else(|| format!("computed {}", k + 1), |(n, _)| n.clone());
                (name, array.clone())
            })
            .collect()
    }

    /// Names bound so far (for the REPL's `:vars` and completion).
    pub fn bound_names(&self) -> Vec<String> {
        self.checker.main.names()
    }

    pub(crate) fn check(&mut self, program: &Program) -> Vec<Diagnostic> {
        self.check_program(program, true).0
    }

    /// Check a program against the session: its diagnostics and the value of its last
    /// expression as the checker sees it. What it binds is kept only when `keep` is set and
    /// nothing is wrong (a program that will not run must not leave names behind).
    fn check_program(&mut self, program: &Program, keep: bool) -> (Vec<Diagnostic>, Option<Value>) {
        let known = self.checker.main.names();
        let snapshot = self.checker.main.snapshot();
        let planned = self.checker.planned.clone();
        // The checker refuses what would not fit in the memory the runner has.
        self.checker.compute_options.memory_limit = self.runner.compute_options.memory_limit;
        self.checker.begin_check();
        let builtins: Vec<&str> = crate::builtins::LIBRARY.global_names().collect();
        let mut diagnostics = resolve_names(program, &known, &builtins);
        let main = self.checker.main.clone();
        let value = match self.checker.exec_program(&program.statements, &main) {
            Ok(value) => value,
            Err(diagnostic) => {
                self.checker.report(*diagnostic);
                None
            }
        };
        self.checker.check_uncalled_functions();
        diagnostics.append(&mut self.checker.diagnostics);
        diagnostics.sort_by_key(|d| d.span.map(|s| (s.source, s.start)));
        if !keep || has_errors(&diagnostics) {
            self.checker.main.restore(snapshot);
            self.checker.planned = planned;
        }
        (diagnostics, value)
    }

    pub(crate) fn run(&mut self, program: &Program) -> Result<Option<Value>, Diagnostic> {
        let main = self.runner.main.clone();
        let result = self.runner.exec_program(&program.statements, &main);
        let flushed = self.runner.flush_output();
        result
            .and_then(|value| flushed.map(|()| value))
            .map_err(|d| *d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(session: &mut Session, text: &str) -> Vec<Diagnostic> {
        let source = session.load("<test>", text.to_string());
        let (program, _) = crate::syntax::parse_program(text, source);
        session.check(&program)
    }

    #[test]
    fn a_program_that_fails_its_check_leaves_no_names_behind() {
        let mut session = Session::new(Box::new(std::io::sink()));
        assert!(has_errors(&check(&mut session, "x = undefined + 1")));
        assert!(!session.bound_names().contains(&"x".to_string()));
        // So a later use of `x` is still a check error, not a run-time one.
        let later = check(&mut session, "print(x)");
        assert_eq!(later[0].code, "flow::check::unknown_name");
        assert!(check(&mut session, "y = 1").is_empty());
        assert_eq!(session.bound_names(), vec!["y".to_string()]);
    }
}
