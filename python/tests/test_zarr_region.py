"""Reading parts of Zarr arrays: ``brickwork.zarr.open(path)[key]`` gives what NumPy's basic indexing of the
whole array gives, for stores brickwork and zarr-python 3.4.2 write (v2, v3, sharded), reads only the chunk
files (and inner chunks of shards) the region touches, and serves Dask."""
from __future__ import annotations

import json

import numpy as np
import pytest
import zarr
from zarr.codecs import ZstdCodec

import brickwork.zarr as bz
from brickwork.codecs import Zstd
from brickwork.errors import BrickworkError, InvalidArrayError, LimitError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")

SHAPE = (23, 17, 6)


def random_key(rng, shape):
    """A random NumPy basic index of an array of ``shape``: integers, slices of any step, ... and None."""
    key = []
    for n in shape:
        kind = rng.integers(0, 6)
        if kind == 0:
            key.append(int(rng.integers(-n, n)))
        elif kind == 1:
            key.append(slice(None))
        else:
            bound = lambda: None if rng.integers(0, 4) == 0 else int(rng.integers(-n - 2, n + 3))  # noqa: E731
            step = int(rng.choice([1, 1, 2, 3, 5, 9, -1, -2, -4]))
            key.append(slice(bound(), bound(), step))
        if rng.integers(0, 8) == 0:
            key.append(None)
    if rng.integers(0, 4) == 0:  # some entries replaced by an ellipsis
        at = int(rng.integers(0, len(key) + 1))
        key = key[:at] + [...] + key[at + int(rng.integers(0, len(key) - at + 1)):]
    return tuple(key)


def stores(tmp_path, a):
    """The same array written five ways: (name, path)."""
    made = []
    for name, kwargs in [
        ("bw-v2-C", dict(order="C")),
        ("bw-v2-F", dict(order="F", fill_value=3)),
        ("bw-v3", dict(zarr_format=3, order="F")),
        ("bw-v3-shards", dict(zarr_format=3, chunks=(4, 4, 2), shards=(8, 8, 4))),
    ]:
        path = tmp_path / name
        bz.save(path, a, **{"chunks": (8, 5, 4), "compressor": Zstd(level=1), "zarr_format": 2, **kwargs})
        made.append((name, path))
    path = tmp_path / "zarr-shards"
    z = zarr.create_array(store=str(path), shape=a.shape, chunks=(4, 4, 2), shards=(8, 8, 4), dtype=a.dtype,
                          compressors=ZstdCodec(level=1))
    z[:] = a
    made.append(("zarr-shards", path))
    path = tmp_path / "zarr-v2"
    z = zarr.create_array(store=str(path), shape=a.shape, chunks=(8, 5, 4), dtype=a.dtype, zarr_format=2)
    z[:] = a
    made.append(("zarr-v2", path))
    return made


def test_random_keys_give_what_numpy_gives(tmp_path):
    rng = np.random.default_rng(5)
    a = rng.integers(0, 60000, SHAPE).astype("<u2")
    for name, path in stores(tmp_path, a):
        z = bz.open(path)
        assert z.shape == SHAPE and z.dtype == a.dtype and len(z) == SHAPE[0]
        for _ in range(150):
            key = random_key(rng, SHAPE)
            expect = a[key]
            got = z[key]
            assert np.shape(got) == np.shape(expect), (name, key)
            np.testing.assert_array_equal(got, expect, err_msg=f"{name} {key}")
            assert isinstance(got, np.ndarray) == isinstance(expect, np.ndarray), (name, key)
        np.testing.assert_array_equal(np.asarray(z), a)
        np.testing.assert_array_equal(np.asarray(z, dtype="<f8"), a.astype("<f8"))
        np.testing.assert_array_equal(z[...], a)
        with pytest.raises(ValueError, match="without a copy"):
            np.asarray(z, copy=False)


