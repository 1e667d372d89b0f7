//! `groupby`, `groupby_bins` and `resample`, as xarray's: the positions along one dimension
//! split into groups by the values of a coordinate (`"lat"`), a calendar field of a time
//! (`"time.month"`, `ds.time.dt.month`), bins of a coordinate, or periods of a time
//! (`resample(time="MS")`). The groups are known while checking (coordinates are in memory),
//! and a reduction lowers to one partial per chunk of the groups it holds, combined exactly per
//! group — the dimension is never loaded whole. Arithmetic with a grouped result
//! (`x.groupby("time.month") - clim`) spreads that result back over the positions of its
//! groups, chunked as `x`.

use super::{error, Coord, Dataset, Labelled, Subject};
use crate::array::build;
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::array::group;
use crate::array::node::{
    ArrayRef, MapFunction, Operand, QuantileMethod, Reduction, UnaryFunction, NO_GROUP,
};
use crate::array::order::OrderStatistic;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use ndarray::{ArrayD, IxDyn};
use std::sync::Arc;

/// `x.groupby(…)`, `x.groupby_bins(…)` or `x.resample(…)`, waiting for its reduction.
#[derive(Clone, Debug)]
pub struct Grouping {
    pub subject: Subject,
    /// The dimension whose positions are grouped.
    pub dim: String,
    /// The group of each position along `dim` (`NO_GROUP` for none).
    pub groups: Arc<[u32]>,
    /// The groups' labels: the coordinate of the dimension a reduction makes.
    pub coord: Arc<Coord>,
    /// How the grouping was asked for, for its display (`time.month`, `time: MS`).
    pub what: String,
}

/// The values a grouping is by: a coordinate's, or a calendar field of a time coordinate's.
pub struct Key {
    /// The dimension they run along.
    pub dim: String,
    /// The name of the groups' dimension (`month`, `lat`).
    pub name: String,
    pub values: ChunkData,
    pub attrs: super::Attrs,
    /// The values are the dimension's own coordinate (`groupby("lat")` along `lat`).
    pub index: bool,
}

impl Key {
    /// The grouping of `groups` along the key's dimension, labelled `labels` in a dimension named
    /// after the key.
    fn grouping(
        self,
        subject: Subject,
        groups: Vec<u32>,
        labels: ChunkData,
        what: String,
    ) -> Grouping {
        let coord = Coord {
            name: self.name.clone(),
            dim: self.name,
            values: labels,
            attrs: self.attrs,
        };
        Grouping::new(subject, self.dim, groups, coord, what)
    }
}

impl Grouping {
    /// Groups of equal values of `key` (NaN in none), ordered by value — but a dimension's own
    /// coordinate whose values are all different and decreasing keeps its order, as xarray
    /// keeps a descending index's.
    pub fn by_values(subject: Subject, key: Key, what: String) -> Grouping {
        let values: Vec<f64> = key.values.to_f64().iter().copied().collect();
        let decreasing = values.windows(2).all(|w| w[0] > w[1]);
        if key.index && decreasing && !values.is_empty() {
            let groups = (0..values.len() as u32).collect();
            let labels = key.values.clone();
            return key.grouping(subject, groups, labels, what);
        }
        let mut unique: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        unique.sort_by(f64::total_cmp);
        unique.dedup();
        let groups: Vec<u32> = values
            .iter()
            .map(|v| {
                unique
                    .binary_search_by(|u| u.total_cmp(v))
                    .map_or(NO_GROUP, |g| g as u32)
            })
            .collect();
        let labels = values_of_dtype(&unique, key.values.dtype());
        key.grouping(subject, groups, labels, what)
    }

    /// Groups of `key`'s values in the bins between `edges` (increasing): (e[i], e[i+1]] when
    /// `right`, else [e[i], e[i+1]); `include_lowest` puts e[0] in the first bin. Labelled by
    /// `labels`, or by each bin's centre (xarray labels bins with pandas intervals, which flow
    /// has no values for).
    pub fn by_bins(
        subject: Subject,
        mut key: Key,
        edges: &[f64],
        right: bool,
        include_lowest: bool,
        labels: Option<Vec<f64>>,
        what: String,
    ) -> Grouping {
        let bins = edges.len() - 1;
        let groups: Vec<u32> = key
            .values
            .to_f64()
            .iter()
            .map(|&v| {
                if v.is_nan() {
                    return NO_GROUP;
                }
                // The first edge at or above v (right) / above v (left) closes its bin.
                let at = if right {
                    edges.partition_point(|&e| e < v)
                } else {
                    edges.partition_point(|&e| e <= v)
                };
                if right && at == 0 && include_lowest && v == edges[0] {
                    return 0;
                }
                if at == 0 || at > bins {
                    NO_GROUP
                } else {
                    (at - 1) as u32
                }
            })
            .collect();
        let labels = labels.unwrap_or_else(|| {
            edges
                .windows(2)
                .map(|w| w[0] + (w[1] - w[0]) / 2.0)
                .collect()
        });
        key.name = format!("{}_bins", key.name);
        key.attrs.retain(|(k, _)| k != "bin_edges");
        key.attrs.push((
            "bin_edges".into(),
            crate::io::layout::Attr::Floats(edges.to_vec()),
        ));
        let labels = values_of_dtype(&labels, DType::F64);
        key.grouping(subject, groups, labels, what)
    }

