//! One module per subcommand: each turns arguments into sources, runs the engine, renders output.

use std::io::{self, Write};

pub mod completions;
pub mod console;
pub mod diagnose;
pub mod events;
mod flag_hints;
pub mod man;
mod outcome;
pub mod scan;
pub mod snapshot;

pub use outcome::{CommandError, Outcome};

use crate::cli::SourceArgs;
use crate::config::SourceConfig;
use crate::directory::DirectorySource;

/// The flags and the config file merged into the sources a command reads. An LDAP source that
/// will not check the DC's certificate is said on stderr here, once, before any command draws
/// or prints its output (the console's screen included).
fn source_config(args: &SourceArgs) -> Result<SourceConfig, CommandError> {
    let cfg = SourceConfig::resolve(args).map_err(|e| CommandError::Input(e.into()))?;
    if let Some(DirectorySource::Ldap(ldap)) = &cfg.directory.source {
        if ldap.insecure_skip_tls_verify {
            eprintln!(
                "resetlens: WARNING: --insecure-skip-tls-verify: the domain controller's certificate \
                 is not checked; anyone on the network path could read the bind password and the results"
            );
        }
    }
    Ok(cfg)
}

/// Writes generated text to stdout whole; a closed pipe (`| head`) is the reader's choice.
fn print(bytes: &[u8]) -> Result<Outcome, CommandError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CommandError::Internal(e.into())),
        _ => Ok(Outcome::Clean),
    }
}
