//! Labelled arrays and datasets, as xarray has them: a lazy array whose axes have names
//! (`time`, `lat`, `lon`), with coordinate values along them and attributes; a dataset is named
//! variables over shared dimensions. Everything here is decided while checking: names, lengths
//! and coordinate values come from file headers (coordinates are small and read when a file is
//! opened), so a misspelt variable or dimension is an error before any data is read.
//!
//! Operations map names to axes and then build the same array nodes as unlabelled arrays do.

pub mod coarsen;
pub mod combine;
pub mod display;
pub mod groupby;
pub mod interp;
pub mod open;
pub mod resample;
pub mod rolling;
pub mod save;
pub mod select;

use crate::array::build::{self, IndexItem};
use crate::array::chunk::ChunkData;
use crate::array::node::{ArrayOp, ArrayRef, AxisSelection, Reduction};
use crate::diagnostic::Diagnostic;
use crate::io::layout::Attr;
use crate::source::Span;
use std::sync::Arc;

pub type Attrs = Vec<(String, Attr)>;

/// Values along one dimension (an index coordinate: `lat` along `lat`), in memory; or a scalar
/// coordinate (`dim` empty, one value): what a selection of one position leaves
/// (`x.isel(time=0).time`).
#[derive(Debug)]
pub struct Coord {
    pub name: String,
    pub dim: String,
    pub values: ChunkData,
    pub attrs: Attrs,
}

impl Coord {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_scalar(&self) -> bool {
        self.dim.is_empty()
    }

    /// The value at `position` as a scalar coordinate.
    fn scalar_at(&self, position: usize) -> Coord {
        let mut coord = self.select(&[position]);
        coord.dim = String::new();
        coord
    }

    /// One value: as text (dates for times, meanings for flags), for messages and displays.
    pub fn show(&self, value: f64) -> String {
        if let Some(meaning) = flag_meaning(&self.attrs, value) {
            return meaning.to_string();
        }
        match self.time_units() {
            Some(units) => units.format(value),
            None if self.values.dtype() == crate::array::dtype::DType::F32 => {
                crate::text::float32_repr(value as f32)
            }
            None if self.values.dtype().is_float() => crate::text::float_repr(value),
            None => format!("{}", value as i64),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn f64_values(&self) -> Vec<f64> {
        self.values.to_f64().iter().copied().collect()
    }

    pub fn attr(&self, name: &str) -> Option<&Attr> {
        attr(&self.attrs, name)
    }

    /// CF time units, when the coordinate is a time axis.
    pub fn time_units(&self) -> Option<crate::io::cftime::TimeUnits> {
        let Some(Attr::Str(units)) = self.attr("units") else {
            return None;
        };
        let calendar = match self.attr("calendar") {
            Some(Attr::Str(c)) => Some(c.as_str()),
            _ => None,
        };
        crate::io::cftime::TimeUnits::parse(units, calendar)
    }

    /// The coordinate with the positions `select` keeps.
    fn select(&self, positions: &[usize]) -> Coord {
        let values = crate::array::chunk::map_chunk!(&self.values, a => {
            let flat: Vec<_> = positions.iter().map(|&i| a[[i]]).collect();
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[flat.len()]), flat)
                .expect("1-d coordinate")
        });
        Coord {
            name: self.name.clone(),
            dim: self.dim.clone(),
            values,
            attrs: self.attrs.clone(),
        }
    }

    /// The first position where the values differ (NaN equals NaN), or the shorter length.
    pub fn first_difference(&self, other: &Coord) -> Option<usize> {
        let (a, b) = (self.f64_values(), other.f64_values());
        if let Some(i) = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y && !(x.is_nan() && y.is_nan()))
        {
            return Some(i);
        }
        (a.len() != b.len()).then(|| a.len().min(b.len()))
    }

    /// The coordinate as a labelled array over its own dimension (0-d for a scalar one).
    pub fn to_labelled(self: &Arc<Coord>, span: Span) -> Labelled {
        let (_shape, dims, values) = if self.is_scalar() {
            (vec![], vec![], self.values.clone().reshape(&[]))
        } else {
            (
                vec![self.len()],
                vec![self.dim.clone()],
                self.values.clone(),
            )
        };
        let array = build::in_memory(values, span);
        Labelled {
            array,
            dims,
            coords: vec![self.clone()],
            attrs: self.attrs.clone(),
            name: Some(self.name.clone()),
        }
    }
}

