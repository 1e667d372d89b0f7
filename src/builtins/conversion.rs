//! Between labelled values and frames: `x.to_frame()` / `ds.to_frame()` (xarray's
//! `to_dataframe().reset_index()`: a column per dimension, then the values), and
//! `df.to_dataset(index=[…])` (pandas' `set_index(…).to_xarray()`: the index columns' distinct
//! values become the dimensions' coordinates, the other columns variables, NaN where a
//! combination has no row). Both hold the whole table in memory, as pandas does, and are
//! computed when run.

use crate::array::build;
use crate::array::chunk::ChunkData;
use crate::array::dtype::DType;
use crate::dataset::{Coord, Dataset, Labelled, Subject};
use crate::diagnostic::Diagnostic;
use crate::eval::builtin::Args;
use crate::eval::interpreter::{Eval, Interpreter};
use crate::eval::kinds::frame::frame_value;
use crate::eval::value::{Type, Value};
use crate::frame::{ColType, Frame};
use crate::io::layout::Attr;
use ndarray::{ArrayD, IxDyn};
use polars::prelude as pl;
use polars::prelude::NamedFrom;
use std::sync::Arc;

/// The values to put in a frame: variables over the dimensions `dims` (with lengths).
struct Table {
    dims: Vec<(String, usize)>,
    coords: Vec<Arc<Coord>>,
    variables: Vec<(String, Labelled)>,
}

fn table(args: &Args) -> Eval<Table> {
    match super::datasets::subject_of(args) {
        Subject::Labelled(l) => {
            let name = match args.value(0) {
                Value::None => l.name.clone(),
                _ => Some(args.str(0)?.to_string()),
            };
            let Some(name) = name else {
                return Err(args.rejected(
                    "flow::check::missing_argument",
                    "the labelled array has no name to call its column".into(),
                    0,
                    "x.to_frame(name=\"sst\")",
                ));
            };
            let dims = l
                .dims
                .iter()
                .cloned()
                .zip(l.array.shape.iter().copied())
                .collect();
            Ok(Table {
                dims,
                coords: l.coords.clone(),
                variables: vec![(name, l)],
            })
        }
        Subject::Dataset(ds) => Ok(Table {
            dims: ds.dims.clone(),
            coords: ds.coords.clone(),
            variables: ds
                .variables
                .iter()
                .map(|v| (v.name.clone().unwrap_or_default(), v.clone()))
                .collect(),
        }),
    }
}

/// A coordinate's values as a column of `rows` rows, each value repeated `inner` times and the
/// whole repeated to fill (row-major order of the dimensions). Times are datetimes.
fn coordinate_column(
    name: &str,
    coord: Option<&Coord>,
    n: usize,
    inner: usize,
    rows: usize,
) -> pl::Column {
    let index = |i: usize| (i / inner) % n.max(1);
    let pname: pl::PlSmallStr = name.into();
    let Some(coord) = coord else {
        let values: Vec<i64> = (0..rows).map(|i| index(i) as i64).collect();
        return pl::Series::new(pname, values).into();
    };
    let values = coord.f64_values();
    let gregorian = coord
        .time_units()
        .filter(|u| u.calendar == crate::io::cftime::Calendar::Gregorian);
    if let Some(units) = gregorian {
        let micros: Vec<Option<i64>> = (0..rows)
            .map(|i| {
                let v = values[index(i)];
                (!v.is_nan()).then(|| (units.seconds_of_value(v) * 1e6).round() as i64)
            })
            .collect();
        return pl::Series::new(pname, micros)
            .cast(&pl::DataType::Datetime(pl::TimeUnit::Microseconds, None))
            .expect("i64 to datetime")
            .into();
    }
    if coord.values.dtype().is_float() {
        let floats: Vec<f64> = (0..rows).map(|i| values[index(i)]).collect();
        pl::Series::new(pname, floats).into()
    } else {
        let ints: Vec<i64> = (0..rows).map(|i| values[index(i)] as i64).collect();
        pl::Series::new(pname, ints).into()
    }
}

