//! Runs the real `brickwork` binary.

// The helpers below are test code too (clippy only exempts `#[test]` functions themselves).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_brickwork"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch directory, removed when the test ends.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmpdir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("brickwork-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d)
}

fn p(d: &Path, f: &str) -> String {
    d.join(f).to_string_lossy().into_owned()
}

/// Files in `d` (to check that nothing half-written is left behind).
fn listing(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn codecs_lists_every_id_with_its_default_config() {
    let o = run(&["codecs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    for id in ["zlib", "gzip", "bz2", "lzma", "zstd", "lz4", "blosc"] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} missing from:\n{text}"
        );
    }
    assert!(
        text.contains(r#"{"id":"zstd","level":0,"checksum":false}"#),
        "{text}"
    );

    let o = run(&["codecs", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), brickwork::codecs::registry().ids().len());
    let lz4 = rows.iter().find(|r| r["id"] == "lz4").unwrap();
    assert_eq!(
        lz4["default_config"],
        serde_json::json!({"id": "lz4", "acceleration": 1})
    );
}

#[test]
fn round_trips_through_files_in_every_spec_form() {
    let d = tmpdir("files");
    let data: Vec<u8> = (0..100_000u32).flat_map(|i| (i / 7).to_le_bytes()).collect();
    std::fs::write(p(&d, "in.raw"), &data).unwrap();
    for spec in [
        "zstd",
        r#"{"id":"zstd","level":5,"checksum":true}"#,
        "zlib:level=9",
        "lz4:acceleration=3",
        "bz2",
        "gzip:level=6",
        "lzma:preset=1",
        "blosc:cname=zstd,clevel=5,shuffle=2",
    ] {
        let o = run(&["encode", "--codec", spec, &p(&d, "in.raw"), &p(&d, "enc")]);
        assert!(o.status.success(), "{spec}: {}", stderr(&o));
        let o = run(&["decode", "--codec", spec, &p(&d, "enc"), &p(&d, "out.raw")]);
        assert!(o.status.success(), "{spec}: {}", stderr(&o));
        assert_eq!(std::fs::read(p(&d, "out.raw")).unwrap(), data, "{spec}");
    }
}

#[test]
fn stdin_and_stdout() {
    let mut child = bin()
        .args(["encode", "--codec", "zlib", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello hello hello")
        .unwrap();
    let enc = child.wait_with_output().unwrap();
    assert!(enc.status.success());
    let mut child = bin()
        .args(["decode", "-c", "zlib", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&enc.stdout).unwrap();
    let dec = child.wait_with_output().unwrap();
    assert_eq!(dec.stdout, b"hello hello hello");
}

#[test]
fn npy_in_and_out_keeps_the_array() {
    let d = tmpdir("npy");
    let dtype = brickwork::DType::parse("<u2").unwrap();
    let body: Vec<u8> = (0..(4 * 6 * 5u16)).flat_map(|v| (v % 13).to_le_bytes()).collect();
    let npy = brickwork::core::npy::to_bytes(dtype, &[4, 6, 5], brickwork::Order::F, &body);
    std::fs::write(p(&d, "a.npy"), &npy).unwrap();
    let spec = "blosc:cname=lz4,shuffle=1";
    assert!(run(&["encode", "-c", spec, &p(&d, "a.npy"), &p(&d, "a.blosc")])
        .status
        .success());
    let enc = std::fs::read(p(&d, "a.blosc")).unwrap();
    assert_eq!(enc[3], 2, "blosc's typesize comes from the .npy dtype");
    let o = run(&[
        "decode",
        "-c",
        spec,
        "--dtype",
        "<u2",
        "--shape",
        "4,6,5",
        "--order",
        "F",
        &p(&d, "a.blosc"),
        &p(&d, "b.npy"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(p(&d, "b.npy")).unwrap(), npy);
    let o = run(&[
        "decode",
        "-c",
        spec,
        "--dtype",
        "<u2",
        "--shape",
        "4,6,6",
        &p(&d, "a.blosc"),
        &p(&d, "c.npy"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("needs"), "{}", stderr(&o));
}

#[test]
fn bad_input_gives_one_clear_line_and_leaves_no_file() {
    let d = tmpdir("bad");
    std::fs::write(p(&d, "garbage"), b"this is not a zstd frame at all").unwrap();
    for spec in ["zstd", "zlib", "lz4", "bz2", "lzma", "gzip", "blosc"] {
        let o = run(&["decode", "-c", spec, &p(&d, "garbage"), &p(&d, "out")]);
        assert_eq!(o.status.code(), Some(1), "{spec}");
        let e = stderr(&o);
        assert!(
            e.starts_with("brickwork: error: ") && e.trim_end().lines().count() == 1,
            "{spec}: {e}"
        );
        assert_eq!(listing(&d), vec!["garbage"], "{spec} left a file behind");
    }
    // A truncated stream.
    let o = run(&["encode", "-c", "zstd", &p(&d, "garbage"), &p(&d, "enc")]);
    assert!(o.status.success());
    let enc = std::fs::read(p(&d, "enc")).unwrap();
    std::fs::write(p(&d, "enc"), &enc[..enc.len() - 3]).unwrap();
    let o = run(&["decode", "-c", "zstd", &p(&d, "enc"), &p(&d, "out")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!d.join("out").exists());
    // A limit.
    let big = vec![0u8; 1 << 20];
    std::fs::write(p(&d, "zeros"), &big).unwrap();
    assert!(run(&["encode", "-c", "zlib", &p(&d, "zeros"), &p(&d, "z.enc")])
        .status
        .success());
    let o = run(&[
        "decode",
        "-c",
        "zlib",
        "--max-decoded-bytes",
        "1000",
        &p(&d, "z.enc"),
        &p(&d, "out"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("limit"), "{}", stderr(&o));
    assert!(!d.join("out").exists());
}

#[test]
fn unknown_codecs_and_bad_specs_are_explained() {
    let o = run(&["encode", "-c", "nope", "-", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("known ids") && stderr(&o).contains("zstd"),
        "{}",
        stderr(&o)
    );
    let o = run(&["encode", "-c", "zstd:level", "-", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("key=value"), "{}", stderr(&o));
    let o = run(&["encode", "-c", "zstd:foo=1", "-", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("foo") && stderr(&o).contains("level"),
        "{}",
        stderr(&o)
    );
    let o = run(&["decode", "-c", "zstd", "/nonexistent/file", "-"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/file"), "{}", stderr(&o));
    for bad in [
        &["encode", "-c", "zlib", "--shape", "2,x", "-", "-"][..],
        &["encode", "-c", "zlib", "--dtype", "<q9", "-", "-"],
        &["decode", "-c", "zlib", "--order", "Z", "-", "-"],
        &["decode", "-c", r#"{"id":"zlib","level":"#, "-", "-"],
        &["decode", "-c", "zlib:level=abc", "-", "-"],
    ] {
        let o = run(bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        let e = stderr(&o);
        assert!(
            e.starts_with("brickwork: error: ") && e.trim_end().lines().count() == 1,
            "{bad:?}: {e}"
        );
    }
    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn codecs_show_the_keys_typed_codecs_require() {
    let o = run(&["codecs"]);
    let text = String::from_utf8(o.stdout).unwrap();
    let delta = text.lines().find(|l| l.starts_with("delta ")).unwrap();
    assert!(delta.contains("requires dtype"), "{delta}");
    let o = run(&["codecs", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fso = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "fixedscaleoffset")
        .unwrap();
    assert_eq!(fso["default_config"], serde_json::Value::Null);
    assert_eq!(fso["requires"], serde_json::json!(["scale", "offset", "dtype"]));
    let zlib = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "zlib")
        .unwrap();
    assert_eq!(zlib["requires"], serde_json::json!([]));
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let mut child = bin()
        .arg("codecs")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(o.status.code().is_some());
}

#[test]
fn raw_input_takes_a_layout() {
    let d = tmpdir("layout");
    let values: Vec<i32> = (0..1000).map(|i| i * 3 - 700).collect();
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(p(&d, "in.raw"), &raw).unwrap();
    // delta reads its dtype from its config; the raw bytes are 1000 <i4.
    let spec = "delta:dtype=<i4";
    let o = run(&["encode", "-c", spec, &p(&d, "in.raw"), &p(&d, "d.enc")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let enc = std::fs::read(p(&d, "d.enc")).unwrap();
    assert_eq!(&enc[..8], &[0x44, 0xfd, 0xff, 0xff, 3, 0, 0, 0], "-700, then +3");
    let o = run(&["decode", "-c", spec, &p(&d, "d.enc"), &p(&d, "d.out")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(p(&d, "d.out")).unwrap(), raw);
    // blosc takes its typesize from --dtype.
    for (dtype, typesize, shape) in [("<i4", 4u8, "1000"), ("|u1", 1, "4000")] {
        let o = run(&[
            "encode",
            "-c",
            "blosc",
            "--dtype",
            dtype,
            "--shape",
            shape,
            &p(&d, "in.raw"),
            &p(&d, "b.enc"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read(p(&d, "b.enc")).unwrap()[3], typesize);
    }
    // A shape that does not match the data.
    let o = run(&[
        "encode",
        "-c",
        "zlib",
        "--dtype",
        "<i4",
        "--shape",
        "999",
        &p(&d, "in.raw"),
        &p(&d, "x.enc"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!d.join("x.enc").exists());
    // .npy input carries its own layout.
    let npy = brickwork::core::npy::to_bytes(
        brickwork::DType::parse("<i4").unwrap(),
        &[1000],
        brickwork::Order::C,
        &raw,
    );
    std::fs::write(p(&d, "a.npy"), npy).unwrap();
    let o = run(&[
        "encode",
        "-c",
        "zlib",
        "--dtype",
        "<i4",
        &p(&d, "a.npy"),
        &p(&d, "y.enc"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".npy"), "{}", stderr(&o));
}

#[test]
fn empty_input_round_trips() {
    let d = tmpdir("empty");
    std::fs::write(p(&d, "empty"), b"").unwrap();
    for spec in ["zlib", "zstd", "gzip", "bz2", "lzma", "lz4", "blosc"] {
        let o = run(&["encode", "-c", spec, &p(&d, "empty"), &p(&d, "e.enc")]);
        assert!(o.status.success(), "{spec}: {}", stderr(&o));
        let o = run(&["decode", "-c", spec, &p(&d, "e.enc"), &p(&d, "e.out")]);
        assert!(o.status.success(), "{spec}: {}", stderr(&o));
        assert_eq!(std::fs::read(p(&d, "e.out")).unwrap(), b"", "{spec}");
    }
}

/// Every registered codec that has a default config, fed hostile bytes: a clean exit, never a panic,
/// and no output file unless decoding succeeded.
#[test]
fn no_codec_panics_on_garbage() {
    let d = tmpdir("garbage-all");
    let inputs: [&[u8]; 5] = [
        b"",
        b"\x00",
        b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\x02\x01\x21\x04\xff\xff\xff\x7f\x10\x00\x00\x00\x20\x00\x00\x00",
        b"not a frame, just some text, some more text",
    ];
    for (i, data) in inputs.iter().enumerate() {
        std::fs::write(p(&d, &format!("in{i}")), data).unwrap();
    }
    let o = run(&["codecs", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for r in rows.as_array().unwrap() {
        if r["default_config"].is_null() {
            continue;
        }
        let spec = r["default_config"].to_string();
        for i in 0..inputs.len() {
            let out = p(&d, "out");
            let o = run(&[
                "decode",
                "-c",
                &spec,
                "--max-decoded-bytes",
                "1000000",
                &p(&d, &format!("in{i}")),
                &out,
            ]);
            let e = stderr(&o);
            assert!(!e.contains("panicked"), "{spec} on input {i}: {e}");
            match o.status.code() {
                Some(0) => {
                    std::fs::remove_file(&out).unwrap();
                }
                Some(1) => {
                    assert!(e.starts_with("brickwork: error: "), "{spec} on input {i}: {e}");
                    assert!(!d.join("out").exists(), "{spec} on input {i} left a file");
                }
                other => panic!("{spec} on input {i}: exit {other:?}: {e}"),
            }
        }
    }
}

/// A small .npy (3-D, F order, <u2) written by the core's writer.
fn write_npy(d: &Path) -> (String, Vec<u8>) {
    use brickwork::core::npy;
    let data: Vec<u8> = (0..10 * 9 * 7u16).flat_map(|v| (v / 4).to_le_bytes()).collect();
    let file = p(d, "vol.npy");
    let dtype = brickwork::DType::parse("<u2").unwrap();
    std::fs::write(
        &file,
        npy::to_bytes(dtype, &[10, 9, 7], brickwork::Order::F, &data),
    )
    .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    (file, bytes)
}

#[test]
fn pack_then_unpack_round_trips() {
    let d = tmpdir("pack");
    let (src, original) = write_npy(&d);
    let store = p(&d, "vol.zarr");
    let o = run(&[
        "pack",
        &src,
        &store,
        "--chunks",
        "4,4,7",
        "--codec",
        "blosc:cname=lz4,shuffle=1",
        "--filters",
        r#"[{"id":"delta","dtype":"<u2"}]"#,
        "--order",
        "F",
        "--threads",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(
        summary.contains("9 chunks") && summary.contains("ratio"),
        "{summary}"
    );
    let meta = std::fs::read_to_string(Path::new(&store).join(".zarray")).unwrap();
    assert!(
        meta.contains("\"blosc\"") && meta.contains("\"delta\"") && meta.contains("\"order\": \"F\""),
        "{meta}"
    );
    assert!(Path::new(&store).join("2.2.0").is_file());
    assert!(!Path::new(&store).join(".zattrs").exists());
    let with_attrs = p(&d, "attrs.zarr");
    let o = run(&[
        "pack",
        &src,
        &with_attrs,
        "--chunks",
        "4,4,7",
        "--attributes",
        r#"{"unit": "nm"}"#,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let attrs = std::fs::read_to_string(Path::new(&with_attrs).join(".zattrs")).unwrap();
    assert!(attrs.contains("\"unit\": \"nm\""), "{attrs}");
    let o = run(&[
        "pack",
        &src,
        &p(&d, "bad.zarr"),
        "--chunks",
        "4,4,7",
        "--attributes",
        "[1]",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("JSON object"), "{}", stderr(&o));
    let back = p(&d, "back.npy");
    let o = run(&["unpack", &store, &back]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Same array (the store keeps F order, so the .npy is byte-identical).
    assert_eq!(std::fs::read(&back).unwrap(), original);
    // An existing store is not replaced without --overwrite.
    let o = run(&["pack", &src, &store, "--chunks", "4,4,7"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--overwrite") || stderr(&o).contains("overwrite"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "pack",
        &src,
        &store,
        "--chunks",
        "5,5,5",
        "--overwrite",
        "--codec",
        "none",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn pack_can_leave_out_chunks_of_fill_values() {
    use brickwork::core::npy;
    let d = tmpdir("skip-empty");
    let src = p(&d, "sparse.npy");
    let data = [0u8, 0, 0, 0, 5, 0, 0, 0];
    let dtype = brickwork::DType::parse("|u1").unwrap();
    std::fs::write(&src, npy::to_bytes(dtype, &[8], brickwork::Order::C, &data)).unwrap();
    for (format, key) in [("2", "2"), ("3", "c/2")] {
        let store = p(&d, &format!("sparse{format}.zarr"));
        let o = run(&[
            "pack",
            &src,
            &store,
            "--chunks",
            "2",
            "--fill-value",
            "0",
            "--zarr-format",
            format,
            "--skip-empty-chunks",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let summary = String::from_utf8_lossy(&o.stdout);
        assert!(
            summary.contains("1 chunks of [2] (3 holding only the fill value left out)"),
            "{summary}"
        );
        let chunks = |prefix: &str| {
            (0..4)
                .filter(|i| Path::new(&store).join(format!("{prefix}{i}")).is_file())
                .count()
        };
        assert_eq!(chunks(if format == "2" { "" } else { "c/" }), 1);
        assert!(Path::new(&store).join(key).is_file());
        let back = p(&d, &format!("back{format}.npy"));
        let o = run(&["unpack", &store, &back]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&src).unwrap());
    }
}

#[test]
fn pack_and_unpack_structured_npy() {
    use brickwork::core::npy;
    let d = tmpdir("records");
    // a .npy of records, with the header NumPy writes for np.zeros(12, descr)
    let write = |name: &str, descr: &str, itemsize: usize| {
        let dict = format!("{{'descr': {descr}, 'fortran_order': False, 'shape': (12,), }}");
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        file.extend((dict.len() as u16).to_le_bytes());
        file.extend(dict.as_bytes());
        let data: Vec<u8> = (0..12 * itemsize).map(|i| (i * 7 % 251) as u8).collect();
        file.extend(&data);
        let src = p(&d, name);
        std::fs::write(&src, &file).unwrap();
        (src, data)
    };
    let unpacked = |store: &str, region: Option<&str>| {
        let out = p(&d, "back.npy");
        let mut args = vec!["unpack", store, &out];
        if let Some(r) = region {
            args.extend(["--region", r]);
        }
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let (h, body) = npy::parse(&std::fs::read(&out).unwrap())
            .map(|(h, b)| (h, b.to_vec()))
            .unwrap();
        (h.record.unwrap().python_descr(), body)
    };
    // v2 holds any record: subarray fields too
    let descr = "[('id', '<u8'), ('pos', '<f4', (3,)), ('tag', '|S2')]";
    let (src, data) = write("cells.npy", descr, 22);
    let store = p(&d, "cells.zarr");
    let o = run(&["pack", &src, &store, "--chunks", "5", "--codec", "zstd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["info", &store]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains(r#"record [["id","<u8"],["pos","<f4",[3]],["tag","|S2"]]"#),
        "{text}"
    );
    assert_eq!(unpacked(&store, None), (descr.to_owned(), data.clone()));
    assert_eq!(unpacked(&store, Some("3:7")).1, &data[3 * 22..7 * 22]);
    // v3's struct holds scalar fields only: a subarray field is a clear error, nothing written
    let v3 = p(&d, "cells3.zarr");
    let o = run(&["pack", &src, &v3, "--chunks", "5", "--zarr-format", "3"]);
    assert!(
        !o.status.success() && stderr(&o).contains("write this array as Zarr v2"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&v3).exists());
    let descr = "[('id', '<u8'), ('tag', '|S2')]";
    let (src, data) = write("ids.npy", descr, 10);
    let o = run(&[
        "pack",
        &src,
        &v3,
        "--chunks",
        "5",
        "--zarr-format",
        "3",
        "--shards",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(unpacked(&v3, None), (descr.to_owned(), data));
}

#[test]
fn pack_and_unpack_zarr_v3() {
    let d = tmpdir("pack3");
    let (src, original) = write_npy(&d);
    let pack = |store: &str, args: &[&str]| {
        let mut full = vec!["pack", src.as_str(), store, "--chunks", "4,4,7"];
        full.extend_from_slice(args);
        run(&full)
    };
    let unpack = |store: &str| {
        let out = format!("{store}.npy");
        let o = run(&["unpack", store, &out]);
        assert!(o.status.success(), "{store}: {}", stderr(&o));
        std::fs::read(out).unwrap()
    };
    // store, extra arguments, what its zarr.json says, a chunk file it holds
    let v3 = "--zarr-format";
    for (name, args, says, file) in [
        (
            "f.zarr",
            &["--codec", "blosc:cname=zstd,shuffle=2", "--order", "F", v3, "3"][..],
            &["\"zarr_format\": 3", "\"transpose\"", "\"bitshuffle\""][..],
            "c/2/2/0",
        ),
        ("c.zarr", &[v3, "3"][..], &["\"zstd\""][..], "c/2/2/0"),
        (
            "s.zarr",
            &["--shards", "8,8,7", v3, "3"][..],
            &["\"sharding_indexed\""][..],
            "c/1/1/0",
        ),
    ] {
        let store = p(&d, name);
        let o = pack(&store, args);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let meta = std::fs::read_to_string(Path::new(&store).join("zarr.json")).unwrap();
        assert!(says.iter().all(|s| meta.contains(s)), "{name}: {meta}");
        assert!(Path::new(&store).join(file).is_file(), "{name}: {file}");
    }
    // The F-order store unpacks to the F-order source, byte for byte; shards are C-ordered, so the
    // sharded store unpacks as the C-order one does.
    assert_eq!(unpack(&p(&d, "f.zarr")), original);
    assert_eq!(unpack(&p(&d, "s.zarr")), unpack(&p(&d, "c.zarr")));
    for (args, code, says) in [
        (&[v3, "4"][..], 2, "zarr-format"),
        (&["--shards", "8,8,7"][..], 1, "Zarr v3"),
        (&["--shards", "8,8", v3, "3"][..], 2, "--shards"),
    ] {
        let o = pack(&p(&d, "bad.zarr"), args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn pack_usage_errors() {
    let d = tmpdir("packerr");
    let (src, _) = write_npy(&d);
    let store = p(&d, "x.zarr");
    for (args, needle) in [
        (vec!["--chunks", "4,4"], "3 dimensions"),
        (vec!["--chunks", "4,0,4"], "at least 1"),
        (vec!["--chunks", "4,a,4"], "positive integers"),
        (vec!["--chunks", "4,4,4", "--codec", "nope"], "nope"),
        (vec!["--chunks", "4,4,4", "--filters", "{"], "--filters"),
        (vec!["--chunks", "4,4,4", "--order", "K"], "order"),
    ] {
        let mut full = vec!["pack", src.as_str(), store.as_str()];
        full.extend(args);
        let o = run(&full);
        assert_eq!(o.status.code(), Some(2), "{full:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{full:?}: {}", stderr(&o));
        assert!(!Path::new(&store).exists());
    }
}

#[test]
fn pack_reads_npy_from_stdin_and_maps_npy_files() {
    use std::io::Write;
    let d = tmpdir("packstdin");
    let (src, original) = write_npy(&d);
    let from_file = p(&d, "file.zarr");
    // F-ordered chunks, so that the .npy unpacked is byte-identical to the F-ordered source
    let args = ["--chunks", "4,4,7", "--order", "F"];
    assert!(run(&[&["pack", &src, &from_file][..], &args].concat())
        .status
        .success());
    let from_stdin = p(&d, "stdin.zarr");
    let mut child = bin()
        .args([&["pack", "-", &from_stdin][..], &args].concat())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&original).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for store in [&from_file, &from_stdin] {
        let back = p(&d, "back.npy");
        assert!(run(&["unpack", store, &back]).status.success());
        assert!(std::fs::read(&back).unwrap() == original, "{store}");
    }
    // a truncated .npy is an error, not a fault, and leaves no store
    let short = p(&d, "short.npy");
    std::fs::write(&short, &original[..original.len() - 10]).unwrap();
    let o = run(&["pack", &short, &p(&d, "short.zarr"), "--chunks", "4,4,7"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!d.join("short.zarr").exists());
    let empty = p(&d, "empty.npy");
    std::fs::write(&empty, b"").unwrap();
    let o = run(&["pack", &empty, &p(&d, "empty.zarr"), "--chunks", "4,4,7"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn unpack_regions() {
    use brickwork::core::npy;
    let d = tmpdir("region");
    let (src, _) = write_npy(&d); // (10, 9, 7) <u2 in F order: element (i, j, k) is (i + 10 j + 90 k) / 4
    let value = |i: usize, j: usize, k: usize| ((i + 10 * j + 90 * k) / 4) as u16;
    for extra in [&[][..], &["--zarr-format", "3", "--shards", "8,8,7"][..]] {
        let store = p(&d, &format!("r{}.zarr", extra.len()));
        let mut args = vec!["pack", &src, &store, "--chunks", "4,4,7", "--codec", "zstd"];
        args.extend_from_slice(extra);
        assert!(run(&args).status.success());
        let out = p(&d, "region.npy");
        let o = run(&[
            "unpack",
            &store,
            &out,
            "--region",
            "2:9:3, -1, ::-2",
            "--threads",
            "2",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        let (h, body) = npy::parse(&bytes).unwrap();
        assert_eq!(h.shape, vec![3, 4]);
        let expect: Vec<u8> = [2, 5, 8]
            .iter()
            .flat_map(|&i| [6, 4, 2, 0].map(move |k| value(i, 8, k)))
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(body, &expect[..]);
        // fewer entries than axes: the rest whole
        let o = run(&["unpack", &store, &out, "--region", "3"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        let (h, body) = npy::parse(&bytes).unwrap();
        assert_eq!(h.shape, vec![9, 7]);
        assert_eq!(
            &body[..4],
            &[value(3, 0, 0).to_le_bytes(), value(3, 0, 1).to_le_bytes()].concat()[..]
        );
        std::fs::remove_file(&out).unwrap();
        for (region, says) in [
            ("1,2,3,4", "has 4 entries"),
            ("a:b", "neither an index"),
            ("::0", "step along axis 0 is 0"),
            ("10", "out of bounds for axis 0"),
            ("1:2:3:4", "neither an index"),
        ] {
            let o = run(&["unpack", &store, &out, "--region", region]);
            assert_eq!(o.status.code(), Some(2), "{region}");
            assert!(stderr(&o).contains(says), "{region}: {}", stderr(&o));
            assert!(!Path::new(&out).exists());
        }
        let o = run(&["unpack", &store, &out, "--region", "1:3", "--max-bytes", "100"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("limit") && stderr(&o).contains("--max-bytes"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn unpack_names_what_a_npy_cannot_hold() {
    let d = tmpdir("unpackstr");
    let store = d.join("s.zarr");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(
        store.join(".zarray"),
        r#"{"zarr_format":2,"shape":[3],"chunks":[3],"dtype":"|O","order":"C","compressor":null,"fill_value":"","filters":[{"id":"vlen-utf8"}]}"#,
    )
    .unwrap();
    let out = p(&d, "o.npy");
    let o = run(&["unpack", &store.to_string_lossy(), &out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("brickwork.zarr.load"), "{}", stderr(&o));
    assert!(!Path::new(&out).exists());
}

#[test]
fn unpack_rejects_hostile_stores() {
    let d = tmpdir("unpackbad");
    let store = d.join("h.zarr");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(
        store.join(".zarray"),
        r#"{"zarr_format":2,"shape":[100000,100000,100000],"chunks":[10,10,10],"dtype":"<f8","order":"C","compressor":null,"fill_value":0,"filters":null}"#,
    )
    .unwrap();
    let out = p(&d, "o.npy");
    let o = run(&["unpack", &store.to_string_lossy(), &out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("limit"), "{}", stderr(&o));
    assert!(!Path::new(&out).exists());
}

#[test]
fn pack_reads_media_sources() {
    // A 3-page uint16 TIFF stack, written by `brickwork media convert`, packs into a (3, H, W) store.
    let d = tmpdir("packmedia");
    use brickwork::core::npy;
    let data: Vec<u8> = (0..3 * 20 * 30u16).flat_map(|v| (v * 7).to_le_bytes()).collect();
    let src = p(&d, "stack.npy");
    let dtype = brickwork::DType::parse("<u2").unwrap();
    std::fs::write(
        &src,
        npy::to_bytes(dtype, &[3, 20, 30], brickwork::Order::C, &data),
    )
    .unwrap();
    let tif = p(&d, "stack.tif");
    let o = run(&["media", "convert", &src, &tif]);
    assert!(o.status.success(), "{}", stderr(&o));
    let store = p(&d, "stack.zarr");
    let o = run(&["pack", &tif, &store, "--chunks", "1,16,16", "--codec", "zstd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = p(&d, "back.npy");
    assert!(run(&["unpack", &store, &back]).status.success());
    let bytes = std::fs::read(&back).unwrap();
    let (h, body) = npy::parse(&bytes).unwrap();
    assert_eq!(h.shape, vec![3, 20, 30]);
    assert_eq!(body, &data[..]);
    // One 16-bit plane through JPEG 2000 (lossless) and back, then packed.
    let plane = p(&d, "plane.npy");
    std::fs::write(
        &plane,
        npy::to_bytes(dtype, &[20, 30], brickwork::Order::C, &data[..1200]),
    )
    .unwrap();
    let jp2 = p(&d, "plane.jp2");
    assert!(run(&["media", "convert", &plane, &jp2]).status.success());
    assert!(std::fs::read(&jp2).unwrap().starts_with(b"\0\0\0\x0cjP  "));
    let o = run(&["pack", &jp2, &p(&d, "plane.zarr"), "--chunks", "16,16"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = p(&d, "plane_back.npy");
    assert!(run(&["unpack", &p(&d, "plane.zarr"), &back]).status.success());
    let bytes = std::fs::read(&back).unwrap();
    let (h, body) = npy::parse(&bytes).unwrap();
    assert_eq!((h.shape, body), (vec![20, 30], &data[..1200]));
    // A file that is not media is a clear error, and no store is left.
    let junk = p(&d, "junk.png");
    std::fs::write(&junk, b"not a png").unwrap();
    let o = run(&["pack", &junk, &p(&d, "junk.zarr"), "--chunks", "4,4"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(!d.join("junk.zarr").exists());
}

#[test]
fn info_describes_arrays_and_walks_groups() {
    let d = tmpdir("info");
    let (src, _) = write_npy(&d); // (10, 9, 7) <u2
    let group = p(&d, "g.zarr");
    std::fs::create_dir_all(&group).unwrap();
    std::fs::write(format!("{group}/.zgroup"), r#"{"zarr_format": 2}"#).unwrap();
    let sub = format!("{group}/labels");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(format!("{sub}/.zgroup"), r#"{"zarr_format": 2}"#).unwrap();
    let raw = format!("{group}/raw");
    assert!(run(&["pack", &src, &raw, "--chunks", "4,4,7", "--codec", "zstd"])
        .status
        .success());
    let sharded = format!("{sub}/v1");
    let args = [
        "pack",
        &src,
        &sharded,
        "--chunks",
        "4,4,7",
        "--codec",
        "zstd",
        "--zarr-format",
        "3",
        "--shards",
        "8,8,7",
    ];
    assert!(run(&args).status.success());
    let o = run(&["info", &raw]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    for part in [
        "Zarr v2 array",
        "<u2 10×9×7",
        "chunks 4×4×7",
        "C order",
        "zstd(",
        "9 of 9 chunks written",
        "1.2 KiB",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
    let o = run(&["info", &group]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].ends_with("g.zarr/  Zarr v2 group"), "{text}");
    assert_eq!(lines[1], "  labels/  group");
    assert!(
        lines[2].starts_with("    v1  Zarr v3 array") && lines[2].contains("in shards of 8×8×7"),
        "{text}"
    );
    assert!(lines[3].starts_with("  raw  Zarr v2 array"), "{text}");
    let o = run(&["info", &group, "--depth", "1"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 3);
    // links back up the tree are named once, not walked (eight of them would be 8^16 lines)
    for i in 0..8 {
        std::os::unix::fs::symlink(&group, format!("{sub}/up{i}")).unwrap();
    }
    let o = run(&["info", &group]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(text.lines().count(), 12, "{text}");
    assert!(text.contains("up0/  group (listed already"), "{text}");
    // a structured dtype is shown as its fields
    let records = p(&d, "records.zarr");
    std::fs::create_dir_all(&records).unwrap();
    let zarray = r#"{"zarr_format": 2, "shape": [6], "chunks": [4], "dtype": [["x", "<i4"], ["y", "<f8", [2]]],
        "order": "C", "compressor": null, "filters": null, "fill_value": null}"#;
    std::fs::write(format!("{records}/.zarray"), zarray).unwrap();
    let o = run(&["info", &records]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains(r#"record [["x","<i4"],["y","<f8",[2]]] 6"#),
        "{text}"
    );
    assert!(text.contains("0 of 2 chunks written"), "{text}");
    // not a store: a clear error, exit status 1
    let o = run(&["info", &p(&d, "")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("holds no Zarr array or group"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_named_as_a_store_is_a_clear_error() {
    let d = tmpdir("file-store");
    let zip = p(&d, "store.zip");
    std::fs::write(&zip, b"PK\x03\x04 a zipped store").unwrap();
    let text = p(&d, "notes.txt");
    std::fs::write(&text, b"notes").unwrap();
    for (path, said) in [
        (
            &zip,
            "is a zip file, not a Zarr store directory: unzip it, or open it from Python with",
        ),
        (&text, "is a file, not a Zarr store directory"),
    ] {
        for args in [
            vec!["info", path.as_str()],
            vec!["unpack", path.as_str(), "/dev/null"],
        ] {
            let o = run(&args);
            assert_eq!(o.status.code(), Some(1), "{args:?}");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains(said), "{args:?}: {err}");
        }
    }
}

#[test]
fn info_and_unpack_read_rectilinear_grids() {
    // a store as zarr-python 3.4 writes one with chunks=[[5, 5, 5, 5, 30], 3]: no chunk written yet
    let d = tmpdir("rectilinear");
    let store = p(&d, "r.zarr");
    std::fs::create_dir_all(&store).unwrap();
    let meta = r#"{"zarr_format": 3, "node_type": "array", "shape": [50, 7], "data_type": "uint8",
        "chunk_grid": {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[[5, 4], 30], 3]}},
        "chunk_key_encoding": {"name": "default"}, "fill_value": 9, "codecs": [{"name": "bytes"}]}"#;
    std::fs::write(format!("{store}/zarr.json"), meta).unwrap();
    let o = run(&["info", &store]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("chunks [[5,4],30]×3 (rectilinear)") && text.contains("0 of 15 chunks"),
        "{text}"
    );
    let out = p(&d, "r.npy");
    let o = run(&["unpack", &store, &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let npy = std::fs::read(&out).unwrap();
    assert!(npy.ends_with(&[9u8; 350]) && npy.len() < 350 + 256);
}
