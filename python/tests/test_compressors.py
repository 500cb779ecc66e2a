"""Live cross-checks of brickwork's byte compressors against the real numcodecs from PyPI.

For each codec and config: numcodecs decodes what brickwork encoded and brickwork decodes what numcodecs
encoded, get_config dicts and reprs are equal, get_codec of numcodecs' config gives brickwork's class, and
``out=`` follows numcodecs' size rules. Hostile input gets brickwork's errors, never a crash.
"""
from __future__ import annotations

import array
import threading
import tracemalloc

import numcodecs
import numpy as np
import pytest

import brickwork.codecs as bw
from brickwork import errors

RNG = np.random.default_rng(42)


def _inputs():
    big_labels = np.repeat(RNG.integers(0, 1000, size=(3 << 20) // 64, dtype=np.uint64), 8)
    return {
        "empty": b"",
        "one byte": b"x",
        "text": (b"the quick brown fox jumps over the lazy dog " * 200),
        "labels u4": np.repeat(RNG.integers(0, 50, size=4096, dtype=np.uint32), 16).reshape(256, 256),
        "float field f8": np.cumsum(RNG.standard_normal((64, 64)), axis=0),
        "random": RNG.integers(0, 256, size=100_000, dtype=np.uint8).tobytes(),
        "labels u8 3 MiB": big_labels,
        "F-order f4": np.asfortranarray(RNG.standard_normal((50, 40)).astype(np.float32)),
        "datetime": np.arange(1000).astype("M8[ns]"),
    }


INPUTS = _inputs()

LZMA_FILTERS = [{"id": 3, "dist": 4}, {"id": 33, "preset": 1}]
CONFIGS = [
    {"id": "zlib", "level": 1},
    {"id": "zlib", "level": -1},
    {"id": "zlib", "level": 0},
    {"id": "zlib", "level": 9},
    {"id": "gzip", "level": 1},
    {"id": "gzip", "level": 9},
    {"id": "gzip", "level": -1},
    {"id": "bz2", "level": 1},
    {"id": "bz2", "level": 9},
    {"id": "lzma", "format": 1, "check": -1, "preset": None, "filters": None},
    {"id": "lzma", "format": 1, "check": 0, "preset": 1, "filters": None},
    {"id": "lzma", "format": 2, "check": -1, "preset": 3, "filters": None},
    {"id": "lzma", "format": 3, "check": -1, "preset": None, "filters": LZMA_FILTERS},
    {"id": "lzma", "format": 3, "check": -1, "preset": None, "filters": [{"id": 33, "preset": 1}]},
    {"id": "zstd", "level": 0, "checksum": False},
    {"id": "zstd", "level": 1, "checksum": True},
    {"id": "zstd", "level": -5, "checksum": False},
    {"id": "zstd", "level": 9, "checksum": False},
    {"id": "zstd", "level": 22, "checksum": True},
    {"id": "lz4", "acceleration": 1},
    {"id": "lz4", "acceleration": 10},
    {"id": "lz4", "acceleration": 0},
]
# numcodecs itself cannot decode its own encoding of empty input with these (spec §8); brickwork can.
NUMCODECS_FAILS_ON_EMPTY = {"zstd", "lz4"}
# Identical bytes expected (same C library at the same version, or deterministic format); gzip differs in MTIME.
BYTE_IDENTICAL = {"zlib", "bz2", "lzma", "zstd", "lz4"}


def _raw(data) -> bytes:
    return data if isinstance(data, bytes) else data.tobytes(order="A")


def _ids(c):
    return "-".join(f"{k}={v}" for k, v in c.items() if k != "id" and v is not None) or "default"


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c['id']}-{_ids(c)}")
@pytest.mark.parametrize("name", list(INPUTS))
def test_each_side_decodes_the_other(config, name):
    data = INPUTS[name]
    ours = bw.get_codec(config)
    theirs = numcodecs.get_codec(config)
    raw = _raw(data)
    enc_ours = ours.encode(data)
    enc_theirs = theirs.encode(data)
    assert isinstance(enc_ours, bytes)
    assert bytes(ours.decode(enc_theirs)) == raw
    if not (raw == b"" and config["id"] in NUMCODECS_FAILS_ON_EMPTY):
        assert bytes(theirs.decode(enc_ours)) == raw
    assert bytes(ours.decode(enc_ours)) == raw
    if config["id"] in BYTE_IDENTICAL:
        assert enc_ours == enc_theirs
    elif config["id"] == "gzip":
        assert enc_ours[:4] == enc_theirs[:4] and enc_ours[10:] == enc_theirs[10:]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c['id']}-{_ids(c)}")
