//! The worker threads every parallel operation of brickwork runs on, safe across `fork`.
//!
//! A thread pool does not survive `fork()`: the child process inherits the pool's bookkeeping but none of
//! its threads, so the first parallel call in the child waits forever for workers that do not exist.
//! That is what happens to rayon's global pool (and to numcodecs' c-blosc pool, a long-standing numcodecs
//! complaint), and Python programs fork all the time (`multiprocessing`, Dask and PyTorch workers).
//!
//! [`shared`] hands out one rayon pool per *process*: it remembers which process built it, and a child of
//! `fork` (whose process id differs) builds its own on first use. The parent's pool is then deliberately
//! leaked in the child, never dropped: dropping it would signal threads that do not exist there, through
//! locks that may have been held at the moment of the fork. The lookup is one atomic load and a
//! `getpid`; no lock is taken on the way to the pool, so callers on many threads never queue behind each
//! other, and a fork at any moment leaves nothing locked.

use std::sync::atomic::{AtomicPtr, Ordering};

use crate::{Error, Result};

/// A pool and the process that built it.
struct Entry {
    pid: u32,
    pool: rayon::ThreadPool,
}

/// The current process's pool (null until first use). Entries are leaked, never freed, so a reference
/// read from here stays valid for the life of the process.
static POOL: AtomicPtr<Entry> = AtomicPtr::new(std::ptr::null_mut());

/// This process's pool of one worker per core (built on first use, and again in a forked child).
pub fn shared() -> Result<&'static rayon::ThreadPool> {
    let pid = std::process::id();
    let current = POOL.load(Ordering::Acquire);
    // SAFETY: non-null pointers in POOL come from Box::leak below and are never freed.
    if let Some(entry) = unsafe { current.as_ref() } {
        if entry.pid == pid {
            return Ok(&entry.pool);
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("brickwork-{i}"))
        .build()
        .map_err(|e| Error::InvalidArray(format!("cannot start {threads} worker threads: {e}")))?;
    let fresh: *mut Entry = Box::leak(Box::new(Entry { pid, pool }));
    match POOL.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
        // the previous entry (a parent's, after fork) stays leaked on purpose: see the module docs
        // SAFETY: `fresh` was just leaked and is never freed.
        Ok(_) => Ok(unsafe { &(*fresh).pool }),
        Err(winner) => {
            // another thread of this process installed a pool first: use it, and leak ours (its
            // threads idle; this race happens at most once per process per thread that lost it)
            // SAFETY: non-null pointers in POOL come from Box::leak and are never freed.
            match unsafe { winner.as_ref() } {
                Some(entry) if entry.pid == pid => Ok(&entry.pool),
                // SAFETY: `fresh` was just leaked and is never freed.
                _ => Ok(unsafe { &(*fresh).pool }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pool_per_process_with_a_worker_per_core() {
        let a = shared().unwrap();
        let b = shared().unwrap();
        assert!(std::ptr::eq(a, b));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(a.current_num_threads(), cores);
        assert_eq!(
            a.install(|| (0..1000u64).map(|i| i * i).sum::<u64>()),
            332_833_500
        );
    }

    #[test]
    fn many_callers_share_it() {
        let sums: Vec<u64> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8u64)
                .map(|k| s.spawn(move || shared().unwrap().install(|| (0..=k).sum::<u64>())))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(sums, vec![0, 1, 3, 6, 10, 15, 21, 28]);
    }

    /// A forked child gets a pool of its own and can use it (with rayon's global pool, or any pool
    /// built before the fork, the child would wait forever).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_forked_child_builds_its_own_pool() {
        let parent = shared().unwrap();
        parent.install(|| ());
        // SAFETY: fork in a multi-threaded test process: the child only runs the pool code under test
        // (glibc's malloc stays usable in a child thanks to its atfork handlers) and then calls _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let ok =
                shared().map(|p| p.install(|| (1..=10u32).sum::<u32>()) == 55 && !std::ptr::eq(p, parent));
            // SAFETY: _exit ends the child without running the parent's destructors or atexit hooks.
            unsafe { libc::_exit(if matches!(ok, Ok(true)) { 0 } else { 3 }) };
        }
        let mut status = 0;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            // SAFETY: waitpid on our own child with a valid status pointer.
            let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if r == pid {
                break;
            }
            if std::time::Instant::now() > deadline {
                // SAFETY: killing our own hung child.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("the forked child hung using the pool");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "status {status}"
        );
    }
}
