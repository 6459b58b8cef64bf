use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    resetlens::app::run(resetlens::cli::Cli::parse())
}
