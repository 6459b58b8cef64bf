//! Directories of any size, for the benches and the tests at scale.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::DateTime;

use super::builders::UserBuilder;
use crate::directory::{ConnectorLookup, Container, Directory, Domain};
use crate::security::{Guid, Sid};

/// `n` users over eight OUs, with descriptors shared the way real OUs share them (one user in a
/// hundred has its own): the input of the snapshot benchmark and tests.
pub fn directory(n: usize) -> Directory {
    let domain_sid: Sid = "S-1-5-21-1004336348-1177238915-682003330"
        .parse()
        .expect("domain SID");
    let descriptor = |variant: u8| -> Arc<[u8]> {
        let mut b = vec![1, 0, 0x04, 0x84, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&[variant; 1200]);
        Arc::from(b)
    };
    let shared: Vec<Arc<[u8]>> = (0..8).map(descriptor).collect();
    let ous: Vec<String> = (0..8)
        .map(|i| format!("OU=Site{i},OU=Staff,DC=contoso,DC=test"))
        .collect();
    let users = (0..n)
        .map(|i| {
            let ou = &ous[i % ous.len()];
            // One user in a hundred has a descriptor of its own (protected, edited).
            let sd = if i % 100 == 0 {
                descriptor((10 + (i / 100) % 180) as u8)
            } else {
                shared[i % shared.len()].clone()
            };
            UserBuilder::new(format!("CN=User {i},{ou}"), format!("user{i}"))
                .upn(format!("user{i}@contoso.test"))
                .display_name(format!("User {i}"))
                .mail(format!("user{i}@contoso.test"))
                .guid(Guid::from_bytes(&(i as u128).to_le_bytes()).expect("16 bytes"))
                .sid(domain_sid.with_rid(5000 + i as u32))
                .uac_computed(0)
                .pwd_last_set_raw(134_400_730_377_382_710)
                .bad_pwd_count(0)
                .member_of(vec!["CN=Staff,OU=Groups,DC=contoso,DC=test".into()])
                .descriptor(sd)
                .when_changed(DateTime::from_timestamp(1_764_000_000 + i as i64, 0).expect("time"))
                .build()
        })
        .collect();
    Directory {
        domain: Domain {
            lockout_threshold: 0,
            security_descriptor: Some(descriptor(200)),
            admin_sd_holder_descriptor: Some(descriptor(201)),
            ..Domain::with_default_policy("DC=contoso,DC=test", "CONTOSO", domain_sid.clone())
        },
        connector: ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        },
        containers: ous
            .iter()
            .map(|dn| Container {
                dn: dn.clone(),
                dacl_protected: false,
                security_descriptor: Some(descriptor(202)),
            })
            .collect(),
        password_settings: vec![],
        sam: Default::default(),
        cloud_sync: None,
        names: HashMap::from([(domain_sid.with_rid(1103), "CONTOSO\\MSOL_abc123".to_string())]),
        users,
        source: "synthetic".into(),
        captured_at: DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default(),
    }
}
