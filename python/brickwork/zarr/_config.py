"""zarr-python's runtime configuration (``zarr.config``) and its ``ArrayConfig``, as far as they mean
something for brickwork.

``config.set({...})`` (for good, or in a ``with`` block), ``config.get(key)`` and ``config.reset()`` work
as zarr-python's (donfig's). brickwork honours ``default_zarr_format`` (the format ``save``, ``create``,
``open`` and ``group`` write unless told) and ``array.order`` (the memory order of what reads return,
for arrays opened or created while it is set); the other keys are kept and returned but configure
zarr-python's machinery (asyncio concurrency, thread pools, codec pipelines, buffers), which brickwork
does not have. ``ArrayConfig`` is an array's: ``order`` (of what reads return), ``write_empty_chunks``
(False, zarr-python's default: a chunk that holds only the fill value is not written, and its file is
removed; the comparison is byte for byte, so ``-0.0`` in a ``0.0``-filled array is kept),
``read_missing_chunks`` (True: missing chunks read as the fill value; False: a read of a chunk, or of a
shard, the store does not have raises ``ChunkNotFoundError``, naming them all, as zarr-python's does).
"""
from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InvalidArrayError

__all__ = ["ArrayConfig", "Config", "config"]

_DEFAULTS: dict[str, Any] = {
    "default_zarr_format": 3,
    "array": {"order": "C", "write_empty_chunks": False, "read_missing_chunks": True, "target_shard_size_bytes": None,
              "rectilinear_chunks": False},
    "async": {"concurrency": 10, "timeout": None},
    "threading": {"max_workers": None},
    "json_indent": 2,
}
_MISSING = object()


class Config:
    """zarr-python's ``zarr.config`` (a donfig ``Config``): nested settings named with dots."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values = copy.deepcopy(_DEFAULTS)

    def get(self, key: str, default: Any = _MISSING) -> Any:
        node: Any = self._values
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is _MISSING:
                    raise KeyError(key)
                return default
            node = node[part]
        return copy.deepcopy(node)

    def set(self, arg: dict | None = None, **kwargs) -> _Restore:
        """Sets the ``{"a.b": value}`` (or nested dicts) given; used as a context manager, restores the
        values before it on exit."""
        updates = dict(arg or {})
        updates.update({k.replace("__", "."): v for k, v in kwargs.items()})
        with self._lock:
            before = copy.deepcopy(self._values)
            try:
                for key, value in updates.items():
                    self._put(key, value)
                self._check()
            except BaseException:
                self._values = before  # nothing set
                raise
        return _Restore(self, before)

    def _put(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key or any(not p for p in key.split(".")):
            raise InvalidArrayError(f"config keys are dotted names such as 'array.order', got {key!r}")
        parts = key.split(".")
        node = self._values
        for i, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InvalidArrayError(f"config key {'.'.join(parts[:i + 1])!r} holds a value, not settings")
        if isinstance(value, dict) and isinstance(node.get(parts[-1]), dict):
            for k, v in value.items():
                self._put(f"{key}.{k}", v)
        elif isinstance(node.get(parts[-1]), dict):
            raise InvalidArrayError(f"config key {key!r} holds settings ({', '.join(node[parts[-1]])}); set one "
                                    f"of them, such as {key}.{next(iter(node[parts[-1]]), 'name')}")
        else:
            node[parts[-1]] = value

    def _check(self) -> None:
        if self._values.get("default_zarr_format") not in (2, 3):
            raise InvalidArrayError(f"default_zarr_format must be 2 or 3, got {self._values['default_zarr_format']!r}")
        if self._values.get("array", {}).get("order") not in ("C", "F"):
            raise InvalidArrayError(f"array.order must be 'C' or 'F', got {self._values['array'].get('order')!r}")

    def pprint(self, **kwargs) -> None:
        """Prints the settings (``pprint.pprint``'s keywords: ``stream=``, ``width=``, ...)."""
        import pprint

        pprint.pprint(self._values, **kwargs)

    def reset(self) -> None:
        with self._lock:
            self._values = copy.deepcopy(_DEFAULTS)

    def __repr__(self) -> str:
        return f"<brickwork.zarr config {self._values!r}>"


class _Restore:
    def __init__(self, config: Config, before: dict):
        self._config, self._before = config, before

    def __enter__(self) -> Config:
        return self._config

    def __exit__(self, *exc) -> None:
        with self._config._lock:
            self._config._values = self._before


config = Config()


@dataclass(frozen=True)
class ArrayConfig:
    """An array's runtime settings (zarr-python's ``ArrayConfig``)."""

    order: str = "C"
    write_empty_chunks: bool = False
    read_missing_chunks: bool = True
    sharding_coalesce_max_gap_bytes: int = 1 << 20
    sharding_coalesce_max_bytes: int = 16 << 20

    def __post_init__(self):
        if self.order not in ("C", "F"):
            raise InvalidArrayError(f"order must be 'C' or 'F', got {self.order!r}")

    @classmethod
    def parse(cls, value, defaults: ArrayConfig | None = None) -> ArrayConfig:
        """``value`` (None, a dict or an ``ArrayConfig``, brickwork's or zarr-python's) over ``defaults`` (the
        global configuration's when not given)."""
        base = defaults or cls(order=config.get("array.order"),
                               write_empty_chunks=bool(config.get("array.write_empty_chunks")),
                               read_missing_chunks=bool(config.get("array.read_missing_chunks")))
        if value is None:
            return base
        if not isinstance(value, dict) and not hasattr(value, "order"):
            raise InvalidArrayError(f"config is a dict or an ArrayConfig, got {type(value).__name__}")
        items = value if isinstance(value, dict) else {
            k: getattr(value, k) for k in ("order", "write_empty_chunks", "read_missing_chunks",
                                           "sharding_coalesce_max_gap_bytes", "sharding_coalesce_max_bytes")
            if hasattr(value, k)}
        unknown = set(items) - set(cls.__dataclass_fields__)
        if unknown:
            raise InvalidArrayError(f"config takes {', '.join(cls.__dataclass_fields__)}; "
                                    f"not {', '.join(sorted(unknown))}")
        return replace(base, **{k: v for k, v in items.items() if v is not None})
