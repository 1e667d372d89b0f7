"""N4: the 90th percentile along axis 0 of a 20000 x 4000 array in 1000 x 1000 chunks (values
0-1000 in a fixed pattern), summed (Dask anchor: da.percentile is 1-d only, so da.quantile at
0.9, which makes the axis one chunk as flow does)."""
import dask.array as da

from _parity import engine

with engine(__doc__):
    x = ((da.arange(80_000_000, chunks=1_000_000) * 37) % 1001).reshape(20000, 4000).rechunk((1000, 1000)) * 1.0
    print("RESULT", f"sum={float(da.quantile(x, 0.9, axis=0).sum().compute())}")
