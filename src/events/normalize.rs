//! From one decoded EVTX record to normalized events: the catalog gives the kind, the message
//! parsers or the Security EventData names give the fields, the Keywords give the audit outcome.
//! Both readers (the fast template walker and the evtx crate's rendering) produce a `RawRecord`,
//! so what an event means never depends on which reader decoded it.

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::catalog;
use super::message;
use super::model::{AuditOutcome, Event, EventFields, EventKind, EventOrigin};
use crate::security::{Guid, Sid};

/// One EventData value: `<Data Name="...">` values carry their name, classic insertion strings
/// do not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataValue {
    /// The fast reader names values with `NAMED_FIELDS`' own strings; the crate's JSON with copies.
    pub name: Option<Cow<'static, str>>,
    pub value: DataText,
}

/// A value as the reader found it: text, or a SID the fast reader kept binary-decoded, so it is
/// not written out as text only to be parsed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DataText {
    Text(String),
    Sid(Sid),
}

impl DataText {
    fn as_text(&self) -> Cow<'_, str> {
        match self {
            DataText::Text(t) => Cow::Borrowed(t),
            DataText::Sid(s) => Cow::Owned(s.to_string()),
        }
    }
}

impl From<String> for DataText {
    fn from(text: String) -> DataText {
        DataText::Text(text)
    }
}

/// A record of interest as either reader decoded it, before interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRecord {
    /// System/EventRecordID (the header's number when the record has none).
    pub record_id: u64,
    /// The record header's number: its position in the file.
    pub position: u64,
    /// System/Correlation ActivityID, when the record has one.
    pub activity_id: Option<Guid>,
    pub time: DateTime<Utc>,
    pub provider: String,
    pub event_id: u32,
    pub machine: String,
    pub channel: String,
    pub level: u8,
    pub keywords: Option<u64>,
    pub data: Vec<DataValue>,
}

/// The EventData names `normalize` reads; readers may leave other named values out.
pub(crate) const NAMED_FIELDS: [&str; 14] = [
    "UserPrincipalName",
    "TargetUserName",
    "TargetDomainName",
    "TargetSid",
    "TargetUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectUserSid",
    "PasswordLastSet",
    "OldUacValue",
    "NewUacValue",
    "Status",
    "SubStatus",
    // Password Protection's DC agent names the account so.
    "UserName",
];

/// Keywords bits of the Security log's audit outcome.
const AUDIT_SUCCESS: u64 = 0x0020_0000_0000_0000;
const AUDIT_FAILURE: u64 = 0x0010_0000_0000_0000;

fn audit_outcome(keywords: Option<u64>) -> Option<AuditOutcome> {
    let k = keywords?;
    if k & AUDIT_FAILURE != 0 {
        Some(AuditOutcome::Failure)
    } else if k & AUDIT_SUCCESS != 0 {
        Some(AuditOutcome::Success)
    } else {
        None
    }
}

/// Turns a record into its events: one, or one per user line of a 656/657 batch.
#[cfg(test)]
pub(crate) fn normalize(raw: RawRecord, file: &Arc<str>) -> Vec<Event> {
    let mut events = Vec::new();
    normalize_into(raw, file, &mut events);
    events
}

/// Appends a record's events to `out` (one, or one per user line of a 656/657 batch), and
/// returns what is left of the record's data (values no field took) for the reader to reuse.
pub(crate) fn normalize_into(raw: RawRecord, file: &Arc<str>, out: &mut Vec<Event>) -> Vec<DataValue> {
    let RawRecord {
        record_id,
        position,
        activity_id,
        time,
        provider,
        event_id,
        machine,
        channel,
        level,
        keywords,
        mut data,
    } = raw;
    let kind = catalog::lookup(&provider, event_id).map_or(EventKind::Other, |e| e.kind);
    let audit = audit_outcome(keywords);
    let event = |fields| Event {
        time,
        machine: String::new(),
        channel: String::new(),
        provider: String::new(),
        event_id,
        level,
        audit,
        origin: EventOrigin {
            file: Arc::clone(file),
            record_id,
            position,
        },
        kind,
        message: String::new(),
        fields: EventFields {
            correlation_id: activity_id,
            ..fields
        },
    };
    let first = out.len();
    let message = if data.iter().any(|d| d.name.is_some()) {
        out.push(event(named_fields(event_id, &mut data)));
        String::new()
    } else {
        let message = data
            .iter()
            .map(|d| d.value.as_text())
            .collect::<Vec<_>>()
            .join("\n");
        out.extend(message::parse(event_id, &message).into_iter().map(event));
        message
    };
    // Every event of a batch carries the record's texts; the last one takes them over.
    if let Some((last, rest)) = out.get_mut(first..).and_then(|new| new.split_last_mut()) {
        for e in rest {
            e.machine.clone_from(&machine);
            e.channel.clone_from(&channel);
            e.provider.clone_from(&provider);
            e.message.clone_from(&message);
        }
        (last.machine, last.channel, last.provider, last.message) = (machine, channel, provider, message);
    }
    data
}

