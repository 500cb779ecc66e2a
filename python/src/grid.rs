//! The grid functions for Python: `tobytes`, `assemble`, `encode_chunks`/`decode_chunks` and the Zarr v2
//! store, on NumPy arrays of any dtype and any layout, without copying them.
//!
//! Arrays cross as raw memory: the array's data pointer, shape, byte strides and item size (dtypes only
//! matter as item sizes here, so datetimes, strings and voids work like numbers). The span of memory the
//! strides reach is computed from NumPy's own metadata and checked by [`Layout::strided`], and the array
//! object is held for as long as the slice is used. Work runs with the GIL released, like NumPy's own
//! copies; as with any C extension that does so, another thread writing the same array at the same time
//! gets unspecified element values, never unsafety of this process.

use brickwork::core::config;
use brickwork::core::{Limits, ObjectArray};
use brickwork::grid::zarr::{GridSpec, Record, ZarrArray, ZarrFormat};
use brickwork::grid::{self, ChunkGrid, Edge, Indices, Layout, Selection, ZarrOptions};
use brickwork::{DType, Error, Order};
use numpy::npyffi::NPY_ARRAY_WRITEABLE;
use numpy::prelude::*;
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArray};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::{run_detached, to_pyerr, NativeCodec};

/// The memory of a NumPy array: (base pointer of the reachable span, span length, layout within it).
struct RawArray {
    base: *mut u8,
    len: usize,
    layout: Layout,
}

// SAFETY: `RawArray` is only a pointer and sizes; the functions that turn it into slices state why those
// are valid (the owning array object is alive for the whole call).
unsafe impl Send for RawArray {}
unsafe impl Sync for RawArray {}

impl RawArray {
    fn of(array: &Bound<'_, PyUntypedArray>) -> Result<RawArray, Error> {
        let shape = array.shape().to_vec();
        let strides = array.strides().to_vec();
        let itemsize = array.dtype().itemsize();
        // SAFETY: `as_array_ptr` is the live PyArrayObject behind `array`; reading its `data` field is
        // how NumPy's C API exposes the buffer.
        let data = unsafe { (*array.as_array_ptr()).fields.data } as *mut u8;
        let (mut lo, mut hi) = (0i128, itemsize as i128);
        if shape.contains(&0) {
            hi = 0;
        } else {
            for (&n, &s) in shape.iter().zip(&strides) {
                let reach = (n as i128 - 1) * s as i128;
                if reach < 0 {
                    lo += reach;
                } else {
                    hi += reach;
                }
            }
        }
        let len = usize::try_from(hi - lo)
            .map_err(|_| Error::InvalidArray("the array spans too much memory".into()))?;
        let offset = usize::try_from(-lo).map_err(|_| Error::InvalidArray("bad array strides".into()))?;
        let base = data.wrapping_sub(offset);
        let layout = Layout::strided(&shape, &strides, itemsize.max(1), offset, len)?;
        Ok(RawArray { base, len, layout })
    }

    /// The array's memory as bytes.
    ///
    /// SAFETY (of the caller): the NumPy array this was made from is alive for `'a` (the caller holds its
    /// `Bound`), so `base..base+len`, the span its own shape and strides reach, is allocated memory.
    unsafe fn bytes<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: see the function's contract.
        unsafe { std::slice::from_raw_parts(self.base, self.len) }
    }

    /// The array's memory as writable bytes (only for arrays NumPy marks writeable, checked by the caller).
    ///
    /// SAFETY (of the caller): as [`RawArray::bytes`], plus no other slice of this memory is alive.
    unsafe fn bytes_mut<'a>(&self) -> &'a mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: see the function's contract.
        unsafe { std::slice::from_raw_parts_mut(self.base, self.len) }
    }
}

fn writable(array: &Bound<'_, PyUntypedArray>) -> Result<RawArray, Error> {
    // SAFETY: reading the flags field of the live array object.
    let flags = unsafe { (*array.as_array_ptr()).fields.flags };
    if flags & NPY_ARRAY_WRITEABLE == 0 {
        return Err(Error::InvalidArray(
            "the output array is read-only; pass a writeable array".into(),
        ));
    }
    RawArray::of(array)
}

fn order_of(order: &str) -> Result<Order, Error> {
    match order {
        "C" | "F" => Order::parse(order),
        other => Err(Error::InvalidArray(format!(
            "order must be \"C\" or \"F\", got {other:?}"
        ))),
    }
}

