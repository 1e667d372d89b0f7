"""A differential test of flow's arrays against NumPy 2 (tests/interop.rs runs it in CI).

    python arrays_vs_numpy.py --flow FLOW_BINARY --dir WORKDIR --seed 7 --cases 300 [--jobs 2]

It makes random array programs from one small syntax tree (below, `Node` and `Generator`), each
rendered twice: as a flow script `case_NNN.flow` (its NumPy twin is appended to it as comments)
and as NumPy code run here. The programs build arrays (arange, linspace, ones, zeros, full,
ones_like, zeros_like, array literals) of 0 to 4 dimensions, with lengths of 0 and 1 among
others, and `array([...])` of lazy arrays, which stacks them (0-d ones such as
`array([x.sum(), x.max(), x[1, 2]])` with numbers among them, or arrays of one shape such as
`array([x, x * 2])`, with `dtype=` and `chunks=`), odd chunkings (`chunks=` and `.rechunk`,
which must not change any value) and every dtype flow has (bool, i32, i64, f32, f64), then
slice them (steps, negative steps, integers,
`...`, `none`), combine them with broadcasting arithmetic, comparisons and `&` `|`, the bit
operators `^`, `<<`, `>>` and `~` (of bools and ints, with numbers either side, shifts by
counts at and beyond the width and negative ones), apply
elementwise functions (`sqrt`, `trunc`, `cbrt`, `expm1`, `arctanh`, `isinf`, ...) and the
binary ones (`maximum`, `minimum`, `fmax`, `fmin`, `arctan2`, `hypot`, `copysign`, `logaddexp`,
of arrays or numbers, broadcasting), `where`, `clip` and `astype`, round them (`rint`,
`round(x, digits)` and `x.round(decimals)` with decimals either way, of ints too, and so many
that 10**decimals overflows; `nan_to_num` with `nan=`, `posinf=`, `neginf=`; `reciprocal` of
floats; of halves, NaN, infinities, huge and tiny values), reduce them (with `axis=`,
`keepdims=`, `ddof=`, and the nan-variants, `nanprod` too), take order statistics (`median`,
`percentile`, `quantile` and their nan-variants, along an axis or of the flattened array, `q` a
number or a list, with each `method=`; and estimated with `approx=true`, from t-digests of the
chunks merged, of small arrays, of thousands of values in several chunks and of 60,000 to
300,000 (so the digests compress), ties, NaN and infinities among them, the estimate alone a
case's result), concatenate, stack and transpose them, reshape them
(`x.reshape(2, -1)`, `x.reshape((2, 3))`, `x.ravel()`), multiply them as matrices (`a @ b`,
`matmul`, `dot` of 1-d and 2-d operands, with 0- and 1-length axes, `x @ x.T`; an operand of
more axes is first reshaped into rows), take `outer` products, diagonals and traces
(`diagonal`, `trace`, `x.diagonal()`, `x.trace()` of 2- to 4-d arrays, with offsets beyond the
array either way, negative axes, arguments positional or by name), cumulative sums and products
(`cumsum`, `cumprod`, `nancumsum`, `nancumprod`, along an axis or flattened) and differences
(`diff` with `n=` and `axis=`), rearrange them (`squeeze`, `expand_dims`, `moveaxis`,
`swapaxes`, `flip`, `roll`, `broadcast_to`, `tile`, `repeat`, `pad`, `take` and the methods
`x.squeeze()`, `x.swapaxes(a, b)`, `x.repeat(n)`, `x.take(indices)`: axes negative and in
tuples, rolls by more than the length and backwards, tiles with 0 reps and more reps than axes,
0 repeats, pads in every mode flow has with widths as an int, a pair or a pair per axis,
reflections wider than the array, takes of an int or a list of indices (empty, negative,
repeated, runs of consecutive ones) along an axis or of the flattened array, arrays with axes
of length 0 and 1, often rechunked first), index them with one index array among other items
(`x[[3, 0, 0]]`, `x[1, :, [true, false, true]]`, `x[..., []]`, `x[none, arange(3) * 2]`,
`x[k % 4]`, `x[y.argmax(axis=0)]`, a 1-d bool array along an axis; negative and repeated
indices; NumPy moves the array's axis first where ints or others stand between) or a mask of the
whole shape (`x[x > 2]`, `x[(x % 3) == 0]`, `x[isnan(y)]`, nested lists of bools, masks selecting
nothing, of 0-d arrays too), often rechunked first and reduced after, sort them (`sort`,
`argsort` stable, along an axis put in one chunk first or of an array made without chunks;
`topk` with k either way on any chunks; `unique`), bin them (`digitize` with increasing or
decreasing bins, repeated edges, edges at values of the array, `right=`; `bincount` of 1-d
non-negative ints with `weights=` and `minlength=`), and take histograms.
Only operations docs/arrays.md and docs/builtins.md document are generated; `NUMPY_ONLY` lists
what NumPy has and flow lacks. Random arrays are not generated: flow's are counter-based and
make other values than NumPy's generators.

Cases come in families (`Generator.FAMILIES`): expressions, reductions, histograms, values whose
printing has rules of its own (scientific notation, long rows of 3-d arrays, empty arrays,
summaries), and mistakes NumPy refuses (an index or axis out of range, shapes that do not
broadcast, ints to negative powers, a number beyond an i32 array's range, pieces that do not
fit (`array([...])` of arrays of two shapes too), `-` of bools, reductions of empty arrays,
matrix products whose shared axes differ in length or with a 0-d operand, reshapes into
another size, with two -1s or with no lengths, scans and diffs along axes the array lacks, diff of a 0-d array or with a negative `n`, a quantile
outside [0, 1], a percentile outside [0, 100] or NaN, an unknown `method=`; `^`, `<<`, `>>`
and `~` of floats; sort, argsort or topk of a 0-d array or along an axis it lacks, digitize
with bins neither increasing nor decreasing, bincount of a negative value (which flow finds
when it runs: flow::eval::negative_count), of floats, 2-d or 0-d values, with weights of
another length or a negative minlength; squeeze of an
axis whose length is not 1, broadcast_to a shape the array does not broadcast to, moveaxis with
more sources than destinations or fewer, negative tile reps and repeats, a pad mode NumPy does
not know, edge or reflected pads of an empty axis, pad widths for another number of axes, axes
out of range or named twice in the rearrangements; take of an index out of range, either way,
which flow refuses while checking (flow::check::array_index); index arrays out of range (lists,
or computed: flow finds those when it runs), of floats, bools of another length than the axis
(the array's size too) and masks of another shape; diagonal or trace of a 0-d or 1-d array, of
one axis twice, or of an axis out of range), which flow must refuse too. And programs only
flow refuses: approx=true along an axis or with a method other than linear
(flow::check::argument_value) or of no values (flow::check::empty_reduction), which NumPy,
without approx=, computes exactly: their twin raises in its stead (`refused_by_flow`), and flow
must stop with that diagnostic (`Node.diagnostic`; with another, the case is flow's failure).

Each result is saved by flow to `case_NNN_rK.h5` and read back with h5py, so its values and
dtype are exact; the script also prints each result's static shape and dtype (`@type`), and, in
about half the cases, the result itself (`@print`), which is compared with NumPy's `str()`.
flow runs as `FLOW_BINARY run case_NNN.flow` in WORKDIR, `--jobs` at a time, each with a
timeout. What the differential tests share (literals, the syntax tree's walking, running flow,
comparing arrays, the report's tables) is in differential.py, beside this script.

Each case is classified:

    agree                   flow's results are NumPy's (the rules below), or both refuse
                            the program: NumPy raises and flow stops with a diagnostic
    mismatch (values)       a value differs
    mismatch (dtype/shape)  a shape or dtype differs (the static one flow prints, or the
                            one of the file it saves)
    mismatch (printing)     values agree but `print` shows other text than NumPy's `str()`
                            (booleans print as true/false in flow, as documented)
    flow rejected           flow stopped while checking (exit 1, nothing ran); NumPy computes
    flow run-time error     flow failed while running (exit 3, a timeout, no result file)
    flow internal error     exit 70, 'internal error' or `flow::eval::kernel_failed`: always a
                            bug in flow, whatever NumPy does
    numpy error             NumPy raises but flow computes a result

and the exit status is 0 only when every case agrees.

How results compare: shapes and dtypes exactly (NumPy's int32/int64/float32/float64/bool are
flow's i32/i64/f32/f64/bool; the generator never makes a program whose NumPy result has another
dtype, see `NUMPY_ONLY`); ints and bools exactly (integer matrix products too); floats with NaN
equal to NaN, an infinity only equal to the same infinity, and finite values within rtol 1e-9
(f64) or 1e-5 (f32) and an atol of 1e-12 (f64) or 1e-6 (f32) times the largest magnitude in the
program (summation order is free: so sums and products of values near overflow, such as
nan_to_num's default replacements, are not generated, `ORDER_FREE`). For a matrix product that
magnitude includes the sums of the products' magnitudes (`abs(a) @ abs(b)`), which cancellation
may leave larger than any value; shared axes are kept short (`LONGEST_SHARED_AXIS`). An f64
result computed from f32 values (`f32_array @ i32_array`, `deg2rad(f32_array).astype("f64")`)
has f32's tolerance: f32 functions may differ from NumPy's in the last bit (NumPy's f32 `exp`
and `deg2rad` do not round once from the f64 value), and promotion carries that bit into the f64
result.

An estimate (approx=true) of at most 50,000 finite values (`APPROX_EXACT_VALUES`) is NumPy's
exact quantile, compared as any other value. Of more, the digests compress, and it is compared
with NumPy's exact quantiles by rank, not by value: its shape and dtype exactly, NaN and
infinities where NumPy's are (the same infinity) and nowhere else, the minimum and the maximum
(q 0 and 1) exactly, and otherwise it must lie between NumPy's exact quantiles (same method,
same values) at q - 1e-3 and q + 1e-3, widened by the float tolerance above for rounding alone
(`APPROX_RANK_ERROR`, the documented rank error), or where that documented rank error
|(# values < estimate) / n - q| is below 1e-3 (NumPy's positions, at (n - 1) q, may miss that by
a value). Its printing is not compared.

Printing is compared with NumPy's `str()` of the values flow saved, so a value that differs in
the last bits (a variance of 4e-17 where flow computes 0) is not also a printing mismatch.

A failing case is shrunk: every part of its expression is run as a case of its own, and the
smallest part that fails alike names the failure's cause in the report (printing mismatches are
named by what is special about the value printed).
"""

import math
import os
import random
import re
import sys
import textwrap
import time
from dataclasses import dataclass, field
from fractions import Fraction

import h5py
import numpy as np

import differential
from differential import (AGREE, FLOW_DTYPE, INTERNAL_ERROR, MISMATCH_TYPE, MISMATCH_VALUES,
                          REJECTED, RUNTIME_ERROR, ProgramGenerator, Retry, TreeNode, case_stem,
                          describe, first_message, flow_failure, flow_number, indent, operand,
                          operations, parse_arguments, prepare, print_case, print_classes,
                          print_flow_stderr, print_outcomes, py_number, quiet, smallest,
                          values_difference)

# ------------------------------------------------------------------------------------------------
# What NumPy has and flow does not (docs/arrays.md lists what flow has), so the generator never
# makes it. Kept for later: when flow gains one, teach the generator to make it.
NUMPY_ONLY = [
    "nanpercentile/nanquantile of an empty array, which NumPy returns early: without the axis "
    "a list of q makes and in f64 whatever the method (flow keeps both, as for any array)",
    "nanpercentile/nanquantile of f32 values with a list of q and an all-NaN slice: NumPy's "
    "result takes the dtype of its first slice's, f32 when that one is all NaN, f64 otherwise "
    "(flow: f64, as for any list of q)",
    "percentile/quantile with no q (q=[]) of an empty array, which NumPy returns empty "
    "(flow::check::empty_reduction refuses a quantile of an empty axis)",
    "nanpercentile/nanquantile with an unknown method= of values all NaN, which NumPy returns "
    "early as NaN without looking at the method (flow::check::argument_value refuses it)",
    # creation
    "np.empty / np.full_like / np.eye / np.identity / np.meshgrid / np.fromfunction",
    "linspace(endpoint=, retstep=, dtype=)",
    "random arrays with NumPy's values (flow's generators are counter-based, not PCG64)",
    # dtypes
    "int8/int16/uint*/float16/complex/datetime64 dtypes, so also what NumPy gives them: "
    "bool // bool, bool % bool and bool ** bool are int8; sqrt, exp, log, sin, ... of bools "
    "are float16",
    # elementwise
    "np.around / logical_not / fmod / signbit / logaddexp2 / float_power / heaviside / "
    "nextafter",
    "shifts of bools (NumPy makes int8 of bools shifted by bools, int64 by a number)",
    "rint and round of bools, which NumPy makes float16 (and round of bools with decimals other "
    "than 0, which NumPy refuses: its multiply cannot cast back to bool)",
    "reciprocal of ints and bools, which NumPy truncates (1 // x; int8 for bools): "
    "flow::check::dtype refuses it",
    "round with out=; nan_to_num with copy= (NumPy's second positional parameter, flow's is "
    "nan); round of ints with decimals below -12 (NumPy's ints divided by 10**400 are NaN cast "
    "to ints)",
    "where with a condition that is not bool (flow::check::argument_type)",
    "clip with none for one bound (flow::check::argument_type)",
    # indexing and shapes
    "two index arrays in one index (x[[0, 1], [2, 3]], which NumPy broadcasts together; "
    "flow::check::array_index: one index array at a time), index arrays of 2 or more dims "
    "(flow::check::index_type), a mask of some leading axes (x[m] with m.shape == "
    "x.shape[:k]) or a whole-shape mask among other items; np.nonzero/argwhere",
    "take with an index array computed by the program (x.take(y.argmax(axis=0)), "
    "take(x, arange(3))): flow's indices are an int or a list of ints known when the script is "
    "checked; take with out= or mode= (clip, wrap); np.take_along_axis / np.put",
    "take of a 0-d array along axis 0 or -1 (NumPy's legacy; flow::check::axis)",
    "array() of nested lists holding arrays (array([[x.sum(), 1], [2, 3]]), "
    "flow::check::array_literal), with ndmin=, copy= or dtype=object",
    "flatten; np.atleast_1d/2d/3d / rollaxis / rot90 / fliplr / flipud",
    "reshape with order=, or with a length below -1 (NumPy takes -2 as -1; flow::check::shape); "
    "np.reshape and np.ravel as functions (flow has the methods)",
    "split / array_split / broadcast_arrays",
    "repeat with a count per element (flow::check: one count); roll with several shifts along "
    "one axis (a tuple of shifts and an int axis, flow::check::axis)",
    "pad modes wrap, linear_ramp, maximum, mean, median, minimum and empty (flow::check::"
    "argument_value: flow has constant, edge, reflect and symmetric), stat_length=, "
    "end_values=, reflect_type=, constant_values as pairs; pad_width pairs of one number",
    "tile and repeat of an empty array with a negative count, which NumPy returns empty (flow "
    "refuses a negative count whatever the array)",
    # reductions
    "ptp / average / count_nonzero / nanargmin / nanargmax",
    "median/percentile/quantile with keepdims=, out=, overwrite_input=, weights=, a tuple of "
    "axes or q as an array; the methods inverted_cdf, averaged_inverted_cdf, "
    "closest_observation, interpolated_inverted_cdf, hazen, weibull, median_unbiased and "
    "normal_unbiased (flow::check::argument_value: flow has linear, lower, higher, nearest "
    "and midpoint)",
    "sort and argsort along an axis in several chunks (flow::check::axis_chunks: the generator "
    "rechunks first, or sorts an array made without chunks), with axis=none, kind= or order=; "
    "argsort other than stable; searchsorted / partition / argpartition / lexsort",
    "argsort of a 0-d array, which NumPy returns as [0] (its legacy; flow::check::axis, as for "
    "sort, which NumPy refuses)",
    "topk with k 0, of more values than the axis holds or of an empty axis "
    "(flow::check::argument_value: Dask's topk, whose twin is NumPy's sort, has no answer there)",
    "unique with return_index=, return_inverse=, return_counts=, axis= or equal_nan=",
    "digitize with no bins or with NaN among them (flow::check::argument_value; NumPy returns "
    "zeros, or takes NaN as an edge past the others)",
    "bincount of no values with weights, which NumPy returns as ints (its early return ignores "
    "the weights; flow: f64, as for any weights); minlength as a float",
    "cumsum/cumprod with dtype= or out=; diff with prepend= or append=",
    "argmin/argmax with keepdims=; sum/mean with dtype=, out=, where=, initial=",
    "axis=0 or axis=-1 in a reduction or a cumulative sum or product of a 0-d array (NumPy's "
    "legacy; flow::check::axis)",
    # linear algebra
    "matmul / dot of stacks of matrices, 3 or more axes (flow::check::shape); dot of a 0-d "
    "array, which NumPy multiplies (flow::check::shape); x.dot(y) as a method",
    "tensordot / einsum / inner / vdot / kron / np.linalg; np.diag / diagflat / tril / triu / "
    "fill_diagonal; trace with dtype= or out=",
    # histograms
    "histogram without range= (flow::check::histogram), with bins as edges or as a string, "
    "with weights= or density=; histogram2d / histogramdd",
]

RTOL = {"f64": 1e-9, "f32": 1e-5}
ATOL = {"f64": 1e-12, "f32": 1e-6}

# The classes the other tests have too (AGREE, MISMATCH_VALUES, ...) are differential.py's.
MISMATCH_PRINTING = "mismatch (printing)"
NUMPY_ERROR = "numpy error"
CLASSES = [AGREE, MISMATCH_VALUES, MISMATCH_TYPE, MISMATCH_PRINTING, REJECTED, RUNTIME_ERROR,
           INTERNAL_ERROR, NUMPY_ERROR]

DTYPES = ["bool", "i32", "i64", "f32", "f64"]
DTYPE_WEIGHTS = [15, 15, 20, 15, 35]
# The other spelling flow accepts, used now and then.
DTYPE_ALIASES = {"i32": "int32", "i64": "int64", "f32": "float32", "f64": "float64"}
NUMPY_DTYPE = {"bool": "np.bool_", "i32": "np.int32", "i64": "np.int64", "f32": "np.float32",
               "f64": "np.float64"}
# The largest magnitude an int result may reach when computed in floats: beyond it NumPy's value
# may have wrapped around, which is not a comparison of anything.
INT_LIMIT = {"i32": 2**31 - 1, "i64": 2**53}

UNARY_FUNCTIONS = ["neg", "abs", "sqrt", "exp", "log", "log10", "sin", "cos", "tan", "arcsin",
                   "arccos", "arctan", "deg2rad", "rad2deg", "floor", "ceil", "isnan", "trunc",
                   "sign", "square", "cbrt", "log2", "log1p", "expm1", "exp2", "sinh", "cosh",
                   "tanh", "arcsinh", "arccosh", "arctanh", "isfinite", "isinf"]
# Functions whose f32 results overflow near an argument of 88 (128 for exp2): kept to arguments
# below 80, as near overflow one side may round to an infinity where the other does not.
GROWING_FUNCTIONS = {"exp", "exp2", "expm1", "sinh", "cosh"}
BINARY_FUNCTIONS = ["maximum", "minimum", "fmax", "fmin", "arctan2", "hypot", "copysign",
                    "logaddexp"]
# Numbers for the binary functions: NaN and infinities, which maximum and fmax treat apart, and
# -0.0, whose sign copysign and arctan2 see.
BINARY_FUNCTION_NUMBERS = [0, 1, -1, 2, 3, 0.5, -2.5, 10.0, math.nan, math.inf, -math.inf, -0.0,
                           True]
ORDER_STATISTICS = ["median", "nanmedian", "percentile", "nanpercentile", "quantile",
                    "nanquantile"]
ORDER_STATISTIC_WEIGHTS = [4, 2, 4, 2, 3, 2]
QUANTILE_METHODS = ["linear", "lower", "higher", "nearest", "midpoint"]
PERCENTILES = [0, 10, 25, 50, 75, 90, 100, 12.5, 33.3, 62.5, 99]
# approx=true: flow's t-digest estimate of the quantiles of all the values. Of at most
# APPROX_EXACT_VALUES finite values nothing is merged, and it is NumPy's exact value. Of more,
# its documented rank error is below APPROX_RANK_ERROR (a fraction of the values), so it must
# lie between NumPy's exact quantiles at q - APPROX_RANK_ERROR and q + APPROX_RANK_ERROR (q as a
# fraction), or have that rank error; the minimum and the maximum (q 0 and 1) are exact, and NaN
# and infinities are NumPy's (infinities are counted apart).
APPROX_EXACT_VALUES = 50_000
APPROX_RANK_ERROR = 1e-3
# The percentiles of estimates: tails too, where the digests' centroids are small, and some
# 0.15% either side of where ties modulo 7 or 50 (`many_values`) change value (3/7, 4/7, 1/2),
# where a centroid holding both values is read.
APPROX_PERCENTILES = PERCENTILES + [0.1, 1, 99.9, 43, 57, 49.85, 50.15]
ARITHMETIC = ["+", "-", "*", "/", "//", "%", "**"]
ARITHMETIC_WEIGHTS = [3, 3, 3, 3, 4, 2, 2]
COMPARISONS = ["==", "!=", "<", "<=", ">", ">="]
LOGICAL = ["&", "|"]
# The bit operators: `^` of bools and ints (as `&` and `|`), shifts of ints only (NumPy makes
# int8 of bools shifted by bools, a dtype flow lacks), `~` (UNARY) of bools and ints.
BITWISE = ["^", "<<", ">>"]
BITWISE_WEIGHTS = [4, 3, 3]
# Shift counts: within the width, at it and beyond it (NumPy's shifts give 0, or -1 for a
# negative value shifted right), and negative ones (NumPy's casts them to huge counts, alike).
SHIFT_COUNTS = [0, 1, 2, 3, 5, 7, 8, 15, 16, 30, 31, 32, 33, 40, 62, 63, 64, 65, 70, -1, -3, -64]
SHIFT_COUNT_WEIGHTS = [6, 8, 6, 5, 4, 3, 3, 2, 2, 2, 3, 3, 2, 2, 2, 3, 3, 2, 2, 2, 2, 1]
# Operations on ints whose NumPy value the check for wrapped ints (`valid`, with the ints as
# floats) cannot compute from floats: their values stand for them there, as names of their own.
OPAQUE_TO_FLOATS = {"&", "|", "^", "<<", ">>", "~", "bincount"}
# sort, argsort (stable), topk (Dask's), unique, digitize and bincount.
SORTINGS = ["sort", "argsort", "topk", "unique", "digitize", "bincount"]
SORTING_WEIGHTS = [4, 4, 5, 3, 4, 4]
# The edges of digitize: ints and floats; 0.1 and 0.3 lie between two f32 values.
DIGITIZE_EDGES = [-3, -2, -1, 0, 0, 1, 1, 2, 3, 5, 10, 100, 0.5, -0.5, 2.5, -1.5, 0.1, 0.3, 1e3,
                  math.inf, -math.inf]
