"""The machinery every brickwork codec class shares: numcodecs' Codec base, buffer normalisation as
numcodecs' ``ensure_contiguous_ndarray`` does it, the bridge to the Rust codec, and the registry."""
from __future__ import annotations

import array
import functools
import json
import os
from typing import Any

import numpy as np

from .. import _native
from ..errors import DTypeError, InvalidConfigError, UnknownCodecError

try:  # Subclass numcodecs' ABC when it is installed, so zarr and numcodecs accept our codecs.
    from numcodecs.abc import Codec as _CodecBase
except ImportError:  # pragma: no cover - exercised in environments without numcodecs
    from abc import ABC

    class _CodecBase(ABC):  # type: ignore[no-redef]
        """numcodecs' Codec API: codec_id, encode, decode(buf, out=None), get_config, from_config."""

        codec_id: str | None = None

        def get_config(self) -> dict:
            config = {"id": self.codec_id}
            config.update((k, v) for k, v in self.__dict__.items() if not k.startswith("_"))
            return config

        @classmethod
        def from_config(cls, config: dict):
            return cls(**config)

        def __eq__(self, other) -> bool:
            try:
                return self.get_config() == other.get_config()
            except AttributeError:
                return False

        __hash__ = None  # type: ignore[assignment]

        def __repr__(self) -> str:
            params = ", ".join(f"{k}={v!r}" for k, v in sorted(self.__dict__.items()) if not k.startswith("_"))
            return f"{type(self).__name__}({params})"


def _max_decoded_bytes_from_env() -> int:
    text = os.environ.get("BRICKWORK_MAX_DECODED_BYTES")
    if not text:
        return _native.default_max_decoded_bytes()
    try:
        value = int(text)
    except ValueError:
        raise InvalidConfigError(f"BRICKWORK_MAX_DECODED_BYTES={text!r} is not a whole number of bytes") from None
    if value < 0:
        raise InvalidConfigError(f"BRICKWORK_MAX_DECODED_BYTES={text!r} must not be negative")
    return value


#: The default cap on bytes a ``decode`` without ``out`` may produce (env BRICKWORK_MAX_DECODED_BYTES).
MAX_DECODED_BYTES: int = _max_decoded_bytes_from_env()


def ensure_contiguous_ndarray(buf: Any) -> np.ndarray:
    """numcodecs' ``ensure_contiguous_ndarray`` without flattening: an ndarray view of ``buf``'s memory."""
    if isinstance(buf, np.ndarray):
        arr = buf
    else:
        if isinstance(buf, array.array) and buf.typecode in "uc":
            raise TypeError("array.array with char or unicode type is not supported")
        arr = np.asarray(memoryview(buf))  # TypeError for str, int, list: they have no buffer
    if arr.dtype == object:
        raise TypeError("object arrays are not supported")
    if arr.dtype.kind in "Mm":
        arr = arr.view(arr.dtype.str[0] + "i8")
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        raise ValueError("an array with contiguous memory is required")
    return arr


def _order(arr: np.ndarray) -> str:
    return "F" if arr.flags.f_contiguous and not arr.flags.c_contiguous else "C"


def _memory(arr: np.ndarray) -> np.ndarray:
    """A flat uint8 view of a contiguous array's memory (no copy)."""
    return arr.reshape(-1, order="A").view(np.uint8)


@functools.lru_cache(maxsize=256)
def _native_dtype(dtype: np.dtype) -> str:
    """The dtype string handed to Rust: ``dtype.str`` when brickwork's parser knows it, else ``|V<itemsize>``.

    numcodecs' byte codecs accept any dtype (float128, structured records, ...) and only read its memory;
    an opaque void dtype of the same item size keeps exactly that meaning (and Blosc's typesize).
    """
    try:
        return _native.dtype_str(dtype.str)
    except DTypeError:
        return f"|V{dtype.itemsize}"


def _config_json(config: dict) -> str:
    def default(value):
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, (bytes, bytearray, memoryview, np.ndarray)):
            return list(bytes(value))
        raise TypeError(f"config value {value!r} of type {type(value).__name__} is not JSON-serialisable")

    return json.dumps(config, default=default, allow_nan=True)