/// The calendar field `name` (`month`, `dayofyear`, …) of CF times `values` in `units`: i64,
/// or f64 with NaN where a time is missing.
pub fn time_field(
    values: &ChunkData,
    units: &crate::io::cftime::TimeUnits,
    name: &str,
) -> ChunkData {
    let shape = values.shape().to_vec();
    let fields: Vec<Option<i64>> = values
        .to_f64()
        .iter()
        .map(|&v| units.fields(v).and_then(|f| f.field(name)))
        .collect();
    if fields.iter().any(Option::is_none) {
        let floats = fields
            .iter()
            .map(|f| f.map_or(f64::NAN, |f| f as f64))
            .collect();
        ChunkData::F64(
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), floats).expect("shape"),
        )
    } else {
        let ints = fields.into_iter().map(|f| f.expect("present")).collect();
        ChunkData::I64(
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), ints).expect("shape"),
        )
    }
}

/// The attributes of the `.dt` field `name`: a season is a CF flag (a code with
/// `flag_values` and `flag_meanings` "DJF JJA MAM SON"), since flow's arrays hold numbers.
pub fn time_field_attrs(name: &str) -> Attrs {
    if name != "season" {
        return Vec::new();
    }
    let seasons = crate::io::cftime::SEASONS;
    vec![
        (
            "flag_values".into(),
            Attr::Ints((0..seasons.len() as i64).collect()),
        ),
        ("flag_meanings".into(), Attr::Str(seasons.join(" "))),
    ]
}

/// The meaning of a CF flag value (`flag_values` and `flag_meanings`), when `attrs` has them.
pub fn flag_meaning(attrs: &Attrs, value: f64) -> Option<&str> {
    flags(attrs)?
        .find(|(flag, _)| *flag as f64 == value)
        .map(|(_, meaning)| meaning)
}

/// The flag value whose meaning is `text`, when `attrs` has CF flags.
pub fn flag_value(attrs: &Attrs, text: &str) -> Option<i64> {
    flags(attrs)?
        .find(|(_, meaning)| *meaning == text)
        .map(|(flag, _)| flag)
}

/// The meanings of CF flags (`"DJF JJA MAM SON"`), when `attrs` has them.
pub fn flag_meanings(attrs: &Attrs) -> Option<&str> {
    match (attr(attrs, "flag_values"), attr(attrs, "flag_meanings")) {
        (Some(Attr::Ints(_)), Some(Attr::Str(meanings))) => Some(meanings),
        _ => None,
    }
}

/// Pairs of a CF flag value and its meaning.
fn flags(attrs: &Attrs) -> Option<impl Iterator<Item = (i64, &str)>> {
    let (Some(Attr::Ints(values)), Some(meanings)) =
        (attr(attrs, "flag_values"), flag_meanings(attrs))
    else {
        return None;
    };
    Some(values.iter().copied().zip(meanings.split_whitespace()))
}

pub fn attr<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a Attr> {
    attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// A lazy array with named dimensions.
#[derive(Clone, Debug)]
pub struct Labelled {
    pub array: ArrayRef,
    pub dims: Vec<String>,
    /// Coordinates along some of `dims`, at most one per dimension.
    pub coords: Vec<Arc<Coord>>,
    pub attrs: Attrs,
    pub name: Option<String>,
}

/// What a windowed operation (`coarsen`, `rolling`) works on: a labelled array or a dataset.
#[derive(Clone, Debug)]
pub enum Subject {
    Labelled(Labelled),
    Dataset(Arc<Dataset>),
}

impl Subject {
    /// The coordinates of the array or of the dataset.
    pub fn coords(&self) -> &[Arc<Coord>] {
        match self {
            Subject::Labelled(l) => &l.coords,
            Subject::Dataset(ds) => &ds.coords,
        }
    }

    /// A coordinate by its name (`"time"`).
    pub fn coord_named(&self, name: &str) -> Option<&Arc<Coord>> {
        self.coords().iter().find(|c| c.name == name)
    }

    /// The coordinate along dimension `dim`, if it has one.
    pub fn dim_coord(&self, dim: &str) -> Option<&Arc<Coord>> {
        self.coords()
            .iter()
            .find(|c| c.dim == dim && !c.is_scalar())
    }

    /// The length of dimension `dim`, or the error naming the dimensions there are.
    pub fn dim_length(&self, dim: &str, span: Span) -> Result<usize, Box<Diagnostic>> {
        match self {
            Subject::Labelled(l) => Ok(l.array.shape[l.axis(dim, span)?]),
            Subject::Dataset(ds) => match ds.dims.iter().find(|(d, _)| d == dim) {
                Some((_, n)) => Ok(*n),
                None => Err(ds.unknown_dim(dim, span)),
            },
        }
    }
}

/// An operand of an elementwise operation that involves labelled arrays.
#[derive(Clone)]
pub enum Side {
    Labelled(Labelled),
    Array(ArrayRef),
    /// A number (or anything that is not an array): left as it is.
    Other,
}

fn error(
    code: &'static str,
    message: String,
    span: Span,
    label: &str,
    help: String,
) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(code, message, span)
            .with_label(label)
            .with_help(help),
    )
}

