//! DICOM: Secondary Capture writing and pixel reading with dicom-rs (`dicom-object`, `dicom-pixeldata`).
//!
//! **Writing** (`encode`) produces what imageio's `pydicom` plugin writes: a Secondary Capture Image
//! (SOP class `1.2.840.10008.5.1.4.1.1.7`, Modality `OT`) with fresh `2.25.<random>` SOP instance, study
//! and series UIDs, Explicit VR Little Endian, native (uncompressed) pixels.
//! * Dtypes: u8, i8, u16, i16, u32, i32 (BitsAllocated = BitsStored = 8 × itemsize, HighBit = bits − 1,
//!   PixelRepresentation 0 for unsigned, 1 for signed); anything else is refused (pydicom refuses it too).
//! * Frames, as the plugin's rule: `(H, W)` and `(H, W, 3)` are one frame; otherwise axis 0 counts the
//!   frames (`(N, H, W)` gray, `(N, H, W, 3)` RGB); a list of frames is stacked first. More than one frame
//!   sets NumberOfFrames.
//! * Samples: 2-D frames are MONOCHROME2 (1 sample), 3-channel frames RGB (3 samples, PlanarConfiguration 0).
//!
//! **Reading** (`decode`) returns what imageio's `pydicom` plugin returns with `index=None` (its default
//! reconstruction, `raw=False`): `(H, W[, 3])` for one frame, `(N, H, W[, 3])` for several; the stored
//! dtype (u8/i8/u16/i16/u32/i32 from BitsAllocated and PixelRepresentation) unless a rescale applies:
//! * RescaleSlope and RescaleIntercept both present → float64 `value × slope + intercept` (pydicom's
//!   `apply_modality_lut`), even for slope 1 and intercept 0;
//! * WindowCenter and WindowWidth present (MONOCHROME1/2 only) → float64 windowing with pydicom's
//!   `apply_windowing` (LINEAR, LINEAR_EXACT, SIGMOID; the first value when several are given), whose output
//!   range is that of BitsStored/PixelRepresentation, rescaled when a rescale is present.
//! * Transfer syntaxes: every one `dicom-pixeldata`'s `native` feature decodes (implicit/explicit VR little
//!   endian, explicit big endian, RLE Lossless, JPEG baseline/extended/lossless), and JPEG 2000 (lossless
//!   only and lossy) through `jpeg2000.rs` with pydicom's semantics ([`decode_jpeg2000`]). Colour as pydicom returns
//!   it: JPEG decoders output RGB; 8-bit YBR_FULL (native or RLE) is converted to RGB with pydicom's
//!   formula. Refused with a clear error: deflated data sets, PALETTE COLOR, Modality/VOI LUT sequences,
//!   BitsAllocated 1, float pixel data, native subsampled YBR (YBR_FULL_422 etc.) and 16-bit YBR_FULL.
//!
//! Safety on untrusted input: before dicom-rs parses anything, every element length in the file (meta
//! group, data set, sequences and items at any depth, encapsulated fragments) is checked against the bytes
//! that remain, so no declared length can make the parser allocate more than the file's size; then
//! Rows × Columns × NumberOfFrames × SamplesPerPixel × bytes per sample (8 when rescaled) is checked with
//! [`crate::MediaLimits`] before the pixels are decoded.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use brickwork_core::{ArrayBuf, DType, Endian, Kind, Order};
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids, StandardDataDictionary};
use dicom_object::file::ReadPreamble;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject, OpenFileOptions};
use dicom_pixeldata::{PhotometricInterpretation, PixelDecoder, PixelRepresentation, PlanarConfiguration};

use super::samples;
use super::{DecodeOptions, EncodeOptions};
use crate::{MediaData, MediaError, Result};

const FORMAT: &str = "dicom";

/// The Secondary Capture Image Storage SOP class written.
pub const SOP_CLASS_UID: &str = uids::SECONDARY_CAPTURE_IMAGE_STORAGE;

fn enc_err(reason: impl std::fmt::Display) -> MediaError {
    MediaError::encode(FORMAT, reason)
}

fn dec_err(reason: impl std::fmt::Display) -> MediaError {
    MediaError::decode(FORMAT, reason)
}

/// A fresh UID under the `2.25` root (a random 128-bit number in decimal, as pydicom's `generate_uid`).
fn new_uid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bits = 0u128;
    for _ in 0..2 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(t.as_nanos());
        }
        bits = (bits << 64) | u128::from(h.finish());
    }
    format!("2.25.{}", bits.max(1))
}

/// imageio's pydicom-plugin rule: `(H, W)` and `(H, W, 3)` are single frames, else axis 0 is frames.
fn is_batch(shape: &[usize]) -> bool {
    !(shape.len() == 2 || (shape.len() == 3 && shape.last() == Some(&3)))
}

