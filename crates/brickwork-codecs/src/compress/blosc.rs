//! `blosc`: numcodecs' Blosc 1.x meta-compressor (blocks, byte/bit shuffle, an inner compressor).
//!
//! * Config: `{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}`, numcodecs'
//!   keys, defaults and order. `cname` is one of `blosclz lz4 lz4hc zlib zstd`; `clevel` 0–9; `shuffle`
//!   -1 (auto: bit shuffle when the typesize is 1, else byte shuffle), 0 none, 1 byte, 2 bit; `blocksize`
//!   0 = automatic (c-blosc's rule), a negative value wraps to a huge one as numcodecs' C cast does (so it
//!   means "one block"). All four are checked at encode, as numcodecs does, so any config numcodecs wrote
//!   builds a codec that decodes. `typesize` (≥ 1) is constructor/`from_config`-only: never emitted, and
//!   ignored by equality. [`Blosc::threads`] (parallelism) is Rust-only and not part of the config.
//! * Wire format (numcodecs-formats.md §2.1.1): a 16-byte header (version 2, versionlz 1, flags, typesize,
//!   nbytes, blocksize, cbytes), then either the raw input (flag 0x02) or `nblocks` i32 block offsets and
//!   per block 1 or `typesize` streams of `i32 csize` + data (raw when `csize` equals the stream's size).
//!   Byte or bit shuffle is applied per block before compression.
//! * Encode: c-blosc 1.21.6 from `blosc-src` (`blosc_compress_ctx`, one internal thread: a context on the
//!   stack, no global state or lock), `destsize = nbytes + 16` and the typesize numcodecs uses (the
//!   configured one, else the dtype's item size; datetimes are 8), so the output is byte-identical to
//!   numcodecs 0.17.1 run with `blosc.set_nthreads(1)` (tests/data/blosc). numcodecs with several threads
//!   writes blocks in a nondeterministic order; both decode the same. With [`Blosc::threads`] > 1, inputs
//!   of 2 MiB and more are cut at 1 MiB multiples into that many runs of whole blocks, each compressed by
//!   c-blosc on one thread (the caller and brickwork's fork-safe pool) straight into its own region of
//!   the output, and the runs' chunks are joined in place into the one-thread chunk (`compress_in_parts`
//!   says why that is exact and checks it; where it is not proven, as near the memcpy limit, the input
//!   is compressed on one thread). `encoded_bound` is a few KiB over `nbytes + 16` for that room. c-blosc
//!   never starts threads of its own.
//! * Decode: in Rust, without c-blosc. The header, every block offset and every stream size are checked
//!   against the buffer (and `cbytes` against its length; trailing bytes are ignored as in numcodecs), the
//!   decoded size against [`Limits`], and every stream against its codec's maximum ratio, before the
//!   output is allocated. Inner streams decode into exact-size slices: BloscLZ in-house
//!   (`blosc/blosclz.rs`), LZ4 through `LZ4_decompress_safe` (lz4 crate), zlib through zlib-rs, zstd
//!   through `zstd::bulk`, Snappy through `snap` (old chunks; current numcodecs cannot read them). Then
//!   byte unshuffle (SSE2 transpose for item sizes 2/4/8/16) or bit unshuffle per block. With
//!   [`Blosc::threads`] > 1, chunks of 512 KiB and more are split into that many contiguous runs of
//!   blocks: the calling thread decodes the first, the workers of [`brickwork_core::pool::shared`] the
//!   others (one pool per process, rebuilt in a forked child, so decoding never hangs after `fork` as
//!   numcodecs' c-blosc pool does; no lock is held while decoding). Each thread keeps its scratch blocks
//!   and inner decoders between calls (a thread-local workspace).
//! * Chunks numcodecs cannot decode but this decoder accepts: `nbytes == 0` (what numcodecs writes for empty
//!   input; numcodecs raises on it) decodes to nothing. `decode_into` accepts an `out` larger than the data
//!   (numcodecs writes its first nbytes bytes) and returns nbytes.
//! * [`Blosc::decode_partial`]: items `start..start + nitems` (items of the header's typesize), decoding
//!   only the blocks they touch, as numcodecs' `Blosc.decode_partial` / `blosc_getitem` did (numcodecs
//!   0.17 dropped the method).
//! * Why this split (measured, one thread, 4 MiB inputs, best of 40, `blosc_throughput_vs_c_blosc` in
//!   tests/blosc.rs): the Rust decoder runs at 0.95–1.05× c-blosc's own `blosc_decompress_ctx` (the same
//!   LZ4/zstd/zlib code does most of the work) for byte shuffle and no shuffle, and 1.4–2.9× for bit
//!   shuffle (c-blosc 1.21's SSE2 bit unshuffle falls back to scalar code for part of the work), while
//!   every size and offset is checked in Rust before any C code sees a byte. The encoder stays in C
//!   because byte identity with numcodecs needs c-blosc's blocksize/split rules and its exact inner
//!   compressor calls; a Rust port would have to reproduce BloscLZ's encoder heuristics bit for bit.

use std::cell::Cell;
use std::ffi::CString;
use std::mem::MaybeUninit;

use brickwork_core::dtype::Kind;
use brickwork_core::{
    check_out_at_least, copy_to_uninit, ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result,
    StaticCodec,
};
use serde::{Deserialize, Serialize};
use zlib_rs::{Inflate, InflateFlush, Status};

mod blosclz;
mod header;
mod shuffle;

use header::{Chunk, Inner, HEADER_LEN};

const ID: &str = "blosc";

/// The compressors numcodecs' c-blosc build offers, in `list_compressors()` order.
pub const COMPRESSORS: [&str; 5] = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"];

/// `shuffle = -1`: bit shuffle for 1-byte items, byte shuffle otherwise.
pub const AUTOSHUFFLE: i64 = -1;
/// `shuffle = 0`: no shuffle.
pub const NOSHUFFLE: i64 = 0;
/// `shuffle = 1`: byte shuffle.
pub const SHUFFLE: i64 = 1;
/// `shuffle = 2`: bit shuffle.
pub const BITSHUFFLE: i64 = 2;

/// c-blosc's largest input: `INT_MAX - BLOSC_MAX_OVERHEAD`.
const MAX_BUFFERSIZE: usize = i32::MAX as usize - HEADER_LEN;

