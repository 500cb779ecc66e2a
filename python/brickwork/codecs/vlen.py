"""numcodecs' variable-length codecs: ``VLenUTF8``, ``VLenBytes`` and ``VLenArray`` (object arrays as
length-prefixed item lists). Encode returns a ``bytearray`` and decode a 1-D object array, as numcodecs';
the items cross to Rust as typed lists (``python/src/objects.rs``)."""
from __future__ import annotations

import numpy as np

from .. import _native
from ..errors import InvalidInputError
from ._base import NativeCodec, register_codec
from ._util import as_type_error, decode_any, encode_elements, encode_objects, ensure_ndarray

__all__ = ["VLenUTF8", "VLenBytes", "VLenArray"]


class _VLen(NativeCodec):
    """The length-prefixed item list shared by the vlen codecs: encode returns a ``bytearray``, decode a
    1-D object array (or fills an object ``out``)."""

    def __init__(self):
        pass

    def __repr__(self):
        return f"{type(self).__name__}()"

    def encode(self, buf):
        return encode_objects(self, np.asarray(buf, dtype=object), bytearray=True)

    def decode(self, buf, out=None):
        dec = decode_any(self, ensure_ndarray(buf))
        if out is None:
            return dec
        if not isinstance(out, np.ndarray):
            raise TypeError("out must be 1-dimensional array")
        if out.dtype != object:
            raise ValueError("out must be object array")
        flat = out.reshape(-1, order="A")
        if flat.shape[0] < dec.shape[0]:
            raise ValueError("out is too small")
        for i, item in enumerate(dec):
            flat[i] = item
        return out


class VLenUTF8(_VLen):
    """An object array of ``str`` as length-prefixed UTF-8 items."""

    codec_id = "vlen-utf8"


class VLenBytes(_VLen):
    """An object array of ``bytes`` as length-prefixed items."""

    codec_id = "vlen-bytes"


class VLenArray(_VLen):
    """An object array of 1-D arrays of ``dtype`` as length-prefixed items."""

    codec_id = "vlen-array"

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def get_config(self):
        return {"id": self.codec_id, "dtype": self.dtype.str}

    def __repr__(self):
        return f"{type(self).__name__}(dtype={self.dtype.str!r})"

    def encode(self, buf):
        items = np.asarray(buf, dtype=object).reshape(-1, order="A")
        # Items that are already C-contiguous 1-D arrays of the dtype (or None) are read in place.
        try:
            direct = _native.encode_objects(
                self._codec, items, [len(items)], "C", True, self.dtype.str, True
            )
        except InvalidInputError as err:
            raise as_type_error(err) from None
        if direct is not None:
            return direct
        elements = []
        for item in items:
            if item is None:
                elements.append(None)
                continue
            item = np.ascontiguousarray(item, self.dtype)
            if item.ndim != 1:
                raise ValueError("only 1-dimensional arrays are supported")
            elements.append(item)
        return encode_elements(self, elements, [len(elements)], "C", bytearray=True)


register_codec(VLenUTF8)
register_codec(VLenBytes)
register_codec(VLenArray)
