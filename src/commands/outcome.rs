//! What every command hands back to `app`: how it ended, or why it failed. The exit code is `app`'s
//! to choose from these (contract: 0 clean, 1 blocking findings, 2 usage or input error, 3 internal
//! error); commands only say which case they are in.

/// What a command reports back; the exit code follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Blocked,
}

/// A failure the user can act on (exit 2) or a bug (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0:#}")]
    Input(anyhow::Error),
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}
