//! Fuzzes the `blosc` decoder with arbitrary bytes, and its encoder with a round trip.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"blosc"}"#,
    r#"{"id":"blosc","cname":"zstd","shuffle":2}"#,
    r#"{"id":"blosc","cname":"blosclz","shuffle":0}"#,
    r#"{"id":"blosc","cname":"zlib","clevel":1}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
    brickwork_fuzz::round_trip(CONFIGS, data);
});
