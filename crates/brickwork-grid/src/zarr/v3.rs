//! Zarr v3 array metadata: the `zarr.json` file and its codec chain, both ways.
//!
//! A v3 array lists its `codecs` in encode order: array→array codecs, one array→bytes codec, then
//! bytes→bytes codecs. brickwork maps that chain onto the same numcodecs pipeline a v2 array's filters and
//! compressor make, which is what zarr-python itself runs for these codecs:
//! * `transpose` with the identity order stores chunks in C order, with the reversed order in F order;
//!   other permutations are refused.
//! * `bytes` sets the byte order of the stored items (`endian`: the dtype's `<` or `>`).
//! * `blosc`, `gzip`, `zstd` and `crc32c` are numcodecs' Blosc, GZip, Zstd and CRC32C (same bytes; the v3
//!   configurations are translated: Blosc's `shuffle` by name, its `typesize`).
//! * `numcodecs.<id>` (zarr-python's wrappers of the other numcodecs codecs) is the numcodecs codec `<id>`
//!   with the configuration as its config: `delta`, `fixedscaleoffset`, `quantize`, `bitround`, `astype`,
//!   `packbits` and `categorize` work on arrays (before `bytes`), `pcodec` and `zfpy` turn arrays into bytes
//!   (in place of `bytes`), every other codec works on bytes.
//! * `sharding_indexed` (zarr-python's `shards=`), as the array's one codec: each chunk file is a shard of
//!   inner chunks with their own chain (see [`super::shard`]), read and written.
//! * The variable-length string codecs are refused with an error that says so.
//!
//! Data types: the spec's `bool`, `int8` … `uint64`, `float16` … `float64`, `complex64`, `complex128` and
//! `r<bits>`, and zarr-python's `fixed_length_utf32`, `null_terminated_bytes`, `raw_bytes`,
//! `numpy.datetime64` and `numpy.timedelta64`. Chunk keys: `default` (`c/i/j/k`, `c` for a 0-d array;
//! separator `/` unless configured) and `v2` (`i.j.k`, `0`). Fill values as in v2 (see [`crate::fill`]),
//! plus floats given as the hex string of their bits (`"0x7fc00000"`). Every chunk holds the full chunk
//! shape, edge chunks padded, as in v2.

use brickwork_codecs::pipeline::{encoded_dtype, Pipeline};
use brickwork_core::config::config_id;
use brickwork_core::{Config, DType, Endian, Error, Kind, Order, Result};
use serde_json::{json, Map, Value};

use super::shard::ShardSpec;
use super::{sizes, ChunkKeys, GridSpec, Meta, Record, ZarrArray};
use crate::fill::{fill_to_bytes, fill_to_json};

/// The metadata file of a Zarr v3 node.
pub(super) const FILE: &str = "zarr.json";

/// numcodecs codecs that zarr-python runs as array→array codecs (before `bytes`).
const ARRAY_TO_ARRAY: &[&str] = &[
    "delta",
    "fixedscaleoffset",
    "quantize",
    "bitround",
    "astype",
    "packbits",
    "categorize",
];

/// numcodecs codecs that zarr-python runs as array→bytes codecs (in place of `bytes`).
const ARRAY_TO_BYTES: &[&str] = &["pcodec", "zfpy"];

/// The top-level keys of an array's `zarr.json` (any other must be an extension that says
/// `"must_understand": false`).
const KEYS: &[&str] = &[
    "zarr_format",
    "node_type",
    "shape",
    "data_type",
    "chunk_grid",
    "chunk_key_encoding",
    "fill_value",
    "codecs",
    "attributes",
    "dimension_names",
    "storage_transformers",
];

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidArray(message.into())
}

/// Where a codec sits in the chain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Array,
    Bytes,
}

/// Validates a parsed `zarr.json` of an array.
pub(super) fn parse(meta: &Map<String, Value>) -> Result<Meta> {
    let get = |k: &str| {
        meta.get(k)
            .ok_or_else(|| invalid(format!("the key {k:?} is missing")))
    };
    if get("zarr_format")? != &json!(3) {
        return Err(invalid(format!(
            "zarr_format is {}; a zarr.json holds Zarr format 3",
            get("zarr_format")?
        )));
    }
    match get("node_type")?.as_str() {
        Some("array") => {}
        Some("group") => return Err(invalid("this is a Zarr v3 group, not an array")),
        _ => {
            return Err(invalid(format!(
                "node_type must be \"array\" or \"group\", got {}",
                get("node_type")?
            )))
        }
    }
    for (key, value) in meta {
        let optional = value.get("must_understand") == Some(&Value::Bool(false));
        if !KEYS.contains(&key.as_str()) && !optional {
            return Err(invalid(format!(
                "the extension {key:?} is not one brickwork understands (and does not say \
                 \"must_understand\": false)"
            )));
        }
    }
    match meta.get("storage_transformers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(t)) if t.is_empty() => {}
        Some(other) => {
            return Err(invalid(format!(
                "storage transformers are not supported (got {other}); brickwork reads arrays without them"
            )))
        }
    }
    let shape = sizes(get("shape")?, "shape")?;
    let chunks = chunk_grid(get("chunk_grid")?)?;
    let keys = key_encoding(meta.get("chunk_key_encoding"))?;
    let codecs = get("codecs")?;
    let codecs = codecs
        .as_array()
        .ok_or_else(|| invalid(format!("codecs must be a list, got {codecs}")))?;
    let chain = Chain::parse(codecs, shape.len())?;
    let data_type_value = get("data_type")?;
    let record = match name_and_configuration(data_type_value) {
        Ok(("struct", conf)) => Some(super::record::from_v3(&conf, &|field| {
            data_type(field, chain.endian)
        })?),
        _ => None,
    };
    let dtype = match &record {
        Some(record) => record.dtype(),
        None => data_type(data_type_value, chain.endian)?,
    };
    let objects = matches!(dtype.kind(), Kind::Object);
    if objects != chain.objects {
        return Err(invalid(if objects {
            "a variable-length data type is stored with vlen-utf8 or vlen-bytes as its array→bytes codec"
        } else {
            "vlen-utf8 and vlen-bytes store variable-length data types (string, bytes), not this one"
        }));
    }
    // an object array's fill value is its JSON string's text (a string's, or the base64 of bytes items;
    // the Python side reads the value itself), what a resize writes where it cuts through chunks
    let fill = match &record {
        _ if objects => get("fill_value")?.as_str().map(|s| s.as_bytes().to_vec()),
        Some(record) => super::record::v3_fill(record, get("fill_value")?, &fill_value)?,
        None => fill_value(dtype, get("fill_value")?)?,
    };
    Ok(Meta {
        shape,
        chunks,
        dtype,
        order: chain.order,
        fill,
        keys,
        pipeline: chain.pipeline()?,
        shard: chain.shard,
        record,
    })
}

