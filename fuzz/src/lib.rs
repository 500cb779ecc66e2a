//! Shared driver of the fuzz targets: every decoder must answer any bytes with a value or an error,
//! never a panic, a hang or an allocation beyond the limit.

use brickwork_core::{config, Limits};

/// The cap on decoded output during fuzzing: small, so a bomb shows up as a limit error, not an OOM.
pub const FUZZ_LIMIT: usize = 32 << 20;

/// Decodes `data` with each config in `configs` (JSON texts), with and without an `out` buffer.
pub fn decode_all(configs: &[&str], data: &[u8]) {
    let registry = brickwork_codecs::registry();
    for text in configs {
        let Ok(cfg) = config::from_json(text) else { panic!("bad fuzz config {text}") };
        let codec = match registry.get_codec(&cfg) {
            Ok(c) => c,
            Err(e) => panic!("fuzz config {text} does not build: {e}"),
        };
        let decoded = codec.decode(data, &Limits::new(FUZZ_LIMIT));
        if let Ok(buf) = &decoded {
            assert!(buf.len() <= FUZZ_LIMIT, "{text}: decoded past the limit");
            // A successful decode must also succeed into an exactly sized buffer.
            let mut out = vec![0u8; buf.len()];
            let n = codec.decode_into(data, &mut out);
            assert!(n.is_ok(), "{text}: decode ok but decode_into an exact buffer failed: {n:?}");
            assert_eq!(&out[..], buf.data(), "{text}: decode and decode_into disagree");
        }
        // The Python fast path: the size a header declares (LZ4, Zstd, Blosc), decoded straight into
        // an uninitialised buffer of that size; it must agree with `decode` when both succeed.
        if let Some(size) = codec.declared_size(data).filter(|&n| n <= FUZZ_LIMIT) {
            let mut out = Vec::<u8>::with_capacity(size);
            if let Ok(n) = codec.decode_into_uninit(data, &mut out.spare_capacity_mut()[..size]) {
                assert!(n <= size, "{text}: decode_into_uninit wrote past its buffer");
                // SAFETY: decode_into_uninit returned n, so it initialised out[..n].
                unsafe { out.set_len(n) };
                if let (Ok(buf), true) = (&decoded, n == size) {
                    assert_eq!(&out[..], buf.data(), "{text}: declared-size decode and decode disagree");
                }
            }
        }
        // Object codecs (json2, msgpack2, vlen-*) decode to object arrays too, and their direct path
        // (what the Python bridge uses) must give the owned path's items or its error.
        if let Some(objects) = codec.as_object_codec() {
            brickwork_codecs::text::direct_checks::same_decode(objects, data, &Limits::new(FUZZ_LIMIT));
        }
        // Small and odd out sizes must be rejected or filled, never overrun.
        for size in [0usize, 1, 17, 4096] {
            let mut out = vec![0u8; size];
            let _ = codec.decode_into(data, &mut out);
        }
    }
}

/// Encodes `data` as bytes with each config and checks the decode gives it back (for lossless codecs
/// that accept any bytes).
pub fn round_trip(configs: &[&str], data: &[u8]) {
    round_trip_inner(configs, data, true);
}

/// Like [`round_trip`] for typed lossless codecs, which may refuse bytes that are not whole items: an
/// encode error is fine, but what encodes must decode back unchanged.
pub fn round_trip_if_accepted(configs: &[&str], data: &[u8]) {
    round_trip_inner(configs, data, false);
}

fn round_trip_inner(configs: &[&str], data: &[u8], must_encode: bool) {
    let registry = brickwork_codecs::registry();
    for text in configs {
        let Ok(cfg) = config::from_json(text) else { panic!("bad fuzz config {text}") };
        let Ok(codec) = registry.get_codec(&cfg) else { panic!("fuzz config {text} does not build") };
        let enc = match codec.encode_bytes(data) {
            Ok(e) => e,
            Err(e) if must_encode => panic!("{text}: encode of {} bytes failed: {e}", data.len()),
            Err(_) => continue,
        };
        match codec.decode(&enc, &Limits::default()) {
            Ok(dec) => assert_eq!(dec.data(), data, "{text}: round trip changed the data"),
            Err(e) => panic!("{text}: decode of own output failed: {e}"),
        }
    }
}
