//! `resetlens events`: reads the EVTX files, optionally narrows to one user, a time range and
//! event IDs, and prints the normalized timeline oldest first (text, or JSON Lines of the
//! contract's EVENT objects). Per-file read/skip counts and problems go to stderr, with a
//! progress bar while reading when stderr is a terminal.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use chrono::{DateTime, Utc};

use super::flag_hints::directory_input;
use super::{CommandError, Outcome};
use crate::cli::{EventsArgs, EventsFormat, SourceArgs};
use crate::diagnosis::correlation::user_key;
use crate::directory::model::Directory;
use crate::directory::{self, Scope};
use crate::events::correlate::UserKey;
use crate::events::ingest::{ingest_each, FileSummary, IngestOptions, Progress};
use crate::events::timeline::{LineBatch, TimelineSorter, DEFAULT_BUDGET};
use crate::events::{Event, EventView, ViewTexts};
use crate::sanitize::line;

pub fn run(args: &EventsArgs, source: &SourceArgs) -> Result<Outcome, CommandError> {
    // The directory is needed only to resolve --user to its SIDs and anchors.
    let cfg = super::source_config(source, args.user.is_some())?;
    let directory = match (&args.user, &cfg.directory.source) {
        (Some(user), Some(_)) => Some(
            directory::load_blocking(&cfg.directory, Scope::Users(vec![user.clone()]))
                .map_err(directory_input)?,
        ),
        _ => None,
    };
    run_with(args, &cfg.evtx, directory.as_ref())
}

/// The command with its directory already loaded (`None`: no directory source). With a
/// directory, `--user` is resolved to the user and matched by SID and anchors too.
pub fn run_with(
    args: &EventsArgs,
    evtx: &[PathBuf],
    directory: Option<&Directory>,
) -> Result<Outcome, CommandError> {
    if evtx.is_empty() {
        return Err(CommandError::Input(anyhow!(
            "no event logs given: pass --evtx FILE or --evtx DIRECTORY (repeatable)"
        )));
    }
    let since = parse_instant("--since", args.since.as_deref())?;
    let until = parse_instant("--until", args.until.as_deref())?;
    let key = match (&args.user, directory) {
        (None, _) => None,
        (Some(user), Some(dir)) => Some(user_key(
            dir.find_user(user)
                .map_err(|e| CommandError::Input(anyhow!("{e}")))?,
        )),
        (Some(user), None) => {
            eprintln!(
                "resetlens: no directory source: matching '{}' by name only (UPN, sAMAccountName, DN); \
                 events that carry only a SID or a source anchor are not matched",
                line(user)
            );
            Some(UserKey::from_name(user))
        }
    };

    let mut options = IngestOptions {
        ids: (!args.ids.is_empty()).then(|| args.ids.clone()),
        ..IngestOptions::default()
    };
    // For benchmarks and constrained hosts; the default is one worker per CPU.
    if let Some(n) = std::env::var("RESETLENS_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        options.threads = n;
    }
    let bar = ProgressBar::new(io::stderr().is_terminal());
    // Events are filtered and rendered on the readers' threads as they are read; only their
    // lines are kept, in a sorter whose memory is bounded (it spills to temporary files): the
    // timeline of a whole DC log fits.
    let in_range = |e: &Event| since.map_or(true, |s| e.time >= s) && until.map_or(true, |u| e.time < u);
    let render = |e: &Event, batch: &mut LineBatch| {
        if key.as_ref().map_or(true, |k| k.matches(e)) && in_range(e) {
            batch.push(e, |out| render_one(e, args.format, out));
        }
    };
    let mut sorter = TimelineSorter::new(DEFAULT_BUDGET);
    let mut failed: Option<io::Error> = None;
    let files = ingest_each(evtx, &options, &|p| bar.update(&p), &render, &mut |batch| {
        if failed.is_none() {
            failed = sorter.push(batch).err();
        }
    });
    bar.finish();
    print_file_summaries(&files);
    // Spilling a long timeline needs a writable temporary directory: the user's to fix.
    if let Some(e) = failed {
        return Err(CommandError::Input(anyhow!("cannot order the timeline: {e}")));
    }
    if files.iter().all(|f| f.records_read == 0) {
        return Err(CommandError::Input(anyhow!(
            "none of the given event logs could be read (see the problems above)"
        )));
    }

    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match sorter.finish(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(Outcome::Clean),
        // The reader has all it wanted (`| head`).
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Outcome::Clean),
        Err(e) => Err(CommandError::Input(anyhow!("cannot write the timeline: {e}"))),
    }
}

fn parse_instant(flag: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, CommandError> {
    value
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    CommandError::Input(anyhow!("{flag} '{}': not an RFC 3339 instant ({e})", line(v)))
                })
        })
        .transpose()
}

thread_local! {
    /// One per reader thread: each event's view reuses the previous one's buffers.
    static VIEW_TEXTS: RefCell<ViewTexts> = RefCell::default();
}

/// Writes one event's timeline line: a JSON object, or a text line.
pub fn render_one(e: &Event, format: EventsFormat, out: &mut Vec<u8>) -> io::Result<()> {
    VIEW_TEXTS.with_borrow_mut(|texts| write_line(&e.view_in(texts), format, out))
}

/// The timeline line of an event's view: whichever way the view was made (`view_in` here,
/// `view` in the test that holds the two equal), the line is the same.
pub fn write_line(v: &EventView, format: EventsFormat, out: &mut Vec<u8>) -> io::Result<()> {
    match format {
        EventsFormat::Json => v.write_json_line(out),
        EventsFormat::Text => writeln!(
            out,
            "{}  {:<16} {:>5}  {:<30} {}",
            v.time, v.machine, v.event_id, v.name, v.summary
        ),
    }
}

fn print_file_summaries(files: &[FileSummary]) {
    for f in files {
        eprintln!(
            "{}: {} records read, {} skipped",
            line(&f.path.display().to_string()),
            f.records_read,
            f.records_skipped
        );
        for p in &f.problems {
            eprintln!("  {}", line(&p.to_string()));
        }
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
struct ProgressBar {
    enabled: bool,
    last: Mutex<Option<Instant>>,
}

impl ProgressBar {
    fn new(enabled: bool) -> ProgressBar {
        ProgressBar {
            enabled,
            last: Mutex::new(None),
        }
    }

    fn update(&self, p: &Progress) {
        if !self.enabled {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let now = Instant::now();
        if last.is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
            && p.bytes_done < p.bytes_total
        {
            return;
        }
        *last = Some(now);
        let percent = (p.bytes_done * 100).checked_div(p.bytes_total).unwrap_or(100);
        let filled = (percent / 5) as usize;
        eprint!(
            "\r[{}{}] {percent:>3}%  {} / {} MB  {} records",
            "#".repeat(filled),
            " ".repeat(20 - filled.min(20)),
            p.bytes_done / 1_000_000,
            p.bytes_total / 1_000_000,
            p.records_read
        );
    }

    fn finish(&self) {
        if self.enabled && self.last.lock().is_ok_and(|l| l.is_some()) {
            eprint!("\r{}\r", " ".repeat(72));
        }
    }
}
