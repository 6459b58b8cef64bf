//! Correlation: which events are about one user, and how they group into writeback attempts.
//!
//! A user is recognised by UPN, sAMAccountName, DN, SID and by the decoded source anchor
//! (objectGUID or mS-DS-ConsistencyGuid). Without a directory only names are known
//! (`UserKey::from_name`), and the caller must say so. An attempt is the writeback events of one
//! TrackingId, plus the domain controllers' events for the same user around it (4724 by the
//! connector account, 4738, 4740, 4767), the sync engine's 6329 on the same server, and the
//! password hash sync 656/657 that follow it.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::model::{AuditOutcome, Event, EventKind};
use crate::ad::dn;
use crate::security::{Guid, Sid};

/// What a directory knows of one user that an event can name. The caller reads it from its own
/// model (the diagnosis from a `DirectoryUser`), so correlation needs no directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIdentity {
    pub dn: String,
    pub sam_account_name: String,
    pub user_principal_name: Option<String>,
    pub object_sid: Option<Sid>,
    /// The source anchors writeback events carry: objectGUID and mS-DS-ConsistencyGuid.
    pub object_guid: Option<Guid>,
    pub consistency_guid: Option<Guid>,
}

/// What identifies one user in events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserKey {
    upns: Vec<String>,
    sams: Vec<String>,
    dns: Vec<String>,
    sids: Vec<Sid>,
    anchors: Vec<Guid>,
    names_only: bool,
}

impl UserKey {
    /// From a directory user's identity: every identifier, anchors included.
    pub fn from_identity(user: &UserIdentity) -> UserKey {
        UserKey {
            upns: user.user_principal_name.iter().cloned().collect(),
            sams: vec![user.sam_account_name.clone()],
            dns: vec![user.dn.clone()],
            sids: user.object_sid.iter().cloned().collect(),
            anchors: user
                .object_guid
                .iter()
                .chain(user.consistency_guid.iter())
                .copied()
                .collect(),
            names_only: false,
        }
    }

    /// From what the user typed, with no directory to resolve it: a UPN (its part before `@` is
    /// also tried as the sAMAccountName, the usual convention), a DN, a SID, a GUID (as an
    /// anchor), or a sAMAccountName. Anchors and SIDs of the user stay unknown.
    pub fn from_name(name: &str) -> UserKey {
        let name = name.trim();
        let mut key = UserKey {
            names_only: true,
            ..UserKey::default()
        };
        if let Ok(sid) = Sid::from_str(name) {
            key.sids.push(sid);
        } else if let Ok(guid) = Guid::from_str(name.trim_matches(['{', '}'])) {
            key.anchors.push(guid);
        } else if name.contains('=') {
            key.dns.push(name.to_owned());
        } else if let Some((local, _)) = name.split_once('@') {
            key.upns.push(name.to_owned());
            key.sams.push(local.to_owned());
        } else {
            // DOMAIN\sam is how people often write it.
            let sam = name.rsplit('\\').next().unwrap_or(name);
            key.sams.push(sam.to_owned());
        }
        key
    }

    /// True when built without a directory: anchors and SIDs could not be resolved.
    pub fn is_names_only(&self) -> bool {
        self.names_only
    }

    /// Whether the event is about this user (as target; the subject of a reset is the connector).
    pub fn matches(&self, e: &Event) -> bool {
        let f = &e.fields;
        let eq = |a: &Option<String>, list: &[String]| {
            a.as_deref()
                .is_some_and(|a| list.iter().any(|b| dn::eq_ignore_case(a, b)))
        };
        eq(&f.user_principal_name, &self.upns)
            || eq(&f.target_user, &self.sams)
            || f.dn
                .as_deref()
                .is_some_and(|d| self.dns.iter().any(|b| dn::same(d, b)))
            || f.target_sid.as_ref().is_some_and(|s| self.sids.contains(s))
            || f.source_anchor.as_ref().is_some_and(|g| self.anchors.contains(g))
    }
}

/// The events `key` matches, in input order, with the other writeback events of their attempts.
pub fn events_for_key<'a>(events: &'a [Event], key: &UserKey) -> Vec<&'a Event> {
    let matched: Vec<usize> = (0..events.len())
        .filter(|&i| events.get(i).is_some_and(|e| key.matches(e)))
        .collect();
    with_attempt_mates(events, matched, key, |tid| {
        (0..events.len())
            .filter(|&i| events.get(i).and_then(tracking_key).as_deref() == Some(tid))
            .collect()
    })
}

