//! Property tests of the filter and checksum codecs: arbitrary bytes given to every decoder (and every
//! encoder, as raw bytes or as a typed array) never panic, decoding stays within the limit, and the
//! lossless codecs round-trip any data.

// Test code: a failed unwrap is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::panic)]

use brickwork_codecs::get_codec_json;
use brickwork_core::{ArrayView, Codec, DType, Error, Limits, Order};
use proptest::prelude::*;

const CONFIGS: &[&str] = &[
    r#"{"id":"shuffle"}"#,
    r#"{"id":"shuffle","elementsize":3}"#,
    r#"{"id":"shuffle","elementsize":16}"#,
    r#"{"id":"shuffle","elementsize":0}"#,
    r#"{"id":"delta","dtype":"<i4"}"#,
    r#"{"id":"delta","dtype":">u2","astype":"|i1"}"#,
    r#"{"id":"delta","dtype":"<f8","astype":"<f2"}"#,
    r#"{"id":"delta","dtype":"<i4","astype":"<f8"}"#,
    r#"{"id":"delta","dtype":"|b1"}"#,
    r#"{"id":"delta","dtype":"<c16","astype":"<c8"}"#,
    r#"{"id":"delta","dtype":"<M8[ns]"}"#,
    r#"{"id":"fixedscaleoffset","offset":1000,"scale":10,"dtype":"<f8","astype":"|u1"}"#,
    r#"{"id":"fixedscaleoffset","offset":1.5,"scale":3,"dtype":">i2","astype":"<u4"}"#,
    r#"{"id":"fixedscaleoffset","offset":1,"scale":7,"dtype":"<u8","astype":"<f2"}"#,
    r#"{"id":"fixedscaleoffset","offset":0,"scale":0.25,"dtype":"|b1","astype":"<i8"}"#,
    r#"{"id":"fixedscaleoffset","offset":0,"scale":1,"dtype":"<c8"}"#,
    r#"{"id":"quantize","digits":3,"dtype":"<f8","astype":"<f4"}"#,
    r#"{"id":"quantize","digits":-2,"dtype":">f2"}"#,
    r#"{"id":"bitround","keepbits":3}"#,
    r#"{"id":"packbits"}"#,
    r#"{"id":"astype","encode_dtype":"<f2","decode_dtype":"<u8"}"#,
    r#"{"id":"astype","encode_dtype":">i8","decode_dtype":"|b1"}"#,
    r#"{"id":"categorize","labels":["a","bb","ccc"],"dtype":"<U3"}"#,
    r#"{"id":"categorize","labels":["x"],"dtype":">U1","astype":"<f4"}"#,
    r#"{"id":"categorize","labels":["x"],"dtype":"|O"}"#,
    r#"{"id":"crc32"}"#,
    r#"{"id":"crc32c","location":"start"}"#,
    r#"{"id":"adler32","location":"end"}"#,
    r#"{"id":"fletcher32"}"#,
    r#"{"id":"jenkins_lookup3","initval":5,"prefix":[1,2,3]}"#,
];

/// dtypes random bytes are viewed as for typed encodes.
const DTYPES: &[&str] = &["|u1", "<f4", ">f8", "<f2", "<i2", "|b1", "<U2", "<c8"];

fn codecs() -> Vec<Box<dyn Codec>> {
    CONFIGS.iter().map(|c| get_codec_json(c).unwrap()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn decoders_never_panic(data in prop::collection::vec(any::<u8>(), 0..200), out_len in 0usize..400) {
        for c in codecs() {
            let limit = 256;
            match c.decode(&data, &Limits::new(limit)) {
                Ok(a) => prop_assert!(a.len() <= limit, "{}: {} bytes over the limit", c.codec_id(), a.len()),
                Err(Error::LimitExceeded { .. }) => {}
                Err(_) => {}
            }
            let mut out = vec![0u8; out_len];
            if let Ok(n) = c.decode_into(&data, &mut out) {
                prop_assert!(n <= out_len);
            }
            if let Some(o) = c.as_object_codec() {
                let _ = o.decode_objects(&data, &Limits::new(limit));
            }
        }
    }

    #[test]
    fn encoders_never_panic(data in prop::collection::vec(any::<u8>(), 0..200), which in 0usize..8) {
        let dtype = DType::parse(DTYPES[which]).unwrap();
        let n = data.len() / dtype.itemsize();
        let typed = ArrayView::new(&data[..n * dtype.itemsize()], dtype, vec![n], Order::C).unwrap();
        for c in codecs() {
            let _ = c.encode_bytes(&data);
            if let Ok(enc) = c.encode(&typed) {
                let _ = c.decode(&enc, &Limits::default());
            }
        }
    }

    #[test]
    fn lossless_codecs_round_trip(data in prop::collection::vec(any::<u8>(), 0..64)) {
        let data = &data[..data.len() / 16 * 16];
        for cfg in [
            r#"{"id":"shuffle","elementsize":8}"#,
            r#"{"id":"delta","dtype":">i8"}"#,
            r#"{"id":"delta","dtype":"<u2","astype":"<u4"}"#,
            r#"{"id":"astype","encode_dtype":"<c16","decode_dtype":"<i4"}"#,
            r#"{"id":"crc32"}"#,
            r#"{"id":"crc32c"}"#,
            r#"{"id":"adler32"}"#,
            r#"{"id":"fletcher32"}"#,
            r#"{"id":"jenkins_lookup3"}"#,
        ] {
            let c = get_codec_json(cfg).unwrap();
            let enc = c.encode_bytes(data).unwrap();
            let dec = c.decode(&enc, &Limits::default()).unwrap();
            prop_assert_eq!(dec.data(), data, "{}", cfg);
        }
        let bools: Vec<u8> = data.iter().map(|b| b & 1).collect();
        let p = get_codec_json(r#"{"id":"packbits"}"#).unwrap();
        let enc = p.encode_bytes(&bools).unwrap();
        let dec = p.decode(&enc, &Limits::default()).unwrap();
        prop_assert_eq!(dec.data(), &bools[..]);
    }
}
