//! Snapshot files: everything the diagnosis needs from one domain, captured once and read back
//! with no domain controller (`resetlens snapshot --out FILE`, then `--snapshot FILE`).
//!
//! The file is one JSON object (documented in docs/snapshot-format.md):
//!
//! ```text
//! {
//!   "format": "resetlens.snapshot/1",      // first key; a reader refuses any other value
//!   "captured_at": "RFC3339", "source": "ldaps://dc1.contoso.com",
//!   "domain": { ...Domain... },  "domain_descriptor": 0,  "admin_sd_holder_descriptor": 1,
//!   "connector": { "status": "found", ...ConnectorAccount... },
//!   "cloud_sync": { ...ConnectorAccount... },                    // optional: the Cloud Sync gMSA
//!   "password_settings": [ ... ],
//!   "sam_objects": { "sam_server_descriptor": 5, "builtin_descriptor": 6,    // optional, each key too
//!                    "pre_windows_2000": { "dn": "...", "authenticated_users_member": true } },
//!   "names": { "S-1-5-21-...-1103": "CONTOSO\\MSOL_abc123" },
//!   "containers": [ { "dn": "...", "dacl_protected": false } ], "container_descriptors": [2],
//!   "users": [ { ...DirectoryUser... } ],                        "user_descriptors": [3, 3, 4],
//!   "descriptors": [ "base64 of a self-relative nTSecurityDescriptor", ... ]
//! }
//! ```
//!
//! Security descriptors are stored once each in `descriptors` and referenced by index (`null`:
//! none was read), because most users in an OU carry byte-identical descriptors; the
//! `*_descriptors` arrays run parallel to `containers` and `users`. Values are as AD stores them
//! (FILETIME ticks, negative intervals). No secret is ever in the model, so none is in the file.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{
    ConnectorAccount, ConnectorLookup, Container, Directory, DirectoryUser, Domain, PasswordSettings,
    PreWindows2000, SamObjects,
};
use crate::security::Sid;

/// The value of `"format"` this version writes and reads.
pub const FORMAT: &str = "resetlens.snapshot/1";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write snapshot: {0}")]
    Write(#[source] std::io::Error),
    #[error(
        "snapshot {path} has format '{found}', but this resetlens reads '{FORMAT}': capture it \
         again with this version or use the resetlens that wrote it"
    )]
    UnknownFormat { path: String, found: String },
    #[error("snapshot {path} is not a resetlens snapshot: {message}")]
    Malformed { path: String, message: String },
}

#[derive(Serialize)]
struct SnapshotOut<'a> {
    format: &'static str,
    captured_at: DateTime<Utc>,
    source: &'a str,
    domain: &'a Domain,
    domain_descriptor: Option<u32>,
    admin_sd_holder_descriptor: Option<u32>,
    connector: &'a ConnectorLookup,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloud_sync: Option<&'a ConnectorAccount>,
    password_settings: &'a [PasswordSettings],
    #[serde(skip_serializing_if = "Option::is_none")]
    sam_objects: Option<SamObjectsOut<'a>>,
    names: BTreeMap<&'a Sid, &'a String>,
    containers: &'a [Container],
    container_descriptors: Vec<Option<u32>>,
    users: &'a [DirectoryUser],
    user_descriptors: Vec<Option<u32>>,
    descriptors: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotIn {
    format: String,
    captured_at: DateTime<Utc>,
    source: String,
    domain: Domain,
    domain_descriptor: Option<u32>,
    admin_sd_holder_descriptor: Option<u32>,
    connector: ConnectorLookup,
    #[serde(default)]
    cloud_sync: Option<ConnectorAccount>,
    password_settings: Vec<PasswordSettings>,
    #[serde(default)]
    sam_objects: Option<SamObjectsIn>,
    names: HashMap<Sid, String>,
    containers: Vec<Container>,
    container_descriptors: Vec<Option<u32>>,
    users: Vec<DirectoryUser>,
    user_descriptors: Vec<Option<u32>>,
    descriptors: Vec<String>,
}

