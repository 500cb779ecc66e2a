//! WebP, still and animated (`.webp`): libwebp (the `webp` crate) to write and to read.
//!
//! Writing, as imageio's pillow plugin: lossy at quality 80 by default (Pillow's default;
//! [`EncodeOptions::quality`] overrides it), lossless when [`EncodeOptions::lossless`] is set. `uint8`
//! RGB and RGBA are written as they are; gray is written as RGB and gray + alpha as RGBA (WebP has no
//! gray mode; Pillow converts the same way, so gray comes back `(H, W, 3)`). A batch of frames becomes
//! an animated WebP (100 ms per frame, looping forever), as Pillow's `save_all`.
//!
//! Reading: `(H, W, 3)`, or `(H, W, 4)` when the file's header has the alpha flag, `uint8`, as Pillow
//! (measured: Pillow's own animations carry the flag and read as RGBA; libwebp's RGB ones read as RGB).
//! **Difference from imageio, on purpose:** an animated WebP gives all its frames `(N, H, W, C)`;
//! imageio's pillow plugin with `index=None` returns only the first frame, so a frame list written to
//! `.webp` does not round-trip there (spec §0, bug 7).
//!
//! Limits: the canvas size is checked before decoding, and the running total before each frame.

use brickwork_core::{ArrayBuf, Kind};

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels::{self, Frame};
use crate::{MediaData, MediaError, Result};

const NAME: &str = "webp";

/// Pillow's default WebP quality.
pub const DEFAULT_QUALITY: u8 = 80;

fn enc_err(e: impl std::fmt::Debug) -> MediaError {
    MediaError::encode(NAME, format!("{e:?}"))
}

/// A frame as RGB or RGBA bytes (gray expanded) and whether it has alpha.
fn to_rgb_or_rgba(f: &Frame<'_>) -> Result<(Vec<u8>, bool)> {
    if f.dtype != pixels::u8_dtype() || f.dtype.kind() == Kind::Bool {
        return Err(MediaError::Encode {
            format: NAME,
            reason: format!(
                "{} pixels are not supported; WebP takes uint8 gray, gray+alpha, RGB or RGBA",
                pixels::dtype_name(f.dtype)
            ),
        });
    }
    Ok(match f.c {
        1 => (f.data.iter().flat_map(|&v| [v, v, v]).collect(), false),
        2 => (
            f.data
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
            true,
        ),
        3 => (f.data.to_vec(), false),
        _ => (f.data.to_vec(), true),
    })
}

/// Writes a WebP (animated when more than one frame is given).
pub fn encode(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    let first = frames.first().ok_or_else(|| enc_err("no frame"))?;
    let (w, h) = (imagecrate::side(first.w, NAME)?, imagecrate::side(first.h, NAME)?);
    if w > 16383 || h > 16383 {
        return Err(MediaError::Encode {
            format: NAME,
            reason: format!("{w}x{h} is larger than WebP's 16383x16383"),
        });
    }
    let quality = f32::from(opts.quality.unwrap_or(DEFAULT_QUALITY).min(100));
    let converted: Vec<(Vec<u8>, bool)> = frames.iter().map(to_rgb_or_rgba).collect::<Result<_>>()?;
    if converted.len() == 1 {
        let (px, alpha) = &converted[0];
        let enc = if *alpha {
            ::webp::Encoder::from_rgba(px, w, h)
        } else {
            ::webp::Encoder::from_rgb(px, w, h)
        };
        let mem = enc.encode_simple(opts.lossless, quality).map_err(enc_err)?;
        return Ok(mem.to_vec());
    }
    let mut config =
        ::webp::WebPConfig::new().map_err(|()| enc_err("libwebp rejected its default config"))?;
    config.lossless = i32::from(opts.lossless);
    config.quality = quality;
    let mut enc = ::webp::AnimEncoder::new(w, h, &config);
    enc.set_loop_count(0);
    for (i, (px, alpha)) in converted.iter().enumerate() {
        let t = i32::try_from(i).unwrap_or(i32::MAX / 100).saturating_mul(100);
        enc.add_frame(if *alpha {
            ::webp::AnimFrame::from_rgba(px, w, h, t)
        } else {
            ::webp::AnimFrame::from_rgb(px, w, h, t)
        });
    }
    Ok(enc.try_encode().map_err(enc_err)?.to_vec())
}

