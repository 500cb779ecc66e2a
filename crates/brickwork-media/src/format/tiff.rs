//! TIFF, single and multi-page (`.tif`, `.tiff`), through the `tiff` crate.
//!
//! Writing, as imageio's `tifffile` plugin: every integer (`u8`..`u64`, `i8`..`i64`) and float (`f32`,
//! `f64`) dtype is kept, uncompressed. The array is laid out as tifffile does: a last axis of 3 or 4 makes
//! RGB/RGBA pages of the last three axes, otherwise the last two axes are a gray page, and the leading
//! axes (a list is stacked first) enumerate pages; so `(N, H, W)`, `(N, H, W, 3)` and even `(H, W, 2)`
//! (tifffile: H pages of `(W, 2)`) are written as tifffile writes them. The first page carries tifffile's
//! `{"shape": [...]}` ImageDescription so tifffile reads back exactly the shape written (a list of one
//! frame stays `(1, H, W)`, as in imageio). `bool`, `float16` and complex are refused with a message
//! (tifffile writes them; the `tiff` crate has no encoder for them).
//!
//! Reading, as tifffile with `index=None` (series 0): all pages of the same shape and dtype as the first
//! are stacked on a leading axis (none when there is one page); a tifffile `{"shape": ...}` description
//! on the first page is honoured (and limits series 0 to the pages it covers). 1-bit gray reads as `bool`.
//! With `pillow`/`TIFF-PIL`, only the first page is returned, as imageio does. The legacy `TIFF` plugin
//! reads series 0 too (imageio 2.38 backs it with tifffile: measured, 3 pages come back `(3, H, W, 3)`).
//! Planar (PlanarConfiguration = 2) multi-sample files are refused.
//!
//! Limits: each page's declared size, times the pages read so far, is checked before its buffer exists.

use std::io::Cursor;

use brickwork_core::{ArrayBuf, DType, Kind};
use tiff::decoder::{Decoder, DecodingResult};
use tiff::encoder::{colortype, TiffEncoder};
use tiff::tags::{SampleFormat, Tag};

use super::{DecodeOptions, EncodeOptions};
use crate::pixels::{self, Frame};
use crate::{MediaData, MediaError, Result};

const NAME: &str = "tiff";

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e)
}

fn dec_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, e)
}

macro_rules! le_vec {
    ($bytes:expr, $t:ty) => {
        $bytes
            .chunks_exact(std::mem::size_of::<$t>())
            .map(|c| {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(c);
                <$t>::from_le_bytes(a)
            })
            .collect::<Vec<$t>>()
    };
}

/// Writes one page with a compile-time colour type.
fn page<C: colortype::ColorType>(
    enc: &mut TiffEncoder<&mut Cursor<Vec<u8>>>,
    f: &Frame<'_>,
    data: &[C::Inner],
    description: Option<&str>,
) -> Result<()>
where
    [C::Inner]: tiff::encoder::TiffValue,
{
    let w = u32::try_from(f.w).map_err(enc_err)?;
    let h = u32::try_from(f.h).map_err(enc_err)?;
    let mut img = enc.new_image::<C>(w, h).map_err(enc_err)?;
    if let Some(d) = description {
        img.encoder()
            .write_tag(Tag::ImageDescription, d)
            .map_err(enc_err)?;
    }
    img.write_data(data).map_err(enc_err)
}

