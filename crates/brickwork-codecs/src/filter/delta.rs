//! `delta`: first element, then differences of consecutive elements (numcodecs' `Delta`).
//!
//! * Config: `{"id": "delta", "dtype": "<i4", "astype": "<i4"}`. `dtype` is required; `astype` defaults to
//!   `dtype` and is always emitted. Both are emitted as NumPy's `dtype.str` and parsed from any spelling;
//!   object dtypes are refused (numcodecs: ValueError).
//! * Encode: the bytes are viewed as `dtype` (memory order, 1-D); `enc[0] = arr[0]`,
//!   `enc[i] = arr[i] - arr[i-1]` computed in `dtype` (`np.diff`: integers wrap, floats are IEEE, bool
//!   is XOR), then cast to `astype` with NumPy's array casts (x86-64 results for out-of-range floats,
//!   `filter::numeric`). The first element is a NumPy *scalar* assignment, whose rules differ: into a
//!   signed integer `astype` a value that does not fit (or NaN/inf) is an error (NumPy's
//!   OverflowError/ValueError), and float → `u4` keeps the low 32 bits of the int64 conversion.
//!   Datetimes and timedeltas are int64.
//! * Decode: viewed as `astype`; `np.cumsum(enc, out=dec)` with `dec` of `dtype` runs NumPy's add loop
//!   for `promote_types(astype, dtype)`: the running sum is kept in that type (`dtype` itself whenever
//!   `astype` casts safely to it; `astype` for e.g. f8 → i4; float64 for u8 → i1; float32 for f2 → i2)
//!   and each sum is cast to `dtype`. Integers wrap. bool's `add` is OR, so bool decode is a cumulative
//!   OR and does not undo encode's XOR (numcodecs behaves the same). Checked against NumPy 2.5 on every
//!   pair of the 14 numeric dtypes.
//! * Difference from numcodecs: encoding an empty array gives empty output (numcodecs raises IndexError);
//!   empty input decodes to an empty array in both.
//! * Example: `Delta('<i2')` of `[100, 102, 104, 50]` → `64 00 02 00 02 00 ca ff`.

use std::mem::MaybeUninit;

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Limits, Result, StaticCodec};
use serde::{Deserialize, Serialize};

use super::numeric::{
    cast_into, cast_scalar, conv, decoded_size, exact_out, is_big, item_count, load_into, map_pairs_uninit,
    not_object, store_cast_into, with_elem, Elem, ElemKind,
};

const ID: &str = "delta";

/// numcodecs' `Delta(dtype, astype=None)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delta {
    /// The element type of the data.
    pub dtype: DType,
    /// The element type of the encoded differences.
    pub astype: DType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    dtype: DType,
    #[serde(default)]
    astype: Option<DType>,
}

impl Delta {
    /// A delta codec; `astype` defaults to `dtype`.
    pub fn new(dtype: DType, astype: Option<DType>) -> Result<Self> {
        not_object(ID, "dtype", dtype)?;
        let astype = astype.unwrap_or(dtype);
        not_object(ID, "astype", astype)?;
        Ok(Delta { dtype, astype })
    }
}

/// Elements per block of the fused decode: the block's running sums stay in L1 cache.
const BLOCK: usize = 4096;

