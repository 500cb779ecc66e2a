"""Zip stores (``brickwork.zarr.storage.ZipStore``) against zarr-python's ``ZipStore``: each side reads
the other's zip files (arrays, groups, v2 and v3, sharded), brickwork writes the same entries, updates
(mode "a") keep what was there, the store's lifetime writes it back when never closed, and hostile zip
files are refused before anything is unpacked."""
import gc
import io
import json
import os
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import zarr

import brickwork.zarr as bz
from brickwork.errors import InvalidArrayError

DATA = np.arange(6 * 7 * 5, dtype="<u2").reshape(6, 7, 5)


def _write(m, path, zarr_format=3, **options):
    """An array and a group with an array in it, written by ``m`` (zarr or brickwork.zarr) to a zip."""
    with m.storage.ZipStore(path, mode="w") as store:
        z = m.create_array(store, name="a", shape=DATA.shape, chunks=(4, 4, 4), dtype=DATA.dtype,
                           zarr_format=zarr_format, attributes={"k": [1, 2]}, **options)
        z[:] = DATA
        g = m.open_group(store, path="g", mode="a", zarr_format=zarr_format)
        g.create_array("b", shape=(10,), chunks=(3,), dtype="f8")[:] = np.linspace(0, 1, 10)


def _meta(text: bytes) -> dict:
    """A metadata document, zstd's ``"checksum": false`` taken as said when left out (zarr-python's v2
    default compressor leaves it out)."""
    meta = json.loads(text)
    if isinstance(meta.get("compressor"), dict) and meta["compressor"].get("id") == "zstd":
        meta["compressor"].setdefault("checksum", False)
    return meta


