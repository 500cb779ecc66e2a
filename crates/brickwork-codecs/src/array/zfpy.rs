//! `zfpy`: ZFP compressed arrays with zfpy's full stream header (numcodecs' `ZFPY`, via the pure-Rust
//! `zfp-rs` 1.0.1, measured byte-identical to zfpy 1.0.1; see ../shared/spec/stack.md).
//!
//! * Config (numcodecs' key order): `{"id": "zfpy", "mode": 4, "compression_kwargs": {"tolerance": -1},
//!   "tolerance": -1, "rate": -1, "precision": -1}`. `mode` is zfp's mode number: 2 fixed rate, 3 fixed
//!   precision, 4 fixed accuracy. `compression_kwargs` is derived from the mode (`{"rate": r}`,
//!   `{"precision": p}` or `{"tolerance": t}`), emitted, and ignored on input (as numcodecs). Numbers keep
//!   their int/float spelling. Any other mode builds, emits no `compression_kwargs` and fails at encode
//!   (numcodecs: AttributeError).
//! * Encode: only the selected mode's parameter is used; when it is negative (the default -1) zfpy falls
//!   back to zfp's **reversible (lossless)** mode. Input: a C-ordered array (F order is refused, as
//!   numcodecs refuses it) of 1–4 dimensions of int32, int64, float32 or float64 (numcodecs: TypeError
//!   'Unknown dtype' otherwise); an empty array is refused (it crashes zfpy). Big-endian input is read by
//!   value.
//! * Wire format: a zfp bitstream with the full header (`zfp` + codec version 5, 52-bit field metadata,
//!   the mode), 64-bit little-endian words. As zfpy, the header's `nx` is the **last** NumPy axis
//!   (`zfp_field_2d(ptr, type, shape[1], shape[0])`), so a `(a, b, c)` array is stored as nx=c, ny=b,
//!   nz=a.
//! * Decode: the header's dtype and shape (reversed zfp dims), C order, little-endian. The element count
//!   the header declares is checked against [`Limits`] before allocating, and against the stream length
//!   (every zfp block takes at least one bit, so a stream shorter than one bit per block is corrupt);
//!   a stream that ends early is an error. numcodecs' older fixtures are 1-D streams (it flattened input
//!   then); they decode to 1-D arrays.

use brickwork_core::{
    ArrayBuf, ArrayView, Codec, Config, DType, Error, Kind, Limits, Order, Result, StaticCodec,
};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use zfp_rs::{
    ZfpBitStream, ZfpConfig, ZfpDimensionality, ZfpField, ZfpFieldMut, ZfpHeaderMask, ZfpScalar,
    ZfpScalarType, ZfpStreamAlignment,
};

const ID: &str = "zfpy";

/// zfp's `zfp_mode_fixed_rate`.
pub const MODE_FIXED_RATE: i64 = 2;
/// zfp's `zfp_mode_fixed_precision`.
pub const MODE_FIXED_PRECISION: i64 = 3;
/// zfp's `zfp_mode_fixed_accuracy`.
pub const MODE_FIXED_ACCURACY: i64 = 4;

fn mode() -> i64 {
    MODE_FIXED_ACCURACY
}
fn minus_one() -> Number {
    Number::from(-1)
}

/// numcodecs' `ZFPY(mode=4, tolerance=-1, rate=-1, precision=-1)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zfpy {
    /// zfp mode number (2 rate, 3 precision, 4 accuracy).
    #[serde(default = "mode")]
    pub mode: i64,
    /// Derived from the other keys; accepted and ignored.
    #[serde(default, skip_serializing)]
    pub compression_kwargs: Option<Value>,
    /// Absolute error tolerance (accuracy mode); negative = reversible.
    #[serde(default = "minus_one")]
    pub tolerance: Number,
    /// Bits per value (rate mode); negative = reversible.
    #[serde(default = "minus_one")]
    pub rate: Number,
    /// Bit planes kept (precision mode); negative = reversible.
    #[serde(default = "minus_one")]
    pub precision: Number,
}

