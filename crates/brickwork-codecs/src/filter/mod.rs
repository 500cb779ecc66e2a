//! numcodecs' filters: `shuffle` (bytes), and the typed array filters `delta`, `fixedscaleoffset`,
//! `quantize`, `bitround`, `packbits`, `astype` and `categorize`.
//!
//! The typed filters read their element type from their own config (numcodecs' `.view(dtype)`), so the
//! input's bytes are reinterpreted, in memory order, whatever dtype the caller attached; a byte count that
//! is not a whole number of items is an error. They follow NumPy 2's arithmetic exactly: NEP 50 promotion
//! of the Python-number parameters, round half to even, wrapping integers, and the x86-64 results of
//! float → integer casts (the private `numeric` module).
//!
//! What `decode` returns (numcodecs returns the same dtypes; all 1-D here, since only bytes come in):
//!
//! | codec | decode dtype |
//! |---|---|
//! | shuffle, bitround | `\|u1` bytes |
//! | delta, fixedscaleoffset, quantize, categorize | the config's `dtype` |
//! | astype | `decode_dtype` |
//! | packbits | `\|b1` |

pub mod astype;
pub mod bitround;
pub mod categorize;
pub mod delta;
pub mod fixedscaleoffset;
pub(crate) mod numeric;
pub mod packbits;
pub mod quantize;
pub mod shuffle;
