//! Zarr v3's `chunk_grid` metadata: `regular` (one chunk shape) and `rectilinear` (zarr-python 3.4's
//! experimental variable chunk grid: per axis, a bare chunk length that repeats, or a list of lengths in
//! which `[size, count]` stands for `count` chunks of `size`).
//!
//! ```json
//! {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[10, 20, 30], 50]}}
//! ```
//! The lists are untrusted and kept as runs ([`Edges`]), never expanded.

use brickwork_core::{Error, Result};
use serde_json::{json, Value};

use super::sizes;
use crate::grid::{AxisChunks, ChunkGrid, Edges};

/// A chunk grid as the metadata declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GridSpec {
    /// `regular`: one chunk shape.
    Regular(Vec<usize>),
    /// `rectilinear`: per axis, a regular length or edges (kept as declared, also beyond the array's
    /// end, so the metadata is written back as it was read).
    Rectilinear(Vec<AxisChunks>),
}

impl GridSpec {
    /// The number of axes.
    pub fn ndim(&self) -> usize {
        match self {
            GridSpec::Regular(c) => c.len(),
            GridSpec::Rectilinear(a) => a.len(),
        }
    }

    /// The grid over `shape` (edge chunks padded; a 0-d array is one chunk of one element).
    pub fn grid(&self, shape: &[usize]) -> Result<ChunkGrid> {
        match self {
            GridSpec::Regular(chunks) => super::ZarrArray::grid_for(shape, chunks),
            GridSpec::Rectilinear(axes) if shape.is_empty() && axes.is_empty() => {
                super::ZarrArray::grid_for(&[], &[])
            }
            GridSpec::Rectilinear(axes) => ChunkGrid::rectilinear(shape, axes),
        }
    }

    /// This grid for an array resized to `shape`: a rectilinear axis whose edges fall short of it gets
    /// one more chunk of the missing length (as zarr-python resizes); edges are never taken away.
    pub fn resized(&self, shape: &[usize]) -> Result<GridSpec> {
        match self {
            GridSpec::Regular(_) => Ok(self.clone()),
            GridSpec::Rectilinear(axes) => axes
                .iter()
                .zip(shape)
                .map(|(axis, &n)| match axis {
                    AxisChunks::Regular(_) => Ok(axis.clone()),
                    AxisChunks::Edges(e) => Ok(AxisChunks::Edges(e.grown_to(n)?)),
                })
                .collect::<Result<_>>()
                .map(GridSpec::Rectilinear),
        }
    }

    /// The metadata's `chunk_grid` object, as zarr-python writes it.
    pub fn to_json(&self) -> Value {
        match self {
            GridSpec::Regular(chunks) => {
                json!({"name": "regular", "configuration": {"chunk_shape": chunks}})
            }
            GridSpec::Rectilinear(axes) => {
                let shapes: Vec<Value> = axes
                    .iter()
                    .map(|a| match a {
                        AxisChunks::Regular(n) => json!(n),
                        AxisChunks::Edges(e) => e.to_json(),
                    })
                    .collect();
                json!({"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": shapes}})
            }
        }
    }

    /// Parses the text of a `chunk_grid` object (untrusted).
    pub fn parse(text: &str) -> Result<GridSpec> {
        let grid: Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("the chunk grid is not JSON: {e}")))?;
        let name = grid
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("a chunk grid is an object with a name, got {grid}")))?;
        let conf = match grid.get("configuration") {
            Some(Value::Object(conf)) => conf.clone(),
            _ => Default::default(),
        };
        Self::from_json(&grid, name, &conf)
    }

    /// Parses a `chunk_grid` object (untrusted) whose `name` and `configuration` are given.
    pub fn from_json(grid: &Value, name: &str, conf: &serde_json::Map<String, Value>) -> Result<GridSpec> {
        match name {
            "regular" => Ok(GridSpec::Regular(sizes(
                conf.get("chunk_shape")
                    .ok_or_else(|| invalid("the regular chunk grid has no chunk_shape"))?,
                "chunk_shape",
            )?)),
            "rectilinear" => {
                match conf.get("kind") {
                    Some(Value::String(k)) if k == "inline" => {}
                    other => {
                        return Err(invalid(format!(
                            "a rectilinear chunk grid's kind must be \"inline\", got {}",
                            other.map_or("nothing".into(), Value::to_string)
                        )))
                    }
                }
                let shapes = conf
                    .get("chunk_shapes")
                    .and_then(Value::as_array)
                    .ok_or_else(|| invalid(format!("the rectilinear chunk grid has no chunk_shapes list: {grid}")))?;
                if shapes.len() > crate::MAX_NDIM {
                    return Err(invalid(format!(
                        "chunk_shapes has {} dimensions; at most {} are allowed",
                        shapes.len(),
                        crate::MAX_NDIM
                    )));
                }
                shapes
                    .iter()
                    .enumerate()
                    .map(|(a, spec)| axis(a, spec))
                    .collect::<Result<_>>()
                    .map(GridSpec::Rectilinear)
            }
            other => Err(invalid(format!(
                "the chunk grid {other:?} is not supported; brickwork reads \"regular\" and \"rectilinear\" grids"
            ))),
        }
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidArray(msg.into())
}

