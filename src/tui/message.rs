//! What flows into `update` (messages: keys, terminal changes, results of background work) and
//! what flows out of it (commands: requests for background work the runtime carries out).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crossterm::event::{KeyEvent, MouseEvent};

use super::search::SearchIndex;
use crate::diagnosis::Diagnosis;
use crate::directory::Directory;
use crate::events::Event;

/// A directory as the console receives it: with its search index already prepared, because
/// preparing 100,000 haystacks takes long enough to be felt and belongs off the UI thread.
#[derive(Debug, Clone)]
pub struct LoadedDirectory {
    pub directory: Arc<Directory>,
    pub index: Arc<SearchIndex>,
}

impl LoadedDirectory {
    pub fn new(directory: Directory) -> LoadedDirectory {
        let index = Arc::new(SearchIndex::new(&directory.users));
        LoadedDirectory {
            directory: Arc::new(directory),
            index,
        }
    }
}

/// Why background work gave no result: its own error, or a panic contained on the way (a bug, or
/// a parser tripping over hostile bytes), so the console can say which and offer a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    /// The work's error, one sanitized line.
    Failed(String),
    /// The work panicked; the panic's message, sanitized.
    Panicked(String),
}

impl std::fmt::Display for JobFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobFailure::Failed(e) => f.write_str(e),
            JobFailure::Panicked(m) => write!(f, "internal error (a bug, please report it): {m}"),
        }
    }
}

impl From<String> for JobFailure {
    fn from(e: String) -> JobFailure {
        JobFailure::Failed(e)
    }
}

impl From<&str> for JobFailure {
    fn from(e: &str) -> JobFailure {
        JobFailure::Failed(e.to_string())
    }
}

/// What background work sends back.
pub type JobResult<T> = Result<T, JobFailure>;

/// Everything that can change the state.
#[derive(Debug, Clone)]
pub enum Message {
    Key(KeyEvent),
    /// `at` is when it happened, measured from the console's start: the runtime stamps it, so a
    /// double click is told from two clicks without `update` reading a clock.
    Mouse {
        event: MouseEvent,
        at: Duration,
    },
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Advances the spinner; the runtime sends it only while something is loading.
    Tick,
    /// Scores the next slice of the live search. The runtime makes one whenever the search is
    /// unfinished and no other message waits, so typing always comes first; it carries no
    /// generation because it is never queued, and a new query already replaced the old work.
    SearchSlice,
    /// `generation` ties a result to the request that asked for it, so a stale load after a
    /// `:reload` is dropped.
    DirectoryLoaded {
        generation: u64,
        result: JobResult<LoadedDirectory>,
    },
    EventsIngested {
        generation: u64,
        result: JobResult<Arc<[Event]>>,
    },
    /// How much of the event logs is read (bytes, in percent), while they load.
    EventsProgress {
        generation: u64,
        percent: u8,
    },
    /// The diagnosis of the user at `user` (index into the directory's users) in `generation`.
    DiagnosisReady {
        generation: u64,
        user: usize,
        /// The instant it was evaluated at (`:at`), so a result for another instant is dropped.
        at: Option<DateTime<Utc>>,
        result: JobResult<Arc<Diagnosis>>,
    },
    /// The user at `user` re-read from the live source on opening: a directory of that user alone
    /// (with its containers, domain and connector as they are now).
    UserReread {
        generation: u64,
        user: usize,
        result: JobResult<Arc<Directory>>,
    },
    /// Users with a recent failure event, for the marks in the search list.
    FailuresMarked {
        generation: u64,
        users: JobResult<HashSet<usize>>,
    },
    ClipboardWritten(JobResult<()>),
    /// The raw XML of the record at `position` (its header number) in `file`, for the event detail.
    RawXmlRead {
        file: String,
        position: u64,
        result: JobResult<String>,
    },
    /// Something worth telling that stops nothing (damaged EVTX records were skipped).
    Warning(String),
}

/// Background work `update` asks for. The runtime executes it and answers with a `Message`.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    LoadDirectory {
        generation: u64,
    },
    IngestEvents {
        generation: u64,
    },
    /// Diagnose the user at `at` in `directory.users` against `events`; `user` is the console's
    /// index of that user (the same, unless `directory` is a fresh re-read of that user alone).
    Diagnose {
        generation: u64,
        directory: Arc<Directory>,
        events: Arc<[Event]>,
        user: usize,
        /// Index into `directory.users` of the user to diagnose: `user`, unless `directory` is a
        /// fresh re-read of that user alone.
        index: usize,
        /// The ticket's time chosen with `:at`; `None`: the source's own (`--at`, else the rule).
        at: Option<DateTime<Utc>>,
    },
    /// Re-read the user at `user`, whose DN is `dn`, from the live source.
    RereadUser {
        generation: u64,
        user: usize,
        dn: String,
    },
    /// Find the users to mark in the search list (see `rows::users_with_recent_failures`).
    MarkFailures {
        generation: u64,
        directory: Arc<Directory>,
        events: Arc<[Event]>,
    },
    /// Write `text` to the terminal's clipboard with OSC 52.
    CopyToClipboard(String),
    /// Read one record's XML from its EVTX file (see `events::raw::record_xml`).
    ReadRawXml {
        file: String,
        position: u64,
    },
}
