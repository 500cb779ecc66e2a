//! `quantize`: keep `digits` decimal digits by rounding to a power-of-two grid (numcodecs' `Quantize`).
//! Lossy.
//!
//! * Config (emitted in this order): `{"id": "quantize", "digits": 2, "dtype": "<f8", "astype": "<f8"}`.
//!   `digits` and `dtype` are required; `astype` defaults to `dtype` and is always emitted. Both dtypes
//!   must be floats (numcodecs: ValueError in the constructor).
//! * Encode (the bytes viewed as `dtype`, elementwise, shape and order kept): with
//!   `precision = 10.0 ** -digits`, `exp = log10(precision)` rounded away from zero,
//!   `bits = ceil(log2(10.0 ** -exp))` and `scale = 2.0 ** bits` (computed in float64 with the C library
//!   functions, as Python does), `enc = around(scale * x) / scale` in `dtype`'s precision (float16 rounds
//!   after every step), then cast to `astype`.
//! * Decode: viewed as `astype`, cast to `dtype`. No inverse transform.
//! * Example: `Quantize(1, '<f8', astype='<f4')` of `[0.1234, 0.5678]` → `00 00 00 3e 00 00 10 3f`.

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Error, Kind, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

use super::numeric::{cast, cast_into, decoded_size, is_big, item_count, map_cast, FloatElem};

const ID: &str = "quantize";

/// numcodecs' `Quantize(digits, dtype, astype=None)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quantize {
    /// Number of decimal digits to keep (may be zero or negative).
    pub digits: i64,
    /// The float type of the data.
    pub dtype: DType,
    /// The float type of the encoded values.
    pub astype: DType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    digits: i64,
    dtype: DType,
    #[serde(default)]
    astype: Option<DType>,
}

impl Quantize {
    /// A quantize codec; `astype` defaults to `dtype`; both must be float dtypes.
    pub fn new(digits: i64, dtype: DType, astype: Option<DType>) -> Result<Self> {
        let astype = astype.unwrap_or(dtype);
        for (key, d) in [("dtype", dtype), ("astype", astype)] {
            if d.kind() != Kind::Float {
                return Err(Error::invalid_config(
                    ID,
                    key,
                    format!("only floating point data types are supported, got {d}"),
                ));
            }
        }
        Ok(Quantize {
            digits,
            dtype,
            astype,
        })
    }

    /// The power-of-two grid numcodecs computes for `digits` (same float64 steps as Python).
    pub fn scale(&self) -> f64 {
        let precision = 10f64.powf(-(self.digits as f64));
        let exp = precision.log10();
        let exp = if exp < 0.0 { exp.floor() } else { exp.ceil() };
        let bits = 10f64.powf(-exp).log2().ceil();
        2f64.powf(bits)
    }
}

fn quantize<F: FloatElem>(data: &[u8], big: bool, scale: f64, astype: DType) -> Result<Vec<u8>> {
    let s = F::from_f64(scale);
    map_cast::<F, F>(ID, data, big, astype, move |v| s.mul(v).rint().div(s))
}

impl Codec for Quantize {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let data = input.data();
        item_count(ID, data, self.dtype)?;
        let (big, scale) = (is_big(self.dtype), self.scale());
        match self.dtype.itemsize() {
            2 => quantize::<half::f16>(data, big, scale, self.astype),
            4 => quantize::<f32>(data, big, scale, self.astype),
            _ => quantize::<f64>(data, big, scale, self.astype),
        }
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let n = item_count(ID, encoded, self.astype)?;
        decoded_size(ID, n, self.dtype, limits)?;
        ArrayBuf::from_vec_1d(cast(ID, encoded, self.astype, self.dtype)?, self.dtype)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        cast_into(ID, encoded, self.astype, self.dtype, out)
    }
}

impl StaticCodec for Quantize {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        let p: Params = brickwork_core::config::parse(ID, &["digits", "dtype", "astype"], config)?;
        Quantize::new(p.digits, p.dtype, p.astype)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Quantize>();

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(json: &str) -> Quantize {
        Quantize::from_config(&brickwork_core::config::from_json(json).unwrap()).unwrap()
    }

    #[test]
    fn scales_match_numcodecs() {
        for (digits, scale) in [
            (-1, 0.125),
            (0, 1.0),
            (1, 16.0),
            (2, 128.0),
            (3, 1024.0),
            (5, 131072.0),
        ] {
            let q = Quantize::new(digits, "<f8".parse().unwrap(), None).unwrap();
            assert_eq!(q.scale(), scale, "digits {digits}");
        }
        let q = Quantize::new(12, "<f8".parse().unwrap(), None).unwrap();
        assert_eq!(q.scale(), 2f64.powi(40));
    }

    #[test]
    fn numcodecs_example() {
        let q = codec(r#"{"id":"quantize","digits":1,"dtype":"<f8","astype":"<f4"}"#);
        let x: Vec<u8> = [0.1234f64, 0.5678].iter().flat_map(|v| v.to_le_bytes()).collect();
        let enc = q.encode_bytes(&x).unwrap();
        assert_eq!(enc, [0x00, 0x00, 0x00, 0x3e, 0x00, 0x00, 0x10, 0x3f]);
        let dec = q.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(dec.dtype().to_string(), "<f8");
        assert_eq!(
            dec.data(),
            [0.125f64, 0.5625]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn float16_and_big_endian() {
        let q = codec(r#"{"id":"quantize","digits":0,"dtype":">f2"}"#);
        let x: Vec<u8> = [0.5f32, 1.5, 2.5, 2.75]
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_be_bytes())
            .collect();
        let enc = q.encode_bytes(&x).unwrap();
        let want: Vec<u8> = [0.0f32, 2.0, 2.0, 3.0]
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_be_bytes())
            .collect();
        assert_eq!(enc, want);
    }

    #[test]
    fn config_and_errors() {
        let q = codec(r#"{"id":"quantize","digits":2,"dtype":"float64"}"#);
        assert_eq!(
            serde_json::to_string(&q.config()).unwrap(),
            r#"{"id":"quantize","digits":2,"dtype":"<f8","astype":"<f8"}"#
        );
        assert!(Quantize::from_config(
            &brickwork_core::config::from_json(r#"{"id":"quantize","digits":2,"dtype":"<i4"}"#).unwrap()
        )
        .is_err());
        assert!(q.encode_bytes(&[0; 7]).is_err());
        assert!(q.decode(&[0; 7], &Limits::default()).is_err());
    }
}
