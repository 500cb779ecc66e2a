//! `bz2`: a bzip2 stream, as Python's `bz2.compress` writes it.
//!
//! * Config: `{"id": "bz2", "level": 1}`; `level` is 1–9 (the block size in units of 100 kB), checked at
//!   encode as numcodecs does, so any config numcodecs wrote still builds a codec that decodes.
//! * Wire format: a standard bzip2 stream, `"BZh"` + the level digit, blocks, end-of-stream marker and
//!   combined CRC. No framing of our own. The empty stream is `42 5a 68 31 17 72 45 38 50 90 00 00 00 00`.
//! * Backends, each direction on the faster one (bench/codecs.py): encode inputs of 16 KiB or more with
//!   the `bzip2` crate over libbz2-rs-sys, a faithful Rust port of libbzip2 1.0.8, at 1.05–1.5x the C
//!   library's speed, and shorter ones with the C libbzip2 1.0.8 (see [`C_ENCODER_BELOW`]); both with
//!   work factor 30 as Python's `BZ2Compressor`, so output is byte-identical to numcodecs (the fixture
//!   re-encode test); decode with the C library, built from source by `bzip2-sys` (see [`Decoder`]).
//! * Decode: as `bz2.decompress`: concatenated streams decode to their concatenation; once at least one
//!   stream has decoded, trailing data that bzip2 rejects is ignored; a stream cut short is an error even
//!   after earlier streams; empty input decodes to nothing. **Difference:** a trailing stream that
//!   produces output and *then* fails (a corrupt second stream, not junk) is an error, where Python
//!   silently drops it: ignoring it would need decoding past the output bound, and would make the result
//!   depend on that bound. `decode_into` needs an `out` of exactly the decoded size (numcodecs'
//!   `ndarray_copy`). Output grows with the real data, bounded by [`Limits`]; the decoder's own memory is
//!   fixed by bzip2 (under 4 MB).

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec};
use std::ffi::{c_char, c_int, c_uint};
use std::mem::MaybeUninit;

use bzip2::{Action, Compress, Compression, Status};
use bzip2_sys as bz;
use serde::{Deserialize, Serialize};

use crate::sink::Sink;

const ID: &str = "bz2";

/// numcodecs' `BZ2(level=1)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bz2 {
    /// Compression level (block size in 100 kB units): 1 (fastest) to 9 (best).
    #[serde(default = "default_level")]
    pub level: i64,
}

fn default_level() -> i64 {
    1
}

impl Default for Bz2 {
    fn default() -> Self {
        Bz2 {
            level: default_level(),
        }
    }
}

impl Bz2 {
    /// A bz2 codec at `level`.
    pub fn new(level: i64) -> Self {
        Bz2 { level }
    }
}

/// How one stream of a multi-stream container ended.
pub(crate) enum StreamOutcome {
    /// The stream reached its end marker after using this many input bytes.
    Complete(usize),
    /// The input ran out before the end marker.
    Truncated,
}

/// libbzip2's decompressor: the C library 1.0.8, compiled into brickwork by `bzip2-sys`, the code
/// Python's `bz2` module (so numcodecs) runs. Measured against the Rust port the encoder uses
/// (`bz2_backends_c_vs_rust` in tests/compressors.rs): C decodes low-ratio data (float fields, noise)
/// 1.08x faster and high-ratio data (text, labels) at 0.85–0.93x; against numcodecs (bench/codecs.py)
/// the port ranged 0.81–1.12x input by input (an earlier run), the C library 0.98–1.06x. Same format
/// either way.
struct Decoder {
    /// Boxed: libbzip2's state points back at its stream and rejects calls from a moved one.
    stream: Box<bz::bz_stream>,
}

impl Decoder {
    fn new() -> Result<Self> {
        // SAFETY: bz_stream is plain C data for which all-zero is the documented initial state (no
        // custom allocator: libbzip2 then uses malloc/free).
        let mut stream: Box<bz::bz_stream> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `stream` is a valid, zeroed bz_stream at a stable address (boxed); verbosity 0,
        // small 0 as Python's bz2 module.
        let rc = unsafe { bz::BZ2_bzDecompressInit(&mut *stream, 0, 0) };
        if rc != bz::BZ_OK {
            return Err(Error::invalid_input(
                ID,
                format!("could not start a bzip2 decoder (libbzip2 error {rc}; out of memory?)"),
            ));
        }
        Ok(Decoder { stream })
    }

