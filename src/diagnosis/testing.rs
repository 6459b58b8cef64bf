//! Hand-built directory, user, event and facts values for the rule tests: a healthy baseline
//! (connector granted everything through inherited ACEs) that each test bends to its case.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::account::AccountState;
use super::correlation::user_key;
use super::facts::{AccessFacts, Facts};
use super::model::{
    not_granted, DecidingAce, Effect, EvaluatedAtSource, InheritanceSection, RightDecision, RightsSection,
};
use super::policy::EffectivePolicy;
use crate::directory::{
    ConnectorAccount, ConnectorLookup, Directory, DirectoryUser, Domain, PasswordSettings,
};
use crate::events::correlate::{self, CorrelationSettings};
use crate::events::{Event, EventFields, EventKind, EventOrigin};

pub const DOMAIN_SID: &str = "S-1-5-21-1004336348-1177238915-682003330";
pub const CONNECTOR_SID: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";

pub fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test timestamp")
        .with_timezone(&Utc)
}

pub fn directory() -> Directory {
    let sid = DOMAIN_SID.parse().expect("test SID");
    Directory {
        domain: Domain::with_default_policy("DC=contoso,DC=test", "CONTOSO", sid),
        connector: ConnectorLookup::Found(ConnectorAccount {
            dn: "CN=MSOL_abc123,CN=Users,DC=contoso,DC=test".into(),
            sam_account_name: "MSOL_abc123".into(),
            sid: CONNECTOR_SID.parse().expect("test SID"),
            token_groups: vec![],
        }),
        containers: vec![],
        password_settings: vec![],
        sam: Default::default(),
        cloud_sync: None,
        names: HashMap::new(),
        users: vec![user("alice")],
        source: "test".into(),
        captured_at: ts("2026-11-25T12:00:00Z"),
    }
}

pub fn pso(dn: &str, min_age_days: i64) -> PasswordSettings {
    PasswordSettings {
        dn: dn.into(),
        precedence: 1,
        min_pwd_age: -864_000_000_000 * min_age_days,
        max_pwd_age: -36_288_000_000_000,
        pwd_history_length: 12,
        lockout_threshold: 3,
        lockout_duration: -18_000_000_000,
        lockout_observation_window: -18_000_000_000,
        min_pwd_length: None,
        complexity: None,
    }
}

pub fn user(sam: &str) -> DirectoryUser {
    DirectoryUser {
        dn: format!("CN={sam},OU=Staff,DC=contoso,DC=test"),
        sam_account_name: sam.into(),
        user_principal_name: Some(format!("{sam}@contoso.test")),
        display_name: Some(sam.to_uppercase()),
        mail: None,
        object_guid: None,
        object_sid: Some(format!("{DOMAIN_SID}-1104").parse().expect("test SID")),
        consistency_guid: None,
        user_account_control: 0x200,
        uac_computed: Some(0),
        lockout_time: 0,
        pwd_last_set: Some(crate::ad::time::to_filetime(ts("2026-11-01T08:00:00Z"))),
        bad_pwd_count: Some(0),
        admin_count: None,
        member_of: vec![],
        token_groups: Some(vec![]),
        resultant_pso: None,
        security_descriptor: Some(Arc::from(&b""[..])),
        when_changed: None,
        admin_description: None,
    }
}

pub fn event(id: u32, kind: EventKind, time: &str) -> Event {
    Event {
        time: ts(time),
        machine: "CONNECT01.contoso.test".into(),
        channel: "Application".into(),
        provider: "PasswordResetService".into(),
        event_id: id,
        level: 2,
        audit: None,
        origin: EventOrigin {
            file: Arc::from("Application.evtx"),
            record_id: 1,
            position: 1,
        },
        kind,
        message: String::new(),
        fields: EventFields {
            tracking_id: Some("3f1c9d2e-0000-4000-8000-000000000001".into()),
            user_principal_name: Some("alice@contoso.test".into()),
            ..EventFields::default()
        },
    }
}

