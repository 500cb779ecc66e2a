//! `brickwork._native`: the bridge from Python to brickwork's Rust codecs.
//!
//! One generic class, [`NativeCodec`], wraps any codec the Rust registry can build, so every codec added
//! in Rust is usable from Python without glue of its own. The Python shims (`brickwork/codecs/`) hand it
//! arrays as flat `uint8` views of their memory (zero-copy) plus the dtype string, shape and order, and
//! turn its results into what numcodecs returns. The GIL is released while a codec runs. Errors are
//! raised as the classes of `brickwork.errors`, which derive from the builtins numcodecs raises.

use brickwork::core::config::{self, Config};
use brickwork::core::{Endian, Kind};
use brickwork::{ArrayView, Codec, DType, Error, Limits, Order};
use numpy::{PyArray1, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// NumPy's huge-page hint for every large buffer this extension allocates (see brickwork_core::alloc).
#[global_allocator]
static ALLOC: brickwork::core::alloc::HugePageHint = brickwork::core::alloc::HugePageHint;

mod buffer;
mod bytes;
mod grid;
mod media;
mod objects;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Raises `err` as the matching class of `brickwork.errors`.
fn to_pyerr(py: Python<'_>, err: Error) -> PyErr {
    let (class, extra): (&str, Option<String>) = match &err {
        Error::UnknownCodec { id, .. } => ("UnknownCodecError", Some(id.clone())),
        Error::UnsupportedCodec { id, .. } => ("UnsupportedCodecError", Some(id.clone())),
        Error::UnknownConfigKey { .. } => ("ConfigKeyError", None),
        Error::InvalidConfig { .. } => ("InvalidConfigError", None),
        Error::InvalidInput { .. } => ("InvalidInputError", None),
        Error::Corrupt { .. } => ("DecodeError", None),
        Error::ChecksumMismatch { .. } => ("ChecksumError", None),
        Error::LimitExceeded { .. } => ("LimitError", None),
        Error::OutputSize { .. } => ("OutputSizeError", None),
        Error::InvalidDType { .. } => ("DTypeError", None),
        Error::InvalidArray(_) => ("InvalidArrayError", None),
        Error::Io { .. } => ("BrickworkIOError", None),
        _ => ("BrickworkError", None),
    };
    raise_named(py, class, err.to_string(), extra)
}

/// Runs `work` with the GIL released and turns its error into the matching Python exception.
///
/// A panic inside a codec (a bug: codecs must return errors) is caught here and raised as
/// `brickwork.errors.InternalError` instead of unwinding into the interpreter.
fn run_detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, Error> + Send,
{
    detach_catching(py, "a brickwork codec", work, to_pyerr)
}

/// Runs `work` with the GIL released; its error is raised through `convert`, and a panic (a bug in
/// `layer`) as `brickwork.errors.InternalError`, so nothing unwinds into the interpreter.
pub(crate) fn detach_catching<T, E, F>(
    py: Python<'_>,
    layer: &str,
    work: F,
    convert: impl FnOnce(Python<'_>, E) -> PyErr,
) -> PyResult<T>
where
    T: Send,
    E: Send,
    F: FnOnce() -> Result<T, E> + Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(work))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(convert(py, err)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            let message = format!("internal error in {layer} (please report it): {what}");
            Err(raise_named(py, "InternalError", message, None))
        }
    }
}

/// Builds an instance of the class `class` of `brickwork.errors` (or the import error, if that fails).
fn raise_named(py: Python<'_>, class: &str, message: String, codec_id: Option<String>) -> PyErr {
    let raised = (|| -> PyResult<PyErr> {
        let module = py.import("brickwork.errors")?;
        let cls = module.getattr(class)?;
        let value = match codec_id {
            Some(id) => cls.call1((message, id))?,
            None => cls.call1((message,))?,
        };
        Ok(PyErr::from_value(value))
    })();
    raised.unwrap_or_else(|import_error| import_error)
}

