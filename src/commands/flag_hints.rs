//! The command line's half of a directory failure: the directory says what failed in its own
//! terms (a DC that did not answer, a certificate not trusted, no terminal to ask a password on);
//! this adds the flag or config key that changes the outcome, which only the edge knows.

use anyhow::anyhow;

use super::CommandError;
use crate::directory::snapshot::SnapshotError;
use crate::directory::DirectoryError;

/// `e` as the person at the command line reads it: what failed, then which flag to change.
pub(super) fn with_flag_hint(e: DirectoryError) -> anyhow::Error {
    match flag_hint(&e) {
        Some(hint) => anyhow!("{e}{hint}"),
        None => e.into(),
    }
}

/// The input error (exit 2) a command returns when the directory cannot be read.
pub(super) fn directory_input(e: DirectoryError) -> CommandError {
    CommandError::Input(with_flag_hint(e))
}

fn flag_hint(e: &DirectoryError) -> Option<&'static str> {
    Some(match e {
        DirectoryError::NoSource => {
            ": give --ldap-url (with --bind-dn or --kerberos) or --snapshot FILE, or set ldap_url / \
             snapshot in the config file"
        }
        DirectoryError::Timeout { .. } => ", or raise --timeout",
        DirectoryError::CertificateUntrusted { .. } => {
            ". Fix: pass the CA certificate that issued it with --ca-cert FILE (PEM), and check that \
             the host name in --ldap-url is one the certificate names (subject or subjectAltName)"
        }
        DirectoryError::NoTerminalForPassword => ": use --password-env VAR or --password-file FILE",
        DirectoryError::SpnNotFound { .. } => " (set it with --kerberos-host)",
        DirectoryError::Snapshot(SnapshotError::UnknownFormat { .. }) => {
            " (resetlens snapshot --out FILE captures one)"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(e: DirectoryError) -> String {
        format!("{:#}", with_flag_hint(e))
    }

    #[test]
    fn the_flag_to_change_follows_what_failed() {
        assert_eq!(
            shown(DirectoryError::NoSource),
            "no directory source: give --ldap-url (with --bind-dn or --kerberos) or --snapshot FILE, \
             or set ldap_url / snapshot in the config file"
        );
        let timeout = DirectoryError::Timeout {
            addr: "dc1:636".into(),
            secs: 10,
            during: "bind".into(),
        };
        assert_eq!(
            shown(timeout),
            "the domain controller at dc1:636 did not answer within 10 s (bind); check that it is up \
             and reachable, or raise --timeout"
        );
        let untrusted = DirectoryError::CertificateUntrusted {
            host: "dc1".into(),
            detail: "self signed certificate".into(),
        };
        assert_eq!(
            shown(untrusted),
            "the TLS certificate of dc1 is not trusted (self signed certificate). Fix: pass the CA \
             certificate that issued it with --ca-cert FILE (PEM), and check that the host name in \
             --ldap-url is one the certificate names (subject or subjectAltName)"
        );
        assert_eq!(
            shown(DirectoryError::NoTerminalForPassword),
            "cannot get the bind password: no terminal to prompt on: use --password-env VAR or \
             --password-file FILE"
        );
        let spn = DirectoryError::SpnNotFound {
            spn_host: "127.0.0.1".into(),
            detail: "Server not found in Kerberos database".into(),
        };
        assert_eq!(
            shown(spn),
            "Kerberos bind for ldap/127.0.0.1 failed: Server not found in Kerberos database; the SPN \
             host must be the DC's DNS name as registered in AD (set it with --kerberos-host)"
        );
        let old = DirectoryError::Snapshot(SnapshotError::UnknownFormat {
            path: "old.json".into(),
            found: "resetlens.snapshot/0".into(),
        });
        assert_eq!(
            shown(old),
            "snapshot old.json has format 'resetlens.snapshot/0', but this resetlens reads \
             'resetlens.snapshot/1': capture it again with this version or use the resetlens that \
             wrote it (resetlens snapshot --out FILE captures one)"
        );
    }

    #[test]
    fn a_failure_no_flag_changes_keeps_its_words_and_causes() {
        let e = DirectoryError::Password("the password is empty".into());
        assert_eq!(shown(e), "cannot get the bind password: the password is empty");
    }
}