/// An attempt is one TrackingId: the start of a reset often carries only the *cloud* UPN
/// (`amercer@tenant.onmicrosoft.com` while AD has `amercer@hybrid.lan`), and belongs to the user
/// because another event of its TrackingId carries the user's anchor or name. `matched` are the
/// indexes `key` matched; `mates(tid)` gives every writeback event of a TrackingId. A mate that
/// carries a source anchor that is not the user's stays out: names alone never join two users.
fn with_attempt_mates<'a>(
    all: &'a [Event],
    mut matched: Vec<usize>,
    key: &UserKey,
    mates: impl Fn(&str) -> Vec<usize>,
) -> Vec<&'a Event> {
    let mut tids: Vec<String> = matched
        .iter()
        .filter_map(|&i| all.get(i).and_then(tracking_key))
        .collect();
    tids.sort_unstable();
    tids.dedup();
    for tid in &tids {
        matched.extend(mates(tid).into_iter().filter(|&i| {
            all.get(i)
                .is_some_and(|e| e.fields.source_anchor.map_or(true, |g| key.anchors.contains(&g)))
        }));
    }
    matched.sort_unstable();
    matched.dedup();
    matched.into_iter().filter_map(|i| all.get(i)).collect()
}

/// The TrackingId of a writeback event, folded for matching; other events have none here.
fn tracking_key(e: &Event) -> Option<String> {
    is_writeback(e.kind)
        .then_some(e.fields.tracking_id.as_deref())
        .flatten()
        .map(str::to_ascii_lowercase)
}

/// Every event read, indexed once by each identifier `UserKey::matches` compares, plus what
/// correlation reads that names no user (6329, the writeback service's own events, the span of
/// the DC Security logs). A scan looks each user's events up here instead of testing every event
/// against every user; the answers are those of `events_for_key` and `attempts` on the same input.
pub struct EventIndex<'a> {
    all: &'a [Event],
    by_upn: HashMap<String, Vec<usize>>,
    by_sam: HashMap<String, Vec<usize>>,
    by_dn: HashMap<String, Vec<usize>>,
    by_sid: HashMap<&'a Sid, Vec<usize>>,
    by_anchor: HashMap<Guid, Vec<usize>>,
    by_tracking: HashMap<String, Vec<usize>>,
    sync_engine: Vec<&'a Event>,
    service: Vec<&'a Event>,
    dc_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    connect_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl<'a> EventIndex<'a> {
    pub fn new(all: &'a [Event]) -> EventIndex<'a> {
        let mut index = EventIndex {
            all,
            by_upn: HashMap::new(),
            by_sam: HashMap::new(),
            by_dn: HashMap::new(),
            by_sid: HashMap::new(),
            by_anchor: HashMap::new(),
            by_tracking: HashMap::new(),
            sync_engine: Vec::new(),
            service: Vec::new(),
            dc_span: security_span(all),
            connect_span: None,
        };
        for (i, e) in all.iter().enumerate() {
            let f = &e.fields;
            if let Some(upn) = &f.user_principal_name {
                index.by_upn.entry(dn::fold_case(upn)).or_default().push(i);
            }
            if let Some(sam) = &f.target_user {
                index.by_sam.entry(dn::fold_case(sam)).or_default().push(i);
            }
            if let Some(d) = &f.dn {
                index.by_dn.entry(dn::normalize(d)).or_default().push(i);
            }
            if let Some(sid) = &f.target_sid {
                index.by_sid.entry(sid).or_default().push(i);
            }
            if let Some(anchor) = f.source_anchor {
                index.by_anchor.entry(anchor).or_default().push(i);
            }
            if let Some(tid) = tracking_key(e) {
                index.by_tracking.entry(tid).or_default().push(i);
            }
            if matches!(e.kind, EventKind::SyncEngine | EventKind::ConnectorBind) {
                index.sync_engine.push(e);
            } else if concerns_every_user(e) {
                index.service.push(e);
            }
            if e.provider.eq_ignore_ascii_case(PASSWORD_RESET_SERVICE) {
                index.connect_span = Some(widen(index.connect_span, e.time));
            }
        }
        index
    }

    /// The events `key` matches, in input order: `events_for_key` by lookup.
    pub fn events_for(&self, key: &UserKey) -> Vec<&'a Event> {
        // An empty map skips the folding: a scan with few or no events pays next to nothing.
        let hits = |map: &HashMap<String, Vec<usize>>, wanted: &[String], fold: fn(&str) -> String| {
            wanted
                .iter()
                .take_while(|_| !map.is_empty())
                .filter_map(|w| map.get(&fold(w)))
                .flatten()
                .copied()
                .collect::<Vec<usize>>()
        };
        let mut found = hits(&self.by_upn, &key.upns, dn::fold_case);
        found.extend(hits(&self.by_sam, &key.sams, dn::fold_case));
        found.extend(hits(&self.by_dn, &key.dns, dn::normalize));
        found.extend(key.sids.iter().filter_map(|s| self.by_sid.get(s)).flatten());
        found.extend(key.anchors.iter().filter_map(|g| self.by_anchor.get(g)).flatten());
        found.sort_unstable();
        found.dedup();
        // The lookup keys fold as the comparisons do; `matches` keeps the answer exactly theirs.
        found.retain(|&i| self.all.get(i).is_some_and(|e| key.matches(e)));
        with_attempt_mates(self.all, found, key, |tid| {
            self.by_tracking.get(tid).cloned().unwrap_or_default()
        })
    }

    /// `attempts` for the user whose events (`events_for`) are `own`.
    pub fn attempts(&self, own: &[&Event], settings: &CorrelationSettings) -> Vec<Attempt> {
        attempts_among(own, &self.sync_engine, self.dc_span, settings)
    }

    /// The events that may concern every user (`concerns_every_user`).
    pub fn service_events(&self) -> &[&'a Event] {
        &self.service
    }

    /// `connect_log_span` of every event.
    pub fn connect_span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.connect_span
    }
}