def _entries(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as f:
        return {name: f.read(name) for name in f.namelist()}


@pytest.mark.parametrize("zarr_format, options", [
    (3, {}),
    (2, {}),
    (3, {"shards": (4, 4, 4), "chunks": (2, 2, 2)}),
    (3, {"compressors": None}),
], ids=["v3", "v2", "sharded", "uncompressed"])
def test_each_side_reads_the_others_zip(tmp_path, zarr_format, options):
    options = dict(options)
    chunks = options.pop("chunks", (4, 4, 4))
    for m in (zarr, bz):
        with m.storage.ZipStore(tmp_path / f"{m.__name__}.zip", mode="w") as store:
            z = m.create_array(store, name="a", shape=DATA.shape, chunks=chunks, dtype=DATA.dtype,
                               zarr_format=zarr_format, attributes={"k": [1, 2]}, **options)
            z[:] = DATA
    ours, theirs = _entries(tmp_path / "brickwork.zarr.zip"), _entries(tmp_path / "zarr.zip")
    # the same keys (the parents' group metadata too), but the empty .zattrs zarr-python adds in v2
    theirs = {k: v for k, v in theirs.items() if not (k.endswith(".zattrs") and json.loads(v) == {})}
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        if key.endswith((".zarray", ".zattrs", ".zgroup", "zarr.json")):
            assert _meta(ours[key]) == _meta(theirs[key]), key
        elif "shards" not in options:  # (inner chunks are laid out in another order in zarr-python's shards)
            assert ours[key] == theirs[key], key  # zstd's bytes are zarr-python's
    for written_by in ("brickwork.zarr", "zarr"):
        for m in (zarr, bz):
            store = m.storage.ZipStore(tmp_path / f"{written_by}.zip", mode="r")
            a = m.open_array(store, path="a", mode="r")
            np.testing.assert_array_equal(a[:], DATA)
            assert dict(a.attrs) == {"k": [1, 2]}
            store.close()


def test_groups_and_the_entries_written(tmp_path):
    for m in (zarr, bz):
        _write(m, tmp_path / f"{m.__name__}.zip")
    with zipfile.ZipFile(tmp_path / "brickwork.zarr.zip") as f:
        infos = f.infolist()
        assert all(i.compress_type == zipfile.ZIP_STORED and i.external_attr == 0o644 << 16 for i in infos)
        assert f.testzip() is None
    for m in (zarr, bz):
        for written_by in ("brickwork.zarr", "zarr"):
            g = m.open_group(m.storage.ZipStore(tmp_path / f"{written_by}.zip"), mode="r")
            assert sorted(g.array_keys()) == ["a"] and sorted(g.group_keys()) == ["g"]
            np.testing.assert_array_equal(g["g/b"][:], np.linspace(0, 1, 10))
            np.testing.assert_array_equal(g["a"][1:5, ::2, 3], DATA[1:5, ::2, 3])


def test_a_rewritten_chunk_reads_as_its_last_entry(tmp_path):
    """zarr-python rewrites a key by adding an entry of that name (zip files are appended to): the last
    one is the key's value, on both sides."""
    with zarr.storage.ZipStore(tmp_path / "z.zip", mode="w") as store:
        z = zarr.create_array(store, shape=(8,), chunks=(4,), dtype="i4")
        z[:] = 1
        with pytest.warns(UserWarning, match="Duplicate name"):
            z[:4] = 7
    assert len(zipfile.ZipFile(tmp_path / "z.zip").namelist()) == 4  # zarr.json, two chunks, one again
    for m in (zarr, bz):
        np.testing.assert_array_equal(m.open_array(m.storage.ZipStore(tmp_path / "z.zip"), mode="r")[:],
                                      [7, 7, 7, 7, 1, 1, 1, 1])


def test_mode_a_keeps_what_was_there(tmp_path):
    _write(zarr, tmp_path / "z.zip")
    with bz.storage.ZipStore(tmp_path / "z.zip", mode="a") as store:
        bz.create_array(store, name="c", shape=(3,), dtype="i1")[:] = [1, 2, 3]
        bz.open_array(store, path="a", mode="r+")[0, 0, :] = 9
    expected = DATA.copy()
    expected[0, 0, :] = 9
    g = zarr.open_group(zarr.storage.ZipStore(tmp_path / "z.zip"), mode="r")
    np.testing.assert_array_equal(g["a"][:], expected)
    np.testing.assert_array_equal(g["c"][:], [1, 2, 3])
    np.testing.assert_array_equal(g["g/b"][:], np.linspace(0, 1, 10))
    assert [p for p in os.listdir(tmp_path) if p != "z.zip"] == []  # no partial file left beside it
    with bz.storage.ZipStore(tmp_path / "new.zip", mode="a") as store:  # "a" makes a missing file
        bz.save_array(store, np.arange(3))
    np.testing.assert_array_equal(zarr.open_array(zarr.storage.ZipStore(tmp_path / "new.zip"), mode="r")[:],
                                  np.arange(3))


def test_modes_and_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such zip file"):
        bz.storage.ZipStore(tmp_path / "missing.zip")
    _write(bz, tmp_path / "z.zip")
    with pytest.raises(FileExistsError, match="mode 'x'"):
        bz.storage.ZipStore(tmp_path / "z.zip", mode="x")
    with pytest.raises(InvalidArrayError, match="mode is 'r', 'w', 'a' or 'x', not 'rw'"):
        bz.storage.ZipStore(tmp_path / "z.zip", mode="rw")
    with pytest.raises(InvalidArrayError, match="not one of zipfile's methods"):
        bz.storage.ZipStore(tmp_path / "y.zip", mode="w", compression=99)
    with pytest.raises(TypeError, match="path or an open binary file object"):
        bz.storage.ZipStore(3)
    store = bz.storage.ZipStore(tmp_path / "z.zip")  # mode "r": read-only
    assert store.read_only and str(store) == f"zip://{tmp_path}/z.zip" and repr(store) == f"ZipStore('{store}')"
    with pytest.raises(InvalidArrayError, match="read-only"):
        bz.open_array(store, path="a", mode="r+")
    before = _entries(tmp_path / "z.zip")
    store.close()
    assert _entries(tmp_path / "z.zip") == before
    with bz.storage.ZipStore(tmp_path / "x.zip", mode="x") as store:
        bz.save_array(store, np.arange(4))
    assert "zarr.json" in _entries(tmp_path / "x.zip")
    with bz.storage.ZipStore(tmp_path / "d.zip", mode="w", compression=zipfile.ZIP_DEFLATED) as store:
        bz.save_array(store, np.zeros(1000))
    with zipfile.ZipFile(tmp_path / "d.zip") as f:
        assert {i.compress_type for i in f.infolist()} == {zipfile.ZIP_DEFLATED}
    np.testing.assert_array_equal(zarr.open_array(zarr.storage.ZipStore(tmp_path / "d.zip"), mode="r")[:],
                                  np.zeros(1000))


def test_file_objects(tmp_path):
    buffer = io.BytesIO(b"leading bytes")
    buffer.seek(0, io.SEEK_END)
    with bz.storage.ZipStore(buffer, mode="w") as store:
        bz.save_array(store, DATA, path="d")
    assert buffer.getvalue().startswith(b"leading bytes")
    data = buffer.getvalue()[len(b"leading bytes"):]
    for m in (zarr, bz):
        np.testing.assert_array_equal(m.open_array(m.storage.ZipStore(io.BytesIO(data)), path="d", mode="r")[:],
                                      DATA)
    again = io.BytesIO(data)
    with bz.storage.ZipStore(again, mode="a") as store:
        bz.save_array(store, np.arange(2), path="x")
    g = zarr.open_group(zarr.storage.ZipStore(again), mode="r")
    np.testing.assert_array_equal(g["x"][:], [0, 1])
    np.testing.assert_array_equal(g["d"][:], DATA)


def test_a_store_never_closed_is_written_when_it_is_gone(tmp_path):
    """As zarr-python's zip file is finalised: when the store and every array opened in it are gone."""
    store = bz.storage.ZipStore(tmp_path / "z.zip", mode="w")
    z = bz.create_array(store, shape=(4,), dtype="i2")
    del store
    gc.collect()
    assert not (tmp_path / "z.zip").exists()  # the array holds the store
    z[:] = 5
    del z
    gc.collect()
    np.testing.assert_array_equal(zarr.open_array(zarr.storage.ZipStore(tmp_path / "z.zip"), mode="r")[:], [5] * 4)


def test_a_store_never_closed_is_written_at_exit(tmp_path):
    script = (f"import numpy as np, brickwork.zarr as bz\n"
              f"store = bz.storage.ZipStore({str(tmp_path / 'z.zip')!r}, mode='w')\n"
              f"z = bz.create_array(store, shape=(3,), dtype='u1')\n"
              f"z[:] = [1, 2, 3]\n")
    subprocess.run([sys.executable, "-c", script], check=True)
    np.testing.assert_array_equal(zarr.open_array(zarr.storage.ZipStore(tmp_path / "z.zip"), mode="r")[:], [1, 2, 3])


def _zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as f:
        for name, data in entries.items():
            f.writestr(name, data)
    return out.getvalue()


def _patched(data: bytes, field_offset: int, fmt: str, value: int) -> bytes:
    """``data`` with a field of its (one) central directory entry set to ``value``."""
    at = data.index(b"PK\x01\x02") + field_offset
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]


