//! The impure edge of the console: owns the terminal (raw mode, alternate screen, optional mouse
//! capture, restored on every exit path including panics), reads input on a thread, runs
//! `Command`s on tokio's blocking pool and feeds everything back into `update` as `Message`s over
//! one channel. It draws only after a message changed something, ticks only while loading, and
//! lets an unfinished search score its next slice whenever no message waits.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::ExecutableCommand;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use super::message::{Command, LoadedDirectory, Message};
use super::state::State;
use super::{clipboard, update, view};
use crate::diagnosis::Diagnosis;
use crate::directory::Directory;
use crate::events::Event;

/// Where the console's data comes from. The command edge implements it over LDAP, snapshots and
/// EVTX files; tests implement it with fixed data. Calls block and run off the UI thread.
pub trait DataSource: Send + Sync + 'static {
    fn load_directory(&self) -> anyhow::Result<Directory>;
    fn ingest_events(&self) -> anyhow::Result<Ingested>;
    /// `at`: the instant to evaluate at when the console chose one (`:at`).
    fn diagnose(
        &self,
        directory: &Directory,
        events: &[Event],
        user: usize,
        at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> anyhow::Result<Diagnosis>;
}

/// What reading the event logs gave: the events, and what could not be read (damaged chunks or
/// records, with file and offset), which the console shows as a warning rather than failing.
#[derive(Debug, Default)]
pub struct Ingested {
    pub events: Vec<Event>,
    pub problems: Vec<String>,
}

/// How often the spinner turns while something loads.
const TICK: Duration = Duration::from_millis(120);

/// Puts the terminal back the way it was: on drop (normal return, `?`) and from the panic hook.
/// Once only: a second "leave the alternate screen" (the hook, then the drop while unwinding)
/// makes terminals restore the saved cursor again, over what was printed in between.
struct TerminalGuard {
    mouse: bool,
    active: Arc<AtomicBool>,
}

fn restore_terminal(mouse: bool, active: &AtomicBool) {
    if !active.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if mouse {
        let _ = out.execute(DisableMouseCapture);
    }
    let _ = out.execute(DisableBracketedPaste);
    let _ = out.execute(LeaveAlternateScreen);
    let _ = out.execute(crossterm::cursor::Show);
    let _ = terminal::disable_raw_mode();
}

impl TerminalGuard {
    fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        let active = Arc::new(AtomicBool::new(true));
        let in_hook = Arc::clone(&active);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal(mouse, &in_hook);
            previous(info);
        }));
        terminal::enable_raw_mode()?;
        let guard = TerminalGuard { mouse, active };
        let mut out = io::stdout();
        out.execute(EnterAlternateScreen)?;
        out.execute(EnableBracketedPaste)?;
        if mouse {
            out.execute(EnableMouseCapture)?;
        }
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal(self.mouse, &self.active);
    }
}

/// Whether to capture the mouse: only when asked (`--mouse` or the config), and over SSH only when
/// asked on the command line, because capture breaks select-to-copy in the remote terminal.
pub fn mouse_wanted(flag: bool, config: Option<bool>, over_ssh: bool) -> bool {
    flag || (config == Some(true) && !over_ssh)
}

pub fn over_ssh() -> bool {
    std::env::var_os("SSH_CONNECTION").is_some() || std::env::var_os("SSH_TTY").is_some()
}