/// `np.cumsum(enc, out=dec)` in one pass over the data, a block at a time: each block of `encoded`
/// (dtype `astype`) is cast into the accumulation type `P`, summed on from `acc` (the last sum of the
/// previous block), and cast straight into its part of `out` (dtype `dtype`). No whole-array buffer.
fn cumsum_into<P: Elem>(encoded: &[u8], astype: DType, dtype: DType, out: &mut [u8]) -> Result<()> {
    let (sa, sd) = (astype.itemsize(), dtype.itemsize());
    let mut buf = [P::default(); BLOCK];
    let mut acc: Option<P> = None;
    for (src, dst) in encoded.chunks(BLOCK * sa).zip(out.chunks_mut(BLOCK * sd)) {
        let sums = buf.get_mut(..src.len() / sa).unwrap_or_default();
        load_into::<P>(ID, src, astype, sums)?;
        let done = if P::KIND.is_int() {
            let start = acc.map_or(0, conv::<P, u64>);
            // SAFETY: P is a primitive integer type here (`is_int`): no padding, every byte pattern
            // valid, `P::SIZE` bytes each, so `sums` is `sums.len() * P::SIZE` initialised bytes; the
            // bytes are exclusively borrowed through this view until it is dropped below.
            let bytes = unsafe {
                std::slice::from_raw_parts_mut(sums.as_mut_ptr().cast::<u8>(), sums.len() * P::SIZE)
            };
            prefix_sums_in_place(P::SIZE, bytes, start) / P::SIZE
        } else {
            0
        };
        if let Some(last) = done.checked_sub(1).and_then(|i| sums.get(i)) {
            acc = Some(*last);
        }
        let mut it = sums.get_mut(done..).unwrap_or_default().iter_mut();
        let mut a = match acc {
            Some(a) => a,
            None => it.next().map(|v| *v).unwrap_or_default(),
        };
        for x in it {
            a = a.add(*x);
            *x = a;
        }
        acc = Some(a);
        store_cast_into::<P>(ID, sums, dtype, dst)?;
    }
    Ok(())
}

/// [`cumsum_into`] when the sums are kept in `dtype` itself, an integer type `P` stored little-endian
/// (e.g. `<i2` differences decoded to `<i4`): each block of `encoded` is cast straight into its part of
/// `out` and summed there in place, 16 bytes at a time. Two passes over an L1-sized block instead of
/// three through a separate buffer.
fn cumsum_in_out<P: Elem>(encoded: &[u8], astype: DType, dtype: DType, out: &mut [u8]) -> Result<()> {
    let mut acc = P::default(); // integer zero: the first sum is the first element
    for (src, dst) in encoded
        .chunks(BLOCK * astype.itemsize())
        .zip(out.chunks_mut(BLOCK * P::SIZE))
    {
        cast_into(ID, src, astype, dtype, dst)?;
        let done = prefix_sums_in_place(P::SIZE, dst, conv::<P, u64>(acc));
        if let Some(last) = done.checked_sub(P::SIZE).and_then(|start| dst.get(start..done)) {
            acc = P::from_le(last);
        }
        for item in dst.get_mut(done..).unwrap_or_default().chunks_exact_mut(P::SIZE) {
            acc = acc.add(P::from_le(item));
            acc.write_le(item);
        }
    }
    Ok(())
}

/// The common case of [`cumsum_into`]: `astype`, `dtype` and the sum type are one integer type `P` in one
/// byte order, so each sum is written as it is made, in one pass. Little-endian data is summed 16 bytes
/// at a time first ([`prefix_sums_sse2`]; wrapping addition is associative, so any grouping gives
/// NumPy's sums), and the loop below, which carries only the running sum, finishes the tail.
fn cumsum_same<P: Elem>(encoded: &[u8], big: bool, out: &mut [u8]) {
    let done = if big {
        0
    } else {
        prefix_sums(P::SIZE, encoded, out)
    };
    let last = done
        .checked_sub(P::SIZE)
        .and_then(|start| out.get(start..done))
        .map(P::from_le);
    let (rest, tail) = (
        encoded.get(done..).unwrap_or_default(),
        out.get_mut(done..).unwrap_or_default(),
    );
    let (mut acc, rest, tail) = match last {
        Some(last) => (last, rest, tail),
        None => {
            // Nothing summed yet: the first sum is the first element.
            let first = if big {
                P::iter_be(rest).next()
            } else {
                P::iter_le(rest).next()
            };
            let Some(first) = first else { return };
            let (head, tail) = tail.split_at_mut(P::SIZE.min(tail.len()));
            if big {
                first.write_be(head);
            } else {
                first.write_le(head);
            }
            (first, rest.get(P::SIZE..).unwrap_or_default(), tail)
        }
    };
    if big {
        let sums = P::iter_be(rest).map(move |x| {
            acc = acc.add(x);
            acc
        });
        P::store_into(tail, sums, true);
    } else {
        let sums = P::iter_le(rest).map(move |x| {
            acc = acc.add(x);
            acc
        });
        P::store_into(tail, sums, false);
    }
}

