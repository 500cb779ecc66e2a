"""Live cross-checks of brickwork's text and object codecs (base64, json2, msgpack2, vlen-utf8, vlen-bytes,
vlen-array) against the real numcodecs 0.17.1 and msgpack from PyPI.

Identical encoded bytes for typed arrays of every dtype the codec takes (NaN/±inf/-0.0, integer
extremes, C and F order, 0-d, empty) and for object arrays (str incl. non-ASCII and emoji, bytes, None,
big ints, floats, bools, nested lists, dicts); each library decodes the other's output to the same array
(dtype, shape, items); config/repr/get_codec equality; malformed input raises ValueError subclasses.
"""
from __future__ import annotations

import numcodecs
import numpy as np
import pytest

import brickwork.codecs as bw
from brickwork import errors

from _xcheck import cross_check, raw, same_result, shapes_and_orders, special_values

RNG = np.random.default_rng(5)


def _pair(config):
    nc = numcodecs.get_codec(config)
    b = bw.get_codec(config)
    assert type(b).__module__.startswith("brickwork.")
    assert type(b).__name__ == type(nc).__name__
    assert b.get_config() == nc.get_config()
    assert list(b.get_config()) == list(nc.get_config())
    assert repr(b) == repr(nc)
    assert bw.get_codec(b.get_config()) == b
    return b, nc


# --- base64 --------------------------------------------------------------------------------------------
def test_base64():
    b, nc = _pair({"id": "base64"})
    for n in [0, 1, 2, 3, 4, 5, 100, 4097]:
        cross_check(b, nc, RNG.integers(0, 256, n, dtype=np.uint8).tobytes())
    cross_check(b, nc, np.asfortranarray(RNG.standard_normal((5, 7))))
    for text in [b"-_-_", b"AA==AA==", b"AB==", b"AAEC\nAwQ=\n", b" A A E C "]:
        same_result(b.decode(text), nc.decode(text))
    for bad in [b"A", b"AA", b"AAAAA"]:
        with pytest.raises(ValueError):
            nc.decode(bad)
        with pytest.raises(ValueError):
            b.decode(bad)


# --- json2 / msgpack2: typed arrays -------------------------------------------------------------------
JSON_CONFIGS = [
    {"id": "json2"},
    {"id": "json2", "indent": True},
    {"id": "json2", "indent": 2, "sort_keys": False},
    {"id": "json2", "ensure_ascii": False},
    {"id": "json2", "separators": [", ", ": "]},
]
MSGPACK_CONFIGS = [
    {"id": "msgpack2"},
    {"id": "msgpack2", "use_single_float": True},
    {"id": "msgpack2", "use_bin_type": False},
    {"id": "msgpack2", "raw": True},
]
NUMERIC = ["|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8", ">i4", ">f8"]


@pytest.mark.parametrize("config", JSON_CONFIGS + MSGPACK_CONFIGS, ids=str)
def test_object_codecs_typed(config):
    b, nc = _pair(config)
    for dtype in NUMERIC:
        values = special_values(np.dtype(dtype), RNG, 24)
        if config.get("use_single_float") and dtype[1:] == "f8":
            values[np.abs(values) > 1e38] = 1e30  # msgpack: OverflowError (checked in test_object_codec_errors)
        for _label, x in shapes_and_orders(values):
            cross_check(b, nc, x)
        cross_check(b, nc, np.zeros(0, dtype))
    texts = np.array(["", "a", "ßàř", "😀\n\"\\/", "\x7f\x00x"], dtype="<U6")
    if config.get("raw"):
        # raw=True reads str back as bytes; NumPy stores them in a U array only when ASCII
        with pytest.raises(ValueError):
            nc.decode(nc.encode(texts))
        with pytest.raises(ValueError):
            b.decode(nc.encode(texts))
        texts = np.array(["", "a", "bcd\n\"\\/", "\x7f\x00x"], dtype="<U6")
    for x in [texts, np.array([[1.5, -0.0]] * 3, ">f4")]:
        cross_check(b, nc, x)
        cross_check(b, nc, np.asfortranarray(x.reshape(-1, 1)))
    if config["id"] == "json2":
        cross_check(b, nc, np.array(5))  # 0-d
        cross_check(b, nc, np.array(-0.0))
    elif config.get("use_bin_type", True):
        cross_check(b, nc, np.array([b"ab", b"", b"\xff\x00"], dtype="|S2"))
    else:  # bytes packed as str: neither library can read back non-UTF-8 bytes with raw=False
        x = np.array([b"ab", b"", b"\xff\x00"], dtype="|S2")
        assert b.encode(x) == nc.encode(x)
        with pytest.raises(ValueError):
            nc.decode(nc.encode(x))
        with pytest.raises(ValueError):
            b.decode(nc.encode(x))


