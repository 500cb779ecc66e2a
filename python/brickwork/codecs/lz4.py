"""``brickwork.codecs.lz4``: the ``numcodecs.lz4`` module surface, so ``from numcodecs import lz4`` becomes
``from brickwork.codecs import lz4``: ``LZ4``, ``compress(source, acceleration=DEFAULT_ACCELERATION)``,
``decompress(source, dest=None)`` and the constants (``VERSION_STRING`` is the liblz4 brickwork links).
"""
from __future__ import annotations

from typing import Any

from ._base import BufferCapped, NativeCodec, register_codec

__all__ = ["DEFAULT_ACCELERATION", "LZ4", "VERSION_STRING", "compress", "decompress"]

DEFAULT_ACCELERATION = 1
VERSION_STRING = "1.10.0"


def compress(source: Any, acceleration: int = DEFAULT_ACCELERATION) -> bytes:
    """numcodecs' ``lz4.compress``: ``source`` (any contiguous buffer) with its 4-byte size prefix."""
    return LZ4(acceleration=acceleration).encode(source)


def decompress(source: Any, dest: Any = None):
    """numcodecs' ``lz4.decompress``: the data as ``bytes``, or written into ``dest``, which is returned."""
    return LZ4().decode(source, dest)


class LZ4(BufferCapped, NativeCodec):
    """An LZ4 block behind a 4-byte little-endian size prefix."""

    codec_id = "lz4"
    _raw_bytes = True
    _config_keys = ("acceleration",)
    max_buffer_size = 0x7E000000

    def __init__(self, acceleration=1):
        self.acceleration = acceleration

    def __repr__(self):
        return f"LZ4(acceleration={self.acceleration!r})"


register_codec(LZ4)
