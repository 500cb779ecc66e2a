"""Remote stores: fsspec URLs (``s3://``, ``gs://``, ``https://``, ``memory://``, ... with
``storage_options``), zarr-python's ``FsspecStore``, brickwork's :class:`~brickwork.zarr.storage.FsspecStore`
and fsspec mappers, and zarr-python's and brickwork's ``ObjectStore`` (obstore's stores, seen as fsspec
filesystems through ``_obstore``), as zarr-python opens them, read and written; and, the same way, stores
held in a dict (``store={}``, ``MemoryStore``s: seen as filesystems through ``_mapping``).

brickwork's arrays work on directories, so a remote store is mirrored into a directory in RAM (see
``_memory``), on demand: a node's metadata files when the node is looked at, a group's member list when
it is listed (one listing, then the members' metadata fetched together), and, for each read, the chunk
files (of a sharded array, each shard's index and the inner chunks wanted) the read needs, fetched
concurrently through fsspec and removed again once the read is done. Metadata stays in the mirror for
as long as the store does (while an array or group opened in it lives).

Writes go through the mirror too, and on to the store when they are done: a metadata file as soon as
brickwork has written it (``wrote``, ``node_writes``), a node removed from the store with everything under
it (``removed``), and, for a write of array elements, the chunk files it touches (whole shards, of a
sharded array), held for that write alone (reads and other writes of them wait), fetched first when the
write covers them only in part, then put into the store (or deleted from it, a chunk left holding only
the fill value) concurrently and removed from the mirror (``Remote.writing``). A chunk or metadata file
is one object of the store, each put whole (what a failed write leaves is what the store had, or the
new file, chunk by chunk: as zarr-python leaves it).

A node's metadata is fetched again each time the node is opened, and a group's members each time they
are listed, so what changed in the store is seen as zarr-python sees it. Metadata files are read up to
16 MiB (the most brickwork parses). A chunk the store does not have reads as the fill value (as
zarr-python reads it); any other failure of a fetch (no network, no permission) is an error naming the
URL.

Each process has mirrors of its own: a process forked after a store was opened makes its own mirror of
it when it first uses the store (chunk files come and go with each process's reads and writes), and an
array or group pickled to another process takes its store along (``located``), not its mirror's path.
"""
from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
import threading
import time
import urllib.parse
import weakref

from ..errors import InvalidArrayError
from . import _memory

#: the files that make a directory a Zarr node, or describe one
META_FILES = ("zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata")

#: metadata fetched this recently, when a node was looked at (or its group listed), is not fetched again by
#: the open that follows (xarray opens every array of a group just listed, whose metadata came with the
#: listing; an open looks at the node first): once, so the next open sees what changed
_FRESH_SECONDS = 1.0

#: the most of a metadata file fetched: a byte more than brickwork parses (a bigger file is not Zarr
#: metadata, and is told as bigger)
_META_BYTES = (16 << 20) + 1

#: the remote stores opened, by (filesystem, path), for the life of the process (as memory:// stores are):
#: one store opened twice is mirrored once, and its mirror (metadata only, between reads) stays while
#: the process may open it again
_live: dict = {}
_live_lock = threading.Lock()

#: the filesystems made of obstore stores, by the store's id
_obstores: dict = {}

#: the mirrors of stores held in dicts, by (the dict's id, path), each holding its dict (so the id stays
#: its): kept while anything but its mirror holds the dict (the caller's code, zarr-python's store), and by
#: the arrays and groups opened in it while they live (see ``_sweep``)
_mapped: dict = {}


def _references(holder) -> int:
    """How many references ``holder.mapping`` has, counting the one ``holder`` has."""
    return sys.getrefcount(holder.mapping)


class _Probe:
    def __init__(self):
        self.mapping = {}


#: what ``_references`` gives of an object nothing else holds (measured: interpreters count differently)
_ONLY_HELD = _references(_Probe())


def _sweep() -> None:
    """Lets go of the mirrors of dict stores whose dict nothing but the mirror holds: no code can pass the
    dict as a store again, and the arrays and groups opened in it (if any) hold the mirror themselves.
    Run as a mirror of a dict is asked for and after each garbage collection (so a dict the caller let go
    of is freed with its mirror, not held for the process's life)."""
    if not _live_lock.acquire(blocking=False):  # (taken: by this thread, collecting while it holds it, too)
        return
    try:
        gone = [key for key, remote in _mapped.items() if _references(remote.fs) <= _ONLY_HELD]
        for key in gone:
            del _mapped[key]
    finally:
        _live_lock.release()


gc.callbacks.append(lambda phase, info: phase == "stop" and _mapped and _sweep())


def is_remote_url(store) -> bool:
    """Whether ``store`` is a URL of a filesystem fsspec serves: not ``file://``; ``memory://`` when fsspec
    is installed (its memory filesystem, where zarr-python then puts ``memory://`` stores too)."""
    if not isinstance(store, str) or "://" not in store:
        return False
    scheme = urllib.parse.urlparse(store).scheme
    if scheme == "memory":
        _memory.check_name(store)
        return _has_fsspec()
    return scheme not in ("file", "")


