//! `vlen-utf8`: an object array of `str` as a length-prefixed list of UTF-8 items (numcodecs'
//! `VLenUTF8`).
//!
//! * Config: `{"id": "vlen-utf8"}` (no parameters).
//! * Wire format: `u32le n` then per item `u32le len ‖ UTF-8 bytes` (`text::vlen`); items in the
//!   array's memory order. `None` (and any object `== 0`, e.g. `0`, `0.0`, `False`) is written as `""`.
//! * Objects: [`ObjectCodec::encode_objects`] takes [`ObjectItems::Str`] (or [`ObjectItems::Values`]
//!   of str/None/zero); [`ObjectCodec::decode_objects`] returns a 1-D [`ObjectItems::Str`] with every
//!   item `Some` (numcodecs decodes missing values as `''`). Invalid UTF-8 is an error, as numcodecs'
//!   strict decode.
//! * Typed input: a fixed-width `U` array encodes like its `astype(object)` (trailing NULs stripped);
//!   `|O` given as bytes is refused with a pointer to `encode_objects`. `decode` (a typed result) is
//!   refused: the result is an object array.

use brickwork_core::object::{object_input_error, ItemRef, ItemSink, ItemsRef, OutBuf};
use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, Error, Kind, Limits, ObjectArray, ObjectCodec, ObjectItems, Result,
    StaticCodec, Value,
};
use serde::{Deserialize, Serialize};

use super::vlen;

const ID: &str = "vlen-utf8";

/// numcodecs' `VLenUTF8()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VLenUtf8 {}

/// numcodecs treats `None` and any object equal to 0 as a missing value.
pub(crate) fn is_missing(v: &Value) -> bool {
    match v {
        Value::None => true,
        Value::Bool(b) => !*b,
        Value::Int(i) => *i == 0,
        Value::Float(x) => *x == 0.0,
        _ => false,
    }
}

impl Codec for VLenUtf8 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        match input.dtype().kind() {
            Kind::Object => Err(object_input_error(ID)),
            Kind::Unicode => {
                let items = super::unicode_items(ID, input)?;
                vlen::encode(ID, items.len(), items.iter().map(|s| s.as_bytes()))
            }
            _ => Err(Error::invalid_input(
                ID,
                format!(
                    "expected str objects (an ObjectArray) or a 'U' array, got {}",
                    input.dtype()
                ),
            )),
        }
    }

    fn decode(&self, _encoded: &[u8], _limits: &Limits) -> Result<ArrayBuf> {
        Err(Error::invalid_input(
            ID,
            "vlen-utf8 decodes to an object array of str; use ObjectCodec::decode_objects",
        ))
    }

    fn as_object_codec(&self) -> Option<&dyn ObjectCodec> {
        Some(self)
    }
}