/// The `zarr.json` of `array`, with zarr-python's key order.
pub(super) fn emit(array: &ZarrArray) -> Result<Value> {
    let zeros = vec![0u8; array.dtype.itemsize()];
    let fill = array.fill.as_deref().unwrap_or(&zeros);
    // a record's bytes: the `bytes` codec says which byte order its fields are in (all the same one)
    let record = match array.record.as_ref().map(Record::endian) {
        None => None,
        Some(Some(Endian::Big)) => Some(Endian::Big),
        Some(Some(_)) => Some(Endian::Little),
        Some(None) => {
            return Err(invalid(
                "Zarr v3 stores all of a struct's fields in one byte order, and this record's differ: \
                 make them little-endian (NumPy: a.astype(a.dtype.newbyteorder(\"<\")))",
            ))
        }
    };
    let items = Items {
        dtype: array.dtype,
        record,
    };
    let keys = if array.keys.prefix { "default" } else { "v2" };
    let separator = array.keys.separator.to_string();
    let (data_type, fill_value) = if array.holds_objects() {
        // variable-length items: the data type the items' codec stores, and the fill string
        let first = array
            .items_pipeline()
            .filter_configs()
            .first()
            .and_then(|c| config_id(c).map(str::to_owned));
        let data_type = match first.as_deref() {
            Some("vlen-utf8") => "string",
            Some("vlen-bytes") => "bytes",
            _ => {
                return Err(invalid(
                    "Zarr v3 stores variable-length items with vlen-utf8 (strings) or vlen-bytes (bytes)",
                ))
            }
        };
        let fill = String::from_utf8_lossy(array.fill.as_deref().unwrap_or_default()).into_owned();
        (json!(data_type), json!(fill))
    } else if let Some(record) = &array.record {
        (
            super::record::v3_json(record, &data_type_json)?,
            super::record::v3_fill_json(record, fill, &fill_json)?,
        )
    } else {
        (data_type_json(array.dtype)?, fill_json(array.dtype, fill)?)
    };
    Ok(json!({
        "shape": array.shape,
        "data_type": data_type,
        "chunk_grid": array.grid_spec().to_json(),
        "chunk_key_encoding": {"name": keys, "configuration": {"separator": separator}},
        "fill_value": fill_value,
        "codecs": match &array.shard {
            Some(codec) => vec![shard_json(items, array.shape.len(), codec.spec())?],
            None => codecs_json(items, array.order, array.shape.len(), &array.pipeline)?,
        },
        "attributes": {},
        "zarr_format": 3,
        "node_type": "array",
        "storage_transformers": [],
    }))
}

/// A codec of the chain: its name and configuration (a bare name has none).
fn name_and_configuration(codec: &Value) -> Result<(&str, Map<String, Value>)> {
    match codec {
        Value::String(name) => Ok((name, Map::new())),
        Value::Object(c) => {
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(format!("codec {codec} has no \"name\"")))?;
            match c.get("configuration") {
                None | Some(Value::Null) => Ok((name, Map::new())),
                Some(Value::Object(conf)) => Ok((name, conf.clone())),
                Some(other) => Err(invalid(format!(
                    "the configuration of codec {name:?} must be an object, got {other}"
                ))),
            }
        }
        other => Err(invalid(format!(
            "a codec must be an object or a name, got {other}"
        ))),
    }
}

/// The codec chain, as brickwork runs it.
struct Chain {
    order: Order,
    endian: Option<Endian>,
    /// numcodecs configs in encode order.
    configs: Vec<Config>,
    /// Whether any array→array numcodecs codec runs before the bytes.
    filters_arrays: bool,
    /// The `sharding_indexed` codec, when the chain is that one codec.
    shard: Option<ShardSpec>,
    /// The array→bytes codec is `vlen-utf8` or `vlen-bytes`: the chunks hold variable-length items.
    objects: bool,
}

