"""Remote stores read: stores zarr-python wrote, served over HTTP by a local server (the way public
Zarr datasets are served), read by brickwork.zarr through fsspec (``https://`` URLs, ``storage_options``,
brickwork's and zarr-python's ``FsspecStore``, fsspec mappers), compared with zarr-python reading the same
URLs; groups, strings, shards, selections, xarray, threads, missing chunks, server failures, writes the
server does not take, and that no chunk stays in memory after a read (writes: test_zarr_remote_write.py)."""
import functools
import http.server
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import zarr

import brickwork.zarr as bz
from brickwork.errors import InvalidArrayError

pytest.importorskip("aiohttp")  # (fsspec's HTTP filesystem)


#: bytes the server sent in answer to range requests, by path (its threads count under the lock)
_SENT: dict = {}
_SENT_LOCK = threading.Lock()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the directory; the chunks of ``broken.zarr`` fail with 500, as a server in trouble does;
    under ``nolist-`` nothing is listed, as static hosting lists nothing; under ``norange-`` byte ranges
    are answered with the whole file, as some servers do."""

    disable_nagle_algorithm = True  # (headers and body written apart would wait on delayed ACKs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/broken.zarr/c/"):
            self.send_error(500, "broken on purpose")
            return
        spec = "" if self.path.startswith("/norange-") else self.headers.get("Range", "")
        path = self.translate_path(self.path)
        if "/nolist-" in self.path and os.path.isdir(path):
            self.send_error(404, "no listings here")
            return
        if not spec.startswith("bytes=") or not os.path.isfile(path):
            super().do_GET()
            return
        # byte ranges, as real servers answer them (zarr-python reads a shard's index and chunks so)
        body = open(path, "rb").read()
        first, _, last = spec[len("bytes="):].partition("-")
        start = len(body) - int(last) if not first else int(first)
        stop = len(body) if not first or not last else int(last) + 1
        part = body[max(start, 0):stop]
        # (counted before it is sent: the client may look at the count as soon as it has the bytes)
        with _SENT_LOCK:
            _SENT[self.path] = _SENT.get(self.path, 0) + len(part)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {max(start, 0)}-{max(start, 0) + len(part) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part)


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # (socketserver's 5 would drop fsspec's concurrent connections for a second)
    daemon_threads = True


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Stores zarr-python wrote, and the URL they are served at."""
    root = tmp_path_factory.mktemp("served")
    rng = np.random.default_rng(0)
    data = {"a": rng.integers(0, 1000, size=(40, 30)).astype("<i4"), "v2": rng.random((17, 9)),
            "sharded": np.arange(600, dtype="<u2").reshape(20, 30)}
    zarr.create_array(str(root / "a.zarr"), shape=(40, 30), chunks=(10, 7), dtype="<i4", fill_value=-1)[:30] = \
        data["a"][:30]
    data["a"][30:] = -1  # (chunks never written: the fill value)
    zarr.create_array(str(root / "v2.zarr"), shape=(17, 9), chunks=(5, 4), dtype="<f8", zarr_format=2)[:] = data["v2"]
    zarr.create_array(str(root / "sharded.zarr"), shape=(20, 30), chunks=(5, 5), shards=(10, 15),
                      dtype="<u2")[:] = data["sharded"]
    g = zarr.open_group(str(root / "g.zarr"), mode="w", attributes={"title": "remote"})
    g.create_array("t", shape=(6,), dtype="<f8", dimension_names=["t"])[:] = np.arange(6) / 2
    g.create_array("temp", shape=(6, 4), chunks=(2, 4), dtype="<f4", dimension_names=["t", "x"],
                   attributes={"units": "K"})[:] = np.arange(24).reshape(6, 4)
    g.create_group("sub").create_array("names", shape=(5,), chunks=(2,), dtype=str,
                                       dimension_names=["n"])[:] = ["a", "bb", "", "dddd", "é"]
    zarr.create_array(str(root / "broken.zarr"), shape=(4,), chunks=(2,), dtype="i1")[:] = 1
    for fmt in (2, 3):  # groups a server cannot list, with consolidated metadata (as xarray's to_zarr writes)
        c = zarr.open_group(str(root / f"nolist-{fmt}.zarr"), mode="w", zarr_format=fmt)
        c.create_array("t", shape=(3,), dtype="<i2", dimension_names=["t"] if fmt == 3 else None,
                       attributes={} if fmt == 3 else {"_ARRAY_DIMENSIONS": ["t"]})[:] = [1, 2, 3]
        c.create_group("inner").create_array("u", shape=(2,), dtype="u1")[:] = 9
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (zarr-python: consolidated metadata is not part of v3's spec)
            zarr.consolidate_metadata(str(root / f"nolist-{fmt}.zarr"))
    server = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", data, root
    server.shutdown()


def test_arrays_read_as_zarr_python_reads_them(served):
    url, data, _ = served
    for name in ("a", "v2", "sharded"):
        ours, theirs = bz.open_array(f"{url}/{name}.zarr"), zarr.open_array(f"{url}/{name}.zarr", mode="r")
        np.testing.assert_array_equal(ours[...], data[name])
        for key in [(slice(3, 17), slice(2, 9)), (slice(None, None, 4), 5), (-1, slice(None))]:
            np.testing.assert_array_equal(ours[key], theirs[key])
        rows, cols = [0, 7, 16], [1, 8]
        np.testing.assert_array_equal(ours.oindex[rows, cols], theirs.oindex[rows, cols])
        np.testing.assert_array_equal(ours.vindex[rows, [1, 8, 0]], theirs.vindex[rows, [1, 8, 0]])
        np.testing.assert_array_equal(ours.blocks[1, 0], theirs.blocks[1, 0])
        assert ours.metadata.to_dict()["shape"] == list(theirs.shape)
        assert ours.nbytes_stored() == sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in
                                           os.walk(served[2] / f"{name}.zarr") for f in fs)
        # between reads the mirror holds the metadata only
        assert all(f in ("zarr.json", ".zarray", ".zattrs") for _, _, fs in os.walk(ours.path) for f in fs)


