//! Round trip of the EVTX writer through two independent parsers: the evtx crate (what resetlens
//! reads with) and python-evtx. Both layouts, several chunks, typed values and multi-line text.

mod support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use evtx::{EvtxParser, ParserSettings};
use serde_json::Value as Json;

use resetlens::evtx_writer::{to_bytes, EventData, Provider, Record, Value, KEYWORDS_AUDIT_SUCCESS};
use resetlens::security::Sid;

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

fn time_of(id: u64) -> DateTime<Utc> {
    base_time() + Duration::milliseconds(id as i64 * 1500)
}

fn classic(id: u64, provider: &str, event_id: u16, text: &str) -> Record {
    let computer = "AADC01.contoso.example".to_string();
    Record {
        record_id: id,
        ..Record::classic(computer, time_of(id), provider, event_id, 4, text.into())
    }
}

fn reset_4724(id: u64, target: &str) -> Record {
    let domain = "S-1-5-21-1004336348-1177238915-682003330".to_string();
    let fields = vec![
        ("TargetUserName".into(), Value::String(target.into())),
        ("TargetDomainName".into(), Value::String("CONTOSO".into())),
        (
            "TargetSid".into(),
            Value::Sid(format!("{domain}-{}", 1100 + id).parse().unwrap()),
        ),
        (
            "SubjectUserSid".into(),
            Value::Sid(format!("{domain}-1105").parse::<Sid>().unwrap()),
        ),
        (
            "SubjectUserName".into(),
            Value::String("MSOL_2f4a7c9e1b3d".into()),
        ),
        ("SubjectDomainName".into(), Value::String("CONTOSO".into())),
        ("SubjectLogonId".into(), Value::HexInt64(0x3e7_0000 + id)),
    ];
    let computer = "DC01.contoso.example".to_string();
    Record {
        record_id: id,
        thread_id: 1200 + id as u32 % 7,
        ..Record::security_audit(
            computer,
            time_of(id),
            4724,
            13824,
            KEYWORDS_AUDIT_SUCCESS,
            640,
            fields,
        )
    }
}

/// 1,500 records alternating layouts and templates, so there are many chunks, each redefining.
fn mixed_records() -> Vec<Record> {
    (1..=1500u64)
        .map(|id| match id % 3 {
            0 => reset_4724(id, &format!("user{id}")),
            1 => classic(
                id,
                "PasswordResetService",
                31001,
                &format!("TrackingId: 7f3c{id:08x}-0000-4000-8000-000000000000, PasswordResetStart, Details: user{id}@contoso.example"),
            ),
            _ => classic(
                id,
                "Directory Synchronization",
                656,
                &format!("Password Change Request - Anchor: AAAAAAAAAAAAAAAAAAAAAA==, Dn: CN=user{id},OU=Staff,DC=contoso,DC=example, Change Date: 11/24/2026 09:00:00\r\nPassword Change Request - Anchor: AQEBAQEBAQEBAQEBAQEBAQ==, Dn: CN=x,DC=contoso,DC=example, Change Date: 11/24/2026 09:00:01"),
            ),
        })
        .collect()
}

fn data_text(event: &Json) -> Option<String> {
    match &event["EventData"]["Data"]["#text"] {
        Json::String(s) => Some(s.clone()),
        _ => None,
    }
}

