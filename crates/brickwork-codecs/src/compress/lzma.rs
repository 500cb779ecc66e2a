//! `lzma`: xz, legacy `.lzma` ("alone") or raw LZMA streams, as Python's `lzma.compress` writes them.
//!
//! * Config: `{"id": "lzma", "format": 1, "check": -1, "preset": null, "filters": null}`.
//!   `format`: 1 xz, 2 alone, 3 raw, 0 auto (decode only). `check`: -1 the format's default (CRC64 for
//!   xz), 0 none, 1 CRC32, 4 CRC64, 10 SHA-256 (xz only). `preset`: null (= 6) or 0–9, optionally OR'ed
//!   with `0x80000000` (extreme). `filters`: null or a list of `{"id": ..., options}` dicts: LZMA1
//!   `4611686018427387905`, LZMA2 `33` (options `preset, dict_size, lc, lp, pb, mode` (1 fast, 2 normal),
//!   `nice_len, mf` (3 HC3, 4 HC4, 18 BT2, 19 BT3, 20 BT4), `depth`), DELTA `3` (`dist`, 1–256), BCJ
//!   x86/PowerPC/IA-64/ARM/ARM-Thumb/SPARC `4`–`9` (`start_offset`). Values are kept exactly as given and
//!   checked when a stream is set up (encode, or raw decode), as in numcodecs, so every config numcodecs
//!   wrote builds a codec.
//! * Wire format: liblzma's own: xz (`fd 37 7a 58 5a 00` ...), alone (`5d`, dict size, size
//!   `ffff…ff`, data with end marker) or a raw filter chain (raw LZMA2 ends with a `00` chunk).
//! * Backend: liblzma (xz 5.8, statically linked) through its stream API, the library Python's `lzma`
//!   wraps, so output is byte-identical to numcodecs (the fixture re-encode test).
//! * Decode: as `lzma.decompress(buf, format, filters)`: streams are decoded one after another; data
//!   after at least one complete stream is ignored if liblzma rejects it, but a stream cut short is an
//!   error, even after earlier ones (so a tail of fewer than 12 bytes, e.g. xz stream padding, is an
//!   error, as in Python); empty input is an error. **Differences:** (1) a trailing stream that produces
//!   output and *then* fails (a corrupt second stream, not junk) is an error, where Python silently
//!   drops it: ignoring it would need decoding past the output bound, and would make the result depend
//!   on that bound; (2) numcodecs refuses to *decode* with an explicit `filters` list unless `format` is
//!   raw; brickwork ignores the list for xz/alone/auto (those headers carry their own filters), so every
//!   config it can encode with, it can also decode. `decode_into` needs an `out` of exactly the decoded
//!   size (numcodecs' `ndarray_copy`).
//! * Memory: output grows with the real data, bounded by [`Limits`]. The decoder's dictionary, sized by
//!   the untrusted header, is capped by liblzma's memory limit at `max(limit, 64 MiB) + 8 MiB` (64 MiB
//!   is the largest preset dictionary; for `decode_into` the limit is `out`'s length); a header asking
//!   for more is [`Error::LimitExceeded`]. Raw streams take their dictionary from the config instead.

use brickwork_core::{ArrayBuf, ArrayView, Codec, Config, Error, Limits, Result, StaticCodec};
use liblzma::stream::{Action, Check, Filters, LzmaOptions, MatchFinder, Mode, Status, Stream};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::bz2::StreamOutcome;
use crate::sink::Sink;

const ID: &str = "lzma";

/// `lzma.FORMAT_AUTO`, `FORMAT_XZ`, `FORMAT_ALONE`, `FORMAT_RAW`.
const FORMAT_AUTO: i64 = 0;
const FORMAT_XZ: i64 = 1;
const FORMAT_ALONE: i64 = 2;
const FORMAT_RAW: i64 = 3;

/// Filter ids as Python's `lzma` module names them.
const FILTER_LZMA1: u64 = 0x4000_0000_0000_0001;
const FILTER_LZMA2: u64 = 0x21;
const FILTER_DELTA: u64 = 0x03;
const FILTER_X86: u64 = 0x04;
const FILTER_POWERPC: u64 = 0x05;
const FILTER_IA64: u64 = 0x06;
const FILTER_ARM: u64 = 0x07;
const FILTER_ARMTHUMB: u64 = 0x08;
const FILTER_SPARC: u64 = 0x09;

