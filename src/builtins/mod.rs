//! The language's builtin functions and methods: the one table of them (signature, a one-line
//! summary, an example, the implementation), given to every interpreter as its [`LIBRARY`]. The
//! REPL's `:help`, docs/builtins.md and a test that runs every example all read this table.
//! Each area's implementations sit beside it: `arrays`, `datasets`, `frames`, `files`,
//! `pictures`; the general ones (`print`, `len`, `range`, …) below.

pub mod arrays;
pub mod blocks;
pub mod combining;
pub mod conversion;
pub mod datasets;
pub mod files;
pub mod frames;
pub mod groupings;
pub mod interpolation;
pub mod pictures;

use crate::array::node::{Reduction, Scan};
use crate::diagnostic::Diagnostic;
use crate::eval::builtin::{Args, Builtin, Library, Receiver};
use crate::eval::format::format_value;
use crate::eval::interpreter::{Eval, Interpreter, CHECK_MAX_MATERIALISED};
use crate::eval::operators::{self, compare};
use crate::eval::value::{Type, Value};
use crate::frame::expr::Agg;
use std::cmp::Ordering;
use std::sync::{LazyLock, OnceLock};

/// The library every interpreter is given.
pub static LIBRARY: LazyLock<Library> = LazyLock::new(|| Library::new(table(), CONSTANTS));

macro_rules! builtin {
    ($name:literal $params:literal, $category:literal, $summary:literal, $example:literal => $output:literal,
     returns $returns:expr, $run:expr) => {
        Builtin {
            name: $name,
            receiver: None,
            params: $params,
            category: $category,
            summary: $summary,
            example: $example,
            example_output: $output,
            returns: $returns,
            effects: false,
            blocking: false,
            run: $run,
        }
    };
}

