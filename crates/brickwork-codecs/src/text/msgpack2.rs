//! `msgpack2`: an array as MessagePack, byte-identical to numcodecs' `MsgPack` (msgpack-python's
//! `packb`/`unpackb`).
//!
//! * Config (numcodecs' key order): `{"id": "msgpack2", "raw": false, "use_single_float": false,
//!   "use_bin_type": true}`.
//! * Wire format: a msgpack array `[<tolist() items...>, "<dtype.str>", [<shape>]]` (items = elements of
//!   the first axis, nested lists, logical C order; see `text::items`). A 0-d array cannot be
//!   written or read (numcodecs fails on both: `tolist()` of a 0-d array is a scalar).
//! * Encoding follows msgpack-python's `Packer`: the smallest form of every int (positive/negative fixint,
//!   then `cc..cf` for non-negative and `d0..d3` for negative values), floats as float64 `cb` (float32
//!   `ca` with `use_single_float`), str as fixstr/str8 (`d9`, only with `use_bin_type`)/str16/str32,
//!   bytes as bin8/16/32 with `use_bin_type` (else as str), `None` `c0`, bools `c2`/`c3`, lists as
//!   fixarray/`dc`/`dd`, dicts as fixmap/`de`/`df`.
//! * Decoding follows `unpackb(raw=raw)` with msgpack-python ≥ 1.0 defaults: str → `str` (strict UTF-8) or
//!   `bytes` with `raw`, bin → `bytes`, ext types and `c1` refused, map keys must be str or bytes
//!   (`strict_map_key`), extra bytes after the value are an error (`ExtraData`). Declared lengths are
//!   checked against the bytes present before anything is allocated, nesting is limited to
//!   [`MAX_DEPTH`], and the value tree counts against [`Limits`]. Then numcodecs' `np.empty(shape, dtype);
//!   dec[:] = items` (`items::to_decoded`).
//! * Typed vs objects: as [`super::json2`]: [`Codec::encode`] takes bool/int/float/`U`/`S` arrays,
//!   [`Codec::decode`] returns a typed array unless the stored dtype is `|O`; object arrays go through
//!   [`ObjectCodec`].

use brickwork_core::object::{ItemRef, ItemSink, ItemsRef, OutBuf};
use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, Decoded, Error, Limits, ObjectArray, ObjectCodec, Result,
    StaticCodec, Value,
};
use serde::{Deserialize, Serialize};

use super::{items, prefetch, Count, Put, ONE_PASS_MAX_BYTES, PREFETCH_AHEAD};

const ID: &str = "msgpack2";

/// The deepest nesting the decoder accepts (NumPy arrays have at most 64 dimensions; this also keeps
/// the recursion far from the stack limit of a 2 MiB thread).
pub const MAX_DEPTH: usize = 128;

fn yes() -> bool {
    true
}

/// numcodecs' `MsgPack(use_single_float=False, use_bin_type=True, raw=False)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MsgPack2 {
    /// Decode msgpack str as bytes instead of str.
    #[serde(default)]
    pub raw: bool,
    /// Write floats as float32.
    #[serde(default)]
    pub use_single_float: bool,
    /// Write bytes as the bin types (and allow str8).
    #[serde(default = "yes")]
    pub use_bin_type: bool,
}

impl Default for MsgPack2 {
    fn default() -> Self {
        MsgPack2 {
            raw: false,
            use_single_float: false,
            use_bin_type: true,
        }
    }
}

/// Packer options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PackOptions {
    pub use_single_float: bool,
    pub use_bin_type: bool,
}

fn len_err(codec: &str, what: &str, n: usize) -> Error {
    Error::invalid_input(codec, format!("{what} of {n} is too large for msgpack"))
}

