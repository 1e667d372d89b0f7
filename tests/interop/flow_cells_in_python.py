"""flow cells in Python notebooks: the flowrt package against NumPy, xarray, pandas, polars,
IPython and a real Jupyter Python kernel (ipykernel, driven by nbclient and jupyter_client).

1. In this process: values handed to flow (NumPy arrays of each dtype, xarray DataArrays and
   Datasets with time coordinates, pandas and polars DataFrames) and results handed back are
   the values NumPy, xarray, pandas and polars compute themselves; bad inputs are clear errors.
2. A notebook run by nbclient on ipykernel: `%load_ext flowrt`, `%%flow -i … -o …` cells,
   printed output, a final expression shown as flow shows it, a flow error as the cell's error
   with flow's diagnostic (code and span) and no Python traceback.
3. jupyter_client: an interrupt stops a long flow cell within seconds; the session lives on.

Run: python flow_cells_in_python.py --package DIR_WITH_flowrt --dir WORK_DIR. Prints one line
per check; exits 1 on the first failure with what was expected and what came.
"""

import argparse
import io
import os
import sys
import warnings

import numpy as np

from checks import check, interrupted


def raises(kind, call):
    try:
        call()
    except kind as error:
        return str(error)
    return None


def arrays(flowrt):
    s = flowrt.Session()
    rng = np.random.default_rng(7)
    a = rng.normal(size=(300, 40))
    s.put("a", a)
    s.run("m = a.mean(axis=0)\nsd = a.std()\nbig = a[a > 1.0].sum()")
    check(np.allclose(s.get("m"), a.mean(axis=0), rtol=1e-12), "a NumPy array in, a mean out")
    check(abs(s.get("sd") - a.std()) < 1e-12, "a scalar out", s.get("sd"))
    check(abs(s.get("big") - a[a > 1.0].sum()) < 1e-9, "a boolean selection")
    for dtype, flow_dtype in [("float32", "float32"), ("int64", "int64"), ("int32", "int32"),
                              ("bool", "bool"), ("uint8", "int32"), ("int16", "int32")]:
        x = (np.arange(24) % 5).astype(dtype).reshape(2, 3, 4)
        s.put("x", x)
        s.run("y = x")
        y = s.get("y")
        check(y.dtype == np.dtype(flow_dtype) and np.array_equal(y, x.astype(flow_dtype)),
              f"{dtype} in, {flow_dtype} out", (y.dtype, y))
    s.put("t", np.asfortranarray(a))
    s.run("tt = t.T[0:3, 5]")
    check(np.array_equal(s.get("tt"), a.T[0:3, 5]), "a Fortran-ordered array keeps its values")
    s.put("n", np.float64(2.5))
    s.put("k", 3)
    s.put("label", "text")
    s.run("v = n * k\nw = label + \"!\"")
    check(s.get("v") == 7.5 and s.get("w") == "text!", "numbers and text both ways")
    error = raises(TypeError, lambda: s.put("c", np.ones(3, dtype=complex)))
    check(error is not None and "complex128" in error, "a complex array is refused by dtype",
          error)
    error = raises(flowrt.FlowError, lambda: s.run("q = nothing_here + 1"))
    check(error is not None and "flow::check::unknown_name" in error and "%%flow[" in error
          and "nothing_here" in error, "a flow error names its code and span", error)
    check(s.get("v") == 7.5, "the session lives on after an error")
    error = raises(NameError, lambda: s.get("f"))
    check(error is not None and "`f`" in error, "an unknown name is a NameError", error)
    s.run("fn f(x) = x + 1")
    error = raises(flowrt.FlowError, lambda: s.get("f"))
    check(error is not None and "flow::eval::not_exported" in error,
          "a function cannot be handed out", error)


