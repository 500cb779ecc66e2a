"""Shared helpers of the tests of stores brickwork.zarr writes through its mirror (remote stores, stores in
a dict): the same calls on such a store and on a directory, whose files are compared (not a test module)."""
import os

import numpy as np

import brickwork.zarr as bz


def files_of_directory(root) -> dict:
    return {os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"): open(os.path.join(d, f), "rb").read()
            for d, _, fs in os.walk(root) for f in fs}


CASES = [
    {"zarr_format": 3, "chunks": (7, 6)},
    {"zarr_format": 2, "chunks": (7, 6), "order": "F"},
    {"zarr_format": 3, "chunks": (4, 6), "shards": (8, 12), "fill_value": 5},
    {"zarr_format": 3, "chunks": (7, 6), "compressors": None, "chunk_key_encoding": ("default", ".")},
    {"zarr_format": 2, "chunks": (10, 25), "fill_value": -1, "chunk_key_encoding": ("v2", "/")},
    {"zarr_format": 3, "chunks": (7, 6), "config": {"write_empty_chunks": True}},
    {"zarr_format": 3, "chunks": [[10, 12, 8], [5, 20]]},  # (rectilinear)
    {"zarr_format": 3, "chunks": (5, 5), "shards": [[10, 20], [10, 15]]},
]


def array_calls(store, case: dict, **kw) -> None:
    """A write of each kind brickwork.zarr has, on an array it creates at ``store``."""
    rng = np.random.default_rng(7)
    with bz.config.set({"array.rectilinear_chunks": True}):
        z = bz.create_array(store, name="arr", shape=(30, 25), dtype="<i4", **case, **kw)
    fill = case.get("fill_value", 0)
    data = rng.integers(-50, 50, size=(30, 25)).astype("<i4")
    data[14:, 12:] = fill  # (chunks holding only the fill value are not written)
    z[...] = data
    z[3:9, 2:20] = 7  # (parts of chunks: fetched, written, put back)
    z.oindex[[0, 5, 29], [1, 2, 24]] = -3
    z.vindex[[1, 2, 20], [3, 4, 0]] = 11
    z[0:14, 0:12] = fill  # (chunks that now hold only the fill value: deleted)
    z.attrs["title"] = "written remotely"
    z.attrs.update({"n": 3})
    z.resize((20, 17))  # (cut chunks rewritten, chunks beyond deleted)
    z.append(np.full((20, 4), 9, dtype="<i4"), axis=1)
    z.blocks[0, 0] = 1
    assert z.shape == (20, 21)


def random_calls(store, rng, **kw) -> None:
    """A random array (format, shape, chunks, shards, fill) and a random sequence of writes, resizes and
    appends, drawn from ``rng`` (the same draws for each store it is given with the same seed)."""
    ndim = rng.randint(1, 3)
    shape = [rng.randint(1, 13) for _ in range(ndim)]
    chunks = [rng.randint(1, 5) for _ in range(ndim)]
    fmt = rng.choice([2, 3])
    options = {"zarr_format": fmt, "chunks": tuple(chunks), "fill_value": rng.choice([0, 3]),
               "config": {"write_empty_chunks": rng.random() < 0.3}}
    if fmt == 3 and rng.random() < 0.4:
        options["shards"] = tuple(c * rng.randint(1, 3) for c in chunks)
    z = bz.create_array(store, name="arr", shape=tuple(shape), dtype="<i2", **options, **kw)
    for _ in range(rng.randint(3, 8)):
        kind = rng.random()
        if kind < 0.5:  # a box
            lo = [rng.randint(0, n) for n in z.shape]
            key = tuple(slice(a, rng.randint(a, n)) for a, n in zip(lo, z.shape))
            z[key] = rng.choice([0, 3, rng.randint(-99, 99)])
        elif kind < 0.65 and z.size:  # points
            points = tuple([rng.randrange(n) for _ in range(3)] for n in z.shape)
            z.vindex[points] = rng.randint(-99, 99)
        elif kind < 0.8:  # a resize
            z.resize(tuple(max(0, n + rng.randint(-4, 4)) for n in z.shape))
        elif kind < 0.9:  # an append
            more = list(z.shape)
            more[0] = rng.randint(1, 4)
            z.append(np.full(more, rng.randint(-9, 9), dtype="<i2"))
        else:
            z.attrs[f"k{rng.randint(0, 3)}"] = rng.random()
