//! `zstd`: one Zstandard frame, as numcodecs' `Zstd` writes it.
//!
//! * Config: `{"id": "zstd", "level": 0, "checksum": false}`; configs written before numcodecs 0.13 have
//!   no `checksum` key and get `false`. `level` is kept as given (fixtures have -1 and 100): at encode it
//!   becomes `min(level, 22)`, 0 means libzstd's default (3), and libzstd clamps levels below -131072. A
//!   level outside a C `int` fails at encode (numcodecs: `OverflowError`).
//! * Wire format: one frame from `ZSTD_compress2` (single shot), so the content size is always in the
//!   header; `checksum` adds the 4-byte XXH64 content checksum. `b""` → `28 b5 2f fd 20 00 01 00 00`.
//! * Backend: the `zstd` crate pinned to libzstd 1.5.6, the version numcodecs 0.16/0.17 bundles, so output
//!   is byte-identical to those (the 2018 fixtures were written by an older libzstd and differ).
//! * Decode, as numcodecs ≥ 0.16.4: the input is walked frame by frame first
//!   (`ZSTD_findFrameCompressedSize`), so truncation and trailing junk are errors before anything is
//!   decoded; several frames decode to their concatenation, skippable frames add nothing, and frames
//!   without a content size are streamed. Declared sizes are checked against [`Limits`] (and against the
//!   most a frame of that length can hold, 32768 bytes per byte) before any allocation, so a 13-byte
//!   frame claiming a terabyte fails at once; streamed output grows only with real data. The decoder's
//!   window (its working memory for frames decoded in pieces) is capped at 128 MiB, libzstd's default
//!   and so numcodecs' cap too; a frame needing more is [`Error::LimitExceeded`]. The cap does not
//!   depend on the limit or `out`, so `decode` and `decode_into` accept the same frames.
//! * **Zero content** (the encoding of `b""`, or only skippable frames): numcodecs raises; brickwork
//!   decodes it to empty output, so empty chunks round-trip. Empty input (no frame at all) is an error.
//! * `decode_into`: when every frame declares its size, `out` may be larger (only the first N bytes are
//!   written; N is returned) but not smaller; when a frame has no content size, the data must fill
//!   `out` exactly, as in numcodecs.

use brickwork_core::{
    check_out_at_least, decode_zeroed, ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec,
};
use std::cell::Cell;
use std::mem::MaybeUninit;

use serde::{Deserialize, Serialize};
use zstd::zstd_safe::{self, CCtx, CParameter, DCtx, DParameter, InBuffer, OutBuffer, ResetDirective};

use crate::sink::Sink;

const ID: &str = "zstd";

/// `ZSTD_maxCLevel()`.
const MAX_LEVEL: i32 = 22;

/// A frame of n bytes holds at most 32768·n bytes: its best case is a run of RLE blocks, 4 bytes each
/// (3-byte block header + 1 byte) for at most 128 KiB of output.
const MAX_EXPANSION: u64 = 32 * 1024;

/// Skippable frames have magic numbers `0x184D2A50`–`0x184D2A5F`.
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;

/// `ZSTD_error_frameParameter_windowTooLarge` from zstd_errors.h (a stable value; libzstd is statically
/// linked at a pinned version). libzstd returns errors as `(size_t)-code`.
const WINDOW_TOO_LARGE: usize = 0usize.wrapping_sub(16);

/// The largest window log the decoder accepts: libzstd's default cap (`ZSTD_WINDOWLOG_LIMIT_DEFAULT`).
const MAX_WINDOW_LOG: u32 = 27;

/// numcodecs' `Zstd(level=0, checksum=False)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zstd {
    /// Compression level: 0 = default (3), 1–22, negative = fast levels; above 22 means 22.
    #[serde(default = "default_level")]
    pub level: i64,
    /// Whether to store a content checksum in the frame.
    #[serde(default)]
    pub checksum: bool,
}

fn default_level() -> i64 {
    0
}

impl Default for Zstd {
    fn default() -> Self {
        Zstd {
            level: default_level(),
            checksum: false,
        }
    }
}

