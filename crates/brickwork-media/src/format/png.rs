//! PNG and APNG (`.png`, `.apng`), through the `png` crate.
//!
//! Writing, as imageio's pillow plugin: `(H, W)` gray, `(H, W, 2)` gray + alpha, `(H, W, 3)` RGB and
//! `(H, W, 4)` RGBA, in `uint8` or `uint16`; `bool` is written as a 1-bit gray PNG (Pillow's mode "1").
//! A batch of more than one frame (a list, `(N, H, W[, C])`) becomes an APNG (infinite loop, 100 ms per
//! frame, every frame a full canvas); one frame is a plain PNG, as Pillow writes it.
//! The image data is compressed as Pillow compresses it: Pillow's per-row filter choice (None, Up, Sub
//! or Paeth; see `filter_rows`) and deflate with Pillow's settings, by zlib-rs rather than the system
//! zlib that Pillow (and flate2 in this workspace) use; see `PILLOW_DEFLATE`. One `IDAT` holds it all
//! (Pillow writes 64 KiB `IDAT`s).
//!
//! Reading, as imageio's pillow plugin with `index=None`: a plain PNG gives one array, an APNG gives the
//! composited frames stacked as `(N, H, W[, C])`. Sample types: 1-bit gray → `bool`; 2- and 4-bit gray
//! are scaled to `uint8` (×85, ×17, as Pillow's "L;2"/"L;4" unpackers); 8-bit → `uint8`; 16-bit gray
//! → `uint16`; palette images → RGB `uint8` (Pillow converts "P" to its palette mode, dropping tRNS).
//!
//! Differences from imageio, on purpose: 16-bit RGB, RGBA and gray + alpha are written and read as
//! `uint16` (Pillow cannot write them and reads them back truncated to 8 bits); other dtypes are refused
//! with a message naming the accepted ones, as Pillow refuses them ("cannot write mode F as PNG").
//!
//! Limits: the IHDR size and the acTL frame count are checked against [`crate::MediaLimits`] before any
//! pixel buffer is allocated.

use std::borrow::Cow;
use std::io::Cursor;

use brickwork_core::{ArrayBuf, DType, Kind};

use super::{DecodeOptions, EncodeOptions};
use crate::pixels::{self, Frame};
use crate::{MediaData, MediaError, Result};

const NAME: &str = "png";

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e)
}

fn dec_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, e)
}

/// Writes a PNG, or an APNG when more than one frame is given.
///
/// The png crate writes the signature, `IHDR`, `acTL` and `IEND` and frames every chunk (length, type,
/// CRC); the image data is filtered and deflated here (see `filter_rows` and `PILLOW_DEFLATE`):
/// the png crate deflates through flate2, which this workspace builds on the system zlib for the
/// numcodecs `zlib` codec's bytes, and offers neither zlib-rs nor `Z_FILTERED`.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    let dtype = pixels::require_dtype(
        &frames,
        &[pixels::bool_dtype(), pixels::u8_dtype(), pixels::u16_dtype()],
        NAME,
    )?;
    let first = frames.first().ok_or_else(|| enc_err("no frame to write"))?;
    if dtype.kind() == Kind::Bool && first.c != 1 {
        return Err(enc_err(
            "bool images must be 2-D (H, W); write channels as uint8 or uint16",
        ));
    }
    let (w, h) = (dim(first.w)?, dim(first.h)?);
    let color = match first.c {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        _ => png::ColorType::Rgba,
    };
    let depth = match (dtype.kind(), dtype.itemsize()) {
        (Kind::Bool, _) => png::BitDepth::One,
        (_, 1) => png::BitDepth::Eight,
        _ => png::BitDepth::Sixteen,
    };
    // Bits per pixel; Pillow's filter distance is whole bytes per pixel, at least 1 (`(bits + 7) / 8`).
    let pixel_bits = first.c * depth as usize;
    let bpp = pixel_bits.div_ceil(8);
    let row_len = first
        .w
        .checked_mul(pixel_bits)
        .map(|b| b.div_ceil(8))
        .ok_or_else(|| enc_err("a row is too long"))?;
    let animated = frames.len() > 1;
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(depth);
        if animated {
            let n = u32::try_from(frames.len()).map_err(enc_err)?;
            enc.set_animated(n, 0).map_err(enc_err)?;
        }
        let mut writer = enc.write_header().map_err(enc_err)?;
        let mut seq = SequenceNumbers(0);
        for (i, f) in frames.iter().enumerate() {
            let zlib = deflate(&filter_rows(&png_samples(f), row_len, bpp))?;
            if animated {
                let fctl = png::FrameControl {
                    sequence_number: seq.next()?,
                    width: w,
                    height: h,
                    delay_num: 1,
                    delay_den: 10,
                    ..png::FrameControl::default()
                };
                writer
                    .write_chunk(png::chunk::fcTL, &fctl_data(&fctl))
                    .map_err(enc_err)?;
            }
            if i == 0 {
                for part in zlib.chunks(MAX_CHUNK_LEN) {
                    writer.write_chunk(png::chunk::IDAT, part).map_err(enc_err)?;
                }
            } else {
                let mut data = Vec::with_capacity(zlib.len().min(MAX_CHUNK_LEN) + 4);
                for part in zlib.chunks(MAX_CHUNK_LEN - 4) {
                    data.clear();
                    data.extend_from_slice(&seq.next()?.to_be_bytes());
                    data.extend_from_slice(part);
                    writer.write_chunk(png::chunk::fdAT, &data).map_err(enc_err)?;
                }
            }
        }
        writer.finish().map_err(enc_err)?;
    }
    Ok(out)
}

