"""numcodecs' ``BitRound``: float mantissas rounded to ``keepbits`` bits (the input's shape and
layout kept), in Rust. Documented difference: big-endian floats are rounded too (numcodecs: KeyError)."""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, register_codec
from ._util import encode_array, ensure_ndarray, ndarray_copy, shaped

__all__ = ["BitRound", "max_bits"]

#: the mantissa bits of each float type (numcodecs' ``max_bits``)
max_bits = {"float16": 10, "float32": 23, "float64": 52}
_MANTISSA_BITS = {2: 10, 4: 23, 8: 52}


class BitRound(NativeCodec):
    """Rounds float mantissas to ``keepbits`` bits (ties to even); returns the integer view."""

    codec_id = "bitround"
    _config_keys = ("keepbits",)
    _decode_returns_bytes = False

    def __init__(self, keepbits: int):
        if keepbits < 0:
            raise ValueError("keepbits must be zero or positive")
        self.keepbits = keepbits

    def encode(self, buf):
        a = ensure_ndarray(buf)
        if not a.dtype.kind == "f" or a.dtype.itemsize > 8:
            raise TypeError("Only float arrays (16-64bit) can be bit-rounded")
        if self.keepbits == _MANTISSA_BITS[a.dtype.itemsize]:
            return a
        if not a.flags.c_contiguous:
            a = a.copy()  # numcodecs rounds a C-ordered copy
        int_dtype = np.dtype(a.dtype.str.replace("f", "i"))
        return shaped(encode_array(self, a), int_dtype, a.shape)

    def decode(self, buf, out=None):
        # numcodecs re-views the integers as the float type of the same width; the bytes do not change.
        buf = ensure_ndarray(buf)
        data = buf.view(np.dtype(buf.dtype.str.replace("i", "f")))
        return ndarray_copy(data, out)


register_codec(BitRound)
