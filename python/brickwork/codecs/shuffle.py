"""numcodecs' ``Shuffle``: the bytes of each item grouped by position (a flat ``uint8`` result),
in Rust (SIMD). Documented difference: an ``out`` smaller than the data is refused (numcodecs writes
past its end)."""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, ensure_contiguous_ndarray, register_codec
from ._util import decode_array, decode_new, encode_array

__all__ = ["Shuffle"]


class Shuffle(NativeCodec):
    """Byte shuffle of the whole buffer (a byte-matrix transpose), ``elementsize`` bytes per element."""

    codec_id = "shuffle"
    _config_keys = ("elementsize",)

    def __init__(self, elementsize=4):
        self.elementsize = elementsize

    def __repr__(self):
        return f"{type(self).__name__}(elementsize={self.elementsize})"

    def _into(self, result: np.ndarray, out):
        if out is None:
            return result
        target = ensure_contiguous_ndarray(out).reshape(-1, order="A")
        flat = target.view(np.uint8)
        if flat.nbytes < result.nbytes:
            raise ValueError(f"out has {flat.nbytes} bytes, the shuffled data needs {result.nbytes}")
        flat[: result.nbytes] = result
        return target

    def encode(self, buf, out=None):
        arr = ensure_contiguous_ndarray(buf)
        return self._into(encode_array(self, arr), out)

    def decode(self, buf, out=None):
        arr = ensure_contiguous_ndarray(buf)
        if out is None:  # numcodecs: a new flat uint8 array of the input's size
            return decode_new(self, arr, (arr.nbytes,), np.uint8)
        raw, _dtype, _shape, _order = decode_array(self, arr)
        return self._into(raw, out)


register_codec(Shuffle)
