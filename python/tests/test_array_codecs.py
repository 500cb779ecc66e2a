"""Live cross-checks of brickwork's pcodec and zfpy codecs against numcodecs 0.17.1 with pcodec 1.1.0 and
zfpy 1.0.1 (the spec pins these versions; with them the encoded bytes are identical), and of
``brickwork.codecs.Pipeline`` against numcodecs' filters + compressor applied one by one.
"""
from __future__ import annotations

import warnings

import numcodecs
import numpy as np
import pytest

import brickwork.codecs as bw
from brickwork import errors

from _xcheck import cross_check, raw, same_result, special_values

RNG = np.random.default_rng(3)


def _pair(config):
    nc = numcodecs.get_codec(config)
    b = bw.get_codec(config)
    assert type(b).__module__.startswith("brickwork.")
    assert type(b).__name__ == type(nc).__name__
    assert b.get_config() == nc.get_config()
    assert list(b.get_config()) == list(nc.get_config())
    assert repr(b) == repr(nc)
    return b, nc


# --- pcodec --------------------------------------------------------------------------------------------
PCODEC_CONFIGS = [
    {"id": "pcodec"},
    {"id": "pcodec", "level": 0},
    {"id": "pcodec", "level": 12, "mode_spec": "classic"},
    {"id": "pcodec", "delta_spec": "try_consecutive", "delta_encoding_order": 2},
    {"id": "pcodec", "delta_spec": "try_lookback"},
    {"id": "pcodec", "delta_spec": "no_op", "equal_pages_up_to": 1000},
    {"id": "pcodec", "delta_encoding_order": 1},  # pre-0.15 config: auto + order
]
PCODEC_DTYPES = ["<u2", "<u4", "<u8", "<i2", "<i4", "<i8", "<f2", "<f4", "<f8"]


@pytest.mark.parametrize("config", PCODEC_CONFIGS, ids=str)
def test_pcodec(config):
    b, nc = _pair(config)
    for dtype in PCODEC_DTYPES:
        smooth = np.cumsum(RNG.integers(-3, 4, 5000)).astype(dtype)
        for x in [special_values(np.dtype(dtype), RNG, 300), smooth, np.asfortranarray(smooth.reshape(50, 100)), smooth[:1]]:
            cross_check(b, nc, x)


def test_pcodec_edges():
    b, nc = bw.PCodec(), numcodecs.PCodec()
    enc = b.encode(np.zeros(0, "<f8"))
    assert enc == nc.encode(np.zeros(0, "<f8"))
    assert b.decode(enc) is None and nc.decode(enc) is None  # as pcodec's simple_decompress
    with pytest.raises(ValueError):
        b.encode(np.arange(10, dtype="u1"))  # 8-bit types are refused, as pco 1.x
    with pytest.raises(ValueError):
        bw.PCodec(mode_spec="bogus").encode(np.arange(10))
    with pytest.raises(ValueError):
        bw.PCodec(delta_spec="no_op", delta_encoding_order=2).encode(np.arange(10))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        b_none = bw.PCodec(delta_spec="none")
        nc_none = numcodecs.PCodec(delta_spec="none")
        assert b_none.encode(np.arange(100)) == nc_none.encode(np.arange(100))
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    with pytest.raises(TypeError):
        bw.PCodec(8, "classic")  # keyword-only, as numcodecs
    with pytest.raises(ValueError):
        b.decode(b"pco!\x03garbage")
    out = np.zeros(100, "<i8")
    assert b.decode(b.encode(np.arange(100)), out=out) is out and out.tolist() == list(range(100))


# --- zfpy ----------------------------------------------------------------------------------------------
ZFPY_CONFIGS = [
    {"id": "zfpy"},
    {"id": "zfpy", "mode": 4, "tolerance": 0.01},
    {"id": "zfpy", "mode": 2, "rate": 16},
    {"id": "zfpy", "mode": 3, "precision": 20},
]


