//! Changing an array's shape (zarr-python's `resize`, which `append` uses) and its user attributes:
//! edits of a store's metadata file, which keep everything else in it.
//!
//! A resize writes the new metadata atomically, then deletes the chunk files wholly outside the new shape
//! (found by listing the store, so a grid the metadata claims to be huge is never walked). Before that,
//! in chunks the new shape cuts through, the elements beyond it are set to the fill value, so that growing
//! the array again shows the fill value there, as NumPy's semantics promise (zarr-python leaves the old
//! values, which then reappear).

use base64::Engine;
use std::fs;

use brickwork_core::{Codec, Error, Limits, ObjectArray, ObjectItems, Result};
use serde_json::{json, Map, Value};

use super::{pretty, read_meta, sort_keys, v2, write_atomic, GridSpec, ZarrArray, ZarrFormat};
use crate::layout::{contiguous_strides, Layout};
use crate::selection::Selection;

impl ZarrArray {
    /// Changes the array's shape to `new_shape` (same number of dimensions) and returns the array
    /// reopened: the metadata file is rewritten with the new shape, everything else in it kept; chunk
    /// files wholly outside the new shape are deleted; in chunks the new shape cuts through, the elements
    /// beyond it are set to the fill value first (see the module docs). `max_bytes` and `threads` are
    /// those of the writes that does ([`ZarrArray::write_selection`]).
    pub fn resize(&self, new_shape: &[usize], max_bytes: u64, threads: Option<usize>) -> Result<ZarrArray> {
        if new_shape.len() != self.shape.len() {
            return Err(Error::InvalidArray(format!(
                "an array of {} dimensions is resized to a shape of as many; got {new_shape:?}",
                self.shape.len()
            )));
        }
        // the new metadata, validated before anything changes
        let mut meta = read_meta(&self.path.join(self.format.meta_file()))?;
        meta.insert("shape".into(), json!(new_shape));
        if let GridSpec::Rectilinear(_) = &self.spec {
            // edges that fall short of the new shape get one more chunk (as zarr-python resizes)
            meta.insert("chunk_grid".into(), self.spec.resized(new_shape)?.to_json());
        }
        let resized = Self::from_parsed(self.path.clone(), self.format, &meta)?;
        let text = self.meta_text(meta)?;
        self.clear_beyond(new_shape, max_bytes, threads)?;
        write_atomic(&self.path, self.format.meta_file(), text.as_bytes())?;
        self.remove_chunks_outside(resized.grid.grid_shape())?;
        Ok(resized)
    }

    /// The user attributes (v2: `.zattrs`, none when it does not exist; v3: `zarr.json`'s
    /// `attributes`).
    pub fn attributes(&self) -> Result<Map<String, Value>> {
        let (file, key) = match self.format {
            ZarrFormat::V2 if !self.path.join(v2::ATTRS_FILE).exists() => return Ok(Map::new()),
            ZarrFormat::V2 => (self.path.join(v2::ATTRS_FILE), None),
            ZarrFormat::V3 => (self.path.join(self.format.meta_file()), Some("attributes")),
        };
        let mut meta = read_meta(&file)?;
        match key.map(|k| meta.remove(k)) {
            None => Ok(meta),
            Some(None) => Ok(Map::new()),
            Some(Some(Value::Object(attributes))) => Ok(attributes),
            Some(Some(_)) => Err(Error::InvalidArray(format!(
                "{}: attributes is not a JSON object",
                file.display()
            ))),
        }
    }

    /// Replaces the user attributes with `attributes` (v2: `.zattrs`; v3: `zarr.json`'s `attributes`,
    /// the rest of the file kept), atomically.
    pub fn write_attributes(&self, attributes: &Map<String, Value>) -> Result<()> {
        match self.format {
            ZarrFormat::V2 => {
                let text = pretty(&sort_keys(Value::Object(attributes.clone())), b"    ")?;
                write_atomic(&self.path, v2::ATTRS_FILE, text.as_bytes())
            }
            ZarrFormat::V3 => {
                let mut meta = read_meta(&self.path.join(self.format.meta_file()))?;
                meta.insert("attributes".into(), Value::Object(attributes.clone()));
                let text = self.meta_text(meta)?;
                write_atomic(&self.path, self.format.meta_file(), text.as_bytes())
            }
        }
    }

    /// A metadata file's text, formatted as zarr-python formats it.
    fn meta_text(&self, meta: Map<String, Value>) -> Result<String> {
        match self.format {
            ZarrFormat::V2 => pretty(&sort_keys(Value::Object(meta)), b"    "),
            ZarrFormat::V3 => pretty(&Value::Object(meta), b"  "),
        }
    }

