//! `tobytes`: cut an array into its grid of chunks, one byte string per chunk (fastremap's `tobytes`, in
//! N dimensions).
//!
//! Chunk `i` is the cutout at [`ChunkGrid::coords`]`(i)` (Fortran order over the grid), its elements
//! written in `order`. With [`Edge::Pad`] an edge chunk keeps the full chunk shape and its outside part
//! repeats `fill` (one element's bytes). Chunks are independent, so they are cut in parallel; each one is
//! one [`copy_box`](crate::copy) call, which moves whole contiguous runs when the orders match.

use brickwork_core::{Error, Order, Result};
use rayon::prelude::*;

use crate::copy::{copy_box, Dim};
use crate::grid::{ChunkGrid, Edge};
use crate::layout::{contiguous_strides, Layout};
use crate::parallel::{self, COPY_BYTES_PER_THREAD};

/// Cuts `src` (laid out as `layout`) into the chunks of `grid`, each in `order`, as new vectors.
pub fn tobytes(
    src: &[u8],
    layout: &Layout,
    grid: &ChunkGrid,
    order: Order,
    fill: &[u8],
    threads: Option<usize>,
) -> Result<Vec<Vec<u8>>> {
    check(layout, grid, fill)?;
    let mut outs: Vec<Vec<u8>> = (0..grid.len())
        .map(|i| vec![0u8; grid.stored_len(&grid.coords(i)) * layout.itemsize()])
        .collect();
    let mut slices: Vec<&mut [u8]> = outs.iter_mut().map(|v| v.as_mut_slice()).collect();
    tobytes_into(src, layout, grid, order, fill, &mut slices, threads)?;
    Ok(outs)
}

/// Cuts `src` into caller-provided buffers, one per chunk, each exactly the chunk's byte size.
pub fn tobytes_into(
    src: &[u8],
    layout: &Layout,
    grid: &ChunkGrid,
    order: Order,
    fill: &[u8],
    outs: &mut [&mut [u8]],
    threads: Option<usize>,
) -> Result<()> {
    check(layout, grid, fill)?;
    if outs.len() != grid.len() {
        return Err(Error::InvalidArray(format!(
            "{} output buffers for a grid of {} chunks",
            outs.len(),
            grid.len()
        )));
    }
    for (i, out) in outs.iter().enumerate() {
        let want = grid.stored_len(&grid.coords(i)) * layout.itemsize();
        if out.len() != want {
            return Err(Error::output_size(
                "tobytes",
                format!("exactly {want} for chunk {i}"),
                out.len(),
            ));
        }
    }
    let bytes = outs.iter().map(|out| out.len()).sum();
    // Cut in memory order (see ChunkGrid::memory_order); each chunk still lands in its own slot.
    let mut slots: Vec<Option<(usize, &mut &mut [u8])>> = outs.iter_mut().enumerate().map(Some).collect();
    let mut work: Vec<(usize, &mut &mut [u8])> = grid
        .memory_order(layout.strides())
        .into_iter()
        .filter_map(|i| slots.get_mut(i)?.take())
        .collect();
    if let Some(fast) = row_axis(layout, grid, order) {
        let mut rows = group_rows(grid, fast, work);
        return parallel::install(threads, bytes, COPY_BYTES_PER_THREAD, |par| {
            let cut =
                |row: &mut Vec<(usize, &mut &mut [u8])>| cut_row(src, layout, grid, fast, order, fill, row);
            if par {
                rows.par_iter_mut().with_min_len(1).try_for_each(cut)
            } else {
                rows.iter_mut().try_for_each(cut)
            }
        })?;
    }
    parallel::install(threads, bytes, COPY_BYTES_PER_THREAD, |par| {
        let cut = |(i, out): &mut (usize, &mut &mut [u8])| {
            cut_chunk(src, layout, grid, &grid.coords(*i), order, fill, out)
        };
        if par {
            work.par_iter_mut().with_min_len(1).try_for_each(cut)
        } else {
            work.iter_mut().try_for_each(cut)
        }
    })?
}

/// The axis along which whole rows of chunks can be cut in one pass: the innermost axis of `order`, when
/// the source is contiguous along it too and the grid has more than one chunk across it.
fn row_axis(layout: &Layout, grid: &ChunkGrid, order: Order) -> Option<usize> {
    let fast = match order {
        Order::C => grid.ndim() - 1,
        Order::F => 0,
    };
    let contiguous = layout.strides()[fast] == layout.itemsize() as isize;
    (contiguous && grid.grid_shape()[fast] > 1).then_some(fast)
}

/// Groups chunk slots into rows: the chunks that differ only in their coordinate along `fast`, each row
/// sorted along `fast`, rows in the order their first chunk appears in `work` (memory order).
fn group_rows<'a, 'b>(
    grid: &ChunkGrid,
    fast: usize,
    work: Vec<(usize, &'a mut &'b mut [u8])>,
) -> Vec<Vec<(usize, &'a mut &'b mut [u8])>> {
    let mut position = std::collections::HashMap::new();
    let mut rows: Vec<Vec<(usize, &'a mut &'b mut [u8])>> = Vec::new();
    for (i, out) in work {
        let mut key = grid.coords(i);
        key[fast] = 0;
        let at = *position.entry(grid.index(&key)).or_insert_with(|| {
            rows.push(Vec::new());
            rows.len() - 1
        });
        rows[at].push((i, out));
    }
    for row in &mut rows {
        row.sort_by_key(|(i, _)| grid.coords(*i)[fast]);
    }
    rows
}