/// The largest chunk the png crate writes (PNG's limit, 2³¹ − 1 bytes).
const MAX_CHUNK_LEN: usize = i32::MAX as usize;

/// APNG's one sequence shared by `fcTL` and `fdAT` chunks, from 0.
struct SequenceNumbers(u32);

impl SequenceNumbers {
    fn next(&mut self) -> Result<u32> {
        let n = self.0;
        self.0 = n
            .checked_add(1)
            .ok_or_else(|| enc_err("more APNG chunks than sequence numbers (2^32)"))?;
        Ok(n)
    }
}

/// The 26 bytes of an `fcTL` chunk (the png crate writes them only from its own image-data path).
fn fctl_data(f: &png::FrameControl) -> [u8; 26] {
    let mut d = [0u8; 26];
    d[..4].copy_from_slice(&f.sequence_number.to_be_bytes());
    d[4..8].copy_from_slice(&f.width.to_be_bytes());
    d[8..12].copy_from_slice(&f.height.to_be_bytes());
    d[12..16].copy_from_slice(&f.x_offset.to_be_bytes());
    d[16..20].copy_from_slice(&f.y_offset.to_be_bytes());
    d[20..22].copy_from_slice(&f.delay_num.to_be_bytes());
    d[22..24].copy_from_slice(&f.delay_den.to_be_bytes());
    d[24] = f.dispose_op as u8;
    d[25] = f.blend_op as u8;
    d
}

/// Pillow's deflate settings for PNG image data (`libImaging/ZipEncode.c`), in zlib-rs's terms.
///
/// Pillow asks zlib for level −1 (zlib's default, 6), a 32 KiB window, `memLevel` 9 and the `Z_FILTERED`
/// strategy (matches shorter than 6 bytes are dropped for literals, which suits filtered rows). zlib's
/// level 6 is its lazy matcher (`deflate_slow`: good 8, lazy 16, nice 128, chain 128), the only one that
/// honours `Z_FILTERED`. zlib-rs follows zlib-ng's level table, where 6 is `deflate_medium`, which
/// ignores `Z_FILTERED` (1.2% larger than Pillow on the bench's photo); its first lazy-matcher level is
/// 7 (good 8, lazy 32, nice 128, chain 256). At 7, zlib-rs writes Pillow's deflate data byte for byte
/// on the Pillow-written test files and the bench photo, in under half of zlib's time.
const PILLOW_DEFLATE: zlib_rs::DeflateConfig = zlib_rs::DeflateConfig {
    level: 7,
    method: zlib_rs::Method::Deflated,
    window_bits: 15,
    mem_level: 9,
    strategy: zlib_rs::Strategy::Filtered,
};

