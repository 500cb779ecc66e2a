//! `pipeline`: a Zarr v2 `filters` + `compressor` pair as one codec.
//!
//! Zarr v2 stores a chunk as `compressor.encode(filters[-1].encode(...filters[0].encode(chunk)))` and reads
//! it back in reverse. [`Pipeline`] does the same, so a chunk's whole codec chain is one [`Codec`].
//!
//! * Config (a brickwork extension; numcodecs has no such id): `{"id": "pipeline", "filters": [<config>,
//!   ...] or null, "compressor": <config> or null}`, exactly the two values of a `.zarray`. An empty
//!   filter list is emitted as `null`, as zarr writes it. [`Pipeline::from_configs`] builds one from the
//!   pair; [`Pipeline::filter_configs`]/[`Pipeline::compressor_config`] give them back.
//! * Encode: filters in order, then the compressor. numcodecs passes NumPy arrays between the stages, so
//!   the dtype each filter returns matters (Blosc takes its default `typesize` from it, zfpy and pcodec
//!   read it). [`encoded_dtype`] reproduces it from the filter's config: `astype` for delta,
//!   fixedscaleoffset, quantize and categorize (falling back to `dtype`), `encode_dtype` for astype, the
//!   input dtype for bitround, and `|u1` (bytes) for everything else (shuffle, checksums, packbits,
//!   text and object codecs). quantize, astype and bitround keep the shape and memory order; the others
//!   return 1-D arrays.
//! * Decode: the compressor, then the filters in reverse; each filter reads its own dtype from its
//!   config. The stages share the caller's [`Limits`]. `decode_into` decodes with the default limits and
//!   then needs an `out` of exactly the decoded size (zarr copies the last stage into the chunk).
//! * Objects: when the first filter is an object codec (vlen-*, json2, msgpack2, categorize of `|O`),
//!   the pipeline is an [`ObjectCodec`] too ([`Codec::as_object_codec`]): `encode_objects` runs that
//!   filter's `encode_objects` then the rest; `decode_objects`/`decode_any` end with its object decode.
//! * No filters and no compressor: the chunk's raw bytes (zarr's `compressor: null`).

use brickwork_core::config::config_id;
use brickwork_core::{
    copy_to_uninit, ArrayBuf, ArrayView, Codec, Config, DType, Decoded, Error, Limits, ObjectArray,
    ObjectCodec, Order, Registry, Result, StaticCodec,
};
use serde_json::Value;
use std::mem::MaybeUninit;

const ID: &str = "pipeline";

/// Zarr v2 filters followed by a compressor.
#[derive(Debug)]
pub struct Pipeline {
    filters: Vec<Box<dyn Codec>>,
    compressor: Option<Box<dyn Codec>>,
}

/// The dtype numcodecs' `filter.encode` returns for input of `input` dtype, from the filter's config.
pub fn encoded_dtype(filter: &Config, input: DType) -> DType {
    let get = |key: &str| {
        filter
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| DType::parse(s).ok())
    };
    match config_id(filter) {
        Some("delta" | "fixedscaleoffset" | "quantize" | "categorize") => {
            get("astype").or_else(|| get("dtype")).unwrap_or(DType::U8)
        }
        Some("astype") => get("encode_dtype").unwrap_or(DType::U8),
        Some("bitround") => input,
        _ => DType::U8,
    }
}

/// Whether numcodecs' `filter.encode` keeps the input's shape (quantize, astype, bitround).
fn keeps_shape(filter: &Config) -> bool {
    matches!(config_id(filter), Some("quantize" | "astype" | "bitround"))
}

impl Pipeline {
    /// Builds the pipeline from a `.zarray`'s `filters` and `compressor` with the built-in registry.
    pub fn from_configs(filters: &[Config], compressor: Option<&Config>) -> Result<Self> {
        Self::from_configs_in(&crate::registry(), filters, compressor)
    }

    /// [`Pipeline::from_configs`] with a given registry.
    pub fn from_configs_in(
        registry: &Registry,
        filters: &[Config],
        compressor: Option<&Config>,
    ) -> Result<Self> {
        let filters = filters
            .iter()
            .map(|c| registry.get_codec(c))
            .collect::<Result<Vec<_>>>()?;
        let compressor = compressor.map(|c| registry.get_codec(c)).transpose()?;
        Ok(Pipeline { filters, compressor })
    }

