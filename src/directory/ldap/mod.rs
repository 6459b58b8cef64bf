//! The live source: reads the domain, the connector account, users and the containers above them
//! from a domain controller over LDAP. Read-only: it only binds and searches.
//!
//! What it reads: the rootDSE (defaultNamingContext), the domain head (SID, password and lockout
//! policy, security descriptor), the NetBIOS name (CN=Partitions), AdminSDHolder's descriptor, the
//! samServer and Builtin descriptors and Pre-Windows 2000 Compatible Access (what writeback's SAM
//! calls read), the password settings objects it may read, each container between a user and the domain head, the
//! users' attributes (model.rs), the connector account and the Cloud Sync gMSA (provAgentgMSA$)
//! with their tokenGroups, and names for the
//! SIDs that appear in those descriptors. tokenGroups can only be read one object at a time (base
//! scope), so users looked up by name get them and users read in bulk do not.
//!
//! Reads that do not depend on each other are sent together over the one connection (ldap3
//! multiplexes them; each stays bounded by the timeout), and sets of objects (containers, SIDs
//! to name) are fetched with one OR-filter search rather than one read each. One user named on
//! the command line costs four round trips after the bind: the rootDSE; the domain's objects,
//! the connector and the user's search; the user's tokenGroups and containers; the names.

mod entry;
mod fanout;
mod session;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use futures::future::try_join_all;
use ldap3::{ldap_escape, Scope as LdapScope};

use self::entry::Entry;
use self::fanout::FannedEntries;
pub use self::fanout::Fanout;
pub use self::session::Session;
use super::inheritance::dacl_protected;
use super::model::{
    authenticated_users_fsp_dn, builtin_dn, sam_server_dn, ConnectorAccount, ConnectorLookup, Container,
    Directory, DirectoryUser, Domain, PasswordSettings, PreWindows2000, SamObjects, UserLookupError,
};
use super::DirectoryError;
use crate::ad::dn;
use crate::security::descriptor::SecurityDescriptor;
use crate::security::{Guid, Sid};

/// Normal user accounts (SAM_USER_OBJECT): excludes computers, trusts and contacts; indexed in AD.
const USER_FILTER: &str = "(sAMAccountType=805306368)";

const USER_ATTRS: [&str; 18] = [
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
    "adminDescription",
];

const DOMAIN_ATTRS: [&str; 10] = [
    "objectSid",
    "minPwdLength",
    "pwdProperties",
    "minPwdAge",
    "maxPwdAge",
    "pwdHistoryLength",
    "lockoutThreshold",
    "lockoutDuration",
    "lockOutObservationWindow",
    "nTSecurityDescriptor",
];

const PSO_ATTRS: [&str; 9] = [
    "msDS-PasswordSettingsPrecedence",
    "msDS-MinimumPasswordAge",
    "msDS-MaximumPasswordAge",
    "msDS-PasswordHistoryLength",
    "msDS-LockoutThreshold",
    "msDS-LockoutDuration",
    "msDS-LockoutObservationWindow",
    "msDS-MinimumPasswordLength",
    "msDS-PasswordComplexityEnabled",
];

/// Values per OR filter (SIDs to name, containers to read); larger sets take several searches,
/// sent together.
const BATCH: usize = 50;

/// What `--connector` is matched against when it is not given.
const CONNECTOR_PATTERN: &str = "MSOL_*";

/// The gMSA the Entra Cloud Sync agent creates and writes passwords back with.
const CLOUD_SYNC_GMSA: &str = "provAgentgMSA$";
/// Its object class (a gMSA named by `--connector` is taken as Cloud Sync's).
const GMSA_CLASS: &str = "msDS-GroupManagedServiceAccount";

/// What the rootDSE says about the domain this DC serves.
struct RootDse {
    domain_dn: String,
    config_nc: String,
}

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

/// Users under a base, a batch at a time (read over several connections, in the order one paged
/// search gives), so a scan of 100,000 users holds a few batches in memory.
pub struct LiveUserPages {
    reader: LiveReader,
    users: FannedEntries,
}

