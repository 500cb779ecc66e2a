"""numcodecs' ``numcodecs.compat``: the buffer helpers codec implementations use, with numcodecs'
semantics (zero-copy views; ``ensure_contiguous_ndarray`` flattens unless ``flatten=False`` and refuses
object arrays, non-contiguous memory and buffers over ``max_buffer_size``). brickwork's arrays are
NumPy's, so the ``*_like`` variants are the same functions."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _base
from ._util import ensure_ndarray, ensure_text, ndarray_copy

__all__ = ["ensure_bytes", "ensure_contiguous_ndarray", "ensure_contiguous_ndarray_like", "ensure_ndarray",
           "ensure_ndarray_like", "ensure_text", "is_ndarray_like", "ndarray_copy"]


def ensure_contiguous_ndarray(buf: Any, max_buffer_size: int | None = None, flatten: bool = True) -> np.ndarray:
    """A contiguous ndarray view of ``buf``'s memory (datetimes viewed as int64), flat unless
    ``flatten=False``; a ValueError over ``max_buffer_size`` bytes, as numcodecs'."""
    arr = _base.ensure_contiguous_ndarray(buf)
    if flatten:
        arr = arr.reshape(-1, order="A")
    if max_buffer_size is not None and arr.nbytes > max_buffer_size:
        raise ValueError(f"Codec does not support buffers of > {max_buffer_size} bytes")
    return arr


def ensure_bytes(buf: Any) -> bytes:
    """``buf``'s memory as ``bytes`` (``bytes`` unchanged)."""
    if isinstance(buf, bytes):
        return buf
    return ensure_contiguous_ndarray(buf).tobytes(order="A")


def is_ndarray_like(obj: Any) -> bool:
    """Whether ``obj`` has what an ndarray has (numcodecs' duck-type test)."""
    return all(hasattr(obj, attr) for attr in ("dtype", "shape", "ndim", "reshape", "view", "flags"))


ensure_ndarray_like = ensure_ndarray
ensure_contiguous_ndarray_like = ensure_contiguous_ndarray
