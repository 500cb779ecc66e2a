//! Where an array's elements sit in a byte buffer: shape, byte strides (possibly negative or zero), item
//! size and the offset of element `(0, ..., 0)`.
//!
//! A [`Layout`] is validated against the buffer it describes once, when it is built: every element lies
//! inside the buffer, with overflow-checked arithmetic. The copy kernels rely on that and never see an
//! out-of-range offset.

use brickwork_core::{Error, Order, Result};

/// A validated strided layout of an array inside a byte buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    shape: Vec<usize>,
    strides: Vec<isize>,
    itemsize: usize,
    offset: usize,
}

impl Layout {
    /// The contiguous layout of `shape` in `order` (`offset` 0). Fails if the byte size overflows.
    pub fn contiguous(shape: &[usize], itemsize: usize, order: Order) -> Result<Self> {
        let strides = contiguous_strides(shape, itemsize, order)?;
        Ok(Layout {
            shape: shape.to_vec(),
            strides,
            itemsize,
            offset: 0,
        })
    }

    /// A strided layout, checked against a buffer of `buffer_len` bytes: every element must lie inside.
    pub fn strided(
        shape: &[usize],
        strides: &[isize],
        itemsize: usize,
        offset: usize,
        buffer_len: usize,
    ) -> Result<Self> {
        if shape.len() != strides.len() {
            return Err(Error::InvalidArray(format!(
                "shape {shape:?} and strides {strides:?} have different lengths"
            )));
        }
        if itemsize == 0 {
            return Err(Error::InvalidArray(
                "the item size must be at least 1 byte".into(),
            ));
        }
        let layout = Layout {
            shape: shape.to_vec(),
            strides: strides.to_vec(),
            itemsize,
            offset,
        };
        if brickwork_core::element_count(shape)? == 0 {
            return Ok(layout);
        }
        let (lo, hi) = layout.byte_span()?;
        if lo < 0 || hi > buffer_len as i128 {
            return Err(Error::InvalidArray(format!(
                "an array of shape {shape:?} with strides {strides:?} at offset {offset} reaches bytes \
                 {lo}..{hi}, outside its buffer of {buffer_len} bytes"
            )));
        }
        Ok(layout)
    }

    /// The lowest and one-past-highest byte an element occupies (i128: cannot overflow for 32 axes).
    fn byte_span(&self) -> Result<(i128, i128)> {
        let mut lo = self.offset as i128;
        let mut hi = self.offset as i128;
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            let reach = (n as i128 - 1) * s as i128;
            if reach < 0 {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        Ok((lo, hi + self.itemsize as i128))
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Byte strides per axis.
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// Bytes per element.
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// Byte offset of element `(0, ..., 0)`.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Byte offset of the element at `index` (which must be inside the shape).
    pub(crate) fn offset_of(&self, index: &[usize]) -> usize {
        let off = index
            .iter()
            .zip(&self.strides)
            .fold(self.offset as isize, |acc, (&i, &s)| acc + i as isize * s);
        off as usize
    }

    /// Whether no two elements share a byte (so writing through this layout is well defined): sorted by
    /// stride magnitude, each axis must step over everything the faster axes cover.
    pub fn is_non_overlapping(&self) -> bool {
        if self.shape.contains(&0) {
            return true; // no elements, whatever the strides say
        }
        let mut dims: Vec<(usize, usize)> = self
            .shape
            .iter()
            .zip(&self.strides)
            .filter(|(&n, _)| n > 1)
            .map(|(&n, &s)| (n, s.unsigned_abs()))
            .collect();
        dims.sort_by_key(|&(_, s)| s);
        let mut covered = self.itemsize;
        for (n, s) in dims {
            if s < covered {
                return false;
            }
            covered = s.saturating_mul(n);
        }
        true
    }

    /// [`Layout::is_non_overlapping`] as the error an output array that breaks it gets.
    pub(crate) fn check_distinct(&self) -> Result<()> {
        if !self.is_non_overlapping() {
            return Err(Error::InvalidArray(
                "the output array has elements that share memory (a broadcast view); pass an array \
                 whose elements are distinct"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The order this layout is contiguous in, if any (C first for 1-D and other ambiguous cases).
    pub fn contiguous_order(&self) -> Option<Order> {
        [Order::C, Order::F].into_iter().find(|&o| {
            contiguous_strides(&self.shape, self.itemsize, o)
                .map(|s| {
                    s.iter()
                        .zip(&self.strides)
                        .zip(&self.shape)
                        .all(|((a, b), &n)| n <= 1 || a == b)
                })
                .unwrap_or(false)
        })
    }
}

/// Byte strides of a contiguous array of `shape` in `order`.
pub fn contiguous_strides(shape: &[usize], itemsize: usize, order: Order) -> Result<Vec<isize>> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = itemsize;
    let axes: Box<dyn Iterator<Item = usize>> = match order {
        Order::C => Box::new((0..shape.len()).rev()),
        Order::F => Box::new(0..shape.len()),
    };
    for a in axes {
        strides[a] = isize::try_from(step).map_err(|_| too_large(shape, itemsize))?;
        step = step
            .checked_mul(shape[a].max(1))
            .ok_or_else(|| too_large(shape, itemsize))?;
    }
    isize::try_from(step).map_err(|_| too_large(shape, itemsize))?;
    Ok(strides)
}

fn too_large(shape: &[usize], itemsize: usize) -> Error {
    Error::InvalidArray(format!(
        "an array of shape {shape:?} with {itemsize}-byte items is larger than this machine can address"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_layouts() {
        let c = Layout::contiguous(&[2, 3, 4], 2, Order::C).unwrap();
        assert_eq!(c.strides(), &[24, 8, 2]);
        let f = Layout::contiguous(&[2, 3, 4], 2, Order::F).unwrap();
        assert_eq!(f.strides(), &[2, 4, 12]);
        assert_eq!(c.contiguous_order(), Some(Order::C));
        assert_eq!(f.contiguous_order(), Some(Order::F));
        assert!(Layout::contiguous(&[usize::MAX / 2, 4], 8, Order::C).is_err());
    }

    #[test]
    fn strided_bounds_are_checked() {
        // A reversed view: offset at the last element, negative stride.
        assert!(Layout::strided(&[4], &[-2], 2, 6, 8).is_ok());
        assert!(Layout::strided(&[4], &[-2], 2, 4, 8).is_err());
        assert!(Layout::strided(&[4], &[2], 2, 2, 8).is_err());
        assert!(Layout::strided(&[0, 4], &[100, 2], 2, 0, 0).is_ok());
        assert!(Layout::strided(&[usize::MAX, 2], &[isize::MAX, 1], 1, 0, 10).is_err());
    }

    #[test]
    fn overlap() {
        assert!(Layout::contiguous(&[3, 4], 4, Order::C)
            .unwrap()
            .is_non_overlapping());
        assert!(!Layout::strided(&[3, 4], &[0, 4], 4, 0, 16)
            .unwrap()
            .is_non_overlapping());
        assert!(Layout::strided(&[3, 4], &[32, 4], 4, 0, 96)
            .unwrap()
            .is_non_overlapping());
        // NumPy gives empty arrays zero strides
        assert!(Layout::strided(&[0, 10, 7], &[0, 0, 0], 2, 0, 0)
            .unwrap()
            .is_non_overlapping());
    }
}
