"""``Pipeline``: a zarr v2 ``filters`` + ``compressor`` pair as one codec (a brickwork extension; numcodecs
has no such class). The whole chain runs in Rust (``brickwork-codecs/src/pipeline.rs``) with the GIL
released once, instead of one Python call and one intermediate array per stage.

``encode(chunk)`` equals ``compressor.encode(filters[-1].encode(... filters[0].encode(chunk)))`` byte for
byte; ``decode`` reverses it and returns the first filter's decoded dtype (1-D, or the shape an object
codec stores). An object array is accepted when the first filter is an object codec (vlen-*, json2,
msgpack2, categorize with ``dtype='|O'``).
"""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, get_codec, register_codec
from ._util import decode_any, encode_objects, ndarray_copy


def _as_codec(codec):
    if codec is None or hasattr(codec, "get_config"):
        return codec
    return get_codec(codec)


class Pipeline(NativeCodec):
    """``Pipeline(filters=None, compressor=None)``: codecs or their config dicts."""

    codec_id = "pipeline"
    _decode_returns_bytes = False

    def __init__(self, filters=None, compressor=None):
        self.filters = None if not filters else [_as_codec(f) for f in filters]
        self.compressor = _as_codec(compressor)

    def get_config(self):
        return {
            "id": self.codec_id,
            "filters": None if not self.filters else [f.get_config() for f in self.filters],
            "compressor": None if self.compressor is None else self.compressor.get_config(),
        }

    def __repr__(self):
        return f"{type(self).__name__}(filters={self.filters!r}, compressor={self.compressor!r})"

    def _takes_objects(self) -> bool:
        from .. import _native

        return _native.takes_objects(self._codec)

    def encode(self, buf):
        if isinstance(buf, (list, tuple)) and self._takes_objects():
            buf = np.asarray(buf, dtype=object)
        if isinstance(buf, np.ndarray) and buf.dtype == object:
            return encode_objects(self, buf)
        return super().encode(buf)

    def decode(self, buf, out=None):
        if self._takes_objects():
            return ndarray_copy(decode_any(self, buf), out)
        return super().decode(buf, out)


register_codec(Pipeline)
