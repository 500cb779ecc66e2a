//! The chunk grid: how an N-d shape is cut into cutouts, and in which order the cutouts are listed.
//!
//! Rules (fastremap's `tobytes`, generalised):
//! * 1 to [`MAX_NDIM`] axes; every chunk size is at least 1; array sizes may be 0 (then there are no
//!   chunks).
//! * Cutouts are enumerated in **Fortran order over the grid**: the first axis varies fastest. Cutout `i`
//!   has grid coordinates `(i % g0, (i / g0) % g1, ...)`.
//! * [`Edge::Exact`] (fastremap's only mode): a chunk size that does not divide the shape is an error.
//!   [`Edge::Truncate`]: edge cutouts are cut short at the array's end. [`Edge::Pad`]: edge cutouts keep
//!   the full chunk shape and the part outside the array holds a fill value.
//! * Every product (element counts, chunk counts, byte sizes) is checked for overflow before it is used,
//!   so a hostile shape is an error, never a wrapped size.

use brickwork_core::{Error, Result};

pub use crate::rectilinear::Edges;

/// The most axes an array may have (NumPy's limit).
pub const MAX_NDIM: usize = 32;

/// What to do where the chunk shape does not divide the array shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edge {
    /// The chunk shape must divide the shape exactly (fastremap's behaviour).
    #[default]
    Exact,
    /// Edge chunks are cut short at the array's end.
    Truncate,
    /// Edge chunks keep the full chunk shape; the part beyond the array holds the fill value.
    Pad,
}

impl Edge {
    /// Parses Python's `edge=` argument: `None`/`""` → exact, `"truncate"`, `"pad"`.
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s {
            None | Some("") | Some("exact") => Ok(Edge::Exact),
            Some("truncate") => Ok(Edge::Truncate),
            Some("pad") => Ok(Edge::Pad),
            Some(other) => Err(Error::InvalidArray(format!(
                "edge must be None, \"truncate\" or \"pad\", got {other:?}"
            ))),
        }
    }
}

/// How one axis of a chunk grid is cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AxisChunks {
    /// Every chunk this long (a regular grid's axis).
    Regular(usize),
    /// Each chunk its own length (a rectilinear grid's axis).
    Edges(Edges),
}

/// A validated grid of chunks over an array shape: regular (one chunk shape), or rectilinear (Zarr v3's
/// variable chunk grid: per axis, a length for each chunk; see [`ChunkGrid::rectilinear`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkGrid {
    shape: Vec<usize>,
    /// The chunk shape; of a rectilinear grid, the largest chunk length of each axis (over the chunks
    /// that hold part of the array).
    chunk: Vec<usize>,
    /// Per axis, the edges of a rectilinear axis, or `None` for a regular one (of `chunk`'s length).
    edges: Vec<Option<Edges>>,
    grid: Vec<usize>,
    edge: Edge,
    count: usize,
}

impl ChunkGrid {
    /// Validates `shape` and `chunk` and builds the grid.
    pub fn new(shape: &[usize], chunk: &[usize], edge: Edge) -> Result<Self> {
        if shape.is_empty() || shape.len() > MAX_NDIM {
            return Err(Error::InvalidArray(format!(
                "arrays of 1 to {MAX_NDIM} dimensions can be cut into chunks; this one has {}",
                shape.len()
            )));
        }
        if chunk.len() != shape.len() {
            return Err(Error::InvalidArray(format!(
                "the chunk size {chunk:?} has {} dimensions but the array shape {shape:?} has {}",
                chunk.len(),
                shape.len()
            )));
        }
        if let Some(axis) = chunk.iter().position(|&c| c == 0) {
            return Err(Error::InvalidArray(format!(
                "chunk sizes must be at least 1; the chunk size {chunk:?} is 0 along axis {axis}"
            )));
        }
        brickwork_core::element_count(shape)?;
        brickwork_core::element_count(chunk).map_err(|_| {
            Error::InvalidArray(format!(
                "the chunk size {chunk:?} has more elements than can be addressed"
            ))
        })?;
        if edge == Edge::Exact {
            if let Some(axis) = (0..shape.len()).find(|&a| !shape[a].is_multiple_of(chunk[a])) {
                return Err(Error::InvalidArray(format!(
                    "the chunk size {chunk:?} does not divide the shape {shape:?} along axis {axis} \
                     ({} % {} = {}); choose a chunk size that divides the shape, or ask for edge chunks \
                     to be truncated or padded (edge=\"truncate\" / edge=\"pad\")",
                    shape[axis],
                    chunk[axis],
                    shape[axis] % chunk[axis]
                )));
            }
        }
        let grid: Vec<usize> = shape.iter().zip(chunk).map(|(&s, &c)| s.div_ceil(c)).collect();
        // The grid has at most as many cells as the array has elements, so this cannot overflow.
        let count = brickwork_core::element_count(&grid)?;
        Ok(ChunkGrid {
            shape: shape.to_vec(),
            chunk: chunk.to_vec(),
            edges: vec![None; shape.len()],
            grid,
            edge,
            count,
        })
    }

