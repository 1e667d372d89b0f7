"""A differential test of flow's labelled arrays and datasets against xarray.

    python datasets_vs_xarray.py --flow FLOW_BINARY --dir WORKDIR --seed 7 --cases 300 [--jobs 2]

It writes random netCDF sets into WORKDIR (`setK/*.nc`, with netCDF4-python, the way data
centres write them) and makes random pipelines over them from one small syntax tree (below,
`Node` and `Generator`), each rendered twice: as a flow script `case_NNN.flow` (its xarray twin is
appended to it as comments) and as xarray code run here.

The sets. One to four files per set, concatenated along `time` (an unlimited dimension, or a
fixed one as xarray writes files); one to four dimensions named like time, lev, lat, lon, with
lengths of 1 among others; ascending and descending coordinates of f32, f64 or i32, a dimension
now and then without a coordinate variable, now and then a coordinate holding one value twice; a
CF time coordinate at midnight (daily, monthly) or not (six-hourly, daily at noon), each file
with its own units (`days since 2000-01-01`, `hours since 1999-12-31 12:00:00`, `minutes since
...`, `seconds since 2000-01-01 06:00:00`; in one set `hours since 2000-01-01 00:00:00 +01:00`),
stored as f64 or i32 (the same in every file of a set), with or without a calendar; file names
in time order or not; classic (netCDF-3) or netCDF-4 files. Some sets always have a feature
(`SPECIAL_SETS`: times not at midnight, a repeated coordinate value, UTC-offset units, int16), so
that every seed meets them. Variables: float32 and float64 with NaN (stored as NaN, or as a
`_FillValue` or `missing_value`), values on a decimal grid now and then (f32 0.3 and the like),
int16 packed with `scale_factor`/`add_offset` (f64 or f32) and `_FillValue`, plain int16 (read
as i32, see below) and int32, and a static variable without time in some multi-file sets;
attributes (`units`, `long_name`, text and numbers).

The pipelines: `open_dataset` of one file or `open_mfdataset` of a pattern or a list (with
`chunks=` and `concat_dim=` now and then); variables by attribute and by index; `isel` (ints,
negative ints, slices with steps, empty slices, a record of positions), positional indexing, `sel`
(values, repeated values, `method="nearest"`, value slices in either order, dates, days of times
not at midnight, months, date slices, the nearest date); reductions by name (`sum mean min max
std var prod`, and `any all` of bools) with `dim=` a name, a tuple, a list or none, `skipna=`
and `ddof=`; arithmetic between variables (broadcasting by name; anomalies, coordinates,
transposed operands) and with numbers; comparisons with numbers, `isnan`, math functions, `where`,
`clip`, `astype`; `x.where(cond)`, `x.where(cond, other)` and `x.where(cond, none)` with a
condition over the array's dimensions, fewer of them or others (a reduction compared, another
variable, a coordinate, `x.mean("time").where(x > 0)`: broadcast by name) and `other` a number
(NaN too) or a labelled array; `assign_attrs(units="cm")` and `assign_attrs({...})` (new and
replaced attributes); `x.rename("new")` and `rename({lat: "y"})` (or `rename(lat="y")`) of
dimensions, coordinates and scalar coordinates; `sum([a, b, c])`, `min([a, b])`, `max(a, b, c)`
of one to three labelled arrays lined up by name (companions as for arithmetic; NaN wins in
min/max); `x.weighted(w).mean/sum(dim)` with weights made from coordinates; `transpose`,
`.T` and `rechunk` (which must not change any value); windows: `coarsen` along one to three
dimensions (by keyword or a record, `boundary=` "exact", "trim" or "pad", `side=` "left" or
"right"; `mean sum min max prod std var`, `ddof=`; the coordinates become the windows' means, a
time the mean time) and `rolling` along one (`center=`, `min_periods=`; `mean sum min max std
var`, `ddof=`), of ints (and bools for rolling), f32, f64 and packed values with NaN, with
windows of 1, as long as the dimension, not dividing it, longer than it (pad, rolling), often
after a rechunk to blocks smaller than the window (a window or its halo spans several blocks),
now and then one window of another's result; and the same selections, reductions, rechunks,
coarsens and rollings of whole datasets (a variable without the windowed dimensions is left as
it is, one with some of them is coarsened over those), and datasets as values: `ds.where(cond,
other)` (the condition from a variable, a reduction or a coordinate, broadcast over each
variable: a variable without its dimensions gains them), `ds.assign_attrs(...)`,
`ds.rename({sst: "ssh", lat: "y"})` (variables, coordinates, dimensions with or without a
coordinate), `ds.drop_vars("a")` / `ds.drop_vars(["a", "b"])` (now and then a coordinate) and
`ds.assign(anom=ds.sst - ds.sst.mean("time"))` (new variables, replaced ones, over fewer
dimensions; a record too), whole-dataset arithmetic (`ds * 2`, `ds - ds.mean("time")`, `ds +
ds`, `-ds`, `ds / ds.sst`, a number, a reduction or a labelled array first now and then), chained
with the selections, reductions and windows above and followed by a variable now and then.
Groupings, of labelled arrays and of datasets (their own family, and steps of the others):
`x.groupby("time.month")` (year, month, day, hour, dayofyear, dayofweek, season: see the models
below), `x.groupby(d.time.dt.month)` (a labelled array), `x.groupby("lat")` (a numeric coordinate,
descending or holding a value twice now and then), `x.groupby_bins("lat", bins, right=,
include_lowest=, labels=)` (a number of equal bins, or edges at values, between them and beyond
both ends: values outside every bin), `x.resample(time="MS")` (D, 2D, 6h, 12h, MS, ME, QS-DEC, QS,
QE, YS, YE: those making at most MAX_PERIODS periods of the times; empty periods too), each
followed by `mean sum min max std var prod median count` (`skipna=`, `ddof=`, `keep_attrs=`);
anomalies `x.groupby("time.month") - x.groupby("time.month").mean()` with `- + * /`, the
climatology first now and then, or from another pipeline over the same groups (another variable,
fewer dimensions, the other spelling of the key; `x.groupby("time.season") - clim` too), and a
climatology by season selected by meaning (`clim.sel(season="JJA")`). A family of mistakes xarray
refuses (a value, date or season not in the coordinate, an unknown dimension or variable, a
position out of range, operands whose coordinates differ, also as a `where` condition or in
`sum`/`min`/`max` of a list, a transpose that leaves out a dimension, a coarsen window that does
not divide the length with boundary="exact", a coarsen or rolling along an unknown dimension, a
rolling min_periods larger than the window, `drop_vars` or `rename` of an unknown name, a `rename`
onto a name the dataset or array has already, a grouping by an unknown coordinate or by a field of
numbers, a resample of numbers or of an unknown dimension, bin edges that do not increase, labels
not one per bin, a grouping combined with a number or with a value without the groups' dimension, a
climatology lacking some of the groups: see below) must be refused by flow too. Only what
docs/datasets.md, docs/arrays.md and docs/builtins.md document is generated; `XARRAY_ONLY` lists
what is left out and why.

Each result is saved by flow (`save(r0, "case_NNN_r0.nc")`, with `unlimited=` for dimensions of
length 0, which netCDF has only as unlimited ones) and read back with xarray's `open_dataset`
(CF decoding on, as a user reads it). flow runs as `FLOW_BINARY run case_NNN.flow` in WORKDIR,
`--jobs` at a time, each with a timeout. What the differential tests share (literals, the
syntax tree's walking, running flow, comparing arrays, the report's tables) is in
differential.py, beside this script.

Each case is classified:

    agree                   flow's file holds xarray's result (the rules below), or both
                            refuse the program: xarray raises and flow stops with a diagnostic
    mismatch (dtype/shape)  a variable's dims (names or order), shape or dtype differ, or the
                            dataset's variables do
    mismatch (values)       a value differs
    mismatch (labels)       values agree, but a name, a coordinate (values, dtype, presence) or an
                            attribute of a variable or a coordinate differs
    flow rejected           flow stopped while checking (exit 1, nothing ran); xarray computes
    flow run-time error     flow failed while running (exit 3, a timeout, no file)
    flow internal error     exit 70, 'internal error' or `flow::eval::kernel_failed`: always a bug
                            in flow, whatever xarray does
    xarray error            xarray raises but flow computes a result

and the exit status is 0 only when every case agrees.

How results compare. The variable: xarray's result name, or `x` when xarray's is None or is a
coordinate's name (flow names such results `x`, docs/datasets.md "Saving"; xarray itself cannot
write a variable named like its coordinate). Dims (names and order), shapes and dtypes exactly
(xarray's decoded dtypes: bool, int32, int64, float32, float64). Values: ints and bools
exactly; floats with NaN equal to NaN, an infinity only equal to the same infinity, finite
values within rtol 1e-6 (f32) or 1e-9 (f64) and an atol of 1e-6 (f32) or 1e-12 (f64) times the
largest magnitude in the program, where a sum counts the sum of its terms' magnitudes (summation
order is free; moving sums and means too); an f64 result computed from f32 values (f32 weights
too) has f32's tolerance. Coordinates: the same names (dimension and scalar coordinates), dims,
dtypes and values (exactly, the means of coarsened windows too; times, decoded, within a
microsecond). Attributes of every saved variable and coordinate, and of a dataset, are compared
too (xarray 2026 keeps attributes through arithmetic, reductions and windows), except the
encoding ones (`ENCODING_ATTRIBUTES`: `_FillValue`, `missing_value`, `scale_factor`,
`add_offset`, ...; and `units`/`calendar` of times, which each side may encode its own way).

What the twin models (documented differences from xarray's defaults, docs/datasets.md):
- flow does not realign operands by coordinate value: shared dimensions must have the same
  coordinates (`flow::check::coord_mismatch`). The twin runs with
  `xr.set_options(arithmetic_join="exact")`, so both refuse misaligned operands.
- `open_mfdataset` orders the files by their times, and a variable without the concatenation
  dimension is read once (the files must agree on it): the twin is `combine_by_coords` of each
  file's `open_dataset` with `data_vars="minimal"` (xarray's `open_mfdataset` needs dask, which
  the interop venv does not have).
- `xr.where(cond, x, y)` fills every coordinate's attributes from `x` (its docstring: "always
  fill coord attrs of x"), so a number as `x`, or an `x` without that coordinate, empties them;
  in flow a coordinate keeps its attributes (docs/datasets.md: `where` keeps the labels). The
  twin's `where` is `xr.where` with each coordinate's attributes put back (the variable's
  attributes stay xarray's: those of `x`). xarray 2026 also names `xr.where`'s result after
  its first labelled argument, the condition (apply_ufunc's rule, shown in xr.where's own
  examples: `xr.where(y.lat < 1, y, -1)` is named `lat`); flow names it as any operation on
  several labelled arrays, after the name they all share, else none (docs/datasets.md,
  Attributes). The twin's `where` sets that name.
- `x.where(cond)` (and `ds.where(cond)`) without `other` realigns in xarray (its `where_method`
  joins "inner" when `other` is not given, whatever `arithmetic_join` says), so a condition
  over other coordinates silently shrinks the result; flow refuses it as any misaligned
  operands. The twin of `x.where(cond)` and of `x.where(cond, none)` is `x.where(cond,
  np.nan)`, which joins exactly (and gives the same values and dtypes: NaN where false).
- `sum([a, b, c])` is Python's `sum` in the twin too (`0 + a + b + c`, xarray's arithmetic:
  attributes "drop_conflicts" step by step, the shared name). flow's `min`/`max` of labelled
  arrays have no xarray method; the twins `minimum(a, b, c)`/`maximum(...)` fold NumPy's
  minimum/maximum (NaN wins) from the left with `apply_ufunc(join="exact",
  keep_attrs="drop_conflicts")`, named after the shared name: each step an operation on two
  labelled arrays (docs/datasets.md, Attributes), as `sum` is. (`np.minimum(a, b)` of
  DataArrays would name the result after `a` and keep only `a`'s attributes.)
- A weighted sum of ints with int weights is i64 in flow (sums of ints are i64); xarray's
  (`xr.dot`) keeps int32. The twin sums `x.astype(np.int64)`.
- xarray's coarsen reductions take no `ddof=` ("_reduce_method() got an unexpected keyword
  argument 'ddof'"); flow's `coarsen.std` and `coarsen.var` do (docs/builtins.md). The twin of
  `x.coarsen(...).std(ddof=1)` is `coarsen_ddof(x.coarsen(...), "std", 1)`: `Coarsen.reduce`
  with NumPy's nanstd/nanvar and that ddof (NaN skipped, as xarray's own std/var of windows
  skip it), the coordinates still the windows' means.
- xarray's `rolling` takes a `min_periods` larger than the window and makes every value NaN;
  flow refuses it (`flow::check::argument_value`, "min_periods is from 1 to the window's
  length"; tests/golden/datasets/bad_rolling.flow), as pandas' rolling does. The twin passes
  every rolling given `min_periods=` through `min_periods_checked`, which raises then.
- A plain (unpacked: no `scale_factor`/`add_offset`) int8, int16, uint8 or uint16 variable is
  read as i32 (docs/datasets.md, "Integer widths": flow's integers are i32 and i64), where
  xarray keeps int16 and the like. The twin converts such data variables to int32 right after
  opening each file (`open_files`), so their arithmetic does not wrap at 16 bits and
  `int16 / f32` is f64, as in flow. Plain int16 variables are generated with values up to 2000,
  whose squares and products do not fit 16 bits.

- xarray labels the bins of `groupby_bins` with pandas intervals (or the `labels=` as given,
  ints as int64); flow with each bin's centre as f64 (or the labels as f64), the edges as the
  coordinate's attribute `bin_edges` (docs/builtins.md `groupby_bins`). The twin relabels them
  (`bins_as_flow`; the binned coordinate's attributes, which xarray keeps on the bins, stay,
  `bin_edges` added) from pandas' `cut(..., retbins=True)` edges computed in f64 (pandas computes
  the edges of `bins=N` in the coordinate's dtype, f32 for an f32 coordinate; which bin each
  value falls in is the same: the coordinates are on multiples of 1/4).
- Arithmetic with a grouping: xarray's result has the groups' labels as a non-index coordinate
  along the grouped dimension (`month` along `time`), and a scalar coordinate of the
  climatology spread along it (its vectorised `clim.isel(month=codes)`); flow has only index
  and scalar coordinates. The twin (`grouped_as_flow`) drops the former and makes the latter
  scalar again. A climatology lacking some of the groups: xarray lines it up with the groups by
  `join="right"` (whatever arithmetic_join says: NaN for a missing group), flow refuses it as
  it refuses any misaligned operands; the twin's `covering` raises then.
- A season is a CF flag in flow (docs/datasets.md, `.dt`): flow's arrays hold numbers, so
  `d.time.dt.season` and the `season` coordinate of `x.groupby("time.season").mean()` (or of
  `x.groupby(d.time.dt.season)`) hold the codes (i64: 0 DJF, 1 JJA, 2 MAM, 3 SON, xarray's
  alphabetical order of the groups) with the attributes `flag_values = [0, 1, 2, 3]` and
  `flag_meanings = "DJF JJA MAM SON"`, where xarray's hold the strings. The twin relabels a
  reduction by season so (`seasons_as_flow`, right after it: what follows, a selection, a
  comparison or a window, sees the codes in both), and back to the strings where a climatology
  is combined with a grouping by season (`seasons_as_xarray`), as xarray lines them up by the
  strings. A selection by meaning, flow's `clim.sel(season="JJA")`, is the twin's
  `clim.sel(season=1)`.

A subexpression used twice (the array a `where` tests and picks from, the array or dataset
`x.where` and `ds.assign` read, the array `sum`/`min`/`max` combine with its companions, the
array weighted and its coordinates made weights) is bound to a name of its own (`x2 = ...`) in
both programs.

A failing case is shrunk: every part of its expression is run as a case of its own, and the
smallest part that fails alike (the same class, and for mismatches the same first difference:
`dtype f64 vs f32`, `values`, `attrs dropped`, `name`, ...) names the failure's cause in the
report, with its flow script, its xarray expression and both answers. When flow refuses a
program or fails running it, the last step that already differs from xarray in its dimensions
or coordinates (a dimension dropped that a later step names) is named too.
"""

import functools
import json
import math
import os
import random
import re
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass, field

import netCDF4
import numpy as np
import pandas as pd
import xarray as xr

import differential
from differential import (AGREE, FLOW_DTYPE, INTERNAL_ERROR, MISMATCH_TYPE, MISMATCH_VALUES,
                          REJECTED, RUNTIME_ERROR, ProgramGenerator, Retry, TreeNode, case_stem,
                          first_message, flow_failure, flow_number, indent, operand, operations,
                          parse_arguments, prepare, print_case, print_classes, print_flow_stderr,
                          print_outcomes, py_number, quiet, smallest, values_difference)

# ------------------------------------------------------------------------------------------------
# What xarray has and flow does not (docs/datasets.md lists what flow has), or where flow differs
# from xarray on purpose, so the generator never makes it. Kept for later: when flow gains one,
# teach the generator to make it.
XARRAY_ONLY = [
    # reading
    "int8, uint8, uint16 and uint32 variables: flow has no such dtypes and reads "
    "them as i32/i64 (docs/datasets.md, Integer widths); plain int16 IS generated, and the twin "
    "reads it as int32 as flow does (see the models at the top)",
    "string and char variables, which flow leaves out of the dataset",
    "non-standard calendars (noleap, 360_day, julian: cftime objects in xarray); a time "
    "coordinate that decreases; times before 1678 or after 2262 (datetime64[ns])",
    "open_mfdataset(combine='nested'), preprocess=, parallel=, data_vars='all' (xarray's "
    "open_mfdataset default would add time to a static variable; flow reads it once)",
    "open_dataset(decode_times=False, mask_and_scale=False, decode_cf=False)",
    "files of one set whose time variables differ in dtype (f64 in one, i32 in another): flow "
    "refuses them (flow::check::mismatched_files, documented: the files must agree on dtypes); "
    "their units may differ",
    # selection
    "sel of a number that an f32 coordinate cannot hold exactly (0.1): flow compares in the "
    "coordinate's precision (documented), pandas in f64 (KeyError); coordinates are kept on "
    "multiples of 1/4",
    "sel(method='pad'/'backfill'), sel(tolerance=), sel of a list or an array of labels, "
    "isel of a list or an array of positions (vectorised indexing), loc[], drop_sel, where(drop=)",
    "sel(method='nearest') on a coordinate holding a value twice (pandas raises), or exactly half "
    "way between two values (the tie rule is not documented)",
    "sel of a date on a numeric coordinate, or of a number on a time coordinate",
    # operations
    "Dataset.weighted, Dataset.transpose; arithmetic of two datasets whose variables differ",
    "arithmetic realigning coordinates (xarray's default join='inner'); see the models above",
    "//, % and ** of labelled arrays with arrays; bitwise & | of labelled arrays",
    "reductions with keep_attrs=, min_count=, numeric_only=; median, quantile, cumsum, "
    "argmin/argmax, count, idxmin/idxmax of labelled arrays; interp, shift, roll, pad, diff",
    # groupings
    "groupby of several keys or of a 2-d array, groupby_bins of times or of a calendar field, a "
    "grouping's map/reduce/first/last/quantile/cumsum, its reductions with dim= or min_count=; "
    "resample's origin=/offset=/closed=/label=, W and business frequencies, "
    "asfreq/interpolate/ffill",
    "arithmetic with a resample grouping (x.resample(time='MS') - clim): xarray 2026 raises "
    "('the group variable __resample_dim__ is not a dimension on the other argument'), flow "
    "computes it",
    "arithmetic with a groupby_bins grouping: xarray's climatology has pandas intervals (see "
    "bins_as_flow), and positions outside every bin are NaN in xarray, refused by flow",
    # windows
    "rolling along several dimensions at once (flow rolls along one at a time, documented); "
    "rolling(...).construct/reduce/count/median/prod, rolling_exp, cumulative",
    "rolling along a dimension of length 0: xarray raises ('window shape cannot be larger "
    "than input array shape'), flow gives an empty result (not documented either way)",
    "coarsen(coord_func=), side= or boundary= as a record per dimension, "
    "coarsen(...).construct/reduce/median/count; coarsen of bools (not documented in flow); "
    "flow's coarsen skipna=false (xarray's coarsen reductions have no twin of it)",
    "coarsen(boundary='trim') with a window longer than the dimension: xarray fails reducing "
    "the empty window ('zero-size array to reduction operation fmin which has no identity', "
    "from the coordinate's mean), flow gives a dimension of length 0",
    "any/all of non-bool labelled arrays (flow documents them for bools), min/max of bools",
    "weighted(w) with NaN weights (xarray raises), weighted std/var/quantile/sum_of_weights",
    "astype of floats holding NaN to integers (undefined in NumPy)",
    "integer results that may overflow their dtype (integer +, -, *, **, square, prod): how "
    "flow's integers wrap is not documented (`fits_integer` bounds them)",
    "transpose with ... or with some dimensions left out (xarray raises; generated as a mistake)",
    "assign_coords, rename_vars, rename_dims, expand_dims, squeeze, stack, swap_dims, "
    "set_index, reindex, broadcast_like, xr.concat, xr.merge, xr.align",
    "min/max of labelled arrays with numbers among them: flow refuses them "
    "(flow::check::argument_type, 'use minimum/maximum with a number'); sum/min/max of "
    "unlabelled arrays and of lists of numbers are arrays_vs_numpy.py's",
    "ds.assign of an array whose coordinates differ from the dataset's: xarray realigns it "
    "(reindexing, NaN where missing), flow refuses it (docs/datasets.md: shared dimensions must "
    "agree); assign of a callable, of a Dataset; assign_attrs of a dataset's variable in place",
    "where with other= a Dataset, where(drop=True), drop_vars(errors='ignore'), "
    "Dataset.drop_dims; rename of a DataArray by a dict naming the array itself",
    "to_netcdf's encoding= (flow: compression=, unlimited=)",
]

