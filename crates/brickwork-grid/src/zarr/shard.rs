//! Zarr v3 shards (the `sharding_indexed` codec, zarr-python's `shards=`), both ways.
//!
//! A sharded array stores each chunk of its grid (a *shard*) as one file holding many inner chunks, each
//! encoded with the inner codec chain, plus an index: for every inner chunk, in C order over the shard's
//! inner grid, its byte offset in the file and its length, two `u64`s (both `2⁶⁴ − 1` for an inner chunk
//! that was never written, which reads as the fill value). The index is encoded with its own chain
//! (`bytes`, usually followed by `crc32c`) and sits at the end of the file, or at the start. Inner
//! chunks tile the shard exactly (the spec requires the shard shape to be a multiple of theirs).
//!
//! [`ShardCodec`] is the array→bytes codec of a whole shard: the store's pipeline, so a shard file is
//! encoded like any chunk file. Encoding writes the inner chunks in C order and leaves out those that
//! hold only the fill value (as zarr-python does by default), with the index at the end and a CRC32C
//! (zarr-python's defaults). Reading an array opens each shard it touches once ([`OpenShard`]: its
//! index) and then decodes inner chunks from any thread, each read from the file by offset
//! ([`ShardFile`]) and placed straight into the destination, so a read parallelises over inner chunks,
//! not shards, and a partial read reads only the inner chunks it needs; decoding one shard file into a shard buffer ([`Codec::decode_into`]) is
//! there for callers that want a chunk's elements. Either way the file is untrusted: its length is
//! checked against the index's size, every offset and length against the file, and each inner chunk
//! must decode to exactly its size.

use std::borrow::Cow;
use std::fs::File;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use brickwork_codecs::pipeline::Pipeline;
use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Error, Limits, Order, Result};

use crate::assemble::place;
use crate::grid::{ChunkGrid, Edge};
use crate::layout::Layout;
use crate::selection::Selection;
use crate::tobytes::{cut_chunk, fill_elements};
use crate::zarr::Edit;

/// A shard's bytes: all of them in memory, or a [`ShardFile`] read piece by piece (the index, then only
/// the inner chunks a partial read needs).
pub(super) trait ShardBytes {
    /// The shard's length in bytes.
    fn size(&self) -> u64;
    /// `len` bytes from `offset` (a range the caller checked against [`ShardBytes::size`]).
    fn read_at(&self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>>;
}

impl ShardBytes for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>> {
        usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(len)?))
            .map(Cow::Borrowed)
            .ok_or_else(|| {
                Error::corrupt(
                    ID,
                    format!("bytes {offset}..+{len} lie outside the shard's {}", self.len()),
                )
            })
    }
}

/// A shard file on disk, read a range at a time.
pub(super) struct ShardFile {
    path: PathBuf,
    file: File,
    size: u64,
}

impl ShardFile {
    /// Opens the shard file at `path`; `None` when there is none (the shard holds the fill value).
    pub fn open(path: PathBuf) -> Result<Option<Self>> {
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("cannot read chunk {}", path.display()), e)),
        };
        let size = file
            .metadata()
            .map_err(|e| Error::io(format!("cannot read chunk {}", path.display()), e))?
            .len();
        Ok(Some(ShardFile { path, file, size }))
    }
}

impl ShardBytes for ShardFile {
    fn size(&self) -> u64 {
        self.size
    }

