"""An xarray backend: ``xr.open_dataset(path, engine="brickwork")`` opens a Zarr store (v2 or v3, as
xarray's ``to_zarr`` writes it, or any Zarr group whose arrays carry xarray's dimension names) with
brickwork's reader in place of zarr-python's; ``xr.open_datatree``/``xr.open_groups`` open hierarchies;
a path to a zip file opens the store zipped in it (as zarr-python's ``ZipStore`` writes one).

It reads what xarray's own ``engine="zarr"`` reads, the same way: dimensions from v3's
``dimension_names`` or v2's ``_ARRAY_DIMENSIONS`` attribute, attributes, Zarr's fill value as the
missing-value mask where xarray takes it so (v2 stores), and xarray's CF decoding (times, scale and
offset, ``_FillValue``, coordinates) through xarray's own ``StoreBackendEntrypoint``. Variables load
lazily: xarray's indexers become brickwork's basic, orthogonal (``oindex``) and point (``vindex``) reads,
each decoding only the chunks it touches, in parallel. ``chunks=`` gives Dask arrays chunked as the store
is (``preferred_chunks``). Writing stays with xarray's ``to_zarr`` (zarr-python), whose stores this reads,
and which writes what this opened again (the encodings hold zarr-python's codec objects).

Registered with xarray as the ``brickwork`` engine (an entry point of the package), or passed as
``engine=brickwork.xarray.BrickworkBackendEntrypoint``; never picked unless asked for.
"""
from __future__ import annotations

import functools
import json
import os
import zipfile

import numpy as np
from xarray.backends import BackendArray, BackendEntrypoint
from xarray.backends.common import AbstractDataStore
from xarray.backends.store import StoreBackendEntrypoint
from xarray.core import indexing
from xarray.core.utils import FrozenDict
from xarray.core.variable import Variable

from . import zarr as _zarr
from .errors import InvalidArrayError
from .zarr.dtype import _STRING_DTYPE

__all__ = ["BrickworkBackendEntrypoint", "BrickworkStore"]

#: the attribute xarray keeps a v2 array's dimension names in
DIMENSION_KEY = "_ARRAY_DIMENSIONS"


class BrickworkArray(BackendArray):
    """One Zarr array, read lazily by xarray through brickwork's indexing."""

    __slots__ = ("_array", "_strings", "dtype", "shape")

    def __init__(self, array: _zarr.Array, meta: dict):
        self._array = array
        self.shape = tuple(array.shape)
        dtype = array.dtype
        #: variable-length strings come as NumPy's StringDType (NumPy 2), as zarr-python 3 gives them
        self._strings = dtype == object and _holds_strings(meta) and _STRING_DTYPE is not None
        self.dtype = _STRING_DTYPE() if self._strings else dtype

    def __getitem__(self, key: indexing.ExplicitIndexer):
        if isinstance(key, indexing.VectorizedIndexer):
            read = self._array.vindex.__getitem__
        elif isinstance(key, indexing.OuterIndexer):
            read = self._array.oindex.__getitem__
        else:
            read = self._array.__getitem__
        if self._strings:
            read = _as_strings(read)
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.VECTORIZED, read)


def _as_strings(read):
    """``read`` giving StringDType arrays (brickwork reads strings as object arrays of ``str``)."""
    def strings(key):
        return np.asarray(read(key)).astype(_STRING_DTYPE())

    return strings


def _holds_strings(meta: dict) -> bool:
    if meta.get("zarr_format") == 3:
        return meta.get("data_type") == "string"
    return any(isinstance(f, dict) and f.get("id") == "vlen-utf8" for f in meta.get("filters") or [])


def _codecs(meta) -> dict:
    """An array's ``compressors`` and ``filters`` (and v3's ``serializer``) for its variable's encoding, as
    xarray's zarr engine gives them: zarr-python's codec objects (numcodecs' for v2), which ``to_zarr``
    takes back when the dataset is written again. None where zarr-python is not installed (nothing could
    write them) or cannot build one of the codecs (a codec brickwork reads and the installed numcodecs
    does not, such as ``zfpy`` without its package): ``to_zarr`` then picks its defaults."""
    try:
        import numcodecs
        from zarr.abc.codec import ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec
        from zarr.codecs import ShardingCodec
    except ImportError:
        return {}
    try:
        if meta["zarr_format"] == 2:
            return {"compressors": (numcodecs.get_codec(meta["compressor"]),) if meta.get("compressor") else (),
                    "filters": tuple(numcodecs.get_codec(f) for f in meta.get("filters") or ())}
        codecs = [_v3_codec(json.dumps(c if isinstance(c, dict) else {"name": c}, sort_keys=True))
                  for c in meta.get("codecs") or ()]
    except Exception:  # noqa: BLE001 (any failure of the other library's constructors: no codec encoding)
        return {}
    inner = next((c.codecs for c in codecs if isinstance(c, ShardingCodec)), codecs)
    return {"compressors": tuple(c for c in inner if isinstance(c, BytesBytesCodec)),
            "filters": tuple(c for c in inner if isinstance(c, ArrayArrayCodec)),
            "serializer": next((c for c in inner if isinstance(c, ArrayBytesCodec)), None)}