impl Chain {
    fn parse(codecs: &[Value], ndim: usize) -> Result<Chain> {
        let mut chain = Chain {
            order: Order::C,
            endian: None,
            configs: Vec::new(),
            filters_arrays: false,
            shard: None,
            objects: false,
        };
        let mut stage = Stage::Array;
        for (i, codec) in codecs.iter().enumerate() {
            let (name, conf) = name_and_configuration(codec)?;
            let at = |what: &str| invalid(format!("codec {i} ({name}): {what}"));
            if let Some(id) = name.strip_prefix("numcodecs.") {
                let mut config = Config::new();
                config.insert("id".into(), json!(id));
                for (k, v) in conf {
                    if k == "id" && v != json!(id) {
                        return Err(at(&format!("its configuration names another codec, {v}")));
                    }
                    config.insert(k, v);
                }
                let arrays = ARRAY_TO_ARRAY.contains(&id);
                if (arrays || ARRAY_TO_BYTES.contains(&id)) && stage == Stage::Bytes {
                    return Err(at(
                        "it works on arrays, and comes after the codec that made bytes",
                    ));
                }
                if !arrays && !ARRAY_TO_BYTES.contains(&id) && stage == Stage::Array {
                    return Err(at(
                        "it works on bytes, and comes before the array→bytes codec (\"bytes\")",
                    ));
                }
                if ARRAY_TO_BYTES.contains(&id) {
                    stage = Stage::Bytes;
                }
                chain.filters_arrays |= arrays;
                chain.configs.push(config);
                continue;
            }
            match (stage, name) {
                (Stage::Array, "transpose") => {
                    if !chain.configs.is_empty() {
                        return Err(at("brickwork reads transpose only before the other codecs"));
                    }
                    chain.order = transpose_order(conf.get("order"), ndim).map_err(|e| at(&e))?;
                }
                (Stage::Array, "bytes") => {
                    chain.endian = match conf.get("endian") {
                        None | Some(Value::Null) => None,
                        Some(Value::String(e)) if e == "little" => Some(Endian::Little),
                        Some(Value::String(e)) if e == "big" => Some(Endian::Big),
                        Some(other) => {
                            return Err(at(&format!("endian must be \"little\" or \"big\", got {other}")))
                        }
                    };
                    stage = Stage::Bytes;
                }
                (Stage::Array, "sharding_indexed") => {
                    if codecs.len() != 1 {
                        return Err(at(
                            "brickwork reads sharding_indexed as the array's one codec (as zarr-python \
                             writes it), not with other codecs around it",
                        ));
                    }
                    let inner = shard_spec(&conf, ndim).map_err(|e| match e {
                        Error::InvalidArray(m) => at(&m),
                        other => other,
                    })?;
                    chain.endian = inner.0;
                    chain.filters_arrays = inner.1;
                    chain.objects = inner.3;
                    chain.shard = Some(inner.2);
                    stage = Stage::Bytes;
                }
                (Stage::Array, "vlen-utf8" | "vlen-bytes") => {
                    // an object array's items to bytes (numcodecs' codec of the same id)
                    chain.configs.push(config_of(json!({"id": name})));
                    chain.objects = true;
                    stage = Stage::Bytes;
                }
                (Stage::Bytes, "blosc") => chain.configs.push(blosc_config(&conf).map_err(|e| at(&e))?),
                (Stage::Bytes, "gzip") => chain.configs.push(config_of(json!({
                    "id": "gzip",
                    "level": conf.get("level").cloned().unwrap_or(json!(5)),
                }))),
                (Stage::Bytes, "zstd") => chain.configs.push(config_of(json!({
                    "id": "zstd",
                    "level": conf.get("level").cloned().unwrap_or(json!(0)),
                    "checksum": conf.get("checksum").cloned().unwrap_or(json!(false)),
                }))),
                (Stage::Bytes, "crc32c") => chain.configs.push(config_of(json!({"id": "crc32c"}))),
                _ => {
                    return Err(at(&format!(
                        "brickwork does not read this codec {}; it reads transpose and \
                         numcodecs.<filter> on arrays, bytes (or numcodecs.pcodec, numcodecs.zfpy) to \
                         make bytes, then blosc, gzip, zstd, crc32c and numcodecs.<codec> on bytes",
                        if stage == Stage::Array {
                            "before the bytes"
                        } else {
                            "on bytes"
                        }
                    )))
                }
            }
        }
        if stage == Stage::Array {
            return Err(invalid(
                "the codecs have no array→bytes codec (such as \"bytes\") to store the chunks with",
            ));
        }
        if chain.filters_arrays && chain.endian == Some(Endian::Big) {
            return Err(invalid(
                "big-endian chunks (\"endian\": \"big\") after numcodecs array codecs are not supported",
            ));
        }
        Ok(chain)
    }

    /// The pipeline: the last codec (when it works on bytes or makes them) as the compressor, the others
    /// as filters.
    fn pipeline(&self) -> Result<Pipeline> {
        // the compressor works on bytes: not an array codec, nor the codec of an object array's items
        let on_bytes = |c: &Config| {
            config_id(c)
                .is_some_and(|id| !ARRAY_TO_ARRAY.contains(&id) && !matches!(id, "vlen-utf8" | "vlen-bytes"))
        };
        match self.configs.split_last() {
            Some((last, filters)) if on_bytes(last) => Pipeline::from_configs(filters, Some(last)),
            _ => Pipeline::from_configs(&self.configs, None),
        }
    }
}

/// A `sharding_indexed` configuration: the inner chain's byte order and whether it has array codecs, the
/// shard's spec, and whether the inner chunks hold variable-length items.
fn shard_spec(conf: &Map<String, Value>, ndim: usize) -> Result<(Option<Endian>, bool, ShardSpec, bool)> {
    let list = |key: &str| {
        conf.get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| invalid(format!("the shard's {key} must be a list of codecs")))
    };
    let inner = Chain::parse(list("codecs")?, ndim).map_err(|e| match e {
        Error::InvalidArray(m) => invalid(format!("inner codecs: {m}")),
        other => other,
    })?;
    if inner.shard.is_some() {
        return Err(invalid("shards inside shards are not supported"));
    }
    let (index_big_endian, index_checksum) = match list("index_codecs")?.as_slice() {
        [bytes, rest @ ..] if rest.len() <= 1 => {
            let (name, bconf) = name_and_configuration(bytes)?;
            if name != "bytes" {
                return Err(invalid(format!(
                    "the shard index codecs start with {name:?}, not \"bytes\""
                )));
            }
            let checksum = match rest.first().map(name_and_configuration).transpose()? {
                None => None,
                Some(("crc32c", _)) => Some(Pipeline::from_configs(
                    &[],
                    Some(&config_of(json!({"id": "crc32c"}))),
                )?),
                Some((name, _)) => {
                    return Err(invalid(format!(
                        "the shard index codec {name:?} is not supported (brickwork reads bytes, then crc32c)"
                    )))
                }
            };
            (bconf.get("endian") == Some(&json!("big")), checksum)
        }
        other => {
            return Err(invalid(format!(
                "the shard index codecs {other:?} are not supported (brickwork reads bytes, then crc32c)"
            )))
        }
    };
    let index_at_start = match conf.get("index_location") {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) if s == "end" => false,
        Some(Value::String(s)) if s == "start" => true,
        Some(other) => {
            return Err(invalid(format!(
                "index_location must be \"start\" or \"end\", got {other}"
            )))
        }
    };
    let spec = ShardSpec {
        chunks: sizes(
            conf.get("chunk_shape")
                .ok_or_else(|| invalid("the shard has no chunk_shape"))?,
            "chunk_shape",
        )?,
        order: inner.order,
        pipeline: inner.pipeline()?,
        index_big_endian,
        index_checksum,
        index_at_start,
    };
    Ok((inner.endian, inner.filters_arrays, spec, inner.objects))
}

