//! Zarr directory stores, format 2 and 3: metadata plus one file per chunk, readable by zarr-python, Dask,
//! xarray and tensorstore, and reading what they write.
//!
//! The formats differ in their metadata ([`v2`]: `.zarray` with numcodecs configs; [`v3`]: `zarr.json`
//! with a codec chain, which brickwork maps onto the same numcodecs pipeline) and in how chunk files are
//! named; the rest is shared: the chunk at grid position `(i, j, k)` is one file, every chunk, edge chunks
//! included, holds the full chunk shape (the part beyond the array padded with the fill value), and a
//! 0-d array is one chunk.
//!
//! Writing is crash-safe: each chunk and the metadata are written to a temporary file in the same
//! directory and renamed into place, so a reader never sees a truncated file, and the metadata is written
//! last. If a write fails, the files written so far are removed, and a directory created by the call is
//! removed too. Reading treats the metadata as untrusted: every size is checked (zero chunk sizes, shape
//! and chunk lengths that differ, overflowing products, unknown dtypes, an array larger than the caller's
//! byte limit) before anything is allocated; a missing chunk reads as the fill value.
//!
//! Regions ([`Selection`]s) are read and written too, for arrays larger than memory: a read decodes only
//! the chunks the region touches (of a shard, only the inner chunks it needs, read from the file by
//! offset); a write ([`ZarrArray::write_selection`], on an array made by [`ZarrArray::create_empty`] or
//! any other) encodes the chunks it covers from the data and reads, updates and rewrites those it covers
//! in part, each chunk file replaced atomically. Single elements named by their coordinates are read and
//! written too (`points.rs`: zarr-python's `vindex`).

mod chunk_grid;
mod listing;
mod objects;
mod points;
mod record;
mod resize;
mod shard;
mod v2;
mod v3;

use std::borrow::Cow;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use brickwork_codecs::pipeline::Pipeline;
use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Error, Kind, Order, Result};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::assemble::overlay;
use crate::encode::{decode_with, encode_each, grow_zeroed};
use crate::grid::{AxisChunks, ChunkGrid, Edge};
use crate::layout::{self, Layout};
use crate::parallel::{self, CODEC_BYTES_PER_THREAD};
use crate::selection::Selection;
use crate::tobytes::fill_elements;
pub use brickwork_core::Record;
pub use chunk_grid::GridSpec;
use shard::{OpenShard, ShardCodec, ShardFile, MAX_OPEN_SHARDS};

/// What a write puts into the chunks it touches (a region's elements: [`Region`]; or single elements:
/// `points.rs`).
pub(crate) trait Edit: Sync {
    /// Whether the chunk of `grid` at `coords` holds an element the edit writes.
    fn touches(&self, grid: &ChunkGrid, coords: &[usize]) -> bool;
    /// Whether the edit writes every element of the chunk (so its old contents need not be read).
    fn covers(&self, grid: &ChunkGrid, coords: &[usize]) -> bool;
    /// Writes the elements the chunk holds into its stored bytes (`chunk`, in `order`).
    fn apply(&self, grid: &ChunkGrid, coords: &[usize], order: Order, chunk: &mut [u8]) -> Result<()>;
}

/// The elements of a selection, from `src` laid out as `layout` (the selection's shape) with element
/// `(0, …, 0)` at byte `origin`.
struct Region<'a> {
    sel: &'a Selection,
    src: &'a [u8],
    layout: &'a Layout,
    origin: isize,
}

impl Edit for Region<'_> {
    fn touches(&self, grid: &ChunkGrid, coords: &[usize]) -> bool {
        self.sel.touches(grid, coords)
    }

    fn covers(&self, grid: &ChunkGrid, coords: &[usize]) -> bool {
        self.sel.covers(grid, coords)
    }

    fn apply(&self, grid: &ChunkGrid, coords: &[usize], order: Order, chunk: &mut [u8]) -> Result<()> {
        overlay(
            self.src,
            self.layout,
            self.origin,
            self.sel,
            grid,
            coords,
            order,
            chunk,
        )
    }
}

/// Decodes chunk `i` of a grid into a zeroed buffer of its size; returns the bytes written.
type Fetch<'a> = dyn Fn(usize, &mut [u8]) -> Result<usize> + Sync + 'a;

/// The default cap on the bytes [`ZarrArray::read`] allocates for a whole array: 16 GiB. The metadata is
/// untrusted, so larger arrays need an explicit, larger limit.
pub const DEFAULT_MAX_ARRAY_BYTES: u64 = 16 << 30;

/// The largest metadata file accepted (real ones are a few hundred bytes).
const MAX_META_BYTES: u64 = 1 << 24;

/// The Zarr format of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZarrFormat {
    /// Zarr v2: `.zarray`, numcodecs configs.
    #[default]
    V2,
    /// Zarr v3: `zarr.json`, a codec chain.
    V3,
}

impl ZarrFormat {
    /// The metadata file's name.
    pub fn meta_file(self) -> &'static str {
        match self {
            ZarrFormat::V2 => v2::FILE,
            ZarrFormat::V3 => v3::FILE,
        }
    }
}

/// How grid positions become chunk file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkKeys {
    /// Zarr v3's default encoding puts every key under `c` (`c/0/1`, and `c` for a 0-d array); Zarr v2
    /// and v3's "v2" encoding do not (`0.1`, and `0`).
    pub prefix: bool,
    /// `.` or `/`.
    pub separator: char,
}

impl ChunkKeys {
    /// Zarr v2's keys (`0.1`), also v3's "v2" encoding.
    pub fn v2(separator: char) -> Self {
        ChunkKeys {
            prefix: false,
            separator,
        }
    }

    /// Zarr v3's default keys (`c/0/1`).
    pub fn v3(separator: char) -> Self {
        ChunkKeys {
            prefix: true,
            separator,
        }
    }
}

/// What a store's metadata says, validated by [`v2::parse`] or [`v3::parse`].
struct Meta {
    shape: Vec<usize>,
    chunks: GridSpec,
    dtype: DType,
    order: Order,
    fill: Option<Vec<u8>>,
    keys: ChunkKeys,
    pipeline: Pipeline,
    /// Zarr v3 `sharding_indexed`: each chunk file is a shard of inner chunks.
    shard: Option<shard::ShardSpec>,
    /// A structured data type's fields (`dtype` is then `|V<n>`, the record's bytes).
    record: Option<Record>,
}

/// What to write into a new store, besides the data.
#[derive(Debug, Clone)]
pub struct ZarrOptions {
    /// Chunk shape (the inner chunk shape when `shards` are given).
    pub chunks: Vec<usize>,
    /// Zarr v3 only: the axes of a rectilinear (variable) chunk grid, zarr-python's experimental
    /// `chunks=[[10, 20, 30], [50, 50]]`, used instead of `chunks` (of `shards`, when sharded: then the
    /// shard boundaries vary and `chunks` is the inner chunk shape).
    pub rectilinear: Option<Vec<AxisChunks>>,
    /// numcodecs config of the compressor, or `None`.
    pub compressor: Option<Config>,
    /// numcodecs configs of the filters, applied in order before the compressor.
    pub filters: Vec<Config>,
    /// Element order inside each chunk.
    pub order: Order,
    /// The fill value as one element's bytes (dtype byte order), or `None` (`null`).
    pub fill_value: Option<Vec<u8>>,
    /// `'.'` or `'/'` between the grid coordinates of chunk keys; `None` for the format's default (`.`
    /// in v2, `/` in v3).
    pub dimension_separator: Option<char>,
    /// Zarr v2 (`.zarray`, the default) or v3 (`zarr.json`).
    pub format: ZarrFormat,
    /// Zarr v3 only: the shard shape (a multiple of `chunks`, which are then the inner chunks): each
    /// chunk file holds one shard (`sharding_indexed`, index at the end with a CRC32C).
    pub shards: Option<Vec<usize>>,
    /// Replace an existing store at the path (only a directory that holds a Zarr array).
    pub overwrite: bool,
    /// User attributes (zarr-python's `attributes=`): a JSON object written to `.zattrs` (v2) or as
    /// `zarr.json`'s `attributes` (v3).
    pub attributes: Map<String, Value>,
    /// A structured data type's fields, when the dtype is a record's `|V<n>` ([`Record::dtype`]).
    pub record: Option<Record>,
    /// Whether chunks that hold only the fill value are written (see
    /// [`ZarrArray::set_write_empty_chunks`]); true by default.
    pub write_empty_chunks: bool,
}

impl Default for ZarrOptions {
    fn default() -> Self {
        ZarrOptions {
            chunks: Vec::new(),
            rectilinear: None,
            compressor: None,
            filters: Vec::new(),
            order: Order::C,
            fill_value: None,
            dimension_separator: None,
            format: ZarrFormat::V2,
            shards: None,
            overwrite: false,
            attributes: Map::new(),
            record: None,
            write_empty_chunks: true,
        }
    }
}

/// Counts of a write, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Chunk files written (a chunk left out, or removed, because it holds only the fill value is not
    /// counted).
    pub chunks: u64,
    /// Raw bytes of the array.
    pub bytes_in: u64,
    /// Bytes of all chunk files.
    pub bytes_out: u64,
}

/// An opened (or just written) Zarr array: its metadata and codec pipeline.
#[derive(Debug)]
pub struct ZarrArray {
    path: PathBuf,
    format: ZarrFormat,
    shape: Vec<usize>,
    dtype: DType,
    order: Order,
    fill: Option<Vec<u8>>,
    keys: ChunkKeys,
    /// The chunk grid as the metadata declares it (a rectilinear one's edges may reach beyond the array).
    spec: GridSpec,
    grid: ChunkGrid,
    pipeline: Pipeline,
    /// Zarr v3 `sharding_indexed` (`pipeline` holds the same codec, for writing).
    shard: Option<shard::ShardCodec>,
    /// A structured data type's fields (`dtype` is then `|V<n>`, the record's bytes).
    record: Option<Record>,
    /// Whether writes store chunks that hold only the fill value (true), or leave them out and remove
    /// their files (zarr-python's `write_empty_chunks=False`, its default); a runtime setting, not
    /// metadata (so it may change on a shared array). Shards whose inner chunks are all left out go the
    /// same way.
    write_empty_chunks: AtomicBool,
}

/// What a directory holds: a Zarr array or group, of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// An array (`.zarray`, or a `zarr.json` with `"node_type": "array"`).
    Array(ZarrFormat),
    /// A group (`.zgroup`, or a `zarr.json` with `"node_type": "group"`).
    Group(ZarrFormat),
}

/// What the directory `dir` holds, if it is a Zarr node (only the metadata file's name, or the
/// `node_type` of a `zarr.json`, is looked at). A `zarr.json` comes first, as zarr-python reads it.
pub fn node_at(dir: &Path) -> Option<Node> {
    let v3 = read_meta(&dir.join(v3::FILE)).ok();
    match v3.as_ref().and_then(|m| m.get("node_type")?.as_str()) {
        Some("array") => return Some(Node::Array(ZarrFormat::V3)),
        Some("group") => return Some(Node::Group(ZarrFormat::V3)),
        _ => {}
    }
    if dir.join(v2::FILE).is_file() {
        return Some(Node::Array(ZarrFormat::V2));
    }
    if dir.join(".zgroup").is_file() {
        return Some(Node::Group(ZarrFormat::V2));
    }
    None
}

/// The members of the group at `dir`: the names of its subdirectories that are Zarr nodes, sorted, with
/// what they are.
pub fn group_members(dir: &Path) -> Result<Vec<(String, Node)>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(format!("cannot list {}", dir.display()), e))?;
    let mut members = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("cannot list {}", dir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if let Some(node) = node_at(&entry.path()) {
            members.push((name, node));
        }
    }
    members.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(members)
}

