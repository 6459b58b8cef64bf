//! Where resetlens reads from: the TOML config file merged with the command-line flags into one
//! `SourceConfig` the commands use. Flags override file values. The file never holds a password:
//! it may name where one comes from (`password_env`, `password_file`), and a key that looks like a
//! password value is refused rather than silently ignored.
//!
//! The file is `--config FILE`, else `$XDG_CONFIG_HOME/resetlens/config.toml`, else
//! `~/.config/resetlens/config.toml` (a missing default file is fine). Relative paths in the file
//! are relative to the file's directory. Example:
//!
//! ```toml
//! ldap_url = "ldaps://dc1.contoso.com"
//! bind_dn = "svc-resetlens@contoso.com"
//! password_env = "RESETLENS_PASSWORD"
//! ca_cert = "contoso-ca.pem"
//! connector = "MSOL_1a2b3c4d5e6f"
//! evtx = ["/srv/logs/aadconnect"]
//! timeout = 15
//!
//! [console]
//! theme = "dark"   # dark | light | mono
//! mouse = false
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::cli::SourceArgs;
use crate::directory::{Auth, DirectoryConfig, DirectorySource, LdapConfig, PasswordSource, Transport};

/// Seconds to wait for the DC on connect and on each operation when nothing else is configured.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Everything a data-reading command needs to know about its sources.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    /// Where the directory comes from (an LDAP URL or `--snapshot`), `--base-dn`, `--connector`.
    pub directory: DirectoryConfig,
    pub evtx: Vec<PathBuf>,
    /// `--at`: the instant time-dependent rules use.
    pub at: Option<DateTime<Utc>>,
    pub console: ConsoleSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Dark,
    Light,
    Mono,
}

/// The `[console]` table, for the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    #[serde(default)]
    pub theme: Theme,
    #[serde(default)]
    pub mouse: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error(
        "config file {path}: key '{key}' looks like a password; passwords are never stored in the \
         config file (anyone who can read it could use them). Use password_env = \"VAR\" or \
         password_file = \"FILE\" (readable only by you), or let resetlens prompt"
    )]
    PasswordInFile { path: PathBuf, key: String },
    #[error("'{0}' is not an LDAP URL: use ldaps://host[:port] or ldap://host[:port]")]
    BadUrl(String),
    #[error("both an LDAP URL and a snapshot are configured{0}: choose one")]
    TwoSources(&'static str),
    #[error("--password-env and --password-file both given: choose one")]
    TwoPasswordSources,
    #[error("a simple bind needs --bind-dn (or use --kerberos)")]
    MissingBindDn,
    #[error(
        "--no-starttls with a simple bind would send the password in clear text: use ldaps://, \
         StartTLS (the default for ldap://) or --kerberos"
    )]
    CleartextPassword,
    #[error("--at '{0}' is not an RFC 3339 instant (e.g. 2026-11-24T08:15:00Z)")]
    BadInstant(String),
    #[error("--timeout must be at least 1 second")]
    ZeroTimeout,
}

/// The config file as written; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    ldap_url: Option<String>,
    bind_dn: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    kerberos: Option<bool>,
    kerberos_host: Option<String>,
    ca_cert: Option<PathBuf>,
    insecure_skip_tls_verify: Option<bool>,
    no_starttls: Option<bool>,
    base_dn: Option<String>,
    connector: Option<String>,
    snapshot: Option<PathBuf>,
    evtx: Option<Vec<PathBuf>>,
    timeout: Option<u64>,
    console: Option<ConsoleSettings>,
}

/// Keys that may mention "password" because they say where it comes from, not what it is.
const PASSWORD_POINTERS: [&str; 2] = ["password_env", "password_file"];

impl SourceConfig {
    /// Merges the config file (`--config`, else the XDG default if present) with `args`.
    pub fn resolve(args: &SourceArgs) -> Result<SourceConfig, ConfigError> {
        let file = match &args.config {
            Some(path) => Some(load_file(path)?),
            None => match default_config_path() {
                Some(path) if path.is_file() => Some(load_file(&path)?),
                _ => None,
            },
        };
        let (file, dir) = file.unwrap_or_default();
        merge(args, file, dir.as_deref())
    }
}

/// `$XDG_CONFIG_HOME/resetlens/config.toml`, else `~/.config/resetlens/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("resetlens").join("config.toml"))
}

/// Reads and checks one config file; returns it with the directory relative paths start from.
fn load_file(path: &Path) -> Result<(FileConfig, Option<PathBuf>), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let parsed = parse_file(&text, path)?;
    Ok((parsed, path.parent().map(Path::to_path_buf)))
}

fn parse_file(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })?;
    if let Some(key) = password_key(&table, "") {
        return Err(ConfigError::PasswordInFile {
            path: path.to_path_buf(),
            key,
        });
    }
    FileConfig::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })
}

