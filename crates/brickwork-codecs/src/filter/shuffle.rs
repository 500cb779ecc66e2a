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
//! * Example: `Shuffle(4)` of `<u4 [0x01020304, 0x05060708]` → `04 08 03 07 02 06 01 05`.

use brickwork_core::{
    check_out_at_least, ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec,
};
use serde::{Deserialize, Serialize};

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

/// Transposes the 8x8 byte matrix whose row `r` is `x[r]` (byte `c` of a row = bits `8c..8c+8`), so that
/// afterwards byte `r` of `x[c]` is the old byte `c` of `x[r]`: three rounds of block swaps (4x4, 2x2,
/// 1x1 blocks) with shifts and masks, no table and no per-byte work.
#[inline(always)]
fn transpose8(x: &mut [u64; 8]) {
    const ROUNDS: [(usize, u32, u64); 3] = [
        (4, 32, 0x0000_0000_ffff_ffff),
        (2, 16, 0x0000_ffff_0000_ffff),
        (1, 8, 0x00ff_00ff_00ff_00ff),
    ];
    for (step, shift, mask) in ROUNDS {
        for i in 0..8 {
            if i & step == 0 {
                let (a, b) = (x[i], x[i + step]);
                let t = ((a >> shift) ^ b) & mask;
                x[i] = a ^ (t << shift);
                x[i + step] = b ^ t;
            }
        }
    }
}

/// Elements per block of [`shuffle_fixed`] and [`unshuffle_fixed`]: 8 rows of the 8x8 byte transpose,
/// each row holding `8 / N` elements (`N < 8`) or one `8`-byte slice of an element (`N >= 8`).
const fn block_elems(n: usize) -> usize {
    if n >= 8 {
        8
    } else {
        64 / n
    }
}

/// Shuffle for element sizes 2, 4, 8 and 16 (`N` divides 8 or is a multiple of it): blocks of
/// [`block_elems`] elements go through 8x8 byte transposes, every plane receiving 8 contiguous bytes per
/// transpose; the few trailing elements are moved one byte at a time. `out.len() == input.len()`.
fn shuffle_fixed<const N: usize>(input: &[u8], out: &mut [u8]) {
    let count = input.len() / N;
    let be = block_elems(N);
    let blocks = count / be;
    // For N < 8, row r of a transpose holds elements r, r + 8, r + 16, ... of the block (8 / N of them),
    // so output row c is byte c % N of elements 8 * (c / N) .. 8 * (c / N) + 8: plane c % N, offset
    // 8 * (c / N). For N >= 8, transpose h handles bytes 8h .. 8h + 8 of 8 consecutive elements.
    for (blk, src) in input.chunks_exact(be * N).take(blocks).enumerate() {
        let base = blk * be;
        for h in 0..N.div_ceil(8) {
            let mut x = [0u64; 8];
            for (r, row) in x.iter_mut().enumerate() {
                let mut bytes = [0u8; 8];
                if N >= 8 {
                    if let Some(s) = src.get(r * N + 8 * h..r * N + 8 * h + 8) {
                        bytes.copy_from_slice(s);
                    }
                } else {
                    for k in 0..8 / N {
                        let e = r + 8 * k;
                        if let (Some(d), Some(s)) =
                            (bytes.get_mut(k * N..k * N + N), src.get(e * N..e * N + N))
                        {
                            d.copy_from_slice(s);
                        }
                    }
                }
                *row = u64::from_le_bytes(bytes);
            }
            transpose8(&mut x);
            for (c, row) in x.iter().enumerate() {
                let (plane, off) = if N >= 8 {
                    (8 * h + c, 0)
                } else {
                    (c % N, 8 * (c / N))
                };
                let at = plane * count + base + off;
                if let Some(d) = out.get_mut(at..at + 8) {
                    d.copy_from_slice(&row.to_le_bytes());
                }
            }
        }
    }
    shuffle_tail(N, blocks * be, input, out);
}

