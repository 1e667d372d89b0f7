//! Running delayed calls: the graph of delayed values under the requested ones, each node a
//! task run as soon as its inputs are computed, on `threads` workers (each with its own
//! interpreter). The first failure cancels the rest (a sleeping task wakes within 10 ms) and is
//! returned with the call chain that led to it.

use super::builtin::Library;
use super::delayed::{run_node, DelayedRef};
use super::{Interpreter, Mode, Value};
use crate::diagnostic::{Diagnostic, Phase};
use crate::source::SourceMap;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

struct State {
    /// Ready nodes, earliest made first (calls before the calls that combine their results).
    ready: BinaryHeap<Reverse<(u64, usize)>>,
    waiting: Vec<usize>,
    results: HashMap<u64, Value>,
    finished: usize,
    error: Option<Box<Diagnostic>>,
}

/// Compute `roots` and everything they depend on; the results by node id.
pub fn compute(
    roots: &[DelayedRef],
    sources: &SourceMap,
    library: &'static Library,
    threads: usize,
    parent_cancel: &[Arc<AtomicBool>],
) -> Result<HashMap<u64, Value>, Box<Diagnostic>> {
    // Every node under the roots, inputs before the nodes that read them.
    let mut order: Vec<DelayedRef> = Vec::new();
    let mut index_of: HashMap<u64, usize> = HashMap::new();
    let mut stack: Vec<(DelayedRef, bool)> =
        roots.iter().rev().map(|r| (r.clone(), false)).collect();
    while let Some((node, expanded)) = stack.pop() {
        if index_of.contains_key(&node.id) {
            continue;
        }
        if expanded {
            index_of.insert(node.id, order.len());
            order.push(node);
            continue;
        }
        stack.push((node.clone(), true));
        for input in node.op.inputs().into_iter().rev() {
            if !index_of.contains_key(&input.id) {
                stack.push((input, false));
            }
        }
    }
    let count = order.len();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut waiting = vec![0; count];
    for (k, node) in order.iter().enumerate() {
        for input in node.op.inputs() {
            dependents[index_of[&input.id]].push(k);
            waiting[k] += 1;
        }
    }
    let ready: BinaryHeap<Reverse<(u64, usize)>> = (0..count)
        .filter(|&k| waiting[k] == 0)
        .map(|k| Reverse((order[k].id, k)))
        .collect();
    let state = Mutex::new(State {
        ready,
        waiting,
        results: HashMap::new(),
        finished: 0,
        error: None,
    });
    let wake = Condvar::new();
    let cancelled = Arc::new(AtomicBool::new(false));
    let workers = threads.max(1).min(count.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut interpreter = Interpreter::new(
                    Mode::Run,
                    sources.clone(),
                    Box::new(std::io::stdout()),
                    library,
                );
                interpreter.inside_task = true;
                // Stopped by a failure of another task here, or by whatever stops the caller.
                interpreter.cancel = parent_cancel
                    .iter()
                    .cloned()
                    .chain([cancelled.clone()])
                    .collect();
                loop {
                    let (k, inputs) = {
                        let mut s = state.lock().expect("delayed state");
                        loop {
                            if s.error.is_some() || s.finished == count {
                                return;
                            }
                            if interpreter.cancelled() {
                                s.error = Some(super::jobs::interrupted(order[0].span));
                                cancelled.store(true, Ordering::Release);
                                drop(s);
                                wake.notify_all();
                                return;
                            }
                            if let Some(Reverse((_, k))) = s.ready.pop() {
                                // Only the results this node reads.
                                let inputs: HashMap<u64, Value> = order[k]
                                    .op
                                    .inputs()
                                    .iter()
                                    .map(|i| (i.id, s.results[&i.id].clone()))
                                    .collect();
                                break (k, inputs);
                            }
                            s = wake.wait(s).expect("delayed state");
                        }
                    };
                    let outcome = run_node(&mut interpreter, &order[k], &inputs);
                    let _ = interpreter.flush_output();
                    let mut s = state.lock().expect("delayed state");
                    match outcome {
                        Ok(value) => {
                            s.results.insert(order[k].id, value);
                            s.finished += 1;
                            for &dependent in &dependents[k] {
                                s.waiting[dependent] -= 1;
                                if s.waiting[dependent] == 0 {
                                    s.ready.push(Reverse((order[dependent].id, dependent)));
                                }
                            }
                        }
                        Err(mut diagnostic) => {
                            if s.error.is_none() {
                                diagnostic.phase = Phase::Runtime;
                                s.error = Some(diagnostic);
                            }
                            cancelled.store(true, Ordering::Release);
                        }
                    }
                    drop(s);
                    wake.notify_all();
                }
            });
        }
    });
    let state = state.into_inner().expect("delayed state");
    match state.error {
        Some(error) => Err(error),
        None => Ok(state.results),
    }
}
