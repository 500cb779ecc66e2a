//! `msgpack`: numcodecs' MessagePack codec before version 0.6 (`LegacyMsgPack`; no longer registered by
//! numcodecs; brickwork reads and writes it so old data stays readable).
//!
//! * Config: `{"id": "msgpack", "encoding": "utf-8"}` (the very first versions had no `encoding` key;
//!   a missing key takes the default). Only UTF-8 spellings are supported.
//! * Wire format: `packb(arr.tolist() + [dtype.str], encoding='utf-8')` from msgpack-python < 1.0, whose
//!   default `use_bin_type=False` writes str (and bytes) with the raw types (no `str8`). The very first
//!   version wrote `packb(arr.tolist())` of an object array with no dtype element.
//! * Decode: `np.array(items[:-1], dtype=items[-1])`: the shape is inferred from rectangular nesting.
//!   When the last element is not a NumPy `dtype.str` string (`<`, `>` or `|` followed by a dtype), the
//!   data is read as the first format: every element is an item of an object array. Raw strings are decoded as UTF-8 (`encoding='utf-8'`).

use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, DType, Decoded, Error, Limits, ObjectArray, ObjectCodec, Result,
    StaticCodec, Value,
};
use serde::{Deserialize, Serialize};

use super::items;
use super::msgpack2::{pack, unpack, PackOptions, RawMode};

const ID: &str = "msgpack";

fn utf8() -> String {
    "utf-8".into()
}

/// numcodecs < 0.6's `MsgPack(encoding='utf-8')` (later `LegacyMsgPack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyMsgPack {
    /// The text encoding of strings (only UTF-8 is supported).
    #[serde(default = "utf8")]
    pub encoding: String,
}

impl Default for LegacyMsgPack {
    fn default() -> Self {
        LegacyMsgPack { encoding: utf8() }
    }
}

impl LegacyMsgPack {
    fn check_encoding(&self) -> Result<()> {
        match self.encoding.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" | "u8" | "utf" => Ok(()),
            _ => Err(Error::invalid_config(
                ID,
                "encoding",
                format!("{:?} is not supported; only 'utf-8'", self.encoding),
            )),
        }
    }

    fn encode_list(&self, tolist: Value, dtype: String) -> Result<Vec<u8>> {
        self.check_encoding()?;
        let Value::List(mut top) = tolist else {
            return Err(Error::invalid_input(ID, "a 0-d array cannot be encoded"));
        };
        top.push(Value::Str(dtype));
        let mut out = Vec::new();
        let o = PackOptions {
            use_single_float: false,
            use_bin_type: false,
        };
        pack(ID, &Value::List(top), o, &mut out, 0)?;
        Ok(out)
    }

    fn decode_as(&self, encoded: &[u8], limits: &Limits, objects: bool) -> Result<Decoded> {
        self.check_encoding()?;
        let top = unpack(ID, encoded, RawMode::Str, limits)?;
        let Value::List(mut items) = top else {
            return Err(Error::corrupt(
                ID,
                format!("expected a list, got a {}", top.type_name()),
            ));
        };
        let dtype = match items.last() {
            // numcodecs wrote `dtype.str`, which always starts with a byte-order character.
            Some(Value::Str(s)) if s.starts_with(['<', '>', '|']) => DType::parse(s).ok(),
            _ => None,
        };
        let dtype = match dtype {
            Some(d) => {
                items.pop();
                d
            }
            None => DType::parse("|O")?,
        };
        let shape = items::infer_shape(&items);
        items::to_decoded(ID, items, dtype, shape, limits, objects)
    }
}

impl Codec for LegacyMsgPack {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let v = items::array_tolist(ID, input)?;
        self.encode_list(v, input.dtype().to_string())
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        match self.decode_as(encoded, limits, false)? {
            Decoded::Array(a) => Ok(a),
            Decoded::Objects(_) => Err(super::json2::objects_only(ID)),
        }
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let limits = items::tree_limits(encoded.len(), out.len());
        let decoded = self.decode(encoded, &limits)?;
        brickwork_core::copy_exact(ID, decoded.data(), out)
    }

    fn as_object_codec(&self) -> Option<&dyn ObjectCodec> {
        Some(self)
    }
}

impl ObjectCodec for LegacyMsgPack {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        let v = items::objects_tolist(input)?;
        self.encode_list(v, "|O".into())
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        match self.decode_as(encoded, limits, true)? {
            Decoded::Objects(o) => Ok(o),
            Decoded::Array(_) => Err(Error::corrupt(ID, "internal: objects were requested")),
        }
    }

    fn decode_any(&self, encoded: &[u8], limits: &Limits) -> Result<Decoded> {
        self.decode_as(encoded, limits, false)
    }
}

impl StaticCodec for LegacyMsgPack {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["encoding"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<LegacyMsgPack>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::ObjectItems;

    #[test]
    fn both_legacy_formats() {
        let c = LegacyMsgPack::default();
        let l = Limits::default();
        // [1, 2, '<i2'] as msgpack-python 0.5 wrote it.
        let a = c.decode(&[0x93, 1, 2, 0xa3, b'<', b'i', b'2'], &l).unwrap();
        assert_eq!(a.data(), &[1, 0, 2, 0]);
        // The first format: just the object items.
        let o = c.decode_objects(&[0x92, 0xa1, b'a', 0xa1, b'b'], &l).unwrap();
        assert_eq!(
            o.items(),
            &ObjectItems::Values(vec![Value::Str("a".into()), Value::Str("b".into())])
        );
        // Raw types for str, no str8.
        let s = ObjectArray::from_strings(vec![Some("x".repeat(40))]);
        let enc = c.encode_objects(&s).unwrap();
        assert_eq!(enc[..4], [0x92, 0xda, 0, 40]);
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"msgpack","encoding":"utf-8"}"#
        );
    }
}
