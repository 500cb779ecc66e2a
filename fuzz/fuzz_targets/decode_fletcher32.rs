//! Fuzzes the `fletcher32` decoder with arbitrary bytes, and its encoder with a round trip.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"fletcher32"}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
    brickwork_fuzz::round_trip(CONFIGS, data);
});
