//! `resetlens completions SHELL`: the shell's completion script, generated from the clap
//! definitions so it never drifts from the real flags.

use clap::CommandFactory;

use super::{CommandError, Outcome};
use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> Result<Outcome, CommandError> {
    // Into memory first: clap_complete panics when its writer fails, and `| head` closes the pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "resetlens", &mut script);
    super::print(&script)
}
