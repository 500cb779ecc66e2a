"""numcodecs' ``Zlib``: a zlib stream (``zlib.compress``), compressed in Rust (system zlib, as
Python's), decompressed with ``zlib-rs``."""
from __future__ import annotations

from ._base import NativeCodec, register_codec

__all__ = ["Zlib"]


class Zlib(NativeCodec):
    """zlib stream (``zlib.compress``); level -1 or 0–9."""

    codec_id = "zlib"
    _raw_bytes = True
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"Zlib(level={self.level!r})"


register_codec(Zlib)
