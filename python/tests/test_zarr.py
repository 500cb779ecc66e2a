"""brickwork.zarr against zarr-python 3.4.2 (Zarr format 2) and Dask: each reads what the other writes."""
from __future__ import annotations

import json
import os

import numcodecs
import numpy as np
import pytest
import zarr

import brickwork.codecs as bw
import brickwork.zarr as bz
from brickwork.codecs import Blosc, Delta, Zstd
from brickwork.errors import BrickworkError, LimitError

RNG = np.random.default_rng(11)

DTYPES = ["|u1", "<u2", ">i4", "<i8", "<f4", ">f8", "|b1", "<c8", "<f2", "<M8[ns]", "|S4", "<U3"]


def sample(shape, dtype):
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    if dtype.kind == "b":
        return RNG.integers(0, 2, n).astype(bool).reshape(shape)
    if dtype.kind == "f":
        return np.round(RNG.standard_normal(n) * 100).astype(dtype).reshape(shape)
    if dtype.kind == "c":
        return (RNG.standard_normal(n) + 1j).astype(dtype).reshape(shape)
    if dtype.kind in "SU":
        words = np.array(["ab", "xyz", "", "q"], dtype=dtype)
        return words[RNG.integers(0, 4, n)].reshape(shape)
    # Smooth integer data so compressors and delta have something to do.
    base = (np.arange(n) // 3).astype(np.int64) % 200
    return base.astype(dtype).reshape(shape)


def fill_for(dtype):
    return {"b": True, "S": b"zz", "U": "fill", "c": 1 + 2j, "M": None}.get(np.dtype(dtype).kind, 7)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
def test_zarr_reads_what_brickwork_writes(tmp_path, dtype, order):
    a = sample((37, 20, 9), dtype)
    path = tmp_path / "a.zarr"
    stats = bz.save(path, a, chunks=(16, 8, 9), compressor=Zstd(level=1), order=order,
                    fill_value=fill_for(dtype), zarr_format=2)
    assert stats.chunks == 3 * 3 and stats.bytes_in == a.nbytes
    z = zarr.open_array(str(path), mode="r")
    assert z.shape == a.shape and z.dtype == a.dtype and z.chunks == (16, 8, 9)
    assert z.metadata.zarr_format == 2
    np.testing.assert_array_equal(z[:], a)
    np.testing.assert_array_equal(bz.load(path), a)
    # Every chunk, edge chunks included, is stored at the full chunk size.
    meta = json.loads((path / ".zarray").read_text())
    assert meta["order"] == order and meta["compressor"] == {"id": "zstd", "level": 1, "checksum": False}
    raw = numcodecs.Zstd().decode((path / "2.2.0").read_bytes())
    assert len(raw) == 16 * 8 * 9 * a.dtype.itemsize


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("compressor", [
    None,
    numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE),
    numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE),
    numcodecs.Zstd(level=3),
    numcodecs.Zlib(level=6),
    numcodecs.LZ4(),
    numcodecs.GZip(level=1),
])
def test_brickwork_reads_what_zarr_writes(tmp_path, dtype, order, compressor):
    a = sample((23, 17, 6), dtype)
    path = str(tmp_path / "z.zarr")
    z = zarr.create_array(store=path, shape=a.shape, chunks=(8, 8, 4), dtype=a.dtype, zarr_format=2,
                          compressors=compressor, order=order, fill_value=fill_for(dtype))
    z[:] = a
    got = bz.load(path)
    np.testing.assert_array_equal(got, a)
    assert got.dtype == a.dtype
    assert bz.info(path).order == order


@pytest.mark.parametrize("filters, dtype", [
    ([numcodecs.Delta(dtype="<i4")], "<i4"),
    ([numcodecs.Shuffle(elementsize=4)], "<f4"),
    ([numcodecs.FixedScaleOffset(offset=100, scale=10, dtype="<f8", astype="<u2")], "<f8"),
    ([numcodecs.Quantize(digits=2, dtype="<f8")], "<f8"),
    ([numcodecs.AsType(encode_dtype="<f4", decode_dtype="<f8")], "<f8"),
    ([numcodecs.BitRound(keepbits=10)], "<f4"),
])
def test_filters_both_ways(tmp_path, filters, dtype):
    a = sample((30, 20), dtype)
    zpath = str(tmp_path / "z.zarr")
    z = zarr.create_array(store=zpath, shape=a.shape, chunks=(16, 16), dtype=a.dtype, zarr_format=2,
                          filters=filters, compressors=numcodecs.Zstd(level=1))
    z[:] = a
    expected = z[:]
    np.testing.assert_array_equal(bz.load(zpath), expected)
    bpath = tmp_path / "b.zarr"
    bz.save(bpath, a, chunks=(16, 16), filters=[f.get_config() for f in filters], compressor={"id": "zstd"}, zarr_format=2)
    np.testing.assert_array_equal(zarr.open_array(str(bpath), mode="r")[:], expected)


