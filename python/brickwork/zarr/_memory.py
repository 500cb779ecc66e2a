"""Stores in memory, as zarr-python offers them (``MemoryStore()``, ``"memory://name"``), kept as
directories in RAM: under ``/dev/shm`` (a tmpfs) when the machine has one of at least 1 GiB (a
container's default of 64 MiB is passed over), else the temporary directory, or where
``$BRICKWORK_MEMORY_DIR`` says; in one folder per process
(``brickwork-memory-<pid namespace>-<pid>-<random>``), so that brickwork's directory machinery serves
them unchanged.

Each store is a :class:`MemoryDir`, whose directory is removed when the object that owns it is collected:
a ``MemoryStore`` owns its own; a ``memory://name`` URL, when fsspec is not installed, names a store that
lives as long as the process, as fsspec's memory filesystem does (with fsspec, the store is in fsspec's
memory filesystem, where zarr-python puts it, mirrored by ``_remote``); a remote store's mirror
(``_remote``, which also serves stores held in a dict, ``store={}``) is owned by its ``Remote``. Arrays
and groups opened in a memory store hold its owner, so the store lives as long as they do. The process's
folder is removed at exit, and folders left by processes of the same PID namespace that ended without
removing theirs (killed) are removed when the next process makes its own (another container sharing the
folder, whose processes this one cannot see, is left alone). A process forked from another makes a
folder of its own, and what the other made is removed (or written back) by the other alone
(``in_process``).
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
import threading
import weakref

from ..errors import InvalidArrayError

_lock = threading.Lock()
_root: str | None = None
_root_pid = 0
#: the folders of memory stores this process knows: its own, and those of the processes it was forked from
#: (whose stores it may hold: see ``owner``)
_roots: list[str] = []
#: directory -> the MemoryDir that owns it
_owners: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
#: memory:// names -> their stores (for the life of the process)
_named: dict[str, MemoryDir] = {}


#: /dev/shm smaller than this (Docker's default is 64 MiB) is passed over for the temporary directory
_MIN_SHM_BYTES = 1 << 30


def _base() -> str:
    """Where the process's folder goes: ``$BRICKWORK_MEMORY_DIR`` when set; else ``/dev/shm`` when it is
    writable and holds at least 1 GiB; else the temporary directory."""
    chosen = os.environ.get("BRICKWORK_MEMORY_DIR")
    if chosen:
        if not os.path.isdir(chosen):
            raise InvalidArrayError(f"BRICKWORK_MEMORY_DIR={chosen!r} is not a directory")
        return chosen
    shm = "/dev/shm"
    try:
        size = os.statvfs(shm)
        if os.access(shm, os.W_OK | os.X_OK) and size.f_blocks * size.f_frsize >= _MIN_SHM_BYTES:
            return shm
    except OSError:
        pass
    return tempfile.gettempdir()


def _namespace() -> str:
    """This process's PID namespace (its inode), so that processes of other containers sharing the RAM
    folder, whose PIDs this one cannot see, never have their folders taken for dead ones; "x" when the
    system does not say."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "x"


def _sweep(base: str, namespace: str) -> None:
    """Removes the folders of processes of this PID namespace that no longer run (killed before their
    exit handler)."""
    if namespace == "x":
        return
    for entry in os.listdir(base):
        m = re.fullmatch(r"brickwork-memory-(\d+)-(\d+)-\w+", entry)
        if m and m.group(1) == namespace and not os.path.exists(f"/proc/{m.group(2)}"):
            shutil.rmtree(os.path.join(base, entry), ignore_errors=True)


def _forked() -> None:
    global _lock
    _lock = threading.Lock()  # (one another thread held at the fork would never be released here)


os.register_at_fork(after_in_child=_forked)


def root() -> str:
    """This process's folder of memory stores, made on first use (in a process forked from one that
    made its own, a folder of its own: see :func:`in_process`)."""
    global _root, _root_pid
    with _lock:
        if _root is None or _root_pid != os.getpid() or not os.path.isdir(_root):
            base, namespace = _base(), _namespace()
            try:
                _sweep(base, namespace)
            except OSError:
                pass
            _root_pid = os.getpid()
            _root = tempfile.mkdtemp(prefix=f"brickwork-memory-{namespace}-{_root_pid}-", dir=base)
            _roots.append(_root)
            atexit.register(in_process, _root_pid, _at_exit, _root)
        return _root


def in_process(pid: int, function, *args, **kwargs) -> None:
    """Calls ``function(*args, **kwargs)`` in the process ``pid`` only: what a process made (its folder,
    its stores) is removed or written back at its exit, or when collected, by it alone, not by a process
    forked from it, which has the same exit handlers and objects, and ends while the first goes on."""
    if os.getpid() == pid:
        function(*args, **kwargs)


#: what runs before the process's folder is removed at exit (zip stores written back), as weakref.finalize
#: objects (calling one that ran or was detached does nothing)
_before_exit: list = []


def before_exit(finalizer):
    """Has ``finalizer`` (a ``weakref.finalize``) run at exit, before the folder goes, if it has not run
    by then; returns it."""
    with _lock:
        _before_exit[:] = [f for f in _before_exit if f.alive]
        _before_exit.append(finalizer)
    return finalizer


def _at_exit(folder: str) -> None:
    for finalizer in reversed(_before_exit):
        try:
            finalizer()
        except Exception as e:  # noqa: BLE001 (reported, and the folder is removed all the same)
            print(f"brickwork: {e}", file=sys.stderr)
    shutil.rmtree(folder, True)


class MemoryDir:
    """A directory in RAM that is removed when this object is collected."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="store-", dir=root())
        _owners[self.path] = self
        weakref.finalize(self, in_process, os.getpid(), shutil.rmtree, self.path, True)

    def __repr__(self) -> str:
        return f"<brickwork memory store {self.path}>"


def check_name(url: str) -> list[str]:
    """The parts of the path a ``memory://name/...`` URL names, checked."""
    name = url[len("memory://"):].strip("/")
    parts = name.split("/")
    if not name or any(p in ("", ".", "..") for p in parts):
        raise InvalidArrayError(f"{url!r}: a memory:// URL names a store (memory://name, no '.' or '..')")
    return parts


def named(url: str) -> str:
    """The directory of the store a ``memory://name`` URL names (made on first use), without fsspec
    (with it, ``_remote`` mirrors fsspec's memory filesystem, as zarr-python uses it)."""
    parts = check_name(url)
    store = parts[0]
    with _lock:
        found = _named.get(store)
    if found is None or not os.path.isdir(found.path):
        found = MemoryDir()
        with _lock:
            found = _named.setdefault(store, found)
    return os.path.join(found.path, *parts[1:])


def own(path: str, owner) -> None:
    """Makes ``owner`` (an object holding the MemoryDir of ``path``, such as a zip store) what arrays and
    groups opened in the store hold."""
    _owners[path] = owner


def owner(path: str) -> MemoryDir | None:
    """The memory store ``path`` lies in, if any (for arrays and groups to hold while they live)."""
    if _root is None:
        return None
    path = os.path.abspath(path)
    for folder in _roots:
        if path.startswith(folder + os.sep):
            return _owners.get(os.path.join(folder, os.path.relpath(path, folder).split(os.sep)[0]))
    return None
