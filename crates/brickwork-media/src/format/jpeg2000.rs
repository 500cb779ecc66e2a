//! JPEG 2000 (`.jp2`, `.j2k`, `.j2c`, `.jpc`, `.jpf`, `.jpx`): OpenJPEG 2.5, the reference codec Pillow
//! uses (the `openjpeg-sys` crate builds it from source, statically).
//!
//! Writing, as imageio's pillow plugin: `uint8` gray `(H, W)`, gray + alpha `(H, W, 2)`, RGB `(H, W, 3)`
//! or RGBA `(H, W, 4)`, and `uint16` gray `(H, W)` (16-bit), one frame, with Pillow's encoder settings:
//! lossless (the reversible 5/3 wavelet), one quality layer, LRCP progression, 64×64 code-blocks, no
//! tiling, no colour transform, six resolutions or fewer for small images (Pillow lowers the count until
//! 2^(n-1) fits both sides), alpha marked as such. Every extension gets a JP2 file (boxes around the
//! codestream): imageio hands Pillow a file object without a name, and Pillow writes a bare codestream only
//! for names ending in `.j2k`. The bytes are Pillow's (Pillow 13 bundles OpenJPEG 2.5.4, this crate 2.5.3)
//! but for the version in the comment OpenJPEG writes (`Created by OpenJPEG version 2.5.3`); pytest
//! compares with live imageio. Other dtypes, shapes and frame lists are refused, as Pillow refuses them.
//!
//! Reading gives what imageio's pillow plugin returns, sample for sample: Pillow's mode from the header
//! (for a JP2 file its `ihdr` box, for a bare codestream its `SIZ` marker), then OpenJPEG's decoded
//! components mapped as Pillow's unpackers map them: one component gives `uint8` `(H, W)`, or `uint16`
//! `(H, W)` above 8 bits (above 9 in a JP2 file, as Pillow reads `ihdr`); two `(H, W, 2)`, three
//! `(H, W, 3)`, four `(H, W, 4)` `uint8`. As Pillow, samples are shifted to the output's width (a 12-bit
//! component is scaled to 16 bits, a 16-bit RGB one to 8, rounding), signed components are offset to
//! unsigned, sYCC is converted to RGB with Pillow's integer tables, and JP2 palettes and channel definitions
//! are not applied. Refused with a clear error: more than four components, subsampled components and
//! e-YCC (Pillow reads those with its own quirks; brickwork does not yet), palette images.
//!
//! Images of 256×256 pixels or more are coded on one thread per core (OpenJPEG's own threads, per call;
//! `OPJ_NUM_THREADS` overrides the count); the output is the same on any number of threads.
//!
//! Hostile files: the boxes and the codestream's markers are walked here before OpenJPEG sees them; the
//! size (OpenJPEG holds every sample as a 32-bit integer) is checked against the limits, the components
//! must be 1 to 4, the structures OpenJPEG makes per tile must not outweigh the image, and code-blocks must
//! hold at least 16 samples (smaller ones, which a few bytes can ask for, cost OpenJPEG far more memory
//! than the pixels). OpenJPEG then reads from memory through bounds-checked callbacks.

use std::ffi::{c_char, c_void, CStr};

use brickwork_core::ArrayBuf;
use openjpeg_sys as opj;

use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::{MediaData, MediaError, Result};

const NAME: &str = "jpeg2000";

/// The JP2 signature box every JP2 file starts with.
const JP2_SIGNATURE: &[u8] = b"\0\0\0\x0cjP  \r\n\x87\n";
/// What OpenJPEG 2.5.3 allocates per tile when it reads the main header, whatever the tile's data:
/// `sizeof(opj_tcp_t)` (5,696 bytes on x86-64, rounded up) and `sizeof(opj_tccp_t)` per component (1,080).
const TILE_BYTES: u64 = 6 * 1024;
const TILE_COMPONENT_BYTES: u64 = 1100;
/// SOC then SIZ: how a bare codestream starts.
const CODESTREAM_START: &[u8] = &[0xff, 0x4f, 0xff, 0x51];

/// Whether `bytes` start as a JP2 file or a JPEG 2000 codestream.
pub fn sniff(bytes: &[u8]) -> bool {
    bytes.starts_with(JP2_SIGNATURE) || bytes.starts_with(CODESTREAM_START)
}

// ------------------------------------------------------------------------------------------------
// Writing

/// Writes a JP2 file with Pillow's settings (see the module docs).
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    pixels::single(&frames, NAME)?;
    let f = frames.first().ok_or_else(|| enc_err("no frame"))?;
    let u8_ = f.dtype == pixels::u8_dtype();
    let (prec, space) = match (u8_, f.dtype == pixels::u16_dtype(), f.c) {
        (true, _, 1 | 2) => (8, opj::COLOR_SPACE::OPJ_CLRSPC_GRAY),
        (true, _, 3 | 4) => (8, opj::COLOR_SPACE::OPJ_CLRSPC_SRGB),
        (_, true, 1) => (16, opj::COLOR_SPACE::OPJ_CLRSPC_GRAY),
        _ => {
            return Err(enc_err(format!(
                "{} images with {} channel(s) cannot be written; JPEG 2000 takes uint8 gray (H, W), gray + \
                 alpha (H, W, 2), RGB (H, W, 3), RGBA (H, W, 4) and uint16 gray (H, W), as Pillow",
                pixels::dtype_name(f.dtype),
                f.c
            )))
        }
    };
    let side = |n: usize| u32::try_from(n).ok().filter(|v| *v > 0 && *v < 1 << 31);
    let (Some(w), Some(h)) = (side(f.w), side(f.h)) else {
        return Err(enc_err(format!("a {}x{} image cannot be written", f.w, f.h)));
    };
    let samples = f.w * f.h * f.c;
    if f.data.len() != samples * f.dtype.itemsize() {
        return Err(enc_err(format!(
            "{} bytes of pixels for a {}x{}x{} image",
            f.data.len(),
            f.h,
            f.w,
            f.c
        )));
    }
    let c = f.c;
    let data = &f.data;
    write_jp2(w, h, c, prec, space, |k, dst| {
        if u8_ {
            for (d, s) in dst.iter_mut().zip(data.iter().skip(k).step_by(c)) {
                *d = i32::from(*s);
            }
        } else {
            for (d, s) in dst.iter_mut().zip(data.chunks_exact(2)) {
                *d = i32::from(u16::from_le_bytes([s[0], s[1]]));
            }
        }
    })
}

