"""Growing, shrinking and appending to Zarr arrays (``Array.resize``, ``Array.append``) and writing their
user attributes (``Array.attrs``), as zarr-python 3.4.2's do, checked against NumPy and zarr-python on
stores both write (v2, v3, sharded, strings)."""
from __future__ import annotations

import numpy as np
import pytest
import zarr

import brickwork.zarr as bz
from brickwork.codecs import Zstd
from brickwork.errors import InvalidArrayError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")

LAYOUTS = [
    dict(chunks=(4, 3, 5)),
    dict(chunks=(4, 3, 5), order="F", dimension_separator="/"),
    dict(chunks=(4, 3, 5), zarr_format=3),
    dict(chunks=(2, 3, 5), shards=(4, 6, 5), zarr_format=3),
]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_random_resizes_match_numpy_and_zarr_reads_them(tmp_path, layout):
    rng = np.random.default_rng(21)
    path = tmp_path / "a.zarr"
    model = rng.integers(0, 1000, (9, 10, 7)).astype("<i4")
    bz.save(path, model, compressor=Zstd(level=1), fill_value=-1, **{"zarr_format": 2, **layout})
    z = bz.open(path, mode="r+")
    for round in range(12):
        shape = tuple(int(rng.integers(0, 13)) for _ in range(3))
        z.resize(shape)
        grown = np.full(shape, -1, "<i4")
        common = tuple(slice(0, min(a, b)) for a, b in zip(shape, model.shape))
        grown[common] = model[common]
        model = grown
        assert z.shape == shape and bz.open(path).shape == shape
        np.testing.assert_array_equal(z[...], model, err_msg=f"round {round} {shape}")
        np.testing.assert_array_equal(zarr.open_array(str(path), mode="r")[...], model)
        # fill some of what is there now, so the next shrink cuts through written chunks
        block = rng.integers(0, 1000, shape).astype("<i4")
        z[...] = block
        model = block
    # no file outside the last shape is left
    z.resize((3, 3, 5))
    left = [p for p in path.rglob("*") if p.is_file() and p.name not in (".zarray", "zarr.json", ".zattrs")]
    assert len(left) <= 2, left


def test_resize_keeps_what_zarr_python_wrote(tmp_path):
    path = tmp_path / "theirs.zarr"
    ref = zarr.create_array(store=str(path), shape=(10, 10), chunks=(4, 4), dtype="f8", fill_value=0.5,
                            dimension_names=["y", "x"], attributes={"units": "nm"})
    ref[...] = np.arange(100.0).reshape(10, 10)
    z = bz.open(path, mode="r+")
    z.resize(6, 13)
    after = zarr.open_array(str(path), mode="r")
    assert after.shape == (6, 13) and after.metadata.dimension_names == ("y", "x")
    assert after.attrs.asdict() == {"units": "nm"}
    expect = np.full((6, 13), 0.5)
    expect[:, :10] = np.arange(100.0).reshape(10, 10)[:6]
    np.testing.assert_array_equal(after[...], expect)


@pytest.mark.parametrize("layout", LAYOUTS[::2])
def test_append_as_zarr_python(tmp_path, layout):
    rng = np.random.default_rng(22)
    a = rng.integers(0, 255, (5, 3, 7)).astype("u1")
    mine, theirs = tmp_path / "mine.zarr", tmp_path / "theirs.zarr"
    bz.save(mine, a, **{"zarr_format": 2, "compressor": None, **layout})
    bz.save(theirs, a, **{"zarr_format": 2, "compressor": None, **layout})
    z, ref = bz.open(mine, mode="r+"), zarr.open_array(str(theirs), mode="r+")
    for axis in [0, 1, 2, 2, 0]:
        shape = list(z.shape)
        shape[axis] = int(rng.integers(1, 6))
        data = rng.integers(0, 255, shape).astype("u1")
        assert z.append(data, axis=axis) == ref.append(data, axis=axis)
        np.testing.assert_array_equal(z[...], ref[...])
    # a negative axis counts from the end (zarr-python 3.4.2 refuses it)
    data = np.ones(z.shape[:2] + (2,), "u1")
    expect = np.concatenate([z[...], data], axis=-1)
    z.append(data, axis=-1)
    np.testing.assert_array_equal(z[...], expect)
    with pytest.raises(InvalidArrayError, match="the other axes differ"):
        z.append(np.zeros((1, 2, 2), "u1"))
    with pytest.raises(InvalidArrayError, match="cannot be appended"):
        z.append(np.zeros((2, 2), "u1"))
    with pytest.raises(InvalidArrayError, match="out of range"):
        z.append(np.zeros(z.shape, "u1"), axis=3)
    before = z.shape
    with pytest.raises(InvalidArrayError, match="cannot write values"):
        z.append(np.full((1,) + z.shape[1:], "not a number"), axis=0)  # a failed write: resized back
    assert z.shape == before == bz.open(mine).shape


