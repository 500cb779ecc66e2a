//! The length-prefixed item list shared by `vlen-utf8`, `vlen-bytes` and `vlen-array` (spec §5.5):
//!
//! ```text
//! u32le n_items
//! repeat n_items: u32le byte_length L ‖ L bytes
//! ```
//!
//! Decoding follows numcodecs' `vlen.pyx`: fewer than 4 bytes → "corrupt buffer, missing or truncated
//! header"; a length or item running past the end → "corrupt buffer, data seem truncated"; bytes after
//! the last item are ignored. The declared count is untrusted: the item list grows with the items
//! actually present (each needs at least 4 bytes), never by the count.

use brickwork_core::{Error, Limits, Result};

use super::{prefetch, Put, PREFETCH_AHEAD};

/// Writes `items` in the vlen framing.
pub(crate) fn encode<'a, I>(codec: &str, n: usize, items: I) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = &'a [u8]>,
    I::IntoIter: Clone,
{
    let mut out = Vec::with_capacity(4usize.saturating_add(n.saturating_mul(4)));
    write(codec, n, items, &mut out)?;
    Ok(out)
}

/// The framed size of items of these lengths: 4 + per item 4 + its length.
pub(crate) fn encoded_len(lengths: impl IntoIterator<Item = usize>) -> usize {
    lengths
        .into_iter()
        .fold(4usize, |acc, len| acc.saturating_add(len).saturating_add(4))
}

/// Writes the framing of `n` items to `out`.
pub(crate) fn write<'a, I, P>(codec: &str, n: usize, items: I, out: &mut P) -> Result<()>
where
    I: IntoIterator<Item = &'a [u8]>,
    I::IntoIter: Clone,
    P: Put,
{
    let items = items.into_iter();
    let mut ahead = items.clone().skip(PREFETCH_AHEAD);
    let count = u32::try_from(n)
        .map_err(|_| Error::invalid_input(codec, format!("{n} items do not fit the u32 item count")))?;
    out.put(&count.to_le_bytes());
    let mut written = 0usize;
    for item in items {
        if let Some(next) = ahead.next() {
            prefetch(next);
        }
        let len = u32::try_from(item.len()).map_err(|_| {
            Error::invalid_input(
                codec,
                format!(
                    "an item of {} bytes does not fit the u32 length prefix",
                    item.len()
                ),
            )
        })?;
        out.put(&len.to_le_bytes());
        out.put(item);
        written += 1;
    }
    if written != n {
        return Err(Error::invalid_input(
            codec,
            format!("expected {n} items, got {written}"),
        ));
    }
    Ok(())
}

/// The declared item count, bounded by what the data can hold (each item takes at least its 4-byte
/// length): a safe capacity for the items.
pub(crate) fn count_hint(encoded: &[u8]) -> usize {
    let declared = encoded
        .first_chunk::<4>()
        .map_or(0, |h| u32::from_le_bytes(*h) as usize);
    declared.min(encoded.len() / 4)
}

/// Splits vlen-framed bytes into item slices, checking the total against `limits`.
pub(crate) fn decode<'a>(codec: &str, encoded: &'a [u8], limits: &Limits) -> Result<Vec<&'a [u8]>> {
    let mut items = Vec::with_capacity(count_hint(encoded));
    for_each(codec, encoded, limits, |_, item| {
        items.push(item);
        Ok(())
    })?;
    Ok(items)
}

/// Calls `f(i, item)` for every item of vlen-framed bytes in order, checking each item against the
/// buffer and the running total against `limits` before handing it over (an error of `f` stops the
/// walk); returns the item count. Nothing is allocated here, whatever the declared count.
pub(crate) fn for_each<'a>(
    codec: &str,
    encoded: &'a [u8],
    limits: &Limits,
    mut f: impl FnMut(usize, &'a [u8]) -> Result<()>,
) -> Result<usize> {
    let Some((head, mut rest)) = encoded.split_first_chunk::<4>() else {
        return Err(Error::corrupt(
            codec,
            format!(
                "corrupt buffer, missing or truncated header (need 4 bytes for the item count, got {})",
                encoded.len()
            ),
        ));
    };
    let n = u32::from_le_bytes(*head) as usize;
    let mut total = 0usize;
    for i in 0..n {
        let Some((len, tail)) = rest.split_first_chunk::<4>() else {
            return Err(truncated(codec, i, n, "its length prefix"));
        };
        let len = u32::from_le_bytes(*len) as usize;
        if len > tail.len() {
            return Err(truncated(codec, i, n, &format!("its {len} bytes of data")));
        }
        let (item, after) = tail.split_at(len);
        total = total.saturating_add(len);
        if total > limits.max_decoded_bytes {
            return Err(Error::limit(
                codec,
                "the items' data",
                total as u64,
                limits.max_decoded_bytes,
            ));
        }
        f(i, item)?;
        rest = after;
    }
    Ok(n)
}

fn truncated(codec: &str, i: usize, n: usize, what: &str) -> Error {
    Error::corrupt(
        codec,
        format!("corrupt buffer, data seem truncated (item {i} of {n}: the buffer ends before {what})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_unframes() {
        let enc = encode("t", 3, [&b"ab"[..], b"", b"xyz"]).unwrap();
        assert_eq!(enc, b"\x03\0\0\0\x02\0\0\0ab\0\0\0\0\x03\0\0\0xyz");
        let items = decode("t", &enc, &Limits::default()).unwrap();
        assert_eq!(items, vec![&b"ab"[..], b"", b"xyz"]);
        assert_eq!(encode("t", 0, []).unwrap(), [0, 0, 0, 0]);
    }

    #[test]
    fn corrupt_inputs() {
        let e = decode("t", b"\x01\0\0", &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("missing or truncated header"), "{e}");
        let e = decode("t", b"\x01\0\0\0\x05\0\0\0ab", &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("data seem truncated"), "{e}");
        // A huge declared count with a tiny buffer fails without allocating for the count.
        let e = decode("t", b"\xff\xff\xff\xff\x00\0\0\0", &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("item 1 of 4294967295"), "{e}");
        let e = decode("t", b"\x01\0\0\0\x03\0\0\0abc", &Limits::new(2)).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
        // Trailing bytes are ignored.
        assert_eq!(
            decode("t", b"\x00\0\0\0junk", &Limits::default()).unwrap().len(),
            0
        );
    }
}
