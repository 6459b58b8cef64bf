//! The Entra Connect events no public sample has, written with the project's EVTX writer in the
//! layouts Windows uses (classic Application sources, manifest Security events), then read back:
//! the fast reader must understand them without falling back, agree with the evtx crate, and
//! parse every field the correlation needs. Also a log from a WEF collector that mixes machines.

mod support;

use std::path::PathBuf;

use chrono::{DateTime, Duration, TimeZone, Utc};

use resetlens::events::correlate::{attempts, events_for_key, AttemptOutcome, CorrelationSettings, UserKey};
use resetlens::events::ingest::{ingest, ingest_reference, IngestOptions};
use resetlens::events::{AuditOutcome, EventKind};
use resetlens::evtx_writer::{
    to_bytes, EventData, Provider, Record, Value, KEYWORDS_AUDIT_FAILURE, KEYWORDS_AUDIT_SUCCESS,
};
use resetlens::security::{Guid, Sid};

const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn classic(id: u64, secs: i64, provider: &str, event_id: u16, level: u8, text: &str) -> Record {
    let (computer, time) = (
        "AADC01.contoso.example".to_string(),
        t0() + Duration::seconds(secs),
    );
    Record {
        record_id: id,
        ..Record::classic(computer, time, provider, event_id, level, text.into())
    }
}

fn security(
    id: u64,
    secs: i64,
    dc: &str,
    event_id: u16,
    keywords: u64,
    fields: Vec<(&str, Value)>,
) -> Record {
    let data = fields.into_iter().map(|(n, v)| (n.to_string(), v)).collect();
    let time = t0() + Duration::seconds(secs);
    Record {
        record_id: id,
        thread_id: 1200,
        ..Record::security_audit(dc.into(), time, event_id, 13824, keywords, 640, data)
    }
}

fn sid(rid: u32) -> Value {
    Value::Sid(
        format!("{DOMAIN}-{rid}")
            .parse::<Sid>()
            .unwrap_or_else(|_| panic!("sid {rid}")),
    )
}

fn target(user: &str, rid: u32, domain: &str, subject: &str, subject_rid: u32) -> Vec<(&'static str, Value)> {
    vec![
        ("TargetUserName", Value::String(user.into())),
        ("TargetDomainName", Value::String(domain.into())),
        ("TargetSid", sid(rid)),
        ("SubjectUserSid", sid(subject_rid)),
        ("SubjectUserName", Value::String(subject.into())),
        ("SubjectDomainName", Value::String("CONTOSO".into())),
        ("SubjectLogonId", Value::HexInt64(0x3e7)),
    ]
}

fn write(dir: &std::path::Path, name: &str, records: &[Record]) -> PathBuf {
    let bytes = to_bytes(records).unwrap_or_else(|e| panic!("writer: {e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write: {e}"));
    path
}

const ERIN_ANCHOR: &str = "B0H+OD3LM0GEnYODwdPhpg==";

fn application() -> Vec<Record> {
    let mut r = vec![
        classic(1, 0, "PasswordResetService", 31015, 4, "TrackingId: 00000000-0000-0000-0000-000000000000, WriteBackServiceStarted, Details: "),
        classic(2, 10, "PasswordResetService", 31001, 4, "TrackingId: 6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab, PasswordResetStart, Details: erin@contoso.example"),
        classic(3, 11, "ADSync", 6329, 2, "BAIL: MMS(4924) 0x80230619: \"A restriction prevents the password from being changed to the current one specified.\""),
        classic(4, 11, "PasswordResetService", 33008, 2, "TrackingId: 6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab, ADPasswordPolicyError, UserPrincipalName: erin@contoso.example, Details: Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException: Synchronization Engine returned an error hr=80230619, message=A restriction prevents the password from being changed to the current one specified., Context: x"),
        classic(5, 40, "Directory Synchronization", 657, 4, &format!(
            "Password Change Result - Anchor : {ERIN_ANCHOR}, Dn : CN=Erin,OU=Staff,DC=contoso,DC=example, PwdChangeOnLogon=False, Result : Success.\r\n\
             Password Change Result - Anchor : AAAAAAAAAAAAAAAAAAAAAA==, Dn : CN=Someone,OU=Staff,DC=contoso,DC=example, PwdChangeOnLogon=True, Result : Failed.\r\n\
             <forest-info><partition-name>CONTOSO.EXAMPLE</partition-name><connector-id>x</connector-id></forest-info>"
        )),
    ];
    // Noise after: heartbeats and pings fill more than one chunk.
    for i in 0..400u64 {
        r.push(classic(
            10 + i,
            100 + i as i64,
            "Directory Synchronization",
            654,
            4,
            "Provision credentials ping end.",
        ));
    }
    r
}

