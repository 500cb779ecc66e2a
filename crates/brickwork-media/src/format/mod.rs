//! File formats, one per file. Each format module exposes
//! `pub fn encode(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>>` and
//! `pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf>`.

use crate::MediaLimits;

/// What an encoder is asked for beyond the pixels.
#[derive(Debug, Clone, Default)]
pub struct EncodeOptions {
    /// The lower-case extension with its dot (`".mp4"`), which picks the container or variant.
    pub extension: String,
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
    /// Size limits checked before allocating.
    pub limits: MediaLimits,
}