/// Everything `diagnose` needs for the users `queries` name, read over a bound session: the
/// domain, AdminSDHolder, PSOs, the connector, each user with tokenGroups, their containers and
/// the trustee names. Four round trips deep: the rootDSE; the domain's objects and the users'
/// searches together; tokenGroups and containers; the names.
pub async fn read_users(
    session: &Session,
    base_dn: Option<&str>,
    connector: Option<&str>,
    queries: &[String],
) -> Result<Directory, DirectoryError> {
    let root = read_root(session).await?;
    let base = base_dn.unwrap_or(&root.domain_dn);
    let (context, found) = tokio::try_join!(
        read_context(session, &root, connector),
        try_join_all(
            queries
                .iter()
                .map(|q| read_named_user(session, base, &root.domain_dn, q))
        ),
    )?;
    let mut reader = LiveReader::new(session.clone(), base, context);
    let mut sids = reader.context_sids();
    for (user, containers) in found {
        sids.extend(reader.add_containers(containers));
        sids.extend(user_sids(&user));
        reader.context.users.push(user);
    }
    reader.resolve_names(sids).await?;
    Ok(reader.into_directory())
}

impl LiveReader {
    /// Reads the domain, AdminSDHolder, PSOs and the connector account (at once) over a bound
    /// session, and names their trustees.
    pub async fn open(
        session: Session,
        base_dn: Option<&str>,
        connector: Option<&str>,
    ) -> Result<LiveReader, DirectoryError> {
        let root = read_root(&session).await?;
        let context = read_context(&session, &root, connector).await?;
        let base = base_dn.unwrap_or(&root.domain_dn).to_string();
        let mut reader = LiveReader::new(session, &base, context);
        reader.resolve_names(reader.context_sids()).await?;
        Ok(reader)
    }

    fn new(session: Session, base_dn: &str, context: Directory) -> LiveReader {
        LiveReader {
            session,
            base_dn: base_dn.to_string(),
            context,
            seen_containers: HashSet::new(),
            seen_sids: HashSet::new(),
        }
    }

    pub fn context(&self) -> &Directory {
        &self.context
    }

    pub fn into_directory(self) -> Directory {
        self.context
    }

    /// Starts reading every user under `base` (default: the configured base), batch by batch.
    pub async fn user_pages(self, base: Option<&str>) -> Result<LiveUserPages, DirectoryError> {
        self.user_pages_with(base, Fanout::default()).await
    }

    /// [`Self::user_pages`] spread over connections as `fanout` says.
    pub async fn user_pages_with(
        self,
        base: Option<&str>,
        fanout: Fanout,
    ) -> Result<LiveUserPages, DirectoryError> {
        let base = base.map_or_else(|| self.base_dn.clone(), str::to_string);
        let users = FannedEntries::start(&self.session, &base, USER_FILTER, &USER_ATTRS, fanout).await?;
        Ok(LiveUserPages { reader: self, users })
    }

    /// The SIDs of the domain's and AdminSDHolder's trustees and of the connector account.
    fn context_sids(&self) -> Vec<Sid> {
        let mut sids: Vec<Sid> = Vec::new();
        for a in self
            .context
            .connector
            .account()
            .into_iter()
            .chain(&self.context.cloud_sync)
        {
            sids.push(a.sid.clone());
            sids.extend(a.token_groups.iter().cloned());
        }
        let domain = &self.context.domain;
        let sam = &self.context.sam;
        for sd in [
            &domain.security_descriptor,
            &domain.admin_sd_holder_descriptor,
            &sam.sam_server_descriptor,
            &sam.builtin_descriptor,
        ]
        .into_iter()
        .flatten()
        {
            sids.extend(trustees(sd));
        }
        sids
    }

    /// Adds the containers not known yet; returns their trustees.
    fn add_containers(&mut self, containers: Vec<Container>) -> Vec<Sid> {
        let mut sids = Vec::new();
        for c in containers {
            if self.seen_containers.insert(c.dn.to_ascii_lowercase()) {
                sids.extend(c.security_descriptor.iter().flat_map(|sd| trustees(sd)));
                self.context.containers.push(c);
            }
        }
        sids
    }

    /// Reads the containers above `users` not read yet and names the SIDs in their descriptors.
    async fn complete(&mut self, users: &[DirectoryUser]) -> Result<(), DirectoryError> {
        let domain_dn = self.context.domain.dn.clone();
        let mut wanted: Vec<&str> = Vec::new();
        for user in users {
            for ancestor in ancestors(&user.dn, &domain_dn) {
                if self.seen_containers.insert(ancestor.to_ascii_lowercase()) {
                    wanted.push(ancestor);
                }
            }
        }
        let containers = read_containers(&self.session, &domain_dn, &wanted).await?;
        let mut sids = Vec::new();
        for c in &containers {
            sids.extend(c.security_descriptor.iter().flat_map(|sd| trustees(sd)));
        }
        self.context.containers.extend(containers);
        sids.extend(users.iter().flat_map(user_sids));
        self.resolve_names(sids).await
    }

