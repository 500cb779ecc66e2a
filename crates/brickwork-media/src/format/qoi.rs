//! QOI (`.qoi`), through the `image` crate. imageio cannot write QOI (Pillow only reads it), so `.qoi` is
//! a brickwork-native extension; Pillow reads what brickwork writes exactly.
//!
//! Writing: `uint8` RGB or RGBA, one frame. Reading: RGB or RGBA `uint8` as the header says.
//! Limits: the header size is checked before the pixel buffer is allocated.

use std::io::Cursor;

use brickwork_core::ArrayBuf;
use image::codecs::qoi::{QoiDecoder, QoiEncoder};
use image::ExtendedColorType;

use super::imagecrate;
use super::{DecodeOptions, EncodeOptions};
use crate::pixels;
use crate::{MediaData, Result};

const NAME: &str = "qoi";

/// Writes a QOI file.
pub fn encode(data: &MediaData, _opts: &EncodeOptions) -> Result<Vec<u8>> {
    let (frames, _) = pixels::frames(data, NAME)?;
    pixels::single(&frames, NAME)?;
    let mut out = Vec::new();
    for f in &frames {
        imagecrate::write_frame(
            QoiEncoder::new(&mut out),
            f,
            &[ExtendedColorType::Rgb8, ExtendedColorType::Rgba8],
            NAME,
        )?;
    }
    Ok(out)
}

/// Reads a QOI file.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let dec = QoiDecoder::new(Cursor::new(bytes)).map_err(|e| imagecrate::image_err(NAME, e))?;
    let (buf, w, h, ct) = imagecrate::read_still(dec, &opts.limits, NAME)?;
    imagecrate::to_array(buf, w, h, ct, NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{DType, Order};

    #[test]
    fn rgb_and_rgba_round_trip() {
        for c in [3, 4] {
            let a = ArrayBuf::new(
                (0..17 * 33 * c).map(|i| (i * 3) as u8).collect(),
                DType::U8,
                vec![17, 33, c],
                Order::C,
            )
            .unwrap();
            let b = encode(&MediaData::Array(a.clone()), &EncodeOptions::default()).unwrap();
            assert!(b.starts_with(b"qoif"));
            assert!(decode(&b, &DecodeOptions::default()).unwrap() == a);
        }
        let gray = ArrayBuf::new(vec![0; 16], DType::U8, vec![4, 4], Order::C).unwrap();
        assert!(encode(&MediaData::Array(gray), &EncodeOptions::default()).is_err());
    }
}
