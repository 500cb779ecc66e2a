"""numcodecs' ``Delta``: the first element, then differences of consecutive ones (1-D results), in
Rust. Documented difference: an empty array encodes to an empty array (numcodecs raises IndexError)."""
from __future__ import annotations

import numpy as np

from ._base import register_codec
from ._util import FlatTyped

__all__ = ["Delta"]


class Delta(FlatTyped):
    """First element, then differences of consecutive elements, computed in ``dtype``, stored as
    ``astype`` (default ``dtype``)."""

    codec_id = "delta"
    _config_keys = ("dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, dtype, astype=None):
        self.dtype = np.dtype(dtype)
        self.astype = self.dtype if astype is None else np.dtype(astype)
        if self.dtype == np.dtype(object) or self.astype == np.dtype(object):
            raise ValueError("object arrays are not supported")

    def get_config(self):
        return {"id": self.codec_id, "dtype": self.dtype.str, "astype": self.astype.str}

    def __repr__(self):
        r = f"{type(self).__name__}(dtype={self.dtype.str!r}"
        if self.astype != self.dtype:
            r += f", astype={self.astype.str!r}"
        return r + ")"


register_codec(Delta)
