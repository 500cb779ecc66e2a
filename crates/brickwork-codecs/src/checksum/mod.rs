//! numcodecs' checksum codecs: `crc32`, `crc32c`, `adler32` (the `Checksum32` family, written once here
//! as [`Checksum32`]), and `fletcher32` and `jenkins_lookup3` (their own framing, payload then checksum).
//!
//! Every decoder recomputes the checksum over the payload and refuses a mismatch
//! ([`Error::ChecksumMismatch`]) or input too short to hold a checksum ([`Error::Corrupt`]).

pub mod adler32;
pub mod crc32;
pub mod crc32c;
pub mod fletcher32;
pub mod jenkins_lookup3;

use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use brickwork_core::{
    copy_exact, copy_to_uninit, ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec,
};
use serde::{Deserialize, Serialize};

/// Where a [`Checksum32`] codec puts the checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// `u32le(checksum) ‖ payload`.
    Start,
    /// `payload ‖ u32le(checksum)`.
    End,
}

/// One checksum of the `Checksum32` family.
pub trait Checksum32Algorithm: Send + Sync + 'static {
    /// The codec id.
    const ID: &'static str;
    /// Where the checksum goes when the config has no `location`.
    const DEFAULT_LOCATION: Location;
    /// The checksum of no data, where [`Checksum32Algorithm::update`] starts (numcodecs' default
    /// `value` of `checksum(data, value)`: 0 for the CRCs, 1 for Adler-32).
    const INITIAL: u32;
    /// The checksum of `previous data ‖ data`, given `value`, the checksum of the previous data
    /// (`zlib.crc32(data, value)`).
    fn update(value: u32, data: &[u8]) -> u32;
    /// The checksum of `data`.
    fn checksum(data: &[u8]) -> u32 {
        Self::update(Self::INITIAL, data)
    }
}

/// numcodecs' incremental `checksum(data, value)` of the checksum codecs with one (`CRC32.checksum`,
/// `Adler32.checksum`, `CRC32C.checksum`, and `jenkins_lookup3(data, initval)`, where `value` is the
/// seed), by codec id; `None` for another id.
pub fn checksum(codec_id: &str, data: &[u8], value: u32) -> Option<u32> {
    Some(match codec_id {
        crc32::Crc32Algorithm::ID => crc32::Crc32Algorithm::update(value, data),
        adler32::Adler32Algorithm::ID => adler32::Adler32Algorithm::update(value, data),
        crc32c::Crc32cAlgorithm::ID => crc32c::Crc32cAlgorithm::update(value, data),
        jenkins_lookup3::ID => jenkins_lookup3::lookup3(data, value),
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
}

/// numcodecs' `Checksum32(location=None)`: a little-endian u32 checksum before or after the payload.
///
/// * Config: `{"id": "<id>"}`, plus `"location": "start"|"end"` **only if it was given** (numcodecs keeps
///   the default on the class, so `CRC32()` and `CRC32(location='start')` have different configs and are
///   not equal, though they behave the same). Other locations are refused (numcodecs: ValueError).
/// * Encode: `u32le(checksum) ‖ payload` (start) or `payload ‖ u32le(checksum)` (end); the payload is the
///   input's bytes in memory order. Empty payloads are fine.
/// * Decode: fewer than 4 bytes → [`Error::Corrupt`]; a mismatch → [`Error::ChecksumMismatch`]; returns
///   the payload as `|u1`. `decode_into` needs exactly the payload size (numcodecs' `ndarray_copy`).
pub struct Checksum32<A> {
    params: Params,
    algorithm: PhantomData<fn() -> A>,
}

impl<A> Clone for Checksum32<A> {
    fn clone(&self) -> Self {
        Checksum32 {
            params: self.params.clone(),
            algorithm: PhantomData,
        }
    }
}

impl<A> PartialEq for Checksum32<A> {
    fn eq(&self, other: &Self) -> bool {
        self.params == other.params
    }
}

impl<A: Checksum32Algorithm> fmt::Debug for Checksum32<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checksum32")
            .field("id", &A::ID)
            .field("location", &self.params.location)
            .finish()
    }
}

impl<A: Checksum32Algorithm> Default for Checksum32<A> {
    fn default() -> Self {
        Self::new(None)
    }
}

impl<A: Checksum32Algorithm> Checksum32<A> {
    /// A checksum codec; `None` uses the codec's default location and leaves `location` out of the config.
    pub fn new(location: Option<Location>) -> Self {
        Checksum32 {
            params: Params { location },
            algorithm: PhantomData,
        }
    }

