//! One module per subcommand: each turns arguments into sources, runs the engine, renders output.

pub mod console;
pub mod diagnose;
pub mod events;
pub mod scan;
pub mod snapshot;