# --- json2 / msgpack2: object arrays ------------------------------------------------------------------
OBJECT_ITEMS = [
    ["foo", "bar", "baz", "", "ßàř", "😀", "tab\tnl\n", None],
    [b"foo", b"", None, b"\x00\xff"],
    [1, -1, 2**63, -(2**63), 2**64 - 1, 0, 127, 128, -32, -33, 65536, True, False, None],
    [1.5, -0.0, 1e300, 1e-5, 0.1, 1e16, 123456789.0],
    [[1, 2, [3, "x"]], [], {"b": 1, "a": [None, 2.5]}, "s", 7],
]


@pytest.mark.parametrize("config", JSON_CONFIGS + MSGPACK_CONFIGS, ids=str)
@pytest.mark.parametrize("index", range(len(OBJECT_ITEMS)))
def test_object_codecs_objects(config, index):
    items = OBJECT_ITEMS[index]
    if config["id"] == "json2" and index == 1:
        pytest.skip("bytes are not JSON-serialisable (both raise TypeError, checked below)")
    if config.get("use_single_float"):
        items = [v for v in items if not (isinstance(v, float) and abs(v) > 1e38)]  # msgpack: OverflowError
    b, nc = _pair(config)
    x = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        x[i] = item
    if config.get("use_bin_type") is False and index == 1:
        # bytes packed as str: neither library reads non-UTF-8 bytes back with raw=False
        assert b.encode(x) == nc.encode(x)
        with pytest.raises(ValueError):
            nc.decode(nc.encode(x))
        with pytest.raises(ValueError):
            b.decode(nc.encode(x))
        return
    cross_check(b, nc, x)
    if len(items) % 2 == 0:
        two_d = x.reshape(2, -1)
        cross_check(b, nc, two_d)
        cross_check(b, nc, np.asfortranarray(two_d))
    cross_check(b, nc, np.empty(0, dtype=object))


def test_object_codec_errors():
    with pytest.raises(TypeError):
        numcodecs.JSON().encode(np.array([b"x"], dtype=object))
    with pytest.raises(TypeError):
        bw.JSON().encode(np.array([b"x"], dtype=object))
    with pytest.raises(ValueError):
        bw.JSON(allow_nan=False).encode(np.array([np.nan]))
    with pytest.raises(OverflowError):
        numcodecs.MsgPack(use_single_float=True).encode(np.array([1e300]))
    with pytest.raises(errors.InvalidInputError):  # brickwork: a ValueError for the same value
        bw.MsgPack(use_single_float=True).encode(np.array([1e300]))
    with pytest.raises(TypeError):
        bw.JSON().encode(np.array([b"x"]))  # S arrays: TypeError, as numcodecs
    with pytest.raises(ValueError):
        bw.JSON().decode(b'[1, 2, "<i4", [2]] junk')
    with pytest.raises(ValueError):
        bw.MsgPack().decode(bw.MsgPack().encode(np.arange(3)) + b"\x00")  # ExtraData
    with pytest.raises(ValueError):
        bw.MsgPack().decode(b"\x95\x00")  # truncated
    with pytest.raises(ValueError):
        bw.MsgPack().decode(b"\xdd\xff\xff\xff\xff\x00")  # declares 4 billion items: refused, not allocated
    with pytest.raises(ValueError):
        bw.VLenBytes().decode(b"\xff\xff\xff\xff\x01\x00\x00\x00a")  # count beyond the data
    with pytest.raises(ValueError):
        bw.JSON().decode(b"[" * 100000 + b"]" * 100000)  # nesting too deep
    assert bw.JSON().decode('[1,2,"<i4",[2]]').tolist() == [1, 2]  # str input, as numcodecs
    out = np.zeros(3, "<i8")
    assert bw.JSON().decode(bw.JSON().encode(np.arange(3)), out=out) is out and out.tolist() == [0, 1, 2]