/// When `dir` holds no Zarr array: what it is instead, if it is a Zarr group (a clause ending in "; "),
/// else nothing.
/// What a store path that names a file is said to be: a store is a directory; a zip file (a store
/// zarr-python's `ZipStore` zipped) is named as such, with what opens it.
pub fn not_a_directory(path: &Path) -> String {
    let zip = fs::File::open(path).ok().and_then(|mut f| {
        let mut magic = [0u8; 4];
        std::io::Read::read_exact(&mut f, &mut magic)
            .ok()
            .map(|_| magic == *b"PK\x03\x04")
    });
    if zip == Some(true) {
        format!(
            "{} is a zip file, not a Zarr store directory: unzip it, or open it from Python with \
             brickwork.zarr.storage.ZipStore(path)",
            path.display()
        )
    } else {
        format!("{} is a file, not a Zarr store directory", path.display())
    }
}

fn what_is_there(dir: &Path) -> String {
    let Some(Node::Group(format)) = node_at(dir) else {
        return String::new();
    };
    let arrays: Vec<String> = group_members(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, node)| matches!(node, Node::Array(_)))
        .map(|(name, _)| name)
        .collect();
    let listed = match arrays.len() {
        0 => "it holds no arrays at its top level".to_owned(),
        n if n <= 10 => format!("open one of its arrays: {}", arrays.join(", ")),
        n => format!("open one of its {n} arrays, such as {}", arrays[..10].join(", ")),
    };
    let version = match format {
        ZarrFormat::V2 => 2,
        ZarrFormat::V3 => 3,
    };
    format!(
        "{} is a Zarr v{version} group, not an array ({listed}); ",
        dir.display()
    )
}

