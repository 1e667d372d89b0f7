"""A differential test of flow's frames against pandas 3 (tests/interop.rs runs it in CI).

    python frames_vs_pandas.py --flow FLOW_BINARY --dir WORKDIR --seed 7 --cases 300 [--jobs 2]

It writes random tables into WORKDIR as CSV (pandas' `to_csv`) and Parquet (pyarrow), split over
one to four files with the edges that matter (a header-only file, a single-row file, a file a
filter empties), plus a small family of CSV files written by hand the way other programs write
them (missing markers, spaces around numbers, blank lines, bare `\\r` line ends, repeated header
names, a bool file beside an int file, integers beyond i64). Then it makes random pipelines from
one small syntax tree (below, `Expr` and the `Program` builder), each rendered twice: as a flow
script `case_NNN.flow` (its pandas twin is appended to it as comments) and as pandas code run
here. Frames are saved by flow as `case_NNN.parquet` and read back with pyarrow; scalars are
printed. flow runs as `FLOW_BINARY run case_NNN.flow` in WORKDIR, `--jobs` at a time, each with a
timeout. What the differential tests share (running flow, the report's tables, literals) is in
differential.py, beside this script.

Each case is classified:

    agree              flow's result is pandas' (the rules below)
    mismatch           it is not
    flow rejected      flow stopped while checking (a `flow::check::` diagnostic)
    flow run-time error  any other failure of flow (exit status, timeout, no result)
    pandas error       the pandas twin raised; the case is not counted (the generator tries
                       another pipeline first, so few are left)

and the exit status is 0 only when every counted case agrees.

How results compare:

- Column names and their order must be equal.
- Kinds (int, float, bool, text) must be compatible: int and float are compatible (an integer
  column that became float matters only when values change: an integer compares as the float it
  becomes); a pandas column of dtype object holding only missing values has no kind and matches
  any; otherwise bool, text and numbers must agree.
- Missing values equal only missing values; NaN equals only NaN (pandas 3 has none: it makes
  the NaN of 0/0 missing, and so must flow); inf equals only the same inf.
- Floats read from the files, or computed row by row (`+ - * /`, which IEEE 754 rounds
  correctly), and min/max/first/last, must be bit-identical; sums, means, standard deviations,
  variances and describe's rows are compared with rtol 1e-9, atol 1e-12 (their summation order
  is free).
- Row order is compared exactly where the result's order is defined: rows as read (files in
  order, rows in file order), and what keeps it (filter, select, with_columns, rename, drop, a
  stable sort, head, concat_frames of ordered frames); groupby (groups in key order); describe
  and one-row aggregates. A sort of rows in no defined order fixes only the order of its keys:
  the key columns must come in pandas' order and each run of equal keys must hold the same rows.
  Joins, unique and a column's unique values have no order and are compared as multisets.
  `head` and first/last are generated only on ordered frames (a frame in no order is sorted by
  every column first).
"""

import json
import math
import os
import random
import re
import struct
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas._libs.parsers import STR_NA_VALUES

import differential
from differential import (AGREE, REJECTED, RUNTIME_ERROR, case_stem, indent, operand,
                          parse_arguments, prepare, print_case, print_classes, print_flow_stderr,
                          run_all)

# ------------------------------------------------------------------------------------------------
# Where flow differs from pandas on purpose (docs/dataframes.md), the pandas twin models flow's
# documented behaviour, or the generator avoids the case. Keep this list in step with the docs:
# each entry is a switch the pandas side reads, or a note of what is avoided and why.

# Integer columns with missing values stay integer in flow; pandas' default numpy dtypes make
# them float. Modelled: the pandas twin reads with dtype_backend="numpy_nullable" (Int64,
# Float64, boolean, string), the dtypes pandas has for exactly this. Those dtypes change other
# semantics, which the switches below set back to pandas' defaults (flip one to model a flow
# that differs there, and say so in docs/dataframes.md):
#
# A comparison with a missing value is false (`!=` true), as NaN compares in pandas' default
# dtypes; the nullable dtypes would give NA, which `not` leaves NA (Kleene logic) and a filter
# drops. Modelled: `.fillna(...)` on each comparison. (A bool column that is itself missing
# stays missing: pandas' default dtypes have no missing bool.)
MISSING_COMPARES_AS_NAN = True
# Missing join keys match each other, as in pandas' merge. When False: the twin joins rows with
# a missing key as unmatched (`merge_missing_keys_apart`).
MISSING_JOIN_KEYS_MATCH = True
# Rows with a missing group key are in no group, as in pandas' groupby (dropna=True). When True:
# the missing key is a group of its own, sorted last.
GROUPBY_KEEPS_MISSING_KEYS = False
# Integers beyond i64 (below 2**64) are UInt64 in pandas; flow has no unsigned type and keeps
# the digits as text (docs/dataframes.md, "Differences from pandas"). Modelled: the twin reads
# such a column as text. When False: as pandas' UInt64.
HUGE_INTEGERS_AS_TEXT = True
#
# `is_in` of a missing value is false in pandas (with every dtype); nothing to model.
# A column whose kinds differ across files (bools in one, integers in another) is text in flow;
# pandas keeps a column of Python objects. Modelled: such an object column is compared as the
# text of its values (str(True) is the "True" the file holds).
# Header-only files give pandas object columns that would make the concatenated column object;
# flow types columns from the files that have rows. Modelled: `concat_files` leaves them out,
# and a column missing in every row of a file takes the type the other files give it.
# 0/0 is a missing value in both (pandas 3 turns the NaN of Float64 arithmetic into NA); x/0 is
# ±inf in both; nothing to model.
# Avoided: a float literal in exponent form (flow's literals are decimals), and a join whose
# suffixed names (_x, _y, as pandas gives them) would meet another column's name.
# ------------------------------------------------------------------------------------------------

RTOL = 1e-9
ATOL = 1e-12

# AGREE, REJECTED and RUNTIME_ERROR are differential.py's (the other tests have them too).
MISMATCH = "mismatch"
PANDAS_ERROR = "pandas error"
CLASSES = [AGREE, MISMATCH, REJECTED, RUNTIME_ERROR, PANDAS_ERROR]

GROUP_KEYS = ["a", "b", "c", "d", "e"]
WORDS = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris"]
# Words with a quote or separator: pandas quotes them, which sends flow to polars' CSV reader.
QUOTED_WORDS = ["cedar, old", 'say "hi"']
# Names that are methods of a frame: such a column is never written `df.name`.
FRAME_ATTRIBUTES = {
    "columns", "schema", "partitions", "rows", "head", "sort", "filter", "select", "join", "drop",
    "rename", "unique", "describe", "to_array", "groupby", "with_columns", "compute", "chunks",
    "shape", "dtype",
}
PANDAS_AGG = {
    "sum": "sum", "mean": "mean", "min": "min", "max": "max", "count": "count", "std": "std",
    "var": "var", "n_unique": "nunique", "first": "first", "last": "last",
}
NUMERIC_AGGS = ["sum", "mean", "min", "max", "count", "std", "var", "n_unique", "first", "last"]
BOOL_AGGS = ["sum", "mean", "min", "max", "count", "n_unique", "first", "last"]
TEXT_AGGS = ["min", "max", "count", "n_unique", "first", "last"]
ORDER_AGGS = {"first", "last"}
COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
# Aggregations whose float results are compared with the tolerance (summation order is free).
INEXACT_AGGS = {"sum", "mean", "std", "var"}


def aggs_for(column, ordered):
    """The aggregations to try on a column; first and last only where rows are in order, no sum
    of integers beyond i64 (pandas' UInt64 sum wraps around)."""
    aggs = {"int": NUMERIC_AGGS, "float": NUMERIC_AGGS, "bool": BOOL_AGGS,
            "str": TEXT_AGGS}[column.kind]
    return [a for a in aggs
            if (ordered or a not in ORDER_AGGS) and not (column.huge and a == "sum")]


def agg_kind(agg, kind):
    if agg in ("count", "n_unique"):
        return "int"
    if agg in ("mean", "std", "var"):
        return "float"
    if agg == "sum":
        return "int" if kind in ("int", "bool") else "float"
    return kind


def agg_exact(agg, column):
    """Whether an aggregation's value must be bit-identical: integers, and the values of an exact
    column that min/max/first/last pick."""
    return agg_kind(agg, column.kind) == "int" or (column.exact and agg not in INEXACT_AGGS)


# ------------------------------------------------------------------------------------------------
# Helpers the pandas twins call (their code is shown in reports, so these stay few and plain).


# Text columns are strings stored as Python objects: comparing pyarrow-backed strings gives
# bool[pyarrow], which pandas 3.1 cannot combine (& |) with a nullable boolean holding NA.
TEXT = pd.StringDtype("python")


