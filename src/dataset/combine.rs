//! `concat` and `merge`, as xarray's: labelled arrays or datasets joined along a dimension (an
//! existing one, whose coordinate values are joined too, or a new one, first), and datasets
//! merged into one. Dimensions and coordinates other than the joined one must agree — flow
//! does not realign by value silently — and the attributes are the first value's (xarray's
//! `combine_attrs="override"`).

use super::{error, Coord, Dataset, Labelled, Subject};
use crate::array::build;
use crate::array::chunk::ChunkData;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::sync::Arc;

type Combined<T> = Result<T, Box<Diagnostic>>;

/// The values of `coords` one after another, in the first one's dtype when all share it.
fn joined_values(coords: &[&Coord]) -> ChunkData {
    let dtype = coords[0].values.dtype();
    let floats: Vec<f64> = coords.iter().flat_map(|c| c.f64_values()).collect();
    let joined = ChunkData::F64(
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[floats.len()]), floats).expect("1-d"),
    );
    if coords.iter().all(|c| c.values.dtype() == dtype) {
        joined.into_dtype(dtype)
    } else {
        joined
    }
}

/// Labelled arrays joined along `dim`: an existing dimension of each, or a new first one (its
/// coordinate made of their scalar coordinates `dim`, when each has one, as `x.isel(time=0)`
/// leaves).
pub fn concat_labelled(items: &[Labelled], dim: &str, span: Span) -> Combined<Labelled> {
    let first = &items[0];
    let existing = first.dims.iter().any(|d| d == dim);
    let mut arrays = Vec::with_capacity(items.len());
    for (k, l) in items.iter().enumerate() {
        let same_dims =
            l.dims.len() == first.dims.len() && first.dims.iter().all(|d| l.dims.contains(d));
        if !same_dims {
            return Err(error(
                "flow::check::dim_mismatch",
                format!(
                    "value {k} has dimensions {}, and the first {}",
                    l.describe_dims(),
                    first.describe_dims()
                ),
                span,
                "joined here",
                "join values with the same dimensions (transpose or select first)".into(),
            ));
        }
        let l = if l.dims == first.dims {
            l.clone()
        } else {
            l.transpose(&first.dims, span)?
        };
        for (axis, d) in first.dims.iter().enumerate() {
            if d == dim {
                continue;
            }
            if l.array.shape[axis] != first.array.shape[axis] {
                return Err(error(
                    "flow::check::dim_mismatch",
                    format!(
                        "`{d}` is {} long in value {k} and {} in the first",
                        l.array.shape[axis], first.array.shape[axis]
                    ),
                    span,
                    "joined here",
                    format!("only `{dim}` may differ; select the same `{d}` first"),
                ));
            }
            if let (Some(a), Some(b)) = (first.coord(d), l.coord(d)) {
                if let Some(at) = a.first_difference(b) {
                    return Err(error(
                        "flow::check::coord_mismatch",
                        format!("coordinate `{d}` of value {k} differs from the first's at position {at}"),
                        span,
                        "joined here",
                        format!("only `{dim}` may differ; select the same `{d}` values first"),
                    ));
                }
            }
        }
        arrays.push(l.array.clone());
    }
    let same_name = items.iter().all(|l| l.name == first.name);
    let mut coords: Vec<Arc<Coord>> = first
        .coords
        .iter()
        .filter(|c| c.dim != dim && c.name != dim)
        .cloned()
        .collect();
    let (array, dims) = if existing {
        let axis = first.dims.iter().position(|d| d == dim).expect("existing");
        let along: Vec<&Coord> = items
            .iter()
            .filter_map(|l| l.coord(dim).map(|c| &**c))
            .collect();
        if along.len() == items.len() {
            let base = along[0];
            coords.push(Arc::new(Coord {
                name: base.name.clone(),
                dim: dim.to_string(),
                values: joined_values(&along),
                attrs: base.attrs.clone(),
            }));
        }
        (
            build::concatenate(&arrays, axis as i64, span)?,
            first.dims.clone(),
        )
    } else {
        let scalars: Vec<&Coord> = items
            .iter()
            .filter_map(|l| l.coord_named(dim).filter(|c| c.is_scalar()).map(|c| &**c))
            .collect();
        if scalars.len() == items.len() {
            coords.push(Arc::new(Coord {
                name: dim.to_string(),
                dim: dim.to_string(),
                values: joined_values(&scalars),
                attrs: scalars[0].attrs.clone(),
            }));
        }
        let mut dims = vec![dim.to_string()];
        dims.extend(first.dims.iter().cloned());
        (build::stack(&arrays, 0, span)?, dims)
    };
    coords.sort_by_key(|c| dims.iter().position(|d| *d == c.dim).unwrap_or(usize::MAX));
    Ok(Labelled {
        array,
        dims,
        coords,
        attrs: first.attrs.clone(),
        name: if same_name { first.name.clone() } else { None },
    })
}

