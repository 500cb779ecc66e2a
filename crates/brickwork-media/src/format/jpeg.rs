//! JPEG (`.jpg`, `.jpeg`, `.jpe`, `.jfif`): libjpeg-turbo writes, libjpeg-turbo or zune-jpeg reads.
//!
//! Writing, as imageio's pillow plugin: `uint8` gray `(H, W)` or RGB `(H, W, 3)`, quality 75 by default
//! (Pillow's default; [`EncodeOptions::quality`] overrides it, clamped to 1..=100 as libjpeg does). Like
//! Pillow, RGBA, gray + alpha, 16-bit and float images are refused, and so is more than one frame (Pillow
//! fails with `KeyError: 'JPEG'`). The encoder is libjpeg-turbo 3.1 (the `turbojpeg` crate builds it from
//! source, statically, with its SIMD code) with Pillow's settings: the Annex K tables scaled by quality,
//! baseline, standard Huffman tables (no `optimize`), not progressive, no restart markers, islow DCT, a
//! JFIF 1.01 header with 1:1 density and no unit, and chroma subsampled 4:2:0 at every quality (Pillow's
//! `subsampling=-1` leaves libjpeg's default). The bytes are Pillow's byte for byte (Pillow 13 bundles
//! libjpeg-turbo 3.2, whose baseline output is the same): the unit tests re-encode the golden files'
//! pixels, pytest compares with live imageio. Sides must be 1..=65535; this is checked before the C call.
//! A C-order borrowed array ([`encode_view`]) is read in place.
//!
//! Reading: gray JPEGs give `(H, W)` `uint8`, colour ones `(H, W, 3)` `uint8`. Gray, YCbCr and RGB files
//! are decoded by libjpeg-turbo with Pillow's settings (islow IDCT, smooth chroma upsampling), so the
//! pixels are Pillow's exactly. Files it refuses or only decodes with a warning (truncated data, stray
//! bytes, which Pillow tolerates), files of more than 500 progressive scans, and CMYK/YCCK files go to
//! zune-jpeg (through `image`), which converts CMYK to RGB (Pillow would return 4 CMYK channels).
//! The declared size is checked against the limits before the output is allocated.

use std::io::Cursor;

use brickwork_core::{ArrayBuf, ArrayView};
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
    let f = frames.first().ok_or_else(|| enc_err("no frame"))?;
    encode_frame(f, opts)
}

/// Writes a borrowed array as a JPEG without copying it first: `uint8` `(H, W)` and `(H, W, 3)` arrays
/// in C order are read in place (Fortran order is reordered once). `None` for every other array, which
/// the caller gives to [`encode`] as an owned copy (for its messages).
pub fn encode_view(view: &ArrayView<'_>, opts: &EncodeOptions) -> Result<Option<Vec<u8>>> {
    let c = match *view.shape() {
        [_, _] => 1,
        [_, _, 3] => 3,
        _ => 0,
    };
    match *view.shape() {
        [h, w, ..] if c > 0 && view.dtype() == pixels::u8_dtype() => {
            let data = pixels::c_order_le_view(view)?;
            let frame = pixels::Frame {
                h,
                w,
                c,
                dtype: view.dtype(),
                data,
            };
            encode_frame(&frame, opts).map(Some)
        }
        _ => Ok(None),
    }
}

