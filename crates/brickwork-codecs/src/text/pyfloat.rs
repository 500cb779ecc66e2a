//! Python's `repr(float)`: the shortest digits that round-trip, laid out as CPython's `float_repr_style
//! = 'short'` does (`PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0)`).
//!
//! * fixed notation when the decimal point position `decpt` (digits `d1d2...` × 10^(decpt−1)... i.e.
//!   `0.d1d2... × 10^decpt`) satisfies `-4 < decpt <= 16`, with `.0` added to integral values:
//!   `1.0`, `0.0001`, `1000000000000000.0`;
//! * otherwise `d[.ddd]e±XX`, at least two exponent digits: `1e+16`, `1e-05`, `1.5e+300`;
//! * `-0.0` keeps its sign. NaN and infinities are not numbers here: JSON spells them `NaN`,
//!   `Infinity`, `-Infinity` ([`json_float`]).
//!
//! The shortest round-trip length comes from Rust's `{:e}` formatting (Grisu/Dragon shortest mode); the
//! digits of that length are then correctly rounded (ties to even), as CPython's `dtoa` mode 0 gives them.

/// `repr(x)` for a finite `x`; non-finite values give `nan`, `inf`, `-inf` as Python's `repr`.
pub fn repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // "-1.2345e-7" → sign, digits "12345", exponent -7. Rust's shortest `{:e}` breaks an exact tie
    // between two shortest candidates upward; CPython's dtoa takes the nearest string of that length
    // with ties to even, which is the correctly rounded `{:.N$e}` (87.907379150390625 → ...062).
    let shortest = format!("{x:e}");
    let n = shortest
        .split('e')
        .next()
        .map_or(1, |m| m.chars().filter(char::is_ascii_digit).count());
    let s = format!("{x:.prec$e}", prec = n.saturating_sub(1));
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let (mant, exp) = body.split_once('e').unwrap_or((body, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let digits = if digits.is_empty() { "0".to_owned() } else { digits };
    let decpt = exp + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    let nd = digits.len() as i32;
    if -4 < decpt && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            for _ in 0..(-decpt) {
                out.push('0');
            }
            out.push_str(&digits);
        } else if decpt >= nd {
            out.push_str(&digits);
            for _ in 0..(decpt - nd) {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let (a, b) = digits.split_at(decpt as usize);
            out.push_str(a);
            out.push('.');
            out.push_str(b);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = decpt - 1;
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        let ea = e.unsigned_abs();
        if ea < 10 {
            out.push('0');
        }
        out.push_str(&ea.to_string());
    }
    out
}

/// A float as Python's `json` module writes it (`float.__repr__`, `NaN`, `Infinity`, `-Infinity`).
pub fn json_float(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        repr(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_repr_vectors() {
        // Each pair checked against CPython 3.12 `repr`.
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (3.0, "3.0"),
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (0.00012345, "0.00012345"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1.5e300, "1.5e+300"),
            (-2.5e-300, "-2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::from(0.1f32), "0.10000000149011612"),
            (123.456, "123.456"),
            (-1e100, "-1e+100"),
            (1e22, "1e+22"),
            (0.5, "0.5"),
            (100.0, "100.0"),
        ];
        for (x, want) in cases {
            assert_eq!(repr(*x), *want, "{x:e}");
            assert_eq!(repr(*x).parse::<f64>().unwrap().to_bits(), x.to_bits());
        }
        assert_eq!(json_float(f64::NAN), "NaN");
        // An exact tie between two 16-digit candidates: CPython rounds to even.
        assert_eq!(repr(f64::from_bits(0x4055_fa12_8000_0000)), "87.90737915039062");
        assert_eq!(repr(f64::from(87.907_38_f32)), "87.90737915039062");
    }

    #[test]
    fn matches_cpython_on_random_and_boundary_values() {
        // pyfloat_cpython.txt: f64 bit patterns and CPython 3.11's repr() of each (random finite
        // doubles, powers of ten around the fixed/exponent switch, subnormals, extremes).
        let table = include_str!("pyfloat_cpython.txt");
        let mut n = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (bits, want) = line.split_once(' ').unwrap();
            let x = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
            assert_eq!(repr(x), want, "{bits}");
            n += 1;
        }
        assert!(n > 700, "{n}");
        assert_eq!(json_float(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(json_float(f64::INFINITY), "Infinity");
    }
}
