//! Thread control: every parallel operation takes `threads: Option<usize>`, an upper bound.
//!
//! `None` uses every core (brickwork's per-process pool, [`brickwork_core::pool::shared`], which a forked
//! child rebuilds instead of waiting for its parent's threads: rayon's global pool is never used),
//! `Some(1)` runs on the calling thread with no pool at all, and `Some(n)` runs on the shared pool when it
//! has `n` workers, else on a pool of `n` threads built for the call. No global state is changed.
//!
//! Handing work to a pool is not free: waking its sleeping workers and joining them took 20–40 µs per
//! call on the 2-core VM brickwork is developed on, about what copying 0.5–1 MiB costs. So work smaller
//! than two threads' worth ([`COPY_BYTES_PER_THREAD`], [`CODEC_BYTES_PER_THREAD`]) runs on the calling
//! thread whatever `threads` says: `tobytes` of a 32³ uint8 array took 17 µs on one thread and 58 µs
//! through the pool before this rule.

use brickwork_core::{Error, Result};

/// The least number of bytes worth a thread when the work is copying them (tobytes, assemble): on the
/// development VM two threads broke even with one at 1 MiB and were 1.5× faster at 8 MiB. (One byte in
/// this crate's unit tests, so that their small arrays go through the pool.)
pub const COPY_BYTES_PER_THREAD: usize = if cfg!(test) { 1 } else { 1 << 20 };

/// The least number of (uncompressed) bytes worth a thread when each chunk also goes through a codec,
/// which costs several times a copy per byte.
pub const CODEC_BYTES_PER_THREAD: usize = if cfg!(test) { 1 } else { 128 << 10 };

/// Checks a `threads` argument: `None` or at least 1.
pub fn check(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        return Err(Error::InvalidArray(
            "threads must be at least 1 (or None for every core)".into(),
        ));
    }
    Ok(())
}

/// Runs `work` on the threads `threads` allows; `work` gets whether it may use rayon. `bytes` is the size
/// of the work and `per_thread` the least share worth another thread (see the module docs).
pub fn install<R: Send>(
    threads: Option<usize>,
    bytes: usize,
    per_thread: usize,
    work: impl FnOnce(bool) -> R + Send,
) -> Result<R> {
    check(threads)?;
    if threads == Some(1) || bytes < per_thread.saturating_mul(2) {
        return Ok(work(false));
    }
    let shared = brickwork_core::pool::shared()?;
    match threads.unwrap_or(shared.current_num_threads()) {
        1 => Ok(work(false)),
        n if n != shared.current_num_threads() => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::InvalidArray(format!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(|| work(true)))
        }
        _ => Ok(shared.install(|| work(true))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts() {
        let big = usize::MAX;
        assert!(install(Some(0), big, 1, |_| ()).is_err());
        assert!(install(Some(0), 0, 1, |_| ()).is_err());
        assert!(!install(Some(1), big, 1, |par| par).unwrap());
        assert_eq!(
            install(Some(3), big, 1, |_| rayon::current_num_threads()).unwrap(),
            3
        );
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(
            install(None, big, 1, |_| rayon::current_num_threads()).unwrap(),
            cores
        );
        assert_eq!(
            install(Some(cores), big, 1, |_| rayon::current_num_threads()).unwrap(),
            cores
        );
    }

    #[test]
    fn small_work_stays_on_the_calling_thread() {
        let caller = std::thread::current().id();
        for threads in [None, Some(2), Some(8)] {
            let (par, id) = install(threads, 1000, 1000, |par| (par, std::thread::current().id())).unwrap();
            assert!(!par && id == caller, "{threads:?}");
            assert!(install(threads, 2000, 1000, |par| par).unwrap(), "{threads:?}");
        }
    }
}
