use crate::app::{CommandError, Outcome};
use crate::cli::{DiagnoseArgs, SourceArgs};

pub fn run(_args: &DiagnoseArgs, _source: &SourceArgs) -> Result<Outcome, CommandError> {
    Err(CommandError::Internal(anyhow::anyhow!(
        "'diagnose' is being built"
    )))
}
