//! TIFF, single and multi-page (`.tif`, `.tiff`): written by `write_pages` (uncompressed, one strip per
//! page as tifffile writes it, no Predictor tag since 1 = none is the default; the `tiff` crate's tag set
//! otherwise; one copy of the pixels), read chunk by chunk in parallel (`read_chunks_in_parallel`:
//! uncompressed chunks borrowed straight from the file) or by the `tiff` crate.
//!
//! Writing, as imageio's `tifffile` plugin: every integer (`u8`..`u64`, `i8`..`i64`) and float (`f16`,
//! `f32`, `f64`) dtype is kept, uncompressed. The array is laid out as tifffile does: a last axis of 3 or 4 makes
//! RGB/RGBA pages of the last three axes, otherwise the last two axes are a gray page, and the leading
//! axes (a list is stacked first) enumerate pages; so `(N, H, W)`, `(N, H, W, 3)` and even `(H, W, 2)`
//! (tifffile: H pages of `(W, 2)`) are written as tifffile writes them. The first page carries tifffile's
//! `{"shape": [...]}` ImageDescription so tifffile reads back exactly the shape written (a list of one
//! frame stays `(1, H, W)`, as in imageio). `bool` and complex are refused with a message
//! (tifffile writes them; brickwork's writer does not yet).
//!
//! Reading, as tifffile with `index=None` (series 0): all pages of the same shape and dtype as the first
//! are stacked on a leading axis (none when there is one page); a tifffile `{"shape": ...}` description,
//! an ImageJ hyperstack's or an OME-TIFF's dimensions on the first page give series 0 its shape (and
//! limit it to the pages they cover), squeezed as tifffile squeezes ImageJ and OME series. 1-bit gray
//! reads as `bool`.
//! With `pillow`/`TIFF-PIL`, only the first page is returned, as imageio does. The legacy `TIFF` plugin
//! reads series 0 too (imageio 2.38 backs it with tifffile: measured, 3 pages come back `(3, H, W, 3)`).
//! Planar (PlanarConfiguration = 2) pages come back `(C, H, W)`, as tifffile returns them; pages of more
//! than four samples (multispectral bands) `(H, W, C)`. Compression: none, LZW (`tiff/lzw.rs`), Deflate
//! (zlib and Adobe), PackBits, Zstandard, LZMA, PNG, JPEG 2000 (34712 and Aperio's 33003-33005, raw
//! samples as imagecodecs decodes them), LERC (`tiff/lerc.rs`) and 8-bit JPEG (libjpeg-turbo, the
//! JPEGTables spliced in, YCbCr converted to RGB by libjpeg: tifffile's pixels exactly) with the horizontal
//! and floating-point predictors, decoded here chunk by chunk; 12-bit JPEG (as RGB), WebP and CCITT
//! Group 4 by the `tiff` crate. tifffile's JPEG XL and JPEG XR compressions (and the rarer ones) are
//! refused with the compression named.
//!
//! Limits: each page's declared size, times the pages read so far, is checked before its buffer exists.

use std::io::Cursor;

use brickwork_core::{ArrayBuf, ArrayView, DType, Kind};
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::{SampleFormat, Tag};

use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::{MediaData, MediaError, Result};

mod lerc;
mod lzw;

const NAME: &str = "tiff";

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e)
}

fn dec_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, e)
}

/// TIFF tag numbers and field types used by the writer.
mod tag {
    pub const IMAGE_WIDTH: u16 = 256;
    pub const IMAGE_LENGTH: u16 = 257;
    pub const BITS_PER_SAMPLE: u16 = 258;
    pub const COMPRESSION: u16 = 259;
    pub const PHOTOMETRIC: u16 = 262;
    pub const IMAGE_DESCRIPTION: u16 = 270;
    pub const STRIP_OFFSETS: u16 = 273;
    pub const SAMPLES_PER_PIXEL: u16 = 277;
    pub const ROWS_PER_STRIP: u16 = 278;
    pub const STRIP_BYTE_COUNTS: u16 = 279;
    pub const X_RESOLUTION: u16 = 282;
    pub const Y_RESOLUTION: u16 = 283;
    pub const RESOLUTION_UNIT: u16 = 296;
    pub const SAMPLE_FORMAT: u16 = 339;
    pub const ASCII: u16 = 2;
    pub const SHORT: u16 = 3;
    pub const LONG: u16 = 4;
    pub const RATIONAL: u16 = 5;
}

/// The TIFF SampleFormat of a dtype and channel count, or why it cannot be written (the same table the
/// `tiff` crate's colour types cover).
fn sample_format(dtype: DType, c: usize) -> Result<u16> {
    let ok = match (dtype.kind(), dtype.itemsize()) {
        (Kind::UInt, 1 | 2 | 4 | 8) => Some(1),
        (Kind::Int, 1 | 2 | 4 | 8) if c == 1 => Some(2),
        (Kind::Float, 2 | 4 | 8) => Some(3),
        _ => None,
    };
    ok.ok_or_else(|| {
        enc_err(format!(
            "{} pixels with {c} channel(s) are not supported; TIFF takes gray (H, W) of any integer or \
             float dtype, and RGB/RGBA (H, W, 3|4) of unsigned integers or floats",
            pixels::dtype_name(dtype)
        ))
    })
}

/// Little-endian TIFF bytes written in order, with the offset bookkeeping of IFD entries.
struct TiffOut {
    buf: Vec<u8>,
}

impl TiffOut {
    fn offset(&self) -> Result<u32> {
        u32::try_from(self.buf.len())
            .map_err(|_| enc_err("the file would exceed 4 GiB (BigTIFF is not written)"))
    }

    fn put_u32_at(&mut self, pos: usize, v: u32) {
        if let Some(dst) = self.buf.get_mut(pos..pos + 4) {
            dst.copy_from_slice(&v.to_le_bytes());
        }
    }

    /// An entry's value: inline when it fits the 4-byte field, else written here and pointed to.
    fn value(&mut self, bytes: &[u8]) -> Result<[u8; 4]> {
        let mut field = [0u8; 4];
        if bytes.len() <= 4 {
            field[..bytes.len()].copy_from_slice(bytes);
        } else {
            field = self.offset()?.to_le_bytes();
            self.buf.extend_from_slice(bytes);
        }
        Ok(field)
    }
}

/// One IFD entry: tag, field type, count and the 4-byte value/offset field.
type Entry = (u16, u16, u32, [u8; 4]);

