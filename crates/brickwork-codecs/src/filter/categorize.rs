//! `categorize`: strings replaced by the 1-based index of their label (numcodecs' `Categorize`).
//!
//! * Config (emitted in this order): `{"id": "categorize", "labels": ["a", "bb"], "dtype": "<U2",
//!   "astype": "|u1"}`. `labels` and `dtype` are required; `dtype` must be a `U` (UTF-32) or `O` (object)
//!   dtype, `astype` (default `|u1`) a numeric one (numcodecs: TypeError for others).
//! * Encode: every element becomes `i + 1` for the label `i` it equals, else 0; with duplicate labels
//!   the later index wins (numcodecs assigns label by label). `U` elements are compared as NumPy does,
//!   ignoring trailing NULs; a label longer than the `U` width never matches. The codes are written in
//!   `astype` (an integer `astype` too narrow for the label count is an error, NumPy 2's OverflowError).
//! * Decode: codes (viewed as `astype`) `1..=len(labels)` become their label, anything else `''`. For
//!   `U` the label is truncated to the width and NUL-padded, in the dtype's byte order; the output is a
//!   1-D array of `dtype`.
//! * Object arrays (`dtype = '|O'`): the byte-level [`Codec`] methods refuse them (an object array is
//!   not bytes); [`ObjectCodec`] encodes `str` items ([`ObjectItems::Str`], `None` → 0) and decodes to
//!   `str` items. The codes are the same bytes as for `U`.
//! * Example: labels `['a', 'bb']`, `'<U2'`: `['bb', 'a', 'zz', 'a']` → `02 01 00 01`.

use std::collections::HashMap;

use brickwork_core::object::object_input_error;
use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, DType, Error, Kind, Limits, ObjectArray, ObjectCodec, ObjectItems,
    Result, StaticCodec, Value,
};
use serde::{Deserialize, Serialize};

use super::numeric::{decoded_size, is_big, item_count, store, with_elem, Elem, ElemKind, Wide};

const ID: &str = "categorize";

/// numcodecs' `Categorize(labels, dtype, astype='u1')`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Categorize {
    /// The category labels; code `i + 1` stands for `labels[i]`.
    pub labels: Vec<String>,
    /// The decoded type: `U` (fixed-width UTF-32) or `|O` (object).
    pub dtype: DType,
    /// The type of the codes.
    pub astype: DType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    labels: Vec<String>,
    dtype: DType,
    #[serde(default = "default_astype")]
    astype: DType,
}

fn default_astype() -> DType {
    DType::U8
}

impl Categorize {
    /// A categorize codec.
    pub fn new(labels: Vec<String>, dtype: DType, astype: DType) -> Result<Self> {
        match dtype.kind() {
            Kind::Object => {}
            Kind::Unicode if dtype.itemsize() > 0 => {}
            _ => {
                return Err(Error::invalid_config(
                    ID,
                    "dtype",
                    format!("only unicode ('U', at least one character) and object ('O') dtypes are supported, got {dtype}"),
                ))
            }
        }
        if astype.kind() == Kind::Object {
            return Err(Error::invalid_config(
                ID,
                "astype",
                "encoding as object array not supported",
            ));
        }
        Ok(Categorize {
            labels,
            dtype,
            astype,
        })
    }

    /// The labels as `U` elements of `width` bytes in the dtype's byte order (NUL-padded, so that
    /// comparing bytes is NumPy's comparison ignoring trailing NULs), each with its code; a label
    /// longer than the width never matches and is left out, and of duplicates the later code wins.
    fn patterns(&self, width: usize, big: bool) -> Vec<(Vec<u8>, usize)> {
        let mut codes: HashMap<Vec<u8>, usize> = HashMap::with_capacity(self.labels.len());
        for (i, label) in self.labels.iter().enumerate() {
            let mut cps: Vec<u32> = label.chars().map(u32::from).collect();
            while cps.last() == Some(&0) {
                cps.pop();
            }
            if cps.len() * 4 > width {
                continue;
            }
            cps.resize(width / 4, 0);
            codes.insert(store::<u32>(cps.len(), cps.into_iter(), big), i + 1);
        }
        let mut patterns: Vec<(Vec<u8>, usize)> = codes.into_iter().collect();
        patterns.sort_unstable_by_key(|(_, code)| *code); // a deterministic scan order
        patterns
    }

