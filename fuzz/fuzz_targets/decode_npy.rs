//! Fuzzes the `.npy` header parser (the dict literal, and a structured dtype's `descr` list): arbitrary
//! bytes must give a clear error or a header whose data length is its shape's count of items; a header
//! written back (plain or of records) parses to the same dtype, fields, shape and order.
#![no_main]

use brickwork_core::npy;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(h) = npy::parse_header(data) else { return };
    let count: usize = h.shape.iter().product();
    assert_eq!(Some(h.data_len), count.checked_mul(h.dtype.itemsize()));
    let again = match &h.record {
        Some(record) => {
            assert_eq!(record.dtype(), h.dtype);
            npy::record_header_bytes(record, &h.shape, h.order)
        }
        None => npy::header_bytes(h.dtype, &h.shape, h.order),
    };
    let back = npy::parse_header(&again).expect("a header brickwork writes parses");
    assert_eq!((back.dtype, &back.record, &back.shape, back.order), (h.dtype, &h.record, &h.shape, h.order));
});
