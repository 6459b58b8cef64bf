//! Findings and the verdict: directory facts and correlated events in, a `Diagnosis` out.
//!
//! `diagnose` decodes the model once into `Facts` (account state at the evaluation instant,
//! effective policy, the connector's effective rights, protected membership), runs the rules
//! (`rules::*`, one module per finding family) and settles the verdict. Nothing here reads LDAP or
//! EVTX, or prints: sources fill the model, `report` renders the result.

pub mod access;
pub mod account;
pub mod code;
pub mod correlation;
pub mod evidence;
pub mod facts;
pub mod fix;
pub mod model;
pub mod policy;
pub mod rules;
pub mod verdict;

use chrono::{DateTime, Utc};

pub use model::{Diagnosis, Finding, FindingCode, Severity, Verdict};

use crate::directory::{ConnectorLookup, Directory, DirectoryUser};
use crate::events::correlate::{self, Attempt, EventIndex};
use crate::events::{Event, EventKind};
use access::AccessCaches;
use account::AccountState;
use correlation::{correlation_settings, user_key};
use facts::Facts;
use model::{
    CloudSyncSection, ConnectorSection, EvaluatedAtSource, UserSection, CLOUD_SYNC_EVIDENCE, SCHEMA,
};
use policy::EffectivePolicy;

/// What one diagnosis reads.
#[derive(Debug, Clone, Copy)]
pub struct DiagnosisInput<'a> {
    pub directory: &'a Directory,
    pub user: &'a DirectoryUser,
    /// Every event read, oldest first. The diagnosis keeps the user's own and the service's
    /// (`relevant_events`) and groups attempts on all of them, since whether the DCs' Security
    /// logs cover an attempt depends on every Security event, not only the user's.
    pub events: &'a [Event],
    /// `--at`, when given.
    pub at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// How far around the user's own events the service's errors are shown with them.
const SERVICE_CONTEXT_HOURS: i64 = 1;

/// The events a diagnosis of `user` reads, oldest first: the user's own (correlated by the events
/// module), the writeback service's stop/offboard/start, and the service's errors within an hour
/// of the user's own events that name no other user (they fail everyone's attempts: connectivity,
/// crypto).
fn relevant_events(all: &[Event], user: &DirectoryUser) -> Vec<Event> {
    let own = correlate::events_for_key(all, &user_key(user));
    let service: Vec<&Event> = all.iter().filter(|e| correlate::concerns_every_user(e)).collect();
    relevant_among(&own, &service, user)
}

/// `relevant_events` from the user's own events and the service's (start, stop, errors).
fn relevant_among(own: &[&Event], service: &[&Event], user: &DirectoryUser) -> Vec<Event> {
    let span = own
        .iter()
        .map(|e| e.time)
        .min()
        .zip(own.iter().map(|e| e.time).max());
    let margin = chrono::Duration::hours(SERVICE_CONTEXT_HOURS);
    let someone_else = |e: &Event| {
        e.fields.user_principal_name.as_deref().is_some_and(|upn| {
            !user
                .user_principal_name
                .as_deref()
                .is_some_and(|mine| mine.eq_ignore_ascii_case(upn))
        })
    };
    let domain = fix::fqdn(&user.dn);
    let service = service.iter().filter(|e| match e.kind {
        EventKind::WritebackService => matches!(e.event_id, 31013 | 31015 | 31016),
        // Password hash sync failing for the user's own domain.
        EventKind::Phs => e
            .fields
            .domain
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case(&domain)),
        EventKind::WritebackServiceError => {
            !someone_else(e) && span.is_some_and(|(lo, hi)| e.time >= lo - margin && e.time <= hi + margin)
        }
        _ => false,
    });
    let mut out: Vec<Event> = own.iter().chain(service).map(|e| (*e).clone()).collect();
    out.sort_by(|a, b| {
        (a.time, &a.origin.file, a.origin.record_id).cmp(&(b.time, &b.origin.file, b.origin.record_id))
    });
    out.dedup_by(|a, b| a.origin == b.origin && a.event_id == b.event_id && a.time == b.time);
    out
}

