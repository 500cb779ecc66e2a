//! `json2`: an array as JSON text, byte-identical to numcodecs' `JSON` codec (Python's `json` module).
//!
//! * Config (numcodecs' key order): `{"id": "json2", "encoding": "utf-8", "skipkeys": false,
//!   "ensure_ascii": true, "check_circular": true, "allow_nan": true, "indent": null,
//!   "separators": [",", ":"], "sort_keys": true, "strict": true}`. A missing `separators` becomes
//!   `[",", ":"]` without `indent` and `[", ", ": "]` with it, and is always emitted. `indent` is kept as
//!   given (`true` means one space, as Python's `True * ' '`; an int n means n spaces; a string is used
//!   as is). `encoding` accepts utf-8, ascii and latin-1 spellings (checked at encode/decode).
//!   `check_circular` has no effect (a value tree has no cycles).
//! * Wire format: the JSON text of `[<items of the first axis...>, "<dtype.str>", [<shape>]]`, where
//!   the items are NumPy's `tolist()` of `np.atleast_1d(arr)` (nested lists, logical C order); see
//!   `text::items`. Output follows Python's `json.JSONEncoder` exactly: floats as `repr`
//!   ([`super::pyfloat`]), `NaN`/`Infinity`/`-Infinity`, `ensure_ascii` escapes with lowercase hex and
//!   surrogate pairs, `indent` with the item separator before each newline (so `", "` leaves a trailing
//!   space), `sort_keys` for dicts.
//! * Decode: Python's `json.loads` (`NaN`/`Infinity` accepted, `strict` rejects raw control characters
//!   in strings, duplicate keys keep the last value), then `np.empty(shape, dtype); dec[:] = items`
//!   (`items::to_decoded`). Ints beyond the `i128` range are refused. Nesting deeper than
//!   [`MAX_DEPTH`] is refused (Python's own limit is its recursion limit). The parsed tree counts
//!   against [`Limits`] (each value as `size_of::<Value>()` plus its string bytes).
//! * Typed vs objects: [`Codec::encode`] takes bool/int/float/`U` arrays (`S`, complex, datetime fail as
//!   in numcodecs; `|O` points to `encode_objects`); [`Codec::decode`] returns the typed array when the
//!   stored dtype is not `|O`. Object arrays go through [`ObjectCodec`]; `decode_any` returns either.
//! * The legacy id `json` (numcodecs < 0.6, no shape in the data) is [`super::json::LegacyJson`].
//! * **Difference:** strings with lone surrogates (`"\udce9"`, valid in Python's `json`: file names
//!   decoded with `surrogateescape` have them) cannot be Rust strings, so encoding or decoding them is an
//!   error here ("lone surrogate", "not a Unicode scalar value"); the Python package then runs numcodecs'
//!   own algorithm on the standard `json` module (`python/brickwork/codecs/json.py`), same bytes.

use brickwork_core::object::{ItemRef, ItemSink, ItemsRef, OutBuf};
use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, Decoded, Error, Limits, ObjectArray, ObjectCodec, Result,
    StaticCodec, Value,
};
use serde::{Deserialize, Serialize};

use super::pyfloat::json_float;
use super::{items, prefetch, Count, Put, ONE_PASS_MAX_BYTES, PREFETCH_AHEAD};

const ID: &str = "json2";

/// The deepest nesting the parser accepts (NumPy arrays have at most 64 dimensions; this also keeps
/// the recursion far from the stack limit of a 2 MiB thread).
pub const MAX_DEPTH: usize = 128;

fn yes() -> bool {
    true
}

fn utf8() -> String {
    "utf-8".into()
}

/// numcodecs' `JSON(encoding='utf-8', skipkeys=False, ensure_ascii=True, check_circular=True,
/// allow_nan=True, sort_keys=True, indent=None, separators=None, strict=True)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Json2 {
    /// Text encoding of the JSON (`'utf-8'`).
    #[serde(default = "utf8")]
    pub encoding: String,
    /// Skip dict keys that are not str/int/float/bool/None instead of failing.
    #[serde(default)]
    pub skipkeys: bool,
    /// Escape every non-ASCII character as `\uXXXX`.
    #[serde(default = "yes")]
    pub ensure_ascii: bool,
    /// Python's cycle check (no effect here).
    #[serde(default = "yes")]
    pub check_circular: bool,
    /// Write NaN and infinities as `NaN`/`Infinity` (else they are an error).
    #[serde(default = "yes")]
    pub allow_nan: bool,
    /// `null`, an int (spaces), `true`/`false` (1/0 spaces) or a string.
    #[serde(default)]
    pub indent: serde_json::Value,
    /// (item separator, key separator); filled from `indent` when missing.
    #[serde(default)]
    pub separators: Option<(String, String)>,
    /// Sort dict keys.
    #[serde(default = "yes")]
    pub sort_keys: bool,
    /// Reject raw control characters inside strings when decoding.
    #[serde(default = "yes")]
    pub strict: bool,
}

impl Default for Json2 {
    fn default() -> Self {
        Json2 {
            encoding: utf8(),
            skipkeys: false,
            ensure_ascii: true,
            check_circular: true,
            allow_nan: true,
            indent: serde_json::Value::Null,
            separators: Some((",".into(), ":".into())),
            sort_keys: true,
            strict: true,
        }
    }
}

