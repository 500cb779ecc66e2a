//! Structured dtypes (NumPy records): named fields packed in order, as NumPy's `dtype.descr` spells
//! them: `[["a", "<i4"], ["b", "<f8", [3]], ["c", [["x", "|u1"], ["y", "|u1"]]]]` (a name, a dtype string
//! or a nested list, and an optional subarray shape per field), here as JSON.
//!
//! A record's bytes are its fields' bytes packed in order (NumPy's packed layout, as `.npy` files and
//! both Zarr formats store them), so everything that copies or encodes items handles a record as an
//! opaque item of its size ([`Record::dtype`], `|V<n>`); a [`Record`] keeps the fields for the metadata
//! that names them (`.npy` headers here, Zarr's in `brickwork-grid`) and for NumPy.
//!
//! Everything is untrusted: nesting is at most [`MAX_DEPTH`] deep, a record has at most [`MAX_FIELDS`]
//! fields in all, names are unique, and sizes are checked for overflow before anything is allocated.

use serde_json::{json, Value};

use crate::{DType, Endian, Error, Kind, Result};

/// The deepest nesting of records in records.
pub const MAX_DEPTH: usize = 8;
/// The most fields of a record, nested ones included.
pub const MAX_FIELDS: usize = 4096;

/// A structured data type: named fields packed in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    fields: Vec<Field>,
    itemsize: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    name: String,
    kind: FieldKind,
    /// A subarray field's shape (NumPy's `("b", "<f8", (3,))`); empty for one element.
    shape: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FieldKind {
    Scalar(DType),
    Record(Record),
}

fn invalid(message: String) -> Error {
    Error::InvalidArray(message)
}

/// A JSON value for an error message: its text, cut at 120 characters (metadata is untrusted and may be
/// megabytes long).
pub fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

impl Record {
    /// Parses NumPy's `dtype.descr` as JSON (the v2 `dtype` list).
    pub fn from_descr(value: &Value) -> Result<Record> {
        let mut count = 0;
        Self::descr_at(value, 1, &mut count)
    }

    fn descr_at(value: &Value, depth: usize, count: &mut usize) -> Result<Record> {
        let bad = |why: &str| {
            invalid(format!(
                "structured dtype {} is not valid: {why}; expected NumPy's dtype.descr, a list of \
                 [name, dtype] or [name, dtype, shape] such as [[\"a\", \"<i4\"], [\"b\", \"<f8\", [3]]]",
                short(value)
            ))
        };
        if depth > MAX_DEPTH {
            return Err(bad(&format!("records nest more than {MAX_DEPTH} deep")));
        }
        let entries = value.as_array().ok_or_else(|| bad("not a list"))?;
        let mut fields = Vec::with_capacity(entries.len().min(MAX_FIELDS));
        for entry in entries {
            let parts = entry
                .as_array()
                .filter(|p| p.len() == 2 || p.len() == 3)
                .ok_or_else(|| {
                    bad(&format!(
                        "field {} is not [name, dtype] or [name, dtype, shape]",
                        short(entry)
                    ))
                })?;
            let name = parts[0]
                .as_str()
                .ok_or_else(|| bad(&format!("field name {} is not a string", short(&parts[0]))))?;
            let kind = match &parts[1] {
                Value::String(spec) => {
                    FieldKind::Scalar(DType::parse(spec).map_err(|e| bad(&format!("field {name:?}: {e}")))?)
                }
                nested @ Value::Array(_) => FieldKind::Record(Self::descr_at(nested, depth + 1, count)?),
                other => return Err(bad(&format!("field {name:?} has dtype {}", short(other)))),
            };
            let shape = match parts.get(2) {
                None => Vec::new(),
                Some(Value::Array(dims)) => dims
                    .iter()
                    .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                    .collect::<Option<Vec<usize>>>()
                    .ok_or_else(|| bad(&format!("field {name:?} has shape {}", short(&parts[2]))))?,
                Some(other) => return Err(bad(&format!("field {name:?} has shape {}", short(other)))),
            };
            fields.push(Field {
                name: name.to_owned(),
                kind,
                shape,
            });
            *count += 1;
            if *count > MAX_FIELDS {
                return Err(bad(&format!("more than {MAX_FIELDS} fields")));
            }
        }
        Self::new(fields).map_err(|e| bad(&e))
    }

