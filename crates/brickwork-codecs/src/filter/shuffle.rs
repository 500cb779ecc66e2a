//! `shuffle`: a byte transpose of the whole buffer (numcodecs' `Shuffle`, no blocks).
//!
//! * Config: `{"id": "shuffle", "elementsize": 4}` (default 4).
//! * Encode: with `n = len / elementsize` elements, output byte `b*n + i` is input byte `i*elementsize + b`
//!   (all first bytes, then all second bytes, ...). Decode is the inverse. `elementsize <= 1` (including 0
//!   and negative values) copies the bytes unchanged.
//! * The input is taken as raw bytes in memory order; its dtype does not matter. A length that is not a
//!   multiple of `elementsize` is an error (numcodecs: ValueError).
//! * `decode_into`: `out` may be larger than the data (only the first bytes are written), as in numcodecs;
//!   a smaller `out` is refused (numcodecs' Cython writes past its end).
//! * Kernels: element sizes 2, 4, 8 and 16 use the SSE2 byte transpose shared with Blosc
//!   (`crate::transpose`); other sizes a tiled scalar loop. Outputs are written without zero-filling.
//! * Example: `Shuffle(4)` of `<u4 [0x01020304, 0x05060708]` → `04 08 03 07 02 06 01 05`.

use std::mem::MaybeUninit;

use brickwork_core::{
    copy_to_uninit, ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec,
};
use serde::{Deserialize, Serialize};

use crate::transpose;

const ID: &str = "shuffle";

/// numcodecs' `Shuffle(elementsize=4)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shuffle {
    /// Size in bytes of the elements; `<= 1` means no shuffling.
    #[serde(default = "default_elementsize")]
    pub elementsize: i64,
}

fn default_elementsize() -> i64 {
    4
}

impl Default for Shuffle {
    fn default() -> Self {
        Shuffle {
            elementsize: default_elementsize(),
        }
    }
}

/// Elements per tile of the generic (un)shuffle: a tile's planes stay in cache while it is transposed.
const TILE: usize = 256;

/// Shuffle for the element sizes without an SSE2 kernel, tile by tile so that each plane is written in
/// runs of [`TILE`] bytes instead of one byte per cache line. Writes every byte of `out` (as long as
/// `input`, a multiple of `es` bytes).
fn shuffle_any(es: usize, input: &[u8], out: &mut [MaybeUninit<u8>]) {
    let count = input.len() / es;
    for (t, tile) in input.chunks(TILE * es).enumerate() {
        let base = t * TILE;
        for (b, plane) in out.chunks_exact_mut(count.max(1)).take(es).enumerate() {
            let dst = plane.get_mut(base..).unwrap_or_default();
            for (o, chunk) in dst.iter_mut().zip(tile.chunks_exact(es)) {
                o.write(chunk.get(b).copied().unwrap_or(0));
            }
        }
    }
}

/// Unshuffle for the element sizes without an SSE2 kernel, tile by tile; writes every byte of `out`.
fn unshuffle_any(es: usize, input: &[u8], out: &mut [MaybeUninit<u8>]) {
    let count = input.len() / es;
    for (t, tile) in out.chunks_mut(TILE * es).enumerate() {
        let base = t * TILE;
        for (b, plane) in input.chunks_exact(count.max(1)).take(es).enumerate() {
            let src = plane.get(base..).unwrap_or_default();
            for (chunk, &v) in tile.chunks_exact_mut(es).zip(src) {
                if let Some(o) = chunk.get_mut(b) {
                    o.write(v);
                }
            }
        }
    }
}

impl Shuffle {
    /// A shuffle codec for elements of `elementsize` bytes.
    pub fn new(elementsize: i64) -> Self {
        Shuffle { elementsize }
    }

    /// Checks the length and runs the (un)shuffle into the first `input.len()` bytes of `out` (which may
    /// be uninitialised), writing every one of them.
    fn run(&self, input: &[u8], out: &mut [MaybeUninit<u8>], forward: bool) -> Result<()> {
        if out.len() < input.len() {
            return Err(Error::output_size(
                ID,
                format!("at least {}", input.len()),
                out.len(),
            ));
        }
        let out = &mut out[..input.len()];
        let es = match usize::try_from(self.elementsize) {
            Ok(es) if es > 1 => es,
            _ => {
                copy_to_uninit(ID, input, out)?;
                return Ok(());
            }
        };
        if !input.len().is_multiple_of(es) {
            return Err(Error::invalid_input(
                ID,
                format!(
                    "Shuffle buffer is not an integer multiple of elementsize: {} bytes, elementsize {es}",
                    input.len()
                ),
            ));
        }
        if input.is_empty() {
            return Ok(());
        }
        match (es, forward) {
            (2 | 4 | 8 | 16, true) => transpose::shuffle(es, input, out),
            (2 | 4 | 8 | 16, false) => transpose::unshuffle(es, input, out),
            (_, true) => shuffle_any(es, input, out),
            (_, false) => unshuffle_any(es, input, out),
        }
        Ok(())
    }
}

