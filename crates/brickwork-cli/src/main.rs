//! `brickwork`: numcodecs-compatible codecs and Zarr (v2 and v3) packing from the command line.
//!
//! ```text
//! brickwork codecs [--json]
//! brickwork encode --codec SPEC IN OUT [--dtype DT --shape N,N,.. --order C|F]
//! brickwork decode --codec SPEC IN OUT [--dtype DT --shape N,N,.. --order C|F] [--max-decoded-bytes N]
//! brickwork pack SRC.npy DEST.zarr --chunks 64,64,64 [--codec SPEC] [--filters JSON] [--order C|F] [--threads N]
//! brickwork unpack STORE.zarr OUT.npy [--region R] [--threads N] [--max-bytes N]
//! ```
//! SPEC is a JSON config (`'{"id":"zstd","level":5}'`), a bare id (`zstd`) or `id:key=value,...`
//! (`zstd:level=5,checksum=true`). `-` as IN or OUT means stdin or stdout. Errors are one sentence on
//! stderr with exit status 2 for usage errors (bad SPEC, unknown codec, bad option) and 1 for data errors
//! (unreadable, corrupt or oversized input), and no output file is left behind.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod output;
mod spec;

#[derive(Parser)]
#[command(
    name = "brickwork",
    version,
    about = "Arrays and media to bytes and back, wire-compatible with numcodecs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every codec id with its default config.
    Codecs(cmd::codecs::Args),
    /// Encode a file (raw bytes, or the array in a .npy file) with a codec.
    Encode(cmd::encode::Args),
    /// Decode a file with a codec.
    Decode(cmd::decode::Args),
    /// Cut an array (.npy) into chunks, encode them in parallel, and write a Zarr store (v2, or v3 with --zarr-format 3).
    Pack(cmd::pack::Args),
    /// Read a Zarr store (v2 or v3, sharded included) into a .npy file.
    Unpack(cmd::unpack::Args),
    /// Print what a Zarr store holds: an array's dtype, shape, chunks and codecs, or a group's members.
    Info(cmd::info::Args),
    /// Convert media files (images, video, DICOM, FITS, .npy) or print what one holds.
    Media(cmd::media::Args),
}

/// Exit status for errors in the command line itself (clap uses the same).
const EXIT_USAGE: u8 = 2;
/// Exit status for errors in the data (reading, decoding, writing).
const EXIT_DATA: u8 = 1;

/// A failed command: the error and the exit status it maps to.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    error: brickwork::Error,
}

impl Failure {
    /// An error in the command line (SPEC, codec config, `--dtype`, `--shape`, ...): exit status 2.
    pub fn usage(error: brickwork::Error) -> Self {
        Failure {
            code: EXIT_USAGE,
            error,
        }
    }
}

impl From<brickwork::Error> for Failure {
    /// Any other error is about the data: exit status 1.
    fn from(error: brickwork::Error) -> Self {
        Failure {
            code: EXIT_DATA,
            error,
        }
    }
}

/// What a subcommand returns.
pub type CmdResult = std::result::Result<(), Failure>;

/// NumPy's huge-page hint for every large buffer (see brickwork_core::alloc).
#[global_allocator]
static ALLOC: brickwork::core::alloc::HugePageHint = brickwork::core::alloc::HugePageHint;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codecs(a) => cmd::codecs::run(&a),
        Command::Encode(a) => cmd::encode::run(&a),
        Command::Decode(a) => cmd::decode::run(&a),
        Command::Pack(a) => cmd::pack::run(&a),
        Command::Unpack(a) => cmd::unpack::run(&a),
        Command::Info(a) => cmd::info::run(&a),
        Command::Media(a) => cmd::media::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // One line, whatever the error text holds.
            let msg = f.error.to_string().replace('\n', " ");
            eprintln!("brickwork: error: {msg}");
            ExitCode::from(f.code)
        }
    }
}
