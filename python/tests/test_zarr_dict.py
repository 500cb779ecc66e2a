"""Stores held in a dict (``store={}``, zarr-python's ``MemoryStore`` and ``ManagedMemoryStore``,
brickwork's ``MemoryStore(store_dict)``): the dict holds each file under its key as zarr-python's does (a
zarr-python Buffer), so zarr-python and brickwork share one dict, each reading and writing what the other
does; compared key by key with the same calls on a directory and on zarr-python's own dict; the dict's
life (freed with its mirror when let go of); garbage in the dict; writes from many threads. And
``memory://`` URLs, which name the store zarr-python does (fsspec's memory filesystem)."""
import gc
import json
import os
import random
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import zarr

import brickwork.zarr as bz
from _writes import CASES, array_calls, files_of_directory, random_calls
from brickwork.errors import DecodeError, InvalidArrayError
from brickwork.zarr import _remote


def _keys(store: dict) -> dict:
    """The dict's files, as bytes, by key (zarr-python's Buffers asked for theirs)."""
    return {k: v.to_bytes() if hasattr(v, "to_bytes") else bytes(v) for k, v in store.items()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_writes_leave_the_keys_a_directory_store_has_as_files(tmp_path, case):
    store = {}
    array_calls(store, case)
    array_calls(str(tmp_path / "local"), case)
    assert _keys(store) == files_of_directory(tmp_path / "local")
    assert all(type(v) is zarr.core.buffer.cpu.Buffer for v in store.values())
    with zarr.config.set({"array.rectilinear_chunks": True}):
        theirs = zarr.open_array(store, path="arr", mode="r")
        local = zarr.open_array(str(tmp_path / "local" / "arr"), mode="r")
    np.testing.assert_array_equal(theirs[...], local[...])
    np.testing.assert_array_equal(bz.open_array(store, path="arr", mode="r")[...], local[...])


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_the_same_calls_leave_the_same_dict_as_zarr_pythons(zarr_format):
    """Groups with attributes and consolidated metadata, arrays of numbers and strings made by
    ``Group.create_array`` (in a v2 group, compressed as zarr-python's: Blosc) and by ``create_array``:
    brickwork's dict holds the chunk keys and bytes zarr-python's does, and metadata zarr-python reads
    as its own (zarr-python writes its JSON with other spacing, and an empty ``.zattrs`` beside each v2
    node); ``store[key].to_bytes()`` is the file."""
    data = np.arange(600, dtype="<f4").reshape(20, 30)
    stores = []
    for m in (zarr, bz):
        store = {}
        root = m.open_group(store, mode="w", attributes={"title": "t"}, zarr_format=zarr_format)
        root.create_array("a", shape=data.shape, chunks=(8, 8), dtype="<f4", fill_value=0)[...] = data
        root.create_array("s", shape=(5,), chunks=(2,), dtype=str)[...] = ["a", "bb", "", "ccc", "d"]
        sub = root.create_group("sub")
        sub.attrs["n"] = 3
        b = m.create_array(store, name="sub/i", shape=(7, 3), chunks=(3, 3), dtype="<i8", zarr_format=zarr_format)
        b[...] = np.arange(21).reshape(7, 3)
        m.consolidate_metadata(store)
        stores.append(store)
    meta = (".zarray", ".zgroup", ".zattrs", ".zmetadata", "zarr.json")
    theirs, ours = ({k: v for k, v in _keys(s).items() if not k.endswith(meta)} for s in stores)
    assert ours == theirs and len(ours) == 12 + 3 + 3
    assert {k for k in stores[1] if k.endswith(meta)} <= {k for k in stores[0] if k.endswith(meta)}
    for path in ("", "sub"):
        assert (zarr.open_group(stores[1], path=path, mode="r").metadata.to_dict()
                == zarr.open_group(stores[0], path=path, mode="r").metadata.to_dict())
    for path in ("a", "s", "sub/i"):
        assert (zarr.open_array(stores[1], path=path, mode="r").metadata.to_dict()
                == zarr.open_array(stores[0], path=path, mode="r").metadata.to_dict())
    key = "a/.zarray" if zarr_format == 2 else "a/zarr.json"
    assert json.loads(stores[1][key].to_bytes())["shape"] == [20, 30]


@pytest.mark.parametrize("kind", ["dict", "zarr MemoryStore", "brickwork MemoryStore(store_dict)",
                                  "zarr ManagedMemoryStore"])
def test_zarr_python_and_brickwork_share_one_store(kind):
    """Each reads what the other writes into one store, arrays of both open on it at once, and each
    opens and resizes what the other made."""
    shared = {}
    store, their_store = {"dict": (shared, shared),
                          "zarr MemoryStore": (zarr.storage.MemoryStore(shared),) * 2,
                          "brickwork MemoryStore(store_dict)": (bz.storage.MemoryStore(shared), shared),
                          "zarr ManagedMemoryStore": (zarr.storage.ManagedMemoryStore(path="inside"),) * 2}[kind]
    ours = bz.create_array(store, name="a", shape=(12, 10), chunks=(5, 4), dtype="<i2", fill_value=-1)
    theirs = zarr.open_array(their_store, path="a", mode="r+")
    expected = np.full((12, 10), -1, dtype="<i2")
    for step in range(8):
        rows = slice(step, step + 5)
        (ours if step % 2 else theirs)[rows, step:] = step
        expected[rows, step:] = step
        np.testing.assert_array_equal(ours[...], expected)
        np.testing.assert_array_equal(theirs[...], expected)
    zarr.open_array(their_store, path="a", mode="r+").resize((14, 10))
    assert bz.open_array(store, path="a").shape == (14, 10)
    bz.open_group(store, mode="r+").create_group("g").attrs["by"] = "brickwork"
    assert zarr.open_group(their_store, path="g", mode="r").attrs["by"] == "brickwork"
    zarr.open_group(their_store, mode="r+").create_array("b", shape=(3,), dtype="u1", fill_value=7)
    assert sorted(bz.open_group(store, mode="r").array_keys()) == ["a", "b"]
    np.testing.assert_array_equal(bz.open_array(store, path="b")[...], [7, 7, 7])
    del bz.open_group(store, mode="r+")["b"]
    assert sorted(zarr.open_group(their_store, mode="r").array_keys()) == ["a"]
    if kind == "zarr ManagedMemoryStore":
        assert all(k.startswith("inside/") for k in their_store._store_dict)
        assert ours.store is store and zarr.open_array(ours.store, path="a", mode="r").shape == (14, 10)
    else:
        assert "a/zarr.json" in shared
        # an array's store is the store object it was opened in (not the mirror, which holds no chunks):
        # zarr-python reads it
        assert ours.store is store and bz.open_group(store).store is store
        assert ours.store_path.store is store and ours.store_path.path == "a"
        assert bz.open_group(store).info.splitlines()[-1] == f"Store type  : MemoryStore (memory://{id(shared)})"
        np.testing.assert_array_equal(zarr.open_array(their_store, path="a", mode="r")[...],
                                      bz.open_array(ours.store, path="a")[...])


def test_random_sequences_of_writes_leave_a_directory_stores_files(tmp_path):
    """Random arrays and random sequences of writes (boxes, points, resizes, appends, attributes) into a
    dict and into a directory: the same files, byte for byte (``BRICKWORK_DICT_SEED``, ``_TRIALS``)."""
    seed = int(os.environ.get("BRICKWORK_DICT_SEED", "3"))
    for trial in range(int(os.environ.get("BRICKWORK_DICT_TRIALS", "25"))):
        store, local = {}, str(tmp_path / f"local{trial}")
        random_calls(store, random.Random(seed * 1000 + trial))
        random_calls(local, random.Random(seed * 1000 + trial))
        assert _keys(store) == files_of_directory(local), trial


class _Dict(dict):
    """A dict that can be weakly referenced (to see it freed)."""


def test_a_dict_store_lives_as_long_as_the_dict_or_what_was_opened_in_it():
    store = _Dict()
    bz.save(store, np.arange(5))
    z = bz.open(store)
    mirror, held = z.path, weakref.ref(store)
    del store
    gc.collect()
    np.testing.assert_array_equal(z[...], np.arange(5))  # (the array holds the dict)
    assert held() is not None and os.path.isdir(mirror)
    del z
    gc.collect()
    assert held() is None and not os.path.exists(mirror), "the dict and its mirror are freed"
    store = _Dict()
    bz.save(store, np.arange(3))
    held = weakref.ref(store)
    np.testing.assert_array_equal(bz.load(store), np.arange(3))  # (the dict holds the data, not a mirror)
    del store
    gc.collect()
    assert held() is None
    theirs = zarr.storage.MemoryStore(_Dict())  # (zarr-python's store of a dict: the same)
    z = bz.create_array(theirs, shape=(2,), dtype="u1")
    assert z.store is theirs
    held = weakref.ref(theirs._store_dict)
    del theirs, z
    gc.collect()
    assert held() is None
    assert not any(isinstance(r.fs.mapping, _Dict) for r in list(_remote._mapped.values()))


def test_without_zarr_python_the_dict_holds_bytes(monkeypatch):
    from brickwork.zarr import _mapping

    monkeypatch.setattr(_mapping, "_buffer_class", False)  # (as without zarr-python installed)
    store = {}
    bz.save(store, np.arange(6, dtype="<u2"), chunks=(4,))
    assert sorted(store) == ["c/0", "c/1", "zarr.json"] and all(type(v) is bytes for v in store.values())
    np.testing.assert_array_equal(bz.load(store), np.arange(6))
    store["c/1"] = np.frombuffer(store["c/1"], dtype="u1").copy()  # (any object holding bytes is read)
    np.testing.assert_array_equal(bz.load(store), np.arange(6))


def test_garbage_in_the_dict_is_a_clear_error():
    from zarr.core.buffer.cpu import Buffer

    for value, error, message in [
        (42, OSError, r"memory://\d+/zarr.json: TypeError: the store's 'zarr.json' holds an object of type int"),
        (Buffer.from_bytes(b"not json"), InvalidArrayError, r"memory://\d+/zarr.json is not JSON"),
        (b"[1, 2]", InvalidArrayError, r"memory://\d+/zarr.json does not hold a JSON object"),
        (b" " * (17 << 20), InvalidArrayError, r"memory://\d+/zarr.json is larger than 16777216 bytes"),
        (b"", InvalidArrayError, r"memory://\d+/zarr.json is not JSON"),
        (b'{"zarr_format": 3, "node_type": "arr', InvalidArrayError, r"memory://\d+/zarr.json is not JSON"),
    ]:
        with pytest.raises(error, match=message):
            bz.open_array({"zarr.json": value}, mode="r")
    store = {}
    z = bz.create_array(store, shape=(4,), chunks=(2,), dtype="<i4", compressors=[bz.codecs.ZstdCodec()])
    z[...] = 5
    store["c/0"] = ["not", "bytes"]
    with pytest.raises(OSError, match=r"memory://\d+/c/0: TypeError: .* holds an object of type list"):
        z[...]
    for bad in (b"garbage", b"", store["c/1"].to_bytes()[:5]):  # (garbage, empty, truncated)
        store["c/0"] = Buffer.from_bytes(bad)
        with pytest.raises(DecodeError, match="chunk c/0"):
            z[...]
    np.testing.assert_array_equal(z[2:], [5, 5])  # (the other chunk reads)
    z[0:2] = 1  # (a whole chunk written replaces the garbage)
    np.testing.assert_array_equal(zarr.open_array(store, mode="r")[...], [1, 1, 5, 5])
    with pytest.raises(InvalidArrayError, match=r"memory://\d+ already exists and is not empty"):
        bz.create_array({"zarr.json": b"{}"}, shape=(1,), dtype="u1")
    with pytest.raises(InvalidArrayError, match="read-only"):
        bz.create_array(zarr.storage.MemoryStore(read_only=True), shape=(1,), dtype="u1")
    with pytest.raises(InvalidArrayError, match="storage_options are for a URL"):
        bz.open({}, storage_options={"anon": True})
    with pytest.raises(InvalidArrayError, match="store_dict is a dict"):
        bz.storage.MemoryStore(store_dict=[("zarr.json", b"{}")])
    with pytest.raises(InvalidArrayError, match="not a store brickwork takes: a builtins.int"):
        bz.open(bz.storage.StorePath(42, "a"), mode="r")
    with pytest.raises(InvalidArrayError, match="GpuMemoryStore holds device buffers"):
        bz.open(zarr.storage.GpuMemoryStore(), mode="r")
    assert bz.open_group({0: b"a key that is not a string", "zarr.json": b'{"zarr_format": 3, "node_type": '
                                                                           b'"group"}'}, mode="r").attrs == {}
    # members named to leave the store (consolidated metadata and keys are the store's word) are passed over
    group = json.dumps({"zarr_format": 3, "node_type": "group"}).encode()
    hostile = {"zarr.json": json.dumps({"zarr_format": 3, "node_type": "group", "consolidated_metadata": {
        "kind": "inline", "must_understand": False,
        "metadata": {"..": {"zarr_format": 3, "node_type": "group"}, "ok": {"zarr_format": 3, "node_type": "group"}}},
    }).encode(), "../zarr.json": group, "ok/zarr.json": group}
    opened = bz.open_group(hostile, mode="r")
    assert list(opened.keys()) == ["ok"]
    assert all(name.startswith("store-") for name in os.listdir(os.path.dirname(opened.path)))  # (mirrors only)


def test_writes_from_many_threads_lose_nothing():
    """Threads writing rows of the same chunks of a dict store (sharded too), and reading meanwhile."""
    for options in ({"chunks": (16, 20)}, {"chunks": (8, 10), "shards": (16, 20)}):
        store = {}
        z = bz.create_array(store, shape=(48, 40), dtype="<i4", fill_value=0, **options)
        errors, stop = [], threading.Event()

        def read_meanwhile():
            while not stop.is_set():
                try:
                    assert set(np.unique(z[...])) <= set(range(49))
                except Exception as e:  # noqa: BLE001 (collected: the test fails with it)
                    errors.append(e)

        reader = threading.Thread(target=read_meanwhile)
        reader.start()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda r: z.__setitem__((r, slice(None)), r + 1), range(48)))
        stop.set()
        reader.join()
        assert not errors, errors[:3]
        expected = np.repeat(np.arange(1, 49, dtype="<i4")[:, None], 40, axis=1)
        np.testing.assert_array_equal(zarr.open_array(store, mode="r")[...], expected)


