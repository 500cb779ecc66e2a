//! Throughput of every numcodecs filter and checksum, encode and decode, on 8 MiB inputs.
//!
//! `cargo bench -p brickwork-codecs --bench filters -- --quick` (or a name filter such as `shuffle`).
//! The inputs are deterministic and look like real data (smooth floats with noise, small-step integers),
//! so the value-dependent paths (casts, rounding) see realistic values.

// Fixed, valid inputs: a failure is a bug to see at once. criterion's macros generate undocumented items.
#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;

use brickwork_codecs::get_codec_json;
use brickwork_core::{ArrayView, DType, Limits, Order};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Bytes of input per benchmark.
const BYTES: usize = 8 << 20;

/// A tiny deterministic generator (xorshift64*), so the inputs need no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `BYTES` of input for `dtype` (NumPy string).
fn input(dtype: &str) -> Vec<u8> {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    match dtype {
        "<f8" => (0..BYTES / 8)
            .flat_map(|i| (1000.0 + (i as f64 * 1e-3).sin() + 0.01 * r.unit()).to_le_bytes())
            .collect(),
        "<f4" => (0..BYTES / 4)
            .flat_map(|i| ((i as f32 * 1e-3).sin() * 100.0 + r.unit() as f32).to_le_bytes())
            .collect(),
        "<i4" => {
            let mut v = 0i32;
            (0..BYTES / 4)
                .flat_map(|_| {
                    v = v.wrapping_add((r.next() % 7) as i32 - 3);
                    v.to_le_bytes()
                })
                .collect()
        }
        "<i2" => (0..BYTES / 2)
            .flat_map(|_| ((r.next() % 2000) as i16 - 1000).to_le_bytes())
            .collect(),
        "|b1" => (0..BYTES).map(|_| u8::from(r.next().is_multiple_of(3))).collect(),
        "<U4" => {
            let labels = ["ƒöõ", "ßàř", "ßāẑ", "ƪùüx", "zz"];
            (0..BYTES / 16)
                .flat_map(|_| {
                    let s = labels[(r.next() % 5) as usize];
                    let mut cell = [0u8; 16];
                    for (c, ch) in cell.chunks_exact_mut(4).zip(s.chars()) {
                        c.copy_from_slice(&(ch as u32).to_le_bytes());
                    }
                    cell
                })
                .collect()
        }
        _ => (0..BYTES).map(|_| r.next() as u8).collect(),
    }
}

/// (benchmark name, codec config, input dtype).
const CASES: &[(&str, &str, &str)] = &[
    ("shuffle_es4", r#"{"id":"shuffle","elementsize":4}"#, "<f4"),
    ("shuffle_es8", r#"{"id":"shuffle","elementsize":8}"#, "<f8"),
    ("delta_i4", r#"{"id":"delta","dtype":"<i4"}"#, "<i4"),
    (
        "delta_i4_as_i2",
        r#"{"id":"delta","dtype":"<i4","astype":"<i2"}"#,
        "<i4",
    ),
    ("delta_f8", r#"{"id":"delta","dtype":"<f8"}"#, "<f8"),
    (
        "fixedscaleoffset_f8_u1",
        r#"{"id":"fixedscaleoffset","scale":10,"offset":1000,"dtype":"<f8","astype":"|u1"}"#,
        "<f8",
    ),
    (
        "fixedscaleoffset_f8_i4",
        r#"{"id":"fixedscaleoffset","scale":1000,"offset":1000,"dtype":"<f8","astype":"<i4"}"#,
        "<f8",
    ),
    (
        "quantize_f8",
        r#"{"id":"quantize","digits":3,"dtype":"<f8"}"#,
        "<f8",
    ),
    (
        "quantize_f8_f4",
        r#"{"id":"quantize","digits":3,"dtype":"<f8","astype":"<f4"}"#,
        "<f8",
    ),
    ("bitround_f4", r#"{"id":"bitround","keepbits":10}"#, "<f4"),
    ("bitround_f8", r#"{"id":"bitround","keepbits":20}"#, "<f8"),
    ("packbits", r#"{"id":"packbits"}"#, "|b1"),
    (
        "astype_f8_f4",
        r#"{"id":"astype","encode_dtype":"<f4","decode_dtype":"<f8"}"#,
        "<f8",
    ),
    (
        "astype_i4_i2",
        r#"{"id":"astype","encode_dtype":"<i2","decode_dtype":"<i4"}"#,
        "<i4",
    ),
    (
        "categorize_u4",
        r#"{"id":"categorize","labels":["ƒöõ","ßàř","ßāẑ","ƪùüx"],"dtype":"<U4","astype":"|u1"}"#,
        "<U4",
    ),
    ("crc32", r#"{"id":"crc32"}"#, "|u1"),
    ("adler32", r#"{"id":"adler32"}"#, "|u1"),
    ("crc32c", r#"{"id":"crc32c"}"#, "|u1"),
    ("fletcher32", r#"{"id":"fletcher32"}"#, "|u1"),
    ("jenkins_lookup3", r#"{"id":"jenkins_lookup3"}"#, "|u1"),
];

fn filters(c: &mut Criterion) {
    let limits = Limits::default();
    for &(name, config, dtype) in CASES {
        let codec = get_codec_json(config).expect("bench config");
        let data = input(dtype);
        let dt = DType::parse(dtype).expect("bench dtype");
        let view = ArrayView::new(&data, dt, vec![data.len() / dt.itemsize()], Order::C).expect("view");
        let encoded = codec.encode(&view).expect("encode");
        let mut out = vec![0u8; codec.decode(&encoded, &limits).expect("decode").data().len()];
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.sample_size(20);
        g.bench_function("encode", |b| {
            b.iter(|| codec.encode(black_box(&view)).expect("encode"))
        });
        g.bench_function("decode", |b| {
            b.iter(|| codec.decode(black_box(&encoded), &limits).expect("decode"))
        });
        g.bench_function("decode_into", |b| {
            b.iter(|| {
                codec
                    .decode_into(black_box(&encoded), &mut out)
                    .expect("decode_into")
            })
        });
        g.finish();
    }
}

criterion_group!(benches, filters);
criterion_main!(benches);
