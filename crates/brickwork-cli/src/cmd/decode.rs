//! `brickwork decode --codec SPEC IN OUT`: writes the decoded bytes, or a `.npy` file when OUT ends in
//! `.npy` (its dtype and shape from `--dtype`/`--shape`/`--order`, or from the codec when it stores them).

use brickwork::core::element_count;
use brickwork::core::npy;
use brickwork::{Error, Limits};

use crate::spec::{self, LayoutArgs};
use crate::{output, CmdResult};

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
    /// Layout of the decoded array, for `.npy` output.
    #[command(flatten)]
    layout: LayoutArgs,
    /// Refuse to decode more than this many bytes (untrusted input); default: the library's limit.
    #[arg(long)]
    max_decoded_bytes: Option<usize>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    let codec = spec::build_codec(&args.codec)?;
    let layout = args.layout.parse()?;
    let data = output::read_input(&args.input)?;
    let limits = args.max_decoded_bytes.map_or_else(Limits::default, Limits::new);
    let decoded = codec.decode(&data, &limits)?;
    if !args.output.ends_with(".npy") {
        output::write_output(&args.output, decoded.data())?;
        return Ok(());
    }
    let dtype = layout.dtype.unwrap_or(decoded.dtype());
    let shape: Vec<usize> = match layout.shape {
        Some(s) => s,
        None if layout.dtype.is_none() => decoded.shape().to_vec(),
        None => vec![decoded.len() / dtype.itemsize().max(1)],
    };
    let needed = element_count(&shape)?
        .checked_mul(dtype.itemsize())
        .ok_or_else(|| Error::InvalidArray(format!("a {shape:?} array of {dtype} is too large")))?;
    if needed != decoded.len() {
        return Err(Error::InvalidArray(format!(
            "the decoded data has {} bytes but a {shape:?} array of {dtype} needs {needed}",
            decoded.len()
        ))
        .into());
    }
    let order = match layout.order {
        Some(o) => o,
        None if args.layout.is_empty() => decoded.order(),
        None => brickwork::Order::C,
    };
    output::write_output(&args.output, &npy::to_bytes(dtype, &shape, order, decoded.data()))?;
    Ok(())
}
