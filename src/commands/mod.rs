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

/// Writes generated text to stdout whole; a closed pipe (`| head`) is the reader's choice.
fn print(bytes: &[u8]) -> Result<Outcome, CommandError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CommandError::Internal(e.into())),
        _ => Ok(Outcome::Clean),
    }
}
