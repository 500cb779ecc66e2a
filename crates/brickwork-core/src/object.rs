//! Object arrays: the Rust model of the NumPy `dtype=object` arrays numcodecs' object codecs work on.
//!
//! numcodecs' object codecs (`json2`, `msgpack2`, `vlen-utf8`, `vlen-bytes`, `vlen-array`, and
//! `categorize` with `dtype='|O'`) take arrays of Python objects. Rust has no Python objects, so an
//! [`ObjectArray`] holds one of four typed item lists, each with the nulls (`None`) numcodecs accepts:
//!
//! | items                        | Python objects                         | used by                         |
//! |------------------------------|----------------------------------------|---------------------------------|
//! | [`ObjectItems::Str`]         | `str` or `None`                        | vlen-utf8, categorize, json2, msgpack2 |
//! | [`ObjectItems::Bytes`]       | `bytes` or `None`                      | vlen-bytes, msgpack2            |
//! | [`ObjectItems::Arrays`]      | 1-D NumPy arrays of one dtype or `None` | vlen-array                      |
//! | [`ObjectItems::Values`]      | JSON/msgpack-representable values      | json2, msgpack2                 |
//!
//! plus the array's shape and memory order. Items are stored in **memory order** (as numcodecs' vlen
//! codecs read them, `reshape(-1, order='A')`); json2 and msgpack2 re-order them to logical C order
//! themselves (NumPy's `tolist()`), see [`ObjectArray::c_order_index`].
//!
//! Codecs that accept object arrays implement [`ObjectCodec`] and return it from
//! [`crate::Codec::as_object_codec`], so code holding a `Box<dyn Codec>` (the registry, a pipeline, the
//! Python bridge) can find out whether a codec takes objects.
//!
//! How a binding maps NumPy object arrays (what the codecs expect):
//! * encode: list the elements in memory order (`arr.ravel(order='K')` for a contiguous array) with
//!   [`Order::F`] for an F-contiguous (and not C-contiguous) array, else [`Order::C`]; use
//!   [`ObjectItems::Str`] when every element is `str` or `None`, [`ObjectItems::Bytes`] for `bytes` or
//!   `None`, [`ObjectItems::Arrays`] for 1-D NumPy arrays of one dtype (vlen-array), otherwise
//!   [`ObjectItems::Values`] (`None`, `bool`, `int`, `float`, `str`, `bytes`, `list`/`tuple`, `dict`);
//!   vlen-utf8/vlen-bytes treat `Value::None` and values equal to 0 as missing, as numcodecs does;
//! * decode: call [`ObjectCodec::decode_any`]; [`Decoded::Array`] is a typed array, [`Decoded::Objects`]
//!   fills `np.empty(shape, dtype=object)` from the items in the given order (decoders return C order;
//!   vlen codecs return 1-D arrays).

use std::fmt;

use crate::array::{element_count, ArrayBuf, Order};
use crate::codec::Codec;
use crate::dtype::{DType, Endian, Kind};
use crate::error::{Error, Result};
use crate::limits::Limits;