const KEYS: &[&str] = &[
    "encoding",
    "skipkeys",
    "ensure_ascii",
    "check_circular",
    "allow_nan",
    "indent",
    "separators",
    "sort_keys",
    "strict",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum TextEncoding {
    Utf8,
    Ascii,
    Latin1,
}

impl Json2 {
    pub(crate) fn build(codec: &str, config: &Config) -> Result<Self> {
        let mut c: Json2 = brickwork_core::config::parse(codec, KEYS, config)?;
        if c.separators.is_none() {
            c.separators = Some(if c.indent.is_null() {
                (",".into(), ":".into())
            } else {
                (", ".into(), ": ".into())
            });
        }
        Ok(c)
    }

    fn indent_str(&self, codec: &str) -> Result<Option<String>> {
        use serde_json::Value as J;
        Ok(match &self.indent {
            J::Null => None,
            J::Bool(b) => Some(if *b { " ".into() } else { String::new() }),
            J::Number(n) => match n.as_i64() {
                Some(i) => Some(" ".repeat(usize::try_from(i.clamp(0, 1 << 16)).unwrap_or(0))),
                None => {
                    return Err(Error::invalid_config(
                        codec,
                        "indent",
                        format!("{n} is not an int (Python: can't multiply sequence by non-int)"),
                    ))
                }
            },
            J::String(s) => Some(s.clone()),
            other => {
                return Err(Error::invalid_config(
                    codec,
                    "indent",
                    format!("expected null, an int, a bool or a string, got {other}"),
                ))
            }
        })
    }

    fn text_encoding(&self, codec: &str) -> Result<TextEncoding> {
        let e = self.encoding.to_ascii_lowercase().replace('_', "-");
        match e.as_str() {
            "utf-8" | "utf8" | "u8" | "utf" | "cp65001" => Ok(TextEncoding::Utf8),
            "ascii" | "us-ascii" | "646" => Ok(TextEncoding::Ascii),
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" => Ok(TextEncoding::Latin1),
            _ => Err(Error::invalid_config(
                codec,
                "encoding",
                format!(
                    "{:?} is not supported; use 'utf-8', 'ascii' or 'latin-1'",
                    self.encoding
                ),
            )),
        }
    }

    /// Python's `JSONEncoder(...).encode(value)` followed by `.encode(encoding)`.
    pub fn dumps(&self, value: &Value) -> Result<Vec<u8>> {
        self.dumps_as(ID, value)
    }

    fn dumps_as(&self, codec: &str, value: &Value) -> Result<Vec<u8>> {
        let mut w = self.writer(codec, String::new())?;
        w.value(value, 0)?;
        self.finish(codec, w.out)
    }

    /// A writer of this config's JSON text into `out`.
    fn writer<'a, O: Put>(&'a self, codec: &'a str, out: O) -> Result<Writer<'a, O>> {
        let (item_sep, key_sep) = self.separators.clone().unwrap_or((",".into(), ":".into()));
        Ok(Writer {
            codec,
            cfg: self,
            indent: self.indent_str(codec)?,
            item_sep,
            key_sep,
            out,
        })
    }

    /// The JSON text encoded in the config's text encoding (`str.encode(encoding)`).
    fn finish(&self, codec: &str, text: String) -> Result<Vec<u8>> {
        match self.text_encoding(codec)? {
            TextEncoding::Utf8 => Ok(text.into_bytes()),
            TextEncoding::Ascii if text.is_ascii() => Ok(text.into_bytes()),
            TextEncoding::Ascii => Err(Error::invalid_input(
                codec,
                "the JSON text is not ASCII ('ascii' codec can't encode it); use ensure_ascii=true",
            )),
            TextEncoding::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).ok())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| Error::invalid_input(codec, "the JSON text is not representable in latin-1")),
        }
    }

    /// Python's `json.loads(text.decode(encoding), strict=strict)`, within `limits`.
    pub fn loads(&self, encoded: &[u8], limits: &Limits) -> Result<Value> {
        self.loads_as(ID, encoded, limits)
    }

    fn loads_as(&self, codec: &str, encoded: &[u8], limits: &Limits) -> Result<Value> {
        let text: std::borrow::Cow<'_, str> = match self.text_encoding(codec)? {
            TextEncoding::Utf8 => std::str::from_utf8(encoded)
                .map_err(|e| Error::corrupt(codec, format!("the text is not valid UTF-8 ({e})")))?
                .into(),
            TextEncoding::Ascii => {
                if !encoded.is_ascii() {
                    return Err(Error::corrupt(codec, "the text is not ASCII"));
                }
                std::str::from_utf8(encoded)
                    .map_err(|e| Error::corrupt(codec, e))?
                    .into()
            }
            TextEncoding::Latin1 => encoded.iter().map(|b| char::from(*b)).collect::<String>().into(),
        };
        let mut p = Parser {
            codec,
            text: &text,
            s: text.as_bytes(),
            pos: 0,
            strict: self.strict,
            used: 0,
            limit: limits.max_decoded_bytes,
        };
        p.ws();
        let v = p.value(0)?;
        p.ws();
        if p.pos != p.s.len() {
            return Err(p.err("Extra data"));
        }
        Ok(v)
    }

    pub(crate) fn encode_value(
        &self,
        codec: &str,
        tolist: Value,
        dtype: String,
        shape: &[usize],
        legacy: bool,
    ) -> Result<Vec<u8>> {
        // np.atleast_1d(buf).tolist(): a 0-d array's scalar becomes a one-item list.
        let mut top = match tolist {
            Value::List(v) => v,
            scalar => vec![scalar],
        };
        top.push(Value::Str(dtype));
        if !legacy {
            top.push(Value::List(
                shape.iter().map(|d| Value::Int(*d as i128)).collect(),
            ));
        }
        self.dumps_as(codec, &Value::List(top))
    }

    pub(crate) fn decode_as(
        &self,
        codec: &str,
        encoded: &[u8],
        limits: &Limits,
        legacy: bool,
        objects: bool,
    ) -> Result<Decoded> {
        let top = self.loads_as(codec, encoded, limits)?;
        let (items, dtype, shape) = if legacy {
            let Value::List(mut items) = top else {
                return Err(Error::corrupt(
                    codec,
                    format!("expected a list [items..., dtype], got a {}", top.type_name()),
                ));
            };
            let dtype = items
                .pop()
                .ok_or_else(|| Error::corrupt(codec, "an empty list has no dtype element"))?;
            let dtype = items::parse_dtype(codec, &dtype)?;
            let shape = items::infer_shape(&items);
            (items, dtype, shape)
        } else {
            items::split_top(codec, top)?
        };
        items::to_decoded(codec, items, dtype, shape, limits, objects)
    }
}

impl Json2 {
    /// The UTF-8 JSON text of `[items..., "|O", [n]]` for a 1-D array of `str`/`None` items, by the
    /// same writer as `encode_objects`; `None` for other items, shapes or text encodings.
    fn write_items<O: Put>(&self, input: ItemsRef<'_>, out: O) -> Option<Result<()>> {
        let [n] = input.shape else {
            return None;
        };
        let simple = input
            .items
            .iter()
            .all(|item| matches!(item, ItemRef::Str(_) | ItemRef::None));
        if !simple || self.text_encoding(ID).ok()? != TextEncoding::Utf8 {
            return None;
        }
        let write = || -> Result<()> {
            let mut w = self.writer(ID, out)?;
            let count = input.items.len();
            let shape = Value::List(vec![Value::Int(*n as i128)]);
            w.list(count.saturating_add(2), 0, |w, i| {
                // Each str lives in its own Python object, scattered in memory: ask for one a
                // few items ahead while this one is written, rather than stall on it then.
                if let Some(ItemRef::Str(ahead)) = input.items.get(i + PREFETCH_AHEAD) {
                    prefetch(ahead.as_bytes());
                }
                match input.items.get(i) {
                    Some(ItemRef::Str(s)) => w.string(s),
                    Some(_) => w.out.put_str("null"),
                    None if i == count => w.string("|O"),
                    None => return w.value(&shape, 1),
                }
                Ok(())
            })
        };
        Some(write())
    }
}

pub(crate) fn objects_only(codec: &str) -> Error {
    Error::invalid_input(
        codec,
        "the stored dtype is '|O' (an object array); use ObjectCodec::decode_objects or decode_any",
    )
}

