//! What a task makes: a chunk of an array, a partial result of a reduction, or the rows of a
//! frame partition.

use super::reduce::Partial;
use crate::array::chunk::ChunkData;

pub enum TaskOutput {
    Chunk(ChunkData),
    Partial(Partial),
    /// Rows of a dataframe partition.
    Rows(polars::prelude::DataFrame),
}

impl TaskOutput {
    pub fn nbytes(&self) -> usize {
        match self {
            TaskOutput::Chunk(c) => c.nbytes(),
            TaskOutput::Partial(p) => p.nbytes(),
            TaskOutput::Rows(rows) => rows.estimated_size(),
        }
    }

    /// A copy (of a result two outputs share).
    pub fn duplicate(&self) -> TaskOutput {
        match self {
            TaskOutput::Chunk(c) => TaskOutput::Chunk(c.clone()),
            TaskOutput::Partial(p) => TaskOutput::Partial(p.clone()),
            TaskOutput::Rows(rows) => TaskOutput::Rows(rows.clone()),
        }
    }

    pub fn into_chunk(self) -> ChunkData {
        match self {
            TaskOutput::Chunk(c) => c,
            _ => panic!("a chunk was expected where another result was produced"),
        }
    }

    pub fn into_rows(self) -> polars::prelude::DataFrame {
        match self {
            TaskOutput::Rows(rows) => rows,
            _ => panic!("rows were expected where another result was produced"),
        }
    }

    pub fn chunk(&self) -> &ChunkData {
        match self {
            TaskOutput::Chunk(c) => c,
            _ => panic!("a chunk was expected where another result was produced"),
        }
    }

    pub fn partial(&self) -> &Partial {
        match self {
            TaskOutput::Partial(p) => p,
            _ => panic!("a partial was expected where another result was produced"),
        }
    }

    pub fn rows(&self) -> &polars::prelude::DataFrame {
        match self {
            TaskOutput::Rows(rows) => rows,
            _ => panic!("rows were expected where another result was produced"),
        }
    }

    /// The output as bytes, to ship to another process: a chunk or a partial in flow's wire
    /// format (postcard, as task graphs), rows as Arrow IPC inside it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let shipped = match self {
            TaskOutput::Chunk(c) => Shipped::Chunk(c.clone()),
            TaskOutput::Partial(p) => Shipped::Partial(p.clone()),
            TaskOutput::Rows(rows) => Shipped::Rows(crate::frame::rows::Rows::new(rows.clone())),
        };
        postcard::to_stdvec(&shipped).expect("task outputs encode")
    }

    /// The output `to_bytes` wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<TaskOutput, String> {
        let shipped: Shipped =
            postcard::from_bytes(bytes).map_err(|e| format!("not a task's output: {e}"))?;
        Ok(match shipped {
            Shipped::Chunk(c) => TaskOutput::Chunk(c),
            Shipped::Partial(p) => TaskOutput::Partial(p),
            Shipped::Rows(rows) => TaskOutput::Rows(rows.frame().clone()),
        })
    }
}

/// A task's output as it travels.
#[derive(serde::Serialize, serde::Deserialize)]
enum Shipped {
    Chunk(ChunkData),
    Partial(Partial),
    Rows(std::sync::Arc<crate::frame::rows::Rows>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    fn round_trip(output: TaskOutput) -> String {
        let back = TaskOutput::from_bytes(&output.to_bytes()).unwrap();
        let (before, after) = match (&output, &back) {
            (TaskOutput::Rows(a), TaskOutput::Rows(b)) => (format!("{a}"), format!("{b}")),
            (TaskOutput::Chunk(a), TaskOutput::Chunk(b)) => (format!("{a:?}"), format!("{b:?}")),
            (TaskOutput::Partial(a), TaskOutput::Partial(b)) => {
                (format!("{a:?}"), format!("{b:?}"))
            }
            _ => panic!("a different kind came back"),
        };
        assert_eq!(before, after);
        after
    }

    #[test]
    fn every_kind_of_output_ships_and_comes_back_the_same() {
        let floats = |v: Vec<f64>| ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap();
        let chunk = ChunkData::F64(floats(vec![1.5, f64::NAN, -0.0]));
        round_trip(TaskOutput::Chunk(chunk.clone()));
        round_trip(TaskOutput::Chunk(ChunkData::Bool(
            ArrayD::from_shape_vec(IxDyn(&[2, 1]), vec![true, false]).unwrap(),
        )));
        let moments = Partial::Moments {
            count: floats(vec![3.0, 4.0]),
            mean: floats(vec![0.5, 1e300]),
            m2: floats(vec![0.25, f64::INFINITY]),
        };
        let partials = vec![
            Partial::Float(floats(vec![2.0])),
            Partial::Int(ArrayD::from_shape_vec(IxDyn(&[2]), vec![i64::MIN, 7]).unwrap()),
            moments.clone(),
            Partial::Arg {
                value: floats(vec![9.0]),
                index: ArrayD::from_shape_vec(IxDyn(&[1]), vec![41]).unwrap(),
            },
            Partial::Counts(vec![0, 5, 1]),
            Partial::Digest(super::super::sketch::Digest::of_chunk(&chunk)),
            Partial::Grouped {
                axis: 1,
                groups: vec![0, 3],
                inner: Box::new(moments),
            },
        ];
        for partial in partials {
            round_trip(TaskOutput::Partial(partial));
        }
        let rows = polars::prelude::DataFrame::new_infer_height(vec![
            polars::prelude::Column::new("k".into(), vec![1i64, 2]),
            polars::prelude::Column::new("s".into(), vec!["a", "b"]),
        ])
        .unwrap();
        assert!(round_trip(TaskOutput::Rows(rows)).contains("shape: (2, 2)"));
        assert!(TaskOutput::from_bytes(b"\xff\x00garbage").is_err());
    }
}
