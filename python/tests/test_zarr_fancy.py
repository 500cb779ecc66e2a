"""Fancy indexing of Zarr arrays, as zarr-python 3.4.2 offers it: orthogonal selections (``a.oindex[...]``:
a list, integer array or boolean array along any axis, each on its own), coordinate and mask selections
(``a.vindex[...]``: points), ``a[key]`` dispatching between them by zarr-python's rules, and the
``get_*_selection``/``set_*_selection`` methods; read and written, on stores brickwork and zarr-python
write (v2, v3, sharded, strings), checked against zarr-python and NumPy."""
from __future__ import annotations

import numpy as np
import pytest
import zarr

import brickwork.zarr as bz
from brickwork.codecs import Zstd
from brickwork.errors import InvalidArrayError, LimitError
from test_zarr_region import SHAPE, stores

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")


def random_orthogonal_key(rng, shape):
    """Per axis: an integer, a slice (steps > 0, as zarr-python takes them), a list of integers (any order,
    repeats, negative ones), an integer array, or a boolean array."""
    key = []
    for n in shape:
        kind = rng.integers(0, 6)
        if kind == 0:
            key.append(int(rng.integers(-n, n)))
        elif kind == 1:
            start = int(rng.integers(0, n))
            key.append(slice(start, int(rng.integers(start, n + 1)), int(rng.choice([1, 2, 3]))))
        elif kind == 2:
            key.append([int(i) for i in rng.integers(-n, n, int(rng.integers(1, 8)))])
        elif kind == 3:
            key.append(np.sort(rng.choice(n, int(rng.integers(1, n + 1)), replace=False)))
        else:
            key.append(rng.random(n) < 0.3)
    return tuple(key)


def numpy_orthogonal(a, key):
    """What an orthogonal selection gives, from NumPy: each list applied along its own axis."""
    out, axis = a, 0
    for k in key:
        if isinstance(k, (int, np.integer)):
            out = np.take(out, k, axis=axis)
            continue
        if isinstance(k, slice):
            out = out[(slice(None),) * axis + (k,)]
        else:
            k = np.asarray(k)
            out = np.take(out, np.flatnonzero(k) if k.dtype == bool else k.astype(np.intp), axis=axis)
        axis += 1
    return out


def test_orthogonal_selections_match_zarr_python_and_numpy(tmp_path):
    rng = np.random.default_rng(11)
    a = rng.integers(0, 60000, SHAPE).astype("<u2")
    for name, path in stores(tmp_path, a):
        z, ref = bz.open(path), zarr.open_array(str(path), mode="r")
        for _ in range(120):
            key = random_orthogonal_key(rng, SHAPE)
            expect = numpy_orthogonal(a, key)
            got = z.oindex[key]
            np.testing.assert_array_equal(got, expect, err_msg=f"{name} {key}")
            assert np.shape(got) == np.shape(expect), (name, key)
            np.testing.assert_array_equal(got, ref.oindex[key], err_msg=f"{name} {key} (zarr-python)")
            np.testing.assert_array_equal(z.get_orthogonal_selection(key), expect)
        # empty lists select nothing along their axis (zarr-python refuses them)
        assert z.oindex[[], 1:3, [0, 5]].shape == (0, 2, 2)


def test_coordinate_and_mask_selections_match_zarr_python(tmp_path):
    rng = np.random.default_rng(12)
    a = rng.standard_normal(SHAPE).astype("<f4")
    for name, path in stores(tmp_path, a):
        z, ref = bz.open(path), zarr.open_array(str(path), mode="r")
        for _ in range(60):
            m = int(rng.integers(0, 40))
            # one integer array per axis (negative indices, repeats), sometimes 2-d, sometimes a scalar
            key = tuple(rng.integers(-n, n, m) for n in SHAPE)
            if rng.integers(0, 3) == 0 and m % 2 == 0:
                key = tuple(k.reshape(2, -1) for k in key)
            if rng.integers(0, 3) == 0:
                key = (int(rng.integers(0, SHAPE[0])),) + key[1:]
            got = z.vindex[key]
            np.testing.assert_array_equal(got, a[key], err_msg=f"{name} {key}")
            np.testing.assert_array_equal(got, ref.vindex[key], err_msg=f"{name} {key} (zarr-python)")
            mask = rng.random(SHAPE) < 0.05
            np.testing.assert_array_equal(z.vindex[mask], a[mask])
            np.testing.assert_array_equal(z.get_mask_selection(mask), ref.get_mask_selection(mask))
            np.testing.assert_array_equal(z[mask], a[mask])
        out = np.zeros(5, dtype="<f4")
        assert z.get_coordinate_selection(([0, 1, 2, 3, 22], [0] * 5, [5] * 5), out=out) is out
        np.testing.assert_array_equal(out, a[[0, 1, 2, 3, 22], 0, 5])


