//! `brickwork`: numcodecs-compatible codecs from the command line.
//!
//! ```text
//! brickwork codecs [--json]
//! brickwork encode --codec SPEC IN OUT
//! brickwork decode --codec SPEC IN OUT [--dtype DT --shape N,N,.. --order C|F] [--max-decoded-bytes N]
//! ```
//! SPEC is a JSON config (`'{"id":"zstd","level":5}'`), a bare id (`zstd`) or `id:key=value,...`
//! (`zstd:level=5,checksum=true`). `-` as IN or OUT means stdin or stdout. Errors are one sentence on
//! stderr with exit status 1 (2 for usage errors), and no output file is left behind.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod io;
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codecs(a) => cmd::codecs::run(&a),
        Command::Encode(a) => cmd::encode::run(&a),
        Command::Decode(a) => cmd::decode::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("brickwork: error: {e}");
            ExitCode::FAILURE
        }
    }
}