/// Fresh bytes objects and their writable buffers.
type NewBytes<'py> = (Vec<Bound<'py, PyBytes>>, Vec<&'py mut [u8]>);

/// Allocates `sizes.len()` bytes objects of the given sizes, uninitialised, and returns them with their
/// writable buffers.
fn new_bytes<'py>(py: Python<'py>, sizes: &[usize]) -> PyResult<NewBytes<'py>> {
    let mut objects = Vec::with_capacity(sizes.len());
    let mut buffers = Vec::with_capacity(sizes.len());
    for &n in sizes {
        let len = pyo3::ffi::Py_ssize_t::try_from(n)
            .map_err(|_| to_pyerr(py, Error::InvalidArray("chunk too large".into())))?;
        // SAFETY: PyBytes_FromStringAndSize(NULL, n) returns a new bytes object with n uninitialised bytes
        // (or NULL with an exception set, which `from_owned_ptr_or_err` turns into an error).
        let obj = unsafe {
            Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyBytes_FromStringAndSize(std::ptr::null(), len))?
        };
        // SAFETY: the object is a fresh bytes object that only this function references; its buffer of
        // `n` bytes is writable until it is shared, and stays allocated while `objects` holds it. Every
        // byte is written before the objects are returned to Python.
        let buf = unsafe {
            let p = pyo3::ffi::PyBytes_AsString(obj.as_ptr()) as *mut u8;
            std::slice::from_raw_parts_mut(p, n)
        };
        brickwork::core::alloc::hint_huge_pages(buf.as_mut_ptr(), n);
        objects.push(obj.cast_into::<PyBytes>()?);
        buffers.push(buf);
    }
    Ok((objects, buffers))
}

/// `tobytes(image, chunk_size, order, edge, fill, threads) -> list[bytes]`.
#[pyfunction]
#[pyo3(signature = (image, chunk_size, order, edge, fill, threads))]
pub fn tobytes<'py>(
    py: Python<'py>,
    image: &Bound<'py, PyUntypedArray>,
    chunk_size: Vec<usize>,
    order: &str,
    edge: Option<&str>,
    fill: Vec<u8>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyList>> {
    let (raw, grid, order) =
        prepare(RawArray::of(image), &chunk_size, edge, order).map_err(|e| to_pyerr(py, e))?;
    let isz = raw.layout.itemsize();
    let sizes: Vec<usize> = (0..grid.len())
        .map(|i| grid.stored_len(&grid.coords(i)) * isz)
        .collect();
    let (objects, mut buffers) = new_bytes(py, &sizes)?;
    // SAFETY: `image` is alive for this whole call.
    let src = unsafe { raw.bytes() };
    run_detached(py, || {
        grid::tobytes_into(src, &raw.layout, &grid, order, &fill, &mut buffers, threads)
    })?;
    PyList::new(py, objects)
}

/// What every grid call checks first: the array's memory, the grid `chunk_size` cuts its shape into
/// (with the `edge` mode), and the chunk order.
fn prepare(
    raw: Result<RawArray, Error>,
    chunk_size: &[usize],
    edge: Option<&str>,
    order: &str,
) -> Result<(RawArray, ChunkGrid, Order), Error> {
    let raw = raw?;
    let grid = ChunkGrid::new(raw.layout.shape(), chunk_size, Edge::parse(edge)?)?;
    Ok((raw, grid, order_of(order)?))
}

/// `assemble_into(chunks, out, chunk_size, order, edge, threads)`: fills `out` from the chunks.
#[pyfunction]
#[pyo3(signature = (chunks, out, chunk_size, order, edge, threads))]
pub fn assemble_into<'py>(
    py: Python<'py>,
    chunks: Vec<Bound<'py, PyBytes>>,
    out: &Bound<'py, PyUntypedArray>,
    chunk_size: Vec<usize>,
    order: &str,
    edge: Option<&str>,
    threads: Option<usize>,
) -> PyResult<()> {
    let (raw, grid, order) = prepare(writable(out), &chunk_size, edge, order).map_err(|e| to_pyerr(py, e))?;
    let slices: Vec<&[u8]> = chunks.iter().map(|c| c.as_bytes()).collect();
    // SAFETY: `out` is alive for this call and no other Rust slice of its memory exists.
    let dst = unsafe { raw.bytes_mut() };
    run_detached(py, || {
        grid::assemble_into(&slices, &grid, order, dst, &raw.layout, threads)
    })
}

