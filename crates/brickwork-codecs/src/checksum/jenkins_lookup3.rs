//! `jenkins_lookup3`: Bob Jenkins' lookup3 `hashlittle` (HDF5's `H5_checksum_lookup3`) after the payload
//! (numcodecs' `JenkinsLookup3`).
//!
//! * Config: `{"id": "jenkins_lookup3", "initval": 0, "prefix": null}`, both keys always emitted.
//!   `initval` is the hash seed (a u32; other values fail at encode, numcodecs' OverflowError). `prefix`
//!   is null or bytes hashed before the payload but not emitted; numcodecs stores it as a NumPy array,
//!   which JSON cannot hold, so here it is a list of byte values.
//! * Wire format: `payload ‖ u32le(hash(prefix ‖ payload, initval))`.
//! * Decode: a mismatch → [`brickwork_core::Error::ChecksumMismatch`]; fewer than 4 bytes →
//!   [`brickwork_core::Error::Corrupt`]; `decode_into` needs exactly the payload size (numcodecs assigns
//!   `out.view(u1)[:] = payload`).
//! * Vectors: `hash(b"", 0) = 0xdeadbeef`, `hash(b"Four score and seven years ago", 0) = 0x17770551`,
//!   `b"Hello World"` → tail `92 08 52 09`.

use brickwork_core::{copy_exact, ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

use super::{append_checksum, payload_buf, split_end, verify};

/// The codec id.
pub const ID: &str = "jenkins_lookup3";

/// numcodecs' `JenkinsLookup3(initval=0, prefix=None)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JenkinsLookup3 {
    /// The hash seed (a u32).
    #[serde(default)]
    pub initval: i64,
    /// Bytes hashed before the payload, if any.
    #[serde(default)]
    pub prefix: Option<Vec<u8>>,
}

#[inline]
fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(4);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(6);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(8);
    *b = b.wrapping_add(*a);
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(16);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(19);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(4);
    *b = b.wrapping_add(*a);
}

#[inline]
fn finalize(a: &mut u32, b: &mut u32, c: &mut u32) {
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(14));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(11));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(25));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(16));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(4));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(14));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(24));
}

/// Little-endian u32 of up to 4 bytes (missing bytes are 0).
#[inline]
fn le(bytes: &[u8]) -> u32 {
    bytes.iter().rev().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

/// lookup3 `hashlittle` of `data`, seeded with `initval`.
pub fn lookup3(data: &[u8], initval: u32) -> u32 {
    let start = 0xdead_beef_u32
        .wrapping_add(data.len() as u32)
        .wrapping_add(initval);
    let (mut a, mut b, mut c) = (start, start, start);
    if data.is_empty() {
        return c;
    }
    // Every full 12-byte block but the last is mixed; the last 1..=12 bytes are the tail.
    let body = (data.len() - 1) / 12 * 12;
    let (blocks, tail) = data.split_at(body);
    for k in blocks.chunks_exact(12) {
        a = a.wrapping_add(le(&k[0..4]));
        b = b.wrapping_add(le(&k[4..8]));
        c = c.wrapping_add(le(&k[8..12]));
        mix(&mut a, &mut b, &mut c);
    }
    let n = tail.len();
    a = a.wrapping_add(le(&tail[..n.min(4)]));
    b = b.wrapping_add(le(&tail[n.min(4)..n.min(8)]));
    c = c.wrapping_add(le(&tail[n.min(8)..]));
    finalize(&mut a, &mut b, &mut c);
    c
}

impl JenkinsLookup3 {
    /// A lookup3 checksum codec.
    pub fn new(initval: u32, prefix: Option<Vec<u8>>) -> Self {
        JenkinsLookup3 {
            initval: i64::from(initval),
            prefix,
        }
    }

    fn hash(&self, payload: &[u8]) -> Result<u32> {
        let initval = u32::try_from(self.initval).map_err(|_| {
            Error::invalid_input(
                ID,
                format!("initval {} does not fit in an unsigned 32-bit int", self.initval),
            )
        })?;
        Ok(match self.prefix.as_deref() {
            None | Some([]) => lookup3(payload, initval),
            Some(prefix) => lookup3(&[prefix, payload].concat(), initval),
        })
    }

    fn payload<'a>(&self, encoded: &'a [u8]) -> Result<&'a [u8]> {
        let (stored, payload) = split_end(ID, encoded)?;
        verify(ID, stored, self.hash(payload)?)?;
        Ok(payload)
    }
}