    /// A positional read (no shared file offset): threads read inner chunks of one shard at once.
    fn read_at(&self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>> {
        let mut buf = vec![0u8; len];
        let mut done = 0;
        while done < len {
            match positional_read(&self.file, &mut buf[done..], offset + done as u64) {
                Ok(0) => {
                    return Err(Error::corrupt(
                        ID,
                        format!(
                            "{} ended at byte {} while reading {len} bytes from {offset} (it changed while \
                             read?)",
                            self.path.display(),
                            offset + done as u64
                        ),
                    ))
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(format!("cannot read chunk {}", self.path.display()), e)),
            }
        }
        Ok(Cow::Owned(buf))
    }
}

#[cfg(unix)]
fn positional_read(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn positional_read(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// A shard opened for reading inner chunks from any thread: its file, if there is one, and its index.
pub(super) struct OpenShard {
    file: Option<Source>,
    /// Where each inner chunk (C order) lies in the file; empty when there is no file.
    index: Vec<Option<Range<u64>>>,
}

/// Where an opened shard's inner chunks are read from.
enum Source {
    /// The file, held open.
    Open(ShardFile),
    /// The file's path and length: opened again for each inner chunk (a read of thousands of shards must
    /// not hold thousands of files open); a file whose length changed meanwhile is an error.
    Closed(PathBuf, u64),
}

impl OpenShard {
    /// Whether the `j`-th inner chunk (C order) was written.
    pub fn holds(&self, j: usize) -> bool {
        self.index.get(j).is_some_and(Option::is_some)
    }
}

/// The most shards one read holds open at once (a process may have 1024 open files by default).
pub(super) const MAX_OPEN_SHARDS: usize = 256;

/// A `sharding_indexed` configuration, as parsed from `zarr.json`.
#[derive(Debug)]
pub(super) struct ShardSpec {
    /// The inner chunk shape.
    pub chunks: Vec<usize>,
    /// The element order inside inner chunks.
    pub order: Order,
    /// The inner codecs.
    pub pipeline: Pipeline,
    /// The index's `bytes` codec says `"endian": "big"`.
    pub index_big_endian: bool,
    /// The `crc32c` codec after the index's `bytes`, if any.
    pub index_checksum: Option<Pipeline>,
    /// `index_location` is `"start"`.
    pub index_at_start: bool,
}

/// The codec of one shard: its elements (the array's chunk shape, C order) ↔ the shard file.
#[derive(Debug, Clone)]
pub(super) struct ShardCodec {
    spec: Arc<ShardSpec>,
    /// The inner chunks' grid over one shard.
    grid: ChunkGrid,
    dtype: DType,
    /// One element's bytes: what inner chunks never written read as, and which are not written.
    fill: Vec<u8>,
}

/// The marker of an inner chunk that was never written.
const MISSING: u64 = u64::MAX;

const ID: &str = "sharding_indexed";

impl ShardCodec {
    /// Checks `spec` against the shard shape (the array's chunk shape).
    pub fn new(spec: Arc<ShardSpec>, shard_shape: &[usize], dtype: DType, fill: Vec<u8>) -> Result<Self> {
        if spec.chunks.len() != shard_shape.len() {
            return Err(Error::InvalidArray(format!(
                "the inner chunk shape {:?} and the shard shape {shard_shape:?} have different numbers of \
                 dimensions",
                spec.chunks
            )));
        }
        if let Some(axis) = (0..shard_shape.len())
            .find(|&a| spec.chunks[a] == 0 || !shard_shape[a].is_multiple_of(spec.chunks[a]))
        {
            return Err(Error::InvalidArray(format!(
                "the shard shape {shard_shape:?} is not a multiple of the inner chunk shape {:?} (axis {axis})",
                spec.chunks
            )));
        }
        let grid = ChunkGrid::new(shard_shape, &spec.chunks, Edge::Pad)?;
        grid.len().checked_mul(16).ok_or_else(|| {
            Error::InvalidArray(format!(
                "a shard of {} inner chunks has too large an index",
                grid.len()
            ))
        })?;
        Ok(ShardCodec {
            spec,
            grid,
            dtype,
            fill,
        })
    }

    /// This codec for shards of `shard_shape` (of a rectilinear grid, each shard has its own shape):
    /// itself when that is its shape, else a new one (checked as [`ShardCodec::new`] checks).
    pub fn for_shape(&self, shard_shape: &[usize]) -> Result<Cow<'_, ShardCodec>> {
        if shard_shape == self.grid.shape() {
            return Ok(Cow::Borrowed(self));
        }
        ShardCodec::new(self.spec.clone(), shard_shape, self.dtype, self.fill.clone()).map(Cow::Owned)
    }

    /// The index's bytes: 16 per inner chunk, plus 4 for its checksum.
    pub fn index_len(&self) -> usize {
        self.grid.len() * 16 + if self.spec.index_checksum.is_some() { 4 } else { 0 }
    }

    /// Whether the shard file `file` holds no inner chunk (only its index: every inner chunk is the fill
    /// value).
    pub fn holds_no_chunks(&self, file: &[u8]) -> bool {
        file.len() <= self.index_len()
    }

    fn shard_len(&self) -> usize {
        self.grid.shape().iter().product::<usize>() * self.dtype.itemsize()
    }

    /// The grid coordinates of the `j`-th inner chunk in C order (the index's order).
    fn coords_c(&self, j: usize) -> Vec<usize> {
        let grid_shape = self.grid.grid_shape();
        let mut coords = vec![0usize; grid_shape.len()];
        let mut rest = j;
        for (c, &n) in coords.iter_mut().zip(grid_shape).rev() {
            *c = rest % n;
            rest /= n;
        }
        coords
    }
    /// Where each inner chunk (in C order) lies in the shard file `file`: `None` for one never written.
    /// Reads only the index, whose checksum and every entry are checked against the file.
    fn index(&self, file: &(impl ShardBytes + ?Sized)) -> Result<Vec<Option<Range<u64>>>> {
        let corrupt = |reason: String| Error::corrupt(ID, reason);
        let index_len = self.index_len();
        let size = file.size();
        if size < index_len as u64 {
            return Err(corrupt(format!(
                "the file has {size} bytes, fewer than its index of {} inner chunks needs ({index_len})",
                self.grid.len()
            )));
        }
        let at = if self.spec.index_at_start {
            0
        } else {
            size - index_len as u64
        };
        let encoded = file.read_at(at, index_len)?;
        let mut index = vec![0u8; self.grid.len() * 16];
        match &self.spec.index_checksum {
            Some(crc) => {
                crc.decode_into(&encoded, &mut index)
                    .map_err(|e| corrupt(format!("index: {e}")))?;
            }
            None => index.copy_from_slice(&encoded),
        }
        let value = |b: &[u8]| {
            let mut v = [0u8; 8];
            v.copy_from_slice(b);
            if self.spec.index_big_endian {
                u64::from_be_bytes(v)
            } else {
                u64::from_le_bytes(v)
            }
        };
        index
            .chunks_exact(16)
            .enumerate()
            .map(|(j, entry)| {
                let (offset, length) = (value(&entry[..8]), value(&entry[8..]));
                if offset == MISSING && length == MISSING {
                    return Ok(None);
                }
                match offset.checked_add(length) {
                    Some(end) if end <= size && usize::try_from(length).is_ok() => Ok(Some(offset..end)),
                    _ => Err(corrupt(format!(
                        "inner chunk {:?} lies at bytes {offset}..+{length}, outside the file's {size}",
                        self.coords_c(j)
                    ))),
                }
            })
            .collect()
    }

    /// Decodes one inner chunk's bytes (at `coords` in the shard's inner grid) into `out`, all of it.
    fn decode_inner(&self, bytes: &[u8], coords: &[usize], out: &mut [u8]) -> Result<()> {
        let n = self.spec.pipeline.decode_into(bytes, out).map_err(|e| match e {
            Error::Corrupt { codec, reason } => Error::Corrupt {
                codec,
                reason: format!("inner chunk {coords:?}: {reason}"),
            },
            other => other,
        })?;
        crate::encode::check_decoded(ID, format_args!("inner chunk {coords:?}"), n, out.len())?;
        Ok(())
    }

    /// Encodes one inner chunk's elements, or `None` when it holds only the fill value (it is then left
    /// out of the file, as zarr-python does).
    fn encode_inner(&self, elements: &[u8]) -> Result<Option<Vec<u8>>> {
        if elements
            .chunks_exact(self.dtype.itemsize())
            .all(|e| e == self.fill)
        {
            return Ok(None);
        }
        let view = ArrayView::new(elements, self.dtype, self.spec.chunks.clone(), self.spec.order)?;
        self.spec.pipeline.encode(&view).map(Some)
    }

    /// A shard file: `inner(j)` gives the encoded bytes of the `j`-th inner chunk in C order, or `None`
    /// for one left out; they are laid out in that order, with the index after them or before them.
    fn write_file<'a>(
        &self,
        mut inner: impl FnMut(usize) -> Result<Option<Cow<'a, [u8]>>>,
    ) -> Result<Vec<u8>> {
        let index_len = self.index_len();
        let base = if self.spec.index_at_start { index_len } else { 0 };
        let mut data = Vec::new();
        let mut index = Vec::with_capacity(self.grid.len() * 16);
        for j in 0..self.grid.len() {
            let (offset, length) = match inner(j)? {
                None => (MISSING, MISSING),
                Some(bytes) => {
                    let at = (base + data.len()) as u64;
                    data.extend_from_slice(&bytes);
                    (at, bytes.len() as u64)
                }
            };
            for v in [offset, length] {
                index.extend(if self.spec.index_big_endian {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                });
            }
        }
        let index = match &self.spec.index_checksum {
            Some(crc) => crc.encode(&ArrayView::from_bytes(&index))?,
            None => index,
        };
        if self.spec.index_at_start {
            return Ok([index, data].concat());
        }
        data.extend_from_slice(&index);
        Ok(data)
    }

    /// Decodes the inner chunks of the shard file `file` for which `wanted(coords)` holds, one at a time:
    /// `put(coords, elements)` gets each one's position in the shard's inner grid and its elements (the
    /// inner chunk shape, in the inner chunks' order; the fill value for one never written). Only the
    /// index and the wanted inner chunks are read. The file is untrusted: see the module docs.
    pub fn decode_each(
        &self,
        file: &(impl ShardBytes + ?Sized),
        wanted: impl Fn(&[usize]) -> bool,
        mut put: impl FnMut(&[usize], &[u8]) -> Result<()>,
    ) -> Result<()> {
        let index = self.index(file)?;
        let inner_len = self.grid.chunk().iter().product::<usize>() * self.dtype.itemsize();
        let mut inner = vec![0u8; inner_len];
        for (j, place) in index.into_iter().enumerate() {
            let coords = self.coords_c(j);
            if !wanted(&coords) {
                continue;
            }
            match place {
                None => fill_elements(&mut inner, &self.fill),
                Some(range) => {
                    let bytes = file.read_at(range.start, (range.end - range.start) as usize)?;
                    self.decode_inner(&bytes, &coords, &mut inner)?;
                }
            }
            put(&coords, &inner)?;
        }
        Ok(())
    }

    /// The shard file after `edit` wrote the elements it holds. `existing` is the current file (`None`:
    /// there is none, or the edit covers the whole shard). Inner chunks the edit does not touch keep
    /// their encoded bytes; those it covers are encoded from it alone; those it touches in part are
    /// decoded, edited and encoded again. `inner_grid` is the inner chunks' grid over the whole array,
    /// `first` the position there of the shard's first inner chunk.
    pub(crate) fn update(
        &self,
        existing: Option<&[u8]>,
        inner_grid: &ChunkGrid,
        first: &[usize],
        edit: &dyn Edit,
    ) -> Result<Vec<u8>> {
        let old = self.inner_slices(existing)?;
        let inner_len = self.grid.chunk().iter().product::<usize>() * self.dtype.itemsize();
        let mut buf = vec![0u8; inner_len];
        self.write_file(|j| {
            let coords = self.coords_c(j);
            let global: Vec<usize> = (0..coords.len()).map(|a| first[a] + coords[a]).collect();
            let inside = global.iter().zip(inner_grid.grid_shape()).all(|(g, n)| g < n);
            if !inside || !edit.touches(inner_grid, &global) {
                return Ok(old[j].map(Cow::Borrowed));
            }
            match old[j] {
                Some(bytes) if !edit.covers(inner_grid, &global) => {
                    self.decode_inner(bytes, &coords, &mut buf)?
                }
                _ => fill_elements(&mut buf, &self.fill),
            }
            edit.apply(inner_grid, &global, self.spec.order, &mut buf)?;
            Ok(self.encode_inner(&buf)?.map(Cow::Owned))
        })
    }

    /// The parsed `sharding_indexed` configuration.
    pub fn spec(&self) -> &ShardSpec {
        &self.spec
    }

    /// Opens a shard for [`ShardCodec::read_inner`]: reads and checks its index (nothing for a shard
    /// with no file, whose inner chunks are all the fill value).
    pub fn open_shard(&self, file: Option<ShardFile>, keep_open: bool) -> Result<OpenShard> {
        Ok(match file {
            Some(f) => OpenShard {
                index: self.index(&f)?,
                file: Some(if keep_open {
                    Source::Open(f)
                } else {
                    Source::Closed(f.path, f.size)
                }),
            },
            None => OpenShard {
                file: None,
                index: Vec::new(),
            },
        })
    }

    /// Decodes the inner chunk at `local` (its position in the shard's inner grid) of an opened shard
    /// into `out` (one inner chunk, in the inner chunks' order): the fill value when it was never
    /// written. Any number of threads may read inner chunks of one shard at once.
    pub fn read_inner(&self, shard: &OpenShard, local: &[usize], out: &mut [u8]) -> Result<()> {
        match self.inner_bytes(shard, local)? {
            Some(bytes) => self.decode_inner(&bytes, local, out),
            None => {
                fill_elements(out, &self.fill);
                Ok(())
            }
        }
    }

    /// The encoded bytes of the inner chunk at `local` of an opened shard, `None` when it was never
    /// written (see [`ShardCodec::read_inner`]).
    pub fn inner_bytes(&self, shard: &OpenShard, local: &[usize]) -> Result<Option<Vec<u8>>> {
        let len = |r: &Range<u64>| (r.end - r.start) as usize;
        match (&shard.file, shard.index.get(self.position(local))) {
            (Some(Source::Open(file)), Some(Some(range))) => file
                .read_at(range.start, len(range))
                .map(|b| Some(b.into_owned())),
            (Some(Source::Closed(path, size)), Some(Some(range))) => {
                let file = ShardFile::open(path.clone())?
                    .filter(|f| f.size == *size)
                    .ok_or_else(|| {
                        Error::corrupt(ID, format!("{} changed while it was read", path.display()))
                    })?;
                file.read_at(range.start, len(range))
                    .map(|b| Some(b.into_owned()))
            }
            _ => Ok(None),
        }
    }

    /// The shard file after replacing the encoded bytes of some inner chunks (`encoded`: each one's
    /// position in the shard's inner grid, and its bytes); the others keep theirs. `existing` is the
    /// current file (`None`: there is none). How chunks of variable-length items, encoded by the caller,
    /// are written.
    pub fn replace_inner(&self, existing: Option<&[u8]>, encoded: &[(Vec<usize>, &[u8])]) -> Result<Vec<u8>> {
        let mut inner = self.inner_slices(existing)?;
        for (local, bytes) in encoded {
            if local.len() != self.grid.ndim() || local.iter().zip(self.per_shard()).any(|(c, n)| c >= n) {
                return Err(Error::InvalidArray(format!(
                    "{local:?} is not an inner chunk position of a shard of {:?} inner chunks",
                    self.per_shard()
                )));
            }
            inner[self.position(local)] = Some(bytes);
        }
        self.write_file(|j| Ok(inner[j].map(Cow::Borrowed)))
    }

    /// Each inner chunk's encoded bytes in the shard file `file` (in C order; `None` for one never
    /// written, and for every one when there is no file).
    fn inner_slices<'a>(&self, file: Option<&'a [u8]>) -> Result<Vec<Option<&'a [u8]>>> {
        Ok(match file {
            Some(file) => self
                .index(file)?
                .into_iter()
                .map(|r| r.map(|r| &file[r.start as usize..r.end as usize]))
                .collect(),
            None => vec![None; self.grid.len()],
        })
    }

    /// The C-order position of the inner chunk at `local` (the index's order).
    fn position(&self, local: &[usize]) -> usize {
        local
            .iter()
            .zip(self.grid.grid_shape())
            .fold(0, |acc, (&c, &n)| acc * n + c)
    }

    /// Inner chunks per shard, along each axis.
    pub fn per_shard(&self) -> &[usize] {
        self.grid.grid_shape()
    }
}

