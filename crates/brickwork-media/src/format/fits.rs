//! FITS: primary image HDUs, read and written in-house (2880-byte blocks of 80-character header cards,
//! big-endian data).
//!
//! **Reading** (`decode`) has two semantics, as imageio has two readers:
//! * by default (`.fits`, `.fit`, `.fts`, plugin `FITS`): astropy's `hdu.data`, what imageio's `FITS`
//!   plugin returns. The full N-d array in file order, shape `(NAXISn, …, NAXIS1)`, with astropy's scaling:
//!   BITPIX 8 with BZERO −128 → i8; 16/32/64 with BZERO 2^(bits−1) → u16/u32/u64 (BSCALE 1); any other
//!   BSCALE/BZERO → `raw × BSCALE + BZERO` as float32 (BITPIX 8, 16, −32) or float64 (32, 64, −64), with
//!   BLANK samples of integer data becoming NaN; unscaled data keeps its type (u8, i16, i32, i64, f32, f64).
//!   This differs from imageio's `extension=".fits"`, which picks Pillow first (see below); brickwork
//!   prefers the lossless reader, so that what it writes reads back unchanged.
//! * plugin `pillow` or `FITS-PIL` (`DecodeOptions::plugin`): Pillow's FITS reader. The first 2-D plane
//!   (NAXIS2 × NAXIS1; NAXIS = 1 gives NAXIS1 × 1), **flipped vertically** (Pillow treats the first stored
//!   row as the bottom row), raw samples with BZERO/BSCALE ignored: BITPIX 8 → u8, 16 → **u16 holding the
//!   int16 bits**, 32 → i32, −32 → f32, −64 → **f32** (Pillow's mode F); BITPIX 64 is refused (as Pillow).
//!
//! Only the primary HDU is read; a primary HDU without data (NAXIS = 0) is an error. Header values are
//! parsed from fixed-format cards (`KEYWORD = value / comment`); the header must end with `END` within the
//! bytes given, and the data size from BITPIX and NAXISn is checked with [`crate::MediaLimits`] and against
//! the bytes present before anything is allocated.
//!
//! **Writing** (`encode`; imageio cannot write FITS at all) writes one primary HDU: `SIMPLE = T`,
//! `BITPIX`, `NAXIS`, `NAXISn` (NAXIS1 = the last axis), `EXTEND = T`, then the samples big-endian in array
//! (C) order, so astropy reads back the same array (and Pillow reads it flipped, as any FITS file). u8 → 8,
//! i16 → 16, i32 → 32, i64 → 64, f32 → −32, f64 → −64; unsigned and i8 use astropy's offset convention
//! (u16/u32/u64 → BITPIX 16/32/64 with `BZERO = 2^(bits−1)`, i8 → 8 with `BZERO = −128`). A frame list is
//! stacked on a new first axis. Bool, f16 and complex are refused.

use brickwork_core::{ArrayBuf, DType, Endian, Kind, Order};

use super::samples;
use super::{DecodeOptions, EncodeOptions};
use crate::{MediaData, MediaError, Result};

const FORMAT: &str = "fits";
const BLOCK: usize = 2880;
const CARD: usize = 80;
/// Most axes a FITS header may declare.
const MAX_AXES: usize = 999;

fn dec_err(reason: impl std::fmt::Display) -> MediaError {
    MediaError::decode(FORMAT, reason)
}

fn enc_err(reason: impl std::fmt::Display) -> MediaError {
    MediaError::encode(FORMAT, reason)
}

// ------------------------------------------------------------------------------------------------
// Writing.

fn card(key: &str, value: &str) -> [u8; CARD] {
    let mut c = [b' '; CARD];
    let text = format!("{key:<8}= {value:>20}");
    let n = text.len().min(CARD);
    c[..n].copy_from_slice(&text.as_bytes()[..n]);
    c
}