const PASSWORD_RESET_SERVICE: &str = "PasswordResetService";

/// Events that name no user and may concern every user: the writeback service's own (start,
/// stop, errors) and password hash sync's failure for a domain (611).
pub fn concerns_every_user(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::WritebackService | EventKind::WritebackServiceError
    ) || (e.kind == EventKind::Phs && e.event_id == 611)
}

/// The time the Entra Connect server's writeback log covers: from its first to its last
/// PasswordResetService event (heartbeats come every few minutes), so that the absence of a
/// user's request there means something.
pub fn connect_log_span<'a>(
    events: impl IntoIterator<Item = &'a Event>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    events
        .into_iter()
        .filter(|e| e.provider.eq_ignore_ascii_case(PASSWORD_RESET_SERVICE))
        .fold(None, |span, e| Some(widen(span, e.time)))
}

fn widen(span: Option<(DateTime<Utc>, DateTime<Utc>)>, t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    span.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t)))
}

/// How far around an attempt's own events a sync-engine event of the same server belongs to it:
/// the engine logs within the second of the export it failed.
const SYNC_ENGINE_SLACK: Duration = Duration::seconds(5);

/// Time windows and the connector account used to group events into attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationSettings {
    /// DC events and 6329 this close to an attempt belong to it (clocks of servers differ a little).
    pub dc_window: Duration,
    /// 656/657 this long after an attempt belong to it (PHS runs every two minutes).
    pub phs_window: Duration,
    /// How far back a 4740 may explain a 33006.
    pub lockout_lookback: Duration,
    /// The AD DS connector account, to tell its 4724 from other people's resets.
    pub connector_sam: Option<String>,
    pub connector_sid: Option<Sid>,
}

impl Default for CorrelationSettings {
    fn default() -> Self {
        CorrelationSettings {
            dc_window: Duration::minutes(2),
            phs_window: Duration::minutes(10),
            lockout_lookback: Duration::hours(24),
            connector_sam: None,
            connector_sid: None,
        }
    }
}

impl CorrelationSettings {
    fn connector_known(&self) -> bool {
        self.connector_sam.is_some() || self.connector_sid.is_some()
    }

    /// Whether the reset's subject is the connector account; when the connector is not known,
    /// any reset of the user counts.
    fn is_connector(&self, e: &Event) -> bool {
        if !self.connector_known() {
            return true;
        }
        let by_sid = matches!((&self.connector_sid, &e.fields.subject_sid), (Some(a), Some(b)) if a == b);
        let by_sam = matches!((&self.connector_sam, &e.fields.subject_user), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
        by_sid || by_sam
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    Reset,
    Change,
    AdminReset,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttemptOutcome {
    Succeeded,
    Failed,
    Pending,
}

/// A pattern the diagnosis acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptPattern {
    /// The attempt failed and no DC audited a reset by the connector: the DC refused access
    /// before auditing (access denied writes no 4724). Only when DC logs cover the attempt.
    FailedWithoutDcReset,
    /// A 4724 by the connector with audit failure: the DC rejected the password (policy).
    DcResetAuditFailure,
    /// 33006 (locked out) with the 4740 that locked the account and where the bad passwords came from.
    LockedOut { caller_computer: Option<String> },
}

/// One writeback attempt and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// `None` for a writeback event that carried no TrackingId.
    pub tracking_id: Option<String>,
    pub operation: Operation,
    pub started: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    /// The first failure event.
    pub failure: Option<Event>,
    /// Writeback events, DC events in the window, 6329, and the later 656/657; oldest first.
    pub events: Vec<Event>,
    /// A 4724 for the user by the connector account (or by anyone when it is unknown).
    pub dc_reset_seen: bool,
    pub dc_reset_audit_failed: bool,
    /// Whether any DC Security log covers the attempt's time (else a missing 4724 means nothing).
    pub dc_logs_cover: bool,
    /// The caller computer of the 4740 that locked the user out before the attempt.
    pub lockout_caller: Option<String>,
    pub hresult: Option<u32>,
}

impl Attempt {
    pub fn patterns(&self) -> Vec<AttemptPattern> {
        let mut out = Vec::new();
        if self.outcome == AttemptOutcome::Failed && self.dc_logs_cover && !self.dc_reset_seen {
            out.push(AttemptPattern::FailedWithoutDcReset);
        }
        if self.dc_reset_audit_failed {
            out.push(AttemptPattern::DcResetAuditFailure);
        }
        let locked = self.failure.as_ref().is_some_and(|f| f.event_id == 33006);
        if locked && self.events.iter().any(|e| e.kind == EventKind::DcLockout) {
            out.push(AttemptPattern::LockedOut {
                caller_computer: self.lockout_caller.clone(),
            });
        }
        out
    }
}

fn is_writeback(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::WritebackResetStart
            | EventKind::WritebackChangeStart
            | EventKind::WritebackAdminResetStart
            | EventKind::WritebackSuccess
            | EventKind::WritebackFailure
    )
}

