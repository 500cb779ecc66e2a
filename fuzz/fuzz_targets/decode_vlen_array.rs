//! Fuzzes the `vlen-array` decoder with arbitrary bytes.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"vlen-array","dtype":"<i4"}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
});
