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
import contextlib
import json
import os
import shutil
import tempfile
import urllib.parse
import weakref
from typing import Iterator

from ..errors import InvalidArrayError
from . import _config, _memory, _remote
from .errors import ArrayNotFoundError, ContainsArrayError, ContainsGroupError, GroupNotFoundError


def store_path(store) -> str:
    """The directory a store argument names, as zarr-python takes it: a path (``str`` or
    ``os.PathLike``), a ``file://`` URL, zarr-python's or brickwork's ``LocalStore`` (its ``root``); or a
    store in memory (``memory://name``, brickwork's ``MemoryStore()``), which brickwork keeps as a
    directory in RAM (see ``_memory``), or brickwork's ``ZipStore`` (its directory in RAM); or a remote
    store (an fsspec URL such as ``s3://``, an ``FsspecStore``) or one held in a dict (a ``dict``,
    zarr-python's ``MemoryStore``), whose mirror in RAM it names (see ``_remote``, ``_mapping``); or
    zarr-python's ``ZipStore`` open for reading (read by a brickwork ``ZipStore`` of the same file). Other
    stores are refused with a clear error."""
    from . import _memory, _remote
    from .storage import MemoryStore, ZipStore

    remote = _remote.remote_of(store)
    if remote is not None:
        return remote.root
    if isinstance(store, str) and store.startswith("memory://"):
        return _memory.named(store)
    if isinstance(store, str) and "://" in store:
        url = urllib.parse.urlparse(store)
        if url.scheme != "file" or url.netloc not in ("", "localhost"):
            raise InvalidArrayError(f"{store!r}: a file:// URL names a local directory (file:///path)")
        return _directory(urllib.parse.unquote(url.path))
    if isinstance(store, (str, os.PathLike)):
        return _directory(os.fspath(store))
    if isinstance(store, (MemoryStore, ZipStore)):
        return os.fspath(store.root)
    root = getattr(store, "root", None)
    if type(store).__name__ == "LocalStore" and isinstance(root, (str, os.PathLike)):
        return os.fspath(root)
    if type(store).__name__ == "ZipStore" and type(store).__module__.startswith("zarr."):
        return os.fspath(_their_zip(store).root)
    raise InvalidArrayError(f"not a store brickwork takes: a {type(store).__module__}.{type(store).__name__}; pass a "
                            "path, a file://, memory:// or fsspec URL (s3://...), a dict, brickwork.zarr.storage's "
                            "LocalStore, MemoryStore, ZipStore, FsspecStore or ObjectStore, or zarr.storage's "
                            "LocalStore, MemoryStore, FsspecStore or ObjectStore")

#: brickwork's zip stores reading zarr-python's (read-only) ones, by the id of zarr-python's (which cannot be
#: hashed): each dropped when zarr-python's is collected
_their_zips: dict = {}


def _their_zip(store):
    """brickwork's ``ZipStore`` reading the file of zarr-python's read-only ``ZipStore`` ``store`` (one, for
    as long as ``store`` lives); zarr-python's open for writing is an error (two writers of one file)."""
    from .storage import ZipStore

    if not store.read_only:
        raise InvalidArrayError(f"zarr-python's ZipStore({str(store.path)!r}) is open for writing; brickwork would "
                                "be a second writer of the file: close it and use brickwork.zarr.storage.ZipStore "
                                "(or open zarr-python's with mode='r' to read it)")
    ours = _their_zips.get(id(store))
    if ours is None:
        ours = _their_zips[id(store)] = ZipStore(store.path, mode="r")
        weakref.finalize(store, _their_zips.pop, id(store), None)
    return ours


def _directory(path: str) -> str:
    """``path``, which names a store directory (made when missing); a file there is a clear error (a zip
    file's names its store class). A directory in a remote store's mirror made by the process this one
    was forked from is the same directory in this process's mirror (see ``_remote.here``)."""
    path = _remote.here(path)
    if os.path.isfile(path):
        import zipfile

        hint = (": a zip file, whose store brickwork.zarr.storage.ZipStore(path) opens" if zipfile.is_zipfile(path)
                else "; a store is a directory")
        raise InvalidArrayError(f"{_remote.shown(path)} is a file, not a Zarr store{hint}")
    return path


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
        raise InvalidArrayError(f"{_remote.shown(path)} is larger than {_MAX_META_BYTES} bytes; it is not Zarr "
                                "metadata")
    try:
        value = json.loads(text)
    except ValueError as e:
        raise InvalidArrayError(f"{_remote.shown(path)} is not JSON: {e}") from None
    if not isinstance(value, dict):
        raise InvalidArrayError(f"{_remote.shown(path)} does not hold a JSON object")
    return value


