//! The verdict: can writeback succeed (no blocker), which finding is the primary cause (the one
//! that explains the most recent failed attempt; with none, the strongest blocker), and one plain
//! sentence a helpdesk agent can read to the user.

use super::facts::Facts;
use super::model::{Finding, Severity, Verdict};
use super::rules::events::explained_by;
use super::rules::{when, ACCESS_BLOCKERS};
use crate::diagnosis::FindingCode;

/// Root causes before symptoms: when several findings could be "the" cause, the earlier wins.
/// `ACCESS_BLOCKERS` come first, then these.
const PRIORITY_AFTER_ACCESS: &[FindingCode] = &[
    FindingCode::PasswordSyncScopeExcluded,
    FindingCode::CloudSyncMissingRights,
    FindingCode::AccountDisabled,
    FindingCode::MinPasswordAge,
    FindingCode::AccountLocked,
    FindingCode::EventWritebackDisabled,
    FindingCode::EventWritebackNotRunning,
    FindingCode::EventRemoteSamRestricted,
    FindingCode::EventRpcUnavailable,
    FindingCode::EventDcUnreachable,
    FindingCode::EventLdapNotSealed,
    FindingCode::EventNotInPasswordSyncScope,
    FindingCode::EventProtectedAccount,
    FindingCode::EventServiceConnectivity,
    FindingCode::EventDecryption,
    FindingCode::EventForestNotEnabled,
    FindingCode::EventPolicyHintsUnsupported,
    FindingCode::EventConnectorPasswordTooLong,
    FindingCode::EventUserNotFound,
    FindingCode::EventDuplicateAnchor,
    FindingCode::EventOuReservedCharacters,
    FindingCode::EventPermissionDenied,
    FindingCode::EventAccountDisabled,
    FindingCode::EventAccountLocked,
    FindingCode::PasswordProtectionRejected,
    FindingCode::EventPasswordPolicy,
    FindingCode::PasswordHashSyncFailing,
    FindingCode::NoAttemptReceived,
    FindingCode::MissingWriteLockoutTime,
    FindingCode::MissingWritePwdLastSet,
    FindingCode::MissingUnexpirePassword,
    FindingCode::UserCannotChangePassword,
    FindingCode::EvaluationGap,
    FindingCode::EventUnknownFailure,
];

fn rank(code: FindingCode) -> usize {
    ACCESS_BLOCKERS
        .iter()
        .chain(PRIORITY_AFTER_ACCESS)
        .position(|c| *c == code)
        .unwrap_or(ACCESS_BLOCKERS.len() + PRIORITY_AFTER_ACCESS.len())
}

pub fn verdict(f: &Facts, findings: &[Finding]) -> Verdict {
    let can_succeed = !findings.iter().any(|x| x.severity == Severity::Blocker);
    let primary = primary_cause(findings);
    Verdict {
        writeback_can_succeed: can_succeed,
        primary_cause: primary.map(|p| p.code),
        summary: summary(f, primary, findings, can_succeed),
    }
}

/// The finding that explains the most recent failed attempt (an event finding still in force,
/// or better the directory finding behind it); with no such attempt, the strongest blocker.
pub fn primary_cause(findings: &[Finding]) -> Option<&Finding> {
    let live_event = findings
        .iter()
        .find(|x| x.code.from_event() && x.severity >= Severity::Warning);
    if let Some(ev) = live_event {
        let behind = explained_by(ev.code);
        let root = findings
            .iter()
            .filter(|x| behind.contains(&x.code) && x.severity >= Severity::Warning)
            .min_by_key(|x| rank(x.code));
        return Some(root.unwrap_or(ev));
    }
    findings
        .iter()
        .filter(|x| x.severity == Severity::Blocker)
        .min_by_key(|x| rank(x.code))
        // With nothing blocking, a request that never arrived is what the ticket is about.
        .or_else(|| findings.iter().find(|x| x.code == FindingCode::NoAttemptReceived))
}