/// numcodecs' `Blosc(cname='lz4', clevel=5, shuffle=SHUFFLE, blocksize=AUTOBLOCKS, typesize=None)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blosc {
    /// Inner compressor: `blosclz`, `lz4`, `lz4hc`, `zlib` or `zstd` (checked at encode).
    #[serde(default = "default_cname")]
    pub cname: String,
    /// Compression level 0–9 (0: store the input as is).
    #[serde(default = "default_clevel")]
    pub clevel: i64,
    /// [`AUTOSHUFFLE`], [`NOSHUFFLE`], [`SHUFFLE`] or [`BITSHUFFLE`].
    #[serde(default = "default_shuffle")]
    pub shuffle: i64,
    /// Block size in bytes; 0 = automatic.
    #[serde(default)]
    pub blocksize: i64,
    /// Item size to shuffle by, overriding the input's item size (constructor-only, never in the config).
    #[serde(default, skip_serializing)]
    pub typesize: Option<i64>,
    /// Parallelism (Rust-only, not part of the config; 1 = all on the calling thread). Decoding chunks of
    /// 512 KiB and more splits the blocks between this many threads; encoding inputs of 2 MiB and more
    /// compresses this many runs of blocks at once and joins them. The output is the same for every
    /// value.
    #[serde(skip, default = "default_threads")]
    pub threads: usize,
}

fn default_cname() -> String {
    "lz4".to_owned()
}
fn default_clevel() -> i64 {
    5
}
fn default_shuffle() -> i64 {
    SHUFFLE
}
fn default_threads() -> usize {
    1
}

impl Default for Blosc {
    fn default() -> Self {
        Blosc {
            cname: default_cname(),
            clevel: default_clevel(),
            shuffle: default_shuffle(),
            blocksize: 0,
            typesize: None,
            threads: default_threads(),
        }
    }
}

/// numcodecs' equality: the config (`typesize` and `threads` are not part of it).
impl PartialEq for Blosc {
    fn eq(&self, other: &Self) -> bool {
        self.cname == other.cname
            && self.clevel == other.clevel
            && self.shuffle == other.shuffle
            && self.blocksize == other.blocksize
    }
}

impl Blosc {
    /// A Blosc codec with numcodecs' four config parameters.
    pub fn new(cname: &str, clevel: i64, shuffle: i64, blocksize: i64) -> Self {
        Blosc {
            cname: cname.to_owned(),
            clevel,
            shuffle,
            blocksize,
            ..Blosc::default()
        }
    }

    /// The same codec with a fixed typesize (numcodecs' `typesize=`); must be at least 1.
    pub fn with_typesize(mut self, typesize: i64) -> Result<Self> {
        check_typesize(Some(typesize))?;
        self.typesize = Some(typesize);
        Ok(self)
    }

    /// The same codec decoding up to `threads` blocks at once (0 is taken as 1).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// numcodecs' `decode_partial(buf, start, nitems)`: the bytes of items `start..start + nitems` (items
    /// of the chunk's typesize), decoding only the blocks they touch.
    pub fn decode_partial(
        &self,
        encoded: &[u8],
        start: usize,
        nitems: usize,
        limits: &Limits,
    ) -> Result<Vec<u8>> {
        let chunk = Chunk::parse(encoded)?;
        let (begin, end) = item_range(&chunk, start, nitems)?;
        limits.check_declared(ID, (end - begin) as u64)?;
        let mut out = vec![0u8; end - begin];
        partial_into(&chunk, begin, end, &mut out)?;
        Ok(out)
    }

    /// [`Blosc::decode_partial`] into `out` (at least `nitems * typesize` bytes); returns the bytes written.
    pub fn decode_partial_into(
        &self,
        encoded: &[u8],
        start: usize,
        nitems: usize,
        out: &mut [u8],
    ) -> Result<usize> {
        let chunk = Chunk::parse(encoded)?;
        let (begin, end) = item_range(&chunk, start, nitems)?;
        check_out_at_least(ID, end - begin, out)?;
        partial_into(&chunk, begin, end, &mut out[..end - begin])?;
        Ok(end - begin)
    }

    /// Decodes a parsed chunk into `out` (exactly `nbytes` long), block by block. `out` may be
    /// uninitialised when `fresh` is set: each block is then zeroed just before it is decoded (while it
    /// is in cache, much cheaper than zeroing the whole output first); otherwise it must be initialised.
    fn decode_chunk(&self, chunk: &Chunk<'_>, out: &mut [MaybeUninit<u8>], fresh: bool) -> Result<()> {
        if chunk.nbytes == 0 {
            return Ok(());
        }
        if chunk.inner.is_none() {
            let stored = chunk
                .bytes
                .get(HEADER_LEN..HEADER_LEN + chunk.nbytes)
                .ok_or_else(|| Error::corrupt(ID, "a memcpy'd chunk is shorter than its nbytes"))?;
            copy_to_uninit(ID, stored, out)?;
            return Ok(());
        }
        if self.threads <= 1 || chunk.nblocks <= 1 || chunk.nbytes < PARALLEL_DECODE_MIN_BYTES {
            decode_run(chunk, 0, out, fresh)
        } else {
            // contiguous runs of whole blocks, one per thread; the calling thread takes the first and
            // brickwork's per-process pool (fork-safe, kept between calls) the others
            let per_task = chunk.nblocks.div_ceil(self.threads) * chunk.blocksize;
            let runs: Vec<_> = out.chunks_mut(per_task).collect();
            let mut results: Vec<Result<()>> = runs.iter().map(|_| Ok(())).collect();
            let Ok(pool) = brickwork_core::pool::shared() else {
                return decode_run(chunk, 0, out, fresh);
            };
            pool.in_place_scope(|s| {
                let mut jobs = runs.into_iter().zip(results.iter_mut()).enumerate();
                let first = jobs.next();
                for (r, (run, result)) in jobs {
                    s.spawn(move |_| *result = decode_run(chunk, r * per_task / chunk.blocksize, run, fresh));
                }
                if let Some((_, (run, result))) = first {
                    *result = decode_run(chunk, 0, run, fresh);
                }
            });
            results.into_iter().collect()
        }
    }
}

/// `s` as possibly-uninitialised memory, for the decoders here that write either (decode_chunk and
/// decode_block with `fresh` unset, byte unshuffle).
fn as_uninit(s: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: MaybeUninit<u8> has u8's layout, and every writer of the result (decode_chunk and
    // decode_block with `fresh` unset, shuffle::unshuffle) stores only initialised bytes, so `s` stays
    // initialised.
    unsafe { &mut *(s as *mut [u8] as *mut [MaybeUninit<u8>]) }
}

