"""Zarr directory stores (format 2 and 3), written and read in Rust: ``save(path, array, chunks=...)`` and
``load(path)``.

What ``save`` writes, zarr-python (``zarr.open(path)``), Dask (``da.from_zarr``), xarray and tensorstore
read: Zarr v2 by default (a ``.zarray`` with numcodecs configs plus one file per chunk named ``i.j.k``),
or with ``zarr_format=3`` a ``zarr.json`` with the equivalent codec chain (``bytes``, then ``blosc``,
``zstd``, ``gzip``, ``crc32c`` or zarr-python's ``numcodecs.*`` codecs) and chunks named ``c/i/j/k``. Edge
chunks are padded to full size. Every file is written to a temporary name and renamed, and the metadata
comes last, so a crash never leaves a truncated chunk; a failed save removes what it wrote. ``load`` reads
either format as zarr-python writes it, with any codec brickwork knows, sharded Zarr v3 arrays included
(brickwork does not write shards); missing chunks read as the fill value.
"""
from __future__ import annotations

import os
from typing import Any, NamedTuple

import numpy as np

from . import _native
from ._grid import _array, _order, _sizes, _threads
from .errors import InvalidArrayError, LimitError

__all__ = ["save", "load", "info", "SaveStats", "DEFAULT_MAX_ARRAY_BYTES"]

#: ``load`` refuses arrays whose ``.zarray`` claims more bytes than this unless ``max_bytes=`` is raised.
DEFAULT_MAX_ARRAY_BYTES = 16 << 30


class SaveStats(NamedTuple):
    """What :func:`save` wrote."""

    chunks: int
    bytes_in: int
    bytes_out: int


class ArrayInfo(NamedTuple):
    """A store's validated metadata."""

    shape: tuple
    chunks: tuple
    dtype: np.dtype
    order: str
    zarr_format: int
    #: the shard shape of a sharded Zarr v3 array (whose ``chunks`` are then the inner chunks), else None
    shards: tuple | None = None


def _config_json(codec: Any) -> str:
    from .codecs._base import _config_json as dumps

    if isinstance(codec, dict):
        return dumps(codec)
    if hasattr(codec, "get_config"):
        return dumps(codec.get_config())
    raise InvalidArrayError(f"compressor and filters must be codec objects or config dicts, got {codec!r}")


def save(path: str | os.PathLike, array, *, chunks, compressor=None, filters=None, order: str = "C",
         fill_value=None, threads: int | None = None, dimension_separator: str | None = None,
         overwrite: bool = False, zarr_format: int = 2, shards=None) -> SaveStats:
    """Write ``array`` as a Zarr array at ``path`` (a new or empty directory; an existing Zarr array only
    with ``overwrite=True``): format 2 (the default) or 3. ``compressor=None`` stores chunks uncompressed.
    ``dimension_separator`` defaults to ``"."`` in v2 and ``"/"`` in v3; in v3, ``order="F"`` stores each
    chunk through a ``transpose`` codec. ``shards`` (v3 only, as zarr-python's ``create_array``): the shard
    shape, a multiple of ``chunks``; each file then holds one shard of chunks (``sharding_indexed``, index
    at the end with a CRC32C; chunks holding only the fill value are left out)."""
    if zarr_format not in (2, 3):
        raise InvalidArrayError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    arr = _array(np.asarray(array)) if np.ndim(array) else np.asarray(array)
    if arr.dtype.hasobject:
        raise InvalidArrayError("object arrays cannot be written by brickwork.zarr; use zarr-python for them")
    chunk_list = _sizes(chunks, "chunks") if arr.ndim else []
    from .codecs._base import _native_dtype

    fill = None if fill_value is None else np.asarray(fill_value, dtype=arr.dtype).tobytes()
    n_chunks, bytes_in, bytes_out = _native.zarr_save(
        os.fspath(path), arr, _native_dtype(arr.dtype), chunk_list,
        None if compressor is None else _config_json(compressor),
        [_config_json(f) for f in (filters or [])], _order(order), fill, dimension_separator, int(zarr_format),
        None if shards is None else _sizes(shards, "shards"), bool(overwrite), _threads(threads),
    )
    return SaveStats(n_chunks, bytes_in, bytes_out)


def info(path: str | os.PathLike) -> ArrayInfo:
    """The shape, chunks, dtype, order, Zarr format and shard shape of the store at ``path``."""
    shape, chunks, dtype, order, zarr_format, shards = _native.zarr_info(os.fspath(path))
    return ArrayInfo(tuple(shape), tuple(chunks), np.dtype(dtype), order, zarr_format,
                     None if shards is None else tuple(shards))


def load(path: str | os.PathLike, *, out=None, threads: int | None = None,
         max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> np.ndarray:
    """Read the whole Zarr array (format 2 or 3) at ``path`` (into ``out`` when given). ``max_bytes``
    bounds what the untrusted metadata can make brickwork allocate: the array (unless ``out`` is given)
    and the buffer each chunk is decoded in."""
    meta = info(path)
    if out is None:
        nbytes = int(np.prod(meta.shape, dtype=object)) * meta.dtype.itemsize
        if nbytes > max_bytes:
            raise LimitError(
                f"{os.fspath(path)}: the array needs {nbytes} bytes, more than max_bytes={max_bytes}; "
                "pass a larger max_bytes if the store is trusted"
            )
        out = np.empty(meta.shape, dtype=meta.dtype, order=meta.order)
    elif tuple(out.shape) != meta.shape or out.dtype.itemsize != meta.dtype.itemsize:
        raise InvalidArrayError(f"out has shape {out.shape} and dtype {out.dtype}; the store holds "
                                f"{meta.shape} {meta.dtype}")
    _native.zarr_read_into(os.fspath(path), out, int(max_bytes), _threads(threads))
    return out