impl Codec for JenkinsLookup3 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        Ok(append_checksum(input.data(), self.hash(input.data())?))
    }

    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        input.data().len().checked_add(4)
    }

    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [std::mem::MaybeUninit<u8>]) -> Result<usize> {
        let payload = input.data();
        super::write_with_checksum(ID, payload, self.hash(payload)?, false, out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        payload_buf(ID, self.payload(encoded)?, limits)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        copy_exact(ID, self.payload(encoded)?, out)
    }

    fn decoded_range(&self, encoded: &[u8]) -> Option<Result<std::ops::Range<usize>>> {
        Some(self.payload(encoded).map(|p| 0..p.len()))
    }
}

impl StaticCodec for JenkinsLookup3 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["initval", "prefix"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<JenkinsLookup3>();

#[cfg(test)]
mod tests {
    use super::*;

    fn tail(c: &JenkinsLookup3, data: &[u8]) -> String {
        let enc = c.encode_bytes(data).unwrap();
        enc[data.len()..].iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn known_hashes() {
        assert_eq!(lookup3(b"", 0), 0xdead_beef);
        assert_eq!(lookup3(b"", 0xdead_beef), 0xbd5b_7dde);
        assert_eq!(lookup3(b"Four score and seven years ago", 0), 0x1777_0551);
        assert_eq!(lookup3(b"Four score and seven years ago", 1), 0xcd62_8161);
        assert_eq!(lookup3(b"jenkins", 0), 202_276_345);
        assert_eq!(tail(&JenkinsLookup3::default(), b"Hello World"), "92085209");
    }

    #[test]
    fn numcodecs_vectors() {
        // From numcodecs 0.17.1: data[i] = (7i + 3) % 256.
        let data: Vec<u8> = (0..1001u32).map(|i| ((i * 7 + 3) % 256) as u8).collect();
        let zero = JenkinsLookup3::default();
        let seeded = JenkinsLookup3::new(1230, None);
        for (n, t0, t1230) in [
            (0, "efbeadde", "bdc3adde"),
            (1, "cea960bb", "064be6a2"),
            (11, "01b6e35b", "cbe439db"),
            (12, "981a6be9", "abaed2b0"),
            (13, "967317d3", "a6c914b3"),
            (24, "abaf48b4", "8cf6da86"),
            (25, "57814313", "63d1ecd0"),
            (1001, "bcefdbd2", "fcfbc515"),
        ] {
            assert_eq!(tail(&zero, &data[..n]), t0, "n = {n}");
            assert_eq!(tail(&seeded, &data[..n]), t1230, "n = {n}, initval 1230");
        }
        let prefixed = JenkinsLookup3::new(0, Some(b"FADB\x00\x01\xcf\x01\x00\x00\x00\x00\x00\x00".to_vec()));
        assert_eq!(tail(&prefixed, &data[..50]), "eadbff8c");
        let enc = prefixed.encode_bytes(&data[..50]).unwrap();
        assert_eq!(
            prefixed.decode(&enc, &Limits::default()).unwrap().data(),
            &data[..50]
        );
        assert!(zero.decode(&enc, &Limits::default()).is_err());
    }

    #[test]
    fn config_and_decode_checks() {
        let c = JenkinsLookup3::from_config(
            &brickwork_core::config::from_json(r#"{"id":"jenkins_lookup3"}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"jenkins_lookup3","initval":0,"prefix":null}"#
        );
        let enc = c.encode_bytes(b"abc").unwrap();
        assert!(matches!(
            c.decode_into(&enc, &mut [0; 4]),
            Err(Error::OutputSize { .. })
        ));
        let mut out = [0; 3];
        assert_eq!(c.decode_into(&enc, &mut out).unwrap(), 3);
        assert_eq!(c.decoded_range(&enc).unwrap().unwrap(), 0..3);
        assert!(matches!(
            c.decoded_range(&enc[1..]),
            Some(Err(Error::ChecksumMismatch { .. }))
        ));
        assert!(matches!(
            c.decode(&enc[..3], &Limits::default()),
            Err(Error::Corrupt { .. })
        ));
        let big = JenkinsLookup3 {
            initval: 1 << 32,
            prefix: None,
        };
        assert!(big.encode_bytes(b"x").is_err());
    }
}
