//! NumPy `.npy` and `.npz` (imageio's `NPZ` plugin).
//!
//! `.npy` (brickwork-native: imageio has no `.npy` plugin and fails to write it): any dtype and shape,
//! written and read by `brickwork_core::npy`; a frame list is stacked on a leading axis first.
//!
//! `.npz`, as imageio's legacy `NPZ` plugin (`np.savez_compressed`, read back as `arr_0`): a ZIP archive
//! of deflated `.npy` members. Writing stores the data as `arr_0.npy`; **difference from imageio, on
//! purpose:** a frame list is stacked into `arr_0` (imageio writes `arr_0`, `arr_1`, ... and then reads
//! back `arr_0` only, losing frames), so both brickwork and imageio read the whole stack back. Reading
//! returns `arr_0`; an archive of several members of one shape and dtype (as imageio writes lists) is
//! stacked instead.
//!
//! The ZIP reader follows the central directory (numpy's members have ZIP64 local headers whose sizes are
//! only in the directory), supports stored and deflated members, checks each member's declared size
//! against the limits before inflating (never inflating past it), and verifies the CRC-32.

use std::io::{Read, Write};

use brickwork_core::{npy, ArrayBuf, Order};

use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::{MediaData, MediaError, MediaLimits, Result};

fn enc_err(format: &'static str, reason: impl std::fmt::Display) -> MediaError {
    MediaError::Encode {
        format,
        reason: reason.to_string(),
    }
}

fn dec_err(format: &'static str, reason: impl std::fmt::Display) -> MediaError {
    MediaError::Decode {
        format,
        reason: reason.to_string(),
    }
}

/// The data as one array: the array itself, or the frames stacked (C order, little-endian).
fn one_array(data: &MediaData, format: &'static str) -> Result<ArrayBuf> {
    match data {
        MediaData::Array(a) => Ok(a.clone()),
        MediaData::Frames(list) => {
            let first = list
                .first()
                .ok_or_else(|| enc_err(format, "an empty list of frames"))?;
            let mut bytes = Vec::new();
            for (i, a) in list.iter().enumerate() {
                if a.shape() != first.shape()
                    || a.dtype().to_little_endian() != first.dtype().to_little_endian()
                {
                    return Err(enc_err(
                        format,
                        format!("frame {i} differs in shape or dtype from frame 0"),
                    ));
                }
                bytes.extend_from_slice(&pixels::c_order_le(a)?);
            }
            let mut shape = vec![list.len()];
            shape.extend_from_slice(first.shape());
            Ok(ArrayBuf::new(
                bytes,
                first.dtype().to_little_endian(),
                shape,
                Order::C,
            )?)
        }
    }
}

/// Writes a `.npy` file.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let a = one_array(data, "npy")?;
    Ok(npy::to_bytes(a.dtype(), a.shape(), a.order(), a.data()))
}

fn parse_npy(bytes: &[u8], limits: &MediaLimits, format: &'static str) -> Result<ArrayBuf> {
    let header = npy::parse_header(bytes)?;
    if header.record.is_some() {
        // a table of records, not pixels (brickwork.zarr and brickwork pack store them)
        return Err(MediaError::Decode {
            format,
            reason: "its dtype is structured (records); media arrays are plain numbers".into(),
        });
    }
    if header.data_len as u64 > limits.max_bytes {
        return Err(MediaError::LimitExceeded {
            format,
            what: "decoded bytes",
            actual: header.data_len as u64,
            limit: limits.max_bytes,
        });
    }
    let (header, body) = npy::parse(bytes)?;
    Ok(ArrayBuf::new(
        body.to_vec(),
        header.dtype,
        header.shape,
        header.order,
    )?)
}

/// Reads a `.npy` file.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    parse_npy(bytes, &opts.limits, "npy")
}

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;

