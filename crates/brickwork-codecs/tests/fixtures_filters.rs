//! numcodecs' golden corpus for the filter and checksum codecs (`shuffle`, `delta`, `fixedscaleoffset`,
//! `quantize`, `packbits`, `astype`, `categorize`, `crc32`, `crc32c`, `adler32`).
//!
//! For every `codec.MM/encoded.NN.dat` under those fixture dirs (spec §7):
//! * `config.json` builds through the registry and `config()` equals it (Python equality);
//! * decoding gives the bytes of `array.NN.npy` exactly, or for the lossy codecs values within
//!   `1.5 * 10^-precision` (numcodecs' `assert_array_almost_equal`), with precision `log10(scale)` for
//!   fixedscaleoffset, `digits` for quantize and 3 for `astype/f` (spec §7.3); `decode_into` agrees;
//! * encoding `array.NN.npy` reproduces `encoded.NN.dat` byte for byte (spec §7.4: every one of these ids).
//!
//! `categorize/O` holds pickled object arrays, which `.npy` reading refuses; its strings are the same as
//! `categorize/U`'s (checked with NumPy when this test was written), so the `O` files are checked through
//! [`ObjectCodec`] against the `U` arrays. The test asserts how many files it checked.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use brickwork_codecs::registry;
use brickwork_core::config::{configs_equal, from_json};
use brickwork_core::{npy, ArrayView, DType, Kind, Limits, ObjectArray, Order};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/numcodecs");

/// The fixture dirs (relative to [`FIXTURES`]) and how many encoded files each holds.
const DIRS: &[(&str, usize)] = &[
    ("shuffle", 52),
    ("delta/bool", 1),
    ("delta/float32", 1),
    ("delta/float64", 1),
    ("delta/int32", 1),
    ("delta/uint16", 1),
    ("fixedscaleoffset", 25),
    ("quantize", 25),
    ("packbits", 4),
    ("astype/f", 2),
    ("astype/i", 2),
    ("categorize/U", 4),
    ("crc32", 13),
    ("crc32c", 13),
    ("adler32", 13),
];

struct Array {
    dtype: DType,
    shape: Vec<usize>,
    order: Order,
    data: Vec<u8>,
}

fn load_array(path: &Path) -> Array {
    let bytes = fs::read(path).unwrap();
    let (header, data) = npy::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Array {
        dtype: header.dtype,
        shape: header.shape,
        order: header.order,
        data: data.to_vec(),
    }
}

fn sorted(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect();
    v.sort();
    v
}

/// The two-digit index in `array.NN.npy` / `encoded.NN.dat`.
fn index(p: &Path) -> String {
    p.file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned()
}

/// The comparison precision (decimal digits) for lossy codecs, from the config.
fn precision(dir: &str, config: &serde_json::Map<String, Value>) -> Option<i32> {
    match config["id"].as_str().unwrap() {
        "fixedscaleoffset" => Some(config["scale"].as_f64().unwrap().log10() as i32),
        "quantize" => Some(config["digits"].as_i64().unwrap() as i32),
        "astype" if dir == "astype/f" => Some(3),
        _ => None,
    }
}

/// The elements of a float array as f64 (f2, f4, f8; little- or big-endian).
fn floats(dtype: DType, data: &[u8]) -> Vec<f64> {
    assert_eq!(dtype.kind(), Kind::Float, "lossy fixtures are float arrays");
    let big = dtype.is_big_endian();
    data.chunks_exact(dtype.itemsize())
        .map(|c| {
            let mut b = c.to_vec();
            if big {
                b.reverse();
            }
            match b.len() {
                2 => half::f16::from_le_bytes([b[0], b[1]]).to_f64(),
                4 => f64::from(f32::from_le_bytes(b.try_into().unwrap())),
                _ => f64::from_le_bytes(b.try_into().unwrap()),
            }
        })
        .collect()
}