/// Writes `data` as a Secondary Capture DICOM file.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    // A list is stacked first (np.asarray), then split by the same rule as an array.
    let frames = match data {
        MediaData::Frames(list) => {
            let frames = samples::frames(data, FORMAT, |_| true)?;
            let stacked_shape: Vec<usize> = std::iter::once(list.len())
                .chain(frames.first().map(|f| f.shape.clone()).unwrap_or_default())
                .collect();
            if is_batch(&stacked_shape) {
                frames
            } else {
                return Err(enc_err(format!(
                    "a list of {} frames of shape {:?} stacks to {stacked_shape:?}, which pydicom's plugin \
                     writes as one RGB image; pass an array instead",
                    list.len(),
                    frames.first().map(|f| f.shape.clone()).unwrap_or_default()
                )));
            }
        }
        MediaData::Array(_) => samples::frames(data, FORMAT, is_batch)?,
    };
    let first = frames.first().ok_or_else(|| enc_err("no frames to write"))?;
    let (rows, cols, spp) = match *first.shape {
        [h, w] => (h, w, 1u16),
        [h, w, 3] => (h, w, 3u16),
        _ => {
            return Err(enc_err(format!(
                "a frame of shape {:?} cannot be written; frames are (H, W) gray or (H, W, 3) RGB",
                first.shape
            )))
        }
    };
    let dtype = first.dtype;
    let signed = match dtype.kind() {
        Kind::UInt => false,
        Kind::Int => true,
        _ => {
            return Err(enc_err(format!(
                "dtype {dtype} cannot be stored; use uint8/16/32 or int8/16/32"
            )))
        }
    };
    if !matches!(dtype.itemsize(), 1 | 2 | 4) {
        return Err(enc_err(format!(
            "dtype {dtype} cannot be stored; use uint8/16/32 or int8/16/32"
        )));
    }
    let (rows_u16, cols_u16) = match (u16::try_from(rows), u16::try_from(cols)) {
        (Ok(r), Ok(c)) if r > 0 && c > 0 => (r, c),
        _ => {
            return Err(enc_err(format!(
                "a {rows}x{cols} frame cannot be stored; DICOM rows and columns are 1..=65535"
            )))
        }
    };
    let bits = (dtype.itemsize() * 8) as u16;
    let mut pixels = Vec::with_capacity(first.bytes.len() * frames.len() + 1);
    for f in &frames {
        pixels.extend_from_slice(&f.bytes);
    }
    if pixels.len() % 2 == 1 {
        pixels.push(0);
    }

    let mut obj = InMemDicomObject::new_empty();
    let mut put_str = |tag: Tag, vr: VR, value: &str| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    put_str(tags::SOP_CLASS_UID, VR::UI, SOP_CLASS_UID);
    put_str(tags::SOP_INSTANCE_UID, VR::UI, &new_uid());
    put_str(tags::STUDY_INSTANCE_UID, VR::UI, &new_uid());
    put_str(tags::SERIES_INSTANCE_UID, VR::UI, &new_uid());
    put_str(tags::MODALITY, VR::CS, "OT");
    put_str(tags::CONVERSION_TYPE, VR::CS, "WSD");
    put_str(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        if spp == 1 { "MONOCHROME2" } else { "RGB" },
    );
    if frames.len() > 1 {
        put_str(tags::NUMBER_OF_FRAMES, VR::IS, &frames.len().to_string());
    }
    let mut put_us = |tag: Tag, value: u16| {
        obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(value)));
    };
    put_us(tags::SAMPLES_PER_PIXEL, spp);
    put_us(tags::PLANAR_CONFIGURATION, 0);
    put_us(tags::ROWS, rows_u16);
    put_us(tags::COLUMNS, cols_u16);
    put_us(tags::BITS_ALLOCATED, bits);
    put_us(tags::BITS_STORED, bits);
    put_us(tags::HIGH_BIT, bits - 1);
    put_us(tags::PIXEL_REPRESENTATION, u16::from(signed));
    let vr = if bits == 8 { VR::OB } else { VR::OW };
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        vr,
        PrimitiveValue::U8(pixels.into()),
    ));
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN))
        .map_err(|e| enc_err(format!("building the file meta group failed: {e}")))?;
    let mut out = Vec::new();
    file.write_all(&mut out)
        .map_err(|e| enc_err(format!("writing failed: {e}")))?;
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// Length pre-check of untrusted input.

/// Deepest sequence nesting accepted.
const MAX_DEPTH: usize = 32;
const UNDEFINED: u32 = 0xFFFF_FFFF;

/// How the data set after the meta group is encoded.
#[derive(Clone, Copy)]
struct Syntax {
    explicit: bool,
    little: bool,
}

struct Scanner<'a> {
    bytes: &'a [u8],
    syntax: Syntax,
}