/// `SamObjects` with its descriptors as indexes into `descriptors`; left out when nothing was read.
#[derive(Serialize)]
struct SamObjectsOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sam_server_descriptor: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    builtin_descriptor: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pre_windows_2000: Option<&'a PreWindows2000>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SamObjectsIn {
    #[serde(default)]
    sam_server_descriptor: Option<u32>,
    #[serde(default)]
    builtin_descriptor: Option<u32>,
    #[serde(default)]
    pre_windows_2000: Option<PreWindows2000>,
}

/// Just the version, to explain a file this version cannot read.
#[derive(Deserialize)]
struct FormatProbe {
    format: String,
}

/// Assigns each distinct descriptor one index, in first-seen order.
#[derive(Default)]
struct DescriptorTable<'a> {
    index: HashMap<&'a [u8], u32>,
    blobs: Vec<&'a [u8]>,
}

impl<'a> DescriptorTable<'a> {
    fn add(&mut self, sd: &'a Option<Arc<[u8]>>) -> Option<u32> {
        let bytes: &'a [u8] = sd.as_deref()?;
        let next = u32::try_from(self.blobs.len()).unwrap_or(u32::MAX);
        Some(*self.index.entry(bytes).or_insert_with(|| {
            self.blobs.push(bytes);
            next
        }))
    }
}

/// Writes `dir` as a snapshot.
pub fn write(dir: &Directory, w: impl Write) -> Result<(), SnapshotError> {
    let mut table = DescriptorTable::default();
    let domain_descriptor = table.add(&dir.domain.security_descriptor);
    let admin_sd_holder_descriptor = table.add(&dir.domain.admin_sd_holder_descriptor);
    let sam = &dir.sam;
    let sam_objects = (*sam != SamObjects::default()).then(|| SamObjectsOut {
        sam_server_descriptor: table.add(&sam.sam_server_descriptor),
        builtin_descriptor: table.add(&sam.builtin_descriptor),
        pre_windows_2000: sam.pre_windows_2000.as_ref(),
    });
    let container_descriptors = dir
        .containers
        .iter()
        .map(|c| table.add(&c.security_descriptor))
        .collect();
    let user_descriptors = dir
        .users
        .iter()
        .map(|u| table.add(&u.security_descriptor))
        .collect();
    let out = SnapshotOut {
        format: FORMAT,
        captured_at: dir.captured_at,
        source: &dir.source,
        domain: &dir.domain,
        domain_descriptor,
        admin_sd_holder_descriptor,
        connector: &dir.connector,
        cloud_sync: dir.cloud_sync.as_ref(),
        password_settings: &dir.password_settings,
        sam_objects,
        names: dir.names.iter().collect(),
        containers: &dir.containers,
        container_descriptors,
        users: &dir.users,
        user_descriptors,
        descriptors: table.blobs.iter().map(|b| BASE64.encode(b)).collect(),
    };
    let mut w = std::io::BufWriter::new(w);
    serde_json::to_writer(&mut w, &out).map_err(|e| SnapshotError::Write(e.into()))?;
    w.write_all(b"\n").map_err(SnapshotError::Write)?;
    w.flush().map_err(SnapshotError::Write)
}