/// msgpack-python's `packb(value, use_bin_type, use_single_float)`.
pub(crate) fn pack(codec: &str, v: &Value, o: PackOptions, out: &mut Vec<u8>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::invalid_input(codec, "the value is nested too deeply"));
    }
    match v {
        Value::None => out.push(0xc0),
        Value::Bool(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Int(i) => pack_int(codec, *i, out)?,
        Value::Float(x) => {
            if o.use_single_float {
                let single = *x as f32;
                if single.is_infinite() && x.is_finite() {
                    // msgpack-python (PyFloat_Pack4) refuses a finite value that rounds to infinity.
                    return Err(Error::invalid_input(
                        codec,
                        "float too large to pack with f format",
                    ));
                }
                out.push(0xca);
                out.extend_from_slice(&single.to_be_bytes());
            } else {
                out.push(0xcb);
                out.extend_from_slice(&x.to_be_bytes());
            }
        }
        Value::Str(s) => pack_raw(codec, s.as_bytes(), o.use_bin_type, out)?,
        Value::Bytes(b) => pack_bytes(codec, b, o, out)?,
        Value::List(items) => {
            pack_list_header(codec, items.len(), out)?;
            for item in items {
                pack(codec, item, o, out, depth + 1)?;
            }
        }
        Value::Dict(entries) => {
            let n = entries.len();
            if n <= 15 {
                out.push(0x80 | n as u8);
            } else if n <= 0xffff {
                out.push(0xde);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            } else {
                let n32 = u32::try_from(n).map_err(|_| len_err(codec, "dict", n))?;
                out.push(0xdf);
                out.extend_from_slice(&n32.to_be_bytes());
            }
            for (k, v) in entries {
                pack(codec, k, o, out, depth + 1)?;
                pack(codec, v, o, out, depth + 1)?;
            }
        }
    }
    Ok(())
}

/// A bytes object: bin8/16/32 with `use_bin_type`, else the raw (str) types.
fn pack_bytes(codec: &str, b: &[u8], o: PackOptions, out: &mut impl Put) -> Result<()> {
    if !o.use_bin_type {
        return pack_raw(codec, b, false, out);
    }
    let n = b.len();
    if n <= 0xff {
        out.put(&[0xc4, n as u8]);
    } else if n <= 0xffff {
        out.byte(0xc5);
        out.put(&(n as u16).to_be_bytes());
    } else {
        let n32 = u32::try_from(n).map_err(|_| len_err(codec, "bytes", n))?;
        out.byte(0xc6);
        out.put(&n32.to_be_bytes());
    }
    out.put(b);
    Ok(())
}

/// The header of a list of `n` items.
fn pack_list_header(codec: &str, n: usize, out: &mut impl Put) -> Result<()> {
    if n <= 15 {
        out.byte(0x90 | n as u8);
    } else if n <= 0xffff {
        out.byte(0xdc);
        out.put(&(n as u16).to_be_bytes());
    } else {
        let n32 = u32::try_from(n).map_err(|_| len_err(codec, "list", n))?;
        out.byte(0xdd);
        out.put(&n32.to_be_bytes());
    }
    Ok(())
}

fn pack_int(codec: &str, i: i128, out: &mut impl Put) -> Result<()> {
    if (0..0x80).contains(&i) {
        out.byte(i as u8);
    } else if (-0x20..0).contains(&i) {
        out.byte(i as i8 as u8);
    } else if (0x80..=0xff).contains(&i) {
        out.put(&[0xcc, i as u8]);
    } else if (-0x80..0).contains(&i) {
        out.put(&[0xd0, i as i8 as u8]);
    } else if (0x100..=0xffff).contains(&i) {
        out.byte(0xcd);
        out.put(&(i as u16).to_be_bytes());
    } else if (-0x8000..0).contains(&i) {
        out.byte(0xd1);
        out.put(&(i as i16).to_be_bytes());
    } else if (0x1_0000..=0xffff_ffff).contains(&i) {
        out.byte(0xce);
        out.put(&(i as u32).to_be_bytes());
    } else if (-0x8000_0000..0).contains(&i) {
        out.byte(0xd2);
        out.put(&(i as i32).to_be_bytes());
    } else if (0x1_0000_0000..=i128::from(u64::MAX)).contains(&i) {
        out.byte(0xcf);
        out.put(&(i as u64).to_be_bytes());
    } else if (i128::from(i64::MIN)..0).contains(&i) {
        out.byte(0xd3);
        out.put(&(i as i64).to_be_bytes());
    } else {
        return Err(Error::invalid_input(
            codec,
            format!("Integer value out of range: {i}"),
        ));
    }
    Ok(())
}

fn pack_raw(codec: &str, b: &[u8], str8: bool, out: &mut impl Put) -> Result<()> {
    let n = b.len();
    if n <= 0x1f {
        out.byte(0xa0 | n as u8);
    } else if str8 && n <= 0xff {
        out.put(&[0xd9, n as u8]);
    } else if n <= 0xffff {
        out.byte(0xda);
        out.put(&(n as u16).to_be_bytes());
    } else {
        let n32 = u32::try_from(n).map_err(|_| len_err(codec, "str", n))?;
        out.byte(0xdb);
        out.put(&n32.to_be_bytes());
    }
    out.put(b);
    Ok(())
}

