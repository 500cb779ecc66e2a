"""zarr-python's data type classes (``zarr.dtype``): each Zarr data type as a class that turns a NumPy
dtype (its "native" type) into the JSON of Zarr v2 and v3 metadata and back, and scalars (fill values)
into JSON and back, with zarr-python's names, parameters, JSON forms and reprs, so that code using
``zarr.dtype`` runs with ``brickwork.zarr.dtype``; ``create_array`` and the other creation functions take
these classes as ``dtype``.

The JSON forms are the Zarr specifications' (v2: NumPy's ``dtype.str``, lists of fields for structured
types, ``|O`` with an object codec for strings and bytes; v3: ``int8``, ``float32``, ``string``,
``{"name": "numpy.datetime64", "configuration": {...}}``, ``struct``, ...) and scalars are encoded as
zarr-python encodes them (``"NaN"``, ``"Infinity"``, hex floats read in v3, complex numbers as pairs,
bytes as base64, dates as integers in their unit, structures as base64 in v2 and objects in v3).
Times given to ``to_json_scalar`` in another unit are converted to the type's unit first (zarr-python
3.4.2 writes their integer unconverted).
"""
from __future__ import annotations

import base64
import dataclasses
import datetime
import math
import numbers
from typing import Any, ClassVar

import numpy as np

from .errors import DataTypeValidationError

__all__ = [
    "Bool", "Complex64", "Complex128", "DateTime64", "FixedLengthUTF32", "Float16", "Float32", "Float64",
    "Int8", "Int16", "Int32", "Int64", "NullTerminatedBytes", "RawBytes", "Struct", "Structured", "TimeDelta64",
    "UInt8", "UInt16", "UInt32", "UInt64", "VariableLengthBytes", "VariableLengthUTF8", "ZDType",
    "data_type_registry", "parse_dtype",
]

#: NumPy 2's variable-length string dtype class (None with NumPy 1, whose dtype classes are spelled
#: ``type(np.dtype(...))`` here for the same reason)
_STRING_DTYPE = getattr(getattr(np, "dtypes", None), "StringDType", None)
_ENDIAN = {"little": "<", "big": ">"}
_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "μs", "ns", "ps", "fs", "as", "generic")
_FLOAT_WORDS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _invalid(cls, data, expected: str) -> DataTypeValidationError:
    return DataTypeValidationError(f"Invalid JSON representation of {cls.__name__}. Got {data!r}, expected "
                                   f"{expected}")


