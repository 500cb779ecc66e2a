//! Which backend reads or writes what: imageio 2.38.1's plugin choice, as data.
//!
//! * [`EXTENSION_PRIORITY`]: imageio's `known_extensions` (extension → plugin names in priority order),
//!   copied from imageio 2.38.1 `config/extensions.py` for the media extensions.
//! * [`PLUGINS`]: the imageio plugins brickwork implements, what each can do and which [`Format`] each
//!   extension means for it.
//! * [`NATIVE_EXTENSIONS`]: extensions brickwork handles that imageio has no plugin for (`.qoi`, `.npy`).
//!
//! Rules (imageio v3 `imopen`, spec §2.1), with brickwork's deliberate differences marked:
//! * An extension must be non-empty and start with `.`; it is matched **case-insensitively** (imageio
//!   fails on `.PNG`; brickwork reads and writes it, and stores the extension verbatim).
//! * With an extension, the first plugin of its priority list that brickwork implements and that can do
//!   the asked direction wins (imageio skips plugins that are not installed the same way).
//! * With a plugin name only, the plugin is used with no fallback. Plugins that need an extension to know
//!   what to write (`pillow`, `pyav`, `FFMPEG`, `NPZ`) fail to write, as in imageio; read-only plugins fail
//!   to write.
//! * When reading, a sniffing plugin (`pillow`) looks at the magic bytes first, so a PNG read with
//!   `extension=".jpg"` still decodes, as in imageio.
//! * With neither, the format is sniffed from the magic bytes.

use crate::format::Format;
use crate::{MediaError, Result};

/// One row of imageio's `known_extensions`: an extension and its plugins in priority order.
#[derive(Debug, Clone, Copy)]
pub struct ExtensionPriority {
    /// Lower-case extension with its dot.
    pub extension: &'static str,
    /// imageio plugin names, first preferred.
    pub plugins: &'static [&'static str],
}

macro_rules! prio {
    ($($ext:literal => [$($p:literal),* $(,)?]),* $(,)?) => {
        &[$(ExtensionPriority { extension: $ext, plugins: &[$($p),*] }),*]
    };
}

/// imageio 2.38.1 `known_extensions` for the media extensions (plugin names verbatim).
pub const EXTENSION_PRIORITY: &[ExtensionPriority] = prio![
    ".png" => ["pillow", "PNG-PIL", "PNG-FI", "ITK", "pyav", "opencv"],
    ".apng" => ["pillow", "pyav"],
    ".jpg" => ["pillow", "JPEG-PIL", "JPEG-FI", "ITK", "GDAL", "pyav", "opencv"],
    ".jpeg" => ["pillow", "JPEG-PIL", "JPEG-FI", "ITK", "GDAL", "pyav", "opencv"],
    ".jpe" => ["pillow", "JPEG-FI", "JPEG-PIL", "opencv"],
    ".jfif" => ["pillow", "JPEG-PIL"],
    ".gif" => ["pillow", "GIF-PIL", "pyav"],
    ".tif" => ["tifffile", "TIFF", "pillow", "TIFF-PIL", "TIFF-FI", "FEI", "ITK", "GDAL", "pyav", "opencv"],
    ".tiff" => ["tifffile", "TIFF", "pillow", "TIFF-PIL", "TIFF-FI", "FEI", "ITK", "GDAL", "pyav", "opencv"],
    ".bmp" => ["pillow", "BMP-PIL", "BMP-FI", "ITK", "pyav", "opencv"],
    ".webp" => ["pillow", "WEBP-FI", "pyav", "opencv"],
    ".pgm" => ["pillow", "PGM-FI", "PGMRAW-FI", "pyav", "opencv"],
    ".ppm" => ["pillow", "PPM-PIL", "pyav", "PPM-FI", "opencv", "PPMRAW-FI"],
    ".pbm" => ["PGM-FI", "PGMRAW-FI", "pyav", "opencv", "pillow", "PPM-PIL", "PPM-FI"],
    ".pnm" => ["pillow", "opencv"],
    ".tga" => ["pillow", "TGA-PIL", "TARGA-FI", "pyav"],
    ".ico" => ["pillow", "ICO-FI", "ICO-PIL", "pyav"],
    ".npz" => ["NPZ"],
    ".mp4" => ["FFMPEG", "pyav"],
    ".m4v" => ["pyav"],
    ".avi" => ["FFMPEG", "pyav"],
    ".mov" => ["FFMPEG", "pyav"],
    ".webm" => ["FFMPEG", "pyav"],
    ".mkv" => ["FFMPEG", "pyav"],
    ".mpg" => ["pillow", "FFMPEG", "pyav"],
    ".mpeg" => ["FFMPEG", "pyav"],
    ".ogv" => ["pyav"],
    ".dcm" => ["DICOM", "pydicom", "ITK"],
    ".fits" => ["pillow", "FITS-PIL", "FITS", "pyav"],
    ".fit" => ["pillow", "FITS-PIL", "FITS"],
    ".fts" => ["FITS"],
    ".exr" => ["EXR-FI", "pyav", "opencv"],
    ".hdr" => ["HDR-FI", "ITK", "opencv"],
    ".avif" => ["pillow"],
    ".jp2" => ["pillow", "JP2-FI", "JPEG2000-PIL", "pyav", "opencv"],
    ".j2k" => ["pillow", "J2K-FI", "JPEG2000-PIL", "pyav"],
    ".j2c" => ["pillow", "J2K-FI", "JPEG2000-PIL", "pyav"],
    ".jpc" => ["pillow", "JPEG2000-PIL"],
    ".jpf" => ["pillow", "JPEG2000-PIL"],
    ".jpx" => ["pillow", "JPEG2000-PIL"],
];