/// The entries written out; [`table`] adds those made from rows (reductions, aggregations).
static WRITTEN: &[Builtin] = &[
    Builtin {
        effects: true,
        ..builtin!("print" "(*values, sep=\" \", end=\"\\n\")", "core",
        "Print values (computing lazy ones) separated by `sep`, followed by `end`.",
        "print(\"mean\", 0.5)" => "mean 0.5", returns Type::None, print)
    },
    builtin!("len" "(x)", "core", "Number of items of a list, tuple, record or string.",
        "len([1, 2, 3])" => "3", returns Type::Int, len),
    builtin!("range" "(start, stop=none, step=1)", "core",
        "The list of ints from `start` (or 0) up to but not including `stop`, by `step`.",
        "range(2, 10, 3)" => "[2, 5, 8]", returns Type::Any, range),
    builtin!("sum" "(values, start=0, axis=none, keepdims=false)", "core", "Sum of the items (compensated, so float sums do not drift); of arrays or labelled arrays, their lazy elementwise sum.",
        "sum([0.1] * 10)" => "1.0", returns Type::Any, sum),
    builtin!("min" "(*values, axis=none, keepdims=false)", "core", "Smallest item: `min(xs)` or `min(a, b, …)`; of arrays or labelled arrays, the elementwise minimum (NaN wins).",
        "min(3, 1, 2)" => "1", returns Type::Any, min),
    builtin!("max" "(*values, axis=none, keepdims=false)", "core", "Largest item: `max(xs)` or `max(a, b, …)`; of arrays or labelled arrays, the elementwise maximum (NaN wins).",
        "max([3, 1, 2])" => "3", returns Type::Any, max),
    builtin!("abs" "(x)", "core", "Absolute value.", "abs(-2.5)" => "2.5", returns Type::Any, abs),
    builtin!("round" "(x, digits=none)", "core",
        "Round half to even; an int without `digits`, a float with them. Of an array, NumPy's `round(x, decimals)`: `rint(x * 10**d) / 10**d`, integers kept (rounded to tens, hundreds for negative `digits`).",
        "(round(2.5), round(3.14159, 2))" => "(2, 3.14)", returns Type::Any, round),
    builtin!("str" "(x)", "core", "The value as text, as `print` shows it.", "str(1.5) + \"!\"" => "\"1.5!\"", returns Type::Str, to_str),
    builtin!("repr" "(x)", "core", "The value as flow source text (strings quoted).", "repr(\"a\")" => "\"\\\"a\\\"\"", returns Type::Str, repr),
    builtin!("int" "(x)", "core", "Convert a float (truncating), bool or numeric string to an int.",
        "int(\"42\") + int(2.9)" => "44", returns Type::Int, to_int),
    builtin!("float" "(x)", "core", "Convert an int, bool or numeric string to a float.",
        "float(\"1e-3\")" => "0.001", returns Type::Float, to_float),
    builtin!("format" "(value, spec=\"\")", "core",
        "Format a value by a spec, as in f-strings: `.3f`, `>8`, `,d`, `.1%`, `.2e`.",
        "format(1234567.891, \",.2f\")" => "\"1,234,567.89\"", returns Type::Str, format),
    builtin!("type_of" "(x)", "core", "The name of the value's type.", "type_of((1, \"a\"))" => "\"tuple\"", returns Type::Str, type_of),
    builtin!("zip" "(*sequences)", "core", "Tuples of the i-th items of each sequence, as long as the shortest.",
        "zip([1, 2], [\"a\", \"b\"])" => "[(1, \"a\"), (2, \"b\")]", returns Type::Any, zip),
    builtin!("enumerate" "(sequence, start=0)", "core", "Pairs `(index, item)`.",
        "enumerate([\"a\", \"b\"])" => "[(0, \"a\"), (1, \"b\")]", returns Type::Any, enumerate),
    builtin!("sorted" "(sequence, reverse=false)", "core", "The items in ascending (or descending) order.",
        "sorted([3, 1, 2], reverse=true)" => "[3, 2, 1]", returns Type::Any, sorted),
    builtin!("reversed" "(sequence)", "core", "The items in reverse order, as a list.",
        "reversed((1, 2, 3))" => "[3, 2, 1]", returns Type::Any, reversed),
    builtin!("list" "(sequence)", "core", "The items of a tuple, string or record (its keys) as a list.",
        "list(\"abc\")" => "[\"a\", \"b\", \"c\"]", returns Type::Any, list),
    builtin!("any" "(values, axis=none, keepdims=false)", "core", "Is any item true? (bools only)", "any([false, true])" => "true", returns Type::Bool, any),
    builtin!("all" "(values, axis=none, keepdims=false)", "core", "Are all items true? (bools only)", "all([x > 0 for x in [1, 2]])" => "true", returns Type::Bool, all),
    Builtin {
        effects: true,
        ..builtin!("compute" "(*values)", "core",
        "Force lazy values, computing shared parts once: one value, or a tuple of several.",
        "lo, hi = compute(1 + 1, 2 * 3); hi - lo" => "4", returns Type::Any, arrays::compute)
    },
    Builtin {
        effects: true,
        ..builtin!("error" "(message)", "core",
        "Stop with a runtime error carrying `message` and the call chain.",
        "fn safe_div(a, b) = if b == 0 then error(\"b is zero\") else a / b; safe_div(1, 4)" => "0.25",
        returns Type::Any, error)
    },
    Builtin {
        effects: true,
        ..builtin!("assert" "(condition, message=\"assertion failed\")", "core",
        "Stop with an error unless `condition` is true.",
        "assert(1 + 1 == 2, \"arithmetic\")" => "", returns Type::None, assert)
    },
    Builtin {
        effects: true,
        blocking: true,
        ..builtin!("sleep" "(seconds)", "core",
        "Wait (to reproduce slow tasks in examples and benchmarks).",
        "sleep(0.01)" => "", returns Type::None, sleep)
    },
    builtin!("sqrt" "(x)", "math", "Square root.", "sqrt(2.0)" => "1.4142135623730951", returns Type::Any, |i, a| math(i, a, f64::sqrt)),
    builtin!("exp" "(x)", "math", "e to the power x.", "exp(1)" => "2.718281828459045", returns Type::Any, |i, a| math(i, a, f64::exp)),
    builtin!("log" "(x)", "math", "Natural logarithm.", "log(exp(2))" => "2.0", returns Type::Any, |i, a| math(i, a, f64::ln)),
    builtin!("log10" "(x)", "math", "Base-10 logarithm.", "log10(1000)" => "3.0", returns Type::Any, |i, a| math(i, a, f64::log10)),
    builtin!("sin" "(x)", "math", "Sine (radians).", "sin(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::sin)),
    builtin!("cos" "(x)", "math", "Cosine (radians).", "cos(pi)" => "-1.0", returns Type::Any, |i, a| math(i, a, f64::cos)),
    builtin!("tan" "(x)", "math", "Tangent (radians).", "tan(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::tan)),
    builtin!("floor" "(x)", "math", "Largest whole number not above x (a float).", "floor(-1.5)" => "-2.0", returns Type::Any, |i, a| math(i, a, f64::floor)),
    builtin!("ceil" "(x)", "math", "Smallest whole number not below x (a float).", "ceil(1.2)" => "2.0", returns Type::Any, |i, a| math(i, a, f64::ceil)),
    builtin!("isnan" "(x)", "math", "Is x not-a-number?", "isnan(nan)" => "true", returns Type::Any, isnan),
    builtin!("tanh" "(x)", "math", "Hyperbolic tangent.", "tanh(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::tanh)),
    builtin!("sinh" "(x)", "math", "Hyperbolic sine.", "sinh(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::sinh)),
    builtin!("cosh" "(x)", "math", "Hyperbolic cosine.", "cosh(0)" => "1.0", returns Type::Any, |i, a| math(i, a, f64::cosh)),
    builtin!("arcsinh" "(x)", "math", "Inverse hyperbolic sine.", "arcsinh(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::asinh)),
    builtin!("arccosh" "(x)", "math", "Inverse hyperbolic cosine.", "arccosh(1)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::acosh)),
    builtin!("arctanh" "(x)", "math", "Inverse hyperbolic tangent.", "arctanh(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::atanh)),
    builtin!("log2" "(x)", "math", "Base-2 logarithm.", "log2(8)" => "3.0", returns Type::Any, |i, a| math(i, a, f64::log2)),
    builtin!("log1p" "(x)", "math", "log(1 + x), accurate for small x.", "log1p(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::ln_1p)),
    builtin!("expm1" "(x)", "math", "exp(x) - 1, accurate for small x.", "expm1(0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::exp_m1)),
    builtin!("exp2" "(x)", "math", "2 to the power x.", "exp2(10)" => "1024.0", returns Type::Any, |i, a| math(i, a, f64::exp2)),
    builtin!("cbrt" "(x)", "math", "Cube root.", "cbrt(27)" => "3.0", returns Type::Any, |i, a| math(i, a, f64::cbrt)),
    builtin!("trunc" "(x)", "math", "The whole part of x, towards zero (a float; integer arrays stay integers).", "trunc(-1.5)" => "-1.0", returns Type::Any, |i, a| math(i, a, f64::trunc)),
    builtin!("rint" "(x)", "math", "The nearest whole number, halves to even (a float, also of integers, as NumPy's).", "print(rint(array([0.5, 1.5, -2.5])))" => "[ 0.  2. -2.]", returns Type::Any, |i, a| math(i, a, f64::round_ties_even)),
    builtin!("square" "(x)", "math", "x * x (integer arrays stay integers).", "print(square(array([2, -3])))" => "[4 9]", returns Type::Any, |i, a| math(i, a, |x| x * x)),
    builtin!("sign" "(x)", "math", "-1, 0 or 1 by the sign of x (NaN stays NaN).", "print(sign(array([-2.5, 0.0, 3.0])))" => "[-1.  0.  1.]", returns Type::Any, |i, a| math(i, a, |x| if x.is_nan() { x } else if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 })),
    builtin!("isfinite" "(x)", "math", "Is x neither infinite nor NaN?", "print(isfinite(array([1.0, inf, nan])))" => "[ true false false]", returns Type::Any, |i, a| test(i, a, f64::is_finite)),
    builtin!("isinf" "(x)", "math", "Is x infinite?", "print(isinf(array([1.0, -inf, nan])))" => "[false  true false]", returns Type::Any, |i, a| test(i, a, f64::is_infinite)),
    Builtin {
        effects: true,
        ..builtin!("submit" "(value)", "jobs",
        "Start computing `value` in the background and return a job at once (seed 003's futures).",
        "f = submit(ones(10).sum()); print(result(f))" => "10.0", returns Type::Any, crate::eval::jobs::submit)
    },
    Builtin {
        effects: true,
        ..builtin!("result" "(job)", "jobs", "Wait for a job and return its value (or raise its error).",
        "print(result(submit(arange(4).max())))" => "3", returns Type::Any, crate::eval::jobs::result)
    },
    Builtin {
        effects: true,
        ..builtin!("cancel" "(job)", "jobs", "Stop a running job; `result` then reports it was interrupted.",
        "f = submit(ones(10).sum()); cancel(f)" => "", returns Type::None, crate::eval::jobs::cancel)
    },
    Builtin {
        effects: true,
        ..builtin!("plot" "(value, path=none, title=\"\", xlabel=\"\", ylabel=\"\", size=(800, 500), vmin=none, vmax=none, cmap=\"viridis\", x=none, y=none, kind=\"line\")", "pictures",
        "Draw to PNG or SVG: a 1-d array as a line, a histogram's (counts, edges) as bars, a 2-d array as a heat map with a colour bar. Without a path (in a notebook) the picture shows under the cell.",
        "plot(histogram(random.normal(size=1000, seed=1), bins=20, range=(-4, 4)), \"target/example-plot.svg\", title=\"normal\")" => "",
        returns Type::None, pictures::plot)
    },
    Builtin {
        effects: true,
        ..builtin!("save_image" "(frame, path, cmap=\"grey\")", "pictures",
        "Write a 2-d array as a PNG, one pixel per value, scaled min → 0 to max → 255 (the seeds' scale).",
        "save_image(ones((4, 4)) * arange(4), \"target/example-image.png\")" => "", returns Type::None, pictures::save_image)
    },
    builtin!("open_dataset" "(path, chunks=none)", "datasets",
        "A netCDF file as a lazy dataset: variables with named dimensions, coordinates and attributes, read block by block (CF fill values, scale and offset applied). `chunks` by dimension name: `{time: 30}`.",
        "ds = open_dataset(\"tests/data/ssh_small.nc\"); ds.adt.dims" => "(\"time\", \"lat\", \"lon\")",
        returns Type::Dataset, datasets::open_dataset),
    builtin!("open_mfdataset" "(paths, chunks=none, concat_dim=none)", "datasets",
        "Many netCDF files (a pattern, sorted) as one lazy dataset, concatenated along their unlimited dimension (or `concat_dim`); the other coordinates must agree. Only headers and coordinates are read.",
        "open_mfdataset(\"tests/data/ssh/*.nc\").sizes" => "{time: 3, lat: 4, lon: 5}",
        returns Type::Dataset, datasets::open_mfdataset),
    builtin!("label" "(values, dims, coords=none, attrs=none, name=none)", "datasets",
        "An array with named dimensions (xarray's DataArray): `coords` by dimension name (1-d values known before running), `attrs` a record.",
        "label(linspace(0, 1, 3), \"x\", coords={x: [10, 20, 30]}).sel(x=20).values.compute()" => "0.5",
        returns Type::Array, datasets::label),
    builtin!("concat" "(objs, dim)", "datasets",
        "Labelled arrays (or datasets, variable by variable) joined along `dim`, as xarray's `concat`: an existing dimension, whose coordinate values are joined too, or a new first one (its coordinate made of their scalar coordinates `dim`, as `x.isel(time=0)` leaves). Other dimensions and coordinates must agree; the attributes are the first's.",
        "x = label(arange(3) * 1.0, \"t\", coords={t: [0, 1, 2]}); concat([x, x + 10], \"t\").t.values.compute()" => "[0 1 2 0 1 2]",
        returns Type::Any, combining::concat),
    builtin!("merge" "(objs)", "datasets",
        "Datasets and named labelled arrays as one dataset, as xarray's `merge`: every variable once (one in several values must be the same), shared dimensions and coordinates agreeing; the attributes are the first dataset's.",
        "a = label(ones(3), \"x\", name=\"a\"); b = label(zeros(3), \"x\", name=\"b\"); merge([a, b]).data_vars" => "[\"a\", \"b\"]",
        returns Type::Dataset, combining::merge),
    builtin!("dataset" "(variables, attrs=none)", "datasets",
        "Labelled arrays by name as one dataset (shared dimensions must agree in length and coordinates).",
        "dataset({a: label(ones(3), \"x\"), b: label(zeros((2, 3)), (\"t\", \"x\"))}).sizes" => "{x: 3, t: 2}",
        returns Type::Dataset, datasets::make_dataset),
    builtin!("slice" "(start=none, stop=none, step=none)", "datasets",
        "A range for `isel` (positions) or `sel` (coordinate values or dates, both ends included).",
        "slice(0, 10)" => "slice(0, 10, none)", returns Type::Any, datasets::slice),
    Builtin {
        ..builtin!("read_csv" "(paths, separator=\",\", null_values=none, dtypes=none, columns=none, blocksize=none)", "dataframes", "A lazy dataframe over CSV files (a pattern: one partition per file, files larger than `blocksize` — 64MB unless given, bytes or \"16MB\" — split in blocks at line ends). The schema comes from every file's header and sampled rows, unified across files (integers and floats make floats; a column missing in early files takes the type later files show); `dtypes={col: \"str\"}` overrides; pandas' missing-value strings (NA, empty, NaN, …) read as missing unless `null_values` is given.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.schema" => "{Year: \"i64\", Origin: \"str\", DepDelay: \"f64\", TailNum: \"str\", Cancelled: \"i64\"}", returns Type::Frame, frames::read_csv)
    },
    Builtin {
        ..builtin!("read_parquet" "(paths, columns=none)", "dataframes", "A lazy dataframe over Parquet files (a pattern: one partition per file); the schema from their metadata.",
        "save(read_csv(\"tests/data/flights/*.csv\"), \"target/example.parquet\"); len(read_parquet(\"target/example.parquet\"))" => "12", returns Type::Frame, frames::read_parquet)
    },
    builtin!("frame" "(columns)", "dataframes",
        "A computed frame from columns: lists of numbers, strings or bools (none for missing), 1-d arrays (NaN for missing) or other frames' columns, of equal length.",
        "frame({station: [\"a\", \"b\", \"a\"], rain: [1.5, 22.0, none]}).groupby(\"station\").rain.max().rows()" => "[(\"a\", 1.5), (\"b\", 22.0)]",
        returns Type::Frame, frames::make_frame),
    Builtin {
        ..builtin!("col" "(name)", "dataframes", "A column, for expressions: `col(\"DepDelay\") > 20`, `col(\"a\") + col(\"b\")`.",
        "col(\"DepDelay\") > 20" => "(col(\"DepDelay\") > 20)", returns Type::Any, frames::col)
    },
    Builtin {
        ..builtin!("concat_frames" "(frames)", "dataframes", "Frames one after another (same columns; types unify).",
        "df = read_csv(\"tests/data/flights/*.csv\"); len(concat_frames([df, df]))" => "24", returns Type::Frame, frames::concat)
    },
    Builtin {
        ..builtin!("count" "(column)", "dataframes", "An aggregation: the number of non-missing values of a column (for `agg` and `select`).",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.groupby(\"Origin\").agg(count(\"DepDelay\")).columns" => "[\"Origin\", \"DepDelay\"]", returns Type::Any, |i, a| frames::aggregation_function(i, a))
    },
    Builtin {
        ..builtin!("n_unique" "(column)", "dataframes", "An aggregation: the number of distinct values of a column.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.select(n_unique(\"Origin\")).rows()" => "[(3,)]", returns Type::Any, |i, a| frames::aggregation_function(i, a))
    },
    Builtin {
        ..builtin!("first" "(column)", "dataframes", "An aggregation: the first value of a column in each group.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.groupby(\"Origin\").agg(first(\"Year\")).schema" => "{Origin: \"str\", Year: \"i64\"}", returns Type::Any, |i, a| frames::aggregation_function(i, a))
    },
    Builtin {
        ..builtin!("last" "(column)", "dataframes", "An aggregation: the last value of a column in each group.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.groupby(\"Origin\").agg(last(\"Year\")).schema" => "{Origin: \"str\", Year: \"i64\"}", returns Type::Any, |i, a| frames::aggregation_function(i, a))
    },
    builtin!("glob" "(pattern)", "files",
        "The paths matching a pattern (`*`, `?`, `[0-9]`), sorted, relative to the script's directory as the pattern is; a pattern matching nothing is an error.",
        "glob(\"tests/data/ssh/day_*.nc\")" => "[\"tests/data/ssh/day_0.nc\", \"tests/data/ssh/day_1.nc\", \"tests/data/ssh/day_2.nc\"]",
        returns Type::Any, files::glob),
    builtin!("read_hdf5" "(path, dataset, chunks=none)", "files",
        "A lazy array over an HDF5 dataset, read one block per task; a pattern (`data/*.h5`) stacks the files it matches along a new first axis. Chunks default to the on-disk chunks, grown toward 64 MiB.",
        "save(arange(6), \"target/example-read.h5\"); print(read_hdf5(\"target/example-read.h5\", \"x\").sum())" => "15",
        returns Type::Array, files::read_hdf5),
    Builtin {
        effects: true,
        ..builtin!("save" "(x, path, name=\"x\", compression=none, unlimited=none, partitioned=false, format=none, overwrite=false)", "files",
        "Write an array to an HDF5 file chunk by chunk as it is computed (never whole in memory), into a temporary file renamed into place; `compression=\"gzip\"`. A frame goes to Parquet or CSV by the path's extension (or `format=`): one file, or with `partitioned=true` a directory of one file per partition (`part.0.parquet`, …), each written as soon as it is computed. A directory is written over only when a partitioned save made it and `overwrite=true`; `-` is standard output (CSV).",
        "save(ones((4, 4)), \"target/example-save.h5\", name=\"grid\")" => "", returns Type::None, files::save)
    },
    // ---- arrays
    builtin!("ones" "(shape, dtype=none, chunks=\"auto\")", "arrays", "A lazy array of ones (f64 unless `dtype` says otherwise).",
        "print(ones((2, 3), chunks=2))" => "[[1. 1. 1.]\n [1. 1. 1.]]", returns Type::Array, arrays::ones),
    builtin!("zeros" "(shape, dtype=none, chunks=\"auto\")", "arrays", "A lazy array of zeros.",
        "print(zeros(3, dtype=\"i64\"))" => "[0 0 0]", returns Type::Array, arrays::zeros),
    builtin!("full" "(shape, fill_value, dtype=none, chunks=\"auto\")", "arrays", "A lazy array with every element `fill_value`.",
        "print(full((2,), 7))" => "[7 7]", returns Type::Array, arrays::full),
    builtin!("ones_like" "(a, dtype=none)", "arrays", "Ones with the shape, chunks (and dtype) of `a`.",
        "print(ones_like(arange(3)))" => "[1 1 1]", returns Type::Array, arrays::ones_like),
    builtin!("zeros_like" "(a, dtype=none)", "arrays", "Zeros with the shape, chunks (and dtype) of `a`.",
        "print(zeros_like(arange(3.0)))" => "[0. 0. 0.]", returns Type::Array, arrays::zeros_like),
    builtin!("arange" "(start, stop=none, step=1, dtype=none, chunks=\"auto\")", "arrays",
        "Evenly spaced values in [start, stop) (or [0, start)); ints if all arguments are ints.",
        "print(arange(1, 10, 3))" => "[1 4 7]", returns Type::Array, arrays::arange),
    builtin!("linspace" "(start, stop, num=50, chunks=\"auto\")", "arrays", "`num` evenly spaced values from `start` to `stop` inclusive.",
        "print(linspace(0, 1, 5))" => "[0.   0.25 0.5  0.75 1.  ]", returns Type::Array, arrays::linspace),
    builtin!("array" "(values, dtype=none, chunks=\"auto\")", "arrays", "An array from (nested) lists of numbers; a list of lazy arrays (such as `x.sum()` results) is stacked along a new first axis.",
        "print(array([[1, 2], [3, 4]]).T)" => "[[1 3]\n [2 4]]", returns Type::Array, arrays::array),
    builtin!("random.normal" "(loc=0.0, scale=1.0, size=none, chunks=\"auto\", seed=none)", "arrays",
        "Normal samples; the same values whatever the chunking or threads (counter-based, keyed by element index).",
        "random.normal(size=1e6, chunks=1e5, seed=1).shape" => "(1000000,)", returns Type::Array, arrays::random_normal),
    builtin!("random.uniform" "(low=0.0, high=1.0, size=none, chunks=\"auto\", seed=none)", "arrays", "Uniform samples on [low, high).",
        "print(random.uniform(size=1000, seed=3).max() < 1.0)" => "true", returns Type::Array, arrays::random_uniform),
    builtin!("random.integers" "(low, high, size=none, chunks=\"auto\", seed=none)", "arrays", "Uniform integers on [low, high).",
        "print(random.integers(0, 10, size=1000, seed=3).min() >= 0)" => "true", returns Type::Array, arrays::random_integers),
    builtin!("where" "(condition, x, y)", "arrays", "Elementwise `x` where `condition` is true, else `y`.",
        "print(where(arange(4) > 1, 1.0, 0.0))" => "[0. 0. 1. 1.]", returns Type::Array, arrays::where_),
    builtin!("clip" "(x, low, high)", "arrays", "Values limited to [low, high].",
        "print(clip(arange(5), 1, 3))" => "[1 1 2 3 3]", returns Type::Array, arrays::clip),
    builtin!("cumsum" "(x, axis=none)", "arrays", "Cumulative sums along `axis` (of the flattened array when none): each chunk continued from the one before, one pass.",
        "print(cumsum(array([[1, 2], [3, 4]]), axis=0))" => "[[1 2]\n [4 6]]", returns Type::Array, |i, a| arrays::scan(i, a, Scan::Sum)),
    builtin!("cumprod" "(x, axis=none)", "arrays", "Cumulative products along `axis` (of the flattened array when none).",
        "print(cumprod(array([1, 2, 3, 4])))" => "[ 1  2  6 24]", returns Type::Array, |i, a| arrays::scan(i, a, Scan::Prod)),
    builtin!("nancumsum" "(x, axis=none)", "arrays", "Cumulative sums counting NaN as 0.",
        "print(nancumsum(array([1.0, nan, 2.0])))" => "[1. 1. 3.]", returns Type::Array, |i, a| arrays::scan(i, a, Scan::NanSum)),
    builtin!("nancumprod" "(x, axis=none)", "arrays", "Cumulative products counting NaN as 1.",
        "print(nancumprod(array([2.0, nan, 3.0])))" => "[2. 2. 6.]", returns Type::Array, |i, a| arrays::scan(i, a, Scan::NanProd)),
    builtin!("diff" "(x, n=1, axis=-1)", "arrays", "Differences of neighbours along `axis`, `n` times (`x[1:] - x[:-1]`).",
        "print(diff(array([1, 4, 9, 16]), n=2))" => "[2 2]", returns Type::Array, arrays::diff),
    builtin!("squeeze" "(x, axis=none)", "arrays", "The length-1 axes (or those named, which must have length 1) taken out.",
        "squeeze(ones((1, 3, 1))).shape" => "(3,)", returns Type::Array, arrays::squeeze),
    builtin!("expand_dims" "(x, axis)", "arrays", "New length-1 axes at the positions `axis` (an int or a tuple) takes in the result.",
        "expand_dims(ones((2, 3)), (0, -1)).shape" => "(1, 2, 3, 1)", returns Type::Array, arrays::expand_dims),
    builtin!("moveaxis" "(x, source, destination)", "arrays", "Axes `source` moved to positions `destination`; the others keep their order.",
        "moveaxis(ones((2, 3, 4)), 0, -1).shape" => "(3, 4, 2)", returns Type::Array, arrays::moveaxis),
    builtin!("swapaxes" "(x, axis1, axis2)", "arrays", "Two axes exchanged.",
        "swapaxes(ones((2, 3, 4)), 0, 2).shape" => "(4, 3, 2)", returns Type::Array, arrays::swapaxes),
    builtin!("flip" "(x, axis=none)", "arrays", "The elements in reverse order along `axis` (all axes when none); the chunks are reversed, nothing is copied until needed.",
        "print(flip(array([[1, 2], [3, 4]]), axis=1))" => "[[2 1]\n [4 3]]", returns Type::Array, arrays::flip),
    builtin!("roll" "(x, shift, axis=none)", "arrays", "Elements shifted along `axis` (one shift, or one per axis), those past the end coming back at the start; the flattened array when no axis.",
        "print(roll(arange(5), 2))" => "[3 4 0 1 2]", returns Type::Array, arrays::roll),
    builtin!("broadcast_to" "(x, shape)", "arrays", "The array repeated along new leading axes and its length-1 axes, as broadcasting does.",
        "print(broadcast_to(array([1, 2]), (2, 2)))" => "[[1 2]\n [1 2]]", returns Type::Array, arrays::broadcast_to),
    builtin!("tile" "(x, reps)", "arrays", "The array repeated `reps` times along each axis (an int, or a tuple per trailing axis; more reps than axes add leading axes).",
        "print(tile(array([1, 2]), 3))" => "[1 2 1 2 1 2]", returns Type::Array, arrays::tile),
    builtin!("repeat" "(x, repeats, axis=none)", "arrays", "Each element `repeats` times in a row along `axis` (of the flattened array when none).",
        "print(repeat(array([1, 2]), 2))" => "[1 1 2 2]", returns Type::Array, arrays::repeat),
    builtin!("pad" "(x, pad_width, mode=\"constant\", constant_values=0)", "arrays", "Elements added before and after along every axis: `pad_width` is a width, a (before, after) pair, or a pair per axis; `mode` is \"constant\" (`constant_values`), \"edge\", \"reflect\", \"symmetric\" or \"wrap\", as NumPy's.",
        "print(pad(array([1, 2, 3]), (2, 1), mode=\"reflect\"))" => "[3 2 1 2 3 2]", returns Type::Array, arrays::pad),
    builtin!("take" "(x, indices, axis=none)", "arrays", "The elements at `indices` (an int or a list of ints, negative from the end, repeats allowed) along `axis` (of the flattened array when none); runs of consecutive indices are one slice each.",
        "print(take(arange(10, chunks=3), [7, 8, 2, 2, -1]))" => "[7 8 2 2 9]", returns Type::Array, arrays::take),
    builtin!("nan_to_num" "(x, nan=0.0, posinf=none, neginf=none)", "arrays", "NaN, +inf and -inf replaced by numbers (by default 0 and the largest and smallest finite values of the dtype); integers stay as they are.",
        "print(nan_to_num(array([nan, inf, 1.0]), posinf=9.0))" => "[0. 9. 1.]", returns Type::Array, arrays::nan_to_num),
    builtin!("reciprocal" "(x)", "arrays", "1 / x of a float array (integers are refused: NumPy's integer reciprocal truncates).",
        "print(reciprocal(array([2.0, 4.0])))" => "[0.5  0.25]", returns Type::Array, arrays::reciprocal),
    builtin!("diagonal" "(x, offset=0, axis1=0, axis2=1)", "arrays", "The elements x[i, i + offset] of two axes, as a new last axis (NumPy's diagonal).",
        "print(diagonal(arange(9).reshape(3, 3), offset=1))" => "[1 5]", returns Type::Array, |i, a| arrays::diagonal(i, a, false)),
    builtin!("trace" "(x, offset=0, axis1=0, axis2=1)", "arrays", "The sum of a diagonal (of each, for more than two axes).",
        "print(trace(arange(9).reshape(3, 3)))" => "12", returns Type::Array, |i, a| arrays::diagonal(i, a, true)),
    builtin!("maximum" "(a, b)", "arrays", "The larger of a and b, elementwise (NaN if either is NaN).",
        "print(maximum(array([1.0, 5.0, nan]), 2.0))" => "[ 2.  5. nan]", returns Type::Array, arrays::binary_function),
    builtin!("minimum" "(a, b)", "arrays", "The smaller of a and b, elementwise (NaN if either is NaN).",
        "print(minimum(array([1, 5]), 2))" => "[1 2]", returns Type::Array, arrays::binary_function),
    builtin!("fmax" "(a, b)", "arrays", "The larger of a and b, elementwise, ignoring a NaN.",
        "print(fmax(array([1.0, nan]), 2.0))" => "[2. 2.]", returns Type::Array, arrays::binary_function),
    builtin!("fmin" "(a, b)", "arrays", "The smaller of a and b, elementwise, ignoring a NaN.",
        "print(fmin(array([1.0, nan]), 2.0))" => "[1. 2.]", returns Type::Array, arrays::binary_function),
    builtin!("arctan2" "(a, b)", "arrays", "The angle of the point (b, a) from the x axis, elementwise (radians).",
        "print(arctan2(array([1.0, -1.0]), array([0.0, 0.0])))" => "[ 1.57079633 -1.57079633]", returns Type::Array, arrays::binary_function),
    builtin!("hypot" "(a, b)", "arrays", "sqrt(a² + b²), elementwise, without overflow.",
        "print(hypot(array([3.0]), 4.0))" => "[5.]", returns Type::Array, arrays::binary_function),
    builtin!("copysign" "(a, b)", "arrays", "a with the sign of b, elementwise.",
        "print(copysign(array([1.0, 2.0]), -1.0))" => "[-1. -2.]", returns Type::Array, arrays::binary_function),
    builtin!("logaddexp" "(a, b)", "arrays", "log(exp(a) + exp(b)), elementwise, without overflow.",
        "print(logaddexp(array([1000.0]), 1000.0))" => "[1000.69314718]", returns Type::Array, arrays::binary_function),
    builtin!("median" "(x, axis=none, approx=false)", "arrays", "The median along `axis` (of the flattened array when none), exact: the axis is made one chunk, as Dask's median does. With `approx=true` (no axis) it is estimated by a t-digest of each chunk, merged, which never holds more than a chunk (see `percentile`).",
        "print(median(array([[1.0, 5.0, 2.0], [4.0, 3.0, 9.0]]), axis=1))" => "[2. 4.]", returns Type::Array, |i, a| arrays::order_statistic(i, a, 0.0, false)),
    builtin!("sort" "(x, axis=-1)", "arrays", "The values along `axis` in ascending order (NaN last), as NumPy's `sort`. The axis must be in one chunk (`x.rechunk((-1,))`, or -1 at its place for more axes), as each block is sorted where it is.",
        "print(sort(array([[3, 1, 2], [9, 7, 8]])))" => "[[1 2 3]\n [7 8 9]]", returns Type::Array, |i, a| arrays::sort(i, a, crate::array::node::Sorting::Values)),
    builtin!("argsort" "(x, axis=-1)", "arrays", "The positions that sort each lane along `axis` (stable: equal values keep their order, NumPy's `kind=\"stable\"`); the axis must be in one chunk.",
        "print(argsort(array([3.0, nan, 1.0, 3.0])))" => "[2 0 3 1]", returns Type::Array, |i, a| arrays::sort(i, a, crate::array::node::Sorting::Indices)),
    builtin!("topk" "(x, k, axis=-1)", "arrays", "The `k` largest values along `axis` in descending order (the `-k` smallest in ascending order for negative `k`), as Dask's `topk`: on any chunks, each block keeping its `k` candidates for one final sort.",
        "print(topk(arange(10, chunks=3) * 1.5, 3))" => "[13.5 12.  10.5]", returns Type::Array, |i, a| arrays::sort(i, a, crate::array::node::Sorting::Top(0))),
    builtin!("digitize" "(x, bins, right=false)", "arrays", "The bin of each value, as NumPy's `digitize`: for increasing `bins` the number of edges at or below it (strictly below with `right=true`), for decreasing ones the number above it; NaN is past every increasing edge. Lazy and elementwise: one comparison per edge, fused.",
        "print(digitize(array([0.5, 1.0, 7.0, nan]), [0, 1, 5]))" => "[1 2 3 3]", returns Type::Array, arrays::digitize),
    builtin!("bincount" "(x, weights=none, minlength=0)", "arrays", "How many times each int 0, 1, … occurs in the 1-d int array `x` (or the sum of their `weights`), as NumPy's. The length (the largest value plus one, at least `minlength`) is known only when run: the maximum is computed first, then the counts are streamed as a histogram (with weights, both arrays are computed whole).",
        "print(bincount(array([0, 1, 1, 3])))" => "[1 2 0 1]", returns Type::Array, arrays::bincount),
    builtin!("unique" "(x)", "arrays", "The distinct values of `x` (flattened), sorted, NaN once at the end, as NumPy's. Their number is known only when run: `x` is computed whole first.",
        "print(unique(array([3, 1, 3, 2])))" => "[1 2 3]", returns Type::Array, arrays::unique),
    builtin!("nanmedian" "(x, axis=none, approx=false)", "arrays", "The median skipping NaN.",
        "print(nanmedian(array([1.0, nan, 3.0])))" => "2.0", returns Type::Array, |i, a| arrays::order_statistic(i, a, 0.0, true)),
    builtin!("percentile" "(x, q, axis=none, method=\"linear\", approx=false)", "arrays", "Percentiles `q` (a number or a list, in [0, 100]) along `axis`, exact as NumPy's (`method` linear, lower, higher, nearest, midpoint); a list of `q` makes a leading axis. With no axis the flattened array is one chunk; `approx=true` instead estimates them from a t-digest of each chunk, merged in a tree (linear method; exact up to 50,000 values, beyond that a rank error within 0.1%, docs/arrays.md), in one streaming pass that holds one chunk per worker.",
        "print(percentile(arange(11.0), [10, 90]))" => "[1. 9.]", returns Type::Array, |i, a| arrays::order_statistic(i, a, 100.0, false)),
    builtin!("nanpercentile" "(x, q, axis=none, method=\"linear\", approx=false)", "arrays", "Percentiles skipping NaN.",
        "print(nanpercentile(array([1.0, nan, 3.0]), 50))" => "2.0", returns Type::Array, |i, a| arrays::order_statistic(i, a, 100.0, true)),
    builtin!("quantile" "(x, q, axis=none, method=\"linear\", approx=false)", "arrays", "Quantiles `q` (in [0, 1]) along `axis`, as `percentile` with q / 100.",
        "print(quantile(arange(5.0), 0.25))" => "1.0", returns Type::Array, |i, a| arrays::order_statistic(i, a, 1.0, false)),
    builtin!("nanquantile" "(x, q, axis=none, method=\"linear\", approx=false)", "arrays", "Quantiles skipping NaN.",
        "print(nanquantile(array([nan, 1.0, 2.0]), 1.0))" => "2.0", returns Type::Array, |i, a| arrays::order_statistic(i, a, 1.0, true)),
    builtin!("matmul" "(a, b)", "arrays", "The matrix product `a @ b` of 1-d and 2-d arrays: blocks multiplied and summed along the shared axis.",
        "print(matmul(array([[1, 2], [3, 4]]), array([[1, 0], [0, 1]])))" => "[[1 2]\n [3 4]]", returns Type::Array, arrays::matmul),
    builtin!("dot" "(a, b)", "arrays", "The dot product of 1-d and 2-d arrays (`a @ b`).",
        "print(dot(array([1.0, 2.0]), array([3.0, 4.0])))" => "11.0", returns Type::Array, arrays::matmul),
    builtin!("map_blocks" "(function, *arrays, dtype=none, chunks=none)", "arrays", "A flow function applied to each block of the arrays (taken at the first's chunk boundaries), as Dask's `map_blocks`: it is called once per block, while checking too, on that block as a lazy array, so each block's result is its own tasks, run in parallel, and the results are joined block by block. Each block's result must agree with its row's and column's shape (and with `chunks=`, per axis a size or every block's); `dtype=` casts it.",
        "print(map_blocks(fn(b) = b * 2 + b.sum(), arange(6, chunks=3)))" => "[ 3  5  7 18 20 22]", returns Type::Array, blocks::map_blocks),
    builtin!("map_overlap" "(function, x, depth, boundary=\"reflect\", dtype=none)", "arrays", "A flow function applied to each block with `depth` neighbours on each side along each axis (a number or one per axis), taken from the neighbouring blocks or, past the array's edge, by `boundary`: \"reflect\" (mirrored with the edge, as Dask's), \"nearest\", \"periodic\" or a number. The function keeps the shape it is given; the halo is trimmed from its result (Dask's `trim=True`).",
        "print(map_overlap(fn(b) = b - roll(b, 1), arange(6, chunks=3) * 1.0, 1, boundary=0))" => "[0. 1. 1. 1. 1. 1.]", returns Type::Array, blocks::map_overlap),
    builtin!("blockwise" "(function, out_index, *pairs, dtype=none)", "arrays", "The general block function, as Dask's `blockwise` with `concatenate=True`: `pairs` are arrays each followed by its index letters; `function` is called once per block of the output (letters `out_index`) on each array's block there — the block at that place along a letter of the output (arrays sharing a letter are rechunked alike), the whole axis along one the output lacks: `blockwise(fn(a, b) = a @ b, \"ik\", x, \"ij\", y, \"jk\")` is a blocked matrix product.",
        "print(blockwise(fn(a, b) = a + b, \"ij\", arange(6, chunks=2).reshape(2, 3), \"ij\", arange(3), \"j\"))" => "[[0 2 4]\n [3 5 7]]", returns Type::Array, blocks::blockwise),
    builtin!("tensordot" "(a, b, axes=2)", "arrays", "Sums of products over pairs of axes, as NumPy's `tensordot`: `axes` an int (the last of `a` with the first of `b`) or a pair of lists. Lowered as a blocked matrix product of the two reshaped to matrices (only the chunks the reshape needs change).",
        "print(tensordot(arange(6).reshape(2, 3), arange(12).reshape(3, 4), axes=1))" => "[[20 23 26 29]\n [56 68 80 92]]", returns Type::Array, arrays::tensordot),
    builtin!("einsum" "(subscripts, *operands)", "arrays", "Einstein summation, as NumPy's `einsum` (letters only, no `...`): `\"ij,jk->ik\"`, `\"ii\"` (trace), `\"ii->i\"`, `\"ij->ji\"`, `\"i,j->ij\"`, `\"bij,bjk->bik\"`, an implicit output (the indices seen once, in order). Two operands sharing only summed indices are a matrix product; other forms multiply the operands lined up by index and sum, fused so the product is never held whole.",
        "print(einsum(\"ij,jk->ik\", arange(6).reshape(2, 3), arange(12).reshape(3, 4)))" => "[[20 23 26 29]\n [56 68 80 92]]", returns Type::Array, arrays::einsum),
    builtin!("outer" "(a, b)", "arrays", "Every element of `a` times every element of `b` (both flattened).",
        "print(outer(array([1, 2]), array([1, 10])))" => "[[ 1 10]\n [ 2 20]]", returns Type::Array, arrays::outer),
    builtin!("concatenate" "(arrays, axis=0)", "arrays", "Join arrays along an existing axis.",
        "print(concatenate([arange(2), arange(3)]))" => "[0 1 0 1 2]", returns Type::Array, arrays::concatenate),
    builtin!("stack" "(arrays, axis=0)", "arrays", "Join arrays of one shape along a new axis.",
        "stack([ones(3), zeros(3)]).shape" => "(2, 3)", returns Type::Array, arrays::stack),
    builtin!("histogram" "(x, bins=10, range=none)", "arrays", "Counts in `bins` equal bins over `range=(low, high)` (required, though its default reads none: the bins are fixed before any data is read), and the bin edges, as NumPy.",
        "counts, edges = histogram(arange(10), bins=2, range=(0, 10)); print(counts, edges)" => "[5 5] [ 0.  5. 10.]",
        returns Type::Tuple, arrays::histogram),
    // `effects`: it takes a delayed call as it is, instead of being delayed by it.
    Builtin {
        effects: true,
        ..builtin!("from_delayed" "(value, shape, dtype=\"f64\")", "arrays",
        "An array of one chunk made by a (delayed) call, of the declared shape and dtype; stack or concatenate many.",
        "fn read_block(i) = [i, i + 1]; print(concatenate([from_delayed(read_block(i), shape=(2,)) for i in range(3)]))" => "[0. 1. 1. 2. 2. 3.]",
        returns Type::Array, arrays::from_delayed)
    },
    Builtin {
        effects: true,
        ..builtin!("persist" "(*values)", "core",
        "Compute now and keep the results in memory; later expressions read them instead of computing again.",
        "x = persist(ones(4, chunks=2) * 2); print(x.sum())" => "8.0", returns Type::Any, arrays::compute)
    },
    Builtin {
        effects: true,
        ..builtin!("graph" "(x, path=none, tasks=false)", "arrays",
        "Write the DOT graph of `x` (one node per operation, or per chunk task with `tasks=true`); in a notebook, without a path, draw it inline.",
        "graph(ones(4, chunks=2).sum(), \"/dev/null\")" => "", returns Type::None, arrays::graph)
    },
    builtin!("arcsin" "(x)", "math", "Inverse sine.", "arcsin(1.0)" => "1.5707963267948966", returns Type::Any, |i, a| math(i, a, f64::asin)),
    builtin!("arccos" "(x)", "math", "Inverse cosine.", "arccos(1.0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::acos)),
    builtin!("arctan" "(x)", "math", "Inverse tangent.", "arctan(0.0)" => "0.0", returns Type::Any, |i, a| math(i, a, f64::atan)),
    builtin!("deg2rad" "(x)", "math", "Degrees to radians.", "deg2rad(180)" => "3.141592653589793", returns Type::Any, |i, a| math(i, a, f64::to_radians)),
    builtin!("rad2deg" "(x)", "math", "Radians to degrees.", "rad2deg(pi)" => "180.0", returns Type::Any, |i, a| math(i, a, f64::to_degrees)),
    builtin!("mean" "(x, axis=none, keepdims=false)", "reductions", "Mean over all axes or `axis` (one or a tuple).",
        "print(mean(arange(4.0)))" => "1.5", returns Type::Array, mean_of),
    builtin!("std" "(x, axis=none, ddof=0, keepdims=false)", "reductions", "Standard deviation (ddof=0 as NumPy).",
        "print(std(array([1.0, 3.0])))" => "1.0", returns Type::Array, std_of),
    builtin!("var" "(x, axis=none, ddof=0, keepdims=false)", "reductions", "Variance (ddof=0 as NumPy).",
        "print(var(array([1.0, 3.0]), ddof=1))" => "2.0", returns Type::Array, var_of),
    builtin!("prod" "(x, axis=none, keepdims=false)", "reductions", "Product.", "print(prod(arange(1, 5)))" => "24", returns Type::Array, prod_of),
    builtin!("argmin" "(x, axis=none)", "reductions", "Index of the smallest value (flat without `axis`).",
        "print(argmin(array([3, 1, 2])))" => "1", returns Type::Array, argmin_of),
    builtin!("argmax" "(x, axis=none)", "reductions", "Index of the largest value (flat without `axis`).",
        "print(argmax(array([[1, 5], [7, 2]])))" => "2", returns Type::Array, argmax_of),
    builtin!("nansum" "(x, axis=none, keepdims=false)", "reductions", "Sum skipping NaN.", "print(nansum(array([1.0, nan, 2.0])))" => "3.0", returns Type::Array, nansum_of),
    builtin!("nanmean" "(x, axis=none, keepdims=false)", "reductions", "Mean skipping NaN.", "print(nanmean(array([1.0, nan, 2.0])))" => "1.5", returns Type::Array, nanmean_of),
    builtin!("nanmin" "(x, axis=none, keepdims=false)", "reductions", "Minimum skipping NaN.", "print(nanmin(array([nan, 2.0, 1.0])))" => "1.0", returns Type::Array, nanmin_of),
    builtin!("nanmax" "(x, axis=none, keepdims=false)", "reductions", "Maximum skipping NaN.", "print(nanmax(array([nan, 2.0, 1.0])))" => "2.0", returns Type::Array, nanmax_of),
    builtin!("nanprod" "(x, axis=none, keepdims=false)", "reductions", "Product skipping NaN (an all-NaN product is 1).", "print(nanprod(array([2.0, nan, 3.0])))" => "6.0", returns Type::Array, nanprod_of),
    builtin!("nanstd" "(x, axis=none, ddof=0, keepdims=false)", "reductions", "Standard deviation skipping NaN.",
        "print(nanstd(array([1.0, nan, 3.0])))" => "1.0", returns Type::Array, nanstd_of),
    builtin!("nanvar" "(x, axis=none, ddof=0, keepdims=false)", "reductions", "Variance skipping NaN.",
        "print(nanvar(array([1.0, nan, 3.0])))" => "1.0", returns Type::Array, nanvar_of),
    // ---- methods
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("upper" "()", "text", "Upper-case copy.", "\"abc\".upper()" => "\"ABC\"", returns Type::Str,
        |_, a| Ok(Value::str(&a.receiver_str().to_uppercase())))
    },
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("lower" "()", "text", "Lower-case copy.", "\"ABC\".lower()" => "\"abc\"", returns Type::Str,
        |_, a| Ok(Value::str(&a.receiver_str().to_lowercase())))
    },
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("strip" "()", "text", "Copy without leading and trailing whitespace.",
        "\"  a b \".strip()" => "\"a b\"", returns Type::Str, |_, a| Ok(Value::str(a.receiver_str().trim())))
    },
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("split" "(sep=none)", "text", "Pieces between `sep` (or runs of whitespace).",
        "\"a,b,,c\".split(\",\")" => "[\"a\", \"b\", \"\", \"c\"]", returns Type::Any, split)
    },
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("join" "(items)", "text", "The strings of `items` with this string between them.",
        "\", \".join([\"a\", \"b\"])" => "\"a, b\"", returns Type::Str, join)
    },
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("replace" "(old, new)", "text", "Copy with every `old` replaced by `new`.",
        "\"a-b-c\".replace(\"-\", \"+\")" => "\"a+b+c\"", returns Type::Str,
        |_, a| Ok(Value::str(&a.receiver_str().replace(&*a.str(0)?, &a.str(1)?))))
    },
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("startswith" "(prefix)", "text", "Does the string start with `prefix`?",
        "\"flow.h5\".startswith(\"flow\")" => "true", returns Type::Bool, |_, a| Ok(Value::Bool(a.receiver_str().starts_with(&*a.str(0)?))))
    },
    Builtin {
        receiver: Some(Receiver::Str),
        ..builtin!("endswith" "(suffix)", "text", "Does the string end with `suffix`?",
        "\"flow.h5\".endswith(\".h5\")" => "true", returns Type::Bool, |_, a| Ok(Value::Bool(a.receiver_str().ends_with(&*a.str(0)?))))
    },
    Builtin {
        receiver: Some(Receiver::Any),
        effects: true,
        ..builtin!("compute" "()", "core", "The value itself, computed (lazy values are forced).",
        "(1 + 2).compute()" => "3", returns Type::Any, |i, a| i.force(a.receiver.clone().unwrap_or(Value::None), crate::eval::kinds::array::Reach::IntoDatasets))
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("rechunk" "(chunks)", "array methods", "The same values in other chunks.",
        "ones((4, 4), chunks=2).rechunk((4, 1)).chunks" => "((4,), (1, 1, 1, 1))", returns Type::Array, arrays::rechunk)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("astype" "(dtype)", "array methods", "The values converted to `dtype` (floats to ints truncate).",
        "print(array([1.7, -1.7]).astype(\"i64\"))" => "[ 1 -1]", returns Type::Array, arrays::astype)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("reshape" "(*shape)", "array methods", "The elements in row-major order in another shape (one length may be -1); only the chunks the reshape needs are changed, as Dask does.",
        "arange(6).reshape(2, -1).shape" => "(2, 3)", returns Type::Array, arrays::reshape)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("cumsum" "(axis=none)", "array methods", "Cumulative sums along `axis` (of the flattened array when none).",
        "print(arange(5).cumsum())" => "[ 0  1  3  6 10]", returns Type::Array, |i, a| arrays::scan(i, a, Scan::Sum))
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("cumprod" "(axis=none)", "array methods", "Cumulative products along `axis` (of the flattened array when none).",
        "print(arange(1, 5).cumprod())" => "[ 1  2  6 24]", returns Type::Array, |i, a| arrays::scan(i, a, Scan::Prod))
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("round" "(decimals=0)", "array methods", "Rounded to `decimals` places, halves to even, as NumPy's `round`.",
        "print(array([1.25, 2.5]).round(1))" => "[1.2 2.5]", returns Type::Array, round)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("diagonal" "(offset=0, axis1=0, axis2=1)", "array methods", "The elements x[i, i + offset] of two axes, as a new last axis.",
        "print(arange(4).reshape(2, 2).diagonal())" => "[0 3]", returns Type::Array, |i, a| arrays::diagonal(i, a, false))
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("trace" "(offset=0, axis1=0, axis2=1)", "array methods", "The sum of a diagonal.",
        "print(arange(4).reshape(2, 2).trace())" => "3", returns Type::Array, |i, a| arrays::diagonal(i, a, true))
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("take" "(indices, axis=none)", "array methods", "The elements at `indices` along `axis` (of the flattened array when none).",
        "print(arange(6).reshape(2, 3).take([2, 0], axis=1))" => "[[2 0]\n [5 3]]", returns Type::Array, arrays::take)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("squeeze" "(axis=none)", "array methods", "The length-1 axes (or those named) taken out.",
        "ones((1, 3)).squeeze().shape" => "(3,)", returns Type::Array, arrays::squeeze)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("swapaxes" "(axis1, axis2)", "array methods", "Two axes exchanged.",
        "ones((2, 3)).swapaxes(0, 1).shape" => "(3, 2)", returns Type::Array, arrays::swapaxes)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("repeat" "(repeats, axis=none)", "array methods", "Each element `repeats` times in a row along `axis` (of the flattened array when none).",
        "print(array([[1, 2]]).repeat(2, axis=1))" => "[[1 1 2 2]]", returns Type::Array, arrays::repeat)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("ravel" "()", "array methods", "The elements as one axis, in row-major order.",
        "print(array([[1, 2], [3, 4]]).ravel())" => "[1 2 3 4]", returns Type::Array, arrays::ravel)
    },
    Builtin {
        receiver: Some(Receiver::Array),
        ..builtin!("transpose" "(axes=none)", "array methods", "Axes reversed, or permuted by `axes`; `x.T` is `x.transpose()`.",
        "ones((2, 3, 4)).transpose((2, 0, 1)).shape" => "(4, 2, 3)", returns Type::Array, arrays::transpose)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("isel" "(indexers=none, **positions)", "labelled arrays", "Select by position along named dimensions: `x.isel(time=0, lat=slice(0, 2))` (an int drops the dimension).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.isel(time=0, lon=slice(1, 3)).sizes" => "{lat: 4, lon: 2}", returns Type::Array, datasets::isel)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("sel" "(indexers=none, method=none, **labels)", "labelled arrays", "Select by coordinate value along named dimensions: numbers, dates (`\"2010-01-02\"`, a month `\"2010-03\"`) or `slice(low, high)` with both ends included; `method=\"nearest\"` takes the closest.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.sel(lat=10.0, method=\"nearest\").sizes" => "{time: 2, lon: 5}", returns Type::Array, datasets::sel)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("coarsen" "(windows=none, boundary=\"exact\", side=\"left\", **window)", "labelled arrays", "Blocks of `window` neighbours along named dimensions, for a reduction to one value each: `x.coarsen(lat=2, lon=2).mean()`. `boundary` \"exact\" refuses lengths that are not multiples of the window, \"trim\" leaves out the incomplete window, \"pad\" fills it with NaN; coordinates become each window's mean.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.coarsen(lat=2).mean().sizes" => "{time: 2, lat: 2, lon: 5}", returns Type::Any, datasets::coarsen)
    },
    Builtin {
        receiver: Some(Receiver::Coarsen),
        ..builtin!("mean" "(skipna=none, keep_attrs=true)", "labelled arrays", "Mean of each window (NaN skipped in floats unless `skipna=false`).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.coarsen(lon=5).mean().shape)" => "(2, 4, 1)", returns Type::Any, |i, a| datasets::coarsen_reduce(i, a, Reduction::Mean))
    },
    Builtin {
        receiver: Some(Receiver::Coarsen),
        ..builtin!("sum" "(skipna=none, keep_attrs=true)", "labelled arrays", "Sum of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.coarsen(lon=5).sum().shape)" => "(2, 4, 1)", returns Type::Any, |i, a| datasets::coarsen_reduce(i, a, Reduction::Sum))
    },
    Builtin {
        receiver: Some(Receiver::Coarsen),
        ..builtin!("min" "(skipna=none, keep_attrs=true)", "labelled arrays", "Minimum of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.coarsen(lon=5).min().shape)" => "(2, 4, 1)", returns Type::Any, |i, a| datasets::coarsen_reduce(i, a, Reduction::Min))
    },
    Builtin {
        receiver: Some(Receiver::Coarsen),
        ..builtin!("max" "(skipna=none, keep_attrs=true)", "labelled arrays", "Maximum of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.coarsen(lon=5).max().shape)" => "(2, 4, 1)", returns Type::Any, |i, a| datasets::coarsen_reduce(i, a, Reduction::Max))
    },
    Builtin {
        receiver: Some(Receiver::Coarsen),
        ..builtin!("prod" "(skipna=none, keep_attrs=true)", "labelled arrays", "Product of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.coarsen(lon=5).prod().shape)" => "(2, 4, 1)", returns Type::Any, |i, a| datasets::coarsen_reduce(i, a, Reduction::Prod))
    },
    Builtin {
        receiver: Some(Receiver::Coarsen),
        ..builtin!("std" "(skipna=none, ddof=0, keep_attrs=true)", "labelled arrays", "Standard deviation of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.coarsen(lon=5).std().shape)" => "(2, 4, 1)", returns Type::Any, |i, a| datasets::coarsen_reduce(i, a, Reduction::Std))
    },
    Builtin {
        receiver: Some(Receiver::Coarsen),
        ..builtin!("var" "(skipna=none, ddof=0, keep_attrs=true)", "labelled arrays", "Variance of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.coarsen(lon=5).var().shape)" => "(2, 4, 1)", returns Type::Any, |i, a| datasets::coarsen_reduce(i, a, Reduction::Var))
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("rolling" "(windows=none, center=false, min_periods=none, **window)", "labelled arrays", "A moving window along one named dimension, for a reduction: `x.rolling(time=7).mean()`. Value i reduces the `window` values ending at i (centred on it with `center=true`); NaN is skipped, and a window with fewer than `min_periods` values (default: the window) gives NaN. Each block reads only its neighbours' edge (a halo), never the whole dimension.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.rolling(lon=3, center=true).mean().sizes" => "{time: 2, lat: 4, lon: 5}", returns Type::Any, datasets::rolling)
    },
    Builtin {
        receiver: Some(Receiver::Rolling),
        ..builtin!("mean" "(keep_attrs=true)", "labelled arrays", "Mean of each window (NaN skipped).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.rolling(lon=2).mean().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| datasets::rolling_reduce(i, a, crate::array::node::Moving::Mean))
    },
    Builtin {
        receiver: Some(Receiver::Rolling),
        ..builtin!("sum" "(keep_attrs=true)", "labelled arrays", "Sum of each window (NaN skipped).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.rolling(lon=2).sum().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| datasets::rolling_reduce(i, a, crate::array::node::Moving::Sum))
    },
    Builtin {
        receiver: Some(Receiver::Rolling),
        ..builtin!("min" "(keep_attrs=true)", "labelled arrays", "Minimum of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.rolling(lon=2).min().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| datasets::rolling_reduce(i, a, crate::array::node::Moving::Min))
    },
    Builtin {
        receiver: Some(Receiver::Rolling),
        ..builtin!("max" "(keep_attrs=true)", "labelled arrays", "Maximum of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.rolling(lon=2).max().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| datasets::rolling_reduce(i, a, crate::array::node::Moving::Max))
    },
    Builtin {
        receiver: Some(Receiver::Rolling),
        ..builtin!("std" "(ddof=0, keep_attrs=true)", "labelled arrays", "Standard deviation of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.rolling(lon=2).std().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| datasets::rolling_reduce(i, a, crate::array::node::Moving::Std))
    },
    Builtin {
        receiver: Some(Receiver::Rolling),
        ..builtin!("var" "(ddof=0, keep_attrs=true)", "labelled arrays", "Variance of each window.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.rolling(lon=2).var().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| datasets::rolling_reduce(i, a, crate::array::node::Moving::Var))
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("to_frame" "(name=none)", "labelled arrays", "The values as a frame, as xarray's `to_dataframe().reset_index()`: a row per position (the last dimension varying fastest), a column per dimension (its coordinate, times as datetimes, or positions 0, 1, …) and one per variable (named `name`, or the array's name; a dataset's variables broadcast over the dimensions they lack). Computed when run, and held in memory whole, as pandas holds it.",
        "x = label(array([[1.0, 2.0], [3.0, 4.0]]), (\"y\", \"x\"), coords={y: [10, 20]}, name=\"v\"); x.to_frame().rows()" => "[(10, 0, 1.0), (10, 1, 2.0), (20, 0, 3.0), (20, 1, 4.0)]", returns Type::Frame, conversion::to_frame)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("interp" "(coords=none, method=\"linear\", **coords)", "labelled arrays", "Linear interpolation to new coordinate values along named dimensions, as xarray's `interp`: a number (the dimension dropped, a scalar coordinate left), a list or a known 1-d array (the dimension's new coordinate), or dates on a time coordinate; NaN outside the coordinate's range and where a neighbour is NaN (an exact match reads its lower neighbour too, as scipy's `interp1d`, which xarray calls). Values and new coordinates are f64. Each value blends its two neighbours, gathered block by block: nothing is loaded whole.",
        "x = label(array([0.0, 10.0, 20.0]), \"t\", coords={t: [0, 1, 2]}); x.interp(t=[0.5, 1.25]).values.compute()" => "[ 5.  12.5]", returns Type::Any, interpolation::interp)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("groupby" "(group)", "labelled arrays", "Groups of positions along a dimension, for a reduction per group or arithmetic against a grouped result: by a coordinate's values (`\"lat\"`), by a calendar field of a time coordinate (`\"time.month\"`, `\"time.dayofyear\"`), or by a 1-d labelled array whose values are known (`ds.time.dt.month`). `x.groupby(\"time.month\").mean()` has a dimension `month`; `x.groupby(\"time.month\") - clim` spreads `clim` (with dimension `month`) over the times of each month. Each chunk gives a partial of the groups it holds, combined exactly per group: the dimension is never loaded whole.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.groupby(\"time.day\").mean().sizes" => "{day: 2, lat: 4, lon: 5}", returns Type::Any, groupings::groupby)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("groupby_bins" "(group, bins, right=true, labels=none, include_lowest=false)", "labelled arrays", "Groups of the values of a coordinate in bins: `bins` equal bins over their range (widened by 0.1% as pandas' `cut`), or the bins' edges (`[0, 10, 20]`: (0, 10] and (10, 20], or [0, 10) and [10, 20) with `right=false`). The new dimension `NAME_bins` is labelled by each bin's centre (xarray labels bins by pandas intervals, which flow has no values for) unless `labels=` names them; the edges are its attribute `bin_edges`. An empty bin is NaN.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.groupby_bins(\"lat\", [-90, 0, 90]).mean().sizes" => "{time: 2, lat_bins: 2, lon: 5}", returns Type::Any, groupings::groupby_bins)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("resample" "(indexer=none, **frequency)", "labelled arrays", "Groups of the periods of a time dimension, as pandas' frequencies name them: `\"D\"`, `\"6h\"`, `\"30min\"`, `\"MS\"`/`\"ME\"` (months labelled by their first or last day), `\"QS-DEC\"` (quarters from December), `\"YS\"`/`\"YE\"`, with a count in front (`\"3D\"`). Every period from the first time's to the last one's is a group (an empty one is NaN); fixed steps count from midnight of the first day.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.resample(time=\"MS\").mean().sizes" => "{time: 1, lat: 4, lon: 5}", returns Type::Any, groupings::resample)
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("mean" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "Mean of each group (NaN skipped in floats unless `skipna=false`). As xarray's, `dim` may name the grouped dimension (or `...`), which is what every grouped reduction reduces.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").mean().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Mean))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("sum" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "Sum of each group.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").sum().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Sum))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("min" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "Minimum of each group.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").min().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Min))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("max" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "Maximum of each group.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").max().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Max))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("prod" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "Product of each group.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").prod().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Prod))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("std" "(dim=none, skipna=none, ddof=0, keep_attrs=true)", "labelled arrays", "Standard deviation of each group.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").std().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Std))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("var" "(dim=none, skipna=none, ddof=0, keep_attrs=true)", "labelled arrays", "Variance of each group.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").var().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Var))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("median" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "Median of each group, exact: each group's values are gathered into one chunk (as Dask's median makes its axis one chunk).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").median().shape)" => "(2, 4, 5)", returns Type::Any, groupings::median)
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("first" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "The first value of each group (the first that is not NaN in floats unless `skipna=false`), as xarray's: each chunk keeps its groups' first values with their positions, and the earliest wins.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"lat\").first().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::First))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("last" "(dim=none, skipna=none, keep_attrs=true)", "labelled arrays", "The last value of each group (the last that is not NaN in floats unless `skipna=false`).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"lat\").last().shape)" => "(2, 4, 5)", returns Type::Any, |i, a| groupings::reduce(i, a, Reduction::Last))
    },
    Builtin {
        receiver: Some(Receiver::Grouping),
        ..builtin!("count" "(dim=none, keep_attrs=true)", "labelled arrays", "The number of values that are not NaN in each group.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.groupby(\"time.day\").count().shape)" => "(2, 4, 5)", returns Type::Any, groupings::count)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("where" "(cond, other=none)", "labelled arrays", "The values where `cond` is true and `other` (NaN when none) elsewhere, lined up by name (xarray's `where`); on a dataset, variable by variable.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.where(x > 1.037).isel(time=1, lat=1).values)" => "[      nan       nan 1.0373077 1.0383077 1.0393077]", returns Type::Any, datasets::where_method)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("assign_attrs" "(attrs=none, **more)", "labelled arrays", "The attributes with these added or replaced.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.assign_attrs(units=\"cm\").attrs" => "{units: \"cm\", long_name: \"Absolute dynamic topography\"}", returns Type::Any, datasets::assign_attrs)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("rename" "(names=none, **more)", "labelled arrays", "`x.rename(\"new\")` names the array; `rename({old: \"new\"})` renames variables, coordinates and dimensions.",
        "ds = open_dataset(\"tests/data/ssh_small.nc\"); ds.rename({adt: \"ssh\", lat: \"y\"}).data_vars" => "[\"ssh\"]", returns Type::Any, datasets::rename)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("drop_vars" "(names)", "labelled arrays", "The dataset without these variables or coordinates (a name or a list).",
        "ds = open_dataset(\"tests/data/ssh_small.nc\"); ds.drop_vars(\"adt\").data_vars" => "[]", returns Type::Any, datasets::drop_vars)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("assign" "(variables=none, **more)", "labelled arrays", "The dataset with these variables added or replaced (`ds.assign(anom=ds.adt - ds.adt.mean(\"time\"))`).",
        "ds = open_dataset(\"tests/data/ssh_small.nc\"); ds.assign(anom=ds.adt - ds.adt.mean(\"time\")).data_vars" => "[\"adt\", \"anom\"]", returns Type::Any, datasets::assign)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("transpose" "(*dims)", "labelled arrays", "The dimensions in another order, by name; reversed when none are given.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.transpose(\"lon\", \"time\", \"lat\").dims" => "(\"lon\", \"time\", \"lat\")", returns Type::Array, datasets::transpose)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("rechunk" "(chunks)", "labelled arrays", "Other chunks, by dimension name (`{time: 30}`; -1 for a whole dimension) or by position as for arrays.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.rechunk({time: 1}).chunks" => "((1, 1), (4,), (5,))", returns Type::Array, datasets::rechunk)
    },
    Builtin {
        receiver: Some(Receiver::Labelled),
        ..builtin!("weighted" "(weights)", "labelled arrays", "Weights (a labelled array over some of the dimensions) for a following `.mean(dim)` or `.sum(dim)`; NaN values are skipped with their weights.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; w = cos(deg2rad(x.lat)); x.weighted(w).mean((\"lon\", \"lat\")).dims" => "(\"time\",)", returns Type::Array, datasets::weighted)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("rows" "()", "dataframes", "The computed rows, as a list of tuples.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.groupby(\"Origin\").agg(count(\"DepDelay\")).rows()" => "[(\"EWR\", 3), (\"JFK\", 3), (\"LGA\", 4)]", returns Type::Any, frames::rows)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("to_dataset" "(index)", "dataframes", "A dataset from the rows, as pandas' `set_index(index).to_xarray()`: the index columns' distinct values (sorted) become dimensions with those coordinates (datetimes become times in seconds since 1970-01-01), every other numeric column a variable over them, NaN where a combination has no row (ints stay ints only where every combination has one). Two rows with the same index values are refused. Computed when run.",
        "frame({lat: [1, 1, 2], lon: [5, 6, 5], t: [0.5, 1.5, 2.5]}).to_dataset([\"lat\", \"lon\"]).t.values" => "[[0.5 1.5]\n [2.5 nan]]", returns Type::Dataset, conversion::to_dataset)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("to_array" "(column)", "dataframes", "A numeric column as a lazy 1-d array with one chunk per partition (the rows are counted when it is made; missing values become NaN), for array operations and histograms.",
        "df = read_csv(\"tests/data/flights/*.csv\"); print(df.to_array(\"DepDelay\").chunks)" => "((6, 6),)", returns Type::Array, frames::to_array)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("select" "(*columns)", "dataframes", "Columns by name or expression (aggregations make one row).",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.select(\"Origin\", col(\"DepDelay\") * 60).columns" => "[\"Origin\", \"DepDelay\"]", returns Type::Frame, frames::select)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("filter" "(condition)", "dataframes", "The rows where a condition on columns holds: `col(\"x\") > 20`, combined with `&` and `|`, `is_null()`, `is_in([…])`.",
        "df = read_csv(\"tests/data/flights/*.csv\"); len(df.filter(col(\"DepDelay\") > 5))" => "4", returns Type::Frame, frames::filter)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("with_columns" "(*columns, **named)", "dataframes", "New or replaced columns from expressions: `df.with_columns(hours=col(\"DepDelay\") / 60)`.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.with_columns(hours=col(\"DepDelay\") / 60).schema[\"hours\"]" => "\"f64\"", returns Type::Frame, frames::with_columns)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("rename" "(names)", "dataframes", "Columns renamed by a record `{old: \"new\"}`.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.rename({DepDelay: \"delay\"}).columns" => "[\"Year\", \"Origin\", \"delay\", \"TailNum\", \"Cancelled\"]", returns Type::Frame, frames::rename)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("drop" "(*columns)", "dataframes", "The frame without these columns.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.drop(\"TailNum\", \"Cancelled\").columns" => "[\"Year\", \"Origin\", \"DepDelay\"]", returns Type::Frame, frames::drop_columns)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("groupby" "(*keys, dropna=true)", "dataframes", "Group rows by key columns for `.agg(…)`, or `g.column.mean()` / `g.mean()` as in pandas; groups come out ordered by key, rows with a missing key dropped unless `dropna=false`.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.groupby(\"Origin\").DepDelay.mean().rows()" => "[(\"EWR\", 5.166666666666667), (\"JFK\", 12.166666666666666), (\"LGA\", 2.5)]", returns Type::Any, frames::groupby)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("sort" "(by, descending=false)", "dataframes", "Rows ordered by one or more columns (missing values last).",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.sort(\"DepDelay\", descending=true).head(1).select(\"DepDelay\").columns" => "[\"DepDelay\"]", returns Type::Frame, frames::sort)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("head" "(n=5)", "dataframes", "The first `n` rows (only those rows are read).",
        "df = read_csv(\"tests/data/flights/*.csv\"); len(df.head(3))" => "3", returns Type::Frame, frames::head)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("unique" "(subset=none)", "dataframes", "Rows without repeats (of all columns, or of `subset`), first kept.",
        "df = read_csv(\"tests/data/flights/*.csv\"); len(df.unique(\"Origin\"))" => "3", returns Type::Frame, frames::unique)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("join" "(other, on, how=\"inner\", nulls_equal=true, suffixes=none)", "dataframes", "Rows of both frames with equal `on` columns, as pandas' `merge`: `how` is \"inner\", \"left\" or \"full\"; missing keys match each other unless `nulls_equal=false`; other columns in both get `suffixes` (default (\"_x\", \"_y\")).",
        "df = read_csv(\"tests/data/flights/*.csv\"); names = read_csv(\"tests/data/airports.csv\"); df.join(names, on=\"Origin\").columns" => "[\"Year\", \"Origin\", \"DepDelay\", \"TailNum\", \"Cancelled\", \"Name\"]", returns Type::Frame, frames::join)
    },
    Builtin {
        receiver: Some(Receiver::Frame),
        ..builtin!("describe" "()", "dataframes", "Count, mean, std, min and max of each numeric column, as a frame.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.describe().columns" => "[\"statistic\", \"Year\", \"DepDelay\", \"Cancelled\"]", returns Type::Frame, frames::describe)
    },
    Builtin {
        receiver: Some(Receiver::Column),
        ..builtin!("unique" "()", "dataframes", "The column's distinct values, as a one-column frame (first seen first).",
        "df = read_csv(\"tests/data/flights/*.csv\"); len(df.Origin.unique())" => "3", returns Type::Frame, frames::column_unique)
    },
    Builtin {
        receiver: Some(Receiver::GroupBy),
        ..builtin!("agg" "(*aggregations)", "dataframes", "One row per group: `g.agg(mean(\"DepDelay\"), count(\"DepDelay\").alias(\"n\"))`.",
        "df = read_csv(\"tests/data/flights/*.csv\"); df.groupby(\"Origin\").agg(mean(\"DepDelay\")).schema" => "{Origin: \"str\", DepDelay: \"f64\"}", returns Type::Frame, frames::agg)
    },
    Builtin {
        receiver: Some(Receiver::Expr),
        ..builtin!("is_null" "()", "dataframes", "Is the value missing? (a condition)",
        "df = read_csv(\"tests/data/flights/*.csv\"); len(df.filter(col(\"TailNum\").is_null()))" => "6", returns Type::Any, frames::is_null)
    },
    Builtin {
        receiver: Some(Receiver::Expr),
        ..builtin!("is_in" "(values)", "dataframes", "Is the value one of these? (a condition)",
        "df = read_csv(\"tests/data/flights/*.csv\"); len(df.filter(col(\"Origin\").is_in([\"JFK\", \"LGA\"])))" => "8", returns Type::Any, frames::is_in)
    },
    Builtin {
        receiver: Some(Receiver::Expr),
        ..builtin!("alias" "(name)", "dataframes", "The expression's column named `name`.",
        "col(\"DepDelay\").mean().alias(\"mean_delay\")" => "col(\"DepDelay\").mean().alias(\"mean_delay\")", returns Type::Any, frames::alias)
    },
    Builtin {
        receiver: Some(Receiver::Weighted),
        ..builtin!("mean" "(dim=none, keep_attrs=true)", "labelled arrays", "Weighted mean over named dimensions: sum of value × weight over the valid (non-NaN) points divided by the sum of their weights; the result keeps the array's name and attributes.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.weighted(x.lat * 0 + 1).mean().values)" => "0.9529721", returns Type::Array, |i, a| datasets::weighted_reduce(i, a, true))
    },
    Builtin {
        receiver: Some(Receiver::Weighted),
        ..builtin!("sum" "(dim=none, keep_attrs=true)", "labelled arrays", "Weighted sum over named dimensions (NaN values skipped).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.weighted(x.lat).sum(\"lat\").dims" => "(\"time\", \"lon\")", returns Type::Array, |i, a| datasets::weighted_reduce(i, a, false))
    },
];

/// Array reductions as methods (`x.sum(axis=0)`): reduction, parameters, summary, example,
/// what the example prints.
const ARRAY_REDUCTIONS: &[(Reduction, &str, &str, &str, &str)] = &[
    (
        Reduction::Sum,
        "(axis=none, keepdims=false)",
        "Sum over all axes or `axis`.",
        "print(ones((2, 3)).sum(axis=0))",
        "[2. 2. 2.]",
    ),
    (
        Reduction::Prod,
        "(axis=none, keepdims=false)",
        "Product.",
        "print(arange(1, 4).prod())",
        "6",
    ),
    (
        Reduction::Mean,
        "(axis=none, keepdims=false)",
        "Mean (from (count, mean, M2) partials).",
        "print(arange(6.0).rechunk(2).mean())",
        "2.5",
    ),
    (
        Reduction::Std,
        "(axis=none, ddof=0, keepdims=false)",
        "Standard deviation.",
        "print(array([1.0, 3.0]).std())",
        "1.0",
    ),
    (
        Reduction::Var,
        "(axis=none, ddof=0, keepdims=false)",
        "Variance.",
        "print(array([1.0, 3.0]).var())",
        "1.0",
    ),
    (
        Reduction::Min,
        "(axis=none, keepdims=false)",
        "Minimum (NaN if any value is NaN).",
        "print(array([3, 1, 2]).min())",
        "1",
    ),
    (
        Reduction::Max,
        "(axis=none, keepdims=false)",
        "Maximum (NaN if any value is NaN).",
        "print(array([3, 1, 2]).max())",
        "3",
    ),
    (
        Reduction::Any,
        "(axis=none, keepdims=false)",
        "Is any element true (non-zero)?",
        "print((arange(3) > 1).any())",
        "true",
    ),
    (
        Reduction::All,
        "(axis=none, keepdims=false)",
        "Are all elements true (non-zero)?",
        "print((arange(3) > 1).all())",
        "false",
    ),
    (
        Reduction::ArgMin,
        "(axis=none)",
        "Index of the smallest value.",
        "print(array([3, 1, 2]).argmin())",
        "1",
    ),
    (
        Reduction::ArgMax,
        "(axis=none)",
        "Index of the largest value.",
        "print(array([[1, 5], [7, 2]]).argmax(axis=1))",
        "[1 0]",
    ),
    (
        Reduction::NanSum,
        "(axis=none, keepdims=false)",
        "Sum skipping NaN.",
        "print(array([1.0, nan]).nansum())",
        "1.0",
    ),
    (
        Reduction::NanMean,
        "(axis=none, keepdims=false)",
        "Mean skipping NaN.",
        "print(array([1.0, nan, 3.0]).nanmean())",
        "2.0",
    ),
    (
        Reduction::NanMin,
        "(axis=none, keepdims=false)",
        "Minimum skipping NaN.",
        "print(array([nan, 2.0]).nanmin())",
        "2.0",
    ),
    (
        Reduction::NanMax,
        "(axis=none, keepdims=false)",
        "Maximum skipping NaN.",
        "print(array([nan, 2.0]).nanmax())",
        "2.0",
    ),
    (
        Reduction::NanProd,
        "(axis=none, keepdims=false)",
        "Product skipping NaN.",
        "print(array([2.0, nan, 3.0]).nanprod())",
        "6.0",
    ),
    (
        Reduction::NanStd,
        "(axis=none, ddof=0, keepdims=false)",
        "Standard deviation skipping NaN.",
        "print(array([1.0, nan, 3.0]).nanstd())",
        "1.0",
    ),
    (
        Reduction::NanVar,
        "(axis=none, ddof=0, keepdims=false)",
        "Variance skipping NaN.",
        "print(array([1.0, nan, 3.0]).nanvar())",
        "1.0",
    ),
];

/// Reductions of labelled arrays and datasets by dimension name (`x.mean(dim="time")`).
const LABELLED_REDUCTIONS: &[(Reduction, &str, &str, &str, &str)] = &[
    (
        Reduction::Mean,
        "(dim=none, skipna=none, keep_attrs=true)",
        "Mean over dimensions named by `dim` (a name or a tuple; all when none), skipping NaN in floats unless `skipna=false` (as xarray); the attributes are kept unless `keep_attrs=false`; works on datasets variable by variable.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.mean(dim=(\"lat\", \"lon\")).dims",
        "(\"time\",)",
    ),
    (
        Reduction::Sum,
        "(dim=none, skipna=none, keep_attrs=true)",
        "Sum over named dimensions (NaN skipped in floats unless `skipna=false`).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.sum(\"time\").dims",
        "(\"lat\", \"lon\")",
    ),
    (
        Reduction::Min,
        "(dim=none, skipna=none, keep_attrs=true)",
        "Minimum over named dimensions.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.min().values)",
        "0.8665254",
    ),
    (
        Reduction::Max,
        "(dim=none, skipna=none, keep_attrs=true)",
        "Maximum over named dimensions.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print(x.max().values)",
        "1.0393077",
    ),
    (
        Reduction::Std,
        "(dim=none, skipna=none, ddof=0, keep_attrs=true)",
        "Standard deviation over named dimensions.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.std(\"lon\").dims",
        "(\"time\", \"lat\")",
    ),
    (
        Reduction::Var,
        "(dim=none, skipna=none, ddof=0, keep_attrs=true)",
        "Variance over named dimensions.",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.var((\"lon\", \"time\")).dims",
        "(\"lat\",)",
    ),
    (
        Reduction::Prod,
        "(dim=none, skipna=none, keep_attrs=true)",
        "Product over named dimensions (NaN skipped in floats unless `skipna=false`).",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; x.prod(\"lat\").sizes",
        "{time: 2, lon: 5}",
    ),
    (
        Reduction::Any,
        "(dim=none, keep_attrs=true)",
        "Is any value true, over named dimensions?",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; (x > 1).any(\"time\").dims",
        "(\"lat\", \"lon\")",
    ),
    (
        Reduction::All,
        "(dim=none, keep_attrs=true)",
        "Are all values true, over named dimensions?",
        "x = open_dataset(\"tests/data/ssh_small.nc\").adt; print((x > 1).all().values)",
        "false",
    ),
];

/// Every builtin: the entries written out, and those made from the rows above and from every
/// frame aggregation (as a grouping's method and as a column expression's), built once.
pub fn table() -> &'static [Builtin] {
    static TABLE: OnceLock<Vec<Builtin>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let reduction =
            |rows: &'static [(Reduction, &str, &str, &str, &str)], receiver, category, run| {
                rows.iter().map(
                    move |&(reduction, params, summary, example, output)| Builtin {
                        name: reduction.name(),
                        receiver: Some(receiver),
                        params,
                        category,
                        summary,
                        example,
                        example_output: output,
                        returns: Type::Array,
                        effects: false,
                        blocking: false,
                        run,
                    },
                )
            };
        let array_reductions: Vec<Builtin> = reduction(
            ARRAY_REDUCTIONS,
            Receiver::Array,
            "array methods",
            |i, a| arrays::reduce_method(i, a, reduction_of(a)),
        )
        .collect();
        let labelled_reductions: Vec<Builtin> = reduction(
            LABELLED_REDUCTIONS,
            Receiver::Labelled,
            "labelled arrays",
            |i, a| datasets::reduce(i, a, reduction_of(a)),
        )
        .collect();
        let aggregations: Vec<Builtin> = Agg::ALL
            .iter()
            .flat_map(|agg| aggregation_methods(*agg))
            .collect();
        // Each made group goes before the first written method of its kind (the order method
        // lists and the reference show them in).
        let mut groups = vec![
            (Receiver::Array, array_reductions),
            (Receiver::Labelled, labelled_reductions),
            (Receiver::Weighted, aggregations),
        ];
        let mut table = Vec::new();
        for builtin in WRITTEN {
            if let Some(at) = groups
                .iter()
                .position(|(r, _)| builtin.receiver == Some(*r))
            {
                table.extend(groups.remove(at).1);
            }
            table.push(builtin.clone());
        }
        for (_, group) in groups {
            table.extend(group);
        }
        table
    })
}

/// The reduction a generated method is named after.
fn reduction_of(args: &Args) -> Reduction {
    Reduction::from_name(args.builtin.name).expect("reduction methods are named after theirs")
}

/// An aggregation as a grouping's method (`df.groupby("k").x.mean()`) and as a column
/// expression's (`col("x").mean()`).
fn aggregation_methods(agg: Agg) -> [Builtin; 2] {
    let name = agg.name();
    let text = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let run_group: fn(&mut Interpreter, &mut Args) -> Eval<Value> = |i, a| {
        let agg =
            Agg::from_name(a.builtin.name).expect("aggregation methods are named after theirs");
        frames::group_aggregate(i, a, agg)
    };
    let run_expr: fn(&mut Interpreter, &mut Args) -> Eval<Value> = |i, a| {
        let agg =
            Agg::from_name(a.builtin.name).expect("aggregation methods are named after theirs");
        frames::expr_aggregate(i, a, agg)
    };
    [
        Builtin {
            receiver: Some(Receiver::GroupBy),
            ..builtin_of(
                name,
                text(format!("The {name} of the chosen column in each group (or of every other column).")),
                text(format!("df = read_csv(\"tests/data/flights/*.csv\"); df.groupby(\"Origin\").DepDelay.{name}().columns")),
                "[\"Origin\", \"DepDelay\"]",
                Type::Frame,
                run_group,
            )
        },
        Builtin {
            receiver: Some(Receiver::Expr),
            ..builtin_of(
                name,
                text(format!("An aggregation: the {name} of the expression's values.")),
                text(format!("col(\"DepDelay\").{name}()")),
                text(format!("col(\"DepDelay\").{name}()")),
                Type::Any,
                run_expr,
            )
        },
    ]
}

/// A dataframe method of no parameters.
fn builtin_of(
    name: &'static str,
    summary: &'static str,
    example: &'static str,
    example_output: &'static str,
    returns: Type,
    run: fn(&mut Interpreter, &mut Args) -> Eval<Value>,
) -> Builtin {
    Builtin {
        name,
        receiver: None,
        params: "()",
        category: "dataframes",
        summary,
        example,
        example_output,
        returns,
        effects: false,
        blocking: false,
        run,
    }
}

/// Named constants.
pub static CONSTANTS: &[(&str, f64, &str)] = &[
    (
        "pi",
        std::f64::consts::PI,
        "π, the ratio of a circle's circumference to its diameter",
    ),
    ("inf", f64::INFINITY, "positive infinity"),
    ("nan", f64::NAN, "not-a-number"),
];

// ---------------------------------------------------------------------- implementations

macro_rules! reduction_functions {
    ($($name:ident => $reduction:expr),* $(,)?) => {
        $(fn $name(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
            let array = args.array(0)?;
            arrays::reduce_array(interpreter, args, &array, $reduction, 1)
        })*
    };
}

reduction_functions! {
    mean_of => Reduction::Mean, std_of => Reduction::Std, var_of => Reduction::Var, prod_of => Reduction::Prod,
    argmin_of => Reduction::ArgMin, argmax_of => Reduction::ArgMax, nansum_of => Reduction::NanSum,
    nanmean_of => Reduction::NanMean, nanmin_of => Reduction::NanMin, nanmax_of => Reduction::NanMax,
    nanstd_of => Reduction::NanStd, nanvar_of => Reduction::NanVar, nanprod_of => Reduction::NanProd,
}

fn print(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (sep, end) = (args.str(1)?, args.str(2)?);
    let Value::Tuple(values) = interpreter.force_value(args.value(0).clone())? else {
        return Ok(Value::None);
    };
    let text = values
        .iter()
        .map(Value::display)
        .collect::<Vec<_>>()
        .join(&sep);
    interpreter.write_output(&format!("{text}{end}"))?;
    Ok(Value::None)
}

fn len(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Value::Frame(frame) = args.value(0) {
        let frame = frame.clone();
        return frames::frame_len(interpreter, &frame);
    }
    if let Value::Column(column) = args.value(0) {
        let values = column.values()?;
        return frames::frame_len(interpreter, &values);
    }
    if let Value::Array(a) = args.value(0) {
        if a.ndim() > 0 {
            return Ok(Value::Int(a.shape[0] as i64));
        }
    }
    match args.value(0) {
        Value::List(items) | Value::Tuple(items) => Ok(Value::Int(items.len() as i64)),
        Value::Str(text) => Ok(Value::Int(text.chars().count() as i64)),
        Value::Record(fields) => Ok(Value::Int(fields.len() as i64)),
        _ => Err(args.wrong_type(0, "a list, tuple, record or str")),
    }
}

fn range(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let (start, stop) = match args.value(1) {
        Value::None => (0, args.int(0)?),
        _ => (args.int(0)?, args.int(1)?),
    };
    let step = args.int(2)?;
    if step == 0 {
        return args.value_error(
            interpreter,
            "flow::eval::zero_step",
            "range step cannot be zero".into(),
            "use a step of 1 or -1",
        );
    }
    let count = if step > 0 {
        (stop.saturating_sub(start).max(0) as u64).div_ceil(step as u64)
    } else {
        (start.saturating_sub(stop).max(0) as u64).div_ceil(step.unsigned_abs())
    };
    let bytes = (count as usize).saturating_mul(std::mem::size_of::<Value>());
    let what = format!("a list of {count} ints");
    interpreter.check_fits(bytes, &what, crate::eval::interpreter::LIST_HELP, args.call)?;
    if interpreter.is_checking() && count > CHECK_MAX_MATERIALISED as u64 {
        return Ok(Value::Unknown(Type::List(Box::new(Type::Int))));
    }
    Ok(Value::list(
        (0..count as i64)
            .map(|k| Value::Int(start + k * step))
            .collect(),
    ))
}

fn sum(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Value::Array(array) = args.value(0).clone() {
        return arrays::reduce_array(interpreter, args, &array, Reduction::Sum, 2);
    }
    let items = args.items(interpreter, 0)?;
    let start = args.value(1).clone();
    if items
        .iter()
        .chain([&start])
        .all(|v| matches!(v, Value::Int(_)))
    {
        let mut total: i64 = 0;
        for item in items.iter().chain([&start]) {
            let Value::Int(i) = item else { unreachable!() };
            match total.checked_add(*i) {
                Some(t) => total = t,
                None => {
                    return args.value_error(
                        interpreter,
                        "flow::eval::overflow",
                        "integer overflow in sum".into(),
                        "sum floats instead",
                    );
                }
            }
        }
        return Ok(Value::Int(total));
    }
    if items
        .iter()
        .chain([&start])
        .all(|v| matches!(v, Value::Int(_) | Value::Float(_)))
    {
        // Neumaier's compensated summation, as Python's sum of floats.
        let (mut total, mut compensation) = (0.0f64, 0.0f64);
        for item in items.iter().chain([&start]) {
            let x = match item {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                _ => unreachable!(),
            };
            let t = total + x;
            compensation += if total.abs() >= x.abs() {
                (total - t) + x
            } else {
                (x - t) + total
            };
            total = t;
        }
        return Ok(Value::Float(total + compensation));
    }
    let mut total = start;
    for item in items {
        // Arrays, labelled arrays and the like add as their kind does: `sum([a, b, c])` is
        // `0 + a + b + c`, lazy and elementwise.
        let kinds = crate::eval::kinds::kind_of(&total).or(crate::eval::kinds::kind_of(&item));
        if kinds.is_some() {
            total = interpreter.apply_binary(
                crate::syntax::ast::BinaryOp::Add,
                total,
                item,
                args.call,
            )?;
            continue;
        }
        total = match operators::binary(crate::syntax::ast::BinaryOp::Add, &total, &item) {
            Ok(value) => value,
            Err(error) => {
                return Err(Box::new(
                    Diagnostic::error(
                        error.code,
                        format!("cannot sum: {}", error.message),
                        args.call,
                    )
                    .with_label("in this sum")
                    .with_help(error.help),
                ))
            }
        };
    }
    Ok(total)
}

fn extreme_of_array(
    interpreter: &mut Interpreter,
    args: &mut Args,
    reduction: Reduction,
) -> Option<Eval<Value>> {
    match args.value(0) {
        Value::Tuple(values) if values.len() == 1 => match &values[0] {
            Value::Array(array) => {
                let array = array.clone();
                Some(arrays::reduce_array(
                    interpreter,
                    args,
                    &array,
                    reduction,
                    1,
                ))
            }
            _ => None,
        },
        _ => None,
    }
}

fn extreme(
    interpreter: &mut Interpreter,
    args: &mut Args,
    wanted: Ordering,
    name: &str,
) -> Eval<Value> {
    let items = args.items_or_values(interpreter)?;
    if items.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown(Type::Any));
    }
    if items
        .iter()
        .any(|v| matches!(v, Value::Array(_) | Value::Labelled(_)))
    {
        return elementwise_extreme(&items, wanted, args);
    }
    let mut best: Option<Value> = None;
    for item in items {
        best = Some(match best {
            None => item,
            Some(current) => match compare(&item, &current) {
                Some(ordering) if ordering == wanted => item,
                Some(_) => current,
                None => {
                    return Err(Box::new(
                        Diagnostic::error(
                            "flow::check::argument_type",
                            format!(
                                "`{name}` cannot compare {} with {}",
                                item.type_name(),
                                current.type_name()
                            ),
                            args.call,
                        )
                        .with_label("mixed values")
                        .with_help("compare numbers with numbers and strings with strings"),
                    ))
                }
            },
        });
    }
    match best {
        Some(value) => Ok(value),
        None => args.value_error(
            interpreter,
            "flow::eval::empty",
            format!("`{name}` of nothing"),
            "give at least one value",
        ),
    }
}

