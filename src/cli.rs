//! What the `flow` command does for each subcommand: read the input, run the stages, render the
//! diagnostics, choose the exit code. `src/main.rs` only parses arguments.

use crate::diagnostic::{has_errors, Diagnostic, Phase};
use crate::frontend::{
    apply_run_options, evaluate_in, exit_code_for, read_source, report, Options, EXIT_COMPILE,
    EXIT_RUNTIME, EXIT_USAGE,
};
use crate::session::Session;
use crate::source::SourceId;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Write to standard output; a closed pipe (`flow … | head`) is not an error.
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

fn stdout_session() -> Session {
    Session::new(Box::new(std::io::BufWriter::new(std::io::stdout())))
}

/// A session for running, with the thread count asked for (the worker pool is sized once).
fn running_session(options: &Options) -> Session {
    let mut session = stdout_session();
    apply_run_options(&mut session, options);
    session
}

/// Confine `session` as `--sandbox` asks, for a script at `path` (`None`: text given on the
/// command line, at home in the working directory); `Err` after saying why it cannot be.
fn sandboxed(
    session: &mut Session,
    options: &Options,
    path: Option<&Path>,
) -> Result<(), ExitCode> {
    let home = path.and_then(Path::parent).unwrap_or(Path::new("."));
    crate::frontend::apply_sandbox(session, options, home).map_err(|diagnostic| {
        report(session, std::slice::from_ref(&diagnostic));
        ExitCode::from(EXIT_USAGE)
    })
}

/// Load and parse a file; `Err` carries the exit code after the diagnostics were printed.
fn load(
    session: &Session,
    path: &Path,
) -> Result<(SourceId, crate::syntax::ast::Program, Vec<Diagnostic>), ExitCode> {
    let text = match read_source(path) {
        Ok(text) => text,
        Err(diagnostic) => {
            report(session, std::slice::from_ref(&diagnostic));
            return Err(ExitCode::from(EXIT_USAGE));
        }
    };
    let source = session.load(path.display().to_string(), text);
    let (program, diagnostics) = crate::parse(session, source);
    Ok((source, program, diagnostics))
}

/// Seconds spent parsing and checking, for `--stats`.
#[derive(Default)]
struct FrontTimes {
    parse: f64,
    check: f64,
}

/// Parse and check; print all diagnostics. `Err` when there are errors.
fn load_and_check(
    session: &mut Session,
    path: &Path,
) -> Result<crate::syntax::ast::Program, ExitCode> {
    load_and_check_timed(session, path, &mut FrontTimes::default())
}

fn load_and_check_timed(
    session: &mut Session,
    path: &Path,
    times: &mut FrontTimes,
) -> Result<crate::syntax::ast::Program, ExitCode> {
    let started = std::time::Instant::now();
    let (_, program, mut diagnostics) = load(session, path)?;
    let parsed = std::time::Instant::now();
    diagnostics.extend(crate::check(session, &program));
    times.parse = (parsed - started).as_secs_f64();
    times.check = parsed.elapsed().as_secs_f64();
    if !diagnostics.is_empty() {
        report(session, &diagnostics);
    }
    if has_errors(&diagnostics) {
        return Err(ExitCode::from(exit_code_for(&diagnostics)));
    }
    Ok(program)
}

pub fn run_file(path: &Path, options: &Options) -> ExitCode {
    let mut session = running_session(options);
    if let Err(code) = sandboxed(&mut session, options, Some(path)) {
        return code;
    }
    // A notebook's `plot(x)` without a path draws for a cell to show; run as a script, the
    // pictures are drawn (so the cell's errors are found) and not kept, as the end says.
    let notebook = path.extension().is_some_and(|e| e == "ipynb");
    let dropped = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    if notebook {
        let count = dropped.clone();
        session.show_pictures_inline(std::sync::Arc::new(move |_| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }));
    }
    let mut times = FrontTimes::default();
    let program = match load_and_check_timed(&mut session, path, &mut times) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let started = std::time::Instant::now();
    let result = crate::run(&mut session, &program);
    let dropped = dropped.load(std::sync::atomic::Ordering::Relaxed);
    if dropped > 0 {
        let note = Diagnostic::warning_without_span(
            "flow::eval::pictures_not_kept",
            format!(
                "{dropped} picture{} drawn without a path {} not kept: a notebook run as a \
                 script has no cell to show {} under",
                if dropped == 1 { "" } else { "s" },
                if dropped == 1 { "was" } else { "were" },
                if dropped == 1 { "it" } else { "them" },
            ),
        )
        .with_help(
            "give a path to keep a picture: plot(x, \"x.png\"), graph(x, \"x.dot\")".to_string(),
        );
        crate::frontend::report_unsourced(&[note]);
    }
    if options.stats {
        eprint!(
            "{}",
            statistics_text(
                &times,
                started.elapsed().as_secs_f64(),
                session.statistics()
            )
        );
    }
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(diagnostic) => {
            report(&session, std::slice::from_ref(&diagnostic));
            ExitCode::from(EXIT_RUNTIME)
        }
    }
}

fn statistics_text(
    times: &FrontTimes,
    run: f64,
    statistics: &crate::runtime::executor::Statistics,
) -> String {
    let ms = |s: f64| format!("{:.1} ms", s * 1e3);
    let bytes = crate::text::human_bytes;
    format!(
        "stats: parse {} · check {} · run {} (lower {} · optimise {} · execute {}; {} computation{})\n       \
         {} tasks run ({} removed by the optimiser) · {} operators in fused kernels · {} produced · {} peak held\n",
        ms(times.parse),
        ms(times.check),
        ms(run),
        ms(statistics.lower_seconds),
        ms(statistics.optimise_seconds),
        ms(statistics.execute_seconds),
        statistics.computations,
        if statistics.computations == 1 { "" } else { "s" },
        statistics.tasks,
        statistics.tasks_removed,
        statistics.fused_operators,
        bytes(statistics.bytes_produced),
        bytes(statistics.peak_held_bytes),
    )
}

