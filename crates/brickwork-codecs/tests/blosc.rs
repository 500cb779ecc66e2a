//! Blosc compatibility and safety tests.
//!
//! * every chunk of numcodecs' golden corpus (`../shared/fixtures/numcodecs/blosc`, including the Snappy
//!   codec.09 that numcodecs itself skips) decodes to the stored array, and every config round-trips;
//! * byte identity with numcodecs 0.17.1 (`tests/data/blosc`, made by `make_refs.py` there);
//! * hostile chunks: truncation at every offset, offsets and sizes pointing outside, huge declared sizes,
//!   bad header fields, inner streams of the wrong size, random corruption. None may panic.

// helpers outside #[test] functions unwrap too: a failure there is a failed test
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use brickwork_codecs::compress::blosc::Blosc;
use brickwork_core::config::{configs_equal, from_json};
use brickwork_core::{npy, ArrayView, Codec, Config, DType, Error, Limits, Order, StaticCodec};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/numcodecs/blosc")
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/blosc")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn config_of(dir: &Path) -> Config {
    from_json(&String::from_utf8(read(&dir.join("config.json"))).unwrap()).unwrap()
}

/// (index, array bytes in memory order) of every fixture array.
fn fixture_arrays() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(fixture_dir()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(idx) = name.strip_prefix("array.").and_then(|s| s.strip_suffix(".npy")) {
            let bytes = read(&fixture_dir().join(&name));
            let (_, data) = npy::parse(&bytes).unwrap();
            out.push((idx.to_owned(), data.to_vec()));
        }
    }
    out.sort();
    assert_eq!(out.len(), 13, "the blosc fixture set has 13 arrays");
    out
}

fn codec_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 13, "the blosc fixture set has codec.00 to codec.12");
    dirs
}

/// Every encoded fixture chunk (path, bytes).
fn fixture_chunks() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in codec_dirs() {
        for (idx, _) in fixture_arrays() {
            let p = dir.join(format!("encoded.{idx}.dat"));
            let b = read(&p);
            out.push((p, b));
        }
    }
    out
}

#[test]
fn blosc_every_fixture_decodes_and_every_config_round_trips() {
    let arrays = fixture_arrays();
    let mut decoded = 0;
    for dir in codec_dirs() {
        let config = config_of(&dir);
        let codec = brickwork_codecs::get_codec(&config).unwrap();
        let emitted = codec.config();
        // numcodecs asserts codec == get_codec(config): the emitted config builds an equal codec
        let again = Blosc::from_config(&emitted).unwrap();
        assert_eq!(Blosc::from_config(&config).unwrap(), again, "{}", dir.display());
        for (k, v) in &config {
            assert!(
                brickwork_core::config::values_equal(v, &emitted[k]),
                "{}: key {k}",
                dir.display()
            );
        }
        for (idx, want) in &arrays {
            let enc = read(&dir.join(format!("encoded.{idx}.dat")));
            let got = codec.decode(&enc, &Limits::default()).unwrap();
            assert_eq!(got.data(), &want[..], "{} array {idx}", dir.display());
            let threaded = Blosc::from_config(&config).unwrap().with_threads(4);
            assert_eq!(
                threaded.decode(&enc, &Limits::default()).unwrap().data(),
                &want[..]
            );
            let mut out = vec![0u8; want.len()];
            assert_eq!(codec.decode_into(&enc, &mut out).unwrap(), want.len());
            assert_eq!(out, *want);
            decoded += 1;
        }
    }
    assert_eq!(decoded, 13 * 13);
}

#[test]
fn blosc_fixtures_cover_old_layouts() {
    // the corpus holds chunks of blocksize 256 with leftover blocks, memcpy'd chunks, split and unsplit
    // blocks, Snappy streams and all the other inner codecs: check this test set really exercises them
    let (mut bs256, mut memcpy, mut split, mut unsplit) = (0, 0, 0, 0);
    let mut codecs = [0usize; 5];
    for (_, b) in fixture_chunks() {
        let flags = b[2];
        let blocksize = u32::from_le_bytes(b[8..12].try_into().unwrap());
        bs256 += usize::from(blocksize == 256);
        if flags & 2 != 0 {
            memcpy += 1;
            continue;
        }
        codecs[usize::from(flags >> 5)] += 1;
        if flags & 0x10 != 0 {
            unsplit += 1;
        } else {
            split += 1;
        }
    }
    assert!(
        bs256 > 0 && memcpy > 0 && split > 0 && unsplit > 0,
        "{bs256} {memcpy} {split} {unsplit}"
    );
    assert!(codecs.iter().all(|&n| n > 0), "{codecs:?}");
}