/// Cuts a row of chunks (see [`group_rows`]) in one pass over the source: for every position of the
/// other axes, the source row is read once, left to right, and each chunk's run is copied out of it.
fn cut_row(
    src: &[u8],
    layout: &Layout,
    grid: &ChunkGrid,
    fast: usize,
    order: Order,
    fill: &[u8],
    row: &mut [(usize, &mut &mut [u8])],
) -> Result<()> {
    let isz = layout.itemsize();
    let Some((first, _)) = row.first() else {
        return Ok(());
    };
    // The other axes' extents are the same for every chunk of the row.
    let (_, extent) = grid.region(&grid.coords(*first));
    // Per chunk: source offset of its first element, run length in bytes, destination strides.
    let mut parts = Vec::with_capacity(row.len());
    for (i, out) in row.iter_mut() {
        brickwork_core::alloc::populate_for_writing(out.as_mut_ptr(), out.len());
        let coords = grid.coords(*i);
        let (cstart, cextent) = grid.region(&coords);
        let stored = grid.stored_shape(&coords);
        if stored != cextent {
            fill_elements(out, fill);
        }
        let dst_strides = contiguous_strides(&stored, isz, order)?;
        parts.push((layout.offset_of(&cstart), cextent[fast] * isz, dst_strides));
    }
    // The other axes, outermost first in the chunks' order.
    let mut axes: Vec<usize> = (0..grid.ndim()).filter(|&a| a != fast).collect();
    if order == Order::F {
        axes.reverse();
    }
    let mut idx = vec![0usize; axes.len()];
    let mut src_off: isize = 0;
    let mut dst_off = vec![0isize; row.len()];
    loop {
        for (k, (_, out)) in row.iter_mut().enumerate() {
            let (base, run, _) = &parts[k];
            let so = (*base as isize + src_off) as usize;
            let d = dst_off[k] as usize;
            let (Some(from), Some(to)) = (src.get(so..so + run), out.get_mut(d..d + run)) else {
                return Err(Error::InvalidArray(
                    "internal: a chunk row does not fit its buffers".into(),
                ));
            };
            to.copy_from_slice(from);
        }
        // Advance the odometer over the other axes (innermost last).
        let mut level = axes.len();
        loop {
            if level == 0 {
                return Ok(());
            }
            level -= 1;
            let a = axes[level];
            idx[level] += 1;
            src_off += layout.strides()[a];
            for (k, part) in parts.iter().enumerate() {
                dst_off[k] += part.2[a];
            }
            if idx[level] < extent[a] {
                break;
            }
            src_off -= layout.strides()[a] * extent[a] as isize;
            for (k, part) in parts.iter().enumerate() {
                dst_off[k] -= part.2[a] * extent[a] as isize;
            }
            idx[level] = 0;
        }
    }
}

/// Checks that `layout` fits `grid` and that `fill` is one element when padding.
pub(crate) fn check(layout: &Layout, grid: &ChunkGrid, fill: &[u8]) -> Result<()> {
    if layout.shape() != grid.shape() {
        return Err(Error::InvalidArray(format!(
            "the array has shape {:?} but the grid was made for {:?}",
            layout.shape(),
            grid.shape()
        )));
    }
    if grid.edge() == Edge::Pad && fill.len() != layout.itemsize() {
        return Err(Error::InvalidArray(format!(
            "the fill value has {} bytes but one element has {}",
            fill.len(),
            layout.itemsize()
        )));
    }
    Ok(())
}

/// Repeats the element `fill` over all of `out` (whose length is a multiple of it).
pub(crate) fn fill_elements(out: &mut [u8], fill: &[u8]) {
    for cell in out.chunks_exact_mut(fill.len().max(1)) {
        cell.copy_from_slice(fill);
    }
}

/// Whether every element of `buf` (whose length is a multiple of `fill`'s) is `fill`, compared as
/// bytes: the first element, then the rest against `buf` itself one element behind (the bytes repeat
/// with the element's period exactly when every element is the first). Two `memcmp`s, no allocation;
/// a chunk that is not all fill usually differs at once.
pub(crate) fn holds_only(buf: &[u8], fill: &[u8]) -> bool {
    let n = fill.len();
    buf.len() < n || (buf[..n] == *fill && buf[n..] == buf[..buf.len() - n])
}

