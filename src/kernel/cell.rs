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
        let options = options.clone();
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
                session.show_pictures_inline(shown_where_drawn(&publisher, &running));
                crate::frontend::apply_run_options(&mut session, &options);
                // The progress bar of a computation over a second, in the cell's output.
                session.compute_options().progress_display = Some(Arc::new(CellProgress {
                    publisher: publisher.clone(),
                    running: running.clone(),
                    shown: Mutex::new(None),
                }));
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
                    let text = render(diagnostics, &session.sources, RenderOptions::for_notebook());
                    let content = json!({"name": "stderr", "text": text});
                    publisher.publish(request, "stream", content);
                }
            };
            crate::frontend::evaluate_reporting(&mut self.session, &name, code, &mut report)
        };
        *self.running.lock().expect("not poisoned") = None;
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
    let text = render(diagnostics, &session.sources, RenderOptions::for_notebook());
    json!({
        "ename": first.map_or("flow::error", |d| d.code),
        "evalue": first.map_or(String::new(), |d| d.message.clone()),
        "traceback": text.lines().collect::<Vec<_>>(),
    })
}

/// The byte offset of character `cursor` of `code` (Jupyter counts characters).
fn byte_offset(code: &str, cursor: usize) -> usize {
    code.char_indices()
        .nth(cursor)
        .map_or(code.len(), |(i, _)| i)
}

/// What the session prints, published as `stream` messages of the running cell.
/// Pictures drawn without a path, published as `display_data` of the running cell as they are
/// drawn (PNG, or SVG for a graph), so they show between the lines printed before and after.
fn shown_where_drawn(
    publisher: &Publisher,
    running: &Arc<Mutex<Option<Message>>>,
) -> crate::eval::interpreter::PictureSink {
    use crate::eval::interpreter::Picture;
    let publisher = publisher.clone();
    let running = running.clone();
    Arc::new(move |picture: Picture| {
        let mut data = serde_json::Map::new();
        if let Some(png) = picture.png {
            use base64::Engine;
            let png = base64::engine::general_purpose::STANDARD.encode(png);
            data.insert("image/png".into(), png.into());
        }
        if let Some(svg) = picture.svg {
            data.insert("image/svg+xml".into(), svg.into());
        }
        data.insert("text/plain".into(), "<picture>".into());
        if let Some(request) = running.lock().expect("not poisoned").as_ref() {
            let content = json!({"data": data, "metadata": {}});
            publisher.publish(request, "display_data", content);
        }
    })
}

/// A computation's progress bar in the output of the cell that runs it: shown once, then
/// updated in place (`update_display_data` of its display id), left full when it is done.
#[derive(Debug)]
struct CellProgress {
    publisher: Publisher,
    running: Arc<Mutex<Option<Message>>>,
    /// The computation whose bar is showing.
    shown: Mutex<Option<u64>>,
}

impl crate::runtime::progress::ProgressDisplay for CellProgress {
    fn show(&self, computation: u64, state: &crate::runtime::progress::Shown) {
        let Some(request) = self.running.lock().expect("not poisoned").clone() else {
            return;
        };
        let mut shown = self.shown.lock().expect("not poisoned");
        let kind = match shown.replace(computation) {
            Some(before) if before == computation => "update_display_data",
            _ => "display_data",
        };
        let html = format!(
            "<div style=\"font-family: monospace\"><progress value=\"{}\" max=\"{}\" \
             style=\"width: 30ch; vertical-align: middle\"></progress> {}/{} tasks · {:.1} s</div>",
            state.finished,
            state.total,
            state.finished,
            state.total,
            state.elapsed.as_secs_f64()
        );
        // The metadata marks it as progress (saved with the notebook, unlike the display id), so
        // tools comparing outputs can leave timings out.
        let content = json!({
            "data": {"text/html": html, "text/plain": state.line()},
            "metadata": {"flow": {"progress": true}},
            "transient": {"display_id": format!("flow-progress-{computation}")},
        });
        self.publisher.publish(&request, kind, content);
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::progress::{ProgressDisplay, Shown};
    use std::time::Duration;

    #[test]
    fn a_progress_bar_is_shown_once_then_updated_in_place() {
        let (iopub, mut published) = tokio::sync::mpsc::unbounded_channel();
        let publisher = Publisher {
            iopub,
            session_id: "s".into(),
        };
        let request = Message {
            identities: vec![],
            header: super::super::wire::header("s", "execute_request"),
            parent: json!({}),
            metadata: json!({}),
            content: json!({}),
        };
        let progress = CellProgress {
            publisher,
            running: Arc::new(Mutex::new(Some(request))),
            shown: Mutex::new(None),
        };
        let state = |finished| Shown {
            finished,
            total: 8,
            elapsed: Duration::from_millis(1500),
        };
        progress.show(3, &state(2));
        progress.show(3, &state(8));
        progress.show(4, &state(0));
        let messages: Vec<Message> = std::iter::from_fn(|| published.try_recv().ok()).collect();
        let kinds: Vec<&str> = messages.iter().map(Message::kind).collect();
        assert_eq!(
            kinds,
            ["display_data", "update_display_data", "display_data"]
        );
        let id = |m: &Message| m.content["transient"]["display_id"].clone();
        assert_eq!(id(&messages[0]), id(&messages[1]));
        assert_ne!(id(&messages[1]), id(&messages[2]));
        assert_eq!(
            messages[1].content["data"]["text/plain"],
            "[==============================] 8/8 tasks · 1.5 s"
        );
        assert!(messages[0].content["data"]["text/html"]
            .as_str()
            .unwrap()
            .contains("<progress value=\"2\" max=\"8\""));
    }
}