impl Labelled {
    pub fn new(array: ArrayRef, dims: Vec<String>) -> Labelled {
        Labelled {
            array,
            dims,
            coords: Vec::new(),
            attrs: Vec::new(),
            name: None,
        }
    }

    pub fn coord(&self, dim: &str) -> Option<&Arc<Coord>> {
        self.coords.iter().find(|c| c.dim == dim && !c.is_scalar())
    }

    /// Do the values stand for CF times (a time coordinate, or a value taken from one)?
    pub fn is_time(&self) -> bool {
        self.time_units().is_some()
    }

    pub fn time_units(&self) -> Option<crate::io::cftime::TimeUnits> {
        let Some(Attr::Str(units)) = attr(&self.attrs, "units") else {
            return None;
        };
        let calendar = match attr(&self.attrs, "calendar") {
            Some(Attr::Str(c)) => Some(c.as_str()),
            _ => None,
        };
        crate::io::cftime::TimeUnits::parse(units, calendar)
    }

    /// A coordinate by its name (`x.lat`).
    pub fn coord_named(&self, name: &str) -> Option<&Arc<Coord>> {
        self.coords.iter().find(|c| c.name == name)
    }

    /// The same labels and attributes over another array of the same shape (`cos`, `-x`, …);
    /// see `computed_attrs` for a time's.
    pub fn with_array(&self, array: ArrayRef) -> Labelled {
        Labelled {
            array,
            dims: self.dims.clone(),
            coords: self.coords.clone(),
            attrs: self.computed_attrs(),
            name: self.name.clone(),
        }
    }

    /// The attributes a value computed from this one keeps (xarray keeps them by default): all
    /// but a time's encoding (`units`, `calendar`), as the numbers computed are no longer times.
    pub fn computed_attrs(&self) -> Attrs {
        if !self.is_time() {
            return self.attrs.clone();
        }
        self.attrs
            .iter()
            .filter(|(k, _)| k != "units" && k != "calendar")
            .cloned()
            .collect()
    }

    /// The axis of dimension `dim`, or an error naming the dimensions there are.
    pub fn axis(&self, dim: &str, span: Span) -> Result<usize, Box<Diagnostic>> {
        self.dims.iter().position(|d| d == dim).ok_or_else(|| {
            error(
                "flow::check::unknown_dim",
                format!("no dimension `{dim}` in {}", self.describe_dims()),
                span,
                "not a dimension of this array",
                crate::text::did_you_mean(dim, self.dims.iter().map(String::as_str), "dimensions"),
            )
        })
    }

    /// `(time: 365, lat: 180, lon: 360)`
    pub fn describe_dims(&self) -> String {
        describe_dims(self.dims.iter().zip(&self.array.shape))
    }

    /// Reduce over the named dimensions (all when `dims` is none).
    pub fn reduce(
        &self,
        reduction: Reduction,
        dims: Option<&[String]>,
        ddof: usize,
        span: Span,
        dims_span: Span,
    ) -> Result<Labelled, Box<Diagnostic>> {
        let axes: Vec<usize> = match dims {
            None => (0..self.dims.len()).collect(),
            Some(dims) => {
                let mut axes = Vec::new();
                for dim in dims {
                    let axis = self.axis(dim, dims_span)?;
                    if axes.contains(&axis) {
                        return Err(error(
                            "flow::check::unknown_dim",
                            format!("dimension `{dim}` is given twice"),
                            dims_span,
                            "repeated",
                            "name each dimension once".into(),
                        ));
                    }
                    axes.push(axis);
                }
                axes
            }
        };
        // Over no dimension named (not all of none, as of a 0-d array), as xarray: sums,
        // products, means, minima and maxima are the values as they are (dtype and NaN too);
        // spreads are 0 (NaN for NaN); any/all are truth.
        let spread_or_truth = matches!(
            reduction,
            Reduction::Var
                | Reduction::Std
                | Reduction::NanVar
                | Reduction::NanStd
                | Reduction::Any
                | Reduction::All
        );
        if dims.is_some() && axes.is_empty() && !spread_or_truth {
            return Ok(self.clone());
        }
        let array = build::reduce(&self.array, reduction, axes.clone(), false, ddof, span)?;
        let dims: Vec<String> = (0..self.dims.len())
            .filter(|a| !axes.contains(a))
            .map(|a| self.dims[a].clone())
            .collect();
        let coords = self
            .coords
            .iter()
            .filter(|c| c.is_scalar() || dims.contains(&c.dim))
            .cloned()
            .collect();
        // A time stays a time (its units say what the numbers mean): `x.time.max()` is a date.
        let keeps_time = matches!(
            reduction,
            Reduction::Min
                | Reduction::Max
                | Reduction::NanMin
                | Reduction::NanMax
                | Reduction::Mean
                | Reduction::NanMean
        );
        let attrs = if keeps_time {
            self.attrs.clone()
        } else {
            self.computed_attrs()
        };
        Ok(Labelled {
            array,
            dims,
            coords,
            attrs,
            name: self.name.clone(),
        })
    }

