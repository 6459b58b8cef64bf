//! Every user under a base read over several connections at once, in the order one paged search
//! returns them.
//!
//! One search keeps the DC's other workers idle: building each entry (its descriptor above all)
//! is the DC's work that the whole read waits on, and one connection is served by one worker.
//! Here the main connection lists the users by objectGUID alone (cheap for the DC; see
//! [`Listing`]), and that listing is the reference for the order; their attributes and
//! descriptors come in batches of [`Fanout::batch`] GUIDs, one OR-filter search each (unpaged:
//! a batch stays below AD's MaxPageSize), spread round-robin over [`Fanout::connections`]
//! connections (the main one and siblings opened when the listing first needs them), two
//! batches per connection in flight. Batches are handed on in listing order and each is put back
//! into listing order, so the users arrive exactly as one search would give them. At most
//! `2 * connections` batches are held, however many users the base has; the reading runs on its
//! own task, so it goes on while the caller diagnoses a batch.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::stream::{self, Stream, StreamExt};
use tokio::sync::{mpsc, OnceCell};
use tokio::task::JoinHandle;

use super::entry::Entry;
use super::session::{StreamedSearch, RC_SIZE_LIMIT_EXCEEDED};
use super::{any_of, escape_bytes, Session};
use crate::directory::DirectoryError;

/// How a whole-base read is spread over connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fanout {
    /// Connections that fetch batches, the main one included (at least 1).
    pub connections: usize,
    /// Users per OR-filter fetch (below AD's MaxPageSize of 1000, so no fetch needs paging).
    pub batch: usize,
}

impl Default for Fanout {
    /// Three connections: on the busy 2-core lab machine neither four nor six gained anything
    /// (docs/PERFORMANCE.md); a DC with cores to spare serves each on a worker of its own.
    fn default() -> Fanout {
        Fanout {
            connections: 3,
            batch: 250,
        }
    }
}

/// Batches of entries arriving from the reading task, in listing order.
pub struct FannedEntries {
    batches: mpsc::Receiver<Result<Vec<Entry>, DirectoryError>>,
    task: JoinHandle<()>,
    done: bool,
}

