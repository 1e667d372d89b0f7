//! `coarsen`, as xarray's: blocks of `window` neighbours along named dimensions reduced to one
//! value each (`x.coarsen(lat=2, lon=2).mean()`). Each dimension is split into (blocks, window)
//! by a reshape — only the chunks the split needs change — and the window axes are reduced, so
//! nothing is loaded whole. Coordinates of the coarsened dimensions become each window's mean
//! (xarray's default `coord_func="mean"`).

use super::{error, Coord, Dataset, Labelled, Subject};
use crate::array::build::{self, IndexItem};
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::node::{Reduction, Scalar};
use crate::array::rearrange::{self, PadMode};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::sync::Arc;

/// What to do with a dimension whose length is not a multiple of its window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Boundary {
    /// Refuse it (xarray's default).
    Exact,
    /// Leave out the last (or, from the right, the first) incomplete window.
    Trim,
    /// Fill the incomplete window with NaN (integers become floats).
    Pad,
}

impl Boundary {
    pub fn from_name(name: &str) -> Option<Boundary> {
        Some(match name {
            "exact" => Boundary::Exact,
            "trim" => Boundary::Trim,
            "pad" => Boundary::Pad,
            _ => return None,
        })
    }
}

/// `x.coarsen(…)` or `ds.coarsen(…)`, waiting for its reduction.
#[derive(Clone, Debug)]
pub struct Coarsen {
    pub source: Subject,
    pub windows: Vec<(String, usize)>,
    pub boundary: Boundary,
    /// Windows counted from the end (`side="right"`): an incomplete one is at the start.
    pub from_right: bool,
}

impl Coarsen {
    /// Check the windows against the dimensions, as xarray does before any reduction.
    pub fn check(&self, span: Span) -> Result<(), Box<Diagnostic>> {
        for (dim, window) in &self.windows {
            let length = self.source.dim_length(dim, span)?;
            if *window == 0 {
                return Err(error(
                    "flow::check::argument_value",
                    format!("a window of 0 along `{dim}`"),
                    span,
                    "here",
                    "give windows of 1 or more".into(),
                ));
            }
            if self.boundary == Boundary::Exact && length % window != 0 {
                return Err(error(
                    "flow::check::coarsen_boundary",
                    format!(
                        "`{dim}` has length {length}, which is not a multiple of the window {window}"
                    ),
                    span,
                    "here",
                    "give boundary=\"trim\" to leave out the incomplete window, or \"pad\" to fill it with NaN".into(),
                ));
            }
        }
        Ok(())
    }

    /// The coarsened labelled array or dataset: each window reduced by `reduction` (the
    /// NaN-skipping one for floats unless `skipna` is false).
    pub fn reduce(
        &self,
        reduction: impl Fn(DType) -> Reduction,
        ddof: usize,
        span: Span,
    ) -> Result<Subject, Box<Diagnostic>> {
        Ok(match &self.source {
            Subject::Labelled(l) => Subject::Labelled(self.one(l, &reduction, ddof, span)?),
            Subject::Dataset(ds) => {
                let variables = ds
                    .variables
                    .iter()
                    .map(|v| self.one(v, &reduction, ddof, span))
                    .collect::<Result<Vec<_>, _>>()?;
                let coords: Vec<Arc<Coord>> =
                    ds.coords.iter().map(|c| self.coordinate(c)).collect();
                let mut out = Dataset::from_variables(variables, ds.attrs.clone(), &coords);
                out.unlimited = ds.unlimited.clone();
                Subject::Dataset(Arc::new(out))
            }
        })
    }

    fn window_of(&self, dim: &str) -> Option<usize> {
        self.windows.iter().find(|(d, _)| d == dim).map(|(_, w)| *w)
    }

