"""``brickwork.codecs.blosc``: numcodecs' Blosc and the rest of the ``numcodecs.blosc`` module.

``Blosc`` reads and writes Blosc 1.x chunks (shuffle or bit-shuffle, then blosclz/lz4/lz4hc/zlib/zstd):
decoded in Rust with every header field checked, encoded by c-blosc with none of c-blosc's global state.
The module functions are numcodecs' (``compress``, ``decompress``, ``list_compressors``,
``cbuffer_complib``, and ``cbuffer_sizes``/``cbuffer_metainfo``, which numcodecs 0.15 had and zarr-python
2 imports), with its constants, so ``from numcodecs import blosc`` becomes ``from brickwork.codecs import
blosc``. Where numcodecs' C reads a header it was not given (``cbuffer_*`` of a short buffer), these
raise ``ValueError``.

Threads: numcodecs' Blosc runs with c-blosc's process-wide thread count (``numcodecs.blosc.get_nthreads()``
/ ``set_nthreads(n)``, by default ``min(8, os.cpu_count())``). For drop-in compatibility brickwork keeps
the same one piece of process-wide state here (``get_nthreads``/``set_nthreads``, and ``use_threads =
False`` for one thread), read by every ``Blosc`` at encode/decode time. Unlike c-blosc's, it changes
only the speed: brickwork's bytes are those of one thread whatever the count (runs of whole blocks are
compressed in parallel and joined into the one-thread chunk), so they equal numcodecs' run with
``set_nthreads(1)``. The threads are brickwork's per-process pool, rebuilt in a forked child (numcodecs'
c-blosc pool hangs there), and any thread may use them (numcodecs' ``use_threads = None`` means threads
only from the main thread, because c-blosc's are global; brickwork's need no such rule).
"""
from __future__ import annotations

import os
from typing import Any

from .. import _native
from ._base import BufferCapped, NativeCodec, _config_json, ensure_contiguous_ndarray, register_codec

__all__ = [
    "AUTOBLOCKS",
    "AUTOSHUFFLE",
    "BITSHUFFLE",
    "MAX_BUFFERSIZE",
    "MAX_OVERHEAD",
    "MAX_THREADS",
    "MAX_TYPESIZE",
    "NOSHUFFLE",
    "SHUFFLE",
    "VERSION_DATE",
    "VERSION_STRING",
    "Blosc",
    "cbuffer_complib",
    "cbuffer_metainfo",
    "cbuffer_sizes",
    "compress",
    "decompress",
    "get_nthreads",
    "list_compressors",
    "set_nthreads",
    "use_threads",
]

#: numcodecs' ``blosc.use_threads``: ``False`` makes every Blosc call use one thread; ``None`` (the
#: default) and ``True`` use ``get_nthreads()`` threads from any thread.
use_threads: bool | None = None

_nthreads = min(8, os.cpu_count() or 1)


def get_nthreads() -> int:
    """The number of threads every Blosc encode/decode may use (numcodecs' ``blosc.get_nthreads()``)."""
    return _nthreads


def set_nthreads(nthreads: int) -> int:
    """Sets the number of threads Blosc uses (at least 1) and returns the previous one, as numcodecs'
    ``blosc.set_nthreads``."""
    global _nthreads
    nthreads = int(nthreads)
    if nthreads < 1:
        raise ValueError(f"nthreads must be at least 1, got {nthreads}")
    previous, _nthreads = _nthreads, nthreads
    return previous

NOSHUFFLE = 0
SHUFFLE = 1
BITSHUFFLE = 2
AUTOSHUFFLE = -1
AUTOBLOCKS = 0
MAX_OVERHEAD = 16
MAX_BUFFERSIZE = 2**31 - 1 - MAX_OVERHEAD
MAX_TYPESIZE = 255
MAX_THREADS = 256
#: The c-blosc release that encodes (decoding is brickwork's own).
VERSION_STRING = "1.21.6"
VERSION_DATE = "$Date:: 2024-06-24 #$"  # c-blosc 1.21.6's BLOSC_VERSION_DATE
_SHUFFLE_NAMES = {NOSHUFFLE: "NOSHUFFLE", SHUFFLE: "SHUFFLE", BITSHUFFLE: "BITSHUFFLE", AUTOSHUFFLE: "AUTOSHUFFLE"}