    /// Index by dimension: `items` give an int or a slice for some axes (`isel`).
    pub fn isel(
        &self,
        items: &[(usize, IndexItem)],
        span: Span,
    ) -> Result<Labelled, Box<Diagnostic>> {
        let mut all: Vec<IndexItem> = vec![
            IndexItem::Slice {
                start: None,
                stop: None,
                step: None
            };
            self.dims.len()
        ];
        for (axis, item) in items {
            all[*axis] = item.clone();
        }
        self.index(&all, span)
    }

    /// Index by position, as an unlabelled array (`x[0, 10:20]`): ints drop their dimension,
    /// slices keep it with the coordinate values they select.
    pub fn index(&self, items: &[IndexItem], span: Span) -> Result<Labelled, Box<Diagnostic>> {
        if let Some(at) = items
            .iter()
            .position(|i| matches!(i, IndexItem::Positions(_) | IndexItem::Mask(_)))
        {
            return self.index_positions(items, at, span);
        }
        if items.iter().any(|i| matches!(i, IndexItem::NewAxis)) {
            return Err(error(
                "flow::check::array_index",
                "a labelled array cannot get a new axis without a name".into(),
                span,
                "`none` in the index",
                "take the values with `.values` first to index them as an unlabelled array".into(),
            ));
        }
        let array = build::slice(&self.array, items, span)?;
        let selection: Vec<AxisSelection> = match &array.op {
            ArrayOp::Slice { input, selection } if Arc::ptr_eq(input, &self.array) => {
                selection.clone()
            }
            _ => self
                .array
                .shape
                .iter()
                .map(|&count| AxisSelection::Range {
                    start: 0,
                    step: 1,
                    count,
                })
                .collect(),
        };
        let mut dims = Vec::new();
        let mut coords: Vec<Arc<Coord>> = self
            .coords
            .iter()
            .filter(|c| c.is_scalar())
            .cloned()
            .collect();
        for (dim, pick) in self.dims.iter().zip(&selection) {
            let AxisSelection::Range { start, step, count } = *pick else {
                if let (AxisSelection::Index(i), Some(coord)) = (pick, self.coord(dim)) {
                    coords.push(Arc::new(coord.scalar_at(*i)));
                }
                continue;
            };
            dims.push(dim.clone());
            if let Some(coord) = self.coord(dim) {
                let whole = start == 0 && step == 1 && count == coord.len();
                coords.push(if whole {
                    coord.clone()
                } else {
                    let positions: Vec<usize> = (0..count)
                        .map(|k| (start as isize + k as isize * step) as usize)
                        .collect();
                    Arc::new(coord.select(&positions))
                });
            }
        }
        Ok(Labelled {
            array,
            dims,
            coords,
            attrs: self.attrs.clone(),
            name: self.name.clone(),
        })
    }