def test_the_ways_a_remote_store_is_named(served):
    import fsspec

    url, data, _ = served
    for store in [f"{url}/a.zarr", bz.storage.FsspecStore.from_url(f"{url}/a.zarr"),
                  zarr.storage.FsspecStore.from_url(f"{url}/a.zarr", read_only=True),
                  fsspec.get_mapper(f"{url}/a.zarr")]:
        np.testing.assert_array_equal(bz.open_array(store)[5], data["a"][5])
        np.testing.assert_array_equal(bz.open(store, mode="r")[5], data["a"][5])
    a = bz.open_array(url, path="a.zarr", storage_options={"client_kwargs": {}})
    np.testing.assert_array_equal(a[0], data["a"][0])


def test_groups_strings_attributes_and_xarray(served):
    import xarray as xr

    url, _, root = served
    g = bz.open_group(f"{url}/g.zarr")
    assert sorted(g.keys()) == ["sub", "t", "temp"] and g.attrs["title"] == "remote"
    assert repr(g.tree()) == repr(bz.open_group(str(root / "g.zarr"), mode="r").tree())
    np.testing.assert_array_equal(g["sub/names"][:], ["a", "bb", "", "dddd", "é"])
    np.testing.assert_array_equal(g["sub"]["names"].vindex[[4, 0]], ["é", "a"])
    assert g["temp"].attrs["units"] == "K"
    _SENT.clear()
    remote = xr.open_dataset(f"{url}/g.zarr", engine="brickwork")
    # each array's metadata fetched once: with the group's listing, not again as xarray opens the array
    assert _SENT["/g.zarr/temp/zarr.json"] == os.path.getsize(root / "g.zarr" / "temp" / "zarr.json")
    local = xr.open_dataset(str(root / "g.zarr"), engine="zarr", consolidated=False)
    xr.testing.assert_identical(remote.load(), local.load())
    lazy = xr.open_dataset(f"{url}/g.zarr", engine="brickwork", chunks={})
    np.testing.assert_array_equal(lazy["temp"].sum("x").values, local["temp"].sum("x").values)
    tree = xr.open_datatree(f"{url}/g.zarr", engine="brickwork")
    np.testing.assert_array_equal(tree["sub"]["names"].values, ["a", "bb", "", "dddd", "é"])