/// Writes `data` as a FITS primary image HDU (see the module docs).
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, shape) = match data {
        MediaData::Array(a) => (samples::frames(data, FORMAT, |_| false)?, a.shape().to_vec()),
        MediaData::Frames(list) => {
            let frames = samples::frames(data, FORMAT, |_| true)?;
            let inner = frames.first().map(|f| f.shape.clone()).unwrap_or_default();
            let shape = std::iter::once(list.len()).chain(inner).collect();
            (frames, shape)
        }
    };
    if shape.is_empty() || shape.len() > MAX_AXES {
        return Err(enc_err(format!(
            "an array of {} axes cannot be stored; FITS images have 1..={MAX_AXES} axes",
            shape.len()
        )));
    }
    let dtype = frames
        .first()
        .map(|f| f.dtype)
        .ok_or_else(|| enc_err("no data"))?;
    let (bitpix, bzero): (i32, Option<&str>) = match (dtype.kind(), dtype.itemsize()) {
        (Kind::UInt, 1) => (8, None),
        (Kind::Int, 1) => (8, Some("-128")),
        (Kind::Int, 2) => (16, None),
        (Kind::UInt, 2) => (16, Some("32768")),
        (Kind::Int, 4) => (32, None),
        (Kind::UInt, 4) => (32, Some("2147483648")),
        (Kind::Int, 8) => (64, None),
        (Kind::UInt, 8) => (64, Some("9223372036854775808")),
        (Kind::Float, 4) => (-32, None),
        (Kind::Float, 8) => (-64, None),
        _ => {
            return Err(enc_err(format!(
                "dtype {dtype} cannot be stored; FITS takes (u)int8/16/32/64, float32 and float64"
            )))
        }
    };
    let mut out = Vec::new();
    out.extend_from_slice(&card("SIMPLE", "T"));
    out.extend_from_slice(&card("BITPIX", &bitpix.to_string()));
    out.extend_from_slice(&card("NAXIS", &shape.len().to_string()));
    for (i, d) in shape.iter().rev().enumerate() {
        out.extend_from_slice(&card(&format!("NAXIS{}", i + 1), &d.to_string()));
    }
    out.extend_from_slice(&card("EXTEND", "T"));
    if let Some(z) = bzero {
        out.extend_from_slice(&card("BSCALE", "1"));
        out.extend_from_slice(&card("BZERO", z));
    }
    let mut end = [b' '; CARD];
    end[..3].copy_from_slice(b"END");
    out.extend_from_slice(&end);
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, b' ');
    let size = dtype.itemsize();
    for f in &frames {
        for item in f.bytes.chunks_exact(size) {
            let mut be: Vec<u8> = item.iter().rev().copied().collect();
            if bzero.is_some() {
                // Offset convention: stored = value - BZERO, which flips the top bit (of the
                // big-endian first byte) for unsigned values and for i8.
                be[0] ^= 0x80;
            }
            out.extend_from_slice(&be);
        }
    }
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// Reading.

/// The keywords a reader needs from the primary header.
#[derive(Debug, Default)]
struct Header {
    bitpix: i32,
    axes: Vec<usize>,
    bscale: f64,
    bzero: f64,
    blank: Option<i64>,
    data_start: usize,
}

fn value_text(card: &[u8]) -> Option<String> {
    if card.get(8..10) != Some(b"= ") {
        return None;
    }
    let text = String::from_utf8_lossy(&card[10..]);
    let v = text.split('/').next().unwrap_or("").trim().to_owned();
    Some(v)
}