/// `min([a, b, c])` / `max(a, b)` of arrays (or labelled arrays, lined up by name): NumPy's
/// `minimum`/`maximum` folded over them, elementwise and lazy (NaN wins, as there).
fn elementwise_extreme(items: &[Value], wanted: Ordering, args: &Args) -> Eval<Value> {
    use crate::array::node::{BinaryFunction, MapFunction};
    use crate::dataset::Side;
    let function = MapFunction::Binary(if wanted == Ordering::Less {
        BinaryFunction::Minimum
    } else {
        BinaryFunction::Maximum
    });
    let side = |v: &Value| match v {
        Value::Array(a) => Ok(Side::Array(a.clone())),
        Value::Labelled(l) => Ok(Side::Labelled((**l).clone())),
        other => Err(Box::new(
            Diagnostic::error(
                "flow::check::argument_type",
                format!(
                    "`{}` of arrays cannot take {} among them",
                    args.builtin.name,
                    other.type_name()
                ),
                args.call,
            )
            .with_label("mixed values")
            .with_help("give arrays only, or use minimum/maximum with a number"),
        )),
    };
    let mut total = side(&items[0])?;
    for item in &items[1..] {
        let pair = vec![total, side(item)?];
        total = if pair.iter().any(|s| matches!(s, Side::Labelled(_))) {
            Side::Labelled(datasets::elementwise(function, pair, args.call)?)
        } else {
            let operands = pair
                .into_iter()
                .map(|s| match s {
                    Side::Array(a) => crate::array::node::Operand::Array(a),
                    _ => unreachable!("arrays only"),
                })
                .collect();
            let mut warnings = Vec::new();
            Side::Array(crate::array::build::map(
                function,
                operands,
                args.call,
                &mut warnings,
            )?)
        };
    }
    Ok(match total {
        Side::Array(a) => Value::Array(a),
        Side::Labelled(l) => crate::eval::kinds::dataset::wrap(l),
        Side::Other => unreachable!("arrays only"),
    })
}

