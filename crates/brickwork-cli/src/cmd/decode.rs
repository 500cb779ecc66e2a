//! `brickwork decode --codec SPEC IN OUT`: writes the decoded bytes, or a `.npy` file when OUT ends in
//! `.npy` (its dtype and shape from `--dtype`/`--shape`/`--order`, or from the codec when it stores them).

use brickwork::core::element_count;
use brickwork::core::npy;
use brickwork::{DType, Error, Limits, Order, Result};

use crate::{io, spec};

/// Arguments of `brickwork decode`.
#[derive(clap::Args)]
pub struct Args {
    /// The codec: JSON config, bare id, or id:key=value,...
    #[arg(long, short)]
    codec: String,
    /// Input file (`-` = stdin).
    input: String,
    /// Output file (`-` = stdout); `.npy` writes an array file.
    output: String,
    /// Element type of the decoded array, for `.npy` output (e.g. `<u2`).
    #[arg(long)]
    dtype: Option<String>,
    /// Shape of the decoded array, for `.npy` output (e.g. `16,64,64`); default: one dimension.
    #[arg(long)]
    shape: Option<String>,
    /// Memory order of the decoded array, for `.npy` output.
    #[arg(long, default_value = "C")]
    order: String,
    /// Refuse to decode more than this many bytes (untrusted input).
    #[arg(long)]
    max_decoded_bytes: Option<usize>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<()> {
    let codec = brickwork::codecs::get_codec(&spec::parse(&args.codec)?)?;
    let data = io::read_input(&args.input)?;
    let limits = args.max_decoded_bytes.map_or_else(Limits::default, Limits::new);
    let decoded = codec.decode(&data, &limits)?;
    if !args.output.ends_with(".npy") {
        return io::write_output(&args.output, decoded.data());
    }
    let dtype = match &args.dtype {
        Some(d) => DType::parse(d)?,
        None => decoded.dtype(),
    };
    let order = Order::parse(&args.order)?;
    let shape: Vec<usize> = match &args.shape {
        Some(s) => s
            .split(',')
            .map(|d| d.trim().parse::<usize>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| {
                Error::InvalidArray(format!("--shape {s:?} is not a list of sizes like 16,64,64"))
            })?,
        None if args.dtype.is_none() => decoded.shape().to_vec(),
        None => vec![decoded.len() / dtype.itemsize().max(1)],
    };
    let needed = element_count(&shape)?
        .checked_mul(dtype.itemsize())
        .ok_or_else(|| Error::InvalidArray(format!("a {shape:?} array of {dtype} is too large")))?;
    if needed != decoded.len() {
        return Err(Error::InvalidArray(format!(
            "the decoded data has {} bytes but a {shape:?} array of {dtype} needs {needed}",
            decoded.len()
        )));
    }
    let order = if args.shape.is_none() && args.dtype.is_none() {
        decoded.order()
    } else {
        order
    };
    io::write_output(&args.output, &npy::to_bytes(dtype, &shape, order, decoded.data()))
}
