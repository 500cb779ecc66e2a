//! `bytes` objects written in place: an encoder compresses straight into a `bytes` of its worst-case
//! size, which is then shrunk to the real size, so the output is never copied (numcodecs' LZ4 and Zstd
//! do the same). Shrinking needs CPython's `_PyBytes_Resize`, which is outside the stable ABI this abi3
//! module is built for; every CPython 3 exports it, so it is looked up at run time, and when it is
//! missing the caller falls back to encoding into Rust memory and copying. Decoders likewise write
//! straight into a `bytes` of the size the header declared ([`new_exact`]), never zero-filling it first.

use std::ffi::c_int;
use std::mem::MaybeUninit;
use std::sync::OnceLock;

use pyo3::exceptions::{PyOverflowError, PyRuntimeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// `int _PyBytes_Resize(PyObject **pv, Py_ssize_t newsize)` (CPython's Objects/bytesobject.c).
type BytesResize = unsafe extern "C" fn(*mut *mut ffi::PyObject, ffi::Py_ssize_t) -> c_int;

/// CPython's `_PyBytes_Resize`, if the running interpreter exports it.
fn bytes_resize() -> Option<BytesResize> {
    static RESIZE: OnceLock<Option<BytesResize>> = OnceLock::new();
    *RESIZE.get_or_init(|| {
        #[cfg(unix)]
        {
            // SAFETY: dlsym only reads the loaded objects' symbol tables; the name is NUL-terminated.
            let address = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"_PyBytes_Resize".as_ptr()) };
            if address.is_null() {
                return None;
            }
            // SAFETY: the symbol is CPython's exported `_PyBytes_Resize`, whose C signature is
            // `BytesResize` in every CPython 3 release.
            Some(unsafe { std::mem::transmute::<*mut std::ffi::c_void, BytesResize>(address) })
        }
        #[cfg(not(unix))]
        {
            None
        }
    })
}

/// Whether [`new_shrunk`] can be used in this interpreter.
pub(crate) fn can_shrink() -> bool {
    bytes_resize().is_some()
}

/// A new, uninitialised `bytes` of `len` >= 2 bytes (so that CPython makes a fresh object rather than
/// returning a shared 0- or 1-byte one) and its buffer. Callers initialise every byte they let Python
/// see and do not use the slice after giving the object away.
fn new_uninit<'py>(py: Python<'py>, len: usize) -> PyResult<(Bound<'py, PyAny>, &'py mut [MaybeUninit<u8>])> {
    let len = len.max(2);
    let length = ffi::Py_ssize_t::try_from(len)
        .map_err(|_| PyOverflowError::new_err("size does not fit Py_ssize_t"))?;
    // SAFETY: a NULL source asks CPython for a new bytes object of `length` uninitialised bytes.
    let object = unsafe { ffi::PyBytes_FromStringAndSize(std::ptr::null(), length) };
    // SAFETY: a NULL result has set a Python exception (MemoryError); otherwise we own the new
    // reference, which Bound releases when dropped (also on the callers' error paths).
    let bytes = unsafe { Bound::from_owned_ptr_or_err(py, object)? };
    // SAFETY: `object` is a new bytes object of `len` >= 2 bytes, so not a shared singleton, that
    // nothing else can see yet; PyBytes_AsString returns its buffer, valid while the object lives.
    // MaybeUninit<u8> has no validity requirement, so the slice is sound to create.
    let buffer = unsafe {
        std::slice::from_raw_parts_mut(ffi::PyBytes_AsString(object).cast::<MaybeUninit<u8>>(), len)
    };
    brickwork::core::alloc::hint_huge_pages(buffer.as_mut_ptr().cast(), len);
    Ok((bytes, buffer))
}

