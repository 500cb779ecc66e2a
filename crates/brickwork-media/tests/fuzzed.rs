//! Files the fuzzer found (`bash fuzz/run.sh 600 decode_media`, the artifacts kept in `tests/fuzzed`, each
//! without the fuzz target's first byte): each decodes to an error, and no allocation on the way is larger
//! than a bound far under what the files once asked for (gigabytes). A test binary of its own: its
//! allocator records the largest allocation, which other tests running alongside would disturb.

#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use brickwork_media::{read, MediaLimits};

struct RecordingLargest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a size is recorded.
unsafe impl GlobalAlloc for RecordingLargest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: RecordingLargest = RecordingLargest;

#[test]
fn fuzzed_files_are_errors_without_large_allocations() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzzed");
    let limits = MediaLimits {
        max_pixels: 1 << 22,
        max_bytes: 64 << 20,
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 2);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        LARGEST.store(0, Ordering::Relaxed);
        let got = read(&bytes, None, None, &limits);
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!(got.is_err(), "{}", path.display());
        assert!(
            largest < 16 << 20,
            "{}: an allocation of {largest} bytes",
            path.display()
        );
    }
}
