//! `fixedscaleoffset`: `round((x - offset) * scale)` stored in a (usually narrower) type (numcodecs'
//! `FixedScaleOffset`). Lossy.
//!
//! * Config (emitted in this order): `{"id": "fixedscaleoffset", "scale": 10, "offset": 1000,
//!   "dtype": "<f8", "astype": "|u1"}`. `scale`, `offset` and `dtype` are required; `astype` defaults to
//!   `dtype` and is always emitted. `scale` and `offset` keep their JSON form (an int stays an int, a float
//!   a float), because the arithmetic depends on it and the config must round-trip.
//! * Encode (the bytes viewed as `dtype`, memory order), NumPy 2 with NEP 50 ("weak" Python scalars):
//!   * float `dtype`: computed in that float type (float16 rounds after every step);
//!   * integer `dtype`, int `offset`: `x - offset` in the integer type (wrapping; an `offset` outside the
//!     type is an error, NumPy's OverflowError); then `* scale` in the integer type if `scale` is an int
//!     (same rule), else in float64;
//!   * integer `dtype`, float `offset`: everything in float64; bool `dtype` computes as int64;
//!   * `np.around` (round half to even), then the cast to `astype` (x86-64 results for out-of-range
//!     floats: `300.0 → u1 44`, NaN → 0).
//! * Decode (viewed as `astype`): `enc / scale + offset`, in `astype`'s precision for a float `astype`,
//!   in float64 for an integer or bool one; then cast to `dtype`.
//! * Complex dtypes are refused (numcodecs would round real and imaginary parts separately).
//! * Example: `offset=1000, scale=10, dtype='<f8', astype='|u1'` on `linspace(1000, 1001, 10)` →
//!   `00 01 02 03 04 06 07 08 09 0a`.

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Error, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::numeric::{
    decoded_size, is_big, item_count, map_cast, map_cast_into, not_object, with_elem, Bool, Elem, ElemKind,
    FloatElem, IntElem,
};

const ID: &str = "fixedscaleoffset";

/// numcodecs' `FixedScaleOffset(offset, scale, dtype, astype=None)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedScaleOffset {
    /// Multiplier applied after subtracting `offset` (an int or a float, as given).
    pub scale: Number,
    /// Value subtracted before scaling (an int or a float, as given).
    pub offset: Number,
    /// The element type of the data.
    pub dtype: DType,
    /// The element type of the encoded values.
    pub astype: DType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    scale: Number,
    offset: Number,
    dtype: DType,
    #[serde(default)]
    astype: Option<DType>,
}

/// A Python number: `int` or `float`.
#[derive(Debug, Clone, Copy)]
enum PyNum {
    Int(i128),
    Float(f64),
}

impl PyNum {
    fn of(n: &Number) -> Self {
        if let Some(i) = n.as_i64() {
            PyNum::Int(i128::from(i))
        } else if let Some(u) = n.as_u64() {
            PyNum::Int(i128::from(u))
        } else {
            PyNum::Float(n.as_f64().unwrap_or(f64::NAN))
        }
    }

    /// Python's `float(self)`.
    fn as_f64(self) -> f64 {
        match self {
            PyNum::Int(i) => i as f64,
            PyNum::Float(x) => x,
        }
    }
}

impl FixedScaleOffset {
    /// A fixedscaleoffset codec; `astype` defaults to `dtype`.
    pub fn new(offset: Number, scale: Number, dtype: DType, astype: Option<DType>) -> Result<Self> {
        not_object(ID, "dtype", dtype)?;
        let astype = astype.unwrap_or(dtype);
        not_object(ID, "astype", astype)?;
        Ok(FixedScaleOffset {
            scale,
            offset,
            dtype,
            astype,
        })
    }

    fn kind(&self, dtype: DType) -> Result<ElemKind> {
        let k = ElemKind::of(ID, dtype)?;
        if k.is_complex() {
            return Err(Error::invalid_input(
                ID,
                format!("complex dtypes ({dtype}) are not supported"),
            ));
        }
        Ok(k)
    }
}

/// A Python int as `T`, or NumPy 2's OverflowError.
fn py_int<T: IntElem>(what: &str, v: i128, dtype: DType) -> Result<T> {
    T::from_py_int(v).ok_or_else(|| {
        Error::invalid_input(ID, format!("Python integer {what}={v} out of bounds for {dtype}"))
    })
}

