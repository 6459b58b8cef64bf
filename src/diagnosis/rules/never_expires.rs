//! `password-never-expires-force-change` (field cause C16), info: "Password never expires"
//! (DONT_EXPIRE_PASSWORD) changes what a reset through writeback leaves behind. An admin reset
//! with "require the user to change the password at next logon" does not set must-change in AD
//! (by design). And when the connector lacks Unexpire Password, AD expires the new password at
//! once after a self-service reset, so the user must change it at next logon anyway.

use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;

pub const CODE: FindingCode = FindingCode::PasswordNeverExpiresForceChange;

const BY_DESIGN: &str = "For users with \"Password never expires\", an administrator's reset in Entra with \"require \
                         this user to change their password when they next sign in\" does not set \"must change \
                         password at next logon\" in AD: this is by design.";

pub fn check(f: &Facts) -> Vec<Finding> {
    if !f.account.password_never_expires {
        return vec![];
    }
    let n = Names::of(f);
    // Only when the right was evaluated and is missing: an unread domain root says nothing.
    let lacks_unexpire = f.connector().is_some()
        && f.access.domain_gap.is_none()
        && !f.access.rights.unexpire_password.allowed;
    let mut out = Finding::new(
        CODE,
        Severity::Info,
        "\"Password never expires\" is set: a forced change at next logon is not written back",
    )
    .detail(BY_DESIGN)
    .evidence(format!(
        "{}: userAccountControl 0x{:X} has DONT_EXPIRE_PASSWORD (0x10000)",
        n.user_dn, f.user.user_account_control
    ));
    if lacks_unexpire {
        out = out
            .detail(format!(
                "{BY_DESIGN} And because the connector has no Unexpire Password on the domain root, AD expires the \
                 password a self-service reset sets: this user must change it at the next logon after SSPR."
            ))
            .evidence(format!(
                "connector {}: no Unexpire Password on {}",
                n.connector_principal(),
                n.domain_dn
            ))
            .note("Let the connector keep reset passwords valid:")
            .fix(n.dsacls_grant(&n.domain_dn, "CA;Unexpire Password", false));
    }
    vec![out
        .note("If this user should change the password at next logon, set it on-premises (AD refuses it while \"Password never expires\" is set):")
        .fix(format!(
            "Set-ADUser -Identity {u} -PasswordNeverExpires $false; Set-ADUser -Identity {u} -ChangePasswordAtLogon $true",
            u = ps(&n.user_dn)
        ))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::model::not_granted;
    use crate::diagnosis::rules::codes;
    use crate::directory::uac;
    use crate::testkit::contoso::{directory, facts};

    const AT: &str = "2026-11-24T08:00:00Z";

    #[test]
    fn expiring_passwords_are_silent() {
        let dir = directory();
        assert!(check(&facts(&dir, &[], AT)).is_empty());
    }

    #[test]
    fn never_expires_is_info_and_names_unexpire_only_when_it_is_missing() {
        let mut dir = directory();
        dir.users[0].user_account_control |= uac::DONT_EXPIRE_PASSWORD;
        let f = facts(&dir, &[], AT);
        let out = check(&f);
        assert_eq!(codes(&out), [CODE]);
        assert_eq!(out[0].severity, Severity::Info);
        assert!(out[0].evidence[0].contains("0x10200 has DONT_EXPIRE_PASSWORD"));
        assert!(!out[0].detail.contains("Unexpire"));
        assert!(!out[0].remediation.iter().any(|r| r.contains("Unexpire")));
        assert!(out[0].remediation.last().unwrap().contains(
            "Set-ADUser -Identity 'CN=alice,OU=Staff,DC=contoso,DC=test' -PasswordNeverExpires $false"
        ));

        let mut f = facts(&dir, &[], AT);
        f.access.rights.unexpire_password = not_granted();
        let out = check(&f);
        assert!(out[0]
            .detail
            .contains("must change it at the next logon after SSPR"));
        assert!(out[0].remediation.contains(
            &"dsacls \"DC=contoso,DC=test\" /G \"CONTOSO\\MSOL_abc123:CA;Unexpire Password\"".to_string()
        ));
        // Not read is not missing.
        f.access.domain_gap = Some("not read".into());
        assert!(!check(&f)[0].detail.contains("Unexpire"));
    }
}
