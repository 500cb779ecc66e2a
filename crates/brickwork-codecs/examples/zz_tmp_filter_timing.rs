#![allow(clippy::unwrap_used, missing_docs)]
use brickwork_codecs::get_codec_json;
use brickwork_core::{ArrayView, DType, Limits, Order};
use std::time::Instant;
fn main() {
    let n = 4_000_000usize;
    let f8: Vec<u8> = (0..n)
        .flat_map(|i| (1000.0 + (i as f64 * 0.001).sin()).to_le_bytes())
        .collect();
    let i4: Vec<u8> = (0..n)
        .flat_map(|i| ((i as i32) * 3 + (i as i32 % 7)).to_le_bytes())
        .collect();
    let cases: &[(&str, &str, &[u8])] = &[
        (r#"{"id":"shuffle","elementsize":8}"#, "<f8", &f8),
        (r#"{"id":"delta","dtype":"<i4"}"#, "<i4", &i4),
        (r#"{"id":"delta","dtype":"<i4","astype":"<i2"}"#, "<i4", &i4),
        (
            r#"{"id":"fixedscaleoffset","offset":1000,"scale":10,"dtype":"<f8","astype":"|u1"}"#,
            "<f8",
            &f8,
        ),
        (
            r#"{"id":"quantize","digits":3,"dtype":"<f8","astype":"<f4"}"#,
            "<f8",
            &f8,
        ),
        (r#"{"id":"bitround","keepbits":10}"#, "<f8", &f8),
        (
            r#"{"id":"astype","encode_dtype":"<f4","decode_dtype":"<f8"}"#,
            "<f8",
            &f8,
        ),
        (r#"{"id":"packbits"}"#, "|u1", &i4),
        (r#"{"id":"crc32"}"#, "<f8", &f8),
        (r#"{"id":"crc32c"}"#, "<f8", &f8),
        (r#"{"id":"adler32"}"#, "<f8", &f8),
        (r#"{"id":"fletcher32"}"#, "<f8", &f8),
        (r#"{"id":"jenkins_lookup3"}"#, "<f8", &f8),
    ];
    for (cfg, dt, data) in cases {
        let c = get_codec_json(cfg).unwrap();
        let dt = DType::parse(dt).unwrap();
        let v = ArrayView::new(data, dt, vec![data.len() / dt.itemsize()], Order::C).unwrap();
        let mut best_e = f64::MAX;
        let mut best_d = f64::MAX;
        let mut enc = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            enc = c.encode(&v).unwrap();
            best_e = best_e.min(t.elapsed().as_secs_f64());
        }
        for _ in 0..5 {
            let t = Instant::now();
            let d = c.decode(&enc, &Limits::default()).unwrap();
            std::hint::black_box(d);
            best_d = best_d.min(t.elapsed().as_secs_f64());
        }
        let mb = data.len() as f64 / 1e6;
        println!(
            "{:70} enc {:8.0} MB/s  dec {:8.0} MB/s",
            cfg,
            mb / best_e,
            mb / best_d
        );
    }
}
