"""numcodecs' 32-bit checksum codecs: ``CRC32``, ``Adler32``, ``CRC32C`` (``Checksum32``: a checksum before
or after the data; encode returns a ``uint8`` array, decode a ``uint8`` view of the verified payload)
and ``JenkinsLookup3`` (HDF5's lookup3 after the data). The checksums run in Rust; a mismatch raises
``brickwork.errors.ChecksumError`` (a RuntimeError, as numcodecs), data shorter than a checksum
``brickwork.errors.DecodeError`` (a ValueError and RuntimeError)."""
from __future__ import annotations

import numpy as np

from ..errors import DecodeError
from ._base import NativeCodec, ensure_contiguous_ndarray, register_codec
from ._util import TrailingChecksum, checksum_payload, encode_array, native_checksum, ndarray_copy
from .jenkins import jenkins_lookup3

__all__ = ["Checksum32", "CRC32", "Adler32", "CRC32C", "JenkinsLookup3", "crc32c_checksum"]


def crc32c_checksum(data, value: int = 0) -> int:
    """numcodecs' ``crc32c_checksum(data, value=0)``: the CRC-32C of ``data``'s bytes, continuing from
    ``value``."""
    return native_checksum("crc32c", data, value)


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
        return ndarray_copy(checksum_payload(self, buf), out)


class CRC32(Checksum32):
    """zlib's CRC-32, stored little-endian before the data by default."""

    codec_id = "crc32"
    location = "start"

    @staticmethod
    def checksum(data, value: int = 0) -> int:
        """``zlib.crc32(data, value)``: the CRC-32 of ``data`` continuing from ``value``."""
        return native_checksum("crc32", data, value)


class Adler32(Checksum32):
    """zlib's Adler-32, stored little-endian before the data by default."""

    codec_id = "adler32"
    location = "start"

    @staticmethod
    def checksum(data, value: int = 1) -> int:
        """``zlib.adler32(data, value)``: the Adler-32 of ``data`` continuing from ``value``."""
        return native_checksum("adler32", data, value)


class CRC32C(Checksum32):
    """CRC-32C (Castagnoli), stored little-endian after the data by default."""

    codec_id = "crc32c"
    location = "end"

    @staticmethod
    def checksum(data, value: int = 0) -> int:
        """The CRC-32C of ``data`` continuing from ``value`` (numcodecs' ``CRC32C.checksum``)."""
        return native_checksum("crc32c", data, value)


class JenkinsLookup3(TrailingChecksum):
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


register_codec(CRC32)
register_codec(Adler32)
register_codec(CRC32C)
register_codec(JenkinsLookup3)
