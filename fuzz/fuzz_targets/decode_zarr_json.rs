//! Fuzzes the Zarr v3 `zarr.json` parser: arbitrary bytes must give a clear error or a valid array whose
//! metadata round-trips; reading it (no chunk files exist, so every chunk is the fill value) stays within
//! a 1 MiB limit.
#![no_main]

use brickwork_grid::zarr::ZarrArray;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(z) = ZarrArray::from_zarr_json("/nonexistent/fuzz.zarr", data) else { return };
    if z.holds_objects() {
        // variable-length items: read by chunk (`read_chunk_objects`), never into bytes
        assert!(z.read(1 << 20, Some(1)).is_err());
    }
    let meta = z.meta_json().expect("a parsed array has printable metadata");
    let again = ZarrArray::from_zarr_json("/nonexistent/fuzz.zarr", meta.as_bytes()).expect("metadata round-trips");
    assert_eq!(again.shape(), z.shape());
    assert_eq!(again.chunks(), z.chunks());
    // (a rectilinear grid keeps its edges, also those beyond the array, as runs)
    assert_eq!(again.grid_spec(), z.grid_spec());
    assert_eq!(again.grid(), z.grid());
    assert_eq!(again.dtype(), z.dtype());
    assert_eq!(again.record(), z.record());
    assert_eq!(again.order(), z.order());
    assert_eq!(again.chunk_key(&vec![1; z.shape().len()]), z.chunk_key(&vec![1; z.shape().len()]));
    assert_eq!(again.pipeline().filter_configs().len(), z.pipeline().filter_configs().len());
    assert_eq!(again.inner_chunks(), z.inner_chunks());
    // (the codecs of an array's items, the inner chunks' of a sharded one)
    assert_eq!(again.items_pipeline().filter_configs(), z.items_pipeline().filter_configs());
    assert_eq!(again.items_order(), z.items_order());
    // a null fill value is written as zeros (v3 requires one)
    match z.fill_value() {
        Some(fill) => assert_eq!(again.fill_value(), Some(fill)),
        // (an array of variable-length items keeps its fill in the metadata, as a string)
        None if z.holds_objects() => assert!(again.fill_value().is_none()),
        None => assert!(again.fill_value().is_some_and(|f| f.iter().all(|&b| b == 0))),
    }
    if let Ok(a) = z.read(1 << 20, Some(1)) {
        assert_eq!(a.len() as u64, z.nbytes().unwrap());
    }
});