@pytest.mark.parametrize("key", [
    [3, 1, 1], np.array([0, 22]), (slice(None), [4, 0]), (1, [16, 2], slice(0, 6, 2)),
    ([True] * 11 + [False] * 12, 2), ([1, 2], [3, 4], [5, 0]), (np.array([[1, 2]]), [0, 3], 1),
    (0, 0, [1, 2]), (slice(2, 9), 3, np.array([True, False] * 3)), np.zeros(SHAPE, bool),
    ([0, 5], [1, 2], slice(None)), (..., [1, 2]),
])
def test_getitem_dispatches_as_zarr_python(tmp_path, key):
    """``a[key]``: the same result as zarr-python's ``Array.__getitem__``, or an IndexError where it fails."""
    rng = np.random.default_rng(13)
    a = rng.integers(0, 255, SHAPE).astype("u1")
    path = tmp_path / "a.zarr"
    bz.save(path, a, chunks=(8, 5, 4), zarr_format=2, compressor=None)
    z, ref = bz.open(path), zarr.open_array(str(path), mode="r")
    try:
        expect = ref[key]
    except IndexError:
        # where zarr-python fails, brickwork fails too, or gives what NumPy gives
        try:
            got = z[key]
        except IndexError:
            return
        np.testing.assert_array_equal(got, a[key])
        return
    np.testing.assert_array_equal(z[key], expect)
    assert np.shape(z[key]) == np.shape(expect)


@pytest.mark.parametrize("layout", [
    dict(chunks=(8, 5, 4)),
    dict(chunks=(8, 5, 4), order="F", fill_value=7),
    dict(zarr_format=3, chunks=(4, 4, 2), shards=(8, 8, 4)),
])
def test_fancy_writes_match_numpy_and_zarr_reads_them(tmp_path, layout):
    rng = np.random.default_rng(14)
    path = tmp_path / "a.zarr"
    z = bz.create(SHAPE, store=path, dtype="<i4", compressor=Zstd(level=1), **{"zarr_format": 2, "fill_value": None, **layout})
    model = np.full(SHAPE, layout.get("fill_value", 0), "<i4")
    for round in range(40):
        if round % 2:
            key = random_orthogonal_key(rng, SHAPE)
            shape = numpy_orthogonal(model, key).shape
            values = rng.integers(-1000, 1000, shape) if rng.integers(0, 2) else int(rng.integers(0, 9))
            z.oindex[key] = values
            # the model: each list along its own axis (np.ix_ over the normalised indices)
            ix = []
            for k, n in zip(key, SHAPE):
                if isinstance(k, int):
                    ix.append([k % n])
                elif isinstance(k, slice):
                    ix.append(np.arange(n)[k])
                else:
                    k = np.asarray(k)
                    ix.append(np.flatnonzero(k) if k.dtype == bool else k % n)
            block = np.broadcast_to(np.asarray(values, "<i4"), shape).reshape([len(i) for i in ix])
            model[np.ix_(*ix)] = block
        else:
            m = int(rng.integers(0, 30))
            key = tuple(rng.integers(0, n, m) for n in SHAPE)
            values = rng.integers(-1000, 1000, m)
            z.vindex[key] = values
            model[key] = values
        np.testing.assert_array_equal(bz.load(path), model, err_msg=f"round {round} {key}")
    np.testing.assert_array_equal(zarr.open_array(str(path), mode="r")[...], model)
    mask = model > 500
    z[mask] = -1
    model[mask] = -1
    z.set_mask_selection(model < -900, 5)
    model[model < -900] = 5
    z.set_orthogonal_selection((slice(None), [0, 16], 0), 9)
    model[:, [0, 16], 0] = 9
    z.set_coordinate_selection(([1, 1], [2, 2], [3, 3]), [10, 20])  # the later wins, as in NumPy
    model[1, 2, 3] = 20
    np.testing.assert_array_equal(zarr.open_array(str(path), mode="r")[...], model)


def test_repeated_orthogonal_indices_write_the_last_value(tmp_path):
    path = tmp_path / "a.zarr"
    z = bz.create((10,), store=path, dtype="u1", chunks=(4,), zarr_format=2, compressor=None, fill_value=None)
    z.oindex[[3, 7, 3]] = [1, 2, 9]
    np.testing.assert_array_equal(bz.load(path), [0, 0, 0, 9, 0, 0, 0, 2, 0, 0])


@pytest.mark.parametrize("fmt", [2, 3])
def test_fancy_selections_of_strings(tmp_path, fmt):
    rng = np.random.default_rng(15)
    words = np.array(["", "a", "ünï", "longer words here", "x" * 50], dtype=object)
    a = words[rng.integers(0, len(words), (9, 7))]
    path = tmp_path / "s.zarr"
    ref = zarr.create_array(store=str(path), shape=a.shape, chunks=(4, 3), dtype=str, zarr_format=fmt)
    ref[...] = a
    z = bz.open(path, mode="r+")
    for _ in range(30):
        key = random_orthogonal_key(rng, a.shape)
        assert list(z.oindex[key].reshape(-1)) == list(numpy_orthogonal(a, key).reshape(-1)), key
        pts = tuple(rng.integers(0, n, 12) for n in a.shape)
        assert list(z.vindex[pts]) == list(a[pts])
    z.vindex[[0, 8], [6, 0]] = ["corner", "other corner"]
    a[[0, 8], [6, 0]] = ["corner", "other corner"]
    z.oindex[[2, 5], 1:3] = "block"
    a[np.ix_([2, 5], [1, 2])] = "block"
    assert list(np.asarray(zarr.open_array(str(path), mode="r")[...]).reshape(-1)) == list(a.reshape(-1))


