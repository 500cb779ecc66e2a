//! DICOM, FITS and video files written by the real Python writers (pydicom 3.0.2 and imageio 2.38.1's
//! `pydicom` plugin, astropy 8.0.2, imageio-ffmpeg 0.8.1), decoded by brickwork and compared with what the
//! real readers return (`tests/data_sci/*.ref.npy`). Regenerate with `tests/make_golden_sci.py`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use brickwork_core::npy;
use brickwork_core::{DType, Kind};
use brickwork_media::{read, MediaLimits};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data_sci")
}

fn have_ffmpeg() -> bool {
    let program = std::env::var_os("BRICKWORK_FFMPEG").unwrap_or_else(|| "ffmpeg".into());
    std::process::Command::new(program)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Samples as f64 (for the lossy comparisons).
fn values(data: &[u8], dtype: DType) -> Vec<f64> {
    let size = dtype.itemsize();
    data.chunks_exact(size)
        .map(|c| match (dtype.kind(), size) {
            (Kind::UInt, 1) => f64::from(c[0]),
            (Kind::Int, 1) => f64::from(c[0] as i8),
            (Kind::UInt, 2) => f64::from(u16::from_le_bytes([c[0], c[1]])),
            (Kind::Int, 2) => f64::from(i16::from_le_bytes([c[0], c[1]])),
            (Kind::Float, 4) => f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            (Kind::Float, 8) => f64::from_le_bytes(c.try_into().unwrap()),
            other => panic!("unexpected dtype {other:?}"),
        })
        .collect()
}

#[test]
fn golden_sci_files_decode_like_the_python_readers() {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir().join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert!(files.len() >= 19, "the manifest lists {} files", files.len());
    let video = have_ffmpeg();
    let mut checked = 0;
    for e in files {
        let name = e["file"].as_str().unwrap();
        let ext = e["extension"].as_str();
        let plugin = e["plugin"].as_str();
        if !video && ext.is_some_and(|x| [".mp4", ".mkv", ".avi", ".mov"].contains(&x)) {
            eprintln!("skipped {name}: no ffmpeg");
            continue;
        }
        let bytes = std::fs::read(dir().join(name)).unwrap();
        let got =
            read(&bytes, ext, plugin, &MediaLimits::default()).unwrap_or_else(|err| panic!("{name}: {err}"));
        let ref_bytes = std::fs::read(dir().join(e["ref"].as_str().unwrap())).unwrap();
        let (h, body) = npy::parse(&ref_bytes).unwrap();
        assert_eq!(got.shape(), h.shape.as_slice(), "{name}: shape");
        assert_eq!(got.dtype(), h.dtype.to_little_endian(), "{name}: dtype");
        let tol = e["max_mean_abs"].as_f64().unwrap();
        if tol == 0.0 {
            assert!(
                got.data() == body,
                "{name}: pixels differ from the Python reader's"
            );
        } else {
            let (a, b) = (values(got.data(), got.dtype()), values(body, h.dtype));
            let mean = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64;
            assert!(mean <= tol, "{name}: mean abs difference {mean} > {tol}");
        }
        checked += 1;
    }
    assert!(checked >= 16, "only {checked} files checked");
}

#[test]
fn golden_sci_mutated_files_never_panic() {
    // Deterministic byte mutations of every DICOM and FITS golden: decoding returns a value or an error.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let limits = MediaLimits {
        max_pixels: 1 << 22,
        max_bytes: 64 << 20,
    };
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".dcm") || name.ends_with(".fits")) {
            continue;
        }
        let good = std::fs::read(&path).unwrap();
        for round in 0..300 {
            let mut m = good.clone();
            match round % 3 {
                0 => {
                    for _ in 0..1 + next() % 8 {
                        let i = (next() as usize) % m.len();
                        m[i] = next() as u8;
                    }
                }
                1 => {
                    // Overwrite 4 bytes with a large or small length-like value.
                    let i = (next() as usize) % m.len().saturating_sub(4).max(1);
                    let v =
                        [0xFFFF_FFFFu32, 0xFFFF_FFF0, 0x7FFF_FFFF, 0, 1, 0x0001_0000][(next() % 6) as usize];
                    let end = (i + 4).min(m.len());
                    m[i..end].copy_from_slice(&v.to_le_bytes()[..end - i]);
                }
                _ => m.truncate((next() as usize) % good.len()),
            }
            for (ext, plugin) in [(None, None), (None, Some("pydicom")), (Some(".fits"), None)] {
                let t = std::time::Instant::now();
                let _ = read(&m, ext, plugin, &limits);
                if t.elapsed().as_millis() > 500 {
                    eprintln!("slow: {name} round {round} {ext:?} {plugin:?}: {:?}", t.elapsed());
                }
            }
        }
    }
}
