"""What the differential tests in tests/interop/ share: arrays_vs_numpy.py (flow against NumPy),
frames_vs_pandas.py (against pandas) and datasets_vs_xarray.py (against xarray). Each makes
random programs, renders each as a flow script `case_NNN.flow` and as its Python twin, runs
both and classifies every case; this module holds the parts that are the same in all of them
or in two:

- the command line (`parse_arguments`) and the work directory (`prepare`);
- literals in flow and in Python source (`flow_number`, `py_number`, `operand`);
- the outcomes they share (`AGREE`, `REJECTED`, `RUNTIME_ERROR`, ...) and how a run of flow
  that fails is classified (`flow_failure`, `is_internal_error`);
- syntax trees and their generators (`TreeNode`: walk, leaves, size; `ProgramGenerator`:
  evaluate, choose, choose_weighted; `Retry`; `operations`; `smallest`, for shrinking);
- writing the scripts (`case_stem`, `write_case`) and running flow on them `--jobs` at a time,
  each with a timeout (`run_flow`, `run_all`);
- comparing arrays (`values_difference`, `describe`, `FLOW_DTYPE`) and the pieces of the
  reports (`print_classes`, `print_outcomes`, `print_case`, `print_flow_stderr`,
  `first_message`, `indent`).

The scripts import it by name (`from differential import ...`): run as files, Python puts
their own directory, this one, first on sys.path.
"""

import argparse
import concurrent.futures
import contextlib
import math
import os
import re
import shutil
import subprocess
import textwrap
import traceback
import warnings

import numpy as np

FLOW_TIMEOUT_SECONDS = 30

# The outcomes the tests share (each script lists its classes, with its own twin's error).
AGREE = "agree"
MISMATCH_VALUES = "mismatch (values)"
MISMATCH_TYPE = "mismatch (dtype/shape)"
REJECTED = "flow rejected"
RUNTIME_ERROR = "flow run-time error"
INTERNAL_ERROR = "flow internal error"

# NumPy's dtypes by the names flow gives them.
FLOW_DTYPE = {"bool": "bool", "int32": "i32", "int64": "i64", "float32": "f32",
              "float64": "f64"}


# ------------------------------------------------------------------------------------------------
# The command line and the work directory.


def parse_arguments(description, dir_help):
    """The command line every test takes: --flow, --dir, --seed, --cases, --jobs, --show."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--flow", required=True, help="the flow binary")
    parser.add_argument("--dir", required=True, help=dir_help)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2, help="flow runs at a time")
    parser.add_argument("--show", type=int, default=15, help="failing cases shown in full")
    return parser.parse_args()


def prepare(args, files, dirs=None):
    """The flow binary and the work directory, as absolute paths. The directory is made, and
    what an earlier run left there, which would be read again, is removed: the files whose
    names match the pattern `files` and the directories whose names match `dirs`."""
    flow = os.path.abspath(args.flow)
    workdir = os.path.abspath(args.dir)
    os.makedirs(workdir, exist_ok=True)
    for name in os.listdir(workdir):
        path = os.path.join(workdir, name)
        if dirs and re.fullmatch(dirs, name):
            shutil.rmtree(path)
        elif re.fullmatch(files, name):
            os.remove(path)
    return flow, workdir


# ------------------------------------------------------------------------------------------------
# Literals.


def flow_number(v):
    """A number in flow source: `true`, `nan`, `-inf`, Python's shortest repr of floats."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def py_number(v):
    """A number in Python source, NaN and infinities as NumPy's (`np.nan`, `-np.inf`)."""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return "np.nan"
    if math.isinf(v):
        return "np.inf" if v > 0 else "-np.inf"
    return repr(v)


def operand(text):
    """A number as an operand: negative ones in parentheses (`x ** (-1)`, `2 - (-3)`)."""
    return f"({text})" if text.startswith("-") else text


# ------------------------------------------------------------------------------------------------
# Syntax trees and their generators.


class TreeNode:
    """A node of a syntax tree (a dataclass with `children`; a leaf bound to a name has
    `name`)."""

    def walk(self):
        """The nodes of the tree, children before parents."""
        for child in self.children:
            yield from child.walk()
        yield self

    def leaves(self):
        seen = []
        for node in self.walk():
            if node.name and node not in seen:
                seen.append(node)
        return seen

    @property
    def size(self):
        return sum(1 for _ in self.walk())