/// How msgpack str is returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RawMode {
    /// `raw=False`: str → `str` (strict UTF-8).
    Str,
    /// `raw=True`: str → `bytes`.
    Bytes,
}

/// msgpack-python's `unpackb(data, raw=...)` (one value, no extra data), within `limits`.
pub(crate) fn unpack(codec: &str, data: &[u8], raw: RawMode, limits: &Limits) -> Result<Value> {
    let mut u = Unpacker {
        codec,
        s: data,
        pos: 0,
        raw,
        used: 0,
        limit: limits.max_decoded_bytes,
    };
    let v = u.value(0)?;
    if u.pos != data.len() {
        return Err(Error::corrupt(
            codec,
            format!(
                "ExtraData: {} bytes after the value (at byte {})",
                data.len() - u.pos,
                u.pos
            ),
        ));
    }
    Ok(v)
}

struct Unpacker<'a> {
    codec: &'a str,
    s: &'a [u8],
    pos: usize,
    raw: RawMode,
    used: usize,
    limit: usize,
}

impl<'a> Unpacker<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.s.len())
            .ok_or_else(|| {
                Error::corrupt(
                    self.codec,
                    format!(
                        "the data is truncated: {n} bytes needed at byte {}, {} left",
                        self.pos,
                        self.s.len() - self.pos
                    ),
                )
            })?;
        let b = &self.s[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    fn be(&mut self, n: usize) -> Result<u64> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn charge(&mut self, bytes: usize) -> Result<()> {
        self.used = self
            .used
            .saturating_add(bytes)
            .saturating_add(std::mem::size_of::<Value>());
        if self.used > self.limit {
            return Err(Error::limit(
                self.codec,
                "the unpacked values",
                self.used as u64,
                self.limit,
            ));
        }
        Ok(())
    }

    fn raw_value(&mut self, n: usize) -> Result<Value> {
        let b = self.take(n)?;
        self.charge(n)?;
        match self.raw {
            RawMode::Bytes => Ok(Value::Bytes(b.to_vec())),
            RawMode::Str => std::str::from_utf8(b)
                .map(|s| Value::Str(s.to_owned()))
                .map_err(|e| Error::corrupt(self.codec, format!("a str is not valid UTF-8 ({e})"))),
        }
    }

    fn bin(&mut self, n: usize) -> Result<Value> {
        let b = self.take(n)?;
        self.charge(n)?;
        Ok(Value::Bytes(b.to_vec()))
    }

    fn list(&mut self, n: usize, depth: usize) -> Result<Value> {
        // Each element takes at least one byte.
        let mut items = Vec::with_capacity(n.min(self.s.len() - self.pos));
        for _ in 0..n {
            items.push(self.value(depth + 1)?);
        }
        Ok(Value::List(items))
    }

    fn map(&mut self, n: usize, depth: usize) -> Result<Value> {
        let mut entries: Vec<(Value, Value)> = Vec::with_capacity(n.min((self.s.len() - self.pos) / 2));
        let mut index: std::collections::HashMap<(bool, Vec<u8>), usize> = std::collections::HashMap::new();
        for _ in 0..n {
            let k = self.value(depth + 1)?;
            if !matches!(k, Value::Str(_) | Value::Bytes(_)) {
                return Err(Error::corrupt(
                    self.codec,
                    format!("{} is not allowed for map key (strict_map_key)", k.type_name()),
                ));
            }
            let v = self.value(depth + 1)?;
            // A Python dict keeps the first position of a repeated key and its last value; str and bytes
            // keys never compare equal.
            let key = match &k {
                Value::Str(s) => (false, s.as_bytes().to_vec()),
                Value::Bytes(b) => (true, b.clone()),
                _ => (false, Vec::new()),
            };
            match index.get(&key) {
                Some(&i) => {
                    if let Some(slot) = entries.get_mut(i) {
                        slot.1 = v;
                    }
                }
                None => {
                    index.insert(key, entries.len());
                    entries.push((k, v));
                }
            }
        }
        Ok(Value::Dict(entries))
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(Error::corrupt(
                self.codec,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.charge(0)?;
        let at = self.pos;
        let t = self.take(1)?[0];
        Ok(match t {
            0x00..=0x7f => Value::Int(i128::from(t)),
            0x80..=0x8f => self.map(usize::from(t & 0x0f), depth)?,
            0x90..=0x9f => self.list(usize::from(t & 0x0f), depth)?,
            0xa0..=0xbf => self.raw_value(usize::from(t & 0x1f))?,
            0xc0 => Value::None,
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xc4 => {
                let n = self.be(1)? as usize;
                self.bin(n)?
            }
            0xc5 => {
                let n = self.be(2)? as usize;
                self.bin(n)?
            }
            0xc6 => {
                let n = self.be(4)? as usize;
                self.bin(n)?
            }
            0xca => Value::Float(f64::from(f32::from_bits(self.be(4)? as u32))),
            0xcb => Value::Float(f64::from_bits(self.be(8)?)),
            0xcc => Value::Int(i128::from(self.be(1)?)),
            0xcd => Value::Int(i128::from(self.be(2)?)),
            0xce => Value::Int(i128::from(self.be(4)?)),
            0xcf => Value::Int(i128::from(self.be(8)?)),
            0xd0 => Value::Int(i128::from(self.be(1)? as u8 as i8)),
            0xd1 => Value::Int(i128::from(self.be(2)? as u16 as i16)),
            0xd2 => Value::Int(i128::from(self.be(4)? as u32 as i32)),
            0xd3 => Value::Int(i128::from(self.be(8)? as i64)),
            0xd9 => {
                let n = self.be(1)? as usize;
                self.raw_value(n)?
            }
            0xda => {
                let n = self.be(2)? as usize;
                self.raw_value(n)?
            }
            0xdb => {
                let n = self.be(4)? as usize;
                self.raw_value(n)?
            }
            0xdc => {
                let n = self.be(2)? as usize;
                self.list(n, depth)?
            }
            0xdd => {
                let n = self.be(4)? as usize;
                self.list(n, depth)?
            }
            0xde => {
                let n = self.be(2)? as usize;
                self.map(n, depth)?
            }
            0xdf => {
                let n = self.be(4)? as usize;
                self.map(n, depth)?
            }
            0xe0..=0xff => Value::Int(i128::from(t as i8)),
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                return Err(Error::corrupt(
                    self.codec,
                    format!(
                        "msgpack extension type {t:#04x} at byte {at} is not supported (no NumPy meaning)"
                    ),
                ))
            }
            0xc1 => {
                return Err(Error::corrupt(
                    self.codec,
                    format!("byte 0xc1 at {at} is never used in msgpack"),
                ))
            }
        })
    }
}

impl Unpacker<'_> {
    /// The direct path of [`ObjectCodec::decode_items`]: a top-level list of str/bin/nil items followed
    /// by an object dtype and a 1-D shape of their count, read with the same steps and value-tree
    /// charges as [`unpack`] + `items::to_decoded`. `Ok(None)`: anything else, or an error in the data
    /// (the general path then reports it); `Err`: only the sink's errors.
    fn items_into(&mut self, sink: &mut dyn ItemSink) -> Result<Option<Vec<usize>>> {
        let mut sink_failed = false;
        let mut give = |r: Result<()>| -> Result<Option<()>> {
            match r {
                Ok(()) => Ok(Some(())),
                Err(e) => {
                    sink_failed = true;
                    Err(e)
                }
            }
        };
        let mut fast = || -> Result<Option<Vec<usize>>> {
            self.charge(0)?;
            let n = match self.take(1)?[0] {
                t @ 0x90..=0x9f => usize::from(t & 0x0f),
                0xdc => self.be(2)? as usize,
                0xdd => self.be(4)? as usize,
                _ => return Ok(None),
            };
            let Some(count) = n.checked_sub(2) else {
                return Ok(None);
            };
            sink.reserve(count.min(self.s.len() - self.pos));
            for _ in 0..count {
                self.charge(0)?;
                let (len, bin) = match self.take(1)?[0] {
                    0xc0 => {
                        give(sink.none())?;
                        continue;
                    }
                    t @ 0xa0..=0xbf => (usize::from(t & 0x1f), false),
                    0xd9 => (self.be(1)? as usize, false),
                    0xda => (self.be(2)? as usize, false),
                    0xdb => (self.be(4)? as usize, false),
                    0xc4 => (self.be(1)? as usize, true),
                    0xc5 => (self.be(2)? as usize, true),
                    0xc6 => (self.be(4)? as usize, true),
                    _ => return Ok(None),
                };
                let b = self.take(len)?;
                self.charge(len)?;
                if bin || self.raw == RawMode::Bytes {
                    give(sink.bytes(b))?;
                } else {
                    let utf8 = sink.utf8(b);
                    let valid = utf8.as_ref().is_ok_and(|v| *v);
                    give(utf8.map(|_| ()))?;
                    if !valid {
                        return Ok(None);
                    }
                }
            }
            let dtype = items::parse_dtype(self.codec, &self.value(1)?)?;
            let shape = self.value(1)?;
            let one_axis = matches!(&shape, Value::List(d) if d.as_slice() == [Value::Int(count as i128)]);
            if dtype.kind() != brickwork_core::Kind::Object
                || !one_axis
                || self.pos != self.s.len()
                || count.saturating_mul(dtype.itemsize()) > self.limit
            {
                return Ok(None);
            }
            Ok(Some(vec![count]))
        };
        match fast() {
            Ok(shape) => Ok(shape),
            Err(e) if sink_failed => Err(e),
            Err(_) => Ok(None),
        }
    }
}

