//! What both front ends (the command line and the REPL) do alike: the run options they take,
//! reading a script file, evaluating text in a session with its diagnostics printed, and the
//! exit codes.

use crate::diagnostic::{has_errors, render, Diagnostic, Phase, RenderOptions};
use crate::session::Session;
use std::io::Write;
use std::path::Path;

pub const EXIT_COMPILE: u8 = 1;

pub const EXIT_USAGE: u8 = 2;

pub const EXIT_RUNTIME: u8 = 3;

pub const EXIT_INTERNAL: u8 = 70;

#[derive(Clone)]
pub struct Options {
    pub threads: Option<usize>,
    /// The REPL keeps no history file.
    pub no_history: bool,
    /// Print figures of the run on stderr at the end (`--stats`).
    pub stats: bool,
    pub progress: crate::runtime::progress::ProgressMode,
    pub memory_limit: Option<usize>,
    /// `--sandbox` (also implied by `--allow-read` / `--allow-write`): the directories the
    /// program may read beyond its script's, and those it may write.
    pub sandbox: Option<SandboxFlags>,
}

#[derive(Clone, Debug, Default)]
pub struct SandboxFlags {
    pub allow_read: Vec<std::path::PathBuf>,
    pub allow_write: Vec<std::path::PathBuf>,
}

/// Confine the session when `--sandbox` was given: reads under `home` (the script's directory;
/// the working directory for the REPL and `-e`) and the `--allow-read` directories, writes under
/// the `--allow-write` ones. `Err`: a diagnostic for a directory that does not exist.
pub fn apply_sandbox(
    session: &mut Session,
    options: &Options,
    home: &Path,
) -> Result<(), Diagnostic> {
    let Some(flags) = &options.sandbox else {
        return Ok(());
    };
    let home = match home.as_os_str().is_empty() {
        true => Path::new("."),
        false => home,
    };
    let sandbox = crate::eval::sandbox::Sandbox::new(home, &flags.allow_read, &flags.allow_write)
        .map_err(|message| {
        Diagnostic::error_without_span("flow::input::sandbox", message)
            .with_help("--allow-read and --allow-write take existing directories")
            .in_phase(Phase::Input)
    })?;
    session.set_sandbox(sandbox);
    Ok(())
}

/// Read a script: a clear diagnostic for a missing file, a directory or text that is not UTF-8.
/// A Jupyter notebook (`.ipynb`) of flow cells is read as the script its code cells make.
pub fn read_source(path: &Path) -> Result<String, Diagnostic> {
    let shown = path.display();
    let input_error = |code, message: String, help: &str| {
        Diagnostic::error_without_span(code, message)
            .with_help(help.to_string())
            .in_phase(Phase::Input)
    };
    if path.is_dir() {
        return Err(input_error(
            "flow::input::is_directory",
            format!("`{shown}` is a directory"),
            "give the path of a .flow file",
        ));
    }
    let bytes = std::fs::read(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => input_error(
            "flow::input::not_found",
            format!("`{shown}` does not exist"),
            "check the path",
        ),
        _ => input_error(
            "flow::input::unreadable",
            format!("cannot read `{shown}`: {error}"),
            "check the file's permissions",
        ),
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        input_error(
            "flow::input::not_utf8",
            format!(
                "`{shown}` is not UTF-8 text (invalid byte 0x{:02x} at byte {offset}, line {line})",
                bytes[offset]
            ),
            "flow scripts are UTF-8; convert the file, e.g. `iconv -f latin1 -t utf-8`",
        )
    })?;
    match path.extension().is_some_and(|e| e == "ipynb") {
        true => notebook_code(&text).map_err(|problem| {
            input_error(
                "flow::input::not_notebook",
                format!("`{shown}` is not a flow notebook: {problem}"),
                "give a notebook saved by Jupyter with the flow kernel, or a .flow script",
            )
        }),
        false => Ok(text),
    }
}