    /// Checks `astype` and that it can hold every code (NumPy 2 raises OverflowError otherwise).
    fn code_kind(&self) -> Result<ElemKind> {
        let kind = ElemKind::of(ID, self.astype)?;
        let n = self.labels.len() as u128;
        let max: Option<u128> = match (self.astype.kind(), self.astype.itemsize()) {
            (Kind::Int, size) => Some((1u128 << (8 * size - 1)) - 1),
            (Kind::UInt, size) => Some((1u128 << (8 * size)) - 1),
            _ => None,
        };
        if max.is_some_and(|m| n > m) {
            return Err(Error::invalid_input(
                ID,
                format!(
                    "{n} labels do not fit in codes of {} (Python integer out of bounds)",
                    self.astype
                ),
            ));
        }
        Ok(kind)
    }

    /// Writes codes (one per element, 0 = no label) as `astype`.
    fn write_codes(&self, codes: &[usize]) -> Result<Vec<u8>> {
        let kind = self.code_kind()?;
        let big = is_big(self.astype);
        Ok(
            with_elem!(kind, T => store::<T>(codes.len(), codes.iter().map(|c| T::from_wide(Wide::Int(*c as i128))), big)),
        )
    }

    /// Calls `each` with every code as a label index (`Some(i)` for `labels[i]`), after checking sizes
    /// against `limits` for decoded elements of `out`.
    fn for_each_code(
        &self,
        encoded: &[u8],
        limits: &Limits,
        out: DType,
        mut each: impl FnMut(Option<usize>),
    ) -> Result<()> {
        let kind = self.code_kind()?;
        let n = item_count(ID, encoded, self.astype)?;
        decoded_size(ID, n, out, limits)?;
        let labels = self.labels.len();
        let index = |w: Wide| -> Option<usize> {
            let v = match w {
                Wide::Int(i) => i as f64,
                Wide::Float(x) | Wide::Half(x) => x,
                Wide::Complex(re, im) => {
                    if im != 0.0 {
                        return None;
                    }
                    re
                }
            };
            (v >= 1.0 && v <= labels as f64 && v.fract() == 0.0).then(|| v as usize - 1)
        };
        let big = is_big(self.astype);
        with_elem!(kind, T => {
            if big {
                T::iter_be(encoded).for_each(|c| each(index(c.to_wide())));
            } else {
                T::iter_le(encoded).for_each(|c| each(index(c.to_wide())));
            }
        });
        Ok(())
    }

    /// The codes as label indexes (see [`Categorize::for_each_code`]).
    fn read_codes(&self, encoded: &[u8], limits: &Limits, out: DType) -> Result<Vec<Option<usize>>> {
        let mut codes = Vec::with_capacity(encoded.len() / self.astype.itemsize().max(1));
        self.for_each_code(encoded, limits, out, |c| codes.push(c))?;
        Ok(codes)
    }
}

/// Labels up to which scanning them (a compare of a few bytes each) beats hashing the element.
const SCAN: usize = 16;

/// The code of every `W`-byte `U` element of `data`, scanning at most [`SCAN`] `patterns`: with the
/// width known to the compiler each compare is a few integer compares, not a `memcmp` call.
fn scan_fixed<const W: usize>(data: &[u8], patterns: &[(Vec<u8>, usize)]) -> Vec<usize> {
    let patterns: Vec<([u8; W], usize)> = patterns
        .iter()
        .filter_map(|(p, c)| Some((<[u8; W]>::try_from(p.as_slice()).ok()?, *c)))
        .collect();
    let (elements, _) = data.as_chunks::<W>();
    elements
        .iter()
        .map(|e| patterns.iter().find(|(p, _)| p == e).map_or(0, |(_, c)| *c))
        .collect()
}

