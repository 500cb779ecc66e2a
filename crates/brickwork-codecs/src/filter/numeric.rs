//! NumPy element types and casts for the typed filters, written once and instantiated per type.
//!
//! * [`Elem`]: one NumPy element type (`?`, `i1`…`u8`, `f2`, `f4`, `f8`, `c8`, `c16`): how it is read and
//!   written in either byte order, NumPy's `add`/`subtract` in that type (wrapping integers, IEEE floats
//!   with float16 rounded after every operation, bool `add` = OR and `subtract` = XOR), and its casts
//!   through [`Wide`], a lossless common representation.
//! * [`Wide::cast`]-style casts reproduce what NumPy 2 does on x86-64 (spec §3.9), including the
//!   out-of-range and NaN results of float → integer casts, which C leaves undefined (measured with
//!   NumPy 2.5, see the tests).
//! * [`with_elem!`] turns a runtime [`DType`] into a type parameter; [`store`], [`map_bytes`] and [`cast`] move
//!   whole arrays between bytes and typed slices in simple loops the compiler can vectorise.
//! * Datetimes and timedeltas are handled as int64, as numcodecs' `ensure_contiguous_ndarray` does.

use std::mem::MaybeUninit;

use brickwork_core::{DType, Endian, Error, Kind, Limits, Result};
use half::f16;

/// A value of any element type, without loss: integers as `i128`, floats as `f64` (remembering float16,
/// whose casts to `u4` differ), complex as two `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Wide {
    /// bool (0/1) and integers.
    Int(i128),
    /// float32 and float64 values.
    Float(f64),
    /// float16 values.
    Half(f64),
    /// complex values (real, imaginary).
    Complex(f64, f64),
}

/// C's `(int32_t)x` as x86-64's `cvttsd2si` computes it: NaN and out-of-range values give `INT32_MIN`.
#[inline]
fn cvtt32(x: f64) -> i32 {
    if x > -2_147_483_649.0 && x < 2_147_483_648.0 {
        // SAFETY: the test above fails for NaN, and -2**31 - 1 < x < 2**31 means x truncated toward zero
        // lies in -2**31 ..= 2**31 - 1, the range `to_int_unchecked` requires. (Unlike the saturating
        // `as`, this compiles to a bare cvttpd2dq, which vectorises.) Tested by
        // `float_to_int_casts_match_numpy_on_x86_64`.
        unsafe { x.to_int_unchecked::<i32>() }
    } else {
        i32::MIN
    }
}

/// C's `(int64_t)x` as x86-64's `cvttsd2si` computes it: NaN and out-of-range values give `INT64_MIN`.
#[inline]
fn cvtt64(x: f64) -> i64 {
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

impl Wide {
    /// The value as NumPy casts it to a float: real part of complex values.
    #[inline]
    fn real(self) -> f64 {
        match self {
            Wide::Int(i) => i as f64,
            Wide::Float(x) | Wide::Half(x) | Wide::Complex(x, _) => x,
        }
    }

    /// NumPy's float → `i1`/`u1`/`i2`/`u2`/`i4`: through `int32` (low bits kept).
    #[inline]
    fn to_i32_bits(self) -> i64 {
        match self {
            Wide::Int(i) => i as i64,
            Wide::Float(x) | Wide::Half(x) | Wide::Complex(x, _) => i64::from(cvtt32(x)),
        }
    }

    /// NumPy's float → `i8` (and float16 → `u4`): through `int64`.
    #[inline]
    fn to_i64_bits(self) -> i64 {
        match self {
            Wide::Int(i) => i as i64,
            Wide::Float(x) | Wide::Half(x) | Wide::Complex(x, _) => cvtt64(x),
        }
    }

    /// NumPy's float32/64 → `u4`: `x < 2**31 ? (int32)x : (int32)(x - 2**31) ^ 0x80000000`.
    #[inline]
    fn to_u32_bits(self) -> u32 {
        match self {
            Wide::Int(i) => i as u32,
            Wide::Half(x) => cvtt64(x) as u32,
            Wide::Float(x) | Wide::Complex(x, _) => {
                if x >= 2_147_483_648.0 {
                    (cvtt32(x - 2_147_483_648.0) as u32) ^ 0x8000_0000
                } else {
                    cvtt32(x) as u32
                }
            }
        }
    }

    /// NumPy's float → `u8`: `x < 2**63 ? (int64)x : (int64)(x - 2**63) ^ 2**63`.
    #[inline]
    fn to_u64_bits(self) -> u64 {
        match self {
            Wide::Int(i) => i as u64,
            Wide::Float(x) | Wide::Half(x) | Wide::Complex(x, _) => {
                if x >= 9_223_372_036_854_775_808.0 {
                    (cvtt64(x - 9_223_372_036_854_775_808.0) as u64) ^ (1 << 63)
                } else {
                    cvtt64(x) as u64
                }
            }
        }
    }

    /// NumPy's cast to bool: nonzero (NaN counts as nonzero).
    #[inline]
    fn truthy(self) -> bool {
        match self {
            Wide::Int(i) => i != 0,
            Wide::Float(x) | Wide::Half(x) => x != 0.0,
            Wide::Complex(re, im) => re != 0.0 || im != 0.0,
        }
    }
}

/// NumPy's bool: one byte, nonzero is True.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Bool(pub u8);

/// complex64: two float32.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct C64(pub f32, pub f32);

/// complex128: two float64.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct C128(pub f64, pub f64);

/// One NumPy element type.
pub(crate) trait Elem: Copy + Default + PartialEq + Send + Sync + 'static {
    /// Bytes per element.
    const SIZE: usize;
    /// Which element type this is.
    const KIND: ElemKind;
    /// Reads one little-endian element (`b` has exactly `SIZE` bytes).
    fn from_le(b: &[u8]) -> Self;
    /// Reads one big-endian element.
    fn from_be(b: &[u8]) -> Self;
    /// Writes one element little-endian into `out` (`SIZE` bytes).
    fn write_le(self, out: &mut [u8]);
    /// Writes one element big-endian.
    fn write_be(self, out: &mut [u8]);
    /// The exact value.
    fn to_wide(self) -> Wide;
    /// NumPy's (unsafe-casting) conversion of a value to this type.
    fn from_wide(w: Wide) -> Self;
    /// NumPy's `add` in this type.
    fn add(self, other: Self) -> Self;
    /// NumPy's `subtract` in this type (bool: XOR, as `np.diff` does).
    fn sub(self, other: Self) -> Self;

    /// The whole elements of little-endian `bytes`, without copying them first.
    fn iter_le(bytes: &[u8]) -> impl Iterator<Item = Self> + '_ {
        bytes.chunks_exact(Self::SIZE).map(Self::from_le)
    }

    /// The whole elements of big-endian `bytes`.
    fn iter_be(bytes: &[u8]) -> impl Iterator<Item = Self> + '_ {
        bytes.chunks_exact(Self::SIZE).map(Self::from_be)
    }

    /// Writes the elements produced by `values` into `out` as bytes (as many as fit in whole
    /// elements); returns how many it wrote. It only ever writes initialised bytes. Every store goes
    /// through this loop, run by [`crate::simd::dispatch`].
    #[inline(always)]
    fn store_uninit<I: Iterator<Item = Self>>(out: &mut [MaybeUninit<u8>], values: I, big: bool) -> usize {
        let mut written = 0;
        for (o, v) in out.chunks_exact_mut(Self::SIZE).zip(values) {
            let mut item = [0u8; 16];
            let item = item.get_mut(..Self::SIZE).unwrap_or_default();
            if big {
                v.write_be(item);
            } else {
                v.write_le(item);
            }
            for (o, b) in o.iter_mut().zip(item.iter()) {
                o.write(*b);
            }
            written += 1;
        }
        written
    }

    /// [`Elem::store_uninit`] in the loop [`crate::simd::dispatch`] picks for this CPU.
    fn store_fast<I: Iterator<Item = Self>>(out: &mut [MaybeUninit<u8>], values: I, big: bool) -> usize {
        crate::simd::dispatch(|| Self::store_uninit(out, values, big))
    }

    /// Writes the elements produced by `values` into `out` (as many as fit in whole elements).
    fn store_into<I: Iterator<Item = Self>>(out: &mut [u8], values: I, big: bool) {
        // SAFETY: `[u8]` and `[MaybeUninit<u8>]` have the same layout, and store_uninit writes only
        // initialised bytes, so `out` stays initialised.
        let out = unsafe { &mut *(std::ptr::from_mut(out) as *mut [MaybeUninit<u8>]) };
        Self::store_fast(out, values, big);
    }

    /// Writes `n` elements produced by `values` as bytes (zeros where `values` ends early), into
    /// memory that is not zero-filled first.
    fn store_iter<I: Iterator<Item = Self>>(n: usize, values: I, big: bool) -> Vec<u8> {
        let len = n.saturating_mul(Self::SIZE);
        let mut out = Vec::with_capacity(len);
        let spare = out.spare_capacity_mut().get_mut(..len).unwrap_or_default();
        let filled = spare.len(); // `len`: the capacity is at least that
        let written = Self::store_fast(spare, values, big);
        if let Some(rest) = spare.get_mut(written * Self::SIZE..) {
            rest.fill(MaybeUninit::new(0));
        }
        // SAFETY: the first `filled` bytes of the spare capacity are initialised: store_uninit wrote
        // the first `written` elements and the rest were zero-filled.
        unsafe { out.set_len(filled) };
        out
    }
}

