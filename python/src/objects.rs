//! Object arrays across the bridge: NumPy `dtype=object` arrays ↔ [`ObjectArray`].
//!
//! numcodecs' object codecs (`vlen-utf8`, `vlen-bytes`, `vlen-array`, `json2`, `msgpack2`, `categorize`
//! with `dtype='|O'`, and pipelines starting with one of them) take arrays of Python objects. The Python
//! shims pass the elements as a list in **memory order** with the array's shape and order; this module
//! converts them (holding the GIL) to the typed item lists of [`ObjectItems`], runs the codec with the GIL
//! released, and converts decoded items back into a NumPy object array (holding the GIL again). It also
//! has [`encode_array`], the typed encode returning an ndarray (for the filters).
//!
//! Item classification (as `brickwork_core::object` documents it): every element `str` or `None` (and at
//! least one `str`) → [`ObjectItems::Str`]; `bytes`/`None` → [`ObjectItems::Bytes`]; 1-D ndarrays of one
//! dtype/`None` → [`ObjectItems::Arrays`]; anything else → [`ObjectItems::Values`] (`None`, `bool`,
//! `int`, `float`, `str`, `bytes`, `list`/`tuple`, `dict`, NumPy scalars via `.item()`, ndarrays via
//! `.tolist()`). Other objects are refused with a `TypeError`-derived error, as Python's `json` and
//! `msgpack` refuse them.
//!
//! Fast paths (no copy per item): when every element is `None`, `str`, `bytes` or (with an
//! `array_dtype`) a C-contiguous 1-D ndarray of that dtype, the codec's `ObjectCodec::encode_items`
//! gets them borrowed ([`ItemRef`]: CPython's cached UTF-8 of each `str`, each `bytes`' buffer, each
//! array's memory), holding the GIL. Decoding first offers the codec a [`PySink`]
//! (`ObjectCodec::decode_items`), which creates each Python object straight from the encoded bytes;
//! codecs or data without a direct path take the owned [`ObjectArray`] route above.

use brickwork::codecs::text::utf32;
use brickwork::core::object::{
    Decoded, ItemRef, ItemSink, ItemsRef, ObjectArray, ObjectCodec, ObjectItems, OutBuf, Value,
};
use brickwork::{ArrayView, DType, Error, Limits, Order};
use numpy::prelude::*;
use numpy::{PyArray1, PyArrayDescr, PyReadonlyArray1, PyUntypedArray};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::{run_detached, to_pyerr, NativeCodec};

/// Deepest nesting of lists/dicts converted (deeper input is refused rather than overflowing the stack).
const MAX_DEPTH: usize = 512;

/// The object-codec side of a native codec, or the error numcodecs-style code expects.
fn object_codec<'a>(py: Python<'_>, codec: &'a NativeCodec) -> PyResult<&'a dyn ObjectCodec> {
    codec.inner.as_object_codec().ok_or_else(|| {
        to_pyerr(
            py,
            Error::invalid_input(
                codec.inner.codec_id(),
                "this codec does not take object ('|O') arrays; pass a typed array",
            ),
        )
    })
}

fn type_error(what: &Bound<'_, PyAny>, context: &str) -> PyErr {
    let name = what
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    PyTypeError::new_err(format!("Object of type {name} is not supported {context}"))
}

/// One Python object as a general [`Value`].
fn to_value(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyTypeError::new_err(format!(
            "object nesting deeper than {MAX_DEPTH} levels is not supported"
        )));
    }
    if obj.is_none() {
        return Ok(Value::None);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::Str(s.to_str()?.to_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Value::Bytes(b.as_bytes().to_vec()));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Value::Float(obj.extract::<f64>()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<i128>() {
            Ok(i) => Ok(Value::Int(i)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "integer {} is out of the supported range (-2**127 .. 2**127-1)",
                obj.repr()?
            ))),
        };
    }
    if let Ok(list) = obj.cast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for item in list.iter() {
            out.push(to_value(&item, depth + 1)?);
        }
        return Ok(Value::List(out));
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(tuple.len());
        for item in tuple.iter() {
            out.push(to_value(&item, depth + 1)?);
        }
        return Ok(Value::List(out));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut out = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            out.push((to_value(&k, depth + 1)?, to_value(&v, depth + 1)?));
        }
        return Ok(Value::Dict(out));
    }
    // NumPy scalars (np.int64, np.bool_, np.float32, np.str_ handled above) and arrays.
    let numpy = obj.py().import("numpy")?;
    if obj.is_instance(&numpy.getattr("generic")?)? {
        let item = obj.call_method0("item")?;
        if !item.is(obj) {
            return to_value(&item, depth + 1);
        }
    }
    if obj.is_instance(&numpy.getattr("ndarray")?)? {
        return to_value(&obj.call_method0("tolist")?, depth + 1);
    }
    Err(type_error(obj, "in an object array"))
}

