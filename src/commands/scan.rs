use crate::app::{CommandError, Outcome};
use crate::cli::{ScanArgs, SourceArgs};

pub fn run(_args: &ScanArgs, _source: &SourceArgs) -> Result<Outcome, CommandError> {
    Err(CommandError::Internal(anyhow::anyhow!("'scan' is being built")))
}
