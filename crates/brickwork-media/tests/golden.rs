//! Golden files written by the real imageio 2.38.1 / Pillow 13.0.0 / tifffile (see `make_golden.py`):
//! brickwork must decode each one, with no Python present, to the shape, dtype and pixel hash recorded
//! in `data/manifest.json` (or, for lossy files, within a PSNR bound of imageio's own decode).

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use brickwork_core::ArrayBuf;
use brickwork_media::{read, MediaLimits};
use sha2::{Digest, Sha256};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a
        .iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
}

fn decode(entry: &serde_json::Value) -> (String, Result<ArrayBuf, brickwork_media::MediaError>) {
    let file = entry["file"].as_str().unwrap().to_owned();
    let bytes = std::fs::read(data_dir().join(&file)).unwrap();
    let ext = entry.get("extension").and_then(|v| v.as_str());
    let plugin = entry.get("plugin").and_then(|v| v.as_str());
    (file, read(&bytes, ext, plugin, &MediaLimits::default()))
}

#[test]
fn every_golden_file_decodes_as_recorded() {
    let text = std::fs::read_to_string(data_dir().join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert!(files.len() >= 40, "manifest lists only {} files", files.len());
    let mut failures = Vec::new();
    for entry in files {
        let (file, got) = decode(entry);
        let want = &entry["rust"];
        let got = match got {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        let shape: Vec<usize> = want["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        if got.shape() != shape.as_slice() {
            failures.push(format!("{file}: shape {:?}, want {shape:?}", got.shape()));
            continue;
        }
        let dtype = got.dtype().to_string();
        if dtype != want["dtype"].as_str().unwrap() {
            failures.push(format!("{file}: dtype {dtype}, want {}", want["dtype"]));
            continue;
        }
        if let Some(sha) = want.get("sha256").and_then(|v| v.as_str()) {
            let h = hex(&Sha256::digest(got.data()));
            if h != sha {
                failures.push(format!("{file}: pixel hash differs"));
            }
        } else {
            let reference = std::fs::read(data_dir().join(want["reference"].as_str().unwrap())).unwrap();
            let (header, body) = brickwork_core::npy::parse(&reference).unwrap();
            assert_eq!(header.shape, shape, "{file}: reference shape");
            let p = psnr(got.data(), body);
            let min = want["psnr_min"].as_f64().unwrap();
            if p < min {
                failures.push(format!(
                    "{file}: PSNR {p:.1} dB against imageio's decode, want >= {min}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn goldens_also_decode_by_sniffing_when_they_have_magic() {
    let text = std::fs::read_to_string(data_dir().join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    for entry in manifest["files"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        if file.ends_with(".tga")
            || file.ends_with(".npz")
            || file.ends_with(".npy")
            || entry.get("plugin").is_some()
        {
            continue;
        }
        let bytes = std::fs::read(data_dir().join(file)).unwrap();
        let sniffed = read(&bytes, None, None, &MediaLimits::default());
        let (_, by_ext) = decode(entry);
        assert_eq!(
            sniffed.ok(),
            by_ext.ok(),
            "{file}: sniffing and the extension disagree"
        );
    }
}
