//! Zarr v2 `fill_value`s: the JSON spelling of one element, per dtype, both ways.
//!
//! Rules of the Zarr v2 spec as zarr-python writes them: bool → `true`/`false`; integers → JSON integers;
//! floats → numbers, or the strings `"NaN"`, `"Infinity"`, `"-Infinity"`; complex → `[re, im]`;
//! datetime64/timedelta64 → the integer count (NaT is the smallest int64); `S` and `V` → base64 of the
//! bytes; `U` → the string; `null` → no fill value (missing chunks read as zeros). Values that do not fit
//! the dtype are errors that name the dtype.

use base64::Engine;
use brickwork_core::{DType, Endian, Error, Kind, Result};
use serde_json::{json, Value};

/// The element bytes (in the dtype's byte order) of a JSON fill value, or `None` for `null`.
pub fn fill_to_bytes(dtype: DType, value: &Value) -> Result<Option<Vec<u8>>> {
    if value.is_null() {
        return Ok(None);
    }
    let bad =
        |why: &str| Error::InvalidArray(format!("fill_value {value} does not fit dtype {dtype}: {why}"));
    let n = dtype.itemsize();
    let le: Vec<u8> = match dtype.kind() {
        Kind::Bool => match value {
            Value::Bool(b) => vec![u8::from(*b)],
            Value::Number(x) if x.as_u64().is_some_and(|v| v <= 1) => vec![x.as_u64().unwrap_or(0) as u8],
            _ => return Err(bad("expected true or false")),
        },
        Kind::Int | Kind::DateTime(_) | Kind::TimeDelta(_) => {
            let v = value.as_i64().ok_or_else(|| bad("expected an integer"))?;
            let bits = 8 * n as u32;
            if bits < 64 && (v < -(1i64 << (bits - 1)) || v >= (1i64 << (bits - 1))) {
                return Err(bad("out of range"));
            }
            v.to_le_bytes()[..n].to_vec()
        }
        Kind::UInt => {
            let v = value
                .as_u64()
                .ok_or_else(|| bad("expected a non-negative integer"))?;
            if n < 8 && v >> (8 * n) != 0 {
                return Err(bad("out of range"));
            }
            v.to_le_bytes()[..n].to_vec()
        }
        Kind::Float => float_bytes(
            float_of(value).ok_or_else(|| bad("expected a number or NaN/Infinity"))?,
            n,
        )
        .ok_or_else(|| bad("unsupported float size"))?,
        Kind::Complex => {
            let parts = value
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| bad("expected [re, im]"))?;
            let mut out = Vec::with_capacity(n);
            for p in parts {
                let f = float_of(p).ok_or_else(|| bad("expected numbers"))?;
                out.extend(float_bytes(f, n / 2).ok_or_else(|| bad("unsupported complex size"))?);
            }
            out
        }
        Kind::Bytes | Kind::Void => {
            let s = value.as_str().ok_or_else(|| bad("expected a base64 string"))?;
            let mut b = base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|e| bad(&e.to_string()))?;
            if b.len() > n {
                return Err(bad("longer than the item size"));
            }
            b.resize(n, 0);
            return Ok(Some(b));
        }
        Kind::Unicode => {
            let s = value.as_str().ok_or_else(|| bad("expected a string"))?;
            let mut out: Vec<u8> = Vec::with_capacity(n);
            for c in s.chars() {
                out.extend(if dtype.endian() == Endian::Big {
                    (c as u32).to_be_bytes()
                } else {
                    (c as u32).to_le_bytes()
                });
            }
            if out.len() > n {
                return Err(bad("longer than the item size"));
            }
            out.resize(n, 0);
            return Ok(Some(out));
        }
        Kind::Object => return Err(bad("object arrays have no fixed-size fill value")),
    };
    Ok(Some(to_endian(dtype, le)))
}

