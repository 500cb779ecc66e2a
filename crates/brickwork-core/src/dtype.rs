//! NumPy dtypes: parsing every spelling numcodecs configs and `.npy` headers use, printing `dtype.str`.
//!
//! Accepted spellings (NumPy's `np.dtype(...)` subset that appears in real data):
//! * `dtype.str` forms: `<f8`, `>i4`, `|u1`, `|b1`, `|S3`, `<U5`, `|V16`, `|O`, `<M8[ns]`, `<m8[10s]`;
//! * short forms with native (little-endian) order: `f8`, `i4`, `u1`, `?`, `b1`, `S10`, `U4`, `c16`;
//! * one-letter type codes: `b B h H i I l L q Q e f d F D ? O S U V M m`;
//! * NumPy names: `float64`, `int16`, `uint8`, `bool`, `complex128`, `datetime64[ns]`, `str`, `bytes`,
//!   `object`, and the Python builtins `int`, `float`, `complex`.
//!
//! Byte-order prefixes: `<` little, `>` and `!` big, `=` native, `|` not applicable. The host is assumed
//! little-endian, as every platform numcodecs ships wheels for is.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Byte order of a dtype's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endian {
    /// `<`
    Little,
    /// `>`
    Big,
    /// `|`: one-byte numbers, bool, bytes, void and object.
    NotApplicable,
}

/// The unit of a datetime64/timedelta64 dtype, e.g. `ns` or `10s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeUnit {
    /// The base unit: `Y M W D h m s ms us ns ps fs as`.
    pub base: DateBase,
    /// The multiplier (`10` in `M8[10s]`), at least 1.
    pub count: u32,
}

/// Base units of NumPy datetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum DateBase {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Milli,
    Micro,
    Nano,
    Pico,
    Femto,
    Atto,
}

const DATE_BASES: &[(&str, DateBase)] = &[
    ("Y", DateBase::Year),
    ("M", DateBase::Month),
    ("W", DateBase::Week),
    ("D", DateBase::Day),
    ("h", DateBase::Hour),
    ("m", DateBase::Minute),
    ("s", DateBase::Second),
    ("ms", DateBase::Milli),
    ("us", DateBase::Micro),
    ("μs", DateBase::Micro),
    ("ns", DateBase::Nano),
    ("ps", DateBase::Pico),
    ("fs", DateBase::Femto),
    ("as", DateBase::Atto),
];

impl DateBase {
    /// NumPy's code for the unit (`"ms"` for [`DateBase::Milli`]).
    pub fn code(self) -> &'static str {
        DATE_BASES
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("s", |(c, _)| c)
    }
}

/// What kind of values a dtype holds (NumPy's `dtype.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `b`: bool, one byte.
    Bool,
    /// `i`: signed integer.
    Int,
    /// `u`: unsigned integer.
    UInt,
    /// `f`: IEEE float (2, 4 or 8 bytes).
    Float,
    /// `c`: complex (8 or 16 bytes).
    Complex,
    /// `S`: fixed-width byte string.
    Bytes,
    /// `U`: fixed-width UTF-32 string (itemsize = 4 × characters).
    Unicode,
    /// `V`: raw bytes.
    Void,
    /// `O`: Python objects (only meaningful for object codecs).
    Object,
    /// `M`: datetime64 with an optional unit (None = generic).
    DateTime(Option<TimeUnit>),
    /// `m`: timedelta64 with an optional unit (None = generic).
    TimeDelta(Option<TimeUnit>),
}

/// A NumPy dtype: kind, item size in bytes and byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DType {
    kind: Kind,
    itemsize: usize,
    endian: Endian,
}

/// The largest item size accepted (NumPy's own limit for flexible types is `i32::MAX`).
const MAX_ITEMSIZE: usize = i32::MAX as usize;

impl DType {
    /// `|u1`, the dtype of raw bytes.
    pub const U8: DType = DType {
        kind: Kind::UInt,
        itemsize: 1,
        endian: Endian::NotApplicable,
    };

