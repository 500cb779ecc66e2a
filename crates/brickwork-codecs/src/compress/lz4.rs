//! `lz4`: one LZ4 block behind a 4-byte size prefix, as numcodecs' `LZ4` writes it.
//!
//! * Config: `{"id": "lz4", "acceleration": 1}`; `acceleration` is kept as given (fixtures have -1, 0 and
//!   1000000); at encode a value `<= 0` means 1, and liblz4 clamps large values, as in numcodecs. A value
//!   outside a C `int` fails at encode (numcodecs: `OverflowError`).
//! * Wire format (not the LZ4 frame format): u32le uncompressed size, then one LZ4 block from
//!   `LZ4_compress_fast` (no checksum, no end marker). `b"abc"` → `03 00 00 00 30 61 62 63`; `b""` →
//!   `00 00 00 00 00`.
//! * Backend: the `lz4` crate over liblz4 1.10.0, the version numcodecs bundles, so output is
//!   byte-identical for every acceleration (the fixture re-encode test).
//! * Decode: the prefix is read as a signed 32-bit size, as numcodecs does: a negative size is an error,
//!   and the block must decode to exactly that size, with no bytes left over (`LZ4_decompress_safe`).
//!   Inputs (and encode inputs) over `0x7E000000` bytes (`LZ4_MAX_INPUT_SIZE`) are refused. **Size 0:**
//!   numcodecs refuses to decode its own encoding of `b""`; brickwork decodes `00 00 00 00 00` (size 0,
//!   empty block) to empty output, so empty chunks round-trip. Before allocating, the size is checked
//!   against [`Limits`] ([`Error::LimitExceeded`]) and then against what the block can hold at most (an
//!   LZ4 block expands at most 255-fold; a larger claim is [`Error::Corrupt`]), so a 5-byte input
//!   claiming 2 or 4 GiB allocates nothing. `decode_into` accepts an `out` larger
//!   than the data (only the first `size` bytes are written) and returns `size`; a smaller one is an error.

use brickwork_core::{
    check_out_at_least, ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec,
};
use std::ffi::c_int;
use std::mem::MaybeUninit;

use lz4::liblz4::{LZ4_compress_fast, LZ4_decompress_safe};
use serde::{Deserialize, Serialize};

const ID: &str = "lz4";

/// `LZ4_MAX_INPUT_SIZE`, numcodecs' `max_buffer_size` for both directions.
const MAX_INPUT_SIZE: usize = 0x7E00_0000;

/// The most output one byte of an LZ4 block can stand for (a run of 255-valued length bytes).
const MAX_EXPANSION: u64 = 255;

/// numcodecs' `LZ4(acceleration=1)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lz4 {
    /// Speed/ratio trade-off of `LZ4_compress_fast`: 1 (best ratio) and up; `<= 0` means 1.
    #[serde(default = "default_acceleration")]
    pub acceleration: i64,
}

fn default_acceleration() -> i64 {
    1
}

impl Default for Lz4 {
    fn default() -> Self {
        Lz4 {
            acceleration: default_acceleration(),
        }
    }
}

impl Lz4 {
    /// An lz4 codec with `acceleration`.
    pub fn new(acceleration: i64) -> Self {
        Lz4 { acceleration }
    }
}

