"""brickwork's exceptions.

Each class derives from the builtin exception numcodecs raises in the same situation, so code written for
numcodecs (``except ValueError``, ``except RuntimeError``) keeps working, and from ``BrickworkError`` so
code written for brickwork can catch everything at once.
"""
from __future__ import annotations


class BrickworkError(Exception):
    """Base class of every brickwork error."""


class UnknownCodecError(BrickworkError, ValueError):
    """No codec with that id (numcodecs' ``UnknownCodecError``, a ValueError); ``.codec_id`` names it."""

    def __init__(self, message: str, codec_id: str | None = None):
        super().__init__(message)
        self.codec_id = codec_id


class UnsupportedCodecError(UnknownCodecError):
    """A codec id numcodecs knows that brickwork deliberately does not implement (``pickle``)."""


class ConfigKeyError(BrickworkError, TypeError):
    """A config key the codec does not take (numcodecs raises TypeError from the constructor)."""


class InvalidConfigError(BrickworkError, ValueError):
    """A config value of the wrong type or out of range."""


class InvalidInputError(BrickworkError, ValueError):
    """Input the codec cannot encode."""


class DecodeError(BrickworkError, RuntimeError, ValueError):
    """Corrupt, truncated or foreign data. numcodecs raises RuntimeError for some codecs and ValueError
    (or zlib.error, lzma.LZMAError, ...) for others; this class is both RuntimeError and ValueError."""


class ChecksumError(DecodeError):
    """A stored checksum that does not match the data."""


class LimitError(DecodeError, MemoryError):
    """Decoding would exceed the allowed output size (``max_decoded_bytes``); raise it for trusted data."""


class ObjectTypeError(InvalidInputError, TypeError):
    """An object (or dtype) the codec cannot encode, e.g. bytes for JSON or vlen-utf8 (numcodecs, Python's
    ``json`` and ``msgpack`` raise TypeError)."""


class OutputSizeError(BrickworkError, ValueError):
    """The ``out`` buffer has the wrong size for the decoded data."""


class DTypeError(BrickworkError, TypeError):
    """A dtype brickwork cannot parse or the codec cannot handle (NumPy raises TypeError)."""


class InvalidArrayError(BrickworkError, ValueError):
    """Inconsistent array metadata: shapes, sizes, layouts."""


class BrickworkIOError(BrickworkError, OSError):
    """An I/O failure, with the path it happened on."""


class InternalError(BrickworkError, RuntimeError):
    """A bug inside brickwork (a Rust panic caught at the boundary); the interpreter keeps running."""
