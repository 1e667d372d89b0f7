"""What the NumPy-parity anchors share: `--engine dask` (the only engine, as run.py passes it)
and Dask's threaded scheduler."""
import argparse


def engine(doc):
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--engine", default="dask", choices=["dask"])
    parser.parse_args()
    import dask

    return dask.config.set(scheduler="threads")