    /// Builds a dtype, checking that the kind, size and byte order go together.
    pub fn new(kind: Kind, itemsize: usize, endian: Endian) -> Result<Self> {
        let bad = |reason: &str| Error::InvalidDType {
            spec: format!("{kind:?} of {itemsize} bytes"),
            reason: reason.to_owned(),
        };
        let ok_size = match kind {
            Kind::Bool => itemsize == 1,
            Kind::Int | Kind::UInt => matches!(itemsize, 1 | 2 | 4 | 8),
            Kind::Float => matches!(itemsize, 2 | 4 | 8),
            Kind::Complex => matches!(itemsize, 8 | 16),
            Kind::DateTime(_) | Kind::TimeDelta(_) => itemsize == 8,
            Kind::Object => itemsize == 8,
            Kind::Unicode => itemsize.is_multiple_of(4) && itemsize <= MAX_ITEMSIZE,
            Kind::Bytes | Kind::Void => itemsize <= MAX_ITEMSIZE,
        };
        if !ok_size {
            return Err(bad("this kind does not come in that size"));
        }
        let endian = if itemsize <= 1 || matches!(kind, Kind::Bool | Kind::Bytes | Kind::Void | Kind::Object)
        {
            Endian::NotApplicable
        } else if endian == Endian::NotApplicable {
            Endian::Little
        } else {
            endian
        };
        Ok(DType {
            kind,
            itemsize,
            endian,
        })
    }

    /// The kind of values.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Bytes per item.
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// Byte order.
    pub fn endian(&self) -> Endian {
        self.endian
    }

    /// NumPy's one-letter `dtype.kind`.
    pub fn kind_char(&self) -> char {
        match self.kind {
            Kind::Bool => 'b',
            Kind::Int => 'i',
            Kind::UInt => 'u',
            Kind::Float => 'f',
            Kind::Complex => 'c',
            Kind::Bytes => 'S',
            Kind::Unicode => 'U',
            Kind::Void => 'V',
            Kind::Object => 'O',
            Kind::DateTime(_) => 'M',
            Kind::TimeDelta(_) => 'm',
        }
    }

    /// True for integer, unsigned, float, complex and bool dtypes.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.kind,
            Kind::Bool | Kind::Int | Kind::UInt | Kind::Float | Kind::Complex
        )
    }

    /// True if the items are stored big-endian.
    pub fn is_big_endian(&self) -> bool {
        self.endian == Endian::Big
    }

    /// The same dtype in little-endian byte order.
    pub fn to_little_endian(&self) -> DType {
        let mut d = *self;
        if d.endian == Endian::Big {
            d.endian = Endian::Little;
        }
        d
    }

    /// How numcodecs' `ensure_contiguous_ndarray` sees the dtype: datetimes and timedeltas as `<i8`.
    pub fn as_buffer_dtype(&self) -> DType {
        match self.kind {
            Kind::DateTime(_) | Kind::TimeDelta(_) => DType {
                kind: Kind::Int,
                itemsize: 8,
                endian: self.endian,
            },
            _ => *self,
        }
    }

    /// Parses any of the spellings listed in the module docs.
    pub fn parse(spec: &str) -> Result<Self> {
        let err = |reason: String| Error::InvalidDType {
            spec: spec.to_owned(),
            reason,
        };
        let s = spec.trim();
        if s.is_empty() {
            return Err(err("empty dtype string".into()));
        }
        if let Some(d) = parse_name(s) {
            return d.map_err(err);
        }
        let (endian, rest) = match s.as_bytes()[0] {
            b'<' => (Some(Endian::Little), &s[1..]),
            b'>' | b'!' => (Some(Endian::Big), &s[1..]),
            b'=' => (Some(Endian::Little), &s[1..]),
            b'|' => (Some(Endian::NotApplicable), &s[1..]),
            _ => (None, s),
        };
        let mut chars = rest.chars();
        let code = chars
            .next()
            .ok_or_else(|| err("a byte-order mark must be followed by a type".into()))?;
        let tail = chars.as_str();
        let (num, unit) = match tail.find('[') {
            Some(i) => (&tail[..i], Some(&tail[i..])),
            None => (tail, None),
        };
        let size: Option<usize> = if num.is_empty() {
            None
        } else {
            Some(
                num.parse()
                    .map_err(|_| err(format!("{num:?} is not an item size")))?,
            )
        };
        let kind_and_size: (Kind, usize) = match (code, size) {
            ('?', None) => (Kind::Bool, 1),
            ('b', None) => (Kind::Int, 1),
            ('B', None) => (Kind::UInt, 1),
            ('h', None) => (Kind::Int, 2),
            ('H', None) => (Kind::UInt, 2),
            ('i', None) => (Kind::Int, 4),
            ('I', None) => (Kind::UInt, 4),
            ('l' | 'q' | 'p', None) => (Kind::Int, 8),
            ('L' | 'Q' | 'P', None) => (Kind::UInt, 8),
            ('e', None) => (Kind::Float, 2),
            ('f', None) => (Kind::Float, 4),
            ('d', None) => (Kind::Float, 8),
            ('F', None) => (Kind::Complex, 8),
            ('D', None) => (Kind::Complex, 16),
            ('O', None | Some(8)) => (Kind::Object, 8),
            ('b', Some(1)) => (Kind::Bool, 1),
            ('i', Some(n)) => (Kind::Int, n),
            ('u', Some(n)) => (Kind::UInt, n),
            ('f', Some(n)) => (Kind::Float, n),
            ('c', Some(n)) => (Kind::Complex, n),
            ('S' | 'a', n) => (Kind::Bytes, n.unwrap_or(0)),
            ('V', n) => (Kind::Void, n.unwrap_or(0)),
            ('U', n) => {
                let chars = n.unwrap_or(0);
                let bytes = chars
                    .checked_mul(4)
                    .filter(|b| *b <= MAX_ITEMSIZE)
                    .ok_or_else(|| err(format!("U{chars} is too wide")))?;
                (Kind::Unicode, bytes)
            }
            ('M' | 'm', None | Some(8)) => {
                let unit = match unit {
                    Some(u) => Some(parse_unit(u).map_err(err)?),
                    None => None,
                };
                (if code == 'M' { Kind::DateTime(unit) } else { Kind::TimeDelta(unit) }, 8)
            }
            _ => {
                return Err(err(
                    "expected a NumPy dtype such as '<f8', '|u1', 'i4', '?', '|S3', '<U5', '<M8[ns]' or 'float64'"
                        .into(),
                ))
            }
        };
        if unit.is_some() && !matches!(kind_and_size.0, Kind::DateTime(_) | Kind::TimeDelta(_)) {
            return Err(err(
                "only datetime64 (M8) and timedelta64 (m8) take a [unit]".into()
            ));
        }
        let (kind, itemsize) = kind_and_size;
        if endian == Some(Endian::NotApplicable) && itemsize > 1 && kind.is_multibyte_number() {
            return Err(err(
                "'|' (no byte order) is only valid for one-byte and non-numeric types".into(),
            ));
        }
        DType::new(kind, itemsize, endian.unwrap_or(Endian::Little)).map_err(|e| match e {
            Error::InvalidDType { reason, .. } => err(reason),
            other => other,
        })
    }
}