fn min(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Some(result) = extreme_of_array(interpreter, args, Reduction::Min) {
        return result;
    }
    extreme(interpreter, args, Ordering::Less, "min")
}

fn max(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Some(result) = extreme_of_array(interpreter, args, Reduction::Max) {
        return result;
    }
    extreme(interpreter, args, Ordering::Greater, "max")
}

fn abs(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Some(result) = arrays::math_on_array(interpreter, args) {
        return result;
    }
    match args.value(0) {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Ok(Value::Int(a)),
            None => args.value_error(
                interpreter,
                "flow::eval::overflow",
                "integer overflow".into(),
                "use floats for values beyond ±9.2e18",
            ),
        },
        Value::Float(f) => Ok(Value::Float(f.abs())),
        _ => Err(args.wrong_type(0, "a number")),
    }
}

fn round(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Some(result) = arrays::round_array(interpreter, args) {
        return result;
    }
    let x = args.float(0)?;
    match args.value(1) {
        Value::None => {
            if let Value::Int(i) = args.value(0) {
                return Ok(Value::Int(*i));
            }
            let rounded = x.round_ties_even();
            if !rounded.is_finite() || rounded.abs() >= 9.2e18 {
                return Err(args.wrong_type(0, "a finite number within the int range"));
            }
            Ok(Value::Int(rounded as i64))
        }
        _ => {
            let digits = args.int(1)?.clamp(-300, 300) as i32;
            if (0..=17).contains(&digits) && x.is_finite() {
                // Rounds the exact binary value, half to even, as Python: round(2.675, 2) is 2.67.
                return Ok(Value::Float(
                    format!("{x:.*}", digits as usize).parse().unwrap_or(x),
                ));
            }
            let scale = 10f64.powi(digits);
            let scaled = x * scale;
            if !scaled.is_finite() {
                return Ok(Value::Float(x));
            }
            Ok(Value::Float(scaled.round_ties_even() / scale))
        }
    }
}

