"""The Python half of the interoperability stage (tests/interop.rs runs it in a venv with numpy,
h5py, netCDF4 and xarray from PyPI).

  python check.py write-inputs DIR    Python -> flow. Write HDF5 and netCDF files into DIR as
                                      h5py, xarray and netCDF4 users do, and DIR/expected.txt:
                                      what tests/interop/read.flow must print when it reads them.
  python check.py check-roundtrip DIR Python -> flow -> Python. After read.flow: the datasets it
                                      opened and saved again are what xarray reads in the originals.
  python check.py check-outputs DIR   flow -> Python. Check the files tests/interop/write.flow
                                      wrote into DIR (DIR also holds its input, ssh_small.nc).

expected.txt has one line per value: `@key<TAB>rtol<TAB>atol<TAB>text`, `text` written as flow
prints values. The Rust test splits both texts into tokens (numbers, quoted strings, words; the
punctuation between them is ignored) and compares numbers within the tolerance.
"""
import json
import math
import os
import sys
import warnings

import h5py
import netCDF4
import numpy as np
import pandas as pd
import xarray as xr

# Tolerances: values stored as f32 are compared relatively at f32 precision; f64 scalars (which
# flow prints exactly) tightly; f64 arrays, which flow prints as NumPy does (8 decimals), loosely.
F32 = (2e-6, 2e-6)
F64 = (1e-12, 1e-12)
F64_PRINTED = (1e-7, 1e-8)
EXACT = (0, 0)

FLOW_DTYPE = {
    "float32": "f32",
    "float64": "f64",
    "int32": "i32",
    "int64": "i64",
    "bool": "bool",
}
# read_hdf5 widens integers (docs/files.md): up to 32 bits (unsigned up to 16) -> i32, wider -> i64.
HDF5_DTYPE = dict(FLOW_DTYPE, int8="i32", int16="i32", uint8="i32", uint16="i32")


# --------------------------------------------------------------------------- Python -> flow