    /// `x[items]` where item `at` is an index array (`x[[0, 2]]`, `x[:, mask]`): the other items
    /// first, then the positions taken along that dimension, with its coordinate's values.
    fn index_positions(
        &self,
        items: &[IndexItem],
        at: usize,
        span: Span,
    ) -> Result<Labelled, Box<Diagnostic>> {
        let mut plain = items.to_vec();
        plain[at] = IndexItem::Slice {
            start: None,
            stop: None,
            step: None,
        };
        let rest = self.index(&plain, span)?;
        let axis = build::axis_of_item(items, at, self.dims.len());
        let Some(dim) = rest.dims.get(axis).cloned() else {
            return Err(error(
                "flow::check::array_index",
                format!("no dimension for index {at} in {}", rest.describe_dims()),
                span,
                "here",
                "give at most one index per dimension".into(),
            ));
        };
        let mut single = vec![
            IndexItem::Slice {
                start: None,
                stop: None,
                step: None
            };
            rest.dims.len()
        ];
        single[axis] = items[at].clone();
        let array = build::slice(&rest.array, &single, span)?;
        let length = rest.array.shape[axis] as i64;
        let positions: Vec<usize> = match &items[at] {
            IndexItem::Positions(p) => p
                .iter()
                .map(|&i| if i < 0 { i + length } else { i } as usize)
                .collect(),
            IndexItem::Mask(m) => (0..m.len()).filter(|&i| m[i]).collect(),
            _ => unreachable!("an index array"),
        };
        let coords = rest
            .coords
            .iter()
            .map(|c| {
                if c.dim == dim && !c.is_scalar() {
                    Arc::new(c.select(&positions))
                } else {
                    c.clone()
                }
            })
            .collect();
        Ok(Labelled {
            array,
            dims: rest.dims.clone(),
            coords,
            attrs: rest.attrs.clone(),
            name: rest.name.clone(),
        })
    }

    /// The same with dimension `dim` first (as it is, when it is first or not there).
    pub fn with_dim_first(&self, dim: &str, span: Span) -> Result<Labelled, Box<Diagnostic>> {
        match self.dims.iter().position(|d| d == dim) {
            Some(at) if at > 0 => {
                let mut order = self.dims.clone();
                let first = order.remove(at);
                order.insert(0, first);
                self.transpose(&order, span)
            }
            _ => Ok(self.clone()),
        }
    }

    /// Permute the dimensions into `order` (every dimension once).
    pub fn transpose(&self, order: &[String], span: Span) -> Result<Labelled, Box<Diagnostic>> {
        let mut axes = Vec::new();
        for dim in order {
            let axis = self.axis(dim, span)?;
            if axes.contains(&(axis as i64)) {
                return Err(error(
                    "flow::check::unknown_dim",
                    format!("dimension `{dim}` is given twice"),
                    span,
                    "repeated",
                    "name each dimension once".into(),
                ));
            }
            axes.push(axis as i64);
        }
        if axes.len() != self.dims.len() {
            return Err(error(
                "flow::check::unknown_dim",
                format!(
                    "transpose needs every dimension of {}, in the new order",
                    self.describe_dims()
                ),
                span,
                "some are missing",
                format!("x.transpose({})", quoted_list(self.dims.iter().rev())),
            ));
        }
        let array = build::transpose(&self.array, Some(&axes), span)?;
        Ok(Labelled {
            array,
            dims: order.to_vec(),
            coords: self.coords.clone(),
            attrs: self.attrs.clone(),
            name: self.name.clone(),
        })
    }
}

pub fn quoted_list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    names
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn describe_dims<'a>(dims: impl Iterator<Item = (&'a String, &'a usize)>) -> String {
    let parts: Vec<String> = dims.map(|(d, n)| format!("{d}: {n}")).collect();
    format!("({})", parts.join(", "))
}

