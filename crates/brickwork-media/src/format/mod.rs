//! File formats, one per file. Each format module exposes
//! `pub fn encode(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>>` and
//! `pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf>`.
//!
//! [`Format`] is the dispatch: [`Format::encode`], [`Format::decode`] and [`Format::sniff`] (magic bytes).
//! Which format an extension or an imageio plugin name means is data, in [`crate::plugin`].
//!
//! Adding a format: its file here, a `pub mod` line, a [`Format`] variant, one arm in each of `name`,
//! `encode` and `decode`, its magic in `sniff` if it has one, and its rows in `crate::plugin`.

use brickwork_core::{ArrayBuf, ArrayView};

use crate::{MediaData, MediaLimits, Result};

pub mod bmp;
pub mod dicom;
pub mod fits;
pub mod gif;
pub mod ico;
pub mod imagecrate;
pub mod jpeg;
pub mod jpeg2000;
pub mod npy;
pub mod png;
pub mod pnm;
pub mod qoi;
mod samples;
pub mod tga;
pub mod tiff;
pub mod video;
pub mod webp;

/// What an encoder is asked for beyond the pixels.
#[derive(Debug, Clone, Default)]
pub struct EncodeOptions {
    /// The lower-case extension with its dot (`".mp4"`), which picks the container or variant.
    pub extension: String,
    /// The imageio plugin name brickwork acts as (`"pillow"`, `"tifffile"`, `"PNG-PIL"`...), when known.
    pub plugin: Option<String>,
    /// Lossy quality 1..=100 where the format has one (JPEG default 75 as Pillow, WebP default 80).
    pub quality: Option<u8>,
    /// Lossless mode where the format has both (WebP).
    pub lossless: bool,
    /// Frames per second for video and animations (default 10 as imageio-ffmpeg's writer... see video.rs).
    pub fps: Option<f64>,
}

/// What a decoder is given beyond the bytes.
#[derive(Debug, Clone, Default)]
pub struct DecodeOptions {
    /// The lower-case extension with its dot, when known.
    pub extension: String,
    /// The imageio plugin name brickwork acts as, when known: it selects imageio's read semantics
    /// (`"GIF-PIL"` returns RGBA, `"TIFF"` and `"pillow"` read the first TIFF page only).
    pub plugin: Option<String>,
    /// Size limits checked before allocating.
    pub limits: MediaLimits,
}

/// The file formats brickwork reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// PNG, and APNG for frame lists (`png.rs`).
    Png,
    /// JPEG (`jpeg.rs`).
    Jpeg,
    /// GIF, still and animated (`gif.rs`).
    Gif,
    /// TIFF, multi-page, every integer and float dtype (`tiff.rs`).
    Tiff,
    /// Video: MP4, MOV, MKV, AVI, WebM through ffmpeg; the container comes from the extension (`video.rs`).
    Video,
    /// DICOM Secondary Capture (`dicom.rs`).
    Dicom,
    /// FITS primary image HDU (`fits.rs`).
    Fits,
    /// WebP, lossy/lossless, still and animated (`webp.rs`).
    WebP,
    /// NumPy `.npy` (`npy.rs`).
    Npy,
    /// NumPy `.npz`, imageio's `NPZ` plugin (`npy.rs`).
    Npz,
    /// ICO (`ico.rs`).
    Ico,
    /// TGA (`tga.rs`); no magic bytes, read by extension only.
    Tga,
    /// QOI (`qoi.rs`).
    Qoi,
    /// Netpbm P4/P5/P6 (`pnm.rs`).
    Pnm,
    /// BMP (`bmp.rs`).
    Bmp,
    /// JPEG 2000: JP2 files and bare codestreams (`jpeg2000.rs`).
    Jpeg2000,
    // M2: video, DICOM and FITS variants go here.
}

