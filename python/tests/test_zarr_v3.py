"""brickwork.zarr against zarr-python 3.4.2 in Zarr format 3 (zarr-python's default) and Dask: each reads
what the other writes, with the codecs zarr-python writes by default and by request."""
from __future__ import annotations

import json
import os

import numcodecs
import numpy as np
import pytest
import zarr
from zarr.codecs import BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, TransposeCodec, ZstdCodec

import brickwork.zarr as bz
from brickwork.codecs import Blosc, Delta, Zstd
from brickwork.errors import LimitError

from test_zarr import fill_for, sample

# zarr-python warns that the numcodecs.* codecs and some data types are not in the v3 spec yet
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")

DTYPES = ["|u1", "<u2", "<i4", "<i8", "<f4", "<f8", "|b1", "<c8", "<f2", "<M8[ns]", "|S4", "<U3"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("compressors", [
    "auto",  # zarr-python's default: zstd level 0
    None,
    BloscCodec(cname="lz4", clevel=5, shuffle="shuffle"),
    BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle"),
    GzipCodec(level=1),
    [ZstdCodec(level=3, checksum=True), Crc32cCodec()],
])
def test_brickwork_reads_what_zarr_writes(tmp_path, dtype, compressors):
    a = sample((23, 17, 6), dtype)
    path = str(tmp_path / "z.zarr")
    z = zarr.create_array(store=path, shape=a.shape, chunks=(8, 8, 4), dtype=a.dtype, compressors=compressors,
                          fill_value=fill_for(dtype) or 0)
    z[:] = a
    assert z.metadata.zarr_format == 3
    got = bz.load(path)
    assert got.dtype == a.dtype
    np.testing.assert_array_equal(got, a)
    info = bz.info(path)
    assert (info.zarr_format, info.chunks) == (3, (8, 8, 4))


@pytest.mark.parametrize("dtype", DTYPES + [">i4", ">f8"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_zarr_reads_what_brickwork_writes(tmp_path, dtype, order):
    a = sample((37, 20, 9), dtype)
    path = tmp_path / "a.zarr"
    stats = bz.save(path, a, chunks=(16, 8, 9), compressor=Zstd(level=1), order=order,
                    fill_value=fill_for(dtype), zarr_format=3)
    assert stats.chunks == 3 * 3 and stats.bytes_in == a.nbytes
    z = zarr.open_array(str(path), mode="r")
    assert z.metadata.zarr_format == 3 and z.shape == a.shape and z.chunks == (16, 8, 9)
    np.testing.assert_array_equal(z[:], a)
    np.testing.assert_array_equal(bz.load(path), a)
    meta = json.loads((path / "zarr.json").read_text())
    names = [c["name"] for c in meta["codecs"]]
    assert names == (["transpose"] if order == "F" else []) + ["bytes", "zstd"]
    assert meta["chunk_key_encoding"] == {"name": "default", "configuration": {"separator": "/"}}
    # Every chunk, edge chunks included, is stored at the full chunk size, under c/.
    raw = numcodecs.Zstd().decode((path / "c" / "2" / "2" / "0").read_bytes())
    assert len(raw) == 16 * 8 * 9 * a.dtype.itemsize


@pytest.mark.parametrize("filters, dtype", [
    ([numcodecs.Delta(dtype="<i4")], "<i4"),
    ([numcodecs.FixedScaleOffset(offset=100, scale=10, dtype="<f8", astype="<u2")], "<f8"),
    ([numcodecs.Quantize(digits=2, dtype="<f8")], "<f8"),
    ([numcodecs.AsType(encode_dtype="<f4", decode_dtype="<f8")], "<f8"),
    ([numcodecs.BitRound(keepbits=10)], "<f4"),
])
def test_numcodecs_filters_both_ways(tmp_path, filters, dtype):
    a = sample((30, 20), dtype)
    wrapped = [getattr(zarr.codecs.numcodecs, type(f).__name__)(**f.get_config()) for f in filters]
    zpath = str(tmp_path / "z.zarr")
    z = zarr.create_array(store=zpath, shape=a.shape, chunks=(16, 16), dtype=a.dtype, filters=wrapped,
                          compressors=ZstdCodec(level=1))
    z[:] = a
    expected = z[:]
    np.testing.assert_array_equal(bz.load(zpath), expected)
    bpath = tmp_path / "b.zarr"
    bz.save(bpath, a, chunks=(16, 16), filters=[f.get_config() for f in filters], compressor={"id": "zstd"},
            zarr_format=3)
    np.testing.assert_array_equal(zarr.open_array(str(bpath), mode="r")[:], expected)
    np.testing.assert_array_equal(bz.load(bpath), expected)


def test_other_numcodecs_codecs_and_blosc_settings_both_ways(tmp_path):
    a = sample((40, 30), "<u4")
    bpath = tmp_path / "b.zarr"
    bz.save(bpath, a, chunks=(16, 16), filters=[Delta(dtype="<u4")], zarr_format=3,
            compressor=Blosc(cname="zstd", clevel=3, shuffle=Blosc.AUTOSHUFFLE))
    meta = json.loads((bpath / "zarr.json").read_text())
    assert meta["codecs"][2] == {"name": "blosc", "configuration": {
        "typesize": 4, "cname": "zstd", "clevel": 3, "shuffle": "shuffle", "blocksize": 0}}
    z = zarr.open_array(str(bpath), mode="r")
    np.testing.assert_array_equal(z[:], a)
    # numcodecs' LZ4 and a checksum as zarr-python's numcodecs.* bytes codecs
    zpath = str(tmp_path / "z.zarr")
    z = zarr.create_array(store=zpath, shape=a.shape, chunks=(16, 16), dtype=a.dtype,
                          compressors=[zarr.codecs.numcodecs.LZ4(), zarr.codecs.numcodecs.Fletcher32()])
    z[:] = a
    np.testing.assert_array_equal(bz.load(zpath), a)
    bz.save(tmp_path / "c.zarr", a, chunks=(16, 16), filters=[{"id": "shuffle", "elementsize": 4}],
            compressor={"id": "adler32"}, zarr_format=3)
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "c.zarr"), mode="r")[:], a)