/// Reads a WebP: one image, or every frame of an animation stacked.
///
/// The header is read with libwebp's `WebPGetFeatures` (canvas size, alpha flag, animation flag) and the
/// size checked against the limits before any pixel buffer exists; a still image is then decoded by
/// libwebp (`WebPDecodeRGB`/`WebPDecodeRGBA` by the alpha flag, as Pillow's `_webp` module chooses its
/// mode), about twice as fast as the pure-Rust `image-webp`.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let features = ::webp::BitstreamFeatures::new(bytes)
        .ok_or_else(|| dec_err("not a WebP file (libwebp cannot read its header)"))?;
    let (w, h) = (features.width(), features.height());
    let c = if features.has_alpha() { 4 } else { 3 };
    let (w64, h64) = (u64::from(w), u64::from(h));
    opts.limits.check(NAME, w64, h64, 1, c as u64)?;
    if !features.has_animation() {
        let img = ::webp::Decoder::new(bytes)
            .decode()
            .ok_or_else(|| dec_err("the image data does not decode"))?;
        let got = if img.is_alpha() { 4 } else { 3 };
        if (img.width(), img.height(), got) != (w, h, c) {
            return Err(dec_err(
                "the decoded image differs from the size and channels in its header",
            ));
        }
        let px: &[u8] = &img;
        return pixels::stack(
            vec![px.to_vec()],
            pixels::u8_dtype(),
            &[h as usize, w as usize, c],
            false,
        );
    }
    // Animated: parsed here (RIFF chunks), each frame decoded by libwebp's still decoder and composited
    // exactly as libwebp's WebPAnimDecoder (which Pillow uses) does. The `webp` crate's own AnimDecoder
    // is not used: it loops forever when a frame fails to decode.
    let anim = parse_animation(bytes)?;
    opts.limits
        .check(NAME, w64, h64, anim.frames.len().max(1) as u64, 4)?;
    let frames = composite(&anim, w as usize, h as usize, c)?;
    pixels::stack(frames, pixels::u8_dtype(), &[h as usize, w as usize, c], true)
}

/// One `ANMF` chunk: placement, blend/dispose flags and the frame's bitstream chunks.
struct AnimFrame<'a> {
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    /// Blend with the canvas (`B` bit clear).
    blend: bool,
    /// Dispose to background (`D` bit set).
    dispose_bg: bool,
    /// The frame's `ALPH`/`VP8 `/`VP8L` chunks, verbatim.
    payload: &'a [u8],
}

struct Animation<'a> {
    frames: Vec<AnimFrame<'a>>,
}

fn u24(b: &[u8]) -> usize {
    usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16
}

fn dec_err(reason: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, reason)
}

/// Walks the RIFF chunk list and collects the `ANMF` frames.
fn parse_animation(bytes: &[u8]) -> Result<Animation<'_>> {
    let mut pos = 12usize;
    let mut frames = Vec::new();
    while let Some(head) = pos.checked_add(8).and_then(|end| bytes.get(pos..end)) {
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let body = pos
            .checked_add(8)
            .and_then(|s| bytes.get(s..s.checked_add(size)?))
            .ok_or_else(|| dec_err("a chunk runs past the end of the file"))?;
        if &head[..4] == b"ANMF" {
            if body.len() < 16 {
                return Err(dec_err("an ANMF chunk is shorter than its 16-byte header"));
            }
            frames.push(AnimFrame {
                x: u24(&body[0..3]) * 2,
                y: u24(&body[3..6]) * 2,
                w: u24(&body[6..9]) + 1,
                h: u24(&body[9..12]) + 1,
                blend: body[15] & 0x02 == 0,
                dispose_bg: body[15] & 0x01 != 0,
                payload: &body[16..],
            });
        }
        pos = pos
            .saturating_add(8)
            .saturating_add(size)
            .saturating_add(size & 1);
    }
    if frames.is_empty() {
        return Err(dec_err("an animated WebP without ANMF frames"));
    }
    Ok(Animation { frames })
}

