//! Fuzzes the Zarr v3 shard reader: arbitrary bytes as the file of a shard (inner chunks through zstd,
//! index without a checksum, so the fuzzer reaches the offsets) must give a clear error or the shard's
//! elements, never a panic or an allocation sized by the file.
#![no_main]

use brickwork_grid::zarr::ZarrArray;

const META: &str = r#"{"zarr_format": 3, "node_type": "array", "shape": [8, 6], "data_type": "uint16",
  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 6]}}, "fill_value": 7,
  "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 3],
    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 1}}],
    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]}"#;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let z = ZarrArray::from_zarr_json("/nonexistent/fuzz.zarr", META.as_bytes()).expect("the metadata is valid");
    let mut out = vec![0u8; 4 * 6 * 2];
    if let Ok(n) = z.decode_chunk("c/0/0", data, &mut out) {
        assert_eq!(n, out.len());
    }
});
