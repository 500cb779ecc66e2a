"""Zarr directory stores (format 2 and 3), written and read in Rust: ``save(path, array, chunks=...)``,
``load(path)``, and for arrays too large for memory ``create(shape, store=path, dtype=..., chunks=...)``
and ``open(path, mode="r+")``, whose :class:`Array` reads and writes regions: ``a[region]``,
``a[region] = values``.

What ``save`` writes, zarr-python (``zarr.open(path)``), Dask (``da.from_zarr``), xarray and tensorstore
read: Zarr v3 by default, as zarr-python (a ``zarr.json`` with the codec chain: ``bytes``, then
``blosc``, ``zstd``, ``gzip``, ``crc32c`` or zarr-python's ``numcodecs.*`` codecs, and chunks named
``c/i/j/k``), or with ``zarr_format=2`` a ``.zarray`` with numcodecs configs and one file per chunk
named ``i.j.k``. Edge
chunks are padded to full size. Every file is written to a temporary name and renamed, and the metadata
comes last, so a crash never leaves a truncated chunk; a failed save removes what it wrote. ``load`` reads
either format as zarr-python writes it, with any codec brickwork knows, sharded Zarr v3 arrays included;
missing chunks read as the fill value. ``open`` gives an :class:`Array` that reads any region NumPy's
basic indexing can name (integers, slices with any step, ``...``, ``None``), zarr-python's orthogonal
selections (``a.oindex[[0, 5], :, mask]``) and coordinate or mask selections (``a.vindex[rows, cols]``,
``a.vindex[mask]``), decoding only the chunks the selection touches (of a shard, only its index and the
inner chunks it needs), each once, in parallel; Dask reads it too
(``dask.array.from_array(brickwork.zarr.open(path), chunks=...)``). Writing a selection encodes the
chunks it covers from the data alone and reads, updates and rewrites the ones it covers in part, each
replaced atomically (processes writing disjoint chunks may run at once, as with zarr-python).

Code written for zarr-python runs with ``import brickwork.zarr as zarr``: every function of zarr-python
3.4.2's module API (``zarr.__all__``) but its asyncio classes and runtime ``config`` is here, with
zarr-python's parameters and defaults (``save``, ``save_array``, ``save_group``, ``load``, ``open``,
``open_array``, ``open_group``, ``open_like``, ``create``, ``create_array``, ``create_group``, ``group``,
``from_array``, ``zeros``/``ones``/``full``/``empty``/``array`` and their ``*_like``, ``tree``,
``consolidate_metadata``, ``open_consolidated``, ``create_hierarchy``; ``copy``, ``copy_all`` and
``copy_store`` raise ``NotImplementedError``, as in zarr-python 3), on directory
stores (``store`` a path, a ``file://`` URL or a ``LocalStore``; ``path`` inside it) or stores in memory
(``MemoryStore()``, or none given: kept as directories in RAM, see ``_memory``; a ``dict`` or zarr-python's
``MemoryStore``, holding zarr-python's keys and Buffers, see ``_mapping``; ``memory://name``, fsspec's
memory filesystem) or zip files (``storage.ZipStore``: unpacked into RAM, written back on ``close()``, see
``_zip``) or remote stores (fsspec URLs such as ``s3://`` and ``https://`` with ``storage_options``,
``storage.FsspecStore``, ``storage.ObjectStore``: mirrored into RAM as they are used, writes put into the
store, see ``_remote``);
``config`` is zarr-python's runtime configuration and ``errors`` its exceptions; ``codecs`` and
``storage`` are zarr-python's ``zarr.codecs`` (``BloscCodec``, ``ZstdCodec``, ...) and ``zarr.storage``
(``LocalStore``, ``MemoryStore``, ``ZipStore``, ``FsspecStore``, ``ObjectStore``) as brickwork takes them, so
``compressors=zarr.codecs.BloscCodec(...)`` runs unchanged; ``dtype`` is zarr-python's ``zarr.dtype``;
:class:`Array` and :class:`Group` have zarr-python's members (``oindex``, ``vindex``, ``blocks``,
``resize``, ``append``, ``attrs``, ``name``, ``tree()``, ``members(max_depth)``, ...). Differences kept
on purpose: an :class:`Array`'s or :class:`Group`'s ``path`` is its directory (zarr-python's is the path
inside the store, here ``name``); ``metadata`` is a dict.

Groups (the hierarchies zarr-python and xarray write) open with ``open_group(path)`` (or ``open``), their
members by name (``g["raw"]``); ``create_group``, ``Group.create_array`` and ``consolidate_metadata`` make
them.

Arrays of variable-length strings or bytes (zarr-python's ``dtype=str``: v2 ``|O`` with ``vlen-utf8``,
v3 ``string``; its ``VariableLengthBytes``: ``vlen-bytes``, v3 ``bytes``) are read, as object arrays
(zarr-python returns NumPy's ``StringDType`` for strings; the items are the same), written (``save`` of
an object array of ``str`` or of ``bytes``, or ``create`` and regions: each chunk encoded by brickwork's
``vlen-utf8`` or ``vlen-bytes``, the object codecs zarr-python uses), chunk by chunk.

Structured dtypes (NumPy records: v2's ``dtype`` lists, nested records and subarray fields included, and
v3's ``struct`` data type, whose fields ``save`` and ``create`` store little-endian as zarr-python does)
are read and written as their records' bytes; fields are picked with zarr-python's ``fields=`` or by
name among the indices (``a["x"]``, ``a[2:5, "y"] = 0``).
"""
from __future__ import annotations

import contextlib
import copy as _copy
import inspect
import itertools
import json
import operator
import os
from collections.abc import MutableMapping
from typing import Any, NamedTuple

import numpy as np

from .. import _native
from .._grid import _array, _order, _sizes, _threads
from ._group import (Group, Metadata, _check_name, attributes_json, consolidate_metadata, create_group,
                          make_parents, node_kind, open_group, parents_of, read_attributes, read_json, refuse_existing,
                          remove_tree, store_of, store_path, write_json)
from ..errors import InvalidArrayError, LimitError
from . import _chunk_grid, _config, _memory, _remote
from . import codecs, dtype, errors, storage  # zarr-python's zarr.codecs, .dtype, .errors, .storage
from . import dtype as _dtypes  # (the functions' ``dtype`` parameters hide the module's name)
from ._config import ArrayConfig, config
from ._hierarchy import create_hierarchy

__all__ = [
    # zarr-python's module API (zarr.__all__ of 3.4.2 but its async classes, config and __version__)
    "Array", "Group", "array", "consolidate_metadata", "copy", "copy_all", "copy_store", "create", "create_array",
    "create_group", "create_hierarchy", "empty", "empty_like", "from_array", "full", "full_like", "group", "load",
    "ones", "ones_like", "open", "open_array", "open_consolidated", "open_group", "open_like", "print_debug_info",
    "save", "save_array", "save_group", "tree", "zeros", "zeros_like",
    # zarr-python's submodules and runtime configuration
    "codecs", "dtype", "errors", "storage", "config", "ArrayConfig",
    # brickwork's own
    "info", "ArrayInfo", "Attributes", "SaveStats", "DEFAULT_MAX_ARRAY_BYTES",
]

#: ``load`` (and reading an :class:`Array`) refuses results of more bytes than this, and chunks whose
#: decoding buffer would be larger, unless ``max_bytes=`` is raised: the metadata is untrusted.
DEFAULT_MAX_ARRAY_BYTES = 16 << 30



class SaveStats(NamedTuple):
    """What :func:`save` wrote."""

    chunks: int
    bytes_in: int
    bytes_out: int


class ArrayInfo(NamedTuple):
    """A store's validated metadata."""

    shape: tuple
    #: the chunk shape; ``"<variable>"`` (zarr-python's word) for a rectilinear grid's chunks, whose
    #: lengths ``Array.read_chunk_sizes`` gives
    chunks: tuple | str
    dtype: np.dtype
    order: str
    zarr_format: int
    #: the shard shape of a sharded Zarr v3 array (whose ``chunks`` are then the inner chunks), else None;
    #: ``"<variable>"`` for rectilinear shard boundaries (``Array.write_chunk_sizes``)
    shards: tuple | str | None = None


#: what ArrayInfo says of the chunk (or shard) shape of a rectilinear grid
_VARIABLE = "<variable>"


def _config_json(codec: Any) -> str:
    from ..codecs._base import _config_json as dumps

    if isinstance(codec, dict):
        return dumps(codec)
    if hasattr(codec, "get_config"):
        return dumps(codec.get_config())
    raise InvalidArrayError(f"compressor and filters must be codec objects or config dicts, got {codec!r}")


#: create_array's fill value when none is given (zarr-python's DEFAULT_FILL_VALUE: 0, "" for strings)
_DEFAULT = object()


#: save's options (the rest of its keyword arguments name arrays of a group, as zarr-python's ``save``)
_SAVE_OPTIONS = frozenset({"chunks", "compressor", "filters", "order", "fill_value", "threads",
                           "dimension_separator", "overwrite", "shards", "attributes", "dimension_names", "mode",
                           "config"})

#: a save into a remote store writes (and puts) slabs of the array this large at a time (see Array._slabs)
_SLAB = 64 << 20

#: the object codec of variable-length bytes (zarr-python's VariableLengthBytes)
_VLEN_BYTES = {"id": "vlen-bytes"}

#: zarr-python's default compressor ("auto"): zstd level 0, in both formats
_AUTO_COMPRESSOR = {"id": "zstd", "level": 0, "checksum": False}


def _node(store, path: str | None, storage_options=None, mode: str = "r") -> tuple[str, str]:
    """The directory zarr-python's ``store`` and ``path`` arguments name, and the node's ``name`` in its
    store (``"/"``, ``"/a/b"``). ``store=None`` (zarr-python's in-memory store) with a ``path`` takes
    the path as the directory. A read-only store (``LocalStore(..., read_only=True)``) is refused for
    any ``mode`` but ``"r"``. A ``StorePath`` (zarr-python's or brickwork's) is its store, and its path
    above ``path``."""
    if type(store).__name__ == "StorePath" and type(store).__module__.startswith(("zarr.", "brickwork.")):
        # (zarr-python's or brickwork's store and path in one: an array's ``store_path``)
        path = "/".join(p for p in (str(store.path).strip("/"), os.fspath(path or "").strip("/")) if p)
        store = store.store
    if mode != "r" and getattr(store, "read_only", False) is True:
        raise InvalidArrayError(f"{store!r} is read-only: open it with mode=\"r\" (asked for {mode!r})")
    remote = _remote.remote_of(store, storage_options)
    if remote is not None:  # s3://, https://, an FsspecStore: mirrored into RAM as it is used (see _remote)
        store, storage_options = remote.root, None
    if storage_options:
        raise InvalidArrayError("storage_options are for fsspec URLs (s3://, gs://, ...); brickwork stores are "
                                "local directories and take none")
    if store is None:
        if not path:
            raise InvalidArrayError("brickwork needs a store: a directory path, a memory:// URL, a dict or a "
                                    "MemoryStore() (zarr-python's default, a new store in memory, is not "
                                    "assumed)")
        return store_path(path), "/"
    parts = [p for p in os.fspath(path).strip("/").split("/") if p] if path else []
    if any(p in (".", "..") for p in parts):
        raise InvalidArrayError(f"{path!r}: a path inside a store has no '.' or '..' components")
    directory = _store_path(store, "/".join(parts) or None)
    mirror = _remote.of(directory)  # (a remote store, or a directory in its mirror)
    if mirror is not None and mode != "r":
        # (what is there now decides what a write may do; fetched again by the array or group opened
        # next, as a write that failed may have left metadata the store does not have in the mirror)
        mirror.describe(directory, again=True)
    return directory, "/" + "/".join(parts)


def _in_memory(store, path):
    """zarr-python's default store: with neither a store nor a path, a new store in memory (a
    ``MemoryStore``, which the array or group opened in it keeps alive)."""
    return storage.MemoryStore() if store is None and not path else store


def _ignored(**options) -> None:
    """zarr-python's arguments that do nothing here (as they do nothing in zarr-python 3, which warns)."""
    import warnings

    for name, value in options.items():
        if value is not None:
            warnings.warn(f"{name} is not used by brickwork (nor by zarr-python 3)", RuntimeWarning, stacklevel=3)


def _check_format(zarr_format) -> int | None:
    if zarr_format not in (None, 2, 3):
        raise InvalidArrayError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    return zarr_format


def _check_config(value) -> None:
    """zarr-python's ``config=`` argument, checked (see :class:`ArrayConfig`)."""
    ArrayConfig.parse(value)


def _separator(chunk_key_encoding, dimension_separator, zarr_format: int) -> str | None:
    """``dimension_separator`` from zarr-python's ``chunk_key_encoding`` (``("default", "/")``,
    ``("v2", ".")``, ``{"name": ..., "configuration": {"separator": ...}}`` or a ``ChunkKeyEncoding``)."""
    if chunk_key_encoding is None:
        return dimension_separator
    spec = chunk_key_encoding.to_dict() if hasattr(chunk_key_encoding, "to_dict") else chunk_key_encoding
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        name, separator = spec
    elif isinstance(spec, dict) and "name" in spec:
        name, separator = spec["name"], (spec.get("configuration") or {}).get("separator")
    elif isinstance(spec, str):
        name, separator = spec, None
    else:
        raise InvalidArrayError(f"chunk_key_encoding is a (name, separator) pair or a dict, got {chunk_key_encoding!r}")
    expected = "default" if zarr_format == 3 else "v2"
    if name != expected:
        raise InvalidArrayError(f"brickwork writes Zarr v{zarr_format} arrays with the {expected!r} chunk key "
                                f"encoding, not {name!r}")
    if dimension_separator is not None and separator is not None and separator != dimension_separator:
        raise InvalidArrayError("chunk_key_encoding and dimension_separator name different separators")
    return separator if separator is not None else dimension_separator


def _check_serializer(serializer) -> None:
    """zarr-python's ``serializer``: ``"auto"`` or the ``bytes`` codec (brickwork picks its endian from the
    dtype); others (such as ``vlen-utf8`` or sharding given as a serializer) are refused."""
    if isinstance(serializer, str) and serializer == "auto":
        return
    spec = serializer.to_dict() if hasattr(serializer, "to_dict") else serializer
    if isinstance(spec, dict) and spec.get("name") == "bytes":
        return
    raise InvalidArrayError(f'serializer must be "auto" or the bytes codec; got {serializer!r} (shards= makes '
                            "sharded arrays, and arrays of strings get their codec from the dtype)")


