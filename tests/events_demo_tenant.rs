//! Correlation on the demo tenant (sample-logs/): every scenario user's events are theirs alone,
//! and the attempt patterns the diagnosis relies on come out of the real EVTX files.

use std::collections::BTreeSet;
use std::path::PathBuf;

use resetlens::demo_tenant::scenarios;
use resetlens::diagnosis::correlation::{correlation_settings, user_key};
use resetlens::directory::model::Directory;
use resetlens::directory::snapshot;
use resetlens::events::correlate::{
    attempts, events_for_key, AttemptOutcome, AttemptPattern, Operation, UserKey,
};
use resetlens::events::ingest::{ingest, IngestOptions, IngestReport};

fn sample_logs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

fn load() -> (Directory, IngestReport) {
    let dir = snapshot::read(&sample_logs().join("contoso-directory.snapshot.json"))
        .unwrap_or_else(|e| panic!("demo snapshot: {e}"));
    let report = ingest(
        &[sample_logs()],
        &IngestOptions {
            ids: None,
            threads: 2,
        },
        &|_| {},
    );
    for f in &report.files {
        assert!(f.problems.is_empty(), "{}: {:?}", f.path.display(), f.problems);
        assert_eq!(f.chunks_fallback, 0, "{}: fast reader", f.path.display());
    }
    (dir, report)
}

#[test]
fn each_scenario_users_events_are_theirs_alone() {
    let (dir, report) = load();
    let mut seen: Vec<(String, BTreeSet<(String, u64)>)> = Vec::new();
    for s in scenarios() {
        let user = dir
            .find_user(s.user)
            .unwrap_or_else(|e| panic!("{}: {e}", s.user));
        let mine = events_for_key(&report.events, &user_key(user));
        // rupert's reset never reached the Connect server: that absence is his story.
        assert_eq!(mine.is_empty(), s.ticket_at.is_some(), "{} has events", s.user);
        // Background noise never names a scenario user, so none of this belongs to someone else.
        let keys: BTreeSet<(String, u64)> = mine
            .iter()
            .map(|e| (e.origin.file.to_string(), e.origin.record_id))
            .collect();
        for (other, theirs) in &seen {
            let shared: Vec<_> = keys.intersection(theirs).collect();
            assert!(shared.is_empty(), "{} and {other} share {shared:?}", s.user);
        }
        seen.push((s.user.to_owned(), keys));
        let ids: BTreeSet<u32> = mine.iter().map(|e| e.event_id).collect();
        let expected_failure = match s.user {
            "bob" | "carol" | "dave" | "heidi" | "ivan" => Some(33004),
            "erin" => Some(33008),
            "frank" => Some(33005),
            "grace" => Some(33006),
            "judy" => Some(33002),
            "mallory" => Some(33001),
            "trent" => Some(31008),
            "peggy" => Some(32002),
            // His start carries only the cloud UPN; it is his through its TrackingId.
            "victor" => Some(31001),
            "wendy" => Some(33002),
            "quinn" => Some(10017),
            _ => None,
        };
        if let Some(id) = expected_failure {
            assert!(ids.contains(&id), "{}: {id} in {ids:?}", s.user);
        }
    }
    assert_eq!(seen.len(), scenarios().len());
}

#[test]
fn attempts_mark_the_patterns_the_diagnosis_needs() {
    let (dir, report) = load();
    let settings = correlation_settings(&dir);
    let attempt_of = |name: &str| {
        let user = dir.find_user(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let all = attempts(&report.events, &user_key(user), &settings);
        all.into_iter()
            .last()
            .unwrap_or_else(|| panic!("{name} has an attempt"))
    };

    let alice = attempt_of("alice");
    assert_eq!(alice.operation, Operation::Change);
    assert_eq!(alice.outcome, AttemptOutcome::Succeeded);
    assert!(alice.dc_reset_seen);
    assert!(alice.events.iter().any(|e| e.event_id == 657), "later PHS result");
    assert!(alice.patterns().is_empty());

    let bob = attempt_of("bob");
    assert_eq!(bob.outcome, AttemptOutcome::Failed);
    assert!(bob.dc_logs_cover);
    assert_eq!(bob.patterns(), vec![AttemptPattern::FailedWithoutDcReset]);

    let erin = attempt_of("erin");
    assert!(erin.dc_reset_seen && erin.dc_reset_audit_failed);
    assert_eq!(erin.hresult, Some(0x8023_0619));
    assert!(erin.patterns().contains(&AttemptPattern::DcResetAuditFailure));
    assert!(!erin.patterns().contains(&AttemptPattern::FailedWithoutDcReset));

    let grace = attempt_of("grace");
    assert_eq!(grace.failure.as_ref().map(|f| f.event_id), Some(33006));
    assert_eq!(grace.lockout_caller.as_deref(), Some("WS042"));
    assert!(grace.patterns().contains(&AttemptPattern::LockedOut {
        caller_computer: Some("WS042".into())
    }));

    let judy = attempt_of("judy");
    assert_eq!(judy.failure.as_ref().map(|f| f.event_id), Some(33002));

    let oscar = attempt_of("oscar");
    assert_eq!(oscar.outcome, AttemptOutcome::Succeeded);
    assert!(oscar
        .events
        .iter()
        .any(|e| e.event_id == 657 && e.fields.force_password_change == Some(true)));
}

#[test]
fn names_only_matching_is_marked_and_narrower() {
    let (dir, report) = load();
    let user = dir.find_user("alice").unwrap_or_else(|e| panic!("alice: {e}"));
    let full = events_for_key(&report.events, &user_key(user)).len();
    let key = UserKey::from_name("alice@contoso.example");
    assert!(key.is_names_only());
    let by_name = events_for_key(&report.events, &key).len();
    assert!(by_name > 0 && by_name <= full);
}