impl<'a> Scanner<'a> {
    /// The same scanner, unable to read at or past `end`.
    fn bounded(&self, end: usize) -> Scanner<'a> {
        Scanner {
            bytes: &self.bytes[..end.min(self.bytes.len())],
            syntax: self.syntax,
        }
    }

    fn u16_at(&self, pos: usize, little: bool) -> Result<u16> {
        let b = self.bytes.get(pos..pos + 2).ok_or_else(|| truncated(pos))?;
        let a = [b[0], b[1]];
        Ok(if little {
            u16::from_le_bytes(a)
        } else {
            u16::from_be_bytes(a)
        })
    }

    fn u32_at(&self, pos: usize, little: bool) -> Result<u32> {
        let b = self.bytes.get(pos..pos + 4).ok_or_else(|| truncated(pos))?;
        let a = [b[0], b[1], b[2], b[3]];
        Ok(if little {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }

    /// Checks the elements in `pos..end` (or up to a delimiter when `end` is None); returns the position
    /// after the last element (after the delimiter, if one ended the run).
    fn elements(&self, mut pos: usize, end: Option<usize>, syntax: Syntax, depth: usize) -> Result<usize> {
        if depth > MAX_DEPTH {
            return Err(dec_err(format!(
                "sequences nested deeper than {MAX_DEPTH} levels"
            )));
        }
        let limit = end.unwrap_or(self.bytes.len());
        while pos < limit {
            let group = self.u16_at(pos, syntax.little)?;
            let element = self.u16_at(pos + 2, syntax.little)?;
            let tag = Tag(group, element);
            if group == 0xFFFE {
                let len = self.u32_at(pos + 4, syntax.little)?;
                // Outside any item (depth 0), dicom-rs reads an item or delimiter tag as an element of
                // `len` bytes and carries on: an empty one is harmless, any other is refused (ending the
                // check there let a fuzzed file's unchecked remainder reserve 2.7 GB).
                if depth == 0 && len == 0 {
                    pos += 8;
                    continue;
                }
                if depth > 0 && (tag == Tag(0xFFFE, 0xE00D) || tag == Tag(0xFFFE, 0xE0DD)) {
                    return Ok(pos + 8);
                }
                return Err(dec_err(format!(
                    "unexpected item tag {tag} (length {len}) at byte {pos} outside a sequence"
                )));
            }
            let (vr, len, header) = if syntax.explicit {
                let code = self.bytes.get(pos + 4..pos + 6).ok_or_else(|| truncated(pos))?;
                // dicom-rs reads an unknown VR code as UN (long form): do the same.
                let vr = Some(VR::from_binary([code[0], code[1]]).unwrap_or(VR::UN));
                let long = long_form(vr);
                if long {
                    (vr, self.u32_at(pos + 8, syntax.little)?, 12)
                } else {
                    (vr, u32::from(self.u16_at(pos + 6, syntax.little)?), 8)
                }
            } else {
                let vr = match StandardDataDictionary.by_tag(tag).map(|e| e.vr()) {
                    Some(VirtualVr::Exact(vr)) => Some(vr),
                    _ => None,
                };
                (vr, self.u32_at(pos + 4, syntax.little)?, 8)
            };
            pos += header;
            if len == UNDEFINED {
                // A sequence, or encapsulated pixel data (a sequence of fragments): items until the
                // sequence delimiter.
                // Encapsulated pixel data holds fragments (bytes); any other undefined length is a sequence.
                let fragments = tag == tags::PIXEL_DATA;
                pos = self.items(pos, None, fragments, syntax, depth + 1)?;
                continue;
            }
            let len = len as usize;
            // dicom-rs reads binary numbers whole: a value that is not a whole number of them makes it
            // read past the element and misparse what follows (a fuzzed file had it reserve 4 GiB).
            let width = match vr {
                Some(VR::SS | VR::US | VR::OW) => 2,
                Some(VR::SL | VR::UL | VR::FL | VR::AT | VR::OL | VR::OF) => 4,
                Some(VR::FD | VR::SV | VR::UV | VR::OD | VR::OV) => 8,
                _ => 1,
            };
            if !len.is_multiple_of(width) {
                return Err(dec_err(format!(
                    "element {tag} ({}) has {len} bytes, not a whole number of its {width}-byte values",
                    vr.map_or("?", |v| v.to_string())
                )));
            }
            let value_end = pos.checked_add(len).filter(|&e| e <= limit).ok_or_else(|| {
                dec_err(format!(
                    "element {tag} declares {len} bytes at byte {pos}, but only {} remain",
                    limit.saturating_sub(pos)
                ))
            })?;
            if vr == Some(VR::SQ) {
                self.bounded(value_end)
                    .items(pos, Some(value_end), false, syntax, depth + 1)?;
            }
            pos = value_end;
        }
        Ok(pos)
    }

    /// Checks the items of a sequence in `pos..end` (or up to the sequence delimiter).
    fn items(
        &self,
        mut pos: usize,
        end: Option<usize>,
        fragments: bool,
        syntax: Syntax,
        depth: usize,
    ) -> Result<usize> {
        if depth > MAX_DEPTH {
            return Err(dec_err(format!(
                "sequences nested deeper than {MAX_DEPTH} levels"
            )));
        }
        loop {
            if let Some(e) = end {
                if pos >= e {
                    return Ok(pos);
                }
            }
            let group = self.u16_at(pos, syntax.little)?;
            let element = self.u16_at(pos + 2, syntax.little)?;
            let len = self.u32_at(pos + 4, syntax.little)?;
            pos += 8;
            match (group, element) {
                (0xFFFE, 0xE0DD) => return Ok(pos),
                (0xFFFE, 0xE000) => {
                    if len == UNDEFINED {
                        pos = self.elements(pos, None, syntax, depth + 1)?;
                    } else {
                        let limit = end.unwrap_or(self.bytes.len());
                        let item_end =
                            pos.checked_add(len as usize)
                                .filter(|&e| e <= limit)
                                .ok_or_else(|| {
                                    dec_err(format!(
                                        "an item declares {len} bytes at byte {pos}, but only {} remain",
                                        limit.saturating_sub(pos)
                                    ))
                                })?;
                        // Fragments of pixel data hold bytes, not elements: only their length matters.
                        // A data-set item is scanned without looking past its end.
                        if !fragments {
                            self.bounded(item_end)
                                .elements(pos, Some(item_end), syntax, depth + 1)?;
                        }
                        pos = item_end;
                    }
                }
                _ => {
                    return Err(dec_err(format!(
                        "expected an item in a sequence at byte {}, found tag ({group:04X},{element:04X})",
                        pos - 8
                    )))
                }
            }
        }
    }
}

/// Whether an explicit-VR element header has the long form (2 reserved bytes and a 32-bit length), as
/// dicom-rs decodes it: every VR but the short-form ones of PS3.5 7.1.2, unknown codes included (as UN).
fn long_form(vr: Option<VR>) -> bool {
    !matches!(
        vr,
        Some(
            VR::AE
                | VR::AS
                | VR::AT
                | VR::CS
                | VR::DA
                | VR::DS
                | VR::DT
                | VR::FL
                | VR::FD
                | VR::IS
                | VR::LO
                | VR::LT
                | VR::PN
                | VR::SH
                | VR::SL
                | VR::SS
                | VR::ST
                | VR::TM
                | VR::UI
                | VR::UL
                | VR::US
        )
    )
}

fn truncated(pos: usize) -> MediaError {
    dec_err(format!("the file ends inside an element header at byte {pos}"))
}

/// Finds the start of the `DICM` magic and checks every declared length; returns the slice dicom-rs
/// reads (starting at `DICM`).
fn check_structure(bytes: &[u8]) -> Result<&[u8]> {
    let start = if bytes.get(128..132) == Some(b"DICM") {
        128
    } else if bytes.starts_with(b"DICM") {
        0
    } else {
        return Err(dec_err(
            "no DICM magic at byte 128 (or 0); only DICOM Part 10 files are read",
        ));
    };
    let file = &bytes[start..];
    let meta = Scanner {
        bytes: file,
        syntax: Syntax {
            explicit: true,
            little: true,
        },
    };
    // The meta group: explicit VR little endian elements, read as dicom-rs reads them when the group
    // starts with its length (0002,0000), as it must: elements of any group until that many bytes have
    // been read, the data set after them (a file whose group length disagrees with its elements would
    // otherwise be checked from one place and parsed from another); else the elements of group 0002.
    let group_length = (file.get(4..8) == Some(&[2, 0, 0, 0][..])
        && file.get(8..12) == Some(&[b'U', b'L', 4, 0][..]))
    .then(|| meta.u32_at(12, true))
    .transpose()?;
    let mut pos = if group_length.is_some() { 16 } else { 4 };
    let mut ts = None;
    let in_meta = |pos: usize| -> Result<bool> {
        Ok(match group_length {
            Some(len) => pos - 16 < len as usize,
            None => file.get(pos..pos + 2).is_some() && meta.u16_at(pos, true)? == 0x0002,
        })
    };
    while in_meta(pos)? {
        let (group, element) = (meta.u16_at(pos, true)?, meta.u16_at(pos + 2, true)?);
        let next = meta.elements(pos, Some(element_end(&meta, pos)?), meta.syntax, 0)?;
        if (group, element) == (0x0002, 0x0010) {
            let raw = file.get(pos + 8..next).unwrap_or_default();
            ts = Some(
                String::from_utf8_lossy(raw)
                    .trim_end_matches(['\0', ' '])
                    .to_owned(),
            );
        }
        pos = next;
    }
    let ts = ts.ok_or_else(|| dec_err("the file meta group has no Transfer Syntax UID"))?;
    let syntax = match ts.as_str() {
        uids::IMPLICIT_VR_LITTLE_ENDIAN => Syntax {
            explicit: false,
            little: true,
        },
        // Explicit VR Big Endian (retired, still found in old files).
        "1.2.840.10008.1.2.2" => Syntax {
            explicit: true,
            little: false,
        },
        uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN => {
            return Err(MediaError::Unsupported {
                what: "DICOM transfer syntax".into(),
                reason: format!("{ts} (deflated data set) is not read; decompress it first"),
            })
        }
        _ => Syntax {
            explicit: true,
            little: true,
        },
    };
    let body = Scanner { bytes: file, syntax };
    body.elements(pos, None, syntax, 0)?;
    Ok(file)
}

/// The end of the one (short or long form) explicit-VR element at `pos`.
fn element_end(s: &Scanner<'_>, pos: usize) -> Result<usize> {
    let code = s.bytes.get(pos + 4..pos + 6).ok_or_else(|| truncated(pos))?;
    let vr = VR::from_binary([code[0], code[1]]).unwrap_or(VR::UN);
    let (len, header) = if long_form(Some(vr)) {
        (s.u32_at(pos + 8, true)? as usize, 12)
    } else {
        (usize::from(s.u16_at(pos + 6, true)?), 8)
    };
    pos.checked_add(header)
        .and_then(|p| p.checked_add(len))
        .filter(|&e| e <= s.bytes.len())
        .ok_or_else(|| {
            dec_err(format!(
                "a meta element at byte {pos} declares {len} bytes past the end"
            ))
        })
}

// ------------------------------------------------------------------------------------------------
// Reading.

type Obj = dicom_object::DefaultDicomObject;

fn get_f64s(obj: &Obj, tag: Tag) -> Result<Option<Vec<f64>>> {
    match obj.element_opt(tag) {
        Ok(Some(e)) => e
            .value()
            .to_multi_float64()
            .map(Some)
            .map_err(|err| dec_err(format!("element {tag} is not numeric: {err}"))),
        Ok(None) => Ok(None),
        Err(err) => Err(dec_err(format!("element {tag}: {err}"))),
    }
}

fn get_u32(obj: &Obj, tag: Tag, name: &str) -> Result<Option<u32>> {
    match obj.element_opt(tag) {
        Ok(Some(e)) => e
            .value()
            .to_int::<u32>()
            .map(Some)
            .map_err(|err| dec_err(format!("{name} is not a non-negative integer: {err}"))),
        Ok(None) => Ok(None),
        Err(err) => Err(dec_err(format!("{name}: {err}"))),
    }
}

fn get_str(obj: &Obj, tag: Tag) -> Option<String> {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| e.value().to_str().ok().map(|s| s.trim().to_owned()))
}

