//! Property tests of the byte compressors gzip, bz2, lzma, zstd and lz4 (zlib has the same shape):
//! any bytes round-trip through every config; decoding arbitrary or mutated bytes never panics; and
//! whenever `decode` succeeds, `decode_into` an exactly sized buffer gives the same bytes, and an `out`
//! of another size follows the codec's numcodecs rule (larger allowed for gzip, zstd, lz4; exact for
//! bz2, lzma).

// Test code: a failed unwrap is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::panic)]

use brickwork_codecs::get_codec_json;
use brickwork_core::{Codec, Error, Limits};
use proptest::prelude::*;

const CONFIGS: &[&str] = &[
    r#"{"id":"gzip"}"#,
    r#"{"id":"gzip","level":0}"#,
    r#"{"id":"bz2","level":9}"#,
    r#"{"id":"lzma"}"#,
    r#"{"id":"lzma","format":2,"preset":0}"#,
    r#"{"id":"lzma","format":3,"filters":[{"id":3,"dist":4},{"id":33,"preset":1}]}"#,
    r#"{"id":"zstd"}"#,
    r#"{"id":"zstd","level":-5,"checksum":true}"#,
    r#"{"id":"lz4"}"#,
    r#"{"id":"lz4","acceleration":100}"#,
];

/// Whether numcodecs lets `out` be larger than the decoded data for this codec (spec §8).
fn larger_out_ok(id: &str) -> bool {
    matches!(id, "gzip" | "zstd" | "lz4")
}

fn codecs() -> Vec<Box<dyn Codec>> {
    CONFIGS.iter().map(|c| get_codec_json(c).unwrap()).collect()
}

/// Bytes with some structure, so the compressors find matches.
fn data() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((any::<u8>(), 1usize..40), 0..120).prop_map(|runs| {
        runs.into_iter()
            .flat_map(|(b, n)| std::iter::repeat_n(b, n))
            .collect()
    })
}

/// The checks that must hold for any input: no panic; a successful decode is reproduced by
/// `decode_into` an exact buffer; other `out` sizes follow the codec's rule.
fn check_any(codec: &dyn Codec, enc: &[u8]) {
    let id = codec.codec_id();
    // The Python fast path: the size the header declares, decoded straight into a buffer of that size.
    let fast = codec.declared_size(enc).filter(|&n| n <= 1 << 24).map(|size| {
        let mut out = vec![std::mem::MaybeUninit::<u8>::uninit(); size];
        codec.decode_into_uninit(enc, &mut out).map(|n| {
            assert!(n <= size, "{id}: decode_into_uninit wrote past its buffer");
            // SAFETY: decode_into_uninit returned n, so out[..n] is initialised.
            out[..n]
                .iter()
                .map(|b| unsafe { b.assume_init() })
                .collect::<Vec<u8>>()
        })
    });
    let Ok(dec) = codec.decode(enc, &Limits::new(1 << 24)) else {
        for size in [0usize, 1, 100] {
            let _ = codec.decode_into(enc, &mut vec![0u8; size]);
        }
        return;
    };
    let n = dec.len();
    match &fast {
        Some(Ok(bytes)) if bytes.len() == n => assert_eq!(&bytes[..], dec.data(), "{id}: fast path differs"),
        Some(Err(e)) if codec.declared_size(enc) == Some(n) => panic!("{id}: fast path failed: {e:?}"),
        _ => {}
    }
    let mut out = vec![0u8; n];
    assert_eq!(codec.decode_into(enc, &mut out).unwrap(), n, "{id}");
    assert_eq!(out, dec.data(), "{id}");
    let mut larger = vec![0x5au8; n + 3];
    match codec.decode_into(enc, &mut larger) {
        // zstd allows a larger out only when every frame declares its size.
        Err(Error::OutputSize { .. }) if id == "zstd" => {}
        Ok(m) if larger_out_ok(id) => {
            assert_eq!(m, n, "{id}");
            assert_eq!(&larger[..n], dec.data(), "{id}");
            assert_eq!(&larger[n..], [0x5a; 3], "{id}: the tail of out was written");
        }
        Err(Error::OutputSize { .. }) if !larger_out_ok(id) => {}
        other => panic!("{id}: decode_into a larger out gave {other:?}"),
    }
    if n > 0 {
        assert!(
            codec.decode_into(enc, &mut vec![0u8; n - 1]).is_err(),
            "{id}: a smaller out was accepted"
        );
    }
}

