//! Every codec with a direct `encode_into` (LZ4, Zstd, Blosc on one and two threads, the checksums)
//! writes exactly what `encode` returns into uninitialised memory, and refuses a buffer below its bound.

#![allow(clippy::unwrap_used)]

use std::mem::MaybeUninit;

use brickwork_codecs::compress::blosc::Blosc;
use brickwork_core::{ArrayView, Codec, Config};

fn check(codec: &dyn Codec, what: &str) {
    let data: Vec<u8> = (0..300_003u32).map(|i| (i / 7 % 251) as u8).collect();
    for input in [&data[..], &data[..2], &b"x"[..], &b""[..]] {
        let view = ArrayView::from_bytes(input);
        let bound = codec.encoded_bound(&view).unwrap();
        let mut out = vec![MaybeUninit::new(0xeeu8); bound + 3];
        let n = codec.encode_into(&view, &mut out).unwrap();
        let got: Vec<u8> = out[..n].iter().map(|b| unsafe { b.assume_init() }).collect();
        assert_eq!(got, codec.encode(&view).unwrap(), "{what}, {} bytes", input.len());
        let mut short = vec![MaybeUninit::new(0u8); bound - 1];
        assert!(codec.encode_into(&view, &mut short).is_err(), "{what}");
    }
}

#[test]
fn encode_into_matches_encode() {
    let configs = [
        r#"{"id": "lz4", "acceleration": 3}"#,
        r#"{"id": "zstd", "level": 5, "checksum": true}"#,
        r#"{"id": "crc32"}"#,
        r#"{"id": "crc32", "location": "end"}"#,
        r#"{"id": "adler32"}"#,
        r#"{"id": "adler32", "location": "end"}"#,
        r#"{"id": "crc32c"}"#,
        r#"{"id": "crc32c", "location": "start"}"#,
        r#"{"id": "fletcher32"}"#,
        r#"{"id": "jenkins_lookup3"}"#,
        r#"{"id": "jenkins_lookup3", "initval": 7, "prefix": null}"#,
    ];
    for config in configs {
        let parsed: Config = serde_json::from_str(config).unwrap();
        check(&*brickwork_codecs::get_codec(&parsed).unwrap(), config);
    }
    for threads in [1, 2] {
        check(
            &Blosc::default().with_threads(threads),
            &format!("blosc, {threads} threads"),
        );
    }
}

/// `decode_into_uninit` (LZ4, Zstd, Blosc write into uninitialised memory) answers every truncation and a
/// byte flip of valid data with an error or the exact data, never a panic, and refuses a short `out`.
#[test]
fn decode_into_uninit_survives_truncated_and_flipped_input() {
    let data: Vec<u8> = (0..50_000u32).map(|i| (i / 5 % 251) as u8).collect();
    let view = ArrayView::from_bytes(&data);
    let configs = [r#"{"id": "lz4"}"#, r#"{"id": "zstd"}"#, r#"{"id": "blosc"}"#];
    for config in configs {
        let parsed: Config = serde_json::from_str(config).unwrap();
        let codec = brickwork_codecs::get_codec(&parsed).unwrap();
        let enc = codec.encode(&view).unwrap();
        let mut out = vec![MaybeUninit::new(0u8); data.len()];
        for cut in 0..enc.len() {
            if let Ok(n) = codec.decode_into_uninit(&enc[..cut], &mut out) {
                let got: Vec<u8> = out[..n].iter().map(|b| unsafe { b.assume_init() }).collect();
                assert_eq!(got, data[..n], "{config}: prefix {cut}");
            }
        }
        for at in (0..enc.len()).step_by(7) {
            let mut bad = enc.clone();
            bad[at] ^= 0x5a;
            let _ = codec.decode_into_uninit(&bad, &mut out);
        }
        assert!(
            codec
                .decode_into_uninit(&enc, &mut out[..data.len() - 1])
                .is_err(),
            "{config}"
        );
        assert!(codec.decode_into_uninit(b"", &mut out).is_err(), "{config}");
    }
}
