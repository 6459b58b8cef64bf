//! The demo tenant `contoso.example`: a deterministic directory (~5,000 ordinary users plus the
//! scenario users of [`scenarios()`]) and the event logs of its Entra Connect server and two
//! domain controllers, written as real EVTX files with [`crate::evtx_writer`]. `sample-logs/` is
//! this module's output (`cargo run --release --example gen_sample_logs`); the diagnosis tests use
//! [`scenarios()`] as their expected verdicts.
//!
//! Tenant-wide design choice (README): the domain root grants nobody Unexpire Password (a
//! hardening baseline removed the default Authenticated Users grant, and the connector was never
//! given it). That right can only be granted on the domain root, so it is missing for every user;
//! only oscar's events show its effect (a successful reset that leaves pwdLastSet at 0), which is
//! what makes it his primary cause and only a warning for everyone else.

mod application;
mod descriptors;
pub(crate) mod people;
pub(crate) mod rng;
mod scenarios;
pub(crate) mod security_events;
mod timeline;

use std::borrow::Borrow;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::directory::snapshot::{self, SnapshotError};
use crate::directory::Directory;
use crate::evtx_writer::{EvtxWriteError, EvtxWriter, Record};
use crate::security::SdError;

pub use people::{CONNECTOR_SAM, DOMAIN_SID, ORDINARY_USERS};
pub use scenarios::{scenario, scenarios, Scenario};

pub const DOMAIN_DN: &str = "DC=contoso,DC=example";
pub const DNS_NAME: &str = "contoso.example";
pub const NETBIOS: &str = "CONTOSO";
/// The logs cover this window; the scenarios happen in its last hour.
pub const LOG_START: &str = "2026-11-23T09:00:00Z";
pub const LOG_END: &str = "2026-11-24T09:30:00Z";
const SEED: u64 = 0x00C0_17A5_0E8A_3B1E;

/// File names inside `sample-logs/`.
pub const APPLICATION_LOG: &str = "AADC01-Application.evtx";
pub const DC01_LOG: &str = "DC01-Security.evtx";
pub const DC02_LOG: &str = "DC02-Security.evtx";
pub const DC01_PASSWORD_PROTECTION_LOG: &str = "DC01-PasswordProtection.evtx";
pub const SNAPSHOT: &str = "contoso-directory.snapshot.json";

/// Everything the generator produces, in memory.
pub struct DemoTenant {
    pub directory: Directory,
    pub application: Vec<Record>,
    pub dc01: Vec<Record>,
    pub dc02: Vec<Record>,
    pub dc01_password_protection: Vec<Record>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("building the demo descriptors: {0}")]
    Descriptor(#[from] SdError),
    #[error("writing {path}: {source}")]
    Evtx {
        path: PathBuf,
        #[source]
        source: EvtxWriteError,
    },
    #[error("writing {path}: {source}")]
    Snapshot {
        path: PathBuf,
        #[source]
        source: SnapshotError,
    },
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub(crate) fn fixed_time(s: &str) -> DateTime<Utc> {
    s.parse()
        .unwrap_or_else(|_| unreachable!("LOG_START and LOG_END are valid RFC 3339"))
}

/// The whole tenant; the same bytes on every call.
pub fn generate() -> Result<DemoTenant, DemoError> {
    let start = fixed_time(LOG_START);
    let end = fixed_time(LOG_END);
    let mut rng = rng::Rng::new(SEED);
    let mut directory = people::build_directory(&mut rng, start)?;
    let logs = timeline::play(&mut rng, &mut directory, start, end);
    directory.captured_at = end;
    Ok(DemoTenant {
        directory,
        application: logs.application,
        dc01: logs.dc01,
        dc02: logs.dc02,
        dc01_password_protection: logs.dc01_password_protection,
    })
}

/// Writes the logs and the snapshot into `dir` (created if missing); returns the paths.
pub fn write_sample_logs(dir: &Path) -> Result<Vec<PathBuf>, DemoError> {
    let tenant = generate()?;
    std::fs::create_dir_all(dir).map_err(|source| DemoError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, records) in [
        (APPLICATION_LOG, &tenant.application),
        (DC01_LOG, &tenant.dc01),
        (DC02_LOG, &tenant.dc02),
        (DC01_PASSWORD_PROTECTION_LOG, &tenant.dc01_password_protection),
    ] {
        let path = dir.join(name);
        write_evtx(&path, records)?;
        written.push(path);
    }
    let path = dir.join(SNAPSHOT);
    let file = std::fs::File::create(&path).map_err(|source| DemoError::Io {
        path: path.clone(),
        source,
    })?;
    snapshot::write(&tenant.directory, file).map_err(|source| DemoError::Snapshot {
        path: path.clone(),
        source,
    })?;
    written.push(path);
    Ok(written)
}

/// Streams `records` into an EVTX file at `path`; an iterator lets a large log be made one record
/// at a time instead of held in memory.
pub fn write_evtx<R: Borrow<Record>>(
    path: &Path,
    records: impl IntoIterator<Item = R>,
) -> Result<(), DemoError> {
    let evtx = |source| DemoError::Evtx {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(path).map_err(|source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut w = EvtxWriter::new(BufWriter::new(file)).map_err(evtx)?;
    for r in records {
        w.push(r.borrow()).map_err(evtx)?;
    }
    w.finish().map_err(evtx)?;
    Ok(())
}