/// The JSON fill value of an element given as bytes in the dtype's byte order (`None` → `null`).
pub fn fill_to_json(dtype: DType, bytes: Option<&[u8]>) -> Result<Value> {
    let Some(bytes) = bytes else {
        return Ok(Value::Null);
    };
    let n = dtype.itemsize();
    if bytes.len() != n {
        return Err(Error::InvalidArray(format!(
            "a fill value of dtype {dtype} has {n} bytes, not {}",
            bytes.len()
        )));
    }
    let le = to_endian(dtype, bytes.to_vec());
    let mut wide = [0u8; 8];
    let k = n.min(8);
    wide[..k].copy_from_slice(&le[..k]);
    Ok(match dtype.kind() {
        Kind::Bool => json!(le[0] != 0),
        Kind::Int | Kind::DateTime(_) | Kind::TimeDelta(_) => {
            let shift = 64 - 8 * k as u32;
            json!((i64::from_le_bytes(wide) << shift) >> shift)
        }
        Kind::UInt => json!(u64::from_le_bytes(wide)),
        Kind::Float => float_json(float_from(&le)),
        Kind::Complex => json!([
            float_json(float_from(&le[..n / 2])),
            float_json(float_from(&le[n / 2..]))
        ]),
        Kind::Bytes | Kind::Void => json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
        Kind::Unicode => {
            let s: String = le
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .take_while(|&u| u != 0)
                .filter_map(char::from_u32)
                .collect();
            json!(s)
        }
        Kind::Object => {
            return Err(Error::InvalidArray(
                "object arrays have no fixed-size fill value".into(),
            ))
        }
    })
}

/// Little-endian ↔ the dtype's byte order (numbers only; swapping is its own inverse). Complex numbers
/// swap each half.
fn to_endian(dtype: DType, mut b: Vec<u8>) -> Vec<u8> {
    if dtype.endian() == Endian::Big {
        let part = if matches!(dtype.kind(), Kind::Complex) {
            b.len() / 2
        } else {
            b.len()
        };
        for c in b.chunks_mut(part.max(1)) {
            c.reverse();
        }
    }
    b
}

fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(x) => x.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

fn float_bytes(f: f64, n: usize) -> Option<Vec<u8>> {
    match n {
        2 => Some(half::f16::from_f64(f).to_le_bytes().to_vec()),
        4 => Some((f as f32).to_le_bytes().to_vec()),
        8 => Some(f.to_le_bytes().to_vec()),
        _ => None,
    }
}

fn float_from(le: &[u8]) -> f64 {
    match *le {
        [a, b] => half::f16::from_le_bytes([a, b]).to_f64(),
        [a, b, c, d] => f64::from(f32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => f64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => f64::NAN,
    }
}

fn float_json(f: f64) -> Value {
    if f.is_nan() {
        json!("NaN")
    } else if f.is_infinite() {
        json!(if f > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(dtype: &str, v: Value) -> Value {
        let d = DType::parse(dtype).unwrap();
        let b = fill_to_bytes(d, &v).unwrap();
        fill_to_json(d, b.as_deref()).unwrap()
    }

    #[test]
    fn round_trips() {
        assert_eq!(round("<i2", json!(-5)), json!(-5));
        assert_eq!(round(">i4", json!(-70000)), json!(-70000));
        assert_eq!(round("<u8", json!(u64::MAX)), json!(u64::MAX));
        assert_eq!(round("<f4", json!(1.5)), json!(1.5));
        assert_eq!(round(">f8", json!("NaN")), json!("NaN"));
        assert_eq!(round("<f2", json!("-Infinity")), json!("-Infinity"));
        assert_eq!(round("<c16", json!([1.0, "NaN"])), json!([1.0, "NaN"]));
        assert_eq!(round("|b1", json!(true)), json!(true));
        assert_eq!(round("|S3", json!("YWI=")), json!("YWIA"));
        assert_eq!(round("<U3", json!("hé")), json!("hé"));
        assert_eq!(round("<M8[ns]", json!(i64::MIN)), json!(i64::MIN));
        assert_eq!(round("<f8", Value::Null), Value::Null);
        let be = fill_to_bytes(DType::parse(">u2").unwrap(), &json!(258))
            .unwrap()
            .unwrap();
        assert_eq!(be, vec![1, 2]);
    }

    #[test]
    fn misfits_are_errors() {
        for (d, v) in [
            ("|u1", json!(256)),
            ("|i1", json!(-129)),
            ("<f4", json!("x")),
            ("|S2", json!("YWJj")),
        ] {
            let e = fill_to_bytes(DType::parse(d).unwrap(), &v)
                .unwrap_err()
                .to_string();
            assert!(e.contains("does not fit dtype"), "{e}");
        }
    }
}
