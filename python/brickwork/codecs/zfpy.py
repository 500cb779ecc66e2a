"""numcodecs' ``ZFPY``: ZFP compressed arrays with zfpy's header (``zfp-rs``, byte-identical to zfpy
1.0.1). Documented difference: an empty array is refused with ``brickwork.errors.InvalidInputError``
(zfpy crashes the process)."""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, ensure_contiguous_ndarray, register_codec
from ._util import ndarray_copy

__all__ = ["MODE_FIXED_RATE", "MODE_FIXED_PRECISION", "MODE_FIXED_ACCURACY", "ZFPY"]


#: zfpy's mode numbers (``zfpy.mode_fixed_rate`` ...).
MODE_FIXED_RATE = 2


MODE_FIXED_PRECISION = 3


MODE_FIXED_ACCURACY = 4


class ZFPY(NativeCodec):
    """ZFP compressed arrays (1–4-D int32/int64/float32/float64, C order) with zfpy's full header."""

    codec_id = "zfpy"
    _decode_returns_bytes = False

    def __init__(self, mode=MODE_FIXED_ACCURACY, tolerance=-1, rate=-1, precision=-1, compression_kwargs=None):
        self.mode = mode
        if mode == MODE_FIXED_ACCURACY:
            self.compression_kwargs = {"tolerance": tolerance}
        elif mode == MODE_FIXED_RATE:
            self.compression_kwargs = {"rate": rate}
        elif mode == MODE_FIXED_PRECISION:
            self.compression_kwargs = {"precision": precision}
        self.tolerance = tolerance
        self.rate = rate
        self.precision = precision

    def get_config(self):
        config = {"id": self.codec_id}
        config.update((k, v) for k, v in self.__dict__.items() if not k.startswith("_"))
        return config

    def __repr__(self):
        return (
            f"{type(self).__name__}(mode={self.mode!r}, "
            f"tolerance={self.tolerance}, rate={self.rate}, "
            f"precision={self.precision})"
        )

    def encode(self, buf):
        if not isinstance(buf, np.ndarray):
            raise TypeError(f"The zfp codec does not support none numpy arrays. Your buffers were {type(buf)}.")
        if not buf.flags.c_contiguous:
            raise ValueError(f"The zfp codec does not support F order arrays. Your arrays flags were {buf.flags}.")
        return super().encode(buf)

    def decode(self, buf, out=None):
        if out is not None:
            ensure_contiguous_ndarray(out)  # numcodecs' check: TypeError for an object array
        dec = super().decode(buf)
        return ndarray_copy(dec, out)


register_codec(ZFPY)