    /// One `BZ2_bzDecompress` call: returns libbzip2's status and the input bytes used and output bytes
    /// written (at the start of `out`), which are also written on error.
    fn step(&mut self, input: &[u8], out: &mut [MaybeUninit<u8>]) -> (c_int, usize, usize) {
        let avail_in = input.len().min(c_uint::MAX as usize) as c_uint;
        let avail_out = out.len().min(c_uint::MAX as usize) as c_uint;
        let s = &mut *self.stream;
        // libbzip2 never writes through next_in; the cast only matches its C signature.
        s.next_in = input.as_ptr() as *mut c_char;
        s.avail_in = avail_in;
        s.next_out = out.as_mut_ptr().cast::<c_char>();
        s.avail_out = avail_out;
        // SAFETY: the stream was initialised by BZ2_bzDecompressInit and has not moved; next_in/avail_in
        // describe readable memory and next_out/avail_out writable memory that outlive the call.
        let rc = unsafe { bz::BZ2_bzDecompress(s) };
        let used = (avail_in - s.avail_in) as usize;
        let produced = (avail_out - s.avail_out) as usize;
        s.next_in = std::ptr::null_mut();
        s.next_out = std::ptr::null_mut();
        (rc, used, produced)
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: the stream was initialised by BZ2_bzDecompressInit; this frees its state once.
        unsafe { bz::BZ2_bzDecompressEnd(&mut *self.stream) };
    }
}

/// Decodes one bzip2 stream from the start of `input` into `sink`.
fn decode_stream(input: &[u8], sink: &mut Sink<'_>) -> Result<StreamOutcome> {
    let mut d = Decoder::new()?;
    let mut used = 0usize;
    loop {
        let window = sink.window(ID)?;
        let (rc, used_now, produced) = d.step(&input[used..], window);
        used += used_now;
        // Output written before an error counts: it decides whether a bad trailing stream is ignorable.
        // SAFETY: libbzip2 stored `produced` bytes (its avail_out decrease) at the start of the window.
        unsafe { sink.advance(ID, produced)? };
        match rc {
            bz::BZ_STREAM_END => return Ok(StreamOutcome::Complete(used)),
            bz::BZ_OK if produced == 0 && used_now == 0 => return Ok(StreamOutcome::Truncated),
            bz::BZ_OK => {}
            bz::BZ_DATA_ERROR_MAGIC => {
                return Err(Error::corrupt(
                    ID,
                    "invalid bzip2 data (no \"BZh\" stream header)",
                ))
            }
            bz::BZ_DATA_ERROR => {
                return Err(Error::corrupt(
                    ID,
                    "invalid bzip2 data (a block fails its checks)",
                ))
            }
            other => {
                return Err(Error::corrupt(
                    ID,
                    format!("invalid bzip2 data (libbzip2 error {other})"),
                ))
            }
        }
    }
}

/// Inputs shorter than this are compressed by the C libbzip2, longer ones by the Rust port. The port
/// compresses large inputs 1.05–1.5x faster, but it zero-fills its block-sorting arrays (about 1 MB at
/// level 1, 8 MB at level 9) on every stream, which the C library allocates without filling; on small
/// inputs that dominates (256 bytes: the port at 0.4x the C library; parity near 16 KiB). Measured by
/// `bz2_backends_c_vs_rust` in tests/compressors.rs. Both write the same bytes.
const C_ENCODER_BELOW: usize = 16 << 10;