    /// Looks up account names for SIDs of this forest's domains (`NETBIOS\name`), in batched
    /// searches sent together; others keep their SID string (well-known SIDs are named by the
    /// security module).
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
        let filters: Vec<String> = wanted
            .chunks(BATCH)
            .map(|batch| any_of("objectSid", batch.iter().map(|s| escape_bytes(&s.to_bytes()))))
            .collect();
        let found = search_all(
            &self.session,
            &self.context.domain.dn,
            &filters,
            &["sAMAccountName", "objectSid"],
        )
        .await?;
        for e in found {
            if let (Some(sid), Some(name)) = (e.sid("objectSid")?, e.string("sAMAccountName")) {
                self.context.names.insert(sid, format!("{prefix}\\{name}"));
            }
        }
        Ok(())
    }
}

impl LiveUserPages {
    /// The next page of users (with their containers and names added to [`Self::context`]), or
    /// `None` when all were read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<DirectoryUser>>, DirectoryError> {
        let Some(entries) = self.users.next().await? else {
            return Ok(None);
        };
        let page = entries
            .iter()
            .map(user_from_entry)
            .collect::<Result<Vec<_>, _>>()?;
        self.reader.complete(&page).await?;
        Ok(Some(page))
    }

    /// The domain, connector, containers and names read so far (no users).
    pub fn context(&self) -> &Directory {
        self.reader.context()
    }

    /// Every remaining page, as one directory with the context the pages built.
    pub async fn into_directory(mut self) -> Result<Directory, DirectoryError> {
        let mut users = Vec::new();
        while let Some(page) = self.next_page().await? {
            users.extend(page);
        }
        let mut dir = self.reader.into_directory();
        dir.users = users;
        Ok(dir)
    }
}

async fn read_root(session: &Session) -> Result<RootDse, DirectoryError> {
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
    Ok(RootDse { domain_dn, config_nc })
}

/// The domain head, its NetBIOS name, AdminSDHolder, the PSOs and the connector account, read
/// at once: none depends on another. No users, containers or names yet.
async fn read_context(
    session: &Session,
    root: &RootDse,
    connector: Option<&str>,
) -> Result<Directory, DirectoryError> {
    let domain_dn = root.domain_dn.as_str();
    let admin_sd_holder = format!("CN=AdminSDHolder,CN=System,{domain_dn}");
    let (head, netbios_name, admin_sd_holder, password_settings, (connector, named_gmsa), cloud_sync, sam) =
        tokio::try_join!(
            session.read(domain_dn, &DOMAIN_ATTRS),
            netbios_name(session, &root.config_nc, domain_dn),
            session.read(&admin_sd_holder, &["nTSecurityDescriptor"]),
            password_settings(session, domain_dn),
            find_connector(session, domain_dn, connector),
            find_cloud_sync(session, domain_dn),
            sam_objects(session, domain_dn),
        )?;
    // A gMSA named by --connector is Cloud Sync's: there is then no Connect connector to judge.
    let cloud_sync = named_gmsa.or(cloud_sync);
    let head = head.ok_or_else(|| {
        session::ldap_result_error("read of the domain head", domain_dn, 32, "no such object")
    })?;
    let domain = Domain {
        dn: head.dn.clone(),
        netbios_name,
        sid: head.sid("objectSid")?.ok_or_else(|| DirectoryError::BadValue {
            dn: domain_dn.to_string(),
            attr: "objectSid",
            reason: "missing".into(),
        })?,
        min_pwd_age: head.int("minPwdAge")?.unwrap_or(0),
        max_pwd_age: head.int("maxPwdAge")?.unwrap_or(0),
        pwd_history_length: head.int("pwdHistoryLength")?.unwrap_or(0),
        lockout_threshold: head.int("lockoutThreshold")?.unwrap_or(0),
        lockout_duration: head.int("lockoutDuration")?.unwrap_or(0),
        lockout_observation_window: head.int("lockOutObservationWindow")?.unwrap_or(0),
        min_pwd_length: head.int("minPwdLength")?,
        pwd_properties: head.flags("pwdProperties")?,
        security_descriptor: Some(head.descriptor().ok_or_else(|| {
            DirectoryError::CannotReadSecurityDescriptor {
                dn: domain_dn.to_string(),
            }
        })?),
        admin_sd_holder_descriptor: admin_sd_holder.and_then(|e| e.descriptor()),
    };
    Ok(Directory {
        domain,
        connector,
        containers: Vec::new(),
        password_settings,
        sam,
        cloud_sync,
        names: HashMap::new(),
        users: Vec::new(),
        source: session.url().to_string(),
        captured_at: Utc::now(),
    })
}

