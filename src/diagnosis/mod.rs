//! Findings and the verdict: directory facts and correlated events in, a `Diagnosis` out.

pub mod account;
pub mod facts;
pub mod fix;
pub mod model;
pub mod policy;
pub mod rules;
#[cfg(test)]
mod testing;
pub mod verdict;

pub use model::{Diagnosis, Finding, Severity, Verdict};
