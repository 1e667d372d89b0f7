//! What SIGINT, SIGTERM and SIGHUP do. The computation running stops at its next task (as
//! Ctrl-C in the REPL does), so its saves fail and remove their temporary files; the program
//! prints `flow::eval::interrupted` and exits with 128 + the signal's number (130, 143, 129).
//! A second signal, or a computation still running 3 s after the first (a long step that does
//! not look at the flag), ends the program at once — after removing the temporary files of the
//! saves in flight and putting the terminal back. Only SIGKILL can leave a temporary file behind
//! (the next save to the same path removes it).
//!
//! In the REPL, SIGINT only stops the computation (the session goes on); SIGTERM and SIGHUP
//! end the session — its history is already on disk, written after every line.

use crate::diagnostic::{render, Diagnostic, Phase, RenderOptions};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

/// The first signal that asked the program to end (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The REPL is evaluating a line (not waiting at its prompt).
static BUSY: AtomicBool = AtomicBool::new(false);

/// How long a computation has to stop by itself once a signal asked it to.
const GRACE: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `flow run`, `check`, `-e` and the other commands: every signal ends the program.
    Command,
    /// The REPL: SIGINT stops the computation only.
    Repl,
}

/// Handle the three signals from now on (once per process).
pub fn install(mode: Mode) {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let terminal = Terminal::save();
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if mode == Mode::Repl && signal == SIGINT {
                    crate::runtime::interrupt();
                    continue;
                }
                crate::runtime::interrupt_to_end(name(signal));
                let first = RECEIVED
                    .compare_exchange(0, signal, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok();
                let idle_prompt = mode == Mode::Repl && !BUSY.load(Ordering::Acquire);
                if !first || idle_prompt {
                    end(signal, &terminal);
                }
                let terminal = terminal.clone();
                let _ = std::thread::Builder::new()
                    .name("signal grace".into())
                    .spawn(move || {
                        std::thread::sleep(GRACE);
                        end(signal, &terminal)
                    });
            }
        });
}

/// The exit code of a program a signal ended (128 + its number), if one did.
pub fn exit_code() -> Option<u8> {
    match RECEIVED.load(Ordering::Acquire) {
        0 => None,
        signal => Some(128u8.saturating_add(signal as u8)),
    }
}

/// Marks the REPL as evaluating while it lives.
pub struct Busy;

impl Busy {
    pub fn start() -> Busy {
        BUSY.store(true, Ordering::Release);
        Busy
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        BUSY.store(false, Ordering::Release);
    }
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// End the program now: temporaries removed, the terminal as it was, the reason said.
fn end(signal: i32, terminal: &Terminal) -> ! {
    crate::io::temporary::remove_all();
    terminal.restore();
    let diagnostic = Diagnostic::error_without_span(
        "flow::eval::interrupted",
        format!("stopped by {}", name(signal)),
    )
    .with_help("the computation did not finish; files being saved were removed".to_string())
    .in_phase(Phase::Runtime);
    eprint!(
        "{}",
        render(
            &[diagnostic],
            &Default::default(),
            RenderOptions::for_stderr()
        )
    );
    std::process::exit(128 + signal)
}

/// The terminal's settings when flow started, put back when a signal ends the program while
/// the line editor holds the terminal in raw mode.
#[derive(Clone)]
struct Terminal {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl Terminal {
    fn save() -> Terminal {
        #[cfg(unix)]
        {
            let mut settings = std::mem::MaybeUninit::<libc::termios>::uninit();
            // Standard input may be no terminal at all: then there is nothing to put back.
            let saved = match unsafe { libc::tcgetattr(0, settings.as_mut_ptr()) } {
                0 => Some(unsafe { settings.assume_init() }),
                _ => None,
            };
            Terminal { saved }
        }
        #[cfg(not(unix))]
        Terminal {}
    }

    fn restore(&self) {
        #[cfg(unix)]
        if let Some(settings) = &self.saved {
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, settings);
            }
        }
    }
}
