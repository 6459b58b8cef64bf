use crate::app::{CommandError, Outcome};
use crate::cli::{ConsoleArgs, DemoArgs, SourceArgs};

pub fn run(_source: &SourceArgs, _console: &ConsoleArgs) -> Result<Outcome, CommandError> {
    Err(CommandError::Internal(anyhow::anyhow!(
        "the console is being built"
    )))
}

pub fn run_demo(
    _a: &DemoArgs,
    _source: &SourceArgs,
    _console: &ConsoleArgs,
) -> Result<Outcome, CommandError> {
    Err(CommandError::Internal(anyhow::anyhow!(
        "the console is being built"
    )))
}