/// The `sharding_indexed` codec of a sharded array.
fn shard_json(items: Items, ndim: usize, spec: &ShardSpec) -> Result<Value> {
    let mut index_codecs = vec![json!({"name": "bytes", "configuration": {
        "endian": if spec.index_big_endian { "big" } else { "little" },
    }})];
    if spec.index_checksum.is_some() {
        index_codecs.push(json!({"name": "crc32c"}));
    }
    Ok(json!({"name": "sharding_indexed", "configuration": {
        "chunk_shape": spec.chunks,
        "codecs": codecs_json(items, spec.order, ndim, &spec.pipeline)?,
        "index_codecs": index_codecs,
        "index_location": if spec.index_at_start { "start" } else { "end" },
    }}))
}

fn config_of(value: Value) -> Config {
    match value {
        Value::Object(m) => m,
        _ => Config::new(),
    }
}

/// C for the identity permutation, F for the reversed one (v3's `transpose` `order`; early writers used
/// the strings `"C"` and `"F"`).
fn transpose_order(order: Option<&Value>, ndim: usize) -> std::result::Result<Order, String> {
    let perm: Vec<u64> = match order {
        Some(Value::String(s)) if s == "C" => return Ok(Order::C),
        Some(Value::String(s)) if s == "F" => return Ok(Order::F),
        Some(Value::Array(p)) => p
            .iter()
            .map(|x| x.as_u64().ok_or_else(|| format!("order must list axes, got {x}")))
            .collect::<std::result::Result<_, _>>()?,
        other => return Err(format!("order must be a list of axes, got {other:?}")),
    };
    let identity: Vec<u64> = (0..ndim as u64).collect();
    let reversed: Vec<u64> = identity.iter().rev().copied().collect();
    if perm.len() != ndim {
        return Err(format!("order {perm:?} does not list the array's {ndim} axes"));
    }
    if perm == identity {
        Ok(Order::C)
    } else if perm == reversed {
        Ok(Order::F)
    } else {
        Err(format!(
            "order {perm:?} is neither C ({identity:?}) nor F ({reversed:?}), the two brickwork reads"
        ))
    }
}

/// numcodecs' Blosc config for a v3 `blosc` configuration.
fn blosc_config(conf: &Map<String, Value>) -> std::result::Result<Config, String> {
    let shuffle = match conf.get("shuffle") {
        None | Some(Value::Null) => json!(-1),
        Some(Value::String(s)) => match s.as_str() {
            "noshuffle" => json!(0),
            "shuffle" => json!(1),
            "bitshuffle" => json!(2),
            other => {
                return Err(format!(
                    "shuffle must be \"noshuffle\", \"shuffle\" or \"bitshuffle\", got {other:?}"
                ))
            }
        },
        Some(n @ Value::Number(_)) => n.clone(),
        Some(other) => return Err(format!("shuffle must be a name, got {other}")),
    };
    let mut config = config_of(json!({
        "id": "blosc",
        "cname": conf.get("cname").cloned().unwrap_or(json!("zstd")),
        "clevel": conf.get("clevel").cloned().unwrap_or(json!(5)),
        "shuffle": shuffle,
        "blocksize": conf.get("blocksize").cloned().unwrap_or(json!(0)),
    }));
    if let Some(t) = conf.get("typesize").filter(|t| !t.is_null()) {
        config.insert("typesize".into(), t.clone());
    }
    Ok(config)
}

/// A `regular` or `rectilinear` chunk grid.
fn chunk_grid(grid: &Value) -> Result<GridSpec> {
    let (name, conf) = name_and_configuration(grid)?;
    GridSpec::from_json(grid, name, &conf)
}

/// How chunk keys are spelled (`default` when absent).
fn key_encoding(encoding: Option<&Value>) -> Result<ChunkKeys> {
    let Some(encoding) = encoding else {
        return Ok(ChunkKeys::v3('/'));
    };
    let (name, conf) = name_and_configuration(encoding)?;
    let separator = match conf.get("separator") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "/" => Some('/'),
        Some(Value::String(s)) if s == "." => Some('.'),
        Some(other) => {
            return Err(invalid(format!(
                "the chunk key separator must be \"/\" or \".\", got {other}"
            )))
        }
    };
    match name {
        "default" => Ok(ChunkKeys::v3(separator.unwrap_or('/'))),
        "v2" => Ok(ChunkKeys::v2(separator.unwrap_or('.'))),
        other => Err(invalid(format!(
            "the chunk key encoding {other:?} is not supported; brickwork reads \"default\" and \"v2\""
        ))),
    }
}