REDUCTIONS = ["sum", "mean", "min", "max", "prod", "std", "var", "any", "all", "argmin", "argmax",
              "nansum", "nanmean", "nanmin", "nanmax", "nanstd", "nanvar", "nanprod"]
REDUCTION_WEIGHTS = [10, 8, 7, 7, 3, 5, 5, 6, 6, 4, 4, 4, 4, 4, 4, 4, 5, 4]
# Reductions whose answer for no elements is a rule of its own (an identity, NaN, or an error).
EMPTY_REDUCTIONS = ["sum", "mean", "min", "max", "prod", "var", "argmin", "argmax", "nansum",
                    "nanmean", "nanmin", "nanmax", "nanvar", "nanprod"]
WITH_DDOF = {"std", "var", "nanstd", "nanvar"}
WITHOUT_KEEPDIMS = {"argmin", "argmax"}
SCANS = ["cumsum", "cumprod", "nancumsum", "nancumprod"]
SCAN_WEIGHTS = [5, 3, 3, 2]
SCAN_METHODS = {"cumsum", "cumprod"}  # NumPy's arrays have no nancumsum/nancumprod methods
REARRANGEMENTS = ["squeeze", "expand_dims", "moveaxis", "swapaxes", "flip", "roll",
                  "broadcast_to", "tile", "repeat", "pad", "take"]
REARRANGEMENT_WEIGHTS = [3, 3, 3, 2, 3, 4, 3, 3, 3, 6, 8]
# Numbers among the 0-d arrays of `array([x.sum(), 2.5, ...])`.
ARRAY_ITEM_NUMBERS = [0, 1, -1, 7, 2.5, -0.5, 0.1, True, False, math.nan, -0.0]
PAD_MODES = ["constant", "edge", "reflect", "symmetric"]  # NumPy's others: NUMPY_ONLY
PAD_MODE_WEIGHTS = [35, 20, 25, 20]
# The three spellings of a matrix product; `op` names the node for the report.
PRODUCTS = ["@", "matmul", "dot"]
PRODUCT_WEIGHTS = [5, 3, 2]
# The longest shared axis of a matrix product: f32 products summed in another order stay within
# the float tolerance (its error grows with the number of products summed).
LONGEST_SHARED_AXIS = 24

ROUNDINGS = ["rint", "round", "nan_to_num", "reciprocal"]
ROUNDING_WEIGHTS = [3, 6, 4, 2]
# round's decimals: mostly a few digits either way, now and then so many that 10**decimals
# overflows (NumPy's round is rint(x * 10**d) / 10**d: infinities and NaN then).
ROUND_DECIMALS = [0, 1, 2, 3, -1, -2, -3, 5, 8, 15, -12, 300, 400, -400, 50]
ROUND_DECIMAL_WEIGHTS = [10, 14, 10, 5, 10, 6, 3, 3, 2, 2, 2, 1, 1, 1, 1]
# Values for round, rint and nan_to_num: halves (ties go to even), values whose decimal
# spelling is a tie their binary value is not (2.675, 1.005), large and tiny ones.
ROUNDING_FLOATS = [0.5, 1.5, 2.5, -0.5, -2.5, 3.5, 0.25, 0.75, -0.125, 1.005, 2.675, 0.045, 15.0,
                   25.0, -35.0, 125.5, 0.1, 0.35, 99.995, 123456.789, 1e-8, 1e300, 1.5e-300,
                   3e38, 7.0, -0.0]
# nan=, posinf= and neginf= of nan_to_num: values beyond f32's range become infinities there.
NAN_TO_NUM_VALUES = [0, 1, -1, 0.5, 9.5, -9.5, 100, 1e300, -1e300, 1e40, 2.5e-7]
DIAGONALS = ["diagonal", "trace"]
# Operations that sum or multiply many values in an order of their own (summation order is free):
# of values near the largest float (nan_to_num's default replacements of infinities, 1e300),
# one order overflows to an infinity where another does not, or makes inf - inf, NaN. Not made
# of values beyond HUGE (per dtype).
ORDER_FREE = {"sum", "mean", "prod", "std", "var", "nansum", "nanmean", "nanprod", "nanstd",
              "nanvar", "cumsum", "cumprod", "nancumsum", "nancumprod", "@", "matmul", "dot",
              "trace", "bincount"}
HUGE = {"f32": 1e30, "f64": 1e250}
# Operations that tell zero from nonzero: of floats that are rounding noise around zero (a std
# of equal values, 5e-23 in NumPy and 0 in flow), they are not made (`Generator.valid`).
ZERO_SENSITIVE = {"any", "all", "sign", "==", "!=", "<", "<=", ">", ">="}

# Float values for array literals: ordinary ones, then the ones printing treats specially.
PLAIN_FLOATS = [0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 2.5, -3.75, 0.1, 0.25, 1.5, 3.0, 7.0, -2.0, 10.0,
                0.3, 4.125, -6.5, 12.0, 0.2]
# Fractions: true in any/all (not zero), and quotients that round up to a whole number.
FRACTIONS = [0.1, 0.2, 0.3, 0.5, 0.25, 0.7, 0.9, -0.5, -0.1, -0.3]
SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, -0.0, 1e-05, 1e8, 123456789.0, 1.5e10, 1e-3,
                  3.14159265358979, 1e16, 2.5e-7]
LEAF_NAMES = "abcdefghjkmnpqstuvwxyz"


# ------------------------------------------------------------------------------------------------
# Literals.


# flow_number, py_number and operand are differential.py's.


def numpy_arguments(text):
    """flow's arguments in NumPy's spelling: none, true, false, nan and inf."""
    for flow, numpy in (("none", "None"), ("true", "True"), ("false", "False"), ("nan", "np.nan"),
                        ("inf", "np.inf")):
        text = re.sub(rf'(?<![\w."]){flow}\b', numpy, text)
    return text


def axes_text(axes):
    """An axis (an int) or a tuple of them."""
    return str(axes) if isinstance(axes, int) else shape_text(tuple(axes))


def nested(values, number):
    """An object array of Python numbers as nested list source, each rendered by `number`."""
    if values.ndim == 0:
        return number(values.item())
    if values.ndim == 1:
        return "[" + ", ".join(number(v) for v in values) + "]"
    return "[" + ", ".join(nested(v, number) for v in values) + "]"


def shape_text(shape, as_int=False):
    if as_int and len(shape) == 1:
        return str(shape[0])
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def prime_factors(n):
    factors, p = [], 2
    while p * p <= n:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    return factors + ([n] if n > 1 else [])


def chunk_entry_text(entry):
    if isinstance(entry, tuple):
        return shape_text(entry)
    if isinstance(entry, str):
        return f'"{entry}"'
    return str(entry)


def chunks_text(spec):
    """flow source for a chunks argument: an int, "auto", or one entry per axis."""
    if isinstance(spec, list):
        entries = [chunk_entry_text(e) for e in spec]
        return "(" + ", ".join(entries) + ("," if len(entries) == 1 else "") + ")"
    return chunk_entry_text(spec)


# ------------------------------------------------------------------------------------------------
# The syntax tree. Every node carries its flow source, its NumPy source and NumPy's value, so
# the generator knows the shape and dtype of what it builds on.


@dataclass(eq=False)
class Node(TreeNode):
    flow: str
    numpy: str
    op: str  # the operation at the root, as the report names it
    children: list = field(default_factory=list)
    tags: list = field(default_factory=list)  # more kinds for the report: "chunks=", "keepdims"
    value: object = None  # NumPy's value
    # The largest partial result the node's values are summed from, when it is larger than
    # any value in the program: the products of a matrix product.
    partial_magnitude: float = 0.0
    error: str = ""  # what NumPy raised, if it did
    # An estimate (approx=true) of compressed digests at the root: where flow's value may lie,
    # NumPy's exact quantiles a rank error below and above each q and more
    # (`Generator.rank_bounds`). None for an estimate that is exact.
    bounds: tuple = None
    # The diagnostic flow must stop with, for a program only flow refuses (approx=true along
    # an axis, say: NumPy's twin raises in its stead, `refused_by_flow`).
    diagnostic: str = ""
    # A leaf is bound to a name: `name = flow_binding` / `name = numpy_binding`.
    name: str = ""
    flow_binding: str = ""
    numpy_binding: str = ""

    @property
    def array(self):
        return np.asarray(self.value)

    @property
    def dtype(self):
        return FLOW_DTYPE.get(str(self.array.dtype), str(self.array.dtype))

    @property
    def shape(self):
        return self.array.shape

    def label(self):
        """The operation with the dtypes of what it works on: `// (f64, f64)`."""
        inputs = [c.dtype for c in self.children if c.value is not None and not c.error]
        return f"{self.op} ({', '.join(inputs)})" if inputs else self.op


def finite_magnitude(value):
    a = np.asarray(value)
    if a.dtype == bool or a.size == 0:
        return 1.0
    a = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    return float(np.max(np.abs(a.astype(np.float64)))) if a.size else 1.0


def refused_by_flow(reason, value=None):
    """The NumPy twin of a program NumPy computes (`value`) and flow refuses (approx=true along
    an axis, say): it raises, so flow must refuse it as a mistake (with `Node.diagnostic`)."""
    raise ValueError(f"flow refuses {reason}")