    /// How many values of a dimension of length `n` go into whole windows, and where they
    /// start (after the incomplete window when counted from the right), and how many NaN
    /// fill the incomplete one when padding.
    fn extent(&self, n: usize, window: usize) -> (usize, usize, usize) {
        let rest = n % window;
        match (self.boundary, rest) {
            (_, 0) | (Boundary::Exact, _) => (0, n, 0),
            (Boundary::Trim, _) if self.from_right => (rest, n - rest, 0),
            (Boundary::Trim, _) => (0, n - rest, 0),
            (Boundary::Pad, _) => (0, n, window - rest),
        }
    }

    fn one(
        &self,
        l: &Labelled,
        reduction: &impl Fn(DType) -> Reduction,
        ddof: usize,
        span: Span,
    ) -> Result<Labelled, Box<Diagnostic>> {
        // A variable without any of the windowed dimensions stays as it is, as in xarray.
        if !l.dims.iter().any(|d| self.window_of(d).is_some()) {
            return Ok(l.clone());
        }
        let mut array = l.array.clone();
        let mut items = Vec::new();
        let mut pads = Vec::new();
        let mut trimmed = false;
        for (axis, dim) in l.dims.iter().enumerate() {
            let n = array.shape[axis];
            let (start, len, pad) = match self.window_of(dim) {
                Some(w) => self.extent(n, w),
                None => (0, n, 0),
            };
            trimmed |= len != n;
            items.push(IndexItem::Slice {
                start: Some(start as i64),
                stop: Some((start + len) as i64),
                step: None,
            });
            pads.push(if self.from_right { (pad, 0) } else { (0, pad) });
        }
        if trimmed {
            array = build::slice(&array, &items, span)?;
        }
        if pads.iter().any(|&(a, b)| a + b > 0) {
            if !array.dtype.is_float() {
                array = build::cast(&array, DType::F64, span);
            }
            array = rearrange::pad(
                &array,
                &pads,
                PadMode::Constant(Scalar::Float(f64::NAN)),
                span,
            )?;
        }
        // Split each coarsened axis into (blocks, window) and reduce the window axes.
        let mut shape = Vec::new();
        let mut window_axes = Vec::new();
        for (axis, dim) in l.dims.iter().enumerate() {
            let n = array.shape[axis];
            match self.window_of(dim) {
                Some(w) => {
                    shape.push((n / w) as i64);
                    window_axes.push(shape.len());
                    shape.push(w as i64);
                }
                None => shape.push(n as i64),
            }
        }
        let split = crate::array::reshape::reshape(&array, &shape, span)?;
        let reduced = build::reduce(
            &split,
            reduction(split.dtype),
            window_axes,
            false,
            ddof,
            span,
        )?;
        let coords = l.coords.iter().map(|c| self.coordinate(c)).collect();
        Ok(Labelled {
            array: reduced,
            dims: l.dims.clone(),
            coords,
            attrs: l.attrs.clone(),
            name: l.name.clone(),
        })
    }

    /// A coordinate along a coarsened dimension: each window's mean (of the values there are,
    /// when padding); others as they are.
    fn coordinate(&self, c: &Arc<Coord>) -> Arc<Coord> {
        let Some(w) = (!c.is_scalar()).then(|| self.window_of(&c.dim)).flatten() else {
            return c.clone();
        };
        let values = c.f64_values();
        let (start, len, _) = self.extent(values.len(), w);
        let kept = &values[start..start + len];
        let windows: Vec<f64> = if self.from_right {
            let first = kept.len() % w;
            std::iter::once(&kept[..first])
                .filter(|p| !p.is_empty())
                .chain(kept[first..].chunks(w))
                .map(|p| p.iter().sum::<f64>() / p.len() as f64)
                .collect()
        } else {
            kept.chunks(w)
                .map(|p| p.iter().sum::<f64>() / p.len() as f64)
                .collect()
        };
        let n = windows.len();
        let values = ChunkData::F64(
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), windows).expect("1-d"),
        );
        let values = if c.values.dtype() == DType::F32 {
            values.into_dtype(DType::F32)
        } else {
            values
        };
        Arc::new(Coord {
            name: c.name.clone(),
            dim: c.dim.clone(),
            values,
            attrs: c.attrs.clone(),
        })
    }
}
