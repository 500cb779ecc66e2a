//! `assemble`: the exact inverse of [`tobytes`](crate::tobytes()): put a list of chunks back into one array.
//!
//! The destination may have any non-overlapping layout (a fresh C or F array, or a strided `out=` view).
//! When it is contiguous, it is split into slabs along its slowest axis at chunk boundaries and the slabs
//! are filled in parallel: each slab is a disjoint `&mut [u8]`, so the parallelism needs no `unsafe`.
//! Each chunk is one [`copy_box`](crate::copy) walked in the destination's order, so matching orders move
//! whole runs and mismatched ones use the tiled transpose.

use brickwork_core::{Error, Order, Result};
use rayon::prelude::*;

use crate::copy::copy_box;
use crate::grid::ChunkGrid;
use crate::layout::{contiguous_strides, Layout};
use crate::parallel::{self, COPY_BYTES_PER_THREAD};
use crate::selection::{Run, Selection};
use crate::tobytes::box_dims;

/// Writes `chunks` (in grid order, each in `order`, of their stored size) into `dst` laid out as `layout`.
pub fn assemble_into(
    chunks: &[&[u8]],
    grid: &ChunkGrid,
    order: Order,
    dst: &mut [u8],
    layout: &Layout,
    threads: Option<usize>,
) -> Result<()> {
    check_destination(layout, grid)?;
    if chunks.len() != grid.len() {
        return Err(Error::InvalidArray(format!(
            "{} chunks given but the shape {:?} in chunks of {:?} has {}",
            chunks.len(),
            grid.shape(),
            grid.chunk(),
            grid.len()
        )));
    }
    let isz = layout.itemsize();
    for (i, c) in chunks.iter().enumerate() {
        let want = grid.stored_len(&grid.coords(i)) * isz;
        if c.len() != want {
            return Err(Error::InvalidArray(format!(
                "chunk {i} (grid position {:?}) has {} bytes but should have {want} ({:?} elements of {isz} bytes)",
                grid.coords(i),
                c.len(),
                grid.stored_shape(&grid.coords(i))
            )));
        }
    }
    let all = Selection::all(grid.shape());
    for_each_slab(
        grid,
        &all,
        dst,
        layout,
        (threads, COPY_BYTES_PER_THREAD),
        |index, slab, origin| {
            let coords = grid.coords(index);
            place(chunks[index], grid, &coords, order, &all, slab, layout, origin)
        },
    )
}

/// Checks that `layout` is the grid's shape and can be written through.
pub(crate) fn check_destination(layout: &Layout, grid: &ChunkGrid) -> Result<()> {
    if layout.shape() != grid.shape() {
        return Err(Error::InvalidArray(format!(
            "the output has shape {:?} but the chunks make up {:?}",
            layout.shape(),
            grid.shape()
        )));
    }
    layout.check_distinct()
}

/// Runs `work(chunk_index, slab, origin)` for every chunk of `grid` that holds an element of `sel`,
/// where `dst` (laid out as `layout`, the selection's shape) receives the selection, `slab` is the part
/// of `dst` the chunk's elements go to and `origin` the byte offset of `dst`'s element `(0, ..., 0)`
/// relative to the slab's start. Slabs (one per row of chunks along `dst`'s slowest axis) are processed
/// in parallel when `dst` is contiguous and large enough (`threads` and the least number of bytes worth a
/// thread, see [`parallel::install`]); otherwise all chunks run on the calling thread.
pub(crate) fn for_each_slab<F>(
    grid: &ChunkGrid,
    sel: &Selection,
    dst: &mut [u8],
    layout: &Layout,
    (threads, per_thread): (Option<usize>, usize),
    work: F,
) -> Result<()>
where
    F: Fn(usize, &mut [u8], isize) -> Result<()> + Sync,
{
    parallel::check(threads)?;
    let ranges = sel.chunk_ranges(grid);
    let order = sel.touched_chunks(grid, layout.strides());
    let contiguous = layout.contiguous_order().filter(|_| layout.offset() == 0);
    let total = sel.shape().iter().product::<usize>() * layout.itemsize();
    let (Some(o), true, false) = (contiguous, dst.len() == total, sel.is_empty()) else {
        return order
            .into_iter()
            .try_for_each(|i| work(i, dst, layout.offset() as isize));
    };
    // Split along the slowest axis with more than one element (outer axes of length 1, such as those
    // an integer index picked, leave the slabs contiguous).
    let longer = |&a: &usize| sel.shape()[a] > 1;
    let axis = match o {
        Order::C => (0..sel.ndim()).find(longer).unwrap_or(0),
        Order::F => (0..sel.ndim()).rev().find(longer).unwrap_or(sel.ndim() - 1),
    };
    // Bytes of one row of `dst` along `axis` (from the shape, not the strides: a length-1 axis may carry
    // any stride in a contiguous array).
    let row_bytes = total / sel.shape()[axis];
    let rows = ranges[axis].clone();
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    for i in order {
        buckets[grid.coords(i)[axis] - rows.start].push(i);
    }
    // One slab per row of chunks: the selected rows of `dst` those chunks hold, which follow each other.
    let mut slabs = Vec::with_capacity(rows.len());
    let mut rest = dst;
    for (bucket, g) in buckets.iter().zip(rows) {
        let (start, len) = grid.chunk_span(axis, g);
        let k = sel.span(axis, start, (start + len).min(grid.shape()[axis]));
        let (slab, tail) = std::mem::take(&mut rest).split_at_mut(k.len() * row_bytes);
        rest = tail;
        if !bucket.is_empty() {
            slabs.push((bucket, -((k.start * row_bytes) as isize), slab));
        }
    }
    let run = |(bucket, origin, slab): (&Vec<usize>, isize, &mut [u8])| -> Result<()> {
        bucket.iter().try_for_each(|&i| work(i, slab, origin))
    };
    // Each chunk's whole stored size passes through `work` (decoded, or copied), however few of its
    // elements the selection takes: that is the work to share out.
    let chunk_bytes = grid.chunk().iter().product::<usize>() * layout.itemsize();
    let size = slabs
        .iter()
        .map(|(bucket, _, _)| bucket.len())
        .sum::<usize>()
        .saturating_mul(chunk_bytes)
        .max(total);
    if slabs.len() < 2 {
        // one slab: nothing to share, and handing it to the pool costs a thread hop
        return slabs.into_iter().try_for_each(run);
    }
    parallel::install(threads, size, per_thread, |par| {
        if par {
            slabs.into_par_iter().try_for_each(run)
        } else {
            slabs.into_iter().try_for_each(run)
        }
    })?
}