# --- vlen ----------------------------------------------------------------------------------------------
def _objects(items, shape=None):
    x = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        x[i] = item
    return x if shape is None else x.reshape(shape)


def test_vlen_utf8():
    b, nc = _pair({"id": "vlen-utf8"})
    strings = ["a", "", "ßx", "😀" * 3, "tab\t", "\x00"]
    for n in [0, 1, 6, 500]:
        x = _objects([strings[i] for i in RNG.integers(0, len(strings), n)])
        cross_check(b, nc, x)
    x = _objects(["a", "bb", "ccc", None, 0, "d"], (2, 3))
    cross_check(b, nc, x)
    cross_check(b, nc, np.asfortranarray(x))
    cross_check(b, nc, np.array(["a", "bcd", ""], dtype="<U3"))
    assert b.encode(_objects(["a", "", None, "ßx"])) == bytes.fromhex("04000000010000006100000000000000000300000" + "0c39f78")
    assert isinstance(b.encode(_objects(["a"])), bytearray)
    with pytest.raises(TypeError):
        b.encode(_objects([b"bytes"]))
    with pytest.raises(ValueError):
        b.decode(b"\x01\x00")
    with pytest.raises(ValueError):
        b.decode(b"\x01\x00\x00\x00\x05\x00\x00\x00ab")
    with pytest.raises(ValueError):
        b.decode(b"\x01\x00\x00\x00\x01\x00\x00\x00\xff")  # invalid UTF-8
    assert b.decode(b"\x01\x00\x00\x00\x01\x00\x00\x00xjunk").tolist() == ["x"]  # trailing bytes ignored
    out = np.empty(4, dtype=object)
    b.decode(b.encode(_objects(["p", "q"])), out=out)
    assert out.tolist()[:2] == ["p", "q"]
    with pytest.raises(ValueError):
        b.decode(b.encode(_objects(["p", "q"])), out=np.empty(1, dtype=object))
    with pytest.raises(ValueError):
        b.decode(b.encode(_objects(["p"])), out=np.empty(1, dtype="U1"))


def test_vlen_bytes():
    b, nc = _pair({"id": "vlen-bytes"})
    for n in [0, 1, 300]:
        x = _objects([RNG.integers(0, 256, int(k), dtype=np.uint8).tobytes() for k in RNG.integers(0, 20, n)])
        cross_check(b, nc, x)
    cross_check(b, nc, _objects([b"ab", None, b"", 0]))
    cross_check(b, nc, np.asfortranarray(_objects([b"a", b"b", b"c", b"d"], (2, 2))))
    assert b.encode(_objects([b"ab", None, b""])) == bytes.fromhex("0300000002000000616200000000" + "00000000")
    with pytest.raises(TypeError):
        b.encode(_objects(["str"]))


@pytest.mark.parametrize("dtype", ["<i2", "<i4", "<u8", "<f4", "<f8", ">i4", "|u1"])
def test_vlen_array(dtype):
    b, nc = _pair({"id": "vlen-array", "dtype": dtype})
    assert isinstance(b.dtype, np.dtype)
    items = [special_values(np.dtype(dtype), RNG, int(k)) for k in RNG.integers(1, 30, 40)]
    items[3] = None
    items[5] = np.zeros(0, dtype)
    cross_check(b, nc, _objects(items))
    cross_check(b, nc, _objects([[1, 2, 3], None, [5]]))  # lists are cast, as numcodecs
    cross_check(b, nc, _objects([]))
    with pytest.raises(ValueError):
        b.encode(_objects([np.zeros((2, 2), dtype)]))


