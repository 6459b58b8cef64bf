//! `admin-sd-holder` (the user is in a protected group: SDProp stamps AdminSDHolder's DACL with
//! inheritance off, and Microsoft does not support writeback for these accounts) and
//! `admin-count-orphaned` (adminCount=1 left over after leaving the groups: safe to clear it and
//! re-enable inheritance).

use super::ace_line;
use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;

pub fn check_admin_sd_holder(f: &Facts) -> Vec<Finding> {
    if f.protected_groups.is_empty() {
        return vec![];
    }
    let n = Names::of(f);
    let mut finding = Finding::new(
        FindingCode::AdminSdHolder,
        Severity::Blocker,
        "Protected account: password writeback is not supported for it",
    )
    .detail(
        "The user is a member of a protected group. Every hour SDProp replaces the DACL of such accounts \
         with the one on AdminSDHolder and turns inheritance off, so the connector's inherited rights never \
         reach them. Microsoft documents that writeback cannot reset passwords of protected-group members; \
         this is by design, not a misconfiguration to fix on the account.",
    )
    .evidence(format!("protected membership: {}", f.protected_groups.join(", ")))
    .evidence(format!(
        "adminCount = {}",
        f.account
            .admin_count
            .map_or("absent".to_string(), |c| c.to_string())
    ))
    .evidence(format!(
        "DACL protected (inheritance off): {}",
        f.access.inheritance.dacl_protected
    ));
    if let Some(ace) = &f.access.rights.reset_password.deciding_ace {
        finding = finding.evidence(ace_line("Reset Password decided by", ace));
    }
    vec![finding
        .note("Option 1 (recommended): the person uses a separate, unprivileged account for daily work; SSPR writeback works for that one, and the admin account's password is reset on-premises.")
        .note("Option 2: another administrator resets it on-premises:")
        .fix(format!("Set-ADAccountPassword -Identity {} -Reset", ps(&n.user_dn)))
        .note("Option 3: if the membership is no longer needed, remove it; then clear adminCount and re-enable inheritance (see admin-count-orphaned).")
        .note("Do not widen AdminSDHolder's DACL for this: it changes the permissions of every protected account.")]
}

pub fn check_admin_count_orphaned(f: &Facts) -> Vec<Finding> {
    if f.account.admin_count != Some(1) || !f.protected_groups.is_empty() {
        return vec![];
    }
    let n = Names::of(f);
    let protected = f.access.inheritance.dacl_protected;
    let severity = match (protected, f.access.rights.reset_password.allowed) {
        (true, false) => Severity::Blocker,
        (true, true) => Severity::Warning,
        (false, _) => Severity::Info,
    };
    let mut finding = Finding::new(
        FindingCode::AdminCountOrphaned,
        severity,
        "adminCount=1 left over from a former protected-group membership",
    )
    .detail(if protected {
        "The user is no longer in any protected group, but adminCount is still 1 and the DACL still has \
         inheritance turned off, as SDProp left it. The connector's inherited rights do not reach the user. \
         It is safe to clear adminCount and re-enable inheritance."
    } else {
        "The user is no longer in any protected group and inheritance is on again; adminCount=1 is only a \
         leftover. Clearing it keeps tools (and SDProp audits) from treating the user as protected."
    })
    .evidence("adminCount = 1 (SDProp marks protected accounts with it and never clears it)")
    .evidence(if f.membership_transitive {
        "no protected group among the user's transitive groups (tokenGroups)"
    } else {
        "no protected group among the user's direct groups (memberOf; nested membership was not read)"
    })
    .evidence(format!("DACL protected (inheritance off): {protected}"))
    .fix(format!(
        "Set-ADUser -Identity {} -Clear adminCount",
        ps(&n.user_dn)
    ));
    if protected {
        finding = finding.fix(Names::enable_inheritance(&n.user_dn));
    }
    vec![finding]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts};

    const AT: &str = "2026-11-24T08:00:00Z";

    #[test]
    fn protected_member_is_by_design() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        assert!(check_admin_sd_holder(&f).is_empty());
        f.protected_groups = vec!["CONTOSO\\Domain Admins".into()];
        f.account.admin_count = Some(1);
        let out = check_admin_sd_holder(&f);
        assert_eq!(codes(&out), [FindingCode::AdminSdHolder]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].evidence[0].contains("Domain Admins"));
        // A protected member is not an orphan.
        assert!(check_admin_count_orphaned(&f).is_empty());
    }

    #[test]
    fn orphaned_admin_count_with_protected_dacl_blocks() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        assert!(check_admin_count_orphaned(&f).is_empty());
        f.account.admin_count = Some(1);
        f.access.inheritance.dacl_protected = true;
        f.access.rights.reset_password.allowed = false;
        f.access.rights.reset_password.deciding_ace = None;
        let out = check_admin_count_orphaned(&f);
        assert_eq!(codes(&out), [FindingCode::AdminCountOrphaned]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].remediation[0].contains("-Clear adminCount"));
        assert!(out[0].remediation[1].contains("SetAccessRuleProtection($false, $true)"));
        // Inheritance back on: only a leftover.
        f.access.inheritance.dacl_protected = false;
        assert_eq!(check_admin_count_orphaned(&f)[0].severity, Severity::Info);
    }
}
