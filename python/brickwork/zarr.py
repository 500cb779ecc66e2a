"""Zarr directory stores (format 2 and 3), written and read in Rust: ``save(path, array, chunks=...)``,
``load(path)``, and for arrays too large for memory ``create(path, shape, dtype, chunks=...)`` and
``open(path, mode="r+")``, whose :class:`Array` reads and writes regions: ``a[region]``,
``a[region] = values``.

What ``save`` writes, zarr-python (``zarr.open(path)``), Dask (``da.from_zarr``), xarray and tensorstore
read: Zarr v2 by default (a ``.zarray`` with numcodecs configs plus one file per chunk named ``i.j.k``),
or with ``zarr_format=3`` a ``zarr.json`` with the equivalent codec chain (``bytes``, then ``blosc``,
``zstd``, ``gzip``, ``crc32c`` or zarr-python's ``numcodecs.*`` codecs) and chunks named ``c/i/j/k``. Edge
chunks are padded to full size. Every file is written to a temporary name and renamed, and the metadata
comes last, so a crash never leaves a truncated chunk; a failed save removes what it wrote. ``load`` reads
either format as zarr-python writes it, with any codec brickwork knows, sharded Zarr v3 arrays included;
missing chunks read as the fill value. ``open`` gives an :class:`Array` that reads any region NumPy's
basic indexing can name (integers, slices with any step, ``...``, ``None``), decoding only the chunks
the region touches (of a shard, only its index and the inner chunks it needs), in parallel; Dask reads
it too (``dask.array.from_array(brickwork.zarr.open(path), chunks=...)``). Writing a region encodes the
chunks it covers from the data alone and reads, updates and rewrites the ones it covers in part, each
replaced atomically (processes writing disjoint chunks may run at once, as with zarr-python).

Arrays of variable-length strings or bytes (zarr-python's ``dtype=str``: v2 ``|O`` with ``vlen-utf8``,
v3 ``string``) are read, as object arrays (zarr-python returns NumPy's ``StringDType``; the items are
the same), written (``save``, or ``create`` and regions: each chunk encoded by brickwork's ``vlen-utf8``,
the object codec zarr-python uses for ``dtype=str``), chunk by chunk.
"""
from __future__ import annotations

import builtins
import itertools
import json
import operator
import os
import types
from typing import Any, NamedTuple

import numpy as np

from . import _native
from ._grid import _array, _order, _sizes, _threads
from .errors import InvalidArrayError, LimitError

__all__ = ["save", "load", "info", "open", "create", "Array", "ArrayInfo", "SaveStats",
           "DEFAULT_MAX_ARRAY_BYTES"]

#: ``load`` (and reading an :class:`Array`) refuses results of more bytes than this, and chunks whose
#: decoding buffer would be larger, unless ``max_bytes=`` is raised: the metadata is untrusted.
DEFAULT_MAX_ARRAY_BYTES = 16 << 30

#: The largest attributes file read (as the Rust side's limit on metadata files).
_MAX_ATTRS_BYTES = 1 << 24


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
         overwrite: bool = False, zarr_format: int = 2, shards=None, attributes=None) -> SaveStats:
    """Write ``array`` as a Zarr array at ``path`` (a new or empty directory; an existing Zarr array only
    with ``overwrite=True``): format 2 (the default) or 3. ``compressor=None`` stores chunks uncompressed.
    ``dimension_separator`` defaults to ``"."`` in v2 and ``"/"`` in v3; in v3, ``order="F"`` stores each
    chunk through a ``transpose`` codec. ``shards`` (v3 only, as zarr-python's ``create_array``): the shard
    shape, a multiple of ``chunks``; each file then holds one shard of chunks (``sharding_indexed``, index
    at the end with a CRC32C; chunks holding only the fill value are left out). ``attributes``: a dict
    of JSON values stored with the array (``.zattrs`` in v2), read back as :attr:`Array.attrs`."""
    arr = np.asarray(array)
    if arr.dtype.hasobject:
        # variable-length items: made empty, then written chunk by chunk through the object codecs
        z = create(path, arr.shape, arr.dtype, chunks=chunks, compressor=compressor, filters=filters,
                   order=order, fill_value=fill_value, dimension_separator=dimension_separator,
                   overwrite=overwrite, zarr_format=zarr_format, shards=shards, attributes=attributes)
        try:
            return z.write(..., arr, threads=threads)
        except BaseException:
            import shutil

            shutil.rmtree(os.fspath(path), ignore_errors=True)
            raise
    arr = _array(arr) if arr.ndim else arr
    from .codecs._base import _native_dtype

    n_chunks, bytes_in, bytes_out = _native.zarr_save(
        os.fspath(path), arr, _native_dtype(arr.dtype),
        *_store_options(arr.dtype, arr.ndim, chunks, compressor, filters, order, fill_value,
                        dimension_separator, zarr_format, shards, overwrite, attributes),
        _threads(threads),
    )
    return SaveStats(n_chunks, bytes_in, bytes_out)