#[test]
fn blosc_partial_decode_of_every_fixture_matches_the_full_decode() {
    let codec = Blosc::default();
    for (p, enc) in fixture_chunks() {
        let full = codec.decode(&enc, &Limits::default()).unwrap().into_data();
        let ts = usize::from(enc[3]);
        let n = full.len() / ts;
        for (start, count) in [
            (0, n),
            (0, 1),
            (n / 3, n / 2),
            (n.saturating_sub(7), 7.min(n)),
            (n, 0),
        ] {
            let got = codec
                .decode_partial(&enc, start, count, &Limits::default())
                .unwrap();
            assert_eq!(
                got,
                &full[start * ts..(start + count) * ts],
                "{} {start} {count}",
                p.display()
            );
        }
        assert!(codec.decode_partial(&enc, n, 1, &Limits::default()).is_err());
    }
}

/// The inputs of tests/data/blosc, recomputed from make_refs.py's formulas.
fn ref_input(name: &str) -> (DType, Vec<usize>, Vec<u8>) {
    let le = |v: Vec<i64>, size: usize| -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()[..size].to_vec()).collect()
    };
    let (dtype, shape, data): (&str, Vec<usize>, Vec<u8>) = match name {
        "i4" => {
            let v = (0..1536i64)
                .map(|i| 100_000 + (i * 5) / 3 - (i % 11) * 4)
                .collect();
            ("<i4", vec![1536], le(v, 4))
        }
        "f8" => {
            let v: Vec<u8> = (0..1000i64)
                .flat_map(|i| ((i % 100) as f64 * 0.25 + (i / 100) as f64).to_le_bytes())
                .collect();
            ("<f8", vec![1000], v)
        }
        "u1" => (
            "|u1",
            vec![5000],
            (0..5000usize)
                .map(|i| ((i / 7 * 3 + i % 5) % 256) as u8)
                .collect(),
        ),
        "S3" => (
            "|S3",
            vec![1200],
            (0..1200usize)
                .flat_map(|k| format!("{:03}", k * 37 % 1000).into_bytes())
                .collect(),
        ),
        "M8" => {
            let v = (0..1000i64)
                .map(|i| 1_600_000_000_000_000_000 + i * 1_000_000_007)
                .collect();
            ("<M8[ns]", vec![1000], le(v, 8))
        }
        "V17" => (
            "|V17",
            vec![600],
            (0..17 * 600usize)
                .map(|i| ((i % 17) * 11 + i / 170) as u8)
                .collect(),
        ),
        "i8big" => ("<i8", vec![100_000], le((0..100_000).collect(), 8)),
        other => panic!("unknown input {other}"),
    };
    (DType::parse(dtype).unwrap(), shape, data)
}

#[test]
fn blosc_encode_is_byte_identical_to_numcodecs() {
    let manifest: serde_json::Value = serde_json::from_slice(&read(&data_dir().join("cases.json"))).unwrap();
    assert_eq!(manifest["numcodecs"], "0.17.1");
    let cases = manifest["cases"].as_array().unwrap();
    assert!(cases.len() >= 100);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let want = read(&data_dir().join(format!("{name}.blosc")));
        let (dtype, shape, data) = ref_input(case["input"].as_str().unwrap());
        let view = ArrayView::new(&data, dtype, shape, Order::C).unwrap();
        let mut config = case["config"].as_object().unwrap().clone();
        if let Some(t) = case["typesize"].as_i64() {
            config.insert("typesize".into(), t.into());
        }
        let codec = Blosc::from_config(&config).unwrap();
        assert!(
            configs_equal(&codec.config(), case["config"].as_object().unwrap()),
            "{name}"
        );
        let got = codec.encode(&view).unwrap();
        assert!(
            got == want,
            "{name}: encoded bytes differ from numcodecs ({} vs {} bytes)",
            got.len(),
            want.len()
        );
        assert_eq!(
            codec.decode(&want, &Limits::default()).unwrap().data(),
            &data[..],
            "{name}"
        );
    }
}

