//! `vlen-array`: an object array of 1-D numeric arrays as a length-prefixed item list (numcodecs'
//! `VLenArray`).
//!
//! * Config: `{"id": "vlen-array", "dtype": "<i4"}`; `dtype` is required (numcodecs' constructor has no
//!   default) and emitted as NumPy's `dtype.str`.
//! * Wire format: `u32le n` then per item `u32le nbytes ‖ the item's raw bytes in dtype`
//!   (`text::vlen`); items in memory order; `None` is an empty item.
//! * Objects: [`ObjectItems::Arrays`] in and out. numcodecs casts each item with
//!   `np.ascontiguousarray(item, dtype)`; here an item's dtype must equal the codec's up to byte order
//!   (other casts are refused with an error rather than guessed). [`ObjectItems::Values`] of lists of
//!   numbers (or single numbers, `ndmin=1`) and `None` are accepted too; each number must fit `dtype`
//!   (floats are truncated toward zero into integer types).
//! * Decode: every item's byte count must be a multiple of the item size (numcodecs: ValueError).
//! * Typed input: an array of exactly `dtype` (any byte order) encodes each element as a 1-element item,
//!   as numcodecs does for a plain array; `|O` as bytes is refused with a pointer to `encode_objects`.

use brickwork_core::object::{object_input_error, ItemRef, ItemSink, ItemsRef, OutBuf};
use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, DType, Error, Kind, Limits, ObjectArray, ObjectCodec, ObjectItems,
    Result, StaticCodec, Value,
};
use serde::{Deserialize, Serialize};

use super::vlen;

const ID: &str = "vlen-array";

/// numcodecs' `VLenArray(dtype)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VLenArray {
    /// The element type of every item.
    pub dtype: DType,
}

impl VLenArray {
    /// A vlen-array codec of `dtype`.
    pub fn new(dtype: DType) -> Self {
        VLenArray { dtype }
    }

    fn check_dtype(&self) -> Result<()> {
        if matches!(self.dtype.kind(), Kind::Object) || self.dtype.itemsize() == 0 {
            return Err(Error::invalid_config(
                ID,
                "dtype",
                format!("{} is not a fixed-size element type", self.dtype),
            ));
        }
        Ok(())
    }

    /// Every item's bytes when all are arrays of exactly `self.dtype` or `None` (an empty item).
    fn array_items<'a>(&self, input: ItemsRef<'a>) -> Option<impl Iterator<Item = &'a [u8]> + Clone + 'a> {
        let dtype = self.dtype;
        let size = dtype.itemsize().max(1);
        let all = input.items.iter().all(|item| match item {
            ItemRef::Array(b) => input.array_dtype == Some(dtype) && b.len().is_multiple_of(size),
            ItemRef::None => true,
            _ => false,
        });
        all.then(|| {
            input.items.iter().map(|item| match item {
                ItemRef::Array(b) => *b,
                _ => &b""[..],
            })
        })
    }

    /// Item `i` when it is a whole number of `dtype` items (numcodecs: ValueError otherwise).
    fn whole_item<'a>(&self, i: usize, item: &'a [u8]) -> Result<&'a [u8]> {
        let size = self.dtype.itemsize();
        if size == 0 || !item.len().is_multiple_of(size) {
            return Err(Error::corrupt(
                ID,
                format!(
                    "item {i} has {} bytes, not a whole number of {} items of {size} bytes",
                    item.len(),
                    self.dtype
                ),
            ));
        }
        Ok(item)
    }

    /// `bytes` of an item of `from` as bytes of `self.dtype` (same kind and size; byte order may differ).
    fn convert(&self, from: DType, bytes: &[u8], i: usize) -> Result<Vec<u8>> {
        if from == self.dtype {
            return Ok(bytes.to_vec());
        }
        if from.to_little_endian() == self.dtype.to_little_endian() {
            let size = from.itemsize();
            return Ok(bytes
                .chunks_exact(size)
                .flat_map(|c| c.iter().rev().copied())
                .collect());
        }
        Err(Error::invalid_input(
            ID,
            format!(
                "item {i} is {from} but the codec's dtype is {}; cast the items first (numcodecs would cast unsafely)",
                self.dtype
            ),
        ))
    }
}

