//! `pcodec`: numerical sequences in pco's standalone format (numcodecs' `PCodec`, via the `pco` crate
//! 1.1.0, the library the Python `pcodec` 1.1.0 package wraps).
//!
//! * Config (numcodecs' key order): `{"id": "pcodec", "level": 8, "mode_spec": "auto", "delta_spec":
//!   "auto", "paging_spec": "equal_pages_up_to", "delta_encoding_order": null, "equal_pages_up_to":
//!   262144}`. Configs written before numcodecs 0.15 have no `delta_spec`/`paging_spec`; the defaults
//!   apply and are emitted. Values are checked at encode, as numcodecs does: `mode_spec` `auto` or
//!   `classic`; `delta_spec` `auto`, `no_op`, `none` (deprecated alias of `no_op`), `try_consecutive`
//!   (needs `delta_encoding_order`), `try_lookback`; `delta_encoding_order` with `auto` means
//!   `try_consecutive(order)` (before-0.15 configs), with any spec but `try_consecutive` it is an error;
//!   `paging_spec` only `equal_pages_up_to`; `level` 0–12.
//! * Encode: the input's elements in memory order as one 1-D sequence of its dtype: u16/u32/u64,
//!   i16/i32/i64, f16/f32/f64 (datetimes as i64; big-endian input is read by value). 8-bit and other
//!   types are refused, as pco 1.x refuses them (“compressing 8-bit types with Pco is often a mistake”).
//! * Wire format: `pco!` magic, the standalone format version (2 in older numcodecs fixtures, 3 now),
//!   the number type, chunks, a termination byte. Output bytes depend on the pco version.
//! * Decode: the stored number type as a 1-D little-endian array; both format versions. The chunk sizes
//!   the stream declares are checked against [`Limits`] before each chunk is allocated. A stream of an
//!   empty array decodes to an empty `|u1` array (Python returns `None`).

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Error, Kind, Limits, Result, StaticCodec};
use pco::data_types::{Number, NumberType};
use pco::standalone::{DecompressorItem, FileDecompressor};
use pco::{ChunkConfig, DeltaSpec, ModeSpec, PagingSpec};
use serde::{Deserialize, Serialize};

const ID: &str = "pcodec";

fn level() -> i64 {
    8
}
fn auto() -> String {
    "auto".into()
}
fn paging() -> String {
    "equal_pages_up_to".into()
}
fn pages() -> i64 {
    pco::DEFAULT_MAX_PAGE_N as i64
}

/// numcodecs' `PCodec(level=8, *, mode_spec='auto', delta_spec='auto', paging_spec='equal_pages_up_to',
/// delta_encoding_order=None, equal_pages_up_to=262144)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PCodec {
    /// Compression level 0–12.
    #[serde(default = "level")]
    pub level: i64,
    /// `auto` or `classic`.
    #[serde(default = "auto")]
    pub mode_spec: String,
    /// `auto`, `no_op`, `none`, `try_consecutive` or `try_lookback`.
    #[serde(default = "auto")]
    pub delta_spec: String,
    /// Only `equal_pages_up_to`.
    #[serde(default = "paging")]
    pub paging_spec: String,
    /// Delta order 0–7 for `try_consecutive` (or with `auto`, for pre-0.15 configs).
    #[serde(default)]
    pub delta_encoding_order: Option<i64>,
    /// Page size limit in numbers.
    #[serde(default = "pages")]
    pub equal_pages_up_to: i64,
}

impl Default for PCodec {
    fn default() -> Self {
        PCodec {
            level: level(),
            mode_spec: auto(),
            delta_spec: auto(),
            paging_spec: paging(),
            delta_encoding_order: None,
            equal_pages_up_to: pages(),
        }
    }
}

fn cfg_err(key: &str, reason: impl std::fmt::Display) -> Error {
    Error::invalid_config(ID, key, reason)
}

fn pco_err(e: pco::errors::PcoError) -> Error {
    Error::corrupt(ID, e)
}

