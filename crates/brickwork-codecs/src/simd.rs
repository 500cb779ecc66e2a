//! Runtime CPU dispatch for the element loops of the typed filters.
//!
//! brickwork is built for the baseline of its target (x86-64: SSE2), so that one binary and one wheel
//! run on every machine. Element loops written once in plain Rust ([`crate::filter::numeric`]) are
//! run through [`dispatch`], which runs a copy of the loop compiled for the best [`Level`] this CPU has:
//! AVX2 (Intel since Haswell, 2013, AMD since Excavator, 2015, except some low-end Atom/Celeron/Pentium
//! parts; NumPy 2.5 dispatches its own loops to the same level) for twice the vector width, else SSE4.1
//! (part of NumPy 2.5's own baseline, so every machine our Python users run on has it), else the
//! baseline. What the levels add beyond width: `round_ties_even` is one `roundpd` instead of a libm call
//! per element, and 32 → 16-bit truncation is one shuffle instead of seven. Results are identical: the
//! same IEEE operations in the same order, no fused multiply-add (Rust never contracts `a * b + c`), and
//! the float → integer conversions of [`crate::filter::numeric`] are defined for every input.
//!
//! The loop must be inlined into the feature-enabled copy to be compiled for it, so the closures handed
//! to [`dispatch`] call only `#[inline]` code (the iterator adapters and the `Elem` methods are).
//!
//! The environment variable `BRICKWORK_SIMD` (`avx2`, `sse4.1` or `baseline`, read once per process; any
//! other value is ignored) caps the level: the test command runs the codec tests at each level on one machine (`scripts/test`), and
//! it rules vector code out when debugging. A level the CPU lacks is never used.

/// The instruction-set levels the loops are compiled for, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// The target's baseline (x86-64: SSE2).
    Baseline,
    /// SSE4.1 (rounding instructions, wider integer conversions).
    Sse41,
    /// AVX2 (256-bit integer and float vectors).
    Avx2,
}

/// The best level this CPU has, capped by `BRICKWORK_SIMD` (checked once, then cached).
pub(crate) fn level() -> Level {
    static LEVEL: std::sync::OnceLock<Level> = std::sync::OnceLock::new();
    *LEVEL.get_or_init(|| cpu_level().min(cap(std::env::var("BRICKWORK_SIMD").ok().as_deref())))
}

/// The level a `BRICKWORK_SIMD` value allows (no cap for a missing or unknown value).
fn cap(value: Option<&str>) -> Level {
    match value {
        Some("baseline") => Level::Baseline,
        Some("sse4.1") => Level::Sse41,
        _ => Level::Avx2,
    }
}

#[cfg(target_arch = "x86_64")]
fn cpu_level() -> Level {
    if std::arch::is_x86_feature_detected!("avx2") {
        Level::Avx2
    } else if std::arch::is_x86_feature_detected!("sse4.1") {
        Level::Sse41
    } else {
        Level::Baseline
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn cpu_level() -> Level {
    Level::Baseline
}

/// Whether hand-written AVX2 kernels may run (the level is AVX2).
pub(crate) fn avx2() -> bool {
    level() == Level::Avx2
}

/// Runs `work`, compiled for the [`level`] of this CPU.
#[inline(always)]
pub(crate) fn dispatch<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        match level() {
            // SAFETY: the CPU supports AVX2 (`level` checked it), the only requirement of `with_avx2`.
            Level::Avx2 => return unsafe { with_avx2(work) },
            // SAFETY: the CPU supports SSE4.1 (`level` checked it), the only requirement of `with_sse41`.
            Level::Sse41 => return unsafe { with_sse41(work) },
            Level::Baseline => {}
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
unsafe fn with_avx2<R>(work: impl FnOnce() -> R) -> R {
    work()
}

/// `work()` with SSE4.1 enabled for everything inlined into it.
///
/// # Safety
/// The CPU must support SSE4.1.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.1")]
unsafe fn with_sse41<R>(work: impl FnOnce() -> R) -> R {
    work()
}

#[cfg(test)]
mod tests {
    use super::{cap, cpu_level, dispatch, level, Level};

    /// Under `BRICKWORK_SIMD=baseline` or `sse4.1` (as the test command runs it) the loops really run
    /// at that level or below, and never above what the CPU has.
    #[test]
    fn the_level_respects_the_cap_and_the_cpu() {
        let limit = cap(std::env::var("BRICKWORK_SIMD").ok().as_deref());
        assert!(level() <= limit, "{:?} over the cap {limit:?}", level());
        assert!(level() <= cpu_level());
        assert_eq!(cap(Some("baseline")), Level::Baseline);
        assert_eq!(cap(Some("sse4.1")), Level::Sse41);
        assert_eq!(cap(Some("nonsense")), Level::Avx2);
        assert_eq!(cap(None), Level::Avx2);
    }

    #[test]
    fn dispatched_work_gives_the_plain_result() {
        let data: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.37 - 150.5).collect();
        let plain: Vec<f64> = data.iter().map(|x| x.round_ties_even()).collect();
        let dispatched: Vec<f64> = dispatch(|| data.iter().map(|x| x.round_ties_even()).collect());
        assert_eq!(plain, dispatched);
    }
}
