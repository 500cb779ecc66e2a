//! numcodecs' golden corpus (`../shared/fixtures/numcodecs`), for every codec id brickwork registers.
//!
//! numcodecs' `check_backwards_compatibility` (spec §7.2), plus a re-encode check:
//! * every `codec.MM/config.json` builds through `registry().get_codec` and its `config()` equals the
//!   file (with Python equality, after adding keys newer numcodecs versions emit, e.g. zstd `checksum`);
//! * every `codec.MM/encoded.NN.dat` decodes to exactly the data bytes of `array.NN.npy` (by the codec's
//!   comparison rule, [`COMPARE`]), through both `decode` and `decode_into`;
//! * for the codecs whose encoders match numcodecs (spec §7.4, [`REENCODE`]), encoding `array.NN.npy`
//!   reproduces `encoded.NN.dat`, outside masked header bytes.
//!
//! Fixture dirs of ids that are not registered yet are counted and listed, not failed; known-stale entries
//! ([`SKIP`]) are skipped with their reason. The test asserts that the compressors are all covered, so it
//! cannot pass by finding nothing.

// Test code: a failed unwrap is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use brickwork_codecs::registry;
use brickwork_core::config::{configs_equal, from_json};
use brickwork_core::{npy, ArrayView, Codec, DType, Endian, Error, Kind, Limits};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/numcodecs");

/// Entries numcodecs' own test skips or that are out of scope: (fixture dir, codec dir or "*", reason).
const SKIP: &[(&str, &str, &str)] = &[
    (
        "blosc",
        "codec.09",
        "snappy chunks; numcodecs' own test skips this codec (no snappy in its blosc)",
    ),
    (
        "json2",
        "codec.02",
        "legacy id \"json\" (before numcodecs 0.6), no longer registered",
    ),
    (
        "json2",
        "codec.03",
        "legacy id \"json\" (before numcodecs 0.6), no longer registered",
    ),
    (
        "pickle",
        "*",
        "pickle is deliberately unsupported (decoding runs Python's pickle machinery)",
    ),
];

