//! The serialized face of an event: the contract's EVENT object (shared by `events --format json`
//! and the diagnosis report) and the one-line plain-language summary. Every text that came from
//! an event log is sanitized here, so no view of an event can carry control characters.

use std::borrow::Cow;
use std::fmt::{self, Write};

use chrono::SecondsFormat;
use serde::Serialize;

use super::catalog;
use super::model::{AuditOutcome, Event, EventKind};
use crate::sanitize::{line, sanitized};

/// The contract's EVENT keys plus the optional extras of `events --format json`. Texts borrow
/// from the event where sanitizing leaves them unchanged (a timeline renders one per event);
/// `into_owned` detaches a view that outlives its event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView<'a> {
    pub time: String,
    pub machine: Cow<'a, str>,
    pub channel: Cow<'a, str>,
    pub provider: Cow<'a, str>,
    pub event_id: u32,
    pub record_id: u64,
    pub file: Cow<'a, str>,
    /// The catalog's name, or `unknown` for an event the catalog does not list.
    pub name: &'static str,
    pub tracking_id: Option<Cow<'a, str>>,
    pub summary: String,
    pub kind: EventKind,
    pub user_principal_name: Option<Cow<'a, str>>,
    /// The decoded source anchor GUID, when the event carries a base64 anchor.
    pub source_anchor: Option<String>,
    pub target_sid: Option<String>,
    pub target_user: Option<Cow<'a, str>>,
    pub subject_user: Option<Cow<'a, str>>,
    pub result: Option<Cow<'a, str>>,
    /// `0x80230619`.
    pub hresult: Option<String>,
}

fn clean(v: &Option<String>) -> Option<Cow<'_, str>> {
    v.as_deref().map(|t| sanitized(t, false))
}

fn owned(v: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    v.map(|t| Cow::Owned(t.into_owned()))
}

impl EventView<'_> {
    pub fn into_owned(self) -> EventView<'static> {
        EventView {
            time: self.time,
            machine: Cow::Owned(self.machine.into_owned()),
            channel: Cow::Owned(self.channel.into_owned()),
            provider: Cow::Owned(self.provider.into_owned()),
            event_id: self.event_id,
            record_id: self.record_id,
            file: Cow::Owned(self.file.into_owned()),
            name: self.name,
            tracking_id: owned(self.tracking_id),
            summary: self.summary,
            kind: self.kind,
            user_principal_name: owned(self.user_principal_name),
            source_anchor: self.source_anchor,
            target_sid: self.target_sid,
            target_user: owned(self.target_user),
            subject_user: owned(self.subject_user),
            result: owned(self.result),
            hresult: self.hresult,
        }
    }
}

