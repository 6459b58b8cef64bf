//! The directory side of the evidence: the model of users, the domain and the connector account,
//! and the sources that fill it (live LDAP, snapshot files).
//!
//! Commands call [`load`] (one user, a few users, or everyone under a base) or, to walk every user
//! in bounded memory, [`users_stream`]. Both read from whatever the `DirectoryConfig` names.

mod error;
pub mod inheritance;
pub mod ldap;
pub mod model;
pub mod settings;
pub mod snapshot;

use std::future::Future;

use crate::ad::dn;

pub use error::DirectoryError;
pub use inheritance::blocked_at;
pub use model::{
    uac, ConnectorAccount, ConnectorLookup, Container, Directory, DirectoryUser, Domain, PasswordSettings,
    PreWindows2000, SamObjects, UserLookupError,
};
pub use settings::{Auth, DirectoryConfig, DirectorySource, LdapConfig, PasswordSource, Secret, Transport};

use ldap::{LiveReader, LiveUserPages, Session};

/// Which users to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// These users, each named as the contract allows (sAMAccountName, UPN, mail, DN, GUID, SID).
    Users(Vec<String>),
    /// Every user under `base` (default: the configured `base_dn`, else the domain).
    All { base: Option<String> },
}

/// Reads the directory for `scope` from the configured source (LDAP or a snapshot).
pub async fn load(cfg: &DirectoryConfig, scope: Scope) -> Result<Directory, DirectoryError> {
    match &cfg.source {
        None => Err(DirectoryError::NoSource),
        Some(DirectorySource::Snapshot(path)) => {
            let dir = snapshot::read(path)?;
            select(dir, &scope, cfg.base_dn.as_deref())
        }
        Some(DirectorySource::Ldap(l)) => {
            let session = Session::connect(l).await?;
            let (base_dn, connector) = (cfg.base_dn.as_deref(), cfg.connector.as_deref());
            match scope {
                Scope::Users(queries) => ldap::read_users(&session, base_dn, connector, &queries).await,
                Scope::All { base } => {
                    let reader = LiveReader::open(session, base_dn, connector).await?;
                    reader.user_pages(base.as_deref()).await?.into_directory().await
                }
            }
        }
    }
}

/// [`load`] for synchronous callers (the commands): runs it on a private runtime.
pub fn load_blocking(cfg: &DirectoryConfig, scope: Scope) -> Result<Directory, DirectoryError> {
    block_on(load(cfg, scope))
}

/// Runs a directory future to completion on a small multi-threaded runtime (the Kerberos bind
/// needs a blocking thread next to the connection's driver).
pub fn block_on<T>(fut: impl Future<Output = Result<T, DirectoryError>>) -> Result<T, DirectoryError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| DirectoryError::Runtime(e.to_string()))?;
    let out = rt.block_on(fut);
    // A Kerberos bind that timed out may still be blocked in the GSSAPI library: do not wait for it.
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    out
}

/// Every user in scope, a page at a time, with the context (domain, connector, containers and
/// names) the diagnosis needs next to them.
pub enum UserStream {
    Live(Box<LiveUserPages>),
    Snapshot {
        context: Box<Directory>,
        rest: std::vec::IntoIter<DirectoryUser>,
    },
}

/// Users per page when a snapshot is streamed.
const SNAPSHOT_PAGE: usize = 1000;

/// Opens a page-at-a-time walk over every user under `base` (default: the configured `base_dn`,
/// else the domain), so 100,000 users never sit in memory at once on the live path.
pub async fn users_stream(cfg: &DirectoryConfig, base: Option<&str>) -> Result<UserStream, DirectoryError> {
    match &cfg.source {
        None => Err(DirectoryError::NoSource),
        Some(DirectorySource::Snapshot(path)) => {
            let scope = Scope::All {
                base: base.map(str::to_string),
            };
            let mut context = select(snapshot::read(path)?, &scope, cfg.base_dn.as_deref())?;
            let rest = std::mem::take(&mut context.users).into_iter();
            Ok(UserStream::Snapshot {
                context: Box::new(context),
                rest,
            })
        }
        Some(DirectorySource::Ldap(l)) => {
            let session = Session::connect(l).await?;
            let reader = LiveReader::open(session, cfg.base_dn.as_deref(), cfg.connector.as_deref()).await?;
            Ok(UserStream::Live(Box::new(reader.user_pages(base).await?)))
        }
    }
}

