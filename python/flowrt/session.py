"""A flow session with Python values in and out (see ``flowrt.convert``)."""

from . import _native, convert


class Shown:
    """A flow value as a notebook shows it (its HTML table or picture, and its text)."""

    def __init__(self, bundle):
        self._bundle = bundle

    def _repr_mimebundle_(self, include=None, exclude=None):
        return dict(self._bundle)

    def __repr__(self):
        return self._bundle.get("text/plain", "")


class Session:
    """One flow session; bindings live from ``run`` to ``run``."""

    def __init__(self):
        self._native = _native.Session()
        # What each name was handed in as, so results go back as the same kind of object; a
        # frame flow made goes back as the kind of the last frame handed in.
        self._kinds = {}
        self._frames = None

    def run(self, code, colour=True):
        """Run flow code. Returns the final expression as a displayable ``Shown`` (or None);
        raises ``FlowError`` with flow's diagnostics."""
        bundle = self._native.run(code, colour)
        return None if bundle is None else Shown(bundle)

    def put(self, name, value):
        """Bind ``name`` in flow to a Python value."""
        kind = convert.put(self._native, name, value)
        self._kinds[name] = kind
        if kind in ("pandas", "polars"):
            self._frames = kind

    def get(self, name, like=None):
        """The value of ``name``, computed, as a Python object: a NumPy array, an xarray
        DataArray or Dataset, a pandas DataFrame (a polars one when ``like`` is "polars", or
        when the frame — or the last frame handed in — came from polars), or a number, text or
        None."""
        return convert.get(self._native.get(name), like or self._kinds.get(name, self._frames))

    def names(self):
        return self._native.names()
