"""numcodecs' ``FixedScaleOffset``: ``round((x - offset) * scale)`` stored as ``astype`` (1-D
results), in Rust."""
from __future__ import annotations

import numpy as np

from ._base import register_codec
from ._util import FlatTyped

__all__ = ["FixedScaleOffset"]


class FixedScaleOffset(FlatTyped):
    """``round((x - offset) * scale)`` stored as ``astype`` (default ``dtype``); decode ``x / scale +
    offset``."""

    codec_id = "fixedscaleoffset"
    _config_keys = ("scale", "offset", "dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, offset, scale, dtype, astype=None):
        self.offset = offset
        self.scale = scale
        self.dtype = np.dtype(dtype)
        self.astype = self.dtype if astype is None else np.dtype(astype)
        if self.dtype == np.dtype(object) or self.astype == np.dtype(object):
            raise ValueError("object arrays are not supported")

    def get_config(self):
        return {
            "id": self.codec_id,
            "scale": self.scale,
            "offset": self.offset,
            "dtype": self.dtype.str,
            "astype": self.astype.str,
        }

    def __repr__(self):
        r = f"{type(self).__name__}(scale={self.scale}, offset={self.offset}, dtype={self.dtype.str!r}"
        if self.astype != self.dtype:
            r += f", astype={self.astype.str!r}"
        return r + ")"


register_codec(FixedScaleOffset)