/// `x.to_frame(name=none)`, `ds.to_frame()`: a row per position of the dimensions (the last
/// varying fastest), a column per dimension (its coordinate, times as datetimes, or positions)
/// and one per variable (broadcast over the dimensions it lacks).
pub fn to_frame(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let table = table(args)?;
    let shape: Vec<usize> = table.dims.iter().map(|(_, n)| *n).collect();
    let dims: Vec<String> = table.dims.iter().map(|(d, _)| d.clone()).collect();
    // Each variable broadcast over all the dimensions, in their order.
    let mut arrays = Vec::new();
    for (name, v) in &table.variables {
        if dims.iter().any(|d| d == name) {
            return Err(args.rejected(
                "flow::check::argument_value",
                format!("variable `{name}` has the name of a dimension, which is a column too"),
                0,
                "rename it first: rename({old: \"new\"})",
            ));
        }
        let lined = crate::dataset::expand(v, &dims, args.call)?;
        arrays.push(crate::array::rearrange::broadcast_to(
            &lined, &shape, args.call,
        )?);
    }
    if interpreter.is_checking() {
        return Ok(Value::Unknown(Type::Frame));
    }
    let rows: usize = shape.iter().product();
    let mut columns = Vec::new();
    let mut schema = Vec::new();
    let mut inner = rows;
    for (dim, n) in &table.dims {
        inner /= (*n).max(1);
        let coord = table
            .coords
            .iter()
            .find(|c| c.dim == *dim && !c.is_scalar());
        let column = coordinate_column(dim, coord.map(|c| &**c), *n, inner, rows);
        schema.push((dim.clone(), ColType::of(column.dtype())));
        columns.push(column);
    }
    // Every variable in one run (they may read the same files).
    let computed = interpreter.compute_arrays(&arrays)?;
    for ((name, _), array) in table.variables.iter().zip(&computed) {
        let (series, ty) = super::frames::array_series(name.as_str().into(), array);
        schema.push((name.clone(), ty));
        columns.push(series.into());
    }
    let frame = pl::DataFrame::new_infer_height(columns)
        .map_err(|e| args.rejected("flow::check::argument_value", e.to_string(), 0, ""))?;
    Ok(frame_value(Frame::of_rows(schema, frame, args.call)))
}

fn refused(args: &Args, message: String, help: &str) -> Box<Diagnostic> {
    args.rejected("flow::check::argument_value", message, 0, help)
}

/// The dimensions the index columns make: their names, lengths, each row's flat position, and
/// each one's distinct values (with whether they are times or ints).
struct Dimensions {
    dims: Vec<String>,
    sizes: Vec<usize>,
    positions: Vec<usize>,
    coord_values: Vec<(String, Vec<f64>, bool, bool)>,
}

fn dimensions(args: &Args, rows: &pl::DataFrame, index: &[String]) -> Eval<Dimensions> {
    let height = rows.height();
    // The dimensions: each index column's distinct values, and each row's position along them.
    let mut dims = Vec::new();
    let mut positions = vec![0usize; height];
    let mut stride = 1usize;
    let mut sizes = Vec::new();
    let mut coord_values = Vec::new();
    for name in index.iter().rev() {
        let column = rows
            .column(name)
            .expect("checked")
            .as_materialized_series()
            .clone();
        let is_time = matches!(
            column.dtype(),
            pl::DataType::Datetime(..) | pl::DataType::Date
        );
        let numbers = column
            .cast(&if is_time {
                pl::DataType::Datetime(pl::TimeUnit::Microseconds, None)
            } else {
                pl::DataType::Float64
            })
            .and_then(|s| s.cast(&pl::DataType::Float64))
            .map_err(|_| {
                refused(
                    args,
                    format!("index column `{name}` is not numbers or times"),
                    "index by numeric or date columns",
                )
            })?;
        let values: Vec<f64> = numbers
            .f64()
            .expect("f64")
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        let mut distinct: Vec<f64> = values.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        for (p, v) in positions.iter_mut().zip(&values) {
            let k = distinct
                .binary_search_by(|d| d.total_cmp(v))
                .expect("a distinct value");
            *p += k * stride;
        }
        stride *= distinct.len().max(1);
        sizes.push(distinct.len());
        coord_values.push((name.clone(), distinct, is_time, column.dtype().is_integer()));
        dims.push(name.clone());
    }
    dims.reverse();
    sizes.reverse();
    coord_values.reverse();
    Ok(Dimensions {
        dims,
        sizes,
        positions,
        coord_values,
    })
}