fn operation_of(event_id: u32) -> Operation {
    match event_id {
        31001..=31003 => Operation::Reset,
        31006..=31008 => Operation::Change,
        31009..=31011 => Operation::AdminReset,
        _ => Operation::Unknown,
    }
}

/// Groups the user's writeback events into attempts and attaches the evidence around each.
/// `events` is everything read (sorted oldest first); `key` says who the user is.
pub fn attempts(events: &[Event], key: &UserKey, settings: &CorrelationSettings) -> Vec<Attempt> {
    let own = events_for_key(events, key);
    let sync_engine: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::SyncEngine | EventKind::ConnectorBind))
        .collect();
    attempts_among(&own, &sync_engine, security_span(events), settings)
}

/// `attempts` on what was already picked out: `own` (the events `key` matches, in input order),
/// every sync engine event (6329 names no user: it joins an attempt by server and time), and the
/// span of every DC Security event (which says whether a missing 4724 means anything).
fn attempts_among(
    own: &[&Event],
    sync_engine: &[&Event],
    dc_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    settings: &CorrelationSettings,
) -> Vec<Attempt> {
    // (TrackingId as written, its lowercase form for matching, the events)
    let mut groups: Vec<(Option<String>, Option<String>, Vec<&Event>)> = Vec::new();
    for &e in own.iter().filter(|e| is_writeback(e.kind)) {
        let tid = e.fields.tracking_id.as_ref().map(|t| t.to_ascii_lowercase());
        let existing = match &tid {
            Some(t) => groups.iter().position(|(_, g, _)| g.as_ref() == Some(t)),
            // A result without a TrackingId closes the latest open attempt close before it.
            None => groups.iter().rposition(|(_, _, evs)| {
                let open = !evs
                    .iter()
                    .any(|x| matches!(x.kind, EventKind::WritebackSuccess | EventKind::WritebackFailure));
                open && evs
                    .last()
                    .is_some_and(|last| e.time - last.time <= settings.dc_window)
            }),
        };
        match existing {
            Some(i) => {
                if let Some((_, _, evs)) = groups.get_mut(i) {
                    evs.push(e);
                }
            }
            None => groups.push((e.fields.tracking_id.clone(), tid, vec![e])),
        }
    }
    groups
        .into_iter()
        .filter_map(|(tracking_id, _, evs)| build(tracking_id, &evs, own, sync_engine, settings, dc_span))
        .collect()
}

/// The time span the DC Security logs in the input cover.
fn security_span<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let mut dc = events
        .into_iter()
        .filter(|e| e.channel.eq_ignore_ascii_case("Security"));
    let first = dc.next()?.time;
    let (lo, hi) = dc.fold((first, first), |(lo, hi), e| (lo.min(e.time), hi.max(e.time)));
    Some((lo, hi))
}

