"""Writes the Blosc byte-identity references in this folder (see README.md).

Run with numcodecs 0.17.1:  python make_refs.py   (from this folder)
The inputs are integer formulas that tests/blosc.rs recomputes, so only the encoded chunks are stored.
"""
import json
import os

import numcodecs
import numpy as np
from numcodecs import blosc
from numcodecs.blosc import Blosc

assert numcodecs.__version__ == "0.17.1", numcodecs.__version__
blosc.set_nthreads(1)  # c-blosc with several threads writes blocks in a nondeterministic order


def make_input(name):
    if name == "i4":
        i = np.arange(1536, dtype=np.int64)
        return (100_000 + (i * 5) // 3 - (i % 11) * 4).astype("<i4")
    if name == "f8":
        i = np.arange(1000, dtype=np.int64)
        return ((i % 100) * 0.25 + (i // 100)).astype("<f8")
    if name == "u1":
        i = np.arange(5000, dtype=np.int64)
        return ((i // 7 * 3 + i % 5) % 256).astype("|u1")
    if name == "S3":
        return np.array([b"%03d" % (k * 37 % 1000) for k in range(1200)], dtype="|S3")
    if name == "M8":
        i = np.arange(1000, dtype=np.int64)
        return (1_600_000_000_000_000_000 + i * 1_000_000_007).view("<M8[ns]")
    if name == "V17":
        i = np.arange(17 * 600, dtype=np.int64)
        return ((i % 17) * 11 + i // 170).astype("|u1").view("|V17")
    if name == "i8big":
        return np.arange(100_000, dtype="<i8")
    raise ValueError(name)


cases = []


def add(inp, cname, clevel, shuffle, blocksize=0, typesize=None):
    cfg = dict(cname=cname, clevel=clevel, shuffle=shuffle, blocksize=blocksize)
    kw = dict(cfg)
    if typesize is not None:
        kw["typesize"] = typesize
    enc = bytes(Blosc(**kw).encode(make_input(inp)))
    name = f"{inp}-{cname}-c{clevel}-s{shuffle}-b{blocksize}" + (f"-t{typesize}" if typesize else "")
    with open(name + ".blosc", "wb") as f:
        f.write(enc)
    cases.append(dict(name=name, input=inp, config=dict(id="blosc", **cfg), typesize=typesize))


CNAMES = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]
for cname in CNAMES:
    for shuffle in (-1, 1, 2):
        for clevel in (1, 5, 9):
            add("i4", cname, clevel, shuffle)
    add("i4", cname, 5, 0)
    add("i4", cname, 5, 1, blocksize=1000)  # several blocks + a leftover block
    add("i4", cname, 5, 2, blocksize=2048)
    add("f8", cname, 5, 1)
    add("u1", cname, 5, -1)
    add("S3", cname, 5, 1)
    add("M8", cname, 5, 1)
    add("V17", cname, 5, 1)
    add("i8big", cname, 5, 1)  # automatic blocksize on 800 kB
    add("i4", cname, 5, -1, typesize=2)
add("i4", "lz4", 0, 1)  # memcpy'd
add("i8big", "lz4", 9, 2)
add("i8big", "zstd", 9, 1)
add("i4", "lz4", 5, 1, blocksize=-1)
add("u1", "lz4", 5, 1, blocksize=100)  # clamped to 128

with open("cases.json", "w") as f:
    json.dump(dict(numcodecs=numcodecs.__version__, blosc=blosc.VERSION_STRING, cases=cases), f, indent=1)
print(len(cases), "cases,", sum(os.path.getsize(c["name"] + ".blosc") for c in cases), "bytes")