/// Reads a snapshot file.
pub fn read(path: &Path) -> Result<Directory, SnapshotError> {
    let bytes = std::fs::read(path).map_err(|source| SnapshotError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut dir = from_bytes(&bytes, &path.display().to_string())?;
    dir.source = path.display().to_string();
    Ok(dir)
}

/// Reads a snapshot from memory; `name` appears in errors. `source` keeps what the file recorded.
pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Directory, SnapshotError> {
    let malformed = |message: String| SnapshotError::Malformed {
        path: name.to_string(),
        message,
    };
    let parsed: SnapshotIn = match serde_json::from_slice(bytes) {
        Ok(p) => p,
        Err(e) => {
            // A file from another version fails on its fields; say so rather than name a field.
            return Err(match serde_json::from_slice::<FormatProbe>(bytes) {
                Ok(p) if p.format != FORMAT => SnapshotError::UnknownFormat {
                    path: name.to_string(),
                    found: p.format,
                },
                _ => malformed(e.to_string()),
            });
        }
    };
    if parsed.format != FORMAT {
        return Err(SnapshotError::UnknownFormat {
            path: name.to_string(),
            found: parsed.format,
        });
    }
    let table = parsed
        .descriptors
        .iter()
        .enumerate()
        .map(|(i, b)| {
            BASE64
                .decode(b)
                .map(Arc::<[u8]>::from)
                .map_err(|e| malformed(format!("descriptors[{i}]: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let lookup = |what: &str, index: Option<u32>| -> Result<Option<Arc<[u8]>>, SnapshotError> {
        index
            .map(|i| {
                table.get(i as usize).cloned().ok_or_else(|| {
                    malformed(format!(
                        "{what} refers to descriptor {i}, but there are {}",
                        table.len()
                    ))
                })
            })
            .transpose()
    };
    let parallel = |what: &str, items: usize, indexes: usize| {
        if items == indexes {
            Ok(())
        } else {
            Err(malformed(format!(
                "{items} {what} but {indexes} {what} descriptor indexes"
            )))
        }
    };
    parallel("users", parsed.users.len(), parsed.user_descriptors.len())?;
    parallel(
        "containers",
        parsed.containers.len(),
        parsed.container_descriptors.len(),
    )?;

    let mut domain = parsed.domain;
    domain.security_descriptor = lookup("domain_descriptor", parsed.domain_descriptor)?;
    domain.admin_sd_holder_descriptor =
        lookup("admin_sd_holder_descriptor", parsed.admin_sd_holder_descriptor)?;
    let sam = match parsed.sam_objects {
        None => SamObjects::default(),
        Some(s) => SamObjects {
            sam_server_descriptor: lookup("sam_objects.sam_server_descriptor", s.sam_server_descriptor)?,
            builtin_descriptor: lookup("sam_objects.builtin_descriptor", s.builtin_descriptor)?,
            pre_windows_2000: s.pre_windows_2000,
        },
    };
    let mut containers = parsed.containers;
    for (c, i) in containers.iter_mut().zip(parsed.container_descriptors) {
        c.security_descriptor = lookup("a container", i)?;
    }
    let mut users = parsed.users;
    for (u, i) in users.iter_mut().zip(parsed.user_descriptors) {
        u.security_descriptor = lookup("a user", i)?;
    }
    Ok(Directory {
        domain,
        connector: parsed.connector,
        containers,
        password_settings: parsed.password_settings,
        sam,
        cloud_sync: parsed.cloud_sync,
        names: parsed.names,
        users,
        source: parsed.source,
        captured_at: parsed.captured_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Directory {
        let mut d = crate::testkit::synthetic::directory(250);
        let sid = d.domain.sid.with_rid(1103);
        d.connector = ConnectorLookup::Found(ConnectorAccount {
            dn: "CN=MSOL_abc123,CN=Users,DC=contoso,DC=test".into(),
            sam_account_name: "MSOL_abc123".into(),
            sid,
            token_groups: vec![d.domain.sid.with_rid(513)],
        });
        d.users[3].token_groups = Some(vec![d.domain.sid.with_rid(512)]);
        d.users[4].security_descriptor = None;
        d.users[5].admin_description = Some("PHSFiltered".into());
        d.users[6].consistency_guid = d.users[6].object_guid;
        d.cloud_sync = Some(ConnectorAccount {
            dn: "CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=test".into(),
            sam_account_name: "provAgentgMSA$".into(),
            sid: d.domain.sid.with_rid(1130),
            token_groups: vec![d.domain.sid.with_rid(515)],
        });
        d.sam = SamObjects {
            sam_server_descriptor: d.domain.security_descriptor.clone(),
            builtin_descriptor: Some(Arc::from(&b"builtin"[..])),
            pre_windows_2000: Some(PreWindows2000 {
                dn: "CN=Pre-Windows 2000 Compatible Access,CN=Builtin,DC=contoso,DC=test".into(),
                authenticated_users_member: false,
            }),
        };
        d.password_settings.push(PasswordSettings {
            dn: "CN=Strict,CN=Password Settings Container,CN=System,DC=contoso,DC=test".into(),
            precedence: 10,
            min_pwd_age: 0,
            max_pwd_age: -1,
            pwd_history_length: 5,
            lockout_threshold: 3,
            lockout_duration: -1,
            lockout_observation_window: -1,
            min_pwd_length: Some(14),
            complexity: Some(true),
        });
        d
    }

    fn round_trip(d: &Directory) -> Directory {
        let mut buf = Vec::new();
        write(d, &mut buf).unwrap();
        from_bytes(&buf, "mem").unwrap()
    }

    #[test]
    fn round_trip_is_lossless() {
        let d = sample();
        assert_eq!(round_trip(&d), d);
    }

    #[test]
    fn files_without_the_optional_keys_of_later_captures_still_load() {
        let mut buf = Vec::new();
        write(&sample(), &mut buf).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["users"][5]["admin_description"], "PHSFiltered");
        assert_eq!(v["domain"]["min_pwd_length"], 7);
        v["domain"].as_object_mut().unwrap().remove("min_pwd_length");
        v["domain"].as_object_mut().unwrap().remove("pwd_properties");
        v["password_settings"][0]
            .as_object_mut()
            .unwrap()
            .remove("complexity");
        v["users"][5].as_object_mut().unwrap().remove("admin_description");
        v.as_object_mut().unwrap().remove("sam_objects");
        v.as_object_mut().unwrap().remove("cloud_sync");
        let d = from_bytes(v.to_string().as_bytes(), "old.json").unwrap();
        assert_eq!((d.sam, d.cloud_sync), (SamObjects::default(), None));
        assert_eq!((d.domain.min_pwd_length, d.domain.pwd_properties), (None, None));
        assert_eq!(d.password_settings[0].complexity, None);
        assert_eq!(d.password_settings[0].min_pwd_length, Some(14));
        assert_eq!(d.users[5].admin_description, None);
        // Absent values are not written, so a user without them costs no bytes.
        assert!(v["users"][7].get("admin_description").is_none());
    }

    #[test]
    fn identical_descriptors_are_stored_once() {
        let d = sample();
        let mut buf = Vec::new();
        write(&d, &mut buf).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        // 8 shared + 3 user-specific (i = 0, 100, 200) + domain (also samServer's), AdminSDHolder,
        // Builtin, containers' one.
        assert_eq!(v["descriptors"].as_array().unwrap().len(), 8 + 3 + 4);
        assert_eq!(v["sam_objects"]["sam_server_descriptor"], v["domain_descriptor"]);
        assert_eq!(v["user_descriptors"][4], serde_json::Value::Null);
        assert_eq!(v["format"], FORMAT);
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("{\"format\":\"resetlens.snapshot/1\""));
    }

    #[test]
    fn another_format_version_is_refused_clearly() {
        let mut v: serde_json::Value = {
            let mut buf = Vec::new();
            write(&sample(), &mut buf).unwrap();
            serde_json::from_slice(&buf).unwrap()
        };
        v["format"] = "resetlens.snapshot/2".into();
        let err = from_bytes(v.to_string().as_bytes(), "s.json").unwrap_err();
        assert!(matches!(err, SnapshotError::UnknownFormat { .. }), "{err}");
        assert!(err.to_string().contains("resetlens.snapshot/2"));
        let err = from_bytes(br#"{"format":"resetlens.snapshot/9","whatever":1}"#, "s.json").unwrap_err();
        assert!(matches!(err, SnapshotError::UnknownFormat { .. }), "{err}");
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        let mut buf = Vec::new();
        write(&sample(), &mut buf).unwrap();
        for cut in [0, 1, 10, buf.len() / 2, buf.len() - 3] {
            assert!(from_bytes(&buf[..cut], "s.json").is_err(), "cut at {cut}");
        }
        let mut v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        v["user_descriptors"][0] = 9999.into();
        let err = from_bytes(v.to_string().as_bytes(), "s.json").unwrap_err();
        assert!(err.to_string().contains("descriptor 9999"), "{err}");
        v["user_descriptors"] = serde_json::json!([]);
        assert!(from_bytes(v.to_string().as_bytes(), "s.json").is_err());
        let err = from_bytes(b"not json", "s.json").unwrap_err();
        assert!(matches!(err, SnapshotError::Malformed { .. }));
    }

    #[test]
    fn read_names_the_file_as_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snap.json");
        write(&sample(), std::fs::File::create(&path).unwrap()).unwrap();
        let d = read(&path).unwrap();
        assert_eq!(d.source, path.display().to_string());
        assert!(matches!(
            read(&dir.path().join("missing")),
            Err(SnapshotError::Read { .. })
        ));
    }
}
