"""numcodecs' text and object codecs: Base64, JSON (``json2``), MsgPack (``msgpack2``), VLenUTF8,
VLenBytes and VLenArray.

Constructors, ``get_config``, reprs and return types are numcodecs': Base64 and JSON/MsgPack encode to
``bytes``, the vlen codecs to a ``bytearray``; JSON/MsgPack decode to an array of the stored dtype and
shape (an object array when the stored dtype is ``|O``), the vlen codecs to a 1-D object array. Object
arrays cross to Rust as typed item lists (``python/src/objects.rs``); the work (JSON text, msgpack, the
length-prefixed item lists) happens in Rust (``brickwork-codecs/src/text``). Only JSON/msgpack-representable
objects are supported (``None``, ``bool``, ``int``, ``float``, ``str``, ``bytes``, lists, tuples, dicts);
others raise TypeError, as Python's ``json`` does.
"""
from __future__ import annotations

import json
import textwrap

import numpy as np

from .. import _native
from ..errors import DecodeError, InvalidInputError
from ._base import NativeCodec, register_codec
from ._util import (
    as_type_error,
    contiguous,
    decode_any,
    encode_elements,
    encode_objects,
    ensure_ndarray,
    ensure_text,
    memory,
    order_of,
)


class Base64(NativeCodec):
    """Standard base64 (RFC 4648 alphabet, ``=`` padding, no line breaks); lenient decode as Python's."""

    codec_id = "base64"

    def __init__(self):
        pass

    def __repr__(self):
        return "Base64()"


def _encode_any(codec, buf) -> bytes:
    """json2/msgpack2 encode: ``np.asarray(buf)`` (object on failure); object arrays go through
    ``encode_objects``, typed arrays through the typed encode."""
    try:
        arr = np.asarray(buf)
    except ValueError:
        arr = np.asarray(buf, dtype=object)
    if arr.dtype == object:
        return encode_objects(codec, arr)
    arr = contiguous(arr)
    try:
        return codec._codec.encode(memory(arr), arr.dtype.str, list(arr.shape), order_of(arr))
    except InvalidInputError as err:
        raise as_type_error(err) from None


class JSON(NativeCodec):
    """An array as JSON text ``[items..., dtype.str, shape]``, byte-identical to numcodecs' ``json2``."""

    codec_id = "json2"

    def __init__(
        self,
        encoding="utf-8",
        skipkeys=False,
        ensure_ascii=True,
        check_circular=True,
        allow_nan=True,
        sort_keys=True,
        indent=None,
        separators=None,
        strict=True,
    ):
        self._text_encoding = encoding
        if separators is None:
            separators = (",", ":") if indent is None else (", ", ": ")
        separators = tuple(separators)
        self._encoder_config = {
            "skipkeys": skipkeys,
            "ensure_ascii": ensure_ascii,
            "check_circular": check_circular,
            "allow_nan": allow_nan,
            "indent": indent,
            "separators": separators,
            "sort_keys": sort_keys,
        }
        self._decoder_config = {"strict": strict}

    def get_config(self):
        config = {"id": self.codec_id, "encoding": self._text_encoding}
        config.update(self._encoder_config)
        config.update(self._decoder_config)
        return config

    def __repr__(self):
        params = [f"encoding={self._text_encoding!r}"]
        for k, v in sorted(self._encoder_config.items()):
            params.append(f"{k}={v!r}")
        for k, v in sorted(self._decoder_config.items()):
            params.append(f"{k}={v!r}")
        text = f"{type(self).__name__}({', '.join(params)})"
        return textwrap.fill(text, width=80, break_long_words=False, subsequent_indent="     ")

    # Strings with lone surrogates (file names decoded with ``surrogateescape``, say) are valid Python
    # and valid numcodecs JSON (written as ``\udcXX`` escapes), but Rust's UTF-8 strings cannot hold
    # them: the Rust codec refuses them, and only then do encode and decode run numcodecs' own algorithm
    # on the standard library's ``json``, so such data still round-trips both ways, byte for byte.

    def encode(self, buf):
        try:
            return _encode_any(self, buf)
        except UnicodeEncodeError:  # a str item
            pass
        except (InvalidInputError, TypeError) as err:  # a `U` array element
            if "not a Unicode scalar value" not in str(err):
                raise
        return self._stdlib_encode(buf)

    def decode(self, buf, out=None):
        if isinstance(buf, str):
            buf = buf.encode(self._text_encoding)
        try:
            dec = decode_any(self, buf)
        except DecodeError as err:
            if "lone surrogate" not in str(err):
                raise
            dec = self._stdlib_decode(buf)
        if out is not None:
            np.copyto(out, dec)
            return out
        return dec

    def _stdlib_encode(self, buf) -> bytes:
        """numcodecs' JSON.encode (``json.JSONEncoder`` with this codec's options)."""
        try:
            arr = np.asarray(buf)
        except ValueError:
            arr = np.asarray(buf, dtype=object)
        items = np.atleast_1d(arr).tolist()
        items.append(arr.dtype.str)
        items.append(arr.shape)
        return json.JSONEncoder(**self._encoder_config).encode(items).encode(self._text_encoding)

    def _stdlib_decode(self, buf) -> np.ndarray:
        """numcodecs' JSON.decode (``json.JSONDecoder`` with this codec's options)."""
        items = json.JSONDecoder(**self._decoder_config).decode(ensure_text(buf, self._text_encoding))
        dec = np.empty(items[-1], dtype=items[-2])
        if not items[-1]:
            dec[...] = items[0]
        else:
            dec[:] = items[:-2]
        return dec


class MsgPack(NativeCodec):
    """An array as MessagePack ``[items..., dtype.str, shape]``, byte-identical to numcodecs' ``msgpack2``."""

    codec_id = "msgpack2"
    _config_keys = ("raw", "use_single_float", "use_bin_type")

    def __init__(self, use_single_float=False, use_bin_type=True, raw=False):
        self.use_single_float = use_single_float
        self.use_bin_type = use_bin_type
        self.raw = raw

    def __repr__(self):
        return (
            f"MsgPack(raw={self.raw!r}, use_bin_type={self.use_bin_type!r}, "
            f"use_single_float={self.use_single_float!r})"
        )

    def encode(self, buf):
        return _encode_any(self, buf)

    def decode(self, buf, out=None):
        dec = decode_any(self, buf)
        if out is not None:
            np.copyto(out, dec)
            return out
        return dec


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


for _cls in (Base64, JSON, MsgPack, VLenUTF8, VLenBytes, VLenArray):
    register_codec(_cls)