fn parse_header(bytes: &[u8]) -> Result<Header> {
    if !bytes.starts_with(b"SIMPLE  =") {
        return Err(dec_err("no `SIMPLE  =` card at the start: not a FITS file"));
    }
    let mut h = Header {
        bscale: 1.0,
        ..Header::default()
    };
    let mut naxis: Option<usize> = None;
    let mut axes: Vec<Option<usize>> = Vec::new();
    let mut bitpix = None;
    let mut end = None;
    for (i, c) in bytes.chunks_exact(CARD).enumerate() {
        let key = String::from_utf8_lossy(&c[..8]).trim_end().to_owned();
        if key == "END" {
            end = Some(i);
            break;
        }
        let Some(v) = value_text(c) else { continue };
        let int = |name: &str| -> Result<i64> {
            v.parse::<i64>()
                .map_err(|_| dec_err(format!("{name} = {v:?} is not an integer")))
        };
        let float = |name: &str| -> Result<f64> {
            v.replace(['D', 'd'], "E")
                .parse::<f64>()
                .map_err(|_| dec_err(format!("{name} = {v:?} is not a number")))
        };
        match key.as_str() {
            "SIMPLE" if v != "T" => return Err(dec_err("SIMPLE is not T: not a standard FITS file")),
            "BITPIX" => bitpix = Some(int("BITPIX")?),
            "NAXIS" => {
                let n = int("NAXIS")?;
                if !(0..=MAX_AXES as i64).contains(&n) {
                    return Err(dec_err(format!("NAXIS = {n}; 0..={MAX_AXES} accepted")));
                }
                naxis = Some(n as usize);
                axes = vec![None; n as usize];
            }
            "BSCALE" => h.bscale = float("BSCALE")?,
            "BZERO" => h.bzero = float("BZERO")?,
            "BLANK" => h.blank = Some(int("BLANK")?),
            k if k.starts_with("NAXIS") => {
                if let Ok(idx) = k[5..].parse::<usize>() {
                    let n = int(k)?;
                    let n = usize::try_from(n).map_err(|_| dec_err(format!("{k} = {n} is negative")))?;
                    if let Some(slot) = idx.checked_sub(1).and_then(|i| axes.get_mut(i)) {
                        *slot = Some(n);
                    }
                }
            }
            _ => {}
        }
    }
    let end = end.ok_or_else(|| dec_err("the header has no END card within the file"))?;
    h.data_start = ((end + 1) * CARD).div_ceil(BLOCK) * BLOCK;
    let bitpix = bitpix.ok_or_else(|| dec_err("no BITPIX card"))?;
    h.bitpix = match bitpix {
        8 | 16 | 32 | 64 | -32 | -64 => bitpix as i32,
        other => {
            return Err(dec_err(format!(
                "BITPIX = {other}; 8, 16, 32, 64, -32 or -64 accepted"
            )))
        }
    };
    let naxis = naxis.ok_or_else(|| dec_err("no NAXIS card"))?;
    h.axes = axes
        .into_iter()
        .enumerate()
        .map(|(i, a)| a.ok_or_else(|| dec_err(format!("NAXIS{} is missing", i + 1))))
        .collect::<Result<_>>()?;
    if naxis == 0 {
        return Err(dec_err("the primary HDU has no image (NAXIS = 0)"));
    }
    Ok(h)
}

/// Which reader's semantics to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Semantics {
    Pillow,
    Astropy,
}

fn semantics(opts: &DecodeOptions) -> Semantics {
    match opts.plugin.as_deref() {
        Some("pillow" | "FITS-PIL") => Semantics::Pillow,
        _ => Semantics::Astropy,
    }
}

/// Reads the primary image HDU (see the module docs for the two semantics).
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let h = parse_header(bytes)?;
    let mode = semantics(opts);
    let item = (h.bitpix.unsigned_abs() / 8) as usize;
    // Declared sizes, checked before allocating.
    let (width, height, rest) = match mode {
        Semantics::Pillow => match h.axes.as_slice() {
            [n] => (1, *n, 1),
            [w, hgt, ..] => (*w, *hgt, 1),
            [] => (0, 0, 0),
        },
        Semantics::Astropy => {
            let w = h.axes.first().copied().unwrap_or(1);
            let hgt = h.axes.get(1).copied().unwrap_or(1);
            let rest = h
                .axes
                .iter()
                .skip(2)
                .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
                .unwrap_or(u64::MAX);
            (w, hgt, rest)
        }
    };
    let out_item = match (mode, h.bitpix) {
        (Semantics::Pillow, 64) => {
            return Err(MediaError::Unsupported {
                what: "FITS BITPIX 64".into(),
                reason: "Pillow (imageio's .fits reader) refuses it; read with plugin=\"FITS\"".into(),
            })
        }
        (Semantics::Pillow, -64) => 4,
        (Semantics::Astropy, b) if (h.bscale != 1.0 || h.bzero != 0.0) && b > 16 => 8,
        (Semantics::Astropy, b) if (h.bscale != 1.0 || h.bzero != 0.0) && b > 0 => 4,
        _ => item,
    };
    let n_bytes = opts.limits.check(
        FORMAT,
        width as u64,
        height as u64,
        rest,
        item.max(out_item) as u64,
    )?;
    let n = n_bytes / item.max(out_item);
    let data_len = n * item;
    let raw = bytes
        .get(h.data_start..)
        .and_then(|d| d.get(..data_len))
        .ok_or_else(|| {
            dec_err(format!(
                "the data unit needs {data_len} bytes after byte {}, the file has {}",
                h.data_start,
                bytes.len().saturating_sub(h.data_start)
            ))
        })?;
    match mode {
        Semantics::Pillow => pillow(raw, &h, width, height),
        Semantics::Astropy => astropy(raw, &h),
    }
}

