//! Why the directory could not be read, phrased so a helpdesk agent knows what failed and what to
//! do next. The messages name the directory's things (a DC, a certificate, a password source),
//! never a flag: the commands add which flag or config key changes the outcome
//! (`commands::flag_hints`).

use std::path::PathBuf;

use super::model::UserLookupError;
use super::snapshot::SnapshotError;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("no directory source")]
    NoSource,
    #[error("cannot reach the domain controller at {addr}: {reason}")]
    Unreachable { addr: String, reason: String },
    #[error(
        "the domain controller at {addr} did not answer within {secs} s ({during}); check that it \
         is up and reachable"
    )]
    Timeout { addr: String, secs: u64, during: String },
    #[error("the connection to {addr} was lost during {during}: {detail}")]
    ConnectionLost {
        addr: String,
        during: String,
        detail: String,
    },
    #[error("the TLS certificate of {host} is not trusted ({detail})")]
    CertificateUntrusted { host: String, detail: String },
    #[error("cannot use CA certificate {path}: {reason}")]
    CaCertificate { path: PathBuf, reason: String },
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    #[error("cannot start the I/O runtime: {0}")]
    Runtime(String),
    #[error(
        "the domain controller refused the bind as '{who}': wrong user name or password \
         (LDAP result 49{detail})"
    )]
    InvalidCredentials { who: String, detail: String },
    #[error("the domain controller refused the bind as '{who}': LDAP result {rc} {text}")]
    BindRefused { who: String, rc: u32, text: String },
    #[error("no Kerberos ticket: run kinit first (e.g. `kinit you@REALM`), then retry ({detail})")]
    NoKerberosTicket { detail: String },
    #[error("Kerberos bind for ldap/{spn_host} failed: {detail}")]
    Kerberos { spn_host: String, detail: String },
    #[error(
        "Kerberos bind for ldap/{spn_host} failed: {detail}; the SPN host must be the DC's DNS name \
         as registered in AD"
    )]
    SpnNotFound { spn_host: String, detail: String },
    #[error("cannot get the bind password: {0}")]
    Password(String),
    #[error("cannot get the bind password: no terminal to prompt on")]
    NoTerminalForPassword,
    #[error(
        "the bind account cannot read the security descriptor (nTSecurityDescriptor) of {dn}. It \
         needs Read Permissions (READ_CONTROL) and Read Property on the users, OUs and the domain \
         head; Authenticated Users have that by default unless it was removed, and the SD flags \
         control (owner, group, DACL) is always sent"
    )]
    CannotReadSecurityDescriptor { dn: String },
    #[error("LDAP {during} at '{dn}' failed: result {rc} {text}")]
    Ldap {
        during: String,
        dn: String,
        rc: u32,
        text: String,
    },
    #[error("{dn}: attribute {attr}: {reason}")]
    BadValue {
        dn: String,
        attr: &'static str,
        reason: String,
    },
    #[error(transparent)]
    User(#[from] UserLookupError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}