def save(store, *args, zarr_format: int | None = None, path: str | None = None, storage_options=None,
         **kwargs) -> SaveStats | None:
    """zarr-python's ``zarr.save``: one array is saved as an array at ``store`` (see :func:`save_array`,
    whose options it takes), several (positional, or keywords whose names are not options) as the
    arrays of a group (see :func:`save_group`). Returns :func:`save_array`'s counts for one array."""
    arrays = {k: v for k, v in kwargs.items() if k not in _SAVE_OPTIONS}
    options = {k: v for k, v in kwargs.items() if k in _SAVE_OPTIONS}
    if not args and not arrays:
        raise InvalidArrayError("save needs at least one array")
    if len(args) == 1 and not arrays:
        return save_array(store, args[0], zarr_format=zarr_format, path=path, storage_options=storage_options,
                          **options)
    if options:
        raise InvalidArrayError(f"{', '.join(options)}: saving a group, save takes no options (they would "
                                "name its arrays); use save_group, or save_array for each")
    save_group(store, *args, zarr_format=zarr_format, path=path, storage_options=storage_options, **arrays)
    return None


def save_array(store, arr, *, zarr_format: int | None = None, path: str | None = None, storage_options=None,
               chunks="auto", compressor="auto", filters=None, order: str | None = None, fill_value=None,
               threads: int | None = None, dimension_separator: str | None = None, overwrite: bool = False,
               shards=None, attributes=None, dimension_names=None, mode: str | None = None,
               config=None) -> SaveStats:
    """Write ``arr`` as a Zarr array at ``store`` (``path`` inside it): a new or empty directory, or an
    existing Zarr node only with ``overwrite=True``. As zarr-python's ``save_array``: Zarr v3 unless
    ``zarr_format=2``, chunks guessed as zarr-python guesses them (``chunks="auto"``), zstd level 0
    (``compressor="auto"``; ``None`` stores chunks uncompressed).
    ``dimension_separator`` defaults to ``"."`` in v2 and ``"/"`` in v3; in v3, ``order="F"`` stores each
    chunk through a ``transpose`` codec. ``shards`` (v3 only, as zarr-python's ``create_array``): the shard
    shape, a multiple of ``chunks``; each file then holds one shard of chunks (``sharding_indexed``, index
    at the end with a CRC32C; chunks holding only the fill value are left out). ``attributes``: a dict
    of JSON values stored with the array (``.zattrs`` in v2), read back as :attr:`Array.attrs`.
    ``dimension_names`` (v3 only, as zarr-python's): a name (or None) per axis, which xarray reads as the
    dimensions (in v2, xarray reads ``attributes={"_ARRAY_DIMENSIONS": [...]}``). ``threads``: how many
    threads encode (all the pool's by default). ``mode="w"`` replaces a node that is there, as
    ``overwrite=True``. ``config`` (see :class:`ArrayConfig`): with ``write_empty_chunks=False``
    (zarr-python's default, from ``config``'s ``array.write_empty_chunks``), chunks that hold only the
    fill value are not written. Returns the chunks written and the bytes in and out."""
    if mode not in (None, "a", "w", "w-"):
        raise InvalidArrayError(f'save_array takes mode "a", "w" or "w-", got {mode!r}')
    overwrite = overwrite or mode == "w"
    directory, name = _node(store, path, storage_options, mode="w")
    if not overwrite:
        refuse_existing(directory)
    above = parents_of(directory, name)
    path = directory
    zarr_format = _check_format(zarr_format) or _config.config.get("default_zarr_format")
    if isinstance(compressor, str) and compressor == "auto":
        compressor = _AUTO_COMPRESSOR
    order = order or "C"
    names = _dimension_names(dimension_names, np.ndim(arr), zarr_format)
    arr = np.asarray(arr)
    if isinstance(chunks, str) and chunks == "auto":
        chunks = _guess_chunks(arr.shape, arr.dtype.itemsize)
    if arr.dtype.hasobject or _remote.of(path) is not None:
        # variable-length items: made empty, then written chunk by chunk through the object codecs (bytes
        # items through vlen-bytes, strings through vlen-utf8); into a remote store: made empty, then
        # written a slab of chunks at a time, each put into the store before the next is encoded
        if arr.dtype.hasobject and not filters and arr.size and all(isinstance(x, bytes) for x in arr.flat):
            filters = [_VLEN_BYTES]
        z = _create(path, arr.shape, arr.dtype, chunks=chunks, compressor=compressor, filters=filters,
                    order=order, fill_value=fill_value, dimension_separator=dimension_separator,
                    overwrite=overwrite, zarr_format=zarr_format, shards=shards, attributes=attributes,
                    dimension_names=dimension_names)
        z._config = ArrayConfig.parse(config, z._config)
        try:
            stats = [z.write(slab, arr[slab], threads=threads) for slab in z._slabs()]
        except BaseException:
            remove_tree(path, ignore_errors=True)
            raise
        make_parents(above, zarr_format)
        return SaveStats(*(sum(counts) for counts in zip(*stats))) if stats else SaveStats(0, 0, 0)
    arr = _array(arr) if arr.ndim else arr
    if zarr_format == 3 and arr.dtype != _v3_records(arr.dtype):
        arr = arr.astype(_v3_records(arr.dtype))  # v3 stores a struct's fields in one byte order

    n_chunks, bytes_in, bytes_out = _native.zarr_save(
        path, arr, _dtype_to_native(arr.dtype),
        *_store_options(arr.dtype, arr.shape, chunks, compressor, filters, order, fill_value,
                        dimension_separator, zarr_format, shards, overwrite, attributes),
        _threads(threads), ArrayConfig.parse(config).write_empty_chunks,
    )
    _write_dimension_names(path, names)
    make_parents(above, zarr_format)
    return SaveStats(n_chunks, bytes_in, bytes_out)


def save_group(store, *args, zarr_format: int | None = None, path: str | None = None, storage_options=None,
               **kwargs) -> None:
    """zarr-python's ``zarr.save_group``: a new group at ``store`` (``path`` inside it) holding each
    array, the positional ones named ``arr_0``, ``arr_1``, ..., the keyword ones by their keyword; each
    written by :func:`save_array` with its defaults. If one fails, the group is removed."""
    if not args and not kwargs:
        raise InvalidArrayError("save_group needs at least one array")
    directory, name = _node(store, path, storage_options, mode="w")
    above = parents_of(directory, name)
    arrays = {f"arr_{i}": a for i, a in enumerate(args)}
    for name in kwargs:
        if name in arrays:
            raise InvalidArrayError(f"two arrays are named {name!r}")
        _check_name(name)
    arrays.update(kwargs)
    existed = os.path.isdir(directory) and bool(os.listdir(directory))
    zarr_format = _check_format(zarr_format) or _config.config.get("default_zarr_format")
    group = create_group(directory, zarr_format=zarr_format)
    try:
        for name, a in arrays.items():
            save_array(directory, a, path=name, zarr_format=group.zarr_format)
    except BaseException:
        if not existed:
            remove_tree(directory, ignore_errors=True)
        raise
    make_parents(above, group.zarr_format)


