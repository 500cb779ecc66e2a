//! Coordinate selections (zarr-python's `vindex`, `get_coordinate_selection`, mask selections): single
//! elements named by their coordinates, in any order, read and written.
//!
//! The points are grouped by the chunk that holds them (the inner chunk, for a sharded array), so each
//! chunk is decoded once however many points it holds, chunks in parallel; a write reads, edits and
//! rewrites each touched chunk once (of a shard, only the touched inner chunks).

use std::ops::Range;

use brickwork_core::{Error, Order, Result};
use rayon::prelude::*;

use super::{Edit, ZarrArray};
use crate::encode::fetch_chunk;
use crate::grid::ChunkGrid;
use crate::layout::{contiguous_strides, Layout};
use crate::parallel::{self, CODEC_BYTES_PER_THREAD};

/// Validated coordinates, grouped by the chunk of a grid that holds them.
struct Points<'a> {
    /// `n` points, `ndim` coordinates each, one point after the other.
    coords: &'a [usize],
    ndim: usize,
    /// `(chunk index, point number)` sorted by chunk, then point (so the later of two writes to one
    /// element wins, as in NumPy).
    by_chunk: Vec<(usize, usize)>,
    /// The runs of `by_chunk` with one chunk each.
    groups: Vec<Range<usize>>,
}

impl<'a> Points<'a> {
    /// Checks `coords` (`ndim` per point) against `grid`'s shape and groups them by its chunks.
    fn new(coords: &'a [usize], grid: &ChunkGrid) -> Result<Self> {
        let shape = grid.shape();
        let ndim = shape.len();
        if ndim == 0 || !coords.len().is_multiple_of(ndim) {
            return Err(Error::InvalidArray(format!(
                "coordinates of an array with {ndim} dimensions come {ndim} per point; got {} numbers",
                coords.len()
            )));
        }
        let mut by_chunk = Vec::with_capacity(coords.len() / ndim);
        let mut chunk_of = vec![0usize; ndim];
        for (j, p) in coords.chunks_exact(ndim).enumerate() {
            if let Some(a) = (0..ndim).find(|&a| p[a] >= shape[a]) {
                return Err(Error::InvalidArray(format!(
                    "point {j} {p:?} is outside the array (shape {shape:?}) along axis {a}"
                )));
            }
            for a in 0..ndim {
                chunk_of[a] = grid.chunk_of(a, p[a]);
            }
            by_chunk.push((grid.index(&chunk_of), j));
        }
        by_chunk.sort_unstable();
        let mut groups: Vec<Range<usize>> = Vec::new();
        for (m, &(i, _)) in by_chunk.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if by_chunk[g.start].0 == i => g.end = m + 1,
                _ => groups.push(m..m + 1),
            }
        }
        Ok(Points {
            coords,
            ndim,
            by_chunk,
            groups,
        })
    }

    /// The chunk index of a group.
    fn chunk(&self, g: &Range<usize>) -> usize {
        self.by_chunk[g.start].0
    }

    /// The group of the chunk at `coords` of `grid`, if any.
    fn group(&self, grid: &ChunkGrid, coords: &[usize]) -> Option<&Range<usize>> {
        let i = grid.index(coords);
        self.groups
            .binary_search_by_key(&i, |g| self.chunk(g))
            .ok()
            .map(|k| &self.groups[k])
    }

    /// For each point of a group: its number and the byte offset of its element in the stored chunk
    /// at `coords` of `grid` (in `order`, `isz`-byte items).
    fn offsets(
        &self,
        g: &Range<usize>,
        grid: &ChunkGrid,
        coords: &[usize],
        order: Order,
        isz: usize,
    ) -> Result<Vec<(usize, usize)>> {
        let (start, _) = grid.region(coords);
        let strides = contiguous_strides(&grid.stored_shape(coords), isz, order)?;
        Ok(self.by_chunk[g.clone()]
            .iter()
            .map(|&(_, j)| {
                let p = &self.coords[j * self.ndim..][..self.ndim];
                let at = (0..self.ndim)
                    .map(|a| (p[a] - start[a]) * strides[a] as usize)
                    .sum();
                (j, at)
            })
            .collect())
    }
}

/// Writes of points: the value of point `j` is the `j`-th item of `src` (laid out as `layout`, shape
/// `[n]`).
struct PointValues<'a> {
    points: Points<'a>,
    src: &'a [u8],
    layout: &'a Layout,
}

impl Edit for PointValues<'_> {
    fn touches(&self, grid: &ChunkGrid, coords: &[usize]) -> bool {
        self.points.group(grid, coords).is_some()
    }

    fn covers(&self, _: &ChunkGrid, _: &[usize]) -> bool {
        // points rarely cover a chunk; one that is covered is read needlessly but written right
        false
    }

    fn apply(&self, grid: &ChunkGrid, coords: &[usize], order: Order, chunk: &mut [u8]) -> Result<()> {
        let Some(g) = self.points.group(grid, coords) else {
            return Ok(());
        };
        let isz = self.layout.itemsize();
        for (j, at) in self.points.offsets(g, grid, coords, order, isz)? {
            let from = self.layout.offset_of(&[j]);
            chunk[at..at + isz].copy_from_slice(&self.src[from..from + isz]);
        }
        Ok(())
    }
}

