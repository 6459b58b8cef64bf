//! `account-locked`: decided from msDS-User-Account-Control-Computed, else the MS-ADTS LO rule with
//! the effective lockout duration (see `diagnosis::account`), never from lockoutTime alone. A reset
//! unlocks the account when the connector may write lockoutTime, so it blocks a reset only without
//! that right; a password change fails either way (33006), so it blocks when the user's latest
//! attempt was a change.

use super::{event_line, when};
use crate::ad::time::{human_duration, interval};
use crate::diagnosis::account::LockoutBasis;
use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;
use crate::events::EventKind;

pub fn check(f: &Facts) -> Vec<Finding> {
    if !f.account.locked_out {
        return vec![];
    }
    let n = Names::of(f);
    let can_unlock = f.access.rights.write_lockout_time.allowed;
    let severity = if can_unlock && !f.latest_is_change() {
        Severity::Warning
    } else {
        Severity::Blocker
    };
    let mut finding = Finding::new(
        FindingCode::AccountLocked,
        severity,
        format!("The account is locked out (at {})", when(f.at)),
    )
    .detail(if f.latest_is_change() {
        "The user's latest writeback was a password change, which a locked-out account refuses (33006) \
         until the lockout ends or an administrator unlocks it; a reset (\"forgot my password\") would \
         also unlock it when the connector may write lockoutTime."
    } else if can_unlock {
        "A writeback reset also unlocks the account (the connector may write lockoutTime), but a cloud \
         password change fails with 33006 until the lockout ends or an administrator unlocks it."
    } else {
        "The connector may not write lockoutTime, so writeback cannot unlock the account: the user stays \
         locked out after the reset, and changes fail with 33006."
    })
    .evidence(match f.account.lockout_basis {
        LockoutBasis::Computed => format!(
            "msDS-User-Account-Control-Computed = 0x{:X} (LOCKOUT 0x10 set)",
            f.user.uac_computed.unwrap_or_default()
        ),
        LockoutBasis::LockoutRule => {
            "msDS-User-Account-Control-Computed not read; decided from lockoutTime and the lockout duration (MS-ADTS 3.1.1.4.5.17)".to_string()
        }
    })
    .evidence(format!(
        "lockoutTime = {}",
        f.account
            .lockout_time
            .map_or(f.user.lockout_time.to_string(), when)
    ))
    .evidence(format!(
        "lockout duration ({}) = {}; threshold {}",
        f.policy.source.label(),
        interval(f.policy.lockout_duration_raw)
            .filter(|_| f.policy.lockout_duration_raw < 0)
            .map_or("until an administrator unlocks".to_string(), human_duration),
        f.policy.lockout_threshold
    ));
    if let Some(end) = f.account.lockout_ends {
        finding = finding.evidence(format!("the lockout ends by itself at {}", when(end)));
    }
    if let Some(c) = f.user.bad_pwd_count {
        finding = finding.evidence(format!("badPwdCount = {c}"));
    }
    for e in f.events.iter().filter(|e| e.kind == EventKind::DcLockout) {
        let caller = e.fields.caller_computer.as_deref().unwrap_or("unknown");
        finding = finding.evidence(format!("{} (bad attempts from {caller})", event_line(e)));
    }
    vec![finding.fix(format!("Unlock-ADAccount -Identity {}", ps(&n.user_dn)))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::time::to_filetime;
    use crate::diagnosis::account::AccountState;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts, ts};

    #[test]
    fn expired_lockout_is_not_reported() {
        let mut dir = directory();
        dir.users[0].uac_computed = None;
        dir.users[0].lockout_time = to_filetime(ts("2026-11-24T07:00:00Z"));
        // 30-minute duration: the lockout from 07:00 is over at 08:00 although lockoutTime is set.
        let f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        assert!(check(&f).is_empty());
    }

    #[test]
    fn locked_by_rule_blocks_without_lockout_time_right() {
        let mut dir = directory();
        dir.users[0].uac_computed = None;
        dir.users[0].lockout_time = to_filetime(ts("2026-11-24T07:50:00Z"));
        let mut f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        f.account = AccountState::at(f.user, &f.policy, f.at, true);
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::AccountLocked]);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.contains("2026-11-24 08:20:00 UTC")));
        f.access.rights.write_lockout_time.allowed = false;
        assert_eq!(check(&f)[0].severity, Severity::Blocker);
    }

    #[test]
    fn a_locked_users_password_change_is_blocked_even_when_a_reset_would_unlock() {
        use crate::events::EventKind;
        use crate::testkit::contoso::event;
        let mut dir = directory();
        dir.users[0].uac_computed = Some(0x10);
        let evs = [
            event(31006, EventKind::WritebackChangeStart, "2026-11-24T07:59:59Z"),
            event(33006, EventKind::WritebackFailure, "2026-11-24T08:00:00Z"),
        ];
        let f = facts(&dir, &evs, "2026-11-24T08:00:00Z");
        assert!(f.latest_is_change());
        let out = check(&f);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].detail.contains("password change"));
    }
}
