//! The type rule of moving windows (`rolling`): the array is padded with NaN along the axis
//! (before it, or around it when centred) so value `i` of the result reduces
//! `padded[i .. i + window]`, and each block of the result reads its range and the halo after
//! it (`graph/lower.rs`), never the whole axis. Integers and bools are windowed as f64, f32
//! stays f32, as xarray's rolling reductions give them.

use super::build::{cast, error, Built};
use super::chunks::Chunks;
use super::dtype::DType;
use super::node::{ArrayNode, ArrayOp, ArrayRef, Moving, Scalar};
use super::rearrange::{pad, PadMode};
use crate::source::Span;

/// How a moving window is placed and when it counts.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub length: usize,
    /// Fewest values (not NaN) a window needs (xarray's default: the window's length).
    pub min_periods: Option<usize>,
    /// Labels at the window's centre (else at its end).
    pub center: bool,
}

impl Window {
    /// The fewest values a window needs, or why the window cannot be (made when `rolling` is
    /// called, as xarray checks it then).
    pub fn check(&self, span: Span) -> Result<usize, Box<crate::diagnostic::Diagnostic>> {
        let length = self.length;
        if length == 0 {
            return Err(error(
                "flow::check::argument_value",
                "a window of 0".into(),
                span,
                "here",
                "give a window of 1 or more",
            ));
        }
        let min_periods = self.min_periods.unwrap_or(length);
        if min_periods == 0 || min_periods > length {
            return Err(error(
                "flow::check::argument_value",
                format!("min_periods={min_periods} for a window of {length}"),
                span,
                "here",
                "min_periods is from 1 to the window's length",
            ));
        }
        Ok(min_periods)
    }
}

pub fn rolling(
    input: &ArrayRef,
    axis: usize,
    window: Window,
    how: Moving,
    ddof: usize,
    span: Span,
) -> Built {
    let (length, min_periods) = (window.length, window.check(span)?);
    let dtype = match input.dtype {
        DType::F32 => DType::F32,
        _ => DType::F64,
    };
    let floats = if input.dtype == dtype {
        input.clone()
    } else {
        cast(input, dtype, span)
    };
    let (before, after) = if window.center {
        (length / 2, length - 1 - length / 2)
    } else {
        (length - 1, 0)
    };
    let mut widths = vec![(0, 0); input.ndim()];
    widths[axis] = (before, after);
    let padded = pad(
        &floats,
        &widths,
        PadMode::Constant(Scalar::Float(f64::NAN)),
        span,
    )?;
    Ok(ArrayNode::new(
        ArrayOp::Rolling {
            input: padded,
            axis,
            window: length,
            min_periods,
            how,
            ddof,
        },
        dtype,
        input.shape.clone(),
        Chunks(input.chunks.0.clone()),
        span,
    ))
}
