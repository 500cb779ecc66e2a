//! labox's serializer contract and its imageio `MediaSerializer` (`labox.imageio@v1`).
//!
//! * [`Serializer`]: a versioned name, content types, `serialize_data` / `deserialize_data`, and the config
//!   as compact JSON identical to Python's `json.dumps(config, separators=(",", ":"))` (labox's
//!   `DEFAULT_JSON_ENCODER`, `ensure_ascii=True`: non-ASCII is written as `\uXXXX`).
//! * [`SerializedData`]: labox's `SerializedData` dict: data, content type, content encoding, config.
//! * [`MediaSerializer`]: `serialize_data(media)` = imageio `imwrite` with the media's extension or plugin,
//!   content type from [`MimeTypes::guess_file_type`]`("file" + extension)` (unknown or plugin-only →
//!   `application/octet-stream`), config `{"plugin": ..., "extension": ...}`; `deserialize_data` = imageio
//!   `imread(index=None)` with the config's extension or plugin (no config → sniff the bytes), always one
//!   stacked array, as labox.

use std::sync::LazyLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::format::EncodeOptions;
use crate::mimetypes::MimeTypes;
use crate::{Media, MediaData, MediaError, MediaLimits, Result};

/// What a serializer produces: labox's `SerializedData` (`config` is `NotRequired`).
#[derive(Debug, Clone, PartialEq)]
pub struct SerializedData<C> {
    /// The serialized bytes.
    pub data: Vec<u8>,
    /// The MIME type of `data`.
    pub content_type: String,
    /// The content encoding (`gzip`...), if any.
    pub content_encoding: Option<String>,
    /// What the serializer needs to read `data` back.
    pub config: Option<C>,
}

/// labox's `Serializer`: turns values into [`SerializedData`] and back, under a never-changing name.
pub trait Serializer: Send + Sync + 'static {
    /// The values it serializes.
    type Value: 'static;
    /// Its config, stored next to the data as compact JSON.
    type Config: Serialize + DeserializeOwned;

    /// Globally unique, versioned (`"…@vN"`), never changed once data exists.
    fn name(&self) -> &str;

    /// The content types it produces (used by the registry's content-type lookup).
    fn content_types(&self) -> &[String] {
        &[]
    }

    /// Serializes a value.
    fn serialize_data(&self, value: &Self::Value) -> Result<SerializedData<Self::Config>>;

    /// Reads a value back.
    fn deserialize_data(&self, content: SerializedData<Self::Config>) -> Result<Self::Value>;

    /// The config as compact JSON, byte-identical to Python's `json.dumps(c, separators=(",", ":"))`.
    fn serialize_config(&self, config: &Self::Config) -> Result<String> {
        let s = serde_json::to_string(config).map_err(|e| MediaError::Serializer(e.to_string()))?;
        Ok(ascii_json(&s))
    }

    /// Parses a config written by [`serialize_config`](Self::serialize_config) or by Python.
    fn deserialize_config(&self, s: &str) -> Result<Self::Config> {
        serde_json::from_str(s).map_err(|e| MediaError::Serializer(format!("bad config JSON {s:?}: {e}")))
    }
}

