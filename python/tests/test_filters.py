"""Live cross-checks of brickwork's filters against the real numcodecs 0.17.1 from PyPI.

For every filter: random arrays of each dtype it accepts (with NaN/±inf/-0.0 and integer extremes), 1-D,
2-D C and F order, one element and empty; identical encoded bytes and result types (dtype, shape); each
library decodes the other's output identically; get_config, repr, from_config and get_codec agree; errors
on malformed input. Where numcodecs raises on an edge case, brickwork's documented behaviour is asserted.
"""
from __future__ import annotations

import warnings

import numcodecs
import numpy as np
import pytest

import brickwork.codecs as bw
from brickwork import errors

from _xcheck import cross_check, same_result, shapes_and_orders, special_values

RNG = np.random.default_rng(7)

INT_DTYPES = ["|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", ">i4", ">u2"]
FLOAT_DTYPES = ["<f2", "<f4", "<f8", ">f8"]
NUMERIC = ["|b1", *INT_DTYPES, *FLOAT_DTYPES]


@pytest.fixture(autouse=True)
def _quiet_numpy():
    # numcodecs' casts of NaN/inf/out-of-range values warn in NumPy; the results are what we compare.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _pair(name: str, **config):
    """brickwork's and numcodecs' codec of the same config, after checking config/repr/get_codec."""
    nc = numcodecs.get_codec({"id": name, **config})
    b = bw.get_codec({"id": name, **config})
    assert type(b).__module__.startswith("brickwork."), type(b)
    assert type(b).__name__ == type(nc).__name__
    assert b.get_config() == nc.get_config()
    assert list(b.get_config()) == list(nc.get_config())
    assert repr(b) == repr(nc)
    assert b == bw.get_codec(b.get_config())
    return b, nc


def _values(dtype, n=64):
    return special_values(np.dtype(dtype), RNG, n)


# --- shuffle -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("elementsize", [0, 1, 2, 4, 8, 3])
@pytest.mark.parametrize("dtype", ["|u1", "<i2", "<f4", "<f8", ">i8"])
def test_shuffle(elementsize, dtype):
    b, nc = _pair("shuffle", elementsize=elementsize)
    values = _values(dtype, 48)
    for _label, x in shapes_and_orders(values):
        if x.nbytes % max(elementsize, 1):
            with pytest.raises(ValueError):
                b.encode(x)
            continue
        cross_check(b, nc, x)
    same_result(b.encode(np.zeros(0, dtype)), nc.encode(np.zeros(0, dtype)))


def test_shuffle_out_and_errors():
    b = bw.Shuffle(4)
    x = np.arange(8, dtype="<u4")
    out = np.zeros(40, "u1")
    res = b.encode(x, out=out)
    assert res.tobytes()[:32] == numcodecs.Shuffle(4).encode(x).tobytes()
    with pytest.raises(ValueError):
        b.encode(x, out=np.zeros(31, "u1"))  # numcodecs writes past the end; brickwork refuses
    with pytest.raises(ValueError):
        b.encode(np.arange(3, dtype="u1"))
    with pytest.raises(TypeError):
        b.encode(np.array(["a"], dtype=object))
    with pytest.raises(ValueError):
        b.encode(np.arange(16, dtype="u4")[::2])


# --- delta ---------------------------------------------------------------------------------------------
DELTA_CASES = [(d, d) for d in NUMERIC] + [
    ("<i8", "<i4"),
    ("<i2", "|i1"),
    ("<f8", "<f4"),
    ("<f4", "<f8"),
    ("|i1", "<i2"),
    ("<u4", "<u2"),
    ("<i4", "<f8"),
]


@pytest.mark.parametrize("dtype,astype", DELTA_CASES)
def test_delta(dtype, astype):
    b, nc = _pair("delta", dtype=dtype, astype=astype)
    values = _values(dtype)
    if np.dtype(astype).kind in "iu" and np.dtype(dtype).kind == "f":
        values = np.nan_to_num(values, nan=0, posinf=0, neginf=0)
        values[np.abs(values) > 1000] = 0
    if np.dtype(astype).itemsize < np.dtype(dtype).itemsize:
        values[0] = 1  # numcodecs' first element is a scalar assignment: it must fit astype (else error)
    # Known difference (reported): NumPy's float16 add takes the NaN sign of the new element, brickwork
    # that of the running sum, so decoded f2 NaNs may differ in sign (only when NaNs of both signs meet).
    nan_sign = dtype != "<f2"
    for _label, x in shapes_and_orders(values):
        cross_check(b, nc, x, decoded_nan_sign=nan_sign)


