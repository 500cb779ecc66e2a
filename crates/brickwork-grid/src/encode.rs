//! Cut and encode in one parallel pass, and decode straight back into an array.
//!
//! [`encode_chunks`] never materialises the raw chunks: each worker thread owns one scratch buffer of
//! one chunk, cuts a chunk into it, encodes it, and keeps only the encoded bytes, so the raw-data memory
//! is one chunk per thread. [`decode_chunks`] decodes each chunk into a one-chunk buffer and copies it
//! into its region of the output, slab-parallel like [`assemble_into`](crate::assemble_into).

use brickwork_core::{ArrayView, Codec, DType, Error, Order, Result};
use rayon::prelude::*;

use crate::assemble::{check_destination, for_each_slab, place};
use crate::grid::ChunkGrid;
use crate::layout::Layout;
use crate::parallel::{self, CODEC_BYTES_PER_THREAD};
use crate::selection::Selection;
use crate::tobytes::{check, cut_chunk, holds_only};

/// Calls `sink(index, encoded)` for every chunk of `src`, cut in `order` and encoded by `codec` as an
/// array of `dtype`, and returns what it returned, paired with the chunk index, in processing order.
/// With `skip` (an element's bytes), chunks whose every element is `skip` are neither encoded nor
/// given to `sink` (zarr's `write_empty_chunks=False`). Runs on `threads`; `sink` may be called from any
/// of them.
#[allow(clippy::too_many_arguments)] // mirrors encode_chunks plus the sink
pub fn encode_each<T, F>(
    src: &[u8],
    layout: &Layout,
    grid: &ChunkGrid,
    order: Order,
    fill: &[u8],
    skip: Option<&[u8]>,
    codec: &dyn Codec,
    dtype: DType,
    threads: Option<usize>,
    sink: F,
) -> Result<Vec<(usize, T)>>
where
    T: Send,
    F: Fn(usize, Vec<u8>) -> Result<T> + Sync,
{
    check(layout, grid, fill)?;
    if dtype.itemsize() != layout.itemsize() {
        return Err(Error::InvalidArray(format!(
            "dtype {dtype} has {}-byte items but the array's items have {} bytes",
            dtype.itemsize(),
            layout.itemsize()
        )));
    }
    let one = |scratch: &mut Vec<u8>, i: usize| -> Result<Option<(usize, T)>> {
        let coords = grid.coords(i);
        let shape = grid.stored_shape(&coords);
        grow_zeroed(
            scratch,
            grid.stored_len(&coords) * layout.itemsize(),
            "a chunk to encode",
        )?;
        cut_chunk(src, layout, grid, &coords, order, fill, scratch)?;
        if skip.is_some_and(|value| holds_only(scratch, value)) {
            return Ok(None);
        }
        let view = ArrayView::new(scratch, dtype, shape, order)?;
        Ok(Some((i, sink(i, codec.encode(&view)?)?)))
    };
    let bytes = grid
        .shape()
        .iter()
        .product::<usize>()
        .saturating_mul(layout.itemsize());
    let done: Vec<Option<(usize, T)>> = parallel::install(threads, bytes, CODEC_BYTES_PER_THREAD, |par| {
        let order = grid.memory_order(layout.strides());
        if par {
            order
                .into_par_iter()
                .with_min_len(1)
                .map_init(Vec::new, one)
                .collect::<Result<_>>()
        } else {
            let mut scratch = Vec::new();
            order.into_iter().map(|i| one(&mut scratch, i)).collect()
        }
    })??;
    Ok(done.into_iter().flatten().collect())
}

/// Cuts `src` into the chunks of `grid` and encodes each with `codec`; returns the encoded chunks in grid
/// order (fastremap's enumeration).
#[allow(clippy::too_many_arguments)]
pub fn encode_chunks(
    src: &[u8],
    layout: &Layout,
    grid: &ChunkGrid,
    order: Order,
    fill: &[u8],
    codec: &dyn Codec,
    dtype: DType,
    threads: Option<usize>,
) -> Result<Vec<Vec<u8>>> {
    let encoded = encode_each(
        src,
        layout,
        grid,
        order,
        fill,
        None,
        codec,
        dtype,
        threads,
        |_, bytes| Ok(bytes),
    )?;
    let mut out = vec![Vec::new(); grid.len()];
    for (i, bytes) in encoded {
        out[i] = bytes;
    }
    Ok(out)
}

/// Decodes `chunks` (in grid order, encoded by `codec` from chunks in `order`) straight into `dst`.
pub fn decode_chunks(
    chunks: &[&[u8]],
    grid: &ChunkGrid,
    order: Order,
    codec: &dyn Codec,
    dst: &mut [u8],
    layout: &Layout,
    threads: Option<usize>,
) -> Result<()> {
    check_destination(layout, grid)?;
    if chunks.len() != grid.len() {
        return Err(Error::InvalidArray(format!(
            "{} encoded chunks given but the grid has {}",
            chunks.len(),
            grid.len()
        )));
    }
    decode_with(
        grid,
        &Selection::all(grid.shape()),
        order,
        dst,
        layout,
        threads,
        codec.codec_id(),
        usize::MAX,
        |i, buf| codec.decode_into(chunks[i], buf),
    )
}

/// The error for a buffer of `len` bytes the system cannot provide (where a plain allocation would abort
/// the process).
fn no_memory(len: usize, what: &str) -> Error {
    Error::InvalidArray(format!(
        "cannot allocate {len} bytes for {what}: the chunk shape is too large for this machine"
    ))
}

