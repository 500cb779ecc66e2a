//! Undoing Blosc's per-block filters: byte unshuffle (the byte transpose in `crate::transpose`, shared
//! with the `shuffle` filter) and bit unshuffle.
//!
//! Layouts (numcodecs-formats.md §2.1.1), for a block of `len` bytes and `n = len / typesize` items:
//! * byte shuffle: `shuffled[j*n + i] = item i's byte j`; the last `len % typesize` bytes are unchanged.
//! * bit shuffle (only when `n % 8 == 0`; otherwise the block is stored unchanged): `8*typesize`
//!   bit-planes of `n/8` bytes; plane `8*j + k`, byte `q`, bit `m` is bit `k` of byte `j` of item `8q+m`.
//!
//! Bit unshuffle gathers the eight plane bytes of one item byte and transposes them as an 8×8 bit matrix
//! in a `u64`.

pub(crate) use crate::transpose::unshuffle;

/// Transposes an 8×8 bit matrix held in a `u64` (bit `8r + c` ↔ bit `8c + r`).
#[inline]
fn transpose8(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^ t ^ (t << 28)
}

/// Undoes bit shuffle on one block: `dst` (same length as `src`) gets the items back. `tmp` is scratch
/// space (resized as needed) for item sizes above 1.
///
/// Two passes: the 8 bit-planes of item byte `j` are bit-transposed into row `j` of a byte-shuffled
/// layout (`tmp[j*n + i]` = byte `j` of item `i`), then [`unshuffle`] interleaves the rows.
pub(crate) fn bitunshuffle(typesize: usize, src: &[u8], dst: &mut [u8], tmp: &mut Vec<u8>) {
    let len = src.len().min(dst.len());
    let (src, dst) = (&src[..len], &mut dst[..len]);
    let n = len.checked_div(typesize).unwrap_or(0);
    if n == 0 || !n.is_multiple_of(8) {
        dst.copy_from_slice(src);
        return;
    }
    let body = n * typesize;
    if typesize == 1 {
        planes_to_bytes(src, &mut dst[..body]);
    } else {
        tmp.resize(body, 0);
        for (planes, row) in src[..body].chunks_exact(n).zip(tmp.chunks_exact_mut(n)) {
            planes_to_bytes(planes, row);
        }
        unshuffle(typesize, tmp, super::as_uninit(&mut dst[..body]));
    }
    dst[body..].copy_from_slice(&src[body..]);
}

/// `planes`: 8 bit-planes of `n/8` bytes each (`n = row.len()`, a multiple of 8); `row[i]` gets the byte
/// whose bit `k` is bit `i % 8` of plane `k`'s byte `i / 8`.
fn planes_to_bytes(planes: &[u8], row: &mut [u8]) {
    let nb = row.len() / 8;
    if planes.len() < 8 * nb {
        return;
    }
    let done = planes_to_bytes_tiles(planes, row, nb);
    for q in done..nb {
        let mut x = 0u64;
        for k in 0..8 {
            x |= u64::from(planes[k * nb + q]) << (8 * k);
        }
        row[8 * q..8 * q + 8].copy_from_slice(&transpose8(x).to_le_bytes());
    }
}