/// Encodes `view` into a new `bytes`: straight into it (then shrunk) for codecs that compress into a
/// caller's buffer (LZ4, Zstandard, Blosc), else by copying the encoded buffer.
fn encode_to_bytes<'py>(
    py: Python<'py>,
    codec: &dyn Codec,
    view: &ArrayView<'_>,
) -> PyResult<Bound<'py, PyBytes>> {
    if let Some(bound) = codec.encoded_bound(view).filter(|_| bytes::can_shrink()) {
        return bytes::new_shrunk(py, bound, |out| run_detached(py, || codec.encode_into(view, out)));
    }
    let encoded = run_detached(py, || codec.encode(view))?;
    Ok(PyBytes::new(py, &encoded))
}

/// `data` copied into a new `bytes` (huge-page hinted when large).
fn copy_to_bytes<'py>(py: Python<'py>, codec: &dyn Codec, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    bytes::new_exact(py, data.len(), |out| {
        brickwork::core::copy_to_uninit(codec.codec_id(), data, out).map_err(|e| to_pyerr(py, e))
    })
}

/// A codec built from a numcodecs config by brickwork's Rust registry.
#[pyclass(frozen, module = "brickwork._native")]
struct NativeCodec {
    inner: Box<dyn Codec>,
}

fn parse_config(py: Python<'_>, config_json: &str) -> PyResult<Config> {
    config::from_json(config_json).map_err(|e| to_pyerr(py, e))
}

#[pymethods]
impl NativeCodec {
    /// Builds the codec named by the config (a JSON text with an "id"). `threads` (Blosc only: the
    /// Python side's `brickwork.codecs.blosc.get_nthreads()`) sets `Blosc::with_threads`.
    #[new]
    #[pyo3(signature = (config_json, threads=None))]
    fn new(py: Python<'_>, config_json: &str, threads: Option<usize>) -> PyResult<Self> {
        use brickwork::codecs::compress::blosc::Blosc;
        use brickwork::core::StaticCodec;
        let config = parse_config(py, config_json)?;
        let inner: Box<dyn Codec> = match threads {
            Some(n) if config.get("id").and_then(|v| v.as_str()) == Some(Blosc::ID) => Box::new(
                Blosc::from_config(&config)
                    .map_err(|e| to_pyerr(py, e))?
                    .with_threads(n),
            ),
            _ => brickwork::codecs::get_codec(&config).map_err(|e| to_pyerr(py, e))?,
        };
        Ok(NativeCodec { inner })
    }

    /// The codec id.
    #[getter]
    fn codec_id(&self) -> &str {
        self.inner.codec_id()
    }

    /// The codec's config as a JSON text (numcodecs' keys, defaults and key order).
    fn config_json(&self) -> String {
        serde_json::to_string(&self.inner.config()).unwrap_or_default()
    }

