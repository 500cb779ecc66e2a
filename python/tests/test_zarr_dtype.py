"""zarr-python's data type classes (``brickwork.zarr.dtype`` against ``zarr.dtype`` 3.4.2): the same
classes and parameters, reprs, v2 and v3 JSON forms both ways, default scalars, native dtypes, scalar
JSON encodings both ways, ``parse_dtype`` and the registry; ``create_array`` takes them (and ``str``)
and writes the metadata zarr-python writes; malformed JSON forms are refused clearly."""
import base64
import inspect
import json
import math
import warnings

import numpy as np
import pytest
import zarr
import zarr.dtype as zd

import brickwork.zarr as bz
import brickwork.zarr.dtype as bd
from brickwork.zarr.errors import DataTypeValidationError

pytestmark = pytest.mark.filterwarnings("ignore::zarr.errors.UnstableSpecificationWarning",
                                        "ignore::DeprecationWarning",
                                        "ignore:overflow encountered in cast:RuntimeWarning")

#: zarr.dtype names not here, and why
NOT_OFFERED = {
    "DTypeSpec_V2": "a typing alias", "check_dtype_spec_no_object_codec_v2": "a typing guard",
    "check_dtype_spec_v2": "a typing guard",
}
SPECS = ["?", "i1", "u1", ">i2", "<i4", "i8", "<u2", ">u4", "u8", "e", ">f4", "f8", "c8", ">c16", "U1", "U3", ">U2",
         "S1", "S5", "V4", "M8[10s]", ">m8[ns]", "M8", "m8[D]", "M8[us]", [("a", "f8"), ("b", ">i2")],
         [("a", "f8"), ("b", [("c", "u1"), ("d", "U2")])]]
VALUES = {
    "b": [True, False, 0, 1], "i": [0, -1, 42, 2.5, "7"], "u": [0, 1, 200],
    "f": [0.0, -0.0, 1.5, math.nan, math.inf, -math.inf, 0.1, 1e300],
    "c": [1 + 2j, complex(math.nan, -math.inf), 0j], "U": ["", "ab", "héllo"], "S": [b"", b"ab", b"abcdefg"],
    "V": [b"abcd", b"\0\0\0\1"], "M": ["NaT", 5, -3], "m": ["NaT", 7, 0],
}


def test_every_name():
    missing = [n for n in zd.__all__ if n not in NOT_OFFERED and not n.endswith(("JSON_V2", "JSON_V3"))
               and n not in bd.__all__]
    assert missing == []  # (the *JSON_V2/V3 names are TypedDicts describing the JSON forms)
    for name in bd.__all__:
        theirs, ours = getattr(zd, name), getattr(bd, name)
        if isinstance(theirs, type):
            assert list(inspect.signature(theirs).parameters) == list(inspect.signature(ours).parameters), name
    assert bz.dtype is bd


def _pair(spec, zarr_format):
    dtype = np.dtype(spec)
    return zd.parse_dtype(dtype, zarr_format=zarr_format), bd.parse_dtype(dtype, zarr_format=zarr_format)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_types_as_zarr_python(spec):
    for zarr_format in (2, 3):
        theirs, ours = _pair(spec, zarr_format)
        assert type(ours).__name__ == type(theirs).__name__ and repr(ours) == repr(theirs)
        assert ours.to_native_dtype() == theirs.to_native_dtype()
        assert ours == bd.parse_dtype(ours, zarr_format=zarr_format) and hash(ours) == hash(type(ours).from_native_dtype(
            ours.to_native_dtype()))
        assert repr(ours.default_scalar()) == repr(theirs.default_scalar())
        for f in (2, 3):
            text = theirs.to_json(zarr_format=f)
            assert ours.to_json(zarr_format=f) == text
            assert repr(type(ours).from_json(text, zarr_format=f)) == repr(type(theirs).from_json(text, zarr_format=f))
            assert repr(bd.data_type_registry.match_json(text, zarr_format=f)) == repr(
                zd.data_type_registry.match_json(text, zarr_format=f))


def _values(dtype: np.dtype):
    if dtype.fields:
        return [np.zeros((), dtype)[()], np.ones((), dtype)[()]]
    values = VALUES[dtype.kind]
    if dtype.kind in "Mm":  # integers in the type's own unit (zarr-python writes other units unconverted)
        return [np.array(-(2 ** 63) if v == "NaT" else v, "i8").view(dtype.newbyteorder("="))[()] for v in values]
    return values


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.tobytes() == b.tobytes() if a.dtype != object else a.item() == b.item()


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_scalars_as_zarr_python(spec):
    theirs, ours = _pair(spec, 3)
    for value in _values(np.dtype(spec)):
        for f in (2, 3):
            text = theirs.to_json_scalar(value, zarr_format=f)
            mine = ours.to_json_scalar(value, zarr_format=f)
            assert json.dumps(mine) == json.dumps(text), (value, f)
            assert _same(ours.from_json_scalar(text, zarr_format=f), theirs.from_json_scalar(text, zarr_format=f))
            assert _same(ours.cast_scalar(value), theirs.cast_scalar(value))