/// The dictionary every decoder may use whatever the limit (the largest preset dictionary), and the
/// allowance for liblzma's other state.
const DICT_ALLOWANCE: u64 = 64 << 20;
const STATE_ALLOWANCE: u64 = 8 << 20;

/// numcodecs' `LZMA(format=1, check=-1, preset=None, filters=None)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lzma {
    /// Container: 1 xz, 2 alone (`.lzma`), 3 raw; 0 (auto-detect) decodes only.
    #[serde(default = "default_format")]
    pub format: i64,
    /// Integrity check (xz only): -1 default (CRC64), 0 none, 1 CRC32, 4 CRC64, 10 SHA-256.
    #[serde(default = "default_check")]
    pub check: i64,
    /// Compression preset 0–9 (| `0x80000000` for extreme); `None` means 6. Not with `filters`.
    #[serde(default)]
    pub preset: Option<i64>,
    /// A custom filter chain, as Python's list of dicts; required for raw streams.
    #[serde(default)]
    pub filters: Option<Vec<Map<String, Value>>>,
}

fn default_format() -> i64 {
    FORMAT_XZ
}

fn default_check() -> i64 {
    -1
}

impl Default for Lzma {
    fn default() -> Self {
        Lzma {
            format: default_format(),
            check: default_check(),
            preset: None,
            filters: None,
        }
    }
}

impl Lzma {
    /// An xz codec at `preset` (`None` = 6).
    pub fn xz(preset: Option<i64>) -> Self {
        Lzma {
            preset,
            ..Lzma::default()
        }
    }
}

fn bad_config(key: &str, reason: impl std::fmt::Display) -> Error {
    Error::invalid_config(ID, key, reason)
}

/// Reads an optional unsigned integer option of a filter spec.
fn opt_u32(spec: &Map<String, Value>, key: &str) -> Result<Option<u32>> {
    match spec.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                bad_config(
                    "filters",
                    format!("option {key:?} must be an integer 0–2^32-1, got {v}"),
                )
            }),
    }
}

