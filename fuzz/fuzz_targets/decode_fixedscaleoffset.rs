//! Fuzzes the `fixedscaleoffset` decoder with arbitrary bytes.
#![no_main]

const CONFIGS: &[&str] = &[
    r#"{"id":"fixedscaleoffset","offset":1000,"scale":10,"dtype":"<f8","astype":"|u1"}"#,
    r#"{"id":"fixedscaleoffset","offset":0,"scale":1,"dtype":"<i4","astype":"<i2"}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    brickwork_fuzz::decode_all(CONFIGS, data);
});
