//! Decode limits for media: headers are untrusted, so sizes are checked before allocating.

use crate::{MediaError, Result};

/// Bounds a media decode may not exceed. Checked against header-declared sizes before any allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    /// Most pixels (width × height × frames) one decode may produce. Default 2^30 (about 32768²).
    pub max_pixels: u64,
    /// Most bytes one decoded array may occupy. Default 4 GiB.
    pub max_bytes: u64,
}

impl Default for MediaLimits {
    fn default() -> Self {
        MediaLimits {
            max_pixels: 1 << 30,
            max_bytes: 4 << 30,
        }
    }
}

impl MediaLimits {
    /// Checks a declared image size (`width × height × frames` pixels of `bytes_per_pixel` bytes) and
    /// returns the byte count, or `LimitExceeded` naming what was too large.
    pub fn check(
        &self,
        format: &'static str,
        width: u64,
        height: u64,
        frames: u64,
        bytes_per_pixel: u64,
    ) -> Result<usize> {
        let pixels = width
            .checked_mul(height)
            .and_then(|p| p.checked_mul(frames))
            .unwrap_or(u64::MAX);
        if pixels > self.max_pixels {
            return Err(MediaError::LimitExceeded {
                format,
                what: "pixel count",
                actual: pixels,
                limit: self.max_pixels,
            });
        }
        let bytes = pixels.saturating_mul(bytes_per_pixel);
        if bytes > self.max_bytes || usize::try_from(bytes).is_err() {
            return Err(MediaError::LimitExceeded {
                format,
                what: "decoded bytes",
                actual: bytes,
                limit: self.max_bytes,
            });
        }
        Ok(bytes as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_header_is_rejected_before_allocation() {
        let l = MediaLimits::default();
        assert!(matches!(
            l.check("png", 100_000, 100_000, 1, 3),
            Err(MediaError::LimitExceeded {
                what: "pixel count",
                ..
            })
        ));
        assert!(matches!(
            l.check("png", u64::MAX, u64::MAX, u64::MAX, 8),
            Err(MediaError::LimitExceeded { .. })
        ));
        assert_eq!(l.check("png", 64, 48, 1, 3).unwrap(), 64 * 48 * 3);
    }
}