pub fn inherited_allow(sddl: &str) -> RightDecision {
    RightDecision {
        allowed: true,
        deciding_ace: Some(DecidingAce {
            sddl: sddl.into(),
            index: 12,
            inherited: true,
            trustee: "CONTOSO\\MSOL_abc123".into(),
            effect: Effect::Allow,
        }),
    }
}

/// All five rights granted the way Set-ADSyncPasswordWritebackPermissions (plus the default
/// Authenticated Users grant of Unexpire Password) leaves them.
pub fn healthy_access() -> AccessFacts {
    AccessFacts {
        inheritance: InheritanceSection {
            dacl_protected: false,
            blocked_at: None,
        },
        rights: RightsSection {
            reset_password: inherited_allow(&format!(
                "(OA;CIID;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;{CONNECTOR_SID})"
            )),
            change_password: inherited_allow(&format!(
                "(OA;CIID;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;{CONNECTOR_SID})"
            )),
            write_lockout_time: inherited_allow(&format!(
                "(OA;CIID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;bf967aba-0de6-11d0-a285-00aa003049e2;{CONNECTOR_SID})"
            )),
            write_pwd_last_set: inherited_allow(&format!(
                "(OA;CIID;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;{CONNECTOR_SID})"
            )),
            unexpire_password: RightDecision {
                allowed: true,
                deciding_ace: Some(DecidingAce {
                    sddl: "(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;AU)".into(),
                    index: 20,
                    inherited: false,
                    trustee: "NT AUTHORITY\\Authenticated Users".into(),
                    effect: Effect::Allow,
                }),
            },
        },
        cannot_change_password: None,
        dacl: std::sync::Arc::new(Ok(Vec::new())),
        user_gap: None,
        domain_gap: None,
    }
}

/// Facts for the first user of `dir` at `at`, healthy access, the given events.
pub fn facts<'a>(dir: &'a Directory, events: &'a [Event], at: &str) -> Facts<'a> {
    let user = dir.users.first().expect("test directory has a user");
    let policy = EffectivePolicy::for_user(dir, user);
    let at = ts(at);
    let settings = CorrelationSettings {
        connector_sam: Some("MSOL_abc123".into()),
        ..CorrelationSettings::default()
    };
    Facts {
        directory: dir,
        user,
        events,
        connect_log: correlate::connect_log_span(events),
        attempts: correlate::attempts(events, &user_key(user), &settings),
        at,
        at_source: EvaluatedAtSource::Requested,
        account: AccountState::at(user, &policy, at, true),
        policy,
        access: healthy_access(),
        cloud_sync: None,
        sam_access: Default::default(),
        protected_groups: vec![],
        membership_transitive: true,
    }
}

/// A complete report for the renderers' snapshots: alice, inheritance blocked at OU=Staff, no
/// Unexpire Password, one 33004 from the connect server, a hostile display name.
pub fn blocked_diagnosis() -> super::Diagnosis {
    let mut dir = directory();
    dir.users[0].display_name = Some("Alice \x1b[31mSmith|`x`".into());
    let mut failure = event(33004, EventKind::WritebackFailure, "2026-11-24T08:00:00Z");
    failure.message = "TrackingId: 3f1c9d2e-0000-4000-8000-000000000001, ADPermissionsError".into();
    let events = [
        event(31001, EventKind::WritebackResetStart, "2026-11-24T07:59:58Z"),
        failure,
    ];
    let mut f = facts(&dir, &events, "2026-11-24T08:00:00Z");
    f.at_source = EvaluatedAtSource::LatestFailedAttempt;
    f.access.inheritance.blocked_at = Some("OU=Staff,DC=contoso,DC=test".into());
    f.access.rights.reset_password = not_granted();
    f.access.rights.write_lockout_time = not_granted();
    f.access.rights.write_pwd_last_set = not_granted();
    f.access.rights.change_password = not_granted();
    super::report(&f, ts("2026-11-25T12:00:00Z"))
}

/// The healthy baseline as a report.
pub fn healthy_diagnosis() -> super::Diagnosis {
    let dir = directory();
    let f = facts(&dir, &[], "2026-11-24T08:00:00Z");
    super::report(&f, ts("2026-11-25T12:00:00Z"))
}
