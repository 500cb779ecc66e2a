//! `adler32`: zlib's Adler-32 before the payload (numcodecs' `Adler32`).
//!
//! * Config: `{"id": "adler32"}`, `location` (`"start"`, the default, or `"end"`) emitted only if given.
//! * Wire format and decode checks: [`super::Checksum32`]. Backend: adler2. The checksum of empty data is
//!   1 (`zlib.adler32(b"", 1)`).
//! * Vector: `b"Hello World"` → `1d 04 0b 18 ‖ data`.

use super::{Checksum32, Checksum32Algorithm, Location};

/// The Adler-32 algorithm.
#[derive(Debug, Clone, Copy)]
pub struct Adler32Algorithm;

impl Checksum32Algorithm for Adler32Algorithm {
    const ID: &'static str = "adler32";
    const DEFAULT_LOCATION: Location = Location::Start;
    const INITIAL: u32 = 1;
    fn update(value: u32, data: &[u8]) -> u32 {
        let mut hasher = adler2::Adler32::from_checksum(value);
        hasher.write_slice(data);
        hasher.checksum()
    }
}

/// numcodecs' `Adler32(location=None)`.
pub type Adler32 = Checksum32<Adler32Algorithm>;

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Adler32>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numcodecs_vectors_and_framing() {
        super::super::tests::check_family::<Adler32Algorithm>(0x180b_041d, 1);
    }
}
