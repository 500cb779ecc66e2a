//! brickwork: n-dimensional arrays and media to bytes and back, wire-compatible with numcodecs.
//!
//! This facade re-exports the layers:
//! * [`core`]: dtypes, arrays, the [`Codec`] trait, configs, the registry, errors and limits;
//! * [`codecs`]: every numcodecs codec id, and [`codecs::registry`] holding them all;
//! * [`grid`]: N-d `tobytes`/`assemble`, parallel chunk encoding and Zarr stores (v2 and v3);
//! * [`media`]: labox's imageio `MediaSerializer`: images, animations, TIFF stacks, video, DICOM, FITS.
//!
//! ```
//! use brickwork::{codecs, Codec, Limits};
//! let codec = codecs::get_codec_json(r#"{"id": "zlib", "level": 5}"#).unwrap();
//! let encoded = codec.encode_bytes(b"hello hello hello").unwrap();
//! let decoded = codec.decode(&encoded, &Limits::default()).unwrap();
//! assert_eq!(decoded.data(), b"hello hello hello");
//! ```

pub use brickwork_codecs as codecs;
pub use brickwork_core as core;
pub use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, DType, Error, Limits, Order, Registry, Result};
pub use brickwork_grid as grid;
pub use brickwork_media as media;