fn u16s(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Writes uncompressed chunky pages `h × w × c` of `dtype` (little-endian sample bytes) in the byte
/// layout of the `tiff` crate's `ImageEncoder` (strips of at most 1,000,000 bytes rounded up to whole
/// rows, the same tags in the same order; a unit test checks the bytes are identical), with one copy of
/// the pixels into an output buffer sized up front. The first page carries `description`.
fn write_pages<'p>(
    pages: impl Iterator<Item = &'p [u8]>,
    n_pages: usize,
    (h, w, c): (usize, usize, usize),
    dtype: DType,
    description: &str,
) -> Result<Vec<u8>> {
    let format = sample_format(dtype, c)?;
    let item = dtype.itemsize();
    let row_bytes = (w * c * item) as u64;
    // one strip per page, as tifffile writes uncompressed pages (its offset and count then fit in the IFD)
    let rows_per_strip = (h as u64).max(1);
    let strips = (h as u64).div_ceil(rows_per_strip) as usize;
    let page_bytes = h * w * c * item;
    let (w32, h32) = (
        u32::try_from(w).map_err(enc_err)?,
        u32::try_from(h).map_err(enc_err)?,
    );
    let rps32 = u32::try_from(rows_per_strip).map_err(enc_err)?;
    let c16 = u16::try_from(c).map_err(enc_err)?;
    let per_page = 3 + 16 + 2 * c * 2 + strips * 8 + 2 + 16 * 12 + 4;
    let capacity = (page_bytes + per_page)
        .checked_mul(n_pages)
        .and_then(|n| n.checked_add(8 + description.len() + 1))
        .ok_or_else(|| enc_err("the file would be too large"))?;
    let mut out = TiffOut {
        buf: Vec::with_capacity(capacity),
    };
    out.buf.extend_from_slice(b"II*\0");
    out.buf.extend_from_slice(&[0; 4]);
    let mut chain = 4usize;
    let bits = vec![(item * 8) as u16; c];
    let formats = vec![format; c];
    let photometric: u16 = if c == 1 { 1 } else { 2 };
    let rational = [1u8, 0, 0, 0, 1, 0, 0, 0];
    for (i, page) in pages.enumerate() {
        if page.len() != page_bytes {
            return Err(enc_err("a page holds the wrong number of bytes"));
        }
        while !out.buf.len().is_multiple_of(4) {
            out.buf.push(0);
        }
        let xres = out.value(&rational)?;
        let yres = out.value(&rational)?;
        let desc = if i == 0 {
            let mut text = description.as_bytes().to_vec();
            text.push(0);
            let count = u32::try_from(text.len()).map_err(enc_err)?;
            Some((count, out.value(&text)?))
        } else {
            None
        };
        let mut offsets = Vec::with_capacity(strips);
        let mut counts = Vec::with_capacity(strips);
        let strip_len = (rows_per_strip * row_bytes) as usize;
        for strip in page.chunks(strip_len.max(1)) {
            offsets.push(out.offset()?);
            counts.push(u32::try_from(strip.len()).map_err(enc_err)?);
            out.buf.extend_from_slice(strip);
        }
        out.offset()?;
        let bits_field = out.value(&u16s(&bits))?;
        let format_field = out.value(&u16s(&formats))?;
        let offsets_field = out.value(&u32s(&offsets))?;
        let counts_field = out.value(&u32s(&counts))?;
        let n_strips = u32::try_from(strips).map_err(enc_err)?;
        let short = |v: u16| {
            let b = v.to_le_bytes();
            [b[0], b[1], 0, 0]
        };
        let mut entries: Vec<Entry> = vec![
            (tag::IMAGE_WIDTH, tag::LONG, 1, w32.to_le_bytes()),
            (tag::IMAGE_LENGTH, tag::LONG, 1, h32.to_le_bytes()),
            (tag::BITS_PER_SAMPLE, tag::SHORT, u32::from(c16), bits_field),
            (tag::COMPRESSION, tag::SHORT, 1, short(1)),
            (tag::PHOTOMETRIC, tag::SHORT, 1, short(photometric)),
        ];
        if let Some((count, field)) = desc {
            entries.push((tag::IMAGE_DESCRIPTION, tag::ASCII, count, field));
        }
        entries.extend([
            (tag::STRIP_OFFSETS, tag::LONG, n_strips, offsets_field),
            (tag::SAMPLES_PER_PIXEL, tag::SHORT, 1, short(c16)),
            (tag::ROWS_PER_STRIP, tag::LONG, 1, rps32.to_le_bytes()),
            (tag::STRIP_BYTE_COUNTS, tag::LONG, n_strips, counts_field),
            (tag::X_RESOLUTION, tag::RATIONAL, 1, xres),
            (tag::Y_RESOLUTION, tag::RATIONAL, 1, yres),
            (tag::RESOLUTION_UNIT, tag::SHORT, 1, short(1)),
            (tag::SAMPLE_FORMAT, tag::SHORT, u32::from(c16), format_field),
        ]);
        let ifd = out.offset()?;
        out.put_u32_at(chain, ifd);
        out.buf.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (t, ty, count, field) in &entries {
            out.buf.extend_from_slice(&t.to_le_bytes());
            out.buf.extend_from_slice(&ty.to_le_bytes());
            out.buf.extend_from_slice(&count.to_le_bytes());
            out.buf.extend_from_slice(field);
        }
        chain = out.buf.len();
        out.buf.extend_from_slice(&[0; 4]);
        out.offset()?;
    }
    Ok(out.buf)
}

/// C-order little-endian byte parts, dtype and shape of the array to write.
type Whole<'a> = (Vec<std::borrow::Cow<'a, [u8]>>, DType, Vec<usize>);

/// The whole array as tifffile sees it (a list is stacked first): C-order little-endian byte parts (one
/// per frame, borrowed when possible), dtype and shape.
fn whole(data: &MediaData) -> Result<Whole<'_>> {
    match data {
        MediaData::Array(a) => Ok((
            vec![pixels::c_order_le(a)?],
            a.dtype().to_little_endian(),
            a.shape().to_vec(),
        )),
        MediaData::Frames(list) => {
            let first = list
                .first()
                .ok_or_else(|| enc_err("an empty list of frames cannot be written"))?;
            let mut parts = Vec::with_capacity(list.len());
            for (i, a) in list.iter().enumerate() {
                if a.shape() != first.shape()
                    || a.dtype().to_little_endian() != first.dtype().to_little_endian()
                {
                    return Err(enc_err(format!(
                        "frame {i} differs in shape or dtype from frame 0"
                    )));
                }
                parts.push(pixels::c_order_le(a)?);
            }
            let mut shape = vec![list.len()];
            shape.extend_from_slice(first.shape());
            Ok((parts, first.dtype().to_little_endian(), shape))
        }
    }
}

/// Writes a TIFF the way tifffile lays an array out: the last axis of 3 or 4 makes RGB(A) pages of the
/// three last axes, otherwise the two last axes are a gray page; the leading axes enumerate pages. The
/// first page carries `{"shape": [...]}` so the exact shape reads back.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (parts, dtype, shape) = whole(data)?;
    encode_parts(&parts, dtype, &shape)
}

/// [`encode`] for one borrowed array: the pixels are copied once, straight from `view` into the file.
pub fn encode_view(view: &ArrayView<'_>, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let parts = [pixels::c_order_le_view(view)?];
    encode_parts(&parts, view.dtype().to_little_endian(), view.shape())
}

/// Writes the array whose C-order little-endian bytes are `parts` (concatenated) as tifffile lays it out.
fn encode_parts(parts: &[std::borrow::Cow<'_, [u8]>], dtype: DType, shape: &[usize]) -> Result<Vec<u8>> {
    let n = shape.len();
    let (h, w, c, lead) = match shape {
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
    let chunks = parts.iter().flat_map(|p| p.chunks_exact(page_bytes));
    write_pages(chunks, pages, (h, w, c), dtype, &description)
}

/// What one page holds.
#[derive(Debug, Clone, PartialEq)]
struct PageInfo {
    w: usize,
    h: usize,
    c: usize,
    bits: u8,
    dtype: DType,
    /// Samples stored plane after plane (PlanarConfiguration 2): tifffile returns the page as `(c, h, w)`.
    planar: bool,
    /// JPEG-compressed YCbCr, which the `tiff` crate hands back unconverted.
    ycbcr: bool,
}

impl PageInfo {
    /// The page's shape as tifffile returns it.
    fn shape(&self) -> Vec<usize> {
        if self.planar {
            vec![self.c, self.h, self.w]
        } else {
            pixels::image_shape(self.h, self.w, self.c)
        }
    }
}

fn page_info(dec: &mut Decoder<Cursor<&[u8]>>) -> Result<PageInfo> {
    let (w, h) = dec.dimensions().map_err(dec_err)?;
    let ct = dec.colortype().map_err(dec_err)?;
    let compression = dec.find_tag_unsigned::<u16>(Tag::Compression).map_err(dec_err)?;
    let (c, bits) = match ct {
        tiff::ColorType::Gray(b) => (1, b),
        tiff::ColorType::GrayA(b) => (2, b),
        tiff::ColorType::RGB(b) => (3, b),
        tiff::ColorType::RGBA(b) => (4, b),
        // More samples per pixel (multispectral bands, or channels written as extra samples).
        tiff::ColorType::Multiband {
            bit_depth,
            num_samples,
        } => (usize::from(num_samples), bit_depth),
        // JPEG-compressed YCbCr: converted to RGB below, as tifffile's JPEG decoder does.
        tiff::ColorType::YCbCr(8) if compression == Some(7) => (3, 8),
        other => return Err(dec_err(format!("colour type {other:?} is not supported"))),
    };
    let planar = c > 1
        && dec
            .find_tag(Tag::PlanarConfiguration)
            .map_err(dec_err)?
            .and_then(|v| v.into_u16().ok())
            == Some(2);
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
        (SampleFormat::IEEEFP, 16 | 32 | 64) => Kind::Float,
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
        planar,
        ycbcr: matches!(ct, tiff::ColorType::YCbCr(_)),
    })
}

