//! A registry of serializers: by name, by content type and by value type (labox's serializer lookup).
//!
//! Serializers with different value and config types are stored behind the object-safe
//! [`DynSerializer`], which takes and returns values as `dyn Any` and configs as their compact JSON
//! text (what labox stores). Every [`Serializer`] is a `DynSerializer`.

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::serializer::{media_serializer, MediaSerializer, SerializedData, Serializer};
use crate::{MediaError, Result};

/// An object-safe view of a [`Serializer`]: values as `dyn Any`, configs as JSON text.
pub trait DynSerializer: Send + Sync {
    /// The serializer's name.
    fn name(&self) -> &str;
    /// The content types it produces.
    fn content_types(&self) -> &[String];
    /// The `TypeId` of the values it serializes.
    fn value_type(&self) -> TypeId;
    /// The Rust name of the values it serializes, for messages.
    fn value_type_name(&self) -> &'static str;
    /// Serializes a value; the config comes back as compact JSON text.
    fn serialize_any(&self, value: &dyn Any) -> Result<SerializedData<String>>;
    /// Reads a value back from data whose config is JSON text.
    fn deserialize_any(&self, content: SerializedData<String>) -> Result<Box<dyn Any>>;
}

impl<S: Serializer> DynSerializer for S {
    fn name(&self) -> &str {
        Serializer::name(self)
    }

    fn content_types(&self) -> &[String] {
        Serializer::content_types(self)
    }

    fn value_type(&self) -> TypeId {
        TypeId::of::<S::Value>()
    }

    fn value_type_name(&self) -> &'static str {
        std::any::type_name::<S::Value>()
    }

    fn serialize_any(&self, value: &dyn Any) -> Result<SerializedData<String>> {
        let v = value.downcast_ref::<S::Value>().ok_or_else(|| {
            MediaError::Serializer(format!(
                "{} serializes {}, not the value given",
                Serializer::name(self),
                std::any::type_name::<S::Value>()
            ))
        })?;
        let out = self.serialize_data(v)?;
        let config = match &out.config {
            Some(c) => Some(self.serialize_config(c)?),
            None => None,
        };
        Ok(SerializedData {
            data: out.data,
            content_type: out.content_type,
            content_encoding: out.content_encoding,
            config,
        })
    }

    fn deserialize_any(&self, content: SerializedData<String>) -> Result<Box<dyn Any>> {
        let config = match &content.config {
            Some(c) => Some(self.deserialize_config(c)?),
            None => None,
        };
        let value = self.deserialize_data(SerializedData {
            data: content.data,
            content_type: content.content_type,
            content_encoding: content.content_encoding,
            config,
        })?;
        Ok(Box::new(value))
    }
}

/// Serializers by name, with lookups by content type and by value type.
#[derive(Clone, Default)]
pub struct SerializerRegistry {
    by_name: BTreeMap<String, Arc<dyn DynSerializer>>,
    /// Registration order, for "first registered wins" lookups.
    order: Vec<String>,
}

impl std::fmt::Debug for SerializerRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerializerRegistry")
            .field("names", &self.order)
            .finish()
    }
}

impl SerializerRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry holding brickwork's serializers (the default [`MediaSerializer`]).
    pub fn with_builtins() -> Self {
        let mut r = Self::new();
        let media: Arc<dyn DynSerializer> = Arc::new(media_serializer().clone());
        // The name is fresh in an empty registry, so this cannot fail.
        let _ = r.register(media);
        r
    }

    /// Adds a serializer; a name already present is an error (names are unique and never reused).
    pub fn register(&mut self, s: Arc<dyn DynSerializer>) -> Result<()> {
        let name = s.name().to_owned();
        if self.by_name.contains_key(&name) {
            return Err(MediaError::Serializer(format!(
                "a serializer named {name:?} is already registered"
            )));
        }
        self.order.push(name.clone());
        self.by_name.insert(name, s);
        Ok(())
    }

    /// The registered names, in registration order.
    pub fn names(&self) -> &[String] {
        &self.order
    }

    /// The serializer of that name, or an error listing the known names.
    pub fn get(&self, name: &str) -> Result<Arc<dyn DynSerializer>> {
        self.by_name.get(name).cloned().ok_or_else(|| {
            MediaError::Serializer(format!(
                "no serializer named {name:?}; registered: {}",
                self.order.join(", ")
            ))
        })
    }

    fn in_order(&self) -> impl Iterator<Item = &Arc<dyn DynSerializer>> {
        self.order.iter().filter_map(|n| self.by_name.get(n))
    }

    /// The first registered serializer that produces `content_type`.
    pub fn by_content_type(&self, content_type: &str) -> Option<Arc<dyn DynSerializer>> {
        self.in_order()
            .find(|s| s.content_types().iter().any(|t| t == content_type))
            .cloned()
    }

    /// The first registered serializer for values of type `T`.
    pub fn by_value_type<T: Any>(&self) -> Option<Arc<dyn DynSerializer>> {
        self.by_type_id(TypeId::of::<T>())
    }

    /// The first registered serializer for the type of `value`.
    pub fn for_value(&self, value: &dyn Any) -> Option<Arc<dyn DynSerializer>> {
        self.by_type_id(value.type_id())
    }

    fn by_type_id(&self, id: TypeId) -> Option<Arc<dyn DynSerializer>> {
        self.in_order().find(|s| s.value_type() == id).cloned()
    }
}

/// The name of the default media serializer, for convenience.
pub const MEDIA_SERIALIZER_NAME: &str = MediaSerializer::NAME;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Media, MediaData};
    use brickwork_core::{ArrayBuf, DType, Order};

    #[test]
    fn lookups_and_dyn_round_trip() {
        let r = SerializerRegistry::with_builtins();
        assert_eq!(r.names(), &[MEDIA_SERIALIZER_NAME.to_owned()]);
        let s = r.get("labox.imageio@v1").unwrap();
        assert!(r.by_content_type("image/png").is_some());
        assert!(r.by_content_type("text/plain").is_none());
        assert!(r.by_value_type::<Media>().is_some());
        assert!(r.by_value_type::<u32>().is_none());
        let e = r.get("nope@v1").err().unwrap().to_string();
        assert!(e.contains("labox.imageio@v1"), "{e}");

        let a = ArrayBuf::new(vec![7; 12], DType::U8, vec![2, 2, 3], Order::C).unwrap();
        let m = Media::with_extension(a.clone(), ".png").unwrap();
        assert!(r.for_value(&m).is_some());
        let out = s.serialize_any(&m).unwrap();
        assert_eq!(
            out.config.as_deref(),
            Some(r#"{"plugin":null,"extension":".png"}"#)
        );
        let back = s.deserialize_any(out).unwrap().downcast::<Media>().unwrap();
        assert!(matches!(back.data(), MediaData::Array(b) if *b == a));
        assert!(s.serialize_any(&5u32).is_err());

        let mut r2 = r.clone();
        assert!(r2.register(s).is_err());
    }
}
