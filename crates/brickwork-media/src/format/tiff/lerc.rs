//! TIFF's LERC (Compression = 34887; Esri's Limited Error Raster Compression, in GeoTIFFs) decoded as
//! tifffile decodes it (imagecodecs' `lerc_decode`): a Lerc2 blob per chunk, optionally inside a zlib or
//! Zstandard stream (tifffile's LercParameters compression 1 and 2), holding the chunk's pixels with one
//! value per sample (LERC's "depth"); masked pixels read as 0. The `lerc-rs` crate (pure Rust, written to
//! match Esri's C++ reference) decodes the blob, after its header has been checked against the chunk.

use std::borrow::Cow;

use lerc::Sample;

/// The chunk of `width` × `height` pixels of `spp` samples of `item` bytes, decoded from `raw` into `dst`
/// (little-endian samples), or why not.
pub(super) fn decode(
    raw: &[u8],
    (width, height, spp, item): (usize, usize, usize, usize),
    dst: &mut [u8],
) -> Result<(), String> {
    // A wrapped blob is at most a little larger than the samples it holds (LERC's headers and masks).
    let most = dst.len().saturating_mul(2).saturating_add(1 << 20);
    let blob: Cow<'_, [u8]> = if raw.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let out = zstd::bulk::Decompressor::new()
            .and_then(|mut d| d.decompress(raw, most))
            .map_err(|e| format!("the Zstandard frame around the LERC blob (at most {most} bytes): {e}"))?;
        Cow::Owned(out)
    } else if raw.first() == Some(&0x78) {
        let mut out = Vec::new();
        let mut z = flate2::read::ZlibDecoder::new(raw);
        std::io::copy(&mut std::io::Read::take(&mut z, most as u64 + 1), &mut out)
            .map_err(|e| format!("the zlib stream around the LERC blob: {e}"))?;
        if out.len() > most {
            return Err(format!(
                "the zlib stream around the LERC blob inflates past {most} bytes"
            ));
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    };
    let info = unpanicked(|| lerc::decode_info(&blob))?;
    let shape = (
        info.width as usize,
        info.height as usize,
        info.depth as usize,
        info.bands,
    );
    if shape != (width, height, spp, 1) {
        return Err(format!(
            "the LERC blob holds {}x{} pixels of {} values in {} bands, the chunk {width}x{height} of {spp}",
            info.width, info.height, info.depth, info.bands
        ));
    }
    use lerc::DataType as D;
    match (info.data_type, item) {
        (D::Char, 1) => into::<i8, _>(&blob, dst, |v| v.to_le_bytes()),
        (D::Byte, 1) => into::<u8, _>(&blob, dst, |v| [v]),
        (D::Short, 2) => into::<i16, _>(&blob, dst, i16::to_le_bytes),
        (D::UShort, 2) => into::<u16, _>(&blob, dst, u16::to_le_bytes),
        (D::Int, 4) => into::<i32, _>(&blob, dst, i32::to_le_bytes),
        (D::UInt, 4) => into::<u32, _>(&blob, dst, u32::to_le_bytes),
        (D::Float, 4) => into::<f32, _>(&blob, dst, f32::to_le_bytes),
        (D::Double, 8) => into::<f64, _>(&blob, dst, f64::to_le_bytes),
        (t, _) => Err(format!(
            "the LERC blob holds {t:?} values, the page {item}-byte samples"
        )),
    }
}

/// The blob decoded as `T` (masked pixels 0), written into `dst` as little-endian bytes.
fn into<T: Sample, const N: usize>(
    blob: &[u8],
    dst: &mut [u8],
    le: impl Fn(T) -> [u8; N],
) -> Result<(), String> {
    let mut values = vec![T::default(); dst.len() / N];
    unpanicked(|| lerc::decode_into_with_nodata(blob, &mut values, T::default()))?;
    for (out, v) in dst.chunks_exact_mut(N).zip(values) {
        out.copy_from_slice(&le(v));
    }
    Ok(())
}

/// A call into `lerc-rs`, its error or its panic (a young crate: a crafted blob may reach one) as this
/// chunk's error.
fn unpanicked<T>(f: impl FnOnce() -> lerc::Result<T>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("LERC blob: {e}")),
        Err(_) => Err("the LERC decoder failed on this blob".to_owned()),
    }
}