impl Zstd {
    /// A zstd codec at `level`, with or without a content checksum.
    pub fn new(level: i64, checksum: bool) -> Self {
        Zstd { level, checksum }
    }
}

fn zstd_error(what: &str, code: usize) -> Error {
    if code == WINDOW_TOO_LARGE {
        return Error::LimitExceeded {
            codec: ID.to_owned(),
            what: "a frame's decoding window (larger than the window cap)".to_owned(),
            requested: 1 << (MAX_WINDOW_LOG + 1),
            limit: 1 << MAX_WINDOW_LOG,
        };
    }
    Error::corrupt(ID, format!("{what}: {}", zstd_safe::get_error_name(code)))
}

/// [`zstd_error`] for data that does not decode, worded as numcodecs words it first ("Zstd decompression
/// error: invalid input data"), so code that matches numcodecs' message matches this one.
fn invalid_input(what: &str, code: usize) -> Error {
    zstd_error(
        &format!("Zstd decompression error: invalid input data ({what})"),
        code,
    )
}

/// Walks the frames: returns the total declared content size, or `None` if a frame does not declare it.
/// A declared size over `limit` is [`Error::LimitExceeded`].
fn scan(encoded: &[u8], limit: usize) -> Result<Option<u64>> {
    if encoded.is_empty() {
        return Err(Error::corrupt(
            ID,
            "the input is empty; expected at least one zstd frame",
        ));
    }
    let mut pos = 0;
    let mut total = Some(0u64);
    while pos < encoded.len() {
        let rest = &encoded[pos..];
        let size = zstd_safe::find_frame_compressed_size(rest)
            .map_err(|c| invalid_input(&format!("no complete zstd frame at offset {pos}"), c))?;
        let frame = rest
            .get(..size)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| Error::corrupt(ID, format!("bad frame length {size} at offset {pos}")))?;
        let magic = frame
            .first_chunk::<4>()
            .map(|m| u32::from_le_bytes(*m))
            .unwrap_or_default();
        if magic & !0xF != SKIPPABLE_MAGIC {
            match zstd_safe::get_frame_content_size(frame) {
                Ok(Some(n)) => {
                    if n > limit as u64 {
                        return Err(Error::limit(ID, "the frame's declared content size", n, limit));
                    }
                    let most = size as u64 * MAX_EXPANSION;
                    if n > most {
                        return Err(Error::corrupt(
                            ID,
                            format!(
                                "the frame at offset {pos} declares {n} bytes of content but a {size}-byte \
                                 frame holds at most {most}"
                            ),
                        ));
                    }
                    total = total.map(|t| t.saturating_add(n));
                }
                Ok(None) => total = None,
                Err(_) => {
                    return Err(Error::corrupt(
                        ID,
                        format!("invalid frame header at offset {pos}"),
                    ));
                }
            }
        }
        pos += size;
    }
    Ok(total)
}

/// Streams every frame of `encoded` (already checked by [`scan`]) into `sink`.
fn stream(encoded: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let mut dctx = DCtx::create();
    dctx.set_parameter(DParameter::WindowLogMax(MAX_WINDOW_LOG))
        .map_err(|c| zstd_error("cannot set up the decoder", c))?;
    let mut input = InBuffer::around(encoded);
    let mut frame_done = false;
    while !(frame_done && input.pos() == encoded.len()) {
        let before = input.pos();
        let mut window = UninitBuf {
            buf: sink.window(ID)?,
            filled: 0,
        };
        let mut out = OutBuffer::around(&mut window);
        let hint = dctx
            .decompress_stream(&mut out, &mut input)
            .map_err(|c| invalid_input("not a valid zstd frame", c))?;
        let produced = out.pos();
        // SAFETY: libzstd stored `produced` bytes (the output position) at the start of the window.
        unsafe { sink.advance(ID, produced)? };
        frame_done = hint == 0;
        if !frame_done && produced == 0 && input.pos() == before {
            return Err(Error::corrupt(ID, "the data ended inside a frame"));
        }
    }
    Ok(())
}

