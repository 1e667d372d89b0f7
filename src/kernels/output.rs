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
}
