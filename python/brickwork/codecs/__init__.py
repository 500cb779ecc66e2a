"""brickwork.codecs: numcodecs' codecs, implemented in Rust, with numcodecs' Codec API.

Every class has numcodecs' constructor signature, ``codec_id``, ``get_config``/``from_config``, equality
and repr; ``encode``/``decode(buf, out=None)`` take and return what numcodecs does. When numcodecs is
installed the classes subclass ``numcodecs.abc.Codec``. ``get_codec(config)`` builds brickwork's class
for a numcodecs config; codec ids without a dedicated class yet are served by ``GenericCodec``.
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
from ._blosc import Blosc
from ._compress import BZ2, LZ4, LZMA, GZip, Zlib, Zstd

__all__ = [
    "BZ2",
    "LZ4",
    "LZMA",
    "MAX_DECODED_BYTES",
    "Blosc",
    "GZip",
    "GenericCodec",
    "NativeCodec",
    "Zlib",
    "Zstd",
    "codec_registry",
    "ensure_contiguous_ndarray",
    "get_codec",
    "register_codec",
]
