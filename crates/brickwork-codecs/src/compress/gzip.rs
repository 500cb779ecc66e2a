//! `gzip`: one gzip (RFC 1952) member, as numcodecs' `GZip` writes it with Python's `gzip.GzipFile`.
//!
//! * Config: `{"id": "gzip", "level": 1}`; `level` is -1 (= 6) or 0–9, checked at encode as numcodecs
//!   does, so any config numcodecs wrote still builds a codec that decodes.
//! * Wire format: `1f 8b 08`, FLG `00`, MTIME (u32le), XFL, OS `ff`, raw deflate data, CRC-32 (u32le) of
//!   the data, ISIZE (u32le, length mod 2^32).
//! * Encode: XFL as Python ≥ 3.7 writes it (`04` for level 1, `02` for level 9, `00` otherwise). **MTIME is
//!   written as 0** ("no time stamp", RFC 1952) where numcodecs writes the current time: the output is then
//!   reproducible, and differs from numcodecs' only in header bytes 4–7 (and in byte 8 against the 2018
//!   fixtures, written by Python < 3.7 with XFL `02`). The deflate body comes from flate2 over the system
//!   zlib with Python's parameters (window 15, memLevel 8), so it is byte-identical to numcodecs'.
//!   Inflating uses `zlib-rs`, as the `zlib` codec does (see there for why).
//! * Decode: as Python's gzip reader: FEXTRA/FNAME/FCOMMENT/FHCRC are skipped (the header CRC is not
//!   checked, as in Python), several concatenated members decode to their concatenation, zero bytes after
//!   a member are padding, CRC-32 and ISIZE are checked, any other trailing byte is an error, a truncated
//!   member is an error, and empty input decodes to nothing. `decode_into` accepts an `out` larger than
//!   the data (numcodecs' `readinto`: the tail is left untouched) and returns the decoded length; a
//!   smaller `out` is an error. Output grows with the real data, bounded by [`Limits`].

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec};
use flate2::Compress;
use serde::{Deserialize, Serialize};
use zlib_rs::{InflateFlush, Status};

use super::zlib::{deflate_into, zlib_level};
use crate::sink::{written, Sink};

const ID: &str = "gzip";

const MAGIC: [u8; 2] = [0x1f, 0x8b];
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// numcodecs' `GZip(level=1)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gzip {
    /// Compression level: -1 (default, = 6) or 0 (store) to 9 (best).
    #[serde(default = "default_level")]
    pub level: i64,
}

fn default_level() -> i64 {
    1
}

impl Default for Gzip {
    fn default() -> Self {
        Gzip {
            level: default_level(),
        }
    }
}

impl Gzip {
    /// A gzip codec at `level`.
    pub fn new(level: i64) -> Self {
        Gzip { level }
    }
}

fn truncated(what: &str) -> Error {
    Error::corrupt(ID, format!("the data ended inside {what}"))
}

/// Skips the member header at the start of `input` (which starts with the magic); returns its length.
fn header_len(input: &[u8]) -> Result<usize> {
    let fixed = input.get(..10).ok_or_else(|| truncated("a member header"))?;
    if fixed[2] != 8 {
        return Err(Error::corrupt(
            ID,
            format!(
                "unknown compression method {} (only 8, deflate, exists)",
                fixed[2]
            ),
        ));
    }
    let flags = fixed[3];
    let mut pos = 10;
    if flags & FEXTRA != 0 {
        let xlen = input
            .get(pos..pos + 2)
            .ok_or_else(|| truncated("the FEXTRA length"))?;
        pos += 2 + usize::from(u16::from_le_bytes([xlen[0], xlen[1]]));
        if pos > input.len() {
            return Err(truncated("the FEXTRA field"));
        }
    }
    for (flag, what) in [(FNAME, "the file name"), (FCOMMENT, "the comment")] {
        if flags & flag != 0 {
            let end = input[pos..]
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| truncated(what))?;
            pos += end + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
        if pos > input.len() {
            return Err(truncated("the header CRC"));
        }
    }
    Ok(pos)
}