impl Codec for Shuffle {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let data = input.data();
        let mut out = Vec::with_capacity(data.len());
        self.run(data, out.spare_capacity_mut(), true)?;
        // SAFETY: run returned Ok, so it wrote all `data.len()` bytes of the spare capacity.
        unsafe { out.set_len(data.len()) };
        Ok(out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        if encoded.len() > limits.max_decoded_bytes {
            return Err(Error::limit(
                ID,
                "decoded output",
                encoded.len() as u64,
                limits.max_decoded_bytes,
            ));
        }
        let mut out = Vec::with_capacity(encoded.len());
        self.run(encoded, out.spare_capacity_mut(), false)?;
        // SAFETY: run returned Ok, so it wrote all `encoded.len()` bytes of the spare capacity.
        unsafe { out.set_len(encoded.len()) };
        Ok(ArrayBuf::from_bytes(out))
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        // SAFETY: MaybeUninit<u8> has u8's layout, and run stores only initialised bytes, so `out` stays
        // initialised.
        let out = unsafe { &mut *(out as *mut [u8] as *mut [MaybeUninit<u8>]) };
        self.run(encoded, out, false)?;
        Ok(encoded.len())
    }
}

impl StaticCodec for Shuffle {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["elementsize"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Shuffle>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numcodecs_example_and_round_trips() {
        let data: Vec<u8> = [0x01020304u32, 0x05060708]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let s = Shuffle::new(4);
        let enc = s.encode_bytes(&data).unwrap();
        assert_eq!(enc, [0x04, 0x08, 0x03, 0x07, 0x02, 0x06, 0x01, 0x05]);
        assert_eq!(s.decode(&enc, &Limits::default()).unwrap().data(), &data[..]);
        let big: Vec<u8> = (0..3 * 5 * 7 * 16).map(|i| (i * 7 % 251) as u8).collect();
        for es in [-3, 0, 1, 2, 3, 4, 5, 7, 8, 16, 15] {
            let s = Shuffle::new(es);
            let enc = s.encode_bytes(&big).unwrap();
            if es > 1 {
                // byte b of element i lands at b*count + i.
                let es = es as usize;
                let count = big.len() / es;
                for i in [0, 1, count - 1] {
                    for b in 0..es {
                        assert_eq!(enc[b * count + i], big[i * es + b], "es {es}");
                    }
                }
            } else {
                assert_eq!(enc, big);
            }
            assert_eq!(
                s.decode(&enc, &Limits::default()).unwrap().data(),
                &big[..],
                "es {es}"
            );
        }
    }

    /// The SSE2 tiles (16 items) and the generic path against the definition, for sizes around the tile
    /// boundaries.
    #[test]
    fn blocked_transpose_matches_definition() {
        for es in [2usize, 3, 4, 5, 8, 12, 16] {
            for count in [0usize, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65, 257, 600, 1000] {
                let data: Vec<u8> = (0..es * count).map(|i| (i * 31 % 253) as u8).collect();
                let mut want = vec![0u8; data.len()];
                for i in 0..count {
                    for b in 0..es {
                        want[b * count + i] = data[i * es + b];
                    }
                }
                let s = Shuffle::new(es as i64);
                assert_eq!(s.encode_bytes(&data).unwrap(), want, "es {es} count {count}");
                assert_eq!(
                    s.decode(&want, &Limits::default()).unwrap().data(),
                    &data[..],
                    "es {es} count {count}"
                );
            }
        }
    }

    #[test]
    fn lengths_and_out_sizes_are_checked() {
        let s = Shuffle::new(4);
        assert!(matches!(
            s.encode_bytes(&[1, 2, 3]),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            s.decode(&[1, 2, 3], &Limits::default()),
            Err(Error::InvalidInput { .. })
        ));
        assert_eq!(s.encode_bytes(&[]).unwrap(), Vec::<u8>::new());
        let enc = s.encode_bytes(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        let mut out = [0xaau8; 10];
        assert_eq!(s.decode_into(&enc, &mut out).unwrap(), 8);
        assert_eq!(out, [1, 2, 3, 4, 5, 6, 7, 8, 0xaa, 0xaa]);
        assert!(matches!(
            s.decode_into(&enc, &mut [0u8; 7]),
            Err(Error::OutputSize { .. })
        ));
        assert!(matches!(
            Shuffle::new(0).decode_into(&enc, &mut [0u8; 7]),
            Err(Error::OutputSize { .. })
        ));
    }

    #[test]
    fn config_round_trips() {
        let c = brickwork_core::config::from_json(r#"{"id":"shuffle"}"#).unwrap();
        let s = Shuffle::from_config(&c).unwrap();
        assert_eq!(
            serde_json::to_string(&s.config()).unwrap(),
            r#"{"id":"shuffle","elementsize":4}"#
        );
        let c = brickwork_core::config::from_json(r#"{"id":"shuffle","elementsize":0}"#).unwrap();
        assert_eq!(Shuffle::from_config(&c).unwrap().elementsize, 0);
        assert!(Shuffle::from_config(
            &brickwork_core::config::from_json(r#"{"id":"shuffle","x":1}"#).unwrap()
        )
        .is_err());
    }
}
