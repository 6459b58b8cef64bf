//! The live source: reads the domain, the connector account, users and the containers above them
//! from a domain controller over LDAP. Read-only: it only binds and searches.
//!
//! What it reads: the rootDSE (defaultNamingContext), the domain head (SID, password and lockout
//! policy, security descriptor), the NetBIOS name (CN=Partitions), AdminSDHolder's descriptor, the
//! password settings objects it may read, each container between a user and the domain head, the
//! users' attributes (model.rs), the connector account with its tokenGroups, and names for the
//! SIDs that appear in those descriptors. tokenGroups can only be read one object at a time (base
//! scope), so users looked up by name get them and users read in bulk do not.

mod entry;
mod session;

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use ldap3::{ldap_escape, Scope as LdapScope};

use self::entry::Entry;
use self::session::PagedSearch;
pub use self::session::Session;
use super::inheritance::dacl_protected;
use super::model::{
    ConnectorAccount, ConnectorLookup, Container, Directory, DirectoryUser, Domain, PasswordSettings,
    UserLookupError,
};
use super::{dn, DirectoryError};
use crate::security::descriptor::SecurityDescriptor;
use crate::security::{Guid, Sid};

/// Normal user accounts (SAM_USER_OBJECT): excludes computers, trusts and contacts; indexed in AD.
const USER_FILTER: &str = "(sAMAccountType=805306368)";

const USER_ATTRS: [&str; 17] = [
    "sAMAccountName",
    "userPrincipalName",
    "displayName",
    "mail",
    "objectGUID",
    "objectSid",
    "mS-DS-ConsistencyGuid",
    "userAccountControl",
    "msDS-User-Account-Control-Computed",
    "lockoutTime",
    "pwdLastSet",
    "badPwdCount",
    "adminCount",
    "memberOf",
    "msDS-ResultantPSO",
    "nTSecurityDescriptor",
    "whenChanged",
];

const DOMAIN_ATTRS: [&str; 8] = [
    "objectSid",
    "minPwdAge",
    "maxPwdAge",
    "pwdHistoryLength",
    "lockoutThreshold",
    "lockoutDuration",
    "lockOutObservationWindow",
    "nTSecurityDescriptor",
];

const PSO_ATTRS: [&str; 7] = [
    "msDS-PasswordSettingsPrecedence",
    "msDS-MinimumPasswordAge",
    "msDS-MaximumPasswordAge",
    "msDS-PasswordHistoryLength",
    "msDS-LockoutThreshold",
    "msDS-LockoutDuration",
    "msDS-LockoutObservationWindow",
];

/// SIDs per name-resolution search.
const NAME_BATCH: usize = 50;

/// What `--connector` is matched against when it is not given.
const CONNECTOR_PATTERN: &str = "MSOL_*";

/// A bound session plus what has been read so far (domain, connector, containers, names).
pub struct LiveReader {
    session: Session,
    /// Where user searches start: `--base-dn` or the domain head.
    base_dn: String,
    context: Directory,
    /// Lower-cased DNs of containers already read (or known not to exist).
    seen_containers: HashSet<String>,
    /// SIDs already looked up, found or not.
    seen_sids: HashSet<Sid>,
}

/// Users under a base, a page at a time, so a scan of 100,000 users holds one page in memory.
pub struct LiveUserPages {
    reader: LiveReader,
    search: PagedSearch,
    done: bool,
}

/// Everything `diagnose` needs for the users `queries` name, read over a bound session: the
/// domain, AdminSDHolder, PSOs, the connector, each user with tokenGroups, their containers and
/// the trustee names.
pub async fn read_users(
    session: &Session,
    base_dn: Option<&str>,
    connector: Option<&str>,
    queries: &[String],
) -> Result<Directory, DirectoryError> {
    let mut reader = LiveReader::open(session.clone(), base_dn, connector).await?;
    for q in queries {
        reader.add_user(q).await?;
    }
    Ok(reader.into_directory())
}

