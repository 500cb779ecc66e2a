"""numcodecs' Blosc: a Blosc 1.x chunk (shuffle or bit-shuffle, then blosclz/lz4/lz4hc/zlib/zstd), decoded
in Rust with every header field checked, encoded by c-blosc with no global state of c-blosc's.

Threads: numcodecs' Blosc runs with c-blosc's process-wide thread count (``numcodecs.blosc.get_nthreads()``
/ ``set_nthreads(n)``, by default ``min(8, os.cpu_count())``). For drop-in compatibility brickwork keeps
the same one piece of process-wide state here (``get_nthreads``/``set_nthreads``, public in
``brickwork.codecs.blosc``), read by every ``Blosc`` at encode/decode time. Unlike c-blosc's, it changes
only the speed: brickwork's bytes are those of one thread whatever the count (runs of whole blocks are
compressed in parallel and joined into the one-thread chunk), so they equal numcodecs' run with
``set_nthreads(1)``. The threads are brickwork's per-process pool, rebuilt in a forked child (numcodecs'
c-blosc pool hangs there).
"""
from __future__ import annotations

import os

from .. import _native
from ._base import NativeCodec, _config_json, register_codec

__all__ = ["Blosc"]

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
_SHUFFLE_NAMES = {NOSHUFFLE: "NOSHUFFLE", SHUFFLE: "SHUFFLE", BITSHUFFLE: "BITSHUFFLE", AUTOSHUFFLE: "AUTOSHUFFLE"}


class Blosc(NativeCodec):
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
        native = self.__dict__.get("_native_codec")
        if native is None or self.__dict__.get("_native_threads") != _nthreads:
            native = _native.NativeCodec(_config_json(self._native_config()), _nthreads)
            object.__setattr__(self, "_native_codec", native)
            object.__setattr__(self, "_native_threads", _nthreads)
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
