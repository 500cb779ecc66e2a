//! The one copy kernel under `tobytes`, `assemble` and the Zarr store: copy an N-d box of elements from
//! one strided layout to another.
//!
//! The box is first simplified: axes of length 1 are dropped and neighbouring axes that are contiguous
//! with each other on both sides are merged, so a chunk of a C array copied in C order becomes a few long
//! `memcpy` runs instead of element moves. What is left runs in one of three ways:
//! * **runs**: both sides contiguous along the innermost axis: one `copy_from_slice` per run;
//! * **tiled transpose**: the destination is contiguous along one axis and the source along another
//!   (C ↔ F): 2-D tiles small enough for the L1 cache and TLB, each tile visited at every position of
//!   the remaining axes before moving on;
//! * **elements**: anything else, one fixed-size element move at a time.
//!
//! Offsets are computed, never trusted: the box's whole span is checked against both buffers before the
//! copy starts, so the inner loops cannot run out of bounds.

/// One axis of the box: its length and the byte stride on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dim {
    /// Elements along the axis.
    pub n: usize,
    /// Source byte stride.
    pub s: isize,
    /// Destination byte stride.
    pub d: isize,
}

use brickwork_core::{Error, Result};

/// Tile edge (in elements) of the transposing copy. Measured (`cargo bench -p brickwork-grid`, 64³ chunks
/// of f4 and u2): 16 beats 8, 32 and 64 by 1.4–3×; a 16×16 tile touches at most 16 pages per side, so
/// its addresses stay within the L1 TLB while every position of the other axes is visited.
const TILE: usize = 16;

/// Copies the box `dims` (outermost axis first, innermost last: the order the destination is written
/// in) from `src` at byte `s0` to `dst` at byte `d0`, `itemsize` bytes per element.
///
/// The whole box is checked against both buffers first (O(ndim)); a box that does not fit is reported as
/// an error naming the sizes, so even a bug in a caller cannot turn into a panic mid-copy.
pub(crate) fn copy_box(
    src: &[u8],
    s0: usize,
    dst: &mut [u8],
    d0: usize,
    dims: &[Dim],
    itemsize: usize,
) -> Result<()> {
    if dims.iter().any(|d| d.n == 0) {
        return Ok(());
    }
    let fits = |start: usize, len: usize, stride: fn(&Dim) -> isize| {
        let (mut lo, mut hi) = (start as i128, (start + itemsize) as i128);
        for d in dims {
            let reach = (d.n as i128 - 1) * stride(d) as i128;
            if reach < 0 {
                lo += reach
            } else {
                hi += reach
            }
        }
        lo >= 0 && hi <= len as i128
    };
    if !fits(s0, src.len(), |d| d.s) || !fits(d0, dst.len(), |d| d.d) {
        return Err(Error::InvalidArray(format!(
            "internal: a box of {:?} elements does not fit its buffers ({} and {} bytes)",
            dims.iter().map(|d| d.n).collect::<Vec<_>>(),
            src.len(),
            dst.len()
        )));
    }
    copy_checked(src, s0, dst, d0, dims, itemsize);
    Ok(())
}

fn copy_checked(src: &[u8], s0: usize, dst: &mut [u8], d0: usize, dims: &[Dim], itemsize: usize) {
    let dims = simplify(dims);
    let isz = itemsize as isize;
    let (s0, d0) = (s0 as isize, d0 as isize);
    let Some((inner, outer)) = dims.split_last() else {
        move_one(src, s0, dst, d0, itemsize);
        return;
    };
    if inner.s == isz && inner.d == isz {
        let run = inner.n * itemsize;
        for_each(outer, s0, d0, |so, dof| {
            let (so, dof) = (so as usize, dof as usize);
            dst[dof..dof + run].copy_from_slice(&src[so..so + run]);
        });
        return;
    }
    if inner.d == isz {
        if let Some(k) = outer.iter().position(|d| d.s == isz) {
            let b = outer[k];
            let rest: Vec<Dim> = outer
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != k)
                .map(|(_, d)| *d)
                .collect();
            transpose(src, s0, dst, d0, *inner, b, &rest, itemsize);
            return;
        }
    }
    for_each(outer, s0, d0, |so, dof| line(src, so, dst, dof, *inner, itemsize));
}

