"""N2: reshape a 1e8 arange in 1e6 chunks to 10000 x 10000, then reduce it (Dask anchor)."""
import dask.array as da

from _parity import engine

with engine(__doc__):
    y = da.arange(100000000.0, chunks=1000000).reshape(10000, 10000)
    print("RESULT", f"sum={float(y.sum(axis=0)[::1000].sum().compute())}")
