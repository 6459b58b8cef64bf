//! What resetlens knows about the directory: one domain, its connector account, the containers
//! above users (for inheritance), password settings objects and users. Filled by the live LDAP
//! source or a snapshot; read by the diagnosis and the views. Raw values are kept as AD stores
//! them (FILETIME ticks, binary security descriptors) and decoded where they are used, so a
//! snapshot holds exactly what the DC returned.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ad::dn;
use crate::ad::time::to_interval;
use crate::security::{Guid, Sid};

/// userAccountControl / msDS-User-Account-Control-Computed bits the diagnosis reads.
pub mod uac {
    pub const ACCOUNTDISABLE: u32 = 0x2;
    pub const LOCKOUT: u32 = 0x10;
    pub const PASSWD_NOTREQD: u32 = 0x20;
    pub const NORMAL_ACCOUNT: u32 = 0x200;
    pub const INTERDOMAIN_TRUST_ACCOUNT: u32 = 0x800;
    pub const WORKSTATION_TRUST_ACCOUNT: u32 = 0x1000;
    pub const SERVER_TRUST_ACCOUNT: u32 = 0x2000;
    pub const DONT_EXPIRE_PASSWORD: u32 = 0x10000;
    pub const SMARTCARD_REQUIRED: u32 = 0x40000;
    pub const PASSWORD_EXPIRED: u32 = 0x80_0000;
}

/// pwdProperties bits of the domain head.
pub mod pwd_properties {
    /// DOMAIN_PASSWORD_COMPLEX: passwords must meet the complexity rules.
    pub const COMPLEX: u32 = 0x1;
}

/// A user object, with the attributes writeback diagnosis needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryUser {
    pub dn: String,
    pub sam_account_name: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub object_guid: Option<Guid>,
    pub object_sid: Option<Sid>,
    /// mS-DS-ConsistencyGuid, the usual source anchor.
    pub consistency_guid: Option<Guid>,
    pub user_account_control: u32,
    /// msDS-User-Account-Control-Computed (constructed; the reliable LOCKOUT / PASSWORD_EXPIRED bits).
    pub uac_computed: Option<u32>,
    /// FILETIME ticks; 0 = not locked.
    pub lockout_time: i64,
    /// FILETIME ticks; 0 = must change at next logon; `None` if absent.
    pub pwd_last_set: Option<i64>,
    pub bad_pwd_count: Option<u32>,
    pub admin_count: Option<u32>,
    /// Direct group memberships (DNs).
    pub member_of: Vec<String>,
    /// Transitive group SIDs (tokenGroups), when they were read. Used for protected-group membership.
    pub token_groups: Option<Vec<Sid>>,
    /// msDS-ResultantPSO: the DN of the password settings object that applies, if any.
    pub resultant_pso: Option<String>,
    /// nTSecurityDescriptor (owner, group, DACL), self-relative binary. Shared because many users
    /// carry byte-identical descriptors and a 100k-user snapshot dedups them.
    #[serde(skip)]
    pub security_descriptor: Option<Arc<[u8]>>,
    pub when_changed: Option<DateTime<Utc>>,
    /// adminDescription, which selective password hash sync scopes users by (`PHSFiltered` takes
    /// a user out; in the include mode only `PHSIncluded` users are in). Absent in older snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_description: Option<String>,
}

/// A container or OU above users: only whether its DACL is protected matters (it stops ACEs
/// inherited from the domain root), plus its descriptor for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub dn: String,
    pub dacl_protected: bool,
    #[serde(skip)]
    pub security_descriptor: Option<Arc<[u8]>>,
}

/// The domain head: its SID, password and lockout policy (raw intervals) and its DACL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    pub dn: String,
    /// NetBIOS name for trustee display (`CONTOSO\MSOL_...`), when known.
    pub netbios_name: Option<String>,
    pub sid: Sid,
    /// Negative 100-ns intervals as stored.
    pub min_pwd_age: i64,
    pub max_pwd_age: i64,
    pub pwd_history_length: u32,
    pub lockout_threshold: u32,
    pub lockout_duration: i64,
    pub lockout_observation_window: i64,
    /// minPwdLength; `None` when not read (older snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pwd_length: Option<u32>,
    /// pwdProperties bits (`pwd_properties::COMPLEX`); `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pwd_properties: Option<u32>,
    #[serde(skip)]
    pub security_descriptor: Option<Arc<[u8]>>,
    /// CN=AdminSDHolder,CN=System,<domain>: the DACL SDProp stamps on protected accounts.
    #[serde(skip)]
    pub admin_sd_holder_descriptor: Option<Arc<[u8]>>,
}

