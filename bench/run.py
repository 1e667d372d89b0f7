#!/usr/bin/env python3
"""Run flow's bench scripts and the Dask anchors side by side, in one run, and print a table.

usage: python3 bench/run.py [ROW_REGEX] [--repeat N] [--flow target/release/flow]

Each row runs `flow run bench/wN.flow` and the anchor `../shared/bench/anchors/wN_*.py
--engine dask` (threads scheduler) alternately, REPEAT times each, and reports the median
whole-process wall time and peak RSS of each, their ratio, and whether the RESULT lines agree
(by the workload's own rule). Anchors run with the Python in .venv-anchors (see bench/README.md).
"""
import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANCHORS = os.path.join(ROOT, "..", "shared", "bench", "anchors")


def close(a, b, rel):
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=0.0)


def w3_agree(flow, anchor):
    # Random streams differ between tools: compare the invariants the anchor documents.
    n = 200_000_000
    centre = n * 0.039827837277
    ok = all(abs(int(r["total"]) - n) < 1000 for r in (flow, anchor))
    ok &= all(abs(int(r[b]) - centre) < 3e3 * 3 for r in (flow, anchor) for b in ("bin49", "bin50"))
    return ok


# id, flow script and arguments, anchor script and arguments, agreement rule
ROWS = [
    ("W1", "w1.flow", [], "w1_ones_reverse_mean.py", [], lambda f, a: float(f["mean"]) == float(a["mean"]) == 1.0),
    ("W2", "w2.flow", [], "w2_cos2_mean_axis0.py", [],
     lambda f, a: all(close(f[k], a[k], 1e-11) for k in ("min", "max", "mean") if k in a)),
    ("W3", "w3.flow", [], "w3_random_histogram.py", [], w3_agree),
    ("W4", "w4.flow", [], "w4_h5_mean.py", [], lambda f, a: close(f["mean"], a["mean"], 1e-12)),
    ("W4 vs NumPy block loop", "w4.flow", [], "w4_h5_mean.py", ["--engine", "numpy-blocks"],
     lambda f, a: close(f["mean"], a["mean"], 1e-12)),
    ("W5", "w5.flow", [], "w5_stack_frames.py", [],
     lambda f, a: f["frames"] == a["frames"] and all(close(f[k], a[k], 1e-13) for k in ("min", "max", "mean"))),
    ("W6", "w6.flow", [], "w6_ssh_xarray.py", [],
     lambda f, a: all(close(f[k], a[k], 1e-5) for k in ("clim_nanmean", "var_nanmax", "var_nanmean", "gm_first", "gm_last", "gm_mean"))
     and all(f[k] == a[k] for k in ("clim_valid", "var_valid_lats", "ntime"))),
    ("W6 vs NumPy", "w6.flow", [], "w6_ssh_xarray.py", ["--engine", "numpy"],
     lambda f, a: all(close(f[k], a[k], 1e-5) for k in ("clim_nanmean", "var_nanmean", "gm_mean"))),
    ("W7", "w7.flow", [], "w7_flights_groupby.py", [],
     lambda f, a: f.keys() == a.keys() and all(abs(float(f[k]) - float(a[k])) <= 1e-9 for k in a)),
    ("W7 vs polars", "w7.flow", [], "w7_flights_groupby.py", ["--engine", "polars"],
     lambda f, a: f.keys() == a.keys() and all(abs(float(f[k]) - float(a[k])) <= 1e-9 for k in a)),
    ("W8", "w8.flow", [], "w8_weather.py", [],
     lambda f, a: f.keys() == a.keys() and all(float(f[k]) == float(a[k]) for k in a)),
    ("W8 vs polars", "w8.flow", [], "w8_weather.py", ["--engine", "polars"],
     lambda f, a: f.keys() == a.keys() and all(float(f[k]) == float(a[k]) for k in a)),
    ("W9a", "w9a.flow", [], "w9_overhead.py", ["--part", "a"], lambda f, a: int(f["a_result"]) == int(a["a_result"])),
    ("W9b", "w9b.flow", [], "w9_overhead.py", ["--part", "b"], lambda f, a: float(f["b_result"]) == float(a["b_result"])),
    ("W10", "w10.flow", [], "w10_slow_delayed.py", [], lambda f, a: int(f["result"]) == int(a["result"]) == 44),
    # NumPy-parity operations; their Dask anchors are in bench/anchors/.
    ("N1 matmul", "n1.flow", [], "n1_matmul.py", [], lambda f, a: float(f["sum"]) == float(a["sum"])),
    ("N2 reshape", "n2.flow", [], "n2_reshape.py", [], lambda f, a: float(f["sum"]) == float(a["sum"])),
    ("N3 cumsum", "n3.flow", [], "n3_cumsum.py", [], lambda f, a: f == a),
    ("N4 percentile", "n4.flow", [], "n4_percentile.py", [],
     lambda f, a: abs(float(f["sum"]) - float(a["sum"])) <= 1e-9 * abs(float(a["sum"]))),
    # The xarray everyday; anchors are xarray on Dask, in bench/anchors/.
    ("X1 rolling", "x1.flow", [], "x1_rolling.py", [],
     lambda f, a: abs(float(f["sum"]) - float(a["sum"])) <= 1e-9 * abs(float(a["sum"]))),
    ("X2 rolling ssh", "x2.flow", [], "x2_rolling_ssh.py", [],
     lambda f, a: abs(float(f["sum"]) - float(a["sum"])) <= 1e-5 * abs(float(a["sum"]))),
    ("X3 climatology ssh", "x3.flow", [], "x3_climatology_ssh.py", [],
     lambda f, a: abs(float(f["ms"]) - float(a["ms"])) <= 1e-5 * abs(float(a["ms"]))),
    ("X4 resample ssh", "x4.flow", [], "x4_resample_ssh.py", [],
     lambda f, a: abs(float(f["sum"]) - float(a["sum"])) <= 1e-5 * abs(float(a["sum"]))),
    ("W10 (8 workers)", "w10.flow", ["--threads", "8"], "w10_slow_delayed.py", ["--workers", "8"],
     lambda f, a: int(f["result"]) == int(a["result"]) == 44),
]