/// Encodes a `w`×`h` image of `c` unsigned components of `prec` bits as a JP2 file with Pillow's
/// settings; `fill(k, samples)` writes component `k`'s `w*h` samples.
fn write_jp2(
    w: u32,
    h: u32,
    c: usize,
    prec: u32,
    space: opj::COLOR_SPACE,
    fill: impl Fn(usize, &mut [i32]),
) -> Result<Vec<u8>> {
    let mut comps = [opj::opj_image_cmptparm_t {
        dx: 1,
        dy: 1,
        w,
        h,
        x0: 0,
        y0: 0,
        prec,
        bpp: prec,
        sgnd: 0,
    }; 4];
    let c = c.min(4);
    // SAFETY: `comps` holds `c` ≤ 4 initialised parameters; the image is checked for null and owned by
    // `Image`, which destroys it.
    let image = Image(unsafe { opj::opj_image_create(c as u32, comps.as_mut_ptr(), space) });
    if image.0.is_null() {
        return Err(enc_err("OpenJPEG could not allocate the image"));
    }
    // SAFETY: the image is non-null with `c` components of `w*h` samples each (OpenJPEG allocated them).
    unsafe {
        let img = &mut *image.0;
        img.x0 = 0;
        img.y0 = 0;
        img.x1 = w;
        img.y1 = h;
        let comps = std::slice::from_raw_parts_mut(img.comps, c);
        if c == 2 || c == 4 {
            comps[c - 1].alpha = 1;
        }
        let n = w as usize * h as usize;
        for (k, comp) in comps.iter_mut().enumerate() {
            if comp.data.is_null() {
                return Err(enc_err("OpenJPEG could not allocate the image"));
            }
            fill(k, std::slice::from_raw_parts_mut(comp.data, n));
        }
    }

    let mut params = std::mem::MaybeUninit::<opj::opj_cparameters_t>::uninit();
    // SAFETY: OpenJPEG fills every field of the parameters with its defaults.
    let mut params = unsafe {
        opj::opj_set_default_encoder_parameters(params.as_mut_ptr());
        params.assume_init()
    };
    // Pillow's `j2k_encode_entry` with its Python defaults.
    params.image_offset_x0 = 0;
    params.image_offset_y0 = 0;
    params.cp_tx0 = 0;
    params.cp_ty0 = 0;
    params.cp_tdx = 1;
    params.cp_tdy = 1;
    params.tcp_numlayers = 1;
    params.tcp_rates[0] = 0.0;
    params.cp_disto_alloc = 1;
    params.irreversible = 0;
    if c == 3 {
        params.tcp_mct = 0;
    }
    params.prog_order = opj::PROG_ORDER::OPJ_LRCP;
    params.cp_cinema = opj::CINEMA_MODE::OPJ_OFF;
    params.cp_rsiz = opj::RSIZ_CAPABILITIES::OPJ_STD_RSIZ;
    while params.numresolution > 1
        && (w < 1 << (params.numresolution - 1) || h < 1 << (params.numresolution - 1))
    {
        params.numresolution -= 1;
    }

    let mut sink = Sink::default();
    let mut errors = String::new();
    // SAFETY: every pointer handed to OpenJPEG is valid for the whole call sequence: the codec and the
    // stream are destroyed (by `Codec` and `Stream`) before `sink`, `errors`, `params` and the image go.
    unsafe {
        let codec = Codec(opj::opj_create_compress(opj::CODEC_FORMAT::OPJ_CODEC_JP2));
        if codec.0.is_null() {
            return Err(enc_err("OpenJPEG could not make an encoder"));
        }
        let client = (&mut errors as *mut String).cast::<c_void>();
        opj::opj_set_error_handler(codec.0, Some(on_error), client);
        if opj::opj_setup_encoder(codec.0, &mut params, image.0) == 0 {
            return Err(enc_err(opj_message(&errors, "OpenJPEG refused the parameters")));
        }
        use_threads(codec.0, u64::from(w) * u64::from(h));
        let stream = Stream(opj::opj_stream_create(1 << 16, 0));
        if stream.0.is_null() {
            return Err(enc_err("OpenJPEG could not make a stream"));
        }
        opj::opj_stream_set_write_function(stream.0, Some(sink_write));
        opj::opj_stream_set_skip_function(stream.0, Some(sink_skip));
        opj::opj_stream_set_seek_function(stream.0, Some(sink_seek));
        opj::opj_stream_set_user_data(stream.0, (&mut sink as *mut Sink).cast(), None);
        let ok = opj::opj_start_compress(codec.0, image.0, stream.0) != 0
            && opj::opj_encode(codec.0, stream.0) != 0
            && opj::opj_end_compress(codec.0, stream.0) != 0;
        drop(stream);
        if !ok {
            return Err(enc_err(opj_message(&errors, "OpenJPEG failed to encode")));
        }
    }
    Ok(sink.data)
}

fn enc_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::encode(NAME, e)
}

fn dec_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::decode(NAME, e)
}

// ------------------------------------------------------------------------------------------------
// Reading

/// Pillow's image mode for a JPEG 2000 file, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    L,
    I16,
    La,
    Rgb,
    Rgba,
    Cmyk,
}

/// What the JP2 boxes say (absent for a bare codestream).
#[derive(Debug, Clone, Copy)]
struct Jp2Header {
    width: u32,
    height: u32,
    mode: Mode,
}

/// One component of the `SIZ` marker.
#[derive(Debug, Clone, Copy)]
struct Component {
    prec: u32,
    signed: bool,
    dx: u8,
    dy: u8,
}

/// What the codestream's markers say.
#[derive(Debug)]
struct Codestream {
    width: u32,
    height: u32,
    comps: Vec<Component>,
    tiles: u64,
}

/// The precision in bits and the signedness of a bare codestream's first component, as pydicom reads them
/// (`get_j2k_parameters`) to undo Pillow's scaling of a DICOM frame (`dicom.rs`).
pub fn first_component(cs: &[u8]) -> Result<(u32, bool)> {
    let head = codestream(cs)?;
    let c = head.comps.first().ok_or_else(|| dec_err("no components"))?;
    Ok((c.prec, c.signed))
}

