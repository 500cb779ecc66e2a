"""brickwork: n-dimensional arrays and media to bytes and back, fast, safe on hostile input, and
wire-compatible with numcodecs.

* ``brickwork.codecs``: every numcodecs codec id with numcodecs' Codec API (``Zstd``, ``Blosc``, ...,
  ``get_codec``, ``register_codec``).
* ``brickwork.errors``: the exception classes (each derives from the builtin numcodecs raises).
"""
from __future__ import annotations

from . import _native
from . import errors

__version__: str = _native.__version__

__all__ = ["codecs", "errors", "__version__"]


def __getattr__(name: str):
    # Import brickwork.codecs lazily so `import brickwork` stays cheap.
    if name == "codecs":
        import importlib

        return importlib.import_module("brickwork.codecs")
    raise AttributeError(f"module 'brickwork' has no attribute {name!r}")
