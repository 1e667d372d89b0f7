"""X4: a monthly resample (means of each calendar month) of a year of daily sea-surface height
files (365 files of 180 x 360 f32, NaN over land), summed over the valid points (xarray on Dask
anchor)."""
import glob
import os

import xarray as xr

from _parity import engine

with engine(__doc__):
    data = os.environ.get("FLOWDATA", os.path.join(os.path.dirname(__file__), "..", "..", "bench-data"))
    files = sorted(glob.glob(os.path.join(data, "ssh", "*.nc")))
    ds = xr.open_mfdataset(files, combine="by_coords", parallel=False)
    monthly = ds.adt.resample(time="MS").mean()
    print("RESULT", f"sum={float(monthly.sum().values)}")