proptest! {
    // 64 cases by default; PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_config_round_trips(data in data()) {
        for codec in codecs() {
            let enc = codec.encode_bytes(&data).unwrap();
            let dec = codec.decode(&enc, &Limits::default()).unwrap();
            prop_assert_eq!(dec.data(), &data[..], "{:?}", codec.config());
            check_any(codec.as_ref(), &enc);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for codec in codecs() {
            check_any(codec.as_ref(), &bytes);
        }
    }

    #[test]
    fn mutated_streams_never_panic(
        data in data(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
        junk in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        for codec in codecs() {
            let enc = codec.encode_bytes(&data).unwrap();
            let mut bad = enc.clone();
            for (at, x) in &flips {
                let i = at.index(bad.len());
                bad[i] ^= x;
            }
            check_any(codec.as_ref(), &bad);
            check_any(codec.as_ref(), &enc[..cut.index(enc.len() + 1)]);
            let mut tail = enc.clone();
            tail.extend_from_slice(&junk);
            check_any(codec.as_ref(), &tail);
            let mut twice = enc.clone();
            twice.extend_from_slice(&enc);
            check_any(codec.as_ref(), &twice);
        }
    }
}

/// Two streams back to back decode to the data twice wherever the format allows several streams.
#[test]
fn concatenation_rules() {
    let data = b"some data, some data, some data".repeat(20);
    for codec in codecs() {
        let enc = codec.encode_bytes(&data).unwrap();
        let twice = [enc.clone(), enc.clone()].concat();
        let got = codec.decode(&twice, &Limits::default());
        let id = codec.codec_id();
        match id {
            // Several members / streams / frames.
            "gzip" | "bz2" | "zstd" => {
                assert_eq!(got.unwrap().data(), [&data[..], &data[..]].concat(), "{id}")
            }
            // lzma: a second stream of the same format decodes too (Python's loop), raw included.
            "lzma" => assert_eq!(got.unwrap().data(), [&data[..], &data[..]].concat(), "{id}"),
            // One block with an exact size: the extra bytes are an error.
            "lz4" => assert!(got.is_err(), "{id}"),
            _ => unreachable!(),
        }
    }
}

/// Both bz2 encoders write the same bytes on either side of the size where `Bz2` switches between them.
#[test]
fn bz2_backends_write_the_same_bytes() {
    use brickwork_codecs::compress::bz2::{self, Bz2};
    let words = b"the quick brown fox jumps over a lazy dog, ";
    let text: Vec<u8> = (0..120_000usize)
        .map(|i| words[(i * 7 + i / 91) % words.len()] ^ (i % 13 == 0) as u8)
        .collect();
    for size in [0, 1, 100, (16 << 10) - 1, 16 << 10, 120_000] {
        for level in [1u32, 9] {
            let data = &text[..size];
            let c = bz2::encode_c(data, level).unwrap();
            assert_eq!(
                c,
                bz2::encode_rust_port(data, level).unwrap(),
                "size {size} level {level}"
            );
            let codec = Bz2::new(level as i64);
            assert_eq!(codec.encode_bytes(data).unwrap(), c);
            assert_eq!(codec.decode(&c, &Limits::default()).unwrap().data(), data);
        }
    }
}

/// Why `bz2` decodes with the C libbzip2 and encodes short inputs with it and long ones with the Rust
/// port (libbz2-rs-sys): both directions timed on each implementation, interleaved, best of several
/// runs, on 4 MiB inputs and then on short ones:
/// `cargo test --release -p brickwork-codecs --test compressors bz2_backends -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark; run on demand"]
fn bz2_backends_c_vs_rust() {
    use brickwork_codecs::compress::bz2::{self, Bz2};
    use bzip2::{Decompress, Status};
    use std::time::Instant;
    let n = 4 << 20;
    let words = b"the quick brown fox jumps over a lazy dog, ";
    let text: Vec<u8> = (0..n)
        .map(|i: usize| words[(i * 7 + i / 91) % words.len()])
        .collect();
    let field: Vec<u8> = (0..n / 4)
        .flat_map(|i| ((i as f32 * 0.0007).sin() * 100.0).to_le_bytes())
        .collect();
    let labels: Vec<u8> = (0..n / 4)
        .flat_map(|i| ((i / 300) as u32).to_le_bytes())
        .collect();
    for (label, data) in [
        ("text", &text),
        ("float32 field", &field),
        ("uint32 labels", &labels),
    ] {
        for level in [1u32, 9] {
            let codec = Bz2::new(level as i64);
            let enc = codec.encode_bytes(data).unwrap();
            let mut out = vec![0u8; data.len()];
            let (mut c_dec, mut rs_dec, mut rs_enc, mut c_enc) = (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
            for _ in 0..5 {
                let t = Instant::now();
                assert_eq!(codec.decode_into(&enc, &mut out).unwrap(), data.len());
                c_dec = c_dec.min(t.elapsed().as_secs_f64());
                let t = Instant::now();
                let mut d = Decompress::new(false);
                assert!(matches!(d.decompress(&enc, &mut out), Ok(Status::StreamEnd)));
                rs_dec = rs_dec.min(t.elapsed().as_secs_f64());
                let t = Instant::now();
                let mine = bz2::encode_rust_port(data, level).unwrap();
                rs_enc = rs_enc.min(t.elapsed().as_secs_f64());
                assert_eq!(mine, enc);
                let t = Instant::now();
                let theirs = bz2::encode_c(data, level).unwrap();
                c_enc = c_enc.min(t.elapsed().as_secs_f64());
                assert_eq!(theirs, enc, "the C library and the port write the same bytes");
            }
            assert_eq!(&out, data);
            let mb = data.len() as f64 / 1e6;
            println!(
                "{label:14} level {level}: decode C {:6.1} MB/s, Rust port {:6.1} MB/s ({:.2}x) | \
                 encode Rust port {:5.1} MB/s, C {:5.1} MB/s ({:.2}x)",
                mb / c_dec,
                mb / rs_dec,
                rs_dec / c_dec,
                mb / rs_enc,
                mb / c_enc,
                c_enc / rs_enc,
            );
        }
    }
    for size in [256usize, 4 << 10, 16 << 10, 64 << 10] {
        let data = &text[..size];
        for level in [1u32, 9] {
            let reps = (4 << 20) / size.max(64 << 10) * 4 + 20;
            let (mut rs_enc, mut c_enc) = (f64::MAX, f64::MAX);
            for _ in 0..5 {
                let t = Instant::now();
                for _ in 0..reps {
                    std::hint::black_box(bz2::encode_rust_port(data, level).unwrap());
                }
                rs_enc = rs_enc.min(t.elapsed().as_secs_f64() / reps as f64);
                let t = Instant::now();
                for _ in 0..reps {
                    std::hint::black_box(bz2::encode_c(data, level).unwrap());
                }
                c_enc = c_enc.min(t.elapsed().as_secs_f64() / reps as f64);
            }
            println!(
                "text {size:6} B level {level}: encode Rust port {:8.1} us, C {:8.1} us ({:.2}x)",
                rs_enc * 1e6,
                c_enc * 1e6,
                c_enc / rs_enc,
            );
        }
    }
}

/// The decoded sizes LZ4, Zstandard and Blosc headers declare (the Python fast path allocates its
/// `bytes` from them), and `None` for truncated, implausible or inconsistent headers.
#[test]
fn declared_sizes() {
    let data: Vec<u8> = (0..5000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
    for spec in [
        r#"{"id": "lz4"}"#,
        r#"{"id": "zstd", "level": 1}"#,
        r#"{"id": "blosc"}"#,
    ] {
        let codec = get_codec_json(spec).unwrap();
        let enc = codec.encode_bytes(&data).unwrap();
        assert_eq!(codec.declared_size(&enc), Some(data.len()), "{spec}");
        assert_eq!(codec.declared_size(&enc[..3]), None, "{spec}");
        assert_eq!(codec.declared_size(&[]), None, "{spec}");
    }
    for other in ["zlib", "gzip", "bz2", "lzma"] {
        let c = get_codec_json(&format!(r#"{{"id": "{other}"}}"#)).unwrap();
        assert_eq!(c.declared_size(&c.encode_bytes(&data).unwrap()), None, "{other}");
    }
    let lz4 = get_codec_json(r#"{"id": "lz4"}"#).unwrap();
    // A prefix claiming more than LZ4 can expand 8 bytes to, or a negative size.
    assert_eq!(lz4.declared_size(&[0, 0, 1, 0, 0, 0, 0, 0]), None);
    assert_eq!(lz4.declared_size(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), None);
    let zstd = get_codec_json(r#"{"id": "zstd"}"#).unwrap();
    // No content size in the header (FHD 0x00), and a skippable frame first.
    assert_eq!(
        zstd.declared_size(&[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x01, 0x00, 0x00]),
        None
    );
    assert_eq!(zstd.declared_size(&[0x5a, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]), None);
    // A 13-byte frame claiming a terabyte is not plausible.
    let mut huge = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
    huge.extend_from_slice(&(1u64 << 40).to_le_bytes());
    assert_eq!(zstd.declared_size(&huge), None);
    let blosc = get_codec_json(r#"{"id": "blosc"}"#).unwrap();
    let mut enc = blosc.encode_bytes(&data).unwrap();
    let mut hostile = enc.clone();
    hostile[4..8].copy_from_slice(&(1u32 << 30).to_le_bytes()); // 1 GiB from the same few streams
    assert_eq!(blosc.declared_size(&hostile), None);
    enc.push(0); // cbytes no longer the input's length
    assert_eq!(blosc.declared_size(&enc), None);
}
