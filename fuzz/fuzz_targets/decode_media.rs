//! Fuzzes brickwork-media's readers: the first byte picks an extension (or sniffing, or a plugin), the
//! rest is the file. Decoding must return a value or an error, never panic, hang or over-allocate.
#![no_main]

use brickwork_media::{read, MediaLimits};

const EXTS: &[&str] = &[
    ".png", ".apng", ".jpg", ".gif", ".tif", ".bmp", ".webp", ".ppm", ".pgm", ".pbm", ".qoi", ".tga", ".ico",
    ".npy", ".npz", ".jp2", ".j2k",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let limits = MediaLimits {
        max_pixels: 1 << 22,
        max_bytes: 64 << 20,
    };
    let i = usize::from(pick);
    match i.checked_sub(EXTS.len()) {
        None => drop(read(file, Some(EXTS[i]), None, &limits)),
        Some(0) => drop(read(file, None, Some("GIF-PIL"), &limits)),
        Some(1) => drop(read(file, None, Some("TIFF-PIL"), &limits)),
        Some(_) => drop(read(file, None, None, &limits)),
    }
});
