//! `password-hash-sync-failing` (field-causes C18): a 611 says password hash sync fails for the
//! user's domain. That is not writeback, but a cloud password will then not reflect an on-premises
//! change either, which looks the same to the user ("it didn't sync").

use super::{event_line, when};
use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{fqdn, ps};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;
use crate::events::EventKind;

/// What the RPC error of a 611 means, and where to look (SupportArticles rpc-errors article).
fn rpc_meaning(code: u32) -> Option<&'static str> {
    Some(match code {
        1722 => "RPC server unavailable: TCP 135 or the dynamic RPC ports from the Connect server to the DC are blocked",
        8333 => "directory object not found: the partition the connector reads is not on that DC",
        8439 => "the distinguished name given for replication is invalid",
        8453 => "replication access was denied: the connector lacks Replicate Directory Changes (All)",
        8456 | 8457 => "the DC currently rejects replication requests (inbound or outbound replication disabled)",
        _ => return None,
    })
}

pub fn check(f: &Facts) -> Vec<Finding> {
    let domain = fqdn(&f.directory.domain.dn);
    let Some(latest) = f
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Phs && e.event_id == 611 && e.time <= f.at)
        .filter(|e| {
            e.fields
                .domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(&domain))
        })
        .max_by_key(|e| e.time)
    else {
        return vec![];
    };
    // A password hash sync result after the failure shows it runs again.
    let recovered = f
        .events
        .iter()
        .any(|e| e.kind == EventKind::PhsResult && e.time > latest.time && e.time <= f.at);
    let fl = &latest.fields;
    let dc = fl.dc_host.as_deref().unwrap_or("<DC>");
    let mut finding = Finding::new(
        FindingCode::PasswordHashSyncFailing,
        if recovered { Severity::Info } else { Severity::Warning },
        "Password hash sync is failing for the user's domain (611)",
    )
    .detail(format!(
        "Entra Connect could not synchronise password hashes from {domain} (last failure {}). This is password hash sync, \
         not writeback: an on-premises password change will not reach the cloud while it fails.",
        when(latest.time)
    ))
    .evidence(event_line(latest));
    if let (Some(h), ip) = (&fl.dc_host, &fl.dc_ip) {
        finding = finding.evidence(format!(
            "domain controller {h}{}",
            ip.as_deref().map(|ip| format!(" ({ip})")).unwrap_or_default()
        ));
    }
    if let Some(code) = fl.win32_error {
        finding = finding.evidence(match rpc_meaning(code) {
            Some(m) => format!("RPC Error {code}: {m}"),
            None => format!("RPC Error {code}"),
        });
    }
    if let Some(chain) = &fl.exception {
        finding = finding.evidence(format!("  details: {chain}"));
    }
    if recovered {
        finding
            .detail
            .push_str(" A later password hash sync result shows it runs again.");
    }
    if fl.win32_error == Some(1722) {
        finding = finding
            .fix(format!("Test-NetConnection -ComputerName {} -Port 135", ps(dc)))
            .note("Allow TCP 135 and the dynamic RPC range from the Entra Connect server to that DC");
    }
    if fl
        .exception
        .as_deref()
        .is_some_and(|e| e.contains("user name or password is incorrect"))
    {
        finding = finding.note("Update the AD DS connector account's password in Synchronization Service Manager > Connectors > the AD connector > Properties > Connect to Active Directory Forest");
    }
    vec![finding
        .note("Run the password hash sync troubleshooter on the Entra Connect server:")
        .fix("Invoke-ADSyncDiagnostics -PasswordSync")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, event, facts};

    const FAILED_611: &str = "Password hash synchronization failed for domain: contoso.test, domain controller hostname: dc01.contoso.test, domain controller IP address: 10.0.0.10.\r\nDetails:       Microsoft.Online.PasswordSynchronization.SynchronizationManagerException: Recovery task failed. ---> Microsoft.Online.PasswordSynchronization.DirectoryReplicationServices.DrsException:  RPC Error 1722 : The RPC server is unavailable. There was an error calling _IDL_DRSGetNCChanges.";

    fn phs_611(time: &str, text: &str) -> crate::events::Event {
        let mut e = event(611, EventKind::Phs, time);
        e.provider = "Directory Synchronization".into();
        e.message = text.into();
        e.fields = crate::events::message::parse(611, text).remove(0);
        e
    }

    #[test]
    fn a_611_for_the_users_domain_warns_with_dc_and_rpc_error() {
        let dir = directory();
        let evs = [phs_611("2026-11-24T07:00:00Z", FAILED_611)];
        let out = check(&facts(&dir, &evs, "2026-11-24T08:00:00Z"));
        assert_eq!(codes(&out), [FindingCode::PasswordHashSyncFailing]);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e == "domain controller dc01.contoso.test (10.0.0.10)"));
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.starts_with("RPC Error 1722: RPC server unavailable")));
        assert!(out[0]
            .remediation
            .iter()
            .any(|r| r == "Test-NetConnection -ComputerName 'dc01.contoso.test' -Port 135"));
    }

    #[test]
    fn another_domain_a_later_failure_or_a_recovery_changes_it() {
        let dir = directory();
        let other = FAILED_611.replace("domain: contoso.test", "domain: fabrikam.test");
        let evs = [phs_611("2026-11-24T07:00:00Z", &other)];
        assert!(check(&facts(&dir, &evs, "2026-11-24T08:00:00Z")).is_empty());
        // After the evaluated instant: not yet.
        let evs = [phs_611("2026-11-24T09:00:00Z", FAILED_611)];
        assert!(check(&facts(&dir, &evs, "2026-11-24T08:00:00Z")).is_empty());
        let mut result = event(657, EventKind::PhsResult, "2026-11-24T07:30:00Z");
        result.fields.result = Some("Success".into());
        let evs = [phs_611("2026-11-24T07:00:00Z", FAILED_611), result];
        let out = check(&facts(&dir, &evs, "2026-11-24T08:00:00Z"));
        assert_eq!(out[0].severity, Severity::Info);
    }
}
