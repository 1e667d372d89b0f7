//! A task graph written out, as it leaves the process: each task as its content key, its kind
//! with its parameters, and its inputs' keys; the outputs as keys. Two encodings of the same
//! form: postcard bytes for shipping, JSON for people and tests (`flow graph --tasks --json`).
//! Tasks with equal keys are the same work and are written once.

use super::{Task, TaskGraph, TaskId, TaskKind};
use crate::key::Key;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// A task as it is shipped.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShippedTask {
    pub key: Key,
    /// The operation that made it (for people and dashboards; not part of the key).
    pub operation: String,
    pub kind: TaskKind,
    pub inputs: Vec<Key>,
}

/// A graph as it is shipped: tasks in an order where inputs come first, and the outputs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShippedGraph {
    pub tasks: Vec<ShippedTask>,
    pub outputs: Vec<Vec<Key>>,
}

impl ShippedGraph {
    pub fn of(graph: &TaskGraph) -> ShippedGraph {
        let keys = graph.keys();
        let mut written = std::collections::HashSet::with_capacity(keys.len());
        let tasks = graph
            .tasks
            .iter()
            .zip(&keys)
            .filter(|(_, key)| written.insert(**key))
            .map(|(task, key)| ShippedTask {
                key: *key,
                operation: task.operation.to_string(),
                kind: task.kind.clone(),
                inputs: task.inputs.iter().map(|&i| keys[i]).collect(),
            })
            .collect();
        let outputs = graph
            .outputs
            .iter()
            .map(|output| output.iter().map(|&t| keys[t]).collect())
            .collect();
        ShippedGraph { tasks, outputs }
    }

    /// The graph to run here. `like` is the graph it was written from, if this process has it:
    /// its tasks lend their source spans (for errors) to the tasks of equal keys.
    pub fn into_graph(self, like: Option<&TaskGraph>) -> Result<TaskGraph, String> {
        let mut known: HashMap<Key, &Task> = HashMap::new();
        if let Some(like) = like {
            for (task, key) in like.tasks.iter().zip(like.keys()) {
                known.entry(key).or_insert(task);
            }
        }
        let mut id_of: HashMap<Key, TaskId> = HashMap::with_capacity(self.tasks.len());
        let mut graph = TaskGraph::default();
        for shipped in self.tasks {
            let inputs = shipped
                .inputs
                .iter()
                .map(|k| id_of.get(k).copied().ok_or_else(|| missing(k)))
                .collect::<Result<Vec<_>, _>>()?;
            let origin = known.get(&shipped.key);
            let id = graph.add(Task {
                kind: shipped.kind,
                inputs,
                span: origin.map(|t| t.span).unwrap_or_default(),
                operation: Arc::from(shipped.operation),
                node: origin.map(|t| t.node).unwrap_or_default(),
            });
            id_of.insert(shipped.key, id);
        }
        graph.outputs = self
            .outputs
            .iter()
            .map(|o| {
                o.iter()
                    .map(|k| id_of.get(k).copied().ok_or_else(|| missing(k)))
                    .collect()
            })
            .collect::<Result<_, _>>()?;
        Ok(graph)
    }
}

fn missing(key: &Key) -> String {
    format!("the graph reads task {key}, which it does not hold")
}

/// The graph as postcard bytes.
pub fn encode(graph: &TaskGraph) -> Vec<u8> {
    postcard::to_stdvec(&ShippedGraph::of(graph)).expect("task graphs encode")
}

pub fn decode(bytes: &[u8]) -> Result<ShippedGraph, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("not a task graph: {e}"))
}

/// The name a key has in JSON: the task's kind, then the key (`map-3f…`).
fn key_text(kind: &TaskKind, key: Key) -> String {
    format!("{}-{key}", kind.name())
}

/// The graph as JSON, one task a line: `{"tasks": [{"key", "kind", "operation", "inputs", …}],
/// "outputs": [[keys…]…]}`, the kind's parameters beside the four.
pub fn to_json(graph: &TaskGraph) -> String {
    let shipped = ShippedGraph::of(graph);
    let names: HashMap<Key, String> = shipped
        .tasks
        .iter()
        .map(|t| (t.key, key_text(&t.kind, t.key)))
        .collect();
    let mut text = String::from("{\"tasks\": [\n");
    for (k, task) in shipped.tasks.iter().enumerate() {
        let serde_json::Value::Object(tagged) =
            serde_json::to_value(&task.kind).expect("kinds encode")
        else {
            unreachable!("a kind is written as an object of its name")
        };
        let (kind, parameters) = tagged.into_iter().next().expect("the kind's name");
        let mut line = serde_json::Map::new();
        line.insert("key".into(), names[&task.key].clone().into());
        line.insert("kind".into(), kind.into());
        line.insert("operation".into(), task.operation.clone().into());
        let inputs: Vec<serde_json::Value> = task
            .inputs
            .iter()
            .map(|i| names[i].clone().into())
            .collect();
        line.insert("inputs".into(), inputs.into());
        line.insert("parameters".into(), parameters);
        let separator = if k + 1 < shipped.tasks.len() { "," } else { "" };
        let _ = writeln!(text, "  {}{separator}", ordered(&line));
    }
    let outputs: Vec<Vec<&String>> = shipped
        .outputs
        .iter()
        .map(|o| o.iter().map(|k| &names[k]).collect())
        .collect();
    let _ = writeln!(
        text,
        "], \"outputs\": {}}}",
        serde_json::to_string(&outputs).expect("keys encode")
    );
    text
}