/// Decodes consecutive blocks, the first being block `j0`, into `run` (see [`Blosc::decode_chunk`]
/// for `fresh`).
fn decode_run(chunk: &Chunk<'_>, j0: usize, run: &mut [MaybeUninit<u8>], fresh: bool) -> Result<()> {
    Workspace::with(|ws| {
        for (k, block) in run.chunks_mut(chunk.blocksize).enumerate() {
            decode_block(chunk, j0 + k, block, fresh, ws)?;
        }
        Ok(())
    })
}

fn check_typesize(typesize: Option<i64>) -> Result<()> {
    match typesize {
        Some(t) if t < 1 => Err(Error::invalid_config(
            ID,
            "typesize",
            format!("Cannot use typesize {t} less than 1."),
        )),
        _ => Ok(()),
    }
}

/// Byte range of items `start..start + nitems`, checked against the chunk.
fn item_range(chunk: &Chunk<'_>, start: usize, nitems: usize) -> Result<(usize, usize)> {
    let ts = chunk.typesize;
    let range = start
        .checked_mul(ts)
        .zip(start.checked_add(nitems).and_then(|e| e.checked_mul(ts)));
    match range {
        Some((b, e)) if e <= chunk.nbytes => Ok((b, e)),
        _ => Err(Error::invalid_input(
            ID,
            format!(
                "items {start}..{start}+{nitems} are outside the chunk, which holds {} items of {ts} bytes",
                chunk.nbytes / ts
            ),
        )),
    }
}

/// Decodes bytes `begin..end` of the chunk into `out` (`end - begin` long).
fn partial_into(chunk: &Chunk<'_>, begin: usize, end: usize, out: &mut [u8]) -> Result<()> {
    if begin == end {
        return Ok(());
    }
    if chunk.inner.is_none() {
        out.copy_from_slice(&chunk.bytes[HEADER_LEN + begin..HEADER_LEN + end]);
        return Ok(());
    }
    let bs = chunk.blocksize;
    let blocks = begin / bs..=(end - 1) / bs;
    // check the touched blocks before allocating a block-sized scratch buffer
    for j in blocks.clone() {
        for s in chunk.streams(j)? {
            s?;
        }
    }
    let mut ws = Workspace::default();
    let mut block = Vec::new();
    for j in blocks {
        let (b0, b1) = (j * bs, j * bs + chunk.block_len(j));
        let (lo, hi) = (begin.max(b0), end.min(b1));
        let dest = &mut out[lo - begin..hi - begin];
        if lo == b0 && hi == b1 {
            decode_block(chunk, j, as_uninit(dest), false, &mut ws)?;
        } else {
            block.resize(b1 - b0, 0);
            decode_block(chunk, j, as_uninit(&mut block), false, &mut ws)?;
            dest.copy_from_slice(&block[lo - b0..hi - b0]);
        }
    }
    Ok(())
}

/// Per-thread decoder state: a scratch block for the shuffled data and the inner decoders.
#[derive(Default)]
struct Workspace {
    scratch: Vec<u8>,
    scratch2: Vec<u8>,
    zlib: Option<Inflate>,
    zstd: Option<zstd::bulk::Decompressor<'static>>,
}

thread_local! {
    /// This thread's workspace, kept between calls so that small chunks do not pay for new scratch
    /// blocks and decoder contexts every time. Nothing in it carries over from one block to the next:
    /// scratch blocks are overwritten before they are read and the decoders are reset per stream.
    static WORKSPACE: Cell<Option<Workspace>> = const { Cell::new(None) };
}

impl Workspace {
    /// Runs `f` on this thread's workspace (a fresh one while the thread is exiting).
    fn with<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
        let mut ws = WORKSPACE.try_with(Cell::take).ok().flatten().unwrap_or_default();
        let r = f(&mut ws);
        // keeping it fails only while the thread is exiting; the workspace is then dropped
        let _ = WORKSPACE.try_with(|c| c.set(Some(ws)));
        r
    }
}

/// Decodes block `j` into `dest` (exactly the block's length).
///
/// `dest` may be uninitialised when `fresh` is set (decoders that need initialised memory get it zeroed
/// first, in cache; byte unshuffle writes every byte of it directly), else it must be initialised. On
/// success every byte of `dest` is written.
fn decode_block(
    chunk: &Chunk<'_>,
    j: usize,
    dest: &mut [MaybeUninit<u8>],
    fresh: bool,
    ws: &mut Workspace,
) -> Result<()> {
    let bsize = dest.len();
    if chunk.byte_shuffled() {
        let mut scratch = std::mem::take(&mut ws.scratch);
        scratch.resize(bsize, 0);
        let filled = fill_block(chunk, j, &mut scratch, ws);
        if filled.is_ok() {
            if fresh {
                // the block decoded, so its size is real: map its fresh pages in one call
                brickwork_core::alloc::populate_for_writing(dest.as_mut_ptr().cast(), bsize);
            }
            shuffle::unshuffle(chunk.typesize, &scratch, dest);
        }
        ws.scratch = scratch;
        return filled;
    }
    if fresh {
        // one block (bounded by the chunk's blocksize) whatever the header claims in total
        brickwork_core::alloc::populate_for_writing(dest.as_mut_ptr().cast(), bsize);
        for b in dest.iter_mut() {
            b.write(0);
        }
    }
    // SAFETY: `dest` is initialised: zeroed just above when `fresh`, else by this function's contract.
    // MaybeUninit<u8> has u8's layout.
    let dest = unsafe { &mut *(dest as *mut [MaybeUninit<u8>] as *mut [u8]) };
    if chunk.bit_shuffled(bsize) {
        let mut scratch = std::mem::take(&mut ws.scratch);
        scratch.resize(bsize, 0);
        let filled = fill_block(chunk, j, &mut scratch, ws);
        if filled.is_ok() {
            shuffle::bitunshuffle(chunk.typesize, &scratch, dest, &mut ws.scratch2);
        }
        ws.scratch = scratch;
        filled
    } else {
        fill_block(chunk, j, dest, ws)
    }
}

/// Decodes the streams of block `j` one after the other into `dest`.
fn fill_block(chunk: &Chunk<'_>, j: usize, dest: &mut [u8], ws: &mut Workspace) -> Result<()> {
    let inner = chunk
        .inner
        .ok_or_else(|| Error::corrupt(ID, "a memcpy'd chunk has no streams"))?;
    let mut pos = 0;
    for stream in chunk.streams(j)? {
        let stream = stream?;
        let Some(piece) = dest.get_mut(pos..pos + stream.len) else {
            return Err(Error::corrupt(
                ID,
                format!("block {j} has more data than its size"),
            ));
        };
        if stream.data.len() == stream.len {
            piece.copy_from_slice(stream.data);
        } else {
            decode_stream(inner, stream.data, piece, ws).map_err(|why| {
                Error::corrupt(
                    ID,
                    format!(
                        "a {:?} stream of block {j} ({} bytes) does not decode to its {} bytes: {why}",
                        inner,
                        stream.data.len(),
                        stream.len
                    ),
                )
            })?;
        }
        pos += stream.len;
    }
    if pos != dest.len() {
        return Err(Error::corrupt(
            ID,
            format!("block {j} decoded to {pos} bytes instead of {}", dest.len()),
        ));
    }
    Ok(())
}

