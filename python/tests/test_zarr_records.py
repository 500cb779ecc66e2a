"""Structured dtypes (NumPy records) in Zarr stores, against zarr-python 3.4.2: v2's ``dtype`` lists
(nested records, subarray fields, either byte order) and v3's ``struct`` data type, each side reading what
the other writes, fill values included; ``fields=`` and field names among indices (``a["x"]``,
``a[2:5, "y"]``), read and written, as zarr-python's."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
import zarr
from numpy.lib.recfunctions import repack_fields

import brickwork.zarr as bz
from brickwork.errors import InvalidArrayError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")

RNG = np.random.default_rng(5)

FLAT = np.dtype([("x", "<i4"), ("y", "<f8"), ("tag", "S3"), ("ok", "?")])
MIXED = np.dtype([("x", ">i4"), ("y", "<f4")])  # fields in both byte orders (v2 keeps them)
NESTED = np.dtype([("id", "<u8"), ("color", [("r", "u1"), ("g", "u1"), ("b", "u1")])])
# subarray fields: NumPy and Zarr v2 have them, zarr-python 3.4.2 refuses them; brickwork reads and writes them
SUBARRAY = np.dtype([("id", "<u8"), ("pos", "<f4", (3,)), ("color", NESTED)])


def records(shape, dtype: np.dtype) -> np.ndarray:
    a = np.zeros(shape, dtype)
    a.reshape(-1).view(np.uint8)[:] = RNG.integers(0, 256, a.nbytes, dtype=np.uint8)
    for name in dtype.names:  # floats without NaN, so arrays compare equal
        if a[name].dtype.names is not None:
            a[name] = records(shape, a[name].dtype)
        elif a[name].dtype.kind == "f":
            a[name] = RNG.standard_normal(a[name].shape)
        if a[name].dtype.kind == "b":
            a[name] = RNG.integers(0, 2, a[name].shape).astype(bool)
    return a


CASES = [(2, FLAT), (2, MIXED), (2, NESTED), (3, FLAT), (3, MIXED)]


@pytest.mark.parametrize("fmt,dtype", CASES, ids=lambda v: str(v) if isinstance(v, int) else "")
def test_brickwork_reads_what_zarr_writes(tmp_path, fmt, dtype):
    a = records((13, 7), dtype)
    path = str(tmp_path / "r.zarr")
    fill = records((), dtype)[()]
    z = zarr.create_array(path, shape=a.shape, chunks=(5, 4), dtype=dtype, zarr_format=fmt, fill_value=fill)
    z[:10] = a[:10]
    expected = zarr.open_array(path, mode="r")[...]  # rows 10.. are the fill value
    got = bz.open(path)
    assert got.dtype == zarr.open_array(path).dtype
    np.testing.assert_array_equal(got[...], expected)
    np.testing.assert_array_equal(got[2:11, 3], expected[2:11, 3])
    assert got.fill_value.tobytes() == np.asarray(zarr.open_array(path).fill_value, got.dtype).tobytes()
    assert bz.load(path).dtype == got.dtype


def test_big_endian_struct_written_by_zarr_python(tmp_path):
    """A v3 struct stored big-endian (zarr-python's ``serializer=BytesCodec(endian="big")``): brickwork
    reads the same values in native byte order, as zarr-python does, and keeps the stored byte order
    when it writes and rewrites the metadata."""
    from zarr.codecs import BytesCodec

    a = records((9,), FLAT)
    path = str(tmp_path / "big.zarr")
    fill = records((), FLAT)[()]
    z = zarr.create_array(path, shape=a.shape, chunks=(4,), dtype=FLAT, serializer=BytesCodec(endian="big"),
                          fill_value=fill)
    z[:6] = a[:6]
    ours = bz.open(path, mode="r+")
    assert ours.dtype == zarr.open_array(path).dtype == FLAT
    np.testing.assert_array_equal(ours[...], zarr.open_array(path)[...])
    ours.resize((11,))
    ours[9:] = a[:2]
    assert json.loads(open(os.path.join(path, "zarr.json")).read())["codecs"][0]["configuration"]["endian"] == "big"
    want = np.concatenate([a[:6], np.full(3, fill, FLAT), a[:2]])
    np.testing.assert_array_equal(zarr.open_array(path)[...], want)


def test_subarray_fields_round_trip_in_v2(tmp_path):
    a = records((9, 4), SUBARRAY)
    bz.save(tmp_path / "s.zarr", a, chunks=(4, 4), fill_value=records((), SUBARRAY)[()], zarr_format=2, compressor=None)
    back = bz.open(tmp_path / "s.zarr")
    assert back.dtype == SUBARRAY
    np.testing.assert_array_equal(back[...], a)
    np.testing.assert_array_equal(back[2:5, "pos"], a[2:5]["pos"])
    np.testing.assert_array_equal(back[..., "color"], a["color"])
    with pytest.raises(InvalidArrayError, match="Zarr v2"):  # v3's struct holds scalar fields only
        bz.save(tmp_path / "s3.zarr", a, chunks=(4, 4), zarr_format=3, compressor=None)
    assert not (tmp_path / "s3.zarr").exists()


@pytest.mark.parametrize("fmt,dtype,shards", [(f, d, None) for f, d in CASES] + [(3, FLAT, (10, 8)), (3, MIXED, (10, 8))],
                         ids=lambda v: str(v) if isinstance(v, (int, tuple)) else "")
def test_zarr_reads_what_brickwork_writes(tmp_path, fmt, dtype, shards):
    a = records((13, 7), dtype)
    path = tmp_path / "r.zarr"
    fill = records((), dtype)[()]
    bz.save(path, a, chunks=(5, 4), zarr_format=fmt, shards=shards, fill_value=fill, compressor=None)
    z = zarr.open_array(str(path), mode="r")
    assert z.dtype.names == dtype.names
    np.testing.assert_array_equal(z[...], a)  # v3 made the fields little-endian: equal values
    assert np.asarray(z.fill_value, dtype).tobytes() == np.asarray(fill, dtype).tobytes()
    meta = json.loads((path / (".zarray" if fmt == 2 else "zarr.json")).read_text())
    if fmt == 2:
        assert meta["dtype"] == json.loads(json.dumps(dtype.descr))
    else:
        assert meta["data_type"]["name"] == "struct"
    # created empty, then written a region at a time
    e = bz.create(a.shape, store=tmp_path / "e.zarr", dtype=dtype, chunks=(5, 4), zarr_format=fmt, fill_value=fill, compressor=None)
    e[3:9, 2:] = a[3:9, 2:]
    want = np.full(a.shape, fill, dtype)
    want[3:9, 2:] = a[3:9, 2:]
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "e.zarr"))[...], want)
    np.testing.assert_array_equal(e[...], want)


@pytest.mark.parametrize("fmt", [2, 3])
def test_fields_read_and_write_as_numpy_indexes_fields(tmp_path, fmt):
    """zarr-python's ``fields=`` and names among indices (its documented meaning; zarr-python 3.4.2's own
    raises TypeError for every read), checked against NumPy on the same records; zarr-python reads the
    records written."""
    a = records((12, 9), FLAT)
    path = str(tmp_path / "r.zarr")
    bz.save(path, a, chunks=(5, 4), zarr_format=fmt, compressor=None)
    ours = bz.open(path, mode="r+")
    rows, cols = np.array([0, 3, 3, 11]), np.array([8, 1, 2, 0])
    reads = [
        (lambda z: z["x"], a["x"]),
        (lambda z: z[2:7, "y"], a[2:7]["y"]),
        (lambda z: z[4, 5, "tag"], a[4, 5]["tag"]),
        (lambda z: z[1:3, ..., "x", "ok"], repack_fields(a[1:3][["x", "ok"]])),  # packed, as zarr-python's dtype
        (lambda z: z.get_basic_selection((slice(None), 2), fields=["y", "x"]), repack_fields(a[:, 2][["y", "x"]])),
        (lambda z: z.get_orthogonal_selection(([1, 5, 7], slice(2, 6)), fields="y"), a[[1, 5, 7], 2:6]["y"]),
        (lambda z: z.get_coordinate_selection((rows, cols), fields="tag"), a[rows, cols]["tag"]),
        (lambda z: z.get_block_selection((1, 0), fields="x"), a[5:10, 0:4]["x"]),
        (lambda z: z.get_mask_selection(a["ok"], fields="x"), a[a["ok"]]["x"]),
    ]
    for i, (read, want) in enumerate(reads):
        got = read(ours)
        assert np.asarray(got).dtype == np.asarray(want).dtype.newbyteorder("="), i
        assert np.asarray(got).tobytes() == np.asarray(want).tobytes(), i
    out = np.zeros(12, "f8")
    assert ours.get_basic_selection((slice(None), 4), fields="y", out=out) is out
    np.testing.assert_array_equal(out, a[:, 4]["y"])
    model = a.copy()
    writes = [
        (lambda z: z.__setitem__((slice(1, 4), "x"), 77), lambda m: m["x"].__setitem__(slice(1, 4), 77)),
        (lambda z: z.__setitem__("y", np.arange(a.size, dtype="f8").reshape(a.shape)),
         lambda m: m.__setitem__("y", np.arange(a.size, dtype="f8").reshape(a.shape))),
        (lambda z: z.set_basic_selection((5, slice(None)), b"zz", fields="tag"),
         lambda m: m["tag"].__setitem__(5, b"zz")),
        (lambda z: z.set_orthogonal_selection(([0, 9], [1, 2]), -5, fields="x"),
         lambda m: m["x"].__setitem__(np.ix_([0, 9], [1, 2]), -5)),
        (lambda z: z.set_coordinate_selection((rows, cols), True, fields="ok"),
         lambda m: m["ok"].__setitem__((rows, cols), True)),
        (lambda z: z.set_block_selection((0, 1), 3, fields="x"), lambda m: m["x"].__setitem__((slice(0, 5), slice(4, 8)), 3)),
        (lambda z: z.set_basic_selection(..., (1, 2.5), fields=["x", "y"]), lambda m: (m["x"].fill(1), m["y"].fill(2.5))),
    ]
    for i, (write, apply) in enumerate(writes):
        write(ours)
        apply(model)
        np.testing.assert_array_equal(ours[...], model, err_msg=str(i))
    np.testing.assert_array_equal(zarr.open_array(path)[...], model)
    with pytest.raises(IndexError, match="field not found"):
        ours["nope"]
    with pytest.raises(IndexError, match="string or list of strings"):
        ours.get_basic_selection(..., fields=3)
    bz.save(tmp_path / "plain.zarr", np.arange(4), chunks=(2,), zarr_format=2, compressor=None)
    with pytest.raises(IndexError, match="does not have any fields"):
        bz.open(tmp_path / "plain.zarr")["x"]


@pytest.mark.parametrize("dtype,why", [
    ([["a", "<i4"], ["a", "<f8"]], "more than once"),
    ([["a", "|O"]], "objects"),
    ([["a", "<i4", [-3]]], "shape"),
    ([], "at least one field"),
    ([["a", "<i4", [100000, 100000, 100000]]], "larger than"),
    ({"a": "<i4"}, "neither"),
])
def test_hostile_record_metadata(tmp_path, dtype, why):
    path = tmp_path / "h.zarr"
    bz.save(path, np.zeros(4, "<i4"), chunks=(2,), zarr_format=2, compressor=None)
    meta = json.loads((path / ".zarray").read_text())
    meta["dtype"] = dtype
    (path / ".zarray").write_text(json.dumps(meta))
    with pytest.raises(InvalidArrayError, match=why):
        bz.open(path)
    assert os.path.exists(path / ".zarray")
