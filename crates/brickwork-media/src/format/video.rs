//! Video: MP4, MOV, MKV and AVI (H.264, yuv420p) and WebM (VP9, yuv420p) through the `ffmpeg` program.
//!
//! imageio's `FFMPEG` plugin drives the imageio-ffmpeg binary over pipes; brickwork runs the system
//! `ffmpeg` (Debian package `ffmpeg`; the environment variable `BRICKWORK_FFMPEG` or
//! [`set_default_ffmpeg`] names another binary, see [`ffmpeg_program`]) the same way, so the encoded
//! streams and the decoded frames match imageio's (byte for byte when both run the same binary: the
//! Python package picks imageio-ffmpeg's when it is installed).
//!
//! **Writing** (`encode`): raw frames go to ffmpeg's stdin (`-f rawvideo -pix_fmt gray|gray8a|rgb24|rgba
//! -r FPS -i -`), which encodes them with `-vcodec libx264 -pix_fmt yuv420p` (mp4, mov, mkv, avi) or
//! `-vcodec libvpx-vp9 -pix_fmt yuv420p` (webm) into a temporary file (MP4 and MOV need a seekable
//! output; imageio also writes a temporary file). The file is read back and always removed.
//! * Frames: a list is a list of frames; an array is split the way imageio's legacy plugins split it
//!   (`(N, H, W, C)` with C < 5 and `(N, H, W)` with W ≥ 5 are stacks; `(H, W)` and `(H, W, C)` with
//!   C < 5 are one frame, written as a one-frame video). All frames must share shape and dtype.
//! * Channels, as imageio-ffmpeg: 1 → `gray`, 2 → `gray8a`, 3 → `rgb24`, 4 → `rgba`, and ffmpeg converts to
//!   yuv420p (alpha is dropped; gray becomes luma only). Reading always gives RGB.
//! * Dtypes, as imageio's `image_as_uint(im, bitdepth=8)`, frame by frame: u8 as is; u16, u32 and u64
//!   shifted right to their top 8 bits; floats within [0, 1] scaled by 255 (+0.499999999, truncated);
//!   anything else (signed integers, bool, floats outside [0, 1]) min-max scaled to 0..=255 per frame
//!   (a constant frame is cast as NumPy's `astype(uint8)` does); NaN/inf extremes are an error. Complex
//!   and non-numeric dtypes are refused.
//! * Frame size: **odd sizes are padded to even** (yuv420p needs even sizes) by repeating the last column
//!   and/or row, so a 33×17 frame is stored (and read back) as 34×18. imageio instead *resizes* every frame
//!   to a multiple of 16 (33×17 → 48×32, blurring all pixels); brickwork never resizes.
//! * `fps` defaults to 10 (imageio's default). `quality` 1..=100 maps to x264 CRF `51·(100-q)/100` or VP9
//!   CRF `63·(100-q)/100`; without it x264 uses its default CRF (as imageio, which passes no quality) and
//!   VP9 uses constant quality CRF 31. `lossless` selects `-qp 0` / `-lossless 1` (still yuv420p, so
//!   chroma is subsampled).
//! * `.webm` works (imageio fails there, because it always asks for libx264).
//!
//! **Reading** (`decode`): the container is recognised from its magic bytes (ISO-BMFF `ftyp`, Matroska
//! EBML, RIFF `AVI `); anything else is refused before ffmpeg runs, and ffmpeg is told that demuxer
//! (`-f mov|matroska|avi`), so playlists and other formats that reference outside files are never parsed.
//! The bytes go to a temporary file (MP4 may keep its index at the end), and ffmpeg writes the first video
//! stream as rgb24 raw frames (`-map 0:v:0 -pix_fmt rgb24 -vcodec rawvideo -f image2pipe -`, imageio-ffmpeg's
//! arguments) to a pipe. The frame size is taken from ffmpeg's description of that output stream; the bytes
//! read are checked against [`crate::MediaLimits`] as they arrive (frames × W × H × 3), and ffmpeg is killed
//! when they go over. The result is `(N, H, W, 3)` u8, as imageio returns with `index=None`, also for a
//! one-frame video.
//!
//! On any error the child process is killed and waited for, and temporary files are removed. ffmpeg runs
//! with `-timelimit` ([`FFMPEG_CPU_SECONDS`] of CPU time), so crafted input that sends a decoder into an
//! endless loop ends with an error instead of a hang.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::RwLock;
use std::thread::JoinHandle;