class Blosc(BufferCapped, NativeCodec):
    """``Blosc(cname='lz4', clevel=5, shuffle=SHUFFLE, blocksize=0, typesize=None)`` as numcodecs.

    ``typesize`` is constructor-only (never in ``get_config``); by default the item size of the input.
    """

    codec_id = "blosc"
    _raw_bytes = True
    _config_keys = ("cname", "clevel", "shuffle", "blocksize")
    NOSHUFFLE = NOSHUFFLE
    SHUFFLE = SHUFFLE
    BITSHUFFLE = BITSHUFFLE
    AUTOSHUFFLE = AUTOSHUFFLE
    max_buffer_size = 2**31 - 1

    def __init__(self, cname="lz4", clevel=5, shuffle=SHUFFLE, blocksize=0, typesize=None):
        if isinstance(cname, bytes):
            cname = cname.decode("ascii")
        if typesize is not None and typesize < 1:
            raise ValueError(f"Cannot use typesize {typesize} less than 1")
        self.cname = cname
        self.clevel = clevel
        self.shuffle = shuffle
        self.blocksize = blocksize
        self._typesize = typesize

    @property
    def _codec(self) -> "_native.NativeCodec":
        # Rebuilt when the process-wide thread count changed since it was built.
        threads = 1 if use_threads is False else _nthreads
        native = self.__dict__.get("_native_codec")
        if native is None or self.__dict__.get("_native_threads") != threads:
            native = _native.NativeCodec(_config_json(self._native_config()), threads)
            object.__setattr__(self, "_native_codec", native)
            object.__setattr__(self, "_native_threads", threads)
        return native

    def _native_config(self) -> dict:
        config = self.get_config()
        if self._typesize is not None:
            config["typesize"] = self._typesize
        return config

    def __repr__(self):
        shuffle = _SHUFFLE_NAMES.get(self.shuffle, repr(self.shuffle))
        return f"Blosc(cname={self.cname!r}, clevel={self.clevel!r}, shuffle={shuffle}, blocksize={self.blocksize!r})"


register_codec(Blosc)


_CNAMES = ("blosclz", "lz4", "lz4hc", "zlib", "zstd")
# The compressor library code in bits 5-7 of a header's flags byte, named as c-blosc's
# blosc_cbuffer_complib names it (lz4hc streams are "LZ4").
_COMPLIBS = {0: "BloscLZ", 1: "LZ4", 2: "Snappy", 3: "Zlib", 4: "Zstd"}


def list_compressors() -> list[str]:
    """The ``cname`` values ``compress`` and ``Blosc`` accept (numcodecs' ``blosc.list_compressors()``)."""
    return list(_CNAMES)


def compress(source: Any, cname, clevel: int, shuffle: int = SHUFFLE, blocksize: int = AUTOBLOCKS,
             typesize: int | None = None) -> bytes:
    """numcodecs' ``blosc.compress``: ``source`` (any contiguous buffer) as one Blosc chunk. ``cname`` is
    bytes as numcodecs takes it (``b"lz4"``), or str; ``typesize`` defaults to the buffer's item size."""
    name = cname.decode("ascii", "replace") if isinstance(cname, (bytes, bytearray)) else cname
    if name not in _CNAMES:
        raise ValueError(f"bad compressor or compressor not supported: {name!r}; expected one of {list(_CNAMES)}")
    return Blosc(name, clevel, shuffle, blocksize, typesize).encode(source)


def decompress(source: Any, dest: Any = None):
    """numcodecs' ``blosc.decompress``: the chunk's data as ``bytes``, or written into ``dest`` (any
    writable contiguous buffer of at least the decoded size), which is returned."""
    return Blosc().decode(source, dest)


def _header(source: Any) -> bytes:
    raw = ensure_contiguous_ndarray(source).reshape(-1, order="A").view("u1")
    if raw.size < MAX_OVERHEAD:
        raise ValueError(f"not a Blosc chunk: {raw.size} bytes, fewer than its {MAX_OVERHEAD}-byte header")
    return raw[:MAX_OVERHEAD].tobytes()


def cbuffer_sizes(source: Any) -> tuple[int, int, int]:
    """``(nbytes, cbytes, blocksize)`` as the chunk's header states them (not checked against the data)."""
    head = _header(source)
    return tuple(int.from_bytes(head[at : at + 4], "little") for at in (4, 12, 8))


def cbuffer_complib(source: Any) -> str:
    """The name of the library that compressed the chunk: ``"BloscLZ"``, ``"LZ4"``, ``"Zlib"``, ``"Zstd"``
    (or ``"Snappy"``, which brickwork cannot decode)."""
    code = _header(source)[2] >> 5
    if code not in _COMPLIBS:
        raise ValueError(f"unknown compressor code {code} in the Blosc header (known: {sorted(_COMPLIBS)})")
    return _COMPLIBS[code]


def cbuffer_metainfo(source: Any) -> tuple[int, int, int]:
    """``(typesize, shuffle, memcpyed)`` from the header, as numcodecs 0.15 returned them: shuffle is
    ``SHUFFLE``, ``BITSHUFFLE`` or ``NOSHUFFLE``; memcpyed is the flag bit itself (2, or 0)."""
    head = _header(source)
    flags = head[2]
    shuffle = SHUFFLE if flags & 0x1 else BITSHUFFLE if flags & 0x4 else NOSHUFFLE
    return head[3], shuffle, flags & 0x2
