"""brickwork's codecs inside numcodecs: registered in numcodecs' own registry, for code you do not change.

zarr-python, xarray and Dask build the codecs of a Zarr v2 array with ``numcodecs.get_codec(config)``.
After ``register_in_numcodecs()`` that call returns brickwork's class for every codec id brickwork
implements, so reading and writing such arrays runs brickwork's codecs (GIL released, so zarr-python 3's
threads decode chunks in parallel) without touching the code that opens them::

    import brickwork.codecs
    brickwork.codecs.register_in_numcodecs()
    z = zarr.open_array("data.zarr")        # .zarray's compressor and filters are now brickwork's
    brickwork.codecs.unregister_from_numcodecs()   # numcodecs' own classes again

Both directions stay compatible: a codec id means the same bytes on both sides (the project's tests).
Classes imported by name (``from numcodecs import Blosc``) are not affected, only ``get_codec``; that
includes the ids numcodecs registers only when an optional package is installed (``zfpy``, ``pcodec``,
``crc32c``, ``msgpack2``), which brickwork serves without those packages.
"""
from __future__ import annotations

from collections.abc import Iterable

from ._base import codec_registry

__all__ = ["register_in_numcodecs", "unregister_from_numcodecs"]

#: brickwork ids that are not numcodecs codec ids (Zarr v2 has no "pipeline" codec).
_BRICKWORK_ONLY = frozenset({"pipeline"})

#: codec id -> what numcodecs' registry held before the first registration (None: nothing).
_previous: dict[str, type | None] = {}


def _numcodecs_registry():
    try:
        from numcodecs import registry
    except ImportError as error:
        raise ImportError(
            "register_in_numcodecs() changes numcodecs' registry, but numcodecs is not installed "
            "(pip install numcodecs); brickwork.codecs.get_codec works without it"
        ) from error
    return registry


def register_in_numcodecs(ids: Iterable[str] | None = None) -> list[str]:
    """Makes ``numcodecs.get_codec`` build brickwork's codec for ``ids`` (default: every codec id
    brickwork implements) and returns the ids registered. Unknown ids raise ``ValueError`` before
    anything changes. Calling it again is harmless."""
    registry = _numcodecs_registry()
    if ids is None:
        wanted = sorted(set(codec_registry) - _BRICKWORK_ONLY)
    else:
        wanted = [ids] if isinstance(ids, str) else list(ids)
        unknown = [i for i in wanted if i not in codec_registry or i in _BRICKWORK_ONLY]
        if unknown:
            known = ", ".join(sorted(set(codec_registry) - _BRICKWORK_ONLY))
            raise ValueError(f"brickwork has no numcodecs codec {unknown[0]!r}; it has: {known}")
    for codec_id in wanted:
        cls = codec_registry[codec_id]
        if codec_id not in _previous:
            _previous[codec_id] = registry.codec_registry.get(codec_id)
        registry.register_codec(cls, codec_id)
    return wanted


def unregister_from_numcodecs() -> None:
    """Puts back in numcodecs' registry what ``register_in_numcodecs`` replaced (and removes the ids
    numcodecs did not have)."""
    registry = _numcodecs_registry()
    for codec_id, previous in _previous.items():
        if previous is None:
            registry.codec_registry.pop(codec_id, None)
        else:
            registry.codec_registry[codec_id] = previous
    _previous.clear()
