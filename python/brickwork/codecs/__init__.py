"""brickwork.codecs: numcodecs' codecs, implemented in Rust, with numcodecs' Codec API.

Every class has numcodecs' constructor signature, ``codec_id``, ``get_config``/``from_config``, equality
and repr; ``encode``/``decode(buf, out=None)`` take and return what numcodecs does. When numcodecs is
installed the classes subclass ``numcodecs.abc.Codec``. ``get_codec(config)`` builds brickwork's class
for a numcodecs config; codec ids without a dedicated class yet are served by ``GenericCodec``.

Each codec lives in its own module, named as numcodecs names it (``zlib.py``, ``delta.py``, ``vlen.py``,
``checksum32.py``, ...; the Rust side is ``crates/brickwork-codecs``), so ``from numcodecs.delta import
Delta`` becomes ``from brickwork.codecs.delta import Delta``; ``abc``, ``compat`` and ``registry`` are
numcodecs' modules of those names. A module registers its classes (``register_codec``); adding a codec
means adding its module and importing it here.
"""
from __future__ import annotations

from . import (abc, astype, base64, bitround, blosc, bz2, categorize, checksum32, compat, delta, fixedscaleoffset,
               fletcher32, gzip, jenkins, json, lz4, lzma, msgpacks, packbits, pcodec, pickles, quantize, registry,
               shuffle, vlen, zfpy, zlib, zstd)
from ._base import MAX_DECODED_BYTES, GenericCodec, NativeCodec, codec_registry, get_codec, register_codec
from ._numcodecs import register_in_numcodecs, unregister_from_numcodecs
from ._pipeline import Pipeline
from .astype import AsType
from .base64 import Base64
from .bitround import BitRound
from .blosc import Blosc
from .bz2 import BZ2
from .categorize import Categorize
from .checksum32 import CRC32, CRC32C, Adler32, JenkinsLookup3
from .compat import ensure_contiguous_ndarray
from .delta import Delta
from .fixedscaleoffset import FixedScaleOffset
from .fletcher32 import Fletcher32
from .gzip import GZip
from .jenkins import jenkins_lookup3
from .json import JSON
from .lz4 import LZ4
from .lzma import LZMA
from .msgpacks import MsgPack
from .packbits import PackBits
from .pcodec import PCodec
from .pickles import Pickle
from .quantize import Quantize
from .shuffle import Shuffle
from .vlen import VLenArray, VLenBytes, VLenUTF8
from .zfpy import ZFPY
from .zlib import Zlib
from .zstd import Zstd

__all__ = [
    # codec classes
    "BZ2", "CRC32", "CRC32C", "JSON", "LZ4", "LZMA", "ZFPY", "Adler32", "AsType", "Base64", "BitRound", "Blosc",
    "Categorize", "Delta", "FixedScaleOffset", "Fletcher32", "GZip", "GenericCodec", "JenkinsLookup3", "MsgPack",
    "NativeCodec", "PCodec", "PackBits", "Pickle", "Pipeline", "Quantize", "Shuffle", "VLenArray", "VLenBytes",
    "VLenUTF8", "Zlib", "Zstd",
    # numcodecs' functions
    "codec_registry", "ensure_contiguous_ndarray", "get_codec", "jenkins_lookup3", "register_codec",
    # numcodecs' modules
    "abc", "astype", "base64", "bitround", "blosc", "bz2", "categorize", "checksum32", "compat", "delta",
    "fixedscaleoffset", "fletcher32", "gzip", "jenkins", "json", "lz4", "lzma", "msgpacks", "packbits", "pcodec",
    "pickles", "quantize", "registry", "shuffle", "vlen", "zfpy", "zlib", "zstd",
    # brickwork's own
    "MAX_DECODED_BYTES", "register_in_numcodecs", "unregister_from_numcodecs",
]
