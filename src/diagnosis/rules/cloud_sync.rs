//! `cloud-sync-missing-rights` (field cause C17): Entra Cloud Sync writes passwords back with its
//! agent's gMSA (`provAgentgMSA$`), which needs the same four rights as Connect's connector:
//! Reset Password, Write lockoutTime and Write pwdLastSet on the user, Unexpire Password on the
//! domain root. Decided by the same access check as the Connect connector's (`rights::NEEDED`).
//! A blocker when Cloud Sync is the only account that writes back and Reset Password is missing
//! (as for Connect); otherwise a warning that says which account lacks what.

use super::ace_line;
use super::rights::{remove_deny, NEEDED};
use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{denied_by, Finding, Severity, CLOUD_SYNC_EVIDENCE};
use crate::diagnosis::FindingCode;

pub const CODE: FindingCode = FindingCode::CloudSyncMissingRights;

/// The provisioning agent's PowerShell module, where Set-AADCloudSyncPermissions lives.
const CLOUD_SYNC_MODULE: &str =
    r"C:\Program Files\Microsoft Azure AD Connect Provisioning Agent\Microsoft.CloudSync.PowerShell.dll";

pub fn check(f: &Facts) -> Vec<Finding> {
    let (Some(gmsa), Some(access)) = (&f.directory.cloud_sync, &f.cloud_sync) else {
        return vec![];
    };
    let missing: Vec<_> = NEEDED
        .iter()
        .filter_map(|need| need.missing(access).map(|d| (need, d)))
        .collect();
    if missing.is_empty() {
        return vec![];
    }
    let n = Names::of(f);
    let g = Names {
        connector_sam: gmsa.sam_account_name.clone(),
        ..n.clone()
    };
    let blocks = f.cloud_sync_only() && missing.iter().any(|(need, _)| need.severity == Severity::Blocker);
    let names: Vec<&str> = missing.iter().map(|(need, _)| need.name).collect();
    let mut out = Finding::new(
        CODE,
        if blocks {
            Severity::Blocker
        } else {
            Severity::Warning
        },
        format!(
            "The Cloud Sync account {} lacks {}",
            g.connector_principal(),
            names.join(", ")
        ),
    )
    .detail(format!(
        "Entra Cloud Sync writes passwords back with its agent's gMSA, which needs the same rights as Entra \
         Connect's connector. {} {CLOUD_SYNC_EVIDENCE}",
        connect_side(f, &n)
    ));
    for (need, d) in &missing {
        let object = if need.dsacls_on_users.is_some() {
            &n.user_dn
        } else {
            &n.domain_dn
        };
        out = out.evidence(format!(
            "Cloud Sync gMSA {} ({}), effective {} on {}: {}",
            g.connector_principal(),
            gmsa.sid,
            need.name,
            object,
            if denied_by(d).is_some() {
                "denied"
            } else {
                "no ACE grants it"
            }
        ));
        if let Some(ace) = denied_by(d) {
            out = remove_deny(out.evidence(ace_line("deciding ACE", ace)), object, ace);
        }
    }
    out = out
        .note("Grant what Cloud Sync's writeback needs (on the provisioning agent's server, as an Enterprise Admin):")
        .fix(format!(
            "Import-Module {}; Set-AADCloudSyncPermissions -PermissionType PasswordWriteBack -TargetDomain {} -EACredential (Get-Credential)",
            ps(CLOUD_SYNC_MODULE),
            ps(&n.domain_fqdn)
        ))
        .note("Or with dsacls:");
    // Under an explicit deny a new grant changes nothing: the deny comes first.
    for (need, _) in missing.iter().filter(|(_, d)| denied_by(d).is_none()) {
        out = match need.dsacls_on_users {
            Some(perm) => out.fix(g.dsacls_grant(&n.domain_dn, perm, true)),
            None => out.fix(g.dsacls_grant(&n.domain_dn, "CA;Unexpire Password", false)),
        };
    }
    vec![out.note("Check afterwards:").fix(Names::show_acl(&n.user_dn))]
}

