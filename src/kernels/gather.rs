//! Copying regions between chunks: slicing (with steps, also negative), rechunking and
//! transposing all build an output chunk from pieces of input chunks.

use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use ndarray::{IxDyn, SliceInfoElem};

/// Copy input `input`'s region `source` (per axis: start, end, step in ndarray's convention: a
/// negative step walks the range `start..end` backwards) into the output region `target`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Piece {
    pub input: usize,
    pub source: Vec<(usize, usize, isize)>,
    pub target: Vec<(usize, usize)>,
}

pub fn gather(inputs: &[&ChunkData], pieces: &[Piece], shape: &[usize], dtype: DType) -> ChunkData {
    if let [piece] = pieces {
        let input = inputs[piece.input];
        let whole = piece
            .source
            .iter()
            .zip(input.shape())
            .all(|(&(s, e, step), &n)| s == 0 && e == n && step == 1);
        if whole && input.shape() == shape && input.dtype() == dtype {
            return input.clone();
        }
    }
    let mut out = ChunkData::zeros(dtype, shape);
    for piece in pieces {
        let input = inputs[piece.input].cast(dtype);
        let source: Vec<SliceInfoElem> = piece
            .source
            .iter()
            .map(|&(start, end, step)| SliceInfoElem::Slice {
                start: start as isize,
                end: Some(end as isize),
                step,
            })
            .collect();
        let target: Vec<SliceInfoElem> = piece
            .target
            .iter()
            .map(|&(start, end)| SliceInfoElem::Slice {
                start: start as isize,
                end: Some(end as isize),
                step: 1,
            })
            .collect();
        match (&mut out, &*input) {
            (ChunkData::Bool(o), ChunkData::Bool(i)) => o
                .slice_mut(target.as_slice())
                .assign(&i.slice(source.as_slice())),
            (ChunkData::I32(o), ChunkData::I32(i)) => o
                .slice_mut(target.as_slice())
                .assign(&i.slice(source.as_slice())),
            (ChunkData::I64(o), ChunkData::I64(i)) => o
                .slice_mut(target.as_slice())
                .assign(&i.slice(source.as_slice())),
            (ChunkData::F32(o), ChunkData::F32(i)) => o
                .slice_mut(target.as_slice())
                .assign(&i.slice(source.as_slice())),
            (ChunkData::F64(o), ChunkData::F64(i)) => o
                .slice_mut(target.as_slice())
                .assign(&i.slice(source.as_slice())),
            _ => unreachable!("cast to one dtype"),
        }
    }
    out
}

pub fn transpose(input: &ChunkData, axes: &[usize]) -> ChunkData {
    crate::array::chunk::map_chunk!(input, a => a.view().permuted_axes(IxDyn(axes)).as_standard_layout().into_owned())
}
