"""The package around the codecs: exception classes, the decode limit from the environment, the Codec base
without numcodecs, pickling, attribute parity with numcodecs, odd dtypes, ``out`` layouts, the GIL.

numcodecs (the real PyPI package) is the reference wherever it defines the behaviour.
"""
from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import threading
import time

import numcodecs
import numpy as np
import pytest

import brickwork
import brickwork.codecs as bw
from brickwork import _native, errors

CLASSES = ["Zlib", "GZip", "BZ2", "LZMA", "Zstd", "LZ4", "Blosc"]


def _run(code: str, **env) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter (same venv) with extra environment variables."""
    import os

    full_env = dict(os.environ)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_exception_classes_derive_from_what_numcodecs_raises():
    assert issubclass(errors.UnknownCodecError, ValueError)
    assert issubclass(errors.ConfigKeyError, TypeError)
    assert issubclass(errors.InvalidConfigError, ValueError)
    assert issubclass(errors.InvalidInputError, ValueError)
    for cls in (errors.DecodeError, errors.ChecksumError, errors.LimitError):
        assert issubclass(cls, RuntimeError) and issubclass(cls, ValueError)
    assert issubclass(errors.LimitError, MemoryError)
    assert issubclass(errors.OutputSizeError, ValueError)
    assert issubclass(errors.InternalError, RuntimeError)
    for name in dir(errors):
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == errors.__name__:
            assert issubclass(obj, errors.BrickworkError)


def test_invalid_config_values_raise_value_error_at_use():
    # numcodecs accepts any value in the constructor and fails on first use; so does brickwork.
    with pytest.raises(ValueError):
        bw.BZ2(level=0).encode(b"abc")
    with pytest.raises(ValueError):
        numcodecs.BZ2(level=0).encode(b"abc")
    with pytest.raises(errors.InvalidConfigError):
        bw.Zlib(level=42).encode(b"abc")
    with pytest.raises(errors.InvalidConfigError):
        bw.LZMA(format=0).encode(b"abc")


def test_native_registry_lists_every_class():
    ids = set(_native.codec_ids())
    for name in CLASSES:
        assert getattr(bw, name).codec_id in ids
    for codec_id in bw.codec_registry:
        assert codec_id in ids, codec_id


@pytest.mark.parametrize("name", CLASSES)
def test_public_attributes_match_numcodecs(name):
    ours, theirs = getattr(bw, name), getattr(numcodecs, name)
    public = lambda cls: {k for k in dir(cls) if not k.startswith("_")}  # noqa: E731
    assert public(ours) == public(theirs)
    for attr in ("max_buffer_size", "NOSHUFFLE", "SHUFFLE", "BITSHUFFLE", "AUTOSHUFFLE"):
        if hasattr(theirs, attr):
            assert getattr(ours, attr) == getattr(theirs, attr), attr


@pytest.mark.parametrize("name", CLASSES)
def test_pickle_round_trip(name):
    codec = getattr(bw, name)()
    data = np.arange(5000, dtype="<i4")
    before = codec.encode(data)
    copy = pickle.loads(pickle.dumps(codec))
    assert copy == codec and type(copy) is type(codec)
    assert bytes(copy.decode(before)) == data.tobytes()


@pytest.mark.parametrize(
    "dtype",
    ["<f16" if np.dtype("longdouble").itemsize == 16 else "<f8", [("a", "<i4"), ("b", "<f8")], "|V7", "|S3", "<U4",
     "|b1", "<c16", "<f2", ">i4", "<M8[D]", "<m8[s]"],
    ids=str,
)
@pytest.mark.parametrize("name", ["Zlib", "Zstd", "LZ4", "Blosc"])
def test_any_dtype_is_read_as_its_memory(name, dtype):
    arr = np.zeros(257, dtype=dtype)
    arr.view(np.uint8)[:] = np.arange(arr.nbytes, dtype=np.uint64).astype(np.uint8) // 3
    ours, theirs = getattr(bw, name)(), getattr(numcodecs, name)()
    enc = ours.encode(arr)
    assert bytes(theirs.decode(enc)) == arr.tobytes()
    assert bytes(ours.decode(theirs.encode(arr))) == arr.tobytes()
    if name != "Blosc":  # Blosc's bytes depend on the c-blosc version; the item size is what must agree
        assert enc == theirs.encode(arr)
    else:
        assert enc[3] == theirs.encode(arr)[3] == min(arr.dtype.itemsize, 255)  # header byte 3: typesize


@pytest.mark.parametrize("name", ["Zlib", "GZip", "BZ2", "LZMA", "Zstd", "LZ4"])
def test_out_keeps_memory_order(name):
    data = np.asfortranarray(np.arange(600, dtype="<f8").reshape(20, 30))
    enc = getattr(numcodecs, name)().encode(data)
    ours = np.zeros((20, 30), dtype="<f8", order="F")
    theirs = np.zeros((20, 30), dtype="<f8", order="F")
    getattr(bw, name)().decode(enc, out=ours)
    getattr(numcodecs, name)().decode(enc, out=theirs)
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(ours, data)
    # A bytearray out is filled in place.
    target = bytearray(data.nbytes)
    getattr(bw, name)().decode(enc, out=target)
    assert bytes(target) == data.tobytes(order="A")


def test_lzma_xz_with_filters_decodes_in_brickwork():
    # numcodecs encodes XZ with an explicit filter chain but refuses to decode it (spec §2.7); brickwork
    # decodes it (the chain is stored in the XZ block header), documented as more lenient.
    config = {"format": 1, "filters": [{"id": 3, "dist": 2}, {"id": 33, "preset": 1}]}
    payload = bytes(range(256)) * 40
    enc_theirs = numcodecs.LZMA(**config).encode(payload)
    with pytest.raises(ValueError, match="FORMAT_RAW"):
        numcodecs.LZMA(**config).decode(enc_theirs)
    assert bw.LZMA(**config).decode(enc_theirs) == payload
    assert bw.LZMA(**config).encode(payload) == enc_theirs
    assert bw.LZMA().decode(enc_theirs) == payload == numcodecs.LZMA().decode(enc_theirs)


def test_max_decoded_bytes_argument():
    enc = bw.Zlib().encode(bytes(1000))
    assert bw.Zlib().decode(enc, max_decoded_bytes=1000) == bytes(1000)
    with pytest.raises(errors.LimitError):
        bw.Zlib().decode(enc, max_decoded_bytes=999)
    with pytest.raises(ValueError, match="negative"):
        bw.Zlib().decode(enc, max_decoded_bytes=-1)
    assert bw.Zlib().decode(bw.Zlib().encode(b""), max_decoded_bytes=0) == b""
    # With out, out's size is the bound and the keyword is not needed.
    out = bytearray(1000)
    bw.Zlib().decode(enc, out=out)
    assert bytes(out) == bytes(1000)
    assert bw.MAX_DECODED_BYTES == _native.default_max_decoded_bytes()


def test_max_decoded_bytes_from_the_environment():
    code = """
        import brickwork.codecs as bw
        from brickwork import errors
        assert bw.MAX_DECODED_BYTES == 4096, bw.MAX_DECODED_BYTES
        enc = bw.Zstd().encode(bytes(5000))
        try:
            bw.Zstd().decode(enc)
        except errors.LimitError:
            pass
        else:
            raise SystemExit("the environment limit was not applied")
        assert bw.Zstd().decode(enc, max_decoded_bytes=5000) == bytes(5000)
        print("ok")
    """
    done = _run(code, BRICKWORK_MAX_DECODED_BYTES="4096")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    bad = _run("import brickwork.codecs", BRICKWORK_MAX_DECODED_BYTES="lots")
    assert bad.returncode != 0 and "BRICKWORK_MAX_DECODED_BYTES" in bad.stderr


def test_works_without_numcodecs():
    code = """
        import sys
        sys.modules["numcodecs"] = None  # make `import numcodecs` fail
        import numpy as np
        import brickwork.codecs as bw
        assert not any(c.__module__.startswith("numcodecs") for c in bw.Zlib.__mro__)
        z = bw.get_codec({"id": "zstd", "level": 5})
        assert type(z) is bw.Zstd and repr(z) == "Zstd(level=5)", repr(z)
        assert z.get_config() == {"id": "zstd", "level": 5, "checksum": False}
        assert z == bw.Zstd.from_config({"level": 5}) and z != bw.Zstd(level=6) and z != "zstd"
        assert repr(bw.LZMA()) == "LZMA(format=1, check=-1, preset=None, filters=None)"
        a = np.arange(1000.0)
        assert (np.frombuffer(z.decode(z.encode(a)), "<f8") == a).all()
        try:
            hash(z)
        except TypeError:
            pass
        else:
            raise SystemExit("codecs must be unhashable, as in numcodecs")
        print("ok")
    """
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def _longest_stall_while(fn) -> tuple[float, float]:
    """Runs ``fn`` in a thread while this thread spins; returns (longest gap between two spins, fn's time).

    Timing starts before the thread does, so a call that keeps the GIL shows up as one gap as long as
    the call itself (checked with a ctypes call that holds the GIL in the test below).
    """
    took = []

    def work():
        t0 = time.perf_counter()
        fn()
        took.append(time.perf_counter() - t0)

    worker = threading.Thread(target=work)
    last = time.perf_counter()
    longest = 0.0
    worker.start()
    while worker.is_alive():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    assert took, "the worker failed"
    return longest, took[0]


def test_the_gil_is_released_while_a_codec_runs():
    import ctypes

    # The probe itself: a foreign call that keeps the GIL must be caught by it.
    holds_gil = ctypes.PyDLL(None).usleep
    longest, took = _longest_stall_while(lambda: holds_gil(300_000))
    assert longest > took / 2, "the stall probe cannot see a held GIL"
    # brickwork's codecs: the other thread keeps running while they work.
    data = np.random.default_rng(1).integers(0, 64, size=6 << 20, dtype=np.uint8)
    enc = bw.BZ2(9).encode(data)
    for call in (lambda: bw.BZ2(9).encode(data), lambda: bw.BZ2(9).decode(enc)):
        longest, took = _longest_stall_while(call)
        assert took > 0.05, "the call was too short to tell"
        assert longest < took / 2, (longest, took)


def test_package_metadata():
    assert isinstance(brickwork.__version__, str) and brickwork.__version__
    assert brickwork.codecs is bw


#: numcodecs module names brickwork.codecs' module of the same name does not have, and why
NOT_OFFERED_IN_MODULES = {
    ("pickles", "ALLOW_UNSAFE_PICKLE_DECODE"): "brickwork has no pickle codec at all",
    ("registry", "entries"): "numcodecs' entry-point plugins: brickwork's registry holds its own classes",
    ("registry", "run_entrypoints"): "as entries",
    ("vlen", "check_out_param"): "a helper of numcodecs' Cython decoders",
}
NUMCODECS_MODULES = ["abc", "astype", "base64", "bitround", "blosc", "bz2", "categorize", "checksum32", "compat",
                     "delta", "fixedscaleoffset", "fletcher32", "gzip", "jenkins", "json", "lz4", "lzma",
                     "msgpacks", "packbits", "pcodec", "pickles", "quantize", "registry", "shuffle", "vlen",
                     "zfpy", "zlib", "zstd"]


@pytest.mark.parametrize("module", NUMCODECS_MODULES)
def test_numcodecs_modules_name_by_name(module):
    """``from numcodecs.<module> import <name>`` works as ``from brickwork.codecs.<module> import <name>``
    for every public name numcodecs' module defines (its ``__all__``, else what it defines itself), and a
    codec class is brickwork's class of the same codec id, living in that module."""
    import importlib
    import inspect

    theirs = importlib.import_module(f"numcodecs.{module}")
    ours = importlib.import_module(f"brickwork.codecs.{module}")
    names = getattr(theirs, "__all__", None) or [
        n for n, v in vars(theirs).items() if not n.startswith("_") and not inspect.ismodule(v)
        and getattr(v, "__module__", theirs.__name__) == theirs.__name__]
    missing = [n for n in names if not hasattr(ours, n) and (module, n) not in NOT_OFFERED_IN_MODULES]
    assert missing == []
    for name in names:
        cls = getattr(theirs, name)
        if isinstance(cls, type) and isinstance(getattr(cls, "codec_id", None), str) and hasattr(ours, name):
            assert getattr(ours, name).codec_id == cls.codec_id
            assert getattr(ours, name).__module__ == f"brickwork.codecs.{module}"


def test_compat_helpers_as_numcodecs():
    from numcodecs import compat as theirs

    from brickwork.codecs import compat as ours

    a = np.arange(12, dtype="<i4").reshape(3, 4)
    for f in ("ensure_ndarray", "ensure_contiguous_ndarray", "ensure_bytes"):
        for buf in (a, a.T, b"abcd", bytearray(b"xy"), memoryview(b"1234"), np.datetime64("2020", "ns")[None]):
            np.testing.assert_array_equal(getattr(ours, f)(buf), getattr(theirs, f)(buf))
    assert ours.ensure_contiguous_ndarray(a, flatten=False).shape == (3, 4)
    for f in (ours, theirs):
        with pytest.raises(ValueError, match="contiguous"):
            f.ensure_contiguous_ndarray(a[:, ::2])
        with pytest.raises(ValueError, match="does not support buffers of > 8 bytes"):
            f.ensure_contiguous_ndarray(a, max_buffer_size=8)
        with pytest.raises(TypeError):
            f.ensure_contiguous_ndarray(np.array(["x"], dtype=object))
    assert ours.ensure_text(b"caf\xc3\xa9") == theirs.ensure_text(b"caf\xc3\xa9") == "café"
    out = np.zeros(4, "<i4")
    assert ours.ndarray_copy(np.arange(4, dtype="<i4"), out) is out and out.tolist() == [0, 1, 2, 3]
    assert bw.checksum32.crc32c_checksum(b"abc", 5) == numcodecs.checksum32.crc32c_checksum(b"abc", 5)
    assert bw.registry.get_codec({"id": "zlib"}) == bw.Zlib()
    assert issubclass(bw.Zlib, bw.abc.Codec)
    with pytest.raises(ValueError, match="pickle"):
        bw.pickles.Pickle()
        vars(bw).pop("ProbeZlib", None)
        sys.modules.pop("brickwork.codecs._zz_probe_kind", None)


def test_every_registered_class_is_exported():
    for codec_id, cls in bw.codec_registry.items():
        assert getattr(bw, cls.__name__) is cls, codec_id
        assert cls.__name__ in bw.__all__