def create(shape, *, chunks=None, dtype=None, compressor="auto", fill_value=_DEFAULT, order=None, store=None,
           synchronizer=None, overwrite: bool = False, path=None, chunk_store=None, filters=None,
           cache_metadata=None, cache_attrs=None, read_only=None, object_codec=None,
           dimension_separator: str | None = None, write_empty_chunks=None, zarr_format: int | None = None,
           meta_array=None, attributes=None, chunk_shape=None, chunk_key_encoding=None, codecs=None,
           dimension_names=None, storage_options=None, config=None, mode: str | None = None, data=None,
           shards=None, max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> Array:
    """zarr-python's ``zarr.create``: a new array of ``shape`` at ``store`` (``path`` inside it) with no
    chunks written yet (it reads as the fill value, 0 unless given), returned open for writing regions
    (``a[region] = values``). As zarr-python: Zarr v3 unless ``zarr_format=2``, dtype float64 unless
    given, chunks guessed when not given (``chunk_shape`` is v3's name for them), zstd level 0 unless
    ``compressor`` says (``None``: uncompressed), ``filters`` before it (numcodecs codecs or configs),
    ``chunk_key_encoding`` or ``dimension_separator`` for the chunk file names; ``mode="w"`` or
    ``overwrite=True`` replaces a node that is there, ``mode="w-"`` (or ``"a"``, the default) refuses
    to. ``shards`` makes a sharded v3 array, as :func:`create_array`. ``data``, when given, is
    written. zarr-python 3 ignores ``synchronizer``, ``chunk_store``, ``cache_metadata``, ``cache_attrs``,
    ``read_only``, ``object_codec`` and ``meta_array`` and so does brickwork (with a warning); v3
    ``codecs`` lists are refused (use ``compressor``/``filters``, or :func:`create_array`'s
    ``compressors``)."""
    _ignored(synchronizer=synchronizer, chunk_store=chunk_store, cache_metadata=cache_metadata,
             cache_attrs=cache_attrs, read_only=read_only, object_codec=object_codec, meta_array=meta_array)
    if write_empty_chunks is not None:  # as zarr-python: it wins over config's
        config = ArrayConfig.parse(config)
        config = ArrayConfig(config.order, bool(write_empty_chunks), config.read_missing_chunks)
    _check_config(config)
    if codecs is not None:
        raise InvalidArrayError("codecs= (a v3 codec list) is not taken; pass compressor= and filters= (numcodecs "
                                "codecs or configs) or create_array's compressors=")
    if chunks is not None and chunk_shape is not None:
        raise InvalidArrayError("chunks and chunk_shape name the same thing; pass one")
    if mode not in (None, "a", "w", "w-"):
        raise InvalidArrayError(f'create takes mode "a", "w" or "w-", got {mode!r}')
    store = _in_memory(store, path)
    _node(store, path, storage_options, mode="w")  # checked
    if store is None:
        store, path = path, None
    zarr_format = _check_format(zarr_format) or _config.config.get("default_zarr_format")
    compressors = compressor if isinstance(compressor, str) else None if compressor is None else [compressor]
    array = create_array(store, name=path, shape=shape, dtype="f8" if dtype is None else dtype,
                         chunks=chunks if chunks is not None else chunk_shape if chunk_shape is not None else "auto",
                         shards=shards, filters=filters or [], compressors=compressors, fill_value=fill_value,
                         order=order, zarr_format=zarr_format, attributes=attributes,
                         chunk_key_encoding=_separator_encoding(chunk_key_encoding, dimension_separator, zarr_format),
                         dimension_names=dimension_names, overwrite=overwrite or mode == "w", max_bytes=max_bytes,
                         config=config)
    if data is not None:
        array[...] = data
    return array


def _separator_encoding(chunk_key_encoding, dimension_separator, zarr_format: int):
    """The chunk key encoding :func:`create_array` takes, from ``create``'s two ways of saying it."""
    separator = _separator(chunk_key_encoding, dimension_separator, zarr_format)
    return None if separator is None else ("default" if zarr_format == 3 else "v2", separator)


def _create(path: str | os.PathLike, shape, dtype, *, chunks, compressor=None, filters=None, order: str = "C",
           fill_value=None, dimension_separator: str | None = None, overwrite: bool = False,
           zarr_format: int = 2, shards=None, attributes=None, dimension_names=None,
           max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> Array:
    """A Zarr array of ``shape`` and ``dtype`` at the directory ``path`` with no chunks written yet (it
    reads as the fill value), returned open for writing regions. The options are :func:`save_array`'s
    (without its defaults: what is not given is not written)."""
    path = store_path(path)
    if isinstance(dtype, _dtypes.VariableLengthBytes) and not filters:
        filters = [_VLEN_BYTES]  # zarr-python's object codec for bytes
    dtype = _dtypes.native(dtype)
    if dtype.hasobject and not filters:
        filters = [{"id": "vlen-utf8"}]  # zarr-python's object codec for strings
    shape = tuple(operator.index(n) for n in (shape if np.ndim(shape) else (shape,)))
    if any(n < 0 for n in shape):
        raise InvalidArrayError(f"shape must hold sizes of at least 0, got {shape}")
    names = _dimension_names(dimension_names, len(shape), zarr_format)
    if zarr_format == 3:
        dtype = _v3_records(dtype)
    options = _store_options(dtype, shape, chunks, compressor, filters, order, fill_value, dimension_separator,
                             zarr_format, shards, overwrite, attributes)
    if overwrite and _remote.of(path) is not None and (node_kind(path) or ("",))[0] == "array":
        remove_tree(path)  # (the array's chunks too, which the mirror does not hold)
    with _remote.node_writes(path):
        _native.zarr_create(path, list(shape), _dtype_to_native(dtype), *options)
    _write_dimension_names(path, names)
    return Array(path, mode="r+", max_bytes=max_bytes)


def create_array(store, *, name: str | None = None, shape=None, dtype=None, data=None, chunks="auto",
                 shards=None, filters="auto", compressors="auto", serializer="auto", fill_value=_DEFAULT,
                 order=None, zarr_format: int | None = 3, attributes=None, chunk_key_encoding=None,
                 dimension_names=None, storage_options=None, overwrite: bool = False, config=None,
                 write_data: bool = True, max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> Array:
    """zarr-python's ``zarr.create_array``, for code written against it: the same keywords and defaults
    (Zarr v3, zstd level 0, fill value 0 unless given, ``None`` included, chunks guessed as zarr-python
    guesses them when ``"auto"``),
    on a directory store (``store`` a path; ``name`` a path inside it). ``compressors`` takes numcodecs
    or brickwork codec objects, numcodecs config dicts, or zarr-python's ``zarr.codecs`` Blosc, Zstd,
    Gzip and CRC32C codecs (one, or a list applied in order); ``serializer`` is ``"auto"`` or the
    ``bytes`` codec; ``chunk_key_encoding`` names the chunk files' separator (``("default", ".")``);
    ``data``, when given, is written (its shape and dtype are the array's) unless ``write_data=False``.
    Returns the array open for writing."""
    store = _in_memory(store, name)  # (None: a new store in memory, as zarr-python's)
    path, node_name = _node(store, name, storage_options, mode="w")
    above = parents_of(path, node_name)
    if not overwrite:
        refuse_existing(path)
    zarr_format = _check_format(zarr_format) or _config.config.get("default_zarr_format")
    _check_serializer(serializer)
    _check_config(config)
    if data is not None:
        data = np.asarray(data)
        shape, dtype = data.shape, data.dtype
    if shape is None or dtype is None:
        raise InvalidArrayError("create_array needs shape and dtype (or data)")
    vlen_bytes = isinstance(dtype, _dtypes.VariableLengthBytes) or (
        data is not None and dtype.hasobject and data.size and all(isinstance(x, bytes) for x in data.flat))
    dtype = _dtypes.native(dtype)
    shape = tuple(operator.index(n) for n in (shape if np.ndim(shape) else (shape,)))
    if isinstance(chunks, str) and chunks == "auto":
        chunks = _guess_chunks(shape, dtype.itemsize)
    # as zarr-python: one integer is the chunk (shard) length along every axis
    chunks = (chunks,) * len(shape) if isinstance(chunks, (int, np.integer)) else chunks
    shards = (shards,) * len(shape) if isinstance(shards, (int, np.integer)) else shards
    configs = ([_AUTO_COMPRESSOR] if isinstance(compressors, str) and compressors == "auto"
               else [_codec_config(c, dtype.itemsize) for c in (compressors if isinstance(compressors, (list, tuple))
                                                                else [] if compressors is None else [compressors])])
    if zarr_format == 3 and not isinstance(filters, str):
        order, filters = _transpose_as_order(filters, order, len(shape))
    filters = ([] if isinstance(filters, str) and filters == "auto"
               else [_codec_config(f, dtype.itemsize) for f in filters or []])
    if vlen_bytes and not any(f.get("id") in ("vlen-bytes", "vlen-utf8") for f in filters):
        filters = [_VLEN_BYTES] + filters
    if fill_value is _DEFAULT:
        # zarr-python's default scalar of the type: 0, or NaT for dates and durations
        fill_value = (None if dtype.hasobject else _dtypes.data_type_registry.match_dtype(dtype).default_scalar()
                      if dtype.kind in "Mm" else np.zeros((), dtype=dtype)[()])
    options = dict(chunks=chunks, compressor=configs[-1] if configs else None,
                   filters=filters + configs[:-1] or None, order=order or "C", fill_value=fill_value,
                   zarr_format=zarr_format, shards=shards, attributes=attributes,
                   dimension_separator=_separator(chunk_key_encoding, None, zarr_format),
                   dimension_names=dimension_names, overwrite=overwrite)
    if data is not None and write_data and not dtype.hasobject:
        save_array(path, data, config=config, **options)
        array = Array(path, mode="r+", max_bytes=max_bytes)
    else:
        array = _create(path, shape, dtype, max_bytes=max_bytes, **options)
        if data is not None and write_data:
            array[...] = data
    make_parents(above, zarr_format)
    array._name = node_name
    array._config = ArrayConfig.parse(config, array._config)
    return array


def zeros(shape, **kwargs) -> Array:
    """zarr-python's ``zarr.zeros``: a new array of zeros (nothing written: every chunk reads as the fill
    value 0); the keywords are :func:`create`'s (``store=`` among them)."""
    return create(shape=shape, **(kwargs | {"fill_value": 0}))


def ones(shape, **kwargs) -> Array:
    """zarr-python's ``zarr.ones``: :func:`zeros` with the fill value 1."""
    return create(shape=shape, **(kwargs | {"fill_value": 1}))


def empty(shape, **kwargs) -> Array:
    """zarr-python's ``zarr.empty``: a new array nothing is written to (it reads as the fill value, 0
    unless given)."""
    return create(shape=shape, **kwargs)


def full(shape, fill_value, **kwargs) -> Array:
    """zarr-python's ``zarr.full``: a new array whose every element is ``fill_value`` (nothing written:
    it is the array's fill value; float64 unless ``dtype`` is given, as zarr-python)."""
    return create(shape=shape, fill_value=fill_value, **kwargs)


def array(data, **kwargs) -> Array:
    """zarr-python's ``zarr.array``: a new array holding ``data`` (its shape and dtype; the chunks of a
    chunked array such as Dask's); the keywords are :func:`create`'s."""
    data = data if isinstance(data, Array) else np.asarray(data) if not hasattr(data, "chunks") else data
    kwargs.setdefault("dtype", data.dtype)
    if getattr(data, "chunks", None) is not None and not isinstance(data, np.ndarray) and "chunks" not in kwargs:
        chunks = data.chunks
        kwargs["chunks"] = tuple(c[0] if isinstance(c, tuple) else c for c in chunks)  # Dask's: sizes per block
    z = create(shape=data.shape, **kwargs)
    z[...] = np.asarray(data)
    return z


def _store_path(store, name: str | None) -> str:
    """The directory a zarr-python ``store`` argument (see ``store_path``) and member ``name`` name."""
    path = store_path(store)
    return os.path.join(path, *name.strip("/").split("/")) if name else path


def _guess_chunks(shape: tuple, itemsize: int) -> tuple:
    """zarr-python's chunk shape for ``chunks="auto"`` (the HDF5 heuristic it uses: aim at a chunk of
    128 KiB to 64 MiB, larger for larger arrays, halving the axes in turn)."""
    if not shape:
        return ()
    chunks = [max(1, n) for n in shape]
    total = float(np.prod(chunks, dtype=float)) * itemsize
    target = min(max(256 * 1024 * 2 ** np.log10(total / (1024 * 1024)), 128 * 1024), 64 * 1024 * 1024)
    axis = 0
    while True:
        nbytes = float(np.prod(chunks, dtype=float)) * itemsize
        if (nbytes < target or abs(nbytes - target) / target < 0.5) and nbytes < 64 * 1024 * 1024:
            break
        if np.prod(chunks, dtype=float) == 1:
            break
        chunks[axis % len(chunks)] = -(-chunks[axis % len(chunks)] // 2)
        axis += 1
    return tuple(int(c) for c in chunks)


#: Blosc's shuffle, as zarr-python's v3 codec names it → numcodecs' numbers
_V3_SHUFFLE = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}


def _codec_config(codec, itemsize: int = 1) -> dict:
    """A numcodecs config dict from a codec object, a config dict, or a zarr-python ``zarr.codecs``
    codec (``to_dict()``: ``{"name": ..., "configuration": {...}}``; a Blosc codec whose shuffle was not
    given shuffles as zarr-python's does for items of ``itemsize`` bytes: bits of 1-byte items, else
    bytes)."""
    if isinstance(codec, dict) and "id" in codec:
        return codec
    if hasattr(codec, "get_config"):
        return codec.get_config()
    spec = codec.to_dict() if hasattr(codec, "to_dict") else codec
    if not isinstance(spec, dict) or "name" not in spec:
        raise InvalidArrayError(f"not a codec brickwork knows: {codec!r}")
    name, conf = spec["name"], dict(spec.get("configuration") or {})
    if name == "zstd":
        return {"id": "zstd", "level": conf.get("level", 0), "checksum": conf.get("checksum", False)}
    if name == "gzip":
        return {"id": "gzip", "level": conf.get("level", 5)}
    if name == "crc32c":
        return {"id": "crc32c"}
    if name == "blosc":
        shuffle = conf.get("shuffle", "noshuffle")
        if "shuffle" in getattr(codec, "_tunable_attrs", ()):
            shuffle = "bitshuffle" if itemsize == 1 else "shuffle"
        return {"id": "blosc", "cname": conf.get("cname", "zstd"), "clevel": conf.get("clevel", 5),
                "shuffle": _V3_SHUFFLE.get(shuffle, shuffle), "blocksize": conf.get("blocksize", 0)}
    if name.startswith("numcodecs."):
        return {"id": name[len("numcodecs."):], **conf}
    raise InvalidArrayError(f"the zarr codec {name!r} has no numcodecs equivalent brickwork writes; use "
                            "blosc, zstd, gzip, crc32c or a numcodecs codec")


def _transpose_as_order(filters, order: str | None, ndim: int) -> tuple:
    """A v3 ``transpose`` codec among ``filters`` (zarr-python's ``TransposeCodec(order=...)``) as the order
    brickwork stores chunks in, which it writes as that codec: the identity permutation is C order, the
    reversed one F; other permutations are refused. Returns the order and the other filters."""
    rest = []
    for f in filters or []:
        spec = f.to_dict() if hasattr(f, "to_dict") and not hasattr(f, "get_config") else f
        if not (isinstance(spec, dict) and spec.get("name") == "transpose"):
            rest.append(f)
            continue
        permutation = [int(a) for a in (spec.get("configuration") or {}).get("order", ())]
        chosen = ("C" if permutation == list(range(ndim)) else "F" if permutation == list(range(ndim))[::-1]
                  else None)
        if chosen is None or (order is not None and order != chosen):
            raise InvalidArrayError(f"brickwork stores chunks transposed by the identity (C order) or the reversed "
                                    f"axes (F order); got a transpose of {tuple(permutation)} for {ndim} axes"
                                    + ("" if chosen is None else f" with order={order!r}"))
        order = chosen
    return order, rest


def _dimension_names(names, ndim: int, zarr_format: int) -> list | None:
    """``dimension_names`` checked: None, or a str (or None) per axis of a Zarr v3 array."""
    if names is None:
        return None
    if zarr_format != 3:
        raise InvalidArrayError('dimension_names are Zarr v3 metadata; in v2, xarray reads '
                                'attributes={"_ARRAY_DIMENSIONS": [...]}')
    names = list(names)
    if len(names) != ndim or not all(n is None or isinstance(n, str) for n in names):
        raise InvalidArrayError(f"dimension_names needs a str (or None) per axis ({ndim}), got {names!r}")
    return names


def _write_dimension_names(path, names: list | None) -> None:
    """Adds ``dimension_names`` to a v3 array's ``zarr.json`` (replaced atomically)."""
    if names is None:
        return
    file = os.path.join(os.fspath(path), "zarr.json")
    meta = read_json(file)
    meta["dimension_names"] = names
    write_json(file, meta, 3)


def _store_options(dtype, shape, chunks, compressor, filters, order, fill_value, dimension_separator,
                   zarr_format, shards, overwrite, attributes) -> tuple:
    """The native arguments of a new store, from ``save``'s and ``create``'s keyword arguments. ``chunks``
    or ``shards`` may be rectilinear (zarr-python's ``[[10, 20, 30], [50, 50]]``; see ``_chunk_grid``)."""
    if zarr_format not in (2, 3):
        raise InvalidArrayError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    ndim, grid = len(shape), None
    if _chunk_grid.is_rectilinear(shards):
        grid = _chunk_grid.grid_json(shards, shape, "shards")
        shards = [max(d) if isinstance(d, list) else d for d in grid["configuration"]["chunk_shapes"]]
    if _chunk_grid.is_rectilinear(chunks):
        if shards is not None:
            raise InvalidArrayError("rectilinear inner chunks with sharding are not supported (as zarr-python): "
                                    "only the shard boundaries can vary; give shards=[[...], ...] and regular "
                                    "chunks")
        grid = _chunk_grid.grid_json(chunks, shape)
        chunks = [max(d) if isinstance(d, list) else d for d in grid["configuration"]["chunk_shapes"]]
    first = (filters or [None])[0]
    object_codec = first.get("id") if isinstance(first, dict) else getattr(first, "codec_id", None)
    if dtype.hasobject and object_codec == "vlen-bytes":
        # variable-length bytes: the fill value's base64 (b"" by default), as zarr-python writes it
        if not isinstance(fill_value, (bytes, type(None))):
            raise InvalidArrayError(f"the fill value of an array of bytes is bytes, got {fill_value!r}")
        import base64

        fill = base64.b64encode(fill_value or b"")
    elif dtype.hasobject:
        # variable-length strings: the fill string's UTF-8 ("" by default, as zarr-python)
        if not isinstance(fill_value, (str, type(None))):
            raise InvalidArrayError(f"the fill value of an array of strings is a str, got {fill_value!r}")
        fill = (fill_value or "").encode()
    else:
        fill = None if fill_value is None else np.asarray(fill_value, dtype=dtype).tobytes()
    return (
        _sizes(chunks, "chunks") if ndim else [],
        None if compressor is None else _config_json(compressor),
        [_config_json(f) for f in (filters or [])], _order(order), fill, dimension_separator, int(zarr_format),
        None if shards is None else _sizes(shards, "shards"), None if grid is None else json.dumps(grid),
        bool(overwrite), attributes_json(attributes),
    )


def info(path: str | os.PathLike) -> ArrayInfo:
    """The shape, chunks, dtype, order, Zarr format and shard shape of the store at ``path``."""
    return Array(path).info


def load(store, path: str | None = None, zarr_format: int | None = None, *, out=None, threads: int | None = None,
         max_bytes: int = DEFAULT_MAX_ARRAY_BYTES):
    """Read the whole Zarr array (format 2 or 3) at ``store`` (``path`` inside it) into a new NumPy array
    (into ``out`` when given), as zarr-python's ``zarr.load``; of a group, a dict of its arrays' data
    by name (zarr-python 2's; zarr-python 3 raises ``NotImplementedError`` there). ``max_bytes``
    bounds what the untrusted metadata can make brickwork allocate: the array (unless ``out`` is given)
    and the buffer each chunk is decoded in."""
    directory, _ = _node(store, path)
    _expect_format(directory, _check_format(zarr_format))
    kind = node_kind(directory)
    if kind is not None and kind[0] == "group":
        if out is not None:
            raise InvalidArrayError("out= is for an array; this is a group")
        return {name: a.read(threads=threads) for name, a in Group(directory, max_bytes=max_bytes).arrays()}
    return Array(directory, max_bytes=max_bytes).read(out=out, threads=threads)


def _expect_format(directory: str, zarr_format: int | None) -> None:
    """A node of ``zarr_format`` is at ``directory`` (or none is): zarr-python looks only for that format."""
    kind = node_kind(directory)
    if zarr_format is not None and kind is not None and kind[1] != zarr_format:
        raise InvalidArrayError(f"{_remote.shown(directory)} holds a Zarr v{kind[1]} {kind[0]}, not v{zarr_format} as "
                                "zarr_format says")


def open(store=None, mode: str | None = None, *, zarr_format: int | None = None, path: str | None = None,
         storage_options=None, config=None, max_bytes: int = DEFAULT_MAX_ARRAY_BYTES, **kwargs) -> Array | Group:
    """Open the Zarr array (format 2 or 3) at ``store`` (``path`` inside it) for reading (``mode="r"``)
    or for reading and writing (``"r+"``, or ``"a"``), see :class:`Array`; or the group there (see
    :class:`Group`), as ``zarr.open``. With ``mode="w"`` or ``"w-"``, or ``"a"`` and nothing at
    ``path``, the array :func:`create`'s keyword arguments (``shape=``, ``dtype=``, ...) describe is
    created, as ``zarr.open(path, mode="w", shape=...)`` does (a group when no ``shape`` is given).
    Without a mode, as ``zarr.open``: ``"a"`` (what is there opens for reading and writing; nothing there,
    a group is made, or the array ``shape=`` describes), or ``"r"`` of a read-only store."""
    store = _in_memory(store, path)
    if mode is None:
        # as zarr-python: a read-only store opens read-only unless told otherwise
        mode = "r" if getattr(store, "read_only", False) is True else "a"
    directory, name = _node(store, path, storage_options, mode=mode)
    _check_format(zarr_format)
    _check_config(config)
    if mode in ("w", "w-") or (mode == "a" and node_kind(directory) is None):
        if "shape" not in kwargs:  # as zarr-python: without a shape, a group
            group = open_group(directory, mode=mode, zarr_format=zarr_format, max_bytes=max_bytes, **kwargs)
            group._name = name
            return group
        return open_array(directory, mode=mode, zarr_format=zarr_format, max_bytes=max_bytes, config=config,
                          _name=name, **kwargs)
    _creation_only(kwargs)  # as zarr-python: what would create an array is unused when one is there
    if mode not in ("r", "r+", "a"):
        raise InvalidArrayError(f'mode must be "r", "r+", "a", "w" or "w-", got {mode!r}')
    _expect_format(directory, zarr_format)
    mode = "r+" if mode == "a" else mode
    kind = node_kind(directory)
    if kind is not None and kind[0] == "group":
        return Group(directory, mode=mode, max_bytes=max_bytes, name=name)
    array = Array(directory, mode=mode, max_bytes=max_bytes, name=name)
    array._config = ArrayConfig.parse(config, array._config)
    return array


def _creation_only(kwargs: dict) -> None:
    """``open``'s and ``open_array``'s keywords for creating an array are :func:`create`'s."""
    unknown = sorted(set(kwargs) - set(inspect.signature(create).parameters))
    if unknown:
        raise TypeError(f"unexpected keyword arguments {', '.join(unknown)} (open takes create's)")


def open_array(store=None, *, zarr_format: int | None = None, path: str = "", storage_options=None, config=None,
               mode: str = "a", max_bytes: int = DEFAULT_MAX_ARRAY_BYTES, _name: str | None = None,
               **kwargs) -> Array:
    """zarr-python's ``zarr.open_array``, on a directory store: ``mode="r"`` reads, ``"r+"`` and ``"a"``
    read and write an existing array (``"a"`` creates it from ``kwargs``, :func:`create`'s, when
    there is none), ``"w-"`` creates it (an error if something is there), ``"w"`` creates it replacing
    a node that is there."""
    store = _in_memory(store, path)
    if getattr(store, "read_only", False) is True and mode == "a":
        mode = "r"  # as zarr-python: a read-only store opens read-only unless told otherwise
    directory, name = _node(store, path or None, storage_options, mode=mode)
    _check_format(zarr_format)
    _check_config(config)
    name = _name or name
    if mode in ("w", "w-") or (mode == "a" and node_kind(directory) is None):
        if "shape" not in kwargs:  # (with mode "a", zarr-python's error: nothing found)
            error = errors.ArrayNotFoundError if mode == "a" else InvalidArrayError
            raise error(f"no Zarr array at {_remote.shown(directory)}: creating one needs shape= (and dtype=, ...)")
        array = create(store=directory, zarr_format=zarr_format, mode=mode, max_bytes=max_bytes, config=config,
                       **kwargs)
        array._name = name
        return array
    if mode not in ("r", "r+", "a"):
        raise InvalidArrayError(f'mode must be "r", "r+", "a", "w" or "w-", got {mode!r}')
    _creation_only(kwargs)
    _expect_format(directory, zarr_format)
    kind = node_kind(directory)
    if kind is None:
        raise errors.ArrayNotFoundError(f"no Zarr array at {_remote.shown(directory)} (a Zarr v2 array has a "
                                        ".zarray, a v3 array a zarr.json)")
    if kind[0] == "group":
        raise errors.NodeTypeValidationError(f"{_remote.shown(directory)} holds a Zarr v{kind[1]} group, not an "
                                             "array (open it with open_group)")
    array = Array(directory, mode="r" if mode == "r" else "r+", max_bytes=max_bytes, name=name)
    array._config = ArrayConfig.parse(config, array._config)
    return array


def open_consolidated(*args, use_consolidated=True, **kwargs) -> Group:
    """zarr-python's ``zarr.open_consolidated``: :func:`open_group`, its mode ``"a"`` unless given, as
    zarr-python's (brickwork reads each member's own metadata, so consolidated metadata is not needed to
    open the group)."""
    return open_group(*args, use_consolidated=use_consolidated, **kwargs)


def from_array(store, *, data, write_data: bool = True, name: str | None = None, chunks="keep", shards="keep",
               filters="keep", compressors="keep", serializer="keep", fill_value=_DEFAULT, order=None,
               zarr_format: int | None = None, attributes=None, chunk_key_encoding=None, dimension_names=None,
               storage_options=None, overwrite: bool = False, config=None,
               max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> Array:
    """zarr-python's ``zarr.from_array``: a new array at ``store`` (``name`` inside it) like ``data``,
    holding its elements (unless ``write_data=False``). From a Zarr array (brickwork's or zarr-python's),
    ``"keep"`` keeps its chunks, shards, filters and compressors, its fill value, attributes, dimension
    names and format; its data is copied a slab of chunks at a time, so it need not fit in memory. From
    anything else (NumPy), ``"keep"`` means zarr-python's defaults."""
    _check_config(config)
    source = data
    zarr_source = _is_zarr_array(source)
    if not zarr_source:
        data = np.asarray(data)
    keep = {}
    if zarr_source:
        keep = dict(**_grid_of(source),
                    filters=list(source.filters or ()), compressors=list(source.compressors or ()),
                    fill_value=source.fill_value, attributes=dict(source.attrs),
                    dimension_names=(getattr(source, "dimension_names", None)
                                     or getattr(getattr(source, "metadata", None), "dimension_names", None)),
                    zarr_format=_format_of(source))
    picked = {}
    for key, value, default in (("chunks", chunks, "auto"), ("shards", shards, None), ("filters", filters, "auto"),
                                ("compressors", compressors, "auto")):
        picked[key] = keep.get(key, default) if isinstance(value, str) and value == "keep" else value
    if not (isinstance(serializer, str) and serializer == "keep"):
        _check_serializer(serializer)
    fill_value = keep.get("fill_value", _DEFAULT) if fill_value is _DEFAULT else fill_value
    attributes = keep.get("attributes") if attributes is None else attributes
    dimension_names = keep.get("dimension_names") if dimension_names is None else dimension_names
    zarr_format = _check_format(zarr_format) or keep.get("zarr_format") or _config.config.get("default_zarr_format")
    if zarr_format == 2:
        dimension_names = None if zarr_source else dimension_names
        picked["shards"] = None if zarr_source else picked["shards"]
    array = create_array(store, name=name, shape=source.shape, dtype=source.dtype, fill_value=fill_value,
                         order=order, zarr_format=zarr_format, attributes=attributes or None,
                         chunk_key_encoding=chunk_key_encoding, dimension_names=dimension_names,
                         storage_options=storage_options, overwrite=overwrite, max_bytes=max_bytes,
                         config=config, **picked)
    if write_data:
        if zarr_source:
            # a slab of chunk files (shards) at a time
            starts = np.cumsum((0,) + array.write_chunk_sizes[0]) if array.ndim else (0, 1)
            for start, stop in zip(starts[:-1], starts[1:]):
                key = (slice(int(start), int(stop)),) if array.ndim else ...
                array[key] = source[key]
        else:
            array[...] = data
    return array


def _grid_of(source) -> dict:
    """The ``chunks`` and ``shards`` that make a new array's grid the Zarr array ``source``'s (a rectilinear
    grid's as lists of lengths: its ``chunks`` or ``shards`` are NotImplementedError, as zarr-python's)."""
    try:
        chunks = tuple(source.chunks)
    except NotImplementedError:
        chunks = [list(sizes) for sizes in source.read_chunk_sizes]
    try:
        shards = getattr(source, "shards", None)
    except NotImplementedError:
        shards = [list(sizes) for sizes in source.write_chunk_sizes]
    return {"chunks": chunks, "shards": shards}


def _is_zarr_array(a) -> bool:
    """Whether ``a`` is brickwork's or zarr-python's array (whose settings "keep" and ``*_like`` copy)."""
    return isinstance(a, Array) or type(a).__module__.startswith("zarr")


def _format_of(a) -> int:
    """The Zarr format of brickwork's or zarr-python's array."""
    return a.zarr_format if isinstance(a, Array) else a.metadata.zarr_format


def _like(a, zarr_format: int | None, kwargs: dict) -> dict:
    """zarr-python's ``*_like`` arguments: ``a``'s shape, chunks and dtype; of a Zarr array also its fill
    value, and its order, compressor and filters when the new array has its format; ``kwargs`` win."""
    like = {"shape": np.shape(a) if not hasattr(a, "shape") else tuple(a.shape)}
    if getattr(a, "chunks", None) is not None and not isinstance(a, np.ndarray):
        # (a Dask array's chunks are the block sizes along each axis: the first of each)
        like["chunks"] = tuple(c[0] if isinstance(c, tuple) else c for c in a.chunks)
    if hasattr(a, "dtype"):
        like["dtype"] = a.dtype
    if _is_zarr_array(a):
        like["fill_value"] = a.fill_value
        source_format = _format_of(a)
        zarr_format = zarr_format or source_format
        if zarr_format == source_format:
            like["order"] = a.order
            like["compressor"] = a.compressors[0] if a.compressors else None
            like["filters"] = list(a.filters or ())
    if zarr_format is not None:
        like["zarr_format"] = zarr_format
    return like | kwargs


def empty_like(a, *, zarr_format: int | None = None, **kwargs) -> Array:
    """zarr-python's ``zarr.empty_like``: :func:`empty` with ``a``'s shape, chunks and dtype (and of a
    Zarr array its fill value, order, compressor and filters); keywords are :func:`create`'s."""
    return empty(**_like(a, zarr_format, kwargs))


def zeros_like(a, *, zarr_format: int | None = None, **kwargs) -> Array:
    """zarr-python's ``zarr.zeros_like``: :func:`empty_like` filled with 0."""
    return zeros(**_like(a, zarr_format, kwargs) | {"fill_value": 0})


def ones_like(a, *, zarr_format: int | None = None, **kwargs) -> Array:
    """zarr-python's ``zarr.ones_like``: :func:`empty_like` filled with 1."""
    return ones(**_like(a, zarr_format, kwargs) | {"fill_value": 1})


def full_like(a, *, zarr_format: int | None = None, **kwargs) -> Array:
    """zarr-python's ``zarr.full_like``: :func:`empty_like` filled with ``fill_value`` (``a``'s when not
    given)."""
    like = _like(a, zarr_format, kwargs)
    if "fill_value" not in like:
        raise InvalidArrayError("full_like needs fill_value= (a has none)")
    return full(**like)


def open_like(a, path, *, zarr_format: int | None = None, **kwargs) -> Array:
    """zarr-python's ``zarr.open_like``: :func:`open_array` at ``path`` (a directory), creating there,
    when nothing is, an array with ``a``'s shape, chunks and dtype (and of a Zarr array its fill
    value)."""
    like = {k: v for k, v in _like(a, 3, {}).items() if k in ("shape", "chunks", "dtype", "fill_value")}
    if zarr_format is not None:
        like["zarr_format"] = zarr_format
    return open_array(path, **(like | kwargs))


def tree(grp, expand=None, level: int | None = None):
    """zarr-python's ``zarr.tree``: ``grp.tree(expand, level)``."""
    return grp.tree(expand=expand, level=level)


def group(store=None, *, overwrite: bool = False, chunk_store=None, cache_attrs=None, synchronizer=None,
          path: str | None = None, zarr_format: int | None = None, meta_array=None, attributes=None,
          storage_options=None) -> Group:
    """zarr-python's ``zarr.group``: the group at ``store`` (``path`` inside it), open for writing,
    created (Zarr v3 unless ``zarr_format=2``) when there is none, or replacing what is there with
    ``overwrite=True``."""
    _ignored(chunk_store=chunk_store, cache_attrs=cache_attrs, synchronizer=synchronizer, meta_array=meta_array)
    return open_group(_in_memory(store, path), mode="w" if overwrite else "a", path=path, zarr_format=zarr_format,
                      attributes=attributes, storage_options=storage_options)


def _not_offered(name: str, why: str):
    def refuse(*args, **kwargs):
        raise NotImplementedError(f"brickwork.zarr.{name}: {why}")

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"Not offered: {why}"
    return refuse


copy = _not_offered("copy", "not implemented in zarr-python 3 either; copy arrays with from_array")
copy_all = _not_offered("copy_all", "not implemented in zarr-python 3 either; copy arrays with from_array")
copy_store = _not_offered("copy_store", "not implemented in zarr-python 3 either; copy the directory")


def print_debug_info() -> None:
    """The versions of brickwork and of the packages around it, as zarr-python's ``print_debug_info``."""
    import platform
    import sys
    from importlib import metadata

    print(f"platform: {platform.platform()}")
    print(f"python: {sys.version.split()[0]}")
    print(f"brickwork: {_native.__version__}")
    for package in ("numpy", "numcodecs", "zarr", "dask", "xarray"):
        try:
            print(f"{package}: {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            print(f"{package}: not installed")


class Array:
    """A Zarr array (format 2 or 3), indexed like a NumPy array.

    ``a[key]`` takes what NumPy's basic indexing takes: integers (negative ones count from the end),
    slices with any step (negative too), ``...`` and ``None``; it returns a new NumPy array, read in
    parallel from only the chunk files the region touches (of a sharded array, only the index and the
    inner chunks it needs). ``a.read(key, out=..., threads=...)`` does the same into an existing array.
    Opened with ``mode="r+"``, ``a[key] = values`` (or ``a.write(key, values, threads=...)``) writes
    the region: ``values`` is cast to the array's dtype and broadcast to the region's shape as NumPy
    assignment does.

    Fancy indexing is zarr-python's: ``a.oindex[key]`` (orthogonal: a list, integer array or boolean
    array along any axis selects along that axis alone) and ``a.vindex[key]`` (coordinates: one integer
    array per axis, broadcast together, naming points; or a boolean mask of the array's shape), read and
    written, with the ``get_*_selection``/``set_*_selection`` methods. ``a[key]`` with lists or arrays
    chooses between them by zarr-python's rules: a mask, or integer arrays along every axis, are points;
    a list along one axis (or lists along every axis) is orthogonal. The metadata is read once, when the
    array is opened.
    """

    def __init__(self, path: str | os.PathLike, *, mode: str = "r", max_bytes: int = DEFAULT_MAX_ARRAY_BYTES,
                 name: str = "/"):
        if mode not in ("r", "r+"):
            raise InvalidArrayError(f'mode must be "r" (read) or "r+" (read and write), got {mode!r}')
        self._pid = os.getpid()  # (the process the array was opened in: see ``_here``)
        self._path = store_path(path)
        self.mode = mode
        self.max_bytes = int(max_bytes)
        self._name = name
        self._memory = _memory.owner(self._path)  # a store in memory lives while its arrays and groups do
        # the remote store the array is in (its chunks fetched for each read, put for each write), or None
        self._remote_ = _remote.of(self._path)
        if self._remote_ is not None:
            self._remote_.describe(self._path, again=True)  # (what the store holds now)
        self._load()
        # what reads return is laid out in the configured order (zarr-python's array.order, "C"), or, of a
        # Zarr v2 array, in its own order unless the configuration says otherwise
        order = _config.config.get("array.order")
        self._config = ArrayConfig(order=self.order if self.zarr_format == 2 and order == "C" else order,
                                   write_empty_chunks=bool(_config.config.get("array.write_empty_chunks")),
                                   read_missing_chunks=bool(_config.config.get("array.read_missing_chunks")))

    @property
    def config(self) -> ArrayConfig:
        """The array's runtime settings (zarr-python's ``ArrayConfig``: ``order`` is the memory order of
        what reads return)."""
        return self._config

    def with_config(self, config) -> Array:
        """This array with other runtime settings (a dict or an :class:`ArrayConfig`), as zarr-python's
        ``with_config``; the store is shared."""
        other = _copy.copy(self)
        other._config = ArrayConfig.parse(config, self._config)
        return other

    @classmethod
    def open(cls, store, *, mode: str = "r", **kwargs) -> Array:
        """zarr-python's ``Array.open``: the array at ``store`` (see :func:`open_array`)."""
        return open_array(store, mode=mode, **kwargs)

    def _here(self) -> None:
        """The array, opened in a process this one was forked from, made this process's: of a remote
        store's array, the array in this process's mirror of the store (see ``_remote.Remote.here``)."""
        self._pid = os.getpid()
        if self._remote_ is not None and self._remote_.pid != self._pid:
            self._path = _remote.here(self._path)
            self._memory = self._remote_ = _remote.of(self._path)
            self._remote_.describe(self._path, again=True)
            self._load()

    @property
    def path(self) -> str:
        """The directory the array is in (zarr-python's ``path`` is the path inside the store: here
        ``name``); of a remote store or a dict, in brickwork's mirror of it."""
        if self._pid != os.getpid():
            self._here()
        return self._path

    @property
    def _remote(self):
        """The remote store (or dict) the array is in, as ``_remote.Remote``, or None."""
        if self._pid != os.getpid():
            self._here()
        return self._remote_

    @property
    def _handle(self):
        """The native side's array."""
        if self._pid != os.getpid():
            self._here()
        return self._handle_

    def _load(self) -> None:
        """Reads (again) the metadata."""
        self._handle_ = _native.ZarrHandle(self.path)
        shape, chunks, dtype, order, zarr_format, shards, fill = self._handle.info()
        stored = _dtype_from_native(dtype)
        # a v3 array stored big-endian (its `bytes` codec says so) reads in native byte order, as
        # zarr-python's does: the chunks' bytes are swapped as they are read and written
        self._stored = stored if zarr_format == 3 and not stored.isnative else None
        self.info = ArrayInfo(tuple(shape), tuple(chunks), stored.newbyteorder("=") if self._stored else stored,
                              order, zarr_format, None if shards is None else tuple(shards))
        self._fill = fill
        self._items_order = order
        # the grids: of the chunk files (shards, of a sharded array), and of what is decoded on its own
        # (inner chunks); a rectilinear grid's chunks each have their own lengths
        grid = json.loads(self._handle.chunk_grid())
        rectilinear = grid.get("name") == "rectilinear"
        self._file_axes = _chunk_grid.axes_of(self.info.shape, grid, self.info.shards or self.info.chunks)
        self._axes = (self._file_axes if shards is None
                      else _chunk_grid.axes_of(self.info.shape, None, self.info.chunks))
        if rectilinear:  # no one shape: zarr-python's info says "<variable>"
            self.info = self.info._replace(**{"chunks" if shards is None else "shards": _VARIABLE})
        if self.info.dtype.hasobject:
            # variable-length items: the fill value is a JSON value, not bytes (v2 "", v3 ""; base64 for
            # bytes items, as zarr-python writes it); chunks of items are in the inner chunks' order, for a
            # sharded array
            filters, _, self._items_order = self._handle.codecs()
            self._fill = self._metadata().get("fill_value")
            if filters and json.loads(filters[0]).get("id") == "vlen-bytes" and isinstance(self._fill, str):
                self._fill = _bytes_fill(self._fill)

    shape = property(lambda self: self.info.shape, doc="The array's shape.")
    @property
    def chunks(self) -> tuple:
        """The chunk shape (of a sharded array: the inner chunks). An array whose chunks vary (a rectilinear
        grid, unsharded) has none: NotImplementedError, as zarr-python (see :attr:`read_chunk_sizes`)."""
        if self.info.chunks == _VARIABLE:
            raise NotImplementedError("The `chunks` attribute is only defined for arrays using regular chunk "
                                      "grids. This array has a rectilinear chunk grid. Use `read_chunk_sizes` "
                                      "for general access.")
        return self.info.chunks

    @property
    def shards(self) -> tuple | None:
        """The shard shape of a sharded array, else None; shards that vary (a rectilinear grid) have none:
        NotImplementedError, as zarr-python (see :attr:`write_chunk_sizes`)."""
        if self.info.shards == _VARIABLE:
            raise NotImplementedError("The `shards` attribute is only defined for arrays using regular chunk "
                                      "grids. This array has a rectilinear chunk grid. Use `write_chunk_sizes` "
                                      "for general access.")
        return self.info.shards

    dtype = property(lambda self: self.info.dtype, doc="The dtype.")
    order = property(lambda self: self.info.order, doc='The element order inside chunks, "C" or "F".')
    zarr_format = property(lambda self: self.info.zarr_format, doc="2 or 3.")
    ndim = property(lambda self: len(self.info.shape), doc="Number of dimensions.")
    size = property(lambda self: int(np.prod(self.info.shape, dtype=object)), doc="Number of elements.")
    nbytes = property(lambda self: self.size * self.info.dtype.itemsize, doc="Bytes of the whole array.")
    read_only = property(lambda self: self.mode == "r", doc="Whether the array was opened for reading only.")
    name = property(lambda self: self._name, doc='The path of the array in its store, from "/" (zarr-python\'s).')
    basename = property(lambda self: self._name.rsplit("/", 1)[-1], doc="The last part of the name.")

    store = property(lambda self: store_of(self.path, self._name),
                     doc="The store the array was opened from (its root: the array's own directory unless it "
                         "was opened by a path inside the store, or as a group's member): a directory; a store "
                         "in a dict, the dict; a remote store, brickwork's FsspecStore or ObjectStore of it.")

    store_path = property(lambda self: storage.StorePath(self.store, self._name),
                          doc="The array's store and its path in it (zarr-python's ``StorePath``).")

    def nbytes_stored(self) -> int:
        """Bytes of the files under the array's directory (its metadata and chunks), as zarr-python's (of a
        remote store, as its filesystem counts them)."""
        if self._remote is not None:
            return int(self._remote.fs.du(self._remote.url(self._remote.rel(self.path))))
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(self.path) for f in files)

    @property
    def compressor(self):
        """The compressor of a Zarr v2 array (a brickwork codec, or None); zarr-python's, deprecated there
        for ``compressors``. Zarr v3 arrays have none: a TypeError, as zarr-python."""
        if self.zarr_format != 2:
            raise TypeError("`compressor` is not available for Zarr format 3 arrays.")
        return self.compressors[0] if self.compressors else None

    @property
    def serializer(self) -> dict | None:
        """A Zarr v3 array's array-to-bytes codec, as its metadata spells it (``{"name": "bytes", ...}``,
        ``"vlen-utf8"``, ``"sharding_indexed"``); None in v2."""
        if self.zarr_format != 3:
            return None
        for codec in self._metadata().get("codecs", []):
            spec = {"name": codec} if isinstance(codec, str) else codec
            if spec.get("name") not in ("transpose",):
                return spec
        return None

    @property
    def metadata(self) -> Metadata:
        """The array's metadata document (``.zarray`` or ``zarr.json``), read now: a dict whose keys are
        also attributes (``a.metadata.zarr_format``), as zarr-python's metadata classes' fields; a v2
        array's ``.zattrs`` as its ``attributes``, as zarr-python's ``ArrayV2Metadata`` has them."""
        meta = self._metadata()
        if self.zarr_format == 2:
            meta["attributes"] = self._read_attrs()
        return Metadata(meta)

    @property
    def read_chunk_sizes(self) -> tuple:
        """The sizes of the chunks along each axis (inner chunks, of a sharded array), the last ones cut
        to the array's shape (Dask's ``chunks``; zarr-python's)."""
        return tuple(axis.sizes() for axis in self._axes)

    @property
    def write_chunk_sizes(self) -> tuple:
        """As :attr:`read_chunk_sizes`, of the chunk files (shards, of a sharded array)."""
        return tuple(axis.sizes() for axis in self._file_axes)

    def info_complete(self) -> ArrayInfo:
        """:attr:`info` (zarr-python's also counts the stored bytes: :meth:`nbytes_stored`)."""
        return self.info

    @property
    def cdata_shape(self) -> tuple:
        """Chunks (inner chunks, of a sharded array) along each axis, as zarr-python's."""
        return tuple(axis.nchunks for axis in self._axes)

    @property
    def nchunks(self) -> int:
        """How many chunks (inner chunks, of a sharded array) the array has."""
        return int(np.prod(self.cdata_shape, dtype=object))

    @property
    def nchunks_initialized(self) -> int:
        """How many of them have been written, as zarr-python counts them (read now from the store): the
        chunk files there are; of a sharded array, the chunks of each shard file there is, at the shard's
        full size (whatever inner chunks it holds, and of a shard at the array's end, those beyond the
        end too: the count may exceed ``nchunks``)."""
        if self._remote is None and self.info.shards is None:
            return self._handle.initialized_chunks()
        listed = [at for _, at in self._stored_files() if at is not None and self._in_grid(at)]
        if self.info.shards is None:
            return len(listed)
        return sum(int(np.prod([-(-axis.length(g) // c) for axis, g, c in zip(self._file_axes, at, self.info.chunks)]))
                   for at in listed)

    @property
    def compressors(self) -> tuple:
        """The codecs the (inner) chunks' bytes go through, as brickwork codec objects."""
        from ..codecs import get_codec

        _, compressor, _ = self._handle.codecs()
        return () if compressor is None else (get_codec(json.loads(compressor)),)

    @property
    def filters(self) -> tuple:
        """The filters before them, as brickwork codec objects."""
        from ..codecs import get_codec

        filters, _, _ = self._handle.codecs()
        return tuple(get_codec(json.loads(f)) for f in filters)

    @property
    def dimension_names(self) -> tuple | None:
        """The names of the axes a Zarr v3 array's metadata gives (``dimension_names``), else None."""
        if self.zarr_format != 3:
            return None
        names = self._metadata().get("dimension_names")
        return None if names is None else tuple(names)

    @property
    def attrs(self) -> Attributes:
        """The user attributes stored with the array (v2: ``.zattrs``; v3: ``zarr.json``'s
        ``attributes``), read when asked for; opened with ``mode="r+"``, ``a.attrs[key] = value``,
        ``del a.attrs[key]``, ``a.attrs.update(...)`` and ``a.attrs.put(dict)`` write them (zarr-python's
        ``Attributes``)."""
        return Attributes(self)

    def _read_attrs(self) -> dict:
        return read_attributes(self.path, self.zarr_format)

    def _write_attrs(self, attributes: dict) -> None:
        self._writable()
        with _remote.node_writes(self.path):
            self._handle.write_attributes(attributes_json(attributes) or "{}")

    def update_attributes(self, new_attributes: dict) -> Array:
        """Adds ``new_attributes`` to the user attributes (zarr-python's ``update_attributes``); returns
        the array."""
        self.attrs.update(new_attributes)
        return self

    def resize(self, *new_shape) -> None:
        """Change the array's shape (zarr-python's ``resize``: ``a.resize((100, 200))`` or
        ``a.resize(100, 200)``; the number of dimensions stays). Chunks wholly outside the new shape are
        deleted; elements beyond it in chunks it cuts through are set to the fill value, so that growing
        the array again shows the fill value there (zarr-python leaves the old values); the metadata
        file is rewritten with the new shape, everything else in it kept."""
        self._writable()
        shape = new_shape[0] if len(new_shape) == 1 and np.ndim(new_shape[0]) else new_shape
        try:
            shape = tuple(operator.index(n) for n in shape)
        except TypeError:
            raise InvalidArrayError(f"a shape is a sequence of integers, got {new_shape!r}") from None
        if any(n < 0 for n in shape):
            raise InvalidArrayError(f"shape must hold sizes of at least 0, got {shape}")
        if len(shape) != self.ndim:
            raise InvalidArrayError(f"an array of {self.ndim} dimensions is resized to a shape of as many; "
                                    f"got {shape}")
        if self._remote is None:
            self._handle.resize(list(shape), self.max_bytes, None)
            self._load()
            return
        # of a remote store: the chunk files the new shape cuts through are fetched, cut and put back, and
        # those wholly outside it deleted from the store
        shrinks = any(n < old for n, old in zip(shape, self.shape))
        with _remote.node_writes(self.path), self._writing(lambda: ((c, False) for c in self._cut_by(shape))):
            self._handle.resize(list(shape), self.max_bytes, None)
        self._load()
        if shrinks:  # (a growing array, as append makes it, has nothing outside: the store is not listed)
            self._remote.delete([f"{self._remote.rel(self.path)}/{name}".lstrip("/")
                                 for name, at in self._stored_files() if at is not None and not self._in_grid(at)])

    def _cut_by(self, shape: tuple) -> set:
        """The grid positions of the chunk files (shards, of a sharded array) that a resize to ``shape``
        cuts through: inside the new shape on every axis, and holding elements beyond it on one that
        shrinks."""
        kept = [range(grid.index_of(min(n, old) - 1) + 1) if min(n, old) else range(0)
                for grid, n, old in zip(self._file_axes, shape, self.shape)]
        cut = set()
        for a, (grid, n, old) in enumerate(zip(self._file_axes, shape, self.shape)):
            if 0 < n < old and grid.start(grid.index_of(n)) < n:
                cut.update(itertools.product(*[[grid.index_of(n)] if b == a else kept[b]
                                               for b in range(self.ndim)]))
        return cut

    def _stored_files(self) -> list:
        """The files the store has under the array (of a remote store, as it lists them), each with the
        grid position of the chunk (shard) it is named as, or None (metadata, other files)."""
        # the chunk key encoding, from a key: its prefix, separator and suffix around the grid position
        mark = "987654321"
        parts = self._handle.chunk_key([int(mark)] * self.ndim).split(mark)
        prefix, suffix = parts[0], parts[-1]
        separator = parts[1] if self.ndim > 1 else None
        found = []
        if self._remote is not None:
            names = self._remote.files(self.path)
        else:
            names = [os.path.relpath(os.path.join(folder, f), self.path).replace(os.sep, "/")
                     for folder, _, files in os.walk(self.path) for f in files]
        for name in names:
            at = None
            if not self.ndim:
                at = [] if name == prefix else None
            elif name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
                body = name[len(prefix):len(name) - len(suffix)]
                fields = [body] if separator is None else body.split(separator)
                if len(fields) == self.ndim and all(f.isdigit() for f in fields):
                    at = [int(f) for f in fields]
            found.append((name, at))
        return found

    def _in_grid(self, at: list) -> bool:
        """Whether the chunk file (shard) grid position ``at`` is one of the array's."""
        return all(g < grid.nchunks for g, grid in zip(at, self._file_axes))

    def append(self, data, axis: int = 0) -> tuple:
        """Append ``data`` along ``axis`` (zarr-python's ``append``): the array grows by
        ``data.shape[axis]`` and ``data`` is written there; the other axes must match. Returns the new
        shape. If the write fails, the array is resized back."""
        self._writable()
        data = np.asanyarray(data)
        if not self.ndim or data.ndim != self.ndim:
            raise InvalidArrayError(f"data of {data.ndim} dimensions cannot be appended to an array of "
                                    f"{self.ndim}")
        axis = operator.index(axis)
        if not -self.ndim <= axis < self.ndim:
            raise InvalidArrayError(f"axis {axis} is out of range for an array of {self.ndim} dimensions")
        axis %= self.ndim
        if any(d != n for i, (d, n) in enumerate(zip(data.shape, self.shape)) if i != axis):
            raise InvalidArrayError(f"data of shape {data.shape} cannot be appended to an array of shape "
                                    f"{self.shape} along axis {axis}: the other axes differ")
        old = self.shape
        new = tuple(n + data.shape[axis] if i == axis else n for i, n in enumerate(old))
        self.resize(new)
        try:
            self.write((slice(None),) * axis + (slice(old[axis], None),), data)
        except BaseException:
            self.resize(old)
            raise
        return self.shape

    def _metadata(self) -> dict:
        """The JSON object in the store's metadata file (``.zarray`` or ``zarr.json``), read now."""
        name = ".zarray" if self.zarr_format == 2 else "zarr.json"
        value = read_json(os.path.join(self.path, name))
        if value is None:
            raise InvalidArrayError(f"{_remote.shown(self.path)}: {name} is gone")
        return value

    @property
    def fill_value(self):
        """What missing chunks read as (a NumPy scalar; a ``str`` of an array of strings), or None when the
        metadata says null."""
        if self._fill is None or self.dtype.hasobject:
            return self._fill
        return np.frombuffer(self._fill, dtype=self._stored or self.dtype).astype(self.dtype)[0]

    def __eq__(self, other) -> bool:
        """The same array (directory) opened with the same mode and settings, as zarr-python's."""
        return (isinstance(other, Array) and os.path.realpath(other.path) == os.path.realpath(self.path)
                and (other.mode, other._config) == (self.mode, self._config))

    def __hash__(self) -> int:
        return hash((os.path.realpath(self.path), self.mode, self._config))

    def __reduce__(self):
        # pickled as what reopens it (Dask's process and distributed schedulers send arrays to workers): its
        # directory, or, in a remote store or a dict, the store (its directory in the mirror would hold no
        # chunks in another process: they would read as the fill value)
        where = _remote.located(self.path) or self.path
        return _reopen, (where, self.mode, self.max_bytes, self._name, self._config)

    def __copy__(self) -> Array:
        other = type(self).__new__(type(self))
        other.__dict__.update(self.__dict__)
        return other

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __repr__(self) -> str:
        shards = "" if self.info.shards is None else f" shards={self.info.shards}"
        return (f"<brickwork.zarr.Array {_remote.shown(self.path)!r} shape={self.shape} dtype={self.dtype} "
                f"chunks={self.info.chunks}{shards} zarr_format={self.zarr_format}>")

    def __getitem__(self, key):
        fields, key = _pop_fields(key)
        if fields is not None:  # a structured dtype's fields, named among the indices (zarr-python's rule)
            data = self[key]
            return _pick_fields(data, fields, self.dtype)
        kind = _kind(key, self.ndim)
        if kind == "vindex":
            return self.get_coordinate_selection(key)
        data = self._read(_plan(key, self.shape, orthogonal=kind == "oindex"), None, None)
        # as NumPy: an element picked by integers alone is a scalar, `a[...]` a 0-d array
        scalar = data.ndim == 0 and not any(k is Ellipsis for k in (key if isinstance(key, tuple) else (key,)))
        return data[()] if scalar else data

    def __setitem__(self, key, values) -> None:
        fields, key = _pop_fields(key)
        if fields is not None:
            values = _merge_fields(self[key], values, fields, self.dtype)
        kind = _kind(key, self.ndim)
        if kind == "vindex":
            self.set_coordinate_selection(key, values)
        else:
            self._write(_plan(key, self.shape, orthogonal=kind == "oindex"), values, None)

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("a Zarr array is read into a new NumPy array; it cannot be had without a copy")
        data = self.read()
        return data if dtype is None else data.astype(dtype, copy=False)

    @property
    def oindex(self) -> _Indexer:
        """Orthogonal selection (zarr-python's ``oindex``): ``a.oindex[[0, 5, 9], :, mask]`` selects, along
        each axis on its own, the indices a 1-d list or array of integers (any order, repeats allowed)
        or booleans names, besides integers, slices and ``...``; ``a.oindex[key] = values`` writes
        them."""
        return _Indexer(self, "oindex")

    @property
    def vindex(self) -> _Indexer:
        """Coordinate and mask selection (zarr-python's ``vindex``): ``a.vindex[rows, cols]`` reads the
        elements at the points the integer arrays name together (broadcast against each other; the
        result has their shape), ``a.vindex[mask]`` those where a boolean array of the array's shape is
        true (a 1-d result); ``a.vindex[key] = values`` writes them."""
        return _Indexer(self, "vindex")

    @property
    def blocks(self) -> _Indexer:
        """Block selection (zarr-python's ``blocks``): ``a.blocks[i, 1:3]`` reads whole chunks (of a
        sharded array, whole shards) by their grid position: integers and slices of step 1 over the
        grid, each keeping its axis; ``a.blocks[key] = values`` writes them."""
        return _Indexer(self, "blocks")

    def read(self, key: Any = ..., *, out=None, threads: int | None = None) -> np.ndarray:
        """The elements ``key`` selects (all of them by default) as a new array in the array's order, or
        written into ``out`` (of the selection's shape and the dtype's item size) and returned."""
        return self._read(_plan(key, self.shape), out, threads)

    def write(self, key: Any, values, *, threads: int | None = None) -> SaveStats:
        """Write ``values`` (cast to the dtype and broadcast to the selection's shape, as NumPy assigns)
        into the elements ``key`` selects; returns what was written (chunks, raw bytes, encoded bytes)."""
        return self._write(_plan(key, self.shape), values, threads)

    # zarr-python's selection methods; ``fields`` picks fields of a structured dtype (a name, or a list
    # of names): reads return those fields, writes change only them (the selection's records are read,
    # updated and written back)

    def get_basic_selection(self, selection: Any = ..., *, out=None, fields=None, prototype=None):
        """``a[selection]`` for integers, slices, ``...`` and ``None``; into ``out`` when given."""
        if fields is not None:
            return _into(out, _pick_fields(self[selection], fields, self.dtype))
        return self[selection] if out is None else self.read(selection, out=out)

    def set_basic_selection(self, selection: Any, value, *, fields=None, prototype=None) -> None:
        """``a[selection] = value`` for integers, slices, ``...`` and ``None``."""
        if fields is not None:
            value = _merge_fields(self[selection], value, fields, self.dtype)
        self.write(selection, value)

    def get_orthogonal_selection(self, selection: Any, *, out=None, fields=None, prototype=None) -> np.ndarray:
        """``a.oindex[selection]``; into ``out`` when given."""
        if fields is not None:
            return _into(out, _pick_fields(self.get_orthogonal_selection(selection), fields, self.dtype))
        return self._read(_plan(selection, self.shape, orthogonal=True), out, None)

    def set_orthogonal_selection(self, selection: Any, value, *, fields=None, prototype=None) -> None:
        """``a.oindex[selection] = value``."""
        if fields is not None:
            value = _merge_fields(self.get_orthogonal_selection(selection), value, fields, self.dtype)
        self._write(_plan(selection, self.shape, orthogonal=True), value, None)

    def get_coordinate_selection(self, selection: Any, *, out=None, fields=None, prototype=None) -> np.ndarray:
        """``a.vindex[selection]`` for integer arrays (one per axis); into ``out`` when given."""
        if fields is not None:
            return _into(out, _pick_fields(self.get_coordinate_selection(selection), fields, self.dtype))
        coords, shape = _points(selection, self.shape)
        return self._read_points(coords, shape, out)

    def set_coordinate_selection(self, selection: Any, value, *, fields=None, prototype=None) -> None:
        """``a.vindex[selection] = value`` for integer arrays (one per axis)."""
        if fields is not None:
            value = _merge_fields(self.get_coordinate_selection(selection), value, fields, self.dtype)
        coords, shape = _points(selection, self.shape)
        self._write_points(coords, shape, value)

    def get_mask_selection(self, mask, *, out=None, fields=None, prototype=None) -> np.ndarray:
        """``a.vindex[mask]`` for a boolean array of the array's shape; into ``out`` when given."""
        if np.asarray(mask).dtype != bool:
            raise IndexError(f"a mask selection takes a boolean array, got {np.asarray(mask).dtype}")
        return self.get_coordinate_selection((mask,), out=out, fields=fields)

    def set_mask_selection(self, mask, value, *, fields=None, prototype=None) -> None:
        """``a.vindex[mask] = value`` for a boolean array of the array's shape."""
        if np.asarray(mask).dtype != bool:
            raise IndexError(f"a mask selection takes a boolean array, got {np.asarray(mask).dtype}")
        self.set_coordinate_selection((mask,), value, fields=fields)

    def get_block_selection(self, selection: Any, *, out=None, fields=None, prototype=None) -> np.ndarray:
        """``a.blocks[selection]``; into ``out`` when given."""
        if fields is not None:
            return _into(out, _pick_fields(self.get_block_selection(selection), fields, self.dtype))
        return self.read(self._block_region(selection), out=out)

    def set_block_selection(self, selection: Any, value, *, fields=None, prototype=None) -> None:
        """``a.blocks[selection] = value``."""
        if fields is not None:
            value = _merge_fields(self.get_block_selection(selection), value, fields, self.dtype)
        self.write(self._block_region(selection), value)

    def _block_region(self, selection: Any) -> tuple:
        """The region (slices) of the blocks ``selection`` names by grid position (zarr-python's block
        indexing: the chunk grid, or the shard grid of a sharded array)."""
        key = selection if isinstance(selection, tuple) else (selection,)
        if sum(k is Ellipsis for k in key) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        if len(key) - (Ellipsis in key) > self.ndim:
            raise IndexError(f"too many block indices for an array of {self.ndim} dimensions")
        if Ellipsis in key:
            at = key.index(Ellipsis)
            key = key[:at] + (slice(None),) * (self.ndim - len(key) + 1) + key[at + 1:]
        key = key + (slice(None),) * (self.ndim - len(key))
        region = []
        for axis, (k, n, grid) in enumerate(zip(key, self.shape, self._file_axes)):
            blocks = grid.nchunks
            if isinstance(k, slice):
                if k.step not in (None, 1):
                    raise IndexError(f"block indexing takes slices of step 1, got step {k.step} along axis {axis}")
                start, stop, _ = k.indices(blocks)
            else:
                i = _integer(k)
                if i is None:
                    raise IndexError(f"block indexing takes integers and slices of step 1, got "
                                     f"{type(k).__name__} {k!r}")
                if not -blocks <= i < blocks:
                    raise errors.BoundsCheckError(f"block index {i} is out of bounds for axis {axis} with {blocks} "
                                                  "blocks")
                start = i % blocks
                stop = start + 1
            # where block g starts (the array's end past the last block)
            first, end = (min(grid.start(g), n) if g < blocks else n for g in (start, max(start, stop)))
            region.append(slice(first, end))
        return tuple(region)

    def _result(self, shape: tuple, out) -> np.ndarray:
        """``out`` checked against a result of ``shape``, or a new array for it (held to ``max_bytes``)."""
        if out is None:
            nbytes = int(np.prod(shape, dtype=object)) * self.dtype.itemsize
            if nbytes > self.max_bytes:
                raise LimitError(
                    f"{_remote.shown(self.path)}: the selection needs {nbytes} bytes, more than "
                    f"max_bytes={self.max_bytes}; pass a larger max_bytes if the store is trusted, or read a "
                    "smaller region")
            return np.empty(shape, dtype=self.dtype, order=self._config.order)
        if not isinstance(out, np.ndarray):
            raise InvalidArrayError(f"out must be a NumPy array, got {type(out).__name__}")
        if (out.shape != tuple(shape) or out.dtype.itemsize != self.dtype.itemsize
                or out.dtype.hasobject != self.dtype.hasobject):
            raise InvalidArrayError(f"out has shape {out.shape} and dtype {out.dtype}; the selection is "
                                    f"{tuple(shape)} {self.dtype}")
        return out

    def _read(self, plan: _Plan, out, threads) -> np.ndarray:
        out = self._result(plan.shape, out)
        if not plan.reorder:
            self._read_view(plan, plan.view(out), threads)
            return out
        # lists out of order or with repeats: their distinct indices read in order, then taken
        selected = self._result(plan.selected_shape(), None)
        self._read_view(plan, selected, threads)
        for axis, inverse in plan.reorder:
            selected = selected.take(inverse, axis=axis)
        plan.view(out)[...] = selected
        return out

    def _read_view(self, plan: _Plan, view: np.ndarray, threads) -> None:
        """Reads the selection into ``view`` (one axis per array axis, the selected shape)."""
        with self._fetched(lambda: itertools.product(*[sorted({g for g, _, _ in _chunk_spans(a, grid)})
                                                       for a, grid in zip(plan.axes, self._axes)])):
            self._check_stored(lambda: (at for at, _ in self._files_of(plan)))
            if self.dtype.hasobject:
                self._read_objects(plan, view)
            else:
                self._handle.read(view, plan.axes, self.max_bytes, _threads(threads))
                self._swap_read(view)

    def _fetched(self, chunks):
        """A context in which the chunks at the grid positions ``chunks()`` gives (of what is decoded on
        its own: inner chunks, of a sharded array) are in the array's directory: of a remote store,
        fetched for the block and removed after it (their chunk files; of a sharded array, each shard's
        index and the inner chunks wanted, by byte ranges; see ``_remote``); of any other, there already
        (``chunks`` is not called)."""
        if self._remote is None:
            return contextlib.nullcontext()
        # no chunk holds more than its elements' bytes and what its codecs add (a little): what a server
        # sends beyond twice that plus 1 MiB is not read (items of variable length have no such bound: of
        # them, what is beyond max_bytes, the most a read decodes)
        largest = int(np.prod([axis.largest() for axis in self._axes], dtype=object)) * self.dtype.itemsize
        limit = self.max_bytes if self.dtype.hasobject else 2 * largest + (1 << 20)
        if self.info.shards is None:
            return self._remote.chunks(self.path, [self._handle.chunk_key(list(c)) for c in chunks()], limit)
        # of a sharded array: per shard, the C-order positions of the inner chunks wanted in its index
        wanted: dict = {}
        for inner in chunks():
            at, local, per_shard = [], [], []
            for g, inner_axis, shard_axis in zip(inner, self._axes, self._file_axes):
                start = inner_axis.start(g)
                s = shard_axis.index_of(start)
                at.append(s)
                local.append((start - shard_axis.start(s)) // inner_axis.size)
                per_shard.append(-(-shard_axis.length(s) // inner_axis.size))
            key = self._handle.chunk_key(at)
            if key not in wanted:
                wanted[key] = (self._handle.shard_index_layout(at), set())
            wanted[key][1].add(int(np.ravel_multi_index(local, per_shard)) if local else 0)
        return self._remote.shards(self.path, wanted, limit, self.max_bytes)

    def _swap_read(self, view: np.ndarray) -> None:
        """The stored bytes just read into ``view`` put in its byte order (see ``_load``): swapped when
        the array is stored big-endian and ``view`` is native."""
        if self._stored is not None and view.dtype.isnative:
            view.byteswap(inplace=True)

    def _write(self, plan: _Plan, values, threads) -> SaveStats:
        self._writable()
        try:
            data = np.broadcast_to(np.asarray(values, dtype=self._stored or self.dtype), plan.shape)
        except ValueError as e:
            raise InvalidArrayError(f"cannot write values of shape {np.shape(values)} into a selection of "
                                    f"shape {plan.shape}: {e}") from None
        view = plan.view(data)
        for axis, inverse in plan.reorder:
            # of repeated indices the last value is written, as NumPy assigns
            last = np.empty(len(plan.axes[axis]), dtype=np.intp)
            last[inverse] = np.arange(len(inverse))
            view = view.take(last, axis=axis)
        with self._writing(lambda: self._files_of(plan)):
            if self.dtype.hasobject:
                return self._write_objects(plan, view)
            self._handle.set_write_empty_chunks(self._config.write_empty_chunks)
            return SaveStats(*self._handle.write(view, plan.axes, self.max_bytes, _threads(threads)))

    def _writing(self, files):
        """A context for a write touching the chunk files (shards, of a sharded array) ``files()`` gives,
        ``(grid position, whether the write covers it whole)``: of a remote store, held for the write,
        fetched first unless covered whole, put into the store after it (see ``_remote``); of any other,
        nothing (``files`` is not called)."""
        if self._remote is None:
            return contextlib.nullcontext()
        keys, fetch = [], set()
        for at, whole in files():
            keys.append(self._handle.chunk_key(list(at)))
            if not whole:
                fetch.add(keys[-1])
        # no file holds more than its elements' bytes, what its codecs add (a little) and a shard's index
        # (16 bytes an inner chunk at most): what a server sends beyond that bound is not read (of items
        # of variable length: beyond max_bytes)
        elements = int(np.prod([axis.largest() for axis in self._file_axes], dtype=object))
        limit = (self.max_bytes if self.dtype.hasobject
                 else 2 * elements * self.dtype.itemsize + 16 * elements + (1 << 20))
        return self._remote.writing(self.path, keys, fetch, limit)

    def _files_of(self, plan: _Plan):
        """The chunk files (shards) a write of ``plan`` touches, each with whether it covers it whole."""
        per_axis = []
        for axis, grid in zip(plan.axes, self._file_axes):
            per_axis.append([(g, taken.stop - taken.start == min(grid.start(g) + grid.length(g), grid.extent)
                              - grid.start(g)) for g, taken, _ in _chunk_spans(axis, grid)])
        for files in itertools.product(*per_axis):
            yield [g for g, _ in files], all(whole for _, whole in files)

    def _slabs(self) -> list:
        """The array cut along its first axis at chunk file (shard) boundaries into slabs of about 64 MiB
        or more (one file thick at least), as selections: what a write into a remote store takes at a
        time."""
        if not self.ndim or not self.size:
            return [...]
        grid = self._file_axes[0]
        row = self.size // self.shape[0] * self.dtype.itemsize
        slabs, start = [], 0
        for g in range(grid.nchunks):
            stop = min(grid.start(g) + grid.length(g), self.shape[0])
            if (stop - start) * row >= _SLAB or g == grid.nchunks - 1:
                slabs.append(slice(start, stop))
                start = stop
        return slabs

    def _writable(self) -> None:
        if self.mode != "r+":
            raise InvalidArrayError(f"{_remote.shown(self.path)} is open for reading only; open it with mode=\"r+\" "
                                    "to write")

    def _read_points(self, coords: np.ndarray, shape: tuple, out) -> np.ndarray:
        out = self._result(shape, out)
        flat = self._result((len(coords),), None)
        def chunks():  # (the chunks that hold the points)
            if not self.ndim or not len(coords):
                return [[]]
            return np.unique(np.stack([grid.indices_of(coords[:, a]) for a, grid in enumerate(self._axes)], axis=1),
                             axis=0).tolist()

        with self._fetched(chunks):
            self._check_stored(lambda: (at for at, _ in self._point_files(coords)))
            self._read_points_here(coords, flat)
        out[...] = flat.reshape(shape)
        return out

    def _check_stored(self, files) -> None:
        """Of an array configured with ``read_missing_chunks=False`` (zarr-python's ``ArrayConfig``): a
        ``ChunkNotFoundError``, naming each, when any of the chunk files (shards, of a sharded array; an
        inner chunk a shard lacks reads as the fill value, as zarr-python's) at the grid positions
        ``files()`` gives is not in the store (the files at hand: see ``_fetched``)."""
        if self._config.read_missing_chunks:
            return
        missing = []
        for at in files():
            key = self._handle.chunk_key(list(at))
            if not os.path.isfile(os.path.join(self.path, *key.split("/"))):
                missing.append(f"  chunk '{key}' (grid position {tuple(at)})")
        if missing:
            raise errors.ChunkNotFoundError(
                f"{len(missing)} chunk(s) not found in store '{_remote.shown(self.path)}'.\nSet the "
                "'array.read_missing_chunks' config to True to fill missing chunks with the fill value.\n"
                "Missing chunks:\n" + "\n".join(missing))

    def _point_files(self, coords: np.ndarray) -> list:
        """The chunk files (shards) holding the points ``coords``, none covered whole (as ``_files_of``)."""
        if not len(coords):
            return []
        if not self.ndim:
            return [([], False)]
        return [(at, False) for at in np.unique(np.stack([grid.indices_of(coords[:, a]) for a, grid
                                                          in enumerate(self._file_axes)], axis=1), axis=0).tolist()]

    def _read_points_here(self, coords: np.ndarray, flat: np.ndarray) -> None:
        """:meth:`_read_points` into the flat ``flat``, the chunks at hand."""
        if self.dtype.hasobject:
            flat[...] = self.fill_value
            for chunk, which, at in self._point_chunks(coords):
                items = self._handle.read_chunk_objects(chunk, self.max_bytes)
                if items is not None:
                    flat[which] = items[at]
        else:
            self._handle.read_points(flat, coords, self.max_bytes, None)
            self._swap_read(flat)

    def _write_points(self, coords: np.ndarray, shape: tuple, values) -> SaveStats:
        self._writable()
        try:
            data = np.broadcast_to(np.asarray(values, dtype=self._stored or self.dtype), shape).reshape(-1)
        except ValueError as e:
            raise InvalidArrayError(f"cannot write values of shape {np.shape(values)} to a coordinate "
                                    f"selection of shape {shape}: {e}") from None
        with self._writing(lambda: self._point_files(coords)):
            return self._write_points_here(coords, data)

    def _write_points_here(self, coords: np.ndarray, data: np.ndarray) -> SaveStats:
        """:meth:`_write_points`, the chunk files at hand."""
        if not self.dtype.hasobject:
            self._handle.set_write_empty_chunks(self._config.write_empty_chunks)
            return SaveStats(*self._handle.write_points(data, coords, self.max_bytes, None))
        chunks = bytes_in = bytes_out = 0
        codec, pending = self._object_codec(), _Pending(self._handle)
        for chunk, which, at in self._point_chunks(coords):
            items = self._handle.read_chunk_objects(chunk, self.max_bytes)
            shape = self._chunk_shape(chunk)
            if items is None:
                items = np.empty(int(np.prod(shape)), dtype=object)
                items[...] = self.fill_value
            items[at] = data[which]
            encoded = codec.encode(items.reshape(shape, order=self._items_order))
            pending.add(chunk, encoded)
            chunks, bytes_in, bytes_out = chunks + 1, bytes_in + len(which), bytes_out + len(encoded)
        pending.flush()
        return SaveStats(chunks, bytes_in, bytes_out)

    def _point_chunks(self, coords: np.ndarray):
        """For every chunk holding a point of ``coords`` (an array of variable-length items): its grid
        position, the point numbers it holds, and their items' positions in the chunk's flat items
        (memory order); points in the order given, so the last of repeated points is written last."""
        grid = np.stack([axis.indices_of(coords[:, a]) for a, axis in enumerate(self._axes)], axis=1)
        order = np.lexsort(grid.T[::-1])
        grid = grid[order]
        starts = np.flatnonzero(np.concatenate([[True], (grid[1:] != grid[:-1]).any(axis=1)]))
        for lo, hi in zip(starts, list(starts[1:]) + [len(order)]):
            which = order[lo:hi]
            chunk = [int(g) for g in grid[lo]]
            local = coords[which] - np.asarray([axis.start(g) for axis, g in zip(self._axes, chunk)], dtype=np.int64)
            at = np.ravel_multi_index(tuple(local.T), self._chunk_shape(chunk), order=self._items_order)
            yield chunk, which, at

    def _chunk_shape(self, coords: list) -> tuple:
        """The shape of the chunk (inner chunk, of a sharded array) at grid position ``coords``: the chunk
        shape, or of a rectilinear grid that chunk's own (a 0-d array: one element)."""
        return tuple(axis.length(g) for axis, g in zip(self._axes, coords)) or (1,)

    def _object_codec(self):
        """The array's chunk pipeline (filters, compressor) as a brickwork codec."""
        from ..codecs import Pipeline

        filters, compressor, _ = self._handle.codecs()
        return Pipeline(filters=[json.loads(f) for f in filters],
                        compressor=None if compressor is None else json.loads(compressor))

    def _read_objects(self, plan: _Plan, view: np.ndarray) -> None:
        """Reads variable-length items (strings or bytes) into the object array ``view`` (the selection's
        shape): chunk by chunk, each decoded in Rust into a flat object array of its items."""
        view[...] = self.fill_value
        for coords, selected, held in self._object_chunks(plan):
            items = self._handle.read_chunk_objects(coords, self.max_bytes)
            if items is not None:  # (no chunk file: the fill value, already there)
                view[selected] = items.reshape(self._chunk_shape(coords), order=self._items_order)[held]

    def _write_objects(self, plan: _Plan, view: np.ndarray) -> SaveStats:
        """Writes variable-length items (``view``: the selection's shape) chunk by chunk: each chunk the
        selection touches is read (missing: the fill value), updated, encoded with the array's codecs
        (brickwork's, in Rust) and replaced atomically."""
        codec, pending = self._object_codec(), _Pending(self._handle)
        chunks = bytes_in = bytes_out = 0
        for coords, selected, held in self._object_chunks(plan):
            items = self._handle.read_chunk_objects(coords, self.max_bytes)
            shape = self._chunk_shape(coords)
            if items is None:
                chunk = np.empty(shape, dtype=object, order=self._items_order)
                chunk[...] = self.fill_value
            else:
                chunk = items.reshape(shape, order=self._items_order)
            chunk[held] = view[selected]
            encoded = codec.encode(chunk)
            pending.add(coords, encoded)
            chunks, bytes_in, bytes_out = chunks + 1, bytes_in + chunk.size, bytes_out + len(encoded)
        pending.flush()
        return SaveStats(chunks, bytes_in, bytes_out)

    def _object_chunks(self, plan: _Plan):
        """For every chunk the selection touches: its grid position, and the indices of the elements it
        holds in the selection's view and in the chunk (shaped ``chunks``; a 0-d array is one chunk of
        one element)."""
        if not self.shape:
            yield [0], (), (0,)
            return
        per_axis = [_chunk_spans(a, axis) for a, axis in zip(plan.axes, self._axes)]
        for spans in itertools.product(*per_axis):
            coords = [g for g, _, _ in spans]
            held = tuple(h for _, _, h in spans)
            if any(isinstance(h, np.ndarray) for h in held):
                # lists along some axis: index every axis with an array, each on its own
                held = np.ix_(*[np.arange(c)[h] if isinstance(h, slice) else h
                                for h, c in zip(held, self._chunk_shape(coords))])
            yield coords, tuple(k for _, k, _ in spans), held


class Attributes(MutableMapping):
    """An array's user attributes (zarr-python's ``Attributes``): read from the store at every access,
    each change written at once (the array must be open with ``mode="r+"``)."""

    def __init__(self, array: Array):
        self._array = array

    def __getitem__(self, key):
        return self._array._read_attrs()[key]

    def __iter__(self):
        return iter(self._array._read_attrs())

    def __len__(self) -> int:
        return len(self._array._read_attrs())

    def __setitem__(self, key, value) -> None:
        self.update({key: value})

    def __delitem__(self, key) -> None:
        attributes = self._array._read_attrs()
        del attributes[key]
        self._array._write_attrs(attributes)

    def update(self, *args, **kwargs) -> None:
        """Adds or replaces several attributes in one write."""
        attributes = self._array._read_attrs()
        attributes.update(*args, **kwargs)
        self._array._write_attrs(attributes)

    def put(self, attributes: dict) -> None:
        """Replaces every attribute with ``attributes``."""
        self._array._write_attrs(dict(attributes))

    def asdict(self) -> dict:
        """The attributes as a new dict."""
        return self._array._read_attrs()

    def __repr__(self) -> str:
        return repr(self._array._read_attrs())


class _Pending:
    """Encoded chunks of items waiting to be written: written together (the inner chunks of one shard in
    one rewrite of its file) when they reach 64 MiB, and at the end."""

    LIMIT = 64 << 20

    def __init__(self, handle):
        self._handle, self._chunks, self._bytes = handle, [], 0

    def add(self, coords, encoded: bytes) -> None:
        self._chunks.append((coords, encoded))
        self._bytes += len(encoded)
        if self._bytes >= self.LIMIT:
            self.flush()

    def flush(self) -> None:
        if self._chunks:
            self._handle.write_encoded_chunks(self._chunks)
        self._chunks, self._bytes = [], 0


class _Indexer:
    """``Array.oindex``, ``Array.vindex`` and ``Array.blocks``: ``[key]`` reads, ``[key] = values``
    writes."""

    def __init__(self, array: Array, kind: str):
        self._array, self._kind = array, kind

    #: the indexer's name → the selection methods' (``get_<name>_selection``, ``set_...``)
    _METHODS = {"vindex": "coordinate", "oindex": "orthogonal", "blocks": "block"}

    def __getitem__(self, key):
        return getattr(self._array, f"get_{self._METHODS[self._kind]}_selection")(key)

    def __setitem__(self, key, values) -> None:
        getattr(self._array, f"set_{self._METHODS[self._kind]}_selection")(key, values)


def _bytes_fill(text: str) -> bytes:
    """The fill value of an array of variable-length bytes from its JSON string: base64, as zarr-python
    writes it (the string's UTF-8 where it is not base64)."""
    import base64
    import binascii

    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode()


def _dtype_to_native(dtype: np.dtype) -> str:
    """The dtype as the native side takes it: ``dtype.str``, or a structured dtype's ``descr`` as JSON
    (the Zarr v2 spelling)."""
    if dtype.names is not None:
        return json.dumps(dtype.descr)
    from ..codecs._base import _native_dtype

    return _native_dtype(dtype)


def _dtype_from_native(spec: str) -> np.dtype:
    """The NumPy dtype of the native side's spelling (``_dtype_to_native``'s inverse)."""
    if not spec.startswith("["):
        return np.dtype(spec)

    def descr(fields: list) -> list:
        return [(f[0], descr(f[1]) if isinstance(f[1], list) else f[1], *(tuple(s) for s in f[2:]))
                for f in fields]

    return np.dtype(descr(json.loads(spec)))


def _v3_records(dtype: np.dtype) -> np.dtype:
    """A structured dtype with little-endian fields (Zarr v3 stores all of a struct's fields in the byte
    order of its ``bytes`` codec, which brickwork writes little-endian, as zarr-python); others as given."""
    return dtype.newbyteorder("<") if dtype.names is not None else dtype


def _pop_fields(key: Any) -> tuple:
    """zarr-python's ``pop_fields``: the field names among an index (a name alone, or names in the tuple)
    and the index without them; ``(None, key)`` when it names none."""
    if isinstance(key, str):
        return key, ()
    if not isinstance(key, tuple) or not any(isinstance(k, str) for k in key):
        return None, key
    fields = [k for k in key if isinstance(k, str)]
    rest = tuple(k for k in key if not isinstance(k, str))
    return (fields[0] if len(fields) == 1 else fields), (rest[0] if len(rest) == 1 else rest)


def _field_names(fields, dtype: np.dtype):
    """``fields`` checked against ``dtype`` as zarr-python checks them (IndexError): a name or a list of
    names of its fields."""
    if not isinstance(fields, (str, list, tuple)):
        raise IndexError(f"'fields' argument must be a string or list of strings; found {type(fields)!r}")
    if dtype.names is None:
        raise IndexError("invalid 'fields' argument, array does not have any fields")
    names = [fields] if isinstance(fields, str) else list(fields)
    missing = [f for f in names if f not in dtype.names]
    if missing:
        raise IndexError(f"invalid 'fields' argument, field not found: {missing[0]!r} "
                         f"(the fields are {', '.join(dtype.names)})")
    return fields if isinstance(fields, str) else names


def _pick_fields(data, fields, dtype: np.dtype):
    """The fields of records read (an array or one record): one field as its own dtype, several as a
    packed structured array of them."""
    names = _field_names(fields, dtype)
    records = np.asarray(data)
    if isinstance(names, str):
        picked = records[names]
    else:
        from numpy.lib import recfunctions

        picked = recfunctions.repack_fields(records[names])
    return picked[()] if np.ndim(data) == 0 and not isinstance(data, np.ndarray) else picked


def _merge_fields(current, value, fields, dtype: np.dtype) -> np.ndarray:
    """Records read (``current``) with ``fields`` set to ``value``: what a write of only those fields
    writes back."""
    names = _field_names(fields, dtype)
    records = np.array(current, dtype=dtype)  # a copy, also of one record
    records[names] = value
    return records


def _into(out, data):
    """``data``, or copied into ``out`` and ``out`` returned."""
    if out is None:
        return data
    out[...] = data
    return out


def _chunk_spans(axis, grid: _chunk_grid.Axis) -> list:
    """Along one axis of a selection (``(start, count, step)``, or strictly increasing indices) and of the
    chunk ``grid``: for every chunk holding some, ``(chunk position, slice of the selection, slice or
    indices of the chunk)``."""
    spans = []
    if not isinstance(axis, tuple):
        if len(axis) == 0:
            return spans
        chunk_of = grid.indices_of(axis)
        starts = [0] + list(np.flatnonzero(np.diff(chunk_of)) + 1)
        for k0, k1 in zip(starts, starts[1:] + [len(axis)]):
            g = int(chunk_of[k0])
            spans.append((g, slice(k0, k1), axis[k0:k1] - grid.start(g)))
        return spans
    start, count, step = axis
    if count == 0:
        return spans
    last = start + (count - 1) * step
    for g in range(grid.index_of(start), grid.index_of(last) + 1):
        lo = grid.start(g)
        hi = min(lo + grid.length(g), grid.extent)
        k0 = max(0, -(-(lo - start) // step))
        k1 = min(count, -(-(hi - start) // step))
        if k0 < k1:
            first = start + k0 * step - lo
            spans.append((g, slice(k0, k1), slice(first, first + (k1 - k0 - 1) * step + 1, step)))
    return spans


def _reopen(where, mode: str, max_bytes: int, name: str = "/", config: ArrayConfig | None = None) -> Array:
    """The array a pickled one names: ``where`` its directory, or where ``_remote.located`` found it."""
    array = Array(where if isinstance(where, str) else _remote.relocated(where), mode=mode, max_bytes=max_bytes,
                  name=name)
    if config is not None:
        array._config = config
    return array


class _Plan(NamedTuple):
    """A NumPy basic index, or an orthogonal index (``oindex``), of an array, as a selection for the
    native reader and writer."""

    #: per array axis: ``(start, count, step)`` with a positive step, or an int64 array of strictly
    #: increasing indices (an orthogonal selection's list)
    axes: list
    #: the result's shape
    shape: tuple
    #: the result axes ``None`` added
    new_axes: list
    #: the array axes an integer picked (dropped from the result)
    picked: list
    #: the array axes read backwards (negative steps)
    flipped: list
    #: ``(array axis, inverse)`` for lists asked for out of order or with repeats: the selection reads
    #: their sorted distinct indices, and ``take(inverse)`` along the axis gives what was asked for
    reorder: list

    def view(self, result: np.ndarray) -> np.ndarray:
        """A view of ``result`` (of the result's shape) with one axis per array axis, each in the
        array's direction: what the native side reads into or writes from."""
        view = result
        if self.new_axes:
            view = view[tuple(0 if i in self.new_axes else slice(None) for i in range(view.ndim)) + (...,)]
        if self.picked:
            view = np.expand_dims(view, self.picked)
        if self.flipped:
            view = view[tuple(slice(None, None, -1) if a in self.flipped else slice(None)
                              for a in range(view.ndim))]
        return view

    def selected_shape(self) -> tuple:
        """Per array axis, how many indices the native side selects (the distinct ones of lists)."""
        return tuple(a[1] if isinstance(a, tuple) else len(a) for a in self.axes)


def _integer(k) -> int | None:
    """``k`` as an integer index (Python and NumPy integers, 0-d integer arrays; not booleans), or None."""
    if isinstance(k, (bool, np.bool_)):
        return None
    try:
        return operator.index(k)
    except TypeError:
        return None


def _is_list_key(k) -> bool:
    """Whether ``k`` is an index list of an orthogonal or coordinate selection: a list, or an array of at
    least one dimension, of integers or booleans (zarr-python's test)."""
    if isinstance(k, np.ndarray):
        return k.ndim > 0 and (k.dtype.kind in "uib")
    return isinstance(k, list) and all(isinstance(i, (int, np.integer, bool, np.bool_)) for i in k)


def _axis_indices(k, n: int, axis: int) -> np.ndarray:
    """The indices a list key picks along an axis of length ``n`` (booleans: where true), negative ones
    counting from the end, checked against the axis."""
    arr = np.asarray(k)
    if arr.ndim != 1:
        raise IndexError(f"an orthogonal index along axis {axis} must be 1-d, got shape {arr.shape}")
    if arr.dtype == bool:
        if len(arr) != n:
            raise IndexError(f"a boolean index along axis {axis} must have the axis' length {n}, got {len(arr)}")
        return np.flatnonzero(arr).astype(np.int64)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "ui":
        raise IndexError(f"indices along axis {axis} must be integers or booleans, got {arr.dtype}")
    if arr.dtype.kind == "u" and arr.max() > np.iinfo(np.int64).max:
        raise errors.BoundsCheckError(f"index {arr.max()} is out of bounds for axis {axis} with size {n}")
    idx = arr.astype(np.int64)
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise errors.BoundsCheckError(f"index {idx[bad][0]} is out of bounds for axis {axis} with size {n}")
    return np.where(idx < 0, idx + n, idx)


def _plan(key: Any, shape: tuple, orthogonal: bool = False) -> _Plan:
    """NumPy's basic indexing of an array of ``shape`` by ``key``, checked as NumPy checks it; with
    ``orthogonal``, also 1-d lists or arrays of integers or booleans, each selecting along its own axis
    (zarr-python's ``oindex``)."""
    key = key if isinstance(key, tuple) else (key,)
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    indexed = sum(k is not None and k is not Ellipsis for k in key)
    if indexed > len(shape):
        raise IndexError(f"too many indices for array: array is {len(shape)}-dimensional, but {indexed} "
                         "were indexed")
    rest = [slice(None)] * (len(shape) - indexed)
    at = next((i for i, k in enumerate(key) if k is Ellipsis), None)
    if at is not None:
        key = key[:at] + tuple(rest) + key[at + 1:]
    else:
        key = key + tuple(rest)
    axes, result_shape, new_axes, picked, flipped, reorder = [], [], [], [], [], []
    axis = 0
    for k in key:
        if k is None:
            new_axes.append(len(result_shape))
            result_shape.append(1)
            continue
        n = shape[axis]
        if isinstance(k, slice):
            r = range(*k.indices(n))
            if not r:
                axes.append((0, 0, 1))
            elif r.step > 0:
                axes.append((r.start, len(r), r.step))
            else:
                axes.append((r[-1], len(r), -r.step))
                flipped.append(axis)
            result_shape.append(len(r))
        elif orthogonal and _is_list_key(k):
            idx = _axis_indices(k, n, axis)
            if len(idx) > 1 and not (idx[1:] > idx[:-1]).all():
                idx, inverse = np.unique(idx, return_inverse=True)
                reorder.append((axis, inverse.reshape(-1)))
                result_shape.append(len(inverse))
            else:
                result_shape.append(len(idx))
            axes.append(idx)
        else:
            i = _integer(k)
            if i is None:
                how = ("integers, slices, ... and 1-d lists or arrays of integers or booleans (an "
                       "orthogonal selection)" if orthogonal else
                       "integers, slices, ... and None (NumPy's basic indexing); lists or arrays of "
                       "integers or booleans select with .oindex[...] (per axis) or .vindex[...] (points)")
                raise IndexError(f"brickwork.zarr.Array takes {how} as indices, got {type(k).__name__} "
                                 f"{k!r}")
            if not -n <= i < n:
                raise errors.BoundsCheckError(f"index {i} is out of bounds for axis {axis} with size {n}")
            axes.append((i % n, 1, 1))
            picked.append(axis)
        axis += 1
    return _Plan(axes, tuple(result_shape), new_axes, picked, flipped, reorder)


def _points(key: Any, shape: tuple) -> tuple:
    """A coordinate selection (one integer array per axis, broadcast together) or a mask selection (a
    boolean array of the array's shape) of an array of ``shape``: ``(coordinates, result shape)``, the
    coordinates as an ``(n, ndim)`` int64 array (zarr-python's ``vindex``)."""
    if not shape:
        raise IndexError("a 0-d array has no coordinates to select; read it with a[()]")
    key = key if isinstance(key, tuple) else (key,)
    if len(key) == 1 and np.asarray(key[0]).dtype == bool:
        mask = np.asarray(key[0])
        if mask.shape != tuple(shape):
            raise IndexError(f"a mask selection needs a boolean array of the array's shape {tuple(shape)}, "
                             f"got {mask.shape}")
        coords = np.argwhere(mask).astype(np.int64)
        return coords, (len(coords),)
    if len(key) != len(shape):
        raise errors.VindexInvalidSelectionError(
            f"a coordinate selection needs one integer array per axis ({len(shape)}), or a boolean mask of the "
            f"array's shape; got {len(key)} indices")
    arrays = []
    for axis, (k, n) in enumerate(zip(key, shape)):
        arr = np.asarray(k)
        if arr.dtype.kind not in "ui" and not (arr.size == 0 and arr.dtype.kind == "f"):
            raise errors.VindexInvalidSelectionError(f"a coordinate selection takes integer arrays; axis {axis} has "
                                                     f"{arr.dtype} (use a mask of the array's shape for booleans)")
        arrays.append(_axis_indices(arr.reshape(-1), n, axis).reshape(arr.shape))
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError as e:
        raise IndexError(f"the coordinate arrays do not broadcast together: {e}") from None
    coords = np.stack([a.reshape(-1) for a in arrays], axis=1) if arrays[0].size else \
        np.zeros((0, len(shape)), dtype=np.int64)
    return np.ascontiguousarray(coords, dtype=np.int64), arrays[0].shape


def _kind(key: Any, ndim: int) -> str:
    """How ``Array.__getitem__`` reads ``key``, by zarr-python's rules: ``"vindex"`` for a boolean array
    (a mask), for a list on a 1-d array, or for integer lists or arrays along every axis (with
    integers, no slices); ``"oindex"`` for lists along one axis (with integers and slices) or along
    every axis; else ``"basic"``."""
    t = key if isinstance(key, tuple) else (key,)
    lists = [_is_list_key(k) for k in t]
    if not any(lists):
        return "basic"
    if (isinstance(key, np.ndarray) and key.dtype == bool) or (ndim == 1 and not isinstance(key, tuple)):
        return "vindex"

    def integers(k, is_list):
        if is_list:
            return np.asarray(k).dtype != bool
        return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))

    if len(t) == ndim and all(integers(k, is_list) for k, is_list in zip(t, lists)):
        return "vindex"
    if sum(lists) == 1 or (len(t) == ndim and all(lists)):
        return "oindex"
    raise IndexError("lists or arrays along more than one axis, mixed with slices: select with "
                     ".oindex[...] (each list along its own axis) or .vindex[...] (points)")