/// The one user `query` names (sAMAccountName, UPN, mail, DN, objectGUID or objectSid) with
/// tokenGroups, and the containers between it and the domain head (tokenGroups and containers
/// read at once).
async fn read_named_user(
    session: &Session,
    base_dn: &str,
    domain_dn: &str,
    query: &str,
) -> Result<(DirectoryUser, Vec<Container>), DirectoryError> {
    let q = query.trim();
    let found = if q.contains('=') {
        // A base read can carry tokenGroups along: one round trip less.
        let attrs: Vec<&'static str> = USER_ATTRS.into_iter().chain(["tokenGroups"]).collect();
        session
            .search(q, LdapScope::Base, USER_FILTER, &attrs)
            .await
            .or_else(|e| match e {
                DirectoryError::Ldap { rc: 32 | 34, .. } => Ok(Vec::new()),
                e => Err(e),
            })?
    } else {
        session
            .search(base_dn, LdapScope::Subtree, &user_query_filter(q), &USER_ATTRS)
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
    let known_groups = user.token_groups.take();
    let above = ancestors(&user.dn, domain_dn);
    let (token_groups, containers) = tokio::try_join!(
        async {
            match known_groups {
                Some(groups) => Ok(groups),
                None => token_groups(session, &user.dn).await,
            }
        },
        read_containers(session, domain_dn, &above),
    )?;
    user.token_groups = Some(token_groups);
    Ok((user, containers))
}

/// The containers between `dn` and the domain head (both excluded), nearest first.
fn ancestors<'a>(dn: &'a str, domain_dn: &str) -> Vec<&'a str> {
    dn::chain(dn, domain_dn)
        .into_iter()
        .skip(1)
        .filter(|a| !dn::same(a, domain_dn))
        .collect()
}

/// The containers `dns` with their descriptors, in the order asked, read with one search per
/// batch on distinguishedName (indexed in AD and Samba) rather than one read each. A DN that
/// does not exist, or that the bind account cannot see, is left out.
async fn read_containers(
    session: &Session,
    domain_dn: &str,
    dns: &[&str],
) -> Result<Vec<Container>, DirectoryError> {
    let filters: Vec<String> = dns
        .chunks(BATCH)
        .map(|batch| any_of("distinguishedName", batch.iter().map(|d| ldap_escape(*d))))
        .collect();
    let mut found = search_all(session, domain_dn, &filters, &["nTSecurityDescriptor"]).await?;
    found.sort_by_key(|e| dns.iter().position(|d| dn::same(d, &e.dn)));
    found
        .into_iter()
        .map(|entry| {
            let sd = entry
                .descriptor()
                .ok_or_else(|| DirectoryError::CannotReadSecurityDescriptor { dn: entry.dn.clone() })?;
            Ok(Container {
                dacl_protected: dacl_protected(&sd),
                security_descriptor: Some(sd),
                dn: entry.dn,
            })
        })
        .collect()
}