/// Copies the elements of `sel` that one chunk (at grid position `coords`, its stored bytes in `order`)
/// holds into `dst`, laid out as `layout` (the selection's shape) with element `(0, ..., 0)` at byte
/// `origin`. A chunk that holds none is left alone.
#[allow(clippy::too_many_arguments)]
pub(crate) fn place(
    chunk: &[u8],
    grid: &ChunkGrid,
    coords: &[usize],
    order: Order,
    sel: &Selection,
    dst: &mut [u8],
    layout: &Layout,
    origin: isize,
) -> Result<()> {
    let walk = layout.contiguous_order().unwrap_or(order);
    Overlap::of(grid, coords, order, sel, layout, origin)?.for_each_box(|b| {
        let dims = box_dims(&b.counts, &b.chunk_strides, layout.strides(), walk);
        copy_box(chunk, b.in_chunk, dst, b.in_selection, &dims, layout.itemsize())
    })
}

/// The inverse of [`place`]: copies the elements of `sel` that the chunk at `coords` holds from `src`
/// (laid out as `layout`, the selection's shape, element `(0, ..., 0)` at byte `origin`) into the
/// chunk's stored bytes (in `order`), leaving the chunk's other elements as they are.
#[allow(clippy::too_many_arguments)]
pub(crate) fn overlay(
    src: &[u8],
    layout: &Layout,
    origin: isize,
    sel: &Selection,
    grid: &ChunkGrid,
    coords: &[usize],
    order: Order,
    chunk: &mut [u8],
) -> Result<()> {
    Overlap::of(grid, coords, order, sel, layout, origin)?.for_each_box(|b| {
        let dims = box_dims(&b.counts, layout.strides(), &b.chunk_strides, order);
        copy_box(src, b.in_selection, chunk, b.in_chunk, &dims, layout.itemsize())
    })
}

/// The elements of a selection that one chunk holds: per axis, the arithmetic runs of selected indices
/// in the chunk (one per axis for a selection of ranges, so one box).
struct Overlap {
    /// Per axis, the runs (none anywhere when the chunk holds no selected element).
    runs: Vec<Vec<Run>>,
    /// The chunk's first element's index per axis.
    start: Vec<usize>,
    /// The chunk's byte strides.
    strides: Vec<isize>,
    /// The selection buffer's byte strides and the byte offset of its element `(0, ..., 0)`.
    sel_strides: Vec<isize>,
    origin: isize,
}

/// One box of elements to copy: the product of one run per axis.
struct Block {
    /// Elements per axis.
    counts: Vec<usize>,
    /// Byte offset of the first one in the chunk's stored bytes.
    in_chunk: usize,
    /// Byte strides between them in the chunk (the chunk's strides times the runs' steps).
    chunk_strides: Vec<isize>,
    /// Byte offset of the first one in the selection's buffer.
    in_selection: usize,
}

impl Overlap {
    fn of(
        grid: &ChunkGrid,
        coords: &[usize],
        order: Order,
        sel: &Selection,
        layout: &Layout,
        origin: isize,
    ) -> Result<Overlap> {
        let (start, extent) = grid.region(coords);
        let strides = contiguous_strides(&grid.stored_shape(coords), layout.itemsize(), order)?;
        let mut runs = Vec::with_capacity(sel.ndim());
        for a in 0..sel.ndim() {
            let r = sel.runs(a, start[a], start[a] + extent[a]);
            if r.iter().all(|r| r.count == 0) {
                runs = vec![Vec::new(); sel.ndim()];
                break;
            }
            runs.push(r);
        }
        Ok(Overlap {
            runs,
            start,
            strides,
            sel_strides: layout.strides().to_vec(),
            origin,
        })
    }