fn check_keys(spec: &Map<String, Value>, allowed: &[&str], name: &str) -> Result<()> {
    match spec.keys().find(|k| *k != "id" && !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad_config(
            "filters",
            format!(
                "invalid option {k:?} for the {name} filter; accepted: {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// A preset number as liblzma takes it.
fn preset_u32(preset: i64) -> Result<u32> {
    u32::try_from(preset)
        .ok()
        .filter(|p| p & !liblzma::stream::PRESET_EXTREME <= 9)
        .ok_or_else(|| bad_config("preset", format!("{preset} is not 0–9 (optionally | 0x80000000)")))
}

/// Python's `_parse_filter_spec_lzma`: a preset, then the explicit options over it.
fn lzma_options(spec: &Map<String, Value>) -> Result<LzmaOptions> {
    const KEYS: [&str; 9] = [
        "preset",
        "dict_size",
        "lc",
        "lp",
        "pb",
        "mode",
        "nice_len",
        "mf",
        "depth",
    ];
    check_keys(spec, &KEYS, "LZMA")?;
    let preset = match opt_u32(spec, "preset")? {
        Some(p) => preset_u32(i64::from(p))?,
        None => 6,
    };
    let mut o = LzmaOptions::new_preset(preset)
        .map_err(|e| bad_config("filters", format!("invalid LZMA preset {preset} ({e:?})")))?;
    if let Some(v) = opt_u32(spec, "dict_size")? {
        o.dict_size(v);
    }
    if let Some(v) = opt_u32(spec, "lc")? {
        o.literal_context_bits(v);
    }
    if let Some(v) = opt_u32(spec, "lp")? {
        o.literal_position_bits(v);
    }
    if let Some(v) = opt_u32(spec, "pb")? {
        o.position_bits(v);
    }
    if let Some(v) = opt_u32(spec, "mode")? {
        o.mode(match v {
            1 => Mode::Fast,
            2 => Mode::Normal,
            _ => {
                return Err(bad_config(
                    "filters",
                    format!("LZMA mode {v} is not 1 (fast) or 2 (normal)"),
                ))
            }
        });
    }
    if let Some(v) = opt_u32(spec, "nice_len")? {
        o.nice_len(v);
    }
    if let Some(v) = opt_u32(spec, "mf")? {
        o.match_finder(match v {
            3 => MatchFinder::HashChain3,
            4 => MatchFinder::HashChain4,
            18 => MatchFinder::BinaryTree2,
            19 => MatchFinder::BinaryTree3,
            20 => MatchFinder::BinaryTree4,
            _ => {
                return Err(bad_config(
                    "filters",
                    format!("LZMA match finder {v} is not 3, 4, 18, 19 or 20"),
                ))
            }
        });
    }
    if let Some(v) = opt_u32(spec, "depth")? {
        o.depth(v);
    }
    Ok(o)
}

fn filter_id(spec: &Map<String, Value>) -> Result<u64> {
    spec.get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad_config("filters", "every filter needs a numeric \"id\""))
}

/// Python's `_parse_filter_chain_spec`.
fn build_filters(specs: &[Map<String, Value>]) -> Result<Filters> {
    let mut filters = Filters::new();
    for spec in specs {
        let id = filter_id(spec)?;
        let props_err = |e| bad_config("filters", format!("invalid options for filter {id} ({e:?})"));
        match id {
            FILTER_LZMA1 => {
                filters.lzma1(&lzma_options(spec)?);
            }
            FILTER_LZMA2 => {
                filters.lzma2(&lzma_options(spec)?);
            }
            FILTER_DELTA => {
                check_keys(spec, &["dist"], "delta")?;
                let dist = opt_u32(spec, "dist")?.unwrap_or(1);
                let prop = dist
                    .checked_sub(1)
                    .and_then(|d| u8::try_from(d).ok())
                    .ok_or_else(|| bad_config("filters", format!("delta dist {dist} is not 1–256")))?;
                filters.delta_properties(&[prop]).map_err(props_err)?;
            }
            FILTER_X86..=FILTER_SPARC => {
                check_keys(spec, &["start_offset"], "BCJ")?;
                let start = opt_u32(spec, "start_offset")?.unwrap_or(0).to_le_bytes();
                let props: &[u8] = if start == [0; 4] { &[] } else { &start };
                match id {
                    FILTER_X86 => filters.x86_properties(props),
                    FILTER_POWERPC => filters.powerpc_properties(props),
                    FILTER_IA64 => filters.ia64_properties(props),
                    FILTER_ARM => filters.arm_properties(props),
                    FILTER_ARMTHUMB => filters.arm_thumb_properties(props),
                    _ => filters.sparc_properties(props),
                }
                .map_err(props_err)?;
            }
            _ => {
                let known = format!("33 (LZMA2), {FILTER_LZMA1} (LZMA1), 3 (delta), 4–9 (BCJ)");
                return Err(bad_config(
                    "filters",
                    format!("unknown filter id {id}; known: {known}"),
                ));
            }
        }
    }
    Ok(filters)
}

fn lzma_error(what: &str, e: liblzma::stream::Error, memlimit: u64) -> Error {
    use liblzma::stream::Error as E;
    match e {
        E::MemLimit | E::Mem => Error::LimitExceeded {
            codec: ID.to_owned(),
            what: format!("{what}: the decoder's dictionary"),
            requested: memlimit.saturating_add(1),
            limit: memlimit,
        },
        E::Format => Error::corrupt(ID, format!("{what}: the input is not in the expected format")),
        E::Options => Error::corrupt(ID, format!("{what}: unsupported options in the stream header")),
        E::Data => Error::corrupt(ID, format!("{what}: the data is corrupt")),
        other => Error::corrupt(ID, format!("{what}: {other:?}")),
    }
}

/// Runs a decoder over one stream at the start of `input`.
fn decode_stream(mut s: Stream, input: &[u8], sink: &mut Sink<'_>, memlimit: u64) -> Result<StreamOutcome> {
    loop {
        let used = s.total_in() as usize;
        let out_before = s.total_out();
        let window = sink.window(ID)?;
        let result = s.process_uninit(&input[used..], window, Action::Run);
        let produced = (s.total_out() - out_before) as usize;
        let used_now = s.total_in() as usize;
        // Output written before an error counts: it decides whether a bad trailing stream is ignorable.
        // SAFETY: liblzma stored `produced` bytes (its total_out growth) at the start of the window.
        unsafe { sink.advance(ID, produced)? };
        let status = result.map_err(|e| lzma_error("decoding failed", e, memlimit))?;
        if status == Status::StreamEnd {
            return Ok(StreamOutcome::Complete(used_now));
        }
        if produced == 0 && used_now == used {
            return Ok(StreamOutcome::Truncated);
        }
    }
}

impl Lzma {
    fn check(&self) -> Result<Check> {
        let check = match (self.format, self.check) {
            (FORMAT_XZ, -1 | 4) => Check::Crc64,
            (FORMAT_XZ, 0) | (_, -1 | 0) => Check::None,
            (FORMAT_XZ, 1) => Check::Crc32,
            (FORMAT_XZ, 10) => Check::Sha256,
            (FORMAT_XZ, c) => return Err(bad_config("check", format!("{c} is not -1, 0, 1, 4 or 10"))),
            (_, _) => {
                return Err(bad_config(
                    "check",
                    "integrity checks are only supported by format 1 (xz)",
                ))
            }
        };
        Ok(check)
    }

    fn encoder(&self) -> Result<Stream> {
        let check = self.check()?;
        let enc_err = |e| bad_config("filters", format!("liblzma refused the encoder options ({e:?})"));
        if self.preset.is_some() && self.filters.is_some() {
            return Err(bad_config(
                "preset",
                "cannot specify both preset and filter chain",
            ));
        }
        let preset = preset_u32(self.preset.unwrap_or(6))?;
        match (self.format, &self.filters) {
            (FORMAT_XZ, None) => Stream::new_easy_encoder(preset, check).map_err(enc_err),
            (FORMAT_XZ, Some(f)) => Stream::new_stream_encoder(&build_filters(f)?, check).map_err(enc_err),
            (FORMAT_ALONE, None) => {
                let o = LzmaOptions::new_preset(preset).map_err(enc_err)?;
                Stream::new_lzma_encoder(&o).map_err(enc_err)
            }
            (FORMAT_ALONE, Some(f)) => match f.as_slice() {
                [one] if filter_id(one)? == FILTER_LZMA1 => {
                    Stream::new_lzma_encoder(&lzma_options(one)?).map_err(enc_err)
                }
                _ => Err(bad_config(
                    "filters",
                    "format 2 (alone) needs a chain of exactly one LZMA1 filter",
                )),
            },
            (FORMAT_RAW, Some(f)) => Stream::new_raw_encoder(&build_filters(f)?).map_err(enc_err),
            (FORMAT_RAW, None) => Err(bad_config("filters", "format 3 (raw) needs a filter chain")),
            (other, _) => Err(bad_config(
                "format",
                format!("cannot encode format {other}; 1 (xz), 2 (alone) or 3 (raw)"),
            )),
        }
    }

    fn decoder(&self, memlimit: u64) -> Result<Stream> {
        let err = |e| lzma_error("cannot set up the decoder", e, memlimit);
        match self.format {
            FORMAT_AUTO => Stream::new_auto_decoder(memlimit, 0).map_err(err),
            FORMAT_XZ => Stream::new_stream_decoder(memlimit, 0).map_err(err),
            FORMAT_ALONE => Stream::new_lzma_decoder(memlimit).map_err(err),
            FORMAT_RAW => match &self.filters {
                Some(f) => Stream::new_raw_decoder(&build_filters(f)?)
                    .map_err(|e| bad_config("filters", format!("liblzma refused the filter chain ({e:?})"))),
                None => Err(bad_config("filters", "format 3 (raw) needs a filter chain")),
            },
            other => Err(bad_config(
                "format",
                format!("{other} is not 0 (auto), 1 (xz), 2 (alone) or 3 (raw)"),
            )),
        }
    }

    /// `lzma.decompress`: streams one after another, trailing junk after the first ignored.
    fn decode_all(&self, input: &[u8], sink: &mut Sink<'_>, limit: usize) -> Result<()> {
        let memlimit = (limit as u64).max(DICT_ALLOWANCE) + STATE_ALLOWANCE;
        let mut pos = 0;
        let mut streams = 0usize;
        loop {
            let mark = sink.filled();
            let stream = self.decoder(memlimit)?;
            match decode_stream(stream, &input[pos..], sink, memlimit) {
                Ok(StreamOutcome::Complete(used)) => {
                    pos += used;
                    streams += 1;
                    if pos >= input.len() {
                        return Ok(());
                    }
                }
                Ok(StreamOutcome::Truncated) => {
                    return Err(Error::corrupt(
                        ID,
                        format!(
                            "stream {} is truncated: the data ended before the end-of-stream marker",
                            streams + 1
                        ),
                    ))
                }
                Err(Error::Corrupt { .. }) if streams > 0 && sink.filled() == mark => {
                    sink.rewind(mark);
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Codec for Lzma {
    fn codec_id(&self) -> &str {
        ID
    }

    fn config(&self) -> Config {
        brickwork_core::config::emit(ID, self)
    }

    fn encode(&self, input: &ArrayView<'_>) -> Result<Vec<u8>> {
        let mut s = self.encoder()?;
        let data = input.data();
        let mut out = Vec::with_capacity(data.len() / 2 + 1024);
        loop {
            let used = s.total_in() as usize;
            let status = s
                .process_vec(&data[used..], &mut out, Action::Finish)
                .map_err(|e| Error::invalid_input(ID, format!("compression failed ({e:?})")))?;
            if status == Status::StreamEnd {
                return Ok(out);
            }
            if out.len() == out.capacity() {
                out.reserve(out.capacity().max(1024));
            }
        }
    }

    fn decode(&self, encoded: &[u8], limits: &Limits) -> Result<ArrayBuf> {
        let mut sink = Sink::grow(limits, encoded.len().saturating_mul(4));
        self.decode_all(encoded, &mut sink, limits.max_decoded_bytes)?;
        Ok(ArrayBuf::from_bytes(sink.into_vec()))
    }

    fn decode_into(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize> {
        let len = out.len();
        let mut sink = Sink::fixed(out);
        self.decode_all(encoded, &mut sink, len)?;
        let n = sink.filled();
        if n != len {
            return Err(Error::output_size(ID, format!("exactly {n}"), len));
        }
        Ok(n)
    }
}

impl StaticCodec for Lzma {
    const ID: &'static str = ID;
    fn from_config(config: &Config) -> Result<Self> {
        brickwork_core::config::parse(ID, &["format", "check", "preset", "filters"], config)
    }
}

/// Registry entry.
pub const ENTRY: brickwork_core::CodecEntry = brickwork_core::CodecEntry::of::<Lzma>();

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(json: &str) -> Lzma {
        Lzma::from_config(&brickwork_core::config::from_json(json).unwrap()).unwrap()
    }

    fn dec(z: &Lzma, enc: &[u8]) -> Result<Vec<u8>> {
        z.decode(enc, &Limits::default()).map(|b| b.into_data())
    }

    const RAW_DELTA: &str =
        r#"{"id":"lzma","format":3,"filters":[{"id":3,"dist":4},{"id":33,"preset":1,"dict_size":65536}]}"#;

    #[test]
    fn every_format_round_trips() {
        let data: Vec<u8> = (0..20_000u32).flat_map(|i| (i / 3).to_le_bytes()).collect();
        for json in [
            r#"{"id":"lzma"}"#,
            r#"{"id":"lzma","preset":1,"check":0}"#,
            r#"{"id":"lzma","preset":2147483650,"check":10}"#,
            r#"{"id":"lzma","format":1,"check":1,"filters":[{"id":4},{"id":33,"mode":1,"mf":4}]}"#,
            r#"{"id":"lzma","format":2}"#,
            r#"{"id":"lzma","format":2,"filters":[{"id":4611686018427387905,"lc":0,"lp":2,"pb":2}]}"#,
            RAW_DELTA,
            r#"{"id":"lzma","format":3,"filters":[{"id":7,"start_offset":16},{"id":4611686018427387905}]}"#,
        ] {
            let z = codec(json);
            let enc = z.encode_bytes(&data).unwrap();
            assert_eq!(dec(&z, &enc).unwrap(), data, "{json}");
            let empty = z.encode_bytes(b"").unwrap();
            assert_eq!(dec(&z, &empty).unwrap(), b"", "{json}");
            if z.format != FORMAT_RAW {
                assert_eq!(
                    dec(&codec(r#"{"id":"lzma","format":0}"#), &enc).unwrap(),
                    data,
                    "{json}"
                );
            }
        }
        let xz = Lzma::default().encode_bytes(b"").unwrap();
        assert_eq!(&xz[..12], b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46");
    }

    #[test]
    fn bad_configs_fail_at_encode_not_at_construction() {
        for json in [
            r#"{"id":"lzma","format":0}"#,
            r#"{"id":"lzma","format":7}"#,
            r#"{"id":"lzma","preset":10}"#,
            r#"{"id":"lzma","format":2,"check":4}"#,
            r#"{"id":"lzma","check":3}"#,
            r#"{"id":"lzma","format":3}"#,
            r#"{"id":"lzma","preset":1,"filters":[{"id":33}]}"#,
            r#"{"id":"lzma","format":3,"filters":[{"id":33,"bogus":1}]}"#,
            r#"{"id":"lzma","format":3,"filters":[{"id":3,"dist":0},{"id":33}]}"#,
            r#"{"id":"lzma","format":3,"filters":[{"id":99}]}"#,
            r#"{"id":"lzma","format":3,"filters":[{"id":33,"mode":3}]}"#,
            r#"{"id":"lzma","format":2,"filters":[{"id":33}]}"#,
        ] {
            let cfg = brickwork_core::config::from_json(json).unwrap();
            let z = Lzma::from_config(&cfg).unwrap();
            assert!(z.encode_bytes(b"x").is_err(), "{json}");
            assert!(brickwork_core::config::configs_equal(&z.config(), &{
                let mut full = Lzma::default().config();
                full.extend(cfg.clone());
                full
            }));
        }
    }

    #[test]
    fn concatenated_streams_junk_and_truncation() {
        let z = Lzma::default();
        let a = z.encode_bytes(b"first,").unwrap();
        let b = z.encode_bytes(b"second").unwrap();
        assert_eq!(
            dec(&z, &[a.clone(), b.clone()].concat()).unwrap(),
            b"first,second"
        );
        let junk = [a.clone(), b"this is not an xz stream".to_vec()].concat();
        assert_eq!(dec(&z, &junk).unwrap(), b"first,");
        // A short tail cannot be told from a truncated header: an error, as in Python.
        assert!(dec(&z, &[a.clone(), vec![0; 4]].concat()).is_err());
        // A trailing stream that produces output and then fails is an error, not junk ...
        let long: Vec<u8> = (0..5000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let mut bad = z.encode_bytes(&long).unwrap();
        bad[124] ^= 0x40;
        assert!(dec(&z, &bad).is_err());
        assert!(matches!(
            dec(&z, &[a.clone(), bad].concat()),
            Err(Error::Corrupt { .. })
        ));
        // ... but one whose header is already bad is junk, for decode and decode_into alike.
        let mut bad_header = b.clone();
        bad_header[8] ^= 1;
        let with_bad = [a.clone(), bad_header].concat();
        assert_eq!(dec(&z, &with_bad).unwrap(), b"first,");
        assert_eq!(z.decode_into(&with_bad, &mut [0u8; 6]).unwrap(), 6);
        assert!(dec(&z, b"").is_err());
        assert!(dec(&z, b"junk that is long enough").is_err());
        let data: Vec<u8> = (0..3000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
        for z in [
            Lzma::default(),
            codec(r#"{"id":"lzma","format":2}"#),
            codec(RAW_DELTA),
        ] {
            let full = z.encode_bytes(&data).unwrap();
            for cut in 0..full.len() {
                let e = dec(&z, &full[..cut]).unwrap_err();
                assert!(matches!(e, Error::Corrupt { .. }), "cut {cut}: {e}");
            }
        }
        // xz refuses .lzma input.
        let alone = codec(r#"{"id":"lzma","format":2}"#).encode_bytes(b"x").unwrap();
        assert!(matches!(dec(&z, &alone), Err(Error::Corrupt { .. })));
    }

    #[test]
    fn bombs_and_huge_dictionaries_stop_at_the_limit() {
        let data = vec![0u8; 16 << 20];
        for z in [
            Lzma::xz(Some(9)),
            codec(r#"{"id":"lzma","format":2}"#),
            codec(RAW_DELTA),
        ] {
            let enc = z.encode_bytes(&data).unwrap();
            assert!(enc.len() < 10_000, "{}", enc.len());
            let e = z.decode(&enc, &Limits::new(1 << 20)).unwrap_err();
            assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
        }
        // An .lzma header asking for a 4 GiB dictionary.
        let mut alone = codec(r#"{"id":"lzma","format":2}"#).encode_bytes(b"abc").unwrap();
        alone[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = codec(r#"{"id":"lzma","format":2}"#)
            .decode(&alone, &Limits::new(1 << 20))
            .unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    }

    #[test]
    fn decode_into_needs_the_exact_size() {
        let z = Lzma::default();
        let enc = z.encode_bytes(b"0123456789").unwrap();
        let mut out = [0u8; 10];
        assert_eq!(z.decode_into(&enc, &mut out).unwrap(), 10);
        assert_eq!(&out, b"0123456789");
        for size in [9, 11] {
            assert!(matches!(
                z.decode_into(&enc, &mut vec![0u8; size]),
                Err(Error::OutputSize { .. })
            ));
        }
    }
}