/// Reads a JPEG 2000 file (a JP2 file or a bare codestream) as imageio's pillow plugin does.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let (jp2, cs) = if bytes.starts_with(JP2_SIGNATURE) {
        let (header, cs) = jp2_boxes(bytes)?;
        (Some(header), cs)
    } else if bytes.starts_with(CODESTREAM_START) {
        (None, bytes)
    } else {
        return Err(dec_err(
            "not a JPEG 2000 file (neither the JP2 signature box nor a codestream's SOC and SIZ markers)",
        ));
    };
    let head = codestream(cs)?;
    let mode = match jp2 {
        Some(h) => {
            if (h.width, h.height) != (head.width, head.height) {
                return Err(dec_err(format!(
                    "the JP2 header says {}x{} but the codestream {}x{}",
                    h.width, h.height, head.width, head.height
                )));
            }
            h.mode
        }
        None => match head.comps.len() {
            1 if head.comps[0].prec > 8 => Mode::I16,
            1 => Mode::L,
            2 => Mode::La,
            3 => Mode::Rgb,
            _ => Mode::Rgba,
        },
    };
    check_before_decoding(&head, opts)?;
    let (w, h) = (head.width as usize, head.height as usize);
    opj_decode(bytes, jp2.is_some(), (w * h) as u64, |space, comps| {
        unpack(mode, space, comps, w, h)
    })
}

/// What is refused before OpenJPEG runs (see the module's "Hostile files").
fn check_before_decoding(head: &Codestream, opts: &DecodeOptions) -> Result<()> {
    if head.comps.iter().any(|c| c.dx != 1 || c.dy != 1) {
        return Err(dec_err(
            "subsampled components are not supported (brickwork reads JPEG 2000 images whose components all have \
             the image's size)",
        ));
    }
    let (w, h) = (u64::from(head.width), u64::from(head.height));
    let ncomp = head.comps.len() as u64;
    // OpenJPEG holds every decoded sample as an i32.
    opts.limits.check(NAME, w, h, 1, ncomp * 4)?;
    let per_tile = TILE_BYTES + ncomp * TILE_COMPONENT_BYTES;
    let structures = head.tiles.saturating_mul(per_tile);
    if structures > (64 << 20) && structures > w * h * ncomp {
        return Err(dec_err(format!(
            "{} tiles for a {w}x{h} image: OpenJPEG's per-tile structures would take {} MiB, more than the \
             image itself",
            head.tiles,
            structures >> 20
        )));
    }
    Ok(())
}

/// A TIFF tile or strip compressed as a bare JPEG 2000 codestream (Compression 34712, or Aperio's 33003,
/// 33004 and 33005), decoded as tifffile decodes it (imagecodecs' `jpeg2k_decode`): the components
/// interleaved, each sample cast to the integer the first component's precision needs (1, 2 or 4 bytes,
/// signed if it is), little-endian; no colour conversion, no shifting. The codestream must be `width` ×
/// `height` (the chunk's size, so the page's checked size bounds the decoding), with components of one
/// precision and sign, none subsampled (imagecodecs refuses those too). `threaded`: OpenJPEG may use its
/// own threads (a page of one chunk; a page of many decodes its chunks on brickwork's pool instead).
pub fn decode_tiff_chunk(
    cs: &[u8],
    (width, height): (usize, usize),
    threaded: bool,
    opts: &DecodeOptions,
) -> Result<Samples> {
    if !cs.starts_with(CODESTREAM_START) {
        return Err(dec_err(
            "a JPEG 2000 compressed TIFF chunk is not a codestream (no SOC and SIZ markers)",
        ));
    }
    let head = codestream(cs)?;
    if (head.width as usize, head.height as usize) != (width, height) {
        return Err(dec_err(format!(
            "a JPEG 2000 compressed TIFF chunk of {width}x{height} pixels holds a {}x{} codestream",
            head.width, head.height
        )));
    }
    let first = head.comps[0];
    if head
        .comps
        .iter()
        .any(|c| c.prec != first.prec || c.signed != first.signed)
    {
        return Err(dec_err(
            "the codestream's components differ in precision or sign (tifffile refuses these too)",
        ));
    }
    check_before_decoding(&head, opts)?;
    let itemsize = match first.prec.div_ceil(8) {
        1 => 1,
        2 => 2,
        _ => 4,
    };
    let pixels = if threaded { (width * height) as u64 } else { 0 };
    opj_decode(cs, false, pixels, |_, comps| {
        let n = comps.len();
        let pixels_n = width * height;
        if comps.iter().any(|c| c.samples.len() != pixels_n) {
            return Err(dec_err(
                "the decoded components do not have the codestream's size",
            ));
        }
        let mut bytes = vec![0u8; pixels_n * n * itemsize];
        for (k, comp) in comps.iter().enumerate() {
            let out = bytes.chunks_exact_mut(itemsize).skip(k).step_by(n);
            match itemsize {
                1 => out.zip(comp.samples).for_each(|(o, &v)| o[0] = v as u8),
                2 => out
                    .zip(comp.samples)
                    .for_each(|(o, &v)| o.copy_from_slice(&(v as u16).to_le_bytes())),
                _ => out
                    .zip(comp.samples)
                    .for_each(|(o, &v)| o.copy_from_slice(&v.to_le_bytes())),
            }
        }
        Ok(Samples {
            bytes,
            components: n,
            itemsize,
        })
    })
}

/// Decoded samples of [`decode_tiff_chunk`]: row-major pixels of `components` interleaved samples of
/// `itemsize` little-endian bytes (signed components in two's complement, which tifffile casts to the
/// page's dtype).
#[derive(Debug)]
pub struct Samples {
    /// The samples.
    pub bytes: Vec<u8>,
    /// Samples per pixel.
    pub components: usize,
    /// Bytes per sample: 1, 2 or 4.
    pub itemsize: usize,
}

/// A big-endian reader over untrusted bytes: every read is bounds-checked.
struct Be<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Be<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.b.len());
        let Some(end) = end else {
            return Err(dec_err(format!("truncated {what}")));
        };
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16> {
        let s = self.take(2, what)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        let s = self.take(4, what)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
}