def test_a_dataset_xarray_wrote_into_a_dict_is_read_by_the_brickwork_engine():
    xr = pytest.importorskip("xarray")
    ds = xr.Dataset({"t": (("y", "x"), np.arange(12.0).reshape(3, 4))}, coords={"x": np.arange(4)},
                    attrs={"title": "in a dict"})
    for zarr_format in (2, 3):
        store = {}
        ds.to_zarr(store, zarr_format=zarr_format, consolidated=True)
        ours = xr.open_dataset(store, engine="brickwork")
        assert ours.identical(xr.open_dataset(store, engine="zarr")) and ours.identical(ds)


def test_memory_urls_are_zarr_pythons_too():
    """``memory://name`` names the store zarr-python does (with fsspec installed, in fsspec's memory
    filesystem): each reads what the other wrote there, xarray's datasets too; a name leaving the store
    is refused."""
    import fsspec

    zarr.create_array("memory://shared-a", shape=(4,), chunks=(2,), dtype="<i2")[...] = 3
    np.testing.assert_array_equal(bz.open_array("memory://shared-a")[...], [3, 3, 3, 3])
    bz.create_array("memory://shared-b/arr", shape=(3,), dtype="u1", fill_value=0)[...] = 5
    np.testing.assert_array_equal(zarr.open_array("memory://shared-b/arr", mode="r")[...], [5, 5, 5])
    assert sorted(fsspec.filesystem("memory").find("/shared-b")) == ["/shared-b/arr/c/0", "/shared-b/arr/zarr.json"]
    xr = pytest.importorskip("xarray")
    ds = xr.Dataset({"t": ("x", np.arange(3.0))})
    ds.to_zarr("memory://shared-ds", zarr_format=3)
    assert xr.open_dataset("memory://shared-ds", engine="brickwork").identical(ds)
    with pytest.raises(InvalidArrayError, match="no '.' or '..'"):
        bz.open("memory://../x")