def concat_files(frames):
    """The files of one table, one after another, typed as flow types them (see the list of
    differences at the top)."""
    with_rows = [f for f in frames if len(f)] or frames[:1]
    if len(with_rows) > 1:
        for name in with_rows[0].columns:
            typed = {str(f[name].dtype) for f in with_rows if f[name].notna().any()}
            if len(typed) == 1:
                dtype = next(f[name].dtype for f in with_rows if f[name].notna().any())
                for f in with_rows:
                    if not f[name].notna().any():
                        f[name] = f[name].astype(dtype)
    out = pd.concat(with_rows, ignore_index=True)
    for name in out.columns:
        huge = pd.api.types.is_unsigned_integer_dtype(out[name].dtype) and (
            out[name].dropna() >= 2**63).any()
        if huge and HUGE_INTEGERS_AS_TEXT:
            out[name] = out[name].astype(TEXT)
        elif out[name].dtype == object and out[name].notna().any():
            out[name] = pd.array([None if pd.isna(v) else str(v) for v in out[name]],
                                 dtype=TEXT)
        elif isinstance(out[name].dtype, pd.StringDtype):
            out[name] = out[name].astype(TEXT)
    return out


def read_csv_files(paths, usecols=None):
    """pandas.read_csv of each file (nullable dtypes), concatenated."""
    return concat_files([pd.read_csv(p, usecols=usecols, dtype_backend="numpy_nullable")
                         for p in paths])


def read_parquet_files(paths, columns=None):
    """pandas.read_parquet of each file (nullable dtypes), concatenated."""
    return concat_files([pd.read_parquet(p, columns=columns, dtype_backend="numpy_nullable")
                         for p in paths])


def first_value(series):
    """The first value that is not missing (pandas' GroupBy.first), or missing."""
    present = series.dropna()
    return present.iloc[0] if len(present) else pd.NA


def last_value(series):
    """The last value that is not missing (pandas' GroupBy.last), or missing."""
    present = series.dropna()
    return present.iloc[-1] if len(present) else pd.NA


def one_row(values):
    """A one-row frame of aggregates."""
    return pd.DataFrame({name: pd.array([value]) for name, value in values.items()})


def merge_missing_keys_apart(left, right, on, how):
    """pandas' merge, except that a row whose key is missing matches nothing (the pandas twin
    calls it when MISSING_JOIN_KEYS_MATCH is off)."""
    pandas_how = {"full": "outer"}.get(how, how)
    left_missing = left[on].isna().any(axis=1)
    right_missing = right[on].isna().any(axis=1)
    joined = left[~left_missing].merge(right[~right_missing], on=on, how=pandas_how)
    both = (set(left.columns) & set(right.columns)) - set(on)
    parts = [joined]
    if how in ("left", "full"):
        parts.append(left[left_missing].rename(columns={n: f"{n}_x" for n in both}))
    if how == "full":
        parts.append(right[right_missing].rename(columns={n: f"{n}_y" for n in both}))
    parts = [p.reindex(columns=joined.columns) for p in parts if len(p)]
    if not parts:
        return joined
    # The unmatched rows' missing columns are object columns of NaN: the joined dtypes again.
    return pd.concat(parts, ignore_index=True).astype(joined.dtypes.to_dict())


PANDAS_NAMESPACE = {
    "pd": pd, "np": np, "read_csv_files": read_csv_files, "read_parquet_files":
    read_parquet_files, "first_value": first_value, "last_value": last_value, "one_row": one_row,
    "merge_missing_keys_apart": merge_missing_keys_apart,
}

# ------------------------------------------------------------------------------------------------
# Tables.


@dataclass
class Column:
    name: str
    kind: str  # "int", "float", "bool" or "str"
    pool: tuple = ()  # values the data holds, for literals
    key: bool = False  # few distinct values: a group or join key
    huge: bool = False  # holds integers beyond i64: no arithmetic on it (pandas' UInt64 wraps)
    exact: bool = True  # float values must be bit-identical (see the module comment)


@dataclass
class Table:
    name: str  # e.g. "set2/fact"
    family: str  # "main" or "odd:<what the files hold>"
    columns: list
    csv_files: list = field(default_factory=list)
    csv_dir: str = ""
    parquet_files: list = field(default_factory=list)
    parquet_dir: str = ""


def pool_of(series, size=12):
    values = [v.item() if hasattr(v, "item") else v for v in series.dropna().unique()]
    values = [v for v in values if not (isinstance(v, float) and not math.isfinite(v))]
    return tuple(values[:size])


def with_nulls(np_rng, values, rate):
    return [None if np_rng.random() < rate else v for v in values]


def file_sizes(np_rng, total, files):
    """Rows per file: some header-only, some single-row, the rest split at random."""
    sizes = []
    for _ in range(files):
        r = np_rng.random()
        sizes.append(0 if r < 0.15 else 1 if r < 0.3 else None)
    free = [i for i, s in enumerate(sizes) if s is None]
    if not free:
        free = [files - 1]
        sizes[-1] = None
    cuts = np_rng.multinomial(total, [1 / len(free)] * len(free))
    for i, n in zip(free, cuts):
        sizes[i] = max(int(n), 2)
    return sizes


def write_table(root, name, frames, dtypes):
    """Writes each part as CSV (to_csv) and Parquet (pyarrow); returns the Table."""
    csv_dir = f"{root}/{name}"
    parquet_dir = f"{root}/{name}_parquet"
    os.makedirs(csv_dir, exist_ok=True)
    os.makedirs(parquet_dir, exist_ok=True)
    csv_files, parquet_files = [], []
    for i, part in enumerate(frames):
        part = part.astype(dtypes)
        csv_path = f"{csv_dir}/part_{i}.csv"
        part.to_csv(csv_path, index=False)
        parquet_path = f"{parquet_dir}/part_{i}.parquet"
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), parquet_path)
        csv_files.append(csv_path)
        parquet_files.append(parquet_path)
    whole = pd.concat([f.astype(dtypes) for f in frames], ignore_index=True)
    kinds = {"Int64": "int", "Float64": "float", "boolean": "bool", "string": "str"}
    columns = [Column(c, kinds[dtypes[c]], pool_of(whole[c])) for c in whole.columns]
    return Table(f"{root}/{name}", "main", columns, csv_files, csv_dir, parquet_files,
                 parquet_dir)


def random_float(np_rng, scale):
    """A float as data holds them: a few decimals, or all seventeen digits."""
    x = np_rng.normal() * scale
    return round(x, int(np_rng.choice([1, 2, 17])))


def make_main_tables(np_rng, root, header_only=None):
    """One set of related tables: fact (several files), dim (several files, keys k and g) and
    lookup (one file, a float key k). `header_only` ("first" or "last") makes that file of fact
    header-only: a frame's first and last values come from the other files."""
    tables = {}
    files = int(np_rng.integers(2 if header_only else 1, 5))
    sizes = file_sizes(np_rng, int(np_rng.integers(20, 120)), files)
    if header_only:
        sizes[0 if header_only == "first" else -1] = 0
        if not any(sizes):
            sizes[1 if header_only == "first" else 0] = 10
    emptied = int(np_rng.integers(0, files)) if files > 1 and np_rng.random() < 0.6 else None
    quoted = np_rng.random() < 0.3
    parts = []
    for f, n in enumerate(sizes):
        words = WORDS + (QUOTED_WORDS if quoted else [])
        part = pd.DataFrame({
            "k": with_nulls(np_rng, np_rng.integers(0, 6, n).tolist(), 0.1),
            "g": with_nulls(np_rng, np_rng.choice(GROUP_KEYS, n).tolist(), 0.1),
            "x": with_nulls(np_rng, [random_float(np_rng, 10) for _ in range(n)], 0.25),
            "y": [float(np_rng.uniform(0.5, 20)) for _ in range(n)],
            "i": with_nulls(np_rng, np_rng.integers(-100, 101, n).tolist(), 0.15),
            "b": with_nulls(np_rng, (np_rng.random(n) < 0.5).tolist(), 0.15),
            "s": np_rng.choice(words, n).tolist(),
        })
        if f == emptied:
            # A file every filter on x, and `i < 90`, empties; its first and last x are missing.
            part["x"] = [None] * n
            part["i"] = np_rng.integers(95, 101, n).tolist()
        parts.append(part)
    dtypes = {"k": "Int64", "g": "string", "x": "Float64", "y": "Float64", "i": "Int64",
              "b": "boolean", "s": "string"}
    fact = write_table(root, "fact", parts, dtypes)
    for c in fact.columns:
        c.key = c.name in ("k", "g")
    tables["fact"] = fact

    files = int(np_rng.integers(1, 4))
    sizes = file_sizes(np_rng, int(np_rng.integers(6, 30)), files)
    parts = [pd.DataFrame({
        "k": with_nulls(np_rng, np_rng.integers(0, 7, n).tolist(), 0.05),
        "g": with_nulls(np_rng, np_rng.choice(GROUP_KEYS, n).tolist(), 0.05),
        "w": with_nulls(np_rng, [random_float(np_rng, 5) for _ in range(n)], 0.2),
        "n": np_rng.integers(1, 10, n).tolist(),
        "t": np_rng.choice(WORDS, n).tolist(),
    }) for n in sizes]
    dim = write_table(root, "dim", parts,
                      {"k": "Int64", "g": "string", "w": "Float64", "n": "Int64", "t": "string"})
    for c in dim.columns:
        c.key = c.name in ("k", "g")
    tables["dim"] = dim

    n = int(np_rng.integers(3, 9))
    part = pd.DataFrame({
        "k": [float(v) for v in np_rng.choice(np.arange(0, 8), n, replace=False)],
        "label": np_rng.choice(WORDS, n).tolist(),
        "z": [random_float(np_rng, 3) for _ in range(n)],
    })
    lookup = write_table(root, "lookup", [part],
                         {"k": "Float64", "label": "string", "z": "Float64"})
    for c in lookup.columns:
        c.key = c.name == "k"
    tables["lookup"] = lookup
    return tables


