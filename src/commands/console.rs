//! `resetlens` (no subcommand) and `resetlens demo`: resolve where the directory and the event
//! logs come from, then hand the console a `DataSource` over them. The demo needs no DC: it reads
//! `--data DIR`, or the built-in demo tenant (the generator behind `sample-logs/`) written to a
//! private temporary directory, so an installed binary with no files beside it can run it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use chrono::Utc;

use super::flag_hints::with_flag_hint;
use super::{CommandError, Outcome};
use crate::cli::{ConsoleArgs, DemoArgs, SourceArgs};
use crate::config::SourceConfig;
use crate::demo_tenant::{self, DemoError};
use crate::diagnosis::{diagnose, Diagnosis, DiagnosisInput};
use crate::directory::{
    self, Auth, Directory, DirectoryError, DirectorySource, PasswordSource, Scope, Secret,
};
use crate::events::ingest::{ingest, IngestOptions};
use crate::events::Event;
use crate::tui::keymap::KeyBindings;
use crate::tui::runtime::{self, DataSource, Ingested};
use crate::tui::state::{Settings, SourceLabel, State};
use crate::tui::theme::Theme;

/// The configured sources, read on the console's background tasks.
struct ConfiguredSource {
    cfg: SourceConfig,
}

impl DataSource for ConfiguredSource {
    fn load_directory(&self) -> anyhow::Result<Directory> {
        directory::load_blocking(&self.cfg.directory, Scope::All { base: None }).map_err(with_flag_hint)
    }

    fn ingest_events(&self, progress: &(dyn Fn(u8) + Sync)) -> anyhow::Result<Ingested> {
        // The end-to-end tests force a bug in this job, and a panic the job contains (as the
        // reader does for a chunk the evtx crate trips over), to see the console carry on.
        #[cfg(debug_assertions)]
        {
            let _ = crate::panics::contained(|| crate::panics::forced("contained"));
            crate::panics::forced("ingest");
        }
        if self.cfg.evtx.is_empty() {
            return Ok(Ingested::default());
        }
        let report = ingest(&self.cfg.evtx, &IngestOptions::default(), &|p| {
            let percent = (p.bytes_done.saturating_mul(100) / p.bytes_total.max(1)).min(100);
            progress(u8::try_from(percent).unwrap_or(100));
        });
        let problems: Vec<String> = report.problems().map(|p| p.to_string()).collect();
        match problems.first() {
            Some(first) if report.events.is_empty() => Err(anyhow!("{first}")),
            _ => Ok(Ingested {
                events: report.events,
                problems,
            }),
        }
    }

    fn reread_user(&self, dn: &str) -> anyhow::Result<Directory> {
        directory::load_blocking(&self.cfg.directory, Scope::Users(vec![dn.to_string()]))
            .map_err(with_flag_hint)
    }

    fn diagnose(
        &self,
        directory: &Directory,
        events: &[Event],
        user: usize,
        at: Option<chrono::DateTime<Utc>>,
    ) -> anyhow::Result<Diagnosis> {
        let user = directory
            .users
            .get(user)
            .ok_or_else(|| anyhow!("user #{user} is not in the directory"))?;
        // Every event, not the user's: whether the DCs' logs cover an attempt depends on all of them.
        Ok(diagnose(&DiagnosisInput {
            directory,
            user,
            events,
            at: at.or(self.cfg.at),
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
        directory: match &cfg.directory.source {
            Some(DirectorySource::Ldap(l)) => format!("DC {}", l.url),
            Some(DirectorySource::Snapshot(p)) => format!("snapshot {}", name(p)),
            None => "no directory".into(),
        },
        evtx: cfg.evtx.iter().map(|p| name(p)).collect(),
        connector: cfg.directory.connector.clone(),
        live: matches!(cfg.directory.source, Some(DirectorySource::Ldap(_))),
    }
}

/// The console draws over the terminal, so a password prompt cannot happen on a background task
/// later: ask now, before the screen switches, and keep the answer in the config in memory only
/// (never the environment, the command line or a file; its `Debug` is redacted).
fn prompt_password_first(cfg: &mut SourceConfig) -> Result<(), CommandError> {
    let Some(DirectorySource::Ldap(l)) = cfg.directory.source.as_mut() else {
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
    let mut cfg = super::source_config(source, true)?;
    if cfg.directory.source.is_none() {
        return Err(CommandError::Input(anyhow!(
            "{} (or try `resetlens demo` for the built-in sample tenant)",
            with_flag_hint(DirectoryError::NoSource)
        )));
    }
    prompt_password_first(&mut cfg)?;
    open(cfg, console)
}

/// The built-in tenant written as files, because the console reads event logs (and, for an
/// event's detail, its raw XML) from files. The folder is named `sample-logs` inside a private
/// temporary directory (mode 0700) so the console's header and event paths read as they do for
/// the shipped copy; it is removed when the returned guard drops, panics included (`app` catches
/// them). About 0.1 s in a release build.
fn generated_demo() -> Result<(tempfile::TempDir, PathBuf), CommandError> {
    let root = tempfile::Builder::new()
        .prefix("resetlens-demo-")
        .tempdir()
        .map_err(|e| {
            CommandError::Input(anyhow!(
                "cannot create a temporary directory for the demo tenant in {} ({e}); TMPDIR chooses the directory",
                std::env::temp_dir().display()
            ))
        })?;
    let data = root.path().join("sample-logs");
    demo_tenant::write_sample_logs(&data).map_err(|e| match e {
        DemoError::Descriptor(_) => CommandError::Internal(e.into()),
        DemoError::Evtx { .. } | DemoError::Snapshot { .. } | DemoError::Io { .. } => {
            CommandError::Input(e.into())
        }
    })?;
    Ok((root, data))
}

pub fn run_demo(
    args: &DemoArgs,
    source: &SourceArgs,
    console: &ConsoleArgs,
) -> Result<Outcome, CommandError> {
    // Bound here so the generated files outlive the console and go when it returns.
    let (_generated, data) = match &args.data {
        Some(dir) => (None, dir.clone()),
        None => {
            let (guard, data) = generated_demo()?;
            (Some(guard), data)
        }
    };
    let snapshot = data.join(demo_tenant::SNAPSHOT);
    if !snapshot.is_file() {
        return Err(CommandError::Input(anyhow!(
            "no demo data: {} does not exist (give --data DIR with {} and .evtx files)",
            snapshot.display(),
            demo_tenant::SNAPSHOT
        )));
    }
    // The demo reads its own files: no DC, so nothing for `source_config` to warn about.
    let mut cfg = SourceConfig::resolve(source).map_err(|e| CommandError::Input(e.into()))?;
    cfg.directory.source = Some(DirectorySource::Snapshot(snapshot));
    cfg.evtx = vec![data];
    open(cfg, console)
}