/// Runs a dicom-rs call, turning a panic inside it (a bug there, reachable with crafted files: e.g. a
/// JPEG fragment larger than the frame it fills) into a decode error instead of unwinding into the caller.
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    super::guarded(FORMAT, &format!("dicom-rs failed while {what} this file"), f)
}

/// Reads a DICOM file's pixels as imageio's pydicom plugin returns them (see the module docs).
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let file = check_structure(bytes)?;
    let obj = guarded("parsing", || {
        OpenFileOptions::new()
            .read_preamble(ReadPreamble::Never)
            .from_reader(file)
            .map_err(|e| dec_err(format!("not a readable DICOM file: {e}")))
    })?;

    let rows = get_u32(&obj, tags::ROWS, "Rows")?.ok_or_else(|| dec_err("no Rows: not an image"))?;
    let cols = get_u32(&obj, tags::COLUMNS, "Columns")?.ok_or_else(|| dec_err("no Columns: not an image"))?;
    let frames = get_u32(&obj, tags::NUMBER_OF_FRAMES, "NumberOfFrames")?
        .unwrap_or(1)
        .max(1);
    let spp = get_u32(&obj, tags::SAMPLES_PER_PIXEL, "SamplesPerPixel")?.unwrap_or(1);
    let bits_allocated =
        get_u32(&obj, tags::BITS_ALLOCATED, "BitsAllocated")?.ok_or_else(|| dec_err("no BitsAllocated"))?;
    let bits_stored = get_u32(&obj, tags::BITS_STORED, "BitsStored")?.unwrap_or(bits_allocated);
    let photometric = get_str(&obj, tags::PHOTOMETRIC_INTERPRETATION).unwrap_or_default();
    if photometric == "PALETTE COLOR" {
        return Err(MediaError::Unsupported {
            what: "DICOM PALETTE COLOR".into(),
            reason: "palette lookup tables are not applied; read the indices with pydicom (raw=True)".into(),
        });
    }
    for (tag, name) in [
        (tags::MODALITY_LUT_SEQUENCE, "Modality LUT Sequence"),
        (tags::VOILUT_SEQUENCE, "VOI LUT Sequence"),
    ] {
        if obj.element_opt(tag).ok().flatten().is_some() {
            return Err(MediaError::Unsupported {
                what: format!("DICOM {name}"),
                reason: "lookup-table sequences are not applied by brickwork".into(),
            });
        }
    }
    if !matches!(bits_allocated, 8 | 16 | 32) || !matches!(spp, 1 | 3) {
        return Err(MediaError::Unsupported {
            what: "DICOM pixel layout".into(),
            reason: format!(
                "BitsAllocated {bits_allocated} with SamplesPerPixel {spp}; brickwork reads 8, 16 or 32 \
                 bits with 1 or 3 samples"
            ),
        });
    }
    let rescale = match (
        get_f64s(&obj, tags::RESCALE_SLOPE)?,
        get_f64s(&obj, tags::RESCALE_INTERCEPT)?,
    ) {
        (Some(s), Some(i)) => Some((
            s.first().copied().unwrap_or(1.0),
            i.first().copied().unwrap_or(0.0),
        )),
        _ => None,
    };
    let window = match (
        get_f64s(&obj, tags::WINDOW_CENTER)?,
        get_f64s(&obj, tags::WINDOW_WIDTH)?,
    ) {
        (Some(c), Some(w)) => match (c.first(), w.first()) {
            (Some(&c), Some(&w)) => Some((c, w)),
            _ => None,
        },
        _ => None,
    };
    let float_out = rescale.is_some() || window.is_some();
    let sample_bytes = if float_out {
        8
    } else {
        u64::from(bits_allocated / 8)
    };
    opts.limits.check(
        FORMAT,
        u64::from(cols),
        u64::from(rows),
        u64::from(frames),
        u64::from(spp) * sample_bytes.max(u64::from(bits_allocated / 8)),
    )?;

    let ts = obj
        .meta()
        .transfer_syntax()
        .trim_end_matches(['\0', ' '])
        .to_owned();
    let (mut native, item, signed, spp_dec, (rows, cols, frames)) = if JPEG2000_TS.contains(&ts.as_str()) {
        let pr = get_u32(&obj, tags::PIXEL_REPRESENTATION, "PixelRepresentation")?.unwrap_or(0) == 1;
        if !matches!(
            photometric.as_str(),
            "MONOCHROME1" | "MONOCHROME2" | "RGB" | "YBR_ICT" | "YBR_RCT"
        ) {
            return Err(MediaError::Unsupported {
                what: format!("DICOM {photometric} in JPEG 2000"),
                reason: "JPEG 2000 pixel data is read as MONOCHROME1/2, RGB, YBR_ICT or YBR_RCT".into(),
            });
        }
        let out_item = (bits_allocated / 8) as usize;
        let (native, item, signed, spp) = decode_jpeg2000(&obj, (rows, cols, frames), pr, out_item, opts)?;
        (
            native,
            item,
            signed,
            spp,
            (rows as usize, cols as usize, frames as usize),
        )
    } else {
        check_jpeg_frames(&obj, rows, cols)?;
        let decoded = guarded("decoding the pixel data", || {
            obj.decode_pixel_data()
                .map_err(|e| dec_err(format!("cannot decode the pixel data: {e}")))
        })?;
        let spp_dec = usize::from(decoded.samples_per_pixel());
        let (rows, cols, frames) = (
            decoded.rows() as usize,
            decoded.columns() as usize,
            decoded.number_of_frames() as usize,
        );
        let pi = decoded.photometric_interpretation().clone();
        let signed = decoded.pixel_representation() == PixelRepresentation::Signed;
        let item = usize::from(decoded.bits_allocated() / 8);
        if !matches!(item, 1 | 2 | 4) || !matches!(spp_dec, 1 | 3) {
            return Err(dec_err("the decoded pixel data has an unsupported layout"));
        }
        // pydicom converts YBR_FULL to RGB (`as_rgb=True`); decoders of JPEG already output RGB, native and
        // RLE data still hold YBR (dicom-pixeldata labels RLE output RGB either way).
        let ybr_full = photometric == "YBR_FULL"
            && spp_dec == 3
            && (NATIVE_TS.contains(&ts.as_str()) || ts == uids::RLE_LOSSLESS);
        if ybr_full && item != 1 {
            return Err(MediaError::Unsupported {
                what: "DICOM YBR_FULL".into(),
                reason: format!("{}-bit YBR_FULL is not converted to RGB; 8-bit is", item * 8),
            });
        }
        let still_ybr = matches!(
            pi,
            PhotometricInterpretation::YbrFull
                | PhotometricInterpretation::YbrFull422
                | PhotometricInterpretation::YbrPartial420
                | PhotometricInterpretation::YbrIct
                | PhotometricInterpretation::YbrRct
        );
        if still_ybr && !ybr_full {
            return Err(MediaError::Unsupported {
                what: format!("DICOM {pi}"),
                reason: "native subsampled YBR pixel data is not converted to RGB; YBR_FULL is".into(),
            });
        }
        let frame_len = rows * cols * spp_dec * item;
        let total = frame_len * frames;
        let data = decoded.data();
        let raw = data.get(..total).ok_or_else(|| {
            dec_err(format!(
                "the pixel data has {} bytes, {total} expected",
                data.len()
            ))
        })?;
        let mut native = if decoded.planar_configuration() == PlanarConfiguration::PixelFirst && spp_dec == 3
        {
            interleave(raw, rows * cols, item, frames)
        } else {
            raw.to_vec()
        };
        if ybr_full {
            ybr_full_to_rgb(&mut native);
        }
        mask_unused_bits(&mut native, item, bits_stored, signed);
        (native, item, signed, spp_dec, (rows, cols, frames))
    };
    let mut shape = Vec::with_capacity(4);
    if frames > 1 {
        shape.push(frames);
    }
    shape.extend([rows, cols]);
    if spp_dec == 3 {
        shape.push(3);
    }
    let kind = if signed { Kind::Int } else { Kind::UInt };
    let dtype = DType::new(kind, item, Endian::Little)?;
    if !float_out {
        return Ok(ArrayBuf::new(native, dtype, shape, Order::C)?);
    }
    if window.is_some() && !photometric.starts_with("MONOCHROME") {
        return Err(dec_err(
            "windowing applies only to MONOCHROME1/MONOCHROME2 images (pydicom refuses it too)",
        ));
    }
    let frame = samples::Frame {
        bytes: std::mem::take(&mut native).into(),
        dtype,
        shape: shape.clone(),
    };
    let mut values = frame
        .values_f64()
        .ok_or_else(|| dec_err("the stored samples are not integers"))?;
    if let Some((slope, intercept)) = rescale {
        for v in &mut values {
            *v = *v * slope + intercept;
        }
    }
    if let Some((center, width)) = window {
        let function = get_str(&obj, tags::VOILUT_FUNCTION).unwrap_or_else(|| "LINEAR".into());
        apply_windowing(
            &mut values,
            center,
            width,
            &function,
            bits_stored,
            signed,
            rescale,
        )?;
    }
    let out: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let f8 = DType::new(Kind::Float, 8, Endian::Little)?;
    Ok(ArrayBuf::new(out, f8, shape, Order::C)?)
}

