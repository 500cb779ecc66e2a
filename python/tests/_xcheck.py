"""Shared helpers for the live cross-checks against the real numcodecs (not a test module)."""
from __future__ import annotations

import numpy as np


def raw(obj) -> bytes:
    """The bytes of an encode/decode result in memory order (bytes, bytearray, memoryview or ndarray)."""
    if isinstance(obj, np.ndarray):
        return obj.tobytes(order="A")
    return bytes(memoryview(obj).cast("B")) if isinstance(obj, memoryview) else bytes(obj)


def kind(obj) -> str:
    """The result type as numcodecs users see it: ndarray, bytes, bytearray or memoryview."""
    if isinstance(obj, np.ndarray):
        return "ndarray"
    if isinstance(obj, memoryview):
        return "memoryview"
    return type(obj).__name__


def same_result(got, want) -> None:
    """Equal type, dtype, shape and bytes (NaN payloads included)."""
    assert kind(got) == kind(want), (kind(got), kind(want))
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert got.shape == want.shape, (got.shape, want.shape)
        if want.dtype == object:
            assert got.tolist() == want.tolist() or _objects_equal(got, want)
            return
        assert got.tobytes(order="C") == want.tobytes(order="C")
    else:
        assert raw(got) == raw(want)


def _objects_equal(a: np.ndarray, b: np.ndarray) -> bool:
    for x, y in zip(a.reshape(-1), b.reshape(-1)):
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
                return False
            if x.dtype != y.dtype or x.tobytes() != y.tobytes():
                return False
        elif x != y:
            return False
    return True


def cross_check(bw_codec, nc_codec, x, lossless: bool = True) -> None:
    """Identical encoded bytes and result types; each library decodes the other's output identically."""
    enc_nc = nc_codec.encode(x)
    enc_bw = bw_codec.encode(x)
    same_result(enc_bw, enc_nc)
    dec_nc = nc_codec.decode(enc_nc)
    same_result(bw_codec.decode(enc_nc), dec_nc)
    same_result(nc_codec.decode(enc_bw), dec_nc)
    same_result(bw_codec.decode(enc_bw), dec_nc)


def special_values(dtype: np.dtype, rng: np.random.Generator, n: int) -> np.ndarray:
    """Random values of ``dtype`` mixed with its extremes (NaN, ±inf, -0.0 for floats)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, n).astype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        vals = rng.integers(info.min, info.max, n, dtype=dtype.newbyteorder("="), endpoint=True)
        extremes = np.array([info.min, info.max, 0, 1], dtype=dtype.newbyteorder("="))
    else:
        vals = (rng.standard_normal(n) * 100).astype(dtype.newbyteorder("="))
        extremes = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, np.finfo(dtype).max], dtype=dtype.newbyteorder("="))
    k = min(len(extremes), n)
    vals[:k] = extremes[:k]
    rng.shuffle(vals)
    return vals.astype(dtype)


def shapes_and_orders(values: np.ndarray):
    """The same values as 1-D, 2-D C and 2-D F arrays (when the count allows), plus one- and zero-element."""
    yield "1d", values
    n = values.size
    if n % 4 == 0 and n:
        c = values.reshape(4, n // 4)
        yield "2d C", c
        yield "2d F", np.asfortranarray(c)
    yield "one", values[:1].copy()