impl Default for Zfpy {
    fn default() -> Self {
        Zfpy {
            mode: mode(),
            compression_kwargs: None,
            tolerance: minus_one(),
            rate: minus_one(),
            precision: minus_one(),
        }
    }
}

fn zerr(e: impl std::fmt::Display) -> Error {
    Error::corrupt(ID, e)
}

impl Zfpy {
    /// The selected mode's (key, value), as numcodecs' `compression_kwargs`.
    fn kwargs(&self) -> Option<(&'static str, &Number)> {
        match self.mode {
            MODE_FIXED_ACCURACY => Some(("tolerance", &self.tolerance)),
            MODE_FIXED_RATE => Some(("rate", &self.rate)),
            MODE_FIXED_PRECISION => Some(("precision", &self.precision)),
            _ => None,
        }
    }

    /// zfpy's `compress_numpy` stream configuration.
    fn stream_config(&self, ty: ZfpScalarType, dims: ZfpDimensionality) -> Result<ZfpConfig> {
        let (key, value) = self.kwargs().ok_or_else(|| {
            Error::invalid_config(
                ID,
                "mode",
                format!(
                    "{} is not 2 (fixed rate), 3 (fixed precision) or 4 (fixed accuracy)",
                    self.mode
                ),
            )
        })?;
        let x = value.as_f64().unwrap_or(-1.0);
        if x < 0.0 {
            return Ok(ZfpConfig::reversible());
        }
        let bad = |e: zfp_rs::ZfpConfigError| Error::invalid_config(ID, key, format!("{x}: {e}"));
        Ok(match key {
            "tolerance" => ZfpConfig::fixed_accuracy(x),
            "rate" => ZfpConfig::fixed_rate(x, ty, dims, ZfpStreamAlignment::Unaligned).map_err(bad)?,
            _ => {
                let p = value
                    .as_u64()
                    .and_then(|p| u32::try_from(p).ok())
                    .ok_or_else(|| {
                        Error::invalid_config(ID, "precision", format!("{value} is not an int"))
                    })?;
                ZfpConfig::fixed_precision(p)
            }
        })
    }
}

/// A zfp scalar with its NumPy dtype.
trait Scalar: ZfpScalar + Copy + Default {
    const TY: ZfpScalarType;
    const DTYPE: &'static str;
    const SIZE: usize;
    fn from_bytes(b: &[u8], big: bool) -> Self;
    fn put_le(self, out: &mut Vec<u8>);
}