impl PCodec {
    /// numcodecs' `_get_chunk_config`.
    pub fn chunk_config(&self) -> Result<ChunkConfig> {
        let level = usize::try_from(self.level)
            .ok()
            .filter(|l| *l <= 12)
            .ok_or_else(|| cfg_err("level", format!("{} is not 0–12", self.level)))?;
        let mode_spec = match self.mode_spec.as_str() {
            "auto" => ModeSpec::Auto,
            "classic" => ModeSpec::Classic,
            other => {
                return Err(cfg_err(
                    "mode_spec",
                    format!("mode_spec {other} is not supported; use auto or classic"),
                ))
            }
        };
        let order = match self.delta_encoding_order {
            None => None,
            Some(o) => Some(
                usize::try_from(o)
                    .ok()
                    .filter(|o| *o <= 7)
                    .ok_or_else(|| cfg_err("delta_encoding_order", format!("{o} is not 0–7")))?,
            ),
        };
        let delta_spec = match (self.delta_spec.as_str(), order) {
            ("auto", Some(o)) => DeltaSpec::TryConsecutive(o),
            ("try_consecutive", Some(o)) => DeltaSpec::TryConsecutive(o),
            ("try_consecutive", None) => {
                return Err(cfg_err(
                    "delta_encoding_order",
                    "try_consecutive needs delta_encoding_order",
                ))
            }
            (_, Some(_)) => {
                return Err(cfg_err(
                    "delta_encoding_order",
                    "delta_encoding_order can only be set for delta_spec='try_consecutive'",
                ))
            }
            ("auto", None) => DeltaSpec::Auto,
            ("no_op" | "none", None) => DeltaSpec::NoOp,
            ("try_lookback", None) => DeltaSpec::TryLookback,
            (other, None) => {
                return Err(cfg_err(
                    "delta_spec",
                    format!(
                    "delta_spec {other} is not supported; use auto, no_op, try_consecutive or try_lookback"
                ),
                ))
            }
        };
        let page_n = usize::try_from(self.equal_pages_up_to)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                cfg_err(
                    "equal_pages_up_to",
                    format!("{} is not a positive count", self.equal_pages_up_to),
                )
            })?;
        let paging_spec = match self.paging_spec.as_str() {
            "equal_pages_up_to" => PagingSpec::EqualPagesUpTo(page_n),
            other => {
                return Err(cfg_err(
                    "paging_spec",
                    format!("paging_spec {other} is not supported; use equal_pages_up_to"),
                ))
            }
        };
        Ok(ChunkConfig::default()
            .with_compression_level(level)
            .with_mode_spec(mode_spec)
            .with_delta_spec(delta_spec)
            .with_paging_spec(paging_spec))
    }
}

/// A pco number type with its NumPy dtype and byte conversions.
trait Elem: Number + Default {
    const DTYPE: &'static str;
    const SIZE: usize;
    fn from_bytes(b: &[u8], big: bool) -> Self;
    fn put_le(self, out: &mut Vec<u8>);
}

