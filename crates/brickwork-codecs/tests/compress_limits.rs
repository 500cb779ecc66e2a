//! Decoding bombs and inputs with huge declared sizes fails with `LimitExceeded`, quickly, and without
//! allocating past the limit: Rust-side allocations are counted by a global allocator (one test in this
//! binary, so nothing else allocates concurrently). The C decoders' own state (liblzma's dictionary,
//! libzstd's window) is bounded separately by their memory caps, tested in the codec files.

// Test code: a failed unwrap is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use brickwork_codecs::get_codec_json;
use brickwork_core::{Codec, Error, Limits};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::SeqCst) + n;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the `GlobalAlloc`
// contract; the counters are plain atomics and never influence what is allocated or returned.
// Exercised by every allocation of this test binary.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on to `System.alloc` unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator, i.e. by `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr`/`layout` come from this allocator (i.e. `System`); the caller guarantees
        // `new_size` is valid for `layout.align()`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const LIMIT: usize = 1 << 20;

/// Decoder state allowed on top of the output: zlib's window, bzip2's block arrays (≈ 3.6 MB for
/// 900 kB blocks), buffers of the library wrappers.
const SLACK: usize = 5 << 20;

/// Decodes `enc` under [`LIMIT`]; returns the error, the peak extra bytes allocated and the time taken.
fn decode_bounded(codec: &dyn Codec, enc: &[u8]) -> (Error, usize, Duration) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let start = Instant::now();
    let result = codec.decode(enc, &Limits::new(LIMIT));
    let took = start.elapsed();
    let peak = PEAK.load(Ordering::SeqCst) - base;
    match result {
        Ok(d) => panic!(
            "{}: decoded {} bytes under a {LIMIT}-byte limit",
            codec.codec_id(),
            d.len()
        ),
        Err(e) => (e, peak, took),
    }
}

/// A zstd frame without a content size made of `blocks` RLE blocks of 128 KiB each (4 bytes apiece).
fn zstd_streaming_bomb(blocks: usize) -> Vec<u8> {
    // FHD 0x00: no content size, a window descriptor follows; window log 17 (128 KiB).
    let mut f = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3];
    for i in 0..blocks {
        let last = u32::from(i + 1 == blocks);
        let header = ((128u32 << 10) << 3) | (1 << 1) | last; // RLE block of 128 KiB
        f.extend_from_slice(&header.to_le_bytes()[..3]);
        f.push(0);
    }
    f
}

#[test]
fn bombs_fail_fast_within_the_limit() {
    let zeros = vec![0u8; 16 << 20];
    let mut cases: Vec<(String, Box<dyn Codec>, Vec<u8>)> = Vec::new();
    for json in [
        r#"{"id":"zlib","level":9}"#,
        r#"{"id":"gzip","level":9}"#,
        r#"{"id":"bz2","level":9}"#,
        r#"{"id":"lzma","preset":6}"#,
        r#"{"id":"lzma","format":2,"preset":1}"#,
        r#"{"id":"lzma","format":3,"filters":[{"id":33,"preset":1}]}"#,
        r#"{"id":"zstd","level":3}"#,
        r#"{"id":"lz4"}"#,
    ] {
        let codec = get_codec_json(json).unwrap();
        let enc = codec.encode_bytes(&zeros).unwrap();
        cases.push((json.to_owned(), codec, enc));
    }
    let zstd = get_codec_json(r#"{"id":"zstd"}"#).unwrap();
    // A frame claiming 1 TiB, and frames without content size that stream far past the limit.
    let mut tib = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
    tib.extend_from_slice(&(1u64 << 40).to_le_bytes());
    tib.extend_from_slice(&[0x01, 0x00, 0x00]);
    cases.push((
        "zstd: frame claiming 1 TiB".into(),
        get_codec_json(r#"{"id":"zstd"}"#).unwrap(),
        tib,
    ));
    cases.push((
        "zstd: streaming frame of 512 MiB".into(),
        zstd,
        zstd_streaming_bomb(4096),
    ));
    // lz4 prefixes claiming 4 GiB − 1 and 2 GiB − 1 (over the limit before anything else).
    for prefix in [u32::MAX, i32::MAX as u32] {
        let mut enc = prefix.to_le_bytes().to_vec();
        enc.extend_from_slice(&[0x1f, 0, 1, 0, 0xff, 0xff, 0xff, 0xff]);
        cases.push((
            format!("lz4: prefix {prefix}"),
            get_codec_json(r#"{"id":"lz4"}"#).unwrap(),
            enc,
        ));
    }
    drop(zeros);

    for (name, codec, enc) in &cases {
        let (e, peak, took) = decode_bounded(codec.as_ref(), enc);
        println!(
            "{name:<64} {:>8} bytes in: peak +{peak} bytes, {took:?}: {e}",
            enc.len()
        );
        assert!(matches!(e, Error::LimitExceeded { .. }), "{name}: {e}");
        assert!(
            peak <= LIMIT + SLACK,
            "{name}: allocated {peak} bytes under a {LIMIT}-byte limit"
        );
        assert!(took < Duration::from_secs(10), "{name}: took {took:?}");
    }
    assert_eq!(cases.len(), 12);
}
