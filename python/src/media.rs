//! `brickwork._native.imwrite` / `imread`: imageio's v3 `imwrite(BytesIO(), data, extension=, plugin=)`
//! and `imread(BytesIO(data), extension=, plugin=)` on brickwork-media's Rust formats.
//!
//! Arrays cross as NumPy arrays: `imwrite` takes one array (any dtype brickwork-media writes, any memory
//! order, made C-contiguous first) or a list/tuple of frames (imageio's batch); `imread` returns one
//! ndarray (frames stacked, as imageio's `index=None`). The GIL is released while a format encodes or
//! decodes. Errors are raised as `brickwork.errors` classes: invalid media and unsupported
//! extensions/plugins/dtypes as `InvalidInputError` (a ValueError), undecodable bytes as `DecodeError`,
//! limits as `LimitError`, ffmpeg and I/O failures as `BrickworkIOError` (an OSError).

use brickwork::{ArrayBuf, ArrayView, DType, Order};
use brickwork_media::{EncodeOptions, Media, MediaData, MediaError, MediaLimits};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::{detach_catching, raise_named, to_pyerr};

/// Raises a media error as the matching `brickwork.errors` class.
fn media_err(py: Python<'_>, err: MediaError) -> PyErr {
    let class = match err {
        MediaError::Core(core) => return to_pyerr(py, core),
        MediaError::InvalidMedia(_) | MediaError::Unsupported { .. } | MediaError::Encode { .. } => {
            "InvalidInputError"
        }
        MediaError::Decode { .. } => "DecodeError",
        MediaError::LimitExceeded { .. } => "LimitError",
        MediaError::External { .. } | MediaError::Io(_) => "BrickworkIOError",
        _ => "BrickworkError",
    };
    raise_named(py, class, err.to_string(), None)
}

/// Runs media work with the GIL released; a panic becomes `brickwork.errors.InternalError`.
fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> Result<T, MediaError> + Send) -> PyResult<T> {
    detach_catching(py, "brickwork media", work, media_err)
}

/// One array-like as an owned C-order [`ArrayBuf`] (NumPy's `ascontiguousarray` first).
fn to_array(np: &Bound<'_, PyModule>, obj: &Bound<'_, PyAny>) -> PyResult<ArrayBuf> {
    let py = obj.py();
    let a = np.call_method1("ascontiguousarray", (obj,))?;
    let dtype: String = a.getattr("dtype")?.getattr("str")?.extract()?;
    let dtype = DType::parse(&dtype).map_err(|e| to_pyerr(py, e))?;
    let shape: Vec<usize> = a.getattr("shape")?.extract()?;
    let flat = a.call_method1("reshape", (-1,))?.call_method1("view", ("u1",))?;
    let flat: PyReadonlyArray1<'_, u8> = flat.extract()?;
    let bytes = flat
        .as_slice()
        .map_err(|e| to_pyerr(py, brickwork::Error::InvalidArray(e.to_string())))?
        .to_vec();
    ArrayBuf::new(bytes, dtype, shape, Order::C).map_err(|e| to_pyerr(py, e))
}

/// imageio's `imwrite(BytesIO(), data, extension=extension, plugin=plugin)`: the file's bytes.
#[pyfunction]
#[pyo3(signature = (data, *, extension=None, plugin=None))]
pub fn imwrite<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    extension: Option<String>,
    plugin: Option<String>,
) -> PyResult<Bound<'py, PyBytes>> {
    let np = py.import("numpy")?;
    if !(data.is_instance_of::<PyList>() || data.is_instance_of::<PyTuple>()) {
        // One array: encoded from NumPy's memory in place (no copy into Rust first), as the codecs'
        // `encode` does; the read-only borrow keeps Rust from aliasing it mutably meanwhile.
        let a = np.call_method1("ascontiguousarray", (data,))?;
        let dtype: String = a.getattr("dtype")?.getattr("str")?.extract()?;
        let dtype = DType::parse(&dtype).map_err(|e| to_pyerr(py, e))?;
        let shape: Vec<usize> = a.getattr("shape")?.extract()?;
        let flat = a.call_method1("reshape", (-1,))?.call_method1("view", ("u1",))?;
        let flat: PyReadonlyArray1<'_, u8> = flat.extract()?;
        let slice = flat
            .as_slice()
            .map_err(|e| to_pyerr(py, brickwork::Error::InvalidArray(e.to_string())))?;
        let view = ArrayView::new(slice, dtype, shape, Order::C).map_err(|e| to_pyerr(py, e))?;
        let bytes = detached(py, || {
            brickwork_media::write_view(
                &view,
                extension.as_deref(),
                plugin.as_deref(),
                &EncodeOptions::default(),
            )
        })?;
        return Ok(PyBytes::new(py, &bytes));
    }
    let frames = data
        .try_iter()?
        .map(|item| to_array(&np, &item?))
        .collect::<PyResult<Vec<_>>>()?;
    let media = Media::new(MediaData::Frames(frames), extension, plugin).map_err(|e| media_err(py, e))?;
    let bytes = detached(py, || brickwork_media::write(&media))?;
    Ok(PyBytes::new(py, &bytes))
}

/// imageio's `imread(BytesIO(data), extension=extension, plugin=plugin)` (`index=None`): one ndarray.
#[pyfunction]
#[pyo3(signature = (data, *, extension=None, plugin=None))]
pub fn imread<'py>(
    py: Python<'py>,
    data: &[u8],
    extension: Option<String>,
    plugin: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let limits = MediaLimits::default();
    let decoded = detached(py, || {
        brickwork_media::read(data, extension.as_deref(), plugin.as_deref(), &limits)
    })?;
    let dtype = decoded.dtype().to_string();
    let shape = decoded.shape().to_vec();
    let flat = PyArray1::from_vec(py, decoded.into_data());
    flat.call_method1("view", (dtype,))?
        .call_method1("reshape", (PyTuple::new(py, shape)?,))
}

/// Sets the ffmpeg program the video formats run when the environment variable `BRICKWORK_FFMPEG` is
/// not set (`None`: `ffmpeg` on the PATH). `brickwork.media` sets imageio-ffmpeg's binary when it is
/// installed, before its first video.
#[pyfunction]
pub fn set_ffmpeg(program: Option<std::path::PathBuf>) {
    brickwork_media::format::video::set_default_ffmpeg(program.map(std::path::PathBuf::into_os_string));
}

/// Adds `imwrite`, `imread` and `set_ffmpeg` to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_ffmpeg, m)?)?;
    m.add_function(wrap_pyfunction!(imwrite, m)?)?;
    m.add_function(wrap_pyfunction!(imread, m)?)?;
    Ok(())
}
