//! One module per subcommand: each turns arguments into sources, runs the engine, renders output.

use std::io::{self, Write};

pub mod completions;
pub mod console;
pub mod diagnose;
pub mod events;
mod flag_hints;
pub mod man;
mod outcome;
pub mod scan;
pub mod snapshot;

pub use outcome::{CommandError, Outcome};

use crate::cli::SourceArgs;
use crate::config::SourceConfig;
use crate::directory::{DirectoryConfig, DirectorySource, Transport};

/// The flags and the config file merged into the sources a command reads. `reads_directory`:
/// whether this run will read the directory, so that what reading it risks is said on stderr
/// here, once, before any output or the console's screen (`unverified_tls_warning`).
fn source_config(args: &SourceArgs, reads_directory: bool) -> Result<SourceConfig, CommandError> {
    let cfg = SourceConfig::resolve(args).map_err(|e| CommandError::Input(e.into()))?;
    if let Some(warning) = unverified_tls_warning(&cfg.directory).filter(|_| reads_directory) {
        eprintln!("resetlens: WARNING: {warning}");
    }
    Ok(cfg)
}

/// A TLS connection to the DC whose certificate will not be checked: said whenever one is
/// made, never the default. Kerberos sealing over ldap:// makes no TLS connection.
fn unverified_tls_warning(cfg: &DirectoryConfig) -> Option<&'static str> {
    match &cfg.source {
        Some(DirectorySource::Ldap(l)) if l.insecure_skip_tls_verify && l.transport != Transport::Sealed => {
            Some(
                "--insecure-skip-tls-verify (or insecure_skip_tls_verify in the config file): the domain \
             controller's certificate is not checked; anyone on the network path could read the bind \
             password and the results",
            )
        }
        _ => None,
    }
}

/// Writes generated text to stdout whole; a closed pipe (`| head`) is the reader's choice.
fn print(bytes: &[u8]) -> Result<Outcome, CommandError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CommandError::Internal(e.into())),
        _ => Ok(Outcome::Clean),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(flags: &[&str]) -> DirectoryConfig {
        let mut args = SourceArgs {
            // No config file of the machine's: only these flags.
            config: Some(std::path::PathBuf::from("/dev/null")),
            ..SourceArgs::default()
        };
        for flag in flags {
            match *flag {
                "ldaps" => args.ldap_url = Some("ldaps://dc1.contoso.test".into()),
                "ldap" => args.ldap_url = Some("ldap://dc1.contoso.test".into()),
                "kerberos" => args.kerberos = true,
                "insecure" => args.insecure_skip_tls_verify = true,
                "snapshot" => args.snapshot = Some("s.json".into()),
                other => panic!("no such flag in this test: {other}"),
            }
        }
        if !args.kerberos {
            args.bind_dn = Some("admin@contoso.test".into());
            args.password_env = Some("RESETLENS_TEST_PASSWORD".into());
        }
        SourceConfig::resolve(&args).expect("valid flags").directory
    }

    #[test]
    fn only_a_tls_connection_that_skips_the_check_is_warned_about() {
        for warned in [&["ldaps", "insecure"][..], &["ldap", "insecure"]] {
            let w = unverified_tls_warning(&resolved(warned));
            assert!(
                w.is_some_and(|w| w.starts_with("--insecure-skip-tls-verify")),
                "{warned:?}"
            );
        }
        for quiet in [
            &["ldaps"][..],
            &["ldap"],
            // Kerberos sealing over ldap:// makes no TLS connection to skip the check of.
            &["ldap", "kerberos", "insecure"],
            &["snapshot", "insecure"],
        ] {
            assert_eq!(unverified_tls_warning(&resolved(quiet)), None, "{quiet:?}");
        }
    }
}
