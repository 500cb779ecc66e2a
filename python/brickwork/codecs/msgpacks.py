"""numcodecs' ``MsgPack`` (``msgpack2``): an array as msgpack of its items, dtype and shape, in Rust
(as ``msgpack`` packs them, ``bytes`` included)."""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, register_codec
from ._util import decode_any, encode_any

__all__ = ["MsgPack"]


class MsgPack(NativeCodec):
    """An array as MessagePack ``[items..., dtype.str, shape]``, byte-identical to numcodecs' ``msgpack2``."""

    codec_id = "msgpack2"
    _config_keys = ("raw", "use_single_float", "use_bin_type")

    def __init__(self, use_single_float=False, use_bin_type=True, raw=False):
        self.use_single_float = use_single_float
        self.use_bin_type = use_bin_type
        self.raw = raw

    def __repr__(self):
        return (
            f"MsgPack(raw={self.raw!r}, use_bin_type={self.use_bin_type!r}, "
            f"use_single_float={self.use_single_float!r})"
        )

    def encode(self, buf):
        return encode_any(self, buf)

    def decode(self, buf, out=None):
        dec = decode_any(self, buf)
        if out is not None:
            np.copyto(out, dec)
            return out
        return dec


register_codec(MsgPack)