def test_config_repr_and_registry(config):
    ours = bw.get_codec(config)
    theirs = numcodecs.get_codec(config)
    assert type(ours).__module__.startswith("brickwork.codecs")
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.get_config() == theirs.get_config()
    assert repr(ours) == repr(theirs)
    assert ours == bw.get_codec(theirs.get_config())
    assert ours.codec_id == theirs.codec_id
    assert isinstance(ours, numcodecs.abc.Codec)
    # numcodecs' own registry accepts the class.
    assert type(ours).from_config({k: v for k, v in config.items() if k != "id"}) == ours


def test_defaults_match_numcodecs():
    for cls in (bw.Zlib, bw.GZip, bw.BZ2, bw.LZMA, bw.Zstd, bw.LZ4, bw.Blosc):
        theirs = getattr(numcodecs, cls.__name__)()
        assert cls().get_config() == theirs.get_config(), cls
        assert repr(cls()) == repr(theirs)
    assert (bw.Zstd.default_level(), bw.Zstd.min_level(), bw.Zstd.max_level()) == (
        numcodecs.Zstd.default_level(),
        numcodecs.Zstd.min_level(),
        numcodecs.Zstd.max_level(),
    )
    assert bw.Zstd() != bw.Zstd(checksum=True)
    assert bw.Zlib(level=5) == numcodecs.Zlib(level=5)


def test_codecs_are_mutable_like_numcodecs():
    c = bw.Zlib(level=1)
    small = c.encode(INPUTS["text"])
    c.level = 9
    assert c.get_config() == {"id": "zlib", "level": 9}
    assert c.encode(INPUTS["text"]) == numcodecs.Zlib(level=9).encode(INPUTS["text"])
    assert len(small) >= len(c.encode(INPUTS["text"]))


@pytest.mark.parametrize("codec_id", ["zlib", "gzip", "bz2", "lzma", "zstd", "lz4", "blosc"])
def test_buffer_types(codec_id):
    c = bw.get_codec({"id": codec_id})
    payload = b"abcdefgh" * 100
    for buf in (payload, bytearray(payload), memoryview(payload), array.array("b", payload), np.frombuffer(payload, "u1")):
        assert bytes(c.decode(c.encode(buf))) == payload
    with pytest.raises(TypeError):
        c.encode("a string")
    with pytest.raises(TypeError):
        c.encode(np.array(["a", None], dtype=object))
    with pytest.raises(ValueError, match="contiguous"):
        c.encode(np.arange(100)[::2])


@pytest.mark.parametrize("codec_id", ["zlib", "gzip", "bz2", "lzma", "zstd", "lz4", "blosc"])
def test_every_input_object_as_numcodecs(codec_id):
    """Whatever object holds the data (Rust reads NumPy arrays and byte buffers in place; other objects
    go through NumPy first), each side decodes the other's output to the same bytes, Blosc takes its
    typesize from the item size, and what numcodecs refuses is refused."""
    ours, theirs = bw.get_codec({"id": codec_id}), numcodecs.get_codec({"id": codec_id})
    values = np.linspace(-5, 5, 240)
    objects = [
        values,
        values.reshape(12, 20, order="F"),
        values.astype("<f2"),
        values.astype(">i4"),
        values.astype("U3"),
        values.view([("a", "<i4"), ("b", "<f4")]),
        values.astype("M8[s]"),
        memoryview(values),
        memoryview(values.astype("<i2")),
        array.array("d", values),
        np.frombuffer(values.tobytes(), "u1"),  # read-only
    ]
    for obj in objects:
        enc_ours, enc_theirs = ours.encode(obj), theirs.encode(obj)
        if codec_id != "gzip":  # gzip: brickwork writes MTIME 0
            assert bytes(enc_ours) == bytes(enc_theirs), (codec_id, obj)
        want = bytes(theirs.decode(enc_theirs))
        assert want == (obj.tobytes(order="A") if isinstance(obj, np.ndarray) else bytes(memoryview(obj)))
        for enc in (enc_ours, enc_theirs):
            for holder in (bytes(enc), bytearray(enc), memoryview(bytes(enc)), np.frombuffer(bytes(enc), "u1")):
                assert bytes(ours.decode(holder)) == want, (codec_id, type(holder))
        assert bytes(theirs.decode(enc_ours)) == want
    for refused in (array.array("u", "text"), np.arange(10)[::2], np.array([1, None], dtype=object), "text"):
        for side in (ours, theirs):
            with pytest.raises((TypeError, ValueError)):
                side.encode(refused)
        with pytest.raises((TypeError, ValueError)):
            ours.decode(refused)


