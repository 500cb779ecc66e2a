"""numcodecs' ``Categorize``: values (strings) replaced by their 1-based index among ``labels`` (1-D
results), in Rust."""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, register_codec
from ._util import (
    decode_any,
    decode_array,
    decode_into_out,
    encode_array,
    encode_objects,
    ensure_ndarray,
    ensure_text,
    flat,
    ndarray_copy,
    shaped,
)

__all__ = ["Categorize"]


class Categorize(NativeCodec):
    """Strings (``U`` or object arrays) replaced by the 1-based index of their label, stored as
    ``astype``."""

    codec_id = "categorize"
    _config_keys = ("labels", "dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, labels, dtype, astype="u1"):
        self.dtype = np.dtype(dtype)
        if self.dtype.kind not in "UO":
            raise TypeError("only unicode ('U') and object ('O') dtypes are supported")
        self.labels = [ensure_text(label) for label in labels]
        self.astype = np.dtype(astype)
        if self.astype == np.dtype(object):
            raise TypeError("encoding as object array not supported")

    def get_config(self):
        return {"id": self.codec_id, "labels": self.labels, "dtype": self.dtype.str, "astype": self.astype.str}

    def __repr__(self):
        labels = repr(self.labels[:3])
        if len(self.labels) > 3:
            labels = labels[:-1] + ", ...]"
        return f"{type(self).__name__}(dtype={self.dtype.str!r}, astype={self.astype.str!r}, labels={labels})"

    def encode(self, buf):
        if self.dtype == np.dtype(object):
            encoded = encode_objects(self, np.asarray(buf, dtype=object))
            return np.frombuffer(encoded, dtype=self.astype).copy()
        arr = flat(ensure_ndarray(buf).view(self.dtype))
        return encode_array(self, arr).view(self.astype)

    def decode(self, buf, out=None):
        enc = flat(ensure_ndarray(buf).view(self.astype))
        if self.dtype == np.dtype(object):
            dec = decode_any(self, enc)
        elif out is not None and decode_into_out(self, enc, enc.shape, self.dtype, out):
            return out
        else:
            raw, dtype, shape, _order = decode_array(self, enc)
            dec = shaped(raw, dtype, shape)
        return ndarray_copy(dec, out)


register_codec(Categorize)