macro_rules! bytes_io {
    ($t:ty, $n:literal) => {
        #[inline]
        fn from_le(b: &[u8]) -> Self {
            <[u8; $n]>::try_from(b).map_or_else(|_| Self::default(), <$t>::from_le_bytes)
        }
        #[inline]
        fn from_be(b: &[u8]) -> Self {
            <[u8; $n]>::try_from(b).map_or_else(|_| Self::default(), <$t>::from_be_bytes)
        }
        #[inline]
        fn write_le(self, out: &mut [u8]) {
            for (o, v) in out.iter_mut().zip(self.to_le_bytes()) {
                *o = v;
            }
        }
        #[inline]
        fn write_be(self, out: &mut [u8]) {
            for (o, v) in out.iter_mut().zip(self.to_be_bytes()) {
                *o = v;
            }
        }
        // Fixed-size chunks, so the loops compile to straight copies (or byte swaps) the compiler vectorises.
        #[inline(always)]
        fn iter_le(bytes: &[u8]) -> impl Iterator<Item = Self> + '_ {
            bytes
                .as_chunks::<$n>()
                .0
                .iter()
                .map(|c| <$t>::from_le_bytes(*c))
        }
        #[inline(always)]
        fn iter_be(bytes: &[u8]) -> impl Iterator<Item = Self> + '_ {
            bytes
                .as_chunks::<$n>()
                .0
                .iter()
                .map(|c| <$t>::from_be_bytes(*c))
        }
        // Fixed-size items, so the loop compiles to straight stores (or byte swaps) the compiler vectorises.
        #[inline(always)]
        fn store_uninit<I: Iterator<Item = Self>>(
            out: &mut [std::mem::MaybeUninit<u8>],
            values: I,
            big: bool,
        ) -> usize {
            let (chunks, _) = out.as_chunks_mut::<$n>();
            let mut written = 0;
            if big {
                for (o, v) in chunks.iter_mut().zip(values) {
                    *o = v.to_be_bytes().map(std::mem::MaybeUninit::new);
                    written += 1;
                }
            } else {
                for (o, v) in chunks.iter_mut().zip(values) {
                    *o = v.to_le_bytes().map(std::mem::MaybeUninit::new);
                    written += 1;
                }
            }
            written
        }
    };
}

