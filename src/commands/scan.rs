//! `resetlens scan [--base DN] [--format text|markdown|json|csv]`: every user in scope, who would fail
//! writeback and why, grouped by cause. Users arrive a page at a time (live or from a snapshot),
//! each is diagnosed and reduced to a row at once, and only rows and counters leave the loop, so
//! memory does not grow with the number of users. A progress line goes to stderr on a terminal.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::diagnose::read_events;
use super::flag_hints::directory_input;
use super::{CommandError, Outcome};
use crate::cli::{ScanArgs, SourceArgs};
use crate::diagnosis::Scan;
use crate::directory::{self, block_on, DirectoryError};
use crate::report::scan::{ScanFormat, ScanRow, ScanTotals, ScanWriter};

pub fn run(args: &ScanArgs, source: &SourceArgs) -> Result<Outcome, CommandError> {
    let cfg = super::source_config(source, true)?;
    let events = read_events(&cfg)?;
    let stdout = io::stdout().lock();
    let mut writer = ScanWriter::new(io::BufWriter::new(stdout), args.format).map_err(internal)?;
    let mut progress = Progress::new(io::stderr().is_terminal());
    let now = Utc::now();
    let mut scan = Scan::new(&events, cfg.at, now);

    // Outer error: the directory failed; inner error: writing the output failed.
    let walked: Result<io::Result<()>, DirectoryError> = block_on(async {
        let mut stream = directory::users_stream(&cfg.directory, args.base.as_deref()).await?;
        while let Some(page) = stream.next_page().await? {
            let context = stream.context();
            for user in &page {
                let d = scan.diagnose(context, user);
                let row = ScanRow::of(&d);
                if let Err(e) = writer.row(&row) {
                    return Ok(Err(e));
                }
                progress.tick(&writer.totals);
            }
        }
        Ok(Ok(()))
    });
    progress.clear();
    let totals = match walked {
        Ok(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Outcome::Clean),
        Ok(Err(e)) => return Err(internal(e)),
        Err(e) => {
            // What was already printed stays valid; say where the walk stopped.
            let _ = writer.finish();
            return Err(directory_input(e));
        }
        Ok(Ok(())) => match writer.finish() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Outcome::Clean),
            other => other.map_err(internal)?,
        },
    };
    if args.format == ScanFormat::Csv && io::stderr().is_terminal() {
        let _ = totals.render_text(&mut io::stderr());
    }
    Ok(if totals.would_fail > 0 {
        Outcome::Blocked
    } else {
        Outcome::Clean
    })
}

fn internal(e: io::Error) -> CommandError {
    CommandError::Internal(e.into())
}

/// "scanned N users, M would fail" on stderr, redrawn at most every 100 ms; only on a terminal.
struct Progress {
    enabled: bool,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            last: Instant::now(),
        }
    }

    fn tick(&mut self, totals: &ScanTotals) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(100) {
            return;
        }
        self.last = Instant::now();
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kscanning: {} users, {} would fail",
            totals.users, totals.would_fail
        );
        let _ = err.flush();
    }

    fn clear(&self) {
        if self.enabled {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