@contextlib.contextmanager
def quiet():
    """Python's warnings and NumPy's floating-point errors off, while a twin computes."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class Retry(Exception):
    """The choice made so far cannot give a program worth running; choose again."""


class ProgramGenerator:
    """What the generators of random programs share: they draw from `self.rng`, evaluate the
    twin's code of each node in `self.namespace` and keep the nodes `self.valid` accepts."""

    def evaluate(self, code, namespace=None):
        with quiet():
            return eval(code, namespace or self.namespace)

    def choose(self, build, *args, attempts=8, refused=False):
        """A valid node from `build`, trying again on a bad choice. With `refused`, a program
        the twin refuses is taken too (a mistake, to see that flow refuses it as well)."""
        for _ in range(attempts):
            try:
                node = build(*args)
            except Retry:
                continue
            if self.valid(node) or (refused and node.error):
                return node
        raise Retry()

    def choose_weighted(self, builders, *args, tries=6):
        """A valid node from a builder picked at random by weight (`builders`: (build, weight)
        pairs), trying `tries` picks; None when none gives one."""
        for _ in range(tries):
            build = self.rng.choices([b for b, _ in builders], [w for _, w in builders])[0]
            try:
                return self.choose(build, *args)
            except Retry:
                continue
        return None


def operations(root):
    """The kinds of a tree's nodes (their operations and tags) for the report, each once, in
    the order the tree is walked; numbers are left out."""
    kinds = []
    for node in root.walk():
        for kind in [node.op] + node.tags:
            if kind != "number" and kind not in kinds:
                kinds.append(kind)
    return kinds


def smallest(parts):
    """The part whose tree is smallest (the first of equals), or None when there is none."""
    return min(parts, key=lambda p: p.root.size, default=None)


# ------------------------------------------------------------------------------------------------
# Writing and running the cases.


def case_stem(number):
    """The name of a case's files: case_NNN.flow, and its results'."""
    return f"case_{number:03d}"


def write_case(workdir, case, ops, twin, twin_code):
    """Writes `case.flow_source` to case_NNN.flow under a line naming the case's family and
    operations (`ops`), with its twin (`twin` names it) appended as comments."""
    lines = "\n".join("# " + line for line in twin_code.splitlines())
    with open(os.path.join(workdir, f"{case.stem}.flow"), "w") as f:
        f.write(f"# {case.stem} ({case.family}): {ops}\n{case.flow_source}\n\n"
                f"# The {twin}:\n{lines}\n")


def run_flow(flow, workdir, case):
    """`FLOW run case_NNN.flow` in the work directory: the exit status (None when it timed
    out), stdout and stderr."""
    env = dict(os.environ, NO_COLOR="1")
    try:
        done = subprocess.run([flow, "run", f"{case.stem}.flow"], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=FLOW_TIMEOUT_SECONDS)
        return done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as e:
        stdout = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        stderr = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, stdout, f"timed out after {FLOW_TIMEOUT_SECONDS} s\n{stderr}"


def run_all(flow, workdir, cases, jobs, write_case, classify, failed_outcome, run=run_flow):
    """Writes every case (`write_case(workdir, case)`), runs them `jobs` at a time
    (`run(flow, workdir, case)`) and classifies each as its run ends (`classify(case, workdir,
    code, stdout, stderr)`); a comparison that raises makes `failed_outcome`, with the
    traceback as the difference."""
    for case in cases:
        write_case(workdir, case)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = {pool.submit(run, flow, workdir, c): c for c in cases}
        for future in concurrent.futures.as_completed(runs):
            case = runs[future]
            code, stdout, stderr = future.result()
            try:
                classify(case, workdir, code, stdout, stderr)
            except Exception:
                case.outcome = failed_outcome
                case.difference = "comparing failed:\n" + traceback.format_exc(limit=3)


def is_internal_error(code, stderr):
    return code == 70 or "internal error" in stderr or "flow::eval::kernel_failed" in stderr