/// Every plugin name imageio 2.38.1 registers (`known_plugins`), to tell "not implemented in brickwork"
/// from "not a plugin name at all".
pub const IMAGEIO_PLUGINS: &[&str] = &[
    "pillow",
    "pyav",
    "opencv",
    "tifffile",
    "SPE",
    "rawpy",
    "pydicom",
    "TIFF",
    "BMP-PIL",
    "BUFR-PIL",
    "CUR-PIL",
    "DCX-PIL",
    "DDS-PIL",
    "DIB-PIL",
    "EPS-PIL",
    "FITS-PIL",
    "FLI-PIL",
    "FPX-PIL",
    "FTEX-PIL",
    "GBR-PIL",
    "GIF-PIL",
    "GRIB-PIL",
    "HDF5-PIL",
    "ICNS-PIL",
    "ICO-PIL",
    "IM-PIL",
    "IMT-PIL",
    "IPTC-PIL",
    "JPEG-PIL",
    "JPEG2000-PIL",
    "MCIDAS-PIL",
    "MIC-PIL",
    "MPO-PIL",
    "MSP-PIL",
    "PCD-PIL",
    "PCX-PIL",
    "PIXAR-PIL",
    "PNG-PIL",
    "PPM-PIL",
    "PSD-PIL",
    "SGI-PIL",
    "SPIDER-PIL",
    "SUN-PIL",
    "TGA-PIL",
    "TIFF-PIL",
    "WMF-PIL",
    "XBM-PIL",
    "XPM-PIL",
    "XVTHUMB-PIL",
    "FFMPEG",
    "BSDF",
    "DICOM",
    "FEI",
    "FITS",
    "GDAL",
    "ITK",
    "NPZ",
    "SWF",
    "SCREENGRAB",
    "CLIPBOARDGRAB",
    "LYTRO-LFR",
    "LYTRO-ILLUM-RAW",
    "LYTRO-LFP",
    "LYTRO-F01-RAW",
    "BMP-FI",
    "CUT-FI",
    "DDS-FI",
    "EXR-FI",
    "G3-FI",
    "GIF-FI",
    "HDR-FI",
    "ICO-FI",
    "IFF-FI",
    "J2K-FI",
    "JNG-FI",
    "JP2-FI",
    "JPEG-FI",
    "JPEG-XR-FI",
    "KOALA-FI",
    "PBM-FI",
    "PBMRAW-FI",
    "PCD-FI",
    "PCX-FI",
    "PFM-FI",
    "PGM-FI",
    "PGMRAW-FI",
    "PICT-FI",
    "PNG-FI",
    "PPM-FI",
    "PPMRAW-FI",
    "PSD-FI",
    "RAS-FI",
    "RAW-FI",
    "SGI-FI",
    "TARGA-FI",
    "TIFF-FI",
    "WBMP-FI",
    "WEBP-FI",
    "XBM-FI",
    "XPM-FI",
];

