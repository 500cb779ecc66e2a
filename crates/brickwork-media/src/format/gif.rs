//! GIF, still and animated (`.gif`): written through the `image` crate (NeuQuant quantizer, exact palette
//! when the frames have at most 256 colours; NeuQuant trains on at least 100,000 pixels a frame) and the
//! `gif` crate, read through the `gif` crate (palette indices, composited here as `image` composites).
//!
//! Writing, as imageio's pillow plugin: gray `uint8` `(H, W)` and `bool` frames are written, as Pillow
//! writes mode "L", with the identity gray ramp as global palette (exact for any gray values; `bool` as
//! 0/255), through the `gif` crate; gray + alpha, RGB and RGBA go through `image` (exact palette when at
//! most 256 colours, NeuQuant otherwise; alpha below 255 becomes transparency). A batch of frames becomes
//! an animation (100 ms per frame, looping forever; Pillow writes no loop extension and no delay, which
//! does not change pixels).
//!
//! Reading, as imageio's pillow plugin with `index=None`: **always a leading frame axis**, even for a
//! single image: `(N, H, W, 3)` `uint8` (alpha dropped), or `(N, H, W, 4)` RGBA when the plugin is
//! `GIF-PIL` (imageio's legacy GIF reader returns RGBA). A file whose global palette is the identity gray
//! ramp reads as gray `(N, H, W)`, as Pillow opens it in mode "L" (its `_is_palette_needed` rule).
//! Frames are composited onto the logical screen. Transparent pixels read as `(0, 0, 0)`, where Pillow
//! would show the palette colour of the transparent index.
//!
//! Limits: the logical screen size is checked before decoding, and the running total of frames before
//! each frame is kept.

use std::io::Cursor;

use brickwork_core::{ArrayBuf, Kind};
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, RgbaImage};

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels::{self, Frame};
use crate::{MediaData, MediaError, Result};

const NAME: &str = "gif";

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e)
}

fn dec_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, e)
}

/// One frame as RGBA8.
fn to_rgba(f: &Frame<'_>) -> Result<Vec<u8>> {
    let bool_frame = f.dtype.kind() == Kind::Bool;
    if !(bool_frame || f.dtype == pixels::u8_dtype()) {
        return Err(enc_err(format!(
            "{} pixels are not supported; GIF takes uint8 (gray, gray+alpha, RGB, RGBA) or bool",
            pixels::dtype_name(f.dtype)
        )));
    }
    let mut out = Vec::with_capacity(f.h * f.w * 4);
    for px in f.data.chunks_exact(f.c) {
        let g = |v: u8| {
            if bool_frame {
                if v != 0 {
                    255
                } else {
                    0
                }
            } else {
                v
            }
        };
        match *px {
            [v] => out.extend_from_slice(&[g(v), g(v), g(v), 255]),
            [v, a] => out.extend_from_slice(&[v, v, v, a]),
            [r, gg, b] => out.extend_from_slice(&[r, gg, b, 255]),
            [r, gg, b, a] => out.extend_from_slice(&[r, gg, b, a]),
            _ => return Err(enc_err("unexpected channel count")),
        }
    }
    Ok(out)
}

/// Writes gray or bool frames as Pillow's mode "L" GIF: identity gray palette, indices = gray values.
fn encode_gray(frames: &[Frame<'_>]) -> Result<Vec<u8>> {
    let first = frames.first().ok_or_else(|| enc_err("no frame"))?;
    let side = |n: usize| u16::try_from(n).ok().filter(|v| *v > 0);
    let (w, h) = match (side(first.w), side(first.h)) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            return Err(enc_err(format!(
                "{}x{} is outside GIF's 1..=65535 sides",
                first.w, first.h
            )))
        }
    };
    let palette: Vec<u8> = (0..=255u8).flat_map(|v| [v, v, v]).collect();
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w, h, &palette).map_err(enc_err)?;
        if frames.len() > 1 {
            enc.set_repeat(gif::Repeat::Infinite).map_err(enc_err)?;
        }
        for f in frames {
            let buffer: Vec<u8> = if f.dtype.kind() == Kind::Bool {
                f.data.iter().map(|&v| if v != 0 { 255 } else { 0 }).collect()
            } else {
                f.data.to_vec()
            };
            let frame = gif::Frame {
                width: w,
                height: h,
                delay: if frames.len() > 1 { 10 } else { 0 },
                buffer: buffer.into(),
                ..gif::Frame::default()
            };
            enc.write_frame(&frame).map_err(enc_err)?;
        }
    }
    Ok(out)
}

