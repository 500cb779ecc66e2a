//! The `Codec` trait: numcodecs' Codec API in Rust.
//!
//! | numcodecs                  | brickwork                                   |
//! |----------------------------|---------------------------------------------|
//! | `codec_id`                 | [`Codec::codec_id`]                         |
//! | `encode(buf)`              | [`Codec::encode`] (an [`ArrayView`])         |
//! | `decode(buf)`              | [`Codec::decode`] (bounded by [`Limits`])    |
//! | `decode(buf, out)`         | [`Codec::decode_into`]                      |
//! | `get_config()`             | [`Codec::config`]                           |
//! | `from_config(config)`      | [`StaticCodec::from_config`], [`crate::Registry::get_codec`] |

use std::fmt;

use crate::array::{ArrayBuf, ArrayView};
use std::mem::MaybeUninit;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::limits::Limits;

/// A numcodecs-compatible codec.
pub trait Codec: Send + Sync + fmt::Debug {
    /// The numcodecs codec id (`"zlib"`, `"blosc"`, ...).
    fn codec_id(&self) -> &str;

    /// numcodecs' `get_config()`: the parameters as a JSON object with `"id"`, numcodecs' keys and defaults.
    fn config(&self) -> Config;

    /// Encodes an array (its bytes in memory order; dtype, shape and order for the codecs that use them).
    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>>;

    /// The most bytes [`Codec::encode_into`] can write for this input, for codecs that compress
    /// straight into a caller's buffer (LZ4, Zstandard: their C libraries' compress bounds). A caller
    /// that can shrink its buffer afterwards (Python's `bytes`) then avoids a second copy of the output.
    /// `None` (the default): use [`Codec::encode`].
    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        let _ = input;
        None
    }

    /// Encodes into `out`, which must hold at least [`Codec::encoded_bound`] bytes and may be
    /// uninitialised; returns `n`, the bytes written, and guarantees `out[..n]` is initialised. The
    /// output is byte for byte what [`Codec::encode`] returns. The default encodes and copies.
    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        copy_to_uninit(self.codec_id(), &self.encode(input)?, out)
    }

    /// Decodes untrusted bytes into a new array, never allocating more than `limits` allow.
    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf>;

    /// The decoded size `encoded`'s header declares, for codecs that store it (LZ4's size prefix,
    /// Zstandard's frame content size, Blosc's header), when it is plausible for the input's length.
    /// A caller can then allocate the output once (a Python `bytes`) and decode into it with
    /// [`Codec::decode_into_uninit`], after checking the size against its limits. Untrusted: decoding
    /// still fails if the data does not match; a [`crate::Error::OutputSize`] then means the data holds
    /// more than the header says (several zstd frames) and [`Codec::decode`] must be used. `None` (the
    /// default): the size is not known before decoding.
    fn declared_size(&self, encoded: &[u8]) -> Option<usize> {
        let _ = encoded;
        None
    }

    /// numcodecs' `decode(buf, out)`: decodes into `out` and returns how many bytes were written.
    ///
    /// Whether `out` may be larger than the decoded data follows numcodecs codec by codec; the default
    /// requires the exact size (numcodecs' `ndarray_copy`).
    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let decoded = self.decode(encoded, &Limits::new(out.len()))?;
        copy_exact(self.codec_id(), decoded.data(), out)
    }

    /// [`Codec::decode_into`] for a possibly uninitialised `out` (a caller's fresh allocation, such as a
    /// Python `bytes`): returns `n` and guarantees `out[..n]` is initialised. Codecs whose C library
    /// writes straight into memory override it to skip zeroing `out`; the default zeroes it first.
    fn decode_into_uninit(&self, encoded: &[u8], out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        decode_zeroed(self, encoded, out)
    }

    /// For codecs whose decoded bytes are a contiguous part of `encoded` (the checksum codecs: the
    /// payload, once its checksum is verified), that part's byte range, so a caller can return a view of
    /// the input instead of a copy, as numcodecs does. `None` (the default): decoding makes new bytes and
    /// [`Codec::decode`] must be used. An error is what `decode` would have raised.
    fn decoded_range(&self, encoded: &[u8]) -> Option<Result<std::ops::Range<usize>>> {
        let _ = encoded;
        None
    }

    /// Encodes raw bytes (a 1-D `|u1` array).
    fn encode_bytes(&self, data: &[u8]) -> Result<Vec<u8>> {
        self.encode(&ArrayView::from_bytes(data))
    }

    /// The object-array side of this codec, if it has one (json2, msgpack2, vlen-*, categorize with
    /// `dtype='|O'`, a pipeline starting with one of them); see [`crate::object`].
    fn as_object_codec(&self) -> Option<&dyn crate::object::ObjectCodec> {
        None
    }
}

/// A codec that the registry can build from a config.
pub trait StaticCodec: Codec + Sized + 'static {
    /// The codec id.
    const ID: &'static str;

    /// numcodecs' `from_config`: builds the codec, applying numcodecs' defaults to missing keys.
    fn from_config(config: &Config) -> Result<Self>;
}

/// [`Codec::decode_into`] after zeroing `out` (the default of [`Codec::decode_into_uninit`], and the
/// fallback of the codecs that override it).
pub fn decode_zeroed<C: Codec + ?Sized>(
    codec: &C,
    encoded: &[u8],
    out: &mut [MaybeUninit<u8>],
) -> Result<usize> {
    for b in out.iter_mut() {
        b.write(0);
    }
    // SAFETY: every byte of `out` was initialised just above, and MaybeUninit<u8> has u8's layout.
    let out = unsafe { &mut *(out as *mut [MaybeUninit<u8>] as *mut [u8]) };
    codec.decode_into(encoded, out)
}

/// Copies `encoded` into the front of a possibly uninitialised `out` (for [`Codec::encode_into`] and
/// callers filling fresh buffers); returns its length.
pub fn copy_to_uninit(codec: &str, encoded: &[u8], out: &mut [MaybeUninit<u8>]) -> Result<usize> {
    if out.len() < encoded.len() {
        return Err(Error::output_size(
            codec,
            format!("at least {}", encoded.len()),
            out.len(),
        ));
    }
    crate::alloc::populate_for_writing(out.as_mut_ptr().cast(), encoded.len());
    for (dst, &src) in out.iter_mut().zip(encoded) {
        dst.write(src);
    }
    Ok(encoded.len())
}

/// numcodecs' `ndarray_copy`: the decoded bytes must fill `out` exactly.
pub fn copy_exact(codec: &str, decoded: &[u8], out: &mut [u8]) -> Result<usize> {
    if decoded.len() != out.len() {
        return Err(Error::output_size(
            codec,
            format!("exactly {}", decoded.len()),
            out.len(),
        ));
    }
    out.copy_from_slice(decoded);
    Ok(decoded.len())
}

/// For codecs where numcodecs allows a larger `out`: checks `out` holds `needed` bytes.
pub fn check_out_at_least(codec: &str, needed: usize, out: &[u8]) -> Result<()> {
    if out.len() < needed {
        return Err(Error::output_size(codec, format!("at least {needed}"), out.len()));
    }
    Ok(())
}