impl LiveReader {
    /// Reads the domain, AdminSDHolder, PSOs and the connector account over a bound session.
    pub async fn open(
        session: Session,
        base_dn: Option<&str>,
        connector: Option<&str>,
    ) -> Result<LiveReader, DirectoryError> {
        let root = session
            .read("", &["defaultNamingContext", "configurationNamingContext"])
            .await?
            .unwrap_or_default();
        let domain_dn = root
            .string("defaultNamingContext")
            .ok_or_else(|| DirectoryError::BadValue {
                dn: "rootDSE".into(),
                attr: "defaultNamingContext",
                reason: "missing (is this an Active Directory domain controller?)".into(),
            })?;
        let config_nc = root
            .string("configurationNamingContext")
            .unwrap_or_else(|| format!("CN=Configuration,{domain_dn}"));

        let head = session.read(&domain_dn, &DOMAIN_ATTRS).await?.ok_or_else(|| {
            session::ldap_result_error("read of the domain head", &domain_dn, 32, "no such object")
        })?;
        let domain = Domain {
            dn: head.dn.clone(),
            netbios_name: netbios_name(&session, &config_nc, &domain_dn).await?,
            sid: head.sid("objectSid")?.ok_or_else(|| DirectoryError::BadValue {
                dn: domain_dn.clone(),
                attr: "objectSid",
                reason: "missing".into(),
            })?,
            min_pwd_age: head.int("minPwdAge")?.unwrap_or(0),
            max_pwd_age: head.int("maxPwdAge")?.unwrap_or(0),
            pwd_history_length: head.int("pwdHistoryLength")?.unwrap_or(0),
            lockout_threshold: head.int("lockoutThreshold")?.unwrap_or(0),
            lockout_duration: head.int("lockoutDuration")?.unwrap_or(0),
            lockout_observation_window: head.int("lockOutObservationWindow")?.unwrap_or(0),
            security_descriptor: Some(head.descriptor().ok_or_else(|| {
                DirectoryError::CannotReadSecurityDescriptor {
                    dn: domain_dn.clone(),
                }
            })?),
            admin_sd_holder_descriptor: session
                .read(
                    &format!("CN=AdminSDHolder,CN=System,{domain_dn}"),
                    &["nTSecurityDescriptor"],
                )
                .await?
                .and_then(|e| e.descriptor()),
        };
        let password_settings = password_settings(&session, &domain_dn).await?;
        let mut reader = LiveReader {
            base_dn: base_dn.map_or_else(|| domain_dn.clone(), str::to_string),
            context: Directory {
                domain,
                connector: ConnectorLookup::NotFound {
                    wanted: CONNECTOR_PATTERN.into(),
                },
                containers: Vec::new(),
                password_settings,
                names: HashMap::new(),
                users: Vec::new(),
                source: session.url().to_string(),
                captured_at: Utc::now(),
            },
            session,
            seen_containers: HashSet::new(),
            seen_sids: HashSet::new(),
        };
        reader.context.connector = reader.find_connector(connector).await?;
        let mut sids: Vec<Sid> = Vec::new();
        if let Some(a) = reader.context.connector.account() {
            sids.push(a.sid.clone());
            sids.extend(a.token_groups.iter().cloned());
        }
        let domain = &reader.context.domain;
        for sd in [&domain.security_descriptor, &domain.admin_sd_holder_descriptor]
            .into_iter()
            .flatten()
        {
            sids.extend(trustees(sd));
        }
        reader.resolve_names(sids).await?;
        Ok(reader)
    }

    pub fn context(&self) -> &Directory {
        &self.context
    }

    pub fn into_directory(self) -> Directory {
        self.context
    }

    /// The one user `query` names (sAMAccountName, UPN, mail, DN, objectGUID or objectSid),
    /// with tokenGroups; added to the directory along with its containers and trustee names.
    pub async fn add_user(&mut self, query: &str) -> Result<(), DirectoryError> {
        let q = query.trim();
        let found = if q.contains('=') {
            self.session
                .search(q, LdapScope::Base, USER_FILTER, &USER_ATTRS)
                .await
                .or_else(|e| match e {
                    DirectoryError::Ldap { rc: 32 | 34, .. } => Ok(Vec::new()),
                    e => Err(e),
                })?
        } else {
            let filter = user_query_filter(q);
            let base = self.base_dn.clone();
            self.session
                .search(&base, LdapScope::Subtree, &filter, &USER_ATTRS)
                .await?
        };
        let mut users = found.iter().map(user_from_entry).collect::<Result<Vec<_>, _>>()?;
        let mut user = match users.len() {
            0 => return Err(UserLookupError::NotFound(q.to_string()).into()),
            1 => users.remove(0),
            _ => {
                return Err(UserLookupError::Ambiguous {
                    query: q.to_string(),
                    candidates: users.into_iter().map(|u| u.dn).collect(),
                }
                .into())
            }
        };
        user.token_groups = Some(self.token_groups(&user.dn).await?);
        self.complete(std::slice::from_ref(&user)).await?;
        self.context.users.push(user);
        Ok(())
    }