/// Samples as little-endian bytes, written into one buffer sized up front (a loop the compiler
/// vectorises; an iterator `flat_map` over the samples was 5× slower).
fn le_bytes<T: Copy, const N: usize>(v: &[T], to_le: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    let mut out = vec![0u8; v.len() * N];
    for (dst, &x) in out.chunks_exact_mut(N).zip(v) {
        dst.copy_from_slice(&to_le(x));
    }
    out
}

fn read_page(
    dec: &mut Decoder<Cursor<&[u8]>>,
    file: &[u8],
    p: &PageInfo,
    opts: &DecodeOptions,
) -> Result<Vec<u8>> {
    if let Some(decoded) = read_chunks_in_parallel(dec, file, p, opts)? {
        return Ok(decoded);
    }
    read_page_decoded(dec, p)
}

/// The compressions of [`read_chunks_in_parallel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkCodec {
    None,
    PackBits,
    Lzw,
    Deflate,
    Zstd,
    /// xz streams (34925), as imagecodecs writes them.
    Lzma,
    /// A PNG file per chunk (34933).
    Png,
    /// A bare JPEG 2000 codestream per chunk (34712; Aperio's 33003, 33004, 33005).
    Jpeg2000,
    /// A LERC blob per chunk, maybe deflated or in a Zstandard frame (34887).
    Lerc,
    /// A JPEG stream per chunk, maybe abbreviated (its tables in JPEGTables) (7).
    Jpeg,
}

impl ChunkCodec {
    fn of(compression: u64) -> Option<ChunkCodec> {
        Some(match compression {
            1 => ChunkCodec::None,
            32773 => ChunkCodec::PackBits,
            5 => ChunkCodec::Lzw,
            8 | 32946 => ChunkCodec::Deflate,
            50000 => ChunkCodec::Zstd,
            34925 => ChunkCodec::Lzma,
            34933 => ChunkCodec::Png,
            33003 | 33004 | 33005 | 34712 => ChunkCodec::Jpeg2000,
            34887 => ChunkCodec::Lerc,
            7 => ChunkCodec::Jpeg,
            _ => return None,
        })
    }

    /// How error messages name a page of this compression.
    fn name(self) -> &'static str {
        match self {
            ChunkCodec::None => "uncompressed",
            ChunkCodec::PackBits => "PackBits-compressed",
            ChunkCodec::Lzw => "LZW-compressed",
            ChunkCodec::Deflate => "Deflate-compressed",
            ChunkCodec::Zstd => "Zstandard-compressed",
            ChunkCodec::Lzma => "LZMA-compressed",
            ChunkCodec::Png => "PNG-compressed",
            ChunkCodec::Jpeg2000 => "JPEG 2000-compressed",
            ChunkCodec::Lerc => "LERC-compressed",
            ChunkCodec::Jpeg => "JPEG-compressed",
        }
    }

    /// Read by brickwork only: the `tiff` crate cannot be asked instead, so a chunk that fails is the
    /// file's error.
    fn brickwork_only(self) -> bool {
        matches!(
            self,
            ChunkCodec::Lzma | ChunkCodec::Png | ChunkCodec::Jpeg2000 | ChunkCodec::Lerc
        )
    }

    /// An image codec decodes to samples in the machine's order, and tifffile applies no predictor to it
    /// (LERC is not one for tifffile: it reads LERC's output as the file's byte order, and undoes a
    /// predictor).
    fn is_image(self) -> bool {
        matches!(self, ChunkCodec::Png | ChunkCodec::Jpeg2000 | ChunkCodec::Jpeg)
    }
}