/// Compresses `data` into one bzip2 stream with the C libbzip2 1.0.8 (work factor 30, as Python's
/// `BZ2Compressor`). Public for the backend comparison test; [`Bz2`] picks the backend by input size.
#[doc(hidden)]
pub fn encode_c(data: &[u8], level: u32) -> Result<Vec<u8>> {
    // libbzip2's documented worst case for one call: 1% more than the input plus 600 bytes.
    let capacity = data.len() + data.len() / 100 + 600;
    let too_long = |_| Error::invalid_input(ID, "the C encoder takes inputs under 4 GB");
    let avail_out = c_uint::try_from(capacity).map_err(too_long)?;
    let avail_in = c_uint::try_from(data.len()).map_err(too_long)?;
    let mut out: Vec<u8> = Vec::with_capacity(capacity);
    // SAFETY: all-zero is bz_stream's documented initial state (no custom allocator: malloc/free). It is
    // boxed so it does not move while libbzip2's state points back at it.
    let mut stream: Box<bz::bz_stream> = Box::new(unsafe { std::mem::zeroed() });
    // SAFETY: `stream` is a valid zeroed bz_stream; verbosity 0 and work factor 30 are valid arguments,
    // and `level` is 1–9 (checked by the caller).
    let rc = unsafe { bz::BZ2_bzCompressInit(&mut *stream, level as c_int, 0, 30) };
    if rc != bz::BZ_OK {
        return Err(Error::invalid_input(
            ID,
            format!("could not start a bzip2 encoder (libbzip2 error {rc}; out of memory?)"),
        ));
    }
    stream.next_in = data.as_ptr() as *mut c_char; // never written through
    stream.avail_in = avail_in;
    stream.next_out = out.as_mut_ptr().cast::<c_char>();
    stream.avail_out = avail_out;
    // SAFETY: the stream was initialised above and has not moved; next_in/avail_in describe `data` and
    // next_out/avail_out the spare capacity of `out`, both alive for the call.
    let rc = unsafe { bz::BZ2_bzCompress(&mut *stream, bz::BZ_FINISH) };
    let written = capacity - stream.avail_out as usize;
    // SAFETY: initialised above; frees libbzip2's state once.
    unsafe { bz::BZ2_bzCompressEnd(&mut *stream) };
    if rc != bz::BZ_STREAM_END {
        return Err(Error::invalid_input(
            ID,
            format!("bzip2 compression failed (libbzip2 error {rc})"),
        ));
    }
    // SAFETY: libbzip2 wrote `written` bytes (its avail_out decrease) at the start of the capacity.
    unsafe { out.set_len(written) };
    Ok(out)
}

/// Compresses `data` into one bzip2 stream with libbz2-rs-sys, the Rust port of libbzip2 1.0.8 (work
/// factor 30). Public for the backend comparison test.
#[doc(hidden)]
pub fn encode_rust_port(data: &[u8], level: u32) -> Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(level), 30);
    let mut out = Vec::with_capacity(data.len() + data.len() / 100 + 600);
    loop {
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&data[consumed..], &mut out, Action::Finish)
            .map_err(|e| Error::invalid_input(ID, format!("bzip2 compression failed: {e:?}")))?;
        match status {
            Status::StreamEnd => return Ok(out),
            _ => out.reserve(out.capacity().max(1024)),
        }
    }
}