fn to_str(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if interpreter.is_checking() && matches!(args.value(0), Value::Array(_)) {
        return Ok(Value::Unknown(Type::Str));
    }
    Ok(Value::str(
        &interpreter.force_value(args.value(0).clone())?.display(),
    ))
}

fn repr(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    Ok(Value::str(&args.value(0).repr()))
}

/// The value of a 0-d array argument as a scalar (computing it).
fn scalar_argument(interpreter: &mut Interpreter, args: &mut Args) -> Eval<()> {
    if let Value::Array(array) = args.value(0).clone() {
        if array.ndim() != 0 {
            return Err(args.wrong_type(0, "a number or a 0-d array (a full reduction)"));
        }
        args.values[0] = if interpreter.is_checking() {
            Value::Unknown(Type::Any)
        } else {
            interpreter.array_scalar(&array)?
        };
    }
    Ok(())
}

fn to_int(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    scalar_argument(interpreter, args)?;
    if args.any_unknown() {
        return Ok(Value::Unknown(Type::Int));
    }
    match args.value(0).clone() {
        Value::Int(i) => Ok(Value::Int(i)),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        Value::Float(f) if f.is_finite() && f.abs() < 9.2e18 => Ok(Value::Int(f.trunc() as i64)),
        Value::Float(f) => args.value_error(
            interpreter,
            "flow::eval::conversion",
            format!("cannot convert {} to int", Value::Float(f).repr()),
            "only finite floats within ±9.2e18 convert",
        ),
        Value::Str(s) => match s.trim().replace('_', "").parse::<i64>() {
            Ok(i) => Ok(Value::Int(i)),
            Err(_) => args.value_error(
                interpreter,
                "flow::eval::conversion",
                format!("cannot convert {} to int", Value::Str(s.clone()).repr()),
                "the text must be a whole number, like \"42\"",
            ),
        },
        _ => Err(args.wrong_type(0, "a number, bool or str")),
    }
}