/// Decodes one frame's chunks as a standalone WebP, to RGBA.
fn decode_frame(f: &AnimFrame<'_>) -> Result<(Vec<u8>, bool)> {
    let has_alph = f.payload.get(..4) == Some(b"ALPH");
    let mut file = Vec::with_capacity(f.payload.len() + 30);
    file.extend_from_slice(b"RIFF");
    file.extend_from_slice(&[0; 4]);
    file.extend_from_slice(b"WEBP");
    if has_alph {
        let (w1, h1) = ((f.w - 1) as u32, (f.h - 1) as u32);
        file.extend_from_slice(b"VP8X");
        file.extend_from_slice(&10u32.to_le_bytes());
        file.extend_from_slice(&[0x10, 0, 0, 0]);
        file.extend_from_slice(&w1.to_le_bytes()[..3]);
        file.extend_from_slice(&h1.to_le_bytes()[..3]);
    }
    file.extend_from_slice(f.payload);
    let riff = u32::try_from(file.len() - 8).map_err(|_| dec_err("frame too large"))?;
    file[4..8].copy_from_slice(&riff.to_le_bytes());
    let img = ::webp::Decoder::new(&file)
        .decode()
        .ok_or_else(|| dec_err("a frame of the animation does not decode"))?;
    if img.width() as usize != f.w || img.height() as usize != f.h {
        return Err(dec_err("a frame's bitstream size differs from its ANMF header"));
    }
    let alpha = img.is_alpha();
    let px: &[u8] = &img;
    let rgba = if alpha {
        px.to_vec()
    } else {
        px.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect()
    };
    if rgba.len() != f.w * f.h * 4 {
        return Err(dec_err("a frame decoded to the wrong number of pixels"));
    }
    Ok((rgba, alpha))
}

/// libwebp's `BlendPixelNonPremult`: `src` over `dst`, both RGBA.
fn blend_pixel(src: &mut [u8], dst: &[u8]) {
    let src_a = u32::from(src[3]);
    if src_a == 0 {
        src.copy_from_slice(dst);
        return;
    }
    let dst_a = u32::from(dst[3]);
    let dst_factor_a = (dst_a * (256 - src_a)) >> 8;
    let blend_a = src_a + dst_factor_a;
    let scale = (1u64 << 24) / u64::from(blend_a);
    for ch in 0..3 {
        let unscaled = u64::from(src[ch]) * u64::from(src_a) + u64::from(dst[ch]) * u64::from(dst_factor_a);
        src[ch] = ((unscaled * scale) >> 24) as u8;
    }
    src[3] = blend_a as u8;
}