/// Writes a `.npz` archive with one deflated member `arr_0.npy`.
pub fn encode_npz(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let member = encode(data, opts)?;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&member).map_err(|e| enc_err("npz", e))?;
    let packed = z.finish().map_err(|e| enc_err("npz", e))?;
    let crc = crc32fast::hash(&member);
    let too_big = || {
        enc_err(
            "npz",
            "the array is larger than a ZIP member without ZIP64 (4 GiB)",
        )
    };
    let usize32 = u32::try_from(member.len()).map_err(|_| too_big())?;
    let csize32 = u32::try_from(packed.len()).map_err(|_| too_big())?;
    let name = b"arr_0.npy";
    let mut out = Vec::with_capacity(packed.len() + 128);
    let common = |out: &mut Vec<u8>| {
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&8u16.to_le_bytes()); // deflate
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&csize32.to_le_bytes());
        out.extend_from_slice(&usize32.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
    };
    out.extend_from_slice(&LOCAL.to_le_bytes());
    common(&mut out);
    out.extend_from_slice(name);
    out.extend_from_slice(&packed);
    let cd_offset = u32::try_from(out.len()).map_err(|_| too_big())?;
    out.extend_from_slice(&CENTRAL.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // made by
    common(&mut out);
    out.extend_from_slice(&[0; 6]); // comment len, disk, internal attrs
    out.extend_from_slice(&0u32.to_le_bytes()); // external attrs
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name);
    let cd_size = u32::try_from(out.len()).map_err(|_| too_big())? - cd_offset;
    out.extend_from_slice(&END.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

fn le16(b: &[u8], o: usize) -> Option<u16> {
    b.get(o..o.checked_add(2)?)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn le32(b: &[u8], o: usize) -> Option<u32> {
    b.get(o..o.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn le64(b: &[u8], o: usize) -> Option<u64> {
    b.get(o..o.checked_add(8)?)
        .map(|s| u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]))
}

/// One member of the central directory.
struct Member {
    name: String,
    method: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    offset: u64,
}

fn directory(b: &[u8]) -> Option<Vec<Member>> {
    let start = b.len().saturating_sub(22 + 65535);
    let eocd = (start..=b.len().checked_sub(22)?)
        .rev()
        .find(|&i| le32(b, i) == Some(END))?;
    let mut count = u64::from(le16(b, eocd + 10)?);
    let mut cd = u64::from(le32(b, eocd + 16)?);
    if cd == 0xFFFF_FFFF || count == 0xFFFF {
        // ZIP64 end of central directory, located by the locator just before the EOCD.
        let loc = eocd.checked_sub(20)?;
        if le32(b, loc)? != 0x0706_4b50 {
            return None;
        }
        let z64 = usize::try_from(le64(b, loc + 8)?).ok()?;
        count = le64(b, z64.checked_add(32)?)?;
        cd = le64(b, z64.checked_add(48)?)?;
    }
    let mut pos = usize::try_from(cd).ok()?;
    let mut out = Vec::new();
    for _ in 0..count.min(65536) {
        if le32(b, pos)? != CENTRAL {
            return None;
        }
        let method = le16(b, pos + 10)?;
        let crc = le32(b, pos + 16)?;
        let mut csize = u64::from(le32(b, pos + 20)?);
        let mut usize_ = u64::from(le32(b, pos + 24)?);
        let name_len = usize::from(le16(b, pos + 28)?);
        let extra_len = usize::from(le16(b, pos + 30)?);
        let comment_len = usize::from(le16(b, pos + 32)?);
        let mut offset = u64::from(le32(b, pos + 42)?);
        let name = String::from_utf8_lossy(b.get(pos + 46..pos + 46 + name_len)?).into_owned();
        let extra = b.get(pos + 46 + name_len..pos + 46 + name_len + extra_len)?;
        let mut e = 0;
        while e + 4 <= extra.len() {
            let id = le16(extra, e)?;
            let len = usize::from(le16(extra, e + 2)?);
            if id == 1 {
                let mut f = e + 4;
                for field in [&mut usize_, &mut csize, &mut offset] {
                    if *field == 0xFFFF_FFFF {
                        *field = le64(extra, f)?;
                        f += 8;
                    }
                }
            }
            e += 4 + len;
        }
        out.push(Member {
            name,
            method,
            crc,
            csize,
            usize: usize_,
            offset,
        });
        pos += 46 + name_len + extra_len + comment_len;
    }
    Some(out)
}

fn member_bytes(b: &[u8], m: &Member, limits: &MediaLimits) -> Result<Vec<u8>> {
    if m.usize > limits.max_bytes {
        return Err(MediaError::LimitExceeded {
            format: "npz",
            what: "decoded bytes",
            actual: m.usize,
            limit: limits.max_bytes,
        });
    }
    let bad = |r: &str| dec_err("npz", format!("member {}: {r}", m.name));
    let off = usize::try_from(m.offset).map_err(|_| bad("offset out of range"))?;
    if le32(b, off) != Some(LOCAL) {
        return Err(bad("no local header at its offset"));
    }
    let name_len = usize::from(le16(b, off + 26).ok_or_else(|| bad("truncated"))?);
    let extra_len = usize::from(le16(b, off + 28).ok_or_else(|| bad("truncated"))?);
    let data_start = off + 30 + name_len + extra_len;
    let csize = usize::try_from(m.csize).map_err(|_| bad("size out of range"))?;
    let packed = b
        .get(data_start..data_start.saturating_add(csize))
        .ok_or_else(|| bad("data lies outside the file"))?;
    let want = m.usize as usize;
    let out = match m.method {
        0 => packed.to_vec(),
        8 => {
            let mut out = Vec::with_capacity(want);
            flate2::read::DeflateDecoder::new(packed)
                .take(m.usize + 1)
                .read_to_end(&mut out)
                .map_err(|e| bad(&e.to_string()))?;
            out
        }
        other => {
            return Err(bad(&format!(
                "compression method {other} (only stored and deflate are read)"
            )))
        }
    };
    if out.len() != want {
        return Err(bad("inflates to a different size than the directory says"));
    }
    if crc32fast::hash(&out) != m.crc {
        return Err(bad("CRC-32 mismatch"));
    }
    Ok(out)
}

/// Reads a `.npz` archive: `arr_0`, or all members stacked when they share shape and dtype.
pub fn decode_npz(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let mut members =
        directory(bytes).ok_or_else(|| dec_err("npz", "not a ZIP archive (no central directory)"))?;
    members.retain(|m| m.name.ends_with(".npy"));
    // imageio's order: sorted by the part after the last "_" (arr_0, arr_1, ...), numerically when possible.
    members.sort_by_key(|m| {
        let stem = m.name.trim_end_matches(".npy");
        let tail = stem.rsplit('_').next().unwrap_or(stem).to_owned();
        (tail.parse::<u64>().unwrap_or(u64::MAX), tail)
    });
    let first = members
        .first()
        .ok_or_else(|| dec_err("npz", "the archive holds no .npy member"))?;
    let a0 = parse_npy(&member_bytes(bytes, first, &opts.limits)?, &opts.limits, "npz")?;
    if members.len() == 1 {
        return Ok(a0);
    }
    let mut total = a0.len() as u64;
    let mut arrays = vec![a0];
    for m in &members[1..] {
        total = total.saturating_add(m.usize);
        if total > opts.limits.max_bytes {
            return Err(MediaError::LimitExceeded {
                format: "npz",
                what: "decoded bytes",
                actual: total,
                limit: opts.limits.max_bytes,
            });
        }
        let a = parse_npy(&member_bytes(bytes, m, &opts.limits)?, &opts.limits, "npz")?;
        if a.shape() != arrays[0].shape() || a.dtype() != arrays[0].dtype() {
            return Ok(arrays.swap_remove(0));
        }
        arrays.push(a);
    }
    one_array(&MediaData::Frames(arrays), "npz")
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::DType;

    #[test]
    fn npy_and_npz_round_trip_any_dtype() {
        for dt in ["<f8", "<i4", "|b1", ">u2"] {
            let d = DType::parse(dt).unwrap();
            let a = ArrayBuf::new(
                (0..24 * d.itemsize()).map(|i| (i % 2) as u8).collect(),
                d,
                vec![2, 3, 4],
                Order::C,
            )
            .unwrap();
            let m = MediaData::Array(a.clone());
            let b = encode(&m, &EncodeOptions::default()).unwrap();
            assert!(decode(&b, &DecodeOptions::default()).unwrap() == a);
            let z = encode_npz(&m, &EncodeOptions::default()).unwrap();
            assert!(z.starts_with(b"PK\x03\x04"));
            assert!(decode_npz(&z, &DecodeOptions::default()).unwrap() == a);
        }
    }

    #[test]
    fn records_are_not_media() {
        let record = brickwork_core::Record::from_descr(&serde_json::json!([["x", "<i4"]])).unwrap();
        let file = npy::to_bytes_record(&record, &[2], Order::C, &[0; 8]);
        let e = decode(&file, &DecodeOptions::default()).unwrap_err().to_string();
        assert!(e.contains("structured"), "{e}");
    }

    #[test]
    fn frame_lists_are_stacked_into_arr_0() {
        let f = |k: u8| ArrayBuf::new(vec![k; 6], DType::U8, vec![2, 3], Order::C).unwrap();
        let z = encode_npz(&MediaData::Frames(vec![f(1), f(2)]), &EncodeOptions::default()).unwrap();
        let back = decode_npz(&z, &DecodeOptions::default()).unwrap();
        assert_eq!(back.shape(), &[2, 2, 3]);
        assert_eq!(back.data(), &[1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    }

    #[test]
    fn corrupt_archives_are_errors() {
        let m = MediaData::Array(ArrayBuf::new(vec![7; 100], DType::U8, vec![100], Order::C).unwrap());
        let mut z = encode_npz(&m, &EncodeOptions::default()).unwrap();
        assert!(decode_npz(&z[..z.len() - 5], &DecodeOptions::default()).is_err());
        let mid = 40;
        z[mid] ^= 0xff;
        assert!(decode_npz(&z, &DecodeOptions::default()).is_err());
        let small = DecodeOptions {
            limits: MediaLimits {
                max_pixels: 1 << 20,
                max_bytes: 10,
            },
            ..Default::default()
        };
        let z = encode_npz(&m, &EncodeOptions::default()).unwrap();
        assert!(matches!(
            decode_npz(&z, &small),
            Err(MediaError::LimitExceeded { .. })
        ));
    }
}