/// Reads and checks the size prefix; returns `(size, block)`. A size over `limit` is
/// [`Error::LimitExceeded`]; one that is negative as a C `int`, or more than the block can hold, is
/// [`Error::Corrupt`].
fn split(encoded: &[u8], limit: usize) -> Result<(usize, &[u8])> {
    if encoded.len() > MAX_INPUT_SIZE {
        return Err(Error::invalid_input(
            ID,
            format!(
                "{} bytes of input is more than LZ4's maximum of {MAX_INPUT_SIZE}",
                encoded.len()
            ),
        ));
    }
    let (prefix, block) = encoded.split_first_chunk::<4>().ok_or_else(|| {
        Error::corrupt(
            ID,
            format!("{} bytes is too short for the 4-byte size prefix", encoded.len()),
        )
    })?;
    let declared = u32::from_le_bytes(*prefix);
    if u64::from(declared) > limit as u64 {
        return Err(Error::limit(ID, "the size prefix", u64::from(declared), limit));
    }
    let size = i32::from_le_bytes(*prefix);
    let size = u64::try_from(size).map_err(|_| {
        Error::corrupt(
            ID,
            format!("the size prefix is negative ({size}); it must be 0 to 2^31-1"),
        )
    })?;
    let most = block.len() as u64 * MAX_EXPANSION;
    if size > most {
        return Err(Error::corrupt(
            ID,
            format!(
                "the size prefix says {size} bytes but a {}-byte LZ4 block decodes to at most {most}",
                block.len()
            ),
        ));
    }
    Ok((size as usize, block))
}

/// Decodes `block` into exactly `out` (whose length is the declared size).
fn decompress(block: &[u8], out: &mut [u8]) -> Result<()> {
    let size = out.len();
    let size_i32 = i32::try_from(size).map_err(|_| Error::corrupt(ID, "size prefix out of range"))?;
    let n = lz4::block::decompress_to_buffer(block, Some(size_i32), out)
        .map_err(|e| Error::corrupt(ID, format!("invalid LZ4 block ({e})")))?;
    if n != size {
        return Err(Error::corrupt(
            ID,
            format!("the size prefix says {size} bytes but the block decoded to {n}"),
        ));
    }
    Ok(())
}

impl Lz4 {
    /// The size prefix plus liblz4's compress bound for `len` input bytes.
    fn bound(&self, len: usize) -> Result<usize> {
        if len > MAX_INPUT_SIZE {
            return Err(Error::invalid_input(
                ID,
                format!("{len} bytes is more than LZ4's maximum input of {MAX_INPUT_SIZE}"),
            ));
        }
        let bound = lz4::block::compress_bound(len)
            .map_err(|e| Error::invalid_input(ID, format!("LZ4 cannot compress this input ({e})")))?;
        Ok(bound + 4)
    }
}

