//! The serialized face of an event: the contract's EVENT object (shared by `events --format json`
//! and the diagnosis report) and the one-line plain-language summary. Every text that came from
//! an event log is sanitized here, so no view of an event can carry control characters.

use std::borrow::Cow;
use std::fmt::{self, Write};
use std::io;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::Serialize;

use super::catalog;
use super::model::{AuditOutcome, Event, EventKind};
use crate::sanitize::sanitized;

/// The contract's EVENT keys plus the optional extras of `events --format json`. Texts borrow
/// from the event where sanitizing leaves them unchanged (a timeline renders one per event, a
/// report or the console one per event it writes or draws).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView<'a> {
    pub time: Cow<'a, str>,
    pub machine: Cow<'a, str>,
    pub channel: Cow<'a, str>,
    pub provider: Cow<'a, str>,
    pub event_id: u32,
    pub record_id: u64,
    /// The record header's number, its position in `file` (differs from `record_id` in re-saved
    /// exports).
    pub position: u64,
    pub file: Cow<'a, str>,
    /// The catalog's name, or `unknown` for an event the catalog does not list.
    pub name: &'static str,
    pub tracking_id: Option<Cow<'a, str>>,
    pub summary: Cow<'a, str>,
    pub kind: EventKind,
    pub user_principal_name: Option<Cow<'a, str>>,
    /// The decoded source anchor GUID, when the event carries a base64 anchor.
    pub source_anchor: Option<Cow<'a, str>>,
    pub target_sid: Option<Cow<'a, str>>,
    pub target_user: Option<Cow<'a, str>>,
    pub subject_user: Option<Cow<'a, str>>,
    pub result: Option<Cow<'a, str>>,
    /// `0x80230619`.
    pub hresult: Option<Cow<'a, str>>,
    pub cloud_anchor: Option<Cow<'a, str>>,
    /// The `message=` text of a sync-engine error.
    pub error_message: Option<Cow<'a, str>>,
    /// The 6329 line that names the failed step.
    pub cause: Option<Cow<'a, str>>,
}

impl EventView<'_> {
    /// The view as one line of JSON, newline included: the bytes `serde_json::to_writer` makes of
    /// it (a test holds the two equal), written here because a timeline writes one line per
    /// event and serde_json escapes byte by byte, while nearly every text needs no escaping and
    /// is copied whole.
    pub fn write_json_line(&self, out: &mut Vec<u8>) -> io::Result<()> {
        let mut o = JsonObject::open(out);
        o.text("time", Some(&self.time));
        o.text("machine", Some(&self.machine));
        o.text("channel", Some(&self.channel));
        o.text("provider", Some(&self.provider));
        o.number("event_id", self.event_id.into());
        o.number("record_id", self.record_id);
        o.number("position", self.position);
        o.text("file", Some(&self.file));
        o.text("name", Some(self.name));
        o.text("tracking_id", self.tracking_id.as_deref());
        o.text("summary", Some(&self.summary));
        o.key("kind");
        serde_json::to_writer(&mut *o.out, &self.kind)?;
        o.text("user_principal_name", self.user_principal_name.as_deref());
        o.text("source_anchor", self.source_anchor.as_deref());
        o.text("target_sid", self.target_sid.as_deref());
        o.text("target_user", self.target_user.as_deref());
        o.text("subject_user", self.subject_user.as_deref());
        o.text("result", self.result.as_deref());
        o.text("hresult", self.hresult.as_deref());
        o.text("cloud_anchor", self.cloud_anchor.as_deref());
        o.text("error_message", self.error_message.as_deref());
        o.text("cause", self.cause.as_deref());
        o.out.extend_from_slice(b"}\n");
        Ok(())
    }
}

