//! brickwork-media: labox's imageio `MediaSerializer` on a Rust core.
//!
//! A [`Media`] wraps one array or a list of frames with an extension or an imageio plugin name; the
//! serializer turns it into bytes, a content type and a `{plugin, extension}` config, and back. Each file
//! format lives in one file under [`format`]; which format an extension or plugin means is the data table
//! in [`plugin`].
//!
//! The two entry points follow imageio v3: [`write`] is `imwrite(BytesIO(), data, extension=, plugin=)`
//! and [`read`] is `imread(bytes, extension=, plugin=, index=None)` (frames come back stacked on a leading
//! axis).
//!
//! Deliberate differences from imageio 2.38.1 (each documented in its file):
//! * extensions match case-insensitively (`.PNG` works; imageio fails) and are stored verbatim;
//! * a frame list written to `.webp` reads back as all frames (imageio returns frame 0 only);
//! * a frame list written to `.npz` is stacked into `arr_0` (imageio keeps only `arr_0` of several);
//! * 16-bit RGB/RGBA/gray+alpha PNG and 16-bit PGM keep `uint16` (Pillow cannot write them / reads `int32`);
//! * `.ico` keeps the image size (Pillow shrinks it), `.qoi` and `.npy` can be written (imageio cannot);
//! * JPEG 2000 files with subsampled or e-YCC components, or a palette, are refused (Pillow reads them).

pub mod error;
pub mod format;
pub mod limits;
pub mod media;
pub mod mimetypes;
pub mod pixels;
pub mod plugin;
pub mod registry;
pub mod serializer;

use brickwork_core::{ArrayBuf, ArrayView};

pub use error::{MediaError, Result};
pub use format::{DecodeOptions, EncodeOptions, Format};
pub use limits::MediaLimits;
pub use media::{Media, MediaData};
pub use mimetypes::MimeTypes;
pub use registry::{DynSerializer, SerializerRegistry};
pub use serializer::{media_serializer, MediaConfig, MediaSerializer, SerializedData, Serializer};

/// Encodes `media` to the bytes of a file, as imageio's `imwrite` with the media's extension or plugin.
pub fn write(media: &Media) -> Result<Vec<u8>> {
    write_with(
        media.data(),
        media.extension(),
        media.plugin(),
        &EncodeOptions::default(),
    )
}

/// [`write`] with explicit data, extension/plugin and encoder options (quality, lossless, fps); the
/// options' `extension` and `plugin` fields are filled in from the resolution.
pub fn write_with(
    data: &MediaData,
    extension: Option<&str>,
    plugin: Option<&str>,
    opts: &EncodeOptions,
) -> Result<Vec<u8>> {
    let r = plugin::resolve_write(extension, plugin)?;
    if let (Some(name), MediaData::Frames(list)) = (r.plugin, data) {
        if list.len() > 1 && plugin::plugin_spec(name).is_some_and(|s| s.single_image) {
            return Err(MediaError::Unsupported {
                what: format!("plugin {name:?}"),
                reason: format!(
                    "{} frames were given but it only supports single images (as in imageio)",
                    list.len()
                ),
            });
        }
    }
    let opts = EncodeOptions {
        extension: r.extension,
        plugin: r.plugin.map(str::to_owned),
        ..opts.clone()
    };
    r.format.encode(data, &opts)
}

/// [`write_with`] for one borrowed array (an image, or a stack with a leading frame axis), so a host
/// such as the Python extension can encode an array it does not own without copying it first (TIFF
/// then copies the pixels only once, into the file).
pub fn write_view(
    view: &ArrayView<'_>,
    extension: Option<&str>,
    plugin: Option<&str>,
    opts: &EncodeOptions,
) -> Result<Vec<u8>> {
    let r = plugin::resolve_write(extension, plugin)?;
    let opts = EncodeOptions {
        extension: r.extension,
        plugin: r.plugin.map(str::to_owned),
        ..opts.clone()
    };
    r.format.encode_view(view, &opts)
}

/// Decodes the bytes of a file to one array, as imageio's `imread(index=None)`: the plugin is chosen
/// from `plugin`, else from `extension`, else by sniffing the magic bytes. Setting both is an error.
pub fn read(
    bytes: &[u8],
    extension: Option<&str>,
    plugin: Option<&str>,
    limits: &MediaLimits,
) -> Result<ArrayBuf> {
    let r = plugin::resolve_read(bytes, extension, plugin)?;
    let opts = DecodeOptions {
        extension: r.extension,
        plugin: r.plugin.map(str::to_owned),
        limits: *limits,
    };
    r.format.decode(bytes, &opts)
}
