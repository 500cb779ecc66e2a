"""numcodecs' ``AsType``: a cast between ``encode_dtype`` and ``decode_dtype`` (the input's shape and
layout kept), in Rust."""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, register_codec
from ._util import contiguous, decode_as, encode_array, ensure_ndarray, order_of, shaped

__all__ = ["AsType"]


class AsType(NativeCodec):
    """A dtype conversion: encode casts ``decode_dtype`` data to ``encode_dtype``; keeps shape and layout."""

    codec_id = "astype"
    _config_keys = ("encode_dtype", "decode_dtype")
    _decode_returns_bytes = False

    def __init__(self, encode_dtype, decode_dtype):
        self.encode_dtype = np.dtype(encode_dtype)
        self.decode_dtype = np.dtype(decode_dtype)

    def get_config(self):
        return {
            "id": self.codec_id,
            "encode_dtype": self.encode_dtype.str,
            "decode_dtype": self.decode_dtype.str,
        }

    def __repr__(self):
        return (
            f"{type(self).__name__}(encode_dtype={self.encode_dtype.str!r}, "
            f"decode_dtype={self.decode_dtype.str!r})"
        )

    def encode(self, buf):
        arr = contiguous(ensure_ndarray(buf).view(self.decode_dtype))
        return shaped(encode_array(self, arr), self.encode_dtype, arr.shape, order_of(arr))

    def decode(self, buf, out=None):
        return decode_as(self, contiguous(ensure_ndarray(buf).view(self.encode_dtype)), self.decode_dtype, out)


register_codec(AsType)