/// Line up the labelled operands of an elementwise operation by dimension name: the result has
/// the first operand's dimensions followed by the others' new ones; each labelled operand is
/// transposed into that order and given length-1 axes for the dimensions it lacks, so NumPy
/// broadcasting does the rest. Unlabelled arrays broadcast against the trailing dimensions.
/// Shared dimensions must have the same length and, where both have coordinates, the same
/// coordinate values.
pub fn align(
    sides: &[Side],
    span: Span,
    spans: &[Span],
) -> Result<(Aligned, Vec<Option<ArrayRef>>), Box<Diagnostic>> {
    let mut dims: Vec<String> = Vec::new();
    let mut lengths: Vec<usize> = Vec::new();
    let mut coords: Vec<Arc<Coord>> = Vec::new();
    let mut first_of: Vec<usize> = Vec::new();
    let mut scalars: Vec<Arc<Coord>> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    // The result keeps the operands' name only when they all have the same one (as xarray).
    let names: Vec<&Option<String>> = sides
        .iter()
        .filter_map(|s| match s {
            Side::Labelled(l) => Some(&l.name),
            _ => None,
        })
        .collect();
    let name = match names.first() {
        Some(first) if names.iter().all(|n| n == first) => (*first).clone(),
        _ => None,
    };
    let attrs = merged_attrs(sides.iter().filter_map(|s| match s {
        Side::Labelled(l) => Some(l),
        _ => None,
    }));
    for (k, side) in sides.iter().enumerate() {
        let Side::Labelled(l) = side else { continue };
        for (axis, dim) in l.dims.iter().enumerate() {
            let length = l.array.shape[axis];
            match dims.iter().position(|d| d == dim) {
                Some(i) if lengths[i] != length => {
                    let message = format!(
                        "dimension `{dim}` has length {} in one operand and {length} in another",
                        lengths[i]
                    );
                    let mut diagnostic =
                        Diagnostic::error("flow::check::dim_mismatch", message, spans[k])
                            .with_help("select matching parts first with .isel or .sel");
                    diagnostic = if spans[k] == spans[first_of[i]] {
                        diagnostic
                            .with_label(format!("operands of different lengths along `{dim}`"))
                    } else {
                        diagnostic
                            .with_label(format!("`{dim}` has length {length}"))
                            .with_note(
                                spans[first_of[i]],
                                format!("`{dim}` has length {}", lengths[i]),
                            )
                    };
                    return Err(Box::new(diagnostic));
                }
                Some(_) => {}
                None => {
                    dims.push(dim.clone());
                    lengths.push(length);
                    first_of.push(k);
                }
            }
        }
        for coord in &l.coords {
            if coord.is_scalar() {
                // Scalar coordinates that disagree are dropped (as xarray drops them).
                match scalars
                    .iter()
                    .position(|c: &Arc<Coord>| c.name == coord.name)
                {
                    Some(i) if scalars[i].first_difference(coord).is_some() => {
                        dropped.push(coord.name.clone())
                    }
                    Some(_) => {}
                    None => scalars.push(coord.clone()),
                }
                continue;
            }
            match coords.iter().find(|c| c.dim == coord.dim) {
                Some(known) => {
                    if let Some(at) = known.first_difference(coord) {
                        let values = (known.f64_values(), coord.f64_values());
                        let show =
                            |c: &Coord, v: Option<&f64>| v.map_or("nothing".into(), |v| c.show(*v));
                        return Err(Box::new(
                            Diagnostic::error(
                                "flow::check::coord_mismatch",
                                format!(
                                    "the operands' `{}` coordinates differ (at position {at}: {} and {})",
                                    coord.dim,
                                    show(known, values.0.get(at)),
                                    show(coord, values.1.get(at))
                                ),
                                span,
                            )
                            .with_label("operands on different points")
                            .with_help("flow does not realign by coordinate values: select the same points of both with .sel first"),
                        ));
                    }
                }
                None => coords.push(coord.clone()),
            }
        }
    }
    let mut arrays = Vec::with_capacity(sides.len());
    for (k, side) in sides.iter().enumerate() {
        arrays.push(match side {
            Side::Other => None,
            Side::Array(a) => {
                if a.ndim() > dims.len() {
                    return Err(error(
                        "flow::check::dim_mismatch",
                        format!(
                            "an unlabelled {}-d array cannot combine with labelled dimensions {}",
                            a.ndim(),
                            describe_dims(dims.iter().zip(&lengths))
                        ),
                        spans[k],
                        "no dimension names",
                        "name its axes first: label(x, (\"lat\", \"lon\"))".into(),
                    ));
                }
                Some(a.clone())
            }
            Side::Labelled(l) => Some(expand(l, &dims, span)?),
        });
    }
    coords.retain(|c| dims.contains(&c.dim));
    scalars.retain(|c| !dropped.contains(&c.name) && !dims.contains(&c.name));
    coords.extend(scalars);
    Ok((
        Aligned {
            dims,
            coords,
            name,
            attrs,
        },
        arrays,
    ))
}

/// The attributes of an elementwise result, as xarray's default (`keep_attrs="drop_conflicts"`):
/// every operand's, except a name the operands give different values.
fn merged_attrs<'a>(operands: impl Iterator<Item = &'a Labelled>) -> Attrs {
    drop_conflicts(operands.map(Labelled::computed_attrs))
}

/// Attributes of several values merged as xarray's `combine_attrs="drop_conflicts"`: every
/// key once, but none whose values differ.
pub fn drop_conflicts(lists: impl Iterator<Item = Attrs>) -> Attrs {
    let mut merged: Attrs = Vec::new();
    let mut conflicting: Vec<String> = Vec::new();
    for list in lists {
        for (key, value) in list {
            match merged.iter().position(|(k, _)| *k == key) {
                Some(i) if merged[i].1 != value => {
                    merged.remove(i);
                    conflicting.push(key);
                }
                Some(_) => {}
                None if conflicting.contains(&key) => {}
                None => merged.push((key, value)),
            }
        }
    }
    merged
}