/// Encode with an integer `dtype` `T` (elements of `S` in the bytes, turned into `T` by `conv`), written
/// as `astype` bytes.
fn encode_int<S: Elem, T: IntElem>(
    data: &[u8],
    big: bool,
    conv: impl Fn(S) -> T + Copy,
    (offset, scale): (PyNum, PyNum),
    dtype: DType,
    astype: DType,
) -> Result<Vec<u8>> {
    match (offset, scale) {
        (PyNum::Int(o), PyNum::Int(s)) => {
            // All in the integer type (wrapping); np.around leaves integers unchanged.
            let (o, s) = (py_int::<T>("offset", o, dtype)?, py_int::<T>("scale", s, dtype)?);
            map_cast::<S, T>(ID, data, big, astype, move |v| conv(v).sub(o).mul(s))
        }
        (PyNum::Int(o), PyNum::Float(s)) => {
            let o = py_int::<T>("offset", o, dtype)?;
            map_cast::<S, f64>(ID, data, big, astype, move |v| {
                (conv(v).sub(o).as_f64() * s).round_ties_even()
            })
        }
        (PyNum::Float(o), s) => {
            let s = s.as_f64();
            map_cast::<S, f64>(ID, data, big, astype, move |v| {
                ((conv(v).as_f64() - o) * s).round_ties_even()
            })
        }
    }
}

/// Encode with a float `dtype` `F`: everything in `F`.
fn encode_float<F: FloatElem>(
    data: &[u8],
    big: bool,
    (offset, scale): (PyNum, PyNum),
    astype: DType,
) -> Result<Vec<u8>> {
    let (o, s) = (F::from_f64(offset.as_f64()), F::from_f64(scale.as_f64()));
    map_cast::<F, F>(ID, data, big, astype, move |v| v.sub(o).mul(s).rint())
}

/// Decode with a float `astype` `F` into `out`: `enc / scale + offset` in `F`.
fn decode_float<F: FloatElem>(
    data: &[u8],
    big: bool,
    (offset, scale): (PyNum, PyNum),
    dtype: DType,
    out: &mut [u8],
) -> Result<usize> {
    let (o, s) = (F::from_f64(offset.as_f64()), F::from_f64(scale.as_f64()));
    map_cast_into::<F, F>(ID, data, big, dtype, out, move |v| v.div(s).add(o))
}

/// Decode with an integer or bool `astype` into `out`: true division gives float64.
fn decode_int<T: Elem>(
    data: &[u8],
    big: bool,
    (offset, scale): (PyNum, PyNum),
    dtype: DType,
    out: &mut [u8],
) -> Result<usize> {
    let (o, s) = (offset.as_f64(), scale.as_f64());
    map_cast_into::<T, f64>(ID, data, big, dtype, out, move |v| {
        f64::from_wide(v.to_wide()) / s + o
    })
}

impl FixedScaleOffset {
    /// Decodes into `out`, which must hold exactly the decoded bytes.
    fn decode_to(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        self.kind(self.dtype)?;
        let ka = self.kind(self.astype)?;
        item_count(ID, encoded, self.astype)?;
        let p = (PyNum::of(&self.offset), PyNum::of(&self.scale));
        let big = is_big(self.astype);
        match ka {
            ElemKind::F16 => decode_float::<half::f16>(encoded, big, p, self.dtype, out),
            ElemKind::F32 => decode_float::<f32>(encoded, big, p, self.dtype, out),
            ElemKind::F64 => decode_float::<f64>(encoded, big, p, self.dtype, out),
            other => with_elem!(other, T => decode_int::<T>(encoded, big, p, self.dtype, out)),
        }
    }
}

impl Codec for FixedScaleOffset {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let kind = self.kind(self.dtype)?;
        self.kind(self.astype)?;
        item_count(ID, input.data(), self.dtype)?;
        let p = (PyNum::of(&self.offset), PyNum::of(&self.scale));
        let (data, big, dtype, astype) = (input.data(), is_big(self.dtype), self.dtype, self.astype);
        match kind {
            ElemKind::F16 => encode_float::<half::f16>(data, big, p, astype),
            ElemKind::F32 => encode_float::<f32>(data, big, p, astype),
            ElemKind::F64 => encode_float::<f64>(data, big, p, astype),
            // bool with a Python int computes in the default integer type, int64.
            ElemKind::Bool => encode_int(
                data,
                big,
                |b: Bool| i64::from(b.0 != 0),
                p,
                "<i8".parse()?,
                astype,
            ),
            ElemKind::I8 => encode_int(data, big, |v: i8| v, p, dtype, astype),
            ElemKind::U8 => encode_int(data, big, |v: u8| v, p, dtype, astype),
            ElemKind::I16 => encode_int(data, big, |v: i16| v, p, dtype, astype),
            ElemKind::U16 => encode_int(data, big, |v: u16| v, p, dtype, astype),
            ElemKind::I32 => encode_int(data, big, |v: i32| v, p, dtype, astype),
            ElemKind::U32 => encode_int(data, big, |v: u32| v, p, dtype, astype),
            ElemKind::I64 => encode_int(data, big, |v: i64| v, p, dtype, astype),
            ElemKind::U64 => encode_int(data, big, |v: u64| v, p, dtype, astype),
            ElemKind::C64 | ElemKind::C128 => {
                Err(Error::invalid_input(ID, "complex dtypes are not supported"))
            }
        }
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        self.kind(self.dtype)?;
        self.kind(self.astype)?;
        let n = item_count(ID, encoded, self.astype)?;
        let mut data = vec![0u8; decoded_size(ID, n, self.dtype, limits)?];
        self.decode_to(encoded, &mut data)?;
        ArrayBuf::from_vec_1d(data, self.dtype)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        self.decode_to(encoded, out)
    }
}

