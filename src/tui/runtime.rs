//! The impure edge of the console: owns the terminal (raw mode, alternate screen, optional mouse
//! capture, restored on every exit path including panics), reads input on a thread, runs
//! `Command`s on tokio's blocking pool and feeds everything back into `update` as `Message`s over
//! one channel. It draws only after a message changed something, ticks only while loading, and
//! lets an unfinished search score its next slice whenever no message waits.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
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

use super::message::{Command, JobFailure, JobResult, LoadedDirectory, Message};
use super::state::State;
use super::{clipboard, update, view};
use crate::diagnosis::Diagnosis;
use crate::directory::Directory;
use crate::events::Event;

/// Where the console's data comes from. The command edge implements it over LDAP, snapshots and
/// EVTX files; tests implement it with fixed data. Calls block and run off the UI thread.
pub trait DataSource: Send + Sync + 'static {
    fn load_directory(&self) -> anyhow::Result<Directory>;
    /// Reads the event logs, calling `progress` with the percent of their bytes read (from the
    /// reader threads, often: the caller keeps what it forwards small).
    fn ingest_events(&self, progress: &(dyn Fn(u8) + Sync)) -> anyhow::Result<Ingested>;
    /// `at`: the instant to evaluate at when the console chose one (`:at`).
    fn diagnose(
        &self,
        directory: &Directory,
        events: &[Event],
        user: usize,
        at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> anyhow::Result<Diagnosis>;
    /// The user `dn` as the live source has it now, in a directory of that user alone.
    fn reread_user(&self, dn: &str) -> anyhow::Result<Directory>;
    /// One record's XML for the event detail (see `events::raw::record_xml`).
    fn raw_xml(&self, file: &str, position: u64) -> anyhow::Result<String> {
        Ok(crate::events::raw::record_xml(
            std::path::Path::new(file),
            position,
        )?)
    }
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
        let ui = std::thread::current().id();
        std::panic::set_hook(Box::new(move |info| {
            // A contained panic is its caller's to report. One on another thread while the
            // console runs is reported by the job it ran in, as a failure the console shows:
            // the console goes on, so the terminal stays as it is and nothing is printed over it.
            if crate::panics::is_contained()
                || (std::thread::current().id() != ui && in_hook.load(Ordering::SeqCst))
            {
                return;
            }
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

/// Runs `work` on the blocking pool and sends what `done` makes of its result. A panic in the work
/// (a bug, or a parser tripping over hostile bytes) becomes a failure like any other, so the
/// console shows it and can retry rather than wait for an answer that never comes.
fn job<T, M>(
    rt: &tokio::runtime::Runtime,
    tx: &Sender<Message>,
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    done: impl FnOnce(JobResult<T>) -> M + Send + 'static,
) where
    M: IntoIterator<Item = Message>,
{
    let tx = tx.clone();
    rt.spawn_blocking(move || {
        let result = match crate::panics::contained(work) {
            Ok(r) => r.map_err(|e| JobFailure::Failed(error_text(&e))),
            Err(panic) => Err(JobFailure::Panicked(crate::sanitize::line(
                crate::panics::message(panic.as_ref()),
            ))),
        };
        for msg in done(result) {
            let _ = tx.send(msg);
        }
    });
}

fn execute(cmd: Command, rt: &tokio::runtime::Runtime, source: &Arc<dyn DataSource>, tx: &Sender<Message>) {
    let source = Arc::clone(source);
    match cmd {
        Command::LoadDirectory { generation } => job(
            rt,
            tx,
            move || source.load_directory().map(LoadedDirectory::new),
            move |result| [Message::DirectoryLoaded { generation, result }],
        ),
        Command::IngestEvents { generation } => {
            let progress = tx.clone();
            job(
                rt,
                tx,
                move || {
                    let shown = AtomicU8::new(0);
                    source.ingest_events(&|percent| {
                        // Readers report every chunk (40,000 for a 2.6 GB log): only a new percent
                        // goes out, at most 100 messages.
                        if shown.fetch_max(percent, Ordering::Relaxed) < percent {
                            let _ = progress.send(Message::EventsProgress { generation, percent });
                        }
                    })
                },
                move |result| {
                    let (result, problems) = match result {
                        Ok(Ingested { events, problems }) => (Ok(Arc::from(events)), problems),
                        Err(e) => (Err(e), Vec::new()),
                    };
                    let warning = problems.first().map(|first| {
                        let more = match problems.len() {
                            1 => String::new(),
                            n => format!(" (and {} more)", n - 1),
                        };
                        let text = format!("some event log records could not be read: {first}{more}");
                        Message::Warning(crate::sanitize::line(&text))
                    });
                    std::iter::once(Message::EventsIngested { generation, result }).chain(warning)
                },
            )
        }
        Command::Diagnose {
            generation,
            directory,
            events,
            user,
            index,
            at,
        } => job(
            rt,
            tx,
            move || source.diagnose(&directory, &events, index, at).map(Arc::new),
            move |result| {
                [Message::DiagnosisReady {
                    generation,
                    user,
                    at,
                    result,
                }]
            },
        ),
        Command::RereadUser { generation, user, dn } => job(
            rt,
            tx,
            move || source.reread_user(&dn).map(Arc::new),
            move |result| {
                [Message::UserReread {
                    generation,
                    user,
                    result,
                }]
            },
        ),
        Command::MarkFailures {
            generation,
            directory,
            events,
        } => job(
            rt,
            tx,
            move || Ok(super::rows::users_with_recent_failures(&directory, &events)),
            move |users| [Message::FailuresMarked { generation, users }],
        ),
        Command::ReadRawXml { file, position } => {
            let asked = file.clone();
            job(
                rt,
                tx,
                move || source.raw_xml(&asked, position),
                move |result| {
                    [Message::RawXmlRead {
                        file,
                        position,
                        result,
                    }]
                },
            );
        }
        Command::CopyToClipboard(text) => {
            // Written straight to the terminal, between frames, on the UI thread: the only writer.
            let mut out = io::stdout();
            let result = out
                .write_all(clipboard::osc52(&text).as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| JobFailure::Failed(e.to_string()));
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
    // The end-to-end tests force a panic here to see the terminal restored.
    #[cfg(debug_assertions)]
    crate::panics::forced("ui");
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

    /// A source whose every call is a bug.
    struct Panicking;

    impl DataSource for Panicking {
        fn load_directory(&self) -> anyhow::Result<Directory> {
            panic!("load bug")
        }
        fn ingest_events(&self, _: &(dyn Fn(u8) + Sync)) -> anyhow::Result<Ingested> {
            panic!("ingest bug")
        }
        fn diagnose(
            &self,
            _: &Directory,
            _: &[Event],
            _: usize,
            _: Option<chrono::DateTime<chrono::Utc>>,
        ) -> anyhow::Result<Diagnosis> {
            panic!("diagnose bug")
        }
        fn raw_xml(&self, _: &str, _: u64) -> anyhow::Result<String> {
            panic!("xml bug")
        }
        fn reread_user(&self, _: &str) -> anyhow::Result<Directory> {
            panic!("reread bug")
        }
    }

    /// A job that panics answers anyway, with a failure naming the bug: before, it sent nothing
    /// and the console waited (spinner turning) for ever.
    #[test]
    fn a_background_job_that_panics_answers_with_a_failure() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let source: Arc<dyn DataSource> = Arc::new(Panicking);
        let (tx, rx) = mpsc::channel();
        let directory = Arc::new(crate::testkit::contoso::directory());
        for cmd in [
            Command::LoadDirectory { generation: 1 },
            Command::IngestEvents { generation: 1 },
            Command::Diagnose {
                generation: 1,
                directory,
                events: Arc::from(Vec::new()),
                user: 0,
                index: 0,
                at: None,
            },
            Command::RereadUser {
                generation: 1,
                user: 0,
                dn: "CN=x".into(),
            },
            Command::ReadRawXml {
                file: "x.evtx".into(),
                position: 7,
            },
        ] {
            execute(cmd, &rt, &source, &tx);
            let failure = match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Message::DirectoryLoaded { result, .. }) => result.err(),
                Ok(Message::EventsIngested { result, .. }) => result.err(),
                Ok(Message::DiagnosisReady { result, .. }) => result.err(),
                Ok(Message::RawXmlRead { result, .. }) => result.err(),
                Ok(Message::UserReread { result, .. }) => result.err(),
                other => panic!("no answer: {other:?}"),
            };
            assert!(
                matches!(&failure, Some(JobFailure::Panicked(m)) if m.ends_with(" bug")),
                "{failure:?}"
            );
        }
        rt.shutdown_background();
    }

    #[test]
    fn mouse_only_when_asked_and_not_over_ssh_from_config() {
        assert!(!mouse_wanted(false, None, false));
        assert!(mouse_wanted(true, None, true));
        assert!(mouse_wanted(false, Some(true), false));
        assert!(!mouse_wanted(false, Some(true), true));
    }
}