pub fn check_file(path: &Path, options: &Options) -> ExitCode {
    let mut session = stdout_session();
    if let Err(code) = sandboxed(&mut session, options, Some(path)) {
        return code;
    }
    match load_and_check(&mut session, path) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

pub fn parse_file(path: &Path) -> ExitCode {
    let session = stdout_session();
    let (_, program, diagnostics) = match load(&session, path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    emit(&crate::syntax::dump::dump_program(&program));
    if !diagnostics.is_empty() {
        report(&session, &diagnostics);
        return ExitCode::from(EXIT_COMPILE);
    }
    ExitCode::SUCCESS
}

pub fn explain_file(path: &Path, options: &Options) -> ExitCode {
    let mut session = stdout_session();
    if let Err(code) = sandboxed(&mut session, options, Some(path)) {
        return code;
    }
    if let Some(limit) = options.memory_limit {
        session.compute_options().memory_limit = limit;
    }
    if let Err(code) = load_and_check(&mut session, path) {
        return code;
    }
    let threads = options
        .threads
        .unwrap_or_else(crate::runtime::default_threads);
    let memory_limit = session.compute_options().memory_limit;
    let explanation = match crate::runtime::report::explain(
        &session.computed_arrays(),
        &session.bound_arrays(),
        threads,
        memory_limit,
    ) {
        Ok(explanation) => explanation,
        Err(diagnostic) => {
            report(&session, &[diagnostic]);
            return ExitCode::from(EXIT_RUNTIME);
        }
    };
    emit(&explanation.text);
    if !explanation.warnings.is_empty() {
        report(&session, &explanation.warnings);
    }
    ExitCode::SUCCESS
}

pub fn graph_file(
    path: &Path,
    output: Option<&Path>,
    tasks: bool,
    json: bool,
    options: &Options,
) -> ExitCode {
    let mut session = stdout_session();
    if let Err(code) = sandboxed(&mut session, options, Some(path)) {
        return code;
    }
    if let Err(code) = load_and_check(&mut session, path) {
        return code;
    }
    // The lazy arrays the script binds at top level, as the checker built them: nothing runs.
    let arrays = if tasks {
        session.computed_arrays()
    } else {
        session.bound_arrays()
    };
    let frames = session.bound_frames();
    let memory_limit = session.compute_options().memory_limit;
    let dot = match json {
        true => crate::runtime::report::json(&arrays, &frames, memory_limit),
        false => crate::runtime::report::dot(&arrays, &frames, tasks, memory_limit),
    };
    let dot = match dot {
        Ok(text) => text,
        Err(diagnostic) => {
            report(&session, &[diagnostic]);
            return ExitCode::from(EXIT_RUNTIME);
        }
    };
    match output {
        None => {
            emit(&dot);
            ExitCode::SUCCESS
        }
        Some(file) => match crate::io::write_atomically(file, dot.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                let diagnostic = Diagnostic::error_without_span(
                    "flow::output::write",
                    format!("cannot write `{}`: {error}", file.display()),
                )
                .with_help("check that the directory exists and is writable")
                .in_phase(Phase::Runtime);
                report(&session, &[diagnostic]);
                ExitCode::from(EXIT_RUNTIME)
            }
        },
    }
}

/// `flow -e PROGRAM`: run it and print the value of its last expression (unless `none`).
pub fn evaluate_text(text: &str, options: &Options) -> ExitCode {
    let mut session = running_session(options);
    if let Err(code) = sandboxed(&mut session, options, None) {
        return code;
    }
    match evaluate_input(&mut session, "<-e>", text) {
        Ok(Some(shown)) => {
            emit(&format!("{shown}\n"));
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(code) => ExitCode::from(code),
    }
}

/// Like [`evaluate_in`], with the value as the text `flow -e` prints (none for `none`).
fn evaluate_input(session: &mut Session, name: &str, text: &str) -> Result<Option<String>, u8> {
    evaluate_in(session, name, text)
        .map(|value| (!matches!(value, crate::eval::Value::None)).then(|| value.repr()))
}

/// `flow` with no arguments: the REPL (src/repl.rs).
pub fn repl(options: &Options) -> ExitCode {
    crate::repl::run(options)
}

/// `flow kernel -f CONNECTION_FILE`: serve a notebook until it shuts the kernel down.
pub fn kernel(connection_file: &Path, options: &Options) -> ExitCode {
    crate::kernel::serve(connection_file, options)
}

/// `flow kernel install`: write the kernelspec and say where.
pub fn install_kernel(place: &crate::kernel::install::Place) -> ExitCode {
    match crate::kernel::install::install(place) {
        Ok(directory) => {
            println!("installed the flow kernel in {}", directory.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            let diagnostic = Diagnostic::error_without_span("flow::input::kernel_install", message)
                .with_help(
                    "--user writes into the Jupyter data directory, --prefix P into \
                     P/share/jupyter"
                        .to_string(),
                )
                .in_phase(crate::diagnostic::Phase::Input);
            crate::frontend::report_unsourced(&[diagnostic]);
            ExitCode::from(crate::frontend::EXIT_USAGE)
        }
    }
}
