//! TGA (`.tga`), through the `image` crate (RLE-compressed output, which Pillow reads).
//!
//! Writing, as imageio's pillow plugin: `uint8` gray, gray + alpha, RGB or RGBA, one frame; `bool` as
//! Pillow writes mode "1": an uncompressed 1-bit gray TGA (type 3), rows bottom-up, with the TGA 2.0
//! footer. Reading: what the header says, as `uint8` `(H, W[, C])`; 1-bit gray TGAs (which `image` does
//! not read) as `bool`. TGA has no magic bytes, so it is only read when the extension or plugin says so.
//! Limits: the header size is checked before allocating.

use std::io::Cursor;

use brickwork_core::{ArrayBuf, Kind};
use image::codecs::tga::{TgaDecoder, TgaEncoder};
use image::ExtendedColorType;

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::pixels::Frame;
use crate::{MediaData, MediaError, Result};

const FOOTER: &[u8] = b"\0\0\0\0\0\0\0\0TRUEVISION-XFILE.\0";

/// A 1-bit gray TGA as Pillow writes mode "1".
fn write_1bit(f: &Frame<'_>) -> Result<Vec<u8>> {
    let side = |n: usize| u16::try_from(n).ok().filter(|v| *v > 0);
    let (Some(w), Some(h)) = (side(f.w), side(f.h)) else {
        return Err(MediaError::Encode {
            format: NAME,
            reason: format!("{}x{} is outside TGA's 1..=65535 sides", f.w, f.h),
        });
    };
    let mut out = vec![0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    out.extend_from_slice(&w.to_le_bytes());
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&[1, 0]);
    let row = f.w.div_ceil(8);
    for y in (0..f.h).rev() {
        let mut line = vec![0u8; row];
        for x in 0..f.w {
            if f.data.get(y * f.w + x).copied().unwrap_or(0) != 0 {
                line[x / 8] |= 0x80 >> (x % 8);
            }
        }
        out.extend_from_slice(&line);
    }
    out.extend_from_slice(FOOTER);
    Ok(out)
}

/// Reads an uncompressed 1-bit gray TGA (type 3, depth 1) to `bool`, if that is what `bytes` is.
fn read_1bit(bytes: &[u8], opts: &DecodeOptions) -> Option<Result<ArrayBuf>> {
    let head = bytes.get(..18)?;
    if head[2] != 3 || head[16] != 1 {
        return None;
    }
    let w = usize::from(u16::from_le_bytes([head[12], head[13]]));
    let h = usize::from(u16::from_le_bytes([head[14], head[15]]));
    Some((|| {
        opts.limits.check(NAME, w as u64, h as u64, 1, 1)?;
        let cmap = if head[1] == 1 {
            usize::from(u16::from_le_bytes([head[5], head[6]])) * usize::from(head[7]).div_ceil(8)
        } else {
            0
        };
        let start = 18 + usize::from(head[0]) + cmap;
        let row = w.div_ceil(8);
        let body = bytes
            .get(start..start + row * h)
            .ok_or_else(|| MediaError::Decode {
                format: NAME,
                reason: "the file is shorter than its header says".into(),
            })?;
        let top_down = head[17] & 0x20 != 0;
        let mut out = Vec::with_capacity(w * h);
        for y in 0..h {
            let src = if top_down { y } else { h - 1 - y };
            for x in 0..w {
                out.push(u8::from(body[src * row + x / 8] & (0x80 >> (x % 8)) != 0));
            }
        }
        pixels::stack(vec![out], pixels::bool_dtype(), &[h, w], false)
    })())
}

const NAME: &str = "tga";

/// Writes a TGA file.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    pixels::single(&frames, NAME)?;
    if let Some(f) = frames
        .first()
        .filter(|f| f.c == 1 && f.dtype.kind() == Kind::Bool)
    {
        return write_1bit(f);
    }
    let mut out = Vec::new();
    for f in &frames {
        imagecrate::write_frame(
            TgaEncoder::new(&mut out),
            f,
            &[
                ExtendedColorType::L8,
                ExtendedColorType::La8,
                ExtendedColorType::Rgb8,
                ExtendedColorType::Rgba8,
            ],
            NAME,
        )?;
    }
    Ok(out)
}

/// Reads a TGA file.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    if let Some(r) = read_1bit(bytes, opts) {
        return r;
    }
    let dec = TgaDecoder::new(Cursor::new(bytes)).map_err(|e| imagecrate::image_err(NAME, e))?;
    let (buf, w, h, ct) = imagecrate::read_still(dec, &opts.limits, NAME)?;
    imagecrate::to_array(buf, w, h, ct, NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    #[test]
    fn every_layout_round_trips() {
        for shape in [vec![17, 33], vec![17, 33, 2], vec![17, 33, 3], vec![17, 33, 4]] {
            let n: usize = shape.iter().product();
            let a = ArrayBuf::new(
                (0..n).map(|i| (i / 7) as u8).collect(),
                DType::U8,
                shape,
                Order::C,
            )
            .unwrap();
            let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            assert!(decode(&b, &DecodeOptions::default()).unwrap() == a);
        }
        let b = ArrayBuf::new(
            (0..55).map(|i| u8::from(i % 3 == 0)).collect(),
            pixels::bool_dtype(),
            vec![5, 11],
            Order::C,
        )
        .unwrap();
        let bytes = encode(&MediaData::Array(b.clone()), &EncodeOptions::default()).unwrap();
        assert_eq!(&bytes[18..20], &[0x49, 0x20]);
        assert!(decode(&bytes, &DecodeOptions::default()).unwrap() == b);
        assert!(decode(&bytes[..20], &DecodeOptions::default()).is_err());
    }
}