@pytest.mark.parametrize("config", ZFPY_CONFIGS, ids=str)
@pytest.mark.parametrize("dtype", ["<i4", "<i8", "<f4", "<f8"])
def test_zfpy(config, dtype):
    b, nc = _pair(config)
    if dtype.startswith("<i") and config.get("tolerance", -1) > 0:
        pytest.skip("fixed accuracy with a tolerance is for floats")
    field = np.cumsum(np.cumsum(RNG.standard_normal((24, 20)), axis=0), axis=1) * 100
    arrays = [field.astype(dtype), field[:, 0].astype(dtype), field.reshape(4, 6, 20).astype(dtype)]
    arrays.append(field.reshape(2, 2, 6, 20).astype(dtype))
    arrays.append(field.astype(dtype)[:1, :1].copy())
    if dtype[1] == "f":
        special = special_values(np.dtype(dtype), RNG, 64)
        arrays.append(np.where(np.isfinite(special), special, 0).astype(dtype))
    for x in arrays:
        cross_check(b, nc, x)


def test_zfpy_errors():
    b = bw.ZFPY()
    with pytest.raises(TypeError):
        b.encode(b"abcd")
    with pytest.raises(ValueError):
        b.encode(np.asfortranarray(np.ones((3, 4))))
    with pytest.raises(ValueError):
        b.encode(np.ones(10)[::2])
    with pytest.raises(errors.InvalidInputError):
        b.encode(np.zeros(0))  # zfpy crashes the process; brickwork refuses
    with pytest.raises((TypeError, ValueError)):
        b.encode(np.ones(4, "<i2"))
    with pytest.raises(ValueError):
        b.decode(b"zfp\x05" + b"\xff" * 12)
    assert bw.ZFPY(mode=2, compression_kwargs={"ignored": 1}).get_config()["compression_kwargs"] == {"rate": -1}


# --- pipeline ------------------------------------------------------------------------------------------
PIPELINES = [
    ([{"id": "delta", "dtype": "<i4"}], {"id": "zlib", "level": 1}),
    ([{"id": "quantize", "digits": 2, "dtype": "<f8"}, {"id": "shuffle", "elementsize": 8}], {"id": "zstd", "level": 1}),
    ([{"id": "fixedscaleoffset", "offset": 10, "scale": 100, "dtype": "<f8", "astype": "<u2"}], {"id": "pcodec"}),
    (None, {"id": "crc32c"}),
    ([{"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<f8"}], None),
]


@pytest.mark.parametrize("filters,compressor", PIPELINES, ids=str)
def test_pipeline_matches_numcodecs_chain(filters, compressor):
    p = bw.Pipeline(filters=filters, compressor=compressor)
    chain = [numcodecs.get_codec(f) for f in filters or []] + ([numcodecs.get_codec(compressor)] if compressor else [])
    want_config = {
        "id": "pipeline",
        "filters": [f.get_config() for f in chain[: len(filters or [])]] or None,
        "compressor": chain[-1].get_config() if compressor else None,
    }
    assert p.get_config() == want_config
    assert bw.get_codec(p.get_config()) == p
    dtype = "<i4" if filters and filters[0]["id"] == "delta" else "<f8"
    x = (np.cumsum(RNG.standard_normal(2000)) * 10 + 20).astype(dtype)
    want = x
    for codec in chain:
        want = codec.encode(want)
    got = p.encode(x)
    assert raw(got) == raw(want)
    back = want
    for codec in reversed(chain):
        back = codec.decode(back)
    same_result(p.decode(got), np.asarray(back).reshape(-1))


def test_pipeline_objects():
    p = bw.Pipeline(filters=[bw.VLenUTF8()], compressor=bw.Zlib(level=5))
    x = np.array(["a", "ßx", "", "😀"], dtype=object)
    enc = p.encode(x)
    assert raw(enc) == raw(numcodecs.Zlib(5).encode(numcodecs.VLenUTF8().encode(x)))
    same_result(p.decode(enc), x)