    /// A pipeline of already built codecs.
    pub fn new(filters: Vec<Box<dyn Codec>>, compressor: Option<Box<dyn Codec>>) -> Self {
        Pipeline { filters, compressor }
    }

    /// The filters, in encode order.
    pub fn filters(&self) -> &[Box<dyn Codec>] {
        &self.filters
    }

    /// The compressor.
    pub fn compressor(&self) -> Option<&dyn Codec> {
        self.compressor.as_deref()
    }

    /// The filters' configs (zarr's `filters`; empty for `null`).
    pub fn filter_configs(&self) -> Vec<Config> {
        self.filters.iter().map(|f| f.config()).collect()
    }

    /// The compressor's config (zarr's `compressor`).
    pub fn compressor_config(&self) -> Option<Config> {
        self.compressor.as_ref().map(|c| c.config())
    }

    /// Runs `filters[from..]` and the compressor over `data` (of `dtype`, `shape`, `order`).
    fn encode_from(
        &self,
        from: usize,
        data: Vec<u8>,
        dtype: DType,
        shape: Vec<usize>,
        order: Order,
    ) -> Result<Vec<u8>> {
        let (mut data, mut dtype, mut shape, mut order) = (data, dtype, shape, order);
        for f in self.filters.iter().skip(from) {
            let out = f.encode(&stage_view(&data, dtype, &shape, order))?;
            (dtype, shape, order) = stage_after(&**f, out.len(), dtype, shape, order);
            data = out;
        }
        match &self.compressor {
            Some(c) => c.encode(&stage_view(&data, dtype, &shape, order)),
            None => Ok(data),
        }
    }

    /// The compressor's decode then `filters[..until]` in reverse (all but the first `until` filters
    /// stay: `until` is 0 to run them all, 1 to stop before the first).
    fn decode_down_to(&self, until: usize, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let mut buf = match &self.compressor {
            Some(c) => c.decode(encoded, limits)?,
            None => ArrayBuf::from_bytes(encoded.to_vec()),
        };
        for f in self.filters.iter().skip(until).rev() {
            buf = f.decode(buf.data(), limits)?;
        }
        Ok(buf)
    }

    fn first_object_codec(&self) -> Result<&dyn ObjectCodec> {
        self.filters
            .first()
            .and_then(|f| f.as_object_codec())
            .ok_or_else(|| Error::invalid_input(ID, "the first filter is not an object codec"))
    }
}

/// A view of a stage's bytes as `dtype`/`shape`, or as plain bytes when they do not fit.
fn stage_view<'a>(data: &'a [u8], dtype: DType, shape: &[usize], order: Order) -> ArrayView<'a> {
    ArrayView::new(data, dtype, shape.to_vec(), order)
        .or_else(|_| {
            let size = dtype.itemsize().max(1);
            ArrayView::new(data, dtype, vec![data.len() / size], Order::C)
        })
        .unwrap_or_else(|_| ArrayView::from_bytes(data))
}

/// The dtype, shape and order of a filter's output of `len` bytes, given its input's.
fn stage_after(
    filter: &dyn Codec,
    len: usize,
    dtype: DType,
    shape: Vec<usize>,
    order: Order,
) -> (DType, Vec<usize>, Order) {
    let cfg = filter.config();
    let next = encoded_dtype(&cfg, dtype);
    if keeps_shape(&cfg) {
        (next, shape, order)
    } else {
        (next, vec![len / next.itemsize().max(1)], Order::C)
    }
}

impl Codec for Pipeline {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        let mut c = Config::new();
        c.insert("id".into(), Value::String(ID.into()));
        let filters = self.filter_configs();
        c.insert(
            "filters".into(),
            if filters.is_empty() {
                Value::Null
            } else {
                Value::Array(filters.into_iter().map(Value::Object).collect())
            },
        );
        c.insert(
            "compressor".into(),
            self.compressor_config().map_or(Value::Null, Value::Object),
        );
        c
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        // The first stage reads the caller's array in place.
        let Some(first) = self.filters.first() else {
            return match &self.compressor {
                Some(c) => c.encode(input),
                None => Ok(input.data().to_vec()),
            };
        };
        let out = first.encode(input)?;
        let (dtype, shape, order) = stage_after(
            &**first,
            out.len(),
            input.dtype(),
            input.shape().to_vec(),
            input.order(),
        );
        self.encode_from(1, out, dtype, shape, order)
    }

    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        match (&self.compressor, self.filters.is_empty()) {
            (Some(c), true) => c.encoded_bound(input),
            _ => None,
        }
    }

    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        match (&self.compressor, self.filters.is_empty()) {
            (Some(c), true) => c.encode_into(input, out),
            _ => copy_to_uninit(ID, &self.encode(input)?, out),
        }
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        self.decode_down_to(0, encoded, limits)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        // Without filters the compressor decodes straight into `out` (no intermediate buffer).
        match (&self.compressor, self.filters.is_empty()) {
            (Some(c), true) => return c.decode_into(encoded, out),
            (None, true) => return brickwork_core::copy_exact(ID, encoded, out),
            _ => {}
        }
        let decoded = self.decode(encoded, &Limits::default())?;
        brickwork_core::copy_exact(ID, decoded.data(), out)
    }

    fn as_object_codec(&self) -> Option<&dyn ObjectCodec> {
        self.filters.first()?.as_object_codec()?;
        Some(self)
    }
}