/// Running sums of little-endian `width`-byte integers over the whole 16-byte blocks of `encoded`
/// (wrapping), written to `out`; returns how many bytes it summed (0 where there is no vector code).
fn prefix_sums(width: usize, encoded: &[u8], out: &mut [u8]) -> usize {
    let len = encoded.len().min(out.len()) / 16 * 16;
    // SAFETY: `encoded` and `out` are distinct borrows, each at least `len` bytes long.
    unsafe { prefix_sums_raw(width, encoded.as_ptr(), out.as_mut_ptr(), len, 0) }
}

/// [`prefix_sums`] in place, continuing from `start` (the running sum so far, in its low `width` bytes).
fn prefix_sums_in_place(width: usize, data: &mut [u8], start: u64) -> usize {
    let len = data.len() / 16 * 16;
    let p = data.as_mut_ptr();
    // SAFETY: `data` is `len` or more bytes, exclusively borrowed; each block is read before it is written.
    unsafe { prefix_sums_raw(width, p, p, len, start) }
}

/// # Safety
/// `src` must be readable and `dst` writable for `len` bytes (a multiple of 16); they may be equal but
/// must not otherwise overlap.
unsafe fn prefix_sums_raw(width: usize, src: *const u8, dst: *mut u8, len: usize, start: u64) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the caller's guarantees, passed on.
        unsafe {
            match width {
                1 => prefix_sums_sse2::<1>(src, dst, len, start),
                2 => prefix_sums_sse2::<2>(src, dst, len, start),
                4 => prefix_sums_sse2::<4>(src, dst, len, start),
                8 => prefix_sums_sse2::<8>(src, dst, len, start),
                _ => 0,
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (width, src, dst, len, start);
        0
    }
}

/// [`prefix_sums`] for `W`-byte lanes with SSE2 (x86-64's baseline): within a block, adding the block
/// shifted up by 1, 2, 4, ... lanes leaves in each lane the sum of the lanes up to it; adding the
/// previous block's last sum (broadcast to every lane) makes them running sums. About 2x the scalar
/// loop, whose every addition waits for the one before.
///
/// # Safety
/// As [`prefix_sums_raw`].
#[cfg(target_arch = "x86_64")]
unsafe fn prefix_sums_sse2<const W: usize>(src: *const u8, dst: *mut u8, len: usize, start: u64) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi16, _mm_add_epi32, _mm_add_epi64, _mm_add_epi8, _mm_loadu_si128, _mm_set1_epi16,
        _mm_set1_epi32, _mm_set1_epi64x, _mm_set1_epi8, _mm_shuffle_epi32, _mm_shufflehi_epi16,
        _mm_shufflelo_epi16, _mm_slli_si128, _mm_srli_si128, _mm_storeu_si128, _mm_unpacklo_epi8,
    };
    // SAFETY (every intrinsic below): SSE2 is part of the x86_64 baseline; loads and stores are
    // unaligned (loadu/storeu) of one 16-byte block inside the `len` bytes the caller vouches for.
    let add = |a: __m128i, b: __m128i| unsafe {
        match W {
            1 => _mm_add_epi8(a, b),
            2 => _mm_add_epi16(a, b),
            4 => _mm_add_epi32(a, b),
            _ => _mm_add_epi64(a, b),
        }
    };
    // The last lane, in every lane.
    let broadcast_last = |x: __m128i| unsafe {
        match W {
            1 => {
                let b = _mm_srli_si128::<15>(x); // the last byte in byte 0
                let b = _mm_unpacklo_epi8(b, b); // ... in bytes 0 and 1
                _mm_shuffle_epi32::<0>(_mm_shufflelo_epi16::<0>(b))
            }
            2 => _mm_shuffle_epi32::<0xff>(_mm_shufflehi_epi16::<0xff>(x)),
            4 => _mm_shuffle_epi32::<0xff>(x),
            _ => _mm_shuffle_epi32::<0xee>(x),
        }
    };
    let shifted = |x: __m128i, bytes: usize| unsafe {
        match bytes {
            1 => _mm_slli_si128::<1>(x),
            2 => _mm_slli_si128::<2>(x),
            4 => _mm_slli_si128::<4>(x),
            _ => _mm_slli_si128::<8>(x),
        }
    };
    // The truncating casts keep the low W bytes of `start`, the running sum in the lane type.
    let mut carry = unsafe {
        match W {
            1 => _mm_set1_epi8(start as i8),
            2 => _mm_set1_epi16(start as i16),
            4 => _mm_set1_epi32(start as i32),
            _ => _mm_set1_epi64x(start as i64),
        }
    };
    // The sums within one block (the carry not yet added).
    let block_sums = |at: usize| {
        let mut x = unsafe { _mm_loadu_si128(src.add(at).cast()) };
        for bytes in [1, 2, 4, 8] {
            if bytes >= W {
                x = add(x, shifted(x, bytes));
            }
        }
        x
    };
    let end = len / 16 * 16;
    let mut at = 0;
    // Two blocks a step: both blocks' sums and their totals are independent of the carry, so the chain
    // from one step to the next is a single addition (carry + the two totals), not an add and a shuffle
    // per block.
    while at + 32 <= end {
        let (a, b) = (block_sums(at), block_sums(at + 16));
        let total_a = broadcast_last(a);
        let carry_b = add(carry, total_a);
        unsafe {
            _mm_storeu_si128(dst.add(at).cast(), add(a, carry));
            _mm_storeu_si128(dst.add(at + 16).cast(), add(b, carry_b));
        }
        carry = add(carry, add(total_a, broadcast_last(b)));
        at += 32;
    }
    if at < end {
        let x = add(block_sums(at), carry);
        unsafe { _mm_storeu_si128(dst.add(at).cast(), x) };
    }
    end
}