/// A 1-D ndarray item's dtype string and bytes, or `None` when `obj` is not one.
fn array_item(obj: &Bound<'_, PyAny>, ndarray: &Bound<'_, PyAny>) -> PyResult<Option<(String, Vec<u8>)>> {
    if !obj.is_instance(ndarray)? || obj.getattr("ndim")?.extract::<usize>()? != 1 {
        return Ok(None);
    }
    let dtype: String = obj.getattr("dtype")?.getattr("str")?.extract()?;
    let bytes = obj.call_method0("tobytes")?;
    let bytes = bytes.cast::<PyBytes>()?.as_bytes().to_vec();
    Ok(Some((dtype, bytes)))
}

/// The elements (memory order) as the narrowest [`ObjectItems`] variant that holds them.
fn to_items(py: Python<'_>, elements: &Elements<'_>) -> PyResult<ObjectItems> {
    let n = elements.len();
    let (mut strs, mut bytes, mut arrays, mut nones) = (0usize, 0usize, 0usize, 0usize);
    let ndarray = py.import("numpy")?.getattr("ndarray")?;
    for item in elements.iter() {
        if item.is_none() {
            nones += 1;
        } else if item.is_instance_of::<PyString>() {
            strs += 1;
        } else if item.is_instance_of::<PyBytes>() {
            bytes += 1;
        } else if item.is_instance(&ndarray)? {
            arrays += 1;
        }
    }
    if strs > 0 && strs + nones == n {
        let mut out = Vec::with_capacity(n);
        for item in elements.iter() {
            out.push(match item.cast::<PyString>() {
                Ok(s) => Some(s.to_str()?.to_owned()),
                Err(_) => None,
            });
        }
        return Ok(ObjectItems::Str(out));
    }
    if bytes > 0 && bytes + nones == n {
        let mut out = Vec::with_capacity(n);
        for item in elements.iter() {
            out.push(item.cast::<PyBytes>().ok().map(|b| b.as_bytes().to_vec()));
        }
        return Ok(ObjectItems::Bytes(out));
    }
    if arrays > 0 && arrays + nones == n {
        let mut dtype: Option<String> = None;
        let mut out = Vec::with_capacity(n);
        let mut uniform = true;
        for item in elements.iter() {
            if item.is_none() {
                out.push(None);
                continue;
            }
            match array_item(item, &ndarray)? {
                Some((d, b)) if dtype.as_ref().is_none_or(|known| *known == d) => {
                    dtype = Some(d);
                    out.push(Some(b));
                }
                _ => {
                    uniform = false;
                    break;
                }
            }
        }
        if let (true, Some(d)) = (uniform, dtype) {
            if let Ok(dtype) = DType::parse(&d) {
                return Ok(ObjectItems::Arrays { dtype, items: out });
            }
        }
    }
    let mut out = Vec::with_capacity(n);
    for item in elements.iter() {
        out.push(to_value(item, 0)?);
    }
    Ok(ObjectItems::Values(out))
}

