"""Zarr groups: the hierarchy zarr-python and xarray write (format 2: a ``.zgroup`` file; format 3: a
``zarr.json`` whose ``node_type`` is ``"group"``), each member a directory holding an array or a group.

``brickwork.zarr.open_group(path)`` (and ``brickwork.zarr.open(path)`` on a group) gives a :class:`Group`
whose members are opened by name (``g["raw"]``, ``g["labels/v1"]``) as :class:`brickwork.zarr.Array` or
:class:`Group`; groups and arrays are created in it (``create_group``, ``create_array``), and its
attributes read and written. ``consolidate_metadata(path)`` writes what zarr-python's
``zarr.consolidate_metadata`` writes (v2: ``.zmetadata``; v3: the root ``zarr.json``'s
``consolidated_metadata``), which xarray and zarr-python read instead of every member's file: as with
zarr-python, it is a snapshot, to write again after the hierarchy changes.

Metadata files are written to a temporary name and renamed into place, as the arrays' are.
"""
from __future__ import annotations

import builtins
import json
import os
import shutil
import tempfile
import urllib.parse
from typing import Iterator

from .errors import InvalidArrayError


def store_path(store) -> str:
    """The directory a store argument names, as zarr-python takes it: a path (``str`` or
    ``os.PathLike``), a ``file://`` URL, or zarr-python's ``LocalStore`` (its ``root``). Other stores
    (memory, zip, fsspec URLs such as ``s3://``) are refused with a clear error: brickwork's stores are
    local directories."""
    if isinstance(store, str) and "://" in store:
        url = urllib.parse.urlparse(store)
        if url.scheme != "file" or url.netloc not in ("", "localhost"):
            raise InvalidArrayError(f"{store!r}: brickwork stores are local directories (a path or a file:// "
                                    f"URL); {url.scheme}:// URLs need zarr-python with fsspec")
        return urllib.parse.unquote(url.path)
    if isinstance(store, (str, os.PathLike)):
        return os.fspath(store)
    root = getattr(store, "root", None)
    if type(store).__name__ == "LocalStore" and isinstance(root, (str, os.PathLike)):
        return os.fspath(root)
    raise InvalidArrayError(f"brickwork stores are local directories: pass a path, a file:// URL or a "
                            f"zarr.storage.LocalStore, not a {type(store).__name__}")

#: The largest metadata file read (as the Rust side's limit).
_MAX_META_BYTES = 1 << 24