/// Finds the code of a `U` element of any width: a scan of up to [`SCAN`] labels, a hash map beyond.
enum Lookup<'a> {
    Few(&'a [(Vec<u8>, usize)]),
    Many(HashMap<&'a [u8], usize>),
}

impl<'a> Lookup<'a> {
    fn new(patterns: &'a [(Vec<u8>, usize)]) -> Self {
        if patterns.len() <= SCAN {
            Lookup::Few(patterns)
        } else {
            Lookup::Many(patterns.iter().map(|(p, c)| (p.as_slice(), *c)).collect())
        }
    }

    #[inline]
    fn code(&self, element: &[u8]) -> usize {
        match self {
            Lookup::Few(patterns) => patterns
                .iter()
                .find(|(p, _)| p.as_slice() == element)
                .map_or(0, |(_, c)| *c),
            Lookup::Many(map) => map.get(element).copied().unwrap_or(0),
        }
    }
}

impl Codec for Categorize {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        if self.dtype.kind() == Kind::Object || input.dtype().kind() == Kind::Object {
            return Err(object_input_error(ID));
        }
        let data = input.data();
        item_count(ID, data, self.dtype)?;
        let width = self.dtype.itemsize();
        let patterns = self.patterns(width, is_big(self.dtype));
        let few = patterns.len() <= SCAN;
        let codes = match width {
            4 if few => scan_fixed::<4>(data, &patterns),
            8 if few => scan_fixed::<8>(data, &patterns),
            12 if few => scan_fixed::<12>(data, &patterns),
            16 if few => scan_fixed::<16>(data, &patterns),
            _ => {
                let lookup = Lookup::new(&patterns);
                data.chunks_exact(width).map(|e| lookup.code(e)).collect()
            }
        };
        self.write_codes(&codes)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        if self.dtype.kind() == Kind::Object {
            return Err(Error::invalid_input(
                ID,
                "dtype '|O' decodes to an object array; use ObjectCodec::decode_objects (Codec::as_object_codec)",
            ));
        }
        let width = self.dtype.itemsize() / 4;
        let big = is_big(self.dtype);
        // Each label once, truncated and padded to the width.
        let rendered: Vec<Vec<u8>> = self
            .labels
            .iter()
            .map(|l| {
                let mut cps: Vec<u32> = l.chars().map(u32::from).take(width).collect();
                cps.resize(width, 0);
                store::<u32>(width, cps.into_iter(), big)
            })
            .collect();
        let blank = vec![0u8; width * 4];
        let size = decoded_size(ID, item_count(ID, encoded, self.astype)?, self.dtype, limits)?;
        let mut out = Vec::with_capacity(size);
        self.for_each_code(encoded, limits, self.dtype, |code| {
            out.extend_from_slice(code.and_then(|i| rendered.get(i)).unwrap_or(&blank));
        })?;
        ArrayBuf::from_vec_1d(out, self.dtype)
    }

    fn as_object_codec(&self) -> Option<&dyn ObjectCodec> {
        Some(self)
    }
}

impl ObjectCodec for Categorize {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        let table: HashMap<&str, usize> = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i + 1))
            .collect();
        let code = |s: Option<&str>| s.and_then(|s| table.get(s).copied()).unwrap_or(0);
        let codes: Vec<usize> = match input.items() {
            ObjectItems::Str(items) => items.iter().map(|s| code(s.as_deref())).collect(),
            ObjectItems::Values(items) => items
                .iter()
                .map(|v| match v {
                    Value::Str(s) => code(Some(s)),
                    _ => 0,
                })
                .collect(),
            other => {
                return Err(Error::invalid_input(
                    ID,
                    format!(
                        "expected str items, got {} (which never equal a label)",
                        other.kind_name()
                    ),
                ))
            }
        };
        self.write_codes(&codes)
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        let codes = self.read_codes(encoded, limits, DType::parse("|O")?)?;
        let items = codes
            .into_iter()
            .map(|c| Some(c.and_then(|i| self.labels.get(i)).cloned().unwrap_or_default()))
            .collect();
        Ok(ObjectArray::from_strings(items))
    }
}

impl StaticCodec for Categorize {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        let p: Params = brickwork_core::config::parse(ID, &["labels", "dtype", "astype"], config)?;
        Categorize::new(p.labels, p.dtype, p.astype)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Categorize>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::Order;

    fn codec(json: &str) -> Categorize {
        Categorize::from_config(&brickwork_core::config::from_json(json).unwrap()).unwrap()
    }

    fn utf32(items: &[&str], width: usize, big: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for s in items {
            let mut cps: Vec<u32> = s.chars().map(u32::from).collect();
            cps.resize(width, 0);
            for c in cps {
                out.extend_from_slice(&if big { c.to_be_bytes() } else { c.to_le_bytes() });
            }
        }
        out
    }

