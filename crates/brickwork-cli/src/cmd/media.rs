//! `brickwork media convert IN OUT` and `brickwork media info FILE`: images, video, DICOM and FITS through
//! brickwork-media, with the format of each file taken from its extension as imageio does (or from an
//! imageio plugin name with `--in-plugin`/`--out-plugin`, or from the magic bytes when neither is known).
//! A `.npy` file on either side is the raw array, so `convert movie.mp4 frames.npy` and
//! `convert frames.npy movie.webm` work. `-` is stdin/stdout (give a plugin or rely on sniffing for stdin,
//! and `--out-plugin` or `--out-ext` for stdout).

use std::path::Path;

use brickwork::core::npy;
use brickwork::{ArrayBuf, Error};
use brickwork_media::{EncodeOptions, Format, MediaData, MediaError, MediaLimits};

use crate::{output, CmdResult, Failure};

/// Arguments of `brickwork media`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: MediaCommand,
}

#[derive(clap::Subcommand)]
enum MediaCommand {
    /// Convert a media file to another format (formats from the extensions; .npy = the raw array).
    Convert(ConvertArgs),
    /// Print a media file's format, decoded shape and dtype as one JSON line.
    Info(InfoArgs),
}

#[derive(clap::Args)]
struct ConvertArgs {
    /// Input file (`-` = stdin).
    input: String,
    /// Output file (`-` = stdout).
    output: String,
    /// Read the input with this imageio plugin (`pydicom`, `FITS`, `tifffile`...) instead of its extension.
    #[arg(long)]
    in_plugin: Option<String>,
    /// Write the output with this imageio plugin instead of its extension.
    #[arg(long, conflicts_with = "out_ext")]
    out_plugin: Option<String>,
    /// The output extension (`.mp4`), when OUT is `-` or has none.
    #[arg(long)]
    out_ext: Option<String>,
    /// Frames per second of video output (default 10, as imageio).
    #[arg(long)]
    fps: Option<f64>,
    /// Lossy quality 1..=100 (JPEG, WebP, video).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    quality: Option<u8>,
    /// Most bytes the decoded input may take (default 4 GiB).
    #[arg(long)]
    max_bytes: Option<u64>,
}

#[derive(clap::Args)]
struct InfoArgs {
    /// The file (`-` = stdin).
    input: String,
    /// Read with this imageio plugin instead of the file's extension.
    #[arg(long)]
    plugin: Option<String>,
    /// Most bytes the decoded data may take (default 4 GiB).
    #[arg(long)]
    max_bytes: Option<u64>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    match &args.command {
        MediaCommand::Convert(a) => convert(a),
        MediaCommand::Info(a) => info(a),
    }
}

/// The extension of `path` with its dot (`None` for `-` or no extension).
fn extension(path: &str) -> Option<String> {
    if path == "-" {
        return None;
    }
    Path::new(path)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
}

fn is_npy(ext: Option<&str>) -> bool {
    ext.is_some_and(|e| e.eq_ignore_ascii_case(".npy"))
}

/// Maps a media error to the CLI's errors: bad names/options are usage errors (exit 2), the rest data.
pub(crate) fn failure(e: MediaError) -> Failure {
    let text = e.to_string();
    match e {
        MediaError::Core(core) => Failure::from(core),
        MediaError::InvalidMedia(_) | MediaError::Unsupported { .. } => {
            Failure::usage(Error::invalid_input("media", text))
        }
        MediaError::LimitExceeded { actual, limit, .. } => Failure::from(Error::LimitExceeded {
            codec: "media".into(),
            what: text,
            requested: actual,
            limit,
        }),
        MediaError::Decode { .. } => Failure::from(Error::corrupt("media", text)),
        MediaError::External { .. } | MediaError::Io(_) => {
            Failure::from(Error::io("media", std::io::Error::other(text)))
        }
        _ => Failure::from(Error::invalid_input("media", text)),
    }
}

fn limits(max_bytes: Option<u64>) -> MediaLimits {
    let mut l = MediaLimits::default();
    if let Some(m) = max_bytes {
        l.max_bytes = m;
    }
    l
}

/// Reads and decodes the input: a `.npy` array, or a media file.
pub(crate) fn load(path: &str, plugin: Option<&str>, limits: &MediaLimits) -> Result<ArrayBuf, Failure> {
    let bytes = output::read_input(path)?;
    let ext = if plugin.is_some() { None } else { extension(path) };
    if is_npy(ext.as_deref()) {
        let (h, body) = npy::parse(&bytes)?;
        return Ok(ArrayBuf::new(body.to_vec(), h.dtype, h.shape, h.order)?);
    }
    brickwork_media::read(&bytes, ext.as_deref(), plugin, limits).map_err(failure)
}

fn convert(a: &ConvertArgs) -> CmdResult {
    let out_ext = a.out_ext.clone().or_else(|| extension(&a.output));
    if a.out_plugin.is_none() && out_ext.is_none() {
        return Err(Failure::usage(Error::invalid_input(
            "media",
            format!(
                "the output format of {:?} is unknown: give the file an extension, or --out-ext/--out-plugin",
                a.output
            ),
        )));
    }
    let array = load(&a.input, a.in_plugin.as_deref(), &limits(a.max_bytes))?;
    let bytes = if a.out_plugin.is_none() && is_npy(out_ext.as_deref()) {
        npy::to_bytes(array.dtype(), array.shape(), array.order(), array.data())
    } else {
        let opts = EncodeOptions {
            quality: a.quality,
            fps: a.fps,
            ..EncodeOptions::default()
        };
        let ext = if a.out_plugin.is_some() {
            None
        } else {
            out_ext.as_deref()
        };
        brickwork_media::write_with(&MediaData::Array(array), ext, a.out_plugin.as_deref(), &opts)
            .map_err(failure)?
    };
    output::write_output(&a.output, &bytes)?;
    Ok(())
}

fn info(a: &InfoArgs) -> CmdResult {
    let bytes = output::read_input(&a.input)?;
    let ext = if a.plugin.is_some() {
        None
    } else {
        extension(&a.input)
    };
    let array = if is_npy(ext.as_deref()) {
        let (h, body) = npy::parse(&bytes)?;
        ArrayBuf::new(body.to_vec(), h.dtype, h.shape, h.order)?
    } else {
        brickwork_media::read(&bytes, ext.as_deref(), a.plugin.as_deref(), &limits(a.max_bytes))
            .map_err(failure)?
    };
    let format = if is_npy(ext.as_deref()) {
        "npy"
    } else {
        Format::sniff(&bytes).map_or("unknown", Format::name)
    };
    let line = serde_json::json!({
        "file": a.input,
        "format": format,
        "file_bytes": bytes.len(),
        "shape": array.shape(),
        "dtype": array.dtype().to_string(),
        "decoded_bytes": array.len(),
    });
    println!("{line}");
    Ok(())
}