use brickwork_core::{ArrayBuf, DType, Kind, Order};

use super::samples::{self, Frame};
use super::{DecodeOptions, EncodeOptions};
use crate::{MediaData, MediaError, Result};

/// The format name used in messages and limit errors.
const FORMAT: &str = "video";

/// Frames per second written when none is given (imageio's default).
pub const DEFAULT_FPS: f64 = 10.0;

/// A video container brickwork writes and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// `.mp4`: ISO base media file, H.264.
    Mp4,
    /// `.mov`: QuickTime, H.264.
    Mov,
    /// `.mkv`: Matroska, H.264.
    Mkv,
    /// `.avi`: AVI, H.264.
    Avi,
    /// `.webm`: WebM (Matroska subset), VP9.
    WebM,
}

impl Container {
    /// Every container.
    pub const ALL: &'static [Container] = &[
        Container::Mp4,
        Container::Mov,
        Container::Mkv,
        Container::Avi,
        Container::WebM,
    ];

    /// The container of an extension such as `".mp4"` (ASCII case-insensitive).
    pub fn from_extension(ext: &str) -> Option<Container> {
        Container::ALL
            .iter()
            .copied()
            .find(|c| c.extension().eq_ignore_ascii_case(ext))
    }

    /// The extension with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            Container::Mp4 => ".mp4",
            Container::Mov => ".mov",
            Container::Mkv => ".mkv",
            Container::Avi => ".avi",
            Container::WebM => ".webm",
        }
    }

    /// The container whose magic bytes start `bytes` (MP4 for any ISO-BMFF/QuickTime file, MKV for any
    /// Matroska file except those whose DocType is `webm`).
    pub fn sniff(bytes: &[u8]) -> Option<Container> {
        let box_type = bytes.get(4..8);
        if matches!(box_type, Some(b"ftyp")) {
            return Some(if bytes.get(8..10) == Some(b"qt") {
                Container::Mov
            } else {
                Container::Mp4
            });
        }
        if matches!(box_type, Some(b"moov" | b"mdat" | b"wide" | b"free")) {
            return Some(Container::Mov);
        }
        if bytes.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
            let head = &bytes[..bytes.len().min(64)];
            let webm = head.windows(4).any(|w| w == b"webm");
            return Some(if webm { Container::WebM } else { Container::Mkv });
        }
        if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"AVI ") {
            return Some(Container::Avi);
        }
        None
    }

    /// ffmpeg's muxer name.
    fn muxer(self) -> &'static str {
        match self {
            Container::Mp4 => "mp4",
            Container::Mov => "mov",
            Container::Mkv => "matroska",
            Container::Avi => "avi",
            Container::WebM => "webm",
        }
    }

    /// ffmpeg's demuxer name.
    fn demuxer(self) -> &'static str {
        match self {
            Container::Mp4 | Container::Mov => "mov",
            Container::Mkv | Container::WebM => "matroska",
            Container::Avi => "avi",
        }
    }

    /// The video codec written into this container.
    pub fn codec(self) -> &'static str {
        match self {
            Container::WebM => "libvpx-vp9",
            _ => "libx264",
        }
    }
}

/// The CPU time (seconds) one ffmpeg run may take before ffmpeg stops itself (`-timelimit`).
pub const FFMPEG_CPU_SECONDS: &str = "600";

/// The program set by [`set_default_ffmpeg`], used when `BRICKWORK_FFMPEG` is not set.
static DEFAULT_FFMPEG: RwLock<Option<OsString>> = RwLock::new(None);

/// Sets the ffmpeg program used when the environment variable `BRICKWORK_FFMPEG` is not set (`None`:
/// `ffmpeg` on the PATH, the default). The Python package sets imageio-ffmpeg's static binary when
/// imageio-ffmpeg is installed: Debian's dynamically linked ffmpeg spends ~60 ms resolving the symbols
/// of its ~200 shared libraries at every start, which is most of the time of a short video.
pub fn set_default_ffmpeg(program: Option<OsString>) {
    let mut slot = match DEFAULT_FFMPEG.write() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    *slot = program.filter(|p| !p.is_empty());
}