    /// A grid whose axes are each cut as `axes` says (Zarr v3's `rectilinear` chunk grid; a grid whose
    /// axes are all regular is [`ChunkGrid::new`]'s). The edges of an axis must cover the array along
    /// it (they may reach beyond: chunks past the array's end hold nothing); a chunk reaching beyond the
    /// end keeps its whole length, as padded edge chunks do ([`Edge::Pad`]).
    pub fn rectilinear(shape: &[usize], axes: &[AxisChunks]) -> Result<Self> {
        let regular: Vec<usize> = axes
            .iter()
            .map(|a| match a {
                AxisChunks::Regular(n) => *n,
                AxisChunks::Edges(_) => 1,
            })
            .collect();
        let mut grid = ChunkGrid::new(shape, &regular, Edge::Pad)?;
        for (a, axis) in axes.iter().enumerate() {
            let AxisChunks::Edges(edges) = axis else {
                continue;
            };
            if edges.total() < shape[a] {
                return Err(Error::InvalidArray(format!(
                    "the chunk edges of axis {a} add up to {} but the array is {} long along it; the \
                     edges of a rectilinear chunk grid must cover the array",
                    edges.total(),
                    shape[a]
                )));
            }
            grid.grid[a] = edges.active(shape[a]);
            grid.chunk[a] = edges.largest(grid.grid[a]).max(1);
            grid.edges[a] = Some(edges.clone());
        }
        brickwork_core::element_count(&grid.chunk).map_err(|_| {
            Error::InvalidArray(format!(
                "the largest chunk, {:?}, has more elements than can be addressed",
                grid.chunk
            ))
        })?;
        // at most one chunk per element along each axis, so this cannot overflow
        grid.count = brickwork_core::element_count(&grid.grid)?;
        Ok(grid)
    }

    /// Whether every axis is regular (one chunk shape).
    pub fn is_regular(&self) -> bool {
        self.edges.iter().all(Option::is_none)
    }

    /// The edges of axis `a` when it is rectilinear (`None` for a regular axis).
    pub fn edges(&self, a: usize) -> Option<&Edges> {
        self.edges[a].as_ref()
    }

    /// Where chunk `c` along axis `a` starts, and its whole length (it may reach beyond the array).
    pub fn chunk_span(&self, a: usize, c: usize) -> (usize, usize) {
        (self.chunk_start(a, c), self.chunk_len(a, c))
    }

    /// Where chunk `c` along axis `a` starts.
    fn chunk_start(&self, a: usize, c: usize) -> usize {
        match &self.edges[a] {
            Some(e) => e.start(c),
            None => c * self.chunk[a],
        }
    }

    /// The (whole) length of chunk `c` along axis `a`.
    fn chunk_len(&self, a: usize, c: usize) -> usize {
        match &self.edges[a] {
            Some(e) => e.size(c),
            None => self.chunk[a],
        }
    }

