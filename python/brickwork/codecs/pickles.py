"""numcodecs' ``Pickle``, not offered: decoding a pickle runs whatever code the bytes name, so brickwork,
whose decoders take untrusted input, has no pickle codec (``get_codec({"id": "pickle"})`` is refused
too). Use ``numcodecs.Pickle`` where the data is trusted."""
from __future__ import annotations

from ..errors import UnknownCodecError

__all__ = ["Pickle"]


class Pickle:
    """Not offered: see the module's documentation."""

    codec_id = "pickle"

    def __init__(self, protocol: int = 5):
        raise UnknownCodecError("brickwork has no pickle codec: decoding a pickle runs arbitrary code; use "
                                "numcodecs.Pickle where the data is trusted")