def test_delta_empty_and_errors():
    b = bw.Delta("<i4")
    enc = b.encode(np.zeros(0, "<i4"))  # numcodecs: IndexError; brickwork: empty output
    assert enc.dtype == np.dtype("<i4") and enc.size == 0
    with pytest.raises(IndexError):
        numcodecs.Delta("<i4").encode(np.zeros(0, "<i4"))
    assert b.decode(enc).size == 0
    with pytest.raises(ValueError):
        bw.Delta(dtype=object)
    with pytest.raises(ValueError):
        b.decode(b"\x00\x00\x00")  # not a whole number of <i4 items (NumPy's view error, as numcodecs)
    out = np.zeros(4, "<i4")
    assert b.decode(b.encode(np.arange(4, dtype="<i4")), out=out) is out
    assert out.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        b.decode(b.encode(np.arange(4, dtype="<i4")), out=np.zeros(5, "<i4"))
    with pytest.raises(OverflowError):
        numcodecs.Delta("<i2", astype="|i1").encode(np.array([300, 1], "<i2"))
    with pytest.raises(ValueError):  # brickwork: an InvalidInputError (ValueError) for the same case
        bw.Delta("<i2", astype="|i1").encode(np.array([300, 1], "<i2"))
    strided = np.arange(20, dtype="<i4")[::2]
    cross_check(b, numcodecs.Delta("<i4"), strided)
    assert repr(bw.Delta("i8", astype="i4")) == "Delta(dtype='<i8', astype='<i4')"


# --- fixedscaleoffset ---------------------------------------------------------------------------------
FSO_CASES = [
    dict(offset=1000, scale=10, dtype="<f8", astype="|u1"),
    dict(offset=0.5, scale=100.0, dtype="<f4", astype="<i2"),
    dict(offset=2, scale=3, dtype="<i4", astype="<i4"),
    dict(offset=1.5, scale=2, dtype="<i2", astype="<i8"),
    dict(offset=0, scale=1, dtype="<f2", astype="<f2"),
    dict(offset=-3, scale=0.25, dtype=">f8", astype="<u2"),
]


@pytest.mark.parametrize("config", FSO_CASES, ids=lambda c: f"{c['dtype']}->{c['astype']}")
def test_fixedscaleoffset(config):
    b, nc = _pair("fixedscaleoffset", **config)
    dtype = np.dtype(config["dtype"])
    if dtype.kind == "f":
        values = (RNG.standard_normal(64) * 50 + config["offset"]).astype(dtype)
        values[:4] = [np.nan, np.inf, -0.0, 0.5 / config["scale"] + config["offset"]]
    else:
        values = special_values(dtype, RNG, 64)
    for _label, x in shapes_and_orders(values):
        cross_check(b, nc, x)
    assert repr(b) == repr(nc)


# --- quantize ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("digits", [-1, 0, 1, 3, 5, 12])
@pytest.mark.parametrize("dtype,astype", [("<f8", "<f8"), ("<f4", "<f4"), ("<f2", "<f2"), ("<f8", "<f4"), (">f4", "<f8")])
def test_quantize(digits, dtype, astype):
    b, nc = _pair("quantize", digits=digits, dtype=dtype, astype=astype)
    for _label, x in shapes_and_orders(_values(dtype)):
        cross_check(b, nc, x)
    x = np.asfortranarray(_values(dtype, 12).reshape(3, 4))
    enc = b.encode(x)
    assert enc.shape == (3, 4) and enc.flags.f_contiguous  # shape and layout kept, as numcodecs


def test_quantize_errors():
    zero_d = np.array(0.1234)  # 0-d input: NumPy scalar output, as numcodecs
    assert repr(bw.Quantize(1, "<f8").encode(zero_d)) == repr(numcodecs.Quantize(1, "<f8").encode(zero_d))
    with pytest.raises(ValueError):
        bw.Quantize(2, "<i4")
    with pytest.raises(ValueError):
        bw.Quantize(2, "<f8", astype="<i2")
    with pytest.raises(TypeError):
        bw.Quantize(digits=2)  # dtype is required