/// The dtype of a v3 `data_type`, its items stored in `endian` byte order (little when not given).
fn data_type(value: &Value, endian: Option<Endian>) -> Result<DType> {
    let e = if endian == Some(Endian::Big) { '>' } else { '<' };
    let unsupported = |what: &str| {
        invalid(format!(
            "the data type {value} is not supported{what}; brickwork reads bool, int8 … uint64, float16 … \
             float64, complex64, complex128, r<bits>, fixed_length_utf32, null_terminated_bytes, \
             raw_bytes, numpy.datetime64 and numpy.timedelta64"
        ))
    };
    let spec = match value {
        Value::String(name) => match name.as_str() {
            "bool" => "|b1".to_owned(),
            "int8" => "|i1".to_owned(),
            "uint8" => "|u1".to_owned(),
            "int16" | "int32" | "int64" | "uint16" | "uint32" | "uint64" | "float16" | "float32"
            | "float64" | "complex64" | "complex128" => {
                let digits = name.trim_start_matches(|c: char| c.is_ascii_alphabetic());
                let bits: usize = digits.parse().unwrap_or(0);
                format!("{e}{}{}", name.chars().next().unwrap_or('u'), bits / 8)
            }
            // variable-length items: a NumPy object array
            "string" | "variable_length_utf8" | "bytes" | "variable_length_bytes" => "|O".to_owned(),
            raw if raw.starts_with('r') => {
                let bits: usize = raw[1..].parse().map_err(|_| unsupported(""))?;
                if bits == 0 || !bits.is_multiple_of(8) {
                    return Err(unsupported(" (raw bits must be a positive multiple of 8)"));
                }
                format!("|V{}", bits / 8)
            }
            _ => return Err(unsupported("")),
        },
        Value::Object(_) => {
            let (name, conf) = name_and_configuration(value)?;
            let length = || {
                conf.get("length_bytes")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| unsupported(" (it needs a length_bytes)"))
            };
            match name {
                "fixed_length_utf32" => {
                    let n = length()?;
                    if !n.is_multiple_of(4) {
                        return Err(unsupported(" (length_bytes must be a multiple of 4)"));
                    }
                    format!("{e}U{}", n / 4)
                }
                "null_terminated_bytes" => format!("|S{}", length()?),
                "raw_bytes" => format!("|V{}", length()?),
                "numpy.datetime64" | "numpy.timedelta64" => {
                    let unit = conf
                        .get("unit")
                        .and_then(Value::as_str)
                        .ok_or_else(|| unsupported(" (it needs a unit)"))?;
                    let scale = conf.get("scale_factor").and_then(Value::as_u64).unwrap_or(1);
                    let kind = if name == "numpy.datetime64" { 'M' } else { 'm' };
                    if scale == 1 {
                        format!("{e}{kind}8[{unit}]")
                    } else {
                        format!("{e}{kind}8[{scale}{unit}]")
                    }
                }
                _ => return Err(unsupported("")),
            }
        }
        _ => return Err(unsupported("")),
    };
    let dtype = DType::parse(&spec).map_err(|e| unsupported(&format!(" ({e})")))?;
    if dtype.itemsize() == 0 {
        return Err(unsupported(" (its items have no bytes)"));
    }
    Ok(dtype)
}

/// The v3 `data_type` of `dtype`.
fn data_type_json(dtype: DType) -> Result<Value> {
    let n = dtype.itemsize();
    let sized = |name: &str| json!({"name": name, "configuration": {"length_bytes": n}});
    Ok(match dtype.kind() {
        Kind::Bool => json!("bool"),
        Kind::Int => json!(format!("int{}", 8 * n)),
        Kind::UInt => json!(format!("uint{}", 8 * n)),
        Kind::Float => json!(format!("float{}", 8 * n)),
        Kind::Complex => json!(format!("complex{}", 8 * n)),
        Kind::Unicode => sized("fixed_length_utf32"),
        Kind::Bytes => sized("null_terminated_bytes"),
        Kind::Void => sized("raw_bytes"),
        Kind::DateTime(Some(unit)) | Kind::TimeDelta(Some(unit)) => {
            let name = if matches!(dtype.kind(), Kind::DateTime(_)) {
                "numpy.datetime64"
            } else {
                "numpy.timedelta64"
            };
            json!({"name": name, "configuration": {"unit": unit.base.code(), "scale_factor": unit.count}})
        }
        Kind::DateTime(None) | Kind::TimeDelta(None) | Kind::Object => {
            return Err(invalid(format!(
                "dtype {dtype} has no Zarr v3 data type brickwork writes (datetimes need a unit)"
            )))
        }
    })
}

/// What an array's elements are, for its `codecs`: the dtype, and for a record's `|V<n>` the byte order
/// of its fields (which the `bytes` codec declares).
#[derive(Debug, Clone, Copy)]
struct Items {
    dtype: DType,
    record: Option<Endian>,
}

/// The `codecs` of an array of `items` stored in `order` through `pipeline`.
fn codecs_json(items: Items, order: Order, ndim: usize, pipeline: &Pipeline) -> Result<Vec<Value>> {
    let Items { dtype, record } = items;
    let mut codecs = Vec::new();
    if order == Order::F && ndim > 1 {
        let reversed: Vec<usize> = (0..ndim).rev().collect();
        codecs.push(json!({"name": "transpose", "configuration": {"order": reversed}}));
    }
    let bytes = |stage: DType| match (stage.endian(), record) {
        (Endian::NotApplicable, Some(Endian::Big)) if stage == dtype => {
            json!({"name": "bytes", "configuration": {"endian": "big"}})
        }
        (Endian::NotApplicable, Some(_)) if stage == dtype => {
            json!({"name": "bytes", "configuration": {"endian": "little"}})
        }
        (Endian::NotApplicable, _) => json!({"name": "bytes"}),
        (Endian::Little, _) => json!({"name": "bytes", "configuration": {"endian": "little"}}),
        (Endian::Big, _) => json!({"name": "bytes", "configuration": {"endian": "big"}}),
    };
    let configs = pipeline
        .filter_configs()
        .into_iter()
        .chain(pipeline.compressor_config());
    let (mut stage, mut items, mut previous) = (Stage::Array, dtype, String::new());
    for config in configs {
        let id = config_id(&config).unwrap_or_default().to_owned();
        let rest: Map<String, Value> = config
            .iter()
            .filter(|(k, _)| *k != "id")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let wrapped = json!({"name": format!("numcodecs.{id}"), "configuration": rest});
        if matches!(id.as_str(), "vlen-utf8" | "vlen-bytes") && stage == Stage::Array {
            // an object array's items to bytes: a v3 codec of its own
            codecs.push(json!({"name": id, "configuration": {}}));
            stage = Stage::Bytes;
            items = DType::U8;
            previous = id;
            continue;
        }
        if ARRAY_TO_ARRAY.contains(&id.as_str()) || ARRAY_TO_BYTES.contains(&id.as_str()) {
            if stage == Stage::Bytes {
                return Err(invalid(format!(
                    "in Zarr v3, {id} works on arrays and cannot follow {previous}, which works on bytes; \
                     put the array filters first"
                )));
            }
            if dtype.is_big_endian() {
                return Err(invalid(format!(
                    "numcodecs array codecs such as {id} are written for little-endian data only; \
                     convert the array to little-endian first"
                )));
            }
            codecs.push(wrapped);
            if ARRAY_TO_BYTES.contains(&id.as_str()) {
                stage = Stage::Bytes;
            }
            items = encoded_dtype(&config, items);
        } else {
            if stage == Stage::Array {
                codecs.push(bytes(items));
                stage = Stage::Bytes;
            }
            codecs.push(bytes_codec_json(&id, &config, rest, items.itemsize()));
            items = DType::U8;
        }
        previous = id;
    }
    if stage == Stage::Array {
        codecs.push(bytes(items));
    }
    Ok(codecs)
}