    /// Starts reading every user under `base` (default: the configured base), page by page.
    pub async fn user_pages(self, base: Option<&str>) -> Result<LiveUserPages, DirectoryError> {
        let base = base.map_or_else(|| self.base_dn.clone(), str::to_string);
        let search = self.session.paged(&base, USER_FILTER, &USER_ATTRS).await?;
        Ok(LiveUserPages {
            reader: self,
            search,
            done: false,
        })
    }

    /// Reads the containers above `users` and names the SIDs in their descriptors.
    async fn complete(&mut self, users: &[DirectoryUser]) -> Result<(), DirectoryError> {
        let mut sids = Vec::new();
        let domain_dn = self.context.domain.dn.clone();
        for user in users {
            for ancestor in dn::chain(&user.dn, &domain_dn).into_iter().skip(1) {
                if dn::same(ancestor, &domain_dn)
                    || !self.seen_containers.insert(ancestor.to_ascii_lowercase())
                {
                    continue;
                }
                let Some(entry) = self.session.read(ancestor, &["nTSecurityDescriptor"]).await? else {
                    continue;
                };
                let sd = entry
                    .descriptor()
                    .ok_or_else(|| DirectoryError::CannotReadSecurityDescriptor { dn: entry.dn.clone() })?;
                sids.extend(trustees(&sd));
                self.context.containers.push(Container {
                    dn: entry.dn.clone(),
                    dacl_protected: dacl_protected(&sd),
                    security_descriptor: Some(sd),
                });
            }
            if let Some(sd) = &user.security_descriptor {
                sids.extend(trustees(sd));
            }
            sids.extend(user.token_groups.iter().flatten().cloned());
        }
        self.resolve_names(sids).await
    }

    /// Looks up account names for SIDs of this forest's domains (`NETBIOS\name`); others keep
    /// their SID string (well-known SIDs are named by the security module).
    async fn resolve_names(&mut self, sids: impl IntoIterator<Item = Sid>) -> Result<(), DirectoryError> {
        let wanted: Vec<Sid> = sids
            .into_iter()
            .filter(|s| s.authority == 5 && s.sub_authorities.first() == Some(&21))
            .filter(|s| self.seen_sids.insert(s.clone()))
            .collect();
        let prefix = self
            .context
            .domain
            .netbios_name
            .clone()
            .unwrap_or_else(|| self.context.domain.dn.clone());
        let domain_dn = self.context.domain.dn.clone();
        for batch in wanted.chunks(NAME_BATCH) {
            let filter = format!(
                "(|{})",
                batch
                    .iter()
                    .map(|s| format!("(objectSid={})", escape_bytes(&s.to_bytes())))
                    .collect::<String>()
            );
            let found = self
                .session
                .search(
                    &domain_dn,
                    LdapScope::Subtree,
                    &filter,
                    &["sAMAccountName", "objectSid"],
                )
                .await?;
            for e in found {
                if let (Some(sid), Some(name)) = (e.sid("objectSid")?, e.string("sAMAccountName")) {
                    self.context.names.insert(sid, format!("{prefix}\\{name}"));
                }
            }
        }
        Ok(())
    }

    async fn token_groups(&mut self, dn: &str) -> Result<Vec<Sid>, DirectoryError> {
        Ok(match self.session.read(dn, &["tokenGroups"]).await? {
            Some(e) => e.sids("tokenGroups")?,
            None => Vec::new(),
        })
    }