fn le_dtype(kind: Kind, size: usize) -> Result<DType> {
    Ok(DType::new(kind, size, Endian::Little)?)
}

/// Big-endian items to little-endian.
fn swap(raw: &[u8], item: usize) -> Vec<u8> {
    raw.chunks_exact(item)
        .flat_map(|c| c.iter().rev().copied())
        .collect()
}

fn pillow(raw: &[u8], h: &Header, width: usize, height: usize) -> Result<ArrayBuf> {
    let item = (h.bitpix.unsigned_abs() / 8) as usize;
    let row = width * item;
    // Rows bottom-up.
    let mut flipped = Vec::with_capacity(raw.len());
    if row > 0 {
        for r in raw.chunks_exact(row).rev() {
            flipped.extend_from_slice(r);
        }
    }
    let (data, dtype) = match h.bitpix {
        8 => (flipped, DType::U8),
        16 => (swap(&flipped, 2), le_dtype(Kind::UInt, 2)?),
        32 => (swap(&flipped, 4), le_dtype(Kind::Int, 4)?),
        -32 => (swap(&flipped, 4), le_dtype(Kind::Float, 4)?),
        _ => {
            // -64: Pillow's mode F holds float32.
            let data = flipped
                .chunks_exact(8)
                .flat_map(|c| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(c);
                    (f64::from_be_bytes(a) as f32).to_le_bytes()
                })
                .collect();
            (data, le_dtype(Kind::Float, 4)?)
        }
    };
    Ok(ArrayBuf::new(data, dtype, vec![height, width], Order::C)?)
}

fn astropy(raw: &[u8], h: &Header) -> Result<ArrayBuf> {
    let shape: Vec<usize> = h.axes.iter().rev().copied().collect();
    let item = (h.bitpix.unsigned_abs() / 8) as usize;
    let native = swap(raw, item);
    let (bscale, bzero) = (h.bscale, h.bzero);
    let unsigned_offset = |bits: u32| bscale == 1.0 && bzero == 2f64.powi(bits as i32 - 1);
    let plain = |kind: Kind| -> Result<ArrayBuf> {
        Ok(ArrayBuf::new(
            native.clone(),
            le_dtype(kind, item)?,
            shape.clone(),
            Order::C,
        )?)
    };
    match h.bitpix {
        8 if bscale == 1.0 && bzero == -128.0 => {
            let data = native.iter().map(|b| b ^ 0x80).collect();
            return Ok(ArrayBuf::new(data, le_dtype(Kind::Int, 1)?, shape, Order::C)?);
        }
        b @ (16 | 32 | 64) if unsigned_offset(b as u32) => {
            // value = stored + 2^(bits-1): flip the top bit (the last byte, little-endian).
            let mut data = native;
            for c in data.chunks_exact_mut(item) {
                c[item - 1] ^= 0x80;
            }
            return Ok(ArrayBuf::new(data, le_dtype(Kind::UInt, item)?, shape, Order::C)?);
        }
        _ => {}
    }
    let scaled = bscale != 1.0 || bzero != 0.0;
    if !scaled {
        return match h.bitpix {
            8 => plain(Kind::UInt),
            16 | 32 | 64 => plain(Kind::Int),
            _ => plain(Kind::Float),
        };
    }
    let frame = samples::Frame {
        bytes: native.as_slice().into(),
        dtype: match h.bitpix {
            8 => DType::U8,
            b if b > 0 => le_dtype(Kind::Int, item)?,
            _ => le_dtype(Kind::Float, item)?,
        },
        shape: shape.clone(),
    };
    let values = frame.values_f64().ok_or_else(|| dec_err("unreadable samples"))?;
    let blank = if h.bitpix > 0 { h.blank } else { None };
    let map = |i: usize, v: f64| -> f64 {
        let is_blank = blank.is_some_and(|b| raw_int(&native, i, item) == b);
        if is_blank {
            f64::NAN
        } else {
            v * bscale + bzero
        }
    };
    let wide = h.bitpix > 16 || h.bitpix == -64;
    let data: Vec<u8> = if wide {
        values
            .iter()
            .enumerate()
            .flat_map(|(i, &v)| map(i, v).to_le_bytes())
            .collect()
    } else {
        values
            .iter()
            .enumerate()
            .flat_map(|(i, &v)| (map(i, v) as f32).to_le_bytes())
            .collect()
    };
    let dtype = le_dtype(Kind::Float, if wide { 8 } else { 4 })?;
    Ok(ArrayBuf::new(data, dtype, shape, Order::C)?)
}

