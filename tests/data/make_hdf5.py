"""Writes tests/data/written_by_h5py.h5, the fixture flow's HDF5 reader is checked against:
a file made by another library (h5py), with groups, on-disk chunks, compression and dtypes
flow widens. Run with h5py installed: python tests/data/make_hdf5.py"""
import h5py
import numpy as np

with h5py.File("tests/data/written_by_h5py.h5", "w") as f:
    f.create_dataset("counts/small", data=np.arange(24, dtype="i2").reshape(4, 6), chunks=(2, 3))
    f.create_dataset("temperature", data=np.linspace(-1.5, 2.5, 60, dtype="f4").reshape(3, 4, 5),
                     chunks=(1, 4, 5), compression="gzip")
    f.create_dataset("mask", data=np.array([True, False, True]))
    f.create_dataset("labels", data=np.array([b"a", b"b"]))
    # The reference values the golden test prints:
    print(f["counts/small"][:].sum(axis=0), f["temperature"][:].mean(axis=(1, 2)))
