//! Property tests of the text, object and array→bytes codecs (base64, json2, json, msgpack2, msgpack,
//! vlen-utf8, vlen-bytes, vlen-array, pcodec, zfpy) and the pipeline:
//! * decoding arbitrary bytes, and valid encodings with bytes flipped, cut or appended, never panics and
//!   never exceeds the limit (typed, object and `decode_into` paths);
//! * random object arrays and typed arrays round-trip.

// Test code: a failed unwrap is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::panic)]

use brickwork_codecs::get_codec_json;
use brickwork_core::{
    ArrayView, Codec, DType, Decoded, Error, Limits, ObjectArray, ObjectItems, Order, Value,
};
use proptest::prelude::*;

const CONFIGS: &[&str] = &[
    r#"{"id":"base64"}"#,
    r#"{"id":"json2"}"#,
    r#"{"id":"json2","indent":2,"ensure_ascii":false,"strict":false}"#,
    r#"{"id":"json"}"#,
    r#"{"id":"msgpack2"}"#,
    r#"{"id":"msgpack2","raw":true,"use_single_float":true}"#,
    r#"{"id":"msgpack"}"#,
    r#"{"id":"vlen-utf8"}"#,
    r#"{"id":"vlen-bytes"}"#,
    r#"{"id":"vlen-array","dtype":"<i2"}"#,
    r#"{"id":"pcodec"}"#,
    r#"{"id":"zfpy"}"#,
    r#"{"id":"pipeline","filters":[{"id":"vlen-utf8"}],"compressor":{"id":"zlib"}}"#,
];

const LIMIT: usize = 1 << 16;

fn codecs() -> Vec<Box<dyn Codec>> {
    CONFIGS.iter().map(|c| get_codec_json(c).unwrap()).collect()
}

/// Every decode path on `bytes`: must return (not panic) and respect the limit.
fn decode_all(c: &dyn Codec, bytes: &[u8]) {
    let limits = Limits::new(LIMIT);
    if let Ok(d) = c.decode(bytes, &limits) {
        assert!(d.len() <= LIMIT, "{}: {} bytes", c.codec_id(), d.len());
        let mut out = vec![0u8; d.len()];
        assert_eq!(
            c.decode_into(bytes, &mut out).unwrap(),
            d.len(),
            "{}",
            c.codec_id()
        );
        assert_eq!(out, d.data());
    }
    let _ = c.decode_into(bytes, &mut [0u8; 64]);
    if let Some(oc) = c.as_object_codec() {
        let _ = oc.decode_objects(bytes, &limits);
        let _ = oc.decode_any(bytes, &limits);
    }
}