    #[test]
    fn numcodecs_example() {
        let c = codec(r#"{"id":"categorize","labels":["a","bb"],"dtype":"<U2"}"#);
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"categorize","labels":["a","bb"],"dtype":"<U2","astype":"|u1"}"#
        );
        let x = utf32(&["bb", "a", "zz", "a"], 2, false);
        let view = ArrayView::new(&x, DType::parse("<U2").unwrap(), vec![4], Order::C).unwrap();
        assert_eq!(c.encode(&view).unwrap(), [2, 1, 0, 1]);
        let dec = c.decode(&[2, 0, 1, 3, 255], &Limits::default()).unwrap();
        assert_eq!(dec.dtype().to_string(), "<U2");
        assert_eq!(dec.data(), utf32(&["bb", "", "a", "", ""], 2, false));
    }

    #[test]
    fn duplicates_long_labels_big_endian_and_wide_codes() {
        let c = codec(r#"{"id":"categorize","labels":["x","toolong","x"],"dtype":">U3","astype":"<i2"}"#);
        let x = utf32(&["x", "too", ""], 3, true);
        assert_eq!(c.encode_bytes(&x).unwrap(), [3, 0, 0, 0, 0, 0]);
        let dec = c.decode(&[2, 0, 1, 0, 0, 1], &Limits::default()).unwrap();
        assert_eq!(dec.data(), utf32(&["too", "x", ""], 3, true));
        // float codes: 1.0 matches label 1, 1.5 matches nothing.
        let c = codec(r#"{"id":"categorize","labels":["a"],"dtype":"<U1","astype":"<f4"}"#);
        let enc: Vec<u8> = [1.0f32, 1.5].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(
            c.decode(&enc, &Limits::default()).unwrap().data(),
            utf32(&["a", ""], 1, false)
        );
        assert_eq!(
            c.encode_bytes(&utf32(&["a"], 1, false)).unwrap(),
            1.0f32.to_le_bytes()
        );
    }

    /// More labels than the scan handles (the hash-map lookup), with duplicates, a trailing-NUL label
    /// and elements that match nothing.
    #[test]
    fn many_labels() {
        let mut labels: Vec<String> = (0..40).map(|i| format!("l{i}")).collect();
        labels.push("l7".into()); // duplicate: code 41 wins over 8
        labels.push("z\u{0}".into()); // matches "z"
        let config =
            serde_json::json!({"id": "categorize", "labels": labels, "dtype": "<U3", "astype": "<u2"});
        let c = Categorize::from_config(config.as_object().unwrap()).unwrap();
        let x = utf32(&["l0", "l39", "l7", "z", "q", "", "l40"], 3, false);
        let want: Vec<u8> = [1u16, 40, 41, 42, 0, 0, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(c.encode_bytes(&x).unwrap(), want);
    }

    #[test]
    fn objects() {
        let c = codec(r#"{"id":"categorize","labels":["ƒöõ","ßàř"],"dtype":"|O"}"#);
        let arr = ObjectArray::from_strings(vec![
            Some("ßàř".into()),
            None,
            Some("q".into()),
            Some("ƒöõ".into()),
        ]);
        let enc = c.encode_objects(&arr).unwrap();
        assert_eq!(enc, [2, 0, 0, 1]);
        let dec = c.decode_objects(&enc, &Limits::default()).unwrap();
        assert_eq!(
            dec.items(),
            &ObjectItems::Str(vec![
                Some("ßàř".into()),
                Some(String::new()),
                Some(String::new()),
                Some("ƒöõ".into())
            ])
        );
        assert!(matches!(c.encode_bytes(&[0; 8]), Err(Error::InvalidInput { .. })));
        assert!(c.decode(&[1], &Limits::default()).is_err());
        assert!(c.as_object_codec().is_some());
    }

    #[test]
    fn config_errors() {
        for bad in [
            r#"{"id":"categorize","labels":["a"],"dtype":"|S3"}"#,
            r#"{"id":"categorize","labels":["a"],"dtype":"<U2","astype":"|O"}"#,
            r#"{"id":"categorize","dtype":"<U2"}"#,
        ] {
            assert!(
                Categorize::from_config(&brickwork_core::config::from_json(bad).unwrap()).is_err(),
                "{bad}"
            );
        }
        let labels: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        let c = Categorize::new(labels, DType::parse("<U3").unwrap(), DType::U8).unwrap();
        assert!(c.encode_bytes(&[0; 12]).is_err());
        let c = codec(r#"{"id":"categorize","labels":["a"],"dtype":"<U2"}"#);
        assert!(c.encode_bytes(&[0; 7]).is_err());
        assert!(matches!(
            c.decode(&[0; 2], &Limits::new(15)),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