@pytest.mark.parametrize("codec_id", ["zlib", "gzip", "bz2", "lzma", "zstd", "lz4", "blosc"])
def test_out_buffers_follow_numcodecs(codec_id):
    data = np.arange(1000, dtype="<f8")
    ours = bw.get_codec({"id": codec_id})
    theirs = numcodecs.get_codec({"id": codec_id})
    enc = theirs.encode(data)
    out = np.empty_like(data)
    assert ours.decode(enc, out=out) is out
    np.testing.assert_array_equal(out, data)
    # Too small is always an error; larger is allowed exactly where numcodecs allows it.
    with pytest.raises(ValueError):
        ours.decode(enc, out=np.empty(999, dtype="<f8"))
    bigger = np.zeros(1001, dtype="<f8")
    try:
        theirs.decode(enc, out=np.zeros(1001, dtype="<f8"))
        numcodecs_allows_larger = True
    except (ValueError, RuntimeError):
        numcodecs_allows_larger = False
    if numcodecs_allows_larger:
        ours.decode(enc, out=bigger)
        np.testing.assert_array_equal(bigger[:1000], data)
    else:
        with pytest.raises(ValueError):
            ours.decode(enc, out=bigger)
    with pytest.raises(ValueError, match="writable"):
        ours.decode(enc, out=np.frombuffer(bytes(8000), dtype="<f8"))
    # Other holders of the output, and an output in the same array as the input but not overlapping it.
    for holder in (bytearray(8000), memoryview(np.zeros(1000, "<f8")), np.zeros((20, 50), "<f8", order="F")):
        assert ours.decode(enc, out=holder) is holder
        assert np.asarray(holder).tobytes(order="A") == data.tobytes()
    shared = np.zeros(len(enc) + 8000, "u1")
    shared[: len(enc)] = np.frombuffer(enc, "u1")
    ours.decode(shared[: len(enc)], out=shared[len(enc) :])
    assert shared[len(enc) :].tobytes() == data.tobytes()
    with pytest.raises((ValueError, TypeError)):  # overlapping: refused, never decoded into itself
        ours.decode(shared[: len(enc)], out=shared[len(enc) // 2 : len(enc) // 2 + 8000])


@pytest.mark.parametrize("codec_id", ["zlib", "gzip", "bz2", "lzma", "zstd", "lz4", "blosc"])
def test_garbage_truncated_and_empty_input(codec_id):
    c = bw.get_codec({"id": codec_id})
    enc = c.encode(INPUTS["text"])
    for bad in (b"garbage that is not compressed data at all", enc[: len(enc) // 2], enc[:3], bytes(64)):
        with pytest.raises(errors.DecodeError) as info:
            c.decode(bad)
        # numcodecs users catch RuntimeError or ValueError; both work.
        assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)
        # The same through decode(buf, out) (Rust reads both buffers in place): a clear error too.
        with pytest.raises(ValueError):
            c.decode(bad, out=np.zeros(len(INPUTS["text"]), "u1"))
    try:
        assert c.decode(b"") == b""
    except errors.DecodeError:
        pass


@pytest.mark.parametrize("name", ["Blosc", "LZ4"])
def test_max_buffer_size_like_numcodecs(name):
    """numcodecs' ``max_buffer_size`` of Blosc and LZ4 (the codecs that have one): the same class
    default, settable on an instance; inputs of more bytes are a ValueError both ways."""
    ours, theirs = getattr(bw, name)(), getattr(numcodecs, name)()
    assert ours.max_buffer_size == theirs.max_buffer_size
    ours.max_buffer_size = theirs.max_buffer_size = 64
    for buf in (np.zeros(64, "i1"), b"x" * 64):  # the encoded bytes may be more than the cap: decoded uncapped
        assert type(ours)().decode(ours.encode(buf)) == bytes(buf)
    for buf in (b"x" * 65, np.zeros(33, "i2"), bytearray(100)):
        for codec in (ours, theirs):
            with pytest.raises(ValueError, match="Codec does not support buffers of > 64 bytes"):
                codec.encode(buf)
            with pytest.raises(ValueError):
                codec.decode(buf)
    assert type(ours)().max_buffer_size == type(theirs)().max_buffer_size
    for other in ("Zstd", "Zlib", "GZip", "BZ2"):  # no cap, on either side
        assert not hasattr(getattr(bw, other)(), "max_buffer_size")
        assert not hasattr(getattr(numcodecs, other)(), "max_buffer_size")


def test_decode_limits_fail_fast():
    # A 13-byte zstd frame header claiming 1 TiB, with one empty raw block.
    tib = 1 << 40
    frame = bytes([0x28, 0xB5, 0x2F, 0xFD, 0xE0]) + tib.to_bytes(8, "little") + b"\x01\x00\x00"
    with pytest.raises(errors.DecodeError):
        bw.Zstd().decode(frame)
    # An lz4 header claiming 4 GiB (and 2 GiB - 1).
    for size in (0xFFFFFFFF, 0x7FFFFFFF):
        with pytest.raises(errors.DecodeError):
            bw.LZ4().decode(size.to_bytes(4, "little") + b"\x00" * 16)
    # Headers claiming far more than their streams can hold fail before any output is allocated
    # (tracemalloc sees the bytes objects Python allocates).
    blosc = bytearray(bw.Blosc(cname="lz4").encode(np.arange(4096, dtype="<u4")))
    blosc[4:8] = (0x7FFF0000).to_bytes(4, "little")
    hostile = [(bw.Blosc(), bytes(blosc)), (bw.Zstd(), frame), (bw.LZ4(), (0x7FFFFFFF).to_bytes(4, "little") + bytes(16))]
    tracemalloc.start()
    try:
        for codec, data in hostile:
            with pytest.raises(errors.DecodeError):
                codec.decode(data)
        assert tracemalloc.get_traced_memory()[1] < 1 << 20
    finally:
        tracemalloc.stop()
    # Bombs: small streams that inflate past the caller's limit.
    zeros = bytes(8 << 20)
    for codec in (bw.Zlib(9), bw.BZ2(9), bw.LZMA(), bw.GZip(9), bw.Zstd(19), bw.LZ4(), bw.Blosc()):
        enc = codec.encode(zeros)
        assert len(enc) < len(zeros) // 100
        with pytest.raises(errors.LimitError, match="limit"):
            codec.decode(enc, max_decoded_bytes=1 << 20)
        assert len(codec.decode(enc)) == len(zeros)


def test_unknown_and_unsupported_ids():
    with pytest.raises(errors.UnknownCodecError) as info:
        bw.get_codec({"id": "nope"})
    assert info.value.codec_id == "nope"
    assert isinstance(info.value, ValueError)
    assert str(info.value) == str(numcodecs.errors.UnknownCodecError("'nope'"))
    with pytest.raises(errors.UnsupportedCodecError, match="pickle"):
        bw.get_codec({"id": "pickle"})
    with pytest.raises(TypeError, match="foo"):
        bw.get_codec({"id": "zlib", "foo": 1}).encode(b"x")
    config = {"id": "zlib", "level": 3}
    bw.get_codec(config)
    assert config == {"id": "zlib", "level": 3}, "get_codec must not modify the caller's dict"


def test_register_codec_replaces_entries():
    class Mine(bw.Zlib):
        codec_id = "zlib"

    try:
        bw.register_codec(Mine)
        assert type(bw.get_codec({"id": "zlib"})) is Mine
    finally:
        bw.register_codec(bw.Zlib)
    assert type(bw.get_codec({"id": "zlib"})) is bw.Zlib


def test_many_threads_at_once():
    data = INPUTS["labels u8 3 MiB"]
    codecs = [bw.Zstd(3), bw.LZ4(), bw.Zlib(1), bw.Blosc(cname="zstd")]
    expected = [c.encode(data) for c in codecs]
    failures = []

    def work(i):
        c = codecs[i % len(codecs)]
        for _ in range(3):
            enc = c.encode(data)
            if enc != expected[i % len(codecs)] or bytes(c.decode(enc)) != data.tobytes():
                failures.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_blosc_nthreads_like_numcodecs():
    from brickwork.codecs import blosc as bw_blosc
    from numcodecs import blosc as nc_blosc

    assert bw_blosc.get_nthreads() == nc_blosc.get_nthreads()  # both min(8, os.cpu_count()) by default
    data = INPUTS["labels u8 3 MiB"]  # above the size where several threads are used
    previous_nc = nc_blosc.set_nthreads(1)
    try:
        for cname in ("lz4", "zstd", "blosclz"):
            c = bw.Blosc(cname=cname)
            want = numcodecs.Blosc(cname=cname).encode(data)
            for n in (1, 3):
                previous = bw_blosc.set_nthreads(n)
                try:
                    assert bw_blosc.get_nthreads() == n
                    enc = c.encode(data)  # the codec picks the new count up without being rebuilt
                    assert enc == want, (cname, n)  # one-thread bytes whatever the thread count
                    assert bytes(c.decode(enc)) == data.tobytes()
                finally:
                    assert bw_blosc.set_nthreads(previous) == n
    finally:
        nc_blosc.set_nthreads(previous_nc)
    with pytest.raises(ValueError):
        bw_blosc.set_nthreads(0)
    assert bw_blosc.Blosc is bw.Blosc and bw_blosc.SHUFFLE == nc_blosc.SHUFFLE


def test_blosc_module_functions_like_numcodecs():
    # `from numcodecs import blosc` code: compress/decompress/list_compressors/cbuffer_complib and the
    # constants, checked against numcodecs.blosc; cbuffer_sizes/cbuffer_metainfo (numcodecs <= 0.15, used by
    # zarr-python 2) against the header fields they name.
    from brickwork.codecs import blosc as bw_blosc
    from numcodecs import blosc as nc_blosc

    assert bw_blosc.list_compressors() == nc_blosc.list_compressors()
    for name in ("AUTOBLOCKS", "MAX_OVERHEAD", "MAX_BUFFERSIZE", "MAX_TYPESIZE", "MAX_THREADS", "NOSHUFFLE",
                 "SHUFFLE", "BITSHUFFLE", "AUTOSHUFFLE"):
        assert getattr(bw_blosc, name) == getattr(nc_blosc, name), name
    sources = {k: INPUTS[k] for k in ("labels u4", "float field f8", "text", "empty", "F-order f4")}
    previous = nc_blosc.set_nthreads(1)
    try:
        for cname in bw_blosc.list_compressors():
            for shuffle in (bw_blosc.NOSHUFFLE, bw_blosc.SHUFFLE, bw_blosc.BITSHUFFLE, bw_blosc.AUTOSHUFFLE):
                for label, src in sources.items():
                    for typesize in (None, 8):
                        args = (cname.encode(), 5, shuffle, 0, typesize)
                        enc = bw_blosc.compress(src, *args)
                        assert enc == nc_blosc.compress(src, *args), (cname, shuffle, label, typesize)
                        raw = np.asarray(memoryview(src)).tobytes(order="A")
                        if raw:  # numcodecs cannot decompress an empty chunk, even its own ("error ... 0")
                            assert nc_blosc.decompress(enc) == raw
                        assert bw_blosc.decompress(nc_blosc.compress(src, *args)) == raw
                        assert bw_blosc.cbuffer_complib(enc) == nc_blosc.cbuffer_complib(enc)
                        nbytes, cbytes, blocksize = bw_blosc.cbuffer_sizes(enc)
                        assert (nbytes, cbytes) == (len(raw), len(enc)) and blocksize >= 0
                        itemsize = typesize or np.asarray(memoryview(src)).itemsize
                        typesize_read, shuffle_read, memcpyed = bw_blosc.cbuffer_metainfo(enc)
                        assert typesize_read == itemsize
                        assert memcpyed in (0, 2) and shuffle_read in (0, 1, 2)
                        if len(raw) >= 128 and not memcpyed and shuffle != bw_blosc.AUTOSHUFFLE:
                            assert shuffle_read == shuffle, (cname, shuffle, label)
    finally:
        nc_blosc.set_nthreads(previous)
    # str names too; decompress into a buffer returns it; clear errors for bad names and short buffers.
    data = INPUTS["labels u4"]
    enc = bw_blosc.compress(data, "zstd", 1, bw_blosc.BITSHUFFLE)
    assert bw_blosc.cbuffer_complib(enc) == "Zstd"
    assert bw_blosc.cbuffer_metainfo(enc)[:2] == (4, bw_blosc.BITSHUFFLE)
    out = np.empty_like(data)
    assert bw_blosc.decompress(enc, out) is out and np.array_equal(out, data)
    with pytest.raises(ValueError, match="lz5"):
        bw_blosc.compress(data, b"lz5", 5)
    for bad in (b"", b"x" * 15):
        for fn in (bw_blosc.cbuffer_sizes, bw_blosc.cbuffer_complib, bw_blosc.cbuffer_metainfo):
            with pytest.raises(ValueError, match="16-byte header"):
                fn(bad)
    with pytest.raises(ValueError, match="compressor code 7"):
        bw_blosc.cbuffer_complib(bytes([2, 1, 0xE0]) + bytes(13))
    for garbage in (b"", b"garbage garbage garbage", enc[: len(enc) // 2]):
        with pytest.raises(errors.BrickworkError):
            bw_blosc.decompress(garbage)
    # use_threads = False: one thread, the same bytes.
    c = bw.Blosc()
    bw_blosc.use_threads = False
    try:
        assert c.encode(data) == bw.Blosc().encode(data) and c._native_threads == 1
    finally:
        bw_blosc.use_threads = None
    c.encode(data)
    assert c._native_threads == bw_blosc.get_nthreads()


def test_zstd_and_lz4_modules_like_numcodecs():
    # `from numcodecs import zstd, lz4` code: the module functions give numcodecs' bytes and read them.
    from brickwork.codecs import lz4 as bw_lz4
    from brickwork.codecs import zstd as bw_zstd
    from numcodecs import lz4 as nc_lz4
    from numcodecs import zstd as nc_zstd

    for name in ("DEFAULT_CLEVEL", "MAX_CLEVEL", "VERSION_NUMBER", "MAJOR_VERSION_NUMBER",
                 "MINOR_VERSION_NUMBER", "MICRO_VERSION_NUMBER"):
        assert getattr(bw_zstd, name) == getattr(nc_zstd, name), name
    assert (bw_lz4.DEFAULT_ACCELERATION, bw_lz4.VERSION_STRING) == (nc_lz4.DEFAULT_ACCELERATION, nc_lz4.VERSION_STRING)
    assert bw_zstd.Zstd is bw.Zstd and bw_lz4.LZ4 is bw.LZ4
    assert bw.zstd is bw_zstd and bw.lz4 is bw_lz4 and bw.blosc.Blosc is bw.Blosc  # as numcodecs.zstd, ...
    for label in ("labels u4", "text", "empty", "F-order f4"):
        src = INPUTS[label]
        raw = np.asarray(memoryview(src)).tobytes(order="A")
        for args in ((), (3,), (-1, True)):
            enc = bw_zstd.compress(src, *args)
            assert enc == nc_zstd.compress(src, *args), (label, args)
            assert bw_zstd.decompress(enc) == raw
            assert not raw or nc_zstd.decompress(enc) == raw  # numcodecs cannot read an empty frame
        for args in ((), (10,)):
            enc = bw_lz4.compress(src, *args)
            assert enc == nc_lz4.compress(src, *args), (label, args)
            assert bw_lz4.decompress(enc) == raw
            assert not raw or nc_lz4.decompress(enc) == raw  # nor an empty LZ4 chunk
    data = INPUTS["labels u4"]
    for module in (bw_zstd, bw_lz4):  # garbage, truncated and empty input: brickwork's errors
        enc = module.compress(data)
        for garbage in (b"", b"garbage garbage garbage", enc[: len(enc) // 2]):
            with pytest.raises(errors.BrickworkError):
                module.decompress(garbage)
    out = np.empty_like(data)
    assert bw_zstd.decompress(bw_zstd.compress(data), out) is out and np.array_equal(out, data)
    out = np.empty_like(data)
    assert bw_lz4.decompress(bw_lz4.compress(data), out) is out and np.array_equal(out, data)


def test_decode_into_bytes_of_the_header_size():
    # Blosc, LZ4 and Zstd decode straight into a bytes object of the size their header declares.
    data = INPUTS["labels u8 3 MiB"]
    for c in (bw.Zstd(), bw.LZ4(), bw.Blosc(), bw.Blosc(cname="zstd", shuffle=bw.Blosc.NOSHUFFLE)):
        dec = c.decode(c.encode(data))
        assert type(dec) is bytes and dec == data.tobytes()
        assert c.decode(c.encode(b"")) == b""
    # Several zstd frames: more than the first header declares, decoded all the same.
    z = bw.Zstd()
    assert z.decode(z.encode(b"abc" * 1000) + z.encode(b"xyz" * 10)) == b"abc" * 1000 + b"xyz" * 10
    # A size prefix or header that does not fit the data is not trusted (no huge allocation first).
    with pytest.raises(errors.DecodeError):
        bw.LZ4().decode((1 << 30).to_bytes(4, "little") + bytes(8))
