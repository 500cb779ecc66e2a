//! Fuzzes the one-pass UTF-8 → code points decoder that builds Python `str` items
//! (`text::utf32`) against the standard library's validation and `chars()`.
#![no_main]

use brickwork_codecs::text::utf32::utf8_to_utf32;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut out = vec![7; data.len() % 5];
    let ok = utf8_to_utf32(data, &mut out);
    match std::str::from_utf8(data) {
        Ok(s) => assert!(ok && out.iter().copied().eq(s.chars().map(u32::from))),
        Err(_) => assert!(!ok),
    }
});
