//! The console's state, split per screen: the search (start screen), the user view, and the
//! overlays that sit above either (help, command line, error banner). The loop owns it; `update`
//! changes it; the views only read it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::keymap::KeyBindings;
use super::message::{Command, JobFailure};
use super::search::{Search, SearchIndex};
use super::theme::Theme;
use crate::diagnosis::Diagnosis;
use crate::directory::{Directory, DirectoryUser};
use crate::events::Event;

/// Data that arrives from a background task.
#[derive(Debug, Clone, Default)]
pub enum Loading<T> {
    #[default]
    Idle,
    Loading,
    Ready(T),
    Failed(JobFailure),
}

impl<T> Loading<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loading::Ready(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Loading::Loading)
    }
}

/// What the status line says about where the data comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceLabel {
    /// "DC ldaps://dc01.contoso.com" or "snapshot contoso-directory.snapshot.json".
    pub directory: String,
    /// The EVTX files or folders read.
    pub evtx: Vec<String>,
    /// The connector account as configured (`--connector`), before the directory says more.
    pub connector: Option<String>,
    /// The directory is a DC (not a snapshot): opening a user re-reads it before its verdict.
    pub live: bool,
}

/// Settings fixed for a session.
#[derive(Debug, Clone)]
pub struct Settings {
    pub keys: KeyBindings,
    pub theme: Theme,
    pub source: SourceLabel,
    /// The instant ages ("locked 2 h ago") are measured from.
    pub now: DateTime<Utc>,
}

/// Which screen is in front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Search,
    User,
}

/// Where typed keys go on the search screen. The query box takes every printable character;
/// the list takes the single-letter commands (j/k, g/G, q, ?, /, :).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchFocus {
    #[default]
    Query,
    List,
}

/// The start screen.
#[derive(Debug, Default)]
pub struct SearchScreen {
    pub index: Option<Arc<SearchIndex>>,
    pub search: Search,
    /// Position in the hit list (not a user index).
    pub selected: usize,
    pub focus: SearchFocus,
    /// Users with a recent failure event, marked in the list.
    pub flagged: HashSet<usize>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} users)", self.len())
    }
}

/// The tabs of the user view, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Account,
    Permissions,
    Events,
    Fix,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Account, Tab::Permissions, Tab::Events, Tab::Fix];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Account => "Account",
            Tab::Permissions => "Permissions",
            Tab::Events => "Events",
            Tab::Fix => "Fix",
        }
    }

    fn position(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn next(self) -> Tab {
        Tab::ALL[(self.position() + 1) % Tab::ALL.len()]
    }

    pub fn prev(self) -> Tab {
        Tab::ALL[(self.position() + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }
}

/// A scrollable, filterable list inside a tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListView {
    pub selected: usize,
    pub filter: String,
    /// The rows that pass `filter` (indexes into the diagnosis' list), kept by `update` when the
    /// diagnosis arrives or the filter changes, so drawing never filters.
    pub shown: Vec<usize>,
    /// The `/` prompt is open and typed keys edit `filter`.
    pub editing_filter: bool,
}

/// The user view: one user, verdict first, then the tabs.
#[derive(Debug, Clone)]
pub struct UserScreen {
    /// Index into `Directory::users`.
    pub user: usize,
    pub tab: Tab,
    /// Scroll positions of the Account and Fix tabs (kept within their text by `update`).
    pub account_scroll: u16,
    pub fix_scroll: u16,
    /// Boxes of the Permissions tab stacked away above the DACL, when they do not all fit
    /// (see `view::layout::permissions`).
    pub stack: usize,
    pub acl: ListView,
    pub events: ListView,
    pub diagnosis: Loading<Arc<Diagnosis>>,
    /// On a live source, the user re-read on opening (a directory of that user alone); the
    /// verdict waits for it, and comes from the loaded copy, marked so, when the DC fails.
    pub reread: Loading<Arc<Directory>>,
    /// The event open in the detail overlay (index into `Diagnosis::events`) and its scroll.
    pub event_detail: Option<usize>,
    pub detail_scroll: u16,
    /// The raw XML of the event in the detail, read from its file when the detail opens.
    pub raw_xml: Loading<String>,
}

impl UserScreen {
    pub fn new(user: usize) -> UserScreen {
        UserScreen {
            user,
            tab: Tab::Account,
            account_scroll: 0,
            fix_scroll: 0,
            stack: 0,
            acl: ListView::default(),
            events: ListView::default(),
            diagnosis: Loading::Idle,
            reread: Loading::Idle,
            event_detail: None,
            detail_scroll: 0,
            raw_xml: Loading::Idle,
        }
    }

    /// The list the current tab scrolls, if it has one.
    pub fn list_mut(&mut self) -> Option<&mut ListView> {
        match self.tab {
            Tab::Permissions => Some(&mut self.acl),
            Tab::Events => Some(&mut self.events),
            Tab::Account | Tab::Fix => None,
        }
    }
}

/// A left click on a list row, kept to tell a double click (the same row again soon) from two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Click {
    /// Since the console started (`Message::Mouse`).
    pub at: Duration,
    pub screen: Screen,
    pub tab: Option<Tab>,
    pub row: usize,
}

