//! Runs the real `brickwork` binary.

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

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("brickwork-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("known ids") && stderr(&o).contains("zstd"),
        "{}",
        stderr(&o)
    );
    let o = run(&["encode", "-c", "zstd:level", "-", "-"]);
    assert!(stderr(&o).contains("key=value"), "{}", stderr(&o));
    let o = run(&["encode", "-c", "zstd:foo=1", "-", "-"]);
    assert!(
        stderr(&o).contains("foo") && stderr(&o).contains("level"),
        "{}",
        stderr(&o)
    );
    let o = run(&["decode", "-c", "zstd", "/nonexistent/file", "-"]);
    assert!(stderr(&o).contains("/nonexistent/file"), "{}", stderr(&o));
    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}
