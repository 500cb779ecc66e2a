//! Structured data types (NumPy records, [`Record`]) in Zarr metadata: v2's `dtype` lists and v3's
//! `struct`.
//!
//! * v2: NumPy's `dtype.descr` as JSON (`[["a", "<i4"], ["b", "<f8", [3]]]`: [`Record::from_descr`],
//!   [`Record::descr`]). Fill value: base64 of one item, or `null` (handled as `|V<n>`'s).
//! * v3: `{"name": "struct", "configuration": {"fields": [{"name": "a", "data_type": "int32"}, ...]}}`:
//!   fields of v3's scalar data types, stored in the `bytes` codec's byte order; the fill value an object
//!   of the fields' fill values (zarr-python), or base64 of one item. This module reads and writes that
//!   spelling; the field data types and values themselves are `v3.rs`'s, passed in as functions.

use base64::Engine;
use brickwork_core::record::short;
use brickwork_core::{DType, Error, Record, Result};
use serde_json::{json, Map, Value};

/// Reads one field's fill value: its bytes, or `None` for `null`.
pub(super) type ScalarFill = dyn Fn(DType, &Value) -> Result<Option<Vec<u8>>>;

fn invalid(message: String) -> Error {
    Error::InvalidArray(message)
}

/// The fields of a record that v3's `struct` can hold (scalars), or the error saying why not.
fn scalars(record: &Record) -> Result<Vec<(&str, DType)>> {
    record.scalar_fields().ok_or_else(|| {
        invalid(
            "the record has a subarray or nested field, which Zarr v3's struct data type does not hold; \
             write this array as Zarr v2"
                .into(),
        )
    })
}

/// Parses a v3 `struct` data type's configuration, whose fields' data types `scalar` reads (in the
/// `bytes` codec's byte order).
pub(super) fn from_v3(conf: &Map<String, Value>, scalar: &dyn Fn(&Value) -> Result<DType>) -> Result<Record> {
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
    if list.len() > brickwork_core::record::MAX_FIELDS {
        return Err(bad(format!(
            "more than {} fields",
            brickwork_core::record::MAX_FIELDS
        )));
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
        fields.push((name.to_owned(), dtype));
    }
    Record::from_scalars(fields).map_err(|e| bad(e.to_string()))
}

/// The v3 `struct` data type of `record`, each field's data type spelled by `scalar`.
pub(super) fn v3_json(record: &Record, scalar: &dyn Fn(DType) -> Result<Value>) -> Result<Value> {
    let fields = scalars(record)?
        .into_iter()
        .map(|(name, d)| Ok(json!({"name": name, "data_type": scalar(d)?})))
        .collect::<Result<Vec<_>>>()?;
    Ok(json!({"name": "struct", "configuration": {"fields": fields}}))
}

/// The bytes of a v3 fill value: an object of the fields' fill values (each read by `scalar`; a missing
/// field is zeros), or base64 of one item; `None` for `null`.
pub(super) fn v3_fill(record: &Record, value: &Value, scalar: &ScalarFill) -> Result<Option<Vec<u8>>> {
    let n = record.itemsize();
    match value {
        Value::Null => Ok(None),
        Value::String(s) => base64::engine::general_purpose::STANDARD
            .decode(s)
            .ok()
            .filter(|b| b.len() == n)
            .map(Some)
            .ok_or_else(|| {
                invalid(format!(
                    "fill_value {} of a struct is not base64 of {n} bytes",
                    short(value)
                ))
            }),
        Value::Object(values) => {
            let fields = scalars(record)?;
            if let Some(extra) = values.keys().find(|k| !fields.iter().any(|(name, _)| name == k)) {
                return Err(invalid(format!(
                    "fill_value {} names the field {extra:?}, which the struct has not",
                    short(value)
                )));
            }
            let mut bytes = Vec::with_capacity(n);
            for (name, d) in fields {
                match values.get(name).map(|v| scalar(d, v)).transpose()?.flatten() {
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
    record: &Record,
    bytes: &[u8],
    scalar: &dyn Fn(DType, &[u8]) -> Result<Value>,
) -> Result<Value> {
    let mut values = Map::new();
    let mut at = 0;
    for (name, d) in scalars(record)? {
        let end = at + d.itemsize();
        let item = bytes.get(at..end).ok_or_else(|| {
            invalid(format!(
                "a fill value of {} bytes is too short for the struct",
                bytes.len()
            ))
        })?;
        values.insert(name.to_owned(), scalar(d, item)?);
        at = end;
    }
    Ok(Value::Object(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(value: &Value) -> Result<DType> {
        match value.as_str() {
            Some("int32") => DType::parse("<i4"),
            Some("uint8") => DType::parse("|u1"),
            _ => Err(invalid(format!("data type {value}"))),
        }
    }

    fn fill(d: DType, value: &Value) -> Result<Option<Vec<u8>>> {
        crate::fill::fill_to_bytes(d, value)
    }

    #[test]
    fn struct_fields_and_fill_values_both_ways() {
        let conf = json!({"fields": [{"name": "a", "data_type": "int32"}, ["b", "uint8"]]});
        let record = from_v3(conf.as_object().unwrap(), &scalar).unwrap();
        assert_eq!(record.descr(), json!([["a", "<i4"], ["b", "|u1"]]));
        let spelled = |d: DType| -> Result<Value> { Ok(json!(d.to_string())) };
        assert_eq!(
            v3_json(&record, &spelled).unwrap(),
            json!({"name": "struct", "configuration": {"fields": [
                {"name": "a", "data_type": "<i4"}, {"name": "b", "data_type": "|u1"}]}})
        );
        // an object of field values (a missing field is zeros), base64 of one record, or null
        assert_eq!(
            v3_fill(&record, &json!({"a": -2}), &fill).unwrap(),
            Some(vec![254, 255, 255, 255, 0])
        );
        assert_eq!(
            v3_fill(&record, &json!("AQAAAAI="), &fill).unwrap(),
            Some(vec![1, 0, 0, 0, 2])
        );
        assert_eq!(v3_fill(&record, &Value::Null, &fill).unwrap(), None);
        let back = v3_fill_json(&record, &[1, 0, 0, 0, 2], &|d, b| {
            crate::fill::fill_to_json(d, Some(b))
        })
        .unwrap();
        assert_eq!(back, json!({"a": 1, "b": 2}));
        for (bad, why) in [
            (json!({"c": 1}), "names the field \"c\""),
            (json!("AQAA"), "not base64 of 5 bytes"),
            (json!([1, 2]), "not an object of field values"),
            (json!({"a": "x"}), "does not fit"),
        ] {
            let e = v3_fill(&record, &bad, &fill).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        for (bad, why) in [
            (json!({}), "no \"fields\" list"),
            (
                json!({"fields": [{"data_type": "int32"}]}),
                "no name or data_type",
            ),
            (
                json!({"fields": [{"name": "a", "data_type": "float128"}]}),
                "field \"a\"",
            ),
            (
                json!({"fields": [["a", "int32"], ["a", "uint8"]]}),
                "more than once",
            ),
        ] {
            let e = from_v3(bad.as_object().unwrap(), &scalar)
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        // subarray and nested fields have no v3 spelling
        let nested = Record::from_descr(&json!([["p", "<f4", [3]]])).unwrap();
        assert!(v3_json(&nested, &spelled)
            .unwrap_err()
            .to_string()
            .contains("Zarr v2"));
    }
}