thread_local! {
    /// This thread's libzstd contexts, kept between calls: creating one costs an allocation and, for a
    /// compression context, a workspace that a one-shot call would set up again every time. Reuse never
    /// changes the output: every use resets the context's session and parameters first (one-shot
    /// decompression starts a new frame by itself).
    static CCTX: Cell<Option<CCtx<'static>>> = const { Cell::new(None) };
    static DCTX: Cell<Option<DCtx<'static>>> = const { Cell::new(None) };
}

/// Runs `f` on this thread's compression context (a fresh one while the thread is exiting).
fn with_cctx<R>(f: impl FnOnce(&mut CCtx<'static>) -> R) -> R {
    let mut cctx = CCTX
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_else(CCtx::create);
    let r = f(&mut cctx);
    // keeping it fails only while the thread is exiting; the context is then dropped
    let _ = CCTX.try_with(|c| c.set(Some(cctx)));
    r
}

/// Runs `f` on this thread's decompression context (a fresh one while the thread is exiting).
fn with_dctx<R>(f: impl FnOnce(&mut DCtx<'static>) -> R) -> R {
    let mut dctx = DCTX
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_else(DCtx::create);
    let r = f(&mut dctx);
    let _ = DCTX.try_with(|c| c.set(Some(dctx)));
    r
}

impl Zstd {
    /// Compresses with this codec's level and checksum flag into `out` (see [`with_cctx`]).
    fn compress2<C: zstd_safe::WriteBuf + ?Sized>(&self, out: &mut C, data: &[u8]) -> Result<usize> {
        let level = i32::try_from(self.level)
            .map_err(|_| Error::invalid_config(ID, "level", format!("{} does not fit a C int", self.level)))?
            .min(MAX_LEVEL);
        let setup = |e| Error::invalid_config(ID, "level", zstd_safe::get_error_name(e));
        with_cctx(|cctx| {
            cctx.reset(ResetDirective::SessionAndParameters).map_err(setup)?;
            cctx.set_parameter(CParameter::CompressionLevel(level))
                .map_err(setup)?;
            cctx.set_parameter(CParameter::ChecksumFlag(self.checksum))
                .map_err(setup)?;
            cctx.compress2(out, data).map_err(compress_failed)
        })
    }
}

/// An uninitialised output buffer for libzstd, which only writes to it.
struct UninitBuf<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    /// How many leading bytes libzstd reported writing.
    filled: usize,
}

// SAFETY: as_slice covers only the `filled` bytes libzstd reported writing (zstd-safe calls
// `filled_until(n)` only after the C call wrote n bytes); capacity and as_mut_ptr describe exactly `buf`.
unsafe impl zstd_safe::WriteBuf for UninitBuf<'_> {
    fn as_slice(&self) -> &[u8] {
        let filled = self.filled.min(self.buf.len());
        // SAFETY: the first `filled` bytes were initialised by libzstd (see filled_until).
        unsafe { std::slice::from_raw_parts(self.buf.as_ptr().cast::<u8>(), filled) }
    }
    fn capacity(&self) -> usize {
        self.buf.len()
    }
    fn as_mut_ptr(&mut self) -> *mut u8 {
        self.buf.as_mut_ptr().cast()
    }
    unsafe fn filled_until(&mut self, n: usize) {
        self.filled = n;
    }
}

fn compress_failed(code: usize) -> Error {
    Error::invalid_input(
        ID,
        format!("compression failed: {}", zstd_safe::get_error_name(code)),
    )
}