def test_transpose_and_big_endian_chunks_from_zarr(tmp_path):
    a = sample((20, 12, 6), "<i4")
    path = str(tmp_path / "t.zarr")
    z = zarr.create_array(store=path, shape=a.shape, chunks=(8, 8, 4), dtype=a.dtype,
                          filters=[TransposeCodec(order=(2, 1, 0))], serializer=BytesCodec(endian="big"),
                          compressors=None)
    z[:] = a
    assert bz.info(path).order == "F"
    np.testing.assert_array_equal(bz.load(path), a)
    # stored big-endian, read in native byte order as zarr-python reads it; writes, point reads and writes,
    # and `out` arrays of either byte order agree with zarr-python's
    ours = bz.open(path, mode="r+")
    assert ours.dtype == zarr.open_array(path).dtype == np.dtype("<i4")
    ours[3:9, 2] = -7
    ours.vindex[[0, 19], [0, 11], [0, 5]] = [123456, -2]
    want = a.copy()
    want[3:9, 2] = -7
    want[0, 0, 0], want[19, 11, 5] = 123456, -2
    np.testing.assert_array_equal(zarr.open_array(path)[...], want)
    np.testing.assert_array_equal(ours.vindex[[0, 19], [0, 11], [0, 5]], [123456, -2])
    for dt in ("<i4", ">i4"):
        out = np.empty(a.shape, dt)
        np.testing.assert_array_equal(ours.read(out=out), want)
    odd = str(tmp_path / "odd.zarr")
    zarr.create_array(store=odd, shape=a.shape, chunks=(8, 8, 4), dtype=a.dtype,
                      filters=[TransposeCodec(order=(1, 0, 2))])[:] = a
    with pytest.raises(ValueError, match=r"neither C \(\[0, 1, 2\]\) nor F"):
        bz.load(odd)


def test_chunk_keys_missing_chunks_and_zero_d(tmp_path):
    path = str(tmp_path / "sparse.zarr")
    z = zarr.create_array(store=path, shape=(40, 40), chunks=(10, 10), dtype="<i2", fill_value=-3,
                          chunk_key_encoding={"name": "v2", "separator": "."})
    z[0:10, 10:20] = 5  # zarr writes only this chunk, as 0.1
    assert sorted(os.listdir(path)) == ["0.1", "zarr.json"]
    got = bz.load(path)
    assert (got[:10, 10:20] == 5).all() and (got[10:] == -3).all() and (got[:, :10] == -3).all()
    bz.save(tmp_path / "s.zarr", np.float64(2.5), chunks=(), zarr_format=3, compressor=None)
    assert os.path.isfile(tmp_path / "s.zarr" / "c")
    assert zarr.open_array(str(tmp_path / "s.zarr"), mode="r")[()] == 2.5
    assert bz.load(tmp_path / "s.zarr")[()] == 2.5
    scalar = str(tmp_path / "zs.zarr")
    zarr.create_array(store=scalar, shape=(), dtype="<u2", fill_value=0)[...] = 9
    assert bz.load(scalar)[()] == 9
    bz.save(tmp_path / "dot.zarr", np.arange(10, dtype="u1"), chunks=(4,), zarr_format=3,
            dimension_separator=".", compressor=None)
    assert sorted(os.listdir(tmp_path / "dot.zarr")) == ["c.0", "c.1", "c.2", "zarr.json"]
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "dot.zarr"), mode="r")[:], np.arange(10))