/// A new `bytes` of exactly `len` bytes written in place by `write`, which gets uninitialised memory
/// and returns how many bytes it wrote; any count but `len` is an error (and the object is dropped).
pub(crate) fn new_exact<'py>(
    py: Python<'py>,
    len: usize,
    write: impl FnOnce(&mut [MaybeUninit<u8>]) -> PyResult<usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    let wrong = |written: usize| PyRuntimeError::new_err(format!("wrote {written} bytes, expected {len}"));
    if len < 2 {
        // CPython shares its 0- and 1-byte objects: decode on the stack and copy.
        let mut small = [MaybeUninit::new(0u8); 1];
        let written = write(&mut small[..len])?;
        if written != len {
            return Err(wrong(written));
        }
        // SAFETY: `small` was initialised when it was created.
        let small = small.map(|b| unsafe { b.assume_init() });
        return Ok(PyBytes::new(py, &small[..len]));
    }
    let (bytes, buffer) = new_uninit(py, len)?;
    let written = write(buffer)?;
    if written != len {
        return Err(wrong(written));
    }
    // `write` initialised all `len` bytes.
    Ok(bytes.cast_into()?)
}

/// A new `bytearray` of exactly `len` bytes written in place by `write`, as [`new_exact`].
pub(crate) fn new_bytearray_exact<'py>(
    py: Python<'py>,
    len: usize,
    write: impl FnOnce(&mut [MaybeUninit<u8>]) -> PyResult<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let length = ffi::Py_ssize_t::try_from(len)
        .map_err(|_| PyOverflowError::new_err("size does not fit Py_ssize_t"))?;
    // SAFETY: a NULL source asks CPython for a new bytearray of `length` uninitialised bytes (a
    // bytearray is never shared, whatever its size).
    let object = unsafe { ffi::PyByteArray_FromStringAndSize(std::ptr::null(), length) };
    // SAFETY: a NULL result has set a Python exception; otherwise we own the new reference.
    let array = unsafe { Bound::from_owned_ptr_or_err(py, object)? };
    let buffer: &mut [MaybeUninit<u8>] = if len == 0 {
        &mut []
    } else {
        // SAFETY: the new bytearray's buffer holds `len` bytes and nothing else can see the object
        // yet; MaybeUninit<u8> has no validity requirement.
        unsafe {
            std::slice::from_raw_parts_mut(ffi::PyByteArray_AsString(object).cast::<MaybeUninit<u8>>(), len)
        }
    };
    brickwork::core::alloc::hint_huge_pages(buffer.as_mut_ptr().cast(), len);
    let written = write(buffer)?;
    if written != len {
        return Err(PyRuntimeError::new_err(format!(
            "wrote {written} bytes, expected {len}"
        )));
    }
    // `write` initialised all `len` bytes.
    Ok(array)
}

/// A new `bytes` of `capacity` bytes, filled by `write` (which gets uninitialised memory and returns
/// how many leading bytes it wrote, at most `capacity`) and then shrunk to that length. Call only
/// when [`can_shrink`] is true; otherwise this returns an error without calling `write`.
pub(crate) fn new_shrunk<'py>(
    py: Python<'py>,
    capacity: usize,
    write: impl FnOnce(&mut [MaybeUninit<u8>]) -> PyResult<usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    let resize =
        bytes_resize().ok_or_else(|| PyRuntimeError::new_err("this Python has no _PyBytes_Resize"))?;
    let capacity = capacity.max(2);
    let (bytes, buffer) = new_uninit(py, capacity)?;
    let written = write(buffer)?;
    if written > capacity {
        return Err(PyRuntimeError::new_err(format!(
            "an encoder reported {written} bytes in a {capacity}-byte buffer"
        )));
    }
    if written == capacity {
        // `write` initialised all `capacity` bytes.
        return Ok(bytes.cast_into()?);
    }
    let size = ffi::Py_ssize_t::try_from(written)
        .map_err(|_| PyOverflowError::new_err("encoded size does not fit Py_ssize_t"))?;
    let mut object = bytes.into_ptr();
    // SAFETY: `object` is the fresh bytes object from new_uninit (>= 2 bytes, so not shared) whose one
    // reference we own (nothing else has seen it), as _PyBytes_Resize requires. It shrinks the object
    // to its `written` initialised bytes (possibly moving it) and stores the new pointer, or frees it,
    // stores NULL and sets a Python exception.
    let status = unsafe { resize(&mut object, size) };
    if status != 0 || object.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: on success `object` is a valid bytes object whose one reference we own.
    Ok(unsafe { Bound::from_owned_ptr(py, object).cast_into_unchecked() })
}
