"""Python values to flow's parts and back.

NumPy arrays go in as they are (cast to the nearest of flow's five dtypes); xarray objects as
their values, dimension names, coordinates along one dimension and attributes, with times
encoded as CF numbers (``days since …``) the way netCDF stores them and decoded back on the
way out; pandas and polars frames as Arrow IPC streams.
"""

import io
import warnings

import numpy as np

# NumPy dtypes flow holds as they are, and what the others become.
_CASTS = {
    "bool": "bool", "int8": "int32", "int16": "int32", "int32": "int32", "uint8": "int32",
    "uint16": "int32", "int64": "int64", "uint32": "int64", "float16": "float32",
    "float32": "float32", "float64": "float64",
}


def _flow_array(values, what="an array"):
    values = np.asarray(values)
    cast = _CASTS.get(values.dtype.name)
    if cast is None and values.dtype.kind == "u":
        if values.size and values.max() > np.iinfo(np.int64).max:
            raise TypeError(f"{what} of {values.dtype} has values past int64's range")
        cast = "int64"
    if cast is None:
        raise TypeError(
            f"{what} of {values.dtype}: flow's arrays hold bool, int32, int64, float32 or "
            "float64 (times are given as xarray coordinates)")
    return np.ascontiguousarray(values, dtype=cast)


def _encoded(values, attrs, what):
    """Values and attributes as flow keeps them: datetimes as CF numbers with units."""
    values = np.asarray(values)
    attrs = dict(attrs)
    if values.dtype.kind == "M" or (values.dtype == object and values.size
                                    and hasattr(values.flat[0], "calendar")):
        from xarray.coding.times import encode_cf_datetime

        numbers, units, calendar = encode_cf_datetime(values)
        attrs.update(units=units, calendar=calendar)
        values = numbers
    elif values.dtype.kind == "m":
        raise TypeError(f"{what} holds time spans, which flow does not: give numbers")
    return _flow_array(values, what), attrs


def _coords(obj, dims):
    coords = []
    for name, coord in obj.coords.items():
        name = str(name)
        if coord.ndim == 0:
            dim = ""
        elif coord.ndim == 1 and str(coord.dims[0]) in dims and name == str(coord.dims[0]):
            dim = name
        else:
            warnings.warn(f"coordinate `{name}` is left behind: flow keeps coordinates that "
                          "name their dimension, and scalar ones", stacklevel=4)
            continue
        values, attrs = _encoded(coord.values, coord.attrs, f"coordinate `{name}`")
        coords.append({"name": name, "dim": dim, "values": values, "attrs": attrs})
    return coords


def _labelled_parts(da, name=None):
    dims = [str(d) for d in da.dims]
    values, attrs = _encoded(da.values, da.attrs, f"`{name or da.name}`")
    return {"name": None if (name or da.name) is None else str(name or da.name), "dims": dims,
            "values": values, "coords": _coords(da, dims), "attrs": attrs}


def _ipc_of_pandas(frame):
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def put(native, name, value):
    """Bind ``name`` in the native session to ``value``; the kind of object it was."""
    module = type(value).__module__.split(".")[0]
    kind = type(value).__name__
    if module == "xarray" and kind == "DataArray":
        native.bind_labelled(name, _labelled_parts(value))
        return "xarray"
    if module == "xarray" and kind == "Dataset":
        variables = [_labelled_parts(v, str(n)) for n, v in value.data_vars.items()]
        dims = [str(d) for d in value.dims]
        native.bind_dataset(name, {"variables": variables, "coords": _coords(value, dims),
                                   "attrs": dict(value.attrs)})
        return "xarray"
    if module == "pandas" and kind == "DataFrame":
        native.bind_frame(name, _ipc_of_pandas(value))
        return "pandas"
    if module == "polars" and kind == "DataFrame":
        buffer = io.BytesIO()
        value.write_ipc_stream(buffer)
        native.bind_frame(name, buffer.getvalue())
        return "polars"
    if module == "pandas" and kind == "Series":
        native.bind(name, _flow_array(value.to_numpy(), f"`{name}`"))
        return "numpy"
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        native.bind(name, value)
        return "value"
    native.bind(name, _flow_array(value, f"`{name}`"))
    return "numpy"


def _data_array(parts):
    import xarray as xr

    coords = {c["name"]: ((c["dim"],) if c["dim"] else (), c["values"], c["attrs"])
              for c in parts["coords"]}
    return xr.DataArray(parts["values"], dims=parts["dims"], coords=coords,
                        attrs=parts["attrs"], name=parts["name"])


def _decoded(dataset):
    import xarray as xr

    return xr.decode_cf(dataset)


def get(exported, like=None):
    """A Python object of what flow handed out (``(kind, parts)``)."""
    kind, parts = exported
    if kind in ("value", "array"):
        return parts
    if kind == "list":
        return [get(item, like) for item in parts]
    if kind == "labelled":
        import xarray as xr

        array = _data_array(parts)
        name = "__flow__" if array.name is None else array.name
        decoded = _decoded(array.to_dataset(name=name))[name]
        return decoded.rename(array.name)
    if kind == "dataset":
        import xarray as xr

        variables = {v["name"]: _data_array(v) for v in parts["variables"]}
        coords = {c["name"]: ((c["dim"],) if c["dim"] else (), c["values"], c["attrs"])
                  for c in parts["coords"]}
        return _decoded(xr.Dataset(variables, coords=coords, attrs=parts["attrs"]))
    if kind == "frame":
        if like == "polars":
            import polars as pl

            return pl.read_ipc_stream(io.BytesIO(parts))
        import pyarrow as pa

        return pa.ipc.open_stream(parts).read_all().to_pandas()
    raise TypeError(f"flow handed out an unknown kind `{kind}`")