impl Domain {
    /// A domain with the Default Domain Policy a new AD forest gets (minimum age 1 day, maximum
    /// 42 days, history 24, at least 7 characters, complexity on, lockout after 5 bad passwords for
    /// 30 minutes; the demo tenant's and the
    /// test domains' policy) and no descriptors read.
    pub fn with_default_policy(dn: &str, netbios_name: &str, sid: Sid) -> Domain {
        Domain {
            dn: dn.to_string(),
            netbios_name: Some(netbios_name.to_string()),
            sid,
            min_pwd_age: to_interval(Duration::days(1)),
            max_pwd_age: to_interval(Duration::days(42)),
            pwd_history_length: 24,
            lockout_threshold: 5,
            lockout_duration: to_interval(Duration::minutes(30)),
            lockout_observation_window: to_interval(Duration::minutes(30)),
            min_pwd_length: Some(7),
            pwd_properties: Some(pwd_properties::COMPLEX),
            security_descriptor: None,
            admin_sd_holder_descriptor: None,
        }
    }
}

/// A fine-grained password policy (msDS-PasswordSettings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordSettings {
    pub dn: String,
    pub precedence: u32,
    pub min_pwd_age: i64,
    pub max_pwd_age: i64,
    pub pwd_history_length: u32,
    pub lockout_threshold: u32,
    pub lockout_duration: i64,
    pub lockout_observation_window: i64,
    /// msDS-MinimumPasswordLength; `None` when not read (older snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pwd_length: Option<u32>,
    /// msDS-PasswordComplexityEnabled; `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<bool>,
}

/// What writeback's SAM calls (NetUserGetInfo) read besides the user (field cause C4): the
/// samServer object, the Builtin domain, and whether Authenticated Users is a member of
/// Pre-Windows 2000 Compatible Access. Each `None` means not read (an older snapshot, or the bind
/// account could not read it), never "no access".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SamObjects {
    /// `CN=Server,CN=System,<domain>` (objectClass samServer).
    pub sam_server_descriptor: Option<Arc<[u8]>>,
    /// `CN=Builtin,<domain>`.
    pub builtin_descriptor: Option<Arc<[u8]>>,
    pub pre_windows_2000: Option<PreWindows2000>,
}

/// The group Pre-Windows 2000 Compatible Access (S-1-5-32-554), found by its SID (its name is
/// localized), and whether Authenticated Users (the foreign security principal S-1-5-11) is a
/// member. Decided by the DC with a member filter, so a large, range-limited member list cannot
/// hide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreWindows2000 {
    pub dn: String,
    pub authenticated_users_member: bool,
}

/// `CN=Server,CN=System,<domain>`, the samServer object.
pub fn sam_server_dn(domain_dn: &str) -> String {
    format!("CN=Server,CN=System,{domain_dn}")
}

/// `CN=Builtin,<domain>`.
pub fn builtin_dn(domain_dn: &str) -> String {
    format!("CN=Builtin,{domain_dn}")
}

/// Authenticated Users as a member of a group: its foreign security principal object.
pub fn authenticated_users_fsp_dn(domain_dn: &str) -> String {
    format!("CN=S-1-5-11,CN=ForeignSecurityPrincipals,{domain_dn}")
}

/// The AD DS connector account Entra Connect writes passwords with, or the Cloud Sync agent's gMSA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorAccount {
    pub dn: String,
    pub sam_account_name: String,
    pub sid: Sid,
    /// Transitive group SIDs (tokenGroups).
    pub token_groups: Vec<Sid>,
}

/// The outcome of looking for the connector account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ConnectorLookup {
    Found(ConnectorAccount),
    /// Nothing matched what was asked (`--connector`, or no MSOL_* account).
    NotFound {
        wanted: String,
    },
    /// Several MSOL_* accounts and no `--connector` to choose.
    Ambiguous {
        candidates: Vec<String>,
    },
}

impl ConnectorLookup {
    pub fn account(&self) -> Option<&ConnectorAccount> {
        match self {
            ConnectorLookup::Found(a) => Some(a),
            _ => None,
        }
    }
}

/// Everything read from one domain. A live diagnosis fills it with one user; a snapshot with all.
#[derive(Debug, Clone, PartialEq)]
pub struct Directory {
    pub domain: Domain,
    pub connector: ConnectorLookup,
    /// The Entra Cloud Sync agent's gMSA (`provAgentgMSA$`, or a gMSA named by `--connector`),
    /// which writes passwords back too; `None` when there is none (or it was not looked for).
    pub cloud_sync: Option<ConnectorAccount>,
    pub containers: Vec<Container>,
    pub password_settings: Vec<PasswordSettings>,
    pub sam: SamObjects,
    /// Display names for SIDs seen in ACEs and token groups (`CONTOSO\Helpdesk`).
    pub names: HashMap<Sid, String>,
    pub users: Vec<DirectoryUser>,
    /// Where this came from, for status lines: an LDAP URL or a snapshot path.
    pub source: String,
    pub captured_at: DateTime<Utc>,
}

