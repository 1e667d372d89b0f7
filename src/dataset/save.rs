//! Writing a dataset as a netCDF-4 file: its dimensions, attributes and coordinates, then each
//! variable's blocks as they are computed (the caller streams them; nothing is held whole).

use super::{Dataset, Labelled};
use crate::array::chunk::ChunkData;
use crate::array::node::ArrayRef;
use crate::array::source::FileFormat;
use crate::io::layout::{Attr, DimHeader, FileLayout, VariableLayout};
use std::path::Path;

/// Writes one block of a variable, at its start.
pub type Blocks<'a> = dyn Fn(&[usize], &ChunkData) -> Result<(), String> + Sync + 'a;

/// Write `ds` at `path`; `stream` computes an array and hands each of its blocks to the writer
/// it is given; `fail` makes the caller's error of a writing failure.
pub fn write_netcdf<E>(
    ds: &Dataset,
    path: &Path,
    gzip: bool,
    stream: &mut dyn for<'a> FnMut(&ArrayRef, &Blocks<'a>) -> Result<(), E>,
    fail: impl Fn(String) -> E,
) -> Result<(), E> {
    // A scalar coordinate is a 0-d variable the data variables name in `coordinates`.
    let scalar_names: Vec<&str> = ds
        .coords
        .iter()
        .filter(|c| c.is_scalar())
        .map(|c| c.name.as_str())
        .collect();
    // A variable that is one of the coordinates (`save(ds.lat, …)`) is written as the coordinate.
    let variables: Vec<&Labelled> = ds
        .variables
        .iter()
        .filter(|v| ds.coord(v.name.as_deref().unwrap_or("")).is_none())
        .collect();
    let name_of = |v: &Labelled| v.name.clone().unwrap_or_else(|| "x".into());
    let coordinates = ds.coords.iter().map(|c| VariableLayout {
        name: c.name.clone(),
        dims: match c.is_scalar() {
            true => vec![],
            false => vec![c.dim.clone()],
        },
        dtype: c.values.dtype(),
        chunk: None,
        gzip: false,
        attrs: c.attrs.clone(),
    });
    let data = variables.iter().map(|v| {
        let mut attrs = v.attrs.clone();
        if !scalar_names.is_empty() {
            attrs.push(("coordinates".into(), Attr::Str(scalar_names.join(" "))));
        }
        let chunk = v.array.chunks.largest_block();
        VariableLayout {
            name: name_of(v),
            dims: v.dims.clone(),
            dtype: v.array.dtype,
            chunk: (!chunk.is_empty()).then_some(chunk),
            gzip,
            attrs,
        }
    });
    let layout = FileLayout {
        dims: ds
            .dims
            .iter()
            .map(|(name, len)| DimHeader {
                name: name.clone(),
                len: *len,
                unlimited: ds.unlimited.contains(name),
            })
            .collect(),
        attrs: ds.attrs.clone(),
        variables: coordinates.chain(data).collect(),
    };
    let writer = crate::io::format(FileFormat::NetCdf)
        .create(path, &layout)
        .map_err(&fail)?;
    for c in &ds.coords {
        let (start, values) = match c.is_scalar() {
            true => (vec![], c.values.clone().reshape(&[])),
            false => (vec![0], c.values.clone()),
        };
        writer.write(&c.name, &start, &values).map_err(&fail)?;
    }
    for v in variables {
        let name = name_of(v);
        stream(&v.array, &|start, block| writer.write(&name, start, block))?;
    }
    writer.finish().map_err(fail)
}