/// Running sums when `astype`, `dtype` and the sum type are one little-endian float type (`f4` or `f8`,
/// `W` bytes): one pass, `sum = sum + x` element after element, as NumPy's loop (floats are not
/// associative, so each addition waits for the one before). The loads and stores run beside that chain;
/// the general path's three passes over a block (cast in, sum, cast out) ran them in series. The
/// addition is one `addsd`/`addss` in assembly: with both operands NaN it returns the running sum's
/// payload, as NumPy does, where the compiler may swap the operands of `sum + x`. Returns false (nothing
/// done) off x86-64.
fn float_sums_le<const W: usize>(encoded: &[u8], out: &mut [u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let mut pairs = encoded.chunks_exact(W).zip(out.chunks_exact_mut(W));
        let Some((first, head)) = pairs.next() else {
            return true;
        };
        head.copy_from_slice(first); // the first sum is the first element, bit for bit
        macro_rules! sums {
            ($t:ty, $add:literal) => {{
                let mut acc = <$t>::from_le_bytes(first.try_into().unwrap_or_default());
                for (x, d) in pairs {
                    let x = <$t>::from_le_bytes(x.try_into().unwrap_or_default());
                    // SAFETY: one SSE2 scalar addition of two registers; no memory, stack or flags touched.
                    unsafe {
                        std::arch::asm!(concat!($add, " {acc}, {x}"), acc = inout(xmm_reg) acc, x = in(xmm_reg) x,
                            options(pure, nomem, nostack, preserves_flags));
                    }
                    d.copy_from_slice(&acc.to_le_bytes());
                }
            }};
        }
        if W == 8 {
            sums!(f64, "addsd");
        } else {
            sums!(f32, "addss");
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (encoded, out);
        false
    }
}

impl Delta {
    /// `np.cumsum(enc, out=dec)` into `out`, which must hold exactly the decoded bytes.
    fn decode_to(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let (kd, ka) = (ElemKind::of(ID, self.dtype)?, ElemKind::of(ID, self.astype)?);
        let n = item_count(ID, encoded, self.astype)?;
        let written = exact_out(ID, n, self.dtype, out)?;
        // np.cumsum(enc, out=dec) runs NumPy's add loop for promote_types(astype, dtype).
        let kp = ka.promote(kd);
        // Integers only: for floats the compiler may swap the operands of `acc + x` in this loop, which
        // changes which NaN payload survives (NumPy keeps the running sum's); the blocked loop keeps it.
        let integer = kp.is_int();
        let same_le = kp == ka && kp == kd && !is_big(self.astype) && !is_big(self.dtype);
        let float_done = same_le
            && match kp {
                ElemKind::F64 => float_sums_le::<8>(encoded, out),
                ElemKind::F32 => float_sums_le::<4>(encoded, out),
                _ => false,
            };
        if float_done {
            return Ok(written);
        }
        if integer && kp == ka && kp == kd && is_big(self.astype) == is_big(self.dtype) {
            with_elem!(kp, P => cumsum_same::<P>(encoded, is_big(self.dtype), out));
        } else if integer && kp == kd && !is_big(self.dtype) {
            with_elem!(kp, P => cumsum_in_out::<P>(encoded, self.astype, self.dtype, out))?;
        } else {
            with_elem!(kp, P => cumsum_into::<P>(encoded, self.astype, self.dtype, out))?;
        }
        Ok(written)
    }
}

impl Codec for Delta {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let kind = ElemKind::of(ID, self.dtype)?;
        ElemKind::of(ID, self.astype)?;
        item_count(ID, input.data(), self.dtype)?;
        let big = is_big(self.dtype);
        let ka = ElemKind::of(ID, self.astype)?;
        let data = input.data();
        let n = data.len() / self.dtype.itemsize();
        let size = self.astype.itemsize();
        let len = n * size;
        // Written in place: the differences by the loop below, the first item (zeroed here) after it.
        let mut out = Vec::with_capacity(len);
        let spare = out.spare_capacity_mut().get_mut(..len).unwrap_or_default();
        let filled = spare.len(); // `len`: the capacity is at least that
        let (head, tail) = spare.split_at_mut(size.min(filled));
        head.fill(MaybeUninit::new(0));
        let first = with_elem!(kind, T => {
            // enc[i] = arr[i] - arr[i-1] for i >= 1, straight from the input's neighbours: no carried
            // state, so the loop vectorises.
            let (prev, cur) = (
                data.get(..data.len().saturating_sub(T::SIZE)).unwrap_or_default(),
                data.get(T::SIZE..).unwrap_or_default(),
            );
            let written = if ka == kind {
                map_pairs_uninit::<T, T>(prev, cur, big, is_big(self.astype), tail, |p, c| c.sub(p))
            } else {
                with_elem!(ka, A => map_pairs_uninit::<T, A>(prev, cur, big, is_big(self.astype), tail, |p, c| {
                    conv::<T, A>(c.sub(p))
                }))
            };
            if let Some(rest) = tail.get_mut(written * size..) {
                rest.fill(MaybeUninit::new(0)); // never reached: `tail` holds exactly n - 1 items
            }
            // SAFETY: the first `filled` bytes of the spare capacity are initialised: `head` was
            // zeroed and `tail`'s n - 1 items were written (anything after them zeroed).
            unsafe { out.set_len(filled) };
            let first = if big { T::iter_be(data).next() } else { T::iter_le(data).next() };
            if ka == kind {
                // Same type: enc[0] = arr[0] is a plain copy.
                if let (Some(d), Some(s)) = (out.get_mut(..T::SIZE), data.get(..T::SIZE)) {
                    if is_big(self.astype) == big {
                        d.copy_from_slice(s);
                    } else if let Some(v) = first {
                        if is_big(self.astype) { v.write_be(d) } else { v.write_le(d) }
                    }
                }
            }
            first.map(|v| v.to_wide())
        });
        // numcodecs sets `enc[0] = arr[0]`: a scalar assignment, with its own rules.
        if let (Some(first), true) = (first, ka != kind) {
            let size = self.astype.itemsize();
            let head = out.get_mut(..size).unwrap_or_default();
            with_elem!(ka, A => {
                let v = cast_scalar::<A>(ID, first, ka)?;
                if is_big(self.astype) {
                    v.write_be(head)
                } else {
                    v.write_le(head)
                }
            });
        }
        Ok(out)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        ElemKind::of(ID, self.dtype)?;
        ElemKind::of(ID, self.astype)?;
        let n = item_count(ID, encoded, self.astype)?;
        let mut data = vec![0u8; decoded_size(ID, n, self.dtype, limits)?];
        self.decode_to(encoded, &mut data)?;
        ArrayBuf::from_vec_1d(data, self.dtype)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        self.decode_to(encoded, out)
    }
}

