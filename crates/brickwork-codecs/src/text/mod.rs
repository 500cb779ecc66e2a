//! Text and object codecs: `base64` (bytes ↔ base64 text), and numcodecs' object codecs `json2`,
//! `msgpack2`, `vlen-utf8`, `vlen-bytes`, `vlen-array`, which work on object arrays
//! ([`brickwork_core::object`]) as well as on the typed arrays numcodecs also accepts.

pub mod base64;
pub(crate) mod items;
pub mod json;
pub mod json2;
pub mod msgpack;
pub mod msgpack2;
pub mod pyfloat;
pub mod utf32;
pub(crate) mod vlen;
pub mod vlen_array;
pub mod vlen_bytes;
pub mod vlen_utf8;

use brickwork_core::{ArrayView, DType, Endian, Error, Kind, Result};

/// The elements of a `U` (UTF-32) array as strings, in memory order, with trailing NULs stripped (as
/// NumPy's `tolist()` and `astype(object)` give them).
pub(crate) fn unicode_items(codec: &str, input: &ArrayView<'_>) -> Result<Vec<String>> {
    let dtype = input.dtype();
    let width = dtype.itemsize();
    if dtype.kind() != Kind::Unicode {
        return Err(Error::invalid_input(
            codec,
            format!("expected a 'U' array, got {dtype}"),
        ));
    }
    if width == 0 {
        let n = brickwork_core::element_count(input.shape())?;
        return Ok(vec![String::new(); n]);
    }
    let big = dtype.endian() == Endian::Big;
    let mut out = Vec::with_capacity(input.len() / width);
    for (i, elem) in input.data().chunks_exact(width).enumerate() {
        let mut s = String::with_capacity(width / 4);
        let mut nuls = 0usize;
        for cp in elem.chunks_exact(4) {
            let b = [cp[0], cp[1], cp[2], cp[3]];
            let v = if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            };
            if v == 0 {
                nuls += 1;
                continue;
            }
            for _ in 0..nuls {
                s.push('\0');
            }
            nuls = 0;
            s.push(char::from_u32(v).ok_or_else(|| {
                Error::invalid_input(
                    codec,
                    format!("element {i} holds {v:#x}, which is not a Unicode scalar value"),
                )
            })?);
        }
        out.push(s);
    }
    Ok(out)
}

/// The elements of an `S` array as byte strings with trailing NULs stripped (NumPy's `tolist()`).
pub(crate) fn bytes_items(input: &ArrayView<'_>) -> Vec<Vec<u8>> {
    let width = input.dtype().itemsize();
    if width == 0 {
        let n = brickwork_core::element_count(input.shape()).unwrap_or(0);
        return vec![Vec::new(); n];
    }
    input
        .data()
        .chunks_exact(width)
        .map(|e| {
            let end = e.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1);
            e[..end].to_vec()
        })
        .collect()
}

/// Writes `s` as a NumPy `U` element of `dtype` (truncated to the width, NUL-padded), as NumPy assigns.
pub(crate) fn put_unicode(dtype: DType, s: &str, out: &mut Vec<u8>) {
    let width = dtype.itemsize() / 4;
    let big = dtype.endian() == Endian::Big;
    let mut n = 0;
    for c in s.chars().take(width) {
        let v = c as u32;
        out.extend_from_slice(&if big { v.to_be_bytes() } else { v.to_le_bytes() });
        n += 1;
    }
    out.resize(out.len() + 4 * (width - n), 0);
}

/// Writes `b` as a NumPy `S` element (truncated to the width, NUL-padded).
pub(crate) fn put_bytes(dtype: DType, b: &[u8], out: &mut Vec<u8>) {
    let width = dtype.itemsize();
    let take = b.len().min(width);
    out.extend_from_slice(&b[..take]);
    out.resize(out.len() + width - take, 0);
}

/// Where the object codecs' writers put bytes: a growing vector, a counter (the exact size of the same
/// writing), or a caller's buffer ([`Cursor`]); so one writer of each format serves all three.
pub(crate) trait Put {
    /// Appends `b`.
    fn put(&mut self, b: &[u8]);
    /// Appends one byte.
    fn byte(&mut self, b: u8) {
        self.put(&[b]);
    }
    /// Appends `s` (text formats).
    fn put_str(&mut self, s: &str) {
        self.put(s.as_bytes());
    }
    /// Appends `c` (text formats).
    fn put_char(&mut self, c: char) {
        self.put_str(c.encode_utf8(&mut [0u8; 4]));
    }
    /// The running total of a [`Count`], so a writer may add a size it knows without writing.
    fn count_only(&mut self) -> Option<&mut usize> {
        None
    }
}