impl Format {
    /// Every format, in sniffing order.
    pub const ALL: &'static [Format] = &[
        Format::Png,
        Format::WebP,
        Format::Npy,
        Format::Npz,
        Format::Ico,
        Format::Tga,
        Format::Qoi,
        Format::Pnm,
        Format::Bmp,
        Format::Tiff,
        Format::Gif,
        Format::Jpeg,
        Format::Jpeg2000,
        Format::Video,
        Format::Dicom,
        Format::Fits,
    ];

    /// A short lower-case name (`"png"`), used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Npy => "npy",
            Format::Npz => "npz",
            Format::Ico => "ico",
            Format::Tga => "tga",
            Format::Qoi => "qoi",
            Format::Pnm => "pnm",
            Format::Bmp => "bmp",
            Format::WebP => "webp",
            Format::Tiff => "tiff",
            Format::Gif => "gif",
            Format::Jpeg => "jpeg",
            Format::Jpeg2000 => "jpeg2000",
            Format::Video => "video",
            Format::Dicom => "dicom",
            Format::Fits => "fits",
        }
    }

    /// Writes `data` in this format.
    pub fn encode(self, data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>> {
        match self {
            Format::Png => png::encode(data, opts),
            Format::Npy => npy::encode(data, opts),
            Format::Npz => npy::encode_npz(data, opts),
            Format::Ico => ico::encode(data, opts),
            Format::Tga => tga::encode(data, opts),
            Format::Qoi => qoi::encode(data, opts),
            Format::Pnm => pnm::encode(data, opts),
            Format::Bmp => bmp::encode(data, opts),
            Format::WebP => webp::encode(data, opts),
            Format::Tiff => tiff::encode(data, opts),
            Format::Gif => gif::encode(data, opts),
            Format::Jpeg => jpeg::encode(data, opts),
            Format::Jpeg2000 => jpeg2000::encode(data, opts),
            Format::Video => video::encode(data, opts),
            Format::Dicom => dicom::encode(data, opts),
            Format::Fits => fits::encode(data, opts),
        }
    }

    /// Writes one borrowed array in this format. TIFF and 8-bit JPEG read the pixels in place; the other
    /// formats (and other JPEG inputs) are given an owned copy first (their encoders cost far more).
    pub fn encode_view(self, view: &ArrayView<'_>, opts: &EncodeOptions) -> Result<Vec<u8>> {
        let in_place = match self {
            Format::Tiff => Some(tiff::encode_view(view, opts)?),
            Format::Jpeg => jpeg::encode_view(view, opts)?,
            _ => None,
        };
        match in_place {
            Some(bytes) => Ok(bytes),
            None => {
                let owned = ArrayBuf::new(
                    view.data().to_vec(),
                    view.dtype(),
                    view.shape().to_vec(),
                    view.order(),
                )?;
                self.encode(&MediaData::Array(owned), opts)
            }
        }
    }

    /// Reads `bytes` as this format.
    pub fn decode(self, bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
        match self {
            Format::Png => png::decode(bytes, opts),
            Format::Npy => npy::decode(bytes, opts),
            Format::Npz => npy::decode_npz(bytes, opts),
            Format::Ico => ico::decode(bytes, opts),
            Format::Tga => tga::decode(bytes, opts),
            Format::Qoi => qoi::decode(bytes, opts),
            Format::Pnm => pnm::decode(bytes, opts),
            Format::Bmp => bmp::decode(bytes, opts),
            Format::WebP => webp::decode(bytes, opts),
            Format::Tiff => tiff::decode(bytes, opts),
            Format::Gif => gif::decode(bytes, opts),
            Format::Jpeg => jpeg::decode(bytes, opts),
            Format::Jpeg2000 => jpeg2000::decode(bytes, opts),
            Format::Video => video::decode(bytes, opts),
            Format::Dicom => dicom::decode(bytes, opts),
            Format::Fits => fits::decode(bytes, opts),
        }
    }

    /// The format whose magic bytes start `bytes`, if any.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(Format::Png);
        }
        if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            return Some(Format::Jpeg);
        }
        if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            return Some(Format::Gif);
        }
        if bytes.starts_with(b"II*\0")
            || bytes.starts_with(b"MM\0*")
            || bytes.starts_with(b"II+\0")
            || bytes.starts_with(b"MM\0+")
        {
            return Some(Format::Tiff);
        }
        if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            return Some(Format::WebP);
        }
        if jpeg2000::sniff(bytes) {
            return Some(Format::Jpeg2000);
        }
        if bytes.starts_with(b"BM") {
            return Some(Format::Bmp);
        }
        if bytes.len() >= 3
            && bytes[0] == b'P'
            && (bytes[1].is_ascii_digit() || bytes[1] == b'f' || bytes[1] == b'F')
            && bytes[2].is_ascii_whitespace()
        {
            return Some(Format::Pnm);
        }
        if bytes.starts_with(b"qoif") {
            return Some(Format::Qoi);
        }
        if bytes.starts_with(&[0, 0, 1, 0]) {
            return Some(Format::Ico);
        }
        if bytes.starts_with(b"\x93NUMPY") {
            return Some(Format::Npy);
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return Some(Format::Npz);
        }
        if video::Container::sniff(bytes).is_some() {
            return Some(Format::Video);
        }
        if bytes.get(128..132) == Some(b"DICM") {
            return Some(Format::Dicom);
        }
        if bytes.starts_with(b"SIMPLE  =") {
            return Some(Format::Fits);
        }
        None
    }
}

/// Runs a call into a decoding library, turning a panic inside it (a bug there that a crafted file can
/// reach) into `format`'s decode error, `context: <panic message>`, instead of unwinding into the caller.
pub(crate) fn guarded<T>(format: &'static str, context: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(crate::MediaError::decode(format, format!("{context}: {detail}")))
    })
}

/// Test data shared by the format modules' unit tests.
#[cfg(test)]
pub(crate) mod test_data {
    /// A file of `tests/data` (golden files written by imageio, Pillow and friends).
    #[allow(clippy::unwrap_used)]
    pub(crate) fn golden(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(name),
        )
        .unwrap()
    }
}