/// Why `Directory::find_user` found nobody, or too many.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserLookupError {
    #[error(
        "no user matches '{0}' (tried sAMAccountName, userPrincipalName, mail, DN, objectGUID, objectSid)"
    )]
    NotFound(String),
    #[error("'{query}' matches {} users: {}", candidates.len(), candidates.join("; "))]
    Ambiguous { query: String, candidates: Vec<String> },
}

impl DirectoryUser {
    /// Whether `query` names this user exactly (case-insensitive), in any of the contract's forms.
    pub fn matches_exactly(&self, query: &str) -> bool {
        let q = query.trim();
        let eq = |v: &Option<String>| v.as_deref().is_some_and(|v| dn::eq_ignore_case(v, q));
        dn::eq_ignore_case(&self.sam_account_name, q)
            || eq(&self.user_principal_name)
            || eq(&self.mail)
            || dn::same(&self.dn, q)
            || self
                .object_guid
                .is_some_and(|g| g.to_string().eq_ignore_ascii_case(q.trim_matches(['{', '}'])))
            || self
                .object_sid
                .as_ref()
                .is_some_and(|s| s.to_string().eq_ignore_ascii_case(q))
    }
}

impl Directory {
    /// The one user `query` names (contract: exact, case-insensitive, several forms).
    pub fn find_user(&self, query: &str) -> Result<&DirectoryUser, UserLookupError> {
        let mut hits = self.users.iter().filter(|u| u.matches_exactly(query));
        let first = hits
            .next()
            .ok_or_else(|| UserLookupError::NotFound(query.to_string()))?;
        let rest: Vec<&DirectoryUser> = hits.collect();
        if rest.is_empty() {
            return Ok(first);
        }
        Err(UserLookupError::Ambiguous {
            query: query.to_string(),
            candidates: std::iter::once(first).chain(rest).map(|u| u.dn.clone()).collect(),
        })
    }

    /// The containers between `user` and the domain root, nearest first (known ones only).
    pub fn ancestors_of(&self, user_dn: &str) -> Vec<&Container> {
        dn::chain(user_dn, &self.domain.dn)
            .into_iter()
            .skip(1)
            .filter_map(|a| self.containers.iter().find(|c| dn::same(&c.dn, a)))
            .collect()
    }

    /// The PSO that applies to `user`, if msDS-ResultantPSO names one we have.
    pub fn password_settings_for(&self, user: &DirectoryUser) -> Option<&PasswordSettings> {
        let pso = user.resultant_pso.as_deref()?;
        self.password_settings.iter().find(|p| dn::same(&p.dn, pso))
    }

    /// A display name for `sid`: the known account name, else the SID string.
    pub fn name_of(&self, sid: &Sid) -> String {
        self.names.get(sid).cloned().unwrap_or_else(|| sid.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::synthetic;

    #[test]
    fn default_policy_is_ads_as_stored() {
        let d = Domain::with_default_policy("DC=x", "X", "S-1-5-21-1-2-3".parse().unwrap());
        assert_eq!(d.min_pwd_age, -864_000_000_000);
        assert_eq!(d.max_pwd_age, -36_288_000_000_000);
        assert_eq!(d.lockout_duration, -18_000_000_000);
        assert_eq!(d.lockout_observation_window, -18_000_000_000);
        assert_eq!((d.pwd_history_length, d.lockout_threshold), (24, 5));
    }

    #[test]
    fn find_user_matches_each_identifier_ignoring_case_in_any_script() {
        let mut dir = synthetic::directory(3);
        dir.users[1].sam_account_name = "jörg".into();
        assert_eq!(
            dir.find_user("JÖRG").map(|u| u.dn.as_str()),
            Ok(dir.users[1].dn.as_str())
        );
        assert_eq!(
            dir.find_user("USER0@contoso.TEST")
                .map(|u| u.sam_account_name.as_str()),
            Ok("user0")
        );
        let dn = dir.users[2].dn.to_uppercase();
        assert_eq!(
            dir.find_user(&dn).map(|u| u.sam_account_name.as_str()),
            Ok("user2")
        );
        assert!(matches!(dir.find_user("jorg"), Err(UserLookupError::NotFound(_))));
        dir.users[0].mail = Some("Jörg@contoso.test".into());
        dir.users[1].mail = Some("jörg@contoso.test".into());
        assert!(matches!(
            dir.find_user("JÖRG@contoso.test"),
            Err(UserLookupError::Ambiguous { candidates, .. }) if candidates.len() == 2
        ));
    }
}