# --- bitround ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["<f2", "<f4", "<f8"])
@pytest.mark.parametrize("keepbits", [0, 1, 3, 7, 10])
def test_bitround(dtype, keepbits):
    b, nc = _pair("bitround", keepbits=keepbits)
    for _label, x in shapes_and_orders(_values(dtype)):
        cross_check(b, nc, x)


def test_bitround_full_width_and_errors():
    x = np.array([1.1, -3.7], "<f4")
    assert bw.BitRound(23).encode(x) is x  # keepbits == mantissa width: unchanged, as numcodecs
    assert bw.BitRound(3).encode(x).tobytes() == bytes.fromhex("0000903f000070c0")
    with pytest.raises(ValueError):
        bw.BitRound(11).encode(np.zeros(2, "<f2"))
    with pytest.raises(ValueError):
        bw.BitRound(-1)
    with pytest.raises(TypeError):
        bw.BitRound(3).encode(b"abcd")
    with pytest.raises(TypeError):
        bw.BitRound(3).encode(np.zeros(2, "<i4"))


# --- packbits ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64, 1001])
def test_packbits(n):
    b, nc = _pair("packbits")
    values = RNG.integers(0, 2, n).astype(bool)
    for _label, x in shapes_and_orders(values):
        cross_check(b, nc, x)
    cross_check(b, nc, RNG.integers(0, 3, n).astype("u1"))  # any nonzero byte is True


def test_packbits_errors():
    with pytest.raises(IndexError):
        numcodecs.PackBits().decode(b"")
    with pytest.raises(errors.DecodeError):  # brickwork: a DecodeError (ValueError) instead
        bw.PackBits().decode(b"")
    assert bw.PackBits().decode(b"\x09\xff").size == 0  # pad >= bit count gives empty, as Python slicing


# --- astype --------------------------------------------------------------------------------------------
ASTYPE_CASES = [("<i2", "<i4"), ("<f4", "<f8"), ("|u1", "<i8"), ("<f8", "<f4"), ("<i4", "<f8"), ("|i1", "<u2"), ("|b1", "<i4")]


@pytest.mark.parametrize("encode_dtype,decode_dtype", ASTYPE_CASES)
def test_astype(encode_dtype, decode_dtype):
    b, nc = _pair("astype", encode_dtype=encode_dtype, decode_dtype=decode_dtype)
    values = _values(decode_dtype)
    if np.dtype(decode_dtype).kind == "f" and np.dtype(encode_dtype).kind in "iub":
        values = np.nan_to_num(values, nan=0, posinf=1, neginf=-1)
    for _label, x in shapes_and_orders(values):
        cross_check(b, nc, x)


# --- categorize ----------------------------------------------------------------------------------------
LABELS = ["ƒöõ", "ßàř", "ßāẑ", "ƪùüx", "a", "a"]


@pytest.mark.parametrize("dtype", ["<U4", ">U4", "<U1", "|O"])
@pytest.mark.parametrize("astype", ["|u1", "<i4", "<u2"])
def test_categorize(dtype, astype):
    b, nc = _pair("categorize", labels=LABELS, dtype=dtype, astype=astype)
    pool = LABELS + ["", "zz", "ßàřx"]
    values = np.array([pool[i] for i in RNG.integers(0, len(pool), 40)], dtype=dtype)
    for _label, x in shapes_and_orders(values):
        cross_check(b, nc, x)
    empty = np.zeros(0, dtype=dtype)
    same_result(b.encode(empty), nc.encode(empty))


def test_categorize_objects_with_none_and_config_errors():
    b, nc = _pair("categorize", labels=["a", "bb"], dtype="|O")
    x = np.array(["bb", None, "a", "zz", 5], dtype=object)
    cross_check(b, nc, x)
    assert b.encode(x).tolist() == [2, 0, 1, 0, 0]
    assert bw.Categorize([b"a", "b"], "<U1").labels == ["a", "b"]
    with pytest.raises(TypeError):
        bw.Categorize(["a"], "|S1")
    with pytest.raises(TypeError):
        bw.Categorize(["a"], "<U1", astype=object)
    assert repr(bw.Categorize(LABELS, "<U4")) == repr(numcodecs.Categorize(LABELS, "<U4"))


