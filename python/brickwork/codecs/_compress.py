"""numcodecs' byte compressors: Zlib, GZip, BZ2, LZMA, Zstd, LZ4 (constructors, configs and reprs as
numcodecs; the work happens in Rust)."""
from __future__ import annotations

from ._base import NativeCodec, register_codec

__all__ = ["BZ2", "LZ4", "LZMA", "GZip", "Zlib", "Zstd"]


class Zlib(NativeCodec):
    """zlib stream (``zlib.compress``); level -1 or 0–9."""

    codec_id = "zlib"
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"Zlib(level={self.level!r})"


class GZip(NativeCodec):
    """gzip member (``gzip.GzipFile``); level -1 or 0–9. brickwork writes MTIME 0 (reproducible)."""

    codec_id = "gzip"
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"GZip(level={self.level!r})"


class BZ2(NativeCodec):
    """bzip2 stream; level 1–9."""

    codec_id = "bz2"
    _config_keys = ("level",)

    def __init__(self, level=1):
        self.level = level

    def __repr__(self):
        return f"BZ2(level={self.level!r})"


class LZMA(NativeCodec):
    """xz / lzma-alone / raw LZMA streams with optional filter chains, as Python's ``lzma`` module."""

    codec_id = "lzma"
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
    _config_keys = ("level", "checksum")

    def __init__(self, level=0, checksum=False):
        self.level = level
        self.checksum = checksum

    def __repr__(self):
        return f"Zstd(level={self.level!r})"

    def _declared_size(self, data):
        # The frame header's content size (RFC 8878 §3.1.1.1), if zstd could expand the input that much
        # (an RLE block of 128 KiB costs 4 bytes: at most 32768x).
        if data.size < 6 or bytes(data[:4]) != b"\x28\xb5\x2f\xfd":
            return None
        descriptor = int(data[4])
        fcs_flag, single_segment, dict_flag = descriptor >> 6, (descriptor >> 5) & 1, descriptor & 3
        width = (1 if single_segment else 0, 2, 4, 8)[fcs_flag]
        if width == 0:
            return None  # content size not stored
        at = 5 + (0 if single_segment else 1) + (0, 1, 2, 4)[dict_flag]
        if data.size < at + width:
            return None
        size = int.from_bytes(bytes(data[at : at + width]), "little") + (256 if width == 2 else 0)
        return size if size <= 32768 * data.size else None

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


class LZ4(NativeCodec):
    """An LZ4 block behind a 4-byte little-endian size prefix."""

    codec_id = "lz4"
    _config_keys = ("acceleration",)
    max_buffer_size = 0x7E000000

    def __init__(self, acceleration=1):
        self.acceleration = acceleration

    def _declared_size(self, data):
        # The 4-byte little-endian size prefix, if LZ4 could expand the block that much (at most ~255x).
        if data.size < 4:
            return None
        size = int(data[:4].view("<i4")[0])
        return size if 0 <= size <= 256 * data.size else None

    def __repr__(self):
        return f"LZ4(acceleration={self.acceleration!r})"


for _cls in (Zlib, GZip, BZ2, LZMA, Zstd, LZ4):
    register_codec(_cls)
