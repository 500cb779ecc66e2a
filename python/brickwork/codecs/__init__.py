"""brickwork.codecs: numcodecs' codecs, implemented in Rust, with numcodecs' Codec API.

Every class has numcodecs' constructor signature, ``codec_id``, ``get_config``/``from_config``, equality
and repr; ``encode``/``decode(buf, out=None)`` take and return what numcodecs does. When numcodecs is
installed the classes subclass ``numcodecs.abc.Codec``. ``get_codec(config)`` builds brickwork's class
for a numcodecs config; codec ids without a dedicated class yet are served by ``GenericCodec``.

Codec classes live in one module per kind (``_compress.py``, ``blosc.py``, ``_filters.py``, ...). Every
private module of this package other than ``_base`` is imported here automatically and the names in its
``__all__`` are exported, so adding a kind means adding a file (which calls ``register_codec``), nothing else.
"""
from __future__ import annotations

from ._base import (
    MAX_DECODED_BYTES,
    GenericCodec,
    NativeCodec,
    codec_registry,
    ensure_contiguous_ndarray,
    get_codec,
    register_codec,
)
from ._array import ZFPY, PCodec
from .blosc import Blosc
from ._checksums import CRC32, CRC32C, Adler32, Fletcher32, JenkinsLookup3, jenkins_lookup3
from ._compress import BZ2, LZ4, LZMA, GZip, Zlib, Zstd
from ._filters import AsType, BitRound, Categorize, Delta, FixedScaleOffset, PackBits, Quantize, Shuffle
from ._pipeline import Pipeline
from ._text import JSON, Base64, MsgPack, VLenArray, VLenBytes, VLenUTF8
# numcodecs' module namespaces as attributes: ``numcodecs.zstd.compress`` is ``brickwork.codecs.zstd.compress``
from . import blosc, lz4, zstd

__all__ = [
    "BZ2",
    "CRC32",
    "CRC32C",
    "JSON",
    "LZ4",
    "LZMA",
    "MAX_DECODED_BYTES",
    "ZFPY",
    "Adler32",
    "AsType",
    "Base64",
    "BitRound",
    "Blosc",
    "Categorize",
    "Delta",
    "FixedScaleOffset",
    "Fletcher32",
    "GZip",
    "GenericCodec",
    "JenkinsLookup3",
    "MsgPack",
    "NativeCodec",
    "PCodec",
    "PackBits",
    "Pipeline",
    "Quantize",
    "Shuffle",
    "VLenArray",
    "VLenBytes",
    "VLenUTF8",
    "Zlib",
    "Zstd",
    "blosc",
    "codec_registry",
    "ensure_contiguous_ndarray",
    "get_codec",
    "jenkins_lookup3",
    "lz4",
    "register_codec",
    "zstd",
]


def _import_kind_modules() -> None:
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_") or info.name in ("_base", "_compress"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            globals()[name] = getattr(module, name)
            if name not in __all__:
                __all__.append(name)


_import_kind_modules()