fn write_page(
    enc: &mut TiffEncoder<&mut Cursor<Vec<u8>>>,
    f: &Frame<'_>,
    description: Option<&str>,
) -> Result<()> {
    use colortype as ct;
    let d = &f.data;
    let k = (f.dtype.kind(), f.dtype.itemsize(), f.c);
    match k {
        (Kind::UInt, 1, 1) => page::<ct::Gray8>(enc, f, d, description),
        (Kind::UInt, 1, 3) => page::<ct::RGB8>(enc, f, d, description),
        (Kind::UInt, 1, 4) => page::<ct::RGBA8>(enc, f, d, description),
        (Kind::UInt, 2, 1) => page::<ct::Gray16>(enc, f, &le_vec!(d, u16), description),
        (Kind::UInt, 2, 3) => page::<ct::RGB16>(enc, f, &le_vec!(d, u16), description),
        (Kind::UInt, 2, 4) => page::<ct::RGBA16>(enc, f, &le_vec!(d, u16), description),
        (Kind::UInt, 4, 1) => page::<ct::Gray32>(enc, f, &le_vec!(d, u32), description),
        (Kind::UInt, 4, 3) => page::<ct::RGB32>(enc, f, &le_vec!(d, u32), description),
        (Kind::UInt, 4, 4) => page::<ct::RGBA32>(enc, f, &le_vec!(d, u32), description),
        (Kind::UInt, 8, 1) => page::<ct::Gray64>(enc, f, &le_vec!(d, u64), description),
        (Kind::UInt, 8, 3) => page::<ct::RGB64>(enc, f, &le_vec!(d, u64), description),
        (Kind::UInt, 8, 4) => page::<ct::RGBA64>(enc, f, &le_vec!(d, u64), description),
        (Kind::Int, 1, 1) => page::<ct::GrayI8>(enc, f, &le_vec!(d, i8), description),
        (Kind::Int, 2, 1) => page::<ct::GrayI16>(enc, f, &le_vec!(d, i16), description),
        (Kind::Int, 4, 1) => page::<ct::GrayI32>(enc, f, &le_vec!(d, i32), description),
        (Kind::Int, 8, 1) => page::<ct::GrayI64>(enc, f, &le_vec!(d, i64), description),
        (Kind::Float, 4, 1) => page::<ct::Gray32Float>(enc, f, &le_vec!(d, f32), description),
        (Kind::Float, 4, 3) => page::<ct::RGB32Float>(enc, f, &le_vec!(d, f32), description),
        (Kind::Float, 4, 4) => page::<ct::RGBA32Float>(enc, f, &le_vec!(d, f32), description),
        (Kind::Float, 8, 1) => page::<ct::Gray64Float>(enc, f, &le_vec!(d, f64), description),
        (Kind::Float, 8, 3) => page::<ct::RGB64Float>(enc, f, &le_vec!(d, f64), description),
        (Kind::Float, 8, 4) => page::<ct::RGBA64Float>(enc, f, &le_vec!(d, f64), description),
        _ => Err(enc_err(format!(
            "{} pixels with {} channel(s) are not supported; TIFF takes gray (H, W) of any integer or \
             float32/float64 dtype, and RGB/RGBA (H, W, 3|4) of unsigned integers or float32/float64",
            pixels::dtype_name(f.dtype),
            f.c
        ))),
    }
}

/// The whole array as tifffile sees it (a list is stacked first): C-order little-endian bytes, dtype
/// and shape.
fn whole(data: &MediaData) -> Result<(Vec<u8>, DType, Vec<usize>)> {
    match data {
        MediaData::Array(a) => Ok((
            pixels::c_order_le(a)?.into_owned(),
            a.dtype().to_little_endian(),
            a.shape().to_vec(),
        )),
        MediaData::Frames(list) => {
            let first = list
                .first()
                .ok_or_else(|| enc_err("an empty list of frames cannot be written"))?;
            let mut bytes = Vec::new();
            for (i, a) in list.iter().enumerate() {
                if a.shape() != first.shape()
                    || a.dtype().to_little_endian() != first.dtype().to_little_endian()
                {
                    return Err(enc_err(format!(
                        "frame {i} differs in shape or dtype from frame 0"
                    )));
                }
                bytes.extend_from_slice(&pixels::c_order_le(a)?);
            }
            let mut shape = vec![list.len()];
            shape.extend_from_slice(first.shape());
            Ok((bytes, first.dtype().to_little_endian(), shape))
        }
    }
}

/// Writes a TIFF the way tifffile lays an array out: the last axis of 3 or 4 makes RGB(A) pages of the
/// three last axes, otherwise the two last axes are a gray page; the leading axes enumerate pages. The
/// first page carries `{"shape": [...]}` so the exact shape reads back.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (bytes, dtype, shape) = whole(data)?;
    let n = shape.len();
    let (h, w, c, lead) = match shape.as_slice() {
        [.., h, w, c] if *c == 3 || *c == 4 => (*h, *w, *c, &shape[..n - 3]),
        [.., h, w] => (*h, *w, 1, &shape[..n - 2]),
        _ => {
            return Err(enc_err(format!(
                "a TIFF page needs at least 2 dimensions, got shape {shape:?}"
            )))
        }
    };
    let pages: usize = lead.iter().product();
    let page_bytes = h * w * c * dtype.itemsize();
    if pages == 0 || page_bytes == 0 {
        return Err(enc_err(format!("the shape {shape:?} holds no pixels")));
    }
    let description = format!(
        "{{\"shape\": [{}]}}",
        shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
    );
    let mut cur = Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut cur).map_err(enc_err)?;
        for (i, chunk) in bytes.chunks_exact(page_bytes).enumerate() {
            let f = Frame {
                h,
                w,
                c,
                dtype,
                data: std::borrow::Cow::Borrowed(chunk),
            };
            write_page(&mut enc, &f, (i == 0).then_some(description.as_str()))?;
        }
    }
    Ok(cur.into_inner())
}