/// JPEG 2000 transfer syntaxes (Lossless Only; lossless or lossy), read through `jpeg2000.rs`.
const JPEG2000_TS: &[&str] = &["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"];

/// JPEG 2000 frames as imageio's pydicom plugin returns them when pydicom decodes with Pillow (its only
/// JPEG 2000 decoder without extra packages): each frame's codestream decoded as Pillow decodes it (gray
/// scaled up to 8 or 16 bits, RGB to 8), then pydicom's undoing of that scaling (`pillow.py`), with the
/// codestream's own precision and signedness, and its sign correction for monochrome data whose codestream
/// signedness differs from PixelRepresentation (`base.py`). pydicom works on 8-bit samples for precisions
/// up to 8 and 16-bit ones up to 16, and returns BitsAllocated's size (`out_item` bytes); more than 8 bits
/// with 3 samples is refused, as pydicom refuses it. Returns the samples, their size, signedness and samples
/// per pixel.
fn decode_jpeg2000(
    obj: &Obj,
    (rows, cols, frames): (u32, u32, u32),
    pr: bool,
    out_item: usize,
    opts: &DecodeOptions,
) -> Result<(Vec<u8>, usize, bool, usize)> {
    let fragments = obj
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .and_then(|e| e.value().fragments())
        .ok_or_else(|| dec_err("JPEG 2000 pixel data must be encapsulated (in fragments)"))?;
    let starts = |f: &[u8]| f.starts_with(&[0xff, 0x4f, 0xff, 0x51]);
    // One fragment per frame is borrowed; a frame split over fragments is joined.
    let mut codestreams: Vec<std::borrow::Cow<'_, [u8]>> = Vec::new();
    if fragments.len() == frames as usize {
        codestreams.extend(fragments.iter().map(|f| f.as_slice().into()));
    } else {
        for f in fragments {
            match codestreams.last_mut() {
                Some(cs) if !starts(f) || frames == 1 => cs.to_mut().extend_from_slice(f),
                _ => codestreams.push(f.as_slice().into()),
            }
        }
    }
    if codestreams.len() != frames as usize {
        return Err(dec_err(format!(
            "{frames} frame(s) declared but the pixel data holds {} JPEG 2000 codestream(s)",
            codestreams.len()
        )));
    }
    let mut out = Vec::new();
    let mut layout = None;
    for cs in &codestreams {
        let (precision, j2k_signed) = super::jpeg2000::first_component(cs)?;
        let pil = super::jpeg2000::decode(cs, opts)?;
        let shape = pil.shape();
        let spp = shape.get(2).copied().unwrap_or(1);
        if shape[..2] != [rows as usize, cols as usize] || !matches!(spp, 1 | 3) {
            return Err(dec_err(format!(
                "a JPEG 2000 frame of shape {shape:?} in a data set of {rows}x{cols} pixels"
            )));
        }
        let item = match precision {
            1..=8 => 1,
            9..=16 if spp == 1 => 2,
            9..=16 => {
                return Err(MediaError::Unsupported {
                    what: "DICOM JPEG 2000".into(),
                    reason: format!(
                        "{precision}-bit data with 3 samples (pydicom cannot decode it with Pillow)"
                    ),
                })
            }
            _ => {
                return Err(MediaError::Unsupported {
                    what: "DICOM JPEG 2000".into(),
                    reason: format!("{precision}-bit samples; up to 16 bits are read"),
                })
            }
        };
        if item > out_item {
            return Err(dec_err(format!(
                "a {precision}-bit JPEG 2000 codestream in {}-bit BitsAllocated samples",
                8 * out_item
            )));
        }
        if *layout.get_or_insert((item, spp)) != (item, spp) {
            return Err(dec_err("the JPEG 2000 frames differ in precision or samples"));
        }
        let bits = 8 * item as u32;
        let shift = bits - precision;
        let fix_sign = j2k_signed != pr;
        let wrap = |v: i64| -> i64 {
            let m = v.rem_euclid(1 << bits);
            if pr && m >= 1 << (bits - 1) {
                m - (1 << bits)
            } else {
                m
            }
        };
        for word in pil.data().chunks_exact(item) {
            let u = if item == 1 {
                i64::from(word[0])
            } else {
                i64::from(u16::from_le_bytes([word[0], word[1]]))
            };
            let mut v = if j2k_signed && pr {
                wrap(wrap(u) - (1 << (bits - 1)))
            } else {
                u
            };
            v >>= shift;
            if fix_sign && shift > 0 && spp == 1 {
                v = wrap(v << shift) >> shift;
            }
            out.extend_from_slice(&wrap(v).to_le_bytes()[..out_item]);
        }
    }
    let spp = layout.map_or(1, |(_, spp)| spp);
    Ok((out, out_item, pr, spp))
}

