"""Zarr groups: hierarchies zarr-python 3.4.2 writes open in brickwork (``open_group``, ``open``), members
by name; groups, arrays and attributes brickwork writes open in zarr-python; ``consolidate_metadata``
writes what zarr-python's ``open_consolidated`` and xarray read."""
from __future__ import annotations

import json
import os
import shutil

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
    # a node of the other Zarr format is not a member: left out, as zarr-python leaves it
    bz.create_array(path / "other", shape=(2,), dtype="u1", zarr_format=5 - fmt)
    (path / "sub" / "up").unlink()
    shutil.copytree(path, tmp_path / "theirs.zarr")
    bz.consolidate_metadata(path)
    zarr.consolidate_metadata(str(tmp_path / "theirs.zarr"), zarr_format=fmt)
    ours, theirs = (sorted(zarr.open_consolidated(str(p), zarr_format=fmt).metadata.consolidated_metadata.metadata)
                    for p in (path, tmp_path / "theirs.zarr"))
    assert ours == theirs and "other" not in ours and "sub" in ours


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


def _tree_files(root) -> dict:
    """Every file under ``root`` by its relative path, JSON files parsed."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            path = os.path.join(d, f)
            out[os.path.relpath(path, root)] = json.load(open(path))
    return out


def test_create_hierarchy_as_zarr_python(tmp_path):
    """zarr-python's metadata objects (v3 and v2 hierarchies, attributes, arrays of several codecs): both
    libraries write the same metadata files, with the groups the paths pass through; the nodes returned
    are brickwork's, open for writing."""
    from zarr.core.group import GroupMetadata

    for fmt in (3, 2):
        src = zarr.open_group(str(tmp_path / f"src{fmt}"), mode="w", zarr_format=fmt, attributes={"name": "root"})
        sub = src.create_group("sub", attributes={"level": 1})
        sub.create_array("a", shape=(7, 5), chunks=(3, 5), dtype="<f4", fill_value=float("nan"),
                         attributes={"units": "m"})
        src.create_array("b", shape=(4,), dtype="<i8", compressors=None)
        nodes = ({"": src.metadata} | {k: v.metadata for k, v in src.members(max_depth=None)}
                 | {"deep/er/leaf": GroupMetadata(zarr_format=fmt)})
        for m in (zarr, bz):
            made = dict(m.create_hierarchy(store=m.storage.LocalStore(str(tmp_path / f"{m.__name__}{fmt}")),
                                           nodes=nodes))
            assert sorted(made) == ["", "b", "deep", "deep/er", "deep/er/leaf", "sub", "sub/a"]
        assert _tree_files(tmp_path / f"brickwork.zarr{fmt}") == _tree_files(tmp_path / f"zarr{fmt}")
        ours = dict(bz.create_hierarchy(store=str(tmp_path / f"again{fmt}"), nodes=nodes))
        assert isinstance(ours["sub/a"], bz.Array) and ours["sub/a"].name == "/sub/a"
        assert np.isnan(ours["sub/a"][0, 0]) and ours["sub"].attrs["level"] == 1
        ours["sub/a"][:] = 1
        np.testing.assert_array_equal(zarr.open_array(str(tmp_path / f"again{fmt}" / "sub" / "a"), mode="r")[:],
                                      np.ones((7, 5), "<f4"))
        # brickwork's own metadata (a v2 array's with its attributes), as the quick start copies a hierarchy
        copied = dict(bz.create_hierarchy(store=bz.storage.MemoryStore(),
                                          nodes={k: v.metadata for k, v in ours.items()}))
        assert copied["sub/a"].attrs["units"] == "m" and copied[""].attrs["name"] == "root"