impl ZarrArray {
    /// Reads the elements at `points` (`n` points, one coordinate per axis each, one point after the
    /// other, in any order, repeats allowed: zarr-python's `vindex`) into `dst`, laid out as `layout`
    /// (shape `[n]`, any stride): point `j`'s element goes to position `j`. Each chunk that holds a
    /// point is decoded once, chunks in parallel; `max_bytes` bounds each chunk's buffer (see
    /// [`ZarrArray::read_into`]).
    pub fn read_points_into(
        &self,
        points: &[usize],
        dst: &mut [u8],
        layout: &Layout,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> Result<()> {
        self.not_objects()?;
        parallel::check(threads)?;
        let isz = self.check_points_layout(points, layout)?;
        layout.check_distinct()?;
        let max_chunk = usize::try_from(max_bytes).unwrap_or(usize::MAX);
        let decoding = self.decode_grid()?;
        let pts = Points::new(points, &decoding)?;
        let shards = self.shards_of(&pts, &decoding)?;
        let values = self.with_fetch(&shards, max_chunk, threads, |grid, order, fetch| {
            let chunk_bytes = brickwork_core::element_count(grid.chunk())?.saturating_mul(isz);
            // each group's values, in the group's order
            let gather = |g: &Range<usize>| -> Result<Vec<u8>> {
                let buf = fetch_chunk(grid, pts.chunk(g), isz, "zarr", fetch)?;
                let offsets = pts.offsets(g, grid, &grid.coords(pts.chunk(g)), order, isz)?;
                Ok(offsets
                    .iter()
                    .flat_map(|&(_, at)| &buf[at..at + isz])
                    .copied()
                    .collect())
            };
            let work = pts.groups.len().saturating_mul(chunk_bytes);
            parallel::install(threads, work, CODEC_BYTES_PER_THREAD, |par| {
                if par {
                    pts.groups.par_iter().map(gather).collect::<Result<Vec<_>>>()
                } else {
                    pts.groups.iter().map(gather).collect::<Result<Vec<_>>>()
                }
            })?
        })?;
        for (g, vals) in pts.groups.iter().zip(values) {
            for (&(_, j), v) in pts.by_chunk[g.clone()].iter().zip(vals.chunks_exact(isz)) {
                let at = layout.offset_of(&[j]);
                dst[at..at + isz].copy_from_slice(v);
            }
        }
        Ok(())
    }

    /// Writes the `j`-th item of `src` (laid out as `layout`, shape `[n]`) to the element at point `j`
    /// of `points` (as for [`ZarrArray::read_points_into`]; of repeated points, the later wins). Each
    /// chunk that holds a point is read, edited and written back once, atomically (of a shard, only the
    /// inner chunks that hold points are decoded and encoded again).
    pub fn write_points(
        &self,
        points: &[usize],
        src: &[u8],
        layout: &Layout,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> Result<super::WriteStats> {
        self.not_objects()?;
        parallel::check(threads)?;
        let isz = self.check_points_layout(points, layout)?;
        let decoding = self.decode_grid()?;
        let pts = Points::new(points, &decoding)?;
        let touched = match self.shard {
            Some(_) => self.shards_of(&pts, &decoding)?,
            None => pts.groups.iter().map(|g| pts.chunk(g)).collect(),
        };
        let bytes_in = (pts.by_chunk.len() * isz) as u64;
        let edit = PointValues {
            points: pts,
            src,
            layout,
        };
        self.write_edit(&touched, &edit, bytes_in, max_bytes, threads)
    }

    /// Checks the item size and that `layout` has one element per point; returns the item size.
    fn check_points_layout(&self, points: &[usize], layout: &Layout) -> Result<usize> {
        if self.shape.is_empty() {
            return Err(Error::InvalidArray(
                "a 0-d array has no coordinates to select: read or write it whole".into(),
            ));
        }
        let ndim = self.shape.len();
        if !points.len().is_multiple_of(ndim) {
            return Err(Error::InvalidArray(format!(
                "coordinates of an array with {ndim} dimensions come {ndim} per point; got {} numbers",
                points.len()
            )));
        }
        let isz = self.dtype.itemsize();
        let n = points.len() / ndim;
        if layout.itemsize() != isz || layout.shape() != [n] {
            return Err(Error::InvalidArray(format!(
                "the values have shape {:?} and {}-byte items; {n} points of dtype {} need [{n}] and {isz}",
                layout.shape(),
                layout.itemsize(),
                self.dtype
            )));
        }
        Ok(isz)
    }

    /// For a sharded array, the shards that hold the points (sorted); else none (see
    /// [`ZarrArray::with_fetch`]).
    fn shards_of(&self, pts: &Points<'_>, decoding: &ChunkGrid) -> Result<Vec<usize>> {
        if self.shard.is_none() {
            return Ok(Vec::new());
        }
        let mut shards: Vec<usize> = pts
            .groups
            .iter()
            .map(|g| {
                let (at, _) = self.split_inside(&decoding.coords(pts.chunk(g)))?;
                Ok(self.grid.index(&at))
            })
            .collect::<Result<_>>()?;
        shards.sort_unstable();
        shards.dedup();
        Ok(shards)
    }
}