/// The boxes of `b`: each box's type and contents, up to and including a box of type `last`.
fn boxes<'a>(b: &'a [u8], last: Option<&[u8; 4]>) -> Result<Vec<([u8; 4], &'a [u8])>> {
    let mut out = Vec::new();
    let mut r = Be { b, pos: 0 };
    while r.pos < b.len() {
        let start = r.pos;
        let len = u64::from(r.u32("box header")?);
        let kind = r.take(4, "box header")?;
        let kind = [kind[0], kind[1], kind[2], kind[3]];
        let (len, head) = match len {
            0 => ((b.len() - start) as u64, 8),
            1 => {
                let hi = u64::from(r.u32("box length")?);
                let lo = u64::from(r.u32("box length")?);
                ((hi << 32) | lo, 16)
            }
            n => (n, 8),
        };
        let body = usize::try_from(len)
            .ok()
            .and_then(|l| l.checked_sub(head))
            .ok_or_else(|| dec_err(format!("a box of {len} bytes cannot hold its own header")))?;
        let contents = r.take(body, "box")?;
        out.push((kind, contents));
        if last == Some(&kind) {
            break;
        }
    }
    Ok(out)
}

/// The JP2 header (Pillow's reading of `ihdr`, `colr` and `pclr`) and the codestream (`jp2c`).
fn jp2_boxes(bytes: &[u8]) -> Result<(Jp2Header, &[u8])> {
    let top = boxes(bytes, Some(b"jp2c"))?;
    let jp2h = top
        .iter()
        .find(|(k, _)| k == b"jp2h")
        .ok_or_else(|| dec_err("the JP2 file has no header box (jp2h)"))?;
    let cs = top
        .iter()
        .find(|(k, _)| k == b"jp2c")
        .map(|(_, c)| *c)
        .ok_or_else(|| dec_err("the JP2 file has no codestream box (jp2c)"))?;
    let mut header = None;
    let mut enumcs = None;
    for (kind, body) in boxes(jp2h.1, None)? {
        let mut r = Be { b: body, pos: 0 };
        match &kind {
            b"ihdr" => {
                let height = r.u32("ihdr box")?;
                let width = r.u32("ihdr box")?;
                let nc = r.u16("ihdr box")?;
                let bpc = r.u8("ihdr box")?;
                let mode = match nc {
                    1 if bpc & 0x7f > 8 => Mode::I16,
                    1 => Mode::L,
                    2 => Mode::La,
                    3 => Mode::Rgb,
                    4 => Mode::Rgba,
                    n => {
                        return Err(dec_err(format!(
                        "{n} components; brickwork reads 1 to 4 (gray, gray + alpha, RGB, RGBA), as Pillow"
                    )))
                    }
                };
                header = Some(Jp2Header { width, height, mode });
            }
            // Method 1: an enumerated colour space (12 is CMYK).
            b"colr" if r.u8("colr box")? == 1 => {
                r.take(2, "colr box")?;
                let cs = r.u32("colr box")?;
                enumcs = Some(cs);
                if let (12, Some(h)) = (cs, header.as_mut()) {
                    if h.mode == Mode::Rgba {
                        h.mode = Mode::Cmyk;
                    }
                }
            }
            b"pclr" => {
                let gray = matches!(header.map(|h| h.mode), Some(Mode::L | Mode::La));
                if gray && !matches!(enumcs, Some(0 | 15 | 17)) {
                    return Err(dec_err(
                        "palette images (a pclr box) are not supported; brickwork reads JPEG 2000 gray, \
                         gray + alpha, RGB, RGBA and CMYK images",
                    ));
                }
            }
            _ => {}
        }
    }
    let header = header.ok_or_else(|| dec_err("the JP2 header box has no image header (ihdr)"))?;
    Ok((header, cs))
}

/// Walks a codestream's markers: `SIZ`, then every `COD`/`COC` of the main header and of each tile-part
/// header, checking what OpenJPEG would otherwise allocate for (see the module docs).
fn codestream(cs: &[u8]) -> Result<Codestream> {
    let mut r = Be { b: cs, pos: 0 };
    if r.u16("codestream")? != 0xff4f || r.u16("codestream")? != 0xff51 {
        return Err(dec_err(
            "the codestream does not start with the SOC and SIZ markers",
        ));
    }
    let lsiz = r.u16("SIZ marker")?;
    let _rsiz = r.u16("SIZ marker")?;
    let xsiz = r.u32("SIZ marker")?;
    let ysiz = r.u32("SIZ marker")?;
    let xosiz = r.u32("SIZ marker")?;
    let yosiz = r.u32("SIZ marker")?;
    let xtsiz = r.u32("SIZ marker")?;
    let ytsiz = r.u32("SIZ marker")?;
    let xtosiz = r.u32("SIZ marker")?;
    let ytosiz = r.u32("SIZ marker")?;
    let csiz = r.u16("SIZ marker")?;
    if !(1..=4).contains(&csiz) {
        return Err(dec_err(format!(
            "{csiz} components; brickwork reads 1 to 4 (gray, gray + alpha, RGB, RGBA), as Pillow"
        )));
    }
    if usize::from(lsiz) != 38 + 3 * usize::from(csiz) {
        return Err(dec_err(format!(
            "a SIZ marker of {lsiz} bytes for {csiz} components"
        )));
    }
    if xsiz <= xosiz || ysiz <= yosiz || xtsiz == 0 || ytsiz == 0 || xtosiz > xosiz || ytosiz > yosiz {
        return Err(dec_err(format!(
            "the SIZ marker's grid is not an image: size {xsiz}x{ysiz}, offset {xosiz},{yosiz}, tiles \
             {xtsiz}x{ytsiz} from {xtosiz},{ytosiz}"
        )));
    }
    let mut comps = Vec::with_capacity(usize::from(csiz));
    for _ in 0..csiz {
        let ssiz = r.u8("SIZ marker")?;
        let dx = r.u8("SIZ marker")?;
        let dy = r.u8("SIZ marker")?;
        comps.push(Component {
            prec: u32::from(ssiz & 0x7f) + 1,
            signed: ssiz & 0x80 != 0,
            dx,
            dy,
        });
    }
    let tiles = u64::from(xsiz - xtosiz).div_ceil(u64::from(xtsiz))
        * u64::from(ysiz - ytosiz).div_ceil(u64::from(ytsiz));
    loop {
        let marker = r.u16("codestream marker")?;
        match marker {
            0xff90 => {
                // SOT: the tile-part's length says where the next one starts.
                let start = r.pos - 2;
                let _lsot = r.u16("SOT marker")?;
                let _isot = r.u16("SOT marker")?;
                let psot = r.u32("SOT marker")? as usize;
                r.take(2, "SOT marker")?;
                walk_tile_part(&mut r, start, psot)?;
                if psot == 0 || r.pos >= cs.len() {
                    break;
                }
            }
            0xffd9 => break,
            0xff52 | 0xff53 => {
                let len = usize::from(r.u16("marker")?);
                let body = r.take(len.saturating_sub(2), "marker")?;
                coding_style(marker, body, csiz)?;
            }
            m if m >> 8 == 0xff => {
                let len = usize::from(r.u16("marker")?);
                if len < 2 {
                    return Err(dec_err(format!("marker {m:04X} of length {len}")));
                }
                r.take(len - 2, "marker")?;
            }
            m => return Err(dec_err(format!("{m:04X} where a marker was expected"))),
        }
    }
    Ok(Codestream {
        width: xsiz - xosiz,
        height: ysiz - yosiz,
        comps,
        tiles,
    })
}

