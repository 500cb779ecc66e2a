"""Zip stores (zarr-python's ``ZipStore``): a store in one zip file, the keys as the entries' names.

brickwork's arrays and groups work on directories, so a zip store is a store in memory (a directory in
RAM, see ``_memory``) that is filled from the zip file when the store is opened (modes "r" and "a") and
written back to it as a whole when the store is closed (modes "w", "a" and "x"): ``close()``, the end
of a ``with`` block, or, as zarr-python's zip file is finalised, when the store and every array and
group opened in it are gone. The file is replaced in one rename, so a failed or interrupted write
leaves the previous file (or none) and never a truncated one. Reading a zip store therefore costs its
uncompressed size in RAM (or in the temporary directory, see ``_memory``) while it is open.

The zip file is untrusted: entries are checked before anything is unpacked (names that would leave
the store, absolute names, encrypted entries, a key that is both a file and a folder, a total that does
not fit where the store is kept), and each entry is unpacked no further than the size its header
declares. As zarr-python's, the last entry of a name wins (zarr-python rewrites a key by appending it)
and an empty entry is a key zarr-python deleted.
"""
from __future__ import annotations

import os
import shutil
import time
import zipfile

from ..errors import InvalidArrayError
from ._group import atomic_file

#: bytes copied at a time out of an entry
_BLOCK = 1 << 20


def _bad(source, why: str) -> InvalidArrayError:
    return InvalidArrayError(f"{source}: not a zip store brickwork can read: {why} (a zip store is a zip file "
                             "whose entries are the store's keys, as zarr-python's ZipStore writes)")


def _key(source, name: str) -> str | None:
    """The store key an entry name stands for; None for a folder entry."""
    if name.endswith("/"):
        return None
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or "\0" in name or any(p in ("", ".", "..") for p in parts):
        raise _bad(source, f"the entry {name!r} is not a store key (keys are relative, '/'-separated, with no "
                           "'.', '..' or empty components)")
    return name


def unpack(source, directory: str) -> None:
    """Fills the empty ``directory`` with the store in the zip file ``source`` (a path or a binary file
    object)."""
    try:
        archive = zipfile.ZipFile(source, "r")
    except Exception as e:  # noqa: BLE001 (zipfile raises BadZipFile, NotImplementedError, ValueError, ... on garbage)
        raise _bad(source, str(e) or type(e).__name__) from None
    with archive:
        last: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = _key(source, info.filename)
            if key is not None:
                last[key] = info
        entries = {key: info for key, info in last.items() if info.file_size > 0}
        folders = {"/".join(key.split("/")[:i]) for key in entries for i in range(1, key.count("/") + 1)}
        for key, info in entries.items():
            if info.flag_bits & 0x1:
                raise _bad(source, f"the entry {key!r} is encrypted")
            if key in folders:
                raise _bad(source, f"{key!r} is both a key and the folder of other keys")
        total = sum(info.file_size for info in entries.values())
        room = shutil.disk_usage(directory).free
        if total > room:
            raise InvalidArrayError(f"{source}: unpacking the zip store takes {total} bytes, and {directory} has "
                                    f"{room} free (set BRICKWORK_MEMORY_DIR to a folder with room)")
        for key, info in entries.items():
            target = os.path.join(directory, *key.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            left = info.file_size
            try:
                with archive.open(info) as entry, open(target, "wb") as out:
                    while block := entry.read(min(_BLOCK, left + 1)):
                        if len(block) > left:
                            raise _bad(source, f"the entry {key!r} holds more than the {info.file_size} bytes "
                                               "its header declares")
                        out.write(block)
                        left -= len(block)
            except InvalidArrayError:
                raise
            except Exception as e:  # noqa: BLE001 (BadZipFile, a decompressor's error, a bad offset's ValueError, ...)
                raise _bad(source, f"the entry {key!r} cannot be read: {e or type(e).__name__}") from None
            if left:
                raise _bad(source, f"the entry {key!r} holds {info.file_size - left} of the {info.file_size} "
                                   "bytes its header declares")


def _keys(directory: str):
    """The store's keys (files below ``directory``; not the partial files of a write under way), sorted."""
    for folder, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            if name.startswith(".") and name.endswith(".partial"):
                continue
            path = os.path.join(folder, name)
            yield os.path.relpath(path, directory).replace(os.sep, "/"), path


def pack(directory: str, target, compression: int, allow_zip64: bool, start: int = 0, keep=None) -> None:
    """Writes the store in ``directory`` as the zip file ``target`` (a path, replaced in one rename, or a
    binary file object, written from ``start`` and cut after the zip), entries as zarr-python's ZipStore
    makes them. ``keep`` is held until then (the store's directory owner, when packing at the end)."""
    if not os.path.isdir(directory):  # removed already (the end of the process): the file is left as it is
        raise InvalidArrayError(f"the zip store's folder {directory} is gone; {target} was not written")

    def write(out) -> None:
        with zipfile.ZipFile(out, "w", compression=compression, allowZip64=allow_zip64) as archive:
            stamp = time.localtime(time.time())[:6]
            for key, path in _keys(directory):
                info = zipfile.ZipInfo(filename=key, date_time=stamp)
                info.compress_type = compression
                info.external_attr = 0o644 << 16
                with open(path, "rb") as src, archive.open(info, "w", force_zip64=allow_zip64
                                                           and os.path.getsize(path) >= zipfile.ZIP64_LIMIT) as dst:
                    shutil.copyfileobj(src, dst, _BLOCK)

    if not isinstance(target, (str, os.PathLike)):
        target.seek(start)
        write(target)
        target.truncate()
        return
    target = os.fspath(target)
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    with atomic_file(target, "wb") as out:
        write(out)