/// Decodes one compressed stream into `out`, which it must fill exactly.
fn decode_stream(
    inner: Inner,
    data: &[u8],
    out: &mut [u8],
    ws: &mut Workspace,
) -> std::result::Result<(), String> {
    let want = out.len();
    let got = match inner {
        Inner::BloscLz => blosclz::decompress(data, out).ok_or("invalid BloscLZ data")?,
        Inner::Lz4 => {
            let size = i32::try_from(want).map_err(|_| "block too large for LZ4")?;
            lz4::block::decompress_to_buffer(data, Some(size), out).map_err(|e| e.to_string())?
        }
        Inner::Zlib => {
            let d = ws.zlib.get_or_insert_with(|| super::zlib::inflater(true));
            d.reset(true);
            loop {
                let (in0, out0) = (d.total_in() as usize, d.total_out() as usize);
                let status = d
                    .decompress(
                        data.get(in0..).unwrap_or_default(),
                        out.get_mut(out0..).unwrap_or_default(),
                        InflateFlush::Finish,
                    )
                    .map_err(|e| e.as_str().to_owned())?;
                let (in1, out1) = (d.total_in() as usize, d.total_out() as usize);
                match status {
                    Status::StreamEnd => break out1,
                    _ if in1 == in0 && out1 == out0 => {
                        return Err(if out1 == want {
                            "more data than expected".to_owned()
                        } else {
                            "truncated zlib stream".to_owned()
                        });
                    }
                    _ => {}
                }
            }
        }
        Inner::Zstd => {
            if ws.zstd.is_none() {
                ws.zstd = Some(zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?);
            }
            let d = ws.zstd.as_mut().ok_or("no zstd context")?;
            d.decompress_to_buffer(data, out).map_err(|e| e.to_string())?
        }
        Inner::Snappy => {
            let n = snap::raw::decompress_len(data).map_err(|e| e.to_string())?;
            if n != want {
                return Err(format!("the Snappy stream declares {n} bytes"));
            }
            snap::raw::Decoder::new()
                .decompress(data, out)
                .map_err(|e| e.to_string())?
        }
    };
    if got != want {
        return Err(format!("it decoded to {got} bytes"));
    }
    Ok(())
}

/// Encode parameters, resolved and checked.
struct EncodeArgs {
    clevel: i32,
    shuffle: i32,
    typesize: usize,
    cname: CString,
    blocksize: usize,
}

/// Chunks smaller than this are always decoded on the calling thread (a thread costs more than it saves).
const PARALLEL_DECODE_MIN_BYTES: usize = 512 << 10;

/// Inputs smaller than this are always compressed on one thread.
const PARALLEL_MIN_BYTES: usize = 2 * PART_ALIGN;

/// Encodes with c-blosc on the calling thread into a new buffer (the one-thread reference in tests).
#[cfg(test)]
fn c_blosc_compress(args: &EncodeArgs, src: &[u8]) -> Result<Vec<u8>> {
    let mut dest = Vec::with_capacity(src.len() + HEADER_LEN);
    let n = c_blosc_compress_into(args, src, dest.spare_capacity_mut())?;
    // SAFETY: c_blosc_compress_into returns n only when c-blosc reported writing n bytes at the start
    // of the spare capacity (n <= its length, checked there).
    unsafe { dest.set_len(n) };
    Ok(dest)
}

/// c-blosc's `blosc_compress_ctx` into `dest` (at least `src.len() + 16` bytes, may be uninitialised);
/// returns the chunk's length, whose bytes are then initialised.
fn c_blosc_compress_into(args: &EncodeArgs, src: &[u8], dest: &mut [MaybeUninit<u8>]) -> Result<usize> {
    let destsize = src.len() + HEADER_LEN;
    if dest.len() < destsize {
        return Err(Error::output_size(ID, format!("at least {destsize}"), dest.len()));
    }
    // SAFETY: `src` is valid for `src.len()` reads and `dest` for `destsize` writes (checked above);
    // c-blosc writes at most `destsize` bytes into `dest` and never reads it before writing (it falls
    // back to a memcpy'd chunk, which needs exactly `src.len() + 16` = `destsize` bytes, when
    // compressing would need more), so uninitialised memory is fine. `cname` is NUL-terminated and
    // outlives the call. All of c-blosc's state lives in a context on its own stack, and with one
    // thread it starts none; its only static state, the shuffle implementation, is set up under
    // `pthread_once`. So concurrent calls from several threads are sound. Exercised by the encode tests
    // here and in tests/blosc.rs (multi-threaded ones), and by every parallel encode (compress_in_parts).
    let ret = unsafe {
        blosc_src::blosc_compress_ctx(
            args.clevel,
            args.shuffle,
            args.typesize,
            src.len(),
            src.as_ptr().cast(),
            dest.as_mut_ptr().cast(),
            destsize,
            args.cname.as_ptr(),
            args.blocksize,
            1,
        )
    };
    match usize::try_from(ret) {
        Ok(n) if n > 0 && n <= destsize => Ok(n),
        _ => Err(Error::invalid_input(
            ID,
            format!("error during blosc compression: {ret}"),
        )),
    }
}

/// Inputs are cut at multiples of this for parallel encoding: every blocksize c-blosc picks by itself
/// (at most 1 MiB, a power of two for power-of-two item sizes) divides it.
const PART_ALIGN: usize = 1 << 20;

/// The smallest block c-blosc chooses by itself for inputs of 2 MiB and more at clevel 1 or higher
/// (32 KiB / 2 at clevel 1); a parallel encode reserves room for the block offsets this implies.
const AUTO_MIN_BLOCKSIZE: usize = 16 << 10;

/// c-blosc's smallest forced blocksize (`MIN_BUFFERSIZE`).
const MIN_BUFFERSIZE: usize = 128;

