//! JPEG (`.jpg`, `.jpeg`, `.jpe`, `.jfif`): `jpeg-encoder` writes, `image` (zune-jpeg) reads.
//!
//! Writing, as imageio's pillow plugin: `uint8` gray `(H, W)` or RGB `(H, W, 3)`, quality 75 by default
//! (Pillow's default; [`EncodeOptions::quality`] overrides it). Like Pillow, RGBA, gray + alpha, 16-bit and
//! float images are refused, and so is more than one frame (Pillow fails with `KeyError: 'JPEG'`).
//! Like libjpeg under Pillow, the encoder scales the Annex K tables by quality and subsamples chroma 4:2:0
//! (below quality 90), so sizes match Pillow's closely; bytes differ, pixels agree within JPEG's loss
//! (the golden tests bound the PSNR). Measured on 512×512 RGB, release: see the crate's report.
//!
//! Reading: gray JPEGs give `(H, W)` `uint8`, colour ones `(H, W, 3)` `uint8` (CMYK is converted to RGB,
//! where Pillow would return 4 CMYK channels). The header size is checked against the limits first.

use std::io::Cursor;

use brickwork_core::ArrayBuf;
use image::codecs::jpeg::JpegDecoder;

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::{MediaData, MediaError, Result};

const NAME: &str = "jpeg";

/// Pillow's default JPEG quality.
pub const DEFAULT_QUALITY: u8 = 75;

/// Writes a JPEG.
pub fn encode(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    pixels::single(&frames, NAME)?;
    let quality = opts.quality.unwrap_or(DEFAULT_QUALITY).clamp(1, 100);
    let f = frames.first().ok_or_else(|| enc_err("no frame"))?;
    let color = match (f.dtype == pixels::u8_dtype(), f.c) {
        (true, 1) => jpeg_encoder::ColorType::Luma,
        (true, 3) => jpeg_encoder::ColorType::Rgb,
        _ => {
            return Err(enc_err(format!(
                "{} images with {} channel(s) cannot be written; JPEG takes uint8 gray (H, W), uint8 RGB (H, W, 3)",
                pixels::dtype_name(f.dtype),
                f.c
            )))
        }
    };
    let side = |n: usize| u16::try_from(n).ok().filter(|v| *v > 0);
    let (Some(w), Some(h)) = (side(f.w), side(f.h)) else {
        return Err(enc_err(format!(
            "{}x{} is outside JPEG's 1..=65535 sides",
            f.w, f.h
        )));
    };
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&f.data, w, h, color)
        .map_err(enc_err)?;
    Ok(out)
}

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e)
}

/// Reads a JPEG.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let dec = JpegDecoder::new(Cursor::new(bytes)).map_err(|e| imagecrate::image_err(NAME, e))?;
    let (buf, w, h, ct) = imagecrate::read_still(dec, &opts.limits, NAME)?;
    imagecrate::to_array(buf, w, h, ct, NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let mse: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum::<f64>()
            / a.len() as f64;
        10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
    }

    fn smooth(h: usize, w: usize, c: usize) -> ArrayBuf {
        let data = (0..h * w * c)
            .map(|i| ((i / c % w) * 2 + (i / c / w) + (i % c) * 10) as u8)
            .collect();
        let shape = if c == 1 { vec![h, w] } else { vec![h, w, c] };
        ArrayBuf::new(data, DType::U8, shape, Order::C).unwrap()
    }

    #[test]
    fn gray_and_rgb_round_trip_within_loss() {
        for c in [1, 3] {
            let a = smooth(48, 64, c);
            let bytes = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            assert!(bytes.starts_with(&[0xff, 0xd8]));
            let b = decode(&bytes, &DecodeOptions::default()).unwrap();
            assert_eq!(b.shape(), a.shape());
            assert!(psnr(a.data(), b.data()) > 30.0, "{}", psnr(a.data(), b.data()));
        }
    }

    #[test]
    fn rgba_lists_and_u16_are_refused() {
        let rgba = smooth(8, 8, 4);
        let e = encode(&MediaData::Array(rgba), &EncodeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("uint8 RGB (H, W, 3)"), "{e}");
        let list = MediaData::Frames(vec![smooth(8, 8, 3), smooth(8, 8, 3)]);
        let e = encode(&list, &EncodeOptions::default()).unwrap_err().to_string();
        assert!(e.contains("single image"), "{e}");
        let u16a = ArrayBuf::new(vec![0; 128], DType::parse("<u2").unwrap(), vec![8, 8], Order::C).unwrap();
        assert!(encode(&MediaData::Array(u16a), &EncodeOptions::default()).is_err());
    }
}