impl Codec for ShardCodec {
    fn codec_id(&self) -> &str {
        ID
    }

    /// Not a numcodecs codec: `zarr.json` spells it (see `v3::shard_json`); this names its parameters.
    fn config(&self) -> Config {
        let mut c = Config::new();
        c.insert("id".into(), ID.into());
        c.insert("chunk_shape".into(), self.spec.chunks.clone().into());
        c
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        if input.shape().len() == self.grid.ndim() && input.shape() != self.grid.shape() {
            // a shard of a rectilinear grid: the codec of its own shape
            if let Cow::Owned(codec) = self.for_shape(input.shape())? {
                return codec.encode(input);
            }
        }
        let isz = self.dtype.itemsize();
        if input.data().len() != self.shard_len() {
            return Err(Error::invalid_input(
                ID,
                format!(
                    "a shard holds {} bytes, not {}",
                    self.shard_len(),
                    input.data().len()
                ),
            ));
        }
        let layout = Layout::contiguous(self.grid.shape(), isz, Order::C)?;
        // one inner chunk at a time, through one reused buffer (fresh buffers for every inner chunk
        // cost a page fault per 4 KiB, as much as the copy)
        let mut chunk = vec![0u8; self.grid.chunk().iter().product::<usize>() * isz];
        self.write_file(|j| {
            cut_chunk(
                input.data(),
                &layout,
                &self.grid,
                &self.coords_c(j),
                self.spec.order,
                &self.fill,
                &mut chunk,
            )?;
            Ok(self.encode_inner(&chunk)?.map(Cow::Owned))
        })
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let n = limits.check_declared(ID, self.shard_len() as u64)?;
        let mut out = vec![0u8; n];
        self.decode_into(encoded, &mut out)?;
        ArrayBuf::new(out, self.dtype, self.grid.shape().to_vec(), Order::C)
    }