macro_rules! scalar {
    ($t:ty, $ty:ident, $dtype:literal, $n:literal) => {
        impl Scalar for $t {
            const TY: ZfpScalarType = ZfpScalarType::$ty;
            const DTYPE: &'static str = $dtype;
            const SIZE: usize = $n;
            fn from_bytes(b: &[u8], big: bool) -> Self {
                let mut a = [0u8; $n];
                a.copy_from_slice(b);
                if big {
                    <$t>::from_be_bytes(a)
                } else {
                    <$t>::from_le_bytes(a)
                }
            }
            fn put_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    };
}

scalar!(i32, I32, "<i4", 4);
scalar!(i64, I64, "<i8", 8);
scalar!(f32, F32, "<f4", 4);
scalar!(f64, F64, "<f8", 8);

fn dimensionality(n: usize) -> Result<ZfpDimensionality> {
    Ok(match n {
        1 => ZfpDimensionality::D1,
        2 => ZfpDimensionality::D2,
        3 => ZfpDimensionality::D3,
        4 => ZfpDimensionality::D4,
        _ => {
            return Err(Error::invalid_input(
                ID,
                format!("zfp compresses 1 to 4 dimensions, got {n}"),
            ))
        }
    })
}

fn compress<T: Scalar>(codec: &Zfpy, input: &ArrayView<'_>) -> Result<Vec<u8>> {
    let shape = input.shape();
    let ndim = dimensionality(shape.len())?;
    if shape.contains(&0) {
        return Err(Error::invalid_input(
            ID,
            "an empty array cannot be compressed (it crashes zfpy)",
        ));
    }
    // zfpy: nx is the last NumPy axis.
    let mut dims = [0usize; 4];
    for (d, s) in dims.iter_mut().zip(shape.iter().rev()) {
        *d = *s;
    }
    let big = input.dtype().is_big_endian();
    let nums: Vec<T> = input
        .data()
        .chunks_exact(T::SIZE)
        .map(|c| T::from_bytes(c, big))
        .collect();
    let config = codec.stream_config(T::TY, ndim)?;
    let field = ZfpField::new(&nums, dims).map_err(|e| Error::invalid_input(ID, e))?;
    let capacity = config
        .maximum_size(T::TY, dims)
        .ok_or_else(|| Error::invalid_input(ID, format!("the shape {shape:?} is too large for zfp")))?;
    let mut bs = ZfpBitStream::new(capacity).map_err(|e| Error::invalid_input(ID, e))?;
    bs.write_header(&config, &field.metadata(), ZfpHeaderMask::FULL)
        .map_err(|e| Error::invalid_input(ID, e))?;
    bs.compress(&config, &field)
        .map_err(|e| Error::invalid_input(ID, e))?;
    Ok(bs.as_bytes().to_vec())
}

fn decompress<T: Scalar>(
    bs: &mut ZfpBitStream,
    config: &ZfpConfig,
    dims: [usize; 4],
    n: usize,
    shape: Vec<usize>,
) -> Result<ArrayBuf> {
    let mut nums = vec![T::default(); n];
    {
        let mut field = ZfpFieldMut::new(&mut nums, dims).map_err(zerr)?;
        bs.decompress(config, &mut field).map_err(zerr)?;
    }
    let mut data = Vec::with_capacity(n * T::SIZE);
    for x in nums {
        x.put_le(&mut data);
    }
    ArrayBuf::new(data, DType::parse(T::DTYPE)?, shape, Order::C)
}

impl Codec for Zfpy {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        let mut c = Config::new();
        c.insert("id".into(), Value::String(ID.into()));
        c.insert("mode".into(), Value::from(self.mode));
        if let Some((k, v)) = self.kwargs() {
            let mut kw = serde_json::Map::new();
            kw.insert(k.into(), Value::Number(v.clone()));
            c.insert("compression_kwargs".into(), Value::Object(kw));
        }
        c.insert("tolerance".into(), Value::Number(self.tolerance.clone()));
        c.insert("rate".into(), Value::Number(self.rate.clone()));
        c.insert("precision".into(), Value::Number(self.precision.clone()));
        c
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        if input.order() == Order::F && input.shape().iter().filter(|d| **d > 1).count() > 1 {
            return Err(Error::invalid_input(
                ID,
                "The zfp codec does not support F order arrays (pass a C-ordered copy)",
            ));
        }
        let dtype = input.dtype();
        match (dtype.kind(), dtype.itemsize()) {
            (Kind::Int, 4) => compress::<i32>(self, input),
            (Kind::Int, 8) => compress::<i64>(self, input),
            (Kind::Float, 4) => compress::<f32>(self, input),
            (Kind::Float, 8) => compress::<f64>(self, input),
            _ => Err(Error::invalid_input(
                ID,
                format!("Unknown dtype {dtype}: zfp compresses int32, int64, float32 and float64"),
            )),
        }
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let mut bs = ZfpBitStream::from_bytes(encoded).map_err(zerr)?;
        let header = bs.read_header(ZfpHeaderMask::FULL).map_err(zerr)?;
        // Reads past the last whole 64-bit word yield zeros; a header there is truncated.
        if header.bits_read > encoded.len() / 8 * 64 {
            return Err(zerr(format!(
                "the stream ({} bytes) is shorter than its {}-bit header",
                encoded.len(),
                header.bits_read
            )));
        }
        let (Some(meta), Some(config)) = (header.metadata, header.config) else {
            return Err(zerr("the stream header has no field metadata or mode"));
        };
        let dims = meta.dims;
        let used: Vec<usize> = dims.iter().copied().take_while(|d| *d > 0).collect();
        let n = brickwork_core::element_count(&used)?;
        let (size, dtype) = match meta.scalar_type {
            ZfpScalarType::I32 => (4, "<i4"),
            ZfpScalarType::I64 => (8, "<i8"),
            ZfpScalarType::F32 => (4, "<f4"),
            ZfpScalarType::F64 => (8, "<f8"),
        };
        let bytes = n.saturating_mul(size);
        if bytes > limits.max_decoded_bytes {
            return Err(Error::limit(
                ID,
                "the header's array size",
                bytes as u64,
                limits.max_decoded_bytes,
            ));
        }
        let blocks = used
            .iter()
            .fold(1usize, |acc, d| acc.saturating_mul(d.div_ceil(4)));
        if blocks > encoded.len().saturating_mul(8) {
            return Err(zerr(format!(
                "the header declares {used:?} values ({blocks} blocks) but the stream has only {} bits",
                encoded.len() * 8
            )));
        }
        let shape: Vec<usize> = used.iter().rev().copied().collect();
        match dtype {
            "<i4" => decompress::<i32>(&mut bs, &config, dims, n, shape),
            "<i8" => decompress::<i64>(&mut bs, &config, dims, n, shape),
            "<f4" => decompress::<f32>(&mut bs, &config, dims, n, shape),
            _ => decompress::<f64>(&mut bs, &config, dims, n, shape),
        }
    }
}

