//! Thread control: every parallel operation takes `threads: Option<usize>`.
//!
//! `None` uses every core (rayon's global pool), `Some(1)` runs on the calling thread with no pool at all,
//! and `Some(n)` runs on a pool of `n` threads built for the call. No global state is changed.

use brickwork_core::{Error, Result};

/// Runs `work` on the thread pool `threads` asks for; `work` gets whether it may use rayon.
pub fn install<R: Send>(threads: Option<usize>, work: impl FnOnce(bool) -> R + Send) -> Result<R> {
    match threads {
        Some(0) => Err(Error::InvalidArray(
            "threads must be at least 1 (or None for every core)".into(),
        )),
        Some(1) => Ok(work(false)),
        None => Ok(work(true)),
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
    threads.unwrap_or_else(rayon::current_num_threads).max(1)
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