    /// The grid coordinate along axis `a` of the chunk that holds position `p` (inside the array).
    pub fn chunk_of(&self, a: usize, p: usize) -> usize {
        match &self.edges[a] {
            Some(e) => e.chunk_at(p),
            None => p / self.chunk[a],
        }
    }

    /// The array shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The (full) chunk shape; of a rectilinear grid, the largest chunk length of each axis (what a
    /// buffer for any one chunk needs).
    pub fn chunk(&self) -> &[usize] {
        &self.chunk
    }

    /// Chunks per axis.
    pub fn grid_shape(&self) -> &[usize] {
        &self.grid
    }

    /// The edge mode.
    pub fn edge(&self) -> Edge {
        self.edge
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of chunks.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the grid has no chunks (some array size is 0).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Grid coordinates of chunk `index` (Fortran order: the first axis varies fastest).
    pub fn coords(&self, index: usize) -> Vec<usize> {
        let mut rest = index;
        self.grid
            .iter()
            .map(|&g| {
                let c = rest % g.max(1);
                rest /= g.max(1);
                c
            })
            .collect()
    }

    /// Index of the chunk at grid coordinates `coords` (the inverse of [`ChunkGrid::coords`]).
    pub fn index(&self, coords: &[usize]) -> usize {
        coords
            .iter()
            .zip(&self.grid)
            .rev()
            .fold(0, |acc, (&c, &g)| acc * g + c)
    }

    /// Every chunk index, ordered so that chunks next to each other in memory come one after the other:
    /// the grid axis with the smallest byte stride (`strides`, the array's) varies fastest.
    ///
    /// The list order of `tobytes` is Fortran order over the grid, which for a C array walks the slowest
    /// memory axis first; chunks that share cache lines (edges narrower than a line) would then be cut
    /// far apart in time and every line fetched twice. Processing in this order and storing each chunk
    /// in its own slot keeps the result identical and the memory traffic minimal.
    pub fn memory_order(&self, strides: &[isize]) -> Vec<usize> {
        let all: Vec<_> = self.grid.iter().map(|&g| 0..g).collect();
        self.memory_order_in(strides, &all)
    }

    /// The indices of the chunks whose grid coordinates lie in `ranges` (one per axis), in the order of
    /// [`ChunkGrid::memory_order`].
    pub fn memory_order_in(&self, strides: &[isize], ranges: &[std::ops::Range<usize>]) -> Vec<usize> {
        let mut axes: Vec<usize> = (0..self.ndim()).collect();
        // Fastest axis first; ties keep the Fortran order of the grid.
        axes.sort_by_key(|&a| strides.get(a).map_or(0, |s| s.unsigned_abs()));
        let count: usize = ranges.iter().map(|r| r.len()).product();
        let mut out = Vec::with_capacity(count);
        let mut coords: Vec<usize> = ranges.iter().map(|r| r.start).collect();
        for _ in 0..count {
            out.push(self.index(&coords));
            for &a in &axes {
                coords[a] += 1;
                if coords[a] < ranges[a].end {
                    break;
                }
                coords[a] = ranges[a].start;
            }
        }
        out
    }

    /// The part of the array chunk `coords` covers: start and extent per axis (cut at the array's end).
    pub fn region(&self, coords: &[usize]) -> (Vec<usize>, Vec<usize>) {
        let start: Vec<usize> = coords
            .iter()
            .enumerate()
            .map(|(a, &c)| self.chunk_start(a, c))
            .collect();
        let extent = (0..coords.len())
            .map(|a| self.chunk_len(a, coords[a]).min(self.shape[a] - start[a]))
            .collect();
        (start, extent)
    }

    /// The shape of the serialized chunk at `coords`: its region for [`Edge::Truncate`], the full chunk
    /// shape otherwise.
    pub fn stored_shape(&self, coords: &[usize]) -> Vec<usize> {
        match self.edge {
            Edge::Truncate => self.region(coords).1,
            Edge::Exact | Edge::Pad => coords
                .iter()
                .enumerate()
                .map(|(a, &c)| self.chunk_len(a, c))
                .collect(),
        }
    }

    /// Elements in the serialized chunk at `coords`.
    pub fn stored_len(&self, coords: &[usize]) -> usize {
        self.stored_shape(coords).iter().product()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fortran_enumeration_and_regions() {
        let g = ChunkGrid::new(&[4, 6, 2], &[2, 3, 2], Edge::Exact).unwrap();
        assert_eq!(g.grid_shape(), &[2, 2, 1]);
        assert_eq!(g.len(), 4);
        assert_eq!(g.coords(0), vec![0, 0, 0]);
        assert_eq!(g.coords(1), vec![1, 0, 0]);
        assert_eq!(g.coords(2), vec![0, 1, 0]);
        for i in 0..g.len() {
            assert_eq!(g.index(&g.coords(i)), i);
        }
        assert_eq!(g.region(&[1, 1, 0]), (vec![2, 3, 0], vec![2, 3, 2]));
    }

    #[test]
    fn memory_order_walks_the_fastest_axis_first() {
        let g = ChunkGrid::new(&[4, 4], &[2, 2], Edge::Exact).unwrap();
        // C strides: the last axis is fastest, so (0,0), (0,1), (1,0), (1,1) = indices 0, 2, 1, 3.
        assert_eq!(g.memory_order(&[4, 1]), vec![0, 2, 1, 3]);
        assert_eq!(g.memory_order(&[1, 4]), vec![0, 1, 2, 3]);
        let mut all = g.memory_order(&[-4, 0]);
        all.sort();
        assert_eq!(all, vec![0, 1, 2, 3]);
        // a box of the grid: grid positions (1..2, 0..2) of a 3x2 grid
        let g = ChunkGrid::new(&[6, 4], &[2, 2], Edge::Exact).unwrap();
        assert_eq!(g.memory_order_in(&[4, 1], &[1..2, 0..2]), vec![1, 4]);
        assert_eq!(g.memory_order_in(&[1, 4], &[1..3, 1..2]), vec![4, 5]);
        assert!(g.memory_order_in(&[1, 4], &[1..1, 0..2]).is_empty());
    }

    #[test]
    fn edges() {
        let e = ChunkGrid::new(&[5, 4], &[2, 4], Edge::Exact)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("does not divide") && e.contains("axis 0") && e.contains("edge="),
            "{e}"
        );
        let t = ChunkGrid::new(&[5, 4], &[2, 4], Edge::Truncate).unwrap();
        assert_eq!(t.grid_shape(), &[3, 1]);
        assert_eq!(t.stored_shape(&[2, 0]), vec![1, 4]);
        let p = ChunkGrid::new(&[5, 4], &[2, 4], Edge::Pad).unwrap();
        assert_eq!(p.stored_shape(&[2, 0]), vec![2, 4]);
        assert_eq!(p.region(&[2, 0]), (vec![4, 0], vec![1, 4]));
    }

    #[test]
    fn hostile_shapes_are_errors() {
        assert!(ChunkGrid::new(&[], &[], Edge::Exact).is_err());
        assert!(ChunkGrid::new(&[4; 33], &[1; 33], Edge::Exact).is_err());
        assert!(ChunkGrid::new(&[4, 4], &[2], Edge::Exact).is_err());
        assert!(ChunkGrid::new(&[4, 4], &[0, 2], Edge::Exact).is_err());
        assert!(ChunkGrid::new(&[usize::MAX, 4], &[1, 1], Edge::Exact).is_err());
        assert!(ChunkGrid::new(&[4, 4], &[usize::MAX, usize::MAX], Edge::Pad).is_err());
        let empty = ChunkGrid::new(&[0, 4], &[3, 2], Edge::Exact).unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn edge_parse() {
        assert_eq!(Edge::parse(None).unwrap(), Edge::Exact);
        assert_eq!(Edge::parse(Some("pad")).unwrap(), Edge::Pad);
        assert!(Edge::parse(Some("wrap"))
            .unwrap_err()
            .to_string()
            .contains("truncate"));
    }
}
