//! flow inside another program's process (the Python package's `%%flow` cells): values handed
//! in and out as plain parts — blocks of numbers, dimension names, coordinates, attributes,
//! Arrow IPC for frames — that the host turns into its own types (NumPy, xarray, pandas or
//! polars). Nothing here knows Python.

use crate::array::chunk::ChunkData;
use crate::array::chunks::Chunks;
use crate::dataset::{Attrs, Coord, Dataset, Labelled};
use crate::diagnostic::Diagnostic;
use crate::eval::Value;
use crate::frame::{ColType, Frame};
use crate::session::Session;
use crate::source::Span;
use polars::prelude as pl;
use std::sync::Arc;

/// A coordinate along one dimension.
#[derive(Clone, Debug)]
pub struct CoordParts {
    pub name: String,
    pub dim: String,
    pub values: ChunkData,
    pub attrs: Attrs,
}

/// A labelled array: its values with named dimensions, coordinates and attributes.
#[derive(Clone, Debug)]
pub struct LabelledParts {
    pub name: Option<String>,
    pub dims: Vec<String>,
    pub values: ChunkData,
    pub coords: Vec<CoordParts>,
    pub attrs: Attrs,
}

/// A dataset: named variables over shared dimensions, its coordinates and attributes.
#[derive(Clone, Debug)]
pub struct DatasetParts {
    pub variables: Vec<LabelledParts>,
    pub coords: Vec<CoordParts>,
    pub attrs: Attrs,
}

/// A value handed out, computed.
#[derive(Clone, Debug)]
pub enum Exported {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(ChunkData),
    Labelled(LabelledParts),
    Dataset(DatasetParts),
    /// A frame's rows as an Arrow IPC stream.
    Frame(Vec<u8>),
    List(Vec<Exported>),
}

/// An array of values from the host: one block in memory, cut into flow's automatic chunks
/// when it is larger than one (so its computations run in parallel).
pub fn array_value(values: ChunkData) -> Value {
    Value::Array(chunked(values))
}

fn chunked(values: ChunkData) -> crate::array::node::ArrayRef {
    let whole = crate::array::build::in_memory(values, Span::default());
    let chunks = Chunks::auto(&whole.shape, whole.dtype);
    crate::array::build::rechunked(&whole, chunks, Span::default())
}

fn coord(parts: CoordParts, dims: &[(String, usize)]) -> Result<Arc<Coord>, Diagnostic> {
    if parts.values.shape().len() > 1 {
        return Err(refused(format!(
            "coordinate `{}` has {} dimensions: flow's coordinates lie along one",
            parts.name,
            parts.values.shape().len()
        )));
    }
    let length = parts.values.len();
    if let Some((_, n)) = dims.iter().find(|(d, _)| *d == parts.dim) {
        if *n != length && !parts.dim.is_empty() {
            return Err(refused(format!(
                "coordinate `{}` has {length} values along `{}`, which is {n} long",
                parts.name, parts.dim
            )));
        }
    }
    Ok(Arc::new(Coord {
        name: parts.name,
        dim: parts.dim,
        values: parts.values,
        attrs: parts.attrs,
    }))
}

fn labelled(parts: LabelledParts) -> Result<Labelled, Diagnostic> {
    let shape = parts.values.shape().to_vec();
    if parts.dims.len() != shape.len() {
        return Err(refused(format!(
            "{} dimension names for values of {} dimensions",
            parts.dims.len(),
            shape.len()
        )));
    }
    let sized: Vec<(String, usize)> = parts.dims.iter().cloned().zip(shape).collect();
    let mut coords: Vec<Arc<Coord>> = Vec::new();
    for c in parts.coords {
        if !c.dim.is_empty() && !parts.dims.contains(&c.dim) {
            return Err(refused(format!(
                "coordinate `{}` lies along `{}`, not a dimension of the values",
                c.name, c.dim
            )));
        }
        if !c.dim.is_empty() && coords.iter().any(|k| k.dim == c.dim) {
            return Err(refused(format!(
                "two coordinates along `{}`: flow keeps one per dimension",
                c.dim
            )));
        }
        coords.push(coord(c, &sized)?);
    }
    let mut array = Labelled::new(chunked(parts.values), parts.dims);
    array.coords = coords;
    array.attrs = parts.attrs;
    array.name = parts.name;
    Ok(array)
}

/// A labelled array from its parts.
pub fn labelled_value(parts: LabelledParts) -> Result<Value, Diagnostic> {
    Ok(Value::Labelled(Arc::new(labelled(parts)?)))
}

