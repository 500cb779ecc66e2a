//! `brickwork encode --codec SPEC IN OUT`: raw bytes, or the array of a `.npy` file with its dtype,
//! shape and order (so typed codecs and Blosc's typesize see what numcodecs would). Raw input can be
//! given a layout with `--dtype`/`--shape`/`--order`.

use brickwork::core::npy;
use brickwork::{ArrayView, Error, Order};

use crate::spec::{self, LayoutArgs};
use crate::{output, CmdResult, Failure};

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
    /// Layout of raw input (not allowed with `.npy` input, which carries its own).
    #[command(flatten)]
    layout: LayoutArgs,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    let codec = spec::build_codec(&args.codec)?;
    let layout = args.layout.parse()?;
    let is_npy = args.input.ends_with(".npy");
    if is_npy && !args.layout.is_empty() {
        return Err(Failure::usage(Error::InvalidArray(format!(
            "{} is a .npy file, which carries its own dtype, shape and order; drop --dtype/--shape/--order",
            args.input
        ))));
    }
    let data = output::read_input(&args.input)?;
    let encoded = if is_npy {
        let (h, body) = npy::parse(&data)?;
        codec.encode(&ArrayView::new(body, h.dtype, h.shape, h.order)?)?
    } else if args.layout.is_empty() {
        codec.encode_bytes(&data)?
    } else {
        let raw = ArrayView::from_bytes(&data);
        let dtype = layout.dtype.unwrap_or(raw.dtype());
        let shape = match layout.shape {
            Some(s) => s,
            None => vec![data.len() / dtype.itemsize().max(1)],
        };
        let order = layout.order.unwrap_or(Order::C);
        codec.encode(&ArrayView::new(&data, dtype, shape, order)?)?
    };
    output::write_output(&args.output, &encoded)?;
    Ok(())
}
