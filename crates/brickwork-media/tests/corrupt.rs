//! Untrusted bytes: every truncation and many byte flips of every golden file decode to a value or an
//! error, never a panic, and tight limits turn into `LimitExceeded` rather than allocations.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use brickwork_media::{read, MediaError, MediaLimits};

/// (file name, extension, plugin, bytes) of every golden file.
type Golden = (String, Option<String>, Option<String>, Vec<u8>);

fn goldens() -> Vec<Golden> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = e["file"].as_str().unwrap().to_owned();
            let bytes = std::fs::read(dir.join(&file)).unwrap();
            let ext = e.get("extension").and_then(|v| v.as_str()).map(str::to_owned);
            let plugin = e.get("plugin").and_then(|v| v.as_str()).map(str::to_owned);
            (file, ext, plugin, bytes)
        })
        .collect()
}

#[test]
fn truncations_and_flips_never_panic() {
    // Small limits, as a service decoding untrusted uploads would set: a flipped header may otherwise
    // legitimately ask for gigabytes under the defaults.
    let limits = MediaLimits {
        max_pixels: 1 << 22,
        max_bytes: 64 << 20,
    };
    for (_file, ext, plugin, bytes) in goldens() {
        let (ext, plugin) = (ext.as_deref(), plugin.as_deref());
        let step = (bytes.len() / 40).max(1);
        for n in (0..bytes.len()).step_by(step) {
            let _ = read(&bytes[..n], ext, plugin, &limits);
            let _ = read(&bytes[..n], None, None, &limits);
        }
        let mut state = 0x2545_F491u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        for round in 0..60 {
            let mut b = bytes.clone();
            // One flipped byte, or (every third round) a run of up to 8 random bytes, often in the header.
            let flips = if round % 3 == 0 {
                1 + next() as usize % 8
            } else {
                1
            };
            let window = if round % 2 == 0 { b.len().min(64) } else { b.len() };
            let at = next() as usize % window;
            for k in 0..flips {
                let i = (at + k) % b.len();
                b[i] ^= (next() >> 24) as u8 | 1;
            }
            let _ = read(&b, ext, plugin, &limits);
        }
    }
}

#[test]
fn tight_limits_are_limit_errors() {
    let tiny = MediaLimits {
        max_pixels: 100,
        max_bytes: 1 << 20,
    };
    for (file, ext, plugin, bytes) in goldens() {
        match read(&bytes, ext.as_deref(), plugin.as_deref(), &tiny) {
            Err(MediaError::LimitExceeded { .. }) => {}
            // .npy/.npz carry no pixel count; their byte limit is tested below.
            Ok(_) if file.ends_with(".npy") || file.ends_with(".npz") => {}
            other => panic!("{file}: expected LimitExceeded, got {other:?}"),
        }
    }
    let few_bytes = MediaLimits {
        max_pixels: 1 << 30,
        max_bytes: 64,
    };
    for (file, ext, plugin, bytes) in goldens() {
        let r = read(&bytes, ext.as_deref(), plugin.as_deref(), &few_bytes);
        assert!(
            matches!(r, Err(MediaError::LimitExceeded { .. })),
            "{file}: {r:?}"
        );
    }
}
