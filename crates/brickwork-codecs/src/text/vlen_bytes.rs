//! `vlen-bytes`: an object array of `bytes` as a length-prefixed item list (numcodecs' `VLenBytes`).
//!
//! * Config: `{"id": "vlen-bytes"}` (no parameters).
//! * Wire format: `u32le n` then per item `u32le len ‖ bytes` (`text::vlen`), items in the array's
//!   memory order; `None` (or an object `== 0`) is written as `b""`.
//! * Objects: [`ObjectItems::Bytes`] (or [`ObjectItems::Values`] of bytes/None/zero) in, a 1-D
//!   [`ObjectItems::Bytes`] with every item `Some` out.
//! * Typed input: a fixed-width `S` array encodes like its `astype(object)` (trailing NULs stripped);
//!   `|O` as bytes is refused with a pointer to `encode_objects`; `decode` (typed) is refused.

use brickwork_core::object::{object_input_error, ItemRef, ItemSink, ItemsRef, OutBuf};
use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, Error, Kind, Limits, ObjectArray, ObjectCodec, ObjectItems, Result,
    StaticCodec, Value,
};
use serde::{Deserialize, Serialize};

use super::vlen;
use super::vlen_utf8::is_missing;

const ID: &str = "vlen-bytes";

/// numcodecs' `VLenBytes()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VLenBytes {}

impl Codec for VLenBytes {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        match input.dtype().kind() {
            Kind::Object => Err(object_input_error(ID)),
            Kind::Bytes => {
                let items = super::bytes_items(input);
                vlen::encode(ID, items.len(), items.iter().map(Vec::as_slice))
            }
            _ => Err(Error::invalid_input(
                ID,
                format!(
                    "expected bytes objects (an ObjectArray) or an 'S' array, got {}",
                    input.dtype()
                ),
            )),
        }
    }

    fn decode(&self, _encoded: &[u8], _limits: &Limits) -> Result<ArrayBuf> {
        Err(Error::invalid_input(
            ID,
            "vlen-bytes decodes to an object array of bytes; use ObjectCodec::decode_objects",
        ))
    }

    fn as_object_codec(&self) -> Option<&dyn ObjectCodec> {
        Some(self)
    }
}

impl ObjectCodec for VLenBytes {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        match input.items() {
            ObjectItems::Bytes(items) => {
                vlen::encode(ID, items.len(), items.iter().map(|b| b.as_deref().unwrap_or(b"")))
            }
            ObjectItems::Values(values) => {
                let mut bytes: Vec<&[u8]> = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match v {
                        Value::Bytes(b) => bytes.push(b),
                        v if is_missing(v) => bytes.push(b""),
                        other => {
                            return Err(Error::invalid_input(
                                ID,
                                format!(
                                    "expected bytes, found {other} (a {}) at item {i}",
                                    other.type_name()
                                ),
                            ))
                        }
                    }
                }
                vlen::encode(ID, bytes.len(), bytes)
            }
            other => Err(Error::invalid_input(
                ID,
                format!("expected bytes items, got {}", other.kind_name()),
            )),
        }
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        let items = vlen::decode(ID, encoded, limits)?;
        Ok(ObjectArray::from_byte_strings(
            items.into_iter().map(|b| Some(b.to_vec())).collect(),
        ))
    }

    /// `bytes` and `None` items (`None` is written as `b""`); other kinds take `encode_objects`.
    fn encoded_items_len(&self, input: ItemsRef<'_>) -> Option<Result<usize>> {
        Some(Ok(vlen::encoded_len(bytes_items(input)?.map(<[u8]>::len))))
    }

    fn encode_items_into(&self, input: ItemsRef<'_>, out: &mut OutBuf<'_>) -> Result<()> {
        let items = bytes_items(input).ok_or_else(|| Error::invalid_input(ID, "expected bytes items"))?;
        vlen::write(ID, input.items.len(), items, out)
    }

    /// Every item as `bytes`, straight from `encoded`; errors as [`ObjectCodec::decode_objects`].
    fn decode_items(
        &self,
        encoded: &[u8],
        limits: &Limits,
        sink: &mut dyn ItemSink,
    ) -> Result<Option<Vec<usize>>> {
        sink.reserve(vlen::count_hint(encoded));
        let n = vlen::for_each(ID, encoded, limits, |_, item| sink.bytes(item))?;
        Ok(Some(vec![n]))
    }
}

/// Every item when all are `bytes` or `None` (written as `b""`).
fn bytes_items<'a>(input: ItemsRef<'a>) -> Option<impl Iterator<Item = &'a [u8]> + Clone + 'a> {
    let all = input
        .items
        .iter()
        .all(|item| matches!(item, ItemRef::Bytes(_) | ItemRef::None));
    all.then(|| {
        input.items.iter().map(|item| match item {
            ItemRef::Bytes(b) => *b,
            _ => &b""[..],
        })
    })
}

impl StaticCodec for VLenBytes {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &[], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<VLenBytes>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    #[test]
    fn spec_vector() {
        let c = VLenBytes::default();
        let a = ObjectArray::from_byte_strings(vec![Some(b"ab".to_vec()), None, Some(Vec::new())]);
        let enc = c.encode_objects(&a).unwrap();
        assert_eq!(enc, b"\x03\0\0\0\x02\0\0\0ab\0\0\0\0\0\0\0\0".to_vec());
        let dec = c.decode_objects(&enc, &Limits::default()).unwrap();
        assert_eq!(
            dec.items(),
            &ObjectItems::Bytes(vec![Some(b"ab".to_vec()), Some(vec![]), Some(vec![])])
        );
    }

    #[test]
    fn s_array_strips_trailing_nuls() {
        // numcodecs: VLenBytes().encode(np.array([b'ab', b'c\x00d'], 'S4')).hex()
        let data = b"ab\0\0c\0d\0";
        let v = ArrayView::new(data, DType::parse("|S4").unwrap(), vec![2], Order::C).unwrap();
        let enc = VLenBytes::default().encode(&v).unwrap();
        assert_eq!(enc, b"\x02\0\0\0\x02\0\0\0ab\x03\0\0\0c\0d".to_vec());
    }

    #[test]
    fn direct_paths_match_the_owned_ones() {
        use crate::text::direct_checks::{same_decode_prefixes, same_encode};
        use brickwork_core::object::ItemRef;
        let c = VLenBytes::default();
        let items = [ItemRef::Bytes(b"ab"), ItemRef::None, ItemRef::Bytes(b"")];
        assert!(same_encode(&c, &items, &[3]));
        assert!(!same_encode(&c, &[ItemRef::Str("a")], &[1]));
        let enc = c
            .encode_objects(&ObjectArray::from_byte_strings(vec![Some(b"ab".to_vec()), None]))
            .unwrap();
        same_decode_prefixes(&c, &enc);
    }
}
