"""obstore's stores (S3, Google Cloud Storage, Azure, HTTP, local, memory: what zarr-python's ``ObjectStore``
and brickwork's :class:`~brickwork.zarr.storage.ObjectStore` hold) as the part of an fsspec filesystem that
``_remote`` uses: the same method names, arguments and results (``cat``, ``cat_ranges``, ``pipe``, ``rm``,
``find``, ``ls``, ``copy``, ``du``), each call's requests made concurrently through obstore's asynchronous
functions on one event loop of brickwork's own (a thread), so they can be made from any thread, one
with an event loop running (a notebook's) too. Paths are the store's keys."""
from __future__ import annotations

import asyncio
import os
import threading

#: requests in flight at once, at most, for one call
_CONCURRENCY = 64

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _forked() -> None:
    global _loop_lock
    _loop_lock = threading.Lock()  # (one another thread held at the fork would never be released here)


os.register_at_fork(after_in_child=_forked)


#: the process in which brickwork first called obstore: obstore's runtime (its threads) started there, and
#: a process forked from it cannot make requests (they wait forever, obstore's blocking functions too)
_obstore_pid: int | None = None


def _this_process() -> None:
    """Raises a clear error, rather than waiting forever, in a process forked after obstore ran in the
    process it was forked from (see ``_obstore_pid``); notes this process as the one obstore runs in."""
    global _obstore_pid
    with _loop_lock:
        if _obstore_pid is None:
            _obstore_pid = os.getpid()
        elif _obstore_pid != os.getpid():
            from ..errors import InvalidArrayError

            raise InvalidArrayError(
                "obstore's stores cannot be used in a process forked after obstore ran in the process it was "
                "forked from (obstore's runtime does not survive a fork: its requests would wait forever); "
                "start workers with multiprocessing's 'spawn' or 'forkserver' method, or use an fsspec store "
                "(s3://... URLs, FsspecStore), which brickwork makes anew in a forked process")


def _run(coroutine):
    """Runs ``coroutine`` on brickwork's event loop (a thread, started on first use: in the one process
    obstore runs in, see ``_this_process``) and gives its result."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="brickwork-obstore", daemon=True).start()
    return asyncio.run_coroutine_threadsafe(coroutine, _loop).result()


async def _gather(calls: list) -> list:
    """The results (or exceptions) of the awaitables ``calls`` make (functions of no argument, called on
    the loop: obstore's asynchronous functions need it running), in order, at most ``_CONCURRENCY`` at
    once."""
    limit = asyncio.Semaphore(_CONCURRENCY)

    async def one(call):
        async with limit:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls), return_exceptions=True)


def _raise_first(results: list) -> list:
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


class ObstoreFileSystem:
    """An obstore store (``obstore.store.S3Store(...)``, ...) seen as an fsspec filesystem by ``_remote``."""

    def __init__(self, store):
        self.store = store

    def __repr__(self) -> str:
        return repr(self.store)

    def unstrip_protocol(self, path: str) -> str:
        """``path`` named as zarr-python names an ``ObjectStore``'s (``object_store://S3Store(...)/path``)."""
        return f"object_store://{self.store!r}/{path}".rstrip("/")

    async def _get(self, path: str, start: int | None = None, end: int | None = None) -> bytes:
        import obstore

        if start is None:
            result = await obstore.get_async(self.store, path)
            return bytes(await result.bytes_async())
        if start < 0 and end is None:  # (the last -start bytes)
            result = await obstore.get_async(self.store, path, options={"range": {"suffix": -start}})
            return bytes(await result.bytes_async())
        if end is None:
            result = await obstore.get_async(self.store, path, options={"range": {"offset": start}})
            return bytes(await result.bytes_async())
        return bytes(await obstore.get_range_async(self.store, path, start=start, end=end)) if end > start else b""

    def cat(self, paths, on_error: str = "raise"):
        """The bytes of each of ``paths`` (a list: a dict by path, a missing one's or failed one's value its
        exception when ``on_error="return"``), or of the one path."""
        _this_process()
        if isinstance(paths, str):
            return _run(self._get(paths))
        results = _run(_gather([lambda p=p: self._get(p) for p in paths]))
        return dict(zip(paths, results if on_error == "return" else _raise_first(results)))

    def cat_ranges(self, paths: list, starts: list, ends: list, on_error: str = "raise") -> list:
        """The byte ranges ``[start, end)`` of the paths (a negative start without an end: the last bytes)."""
        _this_process()
        results = _run(_gather([lambda p=p, s=s, e=e: self._get(p, s, e) for p, s, e in zip(paths, starts, ends)]))
        return results if on_error == "return" else _raise_first(results)

    def pipe(self, files: dict) -> None:
        """Puts each ``{path: bytes}``."""
        _this_process()
        import obstore

        _raise_first(_run(_gather([lambda p=p, d=d: obstore.put_async(self.store, p, d) for p, d in files.items()])))

    def find(self, path: str) -> list[str]:
        """The paths of the objects under ``path`` (a folder's path)."""
        _this_process()
        import obstore

        return [entry["path"] for batch in obstore.list(self.store, prefix=path or None) for entry in batch]

    def ls(self, path: str, detail: bool = True) -> list:
        """The folders and objects directly under ``path``."""
        _this_process()
        import obstore

        found = obstore.list_with_delimiter(self.store, prefix=path or None)
        entries = ([{"name": p, "type": "directory", "size": 0} for p in found["common_prefixes"]]
                   + [{"name": o["path"], "type": "file", "size": o["size"]} for o in found["objects"]])
        return entries if detail else [e["name"] for e in entries]

    def rm(self, paths, recursive: bool = False) -> None:
        """Deletes the objects ``paths`` (with ``recursive``, the folders' objects too); FileNotFoundError
        when one is not there."""
        _this_process()
        import obstore

        paths = [paths] if isinstance(paths, str) else list(paths)
        if recursive:
            found = [p for path in paths for p in self.find(path)]
            if not found:
                raise FileNotFoundError(paths[0] if paths else "")
            paths = found
        if paths:
            obstore.delete(self.store, paths)

    def copy(self, sources: list, targets: list) -> None:
        _this_process()
        import obstore

        _raise_first(_run(_gather([lambda s=s, t=t: obstore.copy_async(self.store, s, t)
                                   for s, t in zip(sources, targets)])))

    def du(self, path: str) -> int:
        """The bytes of the objects under ``path``."""
        _this_process()
        import obstore

        return sum(entry["size"] for batch in obstore.list(self.store, prefix=path or None) for entry in batch)
