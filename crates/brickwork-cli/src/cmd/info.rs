//! `brickwork info STORE`: what a Zarr store (v2 or v3) holds. For an array: its dtype, shape, chunks
//! (and shards), order, codecs, how many chunks are written and the decoded size; for a group: its
//! members, walked down (`--depth` levels), each array described on one line. Only metadata files, shard
//! indexes and directory listings are read.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use brickwork::grid::zarr::{group_members, node_at, not_a_directory, Node, ZarrArray, ZarrFormat};
use brickwork::{Config, Error, Result};

use crate::cmd::pack::human;
use crate::CmdResult;

/// Arguments of `brickwork info`.
#[derive(clap::Args)]
pub struct Args {
    /// A Zarr array or group (a directory with a `.zarray`, `.zgroup` or `zarr.json`).
    store: PathBuf,
    /// How many levels of a group's members to list.
    #[arg(long, default_value_t = 16)]
    depth: usize,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    match node_at(&args.store) {
        None if args.store.is_file() => Err(Error::InvalidArray(not_a_directory(&args.store)).into()),
        None => Err(Error::InvalidArray(format!(
            "{} holds no Zarr array or group (no .zarray, .zgroup or zarr.json of one)",
            args.store.display()
        ))
        .into()),
        Some(Node::Array(_)) => {
            let z = ZarrArray::open(&args.store)?;
            println!("{}  {}", args.store.display(), describe(&z)?);
            Ok(())
        }
        Some(Node::Group(format)) => {
            println!("{}/  Zarr v{} group", args.store.display(), version(format));
            let mut seen = HashSet::new();
            seen.extend(args.store.canonicalize().ok());
            walk(&args.store, 1, args.depth, &mut seen)
        }
    }
}

/// Lists the members of the group at `dir`, indented by `level`, down to `depth` levels. A group
/// reached again (through a symbolic link) is named, not walked again.
fn walk(dir: &Path, level: usize, depth: usize, seen: &mut HashSet<PathBuf>) -> CmdResult {
    if level > depth {
        return Ok(());
    }
    let indent = "  ".repeat(level);
    for (name, node) in group_members(dir)? {
        let path = dir.join(&name);
        match node {
            Node::Array(_) => match ZarrArray::open(&path).and_then(|z| describe(&z)) {
                Ok(text) => println!("{indent}{name}  {text}"),
                Err(e) => println!("{indent}{name}  (not readable: {e})"),
            },
            Node::Group(_) if !path.canonicalize().is_ok_and(|p| seen.insert(p)) => {
                println!("{indent}{name}/  group (listed already: a link to a group above)");
            }
            Node::Group(_) => {
                println!("{indent}{name}/  group");
                walk(&path, level + 1, depth, seen)?;
            }
        }
    }
    Ok(())
}

/// One line about an array.
fn describe(z: &ZarrArray) -> Result<String> {
    let dims = |v: &[usize]| {
        if v.is_empty() {
            "()".to_owned()
        } else {
            v.iter().map(usize::to_string).collect::<Vec<_>>().join("×")
        }
    };
    // a rectilinear grid's axes as its metadata lists them: a length, or lengths and [length, count] runs
    let outer = match z.grid().is_regular() {
        true => dims(z.chunks()),
        false => {
            let spec = z.grid_spec().to_json();
            let axes = spec["configuration"]["chunk_shapes"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let axes: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
            format!("{} (rectilinear)", axes.join("×"))
        }
    };
    let chunks = match z.inner_chunks() {
        Some(inner) => format!("chunks {} in shards of {outer}", dims(inner)),
        None => format!("chunks {outer}"),
    };
    let pipeline = z.items_pipeline();
    let mut codecs: Vec<String> = pipeline.filter_configs().iter().map(codec).collect();
    codecs.extend(pipeline.compressor_config().as_ref().map(codec));
    let codecs = if codecs.is_empty() {
        "uncompressed".to_owned()
    } else {
        codecs.join(" → ")
    };
    let total: u128 = match z.inner_chunks() {
        Some(inner) => z
            .shape()
            .iter()
            .zip(inner)
            .map(|(&n, &c)| n.div_ceil(c) as u128)
            .product(),
        None => z.grid().grid_shape().iter().map(|&n| n as u128).product(),
    };
    let size = if z.holds_objects() {
        "variable-length items".to_owned()
    } else {
        human(z.nbytes()?)
    };
    Ok(format!(
        "Zarr v{} array  {} {}  {chunks}  {} order  {codecs}  {} of {total} chunks written  {size}",
        version(z.format()),
        match z.record() {
            Some(record) => format!("record {}", record.descr()),
            None => z.dtype().to_string(),
        },
        dims(z.shape()),
        z.items_order().as_str(),
        z.initialized_chunks()?,
    ))
}

/// `id(key=value, ...)` of a numcodecs config.
fn codec(config: &Config) -> String {
    let id = config.get("id").and_then(|v| v.as_str()).unwrap_or("?");
    let settings: Vec<String> = config
        .iter()
        .filter(|(k, _)| k.as_str() != "id")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("{id}({})", settings.join(", "))
}

fn version(format: ZarrFormat) -> u8 {
    match format {
        ZarrFormat::V2 => 2,
        ZarrFormat::V3 => 3,
    }
}