RTOL = {"f64": 1e-9, "f32": 1e-6}
ATOL = {"f64": 1e-12, "f32": 1e-6}
TIME_TOLERANCE_NS = 1000
EXAMPLES_PER_CAUSE = 3  # places shown in full for each distinct failure
SETS = 12
# Features some sets always have, whatever the seed, so that every run meets them: times not at
# midnight, a coordinate holding a value twice, time units with a UTC offset, plain int16.
SPECIAL_SETS = {1: {"six-hourly"}, 2: {"int16"}, 3: {"duplicated coordinate value"},
                5: {"noon"}, 7: {"utc offset units"}, 9: {"duplicated coordinate value", "monthly"}}

# The classes the other tests have too (AGREE, MISMATCH_TYPE, ...) are differential.py's.
MISMATCH_LABELS = "mismatch (labels)"
XARRAY_ERROR = "xarray error"
CLASSES = [AGREE, MISMATCH_TYPE, MISMATCH_VALUES, MISMATCH_LABELS, REJECTED, RUNTIME_ERROR,
           INTERNAL_ERROR, XARRAY_ERROR]
# The kinds of difference, in the order a case's first difference is named by, and the class
# each one makes.
KINDS = {"variables": MISMATCH_TYPE, "dims": MISMATCH_TYPE, "shape": MISMATCH_TYPE,
         "dtype": MISMATCH_TYPE, "values": MISMATCH_VALUES, "name": MISMATCH_LABELS,
         "coords": MISMATCH_LABELS, "attrs": MISMATCH_LABELS, "coord attrs": MISMATCH_LABELS}
# Attributes that describe the encoding in the file, not the values: not compared.
ENCODING_ATTRIBUTES = {"_FillValue", "missing_value", "scale_factor", "add_offset", "coordinates",
                       "_Unsigned", "dtype", "_NCProperties", "chunksizes"}
TIME_ENCODING_ATTRIBUTES = {"units", "calendar"}

REDUCTIONS = ["sum", "mean", "min", "max", "std", "var", "prod"]
REDUCTION_WEIGHTS = [10, 10, 6, 6, 6, 5, 7]
BOOL_REDUCTIONS = ["any", "all", "sum", "mean"]
# Groupings: how (see Generator.grouping_of), the reductions of groups, the calendar fields of
# times grouped by, the resampling frequencies (those making at most MAX_PERIODS periods).
GROUP_KINDS = ["field", "array", "coordinate", "bins", "resample"]
GROUP_REDUCTIONS = ["mean", "sum", "min", "max", "std", "var", "prod", "median", "count"]
GROUP_REDUCTION_WEIGHTS = [12, 8, 6, 6, 5, 5, 3, 5, 5]
TIME_FIELDS = ["year", "month", "day", "hour", "dayofyear", "dayofweek", "season"]
TIME_FIELD_WEIGHTS = [8, 30, 15, 12, 10, 12, 18]
FREQUENCIES = ["D", "2D", "6h", "12h", "MS", "ME", "QS-DEC", "QS", "QE", "YS", "YE"]
MAX_PERIODS = 40
PANDAS_FIELDS = {"dayofyear": "day_of_year", "dayofweek": "day_of_week"}
# The seasons as xarray orders its groups (alphabetically), each flow's code its position; the
# months of each; and the CF flag attributes flow's season codes carry (see seasons_as_flow).
SEASONS = ["DJF", "JJA", "MAM", "SON"]
SEASON_OF_MONTH = {m: SEASONS.index(s) for s, months in
                   [("DJF", (12, 1, 2)), ("MAM", (3, 4, 5)), ("JJA", (6, 7, 8)),
                    ("SON", (9, 10, 11))] for m in months}
SEASON_FLAGS = {"flag_values": np.arange(len(SEASONS), dtype=np.int64),
                "flag_meanings": " ".join(SEASONS)}
FLOAT_FUNCTIONS = ["abs", "sqrt", "exp", "log", "log1p", "sin", "cos", "tanh", "arctan", "floor",
                   "ceil", "square", "sign", "deg2rad", "trunc", "expm1"]
INT_FUNCTIONS = ["abs", "square", "sign", "sqrt", "cos"]
GROWING_FUNCTIONS = {"exp", "expm1"}
COMPARISONS = [">", ">=", "<", "<=", "==", "!="]
# Numbers for arithmetic, comparisons and branches.
FLOAT_NUMBERS = [2, 0.5, 1.5, -1, 10, 0.1, 3, -2.5, 0.3, 100.0]
INT_NUMBERS = [2, 3, -1, 1, 5]
THRESHOLDS = [0, 1, -1, 0.5, 0.1, 2.5, 20, 0.3, -0.2]

# The names of variables by kind (none of them a method of a dataset).
VARIABLE_NAMES = {"f4": ["sst", "t2m", "sla", "u10"], "f8": ["v10", "q", "adt", "olr"],
                  "packed": ["precip", "tp"], "packed f32": ["swh", "msl"], "i2": ["cnt", "ndays"],
                  "i4": ["code", "nobs"], "static": ["area", "depth"]}
VARIABLE_KINDS = ["f4", "f8", "packed", "packed f32", "i2", "i4", "static"]
VARIABLE_KIND_WEIGHTS = [30, 25, 14, 5, 10, 8, 8]
UNITS = ["K", "m", "m s-1", "kg m-2", "1", "degC", "W m-2"]


# ------------------------------------------------------------------------------------------------
# Literals.


# flow_number, py_number and operand are differential.py's.


@dataclass(frozen=True)
class Flag:
    """A CF flag value written by its meaning (`clim.sel(season="JJA")`): the meaning in flow,
    the code in the twin, whose coordinate holds the codes (seasons_as_flow)."""
    code: int
    meaning: str