#[test]
fn classic_writeback_events_are_read_fast_and_parsed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "AADC01-Application.evtx", &application());
    let opts = IngestOptions {
        ids: None,
        threads: 2,
    };
    let report = ingest(std::slice::from_ref(&path), &opts, &|_| {});
    let file = &report.files[0];
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    assert_eq!(file.records_read, 405);
    assert_eq!(
        file.chunks_fallback, 0,
        "the fast reader understands the classic layout"
    );
    assert_eq!(report, ingest_reference(&[path], &opts));

    let by_id = |id: u32| report.events.iter().filter(move |e| e.event_id == id);
    let start = by_id(31001).next().expect("31001");
    assert_eq!(start.kind, EventKind::WritebackResetStart);
    assert_eq!(start.machine, "AADC01.contoso.example");
    assert_eq!(
        start.fields.user_principal_name.as_deref(),
        Some("erin@contoso.example")
    );
    assert_eq!(
        start.fields.tracking_id.as_deref(),
        Some("6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab")
    );
    let fail = by_id(33008).next().expect("33008");
    assert_eq!(fail.kind, EventKind::WritebackFailure);
    assert_eq!((fail.level, fail.audit), (2, None));
    assert_eq!(fail.fields.hresult, Some(0x8023_0619));
    let engine = by_id(6329).next().expect("6329");
    assert_eq!(
        (engine.provider.as_str(), engine.kind),
        ("ADSync", EventKind::SyncEngine)
    );
    assert_eq!(engine.fields.hresult, Some(0x8023_0619));
    let results: Vec<_> = by_id(657).collect();
    assert_eq!(results.len(), 2, "one event per user line");
    assert_eq!(
        results[0].fields.dn.as_deref(),
        Some("CN=Erin,OU=Staff,DC=contoso,DC=example")
    );
    assert_eq!(results[0].fields.result.as_deref(), Some("Success"));
    assert_eq!(
        results[0].fields.source_anchor.map(|g| g.to_string()).as_deref(),
        Some("38fe4107-cb3d-4133-849d-8383c1d3e1a6")
    );
    assert_eq!(results[1].fields.force_password_change, Some(true));
    assert_eq!(by_id(654).count(), 400, "PHS pings are catalog events");

    // Names-only correlation of erin: the attempt, its policy HRESULT and the later 657.
    let key = UserKey::from_name("erin@contoso.example");
    let a = attempts(&report.events, &key, &CorrelationSettings::default());
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].outcome, AttemptOutcome::Failed);
    assert_eq!(a[0].hresult, Some(0x8023_0619));
    assert!(!a[0].dc_logs_cover, "no Security log given");
    assert!(a[0].events.iter().any(|e| e.event_id == 6329));
    // The 657 names erin only by DN and anchor: a names-only key does not match it.
    assert!(!events_for_key(&report.events, &key)
        .iter()
        .any(|e| e.event_id == 657));
}