impl Codec for Lz4 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.bound(input.data().len())?);
        let n = self.encode_into(input, out.spare_capacity_mut())?;
        // SAFETY: `Lz4::encode_into` (below) returns n only after writing out[..n]: the 4-byte prefix,
        // then the n - 4 bytes LZ4_compress_fast reported writing; n <= capacity as it checks.
        unsafe { out.set_len(n) };
        Ok(out)
    }

    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        self.bound(input.data().len()).ok()
    }

    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        let accel = i32::try_from(self.acceleration).map_err(|_| {
            Error::invalid_config(
                ID,
                "acceleration",
                format!("{} does not fit a C int", self.acceleration),
            )
        })?;
        let accel = if accel <= 0 { 1 } else { accel };
        let data = input.data();
        let bound = self.bound(data.len())?;
        if out.len() < bound {
            return Err(Error::output_size(ID, format!("at least {bound}"), out.len()));
        }
        // bound() checked data.len() <= MAX_INPUT_SIZE, which fits a C int.
        let size = c_int::try_from(data.len()).map_err(|_| Error::invalid_input(ID, "input too large"))?;
        let (prefix, block) = out.split_at_mut(4);
        for (dst, src) in prefix.iter_mut().zip(size.to_le_bytes()) {
            dst.write(src);
        }
        let capacity = c_int::try_from(block.len()).unwrap_or(c_int::MAX);
        // SAFETY: LZ4_compress_fast reads `size` bytes from `data` (its length) and writes at most
        // `capacity` bytes to `block` (no more than its length), never reading the destination, so
        // uninitialised destination memory is fine; it returns the bytes written, or 0 on failure.
        let written = unsafe {
            LZ4_compress_fast(
                data.as_ptr().cast(),
                block.as_mut_ptr().cast(),
                size,
                capacity,
                accel,
            )
        };
        match usize::try_from(written) {
            Ok(n) if n > 0 && n <= block.len() => Ok(4 + n),
            _ => Err(Error::invalid_input(ID, "LZ4 compression failed")),
        }
    }

    /// The 4-byte little-endian size prefix, when LZ4 could expand the rest that much (at most ~255x).
    fn declared_size(&self, encoded: &[u8]) -> Option<usize> {
        let prefix: [u8; 4] = encoded.get(..4)?.try_into().ok()?;
        let size = usize::try_from(i32::from_le_bytes(prefix)).ok()?;
        (size <= encoded.len().saturating_mul(256)).then_some(size)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let (size, block) = split(encoded, limits.max_decoded_bytes)?;
        let mut out = vec![0u8; size];
        decompress(block, &mut out)?;
        Ok(ArrayBuf::from_bytes(out))
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let (size, block) = split(encoded, usize::MAX)?;
        check_out_at_least(ID, size, out)?;
        decompress(block, &mut out[..size])?;
        Ok(size)
    }

    fn decode_into_uninit(&self, encoded: &[u8], out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        let (size, block) = split(encoded, usize::MAX)?;
        if out.len() < size {
            return Err(Error::output_size(ID, format!("at least {size}"), out.len()));
        }
        let size_c = c_int::try_from(size).map_err(|_| Error::corrupt(ID, "size prefix out of range"))?;
        let block_len = c_int::try_from(block.len())
            .map_err(|_| Error::corrupt(ID, format!("a {}-byte block is too large", block.len())))?;
        // SAFETY: LZ4_decompress_safe reads `block_len` bytes of `block` and writes at most `size_c`
        // bytes to `out` (checked to hold `size`), never reading `out` outside what it wrote (it copies
        // matches from bytes it has already written), so uninitialised memory is fine; whatever the
        // input, it stays in these bounds and returns the bytes written or a negative error.
        let n =
            unsafe { LZ4_decompress_safe(block.as_ptr().cast(), out.as_mut_ptr().cast(), block_len, size_c) };
        if usize::try_from(n).ok() != Some(size) {
            return Err(Error::corrupt(
                ID,
                if n < 0 {
                    "invalid LZ4 block".to_string()
                } else {
                    format!("the size prefix says {size} bytes but the block decoded to {n}")
                },
            ));
        }
        Ok(size)
    }
}