/// A zlib stream of `data`, deflated by zlib-rs with `PILLOW_DEFLATE`.
fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = vec![0u8; zlib_rs::compress_bound(data.len())];
    let (written, rc) = zlib_rs::compress_slice(&mut out, data, PILLOW_DEFLATE);
    if rc != zlib_rs::ReturnCode::Ok {
        return Err(enc_err(format!(
            "zlib-rs could not deflate the image data: {rc:?}"
        )));
    }
    let n = written.len();
    out.truncate(n);
    Ok(out)
}

/// PNG's filtered scanlines (a filter-type byte, then the filtered row) of `h` rows of `row_len` bytes.
///
/// Each row gets the filter Pillow picks (`libImaging/ZipEncode.c`, after libpng's heuristic): of None,
/// Up, Sub and Paeth, in that order, the one whose bytes, read as signed, have the least sum of absolute
/// values; an earlier filter wins ties. Average is not tried (Pillow tries it only with `optimize=True`).
/// `bpp` is the filter's byte distance to the left neighbour. The row above the first is zeros.
fn filter_rows(samples: &[u8], row_len: usize, bpp: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() + samples.len() / row_len.max(1));
    let zeros = vec![0u8; row_len];
    let mut up = vec![0u8; row_len];
    let mut sub = vec![0u8; row_len];
    let mut paeth = vec![0u8; row_len];
    let mut prev: &[u8] = &zeros;
    for cur in samples.chunks_exact(row_len.max(1)) {
        let mut best: (u8, &[u8]) = (0, cur);
        let mut cost = row_cost(cur);
        if cost > 0 {
            filter_up(cur, prev, &mut up);
            let c = row_cost(&up);
            if c < cost {
                (best, cost) = ((2, &up[..]), c);
            }
        }
        if cost > 0 {
            filter_sub(cur, bpp, &mut sub);
            let c = row_cost(&sub);
            if c < cost {
                (best, cost) = ((1, &sub[..]), c);
            }
        }
        if cost > 0 {
            filter_paeth(cur, prev, bpp, &mut paeth);
            if row_cost(&paeth) < cost {
                best = (4, &paeth[..]);
            }
        }
        out.push(best.0);
        out.extend_from_slice(best.1);
        prev = cur;
    }
    out
}

/// Sum of `|byte as i8|`, the filter heuristic's cost of a filtered row.
fn row_cost(row: &[u8]) -> u64 {
    // 65536 × 128 fits a u32: whole chunks sum in 32-bit lanes, which the compiler vectorises.
    row.chunks(1 << 16)
        .map(|c| {
            u64::from(
                c.iter()
                    .map(|&v| u32::from((v as i8).unsigned_abs()))
                    .sum::<u32>(),
            )
        })
        .sum()
}

fn filter_up(cur: &[u8], prev: &[u8], out: &mut [u8]) {
    for ((o, &x), &b) in out.iter_mut().zip(cur).zip(prev) {
        *o = x.wrapping_sub(b);
    }
}

fn filter_sub(cur: &[u8], bpp: usize, out: &mut [u8]) {
    let n = bpp.min(cur.len());
    out[..n].copy_from_slice(&cur[..n]);
    for ((o, &x), &a) in out[n..].iter_mut().zip(&cur[n..]).zip(cur) {
        *o = x.wrapping_sub(a);
    }
}

fn filter_paeth(cur: &[u8], prev: &[u8], bpp: usize, out: &mut [u8]) {
    let n = bpp.min(cur.len());
    // No left neighbour: the predictor is the byte above.
    filter_up(&cur[..n], &prev[..n], &mut out[..n]);
    let left = cur.iter().zip(prev);
    for ((o, (&x, &b)), (&a, &c)) in out[n..].iter_mut().zip(cur[n..].iter().zip(&prev[n..])).zip(left) {
        let (a16, b16, c16) = (i16::from(a), i16::from(b), i16::from(c));
        let pa = (b16 - c16).abs();
        let pb = (a16 - c16).abs();
        let pc = (a16 + b16 - 2 * c16).abs();
        let pred = if pa <= pb && pa <= pc {
            a
        } else if pb <= pc {
            b
        } else {
            c
        };
        *o = x.wrapping_sub(pred);
    }
}

