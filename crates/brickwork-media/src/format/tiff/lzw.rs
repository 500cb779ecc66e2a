//! TIFF's LZW (Compression = 5) inflated into a chunk of known size.
//!
//! A strip or tile is decoded whole into its output buffer, so every string the code table names is
//! already in that buffer: a table entry is a position and a length there (the entry added after a code
//! is the previous code's string followed by the first byte of this one, which is exactly the bytes
//! starting at the previous string's position), and decoding a code is one short copy, not a walk down a
//! chain of prefixes. Measured on one thread: a 2 MiB strip of a noisy 16-bit microscopy image, weezl
//! 0.1.12 222 MB/s, weezl 0.2.1 291 MB/s, imagecodecs' C decoder (tifffile's) about 650 MB/s; on the
//! noisy ramp of `tests::speed_against_weezl` (`cargo test --release -p brickwork-media
//! speed_against_weezl -- --ignored --nocapture`), this decoder 540-560 MB/s, weezl 0.1.12 220 MB/s.
//!
//! The stream is read as libtiff and tifffile read it: MSB-first codes of 9 to 12 bits, widened one
//! code early (TIFF's "early change"), Clear (256) and end-of-information (257) codes, and a chunk may
//! stop without an end code once its size is reached (or at the end of its bytes). Old-style
//! (pre-TIFF 5.0, LSB-first) LZW is not read: it is malformed here, and the `tiff` crate then names it.

const CLEAR: usize = 256;
const END: usize = 257;
const FIRST_FREE: usize = 258;
const MAX_CODES: usize = 4096;
const MAX_WIDTH: u32 = 12;

/// `raw` inflated into `out`: the number of bytes written, which is `out.len()` when the stream holds
/// at least that much (the rest is not read). `None` when the stream is malformed: a code naming an
/// entry not yet defined, or a string code where a Clear code requires a literal.
pub(super) fn decode(raw: &[u8], out: &mut [u8]) -> Option<usize> {
    // Entry k (FIRST_FREE ≤ k < next): `out[table[k].0 .. table[k].0 + table[k].1]`.
    let mut table = vec![(0usize, 0usize); MAX_CODES];
    let end_bit = raw.len().checked_mul(8)?;
    let mut bit = 0usize;
    let mut width = 9u32;
    let mut next = FIRST_FREE;
    // The previous code's string, where it was written: `None` right after a Clear code.
    let mut prev: Option<(usize, usize)> = None;
    let mut pos = 0usize;
    while pos < out.len() {
        // The code's bits, MSB first, lie within the 4 bytes at its first bit's byte.
        if bit + width as usize > end_bit {
            return Some(pos);
        }
        let byte = bit / 8;
        let word = match raw.get(byte..byte + 4) {
            Some(four) => u32::from_be_bytes([four[0], four[1], four[2], four[3]]),
            None => raw[byte..]
                .iter()
                .rev()
                .fold(0u32, |w, &b| (w >> 8) | u32::from(b) << 24),
        };
        let code = ((word << (bit % 8)) >> (32 - width)) as usize;
        bit += width as usize;
        let room = out.len() - pos;
        let written = match code {
            CLEAR => {
                (width, next, prev) = (9, FIRST_FREE, None);
                continue;
            }
            END => break,
            0..CLEAR => {
                out[pos] = code as u8;
                1
            }
            _ if code < next => {
                let (from, len) = table[code];
                copy_earlier(out, from, len.min(room), pos);
                len
            }
            _ if code == next => {
                // The code being defined by this very step: the previous string and its first byte.
                let (from, len) = prev?;
                copy_earlier(out, from, len.min(room), pos);
                if len < room {
                    out[pos + len] = out[from];
                }
                len + 1
            }
            _ => return None,
        };
        if let Some((from, len)) = prev {
            if next < MAX_CODES {
                table[next] = (from, len + 1);
                next += 1;
                if next + 1 >= 1 << width && width < MAX_WIDTH {
                    width += 1;
                }
            }
        }
        prev = Some((pos, written));
        pos += written.min(room);
    }
    Some(pos)
}

