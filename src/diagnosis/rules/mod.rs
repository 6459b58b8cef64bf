//! The rules: each module reads the facts and returns findings with a stable code (the contract's
//! list, documented in the README's table of findings), evidence and the fix. Directory rules run first, event
//! rules last because they compare what the events say with what the directory shows now.

use chrono::{DateTime, Utc};

use super::facts::Facts;
use super::model::{DecidingAce, Finding, FindingCode, Severity};
use crate::events::Event;

pub mod account_disabled;
pub mod account_locked;
pub mod cannot_change_password;
pub mod cloud_sync;
pub mod connector;
pub mod events;
pub mod gaps;
pub mod inheritance;
pub mod min_password_age;
pub mod never_expires;
pub mod no_attempt;
pub mod password_hash_sync;
pub mod password_protection;
pub mod password_sync_scope;
pub mod protected;
pub mod rights;
pub mod sam_server;

/// Directory findings that stop the connector's reset before the DC audits it (access denied, no
/// 4724), root cause first. One list for two uses that must agree: they explain an
/// `event-permission-denied`, and they lead the verdict's priority.
pub const ACCESS_BLOCKERS: &[FindingCode] = &[
    FindingCode::ConnectorNotFound,
    FindingCode::AdminSdHolder,
    FindingCode::AdminCountOrphaned,
    FindingCode::InheritanceDisabled,
    FindingCode::DeniedResetPassword,
    FindingCode::MissingResetPassword,
    FindingCode::SamServerNotReadable,
];

/// A rule: facts in, findings out (usually zero or one).
pub type Rule = fn(&Facts) -> Vec<Finding>;

/// Rules that read only the directory, in report order.
pub const DIRECTORY_RULES: &[Rule] = &[
    connector::check,
    password_sync_scope::check,
    protected::check_admin_sd_holder,
    protected::check_admin_count_orphaned,
    inheritance::check,
    rights::check,
    cloud_sync::check,
    sam_server::check,
    account_disabled::check,
    account_locked::check,
    min_password_age::check,
    cannot_change_password::check,
    never_expires::check,
    gaps::check,
];

/// All findings for the facts: directory rules, then event rules that weigh events against them.
pub fn evaluate(f: &Facts) -> Vec<Finding> {
    let mut findings: Vec<Finding> = DIRECTORY_RULES.iter().flat_map(|rule| rule(f)).collect();
    // Evidence from logs other than the Connect server's, which the writeback events are weighed
    // against like the directory's findings.
    findings.extend(EVIDENCE_RULES.iter().flat_map(|rule| rule(f)));
    let from_events = events::check(f, &findings);
    findings.extend(from_events);
    findings.extend(no_attempt::check(f));
    findings
}

/// Rules that read the DCs' and the sync engine's logs, not the user's writeback attempts.
pub const EVIDENCE_RULES: &[Rule] = &[password_protection::check, password_hash_sync::check];

impl Finding {
    pub fn new(code: FindingCode, severity: Severity, title: impl Into<String>) -> Finding {
        Finding {
            code,
            severity,
            title: title.into(),
            detail: String::new(),
            evidence: Vec::new(),
            remediation: Vec::new(),
        }
    }

    pub fn detail(mut self, text: impl Into<String>) -> Finding {
        self.detail = text.into();
        self
    }

    pub fn evidence(mut self, line: impl Into<String>) -> Finding {
        self.evidence.push(line.into());
        self
    }

    /// A command for an administrator to run, exactly as it should be typed.
    pub fn fix(mut self, command: impl Into<String>) -> Finding {
        self.remediation.push(command.into());
        self
    }

    /// Prose between the commands, as a PowerShell comment so a pasted block stays runnable.
    pub fn note(mut self, text: impl AsRef<str>) -> Finding {
        self.remediation.push(format!("# {}", text.as_ref()));
        self
    }
}

/// An instant as reports print it.
pub fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// One event as an evidence line: time, machine, id and name, tracking id.
pub fn event_line(e: &Event) -> String {
    let name = crate::events::catalog::lookup(&e.provider, e.event_id).map_or("", |c| c.name);
    let mut s = format!("{} {} event {} {}", when(e.time), e.machine, e.event_id, name);
    if let Some(tid) = &e.fields.tracking_id {
        s.push_str(&format!(" (TrackingId {tid})"));
    }
    if let Some(hr) = e.fields.hresult {
        s.push_str(&format!(" hr=0x{hr:08X}"));
    }
    s.trim_end().to_string()
}

/// The deciding ACE as an evidence line.
pub fn ace_line(what: &str, ace: &DecidingAce) -> String {
    format!(
        "{what}: {} ACE #{} {} for {}{}",
        match ace.effect {
            super::model::Effect::Allow => "allow",
            super::model::Effect::Deny => "deny",
        },
        ace.index,
        ace.sddl,
        ace.trustee,
        if ace.inherited {
            " (inherited)"
        } else {
            " (explicit)"
        }
    )
}

#[cfg(test)]
pub fn codes(findings: &[Finding]) -> Vec<FindingCode> {
    findings.iter().map(|f| f.code).collect()
}