    /// A record of `fields`: names unique (empty names, NumPy's padding, may repeat), no object fields,
    /// at least one byte, sizes within range.
    fn new(fields: Vec<Field>) -> std::result::Result<Record, String> {
        if fields.is_empty() {
            return Err("a record needs at least one field".into());
        }
        let mut itemsize = 0usize;
        for (i, field) in fields.iter().enumerate() {
            if !field.name.is_empty() && fields[..i].iter().any(|f| f.name == field.name) {
                return Err(format!("the field name {:?} occurs more than once", field.name));
            }
            let one = match &field.kind {
                FieldKind::Scalar(d) if matches!(d.kind(), Kind::Object) => {
                    return Err(format!(
                        "field {:?} holds Python objects, which have no fixed-size bytes",
                        field.name
                    ))
                }
                FieldKind::Scalar(d) => d.itemsize(),
                FieldKind::Record(r) => r.itemsize,
            };
            let size = field
                .shape
                .iter()
                .try_fold(one, |n, &d| n.checked_mul(d))
                .and_then(|n| itemsize.checked_add(n))
                .filter(|&n| n <= i32::MAX as usize)
                .ok_or_else(|| format!("field {:?} makes the record larger than 2**31 bytes", field.name))?;
            itemsize = size;
        }
        if itemsize == 0 {
            return Err("the record has no bytes".into());
        }
        Ok(Record { fields, itemsize })
    }

    /// The bytes of one record.
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// The opaque dtype the chunks are handled as: `|V<itemsize>`.
    pub fn dtype(&self) -> DType {
        DType::new(Kind::Void, self.itemsize, Endian::NotApplicable).unwrap_or(DType::U8)
    }

    /// NumPy's `dtype.descr` of the record, as JSON (and the v2 `dtype` list).
    pub fn descr(&self) -> Value {
        Value::Array(
            self.fields
                .iter()
                .map(|f| {
                    let kind = match &f.kind {
                        FieldKind::Scalar(d) => json!(d.to_string()),
                        FieldKind::Record(r) => r.descr(),
                    };
                    if f.shape.is_empty() {
                        json!([f.name, kind])
                    } else {
                        json!([f.name, kind, f.shape])
                    }
                })
                .collect(),
        )
    }

    /// The byte order every multi-byte field is stored in: `Some(Little)` or `Some(Big)` when they all
    /// agree (`NotApplicable` when no field has one), `None` when they differ.
    pub fn endian(&self) -> Option<Endian> {
        let mut seen = Endian::NotApplicable;
        for field in &self.fields {
            let e = match &field.kind {
                FieldKind::Scalar(d) => d.endian(),
                FieldKind::Record(r) => r.endian()?,
            };
            match (seen, e) {
                (_, Endian::NotApplicable) => {}
                (Endian::NotApplicable, e) => seen = e,
                (a, b) if a == b => {}
                _ => return None,
            }
        }
        Some(seen)
    }

    /// A record of scalar fields (Zarr v3's `struct`), each of `dtype`.
    pub fn from_scalars(fields: Vec<(String, DType)>) -> Result<Record> {
        if fields.len() > MAX_FIELDS {
            return Err(invalid(format!("a record of more than {MAX_FIELDS} fields")));
        }
        let fields = fields
            .into_iter()
            .map(|(name, dtype)| Field {
                name,
                kind: FieldKind::Scalar(dtype),
                shape: Vec::new(),
            })
            .collect();
        Self::new(fields).map_err(invalid)
    }

    /// The fields as `(name, dtype)` when every one is a scalar (no subarray or nested record), as
    /// Zarr v3's `struct` holds them; else `None`.
    pub fn scalar_fields(&self) -> Option<Vec<(&str, DType)>> {
        self.fields
            .iter()
            .map(|f| match (&f.kind, f.shape.is_empty()) {
                (FieldKind::Scalar(d), true) => Some((f.name.as_str(), *d)),
                _ => None,
            })
            .collect()
    }