/// `encode_chunks(image, chunk_size, codec, dtype, order, edge, fill, threads) -> list[bytes]`.
#[pyfunction]
#[pyo3(signature = (image, chunk_size, codec, dtype, order, edge, fill, threads))]
#[allow(clippy::too_many_arguments)] // the Python signature
pub fn encode_chunks<'py>(
    py: Python<'py>,
    image: &Bound<'py, PyUntypedArray>,
    chunk_size: Vec<usize>,
    codec: &Bound<'py, NativeCodec>,
    dtype: &str,
    order: &str,
    edge: Option<&str>,
    fill: Vec<u8>,
    threads: Option<usize>,
) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    let (raw, grid, order) =
        prepare(RawArray::of(image), &chunk_size, edge, order).map_err(|e| to_pyerr(py, e))?;
    let dtype = DType::parse(dtype).map_err(|e| to_pyerr(py, e))?;
    let codec = &*codec.get().inner;
    // SAFETY: `image` is alive for this whole call.
    let src = unsafe { raw.bytes() };
    let encoded = run_detached(py, || {
        grid::encode_chunks(src, &raw.layout, &grid, order, &fill, codec, dtype, threads)
    })?;
    Ok(encoded.iter().map(|e| PyBytes::new(py, e)).collect())
}

/// `decode_chunks(chunks, out, chunk_size, codec, order, edge, threads)`: decodes into `out`.
#[pyfunction]
#[pyo3(signature = (chunks, out, chunk_size, codec, order, edge, threads))]
#[allow(clippy::too_many_arguments)] // the Python signature
pub fn decode_chunks<'py>(
    py: Python<'py>,
    chunks: Vec<Bound<'py, PyBytes>>,
    out: &Bound<'py, PyUntypedArray>,
    chunk_size: Vec<usize>,
    codec: &Bound<'py, NativeCodec>,
    order: &str,
    edge: Option<&str>,
    threads: Option<usize>,
) -> PyResult<()> {
    let (raw, grid, order) = prepare(writable(out), &chunk_size, edge, order).map_err(|e| to_pyerr(py, e))?;
    let slices: Vec<&[u8]> = chunks.iter().map(|c| c.as_bytes()).collect();
    let codec = &*codec.get().inner;
    // SAFETY: `out` is alive for this call and no other Rust slice of its memory exists.
    let dst = unsafe { raw.bytes_mut() };
    run_detached(py, || {
        grid::decode_chunks(&slices, &grid, order, codec, dst, &raw.layout, threads)
    })
}

/// `zarr_save(path, image, dtype, chunks, compressor_json, filters_json, order, fill, separator,
/// zarr_format, shards, grid_json, overwrite, attributes_json, threads, write_empty_chunks) -> (chunks,
/// bytes_in, bytes_out)`; `chunks` counts the chunk files written. `grid_json`: the `chunk_grid` of a
/// rectilinear (variable) grid, as Zarr v3 writes it, which then cuts the array (or, with `shards`, gives
/// the shard boundaries); `None` for a regular grid.
#[pyfunction]
#[pyo3(signature = (path, image, dtype, chunks, compressor_json, filters_json, order, fill, separator, zarr_format, shards, grid_json, overwrite, attributes_json, threads, write_empty_chunks=true))]
#[allow(clippy::too_many_arguments)] // the Python signature
pub fn zarr_save<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    image: &Bound<'py, PyUntypedArray>,
    dtype: &str,
    chunks: Vec<usize>,
    compressor_json: Option<&str>,
    filters_json: Vec<String>,
    order: &str,
    fill: Option<Vec<u8>>,
    separator: Option<&str>,
    zarr_format: u8,
    shards: Option<Vec<usize>>,
    grid_json: Option<&str>,
    overwrite: bool,
    attributes_json: Option<&str>,
    threads: Option<usize>,
    write_empty_chunks: bool,
) -> PyResult<(u64, u64, u64)> {
    let setup = || -> Result<_, Error> {
        let options = zarr_options(
            chunks,
            compressor_json,
            &filters_json,
            order,
            fill,
            separator,
            zarr_format,
            shards,
            grid_json,
            overwrite,
            attributes_json,
        )?;
        let (dtype, record) = array_dtype(dtype)?;
        let options = ZarrOptions {
            record,
            write_empty_chunks,
            ..options
        };
        Ok((RawArray::of(image)?, options, dtype))
    };
    let (raw, options, dtype) = setup().map_err(|e| to_pyerr(py, e))?;
    // SAFETY: `image` is alive for this whole call.
    let src = unsafe { raw.bytes() };
    let (_, stats) = run_detached(py, || {
        ZarrArray::create(&path, src, &raw.layout, dtype, &options, threads, &|_, _| {})
    })?;
    Ok((stats.chunks, stats.bytes_in, stats.bytes_out))
}