impl MsgPack2 {
    fn opts(&self) -> PackOptions {
        PackOptions {
            use_single_float: self.use_single_float,
            use_bin_type: self.use_bin_type,
        }
    }

    fn encode_list(&self, tolist: Value, dtype: String, shape: &[usize]) -> Result<Vec<u8>> {
        let Value::List(mut top) = tolist else {
            return Err(Error::invalid_input(
                ID,
                "a 0-d array cannot be encoded (numcodecs fails too: tolist() of a 0-d array is a scalar)",
            ));
        };
        top.push(Value::Str(dtype));
        top.push(Value::List(
            shape.iter().map(|d| Value::Int(*d as i128)).collect(),
        ));
        let mut out = Vec::new();
        pack(ID, &Value::List(top), self.opts(), &mut out, 0)?;
        Ok(out)
    }

    fn decode_as(&self, encoded: &[u8], limits: &Limits, objects: bool) -> Result<Decoded> {
        let raw = if self.raw { RawMode::Bytes } else { RawMode::Str };
        let top = unpack(ID, encoded, raw, limits)?;
        let (items, dtype, shape) = items::split_top(ID, top)?;
        if shape.is_empty() {
            return Err(Error::corrupt(
                ID,
                "a 0-d shape cannot be decoded (numcodecs fails too: dec[:] of a 0-d array)",
            ));
        }
        items::to_decoded(ID, items, dtype, shape, limits, objects)
    }
}

