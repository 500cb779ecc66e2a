//! Transparent huge pages for large buffers, as NumPy asks for them.
//!
//! Writing into freshly allocated memory costs a page fault per 4 KiB page, and on virtual machines
//! that dominates memory-bound work (a one-off malloc + madvise timing from Python on the 2-core
//! development VM, not a benchmark script: filling new 8 MiB buffers took 2.2× as long as filling
//! ones backed by 2 MiB pages, 32 MiB ones 3.3×; below 4 MiB a buffer rarely holds an aligned 2 MiB
//! page, and the hint made no difference). NumPy therefore
//! `madvise(MADV_HUGEPAGE)`s every allocation of 4 MiB or more (numpy/_core/src/multiarray/alloc.c),
//! so an array NumPy allocates fills faster than a `Vec` or `bytes` of the same size. brickwork gives
//! its own large buffers the same hint: [`hint_huge_pages`] for memory allocated elsewhere (Python
//! `bytes`), and [`HugePageHint`], a global allocator for brickwork's binaries (the CLI and the Python
//! extension) that passes every request to the system allocator and hints the large ones. The hint
//! never changes contents, only how the kernel backs pages not yet touched; on systems without
//! `madvise` (or with transparent huge pages off) it does nothing.

use std::alloc::{GlobalAlloc, Layout, System};

/// Buffers of at least this many bytes get the hint (NumPy's threshold).
pub const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