/// `zarr_create(path, shape, dtype, chunks, compressor_json, filters_json, order, fill, separator,
/// zarr_format, shards, grid_json, overwrite, attributes_json)`: a new array with no chunks yet (every element the fill value), to be
/// written a region at a time through `ZarrHandle.write`.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // the Python signature
pub fn zarr_create(
    py: Python<'_>,
    path: std::path::PathBuf,
    shape: Vec<usize>,
    dtype: &str,
    chunks: Vec<usize>,
    compressor_json: Option<&str>,
    filters_json: Vec<String>,
    order: &str,
    fill: Option<Vec<u8>>,
    separator: Option<&str>,
    zarr_format: u8,
    shards: Option<Vec<usize>>,
    grid_json: Option<&str>,
    overwrite: bool,
    attributes_json: Option<&str>,
) -> PyResult<()> {
    let create = || -> Result<(), Error> {
        let options = zarr_options(
            chunks,
            compressor_json,
            &filters_json,
            order,
            fill,
            separator,
            zarr_format,
            shards,
            grid_json,
            overwrite,
            attributes_json,
        )?;
        let (dtype, record) = array_dtype(dtype)?;
        ZarrArray::create_empty(&path, &shape, dtype, &ZarrOptions { record, ..options }).map(drop)
    };
    create().map_err(|e| to_pyerr(py, e))
}

/// The dtype of a new store from Python's spelling: `dtype.str`, or a structured dtype's `descr` as JSON
/// (a record, stored as its bytes).
fn array_dtype(spec: &str) -> Result<(DType, Option<Record>), Error> {
    if spec.starts_with('[') {
        let descr: serde_json::Value = serde_json::from_str(spec)
            .map_err(|e| Error::InvalidArray(format!("a structured dtype's descr is not JSON: {e}")))?;
        let record = Record::from_descr(&descr)?;
        return Ok((record.dtype(), Some(record)));
    }
    Ok((DType::parse(spec)?, None))
}

/// The options of a new store, from the Python arguments.
#[allow(clippy::too_many_arguments)]
fn zarr_options(
    chunks: Vec<usize>,
    compressor_json: Option<&str>,
    filters_json: &[String],
    order: &str,
    fill: Option<Vec<u8>>,
    separator: Option<&str>,
    zarr_format: u8,
    shards: Option<Vec<usize>>,
    grid_json: Option<&str>,
    overwrite: bool,
    attributes_json: Option<&str>,
) -> Result<ZarrOptions, Error> {
    let attributes = match attributes_json.map(serde_json::from_str::<serde_json::Value>) {
        None => serde_json::Map::new(),
        Some(Ok(serde_json::Value::Object(map))) => map,
        Some(Ok(other)) => {
            return Err(Error::InvalidArray(format!(
                "attributes must be a JSON object (a dict), got {other}"
            )))
        }
        Some(Err(e)) => return Err(Error::InvalidArray(format!("attributes are not JSON: {e}"))),
    };
    let rectilinear = match grid_json.map(GridSpec::parse).transpose()? {
        None | Some(GridSpec::Regular(_)) => None,
        Some(GridSpec::Rectilinear(axes)) => Some(axes),
    };
    Ok(ZarrOptions {
        chunks,
        rectilinear,
        compressor: compressor_json.map(config::from_json).transpose()?,
        filters: filters_json
            .iter()
            .map(|f| config::from_json(f))
            .collect::<Result<_, _>>()?,
        order: order_of(order)?,
        fill_value: fill,
        dimension_separator: match separator {
            None => None,
            Some(".") => Some('.'),
            Some("/") => Some('/'),
            Some(other) => {
                return Err(Error::InvalidArray(format!(
                    "dimension_separator must be \".\" or \"/\", got {other:?}"
                )))
            }
        },
        format: match zarr_format {
            2 => ZarrFormat::V2,
            3 => ZarrFormat::V3,
            other => {
                return Err(Error::InvalidArray(format!(
                    "zarr_format must be 2 or 3, got {other}"
                )))
            }
        },
        shards,
        overwrite,
        write_empty_chunks: true,
        attributes,
        record: None,
    })
}