fn to_float(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    scalar_argument(interpreter, args)?;
    if args.any_unknown() {
        return Ok(Value::Unknown(Type::Float));
    }
    match args.value(0).clone() {
        Value::Int(i) => Ok(Value::Float(i as f64)),
        Value::Float(f) => Ok(Value::Float(f)),
        Value::Bool(b) => Ok(Value::Float(b as i64 as f64)),
        Value::Str(s) => match s.trim().replace('_', "").to_lowercase().parse::<f64>() {
            Ok(f) => Ok(Value::Float(f)),
            Err(_) => args.value_error(
                interpreter,
                "flow::eval::conversion",
                format!("cannot convert {} to float", Value::Str(s.clone()).repr()),
                "the text must be a number, like \"2.5\" or \"1e-3\"",
            ),
        },
        _ => Err(args.wrong_type(0, "a number, bool or str")),
    }
}

fn format(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let spec = args.str(1)?;
    format_value(args.value(0), &spec)
        .map(|text| Value::str(&text))
        .map_err(|message| {
            Box::new(
                Diagnostic::error(
                    "flow::check::format_spec",
                    format!("bad format spec: {message}"),
                    args.spans[1],
                )
                .with_label("this spec")
                .with_help(
                    "specs look like `.3f`, `>8`, `,d`, `.1%`, `.2e` (see docs/language.md)",
                ),
            )
        })
}

