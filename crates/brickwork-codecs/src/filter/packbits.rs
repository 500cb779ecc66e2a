//! `packbits`: one bit per bool, MSB first, after a byte counting the pad bits (numcodecs' `PackBits`).
//!
//! * Config: `{"id": "packbits"}`.
//! * Encode: the bytes are viewed as bool (any nonzero byte is True), memory order; `n` elements give
//!   `1 + ceil(n / 8)` bytes: `out[0] = (8 - n % 8) % 8` pad bits, then the bits packed MSB-first
//!   (element 0 → bit 7 of `out[1]`), the last byte zero-padded. `[T,F,F,T]` → `04 90`; empty → `00`.
//! * Decode: `pad = in[0]`; the bits of `in[1..]` MSB-first, minus the last `pad` bits (a `pad` at least
//!   the bit count gives an empty array, as Python slicing does). Output is `|b1` (0/1 bytes). Empty input
//!   is an error (numcodecs: IndexError).

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Error, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

use super::numeric::decoded_size;

const ID: &str = "packbits";

/// numcodecs' `PackBits()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackBits {}

/// Packs 8 bool bytes (byte `i` of the little-endian `x` is element `i`) into one byte, element 0 in
/// bit 7. Each nonzero byte first becomes `0x80` (`(b & 0x7f) + 0x7f` sets bit 7 for 1..=0x7f, `| b` for
/// 0x80..), then one multiplication gathers the 8 high bits: byte `i`'s bit lands at bit `63 - i` and
/// no two partial products overlap, so there are no carries.
#[inline]
fn pack8(x: u64) -> u8 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let high = (((x & LOW7) + LOW7) | x) & !LOW7;
    ((high >> 7).wrapping_mul(0x8040_2010_0804_0201) >> 56) as u8
}

/// The 8 bool bytes (0/1, MSB first) of every packed byte.
const UNPACK: [[u8; 8]; 256] = {
    let mut t = [[0u8; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            t[b][i] = ((b >> (7 - i)) & 1) as u8;
            i += 1;
        }
        b += 1;
    }
    t
};

fn bool_dtype() -> Result<DType> {
    DType::parse("|b1")
}

impl Codec for PackBits {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let data = input.data();
        let mut out = vec![0u8; 1 + data.len().div_ceil(8)];
        let (head, packed) = out.split_at_mut(1);
        if let Some(h) = head.first_mut() {
            *h = ((8 - data.len() % 8) % 8) as u8;
        }
        let (chunks, rest) = data.as_chunks::<8>();
        for (o, c) in packed.iter_mut().zip(chunks) {
            *o = pack8(u64::from_le_bytes(*c));
        }
        if let Some(last) = packed.get_mut(chunks.len()) {
            let mut c = [0u8; 8];
            for (d, &v) in c.iter_mut().zip(rest) {
                *d = v;
            }
            *last = pack8(u64::from_le_bytes(c));
        }
        Ok(out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let Some((&pad, packed)) = encoded.split_first() else {
            return Err(Error::corrupt(
                ID,
                "empty input: expected at least the pad-count byte",
            ));
        };
        let n = (packed.len() * 8).saturating_sub(usize::from(pad));
        decoded_size(ID, n, bool_dtype()?, limits)?;
        let mut out = vec![0u8; n];
        let (chunks, rest) = out.as_chunks_mut::<8>();
        for (o, &byte) in chunks.iter_mut().zip(packed) {
            *o = UNPACK[usize::from(byte)];
        }
        if let Some(&byte) = packed.get(chunks.len()) {
            for (o, &v) in rest.iter_mut().zip(&UNPACK[usize::from(byte)]) {
                *o = v;
            }
        }
        ArrayBuf::from_vec_1d(out, bool_dtype()?)
    }
}

impl StaticCodec for PackBits {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &[], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<PackBits>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numcodecs_vectors() {
        let p = PackBits::default();
        assert_eq!(p.encode_bytes(&[1, 0, 0, 1]).unwrap(), [0x04, 0x90]);
        assert_eq!(p.encode_bytes(&[1; 8]).unwrap(), [0x00, 0xff]);
        assert_eq!(p.encode_bytes(&[1; 9]).unwrap(), [0x07, 0xff, 0x80]);
        assert_eq!(p.encode_bytes(&[]).unwrap(), [0x00]);
        assert_eq!(p.encode_bytes(&[0, 7, 0, 255]).unwrap(), [0x04, 0x50]);
        let d = p.decode(&[0x04, 0x90], &Limits::default()).unwrap();
        assert_eq!(d.dtype().to_string(), "|b1");
        assert_eq!(d.data(), [1, 0, 0, 1]);
        assert!(p.decode(&[0x00], &Limits::default()).unwrap().is_empty());
        assert!(p.decode(&[0xff, 0x12], &Limits::default()).unwrap().is_empty());
        assert!(p.decode(&[], &Limits::default()).is_err());
        assert!(matches!(
            p.decode(&[0, 1, 2], &Limits::new(15)),
            Err(Error::LimitExceeded { .. })
        ));
        assert_eq!(
            serde_json::to_string(&p.config()).unwrap(),
            r#"{"id":"packbits"}"#
        );
    }

    /// The word-at-a-time packing against the bit-by-bit definition, for every byte value and position.
    #[test]
    fn pack8_matches_definition() {
        for pos in 0..8 {
            for v in 0..=255u8 {
                let mut c = [0u8; 8];
                c[pos] = v;
                c[(pos + 3) % 8] = 0x80;
                let want = c
                    .iter()
                    .enumerate()
                    .fold(0u8, |acc, (i, &b)| acc | (u8::from(b != 0) << (7 - i)));
                assert_eq!(pack8(u64::from_le_bytes(c)), want, "{c:?}");
            }
        }
    }

    #[test]
    fn round_trip() {
        let p = PackBits::default();
        for n in 0..40usize {
            let data: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
            let enc = p.encode_bytes(&data).unwrap();
            assert_eq!(enc.len(), 1 + n.div_ceil(8));
            assert_eq!(p.decode(&enc, &Limits::default()).unwrap().data(), &data[..]);
        }
    }
}