def _endianness(dtype: np.dtype) -> str:
    order = dtype.byteorder
    if order == "=":
        order = "<" if np.little_endian else ">"
    return "big" if order == ">" else "little"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ZDType:
    """A Zarr data type (zarr-python's ``zarr.dtype.ZDType``): a NumPy dtype with its Zarr v2 and v3 JSON
    forms and its scalars' JSON encoding."""

    dtype_cls: ClassVar[type]
    _zarr_v3_name: ClassVar[str]

    # the NumPy side
    @classmethod
    def from_native_dtype(cls, dtype) -> ZDType:
        """The data type of a NumPy dtype of this class (DataTypeValidationError for another)."""
        dtype = np.dtype(dtype)
        if not cls._matches(dtype):
            raise DataTypeValidationError(f"Invalid data type: {dtype}. Expected an instance of {cls.dtype_cls}")
        return cls._of(dtype)

    @classmethod
    def _matches(cls, dtype: np.dtype) -> bool:
        return type(dtype) is cls.dtype_cls

    @classmethod
    def _of(cls, dtype: np.dtype) -> ZDType:
        return cls()

    def to_native_dtype(self) -> np.dtype:
        raise NotImplementedError

    # metadata JSON
    def to_json(self, zarr_format: int):
        if zarr_format == 2:
            return {"name": self._v2_name(), "object_codec_id": None}
        if zarr_format == 3:
            return self._v3_json()
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")

    def _v2_name(self):
        return self.to_native_dtype().str

    def _v3_json(self):
        return self._zarr_v3_name

    @classmethod
    def from_json(cls, data, *, zarr_format: int) -> ZDType:
        if zarr_format == 2:
            if not (isinstance(data, dict) and set(data) == {"name", "object_codec_id"}):
                raise _invalid(cls, data, "an object with the keys 'name' and 'object_codec_id'")
            return cls._from_v2(data["name"], data["object_codec_id"])
        if zarr_format == 3:
            return cls._from_v3(data)
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")

    @classmethod
    def _from_v2(cls, name, object_codec_id) -> ZDType:
        if object_codec_id is None and isinstance(name, str):
            try:
                dtype = np.dtype(name)
            except TypeError:
                dtype = None
            if dtype is not None and cls._matches(dtype) and dtype.str == name:
                return cls._of(dtype)
        raise _invalid(cls, {"name": name, "object_codec_id": object_codec_id}, f"a v2 {cls.__name__} name")

    @classmethod
    def _from_v3(cls, data) -> ZDType:
        if data == cls._zarr_v3_name:
            return cls()
        raise _invalid(cls, data, f"the string {cls._zarr_v3_name!r}")

    # scalars
    def default_scalar(self):
        return self.to_native_dtype().type(0)

    def cast_scalar(self, data):
        """``data`` as a scalar of this type (TypeError when it is not one)."""
        if isinstance(data, (numbers.Number, str, bytes, np.generic)) and not isinstance(data, np.void):
            return self.to_native_dtype().type(data)
        raise TypeError(f"Cannot convert object {data!r} with type {type(data)} to a scalar compatible with the "
                        f"data type {self!r}.")

    def to_json_scalar(self, data, *, zarr_format: int):
        return self._scalar_to_json(self.cast_scalar(data), zarr_format)

    def from_json_scalar(self, data, *, zarr_format: int):
        raise NotImplementedError

    def _scalar_to_json(self, value, zarr_format: int):
        return value.item()


# ----- booleans and numbers


