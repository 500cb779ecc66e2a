//! `brickwork pack SRC DEST.zarr --chunks 64,64,64 --codec SPEC [--zarr-format 3]`: an array into a Zarr
//! store (v2 unless asked), cut and encoded in parallel, with a progress bar on a terminal and a one-line
//! summary.
//!
//! SRC is a `.npy` file of any dtype and order (mapped, not read into memory, so it may be larger than
//! memory; `-` reads one from stdin), or a media file (PNG, JPEG, GIF, TIFF stack, WebP, video, DICOM,
//! FITS, ...) decoded as imageio would. The store is what zarr-python writes (see
//! `brickwork_grid::zarr`); an existing store is only replaced with `--overwrite`, and a failed pack
//! removes what it wrote.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use brickwork::core::{config, npy, Config};
use brickwork::grid::zarr::{ZarrArray, ZarrFormat};
use brickwork::grid::{Layout, ZarrOptions};
use brickwork::{Error, Order};

use crate::{output, spec, CmdResult, Failure};

/// Arguments of `brickwork pack`.
#[derive(clap::Args)]
pub struct Args {
    /// Source array: a `.npy` file, or an image, TIFF stack, video, DICOM or FITS file.
    src: String,
    /// Destination Zarr store (a directory; created).
    dest: PathBuf,
    /// Chunk shape, comma separated, one size per axis (e.g. 64,64,64).
    #[arg(long)]
    chunks: String,
    /// Compressor: JSON config, bare id, id:key=value,... or `none`.
    #[arg(long, short, default_value = "zstd")]
    codec: String,
    /// Filters as a JSON list of numcodecs configs (applied before the compressor).
    #[arg(long)]
    filters: Option<String>,
    /// Element order inside each chunk.
    #[arg(long, default_value = "C")]
    order: String,
    /// Fill value as JSON (Zarr v2 spelling: a number, "NaN", true, ...); default null.
    #[arg(long)]
    fill_value: Option<String>,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Zarr v3 only: shard shape, comma separated, a multiple of --chunks; each file then holds a shard
    /// of chunks (sharding_indexed).
    #[arg(long)]
    shards: Option<String>,
    /// Zarr format: 2 (`.zarray`, numcodecs configs) or 3 (`zarr.json`, a codec chain).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(2..=3))]
    zarr_format: u8,
    /// User attributes stored with the array, as a JSON object (`.zattrs` in v2, `zarr.json` in v3).
    #[arg(long)]
    attributes: Option<String>,
    /// Replace an existing Zarr array at DEST.
    #[arg(long)]
    overwrite: bool,
    /// Leave out the chunks that hold only the fill value (zarr-python's default,
    /// `write_empty_chunks=False`); they read back as the fill value.
    #[arg(long)]
    skip_empty_chunks: bool,
    /// Never draw a progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    let compressor: Option<Config> = if args.codec == "none" {
        None
    } else {
        Some(spec::build_codec(&args.codec)?.config())
    };
    let filters: Vec<Config> = match &args.filters {
        None => Vec::new(),
        Some(text) => {
            let v: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| usage(format!("--filters is not JSON ({e}); give a list such as '[{{\"id\":\"delta\",\"dtype\":\"<u2\"}}]'")))?;
            let list = v
                .as_array()
                .ok_or_else(|| usage("--filters must be a JSON list of codec configs".into()))?;
            list.iter()
                .map(|f| config::from_json(&f.to_string()).map_err(Failure::usage))
                .collect::<Result<_, _>>()?
        }
    };
    let order = Order::parse(&args.order).map_err(Failure::usage)?;
    // The source: a .npy file mapped into memory (not read: it may be larger than memory) or read from
    // stdin, or any media file brickwork-media reads (images, TIFF stacks, video, DICOM, FITS), decoded to
    // the array imageio would return.
    let (mapped, read, decoded);
    let (header, body) = if args.src == "-" {
        read = output::read_input(&args.src)?;
        npy::parse(&read)?
    } else if args.src.to_ascii_lowercase().ends_with(".npy") {
        mapped = map(&args.src)?;
        npy::parse(&mapped)?
    } else {
        decoded = crate::cmd::media::load(&args.src, None, &brickwork_media::MediaLimits::default())?;
        let header = npy::NpyHeader {
            dtype: decoded.dtype(),
            record: None,
            shape: decoded.shape().to_vec(),
            order: decoded.order(),
            data_offset: 0,
            data_len: decoded.len(),
        };
        (header, decoded.data())
    };
    let chunks = parse_sizes("--chunks", &args.chunks, header.shape.len())?;
    let fill_value = match &args.fill_value {
        None => None,
        Some(text) => {
            let v: serde_json::Value =
                serde_json::from_str(text).map_err(|e| usage(format!("--fill-value is not JSON: {e}")))?;
            brickwork::grid::fill::fill_to_bytes(header.dtype, &v).map_err(Failure::usage)?
        }
    };
    let layout = Layout::contiguous(&header.shape, header.dtype.itemsize(), header.order)?;
    let options = ZarrOptions {
        chunks: chunks.clone(),
        rectilinear: None,
        compressor,
        filters,
        order,
        fill_value,
        dimension_separator: None,
        format: if args.zarr_format == 3 {
            ZarrFormat::V3
        } else {
            ZarrFormat::V2
        },
        shards: args
            .shards
            .as_deref()
            .map(|text| parse_sizes("--shards", text, header.shape.len()))
            .transpose()?,
        overwrite: args.overwrite,
        attributes: match &args.attributes {
            None => Default::default(),
            Some(text) => match serde_json::from_str(text) {
                Ok(serde_json::Value::Object(map)) => map,
                _ => {
                    return Err(usage(format!(
                        "--attributes must be a JSON object such as '{{\"unit\": \"nm\"}}', got {text:?}"
                    )))
                }
            },
        },
        record: header.record.clone(),
        write_empty_chunks: !args.skip_empty_chunks,
    };
    let started = Instant::now();
    let total = ZarrArray::grid_for(&header.shape, &chunks)?.len() as u64;
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bar:40} {pos}/{len} chunks {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |_: u64, _: u64| {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let (_, stats) = ZarrArray::create(
        &args.dest,
        body,
        &layout,
        header.dtype,
        &options,
        args.threads,
        &progress,
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    let left_out = total - stats.chunks;
    println!(
        "packed {} ({:?} {}) into {}: {} chunks of {:?}{}, {} -> {} (ratio {:.2}x) in {:.2} s, {}/s",
        args.src,
        header.shape,
        header.dtype,
        args.dest.display(),
        stats.chunks,
        chunks,
        if left_out > 0 {
            format!(" ({left_out} holding only the fill value left out)")
        } else {
            String::new()
        },
        human(stats.bytes_in),
        human(stats.bytes_out),
        stats.bytes_in as f64 / stats.bytes_out.max(1) as f64,
        secs,
        human((stats.bytes_in as f64 / secs.max(1e-9)) as u64),
    );
    Ok(())
}

/// The file at `path`, mapped read-only: the kernel pages it in as chunks are cut and can drop those
/// pages again, so a source larger than memory packs. Like any mapping (and NumPy's `mmap_mode`), it
/// assumes no other process truncates the file while it is packed.
fn map(path: &str) -> Result<memmap2::Mmap, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(format!("reading {path}"), e))?;
    // SAFETY: the map is read-only and lives until the pack ends; the file is not written by brickwork,
    // and the documented assumption above rules out truncation by others.
    unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(format!("mapping {path}"), e))
}

/// A shape given as `flag` (`--chunks`, `--shards`): `ndim` positive integers separated by commas.
fn parse_sizes(flag: &str, text: &str, ndim: usize) -> Result<Vec<usize>, Failure> {
    let sizes: Vec<usize> = text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            usage(format!(
                "{flag} must be positive integers separated by commas, got {text:?}"
            ))
        })?;
    if sizes.len() != ndim {
        return Err(usage(format!(
            "{flag} {text:?} has {} sizes but the array has {ndim} dimensions",
            sizes.len()
        )));
    }
    if sizes.contains(&0) {
        return Err(usage(format!("{flag} sizes must be at least 1, got {text:?}")));
    }
    Ok(sizes)
}

fn usage(message: String) -> Failure {
    Failure::usage(Error::InvalidArray(message))
}

/// Bytes in binary units (`1.5 MiB`).
pub fn human(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}