/// The inverse of [`shuffle_fixed`].
fn unshuffle_fixed<const N: usize>(input: &[u8], out: &mut [u8]) {
    let count = input.len() / N;
    let be = block_elems(N);
    let blocks = count / be;
    for (blk, dst) in out.chunks_exact_mut(be * N).take(blocks).enumerate() {
        let base = blk * be;
        for h in 0..N.div_ceil(8) {
            let mut x = [0u64; 8];
            for (c, row) in x.iter_mut().enumerate() {
                let (plane, off) = if N >= 8 {
                    (8 * h + c, 0)
                } else {
                    (c % N, 8 * (c / N))
                };
                let at = plane * count + base + off;
                let mut bytes = [0u8; 8];
                if let Some(s) = input.get(at..at + 8) {
                    bytes.copy_from_slice(s);
                }
                *row = u64::from_le_bytes(bytes);
            }
            transpose8(&mut x);
            for (r, row) in x.iter().enumerate() {
                let bytes = row.to_le_bytes();
                if N >= 8 {
                    if let Some(d) = dst.get_mut(r * N + 8 * h..r * N + 8 * h + 8) {
                        d.copy_from_slice(&bytes);
                    }
                } else {
                    for k in 0..8 / N {
                        let e = r + 8 * k;
                        if let (Some(d), Some(s)) =
                            (dst.get_mut(e * N..e * N + N), bytes.get(k * N..k * N + N))
                        {
                            d.copy_from_slice(s);
                        }
                    }
                }
            }
        }
    }
    unshuffle_tail(N, blocks * be, input, out);
}

/// The four planes of a 4-byte shuffle of `count` elements (empty planes if `input` is too short).
fn planes4(input: &[u8], count: usize) -> [&[u8]; 4] {
    let (p0, r) = input.split_at_checked(count).unwrap_or((input, &[]));
    let (p1, r) = r.split_at_checked(count).unwrap_or((r, &[]));
    let (p2, p3) = r.split_at_checked(count).unwrap_or((r, &[]));
    [p0, p1, p2, p3]
}

/// Unshuffle for 4-byte elements: element `i` is `[p0[i], p1[i], p2[i], p3[i]]`, built as one `u32` from
/// four zero-extended bytes, a form the compiler turns into 16-byte vector loads, shifts and ORs (about
/// 4x the 8x8 transposes of [`unshuffle_fixed`], which reassemble 4-byte elements a slice at a time).
fn unshuffle4(input: &[u8], out: &mut [u8]) {
    let count = input.len() / 4;
    let [p0, p1, p2, p3] = planes4(input, count);
    let (chunks, _) = out.as_chunks_mut::<4>();
    for ((((o, &a), &b), &c), &d) in chunks.iter_mut().zip(p0).zip(p1).zip(p2).zip(p3) {
        *o = (u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16 | u32::from(d) << 24).to_le_bytes();
    }
}