/// A page whose strips or tiles are raw, PackBits, LZW, Deflate, Zstandard, LZMA, PNG, JPEG 2000, LERC
/// or 8-bit JPEG, decoded one chunk per task on brickwork's pool (zlib-rs, `tiff/lzw.rs`, libzstd,
/// liblzma, `png.rs`, `jpeg2000.rs`, `tiff/lerc.rs`, `jpeg.rs`; strips straight into the page, tiles
/// placed), the horizontal or floating-point predictor undone: what the `tiff` crate does one chunk at a
/// time (tifffile decodes chunks on several threads too; the `tiff` crate also fails on planar tiled
/// pages, and reads none of LZMA, PNG, JPEG 2000 and LERC). `None` (the `tiff` crate decodes it, and
/// names what is wrong) for a WebP or CCITT page, a JPEG chunk libjpeg-turbo does not read as tifffile
/// would (12-bit, say), and a page of the `tiff` crate's other compressions this cannot read (a chunk
/// that does not inflate to its size, say); for LZMA, PNG, JPEG 2000 and LERC pages that is an error
/// naming the chunk and the fault. Compressions neither reads are refused by name.
fn read_chunks_in_parallel(
    dec: &mut Decoder<Cursor<&[u8]>>,
    file: &[u8],
    p: &PageInfo,
    opts: &DecodeOptions,
) -> Result<Option<Vec<u8>>> {
    use rayon::prelude::*;
    let unsigned = |dec: &mut Decoder<Cursor<&[u8]>>, tag: Tag| -> Result<Option<u64>> {
        dec.find_tag_unsigned::<u64>(tag).map_err(dec_err)
    };
    let compression = unsigned(dec, Tag::Compression)?.unwrap_or(1);
    let Some(codec) = ChunkCodec::of(compression) else {
        // WebP and CCITT Group 4: the `tiff` crate's.
        if matches!(compression, 4 | 50001) {
            return Ok(None);
        }
        return Err(dec_err(format!(
            "compression {compression} ({}) is not supported; brickwork reads TIFFs uncompressed or compressed \
             with LZW, Deflate, PackBits, JPEG, WebP, Zstandard, LZMA, PNG, JPEG 2000, LERC or CCITT Group 4",
            compression_name(compression)
        )));
    };
    // What only brickwork reads is refused here, with the reason; the rest goes to the `tiff` crate.
    let unread = |why: &str| {
        if codec.brickwork_only() {
            Err(dec_err(format!("this {} page {why}", codec.name())))
        } else {
            Ok(None)
        }
    };
    if p.bits < 8 || p.dtype.kind() == Kind::Bool || p.ycbcr && codec != ChunkCodec::Jpeg {
        return unread("of fewer than 8 bits per sample, or YCbCr, is not supported");
    }
    let predictor = if codec.is_image() {
        1
    } else {
        unsigned(dec, Tag::Predictor)?.unwrap_or(1)
    };
    let float = p.dtype.kind() == Kind::Float;
    if !(predictor == 1 || predictor == 2 && !float || predictor == 3 && float) {
        return unread(&format!(
            "with predictor {predictor} is not supported (1, 2 for integers, 3 for floats are)"
        ));
    }
    if unsigned(dec, Tag::FillOrder)?.unwrap_or(1) != 1 {
        return unread("with bits filled LSB first (FillOrder 2) is not supported");
    }
    let as_usize = |v: Option<u64>| v.and_then(|v| usize::try_from(v).ok()).filter(|v| *v > 0);
    let tiled = unsigned(dec, Tag::TileWidth)?.is_some();
    let (cw, ch) = if tiled {
        match (
            as_usize(unsigned(dec, Tag::TileWidth)?),
            as_usize(unsigned(dec, Tag::TileLength)?),
        ) {
            (Some(w), Some(h)) => (w, h),
            _ => return unread("has no valid tile size"),
        }
    } else {
        (
            p.w,
            as_usize(unsigned(dec, Tag::RowsPerStrip)?)
                .unwrap_or(p.h)
                .min(p.h.max(1)),
        )
    };
    let item = p.dtype.itemsize();
    let (spp, planes) = if p.planar { (1, p.c) } else { (p.c, 1) };
    let Some(chunk_row) = cw.checked_mul(spp * item) else {
        return unread("has tiles too wide");
    };
    let page_bytes = p.w * p.h * p.c * item;
    let (across, down) = (p.w.div_ceil(cw), p.h.div_ceil(ch));
    let per_plane = across * down;
    let n = per_plane * planes;
    // Chunks may overhang the page (edge tiles), not without bound: what is decoded is at most 16 times
    // the page's checked size, or 256 MiB (a long, one-tile-high strip of 256² tiles overhangs 100×, fine;
    // tiles of one column as tall as the limits allow, all pointing at one small deflated chunk, would
    // be terabytes of inflating).
    if chunk_row
        .checked_mul(ch)
        .and_then(|c| c.checked_mul(n))
        .is_none_or(|total| total > page_bytes.saturating_mul(16).max(256 << 20))
    {
        // The `tiff` crate would inflate them too, one after the other.
        return Err(dec_err(format!(
            "{n} chunks of {cw}x{ch} pixels for a {}x{} page: more to decode than the page holds",
            p.w, p.h
        )));
    }
    let (offsets_tag, counts_tag) = if tiled {
        (Tag::TileOffsets, Tag::TileByteCounts)
    } else {
        (Tag::StripOffsets, Tag::StripByteCounts)
    };
    let offsets: Option<Vec<u64>> = dec.find_tag_unsigned_vec(offsets_tag).map_err(dec_err)?;
    let counts: Option<Vec<u64>> = dec.find_tag_unsigned_vec(counts_tag).map_err(dec_err)?;
    let (Some(offsets), Some(counts)) = (offsets, counts) else {
        return unread("has no chunk offsets or sizes");
    };
    if offsets.len() != n || counts.len() != n {
        return unread(&format!(
            "has {} chunk offsets and {} sizes for {n} chunks",
            offsets.len(),
            counts.len()
        ));
    }
    let big_endian = file.starts_with(b"MM");
    let jpeg_tables = if codec == ChunkCodec::Jpeg {
        dec.find_tag(Tag::JPEGTables)
            .map_err(dec_err)?
            .and_then(|v| v.into_u8_vec().ok())
    } else {
        None
    };
    let one_chunk = n == 1 && cw == p.w && ch >= p.h;
    let raw_of = |k: usize| -> std::result::Result<&[u8], String> {
        usize::try_from(offsets[k])
            .ok()
            .zip(usize::try_from(counts[k]).ok())
            .and_then(|(start, len)| file.get(start..start.checked_add(len)?))
            .ok_or_else(|| "it lies outside the file".to_owned())
    };
    // The predictor undone and the byte order made little-endian, in place.
    let finish = |dst: &mut [u8]| {
        if predictor == 3 {
            for row in dst.chunks_exact_mut(chunk_row) {
                undo_floating_point_predictor(row, spp, item);
            }
            return;
        }
        if big_endian && item > 1 && !codec.is_image() {
            dst.chunks_exact_mut(item).for_each(<[u8]>::reverse);
        }
        if predictor == 2 {
            for row in dst.chunks_exact_mut(chunk_row) {
                undo_horizontal_predictor(row, spp, item);
            }
        }
    };
    // Chunk `k` decoded into `dst`, which is exactly its size (its rows of `chunk_row` bytes).
    let decode_one = |k: usize, dst: &mut [u8]| -> std::result::Result<(), String> {
        let raw = raw_of(k)?;
        let (rows, len) = (dst.len() / chunk_row, dst.len());
        let decoded = match codec {
            ChunkCodec::Png => {
                // The page's checked size bounds the chunk's: a PNG claiming more is refused unread.
                let chunk = DecodeOptions {
                    limits: crate::MediaLimits {
                        max_pixels: (cw * rows) as u64,
                        max_bytes: len as u64,
                    },
                    ..DecodeOptions::default()
                };
                Some(
                    super::png::decode(raw, &chunk)
                        .map_err(|e| e.to_string())?
                        .into_data(),
                )
            }
            ChunkCodec::Jpeg2000 => {
                let samples = super::jpeg2000::decode_tiff_chunk(raw, (cw, rows), one_chunk, opts)
                    .map_err(|e| e.to_string())?;
                if (samples.components, samples.itemsize) != (spp, item) {
                    return Err(format!(
                        "it holds {} components of {} bytes, the page {spp} of {item}",
                        samples.components, samples.itemsize
                    ));
                }
                Some(samples.bytes)
            }
            ChunkCodec::Lerc => {
                lerc::decode(raw, (cw, rows, spp, item), dst)?;
                None
            }
            ChunkCodec::Jpeg if item == 1 => {
                super::jpeg::decode_tiff_chunk(raw, jpeg_tables.as_deref(), (cw, rows, spp), !p.ycbcr, dst)?;
                None
            }
            _ => {
                inflate(codec, raw, dst)?;
                None
            }
        };
        match decoded {
            Some(v) if v.len() == len => dst.copy_from_slice(&v),
            Some(v) => return Err(format!("it decodes to {} bytes, not {len}", v.len())),
            None => {}
        }
        finish(dst);
        Ok(())
    };
    let decode = |k: usize, dst: &mut [u8]| decode_one(k, dst).map_err(|e| format!("chunk {k}: {e}"));
    let failed = |e: String| unread(&format!("cannot be read: {e}"));
    if page_bytes == 0 {
        return Ok(Some(Vec::new()));
    }
    // A page of one strip (how tifffile and brickwork write uncompressed pages) is its chunk: no pool
    // round trip; uncompressed, the page is a copy of its bytes (not a zeroed buffer copied over).
    if one_chunk && codec == ChunkCodec::None {
        return match raw_of(0).map(|raw| raw.get(..page_bytes)) {
            Ok(Some(raw)) => {
                let mut out = raw.to_vec();
                finish(&mut out);
                Ok(Some(out))
            }
            Ok(None) => failed("chunk 0: it is shorter than the page".into()),
            Err(e) => failed(format!("chunk 0: {e}")),
        };
    }
    let mut out = vec![0u8; page_bytes];
    let plane_bytes = p.w * p.h * spp * item;
    let out_row = p.w * spp * item;
    if one_chunk {
        return match decode(0, &mut out) {
            Ok(()) => Ok(Some(out)),
            Err(e) => failed(e),
        };
    }
    let Ok(pool) = brickwork_core::pool::shared() else {
        return unread("cannot be read: no thread pool");
    };
    if !tiled {
        // Strips are whole rows of the page: each is decoded where it belongs, with no buffer of its own.
        let strips: Vec<&mut [u8]> = out
            .chunks_mut(plane_bytes)
            .flat_map(|plane| plane.chunks_mut(ch * out_row))
            .collect();
        debug_assert_eq!(strips.len(), n);
        let done = pool.install(|| {
            strips
                .into_par_iter()
                .enumerate()
                .try_for_each(|(k, dst)| decode(k, dst))
        });
        return match done {
            Ok(()) => Ok(Some(out)),
            Err(e) => failed(e),
        };
    }
    // Tiles: each decoded into a buffer of its own (edge tiles overhang the page), then placed under a
    // lock (a copy of the tile's rows), so at most one tile per thread is held.
    let placed = std::sync::Mutex::new(&mut out);
    let done = pool.install(|| {
        (0..n).into_par_iter().try_for_each(|k| {
            let mut tile = vec![0u8; ch * chunk_row];
            decode(k, &mut tile)?;
            let (plane, at) = (k / per_plane, k % per_plane);
            let (cy, cx) = (at / across, at % across);
            let rows = ch.min(p.h - cy * ch);
            let take = cw.min(p.w - cx * cw) * spp * item;
            let mut out = placed
                .lock()
                .map_err(|_| "a thread failed placing a tile".to_owned())?;
            for (r, src) in tile.chunks_exact(chunk_row).take(rows).enumerate() {
                let at = plane * plane_bytes + (cy * ch + r) * out_row + cx * cw * spp * item;
                match out.get_mut(at..at + take) {
                    Some(dst) => dst.copy_from_slice(&src[..take]),
                    None => return Err(format!("tile {k} lies outside the page")),
                }
            }
            Ok(())
        })
    });
    match done {
        Ok(()) => Ok(Some(out)),
        Err(e) => failed(e),
    }
}

