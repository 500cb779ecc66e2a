"""numcodecs' ``Quantize``: floats rounded to ``digits`` decimal digits of precision (the input's
shape and layout kept), in Rust."""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, register_codec
from ._util import contiguous, decode_as, encode_array, ensure_ndarray, ndarray_copy, order_of, shaped

__all__ = ["Quantize"]


class Quantize(NativeCodec):
    """Rounds floats to ``digits`` decimal digits on a power-of-two grid; keeps shape and layout."""

    codec_id = "quantize"
    _config_keys = ("digits", "dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, digits, dtype, astype=None):
        self.digits = digits
        self.dtype = np.dtype(dtype)
        self.astype = self.dtype if astype is None else np.dtype(astype)
        if self.dtype.kind != "f" or self.astype.kind != "f":
            raise ValueError("only floating point data types are supported")

    def get_config(self):
        return {"id": self.codec_id, "digits": self.digits, "dtype": self.dtype.str, "astype": self.astype.str}

    def __repr__(self):
        r = f"{type(self).__name__}(digits={self.digits}, dtype={self.dtype.str!r}"
        if self.astype != self.dtype:
            r += f", astype={self.astype.str!r}"
        return r + ")"

    def encode(self, buf):
        arr = contiguous(ensure_ndarray(buf).view(self.dtype))
        enc = shaped(encode_array(self, arr), self.astype, arr.shape, order_of(arr))
        return enc[()] if arr.ndim == 0 else enc  # NumPy arithmetic on a 0-d array gives a scalar

    def decode(self, buf, out=None):
        if self.astype == self.dtype:
            # numcodecs: ``.astype(dtype, copy=False)`` of the same dtype is the input itself (a no-op).
            return ndarray_copy(ensure_ndarray(buf).view(self.astype), out)
        return decode_as(self, contiguous(ensure_ndarray(buf).view(self.astype)), self.dtype, out)


register_codec(Quantize)