impl Codec for Json2 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let v = items::array_tolist(ID, input)?;
        if matches!(input.dtype().kind(), brickwork_core::Kind::Bytes) {
            return Err(Error::invalid_input(
                ID,
                "Object of type bytes is not JSON serializable",
            ));
        }
        self.encode_value(ID, v, input.dtype().to_string(), input.shape(), false)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        match self.decode_as(ID, encoded, limits, false, false)? {
            Decoded::Array(a) => Ok(a),
            Decoded::Objects(_) => Err(objects_only(ID)),
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

impl ObjectCodec for Json2 {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        let v = items::objects_tolist(input)?;
        self.encode_value(ID, v, "|O".into(), input.shape(), false)
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        match self.decode_as(ID, encoded, limits, false, true)? {
            Decoded::Objects(o) => Ok(o),
            Decoded::Array(_) => Err(Error::corrupt(ID, "internal: objects were requested")),
        }
    }

    fn decode_any(&self, encoded: &[u8], limits: &Limits) -> Result<Decoded> {
        self.decode_as(ID, encoded, limits, false, false)
    }

    /// A 1-D array of `str`/`None` items, written as [`ObjectCodec::encode_objects`] writes them
    /// (UTF-8 text only); other items (bytes: an error there), shapes or encodings take
    /// `encode_objects`.
    fn encoded_items_len(&self, input: ItemsRef<'_>) -> Option<Result<usize>> {
        let mut count = Count::default();
        Some(self.write_items(input, &mut count)?.map(|()| count.0))
    }

    fn encode_items_into(&self, input: ItemsRef<'_>, out: &mut OutBuf<'_>) -> Result<()> {
        self.write_items(input, out)
            .unwrap_or_else(|| Err(Error::invalid_input(ID, "expected a 1-D array of str/None")))
    }

    /// Three times the size without escapes: room for every string escaped to `\\uXXXX` from 2-byte
    /// characters or to surrogate pairs from 4-byte ones, so only text full of control characters
    /// takes the exact two-pass path; beyond [`ONE_PASS_MAX_BYTES`], that path is taken anyway
    /// (counting first is then cheaper than reserving three times the output).
    fn encoded_items_estimate(&self, input: ItemsRef<'_>) -> Option<usize> {
        if input.shape.len() != 1 || !self.indent.is_null() {
            return None;
        }
        let separator = self.separators.as_ref().map_or(1, |(item, _)| item.len());
        let mut plain = 64usize;
        for item in input.items {
            let len = match item {
                ItemRef::Str(s) => s.len() + 2,
                ItemRef::None => 4,
                _ => return None,
            };
            plain = plain.saturating_add(len + separator);
        }
        plain.checked_mul(3).filter(|&n| n <= ONE_PASS_MAX_BYTES)
    }

    /// A 1-D object array of str/null items straight from `encoded` (see `Parser::items_into`).
    fn decode_items(
        &self,
        encoded: &[u8],
        limits: &Limits,
        sink: &mut dyn ItemSink,
    ) -> Result<Option<Vec<usize>>> {
        if self.text_encoding(ID)? != TextEncoding::Utf8 {
            return Ok(None);
        }
        let Ok(text) = std::str::from_utf8(encoded) else {
            return Ok(None);
        };
        let mut p = Parser {
            codec: ID,
            text,
            s: text.as_bytes(),
            pos: 0,
            strict: self.strict,
            used: 0,
            limit: limits.max_decoded_bytes,
        };
        p.items_into(sink)
    }
}

impl StaticCodec for Json2 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        Json2::build(ID, config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Json2>();

// ---------------------------------------------------------------------------------------------------
// Writer: Python's json.encoder._make_iterencode.

/// The bytes a JSON string escapes: control characters, `"` and `\\`; with `ensure_ascii` also DEL
/// and every byte of a non-ASCII character (Python's `ESCAPE` and `ESCAPE_ASCII`).
const fn escaped_bytes(ensure_ascii: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b < 0x20 || b == b'"' as usize || b == b'\\' as usize || (ensure_ascii && b > 0x7e);
        b += 1;
    }
    table
}

static ESCAPED: [bool; 256] = escaped_bytes(false);
static ESCAPED_ASCII: [bool; 256] = escaped_bytes(true);

/// How many bytes of JSON each byte of a string's UTF-8 becomes in `Writer::string`: 2 for the short
/// escapes, 6 for `\uXXXX`; with `ensure_ascii` a non-ASCII character's leading byte counts its whole
/// escape (6, or 12 for a surrogate pair from a 4-byte sequence) and continuation bytes 0.
const fn escaped_lengths(ensure_ascii: bool) -> [u8; 256] {
    let mut table = [1u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b {
            0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 2,
            0x00..=0x1f => 6,
            0x22 | 0x5c => 2,
            0x7f if ensure_ascii => 6,
            0x80..=0xbf if ensure_ascii => 0,
            0xc0..=0xef if ensure_ascii => 6,
            0xf0..=0xff if ensure_ascii => 12,
            _ => 1,
        };
        b += 1;
    }
    table
}

static ESCAPED_LENGTHS: [u8; 256] = escaped_lengths(false);
static ESCAPED_LENGTHS_ASCII: [u8; 256] = escaped_lengths(true);

/// The length of `s` as a JSON string (quotes included), as `Writer::string` writes it: its own
/// length plus, for each byte to escape, what its escape adds.
fn escaped_len(s: &str, ensure_ascii: bool) -> usize {
    let table = if ensure_ascii {
        &ESCAPED_LENGTHS_ASCII
    } else {
        &ESCAPED_LENGTHS
    };
    let bytes = s.as_bytes();
    let mut len = bytes.len() + 2;
    let mut escapes = Escapes::new(bytes, ensure_ascii);
    let mut i = 0;
    while let Some(j) = escapes.next(i) {
        // `len` already counts the character's bytes once.
        let lead = bytes[j];
        let n = utf8_len(lead);
        len = (len + usize::from(table[usize::from(lead)])).saturating_sub(n);
        i = j + n;
    }
    len
}

/// The length of the UTF-8 sequence `lead` starts.
#[inline]
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// The positions of the bytes `Writer::string` escapes (the `ESCAPED`/`ESCAPED_ASCII` tables), found
/// 16 bytes at a time: `mask` has bit `k` set when `bytes[base + k]` is escaped.
struct Escapes<'a> {
    bytes: &'a [u8],
    ensure_ascii: bool,
    base: usize,
    mask: u32,
}

impl<'a> Escapes<'a> {
    #[inline]
    fn new(bytes: &'a [u8], ensure_ascii: bool) -> Self {
        Escapes {
            bytes,
            ensure_ascii,
            base: 0,
            mask: block_mask(bytes, 0, ensure_ascii),
        }
    }

    /// The first escaped position at or after `from` (positions only move forward).
    #[inline]
    fn next(&mut self, from: usize) -> Option<usize> {
        loop {
            let skip = from.saturating_sub(self.base);
            self.mask &= u32::MAX.checked_shl(skip as u32).unwrap_or(0);
            if self.mask != 0 {
                return Some(self.base + self.mask.trailing_zeros() as usize);
            }
            self.base += 16;
            if self.base >= self.bytes.len() {
                return None;
            }
            self.mask = block_mask(self.bytes, self.base, self.ensure_ascii);
        }
    }
}