/// How decoded data is compared with the array, per fixture dir (default: [`Compare::Bytes`]).
#[derive(Debug, Clone, Copy)]
enum Compare {
    /// The decoded bytes equal the array's bytes (numcodecs: `arr_bytes == ensure_bytes(dec)`).
    Bytes,
    /// numcodecs' `assert_array_almost_equal(arr, dec, decimal=d)`: `|arr - dec| < 1.5·10^-d` element by
    /// element (NaN matches NaN), with `d` given per `codec.MM` index.
    Decimal(&'static [i32]),
}

/// Per-fixture-dir comparison rules of the lossy codecs: the `precision` lists of numcodecs' tests.
const COMPARE: &[(&str, Compare)] = &[
    // precision = log10(scale) for scales 10, 100, 1e6, 1e12, 1e12
    ("fixedscaleoffset", Compare::Decimal(&[1, 2, 6, 12, 12])),
    // precision = digits
    ("quantize", Compare::Decimal(&[-1, 0, 1, 5, 12])),
    ("astype/f", Compare::Decimal(&[3])),
];

/// The elements of `bytes` (of `dtype`) as f64, for the numeric dtypes a precision applies to.
fn as_f64s(dtype: DType, bytes: &[u8]) -> Option<Vec<f64>> {
    let size = dtype.itemsize();
    let big = dtype.endian() == Endian::Big;
    let kind = dtype.kind();
    if !matches!(kind, Kind::Float | Kind::Int | Kind::UInt) || ![1, 2, 4, 8].contains(&size) {
        return None;
    }
    let value = |chunk: &[u8]| -> f64 {
        let mut b = [0u8; 8];
        b[..size].copy_from_slice(chunk);
        if big {
            b[..size].reverse();
        }
        let u = u64::from_le_bytes(b);
        match (kind, size) {
            (Kind::Float, 2) => f16_to_f64(u as u16),
            (Kind::Float, 4) => f64::from(f32::from_bits(u as u32)),
            (Kind::Float, _) => f64::from_bits(u),
            (Kind::Int, _) => {
                let shift = 64 - 8 * size as u32;
                ((u << shift) as i64 >> shift) as f64
            }
            _ => u as f64,
        }
    };
    Some(bytes.chunks_exact(size).map(value).collect())
}

fn f16_to_f64(h: u16) -> f64 {
    let sign = if h >> 15 == 1 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let man = f64::from(h & 0x3ff);
    match exp {
        0 => sign * man * 2f64.powi(-24),
        31 if man == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        _ => sign * (1.0 + man / 1024.0) * 2f64.powi(exp - 15),
    }
}

/// Whether `decoded` matches the array's `data` under `compare` for codec index `j`; why not if not.
fn compare_data(compare: Compare, j: usize, dtype: DType, data: &[u8], decoded: &[u8]) -> Result<(), String> {
    match compare {
        Compare::Bytes if decoded == data => Ok(()),
        Compare::Bytes => Err(format!(
            "{} decoded bytes differ from the array's {}",
            decoded.len(),
            data.len()
        )),
        Compare::Decimal(decimals) => {
            let d = *decimals
                .get(j)
                .ok_or_else(|| format!("no precision for codec index {j}"))?;
            if decoded.len() != data.len() {
                return Err(format!(
                    "decoded {} bytes, the array has {}",
                    decoded.len(),
                    data.len()
                ));
            }
            let (Some(a), Some(b)) = (as_f64s(dtype, data), as_f64s(dtype, decoded)) else {
                return Err(format!("no precision comparison for dtype {dtype}"));
            };
            let tol = 1.5 * 10f64.powi(-d);
            match a
                .iter()
                .zip(&b)
                .position(|(x, y)| !(x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() < tol))
            {
                None => Ok(()),
                Some(i) => Err(format!(
                    "element {i}: {} vs {} differ by {tol} or more (decimal={d})",
                    a[i], b[i]
                )),
            }
        }
    }
}

/// Codecs whose encoder output equals the fixture bytes (spec §7.4): (id, byte range ignored).
const REENCODE: &[(&str, Option<std::ops::Range<usize>>)] = &[
    ("zlib", None),
    ("bz2", None),
    ("lzma", None),
    ("lz4", None),
    // MTIME (4..8) is the encode time; XFL (8) is 02 from Python < 3.7 in the 2018 fixtures.
    ("gzip", Some(4..10)),
];

/// Config keys numcodecs added after some fixtures were written, with the default `config()` emits.
const ADDED_KEYS: &[(&str, &str, &str)] = &[
    ("zstd", "checksum", "false"),
    // pcodec configs 00–05 predate these keys (spec §7.3).
    ("pcodec", "delta_spec", "\"auto\""),
    ("pcodec", "paging_spec", "\"equal_pages_up_to\""),
];

/// Codec ids whose fixtures must be found and checked.
const REQUIRED: &[&str] = &["zlib", "gzip", "bz2", "lzma", "zstd", "lz4"];

#[derive(Default, Debug)]
struct Counts {
    configs: usize,
    decoded: usize,
    reencoded: usize,
    dat_files: usize,
    skipped: Vec<String>,
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Directories under `dir` (including itself) that hold `codec.MM` dirs.
fn fixture_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = sorted_entries(dir);
    if entries
        .iter()
        .any(|p| p.is_dir() && name(p).starts_with("codec."))
    {
        out.push(dir.to_path_buf());
    }
    for p in entries {
        if p.is_dir() && !name(&p).starts_with("codec.") {
            fixture_dirs(&p, out);
        }
    }
}

fn skip_reason(id: &str, codec_dir: &str) -> Option<&'static str> {
    SKIP.iter()
        .find(|(i, c, _)| *i == id && (*c == "*" || *c == codec_dir))
        .map(|(_, _, r)| *r)
}

/// `array.NN.npy` files of a fixture dir: index → bytes of the file.
fn arrays(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    sorted_entries(dir)
        .into_iter()
        .filter_map(|p| {
            let n = name(&p);
            let idx = n.strip_prefix("array.")?.strip_suffix(".npy")?.to_owned();
            Some((idx, fs::read(&p).unwrap()))
        })
        .collect()
}