fn type_of(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    Ok(Value::str(&args.value(0).type_name()))
}

fn zip(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let Value::Tuple(sequences) = args.value(0).clone() else {
        return Ok(Value::list(vec![]));
    };
    let mut columns = Vec::new();
    for sequence in sequences.iter() {
        match interpreter.iterate(sequence, args.spans[0])? {
            Some(items) => columns.push(items),
            None => return Ok(Value::Unknown(Type::List(Box::new(Type::Tuple)))),
        }
    }
    let rows = columns.iter().map(Vec::len).min().unwrap_or(0);
    Ok(Value::list(
        (0..rows)
            .map(|r| Value::tuple(columns.iter().map(|c| c[r].clone()).collect()))
            .collect(),
    ))
}

fn enumerate(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let items = args.items(interpreter, 0)?;
    let start = args.int(1)?;
    Ok(Value::list(
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| Value::tuple(vec![Value::Int(start + i as i64), item]))
            .collect(),
    ))
}

fn sorted(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let mut items = args.items(interpreter, 0)?;
    let reverse = args.bool(1)?;
    let mut incomparable = None;
    items.sort_by(|a, b| {
        compare(a, b).unwrap_or_else(|| {
            incomparable.get_or_insert((a.type_name(), b.type_name()));
            Ordering::Equal
        })
    });
    if let Some((a, b)) = incomparable {
        return Err(Box::new(
            Diagnostic::error(
                "flow::check::argument_type",
                format!("cannot order {a} and {b}"),
                args.spans[0],
            )
            .with_label("mixed values")
            .with_help("sort numbers with numbers and strings with strings"),
        ));
    }
    if reverse {
        items.reverse();
    }
    Ok(Value::list(items))
}