def read_json(path: str) -> dict | None:
    """The JSON object in ``path``, or None when the file does not exist."""
    try:
        with builtins.open(path, "rb") as f:
            text = f.read(_MAX_META_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if len(text) > _MAX_META_BYTES:
        raise InvalidArrayError(f"{path} is larger than {_MAX_META_BYTES} bytes; it is not Zarr metadata")
    try:
        value = json.loads(text)
    except ValueError as e:
        raise InvalidArrayError(f"{path} is not JSON: {e}") from None
    if not isinstance(value, dict):
        raise InvalidArrayError(f"{path} does not hold a JSON object")
    return value


def write_json(path: str, value: dict, zarr_format: int) -> None:
    """Writes ``value`` to ``path`` atomically, formatted as zarr-python formats it."""
    text = (json.dumps(value, indent=4, sort_keys=True, ensure_ascii=True, allow_nan=False) if zarr_format == 2
            else json.dumps(value, indent=2, allow_nan=False))
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".brickwork-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def attributes_json(attributes) -> str | None:
    """User attributes as JSON text (None when there are none), checked."""
    if attributes is not None and not isinstance(attributes, dict):
        raise InvalidArrayError(f"attributes must be a dict, got {type(attributes).__name__}")
    try:
        return None if not attributes else json.dumps(attributes, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InvalidArrayError(f"attributes must hold JSON values (no NaN or infinity): {e}") from None


def read_attributes(path: str, zarr_format: int) -> dict:
    """The user attributes of the node at ``path`` (v2: ``.zattrs``, none when missing; v3: its
    ``zarr.json``'s ``attributes``), checked to be a JSON object."""
    if zarr_format == 2:
        value = read_json(os.path.join(path, ".zattrs")) or {}
    else:
        value = (read_json(os.path.join(path, "zarr.json")) or {}).get("attributes", {})
    if not isinstance(value, dict):
        raise InvalidArrayError(f"{path}: the attributes are not a JSON object")
    return value


def node_kind(path: str) -> tuple[str, int] | None:
    """What the directory ``path`` holds: ``("array" | "group", zarr_format)``, or None."""
    if os.path.isfile(os.path.join(path, ".zarray")):
        return "array", 2
    if os.path.isfile(os.path.join(path, ".zgroup")):
        return "group", 2
    meta = read_json(os.path.join(path, "zarr.json"))
    if meta is not None and meta.get("node_type") in ("array", "group"):
        return meta["node_type"], 3
    return None


def _check_name(name: str) -> list[str]:
    """The path components of a member name (``"a"`` or ``"a/b"``), checked."""
    if not isinstance(name, str):
        raise TypeError(f"member names are str, got {type(name).__name__}")
    parts = [p for p in name.strip("/").split("/")]
    if not name.strip("/") or any(p in ("", ".", "..") or p.startswith("__") for p in parts):
        raise InvalidArrayError(f"{name!r} is not a member name (path components, none empty, '.', '..' "
                                "or starting with '__')")
    return parts


class Group:
    """A Zarr group (format 2 or 3), indexed by member name like zarr-python's ``Group``: ``g[name]`` is
    an :class:`~brickwork.zarr.Array` or a :class:`Group` (``"a/b"`` walks down), opened with the
    group's mode; ``name in g``, ``len(g)``, iteration (sorted names), ``keys()``, ``members()``,
    ``arrays()``, ``groups()``, ``array_keys()``, ``group_keys()``; ``g.attrs``; with ``mode="r+"``,
    ``create_group``, ``require_group`` and ``create_array``."""

    def __init__(self, path, *, mode: str = "r", max_bytes: int | None = None):
        from .zarr import DEFAULT_MAX_ARRAY_BYTES

        if mode not in ("r", "r+"):
            raise InvalidArrayError(f'mode must be "r" (read) or "r+" (read and write), got {mode!r}')
        self.path = store_path(path)
        self.mode = mode
        self.max_bytes = DEFAULT_MAX_ARRAY_BYTES if max_bytes is None else int(max_bytes)
        kind = node_kind(self.path)
        if kind is None or kind[0] != "group":
            what = "a Zarr array" if kind else "no Zarr group (no .zgroup, nor a zarr.json of a group)"
            raise InvalidArrayError(f"{self.path} holds {what}; open it with brickwork.zarr.open")
        self.zarr_format = kind[1]

    @property
    def attrs(self):
        """The group's user attributes (v2: ``.zattrs``; v3: ``zarr.json``'s ``attributes``); writable
        when the group is open with ``mode="r+"``."""
        from .zarr import Attributes

        return Attributes(self)

    def _read_attrs(self) -> dict:
        return read_attributes(self.path, self.zarr_format)

    def _write_attrs(self, attributes: dict) -> None:
        self._writable()
        attributes_json(attributes)
        if self.zarr_format == 2:
            write_json(os.path.join(self.path, ".zattrs"), attributes, 2)
        else:
            meta = read_json(os.path.join(self.path, "zarr.json"))
            meta["attributes"] = attributes
            write_json(os.path.join(self.path, "zarr.json"), meta, 3)

    def _writable(self) -> None:
        if self.mode != "r+":
            raise InvalidArrayError(f'{self.path} is open for reading only; open it with mode="r+" to write')

    def _open(self, path: str):
        from .zarr import Array

        kind = node_kind(path)
        if kind is None:
            return None
        if kind[0] == "array":
            return Array(path, mode=self.mode, max_bytes=self.max_bytes)
        return Group(path, mode=self.mode, max_bytes=self.max_bytes)

    def __getitem__(self, name: str):
        node = self._open(os.path.join(self.path, *_check_name(name)))
        if node is None:
            raise KeyError(name)
        return node

    def __delitem__(self, name: str) -> None:
        """Deletes the member ``name`` (an array or a group, with everything under it), as zarr-python's
        ``del group[name]``."""
        self._writable()
        path = os.path.join(self.path, *_check_name(name))
        if node_kind(path) is None:
            raise KeyError(name)
        if os.path.islink(path):
            os.unlink(path)  # a link to a node elsewhere: the link goes, not what it points to
        else:
            shutil.rmtree(path)

    def get(self, name: str, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        try:
            parts = _check_name(name)
        except (TypeError, InvalidArrayError):
            return False
        return node_kind(os.path.join(self.path, *parts)) is not None

    def keys(self) -> list[str]:
        """The names of the group's members (arrays and groups directly in it), sorted."""
        try:
            entries = sorted(os.listdir(self.path))
        except FileNotFoundError:
            return []
        return [e for e in entries if not e.startswith(".") and node_kind(os.path.join(self.path, e)) is not None]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def members(self) -> Iterator[tuple]:
        """``(name, Array or Group)`` of every member, sorted by name."""
        for name in self.keys():
            yield name, self[name]

    def arrays(self) -> Iterator[tuple]:
        """``(name, Array)`` of the member arrays."""
        from .zarr import Array

        return ((n, m) for n, m in self.members() if isinstance(m, Array))

    def groups(self) -> Iterator[tuple]:
        """``(name, Group)`` of the member groups."""
        return ((n, m) for n, m in self.members() if isinstance(m, Group))

    def array_keys(self) -> Iterator[str]:
        return (n for n, _ in self.arrays())

    def group_keys(self) -> Iterator[str]:
        return (n for n, _ in self.groups())

    def create_group(self, name: str, *, attributes: dict | None = None, overwrite: bool = False) -> Group:
        """A new group ``name`` in this one (of its Zarr format)."""
        self._writable()
        path = os.path.join(self.path, *_check_name(name))
        return create_group(path, zarr_format=self.zarr_format, attributes=attributes, overwrite=overwrite)

    def require_group(self, name: str) -> Group:
        """The group ``name``, created when there is none."""
        node = self.get(name)
        if isinstance(node, Group):
            return node
        if node is not None:
            raise InvalidArrayError(f"{name!r} in {self.path} is an array, not a group")
        return self.create_group(name)

    def create_array(self, name: str, **kwargs):
        """A new array ``name`` in this group (of its Zarr format unless ``zarr_format=`` says):
        :func:`brickwork.zarr.create_array`'s keywords, as zarr-python's ``Group.create_array``.
        Returns it open for writing."""
        from .zarr import create_array

        self._writable()
        _check_name(name)
        kwargs.setdefault("zarr_format", self.zarr_format)
        kwargs.setdefault("max_bytes", self.max_bytes)
        return create_array(self.path, name=name, **kwargs)

    def __repr__(self) -> str:
        return f"<brickwork.zarr.Group {self.path!r} zarr_format={self.zarr_format}>"


def create_group(path, *, zarr_format: int = 3, attributes: dict | None = None, overwrite: bool = False) -> Group:
    """Create a Zarr group at ``path`` (a new or empty directory; an existing Zarr group or array, with
    everything under it, only with ``overwrite=True``) and return it open for writing."""
    if zarr_format not in (2, 3):
        raise InvalidArrayError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    attributes_json(attributes)
    path = store_path(path)
    if os.path.isdir(path) and os.listdir(path):
        if node_kind(path) is None:
            raise InvalidArrayError(f"{path} is a directory that is not empty and holds no Zarr node; "
                                    "brickwork does not write into it")
        if not overwrite:
            raise InvalidArrayError(f"{path} already holds a Zarr node; pass overwrite=True to replace it")
        shutil.rmtree(path)
    os.makedirs(path, exist_ok=True)
    if zarr_format == 2:
        if attributes:
            write_json(os.path.join(path, ".zattrs"), attributes, 2)
        write_json(os.path.join(path, ".zgroup"), {"zarr_format": 2}, 2)
    else:
        write_json(os.path.join(path, "zarr.json"),
                    {"attributes": attributes or {}, "zarr_format": 3, "node_type": "group"}, 3)
    return Group(path, mode="r+")


def open_group(path, mode: str = "a", *, zarr_format: int | None = None, attributes: dict | None = None,
               max_bytes: int | None = None) -> Group:
    """Open the Zarr group at ``path`` as zarr-python's ``open_group`` does: ``mode="r"`` to read,
    ``"r+"`` to read and write, ``"a"`` (the default) to read and write, creating the group when there
    is nothing at ``path`` (of ``zarr_format``, 3 by default, as zarr-python), ``"w-"`` to create it (an
    error if something is there), ``"w"`` to create it, replacing a Zarr node that is there."""
    path = store_path(path)
    if mode in ("r", "r+"):
        return Group(path, mode=mode, max_bytes=max_bytes)
    if mode == "a" and node_kind(path) is not None:
        return Group(path, mode="r+", max_bytes=max_bytes)
    if mode in ("a", "w-", "w"):
        group = create_group(path, zarr_format=zarr_format or 3, attributes=attributes, overwrite=mode == "w")
        group.max_bytes = group.max_bytes if max_bytes is None else int(max_bytes)
        return group
    raise InvalidArrayError(f'mode must be "r", "r+", "a", "w" or "w-", got {mode!r}')


def consolidate_metadata(path) -> Group:
    """Write the metadata of every node under the group at ``path`` into one place, as zarr-python's
    ``zarr.consolidate_metadata`` does (v2: ``.zmetadata``; v3: the group's ``zarr.json`` gets
    ``consolidated_metadata``), so that readers open the whole hierarchy from one file. Returns the
    group."""
    group = Group(path, mode="r+")
    found: dict = {}
    seen = {os.path.realpath(group.path)}

    def walk(directory: str, prefix: str) -> None:
        for entry in sorted(os.listdir(directory)):
            sub = os.path.join(directory, entry)
            kind = node_kind(sub)
            if kind is None or entry.startswith("."):
                continue
            if kind[0] == "group" and os.path.realpath(sub) in seen:
                continue  # a link to a group above: listed once
            seen.add(os.path.realpath(sub))
            key = prefix + entry
            if group.zarr_format == 2:
                for name in (".zarray", ".zgroup", ".zattrs"):
                    meta = read_json(os.path.join(sub, name))
                    if meta is not None:
                        found[f"{key}/{name}"] = meta
            else:
                meta = read_json(os.path.join(sub, "zarr.json"))
                meta.pop("consolidated_metadata", None)
                found[key] = meta
            if kind[0] == "group":
                walk(sub, key + "/")

    walk(group.path, "")
    if group.zarr_format == 2:
        metadata = {".zgroup": read_json(os.path.join(group.path, ".zgroup"))}
        attrs = read_json(os.path.join(group.path, ".zattrs"))
        if attrs is not None:
            metadata[".zattrs"] = attrs
        metadata.update(found)
        write_json(os.path.join(group.path, ".zmetadata"),
                    {"metadata": metadata, "zarr_consolidated_format": 1}, 2)
    else:
        meta = read_json(os.path.join(group.path, "zarr.json"))
        meta["consolidated_metadata"] = {"kind": "inline", "must_understand": False, "metadata": found}
        write_json(os.path.join(group.path, "zarr.json"), meta, 3)
    return group
