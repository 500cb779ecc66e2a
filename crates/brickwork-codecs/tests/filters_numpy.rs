//! The typed filters against NumPy itself: `data/filters/numpy_vectors.json` holds what numcodecs 0.17.1
//! with NumPy 2.5 (x86-64) returned for delta and astype over every pair of the 15 numeric dtypes
//! (including big-endian ones), fixedscaleoffset over int/float offsets and scales, quantize, bitround,
//! categorize, shuffle and packbits, with NaN, infinities and out-of-range values among the inputs
//! (`gen_numpy_vectors.py` writes it). Every case must give the same encoded bytes, the same decoded
//! bytes, or an error where numcodecs raised one. The one latitude: where both results are NaN, the NaN's
//! sign and payload may differ (IEEE leaves them unspecified; NumPy's own loops pick either operand's).

#![allow(clippy::unwrap_used, clippy::panic)]

use brickwork_codecs::get_codec;
use brickwork_core::{ArrayView, DType, Kind, Limits, Order};
use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/filters/numpy_vectors.json"
);

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Equal bytes, or, for float and complex dtypes, elements that are equal or NaN in both.
fn same(dtype: DType, want: &str, got: &[u8]) -> bool {
    if hex(got) == want {
        return true;
    }
    let want = unhex(want);
    let part = match (dtype.kind(), dtype.itemsize()) {
        (Kind::Float, n) => n,
        (Kind::Complex, n) => n / 2,
        _ => return false,
    };
    let big = dtype.is_big_endian();
    let is_nan = |b: &[u8]| {
        let mut b = b.to_vec();
        if big {
            b.reverse();
        }
        match b.len() {
            2 => half::f16::from_le_bytes([b[0], b[1]]).is_nan(),
            4 => f32::from_le_bytes(b.try_into().unwrap()).is_nan(),
            _ => f64::from_le_bytes(b.try_into().unwrap()).is_nan(),
        }
    };
    want.len() == got.len()
        && want
            .chunks(part)
            .zip(got.chunks(part))
            .all(|(w, g)| w == g || (is_nan(w) && is_nan(g)))
}

/// The dtype of a codec's encoded output, from its config (the input dtype for bitround).
fn encoded_dtype(config: &serde_json::Map<String, Value>, input: DType) -> DType {
    match config.get("astype").or_else(|| config.get("encode_dtype")) {
        Some(v) => DType::parse(v.as_str().unwrap()).unwrap(),
        None if config["id"] == "bitround" => input,
        None => DType::U8,
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn filters_match_numpy_case_by_case() {
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(VECTORS).unwrap()).unwrap();
    let (mut encodes, mut decodes, mut errors) = (0, 0, 0);
    for case in &cases {
        let config = case["config"].as_object().unwrap();
        let what = serde_json::to_string(config).unwrap();
        let codec = get_codec(config).unwrap_or_else(|e| panic!("{what}: {e}"));
        let dtype = DType::parse(case["dtype"].as_str().unwrap()).unwrap();
        let input = unhex(case["input"].as_str().unwrap());
        let n = input.len() / dtype.itemsize();
        let view = ArrayView::new(&input, dtype, vec![n], Order::C).unwrap();
        let result = codec.encode(&view);
        let want = case["encoded"].as_str().unwrap();
        if want.starts_with("error") {
            assert!(
                result.is_err(),
                "{what} on {dtype} {}: numcodecs raised ({want}), brickwork encoded",
                hex(&input)
            );
            errors += 1;
            continue;
        }
        let encoded = result.unwrap_or_else(|e| panic!("{what} on {dtype} {}: {e}", hex(&input)));
        assert!(
            same(encoded_dtype(config, dtype), want, &encoded),
            "{what}: encode of {dtype} {}: numcodecs {want}, brickwork {}",
            hex(&input),
            hex(&encoded)
        );
        encodes += 1;
        let want = case["decoded"].as_str().unwrap();
        let decoded = codec.decode(&encoded, &Limits::default());
        if want.starts_with("error") {
            assert!(decoded.is_err(), "{what}: numcodecs raised ({want}) on decode");
            errors += 1;
        } else {
            let decoded = decoded.unwrap();
            assert!(
                same(decoded.dtype(), want, decoded.data()),
                "{what}: decode of {}: numcodecs {want}, brickwork {}",
                hex(&encoded),
                hex(decoded.data())
            );
            decodes += 1;
        }
    }
    assert_eq!(cases.len(), 799);
    assert!(
        encodes > 700 && decodes > 700,
        "{encodes} encodes, {decodes} decodes, {errors} errors"
    );
}
