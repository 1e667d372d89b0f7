"""Writes the netCDF fixtures flow's dataset reader is checked against, made by another library
(netCDF4, as xarray users' files are). Run with netCDF4 installed: python tests/data/make_netcdf.py

  ssh_small.nc   adt(time: 2, lat: 4, lon: 5) float32 with NaN "land", CF time, attributes
  ssh/day_*.nc   three daily files, one record each along the unlimited `time` (for open_mfdataset)
  packed.nc      temp(time: 3, x: 4) int16 with scale_factor, add_offset and _FillValue
  ssh_shifted/   two daily files whose `lat` differ (the coordinates-must-agree error)
"""
import os

import netCDF4
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def ssh_field(t, lat, lon):
    LAT, LON = np.meshgrid(lat, lon, indexing="ij")
    adt = (np.cos(np.deg2rad(LAT)) + 0.05 * t + 0.01 * LON / 10).astype("f4")
    adt[0, 0] = np.nan           # "land"
    adt[2, 3] = np.nan
    return adt


def write_ssh(path, days, lat, lon, unlimited=True):
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.title = "flow test fixture"
        nc.createDimension("time", None if unlimited else len(days))
        nc.createDimension("lat", len(lat))
        nc.createDimension("lon", len(lon))
        vt = nc.createVariable("time", "f8", ("time",))
        vt.units = "days since 1950-01-01 00:00:00"
        vt.calendar = "standard"
        vla = nc.createVariable("lat", "f4", ("lat",))
        vla.units = "degrees_north"
        vlo = nc.createVariable("lon", "f4", ("lon",))
        vlo.units = "degrees_east"
        va = nc.createVariable("adt", "f4", ("time", "lat", "lon"), fill_value=np.float32(np.nan))
        va.units = "m"
        va.long_name = "Absolute dynamic topography"
        vt[:] = days
        vla[:] = lat
        vlo[:] = lon
        for k, day in enumerate(days):
            va[k] = ssh_field(day - days[0] if len(days) > 1 else day - 21915, lat, lon)


lat = np.array([-30.0, -10.0, 10.0, 30.0], dtype="f4")
lon = np.array([0.5, 1.5, 2.5, 3.5, 4.5], dtype="f4")
write_ssh(os.path.join(HERE, "ssh_small.nc"), [21915.0, 21916.0], lat, lon)
os.makedirs(os.path.join(HERE, "ssh"), exist_ok=True)
for k in range(3):
    write_ssh(os.path.join(HERE, "ssh", f"day_{k}.nc"), [21915.0 + k], lat, lon)
os.makedirs(os.path.join(HERE, "ssh_shifted"), exist_ok=True)
write_ssh(os.path.join(HERE, "ssh_shifted", "day_0.nc"), [21915.0], lat, lon)
write_ssh(os.path.join(HERE, "ssh_shifted", "day_1.nc"), [21916.0], lat + 0.5, lon)

with netCDF4.Dataset(os.path.join(HERE, "packed.nc"), "w", format="NETCDF4") as nc:
    nc.createDimension("time", 3)
    nc.createDimension("x", 4)
    v = nc.createVariable("temp", "i2", ("time", "x"), fill_value=np.int16(-32767))
    v.scale_factor = 0.01
    v.add_offset = 20.0
    v.units = "degC"
    v.set_auto_maskandscale(False)
    raw = np.arange(12, dtype="i2").reshape(3, 4) * 10 - 50
    raw[1, 2] = -32767
    v[:] = raw

# The reference values the golden tests print (xarray decodes as flow must):
import xarray as xr

with xr.open_dataset(os.path.join(HERE, "ssh_small.nc")) as ds:
    print("ssh_small adt mean over (lat, lon):", ds.adt.mean(("lat", "lon")).values)
with xr.open_dataset(os.path.join(HERE, "packed.nc")) as ds:
    print("packed temp:", ds.temp.values)
with xr.open_mfdataset(os.path.join(HERE, "ssh", "*.nc")) as ds:
    print("mf adt time mean [1]:", ds.adt.mean("time").values[1])

# corrupt_chunk.nc / corrupt_chunk.h5: four compressed chunks, the third damaged (64 bytes
# overwritten inside its compressed data), for the read-error tests.
import h5py

for path, make in [("corrupt_chunk.nc", "netcdf"), ("corrupt_chunk.h5", "h5py")]:
    path = os.path.join(HERE, path)
    data = np.random.default_rng(0).standard_normal((4, 1000))
    if make == "netcdf":
        with netCDF4.Dataset(path, "w") as nc:
            nc.createDimension("t", 4)
            nc.createDimension("x", 1000)
            v = nc.createVariable("v", "f8", ("t", "x"), zlib=True, complevel=4, chunksizes=(1, 1000))
            v[:] = data
        name = "v"
    else:
        with h5py.File(path, "w") as f:
            f.create_dataset("x", data=data, chunks=(1, 1000), compression="gzip")
        name = "x"
    with h5py.File(path, "r") as f:
        info = f[name].id.get_chunk_info(2)
    with open(path, "r+b") as f:
        f.seek(info.byte_offset + info.size // 3)
        f.write(b"\xff" * 64)

# truncated_classic.nc / truncated_netcdf4.nc: files cut short (as by an interrupted copy): the
# classic one (the netCDF library would read its missing records as zeros) lost its last 40
# bytes, the netCDF-4 one everything after its first 12000 bytes.
classic = os.path.join(HERE, "truncated_classic.nc")
with netCDF4.Dataset(classic, "w", format="NETCDF3_CLASSIC") as nc:
    nc.createDimension("time", None)
    nc.createDimension("x", 10)
    nc.createVariable("x", "f8", ("x",))[:] = np.arange(10.0)
    nc.createVariable("v", "f4", ("time", "x"))[:] = np.ones((4, 10), "f4")
size = os.path.getsize(classic)
with open(classic, "r+b") as f:
    f.truncate(size - 40)
with open(os.path.join(HERE, "ssh_small.nc"), "rb") as f:
    head = f.read(12000)
with open(os.path.join(HERE, "truncated_netcdf4.nc"), "wb") as f:
    f.write(head)
