//! Byte transposes ("byte shuffle"), shared by the `shuffle` filter and Blosc's byte shuffle.
//!
//! For `n = len / typesize` items, shuffled byte `j*n + i` is item `i`'s byte `j` (all first bytes, then
//! all second bytes, ...); the last `len % typesize` bytes are unchanged.
//!
//! Item sizes 2, 4, 8 and 16 (`T`) run 32 items at a time through AVX2 byte interleaves on CPUs that
//! have it (checked at run time), else 16 at a time through SSE2: one round of
//! `unpacklo/hi_epi8` over the row pairs `(p, p + T/2)` of a tile's `T` 16-byte rows is a perfect
//! shuffle of its `16T` bytes, which rotates the bits of every byte's index by one. `log2(T)` rounds
//! turn planes into items (unshuffle) and 4 rounds turn items into planes (shuffle), since
//! `4 + log2(T)` rounds are the identity. A scalar loop does the other sizes, the items after the last
//! whole tile, and everything on other architectures.

use std::mem::MaybeUninit;

/// Byte shuffle: `dst` (same length as `src`, may be uninitialised) gets the planes; every byte of it
/// is written.
pub(crate) fn shuffle(typesize: usize, src: &[u8], dst: &mut [MaybeUninit<u8>]) {
    transpose(typesize, src, dst, true);
}

/// Undoes byte shuffle: `dst` (same length as `src`, may be uninitialised) gets the items back; every
/// byte of it is written.
pub(crate) fn unshuffle(typesize: usize, src: &[u8], dst: &mut [MaybeUninit<u8>]) {
    transpose(typesize, src, dst, false);
}

/// Items to planes (`to_planes`) or back, writing every byte of `dst`.
fn transpose(typesize: usize, src: &[u8], dst: &mut [MaybeUninit<u8>], to_planes: bool) {
    let len = src.len().min(dst.len());
    let (src, dst) = (&src[..len], &mut dst[..len]);
    if typesize <= 1 || len < typesize {
        copy(src, dst);
        return;
    }
    let n = len / typesize;
    let body = n * typesize;
    let done = match typesize {
        2 => tiles::<2>(src, dst, n, to_planes),
        4 => tiles::<4>(src, dst, n, to_planes),
        8 => tiles::<8>(src, dst, n, to_planes),
        16 => tiles::<16>(src, dst, n, to_planes),
        _ => 0,
    };
    // items done.. one byte at a time, plane by plane
    if to_planes {
        for (j, plane) in dst[..body].chunks_exact_mut(n).enumerate() {
            let items = src[..body].get(done * typesize + j..).unwrap_or_default();
            for (o, b) in plane[done..].iter_mut().zip(items.iter().step_by(typesize)) {
                o.write(*b);
            }
        }
    } else {
        for (j, plane) in src[..body].chunks_exact(n).enumerate() {
            let start = (done * typesize + j).min(body);
            let items = dst[start..body].iter_mut().step_by(typesize);
            for (o, b) in items.zip(plane.get(done..).unwrap_or_default()) {
                o.write(*b);
            }
        }
    }
    copy(&src[body..], &mut dst[body..]);
}

/// `dst` (as long as `src`) gets a copy of `src`.
fn copy(src: &[u8], dst: &mut [MaybeUninit<u8>]) {
    for (o, b) in dst.iter_mut().zip(src) {
        o.write(*b);
    }
}

/// Transposes whole tiles of items from the start, with AVX2 (32 items at a time) when this CPU has
/// it, then SSE2 (16); returns how many items it did.
#[cfg(target_arch = "x86_64")]
fn tiles<const T: usize>(src: &[u8], dst: &mut [MaybeUninit<u8>], n: usize, to_planes: bool) -> usize {
    let start = if crate::simd::avx2() {
        // SAFETY: the CPU supports AVX2 (`simd::avx2()`, checked just above).
        unsafe { tiles_avx2::<T>(src, dst, n, to_planes) }
    } else {
        0
    };
    tiles_sse2::<T>(src, dst, n, to_planes, start)
}