    /// The location in effect.
    pub fn location(&self) -> Location {
        self.params.location.unwrap_or(A::DEFAULT_LOCATION)
    }

    /// Checks the stored checksum and returns the payload.
    fn payload<'a>(&self, encoded: &'a [u8]) -> Result<&'a [u8]> {
        let (stored, payload) = match self.location() {
            Location::Start => split_start(A::ID, encoded)?,
            Location::End => split_end(A::ID, encoded)?,
        };
        verify(A::ID, stored, A::checksum(payload))?;
        Ok(payload)
    }
}

/// Splits `u32le ‖ payload`.
fn split_start<'a>(codec: &str, encoded: &'a [u8]) -> Result<(u32, &'a [u8])> {
    match encoded.split_first_chunk::<4>() {
        Some((head, payload)) => Ok((u32::from_le_bytes(*head), payload)),
        None => Err(too_short(codec, encoded.len())),
    }
}

/// Splits `payload ‖ u32le`.
pub(crate) fn split_end<'a>(codec: &str, encoded: &'a [u8]) -> Result<(u32, &'a [u8])> {
    match encoded.split_last_chunk::<4>() {
        Some((payload, tail)) => Ok((u32::from_le_bytes(*tail), payload)),
        None => Err(too_short(codec, encoded.len())),
    }
}

fn too_short(codec: &str, len: usize) -> Error {
    Error::corrupt(
        codec,
        format!("input buffer is too short to contain a 32-bit checksum: {len} bytes, need at least 4"),
    )
}

/// Compares a stored checksum with the computed one.
pub(crate) fn verify(codec: &str, stored: u32, computed: u32) -> Result<()> {
    if stored != computed {
        return Err(Error::ChecksumMismatch {
            codec: codec.to_owned(),
            stored,
            computed,
        });
    }
    Ok(())
}

/// A payload as the decoded `|u1` array, within `limits`.
pub(crate) fn payload_buf(codec: &str, payload: &[u8], limits: &Limits) -> Result<ArrayBuf> {
    if payload.len() > limits.max_decoded_bytes {
        return Err(Error::limit(
            codec,
            "decoded output",
            payload.len() as u64,
            limits.max_decoded_bytes,
        ));
    }
    Ok(ArrayBuf::from_bytes(payload.to_vec()))
}

/// Writes `payload ‖ u32le(checksum)` (`checksum_first`: `u32le(checksum) ‖ payload`) into the front of
/// `out`, for [`Codec::encode_into`]; returns the bytes written.
pub(crate) fn write_with_checksum(
    codec: &str,
    payload: &[u8],
    checksum: u32,
    checksum_first: bool,
    out: &mut [MaybeUninit<u8>],
) -> Result<usize> {
    let total = payload.len() + 4;
    if out.len() < total {
        return Err(Error::output_size(codec, format!("at least {total}"), out.len()));
    }
    let (first, second) = out.split_at_mut(if checksum_first { 4 } else { payload.len() });
    if checksum_first {
        copy_to_uninit(codec, &checksum.to_le_bytes(), first)?;
        copy_to_uninit(codec, payload, second)?;
    } else {
        copy_to_uninit(codec, payload, first)?;
        copy_to_uninit(codec, &checksum.to_le_bytes(), second)?;
    }
    Ok(total)
}

/// `payload ‖ u32le(checksum)`.
pub(crate) fn append_checksum(payload: &[u8], checksum: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.extend_from_slice(payload);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

impl<A: Checksum32Algorithm> Codec for Checksum32<A> {
    fn codec_id(&self) -> &str {
        A::ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(A::ID, &self.params)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let payload = input.data();
        let checksum = A::checksum(payload);
        Ok(match self.location() {
            Location::End => append_checksum(payload, checksum),
            Location::Start => {
                let mut out = Vec::with_capacity(payload.len() + 4);
                out.extend_from_slice(&checksum.to_le_bytes());
                out.extend_from_slice(payload);
                out
            }
        })
    }

    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        input.data().len().checked_add(4)
    }

    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        let payload = input.data();
        let first = matches!(self.location(), Location::Start);
        write_with_checksum(A::ID, payload, A::checksum(payload), first, out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        payload_buf(A::ID, self.payload(encoded)?, limits)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        copy_exact(A::ID, self.payload(encoded)?, out)
    }

    fn decoded_range(&self, encoded: &[u8]) -> Option<Result<std::ops::Range<usize>>> {
        let start = match self.location() {
            Location::Start => 4,
            Location::End => 0,
        };
        Some(self.payload(encoded).map(|p| start..start + p.len()))
    }
}

