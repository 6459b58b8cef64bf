//! The findings' stable codes: one enum, spelled as the contract spells them in exactly one place
//! (the table below), so a rule, the verdict's priority and a report cannot disagree on a name.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Declares `FindingCode` and its contract spelling from one table, so adding a code is one line.
macro_rules! finding_codes {
    ($($variant:ident = $text:literal,)*) => {
        /// A finding's stable identifier (the contract's "Finding codes", and the README's table).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FindingCode {
            $($variant,)*
        }

        impl FindingCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant,)*];

            /// The code as the contract and the reports spell it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(FindingCode::$variant => $text,)*
                }
            }
        }
    };
}

finding_codes! {
    // Directory-derived.
    ConnectorNotFound = "connector-not-found",
    PasswordSyncScopeExcluded = "password-sync-scope-excluded",
    AdminSdHolder = "admin-sd-holder",
    AdminCountOrphaned = "admin-count-orphaned",
    InheritanceDisabled = "inheritance-disabled",
    DeniedResetPassword = "denied-reset-password",
    MissingResetPassword = "missing-reset-password",
    MissingWriteLockoutTime = "missing-write-lockout-time",
    MissingWritePwdLastSet = "missing-write-pwd-last-set",
    MissingUnexpirePassword = "missing-unexpire-password",
    CloudSyncMissingRights = "cloud-sync-missing-rights",
    SamServerNotReadable = "sam-server-not-readable",
    AccountDisabled = "account-disabled",
    AccountLocked = "account-locked",
    MinPasswordAge = "min-password-age",
    UserCannotChangePassword = "user-cannot-change-password",
    PasswordNeverExpiresForceChange = "password-never-expires-force-change",
    EvaluationGap = "evaluation-gap",
    // Evidence from the DCs' and the sync engine's logs.
    PasswordProtectionRejected = "password-protection-rejected",
    PasswordHashSyncFailing = "password-hash-sync-failing",
    NoAttemptReceived = "no-attempt-received",
    // Event-derived: the `event-` prefix is the contract's mark of the family.
    EventPermissionDenied = "event-permission-denied",
    EventPasswordPolicy = "event-password-policy",
    EventUserNotFound = "event-user-not-found",
    EventDuplicateAnchor = "event-duplicate-anchor",
    EventOuReservedCharacters = "event-ou-reserved-characters",
    EventAccountDisabled = "event-account-disabled",
    EventAccountLocked = "event-account-locked",
    EventServiceConnectivity = "event-service-connectivity",
    EventWritebackDisabled = "event-writeback-disabled",
    EventWritebackNotRunning = "event-writeback-not-running",
    EventDecryption = "event-decryption",
    EventPolicyHintsUnsupported = "event-policy-hints-unsupported",
    EventConnectorPasswordTooLong = "event-connector-password-too-long",
    EventForestNotEnabled = "event-forest-not-enabled",
    EventRemoteSamRestricted = "event-remote-sam-restricted",
    EventRpcUnavailable = "event-rpc-unavailable",
    EventDcUnreachable = "event-dc-unreachable",
    EventLdapNotSealed = "event-ldap-not-sealed",
    EventNotInPasswordSyncScope = "event-not-in-password-sync-scope",
    EventProtectedAccount = "event-protected-account",
    EventUnknownFailure = "event-unknown-failure",
}

impl FindingCode {
    /// Whether the code is derived from a writeback event (the verdict weighs those against the
    /// directory's findings).
    pub fn from_event(self) -> bool {
        self.as_str().starts_with("event-")
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FindingCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A name that is no finding code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no finding has the code {:?}", self.0)
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for FindingCode {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<FindingCode, UnknownCode> {
        FindingCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_is_spelled_once() {
        let mut seen = std::collections::HashSet::new();
        for &c in FindingCode::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert_eq!(c.as_str().parse::<FindingCode>(), Ok(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert!("no-such-code".parse::<FindingCode>().is_err());
    }

    #[test]
    fn the_event_family_is_the_contracts_event_prefix() {
        assert!(FindingCode::EventUnknownFailure.from_event());
        assert!(!FindingCode::AccountLocked.from_event());
    }

    #[test]
    fn every_code_is_documented_in_the_readme_table() {
        let readme = include_str!("../../README.md");
        for c in FindingCode::ALL {
            assert!(
                readme.contains(&format!("| `{c}` |")),
                "{c} is not in the README's table of findings"
            );
        }
    }
}
