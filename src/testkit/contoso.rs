//! The one contoso.test fixture: the domain CONTOSO (DOMAIN_SID), its Entra Connect account
//! MSOL_abc123 (CONNECTOR_SID) and its staff in OU=Staff, in two shapes.
//!
//! - The rule tests' healthy baseline: `directory` (alice alone, read in full), `event`, `facts`
//!   (the connector granted everything through inherited ACEs, `healthy_access`), which each test
//!   bends to its case, and the renderers' finished reports (`blocked_diagnosis`,
//!   `healthy_diagnosis`).
//! - The command tests' domain, `six_users`, written as a real snapshot file (`snapshot_file`) so
//!   the binary reads it exactly as it reads a captured one. Its descriptors are real SDDL turned
//!   into binary by the security module, so the access check runs for real.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::builders::{EventBuilder, UserBuilder};
use crate::diagnosis::account::AccountState;
use crate::diagnosis::correlation::user_key;
use crate::diagnosis::facts::{AccessFacts, Facts};
use crate::diagnosis::model::{
    not_granted, DecidingAce, Effect, EvaluatedAtSource, InheritanceSection, RightDecision, RightsSection,
};
use crate::diagnosis::policy::EffectivePolicy;
use crate::diagnosis::Diagnosis;
use crate::directory::{
    snapshot, ConnectorAccount, ConnectorLookup, Container, Directory, DirectoryUser, Domain,
    PasswordSettings,
};
use crate::events::correlate::{self, CorrelationSettings};
use crate::events::{Event, EventKind};
use crate::security::{SecurityDescriptor, Sid};

pub const DOMAIN_SID: &str = "S-1-5-21-1004336348-1177238915-682003330";
pub const CONNECTOR_SID: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";
const RESET: &str = "00299570-246d-11d0-a768-00aa006e0529";
const USER_CLASS: &str = "bf967aba-0de6-11d0-a285-00aa003049e2";

pub fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test timestamp")
        .with_timezone(&Utc)
}

fn sid(rid: u32) -> Sid {
    format!("{DOMAIN_SID}-{rid}").parse().expect("test SID")
}

fn connector(token_groups: Vec<Sid>) -> ConnectorLookup {
    ConnectorLookup::Found(ConnectorAccount {
        dn: "CN=MSOL_abc123,CN=Users,DC=contoso,DC=test".into(),
        sam_account_name: "MSOL_abc123".into(),
        sid: CONNECTOR_SID.parse().expect("test SID"),
        token_groups,
    })
}

/// `sam` in OU=Staff: enabled, not locked, password set 2026-11-01, what every contoso user is.
fn staff(sam: &str) -> UserBuilder {
    UserBuilder::new(format!("CN={sam},OU=Staff,DC=contoso,DC=test"), sam)
        .upn(format!("{sam}@contoso.test"))
        .uac_computed(0)
        .pwd_last_set(ts("2026-11-01T08:00:00Z"))
        .bad_pwd_count(0)
}