impl FannedEntries {
    /// Starts listing `base` and fetching `attrs` of the entries `filter` matches.
    pub async fn start(
        session: &Session,
        base: &str,
        filter: &str,
        attrs: &'static [&'static str],
        fanout: Fanout,
    ) -> Result<FannedEntries, DirectoryError> {
        let base = Arc::<str>::from(base);
        let listing = Listing::start(session, base.clone(), filter).await?;
        let connections = Arc::new(Connections::new(session.clone(), fanout.connections));
        let fetched = guid_batches(listing, fanout.batch.max(1))
            .enumerate()
            .map(move |(i, guids)| {
                let (connections, base) = (connections.clone(), base.clone());
                async move {
                    let guids = guids?;
                    let session = connections.get(i).await?;
                    fetch(&session, &base, &guids, attrs).await
                }
            })
            .buffered(2 * fanout.connections.max(1));
        let (tx, batches) = mpsc::channel(1);
        let task = tokio::spawn(async move {
            let mut fetched = std::pin::pin!(fetched);
            while let Some(batch) = fetched.next().await {
                let failed = batch.is_err();
                if tx.send(batch).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(FannedEntries {
            batches,
            task,
            done: false,
        })
    }

    /// The next batch in listing order, or `None` when every entry was read.
    pub async fn next(&mut self) -> Result<Option<Vec<Entry>>, DirectoryError> {
        if self.done {
            return Ok(None);
        }
        match self.batches.recv().await {
            Some(Ok(batch)) => Ok(Some(batch)),
            Some(Err(e)) => {
                self.done = true;
                Err(e)
            }
            None => {
                self.done = true;
                // The task ends by dropping the sender: after the last batch, or in a panic,
                // which must not pass for the end of the users.
                match (&mut self.task).await {
                    Err(e) if e.is_panic() => Err(DirectoryError::Runtime(format!(
                        "the directory reader stopped: {e}"
                    ))),
                    _ => Ok(None),
                }
            }
        }
    }
}

impl Drop for FannedEntries {
    fn drop(&mut self) {
        // A caller that stops early (an error, a closed pipe) stops the reads in flight too.
        self.task.abort();
    }
}

/// The main connection and its siblings, each opened (connected and bound) on first use.
struct Connections {
    main: Session,
    siblings: Vec<OnceCell<Session>>,
}

impl Connections {
    fn new(main: Session, count: usize) -> Connections {
        let siblings = (1..count.max(1)).map(|_| OnceCell::new()).collect();
        Connections { main, siblings }
    }

    /// The connection for batch `i`, round-robin.
    async fn get(&self, i: usize) -> Result<Session, DirectoryError> {
        match i % (self.siblings.len() + 1) {
            0 => Ok(self.main.clone()),
            k => self.siblings[k - 1]
                .get_or_try_init(|| self.main.sibling())
                .await
                .cloned(),
        }
    }
}

/// The users' objectGUIDs in the DC's order, from one unpaged search: Samba serves a paged one
/// at a fraction of the speed (20,000 users: 1.5 s of wall time against 4.8 s, a quarter of the
/// DC's CPU). A DC that caps unpaged results (AD: MaxPageSize) stops the search with
/// sizeLimitExceeded; the listing then goes on with a paged search, skipping the users it already
/// gave. The GUIDs given while unpaged are kept for that (16 bytes a user).
struct Listing {
    session: Session,
    base: Arc<str>,
    filter: String,
    search: StreamedSearch,
    paged: bool,
    listed: HashSet<Vec<u8>>,
}

impl Listing {
    async fn start(session: &Session, base: Arc<str>, filter: &str) -> Result<Listing, DirectoryError> {
        Ok(Listing {
            search: session.unpaged(&base, filter, &["objectGUID"]).await?,
            session: session.clone(),
            base,
            filter: filter.to_string(),
            paged: false,
            listed: HashSet::new(),
        })
    }

    async fn next(&mut self) -> Result<Option<Vec<u8>>, DirectoryError> {
        loop {
            let entry = match self.search.next().await {
                Ok(Some(entry)) => entry,
                Ok(None) => return Ok(None),
                Err(DirectoryError::Ldap {
                    rc: RC_SIZE_LIMIT_EXCEEDED,
                    ..
                }) if !self.paged => {
                    self.search = self
                        .session
                        .paged(&self.base, &self.filter, &["objectGUID"])
                        .await?;
                    self.paged = true;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let guid = entry
                .first("objectGUID")
                .ok_or_else(|| DirectoryError::BadValue {
                    dn: entry.dn.clone(),
                    attr: "objectGUID",
                    reason: "missing".into(),
                })?;
            if !self.paged {
                self.listed.insert(guid.to_vec());
            } else if self.listed.contains(guid) {
                continue;
            }
            return Ok(Some(guid.to_vec()));
        }
    }
}

/// The listing's GUIDs, `size` at a time.
fn guid_batches(listing: Listing, size: usize) -> impl Stream<Item = Result<Vec<Vec<u8>>, DirectoryError>> {
    stream::try_unfold(Some(listing), move |listing| async move {
        let Some(mut listing) = listing else {
            return Ok(None);
        };
        let mut batch = Vec::with_capacity(size);
        while batch.len() < size {
            let Some(guid) = listing.next().await? else {
                return Ok((!batch.is_empty()).then_some((batch, None)));
            };
            batch.push(guid);
        }
        Ok(Some((batch, Some(listing))))
    })
}

/// The entries `guids` name, in that order; one the DC no longer has (deleted since it was
/// listed) is left out, as a search that started later would have. Streamed, so `--timeout`
/// bounds each wait for the DC as in one paged search, not the whole batch: with several batches
/// in flight a busy DC takes longer than that for all of one (the lab, 948 users, `--timeout 2`).
async fn fetch(
    session: &Session,
    base: &str,
    guids: &[Vec<u8>],
    attrs: &[&'static str],
) -> Result<Vec<Entry>, DirectoryError> {
    let filter = any_of("objectGUID", guids.iter().map(|g| escape_bytes(g)));
    let mut search = session.unpaged(base, &filter, attrs).await?;
    let mut found = Vec::with_capacity(guids.len());
    while let Some(entry) = search.next().await? {
        found.push(entry);
    }
    let position: HashMap<&[u8], usize> = guids.iter().enumerate().map(|(i, g)| (g.as_slice(), i)).collect();
    let mut slots: Vec<Option<Entry>> = vec![None; guids.len()];
    for entry in found {
        if let Some(&i) = entry.first("objectGUID").and_then(|g| position.get(g)) {
            slots[i] = Some(entry);
        }
    }
    Ok(slots.into_iter().flatten().collect())
}