/// What `ZarrHandle.info` returns: shape, chunks, dtype (`dtype.str`, or a record's `descr` as JSON), order,
/// Zarr format, shard shape and fill value.
type ZarrInfo = (
    Vec<usize>,
    Vec<usize>,
    String,
    &'static str,
    u8,
    Option<Vec<usize>>,
    Option<Vec<u8>>,
);

/// An opened Zarr array (format 2 or 3): its validated metadata and codecs, read from as often as asked
/// (Python's `brickwork.zarr.Array`).
#[pyclass(frozen, module = "brickwork._native")]
pub struct ZarrHandle {
    inner: ZarrArray,
}

#[pymethods]
impl ZarrHandle {
    /// Opens the array at `path`, validating its metadata.
    #[new]
    fn new(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner = ZarrArray::open(&path).map_err(|e| to_pyerr(py, e))?;
        Ok(ZarrHandle { inner })
    }

    /// `(shape, chunks, dtype, order, zarr_format, shards, fill)`; for a sharded array `chunks` are the
    /// inner chunks and `shards` the shard shape (as zarr-python's `Array.chunks` and `Array.shards`);
    /// `fill` is one element's bytes, or `None` when the metadata says `null`.
    fn info(&self) -> ZarrInfo {
        let z = &self.inner;
        (
            z.shape().to_vec(),
            z.inner_chunks().unwrap_or(z.chunks()).to_vec(),
            match z.record() {
                Some(record) => record.descr().to_string(),
                None => z.dtype().to_string(),
            },
            z.order().as_str(),
            match z.format() {
                ZarrFormat::V2 => 2,
                ZarrFormat::V3 => 3,
            },
            z.inner_chunks().map(|_| z.chunks().to_vec()),
            z.fill_value().map(<[u8]>::to_vec),
        )
    }

    /// The key (file name, relative to the array) of the chunk file at grid position `coords` (a shard,
    /// of a sharded array).
    fn chunk_key(&self, coords: Vec<usize>) -> String {
        self.inner.chunk_key(&coords)
    }

    /// Of a sharded array, `(index_len, at_start, big_endian)` of the index of the shard at grid position
    /// `coords` (see `ZarrArray::shard_index_layout`); `None` without shards.
    fn shard_index_layout(
        &self,
        py: Python<'_>,
        coords: Vec<usize>,
    ) -> PyResult<Option<(usize, bool, bool)>> {
        self.inner
            .shard_index_layout(&coords)
            .map_err(|e| to_pyerr(py, e))
    }

    /// The grid of the chunk files (the shards of a sharded array) as the metadata declares it: Zarr v3's
    /// `chunk_grid` object, as JSON (a v2 array's is a regular one).
    fn chunk_grid(&self) -> String {
        self.inner.grid_spec().to_json().to_string()
    }

    /// `read(out, axes, max_bytes, threads)`: reads the selection into `out`, whose shape is the
    /// selection's. `axes` has, per axis, a `(start, count, step)` tuple or a 1-d int64 array of strictly
    /// increasing indices (an orthogonal selection); for a 0-d array `out` is 0-d and `axes` empty. Each
    /// chunk is decoded in a buffer of at most `max_bytes`.
    fn read(
        &self,
        py: Python<'_>,
        out: &Bound<'_, PyUntypedArray>,
        axes: Vec<AxisArg<'_>>,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> PyResult<()> {
        let raw = writable(out).map_err(|e| to_pyerr(py, e))?;
        let (sel, layout) = self.selection(&raw, axes).map_err(|e| to_pyerr(py, e))?;
        // SAFETY: `out` is alive for this call and no other Rust slice of its memory exists.
        let dst = unsafe { raw.bytes_mut() };
        run_detached(py, || {
            self.inner
                .read_selection_into(&sel, dst, &layout, max_bytes, threads)
        })
    }

