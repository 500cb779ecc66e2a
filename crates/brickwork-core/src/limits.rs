//! Decode limits: how much memory decoding untrusted bytes may claim.
//!
//! Encoded data is untrusted. A 13-byte zstd frame can claim a terabyte of content and a small zlib stream
//! can inflate without end, so every decoder that produces output without a caller-sized buffer checks
//! its output against [`Limits::max_decoded_bytes`] *before* allocating for a declared size, and grows
//! streamed output only as real data arrives, stopping at the limit.

/// The default cap on decoded output: 2 GiB − 1, the largest chunk numcodecs' own Blosc and LZ4 codecs
/// can hold (both size their buffers with a C `int`).
pub const DEFAULT_MAX_DECODED_BYTES: usize = i32::MAX as usize;

/// Bounds that decoding may not exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes a decode may produce (and so allocate for its output).
    pub max_decoded_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decoded_bytes: DEFAULT_MAX_DECODED_BYTES,
        }
    }
}

impl Limits {
    /// Limits with the given cap on decoded bytes.
    pub const fn new(max_decoded_bytes: usize) -> Self {
        Limits { max_decoded_bytes }
    }

    /// Checks a size that a header declares against the cap.
    pub fn check_declared(&self, codec: &str, declared: u64) -> crate::Result<usize> {
        match usize::try_from(declared) {
            Ok(n) if n <= self.max_decoded_bytes => Ok(n),
            _ => Err(crate::Error::limit(
                codec,
                "the declared decoded size",
                declared,
                self.max_decoded_bytes,
            )),
        }
    }
}
