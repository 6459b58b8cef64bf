//! Renderers of one `Diagnosis` (text for a terminal, markdown for a ticket, the contract's JSON)
//! and of scan results (text, JSON Lines, CSV). Each writes into any `io::Write`; every string that
//! came from the directory or an event log goes through `crate::sanitize` on its way out.

pub mod json;
pub mod markdown;
pub mod scan;
pub mod text;

use crate::diagnosis::model::{denied_by, CloudSyncSection, RightDecision, Severity};

/// What the Cloud Sync gMSA has of the four rights writeback needs (Change Password is not one of
/// them), as one clause.
pub fn cloud_sync_rights(cs: &CloudSyncSection) -> String {
    let lacking: Vec<&str> = cs
        .rights
        .rows()
        .into_iter()
        // Change Password is the one row the gMSA does not need (writeback resets).
        .filter(|(_, d)| !std::ptr::eq(*d, &cs.rights.change_password) && !d.allowed)
        .map(|(name, _)| name)
        .collect();
    if lacking.is_empty() {
        "has the rights writeback needs".to_string()
    } else {
        format!("lacks {}", lacking.join(", "))
    }
}

/// The symbol for a severity; reports never rely on colour alone.
pub fn severity_symbol(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "✗",
        Severity::Warning => "!",
        Severity::Info => "i",
    }
}

/// How a right's outcome reads in a report.
pub fn right_outcome(c: &RightDecision) -> &'static str {
    match (c.allowed, denied_by(c).is_some()) {
        (true, _) => "allowed",
        (false, true) => "denied",
        (false, false) => "not granted",
    }
}