fn check_dir(id: &str, dir: &Path, counts: &mut Counts, failures: &mut Vec<String>) {
    let reg = registry();
    let arrays = arrays(dir);
    let rel = dir
        .strip_prefix(FIXTURES)
        .unwrap_or(dir)
        .to_string_lossy()
        .into_owned();
    let compare = COMPARE
        .iter()
        .find(|(d, _)| *d == rel)
        .map_or(Compare::Bytes, |(_, c)| *c);
    let reencode = REENCODE.iter().find(|(i, _)| *i == id).map(|(_, m)| m.clone());
    for codec_dir in sorted_entries(dir)
        .into_iter()
        .filter(|p| p.is_dir() && name(p).starts_with("codec."))
    {
        let cname = name(&codec_dir);
        let where_ = codec_dir
            .strip_prefix(FIXTURES)
            .unwrap_or(&codec_dir)
            .display()
            .to_string();
        let dats: Vec<PathBuf> = sorted_entries(&codec_dir)
            .into_iter()
            .filter(|p| name(p).starts_with("encoded.") && name(p).ends_with(".dat"))
            .collect();
        counts.dat_files += dats.len();
        if let Some(reason) = skip_reason(id, &cname) {
            counts
                .skipped
                .push(format!("{where_} ({} files): {reason}", dats.len()));
            continue;
        }
        let text = fs::read_to_string(codec_dir.join("config.json")).unwrap();
        let config = from_json(&text).unwrap();
        let codec = match reg.get_codec(&config) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{where_}: config does not build: {e}"));
                continue;
            }
        };
        let mut expected = config.clone();
        for (i, key, value) in ADDED_KEYS {
            if *i == id && !expected.contains_key(*key) {
                expected.insert((*key).to_owned(), serde_json::from_str::<Value>(value).unwrap());
            }
        }
        let emitted = codec.config();
        if !configs_equal(&emitted, &expected) {
            failures.push(format!("{where_}: config {text} round-trips to {emitted:?}"));
        }
        match reg.get_codec(&emitted) {
            Ok(again) if configs_equal(&again.config(), &emitted) => {}
            _ => failures.push(format!(
                "{where_}: config() {emitted:?} does not rebuild the same codec"
            )),
        }
        counts.configs += 1;

        for dat in dats {
            let dname = name(&dat);
            let idx = &dname["encoded.".len()..dname.len() - ".dat".len()];
            let file = format!("{where_}/{dname}");
            let Some(npy_bytes) = arrays.get(idx) else {
                failures.push(format!("{file}: no array.{idx}.npy"));
                continue;
            };
            let (header, data) = match npy::parse(npy_bytes) {
                Ok(x) => x,
                Err(Error::InvalidDType { spec, .. }) if spec.contains('O') => {
                    counts
                        .skipped
                        .push(format!("{file}: object array ({spec}), stored as a pickle"));
                    continue;
                }
                Err(e) => {
                    failures.push(format!("{file}: array.{idx}.npy does not parse: {e}"));
                    continue;
                }
            };
            let enc = fs::read(&dat).unwrap();
            let j: usize = cname["codec.".len()..].parse().unwrap();
            let want = |dec: &[u8]| compare_data(compare, j, header.dtype, data, dec);
            check_decode(codec.as_ref(), &enc, data.len(), want, &file, failures);
            counts.decoded += 1;
            if let Some(mask) = &reencode {
                let view = ArrayView::new(data, header.dtype, header.shape.clone(), header.order).unwrap();
                match guarded(&file, failures, || codec.encode(&view)) {
                    None => {}
                    Some(Ok(mut ours)) => {
                        let mut theirs = enc.clone();
                        if let Some(m) = mask {
                            for v in [&mut ours, &mut theirs] {
                                if let Some(s) = v.get_mut(m.clone()) {
                                    s.fill(0);
                                }
                            }
                        }
                        if ours != theirs {
                            failures.push(format!(
                                "{file}: re-encoding gives {} bytes that differ from the fixture's {}",
                                ours.len(),
                                theirs.len()
                            ));
                        }
                        counts.reencoded += 1;
                    }
                    Some(Err(e)) => failures.push(format!("{file}: encode failed: {e}")),
                }
            }
        }
    }
}