impl Codec for VLenArray {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        self.check_dtype()?;
        let dtype = input.dtype();
        if dtype.kind() == Kind::Object {
            return Err(object_input_error(ID));
        }
        let size = dtype.itemsize();
        if size == 0 {
            return Err(Error::invalid_input(
                ID,
                format!("cannot encode {dtype} elements"),
            ));
        }
        let items: Vec<Vec<u8>> = input
            .data()
            .chunks_exact(size)
            .enumerate()
            .map(|(i, c)| self.convert(dtype, c, i))
            .collect::<Result<_>>()?;
        vlen::encode(ID, items.len(), items.iter().map(Vec::as_slice))
    }

    fn decode(&self, _encoded: &[u8], _limits: &Limits) -> Result<ArrayBuf> {
        Err(Error::invalid_input(
            ID,
            "vlen-array decodes to an object array of arrays; use ObjectCodec::decode_objects",
        ))
    }

    fn as_object_codec(&self) -> Option<&dyn ObjectCodec> {
        Some(self)
    }
}

impl ObjectCodec for VLenArray {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        self.check_dtype()?;
        match input.items() {
            ObjectItems::Arrays { dtype, items } => {
                let mut conv = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    conv.push(match item {
                        None => Vec::new(),
                        Some(b) => self.convert(*dtype, b, i)?,
                    });
                }
                vlen::encode(ID, conv.len(), conv.iter().map(Vec::as_slice))
            }
            ObjectItems::Values(values) => {
                // Lists of numbers (or one number, as `ndmin=1`), converted as NumPy assigns in-range values.
                let mut conv = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    let mut bytes = Vec::new();
                    let put = |x: &Value, out: &mut Vec<u8>| {
                        super::items::put_value(ID, self.dtype, x, out).map_err(|e| match e {
                            Error::Corrupt { reason, .. } => {
                                Error::invalid_input(ID, format!("item {i}: {reason}"))
                            }
                            other => other,
                        })
                    };
                    match v {
                        Value::None => {}
                        Value::List(xs) => {
                            for x in xs {
                                put(x, &mut bytes)?;
                            }
                        }
                        Value::Bool(_) | Value::Int(_) | Value::Float(_) => put(v, &mut bytes)?,
                        other => {
                            return Err(Error::invalid_input(
                                ID,
                                format!("item {i} is a {}, not a list of numbers", other.type_name()),
                            ))
                        }
                    }
                    conv.push(bytes);
                }
                vlen::encode(ID, conv.len(), conv.iter().map(Vec::as_slice))
            }
            other => Err(Error::invalid_input(
                ID,
                format!("expected array items, got {}", other.kind_name()),
            )),
        }
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        self.check_dtype()?;
        let mut out = Vec::new();
        vlen::for_each(ID, encoded, limits, |i, item| {
            out.push(Some(self.whole_item(i, item)?.to_vec()));
            Ok(())
        })?;
        Ok(ObjectArray::from_items(ObjectItems::Arrays {
            dtype: self.dtype,
            items: out,
        }))
    }

    /// 1-D array items of exactly the codec's dtype, and `None` (an empty item); other kinds and
    /// dtypes (numcodecs casts them) take `encode_objects`.
    fn encoded_items_len(&self, input: ItemsRef<'_>) -> Option<Result<usize>> {
        if self.check_dtype().is_err() {
            return None;
        }
        Some(Ok(vlen::encoded_len(self.array_items(input)?.map(<[u8]>::len))))
    }

    fn encode_items_into(&self, input: ItemsRef<'_>, out: &mut OutBuf<'_>) -> Result<()> {
        let items = self
            .array_items(input)
            .ok_or_else(|| Error::invalid_input(ID, format!("expected {} array items", self.dtype)))?;
        vlen::write(ID, input.items.len(), items, out)
    }

    /// Every item as an array of the codec's dtype, straight from `encoded`; errors as
    /// [`ObjectCodec::decode_objects`].
    fn decode_items(
        &self,
        encoded: &[u8],
        limits: &Limits,
        sink: &mut dyn ItemSink,
    ) -> Result<Option<Vec<usize>>> {
        self.check_dtype()?;
        sink.reserve(vlen::count_hint(encoded));
        let n = vlen::for_each(ID, encoded, limits, |i, item| {
            sink.array(self.dtype, self.whole_item(i, item)?)
        })?;
        Ok(Some(vec![n]))
    }
}