fn spawn_input(tx: Sender<Message>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while !stop.load(Ordering::Relaxed) {
            match event::poll(Duration::from_millis(100)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => break,
            }
            let msg = match event::read() {
                Ok(event::Event::Key(k)) => Message::Key(k),
                Ok(event::Event::Mouse(event)) => Message::Mouse {
                    event,
                    at: started.elapsed(),
                },
                Ok(event::Event::Paste(p)) => Message::Paste(p),
                Ok(event::Event::Resize(width, height)) => Message::Resize { width, height },
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

fn error_text(e: &anyhow::Error) -> String {
    crate::sanitize::line(&format!("{e:#}"))
}

fn execute(cmd: Command, rt: &tokio::runtime::Runtime, source: &Arc<dyn DataSource>, tx: &Sender<Message>) {
    let tx = tx.clone();
    match cmd {
        Command::LoadDirectory { generation } => {
            let source = Arc::clone(source);
            rt.spawn_blocking(move || {
                let result = source
                    .load_directory()
                    .map(LoadedDirectory::new)
                    .map_err(|e| error_text(&e));
                let _ = tx.send(Message::DirectoryLoaded { generation, result });
            });
        }
        Command::IngestEvents { generation } => {
            let source = Arc::clone(source);
            rt.spawn_blocking(move || {
                let (result, problems) = match source.ingest_events() {
                    Ok(Ingested { events, problems }) => (Ok(Arc::from(events)), problems),
                    Err(e) => (Err(error_text(&e)), Vec::new()),
                };
                let _ = tx.send(Message::EventsIngested { generation, result });
                if let Some(first) = problems.first() {
                    let more = match problems.len() {
                        1 => String::new(),
                        n => format!(" (and {} more)", n - 1),
                    };
                    let text = format!("some event log records could not be read: {first}{more}");
                    let _ = tx.send(Message::Warning(crate::sanitize::line(&text)));
                }
            });
        }
        Command::Diagnose {
            generation,
            directory,
            events,
            user,
            at,
        } => {
            let source = Arc::clone(source);
            rt.spawn_blocking(move || {
                let result = source
                    .diagnose(&directory, &events, user, at)
                    .map(Arc::new)
                    .map_err(|e| error_text(&e));
                let _ = tx.send(Message::DiagnosisReady {
                    generation,
                    user,
                    at,
                    result,
                });
            });
        }
        Command::MarkFailures {
            generation,
            directory,
            events,
        } => {
            rt.spawn_blocking(move || {
                let users = super::rows::users_with_recent_failures(&directory, &events);
                let _ = tx.send(Message::FailuresMarked { generation, users });
            });
        }
        Command::ReadRawXml { file, position } => {
            rt.spawn_blocking(move || {
                let result = crate::events::raw::record_xml(std::path::Path::new(&file), position)
                    .map_err(|e| crate::sanitize::line(&e.to_string()));
                let _ = tx.send(Message::RawXmlRead {
                    file,
                    position,
                    result,
                });
            });
        }
        Command::CopyToClipboard(text) => {
            // Written straight to the terminal, between frames, on the UI thread: the only writer.
            let mut out = io::stdout();
            let result = out
                .write_all(clipboard::osc52(&text).as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| e.to_string());
            let _ = tx.send(Message::ClipboardWritten(result));
        }
    }
}

/// Runs the console until the user quits. `state` comes configured; loading starts here.
pub fn run(mut state: State, source: Arc<dyn DataSource>, mouse: bool) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let guard = TerminalGuard::enter(mouse)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let size = terminal.size()?;
    state.size = (size.width, size.height);
    let (tx, rx): (Sender<Message>, Receiver<Message>) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    spawn_input(tx.clone(), Arc::clone(&stop));
    for cmd in update::load_all(&mut state) {
        execute(cmd, &rt, &source, &tx);
    }
    terminal.draw(|f| view::draw(f, &state))?;
    // The end-to-end tests force a panic here to see the terminal restored (debug builds only).
    #[cfg(debug_assertions)]
    if std::env::var_os("RESETLENS_TEST_PANIC").is_some() {
        panic!("forced by RESETLENS_TEST_PANIC");
    }
    while !state.quit {
        let msg = if state.search_unfinished() {
            // Keys and results first; the search goes on only when nothing else waits.
            match rx.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) => Message::SearchSlice,
                Err(TryRecvError::Disconnected) => break,
            }
        } else if state.busy() {
            match rx.recv_timeout(TICK) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => Message::Tick,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(m) => m,
                Err(_) => break,
            }
        };
        let mut pending = vec![msg];
        // Drain what is already queued so a burst of keys (a paste, fast typing) draws once.
        pending.extend(rx.try_iter());
        for msg in pending {
            if let Message::Resize { .. } = msg {
                terminal.autoresize()?;
            }
            for cmd in update::update(&mut state, msg) {
                execute(cmd, &rt, &source, &tx);
            }
        }
        if !state.quit {
            terminal.draw(|f| view::draw(f, &state))?;
        }
    }
    stop.store(true, Ordering::Relaxed);
    drop(terminal);
    drop(guard);
    rt.shutdown_background();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mouse_only_when_asked_and_not_over_ssh_from_config() {
        assert!(!mouse_wanted(false, None, false));
        assert!(mouse_wanted(true, None, true));
        assert!(mouse_wanted(false, Some(true), false));
        assert!(!mouse_wanted(false, Some(true), true));
    }
}