/// A tile-part header: its `COD`/`COC` markers are checked; `r` ends at the next tile-part.
fn walk_tile_part(r: &mut Be<'_>, start: usize, psot: usize) -> Result<()> {
    loop {
        let marker = r.u16("tile-part header")?;
        if marker == 0xff93 {
            break;
        }
        let len = usize::from(r.u16("tile-part header")?);
        if len < 2 {
            return Err(dec_err(format!("marker {marker:04X} of length {len}")));
        }
        let body = r.take(len - 2, "tile-part header")?;
        if marker == 0xff52 || marker == 0xff53 {
            coding_style(marker, body, 4)?;
        }
    }
    if psot == 0 {
        r.pos = r.b.len();
    } else {
        let next = start
            .checked_add(psot)
            .filter(|n| *n <= r.b.len() && *n >= r.pos)
            .ok_or_else(|| dec_err(format!("a tile-part of {psot} bytes does not fit the codestream")))?;
        r.pos = next;
    }
    Ok(())
}

/// Checks a `COD` or `COC` marker's code-block sizes against its precincts (see the module docs).
fn coding_style(marker: u16, body: &[u8], csiz: u16) -> Result<()> {
    let mut r = Be { b: body, pos: 0 };
    if marker == 0xff53 {
        r.take(if csiz < 257 { 1 } else { 2 }, "COC marker")?;
    }
    let scod = r.u8("coding style")?;
    if marker == 0xff52 {
        r.take(4, "COD marker")?;
    }
    let levels = r.u8("coding style")?;
    let xcb = u32::from(r.u8("coding style")? & 0xf) + 2;
    let ycb = u32::from(r.u8("coding style")? & 0xf) + 2;
    r.take(2, "coding style")?;
    if levels > 32 {
        return Err(dec_err(format!("{levels} decomposition levels (at most 32)")));
    }
    if scod & 1 == 1 {
        for res in 0..=levels {
            let pp = r.u8("precinct sizes")?;
            let (ppx, ppy) = (u32::from(pp & 0xf), u32::from(pp >> 4));
            let (cbx, cby) = if res == 0 {
                (xcb.min(ppx), ycb.min(ppy))
            } else {
                (xcb.min(ppx.saturating_sub(1)), ycb.min(ppy.saturating_sub(1)))
            };
            if cbx + cby < 4 {
                return Err(dec_err(format!(
                    "precincts of 2^{ppx}x2^{ppy} make code-blocks of {} samples; brickwork reads files whose \
                     code-blocks hold 16 or more",
                    1u32 << (cbx + cby)
                )));
            }
        }
    }
    Ok(())
}

/// One decoded component, as OpenJPEG holds it.
struct Plane<'a> {
    prec: u32,
    sgnd: bool,
    samples: &'a [i32],
}

