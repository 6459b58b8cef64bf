//! The password and lockout policy that applies to one user: the fine-grained policy
//! (msDS-ResultantPSO) when one applies and we have it, else the domain's.

use chrono::Duration;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::ad::time::interval;
use crate::directory::model::pwd_properties;
use crate::directory::{Directory, DirectoryUser};

/// Where the effective policy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    Domain,
    Pso(String),
}

impl PolicySource {
    /// The contract's `policy.source`: `domain` or `pso:<DN>`.
    pub fn label(&self) -> String {
        match self {
            PolicySource::Domain => "domain".to_string(),
            PolicySource::Pso(dn) => format!("pso:{dn}"),
        }
    }
}

/// The effective policy, raw intervals kept for the MS-ADTS lockout rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePolicy {
    pub source: PolicySource,
    /// Stored (negative) 100-ns interval.
    pub min_pwd_age_raw: i64,
    /// Stored (negative) 100-ns interval; `i64::MIN` = passwords never expire.
    pub max_pwd_age_raw: i64,
    pub pwd_history_length: u32,
    /// minPwdLength / msDS-MinimumPasswordLength; `None` when not read.
    pub min_pwd_length: Option<u32>,
    /// pwdProperties' DOMAIN_PASSWORD_COMPLEX / msDS-PasswordComplexityEnabled; `None` when not read.
    pub complexity: Option<bool>,
    pub lockout_threshold: u32,
    /// Stored (negative) 100-ns interval; `i64::MIN` = until an administrator unlocks.
    pub lockout_duration_raw: i64,
    /// msDS-ResultantPSO names a PSO that is not in the directory data (unreadable or not captured).
    pub unresolved_pso: Option<String>,
}

impl EffectivePolicy {
    pub fn for_user(directory: &Directory, user: &DirectoryUser) -> EffectivePolicy {
        if let Some(pso) = directory.password_settings_for(user) {
            return EffectivePolicy {
                source: PolicySource::Pso(pso.dn.clone()),
                min_pwd_age_raw: pso.min_pwd_age,
                max_pwd_age_raw: pso.max_pwd_age,
                pwd_history_length: pso.pwd_history_length,
                min_pwd_length: pso.min_pwd_length,
                complexity: pso.complexity,
                lockout_threshold: pso.lockout_threshold,
                lockout_duration_raw: pso.lockout_duration,
                unresolved_pso: None,
            };
        }
        let d = &directory.domain;
        EffectivePolicy {
            source: PolicySource::Domain,
            min_pwd_age_raw: d.min_pwd_age,
            max_pwd_age_raw: d.max_pwd_age,
            pwd_history_length: d.pwd_history_length,
            min_pwd_length: d.min_pwd_length,
            complexity: d.pwd_properties.map(|p| p & pwd_properties::COMPLEX != 0),
            lockout_threshold: d.lockout_threshold,
            lockout_duration_raw: d.lockout_duration,
            unresolved_pso: user.resultant_pso.clone(),
        }
    }

    /// `, length 7, complexity on` as the reports print it; empty when neither was read.
    pub fn length_and_complexity(&self) -> String {
        let mut s = String::new();
        if let Some(n) = self.min_pwd_length {
            s.push_str(&format!(", length {n}"));
        }
        if let Some(c) = self.complexity {
            s.push_str(if c { ", complexity on" } else { ", complexity off" });
        }
        s
    }

    /// The minimum password age; "forever" reads as zero because AD does not enforce it.
    pub fn min_pwd_age(&self) -> Duration {
        interval(self.min_pwd_age_raw).unwrap_or_else(Duration::zero)
    }

    /// What a new password must meet under this policy, as one sentence for a finding's text
    /// (writeback sets the password as a reset that honours length, complexity, history and the
    /// minimum age). Parts that were not read are left out rather than guessed.
    pub fn requirements(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match self.min_pwd_length {
            Some(n) if n > 0 => parts.push(format!("be at least {n} characters long")),
            _ => {}
        }
        if self.complexity == Some(true) {
            parts.push(
                "contain characters of three of the four kinds (upper case, lower case, digits, symbols) \
                 and not contain the account name or display name"
                    .to_string(),
            );
        }
        match self.pwd_history_length {
            0 => {}
            1 => parts.push("differ from the current password".to_string()),
            n => parts.push(format!("not be one of the last {n} passwords")),
        }
        let age = self.min_pwd_age();
        if age > Duration::zero() {
            parts.push(format!(
                "not replace a password set less than {} ago",
                human_duration(age)
            ));
        }
        let source = match &self.source {
            PolicySource::Domain => "the domain password policy".to_string(),
            PolicySource::Pso(dn) => format!("the password settings object {dn}"),
        };
        match parts.as_slice() {
            [] => format!(
                "Under {source} the new password has no length, complexity, history or age rule to meet."
            ),
            [one] => format!("Under {source} the new password must {one}."),
            [init @ .., last] => format!(
                "Under {source} the new password must {}, and {last}.",
                init.join(", ")
            ),
        }
    }
}

