//! `zlib`: a zlib (RFC 1950) stream, as Python's `zlib.compress` writes it.
//!
//! * Config: `{"id": "zlib", "level": 1}`; `level` is -1 (= 6) or 0–9, checked at encode as numcodecs
//!   does, so any config numcodecs wrote still builds a codec that decodes.
//! * Wire format: `78 xx` header, deflate data, Adler-32 trailer. No framing of our own.
//! * Backend: encode with flate2 over the system zlib, the library CPython's `zlib` links, so output is
//!   byte-identical to numcodecs (measured in ../shared/spec/stack.md and by the fixture re-encode test).
//!   Decode with `zlib-rs` (pure Rust, the zlib API with SIMD inflate): any valid stream decodes to the
//!   same bytes, and inflating is 1.2× (float fields) to 2× (labels, text) to 4× (stored blocks) faster
//!   than the system zlib 1.2.13 (4 MiB bench/corpus.py inputs, one-shot inflate into a sized buffer).
//! * Decode: as `zlib.decompress`: a zlib header is required, bytes after the end of the first stream are
//!   ignored, a truncated stream is an error. `decode_into` needs an `out` of exactly the decoded size
//!   (numcodecs' `ndarray_copy`). Output grows with the real data, bounded by [`Limits`].

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec};
use flate2::{Compress, Compression, FlushCompress, Status};
use serde::{Deserialize, Serialize};
use zlib_rs::{Inflate, InflateFlush};

use crate::sink::Sink;

const ID: &str = "zlib";

/// numcodecs' `Zlib(level=1)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zlib {
    /// Compression level: -1 (default, = 6) or 0 (store) to 9 (best).
    #[serde(default = "default_level")]
    pub level: i64,
}

fn default_level() -> i64 {
    1
}

impl Default for Zlib {
    fn default() -> Self {
        Zlib {
            level: default_level(),
        }
    }
}

impl Zlib {
    /// A zlib codec at `level`.
    pub fn new(level: i64) -> Self {
        Zlib { level }
    }
}

/// zlib's level check: -1 means 6; 0–9 otherwise.
pub(crate) fn zlib_level(codec: &str, level: i64) -> Result<Compression> {
    match level {
        -1 => Ok(Compression::new(6)),
        0..=9 => Ok(Compression::new(level as u32)),
        _ => Err(Error::invalid_config(
            codec,
            "level",
            format!("{level} is not -1 or 0–9"),
        )),
    }
}

/// zlib's `compressBound`.
pub(crate) fn deflate_bound(n: usize) -> usize {
    n + (n >> 12) + (n >> 14) + (n >> 25) + 13
}

/// CPython's output buffer growth (`pycore_blocks_output_buffer.h`): `zlib.compress` hands deflate
/// windows of these sizes, then 256 MiB each. At level 0 the stored blocks end where a window ends, so
/// numcodecs' bytes are reproduced only by offering deflate the same windows.
const CPYTHON_OUTPUT_BLOCKS: [usize; 16] = [
    32 << 10,
    64 << 10,
    256 << 10,
    1 << 20,
    4 << 20,
    8 << 20,
    16 << 20,
    16 << 20,
    32 << 20,
    32 << 20,
    32 << 20,
    32 << 20,
    64 << 20,
    64 << 20,
    128 << 20,
    128 << 20,
];
const CPYTHON_LAST_BLOCK: usize = 256 << 20;

/// Runs a deflate compressor over all of `input` with `Z_FINISH`, appending to `out` in the output
/// windows CPython's `zlib.compress` uses (see [`CPYTHON_OUTPUT_BLOCKS`]).
pub(crate) fn deflate_into(codec: &str, mut c: Compress, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
    out.reserve(deflate_bound(input.len()) + 32);
    let windows = CPYTHON_OUTPUT_BLOCKS
        .iter()
        .copied()
        .chain(std::iter::repeat(CPYTHON_LAST_BLOCK));
    for window in windows {
        let filled = out.len();
        out.resize(filled + window, 0);
        let (in_before, out_before) = (c.total_in(), c.total_out());
        let status = c
            .compress(
                &input[in_before as usize..],
                &mut out[filled..],
                FlushCompress::Finish,
            )
            .map_err(|e| Error::invalid_input(codec, format!("deflate failed: {e}")))?;
        let produced = (c.total_out() - out_before) as usize;
        out.truncate(filled + produced);
        if status == Status::StreamEnd {
            return Ok(());
        }
        if produced < window && c.total_in() == in_before {
            return Err(Error::invalid_input(codec, "deflate made no progress"));
        }
    }
    Ok(())
}