def test_create_hierarchy_refuses_what_zarr_python_refuses(tmp_path):
    from zarr.core.group import GroupMetadata

    store = str(tmp_path / "h")
    dict(bz.create_hierarchy(store=store, nodes={"a": GroupMetadata(attributes={"keep": 1})}))
    # an existing group on the way is kept; named, it is an error unless overwrite=True, which replaces it
    dict(bz.create_hierarchy(store=store, nodes={"a/b": GroupMetadata()}))
    assert bz.open_group(store, path="a").attrs["keep"] == 1
    for m in (zarr, bz):
        with pytest.raises(m.errors.ContainsGroupError):
            dict(m.create_hierarchy(store=m.storage.LocalStore(store), nodes={"a": GroupMetadata()}))
    dict(bz.create_hierarchy(store=store, nodes={"a": GroupMetadata(attributes={"new": 2})}, overwrite=True))
    assert bz.open_group(store, path="a").attrs.asdict() == {"new": 2}
    array = zarr.create_array(str(tmp_path / "x"), shape=(3,), dtype="i2").metadata
    for nodes, error in [
        ({"x": array, "x/y": GroupMetadata()}, ValueError),                   # an array holding a node
        ({"p": GroupMetadata(), "q": GroupMetadata(zarr_format=2)}, ValueError),  # two formats
        ({"bad": {"zarr_format": 3, "node_type": "array", "shape": [-1], "data_type": "int8"}}, ValueError),
        ({"bad": {"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int8",
                  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
                  "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
                  "codecs": [{"name": "bytes"}, {"name": "no-such-codec"}]}}, ValueError),
        ({"../out": GroupMetadata()}, ValueError),
        ({"n": 5}, TypeError),
    ]:
        fresh = tmp_path / f"fresh{abs(hash(str(nodes))) % 10**6}"
        with pytest.raises(error):
            bz.create_hierarchy(store=str(fresh), nodes=nodes)
        assert not os.path.exists(fresh / "zarr.json") and not os.path.exists(tmp_path / "out")
    # under a group: its paths relative to it, of its format, never the group itself
    g = bz.open_group(store, mode="r+")
    made = dict(g.create_hierarchy({"c/d": GroupMetadata()}))
    assert sorted(made) == ["c", "c/d"] and made["c/d"].name == "/c/d"
    with pytest.raises(ValueError, match="itself"):
        g.create_hierarchy({"": GroupMetadata()})
    with pytest.raises(ValueError, match="one Zarr format"):
        g.create_hierarchy({"e": GroupMetadata(zarr_format=2)})


def test_metadata_files_are_as_open_makes_them(tmp_path):
    """Files brickwork writes atomically from Python (group metadata, attributes) are readable by others as
    any file the umask allows (not the private 0600 of a temporary file)."""
    g = bz.group(str(tmp_path / "g"), attributes={"a": 1})
    g.create_array("x", shape=(2,), dtype="i1", dimension_names=["t"])
    mask = os.umask(0o022)
    os.umask(mask)
    for name in ("zarr.json", "x/zarr.json"):
        assert os.stat(tmp_path / "g" / name).st_mode & 0o777 == 0o666 & ~mask, name


def test_group_metadata_as_zarr_python(tmp_path):
    """``brickwork.zarr.core.group.GroupMetadata`` (for create_hierarchy without zarr-python): zarr-python's
    fields, repr and to_dict, and the same files written from either."""
    from zarr.core.group import GroupMetadata as Theirs

    from brickwork.zarr.core.group import GroupMetadata as Ours

    for kwargs in ({}, {"attributes": {"a": [1, 2]}}, {"zarr_format": 2, "attributes": {"b": "c"}}):
        assert repr(Ours(**kwargs)) == repr(Theirs(**kwargs))
        assert Ours(**kwargs).to_dict() == Theirs(**kwargs).to_dict()
        for cls in (Ours, Theirs):
            store = str(tmp_path / f"{cls.__module__}{len(kwargs)}")
            dict(bz.create_hierarchy(store=store, nodes={"g/h": cls(**kwargs)}))
        assert (_tree_files(tmp_path / f"brickwork.zarr.core.group{len(kwargs)}")
                == _tree_files(tmp_path / f"zarr.core.group{len(kwargs)}"))
    with pytest.raises(ValueError):
        Ours(zarr_format=4)