/// What one page holds.
#[derive(Debug, Clone, PartialEq)]
struct PageInfo {
    w: usize,
    h: usize,
    c: usize,
    bits: u8,
    dtype: DType,
}

fn page_info(dec: &mut Decoder<Cursor<&[u8]>>) -> Result<PageInfo> {
    let (w, h) = dec.dimensions().map_err(dec_err)?;
    let ct = dec.colortype().map_err(dec_err)?;
    let (c, bits) = match ct {
        tiff::ColorType::Gray(b) => (1, b),
        tiff::ColorType::GrayA(b) => (2, b),
        tiff::ColorType::RGB(b) => (3, b),
        tiff::ColorType::RGBA(b) => (4, b),
        other => return Err(dec_err(format!("colour type {other:?} is not supported"))),
    };
    let planar = dec
        .find_tag(Tag::PlanarConfiguration)
        .map_err(dec_err)?
        .and_then(|v| v.into_u16().ok())
        .unwrap_or(1);
    if planar == 2 && c > 1 {
        return Err(dec_err(
            "planar (PlanarConfiguration = 2) images are not supported",
        ));
    }
    let fmt = dec
        .find_tag(Tag::SampleFormat)
        .map_err(dec_err)?
        .and_then(|v| v.into_u16_vec().ok())
        .and_then(|v| v.first().copied())
        .map_or(SampleFormat::Uint, SampleFormat::from_u16_exhaustive);
    let kind = match (fmt, bits) {
        (SampleFormat::Uint, 1) if c == 1 => Kind::Bool,
        (SampleFormat::Uint, 8 | 16 | 32 | 64) => Kind::UInt,
        (SampleFormat::Int, 8 | 16 | 32 | 64) => Kind::Int,
        (SampleFormat::IEEEFP, 32 | 64) => Kind::Float,
        _ => {
            return Err(dec_err(format!(
                "{bits}-bit samples of format {fmt:?} are not supported"
            )))
        }
    };
    let size = if kind == Kind::Bool {
        1
    } else {
        usize::from(bits / 8)
    };
    Ok(PageInfo {
        w: w as usize,
        h: h as usize,
        c,
        bits,
        dtype: pixels::dtype(kind, size),
    })
}

fn read_page(dec: &mut Decoder<Cursor<&[u8]>>, p: &PageInfo) -> Result<Vec<u8>> {
    let res = dec.read_image().map_err(dec_err)?;
    let bytes: Vec<u8> = match res {
        DecodingResult::U8(v) => v,
        DecodingResult::I8(v) => v.into_iter().map(|x| x as u8).collect(),
        DecodingResult::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::I16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::U32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::U64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        DecodingResult::F16(_) => return Err(dec_err("float16 samples are not supported")),
    };
    if p.bits == 1 {
        // tifffile returns the raw bits as the bool values whatever the photometric tag says (it writes
        // bool as MinIsWhite); the `tiff` crate inverts WhiteIsZero data, so undo that.
        let white_is_zero = dec
            .find_tag(Tag::PhotometricInterpretation)
            .map_err(dec_err)?
            .and_then(|v| v.into_u16().ok())
            == Some(0);
        let flip = if white_is_zero { 0xff } else { 0 };
        let row = p.w.div_ceil(8);
        let mut out = Vec::with_capacity(p.w * p.h);
        for y in 0..p.h {
            for x in 0..p.w {
                let b = bytes.get(y * row + x / 8).copied().unwrap_or(0) ^ flip;
                out.push((b >> (7 - x % 8)) & 1);
            }
        }
        return Ok(out);
    }
    let want = p.w * p.h * p.c * p.dtype.itemsize();
    if bytes.len() < want {
        return Err(dec_err("the page holds fewer samples than its size says"));
    }
    let mut bytes = bytes;
    bytes.truncate(want);
    Ok(bytes)
}

/// tifffile's `{"shape": [...]}` description, if the first page has one.
fn described_shape(dec: &mut Decoder<Cursor<&[u8]>>) -> Option<Vec<usize>> {
    let text = dec.find_tag(Tag::ImageDescription).ok()??.into_string().ok()?;
    let v: serde_json::Value = serde_json::from_str(text.trim_end_matches('\0')).ok()?;
    v.get("shape")?
        .as_array()?
        .iter()
        .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
        .collect()
}