impl ObjectCodec for VLenUtf8 {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        match input.items() {
            ObjectItems::Str(items) => vlen::encode(
                ID,
                items.len(),
                items.iter().map(|s| s.as_deref().unwrap_or("").as_bytes()),
            ),
            ObjectItems::Values(values) => {
                let mut bytes: Vec<&[u8]> = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match v {
                        Value::Str(s) => bytes.push(s.as_bytes()),
                        v if is_missing(v) => bytes.push(b""),
                        other => {
                            return Err(Error::invalid_input(
                                ID,
                                format!(
                                    "expected unicode string, found {other} (a {}) at item {i}",
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
                format!("expected str items, got {}", other.kind_name()),
            )),
        }
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        let mut out = Vec::new();
        vlen::for_each(ID, encoded, limits, |i, item| {
            out.push(Some(utf8_item(i, item)?.to_owned()));
            Ok(())
        })?;
        Ok(ObjectArray::from_strings(out))
    }

    /// `str` and `None` items (`None` is written as `""`); other kinds take `encode_objects`.
    fn encoded_items_len(&self, input: ItemsRef<'_>) -> Option<Result<usize>> {
        Some(Ok(vlen::encoded_len(str_items(input)?.map(<[u8]>::len))))
    }

    fn encode_items_into(&self, input: ItemsRef<'_>, out: &mut OutBuf<'_>) -> Result<()> {
        let items = str_items(input).ok_or_else(|| Error::invalid_input(ID, "expected str items"))?;
        vlen::write(ID, input.items.len(), items, out)
    }

    /// Every item as a checked `str`, straight from `encoded`; errors as [`ObjectCodec::decode_objects`].
    fn decode_items(
        &self,
        encoded: &[u8],
        limits: &Limits,
        sink: &mut dyn ItemSink,
    ) -> Result<Option<Vec<usize>>> {
        sink.reserve(vlen::count_hint(encoded));
        let n = vlen::for_each(ID, encoded, limits, |i, item| match sink.utf8(item)? {
            true => Ok(()),
            false => utf8_item(i, item).map(|_| ()),
        })?;
        Ok(Some(vec![n]))
    }
}

/// The UTF-8 of every item when all are `str` or `None` (written as `""`).
fn str_items<'a>(input: ItemsRef<'a>) -> Option<impl Iterator<Item = &'a [u8]> + Clone + 'a> {
    let all = input
        .items
        .iter()
        .all(|item| matches!(item, ItemRef::Str(_) | ItemRef::None));
    all.then(|| {
        input.items.iter().map(|item| match item {
            ItemRef::Str(s) => s.as_bytes(),
            _ => &b""[..],
        })
    })
}

/// Item `i` as UTF-8 (numcodecs' strict decode).
fn utf8_item(i: usize, item: &[u8]) -> Result<&str> {
    std::str::from_utf8(item).map_err(|e| Error::corrupt(ID, format!("item {i} is not valid UTF-8 ({e})")))
}

impl StaticCodec for VLenUtf8 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &[], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<VLenUtf8>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    #[test]
    fn spec_vector() {
        let c = VLenUtf8::default();
        let a = ObjectArray::from_strings(vec![
            Some("a".into()),
            Some(String::new()),
            None,
            Some("ßx".into()),
        ]);
        let enc = c.encode_objects(&a).unwrap();
        assert_eq!(
            enc,
            b"\x04\0\0\0\x01\0\0\0a\0\0\0\0\0\0\0\0\x03\0\0\0\xc3\x9fx".to_vec()
        );
        let dec = c.decode_objects(&enc, &Limits::default()).unwrap();
        assert_eq!(
            dec.items(),
            &ObjectItems::Str(vec![
                Some("a".into()),
                Some("".into()),
                Some("".into()),
                Some("ßx".into())
            ])
        );
        assert_eq!(
            c.config(),
            brickwork_core::config::from_json(r#"{"id":"vlen-utf8"}"#).unwrap()
        );
    }

    #[test]
    fn typed_inputs() {
        let c = VLenUtf8::default();
        // '<U2' ['ab', 'c'] → same bytes as objects ['ab', 'c'].
        let data: Vec<u8> = ['a', 'b', 'c', '\0']
            .iter()
            .flat_map(|c| (*c as u32).to_le_bytes())
            .collect();
        let v = ArrayView::new(&data, DType::parse("<U2").unwrap(), vec![2], Order::C).unwrap();
        let want = c
            .encode_objects(&ObjectArray::from_strings(vec![
                Some("ab".into()),
                Some("c".into()),
            ]))
            .unwrap();
        assert_eq!(c.encode(&v).unwrap(), want);
        let o = [0u8; 8];
        let v = ArrayView::new(&o, DType::parse("|O").unwrap(), vec![1], Order::C).unwrap();
        assert!(c.encode(&v).unwrap_err().to_string().contains("encode_objects"));
        assert!(c
            .decode(&want, &Limits::default())
            .unwrap_err()
            .to_string()
            .contains("decode_objects"));
        let vals = ObjectArray::from_values(vec![Value::Int(0), Value::Str("x".into()), Value::None]);
        assert_eq!(
            c.encode_objects(&vals).unwrap(),
            b"\x03\0\0\0\0\0\0\0\x01\0\0\0x\0\0\0\0"
        );
        let bad = ObjectArray::from_values(vec![Value::Float(f64::NAN)]);
        assert!(c.encode_objects(&bad).is_err());
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let e = VLenUtf8::default()
            .decode_objects(b"\x01\0\0\0\x01\0\0\0\xff", &Limits::default())
            .unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn direct_paths_match_the_owned_ones() {
        use crate::text::direct_checks::{same_decode, same_decode_prefixes, same_encode};
        use brickwork_core::object::ItemRef;
        let c = VLenUtf8::default();
        let items = [
            ItemRef::Str("a"),
            ItemRef::None,
            ItemRef::Str(""),
            ItemRef::Str("ß🧠x"),
        ];
        assert!(same_encode(&c, &items, &[4]));
        assert!(same_encode(&c, &items, &[2, 2]));
        assert!(!same_encode(&c, &[ItemRef::Bytes(b"a")], &[1]));
        let enc = c
            .encode_objects(&ObjectArray::from_strings(vec![
                Some("ab".into()),
                Some("ß".into()),
            ]))
            .unwrap();
        same_decode_prefixes(&c, &enc);
        // Bad UTF-8 before a truncation: the same (first) error on both paths.
        assert!(same_decode(
            &c,
            b"\x03\0\0\0\x01\0\0\0\xff\x05\0\0\0ab",
            &Limits::default()
        ));
        assert!(same_decode(&c, b"\xff\xff\xff\xff\0\0\0\0", &Limits::default()));
    }
}