    /// Encodes the bytes of an array given as a flat uint8 view of its memory, with its dtype, shape
    /// and order ("C" or "F"); returns bytes.
    fn encode<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray1<'py, u8>,
        dtype: &str,
        shape: Vec<usize>,
        order: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = data
            .as_slice()
            .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
        let dtype = DType::parse(dtype).map_err(|e| to_pyerr(py, e))?;
        let order = Order::parse(order).map_err(|e| to_pyerr(py, e))?;
        let view = ArrayView::new(bytes, dtype, shape, order).map_err(|e| to_pyerr(py, e))?;
        encode_to_bytes(py, &*self.inner, &view)
    }

    /// The byte codecs' fast path: encodes the memory of any object that numcodecs would read as the
    /// same bytes (see [`buffer::Contiguous`]), with its item size as the dtype (`|V<n>`: Blosc's
    /// typesize); `None` when the object is not taken, and the caller goes the general way.
    fn encode_buffer<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let Some(buffer) = buffer::Contiguous::of(obj) else {
            return Ok(None);
        };
        let data = buffer.bytes();
        let itemsize = buffer.itemsize();
        let view = if itemsize == 1 {
            ArrayView::from_bytes(data)
        } else {
            let dtype =
                DType::new(Kind::Void, itemsize, Endian::NotApplicable).map_err(|e| to_pyerr(py, e))?;
            ArrayView::new(data, dtype, vec![data.len() / itemsize], Order::C).map_err(|e| to_pyerr(py, e))?
        };
        encode_to_bytes(py, &*self.inner, &view).map(Some)
    }

    /// The byte codecs' fast path for decoding to a new `bytes` of at most `max_decoded_bytes`, from the
    /// memory of any object [`buffer::Contiguous`] takes (else `None`). When the header declares the
    /// decoded size, the codec writes straight into a `bytes` of that size (no intermediate buffer or
    /// copy); else the decoded buffer is copied into one.
    fn decode_buffer<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
        max_decoded_bytes: usize,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let Some(buffer) = buffer::Contiguous::of(obj) else {
            return Ok(None);
        };
        let input = buffer.bytes();
        let codec = &*self.inner;
        if let Some(size) = codec.declared_size(input).filter(|&n| n <= max_decoded_bytes) {
            let mut more_than_declared = false;
            let made = bytes::new_exact(py, size, |out| {
                match run_detached(py, || Ok(codec.decode_into_uninit(input, out)))? {
                    Ok(n) if n == size => Ok(n),
                    Ok(n) => {
                        let msg = format!("decoded {n} bytes, the header declared {size}");
                        Err(to_pyerr(py, Error::corrupt(codec.codec_id(), msg)))
                    }
                    Err(err @ Error::OutputSize { .. }) => {
                        // More data than the header's size (several zstd frames): decode below.
                        more_than_declared = true;
                        Err(to_pyerr(py, err))
                    }
                    Err(err) => Err(to_pyerr(py, err)),
                }
            });
            if !more_than_declared {
                return made.map(Some);
            }
        }
        let limits = Limits::new(max_decoded_bytes);
        let decoded = run_detached(py, || codec.decode(input, &limits))?;
        copy_to_bytes(py, codec, decoded.data()).map(Some)
    }

    /// Decodes into a new buffer of at most `max_decoded_bytes`; returns `(data, dtype, shape, order)`
    /// where data is `bytes` when `as_bytes` else a uint8 ndarray that owns the decoded memory.
    fn decode<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray1<'py, u8>,
        max_decoded_bytes: usize,
        as_bytes: bool,
    ) -> PyResult<(Bound<'py, PyAny>, String, Vec<usize>, &'static str)> {
        let bytes = data
            .as_slice()
            .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
        let codec = &*self.inner;
        let limits = Limits::new(max_decoded_bytes);
        let decoded = run_detached(py, || codec.decode(bytes, &limits))?;
        let dtype = decoded.dtype().to_string();
        let shape = decoded.shape().to_vec();
        let order = decoded.order().as_str();
        let out: Bound<'py, PyAny> = if as_bytes {
            copy_to_bytes(py, codec, decoded.data())?.into_any()
        } else {
            PyArray1::from_vec(py, decoded.into_data()).into_any()
        };
        Ok((out, dtype, shape, order))
    }

    /// The byte codecs' fast path for numcodecs' `decode(buf, out)`: decodes the memory of `obj` straight
    /// into the memory of `out` when [`buffer::Contiguous`] takes both (`out` writable, not overlapping
    /// the input, else a ValueError) and returns the bytes written; `None` when either is not taken.
    fn decode_buffer_into<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
        out: &Bound<'py, PyAny>,
    ) -> PyResult<Option<usize>> {
        let Some(input) = buffer::Contiguous::of(obj) else {
            return Ok(None);
        };
        let Some(mut target) = buffer::Contiguous::writable(out) else {
            return Ok(None);
        };
        let bytes = input.bytes();
        let Some(out) = target.bytes_mut(bytes) else {
            return Err(PyValueError::new_err(
                "out shares memory with the encoded input: decode into a separate buffer",
            ));
        };
        let codec = &*self.inner;
        run_detached(py, || codec.decode_into(bytes, out)).map(Some)
    }

    /// numcodecs' `decode(buf, out)`: decodes into a writable flat uint8 view; returns the bytes written.
    fn decode_into<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray1<'py, u8>,
        mut out: PyReadwriteArray1<'py, u8>,
    ) -> PyResult<usize> {
        let bytes = data
            .as_slice()
            .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
        let out = out
            .as_slice_mut()
            .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
        let codec = &*self.inner;
        run_detached(py, || codec.decode_into(bytes, out))
    }

    /// `(start, stop)` of the decoded bytes inside `data` for codecs whose output is a verified part of
    /// their input (checksums: numcodecs returns a view of the payload), else None.
    fn decoded_range<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray1<'py, u8>,
    ) -> PyResult<Option<(usize, usize)>> {
        let bytes = data
            .as_slice()
            .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
        let codec = &*self.inner;
        let range = run_detached(py, || codec.decoded_range(bytes).transpose())?;
        Ok(range.map(|r| (r.start, r.end)))
    }

    fn __repr__(&self) -> String {
        format!("NativeCodec({})", self.config_json())
    }
}

