//! Every user under a base, in the order one paged search returns them, read the way the DC
//! spends least on.
//!
//! First one unpaged search of every attribute, its entries handed on as they arrive: a DC that
//! serves it whole (Samba) spends less on it than on any other way of reading (20,000 users:
//! 299 ticks of its CPU against 499 for a paged search and about 460 for the batches below;
//! docs/PERFORMANCE.md). A DC that caps unpaged results (AD: MaxPageSize, 1000) ends it with
//! sizeLimitExceeded; the rest is then fanned out, skipping the users already given.
//!
//! The fan-out: the main connection lists the users by objectGUID alone (cheap for the DC; see
//! [`Listing`]), and that listing is the reference for the order; their attributes and
//! descriptors come in batches of [`Fanout::batch`] GUIDs, one OR-filter search each (unpaged:
//! a batch stays below AD's MaxPageSize), spread round-robin over [`Fanout::connections`]
//! connections (the main one and siblings opened when the listing first needs them), two
//! batches per connection in flight: one connection is served by one DC worker, and building
//! each entry (its descriptor above all) is the DC's work the read waits on. Batches are handed
//! on in listing order and each is put back into listing order, so the users arrive exactly as
//! one search would give them. At most `2 * connections` batches are held, however many users
//! the base has; the reading runs on its own task, so it goes on while the caller diagnoses a
//! batch.

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
    /// Users per OR-filter fetch (below AD's MaxPageSize of 1000, so no fetch needs paging), and
    /// per batch handed on from the first, whole search.
    pub batch: usize,
    /// How many users the first, unpaged search of every attribute may give before it is
    /// abandoned and the rest fanned out: `None`, as many as the DC gives (Samba: all; AD stops
    /// it at MaxPageSize, 1000, with sizeLimitExceeded); `Some(0)`, no such search.
    pub whole_search_limit: Option<u32>,
}

impl Fanout {
    /// The whole search first, as far as the DC serves it. Three connections for the rest: on
    /// the busy 2-core lab machine neither four nor six gained anything (docs/PERFORMANCE.md); a
    /// DC with cores to spare serves each on a worker of its own.
    pub const DEFAULT: Fanout = Fanout {
        connections: 3,
        batch: 250,
        whole_search_limit: None,
    };
}

impl Default for Fanout {
    fn default() -> Fanout {
        Fanout::DEFAULT
    }
}

/// Batches of entries arriving from the reading task, in listing order.
pub struct FannedEntries {
    batches: mpsc::Receiver<Result<Vec<Entry>, DirectoryError>>,
    task: JoinHandle<()>,
    done: bool,
}

type Batches = mpsc::Sender<Result<Vec<Entry>, DirectoryError>>;

impl FannedEntries {
    /// Starts reading `attrs` of the entries under `base` that `filter` matches.
    pub async fn start(
        session: &Session,
        base: &str,
        filter: &str,
        attrs: &'static [&'static str],
        fanout: Fanout,
    ) -> Result<FannedEntries, DirectoryError> {
        let base = Arc::<str>::from(base);
        let (tx, batches) = mpsc::channel(1);
        let task = if fanout.whole_search_limit == Some(0) {
            let listing = Listing::start(session, base.clone(), filter, HashSet::new()).await?;
            tokio::spawn(fan_out(listing, session.clone(), base, attrs, fanout, tx))
        } else {
            let whole = session.unpaged(&base, filter, attrs).await?;
            let (session, filter) = (session.clone(), filter.to_string());
            tokio::spawn(async move {
                let limit = fanout.whole_search_limit.map_or(usize::MAX, |n| n as usize);
                let Some(given) = hand_on_whole(whole, limit, fanout.batch.max(1), &tx).await else {
                    return;
                };
                match Listing::start(&session, base.clone(), &filter, given).await {
                    Ok(listing) => fan_out(listing, session, base, attrs, fanout, tx).await,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                    }
                }
            })
        };
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

/// Hands on the whole search's entries, `batch` at a time, `limit` at most. `Some`: it stopped
/// early (the DC's sizeLimitExceeded, or `limit` reached and the rest abandoned), and these are
/// the objectGUIDs given, for the fan-out to skip; `None`: every entry was given, or the failure
/// was handed on, or nobody reads any more.
async fn hand_on_whole(
    mut whole: StreamedSearch,
    limit: usize,
    batch: usize,
    tx: &Batches,
) -> Option<HashSet<Guid>> {
    let mut given = HashSet::new();
    let mut pending = Vec::with_capacity(batch);
    let capped = loop {
        if given.len() == limit {
            whole.abandon().await;
            break Ok(true);
        }
        match whole.next().await {
            Ok(Some(entry)) => {
                match guid(&entry) {
                    Ok(g) => given.insert(g),
                    Err(e) => break Err(e),
                };
                pending.push(entry);
                if pending.len() == batch {
                    let full = std::mem::replace(&mut pending, Vec::with_capacity(batch));
                    if tx.send(Ok(full)).await.is_err() {
                        return None;
                    }
                }
            }
            Ok(None) => break Ok(false),
            Err(DirectoryError::Ldap {
                rc: RC_SIZE_LIMIT_EXCEEDED,
                ..
            }) => break Ok(true),
            Err(e) => break Err(e),
        }
    };
    match capped {
        Err(e) => {
            let _ = tx.send(Err(e)).await;
            None
        }
        Ok(capped) => {
            let handed = pending.is_empty() || tx.send(Ok(pending)).await.is_ok();
            (capped && handed).then_some(given)
        }
    }
}

/// The listed users fetched in batches over `fanout.connections`, handed on in listing order.
async fn fan_out(
    listing: Listing,
    session: Session,
    base: Arc<str>,
    attrs: &'static [&'static str],
    fanout: Fanout,
    tx: Batches,
) {
    let connections = Arc::new(Connections::new(session, fanout.connections));
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
    let mut fetched = std::pin::pin!(fetched);
    while let Some(batch) = fetched.next().await {
        let failed = batch.is_err();
        if tx.send(batch).await.is_err() || failed {
            break;
        }
    }
}

/// An entry's objectGUID, which every user has (16 bytes: kept by the thousand, a fixed size
/// keeps the set of given users at about 20-40 bytes a user).
fn guid(entry: &Entry) -> Result<Guid, DirectoryError> {
    let bad = |reason: &str| DirectoryError::BadValue {
        dn: entry.dn.clone(),
        attr: "objectGUID",
        reason: reason.into(),
    };
    let bytes = entry.first("objectGUID").ok_or_else(|| bad("missing"))?;
    bytes.try_into().map_err(|_| bad("not 16 bytes"))
}

type Guid = [u8; 16];

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
/// gave. The GUIDs given while unpaged are kept for that (16 bytes a user), beside those the
/// whole search gave before the listing started, which it never lists.
struct Listing {
    session: Session,
    base: Arc<str>,
    filter: String,
    search: StreamedSearch,
    paged: bool,
    given: HashSet<Guid>,
}

impl Listing {
    /// `given`: the users handed on already.
    async fn start(
        session: &Session,
        base: Arc<str>,
        filter: &str,
        given: HashSet<Guid>,
    ) -> Result<Listing, DirectoryError> {
        Ok(Listing {
            search: session.unpaged(&base, filter, &["objectGUID"]).await?,
            session: session.clone(),
            base,
            filter: filter.to_string(),
            paged: false,
            given,
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
            let guid = guid(&entry)?;
            if self.given.contains(&guid) {
                continue;
            }
            // Paged, nothing is listed twice; unpaged, the paged search that may follow must
            // skip what this one gave.
            if !self.paged {
                self.given.insert(guid);
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