impl StaticCodec for VLenArray {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["dtype"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<VLenArray>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::config::from_json;
    use brickwork_core::Order;

    #[test]
    fn spec_vector() {
        let i2 = DType::parse("<i2").unwrap();
        let c = VLenArray::new(i2);
        let a = ObjectArray::from_items(ObjectItems::Arrays {
            dtype: i2,
            items: vec![Some(vec![1, 0, 2, 0, 3, 0]), None, Some(vec![5, 0])],
        });
        let enc = c.encode_objects(&a).unwrap();
        assert_eq!(
            enc,
            b"\x03\0\0\0\x06\0\0\0\x01\0\x02\0\x03\0\0\0\0\0\x02\0\0\0\x05\0".to_vec()
        );
        let dec = c.decode_objects(&enc, &Limits::default()).unwrap();
        let ObjectItems::Arrays { items, .. } = dec.items() else {
            panic!()
        };
        assert_eq!(items[1], Some(vec![]));
        // Big-endian items are byte-swapped to the codec's order.
        let be = ObjectArray::from_items(ObjectItems::Arrays {
            dtype: DType::parse(">i2").unwrap(),
            items: vec![Some(vec![0, 1, 0, 2, 0, 3]), None, Some(vec![0, 5])],
        });
        assert_eq!(c.encode_objects(&be).unwrap(), enc);
    }

    #[test]
    fn config_and_errors() {
        let c = VLenArray::from_config(&from_json(r#"{"id":"vlen-array","dtype":"i2"}"#).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"vlen-array","dtype":"<i2"}"#
        );
        assert!(VLenArray::from_config(&from_json(r#"{"id":"vlen-array"}"#).unwrap()).is_err());
        let e = c
            .decode_objects(b"\x01\0\0\0\x03\0\0\0abc", &Limits::default())
            .unwrap_err();
        assert!(e.to_string().contains("whole number"), "{e}");
        let vals = ObjectArray::from_values(vec![
            Value::List(vec![Value::Int(1), Value::Float(2.9), Value::Bool(true)]),
            Value::None,
            Value::Int(5),
        ]);
        assert_eq!(
            c.encode_objects(&vals).unwrap(),
            b"\x03\0\0\0\x06\0\0\0\x01\0\x02\0\x01\0\0\0\0\0\x02\0\0\0\x05\0".to_vec()
        );
        let too_big = ObjectArray::from_values(vec![Value::List(vec![Value::Int(40000)])]);
        assert!(c.encode_objects(&too_big).is_err());
        // numcodecs: VLenArray('<i2').encode(np.array([1, 2], '<i2')).hex()
        let v = ArrayView::new(&[1, 0, 2, 0], DType::parse("<i2").unwrap(), vec![2], Order::C).unwrap();
        assert_eq!(
            c.encode(&v).unwrap(),
            b"\x02\0\0\0\x02\0\0\0\x01\0\x02\0\0\0\x02\0".to_vec()
        );
    }

    #[test]
    fn direct_paths_match_the_owned_ones() {
        use crate::text::direct_checks::{
            same_decode, same_decode_prefixes, same_encode, same_encode_arrays,
        };
        use brickwork_core::object::ItemRef;
        let i2 = DType::parse("<i2").unwrap();
        let c = VLenArray::new(i2);
        let items = [ItemRef::Array(&[1, 0, 2, 0]), ItemRef::None, ItemRef::Array(&[])];
        assert!(same_encode_arrays(&c, &items, &[3], Some(i2)));
        // Other byte orders and types (numcodecs casts) take encode_objects.
        let be = DType::parse(">i2").unwrap();
        assert!(!same_encode_arrays(
            &c,
            &[ItemRef::Array(&[0, 1])],
            &[1],
            Some(be)
        ));
        let i4 = DType::parse("<i4").unwrap();
        assert!(!same_encode_arrays(
            &c,
            &[ItemRef::Array(&[0; 4])],
            &[1],
            Some(i4)
        ));
        assert!(!same_encode(&c, &[ItemRef::Array(&[0; 4])], &[1]));
        assert!(!same_encode(&c, &[ItemRef::Str("a")], &[1]));
        let enc = c.encode_objects(&ObjectArray::from_items(ObjectItems::Arrays {
            dtype: i2,
            items: vec![Some(vec![1, 0, 2, 0]), None],
        }));
        same_decode_prefixes(&c, &enc.unwrap());
        assert!(same_decode(&c, b"\x01\0\0\0\x03\0\0\0abc", &Limits::default()));
    }
}
