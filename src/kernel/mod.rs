//! flow as a Jupyter kernel (`flow kernel -f CONNECTION_FILE`): one session per kernel, as the
//! REPL has, served over the Jupyter messaging protocol on ZeroMQ.
//!
//! Threads: a tokio runtime answers the sockets — heartbeat (echo), control (kernel info,
//! interrupt, shutdown), shell (requests, one at a time) and iopub (a task that publishes what
//! the others queue). The session lives on its own thread (`cell.rs`), which the shell hands
//! each request to; an interrupt on the control socket stops the computation running there
//! within a task, and the session goes on.

mod cell;
pub mod display;
pub mod install;
pub mod wire;

use crate::diagnostic::{Diagnostic, Phase};
use cell::Cells;
use serde_json::{json, Value};
use std::process::ExitCode;
use tokio::sync::mpsc::UnboundedSender;
use wire::{ConnectionInfo, Message, Signer};
use zeromq::{Socket, SocketRecv, SocketSend};

/// Serve the kernel on the sockets the connection file names, until a shutdown request.
pub fn serve(connection_file: &std::path::Path, options: &crate::frontend::Options) -> ExitCode {
    let info = match ConnectionInfo::read(connection_file) {
        Ok(info) => info,
        Err(message) => {
            let diagnostic = Diagnostic::error_without_span(
                "flow::input::connection_file",
                message,
            )
            .with_help(
                "Jupyter writes the connection file and starts `flow kernel -f FILE` itself, \
                     once `flow kernel install` has written the kernelspec"
                    .to_string(),
            )
            .in_phase(Phase::Input);
            crate::frontend::report_unsourced(&[diagnostic]);
            return ExitCode::from(crate::frontend::EXIT_USAGE);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(info, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flow kernel: {message}");
            ExitCode::from(crate::frontend::EXIT_INTERNAL)
        }
    }
}

/// Queues messages for the iopub socket, as children of the request they belong to.
#[derive(Clone, Debug)]
pub struct Publisher {
    iopub: UnboundedSender<Message>,
    session_id: String,
}

impl Publisher {
    /// A message of this kernel's session answering or caused by `request`.
    pub fn child(&self, request: &Message, kind: &str, content: Value) -> Message {
        request.child(&self.session_id, kind, content)
    }

    pub fn publish(&self, parent: &Message, kind: &str, content: Value) {
        let mut message = self.child(parent, kind, content);
        // The topic subscribers may filter on.
        message.identities = vec![kind.as_bytes().to_vec().into()];
        let _ = self.iopub.send(message);
    }
}

/// What the shell and control handlers share.
struct Kernel {
    publisher: Publisher,
    cells: Cells,
}

impl Kernel {
    fn status(&self, parent: &Message, state: &str) {
        let content = json!({ "execution_state": state });
        self.publisher.publish(parent, "status", content);
    }
}

async fn run(info: ConnectionInfo, options: &crate::frontend::Options) -> Result<(), String> {
    let mut heartbeat = bound(zeromq::RepSocket::new(), &info, info.hb_port, "heartbeats").await?;
    let mut iopub_socket = bound(zeromq::PubSocket::new(), &info, info.iopub_port, "iopub").await?;
    let mut shell = bound(zeromq::RouterSocket::new(), &info, info.shell_port, "shell").await?;
    let mut control = bound(
        zeromq::RouterSocket::new(),
        &info,
        info.control_port,
        "control",
    )
    .await?;
    let stdin = bound(zeromq::RouterSocket::new(), &info, info.stdin_port, "stdin").await?;

    let signer = std::sync::Arc::new(Signer::new(&info.key));
    let (iopub, mut queued) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let publisher = signer.clone();
    tokio::spawn(async move {
        while let Some(message) = queued.recv().await {
            let _ = iopub_socket.send(publisher.encode(&message)).await;
        }
    });
    tokio::spawn(async move {
        while let Ok(beat) = heartbeat.recv().await {
            let _ = heartbeat.send(beat).await;
        }
    });
    let publisher = Publisher {
        iopub,
        session_id: wire::message_id(),
    };
    let kernel = std::sync::Arc::new(Kernel {
        cells: Cells::start(options, publisher.clone()),
        publisher,
    });
    let control_kernel = kernel.clone();
    let control_signer = signer.clone();
    tokio::spawn(async move {
        while let Ok(frames) = control.recv().await {
            let Ok(request) = control_signer.decode(frames) else {
                continue;
            };
            let reply = control_kernel.control(&request);
            let _ = control.send(control_signer.encode(&reply)).await;
            if request.kind() == "shutdown_request" {
                std::process::exit(0);
            }
        }
    });
    // Nothing asks for input: `input()` does not exist in flow. The socket is bound so that
    // clients connect as to any kernel.
    let _stdin = stdin;
    loop {
        let frames = shell.recv().await.map_err(|e| format!("shell: {e}"))?;
        let request = match signer.decode(frames) {
            Ok(request) => request,
            Err(problem) => {
                eprintln!("flow kernel: a shell message was dropped: {problem}");
                continue;
            }
        };
        kernel.status(&request, "busy");
        let reply = kernel.shell(&request).await;
        if let Some(reply) = reply {
            let _ = shell.send(signer.encode(&reply)).await;
        }
        kernel.status(&request, "idle");
        if request.kind() == "shutdown_request" {
            std::process::exit(0);
        }
    }
}

/// `socket`, listening on `port` of the connection's address.
async fn bound<S: Socket>(
    mut socket: S,
    info: &ConnectionInfo,
    port: u16,
    what: &str,
) -> Result<S, String> {
    socket
        .bind(&info.endpoint(port))
        .await
        .map_err(|e| format!("cannot listen for {what} on port {port}: {e}"))?;
    Ok(socket)
}

impl Kernel {
    /// The reply to a shell request (`None`: the request needs none).
    async fn shell(&self, request: &Message) -> Option<Message> {
        let content = &request.content;
        let code = content["code"].as_str().unwrap_or("").to_string();
        // Jupyter counts the cursor in characters; no cursor: at the end.
        let cursor = content["cursor_pos"]
            .as_u64()
            .map_or(code.chars().count(), |c| c as usize);
        let (kind, content) = match request.kind() {
            "execute_request" => {
                let silent = content["silent"].as_bool().unwrap_or(false);
                let outcome = self.cells.execute(request.clone(), code, silent).await;
                ("execute_reply", outcome)
            }
            "complete_request" => ("complete_reply", self.cells.complete(code, cursor).await),
            "inspect_request" => ("inspect_reply", self.cells.inspect(code, cursor).await),
            "is_complete_request" => ("is_complete_reply", is_complete(&code)),
            "history_request" => ("history_reply", json!({"status": "ok", "history": []})),
            "comm_info_request" => ("comm_info_reply", json!({"status": "ok", "comms": {}})),
            // comm_open and the others no flow value answers.
            _ => self.on_either_socket(request)?,
        };
        Some(self.publisher.child(request, kind, content))
    }

    /// The reply to a control request.
    fn control(&self, request: &Message) -> Message {
        let (kind, content) = self.on_either_socket(request).unwrap_or_else(|| {
            let problem = format!("`{}` is not a control request flow answers", request.kind());
            let content =
                json!({"status": "error", "ename": "unknown", "evalue": problem, "traceback": []});
            ("error", content)
        });
        self.publisher.child(request, kind, content)
    }

    /// The requests shell and control both carry: kernel_info, shutdown and interrupt.
    fn on_either_socket(&self, request: &Message) -> Option<(&'static str, Value)> {
        Some(match request.kind() {
            "kernel_info_request" => ("kernel_info_reply", kernel_info()),
            "shutdown_request" => ("shutdown_reply", shutdown(&request.content)),
            "interrupt_request" => ("interrupt_reply", self.interrupt()),
            _ => return None,
        })
    }

    /// Stop the computation running (the cell ends with `flow::eval::interrupted`).
    fn interrupt(&self) -> Value {
        crate::runtime::interrupt();
        json!({"status": "ok"})
    }
}

fn shutdown(content: &Value) -> Value {
    json!({"status": "ok", "restart": content["restart"].as_bool().unwrap_or(false)})
}

fn kernel_info() -> Value {
    json!({
        "status": "ok",
        "protocol_version": wire::PROTOCOL_VERSION,
        "implementation": "flow",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "flow",
            "version": env!("CARGO_PKG_VERSION"),
            "mimetype": "text/x-flow",
            "file_extension": ".flow",
            // flow's syntax is close to Python's: comments, strings, numbers, calls, keywords.
            "pygments_lexer": "python3",
            "codemirror_mode": {"name": "python", "version": 3},
            "nbconvert_exporter": "script",
        },
        "banner": format!("flow {} — lazy, chunked arrays, datasets and frames", env!("CARGO_PKG_VERSION")),
        "help_links": [],
    })
}

/// `is_complete`: more input is needed while a bracket or block is open or a line ends in an
/// operator; input that does not parse otherwise (a string never closed on its line) is
/// invalid, and no more lines would help.
fn is_complete(code: &str) -> Value {
    if crate::syntax::layout::needs_more_input(code) {
        return json!({"status": "incomplete", "indent": "    "});
    }
    let (_, diagnostics) = crate::syntax::parse_program(code, crate::source::SourceId(0));
    if diagnostics
        .iter()
        .any(crate::diagnostic::Diagnostic::is_error)
    {
        json!({"status": "invalid"})
    } else {
        json!({"status": "complete"})
    }
}
