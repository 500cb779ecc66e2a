//! `Media`: one array or a list of frames, with an extension or an imageio plugin name (never both).

use brickwork_core::ArrayBuf;

use crate::{MediaError, Result};

/// Pixel data: one array (an image, or a stack with a leading frame axis), or a list of frames.
///
/// Arrays follow imageio's layout: `(H, W)` gray, `(H, W, C)` with C = 3 (RGB) or 4 (RGBA), and for
/// stacks `(N, H, W[, C])`. Decoding always yields [`MediaData::Array`] (stacked, as imageio does).
#[derive(Debug, Clone)]
pub enum MediaData {
    /// One array.
    Array(ArrayBuf),
    /// A sequence of frames of equal shape and dtype.
    Frames(Vec<ArrayBuf>),
}

impl From<ArrayBuf> for MediaData {
    fn from(a: ArrayBuf) -> Self {
        MediaData::Array(a)
    }
}

impl From<Vec<ArrayBuf>> for MediaData {
    fn from(f: Vec<ArrayBuf>) -> Self {
        MediaData::Frames(f)
    }
}

/// Media data plus how to (de)serialize it: an extension such as `".png"`, or an imageio plugin name.
#[derive(Debug, Clone)]
pub struct Media {
    data: MediaData,
    extension: Option<String>,
    plugin: Option<String>,
}

impl Media {
    /// Builds a `Media`; setting both a (non-empty) extension and a plugin is an error, as in labox.
    pub fn new(
        data: impl Into<MediaData>,
        extension: Option<String>,
        plugin: Option<String>,
    ) -> Result<Self> {
        let has_ext = extension.as_deref().is_some_and(|s| !s.is_empty());
        let has_plugin = plugin.as_deref().is_some_and(|s| !s.is_empty());
        if has_ext && has_plugin {
            return Err(MediaError::InvalidMedia(
                "Cannot specify both extension and plugin.".into(),
            ));
        }
        Ok(Media {
            data: data.into(),
            extension,
            plugin,
        })
    }

    /// A `Media` with an extension (`".png"`).
    pub fn with_extension(data: impl Into<MediaData>, ext: impl Into<String>) -> Result<Self> {
        Media::new(data, Some(ext.into()), None)
    }

    /// A `Media` with an imageio plugin name (`"pillow"`, `"tifffile"`, `"pydicom"`...).
    pub fn with_plugin(data: impl Into<MediaData>, plugin: impl Into<String>) -> Result<Self> {
        Media::new(data, None, Some(plugin.into()))
    }

    /// The pixel data.
    pub fn data(&self) -> &MediaData {
        &self.data
    }

    /// The extension, verbatim as given.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// The plugin name, verbatim as given.
    pub fn plugin(&self) -> Option<&str> {
        self.plugin.as_deref()
    }

    /// Takes the pixel data out.
    pub fn into_data(self) -> MediaData {
        self.data
    }
}