def run(command):
    """Wall seconds, peak RSS in MB, and stdout of one whole-process run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out = process.stdout.read()
    process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(command)}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def result(text):
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return dict(part.split("=", 1) for part in line.split()[1:])
    raise SystemExit(f"no RESULT line in:\n{text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", nargs="?", default=".", help="regex of the workload ids to run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flow", default=os.path.join(ROOT, "target", "release", "flow"))
    parser.add_argument("--python", default=os.path.join(ROOT, ".venv-anchors", "bin", "python"))
    parser.add_argument("--generate-data", action="store_true",
                        help="make the seeded datasets (../shared/bench/gen_data.py) into $FLOWDATA first")
    args = parser.parse_args()
    env_data = os.environ.setdefault("FLOWDATA", os.path.join(ROOT, "bench-data"))
    if args.generate_data and not os.path.isdir(env_data):
        subprocess.run([args.python, os.path.join(ANCHORS, "..", "gen_data.py"), env_data], check=True)
    print(f"flow: {args.flow} · anchors: {args.python} · data: {env_data} · {args.repeat} runs each, alternating\n")
    print("| workload | flow median | Dask median | flow / Dask | flow peak RSS | Dask peak RSS | results agree |")
    print("|---|---|---|---|---|---|---|")
    for name, script, flow_args, anchor, anchor_args, agree in ROWS:
        if not re.search(args.rows, name):
            continue
        flow_command = [args.flow, "run", "--no-progress", *flow_args, os.path.join("bench", script)]
        own = os.path.join(ROOT, "bench", "anchors", anchor)
        anchor_path = own if os.path.exists(own) else os.path.join(ANCHORS, anchor)
        anchor_command = [args.python, anchor_path, "--engine", "dask", *anchor_args]
        flow_runs, anchor_runs = [], []
        for _ in range(args.repeat):
            flow_runs.append(run(flow_command))
            anchor_runs.append(run(anchor_command))
        flow_wall = statistics.median(r[0] for r in flow_runs)
        anchor_wall = statistics.median(r[0] for r in anchor_runs)
        flow_rss = statistics.median(r[1] for r in flow_runs)
        anchor_rss = statistics.median(r[1] for r in anchor_runs)
        agrees = agree(result(flow_runs[0][2]), result(anchor_runs[0][2]))
        print(f"| {name} | {flow_wall:.2f} s | {anchor_wall:.2f} s | {flow_wall / anchor_wall:.3f} "
              f"| {flow_rss:.0f} MB | {anchor_rss:.0f} MB | {'yes' if agrees else 'NO'} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