/// SSE2 byte transpose of whole 16-item tiles from item `start` (a multiple of 16), items to planes
/// (`to_planes`, shuffle) or planes to items (unshuffle); returns how many items are done.
#[cfg(target_arch = "x86_64")]
fn tiles_sse2<const T: usize>(
    src: &[u8],
    dst: &mut [MaybeUninit<u8>],
    n: usize,
    to_planes: bool,
    start: usize,
) -> usize {
    use core::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm_storeu_si128, _mm_unpackhi_epi8, _mm_unpacklo_epi8,
    };

    let tiles = n / 16;
    if src.len() < T * n || dst.len() < T * n {
        return 0;
    }
    let rounds = if to_planes { 4 } else { T.trailing_zeros() };
    // Row k of tile i (its first item) is 16 bytes of item bytes at i*T + 16k, or of plane k at k*n + i.
    let row = |i: usize, k: usize, items: bool| if items { i * T + 16 * k } else { k * n + i };
    let (sp, dp) = (src.as_ptr(), dst.as_mut_ptr());
    for t in start / 16..tiles {
        let i = 16 * t;
        // SAFETY: bounds: with k < T and i + 16 <= 16 * tiles <= n, an items row ends at
        // i*T + 16k + 16 <= (i + 16) * T <= n*T and a plane row at k*n + i + 16 <= (k + 1) * n <= n*T,
        // and n*T <= src.len(), dst.len() (checked above). Loads and stores are unaligned
        // (loadu/storeu), `dst` is exclusively borrowed and does not overlap `src`; SSE2 is part of the
        // x86_64 baseline.
        unsafe {
            let mut v: [__m128i; T] =
                std::array::from_fn(|k| _mm_loadu_si128(sp.add(row(i, k, to_planes)).cast()));
            for _ in 0..rounds {
                v = std::array::from_fn(|x| {
                    let (a, b) = (v[x / 2], v[x / 2 + T / 2]);
                    if x % 2 == 0 {
                        _mm_unpacklo_epi8(a, b)
                    } else {
                        _mm_unpackhi_epi8(a, b)
                    }
                });
            }
            for (k, vk) in v.iter().enumerate() {
                _mm_storeu_si128(dp.add(row(i, k, !to_planes)).cast(), *vk);
            }
        }
    }
    tiles * 16
}

/// The AVX2 form of [`tiles_sse2`]: each 256-bit register holds a row of two tiles, items `i..i + 16`
/// in its low lane and `i + 16..i + 32` in its high lane, and the same in-lane interleave rounds
/// transpose both. Plane rows of the pair are 32 contiguous bytes (one load or store); item rows are
/// paired across lanes with `permute2x128`. Returns how many items it did (a multiple of 32).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tiles_avx2<const T: usize>(
    src: &[u8],
    dst: &mut [MaybeUninit<u8>],
    n: usize,
    to_planes: bool,
) -> usize {
    use core::arch::x86_64::{
        __m256i, _mm256_loadu_si256, _mm256_permute2x128_si256, _mm256_setzero_si256, _mm256_storeu_si256,
        _mm256_unpackhi_epi8, _mm256_unpacklo_epi8,
    };

    let pairs = n / 32;
    if src.len() < T * n || dst.len() < T * n {
        return 0;
    }
    let rounds = if to_planes { 4 } else { T.trailing_zeros() };
    let (sp, dp) = (src.as_ptr(), dst.as_mut_ptr());
    for t in 0..pairs {
        let i = 32 * t;
        // SAFETY: bounds: with k < T and i + 32 <= 32 * pairs <= n, the item rows k, k + 1 of the two
        // tiles (32 bytes at i*T + 16k and at (i + 16)*T + 16k, k even) end by (i + 32) * T <= n*T, and
        // a plane row (32 bytes at k*n + i) by (k + 1) * n <= n*T; n*T <= src.len(), dst.len() (checked
        // above). Loads and stores are unaligned (loadu/storeu), `dst` is exclusively borrowed and does
        // not overlap `src`, and the caller guarantees AVX2.
        unsafe {
            let load = |at: usize| _mm256_loadu_si256(sp.add(at).cast::<__m256i>());
            // v[k]: row k of tile i in the low lane, of tile i + 16 in the high lane.
            let mut v: [__m256i; T] = if to_planes {
                let mut v = [_mm256_setzero_si256(); T];
                for k in (0..T).step_by(2) {
                    let (a, b) = (load(i * T + 16 * k), load((i + 16) * T + 16 * k));
                    v[k] = _mm256_permute2x128_si256::<0x20>(a, b);
                    v[k + 1] = _mm256_permute2x128_si256::<0x31>(a, b);
                }
                v
            } else {
                std::array::from_fn(|k| load(k * n + i))
            };
            for _ in 0..rounds {
                v = std::array::from_fn(|x| {
                    let (a, b) = (v[x / 2], v[x / 2 + T / 2]);
                    if x % 2 == 0 {
                        _mm256_unpacklo_epi8(a, b)
                    } else {
                        _mm256_unpackhi_epi8(a, b)
                    }
                });
            }
            let store = |at: usize, x: __m256i| _mm256_storeu_si256(dp.add(at).cast::<__m256i>(), x);
            if to_planes {
                for (k, vk) in v.iter().enumerate() {
                    store(k * n + i, *vk);
                }
            } else {
                for k in (0..T).step_by(2) {
                    let (a, b) = (v[k], v[k + 1]);
                    store(i * T + 16 * k, _mm256_permute2x128_si256::<0x20>(a, b));
                    store((i + 16) * T + 16 * k, _mm256_permute2x128_si256::<0x31>(a, b));
                }
            }
        }
    }
    pairs * 32
}

/// Scalar builds: the caller's loop does every item.
#[cfg(not(target_arch = "x86_64"))]
fn tiles<const T: usize>(_src: &[u8], _dst: &mut [MaybeUninit<u8>], _n: usize, _to_planes: bool) -> usize {
    0
}
