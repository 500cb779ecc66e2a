"""zarr-python's ``zarr.storage``, as far as brickwork's stores go: ``LocalStore(root)`` names a
directory (as a path or a ``file://`` URL does). brickwork's stores are local directories; the other
stores zarr-python offers are named here so that code naming them gets a clear error, not an
AttributeError.
"""
from __future__ import annotations

import os
import pathlib

from ..errors import InvalidArrayError

__all__ = ["FsspecStore", "LocalStore", "MemoryStore", "ObjectStore", "ZipStore"]


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


class _NotOffered:
    def __init__(self, *args, **kwargs):
        raise InvalidArrayError(f"brickwork stores are local directories: {type(self).__name__} is not offered "
                                "(use a path, a file:// URL or LocalStore; zarr-python reads what brickwork writes)")


class MemoryStore:
    """A store in memory (zarr-python's ``MemoryStore``): brickwork keeps its files in a directory in RAM
    (``root``; see ``brickwork.zarr._memory``), removed when the store and every array and group opened
    in it are gone. ``store_dict`` must be None or empty: zarr-python's keys and bytes are not
    brickwork's."""

    def __init__(self, store_dict: dict | None = None, *, read_only: bool = False):
        from ._memory import MemoryDir

        if store_dict:
            raise InvalidArrayError("brickwork's MemoryStore starts empty (it keeps files in RAM, not "
                                    "zarr-python's dict of keys)")
        self._dir = MemoryDir()
        self.root = pathlib.Path(self._dir.path)
        self.read_only = bool(read_only)

    def __repr__(self) -> str:
        return f"MemoryStore('memory://{id(self)}')"


class ZipStore(_NotOffered):
    """Not offered: brickwork's stores are directories."""


class FsspecStore(_NotOffered):
    """Not offered: brickwork's stores are local directories (remote ones need zarr-python and fsspec)."""


class ObjectStore(_NotOffered):
    """Not offered: brickwork's stores are local directories."""
