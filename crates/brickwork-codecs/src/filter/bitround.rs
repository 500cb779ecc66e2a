//! `bitround`: round float mantissas to `keepbits` bits, to nearest with ties to even (numcodecs'
//! `BitRound`). Lossy.
//!
//! * Config: `{"id": "bitround", "keepbits": 3}`; `keepbits` is required and must be `>= 0` (numcodecs:
//!   ValueError in the constructor).
//! * Encode: the input's own dtype must be a float (`f2`: 10 mantissa bits, `f4`: 23, `f8`: 52); raw
//!   bytes are refused (numcodecs: TypeError). `keepbits` equal to the mantissa width returns the data
//!   unchanged; larger is an error. Otherwise, on the signed integer view `b` of the same width:
//!   `maskbits = bits - keepbits`, `b += ((b >> maskbits) & 1) + (1 << (maskbits - 1)) - 1` (wrapping),
//!   `b &= -1 << maskbits`. A carry can reach the exponent (3.4e38 f4 → +inf), as in numcodecs.
//!   The output has the input's byte order; numcodecs refuses big-endian floats (a KeyError), brickwork
//!   rounds them too.
//! * Decode: the bytes are returned unchanged (numcodecs re-views them as the float type of the same
//!   width; with only bytes coming in that is the identity). Returned as `|u1`.
//! * Example: `BitRound(3)` of `<f4 [1.1, -3.7]` → `00 00 90 3f 00 00 70 c0`.

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, Error, Kind, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

const ID: &str = "bitround";

/// numcodecs' `BitRound(keepbits)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BitRound {
    /// Mantissa bits to keep.
    pub keepbits: i64,
}

impl BitRound {
    /// A bitround codec keeping `keepbits` mantissa bits (`>= 0`).
    pub fn new(keepbits: i64) -> Result<Self> {
        if keepbits < 0 {
            return Err(Error::invalid_config(
                ID,
                "keepbits",
                "keepbits must be zero or positive",
            ));
        }
        Ok(BitRound { keepbits })
    }
}

macro_rules! round_bits {
    ($name:ident, $i:ty, $n:literal) => {
        /// Rounds every `$n`-byte float in `data` (byte order `big`) in place.
        fn $name(data: &mut [u8], maskbits: u32, big: bool) {
            let mask: $i = -1 << maskbits;
            let half_quantum1: $i = (1 << (maskbits - 1)) - 1;
            let round = |b: $i| (b.wrapping_add(((b >> maskbits) & 1) + half_quantum1)) & mask;
            for c in data.chunks_exact_mut($n) {
                let Ok(a) = <[u8; $n]>::try_from(&*c) else {
                    continue;
                };
                let out = if big {
                    round(<$i>::from_be_bytes(a)).to_be_bytes()
                } else {
                    round(<$i>::from_le_bytes(a)).to_le_bytes()
                };
                c.copy_from_slice(&out);
            }
        }
    };
}

round_bits!(round16, i16, 2);
round_bits!(round32, i32, 4);
round_bits!(round64, i64, 8);

impl Codec for BitRound {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let dtype = input.dtype();
        let bits: i64 = match (dtype.kind(), dtype.itemsize()) {
            (Kind::Float, 2) => 10,
            (Kind::Float, 4) => 23,
            (Kind::Float, 8) => 52,
            _ => {
                return Err(Error::invalid_input(
                    ID,
                    format!("Only float arrays (16-64bit) can be bit-rounded, got {dtype}"),
                ))
            }
        };
        let mut out = input.data().to_vec();
        if self.keepbits == bits {
            return Ok(out);
        }
        if self.keepbits > bits {
            return Err(Error::invalid_input(
                ID,
                format!(
                    "Keepbits too large for given dtype: keepbits {} > {bits} for {dtype}",
                    self.keepbits
                ),
            ));
        }
        let maskbits = (bits - self.keepbits) as u32;
        let big = dtype.is_big_endian();
        match bits {
            10 => round16(&mut out, maskbits, big),
            23 => round32(&mut out, maskbits, big),
            _ => round64(&mut out, maskbits, big),
        }
        Ok(out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        if encoded.len() > limits.max_decoded_bytes {
            return Err(Error::limit(
                ID,
                "decoded output",
                encoded.len() as u64,
                limits.max_decoded_bytes,
            ));
        }
        Ok(ArrayBuf::from_bytes(encoded.to_vec()))
    }
}

