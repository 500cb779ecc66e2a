"""numcodecs' filters: Shuffle, Delta, FixedScaleOffset, Quantize, BitRound, PackBits, AsType, Categorize.

Constructors, attributes (dtypes as ``np.dtype``), ``get_config`` keys and reprs are numcodecs'; the
arithmetic runs in Rust (``brickwork-codecs/src/filter``). NumPy does only what numcodecs leaves to NumPy
before the arithmetic (``.view(dtype)`` of the input, which also gives numcodecs' errors for byte counts
that are not a whole number of items) and the shaping of results: Delta, FixedScaleOffset, PackBits and
Categorize return 1-D arrays, Quantize, AsType and BitRound keep the input's shape and memory layout,
Shuffle returns a flat ``uint8`` array.

Documented differences from numcodecs: ``Delta`` encodes an empty array to an empty array (numcodecs
raises IndexError); ``PackBits.decode(b'')`` raises ``brickwork.errors.DecodeError`` (a ValueError;
numcodecs: IndexError); ``BitRound`` also rounds big-endian floats (numcodecs: KeyError); a Shuffle ``out``
smaller than the data is refused (numcodecs writes past its end).
"""
from __future__ import annotations

import numpy as np

from ._base import NativeCodec, ensure_contiguous_ndarray, register_codec
from ._util import (
    contiguous,
    decode_any,
    decode_array,
    decode_into_out,
    decode_new,
    encode_array,
    encode_objects,
    ensure_ndarray,
    ensure_text,
    ndarray_copy,
    order_of,
    shaped,
)


def _flat(arr: np.ndarray) -> np.ndarray:
    """numcodecs' ``arr.reshape(-1, order='A')``."""
    return arr.reshape(-1, order="A")


class Shuffle(NativeCodec):
    """Byte shuffle of the whole buffer (a byte-matrix transpose), ``elementsize`` bytes per element."""

    codec_id = "shuffle"
    _config_keys = ("elementsize",)

    def __init__(self, elementsize=4):
        self.elementsize = elementsize

    def __repr__(self):
        return f"{type(self).__name__}(elementsize={self.elementsize})"

    def _into(self, result: np.ndarray, out):
        if out is None:
            return result
        target = ensure_contiguous_ndarray(out).reshape(-1, order="A")
        flat = target.view(np.uint8)
        if flat.nbytes < result.nbytes:
            raise ValueError(f"out has {flat.nbytes} bytes, the shuffled data needs {result.nbytes}")
        flat[: result.nbytes] = result
        return target

    def encode(self, buf, out=None):
        arr = ensure_contiguous_ndarray(buf)
        return self._into(encode_array(self, arr), out)

    def decode(self, buf, out=None):
        arr = ensure_contiguous_ndarray(buf)
        if out is None:  # numcodecs: a new flat uint8 array of the input's size
            return decode_new(self, arr, (arr.nbytes,), np.uint8)
        raw, _dtype, _shape, _order = decode_array(self, arr)
        return self._into(raw, out)


class _FlatTyped(NativeCodec):
    """A filter from ``dtype`` to ``astype`` over the flattened array (numcodecs' delta and
    fixedscaleoffset): encode views the input as ``dtype``, decode views it as ``astype``."""

    def encode(self, buf):
        arr = _flat(ensure_ndarray(buf).view(self.dtype))
        return encode_array(self, arr).view(self.astype)

    def decode(self, buf, out=None):
        enc = _flat(ensure_ndarray(buf).view(self.astype))
        if out is None:
            return decode_new(self, enc, enc.shape, self.dtype)
        if decode_into_out(self, enc, enc.shape, self.dtype, out):
            return out
        raw, dtype, shape, _order = decode_array(self, enc)
        return ndarray_copy(shaped(raw, dtype, shape), out)