impl Kind {
    fn is_multibyte_number(self) -> bool {
        matches!(
            self,
            Kind::Int
                | Kind::UInt
                | Kind::Float
                | Kind::Complex
                | Kind::Unicode
                | Kind::DateTime(_)
                | Kind::TimeDelta(_)
        )
    }
}

fn parse_unit(u: &str) -> std::result::Result<TimeUnit, String> {
    let inner = u
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .ok_or_else(|| format!("bad datetime unit {u:?}"))?;
    let digits = inner.chars().take_while(|c| c.is_ascii_digit()).count();
    let (num, base) = inner.split_at(digits);
    let count: u32 = if num.is_empty() {
        1
    } else {
        num.parse().map_err(|_| format!("bad unit count {num:?}"))?
    };
    if count == 0 {
        return Err("a datetime unit count must be at least 1".into());
    }
    let base = DATE_BASES
        .iter()
        .find(|(c, _)| *c == base)
        .map(|(_, b)| *b)
        .ok_or_else(|| {
            format!("unknown datetime unit {base:?}; expected one of Y M W D h m s ms us ns ps fs as")
        })?;
    Ok(TimeUnit { base, count })
}

/// NumPy and Python type names (`float64`, `bool`, `int`, `datetime64[ns]`, ...).
fn parse_name(s: &str) -> Option<std::result::Result<DType, String>> {
    let (name, unit) = match s.find('[') {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    };
    let little = Endian::Little;
    let kind_size = match name {
        "bool" | "bool_" | "bool8" => (Kind::Bool, 1),
        "int8" | "byte" => (Kind::Int, 1),
        "uint8" | "ubyte" => (Kind::UInt, 1),
        "int16" | "short" => (Kind::Int, 2),
        "uint16" | "ushort" => (Kind::UInt, 2),
        "int32" | "intc" => (Kind::Int, 4),
        "uint32" | "uintc" => (Kind::UInt, 4),
        "int64" | "int" | "int_" | "long" | "longlong" | "intp" => (Kind::Int, 8),
        "uint64" | "uint" | "ulong" | "ulonglong" | "uintp" => (Kind::UInt, 8),
        "float16" | "half" => (Kind::Float, 2),
        "float32" | "single" => (Kind::Float, 4),
        "float64" | "float" | "double" | "float_" => (Kind::Float, 8),
        "complex64" | "csingle" => (Kind::Complex, 8),
        "complex128" | "complex" | "cdouble" | "complex_" => (Kind::Complex, 16),
        "object" | "object_" => (Kind::Object, 8),
        "bytes" | "bytes_" | "string_" => (Kind::Bytes, 0),
        "str" | "str_" | "unicode" | "unicode_" => (Kind::Unicode, 0),
        "void" => (Kind::Void, 0),
        "datetime64" | "timedelta64" => {
            let unit = match unit.map(parse_unit).transpose() {
                Ok(u) => u,
                Err(e) => return Some(Err(e)),
            };
            let kind = if name == "datetime64" {
                Kind::DateTime(unit)
            } else {
                Kind::TimeDelta(unit)
            };
            return Some(DType::new(kind, 8, little).map_err(|e| e.to_string()));
        }
        _ => return None,
    };
    if unit.is_some() {
        return Some(Err(format!("{name} takes no [unit]")));
    }
    Some(DType::new(kind_size.0, kind_size.1, little).map_err(|e| e.to_string()))
}