impl StaticCodec for BitRound {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        let p: BitRound = brickwork_core::config::parse(ID, &["keepbits"], config)?;
        BitRound::new(p.keepbits)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<BitRound>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    fn enc(keepbits: i64, dtype: &str, data: &[u8]) -> Result<Vec<u8>> {
        let dt = DType::parse(dtype).unwrap();
        let n = data.len() / dt.itemsize();
        BitRound::new(keepbits)
            .unwrap()
            .encode(&ArrayView::new(data, dt, vec![n], Order::C).unwrap())
    }

    #[test]
    fn numcodecs_example() {
        let x: Vec<u8> = [1.1f32, -3.7].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(
            enc(3, "<f4", &x).unwrap(),
            [0x00, 0x00, 0x90, 0x3f, 0x00, 0x00, 0x70, 0xc0]
        );
        let be: Vec<u8> = [1.1f32, -3.7].iter().flat_map(|v| v.to_be_bytes()).collect();
        assert_eq!(
            enc(3, ">f4", &be).unwrap(),
            [0x3f, 0x90, 0x00, 0x00, 0xc0, 0x70, 0x00, 0x00]
        );
    }

    #[test]
    fn ties_to_even_and_carry_into_the_exponent() {
        // 1 + 3 * 2^-23 with keepbits 22: the dropped bit is exactly half, kept lsb is 1 -> round up.
        let x = f32::from_bits(0x3f80_0003);
        let out = enc(22, "<f4", &x.to_le_bytes()).unwrap();
        assert_eq!(u32::from_le_bytes(out.try_into().unwrap()), 0x3f80_0004);
        let x = f32::from_bits(0x3f80_0001);
        let out = enc(22, "<f4", &x.to_le_bytes()).unwrap();
        assert_eq!(u32::from_le_bytes(out.try_into().unwrap()), 0x3f80_0000);
        let out = enc(0, "<f4", &f32::MAX.to_le_bytes()).unwrap();
        assert_eq!(f32::from_le_bytes(out.try_into().unwrap()), f32::INFINITY);
        // float16 and float64 paths.
        let h = half::f16::from_f32(1.1).to_le_bytes();
        let out = enc(3, "<f2", &h).unwrap();
        assert_eq!(half::f16::from_le_bytes(out.try_into().unwrap()).to_f32(), 1.125);
        let out = enc(3, "<f8", &1.1f64.to_le_bytes()).unwrap();
        assert_eq!(f64::from_le_bytes(out.try_into().unwrap()), 1.125);
    }

    #[test]
    fn limits_and_errors() {
        assert_eq!(
            enc(23, "<f4", &1.1f32.to_le_bytes()).unwrap(),
            1.1f32.to_le_bytes()
        );
        assert!(enc(24, "<f4", &1.1f32.to_le_bytes()).is_err());
        assert!(enc(3, "<i4", &[0; 4]).is_err());
        assert!(BitRound::new(3).unwrap().encode_bytes(&[0; 4]).is_err());
        assert!(BitRound::new(-1).is_err());
        let c = BitRound::from_config(
            &brickwork_core::config::from_json(r#"{"id":"bitround","keepbits":5}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"bitround","keepbits":5}"#
        );
        assert_eq!(
            c.decode(&[1, 2, 3], &Limits::default()).unwrap().data(),
            [1, 2, 3]
        );
    }
}
