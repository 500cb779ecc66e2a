"""numcodecs' ``PCodec``: the pco standalone format (pco 1.1.0, byte-identical to pcodec 1.1.0) for
numeric sequences; a stream of an empty array decodes to ``None``, as numcodecs'."""
from __future__ import annotations

import warnings

import numpy as np

from ._base import NativeCodec, register_codec

__all__ = ["DEFAULT_MAX_PAGE_N", "PCodec"]

#: pcodec's default ``equal_pages_up_to`` (numbers per page)
DEFAULT_MAX_PAGE_N = 262144


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
        equal_pages_up_to=DEFAULT_MAX_PAGE_N,
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


register_codec(PCodec)
