//! Text and object codecs: `base64` (bytes ↔ base64 text), and numcodecs' object codecs `json2`,
//! `msgpack2`, `vlen-utf8`, `vlen-bytes`, `vlen-array`, which work on object arrays
//! ([`brickwork_core::object`]) as well as on the typed arrays numcodecs also accepts.

pub mod base64;
pub(crate) mod items;
pub mod json;
pub mod json2;
pub mod msgpack;
pub mod msgpack2;
pub mod pyfloat;
pub(crate) mod vlen;
pub mod vlen_array;
pub mod vlen_bytes;
pub mod vlen_utf8;

use brickwork_core::{ArrayView, DType, Endian, Error, Kind, Result};

/// The elements of a `U` (UTF-32) array as strings, in memory order, with trailing NULs stripped (as
/// NumPy's `tolist()` and `astype(object)` give them).
pub(crate) fn unicode_items(codec: &str, input: &ArrayView<'_>) -> Result<Vec<String>> {
    let dtype = input.dtype();
    let width = dtype.itemsize();
    if dtype.kind() != Kind::Unicode {
        return Err(Error::invalid_input(
            codec,
            format!("expected a 'U' array, got {dtype}"),
        ));
    }
    if width == 0 {
        let n = brickwork_core::element_count(input.shape())?;
        return Ok(vec![String::new(); n]);
    }
    let big = dtype.endian() == Endian::Big;
    let mut out = Vec::with_capacity(input.len() / width);
    for (i, elem) in input.data().chunks_exact(width).enumerate() {
        let mut s = String::with_capacity(width / 4);
        let mut nuls = 0usize;
        for cp in elem.chunks_exact(4) {
            let b = [cp[0], cp[1], cp[2], cp[3]];
            let v = if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            };
            if v == 0 {
                nuls += 1;
                continue;
            }
            for _ in 0..nuls {
                s.push('\0');
            }
            nuls = 0;
            s.push(char::from_u32(v).ok_or_else(|| {
                Error::invalid_input(
                    codec,
                    format!("element {i} holds {v:#x}, which is not a Unicode scalar value"),
                )
            })?);
        }
        out.push(s);
    }
    Ok(out)
}

/// The elements of an `S` array as byte strings with trailing NULs stripped (NumPy's `tolist()`).
pub(crate) fn bytes_items(input: &ArrayView<'_>) -> Vec<Vec<u8>> {
    let width = input.dtype().itemsize();
    if width == 0 {
        let n = brickwork_core::element_count(input.shape()).unwrap_or(0);
        return vec![Vec::new(); n];
    }
    input
        .data()
        .chunks_exact(width)
        .map(|e| {
            let end = e.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1);
            e[..end].to_vec()
        })
        .collect()
}

/// Writes `s` as a NumPy `U` element of `dtype` (truncated to the width, NUL-padded), as NumPy assigns.
pub(crate) fn put_unicode(dtype: DType, s: &str, out: &mut Vec<u8>) {
    let width = dtype.itemsize() / 4;
    let big = dtype.endian() == Endian::Big;
    let mut n = 0;
    for c in s.chars().take(width) {
        let v = c as u32;
        out.extend_from_slice(&if big { v.to_be_bytes() } else { v.to_le_bytes() });
        n += 1;
    }
    out.resize(out.len() + 4 * (width - n), 0);
}

/// Writes `b` as a NumPy `S` element (truncated to the width, NUL-padded).
pub(crate) fn put_bytes(dtype: DType, b: &[u8], out: &mut Vec<u8>) {
    let width = dtype.itemsize();
    let take = b.len().min(width);
    out.extend_from_slice(&b[..take]);
    out.resize(out.len() + width - take, 0);
}