impl MsgPack2 {
    /// `[items..., "|O", [n]]` for a 1-D array of `str`/`bytes`/`None` items, as `pack` writes the
    /// value tree of `encode_objects`; `None` for other items or shapes.
    fn pack_items(&self, input: ItemsRef<'_>, out: &mut impl Put) -> Option<Result<()>> {
        let [n] = input.shape else {
            return None;
        };
        if input.items.iter().any(|item| matches!(item, ItemRef::Array(..))) {
            return None;
        }
        let o = self.opts();
        let mut pack_all = || -> Result<()> {
            pack_list_header(ID, input.items.len().saturating_add(2), out)?;
            for (i, item) in input.items.iter().enumerate() {
                match input.items.get(i + PREFETCH_AHEAD) {
                    Some(ItemRef::Str(s)) => prefetch(s.as_bytes()),
                    Some(ItemRef::Bytes(b)) => prefetch(b),
                    _ => {}
                }
                match item {
                    ItemRef::Str(s) => pack_raw(ID, s.as_bytes(), o.use_bin_type, out)?,
                    ItemRef::Bytes(b) => pack_bytes(ID, b, o, out)?,
                    _ => out.byte(0xc0),
                }
            }
            pack_raw(ID, b"|O", o.use_bin_type, out)?;
            pack_list_header(ID, 1, out)?;
            pack_int(ID, *n as i128, out)
        };
        Some(pack_all())
    }
}

impl Codec for MsgPack2 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let v = items::array_tolist(ID, input)?;
        self.encode_list(v, input.dtype().to_string(), input.shape())
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

impl ObjectCodec for MsgPack2 {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        let v = items::objects_tolist(input)?;
        self.encode_list(v, "|O".into(), input.shape())
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

