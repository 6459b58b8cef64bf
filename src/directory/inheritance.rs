//! Where inheritance from the domain root stops for a user: the user itself if its DACL is
//! protected, else the nearest protected container above it. Read from the SD control word
//! (bytes 2-3, little-endian), which is all this needs, so an unparsable ACL does not hide it.

use super::model::{Directory, DirectoryUser};

/// SE_DACL_PROTECTED in the security descriptor control word.
const SE_DACL_PROTECTED: u16 = 0x1000;

/// Whether the self-relative descriptor `sd` has a protected DACL; `false` if too short to say.
pub fn dacl_protected(sd: &[u8]) -> bool {
    sd.get(2..4)
        .map(|w| u16::from_le_bytes([w[0], w[1]]) & SE_DACL_PROTECTED != 0)
        .unwrap_or(false)
}

/// The DN whose protected DACL stops ACEs inherited from the domain root from reaching `user`:
/// the user, or the nearest known ancestor container; `None` if nothing known blocks them.
pub fn blocked_at(dir: &Directory, user: &DirectoryUser) -> Option<String> {
    if user.security_descriptor.as_deref().is_some_and(dacl_protected) {
        return Some(user.dn.clone());
    }
    dir.ancestors_of(&user.dn)
        .into_iter()
        .find(|c| c.dacl_protected)
        .map(|c| c.dn.clone())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::directory::model::{ConnectorLookup, Container, Domain};
    use crate::security::Sid;
    use crate::testkit::UserBuilder;

    fn sd(control: u16) -> Arc<[u8]> {
        let mut b = vec![1, 0];
        b.extend_from_slice(&control.to_le_bytes());
        b.extend_from_slice(&[0; 16]);
        Arc::from(b)
    }

    fn user(dn: &str, control: u16) -> DirectoryUser {
        UserBuilder::new(dn, "u").descriptor(sd(control)).build()
    }

    fn dir(containers: Vec<Container>) -> Directory {
        Directory {
            domain: Domain {
                dn: "DC=contoso,DC=test".into(),
                netbios_name: None,
                sid: "S-1-5-21-1-2-3".parse::<Sid>().unwrap(),
                min_pwd_age: 0,
                max_pwd_age: 0,
                pwd_history_length: 0,
                lockout_threshold: 0,
                lockout_duration: 0,
                lockout_observation_window: 0,
                min_pwd_length: None,
                pwd_properties: None,
                security_descriptor: None,
                admin_sd_holder_descriptor: None,
            },
            connector: ConnectorLookup::NotFound {
                wanted: "MSOL_*".into(),
            },
            containers,
            password_settings: vec![],
            sam: Default::default(),
            cloud_sync: None,
            names: HashMap::new(),
            users: vec![],
            source: "test".into(),
            captured_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn container(dn: &str, protected: bool) -> Container {
        Container {
            dn: dn.into(),
            dacl_protected: protected,
            security_descriptor: None,
        }
    }

    #[test]
    fn control_word_bit() {
        assert!(dacl_protected(&sd(0x9404)));
        assert!(!dacl_protected(&sd(0x8404)));
        assert!(!dacl_protected(&[1, 0, 0x04]));
    }

    #[test]
    fn the_user_itself_wins_over_its_ous() {
        let d = dir(vec![container("OU=Staff,DC=contoso,DC=test", true)]);
        let u = user("CN=A,OU=Staff,DC=contoso,DC=test", 0x9404);
        assert_eq!(
            blocked_at(&d, &u).as_deref(),
            Some("CN=A,OU=Staff,DC=contoso,DC=test")
        );
    }

    #[test]
    fn the_nearest_protected_ancestor_is_named() {
        let d = dir(vec![
            container("OU=Staff,DC=contoso,DC=test", true),
            container("OU=Paris,OU=Staff,DC=contoso,DC=test", false),
            container("OU=Team,OU=Paris,OU=Staff,DC=contoso,DC=test", true),
        ]);
        let u = user("CN=A,OU=Team,OU=Paris,OU=Staff,DC=contoso,DC=test", 0x8404);
        assert_eq!(
            blocked_at(&d, &u).as_deref(),
            Some("OU=Team,OU=Paris,OU=Staff,DC=contoso,DC=test")
        );
        let u = user("CN=B,OU=Paris,OU=Staff,DC=contoso,DC=test", 0x8404);
        assert_eq!(blocked_at(&d, &u).as_deref(), Some("OU=Staff,DC=contoso,DC=test"));
        let u = user("CN=C,CN=Users,DC=contoso,DC=test", 0x8404);
        assert_eq!(blocked_at(&d, &u), None);
    }
}
