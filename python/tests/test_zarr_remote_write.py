"""Remote stores written: brickwork.zarr creating and writing arrays and groups in an S3 bucket (a local
moto server, through s3fs: the way ``s3://`` stores are written, and through obstore's S3 store) and
through fsspec's and obstore's local and memory stores, compared file by file with the same calls on a
directory store, and read by zarr-python; stores zarr-python wrote, written into; writes from many
threads; failures (a read-only store, a bucket that is not there, a server that takes no writes,
garbage in the store)."""
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import zarr

import brickwork.zarr as bz
from _writes import CASES, array_calls, files_of_directory, random_calls
from brickwork.errors import InvalidArrayError

pytest.importorskip("s3fs")
_moto = pytest.importorskip("moto.server")

_names = itertools.count()


@pytest.fixture(scope="module")
def s3():
    """The storage options of a bucket ``bucket`` on a local S3 server."""
    import boto3

    server = _moto.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k",
                 aws_secret_access_key="s").create_bucket(Bucket="bucket")
    yield {"key": "k", "secret": "s", "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
    server.stop()


def _url() -> str:
    return f"s3://bucket/store-{next(_names)}"


def _fs(options):
    import s3fs

    return s3fs.S3FileSystem(**options)


def _files_s3(options, url: str) -> dict:
    """The files under ``url`` in the bucket, by path below it."""
    fs, base = _fs(options), url[len("s3://"):]
    fs.invalidate_cache()
    return {name[len(base) + 1:]: fs.cat(name) for name in fs.find(base)}


def _mirror_holds_metadata_only(node) -> None:
    assert all(f in ("zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata")
               for _, _, fs in os.walk(node.path) for f in fs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_writes_leave_the_files_a_directory_store_has(s3, tmp_path, case):
    url = _url()
    array_calls(url, case, storage_options=s3)
    array_calls(str(tmp_path / "local"), case)
    assert _files_s3(s3, url) == files_of_directory(tmp_path / "local")
    ours = bz.open_array(url, path="arr", mode="r", storage_options=s3)
    with zarr.config.set({"array.rectilinear_chunks": True}):
        theirs = zarr.open_array(f"{url}/arr", mode="r", storage_options=s3)
    with zarr.config.set({"array.rectilinear_chunks": True}):
        local = zarr.open_array(str(tmp_path / "local" / "arr"), mode="r")
    np.testing.assert_array_equal(theirs[...], local[...])
    np.testing.assert_array_equal(ours[...], theirs[...])
    assert ours.attrs.asdict() == theirs.attrs.asdict() == {"title": "written remotely", "n": 3}
    assert ours.nchunks_initialized == bz.open_array(str(tmp_path / "local" / "arr")).nchunks_initialized
    assert ours.nchunks_initialized == theirs.nchunks_initialized
    _mirror_holds_metadata_only(ours)


@pytest.mark.parametrize("shape, chunks, new", [((), (), ()), ((17,), (4,), (6,)), ((6, 5, 4), (2, 3, 3), (5, 2, 4))])
def test_resizes_and_counts_in_any_number_of_dimensions(s3, tmp_path, shape, chunks, new):
    def calls(store, **kw):
        z = bz.create_array(store, name="arr", shape=shape, chunks=chunks, dtype="<u2", fill_value=0, **kw)
        z[...] = np.arange(1, int(np.prod(shape)) + 1, dtype="<u2").reshape(shape)
        z.resize(new)
        return z.nchunks_initialized

    url = _url()
    counted = calls(url, storage_options=s3)
    assert counted == calls(str(tmp_path / "local"))
    assert _files_s3(s3, url) == files_of_directory(tmp_path / "local")
    assert counted == zarr.open_array(f"{url}/arr", mode="r", storage_options=s3).nchunks_initialized


def test_random_sequences_of_writes_leave_a_directory_stores_files(s3, tmp_path):
    """Random arrays and random sequences of writes (boxes, points, resizes, appends, attributes) into S3
    and into a directory: the same files, byte for byte (``BRICKWORK_REMOTE_SEED``, ``_TRIALS`` to vary)."""
    import random

    seed = int(os.environ.get("BRICKWORK_REMOTE_SEED", "5"))
    for trial in range(int(os.environ.get("BRICKWORK_REMOTE_TRIALS", "25"))):
        url, local = _url(), str(tmp_path / f"local{trial}")
        random_calls(url, random.Random(seed * 1000 + trial), storage_options=s3)
        random_calls(local, random.Random(seed * 1000 + trial))
        assert _files_s3(s3, url) == files_of_directory(local), trial


def test_through_fsspecs_local_filesystem_and_store_objects(tmp_path):
    """brickwork's and zarr-python's ``FsspecStore``, fsspec mappers and universal-pathlib's ``UPath``, on
    fsspec's local filesystem (which zarr-python wraps in fsspec's asynchronous wrapper)."""
    import fsspec
    import upath

    fs = fsspec.filesystem("file")
    for i, make in enumerate([lambda p: bz.storage.FsspecStore(fs, path=p),
                              lambda p: bz.storage.FsspecStore.from_url(f"file://{p}"),
                              lambda p: zarr.storage.FsspecStore.from_url(f"file://{p}"),  # (an asynchronous wrapper)
                              lambda p: fsspec.get_mapper(f"file://{p}"),
                              lambda p: upath.UPath(f"file://{p}"),
                              lambda p: bz.storage.FsspecStore.from_upath(upath.UPath(f"file://{p}"))]):
        root = str(tmp_path / f"s{i}")
        array_calls(make(root), CASES[0])
        array_calls(str(tmp_path / f"local{i}"), CASES[0])
        assert files_of_directory(root) == files_of_directory(tmp_path / f"local{i}")


@pytest.mark.filterwarnings("ignore:Object at v2 is not recognized")  # (zarr-python: a v2 group in a v3 one)
def test_at_the_root_of_fsspecs_memory_filesystem(tmp_path):
    """A store at the root of a filesystem (``FsspecStore(fs)``: path "/"), one that spells its paths from
    "/" (fsspec's memory filesystem, whose files all instances share: emptied after)."""
    from fsspec.implementations.memory import MemoryFileSystem

    fs = MemoryFileSystem()
    fs.store.clear()
    try:
        _group_calls(bz.storage.FsspecStore(fs))
        array_calls(bz.storage.FsspecStore(fs), CASES[0])
        _group_calls(str(tmp_path / "local"))
        array_calls(str(tmp_path / "local"), CASES[0])
        assert {name.lstrip("/"): fs.cat(name) for name in fs.find("/")} == files_of_directory(tmp_path / "local")
    finally:
        fs.store.clear()
        fs.pseudo_dirs[:] = [""]


def _group_calls(store, **kw) -> None:
    """A write of each kind brickwork.zarr has on groups, in a group it creates at ``store``."""
    g = bz.open_group(store, mode="w", attributes={"title": "g"}, **kw)
    sub = g.create_group("sub", attributes={"k": 1})
    sub.create_array("x", shape=(10,), chunks=(3,), dtype="f8", fill_value=np.nan)[2:8] = np.arange(6)
    g["saved"] = np.arange(12, dtype="i2").reshape(3, 4)
    g["gone"] = np.ones(5)
    del g["gone"]
    g.create_array("moved", shape=(4,), chunks=(2,), dtype="u1")[:] = [1, 2, 3, 4]
    g.move("moved", "sub/deeper/here")
    g.attrs["more"] = [1, 2]
    bz.save_array(store, np.arange(6), path="a/b/c", zarr_format=3, **kw)  # (a and a/b: groups made)
    bz.create_array(store, name="sub/x", shape=(2,), dtype="i1", overwrite=True, **kw)  # (x's chunks gone)
    as_object = bz.storage.FsspecStore.from_url(store, **kw) if kw else store
    bz.create_hierarchy(store=as_object, nodes={
        "h": {"zarr_format": 3, "node_type": "group", "attributes": {"made": "by create_hierarchy"}},
        "h/y": bz.open_array(store, path="saved", mode="r", **kw).metadata})
    bz.consolidate_metadata(as_object)
    g2 = bz.create_group(store, path="v2", zarr_format=2, **kw)
    g2.create_array("s", shape=(3,), dtype=str, zarr_format=2)[:] = ["a", "bb", "ccc"]


@pytest.mark.filterwarnings("ignore:Object at v2 is not recognized")  # (zarr-python: a v2 group in a v3 one)
def test_groups_and_their_members(s3, tmp_path):
    url = _url()
    _group_calls(url, storage_options=s3)
    _group_calls(str(tmp_path / "local"))
    assert _files_s3(s3, url) == files_of_directory(tmp_path / "local")
    theirs = zarr.open_group(url, mode="r", storage_options=s3, use_consolidated=False)
    drawn = str(theirs.tree())
    assert drawn == str(zarr.open_group(str(tmp_path / "local"), mode="r", use_consolidated=False).tree())
    assert str(bz.open_group(url, storage_options=s3).tree()) == str(bz.open_group(str(tmp_path / "local")).tree())
    assert "here (4,) uint8" in drawn
    np.testing.assert_array_equal(theirs["sub/deeper/here"][:], [1, 2, 3, 4])
    assert list(zarr.open_array(f"{url}/v2/s", mode="r", storage_options=s3)[:]) == ["a", "bb", "ccc"]


def test_a_dataset_written_into_s3_is_read_by_xarray(s3):
    """brickwork writes a dataset's arrays (dimension names, CF attributes, consolidated metadata) into
    S3; xarray reads it with its own engine and with brickwork's, the same Dataset."""
    import xarray as xr

    url = _url()
    g = bz.open_group(url, mode="w", storage_options=s3, attributes={"title": "written by brickwork"})
    g.create_array("time", shape=(5,), dtype="<i8", dimension_names=["time"],
                   attributes={"units": "days since 2000-01-01"})[:] = np.arange(5)
    g.create_array("x", shape=(8,), dtype="<f8", dimension_names=["x"])[:] = np.linspace(0, 1, 8)
    t = g.create_array("t2m", shape=(5, 8), chunks=(2, 4), dtype="<f4", dimension_names=["time", "x"],
                       fill_value=np.nan, attributes={"units": "K"})
    t[...] = np.arange(40, dtype="<f4").reshape(5, 8) + 250
    t[4, 6:] = np.nan
    bz.consolidate_metadata(bz.storage.FsspecStore.from_url(url, storage_options=s3))
    theirs = xr.open_dataset(url, engine="zarr", storage_options=s3, consolidated=True)
    ours = xr.open_dataset(url, engine="brickwork", storage_options=s3)
    xr.testing.assert_identical(ours.load(), theirs.load())
    assert ours.attrs["title"] == "written by brickwork" and ours.t2m.attrs["units"] == "K"
    assert str(ours.time.values[1])[:10] == "2000-01-02" and np.isnan(ours.t2m.values[4, 7])
    assert sorted(bz.open_consolidated(url, storage_options=s3).array_keys()) == ["t2m", "time", "x"]
    # Dask's process scheduler: the engine's arrays pickled to workers read the store there
    lazy = xr.open_dataset(url, engine="brickwork", storage_options=s3, chunks={})
    assert float(lazy.t2m.sum().compute(scheduler="processes")) == float(theirs.t2m.sum())


def test_obstore_stores(s3, tmp_path):
    """zarr-python's and brickwork's ``ObjectStore`` over obstore's S3 (the same bucket), local and memory
    stores: the same files as a directory store's, read by zarr-python through its ``ObjectStore``."""
    import obstore
    import obstore.store

    endpoint = s3["client_kwargs"]["endpoint_url"]
    for kind, wrap in itertools.product(["s3", "local", "memory"], [zarr.storage.ObjectStore, bz.storage.ObjectStore]):
        prefix = f"obstore-{next(_names)}"
        inner = {"s3": lambda: obstore.store.S3Store("bucket", prefix=prefix, endpoint=endpoint, region="us-east-1",
                                                     access_key_id="k", secret_access_key="s",
                                                     client_options={"allow_http": True}),
                 "local": lambda: obstore.store.LocalStore(tmp_path / prefix, mkdir=True),
                 "memory": obstore.store.MemoryStore}[kind]()
        store, local = wrap(inner), str(tmp_path / f"local-{prefix}")
        if kind == "s3":  # (groups: over S3, once with each wrapper)
            _group_calls(store)
            _group_calls(local)
        array_calls(store, CASES[2])
        array_calls(local, CASES[2])
        stored = {e["path"]: bytes(obstore.get(inner, e["path"]).bytes())
                  for batch in obstore.list(inner) for e in batch}
        assert stored == files_of_directory(tmp_path / f"local-{prefix}"), (kind, wrap)
        theirs = zarr.open_array(zarr.storage.ObjectStore(inner, read_only=True), path="arr", mode="r")
        ours = bz.open_array(store, path="arr")
        np.testing.assert_array_equal(ours[...], theirs[...])
        assert ours.nbytes_stored() == theirs.nbytes_stored()
    with pytest.raises(InvalidArrayError, match="read-only"):
        bz.create_array(bz.storage.ObjectStore(obstore.store.MemoryStore(), read_only=True), shape=(2,), dtype="i1")
    with pytest.raises(InvalidArrayError, match="obstore store"):
        bz.storage.ObjectStore({})


def test_stores_zarr_python_wrote_are_written_into(s3):
    url = _url()
    data = np.arange(60 * 50, dtype="<f4").reshape(60, 50)
    zarr.create_array(url, shape=data.shape, chunks=(16, 16), shards=(32, 32), dtype="<f4",
                      storage_options=s3)[...] = data
    zarr.create_array(url + "-v2", shape=data.shape, chunks=(16, 16), dtype="<f4", zarr_format=2,
                      storage_options=s3)[...] = data
    for target in (url, url + "-v2"):
        z = bz.open_array(zarr.storage.FsspecStore.from_url(target, storage_options=s3), mode="r+")
        z[10:40, 5:45] = -1
        z.vindex[[0, 59], [0, 49]] = 2
        model = data.copy()
        model[10:40, 5:45] = -1
        model[[0, 59], [0, 49]] = 2
        np.testing.assert_array_equal(zarr.open_array(target, mode="r", storage_options=s3)[...], model)
        np.testing.assert_array_equal(bz.open_array(target, storage_options=s3)[...], model)
    # a dataset that grows, written by both libraries in turn
    grown = bz.open_array(url + "-v2", mode="a", storage_options=s3)
    grown.append(np.zeros((4, 50), dtype="<f4"))
    zarr.open_array(url + "-v2", mode="a", storage_options=s3).append(np.ones((4, 50), dtype="<f4"))
    both = bz.open_array(url + "-v2", storage_options=s3)[...]
    assert both.shape == (68, 50) and (both[60:64] == 0).all() and (both[64:] == 1).all()


def test_writes_from_many_threads_lose_nothing(s3):
    """Threads writing rows of the same chunks (each write holds the chunk files it touches: the next
    fetches what the last put), and reading meanwhile."""
    url = _url()
    z = bz.create_array(url, shape=(48, 40), chunks=(16, 20), dtype="<i4", fill_value=0, storage_options=s3)
    sharded = bz.create_array(url + "-sharded", shape=(48, 40), chunks=(8, 10), shards=(16, 20), dtype="<i4",
                              storage_options=s3)
    for target in (z, sharded):
        errors = []

        def read_meanwhile(stop, target=target, errors=errors):
            while not stop.is_set():
                try:
                    got = target[...]
                    assert set(np.unique(got)) <= set(range(49))
                except Exception as e:  # noqa: BLE001 (collected: the test fails with it)
                    errors.append(e)

        stop = threading.Event()
        reader = threading.Thread(target=read_meanwhile, args=(stop,))
        reader.start()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda r, target=target: target.__setitem__((r, slice(None)), r + 1), range(48)))
        stop.set()
        reader.join()
        assert not errors, errors[:3]
        expected = np.repeat(np.arange(1, 49, dtype="<i4")[:, None], 40, axis=1)
        np.testing.assert_array_equal(target[...], expected)
        _mirror_holds_metadata_only(target)
    np.testing.assert_array_equal(zarr.open_array(url, mode="r", storage_options=s3)[...], expected)
    np.testing.assert_array_equal(zarr.open_array(url + "-sharded", mode="r", storage_options=s3)[...], expected)


