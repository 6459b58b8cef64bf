use crate::app::{CommandError, Outcome};
use crate::cli::{EventsArgs, SourceArgs};

pub fn run(_args: &EventsArgs, _source: &SourceArgs) -> Result<Outcome, CommandError> {
    Err(CommandError::Internal(anyhow::anyhow!("'events' is being built")))
}
