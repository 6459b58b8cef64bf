//! `connector-not-found`: without the AD DS connector account there is nobody whose rights to
//! check; covers "not found" and "several MSOL_* accounts, none chosen". Silent when no Connect
//! account was found but Cloud Sync's gMSA was: then Cloud Sync writes passwords back, and
//! `cloud_sync` judges its rights.

use crate::diagnosis::facts::Facts;
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;
use crate::directory::ConnectorLookup;

pub fn check(f: &Facts) -> Vec<Finding> {
    if f.cloud_sync_only() {
        return vec![];
    }
    let finding = match &f.directory.connector {
        ConnectorLookup::Found(_) => return vec![],
        ConnectorLookup::NotFound { wanted } => Finding::new(
            FindingCode::ConnectorNotFound,
            Severity::Blocker,
            "The AD DS connector account was not found",
        )
        .detail(
            "Entra Connect writes passwords with its AD DS connector account (usually MSOL_xxxxxxxxxxxx). \
             No such account was found, so its rights on this user cannot be checked.",
        )
        .evidence(format!("looked for: {wanted}")),
        ConnectorLookup::Ambiguous { candidates } => Finding::new(
            FindingCode::ConnectorNotFound,
            Severity::Blocker,
            "Several possible AD DS connector accounts; none was chosen",
        )
        .detail(format!(
            "{} accounts look like connector accounts; the rights depend on which one Entra Connect uses.",
            candidates.len()
        ))
        .evidence(format!("candidates: {}", candidates.join("; "))),
    };
    vec![finding
        .note("On the Entra Connect server, show the account the AD connector uses:")
        .fix("Import-Module 'C:\\Program Files\\Microsoft Azure Active Directory Connect\\AdSyncConfig\\AdSyncConfig.psm1'; Get-ADSyncADConnectorAccount")
        .note("Then run resetlens again with --connector <that account>")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts};

    #[test]
    fn found_connector_is_silent() {
        let dir = directory();
        assert!(check(&facts(&dir, &[], "2026-11-24T08:00:00Z")).is_empty());
    }

    #[test]
    fn missing_and_ambiguous_connector_block() {
        let mut dir = directory();
        dir.connector = ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        };
        let out = check(&facts(&dir, &[], "2026-11-24T08:00:00Z"));
        assert_eq!(codes(&out), [FindingCode::ConnectorNotFound]);
        assert_eq!(out[0].severity, Severity::Blocker);
        dir.connector = ConnectorLookup::Ambiguous {
            candidates: vec!["CN=MSOL_a,DC=x".into(), "CN=MSOL_b,DC=x".into()],
        };
        let out = check(&facts(&dir, &[], "2026-11-24T08:00:00Z"));
        assert!(out[0].evidence[0].contains("CN=MSOL_a,DC=x; CN=MSOL_b,DC=x"));
    }

    #[test]
    fn cloud_sync_alone_is_a_connector_but_not_beside_an_ambiguous_connect() {
        let mut dir = directory();
        dir.cloud_sync = dir.connector.account().cloned();
        dir.connector = ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        };
        assert!(check(&facts(&dir, &[], "2026-11-24T08:00:00Z")).is_empty());
        dir.connector = ConnectorLookup::Ambiguous {
            candidates: vec!["CN=MSOL_a,DC=x".into(), "CN=MSOL_b,DC=x".into()],
        };
        assert_eq!(
            codes(&check(&facts(&dir, &[], "2026-11-24T08:00:00Z"))),
            [FindingCode::ConnectorNotFound]
        );
    }
}