/// Reads a TIFF: series 0 stacked (tifffile, legacy `TIFF`), or the first page (`pillow`, `TIFF-PIL`).
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let first_only = matches!(opts.plugin.as_deref(), Some("pillow" | "TIFF-PIL"));
    let limits = &opts.limits;
    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(dec_err)?;
    let mut tl = tiff::decoder::Limits::default();
    tl.decoding_buffer_size = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    dec = dec.with_limits(tl);
    let first = page_info(&mut dec)?;
    let px = (first.c * first.dtype.itemsize()) as u64;
    limits.check(NAME, first.w as u64, first.h as u64, 1, px)?;
    let page_shape = pixels::image_shape(first.h, first.w, first.c);
    let page_elems = first.w * first.h * first.c;
    let described = if first_only {
        None
    } else {
        described_shape(&mut dec)
    };
    let max_pages = described
        .as_ref()
        .map(|s| s.iter().product::<usize>())
        .filter(|&n| page_elems > 0 && n % page_elems == 0 && n > 0)
        .map(|n| n / page_elems);
    let mut pages = vec![read_page(&mut dec, &first)?];
    while !first_only && dec.more_images() && max_pages.is_none_or(|m| pages.len() < m) {
        dec.next_image().map_err(dec_err)?;
        let info = page_info(&mut dec)?;
        if info != first {
            break;
        }
        limits.check(NAME, first.w as u64, first.h as u64, pages.len() as u64 + 1, px)?;
        pages.push(read_page(&mut dec, &first)?);
    }
    let n = pages.len();
    let out = pixels::stack(pages, first.dtype, &page_shape, n > 1)?;
    match described {
        Some(shape) if shape.iter().product::<usize>() == n * page_elems && shape != out.shape() => {
            let (data, dtype) = (out.data().to_vec(), out.dtype());
            Ok(ArrayBuf::new(data, dtype, shape, brickwork_core::Order::C)?)
        }
        _ => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::Order;

    fn arr(dtype: &str, shape: Vec<usize>) -> ArrayBuf {
        let d = DType::parse(dtype).unwrap();
        let n = shape.iter().product::<usize>() * d.itemsize();
        ArrayBuf::new((0..n).map(|i| (i * 31 % 253) as u8).collect(), d, shape, Order::C).unwrap()
    }

    fn rt(data: MediaData) -> ArrayBuf {
        let b = encode(&data, &EncodeOptions::default()).unwrap();
        assert!(b.starts_with(b"II*\0"));
        decode(&b, &DecodeOptions::default()).unwrap()
    }

    #[test]
    fn every_dtype_is_kept() {
        for dt in [
            "|u1", "<u2", "<u4", "<u8", "|i1", "<i2", "<i4", "<i8", "<f4", "<f8",
        ] {
            let a = arr(dt, vec![17, 33]);
            assert_eq!(rt(MediaData::Array(a.clone())), a, "{dt}");
        }
        for dt in ["|u1", "<u2", "<f4"] {
            for c in [3, 4] {
                let a = arr(dt, vec![17, 33, c]);
                assert_eq!(rt(MediaData::Array(a.clone())), a, "{dt} {c}");
            }
        }
    }

    #[test]
    fn pages_are_stacked_and_shapes_kept() {
        let list: Vec<ArrayBuf> = (0..10).map(|_| arr("<u2", vec![17, 33])).collect();
        let back = rt(MediaData::Frames(list.clone()));
        assert_eq!(back.shape(), &[10, 17, 33]);
        assert_eq!(
            back.data(),
            list.iter().flat_map(|a| a.data().to_vec()).collect::<Vec<_>>()
        );
        let one = rt(MediaData::Frames(vec![arr("|u1", vec![4, 5, 3])]));
        assert_eq!(one.shape(), &[1, 4, 5, 3]);
        let stack = arr("|u1", vec![5, 17, 33]);
        assert_eq!(rt(MediaData::Array(stack.clone())), stack);
        let b = encode(&MediaData::Frames(list), &EncodeOptions::default()).unwrap();
        let opts = DecodeOptions {
            plugin: Some("TIFF-PIL".into()),
            ..Default::default()
        };
        assert_eq!(decode(&b, &opts).unwrap().shape(), &[17, 33]);
    }

    #[test]
    fn tifffile_layouts_round_trip() {
        for shape in [vec![17, 33, 2], vec![2, 3, 17, 33], vec![2, 3, 5, 7, 4]] {
            let a = arr("<u2", shape);
            assert!(rt(MediaData::Array(a.clone())) == a, "{:?}", a.shape());
        }
    }

    #[test]
    fn unsupported_layouts_are_refused() {
        let e = encode(
            &MediaData::Array(arr("<f2", vec![4, 4])),
            &EncodeOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("float16"), "{e}");
    }
}
