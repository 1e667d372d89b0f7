"""Writes the small files the BRIEF examples in this directory read, as the seeds' files are laid
out (random.h5 with /x, frames/*.h5 with `values`); ssh/ links to tests/data/ssh (netCDF).
Run with h5py installed: python tests/golden/brief/make_data.py"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
with h5py.File(os.path.join(HERE, "random.h5"), "w") as f:
    f.create_dataset("/x", data=np.linspace(0.0, 1.0, 10_001), chunks=(1000,))
os.makedirs(os.path.join(HERE, "frames"), exist_ok=True)
y, x = np.mgrid[0:257, 0:257]
for i in range(3):
    with h5py.File(os.path.join(HERE, "frames", f"frame_{i:04d}.h5"), "w") as f:
        f.create_dataset("values", data=((x + 2 * y) % 7 + i).astype("f8"),
                         chunks=(257, 257), compression="gzip", compression_opts=9, shuffle=True)
