"""Parallel work keeps working in a process forked after it ran (multiprocessing's "fork" start method,
Dask and PyTorch workers): a thread pool built before the fork has no threads in the child, and a
library that reuses it there waits forever (rayon's global pool does; so does numcodecs' c-blosc pool).
Zarr stores in memory, in a dict or remote, opened before the fork: each process reads them through a
mirror of its own (a shared one had processes remove each other's chunk files: reads gave the fill
value), and a child's exit leaves the parent's stores as they are."""

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


_STORE: dict = {}
_DATA = np.arange(64 * 64, dtype="<i4").reshape(64, 64) + 1


def _read_many(_=None) -> int:
    """How many of 100 reads of the array made before the fork differ from what was written."""
    array, group = _STORE["array"], _STORE["group"]
    wrong = 0
    for _ in range(50):
        wrong += int((array[...] != _DATA).any()) + int((group["a"][...] != _DATA).any())
    return wrong


@pytest.mark.parametrize("kind", ["dict", "MemoryStore", "zip"])
def test_forked_workers_read_zarr_stores_opened_before_the_fork(kind, tmp_path):
    import brickwork.zarr as bz

    store = {"dict": dict, "MemoryStore": bz.storage.MemoryStore,
             "zip": lambda: bz.storage.ZipStore(tmp_path / "s.zip", mode="w")}[kind]()
    _STORE["array"] = bz.create_array(store, name="a", shape=_DATA.shape, chunks=(8, 8), dtype="<i4")
    _STORE["array"][...] = _DATA
    _STORE["group"] = bz.open_group(store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with multiprocessing.get_context("fork").Pool(4) as pool:
            assert pool.map_async(_read_many, range(4)).get(timeout=120) == [0] * 4
    # a child forked by hand that ends as a program does (exit handlers, finalizers) takes nothing along
    pid = os.fork()
    if pid == 0:  # the child: its exit handlers and finalizers run, as at a program's end
        import atexit

        code = 1
        try:
            code = int(_read_many() != 0)
            atexit._run_exitfuncs()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    np.testing.assert_array_equal(bz.open_array(store, path="a")[...], _DATA)
    if kind == "zip":
        store.close()
        np.testing.assert_array_equal(bz.open_array(bz.storage.ZipStore(tmp_path / "s.zip"), path="a")[...], _DATA)
