//! Pixel plumbing shared by the format files: splitting [`MediaData`] into frames the way imageio's
//! pillow plugin does, normalising arrays to C order and little-endian bytes, and stacking decoded frames.
//!
//! imageio's batch rule (pillow plugin `write`, `is_batch=None`): a list is always a batch; a 2-D array
//! is one gray image; a 3-D array whose last axis is 2, 3 or 4 is one image with channels (one channel
//! is an error); any other 3-D array is a batch of gray images; a 4-D array is a batch of images.

use std::borrow::Cow;

use brickwork_core::{ArrayBuf, ArrayView, DType, Endian, Kind, Order};

use crate::{MediaData, MediaError, Result};

/// One image ready for an encoder: `h × w × c` samples in C order, little-endian.
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    /// Rows.
    pub h: usize,
    /// Columns.
    pub w: usize,
    /// Channels: 1 (gray, from a 2-D array), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
    pub c: usize,
    /// The sample type, little-endian.
    pub dtype: DType,
    /// `h * w * c * itemsize` bytes.
    pub data: Cow<'a, [u8]>,
}

/// The dtype of `kind` and `size` bytes in little-endian order (infallible for the numeric kinds used here).
pub fn dtype(kind: Kind, size: usize) -> DType {
    DType::new(kind, size, Endian::Little).unwrap_or(DType::U8)
}

/// `|u1`.
pub fn u8_dtype() -> DType {
    DType::U8
}

/// `<u2`.
pub fn u16_dtype() -> DType {
    dtype(Kind::UInt, 2)
}

/// `|b1`.
pub fn bool_dtype() -> DType {
    dtype(Kind::Bool, 1)
}

/// A short NumPy-style name for messages (`uint8`, `float32`, `bool`).
pub fn dtype_name(d: DType) -> String {
    let bits = d.itemsize() * 8;
    match d.kind() {
        Kind::Bool => "bool".into(),
        Kind::UInt => format!("uint{bits}"),
        Kind::Int => format!("int{bits}"),
        Kind::Float => format!("float{bits}"),
        Kind::Complex => format!("complex{bits}"),
        _ => d.to_string(),
    }
}

/// The bytes of `a` in C order and little-endian, borrowing when they already are.
pub fn c_order_le(a: &ArrayBuf) -> Result<Cow<'_, [u8]>> {
    c_order_le_view(&a.view())
}

/// [`c_order_le`] for a borrowed array: the result borrows the caller's buffer when no reordering or
/// byte swap is needed.
pub fn c_order_le_view<'a>(a: &ArrayView<'a>) -> Result<Cow<'a, [u8]>> {
    let data: &'a [u8] = a.data();
    let item = a.dtype().itemsize();
    let needs_transpose = a.order() == Order::F && a.shape().iter().filter(|&&d| d > 1).count() > 1;
    let needs_swap = a.dtype().is_big_endian() && item > 1;
    if !needs_transpose && !needs_swap {
        return Ok(Cow::Borrowed(data));
    }
    let mut out = if needs_transpose {
        f_to_c(data, a.shape(), item)
    } else {
        data.to_vec()
    };
    if needs_swap {
        let n = match a.dtype().kind() {
            Kind::Complex => item / 2,
            _ => item,
        };
        for chunk in out.chunks_exact_mut(n) {
            chunk.reverse();
        }
    }
    Ok(Cow::Owned(out))
}

/// Reorders a Fortran-order buffer into C order.
fn f_to_c(data: &[u8], shape: &[usize], item: usize) -> Vec<u8> {
    let n: usize = shape.iter().product();
    let mut out = vec![0u8; data.len()];
    // F strides (in items) of each axis.
    let mut fstride = vec![1usize; shape.len()];
    for i in 1..shape.len() {
        fstride[i] = fstride[i - 1] * shape[i - 1];
    }
    let mut idx = vec![0usize; shape.len()];
    for ci in 0..n {
        let fi: usize = idx.iter().zip(&fstride).map(|(i, s)| i * s).sum();
        if let (Some(dst), Some(src)) = (
            out.get_mut(ci * item..(ci + 1) * item),
            data.get(fi * item..(fi + 1) * item),
        ) {
            dst.copy_from_slice(src);
        }
        for ax in (0..shape.len()).rev() {
            idx[ax] += 1;
            if idx[ax] < shape[ax] {
                break;
            }
            idx[ax] = 0;
        }
    }
    out
}

fn encode_err(format: &'static str, reason: impl Into<String>) -> MediaError {
    MediaError::Encode {
        format,
        reason: reason.into(),
    }
}

fn frame_from<'a>(
    shape: &[usize],
    dtype: DType,
    data: Cow<'a, [u8]>,
    format: &'static str,
) -> Result<Frame<'a>> {
    match *shape {
        [h, w] => Ok(Frame {
            h,
            w,
            c: 1,
            dtype,
            data,
        }),
        [h, w, c] if (2..=4).contains(&c) => Ok(Frame { h, w, c, dtype, data }),
        [_, _, 1] => Err(encode_err(
            format,
            "an image with one color channel (H, W, 1) cannot be written; drop the last axis to write (H, W) gray",
        )),
        _ => Err(encode_err(
            format,
            format!("a frame of shape {shape:?} is not (H, W), (H, W, 2), (H, W, 3) or (H, W, 4)"),
        )),
    }
}

