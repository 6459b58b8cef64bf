//! What flows into `update` (messages: keys, terminal changes, results of background work) and
//! what flows out of it (commands: requests for background work the runtime carries out).

use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::directory::Directory;
use crate::events::Event;

/// Everything that can change the state.
#[derive(Debug, Clone)]
pub enum Message {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Advances the spinner; the runtime sends it only while something is loading.
    Tick,
    /// `generation` ties a result to the request that asked for it, so a stale load after a
    /// `:reload` is dropped.
    DirectoryLoaded {
        generation: u64,
        result: Result<Arc<Directory>, String>,
    },
    EventsIngested {
        generation: u64,
        result: Result<Arc<[Event]>, String>,
    },
    ClipboardWritten(Result<(), String>),
}

/// Background work `update` asks for. The runtime executes it and answers with a `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    LoadDirectory {
        generation: u64,
    },
    IngestEvents {
        generation: u64,
    },
    /// Write `text` to the terminal's clipboard with OSC 52.
    CopyToClipboard(String),
}
