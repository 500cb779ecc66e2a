//! The one error type of the media layer.

/// What can go wrong while reading or writing media.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// A `Media` value that is not valid (both extension and plugin set, bad extension, empty frame list...).
    #[error("invalid media: {0}")]
    InvalidMedia(String),

    /// No backend for this extension or plugin, or the backend cannot do the asked direction.
    #[error("unsupported {what}: {reason}")]
    Unsupported {
        /// The extension, plugin or format name.
        what: String,
        /// Why, and what would have been accepted.
        reason: String,
    },

    /// The array cannot be written in this format (dtype, number of channels, rank...).
    #[error("cannot write {format}: {reason}")]
    Encode {
        /// The format being written.
        format: &'static str,
        /// What was wrong and what the format accepts.
        reason: String,
    },

    /// The bytes are not a valid file of this format.
    #[error("cannot read {format}: {reason}")]
    Decode {
        /// The format being read.
        format: &'static str,
        /// What was wrong.
        reason: String,
    },

    /// A header claims more pixels or bytes than the configured limits allow.
    #[error("{format}: {what} is {actual}, over the limit of {limit} (raise MediaLimits to allow it)")]
    LimitExceeded {
        /// The format being read.
        format: &'static str,
        /// What was counted ("pixel count", "decoded bytes").
        what: &'static str,
        /// The claimed amount.
        actual: u64,
        /// The limit.
        limit: u64,
    },

    /// An external program (ffmpeg) failed or is missing.
    #[error("{program}: {reason}")]
    External {
        /// The program name.
        program: &'static str,
        /// What happened, with its stderr tail.
        reason: String,
    },

    /// A serializer config or registry lookup that is not valid (bad JSON, unknown serializer name).
    #[error("serializer: {0}")]
    Serializer(String),

    /// An I/O error (temporary files, pipes).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),

    /// An error from the array core (dtype, shape).
    #[error(transparent)]
    Core(#[from] brickwork_core::Error),
}

impl MediaError {
    /// An [`MediaError::Encode`] for `format`.
    pub fn encode(format: &'static str, reason: impl std::fmt::Display) -> Self {
        MediaError::Encode {
            format,
            reason: reason.to_string(),
        }
    }

    /// A [`MediaError::Decode`] for `format`.
    pub fn decode(format: &'static str, reason: impl std::fmt::Display) -> Self {
        MediaError::Decode {
            format,
            reason: reason.to_string(),
        }
    }
}

/// Result alias of the media layer.
pub type Result<T, E = MediaError> = std::result::Result<T, E>;
