"""N3: cumsum along each axis of a 20000 x 4000 array in 1000 x 1000 chunks (Dask anchor)."""
import dask
import dask.array as da

from _parity import engine

with engine(__doc__):
    x = da.ones((20000, 4000), chunks=(1000, 1000))
    a, b = dask.compute(da.cumsum(x, axis=0)[-1].sum(), da.cumsum(x, axis=1)[:, -1].sum())
    print("RESULT", f"a={float(a)} b={float(b)}")
