"""numcodecs' byte compressors: Zlib, GZip, BZ2, LZMA, Zstd, LZ4 (constructors, configs and reprs as
numcodecs; the work happens in Rust)."""
from __future__ import annotations

from ._base import BufferCapped, NativeCodec, register_codec

__all__ = ["BZ2", "LZ4", "LZMA", "GZip", "Zlib", "Zstd"]


class Zlib(NativeCodec):
    """zlib stream (``zlib.compress``); level -1 or 0–9."""

    codec_id = "zlib"
    _raw_bytes = True
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"Zlib(level={self.level!r})"


class GZip(NativeCodec):
    """gzip member (``gzip.GzipFile``); level -1 or 0–9. brickwork writes MTIME 0 (reproducible)."""

    codec_id = "gzip"
    _raw_bytes = True
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"GZip(level={self.level!r})"


class BZ2(NativeCodec):
    """bzip2 stream; level 1–9."""

    codec_id = "bz2"
    _raw_bytes = True
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"BZ2(level={self.level!r})"


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


for _cls in (Zlib, GZip, BZ2, LZMA, Zstd, LZ4):
    register_codec(_cls)
