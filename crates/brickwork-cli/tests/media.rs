//! `brickwork media convert` / `brickwork media info`, run as the real binary.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use brickwork::core::npy;
use brickwork::{DType, Order};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brickwork"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs with `TMPDIR` pointing at `tmp` (to see which temporary files are left behind).
fn run_tmp(tmp: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brickwork"))
        .args(args)
        .env("TMPDIR", tmp)
        .output()
        .unwrap()
}

/// A scratch directory, removed when the test ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmpdir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("brickwork-cli-media-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d)
}

fn p(d: &Path, f: &str) -> String {
    d.join(f).to_string_lossy().into_owned()
}

fn have_ffmpeg() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn write_npy(path: &str, dtype: &str, shape: &[usize], data: &[u8]) {
    let bytes = npy::to_bytes(DType::parse(dtype).unwrap(), shape, Order::C, data);
    std::fs::write(path, bytes).unwrap();
}

fn read_npy(path: &str) -> (String, Vec<usize>, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let (h, body) = npy::parse(&bytes).unwrap();
    (h.dtype.to_string(), h.shape, body.to_vec())
}

#[test]
fn media_convert_npy_dicom_fits_round_trips_exactly() {
    let d = tmpdir("exact");
    let data: Vec<u8> = (0..3 * 20 * 30u32)
        .flat_map(|i| ((i * 13) as u16).to_le_bytes())
        .collect();
    write_npy(&p(&d.0, "in.npy"), "<u2", &[3, 20, 30], &data);
    for ext in ["dcm", "fits"] {
        let mid = p(&d.0, &format!("mid.{ext}"));
        let o = run(&["media", "convert", &p(&d.0, "in.npy"), &mid]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = p(&d.0, &format!("out-{ext}.npy"));
        let o = run(&["media", "convert", &mid, &out]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(
            read_npy(&out),
            ("<u2".to_owned(), vec![3, 20, 30], data.clone()),
            "{ext}"
        );
    }
    // info prints one JSON line.
    let o = run(&["media", "info", &p(&d.0, "mid.dcm")]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "dicom");
    assert_eq!(v["shape"], serde_json::json!([3, 20, 30]));
    assert_eq!(v["dtype"], "<u2");
}

#[test]
fn media_convert_video_both_ways() {
    if !have_ffmpeg() {
        eprintln!("skipped: no ffmpeg");
        return;
    }
    let d = tmpdir("video");
    let mut frames = Vec::new();
    for k in 0..5usize {
        for y in 0..32usize {
            for x in 0..48usize {
                frames.extend([(x * 5 + k) as u8, (y * 7) as u8, 128]);
            }
        }
    }
    write_npy(&p(&d.0, "f.npy"), "|u1", &[5, 32, 48, 3], &frames);
    let o = run(&[
        "media",
        "convert",
        &p(&d.0, "f.npy"),
        &p(&d.0, "v.webm"),
        "--fps",
        "25",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["media", "convert", &p(&d.0, "v.webm"), &p(&d.0, "v.mp4")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["media", "convert", &p(&d.0, "v.mp4"), &p(&d.0, "back.npy")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (dtype, shape, back) = read_npy(&p(&d.0, "back.npy"));
    assert_eq!((dtype.as_str(), shape), ("|u1", vec![5, 32, 48, 3]));
    let err: f64 = back
        .iter()
        .zip(&frames)
        .map(|(&a, &b)| f64::from(a.abs_diff(b)))
        .sum::<f64>()
        / frames.len() as f64;
    assert!(err < 8.0, "mean abs error {err}");
    let o = run(&["media", "info", &p(&d.0, "v.mp4")]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "video");

    // Temporary files are removed after success and after failure (ffmpeg refusing the input).
    let tmp = d.0.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let o = run_tmp(
        &tmp,
        &["media", "convert", &p(&d.0, "v.mp4"), &p(&d.0, "again.mkv")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut broken = std::fs::read(p(&d.0, "v.mp4")).unwrap();
    broken.truncate(broken.len() / 2);
    std::fs::write(p(&d.0, "broken.mp4"), &broken).unwrap();
    let o = run_tmp(
        &tmp,
        &["media", "convert", &p(&d.0, "broken.mp4"), &p(&d.0, "x.npy")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
fn media_convert_errors_leave_nothing_behind() {
    let d = tmpdir("errors");
    write_npy(&p(&d.0, "in.npy"), "|u1", &[4, 4], &[0; 16]);
    // Unknown output format: a usage error.
    let o = run(&["media", "convert", &p(&d.0, "in.npy"), &p(&d.0, "out.xyz")]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["media", "convert", &p(&d.0, "in.npy"), &p(&d.0, "noext")]);
    assert_eq!(o.status.code(), Some(2));
    // Corrupt input: a data error.
    std::fs::write(p(&d.0, "bad.dcm"), b"not a dicom file at all").unwrap();
    let o = run(&["media", "convert", &p(&d.0, "bad.dcm"), &p(&d.0, "out.npy")]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("brickwork: error:") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    // A too-small --max-bytes: a data error.
    let o = run(&["media", "convert", &p(&d.0, "in.npy"), &p(&d.0, "x.fits")]);
    assert!(o.status.success());
    let o = run(&["media", "info", &p(&d.0, "x.fits"), "--max-bytes", "8"]);
    assert_eq!(o.status.code(), Some(1));
    let mut left: Vec<String> = std::fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, vec!["bad.dcm", "in.npy", "x.fits"]);
}
