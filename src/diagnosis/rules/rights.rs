//! The connector account's rights writeback needs: `missing-reset-password` /
//! `denied-reset-password` (an explicit deny decides it: named), `missing-write-lockout-time`,
//! `missing-write-pwd-last-set` (on the user) and `missing-unexpire-password` (on the domain root).
//! One table drives all five, because they differ only in which right and what its absence costs.

use super::{ace_line, event_line, when};
use crate::diagnosis::facts::{AccessFacts, Facts};
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{denied_by, DecidingAce, Finding, RightDecision, RightsSection, Severity};
use crate::diagnosis::FindingCode;
use crate::events::correlate::AttemptOutcome;
use crate::events::EventKind;

pub(super) struct Needed {
    code: FindingCode,
    pub(super) right: fn(&RightsSection) -> &RightDecision,
    pub(super) name: &'static str,
    pub(super) severity: Severity,
    /// What goes wrong without it.
    consequence: &'static str,
    /// dsacls permission text; `None` for Unexpire Password, granted on the domain object itself.
    pub(super) dsacls_on_users: Option<&'static str>,
}

/// The four rights writeback needs from whichever account writes (Connect's or Cloud Sync's).
pub(super) const NEEDED: &[Needed] = &[
    Needed {
        code: FindingCode::MissingResetPassword,
        right: |r| &r.reset_password,
        name: "Reset Password",
        severity: Severity::Blocker,
        consequence: "Writeback sets the password as a reset (SetPassword), so AD refuses it with access denied \
                      (event 33004, and no 4724 on the DC because access-denied resets are not audited).",
        dsacls_on_users: Some("CA;Reset Password;user"),
    },
    Needed {
        code: FindingCode::MissingWriteLockoutTime,
        right: |r| &r.write_lockout_time,
        name: "Write lockoutTime",
        severity: Severity::Warning,
        consequence: "Writeback unlocks the account by writing lockoutTime = 0; without the right, a locked-out \
                      user stays locked after a successful reset and \"unlock only\" fails.",
        dsacls_on_users: Some("WP;lockoutTime;user"),
    },
    Needed {
        code: FindingCode::MissingWritePwdLastSet,
        right: |r| &r.write_pwd_last_set,
        name: "Write pwdLastSet",
        severity: Severity::Warning,
        consequence: "Writeback writes pwdLastSet to set or clear \"must change password at next logon\" (admin \
                      resets with force-change); without it those resets fail.",
        dsacls_on_users: Some("WP;pwdLastSet;user"),
    },
    Needed {
        code: FindingCode::MissingUnexpirePassword,
        right: |r| &r.unexpire_password,
        name: "Unexpire Password (on the domain root)",
        severity: Severity::Warning,
        consequence: "Without Unexpire Password on the domain object, AD sets pwdLastSet to 0 on every reset the \
                      connector makes (MS-SAMR 3.1.1.8.7): the new password works once and the user is forced to \
                      change it at next logon.",
        dsacls_on_users: None,
    },
];

impl Needed {
    /// The decision when it was evaluated (its descriptor read and parsed) and denies the right.
    pub(super) fn missing<'a>(&self, access: &'a AccessFacts) -> Option<&'a RightDecision> {
        let gap = if self.dsacls_on_users.is_some() {
            &access.user_gap
        } else {
            &access.domain_gap
        };
        let check = (self.right)(&access.rights);
        (gap.is_none() && !check.allowed).then_some(check)
    }
}

pub fn check(f: &Facts) -> Vec<Finding> {
    if f.connector().is_none() {
        return vec![];
    }
    NEEDED
        .iter()
        .filter_map(|need| need.missing(&f.access).map(|check| finding(f, need, check)))
        .collect()
}