@dataclasses.dataclass(frozen=True, kw_only=True)
class Bool(ZDType):
    dtype_cls: ClassVar[type] = type(np.dtype("?"))
    _zarr_v3_name: ClassVar[str] = "bool"

    def to_native_dtype(self) -> np.dtype:
        return np.dtype("?")

    def cast_scalar(self, data):
        return np.bool_(data)

    def from_json_scalar(self, data, *, zarr_format: int):
        if isinstance(data, bool):
            return np.bool_(data)
        raise TypeError(f"Invalid type: {data!r}. Expected a boolean.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Endian(ZDType):
    """A type of items over one byte: its endianness is the NumPy dtype's (v3 metadata has none)."""

    endianness: str = "little"
    _char: ClassVar[str]

    def __post_init__(self):
        if self.endianness not in _ENDIAN:
            raise ValueError(f"endianness must be 'little' or 'big', got {self.endianness!r}")

    @classmethod
    def _of(cls, dtype: np.dtype) -> ZDType:
        return cls(endianness=_endianness(dtype))

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(self._char).newbyteorder(_ENDIAN[self.endianness])


class _Integer:
    def from_json_scalar(self, data, *, zarr_format: int):
        if isinstance(data, int) and not isinstance(data, bool):
            return self.to_native_dtype().type(data)
        raise TypeError(f"Invalid type: {data!r}. Expected an integer.")


def _int_type(name: str, char: str, size: int):
    if size == 1:
        @dataclasses.dataclass(frozen=True, kw_only=True)
        class T(_Integer, ZDType):
            dtype_cls: ClassVar[type] = type(np.dtype(char))
            _zarr_v3_name: ClassVar[str] = name

            def to_native_dtype(self) -> np.dtype:
                return np.dtype(char)
    else:
        @dataclasses.dataclass(frozen=True, kw_only=True)
        class T(_Integer, _Endian):
            dtype_cls: ClassVar[type] = type(np.dtype(char))
            _zarr_v3_name: ClassVar[str] = name
            _char: ClassVar[str] = char
    return T


def _float_to_json(value: float):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def _float_from_json(data, dtype: np.dtype, zarr_format: int):
    if isinstance(data, str):
        if data in _FLOAT_WORDS:
            return dtype.type(_FLOAT_WORDS[data])
        if zarr_format == 3 and data.startswith("0x"):  # the IEEE 754 bits, as v3 allows
            try:
                bits = int(data, 16).to_bytes(dtype.itemsize, "big")
            except (ValueError, OverflowError):
                raise TypeError(f"Invalid hex float {data!r} for a {dtype.itemsize}-byte float.") from None
            return np.frombuffer(bits, dtype.newbyteorder(">"))[0].astype(dtype.newbyteorder("="))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        return dtype.type(data)
    raise TypeError(f"Invalid type: {data!r}. Expected a float or a special string encoding of a float.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Float(_Endian):
    def _scalar_to_json(self, value, zarr_format: int):
        return _float_to_json(float(value))

    def from_json_scalar(self, data, *, zarr_format: int):
        return _float_from_json(data, self.to_native_dtype(), zarr_format)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Complex(_Endian):
    def cast_scalar(self, data):
        if isinstance(data, (list, tuple)) and len(data) == 2:
            data = complex(*data)
        return super().cast_scalar(data)

    def _scalar_to_json(self, value, zarr_format: int):
        return (_float_to_json(float(value.real)), _float_to_json(float(value.imag)))

    def from_json_scalar(self, data, *, zarr_format: int):
        if isinstance(data, (list, tuple)) and len(data) == 2:
            part = np.dtype(f"f{self.to_native_dtype().itemsize // 2}")
            re, im = (float(_float_from_json(x, part, zarr_format)) for x in data)
            return self.to_native_dtype().type(complex(re, im))
        raise TypeError(f"Invalid type: {data!r}. Expected a pair of floats.")


def _number_type(base, name: str, char: str):
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class T(base):
        dtype_cls: ClassVar[type] = type(np.dtype(char))
        _zarr_v3_name: ClassVar[str] = name
        _char: ClassVar[str] = char
    return T


def _named(cls, name: str):
    cls.__name__ = cls.__qualname__ = name
    cls.__module__ = __name__
    return cls


Int8 = _named(_int_type("int8", "i1", 1), "Int8")
UInt8 = _named(_int_type("uint8", "u1", 1), "UInt8")
Int16 = _named(_int_type("int16", "i2", 2), "Int16")
Int32 = _named(_int_type("int32", "i4", 4), "Int32")
Int64 = _named(_int_type("int64", "i8", 8), "Int64")
UInt16 = _named(_int_type("uint16", "u2", 2), "UInt16")
UInt32 = _named(_int_type("uint32", "u4", 4), "UInt32")
UInt64 = _named(_int_type("uint64", "u8", 8), "UInt64")
Float16 = _named(_number_type(_Float, "float16", "f2"), "Float16")
Float32 = _named(_number_type(_Float, "float32", "f4"), "Float32")
Float64 = _named(_number_type(_Float, "float64", "f8"), "Float64")
Complex64 = _named(_number_type(_Complex, "complex64", "c8"), "Complex64")
Complex128 = _named(_number_type(_Complex, "complex128", "c16"), "Complex128")


# ----- strings and bytes


def _check_length(length) -> None:
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be >= 1, got {length}.")


def _b64(value: bytes) -> str:
    return base64.standard_b64encode(value).decode("ascii")


def _from_b64(cls, data) -> bytes:
    if isinstance(data, str):
        try:
            return base64.standard_b64decode(data.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            pass
    raise TypeError(f"Invalid type: {data!r}. Expected a base64-encoded string for {cls.__name__}.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class FixedLengthUTF32(ZDType):
    """NumPy's ``U`` strings of ``length`` characters (v3: ``fixed_length_utf32``, in bytes)."""

    length: int
    endianness: str = "little"
    dtype_cls: ClassVar[type] = type(np.dtype("U1"))
    _zarr_v3_name: ClassVar[str] = "fixed_length_utf32"

    def __post_init__(self):
        _Endian.__post_init__(self)
        _check_length(self.length)

    @classmethod
    def _matches(cls, dtype: np.dtype) -> bool:
        return type(dtype) is cls.dtype_cls and dtype.itemsize > 0

    @classmethod
    def _of(cls, dtype: np.dtype) -> ZDType:
        return cls(length=dtype.itemsize // 4, endianness=_endianness(dtype))

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"U{self.length}").newbyteorder(_ENDIAN[self.endianness])

    def _v3_json(self):
        return {"name": self._zarr_v3_name, "configuration": {"length_bytes": self.length * 4}}

    @classmethod
    def _from_v3(cls, data) -> ZDType:
        length = _configured(cls, data, "length_bytes")
        if length % 4:
            raise _invalid(cls, data, "length_bytes a multiple of 4")
        return cls(length=length // 4)

    def default_scalar(self):
        return np.str_("")

    def cast_scalar(self, data):
        return np.array(str(data), dtype=self.to_native_dtype())[()]

    def to_json_scalar(self, data, *, zarr_format: int):
        return str(data)  # (as zarr-python: not cut to the length)

    def _scalar_to_json(self, value, zarr_format: int):
        return str(value)

    def from_json_scalar(self, data, *, zarr_format: int):
        if isinstance(data, str):
            return np.str_(data)
        raise TypeError(f"Invalid type: {data!r}. Expected a string.")


def _configured(cls, data, key: str) -> int:
    """The ``key`` of the configuration of a v3 ``{"name": ..., "configuration": {key: n}}``."""
    if (isinstance(data, dict) and set(data) == {"name", "configuration"} and data["name"] == cls._zarr_v3_name
            and isinstance(data["configuration"], dict) and set(data["configuration"]) == {key}):
        value = data["configuration"][key]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    raise _invalid(cls, data, f'{{"name": {cls._zarr_v3_name!r}, "configuration": {{"{key}": <a positive integer>}}}}')


@dataclasses.dataclass(frozen=True, kw_only=True)
class _FixedBytes(ZDType):
    length: int

    def __post_init__(self):
        _check_length(self.length)

    @classmethod
    def _matches(cls, dtype: np.dtype) -> bool:
        return type(dtype) is cls.dtype_cls and dtype.itemsize > 0 and dtype.fields is None

    @classmethod
    def _of(cls, dtype: np.dtype) -> ZDType:
        return cls(length=dtype.itemsize)

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"{self._char}{self.length}")

    def _v3_json(self):
        return {"name": self._zarr_v3_name, "configuration": {"length_bytes": self.length}}

    @classmethod
    def _from_v3(cls, data) -> ZDType:
        return cls(length=_configured(cls, data, "length_bytes"))

    def cast_scalar(self, data):
        if isinstance(data, (bytes, str, np.bytes_, np.void)):
            return np.array(bytes(data) if isinstance(data, np.void) else data, dtype=self.to_native_dtype())[()]
        raise TypeError(f"Cannot convert object {data!r} with type {type(data)} to a scalar compatible with the "
                        f"data type {self!r}.")

    def _scalar_to_json(self, value, zarr_format: int):
        return _b64(value.tobytes() if isinstance(value, np.void) else bytes(value))

    def from_json_scalar(self, data, *, zarr_format: int):
        return self.cast_scalar(_from_b64(type(self), data))


@dataclasses.dataclass(frozen=True, kw_only=True)
class NullTerminatedBytes(_FixedBytes):
    """NumPy's ``S`` strings of ``length`` bytes."""

    dtype_cls: ClassVar[type] = type(np.dtype("S1"))
    _zarr_v3_name: ClassVar[str] = "null_terminated_bytes"
    _char: ClassVar[str] = "S"

    def default_scalar(self):
        return np.bytes_(b"")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RawBytes(_FixedBytes):
    """NumPy's ``V`` items of ``length`` bytes (no fields)."""

    dtype_cls: ClassVar[type] = type(np.dtype("V1"))
    _zarr_v3_name: ClassVar[str] = "raw_bytes"
    _char: ClassVar[str] = "V"

    def default_scalar(self):
        return np.void(bytes(self.length))


@dataclasses.dataclass(frozen=True, kw_only=True)
class VariableLengthUTF8(ZDType):
    """Strings of any length (v2: ``|O`` with the ``vlen-utf8`` codec; v3: ``string``). NumPy's
    ``StringDType`` is its native type (brickwork's arrays return these as object arrays of ``str``)."""

    dtype_cls: ClassVar[type] = _STRING_DTYPE or type(np.dtype(object))
    _zarr_v3_name: ClassVar[str] = "string"

    def to_native_dtype(self) -> np.dtype:
        if _STRING_DTYPE is None:
            raise DataTypeValidationError("NumPy's StringDType (NumPy 2) is VariableLengthUTF8's native type; this "
                                          f"NumPy is {np.__version__} (brickwork reads such strings as object arrays)")
        return _STRING_DTYPE()

    def to_json(self, zarr_format: int):
        return {"name": "|O", "object_codec_id": "vlen-utf8"} if zarr_format == 2 else super().to_json(zarr_format)

    @classmethod
    def _from_v2(cls, name, object_codec_id) -> ZDType:
        if name == "|O" and object_codec_id == "vlen-utf8":
            return cls()
        raise _invalid(cls, {"name": name, "object_codec_id": object_codec_id},
                       "{'name': '|O', 'object_codec_id': 'vlen-utf8'}")

    def default_scalar(self):
        return ""

    def cast_scalar(self, data):
        return str(data)

    def _scalar_to_json(self, value, zarr_format: int):
        return value

    def from_json_scalar(self, data, *, zarr_format: int):
        if isinstance(data, str):
            return data
        raise TypeError(f"Invalid type: {data!r}. Expected a string.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class VariableLengthBytes(ZDType):
    """Byte strings of any length (v2: ``|O`` with the ``vlen-bytes`` codec; v3:
    ``variable_length_bytes``); NumPy's object dtype is its native type."""

    dtype_cls: ClassVar[type] = type(np.dtype(object))
    _zarr_v3_name: ClassVar[str] = "variable_length_bytes"

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(object)

    def to_json(self, zarr_format: int):
        return {"name": "|O", "object_codec_id": "vlen-bytes"} if zarr_format == 2 else super().to_json(zarr_format)

    @classmethod
    def _from_v2(cls, name, object_codec_id) -> ZDType:
        if name == "|O" and object_codec_id == "vlen-bytes":
            return cls()
        raise _invalid(cls, {"name": name, "object_codec_id": object_codec_id},
                       "{'name': '|O', 'object_codec_id': 'vlen-bytes'}")

    @classmethod
    def _from_v3(cls, data) -> ZDType:
        return cls() if data == "bytes" else super()._from_v3(data)

    def default_scalar(self):
        return b""

    def cast_scalar(self, data):
        if isinstance(data, str):
            return data.encode()
        if isinstance(data, (bytes, bytearray, memoryview, np.bytes_)):
            return bytes(data)
        raise TypeError(f"Cannot convert object {data!r} with type {type(data)} to a scalar compatible with the "
                        f"data type {self!r}.")

    def _scalar_to_json(self, value, zarr_format: int):
        return _b64(value)

    def from_json_scalar(self, data, *, zarr_format: int):
        return _from_b64(type(self), data)


# ----- dates and durations


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Time(_Endian):
    scale_factor: int = 1
    unit: str = "generic"

    def __post_init__(self):
        super().__post_init__()
        if self.unit not in _UNITS:
            raise ValueError(f"unit must be one of {', '.join(_UNITS)}; got {self.unit!r}")
        if not isinstance(self.scale_factor, int) or isinstance(self.scale_factor, bool) or not (
                0 < self.scale_factor < 2 ** 31):
            raise ValueError(f"scale_factor must be a positive integer below 2**31, got {self.scale_factor!r}")

    @classmethod
    def _of(cls, dtype: np.dtype) -> ZDType:
        unit, scale = np.datetime_data(dtype)
        return cls(endianness=_endianness(dtype), scale_factor=scale, unit=unit)

    def _spec(self) -> str:
        return "" if self.unit == "generic" else f"[{self.scale_factor if self.scale_factor != 1 else ''}{self.unit}]"

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"{self._char}8{self._spec()}").newbyteorder(_ENDIAN[self.endianness])

    def _v3_json(self):
        return {"name": self._zarr_v3_name, "configuration": {"unit": self.unit, "scale_factor": self.scale_factor}}

    @classmethod
    def _from_v3(cls, data) -> ZDType:
        if (isinstance(data, dict) and set(data) == {"name", "configuration"} and data["name"] == cls._zarr_v3_name
                and isinstance(data["configuration"], dict)
                and set(data["configuration"]) == {"unit", "scale_factor"}):
            try:
                return cls(**data["configuration"])
            except (TypeError, ValueError):
                pass
        raise _invalid(cls, data, f'{{"name": {cls._zarr_v3_name!r}, "configuration": {{"unit": ..., '
                                  f'"scale_factor": ...}}}}')

    def _native(self) -> np.dtype:
        return self.to_native_dtype().newbyteorder("=")

    def _of_int(self, value: int):
        return np.array(value, dtype="i8").view(self._native())[()]

    def default_scalar(self):
        return self._of_int(-(2 ** 63))  # NaT

    def cast_scalar(self, data):
        if isinstance(data, (int, np.integer)) and not isinstance(data, (bool, np.bool_, np.timedelta64)):
            return self._of_int(int(data))
        if isinstance(data, (str, np.datetime64, np.timedelta64, datetime.date, datetime.timedelta)):
            try:
                return np.array(data).astype(self._native())[()]
            except (TypeError, ValueError) as e:
                raise TypeError(f"Cannot convert {data!r} to {self!r}: {e}") from None
        raise TypeError(f"Cannot convert object {data!r} with type {type(data)} to a scalar compatible with the "
                        f"data type {self!r}.")

    def _scalar_to_json(self, value, zarr_format: int):
        return int(np.array(value).view("i8"))

    def from_json_scalar(self, data, *, zarr_format: int):
        if isinstance(data, int) and not isinstance(data, bool):
            return self._of_int(data)
        raise TypeError(f"Invalid type: {data!r}. Expected an integer.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DateTime64(_Time):
    """NumPy's ``datetime64`` (v3: ``numpy.datetime64`` with its unit and scale factor)."""

    dtype_cls: ClassVar[type] = type(np.dtype("M8"))
    _zarr_v3_name: ClassVar[str] = "numpy.datetime64"
    _char: ClassVar[str] = "M"


@dataclasses.dataclass(frozen=True, kw_only=True)
class TimeDelta64(_Time):
    """NumPy's ``timedelta64`` (v3: ``numpy.timedelta64`` with its unit and scale factor)."""

    dtype_cls: ClassVar[type] = type(np.dtype("m8"))
    _zarr_v3_name: ClassVar[str] = "numpy.timedelta64"
    _char: ClassVar[str] = "m"


# ----- structures


@dataclasses.dataclass(frozen=True, kw_only=True)
class Struct(ZDType):
    """A NumPy structured dtype, its fields packed (v2: a list of ``[name, type]``; v3: ``struct``,
    fields as ``{"name": ..., "data_type": ...}``; fill values: base64 of the packed bytes in v2, an
    object of the fields' values in v3)."""

    fields: tuple
    dtype_cls: ClassVar[type] = type(np.dtype("V1"))
    _zarr_v3_name: ClassVar[str] = "struct"

    def __post_init__(self):
        fields = tuple(tuple(f) for f in self.fields)
        if not fields or any(len(f) != 2 or not isinstance(f[0], str) or not isinstance(f[1], ZDType)
                             for f in fields):
            raise ValueError(f"fields must be a non-empty sequence of (name, ZDType) pairs, got {self.fields!r}")
        if len({name for name, _ in fields}) != len(fields):
            raise ValueError(f"field names must differ, got {[name for name, _ in fields]}")
        object.__setattr__(self, "fields", fields)

    @classmethod
    def _matches(cls, dtype: np.dtype) -> bool:
        return type(dtype) is cls.dtype_cls and dtype.fields is not None

    @classmethod
    def _of(cls, dtype: np.dtype) -> ZDType:
        fields = []
        for name in dtype.names:
            field, _offset, *title = dtype.fields[name]
            if title or field.subdtype is not None:
                raise DataTypeValidationError(f"the field {name!r} of {dtype} has a title or a subarray, which Zarr "
                                              "cannot represent")
            fields.append((name, _zdtype_of(field)))
        return cls(fields=tuple(fields))

    def to_native_dtype(self) -> np.dtype:
        return np.dtype([(name, t.to_native_dtype()) for name, t in self.fields])

    def _v2_name(self):
        return [[name, t._v2_name()] for name, t in self.fields]

    def _v3_json(self):
        return {"name": self._zarr_v3_name, "configuration": {
            "fields": [{"name": name, "data_type": t.to_json(zarr_format=3)} for name, t in self.fields]}}

    @classmethod
    def _from_v2(cls, name, object_codec_id) -> ZDType:
        def fields(spec):
            return [(f[0], fields(f[1]) if isinstance(f[1], list) else f[1]) for f in spec]

        if object_codec_id is None and isinstance(name, list):
            try:
                return cls._of(np.dtype(fields(name)))
            except (TypeError, ValueError, IndexError):
                pass
        raise _invalid(cls, {"name": name, "object_codec_id": object_codec_id}, "a list of [name, dtype] fields")

    @classmethod
    def _from_v3(cls, data) -> ZDType:
        if (isinstance(data, dict) and set(data) == {"name", "configuration"}
                and data["name"] in ("struct", "structured") and isinstance(data["configuration"], dict)
                and isinstance(data["configuration"].get("fields"), list)):
            fields = []
            for f in data["configuration"]["fields"]:
                if isinstance(f, dict) and set(f) == {"name", "data_type"}:
                    fields.append((f["name"], data_type_registry.match_json(f["data_type"], zarr_format=3)))
                elif isinstance(f, (list, tuple)) and len(f) == 2:  # the legacy "structured" form
                    fields.append((f[0], data_type_registry.match_json(f[1], zarr_format=3)))
                else:
                    raise _invalid(cls, data, "fields of {'name': ..., 'data_type': ...}")
            return cls(fields=tuple(fields))
        raise _invalid(cls, data, '{"name": "struct", "configuration": {"fields": [...]}}')

    def default_scalar(self):
        return np.zeros((), dtype=self.to_native_dtype())[()]

    def cast_scalar(self, data):
        dtype = self.to_native_dtype()
        if isinstance(data, bytes):
            if len(data) != dtype.itemsize:
                raise TypeError(f"{len(data)} bytes are no {self!r} (of {dtype.itemsize} bytes)")
            return np.frombuffer(data, dtype=dtype)[0]
        if isinstance(data, dict):
            data = tuple(data[name] for name, _ in self.fields)
        if isinstance(data, (tuple, list, np.void)):
            return np.array(tuple(data) if not isinstance(data, np.void) else data, dtype=dtype)[()]
        raise TypeError(f"Cannot convert object {data!r} with type {type(data)} to a scalar compatible with the "
                        f"data type {self!r}.")

    def _scalar_to_json(self, value, zarr_format: int):
        if zarr_format == 2:
            return _b64(value.tobytes())
        return {name: t._scalar_to_json(t.cast_scalar(value[name]), 3) for name, t in self.fields}

    def from_json_scalar(self, data, *, zarr_format: int):
        if zarr_format == 2:
            return self.cast_scalar(_from_b64(type(self), data))
        if isinstance(data, dict) and set(data) == {name for name, _ in self.fields}:
            return self.cast_scalar({name: t.from_json_scalar(data[name], zarr_format=3) for name, t in self.fields})
        raise TypeError(f"Invalid type: {data!r}. Expected an object of the fields {[n for n, _ in self.fields]}.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Structured(Struct):
    """zarr-python's earlier name of :class:`Struct`, whose v3 JSON is ``structured`` with fields as
    ``[name, data_type]`` pairs (read by :class:`Struct` too)."""

    _zarr_v3_name: ClassVar[str] = "structured"

    def _v3_json(self):
        return {"name": self._zarr_v3_name, "configuration": {
            "fields": [[name, t.to_json(zarr_format=3)] for name, t in self.fields]}}


# ----- the registry and parse_dtype


class DataTypeRegistry:
    """The data types by v3 name (zarr-python's ``zarr.dtype.data_type_registry``)."""

    def __init__(self, contents: dict[str, type[ZDType]]):
        self.contents = dict(contents)

    def __repr__(self) -> str:
        return f"DataTypeRegistry(contents={self.contents!r})"

    def register(self, key: str, cls: type[ZDType]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, ZDType)):
            raise TypeError(f"{cls!r} is not a ZDType class")
        self.contents[key] = cls

    def unregister(self, key: str) -> None:
        if key not in self.contents:
            raise KeyError(f"no data type {key!r} is registered")
        del self.contents[key]

    def get(self, key: str) -> type[ZDType]:
        return self.contents[key]

    def match_dtype(self, dtype) -> ZDType:
        dtype = np.dtype(dtype)
        if dtype == np.dtype(object):
            raise ValueError("Zarr data type resolution from object failed: NumPy's object dtype stands for "
                             "several Zarr data types; give one (VariableLengthUTF8() for strings, "
                             "VariableLengthBytes() for bytes)")
        for cls in self.contents.values():
            if cls._matches(dtype):
                return cls.from_native_dtype(dtype)
        raise ValueError(f"No Zarr data type found that matches dtype {dtype!r}")

    def match_json(self, data, *, zarr_format: int) -> ZDType:
        for cls in self.contents.values():
            try:
                return cls.from_json(data, zarr_format=zarr_format)
            except DataTypeValidationError:
                continue
        raise ValueError(f"No Zarr data type found that matches {data!r} (Zarr format {zarr_format})")


data_type_registry = DataTypeRegistry({cls._zarr_v3_name: cls for cls in (
    Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Float32, Float64, Complex64,
    Complex128, FixedLengthUTF32, VariableLengthUTF8, RawBytes, NullTerminatedBytes, VariableLengthBytes, Struct,
    DateTime64, TimeDelta64)})


def _zdtype_of(dtype: np.dtype) -> ZDType:
    return data_type_registry.match_dtype(dtype)


def parse_dtype(dtype_spec, *, zarr_format: int) -> ZDType:
    """The data type ``dtype_spec`` names: a ZDType (itself), ``str`` or ``"str"`` (variable-length
    strings), a v3 JSON name or object (with ``zarr_format=3``), or anything ``numpy.dtype`` takes
    (None: float64)."""
    if isinstance(dtype_spec, ZDType):
        return dtype_spec
    if dtype_spec is str or (isinstance(dtype_spec, str) and dtype_spec in ("str", "string")):
        return VariableLengthUTF8()
    if zarr_format == 3 and isinstance(dtype_spec, (str, dict)):
        try:
            return data_type_registry.match_json(dtype_spec, zarr_format=3)
        except ValueError:
            if isinstance(dtype_spec, dict):
                raise
    if isinstance(dtype_spec, dict):
        raise ValueError(f"{dtype_spec!r} is a Zarr v3 data type, not one of Zarr v2 (zarr_format={zarr_format})")
    return data_type_registry.match_dtype(np.dtype(dtype_spec))


def native(dtype) -> Any:
    """What brickwork's creation functions take for a ``dtype`` argument that may be a ZDType (or
    ``str``/``StringDType``, zarr-python's variable-length strings): a NumPy dtype, object for strings."""
    strings = _STRING_DTYPE is not None and isinstance(dtype, _STRING_DTYPE)
    if isinstance(dtype, VariableLengthUTF8) or dtype is str or strings or (
            isinstance(dtype, str) and dtype in ("str", "string")):
        return np.dtype(object)
    if isinstance(dtype, ZDType):
        return dtype.to_native_dtype()
    return np.dtype(dtype)

