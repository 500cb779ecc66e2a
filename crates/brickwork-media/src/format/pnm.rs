//! Netpbm (`.pgm`, `.ppm`, `.pbm`, `.pnm`): P4/P5/P6 written here, read through the `image` crate (P4 here).
//!
//! Writing, as Pillow (which picks the subtype from the image, not the extension): `bool` → P4 (bit 1 =
//! black), gray `uint8`/`uint16` → P5, RGB `uint8`/`uint16` → P6, all binary; `float32` gray → PFM `Pf`
//! (bottom-up little-endian rows, scale -1.0, Pillow's mode "F"). Pillow casts `float64` to float32
//! silently; brickwork refuses it (cast it yourself). **Never PAM (P7)**, which
//! is `image`'s default and which Pillow cannot read. Gray + alpha, RGBA, float and lists are refused.
//!
//! Reading: P4/P1 → `bool`; P5/P2 → gray `uint8` or `uint16`; P6/P3 → RGB; `Pf`/`PF` → `float32` gray
//! or RGB; P7 as `image` decodes it.
//! Difference from imageio, on purpose: a 16-bit P5 reads as `uint16`; Pillow returns it as `int32`.
//!
//! Limits: the header size is checked before the pixel buffer is allocated.

use std::io::Cursor;

use brickwork_core::{ArrayBuf, Kind};
use image::codecs::pnm::PnmDecoder;

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::{MediaData, MediaError, Result};

const NAME: &str = "pnm";

fn dec_err(reason: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, reason)
}

/// Writes a P4, P5 or P6 file.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    pixels::single(&frames, NAME)?;
    let f = frames.first().ok_or_else(|| dec_err("no frame"))?;
    if f.dtype.kind() == Kind::Bool && f.c == 1 {
        let row = f.w.div_ceil(8);
        let mut out = format!("P4\n{} {}\n", f.w, f.h).into_bytes();
        for y in 0..f.h {
            let mut line = vec![0u8; row];
            for x in 0..f.w {
                if f.data.get(y * f.w + x).copied().unwrap_or(0) == 0 {
                    line[x / 8] |= 0x80 >> (x % 8);
                }
            }
            out.extend_from_slice(&line);
        }
        return Ok(out);
    }
    if f.dtype == pixels::dtype(Kind::Float, 4) && f.c == 1 {
        let mut out = format!("Pf\n{} {}\n-1.0\n", f.w, f.h).into_bytes();
        let row = f.w * 4;
        for y in (0..f.h).rev() {
            out.extend_from_slice(&f.data[y * row..(y + 1) * row]);
        }
        return Ok(out);
    }
    let wide = f.dtype == pixels::u16_dtype();
    if !(wide || f.dtype == pixels::u8_dtype()) || !(f.c == 1 || f.c == 3) {
        return Err(MediaError::Encode {
            format: NAME,
            reason: format!(
                "{} images with {} channel(s) cannot be written; Netpbm takes bool (H, W), uint8/uint16 \
                 gray (H, W) or RGB (H, W, 3), float32 gray (H, W) (PFM)",
                pixels::dtype_name(f.dtype),
                f.c
            ),
        });
    }
    let magic = if f.c == 1 { "P5" } else { "P6" };
    let maxval = if wide { 65535 } else { 255 };
    let mut out = format!("{magic}\n{} {}\n{maxval}\n", f.w, f.h).into_bytes();
    if wide {
        out.extend(f.data.chunks_exact(2).flat_map(|s| [s[1], s[0]]));
    } else {
        out.extend_from_slice(&f.data);
    }
    Ok(out)
}

/// Reads the `count` whitespace-separated header tokens after the 2-byte magic (skipping `#` comments)
/// and the single whitespace byte that ends the header; returns the tokens and the data offset.
fn header_tokens(bytes: &[u8], count: usize) -> Result<(Vec<&str>, usize)> {
    let mut pos = 2;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        loop {
            match bytes.get(pos) {
                Some(b'#') => {
                    while bytes.get(pos).is_some_and(|&b| b != b'\n') {
                        pos += 1;
                    }
                }
                Some(b) if b.is_ascii_whitespace() => pos += 1,
                _ => break,
            }
        }
        let start = pos;
        while bytes.get(pos).is_some_and(|b| !b.is_ascii_whitespace()) && pos - start < 64 {
            pos += 1;
        }
        let token = std::str::from_utf8(&bytes[start..pos]).map_err(|_| dec_err("bad header"))?;
        if token.is_empty() {
            return Err(dec_err("truncated header"));
        }
        out.push(token);
    }
    if !bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        return Err(dec_err("bad header"));
    }
    Ok((out, pos + 1))
}