/// Drops length-1 axes and merges neighbours that are contiguous with each other on both sides.
fn simplify(dims: &[Dim]) -> Vec<Dim> {
    let mut out: Vec<Dim> = Vec::with_capacity(dims.len());
    for &dim in dims.iter().filter(|d| d.n != 1) {
        match out.last_mut() {
            Some(last) if last.s == dim.s * dim.n as isize && last.d == dim.d * dim.n as isize => {
                *last = Dim {
                    n: last.n * dim.n,
                    s: dim.s,
                    d: dim.d,
                };
            }
            _ => out.push(dim),
        }
    }
    out
}

/// Calls `f(src_offset, dst_offset)` for every index of `dims` (an odometer, innermost axis fastest).
fn for_each(dims: &[Dim], s0: isize, d0: isize, mut f: impl FnMut(isize, isize)) {
    let mut idx = vec![0usize; dims.len()];
    let (mut so, mut dof) = (s0, d0);
    loop {
        f(so, dof);
        let mut k = dims.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            let d = dims[k];
            idx[k] += 1;
            so += d.s;
            dof += d.d;
            if idx[k] < d.n {
                break;
            }
            so -= d.s * d.n as isize;
            dof -= d.d * d.n as isize;
            idx[k] = 0;
        }
    }
}

fn move_one(src: &[u8], so: isize, dst: &mut [u8], dof: isize, itemsize: usize) {
    let (so, dof) = (so as usize, dof as usize);
    dst[dof..dof + itemsize].copy_from_slice(&src[so..so + itemsize]);
}

/// One axis, element by element, with the element size known at compile time for the common sizes.
///
/// Only called by [`copy_checked`] for elements of a box whose span [`copy_box`] checked against both
/// buffers, which is what makes the unchecked element moves below sound.
fn line(src: &[u8], so: isize, dst: &mut [u8], dof: isize, dim: Dim, itemsize: usize) {
    let (sp, dp) = (src.as_ptr(), dst.as_mut_ptr());
    // SAFETY: every element `so + i*dim.s` / `dof + i*dim.d` (i < dim.n) belongs to the checked box, so
    // its `itemsize` bytes lie inside `src` / `dst`; the two slices cannot overlap (`&` vs `&mut`).
    unsafe {
        match itemsize {
            1 => line_n::<1>(sp, so, dp, dof, dim),
            2 => line_n::<2>(sp, so, dp, dof, dim),
            4 => line_n::<4>(sp, so, dp, dof, dim),
            8 => line_n::<8>(sp, so, dp, dof, dim),
            16 => line_n::<16>(sp, so, dp, dof, dim),
            _ => {
                for i in 0..dim.n as isize {
                    move_one(src, so + i * dim.s, dst, dof + i * dim.d, itemsize);
                }
            }
        }
    }
}

/// Moves `dim.n` elements of `N` bytes. SAFETY (caller): all of them lie inside their buffers, which do
/// not overlap.
unsafe fn line_n<const N: usize>(src: *const u8, so: isize, dst: *mut u8, dof: isize, dim: Dim) {
    for i in 0..dim.n as isize {
        // SAFETY: see the function's contract.
        unsafe { std::ptr::copy_nonoverlapping(src.offset(so + i * dim.s), dst.offset(dof + i * dim.d), N) };
    }
}

/// The transposing copy: `a` is contiguous in the destination, `b` in the source, `rest` are the other
/// axes. The `a × b` plane is walked in small tiles, and for each tile every position of `rest`, so a
/// tile's cache lines and pages are reused across the whole chunk before moving on. Same soundness
/// argument as [`line`].
#[allow(clippy::too_many_arguments)]
fn transpose(
    src: &[u8],
    so: isize,
    dst: &mut [u8],
    dof: isize,
    a: Dim,
    b: Dim,
    rest: &[Dim],
    itemsize: usize,
) {
    let (sp, dp) = (src.as_ptr(), dst.as_mut_ptr());
    let mut b0 = 0;
    while b0 < b.n {
        let b1 = (b0 + TILE).min(b.n);
        let mut a0 = 0;
        while a0 < a.n {
            let a1 = (a0 + TILE).min(a.n);
            let ta = Dim { n: a1 - a0, ..a };
            let tb = Dim { n: b1 - b0, ..b };
            let (s_t, d_t) = (
                so + a0 as isize * a.s + b0 as isize * b.s,
                dof + a0 as isize * a.d + b0 as isize * b.d,
            );
            for_each(rest, s_t, d_t, |s_r, d_r| {
                // SAFETY: every element of this tile at this position of `rest` belongs to the box
                // `copy_box` checked against both buffers, which cannot overlap.
                unsafe {
                    match itemsize {
                        1 => tile_n::<1>(sp, s_r, dp, d_r, ta, tb),
                        2 => tile_n::<2>(sp, s_r, dp, d_r, ta, tb),
                        4 => tile_n::<4>(sp, s_r, dp, d_r, ta, tb),
                        8 => tile_n::<8>(sp, s_r, dp, d_r, ta, tb),
                        _ => tile_any(sp, s_r, dp, d_r, ta, tb, itemsize),
                    }
                }
            });
            a0 = a1;
        }
        b0 = b1;
    }
}