/// What the Connect connector has, so the finding says which of the two lacks what.
fn connect_side(f: &Facts, n: &Names) -> String {
    if f.connector().is_none() {
        return "No Entra Connect connector account was found: Cloud Sync is the account that writes back."
            .to_string();
    }
    let lacking: Vec<&str> = NEEDED
        .iter()
        .filter(|need| need.missing(&f.access).is_some())
        .map(|need| need.name)
        .collect();
    if lacking.is_empty() {
        format!(
            "The Entra Connect connector {} has all four, so users Connect writes back for are not affected.",
            n.connector_principal()
        )
    } else {
        format!(
            "The Entra Connect connector {} lacks {} as well (its own findings name it).",
            n.connector_principal(),
            lacking.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::model::{not_granted, DecidingAce, Effect, RightDecision};
    use crate::diagnosis::rules::codes;
    use crate::directory::{ConnectorAccount, ConnectorLookup, Directory};
    use crate::testkit::contoso::{directory, facts, healthy_access, DOMAIN_SID};

    const AT: &str = "2026-11-24T08:00:00Z";

    fn with_gmsa(mut dir: Directory) -> Directory {
        dir.cloud_sync = Some(ConnectorAccount {
            dn: "CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=test".into(),
            sam_account_name: "provAgentgMSA$".into(),
            sid: format!("{DOMAIN_SID}-1130").parse().unwrap(),
            token_groups: vec![],
        });
        dir
    }

    #[test]
    fn no_cloud_sync_or_all_rights_is_silent() {
        let dir = directory();
        assert!(check(&facts(&dir, &[], AT)).is_empty());
        let dir = with_gmsa(directory());
        let mut f = facts(&dir, &[], AT);
        f.cloud_sync = Some(healthy_access());
        assert!(check(&f).is_empty());
    }

    #[test]
    fn beside_a_healthy_connect_connector_it_warns_and_says_which_account_lacks_what() {
        let dir = with_gmsa(directory());
        let mut f = facts(&dir, &[], AT);
        let mut access = healthy_access();
        access.rights.reset_password = not_granted();
        access.rights.write_lockout_time = not_granted();
        f.cloud_sync = Some(access);
        let out = check(&f);
        assert_eq!(codes(&out), [CODE]);
        assert_eq!(out[0].severity, Severity::Warning);
        assert_eq!(
            out[0].title,
            "The Cloud Sync account CONTOSO\\provAgentgMSA$ lacks Reset Password, Write lockoutTime"
        );
        assert!(out[0]
            .detail
            .contains("connector CONTOSO\\MSOL_abc123 has all four"));
        assert!(out[0].detail.contains("Export-AADCloudSyncToolsLogs"));
        assert!(out[0].evidence[0].contains(&format!(
            "({DOMAIN_SID}-1130), effective Reset Password on CN=alice"
        )));
        assert!(out[0].remediation.iter().any(|r| r.ends_with(
            "Set-AADCloudSyncPermissions -PermissionType PasswordWriteBack -TargetDomain 'contoso.test' -EACredential (Get-Credential)"
        )));
        assert!(out[0].remediation.contains(
            &"dsacls \"DC=contoso,DC=test\" /G \"CONTOSO\\provAgentgMSA$:CA;Reset Password;user\" /I:S"
                .to_string()
        ));
        // Connect lacking a right too is said, and still only warns here.
        f.access.rights.write_pwd_last_set = not_granted();
        let out = check(&f);
        assert!(out[0]
            .detail
            .contains("MSOL_abc123 lacks Write pwdLastSet as well"));
        assert_eq!(out[0].severity, Severity::Warning);
    }

    #[test]
    fn as_the_only_writer_missing_reset_password_blocks_and_other_rights_warn() {
        let mut dir = with_gmsa(directory());
        dir.connector = ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        };
        let mut f = facts(&dir, &[], AT);
        let mut access = healthy_access();
        access.rights.unexpire_password = not_granted();
        f.cloud_sync = Some(access.clone());
        let out = check(&f);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0]
            .detail
            .contains("No Entra Connect connector account was found"));
        assert!(out[0].remediation.contains(
            &"dsacls \"DC=contoso,DC=test\" /G \"CONTOSO\\provAgentgMSA$:CA;Unexpire Password\"".to_string()
        ));
        access.rights.reset_password = RightDecision {
            allowed: false,
            deciding_ace: Some(DecidingAce {
                sddl: format!("(OD;;CR;00299570-246d-11d0-a768-00aa006e0529;;{DOMAIN_SID}-1130)"),
                index: 0,
                inherited: false,
                trustee: "CONTOSO\\provAgentgMSA$".into(),
                effect: Effect::Deny,
            }),
        };
        f.cloud_sync = Some(access);
        let out = check(&f);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.contains("deciding ACE: deny ACE #0")));
        assert!(out[0]
            .remediation
            .iter()
            .any(|r| r.contains("RemoveAccessRuleSpecific")));
        assert!(!out[0].remediation.iter().any(|r| r.contains("CA;Reset Password")));
    }

    #[test]
    fn unevaluated_rights_are_not_missing() {
        let dir = with_gmsa(directory());
        let mut f = facts(&dir, &[], AT);
        let mut access = healthy_access();
        access.rights.reset_password = not_granted();
        access.user_gap = Some("not read".into());
        f.cloud_sync = Some(access);
        assert!(check(&f).is_empty());
    }
}