# CSV files as other programs write them. Each entry: the file texts of one table.
def odd_csv_texts(np_rng):
    def number():
        return str(random_float(np_rng, 10)) if np_rng.random() < 0.6 else str(
            int(np_rng.integers(-50, 50)))

    # Every string pandas reads as missing appears once in v (a number column) and once in t
    # (a text column), half of them in each file.
    markers = [str(m) for m in np_rng.permutation(sorted(STR_NA_VALUES))]
    halves = [markers[:len(markers) // 2], markers[len(markers) // 2:]]
    texts = {}
    texts["missing_markers"] = [
        "k,v,t\n" + "".join(
            f"{r % 3},{half[r // 2] if r % 2 else number()},"
            f"{half[-1 - r // 2] if r % 2 == 0 else np_rng.choice(WORDS)}\n"
            for r in range(2 * len(half)))
        for half in halves]
    # Numbers with spaces around them are numbers; text keeps its spaces (" a" is not "a").
    texts["spaces_around_numbers"] = [
        "k,v,w,t\n" + "".join(
            f"{r % 3},{np_rng.choice(['', ' ', '  '])}{int(np_rng.integers(-9, 99))}"
            f"{np_rng.choice(['', ' '])},{np_rng.choice(['', ' '])}{random_float(np_rng, 4)}"
            f"{np_rng.choice(['', ' ', '  '])},{np_rng.choice(['', ' '])}"
            f"{np_rng.choice(GROUP_KEYS)}{np_rng.choice(['', ' '])}\n"
            for r in range(int(np_rng.integers(3, 8))))
        for _ in range(2)]
    texts["integers_beyond_i64"] = [
        "k,big\n" + "".join(
            f"{r % 2},{int(np_rng.integers(0, 1000)) + (2**63 if r % 2 else 0)}\n"
            for r in range(int(np_rng.integers(3, 7))))]
    texts["all_missing_column"] = [
        "k,e,x\n" + "".join(f"{r % 2},,{random_float(np_rng, 3)}\n"
                            for r in range(int(np_rng.integers(2, 6))))
        for _ in range(2)]
    texts["blank_lines"] = [
        "k,x\n" + "".join(f"{r % 3},{random_float(np_rng, 3)}\n" + ("\n" if r % 3 == 1 else "")
                          for r in range(int(np_rng.integers(4, 8)))) + "\n"]
    texts["bare_cr_line_ends"] = [
        "k,x,t\r" + "".join(f"{r % 3},{random_float(np_rng, 3)},{np_rng.choice(WORDS)}\r"
                            for r in range(int(np_rng.integers(3, 7))))]
    texts["crlf_line_ends"] = [
        "k,x,t\r\n" + "".join(f"{r % 3},{random_float(np_rng, 3)},{np_rng.choice(WORDS)}\r\n"
                              for r in range(int(np_rng.integers(3, 7))))]
    texts["repeated_header_names"] = [
        "k,v,v\n" + "".join(f"{r % 2},{int(np_rng.integers(0, 9))},{int(np_rng.integers(0, 9))}\n"
                            for r in range(int(np_rng.integers(3, 6))))]
    texts["bool_file_and_int_file"] = [
        "k,v\n" + "".join(f"{r % 2},{np_rng.choice(['True', 'False'])}\n" for r in range(3)),
        "k,v\n" + "".join(f"{r % 2},{int(np_rng.integers(0, 9))}\n" for r in range(3))]
    texts["int_file_and_float_file"] = [
        "k,v\n" + "".join(f"{r % 2},{int(np_rng.integers(0, 9))}\n" for r in range(3)),
        "k,v\n" + "".join(f"{r % 2},{random_float(np_rng, 3)}\n" for r in range(3))]
    texts["quoted_text"] = [
        "k,t,x\n" + "".join(f'{r % 2},"{np_rng.choice(WORDS)}, {np_rng.choice(WORDS)}",'
                            f"{random_float(np_rng, 3)}\n"
                            for r in range(int(np_rng.integers(2, 6))))
        for _ in range(2)]
    return texts


def make_odd_tables(np_rng, root):
    tables = {}
    for what, texts in odd_csv_texts(np_rng).items():
        directory = f"{root}/{what}"
        os.makedirs(directory, exist_ok=True)
        files = []
        for i, text in enumerate(texts):
            path = f"{directory}/part_{i}.csv"
            with open(path, "w", newline="") as f:
                f.write(text)
            files.append(path)
        # The schema is what pandas makes of the files.
        whole = read_csv_files(files)
        columns = []
        for name in whole.columns:
            kind = kind_of_dtype(whole[name])
            if kind is None:
                continue
            huge = kind == "int" and any(abs(int(v)) >= 2**63 for v in whole[name].dropna())
            columns.append(Column(name, kind, pool_of(whole[name]), key=name == "k", huge=huge))
        tables[what] = Table(directory, f"odd:{what}", columns, files, directory)
    return tables


def kind_of_dtype(series):
    """int, float, bool or str for a pandas column; None for an object column of nothing."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if isinstance(dtype, pd.StringDtype) or dtype == object and series.notna().any():
        return "str"
    return None


# ------------------------------------------------------------------------------------------------
# The syntax tree of row expressions, rendered as flow and as pandas.


def flow_literal(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return operand(repr(v))


def pandas_literal(v):
    if isinstance(v, str):
        return json.dumps(v)
    return operand(repr(v))


@dataclass
class Expr:
    """A row expression of a kind (int, float, bool, str). Each kind of node renders itself:
    `flow(ref)` as flow source, `ref(name)` writing a column; `pandas(var)` as pandas code on the
    DataFrame named `var`."""
    kind: str

    def columns(self):
        """The columns it reads (Col nodes)."""
        found = []
        for value in vars(self).values():
            if isinstance(value, Col):
                found.append(value)
            elif isinstance(value, Expr):
                found.extend(value.columns())
        return found


@dataclass
class Col(Expr):
    name: str = ""

    def columns(self):
        return [self]

    def flow(self, ref):
        return ref(self.name)

    def pandas(self, var):
        return f"{var}[{json.dumps(self.name)}]"


@dataclass
class Lit(Expr):
    value: object = None

    def flow(self, ref):
        return flow_literal(self.value)

    def pandas(self, var):
        return pandas_literal(self.value)


@dataclass
class Binary(Expr):
    """Arithmetic (+ - * /), comparisons (== != < <= > >=) and conditions (& |)."""
    op: str = "+"
    left: Expr = None
    right: Expr = None

    def flow(self, ref):
        return f"({self.left.flow(ref)} {self.op} {self.right.flow(ref)})"

    def pandas(self, var):
        text = f"({self.left.pandas(var)} {self.op} {self.right.pandas(var)})"
        if self.op in COMPARISONS and MISSING_COMPARES_AS_NAN:
            return f"{text}.fillna({self.op == '!='})"
        return text


@dataclass
class Flag(Expr):
    """A bool column used as a condition."""
    name: str = ""

    def flow(self, ref):
        return ref(self.name)

    def pandas(self, var):
        # A missing bool stays missing (pandas' boolean dtype: `~` keeps it, & and | are
        # Kleene's, a filter drops it); pandas' default dtypes have no missing bool.
        return f"{var}[{json.dumps(self.name)}]"


@dataclass
class Not(Expr):
    operand: Expr = None

    def flow(self, ref):
        return f"(not {self.operand.flow(ref)})"

    def pandas(self, var):
        return f"(~{self.operand.pandas(var)})"


@dataclass
class IsNull(Expr):
    operand: Expr = None

    def flow(self, ref):
        return f"{self.operand.flow(ref)}.is_null()"

    def pandas(self, var):
        return f"{self.operand.pandas(var)}.isna()"


@dataclass
class IsIn(Expr):
    operand: Expr = None
    values: tuple = ()

    def flow(self, ref):
        items = ", ".join(flow_literal(v) for v in self.values)
        return f"{self.operand.flow(ref)}.is_in([{items}])"

    def pandas(self, var):
        items = ", ".join(pandas_literal(v) for v in self.values)
        return f"{self.operand.pandas(var)}.isin([{items}])"


def is_identifier(name):
    return name.isidentifier() and name not in FRAME_ATTRIBUTES and name not in (
        "not", "and", "or", "if", "then", "else", "fn", "for", "in", "true", "false", "none")


# ------------------------------------------------------------------------------------------------
# Pipelines.


@dataclass
class Frame:
    """A frame of the program being built: its variables on both sides, and what is known of it."""
    flow: str
    pandas: str
    columns: list
    # "defined", "undefined", or ("runs", [key names]) after sorting a frame in no order
    order: object
    source: object = None  # the Table whose rows and columns it still is (for concat_frames)

    def names(self):
        return [c.name for c in self.columns]

    def column(self, name):
        return next(c for c in self.columns if c.name == name)

    def of_kind(self, *kinds):
        return [c for c in self.columns if c.kind in kinds]


@dataclass
class Case:
    number: int
    family: str
    flow_source: str
    pandas_code: str
    ops: list
    result_kind: str  # "frame" or "scalar"
    order: object
    exact_columns: set
    scalar_exact: bool
    expected: object = None  # pandas' result, canonical
    pandas_error: str = ""
    # Why the pandas twins of the pipelines generated before this one raised.
    replaced: list = field(default_factory=list)
    # Filled in after flow runs:
    outcome: str = ""
    flow_stdout: str = ""
    flow_stderr: str = ""
    difference: str = ""
    seconds: float = 0.0

    @property
    def stem(self):
        return case_stem(self.number)


class Program:
    """One case being generated: flow lines and pandas lines, step by step."""

    def __init__(self, rng, number, tables):
        self.rng = rng
        self.number = number
        self.tables = tables
        self.flow_lines = []
        self.pandas_lines = []
        self.ops = []
        self.frames = 0
        self.new_names = 0
        # How a column is written in flow expressions: col("x"), df.x or df["x"].
        self.column_style = rng.choice(["col", "col", "attribute", "index"])

    # -- emitting

    def emit(self, flow, pandas, op=None):
        self.flow_lines.append(flow)
        self.pandas_lines.append(pandas)
        if op:
            self.ops.append(op)

    def variables(self):
        self.frames += 1
        return f"df{self.frames}", f"d{self.frames}"

    def fresh_name(self, frame, stem="e"):
        while True:
            self.new_names += 1
            name = f"{stem}{self.new_names}"
            if name not in frame.names():
                return name

    def ref(self, frame):
        def render(name):
            if self.column_style == "attribute" and is_identifier(name):
                return f"{frame.flow}.{name}"
            if self.column_style == "index":
                return f"{frame.flow}[{json.dumps(name)}]"
            return f"col({json.dumps(name)})"
        return render

    # -- reading

    def read(self, table, fmt=None, all_columns=False):
        rng = self.rng
        fmt = fmt or ("csv" if table.family != "main" or rng.random() < 0.6 else "parquet")
        files = table.csv_files if fmt == "csv" else table.parquet_files
        directory = table.csv_dir if fmt == "csv" else table.parquet_dir
        extension = "csv" if fmt == "csv" else "parquet"
        form = rng.choice(["pattern", "pattern", "list", "directory"])
        if form == "pattern":
            where = json.dumps(f"{directory}/*.{extension}")
            paths = sorted(files)
        elif form == "list":
            paths = list(files)
            rng.shuffle(paths)
            where = "[" + ", ".join(json.dumps(p) for p in paths) + "]"
        else:
            where = json.dumps(directory)
            paths = sorted(files)
        columns = list(table.columns)
        options_flow, options_pandas = "", ""
        if not all_columns and rng.random() < 0.15 and len(columns) > 1:
            chosen = sorted(rng.sample(range(len(columns)), rng.randint(1, len(columns) - 1)))
            columns = [columns[i] for i in chosen]
            names = "[" + ", ".join(json.dumps(c.name) for c in columns) + "]"
            options_flow = f", columns={names}"
            options_pandas = f", {'usecols' if fmt == 'csv' else 'columns'}={names}"
        flow_var, pandas_var = self.variables()
        reader = "read_csv" if fmt == "csv" else "read_parquet"
        pandas_paths = "[" + ", ".join(json.dumps(p) for p in paths) + "]"
        self.emit(f"{flow_var} = {reader}({where}{options_flow})",
                  f"{pandas_var} = {reader}_files({pandas_paths}{options_pandas})",
                  f"{reader}({form})")
        return Frame(flow_var, pandas_var, [replace(c) for c in columns], "defined", table)

    # -- expressions

    def literal_for(self, column):
        """A literal to compare the column with: mostly a value it holds."""
        rng = self.rng
        # flow's integer literals are i64; its float literals are decimals (no exponent).
        pool = [v for v in column.pool
                if not isinstance(v, int) or isinstance(v, bool) or -2**63 <= v < 2**63]
        if pool and rng.random() < 0.8:
            value = rng.choice(pool)
            if column.kind == "float" and isinstance(value, float):
                value = round(value, 2)
            return value
        if column.kind == "int":
            return rng.randint(-5, 60)
        if column.kind == "float":
            return round(rng.uniform(-15, 15), 1)
        if column.kind == "bool":
            return rng.random() < 0.5
        return rng.choice(WORDS + GROUP_KEYS)

    @staticmethod
    def exact(frame, expr):
        """Whether a row expression's values must be bit-identical: all its columns are."""
        return all(frame.column(c.name).exact for c in expr.columns())

    def numeric_expr(self, frame):
        """A row-wise numeric expression and its kind, or None when the frame has no numbers."""
        rng = self.rng
        numbers = [c for c in frame.of_kind("int", "float") if not c.huge]
        if not numbers:
            return None
        a = rng.choice(numbers)
        shape = rng.random()
        if shape < 0.2:
            return Col(a.kind, a.name)
        if shape < 0.45:
            op = rng.choice(["+", "-", "*"])
            value = rng.choice([2, 3, 10, -4, 0.5, 2.5, 1.5, -0.25, 100])
            kind = "int" if a.kind == "int" and isinstance(value, int) else "float"
            return Binary(kind, op, Col(a.kind, a.name), Lit(kind, value))
        if shape < 0.7:
            # True division by a literal: IEEE 754 rounds it correctly, so both sides must give
            # the same bits (a multiplication by the reciprocal is often one ulp off). By zero:
            # ±inf, and 0/0 missing (pandas 3 makes that NaN missing; so does flow).
            value = rng.choice([3, 7, 10, 2, 0.1, 2.5, -4, 1.5, 6, 0])
            return Binary("float", "/", Col(a.kind, a.name), Lit("float", value))
        if rng.random() < 0.4:
            d = rng.choice(numbers)
            return Binary("float", "/", Col(a.kind, a.name), Col(d.kind, d.name))
        b = rng.choice(numbers)
        op = rng.choice(["+", "-", "*"])
        kind = "int" if a.kind == b.kind == "int" else "float"
        return Binary(kind, op, Col(a.kind, a.name), Col(b.kind, b.name))

    def condition(self, frame, depth=0):
        rng = self.rng
        r = rng.random()
        if depth < 2 and r < 0.2:
            return Binary("bool", rng.choice(["&", "|"]), self.condition(frame, depth + 1),
                          self.condition(frame, depth + 1))
        if depth < 2 and r < 0.3:
            return Not("bool", self.condition(frame, depth + 1))
        column = rng.choice(frame.columns)
        r = rng.random()
        if r < 0.12:
            test = IsNull("bool", Col(column.kind, column.name))
            return Not("bool", test) if rng.random() < 0.4 else test
        if r < 0.24 and column.kind in ("int", "str"):
            values = tuple(sorted({self.literal_for(column) for _ in range(rng.randint(1, 3))},
                                  key=repr))
            test = IsIn("bool", Col(column.kind, column.name), values)
            return Not("bool", test) if rng.random() < 0.4 else test
        if column.kind == "bool":
            if rng.random() < 0.5:
                return Flag("bool", column.name)
            return Binary("bool", rng.choice(["==", "!="]), Col("bool", column.name),
                          Lit("bool", rng.random() < 0.5))
        if column.kind == "str":
            op = rng.choice(["==", "!=", "<", ">="])
            return Binary("bool", op, Col("str", column.name), Lit("str", self.literal_for(column)))
        op = rng.choice(["<", "<=", ">", ">=", "==", "!="])
        if r < 0.35:
            expr = self.numeric_expr(frame)
            return Binary("bool", op, expr, Lit("float", round(rng.uniform(-20, 20), 1)))
        if r < 0.45:
            other = rng.choice(frame.of_kind("int", "float"))
            return Binary("bool", op, Col(column.kind, column.name), Col(other.kind, other.name))
        return Binary("bool", op, Col(column.kind, column.name),
                      Lit(column.kind, self.literal_for(column)))

    # -- operations

    def filter(self, frame):
        cond = self.condition(frame)
        flow_var, pandas_var = self.variables()
        if self.rng.random() < 0.3:
            flow = f"{flow_var} = {frame.flow}[{cond.flow(self.ref(frame))}]"
        else:
            flow = f"{flow_var} = {frame.flow}.filter({cond.flow(self.ref(frame))})"
        self.emit(flow, f"{pandas_var} = {frame.pandas}[{cond.pandas(frame.pandas)}]"
                        ".reset_index(drop=True)", "filter")
        return replace(frame, flow=flow_var, pandas=pandas_var)

    def select(self, frame):
        rng = self.rng
        chosen = rng.sample(frame.columns, rng.randint(1, len(frame.columns)))
        flow_var, pandas_var = self.variables()
        computed = self.numeric_expr(frame) if rng.random() < 0.35 else None
        if computed is None:
            names = [c.name for c in chosen]
            quoted = ", ".join(json.dumps(n) for n in names)
            if rng.random() < 0.3:
                flow = f"{flow_var} = {frame.flow}[[{quoted}]]"
            else:
                flow = f"{flow_var} = {frame.flow}.select({quoted})"
            self.emit(flow, f"{pandas_var} = {frame.pandas}[[{quoted}]]", "select")
            order = frame.order
            if isinstance(order, tuple) and not set(order[1]) <= set(names):
                order = "undefined"
            source = frame.source
            return Frame(flow_var, pandas_var, [replace(c) for c in chosen], order, source)
        name = self.fresh_name(frame)
        flow_items = [json.dumps(c.name) for c in chosen]
        flow_items.append(f"{computed.flow(self.ref(frame))}.alias({json.dumps(name)})")
        pandas_items = [f"{json.dumps(c.name)}: {frame.pandas}[{json.dumps(c.name)}]"
                        for c in chosen]
        pandas_items.append(f"{json.dumps(name)}: {computed.pandas(frame.pandas)}")
        self.emit(f"{flow_var} = {frame.flow}.select({', '.join(flow_items)})",
                  f"{pandas_var} = pd.DataFrame({{{', '.join(pandas_items)}}})", "select(expr)")
        columns = [replace(c) for c in chosen] + [
            Column(name, computed.kind, exact=self.exact(frame, computed))]
        order = frame.order
        if isinstance(order, tuple) and not set(order[1]) <= {c.name for c in chosen}:
            order = "undefined"
        return Frame(flow_var, pandas_var, columns, order)

    def with_columns(self, frame):
        rng = self.rng
        items = []
        for _ in range(rng.randint(1, 2)):
            expr = self.numeric_expr(frame)
            if expr is None:
                break
            numbers = [c for c in frame.of_kind("int", "float") if not c.huge]
            if rng.random() < 0.25 and numbers:
                name = rng.choice(numbers).name  # replaces a column
            else:
                name = self.fresh_name(frame)
            if any(name == n for n, _ in items):
                continue
            items.append((name, expr))
        if not items or not all(is_identifier(n) for n, _ in items):
            return None
        flow_var, pandas_var = self.variables()
        flow_args = ", ".join(f"{n}={e.flow(self.ref(frame))}" for n, e in items)
        pandas_args = ", ".join(f"{n}={e.pandas(frame.pandas)}" for n, e in items)
        self.emit(f"{flow_var} = {frame.flow}.with_columns({flow_args})",
                  f"{pandas_var} = {frame.pandas}.assign({pandas_args})", "with_columns")
        columns = [replace(c) for c in frame.columns]
        for name, expr in items:
            new = Column(name, expr.kind, exact=self.exact(frame, expr))
            for i, c in enumerate(columns):
                if c.name == name:
                    columns[i] = new
                    break
            else:
                columns.append(new)
        order = frame.order
        if isinstance(order, tuple) and set(order[1]) & {n for n, _ in items}:
            order = "undefined"
        return Frame(flow_var, pandas_var, columns, order)

    def rename(self, frame):
        rng = self.rng
        column = rng.choice(frame.columns)
        if not is_identifier(column.name):
            return None
        new = self.fresh_name(frame, f"{column.name}_r")
        flow_var, pandas_var = self.variables()
        self.emit(f'{flow_var} = {frame.flow}.rename({{{column.name}: "{new}"}})',
                  f'{pandas_var} = {frame.pandas}.rename(columns={{"{column.name}": "{new}"}})',
                  "rename")
        columns = [replace(c, name=new) if c.name == column.name else replace(c)
                   for c in frame.columns]
        order = frame.order
        if isinstance(order, tuple):
            order = ("runs", [new if k == column.name else k for k in order[1]])
        return Frame(flow_var, pandas_var, columns, order)

    def drop(self, frame):
        rng = self.rng
        if len(frame.columns) < 2:
            return None
        dropped = rng.sample(frame.names(), rng.randint(1, len(frame.columns) - 1))
        flow_var, pandas_var = self.variables()
        quoted = ", ".join(json.dumps(n) for n in dropped)
        self.emit(f"{flow_var} = {frame.flow}.drop({quoted})",
                  f"{pandas_var} = {frame.pandas}.drop(columns=[{quoted}])", "drop")
        columns = [replace(c) for c in frame.columns if c.name not in dropped]
        order = frame.order
        if isinstance(order, tuple) and set(order[1]) & set(dropped):
            order = "undefined"
        return Frame(flow_var, pandas_var, columns, order, frame.source)

    def sort(self, frame, by=None, descending=None):
        rng = self.rng
        by = by or rng.sample(frame.names(), min(len(frame.columns), rng.choice([1, 1, 2])))
        descending = rng.random() < 0.4 if descending is None else descending
        flow_var, pandas_var = self.variables()
        quoted = ", ".join(json.dumps(n) for n in by)
        flow_by = json.dumps(by[0]) if len(by) == 1 and rng.random() < 0.5 else f"[{quoted}]"
        flow_options = ", descending=true" if descending else (
            ", descending=false" if rng.random() < 0.3 else "")
        self.emit(f"{flow_var} = {frame.flow}.sort({flow_by}{flow_options})",
                  f"{pandas_var} = {frame.pandas}.sort_values([{quoted}], "
                  f"ascending={not descending}, na_position=\"last\", kind=\"stable\")"
                  ".reset_index(drop=True)", "sort")
        if frame.order == "defined" or set(by) == set(frame.names()):
            order = "defined"
        else:
            order = ("runs", list(by))
        return replace(frame, flow=flow_var, pandas=pandas_var, order=order)

    def ordered(self, frame):
        """The frame itself when its order is defined, else sorted by every column."""
        if frame.order == "defined":
            return frame
        return self.sort(frame, by=frame.names())

    def head(self, frame):
        frame = self.ordered(frame)
        n = self.rng.choice([0, 0, 1, 2, 3, 5, 8, 20, 1000])
        flow_var, pandas_var = self.variables()
        self.emit(f"{flow_var} = {frame.flow}.head({n})",
                  f"{pandas_var} = {frame.pandas}.head({n})", "head(0)" if n == 0 else "head")
        return replace(frame, flow=flow_var, pandas=pandas_var)

    def unique(self, frame):
        rng = self.rng
        flow_var, pandas_var = self.variables()
        if rng.random() < 0.3:
            column = rng.choice(frame.columns)
            if not is_identifier(column.name):
                return None
            self.emit(f"{flow_var} = {frame.flow}.{column.name}.unique()",
                      f"{pandas_var} = {frame.pandas}[{json.dumps(column.name)}]"
                      ".drop_duplicates().to_frame().reset_index(drop=True)", "column.unique")
            return Frame(flow_var, pandas_var, [replace(column)], "undefined")
        if rng.random() < 0.5:
            self.emit(f"{flow_var} = {frame.flow}.unique()",
                      f"{pandas_var} = {frame.pandas}.drop_duplicates().reset_index(drop=True)",
                      "unique")
        else:
            # A subset naming every column: which row of a repeat is kept is free otherwise.
            names = frame.names()
            quoted = ", ".join(json.dumps(n) for n in names)
            flow_subset = json.dumps(names[0]) if len(names) == 1 else f"[{quoted}]"
            self.emit(f"{flow_var} = {frame.flow}.unique({flow_subset})",
                      f"{pandas_var} = {frame.pandas}.drop_duplicates(subset=[{quoted}])"
                      ".reset_index(drop=True)", "unique(subset)")
        return replace(frame, flow=flow_var, pandas=pandas_var, order="undefined", source=None)

    def aggregation(self, column, ordered):
        """An aggregation of the column; first and last (whose handling of missing values and
        of empty partitions is the subtlest) twice as often as the others."""
        aggs = aggs_for(column, ordered)
        return self.rng.choice(aggs + [a for a in aggs if a in ORDER_AGGS])

    def group_keys(self, frame):
        rng = self.rng
        keys = [c for c in frame.columns if c.key and c.kind in ("int", "str")]
        if not keys:
            return None
        return rng.sample(keys, min(len(keys), rng.choice([1, 1, 2])))

    def groupby(self, frame):
        rng = self.rng
        keys = self.group_keys(frame)
        if keys is None:
            return None
        values = [c for c in frame.columns if c.name not in {k.name for k in keys}]
        if not values:
            return None
        key_names = [k.name for k in keys]
        flow_keys = ", ".join(json.dumps(n) for n in key_names)
        pandas_keys = "[" + flow_keys + "]"
        pandas_options = ", dropna=False" if GROUPBY_KEEPS_MISSING_KEYS else ""
        ordered = frame.order == "defined"
        flow_var, pandas_var = self.variables()
        form = rng.random()
        if form < 0.25:
            # The pandas shorthand: df.groupby("k").x.mean()
            column = rng.choice(values)
            agg = self.aggregation(column, ordered)
            pick = (f".{column.name}" if is_identifier(column.name) and rng.random() < 0.6
                    else f"[{json.dumps(column.name)}]")
            pandas_pick = (f".{column.name}" if pick.startswith(".")
                           else f"[{json.dumps(column.name)}]")
            self.emit(f"{flow_var} = {frame.flow}.groupby({flow_keys}){pick}.{agg}()",
                      f"{pandas_var} = {frame.pandas}.groupby({pandas_keys}{pandas_options})"
                      f"{pandas_pick}.{PANDAS_AGG[agg]}().reset_index()", "groupby.x.agg()")
            results = [(column.name, agg, column)]
        elif form < 0.35:
            # g.mean(): every column that is not a key (numbers and bools for sum/mean/std/var).
            numeric_only = rng.random() < 0.5
            if numeric_only:
                agg = rng.choice(["sum", "mean", "std", "var"])
                chosen = [c for c in values if c.kind in ("int", "float", "bool")]
                if agg in ("std", "var") and any(c.kind == "bool" for c in chosen):
                    return None
                if agg == "sum" and any(c.huge for c in chosen):
                    return None
            else:
                agg = rng.choice([a for a in TEXT_AGGS if ordered or a not in ORDER_AGGS])
                chosen = values
            if not chosen:
                return None
            pandas_args = "numeric_only=True" if numeric_only else ""
            self.emit(f"{flow_var} = {frame.flow}.groupby({flow_keys}).{agg}()",
                      f"{pandas_var} = {frame.pandas}.groupby({pandas_keys}{pandas_options})"
                      f".{PANDAS_AGG[agg]}({pandas_args}).reset_index()", "groupby.agg_all()")
            results = [(c.name, agg, c) for c in chosen]
        else:
            chosen = []
            for _ in range(rng.randint(1, 3)):
                column = rng.choice(values)
                agg = self.aggregation(column, ordered)
                if (column, agg) not in chosen:
                    chosen.append((column, agg))
            # A single aggregation is sometimes left unaliased: it is named after its column.
            unaliased = len(chosen) == 1 and rng.random() < 0.4
            results, flow_items, pandas_items = [], [], []
            for column, agg in chosen:
                name = column.name if unaliased else f"{column.name}_{agg}"
                quoted = json.dumps(column.name)
                expr = f"{agg}({quoted})" if rng.random() < 0.6 else f"col({quoted}).{agg}()"
                flow_items.append(expr if unaliased else f"{expr}.alias({json.dumps(name)})")
                pandas_items.append(f"{json.dumps(name)}: ({quoted}, \"{PANDAS_AGG[agg]}\")")
                results.append((name, agg, column))
            self.emit(f"{flow_var} = {frame.flow}.groupby({flow_keys})"
                      f".agg({', '.join(flow_items)})",
                      f"{pandas_var} = {frame.pandas}.groupby({pandas_keys}{pandas_options})"
                      f".agg(**{{{', '.join(pandas_items)}}}).reset_index()", "groupby.agg")
        columns = [replace(k, exact=True) for k in keys]
        for name, agg, column in results:
            value = agg in ("min", "max", "first", "last")  # one of the column's values
            columns.append(Column(name, agg_kind(agg, column.kind),
                                  exact=agg_exact(agg, column),
                                  pool=column.pool if value else (), huge=column.huge and value))
        return Frame(flow_var, pandas_var, columns, "defined")

    def join(self, frame):
        rng = self.rng
        left_names = set(frame.names())
        options = []
        for name in ("dim", "lookup"):
            if name not in self.tables:
                continue
            table = self.tables[name]
            for on in (["k"], ["k", "g"]):
                if not all(n in left_names for n in on):
                    continue
                right_keys = {c.name: c for c in table.columns}
                if not all(n in right_keys for n in on):
                    continue
                compatible = all(kind_class(frame.column(n).kind) == kind_class(right_keys[n].kind)
                                 for n in on)
                if compatible:
                    options.append((table, on))
        if not options:
            return None
        table, on = rng.choice(options)
        # Columns both sides have (besides the keys) get pandas' suffixes, _x and _y.
        extra = [c.name for c in table.columns if c.name not in on]
        keep = on + rng.sample(extra, rng.randint(0, len(extra)))
        overlap = {n for n in keep if n not in on and n in left_names}

        def joined_names(overlap):
            return ([f"{n}_x" if n in overlap else n for n in frame.names()] +
                    [f"{n}_y" if n in overlap else n for n in keep if n not in on])
        names = joined_names(overlap)
        if len(set(names)) != len(names):
            keep = [n for n in keep if n not in overlap]
            overlap = set()
            names = joined_names(overlap)
        right = self.read(table, all_columns=True)
        if rng.random() < 0.4:
            right = self.filter(right)
        if keep != right.names():
            right = self.select_names(right, keep)
        how = rng.choice(["inner", "left", "full"])
        flow_var, pandas_var = self.variables()
        flow_on = json.dumps(on[0]) if len(on) == 1 and rng.random() < 0.6 else json.dumps(on)
        how_flow = f', how="{how}"' if how != "inner" or rng.random() < 0.5 else ""
        if MISSING_JOIN_KEYS_MATCH:
            pandas_how = {"full": "outer"}.get(how, how)
            pandas = (f"{pandas_var} = {frame.pandas}.merge({right.pandas}, on={json.dumps(on)}, "
                      f"how=\"{pandas_how}\")")
        else:
            pandas = (f"{pandas_var} = merge_missing_keys_apart({frame.pandas}, {right.pandas}, "
                      f"on={json.dumps(on)}, how=\"{how}\")")
        self.emit(f"{flow_var} = {frame.flow}.join({right.flow}, on={flow_on}{how_flow})", pandas,
                  f"join({how}, suffixes)" if overlap else f"join({how})")
        columns = []
        for c in frame.columns:
            c = replace(c, name=f"{c.name}_x" if c.name in overlap else c.name)
            if c.name in on:
                r = right.column(c.name)
                if "float" in (c.kind, r.kind):
                    c.kind = "float"
            columns.append(c)
        for c in right.columns:
            if c.name not in on:
                columns.append(replace(c, name=f"{c.name}_y" if c.name in overlap else c.name,
                                       key=False))
        assert [c.name for c in columns] == names
        return Frame(flow_var, pandas_var, columns, "undefined")

    def select_names(self, frame, names):
        flow_var, pandas_var = self.variables()
        quoted = ", ".join(json.dumps(n) for n in names)
        self.emit(f"{flow_var} = {frame.flow}.select({quoted})",
                  f"{pandas_var} = {frame.pandas}[[{quoted}]]", "select")
        return Frame(flow_var, pandas_var, [replace(frame.column(n)) for n in names], frame.order,
                     frame.source)

    def concat(self, frame):
        rng = self.rng
        table = frame.source
        if table is None:
            return None
        if rng.random() < 0.3:
            other = frame
        else:
            fmt = None if table.family == "main" else "csv"
            other = self.read(table, fmt, all_columns=True)
            if rng.random() < 0.5:
                other = self.filter(other)
            if other.names() != frame.names():
                other = self.select_names(other, frame.names())
        flow_var, pandas_var = self.variables()
        self.emit(f"{flow_var} = concat_frames([{frame.flow}, {other.flow}])",
                  f"{pandas_var} = pd.concat([{frame.pandas}, {other.pandas}], ignore_index=True)",
                  "concat_frames")
        order = "defined" if frame.order == other.order == "defined" else "undefined"
        return Frame(flow_var, pandas_var, [replace(c) for c in frame.columns], order, table)

    # -- what a case computes

    def saved(self, frame, exact_columns=None):
        """The frame saved as the case's result; what `finish` returns."""
        self.emit(f'save({frame.flow}, "{case_stem(self.number)}.parquet")',
                  f"result = {frame.pandas}")
        if exact_columns is None:
            exact_columns = {c.name for c in frame.columns if c.exact}
        return "frame", frame.order, exact_columns, True

    def finish(self, frame, save_share):
        """The last step: the frame saved, or something computed from it (a scalar printed, or
        a frame of aggregates saved). Returns (result kind, order, exact columns, exact scalar)."""
        rng = self.rng
        ordered = frame.order == "defined"
        rest = 1 - save_share
        terminal = rng.choices(
            ["save", "len", "column aggregate", "aggregates", "describe"],
            [save_share, rest * 0.2, rest * 0.35, rest * 0.25, rest * 0.2])[0]
        if terminal == "save":
            return self.saved(frame)
        if terminal == "len":
            self.emit(f"print(len({frame.flow}))", f"result = len({frame.pandas})", "len")
            return "scalar", None, set(), True
        candidates = [c for c in frame.columns if is_identifier(c.name)]
        if terminal == "column aggregate" and candidates:
            # df.x.mean(), printed.
            column = rng.choice(candidates)
            agg = self.aggregation(column, ordered)
            pick = (f".{column.name}" if rng.random() < 0.6 else f"[{json.dumps(column.name)}]")
            series = f"{frame.pandas}[{json.dumps(column.name)}]"
            if agg in ORDER_AGGS:
                pandas = f"{agg}_value({series})"
            else:
                pandas = f"{series}.{PANDAS_AGG[agg]}()"
            self.emit(f"print({frame.flow}{pick}.{agg}())", f"result = {pandas}",
                      f"column.{agg}()")
            return "scalar", None, set(), agg_exact(agg, column)
        if terminal in ("aggregates", "column aggregate"):
            # Aggregations in select: one row. A single one is sometimes left unaliased, as in
            # df.select(first("x")) and len(df.select(n_unique("k"))).
            chosen = []
            for _ in range(rng.randint(1, 3)):
                column = rng.choice(frame.columns)
                agg = self.aggregation(column, ordered)
                if (column, agg) not in chosen:
                    chosen.append((column, agg))
            unaliased = len(chosen) == 1 and rng.random() < 0.5
            items, pandas_items, columns = [], [], []
            for column, agg in chosen:
                name = column.name if unaliased else f"{column.name}_{agg}"
                quoted = json.dumps(column.name)
                series = f"{frame.pandas}[{quoted}]"
                pandas = (f"{agg}_value({series})" if agg in ORDER_AGGS
                          else f"{series}.{PANDAS_AGG[agg]}()")
                items.append(f"{agg}({quoted})" if unaliased
                             else f"{agg}({quoted}).alias({json.dumps(name)})")
                pandas_items.append(f"{json.dumps(name)}: {pandas}")
                columns.append(Column(name, agg_kind(agg, column.kind),
                                      exact=agg_exact(agg, column),
                                      huge=column.huge and agg in ("min", "max", "first", "last")))
            flow_var, pandas_var = self.variables()
            self.emit(f"{flow_var} = {frame.flow}.select({', '.join(items)})",
                      f"{pandas_var} = one_row({{{', '.join(pandas_items)}}})",
                      "select(aggregations)")
            if rng.random() < 0.25:
                self.emit(f"print(len({flow_var}))", f"result = len({pandas_var})", "len")
                return "scalar", None, set(), True
            return self.saved(Frame(flow_var, pandas_var, columns, "defined"))
        numeric = [c.name for c in frame.columns if c.kind in ("int", "float")]
        if not numeric:
            return self.saved(frame)
        flow_var, pandas_var = self.variables()
        quoted = ", ".join(json.dumps(n) for n in numeric)
        self.emit(f"{flow_var} = {frame.flow}.describe()",
                  f"{pandas_var} = {frame.pandas}[[{quoted}]].describe()"
                  f'.loc[["count", "mean", "std", "min", "max"]].reset_index(names="statistic")',
                  "describe")
        return self.saved(Frame(flow_var, pandas_var, [], "defined"), exact_columns={"statistic"})


OPERATIONS = [  # (weight, method name)
    (3.0, "filter"), (1.2, "select"), (1.5, "with_columns"), (0.6, "rename"), (0.6, "drop"),
    (2.5, "groupby"), (1.5, "sort"), (1.5, "head"), (0.8, "unique"), (1.5, "join"),
    (0.8, "concat"),
]


def generate_case(rng, number, table_sets, odd_tables):
    """A random pipeline and its pandas twin, as a Case (the pandas result not yet computed)."""
    odd = rng.random() < 0.25
    if odd:
        name = rng.choice(sorted(odd_tables))
        tables = {"fact": odd_tables[name]}
    else:
        tables = rng.choice(table_sets)
    program = Program(rng, number, tables)
    start = tables["fact"] if rng.random() < 0.85 or odd else tables["dim"]
    frame = program.read(start)
    # Files written by hand test reading: short pipelines, whole frames saved more often.
    steps = rng.choice([0, 1, 1, 2] if odd else [0, 1, 1, 2, 2, 3, 3, 4])
    for _ in range(steps):
        weights, names = zip(*OPERATIONS)
        for _attempt in range(5):
            op = rng.choices(names, weights)[0]
            made = getattr(program, op)(frame)
            if made is not None:
                frame = made
                break
    result_kind, order, exact_columns, scalar_exact = (
        program.finish(frame, save_share=0.75 if odd else 0.55))
    flow_source = "\n".join(program.flow_lines)
    pandas_code = "\n".join(program.pandas_lines)
    return Case(number, start.family, flow_source, pandas_code, program.ops, result_kind, order,
                exact_columns, scalar_exact)


# ------------------------------------------------------------------------------------------------
# Canonical results and comparing them.


@dataclass
class ResultFrame:
    """A result frame as plain Python: names, kinds, and columns of values (None is missing)."""
    names: list
    kinds: list  # "int", "float", "bool", "str" or None (unknown: all missing, no dtype)
    columns: list

    @property
    def rows(self):
        return list(zip(*self.columns)) if self.columns else []

    @property
    def height(self):
        return len(self.columns[0]) if self.columns else 0


def plain_value(v):
    """A pandas value as plain Python. NaN is missing: pandas 3 has no other NaN (it turns the
    NaN of a Float64 computation into a missing value too)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def from_pandas(df):
    """pandas' result; an object column of mixed values is the text of its values."""
    names, kinds, columns = [], [], []
    for name in df.columns:
        series = df[name]
        kind = kind_of_dtype(series)
        values = [plain_value(v) for v in series.tolist()]
        if series.dtype == object and kind == "str":
            values = [v if v is None or isinstance(v, str) else str(v) for v in values]
        names.append(str(name))
        kinds.append(kind)
        columns.append(values)
    return ResultFrame(names, kinds, columns)


def kind_of_arrow(t):
    """int, float, bool or str for a Parquet column; None for arrow's null type (no values)."""
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "str"
    if pa.types.is_null(t):
        return None
    return str(t)


def from_parquet(path):
    """flow's saved result."""
    table = pq.read_table(path)
    return ResultFrame(list(table.column_names), [kind_of_arrow(f.type) for f in table.schema],
                       [table.column(i).to_pylist() for i in range(table.num_columns)])


def kind_class(kind):
    return "number" if kind in ("int", "float") else kind


def ulps_apart(a, b):
    def ordinal(x):
        n = struct.unpack("<q", struct.pack("<d", x))[0]
        return n if n >= 0 else -(n & 0x7FFFFFFFFFFFFFFF)
    return abs(ordinal(a) - ordinal(b))


def same_value(got, want, exact):
    """Whether flow's value is pandas' (floats bit-identical when `exact`)."""
    if got is None or want is None:
        return got is None and want is None
    if isinstance(got, bool) or isinstance(want, bool):
        return isinstance(got, bool) and isinstance(want, bool) and got == want
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        if isinstance(got, float) or isinstance(want, float):
            # An integer on one side compares as the float it becomes (an integer beyond 2**53
            # typed float on the other side holds nothing closer).
            g, w = float(got), float(want)
            if math.isnan(g) or math.isnan(w):
                return math.isnan(g) and math.isnan(w)
            if math.isinf(g) or math.isinf(w) or exact:
                return g == w
            return abs(g - w) <= ATOL + RTOL * abs(w)
        return got == want
    return type(got) is type(want) and got == want


def describe_value(v):
    return "missing" if v is None else repr(v)


def value_difference(got, want):
    text = f"{describe_value(got)}, want {describe_value(want)}"
    floats = isinstance(got, float) and isinstance(want, float)
    if floats and math.isfinite(got) and math.isfinite(want):
        text += f" ({ulps_apart(got, want)} ulp apart)"
    return text


def sort_key(row):
    """A key ordering rows of mixed values (missing first), floats rounded to 9 digits so that
    rows differing in the last bits still meet in a multiset comparison."""
    def cell(v):
        if v is None:
            return (0, 0.0, "")
        if isinstance(v, bool):
            return (1, float(v), "")
        if isinstance(v, (int, float)):
            x = float(v)
            if math.isnan(x):
                return (3, 0.0, "")
            return (2, float(f"{x:.9g}") if math.isfinite(x) else x, "")
        return (4, 0.0, str(v))
    return tuple(cell(v) for v in row)


def rows_difference(got_rows, want_rows, exact_flags, label):
    """Why two row lists differ when compared in order, or None."""
    if len(got_rows) != len(want_rows):
        return f"{len(got_rows)} rows, want {len(want_rows)}{label}"
    for i, (g, w) in enumerate(zip(got_rows, want_rows)):
        for j, (a, b) in enumerate(zip(g, w)):
            if not same_value(a, b, exact_flags[j]):
                return f"row {i}{label}, column {j}: {value_difference(a, b)}\n" \
                       f"    flow:   {g}\n    pandas: {w}"
    return None


def multiset_sample(got_rows, want_rows):
    """A few rows only one side has (by the rounded sort key), for reports."""
    def counts(rows):
        out = {}
        for r in rows:
            out.setdefault(sort_key(r), []).append(r)
        return out
    g, w = counts(got_rows), counts(want_rows)
    only_flow = [r for k, rs in g.items() for r in rs[len(w.get(k, [])):]][:4]
    only_pandas = [r for k, rs in w.items() for r in rs[len(g.get(k, [])):]][:4]
    return "".join([f"\n    only in flow:   {r}" for r in only_flow] +
                   [f"\n    only in pandas: {r}" for r in only_pandas])


def frames_difference(got, want, order, exact_columns):
    if got.names != want.names:
        return f"columns {got.names}, want {want.names}"
    for name, g, w in zip(got.names, got.kinds, want.kinds):
        if g is None or w is None:
            continue
        if kind_class(g) != kind_class(w):
            return f"column {name!r} is {g}, want {w}"
    exact = [n in exact_columns for n in got.names]
    got_rows, want_rows = got.rows, want.rows
    if got.height != want.height:
        return f"{got.height} rows, want {want.height}" + multiset_sample(got_rows, want_rows)
    if order == "defined":
        return rows_difference(got_rows, want_rows, exact, "")
    if isinstance(order, tuple):
        keys = [got.names.index(k) for k in order[1]]
        key_got = [tuple(r[k] for k in keys) for r in got_rows]
        key_want = [tuple(r[k] for k in keys) for r in want_rows]
        why = rows_difference(key_got, key_want, [exact[k] for k in keys], " of the sort keys")
        if why:
            return why
        start = 0
        for end in range(1, len(want_rows) + 1):
            if end == len(want_rows) or key_want[end] != key_want[start]:
                why = rows_difference(sorted(got_rows[start:end], key=sort_key),
                                      sorted(want_rows[start:end], key=sort_key), exact,
                                      f" (in the run of equal sort keys from row {start})")
                if why:
                    return why
                start = end
        return None
    why = rows_difference(sorted(got_rows, key=sort_key), sorted(want_rows, key=sort_key), exact,
                          " (rows sorted, as their order is free)")
    return why and why + multiset_sample(got_rows, want_rows)


def parse_printed(text, want):
    """flow's printed scalar, read as the kind of pandas' value."""
    text = text.strip()
    if text == "none":
        return None
    if isinstance(want, bool):
        return {"true": True, "false": False}.get(text, text)
    if isinstance(want, (int, float)):
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    return text


# ------------------------------------------------------------------------------------------------
# Running.


def compute_pandas(case):
    namespace = dict(PANDAS_NAMESPACE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a merge of int and float keys warns, and is meant
        exec(case.pandas_code, namespace)
    result = namespace["result"]
    if case.result_kind == "frame":
        if not isinstance(result, pd.DataFrame):
            raise TypeError(f"the pandas twin made a {type(result).__name__}, not a DataFrame")
        return from_pandas(result)
    return plain_value(result)


def run_flow(flow, workdir, case):
    """differential.run_flow, timed (`case.seconds`)."""
    started = time.monotonic()
    code, stdout, stderr = differential.run_flow(flow, workdir, case)
    case.seconds = time.monotonic() - started
    return code, stdout, stderr


def classify(case, workdir, code, stdout, stderr):
    case.flow_stdout, case.flow_stderr = stdout, stderr
    if code != 0:
        first = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
        case.outcome = REJECTED if first.startswith("flow::check::") else RUNTIME_ERROR
        return
    if case.result_kind == "frame":
        path = os.path.join(workdir, f"{case.stem}.parquet")
        if not os.path.exists(path):
            case.outcome = RUNTIME_ERROR
            case.difference = f"flow exited 0 but wrote no {case.stem}.parquet"
            return
        try:
            got = from_parquet(path)
        except Exception as e:  # a file pyarrow cannot read is flow's failure
            case.outcome = RUNTIME_ERROR
            case.difference = f"pyarrow cannot read {case.stem}.parquet: {e}"
            return
        why = frames_difference(got, case.expected, case.order, case.exact_columns)
    else:
        got = parse_printed(stdout, case.expected)
        why = None if same_value(got, case.expected, case.scalar_exact) else (
            f"printed {stdout.strip()!r}: {value_difference(got, case.expected)}")
    case.outcome = MISMATCH if why else AGREE
    case.difference = why or ""


def write_case(workdir, case):
    differential.write_case(workdir, case, " → ".join(case.ops),
                            "pandas twin (tests/interop/frames_vs_pandas.py)", case.pandas_code)


def make_cases(rng, count, table_sets, odd_tables):
    """The cases with pandas' results. A pipeline whose pandas twin raises is replaced by another
    (up to four times); the reason is kept for the report."""
    cases = []
    for number in range(count):
        replaced = []
        while True:
            case = generate_case(rng, number, table_sets, odd_tables)
            try:
                case.expected = compute_pandas(case)
                break
            except Exception as e:
                case.pandas_error = traceback.format_exc(limit=2)
                if len(replaced) == 4:
                    case.outcome = PANDAS_ERROR
                    break
                replaced.append(f"{type(e).__name__}: {str(e).splitlines()[0][:100]}")
        case.replaced = replaced
        cases.append(case)
    return cases


# ------------------------------------------------------------------------------------------------
# Reporting.


def first_message(stderr):
    """The code and the first `×` line of a diagnostic, for grouping failures."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    code = lines[0] if lines else ""
    message = next((line.lstrip("×").strip() for line in lines if line.startswith("×")), "")
    return f"{code}: {message}" if message else code


# The operation a failure is filed under: the first of these (a part of its name) the pipeline
# has, and the earliest such step in it.
TELLING_OPERATIONS = ["head(0)", "suffixes", "groupby", "join", "select(aggregations)", "column.",
                      "describe", "unique", "concat_frames", "with_columns", "select(expr)",
                      "sort", "filter"]


def cause_of(case):
    """A short description of why a case failed, equal for failures that look alike."""
    if case.outcome in (REJECTED, RUNTIME_ERROR):
        return first_message(case.flow_stderr) or case.difference.splitlines()[0]
    first = case.difference.splitlines()[0] if case.difference else ""
    kinds = re.search(r"column '(.*)' is (\w+), want (\w+)", first)
    rows = re.match(r"(\d+) rows, want (\d+)", first)
    if first.startswith("columns "):
        what = "column names differ"
    elif kinds:
        what = f"a column pandas types {kinds.group(3)} is {kinds.group(2)}"
    elif rows:
        what = "more rows than pandas" if int(rows.group(1)) > int(rows.group(2)) else \
            "fewer rows than pandas"
    elif "(1 ulp apart)" in first:
        what = "a float 1 ulp from pandas'"
    elif first.startswith("printed"):
        what = "the printed value differs"
    else:
        what = "a value differs"
    operation = next((op for telling in TELLING_OPERATIONS for op in case.ops
                      if telling in op), "read")
    return f"{what} ({case.family}; {operation})"


def report(cases, elapsed, shown, out):
    counted = [c for c in cases if c.outcome != PANDAS_ERROR]
    failing = [c for c in counted if c.outcome != AGREE]
    print(f"flow frames against pandas {pd.__version__} (numpy {np.__version__}, "
          f"pyarrow {pa.__version__}): {len(cases)} cases in {elapsed:.1f} s", file=out)
    print("", file=out)
    print_classes(cases, CLASSES, 22, out)
    replaced = [why for c in cases for why in c.replaced]
    if replaced:
        print(f"\n  {len(replaced)} pipelines whose pandas twin raised were replaced by others:",
              file=out)
        for why in sorted(set(replaced)):
            print(f"  {replaced.count(why):>4} × {why}", file=out)
    print("", file=out)
    kinds = sorted({op for c in counted for op in c.ops} | {c.family for c in counted})
    print(f"  {'operation / family':<26}{'cases':>6}{'mismatch':>10}{'rejected':>10}"
          f"{'run-time':>10}", file=out)
    for kind in kinds:
        having = [c for c in counted if kind in c.ops or kind == c.family]
        print(f"  {kind:<26}{len(having):>6}"
              f"{sum(c.outcome == MISMATCH for c in having):>10}"
              f"{sum(c.outcome == REJECTED for c in having):>10}"
              f"{sum(c.outcome == RUNTIME_ERROR for c in having):>10}", file=out)
    if failing:
        print("\nDistinct failures (first case of each):", file=out)
        causes = {}
        for c in failing:
            causes.setdefault((c.outcome, cause_of(c)), []).append(c)
        for (outcome, cause), group in sorted(causes.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(group):>4} × {outcome}: {cause}  [{group[0].stem}]", file=out)
        print(f"\nThe first {min(shown, len(failing))} of {len(failing)} failing cases:", file=out)
        for c in failing[:shown]:
            print_case(c, " → ".join(c.ops), "pandas", c.pandas_code, out)
            if c.outcome == MISMATCH:
                if c.result_kind == "scalar":
                    print("  flow printed:\n" + indent(c.flow_stdout), file=out)
                print("  difference:\n" + indent(c.difference), file=out)
            else:
                print_flow_stderr(c, out, lines=20, with_code=False)
    errors = [c for c in cases if c.outcome == PANDAS_ERROR]
    for c in errors[:3]:
        print(f"\n=== {c.stem}: pandas error (not counted)\n" + indent(c.pandas_code) + "\n" +
              indent(c.pandas_error), file=out)


def main():
    args = parse_arguments(__doc__.split("\n")[0], "a directory for the files and cases")

    if int(pd.__version__.split(".")[0]) < 3:
        sys.exit(f"frames_vs_pandas.py models pandas 3; this is pandas {pd.__version__}")
    started = time.monotonic()
    # What an earlier run left (more files in a table, results of cases) would be read again.
    flow, workdir = prepare(args, r"case_\d+\.(flow|parquet)", dirs=r"set\d+|odd")
    os.chdir(workdir)  # the pandas twins read the files by the paths the flow scripts use
    np_rng = np.random.default_rng(args.seed)
    rng = random.Random(args.seed)
    table_sets = [make_main_tables(np_rng, f"set{i}", {0: "first", 1: "last"}.get(i))
                  for i in range(8)]
    odd_tables = make_odd_tables(np_rng, "odd")
    cases = make_cases(rng, args.cases, table_sets, odd_tables)
    runnable = [c for c in cases if c.outcome != PANDAS_ERROR]
    run_all(flow, workdir, runnable, args.jobs, write_case, classify, MISMATCH, run=run_flow)
    report(cases, time.monotonic() - started, args.show, sys.stdout)
    sys.exit(0 if all(c.outcome in (AGREE, PANDAS_ERROR) for c in cases) else 1)


if __name__ == "__main__":
    main()