#[test]
fn blosc_many_threads_encode_and_decode_at_once() {
    let inputs: Vec<Vec<u8>> = ["i4", "f8", "M8", "i8big"]
        .iter()
        .map(|n| ref_input(n).2)
        .collect();
    let expected: Vec<Vec<u8>> = inputs
        .iter()
        .map(|d| {
            Blosc::new("zstd", 5, 2, 0)
                .with_typesize(8)
                .unwrap()
                .encode_bytes(d)
                .unwrap()
        })
        .collect();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (inputs, expected) = (&inputs, &expected);
            s.spawn(move || {
                let codec = Blosc::new("zstd", 5, 2, 0)
                    .with_typesize(8)
                    .unwrap()
                    .with_threads(1 + t % 3);
                for _ in 0..5 {
                    for (d, e) in inputs.iter().zip(expected) {
                        assert_eq!(&codec.encode_bytes(d).unwrap(), e);
                        assert_eq!(codec.decode(e, &Limits::default()).unwrap().data(), &d[..]);
                    }
                }
            });
        }
    });
}

#[test]
fn blosc_threaded_encode_gives_the_one_thread_bytes() {
    // compressible, barely compressible and incompressible inputs of 1-3 MiB, every compressor
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let smooth: Vec<u8> = (0..1i32 << 18).flat_map(|i| (i / 5).to_le_bytes()).collect();
    let noisy: Vec<u8> = (0..(3 << 19) as u32)
        .flat_map(|i| ((i / 3) ^ (noise() as u32 & 0x3ff)).to_le_bytes())
        .take(3 << 20)
        .collect();
    let random: Vec<u8> = (0..(1 << 20) + 12345).map(|_| noise() as u8).collect();
    let mut checked = 0;
    for (label, data) in [("smooth", &smooth), ("noisy", &noisy), ("random", &random)] {
        for cname in ["blosclz", "lz4", "lz4hc", "zlib", "zstd"] {
            for (clevel, shuffle, ts, bs) in [(5, 1, 4, 0), (9, 2, 8, 0), (1, 0, 4, 0), (5, 1, 4, 100_000)] {
                if cname == "zstd" && clevel == 9 || cname == "zlib" && label == "noisy" {
                    continue; // slow in debug builds, and covered by the other levels
                }
                let one = Blosc::new(cname, clevel, shuffle, bs).with_typesize(ts).unwrap();
                let want = one.encode_bytes(data).unwrap();
                for threads in [2, 3] {
                    let got = one.clone().with_threads(threads).encode_bytes(data).unwrap();
                    assert!(
                        got == want,
                        "{label} {cname} {clevel} {shuffle} {ts} {bs}: {threads} threads differ"
                    );
                    let back = one
                        .clone()
                        .with_threads(threads)
                        .decode(&want, &Limits::default())
                        .unwrap();
                    assert_eq!(
                        back.data(),
                        &data[..],
                        "{label} {cname}: decode on {threads} threads"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 40);

    // an error in a block decoded on another thread reaches the caller
    let codec = Blosc::new("lz4", 5, 1, 65536)
        .with_typesize(4)
        .unwrap()
        .with_threads(3);
    let mut enc = codec.encode_bytes(&smooth).unwrap();
    let blocksize = u32::from_le_bytes(enc[8..12].try_into().unwrap()) as usize;
    let nblocks = smooth.len().div_ceil(blocksize);
    assert!(nblocks >= 3, "{nblocks}");
    let last = u32::from_le_bytes(enc[16 + 4 * (nblocks - 1)..][..4].try_into().unwrap()) as usize;
    enc[last + 5] ^= 0xff;
    enc[last + 9] ^= 0xff;
    assert!(codec.decode(&enc, &Limits::default()).is_err());
}

// ---------------------------------------------------------------------------------------------------
// hostile input

/// Valid chunks of every layout to break: (label, chunk).
fn victims() -> Vec<(String, Vec<u8>)> {
    let (_, _, i4) = ref_input("i4");
    let mut v = Vec::new();
    for cname in ["blosclz", "lz4", "lz4hc", "zlib", "zstd"] {
        for (shuffle, bs) in [(1, 1000), (2, 2048), (0, 0)] {
            let c = Blosc::new(cname, 5, shuffle, bs).with_typesize(4).unwrap();
            v.push((format!("{cname}/{shuffle}/{bs}"), c.encode_bytes(&i4).unwrap()));
        }
    }
    v.push((
        "memcpy".into(),
        Blosc::new("lz4", 0, 1, 0).encode_bytes(&i4).unwrap(),
    ));
    let snappy = read(&fixture_dir().join("codec.09/encoded.00.dat"));
    v.push(("snappy".into(), snappy));
    v
}

fn must_fail(codec: &Blosc, b: &[u8], what: &str) -> Error {
    match codec.decode(b, &Limits::default()) {
        Ok(a) => panic!("{what}: decoded {} bytes instead of failing", a.data().len()),
        Err(e) => {
            let mut out = vec![0u8; 8192];
            assert!(
                codec.decode_into(b, &mut out).is_err(),
                "{what}: decode_into accepted it"
            );
            e
        }
    }
}

fn set_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn blosc_truncation_at_every_offset_fails() {
    let codec = Blosc::default();
    for (label, chunk) in victims() {
        for cut in 0..chunk.len() {
            let e = must_fail(&codec, &chunk[..cut], &format!("{label} cut at {cut}"));
            assert!(matches!(e, Error::Corrupt { .. }), "{label} {cut}: {e}");
            // the same cut with cbytes patched to match, so the stream walk itself meets the end
            if cut >= 16 {
                let mut b = chunk[..cut].to_vec();
                set_u32(&mut b, 12, cut as u32);
                must_fail(&codec, &b, &format!("{label} cut at {cut}, cbytes patched"));
            }
        }
        // trailing junk is ignored, as in numcodecs
        let mut long = chunk.clone();
        long.extend_from_slice(&[0xAB; 33]);
        assert_eq!(
            codec.decode(&long, &Limits::default()).unwrap(),
            codec.decode(&chunk, &Limits::default()).unwrap()
        );
    }
}

#[test]
fn blosc_offsets_and_sizes_pointing_outside_fail() {
    let codec = Blosc::default();
    for (label, chunk) in victims() {
        if chunk[2] & 2 != 0 {
            continue;
        }
        let cbytes = chunk.len() as u32;
        let nbytes = u32::from_le_bytes(chunk[4..8].try_into().unwrap());
        let blocksize = u32::from_le_bytes(chunk[8..12].try_into().unwrap());
        let nblocks = nbytes.div_ceil(blocksize) as usize;
        for j in [0, nblocks - 1] {
            for bad in [
                cbytes,
                cbytes - 3,
                cbytes - 1,
                u32::MAX,
                i32::MAX as u32,
                0x8000_0000,
                2,
            ] {
                let mut b = chunk.clone();
                set_u32(&mut b, 16 + 4 * j, bad);
                must_fail(&codec, &b, &format!("{label}: bstarts[{j}] = {bad}"));
            }
        }
        let first = u32::from_le_bytes(chunk[16..20].try_into().unwrap()) as usize;
        for bad in [
            u32::MAX,
            i32::MAX as u32,
            0x8000_0000,
            cbytes,
            cbytes - first as u32 - 3,
        ] {
            let mut b = chunk.clone();
            set_u32(&mut b, first, bad);
            must_fail(&codec, &b, &format!("{label}: csize = {bad}"));
        }
    }
}

#[test]
fn blosc_bad_header_fields_fail() {
    let codec = Blosc::default();
    let (_, _, i4) = ref_input("i4");
    let good = Blosc::new("lz4", 5, 1, 1000).encode_bytes(&i4).unwrap();
    let memcpy = Blosc::new("lz4", 0, 1, 0).encode_bytes(&i4).unwrap();
    let patch = |base: &[u8], at: usize, bytes: &[u8]| {
        let mut b = base.to_vec();
        b[at..at + bytes.len()].copy_from_slice(bytes);
        b
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("version 0", patch(&good, 0, &[0])),
        ("version 1", patch(&good, 0, &[1])),
        ("version 3", patch(&good, 0, &[3])),
        ("version 5 (Blosc2)", patch(&good, 0, &[5])),
        ("versionlz 2", patch(&good, 1, &[2])),
        ("reserved flag", patch(&good, 2, &[good[2] | 0x08])),
        ("inner codec 5", patch(&good, 2, &[(good[2] & 0x1f) | 5 << 5])),
        ("inner codec 7", patch(&good, 2, &[(good[2] & 0x1f) | 7 << 5])),
        ("typesize 0", patch(&good, 3, &[0])),
        ("blocksize 0", patch(&good, 8, &0u32.to_le_bytes())),
        (
            "blocksize > nbytes",
            patch(&good, 8, &(i4.len() as u32 + 1).to_le_bytes()),
        ),
        ("blocksize negative", patch(&good, 8, &u32::MAX.to_le_bytes())),
        ("cbytes < 16", patch(&good, 12, &15u32.to_le_bytes())),
        (
            "cbytes > buffer",
            patch(&good, 12, &(good.len() as u32 + 1).to_le_bytes()),
        ),
        ("cbytes negative", patch(&good, 12, &0x8000_0010u32.to_le_bytes())),
        ("nbytes negative", patch(&good, 4, &0x8000_0000u32.to_le_bytes())),
        (
            "nbytes larger",
            patch(&good, 4, &(i4.len() as u32 + 4).to_le_bytes()),
        ),
        (
            "memcpy: cbytes != nbytes + 16",
            patch(&memcpy, 4, &(i4.len() as u32 - 1).to_le_bytes()),
        ),
        (
            "memcpy flag on a compressed chunk",
            patch(&good, 2, &[good[2] | 0x02]),
        ),
    ];
    for (what, b) in cases {
        let e = must_fail(&codec, &b, what);
        assert!(
            matches!(e, Error::Corrupt { .. } | Error::LimitExceeded { .. }),
            "{what}: {e}"
        );
    }
    // typesize 0 with nbytes 0 still parses (an empty chunk)
    assert!(codec
        .decode(
            &[2, 1, 0x33, 1, 0, 0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0],
            &Limits::default()
        )
        .is_ok());
}

#[test]
fn blosc_huge_declared_sizes_fail_before_allocating() {
    let codec = Blosc::default();
    // nbytes = 2 GiB - 1 in a 16-byte buffer, memcpy'd and compressed, blocksize = nbytes
    for flags in [0x02u8, 0x21, 0x31, 0x01] {
        let mut b = vec![2u8, 1, flags, 4];
        b.extend_from_slice(&(i32::MAX as u32).to_le_bytes());
        b.extend_from_slice(&(i32::MAX as u32).to_le_bytes());
        b.extend_from_slice(&16u32.to_le_bytes());
        let e = must_fail(&codec, &b, &format!("2 GiB, flags {flags:#x}"));
        assert!(matches!(e, Error::Corrupt { .. }), "{e}");
        // with room for one offset and one tiny stream claiming the whole block
        let mut b2 = b.clone();
        set_u32(&mut b2, 12, 28);
        b2.extend_from_slice(&20u32.to_le_bytes());
        b2.extend_from_slice(&4u32.to_le_bytes());
        b2.extend_from_slice(&[0, 0, 0, 0]);
        must_fail(&codec, &b2, &format!("2 GiB from 4 bytes, flags {flags:#x}"));
    }
    // a chunk over the caller's limit
    let (_, _, i4) = ref_input("i4");
    let good = Blosc::default().encode_bytes(&i4).unwrap();
    let e = codec.decode(&good, &Limits::new(i4.len() - 1)).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    let e = codec
        .decode_partial(&good, 0, 1536, &Limits::new(100))
        .unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
}

/// A one-block, unsplit chunk holding `stream` (compressed with `code`) for a block of `nbytes`.
fn one_stream_chunk(code: u8, nbytes: usize, stream: &[u8]) -> Vec<u8> {
    let cbytes = 16 + 4 + 4 + stream.len();
    let mut b = vec![2u8, 1, 0x10 | code << 5, 1];
    b.extend_from_slice(&(nbytes as u32).to_le_bytes());
    b.extend_from_slice(&(nbytes as u32).to_le_bytes());
    b.extend_from_slice(&(cbytes as u32).to_le_bytes());
    b.extend_from_slice(&20u32.to_le_bytes());
    b.extend_from_slice(&(stream.len() as u32).to_le_bytes());
    b.extend_from_slice(stream);
    b
}

#[test]
fn blosc_inner_streams_of_the_wrong_size_fail() {
    use std::io::Write;
    let codec = Blosc::default();
    let data: Vec<u8> = (0..3000u32).map(|i| (i / 10) as u8).collect();
    let lz4 = lz4::block::compress(&data, None, false).unwrap();
    let zstd = zstd::bulk::compress(&data, 3).unwrap();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    z.write_all(&data).unwrap();
    let zlib = z.finish().unwrap();
    let snappy = snap::raw::Encoder::new().compress_vec(&data).unwrap();
    // BloscLZ: a literal then a run (distance 1) to the end
    let mut blz = vec![0u8, 7];
    let mut rest = data.len() - 1 - 3 - 6 - 1;
    blz.push(7 << 5);
    while rest >= 255 {
        blz.push(255);
        rest -= 255;
    }
    blz.extend_from_slice(&[rest as u8, 0, 0, 7]);
    let blz_data = vec![7u8; data.len()];
    for (code, stream, want) in [
        (0u8, &blz, &blz_data),
        (1, &lz4, &data),
        (2, &snappy, &data),
        (3, &zlib, &data),
        (4, &zstd, &data),
    ] {
        let ok = one_stream_chunk(code, data.len(), stream);
        assert_eq!(
            codec.decode(&ok, &Limits::default()).unwrap().data(),
            &want[..],
            "codec {code}"
        );
        for n in [data.len() - 1, data.len() + 1, 1, data.len() * 2] {
            let bad = one_stream_chunk(code, n, stream);
            let e = must_fail(
                &codec,
                &bad,
                &format!("codec {code}: stream of {} bytes in a block of {n}", data.len()),
            );
            assert!(matches!(e, Error::Corrupt { .. }), "{e}");
        }
    }
}

#[test]
fn blosc_random_corruption_never_panics() {
    let codec = Blosc::default();
    let threaded = Blosc::default().with_threads(3);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (_, chunk) in victims() {
        for _ in 0..300 {
            let mut b = chunk.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % b.len();
                b[at] = next() as u8;
            }
            for c in [&codec, &threaded] {
                if let Ok(a) = c.decode(&b, &Limits::new(1 << 20)) {
                    assert_eq!(
                        a.data().len() as u32,
                        u32::from_le_bytes(b[4..8].try_into().unwrap())
                    );
                }
            }
            let n = (next() % 2000) as usize;
            let _ = codec.decode_partial(&b, n, (next() % 100) as usize, &Limits::new(1 << 20));
        }
    }
}

#[test]
fn blosclz_streams_from_c_blosc_decode_at_every_level() {
    // c-blosc's BloscLZ encoder at each level, on data with long runs, far matches and literals
    let mut data = Vec::new();
    for i in 0..40_000u32 {
        data.push(match i % 9000 {
            0..=2999 => 0,
            3000..=5999 => (i.wrapping_mul(2_654_435_761) >> 24) as u8,
            _ => (i % 256) as u8,
        });
    }
    // short periods (overlapping matches of every distance class) broken by bursts of noise
    let mut seed = 12345u32;
    for period in [2usize, 3, 7, 15, 16, 17, 31, 40, 100, 5000] {
        for i in 0..4000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let burst = i % 500 < 20;
            data.push(if burst {
                (seed >> 16) as u8
            } else {
                ((i % period) as u8).wrapping_mul(3)
            });
        }
    }
    for clevel in 1..=9 {
        for shuffle in [0, 1, 2] {
            let c = Blosc::new("blosclz", clevel, shuffle, 0)
                .with_typesize(1)
                .unwrap();
            let e = c.encode_bytes(&data).unwrap();
            assert_eq!(
                c.decode(&e, &Limits::default()).unwrap().data(),
                &data[..],
                "{clevel} {shuffle}"
            );
        }
    }
}

/// Throughput against c-blosc's own decoder (the library numcodecs wraps), one thread each:
/// `cargo test --release -p brickwork-codecs --test blosc blosc_throughput -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark; run on demand"]
fn blosc_throughput_vs_c_blosc() {
    use std::time::Instant;
    let n: usize = 1 << 20;
    let i4: Vec<u8> = (0..n as i32)
        .flat_map(|i| (i / 3 + (i % 7) * 11).to_le_bytes())
        .collect();
    let f8: Vec<u8> = (0..n / 2)
        .flat_map(|i| ((i as f64 * 0.001).sin() * 1000.0).round().to_le_bytes())
        .collect();
    let u1: Vec<u8> = (0..4 * n).map(|i| ((i / 5) % 97) as u8).collect();
    let cases: Vec<(&str, &Vec<u8>, usize, Blosc)> = vec![
        ("i4 lz4 shuffle", &i4, 4, Blosc::new("lz4", 5, 1, 0)),
        ("i4 lz4 noshuffle", &i4, 4, Blosc::new("lz4", 5, 0, 0)),
        ("i4 lz4 bitshuffle", &i4, 4, Blosc::new("lz4", 5, 2, 0)),
        ("f8 lz4 shuffle", &f8, 8, Blosc::new("lz4", 5, 1, 0)),
        ("f8 zstd shuffle", &f8, 8, Blosc::new("zstd", 5, 1, 0)),
        ("f8 zlib shuffle", &f8, 8, Blosc::new("zlib", 5, 1, 0)),
        ("i4 blosclz shuffle", &i4, 4, Blosc::new("blosclz", 5, 1, 0)),
        ("u1 lz4 bitshuffle", &u1, 1, Blosc::new("lz4", 5, 2, 0)),
        ("i4 memcpy", &i4, 4, Blosc::new("lz4", 0, 1, 0)),
    ];
    for (label, data, ts, codec) in cases {
        let codec = codec.with_typesize(ts as i64).unwrap();
        let enc = codec.encode_bytes(data).unwrap();
        let mut out = vec![0u8; data.len()];
        // best of many runs, alternating the two decoders: robust against other load on the machine
        let (mut ours, mut c, mut e) = (f64::MAX, f64::MAX, f64::MAX);
        for _ in 0..40 {
            let t = Instant::now();
            codec.decode_into(&enc, &mut out).unwrap();
            ours = ours.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            // SAFETY: `enc` is a valid chunk made by c-blosc itself and `out` holds its nbytes.
            let r = unsafe {
                blosc_src::blosc_decompress_ctx(enc.as_ptr().cast(), out.as_mut_ptr().cast(), out.len(), 1)
            };
            c = c.min(t.elapsed().as_secs_f64());
            assert_eq!(r as usize, data.len());
        }
        codec.decode_into(&enc, &mut out).unwrap();
        assert_eq!(&out, data);
        for _ in 0..10 {
            let t = Instant::now();
            codec.encode_bytes(data).unwrap();
            e = e.min(t.elapsed().as_secs_f64());
        }
        let two = codec.clone().with_threads(2);
        let (mut d2, mut e2) = (f64::MAX, f64::MAX);
        for _ in 0..20 {
            let t = Instant::now();
            two.decode_into(&enc, &mut out).unwrap();
            d2 = d2.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            assert_eq!(two.encode_bytes(data).unwrap().len(), enc.len());
            e2 = e2.min(t.elapsed().as_secs_f64());
        }
        let mb = data.len() as f64 / 1e6;
        println!(
            "{label:20} ratio {:5.1} decode {:6.0} MB/s (c-blosc {:6.0}, {:.2}x) encode {:5.0} MB/s | \
             2 threads: decode {:6.0} encode {:5.0} MB/s",
            data.len() as f64 / enc.len() as f64,
            mb / ours,
            mb / c,
            c / ours,
            mb / e,
            mb / d2,
            mb / e2
        );
    }
}
