//! Arrays of variable-length items (strings, bytes: v3's `string` and `bytes` data types, v2's `|O`
//! with an object codec first), read and written a chunk at a time as items, not bytes: the Python side
//! turns them into objects, and encodes chunks with the array's [items pipeline](ZarrArray::items_pipeline).
//!
//! A "chunk" here is what is decoded on its own: the chunk of an unsharded array, the inner chunk of a
//! sharded one (whose shards are read by their index, and rewritten once per call however many of their
//! inner chunks change).

use std::collections::BTreeMap;

use brickwork_codecs::pipeline::Pipeline;
use brickwork_core::{Codec, Decoded, Error, Limits, ObjectArray, Order, Result};

use std::borrow::Cow;

use super::shard::{ShardCodec, ShardFile};
use super::{chunk_error, write_atomic, ZarrArray};

/// Encoded inner chunks of one shard: each one's position in the shard, and its bytes.
type InnerChunks<'a> = Vec<(Vec<usize>, &'a [u8])>;

impl ZarrArray {
    /// The pipeline each chunk of items is encoded with (the inner chunks' for a sharded array): its
    /// first filter is the items' object codec.
    pub fn items_pipeline(&self) -> &Pipeline {
        self.shard.as_ref().map_or(&self.pipeline, |s| &s.spec().pipeline)
    }

    /// The order of the items of a chunk (of an inner chunk, for a sharded array).
    pub fn items_order(&self) -> Order {
        self.shard.as_ref().map_or(self.order, |s| s.spec().order)
    }

    /// The items of the chunk at `coords` of an array that [holds objects](ZarrArray::holds_objects):
    /// `coords` is a position in the grid of [`ZarrArray::inner_chunks`] for a sharded array, else of
    /// [`ZarrArray::chunks`]. Gives the chunk shape's worth of items, in memory order ([`ZarrArray::items_order`]), or `None` when the chunk
    /// was never written (every item is the fill value). The file is untrusted: decoding is held to
    /// `limits`, and it must give exactly one chunk's items.
    pub fn read_chunk_objects(&self, coords: &[usize], limits: &Limits) -> Result<Option<ObjectArray>> {
        let codec = self
            .items_pipeline()
            .as_object_codec()
            .ok_or_else(|| Error::InvalidArray("the array does not hold variable-length items".into()))?;
        let (key, bytes) = match &self.shard {
            None => {
                self.check_chunk_position(coords)?;
                let key = self.chunk_key(coords);
                let bytes = self.read_chunk_file(&key)?;
                (key, bytes)
            }
            Some(_) => {
                let (at, local) = self.split_inner(coords)?;
                let shard = self.shard_codec(&at)?;
                let key = self.chunk_key(&at);
                let file = ShardFile::open(self.path.join(&key))?;
                let bytes = shard
                    .open_shard(file, true)
                    .and_then(|open| shard.inner_bytes(&open, &local))
                    .map_err(|e| chunk_error(&key, e))?;
                (format!("{key} (inner chunk {local:?})"), bytes)
            }
        };
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        // (of a rectilinear grid, this chunk's own shape)
        let want = match &self.shard {
            Some(_) => self.decode_chunk_shape().iter().product::<usize>(),
            None => self.grid.stored_len(coords),
        };
        match codec
            .decode_any(&bytes, limits)
            .map_err(|e| chunk_error(&key, e))?
        {
            Decoded::Objects(items) if items.len() == want => Ok(Some(items)),
            Decoded::Objects(items) => Err(chunk_error(
                &key,
                Error::corrupt(
                    "zarr",
                    format!("it holds {} items; a chunk has {want}", items.len()),
                ),
            )),
            Decoded::Array(_) => Err(chunk_error(
                &key,
                Error::corrupt("zarr", "it decoded to a typed array, not items"),
            )),
        }
    }