/// Asks the kernel to back the whole pages inside `ptr..ptr + len` with transparent huge pages when
/// they are first touched. Does nothing below [`HUGE_PAGE_MIN_BYTES`] or off Linux.
pub fn hint_huge_pages(ptr: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    if len >= HUGE_PAGE_MIN_BYTES {
        const PAGE: usize = 4096;
        let start = (ptr as usize).next_multiple_of(PAGE);
        let end = (ptr as usize).saturating_add(len) / PAGE * PAGE;
        if end > start {
            // SAFETY: `start..end` lies inside the caller's allocation (page-aligned inward), and
            // MADV_HUGEPAGE only sets an advisory flag on the mapping: it never changes or frees
            // contents, so no Rust reference to that memory is affected. An error return just means no hint.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

/// Buffers of at least this many bytes are worth [`populate_for_writing`] (below it the one or two
/// system calls cost about what the few page faults they save do).
pub const POPULATE_MIN_BYTES: usize = 64 << 10;

/// Maps in, in one system call, the pages of `ptr..ptr + len` that are not yet backed by memory, as
/// writing to each would, when the buffer is about to be written in full and is at least
/// [`POPULATE_MIN_BYTES`] long.
///
/// Memory fresh from the kernel (a new `mmap`, or the heap grown after a trim) costs a page fault per
/// 4 KiB page on first write, and on virtual machines the fault, not the copy, is most of the time:
/// on the 2-core development VM, copying 256 KiB into fresh pages took 92 µs against 6.4 µs into
/// pages already mapped, and 44 µs when the pages were first mapped with `MADV_POPULATE_WRITE`
/// (Linux 5.14; the kernel maps the whole range in one call instead of one trap per page). Memory
/// the allocator hands out again is usually mapped already, and populating it anyway costs a page
/// table walk (2.8 µs for 256 KiB), so the last page is probed with `mincore` (0.4 µs) first and a
/// mapped buffer is left alone. Contents never change: pages already mapped are not touched, new ones
/// read as zeros as they would after a fault. Errors (older kernels, no memory) only mean no
/// populating; the writes then fault as usual.
///
/// It commits memory that a fault-as-you-go write would commit only as far as it got, so call it on
/// sizes that are real (the caller's own array, a block whose data has already decoded), never on a
/// size an untrusted header merely claims.
pub fn populate_for_writing(ptr: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    if len >= POPULATE_MIN_BYTES {
        const PAGE: usize = 4096;
        /// `MADV_POPULATE_WRITE` (Linux 5.14), which not every libc version defines.
        const MADV_POPULATE_WRITE: libc::c_int = 23;
        let start = (ptr as usize).next_multiple_of(PAGE);
        let end = (ptr as usize).saturating_add(len) / PAGE * PAGE;
        if end > start {
            let mut resident = 0u8;
            // SAFETY: `end - PAGE..end` is a whole page inside the caller's allocation, and mincore
            // only reports into the one byte it is given (one page); it reads no memory.
            let probed = unsafe { libc::mincore((end - PAGE) as *mut libc::c_void, PAGE, &mut resident) };
            if probed != 0 || resident & 1 == 0 {
                // SAFETY: `start..end` lies inside the caller's allocation (page-aligned inward).
                // MADV_POPULATE_WRITE maps missing pages as a write fault would (zero-filled, private)
                // and leaves mapped ones as they are, so no contents change under any Rust reference.
                unsafe { libc::madvise(start as *mut libc::c_void, end - start, MADV_POPULATE_WRITE) };
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

/// The system allocator, with [`hint_huge_pages`] on every allocation of 4 MiB or more. Install it
/// with `#[global_allocator] static ALLOC: HugePageHint = HugePageHint;` in a binary.
#[derive(Debug, Default, Clone, Copy)]
pub struct HugePageHint;

// SAFETY: every method forwards to `System` with the same arguments and returns its result
// unchanged; the hint only advises the kernel about pages inside the block just returned.
unsafe impl GlobalAlloc for HugePageHint {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            hint_huge_pages(ptr, layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees. Huge pages are zeroed when faulted in,
        // like small ones, so zeroed memory stays zeroed.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            hint_huge_pages(ptr, layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees (`ptr` came from `System` through us).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && new_size > layout.size() {
            hint_huge_pages(new, new_size);
        }
        new
    }
}

/// `len` zero bytes, or `None` when the allocator cannot provide them (where `vec![0; len]` would abort
/// the process). The memory comes from `alloc_zeroed` (calloc), so large buffers are zero pages the
/// kernel maps only when written: a buffer whose size untrusted metadata chose costs nothing until used.
pub fn try_zeroed_vec(len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a nonzero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `[u8; len]` (align 1,
    // size `len`), which is what a `Vec<u8>` of capacity `len` frees it with; all `len` bytes are
    // initialised (zero).
    Some(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_vecs_or_none() {
        assert_eq!(try_zeroed_vec(0), Some(Vec::new()));
        assert_eq!(try_zeroed_vec(3), Some(vec![0, 0, 0]));
        let big = try_zeroed_vec(64 << 20).unwrap();
        assert!(big.len() == 64 << 20 && big[12345] == 0 && big[(64 << 20) - 1] == 0);
        assert!(try_zeroed_vec(usize::MAX / 2).is_none());
    }

    #[test]
    fn large_and_small_blocks_keep_their_contents() {
        let a = HugePageHint;
        for size in [16, HUGE_PAGE_MIN_BYTES + 12345] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: non-zero size; the block is written, grown, checked and freed with its layouts.
            unsafe {
                let z = a.alloc_zeroed(layout);
                assert!(!z.is_null());
                assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                a.dealloc(z, layout);
                let p = a.alloc(layout);
                assert!(!p.is_null());
                std::ptr::write_bytes(p, 0xab, size);
                let q = a.realloc(p, layout, size * 2);
                assert!(!q.is_null());
                assert!(std::slice::from_raw_parts(q, size).iter().all(|&b| b == 0xab));
                a.dealloc(q, Layout::from_size_align(size * 2, 8).unwrap());
            }
        }
        // a hint on memory outside any allocator is harmless too
        let mut v = vec![1u8; HUGE_PAGE_MIN_BYTES * 2];
        hint_huge_pages(v.as_mut_ptr(), v.len());
        assert!(v.iter().all(|&b| b == 1));
    }

    #[test]
    fn populating_keeps_contents_and_maps_fresh_pages() {
        for size in [100, POPULATE_MIN_BYTES + 123, 3 * POPULATE_MIN_BYTES] {
            // written memory (mapped): left as it is
            let mut v: Vec<u8> = (0..size).map(|i| (i * 7) as u8).collect();
            populate_for_writing(v.as_mut_ptr().wrapping_add(1), size - 1);
            assert!(v.iter().enumerate().all(|(i, &b)| b == (i * 7) as u8));
            // fresh memory (zeroed, maybe not mapped): still zeros, and writable
            let mut z = vec![0u8; size];
            populate_for_writing(z.as_mut_ptr(), size);
            assert!(z.iter().all(|&b| b == 0));
            z.fill(9);
            assert!(z.iter().all(|&b| b == 9));
        }
        // a fresh mapping is mapped in by the call (when the kernel has MADV_POPULATE_WRITE)
        #[cfg(target_os = "linux")]
        {
            let len = 4 * POPULATE_MIN_BYTES;
            // SAFETY: a new private anonymous mapping, unmapped at the end of this block.
            unsafe {
                let p = libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                assert_ne!(p, libc::MAP_FAILED);
                let pages = len / 4096;
                let mut before = vec![0u8; pages];
                let mut after = vec![0u8; pages];
                assert_eq!(libc::mincore(p, len, before.as_mut_ptr()), 0);
                populate_for_writing(p.cast(), len);
                assert_eq!(libc::mincore(p, len, after.as_mut_ptr()), 0);
                let mapped = |v: &[u8]| v.iter().filter(|&&b| b & 1 == 1).count();
                assert_eq!(mapped(&before), 0);
                let supported = libc::madvise(p, 4096, 23) == 0;
                if supported {
                    assert_eq!(mapped(&after), pages);
                }
                assert!(std::slice::from_raw_parts(p.cast::<u8>(), len)
                    .iter()
                    .all(|&b| b == 0));
                libc::munmap(p, len);
            }
        }
    }
}
