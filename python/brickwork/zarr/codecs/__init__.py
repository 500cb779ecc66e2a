"""zarr-python's ``zarr.codecs``, for code that names Zarr v3 codecs: ``compressors=zarr.codecs.BloscCodec(
cname="zstd", shuffle="bitshuffle")`` runs with ``import brickwork.zarr as zarr`` and without zarr-python.

Each class takes zarr-python's constructor arguments and defaults and describes the codec as zarr-python
does (``to_dict()``: ``{"name": ..., "configuration": {...}}``), which is what
:func:`brickwork.zarr.create_array` reads (as it reads zarr-python's own codec objects). The codecs
themselves run in Rust, as numcodecs configs (``blosc``, ``zstd``, ``gzip``, ``crc32c``).
``numcodecs`` (``zarr.codecs.numcodecs``) wraps every numcodecs codec as a v3 codec.
``BytesCodec``, ``VLenUTF8Codec`` and ``VLenBytesCodec`` are serializers: brickwork picks the one the
dtype needs, so only they are accepted as ``serializer=``; ``TransposeCodec`` and ``ShardingCodec`` are
described but not taken by ``create_array`` (``order="F"`` and ``shards=`` make those chains).
"""
from __future__ import annotations

import enum
from typing import Any

from . import numcodecs

__all__ = ["BloscCname", "BloscCodec", "BloscShuffle", "BytesCodec", "Crc32cCodec", "Endian", "GzipCodec",
           "ShardingCodec", "ShardingCodecIndexLocation", "TransposeCodec", "VLenBytesCodec", "VLenUTF8Codec",
           "ZstdCodec", "numcodecs"]


class BloscShuffle(str, enum.Enum):
    noshuffle = "noshuffle"
    shuffle = "shuffle"
    bitshuffle = "bitshuffle"


class BloscCname(str, enum.Enum):
    lz4 = "lz4"
    lz4hc = "lz4hc"
    blosclz = "blosclz"
    zstd = "zstd"
    snappy = "snappy"
    zlib = "zlib"


class Endian(str, enum.Enum):
    big = "big"
    little = "little"


class ShardingCodecIndexLocation(str, enum.Enum):
    start = "start"
    end = "end"


def _choice(value, kind: type[enum.Enum], what: str) -> str:
    try:
        return kind(value.value if isinstance(value, enum.Enum) else value).value
    except ValueError:
        raise ValueError(f"{what} must be one of {[m.value for m in kind]}, got {value!r}") from None


def _integer(value, what: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{what} must be an integer {bounds}, got {value!r}")
    return value


class _Codec:
    """A codec described as zarr-python describes it: its name and its configuration."""

    name: str

    def _configuration(self) -> dict[str, Any]:
        return {}

    #: zarr-python writes no "configuration" for some codecs with none (crc32c), an empty one for others
    _bare = False

    def to_dict(self) -> dict[str, Any]:
        configuration = self._configuration()
        return {"name": self.name} if self._bare and not configuration else {"name": self.name,
                                                                              "configuration": configuration}

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._configuration().items())
        return f"{type(self).__name__}({args})"


class BloscCodec(_Codec):
    """Blosc (``typesize`` and ``shuffle`` follow the array's dtype when not given, as zarr-python's:
    bit-shuffle for 1-byte items, byte-shuffle otherwise)."""

    name = "blosc"

    def __init__(self, *, typesize: int | None = None, cname="zstd", clevel: int = 5, shuffle=None,
                 blocksize: int = 0):
        self._tunable_attrs = {k for k, v in (("typesize", typesize), ("shuffle", shuffle)) if v is None}
        self.typesize = 1 if typesize is None else _integer(typesize, "typesize", 1)
        self.cname = _choice(cname, BloscCname, "cname")
        self.clevel = _integer(clevel, "clevel", 0, 9)
        self.shuffle = "bitshuffle" if shuffle is None else _choice(shuffle, BloscShuffle, "shuffle")
        self.blocksize = _integer(blocksize, "blocksize", 0)

    def _configuration(self) -> dict[str, Any]:
        return {"typesize": self.typesize, "cname": self.cname, "clevel": self.clevel, "shuffle": self.shuffle,
                "blocksize": self.blocksize}


class ZstdCodec(_Codec):
    name = "zstd"

    def __init__(self, *, level: int = 0, checksum: bool = False):
        self.level = _integer(level, "level", -131072, 22)
        self.checksum = bool(checksum)

    def _configuration(self) -> dict[str, Any]:
        return {"level": self.level, "checksum": self.checksum}


class GzipCodec(_Codec):
    name = "gzip"

    def __init__(self, *, level: int = 5):
        self.level = _integer(level, "level", 0, 9)

    def _configuration(self) -> dict[str, Any]:
        return {"level": self.level}


class Crc32cCodec(_Codec):
    name = "crc32c"
    _bare = True


class BytesCodec(_Codec):
    name = "bytes"
    _bare = True

    def __init__(self, *, endian="little"):
        self.endian = None if endian is None else _choice(endian, Endian, "endian")

    def _configuration(self) -> dict[str, Any]:
        return {} if self.endian is None else {"endian": self.endian}


class VLenUTF8Codec(_Codec):
    name = "vlen-utf8"


class VLenBytesCodec(_Codec):
    name = "vlen-bytes"


class TransposeCodec(_Codec):
    name = "transpose"

    def __init__(self, *, order):
        self.order = tuple(_integer(i, "order", 0) for i in order)
        if sorted(self.order) != list(range(len(self.order))):
            raise ValueError(f"order must be a permutation of the axes, got {self.order}")

    def _configuration(self) -> dict[str, Any]:
        return {"order": self.order}


class ShardingCodec(_Codec):
    name = "sharding_indexed"

    def __init__(self, *, chunk_shape, codecs=(BytesCodec(),), index_codecs=(BytesCodec(), Crc32cCodec()),
                 index_location="end", subchunk_write_order="morton"):
        self.chunk_shape = tuple(_integer(n, "chunk_shape", 1) for n in chunk_shape)
        self.codecs = tuple(codecs)
        self.index_codecs = tuple(index_codecs)
        self.index_location = _choice(index_location, ShardingCodecIndexLocation, "index_location")
        self.subchunk_write_order = subchunk_write_order

    def _configuration(self) -> dict[str, Any]:
        def spec(c):
            return c.to_dict() if hasattr(c, "to_dict") else c

        return {"chunk_shape": self.chunk_shape, "codecs": tuple(spec(c) for c in self.codecs),
                "index_codecs": tuple(spec(c) for c in self.index_codecs), "index_location": self.index_location}
