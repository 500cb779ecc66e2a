//! Codec configs: numcodecs' `get_config()` dicts as JSON objects.
//!
//! A codec struct is its own config: it derives `serde::Deserialize` with numcodecs' defaults and
//! `deny_unknown_fields`, and `serde::Serialize` in numcodecs' key order. [`parse`] and [`emit`] add and
//! check the `"id"` key and turn serde's messages into [`Error`]s that name the codec and the key.
//! [`configs_equal`] compares configs with Python's equality (`1 == 1.0 == true`), as numcodecs'
//! `Codec.__eq__` does.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A codec config: a JSON object with an `"id"` key.
pub type Config = Map<String, Value>;

/// The `"id"` of a config, if it has a string one.
pub fn config_id(config: &Config) -> Option<&str> {
    config.get("id").and_then(Value::as_str)
}

/// Deserializes a codec's parameters from `config`, ignoring `"id"` (after checking it names `codec_id`).
///
/// `accepted` lists the keys the codec takes, for the error message on an unknown key.
pub fn parse<T: DeserializeOwned>(codec_id: &str, accepted: &[&str], config: &Config) -> Result<T> {
    if let Some(id) = config.get("id") {
        if id.as_str() != Some(codec_id) {
            return Err(Error::invalid_config(
                codec_id,
                "id",
                format!("expected {codec_id:?}, got {id}"),
            ));
        }
    }
    for key in config.keys() {
        if key != "id" && !accepted.contains(&key.as_str()) {
            return Err(Error::UnknownConfigKey {
                codec: codec_id.to_owned(),
                key: key.clone(),
                accepted: if accepted.is_empty() {
                    "none".to_owned()
                } else {
                    accepted.join(", ")
                },
            });
        }
    }
    let params: Map<String, Value> = config
        .iter()
        .filter(|(k, _)| *k != "id")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_path_to_error::deserialize(Value::Object(params)).map_err(|e| {
        let key = e.path().to_string();
        let key = if key == "." { "?".to_owned() } else { key };
        Error::invalid_config(codec_id, &key, e.into_inner())
    })
}

/// Serializes a codec's parameters into a config with `"id"` first.
pub fn emit<T: Serialize>(codec_id: &str, params: &T) -> Config {
    let mut config = Config::new();
    config.insert("id".to_owned(), Value::String(codec_id.to_owned()));
    if let Ok(Value::Object(map)) = serde_json::to_value(params) {
        config.extend(map);
    }
    config
}

/// Parses a JSON text into a config object.
pub fn from_json(text: &str) -> Result<Config> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::invalid_config(
            "?",
            "id",
            format!("a codec config must be a JSON object, got {other}"),
        )),
        Err(e) => Err(Error::invalid_config("?", "id", format!("not valid JSON: {e}"))),
    }
}

/// Python equality of two JSON values: numbers by value (`1 == 1.0`), `true == 1`, `false == 0`.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    fn as_number(v: &Value) -> Option<f64> {
        match v {
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(i), Some(j), _, _) => i == j,
            (_, _, Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Bool(_) | Value::Number(_), Value::Bool(_) | Value::Number(_)) => {
            as_number(a) == as_number(b)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => configs_equal(x, y),
        _ => a == b,
    }
}

/// Python dict equality of two configs: same keys, [`values_equal`] values.
pub fn configs_equal(a: &Config, b: &Config) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| values_equal(v, w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, serde::Serialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct P {
        #[serde(default = "one")]
        level: i64,
    }
    fn one() -> i64 {
        1
    }

    fn cfg(v: Value) -> Config {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn parse_applies_defaults_and_names_bad_keys() {
        let p: P = parse("zlib", &["level"], &cfg(json!({"id": "zlib"}))).unwrap();
        assert_eq!(p.level, 1);
        let e = parse::<P>("zlib", &["level"], &cfg(json!({"id": "zlib", "foo": 1}))).unwrap_err();
        assert!(
            matches!(e, Error::UnknownConfigKey { ref key, .. } if key == "foo"),
            "{e}"
        );
        let e = parse::<P>("zlib", &["level"], &cfg(json!({"level": "high"}))).unwrap_err();
        assert!(e.to_string().contains("level"), "{e}");
        let e = parse::<P>("zlib", &["level"], &cfg(json!({"id": "zstd"}))).unwrap_err();
        assert!(e.to_string().contains("expected \"zlib\""), "{e}");
    }

    #[test]
    fn emit_puts_id_first() {
        let c = emit("zlib", &P { level: 5 });
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"id":"zlib","level":5}"#);
    }

    #[test]
    fn python_equality() {
        assert!(values_equal(&json!(1), &json!(1.0)));
        assert!(values_equal(&json!(true), &json!(1)));
        assert!(!values_equal(&json!(1), &json!("1")));
        assert!(values_equal(&json!([1, 2.0]), &json!([1.0, 2])));
        assert!(!configs_equal(
            &cfg(json!({"id": "crc32"})),
            &cfg(json!({"id": "crc32", "location": "start"}))
        ));
    }
}