macro_rules! int_elem {
    ($t:ty, $n:literal, $bits:ident, $kind:ident) => {
        impl Elem for $t {
            const SIZE: usize = $n;
            const KIND: ElemKind = ElemKind::$kind;
            bytes_io!($t, $n);
            #[inline]
            fn to_wide(self) -> Wide {
                Wide::Int(i128::from(self))
            }
            #[inline]
            fn from_wide(w: Wide) -> Self {
                w.$bits() as $t
            }
            #[inline]
            fn add(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            #[inline]
            fn sub(self, other: Self) -> Self {
                self.wrapping_sub(other)
            }
        }
    };
}

int_elem!(i8, 1, to_i32_bits, I8);
int_elem!(u8, 1, to_i32_bits, U8);
int_elem!(i16, 2, to_i32_bits, I16);
int_elem!(u16, 2, to_i32_bits, U16);
int_elem!(i32, 4, to_i32_bits, I32);
int_elem!(u32, 4, to_u32_bits, U32);
int_elem!(i64, 8, to_i64_bits, I64);
int_elem!(u64, 8, to_u64_bits, U64);

impl Elem for Bool {
    const SIZE: usize = 1;
    const KIND: ElemKind = ElemKind::Bool;
    #[inline]
    fn from_le(b: &[u8]) -> Self {
        Bool(b.first().copied().unwrap_or(0))
    }
    #[inline]
    fn from_be(b: &[u8]) -> Self {
        Self::from_le(b)
    }
    #[inline]
    fn write_le(self, out: &mut [u8]) {
        if let Some(o) = out.first_mut() {
            *o = self.0;
        }
    }
    #[inline]
    fn write_be(self, out: &mut [u8]) {
        self.write_le(out);
    }
    #[inline]
    fn to_wide(self) -> Wide {
        Wide::Int(i128::from(self.0 != 0))
    }
    #[inline]
    fn from_wide(w: Wide) -> Self {
        Bool(u8::from(w.truthy()))
    }
    #[inline]
    fn add(self, other: Self) -> Self {
        Bool(u8::from(self.0 != 0 || other.0 != 0))
    }
    #[inline]
    fn sub(self, other: Self) -> Self {
        Bool(u8::from((self.0 != 0) != (other.0 != 0)))
    }
}

impl Elem for f32 {
    const SIZE: usize = 4;
    const KIND: ElemKind = ElemKind::F32;
    bytes_io!(f32, 4);
    #[inline]
    fn to_wide(self) -> Wide {
        Wide::Float(f64::from(self))
    }
    #[inline]
    fn from_wide(w: Wide) -> Self {
        match w {
            Wide::Int(i) => i as f32,
            other => other.real() as f32,
        }
    }
    #[inline]
    fn add(self, other: Self) -> Self {
        self + other
    }
    #[inline]
    fn sub(self, other: Self) -> Self {
        self - other
    }
}

impl Elem for f64 {
    const SIZE: usize = 8;
    const KIND: ElemKind = ElemKind::F64;
    bytes_io!(f64, 8);
    #[inline]
    fn to_wide(self) -> Wide {
        Wide::Float(self)
    }
    #[inline]
    fn from_wide(w: Wide) -> Self {
        w.real()
    }
    #[inline]
    fn add(self, other: Self) -> Self {
        self + other
    }
    #[inline]
    fn sub(self, other: Self) -> Self {
        self - other
    }
}

impl Elem for f16 {
    const SIZE: usize = 2;
    const KIND: ElemKind = ElemKind::F16;
    bytes_io!(f16, 2);
    #[inline]
    fn to_wide(self) -> Wide {
        Wide::Half(self.to_f64())
    }
    #[inline]
    fn from_wide(w: Wide) -> Self {
        // Integers above 2**53 round in f64 first, but everything above 65520 is +-inf in float16 anyway.
        f16::from_f64(w.real())
    }
    #[inline]
    fn add(self, other: Self) -> Self {
        f16::from_f32(self.to_f32() + other.to_f32())
    }
    #[inline]
    fn sub(self, other: Self) -> Self {
        f16::from_f32(self.to_f32() - other.to_f32())
    }
}

impl Elem for C64 {
    const SIZE: usize = 8;
    const KIND: ElemKind = ElemKind::C64;
    #[inline]
    fn from_le(b: &[u8]) -> Self {
        C64(
            f32::from_le(b.get(..4).unwrap_or(&[])),
            f32::from_le(b.get(4..).unwrap_or(&[])),
        )
    }
    #[inline]
    fn from_be(b: &[u8]) -> Self {
        C64(
            f32::from_be(b.get(..4).unwrap_or(&[])),
            f32::from_be(b.get(4..).unwrap_or(&[])),
        )
    }
    #[inline]
    fn write_le(self, out: &mut [u8]) {
        let (a, b) = out.split_at_mut(out.len().min(4));
        self.0.write_le(a);
        self.1.write_le(b);
    }
    #[inline]
    fn write_be(self, out: &mut [u8]) {
        let (a, b) = out.split_at_mut(out.len().min(4));
        self.0.write_be(a);
        self.1.write_be(b);
    }
    #[inline]
    fn to_wide(self) -> Wide {
        Wide::Complex(f64::from(self.0), f64::from(self.1))
    }
    #[inline]
    fn from_wide(w: Wide) -> Self {
        match w {
            Wide::Complex(re, im) => C64(re as f32, im as f32),
            other => C64(f32::from_wide(other), 0.0),
        }
    }
    #[inline]
    fn add(self, o: Self) -> Self {
        C64(self.0 + o.0, self.1 + o.1)
    }
    #[inline]
    fn sub(self, o: Self) -> Self {
        C64(self.0 - o.0, self.1 - o.1)
    }
}

impl Elem for C128 {
    const SIZE: usize = 16;
    const KIND: ElemKind = ElemKind::C128;
    #[inline]
    fn from_le(b: &[u8]) -> Self {
        C128(
            f64::from_le(b.get(..8).unwrap_or(&[])),
            f64::from_le(b.get(8..).unwrap_or(&[])),
        )
    }
    #[inline]
    fn from_be(b: &[u8]) -> Self {
        C128(
            f64::from_be(b.get(..8).unwrap_or(&[])),
            f64::from_be(b.get(8..).unwrap_or(&[])),
        )
    }
    #[inline]
    fn write_le(self, out: &mut [u8]) {
        let (a, b) = out.split_at_mut(out.len().min(8));
        self.0.write_le(a);
        self.1.write_le(b);
    }
    #[inline]
    fn write_be(self, out: &mut [u8]) {
        let (a, b) = out.split_at_mut(out.len().min(8));
        self.0.write_be(a);
        self.1.write_be(b);
    }
    #[inline]
    fn to_wide(self) -> Wide {
        Wide::Complex(self.0, self.1)
    }
    #[inline]
    fn from_wide(w: Wide) -> Self {
        match w {
            Wide::Complex(re, im) => C128(re, im),
            other => C128(other.real(), 0.0),
        }
    }
    #[inline]
    fn add(self, o: Self) -> Self {
        C128(self.0 + o.0, self.1 + o.1)
    }
    #[inline]
    fn sub(self, o: Self) -> Self {
        C128(self.0 - o.0, self.1 - o.1)
    }
}

/// A float element type with NumPy arithmetic in its own precision (float16 rounds after every step).
/// `rint` is `round_ties_even`: one `roundpd` in the SSE4.1 and AVX2 loops of [`crate::simd::dispatch`]
/// (a libm call per element only at the SSE2 baseline level, which has no rounding instruction).
pub(crate) trait FloatElem: Elem {
    /// NumPy's conversion of a Python float (a "weak" scalar under NEP 50) to this type.
    fn from_f64(x: f64) -> Self;
    /// `self * other`.
    fn mul(self, other: Self) -> Self;
    /// `self / other`.
    fn div(self, other: Self) -> Self;
    /// `np.around(self)`: round half to even.
    fn rint(self) -> Self;
}

impl FloatElem for f32 {
    #[inline]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn mul(self, o: Self) -> Self {
        self * o
    }
    #[inline]
    fn div(self, o: Self) -> Self {
        self / o
    }
    #[inline]
    fn rint(self) -> Self {
        self.round_ties_even()
    }
}

