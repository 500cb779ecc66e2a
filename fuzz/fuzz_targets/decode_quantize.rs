//! Fuzzes the `quantize` decoder with arbitrary bytes.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"quantize","digits":3,"dtype":"<f8","astype":"<f4"}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
});