def flow_text(value):
    """A value as flow prints it (only the tokens matter: numbers, quoted strings, words)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, np.ndarray):
        return flow_text(value.tolist()) if value.ndim else flow_text(value.item())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow_text(v) for v in value) + "]"
    raise TypeError(f"no flow text for {value!r}")


class Expected:
    def __init__(self, path):
        self.file = open(path, "w")
        self.keys = set()

    def __call__(self, key, value, tolerance=EXACT):
        assert key not in self.keys, key
        self.keys.add(key)
        rtol, atol = tolerance
        self.file.write(f"@{key}\t{rtol}\t{atol}\t{flow_text(value)}\n")

    def close(self):
        self.file.close()


def attrs_of(obj):
    """Attributes as flow shows them: numbers and strings; arrays of numbers as lists."""
    out = {}
    for k, v in obj.items():
        if isinstance(v, np.ndarray):
            v = v.tolist()
        out[k] = v
    return out


def shown_dates(times):
    """Dates as flow shows a decoded time coordinate: the day, with the time when not midnight."""
    out = []
    for t in pd.DatetimeIndex(times):
        if (t.hour, t.minute, t.second) == (0, 0, 0):
            out.append(t.strftime("%Y-%m-%d"))
        else:
            out.append(t.strftime("%Y-%m-%dT%H:%M" + (":%S" if t.second else "")))
    return out


def write_hdf5(d, expect):
    rng = np.random.default_rng(7)
    data = {
        "floats/f8": rng.normal(size=(50, 40)),
        "floats/f4": rng.normal(10.0, 3.0, size=(33, 17)).astype("f4"),
        "floats/contiguous": np.linspace(-1.0, 1.0, 120).reshape(4, 5, 6),
        "ints/i2": rng.integers(-30000, 30000, size=100, dtype="i2"),
        "ints/i4": rng.integers(-2**31, 2**31 - 1, size=(20, 30), dtype="i4"),
        "ints/i8": rng.integers(-2**40, 2**40, size=1000, dtype="i8"),
        "ints/u2": rng.integers(0, 65535, size=(9, 11), dtype="u2"),
        "flags": rng.random(size=(6, 7)) < 0.3,
    }
    layout = {
        "floats/f8": dict(chunks=(16, 16), compression="gzip"),
        "floats/f4": dict(chunks=(10, 5), compression="gzip", shuffle=True),
        "floats/contiguous": dict(),
        "ints/i2": dict(chunks=(32,), compression="gzip"),
        "ints/i4": dict(chunks=(7, 7), compression="gzip", compression_opts=9),
        "ints/i8": dict(chunks=(128,), compression="gzip", shuffle=True),
        "ints/u2": dict(chunks=(4, 4)),
        "flags": dict(chunks=(3, 3), compression="gzip"),
    }
    with h5py.File(os.path.join(d, "h5py_types.h5"), "w") as f:
        for name, values in data.items():
            f.create_dataset(name, data=values, **layout[name])
        f["floats"].attrs["note"] = "groups and attributes are h5py's"

    for name, values in data.items():
        key = "h5." + name.replace("/", ".")
        floating = values.dtype.kind == "f"
        tol = F32 if values.dtype == np.float32 else F64
        expect(key + ".dtype", HDF5_DTYPE[str(values.dtype)])
        expect(key + ".shape", values.shape)
        if values.dtype == np.bool_:
            expect(key + ".sum", int(values.sum()))
            expect(key + ".any0", values.any(axis=0))
            expect(key + ".all1", values.all(axis=1))
            expect(key + ".item", values[2, 5])
            continue
        wide = values.astype("f8") if floating else values.astype("i8")
        expect(key + ".sum", wide.sum(), tol if floating else EXACT)
        expect(key + ".min", values.min(), tol if floating else EXACT)
        expect(key + ".max", values.max(), tol if floating else EXACT)
        head = values[(0,) * (values.ndim - 1)][:6]
        expect(key + ".head", head, (F64_PRINTED if tol == F64 else tol) if floating else EXACT)
        if floating:
            expect(key + ".mean", wide.mean(), tol)
            expect(key + ".std", wide.std(), tol)
    f8 = data["floats/f8"]
    expect("h5.floats.f8.item", f8[3, 7], F64)
    expect("h5.floats.f8.last", f8[-1, -1], F64)
    expect("h5.floats.f8.mean0", f8.mean(axis=0)[:6], F64_PRINTED)
    expect("h5.floats.f8.rechunked_sum", f8.sum(), F64)
    expect("h5.floats.f8.slice", f8[10:12, 3:9:2], F64_PRINTED)
    f4 = data["floats/f4"]
    expect("h5.floats.f4.item", f4[32, 16], F32)
    expect("h5.floats.f4.sum1", f4.astype("f8").sum(axis=1)[:5], F32)
    expect("h5.ints.i4.sum0", data["ints/i4"].astype("i8").sum(axis=0)[:5])
    expect("h5.ints.i8.item", data["ints/i8"][500])
    expect("h5.floats.contiguous.mean12", data["floats/contiguous"].mean(axis=(1, 2)), F64_PRINTED)

    # Frames in several files, stacked by a pattern along a new first axis.
    os.makedirs(os.path.join(d, "frames"))
    frames = [rng.normal(size=(8, 9)).astype("f4") for _ in range(5)]
    for k, frame in enumerate(frames):
        with h5py.File(os.path.join(d, "frames", f"frame_{k:02d}.h5"), "w") as f:
            f.create_dataset("x", data=frame, chunks=(4, 9), compression="gzip")
    stack = np.stack(frames).astype("f8")
    expect("h5.frames.shape", stack.shape)
    expect("h5.frames.sum0_row", stack.sum(axis=0)[0], F32)
    expect("h5.frames.mean12", stack.mean(axis=(1, 2)), F32)
    expect("h5.frames.max", stack.max(), F32)


def write_xarray(d, expect):
    rng = np.random.default_rng(11)
    time = pd.date_range("2000-01-01", periods=6, freq="D")
    lat = np.array([-45.0, 0.0, 45.0])
    lon = np.array([10.0, 20.0, 30.0, 40.0], dtype="f4")
    temp = rng.normal(15.0, 5.0, size=(6, 3, 4))
    temp[1, 2, 3] = np.nan
    temp[4, 0, :] = np.nan
    precip = rng.uniform(0.0, 50.0, size=(6, 3, 4))
    precip[2, 1, 1] = np.nan
    count = rng.integers(0, 100, size=6).astype("i4")
    ds = xr.Dataset(
        {
            "temp": (("time", "lat", "lon"), temp,
                     {"units": "degC", "long_name": "air temperature"}),
            "precip": (("time", "lat", "lon"), precip,
                       {"units": "mm/day", "long_name": "precipitation"}),
            "count": (("time",), count, {"long_name": "stations reporting"}),
        },
        coords={
            "time": ("time", time, {"long_name": "time"}),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
        },
        attrs={"title": "written by xarray", "Conventions": "CF-1.8", "version": np.int32(3),
               "resolution": 0.25, "levels": np.array([1.5, 2.5, 3.5])},
    )
    path = os.path.join(d, "xarray_ds.nc")
    ds.to_netcdf(path, encoding={
        # CF time in hours since the day before, and a packed int16 with a fill value.
        "time": {"units": "hours since 1999-12-31 00:00:00", "calendar": "proleptic_gregorian"},
        "precip": {"dtype": "int16", "scale_factor": 0.01, "add_offset": 25.0,
                   "_FillValue": np.int16(-32768)},
        "temp": {"zlib": True, "complevel": 4, "chunksizes": (2, 3, 4)},
    })

    # What flow must see is what xarray decodes from the file.
    with xr.open_dataset(path) as back:
        back.load()
    assert (back.time.values == time.values).all()
    expect("xr.sizes", dict(back.sizes))
    expect("xr.attrs", attrs_of(back.attrs), F64)
    expect("xr.data_vars", list(back.data_vars))
    t, p = back.temp, back.precip
    expect("xr.temp.dims", t.dims)
    expect("xr.temp.attrs", attrs_of(t.attrs))
    expect("xr.temp.dtype", FLOW_DTYPE[str(t.dtype)])
    expect("xr.temp.values", t.values, F64_PRINTED)
    expect("xr.temp.sum", float(t.sum()), F64)
    expect("xr.temp.nan_count", int(np.isnan(t.values).sum()))
    expect("xr.temp.time_mean", t.mean("time").values, F64_PRINTED)
    expect("xr.time.dates", shown_dates(back.time.values))
    expect("xr.temp.day3", t.sel(time="2000-01-03").values, F64_PRINTED)
    expect("xr.temp.days2to4", float(t.sel(time=slice("2000-01-02", "2000-01-04")).sum()), F64)
    expect("xr.temp.days2to4.sizes", dict(t.sel(time=slice("2000-01-02", "2000-01-04")).sizes))
    expect("xr.temp.lat_std", t.std(("time", "lon")).values, F64_PRINTED)
    expect("xr.lat", back.lat.values, F64)
    expect("xr.lat.attrs", attrs_of(back.lat.attrs))
    expect("xr.lon", back.lon.values, F32)
    expect("xr.lon.dtype", FLOW_DTYPE[str(back.lon.dtype)])
    expect("xr.lon.sel", float(t.sel(lon=21.0, method="nearest").sum()), F64)
    expect("xr.precip.dtype", FLOW_DTYPE[str(p.dtype)])
    expect("xr.precip.attrs", attrs_of(p.attrs))
    expect("xr.precip.values", p.values, F64_PRINTED)
    expect("xr.precip.max", float(p.max()), F64)
    expect("xr.precip.nan_count", int(np.isnan(p.values).sum()))
    expect("xr.precip.area_mean", p.mean(("lat", "lon")).values, F64_PRINTED)
    expect("xr.count.dtype", FLOW_DTYPE[str(back["count"].dtype)])
    expect("xr.count.values", back["count"].values)
    expect("xr.count.sum", int(back["count"].sum()))

    # Daily files as xarray writes them, one per day: no unlimited dimension, and each file's
    # time in units of its own first day ("days since 2021-06-03"), so each file holds time 0.
    os.makedirs(os.path.join(d, "xr_daily"))
    t2m = rng.normal(290.0, 5.0, size=(4, 3, 5)).astype("f4")
    daily = xr.Dataset(
        {"t2m": (("time", "lat", "lon"), t2m, {"units": "K", "long_name": "2 m temperature"})},
        coords={"time": pd.date_range("2021-06-01", periods=4, freq="D"),
                "lat": [50.0, 51.0, 52.0], "lon": np.arange(5.0)},
        attrs={"title": "daily files written by xarray"},
    )
    for k in range(4):
        daily.isel(time=slice(k, k + 1)).to_netcdf(os.path.join(d, "xr_daily", f"day_{k}.nc"))
    with netCDF4.Dataset(os.path.join(d, "xr_daily", "day_2.nc")) as nc:
        assert nc["time"].units == "days since 2021-06-03 00:00:00", nc["time"].units
    expect("xr.daily.sizes", dict(daily.sizes))
    expect("xr.daily.attrs", dict(daily.attrs))
    expect("xr.daily.t2m.attrs", dict(daily.t2m.attrs))
    expect("xr.daily.time.dates", shown_dates(daily.time.values))
    expect("xr.daily.t2m.day3", daily.t2m.sel(time="2021-06-03").values, F32)
    expect("xr.daily.t2m.time_mean", daily.t2m.astype("f8").mean("time").values, F32)

    # The raw file holds the packed integers and the time units (a check on this script); flow
    # shows a variable's attributes as in the file, less the CF encoding ones it has applied.
    with netCDF4.Dataset(path) as nc:
        assert nc["precip"].dtype == np.int16 and nc["time"].units.startswith("hours since")
        expect("xr.time.attrs", {k: nc["time"].getncattr(k) for k in nc["time"].ncattrs()
                                 if k not in ("_FillValue", "missing_value", "scale_factor",
                                              "add_offset")})


def write_netcdf4(d, expect):
    rng = np.random.default_rng(5)
    # Daily files, one record each along an unlimited `time`, as products come.
    os.makedirs(os.path.join(d, "daily"))
    y = np.array([60.0, 61.0, 62.0])
    x = np.array([-5.0, -4.0, -3.0, -2.0, -1.0])
    days = []
    for k in range(4):
        sst = (10.0 + k + rng.normal(size=(3, 5))).astype("f4")
        mask = np.zeros((3, 5), bool)
        mask[0, 0] = True                # land everywhere
        mask[k % 3, 4] = True            # cloud, moving
        days.append(np.where(mask, np.nan, sst.astype("f8")))
        with netCDF4.Dataset(os.path.join(d, "daily", f"day_{k}.nc"), "w") as nc:
            nc.title = "daily product written by netCDF4"
            nc.createDimension("time", None)
            nc.createDimension("y", 3)
            nc.createDimension("x", 5)
            vt = nc.createVariable("time", "f8", ("time",))
            vt.units = "days since 2020-01-01 00:00:00"
            vt.calendar = "gregorian"
            vy = nc.createVariable("y", "f8", ("y",))
            vx = nc.createVariable("x", "f8", ("x",))
            vy.units, vx.units = "degrees_north", "degrees_east"
            v = nc.createVariable("sst", "f4", ("time", "y", "x"), fill_value=np.float32(-999.0),
                                  zlib=True, chunksizes=(1, 3, 5))
            v.units = "degC"
            v.long_name = "sea surface temperature"
            vt[:] = [float(k)]
            vy[:] = y
            vx[:] = x
            v[0] = np.ma.masked_array(sst, mask)
    sst = np.stack(days)
    expect("nc.mf.sizes", {"time": 4, "y": 3, "x": 5})
    expect("nc.mf.attrs", {"title": "daily product written by netCDF4"})
    expect("nc.mf.sst.dtype", "f32")
    expect("nc.mf.sst.attrs", {"units": "degC", "long_name": "sea surface temperature"})
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # the all-land column's mean is NaN
        expect("nc.mf.sst.time_mean", np.nanmean(sst, axis=0), F32)
    expect("nc.mf.sst.day3", sst[2], F32)
    expect("nc.mf.sst.sum", np.nansum(sst), F32)
    expect("nc.mf.sst.nan_count", int(np.isnan(sst).sum()))
    expect("nc.mf.sst.last2", np.nanmean(sst[2:], axis=(1, 2)), F32)
    expect("nc.mf.x", x, F64)
    expect("nc.mf.time.dates", shown_dates(pd.date_range("2020-01-01", periods=4, freq="D")))

    # CF time units written in the other ways the standard (UDUNITS) allows; xarray and cftime
    # decode them all.
    os.makedirs(os.path.join(d, "units"))
    days = [pd.Timestamp("2010-01-01"), pd.Timestamp("2010-01-02")]
    for k, units in enumerate([
        "days since 2000-1-1",
        "seconds since 1970-01-01T00:00:00Z",
        "hours since 1900-01-01 00:00:00.0",
        "days since 1800-01-01 00:00:0.0",
        "days since 2000-01-01 00:00:00 UTC",
        "hours since 2000-01-01 00:00:00+00:00",
    ]):
        with netCDF4.Dataset(os.path.join(d, "units", f"units_{k}.nc"), "w") as nc:
            nc.createDimension("time", 2)
            vt = nc.createVariable("time", "f8", ("time",))
            vt.units = units
            vt[:] = netCDF4.date2num([t.to_pydatetime() for t in days], units, "standard")
            nc.createVariable("v", "f8", ("time",))[:] = [1.0, 2.0]
        with xr.open_dataset(os.path.join(d, "units", f"units_{k}.nc")) as back:
            assert list(back.time.values) == [np.datetime64(t) for t in days], (units, back.time)
        expect(f"nc.units_{k}.dates", shown_dates(days))

    # Packed by hand, as netCDF4 users do: int16 with float32 scale and offset and a
    # missing_value (no _FillValue); CF decoding gives float32 (xarray agrees).
    path = os.path.join(d, "nc4_packed.nc")
    raw = (np.arange(12, dtype="i2").reshape(4, 3) * 37 - 200).astype("i2")
    raw[2, 1] = -1
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("t", 4)
        nc.createDimension("z", 3)
        v = nc.createVariable("level", "i2", ("t", "z"))
        v.set_auto_maskandscale(False)
        v.scale_factor = np.float32(0.5)
        v.add_offset = np.float32(100.0)
        v.missing_value = np.int16(-1)
        v.units = "cm"
        v[:] = raw
    with xr.open_dataset(path) as back:
        level = back.level.load()
    expected = np.where(raw == -1, np.nan, raw.astype("f4") * np.float32(0.5) + np.float32(100.0))
    assert np.allclose(level.values, expected, equal_nan=True), (level.values, expected)
    expect("nc.packed.dtype", FLOW_DTYPE[str(level.dtype)])
    expect("nc.packed.dims", level.dims)
    expect("nc.packed.attrs", {"units": "cm"})
    expect("nc.packed.values", level.values, F32)
    expect("nc.packed.sum", float(np.nansum(level.values.astype("f8"))), F32)

    # A missing_value may be a list: every value in it is missing (CF; xarray masks them all).
    path = os.path.join(d, "nc4_missing.nc")
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("n", 5)
        v = nc.createVariable("depth", "f8", ("n",))
        v.set_auto_maskandscale(False)
        v.missing_value = np.array([-1.0, -2.0])
        v[:] = [5.0, -1.0, -2.0, 7.0, -2.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # xarray warns that several values are missing
        with xr.open_dataset(path) as back:
            depth = back.depth.load()
    assert np.isnan(depth.values).sum() == 3, depth.values
    expect("nc.missing_list.values", depth.values, F64)


    # `_Unsigned`: NETCDF3 has no unsigned types, so unsigned bytes are stored signed and marked
    # `_Unsigned = "true"` (fill values too are given signed); `"false"` on an unsigned type
    # reads it signed. xarray reads the bits in the other signedness.
    path = os.path.join(d, "nc3_unsigned.nc")
    with netCDF4.Dataset(path, "w", format="NETCDF3_CLASSIC") as nc:
        nc.createDimension("n", 4)
        nc.createDimension("m", 5)
        v = nc.createVariable("flag", "i1", ("n",))
        v.set_auto_maskandscale(False)
        v._Unsigned = "true"
        v[:] = np.array([-1, -128, 127, 0], "i1")
        v = nc.createVariable("packed", "i2", ("m",), fill_value=np.int16(-1))
        v.set_auto_maskandscale(False)
        v._Unsigned = "true"
        v.scale_factor = 0.5
        v.add_offset = 10.0
        v[:] = np.array([-2, -1, 0, 32767, -32768], "i2")
    path4 = os.path.join(d, "nc4_signed.nc")
    with netCDF4.Dataset(path4, "w") as nc:
        nc.createDimension("n", 3)
        v = nc.createVariable("level", "u1", ("n",))
        v.set_auto_maskandscale(False)
        v._Unsigned = "false"
        v[:] = np.array([255, 128, 1], "u1")
    with xr.open_dataset(path) as back:
        flag, packed = back.flag.load(), back.packed.load()
    with xr.open_dataset(path4) as back:
        level = back.level.load()
    assert list(flag.values) == [255, 128, 127, 0], flag.values
    assert list(level.values) == [-1, -128, 1], level.values
    expect("nc.unsigned.flag.values", flag.values)
    expect("nc.unsigned.flag.sum", int(flag.values.astype("i8").sum()))
    expect("nc.unsigned.flag.attrs", attrs_of(flag.attrs))
    expect("nc.unsigned.packed.dtype", FLOW_DTYPE[str(packed.dtype)])
    expect("nc.unsigned.packed.values", packed.values, F64_PRINTED)
    expect("nc.unsigned.signed.values", level.values)


def write_inputs(d):
    expect = Expected(os.path.join(d, "expected.txt"))
    write_hdf5(d, expect)
    write_xarray(d, expect)
    write_netcdf4(d, expect)
    expect.close()
    print(f"wrote {len(expect.keys)} expected values")


# --------------------------------------------------------------------------- flow -> Python


class Checks:
    """Collects failures so that one run reports all of them."""

    def __init__(self):
        self.failures = []
        self.passed = 0

    def __call__(self, what, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{what}{': ' + detail if detail else ''}")

    def equal(self, what, got, want):
        self(what, got == want, f"got {got!r}, want {want!r}")

    def close(self, what, got, want, rtol=1e-12, atol=0.0):
        got, want = np.asarray(got), np.asarray(want)
        ok = got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        self(what, ok, f"got {got!r}, want {want!r}")

    def exact(self, what, got, want):
        got, want = np.asarray(got), np.asarray(want)
        if got.dtype.kind == want.dtype.kind == "M":   # datetimes: the same instants, any unit
            got, want = got.astype("datetime64[ns]"), want.astype("datetime64[ns]")
        ok = got.shape == want.shape and got.dtype == want.dtype and np.array_equal(
            got, want, equal_nan=want.dtype.kind == "f")
        self(what, ok, f"got {got.dtype}{got.shape} {got!r}, want {want.dtype}{want.shape} {want!r}")

    def attempt(self, what, fn):
        try:
            fn()
        except Exception as e:  # a file that does not open is a failure, not a crash of the check
            self(what, False, f"{type(e).__name__}: {e}")


def check_hdf5(d, check):
    def grid():
        with h5py.File(os.path.join(d, "grid.h5"), "r") as f:
            check.equal("grid.h5 groups", sorted(f.keys()), ["results"])
            g = f["results/grid"]
            check.exact("grid.h5 /results/grid values", g[()], np.arange(1200.0).reshape(40, 30))
            check.equal("grid.h5 chunks", g.chunks, (7, 11))
            check.equal("grid.h5 compression", g.compression, "gzip")
            check.exact("grid.h5 hyperslab [5:9, 20:]", g[5:9, 20:],
                        np.arange(1200.0).reshape(40, 30)[5:9, 20:])

    def noise():
        with h5py.File(os.path.join(d, "noise.h5"), "r") as f:
            noise = f["noise"][()]
            check.equal("noise.h5 dtype/shape", (noise.dtype, noise.shape), (np.dtype("f8"), (40, 30)))
            check.equal("noise.h5 chunks", f["noise"].chunks, (7, 11))
            check("noise.h5 looks normal", abs(noise.mean()) < 0.2 and 0.8 < noise.std() < 1.2,
                  f"mean {noise.mean()}, std {noise.std()}")
        with h5py.File(os.path.join(d, "colmean.h5"), "r") as f:
            check.close("colmean.h5 = mean(cos(noise)**2, axis=0)", f["colmean"][()],
                        (np.cos(noise) ** 2).mean(axis=0))
        with h5py.File(os.path.join(d, "rowstd.h5"), "r") as f:
            check.close("rowstd.h5 = std(noise, axis=1, ddof=1)", f["rowstd"][()],
                        noise.std(axis=1, ddof=1))
        with h5py.File(os.path.join(d, "clipped.h5"), "r") as f:
            check.close("clipped.h5 = where(noise > 1, noise, 0).sum(axis=1)", f["clipped"][()],
                        np.where(noise > 1.0, noise, 0.0).sum(axis=1))

    def dtypes():
        cases = [
            ("i32.h5", "ints", np.arange(10, dtype="i4") * 3),
            ("i64.h5", "big", np.arange(-5, 5, dtype="i8") * 1_000_000_000_000),
            ("f32.h5", "fractions", np.linspace(0, 1, 11).astype("f4")),
            ("mask.h5", "mask", np.arange(10) % 3 == 0),
        ]
        for file, name, want in cases:
            with h5py.File(os.path.join(d, file), "r") as f:
                check.exact(f"{file} /{name}", f[name][()], want)

    check.attempt("grid.h5", grid)
    check.attempt("noise.h5 and results", noise)
    check.attempt("dtype files", dtypes)


def check_netcdf(d, check):
    src = xr.open_dataset(os.path.join(d, "ssh_small.nc")).load()
    days = np.array(["2010-01-01", "2010-01-02"], dtype="datetime64[ns]")

    def coords_like_source(what, ds, dims=("time", "lat", "lon")):
        for c in dims:
            check(f"{what}: coordinate {c}", c in ds.coords, f"coordinates {list(ds.coords)}")
            if c not in ds.coords:
                continue
            check.exact(f"{what}: {c} values", ds[c].values, src[c].values)
            check.equal(f"{what}: {c} attrs", dict(ds[c].attrs), dict(src[c].attrs))
        if "time" in dims and "time" in ds.coords:
            check.exact(f"{what}: CF time decoded", ds.time.values, days)

    def copy(file):
        path = os.path.join(d, file)
        with xr.open_dataset(path) as ds:
            ds.load()
            check.equal(f"{file}: dims", dict(ds.sizes), {"time": 2, "lat": 4, "lon": 5})
            check.equal(f"{file}: variables", list(ds.data_vars), ["adt"])
            check.equal(f"{file}: adt dims", ds.adt.dims, ("time", "lat", "lon"))
            check.exact(f"{file}: adt values (NaN where the source has NaN)", ds.adt.values,
                        src.adt.values)
            check.equal(f"{file}: adt attrs", dict(ds.adt.attrs),
                        {"units": "m", "long_name": "Absolute dynamic topography"})
            check.equal(f"{file}: global attrs", dict(ds.attrs), {"title": "flow test fixture"})
            coords_like_source(file, ds)
            check.attempt(f"{file}: xarray identical", lambda: xr.testing.assert_identical(ds, src))
        with netCDF4.Dataset(path) as nc:
            check.equal(f"{file}: netCDF4 data model", nc.data_model, "NETCDF4")
            check.equal(f"{file}: raw time", nc["time"][:].tolist(), [21915.0, 21916.0])
            check.equal(f"{file}: time units", nc["time"].units, "days since 1950-01-01 00:00:00")
            filters = nc["adt"].filters()
            want_zlib = file == "copy_gzip.nc"
            check.equal(f"{file}: adt compressed", bool(filters.get("zlib")), want_zlib)
        with h5py.File(path, "r") as f:   # netCDF-4 is HDF5: h5py reads the variable directly
            check.exact(f"{file}: adt through h5py", f["adt"][()], src.adt.values)
            check.equal(f"{file}: adt dimension scales",
                        [dim[0].name.lstrip("/") for dim in f["adt"].dims], ["time", "lat", "lon"])

    def series():
        with xr.open_dataset(os.path.join(d, "series.nc")) as ds:
            ds.load()
            check.equal("series.nc: variables", list(ds.data_vars), ["adt"])
            check.equal("series.nc: dims", ds.adt.dims, ("time",))
            check.equal("series.nc: dtype", ds.adt.dtype, np.dtype("f4"))
            check.close("series.nc: = xarray mean over (lat, lon)", ds.adt.values,
                        src.adt.mean(("lat", "lon")).values, rtol=2e-6)
            coords_like_source("series.nc", ds, dims=("time",))

    def named():
        with xr.open_dataset(os.path.join(d, "sla.nc")) as ds:
            ds.load()
            check.equal("sla.nc: variables", list(ds.data_vars), ["sla"])
            check.exact("sla.nc: values", ds.sla.values, src.adt.values)
            check.equal("sla.nc: attrs", dict(ds.sla.attrs), dict(src.adt.attrs))
            coords_like_source("sla.nc", ds)

    def derived():
        with xr.open_dataset(os.path.join(d, "anomaly.nc")) as ds:
            want = src.adt - src.adt.mean("time")
            check.equal("anomaly.nc: dims", ds.anomaly.dims, want.dims)
            check.close("anomaly.nc: = adt - adt.mean(time)", ds.anomaly.values, want.values,
                        rtol=1e-5, atol=1e-7)
            coords_like_source("anomaly.nc", ds)
        with xr.open_dataset(os.path.join(d, "weighted.nc")) as ds:
            want = src.adt.weighted(np.cos(np.deg2rad(src.lat))).mean(("lon", "lat"))
            check.equal("weighted.nc: dims", ds.gm.dims, ("time",))
            check.close("weighted.nc: = xarray weighted mean", ds.gm.values, want.values, rtol=2e-6)
            coords_like_source("weighted.nc", ds, dims=("time",))
        with xr.open_dataset(os.path.join(d, "selected.nc")) as ds:
            want = src.adt.sel(lat=slice(-10, 10)).isel(time=1)
            check.equal("selected.nc: dims", ds.adt.dims, ("lat", "lon"))
            check.exact("selected.nc: values", ds.adt.values, want.values)
            check.exact("selected.nc: lat", ds.lat.values, want.lat.values)
            check.exact("selected.nc: lon", ds.lon.values, want.lon.values)

    def built():
        with xr.open_dataset(os.path.join(d, "built.nc")) as ds:
            ds.load()
            values = (np.arange(4.0)[:, None, None] * 100 + np.arange(2.0)[:, None] * 10
                      + np.arange(3.0))
            check.equal("built.nc: dims", dict(ds.sizes), {"time": 4, "y": 2, "x": 3})
            check.equal("built.nc: variables", list(ds.data_vars), ["temp", "warm", "count"])
            check.exact("built.nc: temp", ds.temp.values, values)
            check.exact("built.nc: warm (bool)", ds.warm.values, values > 150)
            check.exact("built.nc: count", ds["count"].values, np.arange(4, dtype="i4"))
            check.equal("built.nc: temp dims", ds.temp.dims, ("time", "y", "x"))
            check.exact("built.nc: time decoded", ds.time.values,
                        pd.date_range("2015-06-30", periods=4, freq="6h").values)
            check.equal("built.nc: time attrs", dict(ds.time.attrs), {"long_name": "time"})
            check.equal("built.nc: time encoding units", ds.time.encoding.get("units"),
                        "hours since 2015-06-30 00:00:00")
            check.exact("built.nc: y", ds.y.values, np.array([10.0, 20.0]))
            check.exact("built.nc: x", ds.x.values, np.linspace(0, 1, 3))
            attrs = dict(ds.temp.attrs)
            check.equal("built.nc: temp attrs", sorted(attrs), ["levels", "long_name", "units",
                                                                 "valid_max"])
            check.equal("built.nc: temp units, long_name, valid_max",
                        (attrs.get("units"), attrs.get("long_name"), attrs.get("valid_max")),
                        ("K", "temperature", 400.0))
            check.equal("built.nc: temp levels", np.asarray(attrs.get("levels")).tolist(), [1, 2, 3])
            check.equal("built.nc: global attrs", dict(ds.attrs),
                        {"title": "built in flow", "version": 2,
                         "history": "tests/interop/write.flow"})

    def plain():
        with xr.open_dataset(os.path.join(d, "plain.nc")) as ds:
            check.equal("plain.nc: variables", list(ds.data_vars), ["x"])
            check.equal("plain.nc: dims", ds.x.dims, ("dim_0",))
            check.exact("plain.nc: values", ds.x.values, np.linspace(0, 1, 11))
        with xr.open_dataset(os.path.join(d, "counts.nc")) as ds:
            check.exact("counts.nc: values", ds["counts"].values, np.arange(12, dtype="i4"))

    for file in ["copy.nc", "copy_gzip.nc"]:
        check.attempt(file, lambda: copy(file))
    check.attempt("series.nc", series)
    check.attempt("sla.nc", named)
    check.attempt("derived files", derived)
    check.attempt("built.nc", built)
    check.attempt("plain arrays", plain)


def check_roundtrip(d):
    """Python -> flow -> Python: datasets flow opened and saved (tests/interop/read.flow) are what
    xarray decodes from the originals: values, dtypes, dims, coordinates, attributes, times."""
    check = Checks()
    daily = sorted(os.listdir(os.path.join(d, "daily")))
    cases = [
        ("roundtrip_xarray.nc", lambda: xr.open_dataset(os.path.join(d, "xarray_ds.nc"))),
        ("roundtrip_daily.nc", lambda: xr.concat(
            [xr.open_dataset(os.path.join(d, "daily", f)) for f in daily], "time")),
        ("roundtrip_packed.nc", lambda: xr.open_dataset(os.path.join(d, "nc4_packed.nc"))),
        ("roundtrip_unsigned.nc", lambda: xr.open_dataset(os.path.join(d, "nc3_unsigned.nc"))),
    ]
    for file, original in cases:
        def one():
            want = original().load()
            with xr.open_dataset(os.path.join(d, file)) as got:
                got.load()
                check.equal(f"{file}: dims", dict(got.sizes), dict(want.sizes))
                for name, var in want.variables.items():
                    if name not in got.variables:
                        check(f"{file}: {name}", False, "missing")
                        continue
                    g = got[name]
                    check.equal(f"{file}: {name} dims", g.dims, var.dims)
                    want_values = var.values
                    if want_values.dtype.kind == "u" and g.dtype.kind == "i" \
                            and g.dtype.itemsize > want_values.dtype.itemsize:
                        # flow has no unsigned dtypes: the same numbers in a wider signed type.
                        want_values = want_values.astype(g.dtype)
                    check.exact(f"{file}: {name} values", g.values, want_values)
                    check.equal(f"{file}: {name} attrs", dict(g.attrs), dict(var.attrs))
                check.equal(f"{file}: global attrs", sorted(got.attrs), sorted(want.attrs))
                check.attempt(f"{file}: identical",
                              lambda: xr.testing.assert_identical(got, want))
        check.attempt(file, one)
    return report(check)


def report(check):
    for failure in check.failures:
        print("FAIL", failure)
    print(f"{check.passed} checks passed, {len(check.failures)} failed")
    return 1 if check.failures else 0


def check_frames(d, check):
    """Parquet and CSV written by flow read back in pandas (pyarrow) with the values pandas
    computes from the same CSV files."""
    import pandas as pd
    import glob as globbing

    source = pd.concat([pd.read_csv(f) for f in sorted(globbing.glob(os.path.join(d, "flights", "*.csv")))],
                       ignore_index=True)

    def flights():
        got = pd.read_parquet(os.path.join(d, "flights.parquet"), engine="pyarrow")
        check.equal("flights.parquet: columns", list(got.columns), list(source.columns))
        check.equal("flights.parquet: rows", len(got), len(source))
        kinds = ["int" if pd.api.types.is_integer_dtype(t) else "float" if pd.api.types.is_float_dtype(t)
                 else "text" if pd.api.types.is_string_dtype(t) or t == object else str(t) for t in got.dtypes]
        check.equal("flights.parquet: dtypes", kinds, ["int", "text", "float", "text", "int"])
        for column in source.columns:
            a, b = got[column].tolist(), source[column].tolist()
            same = all((x == y) or (pd.isna(x) and pd.isna(y)) for x, y in zip(a, b))
            check(f"flights.parquet: {column} values", same, f"{a} != {b}")

    def means():
        got = pd.read_csv(os.path.join(d, "means.csv"))
        want = source.groupby("Origin").DepDelay.agg(["mean", "count"]).reset_index()
        check.equal("means.csv: origins", got.Origin.tolist(), want.Origin.tolist())
        check.exact("means.csv: means", got.DepDelay.to_numpy(), want["mean"].to_numpy())
        check.equal("means.csv: counts", got.n.tolist(), want["count"].tolist())

    def kinds():
        got = pd.read_parquet(os.path.join(d, "kinds.parquet"), engine="pyarrow")
        check.equal("kinds.parquet: i", [None if pd.isna(v) else int(v) for v in got.i], [1, 2, None])
        check.equal("kinds.parquet: x", [None if pd.isna(v) else float(v) for v in got.x], [0.5, None, 2.5])
        check.equal("kinds.parquet: s", [None if pd.isna(v) else v for v in got.s], ["a", None, "c"])
        check.equal("kinds.parquet: b", [None if v is None else bool(v) for v in got.b], [True, False, None])

    check.attempt("flights.parquet", flights)
    check.attempt("means.csv", means)
    check.attempt("kinds.parquet", kinds)


def check_outputs(d):
    check = Checks()
    check_hdf5(d, check)
    check_netcdf(d, check)
    check_frames(d, check)
    return report(check)


if __name__ == "__main__":
    commands = {"write-inputs": write_inputs, "check-outputs": check_outputs,
                "check-roundtrip": check_roundtrip}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    np.set_printoptions(precision=17, threshold=200)
    sys.exit(commands[sys.argv[1]](sys.argv[2]))