def test_missing_chunks_read_as_fill_value(tmp_path):
    path = str(tmp_path / "sparse.zarr")
    z = zarr.create_array(store=path, shape=(40, 40), chunks=(10, 10), dtype="<i2", zarr_format=2,
                          fill_value=-3, compressors=numcodecs.Zlib())
    z[0:10, 0:10] = 5  # zarr writes only this chunk
    got = bz.load(path)
    assert (got[:10, :10] == 5).all() and (got[10:] == -3).all()


def test_dask_reads_brickwork_stores(tmp_path):
    da = pytest.importorskip("dask.array")
    a = sample((50, 40, 30), "<u2")
    bz.save(tmp_path / "d.zarr", a, chunks=(25, 20, 15), compressor=Blosc(cname="zstd", shuffle=Blosc.SHUFFLE),
            filters=[Delta(dtype="<u2")], threads=2, zarr_format=2)
    d = da.from_zarr(str(tmp_path / "d.zarr"))
    assert d.chunksize == (25, 20, 15)
    np.testing.assert_array_equal(d.compute(), a)


def test_zero_d_and_one_d_arrays(tmp_path):
    bz.save(tmp_path / "s.zarr", np.float64(2.5), chunks=(), zarr_format=2, compressor=None)
    assert zarr.open_array(str(tmp_path / "s.zarr"), mode="r")[()] == 2.5
    assert bz.load(tmp_path / "s.zarr")[()] == 2.5
    v = np.arange(1000, dtype="<u4")
    bz.save(tmp_path / "v.zarr", v, chunks=(300,), compressor={"id": "lz4"}, dimension_separator="/", zarr_format=2)
    assert os.path.isfile(tmp_path / "v.zarr" / "3")
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "v.zarr"), mode="r")[:], v)


def test_existing_stores_are_not_clobbered(tmp_path):
    a = np.zeros((4, 4), "u1")
    bz.save(tmp_path / "x.zarr", a, chunks=(2, 2), zarr_format=2, compressor=None)
    with pytest.raises(ValueError, match="overwrite"):
        bz.save(tmp_path / "x.zarr", a, chunks=(2, 2), zarr_format=2, compressor=None)
    bz.save(tmp_path / "x.zarr", a + 1, chunks=(4, 4), overwrite=True, zarr_format=2, compressor=None)
    assert (bz.load(tmp_path / "x.zarr") == 1).all()
    other = tmp_path / "not-a-store"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    with pytest.raises(ValueError, match="new path"):
        bz.save(other, a, chunks=(2, 2), overwrite=True, zarr_format=2, compressor=None)
    assert (other / "precious.txt").read_text() == "keep me"


def test_failed_save_leaves_nothing(tmp_path):
    path = tmp_path / "bad.zarr"
    with pytest.raises(BrickworkError):
        bz.save(path, np.arange(1, 9, dtype="<u8"), chunks=(4,), compressor={"id": "zfpy", "mode": 4}, zarr_format=2)
    assert not path.exists()


@pytest.mark.parametrize("zarray, message", [
    ("{", "not JSON"),
    ('{"zarr_format": 2, "shape": [4], "chunks": [0], "dtype": "<u1", "order": "C", "compressor": null, '
     '"fill_value": 0}', "at least 1"),
    ('{"zarr_format": 2, "shape": [4, 4], "chunks": [2], "dtype": "<u1", "order": "C", "compressor": null, '
     '"fill_value": 0}', "dimensions"),
    ('{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<q7", "order": "C", "compressor": null, '
     '"fill_value": 0}', "dtype"),
    ('{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": [["a", "<u1"], ["a", "<i2"]], "order": "C", '
     '"compressor": null, "fill_value": null}', "structured dtype .* more than once"),
    ('{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": [["a", "<u1"]], "order": "C", '
     '"compressor": null, "fill_value": 0}', "base64"),
    ('{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "|O", "order": "C", "compressor": null, '
     '"fill_value": 0}', "object"),
])
def test_hostile_zarray(tmp_path, zarray, message):
    path = tmp_path / "h.zarr"
    path.mkdir()
    (path / ".zarray").write_text(zarray)
    with pytest.raises(ValueError, match=message):
        bz.load(path)