    /// A 1-D array of `str`/`bytes`/`None` items, packed as [`ObjectCodec::encode_objects`] packs
    /// them; other items or shapes take `encode_objects`.
    /// An upper bound for writing in one pass into an oversized `bytes` (shrunk afterwards) instead of
    /// packing twice, once only to count: each item's bytes plus the largest header (5 bytes), and 64
    /// bytes for the list header, the dtype and the shape.
    fn encoded_items_estimate(&self, input: ItemsRef<'_>) -> Option<usize> {
        if input.shape.len() != 1 {
            return None;
        }
        let mut total = 64usize;
        for item in input.items {
            total = total.saturating_add(match item {
                ItemRef::Str(s) => s.len() + 5,
                ItemRef::Bytes(b) => b.len() + 5,
                ItemRef::None => 1,
                _ => return None,
            });
        }
        (total <= ONE_PASS_MAX_BYTES).then_some(total)
    }

    fn encoded_items_len(&self, input: ItemsRef<'_>) -> Option<Result<usize>> {
        let mut count = Count::default();
        Some(self.pack_items(input, &mut count)?.map(|()| count.0))
    }

    fn encode_items_into(&self, input: ItemsRef<'_>, out: &mut OutBuf<'_>) -> Result<()> {
        self.pack_items(input, out)
            .unwrap_or_else(|| Err(Error::invalid_input(ID, "expected a 1-D array of str/bytes/None")))
    }

    /// A 1-D object array of str/bin/nil items straight from `encoded` (see `Unpacker::items_into`).
    fn decode_items(
        &self,
        encoded: &[u8],
        limits: &Limits,
        sink: &mut dyn ItemSink,
    ) -> Result<Option<Vec<usize>>> {
        let mut u = Unpacker {
            codec: ID,
            s: encoded,
            pos: 0,
            raw: if self.raw { RawMode::Bytes } else { RawMode::Str },
            used: 0,
            limit: limits.max_decoded_bytes,
        };
        u.items_into(sink)
    }
}