/// An error shown across the top until dismissed, with the work to redo if it can be retried.
#[derive(Debug, Clone, PartialEq)]
pub struct Banner {
    pub text: String,
    pub retry: Vec<Command>,
}

/// The whole console.
#[derive(Debug)]
pub struct State {
    pub settings: Settings,
    pub directory: Loading<Arc<Directory>>,
    pub events: Loading<Arc<[Event]>>,
    /// Percent of the event logs' bytes read, while they load.
    pub events_progress: Option<u8>,
    /// Bumped by every (re)load; results of older loads are dropped.
    pub generation: u64,
    pub screen: Screen,
    pub search: SearchScreen,
    pub user: Option<UserScreen>,
    pub help: bool,
    /// First line of the help shown, when it does not fit.
    pub help_scroll: u16,
    /// The `:` prompt, while open.
    pub command_line: Option<String>,
    pub banner: Option<Banner>,
    pub last_click: Option<Click>,
    /// Last known terminal size; page moves use it.
    pub size: (u16, u16),
    pub spinner: usize,
    pub quit: bool,
    /// The ticket's time, chosen with `:at`: the diagnosis evaluates there (a reset that never
    /// arrived is only visible against a time).
    pub ticket_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl State {
    pub fn new(settings: Settings, size: (u16, u16)) -> State {
        State {
            settings,
            directory: Loading::Idle,
            events: Loading::Idle,
            events_progress: None,
            generation: 0,
            screen: Screen::Search,
            search: SearchScreen::default(),
            user: None,
            help: false,
            help_scroll: 0,
            command_line: None,
            banner: None,
            last_click: None,
            size,
            spinner: 0,
            quit: false,
            ticket_at: None,
        }
    }

    /// Whether the live search has candidates left to score (the runtime then sends
    /// `Message::SearchSlice` whenever no other message waits).
    pub fn search_unfinished(&self) -> bool {
        self.search.search.progress().is_some()
    }

    /// Whether something is loading (the runtime then sends ticks for the spinner).
    pub fn busy(&self) -> bool {
        self.directory.is_loading()
            || self.events.is_loading()
            || self
                .user
                .as_ref()
                .is_some_and(|u| u.diagnosis.is_loading() || u.reread.is_loading() || u.raw_xml.is_loading())
    }

    /// The diagnosis of the user the user view shows, once it has arrived.
    pub fn current_diagnosis(&self) -> Option<&Diagnosis> {
        self.user.as_ref()?.diagnosis.ready().map(|d| d.as_ref())
    }

    /// The user the user view shows.
    pub fn current_user(&self) -> Option<&DirectoryUser> {
        let dir = self.directory.ready()?;
        dir.users.get(self.user.as_ref()?.user)
    }
}