/// `bz2.decompress`: every stream in `input`, trailing junk after the first ignored.
fn decode_all(input: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let mut pos = 0;
    let mut streams = 0usize;
    while pos < input.len() {
        let mark = sink.filled();
        match decode_stream(&input[pos..], sink) {
            Ok(StreamOutcome::Complete(used)) => {
                pos += used;
                streams += 1;
            }
            Ok(StreamOutcome::Truncated) => {
                return Err(Error::corrupt(
                    ID,
                    format!(
                        "stream {} is truncated: the data ended before the end-of-stream marker",
                        streams + 1
                    ),
                ))
            }
            Err(Error::Corrupt { .. }) if streams > 0 && sink.filled() == mark => {
                // output of a trailing stream that turned out to be invalid is ignored, as Python's
                // multi-stream loop ignores it
                sink.rewind(mark);
                break;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Codec for Bz2 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let level = match self.level {
            1..=9 => self.level as u32,
            other => {
                return Err(Error::invalid_config(
                    ID,
                    "level",
                    format!("{other} is not between 1 and 9"),
                ))
            }
        };
        let data = input.data();
        if data.len() < C_ENCODER_BELOW {
            encode_c(data, level)
        } else {
            encode_rust_port(data, level)
        }
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let mut sink = Sink::grow(limits, encoded.len().saturating_mul(4));
        decode_all(encoded, &mut sink)?;
        Ok(ArrayBuf::from_bytes(sink.into_vec()))
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let len = out.len();
        let mut sink = Sink::fixed(out);
        decode_all(encoded, &mut sink)?;
        let n = sink.filled();
        if n != len {
            return Err(Error::output_size(ID, format!("exactly {n}"), len));
        }
        Ok(n)
    }
}

impl StaticCodec for Bz2 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["level"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Bz2>();

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: [u8; 14] = [
        0x42, 0x5a, 0x68, 0x31, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0x00, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn round_trip_and_python_bytes() {
        let z = Bz2::default();
        assert_eq!(z.encode_bytes(b"").unwrap(), EMPTY);
        assert_eq!(z.decode(&EMPTY, &Limits::default()).unwrap().data(), b"");
        assert_eq!(z.decode(b"", &Limits::default()).unwrap().data(), b"");
        let data = b"hello hello hello hello".repeat(100);
        for level in 1..=9 {
            let enc = Bz2::new(level).encode_bytes(&data).unwrap();
            assert_eq!(&enc[..4], &[b'B', b'Z', b'h', b'0' + level as u8]);
            assert_eq!(z.decode(&enc, &Limits::default()).unwrap().data(), &data[..]);
        }
    }

    #[test]
    fn concatenated_streams_and_trailing_junk() {
        let z = Bz2::default();
        let a = z.encode_bytes(b"first,").unwrap();
        let b = z.encode_bytes(b"second").unwrap();
        let both = [a.clone(), b.clone()].concat();
        assert_eq!(
            z.decode(&both, &Limits::default()).unwrap().data(),
            b"first,second"
        );
        let junk = [a.clone(), b"not bzip2 at all".to_vec()].concat();
        assert_eq!(z.decode(&junk, &Limits::default()).unwrap().data(), b"first,");
        // A trailing stream that produces output and then fails (its CRC) is an error, not junk.
        let mut bad = b.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        let with_bad = [a.clone(), bad].concat();
        assert!(matches!(
            z.decode(&with_bad, &Limits::default()),
            Err(Error::Corrupt { .. })
        ));
        // A trailing stream header with a bad block (rejected before any output) is junk.
        let with_bad_block = [a.clone(), b"BZh91AY&SXjunkjunk".to_vec()].concat();
        assert_eq!(
            z.decode(&with_bad_block, &Limits::default()).unwrap().data(),
            b"first,"
        );
        let mut out = [0u8; 6];
        assert_eq!(z.decode_into(&with_bad_block, &mut out).unwrap(), 6);
        // A trailing stream that is cut short is an error, as in Python.
        let cut = [a.clone(), b[..b.len() - 3].to_vec()].concat();
        assert!(matches!(
            z.decode(&cut, &Limits::default()),
            Err(Error::Corrupt { .. })
        ));
        // Junk first is an error.
        let e = z.decode(b"junk", &Limits::default()).unwrap_err();
        assert!(matches!(e, Error::Corrupt { .. }), "{e}");
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error() {
        let z = Bz2::default();
        let data: Vec<u8> = (0..5000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let full = z.encode_bytes(&data).unwrap();
        for cut in 1..full.len() {
            let e = z.decode(&full[..cut], &Limits::default()).unwrap_err();
            assert!(matches!(e, Error::Corrupt { .. }), "cut {cut}: {e}");
        }
        for i in (0..full.len()).step_by(7) {
            let mut bad = full.clone();
            bad[i] ^= 0x55;
            match z.decode(&bad, &Limits::default()) {
                Ok(d) => assert_ne!(d.data(), &data[..], "flip at {i} went unnoticed"),
                Err(e) => assert!(matches!(e, Error::Corrupt { .. }), "flip at {i}: {e}"),
            }
        }
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let data = vec![0u8; 20 << 20];
        let enc = Bz2::new(9).encode_bytes(&data).unwrap();
        assert!(enc.len() < 2_000, "{}", enc.len());
        let e = Bz2::default().decode(&enc, &Limits::new(1 << 20)).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    }

    #[test]
    fn decode_into_needs_the_exact_size() {
        let z = Bz2::default();
        let enc = z.encode_bytes(b"0123456789").unwrap();
        let mut out = [0u8; 10];
        assert_eq!(z.decode_into(&enc, &mut out).unwrap(), 10);
        assert_eq!(&out, b"0123456789");
        for size in [9, 11] {
            assert!(matches!(
                z.decode_into(&enc, &mut vec![0u8; size]),
                Err(Error::OutputSize { .. })
            ));
        }
    }

    #[test]
    fn bad_level_fails_at_encode_not_at_construction() {
        for level in [0, 10, -1] {
            let cfg =
                brickwork_core::config::from_json(&format!(r#"{{"id":"bz2","level":{level}}}"#)).unwrap();
            let z = Bz2::from_config(&cfg).unwrap();
            assert!(z.encode_bytes(b"x").is_err());
            assert_eq!(z.config(), cfg);
        }
    }
}
