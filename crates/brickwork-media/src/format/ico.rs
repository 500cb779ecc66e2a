//! ICO (`.ico`): one PNG-compressed entry, as Pillow writes them.
//!
//! Writing: one frame of at most 256×256, stored as a PNG inside the icon (any layout `png.rs` writes:
//! gray, gray + alpha, RGB, RGBA, `uint8`). Difference from imageio, on purpose: Pillow shrinks the image
//! to its standard icon sizes (a 33×17 image comes back 16×8); brickwork keeps the size and refuses
//! images larger than 256×256, the format's limit, with a clear error.
//!
//! Reading, as Pillow: the largest entry. PNG entries are decoded by `png.rs` in their own layout (so
//! Pillow's RGB icons read as RGB; `image`'s ICO decoder rejects them); BMP entries through `image` as
//! RGBA. Limits: the entry's PNG/BMP header is checked before its pixels are allocated.

use std::io::Cursor;

use brickwork_core::ArrayBuf;
use image::codecs::ico::IcoDecoder;

use super::{imagecrate, png};
use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::{MediaData, MediaError, Result};

const NAME: &str = "ico";

fn dec_err(reason: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, reason)
}

/// Writes an ICO with one PNG entry.
pub fn encode(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    pixels::single(&frames, NAME)?;
    let f = frames.first().ok_or_else(|| dec_err("no frame"))?;
    if f.w > 256 || f.h > 256 {
        return Err(MediaError::Encode {
            format: NAME,
            reason: format!("{}x{} is larger than ICO's 256x256; resize it first", f.w, f.h),
        });
    }
    if f.dtype != pixels::u8_dtype() {
        return Err(MediaError::Encode {
            format: NAME,
            reason: format!(
                "{} pixels are not supported; ICO takes uint8",
                pixels::dtype_name(f.dtype)
            ),
        });
    }
    let png = png::encode(data, opts)?;
    let size = u32::try_from(png.len()).map_err(|_| dec_err("entry too large"))?;
    let mut out = Vec::with_capacity(22 + png.len());
    out.extend_from_slice(&[0, 0, 1, 0, 1, 0]);
    // Width and height bytes: 0 means 256.
    out.push((f.w % 256) as u8);
    out.push((f.h % 256) as u8);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&32u16.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&22u32.to_le_bytes());
    out.extend_from_slice(&png);
    Ok(out)
}

/// Reads the largest entry of an ICO.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    if bytes.len() < 6 || bytes[..4] != [0, 0, 1, 0] {
        return Err(dec_err("not an icon file (expected 00 00 01 00)"));
    }
    let count = usize::from(u16::from_le_bytes([bytes[4], bytes[5]]));
    let mut best: Option<(u32, usize, usize)> = None;
    for i in 0..count {
        let e = bytes
            .get(6 + i * 16..6 + (i + 1) * 16)
            .ok_or_else(|| dec_err("truncated directory"))?;
        let side = |b: u8| if b == 0 { 256u32 } else { u32::from(b) };
        let area = side(e[0]) * side(e[1]);
        let size = u32::from_le_bytes([e[8], e[9], e[10], e[11]]) as usize;
        let offset = u32::from_le_bytes([e[12], e[13], e[14], e[15]]) as usize;
        if best.is_none_or(|(a, _, _)| area > a) {
            best = Some((area, offset, size));
        }
    }
    let (_, offset, size) = best.ok_or_else(|| dec_err("the icon has no entry"))?;
    let entry = bytes
        .get(offset..offset.saturating_add(size))
        .ok_or_else(|| dec_err("an entry lies outside the file"))?;
    if entry.starts_with(b"\x89PNG\r\n\x1a\n") {
        return png::decode(entry, opts);
    }
    let dec = IcoDecoder::new(Cursor::new(bytes)).map_err(|e| imagecrate::image_err(NAME, e))?;
    let (buf, w, h, ct) = imagecrate::read_still(dec, &opts.limits, NAME)?;
    imagecrate::to_array(buf, w, h, ct, NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    #[test]
    fn rgb_icon_round_trips_and_big_is_refused() {
        let a = ArrayBuf::new(
            (0..17 * 33 * 3).map(|i| i as u8).collect(),
            DType::U8,
            vec![17, 33, 3],
            Order::C,
        )
        .unwrap();
        let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
        assert!(decode(&b, &DecodeOptions::default()).unwrap() == a);
        let big = ArrayBuf::new(vec![0; 300 * 10 * 3], DType::U8, vec![10, 300, 3], Order::C).unwrap();
        let e = encode(&MediaData::Array(big), &EncodeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("256"), "{e}");
        assert!(decode(&[0, 0, 1, 0, 5, 0], &DecodeOptions::default()).is_err());
    }
}
