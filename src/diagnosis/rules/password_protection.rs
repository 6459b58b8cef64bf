//! `password-protection-rejected` (field-causes C12): Microsoft Entra Password Protection's DC
//! agent refused the password set that writeback performs (10017; 10016 for a change), and its
//! paired 300xx names the list: the one under the same correlation id (System/Correlation
//! ActivityID), or, for a record without one, the one of the same DC and user within 2 seconds. The 33008 / 4724-audit-failure pair alone cannot tell this from a
//! length or history refusal, so this finding is what `event-password-policy` points to.

use chrono::Duration;

use super::{event_line, when};
use crate::diagnosis::facts::Facts;
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;
use crate::events::correlate::AttemptOutcome;
use crate::events::{Event, EventKind};

/// The agent writes the rejection and its reason within the same validation, on the same DC.
const PAIR_WINDOW_SECONDS: i64 = 2;
/// A DC's clock against the Connect server's, as for the other DC events of an attempt.
const ATTEMPT_WINDOW_MINUTES: i64 = 2;

/// What the 300xx paired with a rejection says refused it.
fn list_of(reason: &Event) -> &'static str {
    match reason.event_id {
        30002 | 30003 => "the tenant's custom banned password list",
        30004 | 30005 => "Microsoft's global banned password list",
        30026 | 30027 => "the combined Microsoft and tenant banned password lists",
        30021 | 30022 => "the user's own account or display name",
        _ => "a banned password list",
    }
}

fn paired_reason<'a>(f: &'a Facts, rejection: &Event) -> Option<&'a Event> {
    let window = Duration::seconds(PAIR_WINDOW_SECONDS);
    let reasons = || {
        f.events
            .iter()
            .filter(|e| e.kind == EventKind::DcPasswordRejectReason)
    };
    match rejection.fields.correlation_id {
        Some(id) => reasons().find(|e| e.fields.correlation_id == Some(id)),
        None => reasons().find(|e| {
            e.fields.correlation_id.is_none()
                && e.machine.eq_ignore_ascii_case(&rejection.machine)
                && e.fields.target_user == rejection.fields.target_user
                && (e.time - rejection.time).abs() <= window
        }),
    }
}