fn dims(tokens: &[&str]) -> Result<(usize, usize)> {
    let num = |t: &str| {
        t.parse::<usize>()
            .map_err(|_| dec_err(format!("{t:?} is not a size")))
    };
    match tokens {
        [w, h, ..] => Ok((num(w)?, num(h)?)),
        _ => Err(dec_err("truncated header")),
    }
}

/// Reads a PFM (`Pf` gray, `PF` RGB): float32 rows stored bottom-up, little-endian when the scale is
/// negative, as Pillow writes and reads mode "F".
fn decode_pfm(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let c = if bytes.starts_with(b"PF") { 3 } else { 1 };
    let (tokens, off) = header_tokens(bytes, 3)?;
    let (w, h) = dims(&tokens)?;
    let scale: f64 = tokens[2]
        .parse()
        .map_err(|_| dec_err("the PFM scale is not a number"))?;
    if scale == 0.0 || !scale.is_finite() {
        return Err(dec_err("the PFM scale must be a non-zero number"));
    }
    let size = opts.limits.check(NAME, w as u64, h as u64, 1, 4 * c as u64)?;
    let body = bytes
        .get(off..off + size)
        .ok_or_else(|| dec_err("the file is shorter than its header says"))?;
    let row = w * c * 4;
    let mut out = Vec::with_capacity(size);
    for y in (0..h).rev() {
        let line = &body[y * row..(y + 1) * row];
        if scale < 0.0 {
            out.extend_from_slice(line);
        } else {
            out.extend(line.chunks_exact(4).flat_map(|v| [v[3], v[2], v[1], v[0]]));
        }
    }
    pixels::stack(
        vec![out],
        pixels::dtype(Kind::Float, 4),
        &pixels::image_shape(h, w, c),
        false,
    )
}

/// Reads a Netpbm file.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    if bytes.starts_with(b"Pf") || bytes.starts_with(b"PF") {
        return decode_pfm(bytes, opts);
    }
    if bytes.starts_with(b"P4") {
        let (tokens, off) = header_tokens(bytes, 2)?;
        let (w, h) = dims(&tokens)?;
        opts.limits.check(NAME, w as u64, h as u64, 1, 1)?;
        let row = w.div_ceil(8);
        let body = bytes
            .get(off..off + row * h)
            .ok_or_else(|| dec_err("the file is shorter than its header says"))?;
        let mut out = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                out.push(u8::from(body[y * row + x / 8] & (0x80 >> (x % 8)) == 0));
            }
        }
        return pixels::stack(vec![out], pixels::bool_dtype(), &[h, w], false);
    }
    let dec = PnmDecoder::new(Cursor::new(bytes)).map_err(|e| imagecrate::image_err(NAME, e))?;
    let p1 = bytes.starts_with(b"P1");
    let (buf, w, h, ct) = imagecrate::read_still(dec, &opts.limits, NAME)?;
    if p1 {
        let out = buf.iter().map(|&v| u8::from(v != 0)).collect();
        return pixels::stack(vec![out], pixels::bool_dtype(), &[h, w], false);
    }
    imagecrate::to_array(buf, w, h, ct, NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    #[test]
    fn p4_p5_p6_round_trip_and_never_pam() {
        let u16d = DType::parse("<u2").unwrap();
        for (dtype, shape, magic) in [
            (pixels::bool_dtype(), vec![17, 33], b"P4"),
            (DType::U8, vec![17, 33], b"P5"),
            (u16d, vec![17, 33], b"P5"),
            (DType::U8, vec![17, 33, 3], b"P6"),
            (u16d, vec![17, 33, 3], b"P6"),
            (DType::parse("<f4").unwrap(), vec![17, 33], b"Pf"),
        ] {
            let n = shape.iter().product::<usize>() * dtype.itemsize();
            let data = (0..n)
                .map(|i| {
                    if dtype.kind() == Kind::Bool {
                        u8::from(i % 5 < 2)
                    } else {
                        (i * 13) as u8
                    }
                })
                .collect();
            let a = ArrayBuf::new(data, dtype, shape, Order::C).unwrap();
            let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            assert!(b.starts_with(magic));
            let back = decode(&b, &DecodeOptions::default()).unwrap();
            assert!(back == a, "{magic:?}");
        }
    }

    #[test]
    fn truncated_p4_is_an_error() {
        assert!(decode(b"P4\n33 17\n\x00", &DecodeOptions::default()).is_err());
        assert!(decode(b"P4\n999999 999999\n", &DecodeOptions::default()).is_err());
    }
}