impl Codec for Zstd {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let data = input.data();
        let mut out = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
        self.compress2(&mut out, data)?;
        Ok(out)
    }

    fn encoded_bound(&self, input: &ArrayView<'_>) -> Option<usize> {
        Some(zstd_safe::compress_bound(input.data().len()))
    }

    fn encode_into(&self, input: &ArrayView<'_>, out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        let data = input.data();
        let bound = zstd_safe::compress_bound(data.len());
        if out.len() < bound {
            return Err(Error::output_size(ID, format!("at least {bound}"), out.len()));
        }
        let mut buf = UninitBuf { buf: out, filled: 0 };
        self.compress2(&mut buf, data)
    }

    /// The first frame's content size, when its header stores one and zstd could expand the input that
    /// much (an RLE block of 128 KiB costs 4 bytes: at most 32768x).
    /// Skippable frames (whose "content size" libzstd reports as 0) declare nothing.
    fn declared_size(&self, encoded: &[u8]) -> Option<usize> {
        if !encoded.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            return None;
        }
        let size = zstd_safe::get_frame_content_size(encoded).ok()??;
        let size = usize::try_from(size).ok()?;
        (size <= encoded.len().saturating_mul(32768)).then_some(size)
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let limit = limits.max_decoded_bytes;
        let hint = match scan(encoded, limit)? {
            Some(total) => limits.check_declared(ID, total)?,
            None => encoded.len().saturating_mul(4),
        };
        let mut sink = Sink::grow(limits, hint);
        stream(encoded, &mut sink)?;
        Ok(ArrayBuf::from_bytes(sink.into_vec()))
    }

    fn decode_into_uninit(&self, encoded: &[u8], out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        // Every frame declares its size (what numcodecs writes): one libzstd call decodes them all
        // (skipping skippable frames) straight into `out`. Otherwise: zero `out` and stream.
        let Some(total) = scan(encoded, usize::MAX)? else {
            return decode_zeroed(self, encoded, out);
        };
        let total = usize::try_from(total).unwrap_or(usize::MAX);
        if out.len() < total {
            return Err(Error::output_size(ID, format!("at least {total}"), out.len()));
        }
        let Some(window) = out.get_mut(..total) else {
            return Err(Error::output_size(ID, format!("at least {total}"), out.len()));
        };
        let mut buf = UninitBuf {
            buf: window,
            filled: 0,
        };
        let n = with_dctx(|d| d.decompress(&mut buf, encoded))
            .map_err(|c| invalid_input("not a valid zstd frame", c))?;
        if n != total {
            return Err(Error::corrupt(
                ID,
                format!("the frames declare {total} bytes but decoded to {n}"),
            ));
        }
        Ok(n)
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let len = out.len();
        match scan(encoded, usize::MAX)? {
            Some(total) => {
                let total = usize::try_from(total).unwrap_or(usize::MAX);
                check_out_at_least(ID, total, out)?;
                // One libzstd call with this thread's context, as `decode_into_uninit` (streaming
                // would set up a new decoder and its window for every call: ~25 µs).
                let window = &mut out[..total];
                // SAFETY: initialised bytes are valid `MaybeUninit<u8>`, and `decode_into_uninit` only
                // ever writes initialised bytes (libzstd's output) through the reborrow.
                let window = unsafe { &mut *(window as *mut [u8] as *mut [MaybeUninit<u8>]) };
                self.decode_into_uninit(encoded, window)
            }
            None => {
                let mut sink = Sink::fixed(out);
                stream(encoded, &mut sink)?;
                let n = sink.filled();
                if n != len {
                    return Err(Error::output_size(ID, format!("exactly {n}"), len));
                }
                Ok(n)
            }
        }
    }
}