/// Inflates one member's raw deflate data into `sink`; returns the input used, the CRC-32 and length.
fn inflate_member(input: &[u8], sink: &mut Sink<'_>) -> Result<(usize, u32, u64)> {
    let mut d = super::zlib::inflater(false);
    let mut crc = crc32fast::Hasher::new();
    loop {
        let used = d.total_in() as usize;
        let out_before = d.total_out();
        let window = sink.window(ID)?;
        let status = d
            .decompress_uninit(&input[used..], window, InflateFlush::NoFlush)
            .map_err(|e| super::zlib::inflate_error(ID, e))?;
        let produced = (d.total_out() - out_before) as usize;
        // SAFETY: zlib stored `produced` bytes (its total_out growth) at the start of the window.
        crc.update(unsafe { written(window, produced) });
        let used_now = d.total_in() as usize;
        // SAFETY: as above.
        unsafe { sink.advance(ID, produced)? };
        match status {
            Status::StreamEnd => return Ok((used_now, crc.finalize(), d.total_out())),
            Status::Ok | Status::BufError => {
                if produced == 0 && used_now == used {
                    return Err(truncated("the deflate data (no end-of-stream marker)"));
                }
            }
        }
    }
}

/// Python's gzip reader over all of `input`.
fn decode_all(input: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let mut pos = 0;
    while pos < input.len() {
        let rest = &input[pos..];
        if rest.len() < 2 || rest[..2] != MAGIC {
            return Err(Error::corrupt(
                ID,
                format!(
                    "not a gzip member at offset {pos} (starts {:02x?}, expected 1f 8b)",
                    &rest[..rest.len().min(2)]
                ),
            ));
        }
        let start = header_len(rest)?;
        let (used, crc, size) = inflate_member(&rest[start..], sink)?;
        let trailer_at = start + used;
        let trailer = rest
            .get(trailer_at..trailer_at + 8)
            .ok_or_else(|| truncated("the member trailer (CRC-32 and ISIZE)"))?;
        let stored_crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let stored_size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if stored_crc != crc {
            return Err(Error::ChecksumMismatch {
                codec: ID.to_owned(),
                stored: stored_crc,
                computed: crc,
            });
        }
        if stored_size != size as u32 {
            return Err(Error::corrupt(
                ID,
                format!(
                    "ISIZE is {stored_size} but the member decoded to {size} bytes (mod 2^32: {})",
                    size as u32
                ),
            ));
        }
        pos += trailer_at + 8;
        while input.get(pos) == Some(&0) {
            pos += 1;
        }
    }
    Ok(())
}

/// The gzip header numcodecs writes, with MTIME 0.
fn header(level: i64) -> [u8; 10] {
    let xfl = match level {
        1 => 4,
        9 => 2,
        _ => 0,
    };
    [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 0xff]
}

impl Codec for Gzip {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let level = zlib_level(ID, self.level)?;
        let data = input.data();
        let mut out = header(self.level).to_vec();
        deflate_into(ID, Compress::new(level, false), data, &mut out)?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        Ok(out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let mut sink = Sink::grow(limits, encoded.len().saturating_mul(4));
        decode_all(encoded, &mut sink)?;
        Ok(ArrayBuf::from_bytes(sink.into_vec()))
    }

    /// numcodecs reads gzip with `GzipFile.readinto(out)`: `out` may be larger than the data, and its
    /// bytes after the data stay as they were. zlib-rs copies matches in 16–32-byte chunks that may run
    /// past the end of the data into the rest of the buffer it writes to, so the data goes straight into
    /// `out` only when the trailer proves it fills `out` exactly (numcodecs' single member, the usual
    /// case); otherwise it is decoded aside and copied.
    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        if fills_exactly(encoded, out.len()) {
            let mut sink = Sink::fixed(out);
            decode_all(encoded, &mut sink)?;
            return Ok(sink.filled());
        }
        let hint = encoded.len().saturating_mul(4).min(out.len());
        let mut sink = Sink::grow(&Limits::new(out.len()), hint);
        decode_all(encoded, &mut sink).map_err(|e| match e {
            Error::LimitExceeded { .. } => {
                Error::output_size(ID, format!("more than {}", out.len()), out.len())
            }
            e => e,
        })?;
        let data = sink.into_vec();
        out[..data.len()].copy_from_slice(&data);
        Ok(data.len())
    }
}

/// Whether a successful decode of `encoded` must fill exactly `len` bytes: its last four bytes, read as
/// a trailer's ISIZE (the size mod 2^32), equal `len`. They are the last member's ISIZE, or, after zero
/// padding, that ISIZE shifted down: either way at most the decoded size, which cannot exceed `len`.
fn fills_exactly(encoded: &[u8], len: usize) -> bool {
    let Some(tail) = encoded.len().checked_sub(4).map(|at| &encoded[at..]) else {
        return false;
    };
    u32::try_from(len).is_ok_and(|len| u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) == len)
}