    /// The periods of `frequency` of the time coordinate `coord` (in `units`), labelled in its
    /// own units; `None` when there are more than `limit`.
    pub fn by_periods(
        subject: Subject,
        coord: &Coord,
        units: &crate::io::cftime::TimeUnits,
        frequency: &super::resample::Frequency,
        limit: usize,
        what: String,
    ) -> Option<Grouping> {
        let (groups, labels) = frequency.periods(units, &coord.f64_values(), limit)?;
        let labels = Coord {
            name: coord.name.clone(),
            dim: coord.name.clone(),
            values: values_of_dtype(&labels, coord.values.dtype().float_result()),
            attrs: coord.attrs.clone(),
        };
        Some(Grouping::new(
            subject,
            coord.dim.clone(),
            groups,
            labels,
            what,
        ))
    }

    /// The groups of positions along `dim`, labelled by the coordinate `labels`.
    fn new(
        subject: Subject,
        dim: String,
        groups: Vec<u32>,
        labels: Coord,
        what: String,
    ) -> Grouping {
        Grouping {
            subject,
            dim,
            groups: groups.into(),
            coord: Arc::new(labels),
            what,
        }
    }

    pub fn len(&self) -> usize {
        self.coord.len()
    }

    /// Each group reduced along the dimension by `reduction` (chosen for the variable's dtype,
    /// for `skipna`).
    pub fn reduce(
        &self,
        reduction: impl Fn(DType) -> Reduction,
        ddof: usize,
        span: Span,
    ) -> Result<Subject, Box<Diagnostic>> {
        self.each(|array, axis, groups, alone| {
            let reduction = reduction(array.dtype);
            // Alone in its group (a variable without the grouped dimension), a value is reduced
            // over no dimension, as xarray: as it is (dtype and NaN too) for sums, means,
            // minima and maxima — the maximum of one value is that — and a spread of 0 (NaN for
            // NaN).
            let reduction = match reduction {
                _ if !alone => reduction,
                Reduction::Var | Reduction::NanVar => Reduction::Var,
                Reduction::Std | Reduction::NanStd => Reduction::Std,
                _ => Reduction::Max,
            };
            group::group_reduce(
                array,
                axis,
                groups.clone(),
                self.len(),
                reduction,
                ddof,
                span,
            )
        })
    }

    /// The number of values that are not NaN in each group.
    pub fn count(&self, span: Span) -> Result<Subject, Box<Diagnostic>> {
        self.each(|array, axis, groups, _| {
            let mut warnings = Vec::new();
            let isnan = build::map(
                MapFunction::Unary(UnaryFunction::IsNan),
                vec![Operand::Array(array.clone())],
                span,
                &mut warnings,
            )?;
            let present = build::map(
                MapFunction::Unary(UnaryFunction::Not),
                vec![Operand::Array(isnan)],
                span,
                &mut warnings,
            )?;
            group::group_reduce(
                &present,
                axis,
                groups.clone(),
                self.len(),
                Reduction::Sum,
                0,
                span,
            )
        })
    }