/// A dataset from its parts.
pub fn dataset_value(parts: DatasetParts) -> Result<Value, Diagnostic> {
    let mut variables = Vec::new();
    for v in parts.variables {
        if v.name.is_none() {
            return Err(refused("a dataset's variable without a name".into()));
        }
        variables.push(labelled(v)?);
    }
    let dims: Vec<(String, usize)> = variables
        .iter()
        .flat_map(|v| v.dims.iter().cloned().zip(v.array.shape.iter().copied()))
        .collect();
    let coords = parts
        .coords
        .into_iter()
        .map(|c| coord(c, &dims))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Dataset(Arc::new(Dataset::from_variables(
        variables,
        parts.attrs,
        &coords,
    ))))
}

/// A frame of the rows of an Arrow IPC stream. Columns take flow's types (integers as i64,
/// floats as f64, times in microseconds); columns of other types are refused by name.
pub fn frame_value(ipc: &[u8]) -> Result<Value, Diagnostic> {
    let rows = crate::frame::rows::Rows::from_ipc(ipc).map_err(refused)?;
    let mut schema = Vec::new();
    let mut columns = Vec::new();
    for column in rows.frame().columns() {
        let ty = ColType::of(column.dtype());
        if matches!(ty, ColType::Other) {
            return Err(refused(format!(
                "column `{}` holds {} values, which flow's frames do not: give numbers, text, \
                 bools, dates or times",
                column.name(),
                column.dtype()
            )));
        }
        let cast = column
            .cast(&ty.polars())
            .map_err(|e| refused(format!("column `{}`: {e}", column.name())))?;
        schema.push((column.name().to_string(), ty));
        columns.push(cast);
    }
    let frame = pl::DataFrame::new_infer_height(columns).map_err(|e| refused(e.to_string()))?;
    Ok(Value::Frame(Arc::new(Frame::of_rows(
        schema,
        frame,
        Span::default(),
    ))))
}

/// Compute `value` and hand out its parts; what cannot leave flow (a function, a lazy group)
/// is named in the error.
pub fn export(session: &mut Session, value: Value) -> Result<Exported, Diagnostic> {
    let Value::Dataset(dataset) = value else {
        return exported(session.force(value)?);
    };
    // A dataset's variables are computed together (sharing the work they have in common).
    let variables = dataset
        .variables
        .iter()
        .map(|v| Value::Labelled(Arc::new(v.clone())))
        .collect();
    let Value::Tuple(computed) = session.force(Value::Tuple(Arc::new(variables)))? else {
        return Err(not_exported(
            "a dataset whose variables were not computed".into(),
        ));
    };
    let variables = computed
        .iter()
        .map(|v| match v {
            Value::Labelled(l) => parts_of(l),
            _ => Err(not_exported(
                "a dataset variable that is not an array".into(),
            )),
        })
        .collect::<Result<_, _>>()?;
    Ok(Exported::Dataset(DatasetParts {
        variables,
        coords: dataset.coords.iter().map(coord_parts).collect(),
        attrs: dataset.attrs.clone(),
    }))
}

/// A value the host gave that flow cannot take.
fn refused(message: String) -> Diagnostic {
    Diagnostic::error_without_span("flow::input::host_value", message)
}

fn not_exported(message: String) -> Diagnostic {
    Diagnostic::error_without_span("flow::eval::not_exported", message)
}

fn exported(value: Value) -> Result<Exported, Diagnostic> {
    Ok(match value {
        Value::None => Exported::None,
        Value::Bool(b) => Exported::Bool(b),
        Value::Int(i) => Exported::Int(i),
        Value::Float(f) => Exported::Float(f),
        Value::Str(s) => Exported::Str(s.to_string()),
        Value::Array(a) => Exported::Array(values_of(&a)?),
        Value::Labelled(l) => Exported::Labelled(parts_of(&l)?),
        Value::Frame(f) => match &f.computed {
            Some(rows) => Exported::Frame(rows.to_ipc()),
            None => return Err(not_exported("a frame that was not computed".into())),
        },
        Value::Tuple(items) | Value::List(items) => Exported::List(
            items
                .iter()
                .cloned()
                .map(exported)
                .collect::<Result<_, _>>()?,
        ),
        other => {
            return Err(not_exported(format!(
                "a {} cannot be handed out of flow: give an array, a labelled array, a \
                 dataset, a frame, a number or text",
                other.type_name()
            )))
        }
    })
}

fn values_of(array: &crate::array::node::ArrayRef) -> Result<ChunkData, Diagnostic> {
    array
        .whole()
        .ok_or_else(|| not_exported("an array that was not computed".to_string()))
}

fn coord_parts(c: &Arc<Coord>) -> CoordParts {
    CoordParts {
        name: c.name.clone(),
        dim: c.dim.clone(),
        values: c.values.clone(),
        attrs: c.attrs.clone(),
    }
}

fn parts_of(l: &Labelled) -> Result<LabelledParts, Diagnostic> {
    Ok(LabelledParts {
        name: l.name.clone(),
        dims: l.dims.clone(),
        values: values_of(&l.array)?,
        coords: l.coords.iter().map(coord_parts).collect(),
        attrs: l.attrs.clone(),
    })
}
