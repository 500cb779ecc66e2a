//! Structured data types (NumPy records) in Zarr metadata: v2's `dtype` lists and v3's `struct`.
//!
//! A record's bytes are its fields' bytes packed in order, as NumPy's packed layout and both of
//! zarr-python's formats store them, so the chunk machinery handles records as opaque items of the
//! record's size (`|V<n>`, [`Record::dtype`]). This module reads and writes the metadata's spelling of
//! the fields and of the fill value, and gives the NumPy `descr` the Python side views the bytes with.
//!
//! * v2: `[["a", "<i4"], ["b", "<f8", [3]], ["c", [["x", "|u1"], ["y", "|u1"]]]]`: a name, a NumPy
//!   dtype string (or a nested list) and an optional subarray shape per field, exactly NumPy's
//!   `dtype.descr`. Fill value: base64 of one item, or `null` (handled as `|V<n>`'s).
//! * v3: `{"name": "struct", "configuration": {"fields": [{"name": "a", "data_type": "int32"}, ...]}}`:
//!   fields of v3's scalar data types, stored in the `bytes` codec's byte order; the fill value an object
//!   of the fields' fill values (zarr-python), or base64 of one item.
//!
//! Everything is untrusted: nesting is at most [`MAX_DEPTH`] deep, a record has at most [`MAX_FIELDS`]
//! fields in all, names are unique, and sizes are checked for overflow before anything is allocated.

use base64::Engine;
use brickwork_core::{DType, Endian, Error, Kind, Result};
use serde_json::{json, Map, Value};

/// The deepest nesting of records in records.
pub const MAX_DEPTH: usize = 8;
/// The most fields of a record, nested ones included.
pub const MAX_FIELDS: usize = 4096;

/// Reads one field's fill value: its bytes, or `None` for `null`.
pub(super) type ScalarFill = dyn Fn(DType, &Value) -> Result<Option<Vec<u8>>>;

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
fn short(value: &Value) -> String {
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

    /// Parses a v3 `struct` data type's configuration, whose fields' data types `scalar` reads (in the
    /// `bytes` codec's byte order).
    pub(super) fn from_v3(
        conf: &Map<String, Value>,
        scalar: &dyn Fn(&Value) -> Result<DType>,
    ) -> Result<Record> {
        let bad = |why: String| {
            invalid(format!(
                "the struct data type's fields are not valid: {why}; expected \"fields\": a list of \
                 {{\"name\": ..., \"data_type\": ...}}"
            ))
        };
        let list = conf
            .get("fields")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("there is no \"fields\" list".into()))?;
        if list.len() > MAX_FIELDS {
            return Err(bad(format!("more than {MAX_FIELDS} fields")));
        }
        let mut fields = Vec::with_capacity(list.len());
        for entry in list {
            let (name, data_type) = match entry {
                Value::Object(f) => (f.get("name").and_then(Value::as_str), f.get("data_type")),
                // zarr-python also reads fields as [name, data_type] pairs
                Value::Array(pair) if pair.len() == 2 => (pair[0].as_str(), pair.get(1)),
                _ => (None, None),
            };
            let (Some(name), Some(data_type)) = (name, data_type) else {
                return Err(bad(format!("field {} has no name or data_type", short(entry))));
            };
            let dtype = scalar(data_type).map_err(|e| bad(format!("field {name:?}: {e}")))?;
            fields.push(Field {
                name: name.to_owned(),
                kind: FieldKind::Scalar(dtype),
                shape: Vec::new(),
            });
        }
        Self::new(fields).map_err(bad)
    }

    /// The v3 `struct` data type, each field's data type spelled by `scalar`; records with subarray or
    /// nested fields have none (zarr-python's `struct` holds scalar fields).
    pub(super) fn v3_json(&self, scalar: &dyn Fn(DType) -> Result<Value>) -> Result<Value> {
        let fields = self
            .fields
            .iter()
            .map(|f| match (&f.kind, f.shape.is_empty()) {
                (FieldKind::Scalar(d), true) => Ok(json!({"name": f.name, "data_type": scalar(*d)?})),
                _ => Err(invalid(format!(
                    "field {:?} is a subarray or a nested record, which Zarr v3's struct data type does \
                     not hold; write this array as Zarr v2",
                    f.name
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(json!({"name": "struct", "configuration": {"fields": fields}}))
    }

    /// The bytes of a v3 fill value: an object of the fields' fill values (each read by `scalar`; a
    /// missing field is zeros), or base64 of one item; `None` for `null`.
    pub(super) fn v3_fill(&self, value: &Value, scalar: &ScalarFill) -> Result<Option<Vec<u8>>> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .ok()
                    .filter(|b| b.len() == self.itemsize)
                    .ok_or_else(|| {
                        invalid(format!(
                            "fill_value {} of a struct is not base64 of {} bytes",
                            short(value),
                            self.itemsize
                        ))
                    })?;
                Ok(Some(bytes))
            }
            Value::Object(values) => {
                if let Some(extra) = values.keys().find(|k| !self.fields.iter().any(|f| &f.name == *k)) {
                    return Err(invalid(format!(
                        "fill_value {} names the field {extra:?}, which the struct has not",
                        short(value)
                    )));
                }
                let mut bytes = Vec::with_capacity(self.itemsize);
                for field in &self.fields {
                    let FieldKind::Scalar(d) = field.kind else {
                        return Err(invalid("a struct's fields are scalars".into()));
                    };
                    match values
                        .get(&field.name)
                        .map(|v| scalar(d, v))
                        .transpose()?
                        .flatten()
                    {
                        Some(b) => bytes.extend(b),
                        None => bytes.resize(bytes.len() + d.itemsize(), 0),
                    }
                }
                Ok(Some(bytes))
            }
            other => Err(invalid(format!(
                "fill_value {} of a struct is not an object of field values or a base64 string",
                short(other)
            ))),
        }
    }

    /// The v3 fill value of one item's `bytes`: an object of the fields' values, each spelled by `scalar`.
    pub(super) fn v3_fill_json(
        &self,
        bytes: &[u8],
        scalar: &dyn Fn(DType, &[u8]) -> Result<Value>,
    ) -> Result<Value> {
        let mut values = Map::new();
        let mut at = 0;
        for field in &self.fields {
            let FieldKind::Scalar(d) = field.kind else {
                return Err(invalid("a struct's fields are scalars".into()));
            };
            let end = at + d.itemsize();
            let item = bytes.get(at..end).ok_or_else(|| {
                invalid(format!(
                    "a fill value of {} bytes is too short for the struct",
                    bytes.len()
                ))
            })?;
            values.insert(field.name.clone(), scalar(d, item)?);
            at = end;
        }
        Ok(Value::Object(values))
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
        let little = Record::from_descr(&json!([["a", "<i4"], ["s", "|S3"]])).unwrap();
        assert_eq!(little.endian(), Some(Endian::Little));
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
