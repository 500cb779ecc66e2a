//! numcodecs' golden corpus for the text, object and array→bytes codecs: base64, json2 (+ legacy `json`),
//! msgpack2, vlen-utf8, vlen-bytes, vlen-array, pcodec, zfpy.
//!
//! For every `codec.MM` dir: the config builds and round-trips (Python equality, after adding the keys
//! newer numcodecs emits); for every `encoded.NN.dat`:
//! * typed arrays (`.npy` readable here): decoding gives exactly the array's bytes (and, for the codecs that
//!   store them, its dtype and shape); for the byte-identical set (spec §7.4) re-encoding the array gives
//!   the stored bytes;
//! * object arrays (pickled inside the `.npy`, unreadable here): decoding gives objects whose count and
//!   shape match the `.npy` header, whose strings/bytes all occur in the pickle, and whose re-encoding
//!   reproduces the stored bytes byte for byte (which pins the decode: a wrong item would re-encode
//!   differently).
//!
//! Counts per codec are asserted, so the test cannot pass by finding nothing.

// Test code: a failed unwrap is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use brickwork_codecs::registry;
use brickwork_core::config::{configs_equal, from_json};
use brickwork_core::{npy, ArrayView, Decoded, Limits, ObjectArray, ObjectItems, Order, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/numcodecs");

/// (fixture dir, re-encoding reproduces the stored bytes for every codec dir but these).
const DIRS: &[(&str, bool)] = &[
    ("base64", true),
    ("json2", true),
    ("msgpack2", true),
    ("vlen-utf8", true),
    ("vlen-bytes", true),
    ("vlen-array", true),
    ("pcodec", false),
    ("zfpy", false),
];

/// Keys newer numcodecs versions emit that old fixture configs lack: (id, key, default).
const ADDED_KEYS: &[(&str, &str, &str)] = &[
    ("pcodec", "delta_spec", r#""auto""#),
    ("pcodec", "paging_spec", r#""equal_pages_up_to""#),
];

#[derive(Default, Debug)]
struct Counts {
    configs: usize,
    typed: usize,
    objects: usize,
    reencoded: usize,
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Shape and order from an `.npy` header without parsing its dtype (object arrays are pickles).
fn npy_shape(bytes: &[u8]) -> (Vec<usize>, Order) {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned();
    let start = text.find("'shape': (").unwrap() + "'shape': (".len();
    let end = start + text[start..].find(')').unwrap();
    let shape = text[start..end]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let order = if text.contains("'fortran_order': True") {
        Order::F
    } else {
        Order::C
    };
    (shape, order)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// The strings and byte strings of decoded objects (each distinct one once).
fn texts(o: &ObjectArray) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = match o.items() {
        ObjectItems::Str(v) => v.iter().flatten().map(|s| s.as_bytes().to_vec()).collect(),
        ObjectItems::Bytes(v) => v.iter().flatten().cloned().collect(),
        ObjectItems::Values(v) => v
            .iter()
            .filter_map(|x| match x {
                Value::Str(s) => Some(s.as_bytes().to_vec()),
                Value::Bytes(b) => Some(b.clone()),
                _ => None,
            })
            .collect(),
        ObjectItems::Arrays { .. } => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

fn check_codec_dir(
    id: &str,
    codec_dir: &Path,
    arrays: &BTreeMap<String, Vec<u8>>,
    reencode: bool,
    counts: &mut Counts,
    failures: &mut Vec<String>,
) {
    let reg = registry();
    let where_ = codec_dir
        .strip_prefix(FIXTURES)
        .unwrap_or(codec_dir)
        .display()
        .to_string();
    let text = fs::read_to_string(codec_dir.join("config.json")).unwrap();
    let config = from_json(&text).unwrap();
    let codec = match reg.get_codec(&config) {
        Ok(c) => c,
        Err(e) => {
            failures.push(format!("{where_}: config does not build: {e}"));
            return;
        }
    };
    let mut expected = config.clone();
    for (i, key, value) in ADDED_KEYS {
        if *i == id && !expected.contains_key(*key) {
            expected.insert((*key).to_owned(), serde_json::from_str(value).unwrap());
        }
    }
    let emitted = codec.config();
    if !configs_equal(&emitted, &expected) {
        failures.push(format!("{where_}: config {text} round-trips to {emitted:?}"));
    }
    match reg.get_codec(&emitted) {
        Ok(again) if configs_equal(&again.config(), &emitted) => {}
        _ => failures.push(format!("{where_}: config() does not rebuild the same codec")),
    }
    counts.configs += 1;

    for dat in sorted(codec_dir)
        .into_iter()
        .filter(|p| name(p).starts_with("encoded."))
    {
        let dname = name(&dat);
        let idx = &dname["encoded.".len()..dname.len() - ".dat".len()];
        let file = format!("{where_}/{dname}");
        let npy_bytes = &arrays[idx];
        let enc = fs::read(&dat).unwrap();
        match npy::parse(npy_bytes) {
            Ok((header, data)) => {
                counts.typed += 1;
                let dec = match codec.decode(&enc, &Limits::default()) {
                    Ok(d) => d,
                    Err(e) => {
                        failures.push(format!("{file}: decode failed: {e}"));
                        continue;
                    }
                };
                if dec.data() != data {
                    failures.push(format!("{file}: decoded bytes differ from the array"));
                }
                // json2/msgpack2 store dtype and shape; zfpy/pcodec the dtype (zfpy's fixtures are 1-D).
                if matches!(id, "json2" | "msgpack2")
                    && (dec.dtype(), dec.shape()) != (header.dtype, &header.shape[..])
                {
                    failures.push(format!("{file}: decoded {} {:?}", dec.dtype(), dec.shape()));
                }
                if matches!(id, "zfpy" | "pcodec") && dec.dtype() != header.dtype {
                    failures.push(format!(
                        "{file}: decoded dtype {} != {}",
                        dec.dtype(),
                        header.dtype
                    ));
                }
                let mut out = vec![0u8; data.len()];
                match codec.decode_into(&enc, &mut out) {
                    Ok(n) if n == data.len() && out == data => {}
                    other => failures.push(format!("{file}: decode_into gave {other:?}")),
                }
                if id == "zfpy" {
                    // numcodecs < 0.x flattened zfpy input (memory order): re-encoding the flat array with
                    // zfp-rs must reproduce libzfp's stream.
                    let n = data.len() / header.dtype.itemsize();
                    let flat = ArrayView::new(data, header.dtype, vec![n], Order::C).unwrap();
                    match codec.encode(&flat) {
                        Ok(ours) if ours == enc => counts.reencoded += 1,
                        Ok(_) => failures.push(format!("{file}: flat re-encoding differs")),
                        Err(e) => failures.push(format!("{file}: encode failed: {e}")),
                    }
                }
                if reencode {
                    let view =
                        ArrayView::new(data, header.dtype, header.shape.clone(), header.order).unwrap();
                    match codec.encode(&view) {
                        Ok(ours) if ours == enc => counts.reencoded += 1,
                        Ok(ours) => failures.push(format!(
                            "{file}: re-encoding gives {} bytes that differ from the fixture's {}",
                            ours.len(),
                            enc.len()
                        )),
                        Err(e) => failures.push(format!("{file}: encode failed: {e}")),
                    }
                }
            }
            Err(_) => {
                counts.objects += 1;
                let (shape, _order) = npy_shape(npy_bytes);
                let n: usize = shape.iter().product();
                let Some(oc) = codec.as_object_codec() else {
                    failures.push(format!("{file}: object array but {id} is not an object codec"));
                    continue;
                };
                let objs = match oc.decode_any(&enc, &Limits::default()) {
                    Ok(Decoded::Objects(o)) => o,
                    Ok(Decoded::Array(a)) => {
                        failures.push(format!("{file}: expected objects, decoded a {} array", a.dtype()));
                        continue;
                    }
                    Err(e) => {
                        failures.push(format!("{file}: decode failed: {e}"));
                        continue;
                    }
                };
                if objs.len() != n {
                    failures.push(format!("{file}: {} items, the array has {n}", objs.len()));
                }
                if matches!(id, "json2" | "msgpack2") && objs.shape() != &shape[..] {
                    failures.push(format!("{file}: shape {:?} != {shape:?}", objs.shape()));
                }
                for t in texts(&objs) {
                    // Protocol-2 pickles store bytes as `_codecs.encode(<latin-1 str>, 'latin1')`, the str
                    // in UTF-8.
                    let latin1_utf8: Vec<u8> =
                        t.iter().map(|b| char::from(*b)).collect::<String>().into_bytes();
                    if !contains(npy_bytes, &t) && !contains(npy_bytes, &latin1_utf8) {
                        failures.push(format!(
                            "{file}: decoded item {:?} is not in the pickle",
                            String::from_utf8_lossy(&t)
                        ));
                        break;
                    }
                }
                if reencode {
                    match oc.encode_objects(&objs) {
                        Ok(ours) if ours == enc => counts.reencoded += 1,
                        Ok(ours) => failures.push(format!(
                            "{file}: re-encoding the decoded objects gives {} bytes, the fixture has {}",
                            ours.len(),
                            enc.len()
                        )),
                        Err(e) => failures.push(format!("{file}: encode_objects failed: {e}")),
                    }
                }
            }
        }
    }
}

#[test]
fn text_object_and_array_fixtures() {
    let root = Path::new(FIXTURES);
    assert!(root.is_dir(), "fixtures not found at {}", root.display());
    let mut failures = Vec::new();
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    for (dir_id, reencode) in DIRS {
        let dir = root.join(dir_id);
        let arrays: BTreeMap<String, Vec<u8>> = sorted(&dir)
            .into_iter()
            .filter_map(|p| {
                let n = name(&p);
                let idx = n.strip_prefix("array.")?.strip_suffix(".npy")?.to_owned();
                Some((idx, fs::read(&p).unwrap()))
            })
            .collect();
        for codec_dir in sorted(&dir).into_iter().filter(|p| p.is_dir()) {
            let cfg = from_json(&fs::read_to_string(codec_dir.join("config.json")).unwrap()).unwrap();
            // json2/codec.02|03 hold the legacy "json" id.
            let id = brickwork_core::config::config_id(&cfg).unwrap().to_owned();
            let counts = per.entry(id.clone()).or_default();
            check_codec_dir(&id, &codec_dir, &arrays, *reencode, counts, &mut failures);
        }
    }
    for (id, c) in &per {
        println!(
            "{id:<10} configs {:>2}  typed {:>3}  objects {:>3}  re-encoded {:>3}",
            c.configs, c.typed, c.objects, c.reencoded
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // (id, configs, typed .dat, object .dat, re-encoded)
    let want: &[(&str, usize, usize, usize, usize)] = &[
        ("base64", 1, 13, 0, 13),
        ("json2", 2, 6, 12, 18),
        ("json", 2, 6, 10, 16),
        ("msgpack2", 1, 3, 8, 11),
        ("vlen-utf8", 1, 0, 4, 4),
        ("vlen-bytes", 1, 0, 4, 4),
        ("vlen-array", 8, 0, 16, 16),
        ("pcodec", 11, 110, 0, 0),
        ("zfpy", 4, 32, 0, 32),
    ];
    for (id, configs, typed, objects, reencoded) in want {
        let c = &per[*id];
        assert_eq!(
            (c.configs, c.typed, c.objects, c.reencoded),
            (*configs, *typed, *objects, *reencoded),
            "{id}"
        );
    }
}