/// Composites the frames on an RGBA canvas as libwebp's `WebPAnimDecoderGetNext`.
fn composite(anim: &Animation<'_>, cw: usize, ch: usize, c: usize) -> Result<Vec<Vec<u8>>> {
    let full = |f: &AnimFrame<'_>| f.w == cw && f.h == ch;
    let mut disposed = vec![0u8; cw * ch * 4];
    let mut out = Vec::with_capacity(anim.frames.len());
    let mut prev: Option<(&AnimFrame<'_>, bool)> = None;
    for (i, f) in anim.frames.iter().enumerate() {
        if f.x + f.w > cw || f.y + f.h > ch {
            return Err(dec_err(format!(
                "frame {i} ({}x{} at {},{}) does not fit the {cw}x{ch} canvas",
                f.w, f.h, f.x, f.y
            )));
        }
        let (rgba, has_alpha) = decode_frame(f)?;
        let key = match prev {
            None => true,
            Some(_) if (!has_alpha || !f.blend) && full(f) => true,
            Some((p, p_key)) => p.dispose_bg && (full(p) || p_key),
        };
        let mut canvas = if key {
            vec![0u8; cw * ch * 4]
        } else {
            disposed.clone()
        };
        for y in 0..f.h {
            let row = ((f.y + y) * cw + f.x) * 4;
            canvas[row..row + f.w * 4].copy_from_slice(&rgba[y * f.w * 4..(y + 1) * f.w * 4]);
        }
        if f.blend && !key {
            for y in 0..f.h {
                for x in 0..f.w {
                    let (cx, cy) = (f.x + x, f.y + y);
                    if let Some((p, _)) = prev.filter(|(p, _)| p.dispose_bg) {
                        if cx >= p.x && cx < p.x + p.w && cy >= p.y && cy < p.y + p.h {
                            continue;
                        }
                    }
                    let o = (cy * cw + cx) * 4;
                    if canvas[o + 3] != 255 {
                        let dst = [disposed[o], disposed[o + 1], disposed[o + 2], disposed[o + 3]];
                        blend_pixel(&mut canvas[o..o + 4], &dst);
                    }
                }
            }
        }
        disposed.clone_from(&canvas);
        if f.dispose_bg {
            for y in 0..f.h {
                let row = ((f.y + y) * cw + f.x) * 4;
                disposed[row..row + f.w * 4].fill(0);
            }
        }
        out.push(if c == 4 {
            canvas
        } else {
            canvas.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
        });
        prev = Some((f, key));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    fn img(h: usize, w: usize, c: usize, k: usize) -> ArrayBuf {
        let data = (0..h * w * c)
            .map(|i| ((i / c % w) * 2 + (i / c / w) + (i % c) * 20 + k * 10) as u8)
            .collect();
        let shape = if c == 1 { vec![h, w] } else { vec![h, w, c] };
        ArrayBuf::new(data, DType::U8, shape, Order::C).unwrap()
    }

    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let mse: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum::<f64>()
            / a.len() as f64;
        10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
    }

    #[test]
    fn lossy_default_and_lossless_option() {
        let a = img(48, 64, 3, 0);
        let lossy = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
        assert!(lossy.starts_with(b"RIFF") && &lossy[8..12] == b"WEBP");
        let b = decode(&lossy, &DecodeOptions::default()).unwrap();
        assert_eq!(b.shape(), a.shape());
        assert!(psnr(a.data(), b.data()) > 25.0);
        let opts = EncodeOptions {
            lossless: true,
            ..Default::default()
        };
        let exact = encode(&MediaData::Array(a.clone()), &opts).unwrap();
        assert_eq!(decode(&exact, &DecodeOptions::default()).unwrap(), a);
        let rgba = img(17, 33, 4, 0);
        let back = decode(
            &encode(&MediaData::Array(rgba.clone()), &opts).unwrap(),
            &DecodeOptions::default(),
        );
        assert_eq!(back.unwrap(), rgba);
        let gray = img(17, 33, 1, 0);
        let back = decode(
            &encode(&MediaData::Array(gray), &opts).unwrap(),
            &DecodeOptions::default(),
        );
        assert_eq!(back.unwrap().shape(), &[17, 33, 3]);
    }

    #[test]
    fn frame_lists_read_back_as_all_frames() {
        let frames: Vec<ArrayBuf> = (0..8).map(|k| img(48, 64, 3, k)).collect();
        let opts = EncodeOptions {
            lossless: true,
            ..Default::default()
        };
        let bytes = encode(&MediaData::Frames(frames.clone()), &opts).unwrap();
        let back = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(back.shape(), &[8, 48, 64, 3]);
        let rgb: Vec<u8> = frames.iter().flat_map(|f| f.data().to_vec()).collect();
        assert!(back.data() == rgb.as_slice());
    }
}