    /// The median of each group (NaN skipped unless `skip_nan` is false): exact, each group's
    /// values gathered into one chunk, as Dask's median makes its axis one chunk.
    pub fn median(&self, skip_nan: bool, span: Span) -> Result<Subject, Box<Diagnostic>> {
        self.each(|array, axis, groups, _| {
            // Each group's positions, in one pass.
            let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.len()];
            for (i, &g) in groups.iter().enumerate() {
                if g != NO_GROUP {
                    members[g as usize].push(i);
                }
            }
            let mut parts = Vec::with_capacity(self.len());
            for positions in members {
                let mut shape = array.shape.clone();
                shape[axis] = 1;
                if positions.is_empty() {
                    let dtype = match array.dtype {
                        DType::F32 => DType::F32,
                        _ => DType::F64,
                    };
                    let nan = build::full(
                        shape,
                        &build::ChunkSpec::Auto,
                        crate::array::node::Scalar::Float(f64::NAN),
                        dtype,
                        span,
                    )?;
                    parts.push(nan);
                    continue;
                }
                let count = positions.len();
                let members = group::take(array, axis, positions, Some(vec![count]), span)?;
                let statistic = OrderStatistic {
                    q: vec![0.5],
                    scale: 1.0,
                    q_axis: false,
                    method: QuantileMethod::Linear,
                    skip_nan,
                    median: true,
                    approx: false,
                };
                let median =
                    crate::array::order::quantile(&members, statistic, Some(axis as i64), span)?;
                let kept = crate::array::rearrange::expand_dims(&median, &[axis as i64], span)?;
                parts.push(kept);
            }
            build::concatenate(&parts, axis as i64, span)
        })
    }

    /// `f(values, axis, groups, alone)` for each variable along the dimension, which becomes the
    /// groups'. A dataset's variable without the dimension is repeated along the groups and
    /// reduced with each value `alone` in its group, as xarray reduces it over no dimension;
    /// NaN in a group with no positions.
    fn each(
        &self,
        mut f: impl FnMut(&ArrayRef, usize, &Arc<[u32]>, bool) -> Result<ArrayRef, Box<Diagnostic>>,
    ) -> Result<Subject, Box<Diagnostic>> {
        let mut one = |l: &Labelled| -> Result<Labelled, Box<Diagnostic>> {
            let Some(axis) = l.dims.iter().position(|d| *d == self.dim) else {
                let repeated = self.repeated(l)?;
                let mut present = vec![NO_GROUP; self.len()];
                for &g in self.groups.iter().filter(|&&g| g != NO_GROUP) {
                    present[g as usize] = g;
                }
                let array = f(&repeated.array, 0, &present.into(), true)?;
                let mut out = repeated.with_array(array);
                out.attrs = l.computed_attrs();
                return Ok(out);
            };
            let array = f(&l.array, axis, &self.groups, false)?;
            let mut dims = l.dims.clone();
            dims[axis] = self.coord.name.clone();
            let mut coords: Vec<Arc<Coord>> = l
                .coords
                .iter()
                .filter(|c| c.dim != self.dim && c.name != self.coord.name)
                .cloned()
                .collect();
            coords.push(self.coord.clone());
            Ok(Labelled {
                array,
                dims,
                coords,
                attrs: l.computed_attrs(),
                name: l.name.clone(),
            })
        };
        Ok(match &self.subject {
            Subject::Labelled(l) => Subject::Labelled(one(l)?),
            // As xarray's grouped reductions of datasets: the groups' dimension first in every
            // variable, and a variable without the grouped dimension repeated along it.
            Subject::Dataset(ds) => {
                let variables = ds
                    .variables
                    .iter()
                    .map(|v| one(v)?.with_dim_first(&self.coord.name, v.array.span))
                    .collect::<Result<Vec<_>, _>>()?;
                let coords: Vec<Arc<Coord>> = ds
                    .coords
                    .iter()
                    .filter(|c| c.dim != self.dim)
                    .cloned()
                    .collect();
                let mut out = Dataset::from_variables(variables, ds.attrs.clone(), &coords);
                out.unreadable = ds.unreadable.clone();
                Subject::Dataset(Arc::new(out))
            }
        })
    }

    /// `l` (without the grouped dimension) repeated along a first dimension of the groups.
    fn repeated(&self, l: &Labelled) -> Result<Labelled, Box<Diagnostic>> {
        let span = l.array.span;
        let expanded = crate::array::rearrange::expand_dims(&l.array, &[0], span)?;
        let mut shape = vec![self.len()];
        shape.extend(l.array.shape.iter().copied());
        let array = crate::array::rearrange::broadcast_to(&expanded, &shape, span)?;
        let mut dims = vec![self.coord.name.clone()];
        dims.extend(l.dims.iter().cloned());
        let mut coords = l.coords.clone();
        coords.insert(0, self.coord.clone());
        Ok(Labelled {
            array,
            dims,
            coords,
            attrs: l.attrs.clone(),
            name: l.name.clone(),
        })
    }

    /// `other` (with the groups' dimension, as a grouped reduction makes) spread over the
    /// positions of the grouped dimension: each position gets its group's values, chunked as
    /// the grouped values are. `x.groupby("time.month") - clim` is `x` minus this.
    pub fn spread(&self, other: &Labelled, span: Span) -> Result<Labelled, Box<Diagnostic>> {
        let name = &self.coord.name;
        let Some(axis) = other.dims.iter().position(|d| d == name) else {
            return Err(error(
                "flow::check::dim_mismatch",
                format!(
                    "the grouped values are combined with a value over `{name}`, and this one has {}",
                    other.describe_dims()
                ),
                span,
                "no dimension of the groups",
                format!("reduce the groups first: x.groupby(…).mean() has dimension `{name}`"),
            ));
        };
        // Where each group's label is along the other's dimension.
        let labels = self.coord.f64_values();
        let places: Vec<Option<usize>> = match other.coord(name) {
            Some(c) => {
                let theirs = c.f64_values();
                labels
                    .iter()
                    .map(|l| theirs.iter().position(|t| t == l))
                    .collect()
            }
            None if other.array.shape[axis] == labels.len() => {
                (0..labels.len()).map(Some).collect()
            }
            None => vec![None; labels.len()],
        };
        let mut positions = Vec::with_capacity(self.groups.len());
        for (i, &g) in self.groups.iter().enumerate() {
            let place = (g != NO_GROUP).then(|| places[g as usize]).flatten();
            let Some(place) = place else {
                let what = if g == NO_GROUP {
                    "belongs to no group".to_string()
                } else {
                    format!("is in group {}", self.coord.show(labels[g as usize]))
                };
                return Err(error(
                    "flow::check::dim_mismatch",
                    format!(
                        "position {i} of `{}` {what}, which the other value has no value for",
                        self.dim
                    ),
                    span,
                    "the grouped values",
                    format!("combine with a value that has every group along `{name}`"),
                ));
            };
            positions.push(place);
        }
        let sizes = self.chunk_sizes();
        let array = group::take(&other.array, axis, positions, sizes, span)?;
        let mut dims = other.dims.clone();
        dims[axis] = self.dim.clone();
        let mut coords: Vec<Arc<Coord>> = other
            .coords
            .iter()
            .filter(|c| c.dim != *name && c.name != *name)
            .cloned()
            .collect();
        if let Some(c) = self.subject.dim_coord(&self.dim).cloned() {
            coords.push(c);
        }
        Ok(Labelled {
            array,
            dims,
            coords,
            attrs: other.attrs.clone(),
            name: other.name.clone(),
        })
    }

    /// A dataset's variables with the groups' dimension spread as `spread` does (the others as
    /// they are): the other side of `ds.groupby(…) - clim_ds`.
    pub fn spread_dataset(&self, ds: &Dataset, span: Span) -> Result<Dataset, Box<Diagnostic>> {
        let name = &self.coord.name;
        let variables = ds
            .variables
            .iter()
            .map(|v| {
                if v.dims.contains(name) {
                    self.spread(v, span)
                } else {
                    Ok(v.clone())
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let coords: Vec<Arc<Coord>> = ds
            .coords
            .iter()
            .filter(|c| c.dim != *name)
            .cloned()
            .collect();
        Ok(Dataset::from_variables(
            variables,
            ds.attrs.clone(),
            &coords,
        ))
    }

    /// The result of arithmetic between this grouping of a dataset and a value: as xarray, a
    /// variable that had no grouped dimension (and got it from the other side) gets it first.
    pub fn dim_first_where_new(
        &self,
        result: &Dataset,
        span: Span,
    ) -> Result<Dataset, Box<Diagnostic>> {
        let Subject::Dataset(before) = &self.subject else {
            return Ok(result.clone());
        };
        let variables = result
            .variables
            .iter()
            .map(|v| {
                let had = v
                    .name
                    .as_deref()
                    .and_then(|n| before.variable(n))
                    .is_none_or(|b| b.dims.contains(&self.dim));
                if had {
                    Ok(v.clone())
                } else {
                    v.with_dim_first(&self.dim, span)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = result.clone();
        out.variables = variables;
        Ok(out)
    }

    /// The chunks of the grouped values along the dimension (of the first variable that has it).
    fn chunk_sizes(&self) -> Option<Vec<usize>> {
        let of = |l: &Labelled| {
            let axis = l.dims.iter().position(|d| *d == self.dim)?;
            Some(l.array.chunks.0[axis].clone())
        };
        match &self.subject {
            Subject::Labelled(l) => of(l),
            Subject::Dataset(ds) => ds.variables.iter().find_map(of),
        }
    }

    /// `<groupby time.month: 12 groups>`
    pub fn describe(&self) -> String {
        format!("{}: {} groups", self.what, self.len())
    }
}

/// `values` as a 1-d chunk of `dtype` (the dtype of the values grouped by).
fn values_of_dtype(values: &[f64], dtype: DType) -> ChunkData {
    ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).expect("1-d"))
        .into_dtype(dtype)
}
