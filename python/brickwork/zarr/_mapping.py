"""Stores held in a dict (``store={}``, zarr-python's ``MemoryStore`` and its ``store_dict``, brickwork's
``MemoryStore(store_dict=...)``) as the part of an fsspec filesystem that ``_remote`` uses (``cat``,
``cat_ranges``, ``pipe``, ``rm``, ``find``, ``ls``, ``copy``, ``du``), so that brickwork reads and writes
them as it does a remote store: through a mirror in RAM, the dict holding the store.

The dict holds what zarr-python's holds: each file under its key (``"zarr.json"``, ``"c/0/0"``,
``"group/array/.zarray"``) as a zarr-python ``Buffer`` (``zarr.core.buffer.cpu.Buffer``), or as
``bytes`` when zarr-python is not installed. So zarr-python and brickwork share one dict: each reads what
the other wrote, and ``store["zarr.json"].to_bytes()`` is the metadata. Values read may be zarr-python
Buffers, ``bytes``, or any object with the buffer protocol (a NumPy array of bytes, a ``memoryview``)."""
from __future__ import annotations

#: zarr-python's host-memory Buffer class, once looked for (False: zarr-python is not installed)
_buffer_class = None


def _buffer():
    """zarr-python's ``Buffer`` class for host memory, or None without zarr-python."""
    global _buffer_class
    if _buffer_class is None:
        try:
            from zarr.core.buffer.cpu import Buffer
        except ImportError:
            Buffer = False
        _buffer_class = Buffer
    return _buffer_class or None


class MappingFileSystem:
    """``mapping`` (a dict of keys to files) seen as an fsspec filesystem by ``_remote``; paths are keys."""

    def __init__(self, mapping):
        self.mapping = mapping

    def __repr__(self) -> str:
        return f"memory://{id(self.mapping)}"

    def unstrip_protocol(self, path: str) -> str:
        """``path`` named as zarr-python names a ``MemoryStore``'s (``memory://<id of the dict>/path``)."""
        return f"memory://{id(self.mapping)}/{path}".rstrip("/")

    @staticmethod
    def _strip_protocol(path: str) -> str:
        return path.strip("/")

    def _view(self, key: str) -> memoryview:
        """The bytes of the file ``key`` (without copying them); FileNotFoundError when the dict has none,
        TypeError when its value holds no bytes."""
        try:
            value = self.mapping[key]
        except KeyError:
            raise FileNotFoundError(key) from None
        as_numpy = getattr(value, "as_numpy_array", None)  # (zarr-python's Buffer)
        if as_numpy is not None and not isinstance(value, (bytes, bytearray, memoryview)):
            value = as_numpy()
        try:
            view = memoryview(value)
        except TypeError:
            raise TypeError(f"the store's {key!r} holds an object of type {type(value).__name__}, not bytes or a "
                            "zarr-python Buffer") from None
        if not view.c_contiguous:
            view = memoryview(view.tobytes())
        return view.cast("B") if view.format != "B" or view.ndim != 1 else view

    def _get(self, key: str, start: int | None = None, end: int | None = None):
        view = self._view(key)
        if start is None:
            return view
        if start < 0 and end is None:  # (the last -start bytes)
            return view[max(len(view) + start, 0):]
        return view[start:end]

    def cat(self, paths, on_error: str = "raise"):
        """The bytes of each of ``paths`` (a list: a dict by path, a missing one's or failed one's value its
        exception when ``on_error="return"``), or of the one path."""
        if isinstance(paths, str):
            return self._get(paths)
        return dict(zip(paths, self.cat_ranges(paths, [None] * len(paths), [None] * len(paths), on_error)))

    def cat_ranges(self, paths: list, starts: list, ends: list, on_error: str = "raise") -> list:
        """The byte ranges ``[start, end)`` of the paths (a negative start without an end: the last bytes)."""
        results = []
        for path, start, end in zip(paths, starts, ends):
            try:
                results.append(self._get(path, start, end))
            except (FileNotFoundError, TypeError) as e:
                if on_error != "return":
                    raise
                results.append(e)
        return results

    def pipe(self, files: dict) -> None:
        """Puts each ``{path: bytes}``: a zarr-python Buffer of them (bytes without zarr-python)."""
        buffer = _buffer()
        for path, data in files.items():
            self.mapping[path] = bytes(data) if buffer is None else buffer.from_bytes(bytes(data))

    def _keys(self) -> list[str]:
        return [k for k in list(self.mapping) if isinstance(k, str)]

    def find(self, path: str) -> list[str]:
        """The keys under ``path`` (a folder's path; itself, when it is a key)."""
        prefix = f"{path}/" if path else ""
        return sorted(k for k in self._keys() if k.startswith(prefix) or k == path)

    def ls(self, path: str, detail: bool = True) -> list:
        """The folders and files directly under ``path``; FileNotFoundError when there are none."""
        prefix = f"{path}/" if path else ""
        folders, files = set(), []
        for key in self._keys():
            if key.startswith(prefix):
                name, _, rest = key[len(prefix):].partition("/")
                if rest:
                    folders.add(prefix + name)
                elif name:
                    files.append(key)
        if not folders and not files:
            raise FileNotFoundError(path)
        entries = ([{"name": f, "type": "directory", "size": 0} for f in sorted(folders)]
                   + [{"name": f, "type": "file", "size": self._size(f)} for f in sorted(files)])
        return entries if detail else [e["name"] for e in entries]

    def rm(self, paths, recursive: bool = False) -> None:
        """Deletes the keys ``paths`` (with ``recursive``, those under them too); FileNotFoundError when
        one is not there."""
        for path in [paths] if isinstance(paths, str) else list(paths):
            found = self.find(path) if recursive else [path] if path in self.mapping else []
            if not found:
                raise FileNotFoundError(path)
            for key in found:
                self.mapping.pop(key, None)

    def copy(self, sources: list, targets: list) -> None:
        self.pipe({t: self._view(s) for s, t in zip(sources, targets)})

    def _size(self, key: str) -> int:
        """The bytes of the file ``key`` (0 when it is gone, or holds no bytes)."""
        try:
            return len(self._view(key))
        except (FileNotFoundError, TypeError):
            return 0

    def du(self, path: str) -> int:
        """The bytes of the files under ``path``."""
        return sum(self._size(k) for k in self.find(path))
