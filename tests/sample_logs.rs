//! sample-logs/ is the demo tenant's output: it must be reproducible byte for byte, match what is
//! committed, be read completely by the evtx crate and python-evtx, and tell each scenario user's
//! story consistently in the directory and the logs.

mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use evtx::{EvtxParser, ParserSettings};

use resetlens::ad::time::{interval, FileTime};
use resetlens::demo_tenant::{
    self, scenarios, DemoTenant, APPLICATION_LOG, DC01_LOG, DC01_PASSWORD_PROTECTION_LOG, DC02_LOG, SNAPSHOT,
};
use resetlens::directory::{uac, DirectoryUser};
use resetlens::evtx_writer::{EventData, Record, Value};
use resetlens::security::SecurityDescriptor;

const FILES: [&str; 5] = [
    APPLICATION_LOG,
    DC01_LOG,
    DC02_LOG,
    DC01_PASSWORD_PROTECTION_LOG,
    SNAPSHOT,
];

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

fn tenant() -> &'static DemoTenant {
    static TENANT: OnceLock<DemoTenant> = OnceLock::new();
    TENANT.get_or_init(|| demo_tenant::generate().expect("the demo tenant generates"))
}

fn user(name: &str) -> &'static DirectoryUser {
    tenant()
        .directory
        .find_user(name)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn text(r: &Record) -> String {
    match &r.data {
        EventData::ClassicStrings(s) => s.join("\n"),
        EventData::Named(fields) => fields
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn named<'a>(r: &'a Record, name: &str) -> Option<&'a Value> {
    match &r.data {
        EventData::Named(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
        EventData::ClassicStrings(_) => None,
    }
}

fn application_events_of(upn: &str) -> Vec<&'static Record> {
    tenant()
        .application
        .iter()
        .filter(|r| text(r).contains(&format!(" {upn}")))
        .collect()
}

fn security_events_of(sam: &str, id: u16) -> Vec<&'static Record> {
    tenant()
        .dc01
        .iter()
        .chain(&tenant().dc02)
        .filter(|r| r.event_id == id && named(r, "TargetUserName") == Some(&Value::String(sam.into())))
        .collect()
}

#[test]
fn generating_twice_gives_identical_bytes_and_matches_the_committed_files() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    demo_tenant::write_sample_logs(a.path()).unwrap();
    demo_tenant::write_sample_logs(b.path()).unwrap();
    for name in FILES {
        let first = std::fs::read(a.path().join(name)).unwrap();
        assert!(
            first == std::fs::read(b.path().join(name)).unwrap(),
            "{name} differs between runs"
        );
        let committed = std::fs::read(committed_dir().join(name)).unwrap_or_else(|e| {
            panic!("sample-logs/{name}: {e}; run `cargo run --release --example gen_sample_logs`")
        });
        assert!(
            first == committed,
            "sample-logs/{name} is stale: run `cargo run --release --example gen_sample_logs` and commit"
        );
    }
}

#[test]
fn the_committed_snapshot_reads_back_as_the_generated_directory() {
    let mut read = resetlens::directory::snapshot::read(&committed_dir().join(SNAPSHOT)).unwrap();
    read.source = tenant().directory.source.clone();
    assert!(
        read == tenant().directory,
        "snapshot differs from the generated directory"
    );
}