/// Shuffle for 4-byte elements: byte `b` of element `i` (a `u32` read whole) goes to plane `b`, a form
/// the compiler turns into 16-byte vector loads, masks and packs (about 4x the 8x8 transposes of
/// [`shuffle_fixed`] for this size, measured on 8 MiB).
fn shuffle4(input: &[u8], out: &mut [u8]) {
    let count = input.len() / 4;
    let (o0, r) = out.split_at_mut_checked(count).unwrap_or_default();
    let (o1, r) = r.split_at_mut_checked(count).unwrap_or_default();
    let (o2, o3) = r.split_at_mut_checked(count).unwrap_or_default();
    let planes = o0
        .iter_mut()
        .zip(o1.iter_mut())
        .zip(o2.iter_mut())
        .zip(o3.iter_mut());
    for (x, (((a, b), c), d)) in input.as_chunks::<4>().0.iter().zip(planes) {
        let v = u32::from_le_bytes(*x);
        (*a, *b, *c, *d) = (v as u8, (v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8);
    }
}

/// Shuffles elements `from..` one byte at a time (the tail after the blocked part).
fn shuffle_tail(es: usize, from: usize, input: &[u8], out: &mut [u8]) {
    let count = input.len() / es;
    for (i, chunk) in input.chunks_exact(es).enumerate().skip(from) {
        for (b, &v) in chunk.iter().enumerate() {
            if let Some(o) = out.get_mut(b * count + i) {
                *o = v;
            }
        }
    }
}

/// Unshuffles elements `from..` one byte at a time.
fn unshuffle_tail(es: usize, from: usize, input: &[u8], out: &mut [u8]) {
    let count = input.len() / es;
    for (i, chunk) in out.chunks_exact_mut(es).enumerate().skip(from) {
        for (b, o) in chunk.iter_mut().enumerate() {
            if let Some(&v) = input.get(b * count + i) {
                *o = v;
            }
        }
    }
}

/// Elements per tile of the generic (un)shuffle: a tile's planes stay in cache while it is transposed.
const TILE: usize = 256;

/// Shuffle for any element size (the generic path), tile by tile so that each plane is written in runs of
/// [`TILE`] bytes instead of one byte per cache line.
fn shuffle_any(es: usize, input: &[u8], out: &mut [u8]) {
    let count = input.len() / es;
    for (t, tile) in input.chunks(TILE * es).enumerate() {
        let base = t * TILE;
        for (b, plane) in out.chunks_exact_mut(count.max(1)).take(es).enumerate() {
            let dst = plane.get_mut(base..).unwrap_or_default();
            for (o, chunk) in dst.iter_mut().zip(tile.chunks_exact(es)) {
                *o = chunk.get(b).copied().unwrap_or(0);
            }
        }
    }
}

/// Unshuffle for any element size, tile by tile.
fn unshuffle_any(es: usize, input: &[u8], out: &mut [u8]) {
    let count = input.len() / es;
    for (t, tile) in out.chunks_mut(TILE * es).enumerate() {
        let base = t * TILE;
        for (b, plane) in input.chunks_exact(count.max(1)).take(es).enumerate() {
            let src = plane.get(base..).unwrap_or_default();
            for (chunk, &v) in tile.chunks_exact_mut(es).zip(src) {
                if let Some(o) = chunk.get_mut(b) {
                    *o = v;
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

    /// Checks the length and runs the (un)shuffle into the first `input.len()` bytes of `out`.
    fn run(&self, input: &[u8], out: &mut [u8], forward: bool) -> Result<()> {
        check_out_at_least(ID, input.len(), out)?;
        let out = &mut out[..input.len()];
        let es = match usize::try_from(self.elementsize) {
            Ok(es) if es > 1 => es,
            _ => {
                out.copy_from_slice(input);
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
            (2, true) => shuffle_fixed::<2>(input, out),
            (4, true) => shuffle4(input, out),
            (8, true) => shuffle_fixed::<8>(input, out),
            (16, true) => shuffle_fixed::<16>(input, out),
            (2, false) => unshuffle_fixed::<2>(input, out),
            (4, false) => unshuffle4(input, out),
            (8, false) => unshuffle_fixed::<8>(input, out),
            (16, false) => unshuffle_fixed::<16>(input, out),
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
        let mut out = vec![0u8; input.len()];
        self.run(input.data(), &mut out, true)?;
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
        let mut out = vec![0u8; encoded.len()];
        self.run(encoded, &mut out, false)?;
        Ok(ArrayBuf::from_bytes(out))
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
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

    /// The 4-byte (vectorised) paths against the byte-at-a-time definition, every byte, several lengths.
    #[test]
    fn four_byte_paths_match_definition() {
        for n in [0usize, 1, 3, 15, 16, 17, 1000] {
            let data: Vec<u8> = (0..4 * n).map(|i| (i * 37 % 253) as u8).collect();
            let (mut want, mut got) = (vec![0u8; data.len()], vec![0u8; data.len()]);
            shuffle_tail(4, 0, &data, &mut want);
            shuffle4(&data, &mut got);
            assert_eq!(got, want, "shuffle n = {n}");
            let (mut back, mut back_want) = (vec![0u8; data.len()], vec![0u8; data.len()]);
            unshuffle_tail(4, 0, &want, &mut back_want);
            unshuffle4(&want, &mut back);
            assert_eq!(back, back_want, "unshuffle n = {n}");
            assert_eq!(back, data);
        }
    }

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

    /// The blocked paths against the definition, for every size around the block boundaries.
    #[test]
    fn blocked_transpose_matches_definition() {
        for es in [2usize, 3, 4, 5, 8, 12, 16] {
            for count in [0usize, 1, 7, 8, 9, 31, 32, 33, 64, 65, 257, 600] {
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
