//! `rolling`, as xarray's: a moving window along one named dimension (`x.rolling(time=7)`),
//! reduced by `.mean()`, `.sum()`, …; the result keeps the dimension, its coordinates and the
//! attributes. Variables of a dataset without the dimension are left as they are.

use super::{Labelled, Subject};
use crate::array::node::Moving;
use crate::array::rolling::{rolling, Window};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::sync::Arc;

/// `x.rolling(time=7, center=false, min_periods=none)`, waiting for its reduction.
#[derive(Clone, Debug)]
pub struct Rolling {
    pub subject: Subject,
    pub dim: String,
    pub window: Window,
}

impl Rolling {
    /// The windows reduced by `how`.
    pub fn reduce(&self, how: Moving, ddof: usize, span: Span) -> Result<Subject, Box<Diagnostic>> {
        let one = |l: &Labelled| -> Result<Labelled, Box<Diagnostic>> {
            let Some(axis) = l.dims.iter().position(|d| *d == self.dim) else {
                return Ok(l.clone());
            };
            let array = rolling(&l.array, axis, self.window, how, ddof, span)?;
            let mut out = l.with_array(array);
            out.attrs = l.attrs.clone();
            Ok(out)
        };
        Ok(match &self.subject {
            Subject::Labelled(l) => Subject::Labelled(one(l)?),
            Subject::Dataset(ds) => Subject::Dataset(Arc::new(ds.map_variables(one)?)),
        })
    }

    /// The window's length along the dimension, as the display shows it.
    pub fn describe(&self) -> String {
        format!(
            "{}: {}{}",
            self.dim,
            self.window.length,
            if self.window.center { ", centred" } else { "" }
        )
    }
}
