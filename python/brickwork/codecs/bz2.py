"""numcodecs' ``BZ2``: a bzip2 stream."""
from __future__ import annotations

from ._base import NativeCodec, register_codec

__all__ = ["BZ2"]


class BZ2(NativeCodec):
    """bzip2 stream; level 1–9."""

    codec_id = "bz2"
    _raw_bytes = True
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"BZ2(level={self.level!r})"


register_codec(BZ2)