/// An imageio plugin brickwork implements.
#[derive(Debug, Clone, Copy)]
pub struct PluginSpec {
    /// imageio's name, verbatim (case-sensitive, as imageio).
    pub name: &'static str,
    /// Can read.
    pub read: bool,
    /// Can write.
    pub write: bool,
    /// Extensions this plugin handles and the format each one means.
    pub extensions: &'static [(&'static str, Format)],
    /// The format used when the plugin is named without an extension; `None` for plugins that need an
    /// extension to know what to write (imageio's `pillow`, `pyav`, `FFMPEG`, `NPZ`).
    pub default: Option<Format>,
    /// Reads by looking at the magic bytes among its formats first (Pillow does).
    pub sniffs: bool,
    /// imageio's legacy v2 format refuses frame lists ("only supports single images").
    pub single_image: bool,
}

/// Pillow's extension → format table (the formats brickwork implements).
const PILLOW: &[(&str, Format)] = &[
    (".png", Format::Png),
    (".apng", Format::Png),
    (".jpg", Format::Jpeg),
    (".jpeg", Format::Jpeg),
    (".jpe", Format::Jpeg),
    (".jfif", Format::Jpeg),
    (".gif", Format::Gif),
    (".tif", Format::Tiff),
    (".tiff", Format::Tiff),
    (".webp", Format::WebP),
    (".bmp", Format::Bmp),
    (".pgm", Format::Pnm),
    (".ppm", Format::Pnm),
    (".pbm", Format::Pnm),
    (".pnm", Format::Pnm),
    (".tga", Format::Tga),
    (".ico", Format::Ico),
    (".jp2", Format::Jpeg2000),
    (".j2k", Format::Jpeg2000),
    (".j2c", Format::Jpeg2000),
    (".jpc", Format::Jpeg2000),
    (".jpf", Format::Jpeg2000),
    (".jpx", Format::Jpeg2000),
];

const TIFF_EXTS: &[(&str, Format)] = &[(".tif", Format::Tiff), (".tiff", Format::Tiff)];