impl ObjectCodec for Pipeline {
    fn encode_objects(&self, input: &ObjectArray) -> Result<Vec<u8>> {
        let first = self.first_object_codec()?;
        let data = first.encode_objects(input)?;
        let cfg = first.config();
        let dtype = encoded_dtype(&cfg, DType::U8);
        let n = data.len() / dtype.itemsize().max(1);
        self.encode_from(1, data, dtype, vec![n], Order::C)
    }

    fn decode_objects(&self, encoded: &[u8], limits: &Limits) -> Result<ObjectArray> {
        let first = self.first_object_codec()?;
        let buf = self.decode_down_to(1, encoded, limits)?;
        first.decode_objects(buf.data(), limits)
    }

    fn decode_any(&self, encoded: &[u8], limits: &Limits) -> Result<Decoded> {
        let first = self.first_object_codec()?;
        let buf = self.decode_down_to(1, encoded, limits)?;
        first.decode_any(buf.data(), limits)
    }
}

impl StaticCodec for Pipeline {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        if let Some(k) = config
            .keys()
            .find(|k| !matches!(k.as_str(), "id" | "filters" | "compressor"))
        {
            return Err(Error::UnknownConfigKey {
                codec: ID.into(),
                key: k.clone(),
                accepted: "filters, compressor".into(),
            });
        }
        let filters: Vec<Config> = match config.get("filters") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Object(m) => Ok(m.clone()),
                    other => Err(Error::invalid_config(
                        ID,
                        "filters",
                        format!("expected codec configs, got {other}"),
                    )),
                })
                .collect::<Result<_>>()?,
            Some(other) => {
                return Err(Error::invalid_config(
                    ID,
                    "filters",
                    format!("expected a list or null, got {other}"),
                ))
            }
        };
        let compressor = match config.get("compressor") {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m.clone()),
            Some(other) => {
                return Err(Error::invalid_config(
                    ID,
                    "compressor",
                    format!("expected a codec config or null, got {other}"),
                ))
            }
        };
        Pipeline::from_configs(&filters, compressor.as_ref())
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Pipeline>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::config::from_json;
    use brickwork_core::ObjectItems;

    fn cfg(s: &str) -> Config {
        from_json(s).unwrap()
    }

    #[test]
    fn compressor_only_and_empty() {
        let p = Pipeline::from_configs(&[], Some(&cfg(r#"{"id":"zlib","level":1}"#))).unwrap();
        let enc = p.encode_bytes(b"hello hello hello").unwrap();
        assert_eq!(
            enc,
            crate::get_codec_json(r#"{"id":"zlib"}"#)
                .unwrap()
                .encode_bytes(b"hello hello hello")
                .unwrap()
        );
        assert_eq!(
            p.decode(&enc, &Limits::default()).unwrap().data(),
            b"hello hello hello"
        );
        assert_eq!(
            serde_json::to_string(&p.config()).unwrap(),
            r#"{"id":"pipeline","filters":null,"compressor":{"id":"zlib","level":1}}"#
        );
        let again = crate::get_codec(&p.config()).unwrap();
        assert_eq!(again.config(), p.config());
        let none = Pipeline::from_configs(&[], None).unwrap();
        assert_eq!(none.encode_bytes(b"abc").unwrap(), b"abc");
        assert!(none.as_object_codec().is_none());
        assert!(Pipeline::from_config(&cfg(r#"{"id":"pipeline","foo":1}"#)).is_err());
        assert!(Pipeline::from_config(&cfg(r#"{"id":"pipeline","filters":[{"id":"nope"}]}"#)).is_err());
    }

    #[test]
    fn filters_then_compressor_and_back() {
        // delta <i4 → <i2, then zlib; decode restores <i4.
        let p = Pipeline::from_configs(
            &[cfg(r#"{"id":"delta","dtype":"<i4","astype":"<i2"}"#)],
            Some(&cfg(r#"{"id":"zlib","level":5}"#)),
        )
        .unwrap();
        let data: Vec<u8> = (0i32..100).flat_map(|i| (i * 3).to_le_bytes()).collect();
        let v = ArrayView::new(&data, DType::parse("<i4").unwrap(), vec![100], Order::C).unwrap();
        let enc = p.encode(&v).unwrap();
        let delta = crate::get_codec_json(r#"{"id":"delta","dtype":"<i4","astype":"<i2"}"#).unwrap();
        let zlib = crate::get_codec_json(r#"{"id":"zlib","level":5}"#).unwrap();
        assert_eq!(enc, zlib.encode_bytes(&delta.encode(&v).unwrap()).unwrap());
        let dec = p.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(
            (dec.dtype(), dec.data()),
            (DType::parse("<i4").unwrap(), &data[..])
        );
        let mut out = vec![0u8; data.len()];
        assert_eq!(p.decode_into(&enc, &mut out).unwrap(), data.len());
        assert_eq!(out, data);
        assert_eq!(p.filter_configs()[0]["astype"], "<i2");
        assert!(p.compressor_config().is_some());
    }

    #[test]
    fn intermediate_dtype_reaches_the_compressor() {
        // fixedscaleoffset f8 → astype u2, then pcodec, which reads the dtype (it refuses u1 bytes).
        let p = Pipeline::from_configs(
            &[cfg(
                r#"{"id":"fixedscaleoffset","offset":0,"scale":10,"dtype":"<f8","astype":"<u2"}"#,
            )],
            Some(&cfg(r#"{"id":"pcodec"}"#)),
        )
        .unwrap();
        let data: Vec<u8> = (0..50)
            .flat_map(|i| (f64::from(i) / 10.0).to_le_bytes())
            .collect();
        let v = ArrayView::new(&data, DType::parse("<f8").unwrap(), vec![5, 10], Order::C).unwrap();
        let enc = p.encode(&v).unwrap();
        assert_eq!(&enc[..4], b"pco!");
        let dec = p.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(dec.dtype(), DType::parse("<f8").unwrap());
        assert_eq!(dec.data(), &data[..]);
        // delta <i8 → <i4 then blosc: Blosc's header records typesize 4 (byte 3), as numcodecs writes it.
        let p = Pipeline::from_configs(
            &[cfg(r#"{"id":"delta","dtype":"<i8","astype":"<i4"}"#)],
            Some(&cfg(r#"{"id":"blosc","cname":"lz4","clevel":5,"shuffle":1}"#)),
        )
        .unwrap();
        let data: Vec<u8> = (0i64..256).flat_map(|i| (i * i).to_le_bytes()).collect();
        let v = ArrayView::new(&data, DType::parse("<i8").unwrap(), vec![256], Order::C).unwrap();
        let enc = p.encode(&v).unwrap();
        assert_eq!(enc[3], 4, "blosc typesize");
        assert_eq!(p.decode(&enc, &Limits::default()).unwrap().data(), &data[..]);
        assert_eq!(
            encoded_dtype(
                &cfg(r#"{"id":"astype","encode_dtype":"<f4","decode_dtype":"<f8"}"#),
                DType::U8
            ),
            DType::parse("<f4").unwrap()
        );
    }

    #[test]
    fn object_pipeline() {
        let p =
            Pipeline::from_configs(&[cfg(r#"{"id":"vlen-utf8"}"#)], Some(&cfg(r#"{"id":"zlib"}"#))).unwrap();
        let oc = p.as_object_codec().unwrap();
        let a = ObjectArray::from_strings(vec![Some("ab".into()), None, Some("ß".into())]);
        let enc = oc.encode_objects(&a).unwrap();
        let dec = oc.decode_objects(&enc, &Limits::default()).unwrap();
        assert_eq!(
            dec.items(),
            &ObjectItems::Str(vec![Some("ab".into()), Some("".into()), Some("ß".into())])
        );
        assert!(matches!(
            oc.decode_any(&enc, &Limits::default()).unwrap(),
            Decoded::Objects(_)
        ));
        assert!(p.decode(&enc, &Limits::default()).is_err());
    }
}