/// A [`Value`] as a Python object.
fn from_value<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::None => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(x) => PyFloat::new(py, *x).into_any(),
        Value::Str(s) => PyString::new(py, s).into_any(),
        Value::Bytes(b) => PyBytes::new(py, b).into_any(),
        Value::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_value(py, item)?)?;
            }
            list.into_any()
        }
        Value::Dict(entries) => {
            let dict = PyDict::new(py);
            for (k, v) in entries {
                dict.set_item(from_value(py, k)?, from_value(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Decoded items as Python objects, in the array's order.
pub(crate) fn from_items(py: Python<'_>, items: ObjectItems) -> PyResult<Vec<Py<PyAny>>> {
    let mut wide = Vec::new();
    Ok(match items {
        ObjectItems::Str(v) => v
            .into_iter()
            .map(|s| match s {
                Some(s) => new_str(py, s.as_bytes(), &mut wide)
                    .unwrap_or_else(|| unreachable_utf8(py))
                    .map(Bound::unbind),
                None => Ok(py.None()),
            })
            .collect::<PyResult<_>>()?,
        ObjectItems::Bytes(v) => v
            .into_iter()
            .map(|b| match b {
                Some(b) => PyBytes::new(py, &b).into_any().unbind(),
                None => py.None(),
            })
            .collect(),
        ObjectItems::Arrays { dtype, items } => {
            let np_dtype = py
                .import("numpy")?
                .getattr("dtype")?
                .call1((dtype.to_string(),))?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(match item {
                    Some(b) => PyArray1::from_vec(py, b)
                        .call_method1("view", (&np_dtype,))?
                        .unbind(),
                    None => py.None(),
                });
            }
            out
        }
        ObjectItems::Values(v) => {
            let mut out = Vec::with_capacity(v.len());
            for value in &v {
                out.push(from_value(py, value)?.unbind());
            }
            out
        }
    })
}

/// The elements of an object array: a contiguous 1-D object ndarray read in place, or (a list, a
/// strided ndarray) the objects collected.
struct Elements<'py> {
    py: Python<'py>,
    array: Option<PyReadonlyArray1<'py, Py<PyAny>>>,
    owned: Vec<Bound<'py, PyAny>>,
}

impl<'py> Elements<'py> {
    fn of(elements: &Bound<'py, PyAny>) -> PyResult<Self> {
        let py = elements.py();
        if let Ok(list) = elements.cast::<PyList>() {
            let owned = list.iter().collect();
            return Ok(Elements {
                py,
                array: None,
                owned,
            });
        }
        let array: PyReadonlyArray1<'py, Py<PyAny>> = elements.extract()?;
        if array.as_slice().is_ok() {
            return Ok(Elements {
                py,
                array: Some(array),
                owned: Vec::new(),
            });
        }
        let owned = array.as_array().iter().map(|o| o.bind(py).clone()).collect();
        Ok(Elements {
            py,
            array: None,
            owned,
        })
    }

    fn len(&self) -> usize {
        match self.array.as_ref().and_then(|a| a.as_slice().ok()) {
            Some(items) => items.len(),
            None => self.owned.len(),
        }
    }

    /// The elements, in order.
    fn iter(&self) -> Box<dyn Iterator<Item = &Bound<'py, PyAny>> + '_> {
        let py = self.py;
        match self.array.as_ref().and_then(|a| a.as_slice().ok()) {
            Some(items) => Box::new(items.iter().map(move |o| o.bind(py))),
            None => Box::new(self.owned.iter()),
        }
    }
}

/// The memory of a C-contiguous 1-D ndarray item whose dtype is equivalent to `descr`, or `None`.
fn array_memory<'a>(item: &'a Bound<'_, PyAny>, descr: &Bound<'_, PyArrayDescr>) -> Option<&'a [u8]> {
    let array = item.cast::<PyUntypedArray>().ok()?;
    if array.ndim() != 1 || !array.is_c_contiguous() || !array.dtype().is_equiv_to(descr) {
        return None;
    }
    let len = array.len().checked_mul(descr.itemsize())?;
    if len == 0 {
        return Some(&[]);
    }
    // SAFETY: `array` is a live, C-contiguous 1-D ndarray (checked above) whose `data` field points at
    // `len` = shape[0] * itemsize bytes of its memory. The returned slice borrows `item`, which keeps the
    // array alive, and is only used while the GIL is held (encode_items runs attached). As for every C
    // extension reading NumPy memory (module docs of grid.rs), another thread writing the array at the
    // same time through GIL-released NumPy code yields unspecified values, never unsafety here.
    unsafe {
        let data = (*array.as_array_ptr()).fields.data as *const u8;
        Some(std::slice::from_raw_parts(data, len))
    }
}

