//! Content keys: a 128-bit hash (xxh3) of what a value or a task is — its kind, its parameters in
//! their postcard encoding (a specified, stable wire format) and the keys of its inputs — never
//! of where it was written or when it was made. The same script gives the same keys in every
//! run, and equal computations get equal keys, so they are made once and can be shared across
//! processes.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Key(pub u128);

/// 32 hex digits in human-readable encodings (JSON has no 128-bit numbers), 16 bytes otherwise.
impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serializer.is_human_readable() {
            true => serializer.serialize_str(&self.to_string()),
            false => self.0.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        match deserializer.is_human_readable() {
            true => {
                let text = String::deserialize(deserializer)?;
                Key::parse(&text)
                    .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a key")))
            }
            false => u128::deserialize(deserializer).map(Key),
        }
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl Key {
    pub fn parse(hex: &str) -> Option<Key> {
        (hex.len() == 32)
            .then(|| u128::from_str_radix(hex, 16).ok())
            .flatten()
            .map(Key)
    }

    /// The key of raw bytes (data in memory).
    pub fn of_bytes(tag: &str, bytes: &[u8]) -> Key {
        let mut builder = KeyBuilder::new(tag);
        builder.bytes(bytes);
        builder.finish()
    }
}

/// The material a key is hashed from, added piece by piece.
pub struct KeyBuilder {
    material: Vec<u8>,
}

impl KeyBuilder {
    /// A builder for a key of kind `tag` (keys of different kinds never share material).
    pub fn new(tag: &str) -> KeyBuilder {
        let mut builder = KeyBuilder {
            material: Vec::with_capacity(64),
        };
        builder.value(tag);
        builder
    }

    /// A parameter, in its postcard encoding.
    pub fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> &mut KeyBuilder {
        let material = std::mem::take(&mut self.material);
        self.material = postcard::to_extend(value, material).expect("parameters encode");
        self
    }

    pub fn key(&mut self, key: Key) -> &mut KeyBuilder {
        self.material.extend_from_slice(&key.0.to_le_bytes());
        self
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> &mut KeyBuilder {
        self.value(&(bytes.len() as u64));
        self.material.extend_from_slice(bytes);
        self
    }

    pub fn finish(&self) -> Key {
        Key(xxhash_rust::xxh3::xxh3_128(&self.material))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fixed_by_content() {
        let key = |tag: &str, n: u64| KeyBuilder::new(tag).value(&n).finish();
        assert_eq!(key("a", 1), key("a", 1));
        assert_ne!(key("a", 1), key("a", 2));
        assert_ne!(key("a", 1), key("b", 1));
        // A key printed and parsed back is the same key.
        let k = key("a", 1);
        assert_eq!(Key::parse(&k.to_string()), Some(k));
        // Keys do not change from run to run, build to build or machine to machine: a value
        // computed once, kept here.
        assert_eq!(
            Key::of_bytes("data", b"flow").to_string(),
            "e6bc80e172799b2b4fcf7b0190f5dbc3"
        );
    }
}
