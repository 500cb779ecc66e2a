//! brickwork-codecs: every numcodecs codec id, wire-compatible with numcodecs.
//!
//! One codec per file, grouped by kind: [`compress`] (zlib, gzip, bz2, lzma, zstd, lz4, ...), [`filter`]
//! (shuffle, delta, fixedscaleoffset, ...), [`checksum`] (crc32, crc32c, adler32, ...). Each file
//! opens with what the codec does, its config keys and defaults, its wire format and its compatibility
//! notes, and ends with a `pub const ENTRY` that [`BUILTIN`] collects (a test checks none is missed).

pub mod array;
pub mod checksum;
pub mod compress;
pub mod filter;
pub mod pipeline;
mod simd;
mod sink;
pub mod text;
mod transpose;

use brickwork_core::{Codec, CodecEntry, Config, Registry, Result};

/// Every built-in codec.
pub static BUILTIN: &[CodecEntry] = &[
    compress::zlib::ENTRY,
    compress::gzip::ENTRY,
    compress::bz2::ENTRY,
    compress::lzma::ENTRY,
    compress::lz4::ENTRY,
    compress::zstd::ENTRY,
    compress::blosc::ENTRY,
    text::base64::ENTRY,
    filter::shuffle::ENTRY,
    filter::delta::ENTRY,
    filter::fixedscaleoffset::ENTRY,
    filter::quantize::ENTRY,
    filter::bitround::ENTRY,
    filter::packbits::ENTRY,
    filter::astype::ENTRY,
    filter::categorize::ENTRY,
    checksum::crc32::ENTRY,
    checksum::crc32c::ENTRY,
    checksum::adler32::ENTRY,
    checksum::fletcher32::ENTRY,
    checksum::jenkins_lookup3::ENTRY,
    text::json2::ENTRY,
    text::json::ENTRY,
    text::msgpack2::ENTRY,
    text::msgpack::ENTRY,
    array::pcodec::ENTRY,
    array::zfpy::ENTRY,
    pipeline::ENTRY,
    text::vlen_utf8::ENTRY,
    text::vlen_bytes::ENTRY,
    text::vlen_array::ENTRY,
];

/// Codec ids numcodecs knows that brickwork deliberately leaves out, with the reason.
pub static UNSUPPORTED: &[(&str, &str)] = &[(
    "pickle",
    "decoding it runs Python's pickle machinery, which can execute arbitrary code; re-encode the data with json2, msgpack2 or vlen-utf8/vlen-bytes",
)];

/// A registry with every built-in codec.
pub fn registry() -> Registry {
    let mut r = Registry::with_entries(BUILTIN);
    for (id, reason) in UNSUPPORTED {
        r.mark_unsupported(id, reason);
    }
    r
}

/// numcodecs' `get_codec(config)` over the built-in registry.
pub fn get_codec(config: &Config) -> Result<Box<dyn Codec>> {
    registry().get_codec(config)
}

/// [`get_codec`] from a JSON text.
pub fn get_codec_json(json: &str) -> Result<Box<dyn Codec>> {
    get_codec(&brickwork_core::config::from_json(json)?)
}

/// The unit tests' deterministic pseudo-random numbers: xorshift64 from `seed` (not zero).
#[cfg(test)]
pub(crate) fn xorshift64(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `pub const ENTRY` in the source tree is in [`BUILTIN`].
    #[test]
    fn builtin_table_lists_every_codec_file() {
        fn scan(dir: &std::path::Path, found: &mut usize) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    scan(&p, found);
                } else {
                    let text = std::fs::read_to_string(&p).unwrap();
                    *found += text.lines().filter(|l| l.starts_with("pub const ENTRY:")).count();
                }
            }
        }
        let mut found = 0;
        scan(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert_eq!(
            found,
            BUILTIN.len(),
            "a codec file's ENTRY is missing from BUILTIN"
        );
        let r = registry();
        assert_eq!(r.ids().len(), BUILTIN.len(), "two entries share an id");
    }

    #[test]
    fn unknown_and_unsupported_ids_say_so() {
        let e = get_codec_json(r#"{"id": "nope"}"#).unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("zlib"), "{e}");
        let e = get_codec_json(r#"{"id": "pickle"}"#).unwrap_err().to_string();
        assert!(e.contains("pickle") && e.contains("json2"), "{e}");
        let e = get_codec_json(r#"{"level": 1}"#).unwrap_err().to_string();
        assert!(e.contains("None"), "{e}");
    }
}