/// Runs `f`, recording a panic as a failure (so one broken codec does not hide the others' results).
fn guarded<T>(file: &str, failures: &mut Vec<String>, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{file}: PANICKED: {msg}"));
            None
        }
    }
}

/// Decodes `enc` with `decode` and with `decode_into` an `out` of the array's size; checks both with `want`.
fn check_decode(
    codec: &dyn Codec,
    enc: &[u8],
    len: usize,
    want: impl Fn(&[u8]) -> Result<(), String>,
    file: &str,
    failures: &mut Vec<String>,
) {
    match guarded(file, failures, || codec.decode(enc, &Limits::default())) {
        None => {}
        Some(Ok(dec)) => {
            if let Err(why) = want(dec.data()) {
                failures.push(format!("{file}: decode: {why}"));
            }
        }
        Some(Err(e)) => failures.push(format!("{file}: decode failed: {e}")),
    }
    let mut out = vec![0u8; len];
    match guarded(file, failures, || codec.decode_into(enc, &mut out)) {
        None => {}
        Some(Ok(n)) if n == len => {
            if let Err(why) = want(&out) {
                failures.push(format!("{file}: decode_into: {why}"));
            }
        }
        Some(Ok(n)) => failures.push(format!("{file}: decode_into wrote {n} bytes, not {len}")),
        Some(Err(e)) => failures.push(format!("{file}: decode_into failed: {e}")),
    }
}

#[test]
fn numcodecs_fixtures() {
    let root = Path::new(FIXTURES);
    assert!(root.is_dir(), "fixtures not found at {}", root.display());
    let reg = registry();
    let mut per_codec: BTreeMap<String, Counts> = BTreeMap::new();
    let mut unregistered = Vec::new();
    let mut failures = Vec::new();
    for top in sorted_entries(root).into_iter().filter(|p| p.is_dir()) {
        let id = name(&top);
        let mut dirs = Vec::new();
        fixture_dirs(&top, &mut dirs);
        let counts = per_codec.entry(id.clone()).or_default();
        if !reg.contains(&id) {
            if let Some(reason) = skip_reason(&id, "*") {
                counts.skipped.push(format!("{id}/*: {reason}"));
            } else {
                unregistered.push(id);
            }
            continue;
        }
        for dir in dirs {
            check_dir(&id, &dir, counts, &mut failures);
        }
    }
    println!(
        "{:<18} {:>7} {:>8} {:>9} {:>9}",
        "codec", "configs", "decoded", "reencoded", "dat files"
    );
    for (id, c) in &per_codec {
        if c.dat_files > 0 || !c.skipped.is_empty() {
            println!(
                "{id:<18} {:>7} {:>8} {:>9} {:>9}",
                c.configs, c.decoded, c.reencoded, c.dat_files
            );
        }
        for s in &c.skipped {
            println!("    skipped: {s}");
        }
    }
    println!("not registered yet (not checked): {}", unregistered.join(", "));
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for id in REQUIRED {
        let c = &per_codec[*id];
        assert!(c.decoded > 0 && c.configs > 0, "{id}: no fixtures checked");
        assert_eq!(c.decoded, c.dat_files, "{id}: some .dat files were not checked");
    }
    for (id, _) in REENCODE {
        let c = &per_codec[*id];
        assert_eq!(c.reencoded, c.decoded, "{id}: not every fixture was re-encoded");
    }
    // The standard corpus: 13 arrays per codec config.
    for (id, configs) in [
        ("zlib", 6),
        ("gzip", 6),
        ("bz2", 4),
        ("lzma", 5),
        ("zstd", 10),
        ("lz4", 7),
    ] {
        assert_eq!(per_codec[id].configs, configs, "{id}");
        assert_eq!(per_codec[id].decoded, configs * 13, "{id}");
    }
}