    /// `read_points(out, points, max_bytes, threads)`: reads the elements at `points` (an `(n, ndim)`
    /// int64 array of coordinates, any order, repeats allowed) into `out` (shape `(n,)`).
    fn read_points(
        &self,
        py: Python<'_>,
        out: &Bound<'_, PyUntypedArray>,
        points: PyReadonlyArray2<'_, i64>,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> PyResult<()> {
        let raw = writable(out).map_err(|e| to_pyerr(py, e))?;
        let coords = coordinates(points.as_array().iter()).map_err(|e| to_pyerr(py, e))?;
        // SAFETY: `out` is alive for this call and no other Rust slice of its memory exists.
        let dst = unsafe { raw.bytes_mut() };
        run_detached(py, || {
            self.inner
                .read_points_into(&coords, dst, &raw.layout, max_bytes, threads)
        })
    }

    /// `write_points(src, points, max_bytes, threads) -> (chunks, bytes_in, bytes_out)`: writes item
    /// `j` of `src` (shape `(n,)`) to the element at row `j` of `points` (as for `read_points`; of
    /// repeated points the later wins).
    /// `set_write_empty_chunks(write)`: whether this handle's writes store chunks that hold only the
    /// fill value, or leave them out and remove their files (zarr-python's `write_empty_chunks`).
    fn set_write_empty_chunks(&self, write: bool) {
        self.inner.set_write_empty_chunks(write);
    }

    fn write_points(
        &self,
        py: Python<'_>,
        src: &Bound<'_, PyUntypedArray>,
        points: PyReadonlyArray2<'_, i64>,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> PyResult<(u64, u64, u64)> {
        let raw = RawArray::of(src).map_err(|e| to_pyerr(py, e))?;
        let coords = coordinates(points.as_array().iter()).map_err(|e| to_pyerr(py, e))?;
        // SAFETY: `src` is alive for this call.
        let data = unsafe { raw.bytes() };
        let stats = run_detached(py, || {
            self.inner
                .write_points(&coords, data, &raw.layout, max_bytes, threads)
        })?;
        Ok((stats.chunks, stats.bytes_in, stats.bytes_out))
    }

    /// `read_chunk_objects(coords, max_bytes)`: the items of the chunk at grid position `coords` (in the
    /// inner chunks' grid, for a sharded array) of an array of variable-length items (strings or bytes),
    /// as a flat object ndarray in the chunk's memory order, or `None` when the chunk was never written
    /// (every item is the fill value).
    fn read_chunk_objects<'py>(
        &self,
        py: Python<'py>,
        coords: Vec<usize>,
        max_bytes: u64,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let limits = Limits::new(usize::try_from(max_bytes).unwrap_or(usize::MAX));
        let items = run_detached(py, || self.inner.read_chunk_objects(&coords, &limits))?;
        items.map(|items| Self::objects(py, items)).transpose()
    }

    /// `codecs() -> (filters, compressor, order)`: the pipeline each chunk of variable-length items is
    /// encoded with (an inner chunk's, for a sharded array), as numcodecs configs in JSON texts, and the
    /// order of a chunk's items ("C" or "F"): how the Python side encodes chunks of items.
    fn codecs(&self) -> (Vec<String>, Option<String>, &'static str) {
        let p = self.inner.items_pipeline();
        let text = |c: &brickwork::core::Config| serde_json::Value::Object(c.clone()).to_string();
        (
            p.filter_configs().iter().map(text).collect(),
            p.compressor_config().as_ref().map(text),
            self.inner.items_order().as_str(),
        )
    }

    /// `write_encoded_chunks([(coords, encoded), ...])`: writes chunks of items encoded with `codecs()`,
    /// each at its position (in the inner chunks' grid, for a sharded array), atomically; the inner chunks
    /// of one shard in one rewrite of its file.
    fn write_encoded_chunks(&self, py: Python<'_>, chunks: Vec<(Vec<usize>, Vec<u8>)>) -> PyResult<()> {
        run_detached(py, || self.inner.write_encoded_chunks(&chunks))
    }

    /// `initialized_chunks()`: how many chunks (inner chunks, of a sharded array) have been written.
    fn initialized_chunks(&self, py: Python<'_>) -> PyResult<u64> {
        run_detached(py, || self.inner.initialized_chunks())
    }

    /// `resize(new_shape, max_bytes, threads)`: changes the array's shape (the metadata file rewritten,
    /// chunks wholly outside deleted, elements beyond the new shape in cut chunks set to the fill
    /// value). This handle keeps the old shape: open the array again.
    fn resize(
        &self,
        py: Python<'_>,
        new_shape: Vec<usize>,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> PyResult<()> {
        run_detached(py, || {
            self.inner.resize(&new_shape, max_bytes, threads).map(|_| ())
        })
    }

    /// `write_attributes(json)`: replaces the user attributes with the JSON object `json`.
    fn write_attributes(&self, py: Python<'_>, json: &str) -> PyResult<()> {
        let attributes = config::from_json(json).map_err(|e| to_pyerr(py, e))?;
        run_detached(py, || self.inner.write_attributes(&attributes))
    }

    /// `write(src, axes, max_bytes, threads) -> (chunks, bytes_in, bytes_out)`: writes `src` (the
    /// selection's shape, `axes` as for `read`) into the selected elements; chunks the selection
    /// covers only in part are read, updated and written back.
    fn write(
        &self,
        py: Python<'_>,
        src: &Bound<'_, PyUntypedArray>,
        axes: Vec<AxisArg<'_>>,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> PyResult<(u64, u64, u64)> {
        let raw = RawArray::of(src).map_err(|e| to_pyerr(py, e))?;
        let (sel, layout) = self.selection(&raw, axes).map_err(|e| to_pyerr(py, e))?;
        // SAFETY: `src` is alive for this call.
        let data = unsafe { raw.bytes() };
        let stats = run_detached(py, || {
            self.inner
                .write_selection(&sel, data, &layout, max_bytes, threads)
        })?;
        Ok((stats.chunks, stats.bytes_in, stats.bytes_out))
    }
}