fn check_close(what: &str, dtype: DType, expected: &[u8], actual: &[u8], decimal: i32) {
    let (e, a) = (floats(dtype, expected), floats(dtype, actual));
    assert_eq!(e.len(), a.len(), "{what}: length");
    let tol = 1.5 * 10f64.powi(-decimal);
    for (i, (x, y)) in e.iter().zip(&a).enumerate() {
        let ok = (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() < tol;
        assert!(
            ok,
            "{what}: element {i}: expected {x}, decoded {y} (decimal {decimal})"
        );
    }
}

/// Checks one codec dir against every array; returns the number of encoded files checked.
fn check_codec_dir(dir: &str, codec_dir: &Path, arrays: &[(String, Array)]) -> usize {
    let text = fs::read_to_string(codec_dir.join("config.json")).unwrap();
    let config = from_json(&text).unwrap();
    let codec = registry()
        .get_codec(&config)
        .unwrap_or_else(|e| panic!("{}: {e}", codec_dir.display()));
    assert!(
        configs_equal(&codec.config(), &config),
        "{}: config() {:?} != file {:?}",
        codec_dir.display(),
        codec.config(),
        config
    );
    let decimal = precision(dir, &config);
    let mut checked = 0;
    for enc_path in sorted(codec_dir, "encoded.") {
        let what = format!(
            "{}/{}",
            dir,
            enc_path.strip_prefix(FIXTURES).unwrap_or(&enc_path).display()
        );
        let i = index(&enc_path);
        let (_, arr) = arrays
            .iter()
            .find(|(j, _)| *j == i)
            .unwrap_or_else(|| panic!("{what}: no array {i}"));
        let encoded = fs::read(&enc_path).unwrap();

        // Decode, and decode_into an exact-size buffer.
        let decoded = codec
            .decode(&encoded, &Limits::default())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let mut out = vec![0u8; decoded.len()];
        assert_eq!(
            codec.decode_into(&encoded, &mut out).unwrap(),
            out.len(),
            "{what}"
        );
        assert_eq!(out, decoded.data(), "{what}: decode_into differs from decode");
        match decimal {
            Some(d) => check_close(&what, arr.dtype, &arr.data, decoded.data(), d),
            None => assert!(
                decoded.data() == &arr.data[..],
                "{what}: decoded bytes differ from the array"
            ),
        }

        // Re-encode: byte-identical to numcodecs.
        let view = ArrayView::new(&arr.data, arr.dtype, arr.shape.clone(), arr.order).unwrap();
        let again = codec
            .encode(&view)
            .unwrap_or_else(|e| panic!("{what}: encode: {e}"));
        assert!(again == encoded, "{what}: re-encoding differs from the fixture");
        checked += 1;
    }
    checked
}

fn arrays_of(dir: &Path) -> Vec<(String, Array)> {
    sorted(dir, "array.")
        .iter()
        .map(|p| (index(p), load_array(p)))
        .collect()
}

#[test]
fn filter_and_checksum_fixtures_decode_and_reencode_like_numcodecs() {
    let mut total = 0;
    for (dir, expected) in DIRS {
        let path = Path::new(FIXTURES).join(dir);
        let arrays = arrays_of(&path);
        assert!(!arrays.is_empty(), "{dir}: no arrays");
        let mut n = 0;
        for codec_dir in sorted(&path, "codec.") {
            n += check_codec_dir(dir, &codec_dir, &arrays);
        }
        assert_eq!(n, *expected, "{dir}: encoded files checked");
        total += n;
    }
    assert_eq!(total, 158, "every filter and checksum fixture file");
}

#[test]
fn categorize_object_fixtures_match_the_unicode_arrays() {
    let base = Path::new(FIXTURES).join("categorize");
    let codec_dir = base.join("O/codec.00");
    let config = from_json(&fs::read_to_string(codec_dir.join("config.json")).unwrap()).unwrap();
    let codec = registry().get_codec(&config).unwrap();
    assert!(configs_equal(&codec.config(), &config));
    let objects = codec.as_object_codec().expect("categorize takes object arrays");
    let arrays = arrays_of(&base.join("U"));
    let mut checked = 0;
    for enc_path in sorted(&codec_dir, "encoded.") {
        let (_, arr) = arrays.iter().find(|(j, _)| *j == index(&enc_path)).unwrap();
        let encoded = fs::read(&enc_path).unwrap();
        let strings: Vec<Option<String>> = arr
            .data
            .chunks_exact(arr.dtype.itemsize())
            .map(|e| {
                let s: String = e
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                    .filter(|&c| c != 0)
                    .map(|c| char::from_u32(c).unwrap())
                    .collect();
                Some(s)
            })
            .collect();
        let decoded = objects.decode_objects(&encoded, &Limits::default()).unwrap();
        assert_eq!(
            decoded,
            ObjectArray::from_strings(strings.clone()),
            "{}",
            enc_path.display()
        );
        let again = objects
            .encode_objects(&ObjectArray::from_strings(strings))
            .unwrap();
        assert_eq!(again, encoded, "{}", enc_path.display());
        checked += 1;
    }
    assert_eq!(checked, 4);
}