/// The first key (dotted path) in `table` that could hold a password value.
fn password_key(table: &toml::Table, prefix: &str) -> Option<String> {
    table.iter().find_map(|(k, v)| {
        let full = format!("{prefix}{k}");
        let lower = k.to_ascii_lowercase();
        let suspicious = (lower.contains("password") || lower.contains("passwd") || lower == "secret")
            && !PASSWORD_POINTERS.contains(&lower.as_str());
        if suspicious {
            return Some(full);
        }
        match v {
            toml::Value::Table(t) => password_key(t, &format!("{full}.")),
            _ => None,
        }
    })
}

fn merge(args: &SourceArgs, file: FileConfig, dir: Option<&Path>) -> Result<SourceConfig, ConfigError> {
    let rel = |p: PathBuf| match dir {
        Some(d) if p.is_relative() => d.join(p),
        _ => p,
    };

    if args.ldap_url.is_some() && args.snapshot.is_some() {
        return Err(ConfigError::TwoSources(" on the command line"));
    }
    // A source named on the command line replaces the file's, whichever kind it is.
    let (ldap_url, snapshot) = if args.ldap_url.is_some() || args.snapshot.is_some() {
        (args.ldap_url.clone(), args.snapshot.clone())
    } else {
        if file.ldap_url.is_some() && file.snapshot.is_some() {
            return Err(ConfigError::TwoSources(" in the config file"));
        }
        (file.ldap_url.clone(), file.snapshot.clone().map(rel))
    };

    let timeout_secs = args.timeout.or(file.timeout).unwrap_or(DEFAULT_TIMEOUT_SECS);
    if timeout_secs == 0 {
        return Err(ConfigError::ZeroTimeout);
    }

    let source = match (ldap_url, snapshot) {
        (Some(url), _) => {
            let (scheme, host, port) = parse_url(&url)?;
            let kerberos = args.kerberos || file.kerberos.unwrap_or(false);
            let no_starttls = args.no_starttls || file.no_starttls.unwrap_or(false);
            let transport = match scheme {
                Scheme::Ldaps => Transport::Ldaps,
                // GSSAPI seals the plain connection itself; Samba (and AD with strict settings)
                // refuses a sealing layer inside TLS.
                Scheme::Ldap if kerberos => Transport::Sealed,
                Scheme::Ldap if no_starttls => return Err(ConfigError::CleartextPassword),
                Scheme::Ldap => Transport::StartTls,
            };
            let auth = if kerberos {
                let spn_host = args
                    .kerberos_host
                    .clone()
                    .or(file.kerberos_host.clone())
                    .unwrap_or_else(|| host.clone());
                Auth::Kerberos { spn_host }
            } else {
                let bind_dn = args
                    .bind_dn
                    .clone()
                    .or(file.bind_dn.clone())
                    .ok_or(ConfigError::MissingBindDn)?;
                Auth::Simple {
                    bind_dn,
                    password: password_source(args, &file, &rel)?,
                }
            };
            Some(DirectorySource::Ldap(LdapConfig {
                url,
                host,
                port,
                transport,
                auth,
                ca_cert: args.ca_cert.clone().or(file.ca_cert.clone().map(rel)),
                insecure_skip_tls_verify: args.insecure_skip_tls_verify
                    || file.insecure_skip_tls_verify.unwrap_or(false),
                timeout: Duration::from_secs(timeout_secs),
            }))
        }
        (None, Some(path)) => Some(DirectorySource::Snapshot(path)),
        (None, None) => None,
    };

    let at = args
        .at
        .as_deref()
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ConfigError::BadInstant(s.to_string()))
        })
        .transpose()?;

    Ok(SourceConfig {
        directory: DirectoryConfig {
            source,
            base_dn: args.base_dn.clone().or(file.base_dn),
            connector: args.connector.clone().or(file.connector),
        },
        evtx: if args.evtx.is_empty() {
            file.evtx.unwrap_or_default().into_iter().map(rel).collect()
        } else {
            args.evtx.clone()
        },
        at,
        console: file.console.unwrap_or_default(),
    })
}

/// The command line's password source if it names one, else the file's, else a prompt.
fn password_source(
    args: &SourceArgs,
    file: &FileConfig,
    rel: &dyn Fn(PathBuf) -> PathBuf,
) -> Result<PasswordSource, ConfigError> {
    let pick = |env: &Option<String>, path: &Option<PathBuf>| match (env, path) {
        (Some(_), Some(_)) => Err(ConfigError::TwoPasswordSources),
        (Some(v), None) => Ok(Some(PasswordSource::Env(v.clone()))),
        (None, Some(p)) => Ok(Some(PasswordSource::File(p.clone()))),
        (None, None) => Ok(None),
    };
    if let Some(s) = pick(&args.password_env, &args.password_file)? {
        return Ok(s);
    }
    let from_file = pick(&file.password_env, &file.password_file.clone().map(rel))?;
    Ok(from_file.unwrap_or(PasswordSource::Prompt))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Ldap,
    Ldaps,
}