/// One Python object of a JSON/msgpack-representable object array.
///
/// Python `int` is unbounded; this model holds the range msgpack can store (`-2**63 ..= 2**64-1`) and
/// more, as an `i128`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `bool`.
    Bool(bool),
    /// `int`.
    Int(i128),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list` (or `tuple`: JSON and msgpack write both as arrays).
    List(Vec<Value>),
    /// `dict`, in insertion order.
    Dict(Vec<(Value, Value)>),
}

impl Value {
    /// Python's type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }
}

/// The items of an object array, in the array's memory order.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectItems {
    /// `str` objects; `None` is a missing value.
    Str(Vec<Option<String>>),
    /// `bytes` objects; `None` is a missing value.
    Bytes(Vec<Option<Vec<u8>>>),
    /// 1-D arrays of one dtype, each as its raw bytes (a whole number of `dtype` items); `None` is a
    /// missing value.
    Arrays {
        /// The element type of every item.
        dtype: DType,
        /// Each item's bytes.
        items: Vec<Option<Vec<u8>>>,
    },
    /// General values (json2, msgpack2).
    Values(Vec<Value>),
}

impl ObjectItems {
    /// Number of items.
    pub fn len(&self) -> usize {
        match self {
            ObjectItems::Str(v) => v.len(),
            ObjectItems::Bytes(v) => v.len(),
            ObjectItems::Arrays { items, .. } => items.len(),
            ObjectItems::Values(v) => v.len(),
        }
    }

    /// True when there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A short name of the variant, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ObjectItems::Str(_) => "str items",
            ObjectItems::Bytes(_) => "bytes items",
            ObjectItems::Arrays { .. } => "array items",
            ObjectItems::Values(_) => "general values",
        }
    }
}

/// A NumPy object array: typed items, a shape and the memory order the items are listed in.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectArray {
    items: ObjectItems,
    shape: Vec<usize>,
    order: Order,
}

impl ObjectArray {
    /// An object array; the item count must equal the product of `shape`, and `Arrays` items must each
    /// be a whole number of `dtype` items.
    pub fn new(items: ObjectItems, shape: Vec<usize>, order: Order) -> Result<Self> {
        let n = element_count(&shape)?;
        if n != items.len() {
            return Err(Error::InvalidArray(format!(
                "an object array of shape {shape:?} needs {n} items, got {}",
                items.len()
            )));
        }
        if let ObjectItems::Arrays { dtype, items } = &items {
            let size = dtype.itemsize();
            if size == 0 || matches!(dtype.kind(), Kind::Object) {
                return Err(Error::InvalidArray(format!(
                    "array items need a fixed-size, non-object dtype, got {dtype}"
                )));
            }
            if let Some((i, b)) = items.iter().enumerate().find_map(|(i, b)| {
                b.as_ref()
                    .filter(|b| !b.len().is_multiple_of(size))
                    .map(|b| (i, b))
            }) {
                return Err(Error::InvalidArray(format!(
                    "array item {i} has {} bytes, not a whole number of {dtype} items",
                    b.len()
                )));
            }
        }
        Ok(ObjectArray { items, shape, order })
    }

    /// A 1-D array of items.
    pub fn from_items(items: ObjectItems) -> Self {
        let shape = vec![items.len()];
        ObjectArray {
            items,
            shape,
            order: Order::C,
        }
    }

    /// A 1-D array of strings (`None` = missing).
    pub fn from_strings(items: Vec<Option<String>>) -> Self {
        Self::from_items(ObjectItems::Str(items))
    }

    /// A 1-D array of byte strings (`None` = missing).
    pub fn from_byte_strings(items: Vec<Option<Vec<u8>>>) -> Self {
        Self::from_items(ObjectItems::Bytes(items))
    }

    /// A 1-D array of general values.
    pub fn from_values(items: Vec<Value>) -> Self {
        Self::from_items(ObjectItems::Values(items))
    }

    /// The items, in memory order.
    pub fn items(&self) -> &ObjectItems {
        &self.items
    }

    /// Takes the items.
    pub fn into_items(self) -> ObjectItems {
        self.items
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The memory order the items are listed in.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The memory-order index of every element, listed in logical C order (NumPy's `tolist()` order).
    ///
    /// For C order (or fewer than two dimensions) this is `0..len`.
    pub fn c_order_index(&self) -> Vec<usize> {
        c_order_index(&self.shape, self.order)
    }

    /// Every item as a general [`Value`], in memory order (`str`/`bytes`/`None`; array items become lists
    /// of numbers, as NumPy's `tolist()`).
    pub fn to_values(&self) -> Result<Vec<Value>> {
        Ok(match &self.items {
            ObjectItems::Values(v) => v.clone(),
            ObjectItems::Str(v) => v
                .iter()
                .map(|s| s.as_ref().map_or(Value::None, |s| Value::Str(s.clone())))
                .collect(),
            ObjectItems::Bytes(v) => v
                .iter()
                .map(|s| s.as_ref().map_or(Value::None, |s| Value::Bytes(s.clone())))
                .collect(),
            ObjectItems::Arrays { dtype, items } => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(match item {
                        None => Value::None,
                        Some(bytes) => {
                            let size = dtype.itemsize().max(1);
                            let mut list = Vec::with_capacity(bytes.len() / size);
                            for chunk in bytes.chunks_exact(size) {
                                list.push(scalar_value(*dtype, chunk)?);
                            }
                            Value::List(list)
                        }
                    });
                }
                out
            }
        })
    }
}

/// The memory-order index of every element of an array of `shape` stored in `order`, listed in logical
/// C order.
pub fn c_order_index(shape: &[usize], order: Order) -> Vec<usize> {
    let n = element_count(shape).unwrap_or(0);
    if order == Order::C || shape.len() < 2 {
        return (0..n).collect();
    }
    // F order: the stride of axis k is the product of the axes before it.
    let mut strides = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        strides[k] = strides[k - 1].wrapping_mul(shape[k - 1]);
    }
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..n {
        out.push(idx.iter().zip(&strides).map(|(i, s)| i * s).sum());
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

/// One element of a numeric/bool array as a Python value, as NumPy's `tolist()` gives it.
///
/// Floats are widened to `f64` (float16 exactly, by its bit pattern). Complex, datetime and other kinds
/// are refused.
pub fn scalar_value(dtype: DType, bytes: &[u8]) -> Result<Value> {
    let big = dtype.endian() == Endian::Big;
    let mut b = [0u8; 8];
    let n = dtype.itemsize();
    if bytes.len() != n || n > 8 {
        return Err(Error::InvalidArray(format!(
            "{} bytes are not one {dtype} item",
            bytes.len()
        )));
    }
    // Little-endian into b[..n].
    for (i, byte) in bytes.iter().enumerate() {
        b[if big { n - 1 - i } else { i }] = *byte;
    }
    let u = u64::from_le_bytes(b);
    Ok(match (dtype.kind(), n) {
        (Kind::Bool, 1) => Value::Bool(u != 0),
        (Kind::UInt, _) => Value::Int(i128::from(u)),
        (Kind::Int, _) => {
            let shift = 64 - 8 * n as u32;
            Value::Int(i128::from(((u << shift) as i64) >> shift))
        }
        (Kind::Float, 2) => Value::Float(f16_bits_to_f64(u as u16)),
        (Kind::Float, 4) => Value::Float(f64::from(f32::from_bits(u as u32))),
        (Kind::Float, 8) => Value::Float(f64::from_bits(u)),
        _ => {
            return Err(Error::InvalidDType {
                spec: dtype.to_string(),
                reason: "only bool, integer and float items can be listed as Python values".into(),
            })
        }
    })
}

/// IEEE binary16 bits to `f64` (exact).
pub fn f16_bits_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f64.powi(-24),
        31 if frac == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        _ => sign * (1.0 + frac / 1024.0) * 2f64.powi(exp - 15),
    }
}

/// What an object codec decoded: a typed array (json2/msgpack2 data of a non-object dtype) or objects.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// A typed array (numeric, bool, `U`, `S`).
    Array(ArrayBuf),
    /// An object array.
    Objects(ObjectArray),
}

/// One item of an object array borrowed from its owner (a binding lends the Python objects' own
/// UTF-8 or bytes, so encoding copies nothing per item).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemRef<'a> {
    /// `None`.
    None,
    /// A `str`, as UTF-8.
    Str(&'a str),
    /// A `bytes`.
    Bytes(&'a [u8]),
    /// A 1-D array of [`ItemsRef::array_dtype`]: its raw bytes (a whole number of items, memory
    /// order).
    Array(&'a [u8]),
}

/// Borrowed items (memory order) with the object array's shape and memory order: the input of
/// [`ObjectCodec::encode_items`].
#[derive(Debug, Clone, Copy)]
pub struct ItemsRef<'a> {
    /// The items, in memory order.
    pub items: &'a [ItemRef<'a>],
    /// The array's shape (its product is `items.len()`).
    pub shape: &'a [usize],
    /// The memory order the items are listed in.
    pub order: Order,
    /// The element type of the [`ItemRef::Array`] items.
    pub array_dtype: Option<DType>,
}

/// Receives decoded items one by one, in logical C order ([`ObjectCodec::decode_items`]), so a binding
/// can create its objects straight from the encoded bytes, without an owned intermediate per item.
pub trait ItemSink {
    /// A `None` item.
    fn none(&mut self) -> Result<()>;
    /// A `str` item (valid UTF-8, checked by the codec).
    fn str(&mut self, s: &str) -> Result<()>;
    /// A `str` item given as bytes that must be UTF-8, for a sink whose own string constructor
    /// validates anyway (CPython's): `Ok(false)`, keeping nothing, when `b` is not valid UTF-8 (the
    /// codec then reports its error). The default checks and calls [`ItemSink::str`].
    fn utf8(&mut self, b: &[u8]) -> Result<bool> {
        match std::str::from_utf8(b) {
            Ok(s) => self.str(s).map(|()| true),
            Err(_) => Ok(false),
        }
    }
    /// A `str` item given as its code points (Unicode scalar values, never surrogates), for codecs
    /// that decode the text themselves (json2's escapes), so a sink building strings from code points
    /// needs no second decoding pass. The default collects them and calls [`ItemSink::str`].
    fn code_points(&mut self, cps: &[u32]) -> Result<()> {
        let s = cps
            .iter()
            .map(|&c| char::from_u32(c))
            .collect::<Option<String>>()
            .ok_or_else(|| {
                Error::InvalidArray("a str item holds a value that is no Unicode scalar".into())
            })?;
        self.str(&s)
    }
    /// A hint that about `additional` more items follow (never more than the data can hold).
    fn reserve(&mut self, additional: usize) {
        let _ = additional;
    }
    /// A `bytes` item.
    fn bytes(&mut self, b: &[u8]) -> Result<()>;
    /// A 1-D array item of `dtype` (`b` is a whole number of items).
    fn array(&mut self, dtype: DType, b: &[u8]) -> Result<()>;
}

/// A codec that encodes and decodes object arrays (numcodecs' object codecs).
///
/// Its plain [`Codec::encode`]/[`Codec::decode`] handle the typed arrays numcodecs also accepts (and
/// A caller's buffer, initialised or not, that [`ObjectCodec::encode_items_into`] writes into. Only
/// whole initialised bytes go in, what does not fit is dropped and flagged, and the buffer itself
/// keeps count, so its first [`OutBuf::filled`] bytes are initialised whatever the codec does.
#[derive(Debug)]
pub struct OutBuf<'a> {
    buf: &'a mut [std::mem::MaybeUninit<u8>],
    pos: usize,
    overflow: bool,
}

impl<'a> OutBuf<'a> {
    /// An empty buffer writing into `buf`.
    pub fn new(buf: &'a mut [std::mem::MaybeUninit<u8>]) -> Self {
        OutBuf {
            buf,
            pos: 0,
            overflow: false,
        }
    }

    /// Appends `b`, or flags the overflow when it does not fit.
    #[inline]
    pub fn put(&mut self, b: &[u8]) {
        match self.buf.get_mut(self.pos..self.pos + b.len()) {
            Some(dst) => {
                // SAFETY: `dst` and `b` have the same length and cannot overlap (`dst` is borrowed
                // exclusively); `MaybeUninit<u8>` has the layout of `u8`.
                unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), dst.as_mut_ptr().cast::<u8>(), b.len()) };
                self.pos += b.len();
            }
            None => self.overflow = true,
        }
    }

    /// Appends one byte, or flags the overflow.
    #[inline]
    pub fn byte(&mut self, b: u8) {
        match self.buf.get_mut(self.pos) {
            Some(dst) => {
                dst.write(b);
                self.pos += 1;
            }
            None => self.overflow = true,
        }
    }

    /// The bytes written so far.
    pub fn filled(&self) -> usize {
        self.pos
    }

    /// Whether something did not fit.
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The bytes written, or `None` when something did not fit.
    pub fn written(&self) -> Option<usize> {
        (!self.overflow).then_some(self.pos)
    }
}

/// refuse `|O` with an error pointing here).
pub trait ObjectCodec: Codec {
    /// Encodes an object array.
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>>;

    /// The exact encoded size of borrowed items, for the direct path of the common item kinds
    /// ([`ObjectCodec::encode_items_into`]): `None` when this codec has no direct path for these items
    /// (the caller then builds an [`ObjectArray`] and calls [`ObjectCodec::encode_objects`], which
    /// also reports any error). The default has no direct path.
    fn encoded_items_len(&self, items: ItemsRef<'_>) -> Option<Result<usize>> {
        let _ = items;
        None
    }

    /// Writes borrowed items for which [`ObjectCodec::encoded_items_len`] (or
    /// [`ObjectCodec::encoded_items_estimate`]) gave a size into `out` (a caller's fresh Python
    /// `bytes`, say): exactly what `encode_objects` of the same items returns, or, when `out` is too
    /// small, as much as fits with [`OutBuf::overflowed`] set. The default (no direct path) is an error.
    fn encode_items_into(&self, items: ItemsRef<'_>, out: &mut OutBuf<'_>) -> Result<()> {
        let _ = (items, out);
        Err(Error::invalid_input(
            self.codec_id(),
            "this codec has no direct encoding of borrowed items; use encode_objects",
        ))
    }

    /// A size that holds the encoding of borrowed items in all but unusual cases, for codecs whose
    /// exact size costs a pass over the items' contents (json2's escapes): the caller allocates it
    /// uninitialised, writes with [`ObjectCodec::encode_items_into`] and shrinks the result, falling
    /// back to the exact size when they did not fit. `None` (the default) means: use
    /// [`ObjectCodec::encoded_items_len`].
    fn encoded_items_estimate(&self, items: ItemsRef<'_>) -> Option<usize> {
        let _ = items;
        None
    }

    /// [`ObjectCodec::encoded_items_len`] and [`ObjectCodec::encode_items_into`] into a new vector.
    fn encode_items(&self, items: ItemsRef<'_>) -> Option<Result<Vec<u8>>> {
        let len = match self.encoded_items_len(items)? {
            Ok(len) => len,
            Err(e) => return Some(Err(e)),
        };
        let mut out = Vec::with_capacity(len);
        let mut buf = OutBuf::new(out.spare_capacity_mut());
        if let Err(e) = self.encode_items_into(items, &mut buf) {
            return Some(Err(e));
        }
        let Some(n) = buf.written() else {
            return Some(Err(Error::output_size(
                self.codec_id(),
                format!("more than {len}"),
                len,
            )));
        };
        // SAFETY: an OutBuf's first `written()` bytes are initialised (it counts them itself).
        unsafe { out.set_len(n) };
        Some(Ok(out))
    }

    /// Decodes straight into `sink` (the fast path of results made of `str`/`bytes`/`None`/array
    /// items): `Ok(Some(shape))` when every item was given to `sink` in logical C order and the result
    /// is an object array of `shape`; `Ok(None)` when this data has no direct path (the caller discards
    /// what `sink` received and calls [`ObjectCodec::decode_any`], which also reports any error in the
    /// data); `Err` for an error of `sink`, or the error `decode_any` would return. The default has no
    /// direct path.
    fn decode_items(
        &self,
        encoded: &[u8],
        limits: &Limits,
        sink: &mut dyn ItemSink,
    ) -> Result<Option<Vec<usize>>> {
        let _ = (encoded, limits, sink);
        Ok(None)
    }

    /// Decodes untrusted bytes into an object array, within `limits`.
    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray>;

    /// Decodes to whatever the data holds: a typed array when the stored dtype is not `|O` (json2,
    /// msgpack2), otherwise objects. The default always returns objects.
    fn decode_any(&self, encoded: &[u8], limits: &Limits) -> Result<Decoded> {
        self.decode_objects(encoded, limits).map(Decoded::Objects)
    }
}

/// The error a typed-only path gives for `|O` input.
pub fn object_input_error(codec: &str) -> Error {
    Error::invalid_input(
        codec,
        "an object ('|O') array cannot be passed as bytes; use ObjectCodec::encode_objects \
         (Codec::as_object_codec) with an ObjectArray",
    )
}

impl fmt::Display for Value {
    /// A Python-`repr`-like rendering, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => write!(f, "None"),
            Value::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "<{} bytes>", b.len()),
            Value::List(v) => write!(f, "<list of {}>", v.len()),
            Value::Dict(v) => write!(f, "<dict of {}>", v.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_counts_and_item_sizes() {
        let s = ObjectItems::Str(vec![Some("a".into()), None, None, None]);
        assert!(ObjectArray::new(s.clone(), vec![2, 2], Order::C).is_ok());
        assert!(ObjectArray::new(s, vec![3], Order::C).is_err());
        let i2 = DType::parse("<i2").unwrap();
        let a = ObjectItems::Arrays {
            dtype: i2,
            items: vec![Some(vec![1, 0, 2])],
        };
        assert!(ObjectArray::new(a, vec![1], Order::C).is_err());
    }

    #[test]
    fn c_order_of_an_f_array() {
        // F-ordered (2,3): memory holds a00 a10 a01 a11 a02 a12.
        assert_eq!(c_order_index(&[2, 3], Order::F), vec![0, 2, 4, 1, 3, 5]);
        assert_eq!(c_order_index(&[2, 3], Order::C), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(c_order_index(&[], Order::F), vec![0]);
    }

    #[test]
    fn scalars_as_tolist() {
        let v = |s: &str, b: &[u8]| scalar_value(DType::parse(s).unwrap(), b).unwrap();
        assert_eq!(v("<i2", &[0xff, 0xff]), Value::Int(-1));
        assert_eq!(v(">i2", &[0x01, 0x00]), Value::Int(256));
        assert_eq!(v("<u8", &[0xff; 8]), Value::Int(i128::from(u64::MAX)));
        assert_eq!(v("|b1", &[2]), Value::Bool(true));
        assert_eq!(v("<f2", &[0x00, 0x3c]), Value::Float(1.0));
        assert_eq!(v("<f2", &[0x01, 0x00]), Value::Float(2f64.powi(-24)));
        assert_eq!(v("<f4", &0.1f32.to_le_bytes()), Value::Float(f64::from(0.1f32)));
        assert!(scalar_value(DType::parse("<c8").unwrap(), &[0; 8]).is_err());
    }
}
