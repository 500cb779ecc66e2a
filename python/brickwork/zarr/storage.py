"""zarr-python's ``zarr.storage``, as far as brickwork's stores go: ``LocalStore(root)`` names a
directory (as a path or a ``file://`` URL does), ``MemoryStore()`` a store in memory, ``ZipStore(path)``
a store in a zip file, ``FsspecStore`` a remote store read and written through fsspec, ``ObjectStore`` one
read and written through obstore (see ``_remote``).
"""
from __future__ import annotations

import os
import pathlib
import weakref
import zipfile

from ..errors import InvalidArrayError

__all__ = ["FsspecStore", "LocalStore", "MemoryStore", "ObjectStore", "StorePath", "ZipStore"]


class LocalStore:
    """A directory store (zarr-python's ``LocalStore``): ``root`` is the directory. With
    ``read_only=True``, arrays and groups opened from it are read-only whatever the mode asks."""

    def __init__(self, root: str | os.PathLike, *, read_only: bool = False):
        if isinstance(root, str) and root.startswith("file://"):
            root = root[len("file://"):]
        self.root = pathlib.Path(root)
        self.read_only = bool(read_only)

    def __eq__(self, other) -> bool:
        return isinstance(other, LocalStore) and (other.root, other.read_only) == (self.root, self.read_only)

    def __hash__(self) -> int:
        return hash((self.root, self.read_only))

    def __repr__(self) -> str:
        return f"LocalStore('file://{self.root}')"

    def __str__(self) -> str:
        return f"file://{self.root}"


class MemoryStore:
    """A store in memory (zarr-python's ``MemoryStore``). ``MemoryStore()``: brickwork keeps its files in
    a directory in RAM (``root``; see ``brickwork.zarr._memory``), removed when the store and every array
    and group opened in it are gone. ``MemoryStore(store_dict)``: the store is the dict (or mapping),
    holding each file under its key as zarr-python's does, so that zarr-python and brickwork share it
    (see ``brickwork.zarr._mapping``); as is a dict passed as a store."""

    def __init__(self, store_dict=None, *, read_only: bool = False):
        from collections.abc import MutableMapping

        from ._memory import MemoryDir

        self.read_only = bool(read_only)
        if store_dict is not None:
            if not isinstance(store_dict, MutableMapping):
                raise InvalidArrayError(f"store_dict is a dict (of keys to bytes or zarr-python Buffers), not a "
                                        f"{type(store_dict).__name__}")
            self._store_dict, self.root = store_dict, None
            return
        self._store_dict = None
        self._dir = MemoryDir()
        self.root = pathlib.Path(self._dir.path)

    def __repr__(self) -> str:
        held = self if self._store_dict is None else self._store_dict
        return f"MemoryStore('memory://{id(held)}')"


class ZipStore:
    """A store in one zip file (zarr-python's ``ZipStore``), its keys the entries' names. ``mode`` "r"
    reads an existing file, "w" makes a new one (replacing any), "a" updates one (made if missing), "x"
    makes one that must not exist yet. ``path`` is a path or an open binary file object.

    The store is kept in RAM while it is open (see ``brickwork.zarr._zip``): the file is read when the
    store is made and, unless read-only, written as a whole by ``close()`` (or a ``with`` block's end,
    or, when never closed, once the store and every array and group opened in it are gone), replacing
    the old file in one rename. Entries are written as zarr-python's (``compression``, default
    ``zipfile.ZIP_STORED``; ``allowZip64``), so zarr-python reads what brickwork writes and the other
    way round."""

    supports_writes = True
    supports_deletes = False
    supports_listing = True

    def __init__(self, path, *, mode: str = "r", read_only: bool | None = None,
                 compression: int = zipfile.ZIP_STORED, allowZip64: bool = True):
        from . import _memory, _zip

        if mode not in ("r", "w", "a", "x"):
            raise InvalidArrayError(f"a ZipStore's mode is 'r', 'w', 'a' or 'x', not {mode!r}")
        if compression not in zipfile.compressor_names:
            raise InvalidArrayError(f"compression={compression!r} is not one of zipfile's methods "
                                    f"({', '.join(f'{k} ({v})' for k, v in sorted(zipfile.compressor_names.items()))})")
        if isinstance(path, str) and path.startswith("zip://"):
            path = path[len("zip://"):]
        if isinstance(path, (str, os.PathLike)):
            self.path, self._fileobj = pathlib.Path(path), None
        elif all(callable(getattr(path, a, None)) for a in ("read", "seek", "tell")):
            self.path, self._fileobj = None, path
        else:
            raise TypeError(f"a ZipStore's path is a path or an open binary file object, not {type(path).__name__}")
        self.read_only = mode == "r" if read_only is None else bool(read_only)
        self.compression = compression
        self.allowZip64 = bool(allowZip64)
        self.mode = mode
        source = self.path if self._fileobj is None else self._fileobj
        exists = self._fileobj is not None or self.path.exists()
        if mode == "r" and not exists:
            raise FileNotFoundError(f"{self.path}: no such zip file")
        if mode == "x" and exists:
            raise FileExistsError(f"{self.path} exists (mode 'x' makes a new zip file)")
        self._dir = _memory.MemoryDir()
        self.root = pathlib.Path(self._dir.path)
        if mode == "r" or (mode == "a" and exists):
            _zip.unpack(source, self._dir.path)
        _memory.own(self._dir.path, self)
        self._finalizer = None
        self._start = 0 if self._fileobj is None or mode == "a" else self._fileobj.tell()
        if mode != "r" and not self.read_only:
            self._finalizer = _memory.before_exit(weakref.finalize(  # (by this process: see _memory.in_process)
                self, _memory.in_process, os.getpid(), _zip.pack, self._dir.path, source, compression,
                self.allowZip64, self._start, keep=self._dir))

    def close(self) -> None:
        """Writes the store to its zip file (unless read-only); the arrays and groups opened in it can
        still be read. Each call writes the store as it is then."""
        from . import _zip

        if self._finalizer is None:
            return
        self._finalizer.detach()
        _zip.pack(self._dir.path, self.path if self._fileobj is None else self._fileobj, self.compression,
                  self.allowZip64, self._start)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __eq__(self, other) -> bool:
        return isinstance(other, ZipStore) and self.path == other.path and self._fileobj is other._fileobj

    def __hash__(self) -> int:
        return hash((self.path, id(self._fileobj)))

    def __str__(self) -> str:
        return f"zip://{self.path if self._fileobj is None else repr(self._fileobj)}"

    def __repr__(self) -> str:
        return f"ZipStore('{self}')"