impl FloatElem for f64 {
    #[inline]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn mul(self, o: Self) -> Self {
        self * o
    }
    #[inline]
    fn div(self, o: Self) -> Self {
        self / o
    }
    #[inline]
    fn rint(self) -> Self {
        self.round_ties_even()
    }
}

impl FloatElem for f16 {
    #[inline]
    fn from_f64(x: f64) -> Self {
        f16::from_f64(x)
    }
    #[inline]
    fn mul(self, o: Self) -> Self {
        f16::from_f32(self.to_f32() * o.to_f32())
    }
    #[inline]
    fn div(self, o: Self) -> Self {
        f16::from_f32(self.to_f32() / o.to_f32())
    }
    #[inline]
    fn rint(self) -> Self {
        f16::from_f32(self.to_f32().round_ties_even())
    }
}

/// An integer element type with NumPy's wrapping arithmetic.
pub(crate) trait IntElem: Elem {
    /// A Python int as this type, or None if NumPy 2 would raise OverflowError (NEP 50).
    fn from_py_int(v: i128) -> Option<Self>;
    /// Wrapping multiplication.
    fn mul(self, other: Self) -> Self;
    /// The value as float64 (NumPy's int → float64 cast).
    fn as_f64(self) -> f64;
}

macro_rules! int_ops {
    ($($t:ty),*) => {$(
        impl IntElem for $t {
            #[inline]
            fn from_py_int(v: i128) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
            #[inline]
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline]
            fn as_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
int_ops!(i8, u8, i16, u16, i32, u32, i64, u64);

/// The element types the filters dispatch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElemKind {
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F16,
    F32,
    F64,
    C64,
    C128,
}

impl ElemKind {
    /// The element type of a numeric dtype (datetimes and timedeltas are int64), or an error naming
    /// `codec`.
    pub(crate) fn of(codec: &str, dtype: DType) -> Result<Self> {
        let d = dtype.as_buffer_dtype();
        Ok(match (d.kind(), d.itemsize()) {
            (Kind::Bool, 1) => ElemKind::Bool,
            (Kind::Int, 1) => ElemKind::I8,
            (Kind::UInt, 1) => ElemKind::U8,
            (Kind::Int, 2) => ElemKind::I16,
            (Kind::UInt, 2) => ElemKind::U16,
            (Kind::Int, 4) => ElemKind::I32,
            (Kind::UInt, 4) => ElemKind::U32,
            (Kind::Int, 8) => ElemKind::I64,
            (Kind::UInt, 8) => ElemKind::U64,
            (Kind::Float, 2) => ElemKind::F16,
            (Kind::Float, 4) => ElemKind::F32,
            (Kind::Float, 8) => ElemKind::F64,
            (Kind::Complex, 8) => ElemKind::C64,
            (Kind::Complex, 16) => ElemKind::C128,
            _ => {
                return Err(Error::InvalidDType {
                    spec: dtype.to_string(),
                    reason: format!(
                        "{codec} works on bool, integer, float, complex, datetime64 and timedelta64 \
                         dtypes only"
                    ),
                })
            }
        })
    }

    /// True for the complex kinds.
    pub(crate) fn is_complex(self) -> bool {
        matches!(self, ElemKind::C64 | ElemKind::C128)
    }

    /// `(kind letter, itemsize)` in NumPy's terms.
    fn class(self) -> (char, usize) {
        match self {
            ElemKind::Bool => ('b', 1),
            ElemKind::I8 => ('i', 1),
            ElemKind::U8 => ('u', 1),
            ElemKind::I16 => ('i', 2),
            ElemKind::U16 => ('u', 2),
            ElemKind::I32 => ('i', 4),
            ElemKind::U32 => ('u', 4),
            ElemKind::I64 => ('i', 8),
            ElemKind::U64 => ('u', 8),
            ElemKind::F16 => ('f', 2),
            ElemKind::F32 => ('f', 4),
            ElemKind::F64 => ('f', 8),
            ElemKind::C64 => ('c', 8),
            ElemKind::C128 => ('c', 16),
        }
    }

    /// The element type of a kind letter and size (`'b' 'i' 'u' 'f' 'c'`).
    fn from_class(k: char, n: usize) -> ElemKind {
        match (k, n) {
            ('b', _) => ElemKind::Bool,
            ('i', 1) => ElemKind::I8,
            ('u', 1) => ElemKind::U8,
            ('i', 2) => ElemKind::I16,
            ('u', 2) => ElemKind::U16,
            ('i', 4) => ElemKind::I32,
            ('u', 4) => ElemKind::U32,
            ('i', _) => ElemKind::I64,
            ('u', _) => ElemKind::U64,
            ('f', 2) => ElemKind::F16,
            ('f', 4) => ElemKind::F32,
            ('f', _) => ElemKind::F64,
            ('c', 8) => ElemKind::C64,
            _ => ElemKind::C128,
        }
    }

    /// The little-endian dtype of this element type.
    pub(crate) fn dtype(self) -> DType {
        let (k, n) = self.class();
        let kind = match k {
            'b' => Kind::Bool,
            'i' => Kind::Int,
            'u' => Kind::UInt,
            'f' => Kind::Float,
            _ => Kind::Complex,
        };
        DType::new(kind, n, Endian::Little).unwrap_or(DType::U8)
    }

    /// True for the integer kinds (signed and unsigned; not bool).
    pub(crate) fn is_int(self) -> bool {
        matches!(self.class().0, 'i' | 'u')
    }

    /// True for the signed integer kinds.
    pub(crate) fn is_signed_int(self) -> bool {
        self.class().0 == 'i'
    }

    /// NumPy's `promote_types(self, other)` (measured with NumPy 2.5, see the tests).
    pub(crate) fn promote(self, other: ElemKind) -> ElemKind {
        let ((ka, na), (kb, nb)) = (self.class(), other.class());
        // The smallest float that holds every value of an integer of n bytes (int64 -> float64 counts).
        let float_for_int = |n: usize| match n {
            1 => 2,
            2 => 4,
            _ => 8,
        };
        let (k, n) = match (ka, kb) {
            ('b', _) => (kb, nb),
            (_, 'b') => (ka, na),
            _ if ka == kb => (ka, na.max(nb)),
            ('i', 'u') | ('u', 'i') => {
                let ((_, si), (_, un)) = if ka == 'i' {
                    ((ka, na), (kb, nb))
                } else {
                    ((kb, nb), (ka, na))
                };
                if un < si {
                    ('i', si)
                } else if 2 * un <= 8 {
                    ('i', 2 * un)
                } else {
                    ('f', 8)
                }
            }
            ('i' | 'u', 'f') => ('f', nb.max(float_for_int(na))),
            ('f', 'i' | 'u') => ('f', na.max(float_for_int(nb))),
            ('i' | 'u', 'c') => ('c', 2 * (nb / 2).max(float_for_int(na))),
            ('c', 'i' | 'u') => ('c', 2 * (na / 2).max(float_for_int(nb))),
            ('f', 'c') => ('c', nb.max(2 * na)),
            _ => ('c', na.max(2 * nb)),
        };
        ElemKind::from_class(k, n)
    }
}

/// NumPy's assignment of one scalar of another type into an array element (`arr[0] = x`), which differs
/// from array casts: signed integer targets take the value through a Python int (NaN, infinities and
/// out-of-range values raise; here an error), and float → `u4` keeps the low 32 bits of the int64
/// conversion (the scalar code path) instead of the vectorised loop's result. Other targets cast as
/// arrays do.
pub(crate) fn cast_scalar<D: Elem>(codec: &str, w: Wide, to: ElemKind) -> Result<D> {
    let int_value = |w: Wide| -> Option<i128> {
        match w {
            Wide::Int(i) => Some(i),
            Wide::Float(x) | Wide::Half(x) | Wide::Complex(x, _) => {
                (x.is_finite() && x.abs() < 1e38).then(|| x.trunc() as i128)
            }
        }
    };
    if to.is_signed_int() {
        let v = int_value(w).ok_or_else(|| {
            Error::invalid_input(
                codec,
                format!("cannot convert {w:?} to an integer (NumPy raises here)"),
            )
        })?;
        let (_, n) = to.class();
        let bound = 1i128 << (8 * n - 1);
        if v < -bound || v >= bound {
            return Err(Error::invalid_input(
                codec,
                format!("Python integer {v} out of bounds for {}", to.dtype()),
            ));
        }
        return Ok(D::from_wide(Wide::Int(v)));
    }
    if to == ElemKind::U32 {
        if let Wide::Float(x) | Wide::Complex(x, _) = w {
            return Ok(D::from_wide(Wide::Half(x)));
        }
    }
    Ok(D::from_wide(w))
}

/// Runs `$body` with `$T` bound to the element type of `$kind` (an [`ElemKind`]).
macro_rules! with_elem {
    ($kind:expr, $T:ident => $body:expr) => {{
        use $crate::filter::numeric::ElemKind as __K;
        match $kind {
            __K::Bool => {
                type $T = $crate::filter::numeric::Bool;
                $body
            }
            __K::I8 => {
                type $T = i8;
                $body
            }
            __K::U8 => {
                type $T = u8;
                $body
            }
            __K::I16 => {
                type $T = i16;
                $body
            }
            __K::U16 => {
                type $T = u16;
                $body
            }
            __K::I32 => {
                type $T = i32;
                $body
            }
            __K::U32 => {
                type $T = u32;
                $body
            }
            __K::I64 => {
                type $T = i64;
                $body
            }
            __K::U64 => {
                type $T = u64;
                $body
            }
            __K::F16 => {
                type $T = half::f16;
                $body
            }
            __K::F32 => {
                type $T = f32;
                $body
            }
            __K::F64 => {
                type $T = f64;
                $body
            }
            __K::C64 => {
                type $T = $crate::filter::numeric::C64;
                $body
            }
            __K::C128 => {
                type $T = $crate::filter::numeric::C128;
                $body
            }
        }
    }};
}
pub(crate) use with_elem;

/// Checks that `bytes` is a whole number of `dtype` items (NumPy's `.view(dtype)` rule) and returns the
/// item count.
pub(crate) fn item_count(codec: &str, bytes: &[u8], dtype: DType) -> Result<usize> {
    let size = dtype.itemsize();
    if size == 0 || !bytes.len().is_multiple_of(size) {
        return Err(Error::invalid_input(
            codec,
            format!(
                "{} bytes are not a whole number of {dtype} items ({size} bytes each)",
                bytes.len()
            ),
        ));
    }
    Ok(bytes.len() / size)
}

/// The byte size of `n` decoded items of `dtype`, checked against `limits` before anything is allocated.
pub(crate) fn decoded_size(codec: &str, n: usize, dtype: DType, limits: &Limits) -> Result<usize> {
    let bytes = n.saturating_mul(dtype.itemsize());
    if bytes > limits.max_decoded_bytes {
        return Err(Error::limit(
            codec,
            "decoded output",
            bytes as u64,
            limits.max_decoded_bytes,
        ));
    }
    Ok(bytes)
}

/// Refuses object dtypes in a config key (numcodecs: ValueError/TypeError in the constructor).
pub(crate) fn not_object(codec: &str, key: &str, dtype: DType) -> Result<()> {
    if dtype.kind() == Kind::Object {
        return Err(Error::invalid_config(
            codec,
            key,
            "object arrays are not supported",
        ));
    }
    Ok(())
}

/// True when `dtype` stores its items big-endian.
pub(crate) fn is_big(dtype: DType) -> bool {
    dtype.endian() == Endian::Big
}

/// Writes `n` elements produced by `values` as bytes.
pub(crate) fn store<T: Elem>(n: usize, values: impl Iterator<Item = T>, big: bool) -> Vec<u8> {
    T::store_iter(n, values, big)
}

/// Writes `f` applied to every element of `bytes` (elements of `S`, byte order `big_in`) as `D` bytes
/// (byte order `big_out`), in one pass.
pub(crate) fn map_bytes<S: Elem, D: Elem>(
    bytes: &[u8],
    big_in: bool,
    big_out: bool,
    f: impl FnMut(S) -> D,
) -> Vec<u8> {
    let n = bytes.len() / S::SIZE;
    if big_in {
        D::store_iter(n, S::iter_be(bytes).map(f), big_out)
    } else {
        D::store_iter(n, S::iter_le(bytes).map(f), big_out)
    }
}

/// [`map_bytes`] into `out` (as many elements as fit): no output allocation.
pub(crate) fn map_bytes_into<S: Elem, D: Elem>(
    bytes: &[u8],
    big_in: bool,
    big_out: bool,
    out: &mut [u8],
    f: impl FnMut(S) -> D,
) {
    if big_in {
        D::store_into(out, S::iter_be(bytes).map(f), big_out);
    } else {
        D::store_into(out, S::iter_le(bytes).map(f), big_out);
    }
}

/// [`map_cast`] into `out`, which must hold exactly one `to` item per element of `bytes`.
pub(crate) fn map_cast_into<S: Elem, M: Elem>(
    codec: &str,
    bytes: &[u8],
    big_in: bool,
    to: DType,
    out: &mut [u8],
    mut f: impl FnMut(S) -> M,
) -> Result<usize> {
    let n = exact_out(codec, bytes.len() / S::SIZE, to, out)?;
    let (kind, big_out) = (ElemKind::of(codec, to)?, is_big(to));
    if kind == M::KIND {
        map_bytes_into::<S, M>(bytes, big_in, big_out, out, f);
    } else {
        with_elem!(kind, D => map_bytes_into::<S, D>(bytes, big_in, big_out, out, move |v| D::from_wide(f(v).to_wide())));
    }
    Ok(n)
}

/// [`cast`] into `out`, which must hold exactly the cast bytes; returns their count.
pub(crate) fn cast_into(codec: &str, bytes: &[u8], from: DType, to: DType, out: &mut [u8]) -> Result<usize> {
    let n = item_count(codec, bytes, from)?;
    let written = exact_out(codec, n, to, out)?;
    let (kf, kt) = (ElemKind::of(codec, from)?, ElemKind::of(codec, to)?);
    let (bf, bt) = (is_big(from), is_big(to));
    if kf == kt && bf == bt {
        out.copy_from_slice(bytes);
    } else {
        with_elem!(kf, S => with_elem!(kt, D => map_bytes_into::<S, D>(bytes, bf, bt, out, |v| D::from_wide(v.to_wide()))));
    }
    Ok(written)
}

/// Checks that `out` holds exactly `n` items of `dtype` (numcodecs' `ndarray_copy` rule for
/// `decode(buf, out)`); returns the byte count.
pub(crate) fn exact_out(codec: &str, n: usize, dtype: DType, out: &[u8]) -> Result<usize> {
    let want = n.saturating_mul(dtype.itemsize());
    if out.len() != want {
        return Err(Error::output_size(codec, format!("exactly {want}"), out.len()));
    }
    Ok(want)
}

/// `f` over every element of `bytes` (elements of `S`, byte order `big_in`), the results cast to `to`
/// with NumPy's casts, in one pass.
pub(crate) fn map_cast<S: Elem, M: Elem>(
    codec: &str,
    bytes: &[u8],
    big_in: bool,
    to: DType,
    mut f: impl FnMut(S) -> M,
) -> Result<Vec<u8>> {
    let (kind, big_out) = (ElemKind::of(codec, to)?, is_big(to));
    if kind == M::KIND {
        return Ok(map_bytes::<S, M>(bytes, big_in, big_out, f));
    }
    Ok(
        with_elem!(kind, D => map_bytes::<S, D>(bytes, big_in, big_out, move |v| D::from_wide(f(v).to_wide()))),
    )
}

/// NumPy's `bytes.view(from).astype(to)`, as bytes of `to`.
pub(crate) fn cast(codec: &str, bytes: &[u8], from: DType, to: DType) -> Result<Vec<u8>> {
    item_count(codec, bytes, from)?;
    let (kf, kt) = (ElemKind::of(codec, from)?, ElemKind::of(codec, to)?);
    if kf == kt && is_big(from) == is_big(to) {
        return Ok(bytes.to_vec());
    }
    let (bf, bt) = (is_big(from), is_big(to));
    Ok(
        with_elem!(kf, S => with_elem!(kt, D => map_bytes::<S, D>(bytes, bf, bt, |v| D::from_wide(v.to_wide())))),
    )
}

/// NumPy's array cast of one element from `S` to `D`.
#[inline(always)]
pub(crate) fn conv<S: Elem, D: Elem>(v: S) -> D {
    D::from_wide(v.to_wide())
}

/// Writes `f(a[i], b[i])` for the elements of `a` and `b` (both of `S`, byte order `big_in`) into `out`
/// as `D` (byte order `big_out`), in one pass with no intermediate buffer; returns how many elements it
/// wrote (as many as `a`, `b` and `out` all hold).
pub(crate) fn map_pairs_uninit<S: Elem, D: Elem>(
    a: &[u8],
    b: &[u8],
    big_in: bool,
    big_out: bool,
    out: &mut [MaybeUninit<u8>],
    mut f: impl FnMut(S, S) -> D,
) -> usize {
    if big_in {
        D::store_fast(
            out,
            S::iter_be(a).zip(S::iter_be(b)).map(move |(x, y)| f(x, y)),
            big_out,
        )
    } else {
        D::store_fast(
            out,
            S::iter_le(a).zip(S::iter_le(b)).map(move |(x, y)| f(x, y)),
            big_out,
        )
    }
}

/// Reads the elements of `bytes` (dtype `from`) into `dst` as `T`, with NumPy's casts (as many as fit).
pub(crate) fn load_into<T: Elem>(codec: &str, bytes: &[u8], from: DType, dst: &mut [T]) -> Result<()> {
    let (kind, big) = (ElemKind::of(codec, from)?, is_big(from));
    if kind == T::KIND {
        // The same type: read the elements as they are (no round trip through a cast).
        if big {
            dst.iter_mut().zip(T::iter_be(bytes)).for_each(|(d, v)| *d = v);
        } else {
            dst.iter_mut().zip(T::iter_le(bytes)).for_each(|(d, v)| *d = v);
        }
        return Ok(());
    }
    with_elem!(kind, S => {
        if big {
            for (d, v) in dst.iter_mut().zip(S::iter_be(bytes)) {
                *d = conv::<S, T>(v);
            }
        } else {
            for (d, v) in dst.iter_mut().zip(S::iter_le(bytes)) {
                *d = conv::<S, T>(v);
            }
        }
    });
    Ok(())
}

/// Writes `values` cast to `to` (NumPy's casts) into `out` (as many as fit).
pub(crate) fn store_cast_into<S: Elem>(codec: &str, values: &[S], to: DType, out: &mut [u8]) -> Result<()> {
    let (kind, big) = (ElemKind::of(codec, to)?, is_big(to));
    if kind == S::KIND {
        S::store_into(out, values.iter().copied(), big);
        return Ok(());
    }
    with_elem!(kind, D => D::store_into(out, values.iter().map(|v| conv::<S, D>(*v)), big));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cast_f64(values: &[f64], from: &str, to: &str) -> Vec<i128> {
        let from = DType::parse(from).unwrap();
        let to = DType::parse(to).unwrap();
        let kf = ElemKind::of("t", from).unwrap();
        let src = with_elem!(kf, S => store::<S>(values.len(), values.iter().map(|v| S::from_wide(Wide::Float(*v))), false));
        let out = cast("t", &src, from, to).unwrap();
        let kt = ElemKind::of("t", to).unwrap();
        with_elem!(kt, D => D::iter_le(&out).map(|v| match v.to_wide() {
            Wide::Int(i) => i,
            _ => unreachable!(),
        }).collect())
    }

    /// Values and the results NumPy 2.5 gives on x86-64 (`np.array(vals, src).astype(dst)`).
    const VALS: [f64; 22] = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        300.0,
        -1.0,
        -1.5,
        40000.0,
        3e9,
        -3e9,
        1e20,
        -1e20,
        2147483648.0,
        4294967296.0,
        9223372036854775808.0,
        18446744073709551616.0,
        -9223372036854775808.0,
        1.5e19,
        -129.0,
        70000.0,
        65535.9,
        4294967295.5,
        4294967296.5,
    ];

    #[test]
    fn float_to_int_casts_match_numpy_on_x86_64() {
        const I32MIN: i128 = -2147483648;
        const I64MIN: i128 = -9223372036854775808;
        const B63: i128 = 9223372036854775808;
        let expected: &[(&str, &str, [i128; 22])] = &[
            (
                "f8",
                "i1",
                [
                    0, 0, 0, 44, -1, -1, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127, 112, -1, 0, 0,
                ],
            ),
            (
                "f8",
                "u1",
                [
                    0, 0, 0, 44, 255, 255, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127, 112, 255, 0, 0,
                ],
            ),
            (
                "f8",
                "i2",
                [
                    0, 0, 0, 300, -1, -1, -25536, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -129, 4464, -1, 0, 0,
                ],
            ),
            (
                "f8",
                "i4",
                [
                    I32MIN, I32MIN, I32MIN, 300, -1, -1, 40000, I32MIN, I32MIN, I32MIN, I32MIN, I32MIN,
                    I32MIN, I32MIN, I32MIN, I32MIN, I32MIN, -129, 70000, 65535, I32MIN, I32MIN,
                ],
            ),
            (
                "f8",
                "u4",
                [
                    2147483648, 0, 2147483648, 300, 4294967295, 4294967295, 40000, 3000000000, 2147483648, 0,
                    2147483648, 2147483648, 0, 0, 0, 2147483648, 0, 4294967167, 70000, 65535, 4294967295, 0,
                ],
            ),
            (
                "f8",
                "i8",
                [
                    I64MIN,
                    I64MIN,
                    I64MIN,
                    300,
                    -1,
                    -1,
                    40000,
                    3000000000,
                    -3000000000,
                    I64MIN,
                    I64MIN,
                    2147483648,
                    4294967296,
                    I64MIN,
                    I64MIN,
                    I64MIN,
                    I64MIN,
                    -129,
                    70000,
                    65535,
                    4294967295,
                    4294967296,
                ],
            ),
            (
                "f8",
                "u8",
                [
                    B63,
                    0,
                    B63,
                    300,
                    18446744073709551615,
                    18446744073709551615,
                    40000,
                    3000000000,
                    18446744070709551616,
                    0,
                    B63,
                    2147483648,
                    4294967296,
                    B63,
                    0,
                    B63,
                    15000000000000000000,
                    18446744073709551487,
                    70000,
                    65535,
                    4294967295,
                    4294967296,
                ],
            ),
            (
                "f4",
                "u4",
                [
                    2147483648, 0, 2147483648, 300, 4294967295, 4294967295, 40000, 3000000000, 2147483648, 0,
                    2147483648, 2147483648, 0, 0, 0, 2147483648, 0, 4294967167, 70000, 65535, 0, 0,
                ],
            ),
            (
                "f2",
                "u4",
                [
                    0, 0, 0, 300, 4294967295, 4294967295, 40000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4294967167, 0,
                    0, 0, 0,
                ],
            ),
            (
                "f2",
                "i2",
                [
                    0, 0, 0, 300, -1, -1, -25536, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -129, 0, 0, 0, 0,
                ],
            ),
        ];
        for (src, dst, want) in expected {
            assert_eq!(&cast_f64(&VALS, src, dst)[..], &want[..], "{src} -> {dst}");
        }
    }

    #[test]
    fn promotion_matches_numpy() {
        use ElemKind::*;
        let all = [
            Bool, I8, U8, I16, U16, I32, U32, I64, U64, F16, F32, F64, C64, C128,
        ];
        // np.promote_types(row, column), NumPy 2.5.
        let table = [
            [
                Bool, I8, U8, I16, U16, I32, U32, I64, U64, F16, F32, F64, C64, C128,
            ],
            [
                I8, I8, I16, I16, I32, I32, I64, I64, F64, F16, F32, F64, C64, C128,
            ],
            [
                U8, I16, U8, I16, U16, I32, U32, I64, U64, F16, F32, F64, C64, C128,
            ],
            [
                I16, I16, I16, I16, I32, I32, I64, I64, F64, F32, F32, F64, C64, C128,
            ],
            [
                U16, I32, U16, I32, U16, I32, U32, I64, U64, F32, F32, F64, C64, C128,
            ],
            [
                I32, I32, I32, I32, I32, I32, I64, I64, F64, F64, F64, F64, C128, C128,
            ],
            [
                U32, I64, U32, I64, U32, I64, U32, I64, U64, F64, F64, F64, C128, C128,
            ],
            [
                I64, I64, I64, I64, I64, I64, I64, I64, F64, F64, F64, F64, C128, C128,
            ],
            [
                U64, F64, U64, F64, U64, F64, U64, F64, U64, F64, F64, F64, C128, C128,
            ],
            [
                F16, F16, F16, F32, F32, F64, F64, F64, F64, F16, F32, F64, C64, C128,
            ],
            [
                F32, F32, F32, F32, F32, F64, F64, F64, F64, F32, F32, F64, C64, C128,
            ],
            [
                F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, C128, C128,
            ],
            [
                C64, C64, C64, C64, C64, C128, C128, C128, C128, C64, C64, C128, C64, C128,
            ],
            [
                C128, C128, C128, C128, C128, C128, C128, C128, C128, C128, C128, C128, C128, C128,
            ],
        ];
        for (a, row) in all.iter().zip(table) {
            for (b, want) in all.iter().zip(row) {
                assert_eq!(a.promote(*b), want, "{a:?} + {b:?}");
            }
            assert_eq!(ElemKind::of("t", a.dtype()).unwrap(), *a);
        }
    }

    #[test]
    fn scalar_assignment_rules() {
        // np.zeros(1, dst)[0] = scalar, NumPy 2.5.
        let f = Wide::Float;
        assert_eq!(
            cast_scalar::<u32>("t", f(-3e9), ElemKind::U32).unwrap(),
            1294967296
        );
        assert_eq!(cast_scalar::<u32>("t", f(f64::NAN), ElemKind::U32).unwrap(), 0);
        assert_eq!(cast_scalar::<u32>("t", f(-1e30), ElemKind::U32).unwrap(), 0);
        assert_eq!(cast_scalar::<u16>("t", f(3e9), ElemKind::U16).unwrap(), 0);
        assert_eq!(cast_scalar::<u64>("t", f(-1e30), ElemKind::U64).unwrap(), 1 << 63);
        assert_eq!(cast_scalar::<i8>("t", f(-1.5), ElemKind::I8).unwrap(), -1);
        assert_eq!(cast_scalar::<i8>("t", Wide::Int(-1), ElemKind::I8).unwrap(), -1);
        assert!(cast_scalar::<i8>("t", Wide::Int(200), ElemKind::I8).is_err());
        assert!(cast_scalar::<i16>("t", f(f64::NAN), ElemKind::I16).is_err());
        assert!(cast_scalar::<i64>("t", f(f64::INFINITY), ElemKind::I64).is_err());
        assert!(cast_scalar::<i64>("t", f(1e30), ElemKind::I64).is_err());
        assert_eq!(cast_scalar::<u8>("t", Wide::Int(300), ElemKind::U8).unwrap(), 44);
    }

    #[test]
    fn int_and_float_casts() {
        let i8d = DType::parse("<i8").unwrap();
        let f4 = DType::parse("<f4").unwrap();
        // int64 -> float32 rounds once (to nearest even), not through float64.
        let v: i64 = (1 << 60) + (1 << 36) + 1;
        let out = cast("t", &v.to_le_bytes(), i8d, f4).unwrap();
        assert_eq!(f32::from_le_bytes(out.try_into().unwrap()), v as f32);
        // Big-endian in, little-endian out.
        let be = DType::parse(">i2").unwrap();
        let out = cast("t", &[0x01, 0x02], be, DType::parse("<i4").unwrap()).unwrap();
        assert_eq!(out, 0x0102i32.to_le_bytes());
        // bool: nonzero is True; NaN is True.
        let b = DType::parse("|b1").unwrap();
        let out = cast("t", &[0, 2, 255], DType::U8, b).unwrap();
        assert_eq!(out, [0, 1, 1]);
        let out = cast("t", &f64::NAN.to_le_bytes(), DType::parse("<f8").unwrap(), b).unwrap();
        assert_eq!(out, [1]);
        assert!(cast("t", &[0; 3], i8d, f4).is_err());
        assert!(ElemKind::of("t", DType::parse("|S3").unwrap()).is_err());
    }
}