impl<P: Put + ?Sized> Put for &mut P {
    fn put(&mut self, b: &[u8]) {
        (**self).put(b);
    }
    fn byte(&mut self, b: u8) {
        (**self).byte(b);
    }
    fn put_str(&mut self, s: &str) {
        (**self).put_str(s);
    }
    fn put_char(&mut self, c: char) {
        (**self).put_char(c);
    }
    fn count_only(&mut self) -> Option<&mut usize> {
        (**self).count_only()
    }
}

impl Put for Vec<u8> {
    fn put(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
    fn byte(&mut self, b: u8) {
        self.push(b);
    }
}

impl Put for String {
    /// Only for text: callers put whole UTF-8 sequences; other bytes are replaced (never written).
    fn put(&mut self, b: &[u8]) {
        self.push_str(&String::from_utf8_lossy(b));
    }
    fn byte(&mut self, b: u8) {
        self.push(char::from(b));
    }
    fn put_str(&mut self, s: &str) {
        self.push_str(s);
    }
    fn put_char(&mut self, c: char) {
        self.push(c);
    }
}

/// Counts the bytes a writer would put.
#[derive(Debug, Default)]
pub(crate) struct Count(pub usize);

impl Put for Count {
    fn put(&mut self, b: &[u8]) {
        self.0 = self.0.saturating_add(b.len());
    }
    fn byte(&mut self, _: u8) {
        self.0 = self.0.saturating_add(1);
    }
    fn put_char(&mut self, c: char) {
        self.0 = self.0.saturating_add(c.len_utf8());
    }
    fn count_only(&mut self) -> Option<&mut usize> {
        Some(&mut self.0)
    }
}

/// How many items ahead of the one being written the object encoders prefetch: each `str` or
/// `bytes` lives in its own Python object, scattered in memory, so asking for one a few items ahead
/// while this one is written saves stalling on it then.
pub(crate) const PREFETCH_AHEAD: usize = 8;

/// The largest estimate an [`brickwork_core::ObjectCodec::encoded_items_estimate`] gives (256 MiB):
/// beyond it, the exact two-pass path is taken, so over-allocation stays bounded.
pub(crate) const ONE_PASS_MAX_BYTES: usize = 256 << 20;

/// Hints the CPU to start loading the first cache line of `b`.
#[inline]
pub(crate) fn prefetch(b: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults and has no architectural effect, whatever
    // the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(b.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = b;
}

impl Put for brickwork_core::OutBuf<'_> {
    fn put(&mut self, b: &[u8]) {
        brickwork_core::OutBuf::put(self, b);
    }
    fn byte(&mut self, b: u8) {
        brickwork_core::OutBuf::byte(self, b);
    }
}

/// Checks of the direct (borrowed) object paths against the owned ones, shared by the codecs' tests and
/// (with the `fuzzing` feature) the fuzz targets. They panic on a disagreement.
#[cfg(any(test, feature = "fuzzing"))]
#[cfg_attr(not(test), allow(dead_code))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed check panics
pub mod direct_checks {
    use brickwork_core::object::{scalar_value, ItemRef, ItemSink, ItemsRef};
    use brickwork_core::{
        DType, Decoded, Limits, ObjectArray, ObjectCodec, ObjectItems, Order, Result, Value,
    };

    /// Collects what a codec hands to its sink, as values (arrays as lists of numbers).
    #[derive(Default)]
    struct Collect(Vec<Value>);

    impl ItemSink for Collect {
        fn none(&mut self) -> Result<()> {
            self.0.push(Value::None);
            Ok(())
        }
        fn str(&mut self, s: &str) -> Result<()> {
            self.0.push(Value::Str(s.to_owned()));
            Ok(())
        }
        fn bytes(&mut self, b: &[u8]) -> Result<()> {
            self.0.push(Value::Bytes(b.to_vec()));
            Ok(())
        }
        fn array(&mut self, dtype: DType, b: &[u8]) -> Result<()> {
            let list = b
                .chunks_exact(dtype.itemsize())
                .map(|c| scalar_value(dtype, c))
                .collect::<Result<_>>()?;
            self.0.push(Value::List(list));
            Ok(())
        }
    }

