"""numcodecs' checksum codecs: CRC32, Adler32, CRC32C (``Checksum32``), Fletcher32 and JenkinsLookup3.

Constructors, ``get_config`` (``location`` only when it was passed), reprs and return types are
numcodecs': the ``Checksum32`` family encodes to a ``uint8`` array and decodes to a ``uint8`` view of
the input's payload; Fletcher32 and JenkinsLookup3 encode to ``bytes`` and decode to a ``memoryview`` of
the input's payload (or into ``out``): decoding verifies the checksum and copies nothing. The
checksums run in Rust (``brickwork-codecs/src/checksum``); a mismatch raises
``brickwork.errors.ChecksumError`` (a RuntimeError, as numcodecs), data shorter than a checksum
``brickwork.errors.DecodeError`` (a ValueError and RuntimeError).

Documented differences: Fletcher32 encodes an empty payload (to ``00 00 00 00``) and decodes it back
(numcodecs raises IndexError); an ``out`` smaller than the payload is refused (numcodecs' Fletcher32 writes
past its end).
"""
from __future__ import annotations

import numpy as np

from ..errors import DecodeError
from .. import _native
from ._base import NativeCodec, ensure_contiguous_ndarray, register_codec
from ._util import decode_array, encode_array, memory, ndarray_copy


def _checksum(codec_id: str, data, value: int) -> int:
    """numcodecs' incremental ``checksum(data, value)``: computed in Rust over ``data``'s bytes (any
    contiguous buffer); ``value`` is the checksum of the data before (or lookup3's seed), taken modulo
    2**32 as ``zlib.crc32`` takes it."""
    return _native.checksum(codec_id, memory(ensure_contiguous_ndarray(data)), int(value) & 0xFFFFFFFF)


def jenkins_lookup3(data, initval: int = 0) -> int:
    """numcodecs' ``jenkins_lookup3(data, initval=0)``: HDF5's lookup3 hash of ``data``'s bytes."""
    return _checksum("jenkins_lookup3", data, initval)


def _payload(codec, buf) -> np.ndarray:
    """The verified payload of ``buf`` as numcodecs returns it: a flat uint8 *view* of the input's memory
    (the checksum runs in Rust, nothing is copied)."""
    data = memory(ensure_contiguous_ndarray(buf))
    span = codec._codec.decoded_range(data)
    if span is None:  # not a view-decoding codec: a decoded copy
        raw, _dtype, _shape, _order = decode_array(codec, data)
        return raw
    return data[span[0] : span[1]]


class Checksum32(NativeCodec):
    """numcodecs' ``Checksum32``: a 32-bit checksum before (``'start'``) or after (``'end'``) the data."""

    location = "start"
    _decode_returns_bytes = False

    def __init__(self, location=None):
        if location is not None:
            self.location = location
        if self.location not in ["start", "end"]:
            raise ValueError(f"Invalid checksum location: {self.location}")

    def get_config(self):
        config = {"id": self.codec_id}
        if "location" in self.__dict__:
            config["location"] = self.location
        return config

    def __repr__(self):
        params = f"location={self.location!r}" if "location" in self.__dict__ else ""
        return f"{type(self).__name__}({params})"

    def encode(self, buf):
        return encode_array(self, ensure_contiguous_ndarray(buf))

    def decode(self, buf, out=None):
        if len(buf) < 4:
            raise DecodeError("Input buffer is too short to contain a 32-bit checksum.")
        if out is not None:
            ensure_contiguous_ndarray(out)
        return ndarray_copy(_payload(self, buf), out)


class CRC32(Checksum32):
    """zlib's CRC-32, stored little-endian before the data by default."""

    codec_id = "crc32"
    location = "start"

    @staticmethod
    def checksum(data, value: int = 0) -> int:
        """``zlib.crc32(data, value)``: the CRC-32 of ``data`` continuing from ``value``."""
        return _checksum("crc32", data, value)


class Adler32(Checksum32):
    """zlib's Adler-32, stored little-endian before the data by default."""

    codec_id = "adler32"
    location = "start"

    @staticmethod
    def checksum(data, value: int = 1) -> int:
        """``zlib.adler32(data, value)``: the Adler-32 of ``data`` continuing from ``value``."""
        return _checksum("adler32", data, value)


class CRC32C(Checksum32):
    """CRC-32C (Castagnoli), stored little-endian after the data by default."""

    codec_id = "crc32c"
    location = "end"

    @staticmethod
    def checksum(data, value: int = 0) -> int:
        """The CRC-32C of ``data`` continuing from ``value`` (numcodecs' ``CRC32C.checksum``)."""
        return _checksum("crc32c", data, value)


class _TrailingChecksum(NativeCodec):
    """Payload then a 4-byte checksum; encode returns bytes, decode a memoryview (or ``out``)."""

    def encode(self, buf):
        return self._codec_encode(ensure_contiguous_ndarray(buf))

    def _codec_encode(self, arr: np.ndarray) -> bytes:
        return bytes(encode_array(self, arr))

    def decode(self, buf, out=None):
        raw = _payload(self, buf)
        if out is None:
            return memoryview(raw)
        return self._into(raw, out)


class Fletcher32(_TrailingChecksum):
    """HDF5's Fletcher-32 after the data."""

    codec_id = "fletcher32"

    def __init__(self):
        pass

    def __repr__(self):
        return "Fletcher32()"

    def _into(self, raw: np.ndarray, out):
        target = ensure_contiguous_ndarray(out).reshape(-1, order="A").view(np.uint8)
        if target.nbytes < raw.nbytes:
            raise ValueError(f"out has {target.nbytes} bytes, the payload needs {raw.nbytes}")
        target[: raw.nbytes] = raw
        return out


class JenkinsLookup3(_TrailingChecksum):
    """Bob Jenkins' lookup3 hash (HDF5) of ``prefix ‖ data`` after the data."""

    codec_id = "jenkins_lookup3"
    _config_keys = ("initval", "prefix")
    checksum = staticmethod(jenkins_lookup3)

    def __init__(self, initval: int = 0, prefix=None):
        self.initval = initval
        if prefix is None:
            self.prefix = None
        else:
            self.prefix = np.frombuffer(prefix, dtype="uint8")

    def __repr__(self):
        return f"{type(self).__name__}(initval={self.initval!r}, prefix={self.prefix!r})"

    def _into(self, raw: np.ndarray, out):
        out.view("uint8")[:] = raw
        return out


for _cls in (CRC32, Adler32, CRC32C, Fletcher32, JenkinsLookup3):
    register_codec(_cls)