def flow_value(v):
    """An argument in flow source: numbers, strings, none, slice(...), tuples, lists."""
    if v is None:
        return "none"
    if isinstance(v, Flag):
        return json.dumps(v.meaning)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, slice):
        return f"slice({flow_value(v.start)}, {flow_value(v.stop)}" + (
            f", {flow_value(v.step)})" if v.step is not None else ")")
    if isinstance(v, tuple):
        return "(" + ", ".join(flow_value(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(flow_value(x) for x in v) + "]"
    return flow_number(v)


def py_value(v):
    if v is None:
        return "None"
    if isinstance(v, Flag):
        return str(v.code)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, slice):
        return f"slice({py_value(v.start)}, {py_value(v.stop)}" + (
            f", {py_value(v.step)})" if v.step is not None else ")")
    if isinstance(v, tuple):
        return "(" + ", ".join(py_value(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(py_value(x) for x in v) + "]"
    return py_number(v)


def index_text(item):
    """A positional index item (an int or a slice) as `x[...]` source, the same in both."""
    if isinstance(item, slice):
        parts = ["" if item.start is None else str(item.start),
                 "" if item.stop is None else str(item.stop)]
        text = ":".join(parts)
        return text + (f":{item.step}" if item.step is not None else "")
    return str(item)


# ------------------------------------------------------------------------------------------------
# The netCDF sets.


@dataclass
class Variable:
    name: str
    dims: tuple
    kind: str  # one of VARIABLE_KINDS


@dataclass
class DataSet:
    name: str  # "set3", the directory
    files: list  # paths relative to WORKDIR, in name order
    variables: dict  # name -> Variable
    tags: list  # what is special about it, for the report
    has_time: bool = True


TIME_STYLES = ["daily", "monthly", "six-hourly", "noon"]
TIME_UNITS = [  # (unit, reference as written, reference in UTC)
    ("days", "2000-01-01", "2000-01-01"),
    ("days", "1990-01-01 00:00:00", "1990-01-01"),
    ("hours", "1999-12-31 12:00:00", "1999-12-31T12:00"),
    ("hours", "2000-01-01 00:00:00", "2000-01-01"),
    ("minutes", "2000-01-01", "2000-01-01"),
    ("seconds", "2000-01-01 06:00:00", "2000-01-01T06:00"),
]
UTC_OFFSET_UNITS = ("hours", "2000-01-01 00:00:00 +01:00", "1999-12-31T23:00")
UNIT_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def make_times(rng, style, n):
    start = np.datetime64("2000-01-01T00:00") + np.timedelta64(rng.randint(0, 40), "D")
    if style == "monthly":
        first = pd.Timestamp(rng.choice(["1999-11-01", "2000-01-01", "2000-02-01"]))
        return [np.datetime64(first + pd.DateOffset(months=k), "s") for k in range(n)]
    if style == "daily":
        return [np.datetime64(start + np.timedelta64(k, "D"), "s") for k in range(n)]
    if style == "noon":
        return [np.datetime64(start + np.timedelta64(12 + 24 * k, "h"), "s") for k in range(n)]
    return [np.datetime64(start + np.timedelta64(6 * k, "h"), "s") for k in range(n)]


def coordinate_values(rng, dim, n):
    """Values of a coordinate: exact in f32 (multiples of 1/4); lat within ±80."""
    if dim == "lat":
        step = rng.choice([2.5, 10.0, 0.5, 20.0])
        start = rng.choice([-45.0, -30.0, 0.0, 10.0, 20.0])
        values = [start + step * k for k in range(n)]
        while max(values) > 80:
            values = [v - step for v in values]
        return values[::-1] if rng.random() < 0.45 else values
    if dim == "lon":
        step = rng.choice([1.25, 30.0, 0.5, 2.5])
        start = rng.choice([0.0, -180.0, 10.5, 100.0])
        values = [start + step * k for k in range(n)]
        return values[::-1] if rng.random() < 0.15 else values
    levels = sorted(rng.sample([1000, 925, 850, 700, 500, 300], n), reverse=True)
    return levels[::-1] if rng.random() < 0.35 else levels


def variable_values(np_rng, rng, kind, shape):
    """The decoded values of a variable (floats with NaN, or ints)."""
    if kind in ("i2", "i4"):
        # int16 up to 2000: its squares and products need 32 bits (read as i32, see the top).
        low, high = (0, 2001) if kind == "i2" else (-100, 101)
        return np_rng.integers(low, high, size=shape).astype(np.float64)
    if kind == "static":
        return np.round(np_rng.uniform(0.5, 5.0, size=shape), 2)
    if kind == "packed":
        values = np.round(np_rng.normal(20.0, 5.0, size=shape), 2)
    elif kind == "packed f32":
        values = np.round(np_rng.normal(3.0, 4.0, size=shape) * 2) / 2
    else:
        loc = rng.choice([0.0, 0.0, 1.0, 5.0, -2.0])
        scale = rng.choice([1.0, 2.0, 0.5, 10.0])
        values = np_rng.normal(loc, scale, size=shape)
        if rng.random() < 0.5:
            values = np.round(values, 1)  # f32 0.3 and the like: NEP 50 comparisons
    rate = rng.choice([0.0, 0.1, 0.2, 0.3])
    values = np.where(np_rng.random(shape) < rate, np.nan, values)
    if len(shape) and shape[-1] > 1 and rng.random() < 0.15:
        values[..., rng.randrange(shape[-1])] = np.nan  # a slice all NaN
    return values


def write_variable(nc, rng, var, values):
    """One variable into an open netCDF4.Dataset, encoded as its kind says."""
    kind = var.kind
    attrs = {"units": rng.choice(UNITS), "long_name": f"{var.name} ({kind})"}
    if rng.random() < 0.25:
        attrs["comment"] = rng.choice(["from a model", "quality controlled", "daily mean"])
    if rng.random() < 0.15:
        attrs["code"] = np.int32(rng.randint(1, 200))
    if rng.random() < 0.1:
        attrs["valid_hint"] = np.float64(rng.choice([2.5, 100.0]))
    if kind in ("i2", "i4"):
        dtype = "i2" if kind == "i2" else "i4"
        v = nc.createVariable(var.name, dtype, var.dims, fill_value=False)
        raw = values.astype(dtype)
    elif kind in ("packed", "packed f32"):
        if kind == "packed":
            scale, offset = 0.01, 20.0
        else:
            scale, offset = np.float32(0.5), np.float32(1.0)
        fill = np.int16(-32767)
        v = nc.createVariable(var.name, "i2", var.dims, fill_value=fill)
        attrs["scale_factor"] = scale
        attrs["add_offset"] = offset
        raw = np.where(np.isnan(values), fill, np.round((values - offset) / scale)).astype("i2")
    else:
        dtype = "f8" if kind in ("f8", "static") else "f4"
        how = rng.choice(["nan", "fill", "fill", "missing"])
        if how == "fill":
            fill = np.dtype(dtype).type(rng.choice([-999.0, 1e20, -9999.0]))
            v = nc.createVariable(var.name, dtype, var.dims, fill_value=fill)
            raw = np.where(np.isnan(values), fill, values).astype(dtype)
        elif how == "missing":
            v = nc.createVariable(var.name, dtype, var.dims, fill_value=False)
            missing = np.dtype(dtype).type(-999.0)
            attrs["missing_value"] = missing
            raw = np.where(np.isnan(values), missing, values).astype(dtype)
        else:
            v = nc.createVariable(var.name, dtype, var.dims, fill_value=False)
            raw = values.astype(dtype)
    v.set_auto_maskandscale(False)
    for key, value in attrs.items():
        v.setncattr(key, value)
    v[...] = raw


def make_set(np_rng, rng, number):
    """One set of files in WORKDIR/setK; returns its DataSet."""
    name = f"set{number}"
    os.makedirs(name, exist_ok=True)
    tags = []
    special = SPECIAL_SETS.get(number, set())
    n_files = rng.choices([1, 2, 3, 4], [30, 30, 25, 15])[0]
    if "utc offset units" in special:
        n_files = max(n_files, 2)  # the first file's units with an offset, the others' without
    has_time = n_files > 1 or rng.random() < 0.8 or bool(special - {"int16"})
    others = rng.sample(["lev", "lat", "lon"], rng.choices([0, 1, 2, 3], [10, 30, 40, 20])[0])
    if not has_time and not others:
        others = ["lat"]
    duplicated = "duplicated coordinate value" in special or rng.random() < 0.05
    if duplicated and "lon" not in others:
        others.append("lon")
    others = [d for d in ["lev", "lat", "lon"] if d in others]
    lengths = {"lev": rng.choice([1, 2, 3, 4]), "lat": rng.choice([1, 2, 3, 4, 5]),
               "lon": rng.choice([3, 4, 5, 6] if duplicated else [1, 2, 3, 4, 5, 6])}
    per_file = [rng.choice([1, 1, 2, 2, 3]) for _ in range(n_files)] if has_time else []
    while math.prod([lengths[d] for d in others] + [sum(per_file) or 1]) > 160:
        biggest = max(others, key=lambda d: lengths[d] - (9 if duplicated and d == "lon" else 0))
        lengths[biggest] -= 1
    coords = {}
    for d in others:
        if d == "lev" and rng.random() < 0.2:
            coords[d] = None  # a dimension without a coordinate variable
            tags.append("dimension without coordinate")
            continue
        values = coordinate_values(rng, d, lengths[d])
        if d == "lon" and duplicated and lengths[d] >= 3:
            k = rng.randrange(lengths[d] - 1)
            values[k + 1] = values[k]
            tags.append("duplicated coordinate value")
        dtype = "i4" if d == "lev" and rng.random() < 0.4 else rng.choice(["f4", "f8"])
        coords[d] = (values, dtype)
        if len(values) > 1 and values[0] > values[-1]:
            tags.append("descending coordinate")
    # Variables.
    variables = []
    used = set()
    for k in range(rng.choices([1, 2, 3], [35, 40, 25])[0]):
        kind = rng.choices(VARIABLE_KINDS, VARIABLE_KIND_WEIGHTS)[0]
        if k == 0 and "int16" in special:
            kind = "i2"
        if kind == "static" and (not has_time or n_files == 1 or not others):
            kind = "f4"
        var_name = next((n for n in VARIABLE_NAMES[kind] if n not in used), None)
        if var_name is None:
            continue
        used.add(var_name)
        if kind == "static":
            dims = tuple(d for d in others if rng.random() < 0.7) or tuple(others[:1])
        else:
            dims = tuple(d for d in others if rng.random() < 0.75)
            if len(dims) >= 2 and rng.random() < 0.12:
                dims = tuple(reversed(dims))  # (lon, lat): a variable in its own order
            if has_time:
                dims = ("time",) + dims
            elif not dims:
                dims = tuple(others[:1])
        variables.append(Variable(var_name, dims, kind))
        if kind in ("i2", "packed", "packed f32", "static"):
            tags.append({"i2": "int16", "packed": "packed int16", "packed f32": "packed f32",
                         "static": "static variable"}[kind])
    if has_time and not any("time" in v.dims for v in variables):
        var_name = next(n for n in VARIABLE_NAMES["f4"] if n not in used)
        variables.append(Variable(var_name, ("time",) + tuple(others[:1]), "f4"))
    # Time.
    style = rng.choice(TIME_STYLES) if has_time else None
    style = next((s for s in TIME_STYLES if s in special), style)
    if style:
        tags.append("times not at midnight" if style in ("six-hourly", "noon") else
                    f"{style} times")
    times = make_times(rng, style, sum(per_file)) if has_time else []
    utc_offset = "utc offset units" in special
    if utc_offset:
        tags.append("utc offset units")
    fmt = rng.choices(["NETCDF4", "NETCDF4_CLASSIC", "NETCDF3_64BIT_OFFSET"], [60, 20, 20])[0]
    if fmt.startswith("NETCDF3"):
        tags.append("netCDF-3")
    unlimited = rng.random() < 0.6
    tags.append("unlimited time" if unlimited and has_time else "fixed time" if has_time else
                "no time")
    names = [f"part_{c}.nc" for c in "abcdefgh"[:n_files]]
    if rng.random() < 0.35:
        rng.shuffle(names)  # name order is not time order
        if n_files > 1:
            tags.append("names not in time order")
    calendar = rng.choice(["standard", "gregorian", "proleptic_gregorian", None])
    time_dtype = rng.choice(["f8", "f8", "i4"])
    time_axis = rng.random() < 0.5
    data = {}
    for var in variables:
        shape = tuple((sum(per_file) if d == "time" else lengths[d]) for d in var.dims)
        data[var.name] = variable_values(np_rng, rng, var.kind, shape)
    encoding_seed = rng.random()  # the same attributes and encodings in every file
    # Each file's time units and encoded times; one dtype for all (the files must agree on
    # their variables' dtypes, docs/datasets.md).
    encodings, start = [], 0
    for f in range(n_files if has_time else 0):
        unit, ref, ref_utc = UTC_OFFSET_UNITS if utc_offset and f == 0 else rng.choice(TIME_UNITS)
        seconds = [(t - np.datetime64(ref_utc)) / np.timedelta64(1, "s")
                   for t in times[start:start + per_file[f]]]
        encodings.append((f"{unit} since {ref}",
                          np.array(seconds, dtype=np.float64) / UNIT_SECONDS[unit]))
        start += per_file[f]
    if not all(np.all(e == np.round(e)) and np.all(np.abs(e) < 2**31) for _, e in encodings):
        time_dtype = "f8"
    files_units = {units for units, _ in encodings}
    start = 0
    files = []
    for f, file_name in enumerate(names):
        path = f"{name}/{file_name}"
        files.append(path)
        nt = per_file[f] if has_time else 0
        with netCDF4.Dataset(path, "w", format=fmt) as nc:
            nc.title = f"{name}: random test data"
            nc.Conventions = "CF-1.8"
            if has_time:
                nc.createDimension("time", None if unlimited else nt)
            for d in others:
                nc.createDimension(d, lengths[d])
            if has_time:
                units, encoded = encodings[f]
                t = nc.createVariable("time", time_dtype, ("time",))
                t.units = units
                if calendar:
                    t.calendar = calendar
                t.standard_name = "time"
                if time_axis:
                    t.axis = "T"
                t[:] = encoded.astype(time_dtype)
            for d in others:
                if coords[d] is None:
                    continue
                values, dtype = coords[d]
                c = nc.createVariable(d, dtype, (d,))
                c.units = {"lat": "degrees_north", "lon": "degrees_east", "lev": "hPa"}[d]
                if d == "lev":
                    c.positive = "down"
                else:
                    c.long_name = {"lat": "latitude", "lon": "longitude"}[d]
                c[:] = np.array(values, dtype=dtype)
            encoding_rng = random.Random(encoding_seed)
            for var in variables:
                values = data[var.name]
                if has_time and "time" in var.dims:
                    values = values[start:start + nt]
                write_variable(nc, encoding_rng, var, values)
        start += nt
    if len(files_units) > 1:
        tags.append("mixed time units")
    if has_time and n_files > 1 and any(n == 1 for n in per_file):
        tags.append("a file of one time")
    return DataSet(name, sorted(files), {v.name: v for v in variables}, tags, has_time)


# ------------------------------------------------------------------------------------------------
# The xarray side: what the twins call (shown in reports, so kept few and plain).

_OPENED = {}


NARROW_INTEGERS = {"int8", "int16", "uint8", "uint16"}


def widen_integers(ds):
    """Plain (unpacked) int8/int16/uint8/uint16 data variables as int32, as flow reads them
    (docs/datasets.md, "Integer widths"; packed ones are floats once decoded)."""
    for name in list(ds.data_vars):
        if str(ds[name].dtype) in NARROW_INTEGERS:
            ds[name] = ds[name].astype(np.int32)
    return ds


def open_files(paths):
    """Each file's xarray.open_dataset, combined by their time coordinates (flow's
    open_mfdataset; a static variable is read once). Cached: the twins never modify it."""
    key = tuple(paths)
    if key not in _OPENED:
        parts = []
        for path in paths:
            with xr.open_dataset(path) as f:
                parts.append(widen_integers(f.load()))
        if len(parts) == 1:
            _OPENED[key] = parts[0]
        else:
            _OPENED[key] = xr.combine_by_coords(parts, data_vars="minimal", coords="minimal",
                                                compat="no_conflicts", join="override",
                                                combine_attrs="override")
    return _OPENED[key]


def where(cond, x, y):
    """xr.where, each coordinate keeping its own attributes: xr.where fills every coordinate's
    attributes from `x` ("always fill coord attrs of x"), which empties them when `x` is a
    number or lacks the coordinate; and names the result after the condition, where flow names it
    only after a name all its labelled operands share (see the top)."""
    result = xr.where(cond, x, y)
    if isinstance(result, xr.DataArray):
        result.name = result_name([cond, x, y])
    for name in result.coords:
        for operand in (x, cond, y):
            if isinstance(operand, (xr.DataArray, xr.Dataset)) and name in operand.coords:
                result[name].attrs = dict(operand[name].attrs)
                break
    return result


def result_name(operands):
    """The name the operands share, else None (xarray's arithmetic rule)."""
    names = {o.name for o in operands if isinstance(o, xr.DataArray)}
    return names.pop() if len(names) == 1 else None


def coarsen_ddof(coarsened, name, ddof):
    """`std`/`var` of coarsened windows with `ddof=`, which xarray's coarsen reductions do not
    take (flow's do, docs/builtins.md `coarsen.std`): NumPy's nanstd/nanvar of each window (as
    xarray's own coarsen std/var skip NaN); the coordinates are still the windows' means."""
    function = {"std": np.nanstd, "var": np.nanvar}[name]
    return coarsened.reduce(lambda a, axis: function(a, axis=axis, ddof=ddof))


def min_periods_checked(rolling):
    """A rolling window whose min_periods is at most its length: flow refuses a larger one
    (flow::check::argument_value, as pandas does), where xarray makes every value NaN."""
    window, min_periods = rolling.window[0], rolling.min_periods
    if min_periods > window:
        raise ValueError(f"min_periods {min_periods} must be <= window {window}")
    return rolling


def elementwise(function, arrays):
    """flow's `min`/`max` of labelled arrays (docs/builtins.md): NumPy's minimum/maximum (NaN
    wins), folded from the left as `sum([a, b, c])` is `0 + a + b + c`, each step lined up by
    name (exactly: misaligned operands raise) as an operation on two labelled arrays: both
    operands' attributes but those they give different values (`drop_conflicts`, so a later
    operand brings back one dropped before, as in xarray's `a + b + c`), named after the name
    they share, else None (np.minimum of DataArrays, apply_ufunc, names the result after the
    first and keeps only the first's attributes)."""
    ufunc = {"min": np.minimum, "max": np.maximum}[function]
    result = arrays[0]
    for other in arrays[1:]:
        name = result_name([result, other])
        result = xr.apply_ufunc(ufunc, result, other, join="exact",
                                keep_attrs="drop_conflicts")
        result.name = name
    return result


def minimum(*arrays):
    return elementwise("min", arrays)


def maximum(*arrays):
    return elementwise("max", arrays)


def bins_as_flow(result, name, edges, labels=None):
    """The result of a `groupby_bins` reduction labelled as flow labels it (docs/builtins.md
    `groupby_bins`): the bins' dimension `name` by each bin's centre (`e[i] + (e[i+1] - e[i]) /
    2`, as pandas' Interval.mid), or by `labels` as f64, with the attribute `bin_edges` (the
    edges, floats) added to xarray's (the binned coordinate's), where xarray has pandas
    intervals (or the labels as given: ints stay int64). `edges` are pandas' `cut` edges
    computed in f64 (see the top)."""
    edges = [float(e) for e in edges]
    if labels is None:
        values = [a + (b - a) / 2 for a, b in zip(edges, edges[1:])]
    else:
        values = [float(v) for v in labels]
    attrs = dict(result[name].attrs, bin_edges=np.array(edges, dtype=np.float64))
    coordinate = xr.Variable(name, np.array(values, dtype=np.float64), attrs)
    return result.assign_coords({name: coordinate})


def seasons_as_flow(result):
    """The result of a reduction grouped by season (`x.groupby("time.season").mean()`, or by
    `d.time.dt.season`) labelled as flow labels it (docs/datasets.md, `.dt`): flow's arrays hold
    numbers, so its `season` coordinate holds the codes (i64: 0 DJF, 1 JJA, 2 MAM, 3 SON, the
    position in xarray's alphabetical order of the groups) with the CF flag attributes
    `flag_values` and `flag_meanings`, where xarray has the strings."""
    season = result["season"]
    codes = np.array([SEASONS.index(str(s)) for s in season.values.tolist()], dtype=np.int64)
    attrs = dict(season.attrs, **SEASON_FLAGS)
    return result.assign_coords(season=xr.Variable("season", codes, attrs))


def seasons_as_xarray(other):
    """A climatology by season as the twin labels it (seasons_as_flow: the codes) labelled by
    xarray's strings again, to combine with a grouping by season (`x.groupby("time.season") -
    clim`), whose groups xarray lines up with `clim` by those strings."""
    season = other["season"]
    labels = np.array([SEASONS[int(c)] for c in season.values.tolist()], dtype=object)
    attrs = {k: v for k, v in season.attrs.items() if k not in SEASON_FLAGS}
    return other.assign_coords(season=xr.Variable("season", labels, attrs))


def grouped_as_flow(result, name=None):
    """The result of arithmetic with a grouping (`x.groupby("time.month") - clim`) as flow's
    coordinates are: flow has only index coordinates and scalar ones (docs/datasets.md), so the
    groups' labels xarray adds as a non-index coordinate along the grouped dimension (`month`
    along `time`, `name`) are dropped, and a scalar coordinate of the climatology, which
    xarray's vectorised `other.isel(month=codes)` spreads along the grouped dimension (`lat`
    along `time`, one value throughout), is a scalar again, as in flow."""
    if name is not None:
        result = result.drop_vars(name)
    for coordinate in list(result.coords):
        c = result[coordinate]
        if coordinate not in result.dims and c.ndim == 1 and c.size:
            values = np.asarray(c.values)
            if np.all(values == values[0]):
                result = result.assign_coords({coordinate: ((), values[0], dict(c.attrs))})
    return result


def covering(other, name, groups):
    """`other` when it has a value for every group (`groups`: the labels along `name` of the
    grouping it is combined with, `x.groupby("time.month") - other`). xarray lines `other` up
    with the groups by `join="right"` whatever arithmetic_join says, NaN for a group it lacks;
    flow refuses it (flow::check::dim_mismatch, "the other value has no value for"), as it
    refuses any misaligned operands (see the top)."""
    missing = sorted(set(groups) - set(np.asarray(other[name].values).tolist()))
    if missing:
        raise ValueError(f"the other operand has no value for the groups {missing} of {name!r}")
    return other


XR_NAMESPACE = {"xr": xr, "np": np, "open_files": open_files, "where": where,
                "coarsen_ddof": coarsen_ddof, "min_periods_checked": min_periods_checked,
                "minimum": minimum, "maximum": maximum, "bins_as_flow": bins_as_flow,
                "covering": covering, "grouped_as_flow": grouped_as_flow,
                "seasons_as_flow": seasons_as_flow, "seasons_as_xarray": seasons_as_xarray}


# ------------------------------------------------------------------------------------------------
# The syntax tree. Every node carries its flow source, its xarray source and xarray's value.


@dataclass(eq=False)
class Node(TreeNode):
    flow: str
    xr: str
    op: str  # the operation at the root, for the tables of the report
    children: list = field(default_factory=list)
    tags: list = field(default_factory=list)  # more kinds for the report: "skipna=false", ...
    detail: str = ""  # what names the operation in a cause: "(skipna=false)"
    value: object = None  # xarray's value: a DataArray or a Dataset
    error: str = ""  # what xarray raised, if it did
    magnitude: float = 0.0  # the largest partial sum its values come from
    base: object = None  # the dataset node a labelled array comes from
    # A leaf is bound to a name: `name = flow_binding` / `name = xr_binding`.
    name: str = ""
    flow_binding: str = ""
    xr_binding: str = ""
    # A grouping (`x.groupby(...)`, whose value is xarray's GroupBy): how it groups (kind,
    # subject, dims, labels; see Generator.grouping_of).
    group: dict = None

    @property
    def is_array(self):
        return isinstance(self.value, xr.DataArray)

    @property
    def is_dataset(self):
        return isinstance(self.value, xr.Dataset)

    @property
    def dims(self):
        return tuple(self.value.sizes)

    @property
    def sizes(self):
        return dict(self.value.sizes)

    @property
    def dtype(self):
        if self.is_array:
            return FLOW_DTYPE.get(str(self.value.dtype), str(self.value.dtype))
        return "dataset" if self.is_dataset else type(self.value).__name__

    def label(self):
        """The operation with what it works on: `mean(skipna=false) (f32)`."""
        inputs = [c.dtype for c in self.children
                  if c.value is not None and not c.error and c.op != "number"]
        text = f"{self.op}{self.detail}"
        return f"{text} ({', '.join(inputs)})" if inputs else text


def magnitude_of(value):
    """The largest finite magnitude in a DataArray or a Dataset (1 for bools and empties)."""
    if isinstance(value, xr.Dataset):
        return max([magnitude_of(value[v]) for v in value.data_vars] + [1.0])
    a = np.asarray(getattr(value, "values", value))
    if a.dtype == bool or a.size == 0 or a.dtype.kind not in "iuf":
        return 1.0
    a = a.astype(np.float64)
    a = a[np.isfinite(a)]
    return float(np.max(np.abs(a))) if a.size else 1.0


def fits_integer(bound, dtype):
    """Whether every value up to `bound` in magnitude fits the integer dtype."""
    return bound <= np.iinfo(dtype).max


def sum_of_magnitudes(value):
    if isinstance(value, xr.Dataset):
        return max([sum_of_magnitudes(value[v]) for v in value.data_vars] + [1.0])
    a = np.asarray(value.values)
    if a.dtype.kind not in "iuf" or a.size == 0:
        return float(a.size)
    return float(np.nansum(np.abs(a.astype(np.float64))))


def value_dtypes(value):
    if isinstance(value, xr.Dataset):
        return [str(value[v].dtype) for v in value.data_vars]
    return [str(value.dtype)]


# Operations whose values are exact (picked, not computed): only their values are taken as
# thresholds of comparisons, as a computed value may differ from xarray's in the last bit.
EXACT_OPS = {"open_dataset", "open_mfdataset", "variable", "isel", "sel", "x[...]", "transpose",
             ".T", "rechunk", "min", "max", "clip", "neg", "abs", "where", "coordinate", "astype",
             "isnan", "x.where", "assign_attrs", "rename", "min([...])", "max([...])"} | set(
                 COMPARISONS)


def is_exact(node):
    return node.op in EXACT_OPS and all(is_exact(c) for c in node.children if c.op != "number")


class Generator(ProgramGenerator):
    """Random programs: a dataset bound to a name, one expression over it for the result."""

    def __init__(self, rng, dset):
        self.rng = rng
        self.dset = dset
        self.namespace = dict(XR_NAMESPACE)
        self.count = 0
        self.leaf = None

    # -------------------------------------------------------------------------------- evaluation
    # (evaluate and choose are differential.ProgramGenerator's)

    def node(self, flow, xr_code, op, children=(), tags=(), detail=""):
        node = Node(flow, xr_code, op, list(children), list(tags), detail)
        node.base = next((c.base for c in children if c.base is not None), None)
        try:
            node.value = self.evaluate(xr_code)
        except Exception as e:
            node.error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        return node

    def valid(self, node):
        """xarray computes it, a labelled array or a dataset of dtypes flow has, small."""
        if node.error or not isinstance(node.value, (xr.DataArray, xr.Dataset)):
            return False
        dtypes = value_dtypes(node.value)
        if not dtypes or any(d not in FLOW_DTYPE for d in dtypes):
            return False
        if isinstance(node.value, xr.Dataset):
            return sum(node.value[v].size for v in node.value.data_vars) <= 3000
        return node.value.size <= 3000

    # ------------------------------------------------------------------------------------ leaves

    def open_leaf(self):
        """The case's dataset: open_dataset of a file or open_mfdataset of the set."""
        rng, dset = self.rng, self.dset
        name = "d" if self.count == 0 else f"d{self.count}"
        self.count += 1
        options, tags = [], list(dset.tags)
        many = len(dset.files) > 1
        if many and rng.random() < 0.88 or not many and rng.random() < 0.3:
            opener = "open_mfdataset"
            paths = list(dset.files)
            if rng.random() < 0.6:
                where = json.dumps(f"{dset.name}/*.nc")
            else:
                listed = list(paths)
                rng.shuffle(listed)
                where = "[" + ", ".join(json.dumps(p) for p in listed) + "]"
                tags.append("list of files")
            if dset.has_time and rng.random() < 0.2:
                options.append('concat_dim="time"')
        else:
            opener = "open_dataset"
            paths = [rng.choice(dset.files)]
            where = json.dumps(paths[0])
        value = self.evaluate(f"open_files({paths!r})")
        if rng.random() < 0.25 and value.sizes:
            dims = rng.sample(list(value.sizes), rng.randint(1, len(value.sizes)))
            record = ", ".join(f"{d}: {rng.choice([1, 2, -1])}" for d in dims)
            options.append(f"chunks={{{record}}}")
            tags.append("chunks=")
        flow = f"{opener}({', '.join([where] + options)})"
        self.namespace[name] = value
        node = Node(name, name, opener, [], tags, value=value, name=name, flow_binding=flow,
                    xr_binding=f"open_files({paths!r})")
        node.base = node
        return node

    def variable(self, ds):
        """A variable of a dataset node, by attribute or by index."""
        rng = self.rng
        names = list(ds.value.data_vars)
        if not names:
            raise Retry()
        name = rng.choice(names)
        var = self.dset.variables.get(name)
        kind = var.kind if var else "?"
        if rng.random() < 0.8:
            flow, xr_code = f"{ds.flow}.{name}", f"{ds.xr}.{name}"
        else:
            flow, xr_code = f'{ds.flow}["{name}"]', f'{ds.xr}["{name}"]'
        node = self.node(flow, xr_code, "variable", [ds], detail=f" {kind}")
        node.base = ds
        return node

    def bind(self, x):
        """`x` bound to a name of its own (`x1 = ...`), when it is long and used twice."""
        if len(x.flow) < 40 or x.name:
            return x
        self.count += 1
        name = f"x{self.count}"
        self.namespace[name] = x.value
        node = Node(name, name, x.op, [x], list(x.tags), x.detail, value=x.value,
                    magnitude=x.magnitude, base=x.base, name=name, flow_binding=x.flow,
                    xr_binding=x.xr)
        return node

    def number(self, v):
        return Node(operand(flow_number(v)), operand(py_number(v)), "number", value=v)

    # ------------------------------------------------------------------------------ selections

    def isel_arguments(self, x):
        rng = self.rng
        dims = x.dims
        if not dims:
            raise Retry()
        chosen = rng.sample(dims, min(len(dims), rng.choice([1, 1, 2])))
        items, tags = {}, []
        for d in chosen:
            n = x.sizes[d]
            if n and rng.random() < 0.35:
                items[d] = rng.randrange(-n, n)
                tags.append("isel int" if items[d] >= 0 else "isel negative int")
                continue
            start = rng.choice([None, None, 0, 1, -1, -2, n, 2])
            stop = rng.choice([None, None, n, 1, -1, 2, 0])
            step = rng.choice([None, None, None, 1, 2, -1, -2])
            items[d] = slice(start, stop, step)
            if step is not None and step < 0:
                tags.append("negative step")
            if len(range(n)[items[d]]) == 0:
                tags.append("empty")
            tags.append("isel slice")
        return items, tags

    def isel(self, x):
        items, tags = self.isel_arguments(x)
        if self.rng.random() < 0.15:
            record = ", ".join(f"{d}: {flow_value(v)}" for d, v in items.items())
            flow = f"{x.flow}.isel({{{record}}})"
            entries = ", ".join(f"{json.dumps(d)}: {py_value(v)}" for d, v in items.items())
            xr_code = f"{x.xr}.isel({{{entries}}})"
            tags.append("isel({...})")
        else:
            flow = f"{x.flow}.isel({', '.join(f'{d}={flow_value(v)}' for d, v in items.items())})"
            xr_code = f"{x.xr}.isel({', '.join(f'{d}={py_value(v)}' for d, v in items.items())})"
        return self.node(flow, xr_code, "isel", [x], tags)

    def positional(self, x):
        """x[i, a:b:c] by position, for the leading dimensions."""
        rng = self.rng
        if not x.is_array or not x.dims:
            raise Retry()
        items, tags = [], []
        for d in x.dims[:rng.randint(1, len(x.dims))]:
            n = x.sizes[d]
            if n and rng.random() < 0.4:
                items.append(rng.randrange(-n, n))
            else:
                step = rng.choice([None, None, 2, -1])
                items.append(slice(rng.choice([None, 0, 1, -1]), rng.choice([None, n, -1, 2]),
                                   step))
                if step and step < 0:
                    tags.append("negative step")
        text = ", ".join(index_text(i) for i in items)
        return self.node(f"{x.flow}[{text}]", f"{x.xr}[{text}]", "x[...]", [x], tags)

    def number_selection(self, dim, index):
        """sel of a numeric coordinate: a value, the nearest value, or a slice of values."""
        rng = self.rng
        values = [float(v) for v in np.asarray(index, dtype=np.float64)]
        n = len(values)
        if not n:
            raise Retry()
        duplicated = len(set(values)) < n
        descending = n > 1 and values[0] > values[-1]
        tags = (["duplicated coordinate"] if duplicated else []) + (
            ["descending coordinate"] if descending else [])
        integral = all(v == int(v) for v in values)
        kind = rng.choices(["value", "nearest", "slice"], [40, 25 if not duplicated else 0, 35])[0]

        def text(v):
            return int(v) if v == int(v) and (integral or rng.random() < 0.3) else v

        if kind == "value":
            repeated = [v for v in values if values.count(v) > 1]
            v = rng.choice(repeated) if repeated and rng.random() < 0.6 else rng.choice(values)
            detail = "(repeated value)" if values.count(v) > 1 else "(value)"
            return {dim: text(v)}, None, tags + ["sel value"], detail
        spacing = (max(values) - min(values)) / (n - 1) if n > 1 and max(values) > min(
            values) else 1.0
        if kind == "nearest":
            for _ in range(10):
                v = round(rng.choice(values) + rng.choice([-0.3, 0.2, 0.4, -0.45, 1.7, -2.2,
                                                           0.1]) * spacing, 3)
                distances = sorted(abs(v - c) for c in set(values))
                if len(distances) == 1 or distances[1] - distances[0] > 1e-3 * spacing:
                    return {dim: v}, "nearest", tags + ["sel nearest"], "(nearest)"
            raise Retry()
        ends = values + [min(values) - spacing, max(values) + spacing,
                         rng.choice(values) + 0.5 * spacing]
        low, high = sorted([rng.choice(ends), rng.choice(ends)])
        if descending and rng.random() < 0.75 or not descending and rng.random() < 0.15:
            low, high = high, low  # pandas' order: as the coordinate runs
        low = None if rng.random() < 0.12 else text(round(low, 4))
        high = None if rng.random() < 0.12 else text(round(high, 4))
        return {dim: slice(low, high)}, None, tags + ["sel slice"], "(slice)"

    def date_selection(self, dim, index):
        """sel of a time coordinate: a date, a day, a month, a slice of dates, the nearest."""
        rng = self.rng
        times = pd.DatetimeIndex(index)
        if not len(times):
            raise Retry()
        midnight = bool(np.all(times == times.normalize()))
        kind = rng.choices(["date", "day", "month", "slice", "nearest"],
                           [25, 25 if not midnight else 5, 15, 25, 15])[0]
        t = pd.Timestamp(rng.choice(list(times)))

        def written(ts):
            """The time as a date when the coordinate is all midnights (a day of times not at
            midnight is a day's slice, the "day" kind), else with its hour."""
            if midnight and rng.random() < 0.8:
                return ts.strftime("%Y-%m-%d")
            return ts.strftime(rng.choice(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                                           "%Y-%m-%dT%H:%M:%S"]))

        if kind == "date":
            return {dim: written(t)}, None, ["sel date"], "(date)"
        if kind == "day":
            detail = "(day of times not at midnight)" if not midnight else "(date)"
            return {dim: t.strftime("%Y-%m-%d")}, None, ["sel day"], detail
        if kind == "month":
            if rng.random() < 0.2:
                return {dim: t.strftime("%Y")}, None, ["sel year"], "(year)"
            return {dim: t.strftime("%Y-%m")}, None, ["sel month"], "(month)"
        if kind == "slice":
            other = pd.Timestamp(rng.choice(list(times))) + pd.Timedelta(
                hours=rng.choice([0, 0, 6, -30, 48]))
            low, high = sorted([t, other])
            form = rng.choice(["day", "written"])
            ends = [x.strftime("%Y-%m-%d") if form == "day" else written(x) for x in (low, high)]
            if rng.random() < 0.15:
                ends[rng.randrange(2)] = None
            return {dim: slice(*ends)}, None, ["sel date slice"], "(date slice)"
        for _ in range(10):
            target = t + pd.Timedelta(hours=rng.choice([-40, -13, -5, 2, 7, 19, 30]))
            distances = sorted(abs((target - x).total_seconds()) for x in times)
            if len(distances) == 1 or distances[1] - distances[0] > 600:
                return ({dim: target.strftime("%Y-%m-%dT%H:%M")}, "nearest", ["sel date nearest"],
                        "(nearest date)")
        raise Retry()

    def sel_arguments(self, x):
        rng = self.rng
        indexed = [d for d in x.dims if d in x.value.indexes]
        if not indexed:
            raise Retry()
        chosen = rng.sample(indexed, min(len(indexed), rng.choice([1, 1, 1, 2])))
        items, method, tags, details = {}, None, [], []
        for d in chosen:
            index = x.value.indexes[d]
            if isinstance(index, pd.DatetimeIndex):
                item, how, more, detail = self.date_selection(d, index)
            else:
                item, how, more, detail = self.number_selection(d, index)
                meanings = str(x.value[d].attrs.get("flag_meanings", "")).split()
                if meanings and not how and rng.random() < 0.6:
                    item, more = self.by_meaning(item, meanings), more + ["sel by meaning"]
            if how and len(chosen) > 1:
                raise Retry()  # method= applies to every dimension named
            items.update(item)
            method = method or how
            tags += more
            details.append(detail)
        return items, method, tags, "".join(details)

    def by_meaning(self, item, meanings):
        """A selection of a coordinate of CF flags (flow's season codes) with each code written
        by its meaning, `sel(season="JJA")` (docs/datasets.md, `.dt`), the twin by the code."""
        def meaning(v):
            if v is not None and v == int(v) and 0 <= int(v) < len(meanings):
                return Flag(int(v), meanings[int(v)])
            return v

        return {d: slice(meaning(v.start), meaning(v.stop)) if isinstance(v, slice)
                else meaning(v) for d, v in item.items()}

    def sel(self, x):
        items, method, tags, detail = self.sel_arguments(x)
        flow_args = [f"{d}={flow_value(v)}" for d, v in items.items()]
        xr_args = [f"{d}={py_value(v)}" for d, v in items.items()]
        if method:
            flow_args.append(f'method="{method}"')
            xr_args.append(f'method="{method}"')
        return self.node(f"{x.flow}.sel({', '.join(flow_args)})",
                         f"{x.xr}.sel({', '.join(xr_args)})", "sel", [x], tags, detail)

    def select(self, depth):
        x = self.array(depth - 1)
        kind = self.rng.choices(["isel", "sel", "index"], [35, 50, 15])[0]
        node = {"isel": self.isel, "sel": self.sel, "index": self.positional}[kind](x)
        if node.is_array and 0 in node.value.shape and "empty" not in node.tags:
            node.tags.append("empty")
        return node

    # ------------------------------------------------------------------------------ reductions

    def dim_argument(self, dims, allow_none=True):
        """`dim=` for a reduction: a name, a tuple, a list or none; flow and xarray arguments,
        the dims reduced, and tags."""
        rng = self.rng
        form = rng.choices(["name", "tuple", "list", "none"],
                           [50, 22 if len(dims) >= 2 else 0, 8, 20 if allow_none else 0])[0]
        if not dims or form == "none":
            if rng.random() < 0.5:
                return [], [], list(dims), ["dim=none"]
            return ["dim=none"], ["dim=None"], list(dims), ["dim=none"]
        keyword = rng.random() < 0.4
        if form == "name":
            d = rng.choice(dims)
            text = json.dumps(d)
            return ([f"dim={text}" if keyword else text], [f"dim={text}" if keyword else text],
                    [d], ["dim=name"])
        chosen = rng.sample(dims, rng.randint(2 if form == "tuple" else 1, len(dims)))
        value = tuple(chosen) if form == "tuple" else list(chosen)
        f, p = flow_value(value), py_value(value)
        return ([f"dim={f}" if keyword else f], [f"dim={p}" if keyword else p], chosen,
                [f"dim={form}"])

    def reduction(self, depth, x=None):
        rng = self.rng
        x = x or self.array(depth - 1)
        if len(x.dims) >= 2 and rng.random() < 0.12:  # reduced beside an empty dimension
            d = rng.choice(x.dims)
            k = rng.randint(0, x.sizes[d])
            x = self.node(f"{x.flow}.isel({d}=slice({k}, {k}))",
                          f"{x.xr}.isel({d}=slice({k}, {k}))", "isel", [x], ["empty"])
        return self.reduce(x)

    def reduce(self, x):
        rng = self.rng
        if x.is_array:
            is_bool = x.value.dtype == bool
            if is_bool:
                name = rng.choice(BOOL_REDUCTIONS)
            else:
                name = rng.choices(REDUCTIONS, REDUCTION_WEIGHTS)[0]
        else:
            name = rng.choices(REDUCTIONS, REDUCTION_WEIGHTS)[0]
            is_bool = False
        flow_args, xr_args, reduced, tags = self.dim_argument(list(x.dims))
        if name == "prod":
            count = math.prod(x.sizes[d] for d in reduced)
            if count > 12:
                raise Retry()
            if any(np.dtype(d).kind == "i" for d in value_dtypes(x.value)) and not fits_integer(
                    magnitude_of(x.value) ** count, np.int64):
                raise Retry()
        details = []
        if not is_bool and name not in ("any", "all") and rng.random() < 0.45:
            skip = rng.random() < 0.35
            flow_args.append(f"skipna={'true' if skip else 'false'}")
            xr_args.append(f"skipna={skip}")
            tags.append(f"skipna={'true' if skip else 'false'}")
            details.append(f"skipna={'true' if skip else 'false'}")
        if name in ("std", "var") and rng.random() < 0.45:
            ddof = rng.choice([0, 1, 1])
            flow_args.append(f"ddof={ddof}")
            xr_args.append(f"ddof={ddof}")
            tags.append(f"ddof={ddof}")
            details.append(f"ddof={ddof}")
        if any(x.sizes[d] == 1 for d in reduced):
            tags.append("length-1 dim")
        if any(x.sizes[d] == 0 for d in x.dims if d not in reduced) and all(
                x.sizes[d] for d in reduced) and reduced:
            tags.append("reducing beside an empty dim")
            details.append("beside an empty dim")
        elif any(x.sizes[d] == 0 for d in reduced):
            tags.append("empty dim reduced")
        xr_code = f"{x.xr}.{name}({', '.join(xr_args)})"
        if x.is_dataset and any(not set(reduced) & set(x.value[v].dims)
                                for v in x.value.data_vars):
            tags.append("variable without the dim")
            details.append("a variable without the dim")
        node = self.node(f"{x.flow}.{name}({', '.join(flow_args)})", xr_code, name, [x], tags,
                         f"({', '.join(details)})" if details else "")
        if name == "sum":
            node.magnitude = sum_of_magnitudes(x.value)
        elif name == "var":
            node.magnitude = magnitude_of(x.value) ** 2
        elif name == "prod" and node.value is not None:
            node.magnitude = magnitude_of(node.value)
            if node.magnitude > 1e30:
                raise Retry()
        return node

    # -------------------------------------------------------------------------------- arithmetic

    def companion(self, x):
        """A labelled array to combine with `x`: a reduction of it (an anomaly), another variable
        of its dataset, one of its coordinates, itself transposed or selected, or itself."""
        rng = self.rng
        kind = rng.choices(["reduced", "variable", "coordinate", "transposed", "selected", "self"],
                           [30, 30, 12, 8, 8, 12])[0]
        if kind == "reduced" and x.dims:
            dims = rng.sample(x.dims, rng.randint(1, len(x.dims)))
            name = rng.choice(["mean", "mean", "max", "min", "sum"])
            if x.value.dtype == bool:
                raise Retry()
            arg = flow_value(tuple(dims)) if len(dims) > 1 else json.dumps(dims[0])
            py = py_value(tuple(dims)) if len(dims) > 1 else json.dumps(dims[0])
            node = self.node(f"{x.flow}.{name}({arg})", f"{x.xr}.{name}({py})", name, [x])
            if name == "sum":
                node.magnitude = sum_of_magnitudes(x.value)
            return node
        if kind == "variable" and x.base is not None:
            y = self.variable(x.base)
            if rng.random() < 0.35 and y.dims:
                d = rng.choice(y.dims)
                y = self.node(f"{y.flow}.mean({json.dumps(d)})", f"{y.xr}.mean({json.dumps(d)})",
                              "mean", [y])
            return y
        if kind == "coordinate":
            numeric = [d for d in x.dims if d in x.value.indexes
                       and not isinstance(x.value.indexes[d], pd.DatetimeIndex)]
            if not numeric:
                raise Retry()
            d = rng.choice(numeric)
            return self.node(f"{x.flow}.{d}", f"{x.xr}.{d}", "coordinate", [x])
        if kind == "transposed" and len(x.dims) >= 2:
            return self.node(f"{x.flow}.T", f"{x.xr}.T", ".T", [x])
        if kind == "selected" and x.dims:
            d = rng.choice(x.dims)
            if not x.sizes[d]:
                raise Retry()
            i = rng.randrange(x.sizes[d])
            return self.node(f"{x.flow}.isel({d}={i})", f"{x.xr}.isel({d}={i})", "isel", [x])
        return x

    def arithmetic(self, depth):
        rng = self.rng
        x = self.array(depth - 1)
        if x.value.dtype == bool:
            raise Retry()
        is_int = x.value.dtype.kind == "i"
        op = rng.choices(["+", "-", "*", "/", "**"], [4, 4, 4, 3, 1])[0]
        if op == "**":
            y = self.number(rng.choice([2, 2, 3] if is_int else [2, 2, 0.5, 3]))
        elif rng.random() < 0.45:
            y = self.number(rng.choice(INT_NUMBERS if is_int and rng.random() < 0.7
                                       else FLOAT_NUMBERS))
        else:
            y = self.companion(x)
            if y.value is None or y.error or (isinstance(y.value, xr.DataArray)
                                              and y.value.dtype == bool):
                raise Retry()
        a, b = (y, x) if op != "**" and rng.random() < 0.3 else (x, y)
        tags = ["number"] if y.op == "number" else []
        if y.op != "number" and set(y.dims) != set(x.dims):
            tags.append("broadcast by name")
        children = [c for c in (a, b) if c.op != "number"]
        node = self.node(f"({a.flow} {op} {b.flow})", f"({a.xr} {op} {b.xr})", op, children, tags)
        if node.is_array and magnitude_of(node.value) > 1e30:
            raise Retry()
        if node.is_array and node.value.dtype.kind == "i":
            ma, mb = magnitude_of(a.value), magnitude_of(b.value)
            bound = {"+": ma + mb, "-": ma + mb, "*": ma * mb}.get(op, ma ** 3)
            if not fits_integer(bound, node.value.dtype):
                raise Retry()  # integer overflow: how it wraps is not documented
        return node

    def threshold(self, x):
        """A number to compare `x` with: often one of its values as a short decimal (so an f32
        0.3 meets the Python float 0.3) when its values are exact (`EXACT_OPS`), else a round
        number."""
        rng = self.rng
        values = np.asarray(x.value.values).ravel()
        finite = values[np.isfinite(values.astype(np.float64))] if values.size else values
        if finite.size and is_exact(x) and rng.random() < 0.7:
            v = rng.choice(list(finite))
            if x.value.dtype.kind == "i":
                return int(v)
            text = str(np.float32(v)) if x.value.dtype == np.float32 else repr(float(v))
            return float(text)
        if x.value.dtype.kind == "i":
            return rng.choice([0, 1, 10, 30, -5])
        return rng.choice(THRESHOLDS)

    def comparison(self, x):
        rng = self.rng
        if x.value.dtype == bool:
            raise Retry()
        v = self.threshold(x)
        tags = []
        if x.value.dtype == np.float32 and isinstance(v, float) and float(np.float32(v)) != v:
            tags.append("f32 vs number")  # NEP 50: compared in f32, where it equals the value
            op = rng.choice(["==", "!=", "==", ">", "<", ">=", "<="])
        else:
            op = rng.choice(COMPARISONS)
        return self.node(f"({x.flow} {op} {operand(flow_number(v))})",
                         f"({x.xr} {op} {operand(py_number(v))})", op, [x], tags,
                         " (f32 vs number)" if tags else "")

    def comparison_node(self, depth):
        # Half of them of a variable itself: its values are exact, so thresholds are taken
        # from them (an f32 0.3 against the Python float 0.3).
        x = self.source() if self.rng.random() < 0.5 else self.array(depth - 1)
        return self.comparison(x)

    def isnan_node(self, depth, x=None):
        x = x or self.array(depth - 1)
        if x.value.dtype == bool:
            raise Retry()
        return self.node(f"isnan({x.flow})", f"np.isnan({x.xr})", "isnan", [x])

    def condition(self, x):
        if self.rng.random() < 0.25:
            return self.isnan_node(0, x)
        return self.comparison(x)

    def math(self, depth):
        rng = self.rng
        x = self.array(depth - 1)
        if x.value.dtype == bool:
            raise Retry()
        if rng.random() < 0.12:
            return self.node(f"(-{x.flow})", f"(-{x.xr})", "neg", [x])
        function = rng.choice(INT_FUNCTIONS if x.value.dtype.kind == "i" else FLOAT_FUNCTIONS)
        if function in GROWING_FUNCTIONS and magnitude_of(x.value) > 60:
            raise Retry()
        if function == "square" and x.value.dtype.kind == "i" and not fits_integer(
                magnitude_of(x.value) ** 2, x.value.dtype):
            raise Retry()
        return self.node(f"{function}({x.flow})", f"np.{function}({x.xr})", function, [x])

    def branch(self, x):
        rng = self.rng
        if rng.random() < 0.5:
            return self.number(rng.choice([0, 0.0, math.nan, -1.5, 1] if x.value.dtype.kind == "f"
                                          else [0, 1, -1]))
        y = self.companion(x)
        if y.value is None or y.error or getattr(y.value, "dtype", None) == bool:
            raise Retry()
        return y

    def where(self, depth):
        rng = self.rng
        x = self.bind(self.array(depth - 1))
        if x.value.dtype == bool:
            raise Retry()
        c = self.condition(x)
        a = x if rng.random() < 0.5 else self.branch(x)
        b = self.branch(x)
        if rng.random() < 0.3:
            a, b = b, a
        children = [n for n in (c, a, b) if n.op != "number"]
        return self.node(f"where({c.flow}, {a.flow}, {b.flow})",
                         f"where({c.xr}, {a.xr}, {b.xr})", "where", children)

    def clip(self, depth):
        rng = self.rng
        x = self.array(depth - 1)
        if x.value.dtype == bool:
            raise Retry()
        if x.value.dtype.kind == "i":
            low, high = sorted(rng.sample([0, 1, 5, 10, 30, -3], 2))
        else:
            low, high = sorted(rng.sample([-1, 0, 0.5, 1, 2.5, 10, 20, -0.3], 2))
        bounds = f"{operand(flow_number(low))}, {operand(flow_number(high))}"
        return self.node(f"clip({x.flow}, {bounds})",
                         f"{x.xr}.clip({py_number(low)}, {py_number(high)})", "clip", [x])

    def astype(self, depth):
        rng = self.rng
        x = self.array(depth - 1)
        kind = x.value.dtype.kind
        targets = ["f64", "f32", "float64"] + (["i64", "i32"] if kind in "ib" else [])
        target = rng.choice(targets)
        numpy = {"f64": "np.float64", "float64": "np.float64", "f32": "np.float32",
                 "i64": "np.int64", "i32": "np.int32"}[target]
        return self.node(f'{x.flow}.astype("{target}")', f"{x.xr}.astype({numpy})", "astype",
                         [x])

    # ---------------------------------------------------------------------- labelled values

    def related(self, x):
        """A labelled array to line up with `x` by name: for an array a companion (a reduction
        of it, another variable, a coordinate, itself transposed or selected, itself); for a
        dataset one of its variables, now and then reduced over a dimension, or a coordinate."""
        rng = self.rng
        if x.is_array:
            return self.companion(x)
        y = self.variable(x)
        kind = rng.choices(["variable", "reduced", "coordinate"], [55, 30, 15])[0]
        if kind == "reduced" and y.dims and y.value.dtype != bool:
            d = rng.choice(y.dims)
            return self.node(f"{y.flow}.mean({json.dumps(d)})", f"{y.xr}.mean({json.dumps(d)})",
                             "mean", [y])
        if kind == "coordinate":
            numeric = [d for d in x.dims if d in x.value.indexes
                       and not isinstance(x.value.indexes[d], pd.DatetimeIndex)]
            if numeric:
                d = rng.choice(numeric)
                return self.node(f"{x.flow}.{d}", f"{x.xr}.{d}", "coordinate", [x])
        return y

    def where_condition(self, x):
        """A condition for `x.where(...)`: of `x` itself, or of a labelled array related to it,
        over fewer or other dimensions (broadcast by name): one of its dataset's variables, or
        one of the opened dataset's (over the dimensions `x` was reduced over; one whose
        coordinates differ from x's makes xarray raise, and the node is chosen again)."""
        rng = self.rng
        if x.is_array and x.value.dtype != bool and rng.random() < 0.35:
            return self.condition(x)
        y = self.variable(self.leaf) if rng.random() < 0.2 else self.related(x)
        if y.error or not isinstance(y.value, xr.DataArray):
            raise Retry()
        return y if y.value.dtype == bool else self.condition(y)

    def where_of(self, x, cond=None):
        """x.where(cond), x.where(cond, number) or x.where(cond, other) of a labelled array or a
        dataset. The twin passes other=np.nan for none: xarray's where without `other` realigns
        (join="inner"), with it joins exactly as flow does (see the top)."""
        rng = self.rng
        cond = cond or self.where_condition(x)
        if cond.error or cond.value.dtype != bool:
            raise Retry()
        is_bool = x.is_array and x.value.dtype == bool
        is_int = x.is_array and x.value.dtype.kind == "i"
        form = rng.choices(["none", "explicit none", "number", "array"],
                           [35, 10, 0 if is_bool else 35,
                            0 if is_bool else (20 if x.is_array else 8)])[0]
        tags, other = [], None
        extra = set(cond.dims) - set(x.dims)
        if extra:
            tags.append("condition over other dims")
        elif set(cond.dims) != set(x.dims):
            tags.append("condition over fewer dims")
        keyword = rng.random() < 0.3
        flow_args, xr_args = [cond.flow], [cond.xr]
        if form == "none":
            xr_args.append("np.nan")
        elif form == "explicit none":
            flow_args.append("other=none" if keyword else "none")
            xr_args.append("np.nan")
            tags.append("other=none")
        else:
            if form == "number":
                other = self.number(rng.choice([0, 1, -1] if is_int and rng.random() < 0.7 else
                                               [0, 0.0, math.nan, -1.5, 1, -999.0]))
                tags.append("other number")
            else:
                other = self.related(x)
                if other.error or not isinstance(other.value, xr.DataArray) or \
                        other.value.dtype == bool:
                    raise Retry()
                tags.append("other labelled")
            flow_args.append(f"other={other.flow}" if keyword else other.flow)
            xr_args.append(f"other={other.xr}" if keyword else other.xr)
        children = [x, cond] + ([other] if other is not None and other.op != "number" else [])
        detail = f" ({tags[0]})" if extra else ""
        node = self.node(f"{x.flow}.where({', '.join(flow_args)})",
                         f"{x.xr}.where({', '.join(xr_args)})", "x.where", children, tags, detail)
        if x.is_dataset:
            node.tags.append("dataset")
        return node

    def where_method(self, depth):
        rng = self.rng
        x = self.bind(self.array(depth - 1))
        if x.dims and x.value.dtype != bool and rng.random() < 0.3:
            # x.mean("time").where(x > 0): the condition over a dimension the array lacks
            d = json.dumps(rng.choice(x.dims))
            reduced = self.node(f"{x.flow}.mean({d})", f"{x.xr}.mean({d})", "mean", [x])
            return self.where_of(reduced, self.condition(x))
        return self.where_of(x)

    ATTRIBUTES = {"units": ["cm", "K", "1"], "long_name": ["a new name"],
                  "note": ["made by assign_attrs"], "code": [7, -2], "scale": [2.5]}

    def assign_attrs_of(self, x):
        """x.assign_attrs(units="cm") or x.assign_attrs({units: "cm", code: 7})."""
        rng = self.rng
        keys = list(self.ATTRIBUTES) + (["title"] if x.is_dataset else [])
        chosen = {k: rng.choice(self.ATTRIBUTES.get(k, ["renamed data"]))
                  for k in rng.sample(keys, rng.choice([1, 1, 2]))}
        if rng.random() < 0.6:
            flow = ", ".join(f"{k}={flow_value(v)}" for k, v in chosen.items())
            py = ", ".join(f"{k}={py_value(v)}" for k, v in chosen.items())
            tags = ["assign_attrs(keywords)"]
        else:
            flow = "{" + ", ".join(f"{k}: {flow_value(v)}" for k, v in chosen.items()) + "}"
            py = "{" + ", ".join(f"{json.dumps(k)}: {py_value(v)}" for k, v in chosen.items()) + "}"
            tags = ["assign_attrs({...})"]
        if any(k in x.value.attrs for k in chosen):
            tags.append("attribute replaced")
        return self.node(f"{x.flow}.assign_attrs({flow})", f"{x.xr}.assign_attrs({py})",
                         "assign_attrs", [x], tags)

    def assign_attrs(self, depth):
        return self.assign_attrs_of(self.array(depth - 1))

    ARRAY_NAMES = ["ssh", "anom", "field", "result"]
    DIM_NAMES = ["y", "xc", "level", "t", "band"]

    def rename_of(self, x):
        """x.rename("new"), or rename({old: "new"}) of variables, coordinates and dimensions
        (by keywords now and then)."""
        rng = self.rng
        if x.is_array and rng.random() < 0.45:
            new = rng.choice([n for n in self.ARRAY_NAMES if n != x.value.name])
            return self.node(f'{x.flow}.rename("{new}")', f'{x.xr}.rename("{new}")', "rename",
                             [x], ["rename(name)"])
        value = x.value
        variables = list(value.data_vars) if x.is_dataset else []
        names = variables + list(value.coords) + [d for d in x.dims if d not in value.coords]
        if not names:
            raise Retry()
        taken = set(names) | set(x.dims) | ({value.name} if x.is_array else set())
        mapping, tags = {}, []
        for old in rng.sample(names, min(len(names), rng.choice([1, 1, 2]))):
            pool = self.ARRAY_NAMES if old in variables else self.DIM_NAMES
            new = rng.choice([n for n in pool if n not in taken | set(mapping.values())])
            mapping[old] = new
            if old in variables:
                tags.append("rename a variable")
            elif old not in value.coords:
                tags.append("rename a dim without coordinate")
            elif old in x.dims:
                tags.append("rename a dim")
            else:
                tags.append("rename a scalar coordinate")
        if rng.random() < 0.3:
            flow = py = ", ".join(f"{k}={json.dumps(v)}" for k, v in mapping.items())
            tags.append("rename(keywords)")
        else:
            flow = "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in mapping.items()) + "}"
            py = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}"
                                 for k, v in mapping.items()) + "}"
        return self.node(f"{x.flow}.rename({flow})", f"{x.xr}.rename({py})", "rename", [x],
                         tags)

    def rename(self, depth):
        return self.rename_of(self.array(depth - 1))

    def drop_vars_of(self, ds):
        """ds.drop_vars("a") or ds.drop_vars(["a", "b"]), now and then of a coordinate."""
        rng = self.rng
        if not ds.is_dataset:
            raise Retry()
        variables, coords = list(ds.value.data_vars), list(ds.value.coords)
        tags = []
        if coords and rng.random() < 0.2:
            names = [rng.choice(coords)]
            tags.append("drop a coordinate")
        else:
            if len(variables) < 2:
                raise Retry()  # a dataset without variables is not saved
            names = rng.sample(variables, rng.randint(1, len(variables) - 1))
        if len(names) == 1 and rng.random() < 0.6:
            text = json.dumps(names[0])
        else:
            text = "[" + ", ".join(json.dumps(n) for n in names) + "]"
            tags.append("drop_vars([...])")
        return self.node(f"{ds.flow}.drop_vars({text})", f"{ds.xr}.drop_vars({text})",
                         "drop_vars", [ds], tags)

    def assigned(self, ds):
        """An expression over a dataset's variables, to assign to it: an anomaly, a scaled or
        reduced variable, a condition, two variables combined, a where."""
        rng = self.rng
        y = self.variable(ds)
        if y.value.dtype == bool:
            return y
        kind = rng.choices(["anomaly", "scaled", "reduced", "condition", "combined", "where"],
                           [25, 15, 15, 10, 20, 15])[0]
        if kind == "anomaly" and y.dims:
            d = json.dumps(rng.choice(y.dims))
            mean = self.node(f"{y.flow}.mean({d})", f"{y.xr}.mean({d})", "mean", [y])
            return self.node(f"({y.flow} - {mean.flow})", f"({y.xr} - {mean.xr})", "-", [y, mean])
        if kind == "reduced" and y.dims:
            d = json.dumps(rng.choice(y.dims))
            return self.node(f"{y.flow}.mean({d})", f"{y.xr}.mean({d})", "mean", [y])
        if kind == "condition":
            return self.condition(y)
        if kind == "combined":
            z = self.variable(ds)
            if z.value.dtype == bool:
                raise Retry()
            op = rng.choice(["+", "-", "*"])
            return self.node(f"({y.flow} {op} {z.flow})", f"({y.xr} {op} {z.xr})", op, [y, z])
        if kind == "where":
            return self.where_of(y)
        v = rng.choice(INT_NUMBERS if y.value.dtype.kind == "i" else FLOAT_NUMBERS)
        n = self.number(v)
        return self.node(f"({y.flow} * {n.flow})", f"({y.xr} * {n.xr})", "*", [y])

    def assign_of(self, ds):
        """ds.assign(anom=expr) (or a record), adding variables or replacing one in its place;
        the expressions are of the dataset's own variables, so they line up."""
        rng = self.rng
        if not ds.is_dataset:
            raise Retry()
        ds = self.bind(ds)
        entries, tags = {}, []
        for _ in range(rng.choice([1, 1, 2])):
            expr = self.assigned(ds)
            if expr.error or not isinstance(expr.value, xr.DataArray):
                raise Retry()
            if rng.random() < 0.3:
                name = rng.choice(list(ds.value.data_vars))
                tags.append("variable replaced")
            else:
                name = rng.choice(["anom", "scaled", "flag", "extra"])
            if name in entries:
                raise Retry()
            entries[name] = expr
            if set(expr.dims) != set(ds.dims):
                tags.append("assigned over fewer dims")
        if rng.random() < 0.7:
            flow = ", ".join(f"{k}={e.flow}" for k, e in entries.items())
            py = ", ".join(f"{k}={e.xr}" for k, e in entries.items())
        else:
            flow = "{" + ", ".join(f"{k}: {e.flow}" for k, e in entries.items()) + "}"
            py = "{" + ", ".join(f"{json.dumps(k)}: {e.xr}" for k, e in entries.items()) + "}"
            tags.append("assign({...})")
        return self.node(f"{ds.flow}.assign({flow})", f"{ds.xr}.assign({py})", "assign",
                         [ds] + list(entries.values()), tags)

    def fold(self, depth):
        """sum([a, b, c]) (Python's sum: 0 + a + b + c), min([a, b]) or max(a, b, c) of labelled
        arrays lined up by name (the twins `minimum`/`maximum`, see the top)."""
        rng = self.rng
        x = self.bind(self.array(depth - 1))
        if x.value.dtype == bool:
            raise Retry()
        operands = [x]
        for _ in range(rng.choices([0, 1, 2], [8, 60, 32])[0]):
            y = self.companion(x)
            if y.error or not isinstance(y.value, xr.DataArray) or y.value.dtype == bool:
                raise Retry()
            operands.append(y)
        if rng.random() < 0.3:
            rng.shuffle(operands)
        function = rng.choices(["sum", "min", "max"], [40, 30, 30])[0]
        flow_items = ", ".join(o.flow for o in operands)
        xr_items = ", ".join(o.xr for o in operands)
        tags = [] if len({o.dims for o in operands}) == 1 else ["broadcast by name"]
        if len(operands) == 1:
            tags.append("list of one")
        if function == "sum":
            flow, py = f"sum([{flow_items}])", f"sum([{xr_items}])"
        else:
            listed = len(operands) == 1 or rng.random() < 0.5
            flow = f"{function}([{flow_items}])" if listed else f"{function}({flow_items})"
            twin = "minimum" if function == "min" else "maximum"
            py = f"{twin}({xr_items})"
            tags.append(f"{function}(list)" if listed else f"{function}(a, b)")
        children = list(dict.fromkeys(operands))
        node = self.node(flow, py, f"{function}([...])", children, tags)
        if node.is_array and node.value.dtype.kind == "i" and not fits_integer(
                sum(magnitude_of(o.value) for o in operands), node.value.dtype):
            raise Retry()
        if function == "sum":
            node.magnitude = sum(magnitude_of(o.value) for o in operands)
        return node

    # ------------------------------------------------------------------------------ weighted

    def weights(self, x):
        """Weights from coordinates of `x`: cos(deg2rad(lat)), ones, |lev| + 1 (a product of two
        now and then)."""
        rng = self.rng
        numeric = [d for d in x.dims if d in x.value.indexes
                   and not isinstance(x.value.indexes[d], pd.DatetimeIndex)]
        if not numeric:
            raise Retry()
        pieces = []
        for d in rng.sample(numeric, min(len(numeric), rng.choice([1, 1, 2]))):
            form = rng.choice(["cos", "ones", "abs"] if d == "lat" else ["ones", "abs"])
            if form == "cos":
                pieces.append((f"cos(deg2rad({x.flow}.{d}))", f"np.cos(np.deg2rad({x.xr}.{d}))"))
            elif form == "ones":
                pieces.append((f"({x.flow}.{d} * 0 + 1)", f"({x.xr}.{d} * 0 + 1)"))
            else:
                pieces.append((f"(abs({x.flow}.{d}) + 1)", f"(abs({x.xr}.{d}) + 1)"))
        flow = " * ".join(f for f, _ in pieces)
        py = " * ".join(p for _, p in pieces)
        return self.node(flow, py, "weights", [x])

    def weighted(self, depth):
        rng = self.rng
        x = self.bind(self.array(depth - 1))
        if x.value.dtype == bool:
            raise Retry()
        w = self.weights(x)
        if w.error:
            raise Retry()
        name = rng.choice(["mean", "mean", "sum"])
        flow_args, xr_args, reduced, tags = self.dim_argument(list(x.dims))
        xr_x = x.xr
        if name == "sum" and x.value.dtype.kind == "i" and w.value.dtype.kind == "i":
            xr_x = f"{x.xr}.astype(np.int64)"  # sums of ints are i64 (see the top)
        node = self.node(f"{x.flow}.weighted({w.flow}).{name}({', '.join(flow_args)})",
                         f"{xr_x}.weighted({w.xr}).{name}({', '.join(xr_args)})",
                         f"weighted.{name}", [x, w], tags)  # f32 weights: f32's tolerance
        node.magnitude = (sum_of_magnitudes(x.value) * magnitude_of(w.value) if name == "sum"
                          else magnitude_of(x.value))
        return node

    # ------------------------------------------------------------------------------ shape

    def transpose(self, depth):
        rng = self.rng
        x = self.array(depth - 1)
        form = rng.choice(["names", "names", "none", "T"])
        if form == "T":
            return self.node(f"{x.flow}.T", f"{x.xr}.T", ".T", [x])
        if form == "none":
            return self.node(f"{x.flow}.transpose()", f"{x.xr}.transpose()", "transpose", [x])
        dims = list(x.dims)
        rng.shuffle(dims)
        text = ", ".join(json.dumps(d) for d in dims)
        return self.node(f"{x.flow}.transpose({text})", f"{x.xr}.transpose({text})", "transpose",
                         [x], ["transpose(names)"])

    def rechunk_of(self, x):
        rng = self.rng
        dims = [d for d in x.dims if x.sizes[d]]
        if not dims:
            raise Retry()
        if x.is_array and rng.random() < 0.3:
            spec = tuple(rng.randint(1, max(1, x.sizes[d])) if x.sizes[d] else -1
                         for d in x.dims)
            text = flow_value(spec) if spec else "()"
            return self.node(f"{x.flow}.rechunk({text})", x.xr, "rechunk", [x],
                             ["rechunk(positions)"])
        chosen = rng.sample(dims, rng.randint(1, len(dims)))
        record = ", ".join(f"{d}: {rng.choice([1, 2, -1, x.sizes[d]])}" for d in chosen)
        return self.node(f"{x.flow}.rechunk({{{record}}})", x.xr, "rechunk", [x])

    def rechunk(self, depth):
        return self.rechunk_of(self.array(depth - 1))

    # ------------------------------------------------------------------------------ windows

    def window_length(self, n, options):
        """A window from `options` for a dimension of length n: often 1 or n itself, often one
        that does not divide n, else any."""
        rng = self.rng
        if not options:
            raise Retry()
        ends = [w for w in options if w in (1, n)]
        odd = [w for w in options if n and n % w]
        kind = rng.choices(["end", "odd", "any"], [30 if ends else 0, 35 if odd else 0, 35])[0]
        return rng.choice({"end": ends, "odd": odd, "any": options}[kind])

    def partial_dims(self, x):
        """The dimensions of a dataset that some of its variables do not have."""
        if not x.is_dataset:
            return []
        return [d for d in x.dims if any(d not in x.value[v].dims for v in x.value.data_vars)]

    def window_tags(self, x, windows):
        tags = []
        for d, w in windows.items():
            n = x.sizes[d]
            if w == 1:
                tags.append("window of 1")
            if w == n:
                tags.append("window as long as the dim")
            elif w > n:
                tags.append("window longer than the dim")
            if n == 0:
                tags.append("empty dim windowed")
            if isinstance(x.value.indexes.get(d), pd.DatetimeIndex):
                tags.append("time coordinate windowed")
        return tags

    def window_chunks(self, x, windows):
        """`x` as it is, or rechunked first along the windowed dimensions: blocks of one value,
        blocks smaller than the window (the halo or the window spans several blocks), odd
        blocks."""
        rng = self.rng
        dims = [d for d in windows if x.sizes[d]]
        if not dims or rng.random() < 0.5:
            return x
        entries, tags = [], []
        for d in dims:
            n, w = x.sizes[d], windows[d]
            size = min(n, rng.choice([1, 1, 2, 3, max(1, w - 1), max(1, n // 2 + 1)]))
            entries.append(f"{d}: {size}")
            if size < w:
                tags.append("chunks smaller than the window")
        others = [d for d in x.dims if d not in windows and x.sizes[d] > 1]
        if others and rng.random() < 0.3:
            d = rng.choice(others)
            entries.append(f"{d}: {rng.randint(1, x.sizes[d])}")
        return self.node(f"{x.flow}.rechunk({{{', '.join(entries)}}})", x.xr, "rechunk", [x],
                         tags)

    def windows_text(self, windows, keywords):
        """The windows as `lat=2, lon=3` (flow and xarray alike), or as a record: `{lat: 2}` in
        flow, `{"lat": 2}` in xarray."""
        if keywords:
            text = ", ".join(f"{d}={w}" for d, w in windows.items())
            return text, text
        return ("{" + ", ".join(f"{d}: {w}" for d, w in windows.items()) + "}",
                "{" + ", ".join(f"{json.dumps(d)}: {w}" for d, w in windows.items()) + "}")

    def coarsen(self, x):
        """x.coarsen(lat=2, lon=3, boundary=..., side=...).mean() and the other reductions."""
        rng = self.rng
        if x.is_array and x.value.dtype == bool:
            raise Retry()  # coarsen of bools is not documented
        if not x.dims:
            raise Retry()
        boundary = rng.choices([None, "exact", "trim", "pad"], [30, 10, 30, 30])[0]
        chosen = rng.sample(x.dims, min(len(x.dims), rng.choices([1, 2, 3], [55, 35, 10])[0]))
        partial = self.partial_dims(x)
        if partial and rng.random() < 0.5:
            chosen = [rng.choice(partial)] + [d for d in chosen if d not in partial][:1]
        windows = {}
        for d in chosen:
            n = x.sizes[d]
            if not n:
                windows[d] = rng.choice([1, 2, 3])
            elif boundary in (None, "exact"):
                windows[d] = self.window_length(n, [k for k in range(1, n + 1) if n % k == 0])
            else:
                # trim: a window longer than the dimension leaves no window, where xarray fails
                # reducing an empty array (XARRAY_ONLY)
                longest = n + (2 if boundary == "pad" and rng.random() < 0.15 else 0)
                windows[d] = self.window_length(n, list(range(1, longest + 1)))
        tags = self.window_tags(x, windows)
        side = None
        if boundary in ("trim", "pad") and rng.random() < 0.6 or rng.random() < 0.1:
            side = rng.choice(["left", "right", "right"])
        name = rng.choices(["mean", "sum", "min", "max", "prod", "std", "var"],
                           [10, 8, 6, 6, 4, 6, 5])[0]
        count = math.prod(windows.values())
        integers = any(np.dtype(t).kind == "i" for t in value_dtypes(x.value))
        if name == "prod" and (count > 12 or integers and not fits_integer(
                magnitude_of(x.value) ** count, np.int64)):
            raise Retry()
        x = self.window_chunks(x, windows)
        keywords = rng.random() < 0.8
        flow_windows, xr_windows = self.windows_text(windows, keywords)
        options = ([f"boundary={json.dumps(boundary)}"] if boundary else []) + (
            [f"side={json.dumps(side)}"] if side else [])
        flow = f"{x.flow}.coarsen({', '.join([flow_windows] + options)})"
        xr_code = f"{x.xr}.coarsen({', '.join([xr_windows] + options)})"
        details = [boundary or "exact"] + ([f"side={side}"] if side else [])
        tags += [f"coarsen boundary={boundary or 'exact'}"] + ([f"side={side}"] if side else [])
        tags += [] if keywords else ["coarsen({...})"]
        if name in ("std", "var") and rng.random() < 0.45:
            ddof = rng.choice([0, 1, 1])
            flow += f".{name}(ddof={ddof})"
            xr_code = f'coarsen_ddof({xr_code}, "{name}", {ddof})'
            tags.append(f"ddof={ddof}")
            details.append(f"ddof={ddof}")
        else:
            flow += f".{name}()"
            xr_code += f".{name}()"
        if x.is_dataset:
            if any(not set(windows) & set(x.value[v].dims) for v in x.value.data_vars):
                tags.append("variable without the dim")
                details.append("a variable without the dims")
            elif any(not set(windows) <= set(x.value[v].dims) for v in x.value.data_vars):
                tags.append("variable with some of the dims")
        node = self.node(flow, xr_code, f"coarsen.{name}", [x], tags, f"({', '.join(details)})")
        if name == "sum":
            node.magnitude = sum_of_magnitudes(x.value)
        elif name == "var":
            node.magnitude = magnitude_of(x.value) ** 2
        elif name == "prod" and node.value is not None:
            node.magnitude = magnitude_of(node.value)
            if node.magnitude > 1e30:
                raise Retry()
        return node

    def rolling(self, x):
        """x.rolling(time=7, center=..., min_periods=...).mean() and the other reductions."""
        rng = self.rng
        # Not along a dimension of length 0: xarray refuses it (XARRAY_ONLY).
        dims = [d for d in x.dims if x.sizes[d]]
        if not dims:
            raise Retry()
        d = rng.choice(dims)
        partial = [d for d in self.partial_dims(x) if x.sizes[d]]
        if partial and rng.random() < 0.5:
            d = rng.choice(partial)
        n = x.sizes[d]
        w = self.window_length(n, list(range(1, n + (2 if rng.random() < 0.1 else 1))))
        windows = {d: w}
        tags = self.window_tags(x, windows)
        center = rng.choice([None, None, False, True, True])
        min_periods = None if rng.random() < 0.5 else rng.randint(1, w)
        name = rng.choices(["mean", "sum", "min", "max", "std", "var"], [10, 8, 6, 6, 6, 5])[0]
        x = self.window_chunks(x, windows)
        keywords = rng.random() < 0.85
        flow_windows, xr_windows = self.windows_text(windows, keywords)
        flow_options, xr_options, details = [flow_windows], [xr_windows], []
        if center is not None:
            flow_options.append(f"center={'true' if center else 'false'}")
            xr_options.append(f"center={center}")
            if center:
                details.append("centred")
                tags.append("center=true")
        if min_periods is not None:
            flow_options.append(f"min_periods={min_periods}")
            xr_options.append(f"min_periods={min_periods}")
            tags.append("min_periods=")
            details.append(f"min_periods={min_periods}")
        tags += [] if keywords else ["rolling({...})"]
        rolled = f"{x.xr}.rolling({', '.join(xr_options)})"
        if min_periods is not None:
            rolled = f"min_periods_checked({rolled})"
        arguments = ""
        if name in ("std", "var") and rng.random() < 0.45:
            ddof = rng.choice([0, 1, 1])
            arguments = f"ddof={ddof}"
            tags.append(f"ddof={ddof}")
            details.append(f"ddof={ddof}")
        if x.is_dataset and any(d not in x.value[v].dims for v in x.value.data_vars):
            tags.append("variable without the dim")
            details.append("a variable without the dim")
        node = self.node(f"{x.flow}.rolling({', '.join(flow_options)}).{name}({arguments})",
                         f"{rolled}.{name}({arguments})", f"rolling.{name}", [x], tags,
                         f"({', '.join(details)})" if details else "")
        if name == "sum":
            node.magnitude = sum_of_magnitudes(x.value)
        elif name == "var":
            node.magnitude = magnitude_of(x.value) ** 2
        return node

    def windowed(self, depth):
        x = self.array(depth - 1)
        return (self.coarsen if self.rng.random() < 0.5 else self.rolling)(x)

    def window_family(self, depth):
        """A coarsen or a rolling of a labelled array or of a dataset, now and then of the
        other's result (a rolling of a coarsened array)."""
        rng = self.rng
        if rng.random() < 0.35:
            x = self.dataset(rng.choice([0, 0, 1]))
        else:
            x = self.array(max(0, depth - 2))
        x = self.choose(rng.choice([self.coarsen, self.rolling]), x)
        if rng.random() < 0.15:
            x = self.choose(rng.choice([self.coarsen, self.rolling]), x)
        return x

    # ------------------------------------------------------------------------------ groupings

    def group_dims(self, x):
        """What `x` can be grouped along: whether it has a time coordinate (of one time at
        least), and its dimensions with a numeric coordinate."""
        indexes = x.value.indexes
        time = ("time" in x.dims and x.sizes["time"] > 0
                and isinstance(indexes.get("time"), pd.DatetimeIndex))
        numeric = [d for d in x.dims if x.sizes[d] and d in indexes
                   and not isinstance(indexes[d], pd.DatetimeIndex)]
        return time, numeric

    def frequencies(self, times):
        """The resampling frequencies that make at most MAX_PERIODS periods of `times`."""
        series = pd.Series(np.zeros(len(times)), index=times)
        return [f for f in FREQUENCIES if len(series.resample(f).count()) <= MAX_PERIODS]

    def bins_spec(self, x, d):
        """groupby_bins over coordinate `d`: `bins` a number of equal bins or edges (the values,
        half-way points, values beyond both ends: edges at values test `right=` and
        `include_lowest=`), `labels=` now and then; the edges as pandas' cut makes them in f64
        (see bins_as_flow)."""
        rng = self.rng
        values = np.asarray(x.value[d].values, dtype=np.float64)
        distinct = sorted(set(values.tolist()))
        right = rng.choice([None, None, True, False])
        include_lowest = rng.choice([None, None, None, True, False])
        closed_right, lowest = right is not False, bool(include_lowest)
        tags = []
        if rng.random() < 0.4:
            bins = rng.choice([1, 2, 2, 3, 4])
            edges = pd.cut(values, bins, right=closed_right, include_lowest=lowest,
                           retbins=True)[1]
            edges = [float(e) for e in edges]
            tags.append("bins=N")
        else:
            spacing = ((distinct[-1] - distinct[0]) / (len(distinct) - 1)
                       if len(distinct) > 1 else 1.0)
            candidates = distinct + [distinct[0] - spacing, distinct[-1] + spacing,
                                     distinct[0] - spacing / 4] + [
                (a + b) / 2 for a, b in zip(distinct, distinct[1:])]
            candidates = sorted({round(c, 4) + 0.0 for c in candidates})
            k = min(len(candidates), rng.choice([2, 3, 3, 4, 5]))
            if k < 2:
                raise Retry()
            edges = sorted(rng.sample(candidates, k))
            bins = [int(e) if e == int(e) and rng.random() < 0.5 else e for e in edges]
            edges = [float(e) for e in edges]
            tags.append("bins=[edges]")
            if set(edges) & set(distinct):
                tags.append("edge at a value")
        codes = pd.cut(values, edges, right=closed_right, include_lowest=lowest, labels=False)
        if np.all(np.isnan(codes)):
            raise Retry()  # xarray: "None of the data falls within bins"
        if np.any(np.isnan(codes)):
            tags.append("values outside the bins")
        labels = None
        if rng.random() < 0.25:
            n = len(edges) - 1
            labels = rng.choice([[10 * (i + 1) for i in range(n)], [0.5 + i for i in range(n)],
                                 [-2.5 * i for i in range(n)]])
            if rng.random() < 0.3:
                rng.shuffle(labels)
            tags.append("labels=")
        if right is False:
            tags.append("right=false")
        if include_lowest:
            tags.append("include_lowest=true")
        size = len(values)
        return {"kind": "bins", "coordinate": d, "bins": bins, "right": right,
                "include_lowest": include_lowest, "labels": labels, "edges": edges,
                "dim": f"{d}_bins", "along": d, "groups": list(range(len(edges) - 1)),
                "size": size, "tags": tags}

    def group_spec(self, x, kind, numeric):
        """How to group `x` (see grouping_of)."""
        rng = self.rng
        if kind in ("field", "array"):
            times = pd.DatetimeIndex(x.value.indexes["time"])
            field = rng.choices(TIME_FIELDS, TIME_FIELD_WEIGHTS)[0]
            if field == "season":  # flow's codes (seasons_as_flow)
                values = [SEASON_OF_MONTH[m] for m in times.month]
            else:
                values = list(getattr(times, PANDAS_FIELDS.get(field, field)))
            spec = {"kind": kind, "field": field, "dim": field, "along": "time",
                    "groups": sorted(set(values)),
                    "size": max(values.count(v) for v in set(values)), "tags": []}
            if kind == "array":
                leaf = self.leaf
                if leaf.is_dataset and "time" in leaf.value.indexes and \
                        leaf.value.indexes["time"].equals(x.value.indexes["time"]):
                    key = leaf  # the opened dataset's times: d.time.dt.month
                elif x.name:
                    key = x  # the grouped value's own: x2.time.dt.month
                else:
                    raise Retry()
                spec["key"] = key
            return spec
        if kind == "coordinate":
            d = rng.choice(numeric)
            values = np.asarray(x.value[d].values, dtype=np.float64).tolist()
            tags = []
            if len(set(values)) < len(values):
                tags.append("duplicated coordinate")
            if len(values) > 1 and values[0] > values[-1]:
                tags.append("descending coordinate")
            return {"kind": kind, "coordinate": d, "dim": d, "along": d,
                    "groups": sorted(set(values)),
                    "size": max(values.count(v) for v in set(values)), "tags": tags}
        if kind == "bins":
            return self.bins_spec(x, rng.choice(numeric))
        times = pd.DatetimeIndex(x.value.indexes["time"])
        options = self.frequencies(times)
        if not options:
            raise Retry()
        return {"kind": "resample", "frequency": rng.choice(options), "dim": "time",
                "along": "time", "groups": None, "size": len(times),
                "record": rng.random() < 0.12, "tags": []}

    def grouping_of(self, x, kinds=GROUP_KINDS, spec=None):
        """x.groupby("time.month") (a calendar field of the times), x.groupby(d.time.dt.month)
        (a labelled array), x.groupby("lat") (a numeric coordinate, descending or holding a
        value twice now and then), x.groupby_bins("lat", bins, ...) or x.resample(time="MS"), of
        a labelled array or a dataset: a node whose value is xarray's GroupBy, its `group`
        saying how it groups (`spec`: as another grouping, for a climatology)."""
        rng = self.rng
        if not (x.is_array or x.is_dataset) or "bool" in value_dtypes(x.value):
            raise Retry()
        time, numeric = self.group_dims(x)
        if spec is None:
            weights = {"field": 34 if time else 0, "array": 12 if time else 0,
                       "coordinate": 16 if numeric else 0, "bins": 16 if numeric else 0,
                       "resample": 34 if time else 0}
            weights = [weights[k] if k in kinds else 0 for k in GROUP_KINDS]
            if not any(weights):
                raise Retry()
            kind = rng.choices(GROUP_KINDS, weights)[0]
            spec = self.group_spec(x, kind, numeric)
        kind = spec["kind"]
        if spec["along"] not in x.dims:
            raise Retry()
        children, tags = [x], list(spec["tags"])
        if kind == "field":
            text = json.dumps(f"time.{spec['field']}")
            flow, xr_code = f"{x.flow}.groupby({text})", f"{x.xr}.groupby({text})"
            op, detail = "groupby", f" time.{spec['field']}"
            tags.append(f"groupby time.{spec['field']}")
        elif kind == "array":
            key = spec["key"]
            field = spec["field"]
            flow = f"{x.flow}.groupby({key.flow}.time.dt.{field})"
            xr_code = f"{x.xr}.groupby({key.xr}.time.dt.{field})"
            op, detail = "groupby", f" time.dt.{field}"
            tags.append("groupby(labelled array)")
            if key is not x:
                children.append(key)
        elif kind == "coordinate":
            text = json.dumps(spec["coordinate"])
            flow, xr_code = f"{x.flow}.groupby({text})", f"{x.xr}.groupby({text})"
            op, detail = "groupby", f" {spec['coordinate']}"
            tags.append("groupby coordinate")
            detail += "".join(f" ({t})" for t in spec["tags"])
        elif kind == "bins":
            flow_args = [json.dumps(spec["coordinate"]), flow_value(spec["bins"])]
            xr_args = [json.dumps(spec["coordinate"]), py_value(spec["bins"])]
            for keyword in ("right", "include_lowest"):
                if spec[keyword] is not None:
                    flow_args.append(f"{keyword}={'true' if spec[keyword] else 'false'}")
                    xr_args.append(f"{keyword}={spec[keyword]}")
            if spec["labels"] is not None:
                flow_args.append(f"labels={flow_value(spec['labels'])}")
                xr_args.append(f"labels={py_value(spec['labels'])}")
            flow = f"{x.flow}.groupby_bins({', '.join(flow_args)})"
            xr_code = f"{x.xr}.groupby_bins({', '.join(xr_args)})"
            op, detail = "groupby_bins", f" {spec['coordinate']}"
        else:
            frequency = json.dumps(spec["frequency"])
            if spec["record"]:
                flow = f"{x.flow}.resample({{time: {frequency}}})"
                xr_code = f'{x.xr}.resample({{"time": {frequency}}})'
                tags.append("resample({...})")
            else:
                flow = f"{x.flow}.resample(time={frequency})"
                xr_code = f"{x.xr}.resample(time={frequency})"
            op, detail = "resample", f" {spec['frequency']}"
            tags.append(f"resample {spec['frequency']}")
        if x.is_dataset:
            tags.append("dataset")
            along = spec["along"]
            if any(along not in x.value[v].dims for v in x.value.data_vars):
                tags.append("variable without the grouped dim")
            if any(along in x.value[v].dims and x.value[v].dims[0] != along
                   for v in x.value.data_vars):
                tags.append("grouped dim not first")
        node = self.node(flow, xr_code, op, children, tags, detail)
        if node.error:
            raise Retry()
        node.group = dict(spec, subject=x)
        return node

    def group_reduction(self, g, names=GROUP_REDUCTIONS, weights=GROUP_REDUCTION_WEIGHTS):
        """A reduction of each group: `g.mean()` and the others, `skipna=`, `ddof=` and
        `keep_attrs=` now and then; a groupby_bins result labelled as flow labels it
        (bins_as_flow), a result by season too (seasons_as_flow)."""
        rng = self.rng
        group = g.group
        x = group["subject"]
        name = rng.choices(names, weights)[0]
        integers = any(np.dtype(t).kind == "i" for t in value_dtypes(x.value))
        if name == "prod" and (group["size"] > 12 or integers and not fits_integer(
                magnitude_of(x.value) ** group["size"], np.int64)):
            raise Retry()
        flow_args, xr_args, tags, details = [], [], [], []
        if name != "count" and rng.random() < 0.35:
            skip = rng.random() < 0.4
            flow_args.append(f"skipna={'true' if skip else 'false'}")
            xr_args.append(f"skipna={skip}")
            tags.append(f"skipna={'true' if skip else 'false'}")
            details.append(f"skipna={'true' if skip else 'false'}")
        if name in ("std", "var") and rng.random() < 0.45:
            ddof = rng.choice([0, 1, 1])
            flow_args.append(f"ddof={ddof}")
            xr_args.append(f"ddof={ddof}")
            tags.append(f"ddof={ddof}")
            details.append(f"ddof={ddof}")
        if rng.random() < 0.15:
            keep = rng.random() < 0.4
            flow_args.append(f"keep_attrs={'true' if keep else 'false'}")
            xr_args.append(f"keep_attrs={keep}")
            tags.append(f"keep_attrs={'true' if keep else 'false'}")
            details.append(f"keep_attrs={'true' if keep else 'false'}")
        flow = f"{g.flow}.{name}({', '.join(flow_args)})"
        xr_code = f"{g.xr}.{name}({', '.join(xr_args)})"
        if group["kind"] == "bins":
            xr_code = (f"bins_as_flow({xr_code}, {json.dumps(group['dim'])}, "
                       f"{py_value(group['edges'])}, {py_value(group['labels'])})")
        elif group.get("field") == "season":
            xr_code = f"seasons_as_flow({xr_code})"
        detail = g.detail + (f", {', '.join(details)}" if details else "")
        node = self.node(flow, xr_code, f"{g.op}.{name}", [g], tags, f"({detail.strip()})")
        if name == "sum":
            node.magnitude = sum_of_magnitudes(x.value)
        elif name == "var":
            node.magnitude = magnitude_of(x.value) ** 2
        elif name == "prod" and node.value is not None and not node.error:
            node.magnitude = magnitude_of(node.value)
            if node.magnitude > 1e30:
                raise Retry()
        return node

    def grouped(self, depth):
        """A grouped reduction of a labelled array."""
        return self.group_reduction(self.grouping_of(self.array(depth - 1)))

    def climatology(self, x, g):
        """A grouped reduction to combine with the grouping `g` of `x` (an anomaly): of `x`
        itself grouped alike, or of another pipeline grouped alike over the same groups' dimension
        (another variable, `x` reduced over or selected along another dimension; for a dataset,
        one of its variables)."""
        rng = self.rng
        kind = rng.choices(["same", "variable", "reduced", "selected"], [50, 22, 16, 12])[0]
        source, tags = x, []
        others = [d for d in x.dims if d != g.group["along"] and x.sizes[d]]
        if kind == "variable" and (x.is_dataset or x.base is not None):
            source = self.variable(x if x.is_dataset else x.base)
            tags.append("climatology of a variable")
        elif kind == "reduced" and others:
            d = json.dumps(rng.choice(others))
            source = self.node(f"{x.flow}.mean({d})", f"{x.xr}.mean({d})", "mean", [x])
            tags.append("climatology over fewer dims")
        elif kind == "selected" and others:
            d = rng.choice(others)
            i = rng.randrange(x.sizes[d])
            source = self.node(f"{x.flow}.isel({d}={i})", f"{x.xr}.isel({d}={i})", "isel", [x])
            tags.append("climatology over fewer dims")
        if source.error or not (source.is_array or source.is_dataset):
            raise Retry()
        spec = dict(g.group)
        if spec["kind"] == "array" and rng.random() < 0.4:
            spec["kind"] = "field"  # x.groupby(d.time.dt.month) - x.groupby("time.month").mean()
        elif spec["kind"] == "field" and rng.random() < 0.2 and self.leaf.is_dataset and \
                "time" in self.leaf.value.indexes and \
                self.leaf.value.indexes["time"].equals(source.value.indexes.get("time")):
            spec["kind"], spec["key"] = "array", self.leaf
        grouping = self.grouping_of(source, spec=spec)
        clim = self.group_reduction(grouping, ["mean", "median", "min", "max", "std", "sum"],
                                    [30, 6, 5, 5, 5, 4])
        clim.tags += tags
        return clim

    def anomaly_of(self, x):
        """x.groupby("time.month") - x.groupby("time.month").mean() (+, *, / too, and the
        climatology first now and then), of a labelled array or a dataset. xarray's result has
        the groups' labels as a non-index coordinate along the grouped dimension (`month` along
        `time`), which flow, having only index coordinates, does not: the twin drops it
        (grouped_as_flow)."""
        rng = self.rng
        x = self.bind(x)
        g = self.grouping_of(x, kinds=("field", "array", "coordinate"))
        clim = self.climatology(x, g)
        if clim.error or not (clim.is_array or clim.is_dataset):
            raise Retry()
        dim = g.group["dim"]
        have = (set(np.asarray(clim.value[dim].values).tolist()) if dim in clim.value.coords
                else set())
        if not set(g.group["groups"]) <= have:
            raise Retry()  # a group the climatology lacks: see missing_groups
        op = rng.choices(["-", "+", "*", "/"], [12, 3, 4, 3])[0]
        tags = ["anomaly"]
        # xarray lines the climatology up with the groups by its strings (seasons_as_xarray)
        clim_xr = (f"seasons_as_xarray({clim.xr})" if g.group.get("field") == "season"
                   else clim.xr)
        (a, a_xr), (b, b_xr) = (g, g.xr), (clim, clim_xr)
        if rng.random() < 0.25:
            (a, a_xr), (b, b_xr) = (b, b_xr), (a, a_xr)
            tags.append("climatology first")
        xr_code = f"({a_xr} {op} {b_xr})"
        if g.group["kind"] in ("field", "array"):
            xr_code = f"grouped_as_flow({xr_code}, {json.dumps(dim)})"
        else:
            xr_code = f"grouped_as_flow({xr_code})"
        node = self.node(f"({a.flow} {op} {b.flow})", xr_code, f"grouped {op}", [g, clim], tags)
        self.check_integers(node, a, b, op)
        return node

    def anomaly(self, depth):
        return self.anomaly_of(self.array(depth - 1))

    def check_integers(self, node, a, b, op):
        """Retry on a result that may overflow its integer dtype (not documented) or is huge."""
        if not node.error and (node.is_array or node.is_dataset):
            if magnitude_of(node.value) > 1e30:
                raise Retry()
            dtypes = [np.dtype(t) for t in value_dtypes(node.value)]
            ints = [t for t in dtypes if t.kind == "i"]
            if ints:
                ma, mb = (magnitude_of(o.group["subject"].value if o.group else o.value)
                          for o in (a, b))
                bound = {"+": ma + mb, "-": ma + mb, "*": ma * mb}.get(op, ma ** 3)
                if not all(fits_integer(bound, t) for t in ints):
                    raise Retry()

    def dataset_arithmetic(self, ds):
        """Arithmetic of a whole dataset, variable by variable: `ds * 2`, `ds - ds.mean("time")`,
        `ds + ds`, `-ds`, `ds / ds.sst` (a variable, reduced now and then, or a coordinate), now
        and then with the dataset second."""
        rng = self.rng
        if not ds.is_dataset or not ds.value.data_vars or "bool" in value_dtypes(ds.value):
            raise Retry()
        kind = rng.choices(["number", "reduced", "itself", "neg", "array"], [28, 26, 12, 10, 24])[0]
        if kind == "neg":
            return self.node(f"(-{ds.flow})", f"(-{ds.xr})", "neg", [ds],
                             ["dataset arithmetic"], " (dataset)")
        integers = any(np.dtype(t).kind == "i" for t in value_dtypes(ds.value))
        op = rng.choices(["+", "-", "*", "/"], [4, 5, 3, 3])[0]
        ds = self.bind(ds)
        if kind == "number":
            y = self.number(rng.choice(INT_NUMBERS if integers and rng.random() < 0.6
                                       else FLOAT_NUMBERS))
        elif kind == "reduced":
            d = json.dumps(rng.choice(ds.dims)) if ds.dims else None
            if d is None:
                raise Retry()
            name = rng.choice(["mean", "mean", "max", "min", "sum"])
            y = self.node(f"{ds.flow}.{name}({d})", f"{ds.xr}.{name}({d})", name, [ds])
        elif kind == "itself":
            y = ds
        else:
            y = self.related(ds)
        if y.op != "number" and (y.error or "bool" in value_dtypes(y.value)):
            raise Retry()
        a, b = (y, ds) if rng.random() < 0.3 else (ds, y)
        children = [c for c in (a, b) if c.op != "number"]
        tags = ["dataset arithmetic", f"dataset {op} {kind}"]
        node = self.node(f"({a.flow} {op} {b.flow})", f"({a.xr} {op} {b.xr})", op, children,
                         tags, f" (dataset, {kind})")
        self.check_integers(node, a, b, op)
        return node

    def group_family(self, depth):
        """A grouped reduction (of a labelled array or a dataset), an anomaly against one, or
        arithmetic of a whole dataset."""
        rng = self.rng
        kind = rng.choices(["array", "dataset", "anomaly", "dataset anomaly",
                            "dataset arithmetic"], [36, 14, 26, 8, 16])[0]
        if kind == "array":
            return self.choose(self.grouped, rng.choice([1, 1, 2, 3]))
        if kind == "anomaly":
            return self.choose(self.anomaly, rng.choice([1, 1, 2]))
        ds = self.dataset(rng.choice([0, 0, 1]))
        if kind == "dataset":
            node = self.choose(lambda d: self.group_reduction(self.grouping_of(d)), ds)
        elif kind == "dataset anomaly":
            node = self.choose(self.anomaly_of, ds)
        else:
            node = self.choose(self.dataset_arithmetic, ds)
            if rng.random() < 0.2:
                node = self.choose(self.dataset_arithmetic, node)
        if rng.random() < 0.2:
            return self.variable(node)
        return node

    # ------------------------------------------------------------------------------ datasets

    DATASET_STEPS = {"isel": 30, "sel": 35, "reduce": 25, "rechunk": 10, "coarsen": 10,
                     "rolling": 10, "where": 16, "assign_attrs": 6, "rename": 9, "drop_vars": 6,
                     "assign": 14, "groupby": 6, "arithmetic": 10}

    def dataset(self, depth):
        """The dataset leaf, or a selection, reduction, rechunk, window, where, rename, ... of it
        (depth of them)."""
        ds = self.leaf
        steps = {"isel": self.isel, "sel": self.sel, "reduce": self.reduce,
                 "rechunk": self.rechunk_of, "coarsen": self.coarsen, "rolling": self.rolling,
                 "where": lambda x: self.where_of(self.bind(x)),
                 "assign_attrs": self.assign_attrs_of,
                 "rename": self.rename_of, "drop_vars": self.drop_vars_of,
                 "assign": self.assign_of,
                 "groupby": lambda x: self.group_reduction(self.grouping_of(x)),
                 "arithmetic": self.dataset_arithmetic}
        for _ in range(depth):
            step = self.rng.choices(list(self.DATASET_STEPS), list(self.DATASET_STEPS.values()))[0]
            try:
                ds = self.choose(steps[step], ds)
            except Retry:
                continue
        return ds

    def source(self):
        """A variable of the dataset, now and then of a selection of it."""
        if self.rng.random() < 0.15:
            return self.variable(self.dataset(1))
        return self.variable(self.leaf)

    # ------------------------------------------------------------------------------ expressions

    def array(self, depth):
        if depth <= 0:
            return self.source()
        builders = [(self.select, 14), (self.reduction, 16), (self.arithmetic, 18),
                    (self.comparison_node, 9), (self.math, 8), (self.where, 6),
                    (self.isnan_node, 3), (self.clip, 4), (self.weighted, 6), (self.transpose, 4),
                    (self.rechunk, 4), (self.astype, 3), (self.windowed, 7),
                    (self.where_method, 8), (self.fold, 9), (self.assign_attrs, 3),
                    (self.rename, 4), (self.grouped, 7), (self.anomaly, 3)]
        return self.choose_weighted(builders, depth) or self.source()

    # ------------------------------------------------------------------------------ mistakes

    def value_not_in_coordinate(self, depth):
        x = self.array(depth - 1)
        indexed = [d for d in x.dims if d in x.value.indexes]
        if not indexed:
            raise Retry()
        d = self.rng.choice(indexed)
        index = x.value.indexes[d]
        if not len(index):
            raise Retry()
        if isinstance(index, pd.DatetimeIndex):
            missing = (pd.Timestamp(index.min()) - pd.Timedelta(days=400)).strftime("%Y-%m-%d")
            return self.node(f'{x.flow}.sel({d}="{missing}")', f'{x.xr}.sel({d}="{missing}")',
                             "sel", [x], ["date not in coordinate"])
        if "flag_meanings" in x.value[d].attrs and self.rng.random() < 0.5:
            text = json.dumps(self.rng.choice(["DJFM", "jja", "Summer"]))  # not a meaning
            return self.node(f"{x.flow}.sel({d}={text})", f"{x.xr}.sel({d}={text})", "sel", [x],
                             ["meaning not in flags"])
        values = np.asarray(index, dtype=np.float64)
        v = float(values.max()) + self.rng.choice([0.75, 13.25, 1000.0])
        return self.node(f"{x.flow}.sel({d}={flow_number(v)})", f"{x.xr}.sel({d}={py_number(v)})",
                         "sel", [x], ["value not in coordinate"])

    def unknown_dim(self, depth):
        x = self.array(depth - 1)
        name = self.rng.choice(["depth", "height", "Time", "lat_2"])
        reduction = self.rng.choice(["mean", "sum", "max"])
        return self.node(f'{x.flow}.{reduction}("{name}")', f'{x.xr}.{reduction}("{name}")',
                         reduction, [x], ["unknown dim"])

    def unknown_variable(self, depth):
        name = self.rng.choice(["temperature", "SST", "sst_anom", "ua"])
        return self.node(f"{self.leaf.flow}.{name}", f"{self.leaf.xr}.{name}", "variable",
                         [self.leaf], ["unknown variable"])

    def position_out_of_range(self, depth):
        x = self.array(depth - 1)
        if not x.dims:
            raise Retry()
        d = self.rng.choice(x.dims)
        i = self.rng.choice([x.sizes[d], x.sizes[d] + 3, -x.sizes[d] - 1])
        return self.node(f"{x.flow}.isel({d}={i})", f"{x.xr}.isel({d}={i})", "isel", [x],
                         ["position out of range"])

    def misaligned_operands(self, depth):
        a, b = self.misaligned_pair(depth)
        op = self.rng.choice(["+", "-", "*"])
        return self.node(f"({a.flow} {op} {b.flow})", f"({a.xr} {op} {b.xr})", op, [a, b],
                         ["coordinates differ"])

    def transpose_missing_dim(self, depth):
        x = self.array(depth - 1)
        if len(x.dims) < 2:
            raise Retry()
        dims = self.rng.sample(x.dims, len(x.dims) - 1)
        text = ", ".join(json.dumps(d) for d in dims)
        return self.node(f"{x.flow}.transpose({text})", f"{x.xr}.transpose({text})",
                         "transpose", [x], ["a dim left out"])

    def window_subject(self, depth):
        """A labelled array or, now and then, a dataset to make a window of."""
        if self.rng.random() < 0.3:
            return self.dataset(self.rng.choice([0, 1]))
        return self.array(depth - 1)

    def coarsen_not_dividing(self, depth):
        """coarsen with boundary="exact" (the default) and a window that does not divide the
        length: flow::check::coarsen_boundary, xarray's ValueError."""
        rng = self.rng
        x = self.window_subject(depth)
        dims = [d for d in x.dims if x.sizes[d] >= 2]
        if not dims or x.is_array and x.value.dtype == bool:
            raise Retry()
        d = rng.choice(dims)
        n = x.sizes[d]
        w = rng.choice([k for k in range(2, n + 2) if n % k])
        boundary = ', boundary="exact"' if rng.random() < 0.3 else ""
        name = rng.choice(["mean", "sum", "max"])
        return self.node(f"{x.flow}.coarsen({d}={w}{boundary}).{name}()",
                         f"{x.xr}.coarsen({d}={w}{boundary}).{name}()", f"coarsen.{name}", [x],
                         ["window not dividing the dim"])

    def min_periods_too_large(self, depth):
        """rolling with min_periods larger than the window (see `min_periods_checked`)."""
        rng = self.rng
        x = self.window_subject(depth)
        dims = [d for d in x.dims if x.sizes[d]]
        if not dims:
            raise Retry()
        d = rng.choice(dims)
        w = rng.randint(1, x.sizes[d])
        k = w + rng.choice([1, 1, 2, 5])
        name = rng.choice(["mean", "sum", "max", "std"])
        return self.node(f"{x.flow}.rolling({d}={w}, min_periods={k}).{name}()",
                         f"min_periods_checked({x.xr}.rolling({d}={w}, min_periods={k}))"
                         f".{name}()", f"rolling.{name}", [x], ["min_periods > window"])

    def unknown_window_dim(self, depth):
        """coarsen or rolling along a dimension the array or dataset does not have."""
        rng = self.rng
        x = self.window_subject(depth)
        d = rng.choice(["depth", "height", "Time", "lat_2"])
        how = rng.choice(["coarsen", "rolling"])
        boundary = ', boundary="trim"' if how == "coarsen" and rng.random() < 0.5 else ""
        return self.node(f"{x.flow}.{how}({d}=2{boundary}).mean()",
                         f"{x.xr}.{how}({d}=2{boundary}).mean()", f"{how}.mean", [x],
                         ["unknown dim"])

    def misaligned_pair(self, depth):
        """Two selections of one labelled array whose coordinates along a dimension differ."""
        x = self.array(depth - 1)
        candidates = [d for d in x.dims if x.sizes[d] >= 2 and d in x.value.indexes]
        if not candidates or x.value.dtype == bool:
            raise Retry()
        d = self.rng.choice(candidates)
        n = x.sizes[d]
        a = self.node(f"{x.flow}.isel({d}=slice(0, {n - 1}))",
                      f"{x.xr}.isel({d}=slice(0, {n - 1}))", "isel", [x])
        b = self.node(f"{x.flow}.isel({d}=slice(1, {n}))", f"{x.xr}.isel({d}=slice(1, {n}))",
                      "isel", [x])
        return a, b

    def misaligned_where(self, depth):
        """x.where(cond) with a condition whose coordinates differ: refused by flow; the twin's
        other=np.nan makes xarray join exactly, and raise (see the top)."""
        a, b = self.misaligned_pair(depth)
        c = self.comparison(b)
        return self.node(f"{a.flow}.where({c.flow})", f"{a.xr}.where({c.xr}, np.nan)", "x.where",
                         [a, c], ["coordinates differ"])

    def misaligned_fold(self, depth):
        a, b = self.misaligned_pair(depth)
        function = self.rng.choice(["sum", "min", "max"])
        twin = {"sum": "sum", "min": "minimum", "max": "maximum"}[function]
        items = [a, b] if self.rng.random() < 0.5 else [b, a]
        return self.node(f"{function}([{items[0].flow}, {items[1].flow}])",
                         f"{twin}({'[' if function == 'sum' else ''}{items[0].xr}, {items[1].xr}"
                         f"{']' if function == 'sum' else ''})", f"{function}([...])", items,
                         ["coordinates differ"])

    def unknown_drop(self, depth):
        ds = self.dataset(self.rng.choice([0, 0, 1]))
        name = self.rng.choice(["temperature", "SST", "sst_anom", "lat_2"])
        return self.node(f'{ds.flow}.drop_vars("{name}")', f'{ds.xr}.drop_vars("{name}")',
                         "drop_vars", [ds], ["unknown variable"])

    def unknown_rename(self, depth):
        x = self.dataset(0) if self.rng.random() < 0.5 else self.array(depth - 1)
        name = self.rng.choice(["temperature", "SST", "depth2", "lat_2"])
        return self.node(f'{x.flow}.rename({{{name}: "y"}})', f'{x.xr}.rename({{"{name}": "y"}})',
                         "rename", [x], ["unknown name"])

    def rename_conflict(self, depth):
        """rename({a: "b"}) onto a name it has already (a variable, a coordinate or a dimension)
        of a dataset or a labelled array: xarray's ValueError ("the new name 'b' conflicts")."""
        rng = self.rng
        x = self.dataset(rng.choice([0, 0, 1])) if rng.random() < 0.7 else self.array(depth - 1)
        variables = list(x.value.data_vars) if x.is_dataset else []
        names = list(dict.fromkeys(variables + list(x.value.coords) + list(x.dims)))
        if len(names) < 2:
            raise Retry()
        old = rng.choice(names)
        new = rng.choice([n for n in names if n != old])
        return self.node(f'{x.flow}.rename({{{old}: "{new}"}})',
                         f'{x.xr}.rename({{"{old}": "{new}"}})', "rename", [x],
                         ["onto an existing name"])

    def group_subject(self, depth):
        """A labelled array or, now and then, a dataset to group."""
        if self.rng.random() < 0.3:
            return self.dataset(self.rng.choice([0, 0, 1]))
        return self.array(depth - 1)

    def grouped_number(self, depth):
        """x.groupby("time.month") * 2: xarray's TypeError ("GroupBy objects only support binary
        ops when the other argument is a Dataset or DataArray")."""
        rng = self.rng
        x = self.bind(self.group_subject(depth))
        g = self.grouping_of(x, kinds=("field", "array", "coordinate"))
        y = self.number(rng.choice([2, 0.5, -1]))
        op = rng.choice(["-", "+", "*", "/"])
        a, b = (y, g) if rng.random() < 0.3 else (g, y)
        return self.node(f"({a.flow} {op} {b.flow})", f"({a.xr} {op} {b.xr})", f"grouped {op}",
                         [g], ["grouped with a number"])

    def grouped_without_groups(self, depth):
        """x.groupby("time.month") - y where y has no dimension of the groups (x itself, or x
        reduced over the grouped dimension): xarray's ValueError ("incompatible dimensions for a
        grouped binary operation")."""
        rng = self.rng
        x = self.bind(self.group_subject(depth))
        g = self.grouping_of(x, kinds=("field", "array", "coordinate"))
        along = json.dumps(g.group["along"])
        # x itself lacks the groups' dimension unless it is the grouped one (x.groupby("lat"))
        if g.group["dim"] != g.group["along"] and rng.random() < 0.4:
            y = x
        else:
            y = self.node(f"{x.flow}.mean({along})", f"{x.xr}.mean({along})", "mean", [x])
        op = rng.choice(["-", "+", "*"])
        a, b = (y, g) if rng.random() < 0.3 else (g, y)
        return self.node(f"({a.flow} {op} {b.flow})", f"({a.xr} {op} {b.xr})", f"grouped {op}",
                         [g, y], ["no dimension of the groups"])

    def missing_groups(self, depth):
        """x.groupby("time.month") - clim where clim lacks some of the groups (a climatology of
        the first times only): the twin's `covering` raises (see the top)."""
        rng = self.rng
        x = self.bind(self.group_subject(depth))
        g = self.grouping_of(x, kinds=("field", "array", "coordinate"))
        along, dim = g.group["along"], g.group["dim"]
        n = x.sizes[along]
        if n < 2:
            raise Retry()
        k = rng.randint(1, n - 1)
        part = self.node(f"{x.flow}.isel({along}=slice(0, {k}))",
                         f"{x.xr}.isel({along}=slice(0, {k}))", "isel", [x])
        spec = dict(g.group)
        if spec["kind"] == "array":
            spec["kind"] = "field"
        clim = self.group_reduction(self.grouping_of(part, spec=spec), ["mean"], [1])
        if clim.error or dim not in clim.value.coords:
            raise Retry()
        if set(g.group["groups"]) <= set(np.asarray(clim.value[dim].values).tolist()):
            raise Retry()
        groups = py_value([v.item() if isinstance(v, np.generic) else v
                           for v in g.group["groups"]])
        clim_xr = f"covering({clim.xr}, {json.dumps(dim)}, {groups})"
        if g.group.get("field") == "season":
            clim_xr = f"seasons_as_xarray({clim_xr})"
        return self.node(f"({g.flow} - {clim.flow})", f"({g.xr} - {clim_xr})",
                         "grouped -", [g, clim], ["groups missing"])

    def bad_grouping(self, depth):
        """A grouping xarray refuses: by an unknown coordinate, by a calendar field of a numeric
        coordinate, resample of a numeric or unknown dimension, bin edges that do not increase,
        as many labels as edges, a number of bins that is not positive."""
        rng = self.rng
        x = self.group_subject(depth)
        time, numeric = self.group_dims(x)
        kind = rng.choices(["unknown", "field of numbers", "resample numbers", "resample unknown",
                            "edges", "labels", "no bins"],
                           [2, 2 if numeric else 0, 2 if numeric else 0, 1,
                            2 if numeric else 0, 2 if numeric else 0, 1 if numeric else 0])[0]
        d = rng.choice(numeric) if numeric else None
        if kind == "unknown":
            text = json.dumps(rng.choice(["depth", "Time", "lat_2", "Time.month"]))
            call = f"groupby({text})"
        elif kind == "field of numbers":
            field = rng.choice(["month", "year", "season"])
            call = f"groupby({json.dumps(d + '.' + field)})"
        elif kind == "resample numbers":
            call = f'resample({d}="MS")'
        elif kind == "resample unknown":
            call = f'resample({rng.choice(["depth", "t"])}="D")'
        elif kind == "edges":
            edges = rng.choice([[10, 0], [0, 10, 5], [1, 1], [3]])
            call = f"groupby_bins({json.dumps(d)}, {edges})"
        elif kind == "no bins":
            call = f"groupby_bins({json.dumps(d)}, {rng.choice([0, -2])})"
        else:
            labels = rng.choice([[1], [1, 2, 3]])
            call = f"groupby_bins({json.dumps(d)}, [-100, 0, 100], labels={labels})"
        name = rng.choice(["mean", "max", "count"])
        return self.node(f"{x.flow}.{call}.{name}()", f"{x.xr}.{call}.{name}()", name, [x],
                         [f"bad grouping: {kind}"])

    MISTAKES = {"value_not_in_coordinate": 3, "unknown_dim": 1, "unknown_variable": 1,
                "position_out_of_range": 2, "misaligned_operands": 2, "transpose_missing_dim": 1,
                "coarsen_not_dividing": 2, "min_periods_too_large": 2, "unknown_window_dim": 1,
                "misaligned_where": 1, "misaligned_fold": 1, "unknown_drop": 1,
                "unknown_rename": 1, "rename_conflict": 1, "grouped_number": 1,
                "grouped_without_groups": 1, "missing_groups": 1, "bad_grouping": 2}

    # ------------------------------------------------------------------------------ families

    FAMILIES = {"read": 8, "selection": 16, "reduction": 20, "expression": 30, "weighted": 7,
                "dataset": 14, "window": 16, "groupby": 18, "mistake": 11}

    def result(self, family):
        rng = self.rng
        self.leaf = self.open_leaf()
        depth = rng.choices([1, 2, 3, 4], [30, 35, 25, 10])[0]
        for _ in range(10):
            try:
                if family == "mistake":
                    name = rng.choices(list(self.MISTAKES), list(self.MISTAKES.values()))[0]
                    return self.choose(getattr(self, name), depth - 1, refused=True)
                if family == "read":
                    if rng.random() < 0.3:
                        return self.leaf if rng.random() < 0.5 else self.choose(
                            self.rechunk_of, self.leaf)
                    x = self.variable(self.leaf)
                    if rng.random() < 0.4:
                        x = self.choose(self.rechunk_of, x)
                    return x
                if family == "selection":
                    x = self.choose(self.select, 1)
                    for _ in range(depth - 1):
                        x = self.choose(rng.choice([self.sel, self.isel, self.sel]), x)
                    return x
                if family == "reduction":
                    return self.choose(self.reduction, depth)
                if family == "weighted":
                    return self.choose(self.weighted, depth)
                if family == "window":
                    return self.window_family(depth)
                if family == "groupby":
                    return self.group_family(depth)
                if family == "dataset":
                    ds = self.dataset(rng.choice([1, 1, 2, 3]))
                    if ds is self.leaf:
                        raise Retry()
                    if rng.random() < 0.3:
                        return self.variable(ds)
                    return ds
                return self.array(depth)
            except Retry:
                continue
        return self.variable(self.leaf)


# ------------------------------------------------------------------------------------------------
# Cases.


@dataclass(eq=False)
class Case:
    stem: str
    family: str
    root: Node
    scale: float = 1.0
    f32: bool = False  # some value the result is computed from is f32: f32 tolerance
    expected: object = None  # xarray's result
    xr_error: str = ""
    outcome: str = ""
    difference: str = ""
    problems: list = field(default_factory=list)  # (kind, signature, text)
    flow_stdout: str = ""
    flow_stderr: str = ""
    flow_code: object = None
    smallest: "Case | None" = None
    # For a case flow refuses or fails: its largest part (the step closest to the one flow
    # stops at) that already differs from xarray's in its dimensions or coordinates.
    earlier: "Case | None" = None

    @property
    def result_path(self):
        return f"{self.stem}_r0.nc"

    @property
    def ops(self):
        return operations(self.root)

    @property
    def primary(self):
        """The first difference, by which failing parts are alike."""
        for kind in KINDS:
            for k, signature, _ in self.problems:
                if k == kind:
                    return signature
        return ""

    @property
    def signatures(self):
        return {s for _, s, _ in self.problems}

    def leaf_lines(self, flow):
        return [f"{leaf.name} = {leaf.flow_binding if flow else leaf.xr_binding}"
                for leaf in self.root.leaves()]

    def save_line(self):
        empty = []
        if isinstance(self.expected, (xr.DataArray, xr.Dataset)):
            empty = [d for d, n in self.expected.sizes.items() if n == 0]
        unlimited = f", unlimited={flow_value(tuple(empty))}" if empty else ""
        return f'save(r0, "{self.result_path}"{unlimited})'

    @property
    def flow_source(self):
        return "\n".join(self.leaf_lines(True) + [f"r0 = {self.root.flow}", self.save_line()])

    @property
    def xr_code(self):
        return "\n".join(self.leaf_lines(False) + [f"r0 = {self.root.xr}"])

    @property
    def short_flow(self):
        return "; ".join(self.leaf_lines(True) + [f"r0 = {self.root.flow}", self.save_line()])

    @property
    def short_xr(self):
        return "; ".join(self.leaf_lines(False) + [f"r0 = {self.root.xr}"])


def compute_xarray(case):
    namespace = dict(XR_NAMESPACE)
    try:
        with quiet():
            exec(case.xr_code, namespace)
        case.expected = namespace["r0"]
    except NameError:
        raise  # a leaf the generator did not bind: a bug here, not a difference
    except Exception as e:
        case.xr_error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


def finish_case(case):
    nodes = [n for n in case.root.walk() if n.value is not None and not n.error
             and isinstance(n.value, (xr.DataArray, xr.Dataset))]
    case.scale = max([max(magnitude_of(n.value), n.magnitude) for n in nodes] + [1.0])
    case.f32 = any("float32" in value_dtypes(n.value) for n in nodes)
    compute_xarray(case)
    return case


def make_case(rng, number, sets):
    family = rng.choices(list(Generator.FAMILIES), list(Generator.FAMILIES.values()))[0]
    dset = rng.choice(sets)
    generator = Generator(rng, dset)
    root = generator.result(family)
    return finish_case(Case(case_stem(number), family, root))


def part_case(case, node, index):
    """A case of its own for one part of a case's expression, for shrinking."""
    return finish_case(Case(f"{case.stem}_part{index}", case.family, node))


def write_case(workdir, case):
    differential.write_case(workdir, case, ", ".join(case.ops),
                            "xarray twin (tests/interop/datasets_vs_xarray.py)", case.xr_code)


# ------------------------------------------------------------------------------------------------
# Running and comparing.


def plain_attribute(v):
    if isinstance(v, np.ndarray):
        v = v.tolist()
        return tuple(v) if isinstance(v, list) else v
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, bytes):
        return v.decode()
    return v


def clean_attributes(attrs, is_time=False):
    drop = ENCODING_ATTRIBUTES | (TIME_ENCODING_ATTRIBUTES if is_time else set())
    return {k: plain_attribute(v) for k, v in attrs.items() if k not in drop}


def attributes_difference(got, want):
    if got == want:
        return ""
    if not got and want:
        return "attrs dropped", f"flow's are {{}}, xarray's {want}"
    return "attrs differ", f"flow's are {got}, xarray's {want}"


def is_time(array):
    return np.issubdtype(array.dtype, np.datetime64)


def array_problems(label, got, want, case):
    """Differences of one saved variable from xarray's: dims, shape, dtype, values, attrs."""
    problems = []
    gd = FLOW_DTYPE.get(str(got.dtype), str(got.dtype))
    wd = FLOW_DTYPE.get(str(want.dtype), str(want.dtype))
    if got.dims != want.dims:
        if sorted(got.dims) == sorted(want.dims):
            problems.append(("dims", "dims in another order",
                             f"{label}: dims {got.dims}, xarray's {want.dims}"))
        else:
            problems.append(("dims", "other dims",
                             f"{label}: dims {got.dims}, xarray's {want.dims}"))
    comparable = sorted(got.dims) == sorted(want.dims)
    if comparable:
        got = got.transpose(*want.dims)
        if got.shape != want.shape:
            problems.append(("shape", "shape", f"{label}: shape {dict(got.sizes)}, xarray's "
                                               f"{dict(want.sizes)}"))
            comparable = False
    if gd != wd:
        problems.append(("dtype", f"dtype {gd} vs {wd}", f"{label}: dtype {gd}, xarray's {wd}"))
    if comparable:
        g, w = np.asarray(got.values), np.asarray(want.values)
        if is_time(got) or is_time(want):
            why = "" if is_time(got) and is_time(want) and np.array_equal(g, w) else \
                f"times {g} vs {w}"
        else:
            precision = "f32" if wd in RTOL and case.f32 else wd
            why = values_difference(g, w, precision, case.scale, RTOL, ATOL, "xarray")
        if why:
            problems.append(("values", "values", f"{label}: {why}"))
    why = attributes_difference(clean_attributes(got.attrs), clean_attributes(want.attrs))
    if why:
        problems.append(("attrs", why[0], f"{label}: {why[1]}"))
    return problems


def coordinate_problems(got, want, exclude):
    """Differences of the coordinates in flow's file (`got`, a Dataset) from xarray's (`want`,
    a mapping of coordinates); `exclude` are the data variables."""
    problems = []
    got_names = [n for n in got.variables if n not in exclude]
    for name in want:
        w = want[name]
        if name not in got.variables:
            kind = "scalar coordinate" if w.ndim == 0 else "coordinate"
            problems.append(("coords", f"{kind} missing",
                             f"flow's file has no {kind} {name!r}"))
            continue
        g = got[name]
        if g.dims != w.dims:
            problems.append(("coords", "coordinate dims",
                             f"coordinate {name!r}: dims {g.dims}, xarray's {w.dims}"))
            continue
        if is_time(w):
            if not is_time(g):
                problems.append(("coords", "times not decoded as dates",
                                 f"coordinate {name!r} reads back as {g.dtype} {g.values}, "
                                 f"xarray's {w.values}"))
                continue
            gv = g.values.astype("datetime64[ns]").astype(np.int64)
            wv = w.values.astype("datetime64[ns]").astype(np.int64)
            if gv.shape != wv.shape or np.any(np.abs(gv - wv) > TIME_TOLERANCE_NS):
                problems.append(("coords", "coordinate values",
                                 f"coordinate {name!r}: {g.values}, xarray's {w.values}"))
        else:
            gd = FLOW_DTYPE.get(str(g.dtype), str(g.dtype))
            wd = FLOW_DTYPE.get(str(w.dtype), str(w.dtype))
            if gd != wd:
                problems.append(("coords", "coordinate dtype",
                                 f"coordinate {name!r}: {gd}, xarray's {wd}"))
            gv, wv = np.asarray(g.values), np.asarray(w.values)
            if gv.shape != wv.shape or not np.array_equal(gv.astype(np.float64),
                                                          wv.astype(np.float64), equal_nan=True):
                problems.append(("coords", "coordinate values",
                                 f"coordinate {name!r}: {gv}, xarray's {wv}"))
        why = attributes_difference(clean_attributes(g.attrs, is_time(w)),
                                    clean_attributes(w.attrs, is_time(w)))
        if why:
            problems.append(("coord attrs", f"coordinate {why[0]}", f"coordinate {name!r}: "
                                                                      f"{why[1]}"))
    for name in got_names:
        if name not in want:
            problems.append(("coords", "extra coordinate",
                             f"flow's file has a coordinate {name!r} that xarray's result lacks"))
    return problems


def expected_name(array):
    name = array.name
    if name is None or name in array.coords:
        return "x"
    return str(name)


def result_problems(want, got, case):
    if isinstance(want, xr.DataArray):
        name = expected_name(want)
        data = [n for n in got.data_vars if n not in want.coords]
        problems = []
        if name not in got.variables or name in want.coords:
            if len(data) != 1:
                return [("variables", "variables",
                         f"flow's file holds {sorted(got.variables)}; xarray's result is "
                         f"{name!r}")]
            problems.append(("name", "name", f"the variable is {data[0]!r}, xarray's name "
                                             f"{want.name!r} (saved as {name!r})"))
            name = data[0]
        problems += array_problems(name, got[name], want, case)
        problems += coordinate_problems(got, want.coords, {name})
        return problems
    problems = []
    want_vars, got_vars = list(want.data_vars), [n for n in got.data_vars if n not in want.coords]
    if set(want_vars) != set(got_vars):
        problems.append(("variables", "variables",
                         f"flow's variables are {sorted(got_vars)}, xarray's {sorted(want_vars)}"))
    for name in want_vars:
        if name in got_vars:
            problems += array_problems(name, got[name], want[name], case)
    why = attributes_difference(clean_attributes(got.attrs), clean_attributes(want.attrs))
    if why:
        problems.append(("attrs", f"dataset {why[0]}", f"the dataset's attributes: {why[1]}"))
    problems += coordinate_problems(got, want.coords, set(got_vars))
    return problems


def classify(case, workdir, code, stdout, stderr):
    case.flow_code, case.flow_stdout, case.flow_stderr = code, stdout, stderr
    case.outcome, case.difference = classification(case, workdir, code, stderr)


def classification(case, workdir, code, stderr):
    failed = flow_failure(code, stderr, case.xr_error)
    if failed:
        return failed
    if case.xr_error:
        return XARRAY_ERROR, f"xarray raises {case.xr_error}"
    path = os.path.join(workdir, case.result_path)
    if not os.path.exists(path):
        return RUNTIME_ERROR, f"flow exited 0 but wrote no {case.result_path}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # times xarray cannot decode are compared below
            with xr.open_dataset(path) as f:
                got = f.load()
    except Exception as e:  # a file xarray cannot read is flow's failure
        return RUNTIME_ERROR, f"xarray cannot read {case.result_path}: {e}"
    case.problems = sorted(result_problems(case.expected, got, case),
                           key=lambda p: list(KINDS).index(p[0]))
    if not case.problems:
        return AGREE, ""
    outcome = KINDS[case.problems[0][0]]
    return outcome, "\n".join(text for _, _, text in case.problems)


def run_all(flow, workdir, cases, jobs):
    differential.run_all(flow, workdir, cases, jobs, write_case, classify, MISMATCH_VALUES)


def first_code(stderr):
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[0] if lines else ""


def alike(case, part):
    """Whether a part fails as its case does: the same class, and the same first difference
    (or the same diagnostic code)."""
    if case.outcome in (MISMATCH_TYPE, MISMATCH_VALUES, MISMATCH_LABELS):
        return case.primary in part.signatures and part.outcome in (
            MISMATCH_TYPE, MISMATCH_VALUES, MISMATCH_LABELS)
    if part.outcome != case.outcome:
        return False
    if case.outcome in (REJECTED, RUNTIME_ERROR):
        return first_code(part.flow_stderr) == first_code(case.flow_stderr)
    return True


# The differences of a part that can make a later step fail: the dimensions or the coordinate
# values it leaves are not xarray's.
EARLIER_SIGNATURES = {"other dims", "shape", "coordinate values", "times not decoded as dates",
                      "coordinate missing", "coordinate dims"}


def shrink(flow, workdir, failing, jobs):
    """Run every part of each failing case's expression on its own; the smallest part that
    fails alike is the case's `smallest`. xarray's refusals are about the whole program: those
    cases are not shrunk. The dataset itself is a part only when the result is a dataset."""
    parts = {}
    for case in failing:
        if case.outcome == XARRAY_ERROR:
            continue
        nodes = [n for n in dict.fromkeys(case.root.walk())
                 if n is not case.root and n.op != "number" and not n.error
                 and isinstance(n.value, (xr.DataArray, xr.Dataset))
                 and (not n.name or case.root.is_dataset) and n.op != "weights"]
        parts[case] = [part_case(case, n, i) for i, n in enumerate(nodes)]
        parts[case] = [p for p in parts[case] if not p.xr_error]
    run_all(flow, workdir, [p for ps in parts.values() for p in ps], jobs)
    for case, ps in parts.items():
        case.smallest = smallest(p for p in ps if alike(case, p))
        if case.outcome in (REJECTED, RUNTIME_ERROR, INTERNAL_ERROR):
            # A step before the one flow stops at may already differ (a dimension dropped that
            # a later step names): that is the failure's cause.
            differing = [p for p in ps if p.signatures & EARLIER_SIGNATURES]
            case.earlier = max(differing, key=lambda p: p.root.size) if differing else None


# ------------------------------------------------------------------------------------------------
# Reporting.


def cause_of(case):
    """Why a case failed: its class, what failed (the first difference, or the diagnostic) and
    where (the operation at the root of its smallest failing part); equal for failures that
    look alike."""
    part = case.smallest or case
    if case.outcome == XARRAY_ERROR:
        return case.outcome, case.xr_error.split(":")[0], case.root.label()
    if case.outcome in (REJECTED, RUNTIME_ERROR, INTERNAL_ERROR):
        message = first_message(part.flow_stderr) or part.difference.splitlines()[0]
        message = re.sub(r"`[^`]*`", "`…`", message)
        message = re.sub(r"\([^)]*\)", "(…)", message)
        message = re.sub(r"-?\d+(\.\d+)?", "N", message)
        where = f"{part.root.op}{part.root.detail}"
        if case.earlier:
            where += f", after {case.earlier.root.label()}: {case.earlier.primary}"
        return case.outcome, message[:110], where
    return case.outcome, case.primary, part.root.label()


def primary_text(case, part):
    """The part's difference that names the case's failure (and another one of its kinds, for
    context: the times behind values in another order), or its first line."""
    text = next((t for _, s, t in part.problems if s == case.primary), "")
    other = next((t for k, s, t in part.problems
                  if s != case.primary and k not in ("attrs", "coord attrs")), "")
    if text:
        return text + (f"\n(and {other})" if other else "")
    if part.difference:
        return part.difference.splitlines()[0]
    return first_message(part.flow_stderr)


def answer(value):
    """xarray's result, in a few lines."""
    if isinstance(value, xr.DataArray):
        values = np.array2string(value.values, threshold=20)
        return f"{value.name} {value.dims} {value.dtype} {values}\n  attrs {dict(value.attrs)}"
    if isinstance(value, xr.Dataset):
        return "\n".join(f"{n} {value[n].dims} {value[n].dtype} "
                         f"{np.array2string(value[n].values, threshold=20)}"
                         for n in value.data_vars)
    return repr(value)


def flow_answer(workdir, case):
    path = os.path.join(workdir, case.result_path)
    if not os.path.exists(path):
        return "(no file)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with xr.open_dataset(path) as f:
                got = f.load()
    except Exception as e:
        return f"(unreadable: {e})"
    return "\n".join(f"{n} {got[n].dims} {got[n].dtype} "
                     f"{np.array2string(got[n].values, threshold=20)}\n  attrs {dict(got[n].attrs)}"
                     for n in got.data_vars)


def report(cases, sets, elapsed, shown, workdir, out):
    failing = [c for c in cases if c.outcome != AGREE]
    print(f"flow datasets against xarray {xr.__version__} (numpy {np.__version__}, netCDF4 "
          f"{netCDF4.__version__}): {len(cases)} cases over {len(sets)} sets of files in "
          f"{elapsed:.1f} s", file=out)
    print("", file=out)
    print_classes(cases, CLASSES, 24, out)
    refused = sum(c.difference == "both refuse" for c in cases)
    print(f"  ({refused} of the agreeing cases are programs both refuse)", file=out)
    print("", file=out)
    columns = [(AGREE, "agree"), (MISMATCH_TYPE, "type"), (MISMATCH_VALUES, "values"),
               (MISMATCH_LABELS, "labels"), (REJECTED, "rejected"), (RUNTIME_ERROR, "run-time"),
               (INTERNAL_ERROR, "internal"), (XARRAY_ERROR, "xarray")]
    print_outcomes(cases, Generator.FAMILIES, columns, 30, out, clip=True)
    if failing:
        print("\nDistinct failures, by what fails and then by the operation at the root of the "
              "smallest failing part (with the first case of each):", file=out)
        causes = {}
        for c in failing:
            outcome, what, where = cause_of(c)
            causes.setdefault((outcome, what), {}).setdefault(where, []).append(c)
        for (outcome, what), places in sorted(causes.items(), key=lambda kv: (
                -sum(len(g) for g in kv[1].values()), kv[0])):
            total = sum(len(g) for g in places.values())
            print(f"\n  {total:>4} × {outcome}: {what}", file=out)
            ordered = sorted(places.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            for where, group in ordered[:EXAMPLES_PER_CAUSE]:
                first = group[0]
                part = first.smallest or first
                print(f"       {len(group):>3} × at {where}  [{first.stem}]", file=out)
                print(f"             flow:   {part.short_flow}", file=out)
                print(f"             xarray: {part.short_xr}", file=out)
                print(indent(primary_text(first, part), "             "), file=out)
                if first.earlier:
                    print(f"             an earlier step already differs: "
                          f"{first.earlier.short_flow}", file=out)
                    print(indent(primary_text(first.earlier, first.earlier),
                                 "               "), file=out)
            if len(ordered) > EXAMPLES_PER_CAUSE:
                rest = ", ".join(f"{where} ×{len(group)}"
                                 for where, group in ordered[EXAMPLES_PER_CAUSE:])
                print(textwrap.fill(f"also at: {rest}", 96, initial_indent="       ",
                                    subsequent_indent="         "), file=out)
        print(f"\nThe first {min(shown, len(failing))} of {len(failing)} failing cases:", file=out)
        for c in failing[:shown]:
            print_case(c, ", ".join(c.ops), "xarray", c.xr_code, out)
            if c.outcome in (MISMATCH_TYPE, MISMATCH_VALUES, MISMATCH_LABELS, XARRAY_ERROR):
                print("  difference:\n" + indent(c.difference), file=out)
                if c.outcome != XARRAY_ERROR:
                    print("  flow's file:\n" + indent(flow_answer(workdir, c)), file=out)
                    print("  xarray's result:\n" + indent(answer(c.expected)), file=out)
            else:
                print_flow_stderr(c, out)
                if c.expected is not None:
                    print("  xarray's result:\n" + indent(answer(c.expected)), file=out)
            if c.smallest and c.smallest.root is not c.root:
                print(f"  smallest failing part: {c.smallest.short_flow}", file=out)
    print("\nThe sets:", file=out)
    for s in sets:
        variables = ", ".join(f"{v.name} {v.dims} {v.kind}" for v in s.variables.values())
        print(f"  {s.name}: {len(s.files)} file(s); {variables}; {', '.join(s.tags)}", file=out)
    print(f"\n{len(XARRAY_ONLY)} kinds of xarray operations are not generated "
          f"(XARRAY_ONLY in tests/interop/datasets_vs_xarray.py).", file=out)


def main():
    args = parse_arguments(__doc__.split("\n")[0], "a directory for the files and cases")

    started = time.monotonic()
    flow, workdir = prepare(args, r"case_\d+(_part\d+)?(\.flow|_r\d+\.nc)", dirs=r"set\d+")
    os.chdir(workdir)  # the twins read the files by the paths the flow scripts use
    xr.set_options(arithmetic_join="exact")  # flow does not realign (see the top)
    rng = random.Random(args.seed)
    np_rng = np.random.default_rng(args.seed)
    sets = [make_set(np_rng, rng, k) for k in range(SETS)]
    cases = [make_case(rng, number, sets) for number in range(args.cases)]
    run_all(flow, workdir, cases, args.jobs)
    failing = [c for c in cases if c.outcome != AGREE]
    shrink(flow, workdir, failing, args.jobs)
    report(cases, sets, time.monotonic() - started, args.show, workdir, sys.stdout)
    sys.exit(0 if not failing else 1)


if __name__ == "__main__":
    main()