def _has_fsspec() -> bool:
    import importlib.util

    return importlib.util.find_spec("fsspec") is not None


def _fsspec_store(store) -> tuple | None:
    """``(fs, path)`` of an fsspec-backed store object (zarr-python's or brickwork's ``FsspecStore``, an
    fsspec mapper), or of an obstore-backed one (zarr-python's or brickwork's ``ObjectStore``: ``fs`` an
    :class:`~brickwork.zarr._obstore.ObstoreFileSystem`, one for each obstore store), else None."""
    if type(store).__name__ == "ObjectStore" and type(store).__module__.startswith(("zarr.", "brickwork.")):
        from ._obstore import ObstoreFileSystem

        with _live_lock:
            fs = _obstores.get(id(store.store))
            if fs is None:
                fs = _obstores[id(store.store)] = ObstoreFileSystem(store.store)  # (holds it: its id stays its)
        return fs, ""
    fs = getattr(store, "fs", None)
    if fs is None or not hasattr(fs, "cat") or not hasattr(fs, "ls"):
        return None
    path = getattr(store, "path", None)
    if path is None:
        path = getattr(store, "root", None)
    if not isinstance(path, (str, type(None))):
        return None
    if getattr(fs, "sync_fs", None) is not None:  # (fsspec's asynchronous wrapper of a filesystem: that one)
        fs = fs.sync_fs
    elif getattr(fs, "asynchronous", False):
        # zarr-python's stores hold an asynchronous filesystem, bound to its event loop: the same
        # filesystem, made for calls from any thread
        options = {k: v for k, v in getattr(fs, "storage_options", {}).items() if k not in ("asynchronous", "loop")}
        fs = type(fs)(asynchronous=False, **options)
    return fs, str(path or "").rstrip("/")


def _mapping_store(store) -> tuple | None:
    """``(dict, path)`` of a store held in a dict: a ``dict``, zarr-python's ``MemoryStore`` (and
    ``ManagedMemoryStore``, with its path), brickwork's ``MemoryStore(store_dict=...)``; else None."""
    if isinstance(store, dict):
        return store, ""
    kind = type(store)
    if kind.__name__ == "GpuMemoryStore":
        raise InvalidArrayError("zarr-python's GpuMemoryStore holds device buffers; brickwork reads and writes "
                                "host memory: a dict, a MemoryStore, a directory")
    mapping = getattr(store, "_store_dict", None)
    if (kind.__name__ in ("MemoryStore", "ManagedMemoryStore") and kind.__module__.startswith(("zarr.", "brickwork."))
            and mapping is not None):
        return mapping, str(getattr(store, "path", "") or "").strip("/")
    return None


def remote_of(store, storage_options=None) -> Remote | None:
    """The mirror of ``store`` when it is a remote store or one held in a dict (made, or the one already
    made for the same filesystem or dict and path), else None. ``storage_options`` go to fsspec with a
    URL."""
    mapped = _mapping_store(store)
    if mapped is not None:
        from ._mapping import MappingFileSystem

        if storage_options:
            raise InvalidArrayError("storage_options are for a URL; a store in a dict takes none")
        _sweep()
        return _given(remote_for(MappingFileSystem(mapped[0]), mapped[1]), store)
    found = _fsspec_store(store)
    if found is not None and storage_options:
        raise InvalidArrayError("storage_options are for a URL; this store has its filesystem already")
    if found is None:
        if not is_remote_url(store):
            return None
        try:
            import fsspec
        except ImportError:
            raise InvalidArrayError(f"{store!r}: a remote store needs fsspec (pip install fsspec, and "
                                    "the filesystem's package: s3fs, gcsfs, aiohttp, ...)") from None
        try:
            fs, path = fsspec.core.url_to_fs(store, **(storage_options or {}))
        except (ImportError, ValueError, TypeError) as e:
            raise InvalidArrayError(f"{store!r}: fsspec cannot open it: {e}") from None
        found = (fs, path.rstrip("/"))
        return remote_for(*found)
    return _given(remote_for(*found), store)


def _given(remote: Remote, store) -> Remote:
    """``remote``, noting ``store`` (zarr-python's or brickwork's store object) as the store it was first
    asked for as, which ``Array.store`` gives back while it lives (see :meth:`Remote.store`): weakly, as
    the mirror of a dict lives no longer than what holds the dict (see ``_sweep``); of a dict, nothing (the
    mirror has the dict)."""
    if remote.given is None and not isinstance(store, dict):
        with contextlib.suppress(TypeError):  # (an object that cannot be weakly referenced: not noted)
            remote.given = weakref.ref(store)
    return remote


