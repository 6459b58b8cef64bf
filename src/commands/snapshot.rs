use crate::app::{CommandError, Outcome};
use crate::cli::{SnapshotArgs, SourceArgs};

pub fn run(_args: &SnapshotArgs, _source: &SourceArgs) -> Result<Outcome, CommandError> {
    Err(CommandError::Internal(anyhow::anyhow!(
        "'snapshot' is being built"
    )))
}