impl UserStream {
    /// The next page of users, or `None` at the end.
    pub async fn next_page(&mut self) -> Result<Option<Vec<DirectoryUser>>, DirectoryError> {
        match self {
            UserStream::Live(pages) => pages.next_page().await,
            UserStream::Snapshot { rest, .. } => {
                let page: Vec<DirectoryUser> = rest.by_ref().take(SNAPSHOT_PAGE).collect();
                Ok((!page.is_empty()).then_some(page))
            }
        }
    }

    /// Domain, connector, containers and names known so far; `users` is empty.
    pub fn context(&self) -> &Directory {
        match self {
            UserStream::Live(pages) => pages.context(),
            UserStream::Snapshot { context, .. } => context,
        }
    }
}

/// Narrows a whole-domain directory (a snapshot) to `scope`, with the same errors a live lookup
/// gives for unknown or ambiguous users.
fn select(
    mut dir: Directory,
    scope: &Scope,
    default_base: Option<&str>,
) -> Result<Directory, DirectoryError> {
    match scope {
        Scope::Users(queries) => {
            let mut picked = Vec::with_capacity(queries.len());
            for q in queries {
                picked.push(dir.find_user(q)?.clone());
            }
            dir.users = picked;
        }
        Scope::All { base } => {
            if let Some(base) = base.as_deref().or(default_base) {
                dir.users.retain(|u| {
                    dn::chain(&u.dn, base)
                        .last()
                        .is_some_and(|top| dn::same(top, base))
                });
            }
        }
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_narrows_a_snapshot_to_the_scope() {
        let d = crate::testkit::synthetic::directory(20);
        let one = select(d.clone(), &Scope::Users(vec!["USER3".into()]), None).unwrap();
        assert_eq!(one.users.len(), 1);
        assert_eq!(one.users[0].sam_account_name, "user3");
        let err = select(d.clone(), &Scope::Users(vec!["nobody".into()]), None).unwrap_err();
        assert!(matches!(err, DirectoryError::User(UserLookupError::NotFound(_))));
        let site = "OU=Site1,OU=Staff,DC=contoso,DC=test";
        let under = select(
            d.clone(),
            &Scope::All {
                base: Some(site.into()),
            },
            None,
        )
        .unwrap();
        assert!(!under.users.is_empty() && under.users.iter().all(|u| u.dn.ends_with(site)));
        let by_default = select(d.clone(), &Scope::All { base: None }, Some(site)).unwrap();
        assert_eq!(by_default.users, under.users);
        assert_eq!(
            select(d.clone(), &Scope::All { base: None }, None)
                .unwrap()
                .users
                .len(),
            20
        );
    }

    #[test]
    fn snapshot_streams_in_pages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        snapshot::write(
            &crate::testkit::synthetic::directory(2500),
            std::fs::File::create(&path).unwrap(),
        )
        .unwrap();
        let cfg = DirectoryConfig::from_snapshot(path);
        let sizes = block_on(async {
            let mut s = users_stream(&cfg, None).await?;
            assert!(s.context().users.is_empty());
            let mut sizes = Vec::new();
            while let Some(p) = s.next_page().await? {
                sizes.push(p.len());
            }
            Ok(sizes)
        })
        .unwrap();
        assert_eq!(sizes, vec![1000, 1000, 500]);
    }

    #[test]
    fn no_source_is_a_clear_error() {
        let err = load_blocking(&DirectoryConfig::default(), Scope::All { base: None }).unwrap_err();
        assert!(matches!(err, DirectoryError::NoSource), "{err}");
    }
}