def test_vlen_array_vector_and_errors():
    b = bw.VLenArray("<i2")
    assert b.encode(_objects([[1, 2, 3], None, [5]])) == bytes.fromhex("03000000060000000100020003000000000002000000" + "0500")
    with pytest.raises(ValueError):
        b.decode(b"\x01\x00\x00\x00\x03\x00\x00\x00abc")  # 3 bytes are not whole <i2 items
    with pytest.raises(TypeError):
        bw.VLenArray()


# Edge items for the borrowed fast paths (1-D str/bytes/None arrays, contiguous vlen-array items) and the
# fallbacks they hand over to: both libraries must agree on the outcome (result type and bytes/items, or
# the error class) for every case.
def _objs(*items):
    arr = np.empty(len(items), dtype=object)
    arr[:] = list(items)
    return arr


def _outcome(codec, data, op):
    try:
        r = codec.encode(data) if op == "enc" else codec.decode(data)
    except Exception as e:  # noqa: BLE001 - the class is the outcome compared
        return ("err", e)
    if op == "enc":
        return ("ok", type(r).__name__, bytes(r))
    return ("ok", type(r).__name__, [repr(x) for x in np.asarray(r, dtype=object).ravel()])


def _agree(config, data, op="enc"):
    want = _outcome(numcodecs.get_codec(dict(config)), data, op)
    got = _outcome(bw.get_codec(dict(config)), data, op)
    if want[0] == "err":
        assert got[0] == "err", (config, op, got)
        assert isinstance(got[1], type(want[1])) or isinstance(got[1], (TypeError, ValueError)), (want, got)
    else:
        assert got == want, (config, op)


_STR_CASES = [
    _objs("a", None, "ß🧠\"\\\n\x01\x7f", ""),
    _objs(b"x", None, b"\xff"),
    _objs("a", b"b"),
    _objs("a", 1, 2.5, [1], {"k": "v"}),
    np.array([["a", "b"], ["c", None]], dtype=object),
    _objs(),
    _objs(None, None),
]


@pytest.mark.parametrize(
    "config",
    [
        {"id": "msgpack2"},
        {"id": "msgpack2", "raw": True},
        {"id": "msgpack2", "use_bin_type": False},
        {"id": "json2"},
        {"id": "json2", "ensure_ascii": False},
        {"id": "json2", "indent": 2},
    ],
)
@pytest.mark.parametrize("case", range(len(_STR_CASES)))
def test_object_fast_paths_agree_with_numcodecs(config, case):
    data = _STR_CASES[case]
    _agree(config, data)
    try:
        enc = numcodecs.get_codec(dict(config)).encode(data)
    except Exception:  # noqa: BLE001 - numcodecs refuses this input; the encode check above covered it
        return
    _agree(config, enc, "dec")
    _agree(config, enc[:-1], "dec")


def test_vlen_fast_paths_agree_with_numcodecs():
    _agree({"id": "vlen-utf8"}, _objs("a", None, "ß🧠", ""))
    _agree({"id": "vlen-utf8"}, _objs("a", 0, "b"))
    # numcodecs refuses str subclasses such as np.str_; brickwork encodes them as the str they are
    assert bytes(bw.VLenUTF8().encode(_objs(np.str_("x"), "y"))) == bytes(bw.VLenUTF8().encode(_objs("x", "y")))
    _agree({"id": "vlen-utf8"}, np.array([["a", "b"], ["c", "d"]], dtype=object, order="F"))
    _agree({"id": "vlen-bytes"}, _objs(b"a", None, b""))
    _agree({"id": "vlen-bytes"}, _objs(b"a", "s"))
    _agree({"id": "vlen-utf8"}, b"\x02\0\0\0\x01\0\0\0a\x05\0\0\0ab", "dec")
    _agree({"id": "vlen-utf8"}, b"\x01\0\0\0\x01\0\0\0\xff", "dec")
    _agree({"id": "vlen-utf8"}, b"\xff\xff\xff\xff", "dec")
    _agree({"id": "vlen-bytes"}, b"\x02\0\0\0\x01\0\0\0a\x00\0\0\0", "dec")
    va = {"id": "vlen-array", "dtype": "<i4"}
    _agree(va, _objs(np.array([1, 2], "<i4"), None, np.array([], "<i4")))
    _agree(va, _objs(np.array([1, 2], ">i4"), np.array([3], "<i8"), [4, 5]))
    _agree(va, _objs(np.arange(6, dtype="<i4")[::2]))
    _agree(va, numcodecs.get_codec(va).encode(_objs(np.array([1, 2], "<i4"), None)), "dec")
    _agree(va, b"\x01\0\0\0\x03\0\0\0abc", "dec")