/// SSE2 body of [`planes_to_bytes`], 16 plane columns (128 output bytes) at a time: an 8×16 byte
/// transpose (the interleave network of byte unshuffle) puts the 8 plane bytes of a column side by side
/// in a 64-bit lane, and [`transpose8`] on both lanes at once gives the output bytes. Returns the columns
/// done.
#[cfg(target_arch = "x86_64")]
fn planes_to_bytes_tiles(planes: &[u8], row: &mut [u8], nb: usize) -> usize {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_loadu_si128, _mm_set1_epi64x, _mm_slli_epi64, _mm_srli_epi64,
        _mm_storeu_si128, _mm_unpackhi_epi8, _mm_unpacklo_epi8, _mm_xor_si128,
    };

    let tiles = nb / 16;
    // SAFETY: register-only SSE2 instructions (baseline on x86_64).
    let (m1, m2, m3) = unsafe {
        (
            _mm_set1_epi64x(0x00AA_00AA_00AA_00AA),
            _mm_set1_epi64x(0x0000_CCCC_0000_CCCC),
            _mm_set1_epi64x(0x0000_0000_F0F0_F0F0),
        )
    };
    let zero: __m128i = {
        let z = [0u8; 16];
        // SAFETY: `z` is 16 readable bytes; unaligned load; SSE2 is part of the x86_64 baseline.
        unsafe { _mm_loadu_si128(z.as_ptr().cast()) }
    };
    for t in 0..tiles {
        let q0 = 16 * t;
        let mut v = [zero; 8];
        for (k, vk) in v.iter_mut().enumerate() {
            let at = k * nb + q0;
            let Some(src) = planes.get(at..at + 16) else {
                return q0;
            };
            // SAFETY: `src` is a 16-byte slice (just bounds-checked); unaligned load; SSE2 is baseline.
            *vk = unsafe { _mm_loadu_si128(src.as_ptr().cast()) };
        }
        for _ in 0..3 {
            let mut w = [zero; 8];
            for p in 0..4 {
                // SAFETY: register-only SSE2 instructions (baseline on x86_64).
                unsafe {
                    w[2 * p] = _mm_unpacklo_epi8(v[p], v[p + 4]);
                    w[2 * p + 1] = _mm_unpackhi_epi8(v[p], v[p + 4]);
                }
            }
            v = w;
        }
        let Some(out) = row.get_mut(8 * q0..8 * q0 + 128) else {
            return q0;
        };
        // v[r]: bytes 0..8 are planes 0..7 at column q0 + 2r, bytes 8..16 the same at column q0 + 2r + 1;
        // transposing each 64-bit lane as an 8×8 bit matrix gives output bytes 16r..16r+16
        for (x, o) in v.iter().zip(out.chunks_exact_mut(16)) {
            // SAFETY: register-only SSE2 instructions (baseline on x86_64), then an unaligned store to
            // `o`, a 16-byte slice of `row`.
            unsafe {
                let mut x = *x;
                let t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64::<7>(x)), m1);
                x = _mm_xor_si128(_mm_xor_si128(x, t), _mm_slli_epi64::<7>(t));
                let t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64::<14>(x)), m2);
                x = _mm_xor_si128(_mm_xor_si128(x, t), _mm_slli_epi64::<14>(t));
                let t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64::<28>(x)), m3);
                x = _mm_xor_si128(_mm_xor_si128(x, t), _mm_slli_epi64::<28>(t));
                _mm_storeu_si128(o.as_mut_ptr().cast(), x);
            }
        }
    }
    tiles * 16
}

/// Scalar builds: the caller's loop does every column.
#[cfg(not(target_arch = "x86_64"))]
fn planes_to_bytes_tiles(_planes: &[u8], _row: &mut [u8], _nb: usize) -> usize {
    0
}

#[cfg(test)]
pub(crate) mod tests {
    use std::mem::MaybeUninit;

    use super::*;

    /// Byte shuffle straight from the layout definition.
    pub(crate) fn shuffle_ref(typesize: usize, src: &[u8]) -> Vec<u8> {
        let mut out = src.to_vec();
        if typesize > 1 {
            let n = src.len() / typesize;
            for i in 0..n {
                for j in 0..typesize {
                    out[j * n + i] = src[i * typesize + j];
                }
            }
        }
        out
    }

    /// Bit shuffle straight from the layout definition.
    pub(crate) fn bitshuffle_ref(typesize: usize, src: &[u8]) -> Vec<u8> {
        let n = src.len() / typesize;
        let mut out = src.to_vec();
        if !n.is_multiple_of(8) {
            return out;
        }
        let nb = n / 8;
        for b in &mut out[..n * typesize] {
            *b = 0;
        }
        for j in 0..typesize {
            for k in 0..8 {
                for q in 0..nb {
                    let mut byte = 0u8;
                    for m in 0..8 {
                        let bit = (src[(8 * q + m) * typesize + j] >> k) & 1;
                        byte |= bit << m;
                    }
                    out[(8 * j + k) * nb + q] = byte;
                }
            }
        }
        out
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect()
    }