/// A TIFF compression's name, as tifffile's `COMPRESSION` enumeration calls it.
fn compression_name(code: u64) -> &'static str {
    match code {
        2 => "CCITT RLE",
        3 => "CCITT Group 3",
        6 => "old-style JPEG",
        32771 => "CCITT RLE with word alignment",
        32809 => "ThunderScan",
        33007 => "Aperio or Bio-Formats alternative JPEG",
        34676 | 34677 => "SGI LogLuv",
        34892 => "lossy JPEG (DNG)",
        34934 | 22610 => "JPEG XR",
        50002 | 52546 => "JPEG XL",
        _ => "unknown",
    }
}

/// One chunk inflated into `out`, which it must fill exactly, or why not.
fn inflate(codec: ChunkCodec, raw: &[u8], out: &mut [u8]) -> std::result::Result<(), String> {
    let len = out.len();
    let short = || format!("it inflates to fewer than {len} bytes");
    match codec {
        ChunkCodec::Png | ChunkCodec::Jpeg2000 | ChunkCodec::Lerc | ChunkCodec::Jpeg => {
            return Err("an image codec, not a stream".into())
        }
        ChunkCodec::None => out.copy_from_slice(raw.get(..len).ok_or_else(short)?),
        ChunkCodec::PackBits => {
            // PackBits: a header byte n, then n + 1 literal bytes (n < 128) or one byte repeated
            // 257 - n times (n > 128); 128 is a no-op.
            let (mut i, mut at) = (0, 0);
            while at < len {
                let n = *raw.get(i).ok_or_else(short)?;
                i += 1;
                if n < 128 {
                    let k = usize::from(n) + 1;
                    match (out.get_mut(at..at + k), raw.get(i..i + k)) {
                        (Some(dst), Some(src)) => dst.copy_from_slice(src),
                        _ => return Err("a PackBits run overruns the chunk".into()),
                    }
                    (i, at) = (i + k, at + k);
                } else if n > 128 {
                    let k = 257 - usize::from(n);
                    match (out.get_mut(at..at + k), raw.get(i)) {
                        (Some(dst), Some(&v)) => dst.fill(v),
                        _ => return Err("a PackBits run overruns the chunk".into()),
                    }
                    (i, at) = (i + 1, at + k);
                }
            }
        }
        ChunkCodec::Deflate => {
            let (got, rc) = zlib_rs::decompress_slice(out, raw, zlib_rs::InflateConfig::default());
            if rc != zlib_rs::ReturnCode::Ok || got.len() != len {
                return Err(format!("Deflate stream: {rc:?}, {} of {len} bytes", got.len()));
            }
        }
        ChunkCodec::Zstd => {
            let got = zstd::bulk::Decompressor::new()
                .and_then(|mut d| d.decompress_to_buffer(raw, out))
                .map_err(|e| format!("Zstandard frame: {e}"))?;
            if got != len {
                return Err(short());
            }
        }
        ChunkCodec::Lzw => {
            // A chunk may end at its size without an end code (the `tiff` crate refuses those, tifffile
            // reads them).
            let got = lzw::decode(raw, out).ok_or("a malformed LZW stream")?;
            if got != len {
                return Err(short());
            }
        }
        ChunkCodec::Lzma => {
            // The decoder's memory: its dictionary, which the stream's header sets (xz's presets use
            // up to 64 MiB); more is refused by liblzma.
            let mut xz = liblzma::stream::Stream::new_stream_decoder(LZMA_MEMORY, 0)
                .map_err(|e| format!("LZMA decoder: {e}"))?;
            let status = xz
                .process(raw, out, liblzma::stream::Action::Finish)
                .map_err(|e| format!("LZMA stream: {e}"))?;
            if xz.total_out() != len as u64 || status == liblzma::stream::Status::MemNeeded {
                return Err(short());
            }
        }
    }
    Ok(())
}

/// The most memory the LZMA decoder of a chunk may take (xz's `-9` needs 65 MiB).
const LZMA_MEMORY: u64 = 96 << 20;

/// TIFF's floating-point predictor (Predictor 3, Adobe's Technical Note 3) undone on one row: the row's
/// bytes are differenced one byte apart per sample (`spp` bytes back), and hold the samples' bytes most
/// significant first, each byte plane after the other; reassembled as little-endian samples.
fn undo_floating_point_predictor(row: &mut [u8], spp: usize, item: usize) {
    for i in spp..row.len() {
        row[i] = row[i].wrapping_add(row[i - spp]);
    }
    let planes = row.to_vec();
    let samples = row.len() / item;
    for (s, out) in row.chunks_exact_mut(item).enumerate() {
        for (b, byte) in out.iter_mut().enumerate() {
            *byte = planes[(item - 1 - b) * samples + s];
        }
    }
}

/// TIFF's horizontal differencing (Predictor 2) undone on one row of `spp`-sample pixels of `item`-byte
/// little-endian integers: each sample adds the one a pixel before, wrapping.
fn undo_horizontal_predictor(row: &mut [u8], spp: usize, item: usize) {
    match item {
        1 => by_pixel::<1>(row, spp, |a, b| [a[0].wrapping_add(b[0])]),
        2 => by_pixel::<2>(row, spp, |a, b| {
            u16::from_le_bytes(a)
                .wrapping_add(u16::from_le_bytes(b))
                .to_le_bytes()
        }),
        4 => by_pixel::<4>(row, spp, |a, b| {
            u32::from_le_bytes(a)
                .wrapping_add(u32::from_le_bytes(b))
                .to_le_bytes()
        }),
        _ => by_pixel::<8>(row, spp, |a, b| {
            u64::from_le_bytes(a)
                .wrapping_add(u64::from_le_bytes(b))
                .to_le_bytes()
        }),
    }
}