META = b'{"zarr_format": 3, "node_type": "group", "attributes": {}}'


@pytest.mark.parametrize("case, data, message", [
    ("not a zip", b"PK\x03\x04 but nothing after", "not a zip store brickwork can read: File is not a zip file"),
    ("empty", b"", "File is not a zip file"),
    ("leaves the store", _zip_of({"../evil": b"x"}), "the entry '../evil' is not a store key"),
    ("absolute", _zip_of({"/etc/evil": b"x"}), "the entry '/etc/evil' is not a store key"),
    ("backslash", _zip_of({"a\\..\\b": b"x"}), "is not a store key"),
    ("empty component", _zip_of({"a//b": b"x"}), "is not a store key"),
    ("file and folder", _zip_of({"zarr.json": META, "a": b"x", "a/b": b"y"}), "'a' is both a key and the folder"),
    ("encrypted", _patched(_zip_of({"zarr.json": META}), 8, "<H", 1), "the entry 'zarr.json' is encrypted"),
    ("more than declared", _patched(_zip_of({"zarr.json": META}), 24, "<I", 5),
     "the entry 'zarr.json' (holds more than the 5 bytes its header declares|cannot be read: Bad CRC-32)"),
    ("a deflated bomb", _patched(_zip_of({"c/0": bytes(50 << 20)}, zipfile.ZIP_DEFLATED), 24, "<I", 100),
     "the entry 'c/0' (holds more than the 100 bytes its header declares|cannot be read: Bad CRC-32)"),
    ("less than declared", _patched(_zip_of({"zarr.json": META}), 24, "<I", len(META) + 9),
     "holds 58 of the 67 bytes"),
])
def test_hostile_zip_files(tmp_path, case, data, message):
    from brickwork.zarr import _memory

    (tmp_path / "bad.zip").write_bytes(data)
    before = set(os.listdir(_memory.root()))
    with pytest.raises(InvalidArrayError, match=message):
        bz.storage.ZipStore(tmp_path / "bad.zip")
    gc.collect()
    assert os.listdir(tmp_path) == ["bad.zip"] and not (tmp_path.parent / "evil").exists()
    assert set(os.listdir(_memory.root())) <= before  # what was unpacked before the error is gone


