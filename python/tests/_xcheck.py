"""Shared helpers for the live cross-checks against the real numcodecs (not a test module)."""
from __future__ import annotations

import numpy as np


def raw(obj) -> bytes:
    """The bytes of an encode/decode result in memory order (bytes, bytearray, memoryview or ndarray)."""
    if isinstance(obj, np.ndarray):
        return obj.tobytes(order="A")
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj)
    return bytes(memoryview(obj).cast("B"))


def kind(obj) -> str:
    """The result type as numcodecs users see it: ndarray, bytes, bytearray or memoryview."""
    if isinstance(obj, np.ndarray):
        return "ndarray"
    if isinstance(obj, memoryview) or "memoryview" in type(obj).__name__.lower():
        return "memoryview"  # numcodecs' Cython codecs return a memoryview slice
    return type(obj).__name__


def same_result(got, want, nan_sign: bool = True) -> None:
    """Equal type, dtype, shape and bytes (NaN payloads included unless ``nan_sign`` is False: then NaNs
    only need to be NaNs)."""
    assert kind(got) == kind(want), (kind(got), kind(want))
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert got.shape == want.shape, (got.shape, want.shape)
        if want.dtype == object:
            assert _objects_equal(got, want)
            return
        if not nan_sign and want.dtype.kind == "f":
            nan = np.isnan(want)
            assert np.array_equal(np.isnan(got), nan)
            got, want = np.where(nan, 0, got).astype(got.dtype), np.where(nan, 0, want).astype(want.dtype)
        assert got.tobytes(order="C") == want.tobytes(order="C")
    else:
        assert raw(got) == raw(want)


def _objects_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Element-wise equality of object arrays: same types; arrays by dtype and bytes; NaN equals NaN."""
    for x, y in zip(a.reshape(-1), b.reshape(-1)):
        if type(x) is not type(y):
            return False
        if isinstance(x, np.ndarray):
            if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
                return False
        elif isinstance(x, float) and x != x:
            if y == y:
                return False
        elif x != y:
            return False
    return True


def cross_check(bw_codec, nc_codec, x, decoded_nan_sign: bool = True) -> None:
    """Identical encoded bytes and result types; each library decodes the other's output identically
    (with ``decoded_nan_sign=False`` the sign of decoded NaNs may differ)."""
    enc_nc = nc_codec.encode(x)
    enc_bw = bw_codec.encode(x)
    same_result(enc_bw, enc_nc)
    dec_nc = nc_codec.decode(enc_nc)
    same_result(bw_codec.decode(enc_nc), dec_nc, decoded_nan_sign)
    same_result(nc_codec.decode(enc_bw), dec_nc)
    same_result(bw_codec.decode(enc_bw), dec_nc, decoded_nan_sign)


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