/// The labels of an elementwise result, before its array is built.
#[derive(Debug)]
pub struct Aligned {
    pub dims: Vec<String>,
    pub coords: Vec<Arc<Coord>>,
    pub name: Option<String>,
    pub attrs: Attrs,
}

impl Aligned {
    pub fn wrap(self, array: ArrayRef) -> Labelled {
        Labelled {
            array,
            dims: self.dims,
            coords: self.coords,
            attrs: self.attrs,
            name: self.name,
        }
    }
}

/// `l`'s array with its axes in the order of `dims` (a superset of its own) and length-1 axes
/// for the ones it lacks.
pub fn expand(l: &Labelled, dims: &[String], span: Span) -> Result<ArrayRef, Box<Diagnostic>> {
    let order: Vec<&String> = dims.iter().filter(|d| l.dims.contains(d)).collect();
    let mut array = l.array.clone();
    if order.iter().zip(&l.dims).any(|(a, b)| *a != b) {
        let axes: Vec<i64> = order
            .iter()
            .map(|d| l.dims.iter().position(|x| x == *d).expect("own dim") as i64)
            .collect();
        array = build::transpose(&array, Some(&axes), span)?;
    }
    if order.len() == dims.len() {
        return Ok(array);
    }
    // Leading missing dimensions broadcast by themselves; only inner ones need new axes.
    let first_own = dims
        .iter()
        .position(|d| l.dims.contains(d))
        .unwrap_or(dims.len());
    let items = build::lined_up(dims[first_own..].iter().map(|d| l.dims.contains(d)));
    if items.iter().all(|i| !matches!(i, IndexItem::NewAxis)) {
        return Ok(array);
    }
    build::slice(&array, &items, span)
}

/// A dataset: named variables over shared dimensions, coordinates and attributes.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub dims: Vec<(String, usize)>,
    pub coords: Vec<Arc<Coord>>,
    pub variables: Vec<Labelled>,
    pub attrs: Attrs,
    /// Dimensions the files it came from could grow along (written back as unlimited).
    pub unlimited: Vec<String>,
    /// Variables of the files that flow cannot read, with their type (named in errors).
    pub unreadable: Vec<(String, String)>,
}

impl Dataset {
    pub fn variable(&self, name: &str) -> Option<&Labelled> {
        self.variables
            .iter()
            .find(|v| v.name.as_deref() == Some(name))
    }

    pub fn coord(&self, name: &str) -> Option<&Arc<Coord>> {
        self.coords.iter().find(|c| c.name == name)
    }

    pub fn variable_names(&self) -> impl Iterator<Item = &str> + Clone {
        self.variables.iter().filter_map(|v| v.name.as_deref())
    }

    pub fn describe_dims(&self) -> String {
        describe_dims(self.dims.iter().map(|(d, n)| (d, n)))
    }

    pub fn has_dim(&self, dim: &str) -> bool {
        self.dims.iter().any(|(d, _)| d == dim)
    }

    /// The error for a dimension the dataset does not have.
    pub fn unknown_dim(&self, dim: &str, span: Span) -> Box<Diagnostic> {
        error(
            "flow::check::unknown_dim",
            format!(
                "no dimension `{dim}` in the dataset {}",
                self.describe_dims()
            ),
            span,
            "not a dimension of the dataset",
            crate::text::did_you_mean(dim, self.dims.iter().map(|(d, _)| d.as_str()), "dimensions"),
        )
    }

    /// Apply `f` to every variable, keeping the dataset's attributes; dimensions and
    /// coordinates become those the results use.
    pub fn map_variables(
        &self,
        mut f: impl FnMut(&Labelled) -> Result<Labelled, Box<Diagnostic>>,
    ) -> Result<Dataset, Box<Diagnostic>> {
        let variables = self
            .variables
            .iter()
            .map(&mut f)
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Dataset::from_variables(variables, self.attrs.clone(), &self.coords);
        out.unlimited = self.unlimited.clone();
        out.unreadable = self.unreadable.clone();
        Ok(out)
    }

