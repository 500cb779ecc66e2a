//! `brickwork unpack STORE.zarr OUT.npy [--region 0:64,:,5]`: a Zarr v2 or v3 array (written by brickwork
//! or zarr-python), or a region of it, into a `.npy` file, decoded in parallel from only the chunks the
//! region touches. The metadata is untrusted: the output's size is checked against `--max-bytes` before
//! anything is allocated.

use std::path::PathBuf;

use brickwork::core::npy;
use brickwork::grid::zarr::{ZarrArray, DEFAULT_MAX_ARRAY_BYTES};
use brickwork::grid::{Layout, Selection};
use brickwork::{Error, Order};

use crate::{output, CmdResult, Failure};

/// Arguments of `brickwork unpack`.
#[derive(clap::Args)]
pub struct Args {
    /// The Zarr store (a directory with a `.zarray` or a `zarr.json`).
    store: PathBuf,
    /// Output `.npy` file (`-` = stdout).
    output: String,
    /// Only this region, in NumPy's slicing syntax, one entry per axis separated by commas: an index
    /// (`5`, `-1`: the axis is dropped), or `start:stop:step` with any part left out (`:`, `10:`, `::-2`);
    /// axes not given are read whole. Written in C order.
    #[arg(long, allow_hyphen_values = true)]
    region: Option<String>,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// The most bytes the output may occupy (default 16 GiB).
    #[arg(long, default_value_t = DEFAULT_MAX_ARRAY_BYTES)]
    max_bytes: u64,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    let z = ZarrArray::open(&args.store)?;
    if z.holds_objects() {
        return Err(Error::InvalidArray(format!(
            "{} holds variable-length strings or bytes, which a .npy file holds only as pickled Python \
             objects; read it with Python's brickwork.zarr.load",
            args.store.display()
        ))
        .into());
    }
    let Some(text) = &args.region else {
        let array = z.read(args.max_bytes, args.threads)?;
        let bytes = match z.record() {
            Some(record) => npy::to_bytes_record(record, array.shape(), array.order(), array.data()),
            None => npy::to_bytes(array.dtype(), array.shape(), array.order(), array.data()),
        };
        output::write_output(&args.output, &bytes)?;
        return Ok(());
    };
    let region = Region::parse(text, z.shape())?;
    let isz = z.dtype().itemsize();
    // at most 32 factors below 2^64 each: the product saturates instead of overflowing
    let need = region
        .sel
        .shape()
        .iter()
        .fold(isz as u128, |acc, &c| acc.saturating_mul(c as u128));
    if need > u128::from(args.max_bytes) {
        let need = u64::try_from(need).unwrap_or(u64::MAX);
        return Err(Error::limit("zarr", "the region", need, args.max_bytes as usize).into());
    }
    let n = need as usize;
    let mut data = vec![0u8; n];
    let layout = region.layout(isz, n)?;
    z.read_selection_into(&region.sel, &mut data, &layout, args.max_bytes, args.threads)?;
    let bytes = match z.record() {
        Some(record) => npy::to_bytes_record(record, &region.shape, Order::C, &data),
        None => npy::to_bytes(z.dtype(), &region.shape, Order::C, &data),
    };
    output::write_output(&args.output, &bytes)?;
    Ok(())
}

/// A parsed `--region`: what to read, which axes to read backwards, and the output's shape.
struct Region {
    sel: Selection,
    /// Axes with a negative step: read with the positive step, written backwards.
    flipped: Vec<bool>,
    /// The output's shape: the selection's, without the axes an index picked.
    shape: Vec<usize>,
}

impl Region {
    /// Parses `text` (see [`Args::region`]) against an array of `shape`, as NumPy indexes.
    fn parse(text: &str, shape: &[usize]) -> Result<Region, Failure> {
        let entries: Vec<&str> = text.split(',').map(str::trim).collect();
        if entries.len() > shape.len() {
            return Err(usage(format!(
                "--region {text:?} has {} entries but the array has {} dimensions",
                entries.len(),
                shape.len()
            )));
        }
        let (mut start, mut count, mut step) = (Vec::new(), Vec::new(), Vec::new());
        let (mut flipped, mut out_shape) = (Vec::new(), Vec::new());
        for (axis, &n) in shape.iter().enumerate() {
            let entry = entries.get(axis).copied().unwrap_or(":");
            let bad = || {
                usage(format!(
                    "--region entry {entry:?} (axis {axis}) is neither an index nor start:stop:step"
                ))
            };
            let int = |s: &str| -> Result<Option<i128>, Failure> {
                match s.trim() {
                    "" => Ok(None),
                    s => s.parse::<i128>().map(Some).map_err(|_| bad()),
                }
            };
            let parts: Vec<&str> = entry.split(':').collect();
            let n = n as i128;
            if parts.len() == 1 {
                let i = int(parts[0])?.ok_or_else(bad)?;
                if !(-n..n).contains(&i) {
                    return Err(usage(format!(
                        "--region index {i} is out of bounds for axis {axis} with size {n}"
                    )));
                }
                start.push(i.rem_euclid(n) as usize);
                count.push(1);
                step.push(1);
                flipped.push(false);
                continue;
            }
            if parts.len() > 3 {
                return Err(bad());
            }
            let by = match parts.get(2) {
                Some(s) => int(s)?.unwrap_or(1),
                None => 1,
            };
            if by == 0 {
                return Err(usage(format!("--region step along axis {axis} is 0")));
            }
            // Python's slice.indices
            let (lower, upper) = if by > 0 { (0, n) } else { (-1, n - 1) };
            let clamp = |v: Option<i128>, default: i128| match v {
                None => default,
                Some(v) if v < 0 => (v + n).max(lower),
                Some(v) => v.min(upper),
            };
            let from = clamp(int(parts[0])?, if by > 0 { lower } else { upper });
            let to = clamp(int(parts[1])?, if by > 0 { upper } else { lower });
            let len = if by > 0 && to > from {
                (to - from - 1) / by + 1
            } else if by < 0 && from > to {
                (from - to - 1) / -by + 1
            } else {
                0
            };
            let first = if len == 0 {
                0
            } else if by > 0 {
                from
            } else {
                from + (len - 1) * by
            };
            start.push(first as usize);
            count.push(len as usize);
            step.push(by.unsigned_abs().min(n.max(1) as u128) as usize);
            flipped.push(by < 0);
            out_shape.push(len as usize);
        }
        Ok(Region {
            sel: Selection::new(shape, &start, &count, &step)?,
            flipped,
            shape: out_shape,
        })
    }

    /// The layout that writes the selection into a C-ordered buffer of `len` bytes, flipped axes
    /// backwards.
    fn layout(&self, itemsize: usize, len: usize) -> Result<Layout, Error> {
        let mut strides = brickwork::grid::layout::contiguous_strides(self.sel.shape(), itemsize, Order::C)?;
        let mut offset = 0usize;
        for (a, s) in strides.iter_mut().enumerate() {
            if self.flipped[a] && self.sel.shape()[a] > 0 {
                offset += (self.sel.shape()[a] - 1) * *s as usize;
                *s = -*s;
            }
        }
        Layout::strided(self.sel.shape(), &strides, itemsize, offset, len)
    }
}

fn usage(message: String) -> Failure {
    Failure::usage(Error::InvalidArray(message))
}
