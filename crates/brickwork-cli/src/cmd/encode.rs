//! `brickwork encode --codec SPEC IN OUT`: raw bytes, or the array of a `.npy` file with its dtype,
//! shape and order (so typed codecs and Blosc's typesize see what numcodecs would).

use brickwork::core::npy;
use brickwork::{ArrayView, Result};

use crate::{io, spec};

/// Arguments of `brickwork encode`.
#[derive(clap::Args)]
pub struct Args {
    /// The codec: JSON config, bare id, or id:key=value,...
    #[arg(long, short)]
    codec: String,
    /// Input file (`-` = stdin); a `.npy` file is encoded as its array.
    input: String,
    /// Output file (`-` = stdout).
    output: String,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<()> {
    let codec = brickwork::codecs::get_codec(&spec::parse(&args.codec)?)?;
    let data = io::read_input(&args.input)?;
    let encoded = if args.input.ends_with(".npy") {
        let (h, body) = npy::parse(&data)?;
        codec.encode(&ArrayView::new(body, h.dtype, h.shape, h.order)?)?
    } else {
        codec.encode_bytes(&data)?
    };
    io::write_output(&args.output, &encoded)
}