fn finding(f: &Facts, need: &Needed, check: &RightDecision) -> Finding {
    let n = Names::of(f);
    let deny = denied_by(check);
    let on_domain = need.dsacls_on_users.is_none();
    let object = if on_domain { &n.domain_dn } else { &n.user_dn };
    let code = match (need.code, deny) {
        (FindingCode::MissingResetPassword, Some(_)) => FindingCode::DeniedResetPassword,
        (code, _) => code,
    };
    let title = match deny {
        Some(ace) => format!(
            "{} is denied to the connector by an explicit deny ACE for {}",
            need.name, ace.trustee
        ),
        None => format!("The connector account has no {} right", need.name),
    };
    let mut out = Finding::new(code, need.severity, title)
        .detail(need.consequence)
        .evidence(format!(
            "connector {} ({}), effective {} on {}: {}",
            n.connector_principal(),
            f.connector().map_or(String::new(), |c| c.sid.to_string()),
            need.name,
            object,
            if deny.is_some() {
                "denied"
            } else {
                "no ACE grants it"
            }
        ));
    if let Some(ace) = deny {
        out = remove_deny(out.evidence(ace_line("deciding ACE", ace)), object, ace);
    }
    if need.code == FindingCode::MissingUnexpirePassword {
        out = unexpire_effect(f, out);
    }
    // Under an explicit deny a new grant changes nothing: the deny comes first.
    out = match (need.dsacls_on_users, deny) {
        (_, Some(_)) => out,
        (Some(perm), None) => out
            .note("Grant what writeback needs (on the Entra Connect server):")
            .fix(n.set_writeback_permissions(None))
            .note("Or with dsacls:")
            .fix(n.dsacls_grant(&n.domain_dn, perm, true)),
        (None, None) => out.fix(n.dsacls_grant(&n.domain_dn, "CA;Unexpire Password", false)),
    };
    out.note("Check afterwards:").fix(Names::show_acl(object))
}

/// Missing Unexpire Password is a warning until the user's own history shows its effect: the
/// latest writeback succeeded and left pwdLastSet at 0, so the new password is already expired
/// and the user's next logon fails (0xC0000224). Then writeback did not really succeed.
fn unexpire_effect(f: &Facts, finding: Finding) -> Finding {
    let Some(ok) = f
        .latest_attempt()
        .filter(|a| a.outcome == AttemptOutcome::Succeeded && f.account.must_change_password)
    else {
        return finding;
    };
    let mut out = finding
        .evidence(format!(
            "the writeback at {} succeeded, and pwdLastSet is 0 now: the new password is already expired",
            when(ok.started)
        ))
        .detail(
            "This user's last writeback went through, and AD expired the new password at once (pwdLastSet = 0): \
             the next logon fails with \"password must change\" (0xC0000224).",
        );
    out.severity = Severity::Blocker;
    for e in ok.events.iter().filter(|e| e.kind == EventKind::DcUserChanged) {
        if let Some(p) = &e.fields.password_last_set {
            out = out.evidence(format!("{}: PasswordLastSet {p}", event_line(e)));
        }
    }
    out
}

/// How to remove the deciding deny ACE: on the object if explicit, else where it is inherited from.
pub(super) fn remove_deny(finding: Finding, object_dn: &str, ace: &DecidingAce) -> Finding {
    if ace.inherited {
        return finding.note(format!(
            "The deny ACE is inherited: remove it on the ancestor that sets it (inspect each OU above {object_dn} with dsacls and look for the deny for {})",
            ace.trustee
        ));
    }
    finding.note("Remove the explicit deny ACE:").fix(format!(
        "$p = {}; $acl = Get-Acl -Path $p; $acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) | Where-Object {{ $_.AccessControlType -eq 'Deny' -and $_.IdentityReference.Value -eq {} }} | ForEach-Object {{ [void]$acl.RemoveAccessRuleSpecific($_) }}; Set-Acl -Path $p -AclObject $acl",
        ps(&format!("AD:\\{object_dn}")),
        ps(ace_trustee_sid(ace))
    ))
}

