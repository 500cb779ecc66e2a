//! The array ↔ item-list conversion json2 and msgpack2 share (spec §5.2, §5.3).
//!
//! Encode side: NumPy's `tolist()`: nested lists following the shape, in logical C order whatever the
//! memory order; bool/int/float become Python `bool`/`int`/`float` (float16/float32 widened to float64);
//! `U` elements become `str` and `S` elements `bytes` (trailing NULs stripped).
//!
//! Decode side: numcodecs' `dec = np.empty(shape, dtype); dec[:] = items` (or `dec[...] = items[0]`
//! for a 0-d shape). The nested items must match the stored shape exactly (NumPy would also broadcast a
//! shorter list; such data is never written by numcodecs and is refused here). Scalars are stored as NumPy
//! assignment does for in-range values: ints exactly, floats truncated toward zero into integer types,
//! bools as 0/1, ints rounded into floats, `None` as NaN into floats. Values NumPy would refuse (an int
//! out of the integer type's range, NaN into an integer, a list into a number) are errors; so are the
//! cases where NumPy itself would wrap silently (an out-of-range float into an integer type).

use brickwork_core::object::{c_order_index, scalar_value};
use brickwork_core::{
    element_count, ArrayBuf, ArrayView, DType, Decoded, Endian, Error, Kind, Limits, ObjectArray,
    ObjectItems, Order, Result, Value,
};

/// How much value-tree memory `decode_into` allows per input byte (a value is at least one input byte
/// and `size_of::<Value>()` bytes of tree, plus its string bytes).
pub(crate) const TREE_BYTES_PER_INPUT_BYTE: usize = 64;

/// The limits of a `decode_into` for the tree-based codecs (json2, msgpack2 and their legacy ids): the
/// parsed value tree is an intermediate proportional to the input, not the output, so it is allowed
/// beside `out`'s size.
pub(crate) fn tree_limits(encoded_len: usize, out_len: usize) -> Limits {
    Limits::new(out_len.max(encoded_len.saturating_mul(TREE_BYTES_PER_INPUT_BYTE)))
}

/// NumPy's `arr.tolist()` for a typed array: a list for ≥1 dimension, the scalar for 0-d.
pub(crate) fn array_tolist(codec: &str, input: &ArrayView<'_>) -> Result<Value> {
    let dtype = input.dtype();
    let flat: Vec<Value> = match dtype.kind() {
        Kind::Object => return Err(brickwork_core::object::object_input_error(codec)),
        Kind::Unicode => super::unicode_items(codec, input)?
            .into_iter()
            .map(Value::Str)
            .collect(),
        Kind::Bytes => super::bytes_items(input).into_iter().map(Value::Bytes).collect(),
        Kind::Bool | Kind::Int | Kind::UInt | Kind::Float => {
            let size = dtype.itemsize();
            input
                .data()
                .chunks_exact(size)
                .map(|c| scalar_value(dtype, c))
                .collect::<Result<_>>()
                .map_err(|e| Error::invalid_input(codec, e))?
        }
        _ => {
            return Err(Error::invalid_input(
                codec,
                format!("{dtype} items are not serialisable (numcodecs raises TypeError too)"),
            ))
        }
    };
    nest(flat, input.shape(), input.order())
}

/// NumPy's `tolist()` for an object array.
pub(crate) fn objects_tolist(input: &ObjectArray) -> Result<Value> {
    nest(input.to_values()?, input.shape(), input.order())
}

/// Nests `flat` (memory order) into lists following `shape` in logical C order.
fn nest(flat: Vec<Value>, shape: &[usize], order: Order) -> Result<Value> {
    let n = element_count(shape)?;
    if flat.len() != n {
        return Err(Error::InvalidArray(format!(
            "{} items do not fill the shape {shape:?}",
            flat.len()
        )));
    }
    let mut slots: Vec<Option<Value>> = flat.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(n);
    for i in c_order_index(shape, order) {
        ordered.push(slots.get_mut(i).and_then(Option::take).unwrap_or(Value::None));
    }
    if shape.is_empty() {
        return Ok(ordered.pop().unwrap_or(Value::None));
    }
    // Group from the innermost axis outwards.
    let mut level = ordered;
    for k in (1..shape.len()).rev() {
        let dim = shape[k];
        let mut next = Vec::with_capacity(level.len() / dim.max(1));
        let mut it = level.into_iter();
        if dim == 0 {
            // Every group is empty: the count comes from the outer axes.
            let outer: usize = element_count(&shape[..k]).unwrap_or(0);
            next.extend((0..outer).map(|_| Value::List(Vec::new())));
        } else {
            loop {
                let group: Vec<Value> = it.by_ref().take(dim).collect();
                if group.is_empty() {
                    break;
                }
                next.push(Value::List(group));
            }
        }
        level = next;
    }
    Ok(Value::List(level))
}