/// Writes a JSON object's members in order, compact, as serde_json does.
struct JsonObject<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> JsonObject<'a> {
    fn open(out: &'a mut Vec<u8>) -> JsonObject<'a> {
        out.push(b'{');
        JsonObject { out, first: true }
    }

    /// `key` is one of ours, plain ASCII: written without escaping.
    fn key(&mut self, key: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    fn text(&mut self, key: &str, value: Option<&str>) {
        self.key(key);
        match value {
            Some(v) => json_string(self.out, v),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    fn number(&mut self, key: &str, value: u64) {
        self.key(key);
        // Writing to a Vec cannot fail.
        let _ = io::Write::write_fmt(self.out, format_args!("{value}"));
    }
}

/// `s` as a JSON string, escaped as serde_json escapes (`"`, `\` and C0 controls only): runs of
/// plain text, nearly all of it, are copied whole.
fn json_string(out: &mut Vec<u8>, s: &str) {
    let mut rest = s.as_bytes();
    out.reserve(rest.len() + 2);
    out.push(b'"');
    while let Some(at) = first_awkward(rest) {
        let (plain, tail) = rest.split_at(at);
        out.extend_from_slice(plain);
        let Some((&b, tail)) = tail.split_first() else {
            break;
        };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// Where the first byte JSON must escape is. Tested 16 bytes at a time without early exit
/// inside, so the test vectorizes; the last few bytes are padded with plain ones to 16 (most
/// texts are shorter than that).
fn first_awkward(bytes: &[u8]) -> Option<usize> {
    let awkward = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let in_block = |block: &[u8]| {
        block
            .iter()
            .fold(false, |any, &b| any | awkward(b))
            .then(|| block.iter().position(|&b| awkward(b)))
            .flatten()
    };
    let mut blocks = bytes.chunks_exact(16);
    let mut offset = 0;
    for block in &mut blocks {
        if let Some(i) = in_block(block) {
            return Some(offset + i);
        }
        offset += 16;
    }
    let rest = blocks.remainder();
    let mut padded = [b'a'; 16];
    padded.get_mut(..rest.len())?.copy_from_slice(rest);
    in_block(&padded).map(|i| offset + i)
}

fn clean(v: &Option<String>) -> Option<Cow<'_, str>> {
    v.as_deref().map(|t| sanitized(t, false))
}

/// The texts a view computes rather than borrows (time, summary, GUID, SID, HRESULT), in
/// buffers a timeline reuses from one event to the next: rendering then allocates nothing.
#[derive(Debug, Default)]
pub struct ViewTexts {
    time: String,
    summary: String,
    source_anchor: String,
    target_sid: String,
    hresult: String,
}

impl ViewTexts {
    /// Writes `event`'s texts over the previous event's; returns which optional ones it has
    /// (source anchor, target SID, HRESULT).
    fn fill(&mut self, event: &Event) -> [bool; 3] {
        self.time.clear();
        write_rfc3339(&mut self.time, &event.time);
        self.summary.clear();
        event.write_summary(&mut self.summary);
        if let Cow::Owned(clean) = sanitized(&self.summary, false) {
            self.summary = clean;
        }
        let f = &event.fields;
        self.source_anchor.clear();
        self.target_sid.clear();
        self.hresult.clear();
        // `write!` into a String cannot fail.
        if let Some(g) = f.source_anchor {
            let _ = write!(self.source_anchor, "{g}");
        }
        if let Some(sid) = &f.target_sid {
            let _ = write!(self.target_sid, "{sid}");
        }
        if let Some(h) = f.hresult {
            let _ = write!(self.hresult, "{h:#010x}");
        }
        [
            f.source_anchor.is_some(),
            f.target_sid.is_some(),
            f.hresult.is_some(),
        ]
    }
}

/// `time` as `to_rfc3339_opts(SecondsFormat::AutoSi, true)` writes it, without its
/// allocation (a test holds the two equal); chrono writes the years it pads or signs.
fn write_rfc3339(out: &mut String, time: &DateTime<Utc>) {
    let (date, clock) = (time.date_naive(), time.time());
    let nanos = clock.nanosecond();
    if !(0..=9999).contains(&date.year()) || nanos >= 1_000_000_000 {
        out.push_str(&time.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        return;
    }
    let mut text = *b"0000-00-00T00:00:00";
    let mut digits = |at: usize, width: usize, value: u32| {
        let mut v = value;
        for i in (at..at + width).rev() {
            text[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    digits(0, 4, date.year() as u32);
    digits(5, 2, date.month());
    digits(8, 2, date.day());
    digits(11, 2, clock.hour());
    digits(14, 2, clock.minute());
    digits(17, 2, clock.second());
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
    let fraction = match nanos {
        0 => None,
        n if n % 1_000_000 == 0 => Some((n / 1_000_000, 3)),
        n if n % 1_000 == 0 => Some((n / 1_000, 6)),
        n => Some((n, 9)),
    };
    if let Some((value, width)) = fraction {
        let _ = write!(out, ".{value:0width$}");
    }
    out.push('Z');
}

impl Event {
    pub fn view(&self) -> EventView<'_> {
        let mut texts = ViewTexts::default();
        let [anchor, sid, hr] = texts.fill(self);
        let ViewTexts {
            time,
            summary,
            source_anchor,
            target_sid,
            hresult,
        } = texts;
        self.view_of(
            Cow::Owned(time),
            Cow::Owned(summary),
            [
                anchor.then_some(Cow::Owned(source_anchor)),
                sid.then_some(Cow::Owned(target_sid)),
                hr.then_some(Cow::Owned(hresult)),
            ],
        )
    }

    /// The view with its computed texts in `texts`, which the next event's view reuses: for
    /// a timeline, which renders one view per event and drops it.
    pub fn view_in<'a>(&'a self, texts: &'a mut ViewTexts) -> EventView<'a> {
        let [anchor, sid, hr] = texts.fill(self);
        let texts = &*texts;
        self.view_of(
            Cow::Borrowed(&texts.time),
            Cow::Borrowed(&texts.summary),
            [
                anchor.then_some(Cow::Borrowed(texts.source_anchor.as_str())),
                sid.then_some(Cow::Borrowed(texts.target_sid.as_str())),
                hr.then_some(Cow::Borrowed(texts.hresult.as_str())),
            ],
        )
    }

    /// The view around its computed texts: `[source_anchor, target_sid, hresult]`.
    fn view_of<'a>(
        &'a self,
        time: Cow<'a, str>,
        summary: Cow<'a, str>,
        [source_anchor, target_sid, hresult]: [Option<Cow<'a, str>>; 3],
    ) -> EventView<'a> {
        let f = &self.fields;
        EventView {
            time,
            machine: sanitized(&self.machine, false),
            channel: sanitized(&self.channel, false),
            provider: sanitized(&self.provider, false),
            event_id: self.event_id,
            record_id: self.origin.record_id,
            position: self.origin.position,
            file: sanitized(&self.origin.file, false),
            name: self.name(),
            tracking_id: clean(&f.tracking_id),
            summary,
            kind: self.kind,
            user_principal_name: clean(&f.user_principal_name),
            source_anchor,
            target_sid,
            target_user: clean(&f.target_user),
            subject_user: clean(&f.subject_user),
            result: clean(&f.result),
            hresult,
            cloud_anchor: clean(&f.cloud_anchor),
            error_message: clean(&f.error_message),
            cause: clean(&f.cause),
        }
    }

    /// The catalog's name for the event, or `unknown` for one it does not list.
    pub fn name(&self) -> &'static str {
        catalog::lookup(&self.provider, self.event_id).map_or("unknown", |e| e.name)
    }

    /// One sanitized line: what the event means, and the values that matter for this one.
    pub fn summary(&self) -> String {
        let mut s = String::with_capacity(256);
        self.write_summary(&mut s);
        // Nearly every summary is clean already: keep the buffer rather than copy it.
        if let Cow::Owned(clean) = sanitized(&s, false) {
            return clean;
        }
        s
    }

    /// The summary before sanitizing, appended to `s`.
    fn write_summary(&self, s: &mut String) {
        let entry = catalog::lookup(&self.provider, self.event_id);
        let f = &self.fields;
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
        if let Some(c) = &f.cause {
            part(format_args!("Cause: {c}"));
        }
        if let Some(d) = &f.domain {
            part(format_args!("Domain {d}."));
        }
        if let Some(h) = &f.dc_host {
            match &f.dc_ip {
                Some(ip) => part(format_args!("DC {h} ({ip}).")),
                None => part(format_args!("DC {h}.")),
            }
        }
        if let (Some(code), None) = (f.win32_error, &f.cause) {
            part(format_args!("Error {code}."));
        }
        if let Some(b) = &f.bind_user {
            part(format_args!("Bound as {b}."));
        }
        if f.unblock_user == Some(true) {
            part(format_args!("The account was unlocked too."));
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
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::DateTime;

    use super::*;
    use crate::testkit::contract::EVENT_KEYS;
    use crate::testkit::EventBuilder;

    fn failure() -> Event {
        let time = DateTime::from_timestamp(1_764_000_000, 5_000_000).unwrap_or_default();
        EventBuilder::new(33008, EventKind::WritebackFailure, time)
            .machine("AADC01")
            .channel("Application")
            .provider("PasswordResetService")
            .level(2)
            .record("logs/AADC01-Application.evtx", 42)
            .message("hr=80230619")
            .writeback_of("t-1", "erin@contoso.example\u{1b}[31m")
            .hresult(0x8023_0619)
            .build()
    }

    #[test]
    fn view_has_the_contract_keys_and_is_sanitized() {
        let event = failure();
        let v = event.view();
        let json = serde_json::to_value(&v).unwrap_or_default();
        let extra = [
            "kind",
            "user_principal_name",
            "source_anchor",
            "target_sid",
            "target_user",
            "subject_user",
            "result",
            "hresult",
        ];
        for key in EVENT_KEYS.iter().chain(&extra) {
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

    fn json_line(v: &EventView) -> String {
        let mut out = Vec::new();
        v.write_json_line(&mut out).unwrap_or_default();
        String::from_utf8(out).unwrap_or_default()
    }

    fn serde_line(v: &EventView) -> String {
        serde_json::to_string(v).unwrap_or_default() + "\n"
    }

    #[test]
    fn json_lines_are_serde_jsons_bytes_for_awkward_texts() {
        let mut e = failure();
        // One kind of awkward character per text, so each must be caught on its own.
        e.fields.target_user = Some("\"quoted\"".into());
        e.fields.subject_user = Some("back\\slash".into());
        e.fields.result = Some("caf\u{e9} \u{1F600} del\u{7f}".into());
        e.fields.user_principal_name = Some("tab\tnew\nline c1\u{9b} bidi\u{202e}".into());
        e.fields.tracking_id = Some(String::new());
        e.origin.file = Arc::from("C:\\logs\\\"odd\".evtx");
        e.machine = "\u{0}nul".into();
        let v = e.view();
        assert_eq!(json_line(&v), serde_line(&v));
        // Texts taken as they are, without the view's sanitizing.
        let mut raw = v.clone();
        raw.summary = "\u{1b}[2J".into();
        raw.machine = "\u{1f}".into();
        raw.target_sid = Some("S-1-5-18".into());
        raw.tracking_id = None;
        assert_eq!(json_line(&raw), serde_line(&raw));
    }

    #[test]
    fn json_strings_escape_every_byte_as_serde_json_does() {
        let awkward: String = (0u8..0x20)
            .map(char::from)
            .chain("\"\\/\u{7f}\u{e9}".chars())
            .collect();
        // Each character alone, at every place in a 16-byte block, and all of them together.
        for c in awkward.chars() {
            for at in 0..20 {
                let text = format!("{}{c}{}", "a".repeat(at), "b".repeat(at % 3));
                let mut ours = Vec::new();
                json_string(&mut ours, &text);
                let theirs = serde_json::to_vec(&text).unwrap_or_default();
                assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
            }
        }
        let mut ours = Vec::new();
        json_string(&mut ours, &awkward);
        assert_eq!(ours, serde_json::to_vec(&awkward).unwrap_or_default());
    }

    #[test]
    fn json_lines_are_serde_jsons_bytes_for_every_sample_event() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let paths = [dir.join("sample-logs"), dir.join("tests/data/evtx")];
        let report = crate::events::ingest(&paths, &crate::events::IngestOptions::default(), &|_| {});
        assert!(report.events.len() > 1_000, "{} events", report.events.len());
        for e in &report.events {
            let v = e.view();
            assert_eq!(json_line(&v), serde_line(&v));
        }
    }

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let nanos = [0, 5_000_000, 123_000_000, 7_000, 123_456_000, 1, 999_999_999, 100];
        // FILETIME's range runs from 1601 to past 9999, where chrono signs the year.
        let seconds = [
            -11_644_473_600,
            -1,
            0,
            1_764_000_000,
            253_402_300_799,
            253_402_300_800,
            910_692_730_085,
        ];
        for secs in seconds {
            for n in nanos {
                let t = DateTime::from_timestamp(secs, n).unwrap_or_default();
                let mut ours = String::new();
                write_rfc3339(&mut ours, &t);
                assert_eq!(ours, t.to_rfc3339_opts(SecondsFormat::AutoSi, true), "{secs} {n}");
            }
        }
    }

    #[test]
    fn views_in_reused_texts_equal_owned_views_for_every_sample_event() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let paths = [dir.join("sample-logs"), dir.join("tests/data/evtx")];
        let every = crate::events::IngestOptions {
            ids: Some((0..=u16::MAX as u32).collect()),
            threads: 2,
        };
        let report = crate::events::ingest(&paths, &every, &|_| {});
        // One set of texts for all: what an event leaves in them must not reach the next.
        let mut texts = ViewTexts::default();
        let mut seen = [false; 3];
        for e in &report.events {
            let f = &e.fields;
            let has = [
                f.source_anchor.is_some(),
                f.target_sid.is_some(),
                f.hresult.is_some(),
            ];
            seen.iter_mut().zip(has).for_each(|(s, h)| *s |= h);
            assert_eq!(e.view_in(&mut texts), e.view());
        }
        assert_eq!(seen, [true; 3], "anchors, SIDs and HRESULTs are all compared");
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