impl StaticCodec for Zfpy {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(
            ID,
            &["mode", "compression_kwargs", "tolerance", "rate", "precision"],
            config,
        )
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Zfpy>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::config::from_json;

    fn f64_bytes(xs: impl Iterator<Item = f64>) -> Vec<u8> {
        xs.flat_map(f64::to_le_bytes).collect()
    }

    #[test]
    fn reversible_round_trip_keeps_a_non_square_shape() {
        let c = Zfpy::default();
        let data = f64_bytes((0..2 * 3 * 5).map(|i| (i as f64 * 0.37).sin()));
        let v = ArrayView::new(&data, DType::parse("<f8").unwrap(), vec![2, 3, 5], Order::C).unwrap();
        let enc = c.encode(&v).unwrap();
        assert_eq!(&enc[..4], b"zfp\x05");
        // Meta: type f64 (3), dims-1 = 2, then 16-bit fields nx-1, ny-1, nz-1: nx is the LAST axis (5).
        let meta = u64::from_le_bytes(enc[4..12].try_into().unwrap()) & ((1 << 52) - 1);
        assert_eq!(meta & 3, 3);
        assert_eq!((meta >> 2) & 3, 2);
        assert_eq!((meta >> 4) & 0xffff, 4);
        assert_eq!((meta >> 20) & 0xffff, 2);
        assert_eq!((meta >> 36) & 0xffff, 1);
        let dec = c.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(dec.shape(), &[2, 3, 5]);
        assert_eq!(dec.data(), &data[..]);
        assert!(matches!(
            c.decode(&enc, &Limits::new(100)),
            Err(Error::LimitExceeded { .. })
        ));
        for cut in [0, 4, 12, enc.len() - 8] {
            assert!(c.decode(&enc[..cut], &Limits::default()).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn spec_header_vector_and_types() {
        // spec §2.9: a 1-D float32 of 1000 elements starts 7a 66 70 05 72 3e.
        let data: Vec<u8> = (0..1000).flat_map(|i| (i as f32).to_le_bytes()).collect();
        let v = ArrayView::new(&data, DType::parse("<f4").unwrap(), vec![1000], Order::C).unwrap();
        let enc = Zfpy::default().encode(&v).unwrap();
        assert_eq!(enc[..6], [0x7a, 0x66, 0x70, 0x05, 0x72, 0x3e]);
        for dtype in ["<i4", "<i8"] {
            let d = DType::parse(dtype).unwrap();
            let data: Vec<u8> = (0..4 * 7 * d.itemsize()).map(|i| (i * 13 % 251) as u8).collect();
            let v = ArrayView::new(&data, d, vec![4, 7], Order::C).unwrap();
            let dec = Zfpy::default()
                .decode(&Zfpy::default().encode(&v).unwrap(), &Limits::default())
                .unwrap();
            assert_eq!(
                (dec.dtype(), dec.shape(), dec.data()),
                (d, &[4usize, 7][..], &data[..])
            );
        }
        let u = ArrayView::new(&[0u8; 4], DType::parse("<u4").unwrap(), vec![1], Order::C).unwrap();
        assert!(Zfpy::default().encode(&u).is_err());
        let f = ArrayView::new(&[0u8; 32], DType::parse("<f8").unwrap(), vec![2, 2], Order::F).unwrap();
        assert!(Zfpy::default().encode(&f).is_err());
    }

    #[test]
    fn lossy_modes_and_config() {
        let data = f64_bytes((0..64).map(|i| i as f64 / 7.0));
        let v = ArrayView::new(&data, DType::parse("<f8").unwrap(), vec![8, 8], Order::C).unwrap();
        for cfg in [
            r#"{"id":"zfpy","mode":4,"tolerance":0.001}"#,
            r#"{"id":"zfpy","mode":2,"rate":16}"#,
            r#"{"id":"zfpy","mode":3,"precision":20}"#,
        ] {
            let c = Zfpy::from_config(&from_json(cfg).unwrap()).unwrap();
            let dec = c.decode(&c.encode(&v).unwrap(), &Limits::default()).unwrap();
            for (a, b) in dec.data().chunks(8).zip(data.chunks(8)) {
                let (a, b) = (
                    f64::from_le_bytes(a.try_into().unwrap()),
                    f64::from_le_bytes(b.try_into().unwrap()),
                );
                assert!((a - b).abs() < 0.01, "{cfg}: {a} vs {b}");
            }
        }
        let c = Zfpy::from_config(
            &from_json(r#"{"id":"zfpy","mode":2,"compression_kwargs":{"rate":-1}}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"zfpy","mode":2,"compression_kwargs":{"rate":-1},"tolerance":-1,"rate":-1,"precision":-1}"#
        );
        assert_eq!(
            serde_json::to_string(&Zfpy::default().config()).unwrap(),
            r#"{"id":"zfpy","mode":4,"compression_kwargs":{"tolerance":-1},"tolerance":-1,"rate":-1,"precision":-1}"#
        );
    }

    #[test]
    fn every_block_takes_at_least_one_bit() {
        // The decode plausibility check (blocks <= stream bits) must hold for zero data in every mode.
        for cfg in [
            r#"{"id":"zfpy"}"#,
            r#"{"id":"zfpy","tolerance":1e9}"#,
            r#"{"id":"zfpy","mode":3,"precision":0}"#,
        ] {
            let c = Zfpy::from_config(&from_json(cfg).unwrap()).unwrap();
            for dtype in ["<i4", "<i8", "<f4", "<f8"] {
                let d = DType::parse(dtype).unwrap();
                let data = vec![0u8; 4096 * d.itemsize()];
                let v = ArrayView::new(&data, d, vec![4096], Order::C).unwrap();
                let enc = c.encode(&v).unwrap();
                assert!(enc.len() * 8 >= 1024, "{cfg} {dtype}: {} bytes", enc.len());
                assert_eq!(c.decode(&enc, &Limits::default()).unwrap().data(), &data[..]);
            }
        }
    }
}
