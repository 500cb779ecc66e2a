"""``brickwork.codecs.zstd``: the ``numcodecs.zstd`` module surface, so ``from numcodecs import zstd``
becomes ``from brickwork.codecs import zstd``: ``Zstd``, ``compress(source, level=DEFAULT_CLEVEL,
checksum=False)``, ``decompress(source, dest=None)`` and the constants. The version numbers are those of
the libzstd brickwork links (the same release as numcodecs 0.17's, which is why their bytes are equal).
"""
from __future__ import annotations

from typing import Any

from ._base import NativeCodec, register_codec

__all__ = [
    "DEFAULT_CLEVEL",
    "MAJOR_VERSION_NUMBER",
    "MAX_CLEVEL",
    "MICRO_VERSION_NUMBER",
    "MINOR_VERSION_NUMBER",
    "VERSION_NUMBER",
    "Zstd",
    "compress",
    "decompress",
]

DEFAULT_CLEVEL = 0
MAX_CLEVEL = 22
MAJOR_VERSION_NUMBER, MINOR_VERSION_NUMBER, MICRO_VERSION_NUMBER = 1, 5, 6
VERSION_NUMBER = MAJOR_VERSION_NUMBER * 10000 + MINOR_VERSION_NUMBER * 100 + MICRO_VERSION_NUMBER


def compress(source: Any, level: int = DEFAULT_CLEVEL, checksum: bool = False) -> bytes:
    """numcodecs' ``zstd.compress``: ``source`` (any contiguous buffer) as one Zstandard frame."""
    return Zstd(level=level, checksum=checksum).encode(source)


def decompress(source: Any, dest: Any = None):
    """numcodecs' ``zstd.decompress``: the data as ``bytes``, or written into ``dest``, which is returned."""
    return Zstd().decode(source, dest)


class Zstd(NativeCodec):
    """One Zstandard frame with its content size; level 0 = default (3), optional content checksum."""

    codec_id = "zstd"
    _raw_bytes = True
    _config_keys = ("level", "checksum")

    def __init__(self, level=0, checksum=False):
        self.level = level
        self.checksum = checksum

    def __repr__(self):
        return f"Zstd(level={self.level!r})"

    @classmethod
    def default_level(cls) -> int:
        """libzstd's default level."""
        return 3

    @classmethod
    def min_level(cls) -> int:
        """libzstd's lowest (fastest) level."""
        return -131072

    @classmethod
    def max_level(cls) -> int:
        """libzstd's highest level."""
        return 22


register_codec(Zstd)
