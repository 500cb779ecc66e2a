//! Sample access shared by the video, DICOM and FITS formats.
//!
//! An [`ArrayBuf`] may be in C or Fortran order and big- or little-endian; the writers want C-order
//! little-endian samples, frame by frame. [`frames`] splits a [`MediaData`] into such frames and
//! [`Frame::values_f64`] reads numeric samples as `f64` (for dtype conversions).

use std::borrow::Cow;

use brickwork_core::{ArrayBuf, DType, Kind};

use crate::{pixels, MediaData, MediaError, Result};

/// One frame (or a whole stack) as C-order little-endian bytes plus its dtype and shape.
#[derive(Debug, Clone)]
pub(crate) struct Frame<'a> {
    /// C-order little-endian samples.
    pub bytes: Cow<'a, [u8]>,
    /// The dtype, little-endian (or byte-order-free).
    pub dtype: DType,
    /// The shape.
    pub shape: Vec<usize>,
}

impl Frame<'_> {
    /// Every sample as `f64` (bool, integers and floats; `None` for other kinds).
    pub fn values_f64(&self) -> Option<Vec<f64>> {
        let size = self.dtype.itemsize();
        let chunks = self.bytes.chunks_exact(size.max(1));
        let out = match (self.dtype.kind(), size) {
            (Kind::Bool, 1) | (Kind::UInt, 1) => self.bytes.iter().map(|&b| f64::from(b)).collect(),
            (Kind::Int, 1) => self.bytes.iter().map(|&b| f64::from(b as i8)).collect(),
            (Kind::UInt, 2) => chunks
                .map(|c| f64::from(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            (Kind::Int, 2) => chunks
                .map(|c| f64::from(i16::from_le_bytes([c[0], c[1]])))
                .collect(),
            (Kind::UInt, 4) => chunks.map(|c| f64::from(u32::from_le_bytes(arr4(c)))).collect(),
            (Kind::Int, 4) => chunks.map(|c| f64::from(i32::from_le_bytes(arr4(c)))).collect(),
            (Kind::UInt, 8) => chunks.map(|c| u64::from_le_bytes(arr8(c)) as f64).collect(),
            (Kind::Int, 8) => chunks.map(|c| i64::from_le_bytes(arr8(c)) as f64).collect(),
            (Kind::Float, 2) => chunks
                .map(|c| half::f16::from_bits(u16::from_le_bytes([c[0], c[1]])).to_f64())
                .collect(),
            (Kind::Float, 4) => chunks.map(|c| f64::from(f32::from_le_bytes(arr4(c)))).collect(),
            (Kind::Float, 8) => chunks.map(|c| f64::from_le_bytes(arr8(c))).collect(),
            _ => return None,
        };
        Some(out)
    }
}

fn arr4(c: &[u8]) -> [u8; 4] {
    let mut a = [0u8; 4];
    a.copy_from_slice(&c[..4]);
    a
}

fn arr8(c: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(&c[..8]);
    a
}

/// The samples of `a` in C order and little-endian byte order (borrowed when already so), through
/// [`pixels::c_order_le`], which the still-image formats use too.
pub(crate) fn c_order_le(a: &ArrayBuf) -> Result<Frame<'_>> {
    Ok(Frame {
        bytes: pixels::c_order_le(a)?,
        dtype: a.dtype().to_little_endian(),
        shape: a.shape().to_vec(),
    })
}

/// Splits `data` into frames: a list is taken as is; an array is split along axis 0 when `is_batch`
/// says its shape is a stack, else it is one frame. Every frame must have the same shape and dtype.
pub(crate) fn frames<'a>(
    data: &'a MediaData,
    format: &'static str,
    is_batch: impl Fn(&[usize]) -> bool,
) -> Result<Vec<Frame<'a>>> {
    let out = match data {
        MediaData::Frames(list) => list.iter().map(c_order_le).collect::<Result<Vec<_>>>()?,
        MediaData::Array(a) => {
            let whole = c_order_le(a)?;
            if is_batch(a.shape()) && !a.shape().is_empty() {
                split_axis0(whole)
            } else {
                vec![whole]
            }
        }
    };
    let Some(first) = out.first() else {
        return Err(MediaError::Encode {
            format,
            reason: "the frame list is empty; give at least one frame".into(),
        });
    };
    for (i, f) in out.iter().enumerate() {
        if f.shape != first.shape || f.dtype != first.dtype {
            return Err(MediaError::Encode {
                format,
                reason: format!(
                    "frame {i} is {:?} {} but frame 0 is {:?} {}; all frames must have the same shape and \
                     dtype",
                    f.shape, f.dtype, first.shape, first.dtype
                ),
            });
        }
    }
    Ok(out)
}

/// Splits a C-order stack along its first axis.
fn split_axis0(whole: Frame<'_>) -> Vec<Frame<'_>> {
    let n = whole.shape.first().copied().unwrap_or(0);
    let inner: Vec<usize> = whole.shape.iter().skip(1).copied().collect();
    if n == 0 {
        return Vec::new();
    }
    let step = whole.bytes.len() / n;
    let dtype = whole.dtype;
    match whole.bytes {
        Cow::Borrowed(b) => b
            .chunks_exact(step.max(1))
            .take(n)
            .map(|c| Frame {
                bytes: Cow::Borrowed(c),
                dtype,
                shape: inner.clone(),
            })
            .collect(),
        Cow::Owned(b) => b
            .chunks_exact(step.max(1))
            .take(n)
            .map(|c| Frame {
                bytes: Cow::Owned(c.to_vec()),
                dtype,
                shape: inner.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{Endian, Order};

    #[test]
    fn fortran_and_big_endian_become_c_little() {
        // C-order [[1, 2, 3], [4, 5, 6]] stored in Fortran order as u16 big-endian.
        let f_vals: [u16; 6] = [1, 4, 2, 5, 3, 6];
        let bytes: Vec<u8> = f_vals.iter().flat_map(|v| v.to_be_bytes()).collect();
        let be = DType::new(Kind::UInt, 2, Endian::Big).unwrap();
        let a = ArrayBuf::new(bytes, be, vec![2, 3], Order::F).unwrap();
        let f = c_order_le(&a).unwrap();
        assert_eq!(f.values_f64().unwrap(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert!(!f.dtype.is_big_endian());
    }

    #[test]
    fn stacks_split_and_mismatches_fail() {
        let a = ArrayBuf::new((0..24).collect(), DType::U8, vec![2, 3, 4], Order::C).unwrap();
        let data = MediaData::Array(a.clone());
        let fr = frames(&data, "t", |_| true).unwrap();
        assert_eq!(fr.len(), 2);
        assert_eq!(fr[1].shape, vec![3, 4]);
        assert_eq!(fr[1].bytes[0], 12);
        assert_eq!(frames(&data, "t", |_| false).unwrap().len(), 1);
        let b = ArrayBuf::new(vec![0; 4], DType::U8, vec![2, 2], Order::C).unwrap();
        assert!(frames(&MediaData::Frames(vec![a, b]), "t", |_| true).is_err());
        assert!(frames(&MediaData::Frames(vec![]), "t", |_| true).is_err());
    }
}
