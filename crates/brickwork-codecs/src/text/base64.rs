//! `base64`: bytes as standard base64 text (numcodecs' `Base64`, Python's `base64.standard_b64encode`
//! and `standard_b64decode`).
//!
//! * Config: `{"id": "base64"}` (no parameters).
//! * Encode: RFC 4648 standard alphabet (`A–Z a–z 0–9 + /`), `=` padding, no line breaks; the input is
//!   the array's raw bytes in memory order.
//! * Decode: as CPython's non-strict `binascii.a2b_base64` (spec §5.1): characters outside the alphabet
//!   and `=` are skipped (whitespace, `-`, `_`, ...); decoding stops at the first complete padded
//!   quantum (`AA==AA==` → `00`); non-canonical trailing bits are accepted (`AB==` → `00`); a data
//!   character count ≡ 1 (mod 4) and missing/misplaced padding are errors with binascii's messages.
//!   Output is at most 3/4 of the input and is bounded by [`Limits`].

use base64::Engine;
use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, Error, Kind, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

const ID: &str = "base64";

/// numcodecs' `Base64()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base64 {}

/// The 6-bit value of a base64 alphabet character.
fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// CPython's `binascii.a2b_base64(data, strict_mode=False)`.
pub fn a2b_base64(data: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity((data.len() / 4 * 3 + 3).min(limits.max_decoded_bytes));
    let mut quad_pos = 0u8;
    let mut pads = 0u8;
    let mut left = 0u8;
    for &c in data {
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let Some(v) = sextet(c) else { continue };
        pads = 0;
        let byte = match quad_pos {
            0 => {
                left = v;
                quad_pos = 1;
                continue;
            }
            1 => {
                let b = (left << 2) | (v >> 4);
                left = v & 0x0f;
                quad_pos = 2;
                b
            }
            2 => {
                let b = (left << 4) | (v >> 2);
                left = v & 0x03;
                quad_pos = 3;
                b
            }
            _ => {
                quad_pos = 0;
                (left << 6) | v
            }
        };
        if out.len() >= limits.max_decoded_bytes {
            return Err(Error::limit(
                ID,
                "decoded output",
                out.len() as u64 + 1,
                limits.max_decoded_bytes,
            ));
        }
        out.push(byte);
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(Error::corrupt(
            ID,
            format!(
                "Invalid base64-encoded string: number of data characters ({}) cannot be 1 more than a multiple of 4",
                out.len() / 3 * 4 + 1
            ),
        )),
        _ => Err(Error::corrupt(ID, "Incorrect padding")),
    }
}

impl Codec for Base64 {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        if input.dtype().kind() == Kind::Object {
            return Err(Error::invalid_input(ID, "object arrays are not supported"));
        }
        Ok(base64::engine::general_purpose::STANDARD
            .encode(input.data())
            .into_bytes())
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        a2b_base64(encoded, limits).map(ArrayBuf::from_bytes)
    }
}

impl StaticCodec for Base64 {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &[], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Base64>();

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Result<Vec<u8>> {
        Base64::default()
            .decode(s.as_bytes(), &Limits::default())
            .map(ArrayBuf::into_data)
    }

    #[test]
    fn encode_vectors() {
        let c = Base64::default();
        assert_eq!(c.encode_bytes(b"\x00\x01\x02\x03\x04").unwrap(), b"AAECAwQ=");
        assert_eq!(c.encode_bytes(b"").unwrap(), b"");
        assert_eq!(c.encode_bytes(&[0xfb, 0xff]).unwrap(), b"+/8=");
        assert_eq!(serde_json::to_string(&c.config()).unwrap(), r#"{"id":"base64"}"#);
    }

    #[test]
    fn binascii_lenient_decode() {
        // Each checked against CPython 3.12 base64.standard_b64decode.
        assert_eq!(dec("AAECAwQ=").unwrap(), b"\x00\x01\x02\x03\x04");
        assert_eq!(dec("-_-_").unwrap(), b"");
        assert_eq!(dec("AA==AA==").unwrap(), b"\x00");
        assert_eq!(dec("AB==").unwrap(), b"\x00");
        assert_eq!(dec("A A\nE\tC").unwrap(), b"\x00\x01\x02");
        assert_eq!(dec("AAA=junk").unwrap(), b"\x00\x00");
        assert_eq!(dec("").unwrap(), b"");
        assert_eq!(dec("=").unwrap(), b"");
        assert!(dec("A=A=A")
            .unwrap_err()
            .to_string()
            .contains("Incorrect padding"));
        let e = dec("AAAAA").unwrap_err().to_string();
        assert!(
            e.contains("number of data characters (5) cannot be 1 more"),
            "{e}"
        );
        let e = dec("A").unwrap_err().to_string();
        assert!(e.contains("(1)"), "{e}");
        assert!(dec("AA").unwrap_err().to_string().contains("Incorrect padding"));
        assert!(dec("AAA").unwrap_err().to_string().contains("Incorrect padding"));
        assert!(dec("AA=").unwrap_err().to_string().contains("Incorrect padding"));
        assert!(matches!(
            Base64::default().decode(b"AAAAAAAA", &Limits::new(5)),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