@functools.lru_cache(maxsize=256)
def _v3_codec(config: str):
    """zarr-python's codec object of a v3 codec's JSON (its objects are immutable; made once per config:
    zarr-python's constructors check package versions, a good part of an open's time)."""
    from zarr.registry import get_codec_class

    data = json.loads(config)
    return get_codec_class(data["name"]).from_dict(data)


class BrickworkStore(AbstractDataStore):
    """The arrays and attributes of one Zarr group, as xarray's data store interface gives them."""

    def __init__(self, group: _zarr.Group):
        self.group = group
        self.zarr_format = group.metadata["zarr_format"]
        # as xarray's zarr engine: v2's fill value masks missing data, v3's is kept in the encoding
        # (xarray 2026.9 takes use_zarr_fill_value_as_mask and uses this default whatever it says)
        self._mask = self.zarr_format == 2
        #: name -> (array, its metadata, its attributes), each read once
        self._arrays = {name: (a, dict(a.metadata), dict(a.attrs)) for name, a in group.arrays()}

    @classmethod
    def open(cls, store, *, group: str | None = None, zarr_format: int | None = None,
             storage_options=None) -> BrickworkStore:
        """The group at ``group`` in ``store``: what brickwork.zarr takes as a store (a remote one too, an
        fsspec URL with ``storage_options``), or the path of a zip file (a store zipped, as zarr-python's
        ZipStore writes it), opened read-only."""
        if isinstance(store, (str, os.PathLike)) and os.path.isfile(store) and zipfile.is_zipfile(store):
            store = _zarr.storage.ZipStore(store, mode="r")
        return cls(_zarr.open_group(store, path=group, mode="r", zarr_format=zarr_format,
                                    storage_options=storage_options))

    def _dims_and_attrs(self, name: str) -> tuple[tuple, dict]:
        array, meta, attrs = self._arrays[name]
        attrs = dict(attrs)
        if self.zarr_format == 3:
            dims = tuple(meta.get("dimension_names") or ())
            if len(dims) != array.ndim:
                raise InvalidArrayError(f"the array {name!r} has no dimension_names for each of its {array.ndim} "
                                        "axes, which xarray needs to name its dimensions")
            return dims, attrs
        dims = attrs.pop(DIMENSION_KEY, None)
        if not isinstance(dims, list) or len(dims) != array.ndim or not all(isinstance(d, str) for d in dims):
            raise InvalidArrayError(f"the array {name!r} has no {DIMENSION_KEY} attribute naming its {array.ndim} "
                                    "axes, which xarray needs to name its dimensions (xarray's to_zarr writes it)")
        return tuple(dims), attrs

    def open_store_variable(self, name: str) -> Variable:
        dims, attrs = self._dims_and_attrs(name)
        array, meta, _ = self._arrays[name]
        data = indexing.LazilyIndexedArray(BrickworkArray(array, meta))
        try:
            chunks = tuple(array.chunks)
        except NotImplementedError:  # a rectilinear grid: Dask's chunks, a length per chunk
            chunks = array.read_chunk_sizes
        try:
            shards = array.shards
        except NotImplementedError:
            shards = array.write_chunk_sizes
        encoding = {"chunks": chunks, "preferred_chunks": dict(zip(dims, chunks)), "shards": shards,
                    **_codecs(meta)}
        if data.dtype.kind == "T":
            encoding["dtype"] = data.dtype  # (as xarray's zarr engine keeps it for writing again)
        fill = array.fill_value
        if self._mask:
            if fill is not None:
                attrs["_FillValue"] = fill
        else:
            if self.zarr_format == 3:
                encoding["fill_value"] = fill
            if "_FillValue" in attrs:
                from xarray.backends.zarr import FillValueCoder

                attrs["_FillValue"] = FillValueCoder.decode(attrs["_FillValue"], array.dtype)
        return Variable(dims, data, attrs, encoding)

    def get_variables(self):
        return FrozenDict((name, self.open_store_variable(name)) for name in self._arrays)

    def get_attrs(self):
        return {k: v for k, v in dict(self.group.attrs).items() if not k.lower().startswith("_nc")}

    def get_dimensions(self):
        dimensions: dict[str, int] = {}
        for name, (array, _, _) in self._arrays.items():
            dims, _ = self._dims_and_attrs(name)
            for d, n in zip(dims, array.shape):
                if dimensions.setdefault(d, n) != n:
                    raise InvalidArrayError(f"the dimension {d!r} has the lengths {dimensions[d]} and {n}")
        return dimensions

    def close(self) -> None:
        pass


