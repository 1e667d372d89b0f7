//! The `flow` command: a thin shell over the library's stages.

use clap::{Parser, Subcommand};
use flow::cli;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "flow",
    version,
    about = "A typed dataflow language for lazy, chunked arrays, datasets and dataframes",
    after_help = "With no command and no -e, flow starts the REPL.\n\n\
                  Exit codes: 0 success · 1 the program has errors (nothing ran) · 2 usage or \
                  input-file error · 3 runtime error · 70 internal error · 128 + N stopped by \
                  signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP)"
)]
struct Arguments {
    #[command(subcommand)]
    command: Option<Command>,
    /// Run PROGRAM (flow source text) and print the value of its last expression
    #[arg(
        short = 'e',
        long = "eval",
        value_name = "PROGRAM",
        allow_hyphen_values = true
    )]
    eval: Option<String>,
    /// Worker threads for computing (default: one per core)
    #[arg(long, global = true, value_name = "N")]
    threads: Option<NonZeroUsize>,
    /// Always show a progress bar while computing (default: on a terminal, after a second)
    #[arg(long, global = true, conflicts_with = "no_progress")]
    progress: bool,
    /// Never show a progress bar
    #[arg(long, global = true)]
    no_progress: bool,
    /// Bytes of chunks held in memory before new input stops being read (e.g. 2GB, 512MiB;
    /// default: half the machine's memory)
    #[arg(long, global = true, value_name = "SIZE", value_parser = memory_size)]
    memory_limit: Option<usize>,
    /// The REPL keeps no history file
    #[arg(long, global = true)]
    no_history: bool,
    /// Print figures of the run at the end: time per phase, tasks, fused operators, bytes, peak memory held
    #[arg(long, global = true)]
    stats: bool,
    /// Confine the program: it reads only under its script's directory (the working directory for
    /// the REPL and -e) and the --allow-read directories, and writes only under --allow-write ones
    #[arg(long, global = true)]
    sandbox: bool,
    /// With --sandbox (implied): also read under DIR (repeatable)
    #[arg(long = "allow-read", global = true, value_name = "DIR")]
    allow_read: Vec<PathBuf>,
    /// With --sandbox (implied): write (and read) under DIR (repeatable)
    #[arg(long = "allow-write", global = true, value_name = "DIR")]
    allow_write: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a script, then run it
    Run { file: PathBuf },
    /// Report every error in a script without running anything
    Check { file: PathBuf },
    /// Print the DOT graph of the script's lazy values
    Graph {
        file: PathBuf,
        /// Write the DOT text to this file instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Draw one node per chunk task instead of one per operation
        #[arg(long)]
        tasks: bool,
        /// With --tasks: print the optimised task graph as JSON, as it would be shipped (each
        /// task's content key, kind, parameters and inputs)
        #[arg(long, requires = "tasks")]
        json: bool,
    },
    /// Show what the script's arrays will cost: shapes, chunks, tasks, bytes, peak memory
    Explain { file: PathBuf },
    /// Print the syntax tree of a script (a stable text form, one node per line)
    Parse { file: PathBuf },
    /// Start the interactive prompt
    Repl,
    /// Serve a Jupyter notebook (`-f CONNECTION_FILE`, as Jupyter starts kernels), or install
    /// the kernelspec (`flow kernel install`)
    Kernel {
        /// The connection file Jupyter wrote for this kernel
        #[arg(short = 'f', value_name = "CONNECTION_FILE")]
        connection_file: Option<PathBuf>,
        #[command(subcommand)]
        action: Option<KernelAction>,
    },
}

#[derive(Subcommand)]
enum KernelAction {
    /// Write the kernelspec where Jupyter finds it (default: the user's Jupyter data directory)
    Install {
        /// Into the user's Jupyter data directory (the default)
        #[arg(long, conflicts_with_all = ["sys_prefix", "prefix"])]
        user: bool,
        /// Into the active Python environment (its sys.prefix)
        #[arg(long = "sys-prefix", conflicts_with = "prefix")]
        sys_prefix: bool,
        /// Into PREFIX/share/jupyter
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<PathBuf>,
    },
}

