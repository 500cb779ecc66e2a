//! WebP, still and animated (`.webp`): libwebp 1.6 (`libwebp-sys`, built from source) to write and to read.
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

use std::borrow::Cow;

use brickwork_core::{ArrayBuf, Kind};

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels::{self, Frame};
use crate::{MediaData, MediaError, Result};

const NAME: &str = "webp";

/// Pillow's default WebP quality.
pub const DEFAULT_QUALITY: u8 = 80;

/// Each frame's duration in a written animation, in milliseconds.
const FRAME_MS: i32 = 100;

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e.to_string())
}

/// A frame as RGB or RGBA bytes (gray expanded) and whether it has alpha.
fn to_rgb_or_rgba(f: Frame<'_>) -> Result<(Cow<'_, [u8]>, bool)> {
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
        3 => (f.data, false),
        _ => (f.data, true),
    })
}

/// Writes a WebP (animated when more than one frame is given).
pub fn encode(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    let first = frames.first().ok_or_else(|| enc_err("no frame"))?;
    imagecrate::side(first.w, NAME)?;
    imagecrate::side(first.h, NAME)?;
    let (w, h) = (first.w, first.h);
    if w > 16383 || h > 16383 {
        return Err(MediaError::Encode {
            format: NAME,
            reason: format!("{w}x{h} is larger than WebP's 16383x16383"),
        });
    }
    let quality = f32::from(opts.quality.unwrap_or(DEFAULT_QUALITY).min(100));
    let converted: Vec<(Cow<'_, [u8]>, bool)> =
        frames.into_iter().map(to_rgb_or_rgba).collect::<Result<_>>()?;
    let settings = libwebp::Settings {
        lossless: opts.lossless,
        quality,
    };
    if let [(px, alpha)] = converted.as_slice() {
        return libwebp::encode(px, w, h, *alpha, settings).map_err(enc_err);
    }
    let frames: Vec<(&[u8], bool)> = converted.iter().map(|(px, a)| (&**px, *a)).collect();
    libwebp::encode_animation(&frames, w, h, FRAME_MS, settings).map_err(enc_err)
}

/// Reads a WebP: one image, or every frame of an animation stacked.
///
/// The header is read with libwebp's `WebPGetFeatures` (canvas size, alpha flag, animation flag) and the
/// size checked against the limits before any pixel buffer exists; a still image is then decoded by
/// libwebp (`WebPDecodeRGB`/`WebPDecodeRGBA` by the alpha flag, as Pillow's `_webp` module chooses its
/// mode), about twice as fast as the pure-Rust `image-webp`.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let features = libwebp::features(bytes)
        .ok_or_else(|| dec_err("not a WebP file (libwebp cannot read its header)"))?;
    let (w, h) = (features.width, features.height);
    let c = if features.has_alpha { 4 } else { 3 };
    let (w64, h64) = (w as u64, h as u64);
    opts.limits.check(NAME, w64, h64, 1, c as u64)?;
    if !features.has_animation {
        let px = libwebp::decode(bytes, &features, c == 4)
            .ok_or_else(|| dec_err("the image data does not decode"))?;
        return pixels::stack(vec![px], pixels::u8_dtype(), &[h, w, c], false);
    }
    // Animated: parsed here (RIFF chunks), each frame decoded by libwebp's still decoder and composited
    // exactly as libwebp's WebPAnimDecoder (which Pillow uses) does. The `webp` crate's own AnimDecoder
    // is not used: it loops forever when a frame fails to decode.
    let anim = parse_animation(bytes)?;
    opts.limits
        .check(NAME, w64, h64, anim.frames.len().max(1) as u64, 4)?;
    let frames = composite(&anim, w, h, c)?;
    pixels::stack(frames, pixels::u8_dtype(), &[h, w, c], true)
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
    let features = libwebp::features(&file)
        .ok_or_else(|| dec_err("a frame of the animation has an unreadable header"))?;
    if (features.width, features.height) != (f.w, f.h) {
        return Err(dec_err("a frame's bitstream size differs from its ANMF header"));
    }
    let rgba = libwebp::decode(&file, &features, true)
        .ok_or_else(|| dec_err("a frame of the animation does not decode"))?;
    Ok((rgba, features.has_alpha))
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

/// The libwebp calls, each owning the libwebp objects it creates and freeing them on every path.
mod libwebp {
    use std::ffi::{c_int, c_void};

    use libwebp_sys as sys;

    /// What `WebPGetFeatures` reads from a file's header.
    pub struct Features {
        pub width: usize,
        pub height: usize,
        pub has_alpha: bool,
        pub has_animation: bool,
    }

    /// The header of `bytes`, or `None` when libwebp cannot read one.
    pub fn features(bytes: &[u8]) -> Option<Features> {
        let mut f = std::mem::MaybeUninit::<sys::WebPBitstreamFeatures>::uninit();
        // SAFETY: libwebp reads at most `bytes.len()` bytes from the pointer and fills `f` when it
        // returns VP8_STATUS_OK; `f` is read only then.
        let f = unsafe {
            if sys::WebPGetFeatures(bytes.as_ptr(), bytes.len(), f.as_mut_ptr())
                != sys::VP8StatusCode::VP8_STATUS_OK
            {
                return None;
            }
            f.assume_init()
        };
        Some(Features {
            width: usize::try_from(f.width).ok().filter(|&w| w > 0)?,
            height: usize::try_from(f.height).ok().filter(|&h| h > 0)?,
            has_alpha: f.has_alpha != 0,
            has_animation: f.has_animation != 0,
        })
    }

    /// Decodes a still image with the size in `features` (read from the same bytes) into RGB, or
    /// RGBA when `rgba`, straight into the returned buffer.
    pub fn decode(bytes: &[u8], features: &Features, rgba: bool) -> Option<Vec<u8>> {
        let c = if rgba { 4 } else { 3 };
        let stride = features.width.checked_mul(c)?;
        let len = stride.checked_mul(features.height)?;
        let stride = c_int::try_from(stride).ok()?;
        // Zeroed rather than uninitialised: libwebp writes every pixel of a successful decode, but
        // this way no byte can be read uninitialised whatever happens (fresh zero pages cost
        // nothing more than writing).
        let mut out = vec![0u8; len];
        // SAFETY: libwebp reads `bytes` within its length and writes at most `len` bytes (it checks
        // `stride * height <= len` for the image's own size before writing); `out` lives past the call.
        let ok = unsafe {
            let decode = if rgba {
                sys::WebPDecodeRGBAInto
            } else {
                sys::WebPDecodeRGBInto
            };
            !decode(bytes.as_ptr(), bytes.len(), out.as_mut_ptr(), len, stride).is_null()
        };
        ok.then_some(out)
    }

    /// How to compress: lossy at `quality`, or lossless.
    #[derive(Clone, Copy)]
    pub struct Settings {
        pub lossless: bool,
        pub quality: f32,
    }

    /// libwebp's default configuration with `settings` applied, as Pillow configures it, plus a
    /// second thread for the analysis pass (`thread_level`: the output bytes do not change).
    fn config(settings: Settings) -> Result<sys::WebPConfig, String> {
        let mut config =
            sys::WebPConfig::new().map_err(|()| "libwebp rejected its default config".to_string())?;
        config.lossless = c_int::from(settings.lossless);
        config.alpha_compression = c_int::from(!settings.lossless);
        config.quality = settings.quality;
        config.thread_level = 1;
        // SAFETY: `config` is an initialised WebPConfig.
        if unsafe { sys::WebPValidateConfig(&config) } == 0 {
            return Err(format!(
                "quality {} is outside libwebp's 0..=100",
                settings.quality
            ));
        }
        Ok(config)
    }

    /// A `WebPPicture` holding a copy of the pixels, freed on drop.
    struct Picture(sys::WebPPicture);

    impl Picture {
        /// Imports `w`x`h` RGB (or RGBA) pixels as ARGB, as Pillow does.
        fn new(px: &[u8], w: usize, h: usize, alpha: bool) -> Result<Self, String> {
            let c = if alpha { 4 } else { 3 };
            let too_big = || format!("{w}x{h} does not fit libwebp's picture");
            let stride = w.checked_mul(c).ok_or_else(too_big)?;
            if stride.checked_mul(h) != Some(px.len()) {
                return Err(format!("{} bytes of pixels are not {w}x{h}x{c}", px.len()));
            }
            let stride = c_int::try_from(stride).map_err(|_| too_big())?;
            let mut pic = Picture(sys::WebPPicture::new().map_err(|()| "libwebp cannot init a picture")?);
            pic.0.use_argb = 1;
            pic.0.width = c_int::try_from(w).map_err(|_| too_big())?;
            pic.0.height = c_int::try_from(h).map_err(|_| too_big())?;
            // SAFETY: `px` holds exactly `h` rows of `stride` bytes (checked above); libwebp copies
            // them into memory it allocates and owns through `pic`, which frees it on drop.
            let ok = unsafe {
                if alpha {
                    sys::WebPPictureImportRGBA(&mut pic.0, px.as_ptr(), stride)
                } else {
                    sys::WebPPictureImportRGB(&mut pic.0, px.as_ptr(), stride)
                }
            };
            if ok == 0 {
                return Err(format!("libwebp could not allocate a {w}x{h} picture"));
            }
            Ok(pic)
        }
    }

    impl Drop for Picture {
        fn drop(&mut self) {
            // SAFETY: the picture was initialised by WebPPictureInit; freeing an unimported one is a no-op.
            unsafe { sys::WebPPictureFree(&mut self.0) }
        }
    }

    /// libwebp's writer callback: appends to the `Vec<u8>` behind `custom_ptr`.
    unsafe extern "C" fn append(data: *const u8, size: usize, pic: *const sys::WebPPicture) -> c_int {
        // SAFETY: `encode` sets `custom_ptr` to a live `Vec<u8>` that nothing else touches during
        // WebPEncode, and libwebp passes `size` readable bytes at `data`.
        let (out, data) = unsafe {
            (
                &mut *(*pic).custom_ptr.cast::<Vec<u8>>(),
                std::slice::from_raw_parts(data, size),
            )
        };
        if out.try_reserve(data.len()).is_err() {
            return 0;
        }
        out.extend_from_slice(data);
        1
    }

    /// Encodes one `w`x`h` image.
    pub fn encode(px: &[u8], w: usize, h: usize, alpha: bool, settings: Settings) -> Result<Vec<u8>, String> {
        let config = config(settings)?;
        let mut pic = Picture::new(px, w, h, alpha)?;
        let mut out: Vec<u8> = Vec::new();
        pic.0.writer = Some(append);
        pic.0.custom_ptr = (&raw mut out).cast::<c_void>();
        // SAFETY: `config` is validated, `pic` holds an imported picture and its writer appends to
        // `out`, which outlives the call.
        let ok = unsafe { sys::WebPEncode(&config, &mut pic.0) };
        if ok == 0 {
            return Err(format!("libwebp failed to encode ({:?})", pic.0.error_code));
        }
        Ok(out)
    }

    /// A `WebPAnimEncoder`, deleted on drop.
    struct AnimEncoder(*mut sys::WebPAnimEncoder);

    impl Drop for AnimEncoder {
        fn drop(&mut self) {
            // SAFETY: the pointer came from WebPAnimEncoderNewInternal and is deleted once.
            unsafe { sys::WebPAnimEncoderDelete(self.0) }
        }
    }

    impl AnimEncoder {
        fn error(&self, what: &str) -> String {
            // SAFETY: the encoder is live; libwebp returns a NUL-terminated string it owns (or null).
            let msg = unsafe {
                let p = sys::WebPAnimEncoderGetError(self.0);
                (!p.is_null()).then(|| std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned())
            };
            format!(
                "{what}: {}",
                msg.unwrap_or_else(|| "libwebp gave no reason".into())
            )
        }
    }

    /// Encodes frames of `w`x`h` pixels as an animation looping forever, `frame_ms` per frame.
    pub fn encode_animation(
        frames: &[(&[u8], bool)],
        w: usize,
        h: usize,
        frame_ms: c_int,
        settings: Settings,
    ) -> Result<Vec<u8>, String> {
        let config = config(settings)?;
        let abi = sys::WebPGetMuxABIVersion();
        let mut options = std::mem::MaybeUninit::<sys::WebPAnimEncoderOptions>::uninit();
        // SAFETY: libwebp fills the options (returning 0 only on an ABI mismatch, checked).
        let mut options = unsafe {
            if sys::WebPAnimEncoderOptionsInitInternal(options.as_mut_ptr(), abi) == 0 {
                return Err("libwebp's animation encoder has a different ABI".into());
            }
            options.assume_init()
        };
        options.anim_params.loop_count = 0;
        let too_big = || format!("{w}x{h} does not fit libwebp's animation encoder");
        let (cw, ch) = (
            c_int::try_from(w).map_err(|_| too_big())?,
            c_int::try_from(h).map_err(|_| too_big())?,
        );
        // SAFETY: valid options; a null return (out of memory, bad size) is checked.
        let enc = AnimEncoder(unsafe { sys::WebPAnimEncoderNewInternal(cw, ch, &options, abi) });
        if enc.0.is_null() {
            return Err(too_big());
        }
        let mut timestamp: c_int = 0;
        for &(px, alpha) in frames {
            let mut pic = Picture::new(px, w, h, alpha)?;
            // SAFETY: live encoder, imported picture of the canvas size, validated config; libwebp
            // copies what it keeps, so `pic` may be freed after the call.
            if unsafe { sys::WebPAnimEncoderAdd(enc.0, &mut pic.0, timestamp, &config) } == 0 {
                return Err(enc.error("libwebp failed to add a frame"));
            }
            timestamp = timestamp.saturating_add(frame_ms);
        }
        let mut data = sys::WebPData::default();
        // SAFETY: a null frame marks the end (its timestamp ends the last frame); `data` receives a
        // buffer libwebp allocates, freed with WebPDataClear once copied.
        unsafe {
            if sys::WebPAnimEncoderAdd(enc.0, std::ptr::null_mut(), timestamp, std::ptr::null()) == 0
                || sys::WebPAnimEncoderAssemble(enc.0, &mut data) == 0
            {
                return Err(enc.error("libwebp failed to assemble the animation"));
            }
            let out = std::slice::from_raw_parts(data.bytes, data.size).to_vec();
            sys::WebPDataClear(&mut data);
            Ok(out)
        }
    }
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