/// The runs of whole blocks `src` is compressed in, on up to `parts` threads: multiples of 1 MiB, a
/// tail shorter than 1 MiB joined to the run before it (it could be shorter than a block). `None` when
/// the input is too short or its blocks may not divide the runs.
fn part_pieces<'s>(args: &EncodeArgs, src: &'s [u8], parts: usize) -> Option<Vec<&'s [u8]>> {
    let units = src.len() / PART_ALIGN;
    if parts < 2 || units < 2 || args.blocksize > PART_ALIGN {
        return None;
    }
    let per_part = units.div_ceil(parts.min(units)) * PART_ALIGN;
    let mut pieces: Vec<&[u8]> = src.chunks(per_part).collect();
    if pieces.len() > 1 && pieces.last().is_some_and(|p| p.len() < PART_ALIGN) {
        pieces.pop();
        pieces.pop();
        pieces.push(src.get(pieces.len() * per_part..).unwrap_or_default());
    }
    Some(pieces)
}

/// Bytes reserved in front of the parts for the joined chunk's block offsets: 4 per block at the
/// smallest blocksize c-blosc may use for this input (more blocks than that decline the join).
fn offsets_room(args: &EncodeArgs, nbytes: usize) -> usize {
    let min_block = match args.blocksize {
        0 => AUTO_MIN_BLOCKSIZE,
        forced => forced.max(MIN_BUFFERSIZE),
    };
    4 * nbytes.div_ceil(min_block)
}

/// The output size [`compress_in_parts`] needs for `src` cut in `pieces` runs: the offsets room, then
/// every run's own worst-case chunk (`len + 16`) side by side.
fn in_parts_len(args: &EncodeArgs, nbytes: usize, pieces: usize) -> usize {
    offsets_room(args, nbytes) + nbytes + HEADER_LEN * pieces
}

/// Where one compressed run sits in the output, and what the join needs to know about it.
struct Part {
    /// Start of the run's own chunk in the output.
    start: usize,
    /// Its length (cbytes).
    len: usize,
    /// Where its streams start inside it (16 + 4 × its blocks).
    own_streams: usize,
    /// Its block offsets, relative to its own chunk.
    offsets: Vec<u32>,
}

/// Compresses `src` in runs of whole blocks at once (the calling thread takes the first, brickwork's
/// fork-safe pool the others), each by c-blosc on one thread straight into its own region of `out`,
/// then joins them in place into the chunk one thread writes for all of `src` and returns its length.
/// Returns `None` when `out` is shorter than [`in_parts_len`] or the join is not proven exact (`out`
/// may then hold anything), and the caller then compresses on one thread.
///
/// Layout: `out` starts with room for the joined chunk's block offsets, then run k's chunk at the sum
/// of the earlier runs' worst-case sizes. The join reads every run's header and offsets, moves each
/// run's streams down to where they belong in the joined chunk (never past a run not yet moved: a
/// chunk is at most its run + 16 bytes), and writes the joined header and offsets in front.
///
/// Why the join is byte for byte the one-thread chunk: c-blosc compresses every block on its own, from
/// the block's bytes and the chunk's blocksize, typesize and flags only; a run's blocksize is the
/// whole input's as long as the run is at least that long (c-blosc derives it from the level, codec,
/// item size and forced blocksize, and caps it at the input length), which is checked after the fact
/// (every run reports the same blocksize, and the last run is not shorter than it); the leftover block
/// is the last block of the last run in both cases. The one other input is the room left in the output:
/// c-blosc shrinks a stream's budget when the output limit (`nbytes + 16`) is closer than the stream's
/// uncompressed size, so every stream must fit that size before the limit, both where it sits in its
/// run and where it lands in the joined chunk (and no run may have fallen back to a plain copy).
fn compress_in_parts(
    args: &EncodeArgs,
    src: &[u8],
    parts: usize,
    out: &mut [MaybeUninit<u8>],
) -> Result<Option<usize>> {
    let Some(pieces) = part_pieces(args, src, parts) else {
        return Ok(None);
    };
    let room = offsets_room(args, src.len());
    if out.len() < in_parts_len(args, src.len(), pieces.len()) {
        return Ok(None);
    }
    let Ok(pool) = brickwork_core::pool::shared() else {
        return Ok(None);
    };
    // every run's region of out: its uncompressed length + 16 (what c-blosc may write)
    let mut regions = Vec::with_capacity(pieces.len());
    let mut rest = &mut out[room..];
    for piece in &pieces {
        let (region, tail) = std::mem::take(&mut rest).split_at_mut(piece.len() + HEADER_LEN);
        regions.push(region);
        rest = tail;
    }
    let mut written: Vec<Result<usize>> = pieces.iter().map(|_| Ok(0)).collect();
    pool.in_place_scope(|s| {
        let mut jobs = pieces.iter().zip(regions).zip(written.iter_mut());
        let first = jobs.next();
        for ((piece, region), n) in jobs {
            s.spawn(move |_| *n = c_blosc_compress_into(args, piece, region));
        }
        if let Some(((piece, region), n)) = first {
            *n = c_blosc_compress_into(args, piece, region);
        }
    });
    let mut at = room;
    let mut parts = Vec::with_capacity(pieces.len());
    for (piece, n) in pieces.iter().zip(written) {
        parts.push((at, n?));
        at += piece.len() + HEADER_LEN;
    }
    Ok(join_in_place(&parts, &pieces, src.len(), room, out))
}