/// The rule tests' baseline: alice alone, the default domain policy, the connector in no groups.
pub fn directory() -> Directory {
    let sid = DOMAIN_SID.parse().expect("test SID");
    Directory {
        domain: Domain::with_default_policy("DC=contoso,DC=test", "CONTOSO", sid),
        connector: connector(vec![]),
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

/// The rule tests' user: RID 1104, tokenGroups read (none), an empty descriptor (the rule tests
/// give the connector's access as facts, not as ACEs).
pub fn user(sam: &str) -> DirectoryUser {
    staff(sam)
        .display_name(sam.to_uppercase())
        .sid(sid(1104))
        .token_groups(vec![])
        .descriptor(Arc::from(&b""[..]))
        .build()
}

/// A failure-level PasswordResetService event of alice's attempt 3f1c9d2e-…-0001 on the
/// Connect server.
pub fn event(id: u32, kind: EventKind, time: &str) -> Event {
    EventBuilder::new(id, kind, ts(time))
        .machine("CONNECT01.contoso.test")
        .channel("Application")
        .provider("PasswordResetService")
        .level(2)
        .record("Application.evtx", 1)
        .writeback_of("3f1c9d2e-0000-4000-8000-000000000001", "alice@contoso.test")
        .build()
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
        dacl: Arc::new(Ok(Vec::new())),
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
pub fn blocked_diagnosis() -> Diagnosis {
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
    crate::diagnosis::report(&f, ts("2026-11-25T12:00:00Z"))
}

/// The healthy baseline as a report.
pub fn healthy_diagnosis() -> Diagnosis {
    let dir = directory();
    let f = facts(&dir, &[], "2026-11-24T08:00:00Z");
    crate::diagnosis::report(&f, ts("2026-11-25T12:00:00Z"))
}

fn sd(sddl: &str) -> Arc<[u8]> {
    SecurityDescriptor::sddl_to_bytes(sddl, &DOMAIN_SID.parse().expect("test SID")).expect("test SDDL")
}

/// The ACEs Set-ADSyncPasswordWritebackPermissions puts on the root, as a user inherits them:
/// Reset Password, write lockoutTime, write pwdLastSet.
fn inherited_grants() -> String {
    format!(
        "(OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})\
         (OA;CIID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;{USER_CLASS};{CONNECTOR_SID})\
         (OA;CIID;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;{USER_CLASS};{CONNECTOR_SID})"
    )
}

/// What Set-ADSyncPasswordWritebackPermissions leaves on a user that inherits from the root.
fn inheriting_user_sd() -> Arc<[u8]> {
    sd(&format!(
        "O:DAG:DUD:AI(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU){}",
        inherited_grants()
    ))
}

/// The command tests' user: RID `rid`, a mailbox, in Domain Users, inheriting the connector's
/// grants from the root.
pub fn domain_user(sam: &str, rid: u32) -> DirectoryUser {
    staff(sam)
        .display_name(format!("{sam} Example"))
        .mail(format!("{sam}@contoso.test"))
        .sid(sid(rid))
        .token_groups(vec![sid(513)])
        .descriptor(inheriting_user_sd())
        .build()
}

/// The command tests' domain. alice: fine. bob: inheritance disabled, nothing grants. carol:
/// disabled. dave: explicit deny. erin and frank share a mail address (ambiguous by mail).
pub fn six_users() -> Directory {
    let mut bob = domain_user("bob", 1201);
    bob.security_descriptor = Some(sd(
        "O:DAG:DUD:PAI(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)",
    ));
    let mut carol = domain_user("carol", 1202);
    carol.user_account_control = 0x202;
    let mut dave = domain_user("dave", 1203);
    dave.security_descriptor = Some(sd(&format!(
        "O:DAG:DUD:AI(OD;;CR;{RESET};;{CONNECTOR_SID}){}",
        inherited_grants()
    )));
    let mut erin = domain_user("erin", 1204);
    erin.mail = Some("shared@contoso.test".into());
    let mut frank = domain_user("frank", 1205);
    frank.mail = Some("shared@contoso.test".into());
    let domain = Domain::with_default_policy(
        "DC=contoso,DC=test",
        "CONTOSO",
        DOMAIN_SID.parse().expect("test SID"),
    );
    Directory {
        domain: Domain {
            min_pwd_age: 0,
            min_pwd_length: None,
            pwd_properties: None,
            security_descriptor: Some(sd(&format!(
                "O:DAG:DAD:(A;;RPLCLORC;;;AU)(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;AU)\
                 (OA;CIIO;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})"
            ))),
            ..domain
        },
        connector: connector(vec![sid(513)]),
        containers: vec![Container {
            dn: "OU=Staff,DC=contoso,DC=test".into(),
            dacl_protected: false,
            security_descriptor: None,
        }],
        password_settings: vec![],
        sam: Default::default(),
        cloud_sync: None,
        names: HashMap::from([(
            CONNECTOR_SID.parse().expect("test SID"),
            "CONTOSO\\MSOL_abc123".to_string(),
        )]),
        users: vec![domain_user("alice", 1200), bob, carol, dave, erin, frank],
        source: "fixture".into(),
        captured_at: ts("2026-11-25T12:00:00Z"),
    }
}

/// `dir` as a snapshot file in a fresh temporary directory (kept alive by the returned guard).
pub fn snapshot_file(dir: &Directory) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let path = tmp.path().join("contoso.snapshot.json");
    snapshot::write(dir, std::fs::File::create(&path).expect("snapshot file")).expect("snapshot written");
    (tmp, path)
}
