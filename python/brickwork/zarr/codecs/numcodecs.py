"""zarr-python's ``zarr.codecs.numcodecs``: numcodecs' codecs as Zarr v3 codecs (``numcodecs.<id>`` in
``zarr.json``), for ``compressors=`` and ``filters=`` of :func:`brickwork.zarr.create_array`. Each class
takes the numcodecs codec's configuration as keywords (checked by building brickwork's codec of that id)
and describes itself as zarr-python's wrapper does: ``{"name": "numcodecs.<id>", "configuration":
{...the keywords given}}``."""
from __future__ import annotations

from typing import Any

from ... import codecs as _bw

__all__ = ["Adler32", "AsType", "BZ2", "BitRound", "Blosc", "CRC32", "CRC32C", "Delta", "FixedScaleOffset",
           "Fletcher32", "GZip", "JenkinsLookup3", "LZ4", "LZMA", "PCodec", "PackBits", "Quantize", "Shuffle",
           "ZFPY", "Zlib", "Zstd"]


class _NumcodecsCodec:
    codec_id: str

    def __init__(self, **codec_config: Any):
        codec_config.pop("id", None)
        self.codec_config = codec_config
        # a configuration brickwork's codec refuses is refused now (building its Rust codec checks it)
        _bw.get_codec({"id": self.codec_id, **codec_config})._codec

    def to_dict(self) -> dict[str, Any]:
        return {"name": f"numcodecs.{self.codec_id}", "configuration": dict(self.codec_config)}

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.codec_config == self.codec_config

    def __hash__(self) -> int:
        return hash((self.codec_id, repr(sorted(self.codec_config.items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.codec_config.items())
        return f"{type(self).__name__}(codec_config={{{args}}})"


def _wrapper(name: str) -> type:
    return type(name, (_NumcodecsCodec,), {"codec_id": getattr(_bw, name).codec_id, "__module__": __name__,
                                          "__doc__": f"numcodecs' {name} as a Zarr v3 codec."})


Adler32 = _wrapper("Adler32")
AsType = _wrapper("AsType")
BZ2 = _wrapper("BZ2")
BitRound = _wrapper("BitRound")
Blosc = _wrapper("Blosc")
CRC32 = _wrapper("CRC32")
CRC32C = _wrapper("CRC32C")
Delta = _wrapper("Delta")
FixedScaleOffset = _wrapper("FixedScaleOffset")
Fletcher32 = _wrapper("Fletcher32")
GZip = _wrapper("GZip")
JenkinsLookup3 = _wrapper("JenkinsLookup3")
LZ4 = _wrapper("LZ4")
LZMA = _wrapper("LZMA")
PCodec = _wrapper("PCodec")
PackBits = _wrapper("PackBits")
Quantize = _wrapper("Quantize")
Shuffle = _wrapper("Shuffle")
ZFPY = _wrapper("ZFPY")
Zlib = _wrapper("Zlib")
Zstd = _wrapper("Zstd")
