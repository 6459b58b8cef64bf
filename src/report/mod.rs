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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::model::{not_granted, CLOUD_SYNC_EVIDENCE};
    use crate::testkit::contoso::healthy_diagnosis;

    #[test]
    fn the_cloud_sync_clause_names_what_the_gmsa_lacks_and_never_change_password() {
        let mut cs = CloudSyncSection {
            account: "CONTOSO\\provAgentgMSA$".into(),
            dn: "CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=test".into(),
            sid: "S-1-5-21-1-2-3-1130".into(),
            rights: healthy_diagnosis().rights,
            evidence: CLOUD_SYNC_EVIDENCE.into(),
        };
        assert_eq!(cloud_sync_rights(&cs), "has the rights writeback needs");
        cs.rights.change_password = not_granted();
        assert_eq!(cloud_sync_rights(&cs), "has the rights writeback needs");
        cs.rights.reset_password = not_granted();
        assert_eq!(cloud_sync_rights(&cs), "lacks Reset Password");
    }
}