/// The plugins brickwork implements. M2: video (`FFMPEG`, `pyav`), `pydicom`/`DICOM`, `FITS` rows go here.
pub const PLUGINS: &[PluginSpec] = &[
    PluginSpec {
        name: "pillow",
        read: true,
        write: true,
        extensions: PILLOW,
        default: None,
        sniffs: true,
        single_image: false,
    },
    PluginSpec {
        name: "tifffile",
        read: true,
        write: true,
        extensions: TIFF_EXTS,
        default: Some(Format::Tiff),
        sniffs: false,
        single_image: false,
    },
    PluginSpec {
        name: "TIFF",
        read: true,
        write: true,
        extensions: TIFF_EXTS,
        default: Some(Format::Tiff),
        sniffs: false,
        single_image: false,
    },
    PluginSpec {
        name: "TIFF-PIL",
        read: true,
        write: true,
        extensions: TIFF_EXTS,
        default: Some(Format::Tiff),
        sniffs: false,
        single_image: true,
    },
    PluginSpec {
        name: "PNG-PIL",
        read: true,
        write: true,
        extensions: &[(".png", Format::Png)],
        default: Some(Format::Png),
        sniffs: false,
        single_image: true,
    },
    PluginSpec {
        name: "JPEG-PIL",
        read: true,
        write: true,
        extensions: JPEG_EXTS,
        default: Some(Format::Jpeg),
        sniffs: false,
        single_image: true,
    },
    PluginSpec {
        name: "BMP-PIL",
        read: true,
        write: true,
        extensions: &[(".bmp", Format::Bmp)],
        default: Some(Format::Bmp),
        sniffs: false,
        single_image: true,
    },
    PluginSpec {
        name: "PPM-PIL",
        read: true,
        write: true,
        extensions: &[
            (".ppm", Format::Pnm),
            (".pgm", Format::Pnm),
            (".pbm", Format::Pnm),
        ],
        default: Some(Format::Pnm),
        sniffs: false,
        single_image: true,
    },
    PluginSpec {
        name: "TGA-PIL",
        read: true,
        write: true,
        extensions: &[(".tga", Format::Tga)],
        default: Some(Format::Tga),
        sniffs: false,
        single_image: true,
    },
    PluginSpec {
        name: "ICO-PIL",
        read: true,
        write: true,
        extensions: &[(".ico", Format::Ico)],
        default: Some(Format::Ico),
        sniffs: false,
        single_image: true,
    },
    PluginSpec {
        name: "NPZ",
        read: true,
        write: true,
        extensions: &[(".npz", Format::Npz)],
        default: None,
        sniffs: false,
        single_image: false,
    },
    PluginSpec {
        name: "GIF-PIL",
        read: true,
        write: true,
        extensions: &[(".gif", Format::Gif)],
        default: Some(Format::Gif),
        sniffs: false,
        single_image: false,
    },
    // M2 (video.rs, dicom.rs, fits.rs):
    PluginSpec {
        name: "FFMPEG",
        read: true,
        write: true,
        extensions: VIDEO_EXTS,
        default: None,
        sniffs: false,
        single_image: false,
    },
    PluginSpec {
        name: "pydicom",
        read: true,
        write: true,
        extensions: &[(".dcm", Format::Dicom)],
        default: Some(Format::Dicom),
        sniffs: false,
        single_image: false,
    },
    PluginSpec {
        name: "DICOM",
        read: true,
        write: false,
        extensions: &[(".dcm", Format::Dicom)],
        default: Some(Format::Dicom),
        sniffs: false,
        single_image: false,
    },
    // imageio's FITS (astropy) is read-only; brickwork also writes FITS (a primary image HDU).
    PluginSpec {
        name: "FITS",
        read: true,
        write: true,
        extensions: &[
            (".fits", Format::Fits),
            (".fit", Format::Fits),
            (".fts", Format::Fits),
        ],
        default: Some(Format::Fits),
        sniffs: false,
        single_image: false,
    },
];

const VIDEO_EXTS: &[(&str, Format)] = &[
    (".mp4", Format::Video),
    (".mov", Format::Video),
    (".mkv", Format::Video),
    (".avi", Format::Video),
    (".webm", Format::Video),
];

const JPEG_EXTS: &[(&str, Format)] = &[
    (".jpg", Format::Jpeg),
    (".jpeg", Format::Jpeg),
    (".jpe", Format::Jpeg),
    (".jfif", Format::Jpeg),
];

/// Extensions brickwork reads and writes that imageio has no plugin for.
pub const NATIVE_EXTENSIONS: &[(&str, Format)] = &[(".qoi", Format::Qoi), (".npy", Format::Npy)];

/// The outcome of plugin resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The format to encode or decode.
    pub format: Format,
    /// The imageio plugin brickwork acts as (`None` when sniffed or brickwork-native).
    pub plugin: Option<&'static str>,
    /// The lower-cased extension, or `""`.
    pub extension: String,
}

/// Finds a plugin spec by its exact imageio name.
pub fn plugin_spec(name: &str) -> Option<&'static PluginSpec> {
    PLUGINS.iter().find(|p| p.name == name)
}

/// The priority list for an extension (already lower-cased), if imageio knows it.
pub fn priority(extension: &str) -> Option<&'static [&'static str]> {
    EXTENSION_PRIORITY
        .iter()
        .find(|e| e.extension == extension)
        .map(|e| e.plugins)
}

/// Checks an extension as imageio does and lower-cases it.
pub fn normalize_extension(ext: &str) -> Result<String> {
    if ext.is_empty() {
        return Err(MediaError::InvalidMedia(
            "the extension is empty; give one with its dot, such as \".png\"".into(),
        ));
    }
    if !ext.starts_with('.') {
        return Err(MediaError::InvalidMedia(format!(
            "the extension {ext:?} must start with a dot, as in \".{ext}\""
        )));
    }
    Ok(ext.to_ascii_lowercase())
}

