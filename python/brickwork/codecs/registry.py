"""numcodecs' ``numcodecs.registry``: ``codec_registry`` (codec id → class), ``get_codec(config)`` and
``register_codec(cls, codec_id=None)``, over brickwork's classes."""
from __future__ import annotations

from ._base import codec_registry, get_codec, register_codec

__all__ = ["codec_registry", "get_codec", "register_codec"]