fn reversed(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let mut items = args.items(interpreter, 0)?;
    items.reverse();
    Ok(Value::list(items))
}

fn list(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    Ok(Value::list(args.items(interpreter, 0)?))
}

fn truth_values(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Vec<bool>> {
    let items = args.items(interpreter, 0)?;
    items
        .iter()
        .map(|item| match item {
            Value::Bool(b) => Ok(*b),
            other => Err(Box::new(
                Diagnostic::error(
                    "flow::check::argument_type",
                    format!(
                        "`{}` needs bools, found {}",
                        args.builtin.name,
                        other.type_name()
                    ),
                    args.spans[0],
                )
                .with_label("not all bools")
                .with_help("compare first, e.g. `any([x > 0 for x in xs])`"),
            )),
        })
        .collect()
}

fn any(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Value::Array(array) = args.value(0).clone() {
        return arrays::reduce_array(interpreter, args, &array, Reduction::Any, 1);
    }
    Ok(Value::Bool(
        truth_values(interpreter, args)?.into_iter().any(|b| b),
    ))
}

fn all(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if let Value::Array(array) = args.value(0).clone() {
        return arrays::reduce_array(interpreter, args, &array, Reduction::All, 1);
    }
    Ok(Value::Bool(
        truth_values(interpreter, args)?.into_iter().all(|b| b),
    ))
}

fn error(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let message = match args.value(0) {
        Value::Unknown(_) => return Ok(Value::Unknown(Type::Any)),
        other => other.display(),
    };
    interpreter.value_error(
        Diagnostic::error("flow::eval::user_error", message, args.call)
            .with_label("raised here")
            .with_help("this error was raised by the program with `error(…)`"),
    )
}

fn assert(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    match args.value(0) {
        Value::Bool(true) | Value::Unknown(Type::Bool | Type::Any) => Ok(Value::None),
        Value::Bool(false) => {
            let message = args.value(1).display();
            interpreter.value_error(
                Diagnostic::error(
                    "flow::eval::assertion",
                    format!("assertion failed: {message}"),
                    args.spans[0],
                )
                .with_label("this is false")
                .with_help("the program asserted this condition"),
            )?;
            Ok(Value::None)
        }
        _ => Err(args.wrong_type(0, "a bool")),
    }
}

fn sleep(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    if args.any_unknown() {
        return Ok(Value::None);
    }
    let seconds = args.float(0)?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(args.wrong_type(0, "a number of seconds between 0 and 86400"));
    }
    if !interpreter.is_checking() {
        let _ = interpreter.flush_output();
        // In slices, so a cancelled task stops within 10 ms.
        let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            if interpreter.cancelled() {
                return Err(crate::eval::jobs::interrupted(args.call));
            }
            std::thread::sleep(left.min(std::time::Duration::from_millis(10)));
        }
    }
    Ok(Value::None)
}

fn math(interpreter: &mut Interpreter, args: &mut Args, f: fn(f64) -> f64) -> Eval<Value> {
    if let Some(result) = arrays::math_on_array(interpreter, args) {
        return result;
    }
    Ok(Value::Float(f(args.float(0)?)))
}

fn isnan(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    test(interpreter, args, f64::is_nan)
}

/// A test of a number, elementwise on an array.
fn test(interpreter: &mut Interpreter, args: &mut Args, f: fn(f64) -> bool) -> Eval<Value> {
    if let Some(result) = arrays::math_on_array(interpreter, args) {
        return result;
    }
    Ok(Value::Bool(f(args.float(0)?)))
}

fn split(_: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let text = args.receiver_str();
    let pieces: Vec<Value> = match args.value(0) {
        Value::None => text.split_whitespace().map(Value::str).collect(),
        _ => {
            let sep = args.str(0)?;
            if sep.is_empty() {
                return Err(args.wrong_type(0, "a non-empty str"));
            }
            text.split(&*sep).map(Value::str).collect()
        }
    };
    Ok(Value::list(pieces))
}

fn join(interpreter: &mut Interpreter, args: &mut Args) -> Eval<Value> {
    let items = args.items(interpreter, 0)?;
    let mut pieces = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Str(s) => pieces.push(s.to_string()),
            other => {
                return Err(Box::new(
                    Diagnostic::error(
                        "flow::check::argument_type",
                        format!("`join` needs strings, found {}", other.type_name()),
                        args.spans[0],
                    )
                    .with_label("not all strings")
                    .with_help("convert first: \", \".join([str(x) for x in xs])"),
                ))
            }
        }
    }
    Ok(Value::str(&pieces.join(&args.receiver_str())))
}

// ---------------------------------------------------------------------- help and docs

/// `:help name` text: signature, summary, example.
pub fn help(name: &str) -> Option<String> {
    let builtin = table()
        .iter()
        .find(|b| b.name == name || b.qualified_name() == name)?;
    let mut text = format!(
        "{}\n  {}\n  example: {}",
        builtin.signature_text(),
        builtin.summary,
        builtin.example
    );
    if !builtin.example_output.is_empty() {
        text.push_str(&format!("\n        → {}", builtin.example_output));
    }
    Some(text)
}

/// `:help` with no name: every builtin by category.
pub fn help_index() -> String {
    let mut out = String::from("builtins (`:help NAME` for one):\n");
    let mut categories: Vec<&str> = Vec::new();
    for builtin in table() {
        if !categories.contains(&builtin.category) {
            categories.push(builtin.category);
        }
    }
    for category in categories {
        let names: Vec<String> = table()
            .iter()
            .filter(|b| b.category == category)
            .map(|b| b.qualified_name())
            .collect();
        out.push_str(&format!("  {category}: {}\n", names.join(" ")));
    }
    out.push_str(&format!(
        "  constants: {}",
        CONSTANTS.iter().map(|c| c.0).collect::<Vec<_>>().join(" ")
    ));
    out
}

/// docs/builtins.md, generated from the table (a test keeps the file current).
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Builtins\n\nGenerated from the builtin table in `src/builtins/mod.rs` \
         (`FLOW_BLESS=1 cargo test --test docs` rewrites it). The REPL's `:help NAME` shows the same text.\n",
    );
    let mut categories: Vec<&str> = Vec::new();
    for builtin in table() {
        if !categories.contains(&builtin.category) {
            categories.push(builtin.category);
        }
    }
    for category in categories {
        out.push_str(&format!("\n## {category}\n\n| signature | what it does | example | prints |\n|---|---|---|---|\n"));
        for builtin in table().iter().filter(|b| b.category == category) {
            out.push_str(&format!(
                "| `{}` | {} | `{}` | `{}` |\n",
                builtin.signature_text(),
                builtin.summary.replace('|', "\\|"),
                builtin.example.replace('|', "\\|"),
                builtin.example_output.replace('|', "\\|")
            ));
        }
    }
    out.push_str("\n## constants\n\n| name | value |\n|---|---|\n");
    for (name, _, doc) in CONSTANTS {
        out.push_str(&format!("| `{name}` | {doc} |\n"));
    }
    out
}
