//! The codec registry: numcodecs' `get_codec(config)` and `register_codec(cls)`.
//!
//! Built-in codecs are declared as [`CodecEntry`] values (one `pub const ENTRY` per codec file, collected
//! into a table by `brickwork-codecs`); applications can add their own at run time with
//! [`Registry::register`], which, as in numcodecs, replaces an earlier entry with the same id.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::codec::{Codec, StaticCodec};
use crate::config::{config_id, Config};
use crate::error::{Error, Result};

/// Builds a codec from its config.
pub type BuildFn = dyn Fn(&Config) -> Result<Box<dyn Codec>> + Send + Sync;

/// A built-in codec: its id and how to build it.
#[derive(Clone, Copy)]
pub struct CodecEntry {
    /// The codec id.
    pub id: &'static str,
    /// Builds the codec from a config.
    pub build: fn(&Config) -> Result<Box<dyn Codec>>,
}

fn build_static<T: StaticCodec>(config: &Config) -> Result<Box<dyn Codec>> {
    Ok(Box::new(T::from_config(config)?))
}

impl CodecEntry {
    /// The entry of a [`StaticCodec`].
    pub const fn of<T: StaticCodec>() -> Self {
        CodecEntry {
            id: T::ID,
            build: build_static::<T>,
        }
    }
}

impl std::fmt::Debug for CodecEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodecEntry").field("id", &self.id).finish()
    }
}

/// Maps codec ids to builders.
#[derive(Clone, Default)]
pub struct Registry {
    builders: BTreeMap<String, Arc<BuildFn>>,
    unsupported: BTreeMap<String, String>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("ids", &self.ids()).finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// A registry holding `entries`.
    pub fn with_entries(entries: &[CodecEntry]) -> Self {
        let mut r = Registry::new();
        for e in entries {
            let build = e.build;
            r.register(e.id, move |c: &Config| build(c));
        }
        r
    }

    /// Adds (or replaces) the builder for `id`.
    pub fn register<F>(&mut self, id: &str, build: F)
    where
        F: Fn(&Config) -> Result<Box<dyn Codec>> + Send + Sync + 'static,
    {
        self.unsupported.remove(id);
        self.builders.insert(id.to_owned(), Arc::new(build));
    }

    /// Records an id numcodecs knows but this registry deliberately cannot build, with the reason.
    pub fn mark_unsupported(&mut self, id: &str, reason: &str) {
        self.unsupported.insert(id.to_owned(), reason.to_owned());
    }

    /// numcodecs' `get_codec(config)`: builds the codec named by `config["id"]`.
    pub fn get_codec(&self, config: &Config) -> Result<Box<dyn Codec>> {
        let id = match config.get("id") {
            None => "None".to_owned(),
            Some(v) => config_id(config).map_or_else(|| v.to_string(), str::to_owned),
        };
        if let Some(build) = self.builders.get(&id) {
            return build(config);
        }
        if let Some(reason) = self.unsupported.get(&id) {
            return Err(Error::UnsupportedCodec {
                id,
                reason: reason.clone(),
            });
        }
        Err(Error::UnknownCodec {
            id,
            known: self.ids().join(", "),
        })
    }

    /// The ids this registry can build, sorted.
    pub fn ids(&self) -> Vec<&str> {
        self.builders.keys().map(String::as_str).collect()
    }

    /// True if `id` can be built.
    pub fn contains(&self, id: &str) -> bool {
        self.builders.contains_key(id)
    }
}
