//! Fuzzes the `astype` decoder with arbitrary bytes.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"astype","encode_dtype":"<f4","decode_dtype":"<f8"}"#,
    r#"{"id":"astype","encode_dtype":"<i2","decode_dtype":"<i4"}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
});
