//! The progress bar for long computations: shown on stderr when it is a terminal and a
//! computation takes more than a second (`--progress` shows it always — as plain lines when
//! stderr is not a terminal — and `--no-progress` never), or handed to a [`ProgressDisplay`]
//! (a notebook draws it in the cell's output, updated in place).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// On a terminal, for computations over a second.
    #[default]
    Auto,
    Always,
    Never,
}

/// Counters the executor advances and the reporter reads.
#[derive(Default, Debug)]
pub struct Progress {
    pub total: AtomicUsize,
    pub finished: AtomicUsize,
    pub done: AtomicBool,
}

const DELAY: Duration = Duration::from_secs(1);

/// Where progress is drawn instead of stderr (a notebook cell's output).
pub trait ProgressDisplay: Send + Sync + std::fmt::Debug {
    /// How far computation number `computation` has come (called last when it has ended).
    fn show(&self, computation: u64, state: &Shown);
}

/// What a [`ProgressDisplay`] is asked to show.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shown {
    pub finished: usize,
    pub total: usize,
    pub elapsed: Duration,
}

impl Shown {
    /// One line of text: a bar 30 wide, the tasks and the time.
    pub fn line(&self) -> String {
        let width = 30;
        let filled = (width * self.finished)
            .checked_div(self.total)
            .unwrap_or(width);
        format!(
            "[{}{}] {}/{} tasks · {:.1} s",
            "=".repeat(filled),
            " ".repeat(width - filled.min(width)),
            self.finished,
            self.total,
            self.elapsed.as_secs_f64()
        )
    }
}

static COMPUTATIONS: AtomicUsize = AtomicUsize::new(0);

/// Start reporting on `progress` for a computation of `total` tasks: to `display` when there is
/// one, else on stderr.
pub fn start(
    mode: ProgressMode,
    display: Option<Arc<dyn ProgressDisplay>>,
    progress: Arc<Progress>,
    total: usize,
) -> Option<JoinHandle<()>> {
    let terminal = std::io::stderr().is_terminal();
    let shown_somewhere = terminal || display.is_some();
    if mode == ProgressMode::Never || (mode == ProgressMode::Auto && !shown_somewhere) || total == 0
    {
        return None;
    }
    Some(std::thread::spawn(move || {
        let started = Instant::now();
        if mode == ProgressMode::Auto {
            while started.elapsed() < DELAY {
                if progress.done.load(Ordering::Acquire) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        if let Some(display) = display {
            let computation = COMPUTATIONS.fetch_add(1, Ordering::Relaxed) as u64;
            loop {
                let done = progress.done.load(Ordering::Acquire);
                let finished = progress.finished.load(Ordering::Relaxed);
                let elapsed = started.elapsed();
                let state = Shown {
                    finished,
                    total,
                    elapsed,
                };
                display.show(computation, &state);
                if done {
                    return;
                }
                for _ in 0..10 {
                    if progress.done.load(Ordering::Acquire) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
            }
        } else if terminal {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::stderr_with_hz(10),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "[{bar:40}] {pos}/{len} tasks · {elapsed_precise} · eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            while !progress.done.load(Ordering::Acquire) {
                bar.set_position(progress.finished.load(Ordering::Relaxed) as u64);
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        } else {
            let mut last = Instant::now() - DELAY;
            while !progress.done.load(Ordering::Acquire) {
                if last.elapsed() >= DELAY {
                    let finished = progress.finished.load(Ordering::Relaxed);
                    eprintln!(
                        "computing: {finished}/{total} tasks ({:.0}%) · {:.1} s",
                        100.0 * finished as f64 / total as f64,
                        started.elapsed().as_secs_f64()
                    );
                    last = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!(
                "computing: {total}/{total} tasks (100%) · {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    }))
}