/// Joins the run chunks `(start, len)` in `out` (see [`compress_in_parts`]) into one chunk of
/// `nbytes` at the start of `out` and returns its length; `None` when a join condition does not hold.
fn join_in_place(
    chunks: &[(usize, usize)],
    pieces: &[&[u8]],
    nbytes: usize,
    room: usize,
    out: &mut [MaybeUninit<u8>],
) -> Option<usize> {
    // Read every run's header, offsets and streams (each run's first `len` bytes were written by
    // c-blosc), checking the join conditions.
    let mut parts = Vec::with_capacity(chunks.len());
    let mut head = [0u8; 12];
    let (mut bs, mut nblocks, mut streams_total) = (0, 0, 0);
    for (k, (&(start, len), piece)) in chunks.iter().zip(pieces).enumerate() {
        // SAFETY: c-blosc reported writing `len` bytes at `start` (c_blosc_compress_into).
        let frame = unsafe { crate::sink::written(out.get(start..)?, len) };
        let c = Chunk::parse(frame).ok()?;
        if k == 0 {
            head.copy_from_slice(frame.get(..12)?);
            bs = c.blocksize;
        }
        if frame.get(..4) != head.get(..4) || c.inner.is_none() || c.blocksize != bs {
            return None;
        }
        let own_streams = HEADER_LEN + 4 * c.nblocks;
        let offsets = (0..c.nblocks)
            .map(|j| frame.get(HEADER_LEN + 4 * j..).and_then(|b| b.first_chunk::<4>()))
            .map(|b| b.map(|b| u32::from_le_bytes(*b)))
            .collect::<Option<Vec<u32>>>()?;
        parts.push((
            Part {
                start,
                len,
                own_streams,
                offsets,
            },
            c,
            piece.len(),
        ));
        nblocks += c.nblocks;
        streams_total += len.checked_sub(own_streams)?;
    }
    if bs == 0 || !PART_ALIGN.is_multiple_of(bs) || pieces.last()?.len() < bs {
        return None;
    }
    if nblocks != nbytes.div_ceil(bs) || 4 * nblocks > room {
        return None;
    }
    // c-blosc gave every stream its whole size as budget (in the run, and as it would in the joined
    // chunk) when the stream's end, at that budget, stays within the output limit (nbytes + 16)
    // counted from where the stream starts.
    let data_start = HEADER_LEN + 4 * nblocks;
    let mut streams_at = data_start;
    let mut shifts = Vec::with_capacity(parts.len());
    for (part, c, piece_len) in &parts {
        let shift = streams_at.checked_sub(part.own_streams)?;
        for j in 0..c.nblocks {
            for stream in c.streams(j).ok()? {
                let stream = stream.ok()?;
                let at = (stream.data.as_ptr() as usize).checked_sub(c.bytes.as_ptr() as usize)?;
                if at + stream.len > piece_len + HEADER_LEN || at + shift + stream.len > nbytes + HEADER_LEN {
                    return None;
                }
            }
        }
        shifts.push(shift);
        streams_at += part.len - part.own_streams;
    }
    let total = data_start + streams_total;
    let parts: Vec<Part> = parts.into_iter().map(|(part, _, _)| part).collect();
    // Move the streams down, first run first: run k's destination ends before its own region does,
    // so no run is overwritten before it has moved.
    let mut dest = data_start;
    for part in &parts {
        let from = part.start + part.own_streams..part.start + part.len;
        let n = from.len();
        out.copy_within(from, dest);
        dest += n;
    }
    let mut put = |at: usize, bytes: &[u8]| -> Option<()> {
        copy_to_uninit(ID, bytes, out.get_mut(at..)?).ok().map(drop)
    };
    put(0, head.get(..4)?)?;
    put(4, &u32::try_from(nbytes).ok()?.to_le_bytes())?;
    put(8, head.get(8..12)?)?;
    put(12, &u32::try_from(total).ok()?.to_le_bytes())?;
    let mut j = 0;
    for (part, shift) in parts.iter().zip(shifts) {
        for &offset in &part.offsets {
            let offset = u32::try_from(usize::try_from(offset).ok()? + shift).ok()?;
            put(HEADER_LEN + 4 * j, &offset.to_le_bytes())?;
            j += 1;
        }
    }
    Some(total)
}

impl Blosc {
    /// The encode parameters for this input, checked as numcodecs checks them.
    fn encode_args(&self, input: &ArrayView<'_>) -> Result<EncodeArgs> {
        let dtype = input.dtype();
        if dtype.kind() == Kind::Object {
            return Err(Error::invalid_input(ID, "object arrays are not supported"));
        }
        if !COMPRESSORS.contains(&self.cname.as_str()) {
            return Err(Error::invalid_config(
                ID,
                "cname",
                format!(
                    "bad compressor or compressor not supported: {:?}; expected one of {COMPRESSORS:?}",
                    self.cname
                ),
            ));
        }
        let clevel = match self.clevel {
            c @ 0..=9 => c as i32,
            c => {
                return Err(Error::invalid_config(
                    ID,
                    "clevel",
                    format!("{c} is not 0–9 (numcodecs: error during blosc compression: -10)"),
                ))
            }
        };
        check_typesize(self.typesize)?;
        let typesize = match self.typesize {
            Some(t) => usize::try_from(t).unwrap_or(usize::MAX),
            None => dtype.as_buffer_dtype().itemsize(),
        };
        let shuffle = match self.shuffle {
            AUTOSHUFFLE if typesize == 1 => BITSHUFFLE,
            AUTOSHUFFLE => SHUFFLE,
            s @ (NOSHUFFLE | SHUFFLE | BITSHUFFLE) => s,
            s => {
                return Err(Error::invalid_config(
                    ID,
                    "shuffle",
                    format!("invalid shuffle argument; expected -1, 0, 1 or 2, found {s}"),
                ))
            }
        };
        let data = input.data();
        if data.len() > MAX_BUFFERSIZE {
            return Err(Error::invalid_input(
                ID,
                format!(
                    "{} bytes is more than Blosc's limit of {MAX_BUFFERSIZE}",
                    data.len()
                ),
            ));
        }
        // numcodecs hands the blocksize to C as a size_t: negative values wrap, which c-blosc clamps.
        Ok(EncodeArgs {
            clevel,
            shuffle: shuffle as i32,
            typesize,
            cname: CString::new(self.cname.as_str())
                .map_err(|_| Error::invalid_config(ID, "cname", "contains a NUL byte"))?,
            blocksize: self.blocksize as usize,
        })
    }

    /// Whether this input is compressed on several threads (clevel 0 is a plain copy: nothing to share).
    fn uses_threads(&self, args: &EncodeArgs, data: &[u8]) -> bool {
        self.threads > 1 && args.clevel > 0 && data.len() >= PARALLEL_MIN_BYTES
    }

    /// The output size this input's encode can use: `nbytes + 16` (c-blosc's bound), or what
    /// compressing it on several threads in place needs (a few KiB more, see [`compress_in_parts`]).
    fn output_len(&self, input: &ArrayView<'_>) -> usize {
        let data = input.data();
        let serial = data.len().saturating_add(HEADER_LEN);
        let Ok(args) = self.encode_args(input) else {
            return serial;
        };
        match part_pieces(&args, data, self.threads) {
            Some(pieces) if self.uses_threads(&args, data) => {
                serial.max(in_parts_len(&args, data.len(), pieces.len()))
            }
            _ => serial,
        }
    }
}