def test_reads_from_many_threads(served):
    """Reads sharing chunks from 8 threads at once (as Dask's threaded scheduler makes them): each gets
    its data, and no chunk is left in the mirror."""
    url, data, _ = served
    a = bz.open_array(f"{url}/a.zarr")
    keys = [(slice(r, r + 13), slice(c, c + 11)) for r in range(0, 40, 6) for c in range(0, 30, 9)] * 3
    with ThreadPoolExecutor(8) as pool:
        for key, got in zip(keys, pool.map(lambda k: a[k], keys)):
            np.testing.assert_array_equal(got, data["a"][key])
    assert not any(f.startswith(("c", ".")) and f != "zarr.json" for _, _, fs in os.walk(a.path) for f in fs)


def test_a_store_that_takes_no_writes_fails_them_clearly(served):
    """A server that takes no writes (this one answers PUT with 501, as static hosting does): each write
    is an OSError naming the URL, and the store is as it was; read-only store objects refuse them first."""
    url, data, root = served
    before = sorted(os.listdir(root))
    for attempt in [lambda: bz.open_array(f"{url}/a.zarr", mode="r+").__setitem__(0, 1),
                    lambda: bz.open_array(f"{url}/a.zarr").__setitem__(0, 1),  # (mode "a", as zarr-python's)
                    lambda: bz.create_array(f"{url}/new.zarr", shape=(3,), dtype="i4"),
                    lambda: bz.save(f"{url}/new.zarr", np.arange(3)),
                    lambda: bz.open_group(f"{url}/g.zarr", mode="r+").attrs.put({"a": 1})]:
        with pytest.raises(OSError, match=url.split("://")[1]):
            attempt()
    for store in (bz.storage.FsspecStore.from_url(f"{url}/a.zarr", read_only=True),
                  zarr.storage.FsspecStore.from_url(f"{url}/a.zarr", read_only=True)):
        with pytest.raises(InvalidArrayError, match="read-only"):
            bz.open_array(store, mode="r+")
        with pytest.raises(InvalidArrayError, match="reading only"):
            bz.open_array(store).__setitem__(0, 1)
    assert sorted(os.listdir(root)) == before
    np.testing.assert_array_equal(bz.open_array(f"{url}/a.zarr")[...], data["a"])
    assert bz.open_group(f"{url}/g.zarr").attrs.asdict() == {"title": "remote"}


def test_read_missing_chunks_false(served):
    """``read_missing_chunks=False`` over HTTP: chunks the server does not have are a ChunkNotFoundError
    naming them, as zarr-python's."""
    import re

    url, data, _ = served
    for name in ("a", "sharded"):
        ours = bz.open_array(f"{url}/{name}.zarr", config={"read_missing_chunks": False})
        theirs = zarr.open_array(f"{url}/{name}.zarr", mode="r", config={"read_missing_chunks": False})
        np.testing.assert_array_equal(ours[:20], theirs[:20])
        if name == "a":  # (rows 30 on were never written)
            with pytest.raises(zarr.errors.ChunkNotFoundError) as e:
                theirs[25:]
            with pytest.raises(bz.errors.ChunkNotFoundError) as f:
                ours[25:]
            assert sorted(re.findall(r"chunk '([^']+)'", str(f.value))) == \
                sorted(re.findall(r"chunk '([^']+)'", str(e.value))) != []


def test_failures_are_clear(served):
    url, _, _ = served
    broken = bz.open_array(f"{url}/broken.zarr")  # (its metadata is served; its chunks fail with 500)
    with pytest.raises(OSError, match="broken.zarr"):
        broken[:]
    with pytest.raises(OSError, match="broken.zarr"):  # (another read after a failed one fails the same)
        broken[:1]
    with pytest.raises(bz.errors.ArrayNotFoundError):
        bz.open_array(f"{url}/nothing-here.zarr")
    with pytest.raises(InvalidArrayError, match="storage_options"):
        bz.open_array(bz.storage.FsspecStore.from_url(f"{url}/a.zarr"), storage_options={"a": 1})


