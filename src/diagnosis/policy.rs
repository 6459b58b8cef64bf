//! The password and lockout policy that applies to one user: the fine-grained policy
//! (msDS-ResultantPSO) when one applies and we have it, else the domain's.

use chrono::Duration;

use crate::directory::time::interval;
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
    pub pwd_history_length: u32,
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
                pwd_history_length: pso.pwd_history_length,
                lockout_threshold: pso.lockout_threshold,
                lockout_duration_raw: pso.lockout_duration,
                unresolved_pso: None,
            };
        }
        let d = &directory.domain;
        EffectivePolicy {
            source: PolicySource::Domain,
            min_pwd_age_raw: d.min_pwd_age,
            pwd_history_length: d.pwd_history_length,
            lockout_threshold: d.lockout_threshold,
            lockout_duration_raw: d.lockout_duration,
            unresolved_pso: user.resultant_pso.clone(),
        }
    }

    /// The minimum password age; "forever" reads as zero because AD does not enforce it.
    pub fn min_pwd_age(&self) -> Duration {
        interval(self.min_pwd_age_raw).unwrap_or_else(Duration::zero)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::testing::{directory, pso, user};

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
