//! Bounded output for streaming decoders.
//!
//! A [`Sink`] hands a decoder windows to write into and refuses to grow past what the caller allows: a
//! growable buffer capped by [`Limits`] (memory grows only as real output arrives, never to a size an
//! untrusted header declares), or the caller's fixed `out` buffer. In both cases it keeps one byte of
//! headroom past the cap so that "the stream has more output than allowed" is detected by the decoder
//! actually producing it, rather than guessed.
//!
//! Windows are uninitialised memory (`MaybeUninit<u8>`): the growable buffer's spare capacity is never
//! zeroed first, which for incompressible data would cost as much as the decoding itself. A decoder
//! reports what it wrote with [`Sink::advance`], whose contract makes those bytes initialised.

use std::mem::MaybeUninit;

use brickwork_core::{Error, Limits, Result};

/// Where decoded bytes go.
pub(crate) enum Sink<'a> {
    /// A buffer that grows with the output up to `limit` bytes; its length is the bytes written.
    Grow { buf: Vec<u8>, limit: usize },
    /// The caller's buffer, plus one probe byte that must stay unwritten.
    Fixed {
        out: &'a mut [MaybeUninit<u8>],
        filled: usize,
        probe: [MaybeUninit<u8>; 1],
        probed: bool,
    },
}

const FIRST_CHUNK: usize = 64 * 1024;

impl<'a> Sink<'a> {
    /// A growable sink; `hint` is a first guess of the output size (clamped to the limit).
    pub(crate) fn grow(limits: &Limits, hint: usize) -> Self {
        let limit = limits.max_decoded_bytes;
        let first = hint.clamp(1, FIRST_CHUNK.max(hint)).min(limit.saturating_add(1));
        Sink::Grow {
            buf: Vec::with_capacity(first),
            limit,
        }
    }

    /// A sink writing into `out`.
    pub(crate) fn fixed(out: &'a mut [u8]) -> Self {
        // SAFETY: MaybeUninit<u8> has u8's layout, and a sink only ever stores initialised bytes into its
        // windows (decoders write decoded bytes), so `out` stays initialised.
        let out = unsafe { &mut *(out as *mut [u8] as *mut [MaybeUninit<u8>]) };
        Self::fixed_uninit(out)
    }

    /// A sink writing into possibly-uninitialised `out`; its first [`Sink::filled`] bytes are
    /// initialised when decoding ends.
    pub(crate) fn fixed_uninit(out: &'a mut [MaybeUninit<u8>]) -> Self {
        Sink::Fixed {
            out,
            filled: 0,
            probe: [MaybeUninit::uninit()],
            probed: false,
        }
    }

    /// Bytes written so far.
    pub(crate) fn filled(&self) -> usize {
        match self {
            Sink::Grow { buf, .. } => buf.len(),
            Sink::Fixed { filled, .. } => *filled,
        }
    }

    /// Forgets what was written after the first `mark` bytes (a trailing stream that turned out to be
    /// junk).
    pub(crate) fn rewind(&mut self, mark: usize) {
        match self {
            Sink::Grow { buf, .. } => buf.truncate(mark),
            Sink::Fixed { filled, probed, .. } => {
                *filled = (*filled).min(mark);
                *probed = false;
            }
        }
    }

    /// The next window to write into; never empty. Errors once the output is over the cap.
    pub(crate) fn window(&mut self, codec: &str) -> Result<&mut [MaybeUninit<u8>]> {
        match self {
            Sink::Grow { buf, limit } => {
                if buf.len() > *limit {
                    return Err(Error::limit(
                        codec,
                        "the decoded output",
                        buf.len() as u64,
                        *limit,
                    ));
                }
                let cap = limit.saturating_add(1);
                if buf.len() == buf.capacity() {
                    let new_cap = buf.capacity().saturating_mul(2).max(FIRST_CHUNK).min(cap);
                    buf.reserve_exact(new_cap - buf.len());
                }
                // never hand out room past the cap (the allocator may have given more)
                let room = cap - buf.len();
                let spare = buf.spare_capacity_mut();
                let n = spare.len().min(room);
                Ok(&mut spare[..n])
            }
            Sink::Fixed {
                out,
                filled,
                probe,
                probed,
            } => {
                if *filled < out.len() {
                    Ok(&mut out[*filled..])
                } else if !*probed {
                    *probed = true;
                    Ok(&mut probe[..])
                } else {
                    Err(Error::output_size(
                        codec,
                        format!("more than {}", out.len()),
                        out.len(),
                    ))
                }
            }
        }
    }

