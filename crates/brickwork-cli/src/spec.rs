//! What the command line specifies: codec SPECs (a JSON config, a bare id, or `id:key=value,...`) and
//! array layouts (`--dtype`, `--shape`, `--order`).

use brickwork::core::config::{from_json, Config};
use brickwork::{Codec, DType, Error, Order, Result};
use serde_json::Value;

use crate::Failure;

/// Parses a SPEC and builds its codec from the registry; every error here is a usage error.
pub fn build_codec(spec: &str) -> std::result::Result<Box<dyn Codec>, Failure> {
    let config = parse(spec).map_err(Failure::usage)?;
    brickwork::codecs::get_codec(&config).map_err(Failure::usage)
}

/// The array layout options shared by `encode` and `decode`.
#[derive(clap::Args, Debug, Default)]
pub struct LayoutArgs {
    /// Element type as a NumPy string (e.g. `<u2`, `float32`).
    #[arg(long)]
    pub dtype: Option<String>,
    /// Shape as comma-separated sizes (e.g. `16,64,64`); default: one dimension.
    #[arg(long)]
    pub shape: Option<String>,
    /// Memory order of the array: C or F.
    #[arg(long)]
    pub order: Option<String>,
}

/// A parsed array layout; `None` fields were not given.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// `--dtype`.
    pub dtype: Option<DType>,
    /// `--shape`.
    pub shape: Option<Vec<usize>>,
    /// `--order`.
    pub order: Option<Order>,
}

impl LayoutArgs {
    /// True when none of the options was given.
    pub fn is_empty(&self) -> bool {
        self.dtype.is_none() && self.shape.is_none() && self.order.is_none()
    }

    /// Parses the options; every error here is a usage error.
    pub fn parse(&self) -> std::result::Result<Layout, Failure> {
        let dtype = self
            .dtype
            .as_deref()
            .map(DType::parse)
            .transpose()
            .map_err(Failure::usage)?;
        let shape = self
            .shape
            .as_deref()
            .map(parse_shape)
            .transpose()
            .map_err(Failure::usage)?;
        let order = self
            .order
            .as_deref()
            .map(Order::parse)
            .transpose()
            .map_err(Failure::usage)?;
        Ok(Layout { dtype, shape, order })
    }
}

/// Parses `16,64,64` (spaces allowed; `""` is a 0-d shape).
pub fn parse_shape(s: &str) -> Result<Vec<usize>> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|d| d.trim().parse::<usize>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::InvalidArray(format!("--shape {s:?} is not a list of sizes like 16,64,64")))
}

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
    fn shapes() {
        assert_eq!(parse_shape("16,64, 64").unwrap(), vec![16, 64, 64]);
        assert_eq!(parse_shape("7").unwrap(), vec![7]);
        assert_eq!(parse_shape("").unwrap(), Vec::<usize>::new());
        for bad in ["1,,2", "a", "-1", "1.5", "99999999999999999999999"] {
            assert!(
                parse_shape(bad).unwrap_err().to_string().contains("16,64,64"),
                "{bad}"
            );
        }
    }

    #[test]
    fn layout_errors_are_usage_errors() {
        let args = LayoutArgs {
            dtype: Some("<q9".into()),
            ..LayoutArgs::default()
        };
        assert_eq!(args.parse().unwrap_err().code, 2);
        let args = LayoutArgs {
            dtype: Some("<u2".into()),
            shape: Some("2,3".into()),
            order: Some("F".into()),
        };
        let l = args.parse().unwrap();
        assert_eq!(l.shape, Some(vec![2, 3]));
        assert_eq!(l.order, Some(Order::F));
        assert!(build_codec("nope")
            .unwrap_err()
            .error
            .to_string()
            .contains("known ids"));
        assert_eq!(build_codec("zlib:level=abc").unwrap_err().code, 2);
    }

    #[test]
    fn bad_specs_say_what_is_accepted() {
        for bad in ["", ":level=1", "zstd:level", "zstd:=3", "{not json"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("expected") || e.contains("JSON"), "{bad:?}: {e}");
        }
    }
}
