"""Code written for zarr-python runs with ``import brickwork.zarr as zarr``: the same workflow, run once
with zarr-python 3.4.2 and once with brickwork (the module-level ``create_array``, ``open_array``,
``open_group``, ``open_consolidated``, ``consolidate_metadata``, and the Array and Group methods it
uses), gives the same data, shapes, chunks and attributes, and each side reads what the other wrote."""
from __future__ import annotations

import numpy as np
import pytest
import zarr
from numcodecs import GZip
from zarr.codecs import BloscCodec, GzipCodec, ZstdCodec

import brickwork.zarr as bz
from brickwork.errors import InvalidArrayError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning", "ignore::RuntimeWarning")


def workflow(zm, root: str, fmt: int, compressors):
    """A small pipeline as a zarr-python user writes it; ``zm`` is the zarr module or brickwork.zarr."""
    g = zm.open_group(root, mode="w", zarr_format=fmt)
    g.attrs["experiment"] = "e1"
    a = g.create_array("raw", shape=(60, 40), chunks=(16, 16), dtype="f4", compressors=compressors)
    a[:30] = 1.5
    a.oindex[[1, 59], :] = 2
    a.vindex[[0, 10], [0, 39]] = [7, 8]
    a.append(np.full((5, 40), 3, "f4"))
    labels = g.create_group("labels")
    labels.attrs["kind"] = "seg"
    b = labels.create_array("v1", shape=(1000,), dtype="u8")
    b[::7] = np.arange(143)
    zm.consolidate_metadata(root)
    h = zm.open_consolidated(root)
    c = zm.open_array(f"{root}/raw", mode="r")
    return (h["raw"][...], h["raw"].shape, h["raw"].chunks, dict(h.attrs), dict(h["labels"].attrs),
            h["labels/v1"][...], h["labels/v1"].chunks, c[5:9, ::3], sorted(h.group_keys()))


@pytest.mark.parametrize("fmt, compressors", [
    (3, "auto"), (3, ZstdCodec(level=3)), (3, [BloscCodec(cname="lz4", shuffle="shuffle")]), (3, None),
    (3, GzipCodec(level=2)),
    (2, "auto"), (2, GZip(level=2)),
])
def test_the_same_workflow_on_both(tmp_path, fmt, compressors):
    theirs = workflow(zarr, str(tmp_path / "zarr.zarr"), fmt, compressors)
    mine = workflow(bz, str(tmp_path / "brickwork.zarr"), fmt, compressors)
    for t, m in zip(theirs, mine):
        if isinstance(t, np.ndarray):
            np.testing.assert_array_equal(m, t)
        else:
            assert m == t
    # each reads what the other wrote
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "brickwork.zarr/raw"), mode="r")[...], theirs[0])
    np.testing.assert_array_equal(bz.open_array(str(tmp_path / "zarr.zarr/raw"), mode="r")[...], mine[0])


