//! `crc32`: zlib's CRC-32 (IEEE, reflected, polynomial 0xEDB88320) before the payload (numcodecs' `CRC32`).
//!
//! * Config: `{"id": "crc32"}`, `location` (`"start"`, the default, or `"end"`) emitted only if given.
//! * Wire format and decode checks: [`super::Checksum32`]. Backend: crc32fast (SIMD).
//! * Vector: `b"Hello World"` → `56 b1 17 4a ‖ data`; empty → `00 00 00 00`.

use super::{Checksum32, Checksum32Algorithm, Location};

/// The CRC-32 algorithm (`zlib.crc32(data, 0)`).
#[derive(Debug, Clone, Copy)]
pub struct Crc32Algorithm;

impl Checksum32Algorithm for Crc32Algorithm {
    const ID: &'static str = "crc32";
    const DEFAULT_LOCATION: Location = Location::Start;
    const INITIAL: u32 = 0;
    fn update(value: u32, data: &[u8]) -> u32 {
        let mut hasher = crc32fast::Hasher::new_with_initial(value);
        hasher.update(data);
        hasher.finalize()
    }
}

/// numcodecs' `CRC32(location=None)`.
pub type Crc32 = Checksum32<Crc32Algorithm>;

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Crc32>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numcodecs_vectors_and_framing() {
        super::super::tests::check_family::<Crc32Algorithm>(0x4a17_b156, 0);
    }
}