/// Training samples NeuQuant gets at least (all pixels when a frame has fewer).
const NEUQUANT_MIN_SAMPLES: usize = 100_000;

/// NeuQuant's `speed` (it trains on every `speed`-th pixel): 1 up to 100,000 pixels a frame, then as
/// sparse as keeps at least [`NEUQUANT_MIN_SAMPLES`] samples, at most 10 (the `gif` crate's default).
/// Speed 1 on a 1024×768 photo took 0.9 s, 4× Pillow; speed 7 is ~4× faster and still beats Pillow's
/// PSNR and size there (bench/media.py). Small frames keep speed 1: few samples give a visibly worse
/// palette.
fn neuquant_speed(pixels: usize) -> i32 {
    i32::try_from((pixels / NEUQUANT_MIN_SAMPLES).clamp(1, 10)).unwrap_or(10)
}

/// Writes a GIF (animated when more than one frame is given).
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    let gray_kind =
        |f: &Frame<'_>| f.c == 1 && (f.dtype.kind() == Kind::Bool || f.dtype == pixels::u8_dtype());
    if frames.iter().all(gray_kind) {
        return encode_gray(&frames);
    }
    let mut images = Vec::with_capacity(frames.len());
    for f in &frames {
        if f.c != 1 && f.dtype.kind() == Kind::Bool {
            return Err(enc_err("bool images must be 2-D (H, W)"));
        }
        let (w, h) = (imagecrate::side(f.w, NAME)?, imagecrate::side(f.h, NAME)?);
        let img = RgbaImage::from_raw(w, h, to_rgba(f)?).ok_or_else(|| enc_err("frame size mismatch"))?;
        images.push(image::Frame::from_parts(
            img,
            0,
            0,
            Delay::from_numer_denom_ms(100, 1),
        ));
    }
    let mut out = Vec::new();
    {
        let pixels_per_frame = frames.first().map_or(0, |f| f.w * f.h);
        let mut enc = GifEncoder::new_with_speed(&mut out, neuquant_speed(pixels_per_frame));
        if images.len() > 1 {
            enc.set_repeat(Repeat::Infinite).map_err(enc_err)?;
        }
        enc.encode_frames(images).map_err(enc_err)?;
    }
    Ok(out)
}