def test_arrays_pickled_to_another_process_carry_the_dict():
    """An array or group in a dict, pickled, carries the dict (a copy, as zarr-python's MemoryStore
    does): another process reads the data (not the fill value its directory in this process's mirror
    would give there); ``copy.copy`` and ``with_config`` share the store."""
    import copy
    import pickle
    import subprocess
    import sys

    store = {}
    z = bz.create_array(store, name="a", shape=(6,), chunks=(4,), dtype="<i2")
    z[...] = np.arange(6)
    code = ("import pickle, sys; a, g = pickle.loads(sys.stdin.buffer.read()); "
            "sys.stdout.buffer.write(pickle.dumps((a[...], g.keys())))")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps((z, bz.open_group(store))),
                         capture_output=True, check=True).stdout
    read, keys = pickle.loads(out)
    np.testing.assert_array_equal(read, np.arange(6))
    assert keys == ["a"]
    shared = copy.copy(z)
    shared[0] = 9
    assert z.with_config({"order": "F"})[0] == 9 and zarr.open_array(store, path="a")[0] == 9


def test_random_sequences_shared_between_the_libraries():
    """Random arrays in a dict written in turn by zarr-python and brickwork (each opening the array
    afresh: boxes, points, growing resizes, attributes), both reading after every step what a NumPy model
    holds (``BRICKWORK_DICT_SEED``, ``BRICKWORK_SHARED_TRIALS``)."""
    rng = random.Random(int(os.environ.get("BRICKWORK_DICT_SEED", "3")))
    for trial in range(int(os.environ.get("BRICKWORK_SHARED_TRIALS", "12"))):
        ndim = rng.randint(1, 3)
        shape = [rng.randint(1, 9) for _ in range(ndim)]
        chunks = [rng.randint(1, 4) for _ in range(ndim)]
        fmt, fill = rng.choice([2, 3]), rng.choice([0, 7])
        options = {"zarr_format": fmt, "chunks": tuple(chunks), "fill_value": fill}
        if fmt == 3 and rng.random() < 0.4:
            options["shards"] = tuple(c * rng.randint(1, 3) for c in chunks)
        store = {}
        rng.choice([zarr, bz]).create_array(store, shape=tuple(shape), dtype="<i2", **options)
        model = np.full(shape, fill, dtype="<i2")
        for step in range(8):
            lib = rng.choice([zarr, bz])
            array = lib.open_array(store, mode="r+")
            kind = rng.random()
            if kind < 0.5:
                lo = [rng.randint(0, n) for n in model.shape]
                key = tuple(slice(a, rng.randint(a, n)) for a, n in zip(lo, model.shape))
                value = rng.randint(-99, 99)
                array[key] = value
                model[key] = value
            elif kind < 0.7 and model.size:
                points = tuple(np.array([rng.randrange(n) for _ in range(3)]) for n in model.shape)
                value = rng.randint(-99, 99)
                array.vindex[points] = value
                model[points] = value
            elif kind < 0.9:
                grown = tuple(n + rng.randint(0, 3) for n in model.shape)
                array.resize(grown)
                bigger = np.full(grown, fill, dtype="<i2")
                bigger[tuple(slice(0, n) for n in model.shape)] = model
                model = bigger
            else:
                array.attrs[f"k{step}"] = lib.__name__
            for reader in (zarr, bz):
                np.testing.assert_array_equal(reader.open_array(store, mode="r")[...], model,
                                              err_msg=f"trial {trial} step {step}: {lib.__name__} wrote, "
                                                      f"{reader.__name__} read")
        assert dict(zarr.open_array(store, mode="r").attrs) == dict(bz.open_array(store, mode="r").attrs)