impl StaticCodec for Zstd {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["level", "checksum"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Zstd>();

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(enc: &[u8]) -> Result<Vec<u8>> {
        Zstd::default()
            .decode(enc, &Limits::default())
            .map(|b| b.into_data())
    }

    #[test]
    fn reused_contexts_give_the_bytes_of_fresh_ones() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 977 * 31).to_le_bytes())
            .collect();
        // alternate levels and the checksum flag on this thread's cached contexts
        for (level, checksum) in [(19, true), (1, false), (-5, true), (3, false), (19, false)] {
            let z = Zstd::new(level, checksum);
            let got = z.encode_bytes(&data).unwrap();
            let mut fresh = CCtx::create();
            fresh
                .set_parameter(CParameter::CompressionLevel(level as i32))
                .unwrap();
            fresh.set_parameter(CParameter::ChecksumFlag(checksum)).unwrap();
            let mut want = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
            fresh.compress2(&mut want, &data).unwrap();
            assert_eq!(got, want, "level {level} checksum {checksum}");
            let mut out = vec![MaybeUninit::new(0u8); data.len()];
            assert_eq!(z.decode_into_uninit(&got, &mut out).unwrap(), data.len());
            // a failed decode leaves the cached context usable
            assert!(z.decode_into_uninit(&got[..got.len() / 2], &mut out).is_err());
        }
    }

    /// A frame without content size: header `28 b5 2f fd`, FHD 0x00 (window descriptor follows, no FCS),
    /// window descriptor, one raw last block.
    fn streaming_frame(payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00];
        let bh = ((payload.len() as u32) << 3) | 1; // last block, raw
        f.extend_from_slice(&bh.to_le_bytes()[..3]);
        f.extend_from_slice(payload);
        f
    }

    fn skippable(n: usize) -> Vec<u8> {
        let mut f = vec![0x5a, 0x2a, 0x4d, 0x18];
        f.extend_from_slice(&(n as u32).to_le_bytes());
        f.extend(std::iter::repeat_n(7u8, n));
        f
    }

    #[test]
    fn round_trip_and_python_bytes() {
        let z = Zstd::default();
        let empty = z.encode_bytes(b"").unwrap();
        assert_eq!(empty, [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00]);
        assert_eq!(dec(&empty).unwrap(), b"");
        assert_eq!(
            z.encode_bytes(b"Hello world!").unwrap(),
            b"\x28\xb5\x2f\xfd\x20\x0c\x61\x00\x00Hello world!"
        );
        assert_eq!(
            z.encode_bytes(b"x").unwrap(),
            Zstd::new(3, false).encode_bytes(b"x").unwrap()
        );
        let data = b"hello hello hello hello".repeat(100);
        for level in [i64::from(i32::MIN), -1, 0, 1, 10, 22, 100] {
            for checksum in [false, true] {
                let enc = Zstd::new(level, checksum).encode_bytes(&data).unwrap();
                assert_eq!(enc[4] & 0x04 != 0, checksum);
                assert_eq!(dec(&enc).unwrap(), data, "level {level}");
            }
        }
        assert_eq!(
            Zstd::new(100, false).encode_bytes(&data).unwrap(),
            Zstd::new(22, false).encode_bytes(&data).unwrap()
        );
        assert!(Zstd::new(1 << 40, false).encode_bytes(b"x").is_err());
    }

    #[test]
    fn several_frames_streaming_frames_and_skippable_frames() {
        let z = Zstd::default();
        let a = z.encode_bytes(b"first,").unwrap();
        let b = streaming_frame(b"second,");
        let c = z.encode_bytes(b"third").unwrap();
        let all = [a.clone(), skippable(5), b.clone(), c.clone()].concat();
        assert_eq!(dec(&all).unwrap(), b"first,second,third");
        let mut out = vec![0u8; 18];
        assert_eq!(z.decode_into(&all, &mut out).unwrap(), 18);
        assert_eq!(out, b"first,second,third");
        // With an unknown size the data must fill `out` exactly.
        assert!(matches!(
            z.decode_into(&all, &mut [0u8; 19]),
            Err(Error::OutputSize { .. })
        ));
        assert!(matches!(
            z.decode_into(&all, &mut [0u8; 17]),
            Err(Error::OutputSize { .. })
        ));
        // Known sizes: a larger out is fine, a smaller one is not.
        let known = [a, c].concat();
        let mut out = [0xeeu8; 13];
        assert_eq!(z.decode_into(&known, &mut out).unwrap(), 11);
        assert_eq!(&out, b"first,third\xee\xee");
        assert!(matches!(
            z.decode_into(&known, &mut [0u8; 10]),
            Err(Error::OutputSize { .. })
        ));
        // Only skippable frames: empty output.
        assert_eq!(dec(&skippable(3)).unwrap(), b"");
    }

    #[test]
    fn truncation_junk_and_empty_input_are_errors() {
        let data: Vec<u8> = (0..3000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
        for checksum in [false, true] {
            let full = Zstd::new(3, checksum).encode_bytes(&data).unwrap();
            for cut in 0..full.len() {
                let e = dec(&full[..cut]).unwrap_err();
                assert!(matches!(e, Error::Corrupt { .. }), "cut {cut}: {e}");
            }
            let junk = [full.clone(), b"junk".to_vec()].concat();
            assert!(matches!(dec(&junk), Err(Error::Corrupt { .. })));
            if checksum {
                let mut bad = full.clone();
                let n = bad.len();
                bad[n - 1] ^= 1;
                assert!(matches!(dec(&bad), Err(Error::Corrupt { .. })));
            }
        }
        let s = streaming_frame(b"abc");
        for cut in 0..s.len() {
            assert!(dec(&s[..cut]).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn huge_claims_fail_fast() {
        // A single-segment frame header claiming 2^40 bytes, then one empty raw block.
        let mut f = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
        f.extend_from_slice(&(1u64 << 40).to_le_bytes());
        f.extend_from_slice(&[0x01, 0x00, 0x00]);
        let e = dec(&f).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
        // Under the limit but impossible for a frame of this length.
        let mut f = vec![0x28, 0xb5, 0x2f, 0xfd, 0xa0];
        f.extend_from_slice(&(100u32 << 20).to_le_bytes());
        f.extend_from_slice(&[0x01, 0x00, 0x00]);
        let e = dec(&f).unwrap_err();
        assert!(
            matches!(e, Error::Corrupt { .. }) && e.to_string().contains("at most"),
            "{e}"
        );
        // A real bomb: 64 MiB of zeros against a 1 MiB limit.
        let enc = Zstd::new(19, false).encode_bytes(&vec![0u8; 64 << 20]).unwrap();
        let e = Zstd::default().decode(&enc, &Limits::new(1 << 20)).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
        // A streaming frame (no content size) whose window is larger than the cap.
        let mut f = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, (30 - 10) << 3];
        f.extend_from_slice(&[0x19, 0x00, 0x00, b'a', b'b', b'c']);
        let e = dec(&f).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    }

    #[test]
    fn bad_level_fails_at_encode_and_old_configs_get_checksum_false() {
        let cfg = brickwork_core::config::from_json(r#"{"id":"zstd","level":100}"#).unwrap();
        let z = Zstd::from_config(&cfg).unwrap();
        assert_eq!(
            serde_json::to_string(&z.config()).unwrap(),
            r#"{"id":"zstd","level":100,"checksum":false}"#
        );
    }

    #[test]
    fn decode_into_uninit_matches_decode_into() {
        let z = Zstd::default();
        let data: Vec<u8> = (0..50_000u32).flat_map(|i| (i % 300).to_le_bytes()).collect();
        let mut two = z.encode_bytes(&data).unwrap();
        two.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]); // a skippable frame
        two.extend(z.encode_bytes(b"tail").unwrap());
        let mut want = data.clone();
        want.extend_from_slice(b"tail");
        let stream = streaming_frame(b"no content size");
        for (enc, want) in [(&two, &want[..]), (&stream, &b"no content size"[..])] {
            let mut out = vec![MaybeUninit::new(0xeeu8); want.len()];
            assert_eq!(z.decode_into_uninit(enc, &mut out).unwrap(), want.len());
            let got: Vec<u8> = out.iter().map(|b| unsafe { b.assume_init() }).collect();
            assert_eq!(got, want);
            let mut short = vec![MaybeUninit::new(0u8); want.len() - 1];
            assert!(z.decode_into_uninit(enc, &mut short).is_err());
        }
        // a frame whose blocks do not fill its declared size is an error
        let mut bad = z.encode_bytes(&data).unwrap();
        let n = bad.len();
        bad.truncate(n - 3);
        assert!(z
            .decode_into_uninit(&bad, &mut vec![MaybeUninit::new(0u8); data.len()])
            .is_err());
    }
}