/// OpenJPEG's decoding of the whole image, handed to `then` with the colour space its header reading
/// found (JP2 palettes and channel definitions not applied, as Pillow's reading).
fn opj_decode<T>(
    bytes: &[u8],
    jp2: bool,
    pixels: u64,
    then: impl FnOnce(i32, &[Plane<'_>]) -> Result<T>,
) -> Result<T> {
    let format = if jp2 {
        opj::CODEC_FORMAT::OPJ_CODEC_JP2
    } else {
        opj::CODEC_FORMAT::OPJ_CODEC_J2K
    };
    let mut source = Source { data: bytes, pos: 0 };
    let mut errors = String::new();
    let mut params = std::mem::MaybeUninit::<opj::opj_dparameters_t>::uninit();
    // SAFETY: OpenJPEG fills every field with its defaults.
    let mut params = unsafe {
        opj::opj_set_default_decoder_parameters(params.as_mut_ptr());
        params.assume_init()
    };
    params.flags |= opj::OPJ_DPARAMETERS_IGNORE_PCLR_CMAP_CDEF_FLAG;
    // SAFETY: `source`, `errors` and `params` outlive the codec and the stream (destroyed by `Codec` and
    // `Stream` at the end of this block); the image is owned by `Image` and only read through its
    // declared component sizes.
    unsafe {
        let codec = Codec(opj::opj_create_decompress(format));
        if codec.0.is_null() {
            return Err(dec_err("OpenJPEG could not make a decoder"));
        }
        let client = (&mut errors as *mut String).cast::<c_void>();
        opj::opj_set_error_handler(codec.0, Some(on_error), client);
        if opj::opj_setup_decoder(codec.0, &mut params) == 0 {
            return Err(dec_err(opj_message(&errors, "OpenJPEG refused the parameters")));
        }
        use_threads(codec.0, pixels);
        let stream = Stream(opj::opj_stream_create(1 << 16, 1));
        if stream.0.is_null() {
            return Err(dec_err("OpenJPEG could not make a stream"));
        }
        opj::opj_stream_set_read_function(stream.0, Some(source_read));
        opj::opj_stream_set_skip_function(stream.0, Some(source_skip));
        opj::opj_stream_set_seek_function(stream.0, Some(source_seek));
        opj::opj_stream_set_user_data(stream.0, (&mut source as *mut Source<'_>).cast(), None);
        opj::opj_stream_set_user_data_length(stream.0, bytes.len() as u64);
        let mut image = Image(std::ptr::null_mut());
        if opj::opj_read_header(stream.0, codec.0, &mut image.0) == 0 || image.0.is_null() {
            return Err(dec_err(opj_message(
                &errors,
                "OpenJPEG could not read the header",
            )));
        }
        let space = std::ptr::addr_of!((*image.0).color_space).cast::<i32>().read();
        if opj::opj_decode(codec.0, stream.0, image.0) == 0 || opj::opj_end_decompress(codec.0, stream.0) == 0
        {
            return Err(dec_err(opj_message(
                &errors,
                "OpenJPEG could not decode the image",
            )));
        }
        let img = &*image.0;
        let n = img.numcomps as usize;
        if n == 0 || img.comps.is_null() {
            return Err(dec_err("OpenJPEG decoded no components"));
        }
        let mut planes = Vec::with_capacity(n);
        for comp in std::slice::from_raw_parts(img.comps, n) {
            let len = (comp.w as usize)
                .checked_mul(comp.h as usize)
                .ok_or_else(|| dec_err("component size overflows"))?;
            if comp.data.is_null() {
                return Err(dec_err("OpenJPEG decoded a component without samples"));
            }
            planes.push(Plane {
                prec: comp.prec,
                sgnd: comp.sgnd != 0,
                samples: std::slice::from_raw_parts(comp.data, len),
            });
        }
        then(space, &planes)
    }
}

/// Pillow's unpackers (`Jpeg2KDecode.c`): the output channel of each component, with each sample read as
/// the `csiz`-byte word OpenJPEG hands Pillow, offset to unsigned and shifted to the output's width.
fn unpack(mode: Mode, space: i32, comps: &[Plane<'_>], w: usize, h: usize) -> Result<ArrayBuf> {
    const UNSPECIFIED: i32 = 0;
    const SRGB: i32 = 1;
    const GRAY: i32 = 2;
    const CMYK: i32 = 5;
    let n = comps.len();
    let space = match space {
        -1 | UNSPECIFIED if n <= 2 => GRAY,
        -1 | UNSPECIFIED => SRGB,
        s => s,
    };
    let pixels_n = w * h;
    if comps.iter().any(|c| c.samples.len() != pixels_n) {
        return Err(dec_err("the decoded components do not have the image's size"));
    }
    const SYCC: i32 = 3;
    // (component feeding each output channel, None = opaque 255; bits per output sample; the first three
    // channels are YCbCr to convert to RGB)
    let plan: (&[Option<usize>], u32, bool) = match (mode, space, n) {
        (Mode::L, GRAY, 1) => (&[Some(0)], 8, false),
        (Mode::I16, GRAY, 1) => (&[Some(0)], 16, false),
        (Mode::La, GRAY, 2) => (&[Some(0), Some(1)], 8, false),
        (Mode::Rgb, GRAY, 1 | 2) => (&[Some(0), Some(0), Some(0)], 8, false),
        (Mode::Rgb, SRGB, 3 | 4) => (&[Some(0), Some(1), Some(2)], 8, false),
        (Mode::Rgb, SYCC, 3 | 4) => (&[Some(0), Some(1), Some(2)], 8, true),
        (Mode::Rgba, GRAY, 1) => (&[Some(0), Some(0), Some(0), None], 8, false),
        (Mode::Rgba, GRAY, 2) => (&[Some(0), Some(0), Some(0), Some(1)], 8, false),
        (Mode::Rgba, SRGB, 3) => (&[Some(0), Some(1), Some(2), None], 8, false),
        (Mode::Rgba, SYCC, 3) => (&[Some(0), Some(1), Some(2), None], 8, true),
        (Mode::Rgba, SYCC, 4) => (&[Some(0), Some(1), Some(2), Some(3)], 8, true),
        (Mode::Rgba, GRAY | SRGB, 4) | (Mode::Cmyk, CMYK, 4) => {
            (&[Some(0), Some(1), Some(2), Some(3)], 8, false)
        }
        _ => {
            let what = match space {
                4 => "e-YCC colour",
                CMYK => "CMYK colour with other than 4 components",
                _ => "this combination of components and colour space",
            };
            return Err(dec_err(format!(
                "{what} is not supported ({n} component(s)); brickwork reads gray, gray + alpha, RGB, RGBA, \
                 sYCC and CMYK JPEG 2000 images"
            )));
        }
    };
    let (channels, bits, ycc) = plan;
    let c = channels.len();
    let mut words: Vec<(u32, i32, u32, &[i32])> = Vec::with_capacity(n);
    for comp in comps {
        let (prec, sgnd) = (comp.prec, comp.sgnd);
        if !(1..=31).contains(&prec) {
            return Err(dec_err(format!("a component of {prec} bits")));
        }
        let csiz = match prec.div_ceil(8) {
            3 => 4,
            s => s,
        };
        let mask = if csiz == 4 {
            u32::MAX
        } else {
            (1u32 << (8 * csiz)) - 1
        };
        let shift = bits as i32 - prec as i32;
        let mut offset: u32 = if sgnd { 1 << (prec - 1) } else { 0 };
        if shift < 0 {
            offset = offset.wrapping_add(1 << (-shift - 1));
        }
        words.push((mask, shift, offset, comp.samples));
    }
    let sample = |k: usize, i: usize| -> u32 {
        let (mask, shift, offset, data) = words[k];
        let x = offset.wrapping_add(data[i] as u32 & mask);
        if shift < 0 {
            x >> -shift
        } else {
            x.wrapping_shl(shift as u32)
        }
    };
    let dtype = if bits == 16 {
        pixels::u16_dtype()
    } else {
        pixels::u8_dtype()
    };
    let mut out = Vec::with_capacity(pixels_n * c * (bits as usize / 8));
    for i in 0..pixels_n {
        if ycc {
            let [y, cb, cr] = [0, 1, 2].map(|k| sample(k, i) as u8);
            out.extend_from_slice(&ycbcr_to_rgb(y, cb, cr));
            out.extend(
                channels[3..]
                    .iter()
                    .map(|ch| ch.map_or(0xff, |k| sample(k, i)) as u8),
            );
            continue;
        }
        for ch in channels {
            let v = ch.map_or(0xff, |k| sample(k, i));
            if bits == 16 {
                out.extend_from_slice(&(v as u16).to_le_bytes());
            } else {
                out.push(v as u8);
            }
        }
    }
    pixels::stack(vec![out], dtype, &pixels::image_shape(h, w, c), false)
}

/// Pillow's YCbCr → RGB (`ImagingConvertYCbCr2RGB`, JPEG/JFIF's equations): each chroma term in 1/64ths,
/// truncated from `(c - 128) × coefficient × 64 + 0.5` as Pillow's tables hold it, added to Y after an
/// arithmetic shift, clamped to 0..=255.
fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let term = |c: u8, coef: f64| ((f64::from(c) - 128.0) * coef * 64.0 + 0.5) as i32;
    let y = i32::from(y);
    let r = y + (term(cr, 1.402) >> 6);
    let g = y + ((term(cb, -0.34414) + term(cr, -0.71414)) >> 6);
    let b = y + (term(cb, 1.772) >> 6);
    [r, g, b].map(|v| v.clamp(0, 255) as u8)
}

// ------------------------------------------------------------------------------------------------
// OpenJPEG plumbing: owners that destroy what OpenJPEG made, memory streams, the error callback.

struct Codec(*mut opj::opj_codec_t);
impl Drop for Codec {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: made by opj_create_(de)compress, destroyed once.
            unsafe { opj::opj_destroy_codec(self.0) }
        }
    }
}

struct Stream(*mut opj::opj_stream_t);
impl Drop for Stream {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: made by opj_stream_create, destroyed once (it has no user-data destructor).
            unsafe { opj::opj_stream_destroy(self.0) }
        }
    }
}

