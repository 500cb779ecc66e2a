//! `astype`: a NumPy dtype conversion (numcodecs' `AsType`).
//!
//! * Config: `{"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<f8"}`; both keys are required
//!   (numcodecs' constructor has no defaults), emitted as `dtype.str`, parsed from any spelling.
//! * Encode: the bytes viewed as `decode_dtype` (memory order; shape and order kept), cast with
//!   `astype(encode_dtype)`: NumPy's unsafe casts (round to nearest even between floats, wrapping between
//!   integers, the x86-64 results for out-of-range float → integer, nonzero → True for bool).
//! * Decode: viewed as `encode_dtype`, cast to `decode_dtype`.
//! * Both dtypes must be numeric (bool, integer, float, complex; datetimes count as int64).

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

use super::numeric::{cast, cast_into, decoded_size, item_count, not_object};

const ID: &str = "astype";

/// numcodecs' `AsType(encode_dtype, decode_dtype)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsType {
    /// The element type of the encoded data.
    pub encode_dtype: DType,
    /// The element type of the decoded data.
    pub decode_dtype: DType,
}

impl AsType {
    /// An astype codec.
    pub fn new(encode_dtype: DType, decode_dtype: DType) -> Result<Self> {
        not_object(ID, "encode_dtype", encode_dtype)?;
        not_object(ID, "decode_dtype", decode_dtype)?;
        Ok(AsType {
            encode_dtype,
            decode_dtype,
        })
    }
}

impl Codec for AsType {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        cast(ID, input.data(), self.decode_dtype, self.encode_dtype)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let n = item_count(ID, encoded, self.encode_dtype)?;
        decoded_size(ID, n, self.decode_dtype, limits)?;
        ArrayBuf::from_vec_1d(
            cast(ID, encoded, self.encode_dtype, self.decode_dtype)?,
            self.decode_dtype,
        )
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        cast_into(ID, encoded, self.encode_dtype, self.decode_dtype, out)
    }
}

impl StaticCodec for AsType {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        let p: AsType = brickwork_core::config::parse(ID, &["encode_dtype", "decode_dtype"], config)?;
        AsType::new(p.encode_dtype, p.decode_dtype)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<AsType>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::Error;

    fn codec(json: &str) -> AsType {
        AsType::from_config(&brickwork_core::config::from_json(json).unwrap()).unwrap()
    }

    #[test]
    fn casts_both_ways() {
        let c = codec(r#"{"id":"astype","encode_dtype":"f2","decode_dtype":"float32"}"#);
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"astype","encode_dtype":"<f2","decode_dtype":"<f4"}"#
        );
        let x: Vec<u8> = [1.0f32, 0.1, 70000.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let enc = c.encode_bytes(&x).unwrap();
        let want: Vec<u8> = [1.0f32, 0.1, f32::INFINITY]
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect();
        assert_eq!(enc, want);
        let dec = c.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(dec.dtype().to_string(), "<f4");
        assert_eq!(&dec.data()[..4], 1.0f32.to_le_bytes());
        // int32 -> int8 wraps; big-endian decode dtype.
        let c = codec(r#"{"id":"astype","encode_dtype":"|i1","decode_dtype":">i4"}"#);
        assert_eq!(
            c.encode_bytes(&[0, 0, 1, 44, 0xff, 0xff, 0xff, 0xff]).unwrap(),
            [44, 0xff]
        );
        assert_eq!(
            c.decode(&[0x80], &Limits::default()).unwrap().data(),
            [0xff, 0xff, 0xff, 0x80]
        );
    }

    #[test]
    fn errors() {
        let c = codec(r#"{"id":"astype","encode_dtype":"<i2","decode_dtype":"<i4"}"#);
        assert!(matches!(c.encode_bytes(&[0; 3]), Err(Error::InvalidInput { .. })));
        assert!(matches!(
            c.decode(&[0; 3], &Limits::default()),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            c.decode(&[0; 4], &Limits::new(7)),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(AsType::from_config(
            &brickwork_core::config::from_json(r#"{"id":"astype","encode_dtype":"<i2"}"#).unwrap()
        )
        .is_err());
        let s = codec(r#"{"id":"astype","encode_dtype":"|S2","decode_dtype":"<i2"}"#);
        assert!(s.encode_bytes(&[0; 2]).is_err());
    }
}
