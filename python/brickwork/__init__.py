"""brickwork: n-dimensional arrays and media to bytes and back, fast, safe on hostile input, and
wire-compatible with numcodecs.

* ``brickwork.codecs``: every numcodecs codec id with numcodecs' Codec API (``Zstd``, ``Blosc``, ...,
  ``get_codec``, ``register_codec``).
* ``brickwork.tobytes`` / ``brickwork.assemble``: fastremap's chunked serialization in N dimensions,
  ``brickwork.encode_chunks`` / ``brickwork.decode_chunks``: cut and encode in one parallel pass.
* ``brickwork.zarr``: Zarr stores, format 2 and 3 (``save``, ``load``, ``info``; ``open`` and ``create`` for regions).
* ``brickwork.errors``: the exception classes (each derives from the builtin numcodecs raises).
"""
from __future__ import annotations

from . import _native
from . import errors
from ._grid import assemble, decode_chunks, encode_chunks, tobytes

__version__: str = _native.__version__

__all__ = [
    "codecs", "errors", "zarr", "tobytes", "assemble", "encode_chunks", "decode_chunks", "__version__",
]


def __getattr__(name: str):
    # Import brickwork.codecs lazily so `import brickwork` stays cheap.
    if name in ("codecs", "zarr", "media"):
        import importlib

        return importlib.import_module(f"brickwork.{name}")
    raise AttributeError(f"module 'brickwork' has no attribute {name!r}")
