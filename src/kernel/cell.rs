//! The kernel's session, on a thread of its own: cells run there one at a time, their output
//! published as it is printed, their diagnostics as Jupyter errors (rendered as on a terminal,
//! in colour), the value of a final expression as the cell's result; completion and inspection
//! ask the same session.

use super::wire::Message;
use super::Publisher;
use crate::completion::{self, Completion, Known};
use crate::diagnostic::{render, Diagnostic, RenderOptions};
use crate::eval::Value;
use crate::session::Session;
use serde_json::{json, Value as Json};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut CellRunner) + Send>;

/// The handle the shell holds: it hands jobs to the session's thread and awaits their answers.
pub struct Cells {
    jobs: std::sync::mpsc::Sender<Job>,
}

/// The session's side.
struct CellRunner {
    session: Session,
    known: Known,
    count: u64,
    publisher: Publisher,
    /// The request whose cell is running: what printed output is published under.
    running: Arc<Mutex<Option<Message>>>,
}

impl Cells {
    pub fn start(options: &crate::frontend::Options, publisher: Publisher) -> Cells {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        // No terminal to draw a progress bar on; the rest as the command line gave it.
        let options = crate::frontend::Options {
            progress: crate::runtime::progress::ProgressMode::Never,
            ..options.clone()
        };
        std::thread::Builder::new()
            .name("kernel session".into())
            .stack_size(1 << 29)
            .spawn(move || {
                let running = Arc::new(Mutex::new(None));
                let output = Printed {
                    publisher: publisher.clone(),
                    running: running.clone(),
                };
                let mut session = Session::new(Box::new(output));
                session.show_pictures_inline();
                crate::frontend::apply_run_options(&mut session, &options);
                // `--sandbox` in kernel.json's argv: the notebook's folder is the home.
                let home = std::path::Path::new(".");
                if let Err(diagnostic) =
                    crate::frontend::apply_sandbox(&mut session, &options, home)
                {
                    crate::frontend::report_unsourced(&[diagnostic]);
                    std::process::exit(crate::frontend::EXIT_USAGE.into());
                }
                let mut known = Known::default();
                completion::refresh(&mut known, &session);
                let mut cells = CellRunner {
                    session,
                    known,
                    count: 0,
                    publisher,
                    running,
                };
                for job in queue {
                    job(&mut cells);
                }
            })
            .expect("a thread for the kernel's session");
        Cells { jobs }
    }

    async fn ask<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut CellRunner) -> T + Send + 'static,
    ) -> T {
        let (answer, answered) = oneshot::channel();
        let _ = self.jobs.send(Box::new(move |cells: &mut CellRunner| {
            let _ = answer.send(job(cells));
        }));
        answered.await.expect("the kernel's session thread answers")
    }

    /// Run a cell; the content of its `execute_reply`.
    pub async fn execute(&self, request: Message, code: String, silent: bool) -> Json {
        self.ask(move |cells| cells.execute(&request, &code, silent))
            .await
    }

    pub async fn complete(&self, code: String, cursor: usize) -> Json {
        self.ask(move |cells| cells.complete(&code, cursor)).await
    }

    pub async fn inspect(&self, code: String, cursor: usize) -> Json {
        self.ask(move |cells| cells.inspect(&code, cursor)).await
    }
}