def test_dask_stores_into_a_remote_array(s3):
    import dask.array as da

    url = _url()
    data = np.arange(64 * 60, dtype="<f8").reshape(64, 60)
    z = bz.create_array(url, shape=data.shape, chunks=(16, 20), dtype="<f8", storage_options=s3)
    da.from_array(data, chunks=(8, 30)).store(z, lock=False, scheduler="threads")  # (blocks across chunks)
    np.testing.assert_array_equal(zarr.open_array(url, mode="r", storage_options=s3)[...], data)


_IN_ANOTHER_PROCESS = """
import pickle, sys
import numpy as np
array, group = pickle.loads(sys.stdin.buffer.read())
array[0, :] = -1  # (written from here, put into the store)
sys.stdout.buffer.write(pickle.dumps((array[...], group.keys(), group["a"][...])))
"""


def test_arrays_and_groups_pickled_to_another_process_use_the_store(s3):
    """A remote array or group pickled (as Dask's process and distributed schedulers send them) opens the
    store in the other process: it reads what the store holds and writes into it (its directory in this
    process's mirror would hold no chunks there: it read the fill value)."""
    import pickle
    import subprocess
    import sys

    import dask.array as da

    url = _url()
    data = np.arange(24 * 10, dtype="<i4").reshape(24, 10)
    z = bz.create_array(url, name="a", shape=data.shape, chunks=(8, 5), dtype="<i4", storage_options=s3)
    z[...] = data
    g = bz.open_group(url, storage_options=s3)
    out = subprocess.run([sys.executable, "-c", _IN_ANOTHER_PROCESS], input=pickle.dumps((z, g)), capture_output=True,
                         check=True).stdout
    read, keys, member = pickle.loads(out)
    data[0, :] = -1
    np.testing.assert_array_equal(read, data)
    np.testing.assert_array_equal(member, data)
    assert keys == ["a"]
    np.testing.assert_array_equal(zarr.open_array(f"{url}/a", mode="r", storage_options=s3)[...], data)
    assert da.from_array(z, chunks=(8, 5)).sum().compute(scheduler="processes") == data.sum()
    assert pickle.loads(pickle.dumps(z))._remote is z._remote  # (in this process: the same mirror)