impl<A: Checksum32Algorithm> StaticCodec for Checksum32<A> {
    const ID: &'static str = A::ID;
    fn from_config(config: &Config) -> Result<Self> {
        let params: Params = brickwork_core::config::parse(A::ID, &["location"], config)?;
        Ok(Checksum32 {
            params,
            algorithm: PhantomData,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Shared checks of a `Checksum32` codec against a known `b"Hello World"` checksum.
    pub(crate) fn check_family<A: Checksum32Algorithm>(hello: u32, empty: u32) {
        let c = Checksum32::<A>::default();
        let data = b"Hello World";
        // incremental: the checksum of "Hello" continued over " World" is the whole one, at every split
        assert_eq!(A::INITIAL, empty);
        for split in 0..=data.len() {
            let first = checksum(A::ID, &data[..split], A::INITIAL).unwrap();
            assert_eq!(
                checksum(A::ID, &data[split..], first),
                Some(hello),
                "{} split at {split}",
                A::ID
            );
        }
        let enc = c.encode_bytes(data).unwrap();
        match A::DEFAULT_LOCATION {
            Location::Start => assert_eq!(enc[..4], hello.to_le_bytes()),
            Location::End => assert_eq!(enc[11..], hello.to_le_bytes()),
        }
        assert_eq!(c.decode(&enc, &Limits::default()).unwrap().data(), data);
        let mut out = [0u8; 11];
        assert_eq!(c.decode_into(&enc, &mut out).unwrap(), 11);
        assert_eq!(&out, data);
        assert!(matches!(
            c.decode_into(&enc, &mut [0u8; 12]),
            Err(Error::OutputSize { .. })
        ));
        assert!(matches!(
            c.decode_into(&enc, &mut [0u8; 10]),
            Err(Error::OutputSize { .. })
        ));
        assert!(matches!(
            c.decode(&enc, &Limits::new(10)),
            Err(Error::LimitExceeded { .. })
        ));
        // Every single-bit flip is caught.
        for i in 0..enc.len() {
            let mut bad = enc.clone();
            bad[i] ^= 0x10;
            assert!(matches!(
                c.decode(&bad, &Limits::default()),
                Err(Error::ChecksumMismatch { .. })
            ));
        }
        for short in 0..4 {
            assert!(matches!(
                c.decode(&enc[..short], &Limits::default()),
                Err(Error::Corrupt { .. })
            ));
        }
        let start = if A::DEFAULT_LOCATION == Location::Start {
            4
        } else {
            0
        };
        assert_eq!(c.decoded_range(&enc).unwrap().unwrap(), start..start + 11);
        assert!(matches!(
            c.decoded_range(&enc[..3]),
            Some(Err(Error::Corrupt { .. }))
        ));
        let e = c.encode_bytes(b"").unwrap();
        assert_eq!(e, empty.to_le_bytes());
        assert!(c.decode(&e, &Limits::default()).unwrap().is_empty());

        // Both locations; config emits location only when given.
        for (loc, name) in [(Location::Start, "start"), (Location::End, "end")] {
            let c = Checksum32::<A>::new(Some(loc));
            let enc = c.encode_bytes(data).unwrap();
            assert_eq!(c.decode(&enc, &Limits::default()).unwrap().data(), data);
            let json = format!(r#"{{"id":"{}","location":"{name}"}}"#, A::ID);
            assert_eq!(serde_json::to_string(&c.config()).unwrap(), json);
            let back =
                Checksum32::<A>::from_config(&brickwork_core::config::from_json(&json).unwrap()).unwrap();
            assert_eq!(back, c);
        }
        let json = format!(r#"{{"id":"{}"}}"#, A::ID);
        assert_eq!(
            serde_json::to_string(&Checksum32::<A>::default().config()).unwrap(),
            json
        );
        let bad = format!(r#"{{"id":"{}","location":"middle"}}"#, A::ID);
        assert!(Checksum32::<A>::from_config(&brickwork_core::config::from_json(&bad).unwrap()).is_err());
    }

    #[test]
    fn incremental_checksum_by_id() {
        // lookup3's `value` is its seed (numcodecs' `jenkins_lookup3(data, initval)`)
        assert_eq!(
            checksum("jenkins_lookup3", b"abc", 7),
            Some(jenkins_lookup3::lookup3(b"abc", 7))
        );
        assert_eq!(checksum("fletcher32", b"abc", 0), None);
        assert_eq!(checksum("zlib", b"abc", 0), None);
    }
}