    /// `--connector` (sAMAccountName, UPN, DN or SID), else the one account named MSOL_*.
    async fn find_connector(&mut self, wanted: Option<&str>) -> Result<ConnectorLookup, DirectoryError> {
        let attrs = ["sAMAccountName", "objectSid"];
        let domain_dn = self.context.domain.dn.clone();
        let wanted_label = wanted.unwrap_or(CONNECTOR_PATTERN).to_string();
        let entries = match wanted.map(str::trim) {
            Some(w) if w.contains('=') => self
                .session
                .search(w, LdapScope::Base, "(objectClass=user)", &attrs)
                .await
                .or_else(|e| match e {
                    DirectoryError::Ldap { rc: 32 | 34, .. } => Ok(Vec::new()),
                    e => Err(e),
                })?,
            Some(w) => {
                let filter = match w.parse::<Sid>() {
                    Ok(sid) => format!("(objectSid={})", escape_bytes(&sid.to_bytes())),
                    Err(_) => {
                        let v = ldap_escape(w);
                        format!("(&(objectClass=user)(|(sAMAccountName={v})(userPrincipalName={v})))")
                    }
                };
                self.session
                    .search(&domain_dn, LdapScope::Subtree, &filter, &attrs)
                    .await?
            }
            None => {
                let filter = format!("(&{USER_FILTER}(sAMAccountName={CONNECTOR_PATTERN}))");
                self.session
                    .search(&domain_dn, LdapScope::Subtree, &filter, &attrs)
                    .await?
            }
        };
        match entries.as_slice() {
            [] => Ok(ConnectorLookup::NotFound { wanted: wanted_label }),
            [e] => {
                let sid = e.sid("objectSid")?.ok_or_else(|| DirectoryError::BadValue {
                    dn: e.dn.clone(),
                    attr: "objectSid",
                    reason: "missing".into(),
                })?;
                let dn = e.dn.clone();
                let sam = e.string("sAMAccountName").unwrap_or_else(|| dn.clone());
                Ok(ConnectorLookup::Found(ConnectorAccount {
                    token_groups: self.token_groups(&dn).await?,
                    dn,
                    sam_account_name: sam,
                    sid,
                }))
            }
            many => Ok(ConnectorLookup::Ambiguous {
                candidates: many.iter().map(|e| e.dn.clone()).collect(),
            }),
        }
    }
}

impl LiveUserPages {
    /// The next page of users (with their containers and names added to [`Self::context`]), or
    /// `None` when all were read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<DirectoryUser>>, DirectoryError> {
        if self.done {
            return Ok(None);
        }
        let mut page = Vec::new();
        while page.len() < session::PAGE_SIZE as usize {
            match self.search.next().await? {
                Some(e) => page.push(user_from_entry(&e)?),
                None => {
                    self.done = true;
                    break;
                }
            }
        }
        if page.is_empty() {
            return Ok(None);
        }
        self.reader.complete(&page).await?;
        Ok(Some(page))
    }

    /// The domain, connector, containers and names read so far (no users).
    pub fn context(&self) -> &Directory {
        self.reader.context()
    }

    pub fn into_context(self) -> Directory {
        self.reader.into_directory()
    }
}

/// The filter for a user query that is not a DN: exact matches on the name attributes, plus the
/// binary GUID/SID forms when the query parses as one.
fn user_query_filter(q: &str) -> String {
    let v = ldap_escape(q);
    let mut alternatives = format!("(sAMAccountName={v})(userPrincipalName={v})(mail={v})");
    if let Ok(g) = q.trim_matches(['{', '}']).parse::<Guid>() {
        alternatives.push_str(&format!("(objectGUID={})", escape_bytes(&g.to_bytes())));
    }
    if let Ok(s) = q.parse::<Sid>() {
        alternatives.push_str(&format!("(objectSid={})", escape_bytes(&s.to_bytes())));
    }
    format!("(&{USER_FILTER}(|{alternatives}))")
}

/// A binary value as an LDAP filter literal (`\01\05...`).
fn escape_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// The SIDs a descriptor names (owner, group, ACE trustees); empty if it does not parse (the
/// diagnosis reports that).
fn trustees(sd: &[u8]) -> Vec<Sid> {
    let Ok(parsed) = SecurityDescriptor::parse(sd) else {
        return Vec::new();
    };
    let aces = parsed
        .dacl
        .iter()
        .flat_map(|acl| acl.aces.iter().filter_map(|a| a.sid.clone()));
    parsed.owner.into_iter().chain(parsed.group).chain(aces).collect()
}