/// The evtx crate always; python-evtx (the independent parser) with the lab's tools.
#[test]
fn both_parsers_read_every_shipped_record() {
    let paths: Vec<PathBuf> = [APPLICATION_LOG, DC01_LOG, DC02_LOG, DC01_PASSWORD_PROTECTION_LOG]
        .iter()
        .map(|n| committed_dir().join(n))
        .collect();
    let mut crate_counts = Vec::new();
    for path in &paths {
        let settings = ParserSettings::default().validate_checksums(true);
        let mut parser = EvtxParser::from_path(path).unwrap().with_configuration(settings);
        let mut n = 0u64;
        for r in parser.records_json_value() {
            r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
        crate_counts.push(n);
    }
    #[cfg(feature = "lab")]
    {
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        assert_eq!(support::python_evtx::record_counts(&refs), crate_counts);
    }
    let expected = [
        &tenant().application,
        &tenant().dc01,
        &tenant().dc02,
        &tenant().dc01_password_protection,
    ]
    .map(|v| v.len() as u64);
    assert_eq!(crate_counts, expected);
}

#[test]
fn the_security_logs_have_thousands_of_logons_and_the_application_log_has_noise() {
    let logons = tenant()
        .dc01
        .iter()
        .chain(&tenant().dc02)
        .filter(|r| r.event_id == 4624)
        .count();
    assert!(logons >= 3000, "{logons}");
    let app = &tenant().application;
    for id in [31019, 653, 654, 656, 657, 650, 651, 31006, 31007] {
        assert!(app.iter().filter(|r| r.event_id == id).count() >= 2, "event {id}");
    }
    let multi_line = app
        .iter()
        .filter(|r| r.event_id == 657 && text(r).matches("Result: Success").count() > 1)
        .count();
    assert!(multi_line > 0, "some PHS batch has several users");
    assert!(tenant().directory.users.len() > demo_tenant::ORDINARY_USERS);
}

#[test]
fn every_scenario_user_exists_and_each_failure_follows_its_attempt_within_three_seconds() {
    for s in scenarios() {
        let u = user(s.user);
        assert_eq!(u.display_name.as_deref(), Some(s.display_name));
        assert!(
            u.dn.ends_with(&format!("{},DC=contoso,DC=example", s.ou)),
            "{}",
            u.dn
        );
        let attempt: DateTime<Utc> = s.attempt_at.parse().unwrap();
        // victor's tenant logs his cloud UPN.
        let mut events = application_events_of(u.user_principal_name.as_deref().unwrap());
        events.extend(application_events_of(&format!(
            "{}@contoso.onmicrosoft.com",
            s.user
        )));
        let start = events.iter().find(|r| matches!(r.event_id, 31001 | 31006));
        if s.ticket_at.is_some() {
            // rupert's reset never reached the Connect server.
            assert!(events.is_empty(), "{}: no events", s.user);
            continue;
        }
        assert_eq!(start.map(|r| r.time), Some(attempt), "{}: start event", s.user);
        let failures: Vec<_> = events.iter().filter(|r| r.level == 2).collect();
        // Only oscar's problem leaves no failure event: his reset "succeeds".
        assert_eq!(
            failures.is_empty(),
            matches!(s.user, "alice" | "oscar"),
            "{}",
            s.user
        );
        for f in failures {
            assert!(
                f.time >= attempt && f.time <= attempt + Duration::seconds(3),
                "{}: {}",
                s.user,
                f.event_id
            );
        }
    }
}

#[test]
fn directory_state_matches_each_scenario() {
    let dir = &tenant().directory;
    let protected = |u: &DirectoryUser| {
        SecurityDescriptor::parse(u.security_descriptor.as_deref().unwrap())
            .unwrap()
            .dacl_protected()
    };
    assert!(!protected(user("alice")));
    assert!(protected(user("bob")) && user("bob").admin_count.is_none());
    assert!(protected(user("carol")) && user("carol").admin_count == Some(1));
    assert!(user("carol")
        .token_groups
        .as_ref()
        .unwrap()
        .contains(&dir.domain.sid.with_rid(512)));
    assert!(protected(user("dave")) && user("dave").admin_count == Some(1));
    assert!(!user("dave")
        .token_groups
        .as_ref()
        .unwrap()
        .contains(&dir.domain.sid.with_rid(512)));
    assert!(user("frank").user_account_control & uac::ACCOUNTDISABLE != 0);
    assert!(!protected(user("ivan")));
    let contractors = dir.ancestors_of(&user("ivan").dn);
    assert!(contractors
        .first()
        .is_some_and(|c| c.dn == "OU=Contractors,DC=contoso,DC=example" && c.dacl_protected));
    assert!(user("judy").consistency_guid.is_none());
    assert!(user("mallory").dn.contains("OU=Research/Development"));
    assert_eq!(user("oscar").pwd_last_set, Some(0));
    let sddl = |name: &str| {
        SecurityDescriptor::parse(user(name).security_descriptor.as_deref().unwrap())
            .unwrap()
            .to_sddl(Some(&dir.domain.sid))
    };
    assert!(sddl("heidi").contains("(OD;;CR;00299570-246d-11d0-a768-00aa006e0529;;"));
    assert!(sddl("trent").contains("(OD;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)"));
    let connector = dir.connector.account().unwrap();
    assert!(connector.sam_account_name.starts_with("MSOL_"));
}

#[test]
fn erin_resets_inside_the_minimum_password_age() {
    let erin = user("erin");
    let set = FileTime::from_raw(erin.pwd_last_set.unwrap()).instant().unwrap();
    let at: DateTime<Utc> = scenarios()
        .iter()
        .find(|s| s.user == "erin")
        .unwrap()
        .attempt_at
        .parse()
        .unwrap();
    let min_age = interval(tenant().directory.domain.min_pwd_age).unwrap();
    assert!(set < at && at - set < min_age && at - set > Duration::hours(2));
    let refused = security_events_of("erin", 4724);
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].keywords,
        resetlens::evtx_writer::KEYWORDS_AUDIT_FAILURE
    );
    assert_eq!(
        security_events_of("erin", 4723).len(),
        1,
        "her on-premises change"
    );
}

#[test]
fn grace_is_locked_out_from_ws042_when_she_tries() {
    let grace = user("grace");
    let locked = FileTime::from_raw(grace.lockout_time).instant().unwrap();
    let at: DateTime<Utc> = scenarios()
        .iter()
        .find(|s| s.user == "grace")
        .unwrap()
        .attempt_at
        .parse()
        .unwrap();
    let duration = interval(tenant().directory.domain.lockout_duration).unwrap();
    assert!(locked < at && at < locked + duration);
    let lockouts = security_events_of("grace", 4740);
    assert_eq!(lockouts.len(), 2, "the DC that saw it and the PDC");
    for l in lockouts {
        assert_eq!(named(l, "TargetDomainName"), Some(&Value::String("WS042".into())));
    }
    assert!(security_events_of("grace", 4625).len() >= 5);
}

#[test]
fn successes_reach_the_dc_and_failures_blocked_by_acls_do_not() {
    let connector = Value::String(demo_tenant::CONNECTOR_SAM.into());
    for name in ["alice", "oscar"] {
        let resets = security_events_of(name, 4724);
        assert_eq!(resets.len(), 1, "{name}");
        assert_eq!(named(resets[0], "SubjectUserName"), Some(&connector));
        assert_eq!(security_events_of(name, 4738).len(), 1, "{name}");
    }
    let oscar_4738 = security_events_of("oscar", 4738);
    assert_eq!(
        named(oscar_4738[0], "PasswordLastSet"),
        Some(&Value::String("%%1794".into()))
    );
    for name in [
        "bob", "carol", "dave", "heidi", "ivan", "frank", "judy", "mallory", "peggy", "trent", "grace",
    ] {
        assert!(
            security_events_of(name, 4724).is_empty(),
            "{name} never reached a DC"
        );
    }
}
