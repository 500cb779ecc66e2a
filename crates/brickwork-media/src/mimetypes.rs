//! `MimeTypes`: CPython 3.13's `mimetypes.MimeTypes`, with its built-in tables and nothing from the system.
//!
//! The tables (`_types_map_default` = 154 strict entries, `_common_types_default` = the non-strict ones,
//! `_encodings_map_default`, `_suffix_map_default`) are `data/python_mimetypes_3.13.0.json`, a copy of the
//! dump CPython 3.13.0 made of them, embedded at build time. A `MimeTypes::new()` is therefore what
//! Python's `MimeTypes()` instance holds: it never reads `/etc/mime.types` (Python's instance does not
//! either; only the module-level functions do).
//!
//! [`MimeTypes::guess_file_type`] ports CPython 3.13's `_guess_file_type` exactly: `os.path.splitext`
//! (leading dots of the basename are not separators), the suffix map applied repeatedly and looked up in
//! lower case (`.tgz` → `.tar.gz`), the encodings map looked up **case-sensitively** (`.Z` is compress,
//! `.z` is nothing), then the type looked up in lower case (`file.PNG` → `image/png`), strict table first.
//!
//! Documented differences from other Pythons: 3.11/3.12 have no `.webp` (they say `None`); 3.14+ add or
//! change `.avi`, `.mkv`, `.m4v`, `.ogv`, `.fits`. Use [`MimeTypes::add_type`] to override.
//! One deliberate difference from 3.13: `add_type` lower-cases the extension (Python stores it verbatim,
//! so `add_type(t, ".QOI")` could never match) and refuses extensions without a leading dot (CPython 3.16
//! raises `ValueError` for them too).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::{MediaError, Result};

const TABLES_JSON: &str = include_str!("../data/python_mimetypes_3.13.0.json");

/// The four tables as CPython defines them, parsed once.
struct Defaults {
    strict: Vec<(String, String)>,
    nonstrict: Vec<(String, String)>,
    encodings: Vec<(String, String)>,
    suffixes: Vec<(String, String)>,
}