def test_dask_reads_brickwork_v3_stores(tmp_path):
    da = pytest.importorskip("dask.array")
    a = sample((50, 40, 30), "<u2")
    bz.save(tmp_path / "d.zarr", a, chunks=(25, 20, 15), compressor=Blosc(cname="lz4", shuffle=Blosc.SHUFFLE),
            filters=[Delta(dtype="<u2")], threads=2, zarr_format=3)
    d = da.from_zarr(str(tmp_path / "d.zarr"))
    assert d.chunksize == (25, 20, 15)
    np.testing.assert_array_equal(d.compute(), a)


def test_overwrite_replaces_either_format(tmp_path):
    a = np.zeros((4, 4), "u1")
    bz.save(tmp_path / "x.zarr", a, chunks=(2, 2), zarr_format=3, compressor=None)
    with pytest.raises(ValueError, match="overwrite"):
        bz.save(tmp_path / "x.zarr", a, chunks=(2, 2), zarr_format=2, compressor=None)
    bz.save(tmp_path / "x.zarr", a + 1, chunks=(4, 4), overwrite=True, zarr_format=2, compressor=None)  # v3 → v2
    assert bz.info(tmp_path / "x.zarr").zarr_format == 2 and (bz.load(tmp_path / "x.zarr") == 1).all()
    assert not (tmp_path / "x.zarr" / "zarr.json").exists()


def test_what_brickwork_cannot_read_is_named(tmp_path):
    strings = str(tmp_path / "strings.zarr")
    zarr.create_array(store=strings, shape=(3,), chunks=(3,), dtype=str)[:] = ["a", "b", "c"]
    bz.open(strings, mode="r+")[0] = "d"  # string arrays: test_zarr_region.py
    assert list(zarr.open_array(strings, mode="r")[:]) == ["d", "b", "c"]
    with pytest.raises(ValueError, match="vlen-utf8"):  # a v3 string array is stored with vlen-utf8
        bz.save(tmp_path / "n.zarr", np.array(["a"], dtype=object), chunks=(1,), zarr_format=3,
                filters=[{"id": "json2"}], compressor=None)
    group = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    group.create_array("labels", shape=(4,), chunks=(2,), dtype="u1")
    group.create_group("sub")
    with pytest.raises(ValueError, match=r"is a Zarr v3 group, not an array \(open one of its arrays: labels\)"):
        bz.info(tmp_path / "g.zarr")
    assert list(bz.load(tmp_path / "g.zarr")) == ["labels"]  # a group loads as its arrays' data by name
    with pytest.raises(ValueError, match="zarr_format must be 2 or 3"):
        bz.save(tmp_path / "n.zarr", np.zeros(3), chunks=(3,), zarr_format=4, compressor=None)
    with pytest.raises(ValueError, match="cannot follow zlib"):
        bz.save(tmp_path / "n.zarr", np.zeros(3, "<i4"), chunks=(3,), zarr_format=3,
                filters=[{"id": "zlib"}, {"id": "delta", "dtype": "<i4"}], compressor=None)
    assert not (tmp_path / "n.zarr").exists()


@pytest.mark.parametrize("zarr_json, message", [
    ("{", "not JSON"),
    ('{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "uint8", "chunk_grid": '
     '{"name": "regular", "configuration": {"chunk_shape": [0]}}, "fill_value": 0, "codecs": [{"name": "bytes"}]}',
     "at least 1"),
    ('{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "uint8", "chunk_grid": '
     '{"name": "regular", "configuration": {"chunk_shape": [2]}}, "fill_value": 0, "codecs": []}',
     "no array→bytes codec"),
    ('{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int3", "chunk_grid": '
     '{"name": "regular", "configuration": {"chunk_shape": [2]}}, "fill_value": 0, "codecs": [{"name": "bytes"}]}',
     "int3"),
])
def test_hostile_zarr_json(tmp_path, zarr_json, message):
    path = tmp_path / "h.zarr"
    path.mkdir()
    (path / "zarr.json").write_text(zarr_json)
    with pytest.raises(ValueError, match=message):
        bz.load(path)


