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
    for_each_slab(
        grid,
        dst,
        layout,
        (threads, COPY_BYTES_PER_THREAD),
        |index, slab, origin| {
            place(
                chunks[index],
                grid,
                &grid.coords(index),
                order,
                slab,
                layout,
                origin,
            )
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
    if !layout.is_non_overlapping() {
        return Err(Error::InvalidArray(
            "the output array has elements that share memory (a broadcast view); pass an array whose \
             elements are distinct"
                .into(),
        ));
    }
    Ok(())
}

/// Runs `work(chunk_index, slab, origin)` for every chunk, where `slab` is the part of `dst` the chunk
/// lies in and `origin` the byte offset of element `(0, ..., 0)` relative to the slab's start. Slabs are
/// processed in parallel when `dst` is contiguous and large enough (`threads` and the least number of
/// bytes worth a thread, see [`parallel::install`]); otherwise all chunks run on the calling thread.
pub(crate) fn for_each_slab<F>(
    grid: &ChunkGrid,
    dst: &mut [u8],
    layout: &Layout,
    (threads, per_thread): (Option<usize>, usize),
    work: F,
) -> Result<()>
where
    F: Fn(usize, &mut [u8], isize) -> Result<()> + Sync,
{
    let contiguous = layout.contiguous_order().filter(|_| layout.offset() == 0);
    let total = grid.shape().iter().product::<usize>() * layout.itemsize();
    let order = grid.memory_order(layout.strides());
    let (Some(o), true, false) = (contiguous, dst.len() == total, grid.is_empty()) else {
        return order
            .into_iter()
            .try_for_each(|i| work(i, dst, layout.offset() as isize));
    };
    let axis = if o == Order::C { 0 } else { grid.ndim() - 1 };
    // Bytes of one chunk-thick slab along `axis` (from the shape, not the strides: a length-1 axis may
    // carry any stride in a contiguous array).
    let slab_bytes = total / grid.shape()[axis].max(1) * grid.chunk()[axis];
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); grid.grid_shape()[axis]];
    for i in order {
        buckets[grid.coords(i)[axis]].push(i);
    }
    let run = |(j, slab): (usize, &mut [u8])| -> Result<()> {
        let origin = -((j * slab_bytes) as isize);
        buckets[j].iter().try_for_each(|&i| work(i, slab, origin))
    };
    parallel::install(threads, dst.len(), per_thread, |par| {
        if par && buckets.len() > 1 {
            dst.par_chunks_mut(slab_bytes.max(1))
                .enumerate()
                .try_for_each(run)
        } else {
            dst.chunks_mut(slab_bytes.max(1)).enumerate().try_for_each(run)
        }
    })?
}

/// Copies one chunk's bytes into its region of `dst` (`origin`: byte offset of element 0 in `dst`).
pub(crate) fn place(
    chunk: &[u8],
    grid: &ChunkGrid,
    coords: &[usize],
    order: Order,
    dst: &mut [u8],
    layout: &Layout,
    origin: isize,
) -> Result<()> {
    let isz = layout.itemsize();
    let (start, extent) = grid.region(coords);
    let src_strides = contiguous_strides(&grid.stored_shape(coords), isz, order)?;
    let walk = layout.contiguous_order().unwrap_or(order);
    let dims = box_dims(&extent, &src_strides, layout.strides(), walk);
    let at = start
        .iter()
        .zip(layout.strides())
        .fold(origin, |acc, (&i, &s)| acc + i as isize * s);
    let at = usize::try_from(at)
        .map_err(|_| Error::InvalidArray("internal: a chunk starts before its slab".into()))?;
    copy_box(chunk, 0, dst, at, &dims, isz)
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