/// Escapes every non-ASCII character of a JSON text as `\uXXXX` (UTF-16), as Python's `ensure_ascii`.
/// Non-ASCII characters only ever occur inside strings, so this is safe on a whole document.
pub fn ascii_json(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        if ch.is_ascii() {
            out.push(ch);
        } else {
            let mut buf = [0u16; 2];
            for unit in ch.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// The media serializer's config: labox's `_MediaSerializerConfig`, keys in Python's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaConfig {
    /// The imageio plugin name, or null.
    pub plugin: Option<String>,
    /// The extension with its dot, verbatim as given, or null.
    pub extension: Option<String>,
}

/// The content type labox falls back to.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// labox's imageio `MediaSerializer`, named `labox.imageio@v1`.
#[derive(Debug, Clone)]
pub struct MediaSerializer {
    mimetypes: MimeTypes,
    limits: MediaLimits,
    encode: EncodeOptions,
    content_types: Vec<String>,
}

impl Default for MediaSerializer {
    fn default() -> Self {
        Self::new()
    }
}

impl MediaSerializer {
    /// The serializer name; it must never change.
    pub const NAME: &'static str = "labox.imageio@v1";

    /// With CPython 3.13's MIME tables, default decode limits and default encoder options.
    pub fn new() -> Self {
        Self::with_mimetypes(MimeTypes::new())
    }

    /// With a custom MIME table (labox's `MediaSerializer(mimetypes=...)`).
    pub fn with_mimetypes(mimetypes: MimeTypes) -> Self {
        let mut content_types: Vec<String> = crate::plugin::writable_extension_list()
            .into_iter()
            .filter_map(|ext| mimetypes.guess_file_type(&format!("file{ext}"), true).0)
            .collect();
        content_types.sort();
        content_types.dedup();
        MediaSerializer {
            mimetypes,
            limits: MediaLimits::default(),
            encode: EncodeOptions::default(),
            content_types,
        }
    }

    /// Replaces the decode limits.
    pub fn with_limits(mut self, limits: MediaLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces the encoder options (quality, lossless, fps).
    pub fn with_encode_options(mut self, opts: EncodeOptions) -> Self {
        self.encode = opts;
        self
    }

    /// The MIME table in use.
    pub fn mimetypes(&self) -> &MimeTypes {
        &self.mimetypes
    }

    /// `(content_type, content_encoding)` labox computes for an extension.
    pub fn content_type_for(&self, extension: Option<&str>) -> (String, Option<String>) {
        let (ty, enc) = match extension {
            Some(ext) => self.mimetypes.guess_file_type(&format!("file{ext}"), true),
            None => (None, None),
        };
        (ty.unwrap_or_else(|| OCTET_STREAM.to_owned()), enc)
    }
}

impl Serializer for MediaSerializer {
    type Value = Media;
    type Config = MediaConfig;

    fn name(&self) -> &str {
        Self::NAME
    }

    fn content_types(&self) -> &[String] {
        &self.content_types
    }

    fn serialize_data(&self, media: &Media) -> Result<SerializedData<MediaConfig>> {
        let data = crate::write_with(media.data(), media.extension(), media.plugin(), &self.encode)?;
        let (content_type, content_encoding) = self.content_type_for(media.extension());
        Ok(SerializedData {
            data,
            content_type,
            content_encoding,
            config: Some(MediaConfig {
                plugin: media.plugin().map(str::to_owned),
                extension: media.extension().map(str::to_owned),
            }),
        })
    }

    fn deserialize_data(&self, content: SerializedData<MediaConfig>) -> Result<Media> {
        let config = content.config.unwrap_or_default();
        let array = crate::read(
            &content.data,
            config.extension.as_deref(),
            config.plugin.as_deref(),
            &self.limits,
        )?;
        Media::new(MediaData::Array(array), config.extension, config.plugin)
    }
}

static DEFAULT: LazyLock<MediaSerializer> = LazyLock::new(MediaSerializer::new);

/// The default instance (labox's module-level `media_serializer`).
pub fn media_serializer() -> &'static MediaSerializer {
    &DEFAULT
}

#[cfg(test)]
mod tests {
    use super::*;
    use brickwork_core::{ArrayBuf, DType, Order};

    fn rgb() -> ArrayBuf {
        ArrayBuf::new(
            (0..48 * 64 * 3).map(|i| (i % 256) as u8).collect(),
            DType::U8,
            vec![48, 64, 3],
            Order::C,
        )
        .unwrap()
    }

    #[test]
    fn config_json_is_pythons() {
        let s = media_serializer();
        let c = MediaConfig {
            plugin: None,
            extension: Some(".png".into()),
        };
        assert_eq!(
            s.serialize_config(&c).unwrap(),
            r#"{"plugin":null,"extension":".png"}"#
        );
        let c = MediaConfig {
            plugin: Some("PNG-PIL".into()),
            extension: None,
        };
        assert_eq!(
            s.serialize_config(&c).unwrap(),
            r#"{"plugin":"PNG-PIL","extension":null}"#
        );
        assert_eq!(
            s.deserialize_config(r#"{"plugin":"PNG-PIL","extension":null}"#)
                .unwrap(),
            c
        );
        let c = MediaConfig {
            plugin: None,
            extension: Some(".é😀".into()),
        };
        assert_eq!(
            s.serialize_config(&c).unwrap(),
            r#"{"plugin":null,"extension":".\u00e9\ud83d\ude00"}"#
        );
        assert!(s.deserialize_config("{").is_err());
    }

    #[test]
    fn media_round_trip_with_content_type() {
        let s = media_serializer();
        assert_eq!(s.name(), "labox.imageio@v1");
        let m = Media::with_extension(rgb(), ".png").unwrap();
        let out = s.serialize_data(&m).unwrap();
        assert_eq!(out.content_type, "image/png");
        assert_eq!(out.content_encoding, None);
        assert!(out.data.starts_with(b"\x89PNG"));
        let back = s.deserialize_data(out).unwrap();
        assert_eq!(back.extension(), Some(".png"));
        match back.data() {
            MediaData::Array(a) => assert_eq!(a, &rgb()),
            MediaData::Frames(_) => panic!("frames"),
        }
        assert!(s.content_types().iter().any(|t| t == "image/png"));
    }

    #[test]
    fn plugin_only_is_octet_stream_and_no_config_sniffs() {
        let s = media_serializer();
        let m = Media::with_plugin(rgb(), "PNG-PIL").unwrap();
        let mut out = s.serialize_data(&m).unwrap();
        assert_eq!(out.content_type, OCTET_STREAM);
        assert_eq!(
            s.serialize_config(out.config.as_ref().unwrap()).unwrap(),
            r#"{"plugin":"PNG-PIL","extension":null}"#
        );
        out.config = None;
        assert!(s.deserialize_data(out).is_ok());
    }

    #[test]
    fn custom_mimetypes_are_used() {
        let mut mt = MimeTypes::new();
        mt.add_type("image/x-png-custom", ".png", true).unwrap();
        let s = MediaSerializer::with_mimetypes(mt);
        let out = s
            .serialize_data(&Media::with_extension(rgb(), ".png").unwrap())
            .unwrap();
        assert_eq!(out.content_type, "image/x-png-custom");
    }
}