/// Reads every frame of a GIF: `(N, H, W, 3)`, or `(N, H, W, 4)` for the `GIF-PIL` plugin.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let rgba = opts.plugin.as_deref() == Some("GIF-PIL");
    // The logical screen size, checked before the decoder exists.
    let screen = bytes.get(6..10).ok_or_else(|| MediaError::Decode {
        format: NAME,
        reason: "the file is shorter than a GIF header".into(),
    })?;
    let sw = u64::from(u16::from_le_bytes([screen[0], screen[1]]));
    let sh = u64::from(u16::from_le_bytes([screen[2], screen[3]]));
    opts.limits.check(NAME, sw, sh, 1, 4)?;
    // The gif crate directly, with palette indices out: one pass per frame maps them through the palette
    // onto the canvas (through `image`'s RGBA frames, its per-pixel compositing and a copy to RGB, a
    // 1024x768 read took longer than Pillow's). The compositing is `image`'s: see `composite`.
    // A frame's own size is untrusted too: its index buffer (one byte a pixel) is capped by the limits
    // (the gif crate's default cap, 50 MB, would refuse large valid frames).
    let frame_cap = opts.limits.max_pixels.min(opts.limits.max_bytes).max(1);
    let mut gif_opts = gif::DecodeOptions::new();
    gif_opts.set_color_output(gif::ColorOutput::Indexed);
    gif_opts.set_memory_limit(gif::MemoryLimit::Bytes(
        std::num::NonZeroU64::new(frame_cap).unwrap_or(std::num::NonZeroU64::MIN),
    ));
    // (the gif crate reports a frame over its cap as OutOfMemory)
    let frame_err = |e: gif::DecodingError| match e {
        gif::DecodingError::MemoryLimit | gif::DecodingError::OutOfMemory => dec_err(format!(
            "a frame declares more than {frame_cap} pixels, over the limits (raise MediaLimits to allow it)"
        )),
        e => dec_err(e),
    };
    let mut dec = gif_opts.read_info(Cursor::new(bytes)).map_err(frame_err)?;
    let (w, h) = (usize::from(dec.width()), usize::from(dec.height()));
    let (w64, h64) = (w as u64, h as u64);
    opts.limits.check(NAME, w64, h64, 1, 4)?;
    let global = dec.global_palette().map(<[u8]>::to_vec);
    let gray_palette = !rgba && identity_gray_palette(bytes);
    let c = if rgba { 4 } else { 3 };
    let mut frames = Vec::new();
    // What the next frame is drawn over (RGBA; alpha 0 where nothing was drawn or it was disposed).
    let mut kept = vec![0u8; w * h * 4];
    let mut canvas = vec![0u8; w * h * 4];
    while let Some(frame) = dec.read_next_frame().map_err(frame_err)? {
        opts.limits
            .check(NAME, w64, h64, frames.len() as u64 + 1, c as u64)?;
        let palette = frame.palette.as_deref().or(global.as_deref()).unwrap_or_default();
        composite(frame, palette, w, h, &mut kept, &mut canvas);
        frames.push(if rgba {
            canvas.clone()
        } else {
            rgba_to_rgb(&canvas)
        });
    }
    if frames.is_empty() {
        return Err(MediaError::Decode {
            format: NAME,
            reason: "the file holds no frame".into(),
        });
    }
    if gray_palette
        && frames
            .iter()
            .all(|f| f.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]))
    {
        let gray = frames
            .iter()
            .map(|f| f.chunks_exact(3).map(|p| p[0]).collect())
            .collect();
        return pixels::stack(gray, pixels::u8_dtype(), &[h, w], true);
    }
    pixels::stack(frames, pixels::u8_dtype(), &[h, w, c], true)
}

/// Draws one frame over `kept` into `canvas` (both `w × h` RGBA) and applies its disposal to `kept`, as
/// `image`'s GIF frame iterator does: a pixel whose index is the transparent one, or has no palette
/// entry, shows what `kept` holds; the parts of the frame outside the screen are dropped; after the
/// frame, "keep" (and unspecified) disposal keeps the composited frame, "background" clears the frame's
/// rectangle to transparent black and "previous" leaves `kept` as it was.
fn composite(frame: &gif::Frame<'_>, palette: &[u8], w: usize, h: usize, kept: &mut [u8], canvas: &mut [u8]) {
    // Index → RGBA, alpha 0 for "show what is kept".
    let mut lut = [[0u8; 4]; 256];
    for (i, (entry, rgb)) in lut.iter_mut().zip(palette.chunks_exact(3)).enumerate() {
        if frame.transparent != Some(i as u8) {
            *entry = [rgb[0], rgb[1], rgb[2], 255];
        }
    }
    canvas.copy_from_slice(kept);
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    let fw = usize::from(frame.width);
    let x_end = (left + fw).min(w);
    let y_end = (top + usize::from(frame.height)).min(h);
    if left >= x_end || top >= y_end {
        return;
    }
    let span = x_end - left;
    for (y, row) in (top..y_end).zip(frame.buffer.chunks_exact(fw.max(1))) {
        let dst = &mut canvas[(y * w + left) * 4..(y * w + x_end) * 4];
        for (px, &idx) in dst.chunks_exact_mut(4).zip(&row[..span]) {
            let c = lut[usize::from(idx)];
            if c[3] != 0 {
                px.copy_from_slice(&c);
            }
        }
    }
    match frame.dispose {
        gif::DisposalMethod::Any | gif::DisposalMethod::Keep => kept.copy_from_slice(canvas),
        gif::DisposalMethod::Background => {
            for y in top..y_end {
                kept[(y * w + left) * 4..(y * w + x_end) * 4].fill(0);
            }
        }
        gif::DisposalMethod::Previous => {}
    }
}