    /// Writes chunks already encoded with the [items pipeline](ZarrArray::items_pipeline), each at its
    /// position (as for [`ZarrArray::read_chunk_objects`]), every file replaced atomically: how chunks of
    /// variable-length items, encoded by the caller, are written. The inner chunks of one shard are
    /// written with one rewrite of its file, keeping the other inner chunks' bytes. Positions are all
    /// checked before anything is written.
    pub fn write_encoded_chunks(&self, chunks: &[(Vec<usize>, Vec<u8>)]) -> Result<()> {
        if self.shard.is_none() {
            for (coords, _) in chunks {
                self.check_chunk_position(coords)?;
            }
            return chunks
                .iter()
                .try_for_each(|(coords, bytes)| write_atomic(&self.path, &self.chunk_key(coords), bytes));
        }
        let mut by_shard: BTreeMap<Vec<usize>, InnerChunks<'_>> = BTreeMap::new();
        for (coords, bytes) in chunks {
            let (at, local) = self.split_inner(coords)?;
            by_shard.entry(at).or_default().push((local, bytes));
        }
        for (at, inner) in by_shard {
            let key = self.chunk_key(&at);
            let existing = self.read_chunk_file(&key)?;
            let file = self
                .shard_codec(&at)?
                .replace_inner(existing.as_deref(), &inner)
                .map_err(|e| chunk_error(&key, e))?;
            write_atomic(&self.path, &key, &file)?;
        }
        Ok(())
    }

    /// The shape of what is decoded on its own: the inner chunk shape of a sharded array, else the chunk
    /// shape (one element for a 0-d array).
    pub(super) fn decode_chunk_shape(&self) -> &[usize] {
        self.inner_chunks().unwrap_or(self.grid.chunk())
    }

    /// Of a position in the inner chunks' grid of a sharded array: the shard's grid position and the
    /// inner chunk's position in the shard.
    pub(super) fn split_inner(&self, coords: &[usize]) -> Result<(Vec<usize>, Vec<usize>)> {
        let inner_grid = self.decode_grid()?;
        let grid = inner_grid.grid_shape();
        if coords.len() != grid.len() || coords.iter().zip(grid).any(|(c, n)| c >= n) {
            return Err(Error::InvalidArray(format!(
                "{coords:?} is not an inner chunk position of the grid {grid:?}"
            )));
        }
        self.split_inside(coords)
    }

    /// [`ZarrArray::split_inner`] of a position known to be inside the inner chunks' grid.
    pub(super) fn split_inside(&self, coords: &[usize]) -> Result<(Vec<usize>, Vec<usize>)> {
        let inner = self
            .inner_chunks()
            .ok_or_else(|| Error::InvalidArray("internal: not a sharded array".into()))?;
        // the shard that holds the inner chunk's first element (shard boundaries, rectilinear ones too,
        // are multiples of the inner chunk shape)
        let at: Vec<usize> = (0..coords.len())
            .map(|a| self.grid.chunk_of(a, coords[a] * inner[a]))
            .collect();
        let first = self.first_inner(&at)?;
        Ok((at, coords.iter().zip(&first).map(|(c, f)| c - f).collect()))
    }

    /// The position in the inner chunks' grid of the first inner chunk of the shard at `at`.
    pub(super) fn first_inner(&self, at: &[usize]) -> Result<Vec<usize>> {
        let inner = self
            .inner_chunks()
            .ok_or_else(|| Error::InvalidArray("internal: not a sharded array".into()))?;
        Ok((0..at.len())
            .map(|a| self.grid.chunk_span(a, at[a]).0 / inner[a])
            .collect())
    }

    /// Of a sharded array, where the index of the shard at grid position `at` is in its file: its length
    /// in bytes (16 per inner chunk, and 4 for a checksum), whether it is at the file's start (else at its
    /// end), and whether its entries (offset, length) are big-endian; `None` for an array without shards.
    /// What a reader fetching byte ranges needs to know (see Python's `brickwork.zarr._remote`).
    pub fn shard_index_layout(&self, at: &[usize]) -> Result<Option<(usize, bool, bool)>> {
        if self.shard.is_none() {
            return Ok(None);
        }
        self.check_chunk_position(at)?;
        let codec = self.shard_codec(at)?;
        let spec = codec.spec();
        Ok(Some((
            codec.index_len(),
            spec.index_at_start,
            spec.index_big_endian,
        )))
    }

    /// The codec of the shard at `at` (of its own shape, in a rectilinear grid).
    pub(super) fn shard_codec(&self, at: &[usize]) -> Result<Cow<'_, ShardCodec>> {
        let codec = self
            .shard
            .as_ref()
            .ok_or_else(|| Error::InvalidArray("internal: not a sharded array".into()))?;
        codec.for_shape(&self.grid.stored_shape(at))
    }

    pub(super) fn check_chunk_position(&self, coords: &[usize]) -> Result<()> {
        if coords.len() != self.grid.ndim() || coords.iter().zip(self.grid.grid_shape()).any(|(c, n)| c >= n)
        {
            return Err(Error::InvalidArray(format!(
                "{coords:?} is not a chunk position of the grid {:?}",
                self.grid.grid_shape()
            )));
        }
        Ok(())
    }
}
