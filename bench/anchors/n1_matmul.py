"""N1: x @ x.T of an 8000 x 8000 f64 array in 1000 x 1000 chunks (Dask anchor)."""
import dask.array as da

from _parity import engine

with engine(__doc__):
    x = da.ones((8000, 8000), chunks=(1000, 1000))
    print("RESULT", f"sum={float((x @ x.T).sum().compute())}")