/// Splits media data into frames by imageio's batch rule (see the module docs).
///
/// Returns the frames and whether the data was a batch (a list, an `(N, H, W)` or an `(N, H, W, C)`
/// array), which decides e.g. whether GIF or PNG write an animation.
pub fn frames<'a>(data: &'a MediaData, format: &'static str) -> Result<(Vec<Frame<'a>>, bool)> {
    match data {
        MediaData::Array(a) => {
            let bytes = c_order_le(a)?;
            let dtype = a.dtype().to_little_endian();
            let shape = a.shape();
            let batch = match shape.len() {
                2 => false,
                3 => !(2..=4).contains(&shape[2]) && shape[2] != 1,
                4 => true,
                n => {
                    return Err(encode_err(
                        format,
                        format!(
                        "an array of {n} dimensions (shape {shape:?}) is not an image or a stack of images"
                    ),
                    ))
                }
            };
            if !batch {
                return Ok((vec![frame_from(shape, dtype, bytes, format)?], false));
            }
            let n = shape[0];
            let inner = &shape[1..];
            if n == 0 {
                return Err(encode_err(format, "an empty stack of frames cannot be written"));
            }
            let per = bytes.len() / n;
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let slice: Cow<'a, [u8]> = match &bytes {
                    Cow::Borrowed(b) => Cow::Borrowed(&b[i * per..(i + 1) * per]),
                    Cow::Owned(b) => Cow::Owned(b[i * per..(i + 1) * per].to_vec()),
                };
                out.push(frame_from(inner, dtype, slice, format)?);
            }
            Ok((out, true))
        }
        MediaData::Frames(list) => {
            let first = list
                .first()
                .ok_or_else(|| encode_err(format, "an empty list of frames cannot be written"))?;
            let mut out = Vec::with_capacity(list.len());
            for (i, a) in list.iter().enumerate() {
                if a.shape() != first.shape()
                    || a.dtype().to_little_endian() != first.dtype().to_little_endian()
                {
                    return Err(encode_err(
                        format,
                        format!(
                            "frame {i} is {} {:?} but frame 0 is {} {:?}; all frames need one shape and dtype",
                            dtype_name(a.dtype()),
                            a.shape(),
                            dtype_name(first.dtype()),
                            first.shape()
                        ),
                    ));
                }
                out.push(frame_from(
                    a.shape(),
                    a.dtype().to_little_endian(),
                    c_order_le(a)?,
                    format,
                )?);
            }
            Ok((out, true))
        }
    }
}

/// Checks that every frame has a dtype among `allowed`, naming what is accepted otherwise.
pub fn require_dtype(frames: &[Frame<'_>], allowed: &[DType], format: &'static str) -> Result<DType> {
    let d = frames.first().map(|f| f.dtype).unwrap_or(DType::U8);
    if allowed.contains(&d) {
        return Ok(d);
    }
    let names: Vec<String> = allowed.iter().map(|a| dtype_name(*a)).collect();
    Err(encode_err(
        format,
        format!(
            "{} pixels are not supported; {format} takes {}",
            dtype_name(d),
            names.join(", ")
        ),
    ))
}

/// Refuses a batch of more than one frame for single-image formats.
pub fn single(frames: &[Frame<'_>], format: &'static str) -> Result<()> {
    if frames.len() != 1 {
        return Err(encode_err(
            format,
            format!(
                "{} frames were given but {format} holds a single image",
                frames.len()
            ),
        ));
    }
    Ok(())
}

/// Stacks decoded frames (each `frame_shape`) into one array, with a leading frame axis when `batch`.
pub fn stack(frames: Vec<Vec<u8>>, dtype: DType, frame_shape: &[usize], batch: bool) -> Result<ArrayBuf> {
    let mut shape = Vec::with_capacity(frame_shape.len() + 1);
    if batch {
        shape.push(frames.len());
    }
    shape.extend_from_slice(frame_shape);
    let data = if frames.len() == 1 {
        frames.into_iter().next().unwrap_or_default()
    } else {
        frames.concat()
    };
    Ok(ArrayBuf::new(data, dtype, shape, Order::C)?)
}

/// The shape of one decoded image: `(h, w)` for one channel, `(h, w, c)` otherwise.
pub fn image_shape(h: usize, w: usize, c: usize) -> Vec<usize> {
    if c == 1 {
        vec![h, w]
    } else {
        vec![h, w, c]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fortran_arrays_are_reordered() {
        // 2x3 u8 in F order: columns stored first.
        let a = ArrayBuf::new(vec![1, 4, 2, 5, 3, 6], DType::U8, vec![2, 3], Order::F).unwrap();
        assert_eq!(&*c_order_le(&a).unwrap(), &[1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn big_endian_is_swapped() {
        let be = DType::parse(">u2").unwrap();
        let a = ArrayBuf::new(vec![1, 2], be, vec![1, 1], Order::C).unwrap();
        assert_eq!(&*c_order_le(&a).unwrap(), &[2, 1]);
    }

    #[test]
    fn batch_rule_follows_imageio() {
        let img = |shape: Vec<usize>| {
            let n: usize = shape.iter().product();
            MediaData::Array(ArrayBuf::new(vec![0; n], DType::U8, shape, Order::C).unwrap())
        };
        assert!(!frames(&img(vec![4, 5]), "x").unwrap().1);
        assert!(!frames(&img(vec![4, 5, 3]), "x").unwrap().1);
        assert_eq!(frames(&img(vec![6, 4, 5]), "x").unwrap().0.len(), 6);
        assert_eq!(frames(&img(vec![2, 4, 5, 3]), "x").unwrap().0.len(), 2);
        let e = frames(&img(vec![4, 5, 1]), "x").unwrap_err().to_string();
        assert!(e.contains("one color channel"), "{e}");
    }
}