_FORKED: dict = {}


def _read_in_a_forked_worker(_) -> int:
    array, data = _FORKED["array"], _FORKED["data"]
    return sum(int((array[...] != data).any()) for _ in range(6))


def test_workers_forked_after_an_array_was_opened_read_through_mirrors_of_their_own(s3):
    """PyTorch's and multiprocessing's forked workers reading one remote array at once, as the parent
    does: each process fetches chunk files into a mirror of its own (in a shared one they removed each
    other's, and reads gave the fill value where the store had data)."""
    import multiprocessing
    import warnings

    data = np.arange(48 * 40, dtype="<i4").reshape(48, 40) + 1
    _FORKED["array"] = bz.create_array(_url(), shape=data.shape, chunks=(8, 8), dtype="<i4", storage_options=s3)
    _FORKED["array"][...] = _FORKED["data"] = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with multiprocessing.get_context("fork").Pool(3) as pool:
            waiting = pool.map_async(_read_in_a_forked_worker, range(3))
            assert _read_in_a_forked_worker(None) == 0
            assert waiting.get(timeout=300) == [0, 0, 0]


def _read_obstore_in_a_forked_worker(_) -> str:
    try:
        _FORKED["obstore"][...]
    except OSError as e:
        return str(e)
    return "read"


def test_obstore_stores_in_a_forked_worker_are_a_clear_error_not_a_hang(tmp_path):
    """obstore's runtime does not survive a fork (its requests, blocking ones too, wait forever in the
    child): a forked worker reading an obstore-backed array the parent used gets an error saying so."""
    import multiprocessing
    import warnings

    import obstore.store

    store = bz.storage.ObjectStore(obstore.store.LocalStore(str(tmp_path), mkdir=True))
    _FORKED["obstore"] = bz.create_array(store, shape=(4,), chunks=(2,), dtype="<i2")
    _FORKED["obstore"][...] = 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with multiprocessing.get_context("fork").Pool(1) as pool:
            said = pool.map_async(_read_obstore_in_a_forked_worker, [0]).get(timeout=60)[0]
    assert "cannot be used in a process forked after obstore ran" in said and "'spawn'" in said
    np.testing.assert_array_equal(_FORKED["obstore"][...], [3, 3, 3, 3])