fn dim(n: usize) -> Result<u32> {
    match u32::try_from(n) {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(enc_err(format!(
            "a side of {n} pixels is outside PNG's 1..=4294967295"
        ))),
    }
}

/// The frame's samples as PNG stores them: big-endian 16-bit, bit-packed bool rows, 8-bit as they are.
fn png_samples<'a>(f: &'a Frame<'_>) -> Cow<'a, [u8]> {
    match (f.dtype.kind(), f.dtype.itemsize()) {
        (Kind::Bool, _) => {
            let row_bytes = f.w.div_ceil(8);
            let mut out = vec![0u8; row_bytes * f.h];
            for (y, row) in f.data.chunks_exact(f.w.max(1)).enumerate().take(f.h) {
                for (x, &v) in row.iter().enumerate() {
                    if v != 0 {
                        out[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
                    }
                }
            }
            Cow::Owned(out)
        }
        (_, 2) => Cow::Owned(f.data.chunks_exact(2).flat_map(|s| [s[1], s[0]]).collect()),
        _ => Cow::Borrowed(&f.data[..]),
    }
}

/// How raw PNG samples map to the output array.
#[derive(Clone, Copy)]
struct Layout {
    /// Output channels.
    c: usize,
    /// Output bytes per sample (1 or 2).
    item: usize,
    dtype: DType,
}

fn layout(color: png::ColorType, depth: png::BitDepth) -> Layout {
    use png::ColorType as C;
    let c = match color {
        C::Grayscale => 1,
        C::GrayscaleAlpha => 2,
        C::Rgb | C::Indexed => 3,
        C::Rgba => 4,
    };
    match (color, depth) {
        (C::Grayscale, png::BitDepth::One) => Layout {
            c,
            item: 1,
            dtype: pixels::bool_dtype(),
        },
        (C::Indexed, _) | (_, png::BitDepth::One | png::BitDepth::Two | png::BitDepth::Four) => Layout {
            c,
            item: 1,
            dtype: pixels::u8_dtype(),
        },
        (_, png::BitDepth::Eight) => Layout {
            c,
            item: 1,
            dtype: pixels::u8_dtype(),
        },
        (_, png::BitDepth::Sixteen) => Layout {
            c,
            item: 2,
            dtype: pixels::u16_dtype(),
        },
    }
}

/// Converts one decoded (sub)frame of `w × h` raw rows (`line` bytes each) to output samples.
fn convert(
    raw: &[u8],
    w: usize,
    h: usize,
    line: usize,
    info: &png::Info<'_>,
    lay: Layout,
) -> Result<Vec<u8>> {
    let bits = info.bit_depth as usize;
    let mut out = Vec::with_capacity(w * h * lay.c * lay.item);
    for y in 0..h {
        let row = raw
            .get(y * line..(y + 1) * line)
            .ok_or_else(|| dec_err("image data is shorter than the header says"))?;
        match info.color_type {
            png::ColorType::Indexed => {
                let pal = info
                    .palette
                    .as_deref()
                    .ok_or_else(|| dec_err("palette image without PLTE"))?;
                for x in 0..w {
                    let idx = sub_byte(row, x, bits) as usize;
                    let rgb = pal.get(idx * 3..idx * 3 + 3).unwrap_or(&[0, 0, 0]);
                    out.extend_from_slice(rgb);
                }
            }
            _ if bits < 8 => {
                let scale = 255 / ((1u16 << bits) - 1) as u8;
                for x in 0..w {
                    let v = sub_byte(row, x, bits);
                    out.push(if lay.dtype.kind() == Kind::Bool {
                        u8::from(v != 0)
                    } else {
                        v * scale
                    });
                }
            }
            _ if bits == 16 => {
                let n = w * lay.c * 2;
                let src = row.get(..n).ok_or_else(|| dec_err("short row"))?;
                let start = out.len();
                out.extend_from_slice(src);
                swap_pairs(out.get_mut(start..).unwrap_or_default());
            }
            _ => {
                let n = w * lay.c;
                out.extend_from_slice(row.get(..n).ok_or_else(|| dec_err("short row"))?);
            }
        }
    }
    Ok(out)
}

/// Big-endian 16-bit samples to little-endian, in place (a loop the compiler vectorises).
fn swap_pairs(samples: &mut [u8]) {
    for s in samples.chunks_exact_mut(2) {
        s.swap(0, 1);
    }
}

fn sub_byte(row: &[u8], x: usize, bits: usize) -> u8 {
    if bits >= 8 {
        return row.get(x).copied().unwrap_or(0);
    }
    let per = 8 / bits;
    let byte = row.get(x / per).copied().unwrap_or(0);
    let shift = 8 - bits * (x % per + 1);
    (byte >> shift) & ((1u16 << bits) - 1) as u8
}

/// Reads a PNG (one array) or an APNG (frames stacked on a leading axis).
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let limits = &opts.limits;
    let mut dec = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: usize::try_from(limits.max_bytes).unwrap_or(usize::MAX),
        },
    );
    let (w, h, lay) = {
        let info = dec.read_header_info().map_err(dec_err)?;
        (
            info.width as usize,
            info.height as usize,
            layout(info.color_type, info.bit_depth),
        )
    };
    let frame_bytes = limits.check(NAME, w as u64, h as u64, 1, (lay.c * lay.item) as u64)?;
    let mut reader = dec.read_info().map_err(dec_err)?;
    let animated = reader.info().animation_control;
    let Some(actl) = animated else {
        let mut raw = vec![
            0u8;
            reader
                .output_buffer_size()
                .ok_or_else(|| dec_err("image too large"))?
        ];
        let out = reader.next_frame(&mut raw).map_err(dec_err)?;
        let info = reader.info();
        let whole_bytes = info.bit_depth as usize >= 8 && info.color_type != png::ColorType::Indexed;
        if whole_bytes && out.line_size == w * lay.c * lay.item && raw.len() >= frame_bytes {
            // Rows are packed as the array wants them: keep the decoder's buffer (no second copy).
            raw.truncate(frame_bytes);
            if lay.item == 2 {
                swap_pairs(&mut raw);
            }
            return pixels::stack(vec![raw], lay.dtype, &pixels::image_shape(h, w, lay.c), false);
        }
        let px = convert(&raw, w, h, out.line_size, reader.info(), lay)?;
        debug_assert_eq!(px.len(), frame_bytes);
        return pixels::stack(vec![px], lay.dtype, &pixels::image_shape(h, w, lay.c), false);
    };
    // APNG: Pillow counts the acTL frames (a default image outside the animation is skipped).
    let n = actl.num_frames as usize;
    limits.check(NAME, w as u64, h as u64, n as u64, (lay.c * lay.item) as u64)?;
    let skip_default = reader.info().frame_control.is_none();
    let mut raw = vec![
        0u8;
        reader
            .output_buffer_size()
            .ok_or_else(|| dec_err("image too large"))?
    ];
    if skip_default {
        reader.next_frame(&mut raw).map_err(dec_err)?;
    }
    let px_size = lay.c * lay.item;
    let mut canvas = vec![0u8; frame_bytes];
    let mut frames = Vec::with_capacity(n);
    for _ in 0..n {
        let out = reader.next_frame(&mut raw).map_err(dec_err)?;
        let fc = reader
            .info()
            .frame_control
            .ok_or_else(|| dec_err("APNG frame without fcTL"))?;
        let (fw, fh) = (out.width as usize, out.height as usize);
        let (fx, fy) = (fc.x_offset as usize, fc.y_offset as usize);
        if fx + fw > w || fy + fh > h {
            return Err(dec_err(format!(
                "APNG frame {fw}x{fh} at ({fx}, {fy}) does not fit the {w}x{h} canvas"
            )));
        }
        let sub = convert(&raw, fw, fh, out.line_size, reader.info(), lay)?;
        let previous = (fc.dispose_op == png::DisposeOp::Previous).then(|| canvas.clone());
        for y in 0..fh {
            let src = &sub[y * fw * px_size..(y + 1) * fw * px_size];
            let start = ((fy + y) * w + fx) * px_size;
            let dst = &mut canvas[start..start + fw * px_size];
            if fc.blend_op == png::BlendOp::Over && (lay.c == 2 || lay.c == 4) {
                blend_over(dst, src, lay);
            } else {
                dst.copy_from_slice(src);
            }
        }
        frames.push(canvas.clone());
        match fc.dispose_op {
            png::DisposeOp::Background => {
                for y in 0..fh {
                    let start = ((fy + y) * w + fx) * px_size;
                    canvas[start..start + fw * px_size].fill(0);
                }
            }
            png::DisposeOp::Previous => {
                if let Some(p) = previous {
                    canvas = p;
                }
            }
            png::DisposeOp::None => {}
        }
    }
    pixels::stack(frames, lay.dtype, &pixels::image_shape(h, w, lay.c), true)
}