impl fmt::Display for DType {
    /// NumPy's `dtype.str`: `<f8`, `|u1`, `|S3`, `<U5`, `|O`, `<M8[ns]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order = match self.endian {
            Endian::Little => '<',
            Endian::Big => '>',
            Endian::NotApplicable => '|',
        };
        match self.kind {
            Kind::Object => write!(f, "|O"),
            Kind::Unicode => write!(f, "{order}U{}", self.itemsize / 4),
            Kind::DateTime(unit) | Kind::TimeDelta(unit) => {
                write!(f, "{order}{}8", self.kind_char())?;
                match unit {
                    Some(TimeUnit { base, count: 1 }) => write!(f, "[{}]", base.code()),
                    Some(TimeUnit { base, count }) => write!(f, "[{count}{}]", base.code()),
                    None => Ok(()),
                }
            }
            _ => write!(f, "{order}{}{}", self.kind_char(), self.itemsize),
        }
    }
}

impl FromStr for DType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        DType::parse(s)
    }
}

impl serde::Serialize for DType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DType::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn roundtrip(input: &str, expected: &str) {
        let d = DType::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(d.to_string(), expected, "parsing {input:?}");
        assert_eq!(DType::parse(expected).unwrap(), d);
    }

    #[test]
    fn dtype_str_forms_round_trip() {
        for s in [
            "<f8", ">f8", "<f4", "<f2", "|u1", "|i1", "<i2", ">i4", "<u8", "|b1", "|S3", "|S0", "<U5", ">U1",
            "|V16", "|O", "<M8[ns]", "<m8[m]", "<M8[10s]", "<M8", "<m8[us]", "<c16", "<c8", "<M8[D]",
        ] {
            roundtrip(s, s);
        }
    }

    #[test]
    fn short_forms_and_names() {
        for (input, expected) in [
            ("f8", "<f8"),
            ("i4", "<i4"),
            ("u1", "|u1"),
            ("?", "|b1"),
            ("b1", "|b1"),
            ("S10", "|S10"),
            ("U4", "<U4"),
            ("float64", "<f8"),
            ("float", "<f8"),
            ("int", "<i8"),
            ("int16", "<i2"),
            ("uint8", "|u1"),
            ("bool", "|b1"),
            ("complex128", "<c16"),
            ("datetime64[ns]", "<M8[ns]"),
            ("timedelta64[s]", "<m8[s]"),
            ("object", "|O"),
            ("O", "|O"),
            ("=i2", "<i2"),
            ("!i2", ">i2"),
            ("d", "<f8"),
            ("e", "<f2"),
            ("B", "|u1"),
            ("<i1", "|i1"),
            ("M8[ms]", "<M8[ms]"),
        ] {
            roundtrip(input, expected);
        }
    }

    #[test]
    fn rejects_garbage_with_a_clear_message() {
        for bad in [
            "",
            "<",
            "x8",
            "<f3",
            "<i16",
            "|f8",
            "<M8[parsec]",
            "<f8[ns]",
            "<M8[0s]",
            "U99999999999",
        ] {
            let e = DType::parse(bad).expect_err(bad).to_string();
            assert!(e.contains("invalid dtype"), "{bad}: {e}");
        }
    }

    #[test]
    fn itemsizes() {
        assert_eq!(DType::parse("<U5").unwrap().itemsize(), 20);
        assert_eq!(DType::parse("|S3").unwrap().itemsize(), 3);
        assert_eq!(
            DType::parse("<M8[ns]").unwrap().as_buffer_dtype().to_string(),
            "<i8"
        );
    }
}