/// The ffmpeg program that runs: `$BRICKWORK_FFMPEG`, else the one given to [`set_default_ffmpeg`], else
/// `ffmpeg` on the PATH.
pub fn ffmpeg_program() -> OsString {
    if let Some(p) = std::env::var_os("BRICKWORK_FFMPEG").filter(|p| !p.is_empty()) {
        return p;
    }
    let slot = match DEFAULT_FFMPEG.read() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    slot.clone().unwrap_or_else(|| OsString::from("ffmpeg"))
}

/// Kills and reaps the child when dropped, unless it was waited for.
struct ChildGuard(Option<Child>);

impl ChildGuard {
    fn child(&mut self) -> Result<&mut Child> {
        self.0.as_mut().ok_or_else(|| MediaError::External {
            program: "ffmpeg",
            reason: "the process was already reaped".into(),
        })
    }

    fn wait(mut self) -> Result<ExitStatus> {
        let status = self.child()?.wait()?;
        self.0 = None;
        Ok(status)
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn(cmd: &mut Command) -> Result<ChildGuard> {
    match cmd.spawn() {
        Ok(child) => Ok(ChildGuard(Some(child))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(MediaError::External {
            program: "ffmpeg",
            reason: format!(
                "the program {:?} was not found: install ffmpeg (Debian: apt-get install ffmpeg) or set \
                 BRICKWORK_FFMPEG to its path",
                cmd.get_program()
            ),
        }),
        Err(e) => Err(e.into()),
    }
}

/// What ffmpeg said on stderr: its last lines and the size of the first video stream it wrote.
#[derive(Debug, Default)]
struct StderrLog {
    tail: VecDeque<String>,
    output_size: Option<(usize, usize)>,
}

impl StderrLog {
    fn tail_text(&self) -> String {
        let text: Vec<&str> = self.tail.iter().map(|s| s.trim()).collect();
        text.join(" | ")
    }
}

/// Lines of stderr kept for error messages.
const TAIL_LINES: usize = 12;
/// Longest stderr line kept (longer lines are cut).
const MAX_LINE: u64 = 4096;

/// Reads ffmpeg's stderr on a thread (so that a full pipe never blocks it).
fn collect_stderr(stderr: ChildStderr) -> JoinHandle<StderrLog> {
    std::thread::spawn(move || {
        let mut log = StderrLog::default();
        let mut reader = BufReader::new(stderr);
        let mut in_output = false;
        let mut line = Vec::new();
        loop {
            line.clear();
            match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line).into_owned();
            if text.starts_with("Output #0") {
                in_output = true;
            } else if in_output && log.output_size.is_none() && text.contains("Stream #") {
                if let Some(video) = text.split_once("Video:").map(|(_, v)| v) {
                    log.output_size = parse_size(video);
                }
            }
            if log.tail.len() == TAIL_LINES {
                log.tail.pop_front();
            }
            log.tail.push_back(text);
        }
        log
    })
}

/// The `WxH` item of an ffmpeg stream description (`rawvideo (...), rgb24(pc, ...), 64x48, q=2-31, ...`).
fn parse_size(description: &str) -> Option<(usize, usize)> {
    description.split(',').find_map(|part| {
        let word = part.split_whitespace().next()?;
        let (w, h) = word.split_once('x')?;
        if w.is_empty() || h.is_empty() || !w.bytes().chain(h.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((w.parse().ok()?, h.parse().ok()?))
    })
}

fn join_log(handle: JoinHandle<StderrLog>) -> StderrLog {
    handle.join().unwrap_or_default()
}

/// imageio's legacy-plugin batch rule: after two spatial axes and a channel axis (last axis < 5), any
/// axis left over is a batch axis.
fn is_batch(shape: &[usize]) -> bool {
    let ndim = shape.len();
    let mut batch = ndim.saturating_sub(2);
    if ndim >= 3 && shape.last().is_some_and(|&c| c < 5) {
        batch = batch.saturating_sub(1);
    }
    batch > 0
}

/// `(h, w, channels)` of one frame.
fn geometry(shape: &[usize]) -> Result<(usize, usize, usize)> {
    let (h, w, c) = match *shape {
        [h, w] => (h, w, 1),
        [h, w, c] if (1..=4).contains(&c) => (h, w, c),
        _ => {
            return Err(MediaError::Encode {
                format: FORMAT,
                reason: format!(
                    "a frame of shape {shape:?} is not an image; frames are (H, W) or (H, W, C) with C = 1..4"
                ),
            })
        }
    };
    if h == 0 || w == 0 {
        return Err(MediaError::Encode {
            format: FORMAT,
            reason: format!("a frame of shape {shape:?} has no pixels"),
        });
    }
    Ok((h, w, c))
}

/// One frame as u8 samples, converted as imageio's `image_as_uint(im, bitdepth=8)`.
fn frame_to_u8<'a>(frame: &'a Frame<'_>) -> Result<std::borrow::Cow<'a, [u8]>> {
    use std::borrow::Cow;
    let dtype = frame.dtype;
    let bytes: &[u8] = &frame.bytes;
    match (dtype.kind(), dtype.itemsize()) {
        (Kind::UInt, 1) => return Ok(Cow::Borrowed(bytes)),
        (Kind::UInt, size @ (2 | 4 | 8)) => {
            // Little-endian: the most significant byte is the last of each item.
            return Ok(Cow::Owned(
                bytes.chunks_exact(size).map(|c| c[size - 1]).collect(),
            ));
        }
        _ => {}
    }
    let values = frame.values_f64().ok_or_else(|| MediaError::Encode {
        format: FORMAT,
        reason: format!("frames of dtype {dtype} cannot be written; use bool, integers or floats"),
    })?;
    let is_float = dtype.kind() == Kind::Float;
    let (mut lo, mut hi) = (f64::NAN, f64::NAN);
    for &v in &values {
        if !v.is_nan() {
            lo = if lo.is_nan() { v } else { lo.min(v) };
            hi = if hi.is_nan() { v } else { hi.max(v) };
        }
    }
    // Rust's `as u8` on an f64 saturates and maps NaN to 0, as NumPy's cast does on this platform for
    // the values that can occur here.
    if is_float && lo >= 0.0 && hi <= 1.0 {
        return Ok(Cow::Owned(
            values.iter().map(|v| (v * 255.0 + 0.499999999) as u8).collect(),
        ));
    }
    if !lo.is_finite() || !hi.is_finite() {
        return Err(MediaError::Encode {
            format: FORMAT,
            reason: format!(
                "the frame's minimum/maximum ({lo}/{hi}) is not finite, so it cannot be scaled to uint8 \
                 (imageio refuses it too)"
            ),
        });
    }
    if lo == hi {
        // NumPy's astype(uint8) of a constant frame: integers wrap modulo 256.
        return Ok(Cow::Owned(values.iter().map(|&v| (v as i64) as u8).collect()));
    }
    let scale = 255.0 / (hi - lo);
    Ok(Cow::Owned(
        values
            .iter()
            .map(|&v| ((v - lo) * scale + 0.499999999) as u8)
            .collect(),
    ))
}

/// Pads an `h × w × c` frame to even sizes by repeating its last column and row.
fn pad_even(src: &[u8], h: usize, w: usize, c: usize) -> Vec<u8> {
    let (ph, pw) = (h + h % 2, w + w % 2);
    let mut out = Vec::with_capacity(ph * pw * c);
    let row_len = w * c;
    for row in src.chunks_exact(row_len).take(h) {
        out.extend_from_slice(row);
        if pw != w {
            out.extend_from_slice(&row[row_len - c..]);
        }
    }
    if ph != h {
        let last = out[(h - 1) * pw * c..h * pw * c].to_vec();
        out.extend_from_slice(&last);
    }
    out
}

fn fps_arg(fps: f64) -> Result<String> {
    if !(fps.is_finite() && fps > 0.0 && fps <= 1000.0) {
        return Err(MediaError::Encode {
            format: FORMAT,
            reason: format!("fps must be a number in (0, 1000], got {fps}"),
        });
    }
    Ok(format!("{fps}"))
}

/// Writes `data` as a video in the container named by `opts.extension`.
pub fn encode(data: &MediaData, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let container = Container::from_extension(&opts.extension).ok_or_else(|| MediaError::Unsupported {
        what: opts.extension.clone(),
        reason: "not a video container brickwork writes; use .mp4, .mov, .mkv, .avi or .webm".into(),
    })?;
    let frames = samples::frames(data, FORMAT, is_batch)?;
    let first = frames.first().ok_or_else(|| MediaError::Encode {
        format: FORMAT,
        reason: "no frames to write".into(),
    })?;
    let (h, w, c) = geometry(&first.shape)?;
    let pix_fmt_in = match c {
        1 => "gray",
        2 => "gray8a",
        3 => "rgb24",
        _ => "rgba",
    };
    let fps = fps_arg(opts.fps.unwrap_or(DEFAULT_FPS))?;
    let (ph, pw) = (h + h % 2, w + w % 2);

    let tmp = tempfile::Builder::new()
        .prefix("brickwork-video-")
        .suffix(container.extension())
        .tempfile()?;
    let mut cmd = Command::new(ffmpeg_program());
    cmd.args(["-timelimit", FFMPEG_CPU_SECONDS])
        .args([
            "-hide_banner",
            "-nostats",
            "-y",
            "-f",
            "rawvideo",
            "-vcodec",
            "rawvideo",
        ])
        .args(["-s", &format!("{pw}x{ph}"), "-pix_fmt", pix_fmt_in, "-r", &fps])
        .args([
            "-i",
            "-",
            "-an",
            "-vcodec",
            container.codec(),
            "-pix_fmt",
            "yuv420p",
        ]);
    let codec_args: Vec<String> = match (container, opts.lossless, opts.quality) {
        (Container::WebM, true, _) => vec!["-lossless".into(), "1".into()],
        (_, true, _) => vec!["-qp".into(), "0".into()],
        (Container::WebM, false, q) => {
            let crf = q.map_or(31, |q| crf_for(q, 63));
            vec!["-crf".into(), crf.to_string(), "-b:v".into(), "0".into()]
        }
        (_, false, Some(q)) => vec!["-crf".into(), crf_for(q, 51).to_string()],
        (_, false, None) => vec![],
    };
    cmd.args(&codec_args);
    if container == Container::WebM {
        cmd.args(["-deadline", "good", "-cpu-used", "4", "-row-mt", "1"]);
    }
    cmd.args(["-v", "warning", "-f", container.muxer()])
        .arg(tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut guard = spawn(&mut cmd)?;
    let child = guard.child()?;
    let stderr = child.stderr.take().map(collect_stderr);
    let mut stdin = child.stdin.take().ok_or_else(|| MediaError::External {
        program: "ffmpeg",
        reason: "no stdin pipe".into(),
    })?;
    let mut write_error = None;
    for frame in &frames {
        let pixels = frame_to_u8(frame)?;
        let padded = if (ph, pw) == (h, w) {
            pixels
        } else {
            std::borrow::Cow::Owned(pad_even(&pixels, h, w, c))
        };
        if let Err(e) = stdin.write_all(&padded) {
            write_error = Some(e);
            break;
        }
    }
    drop(stdin);
    let status = guard.wait()?;
    let log = stderr.map(join_log).unwrap_or_default();
    if !status.success() {
        return Err(MediaError::External {
            program: "ffmpeg",
            reason: format!(
                "encoding {} with {} failed ({status}): {}",
                container.extension(),
                container.codec(),
                log.tail_text()
            ),
        });
    }
    if let Some(e) = write_error {
        return Err(MediaError::External {
            program: "ffmpeg",
            reason: format!("it stopped reading frames ({e}): {}", log.tail_text()),
        });
    }
    let bytes = std::fs::read(tmp.path())?;
    tmp.close()?;
    Ok(bytes)
}

/// Maps quality 1..=100 (100 best) to a CRF in 0..=`worst`.
fn crf_for(quality: u8, worst: u32) -> u32 {
    let q = u32::from(quality.clamp(1, 100));
    ((100 - q) * worst + 50) / 100
}

/// Reads a video (MP4, MOV, MKV, WebM, AVI) into `(N, H, W, 3)` u8 RGB frames.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<ArrayBuf> {
    let container = Container::sniff(bytes).ok_or_else(|| MediaError::Decode {
        format: FORMAT,
        reason: "not an MP4/MOV, Matroska/WebM or AVI file (no ftyp box, EBML header or RIFF AVI header)"
            .into(),
    })?;
    let limits = opts.limits;
    let mut tmp = tempfile::Builder::new()
        .prefix("brickwork-video-")
        .suffix(container.extension())
        .tempfile()?;
    tmp.write_all(bytes)?;
    tmp.flush()?;

    let mut cmd = Command::new(ffmpeg_program());
    cmd.args(["-timelimit", FFMPEG_CPU_SECONDS])
        .args([
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-f",
            container.demuxer(),
            "-i",
        ])
        .arg(tmp.path())
        .args([
            "-map",
            "0:v:0",
            "-pix_fmt",
            "rgb24",
            "-vcodec",
            "rawvideo",
            "-f",
            "image2pipe",
            "-",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guard = spawn(&mut cmd)?;
    let child = guard.child()?;
    let stderr = child.stderr.take().map(collect_stderr);
    let mut stdout = child.stdout.take().ok_or_else(|| MediaError::External {
        program: "ffmpeg",
        reason: "no stdout pipe".into(),
    })?;
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = match stdout.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        // Every 3 bytes are one pixel: check what has arrived so far before keeping it.
        let total = out.len() + n;
        limits.check(FORMAT, (total as u64).div_ceil(3), 1, 1, 3)?;
        out.extend_from_slice(&chunk[..n]);
    }
    drop(stdout);
    let status = guard.wait()?;
    let log = stderr.map(join_log).unwrap_or_default();
    tmp.close()?;
    if !status.success() {
        return Err(MediaError::Decode {
            format: FORMAT,
            reason: format!("ffmpeg could not decode it ({status}): {}", log.tail_text()),
        });
    }
    let (w, h) = log.output_size.ok_or_else(|| MediaError::Decode {
        format: FORMAT,
        reason: format!("ffmpeg did not report the frame size: {}", log.tail_text()),
    })?;
    let frame_len = w
        .checked_mul(h)
        .and_then(|p| p.checked_mul(3))
        .filter(|&l| l > 0)
        .ok_or_else(|| MediaError::Decode {
            format: FORMAT,
            reason: format!("ffmpeg reported an unusable frame size {w}x{h}"),
        })?;
    if out.len() % frame_len != 0 {
        return Err(MediaError::Decode {
            format: FORMAT,
            reason: format!(
                "ffmpeg wrote {} bytes, not a whole number of {w}x{h} RGB frames",
                out.len()
            ),
        });
    }
    let n = out.len() / frame_len;
    limits.check(FORMAT, w as u64, h as u64, n as u64, 3)?;
    Ok(ArrayBuf::new(out, DType::U8, vec![n, h, w, 3], Order::C)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaLimits;
    use brickwork_core::Endian;

    fn have_ffmpeg() -> bool {
        Command::new(ffmpeg_program())
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// A smooth test pattern (codecs keep smooth content well), frame `k` shifted by `k`.
    fn pattern(n: usize, h: usize, w: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(n * h * w * 3);
        for k in 0..n {
            for y in 0..h {
                for x in 0..w {
                    v.push(((x * 4 + k * 3) % 256) as u8);
                    v.push(((y * 5 + k * 2) % 256) as u8);
                    v.push((((x + y) * 2 + 40) % 256) as u8);
                }
            }
        }
        v
    }

    fn rgb(n: usize, h: usize, w: usize) -> ArrayBuf {
        ArrayBuf::new(pattern(n, h, w), DType::U8, vec![n, h, w, 3], Order::C).unwrap()
    }

    fn mean_abs(a: &[u8], b: &[u8]) -> f64 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(&x, &y)| f64::from(x.abs_diff(y)))
            .sum::<f64>()
            / a.len() as f64
    }

    fn enc(data: MediaData, ext: &str) -> Result<Vec<u8>> {
        encode(
            &data,
            &EncodeOptions {
                extension: ext.into(),
                ..Default::default()
            },
        )
    }

    fn dec(bytes: &[u8]) -> Result<ArrayBuf> {
        decode(bytes, &DecodeOptions::default())
    }

    #[test]
    fn video_round_trips_every_container() {
        if !have_ffmpeg() {
            eprintln!("skipped: no ffmpeg");
            return;
        }
        let src = rgb(10, 48, 64);
        for c in Container::ALL {
            let bytes = enc(MediaData::Array(src.clone()), c.extension()).unwrap();
            assert_eq!(Container::sniff(&bytes), Some(*c), "{c:?}");
            let back = dec(&bytes).unwrap();
            assert_eq!(back.shape(), &[10, 48, 64, 3], "{c:?}");
            let err = mean_abs(back.data(), src.data());
            assert!(err < 6.0, "{c:?}: mean abs error {err}");
        }
    }

    #[test]
    fn video_single_frame_and_frame_list() {
        if !have_ffmpeg() {
            return;
        }
        let one = ArrayBuf::new(pattern(1, 32, 48), DType::U8, vec![32, 48, 3], Order::C).unwrap();
        let back = dec(&enc(MediaData::Array(one.clone()), ".mp4").unwrap()).unwrap();
        assert_eq!(back.shape(), &[1, 32, 48, 3]);
        let list = MediaData::Frames(vec![one.clone(), one.clone(), one]);
        let back = dec(&enc(list, ".mkv").unwrap()).unwrap();
        assert_eq!(back.shape(), &[3, 32, 48, 3]);
    }

    #[test]
    fn video_odd_sizes_are_padded_not_resized() {
        if !have_ffmpeg() {
            return;
        }
        let src = rgb(4, 17, 33);
        let back = dec(&enc(MediaData::Array(src.clone()), ".mp4").unwrap()).unwrap();
        assert_eq!(back.shape(), &[4, 18, 34, 3]);
        // The original pixels are kept in place (compare the top-left 17x33 region of frame 0).
        let mut crop = Vec::new();
        for y in 0..17 {
            let row = y * 34 * 3;
            crop.extend_from_slice(&back.data()[row..row + 33 * 3]);
        }
        let err = mean_abs(&crop, &src.data()[..17 * 33 * 3]);
        assert!(err < 8.0, "mean abs error {err}");
    }

    #[test]
    fn video_gray_rgba_u16_float_are_converted() {
        if !have_ffmpeg() {
            return;
        }
        // Gray u8 (N, H, W) with W >= 5 is a stack of gray frames.
        let gray = ArrayBuf::new(vec![128; 3 * 16 * 16], DType::U8, vec![3, 16, 16], Order::C).unwrap();
        let back = dec(&enc(MediaData::Array(gray), ".mp4").unwrap()).unwrap();
        assert_eq!(back.shape(), &[3, 16, 16, 3]);
        assert!(
            back.data().iter().all(|&v| v.abs_diff(128) <= 3),
            "gray stays gray"
        );
        // RGBA: alpha dropped.
        let rgba: Vec<u8> = (0..16 * 16).flat_map(|_| [200u8, 30, 60, 0]).collect();
        let rgba = ArrayBuf::new(rgba, DType::U8, vec![16, 16, 4], Order::C).unwrap();
        let back = dec(&enc(MediaData::Array(rgba), ".webm").unwrap()).unwrap();
        assert_eq!(back.shape(), &[1, 16, 16, 3]);
        let px = &back.data()[..3];
        assert!(
            px[0].abs_diff(200) <= 6 && px[1].abs_diff(30) <= 6 && px[2].abs_diff(60) <= 6,
            "{px:?}"
        );
        // u16: the top byte is kept (0x6400 -> 100).
        let u16le = DType::new(Kind::UInt, 2, Endian::Little).unwrap();
        let data: Vec<u8> = (0..16 * 16 * 3).flat_map(|_| 0x6400u16.to_le_bytes()).collect();
        let a = ArrayBuf::new(data, u16le, vec![16, 16, 3], Order::C).unwrap();
        let back = dec(&enc(MediaData::Array(a), ".avi").unwrap()).unwrap();
        assert!(back.data().iter().all(|&v| v.abs_diff(100) <= 3));
    }

    #[test]
    fn video_dtype_conversion_matches_image_as_uint() {
        let f = |bytes: Vec<u8>, dtype: DType| Frame {
            bytes: bytes.into(),
            dtype,
            shape: vec![1, 3],
        };
        let f32le = DType::new(Kind::Float, 4, Endian::Little).unwrap();
        let floats = |v: [f32; 3]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        // [0, 1] floats: x * 255 + 0.499999999, truncated.
        let out = frame_to_u8(&f(floats([0.0, 0.5, 1.0]), f32le))
            .unwrap()
            .into_owned();
        assert_eq!(out, vec![0, 127, 255]);
        // Outside [0, 1]: min-max scaled.
        let out = frame_to_u8(&f(floats([-1.0, 0.0, 3.0]), f32le))
            .unwrap()
            .into_owned();
        assert_eq!(out, vec![0, 64, 255]);
        // Non-finite extremes are refused.
        assert!(frame_to_u8(&f(floats([0.0, f32::INFINITY, 2.0]), f32le)).is_err());
        // Signed constant frame: astype(uint8) wraps.
        let i16le = DType::new(Kind::Int, 2, Endian::Little).unwrap();
        let data: Vec<u8> = [300i16, 300, 300].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(
            frame_to_u8(&f(data, i16le)).unwrap().into_owned(),
            vec![44, 44, 44]
        );
        // Complex is refused.
        let c8 = DType::new(Kind::Complex, 8, Endian::Little).unwrap();
        assert!(frame_to_u8(&f(vec![0; 24], c8)).is_err());
    }

    #[test]
    fn video_batch_rule_is_imageios() {
        assert!(!is_batch(&[48, 64]));
        assert!(!is_batch(&[48, 64, 3]));
        assert!(!is_batch(&[3, 4, 3]));
        assert!(is_batch(&[10, 48, 64]));
        assert!(is_batch(&[10, 48, 64, 3]));
        assert!(is_batch(&[10, 48, 64, 1]));
    }

    #[test]
    fn video_pad_even_repeats_edges() {
        // 1 x 3 gray -> 2 x 4.
        assert_eq!(pad_even(&[1, 2, 3], 1, 3, 1), vec![1, 2, 3, 3, 1, 2, 3, 3]);
    }

    #[test]
    fn video_size_parse() {
        let line = " rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 64x48 \
                    [SAR 1:1 DAR 4:3], q=2-31, 73 kb/s, 10 fps";
        assert_eq!(parse_size(line), Some((64, 48)));
        assert_eq!(parse_size("rawvideo, rgb24"), None);
    }

    #[test]
    fn video_rejects_bad_input_and_limits() {
        assert!(matches!(
            dec(b"not a video at all"),
            Err(MediaError::Decode { .. })
        ));
        // A playlist is never handed to ffmpeg.
        assert!(dec(b"#EXTM3U\n#EXT-X-TARGETDURATION:1\nfile:///etc/passwd\n").is_err());
        assert!(matches!(
            enc(MediaData::Array(rgb(1, 8, 8)), ".xyz"),
            Err(MediaError::Unsupported { .. })
        ));
        let bad_shape = ArrayBuf::new(vec![0; 8 * 8 * 6], DType::U8, vec![8, 8, 6, 1, 1], Order::C).unwrap();
        assert!(enc(MediaData::Array(bad_shape), ".mp4").is_err());
        if !have_ffmpeg() {
            return;
        }
        let bytes = enc(MediaData::Array(rgb(10, 48, 64)), ".mp4").unwrap();
        // Truncated file (the MP4 index is at the end): an error, never a panic.
        assert!(matches!(
            dec(&bytes[..bytes.len() / 3]),
            Err(MediaError::Decode { .. })
        ));
        // A limit smaller than the video: refused while reading.
        let small = DecodeOptions {
            limits: MediaLimits {
                max_pixels: 5 * 48 * 64,
                ..MediaLimits::default()
            },
            ..Default::default()
        };
        assert!(matches!(
            decode(&bytes, &small),
            Err(MediaError::LimitExceeded { .. })
        ));
        // Garbage after a valid magic: ffmpeg's error is reported.
        let mut junk = bytes[..12].to_vec();
        junk.extend(std::iter::repeat_n(0xAB, 4000));
        assert!(matches!(dec(&junk), Err(MediaError::Decode { .. })));
    }
}
