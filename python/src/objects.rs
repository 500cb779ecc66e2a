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

use brickwork::core::object::{Decoded, ObjectArray, ObjectCodec, ObjectItems, Value};
use brickwork::{ArrayView, DType, Error, Limits, Order};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

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
fn to_items(py: Python<'_>, elements: &Bound<'_, PyList>) -> PyResult<ObjectItems> {
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
            match array_item(&item, &ndarray)? {
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
        out.push(to_value(&item, 0)?);
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
fn from_items(py: Python<'_>, items: ObjectItems) -> PyResult<Vec<Py<PyAny>>> {
    Ok(match items {
        ObjectItems::Str(v) => v
            .into_iter()
            .map(|s| match s {
                Some(s) => PyString::new(py, &s).into_any().unbind(),
                None => py.None(),
            })
            .collect(),
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

/// Encodes an object array given as its elements in memory order, its shape and order ("C"/"F").
#[pyfunction]
pub(crate) fn encode_objects<'py>(
    py: Python<'py>,
    codec: &Bound<'py, NativeCodec>,
    elements: &Bound<'py, PyList>,
    shape: Vec<usize>,
    order: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let native = codec.get();
    let object_codec = object_codec(py, native)?;
    let order = Order::parse(order).map_err(|e| to_pyerr(py, e))?;
    let items = to_items(py, elements)?;
    let array = ObjectArray::new(items, shape, order).map_err(|e| to_pyerr(py, e))?;
    let encoded = run_detached(py, || object_codec.encode_objects(&array))?;
    Ok(PyBytes::new(py, &encoded))
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