def test_a_save_puts_one_slab_at_a_time(s3, tmp_path, monkeypatch):
    """``save`` into a remote store encodes and puts slabs of the array (64 MiB; here 4 KiB), so no more
    than a slab's chunk files are in RAM at once; the files are a directory store's."""
    from brickwork.zarr import _remote

    monkeypatch.setattr(bz, "_SLAB", 4096)
    held = []
    writing = _remote.Remote.writing

    def counting(self, array_path, keys, fetch, limit):
        held.append(len(keys))
        return writing(self, array_path, keys, fetch, limit)

    monkeypatch.setattr(_remote.Remote, "writing", counting)
    data = np.arange(100 * 30, dtype="<i4").reshape(100, 30)  # (rows of 120 bytes: 4 KiB in 35 rows)
    url = _url()
    bz.save_array(url, data, chunks=(10, 15), storage_options=s3)
    bz.save_array(str(tmp_path / "local"), data, chunks=(10, 15))
    assert held == [8, 8, 4]  # (40 + 40 + 20 rows, two chunks wide)
    assert _files_s3(s3, url) == files_of_directory(tmp_path / "local")


def test_overwriting_removes_what_was_there(s3, tmp_path):
    def calls(store, **kw):
        bz.save_array(store, np.arange(400).reshape(20, 20), path="arr", chunks=(5, 5), **kw)
        bz.save_array(store, np.arange(4), path="arr", chunks=(2,), overwrite=True, **kw)
        bz.open_group(store, path="g", mode="w", **kw).create_array("x", shape=(6,), chunks=(2,), dtype="i1")[:] = 1
        bz.open_group(store, path="g", mode="w", **kw)  # (x and its chunks go)

    url = _url()
    calls(url, storage_options=s3)
    calls(str(tmp_path / "local"))
    assert _files_s3(s3, url) == files_of_directory(tmp_path / "local")


