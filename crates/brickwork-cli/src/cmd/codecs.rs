//! `brickwork codecs`: every codec id with its default config (or the keys it requires).

use brickwork::core::config::Config;
use brickwork::{Error, Result};
use serde_json::{json, Value};

/// Arguments of `brickwork codecs`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON: a list of {"id", "default_config", "requires"}.
    #[arg(long)]
    json: bool,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<()> {
    let registry = brickwork::codecs::registry();
    let mut rows = Vec::new();
    for id in registry.ids() {
        let mut cfg = Config::new();
        cfg.insert("id".into(), Value::String(id.to_owned()));
        let row = match registry.get_codec(&cfg) {
            Ok(codec) => json!({"id": id, "default_config": Value::Object(codec.config()), "requires": null}),
            Err(Error::InvalidConfig { reason, .. }) => {
                json!({"id": id, "default_config": null, "requires": reason})
            }
            Err(e) => json!({"id": id, "default_config": null, "requires": e.to_string()}),
        };
        rows.push(row);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        return Ok(());
    }
    for row in &rows {
        let id = row["id"].as_str().unwrap_or("?");
        match &row["default_config"] {
            Value::Object(c) => println!("{id:18} {}", Value::Object(c.clone())),
            _ => println!(
                "{id:18} (no default config: {})",
                row["requires"].as_str().unwrap_or("")
            ),
        }
    }
    Ok(())
}
