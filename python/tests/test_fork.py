"""Parallel work keeps working in a process forked after it ran (multiprocessing's "fork" start method,
Dask and PyTorch workers): a thread pool built before the fork has no threads in the child, and a
library that reuses it there waits forever (rayon's global pool does; so does numcodecs' c-blosc pool)."""

import multiprocessing
import os
import warnings

import numpy as np
import pytest

import brickwork
import brickwork.codecs as bc
from brickwork.codecs import blosc

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _parallel_work(_=None) -> bool:
    a = np.arange(128 * 128 * 64, dtype=np.uint32).reshape(128, 128, 64)  # 4 MiB: worth two threads
    chunks = brickwork.tobytes(a, (16, 16, 16))  # threads=None: every core
    back = brickwork.assemble(chunks, a.shape, (16, 16, 16), dtype=a.dtype)
    labels = np.repeat(np.arange(1 << 14, dtype=np.uint64), 64)  # 8 MiB: decoded by two threads
    codec = bc.Blosc(cname="lz4", clevel=5, shuffle=bc.Blosc.SHUFFLE)
    decoded = np.frombuffer(codec.decode(codec.encode(labels)), dtype=np.uint64)
    return bool((back == a).all()) and bool((decoded == labels).all())


def test_parallel_work_survives_fork():
    before = blosc.set_nthreads(2)
    try:
        assert _parallel_work()  # the parent's pools exist before the fork
        with warnings.catch_warnings():
            # Python 3.12 warns that fork() in a process with threads may deadlock: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            with multiprocessing.get_context("fork").Pool(2) as pool:
                results = pool.map_async(_parallel_work, range(4)).get(timeout=120)
        assert results == [True] * 4
    finally:
        blosc.set_nthreads(before)
