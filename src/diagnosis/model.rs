//! The diagnosis report: exactly the JSON object of the contract (`resetlens.diagnosis/1`), plus a
//! few extra fields the contract allows (`evaluated_at_source`, `blocking`). Every renderer reads
//! this one type; nothing here knows how it is displayed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use super::code::FindingCode;
pub use crate::security::access::{DecidingAce, Effect, RightDecision};

use super::account::AccountState;
use super::evidence::{ChainLink, Dacl, TimelineEntry};
use super::policy::EffectivePolicy;
use crate::events::Event;

pub const SCHEMA: &str = "resetlens.diagnosis/1";

/// One user's diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub schema: String,
    pub generated_at: DateTime<Utc>,
    /// The instant time-dependent rules used.
    pub evaluated_at: DateTime<Utc>,
    /// Why that instant: `--at`, the latest failed attempt, or now.
    pub evaluated_at_source: EvaluatedAtSource,
    pub user: UserSection,
    /// The account decoded at `evaluated_at`, with how the lockout was decided and when it ends;
    /// serialized as the contract's `account` section.
    pub account: AccountState,
    pub inheritance: InheritanceSection,
    pub connector: ConnectorSection,
    pub rights: RightsSection,
    /// The policy in force for the user; serialized as the contract's `policy` section.
    pub policy: EffectivePolicy,
    /// The Cloud Sync gMSA and its rights; left out when the domain has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_sync: Option<CloudSyncSection>,
    /// The user's correlated events, oldest first, as read; serialized as the contract's EVENT
    /// views (sanitized then, as every view sanitizes where it draws).
    #[serde(serialize_with = "serialize_event_views")]
    pub events: Vec<Event>,
    pub findings: Vec<Finding>,
    pub verdict: Verdict,
    /// The user's DACL, listed.
    #[serde(skip)]
    pub dacl: Dacl,
    /// From the domain root down to the user.
    #[serde(skip)]
    pub inheritance_chain: Vec<ChainLink>,
    /// `events` in attempt order.
    #[serde(skip)]
    pub timeline: Vec<TimelineEntry>,
}

/// The contract's `events`: each event's view, made as it is written.
fn serialize_event_views<S: serde::Serializer>(events: &[Event], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(events.iter().map(Event::view))
}

/// Where `evaluated_at` came from (contract: `--at`, else the latest failed writeback event, else now).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvaluatedAtSource {
    /// `--at` on the command line.
    Requested,
    /// The time of the user's latest failed writeback event.
    LatestFailedAttempt,
    Now,
}

impl EvaluatedAtSource {
    /// How a report names the instant ("the failed attempt at ...").
    pub fn describe(self) -> &'static str {
        match self {
            EvaluatedAtSource::Requested => "the instant given with --at",
            EvaluatedAtSource::LatestFailedAttempt => "the time of the latest failed writeback attempt",
            EvaluatedAtSource::Now => "now; no failed writeback event was found",
        }
    }

    /// The instant in a sentence ("... set 3 h before the failed attempt").
    pub fn label(self) -> &'static str {
        match self {
            EvaluatedAtSource::Requested => "the --at instant",
            EvaluatedAtSource::LatestFailedAttempt => "the failed attempt",
            EvaluatedAtSource::Now => "now",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSection {
    pub dn: String,
    pub sam_account_name: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub object_guid: Option<String>,
    pub object_sid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritanceSection {
    /// SE_DACL_PROTECTED on the user object itself.
    pub dacl_protected: bool,
    /// The user, or the nearest ancestor whose protected DACL stops ACEs from the domain root.
    pub blocked_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorSection {
    /// The account as found (`CONTOSO\MSOL_...`), or what was asked for when it was not found.
    pub account: String,
    pub dn: Option<String>,
    pub sid: Option<String>,
}

/// Where Cloud Sync's evidence is, for reports to say: it writes no writeback events.
pub const CLOUD_SYNC_EVIDENCE: &str = "Cloud Sync writes no password writeback events: its evidence is in the \
     provisioning agent's trace files (Export-AADCloudSyncToolsLogs) and the provisioning logs in the Entra portal.";

/// The Entra Cloud Sync agent's gMSA, which writes passwords back alongside (or instead of) Connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloudSyncSection {
    /// `CONTOSO\provAgentgMSA$`.
    pub account: String,
    pub dn: String,
    pub sid: String,
    /// The same rights as the connector's, decided for the gMSA.
    pub rights: RightsSection,
    /// `CLOUD_SYNC_EVIDENCE`.
    pub evidence: String,
}

/// The connector account's effective rights (unexpire_password on the domain root).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RightsSection {
    pub reset_password: RightDecision,
    pub change_password: RightDecision,
    pub write_lockout_time: RightDecision,
    pub write_pwd_last_set: RightDecision,
    pub unexpire_password: RightDecision,
}

impl RightsSection {
    /// The five rights by name, in report order.
    pub fn rows(&self) -> [(&'static str, &RightDecision); 5] {
        [
            ("Reset Password", &self.reset_password),
            ("Change Password", &self.change_password),
            ("Write lockoutTime", &self.write_lockout_time),
            ("Write pwdLastSet", &self.write_pwd_last_set),
            ("Unexpire Password (domain root)", &self.unexpire_password),
        ]
    }
}

/// No ACE matched, or nothing could be evaluated: not allowed, no deciding ACE.
pub fn not_granted() -> RightDecision {
    RightDecision {
        allowed: false,
        deciding_ace: None,
    }
}

/// The explicit deny ACE that decided `r` (as opposed to no grant at all).
pub fn denied_by(r: &RightDecision) -> Option<&DecidingAce> {
    r.deciding_ace
        .as_ref()
        .filter(|a| !r.allowed && a.effect == Effect::Deny)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Blocker,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Blocker => "blocker",
        }
    }
}

/// One finding: a stable code, how bad it is, the proof and the fix (commands shown, never run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub title: String,
    pub detail: String,
    pub evidence: Vec<String>,
    pub remediation: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub writeback_can_succeed: bool,
    /// The code of the finding that explains the failure.
    pub primary_cause: Option<FindingCode>,
    pub summary: String,
}

impl Diagnosis {
    /// Whether any finding blocks writeback (exit code 1).
    pub fn is_blocked(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Blocker)
    }

    /// Whether ACE `index` of the user's DACL decides one of the rights (Unexpire Password is
    /// decided on the domain root, so it never points into the user's DACL).
    pub fn decides(&self, index: usize) -> bool {
        self.rights
            .rows()
            .into_iter()
            .take(4)
            .any(|(_, r)| r.deciding_ace.as_ref().is_some_and(|a| a.index == index))
    }
}
