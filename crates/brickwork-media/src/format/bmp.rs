//! BMP (`.bmp`), through the `image` crate, plus a 1-bit writer for `bool`.
//!
//! Writing, as imageio's pillow plugin: `uint8` gray `(H, W)` (8-bit with a gray palette), RGB and RGBA;
//! `bool` as a 1-bit black-and-white BMP (Pillow's mode "1"). One frame only; gray + alpha, 16-bit and
//! float are refused (Pillow: "cannot write mode ... as BMP").
//!
//! Reading, as Pillow: a palette BMP whose palette is the identity gray ramp reads as gray `(H, W)`
//! `uint8`, and a 2-colour black/white one as `bool` (Pillow's "L" and "1" modes); other palette and
//! true-colour BMPs read as RGB or RGBA `uint8`. Pillow reads 32-bit BMPs as RGB unless they carry an
//! alpha mask; brickwork returns what `image` decodes (RGBA for 32-bit with alpha).
//!
//! Limits: the header size is checked before the pixel buffer is allocated.

use std::io::Cursor;

use brickwork_core::{ArrayBuf, Kind};
use image::codecs::bmp::{BmpDecoder, BmpEncoder};
use image::{ColorType, ExtendedColorType};

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels::{self, Frame};
use crate::{MediaData, MediaError, Result};

const NAME: &str = "bmp";

/// Writes a BMP.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    pixels::single(&frames, NAME)?;
    let f = frames.first().ok_or_else(|| MediaError::Encode {
        format: NAME,
        reason: "no frame".into(),
    })?;
    if f.dtype.kind() == Kind::Bool && f.c == 1 {
        return write_1bit(f);
    }
    let mut out = Vec::new();
    imagecrate::write_frame(
        BmpEncoder::new(&mut out),
        f,
        &[
            ExtendedColorType::L8,
            ExtendedColorType::Rgb8,
            ExtendedColorType::Rgba8,
        ],
        NAME,
    )?;
    Ok(out)
}

/// A 1-bit BMP with a black/white palette, rows bottom-up padded to 4 bytes.
fn write_1bit(f: &Frame<'_>) -> Result<Vec<u8>> {
    let w = imagecrate::side(f.w, NAME)?;
    let h = imagecrate::side(f.h, NAME)?;
    let row = f.w.div_ceil(32) * 4;
    let data_len = row * f.h;
    let offset = 14 + 40 + 8;
    let total = u32::try_from(offset + data_len).map_err(|_| MediaError::Encode {
        format: NAME,
        reason: "the image is too large for BMP".into(),
    })?;
    let mut out = Vec::with_capacity(offset + data_len);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(offset as u32).to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&w.to_le_bytes());
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(data_len as u32).to_le_bytes());
    out.extend_from_slice(&2835u32.to_le_bytes());
    out.extend_from_slice(&2835u32.to_le_bytes());
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 255, 255, 255, 0]);
    for y in (0..f.h).rev() {
        let mut line = vec![0u8; row];
        for x in 0..f.w {
            if f.data.get(y * f.w + x).copied().unwrap_or(0) != 0 {
                line[x / 8] |= 0x80 >> (x % 8);
            }
        }
        out.extend_from_slice(&line);
    }
    Ok(out)
}

/// Pillow's palette rule: `Some(true)` for a black/white 2-colour palette ("1"), `Some(false)` for the
/// identity gray ramp ("L"), `None` otherwise (or when the file has no palette).
fn gray_palette(bytes: &[u8]) -> Option<bool> {
    let u32_at = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u16_at = |o: usize| bytes.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let dib = u32_at(14)? as usize;
    let (bpp, colors, entry) = if dib == 12 {
        let bpp = u16_at(24)?;
        (bpp, 1usize << bpp.min(8), 3)
    } else {
        let bpp = u16_at(28)?;
        let used = u32_at(46)? as usize;
        (bpp, if used == 0 { 1usize << bpp.min(8) } else { used }, 4)
    };
    if bpp > 8 || colors == 0 || colors > 256 {
        return None;
    }
    let start = 14 + dib;
    let expected: Vec<u8> = if colors == 2 {
        vec![0, 255]
    } else {
        (0..colors).map(|i| i as u8).collect()
    };
    for (i, v) in expected.iter().enumerate() {
        let e = bytes.get(start + i * entry..start + i * entry + 3)?;
        if e != [*v, *v, *v] {
            return None;
        }
    }
    Some(colors == 2)
}

/// Reads a BMP.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let dec = BmpDecoder::new(Cursor::new(bytes)).map_err(|e| imagecrate::image_err(NAME, e))?;
    let (buf, w, h, ct) = imagecrate::read_still(dec, &opts.limits, NAME)?;
    let step = match ct {
        ColorType::Rgb8 => 3,
        ColorType::Rgba8 => 4,
        _ => 0,
    };
    if step > 0 {
        if let Some(bilevel) = gray_palette(bytes) {
            let gray: Vec<u8> = buf
                .chunks_exact(step)
                .map(|p| if bilevel { u8::from(p[0] != 0) } else { p[0] })
                .collect();
            let dtype = if bilevel {
                pixels::bool_dtype()
            } else {
                pixels::u8_dtype()
            };
            return pixels::stack(vec![gray], dtype, &[h, w], false);
        }
    }
    imagecrate::to_array(buf, w, h, ct, NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    fn arr(dtype: brickwork_core::DType, shape: Vec<usize>) -> ArrayBuf {
        let n: usize = shape.iter().product();
        let data = (0..n)
            .map(|i| {
                if dtype.kind() == Kind::Bool {
                    u8::from(i % 3 == 0)
                } else {
                    (i * 7) as u8
                }
            })
            .collect();
        ArrayBuf::new(data, dtype, shape, Order::C).unwrap()
    }

    #[test]
    fn gray_rgb_rgba_and_bool_round_trip() {
        for a in [
            arr(DType::U8, vec![17, 33]),
            arr(DType::U8, vec![17, 33, 3]),
            arr(DType::U8, vec![17, 33, 4]),
            arr(pixels::bool_dtype(), vec![17, 33]),
        ] {
            let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            assert!(b.starts_with(b"BM"));
            let back = decode(&b, &DecodeOptions::default()).unwrap();
            assert!(back == a, "{:?} {:?}", a.shape(), a.dtype());
        }
    }

    #[test]
    fn lists_and_la_are_refused() {
        let l = MediaData::Frames(vec![arr(DType::U8, vec![4, 4, 3]), arr(DType::U8, vec![4, 4, 3])]);
        assert!(encode(&l, &EncodeOptions::default())
            .unwrap_err()
            .to_string()
            .contains("single image"));
        let la = MediaData::Array(arr(DType::U8, vec![4, 4, 2]));
        assert!(encode(&la, &EncodeOptions::default()).is_err());
    }
}