/// Diagnoses one user: decode the facts once, run the rules, settle the verdict.
pub fn diagnose(input: &DiagnosisInput) -> Diagnosis {
    let (dir, user) = (input.directory, input.user);
    let attempts = correlate::attempts(input.events, &user_key(user), &correlation_settings(dir));
    let events = relevant_events(input.events, user);
    settle(
        dir,
        user,
        events,
        correlate::connect_log_span(input.events),
        attempts,
        (input.at, input.now),
        &mut AccessCaches::default(),
    )
}

/// What the diagnoses of many users against one set of events share (a scan): the events indexed
/// by user once, so each user reads its own instead of all of them, and the descriptors already
/// evaluated, so users sharing a descriptor are not parsed and checked again. Each diagnosis is
/// the one `diagnose` gives.
pub struct Scan<'a> {
    events: EventIndex<'a>,
    access: AccessCaches,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
}

impl<'a> Scan<'a> {
    /// `events`: every event read, oldest first; `at`: `--at`, when given.
    pub fn new(events: &'a [Event], at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Scan<'a> {
        Scan {
            events: EventIndex::new(events),
            access: AccessCaches::default(),
            at,
            now,
        }
    }

    pub fn diagnose(&mut self, directory: &Directory, user: &DirectoryUser) -> Diagnosis {
        let own = self.events.events_for(&user_key(user));
        let attempts = self.events.attempts(&own, &correlation_settings(directory));
        let events = relevant_among(&own, self.events.service_events(), user);
        settle(
            directory,
            user,
            events,
            self.events.connect_span(),
            attempts,
            (self.at, self.now),
            &mut self.access,
        )
    }
}

/// The facts of `user` from its correlated events, then the report, which keeps the events.
/// `(at, now)`: `--at` when given, and the time of the run.
fn settle(
    dir: &Directory,
    user: &DirectoryUser,
    events: Vec<Event>,
    connect_log: Option<(DateTime<Utc>, DateTime<Utc>)>,
    attempts: Vec<Attempt>,
    (requested_at, now): (Option<DateTime<Utc>>, DateTime<Utc>),
    caches: &mut AccessCaches,
) -> Diagnosis {
    let (at, at_source) = facts::evaluation_instant(requested_at, &events, &attempts, now);
    let policy = EffectivePolicy::for_user(dir, user);
    let (protected_groups, membership_transitive) = facts::protected_membership(dir, user);
    let f = Facts {
        directory: dir,
        user,
        events: &events,
        connect_log,
        attempts,
        at,
        at_source,
        account: AccountState::at(user, &policy, at, at_source == EvaluatedAtSource::Now),
        policy,
        access: access::assess_cached(dir, user, &mut caches.connect),
        cloud_sync: dir
            .cloud_sync
            .as_ref()
            .map(|gmsa| access::assess_for(dir, user, Some(gmsa), &mut caches.cloud_sync)),
        sam_access: access::sam_access_cached(dir, &mut caches.connect),
        protected_groups,
        membership_transitive,
    };
    let d = sections(&f, now);
    Diagnosis { events, ..d }
}

/// The report for already-decoded facts: rules, verdict, and the contract's sections, with a
/// copy of the facts' events.
pub fn report(f: &Facts, generated_at: DateTime<Utc>) -> Diagnosis {
    Diagnosis {
        events: f.events.to_vec(),
        ..sections(f, generated_at)
    }
}

/// `report` but for the events, which the caller moves in.
fn sections(f: &Facts, generated_at: DateTime<Utc>) -> Diagnosis {
    let mut findings = rules::evaluate(f);
    // Blockers first; within a severity, rule order (root causes before symptoms).
    findings.sort_by_key(|x| std::cmp::Reverse(x.severity));
    let verdict = verdict::verdict(f, &findings);
    let u = f.user;
    let timeline = evidence::timeline(f.events);
    Diagnosis {
        schema: SCHEMA.to_string(),
        generated_at,
        evaluated_at: f.at,
        evaluated_at_source: f.at_source,
        user: UserSection {
            dn: u.dn.clone(),
            sam_account_name: u.sam_account_name.clone(),
            user_principal_name: u.user_principal_name.clone(),
            display_name: u.display_name.clone(),
            object_guid: u.object_guid.map(|g| g.to_string()),
            object_sid: u.object_sid.as_ref().map(|s| s.to_string()),
        },
        account: f.account.clone(),
        inheritance: f.access.inheritance.clone(),
        connector: connector_section(f),
        rights: f
            .reported_connector()
            .map_or_else(|| f.access.rights.clone(), |(_, access)| access.rights.clone()),
        policy: f.policy.clone(),
        cloud_sync: f
            .directory
            .cloud_sync
            .as_ref()
            .zip(f.cloud_sync.as_ref())
            .map(|(gmsa, access)| CloudSyncSection {
                account: qualified(f, &gmsa.sam_account_name),
                dn: gmsa.dn.clone(),
                sid: gmsa.sid.to_string(),
                rights: access.rights.clone(),
                evidence: CLOUD_SYNC_EVIDENCE.to_string(),
            }),
        events: Vec::new(),
        findings,
        verdict,
        dacl: f.access.dacl.clone(),
        inheritance_chain: evidence::inheritance_chain(f.directory, u, &f.access.inheritance),
        timeline,
    }
}

/// `CONTOSO\\name`, or the bare name when the NetBIOS name is unknown.
fn qualified(f: &Facts, sam: &str) -> String {
    match &f.directory.domain.netbios_name {
        Some(nb) => format!("{nb}\\{sam}"),
        None => sam.to_string(),
    }
}

/// The contract's `connector`: Entra Connect's account when found, else Cloud Sync's gMSA, else
/// what was looked for.
fn connector_section(f: &Facts) -> ConnectorSection {
    match (&f.directory.connector, f.reported_connector()) {
        (ConnectorLookup::Found(c), _) | (_, Some((c, _))) => ConnectorSection {
            account: qualified(f, &c.sam_account_name),
            dn: Some(c.dn.clone()),
            sid: Some(c.sid.to_string()),
        },
        (ConnectorLookup::NotFound { wanted }, None) => ConnectorSection {
            account: wanted.clone(),
            dn: None,
            sid: None,
        },
        (ConnectorLookup::Ambiguous { candidates }, None) => ConnectorSection {
            account: format!("ambiguous: {}", candidates.join("; ")),
            dn: None,
            sid: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contoso::{self, directory, event, ts};

    #[test]
    fn a_scan_diagnoses_each_demo_scenario_user_as_diagnose_does() {
        use crate::events::ingest::{ingest, IngestOptions};
        let logs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
        let dir = crate::directory::snapshot::read(&logs.join(crate::demo_tenant::SNAPSHOT))
            .expect("demo snapshot");
        let files = [
            crate::demo_tenant::APPLICATION_LOG,
            crate::demo_tenant::DC01_LOG,
            crate::demo_tenant::DC02_LOG,
            crate::demo_tenant::DC01_PASSWORD_PROTECTION_LOG,
        ]
        .map(|f| logs.join(f));
        let events = ingest(&files, &IngestOptions::default(), &|_| {}).events;
        assert!(!events.is_empty(), "the demo logs were read");
        let now = ts("2026-11-25T12:00:00Z");
        let mut scan = Scan::new(&events, None, now);
        for s in crate::demo_tenant::scenarios() {
            let user = dir.find_user(s.user).expect("scenario user in the snapshot");
            let plain = diagnose(&DiagnosisInput {
                directory: &dir,
                user,
                events: &events,
                at: None,
                now,
            });
            assert!(!plain.events.is_empty(), "{} has events", s.user);
            assert_eq!(scan.diagnose(&dir, user), plain, "{}", s.user);
        }
    }

    #[test]
    fn cloud_sync_alone_fills_the_connector_and_rights_sections_and_its_own() {
        use crate::directory::ConnectorAccount;
        let mut dir = directory();
        let gmsa = ConnectorAccount {
            dn: "CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=test".into(),
            sam_account_name: "provAgentgMSA$".into(),
            sid: format!("{}-1130", contoso::DOMAIN_SID).parse().unwrap(),
            token_groups: vec![],
        };
        dir.cloud_sync = Some(gmsa);
        let now = ts("2026-11-25T12:00:00Z");
        // Beside Connect: the contract's sections stay Connect's; cloud_sync is added.
        let mut f = contoso::facts(&dir, &[], "2026-11-24T08:00:00Z");
        let mut gmsa_access = contoso::healthy_access();
        gmsa_access.rights.reset_password = model::not_granted();
        f.cloud_sync = Some(gmsa_access.clone());
        let d = report(&f, now);
        assert_eq!(d.connector.account, "CONTOSO\\MSOL_abc123");
        assert!(d.rights.reset_password.allowed);
        let cs = d.cloud_sync.as_ref().expect("cloud_sync section");
        assert_eq!(cs.account, "CONTOSO\\provAgentgMSA$");
        assert!(!cs.rights.reset_password.allowed);
        assert!(cs.evidence.contains("Export-AADCloudSyncToolsLogs"));
        assert!(d.verdict.writeback_can_succeed, "{:?}", d.findings);

        // Alone: the contract's sections are the gMSA's, and its missing reset blocks.
        dir.connector = ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        };
        let mut f = contoso::facts(&dir, &[], "2026-11-24T08:00:00Z");
        f.cloud_sync = Some(gmsa_access);
        let d = report(&f, now);
        assert_eq!(d.connector.account, "CONTOSO\\provAgentgMSA$");
        assert!(!d.rights.reset_password.allowed);
        assert_eq!(d.verdict.primary_cause, Some(FindingCode::CloudSyncMissingRights));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["cloud_sync"]["rights"]["reset_password"]["allowed"], false);
        assert!(!json["findings"]
            .to_string()
            .contains(FindingCode::ConnectorNotFound.as_str()));

        // Without Cloud Sync the key is left out.
        let json = serde_json::to_value(contoso::healthy_diagnosis()).unwrap();
        assert!(json.get("cloud_sync").is_none());
    }

    #[test]
    fn relevant_events_are_the_users_and_the_services_in_order() {
        let dir = directory();
        let mut other = event(33004, EventKind::WritebackFailure, "2026-11-24T07:00:00Z");
        other.fields.user_principal_name = Some("bob@contoso.test".into());
        // One TrackingId is one request: bob's is his own.
        other.fields.tracking_id = Some("b0b00000-0000-4000-8000-000000000002".into());
        let mut stopped = event(31016, EventKind::WritebackService, "2026-11-24T06:00:00Z");
        stopped.fields = Default::default();
        let mut heartbeat = event(31019, EventKind::WritebackService, "2026-11-24T06:30:00Z");
        heartbeat.fields = Default::default();
        let mine = event(33004, EventKind::WritebackFailure, "2026-11-24T08:00:00Z");
        let mut bus = event(32002, EventKind::WritebackServiceError, "2026-11-24T08:30:00Z");
        bus.fields = Default::default();
        let mut bus_for_bob = bus.clone();
        bus_for_bob.fields.user_principal_name = Some("bob@contoso.test".into());
        let mut bus_long_before = bus.clone();
        bus_long_before.time = ts("2026-11-24T03:00:00Z");
        let all = [
            mine.clone(),
            other,
            heartbeat,
            stopped.clone(),
            bus.clone(),
            bus_for_bob,
            bus_long_before,
        ];
        let got = relevant_events(&all, &dir.users[0]);
        assert_eq!(got, vec![stopped, mine, bus]);
    }
}