/// The entries of one subtree search per filter under `base`, the searches sent together.
async fn search_all(
    session: &Session,
    base: &str,
    filters: &[String],
    attrs: &[&'static str],
) -> Result<Vec<Entry>, DirectoryError> {
    let pages = try_join_all(
        filters
            .iter()
            .map(|f| session.search(base, LdapScope::Subtree, f, attrs)),
    )
    .await?;
    Ok(pages.into_iter().flatten().collect())
}

/// `(|(attr=v1)(attr=v2)...)` for values already escaped for a filter.
fn any_of(attr: &str, values: impl Iterator<Item = impl std::fmt::Display>) -> String {
    let terms: String = values.map(|v| format!("({attr}={v})")).collect();
    format!("(|{terms})")
}

/// The SIDs a user's diagnosis may name: its descriptor's trustees and its groups.
fn user_sids(user: &DirectoryUser) -> Vec<Sid> {
    let mut sids = user
        .security_descriptor
        .as_deref()
        .map(trustees)
        .unwrap_or_default();
    sids.extend(user.token_groups.iter().flatten().cloned());
    sids
}

async fn token_groups(session: &Session, dn: &str) -> Result<Vec<Sid>, DirectoryError> {
    Ok(match session.read(dn, &["tokenGroups"]).await? {
        Some(e) => e.sids("tokenGroups")?,
        None => Vec::new(),
    })
}

/// `--connector` (sAMAccountName, UPN, DN or SID), else the one account named MSOL_*. A gMSA named
/// by `--connector` comes back second, as Cloud Sync's account, with the lookup `NotFound`.
async fn find_connector(
    session: &Session,
    domain_dn: &str,
    wanted: Option<&str>,
) -> Result<(ConnectorLookup, Option<ConnectorAccount>), DirectoryError> {
    let attrs = ["sAMAccountName", "objectSid", "objectClass"];
    let wanted_label = wanted.unwrap_or(CONNECTOR_PATTERN).to_string();
    let entries = match wanted.map(str::trim) {
        // A base read can carry tokenGroups along: one round trip less.
        Some(w) if w.contains('=') => session
            .search(
                w,
                LdapScope::Base,
                "(objectClass=user)",
                &["sAMAccountName", "objectSid", "objectClass", "tokenGroups"],
            )
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
            session
                .search(domain_dn, LdapScope::Subtree, &filter, &attrs)
                .await?
        }
        None => {
            let filter = format!("(&{USER_FILTER}(sAMAccountName={CONNECTOR_PATTERN}))");
            session
                .search(domain_dn, LdapScope::Subtree, &filter, &attrs)
                .await?
        }
    };
    let not_found = ConnectorLookup::NotFound { wanted: wanted_label };
    match entries.as_slice() {
        [] => Ok((not_found, None)),
        [e] => {
            let account = account_from_entry(session, e).await?;
            if is_gmsa(e) {
                return Ok((not_found, Some(account)));
            }
            Ok((ConnectorLookup::Found(account), None))
        }
        many => Ok((
            ConnectorLookup::Ambiguous {
                candidates: many.iter().map(|e| e.dn.clone()).collect(),
            },
            None,
        )),
    }
}

/// The Cloud Sync agent's gMSA by its default name, if the domain has one.
async fn find_cloud_sync(
    session: &Session,
    domain_dn: &str,
) -> Result<Option<ConnectorAccount>, DirectoryError> {
    let filter = format!(
        "(&(objectClass={GMSA_CLASS})(sAMAccountName={}))",
        ldap_escape(CLOUD_SYNC_GMSA)
    );
    let found = session
        .search(
            domain_dn,
            LdapScope::Subtree,
            &filter,
            &["sAMAccountName", "objectSid"],
        )
        .await?;
    match found.first() {
        Some(e) => Ok(Some(account_from_entry(session, e).await?)),
        None => Ok(None),
    }
}

fn is_gmsa(e: &Entry) -> bool {
    e.strings("objectClass")
        .iter()
        .any(|c| c.eq_ignore_ascii_case(GMSA_CLASS))
}