def create(path: str | os.PathLike, shape, dtype, *, chunks, compressor=None, filters=None, order: str = "C",
           fill_value=None, dimension_separator: str | None = None, overwrite: bool = False,
           zarr_format: int = 2, shards=None, attributes=None,
           max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> Array:
    """Create a Zarr array of ``shape`` and ``dtype`` at ``path`` with no chunks written yet (it reads as
    the fill value; zarr-python's ``create_array``), and return it open for writing regions
    (``a[region] = values``). The options are :func:`save`'s."""
    dtype = np.dtype(dtype)
    if dtype.hasobject and not filters:
        filters = [{"id": "vlen-utf8"}]  # zarr-python's object codec for strings
    shape = tuple(operator.index(n) for n in (shape if np.ndim(shape) else (shape,)))
    if any(n < 0 for n in shape):
        raise InvalidArrayError(f"shape must hold sizes of at least 0, got {shape}")
    from .codecs._base import _native_dtype

    _native.zarr_create(
        os.fspath(path), list(shape), _native_dtype(dtype),
        *_store_options(dtype, len(shape), chunks, compressor, filters, order, fill_value, dimension_separator,
                        zarr_format, shards, overwrite, attributes),
    )
    return Array(path, mode="r+", max_bytes=max_bytes)


def _store_options(dtype, ndim, chunks, compressor, filters, order, fill_value, dimension_separator,
                   zarr_format, shards, overwrite, attributes) -> tuple:
    """The native arguments of a new store, from ``save``'s and ``create``'s keyword arguments."""
    if zarr_format not in (2, 3):
        raise InvalidArrayError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    if dtype.hasobject:
        # variable-length strings: the fill string's UTF-8 ("" by default, as zarr-python)
        if not isinstance(fill_value, (str, type(None))):
            raise InvalidArrayError(f"the fill value of an array of strings is a str, got {fill_value!r}")
        fill = (fill_value or "").encode()
    else:
        fill = None if fill_value is None else np.asarray(fill_value, dtype=dtype).tobytes()
    if attributes is not None and not isinstance(attributes, dict):
        raise InvalidArrayError(f"attributes must be a dict, got {type(attributes).__name__}")
    try:
        attributes_json = None if not attributes else json.dumps(attributes, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InvalidArrayError(f"attributes must hold JSON values (no NaN or infinity): {e}") from None
    return (
        _sizes(chunks, "chunks") if ndim else [],
        None if compressor is None else _config_json(compressor),
        [_config_json(f) for f in (filters or [])], _order(order), fill, dimension_separator, int(zarr_format),
        None if shards is None else _sizes(shards, "shards"), bool(overwrite), attributes_json,
    )


def info(path: str | os.PathLike) -> ArrayInfo:
    """The shape, chunks, dtype, order, Zarr format and shard shape of the store at ``path``."""
    return open(path).info


def load(path: str | os.PathLike, *, out=None, threads: int | None = None,
         max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> np.ndarray:
    """Read the whole Zarr array (format 2 or 3) at ``path`` (into ``out`` when given). ``max_bytes``
    bounds what the untrusted metadata can make brickwork allocate: the array (unless ``out`` is given)
    and the buffer each chunk is decoded in."""
    return open(path, max_bytes=max_bytes).read(out=out, threads=threads)


def open(path: str | os.PathLike, mode: str = "r", *, max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> Array:
    """Open the Zarr array (format 2 or 3) at ``path`` for reading (``mode="r"``) or for reading and
    writing (``"r+"``); see :class:`Array`."""
    return Array(path, mode=mode, max_bytes=max_bytes)


class Array:
    """A Zarr array (format 2 or 3), indexed like a NumPy array.

    ``a[key]`` takes what NumPy's basic indexing takes: integers (negative ones count from the end),
    slices with any step (negative too), ``...`` and ``None``; it returns a new NumPy array, read in
    parallel from only the chunk files the region touches (of a sharded array, only the index and the
    inner chunks it needs). ``a.read(key, out=..., threads=...)`` does the same into an existing array.
    Opened with ``mode="r+"``, ``a[key] = values`` (or ``a.write(key, values, threads=...)``) writes
    the region: ``values`` is cast to the array's dtype and broadcast to the region's shape as NumPy
    assignment does. Fancy (integer-array and boolean) indexing is not offered: read the enclosing region
    and index the result. The metadata is read once, when the array is opened.
    """

    def __init__(self, path: str | os.PathLike, *, mode: str = "r", max_bytes: int = DEFAULT_MAX_ARRAY_BYTES):
        if mode not in ("r", "r+"):
            raise InvalidArrayError(f'mode must be "r" (read) or "r+" (read and write), got {mode!r}')
        self.path = os.fspath(path)
        self.mode = mode
        self.max_bytes = int(max_bytes)
        self._handle = _native.ZarrHandle(self.path)
        shape, chunks, dtype, order, zarr_format, shards, fill = self._handle.info()
        self.info = ArrayInfo(tuple(shape), tuple(chunks), np.dtype(dtype), order, zarr_format,
                              None if shards is None else tuple(shards))
        self._fill = fill
        if self.info.dtype.hasobject:
            # variable-length items: the fill value is a JSON value, not bytes (v2 "", v3 "")
            self._fill = self._metadata().get("fill_value")

    shape = property(lambda self: self.info.shape, doc="The array's shape.")
    chunks = property(lambda self: self.info.chunks, doc="The chunk shape (of a sharded array: the inner chunks).")
    shards = property(lambda self: self.info.shards, doc="The shard shape of a sharded array, else None.")
    dtype = property(lambda self: self.info.dtype, doc="The dtype.")
    order = property(lambda self: self.info.order, doc='The element order inside chunks, "C" or "F".')
    zarr_format = property(lambda self: self.info.zarr_format, doc="2 or 3.")
    ndim = property(lambda self: len(self.info.shape), doc="Number of dimensions.")
    size = property(lambda self: int(np.prod(self.info.shape, dtype=object)), doc="Number of elements.")
    nbytes = property(lambda self: self.size * self.info.dtype.itemsize, doc="Bytes of the whole array.")

    @property
    def attrs(self) -> types.MappingProxyType:
        """The user attributes stored with the array (v2: ``.zattrs``; v3: ``zarr.json``'s
        ``attributes``), read when asked for; read-only here."""
        if self.zarr_format == 2:
            value = self._metadata(".zattrs", missing={})
        else:
            value = self._metadata().get("attributes", {})
        if not isinstance(value, dict):
            raise InvalidArrayError(f"{self.path}: the attributes are not a JSON object")
        return types.MappingProxyType(value)

    def _metadata(self, name: str | None = None, missing: dict | None = None) -> dict:
        """The JSON object in the store's file ``name`` (default: its metadata file), read now."""
        name = name or (".zarray" if self.zarr_format == 2 else "zarr.json")
        try:
            with builtins.open(os.path.join(self.path, name), "rb") as f:
                text = f.read(_MAX_ATTRS_BYTES + 1)
        except FileNotFoundError:
            if missing is None:
                raise
            return missing
        if len(text) > _MAX_ATTRS_BYTES:
            raise InvalidArrayError(f"{self.path}: {name} is larger than {_MAX_ATTRS_BYTES} bytes")
        try:
            value = json.loads(text)
        except ValueError as e:
            raise InvalidArrayError(f"{self.path}: {name} is not JSON: {e}") from None
        if not isinstance(value, dict):
            raise InvalidArrayError(f"{self.path}: {name} does not hold a JSON object")
        return value

    @property
    def fill_value(self):
        """What missing chunks read as (a NumPy scalar; a ``str`` of an array of strings), or None when the
        metadata says null."""
        if self._fill is None or self.dtype.hasobject:
            return self._fill
        return np.frombuffer(self._fill, dtype=self.dtype)[0]

    def __reduce__(self):
        # pickled as what reopens it (Dask's process and distributed schedulers send arrays to workers)
        return _reopen, (self.path, self.mode, self.max_bytes)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __repr__(self) -> str:
        shards = "" if self.shards is None else f" shards={self.shards}"
        return (f"<brickwork.zarr.Array {self.path!r} shape={self.shape} dtype={self.dtype} "
                f"chunks={self.chunks}{shards} zarr_format={self.zarr_format}>")

    def __getitem__(self, key):
        data = self.read(key)
        # as NumPy: an element picked by integers alone is a scalar, `a[...]` a 0-d array
        scalar = data.ndim == 0 and not any(k is Ellipsis for k in (key if isinstance(key, tuple) else (key,)))
        return data[()] if scalar else data

    def __setitem__(self, key, values) -> None:
        self.write(key, values)

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("a Zarr array is read into a new NumPy array; it cannot be had without a copy")
        data = self.read()
        return data if dtype is None else data.astype(dtype, copy=False)

    def read(self, key: Any = ..., *, out=None, threads: int | None = None) -> np.ndarray:
        """The elements ``key`` selects (all of them by default) as a new array in the array's order, or
        written into ``out`` (of the selection's shape and the dtype's item size) and returned."""
        plan = _plan(key, self.shape)
        if out is None:
            nbytes = int(np.prod(plan.shape, dtype=object)) * self.dtype.itemsize
            if nbytes > self.max_bytes:
                raise LimitError(
                    f"{self.path}: the selection needs {nbytes} bytes, more than max_bytes={self.max_bytes}; "
                    "pass a larger max_bytes if the store is trusted, or read a smaller region"
                )
            out = np.empty(plan.shape, dtype=self.dtype, order=self.order)
        elif not isinstance(out, np.ndarray):
            raise InvalidArrayError(f"out must be a NumPy array, got {type(out).__name__}")
        elif (out.shape != plan.shape or out.dtype.itemsize != self.dtype.itemsize
              or out.dtype.hasobject != self.dtype.hasobject):
            raise InvalidArrayError(f"out has shape {out.shape} and dtype {out.dtype}; the selection is "
                                    f"{plan.shape} {self.dtype}")
        if self.dtype.hasobject:
            self._read_objects(plan, plan.view(out))
        else:
            self._handle.read(plan.view(out), plan.start, plan.count, plan.step, self.max_bytes,
                              _threads(threads))
        return out

    def _read_objects(self, plan: _Plan, view: np.ndarray) -> None:
        """Reads variable-length items (strings or bytes) into the object array ``view`` (the selection's
        shape): chunk by chunk, each decoded in Rust into a flat object array of its items."""
        view[...] = self.fill_value
        for coords, selected, held in self._object_chunks(plan):
            items = self._handle.read_chunk_objects(coords, self.max_bytes)
            if items is not None:  # (no chunk file: the fill value, already there)
                view[selected] = items.reshape(self.chunks or (1,), order=self.order)[held]

    def write(self, key: Any, values, *, threads: int | None = None) -> SaveStats:
        """Write ``values`` (cast to the dtype and broadcast to the selection's shape, as NumPy assigns)
        into the elements ``key`` selects; returns what was written (chunks, raw bytes, encoded bytes)."""
        if self.mode != "r+":
            raise InvalidArrayError(f"{self.path} is open for reading only; open it with mode=\"r+\" to write")
        plan = _plan(key, self.shape)
        try:
            data = np.broadcast_to(np.asarray(values, dtype=self.dtype), plan.shape)
        except ValueError as e:
            raise InvalidArrayError(f"cannot write values of shape {np.shape(values)} into a selection of "
                                    f"shape {plan.shape}: {e}") from None
        if self.dtype.hasobject:
            return self._write_objects(plan, plan.view(data))
        written = self._handle.write(plan.view(data), plan.start, plan.count, plan.step, self.max_bytes,
                                     _threads(threads))
        return SaveStats(*written)

    def _write_objects(self, plan: _Plan, view: np.ndarray) -> SaveStats:
        """Writes variable-length items (``view``: the selection's shape) chunk by chunk: each chunk the
        selection touches is read (missing: the fill value), updated, encoded with the array's codecs
        (brickwork's, in Rust) and replaced atomically."""
        from .codecs import Pipeline

        filters, compressor = self._handle.codecs()
        codec = Pipeline(filters=[json.loads(f) for f in filters],
                         compressor=None if compressor is None else json.loads(compressor))
        chunks = bytes_in = bytes_out = 0
        for coords, selected, held in self._object_chunks(plan):
            items = self._handle.read_chunk_objects(coords, self.max_bytes)
            shape = self.chunks or (1,)
            if items is None:
                chunk = np.empty(shape, dtype=object, order=self.order)
                chunk[...] = self.fill_value
            else:
                chunk = items.reshape(shape, order=self.order)
            chunk[held] = view[selected]
            encoded = codec.encode(chunk)
            self._handle.write_chunk_bytes(coords, encoded)
            chunks, bytes_in, bytes_out = chunks + 1, bytes_in + chunk.size, bytes_out + len(encoded)
        return SaveStats(chunks, bytes_in, bytes_out)


    def _object_chunks(self, plan: _Plan):
        """For every chunk the selection touches: its grid position, and the indices of the elements it
        holds in the selection's view and in the chunk (shaped ``chunks``; a 0-d array is one chunk of
        one element)."""
        if not self.shape:
            yield [0], (), (0,)
            return
        per_axis = [_chunk_spans(s, n, t, c, size)
                    for s, n, t, c, size in zip(plan.start, plan.count, plan.step, self.chunks, self.shape)]
        for spans in itertools.product(*per_axis):
            yield [g for g, _, _ in spans], tuple(k for _, k, _ in spans), tuple(h for _, _, h in spans)


def _chunk_spans(start: int, count: int, step: int, chunk: int, size: int) -> list:
    """Along one axis of a selection (``count`` indices from ``start`` in steps of ``step``): for every
    chunk holding some, ``(chunk position, slice of the selection, slice of the chunk)``."""
    spans = []
    if count == 0:
        return spans
    last = start + (count - 1) * step
    for g in range(start // chunk, last // chunk + 1):
        lo, hi = g * chunk, min((g + 1) * chunk, size)
        k0 = max(0, -(-(lo - start) // step))
        k1 = min(count, -(-(hi - start) // step))
        if k0 < k1:
            first = start + k0 * step - lo
            spans.append((g, slice(k0, k1), slice(first, first + (k1 - k0 - 1) * step + 1, step)))
    return spans


def _reopen(path: str, mode: str, max_bytes: int) -> Array:
    return Array(path, mode=mode, max_bytes=max_bytes)


class _Plan(NamedTuple):
    """A NumPy basic index of an array, as a selection for the native reader and writer."""

    #: per array axis: the first index, how many, and the (positive) step
    start: list
    count: list
    step: list
    #: the result's shape
    shape: tuple
    #: the result axes ``None`` added
    new_axes: list
    #: the array axes an integer picked (dropped from the result)
    picked: list
    #: the array axes read backwards (negative steps)
    flipped: list

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


def _plan(key: Any, shape: tuple) -> _Plan:
    """NumPy's basic indexing of an array of ``shape`` by ``key``, checked as NumPy checks it."""
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
    start, count, step, result_shape, new_axes, picked, flipped = [], [], [], [], [], [], []
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
                start.append(0), count.append(0), step.append(1)
            elif r.step > 0:
                start.append(r.start), count.append(len(r)), step.append(r.step)
            else:
                start.append(r[-1]), count.append(len(r)), step.append(-r.step)
                flipped.append(axis)
            result_shape.append(len(r))
        else:
            try:
                if isinstance(k, (bool, np.bool_)):
                    raise TypeError
                i = operator.index(k)
            except TypeError:
                raise IndexError(
                    "brickwork.zarr.Array takes integers, slices, ... and None as indices (NumPy's basic "
                    f"indexing), got {type(k).__name__} {k!r}; for fancy indexing, read the enclosing "
                    "region and index the NumPy result"
                ) from None
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            start.append(i % n), count.append(1), step.append(1)
            picked.append(axis)
        axis += 1
    return _Plan(start, count, step, tuple(result_shape), new_axes, picked, flipped)
