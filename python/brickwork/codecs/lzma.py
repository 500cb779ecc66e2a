"""numcodecs' ``LZMA``: xz, lzma-alone and raw LZMA streams with optional filter chains, as Python's
``lzma`` module makes them."""
from __future__ import annotations

from ._base import NativeCodec, register_codec

__all__ = ["LZMA"]


class LZMA(NativeCodec):
    """xz / lzma-alone / raw LZMA streams with optional filter chains, as Python's ``lzma`` module."""

    codec_id = "lzma"
    _raw_bytes = True
    _config_keys = ("format", "check", "preset", "filters")

    def __init__(self, format=1, check=-1, preset=None, filters=None):
        self.format = format
        self.check = check
        self.preset = preset
        self.filters = filters

    def __repr__(self):
        return (
            f"LZMA(format={self.format!r}, check={self.check!r}, preset={self.preset!r}, "
            f"filters={self.filters!r})"
        )


register_codec(LZMA)
