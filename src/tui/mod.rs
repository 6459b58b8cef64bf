//! The console, built on The Elm Architecture: one `State` (split per screen), `Message`s for keys
//! and for results of background work, a pure `update` that returns `Command`s, and views that only
//! draw. `runtime` owns the terminal and carries commands out on background tasks. See
//! ARCHITECTURE.md for the flow.

pub mod clipboard;
pub mod keymap;
pub mod message;
pub mod rows;
pub mod runtime;
pub mod search;
pub mod state;
pub mod theme;
pub mod update;
pub mod view;
pub mod widgets;

pub use message::{Command, LoadedDirectory, Message};
pub use state::State;
pub use update::update;
