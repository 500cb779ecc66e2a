"""``tobytes`` / ``assemble`` (fastremap's chunked serialization in N dimensions) and
``encode_chunks`` / ``decode_chunks`` (cut and encode in one parallel pass).

Chunks are listed in Fortran order over the grid (the first axis varies fastest), each holding its
cutout's elements in ``order``, exactly as ``fastremap.tobytes``. Any dtype works (the copy is by item
size), any layout (C, F, strided and reversed views, read in place without a copy), any number of
dimensions from 1 to 32. The work runs in Rust with the GIL released, on at most ``threads`` threads
(None: all cores). Work too small to gain from a second thread (under about 2 MiB to copy, or 256 KiB to
encode or decode) runs on the calling thread whatever ``threads`` says: waking a pool costs about what
copying 1 MiB does.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _native
from .errors import InvalidArrayError

__all__ = ["tobytes", "assemble", "encode_chunks", "decode_chunks"]

_EDGES = (None, "truncate", "pad")


def _array(image: Any) -> np.ndarray:
    arr = image if isinstance(image, np.ndarray) else np.asarray(image)
    if arr.dtype.hasobject:
        raise InvalidArrayError(
            f"arrays of dtype {arr.dtype} hold Python objects, which have no bytes to cut; "
            "convert them to a fixed-size dtype first"
        )
    if arr.ndim == 0:
        raise InvalidArrayError("a 0-d array cannot be cut into chunks; pass an array of 1 to 32 dimensions")
    return arr


def _sizes(values: Any, what: str) -> list[int]:
    try:
        out = [int(v) for v in values]
    except TypeError:
        raise InvalidArrayError(f"{what} must be a sequence of integers, got {values!r}") from None
    if any(v < 1 for v in out):
        raise InvalidArrayError(f"{what} must hold positive integers, got {tuple(out)}")
    return out


def _order(order: str) -> str:
    if order not in ("C", "F"):
        raise InvalidArrayError(f'order must be "C" or "F", got {order!r}')
    return order


def _edge(edge: str | None) -> str | None:
    if edge not in _EDGES:
        raise InvalidArrayError(f'edge must be None, "truncate" or "pad", got {edge!r}')
    return edge


def _threads(threads: int | None) -> int | None:
    if threads is None:
        return None
    threads = int(threads)
    if threads < 1:
        raise InvalidArrayError(f"threads must be at least 1 (or None for every core), got {threads}")
    return threads


def _fill(fill_value: Any, dtype: np.dtype, edge: str | None) -> bytes:
    if edge != "pad":
        return b""
    return np.asarray(fill_value, dtype=dtype).tobytes()


def _chunk_bytes(chunks: Sequence[Any]) -> list[bytes]:
    return [c if type(c) is bytes else bytes(memoryview(c).cast("B")) for c in chunks]


def _native_codec(codec: Any) -> "_native.NativeCodec":
    """A Rust codec from a brickwork codec, a numcodecs codec, a config dict, or a list (a pipeline of
    filters followed by a compressor)."""
    native = getattr(codec, "_codec", None)
    if isinstance(native, _native.NativeCodec):
        return native
    from .codecs._base import _config_json

    if isinstance(codec, (list, tuple)):
        configs = [c if isinstance(c, dict) else c.get_config() for c in codec]
        config = {"id": "pipeline", "filters": configs[:-1] or None, "compressor": configs[-1] if configs else None}
    elif isinstance(codec, dict):
        config = codec
    elif hasattr(codec, "get_config"):
        config = codec.get_config()
    else:
        raise InvalidArrayError(f"codec must be a codec object, a config dict or a list of them, got {codec!r}")
    return _native.NativeCodec(_config_json(config))


def _output(shape, dtype, order, out) -> np.ndarray:
    dtype = np.dtype(dtype)
    if out is None:
        return np.empty(tuple(shape), dtype=dtype, order=order)
    if not isinstance(out, np.ndarray):
        raise InvalidArrayError("out must be a NumPy array")
    if tuple(out.shape) != tuple(shape):
        raise InvalidArrayError(f"out has shape {out.shape}; the chunks make up {tuple(shape)}")
    if out.dtype.itemsize != dtype.itemsize:
        raise InvalidArrayError(f"out has dtype {out.dtype}; the chunks hold {dtype}")
    return out


def tobytes(image, chunk_size, order: str = "C", *, edge: str | None = None, fill_value=0,
            threads: int | None = None) -> list[bytes]:
    """Cut ``image`` into chunks of ``chunk_size``; one ``bytes`` per chunk, in Fortran order over the grid.

    ``edge=None`` requires ``chunk_size`` to divide the shape (fastremap's behaviour, ``ValueError``
    otherwise); ``edge="truncate"`` cuts edge chunks short; ``edge="pad"`` keeps them full size, filled
    with ``fill_value``.
    """
    arr = _array(image)
    edge = _edge(edge)
    return _native.tobytes(
        arr, _sizes(chunk_size, "chunk_size"), _order(order), edge, _fill(fill_value, arr.dtype, edge),
        _threads(threads),
    )


def assemble(chunks, shape, chunk_size, order: str = "C", *, dtype, edge: str | None = None, out=None,
             threads: int | None = None) -> np.ndarray:
    """The inverse of :func:`tobytes`: the array of ``shape`` and ``dtype`` the chunks were cut from.

    Fills ``out`` when given (any writeable layout of that shape), else returns a new array in ``order``.
    """
    shape = [int(s) for s in shape]
    order = _order(order)
    edge = _edge(edge)
    target = _output(shape, dtype, order, out)
    _native.assemble_into(_chunk_bytes(chunks), target, _sizes(chunk_size, "chunk_size"), order, edge,
                          _threads(threads))
    return target


def encode_chunks(array, chunk_size, codec, order: str = "C", *, edge: str | None = None, fill_value=0,
                  threads: int | None = None) -> list[bytes]:
    """Cut ``array`` into chunks and encode each with ``codec`` in one parallel pass (memory: one raw
    chunk per thread). ``codec`` is a brickwork or numcodecs codec, a config dict, or a list of them (filters
    then a compressor)."""
    arr = _array(array)
    edge = _edge(edge)
    from .codecs._base import _native_dtype

    return _native.encode_chunks(
        arr, _sizes(chunk_size, "chunk_size"), _native_codec(codec), _native_dtype(arr.dtype), _order(order),
        edge, _fill(fill_value, arr.dtype, edge), _threads(threads),
    )


def decode_chunks(chunks, shape, chunk_size, codec, order: str = "C", *, dtype, edge: str | None = None,
                  out=None, threads: int | None = None) -> np.ndarray:
    """The inverse of :func:`encode_chunks`: decodes every chunk straight into the output array."""
    shape = [int(s) for s in shape]
    order = _order(order)
    edge = _edge(edge)
    target = _output(shape, dtype, order, out)
    _native.decode_chunks(_chunk_bytes(chunks), target, _sizes(chunk_size, "chunk_size"), _native_codec(codec),
                          order, edge, _threads(threads))
    return target