    /// The record as a `.npy` header spells it: NumPy's `descr` as a Python literal,
    /// `[('a', '<i4'), ('b', '<f8', (3,))]`.
    pub fn python_descr(&self) -> String {
        let quote = |s: &str| {
            // Python's string literal, ASCII only (a version 1.0 header is ASCII): what NumPy reads back
            let mut text = String::from("'");
            for c in s.chars() {
                match c {
                    '\\' => text.push_str("\\\\"),
                    '\'' => text.push_str("\\'"),
                    ' '..='~' => text.push(c),
                    c if u32::from(c) < 0x100 => text.push_str(&format!("\\x{:02x}", u32::from(c))),
                    c if u32::from(c) < 0x10000 => text.push_str(&format!("\\u{:04x}", u32::from(c))),
                    c => text.push_str(&format!("\\U{:08x}", u32::from(c))),
                }
            }
            text.push('\'');
            text
        };
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                let kind = match &f.kind {
                    FieldKind::Scalar(d) => quote(&d.to_string()),
                    FieldKind::Record(r) => r.python_descr(),
                };
                match f.shape.as_slice() {
                    [] => format!("({}, {kind})", quote(&f.name)),
                    [one] => format!("({}, {kind}, ({one},))", quote(&f.name)),
                    dims => format!(
                        "({}, {kind}, ({}))",
                        quote(&f.name),
                        dims.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
                    ),
                }
            })
            .collect();
        format!("[{}]", fields.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descr_round_trips_and_sizes_add_up() {
        let descr = json!([
            ["a", "<i4"],
            ["b", "<f8", [3]],
            ["c", [["x", "|u1"], ["y", ">u2"]]],
            ["", "|V2"]
        ]);
        let r = Record::from_descr(&descr).unwrap();
        assert_eq!(r.itemsize(), 4 + 24 + 3 + 2);
        assert_eq!(r.descr(), descr);
        assert_eq!(r.dtype().to_string(), "|V33");
        assert_eq!(r.endian(), None); // little and big fields
        assert_eq!(r.scalar_fields(), None);
        assert_eq!(
            r.python_descr(),
            "[('a', '<i4'), ('b', '<f8', (3,)), ('c', [('x', '|u1'), ('y', '>u2')]), ('', '|V2')]"
        );
        let little = Record::from_descr(&json!([["a", "<i4"], ["s", "|S3"]])).unwrap();
        assert_eq!(little.endian(), Some(Endian::Little));
        let fields = little.scalar_fields().unwrap();
        assert_eq!(fields[1], ("s", DType::parse("|S3").unwrap()));
        let owned = fields.into_iter().map(|(n, d)| (n.to_owned(), d)).collect();
        assert_eq!(Record::from_scalars(owned).unwrap(), little);
        assert!(Record::from_scalars(vec![("q".into(), DType::U8), ("q".into(), DType::U8)]).is_err());
    }

    #[test]
    fn hostile_descrs_are_errors() {
        let deep = (0..20).fold(json!([["x", "|u1"]]), |inner, _| json!([["n", inner]]));
        for bad in [
            json!("<i4"),
            json!([]),
            json!([["a"]]),
            json!([[1, "<i4"]]),
            json!([["a", "<i4"], ["a", "<f8"]]),
            json!([["a", "|O"]]),
            json!([["a", "<q9"]]),
            json!([["a", "<i4", [-1]]]),
            json!([["a", "<i4", "3"]]),
            json!([["a", "<f8", [1_000_000, 1_000_000, 1_000_000]]]),
            json!([["a", "|V0"]]),
            deep,
        ] {
            let e = Record::from_descr(&bad).unwrap_err().to_string();
            assert!(e.contains("dtype.descr"), "{bad}: {e}");
        }
        let wide: Vec<Value> = (0..MAX_FIELDS + 1)
            .map(|i| json!([format!("f{i}"), "|u1"]))
            .collect();
        let e = Record::from_descr(&Value::Array(wide)).unwrap_err().to_string();
        assert!(e.contains("more than 4096 fields") && e.len() < 600, "{e}"); // the dtype is cut short
    }
}
