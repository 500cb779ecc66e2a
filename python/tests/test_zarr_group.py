"""Zarr groups: hierarchies zarr-python 3.4.2 writes open in brickwork (``open_group``, ``open``), members
by name; groups, arrays and attributes brickwork writes open in zarr-python; ``consolidate_metadata``
writes what zarr-python's ``open_consolidated`` and xarray read."""
from __future__ import annotations

import numpy as np
import pytest
import zarr

import brickwork.zarr as bz
from brickwork.errors import InvalidArrayError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning", "ignore::RuntimeWarning")


@pytest.mark.parametrize("fmt", [2, 3])
def test_hierarchies_zarr_python_wrote(tmp_path, fmt):
    path = tmp_path / "h.zarr"
    root = zarr.open_group(str(path), mode="w", zarr_format=fmt)
    root.attrs["title"] = "volume"
    raw = root.create_array("raw", shape=(6, 5), chunks=(4, 4), dtype="u2")
    raw[...] = np.arange(30, dtype="u2").reshape(6, 5)
    labels = root.create_group("labels")
    labels.attrs["kind"] = "segmentation"
    seg = labels.create_array("v1", shape=(6,), chunks=(2,), dtype="u8")
    seg[...] = np.arange(6)
    g = bz.open_group(path, mode="r")
    assert isinstance(bz.open(path), bz.Group) and g.zarr_format == fmt
    assert list(g) == ["labels", "raw"] == g.keys() and len(g) == 2
    assert "raw" in g and "labels/v1" in g and "nope" not in g and "../x" not in g
    np.testing.assert_array_equal(g["raw"][...], raw[...])
    np.testing.assert_array_equal(g["labels/v1"][...], np.arange(6))
    np.testing.assert_array_equal(g["labels"]["v1"][2:4], [2, 3])
    assert dict(g.attrs) == {"title": "volume"} and g["labels"].attrs["kind"] == "segmentation"
    assert list(g.array_keys()) == ["raw"] and list(g.group_keys()) == ["labels"]
    assert [n for n, _ in g.members()] == ["labels", "raw"]
    with pytest.raises(KeyError):
        g["missing"]
    with pytest.raises(InvalidArrayError, match="member name"):
        g["../escape"]
    with pytest.raises(InvalidArrayError, match="reading only"):
        g.create_group("x")
    with pytest.raises(InvalidArrayError, match="reading only"):
        g["raw"][0, 0] = 1


@pytest.mark.parametrize("fmt", [2, 3])
def test_hierarchies_brickwork_writes(tmp_path, fmt):
    path = tmp_path / "h.zarr"
    g = bz.create_group(path, zarr_format=fmt, attributes={"title": "t"})
    a = g.create_array("raw", shape=(6, 5), chunks=(4, 4), dtype="<f4", fill_value=1.5)
    a[1:3] = 7
    sub = g.create_group("nested")
    sub.attrs["n"] = 1
    deeper = sub.require_group("deeper")
    assert sub.require_group("deeper").path == deeper.path
    deeper.create_array("ids", shape=(4,), chunks=(2,), dtype="u8")[...] = [1, 2, 3, 4]
    ref = zarr.open_group(str(path), mode="r")
    assert ref.attrs.asdict() == {"title": "t"}
    expect = np.full((6, 5), 1.5, "<f4")
    expect[1:3] = 7
    np.testing.assert_array_equal(ref["raw"][...], expect)
    assert ref["nested"].attrs["n"] == 1
    np.testing.assert_array_equal(ref["nested/deeper/ids"][...], [1, 2, 3, 4])
    assert sorted(ref.group_keys()) == ["nested"]
    with pytest.raises(InvalidArrayError, match="already exists"):
        bz.create_group(path, zarr_format=fmt)
    # members deleted as zarr-python deletes them
    g.create_group("scratch").create_array("x", shape=(2,), dtype="u1")
    del g["scratch"]
    assert "scratch" not in g and not (path / "scratch").exists()
    assert sorted(zarr.open_group(str(path), mode="r").group_keys()) == ["nested"]
    with pytest.raises(KeyError):
        del g["scratch"]
    with pytest.raises(InvalidArrayError, match="member name"):
        del g["../h.zarr"]
    with pytest.raises(InvalidArrayError, match="reading only"):
        del bz.open_group(path, mode="r")["raw"]
    with pytest.raises(TypeError, match="is an array"):  # as zarr-python's
        g.require_group("raw")
    with pytest.raises(InvalidArrayError, match="JSON values"):
        g.attrs["bad"] = float("nan")
    assert dict(g.attrs) == {"title": "t"}
    # open_group's modes
    assert bz.open_group(tmp_path / "new.zarr", mode="a", zarr_format=fmt).zarr_format == fmt
    assert bz.open_group(tmp_path / "new.zarr", mode="a").mode == "r+"
    with pytest.raises(InvalidArrayError, match="already exists"):
        bz.open_group(tmp_path / "new.zarr", mode="w-")
    assert len(bz.open_group(path, mode="w", zarr_format=fmt)) == 0, "w replaces the group"
    with pytest.raises(InvalidArrayError, match="no Zarr group"):
        bz.open_group(tmp_path / "nothing.zarr", mode="r")
    assert bz.open_group(tmp_path / "made.zarr").zarr_format == 3, "mode a (the default) creates, v3"
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "file.txt").write_text("mine")
    with pytest.raises(InvalidArrayError, match="holds no Zarr node"):
        bz.create_group(tmp_path / "stuff", overwrite=True)
    assert (tmp_path / "stuff" / "file.txt").read_text() == "mine"


