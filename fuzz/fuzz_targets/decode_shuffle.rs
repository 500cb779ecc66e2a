//! Fuzzes the `shuffle` decoder with arbitrary bytes, and its encoder with a round trip.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"shuffle","elementsize":4}"#,
    r#"{"id":"shuffle","elementsize":3}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
    brickwork_fuzz::round_trip_if_accepted(CONFIGS, data);
});
