//! Fuzzes the `categorize` decoder with arbitrary bytes.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"categorize","labels":["foo","bar","baz"],"dtype":"<U3","astype":"|u1"}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
});
