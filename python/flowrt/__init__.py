"""flow in Python: run flow code in a Python process and pass values both ways.

In IPython or Jupyter::

    %load_ext flowrt

    %%flow -i temperature -o anomaly
    anomaly = temperature - temperature.mean("time")

``-i`` names Python values handed to flow (NumPy arrays, xarray DataArrays and Datasets,
pandas or polars DataFrames, numbers and text); ``-o`` names flow values handed back, computed,
as the same kinds of Python objects. Bindings live from cell to cell, as in flow's REPL.

Outside IPython, ``flowrt.Session`` runs code directly::

    s = flowrt.Session()
    s.put("x", numpy.arange(10.0))
    s.run("y = (x * 2).sum()")
    s.get("y")  # 90.0
"""

from ._native import FlowError, __version__
from .session import Session

__all__ = ["FlowError", "Session", "__version__", "load_ipython_extension"]


def load_ipython_extension(ipython):
    """``%load_ext flowrt``: registers the ``%%flow`` cell magic."""
    from .magic import FlowMagics

    ipython.register_magics(FlowMagics)