def test_read_into_out_views(tmp_path):
    a = np.arange(np.prod(SHAPE), dtype="<f8").reshape(SHAPE)
    (name, path), *_ = stores(tmp_path, a)
    z = bz.open(path)
    big = np.zeros((30, 30, 30))
    view = big[1:21:2, 3, ::-1][:, :5]  # a strided, backwards view
    np.testing.assert_array_equal(z.read((slice(2, 22, 2), slice(None), slice(1, 6))), a[2:22:2, :, 1:6])
    region = (slice(2, 22, 2), 4, slice(1, 6))
    assert z.read(region, out=view) is view
    np.testing.assert_array_equal(view, a[region])
    np.testing.assert_array_equal(big[1:21:2, 3, ::-1][:, :5], a[region])
    with pytest.raises(InvalidArrayError, match="selection is"):
        z.read(region, out=np.zeros((10, 6)))
    with pytest.raises(BrickworkError, match="read-only"):
        frozen = np.zeros((10, 5))
        frozen.flags.writeable = False
        z.read(region, out=frozen)


def test_missing_chunks_read_as_the_fill_value(tmp_path):
    a = np.arange(np.prod(SHAPE), dtype="<i4").reshape(SHAPE)
    path = tmp_path / "a.zarr"
    bz.save(path, a, chunks=(8, 5, 4), fill_value=-9, zarr_format=2, compressor=None)
    (path / "1.1.0").unlink()
    z = bz.open(path)
    assert z.fill_value == -9
    got = z[5:12, 3:7, 2]
    expect = a[5:12, 3:7, 2].copy()
    expect[3:, 2:] = -9  # rows 8..11 and columns 5..6 are chunk (1, 1, 0)
    np.testing.assert_array_equal(got, expect)


def test_only_the_chunks_a_region_touches_are_read(tmp_path):
    """A corrupt chunk file, or a corrupt inner chunk of a shard, spoils only the regions that touch it."""
    a = np.arange(np.prod(SHAPE), dtype="<u2").reshape(SHAPE)
    path = tmp_path / "v2"
    bz.save(path, a, chunks=(8, 5, 4), compressor=Zstd(level=1), zarr_format=2)
    (path / "0.0.0").write_bytes(b"not zstd at all")
    z = bz.open(path)
    np.testing.assert_array_equal(z[8:, :, :], a[8:])
    np.testing.assert_array_equal(z[:, 5::3, 1], a[:, 5::3, 1])
    with pytest.raises(BrickworkError, match="0.0.0"):
        z[7, 4, 3]
    # a shard written by zarr-python: garble inner chunk (0, 0, 0) of shard c/0/0/0 in place
    path = tmp_path / "shards"
    zarr_array = zarr.create_array(store=str(path), shape=a.shape, chunks=(4, 4, 2), shards=(8, 8, 4),
                                   dtype=a.dtype, compressors=ZstdCodec(level=1))
    zarr_array[:] = a
    shard = path / "c" / "0" / "0" / "0"
    data = bytearray(shard.read_bytes())
    index = np.frombuffer(bytes(data[-(8 * 16 + 4):-4]), "<u8").reshape(8, 2)
    offset, length = (int(v) for v in index[0])
    data[offset:offset + length] = b"\xff" * length
    shard.write_bytes(bytes(data))
    z = bz.open(path)
    np.testing.assert_array_equal(z[4:8, 0:4, 0:2], a[4:8, 0:4, 0:2])  # inner chunk (1, 0, 0)
    np.testing.assert_array_equal(z[:, 4:, :], a[:, 4:])
    np.testing.assert_array_equal(z[::4, 1, 3], a[::4, 1, 3])  # touches shard (0,0,0) only in chunk (*,0,1)
    with pytest.raises(BrickworkError, match=r"inner chunk \[0, 0, 0\]"):
        z[3, 3, 1]
    with pytest.raises(BrickworkError):
        bz.load(path)


def test_zero_d_arrays_and_scalars(tmp_path):
    path = tmp_path / "s.zarr"
    bz.save(path, np.array(2.5), chunks=(), zarr_format=2, compressor=None)
    z = bz.open(path)
    assert z.shape == () and z.ndim == 0 and z.size == 1
    assert z[()] == 2.5 and isinstance(z[()], np.float64)
    assert z[...].shape == () and isinstance(z[...], np.ndarray)
    assert z[None].shape == (1,)
    with pytest.raises(TypeError):
        len(z)
    with pytest.raises(IndexError, match="too many indices"):
        z[0]


