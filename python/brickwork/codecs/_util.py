"""Helpers the filter, checksum, text and array codec classes share: numcodecs' ``ensure_ndarray`` and
``ndarray_copy``, typed encode/decode through the Rust codec, and object arrays across the bridge."""
from __future__ import annotations

import array
import math
from typing import Any

import numpy as np

from .. import _native
from ..errors import InvalidInputError, ObjectTypeError
from ._base import MAX_DECODED_BYTES, NativeCodec, ensure_contiguous_ndarray

# Messages of the Rust object codecs' InvalidInput errors that numcodecs (or Python's json/msgpack)
# raises as TypeError: an object or dtype of the wrong type, not a wrong value.
_TYPE_ERROR_MARKERS = (
    "not JSON serializable",
    "expected str",
    "expected bytes",
    "expected unicode string",
    "expected array items",
    "not a list of numbers",
    "keys must be",
    "items are not serialisable",
)


def as_type_error(err: InvalidInputError) -> Exception:
    """``err`` as ``ObjectTypeError`` (also a TypeError) when it is about an item's type, else ``err``."""
    message = str(err)
    if any(marker in message for marker in _TYPE_ERROR_MARKERS):
        return ObjectTypeError(message)
    return err


def ensure_ndarray(buf: Any) -> np.ndarray:
    """numcodecs' ``ensure_ndarray``: a zero-copy ndarray view of ``buf`` (no layout or dtype checks)."""
    if isinstance(buf, np.ndarray):
        return buf
    if isinstance(buf, array.array) and buf.typecode in "uc":
        raise TypeError("array.array with char or unicode type is not supported")
    return np.asarray(memoryview(buf))  # TypeError for str, int, list: they have no buffer


def order_of(arr: np.ndarray) -> str:
    """"F" for an F-contiguous array that is not also C-contiguous, else "C"."""
    return "F" if arr.flags.f_contiguous and not arr.flags.c_contiguous else "C"


def contiguous(arr: np.ndarray) -> np.ndarray:
    """``arr`` if its memory is contiguous (C or F), else a C-ordered copy (numcodecs' ``reshape(-1,
    order='A')`` of a strided array reads logical C order)."""
    if arr.flags.c_contiguous or arr.flags.f_contiguous:
        return arr
    return np.ascontiguousarray(arr)


def memory(arr: np.ndarray) -> np.ndarray:
    """A flat uint8 view of a contiguous array's memory (no copy)."""
    return arr.reshape(-1, order="A").view(np.uint8)


def encode_array(codec, arr: np.ndarray, dtype: np.dtype | None = None) -> np.ndarray:
    """Encodes ``arr`` (read as ``dtype``, default its own) with the Rust codec of ``codec``; returns the
    encoded bytes as a writable flat uint8 array owned by the result."""
    arr = contiguous(arr)
    dtype = arr.dtype if dtype is None else np.dtype(dtype)
    return _native.encode_array(codec._codec, memory(arr), dtype.str, list(arr.shape), order_of(arr))


def decode_array(codec, buf: Any, max_decoded_bytes: int | None = None):
    """Decodes ``buf`` (its bytes in memory order) with the Rust codec; returns ``(flat uint8 array,
    dtype str, shape, order)``."""
    data = memory(contiguous(ensure_ndarray(buf)))
    limit = MAX_DECODED_BYTES if max_decoded_bytes is None else int(max_decoded_bytes)
    return codec._codec.decode(data, limit, False)


def decode_new(codec, enc: np.ndarray, shape: tuple, dtype, order: str = "C") -> np.ndarray:
    """Decodes ``enc`` with the Rust codec's ``decode_into`` straight into a new, uninitialised array of
    the result's (known) shape, dtype and order: the decoded bytes are written once, into NumPy's memory,
    with no intermediate buffer or copy. The size is checked against ``MAX_DECODED_BYTES`` first (over
    it, the Rust ``decode`` raises its LimitError)."""
    data = memory(contiguous(enc))
    result = np.empty(shape, dtype=dtype, order=order)
    if result.nbytes > MAX_DECODED_BYTES:
        raw, dtype, shape, order = codec._codec.decode(data, MAX_DECODED_BYTES, False)
        return shaped(raw, dtype, shape, order)
    codec._codec.decode_into(data, memory(result))
    return result


def decode_into_out(codec, enc: np.ndarray, shape: tuple, dtype, out) -> bool:
    """numcodecs' ``ndarray_copy(decode(enc), out)`` in one pass, when it can be: ``out`` is a writable
    contiguous (C or F) non-object array of exactly the decoded byte count, within ``MAX_DECODED_BYTES``.
    Then the Rust codec's ``decode_into`` writes the decoded bytes straight into ``out``'s memory, which
    leaves them where numcodecs' copy puts them (it views the flat result as ``out``'s dtype and reshapes
    it in ``out``'s order). Returns False, having written nothing, when the caller must decode and copy."""
    dtype = np.dtype(dtype)
    if dtype.hasobject:
        return False
    dst = ensure_ndarray(out)
    nbytes = dtype.itemsize * math.prod(shape)
    if (
        dst.dtype.hasobject
        or dst.nbytes != nbytes
        or nbytes > MAX_DECODED_BYTES
        or not dst.flags.writeable
        or not (dst.flags.c_contiguous or dst.flags.f_contiguous)
    ):
        return False
    codec._codec.decode_into(memory(contiguous(enc)), memory(dst))
    return True


