"""X3: a monthly climatology of a year of daily sea-surface height files (365 files of 180 x 360
f32, NaN over land) and the anomalies against it, summarised by their mean square over the
valid points (xarray on Dask anchor)."""
import glob
import os

import xarray as xr

from _parity import engine

with engine(__doc__):
    data = os.environ.get("FLOWDATA", os.path.join(os.path.dirname(__file__), "..", "..", "bench-data"))
    files = sorted(glob.glob(os.path.join(data, "ssh", "*.nc")))
    ds = xr.open_mfdataset(files, combine="by_coords", parallel=False)
    months = ds.adt.groupby("time.month")
    anomalies = months - months.mean()
    print("RESULT", f"ms={float((anomalies ** 2).mean().values)}")
