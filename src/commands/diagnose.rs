//! `resetlens diagnose USER [--format text|markdown|json]`: read the user (live or snapshot) and
//! the event logs, diagnose, print one report. Exit 0 when nothing blocks, 1 on a blocking
//! finding, 2 on input errors (unknown or ambiguous user, unreadable file, bind failure).

use std::io::{self, IsTerminal, Write};

use anyhow::anyhow;
use chrono::Utc;

use super::flag_hints::directory_input;
use super::{CommandError, Outcome};
use crate::cli::{DiagnoseArgs, ReportFormat, SourceArgs};
use crate::config::SourceConfig;
use crate::diagnosis::{self, Diagnosis, DiagnosisInput};
use crate::directory::{self, Scope};
use crate::events::ingest::{ingest, IngestOptions};
use crate::events::Event;
use crate::report::{json, markdown, text};
use crate::sanitize::line;

pub fn run(args: &DiagnoseArgs, source: &SourceArgs) -> Result<Outcome, CommandError> {
    let cfg = super::source_config(source, true)?;
    let dir = directory::load_blocking(&cfg.directory, Scope::Users(vec![args.user.clone()]))
        .map_err(directory_input)?;
    let user = dir
        .find_user(&args.user)
        .map_err(|e| CommandError::Input(e.into()))?;
    let events = read_events(&cfg)?;
    let d = diagnosis::diagnose(&DiagnosisInput {
        directory: &dir,
        user,
        events: &events,
        at: cfg.at,
        now: Utc::now(),
    });
    write_report(&d, args.format).map_err(|e| CommandError::Internal(e.into()))?;
    Ok(if d.is_blocked() {
        Outcome::Blocked
    } else {
        Outcome::Clean
    })
}

/// Every event of interest in the `--evtx` paths. A file that yields nothing because it cannot be
/// read is an input error; damage inside a file is reported and the rest is used.
pub(crate) fn read_events(cfg: &SourceConfig) -> Result<Vec<Event>, CommandError> {
    if cfg.evtx.is_empty() {
        return Ok(Vec::new());
    }
    let report = ingest(&cfg.evtx, &IngestOptions::default(), &|_| {});
    if let Some(unreadable) = report
        .files
        .iter()
        .find(|f| f.records_read == 0 && f.problems.iter().any(|p| p.chunk.is_none()))
    {
        let why = unreadable
            .problems
            .first()
            .map_or(String::new(), |p| p.to_string());
        return Err(CommandError::Input(anyhow!("cannot read {why}")));
    }
    for p in report.problems() {
        eprintln!("resetlens: warning: {}", line(&p.to_string()));
    }
    Ok(report.events)
}

/// Colour on a terminal unless NO_COLOR is set (and not empty), per no-color.org.
pub(crate) fn use_color() -> bool {
    io::stdout().is_terminal() && !std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn write_report(d: &Diagnosis, format: ReportFormat) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = match format {
        ReportFormat::Text => text::render(d, text::Style { color: use_color() }, &mut out),
        ReportFormat::Markdown => markdown::render(d, &mut out),
        ReportFormat::Json => json::render(d, &mut out),
    }
    .and_then(|()| out.flush());
    // A closed pipe (`| head`) is the reader's choice, not a failure.
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