/// `ldaps://host[:port][/...]` or `ldap://...`; IPv6 hosts in brackets.
fn parse_url(url: &str) -> Result<(Scheme, String, u16), ConfigError> {
    let bad = || ConfigError::BadUrl(url.to_string());
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "ldap" => Scheme::Ldap,
        "ldaps" => Scheme::Ldaps,
        _ => return Err(bad()),
    };
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(bad)?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(bad());
    }
    let port = match port {
        Some(p) => p.parse().map_err(|_| bad())?,
        None if scheme == Scheme::Ldaps => 636,
        None => 389,
    };
    Ok((scheme, host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Secret;

    fn args() -> SourceArgs {
        SourceArgs::default()
    }

    fn parse(text: &str) -> Result<FileConfig, ConfigError> {
        parse_file(text, Path::new("/etc/resetlens/config.toml"))
    }

    fn ldap(cfg: &SourceConfig) -> &LdapConfig {
        match &cfg.directory.source {
            Some(DirectorySource::Ldap(l)) => l,
            other => panic!("expected an LDAP source, got {other:?}"),
        }
    }

    #[test]
    fn file_values_apply_and_relative_paths_follow_the_file() {
        let file = parse(
            r#"
            ldap_url = "ldaps://dc1.contoso.com"
            bind_dn = "svc@contoso.com"
            password_file = "secret.txt"
            ca_cert = "ca.pem"
            evtx = ["logs"]
            timeout = 3
            [console]
            theme = "light"
            mouse = true
            "#,
        )
        .unwrap();
        let cfg = merge(&args(), file, Some(Path::new("/etc/resetlens"))).unwrap();
        let l = ldap(&cfg);
        assert_eq!(
            (l.host.as_str(), l.port, l.transport),
            ("dc1.contoso.com", 636, Transport::Ldaps)
        );
        assert_eq!(
            l.auth,
            Auth::Simple {
                bind_dn: "svc@contoso.com".into(),
                password: PasswordSource::File("/etc/resetlens/secret.txt".into())
            }
        );
        assert_eq!(l.ca_cert.as_deref(), Some(Path::new("/etc/resetlens/ca.pem")));
        assert_eq!(l.timeout, Duration::from_secs(3));
        assert_eq!(cfg.evtx, vec![PathBuf::from("/etc/resetlens/logs")]);
        assert_eq!(
            cfg.console,
            ConsoleSettings {
                theme: Theme::Light,
                mouse: true
            }
        );
    }

    #[test]
    fn flags_override_the_file() {
        let file = parse(
            r#"
            ldap_url = "ldaps://dc1.contoso.com"
            bind_dn = "svc@contoso.com"
            password_env = "FROM_FILE"
            connector = "MSOL_file"
            timeout = 3
            "#,
        )
        .unwrap();
        let mut a = args();
        a.ldap_url = Some("ldap://dc2.contoso.com:3389".into());
        a.password_file = Some("/run/pw".into());
        a.connector = Some("MSOL_flag".into());
        a.timeout = Some(30);
        let cfg = merge(&a, file, None).unwrap();
        let l = ldap(&cfg);
        assert_eq!(
            (l.host.as_str(), l.port, l.transport),
            ("dc2.contoso.com", 3389, Transport::StartTls)
        );
        assert_eq!(
            l.auth,
            Auth::Simple {
                bind_dn: "svc@contoso.com".into(),
                password: PasswordSource::File("/run/pw".into())
            }
        );
        assert_eq!(l.timeout, Duration::from_secs(30));
        assert_eq!(cfg.directory.connector.as_deref(), Some("MSOL_flag"));
    }

    #[test]
    fn a_snapshot_flag_replaces_the_files_ldap_url() {
        let file = parse("ldap_url = \"ldaps://dc1\"\nbind_dn = \"x\"").unwrap();
        let mut a = args();
        a.snapshot = Some("snap.json".into());
        let cfg = merge(&a, file, None).unwrap();
        assert_eq!(
            cfg.directory.source,
            Some(DirectorySource::Snapshot("snap.json".into()))
        );
    }

    #[test]
    fn password_values_are_refused_with_the_reason() {
        for text in [
            "password = \"hunter2\"",
            "bind_password = \"hunter2\"",
            "[console]\nldap_passwd = \"x\"",
        ] {
            let err = parse(text).unwrap_err();
            assert!(matches!(err, ConfigError::PasswordInFile { .. }), "{text}: {err}");
            assert!(err.to_string().contains("password_env"), "{err}");
            assert!(!err.to_string().contains("hunter2"));
        }
        assert!(parse("password_env = \"X\"").is_ok());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        assert!(matches!(
            parse("ldap_ulr = \"x\""),
            Err(ConfigError::Parse { .. })
        ));
        assert!(matches!(
            parse("[console]\ntheme = \"pink\""),
            Err(ConfigError::Parse { .. })
        ));
    }

    #[test]
    fn kerberos_uses_sealing_and_the_url_host_as_spn() {
        let mut a = args();
        a.ldap_url = Some("ldap://dc.contoso.test".into());
        a.kerberos = true;
        let cfg = merge(&a, FileConfig::default(), None).unwrap();
        let l = ldap(&cfg);
        assert_eq!(l.transport, Transport::Sealed);
        assert_eq!(
            l.auth,
            Auth::Kerberos {
                spn_host: "dc.contoso.test".into()
            }
        );
        a.kerberos_host = Some("dc1.contoso.test".into());
        let cfg = merge(&a, FileConfig::default(), None).unwrap();
        assert_eq!(
            ldap(&cfg).auth,
            Auth::Kerberos {
                spn_host: "dc1.contoso.test".into()
            }
        );
    }

    #[test]
    fn unsafe_or_incomplete_combinations_are_refused() {
        let mut a = args();
        a.ldap_url = Some("ldap://dc".into());
        a.bind_dn = Some("x".into());
        a.no_starttls = true;
        assert!(matches!(
            merge(&a, FileConfig::default(), None),
            Err(ConfigError::CleartextPassword)
        ));
        a.no_starttls = false;
        a.password_env = Some("A".into());
        a.password_file = Some("b".into());
        assert!(matches!(
            merge(&a, FileConfig::default(), None),
            Err(ConfigError::TwoPasswordSources)
        ));
        let mut a = args();
        a.ldap_url = Some("ldaps://dc".into());
        assert!(matches!(
            merge(&a, FileConfig::default(), None),
            Err(ConfigError::MissingBindDn)
        ));
        a.snapshot = Some("s".into());
        assert!(matches!(
            merge(&a, FileConfig::default(), None),
            Err(ConfigError::TwoSources(_))
        ));
        let mut a = args();
        a.at = Some("yesterday".into());
        assert!(matches!(
            merge(&a, FileConfig::default(), None),
            Err(ConfigError::BadInstant(_))
        ));
    }

    #[test]
    fn no_password_source_means_prompt() {
        let mut a = args();
        a.ldap_url = Some("ldaps://dc".into());
        a.bind_dn = Some("x".into());
        let cfg = merge(&a, FileConfig::default(), None).unwrap();
        assert!(matches!(
            ldap(&cfg).auth,
            Auth::Simple {
                password: PasswordSource::Prompt,
                ..
            }
        ));
    }

    #[test]
    fn a_given_password_never_shows_in_debug() {
        let mut a = args();
        a.ldap_url = Some("ldaps://dc".into());
        a.bind_dn = Some("x".into());
        let mut cfg = merge(&a, FileConfig::default(), None).unwrap();
        if let Some(DirectorySource::Ldap(l)) = cfg.directory.source.as_mut() {
            if let Auth::Simple { password, .. } = &mut l.auth {
                *password = PasswordSource::Given(Secret::new("Hunter2-s3cret".into()));
            }
        }
        let printed = format!("{cfg:?} {cfg:#?}");
        assert!(!printed.contains("Hunter2-s3cret"), "{printed}");
        assert!(printed.contains("Given(<redacted>)"), "{printed}");
        assert_eq!(Secret::new("v".into()).expose(), "v");
    }

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("ldaps://dc1").unwrap(),
            (Scheme::Ldaps, "dc1".into(), 636)
        );
        assert_eq!(
            parse_url("LDAP://dc1:1389/").unwrap(),
            (Scheme::Ldap, "dc1".into(), 1389)
        );
        assert_eq!(
            parse_url("ldap://[::1]:389").unwrap(),
            (Scheme::Ldap, "::1".into(), 389)
        );
        for bad in ["dc1", "http://dc1", "ldap://", "ldap://dc1:port"] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolve_reads_an_explicit_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "snapshot = \"s.json\"\n").unwrap();
        let mut a = args();
        a.config = Some(path);
        let cfg = SourceConfig::resolve(&a).unwrap();
        assert_eq!(
            cfg.directory.source,
            Some(DirectorySource::Snapshot(dir.path().join("s.json")))
        );
        a.config = Some(dir.path().join("missing.toml"));
        assert!(matches!(SourceConfig::resolve(&a), Err(ConfigError::Read { .. })));
    }
}