impl Codec for Blosc {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.output_len(input));
        let n = self.encode_into(input, out.spare_capacity_mut())?;
        // SAFETY: encode_into returned n, so it initialised the first n bytes of the spare capacity.
        unsafe { out.set_len(n) };
        Ok(out)
    }

    /// `nbytes + 16`, plus a few KiB when the input is compressed on several threads; an `out` of at
    /// least `nbytes + 16` also works (then on one thread).
    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        Some(self.output_len(input))
    }

    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        let args = self.encode_args(input)?;
        let bound = input.data().len() + HEADER_LEN;
        if out.len() < bound {
            return Err(Error::output_size(ID, format!("at least {bound}"), out.len()));
        }
        if self.uses_threads(&args, input.data()) {
            if let Some(n) = compress_in_parts(&args, input.data(), self.threads, out)? {
                return Ok(n);
            }
        }
        c_blosc_compress_into(&args, input.data(), out)
    }

    /// The header's `nbytes`, for a chunk that is the whole input and whose header and block layout
    /// pass the decoder's checks ([`Chunk::validate_layout`]: every stream can hold its block), so a
    /// caller never allocates for a size the data could not produce.
    fn declared_size(&self, encoded: &[u8]) -> Option<usize> {
        let chunk = Chunk::parse(encoded).ok()?;
        (chunk.bytes.len() == encoded.len() && chunk.validate_layout().is_ok()).then_some(chunk.nbytes)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let chunk = Chunk::parse(encoded)?;
        chunk.check_limits(limits)?;
        chunk.validate_layout()?;
        let mut out = Vec::with_capacity(chunk.nbytes);
        self.decode_chunk(&chunk, &mut out.spare_capacity_mut()[..chunk.nbytes], true)?;
        // SAFETY: decode_chunk returned Ok, so it wrote all `nbytes` bytes (every block, or the stored
        // copy) of the spare capacity, which holds at least `nbytes`.
        unsafe { out.set_len(chunk.nbytes) };
        Ok(ArrayBuf::from_bytes(out))
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let chunk = Chunk::parse(encoded)?;
        check_out_at_least(ID, chunk.nbytes, out)?;
        chunk.validate_layout()?;
        self.decode_chunk(&chunk, as_uninit(&mut out[..chunk.nbytes]), false)?;
        Ok(chunk.nbytes)
    }

    fn decode_into_uninit(&self, encoded: &[u8], out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        let chunk = Chunk::parse(encoded)?;
        if out.len() < chunk.nbytes {
            return Err(Error::output_size(
                ID,
                format!("at least {}", chunk.nbytes),
                out.len(),
            ));
        }
        chunk.validate_layout()?;
        self.decode_chunk(&chunk, &mut out[..chunk.nbytes], true)?;
        Ok(chunk.nbytes)
    }
}

impl StaticCodec for Blosc {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        let codec: Blosc = brickwork_core::config::parse(
            ID,
            &["cname", "clevel", "shuffle", "blocksize", "typesize"],
            config,
        )?;
        check_typesize(codec.typesize)?;
        Ok(codec)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Blosc>();

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::config::from_json;

