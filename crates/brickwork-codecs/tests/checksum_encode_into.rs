//! Every checksum codec's `encode_into` writes exactly what `encode` returns (both locations).

use std::mem::MaybeUninit;

use brickwork_core::{ArrayView, Config};

#[test]
fn encode_into_matches_encode_for_every_checksum() {
    let data: Vec<u8> = (0..100_003u32).map(|i| (i * 7 % 251) as u8).collect();
    let configs = [
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
        let config: Config = serde_json::from_str(config).unwrap();
        let codec = brickwork_codecs::get_codec(&config).unwrap();
        for input in [&data[..], &data[..2], &b""[..]] {
            let view = ArrayView::from_bytes(input);
            let bound = codec.encoded_bound(&view).unwrap();
            let mut out = vec![MaybeUninit::new(0xeeu8); bound + 3];
            let n = codec.encode_into(&view, &mut out).unwrap();
            let got: Vec<u8> = out[..n].iter().map(|b| unsafe { b.assume_init() }).collect();
            assert_eq!(got, codec.encode(&view).unwrap(), "{config:?}");
            let mut short = vec![MaybeUninit::new(0u8); bound - 1];
            assert!(codec.encode_into(&view, &mut short).is_err(), "{config:?}");
        }
    }
}