/// JPEG transfer syntaxes dicom-pixeldata decodes (baseline, extended, lossless, lossless SV1).
const JPEG_TS: &[&str] = &[
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
];

/// The JPEG decoder allocates by the size in each JPEG frame header, not by Rows/Columns (which the
/// limits checked): refuse fragments whose SOF header claims more rows or columns than the data set.
/// In entropy-coded JPEG data 0xFF is always followed by 0x00 or a restart marker, so an `FF Cn` pair is
/// a real frame header.
fn check_jpeg_frames(obj: &Obj, rows: u32, cols: u32) -> Result<()> {
    let ts = obj.meta().transfer_syntax().trim_end_matches(['\0', ' ']);
    if !JPEG_TS.contains(&ts) {
        return Ok(());
    }
    let Some(fragments) = obj
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .and_then(|e| e.value().fragments())
    else {
        return Ok(());
    };
    for frag in fragments {
        for (i, pair) in frag.windows(2).enumerate() {
            let is_sof =
                pair[0] == 0xFF && (0xC0..=0xCF).contains(&pair[1]) && !matches!(pair[1], 0xC4 | 0xC8 | 0xCC);
            if !is_sof {
                continue;
            }
            let (Some(y), Some(x)) = (frag.get(i + 5..i + 7), frag.get(i + 7..i + 9)) else {
                continue;
            };
            let (y, x) = (u16::from_be_bytes([y[0], y[1]]), u16::from_be_bytes([x[0], x[1]]));
            if y == 0 || x == 0 || u32::from(y) > rows || u32::from(x) > cols {
                return Err(dec_err(format!(
                    "a JPEG fragment declares {x}x{y} pixels but the data set has {cols}x{rows}"
                )));
            }
        }
    }
    Ok(())
}

/// pydicom's `apply_windowing` (PS3.3 C.11.2.1.2), output as float64.
fn apply_windowing(
    values: &mut [f64],
    mut center: f64,
    mut width: f64,
    function: &str,
    bits_stored: u32,
    signed: bool,
    rescale: Option<(f64, f64)>,
) -> Result<()> {
    let bits = bits_stored.clamp(1, 64) as i32;
    let (mut y_min, mut y_max) = if signed {
        (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1) - 1.0)
    } else {
        (0.0, 2f64.powi(bits) - 1.0)
    };
    if let Some((slope, intercept)) = rescale {
        y_min = y_min * slope + intercept;
        y_max = y_max * slope + intercept;
    }
    let y_range = y_max - y_min;
    match function.to_ascii_uppercase().as_str() {
        f @ ("LINEAR" | "LINEAR_EXACT") => {
            if f == "LINEAR" {
                if width < 1.0 {
                    return Err(dec_err("Window Width must be >= 1 for LINEAR windowing"));
                }
                center -= 0.5;
                width -= 1.0;
            } else if width <= 0.0 {
                return Err(dec_err("Window Width must be > 0 for LINEAR_EXACT windowing"));
            }
            let (lo, hi) = (center - width / 2.0, center + width / 2.0);
            for v in values.iter_mut() {
                *v = if *v <= lo {
                    y_min
                } else if *v > hi {
                    y_max
                } else {
                    ((*v - center) / width + 0.5) * y_range + y_min
                };
            }
        }
        "SIGMOID" => {
            if width <= 0.0 {
                return Err(dec_err("Window Width must be > 0 for SIGMOID windowing"));
            }
            for v in values.iter_mut() {
                *v = y_range / (1.0 + (-4.0 * (*v - center) / width).exp()) + y_min;
            }
        }
        other => {
            return Err(dec_err(format!(
                "unsupported VOI LUT Function {other:?}; LINEAR, LINEAR_EXACT and SIGMOID are applied"
            )))
        }
    }
    Ok(())
}

