//! `resetlens` (no subcommand) and `resetlens demo`: resolve where the directory and the event
//! logs come from, then hand the console a `DataSource` over them. The demo reads the bundled
//! `sample-logs/` (snapshot + EVTX) with no DC.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use chrono::Utc;

use crate::app::{CommandError, Outcome};
use crate::cli::{ConsoleArgs, DemoArgs, SourceArgs};
use crate::config::{Auth, DirectorySource, PasswordSource, Secret, SourceConfig};
use crate::diagnosis::{diagnose, Diagnosis, DiagnosisInput};
use crate::directory::{self, Directory, Scope};
use crate::events::ingest::{ingest, IngestOptions};
use crate::events::Event;
use crate::tui::keymap::KeyBindings;
use crate::tui::runtime::{self, DataSource, Ingested};
use crate::tui::state::{Settings, SourceLabel, State};
use crate::tui::theme::Theme;

/// The snapshot file the demo tenant ships in `sample-logs/`.
pub const DEMO_SNAPSHOT: &str = "contoso-directory.snapshot.json";

/// The configured sources, read on the console's background tasks.
struct ConfiguredSource {
    cfg: SourceConfig,
}

impl DataSource for ConfiguredSource {
    fn load_directory(&self) -> anyhow::Result<Directory> {
        Ok(directory::load_blocking(&self.cfg, Scope::All { base: None })?)
    }

    fn ingest_events(&self) -> anyhow::Result<Ingested> {
        if self.cfg.evtx.is_empty() {
            return Ok(Ingested::default());
        }
        let report = ingest(&self.cfg.evtx, &IngestOptions::default(), &|_| {});
        let problems: Vec<String> = report.problems().map(|p| p.to_string()).collect();
        match problems.first() {
            Some(first) if report.events.is_empty() => Err(anyhow!("{first}")),
            _ => Ok(Ingested {
                events: report.events,
                problems,
            }),
        }
    }

    fn diagnose(&self, directory: &Directory, events: &[Event], user: usize) -> anyhow::Result<Diagnosis> {
        let user = directory
            .users
            .get(user)
            .ok_or_else(|| anyhow!("user #{user} is not in the directory"))?;
        // Every event, not the user's: whether the DCs' logs cover an attempt depends on all of them.
        Ok(diagnose(&DiagnosisInput {
            directory,
            user,
            events,
            at: self.cfg.at,
            now: Utc::now(),
        }))
    }
}

fn label(cfg: &SourceConfig) -> SourceLabel {
    let name = |p: &Path| {
        p.file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
    };
    SourceLabel {
        directory: match &cfg.directory {
            Some(DirectorySource::Ldap(l)) => format!("DC {}", l.url),
            Some(DirectorySource::Snapshot(p)) => format!("snapshot {}", name(p)),
            None => "no directory".into(),
        },
        evtx: cfg.evtx.iter().map(|p| name(p)).collect(),
        connector: cfg.connector.clone(),
    }
}

/// The console draws over the terminal, so a password prompt cannot happen on a background task
/// later: ask now, before the screen switches, and keep the answer in the config in memory only
/// (never the environment, the command line or a file; its `Debug` is redacted).
fn prompt_password_first(cfg: &mut SourceConfig) -> Result<(), CommandError> {
    let Some(DirectorySource::Ldap(l)) = cfg.directory.as_mut() else {
        return Ok(());
    };
    if let Auth::Simple {
        bind_dn,
        password: password @ PasswordSource::Prompt,
    } = &mut l.auth
    {
        let pw = rpassword::prompt_password(format!("Password for {bind_dn}: "))
            .map_err(|e| CommandError::Input(anyhow!("cannot read the password: {e}")))?;
        *password = PasswordSource::Given(Secret::new(pw));
    }
    Ok(())
}

fn open(cfg: SourceConfig, console: &ConsoleArgs) -> Result<Outcome, CommandError> {
    let theme = Theme::from_env(cfg.console.theme);
    let mouse = runtime::mouse_wanted(console.mouse, Some(cfg.console.mouse), runtime::over_ssh());
    let settings = Settings {
        keys: KeyBindings::default(),
        theme,
        source: label(&cfg),
        now: cfg.at.unwrap_or_else(Utc::now),
    };
    let state = State::new(settings, (80, 24));
    runtime::run(state, Arc::new(ConfiguredSource { cfg }), mouse).map_err(CommandError::Internal)?;
    Ok(Outcome::Clean)
}

pub fn run(source: &SourceArgs, console: &ConsoleArgs) -> Result<Outcome, CommandError> {
    let mut cfg = SourceConfig::resolve(source).map_err(|e| CommandError::Input(e.into()))?;
    if cfg.directory.is_none() {
        return Err(CommandError::Input(anyhow!(
            "{} (or try `resetlens demo` for the bundled sample tenant)",
            directory::DirectoryError::NoSource
        )));
    }
    prompt_password_first(&mut cfg)?;
    open(cfg, console)
}

/// `sample-logs/` next to the crate, unless `--data DIR` says otherwise.
pub fn demo_dir(args: &DemoArgs) -> PathBuf {
    args.data
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs"))
}

pub fn run_demo(
    args: &DemoArgs,
    source: &SourceArgs,
    console: &ConsoleArgs,
) -> Result<Outcome, CommandError> {
    let data = demo_dir(args);
    let snapshot = data.join(DEMO_SNAPSHOT);
    if !snapshot.is_file() {
        return Err(CommandError::Input(anyhow!(
            "no demo data: {} does not exist (give --data DIR with {DEMO_SNAPSHOT} and .evtx files)",
            snapshot.display()
        )));
    }
    let mut cfg = SourceConfig::resolve(source).map_err(|e| CommandError::Input(e.into()))?;
    cfg.directory = Some(DirectorySource::Snapshot(snapshot));
    cfg.evtx = vec![data];
    open(cfg, console)
}
