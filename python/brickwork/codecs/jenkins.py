"""numcodecs' ``jenkins_lookup3(data, initval=0)``: HDF5's lookup3 hash, in Rust."""
from __future__ import annotations

from ._util import native_checksum

__all__ = ["jenkins_lookup3"]


def jenkins_lookup3(data, initval: int = 0) -> int:
    """numcodecs' ``jenkins_lookup3(data, initval=0)``: HDF5's lookup3 hash of ``data``'s bytes."""
    return native_checksum("jenkins_lookup3", data, initval)