/// The v3 spelling of a numcodecs codec that works on bytes, whose input has `typesize`-byte items.
fn bytes_codec_json(id: &str, config: &Config, rest: Map<String, Value>, typesize: usize) -> Value {
    let get = |k: &str| config.get(k).cloned().unwrap_or(Value::Null);
    match id {
        "blosc" => {
            let typesize = config
                .get("typesize")
                .and_then(Value::as_u64)
                .unwrap_or(typesize as u64);
            let shuffle = match config.get("shuffle").and_then(Value::as_i64).unwrap_or(1) {
                0 => "noshuffle",
                2 => "bitshuffle",
                -1 if typesize == 1 => "bitshuffle",
                _ => "shuffle",
            };
            json!({"name": "blosc", "configuration": {
                "typesize": typesize, "cname": get("cname"), "clevel": get("clevel"),
                "shuffle": shuffle, "blocksize": config.get("blocksize").cloned().unwrap_or(json!(0)),
            }})
        }
        "gzip" => json!({"name": "gzip", "configuration": {"level": get("level")}}),
        "zstd" => json!({"name": "zstd", "configuration": {
            "level": get("level"), "checksum": config.get("checksum").cloned().unwrap_or(json!(false)),
        }}),
        "crc32c" if rest.is_empty() || rest.get("location") == Some(&json!("end")) => {
            json!({"name": "crc32c"})
        }
        _ => json!({"name": format!("numcodecs.{id}"), "configuration": rest}),
    }
}

/// A v3 fill value: v2's spellings, plus a float's bits as a hex string (`"0x7fc00000"`).
fn fill_value(dtype: DType, value: &Value) -> Result<Option<Vec<u8>>> {
    let n = dtype.itemsize();
    match (dtype.kind(), value) {
        (Kind::Float, Value::String(s)) if s.starts_with("0x") => hex_bits(dtype, s, n).map(Some),
        (Kind::Complex, Value::Array(parts)) if parts.len() == 2 && parts.iter().any(is_hex) => {
            let half = DType::new(Kind::Float, n / 2, dtype.endian())?;
            let mut bytes = Vec::with_capacity(n);
            for part in parts {
                match part {
                    Value::String(s) if s.starts_with("0x") => bytes.extend(hex_bits(half, s, n / 2)?),
                    other => bytes.extend(fill_to_bytes(half, other)?.unwrap_or_default()),
                }
            }
            Ok(Some(bytes))
        }
        _ => fill_to_bytes(dtype, value),
    }
}

/// The JSON of a fill value: v2's spelling, or, for a float whose bits that spelling loses (a NaN with a
/// payload), the hex string of its bits.
fn fill_json(dtype: DType, fill: &[u8]) -> Result<Value> {
    let spelled = fill_to_json(dtype, Some(fill))?;
    if fill_value(dtype, &spelled)?.as_deref() == Some(fill) {
        return Ok(spelled);
    }
    let hex = |bytes: &[u8]| {
        let mut le = bytes.to_vec();
        if dtype.endian() == Endian::Big {
            le.reverse();
        }
        let digits: String = le.iter().rev().map(|b| format!("{b:02x}")).collect();
        json!(format!("0x{digits}"))
    };
    Ok(match dtype.kind() {
        Kind::Float => hex(fill),
        Kind::Complex => {
            let (re, im) = fill.split_at(fill.len() / 2);
            json!([hex(re), hex(im)])
        }
        _ => spelled,
    })
}

fn is_hex(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.starts_with("0x"))
}