    /// `decode_items` agrees with `decode_any`: the same objects and shape, or the same error (or no
    /// direct path). Returns whether the direct path was taken.
    pub fn same_decode(codec: &dyn ObjectCodec, encoded: &[u8], limits: &Limits) -> bool {
        let mut sink = Collect::default();
        let direct = codec.decode_items(encoded, limits, &mut sink);
        let owned = codec.decode_any(encoded, limits);
        match (direct, owned) {
            (Ok(Some(shape)), Ok(Decoded::Objects(o))) => {
                assert_eq!(shape, o.shape(), "{encoded:02x?}");
                assert_eq!(sink.0, o.to_values().unwrap(), "{encoded:02x?}");
                true
            }
            (Ok(None), _) => false,
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string(), "{encoded:02x?}");
                true
            }
            (a, b) => panic!("direct {a:?} vs owned {b:?} for {encoded:02x?}"),
        }
    }

    /// The owned items the Python bridge builds for the same elements.
    fn owned(items: &[ItemRef<'_>], array_dtype: Option<DType>) -> ObjectItems {
        let strs = items.iter().filter(|i| matches!(i, ItemRef::Str(_))).count();
        let bytes = items.iter().filter(|i| matches!(i, ItemRef::Bytes(_))).count();
        let arrays = items.iter().filter(|i| matches!(i, ItemRef::Array(..))).count();
        let nones = items.len() - strs - bytes - arrays;
        if strs > 0 && strs + nones == items.len() {
            return ObjectItems::Str(
                items
                    .iter()
                    .map(|i| match i {
                        ItemRef::Str(s) => Some((*s).to_owned()),
                        _ => None,
                    })
                    .collect(),
            );
        }
        if bytes > 0 && bytes + nones == items.len() {
            return ObjectItems::Bytes(
                items
                    .iter()
                    .map(|i| match i {
                        ItemRef::Bytes(b) => Some(b.to_vec()),
                        _ => None,
                    })
                    .collect(),
            );
        }
        if let (Some(dtype), true) = (array_dtype, arrays > 0) {
            return ObjectItems::Arrays {
                dtype,
                items: items
                    .iter()
                    .map(|i| match i {
                        ItemRef::Array(b) => Some(b.to_vec()),
                        _ => None,
                    })
                    .collect(),
            };
        }
        ObjectItems::Values(
            items
                .iter()
                .map(|i| match i {
                    ItemRef::Str(s) => Value::Str((*s).to_owned()),
                    ItemRef::Bytes(b) => Value::Bytes(b.to_vec()),
                    _ => Value::None,
                })
                .collect(),
        )
    }

    /// `encode_items` agrees with `encode_objects` of the owned items (bytes, or error text); returns
    /// whether the direct path was taken.
    pub(crate) fn same_encode(codec: &dyn ObjectCodec, items: &[ItemRef<'_>], shape: &[usize]) -> bool {
        same_encode_arrays(codec, items, shape, None)
    }

    /// [`same_encode`] with array items of `array_dtype`.
    pub(crate) fn same_encode_arrays(
        codec: &dyn ObjectCodec,
        items: &[ItemRef<'_>],
        shape: &[usize],
        array_dtype: Option<DType>,
    ) -> bool {
        let view = ItemsRef {
            items,
            shape,
            order: Order::C,
            array_dtype,
        };
        let Some(direct) = codec.encode_items(view) else {
            return false;
        };
        if let (Ok(bytes), Some(Ok(len))) = (&direct, codec.encoded_items_len(view)) {
            assert_eq!(bytes.len(), len, "encoded_items_len must be exact");
        }
        if let (Ok(bytes), Some(estimate)) = (&direct, codec.encoded_items_estimate(view)) {
            // The one-pass path writes the same bytes when they fit, and reports when they do not.
            let mut buf = vec![std::mem::MaybeUninit::new(0xa5u8); estimate];
            let mut out = brickwork_core::OutBuf::new(&mut buf);
            codec.encode_items_into(view, &mut out).unwrap();
            if let Some(n) = out.written() {
                // SAFETY: every element was initialised (to 0xa5) when `buf` was made.
                let written: Vec<u8> = buf[..n].iter().map(|b| unsafe { b.assume_init() }).collect();
                assert_eq!(&written, bytes, "one pass into the estimate");
            }
            let mut buf = vec![std::mem::MaybeUninit::new(0u8); bytes.len().saturating_sub(1)];
            let mut out = brickwork_core::OutBuf::new(&mut buf);
            codec.encode_items_into(view, &mut out).unwrap();
            assert!(out.overflowed(), "overflow");
        }
        let array = ObjectArray::new(owned(items, array_dtype), shape.to_vec(), Order::C).unwrap();
        match (direct, codec.encode_objects(&array)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("direct {a:?} vs owned {b:?}"),
        }
        true
    }

    /// Every prefix of `encoded` (and `encoded` itself, also with a tight limit) decodes alike on both
    /// paths.
    pub(crate) fn same_decode_prefixes(codec: &dyn ObjectCodec, encoded: &[u8]) {
        assert!(same_decode(codec, encoded, &Limits::default()));
        for n in 0..encoded.len() {
            same_decode(codec, &encoded[..n], &Limits::default());
        }
        for limit in [0, 8, 40, 200] {
            same_decode(codec, encoded, &Limits::new(limit));
        }
    }
}