/// A connector account (Connect's or Cloud Sync's) with its tokenGroups, read with one more base
/// read when the search could not carry them.
async fn account_from_entry(session: &Session, e: &Entry) -> Result<ConnectorAccount, DirectoryError> {
    let sid = e.sid("objectSid")?.ok_or_else(|| DirectoryError::BadValue {
        dn: e.dn.clone(),
        attr: "objectSid",
        reason: "missing".into(),
    })?;
    let dn = e.dn.clone();
    let token_groups = match e.all("tokenGroups") {
        [] => token_groups(session, &dn).await?,
        _ => e.sids("tokenGroups")?,
    };
    let sam = e.string("sAMAccountName").unwrap_or_else(|| dn.clone());
    Ok(ConnectorAccount {
        token_groups,
        dn,
        sam_account_name: sam,
        sid,
    })
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
        // Present only when the search could ask for them (a base read).
        token_groups: match e.all("tokenGroups") {
            [] => None,
            _ => Some(e.sids("tokenGroups")?),
        },
        resultant_pso: e.string("msDS-ResultantPSO"),
        security_descriptor: Some(
            e.descriptor()
                .ok_or_else(|| DirectoryError::CannotReadSecurityDescriptor { dn: e.dn.clone() })?,
        ),
        when_changed: e.generalized_time("whenChanged")?,
        admin_description: e.string("adminDescription"),
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

/// samServer's and Builtin's descriptors and Pre-Windows 2000 Compatible Access, read at once.
/// What the bind account may not read stays `None`: the diagnosis then does not judge it.
async fn sam_objects(session: &Session, domain_dn: &str) -> Result<SamObjects, DirectoryError> {
    let (sam_server, builtin) = (sam_server_dn(domain_dn), builtin_dn(domain_dn));
    let (sam_server_descriptor, builtin_descriptor, pre_windows_2000) = tokio::try_join!(
        optional_descriptor(session, &sam_server),
        optional_descriptor(session, &builtin),
        pre_windows_2000(session, domain_dn),
    )?;
    Ok(SamObjects {
        sam_server_descriptor,
        builtin_descriptor,
        pre_windows_2000,
    })
}

async fn optional_descriptor(session: &Session, dn: &str) -> Result<Option<Arc<[u8]>>, DirectoryError> {
    match session.read(dn, &["nTSecurityDescriptor"]).await {
        Ok(entry) => Ok(entry.and_then(|e| e.descriptor())),
        Err(DirectoryError::Ldap { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Pre-Windows 2000 Compatible Access, found under CN=Builtin by its SID (its name is localized),
/// and whether Authenticated Users is a member, asked of the DC as a member filter so that a member
/// list too long to come back whole (ranged retrieval) cannot hide it.
async fn pre_windows_2000(
    session: &Session,
    domain_dn: &str,
) -> Result<Option<PreWindows2000>, DirectoryError> {
    let base = builtin_dn(domain_dn);
    let sid = escape_bytes(&Sid::pre_windows_2000_compatible_access().to_bytes());
    let group = format!("(objectSid={sid})");
    let with_member = format!(
        "(&(objectSid={sid})(member={}))",
        ldap_escape(authenticated_users_fsp_dn(domain_dn))
    );
    let found = tokio::try_join!(
        session.search(&base, LdapScope::OneLevel, &group, &["objectSid"]),
        session.search(&base, LdapScope::OneLevel, &with_member, &["objectSid"]),
    );
    match found {
        Ok((group, with_member)) => Ok(group.first().map(|g| PreWindows2000 {
            dn: g.dn.clone(),
            authenticated_users_member: !with_member.is_empty(),
        })),
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
                min_pwd_length: e.int("msDS-MinimumPasswordLength")?,
                complexity: e.boolean("msDS-PasswordComplexityEnabled")?,
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
    fn batched_filters_and_the_containers_above_a_user() {
        // Values are escaped for the filter first, as read_containers does (a DN's own `\` too).
        let dns = [r"OU=A\2CB(1),DC=x", "OU=C,DC=x"];
        let f = any_of("distinguishedName", dns.iter().map(|d| ldap_escape(*d)));
        assert_eq!(
            f,
            r"(|(distinguishedName=OU=A\5c2CB\281\29,DC=x)(distinguishedName=OU=C,DC=x))"
        );
        let dn = "CN=U,OU=Inner,OU=Outer,DC=contoso,DC=test";
        assert_eq!(
            ancestors(dn, "dc=contoso, dc=test"),
            [
                "OU=Inner,OU=Outer,DC=contoso,DC=test",
                "OU=Outer,DC=contoso,DC=test"
            ]
        );
        assert!(ancestors("CN=U,DC=contoso,DC=test", "DC=contoso,DC=test").is_empty());
    }

    #[test]
    fn tokengroups_are_kept_only_when_the_entry_has_them() {
        let sd = [1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let group = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
        let bulk = Entry::with(
            "CN=A,DC=x",
            &[("sAMAccountName", b"a"), ("nTSecurityDescriptor", &sd)],
        );
        assert_eq!(user_from_entry(&bulk).unwrap().token_groups, None);
        let base = Entry::with(
            "CN=A,DC=x",
            &[
                ("sAMAccountName", b"a"),
                ("nTSecurityDescriptor", &sd),
                ("tokenGroups", &group),
            ],
        );
        let groups = user_from_entry(&base).unwrap().token_groups.unwrap();
        assert_eq!(
            groups.iter().map(Sid::to_string).collect::<Vec<_>>(),
            ["S-1-5-18"]
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