def test_create_array_defaults_and_data(tmp_path):
    ref = zarr.create_array(store=str(tmp_path / "z.zarr"), shape=(1000, 1000, 100), dtype="f4")
    z = bz.create_array(str(tmp_path / "b.zarr"), shape=(1000, 1000, 100), dtype="f4")
    assert z.chunks == ref.chunks and z.zarr_format == 3 and z.fill_value == 0
    for shape, dtype in [((10,), "u1"), ((7, 300, 300), "<u2"), ((3, 5), "f8"), ((), "i4"), ((0, 4), "u1")]:
        ref = zarr.create_array(store={}, shape=shape, dtype=dtype)
        assert bz._guess_chunks(shape, np.dtype(dtype).itemsize) == ref.chunks, shape
    data = np.arange(24, dtype="<i2").reshape(4, 6)
    made = bz.create_array(str(tmp_path / "d.zarr"), data=data, chunks=(2, 3), dimension_names=["y", "x"])
    assert made.dimension_names == ("y", "x")
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "d.zarr"), mode="r")[...], data)
    assert zarr.open_array(str(tmp_path / "d.zarr"), mode="r").metadata.dimension_names == ("y", "x")
    strings = bz.create_array(str(tmp_path / "s.zarr"), data=np.array(["a", "bc"], dtype=object), chunks=(1,))
    assert list(strings[...]) == ["a", "bc"]
    opened = bz.open_array(str(tmp_path / "new.zarr"), shape=(3,), dtype="u1", chunks=(2,))  # mode "a" creates
    opened[...] = 5
    assert list(bz.open_array(str(tmp_path / "new.zarr"), mode="r")[...]) == [5, 5, 5]
    theirs = zarr.storage.MemoryStore()  # (zarr-python's: its own dict, which both read and write)
    bz.create_array(theirs, shape=(3,), dtype="u1", fill_value=4)
    assert list(zarr.open_array(theirs, mode="r")[...]) == [4, 4, 4]
    with pytest.raises(InvalidArrayError, match="no numcodecs equivalent"):
        bz.create_array(str(tmp_path / "x.zarr"), shape=(3,), dtype="u1", compressors=[{"name": "madeup"}])
    with pytest.raises(InvalidArrayError, match="dimension_names are Zarr v3"):
        bz.create_array(str(tmp_path / "y.zarr"), shape=(3,), dtype="u1", zarr_format=2, dimension_names=["x"])
    with pytest.raises(InvalidArrayError, match="needs shape and dtype"):
        bz.create_array(str(tmp_path / "w.zarr"), shape=(3,))


@pytest.mark.parametrize("kwargs", [dict(zarr_format=2), dict(), dict(shards=(4, 4))])
def test_array_properties_as_zarr_python(tmp_path, kwargs):
    path = str(tmp_path / "a.zarr")
    ref = zarr.create_array(store=path, shape=(10, 7), chunks=(2, 2), dtype="u1", **kwargs)
    ref[:3] = 1
    z = bz.open(path)
    assert (z.nchunks, z.nchunks_initialized, z.cdata_shape) == (ref.nchunks, ref.nchunks_initialized,
                                                                 ref.cdata_shape)
    assert not z.read_only and not ref.read_only and bz.open(path, mode="r").read_only
    assert [c.get_config() for c in z.compressors] == [bz._codec_config(c) for c in ref.compressors]
    assert z.filters == ()
    z = bz.open(path, mode="r+")
    z[9, 6] = 2
    # (of a sharded array, one inner chunk written into a new shard: zarr-python counts every chunk of each
    # shard file there is, so does brickwork)
    assert z.nchunks_initialized == zarr.open_array(path, mode="r").nchunks_initialized == (
        12 if "shards" in kwargs else 9)


def test_module_functions_as_zarr_python(tmp_path):
    """zarr.save / zarr.load / zarr.open(mode="w", shape=...) as zarr-python's."""
    a = np.arange(3000, dtype="<f8").reshape(30, 100)
    bz.save(str(tmp_path / "s.zarr"), a)  # chunks guessed as zarr-python guesses them
    assert bz.open(str(tmp_path / "s.zarr")).chunks == zarr.create_array(store={}, shape=a.shape, dtype=a.dtype).chunks
    np.testing.assert_array_equal(zarr.load(str(tmp_path / "s.zarr")), a)
    z = bz.open(str(tmp_path / "o.zarr"), mode="w", shape=(4, 5), dtype="u1", chunks=(2, 5))
    z[...] = 7
    ref = zarr.open(str(tmp_path / "o.zarr"), mode="r")
    assert ref.shape == (4, 5) and int(ref[3, 4]) == 7
    assert bz.open(str(tmp_path / "o.zarr"), mode="a")[0, 0] == 7  # "a" on an array that is there opens it
    # as zarr-python: what would create an array is unused when one is there; unknown names are errors
    assert bz.open(str(tmp_path / "o.zarr"), shape=(9, 9)).shape == (4, 5)
    with pytest.raises(TypeError, match="unexpected keyword arguments shpae"):
        bz.open(str(tmp_path / "o.zarr"), shpae=(4, 5))
    with pytest.raises(InvalidArrayError, match="already"):
        bz.open(str(tmp_path / "o.zarr"), mode="w-", shape=(4, 5), dtype="u1")