    /// A dataset of `variables`; its dimensions are theirs (in order of appearance) and its
    /// coordinates theirs, plus those of `coords` along the dimensions that remain.
    pub fn from_variables(
        variables: Vec<Labelled>,
        attrs: Attrs,
        coords: &[Arc<Coord>],
    ) -> Dataset {
        let mut dims: Vec<(String, usize)> = Vec::new();
        let mut all_coords: Vec<Arc<Coord>> = Vec::new();
        for v in &variables {
            for (dim, &n) in v.dims.iter().zip(&v.array.shape) {
                if !dims.iter().any(|(d, _)| d == dim) {
                    dims.push((dim.clone(), n));
                }
            }
            for c in &v.coords {
                if !all_coords.iter().any(|k| k.name == c.name) {
                    all_coords.push(c.clone());
                }
            }
        }
        for c in coords {
            // A coordinate no variable uses keeps its dimension (as xarray's datasets do).
            let own_dim = !c.is_scalar() && !dims.iter().any(|(d, _)| *d == c.dim);
            if own_dim {
                dims.push((c.dim.clone(), c.len()));
            }
            let keep = c.is_scalar() || dims.iter().any(|(d, n)| *d == c.dim && *n == c.len());
            if keep && !all_coords.iter().any(|k| k.name == c.name) {
                all_coords.push(c.clone());
            }
        }
        // Coordinates in the order of their dimensions.
        all_coords.sort_by_key(|c| {
            dims.iter()
                .position(|(d, _)| *d == c.dim)
                .unwrap_or(usize::MAX)
        });
        Dataset {
            dims,
            coords: all_coords,
            variables,
            attrs,
            unlimited: Vec::new(),
            unreadable: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::dtype::DType;
    use crate::array::node::Scalar;
    use crate::source::SourceId;

    fn span() -> Span {
        Span::new(SourceId(0), 0, 0)
    }

    fn labelled(shape: &[usize], dims: &[&str]) -> Labelled {
        let array = build::full(
            shape.to_vec(),
            &build::ChunkSpec::Auto,
            Scalar::Float(1.0),
            DType::F64,
            span(),
        )
        .unwrap();
        Labelled::new(array, dims.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn align_orders_dims_by_first_appearance_and_expands() {
        let a = labelled(&[4, 3, 5], &["time", "lat", "lon"]);
        let b = labelled(&[5, 3], &["lon", "lat"]);
        let (out, arrays) = align(
            &[Side::Labelled(a), Side::Labelled(b), Side::Other],
            span(),
            &[span(); 3],
        )
        .unwrap();
        assert_eq!(out.dims, ["time", "lat", "lon"]);
        assert_eq!(arrays[0].as_ref().unwrap().shape, [4, 3, 5]);
        // Transposed to (lat, lon); `time` is leading, so NumPy broadcasting adds it.
        assert_eq!(arrays[1].as_ref().unwrap().shape, [3, 5]);
        assert!(arrays[2].is_none());
        let w = labelled(&[3], &["lat"]);
        let t = labelled(&[4, 3, 5], &["time", "lat", "lon"]);
        let (_, arrays) = align(
            &[Side::Labelled(t), Side::Labelled(w)],
            span(),
            &[span(); 2],
        )
        .unwrap();
        assert_eq!(arrays[1].as_ref().unwrap().shape, [3, 1]);
    }

    #[test]
    fn align_refuses_different_lengths() {
        let a = labelled(&[4, 3], &["time", "lat"]);
        let b = labelled(&[2], &["lat"]);
        let error = align(
            &[Side::Labelled(a), Side::Labelled(b)],
            span(),
            &[span(); 2],
        )
        .unwrap_err();
        assert_eq!(error.code, "flow::check::dim_mismatch");
    }

    #[test]
    fn reduce_and_isel_keep_the_right_labels() {
        let x = labelled(&[4, 3, 5], &["time", "lat", "lon"]);
        let r = x
            .reduce(
                Reduction::Mean,
                Some(&["lon".into(), "time".into()]),
                0,
                span(),
                span(),
            )
            .unwrap();
        assert_eq!(r.dims, ["lat"]);
        assert_eq!(r.array.shape, [3]);
        let e = x
            .reduce(Reduction::Mean, Some(&["tiem".into()]), 0, span(), span())
            .unwrap_err();
        assert_eq!(e.code, "flow::check::unknown_dim");
        assert!(e.help.as_deref().unwrap_or("").contains("`time`"));
        let s = x
            .isel(
                &[
                    (0, IndexItem::Int(2)),
                    (
                        2,
                        IndexItem::Slice {
                            start: None,
                            stop: None,
                            step: Some(-2),
                        },
                    ),
                ],
                span(),
            )
            .unwrap();
        assert_eq!(s.dims, ["lat", "lon"]);
        assert_eq!(s.array.shape, [3, 3]);
    }
}