/// Writes chunk `coords` of `src` into `out` (exactly its stored size) in `order`.
pub(crate) fn cut_chunk(
    src: &[u8],
    layout: &Layout,
    grid: &ChunkGrid,
    coords: &[usize],
    order: Order,
    fill: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let isz = layout.itemsize();
    brickwork_core::alloc::populate_for_writing(out.as_mut_ptr(), out.len());
    let (start, extent) = grid.region(coords);
    let stored = grid.stored_shape(coords);
    if stored != extent {
        fill_elements(out, fill);
    }
    let dst_strides = contiguous_strides(&stored, isz, order)?;
    let dims = box_dims(&extent, layout.strides(), &dst_strides, order);
    copy_box(src, layout.offset_of(&start), out, 0, &dims, isz)
}

/// The axes of a box in the order the `order`-contiguous side is walked (outermost first).
pub(crate) fn box_dims(extent: &[usize], s: &[isize], d: &[isize], order: Order) -> Vec<Dim> {
    let mut dims: Vec<Dim> = (0..extent.len())
        .map(|a| Dim {
            n: extent[a],
            s: s[a],
            d: d[a],
        })
        .collect();
    if order == Order::F {
        dims.reverse();
    }
    dims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_only_compares_every_element() {
        let fill = [1u8, 2, 3];
        assert!(holds_only(&[], &fill));
        assert!(holds_only(&fill, &fill));
        assert!(holds_only(&fill.repeat(1000), &fill));
        for at in [0, 1, 2, 1500, 2999] {
            let mut buf = fill.repeat(1000);
            buf[at] ^= 0x80;
            assert!(!holds_only(&buf, &fill), "a change at byte {at}");
        }
        assert!(
            !holds_only(&[2, 3, 1, 2, 3, 1], &fill),
            "the period alone is not enough"
        );
        assert!(holds_only(&[0; 4096], &[0]));
    }

    /// The Python loop fastremap's docs compare against: slice each chunk, then `tobytes(order)`.
    fn reference(data: &[u16], shape: [usize; 3], chunk: [usize; 3], order: Order) -> Vec<Vec<u8>> {
        let at = |x: usize, y: usize, z: usize| data[(x * shape[1] + y) * shape[2] + z];
        let mut out = Vec::new();
        for gz in 0..shape[2].div_ceil(chunk[2]) {
            for gy in 0..shape[1].div_ceil(chunk[1]) {
                for gx in 0..shape[0].div_ceil(chunk[0]) {
                    let (x0, y0, z0) = (gx * chunk[0], gy * chunk[1], gz * chunk[2]);
                    let (x1, y1, z1) = (
                        (x0 + chunk[0]).min(shape[0]),
                        (y0 + chunk[1]).min(shape[1]),
                        (z0 + chunk[2]).min(shape[2]),
                    );
                    let mut bytes = Vec::new();
                    let mut push = |x, y, z| bytes.extend_from_slice(&at(x, y, z).to_le_bytes());
                    match order {
                        Order::C => {
                            (x0..x1).for_each(|x| (y0..y1).for_each(|y| (z0..z1).for_each(|z| push(x, y, z))))
                        }
                        Order::F => {
                            (z0..z1).for_each(|z| (y0..y1).for_each(|y| (x0..x1).for_each(|x| push(x, y, z))))
                        }
                    }
                    out.push(bytes);
                }
            }
        }
        out
    }

    #[test]
    fn matches_the_slicing_loop() {
        let shape = [6usize, 8, 10];
        let data: Vec<u16> = (0..480u16).map(|i| i.wrapping_mul(37)).collect();
        let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        let layout = Layout::contiguous(&shape, 2, Order::C).unwrap();
        for (chunk, edge) in [([3, 4, 5], Edge::Exact), ([4, 3, 7], Edge::Truncate)] {
            let grid = ChunkGrid::new(&shape, &chunk, edge).unwrap();
            for order in [Order::C, Order::F] {
                for threads in [Some(1), Some(2)] {
                    let got = tobytes(&bytes, &layout, &grid, order, &[], threads).unwrap();
                    assert_eq!(got, reference(&data, shape, chunk, order));
                }
            }
        }
    }

    #[test]
    fn pad_fills_outside() {
        let layout = Layout::contiguous(&[3], 1, Order::C).unwrap();
        let grid = ChunkGrid::new(&[3], &[2], Edge::Pad).unwrap();
        let got = tobytes(&[1, 2, 3], &layout, &grid, Order::C, &[9], Some(1)).unwrap();
        assert_eq!(got, vec![vec![1, 2], vec![3, 9]]);
        assert!(tobytes(&[1, 2, 3], &layout, &grid, Order::C, &[], Some(1)).is_err());
    }

    #[test]
    fn wrong_outputs_are_errors() {
        let layout = Layout::contiguous(&[4], 1, Order::C).unwrap();
        let grid = ChunkGrid::new(&[4], &[2], Edge::Exact).unwrap();
        let mut a = [0u8; 2];
        let mut b = [0u8; 3];
        let mut outs: Vec<&mut [u8]> = vec![&mut a, &mut b];
        assert!(tobytes_into(&[1, 2, 3, 4], &layout, &grid, Order::C, &[], &mut outs, None).is_err());
        let other = ChunkGrid::new(&[6], &[2], Edge::Exact).unwrap();
        assert!(tobytes(&[1, 2, 3, 4], &layout, &other, Order::C, &[], None).is_err());
    }
}