class FsspecStore:
    """A remote store read and written through an fsspec filesystem (zarr-python's ``FsspecStore``): ``fs``
    and the store's ``path`` on it; or ``FsspecStore.from_url("s3://bucket/data.zarr", storage_options={...})``
    (see ``brickwork.zarr._remote``). With ``read_only=True``, arrays and groups open read-only and
    nothing is created in it."""

    def __init__(self, fs, read_only: bool = False, path: str = "/", allowed_exceptions=None):
        if not (hasattr(fs, "cat") and hasattr(fs, "ls")):
            raise InvalidArrayError(f"FsspecStore takes an fsspec filesystem, got {fs!r}; for a URL, use "
                                    "FsspecStore.from_url(url, storage_options=...)")
        self.fs, self.path, self.read_only = fs, str(path).rstrip("/"), bool(read_only)

    @classmethod
    def from_url(cls, url: str, storage_options: dict | None = None, read_only: bool = False,
                 allowed_exceptions=None) -> FsspecStore:
        """The store at ``url`` (``s3://...``, ``https://...``), its filesystem made by fsspec with
        ``storage_options``."""
        import fsspec

        fs, path = fsspec.core.url_to_fs(url, **(storage_options or {}))
        return cls(fs, read_only=read_only, path=path)

    @classmethod
    def from_mapper(cls, fs_map, read_only: bool = False, allowed_exceptions=None) -> FsspecStore:
        """The store an fsspec mapper (``fsspec.get_mapper(url)``) names."""
        return cls(fs_map.fs, read_only=read_only, path=fs_map.root)

    @classmethod
    def from_upath(cls, upath, read_only: bool = False, allowed_exceptions=None) -> FsspecStore:
        """The store a universal-pathlib ``UPath`` names (its filesystem and path)."""
        return cls(upath.fs, read_only=read_only, path=upath.path)

    def __eq__(self, other) -> bool:
        return isinstance(other, FsspecStore) and (self.fs, self.path) == (other.fs, other.path)

    def __hash__(self) -> int:
        return hash((id(self.fs), self.path))

    def __repr__(self) -> str:
        return f"FsspecStore({type(self.fs).__name__}, {self.path!r})"


class ObjectStore:
    """A remote store read and written through an obstore store (zarr-python's ``ObjectStore``):
    ``ObjectStore(obstore.store.S3Store("bucket", prefix="data.zarr", ...))``, or any obstore store (GCS,
    Azure, HTTP, local, memory); see ``brickwork.zarr._remote`` and ``_obstore``. With ``read_only=True``,
    arrays and groups open read-only and nothing is created in it."""

    def __init__(self, store, *, read_only: bool = False):
        if type(store).__module__.split(".")[0] != "obstore":
            raise InvalidArrayError(f"ObjectStore takes an obstore store (obstore.store.S3Store(...), ...), got "
                                    f"{store!r}")
        self.store, self.read_only = store, bool(read_only)

    def __eq__(self, other) -> bool:
        return isinstance(other, ObjectStore) and self.store is other.store

    def __hash__(self) -> int:
        return hash(id(self.store))

    def __repr__(self) -> str:
        return f"ObjectStore({self.store!r})"


class StorePath:
    """A store and a path inside it (zarr-python's ``StorePath``): what ``Array.store_path`` and
    ``Group.store_path`` give, and what every function taking a store takes (as zarr-python's
    ``StorePath`` is taken: its store, and its path above the ``path`` given)."""

    def __init__(self, store, path: str = ""):
        self.store, self.path = store, str(path).strip("/")

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.store, "read_only", False))

    def __truediv__(self, other: str) -> StorePath:
        return StorePath(self.store, "/".join(p for p in (self.path, str(other).strip("/")) if p))

    def __eq__(self, other) -> bool:
        return isinstance(other, StorePath) and self.store is other.store and self.path == other.path

    def __hash__(self) -> int:
        return hash((id(self.store), self.path))

    def __str__(self) -> str:
        return "/".join(p for p in (str(self.store).rstrip("/"), self.path) if p)

    def __repr__(self) -> str:
        return f"StorePath({type(self.store).__name__}, {str(self)!r})"