def test_a_node_another_client_removed_is_gone_for_brickwork_too(s3):
    url = _url()
    bz.save_array(url, np.arange(10), path="x", chunks=(3,), storage_options=s3)
    assert bz.open_array(url, path="x", storage_options=s3)[...].sum() == 45  # (chunk files fetched, dropped)
    _fs(s3).rm(f"{url[len('s3://'):]}/x", recursive=True)
    with pytest.raises(bz.errors.ArrayNotFoundError):
        bz.open_array(url, path="x", storage_options=s3)
    bz.create_array(url, name="x", shape=(2,), dtype="i1", storage_options=s3)[:] = 1  # (nothing there now)
    assert zarr.open_array(f"{url}/x", mode="r", storage_options=s3)[...].tolist() == [1, 1]


def test_messages_and_reprs_name_the_store_not_the_mirror(s3):
    url = _url()
    z = bz.create_array(url, name="a", shape=(4,), chunks=(2,), dtype="i1", storage_options=s3)
    assert repr(z).startswith(f"<brickwork.zarr.Array '{url}/a' ")
    assert repr(bz.open_group(url, storage_options=s3)) == f"<brickwork.zarr.Group '{url}' zarr_format=3>"
    with pytest.raises(bz.errors.ArrayNotFoundError, match=f"no Zarr array at {url}/nope "):
        bz.open_array(url, path="nope", mode="r", storage_options=s3)
    with pytest.raises(bz.errors.ContainsArrayError, match=f"^{url}/a already exists"):
        bz.create_array(url, name="a", shape=(4,), dtype="i1", storage_options=s3)
    with pytest.raises(InvalidArrayError, match=f"^{url}/a is open for reading only"):
        bz.open_array(url, path="a", mode="r", storage_options=s3)[0] = 1
    with pytest.raises(ValueError, match=f"^cannot decode {url}/a/c/1: bad$"):  # (the native side's, say)
        with z._remote.naming():
            raise ValueError(f"cannot decode {z.path}/c/1: bad")
    import obstore.store

    # (obstore's stores: named as zarr-python names them)
    b = bz.create_array(bz.storage.ObjectStore(obstore.store.MemoryStore()), name="b", shape=(1,), dtype="i1")
    assert repr(b).startswith("<brickwork.zarr.Array 'object_store://") and "/b' shape" in repr(b)
    # an array's store is the store, not the mirror (which holds no chunks): another library reads it
    z[...] = 5
    assert isinstance(z.store, bz.storage.FsspecStore) and z.store.path == url[len("s3://"):]
    np.testing.assert_array_equal(bz.open_array(z.store, path="a", mode="r")[...], [5, 5, 5, 5])
    assert isinstance(b.store, bz.storage.ObjectStore) and b.store.store is b._remote.fs.store
    assert bz.open_group(url, storage_options=s3).info.splitlines()[-1] == f"Store type  : FsspecStore ({url})"


