//! Fuzzes the Zarr v2 `.zarray` parser: arbitrary bytes must give a clear error or a valid array whose
//! metadata round-trips; reading it (no chunk files exist, so every chunk is the fill value) stays within
//! a 1 MiB limit.
#![no_main]

use brickwork_grid::zarr::ZarrArray;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(z) = ZarrArray::from_zarray("/nonexistent/fuzz.zarr", data) else { return };
    if z.holds_objects() {
        // variable-length items: read by chunk (`read_chunk_objects`), never into bytes
        assert!(z.read(1 << 20, Some(1)).is_err());
    }
    let meta = z.meta_json().expect("a parsed array has printable metadata");
    let again = ZarrArray::from_zarray("/nonexistent/fuzz.zarr", meta.as_bytes()).expect("metadata round-trips");
    assert_eq!(again.shape(), z.shape());
    assert_eq!(again.chunks(), z.chunks());
    assert_eq!(again.dtype(), z.dtype());
    assert_eq!(again.record(), z.record());
    assert_eq!(again.fill_value(), z.fill_value());
    if let Ok(a) = z.read(1 << 20, Some(1)) {
        assert_eq!(a.len() as u64, z.nbytes().unwrap());
    }
});