fn table(v: &serde_json::Value, key: &str) -> Vec<(String, String)> {
    v.get(key)
        .and_then(|t| t.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

static DEFAULTS: LazyLock<Defaults> = LazyLock::new(|| {
    let v: serde_json::Value = serde_json::from_str(TABLES_JSON).unwrap_or(serde_json::Value::Null);
    Defaults {
        strict: table(&v, "types_map_strict"),
        nonstrict: table(&v, "types_map_nonstrict"),
        encodings: table(&v, "encodings_map"),
        suffixes: table(&v, "suffix_map"),
    }
});

/// A MIME type database with CPython's semantics: strict and non-strict type maps, their inverses,
/// the encodings map and the suffix map.
#[derive(Debug, Clone)]
pub struct MimeTypes {
    /// `[non-strict, strict]`: extension (lower-case, with dot) → type.
    types_map: [HashMap<String, String>; 2],
    /// `[non-strict, strict]`: type → extensions in insertion order.
    types_map_inv: [HashMap<String, Vec<String>>; 2],
    /// Extension → content encoding; keys are case-sensitive.
    encodings_map: HashMap<String, String>,
    /// Extension → what it stands for (`.tgz` → `.tar.gz`).
    suffix_map: HashMap<String, String>,
}

impl Default for MimeTypes {
    fn default() -> Self {
        Self::new()
    }
}

impl MimeTypes {
    /// CPython 3.13's built-in tables, as `mimetypes.MimeTypes()` holds them.
    pub fn new() -> Self {
        let d = &*DEFAULTS;
        let mut m = MimeTypes::empty();
        m.encodings_map = d.encodings.iter().cloned().collect();
        m.suffix_map = d.suffixes.iter().cloned().collect();
        for (ext, ty) in &d.strict {
            m.insert(ty, ext, true);
        }
        for (ext, ty) in &d.nonstrict {
            m.insert(ty, ext, false);
        }
        m
    }

    /// No types, no encodings, no suffixes.
    pub fn empty() -> Self {
        MimeTypes {
            types_map: [HashMap::new(), HashMap::new()],
            types_map_inv: [HashMap::new(), HashMap::new()],
            encodings_map: HashMap::new(),
            suffix_map: HashMap::new(),
        }
    }

    fn insert(&mut self, ty: &str, ext: &str, strict: bool) {
        let i = usize::from(strict);
        self.types_map[i].insert(ext.to_owned(), ty.to_owned());
        let exts = self.types_map_inv[i].entry(ty.to_owned()).or_default();
        if !exts.iter().any(|e| e == ext) {
            exts.push(ext.to_owned());
        }
    }

    /// Maps `ext` (with its dot; stored lower-case) to `mime`, in the strict or non-strict table, as
    /// Python's `add_type(type, ext, strict)`.
    pub fn add_type(&mut self, mime: &str, ext: &str, strict: bool) -> Result<()> {
        if !ext.starts_with('.') {
            return Err(MediaError::InvalidMedia(format!(
                "add_type: the extension {ext:?} must start with a dot, as in \".{ext}\""
            )));
        }
        self.insert(mime, &ext.to_lowercase(), strict);
        Ok(())
    }

    /// `(type, encoding)` for a path, exactly as CPython 3.13's `MimeTypes.guess_file_type(path, strict=)`.
    pub fn guess_file_type(&self, path: &str, strict: bool) -> (Option<String>, Option<String>) {
        let (mut base, mut ext) = splitext(path);
        while let Some(rep) = self.suffix_map.get(&ext.to_lowercase()) {
            let joined = format!("{base}{rep}");
            let (b, e) = splitext(&joined);
            (base, ext) = (b, e);
        }
        let encoding = match self.encodings_map.get(&ext) {
            Some(enc) => {
                let (_, e) = splitext(&base);
                ext = e;
                Some(enc.clone())
            }
            None => None,
        };
        let ext = ext.to_lowercase();
        if let Some(t) = self.types_map[1].get(&ext) {
            return (Some(t.clone()), encoding);
        }
        if strict {
            return (None, encoding);
        }
        (self.types_map[0].get(&ext).cloned(), encoding)
    }

    /// Every extension known for `mime` (lower-cased first), strict ones first, as
    /// `guess_all_extensions(type, strict)`.
    pub fn guess_all_extensions(&self, mime: &str, strict: bool) -> Vec<String> {
        let mime = mime.to_lowercase();
        let mut out: Vec<String> = self.types_map_inv[1].get(&mime).cloned().unwrap_or_default();
        if !strict {
            for e in self.types_map_inv[0].get(&mime).into_iter().flatten() {
                if !out.contains(e) {
                    out.push(e.clone());
                }
            }
        }
        out
    }

    /// The first of [`guess_all_extensions`](Self::guess_all_extensions), as `guess_extension`.
    pub fn guess_extension(&self, mime: &str, strict: bool) -> Option<String> {
        self.guess_all_extensions(mime, strict).into_iter().next()
    }

    /// Adds the entries of a `mime.types`-format text (`type ext1 ext2 ...`, `#` comments), as
    /// Python's `readfp`.
    pub fn read_mime_types(&mut self, text: &str, strict: bool) {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let Some(ty) = words.next() else { continue };
            for suffix in words {
                self.insert(ty, &format!(".{suffix}"), strict);
            }
        }
    }
}

/// Python's `posixpath.splitext`: splits at the last `.` after the last `/`, unless every character
/// between that `/` and the dot is a dot (leading dots of a file name are not separators).
fn splitext(p: &str) -> (String, String) {
    let sep = p.rfind('/').map_or(0, |i| i + 1);
    if let Some(dot) = p.rfind('.') {
        if dot >= sep && p[sep..dot].bytes().any(|b| b != b'.') {
            return (p[..dot].to_owned(), p[dot..].to_owned());
        }
    }
    (p.to_owned(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(m: &MimeTypes, p: &str) -> (Option<String>, Option<String>) {
        m.guess_file_type(p, true)
    }

    fn s(t: Option<&str>, e: Option<&str>) -> (Option<String>, Option<String>) {
        (t.map(str::to_owned), e.map(str::to_owned))
    }

    #[test]
    fn tables_are_cpython_313() {
        let m = MimeTypes::new();
        assert_eq!(m.types_map[1].len(), 154);
        assert_eq!(m.types_map[0].len(), 8);
        assert_eq!(g(&m, "file.webp"), s(Some("image/webp"), None));
        assert_eq!(g(&m, "file.ico"), s(Some("image/vnd.microsoft.icon"), None));
        assert_eq!(g(&m, "file.apng"), s(None, None));
        assert_eq!(g(&m, "file.mkv"), s(None, None));
        assert_eq!(g(&m, "file.jpg"), s(Some("image/jpeg"), None));
        assert_eq!(m.guess_file_type("file.pict", false), s(Some("image/pict"), None));
        assert_eq!(g(&m, "file.pict"), s(None, None));
    }

    #[test]
    fn every_strict_and_common_entry_is_found() {
        let m = MimeTypes::new();
        for (ext, ty) in &DEFAULTS.strict {
            assert_eq!(g(&m, &format!("dir.d/file{ext}")), s(Some(ty), None), "{ext}");
            assert_eq!(
                g(&m, &format!("file{}", ext.to_uppercase())),
                s(Some(ty), None),
                "{ext}"
            );
        }
        for (ext, ty) in &DEFAULTS.nonstrict {
            if !DEFAULTS.strict.iter().any(|(e, _)| e == ext) {
                assert_eq!(
                    m.guess_file_type(&format!("file{ext}"), false),
                    s(Some(ty), None),
                    "{ext}"
                );
                assert_eq!(g(&m, &format!("file{ext}")), s(None, None), "{ext}");
            }
        }
    }

    #[test]
    fn encodings_and_suffixes() {
        let m = MimeTypes::new();
        assert_eq!(g(&m, "file.png.gz"), s(Some("image/png"), Some("gzip")));
        assert_eq!(g(&m, "file.png.bz2"), s(Some("image/png"), Some("bzip2")));
        assert_eq!(g(&m, "file.png.Z"), s(Some("image/png"), Some("compress")));
        assert_eq!(g(&m, "file.png.z"), s(None, None));
        assert_eq!(g(&m, "file.tgz"), s(Some("application/x-tar"), Some("gzip")));
        assert_eq!(g(&m, "file.svgz"), s(Some("image/svg+xml"), Some("gzip")));
        assert_eq!(g(&m, "file.png.zst"), s(None, None));
        assert_eq!(g(&m, "file.gz"), s(None, Some("gzip")));
        assert_eq!(g(&m, "file.PNG"), s(Some("image/png"), None));
        assert_eq!(g(&m, ".png"), s(None, None));
        assert_eq!(g(&m, "dir.d/file"), s(None, None));
    }

    #[test]
    fn splitext_is_posixpath() {
        assert_eq!(splitext("a.b.c"), ("a.b".into(), ".c".into()));
        assert_eq!(splitext(".bashrc"), (".bashrc".into(), String::new()));
        assert_eq!(splitext("..x.y"), ("..x".into(), ".y".into()));
        assert_eq!(splitext("a/.b"), ("a/.b".into(), String::new()));
        assert_eq!(splitext("a.d/b"), ("a.d/b".into(), String::new()));
    }

    #[test]
    fn add_type_and_inverse() {
        let mut m = MimeTypes::new();
        m.add_type("image/x-foo", ".FOO", true).unwrap();
        assert_eq!(g(&m, "file.foo"), s(Some("image/x-foo"), None));
        assert!(m.add_type("image/x-foo", "foo", true).is_err());
        assert_eq!(m.guess_extension("image/x-foo", true).as_deref(), Some(".foo"));
        assert!(m
            .guess_all_extensions("image/jpeg", true)
            .contains(&".jpg".to_owned()));
        let mut e = MimeTypes::empty();
        e.read_mime_types("image/qoi qoi # comment\n# x\n", true);
        assert_eq!(g(&e, "a.qoi"), s(Some("image/qoi"), None));
    }
}
