//! `fletcher32`: HDF5's Fletcher-32 after the payload (numcodecs' `Fletcher32`).
//!
//! * Config: `{"id": "fletcher32"}`.
//! * Checksum: 16-bit words read **big-endian** (`d[0] << 8 | d[1]`), summed in blocks of 360 words with
//!   the two sums folded to 16 bits after each block; an odd last byte counts as `d << 8`; both sums are
//!   folded once more; the result is `sum2 << 16 | sum1` (HDF5's `H5_checksum_fletcher32`).
//! * Wire format: `payload ‖ u32le(checksum)`.
//! * Decode: a mismatch → [`brickwork_core::Error::ChecksumMismatch`]; fewer than 4 bytes →
//!   [`brickwork_core::Error::Corrupt`]. `decode_into` accepts an `out` larger than the payload (only its
//!   start is written), as numcodecs does, and refuses a smaller one (numcodecs' memcpy overruns it).
//! * Difference from numcodecs: an empty payload encodes to its checksum `00 00 00 00` and decodes back
//!   (numcodecs raises IndexError both ways).
//! * Vectors: `b"abc"` → `61 62 63 | 62 c4 c5 25`; `b"abcd"` → `... | c6 c4 29 26`; `b"Hello World"` →
//!   `... | ce 51 26 dc`.

use brickwork_core::{check_out_at_least, ArrayBuf, ArrayView, Codec, Config, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

use super::{append_checksum, payload_buf, split_end, verify};

const ID: &str = "fletcher32";

/// numcodecs' `Fletcher32()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fletcher32 {}

/// HDF5's Fletcher-32 of `data`.
pub fn fletcher32(data: &[u8]) -> u32 {
    let fold = |s: u32| (s & 0xffff) + (s >> 16);
    let (mut sum1, mut sum2) = (0u32, 0u32);
    let (words, odd) = data.as_chunks::<2>();
    let odd = odd.first().copied();
    // 360 words keep both sums below 2**32 before folding; each block is a tight loop with no branch.
    for block in words.chunks(360) {
        for w in block {
            sum1 += u32::from(u16::from_be_bytes(*w));
            sum2 += sum1;
        }
        sum1 = fold(sum1);
        sum2 = fold(sum2);
    }
    if let Some(b) = odd {
        sum1 += u32::from(b) << 8;
        sum2 += sum1;
        sum1 = fold(sum1);
        sum2 = fold(sum2);
    }
    sum1 = fold(sum1);
    sum2 = fold(sum2);
    (sum2 << 16) | sum1
}

impl Fletcher32 {
    fn payload<'a>(&self, encoded: &'a [u8]) -> Result<&'a [u8]> {
        let (stored, payload) = split_end(ID, encoded)?;
        verify(ID, stored, fletcher32(payload))?;
        Ok(payload)
    }
}

impl Codec for Fletcher32 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        Ok(append_checksum(input.data(), fletcher32(input.data())))
    }

    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        input.data().len().checked_add(4)
    }

    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [std::mem::MaybeUninit<u8>]) -> Result<usize> {
        let payload = input.data();
        super::write_with_checksum(ID, payload, fletcher32(payload), false, out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        payload_buf(ID, self.payload(encoded)?, limits)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let payload = self.payload(encoded)?;
        check_out_at_least(ID, payload.len(), out)?;
        out[..payload.len()].copy_from_slice(payload);
        Ok(payload.len())
    }

    fn decoded_range(&self, encoded: &[u8]) -> Option<Result<std::ops::Range<usize>>> {
        Some(self.payload(encoded).map(|p| 0..p.len()))
    }
}

impl StaticCodec for Fletcher32 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &[], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Fletcher32>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::Error;

    #[test]
    fn numcodecs_vectors() {
        let f = Fletcher32::default();
        assert_eq!(
            f.encode_bytes(b"abc").unwrap(),
            [0x61, 0x62, 0x63, 0x62, 0xc4, 0xc5, 0x25]
        );
        assert_eq!(&f.encode_bytes(b"abcd").unwrap()[4..], [0xc6, 0xc4, 0x29, 0x26]);
        assert_eq!(
            &f.encode_bytes(b"Hello World").unwrap()[11..],
            [0xce, 0x51, 0x26, 0xdc]
        );
        // From numcodecs 0.17.1: data[i] = (7i + 3) % 256, checksum bytes as encoded.
        let data: Vec<u8> = (0..1001u32).map(|i| ((i * 7 + 3) % 256) as u8).collect();
        for (n, tail) in [
            (1, "00030003"),
            (2, "0a030a03"),
            (3, "0a141417"),
            (4, "22142c17"),
            (11, "bee46e2b"),
            (719, "fed0c6ac"),
            (720, "aad172ad"),
            (721, "ab841e32"),
            (1001, "c571968f"),
        ] {
            let enc = f.encode_bytes(&data[..n]).unwrap();
            let hex: String = enc[n..].iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, tail, "n = {n}");
            assert_eq!(f.decode(&enc, &Limits::default()).unwrap().data(), &data[..n]);
        }
    }

    #[test]
    fn decode_checks() {
        let f = Fletcher32::default();
        let enc = f.encode_bytes(b"Hello World").unwrap();
        let mut out = [0xaa; 13];
        assert_eq!(f.decode_into(&enc, &mut out).unwrap(), 11);
        assert_eq!(&out[..11], b"Hello World");
        assert_eq!(&out[11..], [0xaa, 0xaa]);
        assert_eq!(f.decoded_range(&enc).unwrap().unwrap(), 0..11);
        assert!(matches!(
            f.decode_into(&enc, &mut [0; 10]),
            Err(Error::OutputSize { .. })
        ));
        let mut bad = enc.clone();
        bad[3] ^= 1;
        assert!(matches!(
            f.decode(&bad, &Limits::default()),
            Err(Error::ChecksumMismatch { .. })
        ));
        assert!(matches!(
            f.decoded_range(&bad),
            Some(Err(Error::ChecksumMismatch { .. }))
        ));
        assert!(matches!(
            f.decode(&enc[..3], &Limits::default()),
            Err(Error::Corrupt { .. })
        ));
        assert_eq!(f.encode_bytes(b"").unwrap(), [0, 0, 0, 0]);
        assert!(f.decode(&[0, 0, 0, 0], &Limits::default()).unwrap().is_empty());
        assert_eq!(
            serde_json::to_string(&f.config()).unwrap(),
            r#"{"id":"fletcher32"}"#
        );
    }
}