/// Alpha-composites `src` over `dst` (gray + alpha or RGBA, 8 or 16 bits, little-endian).
fn blend_over(dst: &mut [u8], src: &[u8], lay: Layout) {
    let item = lay.item;
    let max = if item == 2 { 65535.0 } else { 255.0 };
    let get = |s: &[u8], i: usize| -> f64 {
        if item == 2 {
            f64::from(u16::from_le_bytes([s[i * 2], s[i * 2 + 1]]))
        } else {
            f64::from(s[i])
        }
    };
    let px = lay.c;
    for p in 0..src.len() / (px * item) {
        let base = p * px;
        let sa = get(src, base + px - 1) / max;
        let da = get(dst, base + px - 1) / max;
        let oa = sa + da * (1.0 - sa);
        let mut vals = [0.0f64; 4];
        for (ch, v) in vals.iter_mut().enumerate().take(px - 1) {
            let sc = get(src, base + ch);
            let dc = get(dst, base + ch);
            *v = if oa > 0.0 {
                (sc * sa + dc * da * (1.0 - sa)) / oa
            } else {
                0.0
            };
        }
        vals[px - 1] = oa * max;
        for (ch, v) in vals.iter().enumerate().take(px) {
            let v = v.round().clamp(0.0, max);
            let i = base + ch;
            if item == 2 {
                dst[i * 2..i * 2 + 2].copy_from_slice(&(v as u16).to_le_bytes());
            } else {
                dst[i] = v as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_data::golden;
    use crate::MediaLimits;
    use brickwork_core::Order;

    fn arr(data: Vec<u8>, dtype: DType, shape: Vec<usize>) -> ArrayBuf {
        ArrayBuf::new(data, dtype, shape, Order::C).unwrap()
    }

    fn roundtrip(a: ArrayBuf) -> ArrayBuf {
        let bytes = encode(&MediaData::Array(a), &EncodeOptions::default()).unwrap();
        decode(&bytes, &DecodeOptions::default()).unwrap()
    }

    #[test]
    fn every_layout_round_trips() {
        for (shape, dtype) in [
            (vec![17, 33], pixels::u8_dtype()),
            (vec![17, 33, 2], pixels::u8_dtype()),
            (vec![17, 33, 3], pixels::u8_dtype()),
            (vec![17, 33, 4], pixels::u8_dtype()),
            (vec![17, 33], pixels::u16_dtype()),
            (vec![17, 33, 2], pixels::u16_dtype()),
            (vec![17, 33, 3], pixels::u16_dtype()),
            (vec![17, 33, 4], pixels::u16_dtype()),
        ] {
            let n: usize = shape.iter().product::<usize>() * dtype.itemsize();
            let a = arr((0..n).map(|i| (i * 7 % 251) as u8).collect(), dtype, shape);
            assert_eq!(roundtrip(a.clone()), a);
        }
        let b = arr(
            (0..17 * 33).map(|i| u8::from(i % 3 == 0)).collect(),
            pixels::bool_dtype(),
            vec![17, 33],
        );
        assert_eq!(roundtrip(b.clone()), b);
    }

    #[test]
    fn frame_lists_become_apng() {
        let frames: Vec<ArrayBuf> = (0..4u8)
            .map(|k| {
                arr(
                    (0..48 * 64 * 3).map(|i| (i as u8).wrapping_mul(k + 1)).collect(),
                    DType::U8,
                    vec![48, 64, 3],
                )
            })
            .collect();
        let bytes = encode(&MediaData::Frames(frames.clone()), &EncodeOptions::default()).unwrap();
        let back = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(back.shape(), &[4, 48, 64, 3]);
        assert_eq!(back.data(), frames.concat_data());
    }

    trait Concat {
        fn concat_data(&self) -> Vec<u8>;
    }
    impl Concat for Vec<ArrayBuf> {
        fn concat_data(&self) -> Vec<u8> {
            self.iter().flat_map(|a| a.data().to_vec()).collect()
        }
    }

    #[test]
    fn float_is_refused_with_the_accepted_types() {
        let a = arr(vec![0; 4 * 4 * 4], DType::parse("<f4").unwrap(), vec![4, 4]);
        let e = encode(&MediaData::Array(a), &EncodeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("float32") && e.contains("uint16"), "{e}");
    }

    #[test]
    fn huge_header_is_a_limit_error() {
        let bytes = crafted_huge_png();
        let e = decode(&bytes, &DecodeOptions::default()).unwrap_err();
        assert!(matches!(e, MediaError::LimitExceeded { .. }), "{e}");
        let small = DecodeOptions {
            limits: MediaLimits {
                max_pixels: 10,
                max_bytes: 1 << 20,
            },
            ..Default::default()
        };
        let ok = encode(
            &MediaData::Array(arr(vec![0; 16], DType::U8, vec![4, 4])),
            &EncodeOptions::default(),
        )
        .unwrap();
        assert!(matches!(
            decode(&ok, &small),
            Err(MediaError::LimitExceeded { .. })
        ));
    }

    /// A valid PNG signature + IHDR claiming 100000 × 100000 RGB, and one tiny IDAT.
    pub(crate) fn crafted_huge_png() -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        let chunk = |v: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]| {
            v.extend_from_slice(&(data.len() as u32).to_be_bytes());
            v.extend_from_slice(ty);
            v.extend_from_slice(data);
            let mut h = crc32fast::Hasher::new();
            h.update(ty);
            h.update(data);
            v.extend_from_slice(&h.finalize().to_be_bytes());
        };
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(&mut v, b"IHDR", &ihdr);
        chunk(&mut v, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(&mut v, b"IEND", &[]);
        v
    }

    /// The concatenated payloads of the chunks of type `ty` (for `fdAT`, without the sequence numbers).
    fn chunk_data(png: &[u8], ty: &[u8; 4]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut p = 8;
        while p + 12 <= png.len() {
            let n = u32::from_be_bytes(png[p..p + 4].try_into().unwrap()) as usize;
            if &png[p + 4..p + 8] == ty {
                let skip = if ty == b"fdAT" { 4 } else { 0 };
                out.extend_from_slice(&png[p + 8 + skip..p + 8 + n]);
            }
            p += 12 + n;
        }
        out
    }

    fn inflate(z: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 1 << 24];
        let (done, rc) = zlib_rs::decompress_slice(&mut out, z, zlib_rs::InflateConfig::default());
        assert_eq!(rc, zlib_rs::ReturnCode::Ok);
        done.to_vec()
    }

    #[test]
    fn image_data_is_pillows() {
        // Pillow-written goldens (tests/make_golden.py): re-encoding their pixels gives Pillow's zlib stream
        // byte for byte, for every color type and depth Pillow writes (Pillow splits it into 64 KiB IDATs,
        // brickwork writes one).
        for name in [
            "rgb8.png",
            "rgba8.png",
            "gray8.png",
            "gray16.png",
            "bool.png",
            "la8.png",
            "odd_rgb8.png",
        ] {
            let file = golden(name);
            let px = decode(&file, &DecodeOptions::default()).unwrap();
            let ours = encode(&MediaData::Array(px), &EncodeOptions::default()).unwrap();
            let (a, b) = (chunk_data(&ours, b"IDAT"), chunk_data(&file, b"IDAT"));
            assert_eq!(inflate(&a), inflate(&b), "{name}: filtered rows differ");
            // After the 2-byte zlib header (its FLEVEL field says 3, zlib-rs's level 7, where Pillow's
            // says 2, zlib's level 6), the deflate data and the Adler-32 are Pillow's.
            assert_eq!(a.len(), b.len(), "{name}");
            assert!(a[2..] == b[2..], "{name}: the deflate data differs from Pillow's");
            assert!(
                ours.len() <= file.len(),
                "{name}: {} > {}",
                ours.len(),
                file.len()
            );
        }
    }

    #[test]
    fn apng_frames_are_deflated_alike_and_sequenced() {
        let frames: Vec<ArrayBuf> = (0..3u8)
            .map(|k| {
                arr(
                    (0..9 * 11 * 3).map(|i| (i as u8) ^ k).collect(),
                    DType::U8,
                    vec![9, 11, 3],
                )
            })
            .collect();
        let bytes = encode(&MediaData::Frames(frames.clone()), &EncodeOptions::default()).unwrap();
        // fcTL 0, IDAT, fcTL 1, fdAT 2, fcTL 3, fdAT 4: one sequence over both chunk types.
        let mut seqs = Vec::new();
        let mut p = 8;
        while p + 12 <= bytes.len() {
            let n = u32::from_be_bytes(bytes[p..p + 4].try_into().unwrap()) as usize;
            let ty = &bytes[p + 4..p + 8];
            if ty == b"fcTL" || ty == b"fdAT" {
                seqs.push(u32::from_be_bytes(bytes[p + 8..p + 12].try_into().unwrap()));
            }
            p += 12 + n;
        }
        assert_eq!(seqs, [0, 1, 2, 3, 4]);
        let one = |a: &ArrayBuf| encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
        let mut expected = chunk_data(&one(&frames[1]), b"IDAT");
        expected.extend(chunk_data(&one(&frames[2]), b"IDAT"));
        assert_eq!(chunk_data(&bytes, b"fdAT"), expected);
        assert_eq!(chunk_data(&bytes, b"IDAT"), chunk_data(&one(&frames[0]), b"IDAT"));
    }

    #[test]
    fn filters_are_chosen_as_pillow_chooses() {
        let choices = |samples: &[u8], row_len: usize, bpp: usize| -> Vec<u8> {
            let out = filter_rows(samples, row_len, bpp);
            out.chunks_exact(row_len + 1).map(|r| r[0]).collect()
        };
        // Row 0: zeros cost nothing unfiltered (None). Row 1: a constant row after zeros; Up ties None
        // (kept), Sub wins, Paeth ties Sub (kept). Row 2: the same again: Up costs 0.
        let rows = [[0u8; 6], [9; 6], [9; 6]].concat();
        assert_eq!(choices(&rows, 6, 3), [0, 1, 2]);
        // Flat on the left, vertical stripes on the right: neither Up (308) nor Sub wins, Paeth (144) does,
        // and its bytes are those of libpng's predictor.
        let rows = [
            [0u8, 0, 0, 0, 10, 200, 30, 150],
            [77, 77, 77, 77, 10, 200, 30, 150],
        ]
        .concat();
        let f = filter_rows(&rows, 8, 1);
        assert_eq!(f[9..], [4, 77, 0, 0, 0, 189, 0, 0, 0]);
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let e = decode(b"\x89PNG\r\n\x1a\nxx", &DecodeOptions::default()).unwrap_err();
        assert!(matches!(e, MediaError::Decode { .. }), "{e}");
    }
}
