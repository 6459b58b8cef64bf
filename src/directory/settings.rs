//! Where the directory is read from and how: the source (a DC over LDAP, or a snapshot file), the
//! search base and the connector account to look for. `config` fills these from the flags and the
//! config file; the directory reads only these, and knows nothing of either.

use std::path::PathBuf;
use std::time::Duration;

/// Everything a directory read needs besides its scope.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DirectoryConfig {
    /// `None` when neither a DC nor a snapshot is configured (event-only commands can still run).
    pub source: Option<DirectorySource>,
    /// The search base; default: the rootDSE defaultNamingContext.
    pub base_dn: Option<String>,
    /// The AD DS connector account; default: discovered (MSOL_*).
    pub connector: Option<String>,
}

impl DirectoryConfig {
    /// The directory from a snapshot file and nothing else: no overrides.
    pub fn from_snapshot(path: PathBuf) -> DirectoryConfig {
        DirectoryConfig {
            source: Some(DirectorySource::Snapshot(path)),
            ..DirectoryConfig::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DirectorySource {
    Ldap(LdapConfig),
    Snapshot(PathBuf),
}

/// How to reach and authenticate to a domain controller.
#[derive(Debug, Clone, PartialEq)]
pub struct LdapConfig {
    /// As given, for messages and the snapshot's `source`.
    pub url: String,
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    pub auth: Auth,
    pub ca_cert: Option<PathBuf>,
    pub insecure_skip_tls_verify: bool,
    /// Bound on connect and on every operation.
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// ldaps://
    Ldaps,
    /// ldap:// upgraded with StartTLS.
    StartTls,
    /// ldap:// with Kerberos sealing (GSSAPI negotiates its own confidentiality layer).
    Sealed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Simple {
        bind_dn: String,
        password: PasswordSource,
    },
    /// SASL/GSSAPI with the current ticket cache; the SPN is `ldap/<spn_host>`.
    Kerberos { spn_host: String },
}

/// Where the bind password comes from. The value itself is read only when binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    Env(String),
    File(PathBuf),
    /// Ask on the terminal without echo.
    Prompt,
    /// Already asked (the console prompts before it takes over the screen); held only in memory.
    Given(Secret),
}

/// A password held in memory. Its `Debug` prints `<redacted>`, so a config printed for a log, an
/// error or a test snapshot never carries it; the value is reachable only through `expose`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}
