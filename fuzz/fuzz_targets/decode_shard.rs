//! Fuzzes the Zarr v3 shard codec: arbitrary bytes as the file of a shard (inner chunks through zstd,
//! index without a checksum, so the fuzzer reaches the offsets) must give a clear error or the shard's
//! elements, never a panic or an allocation sized by the file. A shard that decodes is encoded again
//! (inner chunks holding only the fill value left out) and must decode to the same elements.
#![no_main]

use brickwork_core::{ArrayView, Codec, DType, Order};
use brickwork_grid::zarr::ZarrArray;

const META: &str = r#"{"zarr_format": 3, "node_type": "array", "shape": [8, 6], "data_type": "uint16",
  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 6]}}, "fill_value": 7,
  "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 3],
    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 1}}],
    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]}"#;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let z = ZarrArray::from_zarr_json("/nonexistent/fuzz.zarr", META.as_bytes()).expect("the metadata is valid");
    let mut out = vec![0u8; 4 * 6 * 2];
    let Ok(n) = z.decode_chunk("c/0/0", data, &mut out) else { return };
    assert_eq!(n, out.len());
    let view = ArrayView::new(&out, DType::parse("<u2").unwrap(), vec![4, 6], Order::C).unwrap();
    let encoded = z.pipeline().encode(&view).expect("a decoded shard encodes");
    let mut again = vec![0u8; out.len()];
    z.decode_chunk("c/0/0", &encoded, &mut again).expect("an encoded shard decodes");
    assert_eq!(again, out);
});