def test_v3_float_bits_and_special_words():
    for t in (bd.Float16(), bd.Float32(), bd.Float64()):
        theirs = getattr(zd, type(t).__name__)()
        size = t.to_native_dtype().itemsize
        for text in ("NaN", "Infinity", "-Infinity", "0x" + np.array(1.5, f">f{size}").tobytes().hex(), 3, 2.5):
            assert _same(t.from_json_scalar(text, zarr_format=3), theirs.from_json_scalar(text, zarr_format=3))
    assert _same(bd.Complex64().from_json_scalar(["0x3f800000", "NaN"], zarr_format=3), np.complex64(complex(1, math.nan)))
    for bad in (None, "x", "0xZZ", [1], True):
        with pytest.raises(TypeError):
            bd.Float32().from_json_scalar(bad, zarr_format=3)


def test_parse_dtype():
    for spec in ("str", str, "string", "int8", "float64", "<M8[s]", None, "u2",
                 {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 10}},
                 "bytes", "variable_length_bytes", zd.Int8(), bd.Int8()):
        for f in (2, 3):
            try:
                theirs = repr(zd.parse_dtype(spec if not isinstance(spec, bd.ZDType) else zd.Int8(), zarr_format=f))
            except Exception:  # noqa: BLE001
                theirs = "error"
            try:
                ours = repr(bd.parse_dtype(spec if not isinstance(spec, zd.ZDType) else bd.Int8(), zarr_format=f))
            except (ValueError, TypeError):
                ours = "error"
            assert ours == theirs, (spec, f)
    with pytest.raises(ValueError, match="several Zarr data types; give one"):
        bd.parse_dtype(object, zarr_format=3)


@pytest.mark.parametrize("cls, data, zarr_format", [
    (bd.Int8, "int16", 3), (bd.Int8, "|i1", 2), (bd.Int8, {"name": "|i1"}, 2), (bd.Int8, None, 3),
    (bd.FixedLengthUTF32, {"name": "fixed_length_utf32", "configuration": {"length_bytes": 6}}, 3),
    (bd.FixedLengthUTF32, {"name": "fixed_length_utf32", "configuration": {"length_bytes": -4}}, 3),
    (bd.RawBytes, {"name": "raw_bytes", "configuration": {}}, 3),
    (bd.RawBytes, {"name": "raw_bytes", "configuration": {"length_bytes": True}}, 3),
    (bd.DateTime64, {"name": "numpy.datetime64", "configuration": {"unit": "parsec", "scale_factor": 1}}, 3),
    (bd.DateTime64, {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 0}}, 3),
    (bd.DateTime64, {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 2 ** 40}}, 3),
    (bd.Struct, {"name": "struct", "configuration": {"fields": [{"name": "a"}]}}, 3),
    (bd.Struct, {"name": "struct", "configuration": {"fields": 3}}, 3),
    (bd.Struct, {"name": [["a", "nope"]], "object_codec_id": None}, 2),
    (bd.Struct, {"name": [["a"]], "object_codec_id": None}, 2),
    (bd.VariableLengthUTF8, {"name": "|O", "object_codec_id": "vlen-bytes"}, 2),
])
def test_malformed_json_is_refused(cls, data, zarr_format):
    with pytest.raises((DataTypeValidationError, ValueError), match=r"Invalid JSON representation|No Zarr data type"):
        cls.from_json(data, zarr_format=zarr_format)


def test_bad_parameters():
    for make, message in [(lambda: bd.FixedLengthUTF32(length=0), "length must be >= 1"),
                          (lambda: bd.Int16(endianness="middle"), "endianness must be"),
                          (lambda: bd.DateTime64(unit="fortnight"), "unit must be one of"),
                          (lambda: bd.Struct(fields=()), "non-empty sequence"),
                          (lambda: bd.Struct(fields=(("a", bd.Int8()), ("a", bd.Int8()))), "field names must differ")]:
        with pytest.raises(ValueError, match=message):
            make()
    with pytest.raises(DataTypeValidationError, match="Expected an instance of"):
        bd.Int8.from_native_dtype(np.dtype("i2"))
    with pytest.raises(TypeError, match="Cannot convert object None"):
        bd.Int8().cast_scalar(None)