def flow_failure(code, stderr, twin_error):
    """The class and a note for a run of flow that failed (an internal error, a timeout, an
    exit status other than 0; `twin_error` is what the twin raised, if it did), or None when
    flow ran to its end."""
    if is_internal_error(code, stderr):
        return INTERNAL_ERROR, ""
    if code is None:
        return RUNTIME_ERROR, "timed out"
    if code != 0:
        if twin_error:
            return AGREE, "both refuse"
        return (REJECTED if code == 1 else RUNTIME_ERROR), ""
    return None


# ------------------------------------------------------------------------------------------------
# Comparing arrays.


def describe(v):
    """A value in a report: numbers as flow writes them."""
    if isinstance(v, np.datetime64):
        return str(v)
    if isinstance(v, np.generic):
        v = v.item()
    return flow_number(v) if isinstance(v, (bool, int, float)) else repr(v)


def values_difference(got, want, dtype, scale, rtol, atol, twin):
    """Why `got` is not `want` (arrays of one shape), if it is not: the first element that
    differs, and how many do. Floats compare with NaN equal to NaN and within `rtol[dtype]`
    and `atol[dtype]` times `scale` (f64's for a dtype they lack); ints and bools exactly.
    `twin` names the other side."""
    if got.dtype.kind in "fc" or want.dtype.kind in "fc":
        g, w = got.astype(np.float64), want.astype(np.float64)
        precision = dtype if dtype in rtol else "f64"
        with np.errstate(all="ignore"):
            close = np.isclose(g, w, rtol=rtol[precision],
                               atol=atol[precision] * max(1.0, scale), equal_nan=True)
        bad = ~close
        tolerance = (f" (rtol {rtol[precision]:g}, atol {atol[precision]:g} × "
                     f"{max(1.0, scale):g})")
    else:
        bad = got != want
        tolerance = ""
    if not np.any(bad):
        return ""
    where = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    index = f"[{', '.join(map(str, where))}]" if where else "the value"
    return (f"{index}: {describe(got[where])}, {twin} {describe(want[where])}{tolerance}; "
            f"{int(np.sum(bad))} of {bad.size} differ")


# ------------------------------------------------------------------------------------------------
# Reporting.


def first_message(stderr):
    """The code and the first `×` line of a diagnostic, for grouping failures."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    code = lines[0] if lines else ""
    message = next((line.lstrip("×").strip() for line in lines if line.startswith("×")), "")
    if "internal error" in code:
        message = next((line for line in lines[1:] if line), "")
    return f"{code}: {message}" if message else code


def indent(text, by="    "):
    return textwrap.indent(text.rstrip() or "(nothing)", by)


def print_classes(cases, classes, width, out):
    """The table of how many cases each class has."""
    print(f"  {'class':<{width}}{'cases':>6}", file=out)
    for cls in classes:
        print(f"  {cls:<{width}}{sum(c.outcome == cls for c in cases):>6}", file=out)


def print_outcomes(cases, families, columns, width, out, clip=False):
    """The table of the cases of each family and of each operation by class (`columns`:
    (class, heading) pairs); with `clip`, a label longer than `width` is cut."""
    rows = [(f"family: {f}", [c for c in cases if c.family == f]) for f in families]
    rows += [(kind, [c for c in cases if kind in c.ops])
             for kind in sorted({k for c in cases for k in c.ops})]
    print(f"  {'family / operation':<{width}}{'cases':>6}" +
          "".join(f"{short:>9}" for _, short in columns), file=out)
    for kind, having in rows:
        label = kind[:width] if clip else kind
        print(f"  {label:<{width}}{len(having):>6}" + "".join(
            f"{sum(c.outcome == cls for c in having):>9}" for cls, _ in columns), file=out)


def print_case(case, ops, twin, twin_code, out):
    """The heading of a failing case shown in full, its flow script and its twin."""
    print(f"\n=== {case.stem}: {case.outcome} ({case.family}; {ops})", file=out)
    print("  flow:\n" + indent(case.flow_source), file=out)
    print(f"  {twin}:\n" + indent(twin_code), file=out)


def print_flow_stderr(case, out, lines=16, with_code=True):
    """What flow wrote to stderr (its first `lines` lines; `with_code`: and its exit status),
    then the case's difference, if any."""
    stderr = "\n".join(case.flow_stderr.splitlines()[:lines])
    code = f" (exit {case.flow_code})" if with_code else ""
    print(f"  flow's stderr{code}:\n" + indent(stderr), file=out)
    if case.difference:
        print("  " + case.difference, file=out)