def test_huge_claims_fail_before_allocating(tmp_path):
    path = tmp_path / "huge.zarr"
    path.mkdir()
    (path / "zarr.json").write_text(json.dumps({
        "zarr_format": 3, "node_type": "array", "shape": [10**7, 10**7], "data_type": "float64",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1000, 1000]}},
        "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}))
    with pytest.raises(LimitError):
        bz.load(path)


@pytest.mark.parametrize("zarr_codecs, compressor, filters", [
    ([ZstdCodec(level=3)], {"id": "zstd", "level": 3}, []),
    ([BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")], Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE), []),
    # (not gzip: numcodecs' GZip, which zarr-python runs, stamps each chunk with the current time)
    ([ZstdCodec(level=1), Crc32cCodec()], {"id": "crc32c"}, [{"id": "zstd", "level": 1}]),
])
def test_chunk_files_are_byte_identical_to_zarr_pythons(tmp_path, zarr_codecs, compressor, filters):
    a = sample((40, 30), "<u2")
    zpath = tmp_path / "z.zarr"
    zarr.create_array(store=str(zpath), shape=a.shape, chunks=(16, 16), dtype=a.dtype, compressors=zarr_codecs,
                      fill_value=0, config={"write_empty_chunks": True})[:] = a
    bpath = tmp_path / "b.zarr"
    bz.save(bpath, a, chunks=(16, 16), compressor=compressor, filters=filters, fill_value=0, zarr_format=3)
    zmeta, bmeta = (json.loads((p / "zarr.json").read_text()) for p in (zpath, bpath))
    assert bmeta["codecs"] == zmeta["codecs"]
    for chunk in ["c/0/0", "c/1/1", "c/2/1"]:
        assert (bpath / chunk).read_bytes() == (zpath / chunk).read_bytes(), chunk


@pytest.mark.parametrize("dtype", ["|u1", "<u2", "<f8", "<U3"])
@pytest.mark.parametrize("compressors", ["auto", None, BloscCodec(cname="lz4", shuffle="bitshuffle")])
@pytest.mark.parametrize("index_location", ["end", "start"])
def test_brickwork_reads_sharded_arrays(tmp_path, dtype, compressors, index_location):
    a = sample((37, 21, 10), dtype)
    path = str(tmp_path / "s.zarr")
    serializer = "auto"
    if index_location == "start":
        from zarr.codecs import ShardingCodec
        serializer = ShardingCodec(chunk_shape=(4, 7, 5), codecs=[BytesCodec(), *([] if compressors is None else
                                   [ZstdCodec()] if compressors == "auto" else [compressors])],
                                   index_location="start")
        z = zarr.create_array(store=path, shape=a.shape, chunks=(8, 14, 10), dtype=a.dtype, serializer=serializer,
                              compressors=None, fill_value=fill_for(dtype) or 0)
    else:
        z = zarr.create_array(store=path, shape=a.shape, chunks=(4, 7, 5), shards=(8, 14, 10), dtype=a.dtype,
                              compressors=compressors, fill_value=fill_for(dtype) or 0)
    z[:] = a
    np.testing.assert_array_equal(bz.load(path), a)
    info = bz.info(path)
    assert (info.chunks, info.shards) == ((4, 7, 5), (8, 14, 10))
    # inner chunks and whole shards that were never written read as the fill value
    sparse = zarr.create_array(store=str(tmp_path / "p.zarr"), shape=a.shape, chunks=(4, 7, 5), shards=(8, 14, 10),
                               dtype=a.dtype, compressors=compressors, fill_value=fill_for(dtype) or 0)
    sparse[9:13, 0:5, 2:4] = a[9:13, 0:5, 2:4]
    np.testing.assert_array_equal(bz.load(tmp_path / "p.zarr"), sparse[:])


def test_sharded_arrays_with_transpose_and_filters_inside(tmp_path):
    a = sample((30, 20), "<i4")
    path = str(tmp_path / "t.zarr")
    z = zarr.create_array(store=path, shape=a.shape, chunks=(5, 10), shards=(10, 20), dtype=a.dtype,
                          filters=[TransposeCodec(order=(1, 0)), zarr.codecs.numcodecs.Delta(dtype="<i4")],
                          compressors=ZstdCodec(level=1))
    z[:] = a
    np.testing.assert_array_equal(bz.load(path), a)
    chunk = os.path.join(path, "c", "1", "0")
    data = bytearray(open(chunk, "rb").read())
    data[-5] ^= 0xFF  # the index checksum no longer matches
    open(chunk, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="chunk c/1/0: index: crc32c"):
        bz.load(path)


@pytest.mark.parametrize("dtype", ["|u1", "<u2", "<f8", "<U3"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_zarr_reads_sharded_arrays_brickwork_writes(tmp_path, dtype, order):
    a = sample((37, 21, 10), dtype)
    a[:8] = fill_for(dtype) or 0  # whole inner chunks of fill, which are left out of the shards
    path = tmp_path / "s.zarr"
    stats = bz.save(path, a, chunks=(4, 7, 5), shards=(8, 14, 10), compressor=Zstd(level=1), order=order,
                    fill_value=fill_for(dtype) or 0, zarr_format=3, threads=2)
    # the 2 shards of a[:8] hold only the fill value: left out (write_empty_chunks=False, zarr-python's
    # default), as are the inner chunks of fill in the others
    assert stats.chunks == 5 * 2 * 1 - 2 == len([f for f in (path / "c").rglob("*") if f.is_file()])
    z = zarr.open_array(str(path), mode="r")
    assert (z.chunks, z.shards) == ((4, 7, 5), (8, 14, 10))
    np.testing.assert_array_equal(z[:], a)
    np.testing.assert_array_equal(bz.load(path), a)
    assert bz.info(path).shards == (8, 14, 10)
    # zarr-python updates one region of a brickwork shard, and brickwork reads the result
    z = zarr.open_array(str(path), mode="r+")
    z[1:3, 2:5, :] = a[20:22, 2:5, :]
    a[1:3, 2:5, :] = a[20:22, 2:5, :]
    np.testing.assert_array_equal(bz.load(path), a)
    with pytest.raises(ValueError, match="shards are a Zarr v3 feature"):
        bz.save(tmp_path / "v2.zarr", a, chunks=(4, 7, 5), shards=(8, 14, 10), zarr_format=2, compressor=None)
    with pytest.raises(ValueError, match="not a multiple"):
        bz.save(tmp_path / "odd.zarr", a, chunks=(4, 7, 5), shards=(6, 14, 10), zarr_format=3, compressor=None)
    assert not (tmp_path / "odd.zarr").exists()


def test_transpose_filters_as_zarr_python(tmp_path):
    """``filters=[TransposeCodec(order=...)]`` in create_array: the reversed axes (F order) and the identity
    write the same chunks as zarr-python's (and, reversed, the same zarr.json: of the identity, zarr-python
    keeps a transpose codec that changes nothing); other permutations are a clear error."""
    data = np.arange(120, dtype="<i4").reshape(4, 5, 6)
    for permutation in [(2, 1, 0), (0, 1, 2)]:
        for m in (zarr, bz):
            z = m.create_array(store=str(tmp_path / f"{m.__name__}{permutation}"), shape=data.shape, dtype="<i4",
                               chunks=(2, 5, 3), filters=[TransposeCodec(order=permutation)])
            z[:] = data
        mine, ref = (json.load(open(tmp_path / f"{m.__name__}{permutation}" / "zarr.json")) for m in (bz, zarr))
        assert mine == ref or permutation == (0, 1, 2)
        for m in (bz, zarr):
            np.testing.assert_array_equal(zarr.open_array(str(tmp_path / f"{m.__name__}{permutation}"), mode="r")[:],
                                          data)
            assert (open(tmp_path / f"brickwork.zarr{permutation}" / "c" / "1" / "0" / "1", "rb").read() ==
                    open(tmp_path / f"zarr{permutation}" / "c" / "1" / "0" / "1", "rb").read())
    with pytest.raises(ValueError, match="transposed"):
        bz.create_array(store=str(tmp_path / "odd"), shape=data.shape, dtype="<i4",
                        filters=[TransposeCodec(order=(1, 0, 2))])
    assert not os.path.exists(tmp_path / "odd" / "zarr.json")