/// Drops the alpha byte of every RGBA pixel (into a buffer sized up front; an iterator `flat_map` over
/// the pixels was several times slower).
fn rgba_to_rgb(rgba: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; rgba.len() / 4 * 3];
    for (dst, src) in out.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
        dst.copy_from_slice(&src[..3]);
    }
    out
}

/// Pillow's rule for opening a GIF in mode "L": a global colour table whose entry `i` is `(i, i, i)`.
fn identity_gray_palette(bytes: &[u8]) -> bool {
    let Some(&flags) = bytes.get(10) else { return false };
    if flags & 0x80 == 0 {
        return false;
    }
    let n = 2usize << (flags & 0x07);
    match bytes.get(13..13 + 3 * n) {
        Some(table) => table
            .chunks_exact(3)
            .enumerate()
            .all(|(i, p)| p.iter().all(|&v| usize::from(v) == i)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    fn few_colors(h: usize, w: usize, k: u8) -> ArrayBuf {
        let data = (0..h * w * 3)
            .map(|i| ((i / 3 + usize::from(k)) % 4 * 60 + i % 3 * 5) as u8)
            .collect();
        ArrayBuf::new(data, DType::U8, vec![h, w, 3], Order::C).unwrap()
    }

    /// `image`'s GIF frame iterator, composited RGBA (what `decode` used before reading with `gif` directly).
    fn image_crate_frames(bytes: &[u8]) -> Vec<Vec<u8>> {
        use image::AnimationDecoder;
        let dec = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).unwrap();
        dec.into_frames()
            .map(|f| f.unwrap().into_buffer().into_raw())
            .collect()
    }

    #[test]
    fn composites_as_the_image_crate() {
        // Offsets (one frame partly off screen), a transparent index, every disposal, a local palette
        // shorter than the indices used, a global palette, and interlacing.
        let global: Vec<u8> = (0..16u8).flat_map(|i| [i * 16, 255 - i * 16, i * 7]).collect();
        let mut enc = gif::Encoder::new(Vec::new(), 13, 9, &global).unwrap();
        let px = |w: usize, h: usize, k: usize| -> Vec<u8> {
            (0..w * h).map(|i| ((i * 5 + k) % 16) as u8).collect()
        };
        let frames = [
            (0, 0, 13, 9, None, gif::DisposalMethod::Keep, None, false),
            (2, 1, 6, 5, Some(3u8), gif::DisposalMethod::Background, None, true),
            (
                9,
                6,
                6,
                5,
                Some(0),
                gif::DisposalMethod::Previous,
                Some((0..6u8).flat_map(|i| [i, 2 * i, 3 * i]).collect::<Vec<u8>>()),
                false,
            ),
            (1, 2, 5, 4, Some(7), gif::DisposalMethod::Any, None, false),
            (4, 0, 4, 9, None, gif::DisposalMethod::Keep, None, false),
        ];
        for (k, (left, top, w, h, transparent, dispose, palette, interlaced)) in
            frames.into_iter().enumerate()
        {
            let frame = gif::Frame {
                left,
                top,
                width: w,
                height: h,
                transparent,
                dispose,
                palette,
                interlaced,
                buffer: px(usize::from(w), usize::from(h), k).into(),
                ..gif::Frame::default()
            };
            enc.write_frame(&frame).unwrap();
        }
        let bytes = enc.into_inner().unwrap();
        let want = image_crate_frames(&bytes);
        assert_eq!(want.len(), 5);
        let pil = DecodeOptions {
            plugin: Some("GIF-PIL".into()),
            ..Default::default()
        };
        assert_eq!(decode(&bytes, &pil).unwrap().data(), want.concat());
        let rgb: Vec<u8> = want.iter().flat_map(|f| rgba_to_rgb(f)).collect();
        assert_eq!(decode(&bytes, &DecodeOptions::default()).unwrap().data(), rgb);
        // And the test files, written by Pillow and by brickwork.
        for name in [
            "anim8.gif",
            "bool.gif",
            "few.gif",
            "few_gifpil.gif",
            "gray_list3.gif",
            "gray_ramp.gif",
        ] {
            let file = std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/data")
                    .join(name),
            )
            .unwrap();
            assert_eq!(
                decode(&file, &pil).unwrap().data(),
                image_crate_frames(&file).concat(),
                "{name}"
            );
        }
    }

    #[test]
    fn a_frame_larger_than_the_limits_is_a_clear_error() {
        // a 10x10 screen holding one 300x200 frame: the screen passes, the frame does not
        let mut enc = gif::Encoder::new(Vec::new(), 10, 10, &[0, 0, 0, 255, 255, 255]).unwrap();
        let frame = gif::Frame {
            width: 300,
            height: 200,
            buffer: vec![1u8; 300 * 200].into(),
            ..gif::Frame::default()
        };
        enc.write_frame(&frame).unwrap();
        let bytes = enc.into_inner().unwrap();
        let tight = DecodeOptions {
            limits: crate::MediaLimits {
                max_pixels: 10_000,
                ..Default::default()
            },
            ..Default::default()
        };
        let err = decode(&bytes, &tight).unwrap_err().to_string();
        assert!(err.contains("more than 10000 pixels"), "{err}");
        // within the default limits it reads, clipped to the screen
        let ok = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(&ok.shape()[..3], &[1, 10, 10]);
    }

    #[test]
    fn single_image_reads_back_with_a_frame_axis() {
        let a = few_colors(17, 33, 0);
        let bytes = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
        assert!(bytes.starts_with(b"GIF8"));
        let b = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(b.shape(), &[1, 17, 33, 3]);
        assert_eq!(b.data(), a.data());
        let opts = DecodeOptions {
            plugin: Some("GIF-PIL".into()),
            ..Default::default()
        };
        assert_eq!(decode(&bytes, &opts).unwrap().shape(), &[1, 17, 33, 4]);
    }

    #[test]
    fn animation_is_exact_with_few_colors() {
        let frames: Vec<ArrayBuf> = (0..8).map(|k| few_colors(48, 64, k)).collect();
        let bytes = encode(&MediaData::Frames(frames.clone()), &EncodeOptions::default()).unwrap();
        let b = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(b.shape(), &[8, 48, 64, 3]);
        let want: Vec<u8> = frames.iter().flat_map(|f| f.data().to_vec()).collect();
        assert_eq!(b.data(), &want[..]);
    }

    #[test]
    fn gray_and_bool_are_written_as_pillow_mode_l() {
        let g = ArrayBuf::new(
            (0..17 * 33).map(|i| (i % 256) as u8).collect(),
            DType::U8,
            vec![17, 33],
            Order::C,
        )
        .unwrap();
        let bytes = encode(
            &MediaData::Frames(vec![g.clone(), g.clone()]),
            &EncodeOptions::default(),
        )
        .unwrap();
        let back = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(back.shape(), &[2, 17, 33]);
        assert!(back.data()[..17 * 33] == *g.data());
        let b = ArrayBuf::new(
            (0..12).map(|i| u8::from(i % 2 == 0)).collect(),
            pixels::bool_dtype(),
            vec![3, 4],
            Order::C,
        )
        .unwrap();
        let back = decode(
            &encode(&MediaData::Array(b), &EncodeOptions::default()).unwrap(),
            &DecodeOptions::default(),
        );
        assert_eq!(
            back.unwrap().data(),
            &[255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0]
        );
    }

    #[test]
    fn huge_screen_is_a_limit_error() {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&u16::MAX.to_le_bytes());
        g.extend_from_slice(&u16::MAX.to_le_bytes());
        g.extend_from_slice(&[0, 0, 0, 0x3b]);
        let opts = DecodeOptions {
            limits: crate::MediaLimits {
                max_pixels: 1 << 20,
                max_bytes: 1 << 30,
            },
            ..Default::default()
        };
        assert!(matches!(decode(&g, &opts), Err(MediaError::LimitExceeded { .. })));
    }
}