@pytest.mark.parametrize("fmt", [2, 3])
def test_zeros_ones_full_array_as_zarr_python(tmp_path, fmt):
    made = []
    for zm, name in [(zarr, "z"), (bz, "b")]:
        made.append((
            zm.zeros((40, 30), store=str(tmp_path / f"{name}0.zarr"), zarr_format=fmt),
            zm.ones((7,), store=str(tmp_path / f"{name}1.zarr"), dtype="i2", chunks=(3,), zarr_format=fmt),
            zm.full((5, 5), 2.5, store=str(tmp_path / f"{name}2.zarr"), zarr_format=fmt),
            zm.array([[1, 2], [3, 4]], store=str(tmp_path / f"{name}3.zarr"), zarr_format=fmt),
            zm.empty((3,), store=str(tmp_path / f"{name}4.zarr"), path="inner", dtype="u1", zarr_format=fmt),
        ))
    for ref, mine in zip(*made):
        assert (mine.shape, mine.chunks, mine.dtype) == (ref.shape, ref.chunks, ref.dtype)
        np.testing.assert_array_equal(mine[...], ref[...])
        np.testing.assert_array_equal(zarr.open_array(mine.path, mode="r")[...], ref[...])


def test_store_arguments_as_zarr_python_takes_them(tmp_path):
    """Paths, ``pathlib.Path``, ``file://`` URLs and zarr-python's ``LocalStore`` name the same directory
    everywhere a store is taken; stores brickwork does not take are a clear error."""
    from zarr.storage import LocalStore

    root = tmp_path / "s"
    a = bz.create_array(LocalStore(str(root / "a")), shape=(6,), chunks=(4,), dtype="i2")
    a[:] = np.arange(6)
    for store in (str(root / "a"), root / "a", (root / "a").as_uri(), LocalStore(str(root / "a"))):
        np.testing.assert_array_equal(bz.open_array(store, mode="r")[...], np.arange(6))
        np.testing.assert_array_equal(bz.open(store)[...], np.arange(6))
    np.testing.assert_array_equal(zarr.open_array(LocalStore(str(root / "a")))[...], np.arange(6))
    theirs = zarr.open_group(str(root / "t"), mode="w")
    theirs.create_array("sub/x", shape=(2,), dtype="i1", fill_value=4)
    pairs = ((theirs["sub/x"].store_path, None), (theirs.store_path, "sub/x"), (theirs["sub"].store_path, "x"))
    for store, path in pairs:
        np.testing.assert_array_equal(bz.open_array(store, path=path, mode="r")[...], [4, 4])  # (zarr's StorePath)
    assert bz.open_group(theirs["sub"].store_path, mode="r").keys() == ["x"]
    ours = bz.open_group(str(root / "t"), mode="r")  # (brickwork's StorePath: the same members)
    assert ours["sub/x"].store_path.path == theirs["sub/x"].store_path.path == "sub/x"
    assert (ours.store_path / "sub").path == (theirs.store_path / "sub").path == "sub"
    np.testing.assert_array_equal(bz.open_array(ours["sub/x"].store_path, mode="r")[...], [4, 4])
    assert bz.open_group(ours.store_path / "sub", mode="r").keys() == ["x"]
    g = bz.open_group(LocalStore(str(root / "g")), mode="w")
    g.create_array("x", shape=(2,), dtype="u1")
    assert sorted(bz.open_group((root / "g").as_uri(), mode="r").array_keys()) == ["x"]
    bz.save(LocalStore(str(root / "b")), np.ones(3), chunks=(3,))
    np.testing.assert_array_equal(bz.load(root / "b"), np.ones(3))
    logged = zarr.storage.LoggingStore(LocalStore(str(root / "a")))
    for bad, why in ((logged, "LoggingStore"), ("nosuchprotocol://bucket/a.zarr", "fsspec cannot open it"),
                     ("file://otherhost/a.zarr", "local directory"), (42, "int")):
        with pytest.raises(InvalidArrayError, match=why):
            bz.open_array(bad, mode="r")
        with pytest.raises(InvalidArrayError, match=why):
            bz.open_group(bad, mode="r")