fn build(
    tracking_id: Option<String>,
    group: &[&Event],
    own: &[&Event],
    sync_engine: &[&Event],
    settings: &CorrelationSettings,
    dc_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Option<Attempt> {
    let started = group.first()?.time;
    let last = group.last()?.time;
    let (from, to) = (started - settings.dc_window, last + settings.dc_window);
    let failure = group
        .iter()
        .find(|e| e.kind == EventKind::WritebackFailure)
        .copied();
    let outcome = if failure.is_some() {
        AttemptOutcome::Failed
    } else if group.iter().any(|e| e.kind == EventKind::WritebackSuccess) {
        AttemptOutcome::Succeeded
    } else {
        AttemptOutcome::Pending
    };
    let operation = group
        .iter()
        .map(|e| operation_of(e.event_id))
        .find(|o| *o != Operation::Unknown)
        .unwrap_or(Operation::Unknown);

    let mut evidence: Vec<&Event> = group.to_vec();
    let in_window = |e: &Event| e.time >= from && e.time <= to;
    let dc_kinds = [
        EventKind::DcReset,
        EventKind::DcChange,
        EventKind::DcUserChanged,
        EventKind::DcLockout,
        EventKind::DcUnlock,
    ];
    let user_dc: Vec<&Event> = own
        .iter()
        .copied()
        .filter(|e| dc_kinds.contains(&e.kind))
        .collect();
    evidence.extend(
        user_dc
            .iter()
            .filter(|e| in_window(e) && e.kind != EventKind::DcLockout),
    );
    let resets: Vec<&&Event> = user_dc
        .iter()
        .filter(|e| e.kind == EventKind::DcReset && in_window(e) && settings.is_connector(e))
        .collect();
    let dc_reset_seen = !resets.is_empty();
    let dc_reset_audit_failed = resets.iter().any(|e| e.audit == Some(AuditOutcome::Failure));
    // The lockout that explains a locked account can be well before the attempt.
    let lockout = user_dc
        .iter()
        .filter(|e| {
            e.kind == EventKind::DcLockout && e.time <= to && e.time >= started - settings.lockout_lookback
        })
        .max_by_key(|e| e.time);
    if let Some(l) = lockout {
        evidence.push(l);
    }
    // The sync engine's own events on the same server (the 6329 that carries the cause, the
    // 405/403 of the connector's bind) name no user: they join the attempt they sit in, within
    // seconds, unless they name another user's cloud anchor.
    let servers: Vec<&str> = group.iter().map(|e| e.machine.as_str()).collect();
    let anchors: Vec<&str> = group
        .iter()
        .filter_map(|e| e.fields.cloud_anchor.as_deref())
        .collect();
    let (se_from, se_to) = (started - SYNC_ENGINE_SLACK, last + SYNC_ENGINE_SLACK);
    evidence.extend(sync_engine.iter().filter(|e| {
        let anchor_fits = match e.fields.cloud_anchor.as_deref() {
            Some(a) => anchors.is_empty() || anchors.iter().any(|x| x.eq_ignore_ascii_case(a)),
            None => true,
        };
        e.time >= se_from
            && e.time <= se_to
            && anchor_fits
            && servers.iter().any(|m| m.eq_ignore_ascii_case(&e.machine))
    }));
    // Password hash sync of the new password, after the attempt.
    evidence.extend(own.iter().filter(|e| {
        matches!(e.kind, EventKind::PhsRequest | EventKind::PhsResult)
            && e.time >= started
            && e.time <= last + settings.phs_window
    }));
    evidence.sort_by_key(|e| (e.time, e.origin.record_id));
    evidence.dedup_by(|a, b| std::ptr::eq(*a, *b));

    let hresult = failure
        .and_then(|f| f.fields.hresult)
        .or_else(|| evidence.iter().find_map(|e| e.fields.hresult));
    let dc_logs_cover = dc_span
        .is_some_and(|(lo, hi)| started >= lo - settings.dc_window && started <= hi + settings.dc_window);
    Some(Attempt {
        tracking_id,
        operation,
        started,
        outcome,
        failure: failure.cloned(),
        events: evidence.into_iter().cloned().collect(),
        dc_reset_seen,
        dc_reset_audit_failed,
        dc_logs_cover,
        lockout_caller: lockout.and_then(|l| l.fields.caller_computer.clone()),
        hresult,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::EventFields;
    use crate::testkit::EventBuilder;

    const ALICE_SID: &str = "S-1-5-21-1-2-3-1105";
    const MSOL_SID: &str = "S-1-5-21-1-2-3-1600";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + secs, 0).unwrap_or_default()
    }

    fn event(id: u32, kind: EventKind, secs: i64, fields: EventFields) -> Event {
        let event = EventBuilder::new(id, kind, at(secs))
            .provider("p")
            .record("f.evtx", secs as u64)
            .fields(fields);
        if id < 10_000 {
            event
                .machine("DC01")
                .channel("Security")
                .audit(AuditOutcome::Success)
        } else {
            event.machine("AADC01").channel("Application")
        }
        .build()
    }

    fn writeback(id: u32, kind: EventKind, secs: i64, tid: &str, upn: &str) -> Event {
        event(
            id,
            kind,
            secs,
            EventFields {
                tracking_id: Some(tid.into()),
                user_principal_name: Some(upn.into()),
                ..EventFields::default()
            },
        )
    }

    fn dc(id: u32, kind: EventKind, secs: i64, target: &str, sid: &str, subject: &str) -> Event {
        event(
            id,
            kind,
            secs,
            EventFields {
                target_user: Some(target.into()),
                target_sid: Sid::from_str(sid).ok(),
                subject_user: Some(subject.into()),
                subject_sid: Sid::from_str(MSOL_SID)
                    .ok()
                    .filter(|_| subject.starts_with("MSOL")),
                ..EventFields::default()
            },
        )
    }

    #[test]
    fn the_index_finds_what_matching_every_event_finds() {
        let settings = CorrelationSettings {
            connector_sid: Sid::from_str(MSOL_SID).ok(),
            ..CorrelationSettings::default()
        };
        let by_dn = EventFields {
            dn: Some("cn=ALICE, ou=staff,DC=contoso,DC=example".into()),
            ..EventFields::default()
        };
        let by_anchor = EventFields {
            source_anchor: Guid::from_str("38fe4107-cb3d-4133-849d-8383c1d3e1a6").ok(),
            ..EventFields::default()
        };
        let events = vec![
            writeback(
                31001,
                EventKind::WritebackResetStart,
                0,
                "T1",
                "ALICE@contoso.example",
            ),
            writeback(
                31001,
                EventKind::WritebackResetStart,
                5,
                "T2",
                "bob@contoso.example",
            ),
            dc(4724, EventKind::DcReset, 20, "ALICE", ALICE_SID, "MSOL_1"),
            event(6329, EventKind::SyncEngine, 30, EventFields::default()),
            event(656, EventKind::PhsRequest, 40, by_anchor),
            event(4738, EventKind::DcUserChanged, 50, by_dn),
            writeback(
                33004,
                EventKind::WritebackFailure,
                60,
                "t1",
                "alice@CONTOSO.example",
            ),
        ];
        let index = EventIndex::new(&events);
        let key = UserKey::from_identity(&alice());
        let own = index.events_for(&key);
        assert_eq!(own, events_for_key(&events, &key));
        assert_eq!(own.len(), 5);
        assert_eq!(
            index.attempts(&own, &settings),
            attempts(&events, &key, &settings)
        );
        let by_name = UserKey::from_name("Alice");
        assert_eq!(index.events_for(&by_name), events_for_key(&events, &by_name));
    }

    #[test]
    fn a_start_with_only_the_cloud_upn_joins_through_its_tracking_id_never_by_the_local_part() {
        let user = alice();
        let anchor = crate::events::message::decode_anchor("B0H+OD3LM0GEnYODwdPhpg==");
        assert_eq!(anchor, user.object_guid, "the anchor is alice's objectGUID");
        let text_event = |id, kind, secs, text: &str| {
            let mut e = event(id, kind, secs, crate::events::message::fields(text));
            e.message = text.to_string();
            e
        };
        let start = text_event(31001, EventKind::WritebackResetStart, 0,
            "TrackingId: e9654057-f2df-452c-8f69-132a882798d9, PasswordResetRequestStart, Details: alice@contoso.onmicrosoft.com");
        let success = text_event(31002, EventKind::WritebackSuccess, 2,
            "TrackingId: e9654057-f2df-452c-8f69-132a882798d9, PasswordResetSuccess, Details: Context: cloudAnchor: User_a5a99e6f-dc5b-4d63-8092-acdf79965131, SourceAnchorValue: B0H+OD3LM0GEnYODwdPhpg==, UserPrincipalName: alice@contoso.onmicrosoft.com, unblockUser: True");
        // Another alice of another tenant's request, by the local part only: never hers.
        let stranger = text_event(31001, EventKind::WritebackResetStart, 60,
            "TrackingId: 11111111-2222-4333-8444-555555555555, PasswordResetRequestStart, Details: alice@fabrikam.onmicrosoft.com");
        let events = vec![start.clone(), success.clone(), stranger];
        let key = UserKey::from_identity(&user);
        let own = events_for_key(&events, &key);
        assert_eq!(own, vec![&start, &success]);
        assert_eq!(EventIndex::new(&events).events_for(&key), own);
        let got = attempts(&events, &key, &CorrelationSettings::default());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].started, start.time, "the attempt starts at its 31001");
        assert_eq!(got[0].outcome, AttemptOutcome::Succeeded);
        assert_eq!(got[0].operation, Operation::Reset);
        // A mate that carries someone else's anchor stays out.
        let mut foreign = success.clone();
        foreign.fields.source_anchor = crate::events::message::decode_anchor("AAAAAAAAAAAAAAAAAAAAAA==");
        foreign.fields.user_principal_name = None;
        let events = vec![start.clone(), success.clone(), foreign];
        assert_eq!(events_for_key(&events, &key), vec![&start, &success]);
    }

    fn alice() -> UserIdentity {
        UserIdentity {
            dn: "CN=Alice,OU=Staff,DC=contoso,DC=example".into(),
            sam_account_name: "alice".into(),
            user_principal_name: Some("alice@contoso.example".into()),
            object_sid: Sid::from_str(ALICE_SID).ok(),
            object_guid: Guid::from_str("38fe4107-cb3d-4133-849d-8383c1d3e1a6").ok(),
            consistency_guid: None,
        }
    }

    fn connector() -> CorrelationSettings {
        CorrelationSettings {
            connector_sam: Some("MSOL_abc123".into()),
            connector_sid: Sid::from_str(MSOL_SID).ok(),
            ..CorrelationSettings::default()
        }
    }

    #[test]
    fn user_matched_by_every_identifier_and_no_one_else() {
        let anchor = Guid::from_str("38fe4107-cb3d-4133-849d-8383c1d3e1a6").ok();
        let events = vec![
            writeback(
                31001,
                EventKind::WritebackResetStart,
                0,
                "t1",
                "ALICE@contoso.example",
            ),
            dc(
                4724,
                EventKind::DcReset,
                1,
                "someone-renamed",
                ALICE_SID,
                "MSOL_abc123",
            ),
            dc(
                4738,
                EventKind::DcUserChanged,
                2,
                "Alice",
                "S-1-5-21-1-2-3-9999",
                "MSOL_abc123",
            ),
            event(
                657,
                EventKind::PhsResult,
                3,
                EventFields {
                    source_anchor: anchor,
                    ..EventFields::default()
                },
            ),
            event(
                656,
                EventKind::PhsRequest,
                4,
                EventFields {
                    dn: Some("cn=alice, ou=staff,dc=contoso,dc=example".into()),
                    ..EventFields::default()
                },
            ),
            writeback(
                31001,
                EventKind::WritebackResetStart,
                5,
                "t2",
                "bob@contoso.example",
            ),
            dc(4724, EventKind::DcReset, 6, "bob", "S-1-5-21-1-2-3-1106", "alice"),
        ];
        let mine = events_for_key(&events, &UserKey::from_identity(&alice()));
        let ids: Vec<u32> = mine.iter().map(|e| e.event_id).collect();
        assert_eq!(ids, vec![31001, 4724, 4738, 657, 656]);
        assert!(!UserKey::from_identity(&alice()).is_names_only());
    }

    #[test]
    fn names_only_key_matches_names_but_not_anchors() {
        let key = UserKey::from_name("alice@contoso.example");
        assert!(key.is_names_only());
        let anchor = Guid::from_str("38fe4107-cb3d-4133-849d-8383c1d3e1a6").ok();
        let events = vec![
            writeback(
                31001,
                EventKind::WritebackResetStart,
                0,
                "t1",
                "alice@contoso.example",
            ),
            dc(4724, EventKind::DcReset, 1, "alice", ALICE_SID, "MSOL_abc123"),
            event(
                657,
                EventKind::PhsResult,
                3,
                EventFields {
                    source_anchor: anchor,
                    ..EventFields::default()
                },
            ),
        ];
        assert_eq!(
            events_for_key(&events, &key).len(),
            2,
            "UPN and its sAMAccountName"
        );
        assert_eq!(
            events_for_key(&events, &UserKey::from_name("CONTOSO\\alice")).len(),
            1
        );
        assert_eq!(events_for_key(&events, &UserKey::from_name(ALICE_SID)).len(), 1);
        assert_eq!(
            events_for_key(
                &events,
                &UserKey::from_name("{38fe4107-cb3d-4133-849d-8383c1d3e1a6}")
            )
            .len(),
            1
        );
    }

    #[test]
    fn successful_reset_collects_dc_and_phs_evidence() {
        let events = vec![
            writeback(
                31001,
                EventKind::WritebackResetStart,
                0,
                "T1",
                "alice@contoso.example",
            ),
            dc(4724, EventKind::DcReset, 2, "alice", ALICE_SID, "MSOL_abc123"),
            dc(
                4738,
                EventKind::DcUserChanged,
                2,
                "alice",
                ALICE_SID,
                "MSOL_abc123",
            ),
            writeback(
                31002,
                EventKind::WritebackSuccess,
                3,
                "t1",
                "alice@contoso.example",
            ),
            event(
                656,
                EventKind::PhsRequest,
                100,
                EventFields {
                    dn: Some(alice().dn),
                    ..EventFields::default()
                },
            ),
            event(
                657,
                EventKind::PhsResult,
                130,
                EventFields {
                    dn: Some(alice().dn),
                    result: Some("Success".into()),
                    ..EventFields::default()
                },
            ),
            // Outside every window.
            dc(
                4738,
                EventKind::DcUserChanged,
                5000,
                "alice",
                ALICE_SID,
                "MSOL_abc123",
            ),
        ];
        let a = attempts(&events, &UserKey::from_identity(&alice()), &connector());
        assert_eq!(a.len(), 1, "TrackingId case does not split an attempt");
        let a = &a[0];
        assert_eq!(a.tracking_id.as_deref(), Some("T1"));
        assert_eq!(a.operation, Operation::Reset);
        assert_eq!(a.outcome, AttemptOutcome::Succeeded);
        assert!(a.dc_reset_seen && !a.dc_reset_audit_failed);
        let ids: Vec<u32> = a.events.iter().map(|e| e.event_id).collect();
        assert_eq!(ids, vec![31001, 4724, 4738, 31002, 656, 657]);
        assert!(a.patterns().is_empty());
    }

    #[test]
    fn failure_without_any_dc_reset_is_marked() {
        let events = vec![
            writeback(
                31001,
                EventKind::WritebackResetStart,
                0,
                "t9",
                "alice@contoso.example",
            ),
            writeback(
                33004,
                EventKind::WritebackFailure,
                1,
                "t9",
                "alice@contoso.example",
            ),
            // A reset by someone else does not count as the connector's.
            dc(4724, EventKind::DcReset, 1, "alice", ALICE_SID, "helpdesk"),
            // Another user's Security event keeps the DC log's span around the attempt.
            dc(4624, EventKind::Other, 60, "bob", "S-1-5-21-1-2-3-1106", "bob"),
        ];
        let a = &attempts(&events, &UserKey::from_identity(&alice()), &connector())[0];
        assert_eq!(a.outcome, AttemptOutcome::Failed);
        assert_eq!(a.failure.as_ref().map(|f| f.event_id), Some(33004));
        assert!(!a.dc_reset_seen);
        assert!(a.dc_logs_cover);
        assert_eq!(a.patterns(), vec![AttemptPattern::FailedWithoutDcReset]);

        // Without DC logs around, a missing 4724 proves nothing.
        let app_only: Vec<Event> = events.into_iter().filter(|e| e.event_id > 10_000).collect();
        let a = &attempts(&app_only, &UserKey::from_identity(&alice()), &connector())[0];
        assert!(!a.dc_logs_cover);
        assert!(a.patterns().is_empty());
    }

    #[test]
    fn audit_failure_of_the_connectors_reset_and_policy_hresult() {
        let mut failed_reset = dc(4724, EventKind::DcReset, 1, "alice", ALICE_SID, "MSOL_abc123");
        failed_reset.audit = Some(AuditOutcome::Failure);
        let mut engine = event(
            6329,
            EventKind::SyncEngine,
            2,
            EventFields {
                hresult: Some(0x8023_0619),
                ..EventFields::default()
            },
        );
        engine.machine = "aadc01".into();
        engine.channel = "Application".into();
        let events = vec![
            writeback(
                31006,
                EventKind::WritebackChangeStart,
                0,
                "t3",
                "alice@contoso.example",
            ),
            failed_reset,
            engine,
            writeback(
                33008,
                EventKind::WritebackFailure,
                3,
                "t3",
                "alice@contoso.example",
            ),
        ];
        let a = &attempts(&events, &UserKey::from_identity(&alice()), &connector())[0];
        assert_eq!(a.operation, Operation::Change);
        assert!(a.dc_reset_seen && a.dc_reset_audit_failed);
        assert_eq!(a.hresult, Some(0x8023_0619), "from the 6329 on the same server");
        assert_eq!(a.patterns(), vec![AttemptPattern::DcResetAuditFailure]);
    }

    #[test]
    fn locked_out_attempt_names_the_caller_computer() {
        let mut lockout = dc(4740, EventKind::DcLockout, -3600, "alice", ALICE_SID, "DC01$");
        lockout.fields.caller_computer = Some("WS042".into());
        let events = vec![
            lockout,
            writeback(
                31006,
                EventKind::WritebackChangeStart,
                0,
                "t4",
                "alice@contoso.example",
            ),
            writeback(
                33006,
                EventKind::WritebackFailure,
                1,
                "t4",
                "alice@contoso.example",
            ),
        ];
        let a = &attempts(&events, &UserKey::from_identity(&alice()), &connector())[0];
        assert_eq!(a.lockout_caller.as_deref(), Some("WS042"));
        assert!(a.patterns().contains(&AttemptPattern::LockedOut {
            caller_computer: Some("WS042".into())
        }));
        assert_eq!(a.events.first().map(|e| e.event_id), Some(4740));
    }

    #[test]
    fn separate_tracking_ids_are_separate_attempts_and_untracked_results_attach() {
        let mut untracked = writeback(
            33005,
            EventKind::WritebackFailure,
            11,
            "",
            "alice@contoso.example",
        );
        untracked.fields.tracking_id = None;
        let events = vec![
            writeback(
                31001,
                EventKind::WritebackResetStart,
                0,
                "a",
                "alice@contoso.example",
            ),
            writeback(
                31002,
                EventKind::WritebackSuccess,
                1,
                "a",
                "alice@contoso.example",
            ),
            writeback(
                31009,
                EventKind::WritebackAdminResetStart,
                10,
                "b",
                "alice@contoso.example",
            ),
            untracked,
        ];
        let a = attempts(
            &events,
            &UserKey::from_identity(&alice()),
            &CorrelationSettings::default(),
        );
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].operation, Operation::AdminReset);
        assert_eq!(a[1].outcome, AttemptOutcome::Failed);
        assert_eq!(a[1].failure.as_ref().map(|f| f.event_id), Some(33005));
        // Without a known connector, any reset of the user counts.
        assert!(!a[0].dc_reset_seen);
    }
}