impl StaticCodec for Lz4 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["acceleration"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Lz4>();

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(enc: &[u8]) -> Result<Vec<u8>> {
        Lz4::default()
            .decode(enc, &Limits::default())
            .map(|b| b.into_data())
    }

    #[test]
    fn round_trip_and_python_bytes() {
        let z = Lz4::default();
        assert_eq!(
            z.encode_bytes(b"abc").unwrap(),
            [3, 0, 0, 0, 0x30, b'a', b'b', b'c']
        );
        assert_eq!(z.encode_bytes(b"").unwrap(), [0, 0, 0, 0, 0]);
        assert_eq!(dec(&[0, 0, 0, 0, 0]).unwrap(), b"");
        let data = b"hello hello hello hello".repeat(100);
        for accel in [i64::from(i32::MIN), -1, 0, 1, 10, 1_000_000, i64::from(i32::MAX)] {
            let enc = Lz4::new(accel).encode_bytes(&data).unwrap();
            assert_eq!(dec(&enc).unwrap(), data, "acceleration {accel}");
        }
        assert_eq!(
            Lz4::new(-5).encode_bytes(&data).unwrap(),
            Lz4::new(1).encode_bytes(&data).unwrap()
        );
    }

    #[test]
    fn bad_prefixes_and_blocks_are_errors() {
        for bad in [
            &b""[..],
            b"\x03",
            b"\x03\x00\x00",
            b"\x00\x00\x00\x00",
            b"\x00\x00\x00\x00\x01",
        ] {
            assert!(matches!(dec(bad), Err(Error::Corrupt { .. })), "{bad:?}");
        }
        // negative size (as a C int; with the default limit it is over the limit first)
        assert!(matches!(
            Lz4::default().decode(b"\xfd\xff\xff\xff\x30abc", &Limits::new(usize::MAX)),
            Err(Error::Corrupt { .. })
        ));
        // trailing byte after the block, and a size that does not match the block
        assert!(matches!(
            dec(b"\x03\x00\x00\x00\x30abcX"),
            Err(Error::Corrupt { .. })
        ));
        assert!(matches!(
            dec(b"\x04\x00\x00\x00\x30abc"),
            Err(Error::Corrupt { .. })
        ));
        assert!(matches!(
            dec(b"\x02\x00\x00\x00\x30abc"),
            Err(Error::Corrupt { .. })
        ));
        let data: Vec<u8> = (0..4000u32).flat_map(|i| (i % 13).to_le_bytes()).collect();
        let full = Lz4::default().encode_bytes(&data).unwrap();
        for cut in 0..full.len() {
            assert!(dec(&full[..cut]).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn huge_claims_fail_before_allocating() {
        // 4 GiB − 1: over the default limit (2 GiB − 1) before anything else.
        let e = dec(b"\xff\xff\xff\xff\x00").unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
        // With a larger limit it reads as -1 (a C int), invalid as in numcodecs.
        let e = Lz4::default()
            .decode(b"\xff\xff\xff\xff\x00", &Limits::new(usize::MAX))
            .unwrap_err();
        assert!(matches!(e, Error::Corrupt { .. }), "{e}");
        assert!(matches!(
            Lz4::default().decode_into(b"\xff\xff\xff\xff\x00", &mut [0u8; 8]),
            Err(Error::Corrupt { .. })
        ));
        // 2 GiB − 1 from a 1-byte block: more than 255× the block.
        let e = dec(b"\xff\xff\xff\x7f\x00").unwrap_err();
        assert!(
            matches!(e, Error::Corrupt { .. }) && e.to_string().contains("at most 255"),
            "{e}"
        );
        // A plausible claim over the limit.
        let data = vec![0u8; 1 << 20];
        let enc = Lz4::default().encode_bytes(&data).unwrap();
        let e = Lz4::default().decode(&enc, &Limits::new(1000)).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
        // The highest-ratio block that exists still passes the expansion check.
        assert_eq!(dec(&enc).unwrap(), data);
    }

    #[test]
    fn decode_into_allows_a_larger_out() {
        let z = Lz4::default();
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
    fn bad_acceleration_fails_at_encode_not_at_construction() {
        let cfg = brickwork_core::config::from_json(r#"{"id":"lz4","acceleration":4294967296}"#).unwrap();
        let z = Lz4::from_config(&cfg).unwrap();
        assert!(z.encode_bytes(b"x").is_err());
        assert_eq!(z.config(), cfg);
    }

    #[test]
    fn decode_into_uninit_matches_decode_into() {
        let z = Lz4::default();
        let data: Vec<u8> = (0..50_000u32).flat_map(|i| (i % 300).to_le_bytes()).collect();
        let enc = z.encode_bytes(&data).unwrap();
        let mut out = vec![MaybeUninit::new(0xeeu8); data.len() + 3];
        assert_eq!(z.decode_into_uninit(&enc, &mut out).unwrap(), data.len());
        let got: Vec<u8> = out[..data.len()]
            .iter()
            .map(|b| unsafe { b.assume_init() })
            .collect();
        assert_eq!(got, data);
        let mut short = vec![MaybeUninit::new(0u8); data.len() - 1];
        assert!(matches!(
            z.decode_into_uninit(&enc, &mut short),
            Err(Error::OutputSize { .. })
        ));
        // a corrupt block is an error, as in decode_into
        let mut bad = enc.clone();
        let last = bad.len() - 1;
        bad.truncate(last);
        assert!(z.decode_into_uninit(&bad, &mut out).is_err());
        assert!(z.decode_into(&bad, &mut vec![0u8; data.len()]).is_err());
    }
}