class NativeCodec(_CodecBase):
    """Base of brickwork's codec classes: encode/decode run in Rust with the GIL released.

    Subclasses set ``codec_id`` and ``_config_keys`` (the public attributes ``get_config`` emits, in
    numcodecs' order) and store them in ``__init__``. Encoded/decoded results are shaped as numcodecs
    shapes them; subclasses that return arrays override ``_encoded``/``_decoded``.
    """

    codec_id: str | None = None
    _config_keys: tuple[str, ...] = ()
    #: True when numcodecs returns ``bytes`` from decode (byte compressors); else an ndarray.
    _decode_returns_bytes = True
    #: True for codecs that read only the input's bytes and item size and return ``bytes`` both ways
    #: (the compressors and Blosc): encode and decode then hand the input object to Rust as it is
    #: (``encode_buffer``/``decode_buffer``), skipping the NumPy views of the general path.
    _raw_bytes = False

    # -- configuration -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"id": self.codec_id}
        for key in self._config_keys:
            config[key] = getattr(self, key)
        return config

    def _native_config(self) -> dict:
        """The config the Rust codec is built from (get_config plus constructor-only keys)."""
        return self.get_config()

    @property
    def _codec(self) -> "_native.NativeCodec":
        native = self.__dict__.get("_native_codec")
        if native is None:
            native = _native.NativeCodec(_config_json(self._native_config()))
            object.__setattr__(self, "_native_codec", native)
        return native

    def __setattr__(self, name: str, value: Any) -> None:
        # numcodecs codecs are mutable (codec.level = 9): rebuild the Rust codec on next use.
        object.__setattr__(self, name, value)
        if not name.startswith("_"):
            self.__dict__.pop("_native_codec", None)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_native_codec", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- encode / decode -----------------------------------------------------------------------------
    def encode(self, buf):
        if self._raw_bytes:
            encoded = self._codec.encode_buffer(buf)
            if encoded is not None:
                return encoded
        arr = ensure_contiguous_ndarray(buf)
        encoded = self._codec.encode(_memory(arr), _native_dtype(arr.dtype), list(arr.shape), _order(arr))
        return self._encoded(encoded, arr)

    def decode(self, buf, out=None, *, max_decoded_bytes: int | None = None):
        if out is not None:
            if self._raw_bytes and self._codec.decode_buffer_into(buf, out) is not None:
                return out
            data = _memory(ensure_contiguous_ndarray(buf))
            flat = _memory(ensure_contiguous_ndarray(out))
            if not flat.flags.writeable:
                raise ValueError("out must be a writable buffer")
            self._codec.decode_into(data, flat)
            return out
        limit = MAX_DECODED_BYTES if max_decoded_bytes is None else int(max_decoded_bytes)
        if limit < 0:
            raise ValueError(f"max_decoded_bytes must not be negative, got {max_decoded_bytes!r}")
        if self._raw_bytes:
            decoded = self._codec.decode_buffer(buf, limit)
            if decoded is None:  # not a buffer Rust takes as it is: a flat uint8 view always is
                decoded = self._codec.decode_buffer(_memory(ensure_contiguous_ndarray(buf)), limit)
            return decoded
        data = _memory(ensure_contiguous_ndarray(buf))
        raw, dtype, shape, order = self._codec.decode(data, limit, self._decode_returns_bytes)
        return self._decoded(raw, dtype, shape, order)

    def _encoded(self, encoded: bytes, source: np.ndarray):
        return encoded

    def _decoded(self, raw, dtype: str, shape: list, order: str):
        if self._decode_returns_bytes:
            return raw
        return raw.view(np.dtype(dtype)).reshape(shape, order=order)


class BufferCapped:
    """numcodecs' ``max_buffer_size`` as its Blosc and LZ4 apply it (a mixin before NativeCodec): inputs
    of more bytes, to encode or to decode, are a ValueError. Settable on an instance; the other codecs
    have numcodecs' ``None`` and ignore it, as numcodecs' do."""

    max_buffer_size: int

    def _check_buffer_size(self, buf) -> None:
        limit = self.max_buffer_size
        if limit is not None:
            nbytes = buf.nbytes if isinstance(buf, np.ndarray) else memoryview(buf).nbytes
            if nbytes > limit:
                raise ValueError(f"Codec does not support buffers of > {limit} bytes")

    def encode(self, buf):
        self._check_buffer_size(buf)
        return super().encode(buf)

    def decode(self, buf, out=None, **kwargs):
        self._check_buffer_size(buf)
        return super().decode(buf, out, **kwargs)


class GenericCodec(NativeCodec):
    """Any codec id of the Rust registry that has no dedicated class, built from its config dict."""

    _decode_returns_bytes = False

    def __init__(self, **config):
        codec_id = config.pop("id", None)
        object.__setattr__(self, "codec_id", codec_id)
        object.__setattr__(self, "_config", config)
        native = _native.NativeCodec(_config_json({"id": codec_id, **config}))
        object.__setattr__(self, "_native_codec", native)

    def get_config(self) -> dict:
        return json.loads(self._codec.config_json())

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "id")
        return f"GenericCodec(id={self.codec_id!r}{', ' if params else ''}{params})"


#: codec id -> class, as numcodecs' ``codec_registry``.
codec_registry: dict[str, type] = {}


def register_codec(cls: type, codec_id: str | None = None) -> None:
    """Registers ``cls`` under ``codec_id or cls.codec_id``, replacing any earlier entry (as numcodecs)."""
    codec_registry[codec_id or cls.codec_id] = cls


def get_codec(config: dict):
    """numcodecs' ``get_codec``: builds the codec named by ``config['id']`` (the dict is not modified)."""
    config = dict(config)
    codec_id = config.pop("id", None)
    cls = codec_registry.get(codec_id)
    if cls is not None:
        return cls.from_config(config)
    if isinstance(codec_id, str) and codec_id in _native.codec_ids():
        return GenericCodec(id=codec_id, **config)
    unsupported = dict(_native.unsupported_codecs())
    if codec_id in unsupported:
        from ..errors import UnsupportedCodecError

        raise UnsupportedCodecError(f"codec {codec_id!r} is not supported by brickwork: {unsupported[codec_id]}", codec_id)
    raise UnknownCodecError(f"codec not available: '{codec_id!r}'", codec_id)