def test_fancy_selection_errors(tmp_path):
    path = tmp_path / "a.zarr"
    bz.save(path, np.zeros(SHAPE, "u1"), chunks=(8, 8, 8), zarr_format=2, compressor=None)
    z = bz.open(path, mode="r")
    for key, says in [
        (([0, 23],), "index 23 is out of bounds for axis 0 with size 23"),
        ((slice(None), [-18]), "index -18 is out of bounds for axis 1"),
        ((np.array([True, False]),), "boolean index along axis 0 must have the axis' length 23"),
        ((np.array([[0, 1]]),), "must be 1-d"),
        (([[0, 1]],), "1-d lists or arrays of integers or booleans"),
        (([0.5],), "integers or booleans"),
    ]:
        with pytest.raises(IndexError, match=says):
            z.oindex[key]
    for key, says in [
        (([0, 1], [0, 1]), "one integer array per axis"),
        (([0, 1], [0, 1, 2], [0]), "do not broadcast"),
        ((np.zeros((23, 17), bool),), "boolean array of the array's shape"),
        (([0], [0], [6]), "index 6 is out of bounds for axis 2"),
        (([0.0], [0], [0]), "integer arrays"),
    ]:
        with pytest.raises(IndexError, match=says):
            z.vindex[key]
    with pytest.raises(IndexError, match="boolean array"):
        z.get_mask_selection(np.zeros(SHAPE, int))
    with pytest.raises(InvalidArrayError, match="reading only"):
        z.vindex[[0], [0], [0]] = 1
    with pytest.raises(InvalidArrayError, match="reading only"):
        z.oindex[[0], :, :] = 1
    with pytest.raises(IndexError, match="does not have any fields"):
        z.get_orthogonal_selection(([0],), fields="f0")
    w = bz.open(path, mode="r+")
    with pytest.raises(InvalidArrayError, match="cannot write values of shape"):
        w.vindex[[0, 1], [0, 1], [0, 1]] = [1, 2, 3]
    with pytest.raises(InvalidArrayError, match="cannot write values of shape"):
        w.oindex[[0, 1], 0, 0] = [1, 2, 3]
    small = bz.open(path, max_bytes=100)
    with pytest.raises(LimitError, match="max_bytes"):
        small.vindex[np.zeros(101, int), np.zeros(101, int), np.zeros(101, int)]
    with pytest.raises(LimitError, match="max_bytes"):
        small.oindex[list(range(23)), :, 0]
    assert not np.asarray(bz.open(path)[...]).any(), "failed writes changed nothing"


def test_zero_d_arrays_have_no_coordinates(tmp_path):
    path = tmp_path / "a.zarr"
    bz.save(path, np.array(5, "u1"), chunks=(), zarr_format=2, compressor=None)
    with pytest.raises(IndexError, match="0-d"):
        bz.open(path).vindex[[0]]


@pytest.mark.parametrize("sharded", [False, True])
def test_block_selections_match_zarr_python(tmp_path, sharded):
    rng = np.random.default_rng(16)
    a = rng.integers(0, 255, SHAPE).astype("u1")
    path = tmp_path / "a.zarr"
    ref = zarr.create_array(store=str(path), shape=SHAPE, chunks=(4, 4, 2), dtype="u1",
                            shards=(8, 8, 4) if sharded else None)
    ref[...] = a
    z = bz.open(path, mode="r+")
    for key in [0, -1, (1, 2), (slice(1, 3), 0, slice(None)), (..., 1), slice(-2, None), (2, ..., slice(0, 1)),
                slice(2, 1)]:
        np.testing.assert_array_equal(z.blocks[key], ref.blocks[key], err_msg=str(key))
        np.testing.assert_array_equal(z.get_block_selection(key), ref.get_block_selection(key))
    z.blocks[1, 0] = 7
    ref.blocks[1, 0] = 7
    z.set_block_selection((0, slice(1, 2), -1), 9)
    ref.set_block_selection((0, slice(1, 2), -1), 9)
    np.testing.assert_array_equal(bz.load(path), ref[...])
    for key, says in [(slice(0, 4, 2), "step 1"), (9, "out of bounds"), ([0, 1], "integers and slices"),
                      ((0, 0, 0, 0), "too many")]:
        with pytest.raises(IndexError, match=says):
            z.blocks[key]
