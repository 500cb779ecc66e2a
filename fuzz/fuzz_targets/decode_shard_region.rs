//! Fuzzes reading and writing regions of a sharded Zarr v3 array whose one shard file is arbitrary
//! bytes: a region read (the index, then only the inner chunks it needs, read from the file by offset)
//! must give a clear error or exactly that region of what decoding the whole shard gives; a region write
//! must fail on a shard that does not decode, leaving the file as it was, and otherwise leave the shard
//! holding the old elements with the region replaced. Reads of lists of indices per axis (orthogonal
//! selections) and of single points are held to the same. Never a panic, never an allocation sized by
//! the file.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use brickwork_core::Order;
use brickwork_grid::zarr::{ZarrArray, DEFAULT_MAX_ARRAY_BYTES};
use brickwork_grid::{Indices, Layout, Selection};

const META: &str = r#"{"zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "uint16",
  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 6]}}, "fill_value": 7,
  "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 3],
    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 1}}],
    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]}"#;

/// A store of its own for this process, holding the metadata (the shard file is the input).
fn store() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("brickwork-fuzz-shard-region-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("c/0")).unwrap();
        std::fs::write(dir.join("zarr.json"), META).unwrap();
        dir
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = store();
    let shard = dir.join("c/0/0");
    std::fs::write(&shard, data).unwrap();
    let z = ZarrArray::open(dir).expect("the metadata is valid");
    let mut whole = vec![0u8; 4 * 6 * 2];
    let decoded = z.decode_chunk("c/0/0", data, &mut whole).is_ok();
    // rows 1..3 of columns 1, 3, 5: inner chunks (0, 0), (0, 1), (1, 0) and (1, 1), each in part
    let sel = Selection::new(&[4, 6], &[1, 1], &[2, 3], &[1, 2]).unwrap();
    let layout = Layout::contiguous(&[2, 3], 2, Order::C).unwrap();
    let mut region = vec![0u8; 12];
    let read = z.read_selection_into(&sel, &mut region, &layout, DEFAULT_MAX_ARRAY_BYTES, Some(1));
    if decoded {
        read.expect("a region of a shard that decodes reads");
        for (i, r) in [1usize, 2].iter().enumerate() {
            for (j, c) in [1usize, 3, 5].iter().enumerate() {
                let at = (r * 6 + c) * 2;
                assert_eq!(region[(i * 3 + j) * 2..][..2], whole[at..at + 2]);
            }
        }
    }
    // rows 0 and 3 of columns 0, 1 and 5 (lists), and four points (one repeated), likewise
    let lists = Selection::of(&[4, 6], vec![Indices::List(vec![0, 3]), Indices::List(vec![0, 1, 5])]).unwrap();
    let mut picked = vec![0u8; 12];
    let read = z.read_selection_into(&lists, &mut picked, &layout, DEFAULT_MAX_ARRAY_BYTES, Some(1));
    let points = [3usize, 5, 0, 0, 1, 4, 3, 5];
    let mut at_points = vec![0u8; 8];
    let line = Layout::contiguous(&[4], 2, Order::C).unwrap();
    let read_points = z.read_points_into(&points, &mut at_points, &line, DEFAULT_MAX_ARRAY_BYTES, Some(1));
    if decoded {
        read.expect("lists of a shard that decodes read");
        read_points.expect("points of a shard that decodes read");
        for (i, r) in [0usize, 3].iter().enumerate() {
            for (j, c) in [0usize, 1, 5].iter().enumerate() {
                let at = (r * 6 + c) * 2;
                assert_eq!(picked[(i * 3 + j) * 2..][..2], whole[at..at + 2]);
            }
        }
        for (j, p) in points.chunks(2).enumerate() {
            let at = (p[0] * 6 + p[1]) * 2;
            assert_eq!(at_points[j * 2..][..2], whole[at..at + 2]);
        }
    }
    // write the region (partly covered inner chunks are decoded, updated and encoded again)
    let values: Vec<u8> = (0..12u8).collect();
    let wrote = z.write_selection(&sel, &values, &layout, DEFAULT_MAX_ARRAY_BYTES, Some(1));
    let now = std::fs::read(&shard).unwrap();
    if wrote.is_err() {
        assert_eq!(now, data, "a failed write left the shard as it was");
        return;
    }
    let mut after = vec![0u8; 48];
    z.decode_chunk("c/0/0", &now, &mut after).expect("a written shard decodes");
    for r in 0..4 {
        for c in 0..6 {
            let at = (r * 6 + c) * 2;
            let selected = (1..3).contains(&r) && c % 2 == 1;
            if selected {
                let k = ((r - 1) * 3 + c / 2) * 2;
                assert_eq!(after[at..at + 2], values[k..k + 2]);
            } else if decoded {
                assert_eq!(after[at..at + 2], whole[at..at + 2], "elements outside the region kept");
            }
        }
    }
});