@contextlib.contextmanager
def atomic_file(path: str, mode: str = "w"):
    """A new file object whose contents replace ``path`` in one rename when the block ends (written beside
    it as ``.<name>.<random>.partial``, the partial-file names brickwork's writers use; removed if the
    block raises), so a failed or interrupted write leaves the old file (or none), never a truncated one."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".partial")
    try:
        if hasattr(os, "fchmod"):  # mkstemp's file is private (0600); a store's files are as open() makes them
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, mode) as f:
            yield f
        os.replace(tmp, path)
        _remote.wrote(path)  # (of a remote store's mirror: into the store too)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    """The process's umask (read from /proc where it can be, as setting it to read it races other threads)."""
    try:
        with builtins.open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json(path: str, value: dict, zarr_format: int) -> None:
    """Writes ``value`` to ``path`` atomically, formatted as zarr-python formats it."""
    text = (json.dumps(value, indent=4, sort_keys=True, ensure_ascii=True, allow_nan=False) if zarr_format == 2
            else json.dumps(value, indent=2, allow_nan=False))
    with atomic_file(path) as f:
        f.write(text)


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
        raise InvalidArrayError(f"{_remote.shown(path)}: the attributes are not a JSON object")
    return value


def node_kind(path: str) -> tuple[str, int] | None:
    """What the directory ``path`` holds: ``("array" | "group", zarr_format)``, or None. A ``zarr.json``
    comes first, as zarr-python reads it (beside a v3 array's, zarr-python may write a v2 parent's
    ``.zgroup``)."""
    remote = _remote.of(path)
    if remote is not None and not os.path.isfile(path):  # (a remote store's node: its metadata fetched first)
        remote.describe(path)
    meta = read_json(os.path.join(path, "zarr.json"))
    if meta is not None and meta.get("node_type") in ("array", "group"):
        return meta["node_type"], 3
    if os.path.isfile(os.path.join(path, ".zarray")):
        return "array", 2
    if os.path.isfile(os.path.join(path, ".zgroup")):
        return "group", 2
    return None


#: what zarr-python's ``Group.create_array`` compresses a v2 group's arrays with when not told (it takes
#: numcodecs' Blosc, whose defaults these are; its other ways of making arrays take zstd)
_V2_GROUP_COMPRESSOR = {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}


def _check_name(name: str) -> list[str]:
    """The path components of a member name (``"a"`` or ``"a/b"``), checked."""
    if not isinstance(name, str):
        raise TypeError(f"member names are str, got {type(name).__name__}")
    parts = [p for p in name.strip("/").split("/")]
    if not name.strip("/") or any(p in ("", ".", "..") for p in parts):
        raise InvalidArrayError(f"{name!r} is not a member name (path components, none empty, '.' or '..')")
    return parts


