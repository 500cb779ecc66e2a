//! Arrays as codecs see them: contiguous bytes in memory order, a dtype, a shape and the memory order.
//!
//! numcodecs flattens every contiguous input in memory order (`reshape(-1, order='A')`), so a codec only
//! ever needs the raw bytes; the dtype, shape and order ride along for the codecs that use them (Blosc's
//! typesize, the typed filters, pcodec, zfpy).

use crate::dtype::DType;
use crate::error::{Error, Result};

/// Memory order of a contiguous array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Order {
    /// Row-major: the last axis varies fastest.
    #[default]
    C,
    /// Column-major: the first axis varies fastest.
    F,
}

impl Order {
    /// Parses `"C"` or `"F"` (case-sensitive, as NumPy and fastremap).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "C" => Ok(Order::C),
            "F" => Ok(Order::F),
            other => Err(Error::InvalidArray(format!(
                "order must be \"C\" or \"F\", got {other:?}"
            ))),
        }
    }

    /// `"C"` or `"F"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Order::C => "C",
            Order::F => "F",
        }
    }
}

/// The number of elements of `shape`, or an error if the product overflows.
pub fn element_count(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            Error::InvalidArray(format!(
                "the shape {shape:?} has more elements than this machine can address"
            ))
        })
}

/// A borrowed contiguous array.
#[derive(Debug, Clone)]
pub struct ArrayView<'a> {
    data: &'a [u8],
    dtype: DType,
    shape: Vec<usize>,
    order: Order,
}

impl<'a> ArrayView<'a> {
    /// A view of `data` as an array; `data.len()` must equal the element count times the item size.
    pub fn new(data: &'a [u8], dtype: DType, shape: Vec<usize>, order: Order) -> Result<Self> {
        let n = element_count(&shape)?;
        let expected = n.checked_mul(dtype.itemsize()).ok_or_else(|| {
            Error::InvalidArray(format!(
                "the shape {shape:?} of {dtype} is larger than this machine can address"
            ))
        })?;
        if expected != data.len() {
            return Err(Error::InvalidArray(format!(
                "a {shape:?} array of {dtype} needs {expected} bytes, got {}",
                data.len()
            )));
        }
        Ok(ArrayView {
            data,
            dtype,
            shape,
            order,
        })
    }

    /// Raw bytes as a 1-D `|u1` array, as numcodecs sees `bytes` input.
    pub fn from_bytes(data: &'a [u8]) -> Self {
        ArrayView {
            data,
            dtype: DType::U8,
            shape: vec![data.len()],
            order: Order::C,
        }
    }

    /// The bytes in memory order.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The memory order.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// An owned contiguous array, what a codec's decode returns.
///
/// Byte codecs return `|u1` arrays of one dimension; typed codecs return their dtype, and the codecs that
/// store a shape (json2, msgpack2, zfpy) return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayBuf {
    data: Vec<u8>,
    dtype: DType,
    shape: Vec<usize>,
    order: Order,
}

impl ArrayBuf {
    /// An owned array; `data.len()` must match the shape and dtype.
    pub fn new(data: Vec<u8>, dtype: DType, shape: Vec<usize>, order: Order) -> Result<Self> {
        ArrayView::new(&data, dtype, shape.clone(), order)?;
        Ok(ArrayBuf {
            data,
            dtype,
            shape,
            order,
        })
    }

    /// Raw bytes as a 1-D `|u1` array.
    pub fn from_bytes(data: Vec<u8>) -> Self {
        let shape = vec![data.len()];
        ArrayBuf {
            data,
            dtype: DType::U8,
            shape,
            order: Order::C,
        }
    }

    /// A 1-D array of `dtype`; the byte count must be a multiple of the item size.
    pub fn from_vec_1d(data: Vec<u8>, dtype: DType) -> Result<Self> {
        let size = dtype.itemsize();
        if size == 0 || !data.len().is_multiple_of(size) {
            return Err(Error::InvalidArray(format!(
                "{} bytes are not a whole number of {dtype} items",
                data.len()
            )));
        }
        let shape = vec![data.len() / size];
        Ok(ArrayBuf {
            data,
            dtype,
            shape,
            order: Order::C,
        })
    }

    /// Borrows this array as a view.
    pub fn view(&self) -> ArrayView<'_> {
        ArrayView {
            data: &self.data,
            dtype: self.dtype,
            shape: self.shape.clone(),
            order: self.order,
        }
    }

    /// The bytes in memory order.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Takes the bytes.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The memory order.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_checks_sizes() {
        let f8 = DType::parse("<f8").unwrap();
        assert!(ArrayView::new(&[0u8; 16], f8, vec![2], Order::C).is_ok());
        assert!(ArrayView::new(&[0u8; 15], f8, vec![2], Order::C).is_err());
        let e = ArrayView::new(&[], f8, vec![usize::MAX, 3], Order::C).unwrap_err();
        assert!(e.to_string().contains("address"), "{e}");
    }

    #[test]
    fn order_parses_strictly() {
        assert_eq!(Order::parse("F").unwrap(), Order::F);
        assert!(Order::parse("c").is_err());
    }
}