macro_rules! elem {
    ($t:ty, $dtype:literal, $n:literal) => {
        impl Elem for $t {
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

elem!(u16, "<u2", 2);
elem!(u32, "<u4", 4);
elem!(u64, "<u8", 8);
elem!(i16, "<i2", 2);
elem!(i32, "<i4", 4);
elem!(i64, "<i8", 8);
elem!(half::f16, "<f2", 2);
elem!(f32, "<f4", 4);
elem!(f64, "<f8", 8);

fn compress<T: Elem>(input: &ArrayView<'_>, config: &ChunkConfig) -> Result<Vec<u8>> {
    let big = input.dtype().is_big_endian();
    let nums: Vec<T> = input
        .data()
        .chunks_exact(T::SIZE)
        .map(|c| T::from_bytes(c, big))
        .collect();
    pco::standalone::simple_compress(&nums, config).map_err(|e| Error::invalid_input(ID, e))
}

fn decompress<T: Elem>(fd: &FileDecompressor, mut src: &[u8], limits: &Limits) -> Result<ArrayBuf> {
    let mut nums: Vec<T> = Vec::new();
    loop {
        match fd.chunk_decompressor::<T, &[u8]>(src).map_err(pco_err)? {
            DecompressorItem::EndOfData(_) => break,
            DecompressorItem::Chunk(mut cd) => {
                let n = cd.n();
                let total = nums.len().saturating_add(n);
                let bytes = total.saturating_mul(T::SIZE);
                if bytes > limits.max_decoded_bytes {
                    return Err(Error::limit(
                        ID,
                        "the declared chunk sizes",
                        bytes as u64,
                        limits.max_decoded_bytes,
                    ));
                }
                let start = nums.len();
                nums.resize(total, T::default());
                let progress = cd.read(&mut nums[start..]).map_err(pco_err)?;
                if !progress.finished || progress.n_processed != n {
                    return Err(Error::corrupt(
                        ID,
                        format!("a chunk declared {n} numbers but gave {}", progress.n_processed),
                    ));
                }
                src = cd.into_src();
            }
        }
    }
    let mut data = Vec::with_capacity(nums.len() * T::SIZE);
    for x in nums {
        x.put_le(&mut data);
    }
    ArrayBuf::from_vec_1d(data, DType::parse(T::DTYPE)?)
}

impl Codec for PCodec {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let config = self.chunk_config()?;
        let dtype = input.dtype().as_buffer_dtype();
        match (dtype.kind(), dtype.itemsize()) {
            (Kind::UInt, 2) => compress::<u16>(input, &config),
            (Kind::UInt, 4) => compress::<u32>(input, &config),
            (Kind::UInt, 8) => compress::<u64>(input, &config),
            (Kind::Int, 2) => compress::<i16>(input, &config),
            (Kind::Int, 4) => compress::<i32>(input, &config),
            (Kind::Int, 8) => compress::<i64>(input, &config),
            (Kind::Float, 2) => compress::<half::f16>(input, &config),
            (Kind::Float, 4) => compress::<f32>(input, &config),
            (Kind::Float, 8) => compress::<f64>(input, &config),
            _ => Err(Error::invalid_input(
                ID,
                format!(
                    "pco compresses u2/u4/u8, i2/i4/i8 and f2/f4/f8 numbers, got {} (8-bit types are refused by pco 1.x)",
                    input.dtype()
                ),
            )),
        }
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let (fd, src) = FileDecompressor::new(encoded).map_err(pco_err)?;
        let Some(nt) = fd.peek_number_type_or_termination(src).map_err(pco_err)? else {
            return Ok(ArrayBuf::from_bytes(Vec::new()));
        };
        match nt {
            NumberType::U16 => decompress::<u16>(&fd, src, limits),
            NumberType::U32 => decompress::<u32>(&fd, src, limits),
            NumberType::U64 => decompress::<u64>(&fd, src, limits),
            NumberType::I16 => decompress::<i16>(&fd, src, limits),
            NumberType::I32 => decompress::<i32>(&fd, src, limits),
            NumberType::I64 => decompress::<i64>(&fd, src, limits),
            NumberType::F16 => decompress::<half::f16>(&fd, src, limits),
            NumberType::F32 => decompress::<f32>(&fd, src, limits),
            NumberType::F64 => decompress::<f64>(&fd, src, limits),
            other => Err(Error::corrupt(
                ID,
                format!("number type {other:?} has no NumPy counterpart here"),
            )),
        }
    }
}

impl StaticCodec for PCodec {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(
            ID,
            &[
                "level",
                "mode_spec",
                "delta_spec",
                "paging_spec",
                "delta_encoding_order",
                "equal_pages_up_to",
            ],
            config,
        )
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<PCodec>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::config::from_json;
    use brickwork_core::Order;

    #[test]
    fn round_trips_every_type() {
        let c = PCodec::default();
        for (dtype, size) in [
            ("<u2", 2),
            ("<u4", 4),
            ("<u8", 8),
            ("<i2", 2),
            ("<i4", 4),
            ("<i8", 8),
            ("<f2", 2),
            ("<f4", 4),
            ("<f8", 8),
        ] {
            let n = 1000;
            let data: Vec<u8> = (0..n * size)
                .map(|i| ((i / size) % 7 + i % 3) as u8 & 0x3f)
                .collect();
            let d = DType::parse(dtype).unwrap();
            let v = ArrayView::new(&data, d, vec![10, 100], Order::C).unwrap();
            let enc = c.encode(&v).unwrap();
            assert_eq!(&enc[..4], b"pco!");
            let dec = c.decode(&enc, &Limits::default()).unwrap();
            assert_eq!(
                (dec.dtype(), dec.shape(), dec.data()),
                (d, &[n][..], &data[..]),
                "{dtype}"
            );
            assert!(matches!(
                c.decode(&enc, &Limits::new(100)),
                Err(Error::LimitExceeded { .. })
            ));
        }
        let e = c.encode(&ArrayView::from_bytes(b"abc")).unwrap_err();
        assert!(e.to_string().contains("8-bit"), "{e}");
    }

    #[test]
    fn config_rules() {
        let p = |s: &str| PCodec::from_config(&from_json(s).unwrap()).unwrap();
        let old = p(
            r#"{"delta_encoding_order":null,"equal_pages_up_to":262144,"id":"pcodec","level":8,"mode_spec":"auto"}"#,
        );
        assert_eq!(old, PCodec::default());
        assert_eq!(
            serde_json::to_string(&old.config()).unwrap(),
            r#"{"id":"pcodec","level":8,"mode_spec":"auto","delta_spec":"auto","paging_spec":"equal_pages_up_to","delta_encoding_order":null,"equal_pages_up_to":262144}"#
        );
        assert!(matches!(
            p(r#"{"delta_encoding_order":2}"#)
                .chunk_config()
                .unwrap()
                .delta_spec,
            DeltaSpec::TryConsecutive(2)
        ));
        assert!(p(r#"{"delta_encoding_order":2,"delta_spec":"no_op"}"#)
            .chunk_config()
            .is_err());
        assert!(p(r#"{"delta_spec":"try_consecutive"}"#).chunk_config().is_err());
        assert!(p(r#"{"mode_spec":"nope"}"#).chunk_config().is_err());
        assert!(p(r#"{"level":13}"#).chunk_config().is_err());
        assert!(matches!(
            p(r#"{"delta_spec":"none"}"#).chunk_config().unwrap().delta_spec,
            DeltaSpec::NoOp
        ));
    }

    #[test]
    fn corrupt_streams_are_errors() {
        let c = PCodec::default();
        let data: Vec<u8> = (0..1000u32).flat_map(|i| (i * 7).to_le_bytes()).collect();
        let v = ArrayView::new(&data, DType::parse("<u4").unwrap(), vec![1000], Order::C).unwrap();
        let enc = c.encode(&v).unwrap();
        for cut in [0, 3, 4, 5, 8, enc.len() / 2, enc.len() - 1] {
            assert!(c.decode(&enc[..cut], &Limits::default()).is_err(), "cut {cut}");
        }
        let empty = c
            .encode(&ArrayView::new(&[], DType::parse("<f8").unwrap(), vec![0], Order::C).unwrap())
            .unwrap();
        assert!(c.decode(&empty, &Limits::default()).unwrap().is_empty());
    }
}
