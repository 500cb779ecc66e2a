"""numcodecs' ``JSON`` (``json2``): an array as JSON text of its items, dtype and shape, written and
parsed in Rust (Python's ``json`` formatting, floats included). Only JSON-representable objects are
supported (``None``, ``bool``, ``int``, ``float``, ``str``, lists, tuples, dicts); others raise
TypeError, as Python's ``json`` does."""
from __future__ import annotations

import json
import textwrap

import numpy as np

from ..errors import DecodeError, InvalidInputError
from ._base import NativeCodec, register_codec
from ._util import decode_any, encode_any, ensure_text

__all__ = ["JSON"]


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
            return encode_any(self, buf)
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


register_codec(JSON)