/// `df.to_dataset(index=["lat", "lon"])`: the index columns' distinct values (sorted) become
/// dimensions with those coordinates, every other numeric column a variable over them (NaN
/// where a combination has no row); a combination in two rows is refused, as pandas refuses a
/// duplicated index. Datetime columns become times in seconds since 1970-01-01.
pub fn to_dataset(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Some(Value::Frame(frame)) = &args.receiver else {
        unreachable!("called on frames")
    };
    let frame = frame.clone();
    let Some(index) = args.names(0, "a column name or a list of them")? else {
        return Err(refused(
            args,
            "to_dataset needs the index columns".into(),
            "df.to_dataset(index=[\"lat\", \"lon\"])",
        ));
    };
    for name in &index {
        frame.check_column(name, args.spans[0])?;
    }
    if interpreter.is_checking() {
        return Ok(Value::Unknown(Type::Dataset));
    }
    let rows = interpreter.frame_rows(&frame)?;
    let Dimensions {
        dims,
        sizes,
        positions,
        coord_values,
    } = dimensions(args, &rows, &index)?;
    let cells: usize = sizes.iter().product();
    let mut seen = vec![false; cells];
    if let Some(row) = positions
        .iter()
        .position(|&p| std::mem::replace(&mut seen[p], true))
    {
        return args.value_error(
            interpreter,
            "flow::eval::duplicate_index",
            format!("row {row} has the same index values as an earlier row"),
            "aggregate them first: df.groupby([…]).mean(), or index by more columns",
        );
    }
    let coords: Vec<Arc<Coord>> = coord_values
        .into_iter()
        .map(|(name, values, is_time, integer)| {
            let (values, attrs) = if is_time {
                let seconds: Vec<f64> = values.iter().map(|v| v / 1e6).collect();
                (
                    seconds,
                    vec![(
                        "units".to_string(),
                        Attr::Str("seconds since 1970-01-01".into()),
                    )],
                )
            } else {
                (values, Vec::new())
            };
            let chunk = ChunkData::F64(
                ArrayD::from_shape_vec(IxDyn(&[values.len()]), values).expect("1-d"),
            );
            Arc::new(Coord {
                name: name.clone(),
                dim: name,
                values: if integer {
                    chunk.into_dtype(DType::I64)
                } else {
                    chunk
                },
                attrs,
            })
        })
        .collect();
    let mut variables = Vec::new();
    for column in rows.columns() {
        let name = column.name().to_string();
        if index.contains(&name) {
            continue;
        }
        let series = column.as_materialized_series();
        let Ok(floats) = series.cast(&pl::DataType::Float64) else {
            continue;
        };
        if !(series.dtype().is_primitive_numeric() || series.dtype() == &pl::DataType::Boolean) {
            continue;
        }
        let mut values = vec![f64::NAN; cells];
        for (p, v) in positions.iter().zip(floats.f64().expect("f64").iter()) {
            values[*p] = v.unwrap_or(f64::NAN);
        }
        let complete = seen.iter().all(|s| *s) && series.null_count() == 0;
        let dtype = if series.dtype().is_integer() && complete {
            DType::I64
        } else {
            DType::F64
        };
        let chunk = ChunkData::F64(ArrayD::from_shape_vec(IxDyn(&sizes), values).expect("shape"))
            .into_dtype(dtype);
        let array = build::in_memory(chunk, args.call);
        let mut l = Labelled::new(array, dims.clone());
        l.coords = coords.clone();
        l.name = Some(name);
        variables.push(l);
    }
    Ok(Value::Dataset(Arc::new(Dataset::from_variables(
        variables,
        Vec::new(),
        &coords,
    ))))
}