/// A task's JSON with its fields in reading order (key, kind, operation, inputs, parameters).
fn ordered(line: &serde_json::Map<String, serde_json::Value>) -> String {
    let fields: Vec<String> = ["key", "kind", "operation", "inputs", "parameters"]
        .iter()
        .map(|name| format!("\"{name}\": {}", line[*name]))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// The graph `to_json` wrote.
pub fn from_json(text: &str) -> Result<ShippedGraph, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let key_of = |v: &serde_json::Value| -> Result<Key, String> {
        let text = v.as_str().ok_or("a key is a string")?;
        let hex = text.rsplit('-').next().unwrap_or(text);
        Key::parse(hex).ok_or_else(|| format!("`{text}` is not a task key"))
    };
    let mut tasks = Vec::new();
    for task in value["tasks"].as_array().ok_or("no list of tasks")? {
        let kind_name = task["kind"].as_str().ok_or("a task without a kind")?;
        let mut tagged = serde_json::Map::new();
        tagged.insert(kind_name.to_string(), task["parameters"].clone());
        let kind: TaskKind = serde_json::from_value(serde_json::Value::Object(tagged))
            .map_err(|e| format!("a task of kind `{kind_name}`: {e}"))?;
        tasks.push(ShippedTask {
            key: key_of(&task["key"])?,
            operation: task["operation"].as_str().unwrap_or_default().to_string(),
            kind,
            inputs: task["inputs"]
                .as_array()
                .ok_or("a task without inputs")?
                .iter()
                .map(key_of)
                .collect::<Result<_, _>>()?,
        });
    }
    let outputs = value["outputs"]
        .as_array()
        .ok_or("no outputs")?
        .iter()
        .map(|o| {
            o.as_array()
                .ok_or("an output is a list of keys")?
                .iter()
                .map(key_of)
                .collect::<Result<Vec<_>, String>>()
        })
        .collect::<Result<_, _>>()?;
    Ok(ShippedGraph { tasks, outputs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::build::{self, AxisChunks, ChunkSpec, IndexItem};
    use crate::array::chunk::ChunkData;
    use crate::array::chunks::Chunks;
    use crate::array::dtype::DType;
    use crate::array::node::{
        ArrayNode, ArrayOp, BinaryFunction, MapFunction, Operand, Reduction, Scalar, Stored,
    };
    use crate::source::Span;

    /// A graph with generators, literals (data in memory), a NaN constant, a slice and a
    /// reduction, optimised as it would run.
    fn graph() -> TaskGraph {
        let span = Span::default();
        let chunks = ChunkSpec::Every(AxisChunks::Size(10));
        let x = build::arange(
            Scalar::Float(0.0),
            Scalar::Float(1.0),
            10,
            DType::F64,
            &chunks,
            span,
        )
        .unwrap();
        let values = ndarray::ArrayD::from_shape_vec(
            ndarray::IxDyn(&[10]),
            (0..10).map(|i| i as f64 * 0.5).collect(),
        )
        .unwrap();
        let literal = ArrayNode::new(
            ArrayOp::Data(Stored::of_values(vec![ChunkData::F64(values)])),
            DType::F64,
            vec![10],
            Chunks::single(&[10]),
            span,
        );
        let mut warnings = Vec::new();
        let sum = build::map(
            MapFunction::Binary(BinaryFunction::Add),
            vec![Operand::Array(x), Operand::Array(literal)],
            span,
            &mut warnings,
        )
        .unwrap();
        let with_nan = build::map(
            MapFunction::Binary(BinaryFunction::Multiply),
            vec![
                Operand::Array(sum),
                Operand::Scalar(Scalar::Float(f64::NAN)),
            ],
            span,
            &mut warnings,
        )
        .unwrap();
        let reversed = build::slice(
            &with_nan,
            &[IndexItem::Slice {
                start: None,
                stop: None,
                step: Some(-1),
            }],
            span,
        )
        .unwrap();
        let total = build::reduce(&reversed, Reduction::NanSum, vec![0], false, 0, span).unwrap();
        crate::graph::lower::lower_arrays(&[reversed, total])
    }

    #[test]
    fn json_reads_back_as_the_same_graph() {
        let graph = graph();
        let json = to_json(&graph);
        let back = from_json(&json).unwrap().into_graph(None).unwrap();
        assert_eq!(to_json(&back), json);
        assert_eq!(back.keys(), graph.keys());
        assert!(
            json.contains("\"nan\""),
            "NaN is written as text in JSON: {json}"
        );
    }

    #[test]
    fn bytes_read_back_as_the_same_graph() {
        let graph = graph();
        let back = decode(&encode(&graph))
            .unwrap()
            .into_graph(Some(&graph))
            .unwrap();
        assert_eq!(back.keys(), graph.keys());
        assert_eq!(back.outputs, graph.outputs);
        assert_eq!(encode(&back), encode(&graph));
    }

    #[test]
    fn a_graph_missing_an_input_is_refused() {
        let mut shipped = ShippedGraph::of(&graph());
        shipped.tasks.remove(0);
        let error = shipped.into_graph(None).err().expect("refused");
        assert!(error.contains("does not hold"), "{error}");
    }
}
