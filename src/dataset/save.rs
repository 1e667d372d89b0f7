//! Writing a dataset as a netCDF-4 file: its dimensions, attributes and coordinates, then each
//! variable's blocks as they are computed (the caller streams them; nothing is held whole).

use super::{Dataset, Labelled};
use crate::array::chunk::ChunkData;
use crate::array::node::ArrayRef;
use crate::io::netcdf::{Attr, Writer};
use std::path::Path;

/// Writes one block of a variable, at its start.
pub type BlockWriter<'a> = dyn Fn(&[usize], &ChunkData) -> Result<(), String> + Sync + 'a;

/// Write `ds` at `path`; `stream` computes an array and hands each of its blocks to the writer
/// it is given; `fail` makes the caller's error of a writing failure.
pub fn write_netcdf<E>(
    ds: &Dataset,
    path: &Path,
    gzip: bool,
    stream: &mut dyn for<'a> FnMut(&ArrayRef, &BlockWriter<'a>) -> Result<(), E>,
    fail: impl Fn(String) -> E,
) -> Result<(), E> {
    let fail = |m: String| fail(m);
    let writer = Writer::create(path).map_err(fail)?;
    for (dim, n) in &ds.dims {
        writer
            .add_dimension(dim, *n, ds.unlimited.contains(dim))
            .map_err(fail)?;
    }
    for (key, value) in &ds.attrs {
        writer.add_attribute(None, key, value).map_err(fail)?;
    }
    for c in &ds.coords {
        // A scalar coordinate is a 0-d variable the data variables name in `coordinates`.
        let (dims, start, values) = if c.is_scalar() {
            (vec![], vec![], c.values.clone().reshape(&[]))
        } else {
            (vec![c.dim.clone()], vec![0], c.values.clone())
        };
        writer
            .add_variable(&c.name, &dims, c.values.dtype(), None, false)
            .map_err(fail)?;
        for (key, value) in &c.attrs {
            writer
                .add_attribute(Some(&c.name), key, value)
                .map_err(fail)?;
        }
        writer.write(&c.name, &start, &values).map_err(fail)?;
    }
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
    for v in &variables {
        let name = v.name.as_deref().unwrap_or("x");
        let chunk = v.array.chunks.largest_block();
        let chunk = (!chunk.is_empty()).then_some(chunk);
        writer
            .add_variable(name, &v.dims, v.array.dtype, chunk.as_deref(), gzip)
            .map_err(fail)?;
        for (key, value) in &v.attrs {
            writer.add_attribute(Some(name), key, value).map_err(fail)?;
        }
        if !scalar_names.is_empty() {
            let names = Attr::Str(scalar_names.join(" "));
            writer
                .add_attribute(Some(name), "coordinates", &names)
                .map_err(fail)?;
        }
    }
    for v in variables {
        let name = v.name.as_deref().unwrap_or("x");
        stream(&v.array, &|start, block| writer.write(name, start, block))?;
    }
    writer.close().map_err(fail)
}
