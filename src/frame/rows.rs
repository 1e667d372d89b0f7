//! Rows in memory (a computed frame, or one built from lists and arrays) as a value of the
//! frame graph: written out as Arrow IPC (the stream format, which pandas, pyarrow and polars
//! read), and known by a hash of that encoding, so a task holding rows has a content key.

use crate::key::Key;
use polars::prelude as pl;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::{Arc, OnceLock};

pub struct Rows {
    frame: pl::DataFrame,
    content: OnceLock<Key>,
}

impl std::ops::Deref for Rows {
    type Target = pl::DataFrame;

    fn deref(&self) -> &pl::DataFrame {
        &self.frame
    }
}

impl std::fmt::Display for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.frame.fmt(f)
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} rows in memory", self.frame.height())
    }
}

impl Rows {
    pub fn new(frame: pl::DataFrame) -> Arc<Rows> {
        Arc::new(Rows {
            frame,
            content: OnceLock::new(),
        })
    }

    pub fn frame(&self) -> &pl::DataFrame {
        &self.frame
    }

    /// A hash of the rows' Arrow IPC encoding (computed once).
    pub fn content_key(&self) -> Key {
        *self
            .content
            .get_or_init(|| Key::of_bytes("rows", &self.to_ipc()))
    }

    /// The rows as an Arrow IPC stream.
    pub fn to_ipc(&self) -> Vec<u8> {
        use pl::SerWriter;
        let mut bytes = Vec::new();
        pl::IpcStreamWriter::new(&mut bytes)
            .finish(&mut self.frame.clone())
            .expect("rows in memory encode as Arrow IPC");
        bytes
    }

    pub fn from_ipc(bytes: &[u8]) -> Result<Arc<Rows>, String> {
        use pl::SerReader;
        let frame = pl::IpcStreamReader::new(std::io::Cursor::new(bytes))
            .finish()
            .map_err(|e| format!("rows that are not Arrow IPC: {e}"))?;
        Ok(Rows::new(frame))
    }
}

/// Bytes in binary encodings; base64 text in JSON.
impl Serialize for Rows {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::text::serialize_bytes(&self.to_ipc(), serializer)
    }
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rows, D::Error> {
        let bytes = crate::text::deserialize_bytes(deserializer)?;
        let rows = Rows::from_ipc(&bytes).map_err(serde::de::Error::custom)?;
        Ok(Arc::try_unwrap(rows).expect("a new value has one owner"))
    }
}