def test_failed_writes_are_clear_and_leave_the_store_as_it_was(s3):
    url = _url()
    z = bz.create_array(url, shape=(10,), chunks=(5,), dtype="i2", storage_options=s3)
    z[:] = np.arange(10)
    before = _files_s3(s3, url)
    # a read-only store, and arrays opened for reading
    for store in (bz.storage.FsspecStore.from_url(url, storage_options=s3, read_only=True),
                  zarr.storage.FsspecStore.from_url(url, storage_options=s3, read_only=True)):
        with pytest.raises(InvalidArrayError, match="read-only"):
            bz.open_array(store, mode="r+")
        with pytest.raises(InvalidArrayError, match="read-only"):
            bz.create_array(store, name="new", shape=(3,), dtype="i1")
        with pytest.raises(InvalidArrayError, match="reading only"):
            bz.open_array(store).__setitem__(0, 1)  # (mode "a" on a read-only store: read-only)
    with pytest.raises(InvalidArrayError, match="reading only"):
        bz.open_array(url, mode="r", storage_options=s3).__setitem__(0, 1)
    # garbage where a chunk should be: a write covering part of it fails, and puts nothing
    fs = _fs(s3)
    fs.pipe(f"{url[5:]}/c/1", b"not a zstd frame")
    with pytest.raises(Exception, match="c/1|zstd|decode|frame"):
        z[7] = 5
    assert _files_s3(s3, url) == {**before, "c/1": b"not a zstd frame"}
    z[5:] = 1  # (a write covering it whole needs nothing from it)
    np.testing.assert_array_equal(z[...], [0, 1, 2, 3, 4, 1, 1, 1, 1, 1])
    # a bucket that is not there
    with pytest.raises(OSError, match="no-such-bucket"):
        bz.save_array("s3://no-such-bucket/x.zarr", np.arange(3), storage_options=s3)
    _mirror_holds_metadata_only(z)