    /// Sets the elements beyond `new_shape` in the chunks (shards) it cuts through to the fill value.
    fn clear_beyond(&self, new_shape: &[usize], max_bytes: u64, threads: Option<usize>) -> Result<()> {
        let (old, grid, n) = (&self.shape, &self.grid, self.shape.len());
        // per axis, how far the chunks that stay reach into the old array
        let kept: Vec<usize> = (0..n)
            .map(|a| match new_shape[a] {
                0 => 0,
                m if m >= old[a] => old[a],
                m => {
                    let (start, len) = grid.chunk_span(a, grid.chunk_of(a, m - 1));
                    (start + len).min(old[a])
                }
            })
            .collect();
        for a in 0..n {
            if new_shape[a] >= old[a] || grid.chunk_span(a, grid.chunk_of(a, new_shape[a])).0 == new_shape[a]
            {
                continue; // no chunk cut along this axis
            }
            let mut start = vec![0; n];
            let mut count = kept.clone();
            start[a] = new_shape[a];
            count[a] = kept[a] - new_shape[a];
            if count.contains(&0) {
                continue;
            }
            let sel = Selection::new(old, &start, &count, &vec![1; n])?;
            if self.holds_objects() {
                self.clear_objects(&sel, max_bytes)?;
                continue;
            }
            let isz = self.dtype.itemsize();
            let fill = self.fill.clone().unwrap_or_else(|| vec![0; isz]);
            let layout = Layout::strided(&count, &vec![0; n], isz, 0, isz)?;
            self.write_selection(&sel, &fill, &layout, max_bytes, threads)?;
        }
        Ok(())
    }

    /// [`ZarrArray::clear_beyond`] for an array of variable-length items: each chunk (inner chunk, of a
    /// sharded array) the box `sel` touches is decoded, the selected items set to the fill value, and
    /// encoded again.
    fn clear_objects(&self, sel: &Selection, max_bytes: u64) -> Result<()> {
        let codec = self
            .items_pipeline()
            .as_object_codec()
            .ok_or_else(|| Error::InvalidArray("the array does not hold variable-length items".into()))?;
        let limits = Limits::new(usize::try_from(max_bytes).unwrap_or(usize::MAX));
        let grid = self.decode_grid()?;
        let largest = contiguous_strides(grid.chunk(), 1, self.items_order())?;
        let mut encoded = Vec::new();
        for i in sel.touched_chunks(&grid, &largest) {
            let coords = grid.coords(i);
            let chunk = grid.stored_shape(&coords);
            let strides = contiguous_strides(&chunk, 1, self.items_order())?;
            let Some(items) = self.read_chunk_objects(&coords, &limits)? else {
                continue; // never written: every item is the fill value already
            };
            let (start, _) = grid.region(&coords);
            // per axis, the chunk-local indices the box selects
            let ranges: Vec<(usize, usize)> = (0..chunk.len())
                .map(|a| {
                    // (not empty: the chunk holds a selected element)
                    let k = sel.span(a, start[a], start[a] + chunk[a]);
                    (sel.axes()[a].at(k.start) - start[a], k.len())
                })
                .collect();
            let mut items = items.into_items();
            // bytes items: the metadata's fill value is their base64, as zarr-python writes it (the
            // text itself where it is not base64); strings: the text
            let fill_bytes = self.fill.as_ref().map(|f| {
                base64::engine::general_purpose::STANDARD
                    .decode(f)
                    .unwrap_or_else(|_| f.clone())
            });
            let mut local = vec![0usize; chunk.len()];
            'walk: loop {
                let at: usize = (0..chunk.len())
                    .map(|a| (ranges[a].0 + local[a]) * strides[a] as usize)
                    .sum();
                match &mut items {
                    ObjectItems::Str(v) => {
                        v[at] = self
                            .fill
                            .as_ref()
                            .map(|f| String::from_utf8_lossy(f).into_owned())
                    }
                    ObjectItems::Bytes(v) => v[at] = fill_bytes.clone(),
                    other => {
                        return Err(Error::InvalidArray(format!(
                            "the array's chunks hold {}; only strings and bytes are set to the fill value \
                             where a resize cuts through a chunk",
                            other.kind_name()
                        )))
                    }
                }
                for a in (0..chunk.len()).rev() {
                    local[a] += 1;
                    if local[a] < ranges[a].1 {
                        continue 'walk;
                    }
                    local[a] = 0;
                }
                break;
            }
            let array = ObjectArray::new(items, chunk.clone(), self.items_order())?;
            encoded.push((coords, codec.encode_objects(&array)?));
        }
        self.write_encoded_chunks(&encoded)
    }

    /// Deletes the chunk files whose grid position is outside `grid` (the new grid shape), found by
    /// listing the store; directories left empty go too.
    fn remove_chunks_outside(&self, grid: &[usize]) -> Result<()> {
        if self.shape.is_empty() {
            return Ok(());
        }
        let files = self.chunk_files()?;
        for (coords, file) in files {
            if coords.iter().zip(grid).all(|(c, n)| c < n) {
                continue;
            }
            match fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(format!("cannot delete chunk {}", file.display()), e))
                }
                _ => {}
            }
            // directories of nested keys left empty (removing one that is not empty fails: ignored)
            let mut dir = file.parent();
            while let Some(d) = dir.filter(|d| *d != self.path) {
                if fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        Ok(())
    }
}