/// `out[from..from + len]` copied to `out[to..]`, where `from + len <= to` (the string was written
/// before). Most strings are a few bytes: those move as one 16-byte load and store when the buffer has
/// room for the bytes after them, which later strings overwrite.
#[inline(always)]
fn copy_earlier(out: &mut [u8], from: usize, len: usize, to: usize) {
    if len <= 16 && to + 16 <= out.len() {
        let mut chunk = [0u8; 16];
        chunk.copy_from_slice(&out[from..from + 16]);
        out[to..to + 16].copy_from_slice(&chunk);
    } else {
        out.copy_within(from..from + len, to);
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    fn encode(data: &[u8]) -> Vec<u8> {
        weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(data)
            .unwrap()
    }

    fn inflate(raw: &[u8], len: usize) -> Option<Vec<u8>> {
        let mut out = vec![0u8; len];
        let n = decode(raw, &mut out)?;
        out.truncate(n);
        Some(out)
    }

    /// Deterministic test data: noise of a few bits over a slow ramp (a microscope's image), runs, text.
    fn samples() -> Vec<Vec<u8>> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let noisy: Vec<u8> = (0..300_000)
            .map(|i| ((i / 700) as u8).wrapping_add((rand() % 7) as u8))
            .collect();
        let random: Vec<u8> = (0..100_000).map(|_| rand() as u8).collect();
        let runs: Vec<u8> = (0..200_000).map(|i| (i / 5000) as u8).collect();
        let text = b"the quick brown fox jumps over the lazy dog ".repeat(3000);
        vec![vec![], vec![7], vec![0; 100_000], noisy, random, runs, text]
    }

    #[test]
    fn decodes_what_weezl_encodes() {
        for data in samples() {
            let raw = encode(&data);
            assert_eq!(inflate(&raw, data.len()).unwrap(), data);
            // A larger buffer stops at the end code, a smaller one when full.
            assert_eq!(inflate(&raw, data.len() + 100).unwrap(), data);
            let half = data.len() / 2;
            assert_eq!(inflate(&raw, half).unwrap(), data[..half]);
        }
    }

    #[test]
    fn a_stream_may_end_without_its_end_code() {
        for data in samples() {
            let mut raw = encode(&data);
            // The end code is the last code; dropping the final bytes loses at most it and one string.
            raw.truncate(raw.len().saturating_sub(2));
            let got = inflate(&raw, data.len()).unwrap();
            assert!(data.starts_with(&got) && got.len() + 4096 >= data.len());
        }
    }

    #[test]
    fn codes_not_yet_defined_are_malformed() {
        // 9-bit codes MSB first: Clear, then 300 (undefined; the next free code is 258).
        let raw = [0b1000_0000, 0b0100_1011, 0b0000_0000];
        assert_eq!(inflate(&raw, 10), None);
        // Clear, then the next free code itself, which needs a previous string.
        let raw = [0b1000_0000, 0b0100_0000, 0b1000_0000];
        assert_eq!(inflate(&raw, 10), None);
    }

    #[test]
    fn garbage_never_panics() {
        let mut state = 1u64;
        for n in 0..2000 {
            let raw: Vec<u8> = (0..n % 300)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (state >> 33) as u8
                })
                .collect();
            for len in [0, 1, 17, 1000] {
                if let Some(out) = inflate(&raw, len) {
                    assert!(out.len() <= len);
                }
            }
        }
        // Every truncation and byte flip of a real stream.
        let data = &samples()[3][..20_000];
        let raw = encode(data);
        for cut in 0..raw.len() {
            let _ = inflate(&raw[..cut], data.len());
        }
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0x5a;
            let _ = inflate(&bad, data.len());
        }
    }

    #[test]
    #[ignore = "a measurement, not a check (see the module's documentation for the command)"]
    fn speed_against_weezl() {
        let data = &samples()[3];
        let raw = encode(data);
        let time = |f: &mut dyn FnMut()| {
            (0..20)
                .map(|_| {
                    let t = std::time::Instant::now();
                    f();
                    t.elapsed().as_secs_f64()
                })
                .fold(f64::MAX, f64::min)
        };
        let mut out = vec![0u8; data.len()];
        let ours = time(&mut || assert_eq!(decode(&raw, &mut out), Some(data.len())));
        let weezl = time(&mut || {
            let mut lzw = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
            let (mut input, mut at) = (&raw[..], 0);
            while at < out.len() {
                let res = lzw.decode_bytes(input, &mut out[at..]);
                (input, at) = (&input[res.consumed_in..], at + res.consumed_out);
            }
        });
        let mb = data.len() as f64 / 1e6;
        println!("brickwork {:.0} MB/s, weezl {:.0} MB/s", mb / ours, mb / weezl);
    }
}
