"""X1: a 30-day rolling mean over ten years of daily 200 x 200 fields (3650 x 200 x 200 f64 in
yearly chunks), summed (xarray on Dask anchor)."""
import dask.array as da
import xarray as xr

from _parity import engine

with engine(__doc__):
    days = (da.arange(3650, chunks=365) % 7) * 1.0
    x = xr.DataArray(da.broadcast_to(days[:, None, None], (3650, 200, 200)), dims=("time", "lat", "lon"))
    print("RESULT", f"sum={float(x.rolling(time=30).mean().sum().values)}")