    fn enc(codec: &Blosc, data: &[u8], typesize: usize) -> Vec<u8> {
        let codec = codec.clone().with_typesize(typesize as i64).unwrap();
        codec.encode_bytes(data).unwrap()
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len as u32)
            .flat_map(|i| (i / 3).wrapping_mul(7).to_le_bytes())
            .take(len)
            .collect()
    }

    #[test]
    fn config_defaults_order_and_equality() {
        let c = Blosc::default();
        let json = serde_json::to_string(&c.config()).unwrap();
        assert_eq!(
            json,
            r#"{"id":"blosc","cname":"lz4","clevel":5,"shuffle":1,"blocksize":0}"#
        );
        let t = Blosc::from_config(&from_json(r#"{"id":"blosc","typesize":4}"#).unwrap()).unwrap();
        assert_eq!(t, c);
        assert_eq!(t.typesize, Some(4));
        assert!(!t.config().contains_key("typesize"));
        assert!(Blosc::from_config(&from_json(r#"{"id":"blosc","typesize":0}"#).unwrap()).is_err());
        assert!(Blosc::from_config(&from_json(r#"{"id":"blosc","typesize":null}"#).unwrap()).is_ok());
        assert!(Blosc::from_config(&from_json(r#"{"id":"blosc","nthreads":2}"#).unwrap()).is_err());
        assert_eq!(c.clone().with_threads(4), c);
    }

    #[test]
    fn round_trip_every_compressor_and_shuffle() {
        let data = sample(50_000);
        for cname in COMPRESSORS {
            for shuffle in [-1, 0, 1, 2] {
                for (clevel, ts) in [(0, 4), (1, 1), (5, 4), (9, 8), (5, 3), (5, 17)] {
                    let c = Blosc::new(cname, clevel, shuffle, 0);
                    let e = enc(&c, &data, ts);
                    assert_eq!(c.decode(&e, &Limits::default()).unwrap().data(), &data[..]);
                    let threaded = c.clone().with_threads(3);
                    assert_eq!(threaded.decode(&e, &Limits::default()).unwrap().data(), &data[..]);
                }
            }
        }
    }

    #[test]
    fn bad_parameters_fail_at_encode() {
        for json in [
            r#"{"id":"blosc","cname":"snappy"}"#,
            r#"{"id":"blosc","clevel":10}"#,
            r#"{"id":"blosc","clevel":-1}"#,
            r#"{"id":"blosc","shuffle":3}"#,
        ] {
            let c = Blosc::from_config(&from_json(json).unwrap()).unwrap();
            assert!(c.encode_bytes(b"abc").is_err(), "{json}");
        }
        let e = Blosc::new("snappy", 5, 1, 0)
            .encode_bytes(b"x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected one of"), "{e}");
    }

    #[test]
    fn empty_input_and_decode_into() {
        let c = Blosc::default();
        let e = c.encode_bytes(b"").unwrap();
        assert_eq!(e, [2, 1, 0x33, 1, 0, 0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0]);
        assert!(c.decode(&e, &Limits::default()).unwrap().data().is_empty());
        let data = sample(1000);
        let e = enc(&c, &data, 4);
        let mut out = vec![7u8; 1010];
        assert_eq!(c.decode_into(&e, &mut out).unwrap(), 1000);
        assert_eq!(&out[..1000], &data[..]);
        assert_eq!(&out[1000..], &[7u8; 10]);
        assert!(matches!(
            c.decode_into(&e, &mut [0u8; 999]),
            Err(Error::OutputSize { .. })
        ));
    }

    #[test]
    fn partial_decode_matches_slices() {
        let data = sample(40_000);
        for (cname, shuffle, bs) in [
            ("lz4", 1, 1024),
            ("zstd", 2, 0),
            ("blosclz", 0, 4096),
            ("lz4", 1, 0),
        ] {
            let c = Blosc::new(cname, 5, shuffle, bs);
            for e in [
                enc(&c, &data, 4),
                enc(&Blosc::new(cname, 0, shuffle, bs), &data, 4),
            ] {
                for (start, n) in [(0, 1), (0, 10_000), (255, 513), (9_999, 1), (3_000, 0)] {
                    let got = c.decode_partial(&e, start, n, &Limits::default()).unwrap();
                    assert_eq!(got, &data[start * 4..(start + n) * 4], "{cname} {start} {n}");
                }
                assert!(c.decode_partial(&e, 9_999, 2, &Limits::default()).is_err());
                assert!(c.decode_partial(&e, usize::MAX, 2, &Limits::default()).is_err());
                let mut out = [0u8; 8];
                assert_eq!(c.decode_partial_into(&e, 5, 2, &mut out).unwrap(), 8);
                assert_eq!(&out, &data[20..28]);
            }
        }
    }

    /// [`compress_in_parts`] into a fresh buffer.
    fn in_parts(args: &EncodeArgs, data: &[u8], parts: usize) -> Option<Vec<u8>> {
        let pieces = part_pieces(args, data, parts)?.len();
        let mut out = vec![MaybeUninit::new(0xa5u8); in_parts_len(args, data.len(), pieces)];
        let n = compress_in_parts(args, data, parts, &mut out).unwrap()?;
        // SAFETY: compress_in_parts returned n, so the first n bytes are written (and all were filled).
        Some(out[..n].iter().map(|b| unsafe { b.assume_init() }).collect())
    }

    #[test]
    fn parts_join_into_the_one_thread_chunk() {
        // labels (very compressible), a float-like field (barely), and random bytes (memcpy'd): the
        // parallel path must give the one-thread bytes or decline, never anything else
        let mut next = crate::xorshift64(0x2545_f491_4f6c_dd1d);
        let labels: Vec<u8> = (0..(5u32 << 18) + 777)
            .flat_map(|i| (i / 700).to_le_bytes())
            .collect();
        let field: Vec<u8> = (0..(5u32 << 18) + 3)
            .flat_map(|i| ((i as f32 * 0.01).sin() + (next() % 1000) as f32 * 1e-6).to_le_bytes())
            .collect();
        let random: Vec<u8> = (0..(3usize << 20) + 5).map(|_| next() as u8).collect();
        let mut joined = 0;
        for (data, typesize) in [
            (&labels, 4),
            (&field, 4),
            (&random, 1),
            (&labels, 8),
            (&labels, 3),
        ] {
            for cname in ["lz4", "blosclz", "zstd", "zlib", "lz4hc"] {
                for (shuffle, blocksize) in [(1, 0), (2, 0), (0, 0), (1, 65536), (1, 1 << 21)] {
                    let args = EncodeArgs {
                        clevel: 5,
                        shuffle,
                        typesize,
                        cname: CString::new(cname).unwrap(),
                        blocksize,
                    };
                    let serial = c_blosc_compress(&args, data).unwrap();
                    for parts in [2, 3, 8] {
                        if let Some(out) = in_parts(&args, data, parts) {
                            assert_eq!(
                                out, serial,
                                "{cname} shuffle {shuffle} ts {typesize} bs {blocksize}"
                            );
                            joined += 1;
                        }
                    }
                }
            }
        }
        // labels and the field with automatic or 64 KiB blocks join; 3-byte items (blocks that do not
        // divide 1 MiB), 2 MiB blocks and random bytes decline
        assert!(joined >= 80, "the parallel path was taken only {joined} times");
        for (data, cname) in [(&labels, "lz4"), (&field, "blosclz"), (&labels, "zstd")] {
            let args = EncodeArgs {
                clevel: 5,
                shuffle: 1,
                typesize: 4,
                cname: CString::new(cname).unwrap(),
                blocksize: 0,
            };
            assert!(in_parts(&args, data, 2).is_some(), "{cname}");
            assert!(in_parts(&args, data, 3).is_some(), "{cname}");
        }
        // random bytes do not compress: c-blosc stores them as one copy, which is not joined
        let args = EncodeArgs {
            clevel: 5,
            shuffle: 0,
            typesize: 1,
            cname: CString::new("lz4").unwrap(),
            blocksize: 0,
        };
        assert!(in_parts(&args, &random, 2).is_none());
        assert!(in_parts(&args, &random[..PART_ALIGN + 5], 2).is_none());
        // the codec: encoded_bound leaves room for the parallel join; an `out` of only nbytes + 16
        // is still enough (one thread), with the same bytes
        let view = ArrayView::new(
            &labels,
            brickwork_core::DType::parse("<u4").unwrap(),
            vec![labels.len() / 4],
            brickwork_core::Order::C,
        )
        .unwrap();
        let one = Blosc::default().with_threads(1).encode(&view).unwrap();
        let two = Blosc::default().with_threads(2);
        assert!(two.encoded_bound(&view).unwrap() > labels.len() + HEADER_LEN);
        assert_eq!(two.encode(&view).unwrap(), one);
        let mut tight = vec![MaybeUninit::new(0u8); labels.len() + HEADER_LEN];
        let n = two.encode_into(&view, &mut tight).unwrap();
        // SAFETY: encode_into wrote n bytes (and all were filled).
        assert!(tight[..n]
            .iter()
            .map(|b| unsafe { b.assume_init() })
            .eq(one.iter().copied()));
    }

    #[test]
    fn decode_into_uninit_matches_decode() {
        let data: Vec<u8> = (0..700_000u32).flat_map(|i| (i / 7).to_le_bytes()).collect();
        for (clevel, shuffle) in [(5, SHUFFLE), (5, BITSHUFFLE), (5, NOSHUFFLE), (0, SHUFFLE)] {
            let enc = Blosc {
                clevel,
                shuffle,
                ..Blosc::default()
            }
            .with_threads(1)
            .encode(
                &ArrayView::new(
                    &data,
                    brickwork_core::DType::parse("<u4").unwrap(),
                    vec![data.len() / 4],
                    brickwork_core::Order::C,
                )
                .unwrap(),
            )
            .unwrap();
            for threads in [1, 2] {
                let codec = Blosc::default().with_threads(threads);
                let mut out = vec![MaybeUninit::new(0xeeu8); data.len() + 5];
                assert_eq!(codec.decode_into_uninit(&enc, &mut out).unwrap(), data.len());
                let got: Vec<u8> = out[..data.len()]
                    .iter()
                    .map(|b| unsafe { b.assume_init() })
                    .collect();
                assert!(got == data, "clevel {clevel} shuffle {shuffle} threads {threads}");
                assert_eq!(codec.decode(&enc, &Limits::default()).unwrap().into_data(), data);
                let mut short = vec![MaybeUninit::new(0u8); data.len() - 1];
                assert!(codec.decode_into_uninit(&enc, &mut short).is_err());
            }
        }
    }
}