def test_what_changed_in_the_store_is_seen(served, tmp_path):
    """A node's metadata is read again when it is opened, and a group's members when they are listed
    (the store may change, as a dataset that grows does); a metadata file larger than any Zarr metadata
    is refused without being fetched whole."""
    url, _, root = served
    g = zarr.open_group(str(root / "growing.zarr"), mode="w")
    g.create_array("v", shape=(4,), chunks=(2,), dtype="i2")[:] = 1
    assert bz.open_group(f"{url}/growing.zarr").keys() == ["v"]
    zarr.open_array(str(root / "growing.zarr" / "v"), mode="r+").append(np.full(2, 2, dtype="i2"))
    g.create_array("w", shape=(1,), dtype="i1")
    grown = bz.open_group(f"{url}/growing.zarr")
    assert grown.keys() == ["v", "w"]
    np.testing.assert_array_equal(grown["v"][:], [1, 1, 1, 1, 2, 2])
    (root / "huge.zarr").mkdir()
    (root / "huge.zarr" / "zarr.json").write_bytes(b"{" + b" " * (20 << 20) + b"}")
    with pytest.raises(InvalidArrayError, match="huge.zarr/zarr.json is larger than 16777216 bytes"):
        bz.open_array(f"{url}/huge.zarr")


def test_groups_a_server_cannot_list_are_read_through_consolidated_metadata(served):
    """Static HTTP hosting lists no directories: the members of a group come from its consolidated
    metadata, as zarr-python reads them (xarray's to_zarr consolidates by default)."""
    import xarray as xr

    url, _, root = served
    for fmt in (2, 3):
        g = bz.open_group(f"{url}/nolist-{fmt}.zarr")
        assert g.keys() == ["inner", "t"] and g["inner"].keys() == ["u"]
        np.testing.assert_array_equal(g["inner/u"][:], [9, 9])
        np.testing.assert_array_equal(g["t"][:], [1, 2, 3])
        ds = xr.open_dataset(f"{url}/nolist-{fmt}.zarr", engine="brickwork")
        np.testing.assert_array_equal(ds["t"].values, [1, 2, 3])


def test_a_server_sending_too_much_is_not_read_whole(served):
    """A chunk file far larger than any chunk of the array (a hostile or broken server) is read no further
    than twice the chunk's bytes plus 1 MiB (of strings, than max_bytes), and then refused as a chunk that
    does not decode."""
    url, _, root = served
    zarr.create_array(str(root / "bloated.zarr"), shape=(8,), chunks=(8,), dtype="u1")[:] = 1
    (root / "bloated.zarr" / "c" / "0").write_bytes(os.urandom(24 << 20))
    with pytest.raises(ValueError):
        bz.open_array(f"{url}/bloated.zarr")[:]
    assert _SENT["/bloated.zarr/c/0"] <= 2 * 8 + (1 << 20)
    # items of variable length (strings): no more than max_bytes, the most a read decodes
    zarr.create_array(str(root / "bloated-str.zarr"), shape=(4,), chunks=(4,), dtype=str)[:] = ["a", "b", "c", "d"]
    (root / "bloated-str.zarr" / "c" / "0").write_bytes(os.urandom(8 << 20))
    with pytest.raises(ValueError):
        bz.open_array(f"{url}/bloated-str.zarr", max_bytes=1 << 20)[:]
    assert _SENT["/bloated-str.zarr/c/0"] <= 1 << 20


