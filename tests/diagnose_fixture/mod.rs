//! A small hand-built domain for the diagnose and scan command tests, written as a real snapshot
//! file so the binary reads it exactly as it reads a captured one. Descriptors are real SDDL turned
//! into binary by the security module, so the access check runs for real.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use resetlens::ad::time::to_filetime;
use resetlens::directory::{
    snapshot, ConnectorAccount, ConnectorLookup, Container, Directory, DirectoryUser, Domain,
};
use resetlens::security::{SecurityDescriptor, Sid};

pub const DOMAIN_SID: &str = "S-1-5-21-1004336348-1177238915-682003330";
pub const CONNECTOR_SID: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";
const RESET: &str = "00299570-246d-11d0-a768-00aa006e0529";
const USER_CLASS: &str = "bf967aba-0de6-11d0-a285-00aa003049e2";

pub fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn sd(sddl: &str) -> Option<Arc<[u8]>> {
    Some(SecurityDescriptor::sddl_to_bytes(sddl, &DOMAIN_SID.parse().unwrap()).unwrap())
}

/// What Set-ADSyncPasswordWritebackPermissions leaves on a user that inherits from the root.
pub fn inheriting_user_sd() -> Option<Arc<[u8]>> {
    sd(&format!(
        "O:DAG:DUD:AI(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)\
         (OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})\
         (OA;CIID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;{USER_CLASS};{CONNECTOR_SID})\
         (OA;CIID;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;{USER_CLASS};{CONNECTOR_SID})"
    ))
}

pub fn user(sam: &str, rid: u32) -> DirectoryUser {
    DirectoryUser {
        dn: format!("CN={sam},OU=Staff,DC=contoso,DC=test"),
        sam_account_name: sam.into(),
        user_principal_name: Some(format!("{sam}@contoso.test")),
        display_name: Some(format!("{sam} Example")),
        mail: Some(format!("{sam}@contoso.test")),
        object_guid: None,
        object_sid: Some(format!("{DOMAIN_SID}-{rid}").parse().unwrap()),
        consistency_guid: None,
        user_account_control: 0x200,
        uac_computed: Some(0),
        lockout_time: 0,
        pwd_last_set: Some(to_filetime(ts("2026-11-01T08:00:00Z"))),
        bad_pwd_count: Some(0),
        admin_count: None,
        member_of: vec![],
        token_groups: Some(vec![format!("{DOMAIN_SID}-513").parse().unwrap()]),
        resultant_pso: None,
        security_descriptor: inheriting_user_sd(),
        when_changed: None,
        admin_description: None,
    }
}

/// alice: fine. bob: inheritance disabled, nothing grants. carol: disabled. dave: explicit deny.
/// erin and frank share a mail address (ambiguous by mail).
pub fn contoso() -> Directory {
    let mut bob = user("bob", 1201);
    bob.security_descriptor = sd("O:DAG:DUD:PAI(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)");
    let mut carol = user("carol", 1202);
    carol.user_account_control = 0x202;
    let mut dave = user("dave", 1203);
    dave.security_descriptor = sd(&format!(
        "O:DAG:DUD:AI(OD;;CR;{RESET};;{CONNECTOR_SID})(OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})\
         (OA;CIID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;{USER_CLASS};{CONNECTOR_SID})\
         (OA;CIID;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;{USER_CLASS};{CONNECTOR_SID})"
    ));
    let mut erin = user("erin", 1204);
    erin.mail = Some("shared@contoso.test".into());
    let mut frank = user("frank", 1205);
    frank.mail = Some("shared@contoso.test".into());
    let connector_sid: Sid = CONNECTOR_SID.parse().unwrap();
    Directory {
        domain: Domain {
            dn: "DC=contoso,DC=test".into(),
            netbios_name: Some("CONTOSO".into()),
            sid: DOMAIN_SID.parse().unwrap(),
            min_pwd_age: 0,
            max_pwd_age: -36_288_000_000_000,
            pwd_history_length: 24,
            lockout_threshold: 5,
            lockout_duration: -18_000_000_000,
            lockout_observation_window: -18_000_000_000,
            min_pwd_length: None,
            pwd_properties: None,
            security_descriptor: sd(&format!(
                "O:DAG:DAD:(A;;RPLCLORC;;;AU)(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;AU)\
                 (OA;CIIO;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})"
            )),
            admin_sd_holder_descriptor: None,
        },
        connector: ConnectorLookup::Found(ConnectorAccount {
            dn: "CN=MSOL_abc123,CN=Users,DC=contoso,DC=test".into(),
            sam_account_name: "MSOL_abc123".into(),
            sid: connector_sid.clone(),
            token_groups: vec![format!("{DOMAIN_SID}-513").parse().unwrap()],
        }),
        containers: vec![Container {
            dn: "OU=Staff,DC=contoso,DC=test".into(),
            dacl_protected: false,
            security_descriptor: None,
        }],
        password_settings: vec![],
        sam: Default::default(),
        cloud_sync: None,
        names: HashMap::from([(connector_sid, "CONTOSO\\MSOL_abc123".to_string())]),
        users: vec![user("alice", 1200), bob, carol, dave, erin, frank],
        source: "fixture".into(),
        captured_at: ts("2026-11-25T12:00:00Z"),
    }
}

/// `dir` as a snapshot file in a fresh temporary directory (kept alive by the returned guard).
pub fn snapshot_file(dir: &Directory) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("contoso.snapshot.json");
    snapshot::write(dir, std::fs::File::create(&path).unwrap()).unwrap();
    (tmp, path)
}

#[path = "../support/run.rs"]
mod run;
pub use run::resetlens;