def test_huge_claims_fail_before_allocating(tmp_path):
    path = tmp_path / "huge.zarr"
    path.mkdir()
    (path / ".zarray").write_text(json.dumps({
        "zarr_format": 2, "shape": [10**7, 10**7], "chunks": [1000, 1000], "dtype": "<f8", "order": "C",
        "compressor": None, "fill_value": 0, "filters": None}))
    with pytest.raises(LimitError):
        bz.load(path)


def test_huge_chunk_claims_of_a_tiny_array_are_limited(tmp_path):
    """A 3-element array whose .zarray claims 1 TiB chunks: every chunk is decoded in a buffer of the chunk
    shape, so that buffer is held to max_bytes too (this used to abort the process)."""
    path = tmp_path / "tiny.zarr"
    path.mkdir()
    meta = {"zarr_format": 2, "shape": [3], "chunks": [2**40], "dtype": "|u1", "order": "C",
            "compressor": None, "fill_value": 0, "filters": None}
    (path / ".zarray").write_text(json.dumps(meta))
    with pytest.raises(LimitError, match="one chunk"):
        bz.load(path)
    with pytest.raises(LimitError, match="one chunk"):
        bz.load(path, out=np.zeros(3, "u1"))
    meta["chunks"] = [2**33]  # within the default limit: zero pages until written, so nothing to fear
    (path / ".zarray").write_text(json.dumps(meta))
    assert list(bz.load(path)) == [0, 0, 0]
    with pytest.raises(LimitError):
        bz.load(path, max_bytes=2**20)


def test_corrupt_chunk_names_the_chunk(tmp_path):
    path = tmp_path / "c.zarr"
    bz.save(path, np.arange(16, dtype="u1"), chunks=(8,), compressor={"id": "zlib"}, zarr_format=2)
    (path / "1").write_bytes(b"\x78\x9c broken")
    with pytest.raises(ValueError, match="chunk 1"):
        bz.load(path)


@pytest.fixture
def registered():
    """brickwork's codecs in numcodecs' registry for one test, numcodecs' own put back afterwards."""
    before = dict(numcodecs.registry.codec_registry)
    yield bw.register_in_numcodecs()
    bw.unregister_from_numcodecs()
    assert numcodecs.registry.codec_registry == before


def test_register_in_numcodecs_swaps_every_id_and_back():
    before = dict(numcodecs.registry.codec_registry)
    with pytest.raises(ValueError, match="no numcodecs codec 'pickle'"):
        bw.register_in_numcodecs(["blosc", "pickle"])
    with pytest.raises(ValueError, match="'pipeline'"):
        bw.register_in_numcodecs("pipeline")
    assert numcodecs.registry.codec_registry == before
    assert bw.register_in_numcodecs("blosc") == ["blosc"]
    assert type(numcodecs.get_codec({"id": "blosc"})) is bw.Blosc
    assert type(numcodecs.get_codec({"id": "zstd"})) is before["zstd"]
    ids = bw.register_in_numcodecs()
    assert ids == bw.register_in_numcodecs()  # again: harmless
    assert "pipeline" not in ids and set(ids) >= {"blosc", "zstd", "vlen-utf8", "zfpy", "pcodec", "fletcher32"}
    for codec_id in ids:
        codec = numcodecs.get_codec({"id": codec_id, **REQUIRED.get(codec_id, {})})
        assert type(codec).__module__.startswith("brickwork"), codec_id
    bw.unregister_from_numcodecs()
    assert numcodecs.registry.codec_registry == before
    bw.unregister_from_numcodecs()  # nothing registered: harmless
    assert numcodecs.registry.codec_registry == before


#: the config keys without a default, for codecs that have some
REQUIRED = {
    "delta": {"dtype": "<i4"},
    "vlen-array": {"dtype": "<i4"},
    "fixedscaleoffset": {"offset": 0, "scale": 10, "dtype": "<f8"},
    "quantize": {"digits": 2, "dtype": "<f8"},
    "astype": {"encode_dtype": "<f4", "decode_dtype": "<f8"},
    "categorize": {"labels": ["a", "b"], "dtype": "<U1"},
    "shuffle": {"elementsize": 4},
    "bitround": {"keepbits": 10},
}


