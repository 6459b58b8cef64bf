//! `user-cannot-change-password`: "User cannot change password" is not a userAccountControl bit but
//! deny ACEs on Change Password for Everyone and SELF. It stops cloud password *changes* (6329,
//! hr=0x80230619), not resets: a blocker when the user's latest attempt was a change, else a
//! warning.

use super::ace_line;
use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;

pub fn check(f: &Facts) -> Vec<Finding> {
    let Some(ace) = &f.access.cannot_change_password else {
        return vec![];
    };
    let n = Names::of(f);
    let severity = if f.latest_is_change() {
        Severity::Blocker
    } else {
        Severity::Warning
    };
    vec![Finding::new(
        FindingCode::UserCannotChangePassword,
        severity,
        "\"User cannot change password\" is set",
    )
    .detail(
        "A deny ACE on the Change Password right stops the user's own password changes. Cloud password \
         changes written back fail with 6329 / hr=0x80230619; resets (SSPR \"forgot password\") are not \
         affected.",
    )
    .evidence(ace_line("the user's own Change Password decided by", ace))
    .fix(format!(
        "Set-ADUser -Identity {} -CannotChangePassword $false",
        ps(&n.user_dn)
    ))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::model::{DecidingAce, Effect};
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts};

    #[test]
    fn deny_for_self_is_reported_as_warning() {
        let dir = directory();
        let mut f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        assert!(check(&f).is_empty());
        f.access.cannot_change_password = Some(DecidingAce {
            sddl: "(OD;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)".into(),
            index: 0,
            inherited: false,
            trustee: "NT AUTHORITY\\SELF".into(),
            effect: Effect::Deny,
        });
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::UserCannotChangePassword]);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].evidence[0].contains("(OD;;CR;ab721a53"));
    }

    #[test]
    fn blocks_when_the_latest_attempt_was_a_change() {
        use crate::events::EventKind;
        use crate::testkit::contoso::event;
        let dir = directory();
        let evs = [
            event(31006, EventKind::WritebackChangeStart, "2026-11-24T07:59:59Z"),
            event(31008, EventKind::WritebackFailure, "2026-11-24T08:00:00Z"),
        ];
        let mut f = facts(&dir, &evs, "2026-11-24T08:00:00Z");
        f.access.cannot_change_password = Some(DecidingAce {
            sddl: "(OD;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)".into(),
            index: 1,
            inherited: false,
            trustee: "Everyone".into(),
            effect: Effect::Deny,
        });
        assert_eq!(check(&f)[0].severity, Severity::Blocker);
    }
}