/// One tile of `N`-byte elements. SAFETY (caller): the whole tile lies inside both buffers, which do not
/// overlap.
unsafe fn tile_n<const N: usize>(src: *const u8, so: isize, dst: *mut u8, dof: isize, a: Dim, b: Dim) {
    for j in 0..b.n as isize {
        let (s_row, d_row) = (so + j * b.s, dof + j * b.d);
        for i in 0..a.n as isize {
            // SAFETY: (i, j) is inside the tile; see the function's contract.
            unsafe {
                std::ptr::copy_nonoverlapping(src.offset(s_row + i * a.s), dst.offset(d_row + i * a.d), N)
            };
        }
    }
}

/// One tile of elements of any size. SAFETY (caller): as [`tile_n`].
unsafe fn tile_any(src: *const u8, so: isize, dst: *mut u8, dof: isize, a: Dim, b: Dim, itemsize: usize) {
    for j in 0..b.n as isize {
        for i in 0..a.n as isize {
            // SAFETY: (i, j) is inside the tile; see the function's contract.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    src.offset(so + j * b.s + i * a.s),
                    dst.offset(dof + j * b.d + i * a.d),
                    itemsize,
                )
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: element by element through explicit indices.
    fn naive(src: &[u8], s0: usize, dst: &mut [u8], d0: usize, dims: &[Dim], isz: usize) {
        let total: usize = dims.iter().map(|d| d.n).product();
        for flat in 0..total {
            let mut rest = flat;
            let (mut so, mut dof) = (s0 as isize, d0 as isize);
            for d in dims.iter().rev() {
                let i = (rest % d.n) as isize;
                rest /= d.n;
                so += i * d.s;
                dof += i * d.d;
            }
            move_one(src, so, dst, dof, isz);
        }
    }

    #[test]
    fn all_paths_match_the_naive_copy() {
        for isz in [1usize, 2, 3, 4, 8, 16] {
            let (n0, n1, n2) = (5usize, 37usize, 41usize);
            let src: Vec<u8> = (0..n0 * n1 * n2 * isz).map(|i| (i * 7 + i / 251) as u8).collect();
            let c = [(n1 * n2 * isz) as isize, (n2 * isz) as isize, isz as isize];
            let f = [isz as isize, (n0 * isz) as isize, (n0 * n1 * isz) as isize];
            let shapes = [n0, n1, n2];
            // C→C (runs), C→F (transpose), and a reversed-source line copy.
            for (ss, ds, rev) in [(c, c, false), (c, f, false), (f, c, false), (c, f, true)] {
                let mut order: Vec<usize> = vec![0, 1, 2];
                if ds == f {
                    order.reverse();
                }
                let mut s0 = 0usize;
                let mut ss = ss;
                if rev {
                    s0 = (n2 - 1) * isz;
                    ss[2] = -ss[2];
                }
                let dims: Vec<Dim> = order
                    .iter()
                    .map(|&a| Dim {
                        n: shapes[a],
                        s: ss[a],
                        d: ds[a],
                    })
                    .collect();
                let mut got = vec![0u8; src.len()];
                let mut want = vec![0u8; src.len()];
                copy_box(&src, s0, &mut got, 0, &dims, isz).unwrap();
                naive(&src, s0, &mut want, 0, &dims, isz);
                assert_eq!(got, want, "itemsize {isz} rev {rev}");
            }
        }
    }

    #[test]
    fn empty_and_scalar_boxes() {
        let src = [1u8, 2, 3, 4];
        let mut dst = [0u8; 4];
        copy_box(&src, 0, &mut dst, 0, &[Dim { n: 0, s: 1, d: 1 }], 1).unwrap();
        assert_eq!(dst, [0; 4]);
        copy_box(&src, 2, &mut dst, 1, &[Dim { n: 1, s: 1, d: 1 }], 2).unwrap();
        assert_eq!(dst, [0, 3, 4, 0]);
        assert!(copy_box(&src, 3, &mut dst, 0, &[Dim { n: 1, s: 1, d: 1 }], 2).is_err());
        assert!(copy_box(&src, 0, &mut dst, 0, &[Dim { n: 3, s: 1, d: 2 }], 1).is_err());
    }
}
