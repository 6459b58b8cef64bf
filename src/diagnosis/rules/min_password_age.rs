//! `min-password-age`: Entra Connect sends the policy-hints control, so a writeback reset obeys the
//! minimum password age like a user's own change: it fails while pwdLastSet + the effective
//! minPwdAge (the PSO's when one applies) is still ahead of the evaluated instant.

use super::when;
use crate::ad::time::human_duration;
use crate::diagnosis::facts::Facts;
use crate::diagnosis::fix::{fqdn, ps};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::policy::PolicySource;
use crate::diagnosis::FindingCode;

pub fn check(f: &Facts) -> Vec<Finding> {
    let min_age = f.policy.min_pwd_age();
    let Some(set) = f.account.pwd_last_set_instant() else {
        return vec![];
    };
    let earliest = set + min_age;
    if min_age.is_zero() || f.at < set || f.at >= earliest {
        return vec![];
    }
    let fix_policy = match &f.policy.source {
        PolicySource::Domain => format!(
            "Set-ADDefaultDomainPasswordPolicy -Identity {} -MinPasswordAge 0",
            ps(&fqdn(&f.directory.domain.dn))
        ),
        PolicySource::Pso(dn) => format!(
            "Set-ADFineGrainedPasswordPolicy -Identity {} -MinPasswordAge 0",
            ps(dn)
        ),
    };
    vec![Finding::new(
        FindingCode::MinPasswordAge,
        Severity::Blocker,
        "The password is younger than the minimum password age",
    )
    .detail(format!(
        "The password was set {} before {}, and the policy requires {} between changes. Writeback resets \
         obey this (event 33008, hr=0x80230619) until {}.",
        human_duration(f.at - set),
        f.at_source.label(),
        human_duration(min_age),
        when(earliest)
    ))
    .evidence(format!("pwdLastSet = {}", when(set)))
    .evidence(format!(
        "minimum password age = {} (source: {})",
        human_duration(min_age),
        f.policy.source.label()
    ))
    .evidence(format!(
        "evaluated at {} ({})",
        when(f.at),
        f.at_source.describe()
    ))
    .evidence(format!("earliest possible reset: {}", when(earliest)))
    .note(format!(
        "Wait until {} and reset again, or set the minimum age to 0 as Microsoft recommends with writeback ({}):",
        when(earliest),
        f.policy.source.label()
    ))
    .fix(fix_policy)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::time::to_filetime;
    use crate::diagnosis::account::AccountState;
    use crate::diagnosis::policy::EffectivePolicy;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts, pso, ts};

    #[test]
    fn old_enough_password_is_silent() {
        // pwdLastSet 2026-11-01, one day minimum: long past.
        let dir = directory();
        assert!(check(&facts(&dir, &[], "2026-11-24T08:00:00Z")).is_empty());
    }

    #[test]
    fn young_password_blocks_with_pso_age_and_names_the_pso() {
        let mut dir = directory();
        let pso_dn = "CN=Strict,CN=Password Settings Container,CN=System,DC=contoso,DC=test";
        dir.password_settings.push(pso(pso_dn, 2));
        dir.users[0].resultant_pso = Some(pso_dn.into());
        dir.users[0].pwd_last_set = Some(to_filetime(ts("2026-11-23T09:00:00Z")));
        let mut f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        f.policy = EffectivePolicy::for_user(&dir, f.user);
        f.account = AccountState::at(f.user, &f.policy, f.at, true);
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::MinPasswordAge]);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.contains("2026-11-25 09:00:00 UTC")));
        assert!(
            out[0].remediation[1].contains(&format!("Set-ADFineGrainedPasswordPolicy -Identity '{pso_dn}'"))
        );
        // Same password, domain policy of one day: old enough at 09:00 the next day.
        f.policy = EffectivePolicy::for_user(&directory(), f.user);
        f.policy.source = PolicySource::Domain;
        f.policy.min_pwd_age_raw = -864_000_000_000;
        f.at = ts("2026-11-24T09:00:00Z");
        assert!(check(&f).is_empty());
    }
}