impl StaticCodec for MsgPack2 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["raw", "use_single_float", "use_bin_type"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<MsgPack2>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, ObjectItems, Order};

    fn packed(v: Value) -> Vec<u8> {
        let mut out = Vec::new();
        pack("t", &v, MsgPack2::default().opts(), &mut out, 0).unwrap();
        out
    }

    /// The one-pass estimate holds every header size (fix, 8-, 16- and 32-bit lengths), either way
    /// `use_bin_type` is set, and the one-pass and counted writes give the same bytes.
    #[test]
    fn estimate_bounds_the_encoding() {
        let lens = [0usize, 1, 31, 32, 255, 256, 65535, 65536, 70000];
        let strs: Vec<String> = lens.iter().map(|&n| "x".repeat(n)).collect();
        let blobs: Vec<Vec<u8>> = lens.iter().map(|&n| vec![7u8; n]).collect();
        let mut items: Vec<ItemRef<'_>> = strs.iter().map(|s| ItemRef::Str(s)).collect();
        items.extend(blobs.iter().map(|b| ItemRef::Bytes(b)));
        items.push(ItemRef::None);
        for use_bin_type in [true, false] {
            let codec = MsgPack2 {
                use_bin_type,
                ..MsgPack2::default()
            };
            let shape = [items.len()];
            let view = ItemsRef {
                items: &items,
                shape: &shape,
                order: Order::C,
                array_dtype: None,
            };
            let exact = codec.encoded_items_len(view).unwrap().unwrap();
            let estimate = codec.encoded_items_estimate(view).unwrap();
            assert!(estimate >= exact, "{estimate} < {exact}");
            let mut big = vec![std::mem::MaybeUninit::uninit(); estimate];
            let mut out = OutBuf::new(&mut big);
            codec.encode_items_into(view, &mut out).unwrap();
            assert_eq!(out.written(), Some(exact));
        }
    }

    #[test]
    fn spec_vectors() {
        let c = MsgPack2::default();
        let d: Vec<u8> = [0i32, 1, 2].iter().flat_map(|x| x.to_le_bytes()).collect();
        let v = ArrayView::new(&d, DType::parse("<i4").unwrap(), vec![3], Order::C).unwrap();
        let enc = c.encode(&v).unwrap();
        assert_eq!(enc, [0x95, 0, 1, 2, 0xa3, b'<', b'i', b'4', 0x91, 3]);
        assert_eq!(c.decode(&enc, &Limits::default()).unwrap().data(), &d[..]);
        let o = ObjectArray::from_strings(vec![Some("a".into()), Some("bc".into())]);
        assert_eq!(
            c.encode_objects(&o).unwrap(),
            [0x94, 0xa1, b'a', 0xa2, b'b', b'c', 0xa2, b'|', b'O', 0x91, 2]
        );
        let b = ObjectArray::from_byte_strings(vec![Some(b"foo".to_vec()); 900]);
        let enc = c.encode_objects(&b).unwrap();
        assert_eq!(enc[..8], [0xdc, 0x03, 0x86, 0xc4, 3, b'f', b'o', b'o']);
        assert_eq!(enc[enc.len() - 7..], [0xa2, b'|', b'O', 0x91, 0xcd, 0x03, 0x84]);
        let back = c.decode_objects(&enc, &Limits::default()).unwrap();
        assert_eq!(
            back.items(),
            &ObjectItems::Values(vec![Value::Bytes(b"foo".to_vec()); 900])
        );
        let e = ArrayView::new(&[], DType::parse("<f8").unwrap(), vec![0], Order::C).unwrap();
        assert_eq!(c.encode(&e).unwrap(), [0x92, 0xa3, b'<', b'f', b'8', 0x91, 0x00]);
    }

    #[test]
    fn smallest_int_forms() {
        // Checked against msgpack-python 1.1.0 `packb(v, use_bin_type=True)`.
        let cases: &[(i128, &[u8])] = &[
            (0, &[0x00]),
            (127, &[0x7f]),
            (128, &[0xcc, 0x80]),
            (255, &[0xcc, 0xff]),
            (256, &[0xcd, 0x01, 0x00]),
            (65536, &[0xce, 0, 1, 0, 0]),
            (1 << 32, &[0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (0xffff, &[0xcd, 0xff, 0xff]),
            (0xffff_ffff, &[0xce, 0xff, 0xff, 0xff, 0xff]),
            (
                i128::from(u64::MAX),
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ),
            (-32768, &[0xd1, 0x80, 0x00]),
            (-(1 << 31), &[0xd2, 0x80, 0, 0, 0]),
            (i128::from(i64::MIN), &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            (-1, &[0xff]),
            (-32, &[0xe0]),
            (-33, &[0xd0, 0xdf]),
            (-128, &[0xd0, 0x80]),
            (-129, &[0xd1, 0xff, 0x7f]),
            (-32769, &[0xd2, 0xff, 0xff, 0x7f, 0xff]),
            (
                -(1 << 31) - 1,
                &[0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff],
            ),
        ];
        for (i, want) in cases {
            assert_eq!(packed(Value::Int(*i)), *want, "{i}");
            assert_eq!(
                unpack("t", want, RawMode::Str, &Limits::default()).unwrap(),
                Value::Int(*i)
            );
        }
        assert!(pack(
            "t",
            &Value::Int(1 << 64),
            MsgPack2::default().opts(),
            &mut Vec::new(),
            0
        )
        .is_err());
        assert_eq!(packed(Value::Str("x".repeat(32))).get(..2), Some(&[0xd9, 32][..]));
        assert_eq!(
            packed(Value::Str("x".repeat(256))).get(..3),
            Some(&[0xda, 1, 0][..])
        );
        assert_eq!(
            packed(Value::List(vec![Value::Int(1); 16])).get(..4),
            Some(&[0xdc, 0, 16, 1][..])
        );
        assert_eq!(
            packed(Value::Dict(vec![(Value::Str("a".into()), Value::Int(1))])),
            [0x81, 0xa1, b'a', 0x01]
        );
        let no_bin = PackOptions {
            use_single_float: true,
            use_bin_type: false,
        };
        let mut out = Vec::new();
        pack("t", &Value::Str("x".repeat(32)), no_bin, &mut out, 0).unwrap();
        assert_eq!(out[..3], [0xda, 0, 32]);
        out.clear();
        pack("t", &Value::Float(1.5), no_bin, &mut out, 0).unwrap();
        assert_eq!(out, [0xca, 0x3f, 0xc0, 0, 0]);
        // A finite double beyond float32's range: msgpack-python raises OverflowError.
        assert!(pack("t", &Value::Float(1e300), no_bin, &mut Vec::new(), 0).is_err());
        out.clear();
        pack("t", &Value::Float(f64::INFINITY), no_bin, &mut out, 0).unwrap();
        assert_eq!(out, [0xca, 0x7f, 0x80, 0, 0]);
    }

    #[test]
    fn corrupt_inputs() {
        let l = Limits::default();
        let c = MsgPack2::default();
        for bad in [
            &b""[..],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0xc1],
            &[0xd4, 0, 0],
            &[0xa3, b'a'],
            &[0x91, 0x01, 0x02],
            &[0x81, 0x01, 0x02],
            &[0xa1, 0xff],
            &[0x92, 0xa3, b'<', b'f', b'8', 0x91, 0x05],
        ] {
            assert!(c.decode_any(bad, &l).is_err(), "{bad:02x?}");
        }
        let m = unpack(
            "t",
            &[0x83, 0xa1, b'a', 1, 0xc4, 1, b'a', 2, 0xa1, b'a', 3],
            RawMode::Str,
            &l,
        )
        .unwrap();
        assert_eq!(
            m,
            Value::Dict(vec![
                (Value::Str("a".into()), Value::Int(3)),
                (Value::Bytes(b"a".to_vec()), Value::Int(2))
            ])
        );
        let deep = vec![0x91u8; MAX_DEPTH + 10];
        assert!(unpack("t", &deep, RawMode::Str, &l).is_err());
    }

    #[test]
    fn config_round_trip() {
        let c = MsgPack2::from_config(&brickwork_core::config::from_json(r#"{"id":"msgpack2"}"#).unwrap())
            .unwrap();
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"msgpack2","raw":false,"use_single_float":false,"use_bin_type":true}"#
        );
    }

    #[test]
    fn direct_paths_match_the_owned_ones() {
        use crate::text::direct_checks::{same_decode, same_decode_prefixes, same_encode};
        use brickwork_core::object::ItemRef;
        let long = "x".repeat(300);
        let items = [
            ItemRef::Str("a"),
            ItemRef::None,
            ItemRef::Str(&long),
            ItemRef::Str(&long[..40]),
            ItemRef::Str("ß🧠"),
        ];
        let bytes = [
            ItemRef::Bytes(b"ab"),
            ItemRef::None,
            ItemRef::Bytes(long.as_bytes()),
        ];
        let mixed = [ItemRef::Bytes(b"ab"), ItemRef::Str("c")];
        let many: Vec<ItemRef<'_>> = (0..70_000).map(|_| ItemRef::Str("ab")).collect();
        let l = Limits::default();
        for (raw, use_bin_type) in [(false, true), (true, true), (false, false)] {
            let c = MsgPack2 {
                raw,
                use_single_float: false,
                use_bin_type,
            };
            for items in [&items[..], &bytes, &mixed, &many, &[]] {
                assert!(same_encode(&c, items, &[items.len()]));
                let o = ObjectArray::new(
                    ObjectItems::Values(
                        items
                            .iter()
                            .map(|i| match i {
                                ItemRef::Str(s) => Value::Str((*s).to_owned()),
                                ItemRef::Bytes(b) => Value::Bytes(b.to_vec()),
                                _ => Value::None,
                            })
                            .collect(),
                    ),
                    vec![items.len()],
                    Order::C,
                )
                .unwrap();
                let enc = c.encode_objects(&o).unwrap();
                if items.len() < 100 {
                    same_decode_prefixes(&c, &enc);
                } else {
                    assert!(same_decode(&c, &enc, &l));
                }
            }
            assert!(!same_encode(&c, &items[..4], &[2, 2]));
            // Data without a direct path: typed dtypes, nested lists, ints, a wrong count, bad UTF-8.
            for data in [
                &[0x93, 0xa1, b'a', 0xa3, b'<', b'U', b'1', 0x91, 1][..],
                &[0x93, 0x91, 0xa1, b'a', 0xa2, b'|', b'O', 0x92, 1, 1],
                &[0x93, 0x01, 0xa2, b'|', b'O', 0x91, 1],
                &[0x93, 0xa1, b'a', 0xa2, b'|', b'O', 0x91, 2],
                &[0x93, 0xa1, 0xff, 0xa2, b'|', b'O', 0x91, 1],
                &[0x93, 0xa1, b'a', 0xa2, b'|', b'O', 0x91, 1, 0x00],
            ] {
                // With raw=True a str is bytes, so the one with bad UTF-8 has a direct path.
                let bad_utf8 = data.get(2) == Some(&0xff);
                assert_eq!(same_decode(&c, data, &l), raw && bad_utf8, "{data:02x?}");
            }
        }
    }
}
