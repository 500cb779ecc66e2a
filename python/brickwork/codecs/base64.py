"""numcodecs' ``Base64``: standard base64 (RFC 4648 alphabet, ``=`` padding, no line breaks), decoded
leniently as Python's ``base64``, in Rust."""
from __future__ import annotations

from ._base import NativeCodec, register_codec

__all__ = ["Base64"]


class Base64(NativeCodec):
    """Standard base64 (RFC 4648 alphabet, ``=`` padding, no line breaks); lenient decode as Python's."""

    codec_id = "base64"

    def __init__(self):
        pass

    def __repr__(self):
        return "Base64()"


register_codec(Base64)