    #[test]
    fn shuffle_and_unshuffle_follow_the_layout_for_every_size() {
        for typesize in 1..=20 {
            for len in [0, 1, 7, 16, 100, 255, 256, 1000, 4099] {
                let src = data(len);
                let shuffled = shuffle_ref(typesize, &src);
                let mut fwd = vec![MaybeUninit::new(0xa5u8); len];
                crate::transpose::shuffle(typesize, &src, &mut fwd);
                // SAFETY: every byte was initialised to begin with (and shuffle wrote every byte).
                let fwd: Vec<u8> = fwd.iter().map(|b| unsafe { b.assume_init() }).collect();
                assert_eq!(fwd, shuffled, "shuffle: typesize {typesize}, len {len}");
                let mut back = vec![MaybeUninit::new(0xa5u8); len];
                unshuffle(typesize, &shuffled, &mut back);
                // SAFETY: unshuffle wrote every byte (and all were initialised to begin with).
                let back: Vec<u8> = back.iter().map(|b| unsafe { b.assume_init() }).collect();
                assert_eq!(back, src, "typesize {typesize}, len {len}");
            }
        }
    }

    #[test]
    fn bitunshuffle_inverts_the_layout_for_every_size() {
        for typesize in 1..=17 {
            for len in [0, 3, 8, 64, 100, 800, 1001, 4096] {
                let src = data(len);
                let shuffled = bitshuffle_ref(typesize, &src);
                let mut back = vec![0u8; len];
                bitunshuffle(typesize, &shuffled, &mut back, &mut Vec::new());
                assert_eq!(back, src, "typesize {typesize}, len {len}");
            }
        }
    }
}

#[cfg(test)]
mod bench {
    use super::*;

    /// Best of many runs (robust against other load on the machine), in MB/s.
    fn best(bytes: usize, mut f: impl FnMut()) -> f64 {
        let mut best = f64::MAX;
        for _ in 0..300 {
            let t = std::time::Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        bytes as f64 / best / 1e6
    }

    #[test]
    #[ignore = "benchmark"]
    fn unshuffle_speed() {
        let src: Vec<u8> = (0..512 * 1024u32).map(|i| (i * 7) as u8).collect();
        let mut dst = vec![0u8; src.len()];
        for ts in [2usize, 4, 8, 16, 3] {
            let mbs = best(src.len(), || {
                unshuffle(ts, std::hint::black_box(&src), super::super::as_uninit(&mut dst))
            });
            println!("unshuffle ts {ts}: {mbs:.0} MB/s");
        }
        extern "C" {
            fn blosc_internal_unshuffle(ts: usize, bs: usize, src: *const u8, dst: *const u8);
            fn blosc_internal_bitunshuffle(
                ts: usize,
                bs: usize,
                src: *const u8,
                dst: *const u8,
                tmp: *const u8,
            ) -> i32;
        }
        let tmp2 = vec![0u8; src.len()];
        for ts in [2usize, 4, 8, 16, 3] {
            // SAFETY: test-only comparison with c-blosc's own routine: both buffers hold `src.len()` bytes.
            let mbs = best(src.len(), || unsafe {
                blosc_internal_unshuffle(ts, src.len(), src.as_ptr(), dst.as_mut_ptr())
            });
            println!("c-blosc unshuffle ts {ts}: {mbs:.0} MB/s");
        }
        for ts in [1usize, 4, 8] {
            // SAFETY: as above; `tmp2` is the scratch block c-blosc needs (same size).
            let mbs = best(src.len(), || unsafe {
                blosc_internal_bitunshuffle(ts, src.len(), src.as_ptr(), dst.as_mut_ptr(), tmp2.as_ptr());
            });
            println!("c-blosc bitunshuffle ts {ts}: {mbs:.0} MB/s");
        }
        let mut tmp = Vec::new();
        for ts in [1usize, 4, 8] {
            let mbs = best(src.len(), || {
                bitunshuffle(ts, std::hint::black_box(&src), &mut dst, &mut tmp)
            });
            println!("bitunshuffle ts {ts}: {mbs:.0} MB/s");
        }
    }
}