/// The script a notebook's code cells make, in order, each after a `# [cell N]` line (so a
/// diagnostic's snippet shows which cell); markdown and raw cells are left out.
fn notebook_code(text: &str) -> Result<String, String> {
    let notebook: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let metadata = &notebook["metadata"];
    let language = metadata["kernelspec"]["language"]
        .as_str()
        .or_else(|| metadata["language_info"]["name"].as_str());
    if let Some(other) = language.filter(|l| *l != "flow") {
        return Err(format!("its cells are {other}"));
    }
    let cells = notebook["cells"]
        .as_array()
        .ok_or("it has no list of cells")?;
    let mut script = String::new();
    for (n, cell) in cells.iter().enumerate() {
        if cell["cell_type"] != "code" {
            continue;
        }
        // Jupyter saves a cell's source as one string or as a list of lines.
        let source = match &cell["source"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(lines) => lines.iter().filter_map(|l| l.as_str()).collect(),
            _ => return Err(format!("cell {} has no source text", n + 1)),
        };
        script.push_str(&format!("# [cell {}]\n{source}\n", n + 1));
    }
    Ok(script)
}

pub fn exit_code_for(diagnostics: &[Diagnostic]) -> u8 {
    let phase = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.phase)
        .next();
    match phase {
        None => 0,
        Some(Phase::Compile) => EXIT_COMPILE,
        Some(Phase::Input) => EXIT_USAGE,
        Some(Phase::Runtime) => EXIT_RUNTIME,
    }
}

/// Print diagnostics on stderr, as every command does.
pub fn report_diagnostics(session: &Session, diagnostics: &[Diagnostic]) {
    report(session, diagnostics);
}

/// Print diagnostics that point into no source (about the command line or an input file).
pub fn report_unsourced(diagnostics: &[Diagnostic]) {
    eprint!(
        "{}",
        render(
            diagnostics,
            &Default::default(),
            RenderOptions::for_stderr()
        )
    );
}

pub fn report(session: &Session, diagnostics: &[Diagnostic]) {
    let _ = std::io::stdout().flush();
    eprint!(
        "{}",
        render(diagnostics, &session.sources, RenderOptions::for_stderr())
    );
}

/// The worker threads to run with when `asked` for: at most `runtime::max_threads()`, with a
/// warning (`flow::input::threads`) when more were asked for.
pub fn capped_threads(asked: usize) -> usize {
    let most = crate::runtime::max_threads();
    if asked <= most {
        return asked;
    }
    let warning = Diagnostic::warning_without_span(
        "flow::input::threads",
        format!("--threads {asked} is more than flow runs; using {most}"),
    )
    .with_help(format!(
        "at most {} threads per core ({} cores here): more only add switching",
        crate::runtime::THREADS_PER_CORE,
        crate::runtime::default_threads()
    ))
    .in_phase(Phase::Input);
    report_unsourced(&[warning]);
    most
}

/// Threads, progress and memory limit from the command line.
pub fn apply_run_options(session: &mut Session, options: &Options) {
    let compute = session.compute_options();
    compute.progress = options.progress;
    if let Some(limit) = options.memory_limit {
        compute.memory_limit = limit;
    }
    if let Some(threads) = options.threads {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
        compute.threads = threads;
    }
}

impl Options {
    /// The options a session runs with now (the REPL's `:reset` keeps them).
    pub fn from_session(session: &mut Session) -> Options {
        let compute = session.compute_options();
        Options {
            threads: Some(compute.threads),
            no_history: true,
            stats: false,
            progress: compute.progress,
            memory_limit: Some(compute.memory_limit),
            sandbox: None,
        }
    }
}

/// Parse, check and run `text` in a session, printing its diagnostics: the value of a final
/// expression (`none` if there is none) or the exit code of what went wrong.
pub fn evaluate_in(
    session: &mut Session,
    name: &str,
    text: &str,
) -> Result<crate::eval::Value, u8> {
    evaluate_reporting(session, name, text, &mut report)
}

/// As `evaluate_in`, handing the diagnostics to `report` as they are found (those of checking
/// before anything runs, then a run-time error).
pub fn evaluate_reporting(
    session: &mut Session,
    name: &str,
    text: &str,
    report: &mut dyn FnMut(&Session, &[Diagnostic]),
) -> Result<crate::eval::Value, u8> {
    let source = session.load(name, text.to_string());
    let (program, mut diagnostics) = crate::parse(session, source);
    if !has_errors(&diagnostics) {
        diagnostics.extend(crate::check(session, &program));
    }
    if !diagnostics.is_empty() {
        report(session, &diagnostics);
    }
    if has_errors(&diagnostics) {
        return Err(exit_code_for(&diagnostics));
    }
    match crate::run(session, &program) {
        Ok(value) => Ok(value.unwrap_or(crate::eval::Value::None)),
        Err(diagnostic) => {
            report(session, std::slice::from_ref(&diagnostic));
            Err(EXIT_RUNTIME)
        }
    }
}