def test_from_config_requires_keys():
    with pytest.raises(TypeError):
        bw.get_codec({"id": "delta"})
    with pytest.raises(TypeError):
        bw.get_codec({"id": "astype", "encode_dtype": "<f4"})
    with pytest.raises(TypeError):
        bw.get_codec({"id": "shuffle", "foo": 1})


@pytest.mark.parametrize(
    "config",
    [
        {"id": "shuffle", "elementsize": 8},
        {"id": "fixedscaleoffset", "offset": 1, "scale": 2, "dtype": "<f8", "astype": "<i4"},
        {"id": "quantize", "digits": 2, "dtype": "<f8"},
        {"id": "bitround", "keepbits": 5},
        {"id": "packbits"},
        {"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<f8"},
    ],
    ids=lambda c: c["id"],
)
def test_empty_arrays(config):
    config = dict(config)
    b, nc = _pair(config.pop("id"), **config)
    for x in [np.zeros(0, "<f8"), np.zeros((0, 3), "<f8"), np.zeros((3, 0), "<f8", order="F")]:
        cross_check(b, nc, x)


# --- decode(buf, out) ----------------------------------------------------------------------------------
OUT_CASES = [
    ({"id": "delta", "dtype": "<i4", "astype": "<i2"}, np.arange(24, dtype="<i4") * 3 - 20),
    ({"id": "fixedscaleoffset", "offset": 1, "scale": 10, "dtype": "<f8", "astype": "|u1"}, np.linspace(1, 20, 24)),
    ({"id": "quantize", "digits": 2, "dtype": "<f8", "astype": "<f4"}, np.linspace(-3, 3, 24)),
    ({"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<f8"}, np.linspace(-3, 3, 24)),
    ({"id": "astype", "encode_dtype": "<i2", "decode_dtype": ">i4"}, np.arange(24, dtype=">i4") - 7),
    ({"id": "packbits"}, np.arange(24) % 3 == 0),
    ({"id": "categorize", "labels": ["a", "bb", "ccc"], "dtype": "<U3", "astype": "|u1"},
     np.array(["a", "bb", "ccc", "zz"] * 6, dtype="<U3")),
]


def _outs(nbytes: int):
    """Destinations numcodecs' ndarray_copy accepts for ``nbytes`` decoded bytes, plus ones it refuses."""
    yield "flat u1", np.zeros(nbytes, "u1")
    yield "2-D C", np.zeros((2, nbytes // 2), "u1")
    yield "2-D F", np.zeros((2, nbytes // 2), "u1", order="F")
    yield "strided", np.zeros(2 * nbytes, "u1")[::2]
    yield "bytearray", bytearray(nbytes)
    yield "too small", np.zeros(nbytes - 1, "u1")
    yield "too large", np.zeros(nbytes + 8, "u1")


@pytest.mark.parametrize("config,values", OUT_CASES, ids=lambda c: c["id"] if isinstance(c, dict) else "")
def test_decode_into_out(config, values):
    """``decode(buf, out)`` writes into ``out`` the bytes numcodecs writes there (brickwork decodes straight
    into a contiguous ``out`` of the exact size; other destinations are decoded then copied as numcodecs
    does), returns ``out``, and refuses what numcodecs refuses."""
    config = dict(config)
    b, nc = _pair(config.pop("id"), **config)
    enc = nc.encode(values)
    want = nc.decode(enc)
    for label, out in _outs(np.asarray(want).nbytes):
        theirs = np.array(out, copy=True) if isinstance(out, np.ndarray) else bytearray(out)
        try:
            nc.decode(enc, out=theirs)
        except (ValueError, TypeError) as e:
            with pytest.raises(type(e)):
                b.decode(enc, out=out)
            continue
        assert b.decode(enc, out=out) is out, label
        assert bytes(np.asarray(out).tobytes(order="A")) == bytes(np.asarray(theirs).tobytes(order="A")), label
    for view_dtype in ("u1", np.asarray(want).dtype):
        out = np.zeros(np.asarray(want).nbytes // np.dtype(view_dtype).itemsize, view_dtype)
        assert b.decode(enc, out=out) is out
        assert out.tobytes() == np.asarray(want).tobytes()