/// Every element borrowed as an [`ItemRef`], or `None` when one is of another kind (or an array item
/// is not a C-contiguous 1-D array of `array_dtype`).
fn borrow_items<'a>(
    elements: &'a Elements<'_>,
    array_dtype: Option<&(DType, Bound<'_, PyArrayDescr>)>,
) -> PyResult<Option<Vec<ItemRef<'a>>>> {
    let mut out = Vec::with_capacity(elements.len());
    for item in elements.iter() {
        out.push(if item.is_none() {
            ItemRef::None
        } else if let Ok(s) = item.cast_exact::<PyString>() {
            ItemRef::Str(s.to_str()?)
        } else if let Ok(b) = item.cast_exact::<PyBytes>() {
            ItemRef::Bytes(b.as_bytes())
        } else if let Ok(s) = item.cast::<PyString>() {
            ItemRef::Str(s.to_str()?)
        } else if let Ok(b) = item.cast::<PyBytes>() {
            ItemRef::Bytes(b.as_bytes())
        } else if let Some((_, descr)) = array_dtype {
            match array_memory(item, descr) {
                Some(memory) => ItemRef::Array(memory),
                None => return Ok(None),
            }
        } else {
            return Ok(None);
        });
    }
    Ok(Some(out))
}

/// `encoded` as a new `bytes`, or `bytearray` when `bytearray`.
fn output<'py>(py: Python<'py>, encoded: &[u8], bytearray: bool) -> Bound<'py, PyAny> {
    if bytearray {
        PyByteArray::new(py, encoded).into_any()
    } else {
        PyBytes::new(py, encoded).into_any()
    }
}

/// Encodes an object array given as its elements in memory order (a list or a 1-D object ndarray),
/// its shape and order ("C"/"F"); returns `bytes` (a `bytearray` with `bytearray`). Elements the
/// codec can take borrowed ([`ItemRef`]; 1-D ndarray items only with `array_dtype`) are encoded
/// without copying them, straight into the new object (`ObjectCodec::encoded_items_estimate` and
/// `encode_items_uninit`, else `encoded_items_len` and `encode_items_into`); otherwise, unless `direct_only` (which then returns `None`), they are
/// converted to an owned [`ObjectArray`].
#[pyfunction]
#[pyo3(signature = (codec, elements, shape, order, bytearray=false, array_dtype=None, direct_only=false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode_objects<'py>(
    py: Python<'py>,
    codec: &Bound<'py, NativeCodec>,
    elements: &Bound<'py, PyAny>,
    shape: Vec<usize>,
    order: &str,
    bytearray: bool,
    array_dtype: Option<&str>,
    direct_only: bool,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let native = codec.get();
    let object_codec = object_codec(py, native)?;
    let order = Order::parse(order).map_err(|e| to_pyerr(py, e))?;
    let elements = Elements::of(elements)?;
    let array_dtype = match array_dtype {
        Some(d) => {
            let dtype = DType::parse(d).map_err(|e| to_pyerr(py, e))?;
            let descr = py.import("numpy")?.getattr("dtype")?.call1((d,))?;
            Some((dtype, descr.cast_into::<PyArrayDescr>()?))
        }
        None => None,
    };
    let counts_match = brickwork::core::element_count(&shape).ok() == Some(elements.len());
    if counts_match {
        if let Some(items) = borrow_items(&elements, array_dtype.as_ref())? {
            let view = ItemsRef {
                items: &items,
                shape: &shape,
                order,
                array_dtype: array_dtype.as_ref().map(|(d, _)| *d),
            };
            // One pass into an over-sized `bytes`, shrunk after, for codecs whose exact size
            // costs a pass of its own (json2); when the items do not fit, the exact path below.
            if !bytearray && crate::bytes::can_shrink() {
                if let Some(estimate) = object_codec.encoded_items_estimate(view) {
                    let mut fitted = true;
                    let made = crate::bytes::new_shrunk(py, estimate, |buf| {
                        let mut out = OutBuf::new(buf);
                        object_codec
                            .encode_items_into(view, &mut out)
                            .map_err(|e| to_pyerr(py, e))?;
                        fitted = !out.overflowed();
                        Ok(out.written().unwrap_or(0))
                    })?;
                    if fitted {
                        return Ok(Some(made.into_any()));
                    }
                }
            }
            if let Some(len) = object_codec.encoded_items_len(view) {
                let len = len.map_err(|e| to_pyerr(py, e))?;
                let write = |out: &mut OutBuf<'_>| -> PyResult<usize> {
                    object_codec
                        .encode_items_into(view, out)
                        .map_err(|e| to_pyerr(py, e))?;
                    out.written().ok_or_else(|| {
                        let msg = format!("the encoding outgrew its computed size of {len} bytes");
                        to_pyerr(py, Error::invalid_input(native.inner.codec_id(), msg))
                    })
                };
                // Written straight into the new, uninitialised Python object.
                return Ok(Some(if bytearray {
                    crate::bytes::new_bytearray_exact(py, len, |buf| write(&mut OutBuf::new(buf)))?
                } else {
                    crate::bytes::new_exact(py, len, |buf| write(&mut OutBuf::new(buf)))?.into_any()
                }));
            }
        }
    }
    if direct_only {
        return Ok(None);
    }
    let items = to_items(py, &elements)?;
    drop(elements);
    let array = ObjectArray::new(items, shape, order).map_err(|e| to_pyerr(py, e))?;
    let encoded = run_detached(py, || object_codec.encode_objects(&array))?;
    Ok(Some(output(py, &encoded, bytearray)))
}