def test_a_zip_larger_than_the_room_for_it_is_refused_before_unpacking(tmp_path, monkeypatch):
    import shutil

    from brickwork.zarr import _zip

    (tmp_path / "big.zip").write_bytes(_patched(_zip_of({"zarr.json": META}), 24, "<I", 0xF0000000))
    # Whatever room the unpacking folder has (it is BRICKWORK_MEMORY_DIR's, not tmp_path's), say it has 1 GiB.
    monkeypatch.setattr(_zip.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(1 << 31, 1 << 31, 1 << 30))
    with pytest.raises(InvalidArrayError, match=r"unpacking the zip store takes 4026531840 bytes, and .* has "
                                                r"\d+ free \(set BRICKWORK_MEMORY_DIR"):
        bz.storage.ZipStore(tmp_path / "big.zip")


def test_mutated_zip_files_open_or_are_refused_clearly():
    """Random corruptions of zip stores (bytes changed, runs overwritten, cut short) of every compression
    zipfile writes: the store opens (and its arrays read or fail with brickwork's errors) or is refused with
    InvalidArrayError; no other exception (zipfile's own raise NotImplementedError, ValueError, ... on
    garbage)."""
    import random

    goods = []
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        out = io.BytesIO()
        with bz.storage.ZipStore(out, mode="w", compression=compression) as store:
            a = bz.create_array(store, name="a", shape=(20, 20), chunks=(5, 5), dtype="i4")
            a[:] = np.arange(400).reshape(20, 20)
        goods.append(out.getvalue())
    rng = random.Random(16)
    outcomes = {"opened": 0, "refused": 0}
    for i in range(600):
        data = bytearray(goods[i % len(goods)])
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            if rng.random() < 0.2:
                data[at:at + 4] = rng.randbytes(4)
            else:
                data[at] = rng.randrange(256)
        if rng.random() < 0.1:
            data = data[:rng.randrange(len(data))]
        try:
            store = bz.storage.ZipStore(io.BytesIO(bytes(data)))
        except InvalidArrayError:
            outcomes["refused"] += 1
            continue
        outcomes["opened"] += 1
        try:
            for _, array in bz.open_group(store, mode="r").arrays():
                array[...]
        except (InvalidArrayError, FileNotFoundError):
            pass
    assert outcomes["refused"] > 300 and outcomes["opened"] > 10, outcomes


def test_a_zip_file_given_as_a_store_path_says_what_opens_it(tmp_path):
    _write(bz, tmp_path / "z.zip")
    (tmp_path / "plain.txt").write_text("x")
    for call in (lambda p: bz.open(p), lambda p: bz.open_group(p), lambda p: bz.load(p),
                 lambda p: bz.save(p, np.arange(2))):
        with pytest.raises(InvalidArrayError, match=r"z.zip is a file, not a Zarr store: a zip file, whose store "
                                                    r"brickwork.zarr.storage.ZipStore\(path\) opens"):
            call(tmp_path / "z.zip")
        with pytest.raises(InvalidArrayError, match="plain.txt is a file, not a Zarr store; a store is a directory"):
            call(tmp_path / "plain.txt")
    assert (tmp_path / "plain.txt").read_text() == "x"


def test_zarr_pythons_zip_store_objects_read_only(tmp_path):
    """zarr-python's ZipStore open for reading is read (through a brickwork ZipStore of the same file,
    which the arrays opened keep); open for writing, it is a clear error (a second writer of the file)."""
    theirs = zarr.storage.ZipStore(tmp_path / "z.zip", mode="w")
    zarr.open_group(theirs, mode="w").create_array("x", shape=(5,), chunks=(2,), dtype="<i2")[...] = np.arange(5)
    with pytest.raises(InvalidArrayError, match="open for writing; brickwork would be a second writer"):
        bz.open_array(theirs, path="x")
    theirs.close()
    reading = zarr.storage.ZipStore(tmp_path / "z.zip", mode="r")
    array = bz.open_array(reading, path="x")
    assert bz.open_group(reading).keys() == ["x"] and array.read_only
    with pytest.raises(InvalidArrayError, match="read-only"):
        bz.open_array(reading, path="x", mode="r+")
    del reading
    gc.collect()
    np.testing.assert_array_equal(array[...], np.arange(5))