@pytest.mark.parametrize("fmt", [2, 3])
def test_strings_resize(tmp_path, fmt):
    path = tmp_path / "s.zarr"
    ref = zarr.create_array(store=str(path), shape=(5, 4), chunks=(2, 3), dtype=str, zarr_format=fmt)
    a = np.array([[f"{i}-{j}" for j in range(4)] for i in range(5)], dtype=object)
    ref[...] = a
    z = bz.open(path, mode="r+")
    z.resize(3, 2)
    z.resize(5, 4)
    expect = np.full((5, 4), "", dtype=object)
    expect[:3, :2] = a[:3, :2]
    assert list(z[...].reshape(-1)) == list(expect.reshape(-1))
    assert list(np.asarray(zarr.open_array(str(path), mode="r")[...]).reshape(-1)) == list(expect.reshape(-1))
    z.append(np.array([["x", "y", "z", "w"]], dtype=object))
    assert list(z[5]) == ["x", "y", "z", "w"]


@pytest.mark.parametrize("fmt", [2, 3])
def test_attributes_are_written_as_zarr_python_writes_them(tmp_path, fmt):
    path = tmp_path / "a.zarr"
    bz.save(path, np.zeros((4, 4), "u1"), chunks=(2, 2), zarr_format=fmt, attributes={"a": 1}, compressor=None)
    z = bz.open(path, mode="r+")
    z.attrs["b"] = [1, 2]
    z.attrs.update({"c": {"d": None}}, e="f")
    del z.attrs["a"]
    expect = {"b": [1, 2], "c": {"d": None}, "e": "f"}
    assert z.attrs.asdict() == expect == dict(bz.open(path).attrs)
    assert zarr.open_array(str(path), mode="r").attrs.asdict() == expect
    assert z.update_attributes({"g": 1.5}) is z and z.attrs["g"] == 1.5
    z.attrs.put({"only": True})
    assert zarr.open_array(str(path), mode="r").attrs.asdict() == {"only": True}
    np.testing.assert_array_equal(zarr.open_array(str(path), mode="r")[...], np.zeros((4, 4), "u1"))
    # and what zarr-python writes, brickwork reads and updates
    ref = zarr.open_array(str(path), mode="r+")
    ref.attrs["theirs"] = "yes"
    assert z.attrs["theirs"] == "yes"
    for bad in [{"x": float("nan")}, {"x": object()}]:
        with pytest.raises(InvalidArrayError, match="JSON values"):
            z.attrs.update(bad)
    assert z.attrs.asdict() == {"only": True, "theirs": "yes"}, "a refused update writes nothing"
    with pytest.raises(KeyError):
        del z.attrs["missing"]
    with pytest.raises(InvalidArrayError, match="reading only"):
        bz.open(path, mode="r").attrs["x"] = 1


def test_resize_errors(tmp_path):
    path = tmp_path / "a.zarr"
    bz.save(path, np.arange(10, dtype="u1"), chunks=(4,), zarr_format=2, compressor=None)
    with pytest.raises(InvalidArrayError, match="reading only"):
        bz.open(path, mode="r").resize(5)
    z = bz.open(path, mode="r+")
    for bad, says in [((-1,), "at least 0"), ((2, 2), "1 dimensions"), (("x",), "sequence of integers")]:
        with pytest.raises(InvalidArrayError, match=says):
            z.resize(*bad)
    np.testing.assert_array_equal(bz.load(path), np.arange(10, dtype="u1"))