class Generator(ProgramGenerator):
    """Random programs: leaves bound to names, one expression over them for the result."""

    def __init__(self, rng):
        self.rng = rng
        # NumPy's values of the leaves
        self.namespace = {"np": np, "refused_by_flow": refused_by_flow}
        # the same with ints as floats, to see overflow
        self.float_namespace = {"np": np, "refused_by_flow": refused_by_flow}
        # NumPy's text of each int node the float namespace cannot compute (OPAQUE_TO_FLOATS:
        # `x << 3`, `x ^ y`, bincount) and the name its value has there.
        self.opaque = {}
        self.count = 0

    # -------------------------------------------------------------------------------- evaluation
    # (evaluate and choose are differential.ProgramGenerator's)

    def node(self, flow, numpy, op, children=(), tags=()):
        node = Node(flow, numpy, op, list(children), list(tags))
        try:
            node.value = self.evaluate(numpy)
        except Exception as e:
            node.error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        if (op in OPAQUE_TO_FLOATS and not node.error and not isinstance(node.value, tuple)
                and node.dtype in INT_LIMIT and numpy not in self.opaque):
            name = f"_opaque{len(self.opaque)}"
            self.opaque[numpy] = name
            self.float_namespace[name] = node.array.astype(np.float64)
        return node

    @staticmethod
    def rounding_noise(node):
        """Whether a float node holds a value that may be rounding noise around zero: nonzero
        and below 1e-12 times the largest magnitude it is computed from."""
        if node.value is None or node.error or isinstance(node.value, tuple):
            return False
        a = node.array
        if a.dtype.kind != "f" or not a.size:
            return False
        with np.errstate(all="ignore"):
            small = np.abs(a[np.isfinite(a) & (a != 0)].astype(np.float64))
        if not small.size:
            return False
        largest = max(finite_magnitude(n.value) for n in node.walk()
                      if n.value is not None and not n.error and not isinstance(n.value, tuple))
        return bool(np.min(small) < 1e-12 * largest)

    def float_text(self, numpy):
        """NumPy's text with the int nodes floats cannot compute (`self.opaque`) as names."""
        for text in sorted(self.opaque, key=len, reverse=True):
            if text in numpy:
                numpy = numpy.replace(text, self.opaque[text])
        return numpy

    def valid(self, node):
        """NumPy computes it, in a dtype flow has, without wrapping ints around, and small; not
        a sum or product of values near overflow (ORDER_FREE)."""
        if node.error:
            return False
        values = node.value if isinstance(node.value, tuple) else (node.value,)
        for v in values:
            a = np.asarray(v)
            if str(a.dtype) not in FLOW_DTYPE or a.size > 5000:
                return False
        if node.op in ORDER_FREE and any(
                finite_magnitude(c.value) > HUGE.get(c.dtype, math.inf) for c in node.children
                if c.value is not None and not c.error and not isinstance(c.value, tuple)):
            return False
        if node.op in ZERO_SENSITIVE and any(self.rounding_noise(c) for c in node.children):
            return False
        a = node.array if not isinstance(node.value, tuple) else None
        # The bits a shift loses are its value, not a wrap-around (the nodes above it are
        # checked, its value standing for it: `self.opaque`).
        if a is not None and node.dtype in INT_LIMIT and a.size and node.numpy not in self.opaque:
            try:
                as_floats = np.asarray(self.evaluate(self.float_text(node.numpy),
                                                     self.float_namespace), dtype=np.float64)
            except Exception:  # index arrays of floats, say: they never make ints larger
                return True
            finite = as_floats[np.isfinite(as_floats)]
            if finite.size and np.max(np.abs(finite)) > INT_LIMIT[node.dtype]:
                return False
        return True

    # ------------------------------------------------------------------------------------ leaves

    def bind(self, flow, numpy, op, tags=(), uses=()):
        """A leaf: a new name bound to `flow` / `numpy`, which may use the leaves `uses`."""
        name = LEAF_NAMES[self.count % len(LEAF_NAMES)] + ("" if self.count < len(LEAF_NAMES)
                                                           else str(self.count))
        self.count += 1
        try:
            value = self.evaluate(numpy)
        except Exception:
            raise Retry()
        self.namespace[name] = value
        a = np.asarray(value)
        self.float_namespace[name] = a.astype(np.float64) if a.dtype.kind == "i" else value
        return Node(name, name, op, list(uses), list(tags), value=value, name=name,
                    flow_binding=flow, numpy_binding=numpy)

    def random_dtype(self):
        return self.rng.choices(DTYPES, DTYPE_WEIGHTS)[0]

    def random_shape(self, big=False):
        rng = self.rng
        if big:
            return rng.choice([(rng.randint(1001, 2600),),
                               (rng.randint(30, 60), rng.randint(30, 60)),
                               (rng.randint(2, 12), rng.randint(2, 12), rng.randint(8, 30)),
                               (rng.randint(1, 6), rng.randint(1, 2), rng.randint(20, 40))])
        ndim = rng.choices([0, 1, 2, 3, 4], [4, 34, 34, 18, 10])[0]
        shape = [rng.choices([0, 1, rng.randint(2, 6), rng.randint(7, 12)], [7, 17, 66, 10])[0]
                 for _ in range(ndim)]
        while math.prod(shape) > 120:
            shape[shape.index(max(shape))] //= 2
        return tuple(shape)

    def dtype_argument(self, dtype):
        name = DTYPE_ALIASES.get(dtype, dtype) if self.rng.random() < 0.2 else dtype
        return f'dtype="{name}"', f"dtype={NUMPY_DTYPE[dtype]}"

    def chunks_spec(self, shape):
        """A chunks argument for `shape`: an int, "auto", or per axis a length, -1, "auto" or
        explicit block lengths."""
        rng = self.rng
        if not shape:
            return None
        kind = rng.choices(["int", "auto", "per axis"], [30, 8, 62])[0]
        if kind == "int":
            return rng.randint(1, max(2, max(shape)))
        if kind == "auto":
            return "auto"
        spec = []
        for d in shape:
            choice = rng.choices(["length", "whole", "auto", "blocks"], [40, 15, 10, 35])[0]
            if choice == "whole":
                spec.append(-1)
            elif choice == "auto":
                spec.append("auto")
            elif choice == "blocks" and d > 0:
                cuts = sorted(rng.sample(range(1, d), min(d - 1, rng.randint(0, 3))))
                spec.append(tuple(b - a for a, b in zip([0] + cuts, cuts + [d])))
            else:
                spec.append(rng.randint(1, max(1, d)))
        return spec

    def literal_values(self, shape, dtype, small_nonnegative=False):
        """Python numbers for an array literal of `shape`, as an object array."""
        rng = self.rng
        n = math.prod(shape)
        if dtype == "bool":
            flat = [rng.random() < 0.5 for _ in range(n)]
        elif dtype in ("i32", "i64"):
            if small_nonnegative:
                flat = [rng.randint(0, 3) for _ in range(n)]
            else:
                spread = rng.choice([9, 9, 20, 20, 1000])
                flat = [rng.randint(-spread, 2 * spread) for _ in range(n)]
        else:
            special = rng.choice([0.0, 0.0, 0.1, 0.3])
            scale = rng.choice([1.0, 1.0, 1.0, 1e3, 1e-3])
            plain = FRACTIONS if rng.random() < 0.25 else PLAIN_FLOATS
            flat = [rng.choice(SPECIAL_FLOATS) if rng.random() < special
                    else float(f"{rng.choice(plain) * scale:.12g}") for _ in range(n)]
            if small_nonnegative:
                flat = [abs(v) % 4 if math.isfinite(v) else 2.0 for v in flat]
        values = np.empty(n, dtype=object)
        values[:] = flat
        return values.reshape(shape)

    def leaf(self, shape=None, dtype=None, small_nonnegative=False):
        """A new named array: `shape` and `dtype` when given, random otherwise."""
        for _ in range(20):
            try:
                return self.new_leaf(shape, dtype, small_nonnegative)
            except Retry:
                continue
        shape = shape_text(shape or (3,))
        return self.bind(f"zeros({shape})", f"np.zeros({shape})", "zeros")

    def new_leaf(self, shape, dtype, small_nonnegative):
        rng = self.rng
        free = shape is None
        big = free and rng.random() < 0.05
        if free:
            shape = self.random_shape(big)
        dtype = dtype or self.random_dtype()
        size = math.prod(shape)
        chunks = self.chunks_spec(shape) if rng.random() < 0.6 else None
        chunk_args = ([f"chunks={chunks_text(chunks)}"] if chunks is not None else [])
        tags = ["chunks="] if chunks is not None else []
        literal_possible = size <= 48 and (not shape or 0 not in shape[:-1])
        makers = []
        if literal_possible:
            makers += ["array"] * 6
        if len(shape) == 1 and dtype != "bool" and not small_nonnegative:
            makers += ["arange"] * 4
            if dtype == "f64":
                makers += ["linspace"] * 2
        if not small_nonnegative:
            makers += ["ones", "zeros", "full", "full", "like"]
        if free and dtype != "bool" and rng.random() < 0.04:
            return self.tricky_arange(dtype)
        maker = rng.choice(makers or ["full"])

        if maker == "array":
            values = self.literal_values(shape, dtype, small_nonnegative)
            typed = dtype in ("i32", "f32") or rng.random() < 0.15
            flow_args = [nested(values, flow_number)]
            numpy_args = [nested(values, py_number)]
            if typed or size == 0:
                f, n = self.dtype_argument(dtype)
                flow_args.append(f)
                numpy_args.append(n)
            return self.bind(f"array({', '.join(flow_args + chunk_args)})",
                             f"np.array({', '.join(numpy_args)})", "array", tags)
        if maker == "arange":
            return self.arange_leaf(shape[0], dtype, chunk_args, tags)
        if maker == "linspace":
            n = shape[0]
            start = rng.choice([0, 1, -2, 0.5, -1.5, 10])
            stop = rng.choice([1, 2, 0, -3.5, 7.25, 100])
            flow_args = [flow_number(start), flow_number(stop), str(n)] + chunk_args
            return self.bind(f"linspace({', '.join(flow_args)})",
                             f"np.linspace({py_number(start)}, {py_number(stop)}, {n})",
                             "linspace", tags)
        as_int = rng.random() < 0.5
        f_dtype, n_dtype = self.dtype_argument(dtype)
        if maker in ("ones", "zeros"):
            flow_args = [shape_text(shape, as_int)]
            numpy_args = [shape_text(shape, as_int)]
            if dtype != "f64" or rng.random() < 0.3:
                flow_args.append(f_dtype)
                numpy_args.append(n_dtype)
            return self.bind(f"{maker}({', '.join(flow_args + chunk_args)})",
                             f"np.{maker}({', '.join(numpy_args)})", maker, tags)
        if maker == "full":
            fill = {"bool": rng.choice([True, False]), "i32": rng.randint(-5, 9),
                    "i64": rng.randint(-5, 9),
                    "f32": rng.choice(PLAIN_FLOATS + SPECIAL_FLOATS[:5]),
                    "f64": rng.choice(PLAIN_FLOATS + SPECIAL_FLOATS)}[dtype]
            inferred = {bool: "bool", int: "i64", float: "f64"}[type(fill)]
            flow_args = [shape_text(shape, as_int), flow_number(fill)]
            numpy_args = [shape_text(shape, as_int), py_number(fill)]
            if dtype != inferred or rng.random() < 0.2:
                flow_args.append(f_dtype)
                numpy_args.append(n_dtype)
            return self.bind(f"full({', '.join(flow_args + chunk_args)})",
                             f"np.full({', '.join(numpy_args)})", "full", tags)
        # ones_like / zeros_like of a literal of the shape (the chunks come from it)
        template = self.leaf(shape, rng.choice(DTYPES)) if literal_possible else self.bind(
            f"zeros({', '.join([shape_text(shape)] + chunk_args)})",
            f"np.zeros({shape_text(shape)})", "zeros", tags)
        maker = rng.choice(["ones_like", "zeros_like"])
        keep = template.dtype == dtype and rng.random() < 0.5
        return self.bind(
            f"{maker}({template.name}{'' if keep else ', ' + f_dtype})",
            f"np.{maker}({template.name}{'' if keep else ', ' + n_dtype})", maker, tags,
            uses=[template])

    def tricky_arange(self, dtype):
        """An arange whose length depends on how (stop - start) / step rounds."""
        rng = self.rng
        args = rng.choice([(0, 1, 0.1), (1, 1.3, 0.1), (0, 0.9, 0.3), (0.1, 1, 0.3), (1, 2, 0.3),
                           (-1, 1, 0.2), (2, 0, -0.4), (0, 5, 0.5)])
        length = len(np.arange(*args))
        chunks = self.chunks_spec((length,)) if rng.random() < 0.6 else None
        chunk_args = [f"chunks={chunks_text(chunks)}"] if chunks is not None else []
        return self.arange_leaf(length, dtype, chunk_args, ["chunks="] if chunks else [], args)

    def arange_leaf(self, n, dtype, chunk_args, tags, args=None):
        rng = self.rng
        if args:
            typed = dtype == "f32"
        else:
            if dtype in ("i32", "i64"):
                start = rng.choice([0, 0, 1, -3, 5])
                step = rng.choice([1, 1, 2, 3, -1, -2])
                stop = start + n * step
            else:
                start = rng.choice([0, 0.5, -1.5, 0.1, 2.25, 0])
                step = rng.choice([0.5, 0.25, 0.1, 0.3, -0.5, 1.5, 1])
                stop = round(start + (n - 0.5) * step, 10)
            if start == 0 and step == 1 and stop >= 0:
                args = [stop]
            elif step == 1:
                args = [start, stop]
            else:
                args = [start, stop, step]
            all_ints = all(isinstance(a, int) for a in args)
            if dtype in ("i32", "i64") and not all_ints:
                raise Retry()
            typed = dtype != ("i64" if all_ints else "f64") or rng.random() < 0.3
        flow_args = [flow_number(a) for a in args]
        numpy_args = [py_number(a) for a in args]
        if typed:
            flow_dtype, numpy_dtype = self.dtype_argument(dtype)
            flow_args.append(flow_dtype)
            numpy_args.append(numpy_dtype)
        return self.bind(f"arange({', '.join(flow_args + chunk_args)})",
                         f"np.arange({', '.join(numpy_args)})", "arange", tags)

    # -------------------------------------------------------------------------------- shapes

    def broadcast_shape(self, shape):
        """A shape that broadcasts with `shape`."""
        rng = self.rng
        shape = list(shape)
        kind = rng.choices(["same", "suffix", "ones", "prepend", "scalar", "grow"],
                           [45, 15, 20, 8, 5, 7])[0]
        if kind == "suffix" and shape:
            return tuple(shape[rng.randint(1, len(shape)):])
        if kind == "ones" and shape:
            return tuple(1 if rng.random() < 0.5 else d for d in shape)
        if kind == "prepend" and len(shape) < 4 and math.prod(shape) <= 100:
            return tuple([rng.choice([1, 2, 3])] + shape)
        if kind == "scalar":
            return ()
        if kind == "grow" and 1 in shape and math.prod(shape) <= 60:
            return tuple(rng.choice([2, 3]) if d == 1 else d for d in shape)
        return tuple(shape)

    def incompatible_shape(self, shape):
        long_axes = [i for i, d in enumerate(shape) if d >= 2]
        if not long_axes:
            raise Retry()
        i = self.rng.choice(long_axes)
        return tuple(d + 1 if k == i else d for k, d in enumerate(shape))

    def shape_of_size(self, size, min_ndim=0):
        """A random shape of 0 to 4 axes (at least `min_ndim`) holding `size` elements."""
        rng = self.rng
        ndim = max(min_ndim, rng.choices([0, 1, 2, 3, 4], [4, 30, 40, 18, 8])[0])
        if size != 1:
            ndim = max(ndim, 1)
        if size == 0:
            shape = [rng.choice([1, 2, 3, 5]) for _ in range(ndim)]
            shape[rng.randrange(ndim)] = 0
            return tuple(shape)
        shape = [1] * ndim
        for p in prime_factors(size):
            shape[rng.randrange(ndim)] *= p
        return tuple(shape)

    def lengths_text(self, lengths):
        """The arguments of `reshape` for `lengths`: the lengths as ints (`2, -1`) or as one
        tuple (`(2, -1)`, `(6,)`, `()`)."""
        if lengths and self.rng.random() < 0.5:
            return ", ".join(str(d) for d in lengths)
        return shape_text(lengths) if lengths else "()"

    def reshape_text(self, shape):
        """The arguments of a reshape into `shape`, often with one length as -1 (not where a
        length of 0 elsewhere leaves it undetermined: NumPy refuses that)."""
        rng = self.rng
        lengths = list(shape)
        if lengths and rng.random() < 0.4:
            positions = [i for i in range(len(lengths))
                         if all(d for k, d in enumerate(lengths) if k != i)]
            if positions:
                lengths[rng.choice(positions)] = -1
        return self.lengths_text(lengths), ["-1"] if -1 in lengths else []

    def reshaped(self, x, shape):
        text, tags = self.reshape_text(shape)
        return self.node(f"{x.flow}.reshape({text})", f"{x.numpy}.reshape({text})", "reshape",
                         [x], tags)

    def shaped(self, shape, dtype=None, small_nonnegative=False):
        """An expression of exactly `shape`: a leaf, or a leaf transposed, sliced with a step,
        rechunked, reshaped from another shape, or reduced with keepdims into that shape."""
        rng = self.rng
        dtype = dtype or self.random_dtype()
        kind = rng.choices(["leaf", "transposed", "strided", "rechunked", "reshaped", "reduced"],
                           [55, 10, 12, 8, 8, 7])[0]
        if small_nonnegative or kind == "leaf":
            return self.leaf(shape, dtype, small_nonnegative)
        if kind == "transposed" and len(shape) >= 2:
            inner = self.leaf(tuple(reversed(shape)), dtype)
            return self.node(f"{inner.flow}.T", f"{inner.numpy}.T", ".T", [inner])
        if kind == "strided" and shape and math.prod(shape) <= 60:
            step = rng.choice([2, -2, -1, 3])
            axis = rng.randrange(len(shape))
            d = shape[axis]
            bigger = list(shape)
            bigger[axis] = max(0, d * abs(step) - rng.randint(0, abs(step) - 1))
            inner = self.leaf(tuple(bigger), dtype)
            index = ", ".join(["::" + str(step) if k == axis else ":" for k in range(axis + 1)])
            node = self.node(f"{inner.flow}[{index}]", f"{inner.numpy}[{index}]", "slice",
                             [inner], ["negative step"] if step < 0 else [])
            if node.shape != tuple(shape):
                raise Retry()
            return node
        if kind == "rechunked" and shape:
            inner = self.leaf(shape, dtype)
            spec = chunks_text(self.chunks_spec(shape))
            return self.node(f"{inner.flow}.rechunk({spec})", inner.numpy, "rechunk", [inner])
        if kind == "reshaped":
            return self.reshaped(self.leaf(self.shape_of_size(math.prod(shape)), dtype), shape)
        if kind == "reduced" and shape and 1 in shape and dtype != "bool":
            axis = shape.index(1)
            bigger = list(shape)
            bigger[axis] = rng.randint(2, 4)
            inner = self.leaf(tuple(bigger), dtype)
            name = rng.choice(["sum", "max", "min"])
            return self.node(f"{inner.flow}.{name}(axis={axis}, keepdims=true)",
                             f"{inner.numpy}.{name}(axis={axis}, keepdims=True)", name, [inner],
                             ["keepdims"])
        return self.leaf(shape, dtype)

    # ------------------------------------------------------------------------------ expressions

    def expression(self, depth):
        if depth <= 0:
            return self.leaf()
        builders = [(self.unary, 12), (self.binary, 22), (self.where, 8), (self.clip, 5),
                    (self.astype, 5), (self.rechunk, 5), (self.slice, 12), (self.transpose, 5),
                    (self.reduction, 14), (self.concatenate, 5), (self.stack, 3),
                    (self.matmul, 8), (self.outer, 3), (self.reshape, 7), (self.scan, 6),
                    (self.diff, 4), (self.binary_function, 8), (self.order_statistic, 6),
                    (self.rearrangement, 14), (self.rounding, 9), (self.diagonal, 7),
                    (self.array_of_arrays, 8), (self.index_array, 12), (self.sorting, 12)]
        return self.choose_weighted(builders, depth) or self.leaf()

    def scalar(self, dtype, op=None):
        """A number to combine with an array of `dtype` by `op`."""
        rng = self.rng
        if op == "**":
            if dtype in ("i32", "i64", "bool"):
                return rng.choice([0, 1, 2, 2, 3, 3] + ([-1] if rng.random() < 0.15 else []))
            return rng.choice([2, 3, 0.5, 2.0, -1, 1.5, 0])
        if op in ("//", "%"):
            if rng.random() < 0.1:
                return rng.choice([0, 0.0])
            if dtype in ("f32", "f64"):
                # 1.0 // 0.1 is 9.0: floor division is not the floor of the rounded quotient
                return rng.choice([0.1, 0.2, 0.3, 0.5, 2.5, -1.5, 2, -2, 7])
            return rng.choice([2, 3, 7, -2, 0.1, 0.5])
        if dtype == "bool" and op in ("+", "*"):
            return rng.choice([True, False, 1, 2.5])
        if op in LOGICAL or op == "^":
            return rng.choice([True, False, 1, 6] + ([-3, 255] if op == "^" else []))
        if op in ("<<", ">>"):
            return rng.choices(SHIFT_COUNTS, SHIFT_COUNT_WEIGHTS)[0]
        return rng.choice([0, 1, 2, 3, -1, 5, 10, 0.5, 1.5, -2.5, 0.1, 100.0, 1e-3, True])

    def unary(self, depth):
        x = self.expression(depth - 1)
        if self.rng.random() < 0.1:
            return self.invert(x)
        function = self.rng.choice(UNARY_FUNCTIONS)
        if function in GROWING_FUNCTIONS and finite_magnitude(x.value) > 80:
            raise Retry()
        if function == "neg":
            return self.node(f"(-{x.flow})", f"(-{x.numpy})", "neg", [x])
        numpy_name = "np.abs" if function == "abs" else f"np.{function}"
        return self.node(f"{function}({x.flow})", f"{numpy_name}({x.numpy})", function, [x])

    def invert(self, x):
        """`~x` of bools (not) or ints (the bits inverted); floats are compared or cast first."""
        if x.dtype in ("f32", "f64"):
            x = self.comparison(x) if self.rng.random() < 0.5 else self.integer(x)
        return self.node(f"(~{x.flow})", f"(~{x.numpy})", "~", [x])

    def integer(self, x):
        """`x` as ints: itself, or cast to i32 or i64 (of finite floats within i32's range)."""
        if x.dtype in ("i32", "i64"):
            return x
        if x.dtype in ("f32", "f64") and (not np.all(np.isfinite(x.array))
                                          or finite_magnitude(x.value) >= 2**31):
            raise Retry()
        target = self.rng.choice(["i32", "i64"])
        return self.node(f'{x.flow}.astype("{target}")', f"{x.numpy}.astype({NUMPY_DTYPE[target]})",
                         "astype", [x])

    def shift_counts(self, shape):
        """An int array of `shape` to shift by: counts within the width, at it, beyond it and
        negative (SHIFT_COUNTS), or any ints."""
        rng = self.rng
        dtype = rng.choice(["i32", "i64", "i64"])
        size = math.prod(shape)
        if size > 48 or (shape and 0 in shape[:-1]) or rng.random() < 0.3:
            return self.shaped(shape, dtype)
        values = np.empty(size, dtype=object)
        values[:] = rng.choices(SHIFT_COUNTS, SHIFT_COUNT_WEIGHTS, k=size)
        values = values.reshape(shape)
        f_dtype, n_dtype = self.dtype_argument(dtype)
        chunks = self.chunks_spec(shape) if rng.random() < 0.5 else None
        chunk_args = [f"chunks={chunks_text(chunks)}"] if chunks is not None else []
        return self.bind(f"array({', '.join([nested(values, flow_number), f_dtype] + chunk_args)})",
                         f"np.array({nested(values, py_number)}, {n_dtype})", "array",
                         ["shift counts"])

    def other_operand(self, x, op):
        """The second operand for `x op ...`: a number, or an array whose shape broadcasts."""
        rng = self.rng
        if rng.random() < (0.6 if op in ("//", "%") else 0.35):
            v = self.scalar(x.dtype, op)
            return Node(operand(flow_number(v)), operand(py_number(v)), "number", value=v)
        shape = self.broadcast_shape(x.shape)
        if op in ("<<", ">>"):
            return self.shift_counts(shape)
        if op in LOGICAL or op == "^":
            dtype = rng.choice(["bool", "bool", "i32", "i64"])
        elif x.dtype == "bool" and rng.random() < 0.6:
            dtype = "bool"
        else:
            dtype = None
        small = op == "**" and rng.random() < 0.8
        if small:
            dtype = rng.choice(["i32", "i64", "f32", "f64"])
        return self.shaped(shape, dtype, small_nonnegative=small)

    def comparison(self, x):
        """A bool array from `x`: `x > number` or `isnan(x)`."""
        if x.dtype in ("f32", "f64") and self.rng.random() < 0.2:
            return self.node(f"isnan({x.flow})", f"np.isnan({x.numpy})", "isnan", [x])
        op = self.rng.choice(COMPARISONS)
        v = self.rng.choice([0, 1, 2, 0.5, -1, 3]) if x.dtype != "bool" else True
        return self.node(f"({x.flow} {op} {operand(flow_number(v))})",
                         f"({x.numpy} {op} {operand(py_number(v))})", op, [x])

    def binary(self, depth):
        rng = self.rng
        kind = rng.choices(["arithmetic", "comparison", "logical", "bitwise"],
                           [65, 22, 13, 20])[0]
        op = (rng.choices(ARITHMETIC, ARITHMETIC_WEIGHTS)[0] if kind == "arithmetic"
              else rng.choices(BITWISE, BITWISE_WEIGHTS)[0] if kind == "bitwise"
              else rng.choice(COMPARISONS if kind == "comparison" else LOGICAL))
        x = self.expression(depth - 1)
        if op in LOGICAL + ["^"] and x.dtype not in ("bool", "i32", "i64"):
            x = self.comparison(x) if op != "^" or rng.random() < 0.6 else self.integer(x)
        if op in ("<<", ">>"):
            x = self.integer(x)
        if op in ("+", "*") and x.dtype != "bool" and rng.random() < 0.35:
            x = self.comparison(x)  # bools added and multiplied stay bools in NumPy
        y = self.other_operand(x, op)
        children = [c for c in (x, y) if c.op != "number"]
        if rng.random() < 0.3:
            x, y = y, x
        return self.node(f"({x.flow} {op} {y.flow})", f"({x.numpy} {op} {y.numpy})", op,
                         children)

    def binary_function(self, depth):
        """maximum, minimum, fmax, fmin, arctan2, hypot, copysign or logaddexp of an expression
        and a number or an array whose shape broadcasts, either way round."""
        rng = self.rng
        name = rng.choice(BINARY_FUNCTIONS)
        x = self.expression(depth - 1)
        if rng.random() < 0.35:
            v = rng.choice(BINARY_FUNCTION_NUMBERS)
            y = Node(operand(flow_number(v)), operand(py_number(v)), "number", value=v)
        else:
            y = self.shaped(self.broadcast_shape(x.shape))
        children = [c for c in (x, y) if c.op != "number"]
        if rng.random() < 0.3:
            x, y = y, x
        return self.node(f"{name}({x.flow}, {y.flow})", f"np.{name}({x.numpy}, {y.numpy})",
                         name, children)

    def quantiles(self, name, bad=False, percentiles=PERCENTILES):
        """The q argument of a percentile or a quantile (`name`): a number or a list of 0 to 3,
        each within range (of `percentiles`, or those over 100); with `bad`, one of them
        outside it, or NaN."""
        rng = self.rng
        count = rng.choices([1, 2, 3, 0], [60, 20, 10, 3])[0]
        qs = [rng.choice(percentiles) for _ in range(max(count, 1 if bad else 0))]
        if "quantile" in name:
            qs = [q / 100 for q in qs]
        if bad:
            wrong = (rng.choice([1.5, 1.01, -0.1, 50, math.nan]) if "quantile" in name
                     else rng.choice([101, 100.5, 150, -5, -0.5, math.nan]))
            qs[rng.randrange(len(qs))] = wrong
        if len(qs) == 1 and rng.random() < 0.7:
            return flow_number(qs[0]), py_number(qs[0]), []
        return ("[" + ", ".join(flow_number(q) for q in qs) + "]",
                "[" + ", ".join(py_number(q) for q in qs) + "]", ["q list"])

    def order_statistic(self, depth, x=None, bad_q=False, bad_method=False):
        """median, percentile or quantile (and their nan-variants) along an axis or of the
        flattened array, q a number or a list, with `method=` now and then. With `bad_q` or
        `bad_method`, a q out of range or a method NumPy does not know."""
        rng = self.rng
        x = x or self.expression(depth - 1)
        name = rng.choices(ORDER_STATISTICS, ORDER_STATISTIC_WEIGHTS)[0]
        if bad_q or bad_method:
            name = rng.choice(ORDER_STATISTICS[2:])
        if bad_method and name.startswith("nan") and x.array.size and np.all(
                np.isnan(x.array.astype(np.float64))):
            name = name[3:]  # NumPy checks no method for all-NaN values (NUMPY_ONLY)
        flow_args, numpy_args, tags = [x.flow], [x.numpy], []
        if name not in ("median", "nanmedian"):
            q_flow, q_numpy, q_tags = self.quantiles(name, bad_q)
            # NumPy's nan-quantiles of an empty array return early: without the axis a list of
            # q makes, and in f64 whatever the method; flow keeps both. Not generated; see
            # NUMPY_ONLY.
            if name.startswith("nan") and 0 in x.shape:
                raise Retry()
            # NumPy returns an empty result for no q of an empty array, without looking at
            # the axis; flow refuses a quantile of an empty axis. Not generated: NUMPY_ONLY.
            if q_flow == "[]" and 0 in x.shape:
                raise Retry()
            flow_args.append(q_flow)
            numpy_args.append(q_numpy)
            tags += q_tags
        axis_flow, axis_numpy, axis_tags = self.axis_argument(len(x.shape))
        # NumPy's nan-quantiles of a list of q take the dtype of the first slice's result, f32
        # for an all-NaN slice of f32 values, f64 otherwise (see NUMPY_ONLY): not generated
        # for f32 values with an all-NaN slice.
        if (name.startswith("nan") and "q list" in tags and x.dtype == "f32" and x.array.size
                and not bad_q and not bad_method):
            along = int(axis_flow[0].split("=")[1]) if axis_flow and axis_flow[0] != "axis=none" \
                else None
            if np.any(np.all(np.isnan(x.array), axis=along)):
                raise Retry()
        flow_args += axis_flow
        numpy_args += axis_numpy
        tags += axis_tags
        if name not in ("median", "nanmedian") and (bad_method or rng.random() < 0.5):
            method = (rng.choice(["middle", "average", "cubic", "Linear"]) if bad_method
                      else rng.choice(QUANTILE_METHODS))
            flow_args.append(f'method="{method}"')
            numpy_args.append(f'method="{method}"')
            tags.append("method=")
        return self.node(f"{name}({', '.join(flow_args)})",
                         f"np.{name}({', '.join(numpy_args)})", name, [x], tags)

    # approx=true estimates the quantiles of all the values from t-digests: made only at the
    # root of a case, whose estimate of compressed digests is compared by rank
    # (`approx_difference`), not by value.

    def many_values(self, compressed=False):
        """Thousands of values in several chunks of hundreds to thousands each (at most
        APPROX_EXACT_VALUES, so the estimate is NumPy's exactly), or with `compressed` 60,000 to
        300,000 in 2 to 40 chunks, some of them alone more than APPROX_EXACT_VALUES (so the
        digests compress, in a chunk or where they merge): ints in a scrambled order, with ties
        when taken modulo fewer than there are (heavy ties modulo 50 or 7), or floats made of
        them by a rounding or two (so flow's values are NumPy's bit for bit), skewed,
        heavy-tailed or negative, f32 or i32 now and then, NaN among them now and then (or
        mostly NaN), or -inf, +inf or both (or mostly one of them); 1-d or 2-d."""
        rng = self.rng
        if compressed:
            n = rng.randint(60000, 300000)
        else:
            n = rng.choice([rng.randint(1000, 4000), rng.randint(4000, 20000)])
        if rng.random() < 0.3:  # 2-d, in chunks along both axes
            rows = rng.choice([2, 3, 4, 8, 10, 20])
            cols = n // rows
            n = rows * cols
            spec = (max(1, rows // 2), rng.randint(max(1, cols // 5), cols))
            i = self.bind(f"arange({n}).reshape(({rows}, {cols})).rechunk({shape_text(spec)})",
                          f"np.arange({n}).reshape(({rows}, {cols}))", "arange",
                          ["chunks=", "2-d"])
        else:
            pieces = rng.randint(2, rng.choice([5, 40]) if compressed else 12)
            i = self.bind(f"arange({n}, chunks={-(-n // pieces)})", f"np.arange({n})",
                          "arange", ["chunks="])
        k = rng.choice([7919, 104729, 48271, 3, 1])
        m = rng.choice([n, n, 65536, 200003, 1000, 997, 50, 7] if compressed
                       else [n, n, 1000, 997, 65536, 50, 7])
        v = self.node(f"(({i.flow} * {k}) % {m})", f"(({i.numpy} * {k}) % {m})", "%", [i])
        form = rng.choices(["ints", "i32", "scaled", "reciprocal", "square", "f32", "nan",
                            "mostly nan", "inf", "-inf", "infinities", "mostly inf"],
                           [10, 5, 15, 8, 8, 10, 12, 4, 3, 3, 3, 6 if compressed else 3])[0]
        if form == "i32":
            return self.node(f'{v.flow}.astype("i32")', f"{v.numpy}.astype(np.int32)", "astype",
                             [v])
        if form == "scaled":
            s, o = rng.choice([0.37, -0.25, 1e-3, 2.5]), rng.choice([0, 100, -3.5])
            return self.node(f"({v.flow} * {operand(flow_number(s))} - {operand(flow_number(o))})",
                             f"({v.numpy} * {operand(py_number(s))} - {operand(py_number(o))})",
                             "-", [v])
        if form == "reciprocal":
            return self.node(f"(1.0 / ({v.flow} + 1))", f"(1.0 / ({v.numpy} + 1))", "/", [v])
        if form == "square":
            return self.node(f"({v.flow} * {v.flow} * 0.001)",
                             f"({v.numpy} * {v.numpy} * 0.001)", "*", [v])
        if form == "f32":
            return self.node(f'({v.flow} * 0.37).astype("f32")',
                             f"({v.numpy} * 0.37).astype(np.float32)", "astype", [v])
        if form in ("nan", "mostly nan", "inf", "-inf", "mostly inf"):
            p = rng.choice([2, 3, 3, 37, 1000] if form.startswith("mostly") else [3, 37, 1000])
            test = "!=" if form.startswith("mostly") else "=="
            special = {"inf": math.inf, "-inf": -math.inf,
                       "mostly inf": rng.choice([math.inf, -math.inf])}.get(form, math.nan)
            return self.node(
                f"where(({i.flow} % {p}) {test} 0, {flow_number(special)}, {v.flow} * 0.5)",
                f"np.where(({i.numpy} % {p}) {test} 0, {py_number(special)}, {v.numpy} * 0.5)",
                "where", [i, v])
        if form == "infinities":  # -inf and +inf, in shares of their own
            p, q = rng.choice([3, 37, 1000]), rng.choice([5, 41, 500])
            inner = self.node(
                f"where(({i.flow} % {q}) == 1, -inf, {v.flow} * 0.5)",
                f"np.where(({i.numpy} % {q}) == 1, -np.inf, {v.numpy} * 0.5)", "where", [i, v])
            return self.node(f"where(({i.flow} % {p}) == 0, inf, {inner.flow})",
                             f"np.where(({i.numpy} % {p}) == 0, np.inf, {inner.numpy})",
                             "where", [i, inner])
        return v

    def approx_order_statistic(self, depth):
        """median, percentile or quantile (and their nan-variants) with approx=true: of a small
        expression, of thousands of values in several chunks or, now and then, of more than
        APPROX_EXACT_VALUES (`many_values`); q a number or a list (tails among them); now and
        then method="linear" or axis=none, which approx takes. Of at most APPROX_EXACT_VALUES
        finite values the estimate is NumPy's exactly (compared as any value is); of more, the
        digests compress, and its `bounds` are NumPy's exact quantiles a rank error below and
        above (`rank_bounds`)."""
        rng = self.rng
        source = rng.choices(["compressed", "many", "expression"], [25, 30, 45])[0]
        x = (self.many_values(compressed=source == "compressed") if source != "expression"
             else self.expression(depth - 1))
        if not x.array.size:
            raise Retry()  # refused: approx_refused
        name = rng.choices(ORDER_STATISTICS, ORDER_STATISTIC_WEIGHTS)[0]
        flow_args, numpy_args, tags = [x.flow], [x.numpy], []
        qs, unit = 0.5, 1  # the median's
        if name not in ("median", "nanmedian"):
            q_flow, q_numpy, q_tags = self.quantiles(name, percentiles=APPROX_PERCENTILES)
            flow_args.append(q_flow)
            numpy_args.append(q_numpy)
            tags += q_tags
            qs, unit = self.evaluate(q_numpy), (100 if "percentile" in name else 1)
            # NumPy's nan-quantiles of f32 values all NaN with a list of q are f32 (NUMPY_ONLY)
            if (name.startswith("nan") and "q list" in tags and x.dtype == "f32"
                    and np.all(np.isnan(x.array))):
                raise Retry()
        if rng.random() < 0.15:
            flow_args.append("axis=none")
            numpy_args.append("axis=None")
            tags.append("axis=none")
        if name not in ("median", "nanmedian") and rng.random() < 0.2:
            flow_args.append('method="linear"')
            numpy_args.append('method="linear"')
            tags.append("method=")
        positional = 1 if name in ("median", "nanmedian") else 2
        flow_args.insert(rng.randint(positional, len(flow_args)), "approx=true")
        finite = int(np.count_nonzero(np.isfinite(x.array.astype(np.float64))))
        compressed = finite > APPROX_EXACT_VALUES
        node = self.node(f"{name}({', '.join(flow_args)})", f"np.{name}({', '.join(numpy_args)})",
                         name, [x], tags + ["approx="] + (["compressed"] if compressed else []))
        if compressed and not node.error:
            node.bounds = self.rank_bounds(name, x.array, qs, unit, node.shape)
        return node

    def rank_bounds(self, name, values, qs, unit, shape):
        """The values flow's estimate of each q in `qs` (a number or a list, in units of `unit`)
        of more than APPROX_EXACT_VALUES finite `values` may take, as arrays of the result's
        `shape`: between `low` and `high`, NumPy's exact quantiles (linear) q less and more
        APPROX_RANK_ERROR, within [0, 1]; or above `rank_low` and up to `rank_high`, where the
        documented rank error |(# values < estimate) / n - q| is below APPROX_RANK_ERROR, which
        NumPy's positions at (n - 1) q may miss by a value (none at q 0 and 1: NaN). `exact`
        where flow's value must be NumPy's exactly: at q 0 and 1 (the minimum and the maximum).
        (Where NumPy's own quantile is NaN or infinite, flow's must be too, `approx_difference`;
        a bound q less or more that interpolates next to an infinity and is NaN, inf - inf, is
        the value below (lower) or above (higher) instead.)"""
        function = {"median": "quantile", "nanmedian": "nanquantile"}.get(name, name)
        qs = np.atleast_1d(qs).tolist()
        within = [q if q in (0, unit) else max(0, min(unit, q + sign * APPROX_RANK_ERROR * unit))
                  for sign in (-1, 1) for q in qs]
        count = len(within) // 2
        values = values.astype(np.float64) if values.dtype == bool else values  # a median's
        with quiet():
            linear = np.asarray(getattr(np, function)(values, within), dtype=np.float64)
            lower = np.asarray(getattr(np, function)(values, within[:count], method="lower"),
                               dtype=np.float64)
            higher = np.asarray(getattr(np, function)(values, within[count:], method="higher"),
                                dtype=np.float64)
        low = np.where(np.isnan(linear[:count]), lower, linear[:count])
        high = np.where(np.isnan(linear[count:]), higher, linear[count:])
        # Ranks exactly (Fractions): (# values < estimate) is an int c with n (q - e) < c <
        # n (q + e), so the estimate is above sorted[c_min - 1] and at most sorted[c_max].
        ordered = np.sort(values.astype(np.float64).ravel())
        ordered = ordered[~np.isnan(ordered)]
        n, error = ordered.size, Fraction(APPROX_RANK_ERROR)
        rank_low, rank_high = np.full(count, np.nan), np.full(count, np.nan)
        exact = np.array([q in (0, unit) for q in qs])
        for k, q in enumerate(qs):
            fraction = Fraction(q) / unit
            if not n or fraction in (0, 1):
                continue
            c_min = math.floor(n * (fraction - error)) + 1
            c_max = min(math.ceil(n * (fraction + error)) - 1, n - 1)
            if c_min <= c_max:
                rank_low[k] = (ordered[c_min - 1] if c_min >= 1
                               else np.nextafter(ordered[0], -np.inf))
                rank_high[k] = ordered[c_max]
        return tuple(b.reshape(shape) for b in (low, high, rank_low, rank_high, exact))

    def approx_refused(self, depth):
        """approx=true where flow refuses it: along an axis or with a method other than linear
        (flow::check::argument_value), or of no values (flow::check::empty_reduction). NumPy
        has no approx= and computes the exact quantiles (checked, so that approx is the only
        mistake): its twin raises instead (`refused_by_flow`)."""
        rng = self.rng
        kind = rng.choice(["axis", "method", "empty"])
        if kind == "empty":
            shape = list(self.random_shape()) or [0]
            shape[rng.randrange(len(shape))] = 0
            x = self.leaf(tuple(shape))
        else:
            x = self.many_values() if rng.random() < 0.3 else self.expression(depth - 1)
        name = rng.choices(ORDER_STATISTICS, ORDER_STATISTIC_WEIGHTS)[0]
        if kind == "method":
            name = rng.choice(ORDER_STATISTICS[2:])
        flow_args, numpy_args, tags = [x.flow], [x.numpy], ["approx="]
        if name not in ("median", "nanmedian"):
            q_flow, q_numpy, q_tags = self.quantiles(name)
            flow_args.append(q_flow)
            numpy_args.append(q_numpy)
            tags += q_tags
        if kind == "axis":
            if not x.shape:
                raise Retry()
            axis = rng.randrange(-len(x.shape), len(x.shape))
            flow_args.append(f"axis={axis}")
            numpy_args.append(f"axis={axis}")
            tags.append("axis=k")
        if kind == "method":
            method = rng.choice(QUANTILE_METHODS[1:])
            flow_args.append(f'method="{method}"')
            numpy_args.append(f'method="{method}"')
            tags.append("method=")
        exact = f"np.{name}({', '.join(numpy_args)})"
        if kind != "empty":
            try:
                self.evaluate(exact)
            except Exception:
                raise Retry()
        reason = {"axis": "approx=true along an axis", "method": f"approx=true with a method "
                  "other than linear", "empty": "approx=true of no values"}[kind]
        flow_args.append("approx=true")
        node = self.node(f"{name}({', '.join(flow_args)})",
                         f'refused_by_flow("{reason}", {exact})', name, [x], tags)
        node.diagnostic = ("flow::check::empty_reduction" if kind == "empty"
                           else "flow::check::argument_value")
        return node

    def branch(self, condition):
        rng = self.rng
        if rng.random() < 0.5:
            v = rng.choice([0, 1, -1, 0.5, 2.5, math.nan, True, 7])
            return Node(flow_number(v), py_number(v), "number", value=v)
        return self.shaped(self.broadcast_shape(condition.shape))

    def where(self, depth):
        x = self.expression(depth - 1)
        condition = x if x.dtype == "bool" else self.comparison(x)
        chosen = x if x is not condition and self.rng.random() < 0.35 else self.branch(condition)
        other = self.branch(condition)
        children = [c for c in (condition, chosen, other) if c.op != "number"]
        return self.node(f"where({condition.flow}, {chosen.flow}, {other.flow})",
                         f"np.where({condition.numpy}, {chosen.numpy}, {other.numpy})", "where",
                         children)

    def clip(self, depth):
        rng = self.rng
        x = self.expression(depth - 1)
        tags = []
        if rng.random() < 0.15:
            low = self.shaped(self.broadcast_shape(x.shape), rng.choice(["i64", "f64", "f32"]))
            high = self.shaped(self.broadcast_shape(x.shape), rng.choice(["i64", "f64", "f32"]))
            tags.append("array bounds")
            children = [x, low, high]
            flows, numpys = (low.flow, high.flow), (low.numpy, high.numpy)
        else:
            low, high = sorted([rng.choice([0, 1, -1, 2, 0.5, -2.5, 3]),
                                rng.choice([2, 5, 1.5, 10, 0, 4.25])])
            if rng.random() < 0.1:
                low, high = high + 1, low
                tags.append("low > high")
            children = [x]
            flows = (operand(flow_number(low)), operand(flow_number(high)))
            numpys = (operand(py_number(low)), operand(py_number(high)))
        return self.node(f"clip({x.flow}, {flows[0]}, {flows[1]})",
                         f"np.clip({x.numpy}, {numpys[0]}, {numpys[1]})", "clip", children, tags)

    def astype(self, depth):
        x = self.expression(depth - 1)
        target = self.random_dtype()
        if target in ("i32", "i64") and x.dtype in ("f32", "f64") and (
                not np.all(np.isfinite(x.array)) or finite_magnitude(x.value) >= 2**31):
            target = self.rng.choice(["f32", "f64", "bool"])
        name = DTYPE_ALIASES.get(target, target) if self.rng.random() < 0.2 else target
        return self.node(f'{x.flow}.astype("{name}")', f"{x.numpy}.astype({NUMPY_DTYPE[target]})",
                         "astype", [x])

    def rechunk(self, depth):
        x = self.expression(depth - 1)
        if not x.shape:
            raise Retry()
        return self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                         x.numpy, "rechunk", [x])

    def slice(self, depth):
        rng = self.rng
        x = self.expression(depth - 1)
        items, tags = [], []
        axes = list(x.shape)
        used_ellipsis = False
        while axes or (not items and rng.random() < 0.5):
            roll = rng.random()
            if roll < 0.08:
                items.append(("none", "None"))
                tags.append("none")
                continue
            if roll < 0.14 and not used_ellipsis:
                items.append(("...", "..."))
                used_ellipsis = True
                tags.append("...")
                axes = axes[len(axes) - rng.randint(0, len(axes)):]
                if rng.random() < 0.5:
                    break
                continue
            if not axes:
                break
            d = axes.pop(0)
            if roll < 0.32:
                if d == 0:
                    items.append(("0:0", "0:0"))
                    continue
                i = rng.randrange(-d, d)  # out of range is a mistake of its own
                items.append((str(i), str(i)))
                tags.append("int index")
            elif roll < 0.45:
                items.append((":", ":"))
            else:
                start = rng.choice([None, None, 0, 1, -1, -3, d, d + 2, 2])
                stop = rng.choice([None, None, d, -1, 1, 3, -d - 1, 0])
                step = rng.choice([None, None, 1, 2, 3, -1, -1, -2])
                text = (f"{'' if start is None else start}:{'' if stop is None else stop}"
                        f"{'' if step is None else ':' + str(step)}")
                items.append((text, text))
                if step is not None and step < 0:
                    tags.append("negative step")
            if rng.random() < 0.25:
                break
        if not items:
            items.append(("...", "..."))
        flow_index = ", ".join(f for f, _ in items)
        numpy_index = ", ".join(n for _, n in items)
        return self.node(f"{x.flow}[{flow_index}]", f"{x.numpy}[{numpy_index}]", "slice", [x],
                         tags)

    def transpose(self, depth):
        rng = self.rng
        x = self.expression(depth - 1)
        form = rng.choice(["T", "transpose()", "transpose(axes)"])
        if form == "T":
            return self.node(f"{x.flow}.T", f"{x.numpy}.T", ".T", [x])
        if form == "transpose()":
            return self.node(f"{x.flow}.transpose()", f"{x.numpy}.transpose()", "transpose", [x])
        axes = list(range(len(x.shape)))
        rng.shuffle(axes)
        text = shape_text(axes) if axes else "()"
        return self.node(f"{x.flow}.transpose({text})", f"{x.numpy}.transpose({text})",
                         "transpose", [x], ["transpose(axes)"])

    def reduction(self, depth, x=None, bad_axis=False, names=REDUCTIONS, with_axis=0.65,
                  keepdims=True):
        """A reduction of `x` (or of an expression): with `keepdims` false, never keepdims=
        (so without an axis it is 0-d)."""
        rng = self.rng
        x = x or self.expression(depth - 1)
        name = rng.choices(names, [REDUCTION_WEIGHTS[REDUCTIONS.index(n)] for n in names])[0]
        ndim = len(x.shape)
        flow_args, numpy_args, tags = [], [], []
        if bad_axis:  # NumPy takes axis 0 and -1 of a 0-d array (see NUMPY_ONLY)
            axis = rng.choice([max(ndim, 1), -max(ndim, 1) - 1])
            flow_args.append(f"axis={axis}")
            numpy_args.append(f"axis={axis}")
            tags.append("axis=k")
        elif ndim and rng.random() < with_axis:
            if ndim >= 2 and name not in WITHOUT_KEEPDIMS and rng.random() < 0.3:
                axes = rng.sample(range(ndim), 2)
                axes = [a - ndim if rng.random() < 0.3 else a for a in axes]
                text = shape_text(axes)
                tags.append("axis=(j, k)")
            else:
                text = str(rng.randrange(-ndim, ndim))
                tags.append("axis=k")
            flow_args.append(f"axis={text}")
            numpy_args.append(f"axis={text}")
        if name in WITH_DDOF and rng.random() < 0.6:
            ddof = rng.choice([0, 1, 1, 2, 3, 5, 8])
            flow_args.append(f"ddof={ddof}")
            numpy_args.append(f"ddof={ddof}")
            tags.append("ddof=")
        if name not in WITHOUT_KEEPDIMS and keepdims and rng.random() < 0.35:
            keep = rng.random() < 0.8
            flow_args.append(f"keepdims={'true' if keep else 'false'}")
            numpy_args.append(f"keepdims={keep}")
            tags.append("keepdims")
        # The function form for every name but any/all of non-bools (documented for bools).
        as_function = rng.random() < 0.35 and (name not in ("any", "all") or x.dtype == "bool")
        numpy_function = name.startswith("nan") or as_function
        if as_function:
            flow = f"{name}({', '.join([x.flow] + flow_args)})"
        else:
            flow = f"{x.flow}.{name}({', '.join(flow_args)})"
        if numpy_function:
            numpy = f"np.{name}({', '.join([x.numpy] + numpy_args)})"
        else:
            numpy = f"{x.numpy}.{name}({', '.join(numpy_args)})"
        return self.node(flow, numpy, name, [x], tags)

    def pieces_axis(self, ndim, new_axis):
        rng = self.rng
        limit = ndim + 1 if new_axis else ndim
        if rng.random() < 0.3:
            return None
        return rng.randrange(-limit, limit)

    def concatenate(self, depth):
        rng = self.rng
        first = self.expression(depth - 1)
        ndim = len(first.shape)
        if ndim == 0:
            raise Retry()
        axis = self.pieces_axis(ndim, False)
        along = 0 if axis is None else axis % ndim
        empty = rng.random() < 0.15  # every piece empty along the axis
        if empty and first.shape[along]:
            index = ", ".join([":"] * along + ["0:0"])
            first = self.node(f"{first.flow}[{index}]", f"{first.numpy}[{index}]", "slice",
                              [first])
        pieces = [first]
        for _ in range(rng.choice([1, 1, 2])):
            shape = list(first.shape)
            shape[along] = 0 if empty else rng.choice([0, 1, 2, 3, shape[along]])
            pieces.append(self.shaped(tuple(shape)))
        rng.shuffle(pieces)
        tags = ["zero-length piece"] if any(0 in p.shape for p in pieces) else []
        axis_flow = "" if axis is None else f", axis={axis}"
        return self.node(f"concatenate([{', '.join(p.flow for p in pieces)}]{axis_flow})",
                         f"np.concatenate([{', '.join(p.numpy for p in pieces)}]{axis_flow})",
                         "concatenate", pieces, tags)

    def stack(self, depth):
        rng = self.rng
        first = self.expression(depth - 1)
        axis = self.pieces_axis(len(first.shape), True)
        pieces = [first] + [self.shaped(first.shape) for _ in range(rng.choice([0, 1, 1, 2]))]
        rng.shuffle(pieces)
        axis_flow = "" if axis is None else f", axis={axis}"
        return self.node(f"stack([{', '.join(p.flow for p in pieces)}]{axis_flow})",
                         f"np.stack([{', '.join(p.numpy for p in pieces)}]{axis_flow})", "stack",
                         pieces)

    def array_of_arrays(self, depth, bad=False):
        """`array([...])` of lazy arrays, which flow stacks along a new first axis as NumPy's
        `np.array` of arrays does: 0-d ones (reductions of one expression without an axis,
        `x.sum()` and `x.max()`, an element `x[i, j]`, 0-d expressions) with numbers among
        them, or arrays of one shape (an expression, others of its shape, the expression again
        in arithmetic, `x * 2`), of lengths 0 and 1 too; now and then with `dtype=` (no
        non-finite or huge floats cast to ints) and odd `chunks=`. With `bad`, arrays of two
        shapes, which NumPy refuses (inhomogeneous)."""
        rng = self.rng
        x = self.expression(depth - 1)
        count = rng.choice([1, 2, 2, 3, 3, 4])
        tags = []
        if bad:
            other = (self.shaped(self.incompatible_shape(x.shape)) if x.shape
                     else self.leaf((rng.randint(1, 3),)))
            items = [x, other] if rng.random() < 0.5 else [other, x]
            tags.append("shapes differ")
        elif not x.shape or rng.random() < 0.5:
            items = []
            for _ in range(count):
                kind = rng.choices(["reduction", "element", "0-d", "number"],
                                   [45, 15, 15, 25])[0]
                if kind == "reduction":
                    items.append(self.choose(self.reduction, depth, x, False, REDUCTIONS, 0.0,
                                             False))
                elif kind == "element" and x.shape and 0 not in x.shape:
                    index = ", ".join(str(rng.randrange(-d, d)) for d in x.shape)
                    items.append(self.node(f"{x.flow}[{index}]", f"{x.numpy}[{index}]", "slice",
                                           [x], ["int index"]))
                elif kind == "element" and not x.shape:
                    items.append(x)
                elif kind == "number":
                    v = rng.choice(ARRAY_ITEM_NUMBERS)
                    items.append(Node(flow_number(v), py_number(v), "number", value=v))
                else:
                    items.append(self.shaped(()))
            if all(item.op == "number" for item in items):
                items[rng.randrange(len(items))] = self.choose(
                    self.reduction, depth, x, False, REDUCTIONS, 0.0, False)
            tags.append("0-d items")
            if any(item.op == "number" for item in items):
                tags.append("numbers among")
        else:
            items = [x]
            for _ in range(count - 1):
                if rng.random() < 0.35:
                    op = rng.choice(["*", "+", "-"])
                    v = rng.choice([2, -1, 0.5, 3]) if x.dtype != "bool" else True
                    if x.dtype == "bool" and op == "-":
                        op = "*"
                    items.append(self.node(f"({x.flow} {op} {operand(flow_number(v))})",
                                           f"({x.numpy} {op} {operand(py_number(v))})", op,
                                           [x]))
                else:
                    items.append(self.shaped(x.shape))
            rng.shuffle(items)
            tags.append("arrays of one shape")
        flow_args = ["[" + ", ".join(item.flow for item in items) + "]"]
        numpy_args = ["[" + ", ".join(item.numpy for item in items) + "]"]
        stacked = self.node(f"array({flow_args[0]})", f"np.array({numpy_args[0]})",
                            "array of arrays", [item for item in items if item.op != "number"])
        if not bad and not stacked.error and rng.random() < 0.25:
            target = self.random_dtype()
            if target in ("i32", "i64") and stacked.dtype != "bool" and (
                    not np.all(np.isfinite(stacked.array))
                    or finite_magnitude(stacked.value) >= 2**31):
                target = rng.choice(["f32", "f64", "bool"])
            f, n = self.dtype_argument(target)
            flow_args.append(f)
            numpy_args.append(n)
            tags.append("dtype=")
        if not bad and not stacked.error and rng.random() < 0.35:
            flow_args.append(f"chunks={chunks_text(self.chunks_spec(stacked.shape))}")
            tags.append("chunks=")
        return self.node(f"array({', '.join(flow_args)})", f"np.array({', '.join(numpy_args)})",
                         "array of arrays", [item for item in items if item.op != "number"],
                         tags)

    def matrix(self, x):
        """`x` as an operand of a matrix product: itself when it has 1 or 2 axes, reshaped into
        rows of its last axes when it has more."""
        if not x.shape:
            raise Retry()
        if len(x.shape) <= 2:
            return x
        rows, columns = x.shape[0], math.prod(x.shape[1:])
        return self.node(f"{x.flow}.reshape({rows}, {columns})",
                         f"{x.numpy}.reshape({rows}, {columns})", "reshape", [x])

    def product(self, left, right, tags=(), forms=PRODUCTS):
        """`left @ right`, `matmul(left, right)` or `dot(left, right)` (one of `forms`)."""
        form = self.rng.choices(forms, [PRODUCT_WEIGHTS[PRODUCTS.index(f)] for f in forms])[0]
        if form == "@":
            flow, numpy = f"({left.flow} @ {right.flow})", f"({left.numpy} @ {right.numpy})"
        else:
            flow = f"{form}({left.flow}, {right.flow})"
            numpy = f"np.{form}({left.numpy}, {right.numpy})"
        node = self.node(flow, numpy, form, [left, right], tags)
        if not node.error and left.shape and right.shape:
            with np.errstate(all="ignore"):
                magnitudes = (np.abs(left.array.astype(np.float64))
                              @ np.abs(right.array.astype(np.float64)))
            node.partial_magnitude = finite_magnitude(magnitudes)
        return node

    def other_length(self):
        """The length of an axis a matrix product keeps: 0 and 1 among others."""
        rng = self.rng
        return rng.choices([0, 1, rng.randint(2, 6), rng.randint(7, 10)], [6, 16, 63, 15])[0]

    def matmul(self, depth):
        """A matrix product of an expression (1-d or 2-d) with a 1-d or 2-d operand whose shared
        axis fits, on either side; now and then `x @ x.T` or `x.T @ x`."""
        rng = self.rng
        x = self.matrix(self.expression(depth - 1))
        on_left = rng.random() < 0.6
        shared = x.shape[-1] if on_left else x.shape[0]
        if shared > LONGEST_SHARED_AXIS:
            raise Retry()
        if len(x.shape) == 2 and rng.random() < 0.15:
            t = self.node(f"{x.flow}.T", f"{x.numpy}.T", ".T", [x])
            return self.product(x, t, ["x @ x.T"]) if on_left else self.product(t, x, ["x @ x.T"])
        if rng.random() < 0.35:
            shape = (shared,)
        else:
            shape = (shared, self.other_length()) if on_left else (self.other_length(), shared)
        y = self.shaped(shape)
        return self.product(x, y) if on_left else self.product(y, x)

    def outer(self, depth):
        rng = self.rng
        x = self.expression(depth - 1)
        y = self.shaped(rng.choice([(), (0,), (1,), (rng.randint(2, 5),), (2, 3), (3, 1)]))
        if rng.random() < 0.4:
            x, y = y, x
        return self.node(f"outer({x.flow}, {y.flow})", f"np.outer({x.numpy}, {y.numpy})",
                         "outer", [x, y])

    def reshape(self, depth):
        """`x.reshape(...)` into another shape of the same size, or `x.ravel()`."""
        x = self.expression(depth - 1)
        if self.rng.random() < 0.2:
            return self.node(f"{x.flow}.ravel()", f"{x.numpy}.ravel()", "ravel", [x])
        return self.reshaped(x, self.shape_of_size(x.array.size))

    def axis_argument(self, ndim, bad=False):
        """`axis=k` within range (or, with `bad`, out of it), `axis=none`, or nothing: the flow
        and NumPy arguments and a tag."""
        rng = self.rng
        if bad:
            axis = rng.choice([max(ndim, 1), -max(ndim, 1) - 1])
        elif ndim and rng.random() < 0.6:
            axis = rng.randrange(-ndim, ndim)
        elif rng.random() < 0.2:
            return ["axis=none"], ["axis=None"], ["axis=none"]
        else:
            return [], [], []
        return [f"axis={axis}"], [f"axis={axis}"], ["axis=k"]

    def scan(self, depth, bad_axis=False):
        """cumsum, cumprod, nancumsum or nancumprod, along an axis or of the flattened array.
        Not along an axis of a 0-d array (NumPy takes axis 0 and -1 there; see NUMPY_ONLY)."""
        rng = self.rng
        x = self.expression(depth - 1)
        name = rng.choices(SCANS, SCAN_WEIGHTS)[0]
        flow_args, numpy_args, tags = self.axis_argument(len(x.shape), bad_axis)
        if name in SCAN_METHODS and rng.random() < 0.4:
            return self.node(f"{x.flow}.{name}({', '.join(flow_args)})",
                             f"{x.numpy}.{name}({', '.join(numpy_args)})", name, [x], tags)
        return self.node(f"{name}({', '.join([x.flow] + flow_args)})",
                         f"np.{name}({', '.join([x.numpy] + numpy_args)})", name, [x], tags)

    def diff(self, depth, x=None, n=None, axis=None):
        """diff(x, n=, axis=): n of 0 to 3, or 6 (often more than the axis is long: empty)."""
        rng = self.rng
        x = x or self.expression(depth - 1)
        ndim = len(x.shape)
        if n is None:
            n = rng.choices([None, 1, 2, 3, 0, 6], [40, 15, 15, 8, 7, 5])[0]
        if axis is None and ndim and rng.random() < 0.5:
            axis = rng.randrange(-ndim, ndim)
        args, tags = [], []
        if n is not None:
            args.append(str(n) if axis is None and rng.random() < 0.2 else f"n={n}")
            tags.append("n=")
        if axis is not None:
            args.append(f"axis={axis}")
            tags.append("axis=k")
        return self.node(f"diff({', '.join([x.flow] + args)})",
                         f"np.diff({', '.join([x.numpy] + args)})", "diff", [x], tags)

    def histogram(self, depth, reversed_range=False):
        rng = self.rng
        x = self.expression(depth - 1)
        if x.dtype != "f32" and rng.random() < 0.25:  # the edges of f32 data are f32
            x = self.node(f'{x.flow}.astype("f32")', f"{x.numpy}.astype(np.float32)", "astype",
                          [x])
        bins = rng.choice([1, 2, 3, 4, 5, 7, 10])
        a = x.array.astype(np.float64) if x.array.size else np.zeros(1)
        finite = a[np.isfinite(a)]
        low, high = (math.floor(finite.min()), math.ceil(finite.max())) if finite.size else (0, 1)
        high = high if high > low else low + 1
        kind = "reversed" if reversed_range else rng.choices(
            ["data", "fixed", "inside", "empty range"], [40, 25, 25, 3])[0]
        if kind == "fixed":
            low, high = rng.choice([(0, 10), (-1, 1), (0, 1), (-2.5, 2.5)])
        elif kind == "inside":
            low, high = low + (high - low) / 4, high - (high - low) / 4
        elif kind == "empty range":
            high = low
        elif kind == "reversed":
            low, high = high + 1, low
        r_flow = f"({flow_number(low)}, {flow_number(high)})"
        r_numpy = f"({py_number(low)}, {py_number(high)})"
        return self.node(f"histogram({x.flow}, bins={bins}, range={r_flow})",
                         f"np.histogram({x.numpy}, bins={bins}, range={r_numpy})", "histogram",
                         [x])

    # ------------------------------------------------------------------------ rounding, diagonals

    def rounding_leaf(self, dtype):
        """A literal of halves, ties in decimal spelling, NaN, infinities, huge and tiny values
        (ints of every size for round's negative decimals), in odd chunks."""
        rng = self.rng
        shape = self.random_shape()
        if math.prod(shape) > 48 or (shape and 0 in shape[:-1]):
            shape = (rng.randint(0, 9),)
        n = math.prod(shape)
        if dtype in ("i32", "i64"):
            spread = rng.choice([9, 100, 1000, 100_000])
            flat = [rng.randint(-spread, spread) for _ in range(n)]
        else:
            pool = ROUNDING_FLOATS + SPECIAL_FLOATS[:4]
            if dtype == "f32":  # within f32's range: no infinities nor zeros made by the dtype
                pool = [v for v in pool
                        if not math.isfinite(v) or v == 0 or 1e-30 < abs(v) < 3.4e38]
            scale = rng.choice([1.0, 1.0, 1.0, 10.0, 0.01])
            flat = [v * scale if abs(v) < 1e30 and math.isfinite(v) else v
                    for v in (rng.choice(pool) for _ in range(n))]
            flat = [float(f"{v:.12g}") if math.isfinite(v) else v for v in flat]
        values = np.empty(n, dtype=object)
        values[:] = flat
        values = values.reshape(shape)
        f_dtype, n_dtype = self.dtype_argument(dtype)
        chunks = self.chunks_spec(shape) if rng.random() < 0.7 else None
        chunk_args = [f"chunks={chunks_text(chunks)}"] if chunks is not None else []
        return self.bind(f"array({', '.join([nested(values, flow_number), f_dtype] + chunk_args)})",
                         f"np.array({nested(values, py_number)}, {n_dtype})", "array",
                         ["chunks="] if chunks is not None else [])

    def rounding_input(self, depth, floats=False):
        """An expression to round: often a literal of values rounding treats specially."""
        rng = self.rng
        if rng.random() < 0.45:
            dtype = (rng.choice(["f32", "f64", "f64"]) if floats
                     else rng.choice(["f32", "f64", "f64", "i32", "i64"]))
            x = self.rounding_leaf(dtype)
        else:
            x = self.expression(depth - 1)
        if floats and x.dtype not in ("f32", "f64"):
            target = rng.choice(["f32", "f64"])
            x = self.node(f'{x.flow}.astype("{target}")',
                          f"{x.numpy}.astype({NUMPY_DTYPE[target]})", "astype", [x])
        if x.shape and rng.random() < 0.2:
            x = self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                          x.numpy, "rechunk", [x])
        return x

    def rounding(self, depth):
        """rint, round(x, digits) and x.round(decimals) (NumPy's round: ints kept, rounded to
        tens and hundreds for negative decimals), nan_to_num with nan=, posinf=, neginf=, and
        reciprocal of floats (flow refuses ints: NUMPY_ONLY). Bools are not rounded (NumPy
        makes float16 of them: NUMPY_ONLY)."""
        rng = self.rng
        name = rng.choices(ROUNDINGS, ROUNDING_WEIGHTS)[0]
        x = self.rounding_input(depth, floats=name == "reciprocal")
        if x.dtype == "bool" and name in ("rint", "round"):
            raise Retry()
        if name in ("rint", "reciprocal"):
            return self.node(f"{name}({x.flow})", f"np.{name}({x.numpy})", name, [x])
        if name == "round":
            decimals = rng.choices(ROUND_DECIMALS, ROUND_DECIMAL_WEIGHTS)[0]
            if x.dtype in ("i32", "i64") and decimals < -12:
                decimals = -12  # NumPy's ints divided by 10**400 (inf) are NaN cast to ints
            tags = (["decimals<0"] if decimals < 0 else ["decimals>0"] if decimals > 0 else [])
            form = rng.choices(["function", "digits=", "method", "decimals=", "none"],
                               [30, 10, 20, 15, 25])[0]
            if form == "none":
                decimals, tags = 0, []
                if rng.random() < 0.5:
                    return self.node(f"round({x.flow})", f"np.round({x.numpy})", "round", [x])
                return self.node(f"{x.flow}.round()", f"{x.numpy}.round()", "round", [x],
                                 ["x.round()"])
            if form in ("function", "digits="):
                keyword = "digits=" if form == "digits=" else ""
                return self.node(f"round({x.flow}, {keyword}{decimals})",
                                 f"np.round({x.numpy}, {'decimals=' if keyword else ''}"
                                 f"{decimals})", "round", [x], tags + ["decimals="])
            keyword = "decimals=" if form == "decimals=" else ""
            return self.node(f"{x.flow}.round({keyword}{decimals})",
                             f"{x.numpy}.round({keyword}{decimals})", "round", [x],
                             tags + ["decimals=", "x.round()"])
        # nan_to_num: keywords only (NumPy's second positional parameter is copy=)
        args, tags = [], []
        for keyword in ("nan", "posinf", "neginf"):
            if rng.random() < 0.45:
                v = rng.choice(NAN_TO_NUM_VALUES)
                v = -v if keyword == "neginf" and rng.random() < 0.7 else v
                if keyword != "nan" and rng.random() < 0.15:
                    v = None  # the default spelled out
                elif keyword == "nan" and rng.random() < 0.05:
                    v = math.nan
                args.append(f"{keyword}={'none' if v is None else flow_number(v)}")
                tags.append(f"{keyword}=")
        rng.shuffle(args)
        return self.call("nan_to_num", x, args, tags)

    def diagonal_input(self, depth, ndims=(2, 3, 4), weights=(45, 40, 15)):
        """An array of `ndims` axes: an expression that has them, or an array with lengths of
        0 and 1 among others; rechunked now and then."""
        rng = self.rng
        x = self.expression(depth - 1) if rng.random() < 0.5 else None
        if x is None or len(x.shape) not in ndims:
            ndim = rng.choices(ndims, weights)[0]
            shape = [rng.choices([0, 1, rng.randint(2, 4), rng.randint(5, 8)], [6, 14, 55, 25])[0]
                     for _ in range(ndim)]
            while math.prod(shape) > 120:
                shape[shape.index(max(shape))] //= 2
            x = self.shaped(tuple(shape))
        if x.shape and rng.random() < 0.25:
            x = self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                          x.numpy, "rechunk", [x])
        return x

    def diagonal(self, depth, bad=None):
        """diagonal(x, offset, axis1, axis2) or trace(...), as functions or methods: offsets
        beyond the array either way, axes negative and in either order, arguments positional
        or by name. With `bad`: "ndim", of a 0-d or 1-d array; "same", one axis twice;
        "range", an axis out of range."""
        rng = self.rng
        name = rng.choice(DIAGONALS)
        if bad == "ndim":
            x = self.diagonal_input(depth, (0, 1), (25, 75))
        else:
            x = self.diagonal_input(depth)
        ndim = len(x.shape)
        tags = []
        if bad == "ndim" or (ndim >= 2 and not bad and rng.random() < 0.35):
            axes = None
            a, b = 0, 1
        elif bad == "same":
            a = rng.randrange(ndim)
            axes = [a, rng.choice([a, a - ndim])]
            rng.shuffle(axes)
            tags.append("repeated axis")
        else:
            axes = self.some_axes(ndim, 2)
            if bad == "range":
                axes[rng.randrange(2)] = rng.choice([ndim, ndim + 2, -ndim - 1])
                tags.append("axis out of range")
            elif any(a < 0 for a in axes):
                tags.append("negative axis")
            tags.append("axis1/axis2")
        if axes is not None and not bad:
            a, b = axes
        if rng.random() < 0.3 and axes is None:
            offset = None
        else:
            d1, d2 = (x.shape[a], x.shape[b]) if ndim >= 2 and not bad else (2, 2)
            offset = rng.choice([0, 1, -1, 1, -1, 2, -2, d2 - 1, -d1 + 1, d2, d2 + 1, -d1,
                                 -d1 - 3, 7, -9])
            if not -d1 < offset < d2:
                tags.append("offset beyond")
            tags.append("offset=")
        values = [("offset", offset)] + ([] if axes is None else [("axis1", axes[0]),
                                                                  ("axis2", axes[1])])
        args, positional = [], rng.random() < 0.35
        for keyword, v in values:
            if v is None:
                positional = False
                continue
            args.append(str(v) if positional else f"{keyword}={v}")
        return self.call(name, x, args, tags, method=rng.random() < 0.4)

    # -------------------------------------------------------------------------------- sorting
    # sort and argsort along an axis in one chunk (rechunked first, or an array made without
    # chunks; flow refuses another, NUMPY_ONLY), topk on any chunks (Dask's: the k largest in
    # descending order, the -k smallest in ascending order, NaN the largest as NumPy's sort has
    # it last), unique, digitize with increasing or decreasing edges and bincount of 1-d
    # non-negative ints, with weights now and then. With `bad`, what NumPy refuses.

    def sorting(self, depth):
        name = self.rng.choices(SORTINGS, SORTING_WEIGHTS)[0]
        if name == "bincount":
            return self.bincount_of(depth)
        x = self.sorted_input(depth, name in ("unique", "digitize"))
        if name in ("sort", "argsort"):
            return self.sort_of(x, name)
        return getattr(self, f"{name}_of")(x)

    def sorted_input(self, depth, any_ndim=False):
        """An expression to sort; now and then an array with lengths of 0 and 1 and repeated
        values (ties, which argsort keeps in order). 0-d ones only with `any_ndim`."""
        rng = self.rng
        if rng.random() < 0.3:
            ndim = rng.choices([0, 1, 2, 3], [5 if any_ndim else 0, 40, 40, 15])[0]
            shape = [rng.choice([0, 1, 1, 2, 3, 5, 8]) for _ in range(ndim)]
            while math.prod(shape) > 120:
                shape[shape.index(max(shape))] //= 2
            x = self.shaped(tuple(shape))
        else:
            x = self.expression(depth - 1)
        if not x.shape and not any_ndim:
            raise Retry()
        return x

    def one_chunk_along(self, x, axis):
        """`x` with all of `axis` in one chunk: rechunked (-1, the length, or one block there;
        any chunks along the other axes), or `x` itself when it is an array made without
        chunks."""
        rng = self.rng
        ndim = len(x.shape)
        if (x.name and "chunks=" not in x.flow_binding and "_like(" not in x.flow_binding
                and rng.random() < 0.35):
            return x
        spec = self.chunks_spec(x.shape)
        spec = list(spec) if isinstance(spec, list) else [spec] * ndim
        d = x.shape[axis % ndim]
        spec[axis % ndim] = rng.choice([-1, -1, d, (d,)]) if d else -1
        return self.node(f"{x.flow}.rechunk({chunks_text(spec)})", x.numpy, "rechunk", [x])

    def sort_axis(self, ndim, bad=False):
        """The axis of sort, argsort or topk: none given (-1), or one within range (with `bad`,
        out of it); its flow argument (by name or by position) and its value."""
        rng = self.rng
        if bad:
            axis = rng.choice([max(ndim, 1), ndim + 1, -max(ndim, 1) - 1])
        elif rng.random() < 0.35 or not ndim:
            return [], -1
        else:
            axis = rng.randrange(-ndim, ndim)
        return [self.keyword("axis", str(axis), 0.3)], axis

    def sort_of(self, x, name, bad=False):
        """sort or argsort (`name`; argsort stable: NumPy's kind="stable") along an axis in one
        chunk. With `bad` (x 0-d, or an axis out of range), what NumPy refuses."""
        args, axis = self.sort_axis(len(x.shape), bad and x.shape)
        if not bad:
            x = self.one_chunk_along(x, axis)
        tags = self.axes_tags(axis) if args else []
        kind = ', kind="stable"' if name == "argsort" else ""
        flow_args = ", ".join([x.flow] + args)
        return self.node(f"{name}({flow_args})",
                         f"np.{name}({x.numpy}, axis={axis}{kind})", name, [x], tags)

    def topk_of(self, x, bad=False):
        """topk(x, k, axis): k from 1 to the axis' length, either way (not 0, nor more than the
        axis holds: flow refuses them, NUMPY_ONLY), on any chunks. NumPy's twin sorts (NaN
        last), flips for k > 0 and takes the first |k|. With `bad` (x 0-d, or an axis out of
        range), what NumPy refuses."""
        rng = self.rng
        args, axis = self.sort_axis(len(x.shape), bad and x.shape)
        if bad:
            k = rng.choice([1, 2, -1])
        else:
            n = x.shape[axis % len(x.shape)]
            if not n:
                raise Retry()
            k = min(n, rng.choice([1, 1, 2, 3, 5, n, n, max(n - 1, 1)]))
            if rng.random() < 0.4:
                k = -k
            if x.shape and rng.random() < 0.3:
                x = self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                              x.numpy, "rechunk", [x])
        tags = (self.axes_tags(axis) if args else []) + (["k<0"] if k < 0 else [])
        k_text = self.keyword("k", str(k), 0.85) if not args or "=" in args[0] else str(k)
        flow_args = ", ".join([x.flow, k_text] + args)
        sorted_text = f"np.sort({x.numpy}, axis={axis})"
        if k > 0:
            sorted_text = f"np.flip({sorted_text}, axis={axis})"
        return self.node(f"topk({flow_args})",
                         f"np.take({sorted_text}, range({abs(k)}), axis={axis})", "topk", [x],
                         tags)

    def unique_of(self, x):
        """The distinct values of the flattened array, sorted, NaN once at the end."""
        if x.shape and self.rng.random() < 0.2:
            x = self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                          x.numpy, "rechunk", [x])
        return self.node(f"unique({x.flow})", f"np.unique({x.numpy})", "unique", [x])

    def digitize_of(self, x, bad=False):
        """digitize(x, bins, right=): 1 to 5 edges, increasing or decreasing, repeated now and
        then, of ints and floats (0.1 and 0.3 between two f32 values), infinities too, or
        values of x (ties, which right= decides; f32 ones in their shortest decimal spelling,
        which is another f64); a list or a tuple. Not empty bins nor NaN among them
        (NUMPY_ONLY). With `bad`, bins neither increasing nor decreasing."""
        rng = self.rng
        tags = []
        if bad:
            edges = rng.sample(sorted(set(DIGITIZE_EDGES), key=lambda v: (v, str(v))),
                               rng.randint(3, 5))
            if edges == sorted(edges) or edges == sorted(edges, reverse=True):
                raise Retry()
            tags.append("bins not monotonic")
        else:
            count = rng.choices([1, 2, 3, 4, 5], [15, 30, 25, 20, 10])[0]
            pool = DIGITIZE_EDGES
            values = x.array.ravel()
            if x.dtype != "bool" and values.size and rng.random() < 0.3:
                values = values[np.isfinite(values)] if x.dtype in ("f32", "f64") else values
                spelled = {"f32": lambda v: float(f"{v:.7g}"), "f64": float}.get(x.dtype, int)
                pool = [spelled(v) for v in values[:20]] or pool
                tags.append("edges of x")
            edges = sorted(rng.choice(pool) for _ in range(count))
            if len(edges) > 1 and rng.random() < 0.4:
                edges.reverse()
                tags.append("decreasing bins")
            if len(set(edges)) < len(edges):
                tags.append("repeated edge")
        as_tuple = rng.random() < 0.15
        flow_bins = ", ".join(flow_number(e) for e in edges)
        numpy_bins = ", ".join(py_number(e) for e in edges)
        if as_tuple:
            comma = "," if len(edges) == 1 else ""
            flow_bins, numpy_bins = f"({flow_bins}{comma})", f"({numpy_bins}{comma})"
        else:
            flow_bins, numpy_bins = f"[{flow_bins}]", f"[{numpy_bins}]"
        flow_args, numpy_args = [x.flow], [x.numpy]
        bins_by_name = rng.random() < 0.2
        flow_args.append(f"bins={flow_bins}" if bins_by_name else flow_bins)
        numpy_args.append(f"bins={numpy_bins}" if bins_by_name else numpy_bins)
        if rng.random() < 0.5:
            right = rng.random() < 0.6
            by_name = bins_by_name or rng.random() < 0.7
            flow_args.append(("right=" if by_name else "") + flow_number(right))
            numpy_args.append(("right=" if by_name else "") + py_number(right))
            tags.append("right=")
        return self.node(f"digitize({', '.join(flow_args)})",
                         f"np.digitize({', '.join(numpy_args)})", "digitize", [x], tags)

    def bincount_input(self, depth):
        """A 1-d array of non-negative ints (or bools) to count: `(arange(n) * a) % m`, an
        expression (flattened, cast to ints) modulo m or its abs, small literals, argmax along
        an axis, bools."""
        rng = self.rng
        kind = rng.choices(["arange", "modulo", "literal", "argmax", "bool"],
                           [20, 35, 20, 10, 15])[0]
        m = rng.choice([1, 2, 3, 5, 7, 12])
        n = rng.choice([0, 1, 2, 5, 9, 12, 40, 300])
        if kind == "arange":
            a = rng.choice([1, 3, 7])
            chunks = f", chunks={rng.randint(1, max(1, n))}" if rng.random() < 0.5 else ""
            return self.node(f"((arange({n}{chunks}) * {a}) % {m})",
                             f"((np.arange({n}) * {a}) % {m})", "%")
        if kind == "modulo":
            e = self.expression(depth - 1)
            if len(e.shape) != 1:
                e = self.node(f"{e.flow}.ravel()", f"{e.numpy}.ravel()", "ravel", [e])
            e = self.integer(e)
            if rng.random() < 0.4:
                return self.node(f"(abs({e.flow}) % {m})", f"(np.abs({e.numpy}) % {m})", "%",
                                 [e])
            return self.node(f"({e.flow} % {m})", f"({e.numpy} % {m})", "%", [e])
        if kind == "literal":
            return self.shaped((min(n, 40),), rng.choice(["i32", "i64"]), small_nonnegative=True)
        if kind == "argmax":
            name = rng.choice(["argmax", "argmin"])
            rows, columns = rng.randint(1, 6), rng.choice([0, 1, 2, 3, 5])
            along = rng.choice([0, 1])
            y = self.shaped((rows, columns) if along == 0 else (columns, rows))
            return self.node(f"{y.flow}.{name}(axis={along})", f"{y.numpy}.{name}(axis={along})",
                             name, [y], ["axis=k"])
        return self.shaped((min(n, 40),), "bool")

    def bincount_of(self, depth, bad=None):
        """bincount(x, weights=, minlength=) of 1-d non-negative ints (`bincount_input`), with
        weights of floats, ints or bools now and then (summed in order: ORDER_FREE), minlength
        below and beyond the largest value. With `bad`: "negative", a negative value among
        them (flow::eval::negative_count when run); "values", floats, 2-d or 0-d values;
        "weights", weights of another length; "minlength", a negative one."""
        rng = self.rng
        x = self.bincount_input(depth)
        tags = []
        if x.error:
            raise Retry()
        if bad == "negative":
            k = rng.choice([1, 1, 2, 5])
            x = self.node(f"({x.flow} - {k})", f"({x.numpy} - {k})", "-", [x])
            tags.append("negative value")
        elif bad == "values":
            kind = rng.choice(["floats", "2-d", "0-d"])
            if kind == "floats":
                x = self.shaped(x.shape, rng.choice(["f32", "f64"]))
            elif kind == "2-d":
                x = self.shaped((rng.randint(1, 3), rng.randint(1, 4)),
                                rng.choice(["i32", "i64", "bool"]), small_nonnegative=True)
            else:
                x = self.shaped((), "i64", small_nonnegative=True)
            tags.append(f"{kind} values")
        n = x.shape[0] if x.shape else 1
        children = [x]
        args = []
        weights_by_position = False
        # NumPy's bincount of no values returns ints whatever the weights (NUMPY_ONLY).
        if bad == "weights" or (n and rng.random() < 0.35):
            length = rng.choice([c for c in (n - 1, n + 1, n + 3) if c >= 0]) if bad == "weights" \
                else n
            w = self.shaped((length,), rng.choice(["f64", "f64", "f32", "i64", "bool"]))
            children.append(w)
            weights_by_position = rng.random() < 0.3
            args.append((w.flow, w.numpy) if weights_by_position
                        else (f"weights={w.flow}", f"weights={w.numpy}"))
            tags.append("weights=")
        if bad == "minlength" or rng.random() < 0.3:
            minlength = rng.choice([-1, -3]) if bad == "minlength" else rng.choice(
                [0, 1, 3, 8, 12])
            positional = weights_by_position and rng.random() < 0.5
            text = str(minlength) if positional else f"minlength={minlength}"
            args.append((text, text))
            tags.append("minlength=")
        flow_args = ", ".join([x.flow] + [f for f, _ in args])
        numpy_args = ", ".join([x.numpy] + [n for _, n in args])
        return self.node(f"bincount({flow_args})", f"np.bincount({numpy_args})", "bincount",
                         children, tags)

    # -------------------------------------------------------------------------------- rearranging
    # squeeze, expand_dims, moveaxis, swapaxes, flip, roll, broadcast_to, tile, repeat and pad.
    # Each `*_of` builder takes the array it rearranges; with `bad`, it makes the mistake NumPy
    # refuses (see the mistakes below).

    def rearrangement(self, depth):
        name = self.rng.choices(REARRANGEMENTS, REARRANGEMENT_WEIGHTS)[0]
        return getattr(self, f"{name}_of")(self.rearranged_input(depth))

    def rearranged_input(self, depth):
        """An expression to rearrange; now and then an array with lengths of 0 and 1, and now
        and then rechunked first (a rearrangement keeps the chunks of the axes it keeps)."""
        rng = self.rng
        if rng.random() < 0.3:
            ndim = rng.choices([0, 1, 2, 3, 4], [5, 30, 35, 20, 10])[0]
            shape = [rng.choice([0, 1, 1, 2, 3, 5]) for _ in range(ndim)]
            while math.prod(shape) > 120:
                shape[shape.index(max(shape))] //= 2
            x = self.shaped(tuple(shape))
        else:
            x = self.expression(depth - 1)
        if x.shape and rng.random() < 0.2:
            x = self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                          x.numpy, "rechunk", [x])
        return x

    def call(self, name, x, args, tags=(), method=False):
        """`name(x, args...)`, or the method `x.name(args...)`: `args` are flow's text, NumPy's
        the same with none, true, false, nan and inf spelled its way."""
        flow_args = ", ".join(args)
        numpy_args = numpy_arguments(flow_args)
        tags = list(tags)
        if method:
            return self.node(f"{x.flow}.{name}({flow_args})", f"{x.numpy}.{name}({numpy_args})",
                             name, [x], tags + [f"x.{name}()"])
        comma = ", " if args else ""
        return self.node(f"{name}({x.flow}{comma}{flow_args})",
                         f"np.{name}({x.numpy}{comma}{numpy_args})", name, [x], tags)

    def some_axes(self, ndim, count):
        """`count` distinct axes of an array of `ndim`, negative now and then."""
        return [a - ndim if self.rng.random() < 0.35 else a
                for a in self.rng.sample(range(ndim), count)]

    def axes_value(self, axes):
        """One axis as an int now and then, else a tuple."""
        return axes[0] if len(axes) == 1 and self.rng.random() < 0.6 else axes

    def keyword(self, name, text, positional=0.3):
        return text if self.rng.random() < positional else f"{name}={text}"

    @staticmethod
    def axes_tags(axes):
        listed = [axes] if isinstance(axes, int) else list(axes)
        tags = ["axis=k" if isinstance(axes, int) else "axis=(j, k)"]
        return tags + (["negative axis"] if any(a < 0 for a in listed) else [])

    def squeeze_of(self, x, bad=False):
        """Without an axis, of length-1 axes named (an int or a tuple); with `bad`, of an axis
        whose length is not 1."""
        rng = self.rng
        ndim = len(x.shape)
        ones = [i for i, d in enumerate(x.shape) if d == 1]
        others = [i for i, d in enumerate(x.shape) if d != 1]
        if bad:
            if not others:
                raise Retry()
            picked = [rng.choice(others)] + rng.sample(ones, rng.randint(0, len(ones)))
            rng.shuffle(picked)
            axes = self.axes_value([a - ndim if rng.random() < 0.35 else a for a in picked])
        elif not ones or rng.random() < 0.3:
            axes = None
        else:
            count = 1 if rng.random() < 0.5 else rng.randint(0, len(ones))
            picked = rng.sample(ones, count)
            axes = self.axes_value([a - ndim if rng.random() < 0.35 else a for a in picked])
        if axes is None:
            args, tags = rng.choice([[], [], ["axis=none"]]), []
        else:
            args, tags = [self.keyword("axis", axes_text(axes))], self.axes_tags(axes)
        return self.call("squeeze", x, args, tags, method=rng.random() < 0.4)

    def expand_dims_of(self, x, bad=False):
        """New axes at positions of the result: an int or a tuple of 1 to 3, negative too."""
        rng = self.rng
        ndim = len(x.shape)
        count = rng.choices([1, 2, 3], [65, 25, 10])[0]
        count = count if ndim + count <= 6 else 1
        axes = self.some_axes(ndim + count, count)
        if bad:  # a position beyond the result's axes
            axes[rng.randrange(count)] = rng.choice([ndim + count, ndim + count + 1,
                                                     -ndim - count - 1])
        axes = self.axes_value(axes)
        return self.call("expand_dims", x, [self.keyword("axis", axes_text(axes))],
                         self.axes_tags(axes))

    def moveaxis_of(self, x, bad=False):
        """Axes moved: one (ints) or several (tuples); with `bad`, as many sources as
        destinations they are not."""
        rng = self.rng
        ndim = len(x.shape)
        if not ndim:
            raise Retry()
        count = rng.randint(1, min(ndim, 3))
        source = self.some_axes(ndim, count)
        destination = self.some_axes(ndim, count)
        if bad:
            other = self.some_axes(ndim, rng.choice([c for c in range(ndim + 1) if c != count]))
            if rng.random() < 0.3:
                destination, source = source, other
            else:
                destination = other
        source, destination = self.axes_value(source), self.axes_value(destination)
        tags = ["axis=k" if isinstance(source, int) else "axis=(j, k)"]
        if any(a < 0 for v in (source, destination) for a in ([v] if isinstance(v, int) else v)):
            tags.append("negative axis")
        if rng.random() < 0.3:
            args = [f"source={axes_text(source)}", f"destination={axes_text(destination)}"]
        else:
            args = [axes_text(source), axes_text(destination)]
        return self.call("moveaxis", x, args, tags)

    def swapaxes_of(self, x):
        rng = self.rng
        ndim = len(x.shape)
        if not ndim:
            raise Retry()
        a, b = (self.some_axes(ndim, 1)[0] for _ in range(2))
        tags = ["negative axis"] if a < 0 or b < 0 else []
        return self.call("swapaxes", x, [str(a), str(b)], tags, method=rng.random() < 0.4)

    def flip_of(self, x):
        """All axes (no axis, or none), one, or a tuple of them."""
        rng = self.rng
        ndim = len(x.shape)
        if not ndim or rng.random() < 0.3:
            return self.call("flip", x, rng.choice([[], [], ["axis=none"]]))
        count = 1 if rng.random() < 0.6 else rng.randint(0, ndim)
        axes = self.axes_value(self.some_axes(ndim, count))
        return self.call("flip", x, [self.keyword("axis", axes_text(axes))], self.axes_tags(axes))

    def roll_of(self, x):
        """A shift of the flattened array, along one axis or along several (one shift for all,
        or one each): shifts of 0, negative ones and ones longer than the axis."""
        rng = self.rng
        ndim = len(x.shape)

        def shift(length):
            return rng.choice([0, 1, -1, 2, -3, length, length + 1, -length - 2, 2 * length + 1,
                               13, -11])

        kind = rng.choices(["flat", "axis", "axes"], [30, 45, 25])[0] if ndim else "flat"
        if kind == "flat":
            shifts = shift(x.array.size)
            args, tags, lengths = [str(shifts)] + rng.choice([[], [], ["axis=none"]]), [], [
                x.array.size]
        else:
            axes = self.some_axes(ndim, 1 if kind == "axis" else rng.randint(1, ndim))
            lengths = [x.shape[a] for a in axes]
            if kind == "axes" and rng.random() < 0.4:
                shifts = shift(min(lengths))
            else:
                shifts = [shift(d) for d in lengths]
                shifts = shifts[0] if kind == "axis" else shifts
            axes = axes[0] if kind == "axis" else axes
            args = [axes_text(shifts), self.keyword("axis", axes_text(axes))]
            tags = self.axes_tags(axes)
        listed = [shifts] if isinstance(shifts, int) else shifts
        if any(s < 0 for s in listed):
            tags.append("negative shift")
        if any(abs(s) > min(lengths) for s in listed):
            tags.append("shift beyond length")
        if rng.random() < 0.2:  # then the axis too by name
            args = [f"shift={args[0]}"] + [a if "=" in a else f"axis={a}" for a in args[1:]]
        return self.call("roll", x, args, tags)

    def broadcast_to_of(self, x, bad=False):
        """Into a shape with new leading axes (of lengths 0 and 1 too) and length-1 axes made
        longer (or empty); with `bad`, into one it does not broadcast to."""
        rng = self.rng
        target = [rng.choice([1, 0, 2, 3, 5]) if d == 1 and rng.random() < 0.6 else d
                  for d in x.shape]
        target = [rng.choice([1, 2, 3, 0]) for _ in range(rng.choice([0, 1, 1, 2]))] + target
        if bad:
            kind = rng.choice(["longer", "fewer axes"])
            long_axes = [i for i, d in enumerate(target) if d >= 2 or (d == 0 and i >= len(
                target) - len(x.shape))]
            if kind == "fewer axes" and x.shape and any(d != 1 for d in x.shape):
                target = target[len(target) - len(x.shape):]
                keep = [i for i, d in enumerate(x.shape) if d != 1][-1]
                target = target[keep + 1:]
            elif long_axes:
                i = rng.choice(long_axes)
                target[i] = rng.choice([target[i] + 1, max(2, target[i] - 1) if target[i] > 2
                                        else target[i] + 2])
            else:
                raise Retry()
        if len(target) > 6:
            raise Retry()
        text = shape_text(tuple(target), as_int=rng.random() < 0.5)
        return self.call("broadcast_to", x, [self.keyword("shape", text, 0.8)])

    def tile_of(self, x, bad=False):
        """reps an int or a tuple, fewer or more than the axes, with 0 among them; with `bad`,
        a negative one."""
        rng = self.rng
        ndim = len(x.shape)
        count = rng.choices([None, 0, 1, 2, 3, 4], [30, 3, 20, 25, 15, 7])[0]
        reps = [rng.choice([0, 1, 1, 2, 2, 3]) for _ in range(1 if count is None else count)]
        if bad:
            if not reps:
                reps = [1]
            reps[rng.randrange(len(reps))] = rng.choice([-1, -2])
        tags = (["0 reps"] if 0 in reps else []) + (
            ["more reps than axes"] if count is not None and count > ndim else [])
        text = str(reps[0]) if count is None else shape_text(tuple(reps)) if reps else "()"
        return self.call("tile", x, [self.keyword("reps", text, 0.8)], tags)

    def repeat_of(self, x, bad=False):
        """Of the flattened array or along an axis, 0 to 4 times; with `bad`, -1 or -2 times."""
        rng = self.rng
        ndim = len(x.shape)
        n = rng.choice([-1, -2]) if bad else rng.choice([0, 0, 1, 2, 2, 3, 4])
        args = [self.keyword("repeats", str(n), 0.8)]
        tags = ["repeat 0"] if n == 0 else []
        if ndim and rng.random() < 0.6:
            axis = self.some_axes(ndim, 1)[0]
            args.append(self.keyword("axis", str(axis)))
            tags += self.axes_tags(axis)
        elif rng.random() < 0.2:
            args.append("axis=none")
        method = rng.random() < 0.4
        if method:  # ndarray.repeat's count is positional
            args[0] = str(n)
        elif args[0].startswith("repeats="):  # then the axis too by name
            args = args[:1] + [a if "=" in a else f"axis={a}" for a in args[1:]]
        return self.call("repeat", x, args, tags, method=method)

    def pad_of(self, x, bad=None):
        """pad_width an int, a (before, after) pair, one pair in a tuple, or a pair per axis;
        each mode flow has, and constant_values of the array's kind (floats truncated into
        ints). Reflections wider than the axis now and then. With `bad`: "mode", a mode
        NumPy does not know; "empty", edge or a reflection of an empty axis; "pairs", another
        number of pairs than the array has axes."""
        rng = self.rng
        ndim = len(x.shape)
        mode = rng.choices(PAD_MODES, PAD_MODE_WEIGHTS)[0]
        if bad == "empty":
            mode = rng.choice(PAD_MODES[1:])
            if 0 not in x.shape:
                raise Retry()
        tags = [f"mode={mode}"]

        def width(d):
            if mode in ("reflect", "symmetric") and rng.random() < 0.25:
                return rng.randint(d + 1, 3 * d + 2)
            return rng.choice([0, 0, 1, 1, 2, 3])

        def pair(d):
            return width(d), width(d)

        empty = [i for i, d in enumerate(x.shape) if d == 0]
        form = rng.choices(["int", "pair", "one pair", "per axis"], [20, 20, 10, 50])[0]
        if ndim == 0:
            form = rng.choice(["int", "pair"])
        if (mode != "constant" and empty) or bad == "empty":
            form = "per axis"
        shortest = min(x.shape) if x.shape else 1
        if form == "int":
            w = width(shortest)
            text = f"({w},)" if rng.random() < 0.15 else str(w)
            widths = [(w, w)] * ndim
        elif form in ("pair", "one pair"):
            b, a = pair(shortest)
            text = f"({b}, {a})" if form == "pair" else f"(({b}, {a}),)"
            widths = [(b, a)] * ndim
        else:
            widths = [pair(d) for d in x.shape]
            if mode != "constant":
                widths = [(0, 0) if d == 0 else w for d, w in zip(x.shape, widths)]
            if bad == "empty":
                i = rng.choice(empty)
                widths[i] = rng.choice([(1, 0), (0, 2), (1, 1)])
            if bad == "pairs":
                count = rng.choice([c for c in (0, ndim - 1, ndim + 1, ndim + 2)
                                    if c != 1 and c >= 0 and c != ndim])
                widths = (widths + [pair(shortest) for _ in range(count)])[:count]
            text = ("(" + ", ".join(f"({b}, {a})" for b, a in widths)
                    + ("," if len(widths) == 1 else "") + ")")
        if bad == "pairs" and form != "per axis":
            text = rng.choice(["(1, 2, 3)", "((1, 2, 3),)"])
        if any(max(w) > d for d, w in zip(x.shape, widths)) and mode in ("reflect",
                                                                          "symmetric"):
            tags.append("wide pad")
        if any(w != (0, 0) for d, w in zip(x.shape, widths) if d == 0):
            tags.append("pad of empty axis")
        if bad == "mode":
            mode = rng.choice(["mirror", "circular", "Edge", "nearest", "reflected", "const"])
            tags = ["unknown mode"]
        args = [self.keyword("pad_width", text, 0.85)]
        if mode != "constant" or rng.random() < 0.4:
            args.append(f'mode="{mode}"')
        if mode == "constant" and rng.random() < 0.5:
            if x.dtype == "bool":
                v = rng.choice([True, False, 1, 0])
            elif x.dtype in ("i32", "i64"):
                v = rng.choice([0, 1, -1, 7, -3, 2.5, -2.5, 100])
            else:
                v = rng.choice([0, 1, -1, 2.5, 1e-3, 100.0, math.nan, math.inf, -math.inf])
            args.append(f"constant_values={flow_number(v)}")
            tags.append("constant_values=")
        return self.call("pad", x, args, tags)

    def take_indices(self, n, bad=False):
        """Indices of `take` along a length `n`: an int, or a list of up to 8, empty now and
        then, with negative ones, repeats and runs of consecutive ones (flow makes each run
        one slice; a run spelled partly with negative indices is one too). With `bad`, one of
        them out of range. The flow text (NumPy's is the same) and tags."""
        rng = self.rng
        if bad:
            wrong = rng.choice([n, n + 1, n + 4, -n - 1, -n - 3])
            if rng.random() < 0.3:
                return str(wrong), ["int indices", "index out of range"]
            indices = [rng.randrange(-n, n) for _ in range(rng.randint(0, 4) if n else 0)]
            indices.insert(rng.randint(0, len(indices)), wrong)
            return "[" + ", ".join(map(str, indices)) + "]", ["index out of range"]
        kind = rng.choices(["int", "empty", "runs", "scattered"], [20, 8, 30, 42])[0] if n \
            else "empty"
        if kind == "int":
            i = rng.randrange(-n, n)
            return str(i), ["int indices"] + (["negative index"] if i < 0 else [])
        indices = []
        if kind == "runs":
            for _ in range(rng.choice([1, 1, 2, 3])):
                start = rng.randrange(n)
                length = rng.randint(1, min(n - start, 6))
                indices += [i - n if rng.random() < 0.25 else i
                            for i in range(start, start + length)]
        elif kind == "scattered":
            indices = [rng.randrange(-n, n) for _ in range(rng.randint(1, 6))]
            if rng.random() < 0.3:
                indices.insert(rng.randrange(len(indices) + 1), rng.choice(indices))
        tags = ["indices []"] if not indices else []
        if any(i < 0 for i in indices):
            tags.append("negative index")
        if len({i % n for i in indices}) < len(indices):
            tags.append("repeated index")
        return "[" + ", ".join(map(str, indices)) + "]", tags

    def take_of(self, x, bad=False):
        """The elements at indices (`take_indices`) along an axis, negative too, or of the
        flattened array (no axis, or axis=none), as a function or a method, the indices by
        position or by name; often of arrays rechunked first (the slices cut blocks). Not
        along an axis of a 0-d array (NumPy takes axis 0 and -1 there; see NUMPY_ONLY). With
        `bad`, an index out of range."""
        rng = self.rng
        ndim = len(x.shape)
        if x.shape and rng.random() < 0.25:
            x = self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                          x.numpy, "rechunk", [x])
        if ndim and rng.random() < 0.65:
            axis = self.some_axes(ndim, 1)[0]
            n = x.shape[axis]
            tags = self.axes_tags(axis)
        else:
            axis = None
            n = x.array.size
            tags = ["flattened"]
        text, index_tags = self.take_indices(n, bad)
        args = [self.keyword("indices", text, 0.8)]
        if axis is not None:
            args.append(self.keyword("axis", str(axis), 0.3))
        elif rng.random() < 0.25:
            args.append("axis=none")
        if args[0].startswith("indices="):  # then the axis too by name
            args = args[:1] + [a if "=" in a else f"axis={a}" for a in args[1:]]
        return self.call("take", x, args, tags + index_tags, method=rng.random() < 0.4)

    # -------------------------------------------------------------------------------- index arrays
    # `x[...]` with one index array among the other items: a list of ints (`x[[3, 0, 0]]`,
    # `x[:, []]`), a list of bools along an axis (`x[1, [true, false, true]]`), a computed 1-d
    # int array (`x[arange(3) * 2]`, `x[k % 4]`, `x[y.argmax(axis=0)]`), a computed 1-d bool
    # array along an axis, or a mask of the whole array's shape (`x[x > 2]`, `x[isnan(y)]`,
    # row-major order). NumPy's value of each is the reference (where it moves the index
    # array's axis first, an int and the array apart, flow must too).

    def indexed_input(self, depth):
        """An array to index: an expression, or an array with lengths of 0 and 1 among others;
        rechunked now and then (the positions taken cut blocks)."""
        rng = self.rng
        if rng.random() < 0.25:
            ndim = rng.choices([0, 1, 2, 3], [5, 35, 40, 20])[0]
            shape = [rng.choice([0, 1, 1, 2, 3, 4, 6]) for _ in range(ndim)]
            x = self.shaped(tuple(shape))
        else:
            x = self.expression(depth - 1)
        if x.shape and rng.random() < 0.3:
            x = self.node(f"{x.flow}.rechunk({chunks_text(self.chunks_spec(x.shape))})",
                          x.numpy, "rechunk", [x])
        return x

    def slice_text(self, d):
        rng = self.rng
        start = rng.choice([None, None, 0, 1, -1, -3, d, 2])
        stop = rng.choice([None, None, d, -1, 1, 3, -d - 1, 0])
        step = rng.choice([None, None, 1, 2, -1, -1, -2])
        return (f"{'' if start is None else start}:{'' if stop is None else stop}"
                f"{'' if step is None else ':' + str(step)}")

    def index_items(self, x):
        """The items of an index of `x` with one slot (None) for an index array: per axis an
        int, a slice or `:` (trailing ones left out now and then), a run of `:` as `...` now
        and then, and `none` here and there. Also the axis of `x` the slot indexes, and tags."""
        rng = self.rng
        ndim = len(x.shape)
        axis = rng.choices(range(ndim), [3 if k == 0 else 2 for k in range(ndim)])[0]
        items, tags = [], []
        for k, d in enumerate(x.shape):
            roll = rng.random()
            if k == axis:
                items.append(None)
            elif roll < 0.18 and d > 0:
                items.append(str(rng.randrange(-d, d)))
                tags.append("int index")
            elif roll < 0.35:
                items.append(self.slice_text(d))
            else:
                items.append(":")
        while items and items[-1] == ":" and rng.random() < 0.6:
            items.pop()
        if rng.random() < 0.25:
            runs = [(i, j) for i in range(len(items) + 1) for j in range(i, len(items) + 1)
                    if all(item == ":" for item in items[i:j])]
            i, j = rng.choice(runs)
            items[i:j] = ["..."]
            tags.append("...")
        for _ in range(rng.choices([0, 1, 2], [75, 20, 5])[0]):
            items.insert(rng.randint(0, len(items)), "none")
            tags.append("none")
        return items, axis, tags

    def index_list(self, n):
        """A list of ints along a length `n`: up to 8, empty now and then, with negative ones
        and repeats (`take_indices`'s)."""
        text, tags = self.take_indices(n)
        return (text, tags) if text.startswith("[") else (f"[{text}]", tags)

    def int_index_array(self, depth, n):
        """A computed 1-d int array of indices along a length `n` (negative ones too): a bound
        literal, an arange, an expression modulo n, or an argmax/argmin along an axis."""
        rng = self.rng
        kind = rng.choices(["literal", "arange", "modulo", "argmax"], [25, 30, 30, 15])[0]
        if not n:
            kind = rng.choice(["literal", "arange"])
        if kind == "literal":
            text, tags = self.index_list(n)
            dtype = rng.choice(["i64", "i64", "i32"])
            chunks = self.chunks_spec((text.count(",") + 1,)) if text != "[]" else None
            typed = dtype == "i32" or text == "[]" or rng.random() < 0.2
            f_dtype, n_dtype = self.dtype_argument(dtype)
            flow_args = [text] + ([f_dtype] if typed else []) + (
                [f"chunks={chunks_text(chunks)}"] if chunks and rng.random() < 0.5 else [])
            numpy_args = [text] + ([n_dtype] if typed else [])
            return self.bind(f"array({', '.join(flow_args)})",
                             f"np.array({', '.join(numpy_args)})", "array"), tags
        if kind == "arange":
            if not n:
                return self.node("arange(0)", "np.arange(0)", "arange"), ["indices []"]
            form = rng.choice(["scaled", "backwards", "negative"])
            tags = ["negative index"] if form == "negative" else []
            if form == "scaled":
                step = rng.choice([1, 2, 3])
                m = rng.randint(0, (n - 1) // step + 1)
                flow = f"(arange({m}) * {step})" if step != 1 else f"arange({m})"
            elif form == "backwards":
                step = rng.choice([-1, -2])
                flow = f"arange({n - 1}, {rng.choice([-1, 0, n // 2])}, {step})"
            else:
                flow = f"arange(-1, {-rng.randint(1, n) - 1}, -1)"
            numpy = re.sub(r"\barange\(", "np.arange(", flow)
            return self.node(flow, numpy, "arange"), tags
        if kind == "argmax":
            name = rng.choice(["argmax", "argmin"])
            m, k = rng.randint(1, n), rng.choice([0, 1, 2, 3, 5])
            along = rng.choice([0, 1])
            y = self.shaped((m, k) if along == 0 else (k, m))
            return self.node(f"{y.flow}.{name}(axis={along})", f"{y.numpy}.{name}(axis={along})",
                             name, [y], ["axis=k"]), ["repeated index"]
        e = self.expression(depth - 1)
        if len(e.shape) != 1:
            e = self.node(f"{e.flow}.ravel()", f"{e.numpy}.ravel()", "ravel", [e])
        if e.dtype in ("f32", "f64") and (not np.all(np.isfinite(e.array))
                                          or finite_magnitude(e.value) >= 2**31):
            raise Retry()
        if e.dtype not in ("i32", "i64"):
            target = rng.choice(["i32", "i64"])
            e = self.node(f'{e.flow}.astype("{target}")', f"{e.numpy}.astype({NUMPY_DTYPE[target]})",
                          "astype", [e])
        flow, numpy = f"({e.flow} % {n})", f"({e.numpy} % {n})"
        if rng.random() < 0.3:
            flow, numpy = f"({flow} - {n})", f"({numpy} - {n})"
        return self.node(flow, numpy, "%", [e]), ["repeated index"]

    def bool_index_array(self, n):
        """A computed 1-d bool array of length `n`: a comparison of an array of that length, a
        bool array, or `(arange(n) % 2) == 0`."""
        rng = self.rng
        kind = rng.choices(["comparison", "bool", "parity"], [60, 25, 15])[0]
        if kind == "parity":
            return self.node(f"((arange({n}) % 2) == 0)", f"((np.arange({n}) % 2) == 0)", "==")
        if kind == "bool":
            return self.shaped((n,), "bool")
        return self.comparison(self.shaped((n,)))

    def index_array(self, depth, x=None):
        """`x[...]` with one index array (see above)."""
        rng = self.rng
        x = x or self.indexed_input(depth)
        kind = rng.choices(["int list", "bool list", "int array", "bool array", "whole mask"],
                           [30, 14, 22, 12, 22])[0]
        if kind == "whole mask" or not x.shape:
            if not x.shape and rng.random() < 0.7:  # 0-d values are many among expressions
                raise Retry()
            return self.whole_mask(x)
        items, axis, tags = self.index_items(x)
        n = x.shape[axis]
        children = [x]
        if kind == "int list":
            text, index_tags = self.index_list(n)
            flow = numpy = text
            tags += ["index list"] + index_tags
        elif kind == "bool list":
            if not n:
                raise Retry()  # [] is a list of ints
            values = [rng.random() < rng.choice([0.5, 0.5, 0.2, 0.9]) for _ in range(n)]
            flow = "[" + ", ".join(flow_number(v) for v in values) + "]"
            numpy = "[" + ", ".join(py_number(v) for v in values) + "]"
            tags += ["bool list"] + ([] if any(values) else ["selects nothing"])
        else:
            index, index_tags = (self.int_index_array(depth, n) if kind == "int array"
                                 else (self.bool_index_array(n), []))
            if index.error:
                raise Retry()
            flow, numpy = index.flow, index.numpy
            children.append(index)
            tags += [kind] + index_tags
            if kind == "bool array" and not np.any(index.array):
                tags.append("selects nothing")
        flow_items = [flow if item is None else item for item in items]
        numpy_items = [numpy if item is None else numpy_arguments(item) for item in items]
        return self.node(f"{x.flow}[{', '.join(flow_items)}]",
                         f"{x.numpy}[{', '.join(numpy_items)}]", "index array", children,
                         dict.fromkeys(tags))

    def whole_mask(self, x):
        """`x[mask]` with a mask of x's shape: a comparison of x or of another array of its
        shape (`x > t`, `(x % 3) == 0`, `isnan(y)`, thresholds selecting nothing), x itself
        when it is bool, or a nested list of bools."""
        rng = self.rng
        kind = rng.choices(["comparison", "other", "modulo", "beyond", "itself", "list"],
                           [30, 25, 15, 10, 10, 10])[0]
        tags = ["whole mask"]
        if kind == "itself" and x.dtype == "bool":
            mask = x
        elif kind == "modulo" and x.dtype != "bool":
            d = rng.choice([2, 3, 5])
            mask = self.node(f"(({x.flow} % {d}) == 0)", f"(({x.numpy} % {d}) == 0)", "==", [x])
        elif kind == "beyond" and x.dtype != "bool":
            mask = self.node(f"({x.flow} > 1e9)", f"({x.numpy} > 1e9)", ">", [x])
        elif kind == "list" and len(x.shape) >= 2 and 0 < x.array.size <= 24:
            values = np.empty(x.array.size, dtype=object)
            values[:] = [rng.random() < 0.5 for _ in range(x.array.size)]
            values = values.reshape(x.shape)
            tags.append("bool list")
            node = self.node(f"{x.flow}[{nested(values, flow_number)}]",
                             f"{x.numpy}[{nested(values, py_number)}]", "mask", [x], tags)
            return node
        elif kind == "other":
            mask = self.comparison(self.shaped(x.shape))
        else:
            mask = self.comparison(x)
        if mask.error:
            raise Retry()
        if not np.any(mask.array):
            tags.append("selects nothing")
        if not x.shape:
            tags.append("0-d")
        return self.node(f"{x.flow}[{mask.flow}]", f"{x.numpy}[{mask.numpy}]", "mask",
                         [x, mask] if mask is not x else [x], tags)

    # -------------------------------------------------------------------------------- mistakes
    # Programs NumPy refuses: flow must refuse them too (while checking, or when it runs).

    def index_out_of_range(self, depth):
        x = self.expression(depth - 1)
        if not x.shape:
            raise Retry()
        axis = self.rng.randrange(len(x.shape))
        d = x.shape[axis]
        index = ", ".join([":"] * axis + [str(self.rng.choice([d, d + 3, -d - 1]))])
        return self.node(f"{x.flow}[{index}]", f"{x.numpy}[{index}]", "slice", [x],
                         ["int index"])

    def axis_out_of_range(self, depth):
        return self.reduction(depth, bad_axis=True)

    def shapes_do_not_broadcast(self, depth):
        x = self.expression(depth - 1)
        y = self.shaped(self.incompatible_shape(x.shape))
        op = self.rng.choice(ARITHMETIC + COMPARISONS)
        return self.node(f"({x.flow} {op} {y.flow})", f"({x.numpy} {op} {y.numpy})", op, [x, y])

    def int_to_negative_power(self, depth):
        x = self.expression(depth - 1)
        if x.dtype not in ("i32", "i64"):
            raise Retry()
        if self.rng.random() < 0.5:
            return self.node(f"({x.flow} ** (-1))", f"({x.numpy} ** (-1))", "**", [x])
        y = self.leaf(self.broadcast_shape(x.shape), self.rng.choice(["i32", "i64"]))
        return self.node(f"({x.flow} ** {y.flow})", f"({x.numpy} ** {y.numpy})", "**", [x, y])

    def int_literal_out_of_range(self, depth):
        """A number beyond the int array's dtype: NumPy 2 refuses it in arithmetic (NEP 50)."""
        rng = self.rng
        x = self.expression(depth - 1)
        if x.dtype not in ("i32", "i64"):
            x = self.leaf(x.shape, rng.choice(["i32", "i32", "i32", "i64"]))
        big = {"i32": [3_000_000_000, -2_200_000_000, 2**31],
               "i64": [2**63, -(2**63) - 1]}[x.dtype]
        v = rng.choice(big)
        op = rng.choice(["+", "-", "*", "//", "+", "*"])
        return self.node(f"({x.flow} {op} {operand(flow_number(v))})",
                         f"({x.numpy} {op} {operand(py_number(v))})", op, [x],
                         ["int beyond dtype"])

    def reversed_histogram_range(self, depth):
        return self.histogram(depth, reversed_range=True)

    def pieces_that_do_not_fit(self, depth):
        first = self.expression(depth - 1)
        if not first.shape:
            other = self.leaf((2,))
            return self.node(f"concatenate([{first.flow}, {other.flow}])",
                             f"np.concatenate([{first.numpy}, {other.numpy}])", "concatenate",
                             [first, other])
        if self.rng.random() < 0.25:  # array([...]) of arrays of two shapes
            return self.array_of_arrays(depth, bad=True)
        other = self.shaped(self.incompatible_shape(first.shape))
        if self.rng.random() < 0.5:
            return self.node(f"stack([{first.flow}, {other.flow}])",
                             f"np.stack([{first.numpy}, {other.numpy}])", "stack", [first, other])
        return self.node(f"concatenate([{first.flow}, {other.flow}], axis=-1)",
                         f"np.concatenate([{first.numpy}, {other.numpy}], axis=-1)",
                         "concatenate", [first, other])

    def bool_arithmetic(self, depth):
        """`-` of bools, `&`, `|`, `^`, `<<` and `>>` of floats and `~` of floats, which NumPy
        refuses."""
        x = self.expression(depth - 1)
        if self.rng.random() < 0.5:
            x = x if x.dtype == "bool" else self.comparison(x)
            if self.rng.random() < 0.5:
                return self.node(f"(-{x.flow})", f"(-{x.numpy})", "neg", [x])
            y = self.shaped(self.broadcast_shape(x.shape), "bool")
            return self.node(f"({x.flow} - {y.flow})", f"({x.numpy} - {y.numpy})", "-", [x, y])
        y = self.shaped(self.broadcast_shape(x.shape), self.rng.choice(["f32", "f64"]))
        if self.rng.random() < 0.2:
            return self.node(f"(~{y.flow})", f"(~{y.numpy})", "~", [y])
        op = self.rng.choice(LOGICAL + BITWISE)
        if self.rng.random() < 0.3:
            x, y = y, x
        return self.node(f"({x.flow} {op} {y.flow})", f"({x.numpy} {op} {y.numpy})", op, [x, y])

    def reduction_of_empty(self, depth):
        """Reductions of an array with no elements: min, max and argmin/argmax refuse it along
        an empty axis (NumPy raises), but not along the others."""
        shape = list(self.random_shape()) or [0]
        shape[self.rng.randrange(len(shape))] = 0
        return self.reduction(depth, self.leaf(tuple(shape)), names=EMPTY_REDUCTIONS,
                              with_axis=0.85)

    def matrices_that_do_not_fit(self, depth):
        """A matrix product whose shared axis differs in length, or of a 0-d operand."""
        rng = self.rng
        x = self.expression(depth - 1)
        if not x.shape or rng.random() < 0.1:  # dot of a 0-d array multiplies (NUMPY_ONLY)
            x = x if not x.shape else self.leaf(())
            y = self.shaped(rng.choice([(3,), (2, 3)]))
            pair = (x, y) if rng.random() < 0.5 else (y, x)
            return self.product(*pair, forms=["@", "matmul"])
        x = self.matrix(x)
        on_left = rng.random() < 0.5
        shared = x.shape[-1] if on_left else x.shape[0]
        wrong = rng.choice([shared + 1, shared + 2] + ([shared - 1, 0] if shared else []))
        if rng.random() < 0.35:
            shape = (wrong,)
        else:
            shape = (wrong, self.other_length()) if on_left else (self.other_length(), wrong)
        y = self.shaped(shape)
        return self.product(x, y) if on_left else self.product(y, x)

    def reshape_of_another_size(self, depth):
        """A reshape into a shape of another size, with two -1s, with a -1 that no length fits
        (the other lengths do not divide the size, or one is 0), or with no lengths at all."""
        rng = self.rng
        x = self.expression(depth - 1)
        size = x.array.size
        kind = rng.choices(["size", "two unknown", "unknown does not fit", "no lengths"],
                           [5, 2, 3, 1])[0]
        if kind == "size":
            lengths = self.shape_of_size(rng.choice([size + 1, 2 * size + 3, abs(size - 1)]))
            if math.prod(lengths) == size:
                raise Retry()
            text = self.lengths_text(lengths)
        elif kind == "two unknown":
            lengths = list(self.shape_of_size(size, min_ndim=2))
            for i in rng.sample(range(len(lengths)), 2):
                lengths[i] = -1
            text = self.lengths_text(lengths)
        elif kind == "unknown does not fit":
            if size:
                known = rng.choice([d for d in range(2, size + 2) if size % d])
            else:
                known = 0
            text = self.lengths_text([known, -1] if rng.random() < 0.5 else [-1, known])
        else:
            text = ""
        return self.node(f"{x.flow}.reshape({text})", f"{x.numpy}.reshape({text})", "reshape",
                         [x], ["-1"] if "-1" in text else [])

    def scan_out_of_range(self, depth):
        """cumsum and the like along an axis the array lacks; diff of a 0-d array, along an
        axis the array lacks, or with a negative n."""
        rng = self.rng
        kind = rng.choice(["scan axis", "diff axis", "diff of 0-d", "negative n"])
        if kind == "scan axis":
            return self.scan(depth, bad_axis=True)
        if kind == "diff of 0-d":
            return self.diff(depth, self.leaf(()))
        x = self.expression(depth - 1)
        if kind == "negative n" or not x.shape:
            return self.diff(depth, x, n=rng.choice([-1, -2]))
        ndim = len(x.shape)
        return self.diff(depth, x, axis=rng.choice([ndim, -ndim - 1]))

    def quantile_out_of_range_or_unknown_method(self, depth):
        """A quantile outside [0, 1], a percentile outside [0, 100] (or NaN), or a method
        NumPy does not know."""
        bad_q = self.rng.random() < 0.6
        return self.order_statistic(depth, bad_q=bad_q, bad_method=not bad_q)

    def refused(self, node):
        """`node` if NumPy refuses it; another choice if NumPy computes it (it takes a negative
        count in tile and repeat of an empty array, see NUMPY_ONLY)."""
        if not node.error:
            raise Retry()
        return node

    def squeeze_of_a_longer_axis(self, depth):
        return self.refused(self.squeeze_of(self.expression(depth - 1), bad=True))

    def broadcast_to_another_shape(self, depth):
        return self.refused(self.broadcast_to_of(self.expression(depth - 1), bad=True))

    def moveaxis_counts_differ(self, depth):
        return self.refused(self.moveaxis_of(self.expression(depth - 1), bad=True))

    def negative_repetitions(self, depth):
        build = self.tile_of if self.rng.random() < 0.5 else self.repeat_of
        return self.refused(build(self.expression(depth - 1), bad=True))

    def pad_refused(self, depth):
        """A mode NumPy does not know (flow lacks some NumPy has, such as "wrap": NUMPY_ONLY);
        edge, reflect or symmetric widths on an axis of length 0; a pair per axis for another
        number of axes, or three numbers for a pair."""
        rng = self.rng
        bad = rng.choice(["mode", "empty", "pairs"])
        x = self.expression(depth - 1)
        if bad == "empty" and 0 not in x.shape:
            shape = list(self.random_shape()) or [0]
            shape[rng.randrange(len(shape))] = 0
            x = self.shaped(tuple(shape))
        return self.refused(self.pad_of(x, bad=bad))

    def rearrangement_axis_out_of_range(self, depth):
        """An axis the array lacks in squeeze, expand_dims, moveaxis, swapaxes, flip, roll,
        repeat or take, or one axis named twice in squeeze, moveaxis or flip."""
        rng = self.rng
        x = self.expression(depth - 1)
        ndim = len(x.shape)
        name = rng.choice(["squeeze", "expand_dims", "moveaxis", "swapaxes", "flip", "roll",
                           "repeat", "take"])
        if name == "expand_dims":
            return self.refused(self.expand_dims_of(x, bad=True))
        if ndim and name in ("squeeze", "moveaxis", "flip") and rng.random() < 0.3:
            a = rng.randrange(ndim)
            twice = axes_text((a, a - ndim) if rng.random() < 0.5 else (a, a))
            args = ([twice, "(0, 1)"] if name == "moveaxis" else [f"axis={twice}"])
            tags = ["repeated axis"]
        else:
            bad = str(rng.choice([ndim, ndim + 2, -ndim - 1]))
            args = {"squeeze": [f"axis={bad}"],
                    "moveaxis": rng.choice([[bad, "0"], ["0", bad]]),
                    "swapaxes": rng.choice([[bad, "0"], ["0", bad]]),
                    "flip": [rng.choice([f"axis={bad}", f"axis=(0, {bad})"])],
                    "roll": ["1", f"axis={bad}"],
                    "repeat": ["2", f"axis={bad}"],
                    "take": [rng.choice(["0", "[0]", "[]"]), f"axis={bad}"]}[name]
            tags = ["axis out of range"]
        method = name in ("squeeze", "swapaxes", "repeat", "take") and rng.random() < 0.4
        return self.refused(self.call(name, x, args, tags, method=method))

    def take_out_of_range(self, depth):
        """take with an index beyond the axis (or the flattened array), either way; NumPy raises
        IndexError, flow refuses it while checking (flow::check::array_index)."""
        return self.refused(self.take_of(self.rearranged_input(depth), bad=True))

    def index_array_refused(self, depth):
        """An index array NumPy refuses: an index out of range (a list, or computed: flow finds
        it when it runs), floats (a list, or a computed float array), a bool list or array of
        another length than the axis (the array's size too), or a whole mask of another shape.
        Not two index arrays in one index, which NumPy broadcasts and flow refuses (NUMPY_ONLY).
        """
        rng = self.rng
        x = self.indexed_input(depth)
        kind = rng.choices(["out of range", "computed out of range", "floats", "float array",
                            "mask length", "mask shape"], [3, 2, 2, 1, 3, 2])[0]
        if kind == "mask shape":
            if len(x.shape) < 1:
                raise Retry()
            size = x.array.size
            shape = (self.shape_of_size(size, min_ndim=1) if rng.random() < 0.6
                     else self.incompatible_shape(x.shape))
            if shape == x.shape:
                raise Retry()
            mask = self.comparison(self.shaped(shape))
            return self.refused(self.node(f"{x.flow}[{mask.flow}]", f"{x.numpy}[{mask.numpy}]",
                                          "mask", [x, mask], ["whole mask", "mask shape"]))
        if not x.shape:
            raise Retry()
        items, axis, tags = self.index_items(x)
        n = x.shape[axis]
        children = [x]
        if kind == "out of range":
            text, index_tags = self.take_indices(n, bad=True)
            flow = numpy = text if text.startswith("[") else f"[{text}]"
            tags += ["index list"] + index_tags
        elif kind == "computed out of range":
            flow = rng.choice([f"arange({n + rng.randint(1, 3)})", f"(arange(3) * {max(n, 1)})",
                               f"(arange(2) - {n + 1})"])
            index = self.node(flow, re.sub(r"\barange\(", "np.arange(", flow), "arange")
            flow, numpy = index.flow, index.numpy
            children.append(index)
            tags += ["int array", "index out of range"]
        elif kind == "floats":
            values = [rng.choice([0.0, 1.0, 0.5, -1.0, 2.0]) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                values.insert(0, 0)
            flow = "[" + ", ".join(flow_number(v) for v in values) + "]"
            numpy = "[" + ", ".join(py_number(v) for v in values) + "]"
            tags += ["float index"]
        elif kind == "float array":
            index = self.node(f"(arange({max(n, 1)}) * 0.5)", f"(np.arange({max(n, 1)}) * 0.5)",
                              "*")
            flow, numpy = index.flow, index.numpy
            children.append(index)
            tags += ["float index"]
        else:
            length = rng.choice([c for c in (n - 1, n + 1, n + 2, x.array.size)
                                 if c >= 1 and c != n])
            if rng.random() < 0.5:
                values = [rng.random() < 0.5 for _ in range(length)]
                flow = "[" + ", ".join(flow_number(v) for v in values) + "]"
                numpy = "[" + ", ".join(py_number(v) for v in values) + "]"
                tags += ["bool list"]
            else:
                index = self.bool_index_array(length)
                flow, numpy = index.flow, index.numpy
                children.append(index)
                tags += ["bool array"]
            tags.append("mask length")
        flow_items = [flow if item is None else item for item in items]
        numpy_items = [numpy if item is None else numpy_arguments(item) for item in items]
        return self.refused(self.node(f"{x.flow}[{', '.join(flow_items)}]",
                                      f"{x.numpy}[{', '.join(numpy_items)}]", "index array",
                                      children, dict.fromkeys(tags)))

    def sorting_refused(self, depth):
        """sort, argsort or topk of a 0-d array or along an axis it lacks; digitize with bins
        neither increasing nor decreasing; bincount of a negative value (flow finds it when it
        runs), of floats, 2-d or 0-d values, with weights of another length or a negative
        minlength."""
        rng = self.rng
        kind = rng.choices(["sort", "topk", "digitize", "bincount"], [3, 2, 2, 4])[0]
        if kind in ("sort", "topk"):
            x = self.leaf(()) if rng.random() < 0.4 else self.sorted_input(depth, True)
            if kind == "topk":
                return self.refused(self.topk_of(x, bad=True))
            return self.refused(self.sort_of(x, rng.choice(["sort", "argsort"]), bad=True))
        if kind == "digitize":
            return self.refused(self.digitize_of(self.sorted_input(depth, True), bad=True))
        bad = rng.choices(["negative", "values", "weights", "minlength"], [4, 3, 2, 1])[0]
        return self.refused(self.bincount_of(depth, bad=bad))

    def diagonal_refused(self, depth):
        """diagonal or trace of a 0-d or 1-d array, of one axis twice, or of an axis out of
        range."""
        return self.refused(self.diagonal(depth, bad=self.rng.choice(["ndim", "same", "range"])))

    MISTAKES = {"index_out_of_range": 1, "axis_out_of_range": 1, "shapes_do_not_broadcast": 1,
                "int_to_negative_power": 1, "int_literal_out_of_range": 1,
                "reversed_histogram_range": 1, "pieces_that_do_not_fit": 1, "bool_arithmetic": 1,
                "reduction_of_empty": 2, "matrices_that_do_not_fit": 2,
                "reshape_of_another_size": 2, "scan_out_of_range": 1,
                "quantile_out_of_range_or_unknown_method": 2, "squeeze_of_a_longer_axis": 1,
                "broadcast_to_another_shape": 1, "moveaxis_counts_differ": 1,
                "negative_repetitions": 1, "pad_refused": 2,
                "rearrangement_axis_out_of_range": 2, "diagonal_refused": 2,
                "take_out_of_range": 2, "index_array_refused": 3, "sorting_refused": 3,
                "approx_refused": 1}

    # -------------------------------------------------------------------------------- printing

    def printed_value(self):
        """A value whose printing has rules of its own: scientific notation, long rows of 3-d
        arrays, empty arrays of 2 or more dimensions, summaries beyond 1000 elements."""
        rng = self.rng
        kind = rng.choice(["magnitudes", "magnitudes", "long rows", "empty", "summarised",
                           "ordinary"])
        if kind == "magnitudes":
            values = rng.choice([[1e8, 1.0], [123456789.0, 0.5], [1e-5, 1.0], [1.5e10, 2.0],
                                 [1e16, 3.0], [2.5e-7, 1e-3], [1e-5, 1.5e300], [0.1, 1e4],
                                 [1234.5678, 0.001], [99999999.0, 1.0], [1e8, -1e-8],
                                 [0.0001, 0.012], [1000.0, 0.5], [1e8, 2e8], [1e-5, 3e-5],
                                 [123456789.0, 123456789.0], [1.25e-5, 0.5]])
            shape = rng.choice([(3,), (2, 3), (2, 2, 2), (4,), (1, 5)])
            flat = [rng.choice(values) * rng.choice([1, -1, 1, 3.5])
                    for _ in range(math.prod(shape))]
            flat[0], flat[-1] = values
            literal = np.empty(len(flat), dtype=object)
            literal[:] = flat
            literal = literal.reshape(shape)
            if rng.random() < 0.3:
                return self.bind(f'array({nested(literal, flow_number)}, dtype="f32")',
                                 f"np.array({nested(literal, py_number)}, dtype=np.float32)",
                                 "array")
            return self.bind(f"array({nested(literal, flow_number)})",
                             f"np.array({nested(literal, py_number)})", "array")
        if kind == "long rows":
            shape = (rng.randint(1, 3), rng.randint(1, 3), rng.randint(14, 30))
            base = self.leaf(shape, rng.choice(["f64", "f64", "f32", "i64", "bool"]))
            row = self.leaf((shape[-1],), rng.choice(["f64", "i64"]))
            return self.node(f"({base.flow} + {row.flow})", f"({base.numpy} + {row.numpy})",
                             "+", [base, row])
        if kind == "empty":
            shape = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
            shape[rng.randrange(len(shape))] = 0
            return self.leaf(tuple(shape))
        if kind == "summarised":
            x = self.leaf(self.random_shape(big=True), rng.choice(["f64", "i64", "f32", "bool"]))
            if x.dtype == "bool" or rng.random() < 0.4:
                return x
            v = rng.choice([0.5, 3, 1e-3, 1e5])
            return self.node(f"({x.flow} * {flow_number(v)})", f"({x.numpy} * {py_number(v)})",
                             "*", [x])
        # an ordinary small float array, as the other families make them
        shape = self.random_shape()
        return self.leaf(shape if math.prod(shape) <= 48 else (2, 3), rng.choice(["f64", "f32"]))

    FAMILIES = {"expression": 48, "reduction": 22, "histogram": 6, "printing": 10, "mistake": 14}

    def result(self, family):
        """The expression a case of `family` computes."""
        rng = self.rng
        depth = rng.choices([1, 2, 3, 4], [30, 35, 25, 10])[0]
        for _ in range(10):
            try:
                if family == "mistake":
                    name = rng.choices(list(self.MISTAKES), list(self.MISTAKES.values()))[0]
                    mistake = getattr(self, name)
                    return self.choose(mistake, depth, refused=True)
                if family == "printing":
                    return self.choose(self.printed_value)
                if family == "histogram":
                    return self.choose(self.histogram, depth)
                if family == "reduction":
                    roll = rng.random()
                    if 0.36 <= roll < 0.46:  # of an index array or a mask
                        return self.choose(self.reduction, depth,
                                           self.choose(self.index_array, depth))
                    if 0.46 <= roll < 0.56:  # estimated (approx=true), at the root
                        return self.choose(self.approx_order_statistic, depth)
                    build = (self.order_statistic if roll < 0.3 else self.diagonal if roll < 0.36
                             else self.reduction)
                    return self.choose(build, depth)
                return self.expression(depth)
            except Retry:
                continue
        return self.leaf()


# ------------------------------------------------------------------------------------------------
# Cases.


@dataclass(eq=False)
class Case:
    stem: str
    family: str  # what the generator set out to make (Generator.FAMILIES)
    root: Node
    printing: bool  # whether `print` of the results is compared with NumPy's str()
    scale: float = 1.0  # the largest magnitude in the program, for the float tolerance
    expected: list = field(default_factory=list)  # NumPy's results
    numpy_error: str = ""
    outcome: str = ""
    difference: str = ""
    flow_stdout: str = ""
    flow_stderr: str = ""
    flow_code: object = None
    smallest: "Case | None" = None  # the smallest failing part, after shrinking

    @property
    def computed_in_f32(self):
        """Whether some value the result is computed from is f32: then an f64 result carries
        f32 rounding too (`deg2rad` of f32 values promoted in `f32_array @ i32_array`)."""
        return any(n.dtype == "f32" for n in self.root.walk()
                   if not n.error and n.value is not None and not isinstance(n.value, tuple))

    @property
    def results(self):
        return ["r0", "r1"] if self.root.op == "histogram" else ["r0"]

    @property
    def ops(self):
        return operations(self.root) + (["print"] if self.printing else [])

    def leaf_lines(self, flow):
        return [f"{leaf.name} = {leaf.flow_binding if flow else leaf.numpy_binding}"
                for leaf in self.root.leaves()]

    @property
    def flow_source(self):
        lines = self.leaf_lines(True) + [f"{', '.join(self.results)} = {self.root.flow}"]
        for r in self.results:
            lines.append(f'print("@type {r}", {r}.shape, {r}.dtype)')
            lines.append(f'save({r}, "{self.stem}_{r}.h5")')
            if self.printing:
                lines.append(f'print("@print {r}")')
                lines.append(f"print({r})")
        return "\n".join(lines)

    @property
    def numpy_code(self):
        return "\n".join(self.leaf_lines(False) + [
            f"{', '.join(self.results)} = {self.root.numpy}"])

    @property
    def short_flow(self):
        """The program in one line, without the lines that report its results."""
        return "; ".join(self.leaf_lines(True) + [f"{', '.join(self.results)} = {self.root.flow}"])


def compute_numpy(case):
    namespace = {"np": np, "refused_by_flow": refused_by_flow}
    try:
        with quiet():
            exec(case.numpy_code, namespace)
        case.expected = [np.asarray(namespace[r]) for r in case.results]
    except NameError:
        raise  # a leaf the generator did not bind: a bug here, not a difference
    except Exception as e:
        case.numpy_error = f"{type(e).__name__}: {e}"


def make_case(rng, number):
    generator = Generator(rng)
    family = rng.choices(list(Generator.FAMILIES), list(Generator.FAMILIES.values()))[0]
    root = generator.result(family)
    # The printing of an estimate of compressed digests is not compared: its values differ from
    # NumPy's by design.
    case = Case(case_stem(number), family, root,
                printing=(family == "printing" or rng.random() < 0.45) and root.bounds is None)
    case.scale = max([max(finite_magnitude(n.value), n.partial_magnitude) for n in root.walk()
                      if not n.error and not isinstance(n.value, tuple)] + [1.0])
    compute_numpy(case)
    return case


def part_case(case, node, index):
    """A case of its own for one part of a case's expression, for shrinking."""
    part = Case(f"{case.stem}_part{index}", case.family, node, case.printing, case.scale)
    compute_numpy(part)
    return part


def write_case(workdir, case):
    differential.write_case(workdir, case, ", ".join(case.ops),
                            "NumPy twin (tests/interop/arrays_vs_numpy.py)", case.numpy_code)


# ------------------------------------------------------------------------------------------------
# Running and comparing.


def printed_blocks(stdout):
    """flow's `@type` lines and `@print` blocks, by result name."""
    types, prints, current = {}, {}, None
    for line in stdout.splitlines():
        typed = re.fullmatch(r"@type (r\d+) \(([^)]*)\) (\w+)", line)
        if typed:
            dims = tuple(int(d) for d in typed.group(2).replace(" ", "").split(",") if d)
            types[typed.group(1)] = (dims, typed.group(3))
            current = None
        elif line.startswith("@print "):
            current = line.split()[1]
            prints[current] = []
        elif current is not None:
            prints[current].append(line)
    return types, {k: "\n".join(v) for k, v in prints.items()}


def numpy_text(value):
    """NumPy's str() of a result, with booleans as flow prints them."""
    text = str(value)
    if value.dtype == bool:
        text = text.replace("True", "true").replace("False", "false")
    return text


def printing_difference(result, text, expected, lines=12):
    """The first line that differs, then both texts (their first `lines` lines)."""
    got_lines, want_lines = (text or "").splitlines(), expected.splitlines()
    at = next((i for i, (g, w) in enumerate(zip(got_lines, want_lines)) if g != w),
              min(len(got_lines), len(want_lines)))

    def line(ls):
        return repr(ls[at]) if at < len(ls) else "(no such line)"

    def shown(ls):
        more = f"\n... ({len(ls) - lines} more lines)" if len(ls) > lines else ""
        return textwrap.indent("\n".join(ls[:lines]) + more, "    ")

    return (f"{result}: line {at + 1} is {line(got_lines)}, NumPy's {line(want_lines)}\n"
            f"  flow prints\n{shown(got_lines) if got_lines else '    (nothing)'}\n"
            f"  NumPy's str() of the same values is\n{shown(want_lines)}")


def classify(case, workdir, code, stdout, stderr):
    case.flow_code, case.flow_stdout, case.flow_stderr = code, stdout, stderr
    case.outcome, case.difference = classification(case, workdir, code, stdout, stderr)


def classification(case, workdir, code, stdout, stderr):
    failed = flow_failure(code, stderr, case.numpy_error)
    diagnostic = case.root.diagnostic
    if failed and failed[0] == AGREE and diagnostic and diagnostic not in stderr:
        return (REJECTED if code == 1 else RUNTIME_ERROR,
                f"flow refuses it, but not with {diagnostic}")
    if failed:
        return failed
    if case.numpy_error:
        return NUMPY_ERROR, f"NumPy raises {case.numpy_error}"
    types, prints = printed_blocks(stdout)
    problems = {MISMATCH_TYPE: [], MISMATCH_VALUES: [], MISMATCH_PRINTING: []}
    for r, want in zip(case.results, case.expected):
        want_dtype = FLOW_DTYPE.get(str(want.dtype), str(want.dtype))
        if r not in types:
            return RUNTIME_ERROR, f"flow printed no @type line for {r}"
        static_shape, static_dtype = types[r]
        path = os.path.join(workdir, f"{case.stem}_{r}.h5")
        if not os.path.exists(path):
            return RUNTIME_ERROR, f"flow exited 0 but wrote no {case.stem}_{r}.h5"
        try:
            with h5py.File(path, "r") as f:
                got = np.asarray(f["x"][()])
        except Exception as e:  # a file h5py cannot read is flow's failure
            return RUNTIME_ERROR, f"h5py cannot read {case.stem}_{r}.h5: {e}"
        got_dtype = FLOW_DTYPE.get(str(got.dtype), str(got.dtype))
        if (static_shape, static_dtype) != (want.shape, want_dtype):
            problems[MISMATCH_TYPE].append(
                f"{r}: flow's type is {static_dtype} {static_shape}, NumPy's "
                f"{want_dtype} {want.shape}")
        if (got.shape, got_dtype) != (want.shape, want_dtype):
            problems[MISMATCH_TYPE].append(
                f"{r}: the saved array is {got_dtype} {got.shape}, NumPy's "
                f"{want_dtype} {want.shape}")
            continue
        precision = "f32" if want_dtype in RTOL and case.computed_in_f32 else want_dtype
        if case.root.bounds is not None:  # compressed: by rank, its printing not compared
            why = approx_difference(got, want, case.root.bounds, precision, case.scale)
            if why:
                problems[MISMATCH_VALUES].append(f"{r}: {why}")
            continue
        why = values_difference(got, want, precision, case.scale, RTOL, ATOL, "NumPy")
        if why:
            problems[MISMATCH_VALUES].append(f"{r}: {why}")
            continue
        if case.printing:  # NumPy's str() of flow's own values: printing alone is compared
            text, expected = prints.get(r), numpy_text(got)
            if text != expected:
                problems[MISMATCH_PRINTING].append(printing_difference(r, text, expected))
    for outcome in (MISMATCH_TYPE, MISMATCH_VALUES, MISMATCH_PRINTING):
        if problems[outcome]:
            return outcome, "\n".join(problems[outcome])
    return AGREE, ""


def approx_difference(got, want, bounds, dtype, scale):
    """Why flow's estimate `got` (approx=true, of more than APPROX_EXACT_VALUES finite values)
    is not NumPy's exact quantiles `want`, if it is not: NaN and infinities where NumPy's are,
    the same, and nowhere else; at q 0 and 1 NumPy's minimum or maximum exactly; elsewhere
    within `bounds` (`Generator.rank_bounds`): between NumPy's exact quantiles a rank error below
    and above, which the float tolerance of `dtype` widens by the rounding of values computed
    apart, or where the documented rank error holds."""
    g, w = got.astype(np.float64), want.astype(np.float64)
    low, high, rank_low, rank_high = (np.asarray(b, dtype=np.float64) for b in bounds[:4])
    exact = np.asarray(bounds[4], dtype=bool)
    precision = dtype if dtype in RTOL else "f64"
    with np.errstate(all="ignore"):
        magnitude = np.maximum(np.abs(np.where(np.isfinite(low), low, 0.0)),
                               np.abs(np.where(np.isfinite(high), high, 0.0)))
        tolerance = RTOL[precision] * magnitude + ATOL[precision] * max(1.0, scale)
        inside = ((g == low) | (g == high) | ((g >= low - tolerance) & (g <= high + tolerance))
                  | ((g > rank_low) & (g <= rank_high)))
        inside = np.isfinite(g) & np.where(exact, g == w, inside)
    same = (g == w) | (np.isnan(g) & np.isnan(w))
    bad = np.where(np.isfinite(w), ~inside, ~same)
    if not np.any(bad):
        return ""
    where = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    index = f"[{', '.join(map(str, where))}]" if where else "the value"
    if not np.isfinite(w[where]) or exact[where]:
        return (f"{index}: {describe(got[where])}, NumPy's exact {describe(want[where])}, which "
                f"the estimate must be; {int(np.sum(bad))} of {bad.size} differ")
    ranks = (f", a rank error below it in ({describe(rank_low[where])}, "
             f"{describe(rank_high[where])}]" if not np.isnan(rank_low[where]) else "")
    return (f"{index}: {describe(got[where])}, NumPy's exact {describe(want[where])}; its "
            f"exact quantiles {APPROX_RANK_ERROR:g} below and above are {describe(low[where])} "
            f"and {describe(high[where])}{ranks}; {int(np.sum(bad))} of {bad.size} differ")


def run_all(flow, workdir, cases, jobs):
    differential.run_all(flow, workdir, cases, jobs, write_case, classify, MISMATCH_VALUES)


def shrink(flow, workdir, failing, jobs):
    """Run every part of each failing case's expression on its own; the smallest part that
    fails alike (a mismatch of values or types for a mismatch of either, the same class
    otherwise) is the case's `smallest`. Printing and NumPy's refusals are about the result
    alone: those cases are not shrunk."""
    parts = {}
    for case in failing:
        if case.outcome in (NUMPY_ERROR, MISMATCH_PRINTING):  # about the result alone
            continue
        nodes = [n for n in case.root.walk() if n is not case.root and n.op != "number"]
        parts[case] = [part_case(case, n, i) for i, n in enumerate(nodes)]
    run_all(flow, workdir, [p for ps in parts.values() for p in ps], jobs)
    for case, ps in parts.items():
        alike = ({MISMATCH_VALUES, MISMATCH_TYPE} if case.outcome in (MISMATCH_VALUES,
                                                                      MISMATCH_TYPE)
                 else {case.outcome})
        case.smallest = smallest(p for p in ps if p.outcome in alike)


# ------------------------------------------------------------------------------------------------
# Reporting.


def printing_features(case):
    """What is special about the results whose printing differs."""
    features = []
    for want in case.expected:
        text = str(want)
        if want.size == 0 and want.ndim >= 2:
            features.append(f"empty {want.ndim}-d")
        elif want.size > 1000:
            features.append("summarised (over 1000 elements)")
        elif want.ndim >= 3:
            features.append(f"{want.ndim}-d")
        if re.search(r"e[+-]\d", text):
            features.append("scientific notation")
        if any(len(line) >= 70 for line in text.splitlines()):
            features.append("long lines")
    if not features:
        features = [f"{want.ndim}-d {FLOW_DTYPE.get(str(want.dtype), str(want.dtype))}"
                    for want in case.expected]
    return ", ".join(dict.fromkeys(features))


def cause_of(case):
    """The class and a short description of why a case failed, from its smallest failing part:
    equal for failures that look alike."""
    part = case.smallest or case
    if part.outcome == NUMPY_ERROR:
        return part.outcome, f"{part.numpy_error.split(':')[0]} in NumPy from {part.root.label()}"
    if part.outcome == MISMATCH_PRINTING:
        return part.outcome, f"print of {printing_features(part)}"
    if part.outcome in (REJECTED, RUNTIME_ERROR, INTERNAL_ERROR):
        message = first_message(part.flow_stderr) or part.difference.splitlines()[0]
        message = re.sub(r"-?\d+(\.\d+)?", "N", message)  # one cause whatever the sizes
        return part.outcome, f"{part.root.op}: {message[:110]}"
    if part.outcome == MISMATCH_TYPE:
        types = re.search(r"is (\w+) (\(.*?\)), NumPy's (\w+) (\(.*?\))", part.difference)
        what = (f"gives {types.group(1)} where NumPy gives {types.group(3)}"
                if types and types.group(1) != types.group(3) else "gives another shape")
        return part.outcome, f"{part.root.label()} {what}"
    return part.outcome, part.root.label()


def report(cases, elapsed, shown, out):
    failing = [c for c in cases if c.outcome != AGREE]
    print(f"flow arrays against NumPy {np.__version__}: {len(cases)} cases in {elapsed:.1f} s",
          file=out)
    print("", file=out)
    print_classes(cases, CLASSES, 24, out)
    refused = sum(c.difference == "both refuse" for c in cases)
    print(f"  ({refused} of the agreeing cases are programs both refuse; printing is compared in "
          f"{sum(c.printing for c in cases)} cases)", file=out)
    print("", file=out)
    columns = [(AGREE, "agree"), (MISMATCH_VALUES, "values"), (MISMATCH_TYPE, "type"),
               (MISMATCH_PRINTING, "print"), (REJECTED, "rejected"), (RUNTIME_ERROR, "run-time"),
               (INTERNAL_ERROR, "internal"), (NUMPY_ERROR, "numpy")]
    print_outcomes(cases, Generator.FAMILIES, columns, 22, out)
    if failing:
        print("\nDistinct failures (the smallest failing part of the first case of each):",
              file=out)
        causes = {}
        for c in failing:
            causes.setdefault(cause_of(c), []).append(c)
        for (outcome, cause), group in sorted(causes.items(), key=lambda kv: (-len(kv[1]),
                                                                              kv[0])):
            first = group[0]
            part = first.smallest or first
            print(f"  {len(group):>4} × {outcome}: {cause}  [{first.stem}]", file=out)
            print(f"         {part.short_flow}", file=out)
        print(f"\nThe first {min(shown, len(failing))} of {len(failing)} failing cases:", file=out)
        for c in failing[:shown]:
            print_case(c, ", ".join(c.ops), "NumPy", c.numpy_code, out)
            if c.outcome in (MISMATCH_VALUES, MISMATCH_TYPE, MISMATCH_PRINTING, NUMPY_ERROR):
                print("  flow printed:\n" + indent(c.flow_stdout), file=out)
                print("  difference:\n" + indent(c.difference), file=out)
            else:
                print_flow_stderr(c, out)
                if c.expected:
                    print("  NumPy's result:\n" + indent(
                        "\n".join(f"{FLOW_DTYPE.get(str(v.dtype), v.dtype)} {v.shape} "
                                  f"{numpy_text(v)}" for v in c.expected)), file=out)
            if c.smallest and c.smallest.root is not c.root:
                print(f"  smallest failing part: {c.smallest.short_flow}", file=out)
    print(f"\n{len(NUMPY_ONLY)} kinds of NumPy operations flow lacks are not generated "
          f"(NUMPY_ONLY in tests/interop/arrays_vs_numpy.py).", file=out)


def main():
    args = parse_arguments(__doc__.split("\n")[0], "a directory for the cases")

    if int(np.__version__.split(".")[0]) < 2:
        sys.exit(f"arrays_vs_numpy.py models NumPy 2 (NEP 50 promotion); this is NumPy "
                 f"{np.__version__}")
    np.set_printoptions()  # NumPy's defaults: what flow's printing follows
    started = time.monotonic()
    flow, workdir = prepare(args, r"case_\d+(_part\d+)?(\.flow|_r\d+\.h5)")
    rng = random.Random(args.seed)
    cases = [make_case(rng, number) for number in range(args.cases)]
    run_all(flow, workdir, cases, args.jobs)
    failing = [c for c in cases if c.outcome != AGREE]
    shrink(flow, workdir, failing, args.jobs)
    report(cases, time.monotonic() - started, args.show, sys.stdout)
    sys.exit(0 if not failing else 1)


if __name__ == "__main__":
    main()