def datasets(flowrt):
    import xarray as xr

    s = flowrt.Session()
    time_ = np.arange("2001-01-01", "2003-01-01", dtype="datetime64[D]").astype("datetime64[ns]")
    rng = np.random.default_rng(3)
    t = xr.DataArray(rng.normal(280, 5, size=(time_.size, 4, 5)),
                     dims=("time", "lat", "lon"),
                     coords={"time": time_, "lat": [-30.0, -10.0, 10.0, 30.0],
                             "lon": np.arange(5) * 72.0},
                     attrs={"units": "K", "long_name": "air temperature"}, name="t")
    s.put("t", t)
    s.run('clim = t.groupby("time.month").mean("time")\nanom = t - t.mean("time")\n'
          'monthly = t.resample(time="MS").mean()')
    want = t.groupby("time.month").mean("time")
    clim = s.get("clim")
    check(isinstance(clim, xr.DataArray) and clim.dims == want.dims
          and np.allclose(clim.values, want.values, rtol=1e-12)
          and np.array_equal(clim.month.values, want.month.values),
          "a DataArray in, a monthly climatology out as xarray's", clim)
    anom = s.get("anom")
    check(np.allclose(anom.values, (t - t.mean("time")).values, rtol=1e-12, atol=1e-12)
          and anom.time.dtype.kind == "M" and np.array_equal(anom.time.values, time_),
          "times come back as datetime64", anom.time.values[:3])
    monthly = s.get("monthly")
    want = t.resample(time="MS").mean()
    check(np.allclose(monthly.values, want.values, rtol=1e-12)
          and np.array_equal(monthly.time.values, want.time.values),
          "resample on the times handed in", monthly.time.values[:3])
    ds = xr.Dataset({"t": t, "p": (("time",), rng.normal(1000, 10, size=time_.size),
                                   {"units": "hPa"})}, attrs={"title": "test"})
    s.put("ds", ds)
    s.run("out = ds.isel(lat=slice(0, 2)).mean(\"lon\")")
    out = s.get("out")
    want = ds.isel(lat=slice(0, 2)).mean("lon")
    check(isinstance(out, xr.Dataset) and sorted(out.data_vars) == ["p", "t"]
          and np.allclose(out.t.values, want.t.values, rtol=1e-12)
          and np.allclose(out.p.values, want.p.values, rtol=1e-12)
          and out.attrs.get("title") == "test",
          "a Dataset in, a Dataset out as xarray's", out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s.put("u", t.assign_coords(month=("time", t.time.dt.month.values)))
    check(any("month" in str(w.message) for w in caught),
          "a coordinate flow cannot keep is named in a warning", [str(w.message) for w in caught])


def frames(flowrt):
    import pandas as pd
    import polars as pl

    s = flowrt.Session()
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"city": rng.choice(["Oslo", "Lima", "Pune"], 500),
                       "temp": rng.normal(15, 8, 500), "n": rng.integers(0, 100, 500)})
    s.put("df", df)
    s.run('g = df.groupby("city").agg(mean("temp"), sum("n")).sort("city")\n'
          'hot = df.filter(col("temp") > 20)')
    g = s.get("g")
    want = df.groupby("city").agg(temp=("temp", "mean"), n=("n", "sum")).reset_index()
    check(isinstance(g, pd.DataFrame) and list(g.city) == list(want.city)
          and np.allclose(g.temp, want.temp, rtol=1e-12) and list(g.n) == list(want.n),
          "a pandas DataFrame in, a groupby out as pandas'", g)
    hot = s.get("hot")
    check(len(hot) == int((df.temp > 20).sum()), "a filter's rows", len(hot))
    p = pl.DataFrame({"k": [1, 2, 2, 3], "x": [1.0, 2.0, 3.0, 4.0]})
    s.put("p", p)
    s.run('q = p.groupby("k").agg(sum("x")).sort("k")')
    q = s.get("q")
    check(isinstance(q, pl.DataFrame) and q["x"].to_list() == [1.0, 5.0, 4.0],
          "a polars DataFrame in, polars out", q)
    bad = pd.DataFrame({"d": [pd.Timedelta(1, "s")] * 2})
    error = raises(flowrt.FlowError, lambda: s.put("bad", bad))
    check(error is not None and "flow::input::host_value" in error and "`d`" in error,
          "a column flow cannot hold is refused by name", error)


def notebook(work, package):
    import nbformat
    from nbclient import NotebookClient

    cells = [
        "%load_ext flowrt",
        "import numpy as np\na = np.arange(12.0).reshape(3, 4)",
        '%%flow -i a -o s\ns = a.sum(axis=0)\nprint("total", a.sum())',
        "s.tolist()",
        "%%flow\nundefined_thing + 1",
        "%%flow\nb = ones((100, 100), chunks=50)\nb",
        "%%flow\nprint((b * s.sum()).sum())",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": work}})
    client.execute()
    outs = [c.outputs for c in nb.cells]
    check(outs[0] == [], "%load_ext flowrt", outs[0])
    check([(o["output_type"], o.get("text")) for o in outs[2]] == [("stream", "total 66.0\n")],
          "a %%flow cell prints to the cell", outs[2])
    check(outs[3][0]["data"]["text/plain"] == "[12.0, 15.0, 18.0, 21.0]",
          "-o hands the result back to Python", outs[3])
    error = outs[4][0]
    traceback = "\n".join(error.get("traceback", []))
    check(error["output_type"] == "error" and error["ename"] == "FlowError"
          and "flow::check::unknown_name" in traceback and "undefined_thing" in traceback
          and "site-packages" not in traceback and "magic.py" not in traceback,
          "a flow error is the cell's error, flow's diagnostic alone", error)
    data = outs[5][0]["data"]
    check(data["text/plain"].startswith("array<f64>[100, 100]") and "<svg" in data["text/html"],
          "a final expression shows as flow shows it (chunk picture)", data)
    check([o.get("text") for o in outs[6]] == ["660000.0\n"],
          "bindings live across cells, -o values too", outs[6])


def interrupt(package):
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.execute_interactive("%load_ext flowrt", timeout=60)
        reply, took = interrupted(
            manager, client,
            "%%flow\nx = random.uniform(size=(20000, 20000), chunks=1000)\nprint((x * x).std())",
            1.5)
        content = reply["content"]
        check(content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
              and took < 10, f"an interrupt stops a flow cell ({took:.1f} s)", content)
        reply = client.execute_interactive('%%flow\nprint("still", 1 + 1)', timeout=60)
        check(reply["content"]["status"] == "ok", "the session lives on after the interrupt",
              reply["content"])
    finally:
        manager.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--package", required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sys.path.insert(0, args.package)
    # The Python kernels the notebook and the interrupt check start import flowrt from there.
    os.environ["PYTHONPATH"] = args.package
    import flowrt

    check(flowrt.__version__.count(".") == 2, "flowrt imports", flowrt.__version__)
    arrays(flowrt)
    datasets(flowrt)
    frames(flowrt)
    notebook(args.dir, args.package)
    interrupt(args.package)


if __name__ == "__main__":
    main()