/// One axis of a selection from Python: `(start, count, step)` or an int64 array of indices.
#[derive(FromPyObject)]
enum AxisArg<'py> {
    Range(usize, usize, usize),
    List(PyReadonlyArray1<'py, i64>),
}

/// Non-negative coordinates (or indices) from Python's int64s.
fn coordinates<'a>(values: impl Iterator<Item = &'a i64>) -> Result<Vec<usize>, Error> {
    values
        .map(|&v| {
            usize::try_from(v)
                .map_err(|_| Error::InvalidArray(format!("index {v} is negative; indices here count from 0")))
        })
        .collect()
}

impl ZarrHandle {
    /// The Python objects of a chunk's items, for `read_chunk_objects`.
    fn objects<'py>(py: Python<'py>, items: ObjectArray) -> PyResult<Bound<'py, PyAny>> {
        let objects = crate::objects::from_items(py, items.into_items())?;
        Ok(numpy::PyArray1::from_vec(py, objects).into_any())
    }

    /// The selection `axes` names, and the layout of `array` as its shape (a 0-d array is stored as one
    /// chunk of one element: its selection is that element, with no axes).
    fn selection(&self, array: &RawArray, axes: Vec<AxisArg<'_>>) -> Result<(Selection, Layout), Error> {
        if self.inner.shape().is_empty() {
            if !(axes.is_empty() && array.layout.shape().is_empty()) {
                return Err(Error::InvalidArray(
                    "a 0-d array is read and written whole, through a 0-d array".into(),
                ));
            }
            let layout = Layout::strided(
                &[1],
                &[0],
                array.layout.itemsize(),
                array.layout.offset(),
                array.len,
            )?;
            return Ok((Selection::all(&[1]), layout));
        }
        let axes = axes
            .into_iter()
            .map(|a| match a {
                AxisArg::Range(start, count, step) => Ok(Indices::Range { start, count, step }),
                AxisArg::List(v) => Ok(Indices::List(coordinates(v.as_array().iter())?)),
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let sel = Selection::of(self.inner.shape(), axes)?;
        Ok((sel, array.layout.clone()))
    }
}

/// Adds the grid functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tobytes, m)?)?;
    m.add_function(wrap_pyfunction!(assemble_into, m)?)?;
    m.add_function(wrap_pyfunction!(encode_chunks, m)?)?;
    m.add_function(wrap_pyfunction!(decode_chunks, m)?)?;
    m.add_function(wrap_pyfunction!(zarr_save, m)?)?;
    m.add_function(wrap_pyfunction!(zarr_create, m)?)?;
    m.add_class::<ZarrHandle>()?;
    Ok(())
}