impl CellRunner {
    fn execute(&mut self, request: &Message, code: &str, silent: bool) -> Json {
        if !silent {
            self.count += 1;
        }
        let count = self.count;
        self.publisher.publish(
            request,
            "execute_input",
            json!({"code": code, "execution_count": count}),
        );
        *self.running.lock().expect("not poisoned") = Some(request.clone());
        // Warnings go to stderr; errors are the cell's error, published and replied alike.
        let mut error: Option<Json> = None;
        let name = format!("[{count}]");
        let outcome = {
            let publisher = &self.publisher;
            let mut report = |session: &Session, diagnostics: &[Diagnostic]| {
                if diagnostics.iter().any(Diagnostic::is_error) {
                    let content = error_content(session, diagnostics);
                    publisher.publish(request, "error", content.clone());
                    error = Some(content);
                } else {
                    let text = render(diagnostics, &session.sources, colours());
                    let content = json!({"name": "stderr", "text": text});
                    publisher.publish(request, "stream", content);
                }
            };
            crate::frontend::evaluate_reporting(&mut self.session, &name, code, &mut report)
        };
        *self.running.lock().expect("not poisoned") = None;
        for png in self.session.take_pictures() {
            use base64::Engine;
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            let content = json!({
                "data": {"image/png": data, "text/plain": "<picture>"},
                "metadata": {},
            });
            self.publisher.publish(request, "display_data", content);
        }
        crate::runtime::clear_interrupt();
        completion::refresh(&mut self.known, &self.session);
        match outcome {
            Ok(value) => {
                if !matches!(value, Value::None) && !silent {
                    self.publisher.publish(
                        request,
                        "execute_result",
                        json!({
                            "execution_count": count,
                            "data": super::display::bundle(&value),
                            "metadata": {},
                        }),
                    );
                    self.session.bind("_", value);
                }
                json!({"status": "ok", "execution_count": count, "payload": [], "user_expressions": {}})
            }
            Err(_) => {
                let mut reply = error.unwrap_or_else(|| error_content(&self.session, &[]));
                reply["status"] = json!("error");
                reply["execution_count"] = json!(count);
                reply
            }
        }
    }

    fn complete(&self, code: &str, cursor: usize) -> Json {
        let position = byte_offset(code, cursor);
        let (start, matches) = match completion::complete(&self.known, code, position, &[]) {
            Completion::Items(start, candidates) => (
                start,
                candidates.into_iter().map(|c| c.replacement).collect(),
            ),
            Completion::Path => (position, Vec::new()),
        };
        json!({
            "status": "ok",
            "matches": matches,
            "cursor_start": code[..start].chars().count(),
            "cursor_end": cursor,
            "metadata": {},
        })
    }

    /// The help of the builtin named at the cursor, or the type of the value bound to it.
    fn inspect(&mut self, code: &str, cursor: usize) -> Json {
        let position = byte_offset(code, cursor);
        let is_word = |c: char| completion::is_word(c) || c == '.';
        let start = code[..position]
            .rfind(|c: char| !is_word(c))
            .map_or(0, |i| i + 1);
        let end = code[position..]
            .find(|c: char| !is_word(c))
            .map_or(code.len(), |i| position + i);
        let name = code[start..end].trim_matches('.');
        let text = crate::builtins::help(name)
            .or_else(|| crate::eval::modules::stdlib_help(name))
            .or_else(|| {
                let value = self.session.checked_value(name)?;
                Some(format!("{name}: {}", completion::type_text(&value)))
            });
        match text {
            Some(text) => json!({
                "status": "ok", "found": true,
                "data": {"text/plain": text}, "metadata": {},
            }),
            None => json!({"status": "ok", "found": false, "data": {}, "metadata": {}}),
        }
    }
}

/// The `ename`, `evalue` and `traceback` of diagnostics.
fn error_content(session: &Session, diagnostics: &[Diagnostic]) -> Json {
    let first = diagnostics.iter().find(|d| d.is_error());
    let text = render(diagnostics, &session.sources, colours());
    json!({
        "ename": first.map_or("flow::error", |d| d.code),
        "evalue": first.map_or(String::new(), |d| d.message.clone()),
        "traceback": text.lines().collect::<Vec<_>>(),
    })
}

/// Notebooks show ANSI colours; the width of a wide cell.
fn colours() -> RenderOptions {
    RenderOptions {
        color: std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    }
}

/// The byte offset of character `cursor` of `code` (Jupyter counts characters).
fn byte_offset(code: &str, cursor: usize) -> usize {
    code.char_indices()
        .nth(cursor)
        .map_or(code.len(), |(i, _)| i)
}

/// What the session prints, published as `stream` messages of the running cell.
struct Printed {
    publisher: Publisher,
    running: Arc<Mutex<Option<Message>>>,
}

impl std::io::Write for Printed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(request) = self.running.lock().expect("not poisoned").as_ref() {
            let text = String::from_utf8_lossy(buf);
            let content = json!({"name": "stdout", "text": text});
            self.publisher.publish(request, "stream", content);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