/// A new 1-D array of `dtype` holding `b` (a whole number of items), built in one step for the
/// native-order integer and float dtypes; `None` for other dtypes.
fn native_array<'py>(py: Python<'py>, dtype: DType, b: &[u8]) -> Option<Bound<'py, PyAny>> {
    use brickwork::core::{Endian, Kind};
    macro_rules! from_bytes {
        ($t:ty) => {{
            const N: usize = std::mem::size_of::<$t>();
            let items = b
                .chunks_exact(N)
                .map(|c| <$t>::from_ne_bytes(c.try_into().unwrap_or([0; N])));
            Some(PyArray1::<$t>::from_iter(py, items).into_any())
        }};
    }
    let native = match dtype.endian() {
        Endian::Little => cfg!(target_endian = "little"),
        Endian::Big => cfg!(target_endian = "big"),
        Endian::NotApplicable => true,
    };
    if !native {
        return None;
    }
    match (dtype.kind(), dtype.itemsize()) {
        (Kind::Int, 1) => from_bytes!(i8),
        (Kind::Int, 2) => from_bytes!(i16),
        (Kind::Int, 4) => from_bytes!(i32),
        (Kind::Int, 8) => from_bytes!(i64),
        (Kind::UInt, 1) => from_bytes!(u8),
        (Kind::UInt, 2) => from_bytes!(u16),
        (Kind::UInt, 4) => from_bytes!(u32),
        (Kind::UInt, 8) => from_bytes!(u64),
        (Kind::Float, 4) => from_bytes!(f32),
        (Kind::Float, 8) => from_bytes!(f64),
        _ => None,
    }
}

/// An [`ItemSink`] creating the Python objects of a decoded object array.
struct PySink<'py> {
    py: Python<'py>,
    items: Vec<Py<PyAny>>,
    /// The Python error behind a failed call (the codec gets a placeholder error).
    error: Option<PyErr>,
    /// `numpy.dtype` of the last array item's dtype.
    np_dtype: Option<(DType, Bound<'py, PyAny>)>,
    /// Code points of the last non-ASCII string (see [`new_str`]).
    wide: Vec<u32>,
}

/// The error for a Rust `str` that [`new_str`] did not take as UTF-8 (a bug: both follow the same rules).
fn unreachable_utf8<'py>(_py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
    Err(pyo3::exceptions::PyRuntimeError::new_err(
        "brickwork: a decoded str was rejected as UTF-8 (please report this)",
    ))
}