struct Image(*mut opj::opj_image_t);
impl Drop for Image {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: made by OpenJPEG (opj_image_create or opj_read_header), destroyed once.
            unsafe { opj::opj_image_destroy(self.0) }
        }
    }
}

/// Images of this many pixels or more are coded on several threads (OpenJPEG's own, made for the codec
/// and joined when it is destroyed, so nothing outlives the call or crosses a fork); smaller ones would
/// spend more on starting the threads than they save.
const THREADED_PIXELS: u64 = 256 * 256;

/// Lets OpenJPEG code the code-blocks of a large image on one thread per core (the bytes and the pixels are
/// the same on any number of threads), unless `OPJ_NUM_THREADS` says how many (OpenJPEG reads it itself).
///
/// # Safety
/// `codec` is a live OpenJPEG codec, set up and not yet reading or writing.
unsafe fn use_threads(codec: *mut opj::opj_codec_t, pixels: u64) {
    if pixels < THREADED_PIXELS || std::env::var_os("OPJ_NUM_THREADS").is_some() {
        return;
    }
    let n = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16);
    if n > 1 {
        // SAFETY: the caller's contract; a refusal leaves the codec on one thread, which is fine.
        unsafe { opj::opj_codec_set_threads(codec, n as i32) };
    }
}

/// OpenJPEG's last error message, or `fallback`.
fn opj_message(errors: &str, fallback: &str) -> String {
    let msg = errors
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if msg.is_empty() {
        fallback.to_owned()
    } else {
        format!("{fallback}: {msg}")
    }
}

/// OpenJPEG's error callback: appends the message to the `String` the client data points to.
unsafe extern "C" fn on_error(msg: *const c_char, client: *mut c_void) {
    if msg.is_null() || client.is_null() {
        return;
    }
    // SAFETY: `client` is the `&mut String` registered with the codec, alive while the codec is; `msg` is
    // a NUL-terminated string from OpenJPEG.
    unsafe {
        let errors = &mut *client.cast::<String>();
        if errors.len() < 4096 {
            errors.push_str(&CStr::from_ptr(msg).to_string_lossy());
        }
    }
}

/// The bytes OpenJPEG reads.
struct Source<'a> {
    data: &'a [u8],
    pos: usize,
}

unsafe extern "C" fn source_read(buf: *mut c_void, n: usize, user: *mut c_void) -> usize {
    // SAFETY: `user` is the `Source` registered with the stream; `buf` has room for `n` bytes.
    unsafe {
        let s = &mut *user.cast::<Source<'_>>();
        let left = s.data.len().saturating_sub(s.pos);
        if left == 0 {
            return usize::MAX;
        }
        let k = n.min(left);
        std::ptr::copy_nonoverlapping(s.data.as_ptr().add(s.pos), buf.cast::<u8>(), k);
        s.pos += k;
        k
    }
}