@pytest.mark.parametrize("config", [{}, {"indent": 2, "sort_keys": False}, {"ensure_ascii": False}], ids=str)
def test_json2_lone_surrogates(config):
    """Strings with lone surrogates (file names decoded with surrogateescape) are valid numcodecs JSON
    (``\\udcXX`` escapes): same bytes both ways and each side decodes the other's; with
    ``ensure_ascii=False`` both refuse them (UTF-8 cannot encode them)."""
    ours, theirs = bw.JSON(**config), numcodecs.JSON(**config)
    cases = [
        np.array(["plain", "caf\udce9.txt", None, "x"], dtype=object),
        np.array([["a\udfff\ud800b", "b"], ["\ud800", "d"]], dtype=object),
        np.array(["a\udce9", "bb"], dtype="U3"),
    ]
    for arr in cases:
        if config.get("ensure_ascii") is False:
            for side in (ours, theirs):
                with pytest.raises(UnicodeEncodeError):
                    side.encode(arr)
            continue
        enc = theirs.encode(arr)
        assert raw(ours.encode(arr)) == raw(enc)
        for dec in (ours.decode(enc), theirs.decode(ours.encode(arr))):
            assert dec.dtype == arr.dtype and dec.shape == arr.shape and dec.tolist() == arr.tolist()
    # Truncated: numcodecs' ValueError (json's JSONDecodeError once the fallback runs, else DecodeError).
    for text in (b'["a\\udce9", "x"', b'["a", "x"'):
        with pytest.raises(ValueError):
            ours.decode(text)
        with pytest.raises(ValueError):
            theirs.decode(text)


# one character of each UTF-8 length and str width: ASCII, Latin-1, 2-byte UCS-2, 3-byte UCS-2, astral
_WIDTHS = ["a", "~", "\x7f", "\x80", "ß", "\xff", "\u0100", "\u07ff", "\u0800", "细", "\ud7ff", "\ue000", "\uffff",
           "\U00010000", "🧠", "\U0010ffff"]


def test_strings_of_every_utf8_width_decode_as_numcodecs():
    rng = np.random.default_rng(5)
    words = ["".join(rng.choice(_WIDTHS, int(rng.integers(0, 30)))) + "x" * int(rng.integers(0, 12))
             for _ in range(400)]
    data = _objs(*words, *_WIDTHS, "")
    for config in ({"id": "vlen-utf8"}, {"id": "json2"}, {"id": "json2", "ensure_ascii": False},
                   {"id": "msgpack2"}):
        _agree(config, data)
        enc = numcodecs.get_codec(dict(config)).encode(data)
        got = bw.get_codec(dict(config)).decode(enc)
        assert [type(s) for s in got.ravel()] == [str] * data.size
        assert got.tolist() == data.tolist(), config


@pytest.mark.parametrize("bad", [b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf",
                                 b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xe2\x82",
                                 b"\x80", b"\xbf", b"\xff", b"\xe2\x28\xa1"], ids=lambda b: b.hex())
def test_invalid_utf8_in_a_str_item_fails_as_in_numcodecs(bad):
    for item in (bad, b"abcdefghij" + bad, "ß".encode() + bad + b"tail", b"12345678" + bad + b"12345678"):
        enc = (1).to_bytes(4, "little") + len(item).to_bytes(4, "little") + item
        with pytest.raises(UnicodeDecodeError):
            numcodecs.VLenUTF8().decode(enc)
        with pytest.raises(ValueError, match="not valid UTF-8"):
            bw.VLenUTF8().decode(enc)