@pytest.mark.parametrize("dtype", [str, "str", "VariableLengthUTF8", "VariableLengthBytes", "Int16", "DateTime64",
                                   "FixedLengthUTF32", "NullTerminatedBytes", "Struct", "M8[ms]"])
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_create_array_takes_them(tmp_path, dtype, zarr_format):
    """The metadata documents brickwork writes for a data type given as zarr-python's class, ``str`` or a
    NumPy dtype are zarr-python's, and each reads the other's array."""
    def made(m):
        if not isinstance(dtype, str) or dtype in ("str", "M8[ms]"):
            return dtype
        options = {"Int16": {"endianness": "big"}, "DateTime64": {"unit": "s", "scale_factor": 10},
                   "FixedLengthUTF32": {"length": 3}, "NullTerminatedBytes": {"length": 4},
                   "Struct": {"fields": (("a", m.dtype.Float32()), ("b", m.dtype.UInt8()))}}.get(dtype, {})
        return getattr(m.dtype, dtype)(**options)

    meta = {}
    for m in (zarr, bz):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = m.create_array(tmp_path / m.__name__, shape=(5,), chunks=(2,), dtype=made(m), zarr_format=zarr_format)
            if a.dtype.kind in "OUT":
                a[:3] = [b"a", b"bc", b"d\xe9f"] if dtype == "VariableLengthBytes" else ["a", "bc", "déf"]
        meta[m] = json.loads((tmp_path / m.__name__ / (".zarray" if zarr_format == 2 else "zarr.json")).read_text())
    ours, theirs = meta[bz], meta[zarr]
    if zarr_format == 2 and isinstance(theirs.get("compressor"), dict):
        theirs["compressor"].setdefault("checksum", False)
    if dtype == "NullTerminatedBytes":  # brickwork's fill is the whole item's bytes (b"\0\0\0\0"), the same value
        assert base64.b64decode(ours.pop("fill_value")) == bytes(4) and theirs.pop("fill_value") == ""
    if dtype == "VariableLengthBytes" and zarr_format == 3:  # the zarr-extensions name; zarr-python reads both
        assert ours["data_type"] == "bytes" and theirs["data_type"] == "variable_length_bytes"
        ours["data_type"] = theirs["data_type"]
    if dtype == "Int16" and zarr_format == 3:  # brickwork stores a big-endian type big-endian; zarr-python
        assert ours["codecs"][0]["configuration"]["endian"] == "big"  # little: the same values either way
        ours["codecs"][0]["configuration"]["endian"] = "little"
    assert ours == theirs
    for reader in (zarr, bz):
        for writer in (zarr, bz):
            got = reader.open_array(tmp_path / writer.__name__, mode="r")[:]
            if dtype == "VariableLengthBytes":
                assert list(got) == [b"a", b"bc", b"d\xe9f", b"", b""]
            elif got.dtype.kind in "OT":
                assert list(got[:3]) == ["a", "bc", "déf"]


@pytest.mark.parametrize("zarr_format, shards", [(2, None), (3, None), (3, (4,))])
def test_arrays_of_bytes(tmp_path, zarr_format, shards):
    """Object arrays of bytes: ``save`` stores them with vlen-bytes (as zarr-python's VariableLengthBytes);
    regions, points and missing chunks (the fill value b"") read and write as zarr-python's do."""
    data = np.array([b"", b"a", b"\x00\xff", b"xyz" * 50, b"q", b"", b"\n"], dtype=object)
    path = tmp_path / "b.zarr"
    bz.save(path, data, chunks=(2,), zarr_format=zarr_format, shards=shards)
    theirs = zarr.open_array(path, mode="r")
    assert list(theirs[:]) == list(data)
    ours = bz.open(path, mode="r+")
    assert list(ours[:]) == list(data) and ours.fill_value == b""
    ours[1:3] = [b"B", b"C"]
    ours.vindex[[6]] = [b"last"]
    assert list(zarr.open_array(path, mode="r")[:]) == [b"", b"B", b"C", b"xyz" * 50, b"q", b"", b"last"]
    with pytest.raises(Exception, match="expected bytes"):  # strings are not bytes
        ours[0] = "text"
    filled = bz.create_array(tmp_path / "f.zarr", shape=(3,), chunks=(2,), zarr_format=zarr_format,
                             dtype=bz.dtype.VariableLengthBytes(), fill_value=b"\x00fill")
    filled[0] = b"set"
    filled[1] = b"cut"
    for m in (zarr, bz):  # the fill value in base64, as zarr-python writes and reads it
        assert list(m.open_array(tmp_path / "f.zarr", mode="r")[:]) == [b"set", b"cut", b"\x00fill"]
    filled = bz.open(tmp_path / "f.zarr", mode="r+")  # (opened again: the fill value read from the metadata)
    filled.resize((1,))  # cuts through chunk 0: brickwork sets what it cuts to the fill value
    filled.resize((3,))
    assert list(bz.open(tmp_path / "f.zarr")[:]) == [b"set", b"\x00fill", b"\x00fill"]
    assert list(zarr.open_array(tmp_path / "f.zarr", mode="r")[:]) == [b"set", b"\x00fill", b"\x00fill"]


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_resize_cuts_strings_to_their_fill_value(tmp_path, zarr_format):
    z = bz.create_array(tmp_path / "s.zarr", shape=(3,), chunks=(2,), dtype=str, fill_value="empty",
                        zarr_format=zarr_format)
    z[:] = ["a", "b", "c"]
    z = bz.open(tmp_path / "s.zarr", mode="r+")
    z.resize((1,))
    z.resize((3,))
    for m in (zarr, bz):
        assert list(m.open_array(tmp_path / "s.zarr", mode="r")[:]) == ["a", "empty", "empty"]
