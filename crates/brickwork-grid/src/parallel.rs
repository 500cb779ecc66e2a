//! Thread control: every parallel operation takes `threads: Option<usize>`.
//!
//! `None` uses every core (brickwork's per-process pool, [`brickwork_core::pool::shared`], which a forked
//! child rebuilds instead of waiting for its parent's threads: rayon's global pool is never used),
//! `Some(1)` runs on the calling thread with no pool at all, and `Some(n)` runs on a pool of `n` threads
//! built for the call. No global state is changed.

use brickwork_core::{Error, Result};

/// Runs `work` on the thread pool `threads` asks for; `work` gets whether it may use rayon.
pub fn install<R: Send>(threads: Option<usize>, work: impl FnOnce(bool) -> R + Send) -> Result<R> {
    match threads {
        Some(0) => Err(Error::InvalidArray(
            "threads must be at least 1 (or None for every core)".into(),
        )),
        Some(1) => Ok(work(false)),
        None => Ok(brickwork_core::pool::shared()?.install(|| work(true))),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::InvalidArray(format!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(|| work(true)))
        }
    }
}

/// The number of threads `threads` stands for.
pub fn count(threads: Option<usize>) -> usize {
    threads
        .or_else(|| {
            brickwork_core::pool::shared()
                .ok()
                .map(rayon::ThreadPool::current_num_threads)
        })
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts() {
        assert!(install(Some(0), |_| ()).is_err());
        assert!(!install(Some(1), |par| par).unwrap());
        assert_eq!(install(Some(3), |_| rayon::current_num_threads()).unwrap(), 3);
        assert_eq!(count(Some(2)), 2);
    }
}