/// The labox rule (truthiness: both non-empty is an error), then imageio's extension check.
fn both_set<'a>(extension: Option<&str>, plugin: Option<&'a str>) -> Result<(String, Option<&'a str>)> {
    if extension.is_some_and(|e| !e.is_empty()) && plugin.is_some_and(|p| !p.is_empty()) {
        return Err(MediaError::InvalidMedia(
            "Cannot specify both extension and plugin.".into(),
        ));
    }
    let ext = match extension {
        Some(e) => normalize_extension(e)?,
        None => String::new(),
    };
    Ok((ext, plugin))
}

fn lookup_plugin(name: &str) -> Result<&'static PluginSpec> {
    if let Some(p) = plugin_spec(name) {
        return Ok(p);
    }
    let ours: Vec<&str> = PLUGINS.iter().map(|p| p.name).collect();
    let reason = if IMAGEIO_PLUGINS.contains(&name) {
        format!(
            "brickwork does not implement this imageio plugin; it implements {}",
            ours.join(", ")
        )
    } else {
        format!(
            "{name:?} is not a registered plugin name; known: {}",
            ours.join(", ")
        )
    };
    Err(MediaError::Unsupported {
        what: format!("plugin {name:?}"),
        reason,
    })
}

fn format_for(spec: &PluginSpec, ext: &str) -> Option<Format> {
    spec.extensions.iter().find(|(e, _)| *e == ext).map(|(_, f)| *f)
}

fn native(ext: &str) -> Option<Format> {
    NATIVE_EXTENSIONS.iter().find(|(e, _)| *e == ext).map(|(_, f)| *f)
}

/// Every extension brickwork can write, sorted.
pub fn writable_extension_list() -> Vec<&'static str> {
    let mut v: Vec<&str> = PLUGINS
        .iter()
        .filter(|p| p.write)
        .flat_map(|p| p.extensions.iter().map(|(e, _)| *e))
        .chain(NATIVE_EXTENSIONS.iter().map(|(e, _)| *e))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn writable_extensions() -> String {
    writable_extension_list().join(" ")
}

/// Picks the format and plugin to write with (imageio's `imwrite(extension=, plugin=)`).
pub fn resolve_write(extension: Option<&str>, plugin: Option<&str>) -> Result<Resolved> {
    let (ext, plugin) = both_set(extension, plugin)?;
    if let Some(name) = plugin {
        let spec = lookup_plugin(name)?;
        if !spec.write {
            return Err(MediaError::Unsupported {
                what: format!("plugin {name:?}"),
                reason: "it is read-only (in imageio too)".into(),
            });
        }
        let format = spec.default.ok_or_else(|| MediaError::Unsupported {
            what: format!("plugin {name:?}"),
            reason: "it cannot write without an extension (imageio cannot either: it picks the file \
                     format from the extension); set extension=\".png\" or similar instead of the plugin"
                .into(),
        })?;
        return Ok(Resolved {
            format,
            plugin: Some(spec.name),
            extension: String::new(),
        });
    }
    if ext.is_empty() {
        return Err(MediaError::InvalidMedia(
            "neither an extension nor a plugin was given, so the file format is unknown".into(),
        ));
    }
    if let Some(list) = priority(&ext) {
        for name in list {
            if let Some(spec) = plugin_spec(name).filter(|s| s.write) {
                if let Some(format) = format_for(spec, &ext) {
                    return Ok(Resolved {
                        format,
                        plugin: Some(spec.name),
                        extension: ext,
                    });
                }
            }
        }
    }
    if let Some(format) = native(&ext) {
        return Ok(Resolved {
            format,
            plugin: None,
            extension: ext,
        });
    }
    let reason = match priority(&ext) {
        Some(list) => format!(
            "brickwork has no writer for it (imageio would try {}); brickwork writes {}",
            list.join(", "),
            writable_extensions()
        ),
        None => format!("unknown extension; brickwork writes {}", writable_extensions()),
    };
    Err(MediaError::Unsupported {
        what: format!("extension {ext:?}"),
        reason,
    })
}

fn sniffed(bytes: &[u8], plugin: Option<&'static str>, ext: String) -> Result<Resolved> {
    let format = Format::sniff(bytes).ok_or_else(|| MediaError::Unsupported {
        what: "data".into(),
        reason: "its magic bytes match no format brickwork reads; give the extension it was written with"
            .into(),
    })?;
    Ok(Resolved {
        format,
        plugin,
        extension: ext,
    })
}

