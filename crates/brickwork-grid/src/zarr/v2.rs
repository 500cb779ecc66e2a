//! Zarr v2 array metadata: the `.zarray` file, both ways.
//!
//! `.zarray` is a JSON object with `zarr_format` 2, `shape`, `chunks`, `dtype` (NumPy's `dtype.str`, or
//! a structured dtype's `dtype.descr`: [`super::record`]),
//! `compressor` and `filters` (numcodecs configs or `null`), `fill_value` (see [`crate::fill`]), `order`
//! (`"C"`/`"F"`: the element order inside each chunk) and `dimension_separator` (`"."` when absent). The
//! chunk at grid position `(i, j, k)` is the file `i.j.k` (or `i/j/k`); a 0-d array is one chunk named `0`.

use brickwork_codecs::pipeline::Pipeline;
use brickwork_core::{DType, Error, Kind, Order, Result};
use serde_json::{json, Map, Value};

use super::{sizes, ChunkKeys, GridSpec, Meta, Record, ZarrArray};
use crate::fill::{fill_to_bytes, fill_to_json};

/// The metadata file of a Zarr v2 array.
pub(super) const FILE: &str = ".zarray";
/// The user attributes' file.
pub(super) const ATTRS_FILE: &str = ".zattrs";

/// Validates a parsed `.zarray`.
pub(super) fn parse(meta: &Map<String, Value>) -> Result<Meta> {
    let get = |k: &str| {
        meta.get(k)
            .ok_or_else(|| Error::InvalidArray(format!("the key {k:?} is missing")))
    };
    if get("zarr_format")? != &json!(2) {
        return Err(Error::InvalidArray(format!(
            "zarr_format is {}; a .zarray holds Zarr format 2",
            get("zarr_format")?
        )));
    }
    let shape = sizes(get("shape")?, "shape")?;
    let chunks = sizes(get("chunks")?, "chunks")?;
    let (dtype, record) = match get("dtype")? {
        Value::String(s) => (
            DType::parse(s).map_err(|e| Error::InvalidArray(e.to_string()))?,
            None,
        ),
        // a structured dtype: NumPy's descr, its items the record's bytes
        list @ Value::Array(_) => {
            let record = Record::from_descr(list)?;
            (record.dtype(), Some(record))
        }
        other => {
            return Err(Error::InvalidArray(format!(
                "dtype {other} is neither a NumPy dtype string such as \"<f4\" nor a structured dtype's list"
            )))
        }
    };
    let order = match get("order")?.as_str() {
        Some(o) => Order::parse(o)?,
        None => return Err(Error::InvalidArray("order must be \"C\" or \"F\"".into())),
    };
    // an object array's fill value is its JSON string's text (a string's, or the base64 of bytes items;
    // the Python side reads the value itself), what a resize writes where it cuts through chunks
    let fill = match dtype.kind() {
        Kind::Object => meta
            .get("fill_value")
            .and_then(Value::as_str)
            .map(|s| s.as_bytes().to_vec()),
        _ => fill_to_bytes(dtype, meta.get("fill_value").unwrap_or(&Value::Null))?,
    };
    let separator = match meta.get("dimension_separator") {
        None | Some(Value::Null) => '.',
        Some(Value::String(s)) if s == "." => '.',
        Some(Value::String(s)) if s == "/" => '/',
        Some(other) => {
            return Err(Error::InvalidArray(format!(
                "dimension_separator must be \".\" or \"/\", got {other}"
            )))
        }
    };
    let compressor = match meta.get("compressor") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => Some(c.clone()),
        Some(other) => {
            return Err(Error::InvalidArray(format!(
                "compressor must be a config object or null, got {other}"
            )))
        }
    };
    let filters = match meta.get("filters") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(fs)) => fs
            .iter()
            .map(|f| {
                f.as_object()
                    .cloned()
                    .ok_or_else(|| Error::InvalidArray(format!("filter {f} is not a config object")))
            })
            .collect::<Result<Vec<_>>>()?,
        Some(other) => {
            return Err(Error::InvalidArray(format!(
                "filters must be a list or null, got {other}"
            )))
        }
    };
    Ok(Meta {
        shape,
        chunks: GridSpec::Regular(chunks),
        dtype,
        order,
        fill,
        keys: ChunkKeys::v2(separator),
        pipeline: Pipeline::from_configs(&filters, compressor.as_ref())?,
        shard: None,
        record,
    })
}

/// The `.zarray` of `array`, as zarr-python writes it (sorted keys; formatted by the caller).
pub(super) fn emit(array: &ZarrArray) -> Result<Value> {
    let filters = array.pipeline.filter_configs();
    Ok(json!({
        "chunks": array.chunks(),
        "compressor": array.pipeline.compressor_config(),
        "dimension_separator": array.keys.separator.to_string(),
        "dtype": match &array.record {
            Some(record) => record.descr(),
            None => json!(array.dtype.to_string()),
        },
        "fill_value": match array.dtype.kind() {
            // variable-length strings: the fill string (zarr-python's default is "")
            Kind::Object => json!(String::from_utf8_lossy(array.fill.as_deref().unwrap_or_default())),
            _ => fill_to_json(array.dtype, array.fill.as_deref())?,
        },
        "filters": if filters.is_empty() { Value::Null } else { json!(filters) },
        "order": array.order.as_str(),
        "shape": array.shape,
        "zarr_format": 2,
    }))
}