def test_sharded_reads_fetch_only_the_index_and_the_inner_chunks_they_need(served):
    """A read of a few elements of a sharded array fetches each shard's index and the inner chunks that
    hold them (byte ranges), not whole shards; reads from many threads share the shards' files; rectilinear
    shard boundaries too."""
    url, _, root = served
    data = np.arange(256 * 256, dtype="<u4").reshape(256, 256)
    zarr.create_array(str(root / "big-shards.zarr"), shape=(256, 256), chunks=(16, 16), shards=(128, 256),
                      dtype="<u4", compressors=None)[:] = data
    a = bz.open_array(f"{url}/big-shards.zarr")
    _SENT.clear()
    np.testing.assert_array_equal(a[3:5, 200:210], data[3:5, 200:210])
    # the index (16 bytes for each of its 8 x 16 inner chunks, and a checksum) and the two inner chunks
    # of 16 x 16 elements that hold the elements read (with what lies between them in the file, fetched
    # in one range), of a shard of 128 KiB
    index, chunk = (8 * 16) * 16 + 4, 16 * 16 * 4
    assert index + 2 * chunk <= _SENT["/big-shards.zarr/c/0/0"] <= index + 4 * chunk
    assert "/big-shards.zarr/c/1/0" not in _SENT
    np.testing.assert_array_equal(a.vindex[[0, 255], [255, 0]], [255, 255 * 256])
    keys = [(slice(r, r + 21), slice(c, c + 37)) for r in range(0, 256, 19) for c in range(0, 256, 41)]
    with ThreadPoolExecutor(8) as pool:
        for key, got in zip(keys, pool.map(lambda k: a[k], keys)):
            np.testing.assert_array_equal(got, data[key])
    np.testing.assert_array_equal(a[...], data)
    assert all(f == "zarr.json" for _, _, fs in os.walk(a.path) for f in fs)
    # a server that answers byte ranges with whole files: whole shards, then
    os.symlink(root / "big-shards.zarr", root / "norange-shards.zarr")
    np.testing.assert_array_equal(bz.open_array(f"{url}/norange-shards.zarr")[3:5, 200:210], data[3:5, 200:210])
    # a shard never written reads as the fill value; so do inner chunks a shard does not hold
    zarr.create_array(str(root / "half.zarr"), shape=(256, 256), chunks=(16, 16), shards=(128, 128),
                      dtype="<i2", fill_value=-3)[:100, :50] = 7
    half = bz.open_array(f"{url}/half.zarr")
    expected = np.full((256, 256), -3, "<i2")
    expected[:100, :50] = 7
    np.testing.assert_array_equal(half[90:140, 40:200], expected[90:140, 40:200])
    np.testing.assert_array_equal(half.vindex[[0, 99, 255], [49, 50, 255]], [7, -3, -3])
    with zarr.config.set({"array.rectilinear_chunks": True}), bz.config.set({"array.rectilinear_chunks": True}):
        zarr.create_array(str(root / "rect-shards.zarr"), shape=(256, 256), chunks=(16, 16),
                          shards=[[32, 160, 64], [256]], dtype="<u4")[:] = data
        r = bz.open_array(f"{url}/rect-shards.zarr")
        np.testing.assert_array_equal(r[30:40, 100:120], data[30:40, 100:120])
        np.testing.assert_array_equal(r.vindex[[0, 200, 255], [3, 4, 5]], data[[0, 200, 255], [3, 4, 5]])


def test_truncated_and_garbage_shards_are_clear_errors(served):
    """A shard file shorter than its index, and one whose index is garbage: clear errors, no allocation
    sized by what the index claims."""
    url, _, root = served
    zarr.create_array(str(root / "cut.zarr"), shape=(32,), chunks=(4,), shards=(16,), dtype="<u2")[:] = 5
    (root / "cut.zarr" / "c" / "0").write_bytes(b"\x00" * 10)  # (its index alone takes 4 x 16 + 4 bytes)
    shard = (root / "cut.zarr" / "c" / "1").read_bytes()
    garbage = bytes([0xff]) * 64 + shard[-4:]  # offsets and lengths of 2**64 - 1 and then some, bad checksum
    (root / "cut.zarr" / "c" / "1").write_bytes(shard[:-68] + garbage)
    a = bz.open_array(f"{url}/cut.zarr")
    with pytest.raises(InvalidArrayError, match="index"):
        a[:4]
    with pytest.raises(ValueError):
        a[20:24]
