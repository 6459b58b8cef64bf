//! Interim snapshot output, used until the directory module's snapshot writer lands on main:
//! the model's serde form plus the descriptors (which the model skips) as base64.
//! Replaced by `crate::directory::snapshot::write` once that exists.

use std::io::Write;

use base64::Engine;
use serde_json::{json, Value};

use crate::directory::Directory;

/// Descriptors stored once each, referenced by index (users share a handful of them).
#[derive(Default)]
struct DescriptorTable {
    encoded: Vec<String>,
}

impl DescriptorTable {
    fn index(&mut self, sd: &Option<std::sync::Arc<[u8]>>) -> Value {
        let Some(bytes) = sd else { return Value::Null };
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let i = match self.encoded.iter().position(|e| *e == b64) {
            Some(i) => i,
            None => {
                self.encoded.push(b64);
                self.encoded.len() - 1
            }
        };
        Value::from(i)
    }
}

pub fn write(dir: &Directory, out: &mut impl Write) -> std::io::Result<()> {
    let mut table = DescriptorTable::default();
    let mut b64 = |sd: &Option<std::sync::Arc<[u8]>>| table.index(sd);
    let users: Vec<Value> = dir
        .users
        .iter()
        .map(|u| json!({ "user": u, "security_descriptor": b64(&u.security_descriptor) }))
        .collect();
    let containers: Vec<Value> = dir
        .containers
        .iter()
        .map(|c| json!({ "container": c, "security_descriptor": b64(&c.security_descriptor) }))
        .collect();
    let mut names: Vec<(String, &String)> = dir.names.iter().map(|(s, n)| (s.to_string(), n)).collect();
    names.sort();
    let doc = json!({
        "format": "resetlens-demo-interim/0",
        "source": dir.source,
        "captured_at": dir.captured_at,
        "domain": dir.domain,
        "domain_security_descriptor": b64(&dir.domain.security_descriptor),
        "admin_sd_holder_descriptor": b64(&dir.domain.admin_sd_holder_descriptor),
        "connector": dir.connector,
        "containers": containers,
        "password_settings": dir.password_settings,
        "names": names,
        "users": users,
        "descriptors": table.encoded,
    });
    serde_json::to_writer(&mut *out, &doc)?;
    out.write_all(b"\n")
}
