//! brickwork-core: the contracts every other brickwork crate builds on.
//!
//! * [`alloc`]: transparent huge pages for large buffers, as NumPy asks for them;
//! * [`dtype`]: NumPy dtypes, parsed from and printed as numcodecs writes them;
//! * [`array`]: contiguous arrays as codecs see them ([`ArrayView`], [`ArrayBuf`], [`Order`]);
//! * [`codec`]: the [`Codec`] trait, numcodecs' Codec API;
//! * [`config`]: codec configs as JSON objects, with numcodecs' equality;
//! * [`registry`]: `get_codec(config)` and run-time registration;
//! * [`limits`]: the bounds decoding untrusted bytes stays within;
//! * [`npy`]: NumPy `.npy` files;
//! * [`object`]: object arrays and the [`ObjectCodec`] trait of numcodecs' object codecs;
//! * [`record`]: structured dtypes (NumPy records, [`Record`]);
//! * [`error`]: the one error type.

pub mod alloc;
pub mod array;
pub mod codec;
pub mod config;
pub mod dtype;
pub mod error;
pub mod limits;
pub mod npy;
pub mod object;
pub mod pool;
pub mod record;
pub mod registry;

pub use array::{element_count, ArrayBuf, ArrayView, Order};
pub use codec::{check_out_at_least, copy_exact, copy_to_uninit, decode_zeroed, Codec, StaticCodec};
pub use config::Config;
pub use dtype::{DType, Endian, Kind};
pub use error::{Error, Result};
pub use limits::{Limits, DEFAULT_MAX_DECODED_BYTES};
pub use object::{Decoded, ObjectArray, ObjectCodec, ObjectItems, OutBuf, Value};
pub use record::Record;
pub use registry::{CodecEntry, Registry};
