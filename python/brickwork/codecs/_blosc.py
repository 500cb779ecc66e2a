"""numcodecs' Blosc: a Blosc 1.x chunk (shuffle or bit-shuffle, then blosclz/lz4/lz4hc/zlib/zstd), decoded
in Rust with every header field checked, encoded by c-blosc with no global state."""
from __future__ import annotations

from ._base import NativeCodec, register_codec

__all__ = ["Blosc"]

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

    def _native_config(self) -> dict:
        config = self.get_config()
        if self._typesize is not None:
            config["typesize"] = self._typesize
        return config

    def __repr__(self):
        shuffle = _SHUFFLE_NAMES.get(self.shuffle, repr(self.shuffle))
        return f"Blosc(cname={self.cname!r}, clevel={self.clevel!r}, shuffle={shuffle}, blocksize={self.blocksize!r})"


register_codec(Blosc)
