//! Strict UTF-8 to UTF-32 in one pass: for building Python `str`s from decoded items
//! (`PyUnicode_FromWideChar` takes code points), where validating first and then decoding read every
//! byte twice (`str::from_utf8`, then `chars()`).

/// Decodes `bytes` into `out` (cleared first) as Unicode code points, or returns `false` (with `out`
/// unspecified) when `bytes` is not strict UTF-8: the rules of Rust's `str::from_utf8` and CPython's
/// `bytes.decode("utf-8")` (no overlong forms, no surrogates, nothing above U+10FFFF, no truncated or
/// stray continuation bytes).
pub fn utf8_to_utf32(bytes: &[u8], out: &mut Vec<u32>) -> bool {
    out.clear();
    out.reserve(bytes.len());
    // Every code point takes at least one byte, so `n <= i` and the spare capacity (at least
    // `bytes.len()`) holds them all.
    let dst = &mut out.spare_capacity_mut()[..bytes.len()];
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        // ASCII runs eight bytes at a time (most text, even where some characters are wider)
        while let Some(word) = bytes.get(i..i + 8) {
            if u64::from_le_bytes(word.try_into().unwrap_or_default()) & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            for (d, &b) in dst[n..n + 8].iter_mut().zip(word) {
                d.write(u32::from(b));
            }
            i += 8;
            n += 8;
        }
        let Some(&lead) = bytes.get(i) else { break };
        let cont = |k: usize| {
            bytes
                .get(i + k)
                .copied()
                .filter(|b| b & 0xC0 == 0x80)
                .map(|b| u32::from(b & 0x3F))
        };
        let (code, len) = match lead {
            0x00..=0x7F => (u32::from(lead), 1),
            0xC2..=0xDF => match cont(1) {
                Some(c1) => ((u32::from(lead & 0x1F) << 6) | c1, 2),
                None => return false,
            },
            0xE0..=0xEF => match (cont(1), cont(2)) {
                (Some(c1), Some(c2)) => {
                    let code = (u32::from(lead & 0x0F) << 12) | (c1 << 6) | c2;
                    if code < 0x800 || (0xD800..=0xDFFF).contains(&code) {
                        return false;
                    }
                    (code, 3)
                }
                _ => return false,
            },
            0xF0..=0xF4 => match (cont(1), cont(2), cont(3)) {
                (Some(c1), Some(c2), Some(c3)) => {
                    let code = (u32::from(lead & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
                    if !(0x10000..=0x10FFFF).contains(&code) {
                        return false;
                    }
                    (code, 4)
                }
                _ => return false,
            },
            _ => return false,
        };
        dst[n].write(code);
        n += 1;
        i += len;
    }
    // SAFETY: `dst[..n]`, the first `n` spare slots, were written above.
    unsafe { out.set_len(n) };
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(bytes: &[u8]) -> Option<Vec<u32>> {
        std::str::from_utf8(bytes)
            .ok()
            .map(|s| s.chars().map(u32::from).collect())
    }

    fn check(bytes: &[u8], out: &mut Vec<u32>) {
        let ok = utf8_to_utf32(bytes, out);
        match reference(bytes) {
            Some(want) => assert!(ok && *out == want, "{bytes:02x?}"),
            None => assert!(!ok, "{bytes:02x?} is not UTF-8"),
        }
    }

    #[test]
    fn every_sequence_of_up_to_three_bytes_agrees_with_std() {
        let mut out = Vec::new();
        for a in 0..=255u8 {
            check(&[a], &mut out);
            for b in 0..=255u8 {
                check(&[a, b], &mut out);
                // the third byte only matters after a lead byte of a 3- or 4-byte form
                if a >= 0xE0 {
                    for c in 0..=255u8 {
                        check(&[a, b, c], &mut out);
                    }
                } else {
                    check(&[a, b, b'x'], &mut out);
                    check(&[a, b, 0x80], &mut out);
                }
            }
        }
    }

    #[test]
    fn four_byte_forms_edges_and_mixed_text_agree_with_std() {
        let mut out = Vec::new();
        for a in [0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF] {
            for b in [0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0] {
                for c in [0x7F, 0x80, 0xBF, 0xC0] {
                    for d in [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF] {
                        check(&[a, b, c, d], &mut out);
                        check(&[b'a', a, b, c, d, b'z'], &mut out);
                    }
                }
            }
        }
        let text =
            "neuron_ß_µm_细胞_🧠_\u{7f}\u{80}\u{7ff}\u{800}\u{d7ff}\u{e000}\u{ffff}\u{10000}\u{10ffff}";
        check(text.as_bytes(), &mut out);
        for cut in 0..text.len() {
            check(&text.as_bytes()[..cut], &mut out);
            check(&text.as_bytes()[cut..], &mut out);
        }
        check(b"", &mut out);
        assert!(out.is_empty());
        // the eight-byte ASCII steps, with a wide, a broken or a stray byte at every offset
        for at in 0..24 {
            for odd in ["é".as_bytes(), "🧠".as_bytes(), &[0xE2, 0x28], &[0x80], &[0xFF]] {
                let mut bytes = vec![b'a'; at];
                bytes.extend_from_slice(odd);
                bytes.extend(std::iter::repeat_n(b'z', 19));
                check(&bytes, &mut out);
            }
        }
    }
}