/// The Security log's EventData fields (the names in `NAMED_FIELDS`). Windows writes `-` for
/// "none" or "unchanged"; that is `None` here.
fn named_fields(event_id: u32, data: &mut [DataValue]) -> EventFields {
    let target_sid = take_sid(data, "TargetSid").or_else(|| take_sid(data, "TargetUserSid"));
    let subject_sid = take_sid(data, "SubjectUserSid");
    let target_domain = take_text(data, "TargetDomainName");
    EventFields {
        user_principal_name: take_text(data, "UserPrincipalName"),
        target_user: take_text(data, "TargetUserName").or_else(|| take_text(data, "UserName")),
        caller_computer: if event_id == 4740 {
            target_domain.clone()
        } else {
            None
        },
        target_domain,
        target_sid,
        subject_user: take_text(data, "SubjectUserName"),
        subject_domain: take_text(data, "SubjectDomainName"),
        subject_sid,
        password_last_set: take_text(data, "PasswordLastSet"),
        old_uac: take_text(data, "OldUacValue"),
        new_uac: take_text(data, "NewUacValue"),
        status: take_text(data, "Status").and_then(|s| parse_hex(&s)),
        sub_status: take_text(data, "SubStatus").and_then(|s| parse_hex(&s)),
        ..EventFields::default()
    }
}

/// The first value named `name` (any case).
fn value_named<'a>(data: &'a mut [DataValue], name: &str) -> Option<&'a mut DataText> {
    data.iter_mut()
        .find(|d| d.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .map(|d| &mut d.value)
}

/// Moves the first value named `name` out.
fn take_value(data: &mut [DataValue], name: &str) -> Option<DataText> {
    let value = value_named(data, name)?;
    Some(std::mem::replace(value, DataText::Text(String::new())))
}

/// The value as text, trimmed; `-` and blanks are `None` (and stay in `data`, for the reader
/// to reuse).
fn take_text(data: &mut [DataValue], name: &str) -> Option<String> {
    let value = match value_named(data, name)? {
        DataText::Text(t) => t,
        DataText::Sid(s) => return Some(s.to_string()),
    };
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed == "-" {
        None
    } else if trimmed.len() == value.len() {
        Some(std::mem::take(value))
    } else {
        Some(trimmed.to_owned())
    }
}

fn take_sid(data: &mut [DataValue], name: &str) -> Option<Sid> {
    match take_value(data, name)? {
        DataText::Sid(s) => Some(s),
        DataText::Text(t) => Sid::from_str(t.trim()).ok(),
    }
}

/// `0xC000006A` or a bare hex number.
fn parse_hex(text: &str) -> Option<u32> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(provider: &str, id: u32, keywords: u64, data: Vec<DataValue>) -> RawRecord {
        RawRecord {
            record_id: 7,
            position: 7,
            activity_id: None,
            time: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            provider: provider.into(),
            event_id: id,
            machine: "DC01.contoso.example".into(),
            channel: "Security".into(),
            level: 0,
            keywords: Some(keywords),
            data,
        }
    }

    fn named(pairs: &[(&str, &str)]) -> Vec<DataValue> {
        pairs
            .iter()
            .map(|(n, v)| DataValue {
                name: Some(Cow::Owned((*n).into())),
                value: DataText::Text((*v).into()),
            })
            .collect()
    }

    #[test]
    fn lockout_caller_computer_and_audit() {
        let r = raw(
            "Microsoft-Windows-Security-Auditing",
            4740,
            0x8020_0000_0000_0000,
            named(&[
                ("TargetUserName", "grace"),
                ("TargetDomainName", "WS042"),
                ("TargetSid", "S-1-5-21-1-2-3-1105"),
                ("SubjectUserName", "DC01$"),
                ("SubjectUserSid", "S-1-5-18"),
            ]),
        );
        let e = normalize(r, &Arc::from("f.evtx"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, EventKind::DcLockout);
        assert_eq!(e[0].audit, Some(AuditOutcome::Success));
        assert_eq!(e[0].fields.caller_computer.as_deref(), Some("WS042"));
        assert_eq!(
            e[0].fields.target_sid.as_ref().map(|s| s.to_string()).as_deref(),
            Some("S-1-5-21-1-2-3-1105")
        );
        assert_eq!(e[0].message, "");
    }

    #[test]
    fn failure_keywords_dashes_and_status() {
        let r = raw(
            "Microsoft-Windows-Security-Auditing",
            4625,
            0x8010_0000_0000_0000,
            named(&[
                ("TargetUserName", "bob"),
                ("TargetDomainName", "-"),
                ("Status", "0xc000006d"),
                ("SubStatus", "0xC000006A"),
            ]),
        );
        let e = &normalize(r, &Arc::from("f"))[0];
        assert_eq!(e.audit, Some(AuditOutcome::Failure));
        assert_eq!(e.fields.target_domain, None);
        assert_eq!(e.fields.caller_computer, None);
        assert_eq!(e.fields.status, Some(0xC000_006D));
        assert_eq!(e.fields.sub_status, Some(0xC000_006A));
    }

    #[test]
    fn classic_batch_splits_into_events() {
        let text = "Password Change Request - Anchor: B0H+OD3LM0GEnYODwdPhpg==, Dn: CN=a,DC=c, Change Date: x\r\n\
                    Password Change Request - Anchor: AAAAAAAAAAAAAAAAAAAAAA==, Dn: CN=b,DC=c, Change Date: y";
        let r = RawRecord {
            keywords: Some(0x0080_0000_0000_0000),
            channel: "Application".into(),
            ..raw(
                "Directory Synchronization",
                656,
                0,
                vec![DataValue {
                    name: None,
                    value: DataText::Text(text.into()),
                }],
            )
        };
        let e = normalize(r, &Arc::from("f"));
        assert_eq!(e.len(), 2);
        assert!(e
            .iter()
            .all(|e| e.kind == EventKind::PhsRequest && e.audit.is_none()));
        assert_eq!(e[1].fields.dn.as_deref(), Some("CN=b,DC=c"));
        assert_eq!(e[0].message, text);
        assert_eq!(
            (&e[1].message, &e[1].machine),
            (&e[0].message, &e[0].machine),
            "every line carries the texts"
        );
    }
}