/// Picks the format and plugin to read with (imageio's `imread(extension=, plugin=)`).
pub fn resolve_read(bytes: &[u8], extension: Option<&str>, plugin: Option<&str>) -> Result<Resolved> {
    let (ext, plugin) = both_set(extension, plugin)?;
    let pick = |spec: &'static PluginSpec, ext: String| -> Result<Resolved> {
        if spec.sniffs {
            if let Some(f) = Format::sniff(bytes).filter(|f| spec.extensions.iter().any(|(_, g)| g == f)) {
                return Ok(Resolved {
                    format: f,
                    plugin: Some(spec.name),
                    extension: ext,
                });
            }
        }
        let format = format_for(spec, &ext).or(spec.default).or_else(|| {
            spec.extensions
                .first()
                .map(|(_, f)| *f)
                .filter(|_| spec.extensions.len() == 1)
        });
        match format {
            Some(format) => Ok(Resolved {
                format,
                plugin: Some(spec.name),
                extension: ext,
            }),
            None => Err(MediaError::Unsupported {
                what: format!("plugin {:?}", spec.name),
                reason: "the data's magic bytes match none of its formats".into(),
            }),
        }
    };
    if let Some(name) = plugin {
        let spec = lookup_plugin(name)?;
        if !spec.read {
            return Err(MediaError::Unsupported {
                what: format!("plugin {name:?}"),
                reason: "it cannot read".into(),
            });
        }
        return pick(spec, ext);
    }
    if ext.is_empty() {
        return sniffed(bytes, None, ext);
    }
    if let Some(list) = priority(&ext) {
        for name in list {
            if let Some(spec) = plugin_spec(name).filter(|s| s.read && format_for(s, &ext).is_some()) {
                return pick(spec, ext);
            }
        }
    }
    if let Some(format) = native(&ext) {
        return Ok(Resolved {
            format,
            plugin: None,
            extension: ext,
        });
    }
    // imageio tries every plugin when the extension is unknown; sniffing is the same in effect.
    sniffed(bytes, None, ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_case_insensitive_and_validated() {
        assert_eq!(resolve_write(Some(".PNG"), None).unwrap().format, Format::Png);
        assert!(resolve_write(Some("png"), None)
            .unwrap_err()
            .to_string()
            .contains("dot"));
        assert!(resolve_write(Some(""), None)
            .unwrap_err()
            .to_string()
            .contains("empty"));
        let e = resolve_write(Some(".xyz"), None).unwrap_err().to_string();
        assert!(e.contains("unknown extension") && e.contains(".png"), "{e}");
    }

    #[test]
    fn every_extension_named_as_writable_resolves_for_writing() {
        // The list error messages offer must not name an extension that is then refused (`.dib` was).
        for ext in writable_extension_list() {
            assert!(resolve_write(Some(ext), None).is_ok(), "{ext}");
        }
    }

    #[test]
    fn both_set_is_an_error() {
        let e = resolve_write(Some(".png"), Some("pillow"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("both extension and plugin"), "{e}");
        assert!(resolve_read(b"", Some(".png"), Some("pillow")).is_err());
    }

    #[test]
    fn plugin_only_rules() {
        let e = resolve_write(None, Some("pillow")).unwrap_err().to_string();
        assert!(e.contains("without an extension"), "{e}");
        assert_eq!(resolve_write(None, Some("PNG-PIL")).unwrap().format, Format::Png);
        let e = resolve_write(None, Some("pillow_legacy"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a registered plugin name"), "{e}");
        let e = resolve_write(None, Some("PNG-FI")).unwrap_err().to_string();
        assert!(e.contains("does not implement"), "{e}");
    }

    #[test]
    fn every_priority_row_is_lower_case_with_a_dot() {
        for row in EXTENSION_PRIORITY {
            assert!(row.extension.starts_with('.'));
            assert_eq!(row.extension, row.extension.to_ascii_lowercase());
            for p in row.plugins {
                assert!(IMAGEIO_PLUGINS.contains(p), "{p}");
            }
        }
        for spec in PLUGINS {
            assert!(IMAGEIO_PLUGINS.contains(&spec.name), "{}", spec.name);
        }
    }
}