@pytest.mark.parametrize(
    ("compressor", "filters", "dtype"),
    [
        ({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}, None, "<u2"),
        ({"id": "zstd", "level": 3, "checksum": False}, [{"id": "delta", "dtype": "<i4", "astype": "<i4"}], "<i4"),
        ({"id": "zlib", "level": 1}, [{"id": "fixedscaleoffset", "offset": 0, "scale": 100, "dtype": "<f8",
                                       "astype": "<i4"}], "<f8"),
    ],
)
def test_zarr_python_runs_brickwork_codecs_once_registered(tmp_path, compressor, filters, dtype):
    a = sample((60, 50), dtype)
    if dtype == "<f8":
        a = np.round(a / 7, 2)

    def create(path):
        return zarr.create_array(store=str(path), shape=a.shape, chunks=(25, 20), dtype=dtype, zarr_format=2,
                                 compressors=numcodecs.get_codec(compressor),
                                 filters=[numcodecs.get_codec(f) for f in filters or []])

    create(tmp_path / "nc.zarr")[:] = a  # numcodecs' classes write this one
    try:
        bw.register_in_numcodecs()
        z = zarr.open_array(str(tmp_path / "nc.zarr"), mode="r")
        assert all(type(c).__module__.startswith("brickwork") for c in (*z.compressors, *z.filters))
        np.testing.assert_array_equal(z[:], a)
        create(tmp_path / "bw.zarr")[:] = a  # brickwork's classes write this one
    finally:
        bw.unregister_from_numcodecs()
    z = zarr.open_array(str(tmp_path / "bw.zarr"), mode="r")
    assert not any(type(c).__module__.startswith("brickwork") for c in (*z.compressors, *z.filters))
    np.testing.assert_array_equal(z[:], a)
    for name in os.listdir(tmp_path / "nc.zarr"):
        if not name.startswith("."):
            assert (tmp_path / "nc.zarr" / name).read_bytes() == (tmp_path / "bw.zarr" / name).read_bytes(), name


def test_zarr_python_string_arrays_and_dask_with_registered_codecs(tmp_path, registered):
    da = pytest.importorskip("dask.array")
    words = np.array(["neuron", "ß", "细胞", "", "🧠"], dtype=object)[RNG.integers(0, 5, 300)]
    z = zarr.create_array(store=str(tmp_path / "s.zarr"), shape=(300,), chunks=(64,), dtype=str, zarr_format=2)
    z[:] = words  # zarr builds this VLenUTF8 by name (numcodecs' class); reopening goes through get_codec
    again = zarr.open_array(str(tmp_path / "s.zarr"), mode="r+")
    assert [type(c).__module__.split(".")[0] for c in again.filters] == ["brickwork"]
    assert list(again[:]) == list(words)
    again[:64] = words[::-1][:64]
    assert list(zarr.open_array(str(tmp_path / "s.zarr"), mode="r")[:64]) == list(words[::-1][:64])
    a = sample((40, 30), "<u2")
    bz.save(tmp_path / "d.zarr", a, chunks=(16, 16), compressor=Blosc(cname="zstd", shuffle=Blosc.BITSHUFFLE), zarr_format=2)
    np.testing.assert_array_equal(da.from_zarr(str(tmp_path / "d.zarr")).compute(), a)


def test_zarr_python_gets_brickworks_errors_on_a_hostile_chunk(tmp_path, registered):
    path = tmp_path / "h.zarr"
    bz.save(path, np.arange(4096, dtype="<u4"), chunks=(1024,), compressor={"id": "blosc", "cname": "lz4"}, zarr_format=2)
    chunk = bytearray((path / "1").read_bytes())
    chunk[4:8] = (2**31 - 1).to_bytes(4, "little")  # nbytes: claims 2 GiB
    (path / "1").write_bytes(bytes(chunk))
    with pytest.raises(BrickworkError):
        zarr.open_array(str(path), mode="r")[:]


def test_groups_are_named_in_the_error(tmp_path):
    group = zarr.open_group(str(tmp_path / "g.zarr"), mode="w", zarr_format=2)
    group.create_array("labels", shape=(4,), chunks=(2,), dtype="u1")
    with pytest.raises(OSError, match=r"is a Zarr v2 group, not an array \(open one of its arrays: labels\)"):
        bz.Array(tmp_path / "g.zarr")
    with pytest.raises(OSError, match=r"a Zarr v2 array has a .zarray, a v3 array a zarr.json"):
        bz.load(tmp_path / "nothing-here")
