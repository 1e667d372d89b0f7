//! Background jobs (seed 003's futures): `f = submit(x)` starts computing `x` on its own thread
//! and returns at once; `result(f)` waits for the value (or the error), `cancel(f)` stops it,
//! and the REPL's `:jobs` lists them with their progress.

use super::builtin::Args;
use super::interpreter::{Eval, Interpreter, Mode};
use super::value::{Type, Value};
use crate::diagnostic::{Diagnostic, Phase};
use crate::runtime::progress::Progress;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

pub enum JobState {
    Running,
    Done(Value),
    Failed(Box<Diagnostic>),
}

pub struct Job {
    pub number: usize,
    pub description: String,
    pub started: Instant,
    pub cancel: Arc<AtomicBool>,
    pub counters: Arc<Progress>,
    pub state: Mutex<(JobState, Option<f64>)>,
    finished: Condvar,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "job {}", self.number)
    }
}

impl Job {
    /// `running · 40/120 tasks · 1.2 s`, `done in 3.1 s`, `failed: …`, `cancelled`.
    pub fn status(&self) -> String {
        let state = self.state.lock().expect("job state");
        match &state.0 {
            JobState::Running => {
                let (done, total) = (
                    self.counters.finished.load(Ordering::Relaxed),
                    self.counters.total.load(Ordering::Relaxed),
                );
                let tasks = if total > 0 {
                    format!(" · {done}/{total} tasks")
                } else {
                    String::new()
                };
                format!(
                    "running{tasks} · {:.1} s",
                    self.started.elapsed().as_secs_f64()
                )
            }
            JobState::Done(_) => format!("done in {:.2} s", state.1.unwrap_or(0.0)),
            JobState::Failed(d) if d.code == "flow::eval::interrupted" => "cancelled".into(),
            JobState::Failed(d) => format!("failed: {}", d.message),
        }
    }
}

/// `submit(value)`: compute `value` in the background.
pub fn submit(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if interpreter.is_checking() {
        return Ok(Value::Unknown(Type::Any));
    }
    let value = args.value(0).clone();
    let job = Arc::new(Job {
        number: interpreter.jobs.len() + 1,
        description: interpreter.sources.snippet(args.spans[0]),
        started: Instant::now(),
        cancel: Arc::new(AtomicBool::new(false)),
        counters: Arc::new(Progress::default()),
        state: Mutex::new((JobState::Running, None)),
        finished: Condvar::new(),
    });
    let mut options = interpreter.compute_options.clone();
    options.cancel = Some(job.cancel.clone());
    options.counters = Some(job.counters.clone());
    options.progress = crate::runtime::progress::ProgressMode::Never;
    let sources = interpreter.sources.clone();
    let library = interpreter.library;
    let running = job.clone();
    std::thread::spawn(move || {
        let mut worker = Interpreter::new(Mode::Run, sources, Box::new(std::io::sink()), library);
        worker.compute_options = options;
        worker.cancel = vec![running.cancel.clone()];
        let outcome = worker.force_value(value);
        let mut state = running.state.lock().expect("job state");
        *state = (
            match outcome {
                Ok(value) => JobState::Done(value),
                Err(mut diagnostic) => {
                    diagnostic.phase = Phase::Runtime;
                    JobState::Failed(diagnostic)
                }
            },
            Some(running.started.elapsed().as_secs_f64()),
        );
        running.finished.notify_all();
    });
    interpreter.jobs.push(job.clone());
    Ok(Value::Job(job))
}

fn job_argument(args: &Args) -> Eval<Option<Arc<Job>>> {
    match args.value(0) {
        Value::Job(job) => Ok(Some(job.clone())),
        Value::Unknown(_) => Ok(None),
        _ => Err(args.wrong_type(0, "a job from `submit`")),
    }
}

/// `result(job)`: wait for a job; its value, or its error.
pub fn result(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(job) = job_argument(args)? else {
        return Ok(Value::Unknown(Type::Any));
    };
    let mut state = job.state.lock().expect("job state");
    while matches!(state.0, JobState::Running) {
        if crate::runtime::interrupted() {
            return Err(interrupted(args.call));
        }
        state = job
            .finished
            .wait_timeout(state, std::time::Duration::from_millis(50))
            .expect("job state")
            .0;
    }
    match &state.0 {
        JobState::Done(value) => Ok(value.clone()),
        JobState::Failed(diagnostic) => Err(diagnostic.clone()),
        JobState::Running => unreachable!("waited"),
    }
}

/// `cancel(job)`: stop a running job.
pub fn cancel(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Some(job) = job_argument(args)? {
        job.cancel.store(true, Ordering::Release);
    }
    Ok(Value::None)
}

/// The error a computation stopped by Ctrl-C, `cancel` or a signal ends with.
pub fn interrupted(span: crate::source::Span) -> Box<Diagnostic> {
    let help = match crate::runtime::ending() {
        Some(signal) => {
            format!("stopped by {signal}: the program ends here; files being saved were removed")
        }
        None => "stopped by Ctrl-C or `cancel`; everything bound before is still there".into(),
    };
    Box::new(
        Diagnostic::error("flow::eval::interrupted", "computation interrupted", span)
            .with_label("while computing this")
            .with_help(help)
            .in_phase(Phase::Runtime),
    )
}