def _forked() -> None:
    """In a process just forked: the mirrors made so far are the parent's (see :meth:`Remote.here`); this
    process makes its own as it needs them."""
    global _live, _mapped, _live_lock
    _live, _mapped, _live_lock = {}, {}, threading.Lock()


os.register_at_fork(after_in_child=_forked)


def here(path: str) -> str:
    """``path``, a path in a remote store's mirror, as a path in this process's mirror of the store: itself
    in the process that made the mirror; in a process forked from it, the path in that process's own."""
    remote = of(path)
    if remote is None or remote.pid == os.getpid():
        return path
    return remote.here().directory(remote.rel(path))


def _of_this_process(fs):
    """``fs``; or, an fsspec filesystem made in a process this one was forked from (fsspec's asynchronous
    ones, s3fs's, cannot be used in another: "not fork-safe"), the same filesystem made in this one."""
    made = getattr(fs, "_pid", None)
    if made is not None and made != os.getpid() and isinstance(getattr(fs, "storage_options", None), dict):
        return type(fs)(**fs.storage_options)
    return fs


def remote_for(fs, path: str) -> Remote:
    """The mirror of the store at ``path`` on ``fs`` (one of brickwork's filesystems: an fsspec one, or a
    dict's or obstore's), made or the one already made: how a pickled array or group finds its store
    again (``located``), in another process too."""
    from ._mapping import MappingFileSystem

    if isinstance(fs, MappingFileSystem):
        with _live_lock:
            remote = _mapped.get((id(fs.mapping), path))
            if remote is None:
                remote = _mapped[id(fs.mapping), path] = Remote(fs, path)
        return remote
    with _live_lock:
        remote = _live.get((id(fs), path))
        if remote is None:
            remote = _live[id(fs), path] = Remote(fs, path)
    return remote


def located(path: str) -> tuple | None:
    """What finds the node at ``path`` (a directory in a remote store's mirror) again, pickled, in this
    process or another: ``(fs, store path, path in the store)`` (the filesystem pickled with it: an fsspec
    filesystem with its options; a dict's, with the dict, copied as zarr-python's MemoryStore is; an obstore
    store); None of a directory elsewhere (a directory is found again by its path)."""
    remote = of(path)
    return None if remote is None else (remote.fs, remote.path, remote.rel(path))


def relocated(found: tuple) -> str:
    """The directory in a mirror of the node ``located`` gave ``found`` of."""
    fs, store, rel = found
    return remote_for(fs, store).directory(rel)


def of(path: str) -> Remote | None:
    """The remote store whose mirror ``path`` lies in, if any."""
    found = _memory.owner(path)
    return found if isinstance(found, Remote) else None


def shown(path: str) -> str:
    """``path`` as messages and reprs name it: of a file or folder in a remote store's mirror, where it is
    in the store (``s3://bucket/data.zarr/t``); else itself."""
    remote = of(path)
    return path if remote is None else remote.location(remote.rel(path))


def wrote(path: str) -> None:
    """Puts the file ``path``, just written into a remote store's mirror, into the store (of a file
    elsewhere: nothing)."""
    remote = of(path)
    if remote is not None:
        remote.upload([path])


def removed(path: str) -> None:
    """Deletes the node at ``path`` (a directory in a remote store's mirror, being removed from it), with
    everything under it, from the store (of a directory elsewhere: nothing)."""
    remote = of(path)
    if remote is not None:
        rel = remote.rel(path)
        remote.delete([rel], recursive=True)
        remote.forget(rel)


def moved(src: str, dst: str) -> None:
    """Moves the node at ``src`` (a directory in a remote store's mirror, being renamed to ``dst``), with
    everything under it, in the store (of a directory elsewhere: nothing)."""
    remote = of(src)
    if remote is not None:
        old, new = remote.rel(src), remote.rel(dst)
        names = remote.files(src)
        # file by file (object stores have no folders to rename; fsspec's recursive mv trips on that)
        sources, targets = [remote.url(f"{old}/{n}") for n in names], [remote.url(f"{new}/{n}") for n in names]
        try:
            if sources:
                remote.make_folders(targets)
                remote.fs.copy(sources, targets)
        except Exception as e:  # noqa: BLE001 (the filesystem's own errors: named and raised)
            raise OSError(f"cannot move {remote.url(old)} to {remote.url(new)}: {type(e).__name__}: {e}") from e
        remote.delete([f"{old}/{n}" for n in names])
        remote.forget(old)


@contextlib.contextmanager
def node_writes(path: str):
    """A block in which brickwork's native side writes the metadata files of the node at ``path``: of a
    remote store's node, those it wrote are put into the store after the block (even when it fails: the
    store then holds what the mirror does), those it removed deleted from it; errors name the store's
    files by their URLs."""
    remote = of(path)
    if remote is None:
        yield
        return
    before = _meta_stats(path)
    try:
        with remote.naming():
            yield
    finally:
        after = _meta_stats(path)
        remote.upload([os.path.join(path, name) for name, stat in after.items() if before.get(name) != stat])
        remote.delete([remote.rel(os.path.join(path, name)) for name in before if name not in after])