/// The uncompressed transfer syntaxes (implicit/explicit little endian, explicit big endian).
const NATIVE_TS: &[&str] = &[
    uids::IMPLICIT_VR_LITTLE_ENDIAN,
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    "1.2.840.10008.1.2.2",
];

/// pydicom's `_convert_YBR_FULL_to_RGB` for 8-bit samples: float32 matrix product, `floor(x + 0.5)`,
/// clipped to 0..=255 (DICOM PS3.3 C.7.6.3.1.2).
fn ybr_full_to_rgb(pixels: &mut [u8]) {
    let cb_g = (-0.114f64 * 1.772 / 0.587) as f32;
    let cr_g = (-0.299f64 * 1.402 / 0.587) as f32;
    for px in pixels.chunks_exact_mut(3) {
        let y = f32::from(px[0]);
        let cb = f32::from(px[1]) - 128.0;
        let cr = f32::from(px[2]) - 128.0;
        let rgb = [y + 1.402 * cr, y + cb_g * cb + cr_g * cr, y + 1.772 * cb];
        for (out, v) in px.iter_mut().zip(rgb) {
            *out = (v + 0.5).floor().clamp(0.0, 255.0) as u8;
        }
    }
}

/// As pydicom: the bits above BitsStored are not pixel data; clear them (unsigned) or fill them with the
/// sign bit (signed).
fn mask_unused_bits(samples: &mut [u8], item: usize, bits_stored: u32, signed: bool) {
    let bits = (item * 8) as u32;
    if bits_stored == 0 || bits_stored >= bits {
        return;
    }
    let mask: u32 = (1u32 << bits_stored) - 1;
    let sign: u32 = 1u32 << (bits_stored - 1);
    for c in samples.chunks_exact_mut(item) {
        let mut raw = [0u8; 4];
        raw[..item].copy_from_slice(c);
        let mut v = u32::from_le_bytes(raw) & mask;
        if signed && v & sign != 0 {
            v |= !mask;
        }
        c.copy_from_slice(&v.to_le_bytes()[..item]);
    }
}

