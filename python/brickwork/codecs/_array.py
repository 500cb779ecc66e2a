"""numcodecs' array → bytes codecs that read the array's dtype: PCodec (pco standalone format) and ZFPY
(ZFP with zfpy's stream header).

Constructors, ``get_config`` and reprs are numcodecs'. The work happens in Rust
(``brickwork-codecs/src/array``; the ``pco`` 1.1.0 crate and ``zfp-rs``, byte-identical to pcodec 1.1.0
and zfpy 1.0.1). Encode returns ``bytes``; decode returns the stored type (PCodec: 1-D; ZFPY: the stored
shape). As in numcodecs, a pcodec stream of an empty array decodes to ``None``. Documented difference:
ZFPY refuses an empty array with ``brickwork.errors.InvalidInputError`` (zfpy crashes the process).
"""
from __future__ import annotations

import warnings

import numpy as np

from ._base import NativeCodec, ensure_contiguous_ndarray, register_codec
from ._util import ndarray_copy

#: zfpy's mode numbers (``zfpy.mode_fixed_rate`` ...).
MODE_FIXED_RATE = 2
MODE_FIXED_PRECISION = 3
MODE_FIXED_ACCURACY = 4


class PCodec(NativeCodec):
    """pco (pcodec) standalone format for numeric sequences (u16/u32/u64, i16/i32/i64, f16/f32/f64)."""

    codec_id = "pcodec"
    _config_keys = ("level", "mode_spec", "delta_spec", "paging_spec", "delta_encoding_order", "equal_pages_up_to")
    _decode_returns_bytes = False

    def __init__(
        self,
        level: int = 8,
        *,
        mode_spec="auto",
        delta_spec="auto",
        paging_spec="equal_pages_up_to",
        delta_encoding_order=None,
        equal_pages_up_to=262144,
    ):
        self.level = level
        self.mode_spec = mode_spec
        self.delta_spec = delta_spec
        self.paging_spec = paging_spec
        self.delta_encoding_order = delta_encoding_order
        self.equal_pages_up_to = equal_pages_up_to

    def __repr__(self):
        params = ", ".join(f"{k}={getattr(self, k)!r}" for k in sorted(self._config_keys))
        return f"{type(self).__name__}({params})"

    def encode(self, buf):
        if self.delta_spec == "none" and self.delta_encoding_order is None:
            warnings.warn(
                "delta_spec='none' is deprecated and will be removed in a future version. Use 'no_op' instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        return super().encode(buf)

    def _decoded(self, raw, dtype, shape, order):
        if not raw.size:
            return None  # pcodec's simple_decompress returns None for an empty stream
        return raw.view(np.dtype(dtype)).reshape(shape, order=order)


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


for _cls in (PCodec, ZFPY):
    register_codec(_cls)