def _stat(path: str) -> tuple | None:
    """What tells a version of the file ``path`` from another (a rewrite renames a new file over it), or
    None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _meta_stats(path: str) -> dict:
    stats = {name: _stat(os.path.join(path, name)) for name in META_FILES}
    return {name: stat for name, stat in stats.items() if stat is not None}


class Remote:
    """The mirror of one remote store: ``fs`` (an fsspec filesystem) and the store's ``path`` on it."""

    def __init__(self, fs, path: str):
        self.fs, self.path = fs, path
        self._dir = _memory.MemoryDir()
        self.root = self._dir.path
        self.pid = os.getpid()  # (the process whose mirror this is: see ``here``)
        self.given = None  # (a weak reference to the store object it was first asked for as: see ``store``)
        _memory.own(self.root, self)
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)  # (notified when chunk files are let go)
        self._described: set[str] = set()  # nodes whose metadata files are mirrored
        self._fresh: dict[str, float] = {}  # those just fetched, for the open that follows -> when
        self._pins: dict[str, _Pin] = {}  # chunk files in the mirror -> the reads using them
        self._held: set[str] = set()  # chunk files in the mirror a write holds (see ``writing``)

    def __repr__(self) -> str:
        return f"<brickwork remote store {self.name}>"

    @property
    def name(self) -> str:
        """The store, for messages: its URL (without the protocol), or its filesystem's description."""
        return self.url("") or repr(self.fs)

    def location(self, rel: str) -> str:
        """The URL of ``rel`` (a path in the store), with the filesystem's protocol."""
        url = self.url(rel)
        try:
            return self.fs.unstrip_protocol(url)
        except Exception:  # noqa: BLE001 (a filesystem without it, or failing: the path without a protocol)
            return url

    @contextlib.contextmanager
    def naming(self):
        """A block whose errors (brickwork's native reader and writer name the files they read) name the
        store's files by their URLs (see :meth:`location`), not by their paths in the mirror."""
        try:
            yield
        except Exception as e:
            if e.args and isinstance(e.args[0], str) and self.root in e.args[0]:
                found = re.compile(re.escape(self.root) + r"(/[^\s'\":]*)?")
                e.args = (found.sub(lambda m: self.location((m.group(1) or "").lstrip("/")), e.args[0]),
                          *e.args[1:])
            raise

    def here(self) -> Remote:
        """This store's mirror in this process: itself in the process that made it; in a process forked
        from that one, the mirror that process makes of the same store (a mirror's chunk files come and go
        with the reads and writes of its process: processes sharing one would remove each other's, and read
        the fill value where the store has data)."""
        if self.pid == os.getpid():
            return self
        mine = remote_for(_of_this_process(self.fs), self.path)
        given = None if self.given is None else self.given()
        return mine if given is None else _given(mine, given)

    @property
    def kind(self) -> str:
        """The kind of store, by zarr-python's class of it: FsspecStore, ObjectStore, MemoryStore (a dict)."""
        from ._mapping import MappingFileSystem
        from ._obstore import ObstoreFileSystem

        return ("MemoryStore" if isinstance(self.fs, MappingFileSystem) else
                "ObjectStore" if isinstance(self.fs, ObstoreFileSystem) else "FsspecStore")

    def store(self, rel: str):
        """The store object naming ``rel`` (a folder in the store): of its root, the store object it was
        first asked for as (zarr-python's or brickwork's), while it lives; else of a dict, the dict (its
        root); of an obstore store, brickwork's ``ObjectStore`` (its root); else brickwork's
        ``FsspecStore``; else (a folder inside a dict or obstore store) the folder's directory in the
        mirror."""
        from ._mapping import MappingFileSystem
        from ._obstore import ObstoreFileSystem
        from .storage import FsspecStore, ObjectStore

        given = None if self.given is None else self.given()
        if not rel and given is not None:
            return given
        url = self.url(rel)
        if isinstance(self.fs, MappingFileSystem):
            return self.fs.mapping if not url else self.directory(rel)
        if isinstance(self.fs, ObstoreFileSystem):
            return ObjectStore(self.fs.store) if not url else self.directory(rel)
        return FsspecStore(self.fs, path=url)

    def directory(self, rel: str) -> str:
        """The directory in the mirror of ``rel``, a path in the store."""
        return os.path.join(self.root, *rel.split("/")) if rel else self.root

    def url(self, rel: str) -> str:
        return "/".join(p for p in (self.path, rel.replace(os.sep, "/")) if p)

    def rel(self, path: str) -> str:
        """The path inside the store of ``path``, a path in the mirror."""
        rel = os.path.relpath(os.path.abspath(path), self.root)
        return "" if rel == "." else rel

    def _fetch(self, rels: list[str], limit: int | None = None) -> list[str]:
        """Fetches the files ``rels`` (relative to the store) into the mirror, concurrently where the
        filesystem can (of each, its first ``limit`` bytes when given); returns those found (a missing
        one is skipped)."""
        if not rels:
            return []
        urls = {self.url(r): r for r in rels}
        try:
            if limit is None:
                got = self.fs.cat(list(urls), on_error="return")
            else:
                values = self.fs.cat_ranges(list(urls), [0] * len(urls), [limit] * len(urls), on_error="return")
                got = dict(zip(urls, values))
        except FileNotFoundError:
            return []
        except Exception as e:  # noqa: BLE001 (the filesystem's own errors, all of them: named and raised)
            raise OSError(f"cannot read {self.name}: {type(e).__name__}: {e}") from e
        if len(urls) == 1 and not isinstance(got, dict):
            got = {next(iter(urls)): got}
        found = []
        for url, value in got.items():
            rel = urls.get(url) or self._rel_of_url(url, urls)  # (the filesystem's spelling of a path)
            if isinstance(value, FileNotFoundError) or rel is None:
                continue
            if isinstance(value, BaseException):
                raise OSError(f"cannot read {self.location(rel)}: {type(value).__name__}: {value}") from value
            if not all(_member_name(part) for part in rel.split("/")):
                raise InvalidArrayError(f"{self.location(rel)}: not a path inside the store")
            target = self.directory(rel)
            folder, name = os.path.split(target)
            os.makedirs(folder, exist_ok=True)
            # (named as brickwork's partial files are, which listings pass over)
            tmp = os.path.join(folder, f".{name}.{os.getpid()}.{threading.get_ident()}.partial")
            with open(tmp, "wb") as f:
                f.write(value)
            os.replace(tmp, target)
            found.append(rel)
        return found

    def _rel_of_url(self, url: str, urls: dict) -> str | None:
        bare = self._canonical(url)
        return next((r for u, r in urls.items() if self._canonical(u) == bare), None)

    def _canonical(self, url: str) -> str:
        """``url`` as the filesystem spells its paths (some give them with their protocol, or without it;
        fsspec's memory filesystem from "/"), without a trailing "/"."""
        strip = getattr(type(self.fs), "_strip_protocol", None)
        return (strip(url) if strip is not None else url.split("://", 1)[-1]).rstrip("/")

    def describe(self, path: str, again: bool = False) -> None:
        """Mirrors the metadata files of the node at ``path`` (a directory in the mirror): once, or
        ``again`` (when the node is opened) unless they were just fetched for this open (see
        ``_FRESH_SECONDS``), the files the store no longer has removed."""
        rel = self.rel(path)
        with self._lock:
            if not again and rel in self._described:
                return
            when = self._fresh.pop(rel, None) if again else None
            if when is not None and time.monotonic() - when < _FRESH_SECONDS:
                return
        names = ["/".join(p for p in (rel, name) if p) for name in META_FILES]
        found = set(self._fetch(names, _META_BYTES))
        for name in set(names) - found:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.directory(name))
        if not found and os.path.isdir(path):
            # no node there (any more): the empty folders reads of its chunks left (``c/0/``...) go, so that
            # a node may be made there as in an empty directory
            for folder, _, _ in sorted(os.walk(path), key=lambda entry: -len(entry[0])):
                with contextlib.suppress(OSError):  # (not empty: a node below, or a file)
                    os.rmdir(folder)
        with self._lock:
            self._described.add(rel)
            if not again:
                self._fresh[rel] = time.monotonic()

    def list_members(self, path: str) -> None:
        """Mirrors the members of the group at ``path``: a directory for each, with its metadata files
        (fetched together). The members are those the consolidated metadata of the group (or of a group
        above it already opened) names, as zarr-python reads them, with no listing (many servers, static
        HTTP hosting among them, list nothing); else those the store lists now."""
        rel = self.rel(path)
        names = self._consolidated_members(rel)
        if names is None:
            names = self._listed_members(rel)
        # (the store's word, untrusted: a name such as ".." would put files outside the mirror)
        names = [n for n in names if _member_name(n)]
        children = ["/".join(p for p in (rel, n) if p) for n in names]
        for child in children:
            os.makedirs(self.directory(child), exist_ok=True)
        self._fetch([f"{c}/{m}" for c in children for m in META_FILES], _META_BYTES)
        with self._lock:
            self._described.update(children)
            self._fresh.update(dict.fromkeys(children, time.monotonic()))

    def _listed_members(self, rel: str) -> list[str]:
        """The directories the store lists at ``rel``."""
        try:
            entries = self.fs.ls(self.url(rel), detail=True)
        except FileNotFoundError:
            return []
        names = []
        for entry in entries:
            if entry.get("type") != "directory":
                continue
            name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
            if name and not name.startswith(".") and name not in (".", ".."):
                names.append(name)
        return names

    def _consolidated_members(self, rel: str) -> list[str] | None:
        """The names of the members of the group at ``rel`` that consolidated metadata in the mirror (of
        the group, or of a group above it) gives, or None when there is none."""
        parts = rel.split("/") if rel else []
        for depth in range(len(parts), -1, -1):
            above, inside = "/".join(parts[:depth]), "/".join(parts[depth:])
            keys = self._consolidated_keys(above)
            if keys is None:
                continue
            prefix = f"{inside}/" if inside else ""
            return sorted({k[len(prefix):].split("/")[0] for k in keys if k.startswith(prefix) and k != inside})
        return None

    def _consolidated_keys(self, rel: str) -> list[str] | None:
        """The node paths (relative to ``rel``) the consolidated metadata mirrored at ``rel`` lists."""
        from ._group import _consolidated_entries

        folder = self.directory(rel)
        entries = _consolidated_entries(folder, 3)
        if entries is None:
            entries = _consolidated_entries(folder, 2)
        return None if entries is None else [k.strip("/") for k in entries]

    @contextlib.contextmanager
    def chunks(self, array_path: str, keys: list[str], limit: int | None = None):
        """The chunk files ``keys`` of the array at ``array_path`` in the mirror for the block's length:
        fetched (of each, at most ``limit`` bytes, when given: the server's answer is untrusted), or, when
        another read is fetching or using them already, waited for; removed after the block unless
        another read still uses them."""
        base = self.rel(array_path)
        rels = ["/".join(p for p in (base, k) if p) for k in dict.fromkeys(keys)]
        mine, theirs = [], []
        with self._cond:
            self._cond.wait_for(lambda: self._held.isdisjoint(rels))  # (a write of them first ends)
            for r in rels:
                pin = self._pins.get(r)
                if pin is None:
                    pin = self._pins[r] = _Pin()
                    mine.append(r)
                else:
                    theirs.append(pin)
                pin.users += 1
        try:
            try:
                self._fetch(mine, limit)
            except BaseException as e:
                for r in mine:
                    self._pins[r].failed = e
                raise
            finally:
                for r in mine:
                    self._pins[r].ready.set()
            for pin in theirs:
                pin.ready.wait()
                if pin.failed is not None:
                    raise OSError(f"cannot read {self.url(base)}: {pin.failed}")
            with self.naming():
                yield
        finally:
            self._let_go(rels)

    @contextlib.contextmanager
    def shards(self, array_path: str, wanted: dict, limit: int | None, max_index: int):
        """The shard files of the array at ``array_path`` that ``wanted`` names (key -> ``(index_len,
        at_start, big_endian)`` of its index, and the C-order positions in it of the inner chunks wanted) in
        the mirror for the block's length, as sparse files holding each shard's index and the inner chunks
        wanted (each at most ``limit`` bytes), fetched by byte ranges, all shards' together: a read of a few
        inner chunks fetches them, not whole shards. An index longer than ``max_index`` bytes is an error.
        Reads from other threads share a shard's file, each adding the inner chunks it needs; the file
        goes when the last of them is done."""
        base = self.rel(array_path)
        jobs = []
        with self._cond:
            rels = ["/".join(p for p in (base, key) if p) for key in wanted]
            self._cond.wait_for(lambda: self._held.isdisjoint(rels))  # (a write of them first ends)
            for key, (layout, positions) in sorted(wanted.items()):
                rel = "/".join(p for p in (base, key) if p)
                pin = self._pins.get(rel)
                if pin is None:
                    pin = self._pins[rel] = _Pin()
                    pin.ready.set()  # (a shard's file is completed under its lock, below)
                pin.users += 1
                jobs.append((rel, pin, layout, positions))
        try:
            with contextlib.ExitStack() as held:
                for _, pin, _, _ in jobs:  # (in key order, as every read takes them)
                    held.enter_context(pin.lock)
                for _, pin, _, _ in jobs:
                    if pin.failed is not None:  # (a read sharing the shard failed to complete it)
                        raise OSError(str(pin.failed))
                try:
                    self._complete_shards(jobs, limit, max_index)
                except BaseException as e:
                    for _, pin, _, _ in jobs:
                        pin.failed = e
                    raise
            with self.naming():
                yield
        finally:
            self._let_go([rel for rel, _, _, _ in jobs])

    def _let_go(self, rels: list[str]) -> None:
        """A read is done with the chunk files ``rels``: those no other read uses are removed (under the
        lock: a write waiting for them fetches them afresh)."""
        with self._cond:
            for r in rels:
                self._pins[r].users -= 1
                if not self._pins[r].users:
                    del self._pins[r]
                    self._drop(r)
            self._cond.notify_all()

    def _drop(self, rel: str) -> None:
        """Removes the chunk file ``rel`` from the mirror (its folders stay: other reads and writes may be
        putting files in them)."""
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.directory(rel))

    # writes

    def forget(self, rel: str) -> None:
        """The node at ``rel`` and those under it are gone (or moved): their metadata is fetched afresh
        when they are next looked at."""
        with self._lock:
            for key in [k for k in self._described if k == rel or k.startswith(f"{rel}/") or not rel]:
                self._described.discard(key)
                self._fresh.pop(key, None)

    def upload(self, paths: list[str]) -> None:
        """Puts the files ``paths`` of the mirror into the store, concurrently where the filesystem can
        (read and sent 64 MiB at a time)."""
        batch, size = {}, 0
        for path in paths:
            with open(path, "rb") as f:
                data = f.read()
            batch[self.url(self.rel(path))] = data
            size += len(data)
            if size >= _BATCH:
                self._put(batch)
                batch, size = {}, 0
        self._put(batch)

    def _put(self, files: dict) -> None:
        if not files:
            return
        try:
            self.make_folders(list(files))
            self.fs.pipe(files)
        except Exception as e:  # noqa: BLE001 (the filesystem's own errors, all of them: named and raised)
            raise OSError(f"cannot write to {self.name}: {type(e).__name__}: {e}") from e

    def make_folders(self, urls: list[str]) -> None:
        """Makes the folders files at ``urls`` are to go in, on a filesystem that has folders and makes
        none unless told (a local one)."""
        if getattr(self.fs, "auto_mkdir", True) is False:
            for folder in {url.rsplit("/", 1)[0] for url in urls}:
                self.fs.makedirs(folder, exist_ok=True)

    def delete(self, rels: list[str], recursive: bool = False) -> None:
        """Deletes the files (with ``recursive``, the folders and what is in them) ``rels`` (paths in the
        store) from the store; those it does not have are passed over."""
        urls = [self.url(r) for r in rels]
        if not urls:
            return
        try:
            try:
                self.fs.rm(urls, recursive=recursive)
            except FileNotFoundError:  # (some filesystems stop at the first missing one)
                for url in urls:
                    with contextlib.suppress(FileNotFoundError):
                        self.fs.rm(url, recursive=recursive)
        except Exception as e:  # noqa: BLE001 (the filesystem's own errors, all of them: named and raised)
            raise OSError(f"cannot delete from {self.name}: {type(e).__name__}: {e}") from e

    def files(self, path: str) -> list[str]:
        """The names of the files the store has under the node at ``path`` (a directory in the mirror),
        relative to it."""
        target = self.url(self.rel(path))
        try:
            found = self.fs.find(target)
        except FileNotFoundError:
            return []
        except Exception as e:  # noqa: BLE001 (the filesystem's own errors: named and raised)
            raise OSError(f"cannot list {target or self.name}: {type(e).__name__}: {e}") from e
        base = self._canonical(target)
        prefix = f"{base}/" if base else ""
        names = (self._canonical(name) for name in found)
        return [name[len(prefix):] for name in names if name.startswith(prefix)]

    @contextlib.contextmanager
    def writing(self, array_path: str, keys: list[str], fetch: set, limit: int | None):
        """A write of the array at ``array_path`` touching its chunk files ``keys`` (whole shards, of a
        sharded array): they are held for this write alone (reads and other writes of them wait for it),
        those in ``fetch`` (the write covers them only in part) fetched into the mirror first (of each, at
        most ``limit`` bytes); when the block ends, each is put into the store, or deleted from it when
        the write left none (a chunk holding only the fill value), and removed from the mirror. When the
        block fails, only what it changed goes to the store."""
        base = self.rel(array_path)
        rels = {"/".join(p for p in (base, k) if p): k for k in dict.fromkeys(keys)}
        paths = {r: self.directory(r) for r in rels}
        with self._cond:
            self._cond.wait_for(lambda: all(r not in self._pins and r not in self._held for r in rels))
            self._held.update(rels)
        try:
            self._fetch([r for r, k in rels.items() if k in fetch], limit)
            before = {r: _stat(p) for r, p in paths.items()}
            done = False
            try:
                with self.naming():
                    yield
                done = True
            finally:
                after = {r: _stat(p) for r, p in paths.items()}
                self.upload([paths[r] for r in rels if after[r] is not None and (done or after[r] != before[r])])
                self.delete([r for r in rels if after[r] is None and (done or before[r] is not None)])
        finally:
            with self._cond:
                for r in rels:
                    self._drop(r)
                self._held.difference_update(rels)
                self._cond.notify_all()

    def _ranges(self, urls: list[str], starts: list, ends: list) -> list:
        """``cat_ranges``: the byte ranges, fetched together; a missing file's part is its
        FileNotFoundError, any other failure an OSError naming the URL."""
        try:
            parts = self.fs.cat_ranges(urls, starts, ends, on_error="return")
        except Exception as e:  # noqa: BLE001 (the filesystem's own errors: named and raised)
            raise OSError(f"cannot read {self.name}: {type(e).__name__}: {e}") from e
        for url, part in zip(urls, parts):
            if isinstance(part, BaseException) and not isinstance(part, FileNotFoundError):
                raise OSError(f"cannot read {url}: {type(part).__name__}: {part}") from part
        return parts

    def _complete_shards(self, jobs: list, limit: int | None, max_index: int) -> None:
        """Makes the mirror's files of the shards ``jobs`` names hold their index and the inner chunks
        wanted (see :meth:`shards`); a shard the store does not have is left out (its chunks read as the
        fill value). A shard's file is as long as its index says (its index where the index says, the
        inner chunks at their offsets), which is all a reader looks at."""
        import struct

        for rel, _, (index_len, _, _), _ in jobs:
            if index_len > max_index:
                raise InvalidArrayError(f"{self.url(rel)}: the shard's index would take {index_len} bytes, "
                                        f"more than max_bytes={max_index}")
        new = [job for job in jobs if job[1].entries is None]
        # the indexes: the first bytes of a shard, or its last (a suffix range: no size asked first)
        parts = self._ranges([self.url(rel) for rel, _, _, _ in new],
                             [0 if start else -n for _, _, (n, start, _), _ in new],
                             [n if start else None for _, _, (n, start, _), _ in new])
        for (rel, pin, (index_len, at_start, big_endian), _), index in zip(new, parts):
            if isinstance(index, FileNotFoundError):
                pin.entries = []
                continue
            whole = None
            if len(index) > index_len:  # a server that sends the whole file for a range: the shard, then
                whole, index = index, (index[:index_len] if at_start else index[-index_len:])
            if len(index) != index_len:
                raise InvalidArrayError(f"{self.url(rel)}: its index should take {index_len} bytes; the store "
                                        f"gave {len(index)}")
            count = index_len // 16
            words = struct.unpack((">" if big_endian else "<") + f"{2 * count}Q", index[:16 * count])
            entries = [(words[2 * j], words[2 * j + 1]) for j in range(count)]
            present = [(o, n) for o, n in entries if o != _MISSING and o + n < 2**63]
            end = max((o + n for o, n in present), default=0)
            size = max(end, index_len) if at_start else end + index_len
            target = self.directory(rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:  # (sparse: only what is fetched takes room)
                if whole is not None:
                    f.write(whole)
                    pin.fetched.update(range(count))
                    size = len(whole)
                else:
                    f.truncate(size)
                    f.seek(0 if at_start else size - index_len)
                    f.write(index)
            pin.entries, pin.size = entries, size
        # the inner chunks wanted that are not in the files yet, all shards' together
        need = []
        for rel, pin, _, positions in jobs:
            for j in sorted(positions - pin.fetched):
                if j < len(pin.entries):
                    offset, n = pin.entries[j]
                    if offset != _MISSING and offset + n <= pin.size and (limit is None or n <= limit):
                        need.append((rel, offset, n))
        # ranges of one shard less than _GAP apart are fetched as one (inner chunks usually lie in order:
        # a read of a whole shard is then one request)
        merged: list = []
        for rel, offset, n in sorted(need):
            if merged and merged[-1][0] == rel and offset - merged[-1][2] <= _GAP:
                merged[-1][2] = max(merged[-1][2], offset + n)
            else:
                merged.append([rel, offset, offset + n])
        need = [(rel, start, stop - start) for rel, start, stop in merged]
        parts = self._ranges([self.url(rel) for rel, _, _ in need], [o for _, o, _ in need],
                             [o + n for _, o, n in need])
        for (rel, offset, _), part in zip(need, parts):
            if isinstance(part, FileNotFoundError):
                raise OSError(f"cannot read {self.url(rel)}: it went away while being read")
            with open(self.directory(rel), "r+b") as f:
                f.seek(offset)
                f.write(part)
        for _, pin, _, positions in jobs:  # (only once they are in the files)
            pin.fetched.update(positions)


def _member_name(name: str) -> bool:
    """Whether ``name`` (a member's, or a part of a path in the store, as the store gives it) names a
    file or folder inside the folder it is in: not empty, ".", "..", nor holding a separator."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0")


#: byte ranges of one file at most this far apart are fetched in one request
_GAP = 1 << 20

#: files are put into a store this many bytes at a time (each batch concurrently)
_BATCH = 64 << 20

#: an index entry's offset and length of an inner chunk never written
_MISSING = 2**64 - 1


class _Pin:
    """A chunk file in the mirror: how many reads use it, and whether its fetch is done (or failed)."""

    __slots__ = ("users", "ready", "failed", "lock", "entries", "size", "fetched")

    def __init__(self):
        self.users, self.ready, self.failed = 0, threading.Event(), None
        # of a shard fetched by byte ranges: its file made under ``lock``, its index entries (offset,
        # length; [] when the store has no such shard), its size, and the inner chunks fetched into it
        self.lock, self.entries, self.size, self.fetched = threading.Lock(), None, 0, set()