/// Datasets joined along `dim`, variable by variable (every dataset must have the same
/// variables); a variable without the (existing) dimension must be the same in all of them and
/// is kept once.
pub fn concat_datasets(items: &[Arc<Dataset>], dim: &str, span: Span) -> Combined<Dataset> {
    let first = &items[0];
    let existing = first.has_dim(dim);
    let mut variables = Vec::new();
    for v in &first.variables {
        let name = v.name.as_deref().unwrap_or_default();
        let mut all = Vec::with_capacity(items.len());
        for (k, ds) in items.iter().enumerate() {
            let Some(w) = ds.variable(name) else {
                return Err(error(
                    "flow::check::unknown_variable",
                    format!("dataset {k} has no variable `{name}`, which the first has"),
                    span,
                    "joined here",
                    "join datasets with the same variables (drop_vars or select them first)".into(),
                ));
            };
            all.push(with_scalar_coords(w, ds));
        }
        if existing && !v.dims.iter().any(|d| d == dim) {
            if let Some(k) = all
                .iter()
                .position(|w| w.array.content_key() != v.array.content_key())
            {
                return Err(error(
                    "flow::check::dim_mismatch",
                    format!(
                        "variable `{name}` has no dimension `{dim}` and is not the same in dataset {k} as in the first"
                    ),
                    span,
                    "joined here",
                    format!("drop it (drop_vars(\"{name}\")) or give it the dimension `{dim}`"),
                ));
            }
            variables.push(v.clone());
            continue;
        }
        let mut joined = concat_labelled(&all, dim, span)?;
        joined.name = v.name.clone();
        variables.push(joined);
    }
    let coords: Vec<Arc<Coord>> = first
        .coords
        .iter()
        .filter(|c| c.dim != dim && c.name != dim)
        .cloned()
        .collect();
    let mut out = Dataset::from_variables(variables, first.attrs.clone(), &coords);
    out.unlimited = first.unlimited.clone();
    Ok(out)
}

/// A dataset's variable with the dataset's scalar coordinates (as `ds.adt` has them).
fn with_scalar_coords(v: &Labelled, ds: &Dataset) -> Labelled {
    let mut v = v.clone();
    for c in ds.coords.iter().filter(|c| c.is_scalar()) {
        if v.coord_named(&c.name).is_none() {
            v.coords.push(c.clone());
        }
    }
    v
}

/// Datasets and named labelled arrays merged into one dataset: every variable once (one named
/// in several must be the same value in each), dimensions and coordinates agreeing.
pub fn merge(items: &[Subject], span: Span) -> Combined<Dataset> {
    let mut variables: Vec<Labelled> = Vec::new();
    let mut coords: Vec<Arc<Coord>> = Vec::new();
    let mut attrs = None;
    for (k, item) in items.iter().enumerate() {
        let (vars, own_coords, own_attrs) = match item {
            Subject::Labelled(l) => {
                if l.name.is_none() {
                    return Err(error(
                        "flow::check::argument_value",
                        format!("labelled array {k} has no name to merge it by"),
                        span,
                        "merged here",
                        "name it first: x.rename(\"sst\")".into(),
                    ));
                }
                (vec![l.clone()], l.coords.clone(), Vec::new())
            }
            Subject::Dataset(ds) => (ds.variables.clone(), ds.coords.clone(), ds.attrs.clone()),
        };
        attrs.get_or_insert(own_attrs);
        for c in own_coords {
            match coords.iter().find(|k| k.name == c.name) {
                Some(known) if known.dim != c.dim || known.first_difference(&c).is_some() => {
                    return Err(error(
                        "flow::check::coord_mismatch",
                        format!(
                            "coordinate `{}` of value {k} differs from an earlier one's",
                            c.name
                        ),
                        span,
                        "merged here",
                        "merge values over the same coordinates (select the same points first)"
                            .into(),
                    ));
                }
                Some(_) => {}
                None => coords.push(c),
            }
        }
        for v in vars {
            match variables.iter().find(|w| w.name == v.name) {
                Some(w) if w.array.content_key() != v.array.content_key() => {
                    return Err(error(
                        "flow::check::argument_value",
                        format!(
                            "variable `{}` is in two of the values merged, computed differently",
                            v.name.as_deref().unwrap_or_default()
                        ),
                        span,
                        "merged here",
                        "rename one of them first (rename({old: \"new\"}))".into(),
                    ));
                }
                Some(_) => {}
                None => variables.push(v),
            }
        }
    }
    // Shared dimensions must agree in length and coordinates, as a dataset's variables do.
    let sides: Vec<super::Side> = variables
        .iter()
        .cloned()
        .map(super::Side::Labelled)
        .collect();
    if !sides.is_empty() {
        super::align(&sides, span, &vec![span; sides.len()])?;
    }
    Ok(Dataset::from_variables(
        variables,
        attrs.unwrap_or_default(),
        &coords,
    ))
}
