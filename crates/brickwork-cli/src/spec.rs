//! Codec SPECs on the command line: a JSON config, a bare id, or `id:key=value,...`.

use brickwork::core::config::{from_json, Config};
use brickwork::{Error, Result};
use serde_json::Value;

/// Parses a SPEC into a codec config.
pub fn parse(spec: &str) -> Result<Config> {
    let spec = spec.trim();
    if spec.starts_with('{') {
        return from_json(spec);
    }
    let (id, rest) = match spec.split_once(':') {
        Some((id, rest)) => (id.trim(), Some(rest)),
        None => (spec, None),
    };
    if id.is_empty() {
        return Err(bad(spec, "it names no codec id"));
    }
    let mut config = Config::new();
    config.insert("id".into(), Value::String(id.into()));
    for pair in rest.map(split_top_level).unwrap_or_default() {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| bad(spec, &format!("{pair:?} is not key=value")))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(bad(spec, &format!("{pair:?} has an empty key")));
        }
        let value = value.trim();
        let parsed = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        config.insert(key.to_owned(), parsed);
    }
    Ok(config)
}

fn bad(spec: &str, why: &str) -> Error {
    Error::invalid_config(
        "?",
        "id",
        format!(
            "codec spec {spec:?}: {why}; expected a JSON config, a bare id (zstd) or id:key=value,... (zstd:level=5)"
        ),
    )
}

/// Splits on commas that are not inside brackets, braces or quotes (so `filters=[{...},{...}]` stays whole).
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut in_str, mut escaped, mut start) = (0i32, false, false, 0);
    for (i, c) in s.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Value {
        Value::Object(parse(s).unwrap())
    }

    #[test]
    fn the_three_forms() {
        assert_eq!(p("zstd"), json!({"id": "zstd"}));
        assert_eq!(p(r#"{"id":"zstd","level":5}"#), json!({"id": "zstd", "level": 5}));
        assert_eq!(
            p("zstd:level=5,checksum=true"),
            json!({"id": "zstd", "level": 5, "checksum": true})
        );
        assert_eq!(
            p("blosc:cname=zstd,clevel=5"),
            json!({"id": "blosc", "cname": "zstd", "clevel": 5})
        );
        assert_eq!(
            p(r#"lzma:format=3,filters=[{"id":3,"dist":4},{"id":33,"preset":1}]"#),
            json!({"id": "lzma", "format": 3, "filters": [{"id": 3, "dist": 4}, {"id": 33, "preset": 1}]})
        );
        assert_eq!(p("delta:dtype=<i4"), json!({"id": "delta", "dtype": "<i4"}));
    }

    #[test]
    fn bad_specs_say_what_is_accepted() {
        for bad in ["", ":level=1", "zstd:level", "zstd:=3", "{not json"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("expected") || e.contains("JSON"), "{bad:?}: {e}");
        }
    }
}