    /// Decodes a shard file into `out`: the whole shard's elements in C order. Inner chunks that were
    /// never written read as the fill value.
    fn decode_into(&self, file: &[u8], out: &mut [u8]) -> Result<usize> {
        let shard_len = self.shard_len();
        if out.len() != shard_len {
            return Err(Error::output_size(ID, format!("exactly {shard_len}"), out.len()));
        }
        let shard_layout = Layout::contiguous(self.grid.shape(), self.dtype.itemsize(), Order::C)?;
        let all = Selection::all(self.grid.shape());
        self.decode_each(
            file,
            |_| true,
            |coords, inner| {
                place(
                    inner,
                    &self.grid,
                    coords,
                    self.spec.order,
                    &all,
                    out,
                    &shard_layout,
                    0,
                )
            },
        )?;
        Ok(out.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::zarr::ZarrArray;
    use std::fs;

    /// A 4×6 uint8 array in one shard of 2×3 inner chunks, index (bytes + crc32c) at the end; the inner
    /// chunk at (1, 0) was never written.
    fn write_store(dir: &std::path::Path, index_at_start: bool) -> Vec<u8> {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir.join("c/0")).unwrap();
        let location = if index_at_start { "start" } else { "end" };
        fs::write(
            dir.join("zarr.json"),
            format!(
                r#"{{"zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "uint8",
                "chunk_grid": {{"name": "regular", "configuration": {{"chunk_shape": [4, 6]}}}},
                "fill_value": 9, "codecs": [{{"name": "sharding_indexed", "configuration": {{
                  "chunk_shape": [2, 3], "codecs": [{{"name": "bytes"}}],
                  "index_codecs": [{{"name": "bytes", "configuration": {{"endian": "little"}}}}, {{"name": "crc32c"}}],
                  "index_location": "{location}"}}}}]}}"#
            ),
        )
        .unwrap();
        // inner chunks (C order over the 2×2 inner grid), stored in reverse order in the file
        let inner: [[u8; 6]; 4] = [
            [1, 2, 3, 4, 5, 6],
            [7, 8, 9, 10, 11, 12],
            [0; 6],
            [19, 20, 21, 22, 23, 24],
        ];
        let index_len = 4 * 16 + 4;
        let base = if index_at_start { index_len } else { 0 };
        let mut data = Vec::new();
        let mut index = Vec::new();
        let mut offsets = [0u64; 4];
        for j in [3usize, 1, 0] {
            offsets[j] = (base + data.len()) as u64;
            data.extend_from_slice(&inner[j]);
        }
        for (j, &offset) in offsets.iter().enumerate() {
            let (o, l) = if j == 2 { (u64::MAX, u64::MAX) } else { (offset, 6) };
            index.extend(o.to_le_bytes());
            index.extend(l.to_le_bytes());
        }
        let crc = brickwork_codecs::registry()
            .get_codec(&brickwork_core::config::from_json(r#"{"id": "crc32c"}"#).unwrap())
            .unwrap();
        let index = crc
            .encode(&brickwork_core::ArrayView::from_bytes(&index))
            .unwrap();
        let file = if index_at_start {
            [index, data].concat()
        } else {
            [data, index].concat()
        };
        fs::write(dir.join("c/0/0"), &file).unwrap();
        file
    }

    #[test]
    fn reads_shards_and_refuses_broken_ones() {
        let want: Vec<u8> = vec![
            1, 2, 3, 7, 8, 9, //
            4, 5, 6, 10, 11, 12, //
            9, 9, 9, 19, 20, 21, //
            9, 9, 9, 22, 23, 24,
        ];
        for at_start in [false, true] {
            let dir = std::env::temp_dir().join(format!("brickwork-shard-{at_start}-{}", std::process::id()));
            let file = write_store(&dir, at_start);
            let z = ZarrArray::open(&dir).unwrap();
            assert_eq!((z.chunks(), z.inner_chunks()), (&[4, 6][..], Some(&[2, 3][..])));
            assert_eq!(z.read(1 << 20, Some(1)).unwrap().data(), &want[..]);
            let meta = z.meta_json().unwrap();
            let again = ZarrArray::from_zarr_json(&dir, meta.as_bytes()).unwrap();
            assert_eq!(again.inner_chunks(), Some(&[2, 3][..]));
            let read_err = |bytes: &[u8]| {
                fs::write(dir.join("c/0/0"), bytes).unwrap();
                z.read(1 << 20, Some(1)).unwrap_err().to_string()
            };
            // truncated below the index
            assert!(read_err(&file[..10]).contains("fewer than its index"));
            // a flipped index bit fails the checksum
            let mut bad = file.clone();
            let at = if at_start { 3 } else { file.len() - 20 };
            bad[at] ^= 1;
            assert!(read_err(&bad).contains("index"), "{}", read_err(&bad));
            fs::remove_dir_all(&dir).unwrap();
        }
        // an offset beyond the file (index without a checksum, so the entry is taken as written)
        let dir = std::env::temp_dir().join(format!("brickwork-shard-far-{}", std::process::id()));
        write_store(&dir, false);
        let text = fs::read_to_string(dir.join("zarr.json"))
            .unwrap()
            .replace(r#", {"name": "crc32c"}"#, "");
        fs::write(dir.join("zarr.json"), text).unwrap();
        let mut file = vec![0u8; 6];
        for j in 0..4u64 {
            let (o, l) = if j == 1 { (1u64 << 40, 6u64) } else { (0, 6) };
            file.extend(o.to_le_bytes());
            file.extend(l.to_le_bytes());
        }
        fs::write(dir.join("c/0/0"), &file).unwrap();
        let e = ZarrArray::open(&dir)
            .unwrap()
            .read(1 << 20, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("inner chunk [0, 1] lies at bytes 1099511627776..+6, outside the file's 70"),
            "{e}"
        );
        // a missing shard reads as the fill value
        fs::remove_file(dir.join("c/0/0")).unwrap();
        assert!(ZarrArray::open(&dir)
            .unwrap()
            .read(1 << 20, None)
            .unwrap()
            .data()
            .iter()
            .all(|&b| b == 9));
        fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod write_tests {
    use crate::layout::Layout;
    use crate::zarr::{ZarrArray, ZarrFormat, ZarrOptions};
    use brickwork_core::{DType, Order};
    use std::fs;

    #[test]
    fn writes_shards_that_read_back() {
        // 10×9 int16 in shards of 4×6 (edge shards padded), inner chunks of 2×3; rows 4..8 hold the
        // fill value, so their inner chunks are left out of the files.
        let (rows, cols) = (10usize, 9usize);
        let data: Vec<u8> = (0..rows * cols)
            .flat_map(|k| {
                let v: i16 = if (4..8).contains(&(k / cols)) {
                    -1
                } else {
                    k as i16
                };
                v.to_le_bytes()
            })
            .collect();
        for order in [Order::C, Order::F] {
            let dir =
                std::env::temp_dir().join(format!("brickwork-shard-w-{order:?}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            let options = ZarrOptions {
                chunks: vec![2, 3],
                shards: Some(vec![4, 6]),
                compressor: Some(brickwork_core::config::from_json(r#"{"id": "zstd", "level": 1}"#).unwrap()),
                order,
                fill_value: Some((-1i16).to_le_bytes().to_vec()),
                format: ZarrFormat::V3,
                ..Default::default()
            };
            let layout = Layout::contiguous(&[rows, cols], 2, Order::C).unwrap();
            let dtype = DType::parse("<i2").unwrap();
            let (_, stats) =
                ZarrArray::create(&dir, &data, &layout, dtype, &options, Some(2), &|_, _| {}).unwrap();
            assert_eq!(stats.chunks, 3 * 2);
            let z = ZarrArray::open(&dir).unwrap();
            assert_eq!(
                (z.chunks(), z.inner_chunks(), z.order()),
                (&[4, 6][..], Some(&[2, 3][..]), Order::C)
            );
            assert_eq!(z.read(1 << 20, None).unwrap().data(), &data[..]);
            // shard (1, 0) covers rows 4..8, all fill: nothing but its index (2 × 2 inner chunks)
            assert_eq!(fs::metadata(dir.join("c/1/0")).unwrap().len(), 4 * 16 + 4);
            fs::remove_dir_all(&dir).unwrap();
        }
        let v2 = ZarrOptions {
            chunks: vec![2, 3],
            shards: Some(vec![4, 6]),
            ..Default::default()
        };
        let layout = Layout::contiguous(&[rows, cols], 2, Order::C).unwrap();
        let dir = std::env::temp_dir().join(format!("brickwork-shard-v2-{}", std::process::id()));
        let e = ZarrArray::create(
            &dir,
            &data,
            &layout,
            DType::parse("<i2").unwrap(),
            &v2,
            None,
            &|_, _| {},
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("shards are a Zarr v3 feature"), "{e}");
        assert!(!dir.exists());
        let odd = ZarrOptions {
            shards: Some(vec![5, 6]),
            format: ZarrFormat::V3,
            ..v2
        };
        let e = ZarrArray::create(
            &dir,
            &data,
            &layout,
            DType::parse("<i2").unwrap(),
            &odd,
            None,
            &|_, _| {},
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not a multiple of the inner chunk shape"), "{e}");
        assert!(!dir.exists());
    }
}