/// Planar (RRR…GGG…BBB…) frames to interleaved RGB.
fn interleave(raw: &[u8], pixels: usize, item: usize, frames: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let plane = pixels * item;
    for f in raw.chunks_exact(plane * 3).take(frames) {
        for p in 0..pixels {
            for s in 0..3 {
                let at = s * plane + p * item;
                out.extend_from_slice(&f[at..at + item]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaLimits;

    fn u16le() -> DType {
        DType::new(Kind::UInt, 2, Endian::Little).unwrap()
    }

    fn enc(data: MediaData) -> Vec<u8> {
        encode(&data, &EncodeOptions::default()).unwrap()
    }

    fn dec(bytes: &[u8]) -> Result<ArrayBuf> {
        decode(bytes, &DecodeOptions::default())
    }

    #[test]
    fn dicom_round_trips_rgb_gray_u16_and_stacks() {
        let rgb = ArrayBuf::new(
            (0..48 * 64 * 3).map(|i| (i % 251) as u8).collect(),
            DType::U8,
            vec![48, 64, 3],
            Order::C,
        )
        .unwrap();
        let bytes = enc(MediaData::Array(rgb.clone()));
        assert_eq!(&bytes[128..132], b"DICM");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(SOP_CLASS_UID));
        assert_eq!(dec(&bytes).unwrap(), rgb);

        let gray16: Vec<u8> = (0..10 * 20 * 30u32)
            .flat_map(|i| ((i * 7) as u16).to_le_bytes())
            .collect();
        let stack = ArrayBuf::new(gray16, u16le(), vec![10, 20, 30], Order::C).unwrap();
        assert_eq!(dec(&enc(MediaData::Array(stack.clone()))).unwrap(), stack);

        let frames: Vec<ArrayBuf> = (0..4u8)
            .map(|k| ArrayBuf::new(vec![k; 8 * 9 * 3], DType::U8, vec![8, 9, 3], Order::C).unwrap())
            .collect();
        let back = dec(&enc(MediaData::Frames(frames))).unwrap();
        assert_eq!(back.shape(), &[4, 8, 9, 3]);
        assert_eq!(back.data()[8 * 9 * 3 * 3], 3);

        let i16le = DType::new(Kind::Int, 2, Endian::Little).unwrap();
        let signed: Vec<u8> = [-5i16, 7, -300, 300]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let a = ArrayBuf::new(signed, i16le, vec![2, 2], Order::C).unwrap();
        assert_eq!(dec(&enc(MediaData::Array(a.clone()))).unwrap(), a);
    }

    #[test]
    fn dicom_refuses_unstorable_dtypes_and_shapes() {
        let f4 = DType::new(Kind::Float, 4, Endian::Little).unwrap();
        let a = ArrayBuf::new(vec![0; 16], f4, vec![2, 2], Order::C).unwrap();
        assert!(encode(&MediaData::Array(a), &EncodeOptions::default()).is_err());
        let rgba = ArrayBuf::new(vec![0; 16], DType::U8, vec![2, 2, 4], Order::C).unwrap();
        // (2, 2, 4) is a stack of two 2x4 gray frames by the plugin's rule.
        let back = dec(&enc(MediaData::Array(rgba))).unwrap();
        assert_eq!(back.shape(), &[2, 2, 4]);
        let five_d = ArrayBuf::new(vec![0; 32], DType::U8, vec![2, 2, 2, 2, 2], Order::C).unwrap();
        assert!(encode(&MediaData::Array(five_d), &EncodeOptions::default()).is_err());
    }

    #[test]
    fn dicom_windowing_matches_pydicom_formula() {
        // 8-bit unsigned, LINEAR, center 128 width 64: (v - 127.5) / 63 + 0.5 scaled to 0..255.
        let mut v = vec![0.0, 96.0, 127.5, 159.0, 200.0];
        apply_windowing(&mut v, 128.0, 64.0, "LINEAR", 8, false, None).unwrap();
        assert_eq!(v[0], 0.0);
        assert_eq!(v[4], 255.0);
        assert!((v[2] - 127.5).abs() < 1e-9);
        assert!(apply_windowing(&mut [0.0], 1.0, 0.5, "LINEAR", 8, false, None).is_err());
        assert!(apply_windowing(&mut [0.0], 1.0, 5.0, "FOO", 8, false, None).is_err());
    }

    #[test]
    fn dicom_crafted_lengths_and_limits_fail_fast() {
        let gray = ArrayBuf::new(vec![7; 16 * 16], DType::U8, vec![16, 16], Order::C).unwrap();
        let good = enc(MediaData::Array(gray));
        // Not DICOM at all.
        assert!(matches!(dec(b"hello"), Err(MediaError::Decode { .. })));
        // Truncations at every length: errors, never panics.
        for cut in (0..good.len()).step_by(7) {
            assert!(dec(&good[..cut]).is_err(), "cut {cut}");
        }
        // Pixel Data declaring 4 GiB: refused by the length check, before any allocation.
        let pd = good
            .windows(4)
            .rposition(|w| w == [0xE0, 0x7F, 0x10, 0x00])
            .unwrap();
        let mut huge = good.clone();
        huge[pd + 8..pd + 12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        let err = dec(&huge).unwrap_err().to_string();
        assert!(err.contains("remain"), "{err}");
        // Rows/Columns claiming 65535 x 65535 x 1000 frames: over the limit before decoding.
        let mut obj = OpenFileOptions::new()
            .read_preamble(ReadPreamble::Never)
            .from_reader(&good[128..])
            .unwrap();
        obj.put(DataElement::new(
            tags::ROWS,
            VR::US,
            PrimitiveValue::from(65535u16),
        ));
        obj.put(DataElement::new(
            tags::COLUMNS,
            VR::US,
            PrimitiveValue::from(65535u16),
        ));
        obj.put(DataElement::new(
            tags::NUMBER_OF_FRAMES,
            VR::IS,
            PrimitiveValue::from("1000"),
        ));
        let mut big = Vec::new();
        obj.write_all(&mut big).unwrap();
        let small = DecodeOptions {
            limits: MediaLimits::default(),
            ..Default::default()
        };
        assert!(matches!(
            decode(&big, &small),
            Err(MediaError::LimitExceeded { .. })
        ));
        // Deeply nested undefined-length sequences: refused, no stack overflow.
        let mut nested = good[..132].to_vec();
        let meta_end = {
            let s = Scanner {
                bytes: &good[128..],
                syntax: Syntax {
                    explicit: true,
                    little: true,
                },
            };
            let mut pos = 4;
            while s.u16_at(pos, true).unwrap() == 2 {
                pos = element_end(&s, pos).unwrap();
            }
            pos
        };
        nested.extend_from_slice(&good[132..128 + meta_end]);
        for _ in 0..100 {
            nested.extend_from_slice(&[0x08, 0x00, 0x15, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
            nested.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }
        let err = dec(&nested).unwrap_err().to_string();
        assert!(err.contains("nested"), "{err}");
    }

    #[test]
    fn dicom_many_crafted_fragments_scan_in_linear_time() {
        let gray = ArrayBuf::new(vec![7; 4 * 4], DType::U8, vec![4, 4], Order::C).unwrap();
        let good = enc(MediaData::Array(gray));
        let pd = good
            .windows(4)
            .rposition(|w| w == [0xE0, 0x7F, 0x10, 0x00])
            .unwrap();
        let mut f = good[..pd].to_vec();
        f.extend_from_slice(&[0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        f.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0]);
        // Each fragment looks like the start of an undefined-length sequence, which must not make the
        // scanner read on to the end of the file for every fragment.
        for _ in 0..100_000 {
            f.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 16, 0, 0, 0]);
            f.extend_from_slice(&[0x08, 0x00, 0x15, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
            f.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
        }
        f.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        let t = std::time::Instant::now();
        let _ = check_structure(&f).unwrap();
        assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
        // dicom-rs may take the fragments as the pixels; either way the declared 4x4 is what comes back.
        if let Ok(a) = dec(&f) {
            assert_eq!(a.shape(), &[4, 4]);
        }
    }

    #[test]
    fn dicom_numbers_of_a_partial_width_are_refused_before_dicom_rs_parses() {
        // (0028,0010) Rows as SL with 2 bytes: dicom-rs would read 4 and misparse the rest (a fuzzed
        // file had it reserve 4 GiB for a value).
        let img = ArrayBuf::new(vec![7; 16], DType::U8, vec![4, 4], Order::C).unwrap();
        let mut bytes = enc(MediaData::Array(img));
        let rows = [0x28, 0x00, 0x10, 0x00, b'U', b'S', 0x02, 0x00];
        let at = bytes.windows(8).position(|w| w == rows).unwrap();
        bytes[at + 4..at + 6].copy_from_slice(b"SL");
        let e = dec(&bytes).unwrap_err().to_string();
        assert!(e.contains("not a whole number"), "{e}");
    }

    #[test]
    fn dicom_ybr_full_matches_pydicom_formula() {
        // Values computed with pydicom 3.0.2's convert_color_space(..., "YBR_FULL", "RGB").
        let mut px = vec![128, 128, 128, 76, 85, 255, 0, 0, 0, 255, 255, 255];
        ybr_full_to_rgb(&mut px);
        assert_eq!(px, vec![128, 128, 128, 254, 0, 0, 0, 135, 0, 255, 121, 255]);
    }

    #[test]
    fn dicom_unused_high_bits_are_masked_like_pydicom() {
        // 12 of 16 bits: 0x0FFB is -5 signed; 0xF0FB is 251 unsigned (pydicom 3.0.2 gives the same).
        let mut s = [0xFB, 0x0F, 0x00, 0x08, 0xFF, 0x07];
        mask_unused_bits(&mut s, 2, 12, true);
        let v: Vec<i16> = s.chunks(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
        assert_eq!(v, vec![-5, -2048, 2047]);
        let mut u = [0xFB, 0xF0];
        mask_unused_bits(&mut u, 2, 12, false);
        assert_eq!(u16::from_le_bytes(u), 251);
    }

    #[test]
    fn dicom_planar_interleave() {
        let planar = [1u8, 2, 10, 20, 100, 200];
        assert_eq!(interleave(&planar, 2, 1, 1), vec![1, 10, 100, 2, 20, 200]);
    }

    #[test]
    fn dicom_uids_are_unique_and_valid() {
        let a = new_uid();
        let b = new_uid();
        assert_ne!(a, b);
        assert!(a.starts_with("2.25.") && a.len() <= 64 && !a[5..].starts_with('0'));
    }
}
