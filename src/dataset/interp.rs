//! `interp`, as xarray's linear interpolation (scipy's `interp1d`): new coordinate values
//! along named dimensions, each `lo + (hi - lo) / width · offset` from its neighbours in the
//! coordinate (ascending or descending), in f64, NaN outside the coordinate's range. The neighbours and weights are known while
//! checking (coordinates are in memory), so an interpolation is two gathers and an
//! elementwise blend, chunked as the input along the other dimensions. One dimension after
//! another, as xarray does for several.

use super::{error, Coord, Labelled};
use crate::array::build;
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::group;
use crate::array::node::{ArrayRef, BinaryFunction, MapFunction, Operand};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use ndarray::{ArrayD, IxDyn};
use std::sync::Arc;

/// The new values along one dimension: one (the dimension is dropped, a scalar coordinate
/// left) or several (the dimension's new coordinate).
#[derive(Clone, Debug)]
pub struct Target {
    pub dim: String,
    pub values: Vec<f64>,
    pub scalar: bool,
}

/// For each new value: its neighbours' positions, their distance in the coordinate and the
/// value's distance from the first, as scipy's `interp1d` chooses them (the interval ending at
/// the first coordinate value not below the new one, so an exact match still reads its lower
/// neighbour: a NaN there gives NaN, as in xarray). Outside the range the distances are NaN.
struct Neighbours {
    lower: Vec<usize>,
    upper: Vec<usize>,
    width: Vec<f64>,
    offset: Vec<f64>,
}

fn neighbours(coord: &[f64], targets: &[f64]) -> Neighbours {
    let n = coord.len();
    let descending = n > 1 && coord[0] > coord[n - 1];
    // Positions in ascending order of value.
    let at = |k: usize| if descending { n - 1 - k } else { k };
    let value = |k: usize| coord[at(k)];
    let mut out = Neighbours {
        lower: Vec::new(),
        upper: Vec::new(),
        width: Vec::new(),
        offset: Vec::new(),
    };
    for &t in targets {
        let inside = n > 0 && t >= value(0) && t <= value(n - 1);
        let (lower, upper) = if !inside {
            (0, 0)
        } else if n == 1 {
            (0, 0)
        } else {
            // The first position whose value is at least t, kept within 1..n.
            let (mut k, mut end) = (0, n);
            while k < end {
                let mid = (k + end) / 2;
                if value(mid) < t {
                    k = mid + 1;
                } else {
                    end = mid;
                }
            }
            let k = k.clamp(1, n - 1);
            (k - 1, k)
        };
        let (width, offset) = match (inside, n) {
            (false, _) => (f64::NAN, f64::NAN),
            (true, 1) => (1.0, 0.0),
            _ => (value(upper) - value(lower), t - value(lower)),
        };
        out.lower.push(at(lower));
        out.upper.push(at(upper));
        out.width.push(width);
        out.offset.push(offset);
    }
    out
}

/// A 1-d array of values along `axis` of an `ndim`-d result (length 1 on the other axes).
fn along(values: Vec<f64>, axis: usize, ndim: usize, span: Span) -> ArrayRef {
    let mut shape = vec![1; ndim];
    shape[axis] = values.len();
    let chunk = ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&shape), values).expect("shape"));
    build::in_memory(chunk, span)
}

fn blend(
    function: BinaryFunction,
    a: ArrayRef,
    b: ArrayRef,
    span: Span,
) -> Result<ArrayRef, Box<Diagnostic>> {
    let mut warnings = Vec::new();
    build::map(
        MapFunction::Binary(function),
        vec![Operand::Array(a), Operand::Array(b)],
        span,
        &mut warnings,
    )
}

/// `x` interpolated linearly to `target` along its dimension.
pub fn interp_one(x: &Labelled, target: &Target, span: Span) -> Result<Labelled, Box<Diagnostic>> {
    let axis = x.axis(&target.dim, span)?;
    let Some(coord) = x.coord(&target.dim).cloned() else {
        return Err(error(
            "flow::check::unknown_dim",
            format!(
                "dimension `{}` has no coordinate to interpolate along",
                target.dim
            ),
            span,
            "no coordinate",
            "give the dimension a coordinate first: label(…, coords={…})".into(),
        ));
    };
    let values = coord.f64_values();
    let Neighbours {
        lower,
        upper,
        width,
        offset,
    } = neighbours(&values, &target.values);
    // As scipy's interp1d (which xarray calls), in f64: lo + (hi - lo) / width * offset.
    let floats = if x.array.dtype == DType::F64 {
        x.array.clone()
    } else {
        build::cast(&x.array, DType::F64, span)
    };
    let ndim = x.dims.len();
    let low = group::take(&floats, axis, lower, None, span)?;
    let high = group::take(&floats, axis, upper, None, span)?;
    let rise = blend(BinaryFunction::Subtract, high, low.clone(), span)?;
    let slope = blend(
        BinaryFunction::Divide,
        rise,
        along(width, axis, ndim, span),
        span,
    )?;
    let step = blend(
        BinaryFunction::Multiply,
        slope,
        along(offset, axis, ndim, span),
        span,
    )?;
    let blended = blend(BinaryFunction::Add, step, low, span)?;
    let new_coord = Arc::new(Coord {
        name: coord.name.clone(),
        dim: target.dim.clone(),
        values: ChunkData::F64(
            ArrayD::from_shape_vec(IxDyn(&[target.values.len()]), target.values.clone())
                .expect("1-d"),
        ),
        attrs: coord.attrs.clone(),
    });
    let coords: Vec<Arc<Coord>> = x
        .coords
        .iter()
        .map(|c| {
            if c.dim == target.dim && !c.is_scalar() {
                new_coord.clone()
            } else {
                c.clone()
            }
        })
        .collect();
    let mut out = Labelled {
        array: blended,
        dims: x.dims.clone(),
        coords,
        attrs: x.attrs.clone(),
        name: x.name.clone(),
    };
    if target.scalar {
        let mut items = vec![
            build::IndexItem::Slice {
                start: None,
                stop: None,
                step: None
            };
            ndim
        ];
        items[axis] = build::IndexItem::Int(0);
        out = out.index(&items, span)?;
    }
    Ok(out)
}