def _check_reading(mode: str) -> None:
    """xarray's zarr-engine ``mode``: brickwork's engine reads."""
    if mode != "r":
        raise InvalidArrayError(f'engine="brickwork" reads (mode="r"); write with to_zarr, not mode={mode!r}')


class BrickworkBackendEntrypoint(BackendEntrypoint):
    """xarray's ``engine="brickwork"``: Zarr stores read by brickwork (see the module's description)."""

    supports_groups = True
    description = "Open Zarr stores (v2 and v3) with brickwork's parallel Rust reader"
    open_dataset_parameters = ("filename_or_obj", "drop_variables", "mask_and_scale", "decode_times",
                               "concat_characters", "decode_coords", "use_cftime", "decode_timedelta", "group",
                               "mode", "consolidated", "storage_options", "zarr_format", "store", "engine",
                               "use_zarr_fill_value_as_mask", "cache_members")

    def guess_can_open(self, filename_or_obj) -> bool:
        """Never: brickwork is used when asked for (``engine="brickwork"``), so that installing it does not
        change which engine xarray picks for a path by itself."""
        return False

    def open_dataset(self, filename_or_obj, *, drop_variables=None, mask_and_scale=True, decode_times=True,
                     concat_characters=True, decode_coords=True, use_cftime=None, decode_timedelta=None,
                     group: str | None = None, mode: str = "r", consolidated=None, storage_options=None,
                     zarr_format: int | None = None, store=None, engine=None, use_zarr_fill_value_as_mask=None,
                     cache_members: bool = True):
        """xarray's zarr engine's parameters. ``consolidated``, ``cache_members``, ``engine`` and
        ``use_zarr_fill_value_as_mask`` change nothing, as in xarray 2026.9's zarr engine for the last
        (brickwork reads each array's own metadata); ``mode`` is "r"; ``store`` is a store brickwork
        takes (a path, ``LocalStore``, ``ZipStore``, ...) in place of ``filename_or_obj``."""
        _check_reading(mode)
        source = filename_or_obj if store is None else store
        store = source if isinstance(source, BrickworkStore) else BrickworkStore.open(
            source, group=group, zarr_format=zarr_format, storage_options=storage_options)
        return StoreBackendEntrypoint().open_dataset(
            store, mask_and_scale=mask_and_scale, decode_times=decode_times, concat_characters=concat_characters,
            decode_coords=decode_coords, drop_variables=drop_variables, use_cftime=use_cftime,
            decode_timedelta=decode_timedelta)

    def open_groups_as_dict(self, filename_or_obj, *, group: str | None = None, zarr_format: int | None = None,
                            mode: str = "r", consolidated=None, storage_options=None, **decoding) -> dict:
        """Every group at and below ``group`` as a Dataset, by path ("/", "/a", "/a/b", ... relative to
        ``group``), as xarray's zarr engine gives them to ``open_datatree`` (the decoding options are
        :meth:`open_dataset`'s)."""
        _check_reading(mode)
        datasets: dict = {}

        def walk(node: _zarr.Group, path: str) -> None:
            datasets[path] = self.open_dataset(BrickworkStore(node), **decoding)
            for name, child in node.groups():
                walk(child, f"{path.rstrip('/')}/{name}")

        walk(_zarr.open_group(filename_or_obj, path=group, mode="r", zarr_format=zarr_format,
                              storage_options=storage_options), "/")
        return datasets

    def open_datatree(self, filename_or_obj, **kwargs):
        """The store's groups as an xarray DataTree (:meth:`open_groups_as_dict`'s parameters)."""
        from xarray.backends.common import datatree_from_dict_with_io_cleanup

        return datatree_from_dict_with_io_cleanup(self.open_groups_as_dict(filename_or_obj, **kwargs))