impl Event {
    pub fn view(&self) -> EventView<'_> {
        let entry = catalog::lookup(&self.provider, self.event_id);
        let f = &self.fields;
        EventView {
            time: self.time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            machine: sanitized(&self.machine, false),
            channel: sanitized(&self.channel, false),
            provider: sanitized(&self.provider, false),
            event_id: self.event_id,
            record_id: self.origin.record_id,
            file: sanitized(&self.origin.file, false),
            name: entry.map_or("unknown", |e| e.name),
            tracking_id: clean(&f.tracking_id),
            summary: self.summary(),
            kind: self.kind,
            user_principal_name: clean(&f.user_principal_name),
            source_anchor: f.source_anchor.map(|g| g.to_string()),
            target_sid: f.target_sid.as_ref().map(ToString::to_string),
            target_user: clean(&f.target_user),
            subject_user: clean(&f.subject_user),
            result: clean(&f.result),
            hresult: f.hresult.map(|h| format!("{h:#010x}")),
        }
    }

    /// One sanitized line: what the event means, and the values that matter for this one.
    pub fn summary(&self) -> String {
        let entry = catalog::lookup(&self.provider, self.event_id);
        let f = &self.fields;
        // Written into one buffer: this runs for every event of a timeline.
        let mut s = String::with_capacity(256);
        match entry {
            Some(e) => s.push_str(e.meaning),
            None => {
                let _ = write!(s, "Event {} from {}.", self.event_id, self.provider);
            }
        }
        // `write!` into a String cannot fail.
        let mut part = |args: fmt::Arguments| {
            s.push(' ');
            let _ = s.write_fmt(args);
        };
        if self.audit == Some(AuditOutcome::Failure) {
            part(format_args!("Audit: failure."));
        }
        if let Some(u) = &f.user_principal_name {
            part(format_args!("User {u}."));
        }
        if let Some(a) = &f.admin_upn {
            part(format_args!("By admin {a}."));
        }
        if let Some(d) = &f.dn {
            part(format_args!("DN {d}."));
        }
        if let Some(g) = f.source_anchor {
            part(format_args!("Anchor {g}."));
        } else if let Some(b) = &f.source_anchor_b64 {
            part(format_args!("Anchor {b}."));
        }
        if let Some(u) = &f.target_user {
            match &f.target_domain {
                // A lockout names the account alone: its domain field is the caller computer.
                Some(d) if self.kind != EventKind::DcLockout => part(format_args!("Target {d}\\{u}.")),
                _ => part(format_args!("Target {u}.")),
            }
        }
        if let Some(u) = &f.subject_user {
            match &f.subject_domain {
                Some(d) => part(format_args!("By {d}\\{u}.")),
                None => part(format_args!("By {u}.")),
            }
        }
        if let Some(c) = &f.caller_computer {
            part(format_args!("Caller computer {c}."));
        }
        if let Some(p) = &f.password_last_set {
            part(format_args!("Password last set {p}."));
        }
        if f.old_uac.is_some() || f.new_uac.is_some() {
            let old = f.old_uac.as_deref().unwrap_or("-");
            let new = f.new_uac.as_deref().unwrap_or("-");
            part(format_args!("UAC {old} -> {new}."));
        }
        if let Some(st) = f.status {
            match f.sub_status {
                Some(sub) => part(format_args!("Status {st:#010x} / {sub:#010x}.")),
                None => part(format_args!("Status {st:#010x}.")),
            }
        }
        if let Some(r) = &f.result {
            part(format_args!("Result {r}."));
        }
        if let Some(h) = f.hresult {
            part(format_args!("hr {h:#010x}."));
        }
        if let Some(m) = &f.error_message {
            part(format_args!("\"{m}\"."));
        }
        if let Some(force) = f.force_password_change {
            part(format_args!(
                "Must change at next logon: {}.",
                if force { "yes" } else { "no" }
            ));
        }
        if let Some(t) = &f.tracking_id {
            part(format_args!("TrackingId {t}."));
        }
        line(&s)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::DateTime;

    use super::*;
    use crate::events::model::{EventFields, EventOrigin};

    fn failure() -> Event {
        Event {
            time: DateTime::from_timestamp(1_764_000_000, 5_000_000).unwrap_or_default(),
            machine: "AADC01".into(),
            channel: "Application".into(),
            provider: "PasswordResetService".into(),
            event_id: 33008,
            level: 2,
            audit: None,
            origin: EventOrigin {
                file: Arc::from("logs/AADC01-Application.evtx"),
                record_id: 42,
            },
            kind: EventKind::WritebackFailure,
            message: "hr=80230619".into(),
            fields: EventFields {
                tracking_id: Some("t-1".into()),
                user_principal_name: Some("erin@contoso.example\u{1b}[31m".into()),
                hresult: Some(0x8023_0619),
                ..EventFields::default()
            },
        }
    }

    #[test]
    fn view_has_the_contract_keys_and_is_sanitized() {
        let event = failure();
        let v = event.view();
        let json = serde_json::to_value(&v).unwrap_or_default();
        for key in [
            "time",
            "machine",
            "channel",
            "provider",
            "event_id",
            "record_id",
            "file",
            "name",
            "tracking_id",
            "summary",
            "kind",
            "user_principal_name",
            "source_anchor",
            "target_sid",
            "target_user",
            "subject_user",
            "result",
            "hresult",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert_eq!(json["name"], "ADPasswordPolicyError");
        assert_eq!(json["kind"], "writeback-failure");
        assert_eq!(json["hresult"], "0x80230619");
        assert_eq!(json["time"], "2025-11-24T16:00:00.005Z");
        assert_eq!(json["source_anchor"], serde_json::Value::Null);
        assert!(!v.summary.chars().any(char::is_control));
        assert!(v.user_principal_name.is_some_and(|u| u.contains("\\x1b")));
        assert!(v.summary.contains("violates the on-premises password policy"));
        assert!(v.summary.contains("hr 0x80230619"));
    }

    #[test]
    fn unknown_events_are_named_as_such() {
        let mut e = failure();
        e.provider = "Other".into();
        e.event_id = 1;
        let v = e.view();
        assert_eq!(v.name, "unknown");
        assert!(v.summary.starts_with("Event 1 from Other."));
    }
}