pub fn check(f: &Facts) -> Vec<Finding> {
    let window = Duration::minutes(ATTEMPT_WINDOW_MINUTES);
    let Some(attempt) = f
        .attempts
        .iter()
        .filter(|a| a.outcome == AttemptOutcome::Failed && a.started <= f.at + window)
        .max_by_key(|a| a.started)
    else {
        return vec![];
    };
    let end = attempt.failure.as_ref().map_or(attempt.started, |e| e.time) + window;
    let Some(rejection) = f
        .events
        .iter()
        .filter(|e| e.kind == EventKind::DcPasswordRejected)
        .filter(|e| e.time >= attempt.started - window && e.time <= end)
        .max_by_key(|e| e.time)
    else {
        return vec![];
    };
    let reason = paired_reason(f, rejection);
    let list = reason.map_or(
        "a banned password list (the paired 300xx event was not in the logs)",
        list_of,
    );
    let later_success = f
        .attempts
        .iter()
        .any(|a| a.outcome == AttemptOutcome::Succeeded && a.started > attempt.started);
    let mut finding = Finding::new(
        FindingCode::PasswordProtectionRejected,
        if later_success { Severity::Info } else { Severity::Warning },
        "Microsoft Entra Password Protection refused the new password",
    )
    .detail(format!(
        "The domain controller {} rejected the password writeback tried to set ({} at {}): it matched {list}. \
         Writeback works; the chosen password does not.",
        rejection.machine,
        rejection.event_id,
        when(rejection.time)
    ))
    .evidence(event_line(rejection));
    if let Some(r) = reason {
        finding = finding.evidence(event_line(r));
    }
    if later_success {
        finding
            .detail
            .push_str(" A later writeback succeeded, so this no longer blocks.");
    }
    vec![finding
        .note("Ask the user to choose another password: no banned words or close variants, not their name")
        .note("The tenant's list: Entra admin center > Protection > Authentication methods > Password protection; the DC agent's log: Applications and Services Logs > Microsoft > AzureADPasswordProtection > DCAgent > Admin")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::events::EventFields;
    use crate::testkit::contoso::{directory, event, facts};

    fn dc_agent(id: u32, kind: EventKind, time: &str) -> Event {
        let mut e = event(id, kind, time);
        e.machine = "DC01.contoso.test".into();
        e.provider = "Microsoft-AzureADPasswordProtection-DCAgent".into();
        e.channel = "Microsoft-AzureADPasswordProtection-DCAgent/Admin".into();
        e.fields = EventFields {
            target_user: Some("alice".into()),
            ..EventFields::default()
        };
        e
    }

    fn failed_attempt() -> Vec<Event> {
        let mut fail = event(33008, EventKind::WritebackFailure, "2026-11-24T08:00:02Z");
        fail.fields.hresult = Some(0x8023_0619);
        vec![
            event(31001, EventKind::WritebackResetStart, "2026-11-24T08:00:00Z"),
            fail,
        ]
    }

    #[test]
    fn a_set_rejection_names_the_list_of_its_paired_event() {
        let dir = directory();
        for (reason, list) in [
            (30003, "tenant's custom banned password list"),
            (30005, "Microsoft's global"),
            (30027, "combined"),
            (30022, "user's own account"),
        ] {
            let mut evs = failed_attempt();
            evs.push(dc_agent(
                10017,
                EventKind::DcPasswordRejected,
                "2026-11-24T08:00:01Z",
            ));
            evs.push(dc_agent(
                reason,
                EventKind::DcPasswordRejectReason,
                "2026-11-24T08:00:01Z",
            ));
            let out = check(&facts(&dir, &evs, "2026-11-24T08:00:02Z"));
            assert_eq!(codes(&out), [FindingCode::PasswordProtectionRejected]);
            assert_eq!(out[0].severity, Severity::Warning);
            assert!(out[0].detail.contains(list), "{reason}: {}", out[0].detail);
            assert!(out[0].detail.contains("DC01.contoso.test"));
        }
    }

    #[test]
    fn the_correlation_id_decides_the_pair_when_the_records_carry_one() {
        let dir = directory();
        let id = |s: &str| s.parse::<crate::security::Guid>().ok();
        let with_id = |ev: u32, kind, g: &str| {
            let mut e = dc_agent(ev, kind, "2026-11-24T08:00:01Z");
            e.fields.correlation_id = id(g);
            e
        };
        let mut evs = failed_attempt();
        evs.push(with_id(
            10017,
            EventKind::DcPasswordRejected,
            "11111111-1111-4111-8111-111111111111",
        ));
        // Another validation's reason, same DC, same second: not this one's.
        evs.push(with_id(
            30005,
            EventKind::DcPasswordRejectReason,
            "22222222-2222-4222-8222-222222222222",
        ));
        evs.push(with_id(
            30022,
            EventKind::DcPasswordRejectReason,
            "11111111-1111-4111-8111-111111111111",
        ));
        let out = check(&facts(&dir, &evs, "2026-11-24T08:00:02Z"));
        assert!(out[0].detail.contains("user's own account"), "{}", out[0].detail);
    }

    #[test]
    fn no_rejection_or_another_users_or_an_accepted_set_gives_nothing() {
        let dir = directory();
        let f = |evs: &[Event]| check(&facts(&dir, evs, "2026-11-24T08:00:02Z"));
        assert!(f(&failed_attempt()).is_empty());
        let mut evs = failed_attempt();
        evs.push(dc_agent(
            10015,
            EventKind::DcPasswordAccepted,
            "2026-11-24T08:00:01Z",
        ));
        assert!(f(&evs).is_empty());
        // A rejection an hour before the attempt is not this attempt's.
        let mut evs = failed_attempt();
        evs.push(dc_agent(
            10017,
            EventKind::DcPasswordRejected,
            "2026-11-24T07:00:01Z",
        ));
        assert!(f(&evs).is_empty());
    }

    #[test]
    fn it_explains_the_policy_refusal_in_the_verdict() {
        let dir = directory();
        let mut evs = failed_attempt();
        evs.push(dc_agent(
            10017,
            EventKind::DcPasswordRejected,
            "2026-11-24T08:00:01Z",
        ));
        evs.push(dc_agent(
            30003,
            EventKind::DcPasswordRejectReason,
            "2026-11-24T08:00:01Z",
        ));
        let d = crate::diagnosis::report(
            &facts(&dir, &evs, "2026-11-24T08:00:02Z"),
            crate::testkit::contoso::ts("2026-11-25T12:00:00Z"),
        );
        assert_eq!(
            d.verdict.primary_cause,
            Some(FindingCode::PasswordProtectionRejected)
        );
        let policy = d
            .findings
            .iter()
            .find(|x| x.code == FindingCode::EventPasswordPolicy)
            .expect("33008 finding");
        assert!(policy
            .evidence
            .iter()
            .any(|e| e == "the directory agrees: password-protection-rejected"));
        assert!(!d.verdict.summary.contains("try again"), "{}", d.verdict.summary);
    }
}
