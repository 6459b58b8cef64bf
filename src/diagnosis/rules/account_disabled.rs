//! `account-disabled`: AD refuses to set the password of a disabled account for writeback (33005).

use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;

pub fn check(f: &Facts) -> Vec<Finding> {
    if f.account.enabled {
        return vec![];
    }
    let n = Names::of(f);
    vec![Finding::new(
        FindingCode::AccountDisabled,
        Severity::Blocker,
        "The on-premises account is disabled",
    )
    .detail(
        "Writeback does not reset passwords of disabled accounts (event 33005). If the account should be \
         in use, enable it; if it was disabled on purpose, the cloud reset is expected to fail.",
    )
    .evidence(format!(
        "userAccountControl = 0x{:X} (ACCOUNTDISABLE 0x2 set)",
        f.user.user_account_control
    ))
    .fix(format!("Enable-ADAccount -Identity {}", ps(&n.user_dn)))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts};

    #[test]
    fn enabled_is_silent_disabled_blocks() {
        let dir = directory();
        let mut f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        assert!(check(&f).is_empty());
        f.account.enabled = false;
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::AccountDisabled]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].remediation[0].starts_with("Enable-ADAccount -Identity 'CN=alice,OU=Staff"));
    }
}