/// A new `str` of the UTF-8 `b`, or `None` when `b` is not strict UTF-8 (where CPython's decoder raises
/// `UnicodeDecodeError`).
///
/// ASCII text goes through `PyUnicode_FromStringAndSize`, whose ASCII path is one allocation and a copy.
/// Other text would take CPython's general UTF-8 decoder, which starts from an ASCII buffer and widens and
/// reallocates it as it meets wider characters, then shrinks it to fit. Instead the text is decoded here
/// in one pass into code points (`text::utf32`, the same strict rules) and handed over as `wchar_t`s,
/// which on Linux and macOS are UTF-32: `PyUnicode_FromWideChar` (stable ABI) finds the widest,
/// allocates the `str` once at that width and copies. Same `str` either way.
fn new_str<'py>(py: Python<'py>, b: &[u8], wide: &mut Vec<u32>) -> Option<PyResult<Bound<'py, PyAny>>> {
    if b.is_ascii() {
        return Some(PyString::from_bytes(py, b).map(Bound::into_any));
    }
    if std::mem::size_of::<libc::wchar_t>() != 4 {
        std::str::from_utf8(b).ok()?;
        return Some(PyString::from_bytes(py, b).map(Bound::into_any));
    }
    if !utf32::utf8_to_utf32(b, wide) {
        return None;
    }
    Some(str_of_code_points(py, wide))
}

/// A new `str` of Unicode scalar values: `PyUnicode_FromWideChar` where `wchar_t` is UTF-32 (Linux,
/// macOS; see [`new_str`]), else through UTF-8.
fn str_of_code_points<'py>(py: Python<'py>, cps: &[u32]) -> PyResult<Bound<'py, PyAny>> {
    if std::mem::size_of::<libc::wchar_t>() != 4 {
        let s: String = cps.iter().filter_map(|&c| char::from_u32(c)).collect();
        return PyString::from_bytes(py, s.as_bytes()).map(Bound::into_any);
    }
    let length = pyo3::ffi::Py_ssize_t::try_from(cps.len()).unwrap_or(pyo3::ffi::Py_ssize_t::MAX);
    // SAFETY: `cps` holds `length` Unicode scalar values (the callers' guarantee), each fitting a 4-byte
    // wchar_t (checked above) unchanged; the call copies them into a new str and returns it or NULL with
    // an exception set (CPython also rejects values above U+10FFFF itself).
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyUnicode_FromWideChar(cps.as_ptr().cast::<libc::wchar_t>(), length),
        )
    }
}

impl PySink<'_> {
    fn keep(&mut self, made: PyResult<Bound<'_, PyAny>>) -> Result<(), Error> {
        match made {
            Ok(object) => {
                self.items.push(object.unbind());
                Ok(())
            }
            Err(err) => {
                self.error = Some(err);
                Err(Error::InvalidArray("a Python object could not be created".into()))
            }
        }
    }
}

impl ItemSink for PySink<'_> {
    fn none(&mut self) -> Result<(), Error> {
        self.items.push(self.py.None());
        Ok(())
    }

    fn str(&mut self, s: &str) -> Result<(), Error> {
        let made =
            new_str(self.py, s.as_bytes(), &mut self.wide).unwrap_or_else(|| unreachable_utf8(self.py));
        self.keep(made)
    }

    fn code_points(&mut self, cps: &[u32]) -> Result<(), Error> {
        let made = str_of_code_points(self.py, cps);
        self.keep(made)
    }

    fn utf8(&mut self, b: &[u8]) -> Result<bool, Error> {
        match new_str(self.py, b, &mut self.wide) {
            Some(made) => self.keep(made).map(|()| true),
            None => Ok(false),
        }
    }

    fn reserve(&mut self, additional: usize) {
        self.items.reserve(additional);
    }

    fn bytes(&mut self, b: &[u8]) -> Result<(), Error> {
        // One CPython call that allocates and copies (numcodecs' own; 0- and 1-byte items are
        // CPython's shared objects).
        let length = pyo3::ffi::Py_ssize_t::try_from(b.len()).unwrap_or(pyo3::ffi::Py_ssize_t::MAX);
        // SAFETY: `b` is `length` readable bytes (a slice never exceeds isize::MAX bytes); the call
        // returns a new reference or NULL with an exception set.
        let made = unsafe {
            Bound::from_owned_ptr_or_err(
                self.py,
                pyo3::ffi::PyBytes_FromStringAndSize(b.as_ptr().cast(), length),
            )
        };
        self.keep(made)
    }

    fn array(&mut self, dtype: DType, b: &[u8]) -> Result<(), Error> {
        let py = self.py;
        if let Some(array) = native_array(py, dtype, b) {
            self.items.push(array.unbind());
            return Ok(());
        }
        let made = (|| {
            let np_dtype = match &self.np_dtype {
                Some((d, np)) if *d == dtype => np.clone(),
                _ => {
                    let np = py
                        .import("numpy")?
                        .getattr("dtype")?
                        .call1((dtype.to_string(),))?;
                    self.np_dtype = Some((dtype, np.clone()));
                    np
                }
            };
            PyArray1::from_slice(py, b).call_method1("view", (np_dtype,))
        })();
        self.keep(made)
    }
}

