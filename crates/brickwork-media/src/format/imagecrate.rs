//! Glue to the `image` crate shared by the raster format files: limits-checked decoding into an
//! [`ArrayBuf`] and encoding a [`Frame`] through an `ImageEncoder`.

use brickwork_core::ArrayBuf;
use image::{ColorType, ExtendedColorType, ImageDecoder, ImageEncoder};

use crate::pixels::{self, Frame};
use crate::{MediaError, MediaLimits, Result};

/// `image`'s own allocation limits, set from ours (a second line of defence after the header check).
pub fn image_limits(l: &MediaLimits) -> image::Limits {
    let mut lim = image::Limits::default();
    lim.max_alloc = Some(l.max_bytes);
    lim
}

/// Maps an `image` decoding error to ours, keeping its limit errors recognisable.
pub fn image_err(format: &'static str, e: image::ImageError) -> MediaError {
    MediaError::Decode {
        format,
        reason: e.to_string(),
    }
}

/// Decodes one still image: dimensions are checked against `limits` before the buffer is allocated.
/// Returns the samples as `image` lays them out (native-endian) with width, height and color type.
pub fn read_still<D: ImageDecoder>(
    mut dec: D,
    limits: &MediaLimits,
    format: &'static str,
) -> Result<(Vec<u8>, usize, usize, ColorType)> {
    let (w, h) = dec.dimensions();
    let ct = dec.color_type();
    let size = limits.check(
        format,
        u64::from(w),
        u64::from(h),
        1,
        u64::from(ct.bytes_per_pixel()),
    )?;
    dec.set_limits(image_limits(limits))
        .map_err(|e| image_err(format, e))?;
    let mut buf = vec![0u8; size];
    dec.read_image(&mut buf).map_err(|e| image_err(format, e))?;
    Ok((buf, w as usize, h as usize, ct))
}

/// Channels and dtype of an `image` color type.
pub fn layout(ct: ColorType, format: &'static str) -> Result<(usize, brickwork_core::DType)> {
    use brickwork_core::Kind;
    Ok(match ct {
        ColorType::L8 => (1, pixels::u8_dtype()),
        ColorType::La8 => (2, pixels::u8_dtype()),
        ColorType::Rgb8 => (3, pixels::u8_dtype()),
        ColorType::Rgba8 => (4, pixels::u8_dtype()),
        ColorType::L16 => (1, pixels::u16_dtype()),
        ColorType::La16 => (2, pixels::u16_dtype()),
        ColorType::Rgb16 => (3, pixels::u16_dtype()),
        ColorType::Rgba16 => (4, pixels::u16_dtype()),
        ColorType::Rgb32F => (3, pixels::dtype(Kind::Float, 4)),
        ColorType::Rgba32F => (4, pixels::dtype(Kind::Float, 4)),
        other => {
            return Err(MediaError::Decode {
                format,
                reason: format!("unsupported color type {other:?}"),
            })
        }
    })
}

/// Wraps decoded samples as an `(H, W)` or `(H, W, C)` array.
pub fn to_array(buf: Vec<u8>, w: usize, h: usize, ct: ColorType, format: &'static str) -> Result<ArrayBuf> {
    let (c, dtype) = layout(ct, format)?;
    pixels::stack(vec![buf], dtype, &pixels::image_shape(h, w, c), false)
}

/// The `image` color type of a frame, if `image` has one for it.
pub fn color_of(f: &Frame<'_>) -> Option<ExtendedColorType> {
    let size = f.dtype.itemsize();
    let kind = f.dtype.kind();
    use brickwork_core::Kind;
    Some(match (kind, size, f.c) {
        (Kind::UInt, 1, 1) => ExtendedColorType::L8,
        (Kind::UInt, 1, 2) => ExtendedColorType::La8,
        (Kind::UInt, 1, 3) => ExtendedColorType::Rgb8,
        (Kind::UInt, 1, 4) => ExtendedColorType::Rgba8,
        (Kind::UInt, 2, 1) => ExtendedColorType::L16,
        (Kind::UInt, 2, 2) => ExtendedColorType::La16,
        (Kind::UInt, 2, 3) => ExtendedColorType::Rgb16,
        (Kind::UInt, 2, 4) => ExtendedColorType::Rgba16,
        _ => return None,
    })
}

/// Writes one frame with an `image` encoder, refusing sample layouts outside `accepted` with a message
/// that names them.
pub fn write_frame<E: ImageEncoder>(
    enc: E,
    f: &Frame<'_>,
    accepted: &[ExtendedColorType],
    format: &'static str,
) -> Result<()> {
    let ct = color_of(f)
        .filter(|c| accepted.contains(c))
        .ok_or_else(|| MediaError::Encode {
            format,
            reason: format!(
                "{} images with {} channel(s) cannot be written; {format} takes {}",
                pixels::dtype_name(f.dtype),
                f.c,
                describe(accepted)
            ),
        })?;
    let (w, h) = (side(f.w, format)?, side(f.h, format)?);
    enc.write_image(&f.data, w, h, ct)
        .map_err(|e| MediaError::Encode {
            format,
            reason: e.to_string(),
        })
}

/// A side length as `u32`, non-zero.
pub fn side(n: usize, format: &'static str) -> Result<u32> {
    match u32::try_from(n) {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(MediaError::Encode {
            format,
            reason: format!("a side of {n} pixels is not supported"),
        }),
    }
}

/// "uint8 gray (H, W), uint8 RGB (H, W, 3)" for messages.
pub fn describe(accepted: &[ExtendedColorType]) -> String {
    accepted
        .iter()
        .map(|c| match c {
            ExtendedColorType::L8 => "uint8 gray (H, W)",
            ExtendedColorType::La8 => "uint8 gray+alpha (H, W, 2)",
            ExtendedColorType::Rgb8 => "uint8 RGB (H, W, 3)",
            ExtendedColorType::Rgba8 => "uint8 RGBA (H, W, 4)",
            ExtendedColorType::L16 => "uint16 gray (H, W)",
            ExtendedColorType::La16 => "uint16 gray+alpha (H, W, 2)",
            ExtendedColorType::Rgb16 => "uint16 RGB (H, W, 3)",
            ExtendedColorType::Rgba16 => "uint16 RGBA (H, W, 4)",
            _ => "other",
        })
        .collect::<Vec<_>>()
        .join(", ")
}
