//! `password-sync-scope-excluded` (field cause C8): selective password hash sync scopes users by
//! adminDescription, and `PHSFiltered` takes a user out of the password sync rule. Writeback then
//! finds no target (33002 with 0x80230405 "No password writeback targets found"), and the usual
//! "user not found, run a delta sync" advice cannot help. An event rule that sees that 33002
//! names [`CODE`] as its explanation.

use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;
use crate::directory::DirectoryUser;

/// The finding code, shared with the event rule it explains.
pub const CODE: FindingCode = FindingCode::PasswordSyncScopeExcluded;

/// The adminDescription value that excludes a user from selective password hash sync.
pub const PHS_FILTERED: &str = "PHSFiltered";
/// The value that includes a user when selective password hash sync runs in the include mode.
pub const PHS_INCLUDED: &str = "PHSIncluded";

/// Whether the user's adminDescription takes it out of password hash sync (and so writeback).
/// Connect's scoping filter compares the value as a string; case and surrounding blanks are not
/// trusted to differ on purpose.
pub fn excluded(user: &DirectoryUser) -> bool {
    user.admin_description
        .as_deref()
        .is_some_and(|d| d.trim().eq_ignore_ascii_case(PHS_FILTERED))
}

pub fn check(f: &Facts) -> Vec<Finding> {
    if !excluded(f.user) {
        return vec![];
    }
    let n = Names::of(f);
    let value = f.user.admin_description.as_deref().unwrap_or_default();
    vec![Finding::new(
        CODE,
        Severity::Blocker,
        "The user is excluded from password hash sync (adminDescription = PHSFiltered)",
    )
    .detail(
        "Selective password hash sync leaves out users whose adminDescription is PHSFiltered. A user outside the \
         password sync rule has no writeback target, so Entra Connect answers the reset with 33002 / 0x80230405 \
         (\"No password writeback targets found\"). The object exists and is joined: a delta sync alone changes \
         nothing until the attribute changes.",
    )
    .evidence(format!("{}: adminDescription = {value:?}", n.user_dn))
    .note("Bring the user back into password hash sync (exclude mode: clear the attribute):")
    .fix(format!(
        "Set-ADUser -Identity {} -Clear adminDescription",
        ps(&n.user_dn)
    ))
    .note(format!(
        "If selective password hash sync runs in the include mode, set the include value instead: Set-ADUser -Identity {} -Replace @{{adminDescription={}}}",
        ps(&n.user_dn),
        ps(PHS_INCLUDED)
    ))
    .note("Then, on the Entra Connect server, sync the change:")
    .fix("Start-ADSyncSyncCycle -PolicyType Delta")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts};

    const AT: &str = "2026-11-24T08:00:00Z";

    #[test]
    fn phs_filtered_blocks_with_the_users_own_dn_in_the_fix() {
        let mut dir = directory();
        dir.users[0].dn = "CN=O'Brien,OU=Staff,DC=contoso,DC=test".into();
        dir.users[0].admin_description = Some(" phsfiltered".into());
        let out = check(&facts(&dir, &[], AT));
        assert_eq!(codes(&out), [CODE]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(
            out[0].evidence[0].contains("adminDescription = \" phsfiltered\""),
            "{:?}",
            out[0].evidence
        );
        assert!(out[0].remediation.contains(
            &"Set-ADUser -Identity 'CN=O''Brien,OU=Staff,DC=contoso,DC=test' -Clear adminDescription"
                .to_string()
        ));
        assert!(out[0]
            .remediation
            .iter()
            .any(|r| r.contains("adminDescription='PHSIncluded'")));
        assert_eq!(
            out[0].remediation.last().map(String::as_str),
            Some("Start-ADSyncSyncCycle -PolicyType Delta")
        );
    }

    #[test]
    fn other_or_no_admin_description_is_silent() {
        let mut dir = directory();
        for value in [
            None,
            Some("PHSIncluded"),
            Some("Service account"),
            Some("PHSFiltered-old"),
        ] {
            dir.users[0].admin_description = value.map(str::to_string);
            assert!(check(&facts(&dir, &[], AT)).is_empty(), "{value:?}");
        }
    }
}