#[test]
fn forwarded_events_mixing_machines_and_audit_outcomes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut records = Vec::new();
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    for i in 0..300i64 {
        let dc = if i % 2 == 0 {
            "DC01.contoso.example"
        } else {
            "DC02.contoso.example"
        };
        records.push(security(
            next(),
            i,
            dc,
            4624,
            KEYWORDS_AUDIT_SUCCESS,
            target("bob", 1106, "CONTOSO", "DC01$", 1000),
        ));
    }
    records.push(security(
        next(),
        400,
        "DC02.contoso.example",
        4724,
        KEYWORDS_AUDIT_SUCCESS,
        target("alice", 1105, "CONTOSO", "MSOL_abc123", 1600),
    ));
    records.push(security(
        next(),
        401,
        "DC01.contoso.example",
        4724,
        KEYWORDS_AUDIT_FAILURE,
        target("erin", 1107, "CONTOSO", "MSOL_abc123", 1600),
    ));
    records.push(security(
        next(),
        402,
        "DC01.contoso.example",
        4740,
        KEYWORDS_AUDIT_SUCCESS,
        target("grace", 1108, "WS042", "DC01$", 1000),
    ));
    let mut changed = target("alice", 1105, "CONTOSO", "MSOL_abc123", 1600);
    changed.push(("PasswordLastSet", Value::String("11/24/2026 9:06:41 AM".into())));
    changed.push(("OldUacValue", Value::String("0x210".into())));
    changed.push(("NewUacValue", Value::String("0x210".into())));
    records.push(security(
        next(),
        403,
        "DC02.contoso.example",
        4738,
        KEYWORDS_AUDIT_SUCCESS,
        changed,
    ));
    let mut failure = target("bob", 1106, "CONTOSO", "-", 0);
    failure.push(("Status", Value::HexInt32(0xC000_006D)));
    failure.push(("SubStatus", Value::HexInt32(0xC000_006A)));
    records.push(security(
        next(),
        404,
        "DC01.contoso.example",
        4625,
        KEYWORDS_AUDIT_FAILURE,
        failure,
    ));
    for r in &mut records {
        r.channel = "ForwardedEvents".into();
    }
    let path = write(dir.path(), "ForwardedEvents.evtx", &records);

    let opts = IngestOptions {
        ids: None,
        threads: 2,
    };
    let report = ingest(std::slice::from_ref(&path), &opts, &|_| {});
    assert_eq!(report.files[0].chunks_fallback, 0);
    assert_eq!(report, ingest_reference(&[path], &opts));
    assert_eq!(report.events.len(), 5, "4624 is noise unless asked for");
    let machines: std::collections::BTreeSet<&str> =
        report.events.iter().map(|e| e.machine.as_str()).collect();
    assert_eq!(machines.len(), 2);
    let find = |id: u32| {
        report
            .events
            .iter()
            .find(|e| e.event_id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let erin = report
        .events
        .iter()
        .find(|e| e.fields.target_user.as_deref() == Some("erin"))
        .expect("erin");
    assert_eq!(erin.audit, Some(AuditOutcome::Failure));
    assert_eq!(find(4740).fields.caller_computer.as_deref(), Some("WS042"));
    assert_eq!(
        find(4738).fields.password_last_set.as_deref(),
        Some("11/24/2026 9:06:41 AM")
    );
    assert_eq!(find(4625).fields.status, Some(0xC000_006D));
    assert_eq!(find(4625).fields.sub_status, Some(0xC000_006A));
    assert_eq!(find(4625).fields.subject_user, None, "'-' is none");
    assert_eq!(
        find(4724).fields.subject_sid.as_ref().map(ToString::to_string),
        Some(format!("{DOMAIN}-1600"))
    );
    let with_noise = ingest(
        &[dir.path().to_path_buf()],
        &IngestOptions {
            ids: Some(vec![4624]),
            threads: 1,
        },
        &|_| {},
    );
    assert_eq!(with_noise.events.len(), 300);
}

/// The texts of field-causes.md section 2 as posted, in a re-saved export (headers renumbered from
/// 1, EventRecordIDs kept), and the Password Protection DC agent's pair.
fn field_shapes() -> Vec<Record> {
    let tid = "7344da2c-ab9d-42ef-adea-4a17d07fdeb9";
    let mut records = vec![
        classic(233_279_990, 0, "PasswordResetService", 31001, 4,
            &format!("TrackingId: {tid}, PasswordResetRequestStart, Details: ethan@contoso.onmicrosoft.com")),
        classic(233_279_991, 1, "ADSync", 405, 4, "Call sync ldap_bind for DomainName=contoso.co.uk, UserName=MSOL_0123456789ab."),
        classic(233_279_992, 1, "ADSync", 6329, 2,
            "An unexpected error has occurred during a password set operation.\r\n\"ERR_: MMS(3412): ..\\regkey.cpp(112): 0x80070002 (The system cannot find the file specified.)\r\nERR_: MMS(7720): admaexport.cpp(2944): Failed to acquire user information: Contoso\\MSOL_0123456789ab. Error Code: ERROR_ACCESS_DENIED\r\nAzure AD Sync 2.1.20.0\""),
        classic(233_279_993, 2, "PasswordResetService", 33004, 2,
            &format!("TrackingId: {tid}, Reason: Synchronization Engine returned an error hr=80230626, message=The password could not be updated because the management agent credentials were denied access., Context: cloudAnchor:User_9b83f544-ba22-4ffb-bff5-c1c2374d654c, SourceAnchorValue: F39SWQrM2EidaboN8UC8Ww== UserPrincipalName: ethan@contoso.co.uk, Details: Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException: Synchronization Engine returned an error hr=80230626, message=The password could not be updated because the management agent credentials were denied access.\r\n   at AADPasswordReset.SynchronizationEngineManagedHandle.ThrowSyncEngineError(Int32 hr)")),
        classic(233_279_994, 30, "Directory Synchronization", 611, 2,
            "Password hash synchronization failed for domain: contoso.com, domain controller hostname: server1.contoso.com, domain controller IP address: 192.168.0.0.\r\nDetails:       Microsoft.Online.PasswordSynchronization.SynchronizationManagerException: Recovery task failed. ---> Microsoft.Online.PasswordSynchronization.DirectoryReplicationServices.DrsException:  RPC Error 8333 : Directory object not found. There was an error calling _IDL_DRSGetNCChanges."),
    ];
    for (id, event_id) in [(233_279_995, 10017u16), (233_279_996, 30003)] {
        records.push(Record {
            record_id: id,
            time: t0() + Duration::seconds(40),
            computer: "DC01.contoso.co.uk".into(),
            channel: "Microsoft-AzureADPasswordProtection-DCAgent/Admin".into(),
            provider: Provider::Manifest {
                name: "Microsoft-AzureADPasswordProtection-DCAgent".into(),
                guid: Guid::from_str_const("c7a1e2b3-5d4f-4e6a-9b8c-0d1e2f3a4b5c"),
            },
            event_id,
            level: 3,
            task: 0,
            keywords: 0x4000_0000_0000_0000,
            process_id: 2140,
            thread_id: 2388,
            activity_id: "5b9e2c1d-7f3a-4e8b-a6d0-3c4f5e6a7b8c".parse().ok(),
            data: EventData::Named(vec![
                ("UserName".into(), Value::String("ethan".into())),
                ("FullName".into(), Value::String("Ethan Ek".into())),
            ]),
        });
    }
    records
}

#[test]
fn field_shapes_as_posted_read_alike_by_both_readers_with_event_record_ids() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("resaved.evtx");
    let mut w = resetlens::evtx_writer::EvtxWriter::renumbering(std::fs::File::create(&path).unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    for r in field_shapes() {
        w.push(&r).unwrap_or_else(|e| panic!("{e}"));
    }
    w.finish().unwrap_or_else(|e| panic!("{e}"));
    let paths = [path.clone()];
    let fast = ingest(&paths, &IngestOptions::default(), &|_| {});
    let reference = ingest_reference(&paths, &IngestOptions::default());
    assert_eq!(fast.events, reference.events, "both readers agree");
    assert_eq!(fast.events.len(), 7);
    for (i, e) in fast.events.iter().enumerate() {
        assert_eq!(
            e.origin.record_id,
            233_279_990 + i as u64,
            "EventRecordID, as Event Viewer shows"
        );
        assert_eq!(
            e.origin.position,
            1 + i as u64,
            "the header's number: the position in the file"
        );
    }
    let by_id = |id: u32| {
        fast.events
            .iter()
            .find(|e| e.event_id == id)
            .map(|e| &e.fields)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(
        by_id(31001).operation.as_deref(),
        Some("PasswordResetRequestStart")
    );
    assert_eq!(by_id(405).bind_user.as_deref(), Some("MSOL_0123456789ab"));
    assert_eq!(by_id(6329).win32_error, Some(5));
    assert_eq!(by_id(611).dc_host.as_deref(), Some("server1.contoso.com"));
    assert_eq!(by_id(10017).target_user.as_deref(), Some("ethan"));
    assert!(
        by_id(10017).correlation_id.is_some(),
        "System/Correlation ActivityID read"
    );
    assert_eq!(by_id(10017).correlation_id, by_id(30003).correlation_id);
    assert_eq!(by_id(31001).correlation_id, None);
    // The timeline as a script reads it.
    let (code, out, err) = support::run::resetlens(&[
        "events",
        "--evtx",
        &path.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let line = |id: u64| {
        lines
            .iter()
            .find(|v| v["event_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {out}"))
    };
    let failure = line(33004);
    assert_eq!(failure["tracking_id"], "7344da2c-ab9d-42ef-adea-4a17d07fdeb9");
    assert_eq!(failure["user_principal_name"], "ethan@contoso.co.uk");
    assert_eq!(
        failure["cloud_anchor"],
        "User_9b83f544-ba22-4ffb-bff5-c1c2374d654c"
    );
    assert!(
        failure["source_anchor"].as_str().is_some_and(|g| g.len() == 36),
        "{failure}"
    );
    assert_eq!(failure["hresult"], "0x80230626");
    assert_eq!(
        failure["error_message"],
        "The password could not be updated because the management agent credentials were denied access"
    );
    assert_eq!(failure["record_id"], 233_279_993u64);
    assert_eq!(failure["position"], 4);
    let engine = line(6329);
    assert!(
        engine["cause"]
            .as_str()
            .is_some_and(|c| c.contains("Failed to acquire user information: Contoso\\MSOL_0123456789ab")),
        "{engine}"
    );
    assert_eq!(
        engine["hresult"], "0x80070005",
        "the cause's code, not the registry noise's 0x80070002"
    );
    assert_eq!(
        line(31001)["user_principal_name"],
        "ethan@contoso.onmicrosoft.com"
    );
    // The console's event detail finds the record again by its position.
    let xml = resetlens::events::raw::record_xml(&path, 4).unwrap_or_else(|e| panic!("{e}"));
    assert!(xml.contains("<EventRecordID>233279993</EventRecordID>"), "{xml}");
}
