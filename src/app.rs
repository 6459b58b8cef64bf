//! Dispatch from the parsed command line to a command, and the one place errors become exit codes
//! (contract: 0 clean, 1 blocking findings, 2 usage or input error, 3 internal error).

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::commands::{self, CommandError, Outcome};

pub fn run(cli: Cli) -> ExitCode {
    crate::panics::report_panics();
    // A panic is a bug: reported in one line by the hook, then exit 3 like any internal error.
    crate::panics::caught(|| dispatch(cli)).unwrap_or(ExitCode::from(3))
}

fn dispatch(cli: Cli) -> ExitCode {
    let result = match cli.command {
        None => commands::console::run(&cli.source, &cli.console),
        Some(Command::Demo(ref a)) => commands::console::run_demo(a, &cli.source, &cli.console),
        Some(Command::Diagnose(ref a)) => commands::diagnose::run(a, &cli.source),
        Some(Command::Scan(ref a)) => commands::scan::run(a, &cli.source),
        Some(Command::Events(ref a)) => commands::events::run(a, &cli.source),
        Some(Command::Snapshot(ref a)) => commands::snapshot::run(a, &cli.source),
        Some(Command::Completions(ref a)) => commands::completions::run(a),
        Some(Command::Man(ref a)) => commands::man::run(a),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::from(0),
        Ok(Outcome::Blocked) => ExitCode::from(1),
        Err(CommandError::Input(e)) => {
            eprintln!("resetlens: {}", crate::sanitize::line(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(CommandError::Internal(e)) => {
            eprintln!(
                "resetlens: internal error: {}",
                crate::sanitize::line(&format!("{e:#}"))
            );
            ExitCode::from(3)
        }
    }
}