/// Reads and parses a metadata file, at most [`MAX_META_BYTES`] of it whatever its size.
fn read_meta(path: &Path) -> Result<Map<String, Value>> {
    use std::io::Read;
    let file = fs::File::open(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let mut text = Vec::new();
    file.take(MAX_META_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    parse_meta(path, &text)
}

/// Parses the text of a metadata file (untrusted).
fn parse_meta(path: &Path, text: &[u8]) -> Result<Map<String, Value>> {
    if text.len() as u64 > MAX_META_BYTES {
        return Err(invalid(
            path,
            "the file is larger than 16 MiB; it is not Zarr metadata",
        ));
    }
    match serde_json::from_slice(text).map_err(|e| invalid(path, format!("not JSON: {e}")))? {
        Value::Object(meta) => Ok(meta),
        _ => Err(invalid(path, "not a JSON object")),
    }
}

impl ZarrArray {
    /// Opens the array at `path` (Zarr v2 or v3), validating its metadata.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if path.is_file() {
            return Err(Error::InvalidArray(not_a_directory(&path)));
        }
        // a directory holding both (zarr-python writes a v2 parent group's .zgroup beside a v3 array's
        // zarr.json) is read as v3, as zarr-python reads it
        let format = if path.join(v3::FILE).is_file() {
            ZarrFormat::V3
        } else {
            ZarrFormat::V2
        };
        let meta_path = path.join(format.meta_file());
        let meta = read_meta(&meta_path).map_err(|e| match e {
            Error::Io { context, source } if source.kind() == std::io::ErrorKind::NotFound => Error::Io {
                context: format!(
                    "{}{context} (a Zarr v2 array has a .zarray, a v3 array a zarr.json)",
                    what_is_there(&path)
                ),
                source,
            },
            other => other,
        })?;
        if meta.get("node_type") == Some(&json!("group")) {
            let what = what_is_there(&path);
            return Err(Error::InvalidArray(what.trim_end_matches("; ").to_owned()));
        }
        Self::from_parsed(path, format, &meta)
    }

    /// Builds the array at `path` from the bytes of its `.zarray` (untrusted: everything is validated).
    pub fn from_zarray(path: impl AsRef<Path>, text: &[u8]) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let meta = parse_meta(&path.join(v2::FILE), text)?;
        Self::from_parsed(path, ZarrFormat::V2, &meta)
    }

    /// Builds the array at `path` from the bytes of its `zarr.json` (untrusted: everything is validated).
    pub fn from_zarr_json(path: impl AsRef<Path>, text: &[u8]) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let meta = parse_meta(&path.join(v3::FILE), text)?;
        Self::from_parsed(path, ZarrFormat::V3, &meta)
    }

    fn from_parsed(path: PathBuf, format: ZarrFormat, meta: &Map<String, Value>) -> Result<Self> {
        let meta_path = path.join(format.meta_file());
        let parsed = match format {
            ZarrFormat::V2 => v2::parse(meta),
            ZarrFormat::V3 => v3::parse(meta),
        };
        parsed
            .and_then(|m| Self::new(path, format, m))
            .map_err(|e| match e {
                Error::InvalidArray(m) => invalid(&meta_path, m),
                other => other,
            })
    }

    fn new(path: PathBuf, format: ZarrFormat, meta: Meta) -> Result<Self> {
        let Meta {
            shape,
            chunks,
            dtype,
            order,
            fill,
            keys,
            pipeline,
            shard,
            record,
        } = meta;
        if record.as_ref().is_some_and(|r| r.dtype() != dtype) {
            return Err(Error::InvalidArray(format!(
                "dtype {dtype} is not the {}-byte record its fields describe",
                record.as_ref().map_or(0, Record::itemsize)
            )));
        }
        if shape.len() != chunks.ndim() {
            return Err(Error::InvalidArray(format!(
                "shape {shape:?} and chunks {} have different numbers of dimensions",
                chunks.to_json()["configuration"]
            )));
        }
        if dtype.itemsize() == 0 {
            return Err(Error::InvalidArray(format!("dtype {dtype} has no item size")));
        }
        if let Some(f) = fill.as_ref().filter(|_| !matches!(dtype.kind(), Kind::Object)) {
            if f.len() != dtype.itemsize() {
                return Err(Error::InvalidArray(format!(
                    "the fill value has {} bytes; {dtype} has {}",
                    f.len(),
                    dtype.itemsize()
                )));
            }
        }
        let grid = chunks.grid(&shape)?;
        let chunk_elems = brickwork_core::element_count(grid.chunk())?;
        chunk_elems.checked_mul(dtype.itemsize()).ok_or_else(|| {
            Error::InvalidArray(format!(
                "a chunk of {:?} {dtype} items is larger than can be addressed",
                grid.chunk()
            ))
        })?;
        let items_pipeline = shard.as_ref().map_or(&pipeline, |spec| &spec.pipeline);
        if matches!(dtype.kind(), Kind::Object) && items_pipeline.as_object_codec().is_none() {
            return Err(Error::InvalidArray(
                "an object (|O) array's chunks need an object codec (vlen-utf8, vlen-bytes, vlen-array, \
                 json2 or msgpack2) as the first filter; this array has none"
                    .into(),
            ));
        }
        let (pipeline, shard) = match shard {
            Some(spec) => {
                // every shard of a rectilinear grid holds whole inner chunks (the largest is checked
                // below, with the index's size)
                for a in 0..grid.ndim() {
                    let Some(edges) = grid.edges(a) else {
                        continue;
                    };
                    let inner = spec.chunks.get(a).copied().unwrap_or(1).max(1);
                    let odd = edges.runs().find(|(size, _)| !size.is_multiple_of(inner));
                    if let Some((size, _)) = odd {
                        return Err(Error::InvalidArray(format!(
                            "a shard of length {size} along axis {a} is not a multiple of the inner chunk \
                             shape {:?}; each rectilinear shard edge must hold whole inner chunks",
                            spec.chunks
                        )));
                    }
                }
                let spec = Arc::new(spec);
                let fill = fill.clone().unwrap_or_else(|| vec![0u8; dtype.itemsize()]);
                let codec = shard::ShardCodec::new(spec, grid.chunk(), dtype, fill)?;
                (
                    Pipeline::new(Vec::new(), Some(Box::new(codec.clone()))),
                    Some(codec),
                )
            }
            None => (pipeline, None),
        };
        Ok(ZarrArray {
            path,
            format,
            shape,
            dtype,
            order,
            fill,
            keys,
            spec: chunks,
            grid,
            pipeline,
            shard,
            record,
            write_empty_chunks: AtomicBool::new(true),
        })
    }

    /// Sets whether writes store chunks that hold only the fill value (the default, true) or leave them
    /// out and remove their files, as zarr-python's `write_empty_chunks=False` does. Chunks are compared
    /// with the fill value byte for byte, so a chunk of `-0.0` (fill `0.0`), or of NaNs with another bit
    /// pattern than the fill's, is kept: what is read back is always what was written.
    pub fn set_write_empty_chunks(&self, write: bool) {
        self.write_empty_chunks.store(write, Ordering::Relaxed);
    }

    /// See [`ZarrArray::set_write_empty_chunks`].
    pub fn write_empty_chunks(&self) -> bool {
        self.write_empty_chunks.load(Ordering::Relaxed)
    }

    /// The chunk grid a Zarr array of `shape` in `chunks` is stored as: edge chunks padded, and a 0-d
    /// array as one chunk of one element.
    pub fn grid_for(shape: &[usize], chunks: &[usize]) -> Result<ChunkGrid> {
        if shape.is_empty() && chunks.is_empty() {
            return ChunkGrid::new(&[1], &[1], Edge::Pad);
        }
        ChunkGrid::new(shape, chunks, Edge::Pad)
    }

    /// The array shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The inner chunk shape of a sharded (Zarr v3) array, whose [`ZarrArray::chunks`] are its shards.
    pub fn inner_chunks(&self) -> Option<&[usize]> {
        self.shard.as_ref().map(|s| s.spec().chunks.as_slice())
    }

    /// The chunk grid (of the chunk files: the shards of a sharded array).
    pub fn grid(&self) -> &ChunkGrid {
        &self.grid
    }

    /// The chunk grid as the metadata declares it.
    pub fn grid_spec(&self) -> &GridSpec {
        &self.spec
    }

    /// The chunk shape (of each chunk file: the shard shape of a sharded array); of a rectilinear grid,
    /// the largest chunk length of each axis ([`ZarrArray::grid`] has each chunk's).
    pub fn chunks(&self) -> &[usize] {
        if self.shape.is_empty() {
            &[]
        } else {
            self.grid.chunk()
        }
    }

    /// The Zarr format.
    pub fn format(&self) -> ZarrFormat {
        self.format
    }

    /// The fields of a structured data type (the dtype is then the record's `|V<n>`).
    pub fn record(&self) -> Option<&Record> {
        self.record.as_ref()
    }

    /// The dtype.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The element order inside chunks.
    pub fn order(&self) -> Order {
        self.order
    }

    /// The codec pipeline (filters and compressor).
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The fill value's bytes, if any.
    pub fn fill_value(&self) -> Option<&[u8]> {
        self.fill.as_deref()
    }

    /// Number of chunks in the grid.
    pub fn chunk_count(&self) -> usize {
        self.grid.len()
    }

    /// Bytes of the whole decoded array (checked).
    pub fn nbytes(&self) -> Result<u64> {
        let n = brickwork_core::element_count(&self.shape)? as u128 * self.dtype.itemsize() as u128;
        u64::try_from(n).map_err(|_| Error::InvalidArray("the array is larger than can be addressed".into()))
    }

    /// The file name of the chunk at grid coordinates `coords`.
    pub fn chunk_key(&self, coords: &[usize]) -> String {
        let sep = self.keys.separator.to_string();
        let position = coords
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(&sep);
        match (self.keys.prefix, self.shape.is_empty()) {
            (false, true) => "0".into(),
            (false, false) => position,
            (true, true) => "c".into(),
            (true, false) => format!("c{sep}{position}"),
        }
    }

    /// Reads the whole array, allocating at most `max_bytes` (see [`DEFAULT_MAX_ARRAY_BYTES`]).
    pub fn read(&self, max_bytes: u64, threads: Option<usize>) -> Result<ArrayBuf> {
        let n = self.nbytes()?;
        if n > max_bytes {
            return Err(Error::limit(
                "zarr",
                &format!("the array the {} describes", self.format.meta_file()),
                n,
                max_bytes as usize,
            ));
        }
        let mut data = crate::encode::zeroed(n as usize, "the array")?;
        let layout = Layout::contiguous(self.grid.shape(), self.dtype.itemsize(), self.order)?;
        self.read_into(&mut data, &layout, max_bytes, threads)?;
        ArrayBuf::new(data, self.dtype, self.shape.clone(), self.order)
    }

    /// Reads the whole array into `dst`, laid out as `layout` (the array's shape, any order or strides).
    /// Each chunk is decoded in a buffer of the chunk shape, which may hold at most `max_bytes`: the chunk
    /// shape comes from untrusted metadata (a 1-element array may claim terabyte chunks).
    pub fn read_into(
        &self,
        dst: &mut [u8],
        layout: &Layout,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> Result<()> {
        self.read_selection_into(
            &Selection::all(self.grid.shape()),
            dst,
            layout,
            max_bytes,
            threads,
        )
    }

    /// Reads the elements `sel` selects into `dst`, laid out as `layout` (the selection's shape, any
    /// order or strides). Only the chunk files that hold selected elements are read, and of a shard that
    /// is not wholly selected only its index and the inner chunks that hold selected elements. A 0-d
    /// array is selected as one element of shape `[1]`. `max_bytes` bounds each chunk's decoding buffer
    /// (see [`ZarrArray::read_into`]).
    pub fn read_selection_into(
        &self,
        sel: &Selection,
        dst: &mut [u8],
        layout: &Layout,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> Result<()> {
        self.not_objects()?;
        sel.check(self.grid.shape())?;
        if layout.itemsize() != self.dtype.itemsize() {
            return Err(Error::InvalidArray(format!(
                "the output has {}-byte items but the array's dtype {} has {}",
                layout.itemsize(),
                self.dtype,
                self.dtype.itemsize()
            )));
        }
        if layout.shape() != sel.shape() {
            return Err(Error::InvalidArray(format!(
                "the output has shape {:?} but the selection has {:?}",
                layout.shape(),
                sel.shape()
            )));
        }
        layout.check_distinct()?;
        let max_chunk = usize::try_from(max_bytes).unwrap_or(usize::MAX);
        let shards = match &self.shard {
            Some(_) => sel.touched_chunks(&self.grid, layout.strides()),
            None => Vec::new(),
        };
        self.with_fetch(&shards, max_chunk, threads, |grid, order, fetch| {
            decode_with(grid, sel, order, dst, layout, threads, "zarr", max_chunk, fetch)
        })
    }

    /// Calls `body(grid, order, fetch)` with the grid the array's chunks are decoded on (the inner
    /// chunks of a sharded array), their order, and `fetch(i, buf)`, which decodes chunk `i` of that grid
    /// into `buf` (zeroed, the chunk's size) and returns the bytes written; a missing chunk is the fill
    /// value. For a sharded array, `shards` lists the shards (chunks of [`ZarrArray::chunks`]) that
    /// `fetch` will be asked for: each is opened first, once, its index read and checked (in parallel on
    /// `threads`), then inner chunks are decoded from any thread with positional reads. One decoded
    /// chunk may hold at most `max_chunk` bytes.
    fn with_fetch<R>(
        &self,
        shards: &[usize],
        max_chunk: usize,
        threads: Option<usize>,
        body: impl FnOnce(&ChunkGrid, Order, &Fetch<'_>) -> Result<R>,
    ) -> Result<R> {
        let chunk =
            brickwork_core::element_count(self.decode_chunk_shape())?.saturating_mul(self.dtype.itemsize());
        if chunk > max_chunk {
            let what = if self.shard.is_some() {
                "one inner chunk"
            } else {
                "one chunk"
            };
            return Err(Error::limit("zarr", what, chunk as u64, max_chunk));
        }
        let Some(codec) = &self.shard else {
            return body(&self.grid, self.order, &|i, buf| {
                let key = self.chunk_key(&self.grid.coords(i));
                match self.read_chunk_file(&key)? {
                    Some(bytes) => self.decode_chunk(&key, &bytes, buf),
                    None => {
                        // `buf` comes zeroed (and untouched, so a huge padded chunk costs no memory):
                        // only a nonzero fill value is written into it
                        if let Some(f) = self.fill.as_deref().filter(|f| f.iter().any(|&b| b != 0)) {
                            fill_elements(buf, f);
                        }
                        Ok(buf.len())
                    }
                }
            });
        };
        let keep_open = shards.len() <= MAX_OPEN_SHARDS;
        let open = |&i: &usize| -> Result<(usize, OpenShard, Cow<'_, ShardCodec>)> {
            let at = self.grid.coords(i);
            let key = self.chunk_key(&at);
            let file = ShardFile::open(self.path.join(&key))?;
            // (of its own shape, in a rectilinear grid)
            let codec = self.shard_codec(&at)?;
            let shard = codec
                .open_shard(file, keep_open)
                .map_err(|e| chunk_error(&key, e))?;
            Ok((i, shard, codec))
        };
        let work = shards.len().saturating_mul(codec.index_len());
        let mut opened = parallel::install(threads, work, CODEC_BYTES_PER_THREAD, |par| {
            if par {
                shards.par_iter().map(open).collect::<Result<Vec<_>>>()
            } else {
                shards.iter().map(open).collect::<Result<Vec<_>>>()
            }
        })??;
        opened.sort_unstable_by_key(|(i, _, _)| *i);
        let inner_grid = self.decode_grid()?;
        body(&inner_grid, codec.spec().order, &|i, buf| {
            let (at, local) = self.split_inside(&inner_grid.coords(i))?;
            let (_, shard, codec) = opened
                .binary_search_by_key(&self.grid.index(&at), |(i, _, _)| *i)
                .map(|k| &opened[k])
                .map_err(|_| Error::InvalidArray("internal: a shard was not opened".into()))?;
            codec
                .read_inner(shard, &local, buf)
                .map_err(|e| chunk_error(&self.chunk_key(&at), e))?;
            Ok(buf.len())
        })
    }

    /// The grid chunks are decoded on: the inner chunks of a sharded array, else the chunks.
    fn decode_grid(&self) -> Result<ChunkGrid> {
        match &self.shard {
            Some(codec) => ChunkGrid::new(self.grid.shape(), &codec.spec().chunks, Edge::Pad),
            None => Ok(self.grid.clone()),
        }
    }

    /// Whether the array holds variable-length items (strings or bytes: a NumPy object array, Zarr v2's
    /// `|O` dtype with a `vlen-utf8` or `vlen-bytes` filter, v3's `string` and `bytes` data types). Their
    /// chunks are decoded into items ([`ZarrArray::read_chunk_objects`]), not into a byte buffer.
    pub fn holds_objects(&self) -> bool {
        matches!(self.dtype.kind(), Kind::Object)
    }

    fn not_objects(&self) -> Result<()> {
        if self.holds_objects() {
            return Err(Error::InvalidArray(
                "the array holds variable-length items (strings or bytes), which have no fixed size \
                 to read into a buffer; read its chunks with ZarrArray::read_chunk_objects (Python's \
                 brickwork.zarr does)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The bytes of the chunk file `key`, or `None` when it does not exist (the chunk is the fill value).
    fn read_chunk_file(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let file = self.path.join(key);
        match fs::read(&file) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("cannot read chunk {}", file.display()), e)),
        }
    }

    /// Decodes the bytes of the chunk file `key` (one chunk, or one shard of a sharded array: untrusted)
    /// into `out`, which holds one full chunk in this array's order; returns the bytes written, all of
    /// `out`.
    pub fn decode_chunk(&self, key: &str, bytes: &[u8], out: &mut [u8]) -> Result<usize> {
        self.pipeline
            .decode_into(bytes, out)
            .map_err(|e| chunk_error(key, e))
    }

    /// Creates a store at `path` and writes `src` (laid out as `layout`, of `dtype`) into it.
    /// `progress(raw_bytes, encoded_bytes)` is called once per chunk written, from any thread.
    pub fn create(
        path: impl AsRef<Path>,
        src: &[u8],
        layout: &Layout,
        dtype: DType,
        options: &ZarrOptions,
        threads: Option<usize>,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<(ZarrArray, WriteStats)> {
        let path = path.as_ref().to_path_buf();
        if layout.itemsize() != dtype.itemsize() {
            return Err(Error::InvalidArray(format!(
                "dtype {dtype} has {}-byte items but the array's items have {} bytes",
                dtype.itemsize(),
                layout.itemsize()
            )));
        }
        if matches!(dtype.kind(), Kind::Object) {
            return Err(Error::InvalidArray(
                "an array of variable-length items has no bytes to write from: create it empty \
                 (create_empty) and write its chunks (write_encoded_chunks), as Python's brickwork.zarr does"
                    .into(),
            ));
        }
        let (array, meta) = Self::describe(&path, layout.shape(), dtype, options)?;
        array.set_write_empty_chunks(options.write_empty_chunks);
        let created = prepare_dir(&path, options.overwrite)?;
        let result = array
            .write_chunks(src, layout, threads, progress)
            .and_then(|stats| {
                array.write_meta(&meta, &options.attributes)?;
                Ok(stats)
            });
        match result {
            Ok(stats) => Ok((array, stats)),
            Err(e) => {
                if created {
                    let _ = fs::remove_dir_all(&path);
                } else {
                    array.remove_chunk_files();
                }
                Err(e)
            }
        }
    }

    /// Creates an array of `shape` and `dtype` at `path` with no chunks yet (every element reads as the
    /// fill value), to be written a region at a time with [`ZarrArray::write_selection`]: arrays larger
    /// than memory are made this way.
    pub fn create_empty(
        path: impl AsRef<Path>,
        shape: &[usize],
        dtype: DType,
        options: &ZarrOptions,
    ) -> Result<ZarrArray> {
        let path = path.as_ref().to_path_buf();
        let (array, meta) = Self::describe(&path, shape, dtype, options)?;
        let created = prepare_dir(&path, options.overwrite)?;
        array.write_meta(&meta, &options.attributes).inspect_err(|_| {
            if created {
                let _ = fs::remove_dir_all(&path);
            }
        })?;
        Ok(array)
    }

    /// Writes the metadata file (`meta`, with the user `attributes` in it for v3), after v2's `.zattrs`
    /// when there are attributes: the metadata comes last, so a store is only an array once complete.
    fn write_meta(&self, meta: &str, attributes: &Map<String, Value>) -> Result<()> {
        let meta = match (self.format, attributes.is_empty()) {
            (_, true) => meta.to_owned(),
            (ZarrFormat::V2, false) => {
                let text = pretty(&sort_keys(Value::Object(attributes.clone())), b"    ")?;
                write_atomic(&self.path, v2::ATTRS_FILE, text.as_bytes())?;
                meta.to_owned()
            }
            (ZarrFormat::V3, false) => {
                let mut value: Value = serde_json::from_str(meta)
                    .map_err(|e| Error::InvalidArray(format!("internal: zarr.json: {e}")))?;
                value["attributes"] = Value::Object(attributes.clone());
                pretty(&value, b"  ")?
            }
        };
        write_atomic(&self.path, self.format.meta_file(), meta.as_bytes())
    }

    /// The array `options` describe at `path` (validated), and its metadata file's text.
    fn describe(
        path: &Path,
        shape: &[usize],
        dtype: DType,
        options: &ZarrOptions,
    ) -> Result<(ZarrArray, String)> {
        let separator = match (options.dimension_separator, options.format) {
            (Some(c @ ('.' | '/')), _) => c,
            (None, ZarrFormat::V2) => '.',
            (None, ZarrFormat::V3) => '/',
            (Some(other), _) => {
                return Err(Error::InvalidArray(format!(
                    "dimension_separator must be '.' or '/', got {other:?}"
                )))
            }
        };
        let keys = match options.format {
            ZarrFormat::V2 => ChunkKeys::v2(separator),
            ZarrFormat::V3 => ChunkKeys::v3(separator),
        };
        let pipeline = Pipeline::from_configs(&options.filters, options.compressor.as_ref())?;
        // the chunk files' grid: the chunks, or the shards
        let outer = match (&options.rectilinear, &options.shards, options.format) {
            (Some(_), _, ZarrFormat::V2) => {
                return Err(Error::InvalidArray(
                    "rectilinear (variable) chunk grids are a Zarr v3 feature; write with zarr_format 3"
                        .into(),
                ))
            }
            (Some(axes), _, _) => GridSpec::Rectilinear(axes.clone()),
            (None, Some(shards), _) => GridSpec::Regular(shards.clone()),
            (None, None, _) => GridSpec::Regular(options.chunks.clone()),
        };
        let meta = match (&options.shards, options.format) {
            (None, _) => Meta {
                shape: shape.to_vec(),
                chunks: outer,
                dtype,
                order: options.order,
                fill: options.fill_value.clone(),
                keys,
                pipeline,
                shard: None,
                record: options.record.clone(),
            },
            (Some(_), ZarrFormat::V3) => Meta {
                shape: shape.to_vec(),
                chunks: outer,
                dtype,
                order: Order::C,
                fill: options.fill_value.clone(),
                keys,
                pipeline: Pipeline::new(Vec::new(), None),
                shard: Some(shard::ShardSpec {
                    chunks: options.chunks.clone(),
                    order: options.order,
                    pipeline,
                    index_big_endian: false,
                    index_checksum: Some(Pipeline::from_configs(
                        &[],
                        Some(&brickwork_core::config::from_json(r#"{"id": "crc32c"}"#)?),
                    )?),
                    index_at_start: false,
                }),
                record: options.record.clone(),
            },
            (Some(_), ZarrFormat::V2) => {
                return Err(Error::InvalidArray(
                    "shards are a Zarr v3 feature; write with zarr_format 3 to shard".into(),
                ))
            }
        };
        let array = ZarrArray::new(path.to_path_buf(), options.format, meta)?;
        let meta = array.meta_json()?;
        if options.format == ZarrFormat::V3 {
            // Write through the pipeline the metadata describes, as every reader will read it (the
            // v3 codecs spell some settings explicitly, such as Blosc's typesize).
            return Ok((ZarrArray::from_zarr_json(path, meta.as_bytes())?, meta));
        }
        Ok((array, meta))
    }

    /// Writes `src` (laid out as `layout`, the selection's shape) into the elements `sel` selects.
    /// Chunks the selection covers are encoded from `src` alone; the others are read (a missing one is
    /// the fill value), updated and written back. Each chunk file is replaced atomically, so a reader
    /// sees every chunk either before or after the write; writers of disjoint chunks may run at once
    /// (from other threads or processes), writers of the same chunk must not. `max_bytes` bounds each
    /// chunk's buffer, as in [`ZarrArray::read_into`].
    pub fn write_selection(
        &self,
        sel: &Selection,
        src: &[u8],
        layout: &Layout,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> Result<WriteStats> {
        if self.holds_objects() {
            return Err(Error::InvalidArray(
                "an array of variable-length items (strings, bytes) has no fixed-size elements to write \
                 from a buffer; encode its chunks with its pipeline and write them with \
                 ZarrArray::write_encoded_chunks (Python's brickwork.zarr does)"
                    .into(),
            ));
        }
        sel.check(self.grid.shape())?;
        let isz = self.dtype.itemsize();
        if layout.itemsize() != isz || layout.shape() != sel.shape() {
            return Err(Error::InvalidArray(format!(
                "the data has shape {:?} and {}-byte items; the selection needs {:?} and {isz}",
                layout.shape(),
                layout.itemsize(),
                sel.shape()
            )));
        }
        let chunk_strides = layout::contiguous_strides(self.grid.chunk(), isz, self.order)?;
        let touched = sel.touched_chunks(&self.grid, &chunk_strides);
        let region = Region {
            sel,
            src,
            layout,
            origin: layout.offset() as isize,
        };
        let bytes_in = (sel.shape().iter().product::<usize>() * isz) as u64;
        self.write_edit(&touched, &region, bytes_in, max_bytes, threads)
    }

    /// Applies `edit` to the chunks `touched` (indices of [`ZarrArray::chunks`]' grid): chunks the edit
    /// covers are written from it alone, the others are read (a missing one is the fill value),
    /// edited and written back, each file replaced atomically; a shard is rewritten an inner chunk at a
    /// time, keeping the encoded bytes of inner chunks the edit does not touch. `bytes_in` is what the
    /// stats report as written; `max_bytes` bounds each buffer.
    fn write_edit(
        &self,
        touched: &[usize],
        edit: &dyn Edit,
        bytes_in: u64,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> Result<WriteStats> {
        let isz = self.dtype.itemsize();
        let chunk_bytes = brickwork_core::element_count(self.grid.chunk())?.saturating_mul(isz);
        // a shard is rewritten an inner chunk at a time, never in a shard-sized buffer, but its index
        // (16 bytes per inner chunk, however many the metadata claims) is built whole
        let buffers = match &self.shard {
            Some(codec) => vec![
                (
                    brickwork_core::element_count(&codec.spec().chunks)?.saturating_mul(isz),
                    "one inner chunk",
                ),
                (codec.index_len(), "the index of one shard"),
            ],
            None => vec![(chunk_bytes, "one chunk")],
        };
        if let Some(&(n, what)) = buffers.iter().find(|(n, _)| *n as u64 > max_bytes) {
            return Err(Error::limit("zarr", what, n as u64, max_bytes as usize));
        }
        let zero = vec![0u8; isz];
        let fill = self.fill.as_deref().unwrap_or(&zero);
        let inner_grid = self.decode_grid()?;
        let out_bytes = AtomicU64::new(0);
        let written = AtomicU64::new(0);
        let write = |buf: &mut Vec<u8>, i: usize| -> Result<()> {
            let coords = self.grid.coords(i);
            let key = self.chunk_key(&coords);
            let covered = edit.covers(&self.grid, &coords);
            let existing = if covered {
                None
            } else {
                self.read_chunk_file(&key)?
            };
            if self.shard.is_some() {
                let codec = self.shard_codec(&coords)?;
                let first = self.first_inner(&coords)?;
                let file = codec
                    .update(existing.as_deref(), &inner_grid, &first, edit)
                    .map_err(|e| chunk_error(&key, e))?;
                if !self.write_empty_chunks() && codec.holds_no_chunks(&file) {
                    return remove_chunk_file(&self.path, &key);
                }
                write_atomic(&self.path, &key, &file)?;
                out_bytes.fetch_add(file.len() as u64, Ordering::Relaxed);
                written.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            // its own size: the chunks of a rectilinear grid differ
            let this_chunk = self.grid.stored_shape(&coords);
            let this_bytes = self.grid.stored_len(&coords) * isz;
            grow_zeroed(buf, this_bytes, "one chunk")?;
            match existing {
                Some(bytes) => {
                    let n = self.decode_chunk(&key, &bytes, buf)?;
                    crate::encode::check_decoded("zarr", format_args!("chunk {key}"), n, this_bytes)?;
                }
                None if fill.iter().any(|&b| b != 0) => fill_elements(buf, fill),
                None => {}
            }
            edit.apply(&self.grid, &coords, self.order, buf)?;
            if !self.write_empty_chunks() && crate::tobytes::holds_only(buf, fill) {
                return remove_chunk_file(&self.path, &key);
            }
            let view = ArrayView::new(buf, self.dtype, this_chunk, self.order)?;
            let encoded = self.pipeline.encode(&view).map_err(|e| chunk_error(&key, e))?;
            write_atomic(&self.path, &key, &encoded)?;
            out_bytes.fetch_add(encoded.len() as u64, Ordering::Relaxed);
            written.fetch_add(1, Ordering::Relaxed);
            Ok(())
        };
        let work = touched.len().saturating_mul(chunk_bytes);
        parallel::install(threads, work, CODEC_BYTES_PER_THREAD, |par| {
            if par {
                touched
                    .par_iter()
                    .try_for_each_init(Vec::new, |buf, &i| write(buf, i))
            } else {
                let mut buf = Vec::new();
                touched.iter().try_for_each(|&i| write(&mut buf, i))
            }
        })??;
        Ok(WriteStats {
            chunks: written.into_inner(),
            bytes_in,
            bytes_out: out_bytes.into_inner(),
        })
    }

    fn write_chunks(
        &self,
        src: &[u8],
        layout: &Layout,
        threads: Option<usize>,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<WriteStats> {
        // The data's own shape (a 0-d array is one element).
        let data_layout = if self.shape.is_empty() {
            Layout::strided(&[1], &[0], layout.itemsize(), layout.offset(), src.len())?
        } else {
            layout.clone()
        };
        let zero = vec![0u8; self.dtype.itemsize()];
        let fill = self.fill.as_deref().unwrap_or(&zero);
        let out_bytes = AtomicU64::new(0);
        let written = encode_each(
            src,
            &data_layout,
            &self.grid,
            self.order,
            fill,
            (!self.write_empty_chunks()).then_some(fill),
            &self.pipeline,
            self.dtype,
            threads,
            |i, enc| {
                let coords = self.grid.coords(i);
                let key = self.chunk_key(&coords);
                write_atomic(&self.path, &key, &enc)?;
                out_bytes.fetch_add(enc.len() as u64, Ordering::Relaxed);
                let raw = self.grid.stored_len(&coords) * self.dtype.itemsize();
                progress(raw as u64, enc.len() as u64);
                Ok(())
            },
        )?;
        Ok(WriteStats {
            chunks: written.len() as u64,
            bytes_in: self.nbytes()?,
            bytes_out: out_bytes.into_inner(),
        })
    }

    /// The metadata file's text (`.zarray` or `zarr.json`), formatted as zarr-python formats it (v2:
    /// sorted keys, 4-space indent; v3: 2-space indent).
    pub fn meta_json(&self) -> Result<String> {
        match self.format {
            ZarrFormat::V2 => pretty(&sort_keys(v2::emit(self)?), b"    "),
            ZarrFormat::V3 => pretty(&v3::emit(self)?, b"  "),
        }
    }

    /// Removes what a failed [`ZarrArray::create`] wrote into a directory that was empty before.
    fn remove_chunk_files(&self) {
        let _ = fs::remove_file(self.path.join(v2::ATTRS_FILE));
        for i in 0..self.grid.len() {
            let _ = fs::remove_file(self.path.join(self.chunk_key(&self.grid.coords(i))));
        }
    }
}

/// Creates `path` (returns true) or checks that it may be written (an empty directory, or with
/// `overwrite` an existing Zarr array of either format, which is removed first).
fn prepare_dir(path: &Path, overwrite: bool) -> Result<bool> {
    match fs::read_dir(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(path)
                .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
            Ok(true)
        }
        Err(e) => Err(Error::io(
            format!("cannot use {} as a Zarr store", path.display()),
            e,
        )),
        Ok(mut entries) => {
            if entries.next().is_none() {
                return Ok(false);
            }
            let is_array = path.join(v2::FILE).is_file()
                || read_meta(&path.join(v3::FILE))
                    .ok()
                    .is_some_and(|m| m.get("node_type") == Some(&json!("array")));
            if overwrite && is_array {
                fs::remove_dir_all(path)
                    .map_err(|e| Error::io(format!("cannot replace {}", path.display()), e))?;
                fs::create_dir_all(path)
                    .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
                return Ok(true);
            }
            Err(Error::InvalidArray(format!(
                "{} already exists and is not empty; {}",
                path.display(),
                if is_array {
                    "pass overwrite to replace the Zarr array there"
                } else {
                    "choose a new path (brickwork only replaces existing Zarr arrays)"
                }
            )))
        }
    }
}

/// Removes the chunk file `dir/key` if there is one (a chunk that now holds only the fill value).
fn remove_chunk_file(dir: &Path, key: &str) -> Result<()> {
    match fs::remove_file(dir.join(key)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(format!("cannot remove {}", dir.join(key).display()), e))
        }
        _ => Ok(()),
    }
}

/// Writes `dir/key` through a temporary file in the same directory and a rename.
fn write_atomic(dir: &Path, key: &str, bytes: &[u8]) -> Result<()> {
    let target = dir.join(key);
    let parent = target.parent().unwrap_or(dir);
    if key.contains('/') {
        fs::create_dir_all(parent)
            .map_err(|e| Error::io(format!("cannot create {}", parent.display()), e))?;
    }
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("chunk");
    let tmp = parent
        .join(format!(
            ".{name}.{}.{:?}.partial",
            std::process::id(),
            std::thread::current().id()
        ))
        .to_path_buf();
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        fs::rename(&tmp, &target)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(format!("cannot write {}", target.display()), e)
    })
}

/// `value` as JSON text indented by `indent`, as zarr-python formats its metadata.
fn pretty(value: &Value, indent: &[u8]) -> Result<String> {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(value, &mut ser).map_err(|e| Error::InvalidArray(e.to_string()))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn sizes(v: &Value, key: &str) -> Result<Vec<usize>> {
    let arr = v
        .as_array()
        .ok_or_else(|| Error::InvalidArray(format!("{key} must be a list of integers, got {v}")))?;
    if arr.len() > crate::MAX_NDIM {
        return Err(Error::InvalidArray(format!(
            "{key} has {} dimensions; at most {} are allowed",
            arr.len(),
            crate::MAX_NDIM
        )));
    }
    arr.iter()
        .map(|x| {
            x.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| Error::InvalidArray(format!("{key} must hold non-negative integers, got {x}")))
        })
        .collect()
}

fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

fn invalid(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::InvalidArray(format!("{}: {reason}", path.display()))
}

fn chunk_error(key: &str, e: Error) -> Error {
    match e {
        Error::Corrupt { codec, reason } => Error::Corrupt {
            codec,
            reason: format!("chunk {key}: {reason}"),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::Indices;
    use brickwork_core::{Limits, ObjectArray};

    /// A small deterministic generator for the randomised tests.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }

        /// A random selection of a 3-d `shape` (maybe empty): per axis, a list of indices a third of
        /// the time, else a start, count and a step below `steps` (1 half the time).
        fn selection(&mut self, shape: [usize; 3], steps: usize) -> Selection {
            let axes = (0..3)
                .map(|a| {
                    if self.below(3) == 0 {
                        let keep = 1 + self.below(4);
                        return Indices::List((0..shape[a]).filter(|_| self.below(keep) == 0).collect());
                    }
                    let step = 1 + self.below(steps) * self.below(2);
                    let start = self.below(shape[a]);
                    let count = self.below((shape[a] - start).div_ceil(step) + 1);
                    Indices::Range { start, count, step }
                })
                .collect();
            Selection::of(&shape, axes).unwrap()
        }
    }

    /// The options of the stores the randomised tests make: zstd, a fill value, and 4×3×5 chunks, or
    /// 2×3×5 inner chunks in `shards`.
    fn store_options(format: ZarrFormat, order: Order, shards: Option<Vec<usize>>, fill: u16) -> ZarrOptions {
        ZarrOptions {
            chunks: if shards.is_some() {
                vec![2, 3, 5]
            } else {
                vec![4, 3, 5]
            },
            compressor: Some(brickwork_core::config::from_json(r#"{"id":"zstd","level":1}"#).unwrap()),
            order,
            fill_value: Some(fill.to_le_bytes().to_vec()),
            format,
            shards,
            ..ZarrOptions::default()
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("brickwork-zarr-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        p
    }

    #[test]
    fn records_are_their_bytes_with_the_fields_in_the_metadata() {
        // a record of (a: <i4, b: <f8, c: |S2): 14 bytes, packed
        let descr = json!([["a", "<i4"], ["b", "<f8"], ["c", "|S2"]]);
        let record = Record::from_descr(&descr).unwrap();
        let shape = [6usize, 5];
        let data: Vec<u8> = (0..shape[0] * shape[1] * 14)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let layout = Layout::contiguous(&shape, 14, Order::C).unwrap();
        let mut fill = 7i32.to_le_bytes().to_vec();
        fill.extend(1.5f64.to_le_bytes());
        fill.extend(*b"hi");
        for (format, shards) in [
            (ZarrFormat::V2, None),
            (ZarrFormat::V3, None),
            (ZarrFormat::V3, Some(vec![4, 4])),
        ] {
            let p = tmp(&format!("record-{format:?}-{}", shards.is_some()));
            let opts = ZarrOptions {
                chunks: vec![2, 2],
                compressor: Some(brickwork_core::config::from_json(r#"{"id":"zstd","level":1}"#).unwrap()),
                fill_value: Some(fill.clone()),
                format,
                shards,
                record: Some(record.clone()),
                ..ZarrOptions::default()
            };
            ZarrArray::create(&p, &data, &layout, record.dtype(), &opts, None, &|_, _| {}).unwrap();
            let meta = read_meta(&p.join(format.meta_file())).unwrap();
            if format == ZarrFormat::V2 {
                assert_eq!(meta["dtype"], descr);
                assert_eq!(meta["fill_value"], json!("BwAAAAAAAAAAAPg/aGk="));
            } else {
                assert_eq!(meta["data_type"]["name"], json!("struct"));
                assert_eq!(
                    meta["data_type"]["configuration"]["fields"][1],
                    json!({"name": "b", "data_type": "float64"})
                );
                assert_eq!(meta["fill_value"], json!({"a": 7, "b": 1.5, "c": "aGk="}));
                let codecs = match meta["codecs"][0]["name"].as_str() {
                    Some("sharding_indexed") => &meta["codecs"][0]["configuration"]["codecs"],
                    _ => &meta["codecs"],
                };
                assert_eq!(
                    codecs[0],
                    json!({"name": "bytes", "configuration": {"endian": "little"}})
                );
            }
            let z = ZarrArray::open(&p).unwrap();
            assert_eq!(z.record(), Some(&record));
            assert_eq!(z.dtype().to_string(), "|V14");
            assert_eq!(z.fill_value(), Some(&fill[..]));
            let mut back = vec![0u8; data.len()];
            z.read_into(&mut back, &layout, DEFAULT_MAX_ARRAY_BYTES, Some(2))
                .unwrap();
            assert_eq!(back, data);
            // a missing chunk reads as the fill record
            let key = if format == ZarrFormat::V2 { "0.0" } else { "c/0/0" };
            fs::remove_file(p.join(key)).unwrap();
            z.read_into(&mut back, &layout, DEFAULT_MAX_ARRAY_BYTES, Some(2))
                .unwrap();
            assert_eq!(&back[..14], &fill[..]);
            fs::remove_dir_all(&p).unwrap();
        }
        // v3 keeps one byte order for all fields: big-endian records say so in the `bytes` codec, records
        // of mixed byte orders are refused, and so is a dtype that is not the record's bytes
        let big = Record::from_descr(&json!([["a", ">i4"], ["b", "|u1"]])).unwrap();
        let opts = ZarrOptions {
            chunks: vec![2, 2],
            format: ZarrFormat::V3,
            record: Some(big.clone()),
            ..ZarrOptions::default()
        };
        let p = tmp("record-big");
        let z = ZarrArray::create_empty(&p, &shape, big.dtype(), &opts).unwrap();
        let meta = read_meta(&p.join(v3::FILE)).unwrap();
        assert_eq!(
            meta["codecs"][0],
            json!({"name": "bytes", "configuration": {"endian": "big"}})
        );
        assert_eq!(ZarrArray::open(&p).unwrap().record(), z.record());
        fs::remove_dir_all(&p).unwrap();
        let mixed = Record::from_descr(&json!([["a", ">i4"], ["b", "<i2"]])).unwrap();
        let opts = ZarrOptions {
            record: Some(mixed.clone()),
            ..opts
        };
        let e = ZarrArray::create_empty(&p, &shape, mixed.dtype(), &opts).unwrap_err();
        assert!(e.to_string().contains("one byte order"), "{e}");
        let e = ZarrArray::create_empty(&p, &shape, DType::parse("|V8").unwrap(), &opts).unwrap_err();
        assert!(e.to_string().contains("record"), "{e}");
        assert!(!p.exists());
    }

    #[test]
    fn write_then_read() {
        let shape = [5usize, 7, 3];
        let n: usize = shape.iter().product();
        let data: Vec<u8> = (0..n * 4).map(|i| (i % 253) as u8).collect();
        let dtype = DType::parse("<f4").unwrap();
        for (format, order, sep) in [ZarrFormat::V2, ZarrFormat::V3]
            .into_iter()
            .flat_map(|f| [Order::C, Order::F].map(|o| (f, o)))
            .flat_map(|(f, o)| ['.', '/'].map(|s| (f, o, s)))
        {
            let p = tmp(&format!("rt-{format:?}-{order:?}-{}", sep == '/'));
            let layout = Layout::contiguous(&shape, 4, Order::C).unwrap();
            let opts = ZarrOptions {
                chunks: vec![2, 4, 3],
                rectilinear: None,
                compressor: Some(brickwork_core::config::from_json(r#"{"id":"zstd","level":1}"#).unwrap()),
                filters: vec![
                    brickwork_core::config::from_json(r#"{"id":"shuffle","elementsize":4}"#).unwrap(),
                ],
                order,
                fill_value: Some(vec![0, 0, 0x80, 0x7f]),
                dimension_separator: Some(sep),
                format,
                shards: None,
                overwrite: false,
                attributes: Map::new(),
                record: None,
                write_empty_chunks: true,
            };
            let (_, stats) =
                ZarrArray::create(&p, &data, &layout, dtype, &opts, Some(2), &|_, _| {}).unwrap();
            assert_eq!(stats.chunks, 3 * 2);
            let key = match (format, sep) {
                (ZarrFormat::V2, '/') => "2/1/0",
                (ZarrFormat::V2, _) => "2.1.0",
                (ZarrFormat::V3, '/') => "c/2/1/0",
                (ZarrFormat::V3, _) => "c.2.1.0",
            };
            assert!(p.join(key).is_file(), "{key}");
            assert!(p.join(format.meta_file()).is_file());
            let z = ZarrArray::open(&p).unwrap();
            assert_eq!(z.format(), format);
            assert_eq!(z.fill_value(), Some(&[0, 0, 0x80, 0x7f][..]));
            let back = z.read(DEFAULT_MAX_ARRAY_BYTES, None).unwrap();
            let mut c = vec![0u8; data.len()];
            let cl = Layout::contiguous(&shape, 4, Order::C).unwrap();
            z.read_into(&mut c, &cl, DEFAULT_MAX_ARRAY_BYTES, Some(1))
                .unwrap();
            assert_eq!(c, data);
            assert_eq!(back.order(), order);
            // Missing chunks read as the fill value.
            fs::remove_file(p.join(key)).unwrap();
            z.read_into(&mut c, &cl, DEFAULT_MAX_ARRAY_BYTES, Some(1))
                .unwrap();
            assert_eq!(&c[(4 * 21 + 4 * 3) * 4..][..4], &[0, 0, 0x80, 0x7f]);
            // Existing stores are not silently replaced.
            assert!(ZarrArray::create(&p, &data, &layout, dtype, &opts, None, &|_, _| {}).is_err());
            let again = ZarrOptions {
                overwrite: true,
                ..opts
            };
            assert!(ZarrArray::create(&p, &data, &layout, dtype, &again, None, &|_, _| {}).is_ok());
            fs::remove_dir_all(&p).unwrap();
        }
    }

    #[test]
    fn selections_read_what_slicing_gives() {
        let shape = [9usize, 10, 7];
        let n: usize = shape.iter().product();
        let values: Vec<u16> = (0..n as u16).map(|i| i.wrapping_mul(7919)).collect();
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let dtype = DType::parse("<u2").unwrap();
        let layout = Layout::contiguous(&shape, 2, Order::C).unwrap();
        let fill = 0xBEEFu16;
        let mut rng = Lcg(12345u64);
        let stores = [
            (ZarrFormat::V2, Order::C, None),
            (ZarrFormat::V2, Order::F, None),
            (ZarrFormat::V3, Order::F, None),
            (ZarrFormat::V3, Order::C, Some(vec![4, 6, 5])),
            (ZarrFormat::V3, Order::F, Some(vec![8, 3, 5])),
        ];
        for (s, (format, order, shards)) in stores.into_iter().enumerate() {
            let p = tmp(&format!("sel-{s}"));
            let opts = store_options(format, order, shards, fill);
            let (z, _) = ZarrArray::create(&p, &data, &layout, dtype, &opts, None, &|_, _| {}).unwrap();
            // one chunk (or shard) file gone: its elements read as the fill value
            let gone = z.chunk_key(&[1, 1, 0]);
            fs::remove_file(p.join(&gone)).unwrap();
            let (gone_start, gone_extent) = z.grid.region(&[1, 1, 0]);
            let expect_at = |i: [usize; 3]| {
                let missing = (0..3).all(|a| (gone_start[a]..gone_start[a] + gone_extent[a]).contains(&i[a]));
                if missing {
                    fill
                } else {
                    values[(i[0] * shape[1] + i[1]) * shape[2] + i[2]]
                }
            };
            for _ in 0..60 {
                let sel = rng.selection(shape, 4);
                let count: Vec<usize> = sel.shape().to_vec();
                let m: usize = count.iter().product();
                let mut expect = Vec::with_capacity(m * 2);
                for i in 0..count[0] {
                    for j in 0..count[1] {
                        for k in 0..count[2] {
                            let at = [0, 1, 2].map(|a| sel.axes()[a].at([i, j, k][a]));
                            expect.extend(expect_at(at).to_le_bytes());
                        }
                    }
                }
                for threads in [Some(1), Some(2)] {
                    let mut got = vec![0u8; m * 2];
                    let out = Layout::contiguous(&count, 2, Order::C).unwrap();
                    z.read_selection_into(&sel, &mut got, &out, DEFAULT_MAX_ARRAY_BYTES, threads)
                        .unwrap();
                    assert_eq!(got, expect, "store {s}, {sel:?}");
                }
                // an F-ordered output holds the same elements
                let mut f = vec![0u8; m * 2];
                let out = Layout::contiguous(&count, 2, Order::F).unwrap();
                z.read_selection_into(&sel, &mut f, &out, DEFAULT_MAX_ARRAY_BYTES, Some(2))
                    .unwrap();
                for i in 0..count[0] {
                    for j in 0..count[1] {
                        for k in 0..count[2] {
                            let c = ((i * count[1] + j) * count[2] + k) * 2;
                            let at = ((k * count[1] + j) * count[0] + i) * 2;
                            assert_eq!(f[at..at + 2], expect[c..c + 2], "store {s}, F output");
                        }
                    }
                }
            }
            // selections outside the array, or that do not match the output, are errors
            let e = Selection::new(&shape, &[8, 0, 0], &[2, 1, 1], &[1, 1, 1]).unwrap_err();
            assert!(e.to_string().contains("axis 0"), "{e}");
            let sel = Selection::new(&shape, &[0, 0, 0], &[2, 2, 2], &[1, 1, 1]).unwrap();
            let mut buf = vec![0u8; 16];
            let wrong = Layout::contiguous(&[2, 2, 1], 2, Order::C).unwrap();
            let e = z
                .read_selection_into(&sel, &mut buf, &wrong, u64::MAX, None)
                .unwrap_err();
            assert!(e.to_string().contains("selection has [2, 2, 2]"), "{e}");
            fs::remove_dir_all(&p).unwrap();
        }
    }

    #[test]
    fn points_read_and_write_single_elements() {
        let shape = [9usize, 10, 7];
        let n: usize = shape.iter().product();
        let dtype = DType::parse("<u2").unwrap();
        let fill = 0xBEEFu16;
        let mut rng = Lcg(7u64);
        for (s, (format, order, shards)) in [
            (ZarrFormat::V2, Order::C, None),
            (ZarrFormat::V2, Order::F, None),
            (ZarrFormat::V3, Order::C, Some(vec![4, 6, 5])),
            (ZarrFormat::V3, Order::F, Some(vec![8, 3, 5])),
        ]
        .into_iter()
        .enumerate()
        {
            let p = tmp(&format!("points-{s}"));
            let opts = store_options(format, order, shards, fill);
            let z = ZarrArray::create_empty(&p, &shape, dtype, &opts).unwrap();
            let mut model = vec![fill; n];
            let flat = |q: &[usize]| (q[0] * shape[1] + q[1]) * shape[2] + q[2];
            for round in 0..30u16 {
                // up to 40 random points, repeats likely (the later write wins)
                let m = rng.below(41);
                let points: Vec<usize> = (0..m).flat_map(|_| shape.map(|len| rng.below(len))).collect();
                let values: Vec<u16> = (0..m as u16)
                    .map(|v| v.wrapping_mul(101).wrapping_add(round))
                    .collect();
                // every other value, to write through a strided layout
                let src: Vec<u8> = values
                    .iter()
                    .flat_map(|v| [v.to_le_bytes(), [0, 0]])
                    .flatten()
                    .collect();
                let layout = Layout::strided(&[m], &[4], 2, 0, src.len()).unwrap();
                let threads = Some(1 + round as usize % 2);
                z.write_points(&points, &src, &layout, DEFAULT_MAX_ARRAY_BYTES, threads)
                    .unwrap();
                for (j, q) in points.chunks(3).enumerate() {
                    model[flat(q)] = values[j];
                }
                // read back other random points, and the whole array
                let k = rng.below(60);
                let ask: Vec<usize> = (0..k).flat_map(|_| shape.map(|len| rng.below(len))).collect();
                let mut got = vec![0u8; k * 2];
                let out = Layout::contiguous(&[k], 2, Order::C).unwrap();
                z.read_points_into(&ask, &mut got, &out, DEFAULT_MAX_ARRAY_BYTES, threads)
                    .unwrap();
                let expect: Vec<u8> = ask.chunks(3).flat_map(|q| model[flat(q)].to_le_bytes()).collect();
                assert_eq!(got, expect, "store {s} round {round}");
                let mut c = vec![0u8; n * 2];
                let cl = Layout::contiguous(&shape, 2, Order::C).unwrap();
                z.read_into(&mut c, &cl, DEFAULT_MAX_ARRAY_BYTES, Some(2))
                    .unwrap();
                let whole: Vec<u8> = model.iter().flat_map(|v| v.to_le_bytes()).collect();
                assert_eq!(c, whole, "store {s} round {round}");
            }
            // points outside the array, a ragged list, or values that do not match, are errors that
            // write nothing
            let before = fs::read_dir(&p).unwrap().count();
            let one = Layout::contiguous(&[1], 2, Order::C).unwrap();
            let mut buf = [0u8; 2];
            for (bad, says) in [
                (
                    &[8, 9, 7][..],
                    "point 0 [8, 9, 7] is outside the array (shape [9, 10, 7]) along axis 2",
                ),
                (&[1, 2], "3 per point; got 2 numbers"),
            ] {
                let e = z
                    .read_points_into(bad, &mut buf, &one, u64::MAX, None)
                    .unwrap_err();
                assert!(e.to_string().contains(says), "{e}");
                let e = z.write_points(bad, &buf, &one, u64::MAX, None).unwrap_err();
                assert!(e.to_string().contains(says), "{e}");
            }
            let e = z
                .read_points_into(&[0, 0, 0, 1, 1, 1], &mut buf, &one, u64::MAX, None)
                .unwrap_err();
            assert!(e.to_string().contains("2 points of dtype <u2 need [2]"), "{e}");
            let e = z
                .read_points_into(&[0, 0, 0], &mut buf, &one, 8, None)
                .unwrap_err();
            assert!(e.to_string().contains("one"), "{e}");
            assert_eq!(fs::read_dir(&p).unwrap().count(), before);
            fs::remove_dir_all(&p).unwrap();
        }
    }

    #[test]
    fn resizes_keep_what_stays_and_fill_what_comes_back() {
        let shape = [9usize, 10, 7];
        let n: usize = shape.iter().product();
        let values: Vec<u16> = (0..n as u16).map(|i| i.wrapping_mul(7919)).collect();
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let dtype = DType::parse("<u2").unwrap();
        let layout = Layout::contiguous(&shape, 2, Order::C).unwrap();
        let fill = 0xBEEFu16;
        for (s, (format, order, shards, sep)) in [
            (ZarrFormat::V2, Order::C, None, '.'),
            (ZarrFormat::V2, Order::F, None, '/'),
            (ZarrFormat::V3, Order::C, None, '.'),
            (ZarrFormat::V3, Order::F, Some(vec![4, 6, 5]), '/'),
        ]
        .into_iter()
        .enumerate()
        {
            let p = tmp(&format!("resize-{s}"));
            let opts = ZarrOptions {
                dimension_separator: Some(sep),
                attributes: brickwork_core::config::from_json(r#"{"units": "nm"}"#).unwrap(),
                ..store_options(format, order, shards, fill)
            };
            let (z, _) = ZarrArray::create(&p, &data, &layout, dtype, &opts, None, &|_, _| {}).unwrap();
            let files = |z: &ZarrArray| -> usize {
                (0..z.grid.len())
                    .filter(|&i| p.join(z.chunk_key(&z.grid.coords(i))).is_file())
                    .count()
            };
            let before = files(&z);
            let decoded = z.decode_grid().unwrap().len() as u64;
            assert_eq!(
                z.initialized_chunks().unwrap(),
                decoded,
                "store {s}: every chunk written"
            );
            // shrink through chunks on two axes and by whole chunks on none, then grow back
            let small = [5usize, 4, 7];
            let z2 = z.resize(&small, DEFAULT_MAX_ARRAY_BYTES, Some(2)).unwrap();
            assert_eq!(z2.shape(), &small);
            assert!(
                files(&z2) < before,
                "store {s}: chunks outside the new shape are deleted"
            );
            let reopened = ZarrArray::open(&p).unwrap();
            assert_eq!(reopened.shape(), &small);
            assert_eq!(
                reopened.attributes().unwrap()["units"],
                "nm",
                "store {s}: the rest is kept"
            );
            let back = reopened.resize(&shape, DEFAULT_MAX_ARRAY_BYTES, None).unwrap();
            let mut got = vec![0u8; n * 2];
            back.read_into(&mut got, &layout, DEFAULT_MAX_ARRAY_BYTES, Some(2))
                .unwrap();
            for i in 0..shape[0] {
                for j in 0..shape[1] {
                    for k in 0..shape[2] {
                        let at = (i * shape[1] + j) * shape[2] + k;
                        let kept = i < small[0] && j < small[1] && k < small[2];
                        let want = if kept { values[at] } else { fill };
                        assert_eq!(
                            got[at * 2..at * 2 + 2],
                            want.to_le_bytes(),
                            "store {s} at {i},{j},{k}"
                        );
                    }
                }
            }
            // to nothing along an axis, and a wrong number of dimensions
            let empty = back.resize(&[0, 10, 7], DEFAULT_MAX_ARRAY_BYTES, None).unwrap();
            assert_eq!(files(&empty), 0, "store {s}");
            assert_eq!(empty.initialized_chunks().unwrap(), 0, "store {s}");
            let e = empty.resize(&[3, 3], DEFAULT_MAX_ARRAY_BYTES, None).unwrap_err();
            assert!(e.to_string().contains("3 dimensions"), "{e}");
            // attributes replaced, the metadata kept
            let mut attributes = Map::new();
            attributes.insert("scale".into(), json!([4, 4, 40]));
            empty.write_attributes(&attributes).unwrap();
            let again = ZarrArray::open(&p).unwrap();
            assert_eq!(again.attributes().unwrap(), attributes);
            assert_eq!(again.shape(), &[0, 10, 7]);
            fs::remove_dir_all(&p).unwrap();
        }
    }

    #[test]
    fn many_shards_are_read_without_holding_them_open() {
        // more shards than one read holds open: their files are opened again for each inner chunk
        let n = 2 * (shard::MAX_OPEN_SHARDS + 10);
        let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        let p = tmp("many-shards");
        let opts = ZarrOptions {
            chunks: vec![1],
            shards: Some(vec![2]),
            format: ZarrFormat::V3,
            fill_value: Some(vec![9]),
            ..ZarrOptions::default()
        };
        let layout = Layout::contiguous(&[n], 1, Order::C).unwrap();
        let dtype = DType::parse("|u1").unwrap();
        let (z, _) = ZarrArray::create(&p, &data, &layout, dtype, &opts, Some(2), &|_, _| {}).unwrap();
        fs::remove_file(p.join(z.chunk_key(&[3]))).unwrap(); // elements 6 and 7: the fill value
        let mut expect = data.clone();
        expect[6..8].fill(9);
        for threads in [Some(1), Some(2)] {
            let mut out = vec![0u8; n];
            z.read_into(&mut out, &layout, DEFAULT_MAX_ARRAY_BYTES, threads)
                .unwrap();
            assert_eq!(out, expect);
            let sel = Selection::new(&[n], &[5], &[(n - 5).div_ceil(3)], &[3]).unwrap();
            let mut part = vec![0u8; sel.shape()[0]];
            let pl = Layout::contiguous(sel.shape(), 1, Order::C).unwrap();
            z.read_selection_into(&sel, &mut part, &pl, DEFAULT_MAX_ARRAY_BYTES, threads)
                .unwrap();
            let want: Vec<u8> = expect[5..].iter().step_by(3).copied().collect();
            assert_eq!(part, want);
        }
        fs::remove_dir_all(&p).unwrap();
    }

    #[test]
    fn writes_of_selections_update_only_what_they_select() {
        let shape = [9usize, 10, 7];
        let n: usize = shape.iter().product();
        let dtype = DType::parse("<u2").unwrap();
        let fill = 0xBEEFu16;
        let mut rng = Lcg(99u64);
        for (s, (format, order, shards)) in [
            (ZarrFormat::V2, Order::C, None),
            (ZarrFormat::V2, Order::F, None),
            (ZarrFormat::V3, Order::C, Some(vec![4, 6, 5])),
            (ZarrFormat::V3, Order::F, Some(vec![8, 3, 5])),
        ]
        .into_iter()
        .enumerate()
        {
            let p = tmp(&format!("write-{s}"));
            let opts = store_options(format, order, shards, fill);
            let z = ZarrArray::create_empty(&p, &shape, dtype, &opts).unwrap();
            assert!(
                ZarrArray::create_empty(&p, &shape, dtype, &opts).is_err(),
                "no silent overwrite"
            );
            let mut model = vec![fill; n];
            for round in 0..40u16 {
                let sel = rng.selection(shape, 3);
                let count: Vec<usize> = sel.shape().to_vec();
                let m: usize = count.iter().product();
                // the data in F order, to write through a layout that differs from the chunks'
                let values: Vec<u16> = (0..m as u16)
                    .map(|v| v.wrapping_mul(31).wrapping_add(round))
                    .collect();
                let src: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
                let layout = Layout::contiguous(&count, 2, Order::F).unwrap();
                let stats = z
                    .write_selection(
                        &sel,
                        &src,
                        &layout,
                        DEFAULT_MAX_ARRAY_BYTES,
                        Some(1 + round as usize % 2),
                    )
                    .unwrap();
                assert_eq!(stats.bytes_in, m as u64 * 2);
                for k in 0..count[2] {
                    for j in 0..count[1] {
                        for i in 0..count[0] {
                            let at = [0, 1, 2].map(|a| sel.axes()[a].at([i, j, k][a]));
                            model[(at[0] * shape[1] + at[1]) * shape[2] + at[2]] =
                                values[(k * count[1] + j) * count[0] + i];
                        }
                    }
                }
                let mut c = vec![0u8; n * 2];
                let cl = Layout::contiguous(&shape, 2, Order::C).unwrap();
                let reopened = ZarrArray::open(&p).unwrap();
                reopened
                    .read_into(&mut c, &cl, DEFAULT_MAX_ARRAY_BYTES, Some(2))
                    .unwrap();
                let expect: Vec<u8> = model.iter().flat_map(|v| v.to_le_bytes()).collect();
                assert_eq!(c, expect, "store {s} round {round}: {sel:?}");
            }
            // what does not fit the selection is an error, and nothing is written
            let sel = Selection::new(&shape, &[0, 0, 0], &[2, 2, 2], &[1, 1, 1]).unwrap();
            let small = Layout::contiguous(&[2, 2, 1], 2, Order::C).unwrap();
            assert!(z.write_selection(&sel, &[0; 8], &small, u64::MAX, None).is_err());
            let e = z
                .write_selection(
                    &sel,
                    &[0; 16],
                    &Layout::contiguous(&[2, 2, 2], 2, Order::C).unwrap(),
                    8,
                    None,
                )
                .unwrap_err();
            let what = if z.inner_chunks().is_some() {
                "one inner chunk"
            } else {
                "one chunk"
            };
            assert!(e.to_string().contains(what), "{e}");
            fs::remove_dir_all(&p).unwrap();
        }
    }

    #[test]
    fn attributes_are_written_with_the_metadata() {
        let attrs: Map<String, Value> = serde_json::from_str(r#"{"unit": "nm", "scale": [4, 4]}"#).unwrap();
        for format in [ZarrFormat::V2, ZarrFormat::V3] {
            let p = tmp(&format!("attrs-{format:?}"));
            let opts = ZarrOptions {
                chunks: vec![2],
                format,
                attributes: attrs.clone(),
                ..ZarrOptions::default()
            };
            let dtype = DType::parse("|u1").unwrap();
            ZarrArray::create_empty(&p, &[3], dtype, &opts).unwrap();
            let stored: Value = match format {
                ZarrFormat::V2 => serde_json::from_slice(&fs::read(p.join(".zattrs")).unwrap()).unwrap(),
                ZarrFormat::V3 => {
                    let meta: Value =
                        serde_json::from_slice(&fs::read(p.join("zarr.json")).unwrap()).unwrap();
                    meta["attributes"].clone()
                }
            };
            assert_eq!(stored, Value::Object(attrs.clone()), "{format:?}");
            ZarrArray::open(&p).unwrap();
            fs::remove_dir_all(&p).unwrap();
        }
    }

    #[test]
    fn arrays_of_strings_are_read_by_chunk() {
        let p = tmp("strings");
        fs::create_dir_all(&p).unwrap();
        fs::write(
            p.join(".zarray"),
            r#"{"zarr_format": 2, "shape": [3], "chunks": [2], "dtype": "|O", "order": "C",
                "fill_value": "", "filters": [{"id": "vlen-utf8"}], "compressor": {"id": "zstd", "level": 1}}"#,
        )
        .unwrap();
        let z = ZarrArray::open(&p).unwrap();
        assert!(z.holds_objects());
        let items = ObjectArray::from_strings(vec![Some("ab".into()), Some("é".into())]);
        let codec = z.items_pipeline().as_object_codec().unwrap();
        z.write_encoded_chunks(&[(vec![0], codec.encode_objects(&items).unwrap())])
            .unwrap();
        assert!(
            z.write_encoded_chunks(&[(vec![2], b"x".to_vec())]).is_err(),
            "outside the grid"
        );
        assert!(
            z.write_encoded_chunks(&[(vec![0, 0], b"x".to_vec())]).is_err(),
            "not a position of a 1-d grid"
        );
        let limits = Limits::default();
        assert_eq!(
            z.read_chunk_objects(&[0], &limits).unwrap().unwrap().items(),
            items.items()
        );
        assert!(
            z.read_chunk_objects(&[1], &limits).unwrap().is_none(),
            "no file: the fill value"
        );
        assert!(z.read_chunk_objects(&[2], &limits).is_err(), "outside the grid");
        // three items where a chunk holds two
        let three = ObjectArray::from_strings(vec![Some("a".into()), None, Some("c".into())]);
        fs::write(p.join("1"), codec.encode_objects(&three).unwrap()).unwrap();
        let e = z.read_chunk_objects(&[1], &limits).unwrap_err();
        assert!(e.to_string().contains("holds 3 items"), "{e}");
        // items have no fixed size to read into bytes
        let e = z.read(1 << 20, None).unwrap_err();
        assert!(e.to_string().contains("variable-length items"), "{e}");
        fs::remove_dir_all(&p).unwrap();
        // made by brickwork: the metadata zarr-python writes for dtype=str, then chunks written by caller
        for (format, shards, says) in [
            (ZarrFormat::V2, None, r#""dtype": "|O""#),
            (ZarrFormat::V3, None, r#""data_type": "string""#),
            (ZarrFormat::V3, Some(vec![4]), r#""name": "sharding_indexed""#),
        ] {
            let p = tmp(&format!("strings-{format:?}-{}", shards.is_some()));
            let opts = ZarrOptions {
                chunks: vec![2],
                filters: vec![brickwork_core::config::from_json(r#"{"id": "vlen-utf8"}"#).unwrap()],
                fill_value: Some(b"-".to_vec()),
                format,
                shards,
                ..ZarrOptions::default()
            };
            let dtype = DType::parse("|O").unwrap();
            let z = ZarrArray::create_empty(&p, &[3], dtype, &opts).unwrap();
            let meta = fs::read_to_string(p.join(format.meta_file())).unwrap();
            assert!(
                meta.contains(says) && meta.contains(r#""fill_value": "-""#),
                "{meta}"
            );
            let codec = z.items_pipeline().as_object_codec().unwrap();
            let two = ObjectArray::from_strings(vec![Some("x".into()), Some("y".into())]);
            z.write_encoded_chunks(&[
                (vec![1], codec.encode_objects(&items).unwrap()),
                (vec![0], codec.encode_objects(&two).unwrap()),
            ])
            .unwrap();
            let back = ZarrArray::open(&p).unwrap();
            assert!(back.holds_objects());
            assert_eq!(
                back.read_chunk_objects(&[1], &limits).unwrap().unwrap().items(),
                items.items()
            );
            // a second write of one inner chunk keeps the others
            z.write_encoded_chunks(&[(vec![1], codec.encode_objects(&two).unwrap())])
                .unwrap();
            for at in [0, 1] {
                assert_eq!(
                    back.read_chunk_objects(&[at], &limits).unwrap().unwrap().items(),
                    two.items()
                );
            }
            assert!(
                back.read_chunk_objects(&[2], &limits).is_err(),
                "outside the grid"
            );
            let layout = Layout::contiguous(&[3], 8, Order::C).unwrap();
            assert!(ZarrArray::create(&p, &[0; 24], &layout, dtype, &opts, None, &|_, _| {}).is_err());
            fs::remove_dir_all(&p).unwrap();
        }
    }

    #[test]
    fn hostile_zarray_files() {
        let cases = [
            ("not json", "not JSON"),
            ("[1]", "not a JSON object"),
            (r#"{"zarr_format":3}"#, "Zarr format 2"),
            (
                r#"{"zarr_format":2,"shape":[4],"chunks":[0],"dtype":"<u1","order":"C","compressor":null,"fill_value":0}"#,
                "at least 1",
            ),
            (
                r#"{"zarr_format":2,"shape":[4,4],"chunks":[2],"dtype":"<u1","order":"C","compressor":null,"fill_value":0}"#,
                "dimensions",
            ),
            (
                r#"{"zarr_format":2,"shape":[-4],"chunks":[2],"dtype":"<u1","order":"C","compressor":null,"fill_value":0}"#,
                "non-negative",
            ),
            (
                r#"{"zarr_format":2,"shape":[4],"chunks":[2],"dtype":"<x9","order":"C","compressor":null,"fill_value":0}"#,
                "dtype",
            ),
            (
                r#"{"zarr_format":2,"shape":[4],"chunks":[2],"dtype":"<u1","order":"K","compressor":null,"fill_value":0}"#,
                "order",
            ),
            (
                r#"{"zarr_format":2,"shape":[4],"chunks":[2],"dtype":"<u1","order":"C","compressor":{"id":"nope"},"fill_value":0}"#,
                "nope",
            ),
            (
                r#"{"zarr_format":2,"shape":[4],"chunks":[2],"dtype":"|u1","order":"C","compressor":null,"fill_value":300}"#,
                "fill_value",
            ),
            (
                r#"{"zarr_format":2,"shape":[18446744073709551615,18446744073709551615],"chunks":[1,1],"dtype":"<u8","order":"C","compressor":null,"fill_value":0}"#,
                "address",
            ),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let p = tmp(&format!("bad{i}"));
            fs::create_dir_all(&p).unwrap();
            fs::write(p.join(".zarray"), text).unwrap();
            let e = ZarrArray::open(&p).unwrap_err().to_string();
            assert!(e.contains(want), "case {i}: {e}");
            fs::remove_dir_all(&p).unwrap();
        }
        // A header that claims a huge array fails at the limit, before allocating.
        let p = tmp("huge");
        fs::create_dir_all(&p).unwrap();
        fs::write(p.join(".zarray"), r#"{"zarr_format":2,"shape":[1000000,1000000],"chunks":[1000,1000],"dtype":"<f8","order":"C","compressor":null,"fill_value":0,"filters":null}"#).unwrap();
        let e = ZarrArray::open(&p)
            .unwrap()
            .read(DEFAULT_MAX_ARRAY_BYTES, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("limit"), "{e}");
        // A truncated chunk is a clear error naming the chunk.
        fs::write(p.join(".zarray"), r#"{"zarr_format":2,"shape":[4],"chunks":[2],"dtype":"|u1","order":"C","compressor":{"id":"zlib","level":1},"fill_value":0,"filters":null}"#).unwrap();
        fs::write(p.join("1"), b"\x78\x01garbage").unwrap();
        let e = ZarrArray::open(&p)
            .unwrap()
            .read(DEFAULT_MAX_ARRAY_BYTES, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("chunk 1"), "{e}");
        // A tiny array claiming huge chunks: the chunk buffer is bounded by the caller's limit, and an
        // allowed one that the missing chunk fills with zeros costs no memory until written.
        let huge = |chunk: u64| {
            let text = format!(
                r#"{{"zarr_format":2,"shape":[3],"chunks":[{chunk}],"dtype":"|u1","order":"C","compressor":null,"fill_value":0,"filters":null}}"#
            );
            fs::write(p.join(".zarray"), text).unwrap();
            fs::remove_file(p.join("1")).ok();
            ZarrArray::open(&p)
                .unwrap()
                .read(DEFAULT_MAX_ARRAY_BYTES, Some(1))
        };
        let e = huge(1 << 40).unwrap_err().to_string();
        assert!(e.contains("one chunk") && e.contains("limit"), "{e}");
        assert_eq!(huge(1 << 33).unwrap().data(), &[0, 0, 0]);
        fs::remove_dir_all(&p).unwrap();
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let p = tmp("fail");
        let layout = Layout::contiguous(&[4], 8, Order::C).unwrap();
        // zfpy refuses u8 data of this dtype at encode time; the store must not stay behind.
        let opts = ZarrOptions {
            chunks: vec![2],
            compressor: Some(brickwork_core::config::from_json(r#"{"id":"zfpy"}"#).unwrap()),
            ..Default::default()
        };
        let e = ZarrArray::create(
            &p,
            &[0u8; 32],
            &layout,
            DType::parse("<u8").unwrap(),
            &opts,
            None,
            &|_, _| {},
        );
        assert!(e.is_err());
        assert!(!p.exists());
    }

    #[test]
    fn other_zarr_nodes_are_named_when_there_is_no_zarray() {
        let p = tmp("nodes");
        fs::create_dir_all(p.join("b/.zarray")).unwrap(); // a directory named .zarray is no array
        fs::create_dir_all(p.join("a")).unwrap();
        fs::write(p.join("a/.zarray"), "{}").unwrap();
        fs::create_dir_all(p.join("c")).unwrap();
        let message = |path: &Path| match ZarrArray::open(path) {
            Err(e @ Error::Io { .. }) => e.to_string(),
            other => panic!("expected an I/O error, got {other:?}"),
        };
        assert!(message(&p).starts_with("cannot read"), "{}", message(&p));
        fs::write(p.join(".zgroup"), r#"{"zarr_format": 2}"#).unwrap();
        let group = message(&p);
        assert!(
            group.contains("is a Zarr v2 group, not an array (open one of its arrays: a); cannot read"),
            "{group}"
        );
        fs::write(
            p.join("c/zarr.json"),
            r#"{"zarr_format": 3, "node_type": "group"}"#,
        )
        .unwrap();
        fs::create_dir_all(p.join("c/d")).unwrap();
        fs::write(
            p.join("c/d/zarr.json"),
            r#"{"zarr_format": 3, "node_type": "array"}"#,
        )
        .unwrap();
        let v3_group = ZarrArray::open(p.join("c")).unwrap_err().to_string();
        assert!(
            v3_group.ends_with("is a Zarr v3 group, not an array (open one of its arrays: d)"),
            "{v3_group}"
        );
        assert!(message(&p.join("missing")).starts_with("cannot read"));
        fs::remove_dir_all(&p).unwrap();
    }

    /// The files under `dir` other than metadata, as paths relative to it, sorted.
    fn chunk_files(dir: &Path) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                    if !rel.ends_with("zarr.json") && !rel.starts_with(".z") {
                        found.push(rel);
                    }
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn chunks_of_fill_values_are_left_out_when_asked() {
        // 8 elements in chunks of 2 (v2, v3) or in shards of 4 of chunks of 2 (v3); fill 7
        let dtype = DType::parse("<u2").unwrap();
        let layout = Layout::contiguous(&[8], 2, Order::C).unwrap();
        let data: Vec<u8> = [7u16, 7, 1, 7, 7, 7, 7, 7]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        for (format, shards, kept) in [
            (ZarrFormat::V2, None, vec!["1"]),
            (ZarrFormat::V3, None, vec!["c/1"]),
            (ZarrFormat::V3, Some(vec![4]), vec!["c/0"]),
        ] {
            let p = tmp(&format!("empty-{format:?}-{}", shards.is_some()));
            let options = ZarrOptions {
                chunks: vec![2],
                fill_value: Some(7u16.to_le_bytes().to_vec()),
                format,
                shards: shards.clone(),
                write_empty_chunks: false,
                ..ZarrOptions::default()
            };
            let (z, stats) =
                ZarrArray::create(&p, &data, &layout, dtype, &options, None, &|_, _| {}).unwrap();
            assert_eq!(chunk_files(&p), kept, "{format:?} {shards:?}");
            assert_eq!(stats.chunks, 1);
            assert_eq!(z.read(DEFAULT_MAX_ARRAY_BYTES, None).unwrap().data(), &data[..]);
            // writing the fill value over the one element removes the file; writing other values
            // (or writing fill values with write_empty_chunks on) writes it
            let sel = Selection::new(&[8], &[2], &[1], &[1]).unwrap();
            let one = Layout::contiguous(&[1], 2, Order::C).unwrap();
            z.write_selection(&sel, &7u16.to_le_bytes(), &one, DEFAULT_MAX_ARRAY_BYTES, None)
                .unwrap();
            assert!(
                chunk_files(&p).is_empty(),
                "{format:?} {shards:?}: {:?}",
                chunk_files(&p)
            );
            z.set_write_empty_chunks(true);
            z.write_selection(&sel, &7u16.to_le_bytes(), &one, DEFAULT_MAX_ARRAY_BYTES, None)
                .unwrap();
            assert_eq!(chunk_files(&p).len(), 1, "{format:?} {shards:?}");
            assert_eq!(
                z.read(DEFAULT_MAX_ARRAY_BYTES, None).unwrap().data(),
                &[7u8, 0].repeat(8)[..]
            );
            fs::remove_dir_all(&p).unwrap();
        }
        // compared as bytes: -0.0 in an array filled with 0.0 is kept, and read back as -0.0
        let p = tmp("empty-negative-zero");
        let dtype = DType::parse("<f4").unwrap();
        let layout = Layout::contiguous(&[4], 4, Order::C).unwrap();
        let data: Vec<u8> = [-0.0f32, 0.0, 0.0, 0.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let options = ZarrOptions {
            chunks: vec![2],
            fill_value: Some(0f32.to_le_bytes().to_vec()),
            write_empty_chunks: false,
            ..ZarrOptions::default()
        };
        let (z, _) = ZarrArray::create(&p, &data, &layout, dtype, &options, None, &|_, _| {}).unwrap();
        assert_eq!(chunk_files(&p), vec!["0"]);
        assert_eq!(z.read(DEFAULT_MAX_ARRAY_BYTES, None).unwrap().data(), &data[..]);
        fs::remove_dir_all(&p).unwrap();
    }

    #[test]
    fn a_zarr_json_comes_before_v2_files() {
        // zarr-python, saving a v2 array below a v3 array, writes a v2 parent's .zgroup beside the v3
        // array's zarr.json, and reads the directory as that v3 array: so does brickwork
        let p = tmp("both");
        let data = [1u8, 2, 3, 4];
        let layout = Layout::contiguous(&[4], 1, Order::C).unwrap();
        let opts = ZarrOptions {
            chunks: vec![2],
            format: ZarrFormat::V3,
            ..ZarrOptions::default()
        };
        let dtype = DType::parse("|u1").unwrap();
        ZarrArray::create(&p, &data, &layout, dtype, &opts, None, &|_, _| {}).unwrap();
        fs::write(p.join(".zgroup"), r#"{"zarr_format": 2}"#).unwrap();
        assert_eq!(node_at(&p), Some(Node::Array(ZarrFormat::V3)));
        let z = ZarrArray::open(&p).unwrap();
        assert_eq!(z.format(), ZarrFormat::V3);
        assert_eq!(z.read(DEFAULT_MAX_ARRAY_BYTES, None).unwrap().data(), &data);
        fs::remove_dir_all(&p).unwrap();
    }

    #[test]
    fn zero_d_arrays() {
        let p = tmp("scalar");
        let layout = Layout::contiguous(&[], 2, Order::C).unwrap();
        let opts = ZarrOptions {
            chunks: vec![],
            ..Default::default()
        };
        ZarrArray::create(
            &p,
            &[7, 1],
            &layout,
            DType::parse("<i2").unwrap(),
            &opts,
            None,
            &|_, _| {},
        )
        .unwrap();
        assert!(p.join("0").is_file());
        let back = ZarrArray::open(&p).unwrap().read(1024, None).unwrap();
        assert_eq!(back.data(), &[7, 1]);
        assert!(back.shape().is_empty());
        fs::remove_dir_all(&p).unwrap();
    }
}
