"""numcodecs' ``Fletcher32``: HDF5's Fletcher-32 after the data; decode verifies it and returns a
``memoryview`` of the payload (or fills ``out``). Documented differences: an empty payload encodes (to
``00 00 00 00``) and decodes back (numcodecs raises IndexError); an ``out`` smaller than the payload is
refused (numcodecs writes past its end)."""
from __future__ import annotations

import numpy as np

from ._base import ensure_contiguous_ndarray, register_codec
from ._util import TrailingChecksum

__all__ = ["Fletcher32"]


class Fletcher32(TrailingChecksum):
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


register_codec(Fletcher32)
