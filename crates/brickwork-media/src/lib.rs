//! brickwork-media: labox's imageio `MediaSerializer` on a Rust core.
//!
//! A [`Media`] wraps one array or a list of frames with an extension or an imageio plugin name; the
//! serializer turns it into bytes, a content type and a `{plugin, extension}` config, and back. Each file
//! format lives in one file under [`format`].

pub mod error;
pub mod format;
pub mod limits;
pub mod media;

pub use error::{MediaError, Result};
pub use limits::MediaLimits;
pub use media::{Media, MediaData};
