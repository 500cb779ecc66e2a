//! Selections: which elements of an array a partial read or write touches.
//!
//! A [`Selection`] picks, along each axis independently, either `count` indices `start, start + step,
//! …` (NumPy's basic slicing with a positive step; an integer index is a count of 1) or a list of
//! strictly increasing indices (an orthogonal selection, zarr-python's `oindex`): the selected elements
//! are every combination of one index per axis. Reading a selection from a chunked store decodes only
//! the chunks it touches and copies from each the elements it selects; the destination holds the
//! selection's shape (the number of indices per axis). Selecting everything ([`Selection::all`]) is how
//! whole arrays are read, so all reads go through one path.

use std::ops::Range;

use brickwork_core::{Error, Result};

use crate::grid::ChunkGrid;

/// The indices one axis of a [`Selection`] picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Indices {
    /// `count` indices from `start` in steps of `step` (at least 1).
    Range {
        /// The first index.
        start: usize,
        /// How many.
        count: usize,
        /// The distance between two (at least 1).
        step: usize,
    },
    /// Strictly increasing indices.
    List(Vec<usize>),
}

impl Indices {
    /// How many indices.
    pub fn len(&self) -> usize {
        match self {
            Indices::Range { count, .. } => *count,
            Indices::List(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the indices against an axis of length `len` (`axis` names it in errors).
    fn check(&self, axis: usize, len: usize) -> Result<()> {
        match *self {
            Indices::Range { step: 0, .. } => Err(Error::InvalidArray(format!(
                "the selection's step along axis {axis} is 0; steps must be at least 1"
            ))),
            Indices::Range { start, count: 0, .. } if start > len => Err(Error::InvalidArray(format!(
                "the selection starts at {start} along axis {axis}, beyond the array's length {len}"
            ))),
            Indices::Range { count: 0, .. } => Ok(()),
            Indices::Range { start, count, step } => {
                let last = (count - 1).checked_mul(step).and_then(|n| n.checked_add(start));
                if last.is_none_or(|last| last >= len) {
                    return Err(Error::InvalidArray(format!(
                        "the selection {start}..{} (step {step}) along axis {axis} reaches beyond the \
                         array's length {len}",
                        start as u128 + count as u128 * step as u128,
                    )));
                }
                Ok(())
            }
            Indices::List(ref v) => {
                if let Some(k) = v.windows(2).position(|w| w[0] >= w[1]) {
                    return Err(Error::InvalidArray(format!(
                        "the selection's indices along axis {axis} must be strictly increasing; \
                         {} follows {} at position {}",
                        v[k + 1],
                        v[k],
                        k + 1
                    )));
                }
                match v.last() {
                    Some(&last) if last >= len => Err(Error::InvalidArray(format!(
                        "the selection's index {last} along axis {axis} is beyond the array's length {len}"
                    ))),
                    _ => Ok(()),
                }
            }
        }
    }

    /// The index at selection position `k` (below [`Indices::len`]).
    pub(crate) fn at(&self, k: usize) -> usize {
        match self {
            Indices::Range { start, step, .. } => start + k * step,
            Indices::List(v) => v[k],
        }
    }
}

/// An arithmetic run of selected indices along one axis: selection positions `k..k + count` pick the
/// array indices `index, index + step, …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    pub k: usize,
    pub count: usize,
    pub index: usize,
    pub step: usize,
}

/// Per axis, the indices to pick (validated against a shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    axes: Vec<Indices>,
    shape: Vec<usize>,
}

impl Selection {
    /// Every element of an array of `shape`.
    pub fn all(shape: &[usize]) -> Self {
        let axes = shape
            .iter()
            .map(|&n| Indices::Range {
                start: 0,
                count: n,
                step: 1,
            })
            .collect();
        Selection {
            axes,
            shape: shape.to_vec(),
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
        let axes = (0..shape.len())
            .map(|a| Indices::Range {
                start: start[a],
                count: count[a],
                step: step[a],
            })
            .collect();
        Self::of(shape, axes)
    }

    /// Validates a selection of an array of `shape` given as the indices of each axis.
    pub fn of(shape: &[usize], axes: Vec<Indices>) -> Result<Self> {
        let sel = Selection {
            shape: axes.iter().map(Indices::len).collect(),
            axes,
        };
        sel.check(shape)?;
        Ok(sel)
    }

    /// Checks that the selection fits an array of `shape`.
    pub fn check(&self, shape: &[usize]) -> Result<()> {
        if self.axes.len() != shape.len() {
            return Err(Error::InvalidArray(format!(
                "a selection of an array with {} dimensions needs indices for {0} axes; got {}",
                shape.len(),
                self.axes.len()
            )));
        }
        (0..shape.len()).try_for_each(|a| self.axes[a].check(a, shape[a]))
    }

    /// The shape of what is selected (the destination's shape).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The indices of each axis.
    pub fn axes(&self) -> &[Indices] {
        &self.axes
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.axes.len()
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.shape.contains(&0)
    }

    /// Along `axis`, the selection positions `k` whose array index lies in `lo..hi`.
    pub(crate) fn span(&self, axis: usize, lo: usize, hi: usize) -> Range<usize> {
        match &self.axes[axis] {
            &Indices::Range { start, count, step } => {
                let first = |i: usize| i.saturating_sub(start).div_ceil(step).min(count);
                let k0 = first(lo);
                let k1 = if hi <= start { 0 } else { first(hi) };
                k0..k1.max(k0)
            }
            Indices::List(v) => {
                let k0 = v.partition_point(|&i| i < lo);
                k0..v.partition_point(|&i| i < hi).max(k0)
            }
        }
    }

    /// Along `axis`, the selected indices in `lo..hi` as arithmetic runs (one for a range).
    pub(crate) fn runs(&self, axis: usize, lo: usize, hi: usize) -> Vec<Run> {
        let span = self.span(axis, lo, hi);
        match &self.axes[axis] {
            &Indices::Range { start, step, .. } => vec![Run {
                k: span.start,
                count: span.len(),
                index: start + span.start * step,
                step,
            }],
            Indices::List(v) => {
                let mut runs: Vec<Run> = Vec::new();
                for k in span {
                    match runs.last_mut() {
                        Some(r) if r.count == 1 => {
                            r.step = v[k] - r.index;
                            r.count = 2;
                        }
                        Some(r) if r.index + r.count * r.step == v[k] => r.count += 1,
                        _ => runs.push(Run {
                            k,
                            count: 1,
                            index: v[k],
                            step: 1,
                        }),
                    }
                }
                runs
            }
        }
    }

    /// Per axis, the grid coordinates of the chunks that hold the first to the last selected index
    /// (empty ranges when nothing is selected). With steps longer than a chunk, or lists, some of them
    /// hold none: see [`Selection::touches`].
    pub(crate) fn chunk_ranges(&self, grid: &ChunkGrid) -> Vec<Range<usize>> {
        (0..self.ndim())
            .map(|a| {
                if self.is_empty() {
                    return 0..0;
                }
                let (first, last) = (self.axes[a].at(0), self.axes[a].at(self.shape[a] - 1));
                grid.chunk_of(a, first)..grid.chunk_of(a, last) + 1
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

    #[test]
    fn lists_of_indices() {
        let list = |v: &[usize]| Selection::of(&[20], vec![Indices::List(v.to_vec())]);
        for (v, says) in [
            (&[3, 3][..], "strictly increasing; 3 follows 3 at position 1"),
            (&[5, 2], "2 follows 5"),
            (&[0, 20], "index 20 along axis 0 is beyond"),
        ] {
            let e = list(v).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
        let sel = list(&[0, 1, 2, 7, 9, 11, 12, 19]).unwrap();
        assert_eq!(sel.shape(), &[8]);
        let grid = ChunkGrid::new(&[20], &[5], Edge::Pad).unwrap();
        assert_eq!(sel.chunk_ranges(&grid), vec![0..4]);
        let spans: Vec<_> = (0..4).map(|g| sel.span(0, g * 5, g * 5 + 5)).collect();
        assert_eq!(spans, vec![0..3, 3..5, 5..7, 7..8]);
        let run = |k, count, index, step| Run {
            k,
            count,
            index,
            step,
        };
        assert_eq!(
            sel.runs(0, 0, 20),
            vec![run(0, 3, 0, 1), run(3, 3, 7, 2), run(6, 2, 12, 7)]
        );
        assert_eq!(sel.runs(0, 5, 10), vec![run(3, 2, 7, 2)]);
        assert!(sel.runs(0, 13, 19).is_empty());
        let touched: Vec<bool> = (0..4).map(|g| sel.touches(&grid, &[g])).collect();
        assert_eq!(touched, vec![true, true, true, true]);
        assert!(list(&[0, 1, 2, 3, 4]).unwrap().covers(&grid, &[0]));
        assert!(!list(&[0, 1, 2, 4]).unwrap().covers(&grid, &[0]));
        assert!(list(&[]).unwrap().is_empty());
    }
}
