//! BloscLZ decoder (numcodecs-formats.md §2.1.4), written from the format description with every read
//! and write bounds-checked. It accepts exactly the streams c-blosc 1.21's `blosclz_decompress` accepts,
//! including its one quirk: when the input ends right after a match's header, the match is not copied
//! (c-blosc tests for more input before copying), so such a stream decodes short and is rejected by the
//! caller's size check, as in c-blosc.

/// Matches farther than this use the 16-bit "far" distance form.
const MAX_DISTANCE: usize = 8191;

/// Decodes `input` into `out`; returns the number of bytes written, or `None` if the stream is corrupt
/// (a read past the input, a write past `out`, or a match reaching before the start of the output).
pub(crate) fn decompress(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let n = input.len();
    let maxout = out.len();
    let Some(&first) = input.first() else {
        return Some(0);
    };
    let mut ctrl = usize::from(first & 31);
    let mut ip = 1usize;
    let mut op = 0usize;
    loop {
        if ctrl >= 32 {
            let mut len = (ctrl >> 5) - 1;
            let ofs = (ctrl & 31) << 8;
            if len == 6 {
                loop {
                    if ip + 1 >= n {
                        return None;
                    }
                    let code = *input.get(ip)?;
                    ip += 1;
                    len += usize::from(code);
                    if code != 255 {
                        break;
                    }
                }
            } else if ip + 1 >= n {
                return None;
            }
            let code = usize::from(*input.get(ip)?);
            ip += 1;
            len += 3;
            let mut distance = ofs + code + 1;
            if code == 255 && ofs == 31 << 8 {
                if ip + 1 >= n {
                    return None;
                }
                let far = (usize::from(*input.get(ip)?) << 8) | usize::from(*input.get(ip + 1)?);
                ip += 2;
                distance = far + MAX_DISTANCE + 1;
            }
            if op + len > maxout || distance > op {
                return None;
            }
            if ip >= n {
                break;
            }
            ctrl = usize::from(*input.get(ip)?);
            ip += 1;
            copy_match(out, op, distance, len)?;
            op += len;
        } else {
            let run = ctrl + 1;
            if op + run > maxout || ip + run > n {
                return None;
            }
            if op + 32 <= maxout && ip + 32 <= n {
                // a fixed-size copy (runs are at most 32 bytes); the bytes past the run are rewritten
                // by the instructions that follow before the stream can end successfully
                out.get_mut(op..op + 32)?.copy_from_slice(input.get(ip..ip + 32)?);
            } else {
                out.get_mut(op..op + run)?
                    .copy_from_slice(input.get(ip..ip + run)?);
            }
            op += run;
            ip += run;
            if ip >= n {
                break;
            }
            ctrl = usize::from(*input.get(ip)?);
            ip += 1;
        }
    }
    Some(op)
}

/// Copies `len` bytes from `distance` bytes back (overlap allowed: the source repeats with that period).
/// The caller checked `distance <= op` and `op + len <= out.len()`.
#[inline]
fn copy_match(out: &mut [u8], op: usize, distance: usize, len: usize) -> Option<()> {
    let src = op - distance;
    let end = op + len;
    if distance == 1 {
        let b = *out.get(src)?;
        out.get_mut(op..end)?.fill(b);
        return Some(());
    }
    if distance >= 16 && end + 16 <= out.len() {
        // 16 bytes at a time: each chunk's source lies wholly before its destination; the up to 15 bytes
        // written past `end` are rewritten by later instructions before the stream can end successfully
        let mut d = op;
        while d < end {
            out.copy_within(d - distance..d - distance + 16, d);
            d += 16;
        }
        return Some(());
    }
    // out[src..d] is periodic with period `distance` and its length is a multiple of it, so it can be
    // copied forward in chunks that double each time without ever overlapping their own destination.
    let mut d = op;
    while d < end {
        let c = (d - src).min(end - d);
        if src + c > out.len() || d + c > out.len() {
            return None;
        }
        out.copy_within(src..src + c, d);
        d += c;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_runs_and_matches() {
        // literal "abc" (ctrl 2), then a match len 3+ (ctrl>>5)-1 = 1 -> len 4... built by hand:
        // ctrl = (2 << 5) | 0 -> len = 1 + 3 = 4, ofs 0, code 2 -> distance 3: "abca"
        let input = [2u8, b'a', b'b', b'c', 2 << 5, 2, 0, b'z'];
        let mut out = [0u8; 8];
        assert_eq!(decompress(&input, &mut out), Some(8));
        assert_eq!(&out, b"abcabcaz");
        // a run: distance 1
        let input = [0u8, b'x', 7 << 5, 10, 0, 0, b'y'];
        let mut out = [0u8; 21];
        assert_eq!(decompress(&input, &mut out), Some(21));
        assert_eq!(&out[..20], &[b'x'; 20]);
        assert_eq!(out[20], b'y');
    }

    #[test]
    fn hostile_streams_fail_without_panicking() {
        let mut out = [0u8; 64];
        // a match before any output
        assert_eq!(decompress(&[0, b'a', 1 << 5, 5, 0, b'q'], &mut out), None);
        // a literal run past the input
        assert_eq!(decompress(&[20, b'a'], &mut out), None);
        // output overflow
        assert_eq!(decompress(&[0, b'a', 7 << 5, 200, 0, 0, b'b'], &mut out), None);
        // match header cut short
        assert_eq!(decompress(&[0, b'a', 1 << 5], &mut out), None);
        // every byte string of length <= 3 and a pseudo-random sweep: never panics
        let mut seed = 0x1234_5678_u32;
        for len in 0..200 {
            for _ in 0..200 {
                let v: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        seed as u8
                    })
                    .collect();
                let _ = decompress(&v, &mut out);
            }
        }
    }
}