    /// Calls `f` with every box: one run per axis, in turn.
    fn for_each_box(&self, mut f: impl FnMut(&Block) -> Result<()>) -> Result<()> {
        if self.runs.iter().any(Vec::is_empty) {
            return Ok(());
        }
        let n = self.runs.len();
        let mut pick = vec![0usize; n];
        loop {
            let (mut in_chunk, mut at) = (0usize, self.origin);
            let mut b = Block {
                counts: Vec::with_capacity(n),
                in_chunk: 0,
                chunk_strides: Vec::with_capacity(n),
                in_selection: 0,
            };
            for (a, &p) in pick.iter().enumerate() {
                let r = self.runs[a][p];
                in_chunk += (r.index - self.start[a]) * self.strides[a] as usize;
                b.chunk_strides.push(self.strides[a] * r.step as isize);
                at += r.k as isize * self.sel_strides[a];
                b.counts.push(r.count);
            }
            b.in_chunk = in_chunk;
            b.in_selection = usize::try_from(at)
                .map_err(|_| Error::InvalidArray("internal: a chunk starts before its slab".into()))?;
            f(&b)?;
            // the next combination of runs, the last axis fastest
            let Some(a) = (0..n).rev().find(|&a| pick[a] + 1 < self.runs[a].len()) else {
                return Ok(());
            };
            pick[a] += 1;
            pick[a + 1..].iter_mut().for_each(|p| *p = 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Edge;
    use crate::tobytes::tobytes;

    #[test]
    fn inverse_of_tobytes_in_every_layout() {
        let shape = [7usize, 5, 6];
        let n: usize = shape.iter().product();
        for isz in [1usize, 2, 4, 8, 3] {
            let src: Vec<u8> = (0..n * isz).map(|i| (i * 31 % 251) as u8).collect();
            for src_order in [Order::C, Order::F] {
                let layout = Layout::contiguous(&shape, isz, src_order).unwrap();
                for (chunk, edge) in [
                    ([7, 5, 3], Edge::Exact),
                    ([3, 2, 4], Edge::Truncate),
                    ([4, 4, 4], Edge::Pad),
                ] {
                    let grid = ChunkGrid::new(&shape, &chunk, edge).unwrap();
                    for order in [Order::C, Order::F] {
                        let fill = vec![0xAB; isz];
                        let chunks = tobytes(&src, &layout, &grid, order, &fill, Some(1)).unwrap();
                        let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
                        for dst_order in [Order::C, Order::F] {
                            for threads in [Some(1), Some(2)] {
                                let dl = Layout::contiguous(&shape, isz, dst_order).unwrap();
                                let mut dst = vec![0u8; src.len()];
                                assemble_into(&refs, &grid, order, &mut dst, &dl, threads).unwrap();
                                let back = tobytes(&dst, &dl, &grid, order, &fill, Some(1)).unwrap();
                                assert_eq!(back, chunks, "isz {isz} {edge:?} {order:?} {dst_order:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_chunks_and_outputs_are_errors() {
        let grid = ChunkGrid::new(&[4], &[2], Edge::Exact).unwrap();
        let layout = Layout::contiguous(&[4], 1, Order::C).unwrap();
        let mut dst = [0u8; 4];
        let e = assemble_into(&[&[1, 2]], &grid, Order::C, &mut dst, &layout, None).unwrap_err();
        assert!(e.to_string().contains("1 chunks given"), "{e}");
        let e = assemble_into(&[&[1, 2], &[3]], &grid, Order::C, &mut dst, &layout, None).unwrap_err();
        assert!(e.to_string().contains("chunk 1"), "{e}");
        let broadcast = Layout::strided(&[4], &[0], 1, 0, 4).unwrap();
        assert!(assemble_into(&[&[1, 2], &[3, 4]], &grid, Order::C, &mut dst, &broadcast, None).is_err());
    }

    #[test]
    fn length_one_axes_with_odd_strides() {
        // NumPy gives length-1 axes arbitrary strides (0 here); slabs must come from the shape.
        let grid = ChunkGrid::new(&[1, 4], &[1, 2], Edge::Exact).unwrap();
        let layout = Layout::strided(&[1, 4], &[0, 1], 1, 0, 4).unwrap();
        let mut dst = [0u8; 4];
        assemble_into(&[&[1, 2], &[3, 4]], &grid, Order::C, &mut dst, &layout, Some(2)).unwrap();
        assert_eq!(dst, [1, 2, 3, 4]);
    }

    #[test]
    fn strided_destination() {
        // Write into every other element of a buffer (a `out[::2]` view).
        let grid = ChunkGrid::new(&[4], &[2], Edge::Exact).unwrap();
        let layout = Layout::strided(&[4], &[2], 1, 0, 8).unwrap();
        let mut dst = [0u8; 8];
        assemble_into(&[&[1, 2], &[3, 4]], &grid, Order::C, &mut dst, &layout, Some(2)).unwrap();
        assert_eq!(dst, [1, 0, 2, 0, 3, 0, 4, 0]);
    }
}