#[test]
fn the_evtx_crate_reads_every_record_with_its_fields() {
    let records = mixed_records();
    let bytes = to_bytes(&records).unwrap();
    assert!(bytes.len() > 4096 + 3 * 65536, "expected several chunks");
    let settings = ParserSettings::default().validate_checksums(true);
    let mut parser = EvtxParser::from_buffer(bytes)
        .unwrap()
        .with_configuration(settings);
    let parsed: Vec<_> = parser.records_json_value().collect();
    assert_eq!(parsed.len(), records.len());
    for (record, got) in records.iter().zip(parsed) {
        let got = got.unwrap_or_else(|e| panic!("record {}: {e}", record.record_id));
        assert_eq!(got.event_record_id, record.record_id);
        let event = &got.data["Event"];
        let system = &event["System"];
        let created = system["TimeCreated"]["#attributes"]["SystemTime"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(
            created.parse::<DateTime<Utc>>().ok(),
            Some(record.time),
            "{created}"
        );
        assert_eq!(system["Computer"], Json::String(record.computer.clone()));
        assert_eq!(system["Channel"], Json::String(record.channel.clone()));
        assert_eq!(system["EventRecordID"], Json::from(record.record_id));
        match (&record.provider, &record.data) {
            (Provider::Classic { name }, EventData::ClassicStrings(strings)) => {
                assert_eq!(
                    system["Provider"]["#attributes"]["Name"],
                    Json::String(name.clone())
                );
                assert!(system["Provider"]["#attributes"].get("Guid").is_none());
                // Classic sources: EventID is an object with its Qualifiers attribute.
                assert_eq!(system["EventID"]["#text"], Json::from(record.event_id));
                assert_eq!(system["EventID"]["#attributes"]["Qualifiers"], Json::from(0));
                assert_eq!(system["Keywords"], Json::String("0x80000000000000".into()));
                assert_eq!(data_text(event).as_ref(), strings.first());
            }
            (Provider::Manifest { name, guid }, EventData::Named(fields)) => {
                let attrs = &system["Provider"]["#attributes"];
                assert_eq!(attrs["Name"], Json::String(name.clone()));
                assert_eq!(attrs["Guid"], Json::String(format!("{{{guid}}}")));
                assert_eq!(system["EventID"], Json::from(record.event_id));
                assert_eq!(system["Task"], Json::from(13824));
                assert_eq!(system["Keywords"], Json::String("0x8020000000000000".into()));
                assert_eq!(system["Execution"]["#attributes"]["ProcessID"], Json::from(640));
                for (name, value) in fields {
                    let got = &event["EventData"][name.as_str()];
                    let want = match value {
                        Value::String(s) => s.clone(),
                        Value::Sid(s) => s.to_string(),
                        Value::HexInt64(n) => format!("{n:#x}"),
                        other => panic!("unexpected value {other:?}"),
                    };
                    assert_eq!(
                        got,
                        &Json::String(want),
                        "field {name} of record {}",
                        record.record_id
                    );
                }
            }
            other => panic!("test builds no such record: {other:?}"),
        }
    }
}

#[cfg(feature = "lab")]
#[test]
fn python_evtx_reads_every_record() {
    let records = mixed_records();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.evtx");
    std::fs::write(&path, to_bytes(&records).unwrap()).unwrap();
    assert_eq!(
        support::python_evtx::record_counts(&[&path]),
        vec![records.len() as u64]
    );
}

#[test]
fn an_empty_log_is_a_valid_file_for_both_parsers() {
    let bytes = to_bytes(&[]).unwrap();
    assert_eq!(bytes.len(), 4096);
    #[cfg(feature = "lab")]
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.evtx");
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(support::python_evtx::record_counts(&[&path]), vec![0]);
    }
    let mut parser = EvtxParser::from_buffer(bytes).unwrap();
    assert_eq!(parser.records().count(), 0);
}

#[test]
fn several_insertion_strings_render_as_repeated_data_elements() {
    let mut r = classic(1, "MsiInstaller", 1033, "");
    r.data = EventData::ClassicStrings(vec!["one".into(), "two".into(), "three".into()]);
    let mut parser = EvtxParser::from_buffer(to_bytes([&r]).unwrap()).unwrap();
    let got = parser.records_json_value().next().unwrap().unwrap();
    assert_eq!(
        got.data["Event"]["EventData"]["Data"]["#text"],
        serde_json::json!(["one", "two", "three"])
    );
    let xml = EvtxParser::from_buffer(to_bytes([&r]).unwrap())
        .unwrap()
        .records()
        .next()
        .unwrap()
        .unwrap()
        .data;
    assert_eq!(xml.matches("<Data>").count(), 3, "{xml}");
}
