//! Runtime CPU dispatch for the element loops of the typed filters.
//!
//! brickwork is built for the baseline of its target (x86-64: SSE2), so that one binary and one wheel
//! run on every machine. Element loops written once in plain Rust ([`crate::filter::numeric`]) are
//! run through [`dispatch`], which on x86-64 CPUs with AVX2 (Intel since Haswell, 2013, AMD since
//! Excavator, 2015, except some low-end Atom/Celeron/Pentium parts; NumPy 2.5 dispatches its own loops
//! to the same level) runs a copy of the loop compiled for AVX2:
//! twice the vector width, and single instructions for what SSE2 lacks (`round_ties_even` is one
//! `vroundpd` instead of a libm call per element; 32 → 16-bit truncation is one shuffle instead of
//! seven). Results are identical: the same IEEE operations in the same order, no fused multiply-add
//! (Rust never contracts `a * b + c`), and the float → integer conversions of
//! [`crate::filter::numeric`] are defined for every input.
//!
//! The loop must be inlined into the AVX2 copy to be compiled for it, so the closures handed to
//! [`dispatch`] call only `#[inline]` code (the iterator adapters and the `Elem` methods are).

/// Runs `work`, compiled for AVX2 when this CPU has it (checked once, then cached by std).
#[inline(always)]
pub(crate) fn dispatch<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above), the only requirement of `avx2`.
            return unsafe { avx2(work) };
        }
    }
    work()
}

/// `work()` with AVX2 (and the SSE4.x levels it implies) enabled for everything inlined into it.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2<R>(work: impl FnOnce() -> R) -> R {
    work()
}

#[cfg(test)]
mod tests {
    use super::dispatch;

    #[test]
    fn dispatched_work_gives_the_plain_result() {
        let data: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.37 - 150.5).collect();
        let plain: Vec<f64> = data.iter().map(|x| x.round_ties_even()).collect();
        let dispatched: Vec<f64> = dispatch(|| data.iter().map(|x| x.round_ties_even()).collect());
        assert_eq!(plain, dispatched);
    }
}