@pytest.mark.parametrize("key, says", [
    (([1, 2], slice(None), [0, 1]), r"\.oindex\[\.\.\.\] \(each list along its own axis\)"),
    (np.array([[1, 2]]), "must be 1-d"),
    ((0, [1.5]), "got list"),
    (True, "basic indexing"),
    (1.5, "basic indexing"),
    ((0, 0, 0, 0), "too many indices"),
    ((..., 1, ...), "single ellipsis"),
    (23, "out of bounds for axis 0"),
    ((0, -18), "out of bounds for axis 1"),
])
def test_bad_keys_are_index_errors(tmp_path, key, says):
    path = tmp_path / "a.zarr"
    bz.save(path, np.zeros(SHAPE, "u1"), chunks=(8, 8, 8), zarr_format=2, compressor=None)
    with pytest.raises(IndexError, match=says):
        bz.open(path)[key]


def test_hostile_shapes_are_held_to_max_bytes(tmp_path):
    """The untrusted shape cannot make a read allocate beyond max_bytes; small regions still read."""
    path = tmp_path / "h.zarr"
    bz.save(path, np.ones((4, 4), "<u2"), chunks=(2, 2), zarr_format=2, compressor=None)
    meta = json.loads((path / ".zarray").read_text())
    meta["shape"] = [2**40, 2**20]
    (path / ".zarray").write_text(json.dumps(meta))
    z = bz.open(path)
    assert z.nbytes == 2**61
    with pytest.raises(LimitError, match="max_bytes"):
        z[:]
    with pytest.raises(LimitError):
        np.asarray(z)
    np.testing.assert_array_equal(z[:4, :4], np.ones((4, 4)))
    np.testing.assert_array_equal(z[2**40 - 1, :3], [0, 0, 0])  # missing chunks: the fill value (0)
    with pytest.raises(LimitError):
        bz.open(path, max_bytes=10)[:4, :4]


def test_dask_reads_through_brickwork(tmp_path):
    da = pytest.importorskip("dask.array")
    a = np.random.default_rng(1).standard_normal(SHAPE).astype("<f4")
    path = tmp_path / "d.zarr"
    bz.save(path, a, chunks=(4, 4, 2), shards=(8, 8, 6), zarr_format=3, compressor=Zstd(level=1))
    z = bz.open(path)
    x = da.from_array(z, chunks=z.shards)
    np.testing.assert_allclose(x.mean(axis=(0, 2)).compute(), a.mean(axis=(0, 2)), rtol=1e-5)
    np.testing.assert_array_equal(x[3:20:4, ::-2].compute(), a[3:20:4, ::-2])


@pytest.mark.parametrize("chunks, lock", [((50, 40), False), ((32, 32), True)])
def test_dask_writes_through_brickwork(tmp_path, chunks, lock):
    """``dask.array.store`` into a brickwork array, with Dask's threads: blocks aligned to the chunks
    without a lock (each chunk written by one task), or not aligned with Dask's lock; zarr-python
    reads the result."""
    da = pytest.importorskip("dask.array")
    x = da.random.default_rng(5).standard_normal((200, 160), chunks=(50, 40))
    z = bz.create((200, 160), store=tmp_path / "w.zarr", chunks=chunks, dtype="<f8")
    da.store(x, z, lock=lock, scheduler="threads")
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "w.zarr"), mode="r")[:], x.compute())


def random_values(rng, key, shape, dtype):
    """Values for ``a[key] = values``: a scalar, the region's shape, or something broadcast to it."""
    region = np.empty(shape, dtype)[key].shape
    kind = rng.integers(0, 3)
    if kind == 0:
        return dtype.type(rng.integers(0, 1000))
    values = rng.integers(0, 60000, region).astype(dtype)
    if kind == 1 or not region:
        return values
    return values[..., :1] if region[-1] else values  # broadcast along the last axis


