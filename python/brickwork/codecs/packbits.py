"""numcodecs' ``PackBits``: booleans packed eight to a byte after a padding count (1-D results), in
Rust. Documented difference: ``decode(b'')`` raises ``brickwork.errors.DecodeError`` (a ValueError;
numcodecs: IndexError)."""
from __future__ import annotations

from ._base import NativeCodec, register_codec
from ._util import decode_array, decode_into_out, decode_new, encode_array, ensure_ndarray, flat, ndarray_copy, shaped

__all__ = ["PackBits"]


class PackBits(NativeCodec):
    """Bools packed eight to a byte (MSB first) after a byte counting the pad bits."""

    codec_id = "packbits"
    _decode_returns_bytes = False

    def __init__(self):
        pass

    def __repr__(self):
        return "PackBits()"

    def encode(self, buf):
        arr = flat(ensure_ndarray(buf).view(bool))
        return encode_array(self, arr)

    def decode(self, buf, out=None):
        enc = flat(ensure_ndarray(buf).view("u1"))
        if enc.size:
            # Element count: 8 per packed byte, minus the pad count in the first byte.
            shape = (max(0, (enc.size - 1) * 8 - int(enc[0])),)
            if out is None:
                return decode_new(self, enc, shape, bool)
            if decode_into_out(self, enc, shape, bool, out):
                return out
        raw, dtype, shape, _order = decode_array(self, enc)
        return ndarray_copy(shaped(raw, dtype, shape), out)


register_codec(PackBits)
