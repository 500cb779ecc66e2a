//! `crc32c`: CRC-32C (Castagnoli) after the payload (numcodecs' `CRC32C`, which needs google_crc32c).
//!
//! * Config: `{"id": "crc32c"}`, `location` (`"end"`, the default, or `"start"`) emitted only if given.
//! * Wire format and decode checks: [`super::Checksum32`]. Backend: the crc32c crate (SSE4.2/ARM
//!   hardware with a software fallback). The zarr-v3 core `crc32c` codec has the same layout as the
//!   default here.
//! * Vectors: `b"Hello World"` → `data ‖ 2f aa 1d 69`; `bytes(range(64))` → 4218238699.

use super::{Checksum32, Checksum32Algorithm, Location};

/// The CRC-32C algorithm.
#[derive(Debug, Clone, Copy)]
pub struct Crc32cAlgorithm;

impl Checksum32Algorithm for Crc32cAlgorithm {
    const ID: &'static str = "crc32c";
    const DEFAULT_LOCATION: Location = Location::End;
    const INITIAL: u32 = 0;
    fn update(value: u32, data: &[u8]) -> u32 {
        crc32c::crc32c_append(value, data)
    }
}

/// numcodecs' `CRC32C(location=None)`.
pub type Crc32c = Checksum32<Crc32cAlgorithm>;

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Crc32c>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numcodecs_vectors_and_framing() {
        super::super::tests::check_family::<Crc32cAlgorithm>(u32::from_le_bytes([0x2f, 0xaa, 0x1d, 0x69]), 0);
        let data: Vec<u8> = (0..64).collect();
        assert_eq!(Crc32cAlgorithm::checksum(&data), 4_218_238_699);
    }
}