/// Writes one frame: libjpeg-turbo with Pillow's settings (see the module docs).
fn encode_frame(f: &pixels::Frame<'_>, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let quality = opts.quality.unwrap_or(DEFAULT_QUALITY).clamp(1, 100);
    let (format, subsamp) = match (f.dtype == pixels::u8_dtype(), f.c) {
        (true, 1) => (turbojpeg::PixelFormat::GRAY, turbojpeg::Subsamp::Gray),
        (true, 3) => (turbojpeg::PixelFormat::RGB, turbojpeg::Subsamp::Sub2x2),
        _ => {
            return Err(enc_err(format!(
                "{} images with {} channel(s) cannot be written; JPEG takes uint8 gray (H, W), uint8 RGB (H, W, 3)",
                pixels::dtype_name(f.dtype),
                f.c
            )))
        }
    };
    let side = |n: usize| Some(n).filter(|v| (1..=usize::from(u16::MAX)).contains(v));
    let (Some(w), Some(h)) = (side(f.w), side(f.h)) else {
        return Err(enc_err(format!(
            "{}x{} is outside JPEG's 1..=65535 sides",
            f.w, f.h
        )));
    };
    // `turbojpeg` asserts (panics) when the buffer is shorter than `pitch * h`, and the C library reads
    // `pitch * h` bytes: the exact length is checked here first (checked products, so a 32-bit target
    // errs instead of wrapping).
    let pitch = w.checked_mul(f.c).ok_or_else(|| enc_err("row size overflows"))?;
    if pitch.checked_mul(h) != Some(f.data.len()) {
        return Err(enc_err(format!(
            "{} bytes of pixels for a {h}x{w}x{} uint8 image",
            f.data.len(),
            f.c
        )));
    }
    let image = turbojpeg::Image {
        pixels: &f.data[..],
        width: w,
        pitch,
        height: h,
        format,
    };
    let mut enc = turbojpeg::Compressor::new().map_err(enc_err)?;
    enc.set_quality(i32::from(quality)).map_err(enc_err)?;
    enc.set_subsamp(subsamp).map_err(enc_err)?;
    enc.compress_to_vec(image).map_err(enc_err)
}

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e)
}

/// Most progressive scans libjpeg-turbo decodes before giving up (the hostile-file defence its own
/// fuzzers use; real encoders write about ten).
const MAX_SCANS: u32 = 500;

/// Reads a JPEG: libjpeg-turbo for gray, YCbCr and RGB files it decodes without a warning (Pillow's
/// pixels); zune-jpeg (through `image`) for everything else.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    match decode_turbo(bytes, &opts.limits)? {
        Some(a) => Ok(a),
        None => decode_zune(bytes, opts),
    }
}

/// libjpeg-turbo's decode, or `None` where zune-jpeg should decode instead (other colour spaces, warnings,
/// errors). Limit errors are returned: the size is checked before the output is allocated.
fn decode_turbo(bytes: &[u8], limits: &crate::MediaLimits) -> Result<Option<ArrayBuf>> {
    let Ok(mut dec) = turbojpeg::Decompressor::new() else {
        return Ok(None);
    };
    let Ok(head) = dec.read_header(bytes) else {
        return Ok(None);
    };
    let (format, c) = match head.colorspace {
        turbojpeg::Colorspace::Gray => (turbojpeg::PixelFormat::GRAY, 1),
        turbojpeg::Colorspace::YCbCr | turbojpeg::Colorspace::RGB => (turbojpeg::PixelFormat::RGB, 3),
        _ => return Ok(None),
    };
    let (w, h) = (head.width, head.height);
    let size = limits.check(NAME, w as u64, h as u64, 1, c as u64)?;
    // `turbojpeg` asserts (panics) unless `pitch * h` bytes are given: `size` is exactly that.
    let Some(pitch) = w.checked_mul(c).filter(|p| p.checked_mul(h) == Some(size)) else {
        return Ok(None);
    };
    if dec.set_scan_limit(MAX_SCANS).is_err() {
        return Ok(None);
    }
    let mut buf = vec![0u8; size];
    let image = turbojpeg::Image {
        pixels: &mut buf[..],
        width: w,
        pitch,
        height: h,
        format,
    };
    if dec.decompress(bytes, image).is_err() {
        return Ok(None);
    }
    Ok(Some(pixels::stack(
        vec![buf],
        pixels::u8_dtype(),
        &pixels::image_shape(h, w, c),
        false,
    )?))
}