@pytest.mark.parametrize("fmt", [2, 3])
def test_consolidated_metadata_is_read_by_zarr_python(tmp_path, fmt):
    path = tmp_path / "c.zarr"
    g = bz.create_group(path, zarr_format=fmt, attributes={"title": "t"})
    g.create_array("a", shape=(4,), chunks=(2,), dtype="u1")[...] = [1, 2, 3, 4]
    g.create_group("sub").create_array("b", shape=(3, 3), chunks=(2, 2), dtype="<i4")[...] = 5
    bz.consolidate_metadata(path)
    ref = zarr.open_consolidated(str(path), zarr_format=fmt)
    np.testing.assert_array_equal(ref["a"][...], [1, 2, 3, 4])
    np.testing.assert_array_equal(ref["sub/b"][...], np.full((3, 3), 5))
    assert ref.attrs.asdict() == {"title": "t"}
    assert sorted(ref.array_keys()) == ["a"]
    # brickwork still reads the members' own files (and the consolidated file is not a member)
    assert bz.open_group(path).keys() == ["a", "sub"]
    # a link back up the tree is not walked again (and again)
    (path / "sub" / "up").symlink_to(path, target_is_directory=True)
    bz.consolidate_metadata(path)
    assert zarr.open_consolidated(str(path), zarr_format=fmt)["sub/b"].shape == (3, 3)


@pytest.mark.parametrize("fmt", [2, 3])
def test_xarray_datasets_both_ways(tmp_path, fmt):
    """xarray writes a dataset (a group: one array per variable, dimension names as attributes,
    consolidated metadata): brickwork reads it; a dataset brickwork writes the same way opens in xarray."""
    xr = pytest.importorskip("xarray")
    rng = np.random.default_rng(31)
    temperature = rng.standard_normal((4, 6, 5)).astype("<f4")
    theirs = tmp_path / "theirs.zarr"
    ds = xr.Dataset({"temperature": (("time", "y", "x"), temperature)},
                    coords={"time": np.arange(4), "y": np.linspace(0, 1, 6), "x": np.arange(5) * 2.0})
    ds.attrs["source"] = "test"
    ds.to_zarr(str(theirs), zarr_format=fmt, encoding={"temperature": {"chunks": (2, 3, 5)}})
    g = bz.open_group(theirs, mode="r")
    assert {"temperature", "time", "y", "x"} <= set(g)
    np.testing.assert_array_equal(g["temperature"][1:3, ::2], temperature[1:3, ::2])
    assert g.attrs["source"] == "test"
    if fmt == 2:
        assert list(g["temperature"].attrs["_ARRAY_DIMENSIONS"]) == ["time", "y", "x"]
    mine = tmp_path / "mine.zarr"
    out = bz.create_group(mine, zarr_format=fmt, attributes={"source": "brickwork"})
    dims = {"time": np.arange(4), "y": np.linspace(0, 1, 6), "x": np.arange(5) * 2.0}
    for name, values in dims.items():
        a = out.create_array(name, shape=values.shape, dtype=values.dtype, chunks=values.shape, fill_value=None,
                             attributes={"_ARRAY_DIMENSIONS": [name]} if fmt == 2 else None,
                             **({} if fmt == 2 else {"dimension_names": [name]}))
        a[...] = values
    t = out.create_array("temperature", shape=temperature.shape, dtype="<f4", chunks=(2, 3, 5),
                         attributes={"_ARRAY_DIMENSIONS": ["time", "y", "x"]} if fmt == 2 else None,
                         **({} if fmt == 2 else {"dimension_names": ["time", "y", "x"]}))
    t[...] = temperature
    bz.consolidate_metadata(mine)
    back = xr.open_zarr(str(mine), zarr_format=fmt)
    assert back.attrs["source"] == "brickwork"
    assert back["temperature"].dims == ("time", "y", "x")
    np.testing.assert_array_equal(back["temperature"].values, temperature)
    np.testing.assert_array_equal(back["y"].values, dims["y"])


def test_hostile_group_metadata(tmp_path):
    """Garbage where group metadata belongs is a clear error, never a crash or a silent empty group."""
    v3 = tmp_path / "v3.zarr"
    v3.mkdir()
    for text, says in [(b"not json", "not JSON"), (b"[1, 2]", "JSON object"), (b"x" * ((1 << 24) + 1), "larger")]:
        (v3 / "zarr.json").write_bytes(text)
        with pytest.raises(InvalidArrayError, match=says):
            bz.open_group(v3, mode="r")
    (v3 / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group", "attributes": [1]}')
    with pytest.raises(InvalidArrayError, match="not a JSON object"):
        dict(bz.open_group(v3, mode="r").attrs)
    v2 = tmp_path / "v2.zarr"
    v2.mkdir()
    (v2 / ".zgroup").write_text('{"zarr_format": 2}')
    (v2 / ".zattrs").write_text("{broken")
    with pytest.raises(InvalidArrayError, match="not JSON"):
        dict(bz.open_group(v2, mode="r").attrs)
    (v2 / "member").mkdir()
    (v2 / "member" / ".zarray").write_text("{}")
    with pytest.raises(InvalidArrayError, match="zarr_format"):  # a member's own metadata: the Rust reader's
        bz.open_group(v2, mode="r")["member"]
    with pytest.raises(InvalidArrayError, match="can address|larger"):
        bz.create_array(str(tmp_path / "huge.zarr"), shape=(2**62, 2**62), dtype="u1")
    assert not (tmp_path / "huge.zarr").exists()
