//! `brickwork._native`: the bridge from Python to brickwork's Rust codecs.
//!
//! One generic class, [`NativeCodec`], wraps any codec the Rust registry can build, so every codec added
//! in Rust is usable from Python without glue of its own. The Python shims (`brickwork/codecs/`) hand it
//! arrays as flat `uint8` views of their memory (zero-copy) plus the dtype string, shape and order, and
//! turn its results into what numcodecs returns. The GIL is released while a codec runs. Errors are
//! raised as the classes of `brickwork.errors`, which derive from the builtins numcodecs raises.

use brickwork::core::config::{self, Config};
use brickwork::{ArrayView, Codec, DType, Error, Limits, Order};
use numpy::{PyArray1, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

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
    let message = err.to_string();
    let raised = (|| -> PyResult<PyErr> {
        let module = py.import("brickwork.errors")?;
        let cls = module.getattr(class)?;
        let value = match extra {
            Some(id) => cls.call1((message.clone(), id))?,
            None => cls.call1((message.clone(),))?,
        };
        Ok(PyErr::from_value(value))
    })();
    raised.unwrap_or_else(|import_error| import_error)
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
    /// Builds the codec named by the config (a JSON text with an "id").
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        let config = parse_config(py, config_json)?;
        let inner = brickwork::codecs::get_codec(&config).map_err(|e| to_pyerr(py, e))?;
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
        let codec = &*self.inner;
        let encoded = py.detach(|| codec.encode(&view)).map_err(|e| to_pyerr(py, e))?;
        Ok(PyBytes::new(py, &encoded))
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
        let decoded = py
            .detach(|| codec.decode(bytes, &limits))
            .map_err(|e| to_pyerr(py, e))?;
        let dtype = decoded.dtype().to_string();
        let shape = decoded.shape().to_vec();
        let order = decoded.order().as_str();
        let out: Bound<'py, PyAny> = if as_bytes {
            PyBytes::new(py, decoded.data()).into_any()
        } else {
            PyArray1::from_vec(py, decoded.into_data()).into_any()
        };
        Ok((out, dtype, shape, order))
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
        py.detach(|| codec.decode_into(bytes, out))
            .map_err(|e| to_pyerr(py, e))
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
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