class Delta(_FlatTyped):
    """First element, then differences of consecutive elements, computed in ``dtype``, stored as
    ``astype`` (default ``dtype``)."""

    codec_id = "delta"
    _config_keys = ("dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, dtype, astype=None):
        self.dtype = np.dtype(dtype)
        self.astype = self.dtype if astype is None else np.dtype(astype)
        if self.dtype == np.dtype(object) or self.astype == np.dtype(object):
            raise ValueError("object arrays are not supported")

    def get_config(self):
        return {"id": self.codec_id, "dtype": self.dtype.str, "astype": self.astype.str}

    def __repr__(self):
        r = f"{type(self).__name__}(dtype={self.dtype.str!r}"
        if self.astype != self.dtype:
            r += f", astype={self.astype.str!r}"
        return r + ")"


class FixedScaleOffset(_FlatTyped):
    """``round((x - offset) * scale)`` stored as ``astype`` (default ``dtype``); decode ``x / scale +
    offset``."""

    codec_id = "fixedscaleoffset"
    _config_keys = ("scale", "offset", "dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, offset, scale, dtype, astype=None):
        self.offset = offset
        self.scale = scale
        self.dtype = np.dtype(dtype)
        self.astype = self.dtype if astype is None else np.dtype(astype)
        if self.dtype == np.dtype(object) or self.astype == np.dtype(object):
            raise ValueError("object arrays are not supported")

    def get_config(self):
        return {
            "id": self.codec_id,
            "scale": self.scale,
            "offset": self.offset,
            "dtype": self.dtype.str,
            "astype": self.astype.str,
        }

    def __repr__(self):
        r = f"{type(self).__name__}(scale={self.scale}, offset={self.offset}, dtype={self.dtype.str!r}"
        if self.astype != self.dtype:
            r += f", astype={self.astype.str!r}"
        return r + ")"


class Quantize(NativeCodec):
    """Rounds floats to ``digits`` decimal digits on a power-of-two grid; keeps shape and layout."""

    codec_id = "quantize"
    _config_keys = ("digits", "dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, digits, dtype, astype=None):
        self.digits = digits
        self.dtype = np.dtype(dtype)
        self.astype = self.dtype if astype is None else np.dtype(astype)
        if self.dtype.kind != "f" or self.astype.kind != "f":
            raise ValueError("only floating point data types are supported")

    def get_config(self):
        return {"id": self.codec_id, "digits": self.digits, "dtype": self.dtype.str, "astype": self.astype.str}

    def __repr__(self):
        r = f"{type(self).__name__}(digits={self.digits}, dtype={self.dtype.str!r}"
        if self.astype != self.dtype:
            r += f", astype={self.astype.str!r}"
        return r + ")"

    def encode(self, buf):
        arr = contiguous(ensure_ndarray(buf).view(self.dtype))
        enc = shaped(encode_array(self, arr), self.astype, arr.shape, order_of(arr))
        return enc[()] if arr.ndim == 0 else enc  # NumPy arithmetic on a 0-d array gives a scalar

    def decode(self, buf, out=None):
        if self.astype == self.dtype:
            # numcodecs: ``.astype(dtype, copy=False)`` of the same dtype is the input itself (a no-op).
            return ndarray_copy(ensure_ndarray(buf).view(self.astype), out)
        enc = contiguous(ensure_ndarray(buf).view(self.astype))
        if out is None:
            return decode_new(self, enc, enc.shape, self.dtype, order_of(enc))
        if decode_into_out(self, enc, enc.shape, self.dtype, out):
            return out
        raw, dtype, _shape, _order = decode_array(self, enc)
        return ndarray_copy(shaped(raw, dtype, enc.shape, order_of(enc)), out)


_MANTISSA_BITS = {2: 10, 4: 23, 8: 52}


class BitRound(NativeCodec):
    """Rounds float mantissas to ``keepbits`` bits (ties to even); returns the integer view."""

    codec_id = "bitround"
    _config_keys = ("keepbits",)
    _decode_returns_bytes = False

    def __init__(self, keepbits: int):
        if keepbits < 0:
            raise ValueError("keepbits must be zero or positive")
        self.keepbits = keepbits

    def encode(self, buf):
        a = ensure_ndarray(buf)
        if not a.dtype.kind == "f" or a.dtype.itemsize > 8:
            raise TypeError("Only float arrays (16-64bit) can be bit-rounded")
        if self.keepbits == _MANTISSA_BITS[a.dtype.itemsize]:
            return a
        if not a.flags.c_contiguous:
            a = a.copy()  # numcodecs rounds a C-ordered copy
        int_dtype = np.dtype(a.dtype.str.replace("f", "i"))
        return shaped(encode_array(self, a), int_dtype, a.shape)

    def decode(self, buf, out=None):
        # numcodecs re-views the integers as the float type of the same width; the bytes do not change.
        buf = ensure_ndarray(buf)
        data = buf.view(np.dtype(buf.dtype.str.replace("i", "f")))
        return ndarray_copy(data, out)


class PackBits(NativeCodec):
    """Bools packed eight to a byte (MSB first) after a byte counting the pad bits."""

    codec_id = "packbits"
    _decode_returns_bytes = False

    def __init__(self):
        pass

    def __repr__(self):
        return "PackBits()"

    def encode(self, buf):
        arr = _flat(ensure_ndarray(buf).view(bool))
        return encode_array(self, arr)

    def decode(self, buf, out=None):
        enc = _flat(ensure_ndarray(buf).view("u1"))
        if enc.size:
            # Element count: 8 per packed byte, minus the pad count in the first byte.
            shape = (max(0, (enc.size - 1) * 8 - int(enc[0])),)
            if out is None:
                return decode_new(self, enc, shape, bool)
            if decode_into_out(self, enc, shape, bool, out):
                return out
        raw, dtype, shape, _order = decode_array(self, enc)
        return ndarray_copy(shaped(raw, dtype, shape), out)


class AsType(NativeCodec):
    """A dtype conversion: encode casts ``decode_dtype`` data to ``encode_dtype``; keeps shape and layout."""

    codec_id = "astype"
    _config_keys = ("encode_dtype", "decode_dtype")
    _decode_returns_bytes = False

    def __init__(self, encode_dtype, decode_dtype):
        self.encode_dtype = np.dtype(encode_dtype)
        self.decode_dtype = np.dtype(decode_dtype)

    def get_config(self):
        return {
            "id": self.codec_id,
            "encode_dtype": self.encode_dtype.str,
            "decode_dtype": self.decode_dtype.str,
        }

    def __repr__(self):
        return (
            f"{type(self).__name__}(encode_dtype={self.encode_dtype.str!r}, "
            f"decode_dtype={self.decode_dtype.str!r})"
        )

    def encode(self, buf):
        arr = contiguous(ensure_ndarray(buf).view(self.decode_dtype))
        return shaped(encode_array(self, arr), self.encode_dtype, arr.shape, order_of(arr))

    def decode(self, buf, out=None):
        enc = contiguous(ensure_ndarray(buf).view(self.encode_dtype))
        if out is None:
            return decode_new(self, enc, enc.shape, self.decode_dtype, order_of(enc))
        if decode_into_out(self, enc, enc.shape, self.decode_dtype, out):
            return out
        raw, dtype, _shape, _order = decode_array(self, enc)
        return ndarray_copy(shaped(raw, dtype, enc.shape, order_of(enc)), out)


class Categorize(NativeCodec):
    """Strings (``U`` or object arrays) replaced by the 1-based index of their label, stored as
    ``astype``."""

    codec_id = "categorize"
    _config_keys = ("labels", "dtype", "astype")
    _decode_returns_bytes = False

    def __init__(self, labels, dtype, astype="u1"):
        self.dtype = np.dtype(dtype)
        if self.dtype.kind not in "UO":
            raise TypeError("only unicode ('U') and object ('O') dtypes are supported")
        self.labels = [ensure_text(label) for label in labels]
        self.astype = np.dtype(astype)
        if self.astype == np.dtype(object):
            raise TypeError("encoding as object array not supported")

    def get_config(self):
        return {"id": self.codec_id, "labels": self.labels, "dtype": self.dtype.str, "astype": self.astype.str}

    def __repr__(self):
        labels = repr(self.labels[:3])
        if len(self.labels) > 3:
            labels = labels[:-1] + ", ...]"
        return f"{type(self).__name__}(dtype={self.dtype.str!r}, astype={self.astype.str!r}, labels={labels})"

    def encode(self, buf):
        if self.dtype == np.dtype(object):
            encoded = encode_objects(self, np.asarray(buf, dtype=object))
            return np.frombuffer(encoded, dtype=self.astype).copy()
        arr = _flat(ensure_ndarray(buf).view(self.dtype))
        return encode_array(self, arr).view(self.astype)

    def decode(self, buf, out=None):
        enc = _flat(ensure_ndarray(buf).view(self.astype))
        if self.dtype == np.dtype(object):
            dec = decode_any(self, enc)
        elif out is not None and decode_into_out(self, enc, enc.shape, self.dtype, out):
            return out
        else:
            raw, dtype, shape, _order = decode_array(self, enc)
            dec = shaped(raw, dtype, shape)
        return ndarray_copy(dec, out)


for _cls in (Shuffle, Delta, FixedScaleOffset, Quantize, BitRound, PackBits, AsType, Categorize):
    register_codec(_cls)