/// The codec ids the Rust registry can build, sorted.
#[pyfunction]
fn codec_ids() -> Vec<String> {
    brickwork::codecs::registry()
        .ids()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Codec ids numcodecs knows that brickwork deliberately leaves out, with the reason.
#[pyfunction]
fn unsupported_codecs() -> Vec<(&'static str, &'static str)> {
    brickwork::codecs::UNSUPPORTED.to_vec()
}

/// The default cap on decoded bytes.
#[pyfunction]
fn default_max_decoded_bytes() -> usize {
    brickwork::core::DEFAULT_MAX_DECODED_BYTES
}

/// numcodecs' incremental `checksum(data, value)` of the checksum codecs (`crc32`, `adler32`, `crc32c`,
/// `jenkins_lookup3` with `value` as its seed), over a flat uint8 view, with the GIL released.
#[pyfunction]
fn checksum(py: Python<'_>, codec_id: &str, data: PyReadonlyArray1<'_, u8>, value: u32) -> PyResult<u32> {
    let bytes = data
        .as_slice()
        .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
    let id = codec_id.to_owned();
    detach_catching(
        py,
        "checksum",
        move || {
            brickwork::codecs::checksum::checksum(&id, bytes, value).ok_or_else(|| Error::UnknownCodec {
                id: id.clone(),
                known: "adler32, crc32, crc32c, jenkins_lookup3".to_owned(),
            })
        },
        to_pyerr,
    )
}

/// Normalises a NumPy dtype spelling to `dtype.str` with brickwork's parser (for tests and shims).
#[pyfunction]
fn dtype_str(py: Python<'_>, spec: &str) -> PyResult<String> {
    DType::parse(spec)
        .map(|d| d.to_string())
        .map_err(|e| to_pyerr(py, e))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeCodec>()?;
    m.add_function(wrap_pyfunction!(codec_ids, m)?)?;
    m.add_function(wrap_pyfunction!(unsupported_codecs, m)?)?;
    m.add_function(wrap_pyfunction!(default_max_decoded_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(dtype_str, m)?)?;
    m.add_function(wrap_pyfunction!(checksum, m)?)?;
    m.add_function(wrap_pyfunction!(objects::encode_objects, m)?)?;
    m.add_function(wrap_pyfunction!(objects::decode_objects, m)?)?;
    m.add_function(wrap_pyfunction!(objects::takes_objects, m)?)?;
    m.add_function(wrap_pyfunction!(objects::encode_array, m)?)?;
    grid::register(m)?;
    media::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