/// A JPEG-compressed TIFF tile or strip (Compression 7) decoded by libjpeg-turbo as tifffile decodes it
/// (imagecodecs' libjpeg-turbo): the page's JPEGTables (quantisation and Huffman tables, when the chunks
/// are abbreviated streams) spliced before the chunk's image data, YCbCr converted to RGB by libjpeg.
/// `rgb`: the page's photometric is RGB, so the stream must say RGB too (an Adobe marker or R, G, B
/// component ids; else libjpeg would convert it as YCbCr, which tifffile does not). The stream must be
/// `width` × `height` with `components` 8-bit components; anything else is `Err` (the caller then lets the
/// `tiff` crate try). The interleaved samples are written straight into `out`, which must be their size.
pub fn decode_tiff_chunk(
    chunk: &[u8],
    tables: Option<&[u8]>,
    (width, height, components): (usize, usize, usize),
    rgb: bool,
    out: &mut [u8],
) -> std::result::Result<(), String> {
    let spliced;
    let stream = match tables {
        // Tables: SOI, DQT/DHT..., EOI; chunk: SOI, SOF, SOS... : tables without their EOI, then the chunk
        // without its SOI.
        Some(t) if t.len() >= 4 && chunk.len() >= 2 => {
            spliced = [&t[..t.len() - 2], &chunk[2..]].concat();
            &spliced[..]
        }
        _ => chunk,
    };
    let mut dec = turbojpeg::Decompressor::new().map_err(|e| e.to_string())?;
    let head = dec.read_header(stream).map_err(|e| e.to_string())?;
    let format = match (head.colorspace, components) {
        (turbojpeg::Colorspace::Gray, 1) => turbojpeg::PixelFormat::GRAY,
        (turbojpeg::Colorspace::RGB, 3) => turbojpeg::PixelFormat::RGB,
        (turbojpeg::Colorspace::YCbCr, 3) if !rgb => turbojpeg::PixelFormat::RGB,
        (space, _) => {
            return Err(format!(
                "a {space:?} JPEG stream in a page of {components} samples"
            ))
        }
    };
    if (head.width, head.height) != (width, height) {
        return Err(format!(
            "a {}x{} JPEG stream in a {width}x{height} chunk",
            head.width, head.height
        ));
    }
    dec.set_scan_limit(MAX_SCANS).map_err(|e| e.to_string())?;
    // `turbojpeg` asserts (panics) unless `pitch * height` bytes are given: exactly that.
    if out.len() != width * height * components {
        return Err(format!(
            "{} bytes for {width}x{height} pixels of {components} samples",
            out.len()
        ));
    }
    let image = turbojpeg::Image {
        pixels: out,
        width,
        pitch: width * components,
        height,
        format,
    };
    dec.decompress(stream, image).map_err(|e| e.to_string())
}