/// Resizes `buf` (a reused scratch buffer) to `len` bytes, or fails with an error naming `what`.
pub(crate) fn grow_zeroed(buf: &mut Vec<u8>, len: usize, what: &str) -> Result<()> {
    buf.clear();
    buf.try_reserve_exact(len).map_err(|_| no_memory(len, what))?;
    buf.resize(len, 0);
    Ok(())
}

/// A new buffer of `len` zero bytes (mapped only as it is written), or an error naming `what`.
pub(crate) fn zeroed(len: usize, what: &str) -> Result<Vec<u8>> {
    brickwork_core::alloc::try_zeroed_vec(len).ok_or_else(|| no_memory(len, what))
}

/// The decode loop shared with the Zarr reader: `fetch(i, buf)` fills chunk `i`'s stored bytes into `buf`
/// and returns how many it wrote, which must be all of them (`what` names the source in that error);
/// the elements of `sel` it holds are then copied into `dst` (laid out as `layout`, the selection's
/// shape). Only the chunks that hold selected elements are fetched.
/// One chunk's buffer may hold at most `max_chunk_bytes` (a chunk shape from untrusted metadata must not
/// size an allocation beyond the caller's limit).
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_with<F>(
    grid: &ChunkGrid,
    sel: &Selection,
    order: Order,
    dst: &mut [u8],
    layout: &Layout,
    threads: Option<usize>,
    what: &str,
    max_chunk_bytes: usize,
    fetch: F,
) -> Result<()>
where
    F: Fn(usize, &mut [u8]) -> Result<usize> + Sync,
{
    let isz = layout.itemsize();
    let chunk_bytes = brickwork_core::element_count(grid.chunk())?.saturating_mul(isz);
    if chunk_bytes > max_chunk_bytes {
        return Err(Error::limit(
            what,
            "one chunk",
            chunk_bytes as u64,
            max_chunk_bytes,
        ));
    }
    for_each_slab(
        grid,
        sel,
        dst,
        layout,
        (threads, CODEC_BYTES_PER_THREAD),
        |i, slab, origin| {
            let buf = fetch_chunk(grid, i, isz, what, &fetch)?;
            place(&buf, grid, &grid.coords(i), order, sel, slab, layout, origin)
        },
    )
}

/// A chunk (`which`) decoded to `n` bytes must fill its `holds` bytes exactly; else a corrupt-data
/// error of `codec` that names the chunk.
pub(crate) fn check_decoded(
    codec: &str,
    which: std::fmt::Arguments<'_>,
    n: usize,
    holds: usize,
) -> Result<()> {
    if n == holds {
        return Ok(());
    }
    Err(Error::corrupt(
        codec,
        format!("{which} decoded to {n} bytes; it holds {holds}"),
    ))
}

/// Chunk `i` of `grid` (`isz`-byte items) decoded by `fetch` into a new zeroed buffer of its stored
/// size, which `fetch` must fill exactly (`what` names the codec in the error otherwise).
pub(crate) fn fetch_chunk<F>(grid: &ChunkGrid, i: usize, isz: usize, what: &str, fetch: &F) -> Result<Vec<u8>>
where
    F: Fn(usize, &mut [u8]) -> Result<usize> + ?Sized,
{
    let coords = grid.coords(i);
    let mut buf = zeroed(grid.stored_len(&coords) * isz, "one chunk")?;
    let n = fetch(i, &mut buf)?;
    check_decoded(
        what,
        format_args!("chunk {i} (grid position {coords:?})"),
        n,
        buf.len(),
    )?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Edge;
    use crate::tobytes::tobytes;

    #[test]
    fn encode_then_decode_is_identity() {
        let shape = [9usize, 10, 11];
        let n: usize = shape.iter().product();
        let src: Vec<u8> = (0..n * 2).map(|i| (i / 3 % 256) as u8).collect();
        let layout = Layout::contiguous(&shape, 2, Order::F).unwrap();
        let grid = ChunkGrid::new(&shape, &[4, 5, 6], Edge::Truncate).unwrap();
        let codec = brickwork_codecs::get_codec_json(r#"{"id": "zstd", "level": 1}"#).unwrap();
        let dtype = DType::parse("<u2").unwrap();
        for threads in [Some(1), Some(2), None] {
            let enc = encode_chunks(&src, &layout, &grid, Order::C, &[], &*codec, dtype, threads).unwrap();
            let raw = tobytes(&src, &layout, &grid, Order::C, &[], Some(1)).unwrap();
            for (e, r) in enc.iter().zip(&raw) {
                assert_eq!(&codec.decode_bytes_for_test(e), r);
            }
            let refs: Vec<&[u8]> = enc.iter().map(|c| c.as_slice()).collect();
            let mut back = vec![0u8; src.len()];
            decode_chunks(&refs, &grid, Order::C, &*codec, &mut back, &layout, threads).unwrap();
            assert_eq!(back, src);
        }
    }

    #[test]
    fn corrupt_chunk_is_an_error() {
        let grid = ChunkGrid::new(&[4], &[2], Edge::Exact).unwrap();
        let layout = Layout::contiguous(&[4], 1, Order::C).unwrap();
        let codec = brickwork_codecs::get_codec_json(r#"{"id": "zlib"}"#).unwrap();
        let mut dst = [0u8; 4];
        let e = decode_chunks(
            &[b"junk", b"junk"],
            &grid,
            Order::C,
            &*codec,
            &mut dst,
            &layout,
            None,
        );
        assert!(e.is_err());
    }

    trait DecodeForTest {
        fn decode_bytes_for_test(&self, e: &[u8]) -> Vec<u8>;
    }
    impl DecodeForTest for dyn Codec {
        fn decode_bytes_for_test(&self, e: &[u8]) -> Vec<u8> {
            self.decode(e, &brickwork_core::Limits::default())
                .unwrap()
                .into_data()
        }
    }
}