/// The SID in the ACE's SDDL (its last field), which is what Get-Acl reports as the identity.
fn ace_trustee_sid(ace: &DecidingAce) -> &str {
    ace.sddl
        .trim_end_matches(')')
        .rsplit(';')
        .next()
        .unwrap_or(&ace.trustee)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::model::{not_granted, Effect};
    use crate::diagnosis::rules::codes;
    use crate::directory::ConnectorLookup;
    use crate::testkit::contoso::{directory, facts, CONNECTOR_SID};

    const AT: &str = "2026-11-24T08:00:00Z";

    #[test]
    fn all_rights_granted_is_silent() {
        let dir = directory();
        assert!(check(&facts(&dir, &[], AT)).is_empty());
    }

    #[test]
    fn each_missing_right_has_its_code() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        for r in [
            &mut f.access.rights.reset_password,
            &mut f.access.rights.write_lockout_time,
            &mut f.access.rights.write_pwd_last_set,
            &mut f.access.rights.unexpire_password,
        ] {
            *r = not_granted();
        }
        let out = check(&f);
        assert_eq!(
            codes(&out),
            [
                FindingCode::MissingResetPassword,
                FindingCode::MissingWriteLockoutTime,
                FindingCode::MissingWritePwdLastSet,
                FindingCode::MissingUnexpirePassword
            ]
        );
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].remediation[1]
            .contains("-ADConnectorAccountName 'MSOL_abc123' -ADConnectorAccountDomain 'contoso.test'"));
        assert!(out[3].remediation[0]
            .contains("dsacls \"DC=contoso,DC=test\" /G \"CONTOSO\\MSOL_abc123:CA;Unexpire Password\""));
    }

    #[test]
    fn missing_unexpire_blocks_once_a_successful_reset_left_the_password_expired() {
        use crate::events::EventKind;
        use crate::testkit::contoso::event;
        let mut dir = directory();
        dir.users[0].pwd_last_set = Some(0);
        let evs = [
            event(31001, EventKind::WritebackResetStart, "2026-11-24T07:59:59Z"),
            event(31002, EventKind::WritebackSuccess, "2026-11-24T08:00:00Z"),
        ];
        let mut f = facts(&dir, &evs, "2026-11-24T09:00:00Z");
        f.access.rights.unexpire_password = not_granted();
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::MissingUnexpirePassword]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].evidence.iter().any(|e| e.contains("already expired")));
        // Without that history it stays a warning.
        let mut f = facts(&dir, &[], "2026-11-24T09:00:00Z");
        f.access.rights.unexpire_password = not_granted();
        assert_eq!(check(&f)[0].severity, Severity::Warning);
    }

    #[test]
    fn explicit_deny_is_named() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        f.access.rights.reset_password = RightDecision {
            allowed: false,
            deciding_ace: Some(DecidingAce {
                sddl: format!("(OD;;CR;00299570-246d-11d0-a768-00aa006e0529;;{CONNECTOR_SID})"),
                index: 0,
                inherited: false,
                trustee: "CONTOSO\\MSOL_abc123".into(),
                effect: Effect::Deny,
            }),
        };
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::DeniedResetPassword]);
        assert!(out[0].title.contains("CONTOSO\\MSOL_abc123"));
        assert!(out[0].evidence[1].contains("(OD;;CR;00299570"));
        assert!(out[0].remediation[1].contains(&format!("-eq '{CONNECTOR_SID}'")));
        assert!(!out[0]
            .remediation
            .iter()
            .any(|r| r.contains("Set-ADSyncPasswordWritebackPermissions")));
    }

    #[test]
    fn unevaluated_rights_and_missing_connector_are_not_reported_as_missing() {
        let mut dir = directory();
        let mut f = facts(&dir, &[], AT);
        f.access.rights.reset_password = not_granted();
        f.access.user_gap = Some("nTSecurityDescriptor not read".into());
        assert!(check(&f).is_empty());
        dir.connector = ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        };
        let mut f = facts(&dir, &[], AT);
        f.access.rights.reset_password = not_granted();
        assert!(check(&f).is_empty());
    }
}