@pytest.mark.parametrize("layout", [
    dict(),
    dict(order="F", fill_value=7, compressor={"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}),
    dict(zarr_format=3, fill_value=7),
    dict(zarr_format=3, chunks=(4, 4, 2), shards=(8, 8, 4)),
])
def test_region_writes_match_numpy_and_zarr_reads_them(tmp_path, layout):
    rng = np.random.default_rng(11)
    dtype = np.dtype("<u2")
    path = tmp_path / "w.zarr"
    options = {"chunks": (8, 5, 4), "compressor": Zstd(level=1), **layout}
    z = bz.create(SHAPE, store=path, dtype=dtype, **{"zarr_format": 2, "fill_value": None, **options})
    assert z.mode == "r+" and z.shape == SHAPE
    model = np.full(SHAPE, options.get("fill_value") or 0, dtype)
    np.testing.assert_array_equal(z[:], model)  # nothing written yet: the fill value
    for _ in range(60):
        key = random_key(rng, SHAPE)
        values = random_values(rng, key, SHAPE, dtype)
        model[key] = values
        z[key] = values
    np.testing.assert_array_equal(z[:], model)
    np.testing.assert_array_equal(zarr.open_array(str(path), mode="r")[:], model)
    # another process's view: a fresh open
    np.testing.assert_array_equal(bz.load(path), model)
    assert not list(path.rglob("*.partial"))


def test_writing_into_stores_zarr_python_made(tmp_path):
    a = np.arange(np.prod(SHAPE), dtype="<i4").reshape(SHAPE)
    for fmt, extra in [(2, {}), (3, {"shards": (8, 8, 4)})]:
        path = tmp_path / f"z{fmt}"
        zarr_array = zarr.create_array(store=str(path), shape=SHAPE, chunks=(4, 4, 2), dtype=a.dtype,
                                       zarr_format=fmt, fill_value=-1, **extra)
        zarr_array[:10] = a[:10]
        z = bz.open(path, mode="r+")
        z[5:15, ::3] = -a[5:15, ::3]
        model = np.full(SHAPE, -1, a.dtype)
        model[:10] = a[:10]
        model[5:15, ::3] = -a[5:15, ::3]
        np.testing.assert_array_equal(zarr.open_array(str(path), mode="r")[:], model)


def test_write_errors(tmp_path):
    path = tmp_path / "e.zarr"
    bz.save(path, np.zeros(SHAPE, "<u2"), chunks=(8, 5, 4), compressor=Zstd(level=1), zarr_format=2)
    with pytest.raises(InvalidArrayError, match='mode="r\\+"'):
        bz.open(path, mode="r")[0] = 1
    z = bz.open(path, mode="r+")
    with pytest.raises(InvalidArrayError, match="cannot write values of shape"):
        z[:2] = np.ones((3, 17, 6))
    with pytest.raises(IndexError, match="out of bounds"):
        z[23] = 1
    with pytest.raises(InvalidArrayError, match="mode must be"):
        bz.open(path, mode="x")
    with pytest.raises(BrickworkError, match="already exists"):  # mode "w-" creates, as zarr.open
        bz.open(path, mode="w-", shape=SHAPE)
    assert bz.open(path).shape == SHAPE, "nothing replaced"
    with pytest.raises(BrickworkError, match="already exists"):
        bz.create(SHAPE, store=path, dtype="<u2", chunks=(8, 8, 8), zarr_format=2, compressor=None, fill_value=None)
    assert bz.create((3,), store=path, dtype="<f8", chunks=(2,), overwrite=True, zarr_format=2, compressor=None, fill_value=None).shape == (3,)
    # a chunk the write only partly covers must be read first: a corrupt one fails the write, names the
    # chunk, and the chunks written so far are whole
    bz.save(path, np.zeros(SHAPE, "<u2"), chunks=(8, 5, 4), compressor=Zstd(level=1), overwrite=True, zarr_format=2)
    (path / "1.0.0").write_bytes(b"garbage")
    z = bz.open(path, mode="r+")
    with pytest.raises(BrickworkError, match="1.0.0"):
        z.write((slice(0, 12), slice(None), slice(None)), 5, threads=1)
    z[:8] = 5  # covers chunk row 0 only
    assert (bz.open(path)[:8] == 5).all()
    assert not list(path.rglob("*.partial"))


def test_zero_d_writes(tmp_path):
    z = bz.create((), store=tmp_path / "s.zarr", dtype="<f4", chunks=(), zarr_format=2, compressor=None, fill_value=None)
    assert z[()] == 0
    z[...] = 4.5
    assert bz.open(tmp_path / "s.zarr")[()] == np.float32(4.5)
    assert zarr.open_array(str(tmp_path / "s.zarr"), mode="r")[()] == np.float32(4.5)


def test_hostile_shard_shapes(tmp_path):
    """Metadata claiming 2**40 inner chunks per shard: reads of a missing shard visit only the inner
    chunks the region touches, a present shard file too small for such an index is an error, and a write
    would need a 16 TiB index: a LimitError, before anything is allocated."""
    path = tmp_path / "h.zarr"
    bz.save(path, np.ones((4, 4), "<u2"), chunks=(2, 2), shards=(4, 4), zarr_format=3, fill_value=9, compressor=None)
    meta = json.loads((path / "zarr.json").read_text())
    meta["chunk_grid"]["configuration"]["chunk_shape"] = [2**20, 2**20]
    meta["codecs"][0]["configuration"]["chunk_shape"] = [1, 1]
    (path / "zarr.json").write_text(json.dumps(meta))
    z = bz.open(path)
    assert z.shards == (2**20, 2**20) and z.chunks == (1, 1)
    with pytest.raises(BrickworkError, match="fewer than its index"):
        z[:2, :2]
    (path / "c" / "0" / "0").unlink()
    np.testing.assert_array_equal(z[:], np.full((4, 4), 9))
    with pytest.raises(LimitError, match="index of one shard"):
        bz.open(path, mode="r+")[0, 0] = 1


@pytest.mark.parametrize("fmt", [2, 3])
def test_attributes_both_ways(tmp_path, fmt):
    attrs = {"resolution": [4, 4, 40], "unit": "nm", "nested": {"ok": True, "none": None}}
    path = tmp_path / "a.zarr"
    bz.save(path, np.zeros((4, 4), "u1"), chunks=(2, 2), zarr_format=fmt, attributes=attrs, compressor=None)
    assert dict(bz.open(path).attrs) == attrs
    assert zarr.open_array(str(path), mode="r").attrs.asdict() == attrs
    with pytest.raises(InvalidArrayError, match="reading only"):
        bz.open(path, mode="r").attrs["unit"] = "m"
    made = tmp_path / "made.zarr"
    bz.create((4,), store=made, dtype="<f4", chunks=(2,), zarr_format=fmt, attributes=attrs, compressor=None, fill_value=None)
    assert zarr.open_array(str(made), mode="r").attrs.asdict() == attrs
    theirs = tmp_path / "theirs.zarr"
    z = zarr.create_array(store=str(theirs), shape=(3,), chunks=(3,), dtype="u1", zarr_format=fmt)
    z.attrs.update(attrs)
    assert dict(bz.open(theirs).attrs) == attrs
    plain = tmp_path / "plain.zarr"
    bz.save(plain, np.zeros(3, "u1"), chunks=(3,), zarr_format=fmt, compressor=None)
    assert dict(bz.open(plain).attrs) == {}
    for bad, says in [({"x": float("nan")}, "JSON values"), ({"x": object()}, "JSON values"), ([1], "dict")]:
        with pytest.raises(InvalidArrayError, match=says):
            bz.save(tmp_path / "bad.zarr", np.zeros(3, "u1"), chunks=(3,), zarr_format=fmt, attributes=bad, compressor=None)
        assert not (tmp_path / "bad.zarr").exists()


def test_arrays_pickle_and_serve_dask_processes(tmp_path):
    import pickle

    da = pytest.importorskip("dask.array")
    a = np.arange(np.prod(SHAPE), dtype="<i8").reshape(SHAPE)
    path = tmp_path / "p.zarr"
    bz.save(path, a, chunks=(8, 5, 4), zarr_format=2, compressor=None)
    z = pickle.loads(pickle.dumps(bz.open(path, mode="r", max_bytes=10**9)))
    assert (z.path, z.mode, z.max_bytes) == (str(path), "r", 10**9)
    np.testing.assert_array_equal(z[2:5], a[2:5])
    x = da.from_array(bz.open(path), chunks=(8, 5, 4))
    assert int(x.sum().compute(scheduler="processes", num_workers=2)) == int(a.sum())


def random_strings(rng, shape):
    words = np.array(["", "a", "bb", "ccc", "é", "日本", "x" * 40, "tab\\t"], dtype=object)
    return words[rng.integers(0, len(words), shape)]


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("compressors", ["auto", None, "blosc"])
def test_variable_length_strings_zarr_python_wrote(tmp_path, fmt, compressors):
    """zarr-python's string arrays (v2: |O with a vlen-utf8 filter; v3: the string data type) read as
    object arrays of str, region by region, missing chunks as the fill value."""
    from zarr.codecs import BloscCodec

    rng = np.random.default_rng(fmt)
    a = random_strings(rng, (11, 7, 3))
    codec = {"auto": "auto", None: None, "blosc": BloscCodec(cname="lz4", clevel=5)}[compressors]
    if fmt == 2 and compressors == "blosc":
        import numcodecs
        codec = numcodecs.Blosc(cname="lz4", clevel=5)
    path = tmp_path / "s.zarr"
    z = zarr.create_array(store=str(path), shape=a.shape, chunks=(4, 3, 2), dtype=str, zarr_format=fmt,
                          compressors=codec)
    z[:] = a
    b = bz.open(path)
    assert b.dtype == object and b.fill_value == ""
    got = bz.load(path)
    assert got.dtype == object and got.shape == a.shape and all(isinstance(v, str) for v in got.flat)
    np.testing.assert_array_equal(got, a)
    for _ in range(40):
        key = random_key(rng, a.shape)
        expect = a[key]
        got = b[key]
        np.testing.assert_array_equal(got, expect, err_msg=str(key))
        assert np.shape(got) == np.shape(expect)
    # a missing chunk reads as the fill value; writing is zarr-python's job
    key = "c/1/1/0" if fmt == 3 else "1.1.0"
    (path / key).unlink()
    expect = a.copy()
    expect[4:8, 3:6, 0:2] = ""
    np.testing.assert_array_equal(bz.load(path), expect)
    # region writes: chunks read (a missing one as the fill value), updated, encoded and replaced
    w = bz.open(path, mode="r+")
    for _ in range(25):
        key = random_key(rng, a.shape)
        values = random_strings(rng, np.empty(a.shape)[key].shape)
        expect[key] = values
        w[key] = values
    w[3, 4, 1] = "scalar"
    expect[3, 4, 1] = "scalar"
    np.testing.assert_array_equal(bz.load(path), expect)
    back = zarr.open_array(str(path), mode="r")[:]
    assert back.tolist() == expect.tolist()
    with pytest.raises(BrickworkError):
        w[0, 0, 0] = 7  # vlen-utf8 stores str (or None), as numcodecs' does


def test_hostile_chunks_of_strings(tmp_path):
    from brickwork.codecs import VLenUTF8

    a = np.array(["a", "b", "c", "d"], dtype=object)
    path = tmp_path / "s.zarr"
    zarr.create_array(store=str(path), shape=(4,), chunks=(2,), dtype=str, zarr_format=2, compressors=None)[:] = a
    (path / "0").write_bytes(VLenUTF8().encode(np.array(["x", "y", "z"], dtype=object)))
    with pytest.raises(BrickworkError, match="holds 3 items; a chunk has 2"):
        bz.load(path)
    np.testing.assert_array_equal(bz.open(path)[2:], a[2:])  # the other chunk is fine
    (path / "0").write_bytes(b"\x02\x00\x00\x00\xff\xff\xff\x7f")  # an item claiming 2 GiB
    with pytest.raises(BrickworkError):
        bz.load(path)
    with pytest.raises(InvalidArrayError, match="selection is"):
        bz.open(path).read(out=np.zeros(4, "<i8"))  # an 8-byte dtype, but not objects


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("order", ["C", "F"])
def test_string_arrays_brickwork_writes(tmp_path, fmt, order):
    """save and create make string arrays zarr-python reads (v2: |O with vlen-utf8; v3: string)."""
    rng = np.random.default_rng(7)
    a = random_strings(rng, (9, 5, 4))
    path = tmp_path / "s.zarr"
    stats = bz.save(path, a, chunks=(4, 2, 4), compressor=Zstd(level=1), zarr_format=fmt, order=order)
    assert stats.chunks == 3 * 3
    z = zarr.open_array(str(path), mode="r")
    assert z[:].tolist() == a.tolist()
    np.testing.assert_array_equal(bz.load(path), a)
    made = tmp_path / "made.zarr"
    b = bz.create((6, 3), store=made, dtype=object, chunks=(4, 2), zarr_format=fmt, fill_value="-", compressor=None)
    b[1:5, 1] = ["p", "q", "r", "s"]
    expect = np.full((6, 3), "-", dtype=object)
    expect[1:5, 1] = ["p", "q", "r", "s"]
    assert zarr.open_array(str(made), mode="r")[:].tolist() == expect.tolist()
    np.testing.assert_array_equal(bz.open(made)[:], expect)
    assert bz.open(made).fill_value == "-"
    with pytest.raises(InvalidArrayError, match="fill value of an array of strings"):
        bz.create((2,), store=tmp_path / "x.zarr", dtype=object, chunks=(2,), fill_value=3, zarr_format=2, compressor=None)
    with pytest.raises(BrickworkError):
        bz.save(tmp_path / "bad.zarr", np.array(["a", 5], dtype=object), chunks=(2,), zarr_format=fmt, compressor=None)
    assert not (tmp_path / "bad.zarr").exists()


@pytest.mark.parametrize("order", ["C", "F"])
def test_sharded_string_arrays(tmp_path, order):
    """Sharded arrays of strings: zarr-python's read (random regions and points) and written (each shard
    rewritten once per write, keeping the inner chunks a write does not touch); brickwork's read by
    zarr-python."""
    rng = np.random.default_rng(8)
    a = random_strings(rng, (11, 7))
    theirs = tmp_path / "theirs.zarr"
    ref = zarr.create_array(store=str(theirs), shape=a.shape, chunks=(2, 3), shards=(4, 6), dtype=str,
                            compressors=ZstdCodec(level=1))
    ref[...] = a
    mine = tmp_path / "mine.zarr"
    bz.save(mine, a, chunks=(2, 3), shards=(4, 6), zarr_format=3, order=order, compressor=Zstd(level=1))
    assert zarr.open_array(str(mine), mode="r")[...].tolist() == a.tolist()
    for path in [theirs, mine]:
        z = bz.open(path, mode="r+")
        assert z.shards == (4, 6) and z.chunks == (2, 3)
        model = a.copy()
        for _ in range(25):
            key = random_key(rng, a.shape)
            assert np.asarray(z[key]).tolist() == np.asarray(model[key]).tolist(), key
            points = tuple(rng.integers(0, n, 9) for n in a.shape)
            assert z.vindex[points].tolist() == model[points].tolist()
            key = tuple(slice(int(rng.integers(0, n)), None, int(rng.integers(1, 3))) for n in a.shape)
            values = random_strings(rng, model[key].shape)
            z[key] = values
            model[key] = values
        z.vindex[[0, 10], [6, 0]] = ["first", "last"]
        model[[0, 10], [6, 0]] = ["first", "last"]
        assert zarr.open_array(str(path), mode="r")[...].tolist() == model.tolist()
        z.resize(5, 4)
        z.resize(11, 7)
        expect = np.full(a.shape, "", dtype=object)
        expect[:5, :4] = model[:5, :4]
        assert zarr.open_array(str(path), mode="r")[...].tolist() == expect.tolist()
        assert bz.load(path).tolist() == expect.tolist()
    # hostile shards: a truncated file, an index pointing past the end, garbage inner chunks
    shard = theirs / "c" / "0" / "0"
    good = shard.read_bytes()
    for bad in [good[:10], good[:-20] + b"\xff" * 20, b"\x00" * 40 + good[40:]]:
        shard.write_bytes(bad)
        with pytest.raises(BrickworkError, match="c/0/0"):
            bz.load(theirs)
        with pytest.raises(BrickworkError):
            bz.open(theirs, mode="r+")[0, 0] = "x"
        assert shard.read_bytes() == bad, "a failed write leaves the shard as it was"


@pytest.mark.parametrize("shape, chunks, says", [
    ((-1, 4), (2, 2), "at least 0"),
    ((4, 4), (0, 2), "positive integers"),
    ((4, 4), (2,), "dimensions"),
    ((2**62, 2**62), (1, 1), "can address"),
    (("a", 4), (2, 2), "integer"),
])
def test_create_refuses_bad_shapes(tmp_path, shape, chunks, says):
    with pytest.raises((InvalidArrayError, TypeError), match=says):
        bz.create(shape, store=tmp_path / "c.zarr", dtype="<u2", chunks=chunks, zarr_format=2, compressor=None, fill_value=None)
    assert not (tmp_path / "c.zarr").exists()