def decode_as(codec, enc: np.ndarray, dtype, out):
    """Decodes ``enc`` (contiguous) into an array of ``dtype`` with ``enc``'s shape and memory order: a new
    one, or ``out`` (written in place when it can be, else through numcodecs' ``ndarray_copy``)."""
    order = order_of(enc)
    if out is None:
        return decode_new(codec, enc, enc.shape, dtype, order)
    if decode_into_out(codec, enc, enc.shape, dtype, out):
        return out
    raw, decoded, _shape, _order = decode_array(codec, enc)
    return ndarray_copy(shaped(raw, decoded, enc.shape, order), out)


def ensure_text(buf, encoding: str = "utf-8") -> str:
    """numcodecs' ``ensure_text``: ``str`` unchanged, bytes-like decoded."""
    if isinstance(buf, str):
        return buf
    return str(ensure_contiguous_ndarray(buf).reshape(-1, order="A").view(np.uint8).tobytes(), encoding)


def shaped(raw: np.ndarray, dtype, shape, order: str = "C") -> np.ndarray:
    """``raw`` (flat uint8) viewed as ``dtype`` and reshaped (no copy)."""
    return raw.view(np.dtype(dtype)).reshape(shape, order=order)


def ndarray_copy(src: np.ndarray, dst):
    """numcodecs' ``ndarray_copy``: ``src`` when ``dst`` is None, else ``src``'s bytes copied into ``dst``
    (same byte count, re-viewed as ``dst``'s dtype and shape); returns ``dst``."""
    if dst is None:
        return src
    dst_arr = ensure_ndarray(dst)
    src = src.reshape(-1, order="A")
    if dst_arr.dtype != object:
        src = src.view(dst_arr.dtype)
    src_order = "F" if dst_arr.flags.f_contiguous and not dst_arr.flags.c_contiguous else "C"
    src = src.reshape(dst_arr.shape, order=src_order)
    np.copyto(dst_arr, src)
    return dst


def object_elements(arr: np.ndarray) -> tuple[np.ndarray, list, str]:
    """An object array's elements in memory order (as numcodecs' vlen codecs read them; a flat view,
    no copy), its shape and order."""
    arr = contiguous(arr)
    order = order_of(arr)
    return arr.reshape(-1, order="A"), list(arr.shape), order


def encode_objects(codec, arr: np.ndarray, bytearray: bool = False):
    """Encodes an object array with the Rust codec's ``ObjectCodec``; returns ``bytes`` (or a
    ``bytearray``)."""
    elements, shape, order = object_elements(arr)
    return encode_elements(codec, elements, shape, order, bytearray)


def encode_elements(codec, elements, shape: list, order: str, bytearray: bool = False):
    """Encodes object-array elements (memory order: a list or a flat object ndarray) with the Rust
    codec's ``encode_objects``; returns ``bytes`` (or a ``bytearray``)."""
    try:
        return _native.encode_objects(codec._codec, elements, shape, order, bytearray)
    except InvalidInputError as err:
        raise as_type_error(err) from None


def decode_any(codec, buf: Any, max_decoded_bytes: int | None = None) -> np.ndarray:
    """Decodes with the Rust codec's ``ObjectCodec::decode_any``: a typed array (stored dtype and shape)
    or an object array (stored shape)."""
    data = memory(contiguous(ensure_ndarray(buf)))
    limit = MAX_DECODED_BYTES if max_decoded_bytes is None else int(max_decoded_bytes)
    is_objects, raw, dtype, shape, order = _native.decode_objects(codec._codec, data, limit)
    if is_objects:
        return raw.reshape(shape, order=order)
    return shaped(raw, dtype, shape, order)


def flat(arr: np.ndarray) -> np.ndarray:
    """numcodecs' ``arr.reshape(-1, order='A')``."""
    return arr.reshape(-1, order="A")


class FlatTyped(NativeCodec):
    """A filter from ``dtype`` to ``astype`` over the flattened array (numcodecs' delta and
    fixedscaleoffset): encode views the input as ``dtype``, decode views it as ``astype``."""

    def encode(self, buf):
        arr = flat(ensure_ndarray(buf).view(self.dtype))
        return encode_array(self, arr).view(self.astype)

    def decode(self, buf, out=None):
        return decode_as(self, flat(ensure_ndarray(buf).view(self.astype)), self.dtype, out)


def encode_any(codec, buf) -> bytes:
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


def native_checksum(codec_id: str, data, value: int) -> int:
    """numcodecs' incremental ``checksum(data, value)``: computed in Rust over ``data``'s bytes (any
    contiguous buffer); ``value`` is the checksum of the data before (or lookup3's seed), taken modulo
    2**32 as ``zlib.crc32`` takes it."""
    return _native.checksum(codec_id, memory(ensure_contiguous_ndarray(data)), int(value) & 0xFFFFFFFF)


def checksum_payload(codec, buf) -> np.ndarray:
    """The verified payload of ``buf`` as numcodecs returns it: a flat uint8 *view* of the input's memory
    (the checksum runs in Rust, nothing is copied)."""
    data = memory(ensure_contiguous_ndarray(buf))
    span = codec._codec.decoded_range(data)
    if span is None:  # not a view-decoding codec: a decoded copy
        raw, _dtype, _shape, _order = decode_array(codec, data)
        return raw
    return data[span[0] : span[1]]


class TrailingChecksum(NativeCodec):
    """Payload then a 4-byte checksum; encode returns bytes, decode a memoryview (or ``out``)."""

    def encode(self, buf):
        return self._codec_encode(ensure_contiguous_ndarray(buf))

    def _codec_encode(self, arr: np.ndarray) -> bytes:
        return bytes(encode_array(self, arr))

    def decode(self, buf, out=None):
        raw = checksum_payload(self, buf)
        if out is None:
            return memoryview(raw)
        return self._into(raw, out)
