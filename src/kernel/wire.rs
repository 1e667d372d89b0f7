//! The Jupyter messaging protocol (version 5.3) on the wire: the connection file, and messages as
//! ZeroMQ multipart frames — routing identities, `<IDS|MSG>`, the HMAC-SHA256 signature (hex)
//! of the four JSON parts, then header, parent header, metadata and content.

use serde_json::{json, Value};
use zeromq::ZmqMessage;

pub const PROTOCOL_VERSION: &str = "5.3";
const DELIMITER: &[u8] = b"<IDS|MSG>";

/// What Jupyter's connection file says: where to listen and how to sign.
#[derive(Debug, serde::Deserialize)]
pub struct ConnectionInfo {
    pub ip: String,
    pub transport: String,
    pub shell_port: u16,
    pub iopub_port: u16,
    pub stdin_port: u16,
    pub control_port: u16,
    pub hb_port: u16,
    #[serde(default)]
    pub key: String,
    #[serde(default = "hmac_sha256")]
    pub signature_scheme: String,
}

fn hmac_sha256() -> String {
    "hmac-sha256".into()
}

impl ConnectionInfo {
    pub fn read(path: &std::path::Path) -> Result<ConnectionInfo, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the connection file `{}`: {e}", path.display()))?;
        let info: ConnectionInfo = serde_json::from_str(&text)
            .map_err(|e| format!("`{}` is not a Jupyter connection file: {e}", path.display()))?;
        if info.transport != "tcp" {
            return Err(format!(
                "transport `{}` is not supported; flow's kernel listens on tcp",
                info.transport
            ));
        }
        if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
            return Err(format!(
                "signature scheme `{}` is not supported; use hmac-sha256",
                info.signature_scheme
            ));
        }
        Ok(info)
    }

    pub fn endpoint(&self, port: u16) -> String {
        format!("tcp://{}:{port}", self.ip)
    }
}

/// A message: its routing identities (shell, control, stdin) and its four JSON parts.
#[derive(Clone, Debug)]
pub struct Message {
    pub identities: Vec<bytes::Bytes>,
    pub header: Value,
    pub parent: Value,
    pub metadata: Value,
    pub content: Value,
}

impl Message {
    pub fn kind(&self) -> &str {
        self.header["msg_type"].as_str().unwrap_or("")
    }

    /// A message of `kind` answering or caused by this one (same identities, this as parent).
    pub fn child(&self, session: &str, kind: &str, content: Value) -> Message {
        Message {
            identities: self.identities.clone(),
            header: header(session, kind),
            parent: self.header.clone(),
            metadata: json!({}),
            content,
        }
    }
}

/// A new header of `kind` in `session`.
pub fn header(session: &str, kind: &str) -> Value {
    json!({
        "msg_id": message_id(),
        "session": session,
        "username": "flow",
        "date": now_iso8601(),
        "msg_type": kind,
        "version": PROTOCOL_VERSION,
    })
}

/// Signs and checks messages with the connection's key (no key: unsigned, as Jupyter allows).
pub struct Signer {
    key: Option<ring::hmac::Key>,
}

impl Signer {
    pub fn new(key: &str) -> Signer {
        Signer {
            key: (!key.is_empty())
                .then(|| ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes())),
        }
    }

    fn signature(&self, parts: &[&[u8]]) -> String {
        let Some(key) = &self.key else {
            return String::new();
        };
        let mut context = ring::hmac::Context::with_key(key);
        for part in parts {
            context.update(part);
        }
        context
            .sign()
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn encode(&self, message: &Message) -> ZmqMessage {
        let parts: Vec<Vec<u8>> = [
            &message.header,
            &message.parent,
            &message.metadata,
            &message.content,
        ]
        .iter()
        .map(|v| serde_json::to_vec(v).expect("JSON values serialise"))
        .collect();
        let signature = self.signature(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let mut frames: Vec<bytes::Bytes> = message.identities.clone();
        frames.push(bytes::Bytes::from_static(DELIMITER));
        frames.push(signature.into_bytes().into());
        frames.extend(parts.into_iter().map(bytes::Bytes::from));
        ZmqMessage::try_from(frames).expect("a message has frames")
    }

    /// The message in `frames`, its signature checked; `Err` says what is wrong.
    pub fn decode(&self, frames: ZmqMessage) -> Result<Message, String> {
        let frames = frames.into_vec();
        let delimiter = frames
            .iter()
            .position(|f| f.as_ref() == DELIMITER)
            .ok_or("no <IDS|MSG> delimiter")?;
        let rest = &frames[delimiter + 1..];
        if rest.len() < 5 {
            return Err(format!("{} frames after the delimiter, not 5", rest.len()));
        }
        let expected = self.signature(&[&rest[1], &rest[2], &rest[3], &rest[4]]);
        let given = std::str::from_utf8(&rest[0]).map_err(|_| "a signature that is not text")?;
        if self.key.is_some() && !constant_time_equal(given.as_bytes(), expected.as_bytes()) {
            return Err("a bad signature".into());
        }
        let json = |frame: &bytes::Bytes| -> Result<Value, String> {
            serde_json::from_slice(frame).map_err(|e| format!("a part that is not JSON: {e}"))
        };
        Ok(Message {
            identities: frames[..delimiter].to_vec(),
            header: json(&rest[1])?,
            parent: json(&rest[2])?,
            metadata: json(&rest[3])?,
            content: json(&rest[4])?,
        })
    }
}

fn constant_time_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random message id (a version-4 UUID).
pub fn message_id() -> String {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .expect("the system's random numbers");
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Now, as ISO 8601 in UTC with microseconds (what Jupyter's clients parse).
fn now_iso8601() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = now.as_secs() as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = crate::io::cftime::Calendar::Gregorian.civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        now.subsec_micros()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_bad_signatures_are_refused() {
        let signer = Signer::new("secret");
        let message = Message {
            identities: vec![bytes::Bytes::from_static(b"client")],
            header: header("s", "execute_request"),
            parent: json!({}),
            metadata: json!({}),
            content: json!({"code": "1 + 1"}),
        };
        let decoded = signer.decode(signer.encode(&message)).unwrap();
        assert_eq!(decoded.content, message.content);
        assert_eq!(decoded.identities, message.identities);
        assert!(Signer::new("other")
            .decode(signer.encode(&message))
            .is_err());
    }

    #[test]
    fn dates_are_iso8601() {
        let now = now_iso8601();
        assert_eq!((now.len(), &now[10..11], &now[26..]), (27, "T", "Z"));
    }
}