fn memory_size(text: &str) -> Result<usize, String> {
    flow::runtime::parse_size(text).ok_or_else(|| {
        format!("`{text}` is not a size; write e.g. 512MB, 2GiB or a number of bytes")
    })
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // Kernels' panics are caught and reported with the operation's span by the executor.
        if !flow::runtime::executor::running_kernel() {
            eprintln!("flow: internal error: {info}\nThis is a bug in flow; please report it with the input that caused it.");
        }
    }));
    // Deeply nested programs recurse deeply in every stage; a large stack (reserved, not
    // committed) keeps that a diagnostic rather than a crash.
    let worker = std::thread::Builder::new()
        .stack_size(1 << 29)
        .spawn(main_with_arguments);
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        // No thread could be made (a process or memory limit): run here, on the main stack.
        Err(_) => main_with_arguments(),
        Ok(Err(_)) => ExitCode::from(flow::frontend::EXIT_INTERNAL),
    }
}

fn main_with_arguments() -> ExitCode {
    flow::runtime::tune_allocator();
    let arguments = Arguments::parse();
    use flow::runtime::progress::ProgressMode;
    let progress = match (arguments.progress, arguments.no_progress) {
        (true, _) => ProgressMode::Always,
        (_, true) => ProgressMode::Never,
        _ => ProgressMode::Auto,
    };
    let options = flow::frontend::Options {
        threads: arguments
            .threads
            .map(|asked| flow::frontend::capped_threads(asked.get())),
        stats: arguments.stats,
        no_history: arguments.no_history,
        memory_limit: arguments.memory_limit,
        progress,
        sandbox: (arguments.sandbox
            || !arguments.allow_read.is_empty()
            || !arguments.allow_write.is_empty())
        .then(|| flow::frontend::SandboxFlags {
            allow_read: arguments.allow_read.clone(),
            allow_write: arguments.allow_write.clone(),
        }),
    };
    if let (Some(_), Some(_)) = (&arguments.eval, &arguments.command) {
        use clap::CommandFactory;
        Arguments::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "-e cannot be combined with a command",
            )
            .exit();
    }
    // In the REPL and the notebook kernel, SIGINT stops the computation and the session goes on.
    let repl = arguments.eval.is_none()
        && matches!(
            arguments.command,
            None | Some(Command::Repl) | Some(Command::Kernel { .. })
        );
    flow::signals::install(match repl {
        true => flow::signals::Mode::Repl,
        false => flow::signals::Mode::Command,
    });
    let code = run(arguments, &options);
    // A program a signal stopped exits 128 + the signal's number (130 for SIGINT).
    flow::signals::exit_code().map_or(code, ExitCode::from)
}

fn run(arguments: Arguments, options: &flow::frontend::Options) -> ExitCode {
    if let Some(program) = arguments.eval {
        return cli::evaluate_text(&program, options);
    }
    match arguments.command {
        None | Some(Command::Repl) => cli::repl(options),
        Some(Command::Run { file }) => cli::run_file(&file, options),
        Some(Command::Check { file }) => cli::check_file(&file, options),
        Some(Command::Parse { file }) => cli::parse_file(&file),
        Some(Command::Explain { file }) => cli::explain_file(&file, options),
        Some(Command::Graph {
            file,
            output,
            tasks,
            json,
        }) => cli::graph_file(&file, output.as_deref(), tasks, json, options),
        Some(Command::Kernel {
            action:
                Some(KernelAction::Install {
                    sys_prefix, prefix, ..
                }),
            ..
        }) => {
            use flow::kernel::install::Place;
            let place = match (sys_prefix, prefix) {
                (true, _) => Place::SysPrefix,
                (_, Some(prefix)) => Place::Prefix(prefix),
                _ => Place::User,
            };
            cli::install_kernel(&place)
        }
        Some(Command::Kernel {
            connection_file: Some(file),
            ..
        }) => cli::kernel(&file, options),
        Some(Command::Kernel { .. }) => {
            use clap::CommandFactory;
            Arguments::command()
                .error(
                    clap::error::ErrorKind::MissingRequiredArgument,
                    "flow kernel needs -f CONNECTION_FILE (Jupyter gives it), or `install`",
                )
                .exit()
        }
    }
}