/// Valid encodings to mutate.
fn samples() -> Vec<(usize, Vec<u8>)> {
    let cs = codecs();
    let words = ObjectArray::from_strings(vec![
        Some("ab".into()),
        None,
        Some("ßx😀".into()),
        Some(String::new()),
    ]);
    let i2: Vec<u8> = (0i16..64).flat_map(|i| (i * 37).to_le_bytes()).collect();
    let f8: Vec<u8> = (0..48)
        .flat_map(|i| (f64::from(i) * 0.25).to_le_bytes())
        .collect();
    let mut out = Vec::new();
    for (i, c) in cs.iter().enumerate() {
        let typed = match c.codec_id() {
            "zfpy" => ArrayView::new(&f8, DType::parse("<f8").unwrap(), vec![6, 8], Order::C).unwrap(),
            _ => ArrayView::new(&i2, DType::parse("<i2").unwrap(), vec![8, 8], Order::C).unwrap(),
        };
        if let Ok(e) = c.encode(&typed) {
            out.push((i, e));
        }
        if let Some(oc) = c.as_object_codec() {
            if let Ok(e) = oc.encode_objects(&words) {
                out.push((i, e));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for c in codecs() {
            decode_all(c.as_ref(), &bytes);
        }
    }

    #[test]
    fn mutated_encodings_never_panic(
        pick in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
        tail in prop::collection::vec(any::<u8>(), 0..8),
        mode in 0u8..3,
    ) {
        let cs = codecs();
        let samples = samples();
        let (ci, mut bytes) = samples[pick.index(samples.len())].clone();
        match mode {
            0 => {
                for (at, x) in &flips {
                    if !bytes.is_empty() {
                        let n = bytes.len();
                        bytes[at.index(n)] ^= x | 1;
                    }
                }
            }
            1 => {
                let n = bytes.len() + 1;
                bytes.truncate(cut.index(n));
            }
            _ => bytes.extend_from_slice(&tail),
        }
        decode_all(cs[ci].as_ref(), &bytes);
    }

    #[test]
    fn strings_round_trip(items in prop::collection::vec(prop::option::of(".{0,12}"), 0..20)) {
        let a = ObjectArray::from_strings(items.clone());
        let want: Vec<Option<String>> = items.iter().map(|s| Some(s.clone().unwrap_or_default())).collect();
        for id in ["vlen-utf8", "json2", "msgpack2"] {
            let c = get_codec_json(&format!(r#"{{"id":"{id}"}}"#)).unwrap();
            let oc = c.as_object_codec().unwrap();
            let dec = oc.decode_objects(&oc.encode_objects(&a).unwrap(), &Limits::default()).unwrap();
            match dec.items() {
                ObjectItems::Str(v) => prop_assert_eq!(v, &want),
                ObjectItems::Values(v) => {
                    let vals: Vec<Value> = items.iter().map(|s| s.clone().map_or(Value::None, Value::Str)).collect();
                    prop_assert_eq!(v, &vals);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn typed_arrays_round_trip(xs in prop::collection::vec(any::<f64>(), 1..40), ys in prop::collection::vec(any::<i32>(), 1..40)) {
        let f8: Vec<u8> = xs.iter().flat_map(|x| x.to_le_bytes()).collect();
        let i4: Vec<u8> = ys.iter().flat_map(|x| x.to_le_bytes()).collect();
        let views = [
            ArrayView::new(&f8, DType::parse("<f8").unwrap(), vec![xs.len()], Order::C).unwrap(),
            ArrayView::new(&i4, DType::parse("<i4").unwrap(), vec![ys.len()], Order::C).unwrap(),
        ];
        for cfg in [r#"{"id":"json2"}"#, r#"{"id":"msgpack2"}"#, r#"{"id":"base64"}"#, r#"{"id":"pcodec"}"#, r#"{"id":"zfpy"}"#] {
            let c = get_codec_json(cfg).unwrap();
            for v in &views {
                let dec = c.decode(&c.encode(v).unwrap(), &Limits::default()).unwrap();
                // Bit-exact, NaN payloads included (json2/msgpack2 go through f64 values; NaN becomes the
                // canonical NaN in JSON, so compare NaN as NaN there).
                if cfg.contains("json2") {
                    for (a, b) in dec.data().chunks(v.dtype().itemsize()).zip(v.data().chunks(v.dtype().itemsize())) {
                        if v.dtype().kind() == brickwork_core::Kind::Float {
                            let (a, b) = (f64::from_le_bytes(a.try_into().unwrap()), f64::from_le_bytes(b.try_into().unwrap()));
                            prop_assert!(a == b || (a.is_nan() && b.is_nan()));
                        } else {
                            prop_assert_eq!(a, b);
                        }
                    }
                } else {
                    prop_assert_eq!(dec.data(), v.data(), "{}", cfg);
                }
            }
        }
    }
}

#[test]
fn huge_declared_counts_fail_fast() {
    let l = Limits::new(LIMIT);
    // vlen: 4 billion items declared, 4 bytes present.
    let vlen = get_codec_json(r#"{"id":"vlen-bytes"}"#).unwrap();
    assert!(vlen
        .as_object_codec()
        .unwrap()
        .decode_objects(b"\xff\xff\xff\xff\0\0\0\0", &l)
        .is_err());
    // msgpack: a 4-billion-element array with no elements.
    let mp = get_codec_json(r#"{"id":"msgpack2"}"#).unwrap();
    assert!(mp.decode(b"\xdd\xff\xff\xff\xff", &l).is_err());
    // msgpack: a valid list claiming a shape of 2^40 float64s.
    let e = mp
        .decode(b"\x92\xa3<f8\x91\xcf\x00\x00\x01\x00\x00\x00\x00\x00", &l)
        .unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    // json: a huge shape.
    let js = get_codec_json(r#"{"id":"json2"}"#).unwrap();
    assert!(matches!(
        js.decode(br#"["<f8",[1099511627776]]"#, &l),
        Err(Error::LimitExceeded { .. })
    ));
    // zfpy: a header claiming 2^24 doubles in a 24-byte stream.
    let z = get_codec_json(r#"{"id":"zfpy"}"#).unwrap();
    let one = [0u8; 8];
    let mut enc = z
        .encode(&ArrayView::new(&one, DType::parse("<f8").unwrap(), vec![1], Order::C).unwrap())
        .unwrap();
    // Rewrite nx-1 (48 bits after the 4 type/dims bits of the meta field, which starts at bit 32).
    let mut w = u64::from_le_bytes(enc[0..8].try_into().unwrap());
    let mut w2 = u64::from_le_bytes(enc[8..16].try_into().unwrap());
    let nx_minus_1: u64 = (1 << 24) - 1;
    w |= (nx_minus_1 & 0x0fff_ffff) << 36;
    w2 |= nx_minus_1 >> 28;
    enc[0..8].copy_from_slice(&w.to_le_bytes());
    enc[8..16].copy_from_slice(&w2.to_le_bytes());
    let e = z.decode(&enc, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("blocks"), "{e}");
    // Objects decoded through decode_any are reported as objects.
    let oc = js.as_object_codec().unwrap();
    assert!(matches!(
        oc.decode_any(br#"[null,"|O",[1]]"#, &l).unwrap(),
        Decoded::Objects(_)
    ));
}
