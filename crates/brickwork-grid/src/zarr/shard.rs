//! Zarr v3 shards (the `sharding_indexed` codec, zarr-python's `shards=`): reading.
//!
//! A sharded array stores each chunk of its grid (a *shard*) as one file holding many inner chunks, each
//! encoded with the inner codec chain, plus an index: for every inner chunk, in C order over the shard's
//! inner grid, its byte offset in the file and its length, two `u64`s (both `2⁶⁴ − 1` for an inner chunk
//! that was never written, which reads as the fill value). The index is encoded with its own chain
//! (`bytes`, usually followed by `crc32c`) and sits at the end of the file, or at the start. Inner
//! chunks tile the shard exactly (the spec requires the shard shape to be a multiple of theirs).
//!
//! The file is untrusted: its length is checked against the index's size, every offset and length
//! against the file, and each inner chunk must decode to exactly its size.

use brickwork_codecs::pipeline::Pipeline;
use brickwork_core::{Codec, Error, Order, Result};

use crate::assemble::place;
use crate::grid::{ChunkGrid, Edge};
use crate::layout::Layout;
use crate::tobytes::fill_elements;

/// A `sharding_indexed` configuration, as parsed from `zarr.json`.
#[derive(Debug)]
pub(super) struct ShardSpec {
    /// The inner chunk shape.
    pub chunks: Vec<usize>,
    /// The element order inside inner chunks.
    pub order: Order,
    /// The inner codecs.
    pub pipeline: Pipeline,
    /// The index codecs: whether the index is big-endian, whether a CRC32C follows it.
    pub index_big_endian: bool,
    /// The `crc32c` codec after the index's `bytes`, if any.
    pub index_checksum: Option<Pipeline>,
    /// `index_location` is `"start"`.
    pub index_at_start: bool,
}

/// How to read the shards of one array.
#[derive(Debug)]
pub(super) struct Shards {
    pub spec: ShardSpec,
    /// The inner chunks' grid over one shard.
    pub grid: ChunkGrid,
}

/// The marker of an inner chunk that was never written.
const MISSING: u64 = u64::MAX;

impl Shards {
    /// Checks `spec` against the shard shape (the array's chunk shape).
    pub fn new(spec: ShardSpec, shard_shape: &[usize]) -> Result<Self> {
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
        Ok(Shards { spec, grid })
    }

    /// The index's bytes: 16 per inner chunk, plus 4 for its checksum.
    fn index_len(&self) -> usize {
        self.grid.len() * 16 + if self.spec.index_checksum.is_some() { 4 } else { 0 }
    }

    /// Decodes the shard file `file` into `out`: the whole shard's elements (`itemsize` bytes each) in C
    /// order. Inner chunks that were never written read as `fill`.
    pub fn decode(&self, file: &[u8], out: &mut [u8], itemsize: usize, fill: &[u8], key: &str) -> Result<()> {
        let corrupt = |reason: String| Error::corrupt("sharding_indexed", format!("shard {key}: {reason}"));
        let shard_len = self.grid.shape().iter().product::<usize>() * itemsize;
        if out.len() != shard_len {
            return Err(Error::output_size(
                "sharding_indexed",
                format!("exactly {shard_len}"),
                out.len(),
            ));
        }
        let index_len = self.index_len();
        if file.len() < index_len {
            return Err(corrupt(format!(
                "the file has {} bytes, fewer than its index of {} inner chunks needs ({index_len})",
                file.len(),
                self.grid.len()
            )));
        }
        let encoded_index = if self.spec.index_at_start {
            &file[..index_len]
        } else {
            &file[file.len() - index_len..]
        };
        let mut index = vec![0u8; self.grid.len() * 16];
        match &self.spec.index_checksum {
            Some(crc) => crc
                .decode_into(encoded_index, &mut index)
                .map_err(|e| corrupt(format!("index: {e}")))?,
            None => {
                index.copy_from_slice(encoded_index);
                index.len()
            }
        };
        let entry = |k: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&index[8 * k..8 * k + 8]);
            if self.spec.index_big_endian {
                u64::from_be_bytes(b)
            } else {
                u64::from_le_bytes(b)
            }
        };
        let shard_layout = Layout::contiguous(self.grid.shape(), itemsize, Order::C)?;
        let inner_len = self.grid.chunk().iter().product::<usize>() * itemsize;
        let mut inner = vec![0u8; inner_len];
        let grid_shape = self.grid.grid_shape();
        let mut coords = vec![0usize; grid_shape.len()];
        for j in 0..self.grid.len() {
            // the index is in C order over the inner grid
            let mut rest = j;
            for (c, &n) in coords.iter_mut().zip(grid_shape).rev() {
                *c = rest % n;
                rest /= n;
            }
            let (offset, length) = (entry(2 * j), entry(2 * j + 1));
            if offset == MISSING && length == MISSING {
                fill_elements(&mut inner, fill);
            } else {
                let range = usize::try_from(offset)
                    .ok()
                    .zip(usize::try_from(length).ok())
                    .and_then(|(o, l)| Some(o..o.checked_add(l)?))
                    .filter(|r| r.end <= file.len())
                    .ok_or_else(|| {
                        corrupt(format!(
                            "inner chunk {coords:?} lies at bytes {offset}..+{length}, outside the file's {}",
                            file.len()
                        ))
                    })?;
                let n = self
                    .spec
                    .pipeline
                    .decode_into(&file[range], &mut inner)
                    .map_err(|e| match e {
                        Error::Corrupt { codec, reason } => Error::Corrupt {
                            codec,
                            reason: format!("shard {key}, inner chunk {coords:?}: {reason}"),
                        },
                        other => other,
                    })?;
                if n != inner_len {
                    return Err(corrupt(format!(
                        "inner chunk {coords:?} decoded to {n} bytes; it holds {inner_len}"
                    )));
                }
            }
            place(
                &inner,
                &self.grid,
                &coords,
                self.spec.order,
                out,
                &shard_layout,
                0,
            )?;
        }
        Ok(())
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