class Group:
    """A Zarr group (format 2 or 3), indexed by member name like zarr-python's ``Group``: ``g[name]`` is
    an :class:`~brickwork.zarr.Array` or a :class:`Group` (``"a/b"`` walks down), opened with the
    group's mode; ``name in g``, ``len(g)``, iteration (sorted names), ``keys()``, ``members()``,
    ``arrays()``, ``groups()``, ``array_keys()``, ``group_keys()``; ``g.attrs``; with ``mode="r+"``,
    ``create_group``, ``require_group`` and ``create_array``."""

    def __init__(self, path, *, mode: str = "r", max_bytes: int | None = None, name: str = "/"):
        from . import DEFAULT_MAX_ARRAY_BYTES

        if mode not in ("r", "r+"):
            raise InvalidArrayError(f'mode must be "r" (read) or "r+" (read and write), got {mode!r}')
        self._pid = os.getpid()  # (the process the group was opened in: see ``path``)
        self._path = store_path(path)
        self._name = name
        self._memory = _memory.owner(self._path)  # a store in memory lives while its groups and arrays do
        self._use_consolidated = None
        self.mode = mode
        self.max_bytes = DEFAULT_MAX_ARRAY_BYTES if max_bytes is None else int(max_bytes)
        remote = _remote.of(self.path)
        if remote is not None:
            remote.describe(self.path, again=True)  # (what the store holds now)
        kind = node_kind(self.path)
        if kind is None:
            raise GroupNotFoundError(f"{_remote.shown(self.path)} holds no Zarr group (no .zgroup, nor a zarr.json "
                                     "of a group)")
        if kind[0] != "group":
            raise ContainsArrayError(f"{_remote.shown(self.path)} holds a Zarr array; open it with brickwork.zarr.open")
        self.zarr_format = kind[1]

    @property
    def path(self) -> str:
        """The directory the group is in (zarr-python's ``path`` is the path inside the store: here
        ``name``); of a remote store or a dict, in brickwork's mirror of it: in a process forked after the
        group was opened, in that process's own (see ``_remote.Remote.here``)."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            moved = _remote.here(self._path)
            if moved != self._path:
                self._path, self._memory = moved, _memory.owner(moved)
                _remote.of(moved).describe(moved, again=True)
        return self._path

    def __reduce__(self):
        # pickled as what reopens it: its directory, or, in a remote store or a dict, the store (see Array's)
        return _reopen_group, (_remote.located(self.path) or self.path, self.mode, self.max_bytes, self._name,
                               self._use_consolidated)

    name = property(lambda self: self._name, doc='The path of the group in its store, from "/" (zarr-python\'s).')
    basename = property(lambda self: self._name.rsplit("/", 1)[-1], doc="The last part of the name.")
    read_only = property(lambda self: self.mode == "r", doc="Whether the group was opened for reading only.")
    @property
    def store_path(self):
        """The group's store and its path in it (zarr-python's ``StorePath``)."""
        from .storage import StorePath

        return StorePath(self.store, self._name)
    synchronizer = None  # zarr-python's, unused there too

    store = property(lambda self: store_of(self.path, self._name),
                     doc="The store the group was opened from (see ``Array.store``).")

    @property
    def metadata(self) -> Metadata:
        """The group's metadata (a dict whose keys are attributes too, as zarr-python's metadata objects'
        fields): v3 its ``zarr.json``, v2 ``.zgroup``'s with the attributes; ``consolidated_metadata`` is
        the consolidated metadata of the nodes under the group (read from the store's root, as
        :func:`consolidate_metadata` wrote it, with keys relative to the group), or None when there is
        none or the group was opened with ``use_consolidated=False``."""
        if self.zarr_format == 3:
            meta = read_json(os.path.join(self.path, "zarr.json")) or {}
        else:
            meta = {**(read_json(os.path.join(self.path, ".zgroup")) or {}), "attributes": self._read_attrs()}
        meta.pop("consolidated_metadata", None)
        found = None if self._use_consolidated is False else self._consolidated()
        meta["consolidated_metadata"] = None if found is None else {"kind": "inline", "must_understand": False,
                                                                   "metadata": found}
        return Metadata(meta)

    def _consolidated(self) -> dict | None:
        """The consolidated metadata of the nodes under this group, by path relative to it: from the
        nearest group at or above it (up to the store's root) that has some."""
        parts = [p for p in self._name.split("/") if p]
        for depth in range(len(parts), -1, -1):
            root = store_root(self.path, self._name)
            directory = root if depth == 0 else os.path.join(root, *parts[:depth])
            entries = _consolidated_entries(directory, self.zarr_format)
            if entries is None:
                continue
            prefix = "/".join(parts[depth:])
            if not prefix:
                return entries
            return {k[len(prefix) + 1:]: v for k, v in entries.items() if k.startswith(prefix + "/")}
        return None

    @property
    def info(self) -> str:
        """A summary (name, type, format, mode, members), as zarr-python's ``Group.info`` shows."""
        remote = _remote.of(self.path)
        kind = "directory" if remote is None else remote.kind
        return (f"Name        : {self._name}\nType        : Group\nZarr format : {self.zarr_format}\n"
                f"Read-only   : {self.read_only}\nStore type  : {kind} ({_remote.shown(self.path)})\n")

    def info_complete(self) -> str:
        """:attr:`info` with the number of members and of arrays and groups among them."""
        arrays = len(list(self.array_keys()))
        return self.info + f"No. members : {len(self)}\nNo. arrays  : {arrays}\nNo. groups  : {len(self) - arrays}\n"

    @classmethod
    def open(cls, store, zarr_format: int | None = 3) -> Group:
        """zarr-python's ``Group.open``: the group at ``store``, open for writing."""
        return open_group(store, mode="r+", zarr_format=zarr_format)

    @classmethod
    def from_store(cls, store, *, attributes: dict | None = None, zarr_format: int = 3,
                   overwrite: bool = False) -> Group:
        """zarr-python's ``Group.from_store``: a new group at ``store``."""
        return create_group(store, attributes=attributes, zarr_format=zarr_format, overwrite=overwrite)

    @property
    def attrs(self):
        """The group's user attributes (v2: ``.zattrs``; v3: ``zarr.json``'s ``attributes``); writable
        when the group is open with ``mode="r+"``."""
        from . import Attributes

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

    def _open(self, parts: list[str], kind: tuple[str, int] | None = None):
        """The member at the path ``parts`` (None if there is none); ``kind`` is its node_kind when known."""
        from . import Array

        path = os.path.join(self.path, *parts)
        kind = kind or node_kind(path)
        if kind is None:
            return None
        name = self._child_name("/".join(parts))
        if kind[0] == "array":
            return Array(path, mode=self.mode, max_bytes=self.max_bytes, name=name)
        group = Group(path, mode=self.mode, max_bytes=self.max_bytes, name=name)
        group._use_consolidated = self._use_consolidated
        return group

    def __getitem__(self, name: str):
        node = self._open(_check_name(name))
        if node is None:
            raise KeyError(name)
        return node

    def get_array(self, path: str):
        """The array ``path`` (a TypeError if it is a group, a KeyError if there is none), as zarr-python."""
        from . import Array

        node = self.get(path)
        if node is None:
            raise ArrayNotFoundError(f"no array {path!r} in {_remote.shown(self.path)}")
        if not isinstance(node, Array):
            raise ContainsGroupError(f"{path!r} in {_remote.shown(self.path)} is a group, not an array")
        return node

    def get_group(self, path: str) -> Group:
        """The group ``path`` (a TypeError if it is an array, a KeyError if there is none)."""
        node = self.get(path)
        if node is None:
            raise GroupNotFoundError(f"no group {path!r} in {_remote.shown(self.path)}")
        if not isinstance(node, Group):
            raise ContainsArrayError(f"{path!r} in {_remote.shown(self.path)} is an array, not a group")
        return node

    def move(self, source: str, dest: str) -> None:
        """Moves the member ``source`` (an array or a group, with everything under it) to ``dest``
        (zarr-python's ``move``); ``dest`` must not exist."""
        self._writable()
        src, dst = (os.path.join(self.path, *_check_name(n)) for n in (source, dest))
        if node_kind(src) is None:
            raise KeyError(source)
        if os.path.lexists(dst):
            raise InvalidArrayError(f"{dest!r} already exists in {_remote.shown(self.path)}")
        above = parents(self.path, dest)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        _remote.moved(src, dst)
        os.rename(src, dst)
        make_parents(above, self.zarr_format)

    def __setitem__(self, name: str, value) -> None:
        """``g[name] = data``: saves ``data`` as the array ``name`` with :func:`brickwork.zarr.save_array`'s
        defaults, in the group's format, replacing what is there (zarr-python's fast path)."""
        from . import save_array

        self._writable()
        _check_name(name)
        save_array(self.path, value, path=name, zarr_format=self.zarr_format, overwrite=True)

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
            remove_tree(path)

    def get(self, path: str, default=None):
        try:
            return self[path]
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
        return [name for name, _ in self._member_kinds()]

    def _member_kinds(self) -> list[tuple[str, tuple[str, int]]]:
        """``(name, node_kind)`` of the group's members, sorted by name (each member's metadata read once)."""
        remote = _remote.of(self.path)
        if remote is not None:
            remote.list_members(self.path)
        try:
            entries = sorted(os.listdir(self.path))
        except FileNotFoundError:
            return []
        found = ((e, node_kind(os.path.join(self.path, e))) for e in entries if not e.startswith("."))
        return [(e, kind) for e, kind in found if kind is not None]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def members(self, max_depth: int | None = 0, *, use_consolidated_for_children: bool = True) -> tuple:
        """``(name, Array or Group)`` of every member, sorted by name; with ``max_depth`` (None: no limit)
        the members of member groups too, that many levels down, named by their paths (``"a/b"``), as
        zarr-python's. brickwork reads each member's own metadata (consolidated or not)."""
        if max_depth is not None and max_depth < 0:
            raise InvalidArrayError(f"max_depth must be None or at least 0, got {max_depth}")
        found = []
        seen = {os.path.realpath(self.path)}

        def walk(group: Group, prefix: str, depth: int) -> None:
            for key, kind in group._member_kinds():
                node = group._open([key], kind)
                found.append((prefix + key, node))
                real = os.path.realpath(node.path)
                if isinstance(node, Group) and (max_depth is None or depth < max_depth) and real not in seen:
                    seen.add(real)  # a link to a group above is listed, not walked again
                    walk(node, prefix + key + "/", depth + 1)

        walk(self, "", 0)
        return tuple(found)

    def nmembers(self, max_depth: int | None = 0) -> int:
        """How many members :meth:`members` lists."""
        return len(self.members(max_depth))

    def array_values(self) -> Iterator:
        """The member arrays."""
        return (a for _, a in self.arrays())

    def group_values(self) -> Iterator:
        """The member groups."""
        return (g for _, g in self.groups())

    def tree(self, expand=None, level: int | None = None, *, max_nodes: int = 500, plain: bool = False):
        """The hierarchy drawn as zarr-python's ``Group.tree()`` draws it (groups by name, arrays with
        their shape and dtype; ``level``: how many levels below the members to show)."""
        return _Tree(self, level, max_nodes)

    def arrays(self) -> Iterator[tuple]:
        """``(name, Array)`` of the member arrays."""
        from . import Array

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
        _check_name(name)
        group = create_group(self.path, path=name, zarr_format=self.zarr_format, attributes=attributes,
                             overwrite=overwrite)
        group._name = self._child_name(name)
        group.max_bytes = self.max_bytes
        return group

    def create_hierarchy(self, nodes: dict, *, overwrite: bool = False):
        """zarr-python's ``Group.create_hierarchy``: :func:`brickwork.zarr.create_hierarchy` under this group,
        ``nodes`` by their paths relative to it (not the group itself, ``""``), of its Zarr format."""
        from . import _hierarchy

        self._writable()
        if any(str(key).strip("/") == "" for key in nodes):
            raise ValueError("nodes names the group itself (''); this group is the root of the hierarchy")
        made = _hierarchy.make(self.path, nodes, overwrite, self.zarr_format)
        for path, node in made:
            node._name = self._child_name(path)
        return iter(made)

    def require_group(self, name: str) -> Group:
        """The group ``name``, created when there is none."""
        node = self.get(name)
        if isinstance(node, Group):
            return node
        if node is not None:
            raise TypeError(f"{name!r} in {_remote.shown(self.path)} is an array, not a group")
        return self.create_group(name)

    def require_groups(self, *names: str) -> tuple:
        """:meth:`require_group` of each name."""
        return tuple(self.require_group(n) for n in names)

    def create_array(self, name: str, *, compressor="auto", **kwargs):
        """A new array ``name`` in this group (of its Zarr format unless ``zarr_format=`` says):
        :func:`brickwork.zarr.create_array`'s keywords (and zarr-python's ``compressor=``, one codec),
        as zarr-python's ``Group.create_array``; in a v2 group, compressed as zarr-python's are unless
        told (numcodecs' Blosc defaults: lz4 level 5, byte shuffle). Returns it open for writing."""
        from . import create_array

        self._writable()
        _check_name(name)
        given = kwargs.get("compressors", "auto")
        if not (isinstance(compressor, str) and compressor == "auto"):
            if "compressors" in kwargs:
                raise InvalidArrayError("compressor and compressors name the same thing; pass one")
            kwargs["compressors"] = compressor
        elif self.zarr_format == 2 and isinstance(given, str) and given == "auto":
            kwargs["compressors"] = _V2_GROUP_COMPRESSOR
        kwargs.setdefault("zarr_format", self.zarr_format)
        kwargs.setdefault("max_bytes", self.max_bytes)
        array = create_array(self.path, name=name, **kwargs)
        array._name = self._child_name(name)
        return array

    create = create_array

    def require_array(self, name: str, *, shape, config=None, **kwargs):
        """The array ``name``, created (:meth:`create_array`) when there is none; an existing one must have
        ``shape`` (and ``dtype``, when given)."""
        import numpy as np
        from . import Array, _check_config

        _check_config(config)
        node = self.get(name)
        if node is None:
            return self.create_array(name, shape=shape, **kwargs)
        if not isinstance(node, Array):
            raise TypeError(f"{name!r} in {_remote.shown(self.path)} is a group, not an array")
        shape = tuple(shape) if np.ndim(shape) else (shape,)
        if node.shape != shape:
            raise TypeError(f"{name!r} has shape {node.shape}, not {shape}")
        if kwargs.get("dtype") is not None and np.dtype(kwargs["dtype"]) != node.dtype:
            raise TypeError(f"{name!r} has dtype {node.dtype}, not {np.dtype(kwargs['dtype'])}")
        return node

    def _child_name(self, name: str) -> str:
        """The name in the store of this group's member ``name``."""
        return self._name.rstrip("/") + "/" + "/".join(_check_name(name))

    def _make(self, function: str, name: str, *args, **kwargs):
        """``brickwork.zarr.<function>(*args, **kwargs)`` making the array ``name`` in this group (of its
        Zarr format unless ``zarr_format=`` says)."""
        from .. import zarr

        self._writable()
        _check_name(name)
        kwargs.setdefault("zarr_format", self.zarr_format)
        kwargs.setdefault("max_bytes", self.max_bytes)
        array = getattr(zarr, function)(*args, store=self.path, path=name, **kwargs)
        array._name = self._child_name(name)
        return array

    def empty(self, *, name: str, shape, **kwargs):
        """zarr-python's ``Group.empty``: :func:`brickwork.zarr.empty` as the member ``name``; so too
        ``zeros``, ``ones``, ``full`` and the ``*_like`` methods, each its function's."""
        return self._make("empty", name, shape, **kwargs)

    def zeros(self, *, name: str, shape, **kwargs):
        return self._make("zeros", name, shape, **kwargs)

    def ones(self, *, name: str, shape, **kwargs):
        return self._make("ones", name, shape, **kwargs)

    def full(self, *, name: str, shape, fill_value, **kwargs):
        return self._make("full", name, shape, fill_value, **kwargs)

    def empty_like(self, *, name: str, data, **kwargs):
        return self._make("empty_like", name, data, **kwargs)

    def zeros_like(self, *, name: str, data, **kwargs):
        return self._make("zeros_like", name, data, **kwargs)

    def ones_like(self, *, name: str, data, **kwargs):
        return self._make("ones_like", name, data, **kwargs)

    def full_like(self, *, name: str, data, **kwargs):
        return self._make("full_like", name, data, **kwargs)

    def update_attributes(self, new_attributes: dict) -> Group:
        """Adds ``new_attributes`` to the group's attributes; returns the group."""
        self.attrs.update(new_attributes)
        return self

    def __repr__(self) -> str:
        return f"<brickwork.zarr.Group {_remote.shown(self.path)!r} zarr_format={self.zarr_format}>"

    def __eq__(self, other) -> bool:
        """The same group (directory) opened with the same mode, as zarr-python's."""
        return (isinstance(other, Group) and os.path.realpath(other.path) == os.path.realpath(self.path)
                and other.mode == self.mode)

    def __hash__(self) -> int:
        return hash((os.path.realpath(self.path), self.mode))


class _Tree:
    """A group's hierarchy, shown (``repr``/``str``) as zarr-python's ``tree()`` shows it."""

    def __init__(self, group: Group, level: int | None, max_nodes: int):
        self._lines = [group.name]
        count = 0
        seen = {os.path.realpath(group.path)}

        def walk(node: Group, indent: str, depth: int) -> None:
            nonlocal count
            members = list(node.members())
            for i, (key, member) in enumerate(members):
                if count >= max_nodes:
                    self._lines.append(indent + "└── ...")
                    return
                count += 1
                last = i == len(members) - 1
                if isinstance(member, Group):
                    self._lines.append(indent + ("└── " if last else "├── ") + key)
                    real = os.path.realpath(member.path)
                    if (level is None or depth < level) and real not in seen:
                        seen.add(real)
                        walk(member, indent + ("    " if last else "│   "), depth + 1)
                else:
                    branch = "└── " if last else "├── "
                    self._lines.append(f"{indent}{branch}{key} {member.shape} {member.dtype}")

        walk(group, "", 0)

    def __repr__(self) -> str:
        return "\n".join(self._lines) + "\n"

    __str__ = __repr__


def create_group(store, *, path: str | None = None, zarr_format: int | None = None, overwrite: bool = False,
                 attributes: dict | None = None, storage_options=None) -> Group:
    """Create a Zarr group at ``store`` (``path`` inside it; a new or empty directory, an existing Zarr
    group or array, with everything under it, only with ``overwrite=True``), Zarr v3 unless
    ``zarr_format=2``, and return it open for writing (zarr-python's ``zarr.create_group``)."""
    from . import _in_memory, _node

    store = _in_memory(store, path)  # (None: a new store in memory, as zarr-python's)
    directory, name = _node(store, path, storage_options, mode="w")
    zarr_format = _config.config.get("default_zarr_format") if zarr_format is None else zarr_format
    if zarr_format not in (2, 3):
        raise InvalidArrayError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    attributes_json(attributes)
    parents = parents_of(directory, name)
    if check_replaceable(directory, overwrite):
        remove_tree(directory)
    write_group(directory, zarr_format, attributes)
    make_parents(parents, zarr_format)
    return Group(directory, mode="r+", name=name)


class Metadata(dict):
    """A metadata document: a dict whose keys are also attributes (``meta.zarr_format``,
    ``meta.consolidated_metadata.metadata``), as zarr-python's metadata objects have them as fields;
    ``to_dict()`` gives the plain dict."""

    def __getattr__(self, name: str):
        try:
            value = self[name]
        except KeyError:
            if name in ("consolidated_metadata", "dimension_names"):
                return None
            raise AttributeError(name) from None
        return Metadata(value) if isinstance(value, dict) and not isinstance(value, Metadata) else value

    def to_dict(self) -> dict:
        return json.loads(json.dumps(self))


def _consolidated_entries(directory: str, zarr_format: int) -> dict | None:
    """The consolidated metadata :func:`consolidate_metadata` wrote at ``directory`` (a node's metadata
    by its path), or None."""
    if zarr_format == 3:
        meta = read_json(os.path.join(directory, "zarr.json")) or {}
        found = meta.get("consolidated_metadata")
        entries = found.get("metadata") if isinstance(found, dict) else None
        return {k: Metadata(v) for k, v in entries.items()} if isinstance(entries, dict) else None
    zmeta = read_json(os.path.join(directory, ".zmetadata"))
    if not isinstance(zmeta, dict) or not isinstance(zmeta.get("metadata"), dict):
        return None
    nodes: dict = {}
    for key, value in zmeta["metadata"].items():
        node, _, name = key.rpartition("/")
        if not node or name not in (".zarray", ".zgroup", ".zattrs") or not isinstance(value, dict):
            continue
        entry = nodes.setdefault(node, {"attributes": {}})
        if name == ".zattrs":
            entry["attributes"] = value
        else:
            entry.update(value)
    return {k: Metadata(v) for k, v in nodes.items()}


def _reopen_group(where, mode: str, max_bytes: int, name: str, use_consolidated) -> Group:
    """The group a pickled one names: ``where`` its directory, or where ``_remote.located`` found it."""
    group = Group(where if isinstance(where, str) else _remote.relocated(where), mode=mode, max_bytes=max_bytes,
                  name=name)
    group._use_consolidated = use_consolidated
    return group


def store_root(path: str, name: str) -> str:
    """The directory of the store a node at directory ``path`` named ``name`` in it (``"/a/b"``) is in."""
    for _ in [p for p in name.split("/") if p]:
        path = os.path.dirname(path.rstrip(os.sep))
    return path


def store_of(path: str, name: str):
    """What ``Array.store`` and ``Group.store`` give: the directory of the store (see :func:`store_root`);
    of a store in a dict, the dict; of a remote store, brickwork's ``FsspecStore`` or ``ObjectStore`` of
    it (not the directory of its mirror, which holds no chunks: another library reading it would read
    fill values)."""
    root = store_root(path, name)
    remote = _remote.of(root)
    return root if remote is None else remote.store(remote.rel(root))


def check_replaceable(directory: str, overwrite: bool) -> bool:
    """Whether a new node may go at ``directory``, and whether something is there to replace first: an
    empty or missing directory, or (with ``overwrite``) a Zarr node; a directory holding other files, or
    a node without ``overwrite``, is an error (zarr-python's, for a node)."""
    kind = node_kind(directory)  # (first: of a remote store, its metadata fetched)
    if not (os.path.isdir(directory) and os.listdir(directory)):
        return False
    if kind is None:
        raise InvalidArrayError(f"{_remote.shown(directory)} is a directory that is not empty and holds no Zarr node; "
                                "brickwork does not write into it")
    if not overwrite:
        refuse_existing(directory)
    return True


def remove_tree(path: str, ignore_errors: bool = False) -> None:
    """Removes the node at the directory ``path``, with everything under it (of a remote store's mirror:
    from the store too)."""
    _remote.removed(path)
    shutil.rmtree(path, ignore_errors=ignore_errors)


def refuse_existing(directory: str) -> None:
    """zarr-python's error for a node that is where a new one was to be: ContainsArrayError or
    ContainsGroupError (nothing there: nothing raised)."""
    kind = node_kind(directory)
    if kind is not None:
        error = ContainsArrayError if kind[0] == "array" else ContainsGroupError
        raise error(f"{_remote.shown(directory)} already exists (a Zarr v{kind[1]} {kind[0]}); pass overwrite=True "
                    "to replace it")


def write_group(directory: str, zarr_format: int, attributes: dict | None) -> None:
    """Writes the metadata of a group at ``directory`` (made when missing)."""
    os.makedirs(directory, exist_ok=True)
    if zarr_format == 2:
        if attributes:
            write_json(os.path.join(directory, ".zattrs"), attributes, 2)
        write_json(os.path.join(directory, ".zgroup"), {"zarr_format": 2}, 2)
    else:
        write_json(os.path.join(directory, "zarr.json"),
                    {"attributes": attributes or {}, "zarr_format": 3, "node_type": "group"}, 3)


def parents_of(directory: str, name: str) -> list[str]:
    """:func:`parents` of the node at ``directory`` whose name in its store is ``name``."""
    return parents(store_root(directory, name), name)


def parents(store, path) -> list[str]:
    """The directories above the node ``path`` names in ``store`` (a directory), from the store's root
    down; none when ``path`` is empty. Checked: none of them is an array (nothing goes inside one)."""
    parts = [p for p in os.fspath(path).strip("/").split("/") if p] if path else []
    found = [os.path.join(store, *parts[:i]) for i in range(len(parts))]
    for directory in found:
        kind = node_kind(directory)
        if kind is not None and kind[0] == "array":
            raise InvalidArrayError(f"{_remote.shown(directory)} is a Zarr array: nothing can be created inside it")
    return found


def make_parents(directories: list[str], zarr_format: int) -> None:
    """Makes each of ``directories`` that is not a Zarr node a group (as zarr-python makes the parents of
    a node it creates), so that readers list what was created in them."""
    for directory in directories:
        if node_kind(directory) is None:
            write_group(directory, zarr_format, None)


def open_group(store=None, mode: str = "a", *, cache_attrs=None, synchronizer=None, path: str | None = None,
               chunk_store=None, storage_options=None, zarr_format: int | None = None, meta_array=None,
               attributes: dict | None = None, use_consolidated=None, max_bytes: int | None = None) -> Group:
    """Open the Zarr group at ``store`` (``path`` inside it) as zarr-python's ``open_group`` does:
    ``mode="r"`` to read, ``"r+"`` to read and write, ``"a"`` (the default) to read and write, creating
    the group when there is nothing there (of ``zarr_format``, 3 by default, as zarr-python), ``"w-"``
    to create it (an error if something is there), ``"w"`` to create it, replacing a Zarr node that is
    there. brickwork reads each member's own metadata, whatever ``use_consolidated`` says;
    ``cache_attrs``, ``synchronizer``, ``chunk_store`` and ``meta_array`` are unused (as in
    zarr-python 3)."""
    from . import _expect_format, _ignored, _in_memory, _node

    _ignored(cache_attrs=cache_attrs, synchronizer=synchronizer, chunk_store=chunk_store, meta_array=meta_array)
    store = _in_memory(store, path)
    if getattr(store, "read_only", False) is True and mode == "a":
        mode = "r"  # as zarr-python: a read-only store opens read-only unless told otherwise
    directory, name = _node(store, path, storage_options, mode=mode)
    if zarr_format not in (None, 2, 3):
        raise InvalidArrayError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    if mode in ("r", "r+") or (mode == "a" and node_kind(directory) is not None):
        _expect_format(directory, zarr_format)
        group = Group(directory, mode="r" if mode == "r" else "r+", max_bytes=max_bytes, name=name)
        group._use_consolidated = use_consolidated
        return group
    if mode in ("a", "w-", "w"):
        group = create_group(store if store is not None else directory, path=path if store is not None else None,
                             zarr_format=zarr_format or _config.config.get("default_zarr_format"),
                             attributes=attributes, overwrite=mode == "w", storage_options=storage_options)
        group.max_bytes = group.max_bytes if max_bytes is None else int(max_bytes)
        group._name = name
        return group
    raise InvalidArrayError(f'mode must be "r", "r+", "a", "w" or "w-", got {mode!r}')


def consolidate_metadata(store, path: str | None = None, zarr_format: int | None = None) -> Group:
    """Write the metadata of every node under the group at ``store`` (``path`` inside it) into one
    place, as zarr-python's ``zarr.consolidate_metadata`` does (v2: ``.zmetadata``; v3: the group's
    ``zarr.json`` gets ``consolidated_metadata``), so that readers open the whole hierarchy from one
    file. Returns the group."""
    from . import _expect_format, _node

    directory, name = _node(store, path, mode="r+")
    _expect_format(directory, zarr_format)
    group = Group(directory, mode="r+", name=name)
    found: dict = {}
    seen = {os.path.realpath(group.path)}

    def walk(directory: str, prefix: str) -> None:
        for entry in sorted(os.listdir(directory)):
            sub = os.path.join(directory, entry)
            kind = node_kind(sub)
            if kind is None or entry.startswith(".") or kind[1] != group.zarr_format:
                continue  # (a node of the other format is not a member, as zarr-python consolidates)
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
