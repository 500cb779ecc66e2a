//! Selections: which elements of an array a partial read or write touches.
//!
//! A [`Selection`] picks, along each axis, `count` indices `start, start + step, …` (NumPy's basic
//! slicing with a positive step; an integer index is a count of 1). Reading a selection from a chunked
//! store decodes only the chunks it touches and copies from each the elements it selects; the
//! destination holds the selection's shape (`count` per axis). Selecting everything
//! ([`Selection::all`]) is how whole arrays are read, so both go through one path.

use std::ops::Range;

use brickwork_core::{Error, Result};

use crate::grid::ChunkGrid;

/// Along each axis, `count` indices from `start` in steps of `step` (validated against a shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    start: Vec<usize>,
    count: Vec<usize>,
    step: Vec<usize>,
}

impl Selection {
    /// Every element of an array of `shape`.
    pub fn all(shape: &[usize]) -> Self {
        Selection {
            start: vec![0; shape.len()],
            count: shape.to_vec(),
            step: vec![1; shape.len()],
        }
    }

    /// Validates a selection of an array of `shape`: one `start`, `count` and `step` per axis, steps of
    /// at least 1, and every selected index inside the shape.
    pub fn new(shape: &[usize], start: &[usize], count: &[usize], step: &[usize]) -> Result<Self> {
        if start.len() != shape.len() || count.len() != shape.len() || step.len() != shape.len() {
            return Err(Error::InvalidArray(format!(
                "a selection of an array with {} dimensions needs {0} starts, counts and steps; got {}, {} \
                 and {}",
                shape.len(),
                start.len(),
                count.len(),
                step.len()
            )));
        }
        for a in 0..shape.len() {
            if step[a] == 0 {
                return Err(Error::InvalidArray(format!(
                    "the selection's step along axis {a} is 0; steps must be at least 1"
                )));
            }
            if count[a] == 0 {
                if start[a] > shape[a] {
                    return Err(Error::InvalidArray(format!(
                        "the selection starts at {} along axis {a}, beyond the array's length {}",
                        start[a], shape[a]
                    )));
                }
                continue;
            }
            let last = (count[a] - 1)
                .checked_mul(step[a])
                .and_then(|n| n.checked_add(start[a]));
            if last.is_none_or(|last| last >= shape[a]) {
                return Err(Error::InvalidArray(format!(
                    "the selection {}..{} (step {}) along axis {a} reaches beyond the array's length {}",
                    start[a],
                    start[a] as u128 + count[a] as u128 * step[a] as u128,
                    step[a],
                    shape[a]
                )));
            }
        }
        Ok(Selection {
            start: start.to_vec(),
            count: count.to_vec(),
            step: step.to_vec(),
        })
    }

    /// The shape of what is selected (the destination's shape).
    pub fn shape(&self) -> &[usize] {
        &self.count
    }

    /// The first selected index per axis.
    pub fn start(&self) -> &[usize] {
        &self.start
    }

    /// The step per axis.
    pub fn step(&self) -> &[usize] {
        &self.step
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.count.len()
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.count.contains(&0)
    }

    /// Along `axis`, the selection positions `k` whose array index `start + k·step` lies in `lo..hi`.
    pub(crate) fn span(&self, axis: usize, lo: usize, hi: usize) -> Range<usize> {
        let (start, step, count) = (self.start[axis], self.step[axis], self.count[axis]);
        let first = |i: usize| i.saturating_sub(start).div_ceil(step).min(count);
        let k0 = first(lo);
        let k1 = if hi <= start { 0 } else { first(hi) };
        k0..k1.max(k0)
    }

    /// Per axis, the grid coordinates of the chunks that hold the first to the last selected index
    /// (empty ranges when nothing is selected). With steps longer than a chunk some of them hold none:
    /// see [`Selection::touches`].
    pub(crate) fn chunk_ranges(&self, grid: &ChunkGrid) -> Vec<Range<usize>> {
        (0..self.ndim())
            .map(|a| {
                if self.is_empty() {
                    return 0..0;
                }
                let c = grid.chunk()[a];
                let last = self.start[a] + (self.count[a] - 1) * self.step[a];
                self.start[a] / c..last / c + 1
            })
            .collect()
    }

    /// The indices of the chunks of `grid` that hold a selected element, in the order of
    /// [`ChunkGrid::memory_order`] for an array with byte `strides`.
    pub(crate) fn touched_chunks(&self, grid: &ChunkGrid, strides: &[isize]) -> Vec<usize> {
        grid.memory_order_in(strides, &self.chunk_ranges(grid))
            .into_iter()
            .filter(|&i| self.touches(grid, &grid.coords(i)))
            .collect()
    }

    /// Whether every element of the chunk of `grid` at `coords` (inside the array) is selected.
    pub(crate) fn covers(&self, grid: &ChunkGrid, coords: &[usize]) -> bool {
        let (start, extent) = grid.region(coords);
        (0..self.ndim()).all(|a| self.span(a, start[a], start[a] + extent[a]).len() == extent[a])
    }

    /// Whether the chunk of `grid` at `coords` holds a selected element.
    pub(crate) fn touches(&self, grid: &ChunkGrid, coords: &[usize]) -> bool {
        let (start, extent) = grid.region(coords);
        (0..self.ndim()).all(|a| !self.span(a, start[a], start[a] + extent[a]).is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Edge;

    #[test]
    fn validation() {
        assert!(Selection::new(&[10], &[0], &[10], &[1]).is_ok());
        assert!(Selection::new(&[10], &[9], &[1], &[5]).is_ok());
        assert!(Selection::new(&[10], &[10], &[0], &[1]).is_ok());
        for (start, count, step, says) in [
            (0, 11, 1, "reaches beyond"),
            (1, 4, 3, "reaches beyond"),
            (0, 2, 0, "step"),
            (11, 0, 1, "beyond the array's length"),
            (1, usize::MAX, usize::MAX, "reaches beyond"),
        ] {
            let e = Selection::new(&[10], &[start], &[count], &[step]).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
        let e = Selection::new(&[10, 2], &[0], &[1], &[1]).unwrap_err();
        assert!(e.to_string().contains("2 dimensions"), "{e}");
    }

    #[test]
    fn spans_and_chunks() {
        // indices 3, 7, 11, 15, 19 of a length-20 axis in chunks of 5
        let sel = Selection::new(&[20], &[3], &[5], &[4]).unwrap();
        let grid = ChunkGrid::new(&[20], &[5], Edge::Pad).unwrap();
        assert_eq!(sel.chunk_ranges(&grid), vec![0..4]);
        let spans: Vec<_> = (0..4).map(|g| sel.span(0, g * 5, g * 5 + 5)).collect();
        assert_eq!(spans, vec![0..1, 1..2, 2..3, 3..5]);
        // a step longer than the chunk skips chunks
        let sel = Selection::new(&[20], &[1], &[2], &[12]).unwrap();
        let touched: Vec<bool> = (0..4).map(|g| sel.touches(&grid, &[g])).collect();
        assert_eq!(touched, vec![true, false, true, false]);
        let sel = Selection::new(&[20], &[5], &[12], &[1]).unwrap();
        let covered: Vec<bool> = (0..4).map(|g| sel.covers(&grid, &[g])).collect();
        assert_eq!(covered, vec![false, true, true, false]);
        assert!(Selection::all(&[20]).covers(&grid, &[3]));
        assert_eq!(Selection::all(&[0]).chunk_ranges(&grid), vec![0..0]);
    }
}