/// The escape mask of `bytes[base..base + 16]` (fewer bits at the end of `bytes`).
#[inline]
fn block_mask(bytes: &[u8], base: usize, ensure_ascii: bool) -> u32 {
    let rest = bytes.get(base..).unwrap_or_default();
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(block) = rest.first_chunk::<16>() {
            return escaped_mask(block, ensure_ascii);
        }
        if let Some(last) = bytes.last_chunk::<16>() {
            // The tail: the last 16 bytes, without the bits of those before `base`.
            return escaped_mask(last, ensure_ascii) >> (16 - rest.len());
        }
    }
    // A string shorter than 16 bytes (or no SSE2): one table lookup per byte.
    let special = if ensure_ascii { &ESCAPED_ASCII } else { &ESCAPED };
    rest.iter()
        .take(16)
        .enumerate()
        .fold(0, |m, (k, &b)| m | u32::from(special[usize::from(b)]) << k)
}

/// Bit `k` set when `block[k]` is escaped: below 0x20, `"` or `\\`, and with `ensure_ascii` also
/// 0x7f and above (SSE2, part of every x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[inline]
fn escaped_mask(block: &[u8; 16], ensure_ascii: bool) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86-64 baseline; the load reads exactly the 16 bytes of `block`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // Shifting by 0x60 maps the printable ASCII 0x20..=0x7e onto -128..=-34 as signed bytes and
        // everything else above; without `ensure_ascii`, flipping the top bit maps 0x00..=0x1f alone
        // below -96.
        let outside = if ensure_ascii {
            let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x60));
            _mm_cmpgt_epi8(shifted, _mm_set1_epi8(-34))
        } else {
            let flipped = _mm_xor_si128(v, _mm_set1_epi8(-128));
            _mm_cmplt_epi8(flipped, _mm_set1_epi8(-96))
        };
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), outside)) as u32
    }
}

/// `\\uXXXX` for a UTF-16 code unit, in lowercase hex as Python writes it.
fn unicode_escape(unit: u32) -> [u8; 6] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hex = |shift: u32| HEX[((unit >> shift) & 0xf) as usize];
    [b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]
}

struct Writer<'a, O: Put> {
    codec: &'a str,
    cfg: &'a Json2,
    indent: Option<String>,
    item_sep: String,
    key_sep: String,
    out: O,
}