impl StaticCodec for Delta {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        let p: Params = brickwork_core::config::parse(ID, &["dtype", "astype"], config)?;
        Delta::new(p.dtype, p.astype)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Delta>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{Error, Order};

    fn dt(s: &str) -> DType {
        DType::parse(s).unwrap()
    }

    fn codec(dtype: &str, astype: &str) -> Delta {
        Delta::new(dt(dtype), Some(dt(astype))).unwrap()
    }

    fn dec(c: &Delta, enc: &[u8]) -> Vec<u8> {
        c.decode(enc, &Limits::default()).unwrap().into_data()
    }

    #[test]
    fn numcodecs_example() {
        let c = codec("<i2", "<i2");
        let data: Vec<u8> = [100i16, 102, 104, 50]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let enc = c.encode_bytes(&data).unwrap();
        assert_eq!(enc, [0x64, 0x00, 0x02, 0x00, 0x02, 0x00, 0xca, 0xff]);
        assert_eq!(dec(&c, &enc), data);
    }

    /// NumPy's float running sum keeps the running sum's NaN payload when the next element is a NaN too
    /// (its loop computes `sum + x`); the one-pass loop's `addsd`/`addss` must do the same, and match the
    /// blocked loop that big-endian data takes.
    #[test]
    fn float_sums_keep_the_running_sums_nan_payload() {
        let (a, b) = (
            f64::from_bits(0x7ff8_0000_0000_0a0a),
            f64::from_bits(0xfff8_0000_0000_0b0b),
        );
        let values = [1.5, a, b, 2.0, -0.0];
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let be: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        let from_le: Vec<u64> = dec(&codec("<f8", "<f8"), &le)
            .as_chunks::<8>()
            .0
            .iter()
            .map(|c| u64::from_le_bytes(*c))
            .collect();
        let from_be: Vec<u64> = dec(&codec(">f8", ">f8"), &be)
            .as_chunks::<8>()
            .0
            .iter()
            .map(|c| u64::from_be_bytes(*c))
            .collect();
        // 1.5 + NaN(a) is a's NaN; then NaN(a) + NaN(b) keeps a's; and so on.
        assert_eq!(
            from_le,
            [
                1.5f64.to_bits(),
                a.to_bits(),
                a.to_bits(),
                a.to_bits(),
                a.to_bits()
            ]
        );
        assert_eq!(from_le, from_be);
        let (a32, b32) = (f32::from_bits(0x7fc0_0a0a), f32::from_bits(0xffc0_0b0b));
        let le32: Vec<u8> = [a32, b32, 1.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let out32 = dec(&codec("<f4", "<f4"), &le32);
        assert!(out32
            .as_chunks::<4>()
            .0
            .iter()
            .all(|c| u32::from_le_bytes(*c) == a32.to_bits()));
    }

    /// The 16-byte prefix sums against a plain wrapping running sum, for every lane width, both byte
    /// orders, and lengths around the block boundaries.
    #[test]
    fn vector_running_sums_match_the_plain_sum() {
        fn check<T: Elem + PartialEq + std::fmt::Debug>(dtype: &str, values: &[T]) {
            let c = codec(dtype, dtype);
            let big = dtype.starts_with('>');
            let bytes = |v: &[T]| -> Vec<u8> {
                let mut out = vec![0u8; v.len() * T::SIZE];
                for (o, x) in out.chunks_exact_mut(T::SIZE).zip(v) {
                    if big {
                        x.write_be(o)
                    } else {
                        x.write_le(o)
                    }
                }
                out
            };
            let mut sums = Vec::with_capacity(values.len());
            let mut acc: Option<T> = None;
            for &v in values {
                let s = acc.map_or(v, |a| a.add(v));
                sums.push(s);
                acc = Some(s);
            }
            assert_eq!(
                dec(&c, &bytes(values)),
                bytes(&sums),
                "{dtype} n={}",
                values.len()
            );
        }
        let mut next = crate::xorshift64(0x2545_f491_4f6c_dd1d);
        for n in [0usize, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 100, 1027] {
            let v: Vec<u64> = (0..n).map(|_| next()).collect();
            for order in ["<", ">"] {
                check::<i8>("|i1", &v.iter().map(|&x| x as i8).collect::<Vec<_>>());
                check::<u8>("|u1", &v.iter().map(|&x| x as u8).collect::<Vec<_>>());
                check::<i16>(
                    &format!("{order}i2"),
                    &v.iter().map(|&x| x as i16).collect::<Vec<_>>(),
                );
                check::<u16>(
                    &format!("{order}u2"),
                    &v.iter().map(|&x| x as u16).collect::<Vec<_>>(),
                );
                check::<i32>(
                    &format!("{order}i4"),
                    &v.iter().map(|&x| x as i32).collect::<Vec<_>>(),
                );
                check::<u32>(
                    &format!("{order}u4"),
                    &v.iter().map(|&x| x as u32).collect::<Vec<_>>(),
                );
                check::<i64>(
                    &format!("{order}i8"),
                    &v.iter().map(|&x| x as i64).collect::<Vec<_>>(),
                );
                check::<u64>(&format!("{order}u8"), &v);
            }
        }
        // Sums in a wider type than the encoded one, across several blocks: `<i2` and `>i2` differences
        // summed in int32, `|u1` in int64, `<u2` in uint16 then cast to `|u1`.
        let n = 3 * BLOCK + 21;
        let v: Vec<u64> = (0..n).map(|_| next()).collect();
        let widen = |dtype: &str, astype: &str, enc: Vec<u8>, want: Vec<u8>| {
            assert_eq!(dec(&codec(dtype, astype), &enc), want, "{astype} -> {dtype}");
        };
        let (mut a32, mut a64, mut a16) = (0i32, 0i64, 0u16);
        let (mut w32, mut w64, mut w8) = (vec![], vec![], vec![]);
        for &x in &v {
            a32 = a32.wrapping_add(i32::from(x as i16));
            a64 = a64.wrapping_add(i64::from(x as u8));
            a16 = a16.wrapping_add(x as u16);
            w32.extend(a32.to_le_bytes());
            w64.extend(a64.to_le_bytes());
            w8.push(a16 as u8);
        }
        widen(
            "<i4",
            ">i2",
            v.iter().flat_map(|&x| (x as i16).to_be_bytes()).collect(),
            w32.clone(),
        );
        widen(
            "<i4",
            "<i2",
            v.iter().flat_map(|&x| (x as i16).to_le_bytes()).collect(),
            w32,
        );
        widen("<i8", "|u1", v.iter().map(|&x| x as u8).collect(), w64);
        widen(
            "|u1",
            "<u2",
            v.iter().flat_map(|&x| (x as u16).to_le_bytes()).collect(),
            w8,
        );
    }

    #[test]
    fn accumulation_type_follows_numpy_promotion() {
        // i1 -> i2 is safe: sums kept in i2.
        let c = codec("<i2", "|i1");
        assert_eq!(dec(&c, &[100, 100, 100]), [100, 0, 200, 0, 44, 1]);
        // f8 -> i4 is not safe: sums in f8, each cast: [1.5, 3.0, 4.5] -> [1, 3, 4].
        let c = codec("<i4", "<f8");
        let enc: Vec<u8> = [1.5f64; 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(
            dec(&c, &enc),
            [1i32, 3, 4]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>()
        );
        // Encode with a narrowing astype wraps per difference.
        let c = codec("<i4", "|i1");
        let data: Vec<u8> = [0i32, 300, 100].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(c.encode_bytes(&data).unwrap(), [0, 44, 56]);
        // u8 with i1 promotes to float64: huge sums cast to i1 give 0 (NumPy: `[0, 0, 0]`).
        let c = codec("|i1", "<u8");
        let enc: Vec<u8> = [1u64 << 63, 1 << 63, 5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(dec(&c, &enc), [0, 0, 0]);
        // f2 with i2 promotes to float32: sums 1.5, 3, 4.5, 65508.5 -> [1, 3, 4, -28] (wrapped).
        let c = codec("<i2", "<f2");
        let enc: Vec<u8> = [1.5f32, 1.5, 1.5, 65504.0]
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect();
        assert_eq!(
            dec(&c, &enc),
            [1i16, 3, 4, -28]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn first_element_follows_numpy_scalar_assignment() {
        // enc[0] = np.uint8(200) into int8 raises OverflowError in NumPy 2.
        let c = codec("|u1", "|i1");
        assert!(matches!(
            c.encode_bytes(&[200, 1]),
            Err(Error::InvalidInput { .. })
        ));
        assert_eq!(c.encode_bytes(&[100, 228]).unwrap(), [100, 128]);
        // float -> u4: the scalar path keeps the low 32 bits of int64 (-3e9 -> 1294967296).
        let c = codec("<f8", "<u4");
        let enc = c.encode_bytes(&(-3e9f64).to_le_bytes()).unwrap();
        assert_eq!(enc, 1_294_967_296u32.to_le_bytes());
    }

    #[test]
    fn bool_is_xor_then_or_like_numpy() {
        let c = codec("|b1", "|b1");
        let enc = c.encode_bytes(&[1, 0, 0, 1]).unwrap();
        assert_eq!(enc, [1, 1, 0, 1]);
        assert_eq!(dec(&c, &enc), [1, 1, 1, 1]);
    }

    #[test]
    fn big_endian_floats_and_datetimes() {
        let c = codec(">f4", ">f4");
        let data: Vec<u8> = [1.0f32, 3.5, 2.0].iter().flat_map(|v| v.to_be_bytes()).collect();
        let enc = c.encode_bytes(&data).unwrap();
        assert_eq!(
            enc,
            [1.0f32, 2.5, -1.5]
                .iter()
                .flat_map(|v| v.to_be_bytes())
                .collect::<Vec<_>>()
        );
        assert_eq!(dec(&c, &enc), data);
        let c = Delta::new(dt("<M8[ns]"), None).unwrap();
        let data: Vec<u8> = [10i64, 25, 5].iter().flat_map(|v| v.to_le_bytes()).collect();
        let enc = c.encode_bytes(&data).unwrap();
        assert_eq!(
            enc,
            [10i64, 15, -20]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>()
        );
        let out = c.decode(&enc, &Limits::default()).unwrap();
        assert_eq!(out.dtype().to_string(), "<M8[ns]");
        assert_eq!(out.data(), &data[..]);
    }

    #[test]
    fn f_ordered_input_is_read_in_memory_order() {
        let c = codec("<i2", "<i2");
        let data: Vec<u8> = [1i16, 2, 4, 8].iter().flat_map(|v| v.to_le_bytes()).collect();
        let view = ArrayView::new(&data, dt("<i2"), vec![2, 2], Order::F).unwrap();
        let enc = c.encode(&view).unwrap();
        assert_eq!(
            enc,
            [1i16, 1, 2, 4]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn config_emits_astype_and_rejects_bad_input() {
        let cfg = brickwork_core::config::from_json(r#"{"id":"delta","dtype":"int32"}"#).unwrap();
        let c = Delta::from_config(&cfg).unwrap();
        assert_eq!(
            serde_json::to_string(&c.config()).unwrap(),
            r#"{"id":"delta","dtype":"<i4","astype":"<i4"}"#
        );
        assert!(
            Delta::from_config(&brickwork_core::config::from_json(r#"{"id":"delta"}"#).unwrap()).is_err()
        );
        assert!(Delta::from_config(
            &brickwork_core::config::from_json(r#"{"id":"delta","dtype":"O"}"#).unwrap()
        )
        .is_err());
        assert!(matches!(
            c.encode_bytes(&[1, 2, 3]),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            c.decode(&[1, 2, 3], &Limits::default()),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            c.decode(&[0; 8], &Limits::new(7)),
            Err(Error::LimitExceeded { .. })
        ));
        assert_eq!(c.encode_bytes(&[]).unwrap(), Vec::<u8>::new());
        let s = Delta::new(dt("|S3"), None).unwrap();
        assert!(s.encode_bytes(&[0; 3]).is_err());
    }
}
