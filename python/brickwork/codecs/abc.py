"""numcodecs' ``numcodecs.abc``: ``Codec``, the base of every codec class (numcodecs' own when numcodecs
is installed, so codecs written against ``numcodecs.abc.Codec`` and brickwork's are one family; else
brickwork's equivalent)."""
from __future__ import annotations

from ._base import _CodecBase as Codec

__all__ = ["Codec"]