/// `1 day`, `2 days`, `12 hours`, `30 minutes`: the largest whole unit.
fn human_duration(d: Duration) -> String {
    let (n, unit) = if d.num_days() > 0 && d == Duration::days(d.num_days()) {
        (d.num_days(), "day")
    } else if d.num_hours() > 0 && d == Duration::hours(d.num_hours()) {
        (d.num_hours(), "hour")
    } else {
        (d.num_minutes().max(1), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The contract's `policy` section: the minimum age in seconds, the history, where the policy
/// comes from (`domain` or `pso:<DN>`), and length and complexity (`null` when not read).
impl Serialize for EffectivePolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut section = s.serialize_struct("PolicySection", 5)?;
        section.serialize_field("min_pwd_age_seconds", &self.min_pwd_age().num_seconds())?;
        section.serialize_field("pwd_history_length", &self.pwd_history_length)?;
        section.serialize_field("source", &self.source.label())?;
        section.serialize_field("min_pwd_length", &self.min_pwd_length)?;
        section.serialize_field("complexity", &self.complexity)?;
        section.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contoso::{directory, pso, user};

    #[test]
    fn pso_wins_over_domain() {
        let mut dir = directory();
        dir.password_settings.push(pso(
            "CN=Strict,CN=Password Settings Container,CN=System,DC=contoso,DC=test",
            2,
        ));
        let mut u = user("alice");
        u.resultant_pso =
            Some("cn=strict,CN=Password Settings Container,CN=System,DC=contoso,DC=test".into());
        let p = EffectivePolicy::for_user(&dir, &u);
        assert_eq!(
            p.source.label(),
            "pso:CN=Strict,CN=Password Settings Container,CN=System,DC=contoso,DC=test"
        );
        assert_eq!(p.min_pwd_age(), Duration::days(2));
        assert_eq!(p.unresolved_pso, None);
    }

    #[test]
    fn length_and_complexity_come_from_the_pso_or_the_domain_bits() {
        let mut dir = directory();
        dir.domain.min_pwd_length = Some(12);
        dir.domain.pwd_properties = Some(0x10); // lockout-admins bit only: complexity off
        let mut u = user("alice");
        let p = EffectivePolicy::for_user(&dir, &u);
        assert_eq!((p.min_pwd_length, p.complexity), (Some(12), Some(false)));
        dir.domain.pwd_properties = Some(0x11);
        assert_eq!(EffectivePolicy::for_user(&dir, &u).complexity, Some(true));
        let dn = "CN=Strict,CN=Password Settings Container,CN=System,DC=contoso,DC=test";
        let mut strict = pso(dn, 0);
        strict.min_pwd_length = Some(15);
        strict.complexity = Some(false);
        dir.password_settings.push(strict);
        u.resultant_pso = Some(dn.into());
        let p = EffectivePolicy::for_user(&dir, &u);
        assert_eq!((p.min_pwd_length, p.complexity), (Some(15), Some(false)));
    }

    #[test]
    fn requirements_name_each_rule_that_applies_and_only_those() {
        let dir = directory();
        let mut p = EffectivePolicy::for_user(&dir, &user("alice"));
        assert_eq!(
            p.requirements(),
            "Under the domain password policy the new password must be at least 7 characters long, contain \
             characters of three of the four kinds (upper case, lower case, digits, symbols) and not contain the \
             account name or display name, not be one of the last 24 passwords, and not replace a password set \
             less than 1 day ago."
        );
        p.complexity = Some(false);
        p.min_pwd_length = None;
        p.min_pwd_age_raw = 0;
        p.pwd_history_length = 1;
        p.source = PolicySource::Pso("CN=P,DC=x".into());
        assert_eq!(
            p.requirements(),
            "Under the password settings object CN=P,DC=x the new password must differ from the current password."
        );
        p.pwd_history_length = 0;
        assert!(p
            .requirements()
            .contains("has no length, complexity, history or age rule"));
        p.min_pwd_age_raw = -36_000_000_000; // one hour
        assert!(
            p.requirements().ends_with("less than 1 hour ago."),
            "{}",
            p.requirements()
        );
    }

    #[test]
    fn domain_policy_without_pso_and_unresolved_pso_is_reported() {
        let dir = directory();
        let mut u = user("alice");
        let p = EffectivePolicy::for_user(&dir, &u);
        assert_eq!(p.source, PolicySource::Domain);
        assert_eq!(p.min_pwd_age(), Duration::days(1));
        u.resultant_pso = Some("CN=Gone,DC=contoso,DC=test".into());
        let p = EffectivePolicy::for_user(&dir, &u);
        assert_eq!(p.source, PolicySource::Domain);
        assert_eq!(p.unresolved_pso.as_deref(), Some("CN=Gone,DC=contoso,DC=test"));
    }
}