/// [`undo_horizontal_predictor`] for `N`-byte samples: pixels of 1 to 4 samples keep their running sums
/// in registers (a loop carried through memory runs at the store-to-load latency).
#[inline(always)]
fn by_pixel<const N: usize>(row: &mut [u8], spp: usize, add: impl Fn([u8; N], [u8; N]) -> [u8; N] + Copy) {
    match spp {
        1 => undo_differences::<N, 1>(row, add),
        2 => undo_differences::<N, 2>(row, add),
        3 => undo_differences::<N, 3>(row, add),
        4 => undo_differences::<N, 4>(row, add),
        _ => {
            let step = spp * N;
            let sample = |s: &[u8]| <[u8; N]>::try_from(s).unwrap_or([0; N]);
            for i in (step..row.len() / N * N).step_by(N) {
                let sum = add(sample(&row[i..i + N]), sample(&row[i - step..i - step + N]));
                row[i..i + N].copy_from_slice(&sum);
            }
        }
    }
}

#[inline(always)]
fn undo_differences<const N: usize, const SPP: usize>(
    row: &mut [u8],
    add: impl Fn([u8; N], [u8; N]) -> [u8; N],
) {
    let sample = |s: &[u8]| <[u8; N]>::try_from(s).unwrap_or([0; N]);
    let mut pixels = row.chunks_exact_mut(N * SPP);
    let Some(first) = pixels.next() else {
        return;
    };
    let mut sums = [[0u8; N]; SPP];
    for (sum, s) in sums.iter_mut().zip(first.chunks_exact(N)) {
        *sum = sample(s);
    }
    for px in pixels {
        for (sum, s) in sums.iter_mut().zip(px.chunks_exact_mut(N)) {
            *sum = add(*sum, sample(s));
            s.copy_from_slice(sum);
        }
    }
}

/// The page decoded by the `tiff` crate (any compression, predictor, byte order and bit depth).
fn read_page_decoded(dec: &mut Decoder<Cursor<&[u8]>>, p: &PageInfo) -> Result<Vec<u8>> {
    // Every plane of a planar page (`read_image` reads the first one only), within the limits.
    let mut res = DecodingResult::U8(Vec::new());
    // The `tiff` crate asserts on some layouts (planar tiles): a panic there is this file's error.
    let layout = super::guarded(NAME, "the tiff crate failed on this page's layout", || {
        dec.read_image_to_buffer(&mut res).map_err(dec_err)
    })?;
    if res.as_buffer(0).as_bytes().len() < layout.complete_len {
        return Err(dec_err(format!(
            "the page's {} planes take {} bytes, over the decoding limit",
            p.c, layout.complete_len
        )));
    }
    let bytes: Vec<u8> = match res {
        DecodingResult::U8(v) => v,
        DecodingResult::I8(v) => v.into_iter().map(|x| x as u8).collect(),
        DecodingResult::U16(v) => le_bytes(&v, u16::to_le_bytes),
        DecodingResult::I16(v) => le_bytes(&v, i16::to_le_bytes),
        DecodingResult::U32(v) => le_bytes(&v, u32::to_le_bytes),
        DecodingResult::I32(v) => le_bytes(&v, i32::to_le_bytes),
        DecodingResult::U64(v) => le_bytes(&v, u64::to_le_bytes),
        DecodingResult::I64(v) => le_bytes(&v, i64::to_le_bytes),
        DecodingResult::F32(v) => le_bytes(&v, f32::to_le_bytes),
        DecodingResult::F64(v) => le_bytes(&v, f64::to_le_bytes),
        DecodingResult::F16(v) => le_bytes(&v, half::f16::to_le_bytes),
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
    if p.ycbcr {
        for px in bytes.chunks_exact_mut(3) {
            let rgb = ycbcr_to_rgb(px[0], px[1], px[2]);
            px.copy_from_slice(&rgb);
        }
    }
    Ok(bytes)
}

/// JFIF's YCbCr → RGB as libjpeg computes it (`jdcolor.c`: 16-bit fixed-point coefficients, rounded),
/// which is how tifffile's JPEG decoder hands back YCbCr JPEG tiles.
fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    const HALF: i64 = 1 << 15;
    let fix = |c: f64| (c * 65536.0 + 0.5) as i64;
    let (y, cb, cr) = (i64::from(y), i64::from(cb) - 128, i64::from(cr) - 128);
    let r = y + ((fix(1.40200) * cr + HALF) >> 16);
    let g = y + ((-fix(0.34414) * cb - fix(0.71414) * cr + HALF) >> 16);
    let b = y + ((fix(1.77200) * cb + HALF) >> 16);
    [r, g, b].map(|v| v.clamp(0, 255) as u8)
}

/// The shape tifffile gives series 0, from the first page's description: its own `{"shape": [...]}`
/// (kept as written), or an ImageJ hyperstack's `frames`/`slices`/`channels` (T, Z, C) or an OME-TIFF's
/// first `Pixels` element (its `DimensionOrder`, slowest axis first), without their length-1 axes as
/// tifffile squeezes them, followed by the page's own shape. A channel count equal to the page's samples
/// (RGB) is the page's, not an axis.
fn described_shape(dec: &mut Decoder<Cursor<&[u8]>>, page: &PageInfo) -> Option<Vec<usize>> {
    let text = dec.find_tag(Tag::ImageDescription).ok()??.into_string().ok()?;
    shape_of_description(text.trim_end_matches('\0'), page)
}

/// [`described_shape`] of the description `text` (untrusted).
fn shape_of_description(text: &str, page: &PageInfo) -> Option<Vec<usize>> {
    let lead: Vec<usize> = if text.starts_with("ImageJ=") {
        let field = |key: &str| -> Option<usize> {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('=')?.trim().parse().ok())
        };
        let channels = field("channels").unwrap_or(1);
        let channels = if page.c > 1 && channels == page.c {
            1
        } else {
            channels
        };
        vec![
            field("frames").unwrap_or(1),
            field("slices").unwrap_or(1),
            channels,
        ]
    } else if text.trim_start().starts_with('<') && text.contains("<OME") {
        let start = text.find("<Pixels ")?;
        let element = &text[start..start + text[start..].find('>')?];
        let attr = |name: &str| -> Option<&str> {
            let at = element.find(&format!(" {name}=\""))? + name.len() + 3;
            element.get(at..at + element[at..].find('"')?)
        };
        let size = |axis: char| -> Option<usize> { attr(&format!("Size{axis}"))?.parse().ok() };
        let order = attr("DimensionOrder")?;
        let mut lead = Vec::new();
        for axis in order.chars().rev().filter(|a| !matches!(a, 'X' | 'Y')) {
            let n = size(axis)?;
            lead.push(if axis == 'C' && page.c > 1 && n % page.c == 0 {
                n / page.c
            } else {
                n
            });
        }
        lead
    } else {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let shape: Vec<usize> = v
            .get("shape")?
            .as_array()?
            .iter()
            .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
            .collect::<Option<_>>()?;
        return countable(shape);
    };
    let mut shape: Vec<usize> = lead.into_iter().filter(|&n| n != 1).collect();
    shape.extend(page.shape());
    countable(shape)
}

