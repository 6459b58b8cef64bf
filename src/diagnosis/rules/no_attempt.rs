//! `no-attempt-received` (field-causes C15): at the instant a ticket names (`--at`), no reset or
//! change of this user reached the Entra Connect server, although its log covers that time. The
//! request never arrived on-premises, so nothing on-premises can be fixed for it: resets made in
//! the Microsoft 365 admin center, with MSOnline/AzureAD PowerShell or Graph's passwordProfile are
//! never written back; the tenant's writeback switch, the licence, or Cloud Sync owning the user.

use chrono::Duration;

use super::when;
use crate::diagnosis::facts::Facts;
use crate::diagnosis::model::{EvaluatedAtSource, Finding, Severity};
use crate::diagnosis::FindingCode;

/// How far from the ticket's time a request still counts as the one the ticket is about.
const NEAR_MINUTES: i64 = 15;

pub fn check(f: &Facts) -> Vec<Finding> {
    // Only a time someone named: "now" or the latest failure say nothing about a missing request.
    if f.at_source != EvaluatedAtSource::Requested {
        return vec![];
    }
    let Some((first, last)) = f.connect_log else {
        return vec![];
    };
    if f.at < first || f.at > last {
        return vec![];
    }
    let near = Duration::minutes(NEAR_MINUTES);
    if f.attempts.iter().any(|a| (a.started - f.at).abs() <= near) {
        return vec![];
    }
    vec![Finding::new(
        FindingCode::NoAttemptReceived,
        Severity::Warning,
        "No password reset of this user reached the Entra Connect server near the ticket's time",
    )
    .detail(format!(
        "The Connect server's writeback log covers {} to {}, but it holds no 31001/31006/31009 for this user within \
         {NEAR_MINUTES} minutes of {}: the request never arrived on-premises.",
        when(first),
        when(last),
        when(f.at)
    ))
    .evidence(format!(
        "{} attempt(s) of this user in the logs, none between {} and {}",
        f.attempts.len(),
        when(f.at - near),
        when(f.at + near)
    ))
    .note("Ask how the password was reset: the Microsoft 365 admin center, MSOnline/AzureAD PowerShell and Graph passwordProfile resets are never written back; SSPR, My Sign-ins and the Entra admin center's reset are")
    .note("Check the tenant's switch (Entra admin center > Password reset > On-premises integration > Write back passwords to your on-premises directory) and the user's licence")
    .note("If Microsoft Entra Cloud Sync owns this user, its writeback leaves no Connect event: read the provisioning logs and Export-AADCloudSyncToolsLogs")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::events::EventKind;
    use crate::testkit::contoso::{directory, event, facts};

    fn heartbeat(time: &str) -> crate::events::Event {
        let mut e = event(31019, EventKind::WritebackService, time);
        e.fields = Default::default();
        e
    }

    #[test]
    fn a_covered_ticket_time_without_a_request_warns() {
        let dir = directory();
        let evs = [
            heartbeat("2026-11-24T07:00:00Z"),
            heartbeat("2026-11-24T09:00:00Z"),
        ];
        let out = check(&facts(&dir, &evs, "2026-11-24T08:00:00Z"));
        assert_eq!(codes(&out), [FindingCode::NoAttemptReceived]);
        assert_eq!(out[0].severity, Severity::Warning);
    }

    #[test]
    fn a_request_nearby_an_uncovered_time_or_no_named_time_is_silent() {
        let dir = directory();
        let mut evs = vec![
            heartbeat("2026-11-24T07:00:00Z"),
            heartbeat("2026-11-24T09:00:00Z"),
        ];
        evs.insert(
            1,
            event(31001, EventKind::WritebackResetStart, "2026-11-24T08:10:00Z"),
        );
        assert!(check(&facts(&dir, &evs, "2026-11-24T08:00:00Z")).is_empty());
        let evs = [heartbeat("2026-11-24T07:00:00Z")];
        assert!(
            check(&facts(&dir, &evs, "2026-11-24T08:00:00Z")).is_empty(),
            "the log ends before"
        );
        let evs = [
            heartbeat("2026-11-24T07:00:00Z"),
            heartbeat("2026-11-24T09:00:00Z"),
        ];
        let mut f = facts(&dir, &evs, "2026-11-24T08:00:00Z");
        f.at_source = EvaluatedAtSource::Now;
        assert!(check(&f).is_empty());
    }
}
