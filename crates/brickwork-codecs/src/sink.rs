//! Bounded output for streaming decoders.
//!
//! A [`Sink`] hands a decoder windows to write into and refuses to grow past what the caller allows: a
//! growable buffer capped by [`Limits`] (memory grows only as real output arrives, never to a size an
//! untrusted header declares), or the caller's fixed `out` buffer. In both cases it keeps one byte of
//! headroom past the cap so that "the stream has more output than allowed" is detected by the decoder
//! actually producing it, rather than guessed.

use brickwork_core::{Error, Limits, Result};

/// Where decoded bytes go.
pub(crate) enum Sink<'a> {
    /// A buffer that grows with the output up to `limit` bytes.
    Grow {
        buf: Vec<u8>,
        filled: usize,
        limit: usize,
    },
    /// The caller's buffer, plus one probe byte that must stay unwritten.
    Fixed {
        out: &'a mut [u8],
        filled: usize,
        probe: [u8; 1],
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
            buf: vec![0; first],
            filled: 0,
            limit,
        }
    }

    /// A sink writing into `out`.
    pub(crate) fn fixed(out: &'a mut [u8]) -> Self {
        Sink::Fixed {
            out,
            filled: 0,
            probe: [0],
            probed: false,
        }
    }

    /// Bytes written so far.
    pub(crate) fn filled(&self) -> usize {
        match self {
            Sink::Grow { filled, .. } | Sink::Fixed { filled, .. } => *filled,
        }
    }

    /// The next window to write into; never empty. Errors once the output is over the cap.
    pub(crate) fn window(&mut self, codec: &str) -> Result<&mut [u8]> {
        match self {
            Sink::Grow { buf, filled, limit } => {
                if *filled > *limit {
                    return Err(Error::limit(codec, "the decoded output", *filled as u64, *limit));
                }
                if *filled == buf.len() {
                    let cap = limit.saturating_add(1);
                    let new_len = buf.len().saturating_mul(2).max(FIRST_CHUNK).min(cap);
                    buf.resize(new_len, 0);
                }
                Ok(&mut buf[*filled..])
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

    /// Records that `n` bytes of the last window were written.
    pub(crate) fn advance(&mut self, codec: &str, n: usize) -> Result<()> {
        match self {
            Sink::Grow { filled, limit, .. } => {
                *filled += n;
                if *filled > *limit {
                    return Err(Error::limit(codec, "the decoded output", *filled as u64, *limit));
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
            Sink::Grow { mut buf, filled, .. } => {
                buf.truncate(filled);
                buf
            }
            Sink::Fixed { out, filled, .. } => out[..filled].to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grow_stops_at_the_limit() {
        let mut s = Sink::grow(&Limits::new(10), 4);
        let mut total = 0;
        let err = loop {
            match s.window("t") {
                Ok(w) => {
                    let n = w.len();
                    total += n;
                    if let Err(e) = s.advance("t", n) {
                        break e;
                    }
                }
                Err(e) => break e,
            }
        };
        assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
        assert_eq!(total, 11);
    }

    #[test]
    fn fixed_detects_overflow() {
        let mut out = [0u8; 3];
        let mut s = Sink::fixed(&mut out);
        let w = s.window("t").unwrap();
        assert_eq!(w.len(), 3);
        s.advance("t", 3).unwrap();
        assert_eq!(s.window("t").unwrap().len(), 1);
        assert!(s.advance("t", 1).is_err());
    }

    #[test]
    fn fixed_probe_can_be_offered_again_while_unwritten() {
        let mut out = [0u8; 0];
        let mut s = Sink::fixed(&mut out);
        for _ in 0..3 {
            assert_eq!(s.window("t").unwrap().len(), 1);
            s.advance("t", 0).unwrap();
        }
        assert_eq!(s.window("t").unwrap().len(), 1);
        assert!(s.advance("t", 1).is_err());
    }
}