/// Inflates one stream from the start of `input` into `sink`; returns how many input bytes it used.
pub(crate) fn inflate(codec: &str, d: &mut Inflate, input: &[u8], sink: &mut Sink<'_>) -> Result<usize> {
    let start_in = d.total_in();
    loop {
        let used = (d.total_in() - start_in) as usize;
        let out_before = d.total_out();
        let window = sink.window(codec)?;
        let status = d
            .decompress_uninit(&input[used..], window, InflateFlush::NoFlush)
            .map_err(|e| inflate_error(codec, e))?;
        let produced = (d.total_out() - out_before) as usize;
        let used_now = (d.total_in() - start_in) as usize;
        // SAFETY: zlib stored `produced` bytes (its total_out growth) at the start of the window.
        unsafe { sink.advance(codec, produced)? };
        match status {
            zlib_rs::Status::StreamEnd => return Ok(used_now),
            zlib_rs::Status::Ok | zlib_rs::Status::BufError => {
                if produced == 0 && used_now == used {
                    return Err(Error::corrupt(
                        codec,
                        "the stream is truncated (it ends before its end marker)",
                    ));
                }
            }
        }
    }
}

/// A zlib stream decoder (`expect_header`: zlib framing, else raw deflate), 32 KiB window.
pub(crate) fn inflater(expect_header: bool) -> Inflate {
    Inflate::new(expect_header, 15)
}

/// An inflate failure as a corrupt-data error.
pub(crate) fn inflate_error(codec: &str, e: zlib_rs::InflateError) -> Error {
    let what = match e {
        zlib_rs::InflateError::NeedDict { .. } => {
            "it needs a preset dictionary, which numcodecs never writes"
        }
        zlib_rs::InflateError::DataError => "invalid deflate data",
        zlib_rs::InflateError::StreamError => "the decoder is in an inconsistent state",
        zlib_rs::InflateError::MemError => "out of memory",
    };
    Error::corrupt(codec, format!("cannot inflate: {what}"))
}

impl Codec for Zlib {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let level = zlib_level(ID, self.level)?;
        let mut out = Vec::new();
        deflate_into(ID, Compress::new(level, true), input.data(), &mut out)?;
        Ok(out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let mut sink = Sink::grow(limits, encoded.len().saturating_mul(4));
        inflate(ID, &mut inflater(true), encoded, &mut sink)?;
        Ok(ArrayBuf::from_bytes(sink.into_vec()))
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let len = out.len();
        let mut sink = Sink::fixed(out);
        inflate(ID, &mut inflater(true), encoded, &mut sink)?;
        let n = sink.filled();
        if n != len {
            return Err(Error::output_size(ID, format!("exactly {n}"), len));
        }
        Ok(n)
    }
}

impl StaticCodec for Zlib {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["level"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Zlib>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_python_bytes() {
        let z = Zlib::default();
        assert_eq!(
            z.encode_bytes(b"").unwrap(),
            [0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        );
        let data = b"hello hello hello hello".repeat(100);
        for level in [-1, 0, 1, 5, 9] {
            let enc = Zlib::new(level).encode_bytes(&data).unwrap();
            assert_eq!(z.decode(&enc, &Limits::default()).unwrap().data(), &data[..]);
        }
    }

    #[test]
    fn trailing_bytes_are_ignored_and_truncation_is_an_error() {
        let z = Zlib::default();
        let mut enc = z.encode_bytes(b"abcabcabc").unwrap();
        let full = enc.clone();
        enc.extend_from_slice(b"junk");
        assert_eq!(z.decode(&enc, &Limits::default()).unwrap().data(), b"abcabcabc");
        for cut in 0..full.len() {
            let e = z.decode(&full[..cut], &Limits::default()).unwrap_err();
            assert!(matches!(e, Error::Corrupt { .. }), "cut {cut}: {e}");
        }
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let data = vec![0u8; 10 << 20];
        let enc = Zlib::new(9).encode_bytes(&data).unwrap();
        assert!(enc.len() < 20_000);
        let e = Zlib::default().decode(&enc, &Limits::new(1 << 20)).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    }

    #[test]
    fn decode_into_needs_the_exact_size() {
        let z = Zlib::default();
        let enc = z.encode_bytes(b"0123456789").unwrap();
        let mut out = [0u8; 10];
        assert_eq!(z.decode_into(&enc, &mut out).unwrap(), 10);
        assert_eq!(&out, b"0123456789");
        assert!(matches!(
            z.decode_into(&enc, &mut [0u8; 9]),
            Err(Error::OutputSize { .. })
        ));
        assert!(matches!(
            z.decode_into(&enc, &mut [0u8; 11]),
            Err(Error::OutputSize { .. })
        ));
    }

    #[test]
    fn bad_level_fails_at_encode_not_at_construction() {
        let z = Zlib::from_config(&brickwork_core::config::from_json(r#"{"id":"zlib","level":12}"#).unwrap())
            .unwrap();
        assert!(z.encode_bytes(b"x").is_err());
    }
}