impl StaticCodec for FixedScaleOffset {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        let p: Params = brickwork_core::config::parse(ID, &["offset", "scale", "dtype", "astype"], config)?;
        FixedScaleOffset::new(p.offset, p.scale, p.dtype, p.astype)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<FixedScaleOffset>();

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(json: &str) -> FixedScaleOffset {
        FixedScaleOffset::from_config(&brickwork_core::config::from_json(json).unwrap()).unwrap()
    }

    fn f8(v: &[f64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn numcodecs_example() {
        let c = codec(r#"{"id":"fixedscaleoffset","offset":1000,"scale":10,"dtype":"<f8","astype":"|u1"}"#);
        let x: Vec<f64> = (0..10).map(|i| 1000.0 + f64::from(i) / 9.0).collect();
        let enc = c.encode_bytes(&f8(&x)).unwrap();
        assert_eq!(enc, [0, 1, 2, 3, 4, 6, 7, 8, 9, 10]);
        let dec = c.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(dec.dtype().to_string(), "<f8");
        for (a, b) in dec.data().chunks_exact(8).zip(&x) {
            assert!((f64::from_le_bytes(a.try_into().unwrap()) - b).abs() < 0.051);
        }
    }

    #[test]
    fn rounding_is_half_to_even_and_casts_wrap_like_numpy() {
        let c = codec(r#"{"id":"fixedscaleoffset","offset":0,"scale":1,"dtype":"<f8","astype":"|i1"}"#);
        let enc = c.encode_bytes(&f8(&[0.5, 1.5, 2.5, -0.5, -1.5])).unwrap();
        assert_eq!(enc, [0, 2, 2, 0, 0xfe]);
        let c = codec(r#"{"id":"fixedscaleoffset","offset":0,"scale":1,"dtype":"<f8","astype":"|u1"}"#);
        assert_eq!(
            c.encode_bytes(&f8(&[300.0, -1.0, f64::NAN])).unwrap(),
            [44, 255, 0]
        );
    }

    #[test]
    fn nep50_promotion() {
        // int dtype, int offset and scale: wrapping int16 arithmetic.
        let c = codec(r#"{"id":"fixedscaleoffset","offset":1,"scale":1000,"dtype":"<i2","astype":"<i2"}"#);
        let enc = c
            .encode_bytes(
                &[101i16, 0]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        // (101-1)*1000 = 100000 wraps to -31072; (0-1)*1000 = -1000.
        assert_eq!(
            enc,
            [-31072i16, -1000]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>()
        );
        // Decode of an int astype divides in float64: -1000/1000+1 = 0.
        let dec = c.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(&dec.data()[2..], &[0, 0]);
        // A Python-int offset outside the dtype is NumPy's OverflowError.
        let c = codec(r#"{"id":"fixedscaleoffset","offset":-1,"scale":1,"dtype":"|u1"}"#);
        assert!(matches!(c.encode_bytes(&[1]), Err(Error::InvalidInput { .. })));
        // int dtype with a float scale: offset subtracted in the int type, then float64.
        let c = codec(r#"{"id":"fixedscaleoffset","offset":0,"scale":0.5,"dtype":"|u1","astype":"|u1"}"#);
        assert_eq!(c.encode_bytes(&[1, 3, 5, 255]).unwrap(), [0, 2, 2, 128]);
        // float32 stays float32: 0.1f32 * 3 in f32, not f64.
        let c = codec(r#"{"id":"fixedscaleoffset","offset":0.1,"scale":3,"dtype":"<f4","astype":"<f4"}"#);
        let enc = c.encode_bytes(&0.6f32.to_le_bytes()).unwrap();
        assert_eq!(enc, ((0.6f32 - 0.1f32) * 3.0f32).round_ties_even().to_le_bytes());
    }

    #[test]
    fn config_keeps_int_and_float_forms() {
        let json =
            r#"{"id":"fixedscaleoffset","scale":1000000000000,"offset":1000.0,"dtype":"<f8","astype":"<i8"}"#;
        let c = codec(json);
        assert_eq!(serde_json::to_string(&c.config()).unwrap(), json);
        let c = codec(r#"{"id":"fixedscaleoffset","offset":1,"scale":10,"astype":"i4","dtype":"float64"}"#);
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"fixedscaleoffset","scale":10,"offset":1,"dtype":"<f8","astype":"<i4"}"#
        );
        assert!(FixedScaleOffset::from_config(
            &brickwork_core::config::from_json(r#"{"id":"fixedscaleoffset","scale":1,"dtype":"<f8"}"#)
                .unwrap()
        )
        .is_err());
        assert!(c.decode(&[0; 3], &Limits::default()).is_err());
    }
}