/// The stored integer at item `i` of little-endian `native` data.
fn raw_int(native: &[u8], i: usize, item: usize) -> i64 {
    let c = &native[i * item..(i + 1) * item];
    match item {
        1 => i64::from(c[0]),
        2 => i64::from(i16::from_le_bytes([c[0], c[1]])),
        4 => i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        _ => {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            i64::from_le_bytes(a)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaLimits;

    fn astro() -> DecodeOptions {
        DecodeOptions::default()
    }

    fn pil() -> DecodeOptions {
        DecodeOptions {
            plugin: Some("pillow".into()),
            ..Default::default()
        }
    }

    fn arr(vals: &[u8], kind: Kind, size: usize, shape: Vec<usize>) -> ArrayBuf {
        ArrayBuf::new(
            vals.to_vec(),
            DType::new(kind, size, Endian::Little).unwrap(),
            shape,
            Order::C,
        )
        .unwrap()
    }

    fn enc(a: &ArrayBuf) -> Vec<u8> {
        encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap()
    }

    #[test]
    fn fits_round_trips_every_dtype_with_astropy_semantics() {
        let cases: Vec<(Kind, usize)> = vec![
            (Kind::UInt, 1),
            (Kind::Int, 1),
            (Kind::Int, 2),
            (Kind::UInt, 2),
            (Kind::Int, 4),
            (Kind::UInt, 4),
            (Kind::Int, 8),
            (Kind::UInt, 8),
            (Kind::Float, 4),
            (Kind::Float, 8),
        ];
        for (kind, size) in cases {
            let n = 2 * 3 * 5;
            let vals: Vec<u8> = (0..n * size).map(|i| (i * 37 % 256) as u8).collect();
            let vals = if kind == Kind::Float {
                // Finite floats: build from integers.
                (0..n)
                    .flat_map(|i| {
                        if size == 4 {
                            (i as f32 * -1.5).to_le_bytes().to_vec()
                        } else {
                            (i as f64 * 2.25).to_le_bytes().to_vec()
                        }
                    })
                    .collect()
            } else {
                vals
            };
            let a = arr(&vals, kind, size, vec![2, 3, 5]);
            let bytes = enc(&a);
            assert_eq!(bytes.len() % BLOCK, 0);
            let back = decode(&bytes, &astro()).unwrap();
            assert_eq!(back, a, "{kind:?}{size}");
        }
    }

    #[test]
    fn fits_pillow_semantics_flip_and_views() {
        // i16 2x2 [[1, -2], [3, 4]]: Pillow flips rows and shows the int16 bits as uint16.
        let vals: Vec<u8> = [1i16, -2, 3, 4].iter().flat_map(|v| v.to_le_bytes()).collect();
        let bytes = enc(&arr(&vals, Kind::Int, 2, vec![2, 2]));
        let back = decode(&bytes, &pil()).unwrap();
        assert_eq!(back.shape(), &[2, 2]);
        let got: Vec<u16> = back
            .data()
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(got, vec![3, 4, 1, 0xFFFE]);
        assert_eq!(back.dtype(), DType::new(Kind::UInt, 2, Endian::Little).unwrap());
        // f64 comes back as f32; a cube gives the first plane only.
        let cube: Vec<u8> = (0..8).flat_map(|i| f64::from(i).to_le_bytes()).collect();
        let back = decode(&enc(&arr(&cube, Kind::Float, 8, vec![2, 2, 2])), &pil()).unwrap();
        assert_eq!(back.shape(), &[2, 2]);
        let got: Vec<f32> = back
            .data()
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(got, vec![2.0, 3.0, 0.0, 1.0]);
        // BITPIX 64 is refused by Pillow.
        let i64s = arr(&[0; 8], Kind::Int, 8, vec![1, 1]);
        assert!(decode(&enc(&i64s), &pil()).is_err());
    }

    #[test]
    fn fits_scaled_data_follows_astropy() {
        // BITPIX 16 with BSCALE 0.5, BZERO 10, BLANK -1 -> float32.
        let mut header = Vec::new();
        for (k, v) in [
            ("SIMPLE", "T"),
            ("BITPIX", "16"),
            ("NAXIS", "1"),
            ("NAXIS1", "3"),
            ("BSCALE", "0.5"),
            ("BZERO", "1.0D1"),
            ("BLANK", "-1"),
        ] {
            header.extend_from_slice(&card(k, v));
        }
        let mut end = [b' '; CARD];
        end[..3].copy_from_slice(b"END");
        header.extend_from_slice(&end);
        header.resize(BLOCK, b' ');
        for v in [4i16, -1, 0] {
            header.extend_from_slice(&v.to_be_bytes());
        }
        header.resize(2 * BLOCK, 0);
        let back = decode(&header, &astro()).unwrap();
        assert_eq!(back.dtype(), DType::new(Kind::Float, 4, Endian::Little).unwrap());
        let got: Vec<f32> = back
            .data()
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(got[0], 12.0);
        assert!(got[1].is_nan());
        assert_eq!(got[2], 10.0);
    }

    #[test]
    fn fits_crafted_headers_fail_fast() {
        let mut h = Vec::new();
        for (k, v) in [
            ("SIMPLE", "T"),
            ("BITPIX", "-64"),
            ("NAXIS", "3"),
            ("NAXIS1", "100000"),
            ("NAXIS2", "100000"),
            ("NAXIS3", "100000"),
        ] {
            h.extend_from_slice(&card(k, v));
        }
        let mut end = [b' '; CARD];
        end[..3].copy_from_slice(b"END");
        h.extend_from_slice(&end);
        h.resize(BLOCK, b' ');
        for opts in [astro(), pil()] {
            assert!(matches!(decode(&h, &opts), Err(MediaError::LimitExceeded { .. })));
        }
        // Small claimed size but no data: truncated, not a panic.
        let small = String::from_utf8_lossy(&h).replace("100000", "    10");
        let err = decode(small.as_bytes(), &astro()).unwrap_err().to_string();
        assert!(err.contains("data unit"), "{err}");
        // No END, no SIMPLE, bad BITPIX, NAXIS out of range, missing NAXISn.
        assert!(decode(&h[..CARD * 3], &astro()).is_err());
        assert!(decode(b"hello", &astro()).is_err());
        let bad = String::from_utf8_lossy(&h).replace("    -64", "     12");
        assert!(decode(bad.as_bytes(), &astro()).is_err());
        let bad = String::from_utf8_lossy(&h)
            .replace("NAXIS   =                    3", "NAXIS   =                 1000");
        assert!(decode(bad.as_bytes(), &astro()).is_err());
        let bad = String::from_utf8_lossy(&h).replace("NAXIS3", "NAXISX");
        assert!(decode(bad.as_bytes(), &astro()).is_err());
        // Every truncation of a valid file is an error, never a panic.
        let good = enc(&arr(&[1, 2, 3, 4, 5, 6], Kind::UInt, 1, vec![2, 3]));
        for cut in (0..good.len()).step_by(97) {
            let _ = decode(&good[..cut], &astro());
        }
        assert!(decode(&good[..BLOCK + 3], &astro()).is_err());
        let limits = DecodeOptions {
            limits: MediaLimits {
                max_pixels: 5,
                ..MediaLimits::default()
            },
            plugin: Some("FITS".into()),
            ..Default::default()
        };
        assert!(matches!(
            decode(&good, &limits),
            Err(MediaError::LimitExceeded { .. })
        ));
    }

    #[test]
    fn fits_refuses_unstorable_dtypes_and_stacks_frames() {
        let b = arr(&[0, 1], Kind::Bool, 1, vec![1, 2]);
        assert!(encode(&MediaData::Array(b), &EncodeOptions::default()).is_err());
        let f = arr(&[1, 2, 3, 4], Kind::UInt, 1, vec![2, 2]);
        let bytes = encode(&MediaData::Frames(vec![f.clone(), f]), &EncodeOptions::default()).unwrap();
        assert_eq!(decode(&bytes, &astro()).unwrap().shape(), &[2, 2, 2]);
    }
}