    /// Records that the first `n` bytes of the last window were written.
    ///
    /// # Safety
    /// The decoder must have initialised the first `n` bytes of the window last returned by
    /// [`Sink::window`] (every caller passes the growth of its decoder's output counter, which counts
    /// bytes the decoder stored there).
    pub(crate) unsafe fn advance(&mut self, codec: &str, n: usize) -> Result<()> {
        match self {
            Sink::Grow { buf, limit } => {
                let len = buf.len() + n.min(buf.capacity() - buf.len());
                // SAFETY: the caller initialised these `n` bytes of the spare capacity (the window), and
                // `len` never exceeds the capacity.
                unsafe { buf.set_len(len) };
                if len > *limit {
                    return Err(Error::limit(codec, "the decoded output", len as u64, *limit));
                }
            }
            Sink::Fixed {
                out, filled, probed, ..
            } => {
                if *probed && n > 0 {
                    return Err(Error::output_size(
                        codec,
                        format!("more than {}", out.len()),
                        out.len(),
                    ));
                }
                // An unwritten probe may be handed out again (a decoder can need several calls, or
                // several streams, that produce nothing once `out` is full).
                *probed = false;
                *filled += n;
            }
        }
        Ok(())
    }

    /// The decoded bytes of a growable sink.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self {
            Sink::Grow { buf, .. } => buf,
            Sink::Fixed { out, filled, .. } => {
                let written = &out[..filled.min(out.len())];
                // SAFETY: the first `filled` bytes were initialised by the decoder (advance's contract).
                unsafe { std::slice::from_raw_parts(written.as_ptr().cast::<u8>(), written.len()) }.to_vec()
            }
        }
    }
}

/// The first `n` bytes of a window a decoder just wrote, as bytes.
///
/// # Safety
/// The first `n` bytes of `window` must be initialised.
pub(crate) unsafe fn written(window: &[MaybeUninit<u8>], n: usize) -> &[u8] {
    let n = n.min(window.len());
    // SAFETY: the caller guarantees the first `n` bytes are initialised; MaybeUninit<u8> has u8's layout.
    unsafe { std::slice::from_raw_parts(window.as_ptr().cast::<u8>(), n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `byte` into the whole window and records it.
    fn fill(s: &mut Sink<'_>, byte: u8) -> Result<usize> {
        let w = s.window("t")?;
        let n = w.len();
        for b in w.iter_mut() {
            b.write(byte);
        }
        // SAFETY: every byte of the window was just written.
        unsafe { s.advance("t", n)? };
        Ok(n)
    }

    #[test]
    fn grow_stops_at_the_limit() {
        let mut s = Sink::grow(&Limits::new(10), 4);
        let err = loop {
            if let Err(e) = fill(&mut s, 7) {
                break e;
            }
        };
        assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
        // one byte of headroom past the cap, so the overflow was produced, not guessed
        assert_eq!(s.filled(), 11);
    }

    #[test]
    fn grow_keeps_what_was_written_and_rewinds() {
        let mut s = Sink::grow(&Limits::new(1 << 20), 3);
        for byte in 1..=4u8 {
            fill(&mut s, byte).unwrap();
        }
        let mark = s.filled();
        fill(&mut s, 9).unwrap();
        s.rewind(mark);
        let v = s.into_vec();
        assert_eq!(v.len(), mark);
        assert!(v.iter().all(|b| (1..=4).contains(b)));
        assert!(v.windows(2).all(|w| w[0] <= w[1]), "written in order");
    }

    #[test]
    fn fixed_detects_overflow() {
        let mut out = [0u8; 3];
        let mut s = Sink::fixed(&mut out);
        assert_eq!(fill(&mut s, 5).unwrap(), 3);
        let probe = s.window("t").unwrap();
        assert_eq!(probe.len(), 1);
        probe[0].write(1);
        // SAFETY: the probe byte was just written.
        assert!(unsafe { s.advance("t", 1) }.is_err());
        assert_eq!(s.into_vec(), vec![5, 5, 5]);
    }

    #[test]
    fn fixed_probe_can_be_offered_again_while_unwritten() {
        let mut out = [0u8; 0];
        let mut s = Sink::fixed(&mut out);
        for _ in 0..3 {
            assert_eq!(s.window("t").unwrap().len(), 1);
            // SAFETY: nothing is recorded.
            unsafe { s.advance("t", 0).unwrap() };
        }
        assert_eq!(s.window("t").unwrap().len(), 1);
        assert!(fill(&mut s, 1).is_err());
    }
}