/// Splits `[items..., dtype, shape]` into (items, dtype, shape).
pub(crate) fn split_top(codec: &str, top: Value) -> Result<(Vec<Value>, DType, Vec<usize>)> {
    let Value::List(mut items) = top else {
        return Err(Error::corrupt(
            codec,
            format!(
                "expected a list [items..., dtype, shape], got a {}",
                top.type_name()
            ),
        ));
    };
    let shape = items.pop();
    let dtype = items.pop();
    let (Some(shape), Some(dtype)) = (shape, dtype) else {
        return Err(Error::corrupt(
            codec,
            "the list is too short: it must end with the dtype string and the shape",
        ));
    };
    let dtype = parse_dtype(codec, &dtype)?;
    let Value::List(dims) = shape else {
        return Err(Error::corrupt(
            codec,
            format!("the last element must be the shape (a list of ints), got {shape}"),
        ));
    };
    let mut shape = Vec::with_capacity(dims.len());
    for d in dims {
        match d {
            Value::Int(i) if i >= 0 => shape.push(
                usize::try_from(i)
                    .map_err(|_| Error::corrupt(codec, format!("dimension {i} is too large")))?,
            ),
            other => {
                return Err(Error::corrupt(
                    codec,
                    format!("a shape dimension must be a non-negative int, got {other}"),
                ))
            }
        }
    }
    Ok((items, dtype, shape))
}

/// The dtype string element.
pub(crate) fn parse_dtype(codec: &str, v: &Value) -> Result<DType> {
    match v {
        Value::Str(s) => {
            DType::parse(s).map_err(|e| Error::corrupt(codec, format!("bad dtype element: {e}")))
        }
        Value::Bytes(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| DType::parse(s).ok())
            .ok_or_else(|| Error::corrupt(codec, "bad dtype element")),
        other => Err(Error::corrupt(
            codec,
            format!("expected the dtype string before the shape, got {other}"),
        )),
    }
}

