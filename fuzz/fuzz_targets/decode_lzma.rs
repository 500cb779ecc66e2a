//! Fuzzes the `lzma` decoder with arbitrary bytes, and its encoder with a round trip.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"lzma"}"#,
    r#"{"id":"lzma","format":2}"#,
    r#"{"id":"lzma","format":3,"filters":[{"id":3,"dist":4},{"id":33,"preset":1}]}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
    brickwork_fuzz::round_trip(CONFIGS, data);
});
