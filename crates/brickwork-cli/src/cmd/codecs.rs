//! `brickwork codecs`: every codec id in the registry with its default config, or the config key it
//! requires (typed codecs such as delta have no default dtype).

use std::io::Write;

use brickwork::core::config::Config;
use brickwork::Error;
use serde_json::{json, Value};

use crate::CmdResult;

/// Arguments of `brickwork codecs`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON: a list of {"id", "default_config", "requires", "note"}.
    #[arg(long)]
    json: bool,
}

/// The key named in serde's "missing field `key`" message, if that is what the error says.
fn missing_key(reason: &str) -> Option<&str> {
    let rest = reason.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(key, _)| key)
}

/// Stand-in values tried for a required key, only to find out which further keys are required.
fn probes() -> [Value; 4] {
    [json!("<f8"), json!(1), json!(["a"]), json!("a")]
}

/// One row: the id, its default config, or the keys that building it from `{"id": id}` requires.
///
/// serde reports one missing key at a time, so each missing key is filled with a stand-in value (never
/// shown) and the build retried, until it succeeds or fails for another reason.
fn row(registry: &brickwork::Registry, id: &str) -> Value {
    let mut cfg = Config::new();
    cfg.insert("id".into(), Value::String(id.to_owned()));
    let mut requires: Vec<String> = Vec::new();
    let mut last = match registry.get_codec(&cfg) {
        Ok(codec) => {
            return json!({"id": id, "default_config": Value::Object(codec.config()), "requires": [], "note": null})
        }
        Err(e) => e,
    };
    'keys: while requires.len() < 16 {
        let Error::InvalidConfig { reason, .. } = &last else {
            break;
        };
        let Some(key) = missing_key(reason).map(str::to_owned) else {
            break;
        };
        requires.push(key.clone());
        for probe in probes() {
            cfg.insert(key.clone(), probe);
            match registry.get_codec(&cfg) {
                Ok(_) => break 'keys,
                Err(Error::InvalidConfig { reason, key: k, .. })
                    if k == key || missing_key(&reason).is_none() =>
                {
                    last = Error::InvalidConfig {
                        codec: id.to_owned(),
                        key: k,
                        reason,
                    };
                }
                Err(e) => {
                    last = e;
                    continue 'keys;
                }
            }
        }
        break;
    }
    let note = if requires.is_empty() {
        Value::String(last.to_string())
    } else {
        Value::Null
    };
    json!({"id": id, "default_config": null, "requires": requires, "note": note})
}

/// Runs the subcommand.
pub fn run(args: &Args) -> CmdResult {
    let registry = brickwork::codecs::registry();
    let rows: Vec<Value> = registry.ids().into_iter().map(|id| row(&registry, id)).collect();
    let mut text = String::new();
    if args.json {
        text = serde_json::to_string_pretty(&rows).map_err(|e| Error::InvalidArray(e.to_string()))?;
        text.push('\n');
    } else {
        for r in &rows {
            let id = r["id"].as_str().unwrap_or("?");
            let line = match (&r["default_config"], &r["requires"], &r["note"]) {
                (Value::Object(c), _, _) => Value::Object(c.clone()).to_string(),
                (_, Value::Array(keys), _) if !keys.is_empty() => {
                    let keys: Vec<String> = keys
                        .iter()
                        .map(|k| k.as_str().unwrap_or("?").to_owned())
                        .collect();
                    format!("(no default config: requires {})", keys.join(", "))
                }
                (_, _, note) => format!("(no default config: {})", note.as_str().unwrap_or("")),
            };
            text.push_str(&format!("{id:18} {line}\n"));
        }
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // `brickwork codecs | head` closes the pipe early: that is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("writing stdout", e).into()),
        _ => Ok(()),
    }
}
