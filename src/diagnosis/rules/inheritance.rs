//! `inheritance-disabled`: the user's DACL, or an OU's above it, is protected, so the connector's
//! grants on the domain root never arrive. A protected DACL on an adminCount=1 user is left to the
//! protected-account rules, which explain why it is protected.

use crate::ad::dn;
use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;

pub fn check(f: &Facts) -> Vec<Finding> {
    let Some(blocked_at) = f.access.inheritance.blocked_at.as_deref() else {
        return vec![];
    };
    let on_user = dn::same(blocked_at, &f.user.dn);
    if on_user && f.account.admin_count == Some(1) {
        return vec![];
    }
    let n = Names::of(f);
    let reset_allowed = f.access.rights.reset_password.allowed;
    let (severity, consequence) = if reset_allowed {
        (
            Severity::Warning,
            "An explicit ACE still grants Reset Password, so writeback works today, but grants added on the \
             domain root later will not reach this user.",
        )
    } else {
        (
            Severity::Blocker,
            "The connector's Reset Password grant on the domain root does not reach the user, so writeback \
             fails with access denied (event 33004).",
        )
    };
    let (title, place) = if on_user {
        (
            "Inheritance is disabled on the user".to_string(),
            "the user object".to_string(),
        )
    } else {
        (
            format!("Inheritance is blocked at {blocked_at}"),
            format!("the OU {blocked_at}"),
        )
    };
    let mut finding = Finding::new(FindingCode::InheritanceDisabled, severity, title)
        .detail(format!(
            "The DACL of {place} is protected (\"Include inheritable permissions\" is off). {consequence}"
        ))
        .evidence(format!(
            "{blocked_at}: SE_DACL_PROTECTED set (nTSecurityDescriptor control 0x1000)"
        ))
        .evidence(format!(
            "connector Reset Password on the user: {}",
            if reset_allowed { "allowed" } else { "not allowed" }
        ))
        .fix(Names::enable_inheritance(blocked_at));
    if !on_user {
        finding = finding
            .note("Or, to keep the OU protected, grant the connector there (on the Entra Connect server):")
            .fix(n.set_writeback_permissions(Some(blocked_at)));
    }
    vec![finding
        .note("Find every object with inheritance off (on the Entra Connect server):")
        .fix(format!(
            "Get-ADSyncObjectsWithInheritanceDisabled -SearchBase {} -ObjectClass '*'",
            ps(&n.domain_dn)
        ))
        .note("Check afterwards:")
        .fix(Names::show_acl(&n.user_dn))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts};

    const AT: &str = "2026-11-24T08:00:00Z";

    #[test]
    fn inheriting_user_is_silent() {
        let dir = directory();
        assert!(check(&facts(&dir, &[], AT)).is_empty());
    }

    #[test]
    fn blocked_at_ou_is_named_and_blocks_when_reset_is_missing() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        f.access.inheritance.blocked_at = Some("OU=Staff,DC=contoso,DC=test".into());
        f.access.rights.reset_password.allowed = false;
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::InheritanceDisabled]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].title.contains("OU=Staff,DC=contoso,DC=test"));
        assert!(out[0].remediation[2].contains("-ADobjectDN 'OU=Staff,DC=contoso,DC=test'"));
    }

    #[test]
    fn protected_user_with_explicit_grant_is_a_warning_and_admin_count_defers() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        f.access.inheritance.dacl_protected = true;
        f.access.inheritance.blocked_at = Some(f.user.dn.clone());
        assert_eq!(check(&f)[0].severity, Severity::Warning);
        f.account.admin_count = Some(1);
        assert!(check(&f).is_empty());
    }
}