/// `shape` if its element count does not overflow (descriptions are untrusted text).
fn countable(shape: Vec<usize>) -> Option<Vec<usize>> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))?;
    Some(shape)
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
    let page_shape = first.shape();
    let page_elems = first.w * first.h * first.c;
    let described = if first_only {
        None
    } else {
        described_shape(&mut dec, &first)
    };
    let max_pages = described
        .as_ref()
        .map(|s| s.iter().product::<usize>())
        .filter(|&n| page_elems > 0 && n % page_elems == 0 && n > 0)
        .map(|n| n / page_elems);
    let mut pages = vec![read_page(&mut dec, bytes, &first, opts)?];
    while !first_only && dec.more_images() && max_pages.is_none_or(|m| pages.len() < m) {
        dec.next_image().map_err(dec_err)?;
        let info = page_info(&mut dec)?;
        if info != first {
            break;
        }
        limits.check(NAME, first.w as u64, first.h as u64, pages.len() as u64 + 1, px)?;
        pages.push(read_page(&mut dec, bytes, &first, opts)?);
    }
    let n = pages.len();
    let out = pixels::stack(pages, first.dtype, &page_shape, n > 1)?;
    match described {
        Some(shape) if shape.iter().product::<usize>() == n * page_elems && shape != out.shape() => {
            let dtype = out.dtype();
            let data = out.into_data();
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

    // The `tiff` crate's encoder, which wrote brickwork's TIFFs before `write_pages`: the reference the
    // new writer must match byte for byte.
    use crate::pixels::Frame;
    use std::io::Cursor;
    use tiff::encoder::{colortype, TiffEncoder};

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

    fn page<C: colortype::ColorType>(
        enc: &mut TiffEncoder<&mut Cursor<Vec<u8>>>,
        f: &Frame<'_>,
        data: &[C::Inner],
        description: Option<&str>,
    ) where
        [C::Inner]: tiff::encoder::TiffValue,
    {
        let mut img = enc.new_image::<C>(f.w as u32, f.h as u32).unwrap();
        if let Some(d) = description {
            img.encoder().write_tag(Tag::ImageDescription, d).unwrap();
        }
        img.write_data(data).unwrap()
    }

    fn reference_page(enc: &mut TiffEncoder<&mut Cursor<Vec<u8>>>, f: &Frame<'_>, desc: Option<&str>) {
        use colortype as ct;
        let d = &f.data;
        match (f.dtype.kind(), f.dtype.itemsize(), f.c) {
            (Kind::UInt, 1, 1) => page::<ct::Gray8>(enc, f, d, desc),
            (Kind::UInt, 1, 3) => page::<ct::RGB8>(enc, f, d, desc),
            (Kind::UInt, 1, 4) => page::<ct::RGBA8>(enc, f, d, desc),
            (Kind::UInt, 2, 1) => page::<ct::Gray16>(enc, f, &le_vec!(d, u16), desc),
            (Kind::UInt, 2, 3) => page::<ct::RGB16>(enc, f, &le_vec!(d, u16), desc),
            (Kind::UInt, 2, 4) => page::<ct::RGBA16>(enc, f, &le_vec!(d, u16), desc),
            (Kind::UInt, 4, 1) => page::<ct::Gray32>(enc, f, &le_vec!(d, u32), desc),
            (Kind::UInt, 8, 3) => page::<ct::RGB64>(enc, f, &le_vec!(d, u64), desc),
            (Kind::Int, 1, 1) => page::<ct::GrayI8>(enc, f, &le_vec!(d, i8), desc),
            (Kind::Int, 2, 1) => page::<ct::GrayI16>(enc, f, &le_vec!(d, i16), desc),
            (Kind::Int, 8, 1) => page::<ct::GrayI64>(enc, f, &le_vec!(d, i64), desc),
            (Kind::Float, 4, 1) => page::<ct::Gray32Float>(enc, f, &le_vec!(d, f32), desc),
            (Kind::Float, 4, 4) => page::<ct::RGBA32Float>(enc, f, &le_vec!(d, f32), desc),
            (Kind::Float, 8, 3) => page::<ct::RGB64Float>(enc, f, &le_vec!(d, f64), desc),
            other => panic!("no reference for {other:?}"),
        }
    }

    /// The old encoder: every page through the `tiff` crate.
    fn reference(a: &ArrayBuf) -> Vec<u8> {
        let data = MediaData::Array(a.clone());
        let (parts, dtype, shape) = whole(&data).unwrap();
        let n = shape.len();
        let (h, w, c) = match shape.as_slice() {
            [.., h, w, c] if *c == 3 || *c == 4 => (*h, *w, *c),
            [.., h, w] => (*h, *w, 1),
            _ => unreachable!(),
        };
        let description = format!(
            "{{\"shape\": [{}]}}",
            shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
        );
        let _ = n;
        let mut cur = Cursor::new(Vec::new());
        {
            let mut enc = TiffEncoder::new(&mut cur).unwrap();
            let page_bytes = h * w * c * dtype.itemsize();
            for (i, chunk) in parts[0].chunks_exact(page_bytes).enumerate() {
                let f = Frame {
                    h,
                    w,
                    c,
                    dtype,
                    data: std::borrow::Cow::Borrowed(chunk),
                };
                reference_page(&mut enc, &f, (i == 0).then_some(description.as_str()));
            }
        }
        cur.into_inner()
    }

    /// brickwork's layout (one strip per page, no Predictor tag) holds the same pixels as the `tiff`
    /// crate's encoder writes, in no more bytes, and the crate's own decoder reads every page exactly.
    #[test]
    fn writer_keeps_the_pixels_in_no_more_bytes_than_the_tiff_crate() {
        let cases: Vec<(&str, Vec<usize>)> = vec![
            ("|u1", vec![6, 5, 3]),
            ("|u1", vec![17, 33]),
            ("|u1", vec![3, 17, 33, 4]),
            ("<u2", vec![2, 3, 4]),
            ("<u2", vec![700, 800]),
            ("<u2", vec![4, 300, 500, 3]),
            ("<u4", vec![3, 9, 11]),
            ("<u8", vec![5, 7, 3]),
            ("|i1", vec![9, 10]),
            ("<i2", vec![2, 9, 10]),
            ("<i8", vec![9, 10]),
            ("<f4", vec![9, 10]),
            ("<f4", vec![2, 9, 10, 4]),
            ("<f8", vec![9, 10, 3]),
            ("|u1", vec![1, 1]),
            ("|u1", vec![2, 1200, 1000, 3]),
        ];
        for (dt, shape) in cases {
            let a = arr(dt, shape.clone());
            let ours = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            let theirs = reference(&a);
            assert!(
                ours.len() <= theirs.len(),
                "{dt} {shape:?}: {} vs {}",
                ours.len(),
                theirs.len()
            );
            let mut dec = Decoder::new(Cursor::new(&ours[..])).unwrap();
            let mut pixels = Vec::new();
            loop {
                let info = page_info(&mut dec).unwrap();
                pixels.extend(read_page_decoded(&mut dec, &info).unwrap());
                if !dec.more_images() {
                    break;
                }
                dec.next_image().unwrap();
            }
            assert!(
                pixels == a.data(),
                "{dt} {shape:?}: the tiff crate decodes other pixels"
            );
        }
    }

    #[test]
    fn chunk_path_equals_the_tiff_crate() {
        for (dt, shape) in [
            ("|u1", vec![700, 1500, 3]),
            ("<u2", vec![1100, 1024]),
            ("<f8", vec![33, 17, 4]),
            ("|i1", vec![5, 9]),
        ] {
            let a = arr(dt, shape.clone());
            let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            let mut dec = Decoder::new(Cursor::new(&b[..])).unwrap();
            let info = page_info(&mut dec).unwrap();
            let fast = read_chunks_in_parallel(&mut dec, &b, &info, &DecodeOptions::default())
                .unwrap()
                .expect("chunk path taken");
            let slow = read_page_decoded(&mut dec, &info).unwrap();
            assert!(fast == slow && fast == a.data(), "{dt} {shape:?}");
        }
        // Truncated strips go through the crate (big-endian files are swapped here: pytest compares
        // them with tifffile).
        let a = arr("<u2", vec![40, 30]);
        let b = encode(&MediaData::Array(a), &EncodeOptions::default()).unwrap();
        let mut dec = Decoder::new(Cursor::new(&b[..])).unwrap();
        let info = page_info(&mut dec).unwrap();
        assert!(read_chunks_in_parallel(
            &mut dec,
            &b[..b.len() / 2 + 200],
            &info,
            &DecodeOptions::default()
        )
        .unwrap()
        .is_none());
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
    fn descriptions_give_tifffiles_shapes_and_absurd_ones_are_ignored() {
        let page = PageInfo {
            w: 6,
            h: 4,
            c: 1,
            bits: 8,
            dtype: DType::U8,
            planar: false,
            ycbcr: false,
        };
        let shape = |t: &str| shape_of_description(t, &page);
        assert_eq!(shape("{\"shape\": [2, 4, 6]}"), Some(vec![2, 4, 6]));
        assert_eq!(
            shape("ImageJ=1.5\nimages=6\nchannels=3\nslices=2\nhyperstack=true\n"),
            Some(vec![2, 3, 4, 6])
        );
        let ome = "<?xml version=\"1.0\"?><OME><Image><Pixels ID=\"Pixels:0\" DimensionOrder=\"XYCZT\" SizeX=\"6\" \
                   SizeY=\"4\" SizeC=\"3\" SizeZ=\"1\" SizeT=\"2\"></Pixels></Image></OME>";
        assert_eq!(shape(ome), Some(vec![2, 3, 4, 6]));
        // Element counts that overflow are not shapes (the pages are then read as a plain stack).
        let huge = "99999999999";
        assert_eq!(shape(&format!("{{\"shape\": [{huge}, {huge}, 99]}}")), None);
        assert_eq!(shape(&format!("ImageJ=1\nframes={huge}\nslices={huge}\n")), None);
        let ome = ome
            .replace("SizeZ=\"1\"", &format!("SizeZ=\"{huge}\""))
            .replace("SizeT=\"2\"", &format!("SizeT=\"{huge}\""));
        assert_eq!(shape(&ome), None);
        // Malformed OME: no order, unterminated element, a size that is not a number.
        for bad in [
            "<OME><Pixels SizeX=\"6\">",
            "<OME><Pixels DimensionOrder=\"XYCZT\"",
            "<OME><Pixels DimensionOrder=\"XYCZT\" SizeC=\"x\">",
        ] {
            assert_eq!(shape(bad), None, "{bad}");
        }
    }

    #[test]
    fn float16_round_trips_and_complex_is_refused() {
        let a = arr("<f2", vec![2, 4, 6]);
        assert!(rt(MediaData::Array(a.clone())) == a);
        let e = encode(
            &MediaData::Array(arr("<c8", vec![4, 4])),
            &EncodeOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("complex64"), "{e}");
    }

    #[test]
    fn horizontal_predictor_is_undone_per_sample_with_wrapping() {
        // Against the definition, one sample at a time: item sizes 1-8, 1-4 samples per pixel.
        let mut state = 7u64;
        for item in [1usize, 2, 4, 8] {
            for spp in 1..=4 {
                let row: Vec<u8> = (0..item * spp * 37)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1442695040888963407);
                        (state >> 56) as u8
                    })
                    .collect();
                let mut want = row.clone();
                for s in spp..want.len() / item {
                    let mut carry = 0u16;
                    for b in 0..item {
                        let v = u16::from(want[s * item + b]) + u16::from(want[(s - spp) * item + b]) + carry;
                        want[s * item + b] = v as u8;
                        carry = v >> 8;
                    }
                }
                let mut got = row.clone();
                super::undo_horizontal_predictor(&mut got, spp, item);
                assert_eq!(got, want, "item {item}, {spp} samples per pixel");
            }
        }
    }

    #[test]
    fn floating_point_predictor_is_undone_as_adobe_specifies() {
        // Forward (Adobe's Technical Note 3): samples' bytes most significant first, byte planes one
        // after the other, then each byte minus the one `spp` before.
        for (item, spp) in [(2usize, 1usize), (4, 1), (4, 3), (8, 2)] {
            let samples: Vec<u64> = (0..13 * spp as u64)
                .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
                .collect();
            let n = samples.len();
            let mut want = Vec::new();
            for &v in &samples {
                want.extend_from_slice(&v.to_le_bytes()[..item]);
            }
            let mut row = vec![0u8; n * item];
            for (s, &v) in samples.iter().enumerate() {
                for b in 0..item {
                    row[b * n + s] = v.to_le_bytes()[item - 1 - b];
                }
            }
            for i in (spp..row.len()).rev() {
                row[i] = row[i].wrapping_sub(row[i - spp]);
            }
            super::undo_floating_point_predictor(&mut row, spp, item);
            assert_eq!(row, want, "{item}-byte samples, {spp} per pixel");
        }
    }

    /// A little-endian TIFF of one page from its tags (each `(tag, kind, values)`, written as LONGs; kind 0
    /// marks offsets into `data`, made absolute), the IFD at offset 8, `data` after it.
    fn hand_made_tiff(tags: &[(u16, u16, Vec<u32>)], data: &[u8]) -> Vec<u8> {
        let ifd_len = 2 + 12 * tags.len() + 4;
        let mut extra = Vec::new();
        let extra_at = 8 + ifd_len;
        let mut f = b"II*\0".to_vec();
        f.extend_from_slice(&8u32.to_le_bytes());
        f.extend_from_slice(&(tags.len() as u16).to_le_bytes());
        let mut sorted = tags.to_vec();
        sorted.sort_by_key(|t| t.0);
        let values_len: usize = sorted
            .iter()
            .filter(|t| t.2.len() > 1)
            .map(|t| t.2.len() * 4)
            .sum();
        let data_at = (extra_at + values_len) as u32;
        for (tag, typ, values) in &sorted {
            f.extend_from_slice(&tag.to_le_bytes());
            f.extend_from_slice(&4u16.to_le_bytes());
            f.extend_from_slice(&(values.len() as u32).to_le_bytes());
            let fix = |v: u32| if *typ == 0 { v + data_at } else { v };
            if values.len() == 1 {
                f.extend_from_slice(&fix(values[0]).to_le_bytes());
            } else {
                f.extend_from_slice(&((extra_at + extra.len()) as u32).to_le_bytes());
                for &v in values {
                    extra.extend_from_slice(&fix(v).to_le_bytes());
                }
            }
        }
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&extra);
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn tiles_that_decode_to_far_more_than_the_page_are_refused_before_inflating() {
        use std::io::Write;
        // A 65536x1 page in 4096 tiles of 16x65536 pixels (1 MiB each, 4 GiB in all), every tile the same
        // 1 KiB deflate stream of zeros.
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![0u8; 16 * 65536]).unwrap();
        let chunk = z.finish().unwrap();
        let n = 4096;
        let file = hand_made_tiff(
            &[
                (256, 4, vec![65536]),
                (257, 4, vec![1]),
                (258, 4, vec![8]),
                (259, 4, vec![8]),
                (262, 4, vec![1]),
                (277, 4, vec![1]),
                (322, 4, vec![16]),
                (323, 4, vec![65536]),
                (324, 0, vec![0; n]),
                (325, 4, vec![chunk.len() as u32; n]),
            ],
            &chunk,
        );
        // Refused by the bound, before any tile is inflated.
        let err = decode(&file, &DecodeOptions::default()).unwrap_err().to_string();
        assert!(
            err.contains("4096 chunks of 16x65536 pixels for a 65536x1 page"),
            "{err}"
        );
    }
}