impl StaticCodec for Gzip {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["level"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Gzip>();

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(enc: &[u8]) -> Result<Vec<u8>> {
        Gzip::default()
            .decode(enc, &Limits::default())
            .map(|b| b.into_data())
    }

    #[test]
    fn round_trip_and_header_bytes() {
        let z = Gzip::default();
        let empty = z.encode_bytes(b"").unwrap();
        assert_eq!(
            empty,
            [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(dec(&empty).unwrap(), b"");
        assert_eq!(dec(b"").unwrap(), b"");
        let data = b"hello hello hello hello".repeat(100);
        for (level, xfl) in [(-1, 0), (0, 0), (1, 4), (5, 0), (9, 2)] {
            let enc = Gzip::new(level).encode_bytes(&data).unwrap();
            assert_eq!(enc[8], xfl, "level {level}");
            assert_eq!(dec(&enc).unwrap(), data);
        }
    }

    #[test]
    fn optional_header_fields_members_and_padding() {
        let body = Gzip::default().encode_bytes(b"payload").unwrap();
        // FEXTRA + FNAME + FCOMMENT + FHCRC, as other writers produce them.
        let mut full = vec![0x1f, 0x8b, 8, FEXTRA | FNAME | FCOMMENT | FHCRC, 1, 2, 3, 4, 0, 3];
        full.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        full.extend_from_slice(b"name.bin\0a comment\0");
        full.extend_from_slice(&[0xaa, 0xbb]);
        full.extend_from_slice(&body[10..]);
        assert_eq!(dec(&full).unwrap(), b"payload");
        let two = [body.clone(), vec![0; 5], full.clone(), vec![0; 3]].concat();
        assert_eq!(dec(&two).unwrap(), b"payloadpayload");
        let junk = [body.clone(), b"x".to_vec()].concat();
        assert!(matches!(dec(&junk), Err(Error::Corrupt { .. })));
        let mut bad_crc = body.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        assert!(matches!(dec(&bad_crc), Err(Error::ChecksumMismatch { .. })));
        let mut bad_len = body.clone();
        bad_len[n - 4] ^= 1;
        assert!(matches!(dec(&bad_len), Err(Error::Corrupt { .. })));
        let mut bad_method = body;
        bad_method[2] = 7;
        assert!(matches!(dec(&bad_method), Err(Error::Corrupt { .. })));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let data: Vec<u8> = (0..3000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
        let full = Gzip::new(6).encode_bytes(&data).unwrap();
        for cut in 1..full.len() {
            let e = dec(&full[..cut]).unwrap_err();
            assert!(matches!(e, Error::Corrupt { .. }), "cut {cut}: {e}");
        }
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let enc = Gzip::new(9).encode_bytes(&vec![0u8; 10 << 20]).unwrap();
        assert!(enc.len() < 20_000);
        let e = Gzip::default().decode(&enc, &Limits::new(1 << 20)).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    }

    #[test]
    fn decode_into_allows_a_larger_out() {
        let z = Gzip::default();
        let enc = z.encode_bytes(b"0123456789").unwrap();
        let mut out = [0xeeu8; 12];
        assert_eq!(z.decode_into(&enc, &mut out).unwrap(), 10);
        assert_eq!(&out, b"0123456789\xee\xee");
        assert!(matches!(
            z.decode_into(&enc, &mut [0u8; 9]),
            Err(Error::OutputSize { .. })
        ));
    }

    #[test]
    fn decode_into_leaves_the_tail_of_a_larger_out_alone() {
        // Runs that zlib-rs copies in chunks (found by the proptest in tests/compressors.rs).
        let mut data = vec![0u8];
        data.extend([94; 34]);
        data.push(0);
        data.extend([94; 34]);
        data.extend([0; 29]);
        let z = Gzip::default();
        let one = z.encode_bytes(&data).unwrap();
        let two = [one.clone(), one.clone(), vec![0; 3]].concat();
        for (enc, n) in [(one, data.len()), (two, 2 * data.len())] {
            for extra in [1, 3, 40, 1000] {
                let mut out = vec![0x5au8; n + extra];
                assert_eq!(z.decode_into(&enc, &mut out).unwrap(), n);
                assert_eq!(&out[..n], &data.repeat(n / data.len())[..]);
                assert!(out[n..].iter().all(|&b| b == 0x5a), "extra {extra}");
            }
            assert!(matches!(
                z.decode_into(&enc, &mut vec![0u8; n - 1]),
                Err(Error::OutputSize { .. })
            ));
        }
    }

    #[test]
    fn bad_level_fails_at_encode_not_at_construction() {
        let cfg = brickwork_core::config::from_json(r#"{"id":"gzip","level":10}"#).unwrap();
        let z = Gzip::from_config(&cfg).unwrap();
        assert!(z.encode_bytes(b"x").is_err());
        assert_eq!(z.config(), cfg);
    }
}
