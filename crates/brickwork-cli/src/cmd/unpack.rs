//! `brickwork unpack STORE.zarr OUT.npy`: a Zarr v2 or v3 array (written by brickwork or zarr-python) into a
//! `.npy` file, decoded in parallel. The metadata is untrusted: the array's size is checked against
//! `--max-bytes` before anything is allocated.

use std::path::PathBuf;

use brickwork::core::npy;
use brickwork::grid::zarr::{ZarrArray, DEFAULT_MAX_ARRAY_BYTES};

use crate::{output, CmdResult};

/// Arguments of `brickwork unpack`.
#[derive(clap::Args)]
pub struct Args {
    /// The Zarr store (a directory with a `.zarray` or a `zarr.json`).
    store: PathBuf,
    /// Output `.npy` file (`-` = stdout).
    output: String,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// The most bytes the array may occupy (default 16 GiB).
    #[arg(long, default_value_t = DEFAULT_MAX_ARRAY_BYTES)]
    max_bytes: u64,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    let z = ZarrArray::open(&args.store)?;
    let array = z.read(args.max_bytes, args.threads)?;
    let bytes = npy::to_bytes(array.dtype(), array.shape(), array.order(), array.data());
    output::write_output(&args.output, &bytes)?;
    Ok(())
}