fn user_from_entry(e: &Entry) -> Result<DirectoryUser, DirectoryError> {
    Ok(DirectoryUser {
        dn: e.dn.clone(),
        sam_account_name: e
            .string("sAMAccountName")
            .ok_or_else(|| DirectoryError::BadValue {
                dn: e.dn.clone(),
                attr: "sAMAccountName",
                reason: "missing".into(),
            })?,
        user_principal_name: e.string("userPrincipalName"),
        display_name: e.string("displayName"),
        mail: e.string("mail"),
        object_guid: e.guid("objectGUID")?,
        object_sid: e.sid("objectSid")?,
        consistency_guid: e.guid("mS-DS-ConsistencyGuid")?,
        user_account_control: e.flags("userAccountControl")?.unwrap_or(0),
        uac_computed: e.flags("msDS-User-Account-Control-Computed")?,
        lockout_time: e.int("lockoutTime")?.unwrap_or(0),
        pwd_last_set: e.int("pwdLastSet")?,
        bad_pwd_count: e.int("badPwdCount")?,
        admin_count: e.int("adminCount")?,
        member_of: e.strings("memberOf"),
        token_groups: None,
        resultant_pso: e.string("msDS-ResultantPSO"),
        security_descriptor: Some(
            e.descriptor()
                .ok_or_else(|| DirectoryError::CannotReadSecurityDescriptor { dn: e.dn.clone() })?,
        ),
        when_changed: e.generalized_time("whenChanged")?,
    })
}

async fn netbios_name(
    session: &Session,
    config_nc: &str,
    domain_dn: &str,
) -> Result<Option<String>, DirectoryError> {
    let filter = format!("(&(objectClass=crossRef)(nCName={}))", ldap_escape(domain_dn));
    let found = session
        .search(
            &format!("CN=Partitions,{config_nc}"),
            LdapScope::OneLevel,
            &filter,
            &["nETBIOSName"],
        )
        .await;
    match found {
        Ok(entries) => Ok(entries.iter().find_map(|e| e.string("nETBIOSName"))),
        // Not readable or not there: names fall back to the domain DN.
        Err(DirectoryError::Ldap { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The fine-grained password policies the bind account may read (none is fine).
async fn password_settings(
    session: &Session,
    domain_dn: &str,
) -> Result<Vec<PasswordSettings>, DirectoryError> {
    let base = format!("CN=Password Settings Container,CN=System,{domain_dn}");
    let entries = match session
        .search(
            &base,
            LdapScope::OneLevel,
            "(objectClass=msDS-PasswordSettings)",
            &PSO_ATTRS,
        )
        .await
    {
        Ok(v) => v,
        Err(DirectoryError::Ldap { .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    entries
        .iter()
        .map(|e| {
            Ok(PasswordSettings {
                dn: e.dn.clone(),
                precedence: e.int("msDS-PasswordSettingsPrecedence")?.unwrap_or(u32::MAX),
                min_pwd_age: e.int("msDS-MinimumPasswordAge")?.unwrap_or(0),
                max_pwd_age: e.int("msDS-MaximumPasswordAge")?.unwrap_or(0),
                pwd_history_length: e.int("msDS-PasswordHistoryLength")?.unwrap_or(0),
                lockout_threshold: e.int("msDS-LockoutThreshold")?.unwrap_or(0),
                lockout_duration: e.int("msDS-LockoutDuration")?.unwrap_or(0),
                lockout_observation_window: e.int("msDS-LockoutObservationWindow")?.unwrap_or(0),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_filters_escape_and_add_binary_forms() {
        let f = user_query_filter("a*b)(x");
        assert!(f.contains(r"(sAMAccountName=a\2ab\29\28x)"), "{f}");
        assert!(!f.contains("objectGUID") && !f.contains("objectSid"));
        let f = user_query_filter("S-1-5-21-1-2-3-1104");
        assert!(f.contains(r"(objectSid=\01\05\00\00\00\00\00\05\15\00"), "{f}");
        let f = user_query_filter("{c0ffee00-1111-2222-3333-444455556666}");
        assert!(
            f.contains(r"(objectGUID=\00\ee\ff\c0\11\11\22\22\33\33\44\44\55\55\66\66)"),
            "{f}"
        );
    }

    #[test]
    fn a_user_without_a_descriptor_is_a_rights_error() {
        let e = Entry::with("CN=A,DC=x", &[("sAMAccountName", b"a")]);
        let err = user_from_entry(&e).unwrap_err();
        assert!(matches!(err, DirectoryError::CannotReadSecurityDescriptor { .. }));
        assert!(err.to_string().contains("READ_CONTROL"), "{err}");
    }
}