/// The `n` bytes (in `dtype`'s byte order) of the bits a hex string spells.
fn hex_bits(dtype: DType, hex: &str, n: usize) -> Result<Vec<u8>> {
    let bits = u64::from_str_radix(&hex[2..], 16)
        .ok()
        .filter(|b| n >= 8 || b >> (8 * n) == 0)
        .ok_or_else(|| invalid(format!("fill_value {hex:?} is not the hex bits of a {dtype}")))?;
    let le = &bits.to_le_bytes()[..n.min(8)];
    Ok(if dtype.endian() == Endian::Big {
        le.iter().rev().copied().collect()
    } else {
        le.to_vec()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn open(text: &str) -> Result<ZarrArray> {
        ZarrArray::from_zarr_json(Path::new("/nowhere"), text.as_bytes())
    }

    /// A zarr.json as zarr-python 3.4 writes it, with `data_type`, `codecs` and more spliced in.
    fn meta(data_type: &str, codecs: &str, extra: &str) -> String {
        format!(
            r#"{{"shape": [10, 7], "data_type": {data_type},
            "chunk_grid": {{"name": "regular", "configuration": {{"chunk_shape": [4, 4]}}}},
            "chunk_key_encoding": {{"name": "default", "configuration": {{"separator": "/"}}}},
            "fill_value": 3, "codecs": {codecs}, "attributes": {{}}, "zarr_format": 3,
            "node_type": "array", "storage_transformers": []{extra}}}"#
        )
    }

    const ZSTD: &str = r#"[{"name": "bytes", "configuration": {"endian": "little"}},
                           {"name": "zstd", "configuration": {"level": 0, "checksum": false}}]"#;

    #[test]
    fn reads_what_zarr_python_writes() {
        let z = open(&meta(r#""uint16""#, ZSTD, "")).unwrap();
        assert_eq!((z.shape(), z.chunks()), (&[10, 7][..], &[4, 4][..]));
        assert_eq!((z.dtype().to_string(), z.order()), ("<u2".to_owned(), Order::C));
        assert_eq!(z.fill_value(), Some(&[3, 0][..]));
        assert_eq!(z.chunk_key(&[2, 1]), "c/2/1");
        assert_eq!(z.pipeline().compressor_config().unwrap()["id"], "zstd");
        let blosc = r#"[{"name": "numcodecs.delta", "configuration": {"dtype": "u1"}}, {"name": "bytes"},
            {"name": "blosc", "configuration": {"typesize": 1, "cname": "lz4", "clevel": 5,
             "shuffle": "bitshuffle", "blocksize": 0}}]"#;
        let z = open(&meta(r#""uint8""#, blosc, "")).unwrap();
        let filters = z.pipeline().filter_configs();
        assert_eq!((filters.len(), &filters[0]["id"]), (1, &json!("delta")));
        let c = z.pipeline().compressor_config().unwrap();
        assert_eq!((&c["cname"], &c["shuffle"]), (&json!("lz4"), &json!(2)));
        // big-endian items, transpose to F, v2 keys, hex fill
        let codecs = r#"[{"name": "transpose", "configuration": {"order": [1, 0]}},
            {"name": "bytes", "configuration": {"endian": "big"}}, {"name": "crc32c"}]"#;
        let text = meta(r#""float32""#, codecs, "")
            .replace(
                r#""name": "default", "configuration": {"separator": "/"}"#,
                r#""name": "v2""#,
            )
            .replace(r#""fill_value": 3"#, r#""fill_value": "0x7fc00000""#);
        let z = open(&text).unwrap();
        assert_eq!((z.dtype().to_string(), z.order()), (">f4".to_owned(), Order::F));
        assert_eq!(z.fill_value(), Some(&[0x7f, 0xc0, 0, 0][..]));
        assert_eq!(z.chunk_key(&[2, 1]), "2.1");
        assert_eq!(emit(&z).unwrap()["fill_value"], json!("NaN"));
        // a NaN with a payload keeps its bits when written back
        let z = open(&text.replace("0x7fc00000", "0x7fc00001")).unwrap();
        assert_eq!(z.fill_value(), Some(&[0x7f, 0xc0, 0, 1][..]));
        assert_eq!(emit(&z).unwrap()["fill_value"], json!("0x7fc00001"));
        // zarr-python's other data types
        for (data_type, want) in [
            (
                r#"{"name": "fixed_length_utf32", "configuration": {"length_bytes": 12}}"#,
                "<U3",
            ),
            (
                r#"{"name": "null_terminated_bytes", "configuration": {"length_bytes": 4}}"#,
                "|S4",
            ),
            (
                r#"{"name": "raw_bytes", "configuration": {"length_bytes": 3}}"#,
                "|V3",
            ),
            (
                r#"{"name": "numpy.datetime64", "configuration": {"unit": "ms", "scale_factor": 10}}"#,
                "<M8[10ms]",
            ),
            (
                r#"{"name": "numpy.timedelta64", "configuration": {"unit": "ns", "scale_factor": 1}}"#,
                "<m8[ns]",
            ),
            (r#""bool""#, "|b1"),
            (r#""complex128""#, "<c16"),
            (r#""r16""#, "|V2"),
        ] {
            let text = meta(data_type, ZSTD, "").replace(r#""fill_value": 3"#, r#""fill_value": null"#);
            let z = open(&text).unwrap_or_else(|e| panic!("{data_type}: {e}"));
            assert_eq!(z.dtype().to_string(), want);
            // written back as zarr-python spells it (raw bits as raw_bytes)
            let spelled = if want == "|V2" {
                json!({"name": "raw_bytes", "configuration": {"length_bytes": 2}})
            } else {
                serde_json::from_str(data_type).unwrap()
            };
            assert_eq!(data_type_json(z.dtype()).unwrap(), spelled);
        }
    }

    #[test]
    fn refuses_what_it_cannot_read_and_says_why() {
        let shard = r#"[{"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 2],
            "codecs": [{"name": "bytes"}], "index_codecs": [{"name": "bytes"}], "index_location": "end"}}]"#;
        let cases = [
            (
                meta(r#""uint16""#, &shard.replace("[2, 2]", "[3, 3]"), ""),
                "not a multiple of the inner chunk shape",
            ),
            (
                meta(
                    r#""uint16""#,
                    &shard.replace(
                        r#"[{"name": "bytes"}], "index_codecs""#,
                        r#"[{"name": "zstd"}], "index_codecs""#,
                    ),
                    "",
                ),
                "inner codecs: codec 0 (zstd)",
            ),
            (
                meta(
                    r#""uint16""#,
                    &shard.replace(
                        r#""index_codecs": [{"name": "bytes"}]"#,
                        r#""index_codecs": [{"name": "bytes"}, {"name": "zstd"}]"#,
                    ),
                    "",
                ),
                "index codec \"zstd\"",
            ),
            (
                meta(
                    r#""uint16""#,
                    &shard.replace("}}]", r#"}}, {"name": "crc32c"}]"#),
                    "",
                ),
                "the array's one codec",
            ),
            (
                meta(r#""string""#, r#"[{"name": "bytes"}]"#, ""),
                "stored with vlen-utf8 or vlen-bytes",
            ),
            (
                meta(r#""uint16""#, r#"[{"name": "vlen-utf8"}]"#, ""),
                "not this one",
            ),
            (
                meta(r#""uint16""#, r#"[{"name": "zstd"}]"#, ""),
                "does not read this codec before the bytes",
            ),
            (
                meta(
                    r#""uint16""#,
                    r#"[{"name": "bytes"}, {"name": "numcodecs.delta", "configuration": {"dtype": "<u2"}}]"#,
                    "",
                ),
                "works on arrays",
            ),
            (
                meta(
                    r#""uint16""#,
                    r#"[{"name": "numcodecs.zlib"}, {"name": "bytes"}]"#,
                    "",
                ),
                "works on bytes",
            ),
            (
                meta(
                    r#""uint16""#,
                    r#"[{"name": "numcodecs.delta", "configuration": {"dtype": "<u2"}}]"#,
                    "",
                ),
                "no array→bytes codec",
            ),
            (
                meta(
                    r#""uint16""#,
                    r#"[{"name": "transpose", "configuration": {"order": [0, 0]}}, {"name": "bytes"}]"#,
                    "",
                ),
                "neither C",
            ),
            (
                meta(r#""uint16""#, r#"[{"name": "bytes"}, {"name": "nope"}]"#, ""),
                "nope",
            ),
            (
                meta(
                    r#""uint16""#,
                    r#"[{"name": "bytes"}, {"name": "blosc", "configuration": {"shuffle": "sideways"}}]"#,
                    "",
                ),
                "sideways",
            ),
            (
                meta(
                    r#""uint16""#,
                    r#"[{"name": "bytes", "configuration": {"endian": "middle"}}]"#,
                    "",
                ),
                "endian",
            ),
            (meta(r#""int3""#, ZSTD, ""), "int3"),
            (
                meta(
                    r#"{"name": "fixed_length_utf32", "configuration": {"length_bytes": 5}}"#,
                    ZSTD,
                    "",
                ),
                "multiple of 4",
            ),
            (
                meta(
                    r#"{"name": "raw_bytes", "configuration": {"length_bytes": 99999999999999}}"#,
                    ZSTD,
                    "",
                ),
                "raw_bytes",
            ),
            (
                meta(
                    r#""uint16""#,
                    ZSTD,
                    r#", "consolidated": {"must_understand": true}"#,
                ),
                "consolidated",
            ),
            (
                meta(r#""uint16""#, ZSTD, "").replace(r#""fill_value": 3"#, r#""fill_value": "0x1ffff""#),
                "0x1ffff",
            ),
            (
                meta(r#""uint16""#, ZSTD, "").replace(r#""fill_value": 3"#, r#""fill_value": 70000"#),
                "out of range",
            ),
            (
                meta(r#""uint16""#, ZSTD, "").replace(r#""name": "regular""#, r#""name": "rectilinear""#),
                "rectilinear",
            ),
            (
                meta(r#""uint16""#, ZSTD, "")
                    .replace(r#""storage_transformers": []"#, r#""storage_transformers": [{}]"#),
                "storage transformers",
            ),
            (
                meta(r#""uint16""#, ZSTD, "").replace(r#""node_type": "array""#, r#""node_type": "group""#),
                "group",
            ),
            (
                meta(r#""uint16""#, ZSTD, "").replace(r#"[4, 4]"#, r#"[4, 0]"#),
                "at least 1",
            ),
            (
                meta(r#""uint16""#, ZSTD, "").replace(r#""zarr_format": 3"#, r#""zarr_format": 2"#),
                "Zarr format 3",
            ),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let e = open(text).unwrap_err().to_string();
            assert!(e.contains(want), "case {i}: {e}");
            assert!(e.contains("/nowhere/zarr.json: "), "case {i}: {e}");
        }
        // an extension that may be ignored is ignored
        assert!(open(&meta(r#""uint16""#, ZSTD, r#", "x": {"must_understand": false}"#)).is_ok());
    }

    #[test]
    fn writes_the_codec_chain_zarr_python_writes() {
        let config = |s: &str| brickwork_core::config::from_json(s).unwrap();
        let chain = |dtype: &str, order, filters: &[&str], compressor: Option<&str>| {
            let pipeline = Pipeline::from_configs(
                &filters.iter().map(|f| config(f)).collect::<Vec<_>>(),
                compressor.map(config).as_ref(),
            )
            .unwrap();
            codecs_json(
                Items {
                    dtype: DType::parse(dtype).unwrap(),
                    record: None,
                },
                order,
                3,
                &pipeline,
            )
            .map(Value::from)
        };
        assert_eq!(
            chain("<u2", Order::C, &[], Some(r#"{"id": "zstd", "level": 3}"#)).unwrap(),
            json!([{"name": "bytes", "configuration": {"endian": "little"}},
                   {"name": "zstd", "configuration": {"level": 3, "checksum": false}}])
        );
        assert_eq!(
            chain(
                "|u1",
                Order::F,
                &[r#"{"id": "delta", "dtype": "|u1"}"#],
                Some(r#"{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": -1}"#)
            )
            .unwrap(),
            json!([{"name": "transpose", "configuration": {"order": [2, 1, 0]}},
                   {"name": "numcodecs.delta", "configuration": {"dtype": "|u1", "astype": "|u1"}},
                   {"name": "bytes"},
                   {"name": "blosc", "configuration": {"typesize": 1, "cname": "lz4", "clevel": 5,
                    "shuffle": "bitshuffle", "blocksize": 0}}])
        );
        assert_eq!(
            chain(
                ">i4",
                Order::C,
                &[r#"{"id": "shuffle", "elementsize": 4}"#],
                Some(r#"{"id": "crc32c"}"#)
            )
            .unwrap(),
            json!([{"name": "bytes", "configuration": {"endian": "big"}},
                   {"name": "numcodecs.shuffle", "configuration": {"elementsize": 4}},
                   {"name": "crc32c"}])
        );
        let e = chain(
            "<i4",
            Order::C,
            &[
                r#"{"id": "zlib", "level": 1}"#,
                r#"{"id": "delta", "dtype": "<i4"}"#,
            ],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("delta works on arrays and cannot follow zlib"), "{e}");
        let e = chain(">i4", Order::C, &[r#"{"id": "delta", "dtype": ">i4"}"#], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("little-endian"), "{e}");
    }
}