/// Infers the shape of rectangular nested lists (the legacy `json` format has no stored shape); for
/// object dtypes NumPy's `np.array(items, dtype=object)` does the same.
pub(crate) fn infer_shape(items: &[Value]) -> Vec<usize> {
    let mut shape = vec![items.len()];
    let mut level: Vec<&Value> = items.iter().collect();
    while let Some(Value::List(first)) = level.first() {
        let len = first.len();
        if !level
            .iter()
            .all(|v| matches!(v, Value::List(l) if l.len() == len))
        {
            break;
        }
        shape.push(len);
        level = level
            .iter()
            .flat_map(|v| match v {
                Value::List(l) => l.iter().collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .collect();
        if len == 0 {
            break;
        }
    }
    shape
}

/// Flattens nested `items` that must match `shape` exactly, in C order.
fn flatten(codec: &str, items: Vec<Value>, shape: &[usize], out: &mut Vec<Value>) -> Result<()> {
    let Some((&dim, rest)) = shape.split_first() else {
        return Err(Error::corrupt(codec, "internal: flatten of a 0-d shape"));
    };
    if items.len() != dim {
        return Err(Error::corrupt(
            codec,
            format!(
                "{} items where the stored shape needs {dim} (NumPy broadcasting of short lists is not supported)",
                items.len()
            ),
        ));
    }
    for item in items {
        if rest.is_empty() {
            out.push(item);
        } else {
            match item {
                Value::List(inner) => flatten(codec, inner, rest, out)?,
                other => {
                    return Err(Error::corrupt(
                        codec,
                        format!("expected a nested list for the stored shape, got {other}"),
                    ))
                }
            }
        }
    }
    Ok(())
}

/// numcodecs' `np.empty(shape, dtype); dec[:] = items`: a typed array, or objects for `|O` (or when
/// `objects` asks for the items as values whatever the dtype).
pub(crate) fn to_decoded(
    codec: &str,
    items: Vec<Value>,
    dtype: DType,
    shape: Vec<usize>,
    limits: &Limits,
    objects: bool,
) -> Result<Decoded> {
    let n = element_count(&shape)?;
    let bytes = n.saturating_mul(dtype.itemsize());
    if bytes > limits.max_decoded_bytes {
        return Err(Error::limit(
            codec,
            "the stored shape",
            bytes as u64,
            limits.max_decoded_bytes,
        ));
    }
    let flat = if shape.is_empty() {
        let mut it = items.into_iter();
        match (it.next(), it.next()) {
            (Some(v), None) => vec![v],
            _ => {
                return Err(Error::corrupt(
                    codec,
                    "a 0-d array must hold exactly one item before the dtype and shape",
                ))
            }
        }
    } else {
        let mut flat = Vec::with_capacity(n.min(items.len().saturating_mul(4)));
        flatten(codec, items, &shape, &mut flat)?;
        flat
    };
    if objects || dtype.kind() == Kind::Object {
        return Ok(Decoded::Objects(ObjectArray::new(
            ObjectItems::Values(flat),
            shape,
            Order::C,
        )?));
    }
    let mut data = Vec::with_capacity(bytes);
    for (i, v) in flat.iter().enumerate() {
        put_value(codec, dtype, v, &mut data).map_err(|e| match e {
            Error::Corrupt { codec, reason } => Error::Corrupt {
                codec,
                reason: format!("item {i}: {reason}"),
            },
            other => other,
        })?;
    }
    Ok(Decoded::Array(ArrayBuf::new(data, dtype, shape, Order::C)?))
}

fn put_int_bytes(dtype: DType, v: u64, out: &mut Vec<u8>) {
    let n = dtype.itemsize();
    let le = v.to_le_bytes();
    if dtype.endian() == Endian::Big {
        out.extend(le[..n].iter().rev());
    } else {
        out.extend_from_slice(&le[..n]);
    }
}

/// Stores one Python value as a `dtype` element.
pub(crate) fn put_value(codec: &str, dtype: DType, v: &Value, out: &mut Vec<u8>) -> Result<()> {
    let bad = |what: String| Error::corrupt(codec, what);
    let n = dtype.itemsize();
    match dtype.kind() {
        Kind::Bool => {
            let t = match v {
                Value::Bool(b) => *b,
                Value::Int(i) => *i != 0,
                Value::Float(x) => *x != 0.0,
                Value::None => false,
                Value::Str(s) => !s.is_empty(),
                Value::Bytes(b) => !b.is_empty(),
                other => return Err(bad(format!("cannot store {other} in {dtype}"))),
            };
            out.push(u8::from(t));
        }
        Kind::Int | Kind::UInt | Kind::DateTime(_) | Kind::TimeDelta(_) => {
            let i: i128 = match v {
                Value::Bool(b) => i128::from(*b),
                Value::Int(i) => *i,
                Value::Float(x) if x.is_finite() => x.trunc() as i128,
                other => return Err(bad(format!("cannot store {other} in {dtype}"))),
            };
            let bits = 8 * n as u32;
            let (lo, hi) = if dtype.kind() == Kind::UInt {
                (0i128, (1i128 << bits) - 1)
            } else {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            };
            if i < lo || i > hi {
                return Err(bad(format!("{v} is out of bounds for {dtype}")));
            }
            put_int_bytes(dtype, i as u64, out);
        }
        Kind::Float => {
            let x = match v {
                Value::Bool(b) => f64::from(u8::from(*b)),
                Value::Int(i) => *i as f64,
                Value::Float(x) => *x,
                Value::None => f64::NAN,
                other => return Err(bad(format!("cannot store {other} in {dtype}"))),
            };
            let bits: u64 = match n {
                2 => u64::from(half::f16::from_f64(x).to_bits()),
                4 => u64::from((x as f32).to_bits()),
                _ => x.to_bits(),
            };
            put_int_bytes(dtype, bits, out);
        }
        Kind::Unicode => match v {
            Value::Str(s) => super::put_unicode(dtype, s, out),
            // NumPy decodes bytes into a U array as ASCII (msgpack2 with raw=True); others fail there too.
            Value::Bytes(b) if b.is_ascii() => super::put_unicode(dtype, &String::from_utf8_lossy(b), out),
            other => {
                return Err(bad(format!(
                    "cannot store {other} in {dtype} (only str or ASCII bytes)"
                )))
            }
        },
        Kind::Bytes => match v {
            Value::Bytes(b) => super::put_bytes(dtype, b, out),
            Value::Str(s) if s.is_ascii() => super::put_bytes(dtype, s.as_bytes(), out),
            other => {
                return Err(bad(format!(
                    "cannot store {other} in {dtype} (only bytes or ASCII str)"
                )))
            }
        },
        _ => {
            return Err(bad(format!("decoding into {dtype} is not supported")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_follows_c_order() {
        let data: Vec<u8> = (0u8..6).collect();
        let u1 = DType::U8;
        let f = ArrayView::new(&data, u1, vec![2, 3], Order::F).unwrap();
        let v = array_tolist("t", &f).unwrap();
        let l = |xs: &[i128]| Value::List(xs.iter().map(|x| Value::Int(*x)).collect());
        assert_eq!(v, Value::List(vec![l(&[0, 2, 4]), l(&[1, 3, 5])]));
        let z = ArrayView::new(&[], u1, vec![2, 0], Order::C).unwrap();
        assert_eq!(
            array_tolist("t", &z).unwrap(),
            Value::List(vec![Value::List(vec![]), Value::List(vec![])])
        );
        let s = ArrayView::new(&[7], u1, vec![], Order::C).unwrap();
        assert_eq!(array_tolist("t", &s).unwrap(), Value::Int(7));
    }

    #[test]
    fn decoding_checks_values() {
        let i1 = DType::parse("|i1").unwrap();
        let d = to_decoded(
            "t",
            vec![Value::Int(-1), Value::Float(2.7)],
            i1,
            vec![2],
            &Limits::default(),
            false,
        );
        match d.unwrap() {
            Decoded::Array(a) => assert_eq!(a.data(), &[0xff, 2]),
            other => panic!("{other:?}"),
        }
        assert!(to_decoded("t", vec![Value::Int(128)], i1, vec![1], &Limits::default(), false).is_err());
        assert!(to_decoded("t", vec![Value::Int(1)], i1, vec![2], &Limits::default(), false).is_err());
        assert!(matches!(
            to_decoded(
                "t",
                vec![],
                DType::parse("<f8").unwrap(),
                vec![1 << 40],
                &Limits::default(),
                false
            ),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
