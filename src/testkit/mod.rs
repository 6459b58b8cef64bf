//! The test kit: fixtures and builders shared by the unit tests, the integration tests, the
//! benches and the examples, in one place.
//!
//! Compiled only for this crate's own tests (`cfg(test)`) and with the `testkit` feature, which
//! the integration tests, benches and examples get through the package's dev-dependency on
//! itself; `cargo build` and `cargo install` never turn it on, so the product binary does not
//! contain it. What `resetlens demo` needs at run time (`evtx_writer`, `demo_tenant`) stays in
//! the product. Process-level helpers (running the binary, the lab DC, python-evtx) are not here:
//! they live in `tests/support`.
//!
//! - `builders`: `UserBuilder` and `EventBuilder`, so a test names only the values its case is
//!   about.
//! - `contoso`: the one contoso.test fixture: the rule tests' healthy baseline (directory,
//!   events, facts, PSO, ACE helpers, finished diagnoses) and the six-user domain the command
//!   tests read as a snapshot file.
//! - `console`: the console's tenant (contoso.com, with a hostile user) and the drivers that take
//!   a console state to any screen through `update` alone.
//! - `contract`: the key lists of the fixed JSON contract.
//! - `synthetic`: directories of any size for the benches and the scale tests.
//! - `big_log`: a DC Security log of any size from the demo tenant's people, for the ingestion
//!   benchmark (`examples/gen_big_security_log.rs`) and the streaming tests.

pub mod big_log;
pub mod builders;
pub mod console;
pub mod contoso;
pub mod contract;
pub mod synthetic;

pub use builders::{EventBuilder, UserBuilder};
