//! The one error type of brickwork's core and codecs.
//!
//! Every variant says what went wrong and, where it helps, what would have been accepted. The Python
//! bridge maps the variants onto the exception classes numcodecs raises (see `python/src/lib.rs`).

use std::fmt;

/// What can go wrong anywhere in the codec layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A config names a codec id the registry does not know.
    #[error("unknown codec id {id:?}; known ids: {known}")]
    UnknownCodec {
        /// The id that was asked for (`"None"` when the config had no `"id"`).
        id: String,
        /// The known ids, comma separated.
        known: String,
    },

    /// A codec id that numcodecs knows but brickwork deliberately does not implement.
    #[error("codec {id:?} is not supported by brickwork: {reason}")]
    UnsupportedCodec {
        /// The codec id.
        id: String,
        /// Why, and what to use instead.
        reason: String,
    },

    /// A config key the codec does not take (numcodecs raises `TypeError` for these).
    #[error("codec {codec:?} got an unexpected config key {key:?}; accepted keys: {accepted}")]
    UnknownConfigKey {
        /// The codec id.
        codec: String,
        /// The offending key.
        key: String,
        /// The keys the codec accepts, comma separated.
        accepted: String,
    },

    /// A config value that is missing, of the wrong type, or out of range.
    #[error("invalid config for codec {codec:?}, key {key:?}: {reason}")]
    InvalidConfig {
        /// The codec id.
        codec: String,
        /// The offending key.
        key: String,
        /// What was wrong and what would have been accepted.
        reason: String,
    },

    /// Input that the codec cannot encode (wrong length, wrong dtype, too large, ...).
    #[error("{codec}: invalid input: {reason}")]
    InvalidInput {
        /// The codec id (or the operation).
        codec: String,
        /// What was wrong.
        reason: String,
    },

    /// Encoded data that is truncated, corrupt or not in the codec's format.
    #[error("{codec}: corrupt or truncated data: {reason}")]
    Corrupt {
        /// The codec id.
        codec: String,
        /// What was wrong.
        reason: String,
    },

    /// A stored checksum that does not match the data.
    /// Worded as numcodecs words it (`The fletcher32 checksum of the data (…) did not match …`), so code
    /// that matches numcodecs' messages matches these.
    #[error(
        "{codec}: the {} checksum of the data ({computed}) did not match the expected checksum ({stored}); \
         the data may be corrupted",
        checksum_name(.codec)
    )]
    ChecksumMismatch {
        /// The codec id.
        codec: String,
        /// The checksum found in the data.
        stored: u32,
        /// The checksum computed over the payload.
        computed: u32,
    },

    /// Decoding would need more memory than the caller allows.
    #[error("{codec}: {what} needs {requested} bytes, more than the limit of {limit} bytes; pass a larger limit ({hint}) if the data is trusted", hint = limit_hint(codec))]
    LimitExceeded {
        /// The codec id.
        codec: String,
        /// What was being sized ("decoded output", "the header's declared size", ...).
        what: String,
        /// How many bytes it needed (or claimed).
        requested: u64,
        /// The limit in force.
        limit: u64,
    },

    /// The caller's output buffer has the wrong size.
    #[error("{codec}: output buffer has {actual} bytes but the decoded data needs {expected}")]
    OutputSize {
        /// The codec id.
        codec: String,
        /// What size would have been accepted ("exactly 4000", "at least 4000").
        expected: String,
        /// The size given.
        actual: usize,
    },

    /// A dtype string that does not parse, or a dtype the operation cannot handle.
    #[error("invalid dtype {spec:?}: {reason}")]
    InvalidDType {
        /// The dtype as given.
        spec: String,
        /// What was wrong and what would have been accepted.
        reason: String,
    },

    /// Array metadata (shape, chunk shape, strides) that is inconsistent.
    #[error("invalid array: {0}")]
    InvalidArray(String),

    /// An I/O error, with the path or stream it happened on.
    #[error("{context}: {source}")]
    Io {
        /// Where it happened.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with brickwork's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::Corrupt`] for `codec`.
    pub fn corrupt(codec: &str, reason: impl fmt::Display) -> Self {
        Error::Corrupt {
            codec: codec.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// An [`Error::InvalidInput`] for `codec`.
    pub fn invalid_input(codec: &str, reason: impl fmt::Display) -> Self {
        Error::InvalidInput {
            codec: codec.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// An [`Error::InvalidConfig`] for `codec` and `key`.
    pub fn invalid_config(codec: &str, key: &str, reason: impl fmt::Display) -> Self {
        Error::InvalidConfig {
            codec: codec.to_owned(),
            key: key.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// An [`Error::OutputSize`] for `codec`.
    pub fn output_size(codec: &str, expected: impl fmt::Display, actual: usize) -> Self {
        Error::OutputSize {
            codec: codec.to_owned(),
            expected: expected.to_string(),
            actual,
        }
    }

    /// An [`Error::LimitExceeded`] for `codec` (`"zarr"` for a Zarr store's limits).
    pub fn limit(codec: &str, what: &str, requested: u64, limit: usize) -> Self {
        Error::LimitExceeded {
            codec: codec.to_owned(),
            what: what.to_owned(),
            requested,
            limit: limit as u64,
        }
    }

    /// An [`Error::Io`] with a context string.
    pub fn io(context: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            context: context.to_string(),
            source,
        }
    }
}

/// Where the limit a [`Error::LimitExceeded`] names is set: a Zarr store's byte limit, or a codec's.
/// The checksum's name in numcodecs' message (its codec id, but for lookup3: HDF5's and numcodecs'
/// "Bob Jenkin's lookup3").
fn checksum_name(codec: &str) -> &str {
    match codec {
        "jenkins_lookup3" => "Bob Jenkin's lookup3",
        other => other,
    }
}

fn limit_hint(codec: &str) -> &'static str {
    if codec == "zarr" {
        "Rust max_bytes, Python max_bytes=, CLI --max-bytes"
    } else {
        "Limits::max_decoded_bytes, Python max_decoded_bytes=, CLI --max-decoded-bytes"
    }
}