fn positive(v: &Value, what: &str, a: usize) -> Result<usize> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| invalid(format!("{what} of axis {a} must be a positive integer, got {v}")))
}

/// One axis of `chunk_shapes`: a bare length (regular), or a list of lengths and `[size, count]` runs.
fn axis(a: usize, spec: &Value) -> Result<AxisChunks> {
    let Value::Array(items) = spec else {
        return Ok(AxisChunks::Regular(positive(spec, "the chunk length", a)?));
    };
    if items.is_empty() {
        return Err(invalid(format!(
            "axis {a} of the rectilinear chunk grid has no chunk edges"
        )));
    }
    let runs = items
        .iter()
        .map(|item| match item {
            Value::Array(pair) if pair.len() == 2 => Ok((
                positive(&pair[0], "a chunk edge length", a)?,
                positive(&pair[1], "a run-length count", a)?,
            )),
            Value::Array(_) => Err(invalid(format!(
                "the chunk edges of axis {a} hold {item}; an entry is a length or a [size, count] pair"
            ))),
            _ => Ok((positive(item, "a chunk edge length", a)?, 1)),
        })
        .collect::<Result<Vec<_>>>()?;
    Edges::from_runs(runs)
        .map(AxisChunks::Edges)
        .map_err(|e| invalid(format!("axis {a} of the rectilinear chunk grid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<GridSpec> {
        let (name, conf) = (
            v["name"].as_str().unwrap_or("").to_owned(),
            v["configuration"].clone(),
        );
        GridSpec::from_json(&v, &name, conf.as_object().unwrap_or(&Default::default()))
    }

    #[test]
    fn rectilinear_grids_both_ways() {
        let v = json!({"name": "rectilinear", "configuration": {"kind": "inline",
                       "chunk_shapes": [[10, 20, 30], 50, [[10, 3], 5]]}});
        let spec = parse(v.clone()).unwrap();
        assert_eq!(spec.to_json(), v);
        let grid = spec.grid(&[60, 100, 33]).unwrap();
        assert_eq!(grid.grid_shape(), &[3, 2, 4]);
        assert_eq!(grid.chunk(), &[30, 50, 10]);
        assert_eq!(grid.region(&[1, 1, 3]), (vec![10, 50, 30], vec![20, 50, 3]));
        assert_eq!(grid.stored_shape(&[2, 1, 3]), vec![30, 50, 5]);
        // growing: one more chunk of the missing length; shrinking keeps the edges
        let grown = spec.resized(&[70, 100, 33]).unwrap();
        assert_eq!(
            grown.to_json()["configuration"]["chunk_shapes"][0],
            json!([10, 20, 30, 10])
        );
        let shrunk = spec.resized(&[15, 1, 1]).unwrap();
        assert_eq!(shrunk, spec);
        assert_eq!(shrunk.grid(&[15, 1, 1]).unwrap().grid_shape(), &[2, 1, 1]);
        assert_eq!(spec.grid(&[0, 1, 1]).unwrap().len(), 0);
    }

    #[test]
    fn hostile_grids_are_errors() {
        for (conf, says) in [
            (json!({"kind": "inline", "chunk_shapes": [[]]}), "no chunk edges"),
            (json!({"kind": "file", "chunk_shapes": [[1]]}), "inline"),
            (json!({"chunk_shapes": [[1]]}), "inline"),
            (json!({"kind": "inline"}), "chunk_shapes"),
            (json!({"kind": "inline", "chunk_shapes": [[0]]}), "positive"),
            (json!({"kind": "inline", "chunk_shapes": [[[4, 0]]]}), "positive"),
            (
                json!({"kind": "inline", "chunk_shapes": [[[4, 1, 2]]]}),
                "[size, count]",
            ),
            (json!({"kind": "inline", "chunk_shapes": [[-1]]}), "positive"),
            (json!({"kind": "inline", "chunk_shapes": [0]}), "positive"),
            (
                json!({"kind": "inline", "chunk_shapes": [[[u64::MAX, 2]]]}),
                "addressed",
            ),
            (json!({"kind": "inline", "chunk_shapes": vec![1; 33]}), "at most"),
        ] {
            let e = parse(json!({"name": "rectilinear", "configuration": conf}))
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{conf}: {e}");
        }
        // edges that do not cover the array; a trillion declared chunks cost nothing
        let spec = parse(json!({"name": "rectilinear",
                                "configuration": {"kind": "inline", "chunk_shapes": [[10, 20]]}}))
        .unwrap();
        assert!(spec.grid(&[31]).unwrap_err().to_string().contains("cover"));
        let spec = parse(json!({"name": "rectilinear",
                                "configuration": {"kind": "inline", "chunk_shapes": [[[1, 1_000_000_000_000u64]]]}}))
        .unwrap();
        assert_eq!(spec.grid(&[5]).unwrap().len(), 5);
        let e = parse(json!({"name": "hexagonal", "configuration": {}}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("rectilinear"), "{e}");
    }

    #[test]
    fn rectilinear_arrays_are_written_read_and_resized() {
        use crate::{Layout, Selection, ZarrArray, ZarrOptions};
        use brickwork_core::{DType, Order};
        let dir = std::env::temp_dir().join(format!("brickwork-rectilinear-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let shape = [60usize, 7];
        let data: Vec<u8> = (0..60 * 7).flat_map(|v: u16| v.to_le_bytes()).collect();
        let dtype = DType::parse("<u2").unwrap();
        let options = ZarrOptions {
            rectilinear: Some(vec![
                AxisChunks::Edges(Edges::from_sizes(&[10, 20, 30]).unwrap()),
                AxisChunks::Regular(4),
            ]),
            compressor: Some(brickwork_core::config::from_json(r#"{"id": "zstd", "level": 1}"#).unwrap()),
            format: super::super::ZarrFormat::V3,
            ..ZarrOptions::default()
        };
        let layout = Layout::contiguous(&shape, 2, Order::C).unwrap();
        let (z, stats) =
            ZarrArray::create(&dir, &data, &layout, dtype, &options, Some(2), &|_, _| {}).unwrap();
        assert_eq!(stats.chunks, 6);
        let meta: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("zarr.json")).unwrap()).unwrap();
        assert_eq!(
            meta["chunk_grid"]["configuration"]["chunk_shapes"],
            json!([[10, 20, 30], 4])
        );
        // each chunk file holds its own shape: chunk (1, 1) is 20 x 4 elements
        let bytes = std::fs::read(dir.join("c/1/1")).unwrap();
        let mut chunk = vec![0u8; 20 * 4 * 2];
        assert_eq!(z.decode_chunk("c/1/1", &bytes, &mut chunk).unwrap(), chunk.len());
        assert_eq!(&chunk[..4], &[(10 * 7 + 4) as u8, 0, (10 * 7 + 5) as u8, 0]);
        let z = ZarrArray::open(&dir).unwrap();
        assert_eq!(z.read(1 << 20, None).unwrap().data(), &data[..]);
        // a region across chunks of different lengths, then the points around it
        let sel = Selection::new(&shape, &[5, 2], &[20, 3], &[1, 1]).unwrap();
        let region = vec![0xffu8; 20 * 3 * 2];
        z.write_selection(
            &sel,
            &region,
            &Layout::contiguous(&[20, 3], 2, Order::C).unwrap(),
            1 << 20,
            None,
        )
        .unwrap();
        let got = z.read(1 << 20, None).unwrap();
        let at = |r: usize, c: usize| {
            u16::from_le_bytes([got.data()[(r * 7 + c) * 2], got.data()[(r * 7 + c) * 2 + 1]])
        };
        for r in 0..60 {
            for c in 0..7 {
                let inside = (5..25).contains(&r) && (2..5).contains(&c);
                assert_eq!(
                    at(r, c),
                    if inside { 0xffff } else { (r * 7 + c) as u16 },
                    "({r}, {c})"
                );
            }
        }
        let mut points = vec![0u8; 4];
        let pts_layout = Layout::contiguous(&[2], 2, Order::C).unwrap();
        z.read_points_into(&[4, 2, 29, 6], &mut points, &pts_layout, 1 << 20, None)
            .unwrap();
        assert_eq!(points, [(4 * 7 + 2) as u8, 0, (29 * 7 + 6) as u8, 0]);
        // growing adds one chunk of the missing length; shrinking keeps the edges and drops whole chunks
        let z = z.resize(&[70, 7], 1 << 20, None).unwrap();
        let meta: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("zarr.json")).unwrap()).unwrap();
        assert_eq!(
            meta["chunk_grid"]["configuration"]["chunk_shapes"],
            json!([[10, 20, 30, 10], 4])
        );
        assert_eq!(z.grid().grid_shape(), &[4, 2]);
        let z = z.resize(&[15, 7], 1 << 20, None).unwrap();
        assert_eq!(z.grid().grid_shape(), &[2, 2]);
        assert!(!dir.join("c/2/0").exists() && dir.join("c/1/0").exists());
        // the cut chunk holds the fill value beyond the new end once grown back
        let z = z.resize(&[30, 7], 1 << 20, None).unwrap();
        let got = z.read(1 << 20, None).unwrap();
        assert_eq!(&got.data()[(15 * 7) * 2..(15 * 7) * 2 + 2], &[0, 0]);
        assert_eq!(&got.data()[(14 * 7) * 2..(14 * 7) * 2 + 2], &[(14 * 7) as u8, 0]);
        // edges that do not cover the shape are refused on opening, as zarr-python refuses them
        let text = std::fs::read_to_string(dir.join("zarr.json"))
            .unwrap()
            .replace("\"shape\": [\n    30,", "\"shape\": [\n    71,");
        let e = ZarrArray::from_zarr_json(&dir, text.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("cover"), "{e}");
        // Zarr v2 has no rectilinear grids
        let v2 = ZarrOptions {
            format: super::super::ZarrFormat::V2,
            overwrite: true,
            ..options
        };
        let e = ZarrArray::create(&dir, &data, &layout, dtype, &v2, None, &|_, _| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("Zarr v3"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rectilinear_shards_hold_regular_inner_chunks() {
        use crate::{Layout, Selection, ZarrArray, ZarrOptions};
        use brickwork_core::{DType, Order};
        let dir = std::env::temp_dir().join(format!("brickwork-rectilinear-shards-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let shape = [120usize, 100];
        let data: Vec<u8> = (0..120 * 100).flat_map(|v: u32| v.to_le_bytes()).collect();
        let dtype = DType::parse("<u4").unwrap();
        let options = ZarrOptions {
            chunks: vec![10, 10],
            shards: Some(vec![60, 50]),
            rectilinear: Some(vec![
                AxisChunks::Edges(Edges::from_sizes(&[60, 40, 20]).unwrap()),
                AxisChunks::Edges(Edges::from_sizes(&[50, 50]).unwrap()),
            ]),
            format: super::super::ZarrFormat::V3,
            ..ZarrOptions::default()
        };
        let layout = Layout::contiguous(&shape, 4, Order::C).unwrap();
        let (z, stats) =
            ZarrArray::create(&dir, &data, &layout, dtype, &options, Some(2), &|_, _| {}).unwrap();
        assert_eq!((stats.chunks, z.initialized_chunks().unwrap()), (6, 120));
        let meta: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("zarr.json")).unwrap()).unwrap();
        assert_eq!(
            meta["chunk_grid"]["configuration"]["chunk_shapes"],
            json!([[60, 40, 20], [[50, 2]]])
        );
        let z = ZarrArray::open(&dir).unwrap();
        assert_eq!(z.read(1 << 20, None).unwrap().data(), &data[..]);
        // a region across the shards of 60 and 40 rows, read and written, and points in the last shard
        let sel = Selection::new(&shape, &[50, 40], &[20, 20], &[1, 1]).unwrap();
        let mut region = vec![0u8; 20 * 20 * 4];
        let rl = Layout::contiguous(&[20, 20], 4, Order::C).unwrap();
        z.read_selection_into(&sel, &mut region, &rl, 1 << 20, None)
            .unwrap();
        let first = u32::from_le_bytes(region[..4].try_into().unwrap());
        assert_eq!(first, 50 * 100 + 40);
        z.write_selection(&sel, &vec![0xff; 20 * 20 * 4], &rl, 1 << 20, None)
            .unwrap();
        let got = z.read(1 << 20, None).unwrap();
        let at =
            |r: usize, c: usize| u32::from_le_bytes(got.data()[(r * 100 + c) * 4..][..4].try_into().unwrap());
        assert_eq!(
            (at(59, 59), at(60, 40), at(70, 40), at(49, 40)),
            (u32::MAX, u32::MAX, 70 * 100 + 40, 49 * 100 + 40)
        );
        let mut points = vec![0u8; 8];
        z.read_points_into(
            &[119, 99, 100, 0],
            &mut points,
            &Layout::contiguous(&[2], 4, Order::C).unwrap(),
            1 << 20,
            None,
        )
        .unwrap();
        assert_eq!(points[..4], (119 * 100 + 99u32).to_le_bytes());
        assert_eq!(points[4..], (100 * 100u32).to_le_bytes());
        // a shard edge that is not a multiple of the inner chunks is refused
        let text = std::fs::read_to_string(dir.join("zarr.json"))
            .unwrap()
            .replace("60,\n", "55,\n")
            .replace("20\n", "25\n");
        let e = ZarrArray::from_zarr_json(&dir, text.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("multiple of the inner chunk"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