/// zune-jpeg's decode (through `image`).
fn decode_zune(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let dec = JpegDecoder::new(Cursor::new(bytes)).map_err(|e| imagecrate::image_err(NAME, e))?;
    let (buf, w, h, ct) = imagecrate::read_still(dec, &opts.limits, NAME)?;
    imagecrate::to_array(buf, w, h, ct, NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_data::golden;
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

    /// `rgb8.jpg` and `gray8.jpeg` were written by imageio (Pillow, libjpeg-turbo) from the pixels of
    /// `rgb8.png` and `gray8.png` (tests/make_golden.py): re-encoding those pixels gives the same bytes,
    /// through an owned array, a borrowed C-order view and a Fortran-order copy.
    #[test]
    fn writes_pillows_bytes() {
        for (png, jpg) in [("rgb8.png", "rgb8.jpg"), ("gray8.png", "gray8.jpeg")] {
            let a = super::super::png::decode(&golden(png), &DecodeOptions::default()).unwrap();
            let want = golden(jpg);
            let opts = EncodeOptions::default();
            assert!(
                encode(&MediaData::Array(a.clone()), &opts).unwrap() == want,
                "{jpg}"
            );
            assert!(
                encode_view(&a.view(), &opts).unwrap() == Some(want.clone()),
                "{jpg} (view)"
            );
            let (h, w, c) = (
                a.shape()[0],
                a.shape()[1],
                a.data().len() / (a.shape()[0] * a.shape()[1]),
            );
            let mut f = vec![0u8; a.data().len()];
            for (i, v) in a.data().iter().enumerate() {
                let (y, x, k) = (i / c / w, i / c % w, i % c);
                f[k * w * h + x * h + y] = *v;
            }
            let fa = ArrayBuf::new(f, DType::U8, a.shape().to_vec(), Order::F).unwrap();
            assert!(
                encode_view(&fa.view(), &opts).unwrap() == Some(want.clone()),
                "{jpg} (Fortran order)"
            );
        }
    }

    /// Decoding gives imageio's pixels exactly (its decode is stored next to each golden JPEG).
    #[test]
    fn reads_pillows_pixels() {
        for jpg in ["rgb8.jpg", "gray8.jpeg"] {
            let got = decode(&golden(jpg), &DecodeOptions::default()).unwrap();
            let want =
                super::super::npy::decode(&golden(&format!("{jpg}.ref.npy")), &DecodeOptions::default())
                    .unwrap();
            assert_eq!(got.shape(), want.shape(), "{jpg}");
            assert!(got.data() == want.data(), "{jpg}");
        }
    }

    #[test]
    fn odd_sizes_and_qualities_round_trip() {
        for (h, w) in [(1, 1), (1, 300), (300, 1), (17, 33), (9, 2)] {
            for c in [1, 3] {
                for q in [1, 50, 95, 100] {
                    let a = smooth(h, w, c);
                    let opts = EncodeOptions {
                        quality: Some(q),
                        ..EncodeOptions::default()
                    };
                    let bytes = encode(&MediaData::Array(a.clone()), &opts).unwrap();
                    let b = decode(&bytes, &DecodeOptions::default()).unwrap();
                    assert_eq!(b.shape(), a.shape());
                    // The pattern wraps from 255 to 0 (sharp edges) and chroma is subsampled 4:2:0.
                    let p = psnr(a.data(), b.data());
                    assert!(p > if q == 100 { 30.0 } else { 10.0 }, "{h}x{w}x{c} q{q}: {p}");
                }
            }
        }
    }

    #[test]
    fn sides_beyond_65535_are_refused_before_the_encoder() {
        let a = ArrayBuf::new(vec![0; 65536], DType::U8, vec![1, 65536], Order::C).unwrap();
        let e = encode(&MediaData::Array(a), &EncodeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("1..=65535"), "{e}");
        let a = ArrayBuf::new(vec![], DType::U8, vec![0, 5, 3], Order::C).unwrap();
        assert!(encode_view(&a.view(), &EncodeOptions::default()).is_err());
    }

    #[test]
    fn declared_size_is_checked_against_the_limits_first() {
        let bytes = encode(&MediaData::Array(smooth(48, 64, 3)), &EncodeOptions::default()).unwrap();
        let mut opts = DecodeOptions::default();
        opts.limits.max_bytes = 48 * 64 * 3 - 1;
        let e = decode(&bytes, &opts).unwrap_err();
        assert!(matches!(e, MediaError::LimitExceeded { .. }), "{e}");
    }

    /// libjpeg-turbo warns about (and so brickwork does not take its result for) bytes between the
    /// entropy-coded data and the end marker; such files, which Pillow reads, are read by zune-jpeg.
    #[test]
    fn files_libjpeg_turbo_warns_about_are_read_by_zune_jpeg() {
        let good = golden("rgb8.jpg");
        let mut bad = good[..good.len() - 2].to_vec();
        bad.extend_from_slice(&[0x12, 0x34, 0xff, 0xd9]);
        assert!(turbojpeg::decompress(&bad, turbojpeg::PixelFormat::RGB).is_err());
        let a = decode(&bad, &DecodeOptions::default()).unwrap();
        let b = decode(&good, &DecodeOptions::default()).unwrap();
        assert_eq!(a.shape(), b.shape());
        assert!(psnr(a.data(), b.data()) > 35.0);
    }

    /// CMYK files take zune-jpeg's path, which converts them to RGB.
    #[test]
    fn cmyk_is_read_as_rgb() {
        let (h, w) = (16, 24);
        let cmyk: Vec<u8> = (0..h * w * 4).map(|i| (i * 7 % 251) as u8).collect();
        let mut enc = turbojpeg::Compressor::new().unwrap();
        enc.set_colorspace(turbojpeg::Colorspace::CMYK).unwrap();
        enc.set_subsamp(turbojpeg::Subsamp::None).unwrap();
        let img = turbojpeg::Image {
            pixels: &cmyk[..],
            width: w,
            pitch: w * 4,
            height: h,
            format: turbojpeg::PixelFormat::CMYK,
        };
        let bytes = enc.compress_to_vec(img).unwrap();
        let a = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(a.shape(), &[h, w, 3]);
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
