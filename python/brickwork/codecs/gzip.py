"""numcodecs' ``GZip``: one gzip member (``gzip.GzipFile``); brickwork writes MTIME 0, so the same
input gives the same bytes."""
from __future__ import annotations

from ._base import NativeCodec, register_codec

__all__ = ["GZip"]


class GZip(NativeCodec):
    """gzip member (``gzip.GzipFile``); level -1 or 0–9. brickwork writes MTIME 0 (reproducible)."""

    codec_id = "gzip"
    _raw_bytes = True
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"GZip(level={self.level!r})"


register_codec(GZip)