/// Decodes with the object codec's `decode_any`, within `max_decoded_bytes`. Returns
/// `(is_objects, data, dtype, shape, order)`: a flat object ndarray of the items (in `order`) when
/// `is_objects`, else a uint8 ndarray owning the typed array's bytes.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub(crate) fn decode_objects<'py>(
    py: Python<'py>,
    codec: &Bound<'py, NativeCodec>,
    data: PyReadonlyArray1<'py, u8>,
    max_decoded_bytes: usize,
) -> PyResult<(bool, Bound<'py, PyAny>, String, Vec<usize>, &'static str)> {
    let native = codec.get();
    let object_codec = object_codec(py, native)?;
    let bytes = data
        .as_slice()
        .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
    let limits = Limits::new(max_decoded_bytes);
    let mut sink = PySink {
        py,
        items: Vec::new(),
        error: None,
        np_dtype: None,
        wide: Vec::new(),
    };
    match object_codec.decode_items(bytes, &limits, &mut sink) {
        Ok(Some(shape)) => {
            let objects = PyArray1::from_vec(py, sink.items).into_any();
            return Ok((true, objects, "|O".to_owned(), shape, "C"));
        }
        Ok(None) => drop(sink),
        Err(err) => return Err(sink.error.take().unwrap_or_else(|| to_pyerr(py, err))),
    }
    let decoded = run_detached(py, || object_codec.decode_any(bytes, &limits))?;
    Ok(match decoded {
        Decoded::Array(buf) => {
            let dtype = buf.dtype().to_string();
            let shape = buf.shape().to_vec();
            let order = buf.order().as_str();
            (
                false,
                PyArray1::from_vec(py, buf.into_data()).into_any(),
                dtype,
                shape,
                order,
            )
        }
        Decoded::Objects(array) => {
            let shape = array.shape().to_vec();
            let order = array.order().as_str();
            let objects = from_items(py, array.into_items())?;
            (
                true,
                PyArray1::from_vec(py, objects).into_any(),
                "|O".to_owned(),
                shape,
                order,
            )
        }
    })
}

/// True when the codec takes object arrays (`Codec::as_object_codec`).
#[pyfunction]
pub(crate) fn takes_objects(codec: &Bound<'_, NativeCodec>) -> bool {
    codec.get().inner.as_object_codec().is_some()
}

/// `NativeCodec.encode` returning a writable uint8 ndarray that owns the encoded bytes (no copy), for
/// the shims whose numcodecs counterpart returns an ndarray (the filters): `(data, dtype, shape, order)`
/// as for `NativeCodec.encode`.
#[pyfunction]
pub(crate) fn encode_array<'py>(
    py: Python<'py>,
    codec: &Bound<'py, NativeCodec>,
    data: PyReadonlyArray1<'py, u8>,
    dtype: &str,
    shape: Vec<usize>,
    order: &str,
) -> PyResult<Bound<'py, PyArray1<u8>>> {
    let bytes = data
        .as_slice()
        .map_err(|e| to_pyerr(py, Error::InvalidArray(e.to_string())))?;
    let dtype = DType::parse(dtype).map_err(|e| to_pyerr(py, e))?;
    let order = Order::parse(order).map_err(|e| to_pyerr(py, e))?;
    let view = ArrayView::new(bytes, dtype, shape, order).map_err(|e| to_pyerr(py, e))?;
    let codec = &*codec.get().inner;
    let encoded = run_detached(py, || codec.encode(&view))?;
    Ok(PyArray1::from_vec(py, encoded))
}