fn summary(f: &Facts, primary: Option<&Finding>, findings: &[Finding], can_succeed: bool) -> String {
    let who = f
        .user
        .display_name
        .clone()
        .unwrap_or_else(|| f.user.sam_account_name.clone());
    let Some(p) = primary else {
        let warnings = findings
            .iter()
            .filter(|x| x.severity == Severity::Warning)
            .count();
        return match warnings {
            0 => format!("Nothing blocks password writeback for {who}: the sync account has the rights it needs and the account is usable."),
            n => format!("Nothing blocks password writeback for {who}; {n} warning(s) are worth a look."),
        };
    };
    let connector = f.connector().map_or("the sync account".to_string(), |c| {
        format!("the sync account {}", c.sam_account_name)
    });
    let sentence = match p.code {
        FindingCode::ConnectorNotFound => "The Entra Connect sync account could not be identified, so its permissions cannot be checked.".to_string(),
        FindingCode::AdminSdHolder => format!("{who} is a member of a protected admin group, and password writeback does not support such accounts by design: reset the password on-premises."),
        FindingCode::AdminCountOrphaned => format!("{who} still carries a leftover admin protection (adminCount=1, inheritance off) that keeps {connector} from resetting the password; clearing it fixes writeback."),
        FindingCode::InheritanceDisabled => match &f.access.inheritance.blocked_at {
            Some(at) if !crate::ad::dn::same(at, &f.user.dn) => format!("Password writeback for {who} fails because permission inheritance is blocked at {at}, so {connector} may not reset the password."),
            _ => format!("Password writeback for {who} fails because permission inheritance is turned off on the account, so {connector} may not reset the password."),
        },
        FindingCode::DeniedResetPassword => format!("An explicit deny permission stops {connector} from resetting {who}'s password."),
        FindingCode::MissingResetPassword => capitalized(&format!("{connector} has no permission to reset {who}'s password, so writeback is refused.")),
        FindingCode::PasswordSyncScopeExcluded => format!("{who} is excluded from password hash sync (adminDescription PHSFiltered), so a reset in the cloud has nothing on-premises to write to: clear the attribute and run a delta sync."),
        FindingCode::SamServerNotReadable => capitalized(&format!("{connector} cannot read the domain's SAM objects (CN=Server,CN=System or Pre-Windows 2000 Compatible Access), so the reset of {who}'s password is refused before it starts.")),
        FindingCode::CloudSyncMissingRights => format!("The Cloud Sync account that writes passwords back lacks the permissions to reset {who}'s password ({})", p.title.rsplit(" lacks ").next().unwrap_or_default()) + ".",
        FindingCode::AccountDisabled => format!("{who}'s on-premises account is disabled, so the new password cannot be written back."),
        FindingCode::MinPasswordAge => {
            let until = f.account.pwd_last_set_instant().map(|s| when(s + f.policy.min_pwd_age()));
            format!("{who}'s password was changed too recently: the on-premises minimum password age blocks another reset until {}.", until.unwrap_or_default())
        }
        FindingCode::AccountLocked if f.latest_is_change() => format!("{who}'s account is locked out on-premises, and a password change is refused while it is locked: unlock it, or use \"forgot my password\", which unlocks it."),
        FindingCode::AccountLocked => format!("{who}'s account is locked out on-premises and {connector} may not unlock it."),
        // Causes the events prove and the directory cannot show: never "try again".
        FindingCode::EventRemoteSamRestricted => format!("{who}'s reset reached the Entra Connect server, but the \"Restrict clients allowed to make remote calls to SAM\" policy refused {connector}: an administrator must allow it; retrying will fail the same way."),
        FindingCode::EventRpcUnavailable => format!("The Entra Connect server could not reach a domain controller over RPC when {who}'s reset arrived (firewall): it fails until TCP 135 and the dynamic RPC ports are open."),
        FindingCode::EventDcUnreachable => format!("No domain controller could be contacted from the Entra Connect server when {who}'s reset arrived: DC reachability and name resolution from that server must be fixed first."),
        FindingCode::EventLdapNotSealed => format!("AD refused {who}'s new password because the Entra Connect connection to AD is not signed and encrypted: turn on \"Sign and Encrypt LDAP Traffic\" in Entra Connect."),
        FindingCode::EventNotInPasswordSyncScope => format!("{who} is outside the password hash sync scope (selective password hash sync), so writeback has no target for the password: an administrator must bring the account into scope."),
        FindingCode::EventProtectedAccount => format!("{who} is a privileged account (adminCount=1), and writeback refuses an administrator's reset of it by design: reset the password on-premises."),
        FindingCode::PasswordProtectionRejected => format!("{who}'s new password was refused by Microsoft Entra Password Protection on a domain controller: choose another password (no banned words, not the user's name)."),
        FindingCode::NoAttemptReceived => format!("No password reset for {who} reached the Entra Connect server near {}: the reset was made where writeback does not apply (Microsoft 365 admin center, PowerShell, Graph) or never left the cloud.", when(f.at)),
        FindingCode::EventWritebackNotRunning => "Password writeback is not running on the Entra Connect server, so no reset is written back: restart the ADSync service and check for event 31015.".to_string(),
        code if code.from_event() && p.severity == Severity::Warning => format!(
            "The last writeback attempt for {who} failed ({}), but the directory looks fine now: it was fixed since or another DC handled it, so try again.",
            p.title
        ),
        code if code.from_event() => format!("The last writeback attempt for {who} failed: {}.", p.title),
        _ => format!("{who}: {}.", p.title),
    };
    if can_succeed && !p.code.from_event() {
        format!("{sentence} Writeback can still succeed.")
    } else {
        sentence
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |first| first.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contoso::{directory, facts};

    fn finding(code: FindingCode, severity: Severity) -> Finding {
        Finding::new(code, severity, code.as_str())
    }

    #[test]
    fn access_blockers_lead_the_priority_and_explain_a_permission_denied() {
        let ranks: Vec<usize> = ACCESS_BLOCKERS.iter().map(|&c| rank(c)).collect();
        assert_eq!(ranks, (0..ACCESS_BLOCKERS.len()).collect::<Vec<_>>());
        assert!(PRIORITY_AFTER_ACCESS.iter().all(|c| !ACCESS_BLOCKERS.contains(c)));
        assert_eq!(explained_by(FindingCode::EventPermissionDenied), ACCESS_BLOCKERS);
        assert_eq!(
            // An info-only code has no rank of its own: it never explains a failure.
            rank(FindingCode::PasswordNeverExpiresForceChange),
            ACCESS_BLOCKERS.len() + PRIORITY_AFTER_ACCESS.len()
        );
    }

    #[test]
    fn a_request_that_never_arrived_is_the_cause_only_when_nothing_blocks() {
        let dir = directory();
        let f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        let findings = [finding(FindingCode::NoAttemptReceived, Severity::Warning)];
        let v = verdict(&f, &findings);
        assert_eq!(v.primary_cause, Some(FindingCode::NoAttemptReceived));
        assert!(v.writeback_can_succeed);
        assert!(v.summary.contains("never left the cloud"), "{}", v.summary);
        let findings = [
            finding(FindingCode::NoAttemptReceived, Severity::Warning),
            finding(FindingCode::AccountDisabled, Severity::Blocker),
        ];
        assert_eq!(
            primary_cause(&findings).map(|x| x.code),
            Some(FindingCode::AccountDisabled)
        );
    }

    #[test]
    fn no_findings_means_success_and_no_cause() {
        let dir = directory();
        let f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        let v = verdict(&f, &[]);
        assert!(v.writeback_can_succeed);
        assert_eq!(v.primary_cause, None);
        assert!(v
            .summary
            .starts_with("Nothing blocks password writeback for ALICE"));
    }

    #[test]
    fn event_points_to_the_directory_root_cause() {
        let dir = directory();
        let f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        let findings = [
            finding(FindingCode::MissingResetPassword, Severity::Blocker),
            finding(FindingCode::InheritanceDisabled, Severity::Blocker),
            finding(FindingCode::MissingUnexpirePassword, Severity::Warning),
            finding(FindingCode::EventPermissionDenied, Severity::Blocker),
        ];
        let v = verdict(&f, &findings);
        assert!(!v.writeback_can_succeed);
        assert_eq!(v.primary_cause, Some(FindingCode::InheritanceDisabled));
        assert!(v.summary.contains("inheritance is turned off on the account"));
    }

    #[test]
    fn without_events_the_strongest_blocker_wins_and_contradicted_events_say_so() {
        let dir = directory();
        let f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        let findings = [
            finding(FindingCode::MissingUnexpirePassword, Severity::Warning),
            finding(FindingCode::AccountDisabled, Severity::Blocker),
            finding(FindingCode::MissingResetPassword, Severity::Blocker),
        ];
        assert_eq!(
            primary_cause(&findings).map(|x| x.code),
            Some(FindingCode::MissingResetPassword)
        );
        let findings = [finding(FindingCode::EventPermissionDenied, Severity::Warning)];
        let v = verdict(&f, &findings);
        assert!(v.writeback_can_succeed);
        assert_eq!(v.primary_cause, Some(FindingCode::EventPermissionDenied));
        assert!(v.summary.contains("fixed since or another DC handled it"));
    }
}