unsafe extern "C" fn source_skip(n: i64, user: *mut c_void) -> i64 {
    // SAFETY: `user` is the `Source` registered with the stream.
    let s = unsafe { &mut *user.cast::<Source<'_>>() };
    let left = (s.data.len() - s.pos.min(s.data.len())) as i64;
    if n < 0 {
        return -1;
    }
    let k = n.min(left);
    s.pos += k as usize;
    k
}

unsafe extern "C" fn source_seek(n: i64, user: *mut c_void) -> i32 {
    // SAFETY: `user` is the `Source` registered with the stream.
    let s = unsafe { &mut *user.cast::<Source<'_>>() };
    match usize::try_from(n) {
        Ok(p) if p <= s.data.len() => {
            s.pos = p;
            1
        }
        _ => 0,
    }
}

/// The bytes OpenJPEG writes (it seeks back to fill in box lengths).
#[derive(Default)]
struct Sink {
    data: Vec<u8>,
    pos: usize,
}

unsafe extern "C" fn sink_write(buf: *mut c_void, n: usize, user: *mut c_void) -> usize {
    // SAFETY: `user` is the `Sink` registered with the stream; `buf` holds `n` bytes.
    unsafe {
        let s = &mut *user.cast::<Sink>();
        let src = std::slice::from_raw_parts(buf.cast::<u8>(), n);
        let end = s.pos + n;
        if s.data.len() < end {
            s.data.resize(end, 0);
        }
        s.data[s.pos..end].copy_from_slice(src);
        s.pos = end;
        n
    }
}

unsafe extern "C" fn sink_skip(n: i64, user: *mut c_void) -> i64 {
    // SAFETY: `user` is the `Sink` registered with the stream.
    let s = unsafe { &mut *user.cast::<Sink>() };
    match usize::try_from(n).ok().and_then(|k| s.pos.checked_add(k)) {
        Some(p) => {
            s.pos = p;
            n
        }
        None => -1,
    }
}

unsafe extern "C" fn sink_seek(n: i64, user: *mut c_void) -> i32 {
    // SAFETY: `user` is the `Sink` registered with the stream.
    let s = unsafe { &mut *user.cast::<Sink>() };
    match usize::try_from(n) {
        Ok(p) => {
            s.pos = p;
            1
        }
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    fn arr(shape: Vec<usize>, dtype: DType) -> ArrayBuf {
        let n: usize = shape.iter().product::<usize>() * dtype.itemsize();
        let data = (0..n).map(|i| ((i * 7919) % 251) as u8).collect();
        ArrayBuf::new(data, dtype, shape, Order::C).unwrap()
    }

    #[test]
    fn every_writable_kind_round_trips_exactly() {
        for (shape, dtype) in [
            (vec![33, 17], DType::U8),
            (vec![33, 17, 2], DType::U8),
            (vec![33, 17, 3], DType::U8),
            (vec![33, 17, 4], DType::U8),
            (vec![33, 17], pixels::u16_dtype()),
            (vec![1, 1], DType::U8),
            (vec![1, 300], DType::U8),
        ] {
            let a = arr(shape.clone(), dtype);
            let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            assert!(b.starts_with(JP2_SIGNATURE), "{shape:?}");
            assert!(sniff(&b));
            let back = decode(&b, &DecodeOptions::default()).unwrap();
            assert!(back == a, "{shape:?} {dtype}");
        }
    }

    #[test]
    fn unwritable_inputs_are_refused_by_name() {
        for (shape, dtype) in [
            (vec![8, 8, 3], pixels::u16_dtype()),
            (vec![8, 8], DType::parse("<f4").unwrap()),
            (vec![8, 8], DType::parse("<i2").unwrap()),
            (vec![8, 8], pixels::bool_dtype()),
            (vec![2, 8, 8], DType::U8),
        ] {
            let e = encode(
                &MediaData::Array(arr(shape.clone(), dtype)),
                &EncodeOptions::default(),
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains("jpeg2000"), "{shape:?}: {e}");
        }
    }

    #[test]
    fn hostile_headers_fail_before_openjpeg_allocates() {
        let good = encode(
            &MediaData::Array(arr(vec![16, 16], DType::U8)),
            &EncodeOptions::default(),
        )
        .unwrap();
        let cs_at = good.windows(4).position(|w| w == CODESTREAM_START).unwrap();
        let cs = &good[cs_at..];
        let siz = |patch: &dyn Fn(&mut Vec<u8>)| {
            let mut c = cs.to_vec();
            patch(&mut c);
            decode(&c, &DecodeOptions::default()).unwrap_err().to_string()
        };
        // A huge image (SIZ Xsiz/Ysiz at offsets 8 and 12 of the codestream).
        let e = siz(&|c| {
            c[8..12].copy_from_slice(&1_000_000u32.to_be_bytes());
            c[12..16].copy_from_slice(&1_000_000u32.to_be_bytes());
        });
        assert!(e.contains("over the limit"), "{e}");
        // 1x1 tiles on a 4096² grid: 16M tiles' structures for a 16 MiB image.
        let e = siz(&|c| {
            c[8..12].copy_from_slice(&4096u32.to_be_bytes());
            c[12..16].copy_from_slice(&4096u32.to_be_bytes());
            c[24..28].copy_from_slice(&1u32.to_be_bytes());
            c[28..32].copy_from_slice(&1u32.to_be_bytes());
        });
        assert!(e.contains("tiles"), "{e}");
        // Truncations anywhere give errors, never a panic.
        for cut in 0..good.len() {
            assert!(
                decode(&good[..cut], &DecodeOptions::default()).is_err(),
                "cut at {cut}"
            );
        }
        // Byte flips: an error or an image, never a panic.
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x5a;
            let _ = decode(&b, &DecodeOptions::default());
        }
    }

    #[test]
    fn other_precisions_are_shifted_as_pillow_shifts_them() {
        // Pillow has no 12- or 4-bit writer; OpenJPEG makes them here. Pillow reads a 12-bit gray image as
        // I;16 (samples << 4), a 12-bit RGB one as RGB (rounded >> 4), a 4-bit gray one as L (<< 4).
        let (w, h) = (19u32, 11u32);
        let n = (w * h) as usize;
        let ramp = |bits: u32| {
            move |k: usize, d: &mut [i32]| {
                for (i, v) in d.iter_mut().enumerate() {
                    *v = ((i * 37 + k * 11) % (1 << bits)) as i32;
                }
            }
        };
        let gray12 = write_jp2(w, h, 1, 12, opj::COLOR_SPACE::OPJ_CLRSPC_GRAY, ramp(12)).unwrap();
        let a = decode(&gray12, &DecodeOptions::default()).unwrap();
        assert_eq!(a.shape(), &[11, 19]);
        assert_eq!(a.dtype(), pixels::u16_dtype());
        let want: Vec<u8> = (0..n)
            .flat_map(|i| ((((i * 37) % 4096) << 4) as u16).to_le_bytes())
            .collect();
        assert_eq!(a.data(), &want[..]);

        let rgb12 = write_jp2(w, h, 3, 12, opj::COLOR_SPACE::OPJ_CLRSPC_SRGB, ramp(12)).unwrap();
        let a = decode(&rgb12, &DecodeOptions::default()).unwrap();
        assert_eq!(a.shape(), &[11, 19, 3]);
        let want: Vec<u8> = (0..n)
            .flat_map(|i| (0..3).map(move |k| ((((i * 37 + k * 11) % 4096) + 8) >> 4) as u8))
            .collect();
        assert_eq!(a.data(), &want[..]);

        let gray4 = write_jp2(w, h, 1, 4, opj::COLOR_SPACE::OPJ_CLRSPC_GRAY, ramp(4)).unwrap();
        let a = decode(&gray4, &DecodeOptions::default()).unwrap();
        let want: Vec<u8> = (0..n).map(|i| (((i * 37) % 16) << 4) as u8).collect();
        assert_eq!((a.shape(), a.data()), (&[11usize, 19][..], &want[..]));
    }

    #[test]
    fn ycbcr_converts_as_pillow_converts() {
        // Pillow 13: Image.fromarray([[ycc]], mode="YCbCr").convert("RGB")
        for (ycc, rgb) in [
            ([128, 0, 255], [255, 81, 0]),
            ([0, 255, 0], [0, 47, 225]),
            ([200, 100, 150], [230, 193, 150]),
            ([16, 128, 128], [16, 16, 16]),
            ([255, 77, 201], [255, 220, 164]),
        ] {
            assert_eq!(ycbcr_to_rgb(ycc[0], ycc[1], ycc[2]), rgb, "{ycc:?}");
        }
    }

    #[test]
    fn a_bare_codestream_reads_too() {
        let a = arr(vec![20, 24, 3], DType::U8);
        let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
        let cs_at = b.windows(4).position(|w| w == CODESTREAM_START).unwrap();
        assert!(decode(&b[cs_at..], &DecodeOptions::default()).unwrap() == a);
    }
}