impl<O: Put> Writer<'_, O> {
    fn float(&mut self, x: f64) -> Result<()> {
        if !x.is_finite() && !self.cfg.allow_nan {
            return Err(Error::invalid_input(
                self.codec,
                format!(
                    "Out of range float values are not JSON compliant: {}",
                    super::pyfloat::repr(x)
                ),
            ));
        }
        self.out.put_str(&json_float(x));
        Ok(())
    }

    fn string(&mut self, s: &str) {
        let ensure_ascii = self.cfg.ensure_ascii;
        let out = &mut self.out;
        if let Some(total) = out.count_only() {
            *total = total.saturating_add(escaped_len(s, ensure_ascii));
            return;
        }
        out.byte(b'"');
        let bytes = s.as_bytes();
        let (mut run, mut i) = (0, 0);
        let mut escapes = Escapes::new(bytes, ensure_ascii);
        // Copy the bytes written as they are, up to the next one to escape.
        while let Some(at) = escapes.next(i) {
            out.put(&bytes[run..at]);
            // `at` is at a character boundary: an ASCII byte, or (ensure_ascii) a leading byte.
            let lead = bytes[at];
            let len = utf8_len(lead);
            // The code point, from a sequence `s` being a `str` guarantees to be whole and valid.
            let cont = |k: usize| u32::from(bytes.get(at + k).map_or(0, |b| b & 0x3f));
            let c = match len {
                1 => u32::from(lead),
                2 => u32::from(lead & 0x1f) << 6 | cont(1),
                3 => u32::from(lead & 0x0f) << 12 | cont(1) << 6 | cont(2),
                _ => u32::from(lead & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3),
            };
            i = at + len;
            run = i;
            match c {
                0x22 => out.put(b"\\\""),
                0x5c => out.put(b"\\\\"),
                0x0a => out.put(b"\\n"),
                0x0d => out.put(b"\\r"),
                0x09 => out.put(b"\\t"),
                0x08 => out.put(b"\\b"),
                0x0c => out.put(b"\\f"),
                0x10000.. => {
                    let v = c - 0x10000;
                    out.put(&unicode_escape(0xd800 | (v >> 10)));
                    out.put(&unicode_escape(0xdc00 | (v & 0x3ff)));
                }
                c => out.put(&unicode_escape(c)),
            }
        }
        out.put(&bytes[run..]);
        out.byte(b'"');
    }

    /// A list of `n` items at `level`, each written by `item(self, i)` at `level + 1` (Python's
    /// `_iterencode_list`).
    fn list(
        &mut self,
        n: usize,
        level: usize,
        mut item: impl FnMut(&mut Self, usize) -> Result<()>,
    ) -> Result<()> {
        if n == 0 {
            self.out.put_str("[]");
            return Ok(());
        }
        self.out.put_char('[');
        self.newline(level + 1);
        for i in 0..n {
            if i > 0 {
                let sep = std::mem::take(&mut self.item_sep);
                self.out.put_str(&sep);
                self.item_sep = sep;
                self.newline(level + 1);
            }
            item(self, i)?;
        }
        self.newline(level);
        self.out.put_char(']');
        Ok(())
    }

    fn newline(&mut self, level: usize) {
        if let Some(ind) = &self.indent {
            self.out.put_char('\n');
            for _ in 0..level {
                self.out.put_str(ind);
            }
        }
    }

    fn value(&mut self, v: &Value, level: usize) -> Result<()> {
        if level > MAX_DEPTH {
            return Err(Error::invalid_input(self.codec, "the value is nested too deeply"));
        }
        match v {
            Value::None => self.out.put_str("null"),
            Value::Bool(b) => self.out.put_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                self.out.put_str(&i.to_string());
            }
            Value::Float(x) => self.float(*x)?,
            Value::Str(s) => self.string(s),
            Value::Bytes(_) => {
                return Err(Error::invalid_input(
                    self.codec,
                    "Object of type bytes is not JSON serializable",
                ))
            }
            Value::List(items) => {
                self.list(items.len(), level, |w, i| match items.get(i) {
                    Some(item) => w.value(item, level + 1),
                    None => Ok(()),
                })?;
            }
            Value::Dict(entries) => self.dict(entries, level)?,
        }
        Ok(())
    }

    fn key(&self, k: &Value) -> Result<Option<String>> {
        Ok(Some(match k {
            Value::Str(s) => s.clone(),
            Value::Float(x) => {
                if !x.is_finite() && !self.cfg.allow_nan {
                    return Err(Error::invalid_input(
                        self.codec,
                        "Out of range float values are not JSON compliant",
                    ));
                }
                json_float(*x)
            }
            Value::Bool(b) => (if *b { "true" } else { "false" }).into(),
            Value::None => "null".into(),
            Value::Int(i) => i.to_string(),
            _ if self.cfg.skipkeys => return Ok(None),
            other => {
                return Err(Error::invalid_input(
                    self.codec,
                    format!(
                        "keys must be str, int, float, bool or None, not {}",
                        other.type_name()
                    ),
                ))
            }
        }))
    }

    fn dict(&mut self, entries: &[(Value, Value)], level: usize) -> Result<()> {
        if entries.is_empty() {
            self.out.put_str("{}");
            return Ok(());
        }
        let mut order: Vec<&(Value, Value)> = entries.iter().collect();
        if self.cfg.sort_keys {
            let all_str = order.iter().all(|(k, _)| matches!(k, Value::Str(_)));
            let num = |k: &Value| match k {
                Value::Int(i) => Some(*i as f64),
                Value::Float(x) => Some(*x),
                Value::Bool(b) => Some(f64::from(u8::from(*b))),
                _ => None,
            };
            if all_str {
                order.sort_by(|a, b| match (&a.0, &b.0) {
                    (Value::Str(x), Value::Str(y)) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                });
            } else if order.iter().all(|(k, _)| num(k).is_some()) {
                order.sort_by(|a, b| {
                    num(&a.0)
                        .partial_cmp(&num(&b.0))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            } else {
                return Err(Error::invalid_input(
                    self.codec,
                    "sort_keys: '<' is not supported between the dict's key types",
                ));
            }
        }
        self.out.put_char('{');
        self.newline(level + 1);
        let mut first = true;
        for (k, v) in order {
            let Some(key) = self.key(k)? else { continue };
            if !first {
                let sep = self.item_sep.clone();
                self.out.put_str(&sep);
                self.newline(level + 1);
            }
            first = false;
            self.string(&key);
            let ks = self.key_sep.clone();
            self.out.put_str(&ks);
            self.value(v, level + 1)?;
        }
        self.newline(level);
        self.out.put_char('}');
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------------
// Parser: Python's json.scanner / json.decoder.

/// Where a JSON string's text goes as [`Parser::string_into`] decodes it: a `String`, or the code
/// points themselves ([`CodePoints`], for the items a sink turns into Python `str`s).
trait Text {
    /// A run of the source text (no escapes in it).
    fn push_run(&mut self, run: &str);
    /// One character (from an escape).
    fn push(&mut self, c: char);
}

impl Text for String {
    fn push_run(&mut self, run: &str) {
        self.push_str(run);
    }
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
}

/// A decoded string as code points, with the length its UTF-8 would have (what the value-tree
/// limit charges for it, as for a `String`).
#[derive(Default)]
struct CodePoints {
    cps: Vec<u32>,
    utf8_len: usize,
}

impl CodePoints {
    fn clear(&mut self) {
        self.cps.clear();
        self.utf8_len = 0;
    }
}

impl std::fmt::Display for CodePoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // only ever built from `char`s, so every value converts
        self.cps
            .iter()
            .filter_map(|&c| char::from_u32(c))
            .try_for_each(|c| write!(f, "{c}"))
    }
}

impl Text for CodePoints {
    fn push_run(&mut self, run: &str) {
        self.utf8_len += run.len();
        if run.is_ascii() {
            self.cps.extend(run.bytes().map(u32::from));
        } else {
            self.cps.extend(run.chars().map(u32::from));
        }
    }
    fn push(&mut self, c: char) {
        self.utf8_len += c.len_utf8();
        self.cps.push(u32::from(c));
    }
}

struct Parser<'a> {
    codec: &'a str,
    /// The text; `s` is its bytes.
    text: &'a str,
    s: &'a [u8],
    pos: usize,
    strict: bool,
    used: usize,
    limit: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> Error {
        Error::corrupt(self.codec, format!("{what} at char {}", self.pos))
    }

    fn charge(&mut self, bytes: usize) -> Result<()> {
        self.used = self
            .used
            .saturating_add(bytes)
            .saturating_add(std::mem::size_of::<Value>());
        if self.used > self.limit {
            return Err(Error::limit(
                self.codec,
                "the parsed JSON values",
                self.used as u64,
                self.limit,
            ));
        }
        Ok(())
    }

    /// The direct path of [`ObjectCodec::decode_items`]: a top-level list of string/null items followed
    /// by an object dtype and a 1-D shape of their count, parsed with the same steps and value-tree
    /// charges as `loads` + `items::to_decoded`. Each item reaches `sink` once the next one has begun
    /// (the last string is the dtype). `Ok(None)`: anything else, or an error in the text (the general
    /// path then reports it); `Err`: only the sink's errors.
    fn items_into(&mut self, sink: &mut dyn ItemSink) -> Result<Option<Vec<usize>>> {
        #[derive(PartialEq)]
        enum Held {
            Nothing,
            Null,
            Str,
        }
        let mut sink_error = None;
        let mut fast = || -> Result<Option<Vec<usize>>> {
            let (mut held, mut text, mut next) =
                (Held::Nothing, CodePoints::default(), CodePoints::default());
            let mut count = 0usize;
            let mut give = |held: &Held, text: &CodePoints| -> Option<()> {
                let r = match held {
                    Held::Nothing => return Some(()),
                    Held::Null => sink.none(),
                    Held::Str => sink.code_points(&text.cps),
                };
                match r {
                    Ok(()) => Some(()),
                    Err(e) => {
                        sink_error = Some(e);
                        None
                    }
                }
            };
            self.ws();
            self.charge(0)?;
            if self.s.get(self.pos) != Some(&b'[') {
                return Ok(None);
            }
            self.pos += 1;
            loop {
                self.ws();
                match self.s.get(self.pos) {
                    Some(b'"') => {
                        self.charge(0)?;
                        self.pos += 1;
                        next.clear();
                        self.string_into(&mut next)?;
                        self.charge(next.utf8_len)?;
                        if give(&held, &text).is_none() {
                            return Ok(None);
                        }
                        count += usize::from(held != Held::Nothing);
                        std::mem::swap(&mut text, &mut next);
                        held = Held::Str;
                    }
                    Some(b'n') if self.starts("null") => {
                        self.charge(0)?;
                        self.pos += 4;
                        if give(&held, &text).is_none() {
                            return Ok(None);
                        }
                        count += usize::from(held != Held::Nothing);
                        held = Held::Null;
                    }
                    Some(b'[') if held == Held::Str => {
                        let shape = self.value(1)?;
                        self.ws();
                        if self.s.get(self.pos) != Some(&b']') {
                            return Ok(None);
                        }
                        self.pos += 1;
                        self.ws();
                        let dtype = items::parse_dtype(self.codec, &Value::Str(text.to_string()))?;
                        let one_axis =
                            matches!(&shape, Value::List(d) if d.as_slice() == [Value::Int(count as i128)]);
                        if dtype.kind() != brickwork_core::Kind::Object
                            || !one_axis
                            || self.pos != self.s.len()
                            || count.saturating_mul(dtype.itemsize()) > self.limit
                        {
                            return Ok(None);
                        }
                        return Ok(Some(vec![count]));
                    }
                    _ => return Ok(None),
                }
                self.ws();
                if self.s.get(self.pos) != Some(&b',') {
                    return Ok(None);
                }
                self.pos += 1;
            }
        };
        let result = fast();
        match sink_error {
            Some(e) => Err(e),
            None => Ok(result.unwrap_or(None)),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    fn starts(&self, lit: &str) -> bool {
        self.s.get(self.pos..self.pos + lit.len()) == Some(lit.as_bytes())
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.err(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.charge(0)?;
        let Some(&c) = self.s.get(self.pos) else {
            return Err(self.err("Expecting value"));
        };
        match c {
            b'"' => {
                self.pos += 1;
                let s = self.string()?;
                self.charge(s.len())?;
                Ok(Value::Str(s))
            }
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'n' if self.starts("null") => {
                self.pos += 4;
                Ok(Value::None)
            }
            b't' if self.starts("true") => {
                self.pos += 4;
                Ok(Value::Bool(true))
            }
            b'f' if self.starts("false") => {
                self.pos += 5;
                Ok(Value::Bool(false))
            }
            b'N' if self.starts("NaN") => {
                self.pos += 3;
                Ok(Value::Float(f64::NAN))
            }
            b'I' if self.starts("Infinity") => {
                self.pos += 8;
                Ok(Value::Float(f64::INFINITY))
            }
            b'-' | b'0'..=b'9' => {
                if let Some(v) = self.number()? {
                    Ok(v)
                } else if self.starts("-Infinity") {
                    self.pos += 9;
                    Ok(Value::Float(f64::NEG_INFINITY))
                } else {
                    Err(self.err("Expecting value"))
                }
            }
            _ => Err(self.err("Expecting value")),
        }
    }

    /// `(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?`, or None when it does not match.
    fn number(&mut self) -> Result<Option<Value>> {
        let start = self.pos;
        let mut i = self.pos;
        let digits = |s: &[u8], mut i: usize| {
            while s.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        if self.s.get(i) == Some(&b'-') {
            i += 1;
        }
        match self.s.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits(self.s, i),
            _ => return Ok(None),
        }
        let mut is_float = false;
        if self.s.get(i) == Some(&b'.') && self.s.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i = digits(self.s, i + 1);
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.s.get(i) {
            let mut j = i + 1;
            if let Some(b'+' | b'-') = self.s.get(j) {
                j += 1;
            }
            if self.s.get(j).is_some_and(u8::is_ascii_digit) {
                i = digits(self.s, j);
                is_float = true;
            }
        }
        let text = std::str::from_utf8(&self.s[start..i]).map_err(|e| Error::corrupt(self.codec, e))?;
        self.pos = i;
        if is_float {
            let x: f64 = text
                .parse()
                .map_err(|_| Error::corrupt(self.codec, format!("bad number {text:?}")))?;
            Ok(Some(Value::Float(x)))
        } else {
            let n: i128 = text.parse().map_err(|_| {
                Error::corrupt(
                    self.codec,
                    format!("the integer {text} is outside the supported range (i128)"),
                )
            })?;
            Ok(Some(Value::Int(n)))
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self
            .s
            .get(self.pos..self.pos + 4)
            .and_then(|h| {
                h.iter()
                    .try_fold(0u32, |acc, b| Some(acc * 16 + char::from(*b).to_digit(16)?))
            })
            .ok_or_else(|| self.err("Invalid \\uXXXX escape"))?;
        self.pos += 4;
        Ok(h)
    }

    /// After the opening quote.
    fn string(&mut self) -> Result<String> {
        let mut out = String::new();
        self.string_into(&mut out)?;
        Ok(out)
    }

    /// After the opening quote: appends the string's text to `out`.
    fn string_into(&mut self, out: &mut impl Text) -> Result<()> {
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.s.get(self.pos) {
                if b == b'"' || b == b'\\' || (b < 0x20 && self.strict) {
                    break;
                }
                self.pos += 1;
            }
            // The run ends before an ASCII byte (or the end), so it is whole characters of `text`.
            out.push_run(
                self.text
                    .get(run_start..self.pos)
                    .ok_or_else(|| self.err("internal: a string run off character boundaries"))?,
            );
            match self.s.get(self.pos) {
                None => return Err(self.err("Unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(&e) = self.s.get(self.pos) else {
                        return Err(self.err("Unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xd800..0xdc00).contains(&cp) && self.starts("\\u") {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                } else {
                                    self.pos = save;
                                }
                            }
                            out.push(char::from_u32(cp).ok_or_else(|| {
                                self.err(&format!(
                                    "lone surrogate \\u{cp:04x} (valid in Python, not representable here)"
                                ))
                            })?);
                        }
                        _ => {
                            self.pos -= 2;
                            return Err(self.err("Invalid \\escape"));
                        }
                    }
                }
                Some(_) => return Err(self.err("Invalid control character")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Value::List(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.s.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::List(items));
                }
                _ => return Err(self.err("Expecting ',' delimiter")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut entries: Vec<(Value, Value)> = Vec::new();
        self.ws();
        if self.s.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Value::Dict(entries));
        }
        loop {
            self.ws();
            if self.s.get(self.pos) != Some(&b'"') {
                return Err(self.err("Expecting property name enclosed in double quotes"));
            }
            self.pos += 1;
            let key = self.string()?;
            self.charge(key.len())?;
            self.ws();
            if self.s.get(self.pos) != Some(&b':') {
                return Err(self.err("Expecting ':' delimiter"));
            }
            self.pos += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            // A Python dict keeps the first position of a repeated key and its last value.
            match entries
                .iter_mut()
                .find(|(k, _)| matches!(k, Value::Str(s) if *s == key))
            {
                Some(slot) => slot.1 = v,
                None => entries.push((Value::Str(key), v)),
            }
            self.ws();
            match self.s.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Dict(entries));
                }
                _ => return Err(self.err("Expecting ',' delimiter")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::config::from_json;
    use brickwork_core::{DType, ObjectItems, Order};

    fn text(c: &Json2, v: &Value) -> String {
        String::from_utf8(c.dumps(v).unwrap()).unwrap()
    }

    #[test]
    fn spec_vectors() {
        let c = Json2::default();
        let i4 = DType::parse("<i4").unwrap();
        let d: Vec<u8> = [0i32, 1, 2].iter().flat_map(|x| x.to_le_bytes()).collect();
        let v = ArrayView::new(&d, i4, vec![3], Order::C).unwrap();
        assert_eq!(c.encode(&v).unwrap(), br#"[0,1,2,"<i4",[3]]"#);
        let i8 = DType::parse("<i8").unwrap();
        let d: Vec<u8> = (0i64..6).flat_map(|x| x.to_le_bytes()).collect();
        let v = ArrayView::new(&d, i8, vec![2, 3], Order::C).unwrap();
        assert_eq!(c.encode(&v).unwrap(), br#"[[0,1,2],[3,4,5],"<i8",[2,3]]"#);
        let five = 5i64.to_le_bytes();
        let v = ArrayView::new(&five, i8, vec![], Order::C).unwrap();
        let enc = c.encode(&v).unwrap();
        assert_eq!(enc, br#"[5,"<i8",[]]"#);
        assert_eq!(
            c.decode(&enc, &Limits::default()).unwrap().data(),
            5i64.to_le_bytes()
        );
        let f8 = DType::parse("<f8").unwrap();
        let v = ArrayView::new(&[], f8, vec![0], Order::C).unwrap();
        assert_eq!(c.encode(&v).unwrap(), br#"["<f8",[0]]"#);
        let xs = [1e-5, 1e16, 0.1, 3.0, f64::NAN];
        let d: Vec<u8> = xs.iter().flat_map(|x| x.to_le_bytes()).collect();
        let v = ArrayView::new(&d, f8, vec![5], Order::C).unwrap();
        let enc = c.encode(&v).unwrap();
        assert_eq!(enc, br#"[1e-05,1e+16,0.1,3.0,NaN,"<f8",[5]]"#);
        let back = c.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(back.data()[..32], d[..32]);
        let b1 = DType::parse("|b1").unwrap();
        let v = ArrayView::new(&[1, 0], b1, vec![2], Order::C).unwrap();
        assert_eq!(c.encode(&v).unwrap(), br#"[true,false,"|b1",[2]]"#);
        let f4 = DType::parse("<f4").unwrap();
        let tenth = 0.1f32.to_le_bytes();
        let v = ArrayView::new(&tenth, f4, vec![1], Order::C).unwrap();
        assert_eq!(c.encode(&v).unwrap(), br#"[0.10000000149011612,"<f4",[1]]"#);
    }

    #[test]
    fn numcodecs_0_17_vectors() {
        // Each expected text is numcodecs 0.17.1's JSON().encode of the same array.
        let c = Json2::default();
        let enc = |data: &[u8], dtype: &str, shape: Vec<usize>, order: Order| {
            let v = ArrayView::new(data, DType::parse(dtype).unwrap(), shape, order).unwrap();
            String::from_utf8(c.encode(&v).unwrap()).unwrap()
        };
        let f2: Vec<u8> = [0x2e66u16, 0x7bff, 0x8000, 0x7c00]
            .iter()
            .flat_map(|h| h.to_le_bytes())
            .collect();
        assert_eq!(
            enc(&f2, "<f2", vec![4], Order::C),
            r#"[0.0999755859375,65504.0,-0.0,Infinity,"<f2",[4]]"#
        );
        let be: Vec<u8> = [1i32, -2, 3, 4].iter().flat_map(|x| x.to_be_bytes()).collect();
        assert_eq!(
            enc(&be, ">i4", vec![2, 2], Order::C),
            r#"[[1,-2],[3,4],">i4",[2,2]]"#
        );
        assert_eq!(
            enc(&[0, 3, 1, 4, 2, 5], "|u1", vec![2, 3], Order::F),
            r#"[[0,1,2],[3,4,5],"|u1",[2,3]]"#
        );
        let u: Vec<u8> = ['a', '😀', 'é', '\n', '\0', '\0']
            .iter()
            .flat_map(|c| (*c as u32).to_le_bytes())
            .collect();
        assert_eq!(
            enc(&u, "<U2", vec![3], Order::C),
            r#"["a\ud83d\ude00","\u00e9\n","","<U2",[3]]"#
        );
        assert_eq!(
            enc(&1e-7f64.to_le_bytes(), "<f8", vec![], Order::C),
            r#"[1e-07,"<f8",[]]"#
        );
        // And back: the F array decodes in C order, the U array to the same UTF-32.
        let back = c
            .decode(
                br#"["a\ud83d\ude00","\u00e9\n","","<U2",[3]]"#,
                &Limits::default(),
            )
            .unwrap();
        assert_eq!(back.data(), &u[..]);
    }

    #[test]
    fn strings_and_indent() {
        let c = Json2::default();
        let v = Value::List(vec![Value::Str("😀\u{7f}é\n\"\\/\u{1}".into()), Value::None]);
        assert_eq!(text(&c, &v), r#"["\ud83d\ude00\u007f\u00e9\n\"\\/\u0001",null]"#);
        let raw = Json2 {
            ensure_ascii: false,
            ..Json2::default()
        };
        assert_eq!(text(&raw, &v), "[\"😀\u{7f}é\\n\\\"\\\\/\\u0001\",null]");
        let ind = Json2::from_config(&from_json(r#"{"id":"json2","indent":true}"#).unwrap()).unwrap();
        assert_eq!(ind.separators, Some((", ".into(), ": ".into())));
        let v = Value::List(vec![
            Value::Int(0),
            Value::List(vec![Value::Int(1)]),
            Value::List(vec![]),
        ]);
        assert_eq!(text(&ind, &v), "[\n 0, \n [\n  1\n ], \n []\n]");
        let d = Value::Dict(vec![
            (Value::Str("b".into()), Value::Int(1)),
            (Value::Str("a".into()), Value::Dict(vec![])),
        ]);
        assert_eq!(text(&c, &d), r#"{"a":{},"b":1}"#);
        assert_eq!(text(&ind, &d), "{\n \"a\": {}, \n \"b\": 1\n}");
        let no_nan = Json2 {
            allow_nan: false,
            ..Json2::default()
        };
        assert!(no_nan.dumps(&Value::Float(f64::INFINITY)).is_err());
    }

    #[test]
    fn config_round_trip() {
        let c = Json2::from_config(&from_json(r#"{"id":"json2"}"#).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"json2","encoding":"utf-8","skipkeys":false,"ensure_ascii":true,"check_circular":true,"allow_nan":true,"indent":null,"separators":[",",":"],"sort_keys":true,"strict":true}"#
        );
        assert!(Json2::from_config(&from_json(r#"{"id":"json2","foo":1}"#).unwrap()).is_err());
    }

    #[test]
    fn parsing_like_python() {
        let c = Json2::default();
        let l = Limits::default();
        let v = c
            .loads(
                br#" [1, -0.0, 1E2, "a\u00e9\ud83d\ude00", NaN, -Infinity, {"k":1,"k":2}] "#,
                &l,
            )
            .unwrap();
        let Value::List(items) = v else { panic!() };
        assert_eq!(items[0], Value::Int(1));
        assert_eq!(items[2], Value::Float(100.0));
        assert_eq!(items[3], Value::Str("aé😀".into()));
        assert_eq!(items[5], Value::Float(f64::NEG_INFINITY));
        assert_eq!(
            items[6],
            Value::Dict(vec![(Value::Str("k".into()), Value::Int(2))])
        );
        for bad in [
            &b"[1,]"[..],
            b"[1] x",
            b"\"a\x01\"",
            b"[01]",
            b"{1:2}",
            b"[",
            b"\"\\x\"",
            b"",
        ] {
            assert!(c.loads(bad, &l).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let lax = Json2 {
            strict: false,
            ..Json2::default()
        };
        assert_eq!(lax.loads(b"\"a\x01\"", &l).unwrap(), Value::Str("a\u{1}".into()));
        let deep = "[".repeat(MAX_DEPTH + 5);
        assert!(c.loads(deep.as_bytes(), &l).is_err());
        assert!(matches!(
            c.loads(b"[1,2,3,4,5,6]", &Limits::new(64)),
            Err(Error::LimitExceeded { .. })
        ));
    }

    #[test]
    fn objects_and_legacy() {
        let c = Json2::default();
        let a = ObjectArray::new(
            ObjectItems::Values(vec![Value::Int(0), Value::Int(1), Value::Int(2), Value::Int(3)]),
            vec![2, 2],
            Order::C,
        )
        .unwrap();
        let enc = c.encode_objects(&a).unwrap();
        assert_eq!(enc, br#"[[0,1],[2,3],"|O",[2,2]]"#);
        assert_eq!(c.decode_objects(&enc, &Limits::default()).unwrap(), a);
        assert!(c
            .decode(&enc, &Limits::default())
            .unwrap_err()
            .to_string()
            .contains("decode_objects"));
    }

    /// Python's `json` string encoding, one character at a time.
    fn python_string(s: &str, ensure_ascii: bool) -> String {
        use std::fmt::Write;
        let mut o = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                '\n' => o.push_str("\\n"),
                '\r' => o.push_str("\\r"),
                '\t' => o.push_str("\\t"),
                '\u{8}' => o.push_str("\\b"),
                '\u{c}' => o.push_str("\\f"),
                c if u32::from(c) < 0x20 || (ensure_ascii && u32::from(c) > 0x7e) => {
                    for u in c.encode_utf16(&mut [0; 2]) {
                        write!(o, "\\u{u:04x}").unwrap();
                    }
                }
                c => o.push(c),
            }
        }
        o.push('"');
        o
    }

    #[test]
    fn text_beyond_the_estimate_takes_the_exact_path() {
        use brickwork_core::object::ItemRef;
        let controls = "\u{1}".repeat(100);
        let items = [ItemRef::Str(&controls)];
        let view = ItemsRef {
            items: &items,
            shape: &[1],
            order: brickwork_core::Order::C,
            array_dtype: None,
        };
        let c = Json2::default();
        let estimate = c.encoded_items_estimate(view).unwrap();
        let exact = c.encoded_items_len(view).unwrap().unwrap();
        assert!(exact > estimate, "{exact} {estimate}");
        let mut buf = vec![std::mem::MaybeUninit::new(0u8); estimate];
        let mut out = OutBuf::new(&mut buf);
        c.encode_items_into(view, &mut out).unwrap();
        assert!(out.overflowed());
        let mut buf = vec![std::mem::MaybeUninit::new(0u8); exact];
        let mut out = OutBuf::new(&mut buf);
        c.encode_items_into(view, &mut out).unwrap();
        assert_eq!(out.written(), Some(exact));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_vector_mask_is_the_byte_table() {
        for (ensure_ascii, table) in [(true, &ESCAPED_ASCII), (false, &ESCAPED)] {
            for b in 0..=255u8 {
                let mut block = [b' '; 16];
                block[b as usize % 16] = b;
                let want = u32::from(table[usize::from(b)]) << (b as usize % 16);
                assert_eq!(escaped_mask(&block, ensure_ascii), want, "{b:#x} {ensure_ascii}");
            }
        }
    }

    #[test]
    fn vector_scan_escapes_every_position() {
        // Escaped characters at every offset of strings around the 16-byte blocks and the tail.
        let pieces = [
            "a", "~", " ", "\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "é", "细", "🧠", "\u{ffff}",
        ];
        let mut state = 1u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        for case in 0..3000 {
            let len = case % 48;
            let s: String = (0..len)
                .map(|_| {
                    if next(4) == 0 {
                        pieces[next(pieces.len())]
                    } else {
                        "x"
                    }
                })
                .collect();
            for ensure_ascii in [true, false] {
                let cfg = Json2 {
                    ensure_ascii,
                    ..Json2::default()
                };
                let mut w = cfg.writer(ID, Vec::new()).unwrap();
                w.string(&s);
                let want = python_string(&s, ensure_ascii);
                assert_eq!(String::from_utf8(w.out).unwrap(), want, "{s:?}");
                assert_eq!(escaped_len(&s, ensure_ascii), want.len(), "{s:?}");
            }
        }
    }

    #[test]
    fn escaped_len_is_what_the_writer_writes() {
        let mut all: String = (0u32..0x800).filter_map(char::from_u32).collect();
        all.push_str("\u{ffff}\u{10000}🧠\u{10ffff}细胞");
        for ensure_ascii in [true, false] {
            let cfg = Json2 {
                ensure_ascii,
                ..Json2::default()
            };
            for s in [all.as_str(), "", "plain", "\"\\\n\u{7f}é🧠"] {
                let mut w = cfg.writer(ID, Vec::new()).unwrap();
                w.string(s);
                assert_eq!(w.out.len(), escaped_len(s, ensure_ascii), "{s:?}");
            }
        }
    }

    #[test]
    fn direct_paths_match_the_owned_ones() {
        use crate::text::direct_checks::{same_decode, same_decode_prefixes, same_encode};
        use brickwork_core::object::ItemRef;
        let items = [
            ItemRef::Str("a\"\\/\n\u{1}\u{7f}"),
            ItemRef::None,
            ItemRef::Str("ß🧠细胞"),
            ItemRef::Str(""),
        ];
        let indent = Json2::from_config(&from_json(r#"{"id":"json2","indent":2}"#).unwrap()).unwrap();
        let raw = Json2 {
            ensure_ascii: false,
            ..Json2::default()
        };
        let l = Limits::default();
        for c in [Json2::default(), indent, raw] {
            for items in [&items[..], &[], &[ItemRef::None], &items[2..3]] {
                assert!(same_encode(&c, items, &[items.len()]));
                let o = ObjectArray::new(
                    ObjectItems::Values(
                        items
                            .iter()
                            .map(|i| match i {
                                ItemRef::Str(s) => Value::Str((*s).to_owned()),
                                _ => Value::None,
                            })
                            .collect(),
                    ),
                    vec![items.len()],
                    Order::C,
                )
                .unwrap();
                same_decode_prefixes(&c, &c.encode_objects(&o).unwrap());
            }
            assert!(!same_encode(&c, &items, &[2, 2]));
            assert!(!same_encode(&c, &[ItemRef::Bytes(b"a")], &[1]));
        }
        let c = Json2::default();
        for text in [
            &br#"["a","<U1",[1]]"#[..],
            br#"[["a"],"|O",[1,1]]"#,
            br#"["a",1,"|O",[2]]"#,
            br#"["a","|O",[2]]"#,
            br#"["a","|O",[1]] x"#,
            br#"["a",["b"],"|O",[2]]"#,
            br#"[null,[1]]"#,
            br#"["\x","|O",[1]]"#,
        ] {
            assert!(!same_decode(&c, text, &l), "{}", String::from_utf8_lossy(text));
        }
        assert!(same_decode(&c, br#" [ "a" , null ,"|O" , [ 2 ] ] "#, &l));
    }
}
