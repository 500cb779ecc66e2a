//! `json`: numcodecs' JSON codec before version 0.6 (no longer registered by numcodecs; brickwork reads
//! and writes it so old data stays readable, e.g. numcodecs' `fixture/json2/codec.02|03`).
//!
//! * Config: the same keys and defaults as [`Json2`] (`{"id": "json", "encoding": "utf-8", ...}`).
//! * Wire format: the JSON text of `[<tolist() items...>, "<dtype.str>"]`: no shape. Decoding follows
//!   numcodecs 0.5's `np.array(items[:-1], dtype=items[-1])`: the shape is inferred from rectangular
//!   nesting (1-D for a flat list). A 0-d array cannot be written.
//! * Everything else (float/string formatting, parsing, limits, typed vs object arrays) is [`Json2`]'s.

use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, Decoded, Error, Limits, ObjectArray, ObjectCodec, Result, StaticCodec,
};

use super::items;
use super::json2::{objects_only, Json2};

const LEGACY_ID: &str = "json";

/// The pre-0.6 numcodecs `json` codec: [`Json2`]'s config, no shape in the data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LegacyJson(pub Json2);

impl Codec for LegacyJson {
    fn codec_id(&self) -> &str {
        LEGACY_ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(LEGACY_ID, &self.0)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let v = items::array_tolist(LEGACY_ID, input)?;
        if input.shape().is_empty() {
            return Err(Error::invalid_input(
                LEGACY_ID,
                "the legacy json format cannot hold a 0-d array",
            ));
        }
        self.0
            .encode_value(LEGACY_ID, v, input.dtype().to_string(), input.shape(), true)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        match self.0.decode_as(LEGACY_ID, encoded, limits, true, false)? {
            Decoded::Array(a) => Ok(a),
            Decoded::Objects(_) => Err(objects_only(LEGACY_ID)),
        }
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let limits = items::tree_limits(encoded.len(), out.len());
        let decoded = self.decode(encoded, &limits)?;
        brickwork_core::copy_exact(LEGACY_ID, decoded.data(), out)
    }

    fn as_object_codec(&self) -> Option<&dyn ObjectCodec> {
        Some(self)
    }
}

impl ObjectCodec for LegacyJson {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        let v = items::objects_tolist(input)?;
        self.0
            .encode_value(LEGACY_ID, v, "|O".into(), input.shape(), true)
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        match self.0.decode_as(LEGACY_ID, encoded, limits, true, true)? {
            Decoded::Objects(o) => Ok(o),
            Decoded::Array(_) => Err(Error::corrupt(LEGACY_ID, "internal: objects were requested")),
        }
    }

    fn decode_any(&self, encoded: &[u8], limits: &Limits) -> Result<Decoded> {
        self.0.decode_as(LEGACY_ID, encoded, limits, true, false)
    }
}

impl StaticCodec for LegacyJson {
    const ID: &'static str = LEGACY_ID;
    fn from_config(config: &Config) -> Result<Self> {
        Json2::build(LEGACY_ID, config).map(LegacyJson)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<LegacyJson>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_format() {
        let legacy = LegacyJson::default();
        let d = legacy.decode(br#"[1,2,3,"<i2"]"#, &Limits::default()).unwrap();
        assert_eq!(d.data(), &[1, 0, 2, 0, 3, 0]);
        let o = legacy
            .decode_objects(br#"["foo","bar","|O"]"#, &Limits::default())
            .unwrap();
        assert_eq!(o.shape(), &[2]);
        let d = legacy
            .decode(br#"[[1,2],[3,4],"|u1"]"#, &Limits::default())
            .unwrap();
        assert_eq!((d.shape(), d.data()), (&[2usize, 2][..], &[1u8, 2, 3, 4][..]));
        assert_eq!(legacy.encode(&d.view()).unwrap(), br#"[[1,2],[3,4],"|u1"]"#);
        assert!(legacy.decode(br#"[]"#, &Limits::default()).is_err());
        assert_eq!(
            serde_json::to_string(&legacy.config()).unwrap().get(..13),
            Some(r#"{"id":"json","#)
        );
    }
}
